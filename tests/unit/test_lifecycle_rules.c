/*
 * test_lifecycle_rules.c — one test per rule of MS-SMB2 3.3.5.6 (LOGOFF)
 * and 3.3.7.1 (loss of a connection), and the Durable Open Scavenger
 * (3.3.6.2), each named after its section and step
 * (/work/shared/spec/LIFECYCLE.md §4, §9, §12), through the real
 * dispatcher (lifecycle_wire.h).  sts0_sopens, sts0_fopens and
 * Share.CurrentUses are checked after every step (COUNTS); the clock is
 * the fake one.  test_lifecycle.c has the rules that need no wire
 * (3.3.4.12, the oplock states of 3.3.7.1 B.1, 100 000 opens);
 * test_durable_rules.c the durable and resilient create and reconnect
 * rules.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "brlock.h"
#include "conn.h"
#include "lease.h"
#include "loop.h"
#include "ntstatus.h"
#include "ofile.h"
#include "oplock.h"
#include "server.h"
#include "session.h"
#include "share.h"
#include "srvs.h"
#include "tree.h"

#include "fake_clock.h"
#include "lifecycle_wire.h"

/* ================= LOGOFF, MS-SMB2 3.3.5.6 ================= */

/*
 * Step 2: a resilient open is detached onto the Resilient Open
 * Scavenger with its ResiliencyTimeout, a durable one onto the Durable
 * Open Scavenger with its DurableOpenTimeout, every other open closed;
 * each scavenger then closes its open at its own deadline, not before
 * (3.3.6.4, 3.3.6.2).
 */
static void
test_3_3_5_6_step2_opens_detached_with_their_own_timeouts(void **state)
{
	struct session *s = session_of(&cl[0], "alice");
	struct tree *t = tree_of(s);
	struct ofile *plain, *dur, *res;
	uint64_t p_plain, p_res;

	(void)state;
	COUNTS(1, 1, 0);
	plain = open_plain(&cl[0], s, t, "plain", SMB2_OPLOCK_LEVEL_NONE,
	    NULL, 0);
	p_plain = plain->of_persistent;
	dur = open_durable(&cl[0], s, t, "durable");
	res = open_plain(&cl[0], s, t, "resilient", SMB2_OPLOCK_LEVEL_NONE,
	    NULL, 0);
	assert_int_equal(resiliency(&cl[0], s, t, res, 5000, 8),
	    STATUS_SUCCESS);
	p_res = res->of_persistent;
	COUNTS(1, 1, 3);
	assert_int_equal(t->t_open_count, 3);

	assert_int_equal(logoff(&cl[0], s->s_id), STATUS_SUCCESS);
	assert_null(ofile_find_persistent(p_plain));
	assert_detached(dur, SHARE_DURABLE_MS);
	assert_detached(res, 5000);
	assert_int_equal(ofile_scavenger_count(), 2);
	COUNTS(0, 0, 3);

	fake_clock_advance(4999);
	loop_once(0);
	assert_int_equal(res->of_state, OFILE_DISCONNECTED);
	fake_clock_advance(1);
	loop_once(0);
	assert_null(ofile_find_persistent(p_res));
	assert_int_equal(ofile_scavenger_count(), 1);
	COUNTS(0, 0, 3);
	fake_clock_advance(SHARE_DURABLE_MS - 5001);
	loop_once(0);
	assert_int_equal(dur->of_state, OFILE_DISCONNECTED);
	fake_clock_advance(1);
	loop_once(0);
	assert_int_equal(ofile_scavenger_count(), 0);
	assert_true(TAILQ_EMPTY(&server.sv_opens));
	COUNTS(0, 0, 3);
}

/*
 * Step 2 has no oplock condition (unlike 3.3.7.1): a durable open whose
 * batch oplock was broken to level II is still kept by a LOGOFF.
 */
