/*
 * session.h — SMB2 sessions and their channels (MS-SMB2 3.3.1.8, 3.3.1.14).
 *
 * SESSION_IN_PROGRESS --auth done--> SESSION_VALID --expiry--> SESSION_EXPIRED
 * SESSION_EXPIRED --re-auth starts--> SESSION_IN_PROGRESS
 *
 * Expiry (MS-SMB2 3.3.2.3, 3.3.6.3): each successful authentication sets
 * Session.ExpirationTime from the "session expiry" setting (0: never) and
 * arms s_expiry on the loop's timer heap; when it fires, or when a
 * request finds the time passed first, a VALID session becomes EXPIRED
 * and sts0_stimedout counts it.  Nothing else changes: trees and opens
 * stay for the re-authentication.
 * any --logoff, auth failure, connection loss, admin close--> SESSION_DEAD
 *
 * GlobalSessionTable (server.sv_session_ids and server.sv_sessions) owns
 * one reference from creation until session_destroy(), which deregisters
 * the session (srvs), disconnects every tree connect, unbinds every
 * channel, leaves the table and drops that reference.  A request holds its
 * own reference while it runs.  The last session_rele() frees.
 *
 * A channel ties a session to a connection (Connection.SessionTable):
 * the session's first connection gets one at creation, a 3.x binding adds
 * more.  Channels are owned by their session and freed with it or when
 * their connection goes.
 */
#ifndef SMBSRVD_SESSION_H
#define SMBSRVD_SESSION_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "idtab.h"
#include "ofile.h"
#include "queue.h"
#include "smb3_crypt.h"
#include "smb3_kdf.h"
#include "spnego.h"
#include "timer.h"

#define SESSION_MAGIC	0x53455353u	/* "SESS" */

struct conn;
struct ntlm_server;
struct ofile;
struct tree;

enum session_state {
	SESSION_IN_PROGRESS,
	SESSION_VALID,
	SESSION_EXPIRED,
	SESSION_DEAD
};

struct channel {
	struct session		*ch_session;
	struct conn		*ch_conn;
	TAILQ_ENTRY(channel)	 ch_conn_entry;		/* conn c_channels */
	TAILQ_ENTRY(channel)	 ch_session_entry;	/* s_channels */
	uint8_t			 ch_signing_key[16];	/* 3.x: per channel */
	bool			 ch_has_key;
	bool			 ch_bound;	/* usable; false while binding */
	uint8_t			 ch_preauth[64];	/* 3.1.1 binding */
	struct ntlm_server	*ch_ntlm;		/* binding in progress */
	struct spnego_ctx	 ch_spnego;
};

struct session {
	uint32_t		 s_magic;
	unsigned int		 s_refs;
	enum session_state	 s_state;
	uint64_t		 s_id;		/* SessionId */
	uint32_t		 s_global_id;	/* SessionGlobalId (srvs) */
	TAILQ_ENTRY(session)	 s_entry;	/* server.sv_sessions */
	struct conn		*s_conn;	/* Session.Connection */
	TAILQ_HEAD(, channel)	 s_channels;
	uint16_t		 s_dialect;

	/* UTF-8; 256 UTF-16 units become at most 768 bytes (ntlm.h). */
	char			 s_user[769];	/* "" until auth */
	char			 s_domain[769];
	char			 s_workstation[769];
	char			 s_client[64];	/* client address text */
	bool			 s_anonymous;
	bool			 s_guest;
	bool			 s_authenticated;	/* once, ever */
	bool			 s_signing_required;
	bool			 s_encrypt;	/* Session.EncryptData */

	uint8_t			 s_session_key[16];
	struct smb3_keys	 s_keys;
	struct smb3_crypt_key	 s_enc;		/* server -> client */
	struct smb3_crypt_key	 s_dec;		/* client -> server */
	uint8_t			 s_preauth[64];	/* 3.1.1 */

	struct timespec		 s_created;	/* wall clock */
	uint64_t		 s_created_ms;
	uint64_t		 s_idle_ms;	/* last request */
	uint64_t		 s_expires_ms;	/* ExpirationTime, 0 never */
	struct timer		 s_expiry;

	/* The authentication exchange in progress, if any. */
	struct ntlm_server	*s_ntlm;
	struct spnego_ctx	 s_spnego;

	TAILQ_HEAD(, ofile)	 s_opens;	/* OpenTable */
	struct idtab		 s_open_ids;	/* by volatile FileId */
	TAILQ_HEAD(, tree)	 s_trees;	/* TreeConnectTable */
	struct idtab		 s_tree_ids;
	uint32_t		 s_tree_next;
};

/* 3.3.5.5.1: a new session on c, registered and in both tables. */
struct session	*session_new(struct conn *);
struct session	*session_lookup_global(uint64_t id);	/* new reference */
struct channel	*session_channel(struct conn *, uint64_t id);
void		 session_hold(struct session *);
void		 session_rele(struct session *);
void		 session_set_state(struct session *, enum session_state);
/*
 * Tears the session down: every tree connect disconnected, every channel
 * unbound, out of both tables, deregistered.  Idempotent.
 */
void		 session_destroy(struct session *, const char *why);
/* The same, with the open handling of a logoff or a lost connection. */
void		 session_end(struct session *, enum ofile_end, const char *why);
/* A channel for s on c (binding); NULL on ENOMEM. */
struct channel	*session_bind(struct session *, struct conn *);
/* Drops one channel (a failed binding); never the session's last. */
void		 session_unbind(struct channel *);
/*
 * The connection is gone (MS-SMB2 3.3.7.1): its channels go; a session
 * left without a channel is destroyed.
 */
void		 session_conn_gone(struct conn *);
/*
 * A successful authentication: ExpirationTime is now plus secs (0:
 * never) and the timer is armed for it.
 */
void		 session_set_expiry(struct session *, unsigned int secs);
/*
 * 3.3.6.3: if s is VALID and its ExpirationTime has passed (by the
 * clock now), it becomes EXPIRED.  True if s is EXPIRED afterwards.
 */
bool		 session_expire_due(struct session *, uint64_t now);
/* The signing key for messages on this connection. */
const uint8_t	*session_signing_key(struct session *, struct conn *);

#endif
