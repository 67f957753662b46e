/*
 * smb2_dispatch.c — from a whole transport message to SMB2 handlers and
 * back (MS-SMB2 3.3.5.2 receiving, 3.3.4.1 sending).
 *
 * One message is: optionally a TRANSFORM_HEADER (decrypted first,
 * 3.3.5.2.1.1), then one SMB2 request or a compound chain of them
 * (3.3.5.2.7).  Each request passes, in the spec's order: the message id
 * and credit checks (3.3.5.2.3, 3.3.5.2.5), the signature (3.3.5.2.4),
 * the session gate (3.3.5.2.9), the tree gate (3.3.5.2.11), then its
 * handler.  The responses are chained, each padded to 8 bytes and signed
 * over its own range (3.3.4.1.1, 3.1.4.1), and encrypted as a whole when
 * the request was (3.3.4.1.4).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "conn.h"
#include "log.h"
#include "notify.h"
#include "ntstatus.h"
#include "ofile.h"
#include "reqstats.h"
#include "oplock.h"
#include "session.h"
#include "smb2.h"
#include "smb2_async.h"
#include "smb2_dispatch.h"
#include "smb2_req.h"
#include "smb3_crypt.h"
#include "smb3_kdf.h"
#include "smb3_sign.h"
#include "srvs.h"
#include "tree.h"

#define SMB2_ERROR_BODY_LEN	9
#define SMB2_MAX_CREDITS	8192
#define SMB2_MAX_COMPOUND	64
#define SMB2_RSP_MAX		(CONN_MAX_MSG - 1024)

/* SEC_E_UNSUPPORTED_FUNCTION: what Windows answers on an unfinished
 * session (MS-SMB2 3.3.5.2.9, <272>). */
#define SEC_E_UNSUPPORTED_FUNCTION	0x80090302u

struct smb2_cmd_info {
	smb2_handler	fn;
	uint8_t		need;
};

/*
 * The command table: what each command needs before its handler runs.
 * Commands without a handler are answered STATUS_NOT_SUPPORTED once the
 * gates have passed.
 */
static const struct smb2_cmd_info smb2_cmds[SMB2_NCOMMANDS] = {
	[SMB2_NEGOTIATE] =	{ smb2_negotiate, 0 },
	[SMB2_SESSION_SETUP] =	{ smb2_session_setup, SMB2_NEED_NEGOTIATED },
	[SMB2_LOGOFF] =		{ smb2_logoff, SMB2_NEED_SESSION },
	[SMB2_TREE_CONNECT] =	{ smb2_tree_connect, SMB2_NEED_SESSION },
	[SMB2_TREE_DISCONNECT] = { smb2_tree_disconnect,
				    SMB2_NEED_SESSION | SMB2_NEED_TREE },
	[SMB2_CREATE] =		{ smb2_create, SMB2_NEED_SESSION | SMB2_NEED_TREE },
	[SMB2_CLOSE] =		{ smb2_close, SMB2_NEED_SESSION | SMB2_NEED_TREE },
	[SMB2_FLUSH] =		{ smb2_flush, SMB2_NEED_SESSION | SMB2_NEED_TREE },
	[SMB2_READ] =		{ smb2_read, SMB2_NEED_SESSION | SMB2_NEED_TREE },
	[SMB2_WRITE] =		{ smb2_write, SMB2_NEED_SESSION | SMB2_NEED_TREE },
	[SMB2_LOCK] =		{ smb2_lock, SMB2_NEED_SESSION | SMB2_NEED_TREE },
	[SMB2_IOCTL] =		{ smb2_ioctl, SMB2_NEED_SESSION },
	[SMB2_CANCEL] =		{ NULL, 0 },
	[SMB2_ECHO] =		{ smb2_echo, SMB2_NEED_NEGOTIATED },
	[SMB2_QUERY_DIRECTORY] = { smb2_query_directory,
				    SMB2_NEED_SESSION | SMB2_NEED_TREE },
	[SMB2_CHANGE_NOTIFY] =	{ smb2_change_notify,
				    SMB2_NEED_SESSION | SMB2_NEED_TREE },
	[SMB2_QUERY_INFO] =	{ smb2_query_info,
				    SMB2_NEED_SESSION | SMB2_NEED_TREE },
	[SMB2_SET_INFO] =	{ smb2_set_info, SMB2_NEED_SESSION | SMB2_NEED_TREE },
	[SMB2_OPLOCK_BREAK] =	{ smb2_oplock_break,
				    SMB2_NEED_SESSION | SMB2_NEED_TREE },
};

/* One built response of a chain, before chaining, signing, encrypting. */
struct smb2_rsp {
	uint8_t		*buf;
	size_t		 len;
	bool		 sign;
	uint16_t	 sign_alg;
	uint8_t		 sign_key[16];
	uint8_t		*preauth;	/* hash to extend with the bytes */
};

