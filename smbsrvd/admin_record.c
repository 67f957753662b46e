/*
 * admin_record.c — what the management plane is told about a connection,
 * session, tree connect or open (the admin_* records of admin.h), and the
 * filters its listings take.  admin.c finds the objects and acts on them;
 * this file only reads them.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "admin.h"
#include "admin_int.h"
#include "clock.h"
#include "conn.h"
#include "lease.h"
#include "ofile.h"
#include "session.h"
#include "share.h"
#include "tree.h"

/* MS-SRVS 2.2.2.4 */
#define STYPE_DISKTREE	0x00000000u
#define STYPE_IPC	0x00000003u
#define STYPE_SPECIAL	0x80000000u
/* MS-SRVS 2.2.2.3 */
#define SESS_GUEST		0x00000001u
#define SESS_NOENCRYPTION	0x00000002u

/* Milliseconds from then to now on the wall clock, never negative. */
static uint64_t
since_ms(const struct timespec *then)
{
	struct timespec now;
	int64_t ms;

	clock_real(&now);
	ms = (int64_t)(now.tv_sec - then->tv_sec) * 1000 +
	    (now.tv_nsec - then->tv_nsec) / 1000000;
	return ms > 0 ? (uint64_t)ms : 0;
}

/* ---- records ---- */

uint32_t
admin_share_stype(const struct share *sh)
{
	return sh->sh_type == SHARE_IPC ? STYPE_IPC | STYPE_SPECIAL :
	    STYPE_DISKTREE;
}

void
admin_fill_conn(const struct conn *c, struct admin_conn *ac)
{
	const struct channel *ch;

	memset(ac, 0, sizeof(*ac));
	ac->id = c->c_id;
	admin_copy(ac->client, sizeof(ac->client), c->c_peer_text);
	admin_copy(ac->server, sizeof(ac->server), c->c_local_text);
	if (c->c_negotiated && c->c_dialect != 0 && c->c_dialect != 0x02ff)
		admin_copy(ac->dialect, sizeof(ac->dialect),
		    admin_dialect_name(admin_dialect_index(c->c_dialect)));
	ac->closing = c->c_state == CONN_CLOSING;
	admin_mono_to_real(c->c_created_ms, &ac->since);
	ac->age_ms = clock_mono_ms() - c->c_created_ms;
	ac->messages_in = c->c_msgs_in;
	ac->output_queued = c->c_out_bytes;
	TAILQ_FOREACH(ch, &c->c_channels, ch_conn_entry)
		ac->nsessions++;
}

static const char *
session_state_name(enum session_state st)
{
	switch (st) {
	case SESSION_IN_PROGRESS:
		return "in_progress";
	case SESSION_VALID:
		return "valid";
	case SESSION_EXPIRED:
		return "expired";
	case SESSION_DEAD:
		return "closed";
	}
	return "unknown";
}

void
admin_fill_session(const struct session *s, struct admin_session *as)
{
	const struct channel *ch;
	uint64_t now = clock_mono_ms();

	memset(as, 0, sizeof(*as));
	as->id = s->s_global_id;
	as->smb_id = s->s_id;
	as->conn_id = s->s_conn != NULL ? s->s_conn->c_id : 0;
	admin_copy(as->state, sizeof(as->state), session_state_name(s->s_state));
	admin_copy(as->user, sizeof(as->user), s->s_user);
	admin_copy(as->domain, sizeof(as->domain), s->s_domain);
	admin_copy(as->client, sizeof(as->client), s->s_client);
	admin_copy(as->dialect, sizeof(as->dialect),
	    admin_dialect_name(admin_dialect_index(s->s_dialect)));
	/* sesi502_transport: we have one transport, Direct TCP (2.1). */
	admin_copy(as->transport, sizeof(as->transport), "direct_tcp");
	as->nopens = (unsigned int)idtab_count(&s->s_open_ids);
	as->ntrees = (unsigned int)idtab_count(&s->s_tree_ids);
	TAILQ_FOREACH(ch, &s->s_channels, ch_session_entry)
		if (ch->ch_bound)
			as->nchannels++;
	as->since = s->s_created;
	as->connected_ms = now > s->s_created_ms ? now - s->s_created_ms : 0;
	as->idle_ms = now > s->s_idle_ms ? now - s->s_idle_ms : 0;
	as->guest = s->s_guest;
	as->anonymous = s->s_anonymous;
	as->encrypted = s->s_encrypt;
	as->signing = s->s_signing_required;
	as->user_flags = (s->s_guest ? SESS_GUEST : 0) |
	    (s->s_encrypt ? 0 : SESS_NOENCRYPTION);
}

void
admin_fill_tree(const struct tree *t, struct admin_tree *at)
{
	const struct session *s = t->t_session;

	memset(at, 0, sizeof(*at));
	at->id = t->t_global_id;
	at->session_id = s != NULL ? s->s_global_id : 0;
	at->smb_id = t->t_id;
	admin_copy(at->share, sizeof(at->share), t->t_share->sh_name);
	at->share_type = admin_share_stype(t->t_share);
	at->nopens = t->t_open_count;
	if (s != NULL) {
		admin_copy(at->user, sizeof(at->user), s->s_user);
		admin_copy(at->client, sizeof(at->client), s->s_client);
	}
	at->since = t->t_created;
	at->connected_ms = since_ms(&t->t_created);
	at->maximal_access = t->t_max_access;
	at->encrypted = t->t_encrypt;
}

