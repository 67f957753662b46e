/*
 * smb2_info.c — QUERY_INFO (MS-SMB2 2.2.37, 2.2.38, 3.3.5.20) and
 * SET_INFO (2.2.39, 2.2.40, 3.3.5.21), and the file information classes
 * of MS-FSCC 2.4 both serve.  File-system classes are in smb2_fsinfo.c,
 * security descriptors in smb2_secinfo.c and secdesc.c; smb2_info.h
 * says how they meet.
 *
 * Buffer sizes follow MS-FSA 2.1.5.12 and Windows as smbtorture's
 * smb2.getinfo.q*_buffercheck records it: below a class's fixed size
 * STATUS_INFO_LENGTH_MISMATCH; a variable part that does not fit is cut
 * at OutputBufferLength with STATUS_BUFFER_OVERFLOW, its length fields
 * still giving the whole length (list entries are left out whole).  The
 * fixed sizes are Windows' sizeof() of each structure, trailing
 * alignment included (104 for FileAllInformation, 32 for
 * FileStreamInformation).
 *
 * Access per class is what MS-SMB2 3.3.5.20.1 / 3.3.5.21.1 and the
 * Windows I/O manager ask: FILE_READ_ATTRIBUTES for Basic, All,
 * NetworkOpen and AttributeTag, FILE_READ_EA for FullEa, nothing for
 * the others; for sets FILE_WRITE_ATTRIBUTES (Basic), DELETE (Rename,
 * Disposition), FILE_WRITE_DATA (Allocation, EndOfFile), FILE_WRITE_EA
 * (FullEa).
 */
#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "lease.h"
#include "log.h"
#include "ntstatus.h"
#include "ofile.h"
#include "pipe.h"
#include "secdesc.h"
#include "server.h"
#include "share.h"
#include "smb2_info.h"
#include "smb2_negotiate.h"
#include "smb2_req.h"
#include "tree.h"
#include "ucs2.h"
#include "vfs.h"

#define QI_REQ_SIZE		41
#define QI_RSP_SIZE		9
#define SI_REQ_SIZE		33
#define SI_RSP_SIZE		2
/* 2.2.38: OutputBufferOffset, the buffer right after the 8-byte body. */
#define QI_RSP_OFFSET		(SMB2_HDR_LEN + 8)
/* Bound on what one class writes: names are at most VFS_PATH_MAX. */
#define QI_OUT_MAX		(64 * 1024)

/* MS-SMB2 2.2.13 CreateOptions that FileModeInformation reports. */
#define FILE_WRITE_THROUGH		0x00000002
#define FILE_SEQUENTIAL_ONLY		0x00000004
#define FILE_NO_INTERMEDIATE_BUFFERING	0x00000008
#define FILE_DELETE_ON_CLOSE		0x00001000

#define SECTOR_SIZE			512
#define RENAME_FIXED_LEN		20	/* up to FileName */

/* ---- decoding (fuzzed by tests/fuzz/fuzz_info.c) ---- */

uint32_t
smb2_info_query_decode(struct msgbuf_rd *rd, struct query_req *q)
{
	uint16_t inoff;

	memset(q, 0, sizeof(*q));
	q->q_type = msgbuf_get_u8(rd);
	q->q_class = msgbuf_get_u8(rd);
	q->q_outlen = msgbuf_get_le32(rd);
	inoff = msgbuf_get_le16(rd);
	msgbuf_skip(rd, 2);			/* Reserved */
	q->q_inlen = msgbuf_get_le32(rd);
	q->q_addl = msgbuf_get_le32(rd);
	q->q_flags = msgbuf_get_le32(rd);
	q->q_fid_p = msgbuf_get_le64(rd);
	q->q_fid_v = msgbuf_get_le64(rd);
	if (!msgbuf_rd_ok(rd))
		return STATUS_INVALID_PARAMETER;
	/* An empty input buffer's offset means nothing. */
	if (q->q_inlen == 0) {
		msgbuf_rd_init(&q->q_in, NULL, 0);
		return STATUS_SUCCESS;
	}
	if (!msgbuf_sub(rd, inoff, q->q_inlen, &q->q_in))
		return STATUS_INVALID_PARAMETER;
	return STATUS_SUCCESS;
}

uint32_t
smb2_info_set_decode(struct msgbuf_rd *rd, struct set_req *s)
{
	uint16_t off;

	memset(s, 0, sizeof(*s));
	s->s_type = msgbuf_get_u8(rd);
	s->s_class = msgbuf_get_u8(rd);
	s->s_buflen = msgbuf_get_le32(rd);
	off = msgbuf_get_le16(rd);
	msgbuf_skip(rd, 2);			/* Reserved */
	s->s_addl = msgbuf_get_le32(rd);
	s->s_fid_p = msgbuf_get_le64(rd);
	s->s_fid_v = msgbuf_get_le64(rd);
	if (!msgbuf_rd_ok(rd))
		return STATUS_INVALID_PARAMETER;
	if (s->s_buflen == 0) {
		msgbuf_rd_init(&s->s_buf, NULL, 0);
		return STATUS_SUCCESS;
	}
	if (!msgbuf_sub(rd, off, s->s_buflen, &s->s_buf))
		return STATUS_INVALID_PARAMETER;
	return STATUS_SUCCESS;
}