int
smb2_req_body(struct smb_req *r, uint16_t structure_size)
{
	/*
	 * 2.2: StructureSize is fixed per command; an odd value means the
	 * body has a variable part, whose first byte counts in it.
	 */
	msgbuf_seek(&r->r_rd, SMB2_HDR_LEN);
	if (msgbuf_get_le16(&r->r_rd) != structure_size ||
	    r->r_len < SMB2_HDR_LEN + (structure_size & ~1u))
		return -1;
	msgbuf_seek(&r->r_rd, SMB2_HDR_LEN + 2);
	return msgbuf_rd_ok(&r->r_rd) ? 0 : -1;
}

/* ---- the command sequence window (3.3.1.1, 3.3.5.2.3) ---- */

static bool
seq_bit(const struct conn *c, uint64_t mid)
{
	uint64_t i = mid % SMB2_MAX_CREDITS;

	return (c->c_seq_used[i / 8] >> (i % 8)) & 1;
}

static void
seq_set(struct conn *c, uint64_t mid, bool on)
{
	uint64_t i = mid % SMB2_MAX_CREDITS;

	if (on)
		c->c_seq_used[i / 8] |= (uint8_t)(1u << (i % 8));
	else
		c->c_seq_used[i / 8] &= (uint8_t)~(1u << (i % 8));
}

/* Takes the ids [mid, mid+charge) out of the window; -1 if not all in it. */
static int
seq_consume(struct conn *c, uint64_t mid, uint16_t charge)
{
	uint64_t i;

	if (c->c_seq_used == NULL &&
	    (c->c_seq_used = calloc(SMB2_MAX_CREDITS / 8, 1)) == NULL)
		return -1;
	if (mid < c->c_seq_low || mid - c->c_seq_low >= c->c_seq_range ||
	    charge > c->c_seq_range - (mid - c->c_seq_low))
		return -1;
	for (i = mid; i < mid + charge; i++) {
		if (seq_bit(c, i))
			return -1;
	}
	for (i = mid; i < mid + charge; i++)
		seq_set(c, i, true);
	/* Slide the low edge past every id now used. */
	while (c->c_seq_range > 0 && seq_bit(c, c->c_seq_low)) {
		seq_set(c, c->c_seq_low, false);
		c->c_seq_low++;
		c->c_seq_range--;
	}
	return 0;
}

/*
 * Credits granted with a response (3.3.1.2): what the client asked for
 * (at least one), within the server's limit on ids outstanding; never
 * zero when the client would be left with none.
 */
static uint16_t
seq_grant(struct conn *c, const struct smb2_hdr *h)
{
	uint32_t want = h->h_credits > 0 ? h->h_credits : 1;
	uint32_t room = SMB2_MAX_CREDITS - c->c_seq_range;

	if (want > room)
		want = room;
	if (want == 0 && c->c_seq_range == 0)
		want = 1;
	c->c_seq_range += want;
	return (uint16_t)want;
}

/* ---- responses ---- */

static void
rsp_header(struct smb_req *r, uint32_t status, uint16_t credits,
    struct msgbuf_wr *out)
{
	struct smb2_hdr h = r->r_hdr;

	h.h_status = status;
	h.h_credits = credits;
	h.h_flags = SMB2_FLAGS_SERVER_TO_REDIR |
	    (r->r_hdr.h_flags & (SMB2_FLAGS_RELATED_OPERATIONS |
	    SMB2_FLAGS_PRIORITY_MASK | SMB2_FLAGS_ASYNC_COMMAND));
	h.h_next = 0;
	h.h_session_id = r->r_rsp_session_id;
	h.h_tree_id = r->r_rsp_tree_id;
	/* 2.2.1.1: charge echoes the request's; 2.0.2 has none. */
	memset(h.h_signature, 0, sizeof(h.h_signature));
	smb2_hdr_encode(out, &h);
}

int
smb2_send_error(struct conn *c, const struct smb2_hdr *req, uint32_t status)
{
	struct msgbuf_wr wr;
	struct smb2_hdr h = *req;
	uint8_t *buf;
	size_t len;

	h.h_status = status;
	h.h_flags = (req->h_flags & (SMB2_FLAGS_ASYNC_COMMAND |
	    SMB2_FLAGS_PRIORITY_MASK)) | SMB2_FLAGS_SERVER_TO_REDIR;
	h.h_next = 0;
	h.h_credits = (req->h_flags & SMB2_FLAGS_ASYNC_COMMAND) ? 0 : 1;
	memset(h.h_signature, 0, sizeof(h.h_signature));
	msgbuf_wr_init(&wr, SMB2_HDR_LEN + SMB2_ERROR_BODY_LEN);
	smb2_hdr_encode(&wr, &h);
	msgbuf_put_le16(&wr, SMB2_ERROR_BODY_LEN);
	msgbuf_put_zero(&wr, 7);
	if (!msgbuf_wr_ok(&wr)) {
		msgbuf_wr_free(&wr);
		return -1;
	}
	buf = msgbuf_wr_steal(&wr, &len);
	return conn_send(c, buf, len);
}

