/*
 * smb2_query_dir.c — QUERY_DIRECTORY (MS-SMB2 2.2.33, 2.2.34, 3.3.5.18)
 * and the directory information classes of MS-FSCC 2.4 it answers with.
 *
 * An open keeps its listing (of_dir, vfs_dir_open() at its first query)
 * and its search pattern (of_dir_pattern) from one request to the next;
 * ofile_close() frees both.  A request makes one forward pass over the
 * listing: each name is matched against the pattern (fsmatch.c, MS-FSA
 * 2.1.4.4) and the matches are encoded until the client's buffer is
 * full; the entry that does not fit is put back for the next request.
 *
 * When no entry fits at all the answer is STATUS_INFO_LENGTH_MISMATCH
 * and the entry waits for a retry with a bigger buffer, as Samba does.
 * MS-FSA 2.1.5.6.3 asks for that status when the buffer is "less than
 * the size needed to return a single entry", but its algorithm goes on
 * to hand out a first entry whose name does not fit cut short, with
 * STATUS_BUFFER_OVERFLOW.  MS-SMB2 3.3.4.4 does not let a QUERY_DIRECTORY
 * response carry a body with that status, so over SMB2 the client would
 * get nothing and the entry would be lost.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "fsmatch.h"
#include "ntstatus.h"
#include "ofile.h"
#include "smb2_req.h"
#include "ucs2.h"
#include "vfs.h"

#define QDIR_REQ_SIZE		33
#define QDIR_RSP_SIZE		9
/* 2.2.34: the entries follow the header and the 8-byte fixed part. */
#define QDIR_DATA_OFF		(SMB2_HDR_LEN + 8)
/* 2.2.33 Flags */
#define SMB2_RESTART_SCANS		0x01
#define SMB2_RETURN_SINGLE_ENTRY	0x02
#define SMB2_INDEX_SPECIFIED		0x04
#define SMB2_REOPEN			0x10

/* MS-FSCC 2.4 information classes that 2.2.33 allows. */
#define FILE_DIRECTORY_INFORMATION		1
#define FILE_FULL_DIRECTORY_INFORMATION		2
#define FILE_BOTH_DIRECTORY_INFORMATION		3
#define FILE_NAMES_INFORMATION			12
#define FILE_ID_BOTH_DIRECTORY_INFORMATION	37
#define FILE_ID_FULL_DIRECTORY_INFORMATION	38

/*
 * FieldOffset(FileName), the fixed part of an entry of each class:
 * MS-FSCC 2.4.10, 2.4.14, 2.4.8, 2.4.32, 2.4.17, 2.4.18.  0: a class
 * QUERY_DIRECTORY does not answer.
 */
static size_t
qdir_base(uint8_t class)
{
	switch (class) {
	case FILE_DIRECTORY_INFORMATION:
		return 64;
	case FILE_FULL_DIRECTORY_INFORMATION:
		return 68;
	case FILE_BOTH_DIRECTORY_INFORMATION:
		return 94;
	case FILE_NAMES_INFORMATION:
		return 12;
	case FILE_ID_BOTH_DIRECTORY_INFORMATION:
		return 104;
	case FILE_ID_FULL_DIRECTORY_INFORMATION:
		return 80;
	}
	return 0;
}

/*
 * One entry as MS-FSA 2.1.5.6.3.1-2.1.5.6.3.6 fill it in, laid out as
 * MS-FSCC 2.4 says, with NextEntryOffset 0 (the caller links entries).
 * No 8.3 names (ShortNameLength 0) and no extended attributes (EaSize 0);
 * FileIndex is 0, as NTFS has it.
 */