/*
 * MS-FSCC 2.4.42.2 FILE_RENAME_INFORMATION_TYPE_2 and the Ex form, whose
 * first 4 bytes are Flags: ReplaceIfExists(1) Reserved(7) (or Flags(4)
 * Reserved(4)), RootDirectory(8), FileNameLength(4), FileName.  MS-FSA
 * 2.1.5.15.11: an empty or odd name, a name past the buffer or a
 * non-zero RootDirectory (never valid over the network) is
 * STATUS_INVALID_PARAMETER.
 */
static uint32_t
decode_rename(uint8_t cls, struct msgbuf_rd *rd, struct set_file *sf)
{
	size_t len = msgbuf_remain(rd);
	uint64_t rootdir;
	uint32_t namelen;

	if (len < RENAME_FIXED_LEN)
		return STATUS_INFO_LENGTH_MISMATCH;
	if (cls == INFO_FILE_RENAME_EX)
		sf->sf_flags = msgbuf_get_le32(rd);
	else
		sf->sf_flags = msgbuf_get_u8(rd) != 0 ?
		    FILE_RENAME_REPLACE_IF_EXISTS : 0;
	msgbuf_skip(rd, cls == INFO_FILE_RENAME_EX ? 4 : 7);	/* Reserved */
	rootdir = msgbuf_get_le64(rd);
	namelen = msgbuf_get_le32(rd);
	if (!msgbuf_rd_ok(rd))
		return STATUS_INFO_LENGTH_MISMATCH;
	if (rootdir != 0 || namelen == 0 || namelen % 2 != 0 ||
	    namelen > len - RENAME_FIXED_LEN)
		return STATUS_INVALID_PARAMETER;
	sf->sf_name = msgbuf_get_ptr(rd, namelen);
	sf->sf_namelen = namelen;
	return sf->sf_name != NULL ? STATUS_SUCCESS : STATUS_INVALID_PARAMETER;
}

/*
 * MS-FSCC 2.4 FILE_FULL_EA_INFORMATION entries: NextEntryOffset(4),
 * Flags(1), EaNameLength(1), EaValueLength(2), EaName and its NUL,
 * EaValue.  Each entry lies inside the buffer, its name is
 * NUL-terminated and non-empty, and NextEntryOffset is a multiple of 4
 * that reaches past the entry (what Windows' IoCheckEaBufferValidity
 * checks); else STATUS_EA_LIST_INCONSISTENT.  Only the number of
 * entries that carry a value is kept: there is nowhere to store them.
 */
static uint32_t
decode_full_ea(struct msgbuf_rd *rd, struct set_file *sf)
{
	struct msgbuf_rd e;
	size_t base = msgbuf_tell(rd), len = msgbuf_remain(rd), pos = 0;
	size_t need;
	uint32_t next;
	uint16_t vlen;
	uint8_t nlen;
	const uint8_t *name;

	for (;;) {
		if (!msgbuf_sub(rd, base + pos, len - pos, &e))
			return STATUS_EA_LIST_INCONSISTENT;
		next = msgbuf_get_le32(&e);
		msgbuf_skip(&e, 1);		/* Flags */
		nlen = msgbuf_get_u8(&e);
		vlen = msgbuf_get_le16(&e);
		name = msgbuf_get_ptr(&e, (size_t)nlen + 1);
		msgbuf_skip(&e, vlen);
		if (!msgbuf_rd_ok(&e) || nlen == 0 || name[nlen] != '\0')
			return STATUS_EA_LIST_INCONSISTENT;
		if (vlen != 0)
			sf->sf_ea_values++;
		if (next == 0)
			return STATUS_SUCCESS;
		need = 8 + (size_t)nlen + 1 + vlen;
		if (next % 4 != 0 || next < need || next >= len - pos)
			return STATUS_EA_LIST_INCONSISTENT;
		pos += next;
	}
}

uint32_t
smb2_info_file_decode(uint8_t cls, struct msgbuf_rd *rd, struct set_file *sf)
{
	size_t len = msgbuf_remain(rd);
	int i;

	memset(sf, 0, sizeof(*sf));
	sf->sf_class = cls;
	switch (cls) {
	case INFO_FILE_BASIC:			/* MS-FSCC 2.4.7 */
		if (len < 40)
			return STATUS_INFO_LENGTH_MISMATCH;
		for (i = 0; i < 4; i++)
			sf->sf_times[i] = msgbuf_get_le64(rd);
		sf->sf_attrs = msgbuf_get_le32(rd);
		break;
	case INFO_FILE_RENAME:
	case INFO_FILE_RENAME_EX:
		return decode_rename(cls, rd, sf);
	case INFO_FILE_DISPOSITION:		/* DeletePending, a BOOLEAN */
		if (len < 1)
			return STATUS_INFO_LENGTH_MISMATCH;
		sf->sf_flags = msgbuf_get_u8(rd) != 0 ?
		    FILE_DISPOSITION_DELETE : 0;
		break;
	case INFO_FILE_DISPOSITION_EX:
		if (len < 4)
			return STATUS_INFO_LENGTH_MISMATCH;
		sf->sf_flags = msgbuf_get_le32(rd);
		break;
	case INFO_FILE_POSITION:
	case INFO_FILE_ALLOCATION:
	case INFO_FILE_END_OF_FILE:
		if (len < 8)
			return STATUS_INFO_LENGTH_MISMATCH;
		sf->sf_value = msgbuf_get_le64(rd);
		break;
	case INFO_FILE_MODE:
		if (len < 4)
			return STATUS_INFO_LENGTH_MISMATCH;
		sf->sf_mode = msgbuf_get_le32(rd);
		break;
	case INFO_FILE_FULL_EA:
		if (len == 0)
			return STATUS_SUCCESS;
		return decode_full_ea(rd, sf);
	default:
		return STATUS_INVALID_INFO_CLASS;
	}
	return msgbuf_rd_ok(rd) ? STATUS_SUCCESS : STATUS_INFO_LENGTH_MISMATCH;
}