/* 3.3.4.4: the statuses that still carry the command's own body. */
static bool
status_keeps_body(const struct smb_req *r, uint32_t st)
{
	if (r->r_rsp_keep)
		return true;
	return st == STATUS_MORE_PROCESSING_REQUIRED &&
	    r->r_hdr.h_command == SMB2_SESSION_SETUP;
}

static bool
status_is_error(uint32_t st)
{
	/* NTSTATUS severity: 11 = error, 10 = warning (both get ERROR). */
	return (st >> 30) >= 2;
}

/*
 * Decides signing of r's response (3.3.4.1.1): when the request was signed
 * or the handler asks (final SESSION_SETUP, 3.3.5.5.3), never for a guest
 * or anonymous session, never without a key.
 */
static void
rsp_signing(struct smb_req *r, uint32_t status, struct smb2_rsp *out)
{
	struct session *s = r->r_sess;
	const uint8_t *key;

	out->sign = false;
	if (s == NULL || r->r_rsp_nosign || r->r_rsp_session_id == 0 ||
	    !s->s_authenticated || s->s_guest || s->s_anonymous)
		return;
	if (!r->r_signed && !r->r_rsp_sign && !s->s_signing_required)
		return;
	if (r->r_encrypted)
		return;		/* the transform protects it */
	/*
	 * 3.3.4.1.1: a 3.x SESSION_SETUP response other than success is
	 * signed with Session.SigningKey, everything else with the
	 * channel's key.
	 */
	if (s->s_dialect >= 0x0300 && r->r_hdr.h_command ==
	    SMB2_SESSION_SETUP && status != STATUS_SUCCESS)
		key = s->s_keys.sk_signing;
	else
		key = session_signing_key(s, r->r_conn);
	out->sign = true;
	out->sign_alg = r->r_conn->c_dialect < 0x0300 ?
	    SMB2_SIGNING_HMAC_SHA256 : r->r_conn->c_signing_alg;
	memcpy(out->sign_key, key, sizeof(out->sign_key));
}

static int
rsp_build(struct smb_req *r, uint32_t status, uint16_t credits,
    struct smb2_rsp *out)
{
	struct msgbuf_wr wr;

	msgbuf_wr_init(&wr, SMB2_RSP_MAX);
	rsp_header(r, status, credits, &wr);
	/* 2.2.2: errors, and the interim STATUS_PENDING, get an ERROR body. */
	if ((status_is_error(status) && !status_keeps_body(r, status)) ||
	    status == STATUS_PENDING) {
		/* 2.2.2: StructureSize 9 and one zero byte of ErrorData. */
		msgbuf_put_le16(&wr, SMB2_ERROR_BODY_LEN);
		msgbuf_put_zero(&wr, 7);
	} else
		msgbuf_put_bytes(&wr, r->r_rsp.wr_buf, r->r_rsp.wr_len);
	if (!msgbuf_wr_ok(&wr)) {
		msgbuf_wr_free(&wr);
		return -1;
	}
	rsp_signing(r, status, out);
	out->preauth = r->r_preauth_rsp;
	out->buf = msgbuf_wr_steal(&wr, &out->len);
	return 0;
}

struct chain_state {
	uint64_t	session_id;
	uint32_t	tree_id;
	bool		have;
	uint64_t	file_p, file_v;		/* last FileId made or used */
	bool		have_file;
	uint32_t	prev_status;
	bool		encrypted;
	uint64_t	enc_session_id;
	/*
	 * Held from decryption to the sealed reply: a LOGOFF inside the
	 * transform removes the session from the table, yet its answer is
	 * still sealed with the session's key.
	 */
	struct session	*enc_session;
};

uint32_t
smb2_req_file(struct smb_req *r, uint64_t p, uint64_t v, struct ofile **out)
{
	struct chain_state *cs = r->r_chain;
	struct ofile *of;

	*out = NULL;
	if ((r->r_hdr.h_flags & SMB2_FLAGS_RELATED_OPERATIONS) &&
	    p == UINT64_MAX && v == UINT64_MAX) {
		if (cs->prev_status != STATUS_SUCCESS)
			return cs->prev_status;
		if (!cs->have_file)
			return STATUS_INVALID_HANDLE;
		p = cs->file_p;
		v = cs->file_v;
	}
	if (r->r_open != NULL) {
		ofile_rele(r->r_open);
		r->r_open = NULL;
	}
	if ((of = ofile_lookup(r->r_sess, p, v)) == NULL)
		return STATUS_FILE_CLOSED;
	/* 3.3.5.2.11 already checked the tree; the open must be of it. */
	if (r->r_tree != NULL && of->of_tree != r->r_tree) {
		ofile_rele(of);
		return STATUS_FILE_CLOSED;
	}
	r->r_open = of;
	smb2_req_set_file(r, of);
	*out = of;
	return STATUS_SUCCESS;
}

