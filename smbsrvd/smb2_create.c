/*
 * smb2_create.c — CREATE (MS-SMB2 2.2.13, 2.2.14, 3.3.5.9) and CLOSE
 * (3.3.5.10).
 *
 * The server runs as one Unix user and does not impersonate: access is
 * what the share allows (read only or not, TreeConnect.MaximalAccess)
 * and what the file's DOS read-only attribute allows, as Windows does it.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "conn.h"
#include "log.h"
#include "ntstatus.h"
#include "durable.h"
#include "lease.h"
#include "ofile.h"
#include "oplock.h"
#include "pipe.h"
#include "session.h"
#include "server.h"
#include "share.h"
#include "smb2_req.h"
#include "tree.h"
#include "ucs2.h"
#include "vfs.h"

#define CREATE_REQ_SIZE		57
#define CREATE_RSP_SIZE		89
#define CLOSE_REQ_SIZE		24
#define CLOSE_RSP_SIZE		60

/* 2.2.13 CreateDisposition */
enum {
	FILE_SUPERSEDE, FILE_OPEN, FILE_CREATE, FILE_OPEN_IF, FILE_OVERWRITE,
	FILE_OVERWRITE_IF
};
/* 2.2.14 CreateAction */
enum {
	FILE_SUPERSEDED, FILE_OPENED, FILE_CREATED, FILE_OVERWRITTEN
};

#define FILE_DIRECTORY_FILE		0x00000001
#define FILE_WRITE_THROUGH		0x00000002
#define FILE_NON_DIRECTORY_FILE		0x00000040
#define FILE_CREATE_TREE_CONNECTION	0x00000080
#define FILE_DELETE_ON_CLOSE		0x00001000
#define FILE_OPEN_BY_FILE_ID		0x00002000
#define FILE_RESERVE_OPFILTER		0x00100000
#define FILE_OPEN_REPARSE_POINT		0x00200000
#define FILE_OPEN_NO_RECALL		0x00400000
#define FILE_VALID_OPTIONS		0x00ffffff

#define SMB2_CLOSE_FLAG_POSTQUERY_ATTRIB 0x0001

/* 3.3.5.9: DesiredAccess bits that no request may set. */
#define ACCESS_RESERVED		0x0ce0fe00
/* ImpersonationLevel: Anonymous .. Delegate. */
#define IMPERSONATION_MAX	3

#define CTX_HDR_LEN	16

/* What the create contexts of a request ask for (2.2.13.2). */
struct create_ctx {
	bool		mxac;		/* maximal access */
	bool		qfid;		/* on-disk id */
	bool		alsi;
	uint64_t	alloc;
	bool		twrp;		/* a previous version */
	struct durable_req dur;		/* DHnQ, DHnC, DH2Q, DH2C */
	/* The durable response context to add, if any (durable.h). */
	char		dur_name[4];
	uint8_t		dur_data[8];
	size_t		dur_len;
	struct lease_req ls;		/* RqLs v1 or v2 (lease.h) */
};

/*
 * 2.2.13.2: a chain of contexts, each 8-aligned, with Next, NameOffset,
 * NameLength, DataOffset, DataLength relative to the context.  Unknown
 * contexts are ignored; a malformed chain is STATUS_INVALID_PARAMETER.
 */
static uint32_t
parse_contexts(struct smb_req *r, uint32_t off, uint32_t len,
    struct create_ctx *cc)
{
	struct msgbuf_rd all, ctx;
	uint32_t next, dlen;
	uint16_t noff, nlen, doff;
	const uint8_t *name;
	size_t pos = 0;
	int n = 0;