/* ---- QUERY_INFO, file classes (MS-FSCC 2.4, MS-FSA 2.1.5.12) ---- */

/*
 * The open's path as SMB names it, UTF-16LE in a new buffer: relative
 * to the share, backslashes, with a leading one if lead ("\" for the
 * root, or "" without).
 */
static uint32_t
path16(const struct ofile *of, bool lead, uint8_t **out, size_t *outlen)
{
	char *s;
	size_t i, n = strlen(of->of_path);
	int rc;

	if ((s = malloc(n + 2)) == NULL)
		return STATUS_INSUFFICIENT_RESOURCES;
	i = 0;
	if (lead)
		s[i++] = '\\';
	memcpy(s + i, of->of_path, n + 1);
	for (; s[i] != '\0'; i++)
		if (s[i] == '/')
			s[i] = '\\';
	rc = ucs2_from_utf8_alloc(s, strlen(s), out, outlen);
	free(s);
	return rc == 0 ? STATUS_SUCCESS : STATUS_OBJECT_NAME_INVALID;
}

/*
 * FileNameLength and FileName (FILE_NAME_INFORMATION).  Cut short by a
 * small buffer, FileNameLength still gives the whole name (MS-FSA).
 */
static uint32_t
put_name(struct info_ctx *x, bool lead)
{
	uint8_t *name;
	size_t len;
	uint32_t st;

	if ((st = path16(x->ix_of, lead, &name, &len)) != STATUS_SUCCESS)
		return st;
	msgbuf_put_le32(&x->ix_out, (uint32_t)len);
	msgbuf_put_bytes(&x->ix_out, name, len);
	free(name);
	return STATUS_SUCCESS;
}

/* FileBasicInformation (MS-FSCC 2.4.7). */
static uint32_t
q_basic(struct info_ctx *x)
{
	struct msgbuf_wr *out = &x->ix_out;

	msgbuf_put_le64(out, x->ix_st.vs_creation);
	msgbuf_put_le64(out, x->ix_st.vs_access);
	msgbuf_put_le64(out, x->ix_st.vs_write);
	msgbuf_put_le64(out, x->ix_st.vs_change);
	msgbuf_put_le32(out, x->ix_st.vs_attrs);
	msgbuf_put_le32(out, 0);		/* Reserved */
	return STATUS_SUCCESS;
}

/*
 * FileStandardInformation: a directory counts one link (Windows has no
 * "." entries), a file whose deletion is pending one link less.
 */
static uint32_t
q_standard(struct info_ctx *x)
{
	struct msgbuf_wr *out = &x->ix_out;
	bool pending = x->ix_of->of_fnode->fn_delete_pending;
	uint32_t nlink = x->ix_st.vs_is_dir ? 1 : x->ix_st.vs_nlink;

	if (pending && nlink > 0)
		nlink--;
	msgbuf_put_le64(out, x->ix_st.vs_alloc);
	msgbuf_put_le64(out, x->ix_st.vs_size);
	msgbuf_put_le32(out, nlink);
	msgbuf_put_u8(out, pending);
	msgbuf_put_u8(out, x->ix_st.vs_is_dir);
	msgbuf_put_le16(out, 0);		/* Reserved */
	return STATUS_SUCCESS;
}

static uint32_t
q_internal(struct info_ctx *x)
{
	msgbuf_put_le64(&x->ix_out, x->ix_st.vs_file_id); /* IndexNumber */
	return STATUS_SUCCESS;
}

/* EaSize: no extended attributes are kept. */
static uint32_t
q_ea(struct info_ctx *x)
{
	msgbuf_put_le32(&x->ix_out, 0);
	return STATUS_SUCCESS;
}

static uint32_t
q_access(struct info_ctx *x)
{
	msgbuf_put_le32(&x->ix_out, x->ix_of->of_access);
	return STATUS_SUCCESS;
}

static uint32_t
q_name(struct info_ctx *x)
{
	return put_name(x, true);
}

static uint32_t
q_position(struct info_ctx *x)
{
	msgbuf_put_le64(&x->ix_out, x->ix_of->of_position);
	return STATUS_SUCCESS;
}

static uint32_t
q_mode(struct info_ctx *x)
{
	const struct ofile *of = x->ix_of;

	msgbuf_put_le32(&x->ix_out, (of->of_create_options &
	    (FILE_WRITE_THROUGH | FILE_SEQUENTIAL_ONLY |
	    FILE_NO_INTERMEDIATE_BUFFERING)) |
	    (of->of_delete_on_close ? FILE_DELETE_ON_CLOSE : 0));
	return STATUS_SUCCESS;
}

/* AlignmentRequirement: FILE_BYTE_ALIGNMENT. */
static uint32_t
q_alignment(struct info_ctx *x)
{
	msgbuf_put_le32(&x->ix_out, 0);
	return STATUS_SUCCESS;
}

/* FileAllInformation: eight structures and the name, back to back. */
static uint32_t
q_all(struct info_ctx *x)
{
	q_basic(x);
	q_standard(x);
	q_internal(x);
	q_ea(x);
	q_access(x);
	q_position(x);
	q_mode(x);
	q_alignment(x);
	return put_name(x, true);
}