bool
smb2_req_charge_ok(const struct smb_req *r, uint32_t len)
{
	uint32_t need = len == 0 ? 1 : (len - 1) / 65536 + 1;
	uint16_t charge = r->r_hdr.h_credit_charge;

	/* Without multi-credit the negotiated limits are 64 KiB anyway. */
	if (!r->r_conn->c_multi_credit)
		return true;
	return (charge == 0 ? 1 : charge) >= need;
}

void
smb2_req_set_file(struct smb_req *r, struct ofile *of)
{
	r->r_chain->file_p = of->of_persistent;
	r->r_chain->file_v = of->of_volatile;
	r->r_chain->have_file = true;
}

/* ---- gates ---- */

/* 3.3.5.2.4 and 3.3.5.2.9 for requests that name a session. */
static uint32_t
gate_session(struct smb_req *r, const struct smb2_cmd_info *ci)
{
	struct conn *c = r->r_conn;
	struct channel *ch;
	struct session *s;
	uint16_t cmd = r->r_hdr.h_command;
	const uint8_t *key;

	if (r->r_hdr.h_session_id == 0)
		return (ci->need & SMB2_NEED_SESSION) ?
		    STATUS_USER_SESSION_DELETED : STATUS_SUCCESS;
	/* SESSION_SETUP finds its own session (new, re-auth, binding). */
	if (cmd == SMB2_SESSION_SETUP)
		return STATUS_SUCCESS;
	if ((ch = session_channel(c, r->r_hdr.h_session_id)) == NULL ||
	    !ch->ch_bound) {
		/*
		 * 3.3.5.2.9: not in Connection.SessionTable.  A signed
		 * request naming a session that lives on another channel
		 * (one this connection never bound, or is still binding)
		 * gets its answer signed with Session.SigningKey (3.3.4.1.1,
		 * no channel key here), as Samba does: a client that signs
		 * takes an unsigned answer for a forgery (smbXcli gives
		 * STATUS_ACCESS_DENIED).  The request's signature cannot be
		 * checked without a channel, so nothing else is done.
		 * Sessions of another dialect could never be bound here
		 * and get an unsigned answer.
		 */
		if ((r->r_hdr.h_flags & SMB2_FLAGS_SIGNED) && !r->r_encrypted &&
		    c->c_dialect >= 0x0300 &&
		    (s = session_lookup_global(r->r_hdr.h_session_id)) !=
		    NULL) {
			/* Only where a binding could exist (3.3.5.5.2). */
			if (s->s_dialect != c->c_dialect) {
				session_rele(s);
				return STATUS_USER_SESSION_DELETED;
			}
			r->r_sess = s;
			r->r_rsp_sign = true;
		}
		return STATUS_USER_SESSION_DELETED;
	}
	s = ch->ch_session;
	session_hold(s);
	r->r_sess = s;
	/* 3.3.5.2.4: check a signature when there is one. */
	if ((r->r_hdr.h_flags & SMB2_FLAGS_SIGNED) && !r->r_encrypted &&
	    s->s_authenticated) {
		key = session_signing_key(s, c);
		if (smb3_sign_verify(c->c_dialect < 0x0300 ?
		    SMB2_SIGNING_HMAC_SHA256 : c->c_signing_alg, key, 16,
		    r->r_buf, r->r_len) == -1) {
			log_info("session %u: bad signature on %s",
			    s->s_global_id, smb2_cmd_name(cmd));
			return STATUS_ACCESS_DENIED;
		}
		r->r_signed = true;
	}
	/* 3.3.5.2.8: every request refreshes the idle time. */
	s->s_idle_ms = clock_mono_ms();
	/* 3.3.6.3 even if the timer has not run yet in this turn. */
	(void)session_expire_due(s, s->s_idle_ms);
	switch (s->s_state) {
	case SESSION_VALID:
		break;
	case SESSION_EXPIRED:
		if (cmd != SMB2_LOGOFF && cmd != SMB2_CLOSE &&
		    cmd != SMB2_LOCK)
			return STATUS_NETWORK_SESSION_EXPIRED;
		break;
	case SESSION_IN_PROGRESS:
		if (cmd != SMB2_LOGOFF && cmd != SMB2_CLOSE &&
		    cmd != SMB2_LOCK)
			return SEC_E_UNSUPPORTED_FUNCTION;
		break;
	case SESSION_DEAD:
		return STATUS_USER_SESSION_DELETED;
	}
	/* Signing required and the request neither signed nor sealed. */
	if (s->s_signing_required && !r->r_signed && !r->r_encrypted &&
	    s->s_authenticated && !s->s_guest && !s->s_anonymous &&
	    cmd != SMB2_CANCEL)
		return STATUS_ACCESS_DENIED;
	/* 3.3.5.2.9: an encrypting session takes only sealed requests. */
	if (s->s_encrypt && !r->r_encrypted && s->s_authenticated)
		return STATUS_ACCESS_DENIED;
	return STATUS_SUCCESS;
}