	memset(cc, 0, sizeof(*cc));
	if (len == 0)
		return STATUS_SUCCESS;
	if (!msgbuf_sub(&r->r_rd, off, len, &all))
		return STATUS_INVALID_PARAMETER;
	for (;;) {
		if (++n > 64 || !msgbuf_sub(&all, pos, len - pos, &ctx))
			return STATUS_INVALID_PARAMETER;
		next = msgbuf_get_le32(&ctx);
		noff = msgbuf_get_le16(&ctx);
		nlen = msgbuf_get_le16(&ctx);
		msgbuf_skip(&ctx, 2);
		doff = msgbuf_get_le16(&ctx);
		dlen = msgbuf_get_le32(&ctx);
		if (!msgbuf_rd_ok(&ctx) || (next != 0 && (next % 8 != 0 ||
		    next < CTX_HDR_LEN || next > len - pos)))
			return STATUS_INVALID_PARAMETER;
		/* Name and data lie inside this context. */
		{
			size_t end = next != 0 ? next : len - pos;

			/*
			 * Every name 2.2.13.2 defines is at least 4 bytes;
			 * Windows refuses a shorter one, and so do we.
			 */
			if (nlen < 4 || noff < CTX_HDR_LEN ||
			    (size_t)noff + nlen > end ||
			    (dlen != 0 && (doff < CTX_HDR_LEN ||
			    (size_t)doff + dlen > end)))
				return STATUS_INVALID_PARAMETER;
		}
		msgbuf_seek(&ctx, noff);
		name = msgbuf_get_ptr(&ctx, nlen);
		if (name == NULL)
			return STATUS_INVALID_PARAMETER;
		if (nlen == 4 && memcmp(name, "MxAc", 4) == 0)
			cc->mxac = true;
		else if (nlen == 4 && memcmp(name, "QFid", 4) == 0)
			cc->qfid = true;
		else if (nlen == 4 && memcmp(name, "TWrp", 4) == 0)
			cc->twrp = true;
		else if (nlen == 4 && (memcmp(name, "DHnQ", 4) == 0 ||
		    memcmp(name, "DHnC", 4) == 0 ||
		    memcmp(name, "DH2Q", 4) == 0 ||
		    memcmp(name, "DH2C", 4) == 0)) {
			struct msgbuf_rd d;
			uint32_t st;

			if (!msgbuf_sub(&ctx, doff, dlen, &d) ||
			    (st = durable_ctx(&cc->dur, name, &d)) != 0)
				return STATUS_INVALID_PARAMETER;
		}
		else if (nlen == 4 && memcmp(name, "RqLs", 4) == 0) {
			struct msgbuf_rd d;

			/* 2.2.13.2.8 (32 bytes), 2.2.13.2.10 (52 bytes). */
			if (!msgbuf_sub(&ctx, doff, dlen, &d) ||
			    lease_req_parse(&cc->ls, &d, dlen) != 0)
				return STATUS_INVALID_PARAMETER;
		}
		else if (nlen == 4 && memcmp(name, "AlSi", 4) == 0) {
			if (dlen != 8)
				return STATUS_INVALID_PARAMETER;
			msgbuf_seek(&ctx, doff);
			cc->alsi = true;
			cc->alloc = msgbuf_get_le64(&ctx);
		}
		if (!msgbuf_rd_ok(&ctx))
			return STATUS_INVALID_PARAMETER;
		if (next == 0)
			break;
		pos += next;
	}
	return STATUS_SUCCESS;
}

/* MS-SMB2 2.2.13.1.1 / MS-DTYP 2.4.3: GENERIC_* to specific rights. */
static uint32_t
map_generic(uint32_t acc)
{
	if (acc & GENERIC_READ)
		acc |= FILE_GENERIC_READ;
	if (acc & GENERIC_WRITE)
		acc |= FILE_GENERIC_WRITE;
	if (acc & GENERIC_EXECUTE)
		acc |= FILE_GENERIC_EXECUTE;
	if (acc & GENERIC_ALL)
		acc |= FILE_ALL_ACCESS;
	return acc & ~(GENERIC_READ | GENERIC_WRITE | GENERIC_EXECUTE |
	    GENERIC_ALL);
}

#define WRITE_ACCESS	(FILE_WRITE_DATA | FILE_APPEND_DATA | FILE_WRITE_EA |\
			 FILE_WRITE_ATTRIBUTES | DELETE_ACCESS | WRITE_DAC |\
			 WRITE_OWNER | FILE_DELETE_CHILD)