static void
qdir_put_entry(struct msgbuf_wr *wr, uint8_t class, const struct vfs_stat *st,
    const uint8_t *name16, size_t len16)
{
	msgbuf_put_le32(wr, 0);			/* NextEntryOffset */
	msgbuf_put_le32(wr, 0);			/* FileIndex */
	if (class == FILE_NAMES_INFORMATION) {
		msgbuf_put_le32(wr, (uint32_t)len16);
		msgbuf_put_bytes(wr, name16, len16);
		return;
	}
	msgbuf_put_le64(wr, st->vs_creation);
	msgbuf_put_le64(wr, st->vs_access);
	msgbuf_put_le64(wr, st->vs_write);
	msgbuf_put_le64(wr, st->vs_change);
	msgbuf_put_le64(wr, st->vs_size);	/* EndOfFile */
	msgbuf_put_le64(wr, st->vs_alloc);	/* AllocationSize */
	msgbuf_put_le32(wr, st->vs_attrs);
	msgbuf_put_le32(wr, (uint32_t)len16);	/* FileNameLength */
	if (class != FILE_DIRECTORY_INFORMATION)
		msgbuf_put_le32(wr, 0);		/* EaSize */
	switch (class) {
	case FILE_BOTH_DIRECTORY_INFORMATION:
		/* ShortNameLength, Reserved1, ShortName[24] */
		msgbuf_put_zero(wr, 1 + 1 + 24);
		break;
	case FILE_ID_BOTH_DIRECTORY_INFORMATION:
		msgbuf_put_zero(wr, 1 + 1 + 24 + 2);	/* ... Reserved2 */
		msgbuf_put_le64(wr, st->vs_file_id);
		break;
	case FILE_ID_FULL_DIRECTORY_INFORMATION:
		msgbuf_put_le32(wr, 0);		/* Reserved */
		msgbuf_put_le64(wr, st->vs_file_id);
		break;
	}
	msgbuf_put_bytes(wr, name16, len16);
}

/*
 * The request's search pattern into *out (NULL if empty; free() it).
 * Names cannot hold '\' or '/' (MS-FSCC 2.1.5.2), so a pattern with one
 * is refused, as Samba refuses it.
 */
static uint32_t
qdir_pattern(struct smb_req *r, uint16_t off, uint16_t len, char **out)
{
	struct msgbuf_rd sub;
	const uint8_t *p;

	*out = NULL;
	if (len == 0)
		return STATUS_SUCCESS;
	if ((len & 1) || !msgbuf_sub(&r->r_rd, off, len, &sub) ||
	    (p = msgbuf_get_ptr(&sub, len)) == NULL)
		return STATUS_INVALID_PARAMETER;
	/* A character is at most two UTF-16 units. */
	if (len > 4 * FSMATCH_PATTERN_MAX)
		return STATUS_OBJECT_NAME_INVALID;
	if (ucs2_to_utf8_alloc(p, len, out, NULL) == -1)
		return errno == ENOMEM ? STATUS_INSUFFICIENT_RESOURCES :
		    STATUS_OBJECT_NAME_INVALID;
	if (strpbrk(*out, "\\/") != NULL) {
		free(*out);
		*out = NULL;
		return STATUS_OBJECT_NAME_INVALID;
	}
	return STATUS_SUCCESS;
}

/*
 * Where the enumeration of of continues, per 3.3.5.18 and MS-FSA
 * 2.1.5.6.3: the first query of an open (or one with SMB2_REOPEN) sets
 * the pattern, "*" if empty; SMB2_RESTART_SCANS starts over, with the
 * request's pattern if it has one; a continuation that names another
 * pattern starts over with it too.  A continuation with the same or no
 * pattern goes on where the last one stopped.  SMB2_INDEX_SPECIFIED is
 * ignored, as Windows ignores it (entries carry FileIndex 0).
 * *first tells whether an empty result is STATUS_NO_SUCH_FILE.
 */
static uint32_t
qdir_position(struct ofile *of, uint8_t flags, const char *pattern,
    struct fsmatch **fm, bool *first)
{
	const char *use;
	char *keep = NULL;
	bool restart;
	uint32_t st;

	*first = of->of_dir_pattern == NULL || (flags & SMB2_REOPEN);
	restart = (flags & (SMB2_RESTART_SCANS | SMB2_REOPEN)) != 0;
	if (*first)
		use = pattern != NULL ? pattern : "*";
	else if (pattern != NULL && strcmp(pattern, of->of_dir_pattern) != 0) {
		use = pattern;
		restart = true;
	} else
		use = of->of_dir_pattern;
	/* Everything that can fail before the open changes. */
	if ((*fm = fsmatch_compile(use)) == NULL)
		return errno == ENAMETOOLONG ? STATUS_OBJECT_NAME_INVALID :
		    STATUS_INSUFFICIENT_RESOURCES;
	if (use != of->of_dir_pattern && (keep = strdup(use)) == NULL) {
		st = STATUS_INSUFFICIENT_RESOURCES;
		goto fail;
	}
	if (of->of_dir == NULL) {
		if ((st = vfs_dir_open(of->of_fd, &of->of_dir)) !=
		    STATUS_SUCCESS)
			goto fail;
	} else if (restart || *first)
		vfs_dir_rewind(of->of_dir);
	if (keep != NULL) {
		free(of->of_dir_pattern);
		of->of_dir_pattern = keep;
	}
	return STATUS_SUCCESS;
fail:
	free(keep);
	fsmatch_free(*fm);
	*fm = NULL;
	return st;
}