/* 3.3.5.2.11 */
static uint32_t
gate_tree(struct smb_req *r)
{
	struct tree *t;

	if ((t = tree_lookup(r->r_sess, r->r_hdr.h_tree_id)) == NULL)
		return STATUS_NETWORK_NAME_DELETED;
	r->r_tree = t;
	if (t->t_encrypt && !r->r_encrypted)
		return STATUS_ACCESS_DENIED;
	return STATUS_SUCCESS;
}

/* ---- one request ---- */


/*
 * Runs one request; fills *out with its response unless it has none
 * (CANCEL).  Returns -1 when the connection must be dropped.
 */
static int
smb2_one(struct conn *c, const uint8_t *buf, size_t len,
    struct chain_state *cs, bool first, bool last, struct smb2_rsp *out,
    bool *have)
{
	struct smb_req r;
	const struct smb2_cmd_info *ci;
	uint32_t st = STATUS_SUCCESS;
	uint16_t charge, credits = 0;
	uint64_t t0 = reqstats_start();
	int rc = 0;

	*have = false;
	memset(&r, 0, sizeof(r));
	r.r_conn = c;
	r.r_start_ns = t0;
	r.r_buf = buf;
	r.r_len = len;
	r.r_encrypted = cs->encrypted;
	r.r_chain = cs;
	r.r_last = last;
	msgbuf_rd_init(&r.r_rd, buf, len);
	if (smb2_hdr_decode(&r.r_rd, &r.r_hdr) == -1)
		return -1;
	msgbuf_wr_init(&r.r_rsp, SMB2_RSP_MAX);

	/* 3.3.5.2.2: until NEGOTIATE, nothing else is allowed. */
	if (!c->c_negotiated && r.r_hdr.h_command != SMB2_NEGOTIATE) {
		rc = -1;
		goto done;
	}
	/* 3.3.5.2.7.2: related requests reuse the previous ids. */
	if (r.r_hdr.h_flags & SMB2_FLAGS_RELATED_OPERATIONS) {
		if (first || !cs->have)
			st = STATUS_INVALID_PARAMETER;
		r.r_hdr.h_session_id = cs->session_id;
		r.r_hdr.h_tree_id = cs->tree_id;
	}
	/* 3.3.5.2.1.1: inside a transform, every SessionId must match. */
	if (cs->encrypted && r.r_hdr.h_session_id != cs->enc_session_id) {
		rc = -1;
		goto done;
	}
	r.r_rsp_session_id = r.r_hdr.h_session_id;
	r.r_rsp_tree_id = r.r_hdr.h_tree_id;

	/*
	 * 3.3.5.2.3, 3.3.5.16: CANCEL uses no id of the window and gets no
	 * reply of its own; the request it names answers.
	 */
	if (r.r_hdr.h_command == SMB2_CANCEL) {
		r.r_no_response = true;
		(void)smb2_async_cancel(c, &r.r_hdr);
		goto done;
	}
	charge = 1;
	if (c->c_multi_credit && r.r_hdr.h_credit_charge > 1)
		charge = r.r_hdr.h_credit_charge;
	if (seq_consume(c, r.r_hdr.h_mid, charge) == -1) {
		log_info("conn %llu: message id %llu outside the window "
		    "(low %llu, %u granted)", (unsigned long long)c->c_id,
		    (unsigned long long)r.r_hdr.h_mid,
		    (unsigned long long)c->c_seq_low, c->c_seq_range);
		rc = -1;
		goto done;
	}
	credits = seq_grant(c, &r.r_hdr);

	if (r.r_hdr.h_command >= SMB2_NCOMMANDS) {
		st = STATUS_INVALID_PARAMETER;
		goto reply;
	}
	ci = &smb2_cmds[r.r_hdr.h_command];
	if (st != STATUS_SUCCESS)
		goto reply;
	/* 3.3.5.2.4: a signed NEGOTIATE is refused. */
	if (r.r_hdr.h_command == SMB2_NEGOTIATE &&
	    (r.r_hdr.h_flags & SMB2_FLAGS_SIGNED)) {
		st = STATUS_INVALID_PARAMETER;
		goto reply;
	}
	if ((st = gate_session(&r, ci)) != STATUS_SUCCESS)
		goto reply;
	if ((ci->need & SMB2_NEED_TREE) &&
	    (st = gate_tree(&r)) != STATUS_SUCCESS)
		goto reply;
	if (ci->fn == NULL) {
		st = STATUS_NOT_SUPPORTED;
		goto reply;
	}
	st = ci->fn(&r);

reply:
	if (r.r_disconnect) {
		rc = -1;
		goto done;
	}
	cs->session_id = r.r_rsp_session_id;
	cs->tree_id = r.r_rsp_tree_id;
	cs->have = true;
	/* 3.3.5.2.7.2: only a failure (not a warning) carries on. */
	cs->prev_status = (st >> 30) == 3 ? st : STATUS_SUCCESS;
	if (st != STATUS_SUCCESS)
		log_debugl(4, "conn %llu: %s mid %llu: status 0x%08x",
		    (unsigned long long)c->c_id,
		    smb2_cmd_name(r.r_hdr.h_command),
		    (unsigned long long)r.r_hdr.h_mid, st);
	if (st == STATUS_PENDING && r.r_async != NULL) {
		/*
		 * 3.3.4.2: the interim response carries the AsyncId and the
		 * credits; it is never signed.  The final one follows later.
		 */
		r.r_hdr.h_flags |= SMB2_FLAGS_ASYNC_COMMAND;
		r.r_hdr.h_async_id = r.r_async->as_async_id;
		r.r_rsp_nosign = true;
		r.r_async->as_signed = r.r_signed ||
		    (r.r_sess != NULL && r.r_sess->s_signing_required);
	} else if (st == STATUS_PENDING)
		st = STATUS_INTERNAL_ERROR;	/* no handler may do this */
	if (rsp_build(&r, st, credits, out) == -1)
		rc = -1;
	else
		*have = true;
	if (st != STATUS_PENDING)
		reqstats_done(r.r_hdr.h_command, st, t0);
done:
	msgbuf_wr_free(&r.r_rsp);
	if (r.r_open != NULL)
		ofile_rele(r.r_open);
	if (r.r_tree != NULL)
		tree_rele(r.r_tree);
	if (r.r_sess != NULL)
		session_rele(r.r_sess);
	return rc;
}

