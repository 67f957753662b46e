/*
 * smb2_req.h — one SMB2 request as a handler sees it.
 *
 * The dispatcher (smb2_dispatch.c) decodes the header, checks the message
 * id and credits, finds and holds the session and tree the command table
 * asks for, verifies the signature, and then calls the handler.  The
 * handler decodes its body from r_rd (offsets in the body are from the
 * start of r_buf, the SMB2 header, as the spec's are), acts, writes its
 * response body into r_rsp and returns an NTSTATUS.  For an error status
 * the dispatcher discards r_rsp and sends an ERROR response, except for
 * the statuses MS-SMB2 3.3.4.4 lets carry a real body (r_rsp_keep).
 */
#ifndef SMBSRVD_SMB2_REQ_H
#define SMBSRVD_SMB2_REQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "msgbuf.h"
#include "smb2.h"

struct chain_state;
struct conn;
struct smb2_async;
struct ofile;
struct session;
struct tree;

struct smb_req {
	struct conn		*r_conn;
	struct smb2_hdr		 r_hdr;
	const uint8_t		*r_buf;		/* header + body of this one */
	size_t			 r_len;
	struct msgbuf_rd	 r_rd;		/* over r_buf, at the body */
	bool			 r_encrypted;	/* arrived in a transform */
	bool			 r_signed;	/* signature checked good */
	struct session		*r_sess;	/* held, or NULL */
	struct tree		*r_tree;	/* held, or NULL */
	struct ofile		*r_open;	/* held by smb2_req_file() */
	struct chain_state	*r_chain;	/* the compound it is part of */
	bool			 r_last;	/* last of its compound */
	struct smb2_async	*r_async;	/* went async (smb2_async.h) */
	uint64_t		 r_start_ns;	/* reqstats_start() on arrival */

	/* Response. */
	struct msgbuf_wr	 r_rsp;		/* body */
	bool			 r_rsp_keep;	/* send r_rsp with an error */
	uint64_t		 r_rsp_session_id;
	uint32_t		 r_rsp_tree_id;
	bool			 r_rsp_sign;	/* force signing (3.3.5.5.3) */
	bool			 r_rsp_nosign;	/* never sign (guest final) */
	bool			 r_rsp_encrypt;
	bool			 r_no_response;	/* CANCEL */
	bool			 r_disconnect;	/* close after this */
	/* 3.1.1: hash the response bytes into this hash once built. */
	uint8_t			*r_preauth_rsp;
};

/* What the command table says a command needs before its handler runs. */
#define SMB2_NEED_SESSION	0x01	/* a session in a usable state */
#define SMB2_NEED_TREE		0x02	/* a tree connect of that session */
#define SMB2_NEED_NEGOTIATED	0x04

typedef uint32_t	(*smb2_handler)(struct smb_req *);

/* Handlers, one file per command group. */
uint32_t	smb2_negotiate(struct smb_req *);
uint32_t	smb2_session_setup(struct smb_req *);
uint32_t	smb2_logoff(struct smb_req *);
uint32_t	smb2_tree_connect(struct smb_req *);
uint32_t	smb2_tree_disconnect(struct smb_req *);
uint32_t	smb2_echo(struct smb_req *);
uint32_t	smb2_ioctl(struct smb_req *);

/*
 * The SMB1 negotiate that upgrades to SMB2 (MS-SMB2 3.3.5.3.1); msg is
 * the whole SMB1 message.  Sends its own response; -1 to disconnect.
 */
int		smb2_negotiate_smb1(struct conn *, const uint8_t *msg,
		    size_t len);

/* Checks StructureSize and moves r_rd to the body; -1 if wrong. */
int		smb2_req_body(struct smb_req *, uint16_t structure_size);
/*
 * The open a request names by FileId (3.3.5.2.7.2 for related compounds:
 * all-ones means the FileId the previous request made or used, and the
 * previous request's failure is this one's).  The open is held in
 * r_open for the rest of the request.  STATUS_FILE_CLOSED if unknown.
 */
uint32_t	smb2_req_file(struct smb_req *, uint64_t persistent,
		    uint64_t vol, struct ofile **);
/*
 * 3.3.5.2.5: a multi-credit request moving len bytes must be charged at
 * least one credit per 64 KiB (CreditCharge 0 counts as 1).
 */
bool		smb2_req_charge_ok(const struct smb_req *, uint32_t len);
/* CREATE: the FileId later related requests of the chain inherit. */
void		smb2_req_set_file(struct smb_req *, struct ofile *);

/*
 * Runs handler fn again for the async request a from its saved bytes
 * (an oplock break it waited for has ended), then completes a with what
 * fn answers, unless fn made it wait again.
 */
void		smb2_req_resume(struct smb2_async *, const uint8_t *buf,
		    size_t len, smb2_handler fn);

/* Handlers of the file layer. */
uint32_t	smb2_create(struct smb_req *);
uint32_t	smb2_close(struct smb_req *);
uint32_t	smb2_flush(struct smb_req *);
uint32_t	smb2_read(struct smb_req *);
uint32_t	smb2_write(struct smb_req *);
uint32_t	smb2_lock(struct smb_req *);
uint32_t	smb2_query_directory(struct smb_req *);
uint32_t	smb2_query_info(struct smb_req *);
uint32_t	smb2_set_info(struct smb_req *);
uint32_t	smb2_change_notify(struct smb_req *);
/*
 * ofile_close(): the open's waiting CHANGE_NOTIFY requests end with
 * STATUS_NOTIFY_CLEANUP and its watch goes (smb2_notify.c).
 */
void		smb2_notify_close(struct ofile *);
/*
 * ofile_close(): the file of this (other) open became delete-pending;
 * its waiting CHANGE_NOTIFY requests end with STATUS_DELETE_PENDING.
 */
void		smb2_notify_delete_pending(struct ofile *);

#endif