/* A name that is its own 8.3 name: 1-8 characters, a dot, 0-3 more. */
static bool
is_8dot3(const char *name)
{
	const char *dot = strchr(name, '.'), *p;
	size_t base, ext;

	if (dot != NULL && strchr(dot + 1, '.') != NULL)
		return false;
	base = dot != NULL ? (size_t)(dot - name) : strlen(name);
	ext = dot != NULL ? strlen(dot + 1) : 0;
	if (base == 0 || base > 8 || ext > 3 || (dot != NULL && ext == 0))
		return false;
	for (p = name; *p != '\0'; p++) {
		if (p == dot)
			continue;
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f ||
		    strchr("\"*+,/:;<=>?[\\]|", *p) != NULL)
			return false;
	}
	return true;
}

/*
 * FileAlternateNameInformation.  No 8.3 names are generated; a name that
 * already is one serves as its own, as on a Windows volume, where such
 * a name is in both name spaces.  For any other name, and for the share
 * root, STATUS_OBJECT_NAME_NOT_FOUND, as Windows answers on a volume
 * without short names.
 */
static uint32_t
q_altname(struct info_ctx *x)
{
	struct msgbuf_wr *out = &x->ix_out;
	const char *path = x->ix_of->of_path, *leaf = strrchr(path, '/');
	uint8_t name16[2 * 12];
	ssize_t n;

	leaf = leaf != NULL ? leaf + 1 : path;
	if (!is_8dot3(leaf) || (n = ucs2_from_utf8(leaf, strlen(leaf),
	    name16, sizeof(name16))) < 0)
		return STATUS_OBJECT_NAME_NOT_FOUND;
	msgbuf_put_le32(out, (uint32_t)n);
	msgbuf_put_bytes(out, name16, (size_t)n);
	return STATUS_SUCCESS;
}

/*
 * FileStreamInformation: a file has its unnamed data stream "::$DATA"
 * and no other; a directory has none.  Entries are returned whole: one
 * that does not fit is left out, with STATUS_BUFFER_OVERFLOW (MS-FSA).
 */
static uint32_t
q_stream(struct info_ctx *x)
{
	struct msgbuf_wr *out = &x->ix_out;
	static const char data[] = "::$DATA";
	size_t i;

	if (x->ix_st.vs_is_dir)
		return STATUS_SUCCESS;
	if (x->ix_outlen < 24 + 2 * (sizeof(data) - 1))
		return STATUS_BUFFER_OVERFLOW;
	msgbuf_put_le32(out, 0);		/* NextEntryOffset */
	msgbuf_put_le32(out, 2 * (sizeof(data) - 1));
	msgbuf_put_le64(out, x->ix_st.vs_size);
	msgbuf_put_le64(out, x->ix_st.vs_alloc);
	for (i = 0; i < sizeof(data) - 1; i++)
		msgbuf_put_le16(out, (uint16_t)data[i]);
	return STATUS_SUCCESS;
}

static uint32_t
q_compression(struct info_ctx *x)
{
	struct msgbuf_wr *out = &x->ix_out;

	msgbuf_put_le64(out, x->ix_st.vs_size);	/* CompressedFileSize */
	msgbuf_put_le16(out, 0);		/* COMPRESSION_FORMAT_NONE */
	msgbuf_put_zero(out, 3 + 3);	/* shifts, Reserved */
	return STATUS_SUCCESS;
}

static uint32_t
q_netopen(struct info_ctx *x)
{
	struct msgbuf_wr *out = &x->ix_out;

	msgbuf_put_le64(out, x->ix_st.vs_creation);
	msgbuf_put_le64(out, x->ix_st.vs_access);
	msgbuf_put_le64(out, x->ix_st.vs_write);
	msgbuf_put_le64(out, x->ix_st.vs_change);
	msgbuf_put_le64(out, x->ix_st.vs_alloc);
	msgbuf_put_le64(out, x->ix_st.vs_size);
	msgbuf_put_le32(out, x->ix_st.vs_attrs);
	msgbuf_put_le32(out, 0);		/* Reserved */
	return STATUS_SUCCESS;
}

static uint32_t
q_attrtag(struct info_ctx *x)
{
	struct msgbuf_wr *out = &x->ix_out;

	msgbuf_put_le32(out, x->ix_st.vs_attrs);
	msgbuf_put_le32(out, 0);		/* ReparseTag: none */
	return STATUS_SUCCESS;
}

/*
 * FileNormalizedNameInformation: the path without a leading backslash
 * (the root's is empty), for 3.1.1 only (MS-SMB2 3.3.5.20.1).
 */
static uint32_t
q_normalized(struct info_ctx *x)
{
	if (x->ix_req->r_conn->c_dialect < SMB2_DIALECT_311)
		return STATUS_NOT_SUPPORTED;
	return put_name(x, false);
}

/* FileFullEaInformation: there are none. */
static uint32_t
q_full_ea(struct info_ctx *x)
{
	(void)x;
	return STATUS_NO_EAS_ON_FILE;
}

