/*
 * lease.c — leases (see lease.h for the states and the lifetime).
 *
 * Rules, as Windows and MS-FSA 2.1.5.17 apply them (they decide the
 * smbtorture smb2.lease expectations): leases of different keys share R
 * and H; W only goes to a lease whose file has no other open; beside an
 * oplock a lease gets R at most, and beside a lease with H an oplock gets
 * none (oplock_grant()).  Conflicts break W (a plain open), H (a sharing
 * conflict) or everything (an overwrite); a write breaks R.
 */
#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "log.h"
#include "loop.h"
#include "lease.h"
#include "msgbuf.h"
#include "ntstatus.h"
#include "ofile.h"
#include "oplock.h"
#include "server.h"
#include "session.h"
#include "smb2.h"
#include "smb2_negotiate.h"
#include "smb2_req.h"

#define LEASE_BUCKETS		64	/* power of two */
#define BREAK_NOTIFY_SIZE	44	/* 2.2.23.2 */
#define BREAK_ACK_SIZE		36	/* 2.2.24.2, 2.2.25.2 */

#define R	SMB2_LEASE_READ_CACHING
#define H	SMB2_LEASE_HANDLE_CACHING
#define W	SMB2_LEASE_WRITE_CACHING

/* GlobalLeaseTableList entry (3.3.1.11). */
struct lease_table {
	LIST_ENTRY(lease_table)	 lt_entry;
	uint8_t			 lt_guid[16];	/* ClientGuid */
	LIST_HEAD(, lease)	 lt_leases[LEASE_BUCKETS];
	size_t			 lt_count;
};

static LIST_HEAD(, lease_table) tables = LIST_HEAD_INITIALIZER(tables);
static size_t		 nleases;
static unsigned int	 visit_gen;
static struct loop_defer close_defer;

static void	lease_timeout(struct timer *, void *);
static void	lease_step(struct lease *);

/* -------------------------------------------------------------------- */
/* The rules (pure). */

bool
lease_state_valid(uint32_t s)
{
	return s == 0 || s == R || s == (R | H) || s == (R | W) ||
	    s == (R | W | H);
}

uint32_t
lease_allowed(const struct lease_others *o)
{
	uint32_t a = R | H | W;

	/* Nothing beside an unbroken exclusive holder (a compound). */
	if (o->lo_exclusive || (o->lo_leases & W))
		return 0;
	if (o->lo_opens)
		a &= ~W;
	if (o->lo_oplock)
		a &= ~H;
	return a;
}

uint32_t
lease_grant_new(uint32_t requested, const struct lease_others *o)
{
	if (!lease_state_valid(requested))
		return 0;
	return requested & lease_allowed(o);
}

uint32_t
lease_grant_upgrade(uint32_t cur, uint32_t requested,
    const struct lease_others *o)
{
	if (!lease_state_valid(requested) || requested == cur ||
	    (requested & cur) != cur ||
	    (requested & ~lease_allowed(o)) != 0)
		return cur;
	return requested;
}

uint32_t
lease_break_to(uint32_t cur, bool sharing, bool overwrite)
{
	if (overwrite)
		return 0;
	return cur & ~(sharing ? H : W);
}

bool
lease_break_waits(uint32_t cur, uint32_t to, bool sharing)
{
	return ((cur & ~to) & (sharing ? H : W)) != 0;
}

bool
lease_break_needs_ack(uint32_t from)
{
	return (from & (W | H)) != 0;
}

uint32_t
lease_next_step(uint32_t acked, uint32_t required)
{
	uint32_t next;

	if ((acked & ~required) == 0)
		return acked;
	next = acked & required;
	if (acked & (W | H))
		next |= acked & R;
	return next;
}

uint32_t
lease_ack_status(bool breaking, uint32_t break_to, uint32_t acked)
{
	/* 3.3.5.22.2, in the spec's order. */
	if (!breaking)
		return STATUS_UNSUCCESSFUL;
	if ((acked & ~break_to) != 0)
		return STATUS_REQUEST_NOT_ACCEPTED;
	return STATUS_SUCCESS;
}

bool
lease_stat_open(uint32_t access)
{
	const uint32_t stat = FILE_READ_ATTRIBUTES | FILE_WRITE_ATTRIBUTES |
	    READ_CONTROL | SYNCHRONIZE;

	return access != 0 && (access & ~stat) == 0;
}

uint8_t
lease_oplock_cap(uint8_t level, uint32_t other_leases)
{
	if (other_leases & (H | W))
		return SMB2_OPLOCK_LEVEL_NONE;
	return level;
}

