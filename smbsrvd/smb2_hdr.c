/*
 * smb2_hdr.c — the SMB2 packet header (MS-SMB2 2.2.1).
 */
#include "smb2.h"

int
smb2_hdr_decode(struct msgbuf_rd *rd, struct smb2_hdr *h)
{
	uint32_t proto;
	uint16_t size;

	proto = msgbuf_get_le32(rd);
	size = msgbuf_get_le16(rd);
	h->h_credit_charge = msgbuf_get_le16(rd);
	h->h_status = msgbuf_get_le32(rd);
	h->h_command = msgbuf_get_le16(rd);
	h->h_credits = msgbuf_get_le16(rd);
	h->h_flags = msgbuf_get_le32(rd);
	h->h_next = msgbuf_get_le32(rd);
	h->h_mid = msgbuf_get_le64(rd);
	/* 2.2.1.1 ASYNC: AsyncId (8); 2.2.1.2 SYNC: Reserved (4), TreeId (4). */
	if (h->h_flags & SMB2_FLAGS_ASYNC_COMMAND) {
		h->h_async_id = msgbuf_get_le64(rd);
		h->h_reserved = 0;
		h->h_tree_id = 0;
	} else {
		h->h_async_id = 0;
		h->h_reserved = msgbuf_get_le32(rd);
		h->h_tree_id = msgbuf_get_le32(rd);
	}
	h->h_session_id = msgbuf_get_le64(rd);
	msgbuf_get_bytes(rd, h->h_signature, sizeof(h->h_signature));
	if (!msgbuf_rd_ok(rd) || proto != SMB2_PROTO_ID ||
	    size != SMB2_HDR_LEN)
		return -1;
	return 0;
}

void
smb2_hdr_encode(struct msgbuf_wr *wr, const struct smb2_hdr *h)
{
	msgbuf_put_le32(wr, SMB2_PROTO_ID);
	msgbuf_put_le16(wr, SMB2_HDR_LEN);
	msgbuf_put_le16(wr, h->h_credit_charge);
	msgbuf_put_le32(wr, h->h_status);
	msgbuf_put_le16(wr, h->h_command);
	msgbuf_put_le16(wr, h->h_credits);
	msgbuf_put_le32(wr, h->h_flags);
	msgbuf_put_le32(wr, h->h_next);
	msgbuf_put_le64(wr, h->h_mid);
	if (h->h_flags & SMB2_FLAGS_ASYNC_COMMAND)
		msgbuf_put_le64(wr, h->h_async_id);
	else {
		msgbuf_put_le32(wr, h->h_reserved);
		msgbuf_put_le32(wr, h->h_tree_id);
	}
	msgbuf_put_le64(wr, h->h_session_id);
	msgbuf_put_bytes(wr, h->h_signature, sizeof(h->h_signature));
}

const char *
smb2_cmd_name(uint16_t cmd)
{
	static const char *const names[SMB2_NCOMMANDS] = {
		"NEGOTIATE", "SESSION_SETUP", "LOGOFF", "TREE_CONNECT",
		"TREE_DISCONNECT", "CREATE", "CLOSE", "FLUSH", "READ", "WRITE",
		"LOCK", "IOCTL", "CANCEL", "ECHO", "QUERY_DIRECTORY",
		"CHANGE_NOTIFY", "QUERY_INFO", "SET_INFO", "OPLOCK_BREAK"
	};

	return cmd < SMB2_NCOMMANDS ? names[cmd] : "UNKNOWN";
}