uint32_t
smb2_query_directory(struct smb_req *r)
{
	struct vfs_stat vs;
	struct fsmatch *fm;
	struct ofile *of;
	char *pattern, name[VFS_NAME_MAX + 1];
	uint8_t class, flags, name16[2 * VFS_NAME_MAX];
	uint16_t off, len;
	uint32_t outlen, st;
	uint64_t p, v;
	size_t base, at, end = 0, last = 0, count = 0;
	ssize_t n16;
	bool first, full = false;

	if (smb2_req_body(r, QDIR_REQ_SIZE) == -1)
		return STATUS_INVALID_PARAMETER;
	class = msgbuf_get_u8(&r->r_rd);
	flags = msgbuf_get_u8(&r->r_rd);
	msgbuf_skip(&r->r_rd, 4);		/* FileIndex */
	p = msgbuf_get_le64(&r->r_rd);
	v = msgbuf_get_le64(&r->r_rd);
	off = msgbuf_get_le16(&r->r_rd);
	len = msgbuf_get_le16(&r->r_rd);
	outlen = msgbuf_get_le32(&r->r_rd);
	if (!msgbuf_rd_ok(&r->r_rd))
		return STATUS_INVALID_PARAMETER;
	if ((st = smb2_req_file(r, p, v, &of)) != STATUS_SUCCESS)
		return st;
	/* 3.3.5.18, in its order. */
	if (!of->of_is_dir)
		return STATUS_INVALID_PARAMETER;
	if (outlen > r->r_conn->c_max_transact ||
	    !smb2_req_charge_ok(r, outlen))
		return STATUS_INVALID_PARAMETER;
	/* Then MS-FSA 2.1.5.6 and 2.1.5.6.3.x for the object store's part. */
	if ((base = qdir_base(class)) == 0)
		return STATUS_INVALID_INFO_CLASS;
	if (!(of->of_access & FILE_LIST_DIRECTORY))
		return STATUS_ACCESS_DENIED;
	if ((st = qdir_pattern(r, off, len, &pattern)) != STATUS_SUCCESS)
		return st;
	if (outlen < base) {
		free(pattern);
		return STATUS_INFO_LENGTH_MISMATCH;
	}
	st = qdir_position(of, flags, pattern, &fm, &first);
	free(pattern);
	if (st != STATUS_SUCCESS)
		return st;

	msgbuf_put_le16(&r->r_rsp, QDIR_RSP_SIZE);
	msgbuf_put_le16(&r->r_rsp, QDIR_DATA_OFF);
	msgbuf_put_le32(&r->r_rsp, 0);		/* OutputBufferLength */
	/*
	 * end: bytes of entries so far; last: where the last one starts.
	 * Each entry starts 8-aligned and must fit whole; the padding
	 * after the last one is not sent (MS-FSCC 2.4).
	 */
	while ((st = vfs_dir_next(of->of_dir, name, sizeof(name), &vs)) ==
	    STATUS_SUCCESS) {
		if (!fsmatch_match(fm, name))
			continue;
		/* vfs lists only names SMB can carry; be safe anyway. */
		if ((n16 = ucs2_from_utf8(name, strlen(name), name16,
		    sizeof(name16))) < 0)
			continue;
		at = count == 0 ? 0 : (end + 7) & ~(size_t)7;
		if (at + base + (size_t)n16 > outlen) {
			vfs_dir_unget(of->of_dir);
			full = true;
			break;
		}
		msgbuf_put_zero(&r->r_rsp, at - end);
		if (count > 0)
			msgbuf_patch_le32(&r->r_rsp, 8 + last,
			    (uint32_t)(at - last));
		qdir_put_entry(&r->r_rsp, class, &vs, name16, (size_t)n16);
		last = at;
		end = at + base + (size_t)n16;
		count++;
		if (flags & SMB2_RETURN_SINGLE_ENTRY)
			break;
	}
	fsmatch_free(fm);
	/*
	 * What was found goes out even if the listing failed after it; a
	 * directory that cannot be read fails the next request again.
	 */
	if (count == 0) {
		if (full)
			return STATUS_INFO_LENGTH_MISMATCH;
		if (st == STATUS_NO_MORE_FILES && first)
			return STATUS_NO_SUCH_FILE;
		return st;
	}
	msgbuf_patch_le32(&r->r_rsp, 4, (uint32_t)end);
	return msgbuf_wr_ok(&r->r_rsp) ? STATUS_SUCCESS :
	    STATUS_INSUFFICIENT_RESOURCES;
}