static void
put_context(struct msgbuf_wr *wr, size_t *prev_next, const char *name,
    const void *data, uint32_t dlen)
{
	size_t start;

	msgbuf_align(wr, 8);
	start = msgbuf_wr_len(wr);
	if (*prev_next != (size_t)-1)
		msgbuf_patch_le32(wr, *prev_next, (uint32_t)(start -
		    (*prev_next)));
	*prev_next = start;
	msgbuf_put_le32(wr, 0);			/* Next */
	msgbuf_put_le16(wr, CTX_HDR_LEN);	/* NameOffset */
	msgbuf_put_le16(wr, 4);
	msgbuf_put_le16(wr, 0);
	msgbuf_put_le16(wr, 24);		/* DataOffset */
	msgbuf_put_le32(wr, dlen);
	msgbuf_put_bytes(wr, name, 4);
	msgbuf_put_zero(wr, 4);
	msgbuf_put_bytes(wr, data, dlen);
}

/* 2.2.14: the CREATE response for of, with the contexts cc asks for. */
static uint32_t
create_respond(struct smb_req *r, struct ofile *of, uint32_t action,
    uint8_t oplock, const struct create_ctx *ccp)
{
	const struct create_ctx cc = *ccp;
	struct tree *t = r->r_tree;
	struct vfs_stat now;
	size_t ctxstart, prev = (size_t)-1;
	uint8_t lsdata[LEASE_CTX_V2_LEN];
	size_t lslen;

	if (vfs_fstat(of->of_fd, &now) != STATUS_SUCCESS)
		memset(&now, 0, sizeof(now));
	/* 2.2.14.2.10 / 2.2.14.2.11: the lease as it is now. */
	lslen = oplock == SMB2_OPLOCK_LEVEL_LEASE ?
	    lease_response(of, lsdata) : 0;

	msgbuf_put_le16(&r->r_rsp, CREATE_RSP_SIZE);
	msgbuf_put_u8(&r->r_rsp, oplock);
	msgbuf_put_u8(&r->r_rsp, 0);			/* Flags */
	msgbuf_put_le32(&r->r_rsp, action);
	msgbuf_put_le64(&r->r_rsp, now.vs_creation);
	msgbuf_put_le64(&r->r_rsp, now.vs_access);
	msgbuf_put_le64(&r->r_rsp, now.vs_write);
	msgbuf_put_le64(&r->r_rsp, now.vs_change);
	msgbuf_put_le64(&r->r_rsp, now.vs_alloc);
	msgbuf_put_le64(&r->r_rsp, now.vs_size);
	msgbuf_put_le32(&r->r_rsp, now.vs_attrs);
	msgbuf_put_le32(&r->r_rsp, 0);
	msgbuf_put_le64(&r->r_rsp, of->of_persistent);
	msgbuf_put_le64(&r->r_rsp, of->of_volatile);
	ctxstart = msgbuf_reserve(&r->r_rsp, 8);	/* offset, length */
	if (cc.mxac || cc.qfid || cc.dur_len > 0 || lslen > 0) {
		uint8_t data[32];
		size_t first;

		msgbuf_align(&r->r_rsp, 8);
		first = msgbuf_wr_len(&r->r_rsp);
		if (cc.mxac) {
			/* 2.2.14.2.5: QueryStatus, then MaximalAccess. */
			le32enc(data, STATUS_SUCCESS);
			le32enc(data + 4, t->t_max_access);
			put_context(&r->r_rsp, &prev, "MxAc", data, 8);
		}
		if (cc.qfid) {
			/* 2.2.14.2.9: DiskFileId (inode), VolumeId (dev). */
			memset(data, 0, sizeof(data));
			le64enc(data, now.vs_file_id);
			le64enc(data + 8, (uint64_t)now.vs_dev);
			put_context(&r->r_rsp, &prev, "QFid", data, 32);
		}
		if (cc.dur_len > 0)
			put_context(&r->r_rsp, &prev, cc.dur_name, cc.dur_data,
			    (uint32_t)cc.dur_len);
		if (lslen > 0)
			put_context(&r->r_rsp, &prev, "RqLs", lsdata,
			    (uint32_t)lslen);
		msgbuf_patch_le32(&r->r_rsp, ctxstart,
		    (uint32_t)(SMB2_HDR_LEN + first));
		msgbuf_patch_le32(&r->r_rsp, ctxstart + 4,
		    (uint32_t)(msgbuf_wr_len(&r->r_rsp) - first));
	}
	if (msgbuf_wr_len(&r->r_rsp) == CREATE_RSP_SIZE - 1)
		msgbuf_put_u8(&r->r_rsp, 0);	/* the Buffer's one byte */
	return msgbuf_wr_ok(&r->r_rsp) ? STATUS_SUCCESS :
	    STATUS_INSUFFICIENT_RESOURCES;
}