/* ---- a whole message ---- */

static void
rsp_free(struct smb2_rsp *rsp, int n)
{
	int i;

	for (i = 0; i < n; i++)
		free(rsp[i].buf);
}

/*
 * Chains the responses (each but the last padded to 8, NextCommand set),
 * signs each over its range, encrypts the chain if asked, and sends it.
 */
static int
smb2_send_chain(struct conn *c, struct smb2_rsp *rsp, int n,
    const struct chain_state *cs)
{
	struct msgbuf_wr wr;
	struct session *s;
	uint8_t *buf, *sealed;
	size_t len, sealedlen, off, start[SMB2_MAX_COMPOUND];
	int i;

	msgbuf_wr_init(&wr, CONN_MAX_MSG);
	for (i = 0; i < n; i++) {
		start[i] = msgbuf_wr_len(&wr);
		msgbuf_put_bytes(&wr, rsp[i].buf, rsp[i].len);
		if (i + 1 < n) {
			msgbuf_align(&wr, 8);
			msgbuf_patch_le32(&wr, start[i] + 20,
			    (uint32_t)(msgbuf_wr_len(&wr) - start[i]));
		}
	}
	if (!msgbuf_wr_ok(&wr)) {
		msgbuf_wr_free(&wr);
		return -1;
	}
	for (i = 0; i < n; i++) {
		off = start[i];
		len = (i + 1 < n ? start[i + 1] : msgbuf_wr_len(&wr)) - off;
		if (rsp[i].sign && smb3_sign_compute(rsp[i].sign_alg,
		    rsp[i].sign_key, 16, wr.wr_buf + off, len) == -1) {
			log_warn("conn %llu: signing a response",
			    (unsigned long long)c->c_id);
			msgbuf_wr_free(&wr);
			return -1;
		}
		/* 3.1.1 preauth: the response as sent (3.3.5.4, 3.3.5.5.3). */
		if (rsp[i].preauth != NULL)
			smb3_preauth_update(rsp[i].preauth, wr.wr_buf + off,
			    len);
	}
	buf = msgbuf_wr_steal(&wr, &len);
	srvs_bytes_sent(len);
	if (cs->encrypted) {
		s = cs->enc_session;
		i = smb3_crypt_encrypt(&s->s_enc, s->s_id, buf, len, &sealed,
		    &sealedlen);
		free(buf);
		if (i == -1) {
			log_warn("conn %llu: encrypting a response",
			    (unsigned long long)c->c_id);
			return -1;
		}
		buf = sealed;
		len = sealedlen;
	}
	return conn_send(c, buf, len);
}

/*
 * 3.3.5.2.1.1: decrypts in place; the plaintext range or -1.  On success
 * cs holds the session whose key opened the message.
 */
static int
smb2_decrypt(struct conn *c, uint8_t *msg, size_t len, uint8_t **plain,
    size_t *plainlen, struct chain_state *cs)
{
	struct smb3_transform tf;
	struct session *s;

	if (c->c_dialect < 0x0300 || c->c_cipher == 0 ||
	    smb3_crypt_parse_header(msg, len, &tf) == -1)
		return -1;
	if ((s = session_lookup_global(tf.tf_session_id)) == NULL)
		return -1;
	if (!s->s_authenticated || s->s_dec.ck_keylen == 0 ||
	    smb3_crypt_decrypt(&s->s_dec, msg, len, plain, plainlen) == -1) {
		session_rele(s);
		return -1;
	}
	cs->enc_session_id = tf.tf_session_id;
	cs->enc_session = s;
	return 0;
}