static const struct info_class file_classes[] = {
	{ INFO_FILE_BASIC, 40, FILE_READ_ATTRIBUTES, q_basic },
	{ INFO_FILE_STANDARD, 24, 0, q_standard },
	{ INFO_FILE_INTERNAL, 8, 0, q_internal },
	{ INFO_FILE_EA, 4, 0, q_ea },
	{ INFO_FILE_ACCESS, 4, 0, q_access },
	{ INFO_FILE_NAME, 8, 0, q_name },
	{ INFO_FILE_POSITION, 8, 0, q_position },
	{ INFO_FILE_FULL_EA, 12, FILE_READ_EA, q_full_ea },
	{ INFO_FILE_MODE, 4, 0, q_mode },
	{ INFO_FILE_ALIGNMENT, 4, 0, q_alignment },
	{ INFO_FILE_ALL, 104, FILE_READ_ATTRIBUTES, q_all },
	{ INFO_FILE_ALTERNATE_NAME, 8, 0, q_altname },
	{ INFO_FILE_STREAM, 32, 0, q_stream },
	{ INFO_FILE_COMPRESSION, 16, 0, q_compression },
	{ INFO_FILE_NETWORK_OPEN, 56, FILE_READ_ATTRIBUTES, q_netopen },
	{ INFO_FILE_ATTRIBUTE_TAG, 8, FILE_READ_ATTRIBUTES, q_attrtag },
	{ INFO_FILE_NORMALIZED_NAME, 8, 0, q_normalized },
};

static const struct info_class *
file_class(uint8_t cls)
{
	size_t i;

	for (i = 0; i < sizeof(file_classes) / sizeof(file_classes[0]); i++)
		if (file_classes[i].ic_class == cls)
			return &file_classes[i];
	return NULL;
}

/*
 * 2.2.38: the response, the data cut at OutputBufferLength.  st is
 * STATUS_BUFFER_OVERFLOW if the class already left out what did not
 * fit.
 */
uint32_t
smb2_info_reply(struct smb_req *r, const uint8_t *data, size_t len,
    uint32_t outlen, uint32_t st)
{
	if (len > outlen) {
		len = outlen;
		st = STATUS_BUFFER_OVERFLOW;	/* 3.3.4.4: with the body */
	}
	msgbuf_put_le16(&r->r_rsp, QI_RSP_SIZE);
	msgbuf_put_le16(&r->r_rsp, QI_RSP_OFFSET);
	msgbuf_put_le32(&r->r_rsp, (uint32_t)len);
	msgbuf_put_bytes(&r->r_rsp, data, len);
	if (len == 0)
		msgbuf_put_u8(&r->r_rsp, 0);	/* the Buffer's one byte */
	if (!msgbuf_wr_ok(&r->r_rsp))
		return STATUS_INSUFFICIENT_RESOURCES;
	r->r_rsp_keep = st == STATUS_BUFFER_OVERFLOW;
	return st;
}

/* One class of a table: access, size, the structure, the reply. */
static uint32_t
query_class(struct smb_req *r, struct ofile *of, const struct info_class *ic,
    uint32_t outlen)
{
	struct info_ctx x;
	uint32_t status;

	if (ic == NULL)
		return STATUS_INVALID_INFO_CLASS;
	if ((of->of_access & ic->ic_access) != ic->ic_access)
		return STATUS_ACCESS_DENIED;
	if (outlen < ic->ic_min)
		return STATUS_INFO_LENGTH_MISMATCH;
	x.ix_req = r;
	x.ix_of = of;
	x.ix_outlen = outlen;
	if ((status = vfs_fstat(of->of_fd, &x.ix_st)) != STATUS_SUCCESS)
		return status;
	msgbuf_wr_init(&x.ix_out, QI_OUT_MAX);
	status = ic->ic_fn(&x);
	if (!msgbuf_wr_ok(&x.ix_out))
		status = STATUS_INSUFFICIENT_RESOURCES;
	if (status == STATUS_SUCCESS || status == STATUS_BUFFER_OVERFLOW)
		status = smb2_info_reply(r, x.ix_out.wr_buf, x.ix_out.wr_len,
		    outlen, status);
	msgbuf_wr_free(&x.ix_out);
	return status;
}

uint32_t
smb2_query_info(struct smb_req *r)
{
	struct query_req q;
	struct ofile *of;
	uint32_t st, max = r->r_conn->c_max_transact;

	if (smb2_req_body(r, QI_REQ_SIZE) == -1)
		return STATUS_INVALID_PARAMETER;
	if ((st = smb2_info_query_decode(&r->r_rd, &q)) != STATUS_SUCCESS)
		return st;
	if ((st = smb2_req_file(r, q.q_fid_p, q.q_fid_v, &of)) !=
	    STATUS_SUCCESS)
		return st;
	if (of->of_pipe != NULL)
		return pipe_query_info(r, of, q.q_type, q.q_class, q.q_outlen);
	/* 3.3.5.20: neither buffer may exceed MaxTransactSize. */
	if (q.q_outlen > max || q.q_inlen > max)
		return STATUS_INVALID_PARAMETER;
	switch (q.q_type) {
	case SMB2_0_INFO_FILE:
		return query_class(r, of, file_class(q.q_class), q.q_outlen);
	case SMB2_0_INFO_FILESYSTEM:
		return query_class(r, of, smb2_fsinfo_class(q.q_class),
		    q.q_outlen);
	case SMB2_0_INFO_SECURITY:
		return smb2_query_security(r, of, &q);
	case SMB2_0_INFO_QUOTA:
		return STATUS_NOT_SUPPORTED;	/* no quotas are kept */
	default:
		return STATUS_INVALID_PARAMETER;
	}
}

/* ---- SET_INFO, file classes (MS-FSCC 2.4, MS-FSA 2.1.5.15) ---- */