uint32_t
smb2_create(struct smb_req *r)
{
	struct tree *t = r->r_tree;
	struct share *sh = t->t_share;
	struct create_ctx cc;
	struct vfs_stat st;
	struct ofile *of;
	uint32_t imp, access, attrs, share, disp, opts, ctxoff, ctxlen;
	uint32_t status, action, share_st;
	uint16_t nameoff, namelen;
	uint8_t oplock;
	struct fnode *fn;
	const uint8_t *name16 = NULL;
	char path[VFS_PATH_MAX], name[VFS_PATH_MAX * 2];
	bool exists, want_dir, is_dir;
	int flags, fd = -1;

	if (smb2_req_body(r, CREATE_REQ_SIZE) == -1)
		return STATUS_INVALID_PARAMETER;
	msgbuf_skip(&r->r_rd, 1);		/* SecurityFlags */
	oplock = msgbuf_get_u8(&r->r_rd);
	imp = msgbuf_get_le32(&r->r_rd);
	msgbuf_skip(&r->r_rd, 16);		/* SmbCreateFlags, Reserved */
	access = msgbuf_get_le32(&r->r_rd);
	attrs = msgbuf_get_le32(&r->r_rd);
	share = msgbuf_get_le32(&r->r_rd);
	disp = msgbuf_get_le32(&r->r_rd);
	opts = msgbuf_get_le32(&r->r_rd);
	nameoff = msgbuf_get_le16(&r->r_rd);
	namelen = msgbuf_get_le16(&r->r_rd);
	ctxoff = msgbuf_get_le32(&r->r_rd);
	ctxlen = msgbuf_get_le32(&r->r_rd);
	if (!msgbuf_rd_ok(&r->r_rd))
		return STATUS_INVALID_PARAMETER;

	if ((status = parse_contexts(r, ctxoff, ctxlen, &cc)) !=
	    STATUS_SUCCESS)
		return status;
	if ((status = durable_check(&cc.dur)) != STATUS_SUCCESS)
		return status;
	/*
	 * 3.3.5.9.7, 3.3.5.9.12: a reconnect skips path name validation and
	 * the open itself; Windows ignores every other field of such a
	 * request (smb2.durable-open.reopen2 sends nonsense in all of them),
	 * so it is answered before they are checked.
	 */
	if (durable_is_reconnect(&cc.dur)) {
		/* The name matters only to a lease (Lease.Filename). */
		path[0] = '\0';
		if (namelen > 0) {
			msgbuf_seek(&r->r_rd, nameoff);
			name16 = msgbuf_get_ptr(&r->r_rd, namelen);
		}
		if ((status = durable_reconnect(r, &cc.dur, &cc.ls,
		    namelen == 0 || (name16 != NULL && (namelen & 1) == 0 &&
		    vfs_path_from_smb(name16, namelen, path, sizeof(path)) ==
		    STATUS_SUCCESS) ? path : NULL, &of)) != STATUS_SUCCESS)
			return status;
		return create_respond(r, of, FILE_OPENED, of->of_oplock, &cc);
	}

	/* 3.3.5.9: the request's own checks, in the spec's order. */
	if (imp > IMPERSONATION_MAX)
		return STATUS_BAD_IMPERSONATION_LEVEL;
	/* 2.2.13 defines no option above bit 23 (MS-FSA 2.1.5.1). */
	if (opts & ~FILE_VALID_OPTIONS)
		return STATUS_INVALID_PARAMETER;
	if ((opts & FILE_DIRECTORY_FILE) && (opts & FILE_NON_DIRECTORY_FILE))
		return STATUS_INVALID_PARAMETER;
	/* 2.2.13: FILE_OPEN_FOR_FREE_SPACE_QUERY "MUST be ignored". */
	if (opts & FILE_RESERVE_OPFILTER)
		return STATUS_NOT_SUPPORTED;
	if (opts & FILE_OPEN_BY_FILE_ID)
		return STATUS_NOT_SUPPORTED;
	/*
	 * A tree connection made through an open is an SMB1 redirector
	 * notion (2.2.13 "MUST be ignored" by the open itself); Windows
	 * refuses the option with STATUS_NOT_SUPPORTED, and so do we.
	 */
	if (opts & FILE_CREATE_TREE_CONNECTION)
		return STATUS_NOT_SUPPORTED;
	if (disp > FILE_OVERWRITE_IF)
		return STATUS_INVALID_PARAMETER;
	if (access & ACCESS_RESERVED)
		return STATUS_ACCESS_DENIED;
	if (share > (FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE))
		return STATUS_INVALID_PARAMETER;
	if (attrs & ~0x00007fb7u)
		return STATUS_INVALID_PARAMETER;
	if (namelen & 1)
		return STATUS_INVALID_PARAMETER;
	if (namelen > 0) {
		msgbuf_seek(&r->r_rd, nameoff);
		if ((name16 = msgbuf_get_ptr(&r->r_rd, namelen)) == NULL)
			return STATUS_INVALID_PARAMETER;
		/* A name must not start with a separator (3.3.5.9). */
		if (le16dec(name16) == '\\')
			return STATUS_INVALID_PARAMETER;
	}
	if (!(r->r_hdr.h_flags & SMB2_FLAGS_REPLAY_OPERATION) &&
	    (status = durable_replay_check(&cc.dur,
	    r->r_conn->c_client_guid)) != STATUS_SUCCESS)
		return status;
	/* Previous versions are not kept. */
	if (cc.twrp)
		return STATUS_OBJECT_NAME_NOT_FOUND;

	/* IPC$ holds named pipes only (pipe.c). */
	if (sh->sh_type == SHARE_IPC) {
		if ((status = pipe_create(r, name16, namelen, access, share,
		    opts, &of)) != STATUS_SUCCESS)
			return status;
		smb2_req_set_file(r, of);
		return create_respond(r, of, FILE_OPENED,
		    SMB2_OPLOCK_LEVEL_NONE, &cc);
	}

	if (namelen == 0)
		path[0] = '\0';
	else if ((status = vfs_path_from_smb(name16, namelen, path,
	    sizeof(path))) != STATUS_SUCCESS)
		return status;
	snprintf(name, sizeof(name), "%s", path);

	/* MAXIMUM_ALLOWED: what the tree connect allows (3.3.5.9). */
	if (access & MAXIMUM_ALLOWED)
		access = (access & ~MAXIMUM_ALLOWED) | t->t_max_access;
	access = map_generic(access);
	if ((access & ~t->t_max_access) != 0 &&
	    !(access & ACCESS_SYSTEM_SECURITY))
		return STATUS_ACCESS_DENIED;
	if (access & ACCESS_SYSTEM_SECURITY)
		return STATUS_PRIVILEGE_NOT_HELD;
	if ((opts & FILE_DELETE_ON_CLOSE) && !(access & DELETE_ACCESS))
		return STATUS_INVALID_PARAMETER;

	exists = vfs_stat_path(t->t_root, path, &st) == STATUS_SUCCESS;
	/* 3.3.5.9.8, 3.3.5.9.11: is the lease asked for; one key, one file. */
	if ((status = lease_create_check(r->r_conn, &cc.ls, oplock, exists,
	    exists ? st.vs_dev : 0, exists ? st.vs_ino : 0)) != STATUS_SUCCESS)
		return status;
	want_dir = (opts & FILE_DIRECTORY_FILE) != 0;
	if (exists) {
		is_dir = st.vs_is_dir;
		if (disp == FILE_CREATE)
			return STATUS_OBJECT_NAME_COLLISION;
		if (is_dir && (opts & FILE_NON_DIRECTORY_FILE))
			return STATUS_FILE_IS_A_DIRECTORY;
		if (!is_dir && want_dir)
			return STATUS_NOT_A_DIRECTORY;
		if (is_dir && (disp == FILE_OVERWRITE ||
		    disp == FILE_OVERWRITE_IF || disp == FILE_SUPERSEDE))
			return STATUS_INVALID_PARAMETER;
		/* The DOS read-only attribute refuses writes and deletes. */
		if (!is_dir && (st.vs_attrs & FILE_ATTRIBUTE_READONLY)) {
			if (opts & FILE_DELETE_ON_CLOSE)
				return STATUS_CANNOT_DELETE;
			if ((access & (FILE_WRITE_DATA | FILE_APPEND_DATA)) ||
			    (disp != FILE_OPEN && disp != FILE_OPEN_IF))
				return STATUS_ACCESS_DENIED;
		}
		/*
		 * Exclusive and batch oplocks of other opens break first (a
		 * sharing conflict breaks a batch oplock, whose holder may
		 * close); the create then waits and runs again.
		 */
		fn = ofile_fnode_find(st.vs_dev, st.vs_ino);
		share_st = ofile_share_check(fn, access, share);
		status = oplock_break_for_open(r, fn, NULL,
		    disp == FILE_SUPERSEDE || disp == FILE_OVERWRITE ||
		    disp == FILE_OVERWRITE_IF, share_st != STATUS_SUCCESS,
		    access, &cc.ls);
		if (status != STATUS_SUCCESS)
			return status;
		if (share_st != STATUS_SUCCESS)
			return share_st;
		if (is_dir)
			flags = O_RDONLY | O_DIRECTORY;
		else if ((access & (FILE_WRITE_DATA | FILE_APPEND_DATA)) ||
		    (disp != FILE_OPEN && disp != FILE_OPEN_IF))
			flags = O_RDWR;
		else
			flags = O_RDONLY;
		if (!is_dir && (disp == FILE_SUPERSEDE ||
		    disp == FILE_OVERWRITE || disp == FILE_OVERWRITE_IF))
			flags |= O_TRUNC;
		status = vfs_open(t->t_root, path, flags, 0, &fd);
		action = disp == FILE_SUPERSEDE ? FILE_SUPERSEDED :
		    (flags & O_TRUNC) ? FILE_OVERWRITTEN : FILE_OPENED;
	} else {
		if (disp == FILE_OPEN || disp == FILE_OVERWRITE)
			return path[0] == '\0' ? STATUS_OBJECT_NAME_INVALID :
			    vfs_stat_path(t->t_root, path, &st);
		if (sh->sh_read_only || !(t->t_max_access & FILE_ADD_FILE))
			return STATUS_ACCESS_DENIED;
		is_dir = want_dir;
		if (is_dir) {
			status = vfs_mkdir(t->t_root, path, 0755);
			if (status == STATUS_SUCCESS)
				status = vfs_open(t->t_root, path,
				    O_RDONLY | O_DIRECTORY, 0, &fd);
		} else
			status = vfs_open(t->t_root, path, O_RDWR | O_CREAT |
			    O_EXCL, 0644, &fd);
		action = FILE_CREATED;
		/*
		 * New files are ARCHIVE, as on Windows; the attributes asked
		 * for beyond that (hidden, system, read-only) are stored.
		 */
		attrs &= ~(uint32_t)(FILE_ATTRIBUTE_NORMAL |
		    FILE_ATTRIBUTE_DIRECTORY);
		if (!is_dir)
			attrs |= FILE_ATTRIBUTE_ARCHIVE;
		if (status == STATUS_SUCCESS &&
		    (attrs & ~(uint32_t)FILE_ATTRIBUTE_ARCHIVE) != 0)
			(void)vfs_set_info(fd, 0, 0, 0, 0, attrs |
			    (is_dir ? FILE_ATTRIBUTE_DIRECTORY : 0), false);
	}
	if (status != STATUS_SUCCESS)
		return status;
	/*
	 * 2.2.13.2.6: the allocation of a file newly created or overwritten
	 * (superseding is overwriting); 3.3.5.9.3: STATUS_DISK_FULL if the
	 * volume cannot hold it.
	 */
	if (cc.alsi && !is_dir && action != FILE_OPENED &&
	    (status = vfs_allocate(fd, cc.alloc)) != STATUS_SUCCESS) {
		close(fd);
		/* The open failed: nothing it created stays behind. */
		if (action == FILE_CREATED)
			(void)vfs_unlink(t->t_root, path, false);
		return status;
	}

	if ((status = ofile_open(r->r_sess, t, fd, path, name, is_dir, access,
	    share, opts, &of)) != STATUS_SUCCESS)
		return status;
	of->of_delete_on_close = (opts & FILE_DELETE_ON_CLOSE) != 0;
	smb2_req_set_file(r, of);
	oplock = oplock_grant(of, oplock, &cc.ls);
	/* Truncating is writing: level II holders lose their oplock. */
	if (action == FILE_OVERWRITTEN || action == FILE_SUPERSEDED)
		oplock_break_level2(of->of_fnode, of);
	durable_grant(of, &cc.dur, oplock, t->t_share->sh_durable_timeout,
	    server.sv_conf->cf_durable_timeout_max, cc.dur_name, cc.dur_data,
	    &cc.dur_len);
	return create_respond(r, of, action, oplock, &cc);
}

