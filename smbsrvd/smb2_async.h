/*
 * smb2_async.h — requests that complete later (MS-SMB2 3.3.4.2, 3.3.5.16).
 *
 * A handler that must wait (a blocking lock, a change notification, a
 * create waiting for an oplock break) calls smb2_async_start() and
 * returns STATUS_PENDING.  The dispatcher then sends the interim
 * response: Status STATUS_PENDING, SMB2_FLAGS_ASYNC_COMMAND and the
 * AsyncId (3.3.4.2).  Later the owner calls smb2_async_complete() with the
 * final status and body, which goes out with the same AsyncId.
 *
 * CANCEL (3.3.5.16) finds the request by AsyncId (async form) or by
 * MessageId (sync form, before the interim response was seen) and calls
 * its cancel function, which must complete it (usually with
 * STATUS_CANCELLED).  When the connection goes, every pending request is
 * dropped without a response: its drop function runs so the owner lets
 * go of it.
 *
 * The final answer goes into the request statistics (reqstats.h) with
 * the time since the request arrived; a cancelled one is counted apart,
 * a dropped one not at all.
 *
 * A struct smb2_async is owned by the connection's list until completed
 * or dropped; owners keep only the pointer and must forget it in their
 * drop function.
 */
#ifndef SMBSRVD_SMB2_ASYNC_H
#define SMBSRVD_SMB2_ASYNC_H

#include <stdbool.h>
#include <stdint.h>

#include "msgbuf.h"
#include "queue.h"
#include "smb2.h"

struct conn;
struct smb_req;
struct smb2_async;

typedef void	(*smb2_async_fn)(struct smb2_async *, void *arg);

struct smb2_async {
	TAILQ_ENTRY(smb2_async)	 as_entry;	/* conn c_async */
	struct conn		*as_conn;
	struct smb2_hdr		 as_hdr;	/* the request's header */
	uint64_t		 as_async_id;
	bool			 as_encrypted;	/* answer sealed */
	bool			 as_signed;	/* answer signed */
	bool			 as_cancelled;
	smb2_async_fn		 as_cancel;	/* CANCEL arrived */
	smb2_async_fn		 as_drop;	/* connection gone */
	void			*as_arg;
	uint64_t		 as_start_ns;	/* the request's r_start_ns */
};
TAILQ_HEAD(smb2_async_list, smb2_async);

/*
 * Turns r into a pending request; the handler then returns
 * STATUS_PENDING.  NULL (no memory, or r is not the last of its
 * compound) means it must finish now.
 */
struct smb2_async *smb2_async_start(struct smb_req *, smb2_async_fn cancel,
		    smb2_async_fn drop, void *arg);
/*
 * Sends the final response (body may be NULL for an error status) and
 * frees a.  Safe to call from a cancel function.
 */
void		 smb2_async_complete(struct smb2_async *, uint32_t status,
		    const struct msgbuf_wr *body);
/* CANCEL: 0 if a request was found and told. */
int		 smb2_async_cancel(struct conn *, const struct smb2_hdr *);
/* The connection is gone: drop everything pending on it. */
void		 smb2_async_conn_gone(struct conn *);

#endif