/* -------------------------------------------------------------------- */
/* The tables. */

static size_t
key_bucket(const uint8_t key[16])
{
	uint32_t h = 2166136261u;
	int i;

	for (i = 0; i < 16; i++)
		h = (h ^ key[i]) * 16777619u;
	return h & (LEASE_BUCKETS - 1);
}

static struct lease_table *
table_find(const uint8_t guid[16])
{
	struct lease_table *lt;

	LIST_FOREACH(lt, &tables, lt_entry) {
		if (memcmp(lt->lt_guid, guid, 16) == 0)
			return lt;
	}
	return NULL;
}

struct lease *
lease_lookup(const uint8_t guid[16], const uint8_t key[16])
{
	struct lease_table *lt;
	struct lease *l;

	if ((lt = table_find(guid)) == NULL)
		return NULL;
	LIST_FOREACH(l, &lt->lt_leases[key_bucket(key)], l_entry) {
		if (memcmp(l->l_key, key, 16) == 0)
			return l;
	}
	return NULL;
}

static struct lease *
lease_new(const uint8_t guid[16], const struct lease_req *lr,
    const struct fnode *fn)
{
	struct lease_table *lt;
	struct lease *l;
	size_t i;

	if ((lt = table_find(guid)) == NULL) {
		if ((lt = calloc(1, sizeof(*lt))) == NULL)
			return NULL;
		memcpy(lt->lt_guid, guid, 16);
		for (i = 0; i < LEASE_BUCKETS; i++)
			LIST_INIT(&lt->lt_leases[i]);
		LIST_INSERT_HEAD(&tables, lt, lt_entry);
	}
	if ((l = calloc(1, sizeof(*l))) == NULL) {
		if (lt->lt_count == 0) {
			LIST_REMOVE(lt, lt_entry);
			free(lt);
		}
		return NULL;
	}
	l->l_magic = LEASE_MAGIC;
	l->l_table = lt;
	memcpy(l->l_key, lr->lr_key, 16);
	l->l_version = lr->lr_version;
	if (lr->lr_version == 2 &&
	    (lr->lr_flags & SMB2_LEASE_FLAG_PARENT_LEASE_KEY_SET)) {
		memcpy(l->l_parent, lr->lr_parent, 16);
		l->l_has_parent = true;
	}
	l->l_dev = fn->fn_dev;
	l->l_ino = fn->fn_ino;
	TAILQ_INIT(&l->l_opens);
	timer_init(&l->l_timer, lease_timeout, l);
	LIST_INSERT_HEAD(&lt->lt_leases[key_bucket(l->l_key)], l, l_entry);
	lt->lt_count++;
	nleases++;
	return l;
}

static void
lease_free(struct lease *l)
{
	struct lease_table *lt = l->l_table;

	loop_timer_cancel(&l->l_timer);
	LIST_REMOVE(l, l_entry);
	nleases--;
	if (--lt->lt_count == 0) {
		LIST_REMOVE(lt, lt_entry);
		free(lt);
	}
	/* Creates that waited on its break may go on. */
	if (l->l_breaking)
		oplock_waiters_kick();
	l->l_magic = 0;
	free(l);
}

size_t
lease_count(void)
{
	return nleases;
}

void
lease_open_attach(struct lease *l, struct ofile *of)
{
	TAILQ_INSERT_TAIL(&l->l_opens, of, of_lease_entry);
	l->l_nopens++;
	of->of_lease = l;
	of->of_oplock = SMB2_OPLOCK_LEVEL_LEASE;
}

void
lease_open_detach(struct ofile *of)
{
	struct lease *l = of->of_lease;

	if (l == NULL)
		return;
	TAILQ_REMOVE(&l->l_opens, of, of_lease_entry);
	of->of_lease = NULL;
	if (--l->l_nopens == 0)
		lease_free(l);
}

bool
lease_handle_held(const struct ofile *of)
{
	const struct lease *l = of->of_lease;

	return l != NULL && (l->l_state & H) &&
	    (!l->l_breaking || (l->l_break_to & H));
}

/* -------------------------------------------------------------------- */
/* CREATE. */

