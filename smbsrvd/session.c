/*
 * session.c — sessions and channels (see session.h for the life cycle).
 */
#include <sys/random.h>

#include <openssl/crypto.h>

#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "conn.h"
#include "log.h"
#include "loop.h"
#include "ntlm.h"
#include "ofile.h"
#include "server.h"
#include "session.h"
#include "srvs.h"
#include "tree.h"

static uint64_t	session_id_base;
static uint64_t	session_id_ctr;

/*
 * SessionIds: a counter from a random start, kept below 2^32 because
 * clients (smbtorture among them) hold the id in 32 bits, as Samba's ids
 * allow.  Never 0 or all ones (3.3.5.5.1), never one still in the table;
 * four billion sessions go by before the counter comes round.
 */
static uint64_t
session_new_id(void)
{
	uint64_t id;
	uint32_t r;

	if (session_id_base == 0) {
		if (getrandom(&r, sizeof(r), 0) != (ssize_t)sizeof(r))
			r = (uint32_t)clock_mono_ms();
		session_id_base = (r & 0x7fffffffu) | 1;
	}
	do {
		id = (session_id_base + ++session_id_ctr) & 0xffffffffu;
	} while (id == 0 || idtab_find(&server.sv_session_ids, id) != NULL);
	return id;
}

void
session_hold(struct session *s)
{
	if (s->s_magic != SESSION_MAGIC || s->s_refs == 0)
		fatalx("session_hold: bad session");
	s->s_refs++;
}

static void
channel_free(struct channel *ch)
{
	ntlm_server_free(ch->ch_ntlm);
	OPENSSL_cleanse(ch->ch_signing_key, sizeof(ch->ch_signing_key));
	free(ch);
}

static void
session_free(struct session *s)
{
	loop_timer_cancel(&s->s_expiry);
	ntlm_server_free(s->s_ntlm);
	smb3_keys_clear(&s->s_keys);
	smb3_crypt_key_clear(&s->s_enc);
	smb3_crypt_key_clear(&s->s_dec);
	OPENSSL_cleanse(s->s_session_key, sizeof(s->s_session_key));
	idtab_free(&s->s_tree_ids);
	idtab_free(&s->s_open_ids);
	s->s_magic = 0;
	free(s);
}

void
session_rele(struct session *s)
{
	if (s->s_magic != SESSION_MAGIC || s->s_refs == 0)
		fatalx("session_rele: bad session");
	if (--s->s_refs == 0)
		session_free(s);
}

static const char *
state_name(enum session_state st)
{
	switch (st) {
	case SESSION_IN_PROGRESS:
		return "in progress";
	case SESSION_VALID:
		return "valid";
	case SESSION_EXPIRED:
		return "expired";
	case SESSION_DEAD:
		return "dead";
	}
	return "?";
}

void
session_set_state(struct session *s, enum session_state st)
{
	log_debug("session %u: %s -> %s", s->s_global_id,
	    state_name(s->s_state), state_name(st));
	s->s_state = st;
}

struct channel *
session_bind(struct session *s, struct conn *c)
{
	struct channel *ch;

	if ((ch = calloc(1, sizeof(*ch))) == NULL)
		return NULL;
	if (idtab_add(&c->c_channel_ids, s->s_id, ch) == -1) {
		free(ch);
		return NULL;
	}
	ch->ch_session = s;
	ch->ch_conn = c;
	spnego_ctx_init(&ch->ch_spnego);
	TAILQ_INSERT_TAIL(&c->c_channels, ch, ch_conn_entry);
	TAILQ_INSERT_TAIL(&s->s_channels, ch, ch_session_entry);
	return ch;
}

static void
channel_unbind(struct channel *ch)
{
	struct conn *c = ch->ch_conn;
	struct session *s = ch->ch_session;

	idtab_del(&c->c_channel_ids, s->s_id);
	TAILQ_REMOVE(&c->c_channels, ch, ch_conn_entry);
	TAILQ_REMOVE(&s->s_channels, ch, ch_session_entry);
	if (s->s_conn == c)
		s->s_conn = NULL;
	channel_free(ch);
}

void
session_unbind(struct channel *ch)
{
	struct session *s = ch->ch_session;

	if (TAILQ_FIRST(&s->s_channels) == ch &&
	    TAILQ_NEXT(ch, ch_session_entry) == NULL)
		fatalx("session %u: unbinding its last channel",
		    s->s_global_id);
	channel_unbind(ch);
	if (s->s_conn == NULL)
		s->s_conn = TAILQ_FIRST(&s->s_channels)->ch_conn;
}

bool
session_expire_due(struct session *s, uint64_t now)
{
	if (s->s_state == SESSION_VALID && s->s_expires_ms != 0 &&
	    now >= s->s_expires_ms) {
		log_info("session %u: user %s expired", s->s_global_id,
		    s->s_user);
		loop_timer_cancel(&s->s_expiry);
		session_set_state(s, SESSION_EXPIRED);
		srvs_session_timedout();
	}
	return s->s_state == SESSION_EXPIRED;
}

