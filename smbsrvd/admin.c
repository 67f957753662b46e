/*
 * admin.c — copies of server state and actions by id for the management
 * plane (admin.h).  The records themselves are filled, and the listings'
 * filters applied, in admin_record.c.
 *
 * Finding objects by global id.  srvs.c reports every registration and
 * deregistration (admin_track_*), and this file keeps an idtab per kind:
 * SessionGlobalId -> session, FileGlobalId -> open, TreeGlobalId -> tree
 * reference.  Lookups are O(1); listings walk GlobalSessionTable,
 * GlobalOpenTable and our own list of tree connects, all in id order,
 * and start at the cursor's object when it still exists.
 *
 * Tree connects are the awkward kind: srvs_tree_register() runs inside
 * tree_connect() before the tree is linked anywhere and is given only the
 * share, and srvs_tree_deregister() is given only the share too.  So a
 * tree reference starts unbound (id and share), and is bound to its tree
 * once the tree sits in its session's TreeConnectTable: when an open on
 * it registers, before any admin_* call reads, at the next deregistration,
 * and from the loop's before-sleep pass.  Binding walks the sessions'
 * tree lists (O(trees)); a deregistration looks for the one tree in the
 * middle of tree_disconnect() (TREE_DEAD, still with its session), which
 * is a walk of the tree references (O(trees)) too.  Both walks go when
 * srvs_tree_register() and srvs_tree_deregister() are given the tree
 * (srvs.h and tree.c: one argument each); then trees are indexed exactly
 * like sessions.  The tree.registered event is completed with the
 * session when the reference is bound, which always happens before any
 * reader sees the record (admin_events_since() binds first).
 *
 * Connections are not registered with srvs (MS-SRVS 3.1.6.16 is a count
 * per transport), so they are found by walking ConnectionList, which the
 * connection limit keeps short.
 *
 * Should an index fail to grow (ENOMEM), the index is marked partial and
 * lookups that miss fall back to walking the tables, so nothing becomes
 * unreachable; the warning is logged once.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "admin.h"
#include "admin_int.h"
#include "clock.h"
#include "conn.h"
#include "events.h"
#include "idtab.h"
#include "lease.h"
#include "log.h"
#include "loop.h"
#include "ofile.h"
#include "server.h"
#include "session.h"
#include "share.h"
#include "srvs.h"
#include "tree.h"

/* A registered tree connect, see the top of the file. */
struct admin_tref {
	uint32_t		 tr_id;		/* TreeGlobalId */
	struct share		*tr_share;	/* the tree holds a reference */
	struct tree		*tr_tree;	/* NULL until bound */
	uint64_t		 tr_seq;	/* its tree.registered record */
	TAILQ_ENTRY(admin_tref)	 tr_entry;	/* admin_trefs, id order */
	TAILQ_ENTRY(admin_tref)	 tr_unbound;	/* admin_unbound */
};

static struct idtab		 admin_session_ix;
static struct idtab		 admin_open_ix;
static struct idtab		 admin_tree_ix;
static TAILQ_HEAD(, admin_tref)	 admin_trefs =
    TAILQ_HEAD_INITIALIZER(admin_trefs);
static TAILQ_HEAD(, admin_tref)	 admin_unbound =
    TAILQ_HEAD_INITIALIZER(admin_unbound);
static unsigned int		 admin_ntrefs;
static bool			 admin_partial;
static unsigned int		 admin_by_dialect[ADMIN_NDIALECTS];
static struct loop_defer	 admin_bind_defer;

static const char *const admin_dialects[ADMIN_NDIALECTS] = {
	"2.0.2", "2.1", "3.0", "3.0.2", "3.1.1", "unknown"
};

static void
copy(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src != NULL ? src : "");
}