uint32_t
lease_req_parse(struct lease_req *lr, struct msgbuf_rd *d, uint32_t dlen)
{
	memset(lr, 0, sizeof(*lr));
	if (dlen != LEASE_CTX_V1_LEN && dlen != LEASE_CTX_V2_LEN)
		return STATUS_INVALID_PARAMETER;
	msgbuf_get_bytes(d, lr->lr_key, 16);
	lr->lr_state = msgbuf_get_le32(d);
	lr->lr_flags = msgbuf_get_le32(d);
	msgbuf_skip(d, 8);			/* LeaseDuration */
	if (dlen == LEASE_CTX_V2_LEN) {
		msgbuf_get_bytes(d, lr->lr_parent, 16);
		lr->lr_epoch = msgbuf_get_le16(d);
		msgbuf_skip(d, 2);
	}
	if (!msgbuf_rd_ok(d))
		return STATUS_INVALID_PARAMETER;
	lr->lr_version = dlen == LEASE_CTX_V2_LEN ? 2 : 1;
	return STATUS_SUCCESS;
}

void
lease_req_dialect(const struct conn *c, struct lease_req *lr)
{
	/* 3.3.5.9.8: only 2.1 and 3.x; 3.3.5.9.11: v2 only on 3.x. */
	if (c->c_dialect < SMB2_DIALECT_210 ||
	    c->c_dialect == SMB2_DIALECT_WILDCARD ||
	    (lr->lr_version == 2 && c->c_dialect < SMB2_DIALECT_300))
		lr->lr_version = 0;
}

uint32_t
lease_create_check(const struct conn *c, struct lease_req *lr,
    uint8_t oplock, bool exists, dev_t dev, ino_t ino)
{
	struct lease *l;

	/* 3.3.5.9.8: SHOULD ignore it without RequestedOplockLevel LEASE. */
	lease_req_dialect(c, lr);
	if (lr->lr_version == 0)
		return STATUS_SUCCESS;
	if (oplock != SMB2_OPLOCK_LEVEL_LEASE) {
		lr->lr_version = 0;
		return STATUS_SUCCESS;
	}
	/* "Lease.Filename does not match": the key names another file. */
	if ((l = lease_lookup(c->c_client_guid, lr->lr_key)) != NULL &&
	    (!exists || l->l_dev != dev || l->l_ino != ino))
		return STATUS_INVALID_PARAMETER;
	return STATUS_SUCCESS;
}

/* What the opens of fn other than of and l's own hold. */
static void
others_of(const struct fnode *fn, const struct ofile *of,
    const struct lease *l, struct lease_others *o)
{
	const struct ofile *x;

	memset(o, 0, sizeof(*o));
	TAILQ_FOREACH(x, &fn->fn_opens, of_fnode_entry) {
		if (x == of || (l != NULL && x->of_lease == l))
			continue;
		if (x->of_lease == NULL && x->of_oplock_state == OPLOCK_NONE &&
		    lease_stat_open(x->of_access))
			continue;
		o->lo_opens = true;
		if (x->of_lease != NULL)
			o->lo_leases |= x->of_lease->l_state;
		else if (x->of_oplock_state != OPLOCK_NONE &&
		    x->of_oplock != SMB2_OPLOCK_LEVEL_NONE) {
			o->lo_oplock = true;
			if (x->of_oplock == SMB2_OPLOCK_LEVEL_EXCLUSIVE ||
			    x->of_oplock == SMB2_OPLOCK_LEVEL_BATCH)
				o->lo_exclusive = true;
		}
	}
}

uint8_t
lease_grant(struct ofile *of, const uint8_t guid[16],
    const struct lease_req *lr)
{
	struct lease_others o;
	struct lease *l;
	uint32_t state;

	/* 3.3.5.9.8: no directory leases (no DIRECTORY_LEASING). */
	if (of->of_is_dir || lr->lr_version == 0)
		return SMB2_OPLOCK_LEVEL_NONE;
	if ((l = lease_lookup(guid, lr->lr_key)) != NULL) {
		/* An open of the key: its lease, upgraded if it can be. */
		others_of(of->of_fnode, of, l, &o);
		state = l->l_breaking ? l->l_state :
		    lease_grant_upgrade(l->l_state, lr->lr_state, &o);
		if (state != l->l_state) {
			log_debug("lease of \"%s\": upgraded 0x%x -> 0x%x",
			    of->of_path, l->l_state, state);
			l->l_state = state;
			l->l_epoch++;
		}
	} else {
		if ((l = lease_new(guid, lr, of->of_fnode)) == NULL) {
			log_warnx("lease of \"%s\": out of memory",
			    of->of_path);
			return SMB2_OPLOCK_LEVEL_NONE;
		}
		others_of(of->of_fnode, of, NULL, &o);
		l->l_state = lease_grant_new(lr->lr_state, &o);
		/* Windows answers a new v2 lease with Epoch + 1. */
		l->l_epoch = lr->lr_epoch + 1;
		log_debug("lease of \"%s\": granted 0x%x of 0x%x", of->of_path,
		    l->l_state, lr->lr_state);
	}
	lease_open_attach(l, of);
	return SMB2_OPLOCK_LEVEL_LEASE;
}