static void
test_3_3_5_6_step2_durable_open_kept_whatever_its_oplock(void **state)
{
	struct session *s = session_of(&cl[0], "alice");
	struct tree *t = tree_of(s);
	struct ofile *of = open_durable(&cl[0], s, t, "durable");

	(void)state;
	of->of_oplock = SMB2_OPLOCK_LEVEL_II;	/* after a break */
	COUNTS(1, 1, 1);
	assert_int_equal(logoff(&cl[0], s->s_id), STATUS_SUCCESS);
	assert_detached(of, SHARE_DURABLE_MS);
	COUNTS(0, 0, 1);
}

/*
 * Step 3: every tree connect of the session is deregistered (MS-SRVS
 * 3.1.6.7), Share.CurrentUses going down by one for each, whether or
 * not opens of the tree are kept.
 */
static void
test_3_3_5_6_step3_every_tree_connect_deregistered(void **state)
{
	struct session *s = session_of(&cl[0], "alice");
	struct tree *t1 = tree_of(s), *t2;

	(void)state;
	COUNTS(1, 1, 0);
	t2 = tree_of(s);
	(void)tree_of(s);
	COUNTS(1, 3, 0);
	(void)open_durable(&cl[0], s, t1, "durable");
	(void)open_plain(&cl[0], s, t2, "plain", 0, NULL, 0);
	COUNTS(1, 3, 2);
	assert_int_equal(logoff(&cl[0], s->s_id), STATUS_SUCCESS);
	COUNTS(0, 0, 2);
	assert_int_equal(ofile_scavenger_count(), 1);
	/* A new session of the same user connects again at once. */
	s = session_of(&cl[0], "alice");
	(void)tree_of(s);
	COUNTS(1, 1, 2);
}

/*
 * Step 4 (3.x): the session leaves the SessionTable of every channel's
 * connection and every channel is freed; a request on the other channel
 * then finds no session either.
 */
static void
test_3_3_5_6_step4_every_channel_freed(void **state)
{
	struct session *s = session_of(&cl[0], "alice");
	uint64_t id = s->s_id;

	(void)state;
	assert_non_null(session_bind(s, cl[1].c));
	(void)tree_of(s);
	COUNTS(1, 1, 0);
	assert_non_null(session_channel(cl[0].c, id));
	assert_non_null(session_channel(cl[1].c, id));
	assert_int_equal(logoff(&cl[0], id), STATUS_SUCCESS);
	assert_null(session_channel(cl[0].c, id));
	assert_null(session_channel(cl[1].c, id));
	assert_true(TAILQ_EMPTY(&cl[1].c->c_channels));
	COUNTS(0, 0, 0);
	assert_int_equal(query(&cl[1], id, 0), STATUS_USER_SESSION_DELETED);
}

/*
 * Steps 5 and 6: the session leaves GlobalSessionTable and the
 * connection's table (MS-SRVS 3.1.6.3, sts0_sopens - 1), the LOGOFF is
 * answered with STATUS_SUCCESS, and afterwards its SessionId gets
 * STATUS_USER_SESSION_DELETED, a second LOGOFF too.
 */
static void
test_3_3_5_6_step5_6_session_deregistered_and_its_id_deleted(void **state)
{
	struct session *s = session_of(&cl[0], "alice"), *other;
	struct tree *t = tree_of(s);
	uint64_t id = s->s_id;
	uint32_t tid = t->t_id;

	(void)state;
	other = session_of(&cl[0], "alice");
	COUNTS(2, 1, 0);
	/* Past the session and tree gates, to the FileId 0 it names. */
	assert_int_equal(query(&cl[0], id, tid), STATUS_FILE_CLOSED);
	assert_int_equal(logoff(&cl[0], id), STATUS_SUCCESS);
	assert_null(session_lookup_global(id));
	assert_null(session_channel(cl[0].c, id));
	COUNTS(1, 0, 0);
	assert_int_equal(query(&cl[0], id, tid),
	    STATUS_USER_SESSION_DELETED);
	assert_int_equal(logoff(&cl[0], id), STATUS_USER_SESSION_DELETED);
	COUNTS(1, 0, 0);
	/* The other session of the connection is untouched. */
	assert_int_equal(other->s_state, SESSION_VALID);
	assert_int_equal(logoff(&cl[0], other->s_id), STATUS_SUCCESS);
	COUNTS(0, 0, 0);
}

