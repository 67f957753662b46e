/*
 * events.c — the event ring (see events.h).
 *
 * The record with seq s lives in slot (s - 1) % EVENTS_RING, so the ring
 * needs no head or tail besides the newest seq: it holds the seqs
 * max(1, last - EVENTS_RING + 1) .. last.  A reader is a seq, not a
 * pointer, and can never see a slot rewritten under it: everything runs
 * on the loop thread.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "events.h"
#include "loop.h"

/* Subscribers filter by a 64-bit mask of types. */
_Static_assert(EV_NTYPES <= 64, "too many event types for a mask");

static struct event	events_ring[EVENTS_RING];
static uint64_t		events_last;

static TAILQ_HEAD(, events_sub) events_subs =
    TAILQ_HEAD_INITIALIZER(events_subs);
static struct loop_defer events_notify_defer;

/* Indexed by enum event_type. */
static const char *const events_names[EV_NTYPES] = {
	[EV_NONE] = "none",
	[EV_SESSION_REGISTERED] = "session.registered",
	[EV_SESSION_DEREGISTERED] = "session.deregistered",
	[EV_TREE_REGISTERED] = "tree.registered",
	[EV_TREE_DEREGISTERED] = "tree.deregistered",
	[EV_OPEN_REGISTERED] = "open.registered",
	[EV_OPEN_CLOSED] = "open.closed",
	[EV_ADMIN_SESSION_CLOSED] = "admin.session.closed",
	[EV_ADMIN_TREE_CLOSED] = "admin.tree.closed",
	[EV_ADMIN_OPEN_CLOSED] = "admin.open.closed",
	[EV_ADMIN_CONN_DROPPED] = "admin.connection.dropped",
	[EV_SERVER_RELOADED] = "server.reloaded",
	[EV_OPEN_EXPIRED] = "open.expired",
	[EV_ADMIN_SHARE_ADDED] = "admin.share.added",
	[EV_ADMIN_SHARE_CHANGED] = "admin.share.changed",
	[EV_ADMIN_SHARE_REMOVED] = "admin.share.removed",
	[EV_ADMIN_USER_ADDED] = "admin.user.added",
	[EV_ADMIN_USER_CHANGED] = "admin.user.changed",
	[EV_ADMIN_USER_REMOVED] = "admin.user.removed",
	[EV_ADMIN_OPEN_EXTENDED] = "admin.open.extended",
};

static struct event *
events_slot(uint64_t seq)
{
	return &events_ring[(seq - 1) % EVENTS_RING];
}

uint64_t
events_first_seq(void)
{
	return events_last > EVENTS_RING ? events_last - EVENTS_RING + 1 : 1;
}

uint64_t
events_last_seq(void)
{
	return events_last;
}

/* Runs from the before-sleep pass: subscribers may do real work here. */
static void
events_notify(void *arg)
{
	struct events_sub *es, *tes;

	(void)arg;
	TAILQ_FOREACH_SAFE(es, &events_subs, es_entry, tes) {
		if (es->es_pending == 0)
			continue;
		es->es_pending = 0;
		es->es_fn(events_last, es->es_arg);
	}
}

uint64_t
events_append(const struct event *ev)
{
	struct event *slot;
	struct events_sub *es;
	uint64_t bit;
	bool wake = false;

	events_last++;
	slot = events_slot(events_last);
	*slot = *ev;
	slot->ev_seq = events_last;
	clock_real(&slot->ev_time);
	/* Strings from a caller's struct end inside their arrays. */
	slot->ev_share[sizeof(slot->ev_share) - 1] = '\0';
	slot->ev_user[sizeof(slot->ev_user) - 1] = '\0';
	slot->ev_client[sizeof(slot->ev_client) - 1] = '\0';
	slot->ev_path[sizeof(slot->ev_path) - 1] = '\0';
	slot->ev_by[sizeof(slot->ev_by) - 1] = '\0';

	bit = 1ull << ((unsigned)ev->ev_type % EV_NTYPES);
	TAILQ_FOREACH(es, &events_subs, es_entry) {
		if (es->es_types == 0 || (es->es_types & bit)) {
			es->es_pending |= bit;
			wake = true;
		}
	}
	/*
	 * Only with subscribers: they exist only once the loop runs, and
	 * code that appends without a loop (unit tests) must not queue.
	 */
	if (wake)
		loop_defer(&events_notify_defer, events_notify, NULL);
	return events_last;
}

uint64_t
events_since(uint64_t seq, int (*fn)(const struct event *, void *),
    void *arg)
{
	uint64_t first = events_first_seq(), missed = 0, s;

	if (seq + 1 < first) {
		missed = first - (seq + 1);
		seq = first - 1;
	}
	for (s = seq + 1; s <= events_last; s++)
		if (fn(events_slot(s), arg) != 0)
			break;
	return missed;
}

int
events_amend(uint64_t seq, void (*fn)(struct event *, void *), void *arg)
{
	struct event *ev;
	struct timespec when;
	enum event_type type;

	if (seq == 0 || seq > events_last || seq < events_first_seq())
		return -1;
	ev = events_slot(seq);
	when = ev->ev_time;
	type = ev->ev_type;
	fn(ev, arg);
	/* The seq, time and type say when and what happened; they stay. */
	ev->ev_seq = seq;
	ev->ev_time = when;
	ev->ev_type = type;
	return 0;
}

const char *
events_type_name(enum event_type t)
{
	if ((unsigned)t >= EV_NTYPES)
		return NULL;
	return events_names[t];
}

enum event_type
events_type_lookup(const char *name)
{
	int t;

	for (t = EV_NONE + 1; t < EV_NTYPES; t++)
		if (strcmp(events_names[t], name) == 0)
			return (enum event_type)t;
	return EV_NONE;
}

void
events_subscribe(struct events_sub *es, uint64_t types, events_fn fn,
    void *arg)
{
	if (es->es_on)
		return;
	es->es_fn = fn;
	es->es_arg = arg;
	es->es_types = types;
	es->es_pending = 0;
	es->es_on = true;
	TAILQ_INSERT_TAIL(&events_subs, es, es_entry);
}

void
events_unsubscribe(struct events_sub *es)
{
	if (!es->es_on)
		return;
	TAILQ_REMOVE(&events_subs, es, es_entry);
	es->es_on = false;
	if (TAILQ_EMPTY(&events_subs))
		loop_defer_cancel(&events_notify_defer);
}

void
events_clear(void)
{
	memset(events_ring, 0, sizeof(events_ring));
	events_last = 0;
}