size_t
lease_response(const struct ofile *of, uint8_t *buf)
{
	const struct lease *l = of->of_lease;
	uint32_t flags = 0;

	if (l == NULL)
		return 0;
	/* 2.2.14.2.10 / 2.2.14.2.11; LeaseDuration is 0. */
	memset(buf, 0, LEASE_CTX_V2_LEN);
	if (l->l_breaking)
		flags |= SMB2_LEASE_FLAG_BREAK_IN_PROGRESS;
	memcpy(buf, l->l_key, 16);
	le32enc(buf + 16, l->l_state);
	if (l->l_version == 1) {
		le32enc(buf + 20, flags);
		return LEASE_CTX_V1_LEN;
	}
	if (l->l_has_parent) {
		flags |= SMB2_LEASE_FLAG_PARENT_LEASE_KEY_SET;
		memcpy(buf + 32, l->l_parent, 16);
	}
	le32enc(buf + 20, flags);
	le16enc(buf + 48, l->l_epoch);
	return LEASE_CTX_V2_LEN;
}

uint32_t
lease_reconnect_check(const struct ofile *of, const uint8_t guid[16],
    const struct lease_req *lr, const char *path)
{
	const struct lease *l = of->of_lease;

	/* 3.3.5.9.7 / 3.3.5.9.12: the lease must be the open's own. */
	if ((lr->lr_version != 0) != (of->of_oplock ==
	    SMB2_OPLOCK_LEVEL_LEASE))
		return STATUS_OBJECT_NAME_NOT_FOUND;
	if (lr->lr_version == 0)
		return STATUS_SUCCESS;
	if (l == NULL || memcmp(l->l_table->lt_guid, guid, 16) != 0 ||
	    memcmp(l->l_key, lr->lr_key, 16) != 0)
		return STATUS_OBJECT_NAME_NOT_FOUND;
	/* Lease.Filename: unlike an oplock's, a lease's name must match. */
	if (path != NULL && strcmp(path, of->of_path) != 0)
		return STATUS_INVALID_PARAMETER;
	return STATUS_SUCCESS;
}

/* -------------------------------------------------------------------- */
/* Breaks. */

/*
 * The connection for a notification: on 3.x the client's oldest
 * connection with a session (a lease belongs to the ClientGuid, as
 * Windows and Samba send it; smb2.lease.v2_complex1), else one of an
 * attached open of l.
 */
static struct conn *
lease_conn(const struct lease *l)
{
	const struct ofile *of;
	struct conn *c;

	TAILQ_FOREACH(c, &server.sv_conns, c_entry) {
		if (c->c_state == CONN_LIVE &&
		    c->c_dialect >= SMB2_DIALECT_300 &&
		    c->c_dialect != SMB2_DIALECT_WILDCARD &&
		    !TAILQ_EMPTY(&c->c_channels) &&
		    memcmp(c->c_client_guid, l->l_table->lt_guid, 16) == 0)
			return c;
	}
	TAILQ_FOREACH(of, &l->l_opens, of_lease_entry) {
		if (of->of_session == NULL ||
		    (c = of->of_session->s_conn) == NULL)
			continue;
		if (c->c_state == CONN_LIVE)
			return c;
	}
	return NULL;
}

/*
 * 2.2.23.2, 3.3.4.7: an unsolicited OPLOCK_BREAK, MessageId all ones,
 * SessionId and TreeId 0, not signed, on the connection of one of the
 * lease's opens.  False if no connection is there.
 */
