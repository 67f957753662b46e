/*
 * smb2_rw.c — READ (MS-SMB2 3.3.5.12), WRITE (3.3.5.13), FLUSH (3.3.5.11).
 *
 * Data moves between the file and the message buffer directly: READ
 * reserves the response's data area and preads into it.
 */
#include <string.h>

#include "brlock.h"
#include "conn.h"
#include "ntstatus.h"
#include "ofile.h"
#include "oplock.h"
#include "pipe.h"
#include "share.h"
#include "smb2_req.h"
#include "tree.h"
#include "vfs.h"

#define READ_REQ_SIZE	49
#define READ_RSP_SIZE	17
#define WRITE_REQ_SIZE	49
#define WRITE_RSP_SIZE	17
#define FLUSH_REQ_SIZE	24
#define FLUSH_RSP_SIZE	4

#define SMB2_WRITEFLAG_WRITE_THROUGH	0x00000001
#define SMB2_CHANNEL_NONE		0x00000000

uint32_t
smb2_read(struct smb_req *r)
{
	struct ofile *of;
	uint32_t len, mincount, channel, status;
	uint64_t off, p, v;
	size_t at, done;

	if (smb2_req_body(r, READ_REQ_SIZE) == -1)
		return STATUS_INVALID_PARAMETER;
	msgbuf_skip(&r->r_rd, 2);		/* Padding, Flags */
	len = msgbuf_get_le32(&r->r_rd);
	off = msgbuf_get_le64(&r->r_rd);
	p = msgbuf_get_le64(&r->r_rd);
	v = msgbuf_get_le64(&r->r_rd);
	mincount = msgbuf_get_le32(&r->r_rd);
	channel = msgbuf_get_le32(&r->r_rd);
	if (!msgbuf_rd_ok(&r->r_rd))
		return STATUS_INVALID_PARAMETER;
	if ((status = smb2_req_file(r, p, v, &of)) != STATUS_SUCCESS)
		return status;
	/* 3.3.5.12, in order. */
	if (len > r->r_conn->c_max_read || !smb2_req_charge_ok(r, len) ||
	    channel != SMB2_CHANNEL_NONE)
		return STATUS_INVALID_PARAMETER;
	if (of->of_pipe != NULL)
		return pipe_read(r, of, len);
	if (of->of_is_dir)
		return STATUS_INVALID_DEVICE_REQUEST;
	if (!(of->of_access & (FILE_READ_DATA | FILE_EXECUTE)))
		return STATUS_ACCESS_DENIED;
	/*
	 * MS-FSA 2.1.5.2: a range ending past MAXLONGLONG is invalid, even
	 * where it lies wholly beyond the end of file (so this comes before
	 * STATUS_END_OF_FILE).
	 */
	if (off > INT64_MAX || len > INT64_MAX - off)
		return STATUS_INVALID_PARAMETER;
	/* MS-FSA 2.1.4.10: other opens' exclusive locks keep reads out. */
	if ((status = brlock_check_io(of, off, len, false)) != STATUS_SUCCESS)
		return status;

	msgbuf_put_le16(&r->r_rsp, READ_RSP_SIZE);
	msgbuf_put_u8(&r->r_rsp, SMB2_HDR_LEN + 16);	/* DataOffset */
	msgbuf_put_u8(&r->r_rsp, 0);
	msgbuf_put_le32(&r->r_rsp, 0);			/* DataLength */
	msgbuf_put_le32(&r->r_rsp, 0);			/* DataRemaining */
	msgbuf_put_le32(&r->r_rsp, 0);
	if ((at = msgbuf_reserve(&r->r_rsp, len)) == (size_t)-1)
		return STATUS_INSUFFICIENT_RESOURCES;
	status = vfs_pread(of->of_fd, r->r_rsp.wr_buf + at, len, off, &done);
	if (status != STATUS_SUCCESS)
		return status;
	/* 3.3.5.12: nothing, or less than MinimumCount, is end of file. */
	if ((done == 0 && len > 0) || done < mincount)
		return STATUS_END_OF_FILE;
	msgbuf_truncate(&r->r_rsp, at + done);
	msgbuf_patch_le32(&r->r_rsp, 4, (uint32_t)done);
	if (done == 0)
		msgbuf_put_u8(&r->r_rsp, 0);	/* the Buffer's one byte */
	of->of_position = off + done;
	return STATUS_SUCCESS;
}