static uint32_t
set_basic(struct ofile *of, const struct set_file *sf)
{
	uint64_t change = sf->sf_times[3];
	uint32_t st;

	/* 0, -1 and -2 leave a time, below -2 is invalid: vfs_set_info. */
	if ((st = vfs_set_info(of->of_fd, sf->sf_times[0], sf->sf_times[1],
	    sf->sf_times[2], change, sf->sf_attrs, of->of_user_set_change)) !=
	    STATUS_SUCCESS)
		return st;
	/*
	 * MS-FSA 2.1.5.14.2: an open that sets ChangeTime (or -1, stop
	 * updating it) keeps it from moving with its own later changes;
	 * -2 resumes.
	 */
	if (change == UINT64_MAX - 1)
		of->of_user_set_change = false;
	else if (change != 0)
		of->of_user_set_change = true;
	return STATUS_SUCCESS;
}

/*
 * After a rename every open that named the file, or something beneath
 * it when it is a directory, by the old path through the same share
 * names it by the new one: delete on close and later renames act on the
 * right name.  Opens of the same folder through another share keep
 * their path.
 */
static void
rename_opens(const struct share *sh, const char *from, const char *to)
{
	struct ofile *o;
	size_t flen = strlen(from);
	char *p;

	TAILQ_FOREACH(o, &server.sv_opens, of_global_entry) {
		if (o->of_tree == NULL || o->of_tree->t_share != sh ||
		    strncmp(o->of_path, from, flen) != 0 ||
		    (o->of_path[flen] != '\0' && o->of_path[flen] != '/'))
			continue;
		if (asprintf(&p, "%s%s", to, o->of_path + flen) == -1) {
			log_warnx("open %u: no memory for renamed path \"%s\"",
			    o->of_global_id, to);
			continue;
		}
		free(o->of_path);
		o->of_path = p;
	}
}

/*
 * Windows opens the directory a rename puts the name in, for adding a
 * file (or a subdirectory) and sharing read and write, before it renames
 * (SL_OPEN_TARGET_DIRECTORY).  The share-mode check of that open (MS-FSA
 * 2.1.5.1.2) against the directory's opens refuses a rename into a
 * directory someone holds open with DELETE access, or without sharing
 * write: STATUS_SHARING_VIOLATION, as smbtorture's smb2.rename records.
 */
static uint32_t
target_dir_check(const struct ofile *of, const char *to)
{
	struct vfs_stat st;
	const char *slash = strrchr(to, '/');
	char parent[VFS_PATH_MAX];
	size_t n = slash != NULL ? (size_t)(slash - to) : 0;

	memcpy(parent, to, n);
	parent[n] = '\0';
	/* A missing directory is vfs_rename()'s to report. */
	if (vfs_stat_path(of->of_root, parent, &st) != STATUS_SUCCESS)
		return STATUS_SUCCESS;
	return ofile_share_check(ofile_fnode_find(st.vs_dev, st.vs_ino),
	    of->of_is_dir ? FILE_ADD_SUBDIRECTORY : FILE_ADD_FILE,
	    FILE_SHARE_READ | FILE_SHARE_WRITE);
}

/*
 * FileRenameInformation(Ex), MS-FSA 2.1.5.15.11: the new name is
 * relative to the share root.  A target that exists is a collision
 * unless replacing; a directory, an open file, or (unless told to ignore
 * it) a read-only file is never replaced (STATUS_ACCESS_DENIED, MS-FSCC
 * 2.4.42).  Unlike Windows, a directory with open files beneath it may
 * be renamed: Linux allows it, and the opens follow (rename_opens()).
 */
static uint32_t
set_rename(struct ofile *of, const struct set_file *sf)
{
	struct vfs_stat tst;
	struct fnode *fn;
	char to[VFS_PATH_MAX], *from;
	bool replace = (sf->sf_flags & FILE_RENAME_REPLACE_IF_EXISTS) != 0;
	uint32_t st;

	if ((st = vfs_path_from_smb(sf->sf_name, sf->sf_namelen, to,
	    sizeof(to))) != STATUS_SUCCESS)
		return st == STATUS_BUFFER_TOO_SMALL ?
		    STATUS_OBJECT_NAME_INVALID : st;
	if (to[0] == '\0')
		return STATUS_INVALID_PARAMETER;
	if (of->of_path[0] == '\0')
		return STATUS_ACCESS_DENIED;	/* the share root */
	if ((st = target_dir_check(of, to)) != STATUS_SUCCESS)
		return st;
	if (strcmp(to, of->of_path) == 0)
		return STATUS_SUCCESS;
	/*
	 * Other keys' leases lose handle caching (smb2.lease.v2_rename).
	 * Windows makes the rename wait for the acknowledgment
	 * (smb2.lease.rename_wait); SET_INFO cannot go async yet, so it
	 * goes on at once.
	 */
	(void)lease_break_for_open(of->of_fnode, of->of_lease, false, true);
	if (vfs_stat_path(of->of_root, to, &tst) == STATUS_SUCCESS) {
		if (!replace)
			return STATUS_OBJECT_NAME_COLLISION;
		if (tst.vs_is_dir)
			return STATUS_ACCESS_DENIED;
		/*
		 * Not even with FILE_RENAME_POSIX_SEMANTICS: those opens
		 * would go on naming, and deleting on close, the new file.
		 */
		fn = ofile_fnode_find(tst.vs_dev, tst.vs_ino);
		if (fn != NULL && fn != of->of_fnode &&
		    !TAILQ_EMPTY(&fn->fn_opens))
			return STATUS_ACCESS_DENIED;
		if ((tst.vs_attrs & FILE_ATTRIBUTE_READONLY) &&
		    !(sf->sf_flags & FILE_RENAME_IGNORE_READONLY_ATTRIBUTE))
			return STATUS_ACCESS_DENIED;
	}
	/* rename_opens() replaces of_path itself: keep the old one. */
	if ((from = strdup(of->of_path)) == NULL)
		return STATUS_INSUFFICIENT_RESOURCES;
	if ((st = vfs_rename(of->of_root, from, to, replace)) ==
	    STATUS_SUCCESS) {
		log_debug("open %u: renamed \"%s\" to \"%s\"",
		    of->of_global_id, from, to);
		rename_opens(of->of_tree->t_share, from, to);
	}
	free(from);
	return st;
}