static bool
send_notify(const struct lease *l, uint32_t from, uint32_t to, bool ack)
{
	struct conn *c;
	struct msgbuf_wr wr;
	struct smb2_hdr h;
	uint8_t *buf;
	size_t len;

	if ((c = lease_conn(l)) == NULL)
		return false;
	memset(&h, 0, sizeof(h));
	h.h_command = SMB2_OPLOCK_BREAK;
	h.h_flags = SMB2_FLAGS_SERVER_TO_REDIR;
	h.h_mid = UINT64_MAX;
	msgbuf_wr_init(&wr, SMB2_HDR_LEN + BREAK_NOTIFY_SIZE);
	smb2_hdr_encode(&wr, &h);
	msgbuf_put_le16(&wr, BREAK_NOTIFY_SIZE);
	msgbuf_put_le16(&wr, l->l_version == 2 ? l->l_epoch : 0);
	msgbuf_put_le32(&wr, ack ? SMB2_NOTIFY_BREAK_LEASE_FLAG_ACK_REQUIRED :
	    0);
	msgbuf_put_bytes(&wr, l->l_key, 16);
	msgbuf_put_le32(&wr, from);		/* CurrentLeaseState */
	msgbuf_put_le32(&wr, to);		/* NewLeaseState */
	/* BreakReason, AccessMaskHint, ShareMaskHint. */
	msgbuf_put_zero(&wr, 12);
	if (!msgbuf_wr_ok(&wr)) {
		msgbuf_wr_free(&wr);
		return true;	/* as if lost: the timeout ends the break */
	}
	buf = msgbuf_wr_steal(&wr, &len);
	log_debug("lease %02x%02x..: break 0x%x -> 0x%x%s", l->l_key[0],
	    l->l_key[1], from, to, ack ? " (ack required)" : "");
	(void)conn_send(c, buf, len);
	return true;
}

/*
 * 3.3.4.7 "no connection is available": the break completes at once and
 * the lease's disconnected durable (not resilient) opens are closed,
 * before the loop
 * sleeps (not inside the walk that found them).  Windows closes them even
 * when H would be left (smb2.durable-open.lease, open2-lease), so the
 * conflicting open gets what it would get without them; it waits for
 * this pass and runs again.
 */
static void
close_detached(void *arg)
{
	struct ofile *of, *tof;

	(void)arg;
	TAILQ_FOREACH_SAFE(of, &server.sv_opens, of_global_entry, tof) {
		if (of->of_lease != NULL && of->of_lease->l_close_detached &&
		    of->of_state == OFILE_DISCONNECTED && !of->of_resilient) {
			log_info("open %u of \"%s\": lease broken while "
			    "disconnected, closed", of->of_global_id,
			    of->of_path);
			ofile_close(of);
		}
	}
	TAILQ_FOREACH(of, &server.sv_opens, of_global_entry) {
		if (of->of_lease != NULL)
			of->of_lease->l_close_detached = false;
	}
	oplock_waiters_kick();
}

static void
unreachable(struct lease *l, uint32_t to)
{
	l->l_state = to;
	l->l_close_detached = true;
	loop_defer(&close_defer, close_detached, NULL);
}

/* Begins a break of l to (at most) to, or lowers one in progress. */
static void
lease_start_break(struct lease *l, uint32_t to)
{
	to &= l->l_state;
	if (l->l_breaking) {
		l->l_required &= to;
		return;
	}
	if (to == l->l_state)
		return;
	l->l_epoch++;
	if (!lease_break_needs_ack(l->l_state)) {
		/* 3.3.4.7: from R alone, Flags 0 and done at once. */
		if (!send_notify(l, l->l_state, to, false))
			unreachable(l, to);
		else
			l->l_state = to;
		return;
	}
	if (!send_notify(l, l->l_state, to, true)) {
		unreachable(l, to);
		return;
	}
	l->l_breaking = true;
	l->l_break_to = to;
	l->l_required = to;
	(void)loop_timer_after(&l->l_timer, LEASE_BREAK_TIMEOUT_MS);
}

/*
 * After an acknowledgment (or a timeout): if conflicts that came during
 * the break need less than l holds, the next step follows at once, with
 * the same epoch (it is the same break for the client).
 */
static void
lease_step(struct lease *l)
{
	uint32_t next;

	while (!l->l_breaking &&
	    (next = lease_next_step(l->l_state, l->l_required)) !=
	    l->l_state) {
		if (!lease_break_needs_ack(l->l_state)) {
			if (!send_notify(l, l->l_state, next, false))
				unreachable(l, next);
			else
				l->l_state = next;
			continue;
		}
		if (!send_notify(l, l->l_state, next, true)) {
			unreachable(l, next);
			continue;
		}
		l->l_breaking = true;
		l->l_break_to = next;
		(void)loop_timer_after(&l->l_timer, LEASE_BREAK_TIMEOUT_MS);
	}
}

/* The break ended: the lease holds state; the next step, waiters. */
static void
lease_break_done(struct lease *l, uint32_t state)
{
	loop_timer_cancel(&l->l_timer);
	l->l_state = state;
	l->l_breaking = false;
	lease_step(l);
	oplock_waiters_kick();
}