/* Like copy(), but a cut never splits a UTF-8 sequence. */
static void
copy_cut(char *dst, size_t size, const char *src)
{
	size_t n;

	if (src == NULL || size == 0) {
		if (size > 0)
			dst[0] = '\0';
		return;
	}
	if ((n = strlen(src)) >= size) {
		n = size - 1;
		while (n > 0 && ((unsigned char)src[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(dst, src, n);
	dst[n] = '\0';
}

int
admin_dialect_index(uint16_t d)
{
	switch (d) {
	case 0x0202:
		return 0;
	case 0x0210:
		return 1;
	case 0x0300:
		return 2;
	case 0x0302:
		return 3;
	case 0x0311:
		return 4;
	}
	return ADMIN_NDIALECTS - 1;
}

const char *
admin_dialect_name(int i)
{
	if (i < 0 || i >= ADMIN_NDIALECTS)
		return NULL;
	return admin_dialects[i];
}

static void
admin_ix_failed(const char *what, uint32_t id)
{
	if (!admin_partial)
		log_warn("admin: %s %u: id index; falling back to walks",
		    what, id);
	admin_partial = true;
}

/* The wall clock time of a monotonic stamp. */
static void
mono_to_real(uint64_t mono_ms, struct timespec *ts)
{
	uint64_t now = clock_mono_ms(), ago = now > mono_ms ? now - mono_ms : 0;
	int64_t ns;

	clock_real(ts);
	ns = (int64_t)ts->tv_nsec - (int64_t)(ago % 1000) * 1000000;
	ts->tv_sec -= (time_t)(ago / 1000);
	if (ns < 0) {
		ns += 1000000000;
		ts->tv_sec--;
	}
	ts->tv_nsec = (long)ns;
}

/* ---- tree references ---- */

static void
amend_session(struct event *ev, void *arg)
{
	const struct session *s = arg;

	ev->ev_session = s->s_global_id;
	copy_cut(ev->ev_user, sizeof(ev->ev_user), s->s_user);
	copy_cut(ev->ev_client, sizeof(ev->ev_client), s->s_client);
}

static void
tref_bind(struct admin_tref *tr, struct tree *t)
{
	tr->tr_tree = t;
	TAILQ_REMOVE(&admin_unbound, tr, tr_unbound);
	if (t->t_session != NULL)
		(void)events_amend(tr->tr_seq, amend_session, t->t_session);
}

static struct admin_tref *
tref_find(uint64_t id)
{
	return idtab_find(&admin_tree_ix, id);
}

/* An open names its tree: bind it without a walk. */
static void
tref_bind_one(struct tree *t)
{
	struct admin_tref *tr;

	if ((tr = tref_find(t->t_global_id)) != NULL && tr->tr_tree == NULL)
		tref_bind(tr, t);
}

static void
admin_bind_all(void)
{
	struct admin_tref *tr;
	struct session *s;
	struct tree *t;

	if (TAILQ_EMPTY(&admin_unbound))
		return;
	TAILQ_FOREACH(s, &server.sv_sessions, s_entry) {
		TAILQ_FOREACH(t, &s->s_trees, t_entry) {
			if ((tr = tref_find(t->t_global_id)) != NULL &&
			    tr->tr_tree == NULL)
				tref_bind(tr, t);
		}
		if (TAILQ_EMPTY(&admin_unbound))
			return;
	}
}

static void
admin_bind_cb(void *arg)
{
	(void)arg;
	admin_bind_all();
}

static void
tref_free(struct admin_tref *tr)
{
	idtab_del(&admin_tree_ix, tr->tr_id);
	TAILQ_REMOVE(&admin_trefs, tr, tr_entry);
	if (tr->tr_tree == NULL)
		TAILQ_REMOVE(&admin_unbound, tr, tr_unbound);
	admin_ntrefs--;
	free(tr);
}

/*
 * The reference of the tree connect of sh being deregistered now.  After
 * binding, an unbound reference of sh can only be a tree that never got
 * into a TreeConnectTable (a failed connect, or one undone within the
 * same message); otherwise it is the one tree inside tree_disconnect().
 */
static struct admin_tref *
tref_leaving(struct share *sh)
{
	struct admin_tref *tr;
	struct tree *t;

	admin_bind_all();
	TAILQ_FOREACH(tr, &admin_unbound, tr_unbound)
		if (tr->tr_share == sh)
			return tr;
	TAILQ_FOREACH(tr, &admin_trefs, tr_entry) {
		t = tr->tr_tree;
		if (t != NULL && tr->tr_share == sh &&
		    t->t_state == TREE_DEAD && t->t_session != NULL)
			return tr;
	}
	return NULL;
}

/* ---- srvs.c reports here ---- */

void
admin_track_session(struct session *s, uint32_t id, bool registered)
{
	struct event ev;
	int d = admin_dialect_index(s->s_dialect);

	memset(&ev, 0, sizeof(ev));
	ev.ev_type = registered ? EV_SESSION_REGISTERED :
	    EV_SESSION_DEREGISTERED;
	ev.ev_session = id;
	if (s->s_conn != NULL)
		ev.ev_conn = s->s_conn->c_id;
	copy_cut(ev.ev_user, sizeof(ev.ev_user), s->s_user);
	copy_cut(ev.ev_client, sizeof(ev.ev_client), s->s_client);
	if (registered) {
		if (idtab_add(&admin_session_ix, id, s) == -1)
			admin_ix_failed("session", id);
		admin_by_dialect[d]++;
	} else {
		idtab_del(&admin_session_ix, id);
		if (admin_by_dialect[d] > 0)
			admin_by_dialect[d]--;
	}
	events_append(&ev);
}

void
admin_track_tree(struct share *sh, uint32_t id, bool registered)
{
	struct admin_tref *tr;
	struct event ev;
	struct session *s;

	memset(&ev, 0, sizeof(ev));
	copy_cut(ev.ev_share, sizeof(ev.ev_share), sh->sh_name);
	if (registered) {
		ev.ev_type = EV_TREE_REGISTERED;
		ev.ev_tree = id;
		if ((tr = calloc(1, sizeof(*tr))) == NULL ||
		    idtab_add(&admin_tree_ix, id, tr) == -1) {
			free(tr);
			admin_ix_failed("tree", id);
			events_append(&ev);
			return;
		}
		tr->tr_id = id;
		tr->tr_share = sh;
		tr->tr_seq = events_append(&ev);
		TAILQ_INSERT_TAIL(&admin_trefs, tr, tr_entry);
		TAILQ_INSERT_TAIL(&admin_unbound, tr, tr_unbound);
		admin_ntrefs++;
		/* Without a running loop (unit tests) readers bind instead. */
		if (loop_running())
			loop_defer(&admin_bind_defer, admin_bind_cb, NULL);
		return;
	}
	ev.ev_type = EV_TREE_DEREGISTERED;
	if ((tr = tref_leaving(sh)) != NULL) {
		ev.ev_tree = tr->tr_id;
		if (tr->tr_tree != NULL &&
		    (s = tr->tr_tree->t_session) != NULL) {
			ev.ev_session = s->s_global_id;
			copy_cut(ev.ev_user, sizeof(ev.ev_user), s->s_user);
			copy_cut(ev.ev_client, sizeof(ev.ev_client),
			    s->s_client);
		}
		tref_free(tr);
	}
	events_append(&ev);
}

void
admin_track_open(struct ofile *of, uint32_t id, bool registered)
{
	struct session *s = of->of_session;
	struct tree *t = of->of_tree;
	struct event ev;

	memset(&ev, 0, sizeof(ev));
	ev.ev_type = registered ? EV_OPEN_REGISTERED : EV_OPEN_CLOSED;
	ev.ev_open = id;
	if (s != NULL) {
		ev.ev_session = s->s_global_id;
		copy_cut(ev.ev_user, sizeof(ev.ev_user), s->s_user);
		copy_cut(ev.ev_client, sizeof(ev.ev_client), s->s_client);
	}
	if (t != NULL) {
		/* Its tree's records come first: bind before appending. */
		tref_bind_one(t);
		ev.ev_tree = t->t_global_id;
		copy_cut(ev.ev_share, sizeof(ev.ev_share), t->t_share->sh_name);
	}
	copy_cut(ev.ev_path, sizeof(ev.ev_path), of->of_path);
	if (registered) {
		if (idtab_add(&admin_open_ix, id, of) == -1)
			admin_ix_failed("open", id);
	} else
		idtab_del(&admin_open_ix, id);
	events_append(&ev);
}

void
admin_track_clear(void)
{
	struct admin_tref *tr;

	while ((tr = TAILQ_FIRST(&admin_trefs)) != NULL)
		tref_free(tr);
	idtab_free(&admin_session_ix);
	idtab_free(&admin_open_ix);
	idtab_free(&admin_tree_ix);
	memset(admin_by_dialect, 0, sizeof(admin_by_dialect));
	admin_partial = false;
	loop_defer_cancel(&admin_bind_defer);
}

/* ---- lookups ---- */

static struct session *
session_find(uint64_t id)
{
	struct session *s;

	if ((s = idtab_find(&admin_session_ix, id)) == NULL && admin_partial)
		TAILQ_FOREACH(s, &server.sv_sessions, s_entry)
			if (s->s_global_id == id)
				break;
	if (s == NULL || s->s_state == SESSION_DEAD)
		return NULL;
	return s;
}

static struct ofile *
open_find(uint64_t id)
{
	struct ofile *of;

	if ((of = idtab_find(&admin_open_ix, id)) == NULL && admin_partial)
		TAILQ_FOREACH(of, &server.sv_opens, of_global_entry)
			if (of->of_global_id == id)
				break;
	if (of == NULL || of->of_state == OFILE_CLOSED)
		return NULL;
	return of;
}

static struct tree *
tree_find(uint64_t id)
{
	struct admin_tref *tr;
	struct session *s;
	struct tree *t;

	admin_bind_all();
	if ((tr = tref_find(id)) != NULL)
		t = tr->tr_tree;
	else if (admin_partial) {
		t = NULL;
		TAILQ_FOREACH(s, &server.sv_sessions, s_entry) {
			TAILQ_FOREACH(t, &s->s_trees, t_entry)
				if (t->t_global_id == id)
					break;
			if (t != NULL)
				break;
		}
	} else
		t = NULL;
	if (t == NULL || t->t_state != TREE_LIVE)
		return NULL;
	return t;
}

/* Linear: see the top of the file. */
static struct conn *
conn_find(uint64_t id)
{
	struct conn *c;

	TAILQ_FOREACH(c, &server.sv_conns, c_entry)
		if (c->c_id == id && c->c_state != CONN_DEAD)
			return c;
	return NULL;
}

/* ---- the server and its statistics ---- */

int
admin_server_info(struct admin_server *as)
{
	const struct conf *cf = server.sv_conf;
	const uint8_t *g = server.sv_guid;
	int i;

	memset(as, 0, sizeof(*as));
	if (gethostname(as->name, sizeof(as->name) - 1) == -1)
		copy(as->name, sizeof(as->name), "localhost");
	copy(as->version, sizeof(as->version), SMBSRVD_VERSION);
	/* GUID text: the first three fields are little-endian on the wire. */
	snprintf(as->guid, sizeof(as->guid),
	    "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x%02x%02x%02x%02x",
	    g[3], g[2], g[1], g[0], g[5], g[4], g[7], g[6], g[8], g[9],
	    g[10], g[11], g[12], g[13], g[14], g[15]);
	as->start = server.sv_start_real;
	as->uptime_ms = clock_mono_ms() - server.sv_start_mono;
	as->log_level = log_getlevel();
	as->nconnections = server.sv_nconns;
	as->reloads = server.sv_reloads;
	if (cf == NULL)
		return 0;
	copy(as->config_file, sizeof(as->config_file), cf->cf_file);
	copy(as->state_dir, sizeof(as->state_dir), cf->cf_state_dir);
	for (i = 0; i < cf->cf_nsmb_listen && i < ADMIN_MAX_LISTEN; i++)
		copy(as->smb_listen[i], sizeof(as->smb_listen[i]),
		    cf->cf_smb_listen[i].ca_text);
	as->nsmb_listen = i;
	copy(as->admin_socket, sizeof(as->admin_socket), cf->cf_admin_socket);
	if (cf->cf_admin_listen_on)
		copy(as->admin_listen, sizeof(as->admin_listen),
		    cf->cf_admin_listen.ca_text);
	as->nshares = (unsigned int)cf->cf_nshares;
	as->durable_timeout_ms = cf->cf_durable_timeout;
	as->durable_timeout_max_ms = cf->cf_durable_timeout_max;
	as->resilient_timeout_ms = cf->cf_resilient_timeout;
	as->resilient_timeout_max_ms = cf->cf_resilient_timeout_max;
	return 0;
}

int
admin_statistics(struct admin_stats *st)
{
	const struct srvs_stats *ss = &srvs_stats;

	memset(st, 0, sizeof(*st));
	st->start = ss->st_start;
	st->fopens = ss->st_fopens;
	st->devopens = ss->st_devopens;
	st->jobsqueued = ss->st_jobsqueued;
	st->sopens = ss->st_sopens;
	st->stimedout = ss->st_stimedout;
	st->serrorout = ss->st_serrorout;
	st->pwerrors = ss->st_pwerrors;
	st->permerrors = ss->st_permerrors;
	st->syserrors = ss->st_syserrors;
	st->bytessent = ss->st_bytessent;
	st->bytesrcvd = ss->st_bytesrcvd;
	st->avresponse = ss->st_avresponse;
	st->reqbufneed = ss->st_reqbufneed;
	st->bigbufneed = ss->st_bigbufneed;

	st->connections = server.sv_nconns;
	st->sessions = (unsigned int)idtab_count(&server.sv_session_ids);
	memcpy(st->sessions_by_dialect, admin_by_dialect,
	    sizeof(st->sessions_by_dialect));
	st->trees = admin_ntrefs;
	st->opens = (unsigned int)idtab_count(&server.sv_open_ids);
	st->events_last_seq = events_last_seq();
	return 0;
}

/* ---- connections ---- */

int
admin_conn_list(uint64_t after, int (*fn)(const struct admin_conn *, void *),
    void *arg)
{
	struct admin_conn ac;
	struct conn *c;

	TAILQ_FOREACH(c, &server.sv_conns, c_entry) {
		if (c->c_id <= after || c->c_state == CONN_DEAD)
			continue;
		admin_fill_conn(c, &ac);
		if (fn(&ac, arg) != 0)
			break;
	}
	return 0;
}

int
admin_conn_get(uint64_t id, struct admin_conn *ac)
{
	struct conn *c;

	if ((c = conn_find(id)) == NULL)
		return ENOENT;
	admin_fill_conn(c, ac);
	return 0;
}

int
admin_conn_drop(uint64_t id, bool dry_run, const char *by,
    admin_impact_fn fn, void *arg)
{
	struct channel *ch;
	struct session *s;
	struct event ev;
	struct conn *c;

	if ((c = conn_find(id)) == NULL)
		return ENOENT;
	/* A session ends with its last channel (3.3.7.1). */
	TAILQ_FOREACH(ch, &c->c_channels, ch_conn_entry) {
		s = ch->ch_session;
		if (TAILQ_FIRST(&s->s_channels) == ch &&
		    TAILQ_NEXT(ch, ch_session_entry) == NULL &&
		    s->s_state != SESSION_DEAD && fn != NULL &&
		    fn(ADMIN_SESSION, s->s_global_id, arg) != 0)
			break;
	}
	if (fn != NULL)
		(void)fn(ADMIN_CONN, c->c_id, arg);
	if (dry_run)
		return 0;
	log_info("admin: conn %llu (%s) dropped via %s",
	    (unsigned long long)c->c_id, c->c_peer_text, by);
	memset(&ev, 0, sizeof(ev));
	ev.ev_type = EV_ADMIN_CONN_DROPPED;
	ev.ev_conn = c->c_id;
	copy_cut(ev.ev_client, sizeof(ev.ev_client), c->c_peer_text);
	copy_cut(ev.ev_by, sizeof(ev.ev_by), by);
	events_append(&ev);
	conn_abort(c, "dropped by the administrator");
	return 0;
}

/* ---- sessions ---- */

int
admin_session_list(const struct admin_session_filter *f, uint64_t after,
    int (*fn)(const struct admin_session *, void *), void *arg)
{
	struct admin_session as;
	struct session *s;

	/* Start past the cursor's session if it is still there. */
	if (after != 0 && (s = session_find(after)) != NULL)
		s = TAILQ_NEXT(s, s_entry);
	else
		s = TAILQ_FIRST(&server.sv_sessions);
	for (; s != NULL; s = TAILQ_NEXT(s, s_entry)) {
		if (s->s_global_id <= after || s->s_state == SESSION_DEAD ||
		    !admin_session_match(f, s))
			continue;
		admin_fill_session(s, &as);
		if (fn(&as, arg) != 0)
			break;
	}
	return 0;
}

int
admin_session_get(uint64_t id, struct admin_session *as)
{
	struct session *s;

	if ((s = session_find(id)) == NULL)
		return ENOENT;
	admin_fill_session(s, as);
	return 0;
}

int
admin_session_trees(uint64_t id, uint64_t after,
    int (*fn)(const struct admin_tree *, void *), void *arg)
{
	struct admin_tree at;
	struct session *s;
	struct tree *t;

	if ((s = session_find(id)) == NULL)
		return ENOENT;
	/* A session's TreeConnectTable appends, so it is in id order. */
	TAILQ_FOREACH(t, &s->s_trees, t_entry) {
		if (t->t_global_id <= after || t->t_state != TREE_LIVE)
			continue;
		admin_fill_tree(t, &at);
		if (fn(&at, arg) != 0)
			break;
	}
	return 0;
}

int
admin_session_opens(uint64_t id, uint64_t after,
    int (*fn)(const struct admin_open *, void *), void *arg)
{
	struct admin_open_filter f;

	if (session_find(id) == NULL)
		return ENOENT;
	/*
	 * Through GlobalOpenTable, not the session's OpenTable: a durable
	 * reconnect appends an old open to its new session, so only the
	 * global table is sure to be in id order.
	 */
	memset(&f, 0, sizeof(f));
	f.session = id;
	return admin_open_list(&f, after, fn, arg);
}

int
admin_session_close(uint64_t id, bool dry_run, bool keep_durable,
    const char *by, admin_impact_fn fn, void *arg)
{
	struct session *s;
	struct ofile *of;
	struct tree *t;
	struct event ev;
	int stop = 0;

	admin_bind_all();
	if ((s = session_find(id)) == NULL)
		return ENOENT;
	if (fn != NULL) {
		TAILQ_FOREACH(of, &s->s_opens, of_session_entry)
			if ((stop = fn(keep_durable &&
			    ofile_kept_on_logoff(of) ? ADMIN_KEPT : ADMIN_OPEN,
			    of->of_global_id, arg)) != 0)
				break;
		TAILQ_FOREACH(t, &s->s_trees, t_entry)
			if (stop || (stop = fn(ADMIN_TREE, t->t_global_id,
			    arg)) != 0)
				break;
		(void)fn(ADMIN_SESSION, s->s_global_id, arg);
	}
	if (dry_run)
		return 0;
	log_info("admin: session %u (%s%s) closed%s via %s", s->s_global_id,
	    s->s_user[0] != '\0' ? "user " : "unauthenticated",
	    s->s_user, keep_durable ? ", durable opens kept," : "", by);
	memset(&ev, 0, sizeof(ev));
	ev.ev_type = EV_ADMIN_SESSION_CLOSED;
	ev.ev_session = s->s_global_id;
	if (s->s_conn != NULL)
		ev.ev_conn = s->s_conn->c_id;
	copy_cut(ev.ev_user, sizeof(ev.ev_user), s->s_user);
	copy_cut(ev.ev_client, sizeof(ev.ev_client), s->s_client);
	copy_cut(ev.ev_by, sizeof(ev.ev_by), by);
	events_append(&ev);
	/*
	 * 3.3.4.12 closes every open, durable and resilient ones too,
	 * where a logoff or a lost connection would keep them; close them
	 * here so that stays true whatever session_destroy() keeps.
	 */
	if (keep_durable) {
		/* 3.3.5.6 step 2, as if the client had logged off. */
		session_end(s, OFILE_END_LOGOFF, "logged off by the "
		    "administrator");
		return 0;
	}
	while ((of = TAILQ_FIRST(&s->s_opens)) != NULL)
		ofile_close(of);
	session_destroy(s, "closed by the administrator");
	return 0;
}

/* ---- tree connects ---- */

int
admin_tree_list(const struct admin_tree_filter *f, uint64_t after,
    int (*fn)(const struct admin_tree *, void *), void *arg)
{
	struct admin_tree at;
	struct admin_tref *tr;

	admin_bind_all();
	if (after != 0 && (tr = tref_find(after)) != NULL)
		tr = TAILQ_NEXT(tr, tr_entry);
	else
		tr = TAILQ_FIRST(&admin_trefs);
	for (; tr != NULL; tr = TAILQ_NEXT(tr, tr_entry)) {
		if (tr->tr_id <= after || tr->tr_tree == NULL ||
		    tr->tr_tree->t_state != TREE_LIVE ||
		    !admin_tree_match(f, tr->tr_tree))
			continue;
		admin_fill_tree(tr->tr_tree, &at);
		if (fn(&at, arg) != 0)
			break;
	}
	return 0;
}

int
admin_tree_get(uint64_t id, struct admin_tree *at)
{
	struct tree *t;

	if ((t = tree_find(id)) == NULL)
		return ENOENT;
	admin_fill_tree(t, at);
	return 0;
}

int
admin_tree_close(uint64_t id, bool dry_run, const char *by,
    admin_impact_fn fn, void *arg)
{
	struct session *s;
	struct ofile *of;
	struct tree *t;
	struct event ev;

	if ((t = tree_find(id)) == NULL)
		return ENOENT;
	s = t->t_session;
	if (fn != NULL) {
		TAILQ_FOREACH(of, &s->s_opens, of_session_entry)
			if (of->of_tree == t &&
			    fn(ADMIN_OPEN, of->of_global_id, arg) != 0)
				break;
		(void)fn(ADMIN_TREE, t->t_global_id, arg);
	}
	if (dry_run)
		return 0;
	log_info("admin: tree %u ([%s], session %u) closed via %s",
	    t->t_global_id, t->t_share->sh_name, s->s_global_id, by);
	memset(&ev, 0, sizeof(ev));
	ev.ev_type = EV_ADMIN_TREE_CLOSED;
	ev.ev_tree = t->t_global_id;
	ev.ev_session = s->s_global_id;
	copy_cut(ev.ev_share, sizeof(ev.ev_share), t->t_share->sh_name);
	copy_cut(ev.ev_user, sizeof(ev.ev_user), s->s_user);
	copy_cut(ev.ev_client, sizeof(ev.ev_client), s->s_client);
	copy_cut(ev.ev_by, sizeof(ev.ev_by), by);
	events_append(&ev);
	tree_disconnect(t);
	return 0;
}

/* ---- opens ---- */

int
admin_open_list(const struct admin_open_filter *f, uint64_t after,
    int (*fn)(const struct admin_open *, void *), void *arg)
{
	struct admin_open *ao;
	struct ofile *of;
	char path[ADMIN_PATH_LEN];

	/* Records of two paths each: too big for a loop's stack frame. */
	if ((ao = malloc(sizeof(*ao))) == NULL)
		return ENOMEM;
	if (f != NULL && f->path != NULL)
		admin_path_norm(f->path, path, sizeof(path));
	if (after != 0 && (of = open_find(after)) != NULL)
		of = TAILQ_NEXT(of, of_global_entry);
	else
		of = TAILQ_FIRST(&server.sv_opens);
	for (; of != NULL; of = TAILQ_NEXT(of, of_global_entry)) {
		if (of->of_global_id <= after ||
		    of->of_state == OFILE_CLOSED ||
		    !admin_open_match(f, f != NULL && f->path != NULL ? path : NULL,
		    of))
			continue;
		admin_fill_open(of, ao);
		if (fn(ao, arg) != 0)
			break;
	}
	free(ao);
	return 0;
}

int
admin_open_get(uint64_t id, struct admin_open *ao)
{
	struct ofile *of;

	if ((of = open_find(id)) == NULL)
		return ENOENT;
	admin_fill_open(of, ao);
	return 0;
}

int
admin_open_close(uint64_t id, bool dry_run, const char *by,
    admin_impact_fn fn, void *arg)
{
	struct ofile *of;
	struct event ev;

	if ((of = open_find(id)) == NULL)
		return ENOENT;
	if (fn != NULL)
		(void)fn(ADMIN_OPEN, of->of_global_id, arg);
	if (dry_run)
		return 0;
	log_info("admin: open %u (\"%s\") closed via %s", of->of_global_id,
	    of->of_path, by);
	memset(&ev, 0, sizeof(ev));
	ev.ev_type = EV_ADMIN_OPEN_CLOSED;
	ev.ev_open = of->of_global_id;
	if (of->of_session != NULL) {
		ev.ev_session = of->of_session->s_global_id;
		copy_cut(ev.ev_user, sizeof(ev.ev_user),
		    of->of_session->s_user);
		copy_cut(ev.ev_client, sizeof(ev.ev_client),
		    of->of_session->s_client);
	}
	if (of->of_tree != NULL) {
		ev.ev_tree = of->of_tree->t_global_id;
		copy_cut(ev.ev_share, sizeof(ev.ev_share),
		    of->of_tree->t_share->sh_name);
	}
	copy_cut(ev.ev_path, sizeof(ev.ev_path), of->of_path);
	copy_cut(ev.ev_by, sizeof(ev.ev_by), by);
	events_append(&ev);
	ofile_close(of);
	return 0;
}

/* ---- events ---- */

uint64_t
admin_events_since(uint64_t seq, int (*fn)(const struct event *, void *),
    void *arg)
{
	/* Tree records get their session before anyone sees them. */
	admin_bind_all();
	return events_since(seq, fn, arg);
}

uint64_t
admin_events_last_seq(void)
{
	return events_last_seq();
}

uint64_t
admin_events_first_seq(void)
{
	return events_first_seq();
}

void
admin_events_subscribe(struct events_sub *es, events_fn fn, void *arg)
{
	events_subscribe(es, 0, fn, arg);
}

void
admin_events_unsubscribe(struct events_sub *es)
{
	events_unsubscribe(es);
}

/* ---- for the other admin_*.c files (admin_int.h) ---- */

struct ofile *
admin_open_lookup(uint64_t id)
{
	return open_find(id);
}

void
admin_copy(char *dst, size_t size, const char *src)
{
	copy_cut(dst, size, src);
}

void
admin_mono_to_real(uint64_t mono_ms, struct timespec *ts)
{
	mono_to_real(mono_ms, ts);
}