/* ============ loss of a connection, MS-SMB2 3.3.7.1 ============ */

/*
 * A: a 3.x session with another channel loses only this channel;
 * its opens, tree connects and the counters stay, and Session.Connection
 * moves to a remaining channel.
 */
static void
test_3_3_7_1_A_lost_channel_of_a_bound_session_changes_nothing(
    void **state)
{
	struct session *s = session_of(&cl[1], "alice");
	struct tree *t = tree_of(s);
	struct ofile *plain, *dur;
	uint64_t id = s->s_id;

	(void)state;
	assert_non_null(session_bind(s, cl[0].c));
	plain = open_plain(&cl[1], s, t, "plain", 0, NULL, 0);
	dur = open_durable(&cl[1], s, t, "durable");
	COUNTS(1, 1, 2);
	assert_ptr_equal(s->s_conn, cl[1].c);
	client_drop(&cl[1]);
	assert_ptr_equal(session_lookup_global(id), s);
	session_rele(s);
	assert_ptr_equal(s->s_conn, cl[0].c);
	assert_int_equal(plain->of_state, OFILE_ACTIVE);
	assert_int_equal(dur->of_state, OFILE_ACTIVE);
	assert_int_equal(t->t_open_count, 2);
	assert_int_equal(ofile_scavenger_count(), 0);
	COUNTS(1, 1, 2);
	/* The last channel goes: now the session ends (B). */
	client_drop(&cl[0]);
	assert_null(session_lookup_global(id));
	assert_detached(dur, SHARE_DURABLE_MS);
	COUNTS(0, 0, 2);
}

/*
 * B.1: a durable open with a lease is preserved while the lease holds
 * handle caching; mid-break to a state without it, it is not (B.3).
 */
static void
test_3_3_7_1_B1_durable_lease_kept_only_with_handle_caching(void **state)
{
	struct session *s = session_of(&cl[0], "alice");
	struct tree *t = tree_of(s);
	struct ctx x[2];
	struct ofile *kept, *broken;
	uint64_t p_broken;

	(void)state;
	x[0] = lease(0x11, R_ | H_);
	x[1] = dhnq();
	kept = open_plain(&cl[0], s, t, "kept", SMB2_OPLOCK_LEVEL_LEASE, x, 2);
	assert_true(kept->of_durable);
	x[0] = lease(0x22, R_ | W_ | H_);
	broken = open_plain(&cl[0], s, t, "broken", SMB2_OPLOCK_LEVEL_LEASE,
	    x, 2);
	assert_true(broken->of_durable);
	p_broken = broken->of_persistent;
	/* Breaking to R: handle caching is on its way out. */
	broken->of_lease->l_breaking = true;
	broken->of_lease->l_break_to = R_;
	COUNTS(1, 1, 2);
	client_drop(&cl[0]);
	assert_detached(kept, SHARE_DURABLE_MS);
	assert_null(ofile_find_persistent(p_broken));
	assert_int_equal(ofile_scavenger_count(), 1);
	COUNTS(0, 0, 2);
}

/*
 * B.1-B.5 on the wire: the client's connection goes; its resilient open
 * (no oplock needed) and its durable open with a batch oplock are
 * detached with their timeouts, its plain open closes, both its tree
 * connects and its session are deregistered, and the session of another
 * connection, with its tree and open, is untouched.
 */
