/*
 * smb2_echo.c — ECHO (MS-SMB2 3.3.5.17).
 */
#include "ntstatus.h"
#include "smb2_req.h"

#define ECHO_SIZE	4

uint32_t
smb2_echo(struct smb_req *r)
{
	if (smb2_req_body(r, ECHO_SIZE) == -1)
		return STATUS_INVALID_PARAMETER;
	msgbuf_put_le16(&r->r_rsp, ECHO_SIZE);
	msgbuf_put_le16(&r->r_rsp, 0);
	return STATUS_SUCCESS;
}