uint32_t
smb2_close(struct smb_req *r)
{
	struct vfs_stat st;
	struct ofile *of;
	uint64_t p, v;
	uint16_t flags;
	uint32_t status;

	if (smb2_req_body(r, CLOSE_REQ_SIZE) == -1)
		return STATUS_INVALID_PARAMETER;
	flags = msgbuf_get_le16(&r->r_rd);
	msgbuf_skip(&r->r_rd, 4);
	p = msgbuf_get_le64(&r->r_rd);
	v = msgbuf_get_le64(&r->r_rd);
	if ((status = smb2_req_file(r, p, v, &of)) != STATUS_SUCCESS)
		return status;
	memset(&st, 0, sizeof(st));
	/* 3.3.5.10: attributes as they are before the close, on request. */
	if (!(flags & SMB2_CLOSE_FLAG_POSTQUERY_ATTRIB) ||
	    vfs_fstat(of->of_fd, &st) != STATUS_SUCCESS) {
		memset(&st, 0, sizeof(st));
		flags &= ~SMB2_CLOSE_FLAG_POSTQUERY_ATTRIB;
	}
	ofile_close(of);
	msgbuf_put_le16(&r->r_rsp, CLOSE_RSP_SIZE);
	msgbuf_put_le16(&r->r_rsp, flags & SMB2_CLOSE_FLAG_POSTQUERY_ATTRIB);
	msgbuf_put_le32(&r->r_rsp, 0);
	msgbuf_put_le64(&r->r_rsp, st.vs_creation);
	msgbuf_put_le64(&r->r_rsp, st.vs_access);
	msgbuf_put_le64(&r->r_rsp, st.vs_write);
	msgbuf_put_le64(&r->r_rsp, st.vs_change);
	msgbuf_put_le64(&r->r_rsp, st.vs_alloc);
	msgbuf_put_le64(&r->r_rsp, st.vs_size);
	msgbuf_put_le32(&r->r_rsp, st.vs_attrs);
	return STATUS_SUCCESS;
}
