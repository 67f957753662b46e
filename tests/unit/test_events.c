/*
 * test_events.c — smbsrvd/events.c: the ring keeps the newest
 * EVENTS_RING records with gap-free seqs, readers that fall behind learn
 * how many they missed, records can be completed while held, and
 * subscribers hear of appends from the loop's before-sleep pass only.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "events.h"
#include "log.h"
#include "loop.h"

struct seen {
	uint64_t	seqs[EVENTS_RING + 16];
	size_t		n;
	size_t		stop_after;	/* 0: never stop */
};

static int
collect(const struct event *ev, void *arg)
{
	struct seen *s = arg;

	s->seqs[s->n++] = ev->ev_seq;
	return s->stop_after != 0 && s->n == s->stop_after;
}

static uint64_t
append_n(size_t n, enum event_type type)
{
	struct event ev;
	uint64_t seq = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		memset(&ev, 0, sizeof(ev));
		ev.ev_type = type;
		ev.ev_session = i + 1;
		seq = events_append(&ev);
	}
	return seq;
}

static int
setup(void **state)
{
	(void)state;
	events_clear();
	return 0;
}

static void
test_events_seq_starts_at_one_without_gaps(void **state)
{
	struct seen s;
	size_t i;

	(void)state;
	assert_int_equal(events_last_seq(), 0);
	assert_int_equal(events_first_seq(), 1);
	assert_int_equal(append_n(10, EV_SESSION_REGISTERED), 10);
	memset(&s, 0, sizeof(s));
	assert_int_equal(events_since(0, collect, &s), 0);
	assert_int_equal(s.n, 10);
	for (i = 0; i < s.n; i++)
		assert_int_equal(s.seqs[i], i + 1);
}

static int
check_fields(const struct event *ev, void *arg)
{
	(void)arg;
	assert_int_equal(ev->ev_seq, 1);
	assert_int_equal(ev->ev_type, EV_OPEN_REGISTERED);
	assert_int_equal(ev->ev_open, 7);
	assert_string_equal(ev->ev_path, "dir/file.txt");
	assert_int_equal(strlen(ev->ev_user), EVENT_USER_LEN - 1);
	assert_true(ev->ev_time.tv_sec > 0);
	return 0;
}

static void
test_events_record_is_a_terminated_copy(void **state)
{
	struct event ev;

	(void)state;
	memset(&ev, 0, sizeof(ev));
	ev.ev_type = EV_OPEN_REGISTERED;
	ev.ev_seq = 999;		/* ignored: the ring numbers */
	ev.ev_open = 7;
	snprintf(ev.ev_path, sizeof(ev.ev_path), "dir/file.txt");
	memset(ev.ev_user, 'u', sizeof(ev.ev_user));	/* unterminated */
	assert_int_equal(events_append(&ev), 1);
	/* The caller's struct is not the record. */
	ev.ev_open = 8;
	(void)events_since(0, check_fields, NULL);
}

static void
test_events_wrap_keeps_the_newest(void **state)
{
	struct seen s;
	uint64_t last;
	size_t i;

	(void)state;
	last = append_n(EVENTS_RING + 10, EV_TREE_REGISTERED);
	assert_int_equal(last, EVENTS_RING + 10);
	assert_int_equal(events_first_seq(), 11);
	memset(&s, 0, sizeof(s));
	/* A reader at 0 missed the ten records the ring gave up. */
	assert_int_equal(events_since(0, collect, &s), 10);
	assert_int_equal(s.n, EVENTS_RING);
	for (i = 0; i < s.n; i++)
		assert_int_equal(s.seqs[i], i + 11);
}

static void
test_events_gap_counts_only_what_is_gone(void **state)
{
	struct seen s;

	(void)state;
	(void)append_n(EVENTS_RING * 2 + 3, EV_OPEN_CLOSED);
	assert_int_equal(events_first_seq(), EVENTS_RING + 4);
	memset(&s, 0, sizeof(s));
	assert_int_equal(events_since(5, collect, &s), EVENTS_RING - 2);
	assert_int_equal(s.seqs[0], EVENTS_RING + 4);
	/* Just before the oldest held: nothing missed. */
	memset(&s, 0, sizeof(s));
	assert_int_equal(events_since(EVENTS_RING + 3, collect, &s), 0);
	assert_int_equal(s.n, EVENTS_RING);
	/* Up to date: nothing missed, nothing new. */
	memset(&s, 0, sizeof(s));
	assert_int_equal(events_since(events_last_seq(), collect, &s), 0);
	assert_int_equal(s.n, 0);
}

static void
test_events_reader_may_stop_early(void **state)
{
	struct seen s;

	(void)state;
	(void)append_n(20, EV_SESSION_DEREGISTERED);
	memset(&s, 0, sizeof(s));
	s.stop_after = 3;
	assert_int_equal(events_since(4, collect, &s), 0);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.seqs[0], 5);
	assert_int_equal(s.seqs[2], 7);
}

