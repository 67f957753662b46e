/*
 * conn.h — one transport connection: Direct-TCP framing and buffers.
 *
 * A Direct-TCP SMB2 message is a 4-byte header (a zero byte and a 24-bit
 * big-endian length, MS-SMB2 2.1) followed by that many bytes.  The
 * connection reads whole messages into their own buffer, bounded by
 * CONN_MAX_MSG, and hands each to the protocol (conn_msg_fn).  Output is a
 * queue of whole messages written as the socket allows; while more than
 * CONN_OUT_HIGH bytes wait, the connection stops reading (back-pressure).
 */
#ifndef SMBSRVD_CONN_H
#define SMBSRVD_CONN_H

#include <sys/socket.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "loop.h"
#include "queue.h"
#include "idtab.h"
#include "timer.h"

/* MaxWrite of 8 MiB + headers + a TRANSFORM_HEADER, with room to spare. */
#define CONN_MAX_MSG		(8u * 1024 * 1024 + 64 * 1024)
#define CONN_OUT_HIGH		(4u * CONN_MAX_MSG)
#define CONN_OUT_LOW		(CONN_MAX_MSG)
/* A new connection must deliver a first whole message within this. */
#define CONN_FIRST_MSG_MS	30000
#define CONN_MAGIC		0x434f4e4eu	/* "CONN" */

enum conn_state {
	CONN_LIVE,		/* reading and writing */
	CONN_CLOSING,		/* no more input; flushing output, then DEAD */
	CONN_DEAD		/* socket closed, free queued */
};

struct conn_out {
	TAILQ_ENTRY(conn_out)	 co_entry;
	uint8_t			 co_frame[4];	/* Direct-TCP header */
	uint8_t			*co_buf;	/* owned message */
	size_t			 co_len;
	size_t			 co_off;	/* bytes of frame+message sent */
};

struct conn {
	uint32_t		 c_magic;
	TAILQ_ENTRY(conn)	 c_entry;	/* server.sv_conns */
	uint64_t		 c_id;
	enum conn_state		 c_state;
	int			 c_fd;
	struct loop_io		 c_io;
	struct sockaddr_storage	 c_peer;
	char			 c_peer_text[64];	/* "addr:port" */
	char			 c_local_text[64];
	uint16_t		 c_local_port;
	uint64_t		 c_created_ms;
	uint64_t		 c_msgs_in;

	/* Input: the frame header, then the message being filled. */
	uint8_t			 c_hdr[4];
	size_t			 c_hdr_have;
	uint8_t			*c_in;
	size_t			 c_in_len;
	size_t			 c_in_have;

	TAILQ_HEAD(, conn_out)	 c_outq;
	size_t			 c_out_bytes;
	bool			 c_throttled;	/* input paused for output */

	struct timer		 c_first_msg;
	struct loop_defer	 c_free;
	char			 c_close_why[64];

	/* MS-SMB2 3.3.1.7 Connection, as negotiated. */
	uint16_t		 c_dialect;	/* 0 = "Unknown" */
	bool			 c_negotiated;	/* NegotiateDialect != 0xFFFF */
	bool			 c_smb1_upgraded; /* answered with 0x02FF */
	uint8_t			 c_client_guid[16];
	uint32_t		 c_client_caps;
	uint32_t		 c_server_caps;
	uint16_t		 c_client_secmode;
	uint16_t		 c_server_secmode;
	uint16_t		 c_client_dialects[16];	/* for VALIDATE_NEGOTIATE */
	uint16_t		 c_nclient_dialects;
	bool			 c_should_sign;
	bool			 c_multi_credit;	/* SupportsMultiCredit */
	bool			 c_constrained;	/* ConstrainedConnection */
	uint32_t		 c_max_transact, c_max_read, c_max_write;
	uint16_t		 c_cipher;	/* 0: none negotiated */
	uint16_t		 c_signing_alg;	/* SMB2_SIGNING_* */
	uint8_t			 c_preauth[64];	/* 3.1.1 connection hash */
	bool			 c_posix;	/* 3.1.1 POSIX extensions */

	/* CommandSequenceWindow (3.3.1.1): MessageIds granted, not used. */
	uint64_t		 c_seq_low;	/* lowest id not yet used */
	uint32_t		 c_seq_range;	/* ids valid from c_seq_low */
	uint8_t			*c_seq_used;	/* bitmap over the range */
	uint32_t		 c_credits_max;

	/* Requests that complete later (smb2_async.h). */
	TAILQ_HEAD(, smb2_async) c_async;
	uint64_t		 c_async_ids;
	/* Connection.SessionTable: one channel per session bound here. */
	TAILQ_HEAD(, channel)	 c_channels;
	struct idtab		 c_channel_ids;	/* SessionId -> channel */
};

/*
 * Called for each whole message (without the 4-byte frame); the message
 * buffer is the callee's to keep (free() it) or drop.  The callee may
 * conn_send() and conn_close().
 */
typedef void (*conn_msg_fn)(struct conn *, uint8_t *msg, size_t len);
/* Called once when the connection goes away (3.3.7.1 hooks in here). */
typedef void (*conn_gone_fn)(struct conn *);

void		 conn_set_handlers(conn_msg_fn, conn_gone_fn);
struct conn	*conn_accept(int fd, const struct sockaddr_storage *,
		    socklen_t);
/* Queues a message; prepends the Direct-TCP frame.  Takes msg. */
int		 conn_send(struct conn *, uint8_t *msg, size_t len);
/* Stops input, flushes what is queued, then closes.  Idempotent. */
void		 conn_close(struct conn *, const char *why);
/* Closes at once, dropping queued output. */
void		 conn_abort(struct conn *, const char *why);
void		 conn_close_all(void);

#endif