void
admin_fill_open(const struct ofile *of, struct admin_open *ao)
{
	const struct session *s = of->of_session;
	const struct tree *t = of->of_tree;
	const struct share *sh = t != NULL ? t->t_share : NULL;

	memset(ao, 0, sizeof(*ao));
	ao->id = of->of_global_id;
	ao->session_id = s != NULL ? s->s_global_id : 0;
	ao->tree_id = t != NULL ? t->t_global_id : 0;
	ao->persistent = of->of_persistent;
	ao->volatile_id = of->of_volatile;
	/* Detached: the durable work keeps it without session or tree. */
	ao->detached = s == NULL;
	admin_copy(ao->path, sizeof(ao->path), of->of_path);
	if (sh != NULL && sh->sh_path != NULL)
		snprintf(ao->local_path, sizeof(ao->local_path), "%s%s%s",
		    sh->sh_path, of->of_path[0] != '\0' ? "/" : "",
		    of->of_path);
	if (sh != NULL)
		admin_copy(ao->share, sizeof(ao->share), sh->sh_name);
	if (s != NULL) {
		admin_copy(ao->user, sizeof(ao->user), s->s_user);
		admin_copy(ao->client, sizeof(ao->client), s->s_client);
	}
	ao->is_directory = of->of_is_dir;
	ao->access = of->of_access;
	ao->share_access = of->of_share_access;
	ao->oplock = of->of_oplock;
	ao->nlocks = of->of_lock_count;
	ao->delete_on_close = of->of_delete_on_close;
	ao->since = of->of_opened;
	ao->open_ms = since_ms(&of->of_opened);
	if (of->of_lease != NULL) {
		const struct lease *l = of->of_lease;
		int i;

		ao->has_lease = true;
		for (i = 0; i < 16; i++)
			snprintf(ao->lease_key + 2 * i, 3, "%02x", l->l_key[i]);
		ao->lease_version = l->l_version;
		ao->lease_state = l->l_state;
		ao->lease_breaking = l->l_breaking;
		ao->lease_break_to = l->l_breaking ? l->l_break_to : 0;
		ao->lease_epoch = l->l_epoch;
	}
	if (ofile_durability(of) != NULL) {
		admin_copy(ao->durability, sizeof(ao->durability),
		    ofile_durability(of));
		ao->durable_timeout_ms = of->of_resilient ?
		    of->of_resilient_timeout : of->of_durable_timeout;
	}
}

/* A three-way filter member against what is true of the open. */
static bool
tri_match(enum admin_tristate want, bool is)
{
	return want == ADMIN_ANY || (want == ADMIN_YES) == is;
}

/* ---- filters ---- */

/* "addr:port" exactly, or "addr" alone; "::1" also finds "[::1]:port". */
static bool
client_match(const char *want, const char *client)
{
	size_t n = strlen(want);

	if (strcmp(want, client) == 0)
		return true;
	if (strncmp(client, want, n) == 0 && client[n] == ':')
		return true;
	return client[0] == '[' && strncmp(client + 1, want, n) == 0 &&
	    client[n + 1] == ']';
}

bool
admin_session_match(const struct admin_session_filter *f, const struct session *s)
{
	if (f == NULL)
		return true;
	if (f->user != NULL && strcasecmp(f->user, s->s_user) != 0)
		return false;
	if (f->client != NULL && !client_match(f->client, s->s_client))
		return false;
	if (f->dialect != NULL && strcmp(f->dialect,
	    admin_dialect_name(admin_dialect_index(s->s_dialect))) != 0)
		return false;
	return true;
}

bool
admin_tree_match(const struct admin_tree_filter *f, const struct tree *t)
{
	const struct session *s = t->t_session;

	if (f == NULL)
		return true;
	if (f->session != 0 && (s == NULL || s->s_global_id != f->session))
		return false;
	if (f->share != NULL && strcasecmp(f->share, t->t_share->sh_name) != 0)
		return false;
	if (f->user != NULL && (s == NULL || strcasecmp(f->user,
	    s->s_user) != 0))
		return false;
	if (f->client != NULL && (s == NULL ||
	    !client_match(f->client, s->s_client)))
		return false;
	return true;
}

/*
 * A path prefix as an administrator may type it ("\dir\", "/dir") to the
 * form opens keep ("dir"): no leading separator, '/' between names.
 */
void
admin_path_norm(const char *in, char *out, size_t len)
{
	size_t i = 0;

	while (*in == '/' || *in == '\\')
		in++;
	for (; *in != '\0' && i + 1 < len; in++)
		out[i++] = *in == '\\' ? '/' : *in;
	out[i] = '\0';
}

bool
admin_open_match(const struct admin_open_filter *f, const char *path,
    const struct ofile *of)
{
	const struct session *s = of->of_session;
	const struct tree *t = of->of_tree;

	if (f == NULL)
		return true;
	if (f->session != 0 && (s == NULL || s->s_global_id != f->session))
		return false;
	if (f->share != NULL && (t == NULL ||
	    strcasecmp(f->share, t->t_share->sh_name) != 0))
		return false;
	if (f->user != NULL && (s == NULL || strcasecmp(f->user,
	    s->s_user) != 0))
		return false;
	if (path != NULL && strncmp(of->of_path, path, strlen(path)) != 0)
		return false;
	return tri_match(f->detached, of->of_state == OFILE_DISCONNECTED) &&
	    tri_match(f->durable, of->of_durable && !of->of_resilient) &&
	    tri_match(f->resilient, of->of_resilient);
}