static void
set_session(struct event *ev, void *arg)
{
	ev->ev_session = *(uint64_t *)arg;
	/* Neither renumbered, retimed nor retyped. */
	ev->ev_seq = 12345;
	ev->ev_time.tv_sec = 1;
	ev->ev_type = EV_ADMIN_CONN_DROPPED;
	snprintf(ev->ev_user, sizeof(ev->ev_user), "bench");
}

static int
check_amended(const struct event *ev, void *arg)
{
	(void)arg;
	assert_int_equal(ev->ev_seq, 2);
	assert_int_equal(ev->ev_type, EV_TREE_REGISTERED);
	assert_true(ev->ev_time.tv_sec > 1);
	assert_int_equal(ev->ev_session, 42);
	assert_string_equal(ev->ev_user, "bench");
	return 1;
}

static void
test_events_amend_completes_a_held_record(void **state)
{
	uint64_t sid = 42;

	(void)state;
	(void)append_n(3, EV_TREE_REGISTERED);
	assert_int_equal(events_amend(2, set_session, &sid), 0);
	(void)events_since(1, check_amended, NULL);
	/* Not handed out yet, never handed out, or gone: refused. */
	assert_int_equal(events_amend(4, set_session, &sid), -1);
	assert_int_equal(events_amend(0, set_session, &sid), -1);
	(void)append_n(EVENTS_RING, EV_TREE_REGISTERED);
	assert_int_equal(events_amend(2, set_session, &sid), -1);
}

static void
test_events_type_names_round_trip(void **state)
{
	int t;

	(void)state;
	for (t = EV_NONE + 1; t < EV_NTYPES; t++) {
		assert_non_null(events_type_name((enum event_type)t));
		assert_int_equal(events_type_lookup(events_type_name(
		    (enum event_type)t)), t);
	}
	assert_string_equal(events_type_name(EV_SESSION_REGISTERED),
	    "session.registered");
	assert_string_equal(events_type_name(EV_ADMIN_CONN_DROPPED),
	    "admin.connection.dropped");
	assert_null(events_type_name(EV_NTYPES));
	assert_int_equal(events_type_lookup("session.nope"), EV_NONE);
}

struct woke {
	int		calls;
	uint64_t	last;
	struct events_sub *unsub;	/* unsubscribe this from the call */
};

static void
woke_cb(uint64_t last, void *arg)
{
	struct woke *w = arg;

	w->calls++;
	w->last = last;
	if (w->unsub != NULL)
		events_unsubscribe(w->unsub);
}

static void
test_events_subscribers_hear_from_the_loop_only(void **state)
{
	struct events_sub all, trees;
	struct woke wa, wt;

	(void)state;
	assert_int_equal(loop_init(), 0);
	memset(&all, 0, sizeof(all));
	memset(&trees, 0, sizeof(trees));
	memset(&wa, 0, sizeof(wa));
	memset(&wt, 0, sizeof(wt));
	events_subscribe(&all, 0, woke_cb, &wa);
	events_subscribe(&trees, 1ull << EV_TREE_REGISTERED, woke_cb, &wt);

	(void)append_n(3, EV_SESSION_REGISTERED);
	/* Not from inside the append: the protocol is on the stack. */
	assert_int_equal(wa.calls, 0);
	assert_int_equal(loop_once(0), 0);
	/* Once per pass, with the newest seq; the filter holds. */
	assert_int_equal(wa.calls, 1);
	assert_int_equal(wa.last, 3);
	assert_int_equal(wt.calls, 0);

	(void)append_n(1, EV_TREE_REGISTERED);
	wa.unsub = &all;		/* may leave from its own call */
	assert_int_equal(loop_once(0), 0);
	assert_int_equal(wa.calls, 2);
	assert_int_equal(wt.calls, 1);
	assert_int_equal(wt.last, 4);

	(void)append_n(1, EV_TREE_REGISTERED);
	assert_int_equal(loop_once(0), 0);
	assert_int_equal(wa.calls, 2);
	assert_int_equal(wt.calls, 2);
	events_unsubscribe(&trees);
	events_unsubscribe(&trees);	/* idempotent */
	(void)append_n(1, EV_TREE_REGISTERED);
	assert_int_equal(loop_once(0), 0);
	assert_int_equal(wt.calls, 2);
	loop_free();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f)	cmocka_unit_test_setup(f, setup)
		T(test_events_seq_starts_at_one_without_gaps),
		T(test_events_record_is_a_terminated_copy),
		T(test_events_wrap_keeps_the_newest),
		T(test_events_gap_counts_only_what_is_gone),
		T(test_events_reader_may_stop_early),
		T(test_events_amend_completes_a_held_record),
		T(test_events_type_names_round_trip),
		T(test_events_subscribers_hear_from_the_loop_only),
#undef T
	};

	log_init("test_events", 1, LOG_LVL_ERR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
