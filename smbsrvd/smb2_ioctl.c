/*
 * smb2_ioctl.c — IOCTL (MS-SMB2 3.3.5.15).  The SMB2 core answers
 * FSCTL_VALIDATE_NEGOTIATE_INFO, named pipes FSCTL_PIPE_TRANSCEIVE and
 * FSCTL_PIPE_WAIT (pipe.c), the lifecycle work
 * FSCTL_LMR_REQUEST_RESILIENCY (smb2_resilient.c), server-side copy
 * (smb2_copychunk.c), FSCTL_QUERY_NETWORK_INTERFACE_INFO (smb2_netif.c)
 * FSCTL_GET_REPARSE_POINT and the compression controls (there are no
 * reparse points and no compressed files); other
 * file-system controls are refused cleanly.
 */
#include "ntstatus.h"
#include "ofile.h"
#include "pipe.h"
#include "resilient.h"
#include "share.h"
#include "smb2_copychunk.h"
#include "smb2_negotiate.h"
#include "smb2_netif.h"
#include "smb2_req.h"
#include "tree.h"

#define IOCTL_REQ_SIZE	57
#define IOCTL_RSP_SIZE	49
#define SMB2_0_IOCTL_IS_FSCTL	0x00000001

#define FSCTL_VALIDATE_NEGOTIATE_INFO	0x00140204
/* MS-FSCC 2.3.31, 2.3.15, 2.3.67 */
#define FSCTL_GET_REPARSE_POINT		0x000900A8u
#define FSCTL_GET_COMPRESSION		0x0009003Cu
#define FSCTL_SET_COMPRESSION		0x0009C040u
#define COMPRESSION_FORMAT_NONE		0x0000
#define COMPRESSION_FORMAT_LZNT1	0x0002
#ifndef STATUS_NOT_A_REPARSE_POINT
#define STATUS_NOT_A_REPARSE_POINT	0xC0000275u
#endif
#define VNEG_OUT_LEN			24

/*
 * No file here is compressed, and the volume says it compresses nothing
 * (FILE_FILE_COMPRESSION is not in its attributes).  Even so a client
 * may ask and may ask for "none", as Windows Server answers on ReFS:
 * GET says COMPRESSION_FORMAT_NONE (MS-FSA 2.1.5.9.7), SET of NONE
 * succeeds and changes nothing, SET of a format is STATUS_NOT_SUPPORTED
 * (2.1.5.9.26), each after the checks of its input and access.
 */
static uint32_t
compression(struct ofile *of, uint32_t ctl, struct msgbuf_rd *in,
    uint32_t maxout, struct msgbuf_wr *out)
{
	uint16_t fmt;

	if (of->of_pipe != NULL)
		return STATUS_INVALID_DEVICE_REQUEST;
	if (ctl == FSCTL_GET_COMPRESSION) {
		if (maxout < 2)
			return STATUS_INVALID_PARAMETER;
		msgbuf_put_le16(out, COMPRESSION_FORMAT_NONE);
		return STATUS_SUCCESS;
	}
	fmt = msgbuf_get_le16(in);
	if (!msgbuf_rd_ok(in) || fmt > COMPRESSION_FORMAT_LZNT1)
		return STATUS_INVALID_PARAMETER;
	if ((of->of_access & (FILE_WRITE_DATA | FILE_WRITE_ATTRIBUTES)) !=
	    (FILE_WRITE_DATA | FILE_WRITE_ATTRIBUTES) ||
	    of->of_tree->t_share->sh_read_only)
		return STATUS_ACCESS_DENIED;
	return fmt == COMPRESSION_FORMAT_NONE ? STATUS_SUCCESS :
	    STATUS_NOT_SUPPORTED;
}