uint32_t
smb2_write(struct smb_req *r)
{
	struct ofile *of;
	const uint8_t *data;
	uint32_t len, channel, flags, status;
	uint16_t dataoff;
	uint64_t off, p, v;
	struct vfs_stat st;
	size_t done;

	if (smb2_req_body(r, WRITE_REQ_SIZE) == -1)
		return STATUS_INVALID_PARAMETER;
	dataoff = msgbuf_get_le16(&r->r_rd);
	len = msgbuf_get_le32(&r->r_rd);
	off = msgbuf_get_le64(&r->r_rd);
	p = msgbuf_get_le64(&r->r_rd);
	v = msgbuf_get_le64(&r->r_rd);
	channel = msgbuf_get_le32(&r->r_rd);
	msgbuf_skip(&r->r_rd, 4 + 4);		/* Remaining, channel info */
	flags = msgbuf_get_le32(&r->r_rd);
	if (!msgbuf_rd_ok(&r->r_rd))
		return STATUS_INVALID_PARAMETER;
	if ((status = smb2_req_file(r, p, v, &of)) != STATUS_SUCCESS)
		return status;
	if (len > r->r_conn->c_max_write || !smb2_req_charge_ok(r, len) ||
	    channel != SMB2_CHANNEL_NONE)
		return STATUS_INVALID_PARAMETER;
	msgbuf_seek(&r->r_rd, dataoff);
	if ((data = msgbuf_get_ptr(&r->r_rd, len)) == NULL && len > 0)
		return STATUS_INVALID_PARAMETER;
	if (of->of_pipe != NULL)
		return pipe_write(r, of, data, len);
	if (of->of_is_dir)
		return STATUS_INVALID_DEVICE_REQUEST;
	if (!(of->of_access & (FILE_WRITE_DATA | FILE_APPEND_DATA)) ||
	    of->of_tree->t_share->sh_read_only)
		return STATUS_ACCESS_DENIED;
	/* 2.2.21: all ones means "at the end" for an append-only open. */
	if (off == UINT64_MAX) {
		if ((of->of_access & FILE_WRITE_DATA) ||
		    (status = vfs_fstat(of->of_fd, &st)) != STATUS_SUCCESS)
			return STATUS_INVALID_PARAMETER;
		off = st.vs_size;
	} else if (off > INT64_MAX || len > INT64_MAX - off)
		return STATUS_INVALID_PARAMETER;
	/* MS-FSA 2.1.5.4: no byte may land beyond VFS_MAXFILESIZE. */
	if (len > 0 && off + len > VFS_MAXFILESIZE)
		return STATUS_INVALID_PARAMETER;
	/*
	 * MS-FSA 2.1.4.10: other opens' exclusive locks and every open's
	 * shared locks keep writes out.
	 */
	if ((status = brlock_check_io(of, off, len, true)) != STATUS_SUCCESS)
		return status;
	if (len > 0 && ((status = vfs_extend_check(of->of_fd, off)) !=
	    STATUS_SUCCESS || (status = vfs_pwrite(of->of_fd, data, len, off,
	    &done)) != STATUS_SUCCESS))
		return status;
	if (len == 0)
		done = 0;
	/* MS-FSA 2.1.5.3: a write breaks the level II oplocks of others. */
	oplock_break_level2(of->of_fnode, of);
	if ((flags & SMB2_WRITEFLAG_WRITE_THROUGH) ||
	    (of->of_create_options & 0x00000002))	/* WRITE_THROUGH */
		(void)vfs_fsync(of->of_fd);
	of->of_position = off + done;
	msgbuf_put_le16(&r->r_rsp, WRITE_RSP_SIZE);
	msgbuf_put_le16(&r->r_rsp, 0);
	msgbuf_put_le32(&r->r_rsp, (uint32_t)done);
	msgbuf_put_le32(&r->r_rsp, 0);
	msgbuf_put_le32(&r->r_rsp, 0);
	msgbuf_put_u8(&r->r_rsp, 0);			/* pad to 17 */
	return STATUS_SUCCESS;
}

uint32_t
smb2_flush(struct smb_req *r)
{
	struct ofile *of;
	uint64_t p, v;
	uint32_t status;

	if (smb2_req_body(r, FLUSH_REQ_SIZE) == -1)
		return STATUS_INVALID_PARAMETER;
	msgbuf_skip(&r->r_rd, 6);
	p = msgbuf_get_le64(&r->r_rd);
	v = msgbuf_get_le64(&r->r_rd);
	if ((status = smb2_req_file(r, p, v, &of)) != STATUS_SUCCESS)
		return status;
	/* 3.3.5.11: flushing needs the right to write. */
	if (!(of->of_access & (FILE_WRITE_DATA | FILE_APPEND_DATA)))
		return STATUS_ACCESS_DENIED;
	if (!of->of_is_dir && (status = vfs_fsync(of->of_fd)) !=
	    STATUS_SUCCESS)
		return status;
	msgbuf_put_le16(&r->r_rsp, FLUSH_RSP_SIZE);
	msgbuf_put_le16(&r->r_rsp, 0);
	return STATUS_SUCCESS;
}