void
smb2_conn_input(struct conn *c, uint8_t *msg, size_t len)
{
	struct smb2_rsp rsp[SMB2_MAX_COMPOUND];
	struct chain_state cs;
	uint8_t *p = msg;
	size_t plen = len, off, this;
	uint32_t proto, next;
	int n = 0;
	bool have;

	memset(&cs, 0, sizeof(cs));
	srvs_bytes_received(len + 4);
	/*
	 * Record the changes already made before this request runs: a
	 * recursive watch follows a new directory only once inotify has
	 * told it, and a client that creates a directory and at once a
	 * file inside it (smb2.notify.rec) must find the directory watched
	 * by then, whatever order the loop would read the two descriptors.
	 */
	notify_poll();
	proto = len >= 4 ? le32dec(msg) : 0;
	if (proto == SMB2_TRANSFORM_ID) {
		if (smb2_decrypt(c, msg, len, &p, &plen, &cs) == -1) {
			conn_abort(c, "bad encrypted message");
			goto out;
		}
		cs.encrypted = true;
		proto = plen >= 4 ? le32dec(p) : 0;
	}
	if (proto == SMB1_PROTO_ID && !cs.encrypted) {
		if (c->c_negotiated ||
		    smb2_negotiate_smb1(c, msg, len) == -1)
			conn_abort(c, "SMB1 is not supported");
		goto out;
	}
	if (proto != SMB2_PROTO_ID) {
		conn_abort(c, "not an SMB2 message");
		goto out;
	}
	for (off = 0; ; off += next) {
		if (plen - off < SMB2_HDR_LEN || n == SMB2_MAX_COMPOUND) {
			conn_abort(c, "malformed compound");
			goto out;
		}
		next = le32dec(p + off + 20);
		/* 3.3.5.2.7: each member starts 8-aligned inside the message. */
		if (next != 0 && (next % 8 != 0 || next < SMB2_HDR_LEN ||
		    next > plen - off)) {
			conn_abort(c, "bad NextCommand");
			goto out;
		}
		this = next != 0 ? next : plen - off;
		if (smb2_one(c, p + off, this, &cs, n == 0, next == 0,
		    &rsp[n], &have) == -1) {
			conn_abort(c, "protocol violation");
			goto out;
		}
		if (have)
			n++;
		if (next == 0)
			break;
	}
	if (n > 0 && smb2_send_chain(c, rsp, n, &cs) == -1)
		conn_abort(c, "cannot send response");
out:
	rsp_free(rsp, n);
	if (cs.enc_session != NULL)
		session_rele(cs.enc_session);
	free(msg);
}

void
smb2_conn_gone(struct conn *c)
{
	smb2_async_conn_gone(c);
	session_conn_gone(c);
}

/* ---- requests that complete later ---- */

struct smb2_async *
smb2_async_start(struct smb_req *r, smb2_async_fn cancel, smb2_async_fn drop,
    void *arg)
{
	struct conn *c = r->r_conn;
	struct smb2_async *a;

	/* A resumed request is async already. */
	if (r->r_async != NULL)
		return r->r_async;
	/* Only the last request of a compound may wait (3.3.4.2). */
	if (!r->r_last)
		return NULL;
	if ((a = calloc(1, sizeof(*a))) == NULL)
		return NULL;
	a->as_conn = c;
	a->as_hdr = r->r_hdr;
	a->as_hdr.h_session_id = r->r_rsp_session_id;
	a->as_hdr.h_tree_id = r->r_rsp_tree_id;
	a->as_async_id = ++c->c_async_ids;
	a->as_encrypted = r->r_encrypted;
	a->as_cancel = cancel;
	a->as_drop = drop;
	a->as_arg = arg;
	a->as_start_ns = r->r_start_ns;
	TAILQ_INSERT_TAIL(&c->c_async, a, as_entry);
	r->r_async = a;
	return a;
}