static void
lease_timeout(struct timer *t, void *arg)
{
	struct lease *l = arg;

	(void)t;
	/*
	 * 3.3.6.5: no acknowledgment in time is an acknowledgment of none
	 * (as Windows and smb2.lease.timeout have it).
	 */
	log_info("lease %02x%02x..: no break acknowledgment in %u ms",
	    l->l_key[0], l->l_key[1], LEASE_BREAK_TIMEOUT_MS);
	l->l_required = 0;
	lease_break_done(l, 0);
}

bool
lease_break_for_open(struct fnode *fn, const struct lease *own,
    bool overwrite, bool sharing)
{
	struct ofile *o;
	struct lease *l;
	uint32_t to;
	bool wait = false;

	if (fn == NULL)
		return false;
	visit_gen++;
	TAILQ_FOREACH(o, &fn->fn_opens, of_fnode_entry) {
		if ((l = o->of_lease) == NULL || l == own ||
		    l->l_visit == visit_gen)
			continue;
		l->l_visit = visit_gen;
		to = lease_break_to(l->l_state, sharing, overwrite);
		lease_start_break(l, to);
		if ((l->l_breaking && lease_break_waits(l->l_state, to,
		    sharing)) || l->l_close_detached)
			wait = true;
	}
	return wait;
}

void
lease_break_for_write(struct fnode *fn, const struct ofile *writer)
{
	struct ofile *o;
	struct lease *l;

	visit_gen++;
	TAILQ_FOREACH(o, &fn->fn_opens, of_fnode_entry) {
		if ((l = o->of_lease) == NULL || l == writer->of_lease ||
		    l->l_visit == visit_gen)
			continue;
		l->l_visit = visit_gen;
		/* MS-FSA 2.1.5.3: cached reads of others go stale. */
		if (l->l_state & R)
			lease_start_break(l, 0);
	}
}

bool
lease_file_breaking(const struct fnode *fn)
{
	const struct ofile *o;

	TAILQ_FOREACH(o, &fn->fn_opens, of_fnode_entry) {
		if (o->of_lease != NULL && o->of_lease->l_breaking)
			return true;
	}
	return false;
}

uint32_t
lease_others_states(const struct fnode *fn, const struct ofile *of)
{
	const struct ofile *o;
	uint32_t s = 0;

	TAILQ_FOREACH(o, &fn->fn_opens, of_fnode_entry) {
		if (o != of && o->of_lease != NULL &&
		    o->of_lease != of->of_lease)
			s |= o->of_lease->l_state;
	}
	return s;
}

/* -------------------------------------------------------------------- */
/* OPLOCK_BREAK: the lease acknowledgment. */

uint32_t
lease_break_ack(struct smb_req *r)
{
	struct lease *l;
	uint8_t key[16];
	uint32_t state, st;

	/* 2.2.24.2: Reserved, Flags, LeaseKey, LeaseState, LeaseDuration. */
	if (smb2_req_body(r, BREAK_ACK_SIZE) == -1)
		return STATUS_INVALID_PARAMETER;
	msgbuf_skip(&r->r_rd, 6);
	msgbuf_get_bytes(&r->r_rd, key, 16);
	state = msgbuf_get_le32(&r->r_rd);
	msgbuf_skip(&r->r_rd, 8);
	if (!msgbuf_rd_ok(&r->r_rd))
		return STATUS_INVALID_PARAMETER;
	/* 3.3.5.22.2, in the spec's order. */
	if ((l = lease_lookup(r->r_conn->c_client_guid, key)) == NULL)
		return STATUS_OBJECT_NAME_NOT_FOUND;
	if ((st = lease_ack_status(l->l_breaking, l->l_break_to, state)) !=
	    STATUS_SUCCESS)
		return st;
	log_debug("lease %02x%02x..: break acknowledged at 0x%x", key[0],
	    key[1], state);
	/* 2.2.25.2: the state acknowledged, before any next step goes. */
	msgbuf_put_le16(&r->r_rsp, BREAK_ACK_SIZE);
	msgbuf_put_le16(&r->r_rsp, 0);
	msgbuf_put_le32(&r->r_rsp, 0);
	msgbuf_put_bytes(&r->r_rsp, l->l_key, 16);
	msgbuf_put_le32(&r->r_rsp, state);
	msgbuf_put_le64(&r->r_rsp, 0);
	lease_break_done(l, state);
	return STATUS_SUCCESS;
}