static void
test_3_3_7_1_B1_B5_lost_connection_detaches_and_deregisters(void **state)
{
	struct session *s = session_of(&cl[0], "alice"), *s2;
	struct tree *t = tree_of(s), *t2;
	struct ofile *plain, *dur, *res, *o2;
	uint64_t id = s->s_id, p_plain;

	(void)state;
	(void)tree_of(s);
	s2 = session_of(&cl[1], "bob");
	t2 = tree_of(s2);
	COUNTS(2, 3, 0);
	plain = open_plain(&cl[0], s, t, "plain", 0, NULL, 0);
	p_plain = plain->of_persistent;
	dur = open_durable(&cl[0], s, t, "durable");
	res = open_plain(&cl[0], s, t, "resilient", 0, NULL, 0);
	assert_int_equal(resiliency(&cl[0], s, t, res, 0, 8), STATUS_SUCCESS);
	o2 = open_plain(&cl[1], s2, t2, "other", 0, NULL, 0);
	COUNTS(2, 3, 4);

	client_drop(&cl[0]);
	assert_null(ofile_find_persistent(p_plain));
	assert_detached(dur, SHARE_DURABLE_MS);
	assert_detached(res, RESILIENT_MS);
	assert_null(session_lookup_global(id));
	COUNTS(1, 1, 4);
	assert_int_equal(s2->s_state, SESSION_VALID);
	assert_int_equal(o2->of_state, OFILE_ACTIVE);
	assert_int_equal(t2->t_open_count, 1);
	assert_int_equal(query(&cl[1], s2->s_id, t2->t_id),
	    STATUS_FILE_CLOSED);
}

/*
 * 3.3.6.2 (and 3.3.2.2): the durable scavenger never closes before the
 * deadline; at it, the open is closed for real (MS-SRVS 3.1.6.5), and
 * its byte-range locks go with it, so another open may now lock.
 */
static void
test_3_3_6_2_scavenger_closes_for_real_and_releases_locks(void **state)
{
	struct session *s = session_of(&cl[0], "alice"), *s2;
	struct tree *t = tree_of(s), *t2;
	struct brlock_elem e = { 0, 100, SMB2_LOCKFLAG_EXCLUSIVE_LOCK };
	struct ofile *dur, *other;
	uint64_t p;
	int fd;

	(void)state;
	dur = open_durable(&cl[0], s, t, "locked");
	p = dur->of_persistent;
	assert_int_equal(brlock_lock(dur, &e, 1), STATUS_SUCCESS);
	client_drop(&cl[0]);
	assert_detached(dur, SHARE_DURABLE_MS);
	COUNTS(0, 0, 1);

	/* Another client's open of the file, beside the kept one. */
	s2 = session_of(&cl[1], "bob");
	t2 = tree_of(s2);
	fd = openat(t2->t_root, "locked", O_RDWR | O_CLOEXEC);
	assert_true(fd != -1);
	assert_int_equal(ofile_open(s2, t2, fd, "locked", "locked", false, RW,
	    FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, 0,
	    &other), STATUS_SUCCESS);
	COUNTS(1, 1, 2);
	assert_int_equal(brlock_lock(other, &e, 1), STATUS_LOCK_NOT_GRANTED);
	fake_clock_advance(SHARE_DURABLE_MS - 1);
	loop_once(0);
	assert_ptr_equal(ofile_find_persistent(p), dur);
	assert_int_equal(brlock_lock(other, &e, 1), STATUS_LOCK_NOT_GRANTED);
	fake_clock_advance(1);
	loop_once(0);
	assert_null(ofile_find_persistent(p));
	assert_int_equal(ofile_scavenger_count(), 0);
	assert_int_equal(brlock_lock(other, &e, 1), STATUS_SUCCESS);
	COUNTS(1, 1, 2);
}

#define T(f) cmocka_unit_test_setup_teardown(f, wire_setup, wire_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_3_3_5_6_step2_opens_detached_with_their_own_timeouts),
		T(test_3_3_5_6_step2_durable_open_kept_whatever_its_oplock),
		T(test_3_3_5_6_step3_every_tree_connect_deregistered),
		T(test_3_3_5_6_step4_every_channel_freed),
		T(test_3_3_5_6_step5_6_session_deregistered_and_its_id_deleted),
		T(test_3_3_7_1_A_lost_channel_of_a_bound_session_changes_nothing),
		T(test_3_3_7_1_B1_durable_lease_kept_only_with_handle_caching),
		T(test_3_3_7_1_B1_B5_lost_connection_detaches_and_deregisters),
		T(test_3_3_6_2_scavenger_closes_for_real_and_releases_locks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