void
smb2_async_complete(struct smb2_async *a, uint32_t status,
    const struct msgbuf_wr *body)
{
	struct conn *c = a->as_conn;
	struct smb2_rsp rsp;
	struct smb_req r;
	struct chain_state cs;
	struct channel *ch;

	TAILQ_REMOVE(&c->c_async, a, as_entry);
	memset(&r, 0, sizeof(r));
	memset(&cs, 0, sizeof(cs));
	r.r_conn = c;
	r.r_hdr = a->as_hdr;
	r.r_hdr.h_flags |= SMB2_FLAGS_ASYNC_COMMAND;
	r.r_hdr.h_async_id = a->as_async_id;
	r.r_rsp_session_id = a->as_hdr.h_session_id;
	r.r_rsp_tree_id = 0;
	r.r_signed = a->as_signed;
	r.r_encrypted = a->as_encrypted;
	msgbuf_wr_init(&r.r_rsp, SMB2_RSP_MAX);
	if (body != NULL)
		msgbuf_put_bytes(&r.r_rsp, body->wr_buf, body->wr_len);
	/* The session may have gone meanwhile: then nothing is signed. */
	if (a->as_hdr.h_session_id != 0 && (ch = session_channel(c,
	    a->as_hdr.h_session_id)) != NULL && ch->ch_bound) {
		r.r_sess = ch->ch_session;
		session_hold(r.r_sess);
	}
	if (a->as_encrypted && r.r_sess == NULL) {
		/* Cannot seal for a session that is gone: say nothing. */
		goto out;
	}
	cs.encrypted = a->as_encrypted;
	if (cs.encrypted) {
		cs.enc_session = r.r_sess;
		cs.enc_session_id = r.r_sess->s_id;
		session_hold(r.r_sess);
	}
	/* 3.3.4.2: the final response of an async request grants nothing. */
	if (rsp_build(&r, status, 0, &rsp) == 0) {
		/* reqstats.h: a cancelled request's wait is not latency. */
		if (a->as_cancelled && status == STATUS_CANCELLED)
			reqstats_cancelled(a->as_hdr.h_command, status);
		else
			reqstats_done(a->as_hdr.h_command, status,
			    a->as_start_ns);
		if (smb2_send_chain(c, &rsp, 1, &cs) == -1)
			conn_abort(c, "cannot send response");
		free(rsp.buf);
	}
	if (cs.enc_session != NULL)
		session_rele(cs.enc_session);
out:
	if (r.r_sess != NULL)
		session_rele(r.r_sess);
	msgbuf_wr_free(&r.r_rsp);
	free(a);
}

void
smb2_req_resume(struct smb2_async *a, const uint8_t *buf, size_t len,
    smb2_handler fn)
{
	struct conn *c = a->as_conn;
	struct chain_state cs;
	struct channel *ch;
	struct smb_req r;
	uint32_t st;

	memset(&r, 0, sizeof(r));
	memset(&cs, 0, sizeof(cs));
	r.r_conn = c;
	r.r_buf = buf;
	r.r_len = len;
	r.r_chain = &cs;
	r.r_last = true;
	r.r_async = a;
	r.r_encrypted = a->as_encrypted;
	r.r_signed = a->as_signed;
	msgbuf_rd_init(&r.r_rd, buf, len);
	if (smb2_hdr_decode(&r.r_rd, &r.r_hdr) == -1) {
		smb2_async_complete(a, STATUS_INTERNAL_ERROR, NULL);
		return;
	}
	r.r_hdr.h_session_id = a->as_hdr.h_session_id;
	r.r_hdr.h_tree_id = a->as_hdr.h_tree_id;
	r.r_rsp_session_id = a->as_hdr.h_session_id;
	r.r_rsp_tree_id = a->as_hdr.h_tree_id;
	msgbuf_wr_init(&r.r_rsp, SMB2_RSP_MAX);
	/* The session and tree may have gone while it waited. */
	if ((ch = session_channel(c, r.r_hdr.h_session_id)) == NULL ||
	    !ch->ch_bound)
		st = STATUS_USER_SESSION_DELETED;
	else {
		r.r_sess = ch->ch_session;
		session_hold(r.r_sess);
		if ((r.r_tree = tree_lookup(r.r_sess, r.r_hdr.h_tree_id)) ==
		    NULL)
			st = STATUS_NETWORK_NAME_DELETED;
		else
			st = fn(&r);
	}
	if (st != STATUS_PENDING)
		smb2_async_complete(a, st, status_is_error(st) &&
		    !status_keeps_body(&r, st) ? NULL : &r.r_rsp);
	msgbuf_wr_free(&r.r_rsp);
	if (r.r_open != NULL)
		ofile_rele(r.r_open);
	if (r.r_tree != NULL)
		tree_rele(r.r_tree);
	if (r.r_sess != NULL)
		session_rele(r.r_sess);
}

int
smb2_async_cancel(struct conn *c, const struct smb2_hdr *h)
{
	struct smb2_async *a;

	TAILQ_FOREACH(a, &c->c_async, as_entry) {
		if ((h->h_flags & SMB2_FLAGS_ASYNC_COMMAND) ?
		    a->as_async_id == h->h_async_id :
		    a->as_hdr.h_mid == h->h_mid)
			break;
	}
	if (a == NULL || a->as_cancelled)
		return -1;
	a->as_cancelled = true;
	if (a->as_cancel != NULL)
		a->as_cancel(a, a->as_arg);
	else
		smb2_async_complete(a, STATUS_CANCELLED, NULL);
	return 0;
}

void
smb2_async_conn_gone(struct conn *c)
{
	struct smb2_async *a;

	while ((a = TAILQ_FIRST(&c->c_async)) != NULL) {
		TAILQ_REMOVE(&c->c_async, a, as_entry);
		if (a->as_drop != NULL)
			a->as_drop(a, a->as_arg);
		free(a);
	}
}
