/*
 * smb2.h — SMB2 wire constants and the decoded packet header
 * (MS-SMB2 2.2.1).  Headers are decoded field by field through msgbuf,
 * never cast onto the buffer.
 */
#ifndef SMBSRVD_SMB2_H
#define SMBSRVD_SMB2_H

#include <stdint.h>

#include "msgbuf.h"

#define SMB2_HDR_LEN		64
#define SMB2_PROTO_ID		0x424d53feu	/* FE 'S' 'M' 'B' */
#define SMB2_TRANSFORM_ID	0x424d53fdu	/* FD 'S' 'M' 'B' */
#define SMB2_COMPRESSION_ID	0x424d53fcu	/* FC 'S' 'M' 'B' */
#define SMB1_PROTO_ID		0x424d53ffu	/* FF 'S' 'M' 'B' */

enum smb2_cmd {
	SMB2_NEGOTIATE = 0x00,
	SMB2_SESSION_SETUP = 0x01,
	SMB2_LOGOFF = 0x02,
	SMB2_TREE_CONNECT = 0x03,
	SMB2_TREE_DISCONNECT = 0x04,
	SMB2_CREATE = 0x05,
	SMB2_CLOSE = 0x06,
	SMB2_FLUSH = 0x07,
	SMB2_READ = 0x08,
	SMB2_WRITE = 0x09,
	SMB2_LOCK = 0x0a,
	SMB2_IOCTL = 0x0b,
	SMB2_CANCEL = 0x0c,
	SMB2_ECHO = 0x0d,
	SMB2_QUERY_DIRECTORY = 0x0e,
	SMB2_CHANGE_NOTIFY = 0x0f,
	SMB2_QUERY_INFO = 0x10,
	SMB2_SET_INFO = 0x11,
	SMB2_OPLOCK_BREAK = 0x12,
	SMB2_NCOMMANDS = 0x13
};

#define SMB2_FLAGS_SERVER_TO_REDIR	0x00000001u
#define SMB2_FLAGS_ASYNC_COMMAND	0x00000002u
#define SMB2_FLAGS_RELATED_OPERATIONS	0x00000004u
#define SMB2_FLAGS_SIGNED		0x00000008u
#define SMB2_FLAGS_PRIORITY_MASK	0x00000070u
#define SMB2_FLAGS_DFS_OPERATIONS	0x10000000u
#define SMB2_FLAGS_REPLAY_OPERATION	0x20000000u

struct smb2_hdr {
	uint16_t	h_credit_charge;
	uint32_t	h_status;	/* request: ChannelSequence+Reserved */
	uint16_t	h_command;
	uint16_t	h_credits;	/* CreditRequest / CreditResponse */
	uint32_t	h_flags;
	uint32_t	h_next;		/* NextCommand */
	uint64_t	h_mid;		/* MessageId */
	uint64_t	h_async_id;	/* ASYNC form only */
	uint32_t	h_reserved;	/* SYNC form: Reserved (echoed) */
	uint32_t	h_tree_id;	/* SYNC form only */
	uint64_t	h_session_id;
	uint8_t		h_signature[16];
};

/* Decodes 64 bytes at the reader's position; -1 if short or not SMB2. */
int		 smb2_hdr_decode(struct msgbuf_rd *, struct smb2_hdr *);
void		 smb2_hdr_encode(struct msgbuf_wr *, const struct smb2_hdr *);
const char	*smb2_cmd_name(uint16_t);

#endif