/* True if the directory open of lists anything besides "." and "..". */
static uint32_t
dir_empty(struct ofile *of, bool *empty)
{
	struct vfs_dir *d;
	struct vfs_stat st;
	char name[VFS_NAME_MAX + 1];
	uint32_t status;

	*empty = true;
	if ((status = vfs_dir_open(of->of_fd, &d)) != STATUS_SUCCESS)
		return status;
	while ((status = vfs_dir_next(d, name, sizeof(name), &st)) ==
	    STATUS_SUCCESS) {
		if (strcmp(name, ".") != 0 && strcmp(name, "..") != 0) {
			*empty = false;
			break;
		}
	}
	vfs_dir_close(d);
	return status == STATUS_NO_MORE_FILES || status == STATUS_SUCCESS ?
	    STATUS_SUCCESS : status;
}

/*
 * FileDispositionInformation and its Ex form (MS-FSA 2.1.5.15).
 * Delete pending belongs to the file (every open sees it, the last
 * close deletes); FILE_DISPOSITION_ON_CLOSE sets or clears this open's
 * delete on close instead.  Setting it: the share root, and (unless told
 * to ignore it) a read-only file, are STATUS_CANNOT_DELETE, a directory
 * with entries STATUS_DIRECTORY_NOT_EMPTY.  POSIX semantics (the name
 * goes when this handle closes, while other opens stay) would need
 * ofile_close() to unlink early: STATUS_NOT_SUPPORTED, the file system
 * lacks it.  (Samba 4.17 refuses the whole Ex class; clients then use
 * the plain one.)
 */
static uint32_t
set_disposition(struct ofile *of, const struct set_file *sf)
{
	struct vfs_stat st;
	uint32_t status, f = sf->sf_flags;
	bool empty;

	if (f & ~(FILE_DISPOSITION_DELETE | FILE_DISPOSITION_POSIX_SEMANTICS |
	    FILE_DISPOSITION_FORCE_IMAGE_SECTION_CHECK |
	    FILE_DISPOSITION_ON_CLOSE |
	    FILE_DISPOSITION_IGNORE_READONLY_ATTRIBUTE))
		return STATUS_INVALID_PARAMETER;
	if (f & FILE_DISPOSITION_POSIX_SEMANTICS)
		return STATUS_NOT_SUPPORTED;
	if (f & FILE_DISPOSITION_DELETE) {
		if (of->of_path[0] == '\0')
			return STATUS_CANNOT_DELETE;
		if ((status = vfs_fstat(of->of_fd, &st)) != STATUS_SUCCESS)
			return status;
		if ((st.vs_attrs & FILE_ATTRIBUTE_READONLY) &&
		    !(f & FILE_DISPOSITION_IGNORE_READONLY_ATTRIBUTE))
			return STATUS_CANNOT_DELETE;
		if (st.vs_is_dir) {
			if ((status = dir_empty(of, &empty)) != STATUS_SUCCESS)
				return status;
			if (!empty)
				return STATUS_DIRECTORY_NOT_EMPTY;
		}
	}
	if (f & FILE_DISPOSITION_ON_CLOSE)
		of->of_delete_on_close = (f & FILE_DISPOSITION_DELETE) != 0;
	else if (f & FILE_DISPOSITION_DELETE)
		ofile_set_delete_pending(of->of_fnode);
	else
		of->of_fnode->fn_delete_pending = false;
	return STATUS_SUCCESS;
}

/*
 * FilePositionInformation (MS-FSA 2.1.5.15): not negative, and
 * sector-aligned on an open without intermediate buffering.
 */
static uint32_t
set_position(struct ofile *of, const struct set_file *sf)
{
	if (sf->sf_value > (uint64_t)INT64_MAX ||
	    ((of->of_create_options & FILE_NO_INTERMEDIATE_BUFFERING) &&
	    sf->sf_value % SECTOR_SIZE != 0))
		return STATUS_INVALID_PARAMETER;
	of->of_position = sf->sf_value;
	return STATUS_SUCCESS;
}

/*
 * FileModeInformation: of what it may hold, write through and sequential
 * only can change on an open; anything else is STATUS_INVALID_PARAMETER
 * (MS-FSA 2.1.5.15; SMB2 opens are never synchronous-I/O opens).
 */
static uint32_t
set_mode(struct ofile *of, const struct set_file *sf)
{
	uint32_t keep = FILE_WRITE_THROUGH | FILE_SEQUENTIAL_ONLY;

	if (sf->sf_mode & ~keep)
		return STATUS_INVALID_PARAMETER;
	of->of_create_options = (of->of_create_options & ~keep) |
	    sf->sf_mode;
	return STATUS_SUCCESS;
}