/* 3.3.2.3 Session Expiration Timer. */
static void
session_expiry_cb(struct timer *t, void *arg)
{
	struct session *s = arg;

	(void)t;
	(void)session_expire_due(s, clock_mono_ms());
}

void
session_set_expiry(struct session *s, unsigned int secs)
{
	loop_timer_cancel(&s->s_expiry);
	if (secs == 0) {
		s->s_expires_ms = 0;
		return;
	}
	s->s_expires_ms = clock_mono_ms() + (uint64_t)secs * 1000;
	/* Without the timer a request still finds it expired. */
	if (loop_timer_at(&s->s_expiry, s->s_expires_ms) == -1)
		log_warnx("session %u: expiry timer not armed",
		    s->s_global_id);
}

struct session *
session_new(struct conn *c)
{
	struct channel *ch;
	struct session *s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->s_magic = SESSION_MAGIC;
	s->s_refs = 1;			/* GlobalSessionTable's */
	s->s_state = SESSION_IN_PROGRESS;
	s->s_id = session_new_id();
	s->s_conn = c;
	s->s_dialect = c->c_dialect;
	TAILQ_INIT(&s->s_channels);
	TAILQ_INIT(&s->s_trees);
	idtab_init(&s->s_tree_ids);
	TAILQ_INIT(&s->s_opens);
	idtab_init(&s->s_open_ids);
	spnego_ctx_init(&s->s_spnego);
	snprintf(s->s_client, sizeof(s->s_client), "%s", c->c_peer_text);
	clock_real(&s->s_created);
	s->s_created_ms = s->s_idle_ms = clock_mono_ms();
	timer_init(&s->s_expiry, session_expiry_cb, s);
	/* 3.3.5.5.1: the 3.1.1 session hash starts from the connection's. */
	memcpy(s->s_preauth, c->c_preauth, sizeof(s->s_preauth));
	if (idtab_add(&server.sv_session_ids, s->s_id, s) == -1) {
		session_free(s);
		return NULL;
	}
	if ((ch = session_bind(s, c)) == NULL) {
		idtab_del(&server.sv_session_ids, s->s_id);
		session_free(s);
		return NULL;
	}
	ch->ch_bound = true;
	TAILQ_INSERT_TAIL(&server.sv_sessions, s, s_entry);
	s->s_global_id = srvs_session_register(s);
	log_info("session %u: new on conn %llu (id 0x%016llx)",
	    s->s_global_id, (unsigned long long)c->c_id,
	    (unsigned long long)s->s_id);
	return s;
}

struct session *
session_lookup_global(uint64_t id)
{
	struct session *s = idtab_find(&server.sv_session_ids, id);

	if (s == NULL || s->s_state == SESSION_DEAD)
		return NULL;
	session_hold(s);
	return s;
}

struct channel *
session_channel(struct conn *c, uint64_t id)
{
	return idtab_find(&c->c_channel_ids, id);
}

void
session_destroy(struct session *s, const char *why)
{
	session_end(s, OFILE_END_CLOSE, why);
}

void
session_end(struct session *s, enum ofile_end how, const char *why)
{
	struct channel *ch;
	struct tree *t;

	if (s->s_state == SESSION_DEAD)
		return;
	log_info("session %u: %s%s%s closed (%s)", s->s_global_id,
	    s->s_user[0] != '\0' ? "user " : "", s->s_user,
	    s->s_user[0] != '\0' ? "" : "unauthenticated", why);
	session_set_state(s, SESSION_DEAD);
	loop_timer_cancel(&s->s_expiry);
	/*
	 * 3.3.5.6 step 2 / 3.3.7.1 B.1-3: durable and resilient opens are
	 * detached for the scavenger as the way the session ends allows;
	 * every other open closes.  Then every tree connect goes.
	 */
	ofile_end_session(s, how);
	while ((t = TAILQ_FIRST(&s->s_trees)) != NULL)
		tree_disconnect(t);
	while ((ch = TAILQ_FIRST(&s->s_channels)) != NULL)
		channel_unbind(ch);
	idtab_del(&server.sv_session_ids, s->s_id);
	TAILQ_REMOVE(&server.sv_sessions, s, s_entry);
	srvs_session_deregister(s);
	session_rele(s);
}

void
session_conn_gone(struct conn *c)
{
	struct channel *ch;
	struct session *s;

	while ((ch = TAILQ_FIRST(&c->c_channels)) != NULL) {
		s = ch->ch_session;
		channel_unbind(ch);
		/* 3.3.7.1: a session with no channel left goes too. */
		if (TAILQ_EMPTY(&s->s_channels))
			session_end(s, OFILE_END_LOST, "connection lost");
		else if (s->s_conn == NULL)
			s->s_conn = TAILQ_FIRST(&s->s_channels)->ch_conn;
	}
}

const uint8_t *
session_signing_key(struct session *s, struct conn *c)
{
	struct channel *ch;

	/* 3.x: each channel signs with its own key (3.3.5.5.3 binding). */
	if (s->s_dialect >= 0x0300 &&
	    (ch = idtab_find(&c->c_channel_ids, s->s_id)) != NULL &&
	    ch->ch_has_key)
		return ch->ch_signing_key;
	return s->s_keys.sk_signing;
}