uint32_t
smb2_ioctl(struct smb_req *r)
{
	struct msgbuf_rd in;
	struct msgbuf_wr out;
	uint32_t ctl, inoff, inlen, maxout, flags, st;
	uint64_t fid_p, fid_v;
	struct ofile *of;
	bool copy_body = false;

	if (smb2_req_body(r, IOCTL_REQ_SIZE) == -1)
		return STATUS_INVALID_PARAMETER;
	msgbuf_skip(&r->r_rd, 2);		/* Reserved */
	ctl = msgbuf_get_le32(&r->r_rd);
	fid_p = msgbuf_get_le64(&r->r_rd);
	fid_v = msgbuf_get_le64(&r->r_rd);
	inoff = msgbuf_get_le32(&r->r_rd);
	inlen = msgbuf_get_le32(&r->r_rd);
	msgbuf_skip(&r->r_rd, 8);		/* MaxInputResponse, OutputOffset */
	msgbuf_skip(&r->r_rd, 4);		/* OutputCount */
	maxout = msgbuf_get_le32(&r->r_rd);
	flags = msgbuf_get_le32(&r->r_rd);
	if (!msgbuf_rd_ok(&r->r_rd) ||
	    !msgbuf_sub(&r->r_rd, inlen ? inoff : 0, inlen, &in))
		return STATUS_INVALID_PARAMETER;
	/* 3.3.5.15: only FSCTLs are defined over SMB2. */
	if (!(flags & SMB2_0_IOCTL_IS_FSCTL))
		return STATUS_NOT_SUPPORTED;
	(void)fid_p;
	(void)fid_v;
	msgbuf_wr_init(&out, 65536);
	switch (ctl) {
	case FSCTL_VALIDATE_NEGOTIATE_INFO:
		if (maxout < VNEG_OUT_LEN) {
			st = STATUS_INVALID_PARAMETER;
			break;
		}
		st = smb2_validate_negotiate(r, &in, &out);
		break;
	case FSCTL_PIPE_WAIT:
		st = pipe_wait(r, &in);
		break;
	case FSCTL_PIPE_TRANSCEIVE:		/* 3.3.5.15.1 */
		if ((st = smb2_req_file(r, fid_p, fid_v, &of)) ==
		    STATUS_SUCCESS)
			st = pipe_transceive(of, &in, maxout, &out);
		break;
	case FSCTL_LMR_REQUEST_RESILIENCY:
		st = resilient_request(r, fid_p, fid_v, &in);
		break;
	case FSCTL_SRV_REQUEST_RESUME_KEY:
		if ((st = smb2_req_file(r, fid_p, fid_v, &of)) ==
		    STATUS_SUCCESS)
			st = copychunk_resume_key(of, maxout, &out);
		break;
	case FSCTL_SRV_COPYCHUNK:
	case FSCTL_SRV_COPYCHUNK_WRITE:
		if ((st = smb2_req_file(r, fid_p, fid_v, &of)) ==
		    STATUS_SUCCESS)
			st = copychunk_copy(r, of, ctl, &in, maxout, &out);
		/* 3.3.5.15.6.1, 3.3.5.15.6.2: failures with a body. */
		copy_body = msgbuf_wr_len(&out) > 0;
		break;
	case FSCTL_QUERY_NETWORK_INTERFACE_INFO:	/* 3.3.5.15.11 */
		st = netif_query(r, maxout, &out);
		break;
	case FSCTL_GET_COMPRESSION:
	case FSCTL_SET_COMPRESSION:
		if ((st = smb2_req_file(r, fid_p, fid_v, &of)) ==
		    STATUS_SUCCESS)
			st = compression(of, ctl, &in, maxout, &out);
		break;
	case FSCTL_GET_REPARSE_POINT:
		/*
		 * MS-FSA 2.1.5.9.16: a file that is no reparse point, and
		 * smbsrvd shows none (symbolic links are followed or
		 * refused beneath the share, never exposed as such).
		 */
		if ((st = smb2_req_file(r, fid_p, fid_v, &of)) ==
		    STATUS_SUCCESS)
			st = of->of_pipe != NULL ?
			    STATUS_INVALID_DEVICE_REQUEST :
			    STATUS_NOT_A_REPARSE_POINT;
		break;
	default:
		st = STATUS_NOT_SUPPORTED;
		break;
	}
	/* 3.3.4.4: BUFFER_OVERFLOW from a pipe comes with its data. */
	r->r_rsp_keep = st == STATUS_BUFFER_OVERFLOW || copy_body;
	if (st == STATUS_SUCCESS || r->r_rsp_keep) {
		/* 2.2.32: the output follows the 48-byte fixed part. */
		msgbuf_put_le16(&r->r_rsp, IOCTL_RSP_SIZE);
		msgbuf_put_le16(&r->r_rsp, 0);
		msgbuf_put_le32(&r->r_rsp, ctl);
		msgbuf_put_le64(&r->r_rsp, fid_p);
		msgbuf_put_le64(&r->r_rsp, fid_v);
		msgbuf_put_le32(&r->r_rsp, SMB2_HDR_LEN + 48);	/* InputOffset */
		msgbuf_put_le32(&r->r_rsp, 0);			/* InputCount */
		msgbuf_put_le32(&r->r_rsp, SMB2_HDR_LEN + 48);	/* OutputOffset */
		msgbuf_put_le32(&r->r_rsp, (uint32_t)msgbuf_wr_len(&out));
		msgbuf_put_le32(&r->r_rsp, 0);			/* Flags */
		msgbuf_put_le32(&r->r_rsp, 0);			/* Reserved2 */
		msgbuf_put_bytes(&r->r_rsp, out.wr_buf, out.wr_len);
	}
	msgbuf_wr_free(&out);
	return st;
}