/*
 * FileAllocationInformation (MS-FSA 2.1.5.15): an allocation below the
 * end of file truncates the file to it.
 */
static uint32_t
set_allocation(struct ofile *of, const struct set_file *sf)
{
	struct vfs_stat st;
	uint32_t status;

	if (of->of_is_dir || sf->sf_value > (uint64_t)INT64_MAX)
		return STATUS_INVALID_PARAMETER;
	if ((status = vfs_fstat(of->of_fd, &st)) != STATUS_SUCCESS)
		return status;
	if (sf->sf_value < st.vs_size &&
	    (status = vfs_truncate(of->of_fd, sf->sf_value)) != STATUS_SUCCESS)
		return status;
	return vfs_allocate(of->of_fd, sf->sf_value);
}

static uint32_t
set_eof(struct ofile *of, const struct set_file *sf)
{
	if (of->of_is_dir || sf->sf_value > (uint64_t)INT64_MAX)
		return STATUS_INVALID_PARAMETER;
	return vfs_truncate(of->of_fd, sf->sf_value);
}

/* EAs are not kept: a list that only deletes (empty values) is a no-op. */
static uint32_t
set_full_ea(struct ofile *of, const struct set_file *sf)
{
	(void)of;
	return sf->sf_ea_values == 0 ? STATUS_SUCCESS :
	    STATUS_EAS_NOT_SUPPORTED;
}

struct set_class {
	uint8_t		 sc_class;
	uint32_t	 sc_access;
	bool		 sc_writes;	/* refused on a read-only share */
	uint32_t	(*sc_fn)(struct ofile *, const struct set_file *);
};

static const struct set_class set_classes[] = {
	{ INFO_FILE_BASIC, FILE_WRITE_ATTRIBUTES, true, set_basic },
	{ INFO_FILE_RENAME, DELETE_ACCESS, true, set_rename },
	{ INFO_FILE_LINK, 0, true, NULL },	/* no hard links */
	{ INFO_FILE_DISPOSITION, DELETE_ACCESS, true, set_disposition },
	{ INFO_FILE_POSITION, 0, false, set_position },
	{ INFO_FILE_FULL_EA, FILE_WRITE_EA, true, set_full_ea },
	{ INFO_FILE_MODE, 0, false, set_mode },
	{ INFO_FILE_ALLOCATION, FILE_WRITE_DATA, true, set_allocation },
	{ INFO_FILE_END_OF_FILE, FILE_WRITE_DATA, true, set_eof },
	{ INFO_FILE_DISPOSITION_EX, DELETE_ACCESS, true, set_disposition },
	{ INFO_FILE_RENAME_EX, DELETE_ACCESS, true, set_rename },
};

static uint32_t
set_file(struct ofile *of, struct set_req *s)
{
	const struct set_class *sc = NULL;
	struct set_file sf;
	uint32_t st;
	size_t i;

	for (i = 0; i < sizeof(set_classes) / sizeof(set_classes[0]); i++)
		if (set_classes[i].sc_class == s->s_class)
			sc = &set_classes[i];
	if (sc == NULL)
		return STATUS_INVALID_INFO_CLASS;
	if (sc->sc_fn == NULL)
		return STATUS_NOT_SUPPORTED;
	if ((of->of_access & sc->sc_access) != sc->sc_access)
		return STATUS_ACCESS_DENIED;
	if (sc->sc_writes && of->of_tree->t_share->sh_read_only)
		return STATUS_ACCESS_DENIED;
	if ((st = smb2_info_file_decode(s->s_class, &s->s_buf, &sf)) !=
	    STATUS_SUCCESS)
		return st;
	return sc->sc_fn(of, &sf);
}

uint32_t
smb2_set_info(struct smb_req *r)
{
	struct set_req s;
	struct ofile *of;
	uint32_t st;

	if (smb2_req_body(r, SI_REQ_SIZE) == -1)
		return STATUS_INVALID_PARAMETER;
	if ((st = smb2_info_set_decode(&r->r_rd, &s)) != STATUS_SUCCESS)
		return st;
	if ((st = smb2_req_file(r, s.s_fid_p, s.s_fid_v, &of)) !=
	    STATUS_SUCCESS)
		return st;
	/* 3.3.5.21, in the spec's order. */
	if (s.s_buflen > r->r_conn->c_max_transact || s.s_buflen == 0)
		return STATUS_INVALID_PARAMETER;
	if (of->of_pipe != NULL) {
		if ((st = pipe_set_info(s.s_type, s.s_class)) != 0)
			return st;
		msgbuf_put_le16(&r->r_rsp, SI_RSP_SIZE);
		return STATUS_SUCCESS;
	}
	switch (s.s_type) {
	case SMB2_0_INFO_FILE:
		st = set_file(of, &s);
		break;
	case SMB2_0_INFO_FILESYSTEM:
		st = smb2_fsinfo_set(s.s_class);
		break;
	case SMB2_0_INFO_SECURITY:
		st = smb2_set_security(of, &s);
		break;
	case SMB2_0_INFO_QUOTA:
		st = STATUS_NOT_SUPPORTED;
		break;
	default:
		st = STATUS_INVALID_PARAMETER;
		break;
	}
	if (st != STATUS_SUCCESS)
		return st;
	msgbuf_put_le16(&r->r_rsp, SI_RSP_SIZE);
	return msgbuf_wr_ok(&r->r_rsp) ? STATUS_SUCCESS :
	    STATUS_INSUFFICIENT_RESOURCES;
}
