/*
 * test_durable_rules.c — one test per rule of the durable and resilient
 * create and reconnect processing of MS-SMB2: 3.3.5.9.6 (DHnQ),
 * 3.3.5.9.7 (DHnC), 3.3.5.9.10 (DH2Q), 3.3.5.9.12 (DH2C) and 3.3.5.15.9
 * (FSCTL_LMR_REQUEST_RESILIENCY), each named after its section and step
 * (/work/shared/spec/LIFECYCLE.md §8, §11), through the real dispatcher
 * (lifecycle_wire.h), with sts0_sopens, sts0_fopens and
 * Share.CurrentUses checked after every step (COUNTS).
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

/* ============ DHnQ, MS-SMB2 3.3.5.9.6 ============ */

/* Step 3: DHnQ with DH2Q is STATUS_INVALID_PARAMETER; nothing opens. */
static void
test_3_3_5_9_6_step3_dhnq_with_dh2q_is_invalid_parameter(void **state)
{
	struct session *s = session_of(&cl[0], "alice");
	struct tree *t = tree_of(s);
	struct ctx x[2];

	(void)state;
	x[0] = dhnq();
	x[1] = dh2q(0, 0x31);
	assert_int_equal(create(&cl[0], s, t, "f", SMB2_OPLOCK_LEVEL_BATCH,
	    FILE_NON_DIRECTORY_FILE_OPT, x, 2).status,
	    STATUS_INVALID_PARAMETER);
	assert_true(TAILQ_EMPTY(&server.sv_opens));
	COUNTS(1, 1, 0);
}

/*
 * Step 4: without a batch oplock or a lease with handle caching the
 * context is ignored: the open succeeds, is not durable, gets no DHnQ
 * response, and a LOGOFF closes it.
 */
static void
test_3_3_5_9_6_step4_without_batch_or_handle_lease_ignored(void **state)
{
	static const uint8_t levels[] = { SMB2_OPLOCK_LEVEL_NONE,
	    SMB2_OPLOCK_LEVEL_II, SMB2_OPLOCK_LEVEL_EXCLUSIVE };
	struct session *s = session_of(&cl[0], "alice");
	struct tree *t = tree_of(s);
	struct created cr;
	struct ctx x[2];
	char name[8];
	size_t i;

	(void)state;
	x[0] = dhnq();
	for (i = 0; i < sizeof(levels); i++) {
		snprintf(name, sizeof(name), "f%zu", i);
		cr = create(&cl[0], s, t, name, levels[i],
		    FILE_NON_DIRECTORY_FILE_OPT, x, 1);
		assert_int_equal(cr.status, STATUS_SUCCESS);
		assert_false(cr.dhnq);
		assert_false(ofile_find_persistent(cr.p)->of_durable);
	}
	x[0] = lease(0x33, R_ | W_);
	x[1] = dhnq();
	cr = create(&cl[0], s, t, "rw", SMB2_OPLOCK_LEVEL_LEASE,
	    FILE_NON_DIRECTORY_FILE_OPT, x, 2);
	assert_int_equal(cr.status, STATUS_SUCCESS);
	assert_true(cr.lease);
	assert_false(cr.dhnq);
	COUNTS(1, 1, 4);
	assert_int_equal(logoff(&cl[0], s->s_id), STATUS_SUCCESS);
	assert_true(TAILQ_EMPTY(&server.sv_opens));
	COUNTS(0, 0, 4);
}

/* Step 5 (and 3.3.5.9.10): a directory is never made durable. */
static void
test_3_3_5_9_6_step5_directory_not_durable(void **state)
{
	struct session *s = session_of(&cl[0], "alice");
	struct tree *t = tree_of(s);
	struct created cr;
	struct ctx x = dhnq();

	(void)state;
	cr = create(&cl[0], s, t, "d", SMB2_OPLOCK_LEVEL_BATCH,
	    FILE_DIRECTORY_FILE_OPT, &x, 1);
	assert_int_equal(cr.status, STATUS_SUCCESS);
	assert_false(cr.dhnq);
	assert_false(ofile_find_persistent(cr.p)->of_durable);
	COUNTS(1, 1, 1);
	assert_int_equal(logoff(&cl[0], s->s_id), STATUS_SUCCESS);
	assert_int_equal(ofile_scavenger_count(), 0);
	COUNTS(0, 0, 1);
}

/*
 * Steps 6 and 7: IsDurable, DurableOwner the session's user,
 * DurableOpenTimeout the share's "durable timeout" (the server's value,
 * <335>), and a DHnQ response of 8 reserved zero bytes.
 */
static void
test_3_3_5_9_6_step6_7_durable_with_owner_and_share_timeout(void **state)
{
	static const uint8_t zero[8];
	struct session *s = session_of(&cl[0], "alice");
	struct tree *t = tree_of(s);
	struct created cr;
	struct ctx x = dhnq();
	struct ofile *of;

	(void)state;
	cr = create(&cl[0], s, t, "f", SMB2_OPLOCK_LEVEL_BATCH,
	    FILE_NON_DIRECTORY_FILE_OPT, &x, 1);
	assert_int_equal(cr.status, STATUS_SUCCESS);
	assert_int_equal(cr.oplock, SMB2_OPLOCK_LEVEL_BATCH);
	assert_true(cr.dhnq);
	assert_memory_equal(cr.dhnq_data, zero, 8);
	of = ofile_find_persistent(cr.p);
	assert_true(of->of_durable);
	assert_false(of->of_durable_v2);
	assert_string_equal(of->of_owner, "alice");
	assert_int_equal(of->of_durable_timeout, SHARE_DURABLE_MS);
	COUNTS(1, 1, 1);
}

/* ============ DHnC, MS-SMB2 3.3.5.9.7 ============ */

/* A durable open of alice's on cl[0], left by a LOGOFF. */
static struct ofile *
left_durable(const char *name, const struct ctx *x, size_t nx)
{
	struct session *s = session_of(&cl[0], "alice");
	struct tree *t = tree_of(s);
	struct ofile *of;

	if (nx == 0)
		of = open_durable(&cl[0], s, t, name);
	else
		of = open_plain(&cl[0], s, t, name, SMB2_OPLOCK_LEVEL_LEASE,
		    x, nx);
	assert_true(of->of_durable);
	assert_int_equal(logoff(&cl[0], s->s_id), STATUS_SUCCESS);
	assert_int_equal(of->of_state, OFILE_DISCONNECTED);
	return of;
}

/* Step 1: DHnC with DH2Q or DH2C is STATUS_INVALID_PARAMETER. */
static void
test_3_3_5_9_7_step1_dhnc_with_v2_context_is_invalid_parameter(
    void **state)
{
	struct ofile *of = left_durable("f", NULL, 0);
	struct session *s = session_of(&cl[1], "alice");
	struct tree *t = tree_of(s);
	struct ctx x[2];

	(void)state;
	x[0] = dhnc(of->of_persistent, of->of_volatile);
	x[1] = dh2q(0, 0x41);
	assert_int_equal(create(&cl[1], s, t, "f", 0, 0, x, 2).status,
	    STATUS_INVALID_PARAMETER);
	x[1] = dh2c(of->of_persistent, of->of_volatile, 0);
	assert_int_equal(create(&cl[1], s, t, "f", 0, 0, x, 2).status,
	    STATUS_INVALID_PARAMETER);
	assert_int_equal(of->of_state, OFILE_DISCONNECTED);
	COUNTS(1, 1, 1);
}

/* Step 2: no open with that DurableFileId: OBJECT_NAME_NOT_FOUND. */
static void
test_3_3_5_9_7_step2_unknown_file_id_is_not_found(void **state)
{
	struct ofile *of = left_durable("f", NULL, 0);
	struct session *s = session_of(&cl[1], "alice");
	struct tree *t = tree_of(s);
	struct ctx x = dhnc(of->of_persistent + 1000, of->of_volatile);

	(void)state;
	assert_int_equal(create(&cl[1], s, t, "f", 0, 0, &x, 1).status,
	    STATUS_OBJECT_NAME_NOT_FOUND);
	assert_int_equal(of->of_state, OFILE_DISCONNECTED);
	COUNTS(1, 1, 1);
}

/*
 * Step 3: an open with a lease is reclaimed only from its own client
 * (ClientGuid); from another, OBJECT_NAME_NOT_FOUND.
 */
static void
test_3_3_5_9_7_step3_lease_of_another_client_is_not_found(void **state)
{
	struct ctx x[2];
	struct ofile *of;
	struct session *s;
	struct tree *t;
	struct created cr;

	(void)state;
	x[0] = lease(0x51, R_ | H_);
	x[1] = dhnq();
	of = left_durable("f", x, 2);
	s = session_of(&cl[1], "alice");		/* ClientGuid b1 */
	t = tree_of(s);
	x[1] = dhnc(of->of_persistent, of->of_volatile);
	assert_int_equal(create(&cl[1], s, t, "f", SMB2_OPLOCK_LEVEL_LEASE,
	    0, x, 2).status, STATUS_OBJECT_NAME_NOT_FOUND);
	COUNTS(1, 1, 1);
	client_open(&cl[2], 0x0300, 0xa0);		/* the same a0 */
	s = session_of(&cl[2], "alice");
	t = tree_of(s);
	cr = create(&cl[2], s, t, "f", SMB2_OPLOCK_LEVEL_LEASE, 0, x, 2);
	assert_int_equal(cr.status, STATUS_SUCCESS);
	assert_true(cr.lease);
	assert_int_equal(cr.lease_state, R_ | H_);
	assert_int_equal(of->of_state, OFILE_ACTIVE);
	COUNTS(2, 2, 1);
}

/*
 * Step 4: with a lease (and no delete on close), the name must be the
 * lease's: another one is STATUS_INVALID_PARAMETER.
 */
static void
test_3_3_5_9_7_step4_lease_with_another_name_is_invalid_parameter(
    void **state)
{
	struct ctx x[2];
	struct ofile *of;
	struct session *s;
	struct tree *t;

	(void)state;
	x[0] = lease(0x52, R_ | H_);
	x[1] = dhnq();
	of = left_durable("f", x, 2);
	client_open(&cl[2], 0x0300, 0xa0);
	s = session_of(&cl[2], "alice");
	t = tree_of(s);
	x[1] = dhnc(of->of_persistent, of->of_volatile);
	assert_int_equal(create(&cl[2], s, t, "g", SMB2_OPLOCK_LEVEL_LEASE,
	    0, x, 2).status, STATUS_INVALID_PARAMETER);
	assert_int_equal(of->of_state, OFILE_DISCONNECTED);
	COUNTS(1, 1, 1);
}

/*
 * Step 5, the lease conditions: the open has a lease and the request
 * none, or a lease of another key: OBJECT_NAME_NOT_FOUND; an open
 * without a lease reclaimed with one, too.
 */
static void
test_3_3_5_9_7_step5_lease_context_must_match_the_open(void **state)
{
	struct ctx x[2];
	struct ofile *of, *plain;
	struct session *s;
	struct tree *t;

	(void)state;
	x[0] = lease(0x53, R_ | H_);
	x[1] = dhnq();
	of = left_durable("f", x, 2);
	plain = left_durable("p", NULL, 0);
	client_open(&cl[2], 0x0300, 0xa0);
	s = session_of(&cl[2], "alice");
	t = tree_of(s);
	x[1] = dhnc(of->of_persistent, of->of_volatile);
	assert_int_equal(create(&cl[2], s, t, "f", 0, 0, &x[1], 1).status,
	    STATUS_OBJECT_NAME_NOT_FOUND);
	x[0] = lease(0x54, R_ | H_);
	assert_int_equal(create(&cl[2], s, t, "f", SMB2_OPLOCK_LEVEL_LEASE,
	    0, x, 2).status, STATUS_OBJECT_NAME_NOT_FOUND);
	x[1] = dhnc(plain->of_persistent, plain->of_volatile);
	assert_int_equal(create(&cl[2], s, t, "p", SMB2_OPLOCK_LEVEL_LEASE,
	    0, x, 2).status, STATUS_OBJECT_NAME_NOT_FOUND);
	assert_int_equal(of->of_state, OFILE_DISCONNECTED);
	assert_int_equal(plain->of_state, OFILE_DISCONNECTED);
	COUNTS(1, 1, 2);
}

/*
 * Step 5: a durable open without a lease whose oplock is no longer
 * batch (LOGOFF kept it anyway, 3.3.5.6) is OBJECT_NAME_NOT_FOUND.
 */
static void
test_3_3_5_9_7_step5_durable_without_batch_is_not_found(void **state)
{
	struct session *s = session_of(&cl[0], "alice");
	struct tree *t = tree_of(s);
	struct ofile *of = open_durable(&cl[0], s, t, "f");
	struct ctx x;

	(void)state;
	of->of_oplock = SMB2_OPLOCK_LEVEL_II;
	assert_int_equal(logoff(&cl[0], s->s_id), STATUS_SUCCESS);
	s = session_of(&cl[1], "alice");
	t = tree_of(s);
	x = dhnc(of->of_persistent, of->of_volatile);
	assert_int_equal(create(&cl[1], s, t, "f", 0, 0, &x, 1).status,
	    STATUS_OBJECT_NAME_NOT_FOUND);
	assert_int_equal(of->of_state, OFILE_DISCONNECTED);
	COUNTS(1, 1, 1);
}

/*
 * Step 5: an open still attached to a session (Open.Session non-NULL),
 * durable or not, is OBJECT_NAME_NOT_FOUND, and stays its session's.
 */
static void
test_3_3_5_9_7_step5_attached_or_plain_open_is_not_found(void **state)
{
	struct session *s = session_of(&cl[0], "alice"), *s2;
	struct tree *t = tree_of(s), *t2;
	struct ofile *dur = open_durable(&cl[0], s, t, "d");
	struct ofile *plain = open_plain(&cl[0], s, t, "p", 0, NULL, 0);
	struct ctx x;

	(void)state;
	s2 = session_of(&cl[1], "alice");
	t2 = tree_of(s2);
	x = dhnc(dur->of_persistent, dur->of_volatile);
	assert_int_equal(create(&cl[1], s2, t2, "d", 0, 0, &x, 1).status,
	    STATUS_OBJECT_NAME_NOT_FOUND);
	x = dhnc(plain->of_persistent, plain->of_volatile);
	assert_int_equal(create(&cl[1], s2, t2, "p", 0, 0, &x, 1).status,
	    STATUS_OBJECT_NAME_NOT_FOUND);
	assert_ptr_equal(dur->of_session, s);
	assert_ptr_equal(plain->of_session, s);
	assert_int_equal(t->t_open_count, 2);
	assert_int_equal(t2->t_open_count, 0);
	COUNTS(2, 2, 2);
}

/*
 * Step 6: another user than DurableOwner is STATUS_ACCESS_DENIED; the
 * open stays on the scavenger with its deadline, and its owner may
 * still reclaim it.
 */
static void
test_3_3_5_9_7_step6_another_user_is_access_denied(void **state)
{
	struct ofile *of = left_durable("f", NULL, 0);
	struct session *s = session_of(&cl[1], "mallory");
	struct tree *t = tree_of(s);
	struct ctx x = dhnc(of->of_persistent, of->of_volatile);
	uint64_t deadline = of->of_deadline;

	(void)state;
	assert_int_equal(create(&cl[1], s, t, "f", 0, 0, &x, 1).status,
	    STATUS_ACCESS_DENIED);
	assert_int_equal(of->of_state, OFILE_DISCONNECTED);
	assert_int_equal(of->of_deadline, deadline);
	assert_int_equal(ofile_scavenger_count(), 1);
	COUNTS(1, 1, 1);
	s = session_of(&cl[1], "ALICE");	/* names compare as Windows */
	t = tree_of(s);
	assert_int_equal(create(&cl[1], s, t, "f", 0, 0, &x, 1).status,
	    STATUS_SUCCESS);
	COUNTS(2, 2, 1);
}

/*
 * Step 7: the open is reattached to the new connection, session and
 * tree connect under a new volatile FileId; DurableFileId and
 * FileGlobalId are unchanged, TreeConnect.OpenCount + 1, no new
 * registration (sts0_fopens stays), and the scavenger lets it go.
 */
static void
test_3_3_5_9_7_step7_reconnect_reattaches_under_a_new_file_id(
    void **state)
{
	struct session *s = session_of(&cl[0], "alice");
	struct tree *t = tree_of(s);
	struct ofile *of = open_durable(&cl[0], s, t, "f");
	uint64_t p = of->of_persistent, v = of->of_volatile;
	uint32_t gid = of->of_global_id;
	struct created cr;
	struct ctx x = dhnc(p, v);

	(void)state;
	of->of_position = 4242;
	client_drop(&cl[0]);
	assert_detached(of, SHARE_DURABLE_MS);
	COUNTS(0, 0, 1);
	fake_clock_advance(SHARE_DURABLE_MS - 1);
	loop_once(0);
	s = session_of(&cl[1], "alice");
	t = tree_of(s);
	COUNTS(1, 1, 1);
	cr = create(&cl[1], s, t, "f", 0, 0, &x, 1);
	assert_int_equal(cr.status, STATUS_SUCCESS);
	assert_int_equal(cr.p, p);
	assert_int_not_equal(cr.v, v);
	assert_int_equal(cr.oplock, SMB2_OPLOCK_LEVEL_BATCH);
	assert_ptr_equal(ofile_find_persistent(p), of);
	assert_int_equal(of->of_state, OFILE_ACTIVE);
	assert_ptr_equal(of->of_session, s);
	assert_ptr_equal(of->of_tree, t);
	assert_int_equal(of->of_global_id, gid);
	assert_int_equal(of->of_position, 4242);
	assert_int_equal(t->t_open_count, 1);
	assert_int_equal(of->of_deadline, 0);
	assert_int_equal(ofile_scavenger_count(), 0);
	COUNTS(1, 1, 1);
	/* The old deadline passes: the reclaimed open stays. */
	fake_clock_advance(10);
	loop_once(0);
	assert_int_equal(of->of_state, OFILE_ACTIVE);
	/* The new FileId names it on its new session. */
	assert_ptr_equal(ofile_lookup(s, p, cr.v), of);
	ofile_rele(of);
	COUNTS(1, 1, 1);
}

/* 3.3.6.2 then 3.3.5.9.7 step 2: after its timeout the open is gone. */
static void
test_3_3_6_2_reconnect_after_expiry_is_not_found(void **state)
{
	struct ofile *of = left_durable("f", NULL, 0);
	struct ctx x = dhnc(of->of_persistent, of->of_volatile);
	struct session *s;
	struct tree *t;

	(void)state;
	fake_clock_advance(SHARE_DURABLE_MS);
	loop_once(0);
	assert_true(TAILQ_EMPTY(&server.sv_opens));
	COUNTS(0, 0, 1);
	s = session_of(&cl[1], "alice");
	t = tree_of(s);
	assert_int_equal(create(&cl[1], s, t, "f", 0, 0, &x, 1).status,
	    STATUS_OBJECT_NAME_NOT_FOUND);
	COUNTS(1, 1, 1);
}

/* ============ DH2Q, MS-SMB2 3.3.5.9.10 ============ */

/* Step 1: DH2Q with DHnQ, DHnC or DH2C: STATUS_INVALID_PARAMETER. */
static void
test_3_3_5_9_10_step1_dh2q_with_another_durable_context_is_invalid(
    void **state)
{
	struct session *s = session_of(&cl[0], "alice");
	struct tree *t = tree_of(s);
	struct ctx x[2];

	(void)state;
	x[0] = dh2q(0, 0x61);
	x[1] = dhnq();
	assert_int_equal(create(&cl[0], s, t, "f", SMB2_OPLOCK_LEVEL_BATCH,
	    0, x, 2).status, STATUS_INVALID_PARAMETER);
	x[1] = dhnc(1, 1);
	assert_int_equal(create(&cl[0], s, t, "f", SMB2_OPLOCK_LEVEL_BATCH,
	    0, x, 2).status, STATUS_INVALID_PARAMETER);
	x[1] = dh2c(1, 1, 0x61);
	assert_int_equal(create(&cl[0], s, t, "f", SMB2_OPLOCK_LEVEL_BATCH,
	    0, x, 2).status, STATUS_INVALID_PARAMETER);
	assert_true(TAILQ_EMPTY(&server.sv_opens));
	COUNTS(1, 1, 0);
}

/*
 * Step 3: a CreateGuid already in use by an open of the same client,
 * without the replay flag, is STATUS_DUPLICATE_OBJECTID; another
 * client's may use the same CreateGuid.
 */
static void
test_3_3_5_9_10_step3_create_guid_in_use_is_duplicate_objectid(
    void **state)
{
	struct session *s = session_of(&cl[0], "alice"), *s2;
	struct tree *t = tree_of(s), *t2;
	struct ctx x = dh2q(0, 0x62);

	(void)state;
	(void)open_plain(&cl[0], s, t, "f", SMB2_OPLOCK_LEVEL_BATCH, &x, 1);
	assert_int_equal(create(&cl[0], s, t, "g", SMB2_OPLOCK_LEVEL_BATCH,
	    FILE_NON_DIRECTORY_FILE_OPT, &x, 1).status,
	    STATUS_DUPLICATE_OBJECTID);
	COUNTS(1, 1, 1);
	s2 = session_of(&cl[1], "alice");
	t2 = tree_of(s2);
	(void)open_plain(&cl[1], s2, t2, "g", SMB2_OPLOCK_LEVEL_BATCH, &x, 1);
	COUNTS(2, 2, 2);
}

/*
 * Step 4: DurableOpenTimeout is the request's Timeout up to "durable
 * timeout max" (<343>), the share's "durable timeout" for 0 (<344>),
 * sent in the DH2Q response (not persistent) and kept; the CreateGuid
 * is stored; without a batch oplock or a handle lease no durability and
 * no response (<342>).
 */
static void
test_3_3_5_9_10_step4_timeout_capped_defaulted_and_answered(void **state)
{
	static const uint32_t asked[] = { 0, 1000, DURABLE_MAX_MS,
	    DURABLE_MAX_MS + 1, 300000, UINT32_MAX };
	static const uint32_t given[] = { SHARE_DURABLE_MS, 1000,
	    DURABLE_MAX_MS, DURABLE_MAX_MS, DURABLE_MAX_MS, DURABLE_MAX_MS };
	struct session *s = session_of(&cl[0], "alice");
	struct tree *t = tree_of(s);
	struct created cr;
	struct ofile *of;
	struct ctx x;
	char name[8];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(asked) / sizeof(asked[0]); i++) {
		snprintf(name, sizeof(name), "f%zu", i);
		x = dh2q(asked[i], (uint8_t)(0x70 + i));
		cr = create(&cl[0], s, t, name, SMB2_OPLOCK_LEVEL_BATCH,
		    FILE_NON_DIRECTORY_FILE_OPT, &x, 1);
		assert_int_equal(cr.status, STATUS_SUCCESS);
		assert_true(cr.dh2q);
		assert_int_equal(cr.dh2q_timeout, given[i]);
		assert_int_equal(cr.dh2q_flags, 0);
		of = ofile_find_persistent(cr.p);
		assert_true(of->of_durable && of->of_durable_v2);
		assert_int_equal(of->of_durable_timeout, given[i]);
		assert_memory_equal(of->of_create_guid, x.data + 16, 16);
	}
	x = dh2q(1000, 0x7f);
	cr = create(&cl[0], s, t, "none", SMB2_OPLOCK_LEVEL_II,
	    FILE_NON_DIRECTORY_FILE_OPT, &x, 1);
	assert_int_equal(cr.status, STATUS_SUCCESS);
	assert_false(cr.dh2q);
	assert_false(ofile_find_persistent(cr.p)->of_durable);
	COUNTS(1, 1, 7);
	/* Kept by a LOGOFF for the granted time, each its own. */
	assert_int_equal(logoff(&cl[0], s->s_id), STATUS_SUCCESS);
	assert_int_equal(ofile_scavenger_count(), 6);
	fake_clock_advance(1000);
	loop_once(0);
	assert_int_equal(ofile_scavenger_count(), 5);
	COUNTS(0, 0, 7);
}

/* ============ DH2C, MS-SMB2 3.3.5.9.12 ============ */

/* A durable v2 open of alice's with CreateGuid all g, connection lost. */
static struct ofile *
lost_durable_v2(const char *name, uint8_t g)
{
	struct session *s = session_of(&cl[0], "alice");
	struct tree *t = tree_of(s);
	struct ctx x = dh2q(0, g);
	struct ofile *of = open_plain(&cl[0], s, t, name,
	    SMB2_OPLOCK_LEVEL_BATCH, &x, 1);

	assert_true(of->of_durable_v2);
	client_drop(&cl[0]);
	assert_detached(of, SHARE_DURABLE_MS);
	return of;
}

/* Step 1: no open with that DurableFileId: OBJECT_NAME_NOT_FOUND. */
static void
test_3_3_5_9_12_step1_unknown_file_id_is_not_found(void **state)
{
	struct ofile *of = lost_durable_v2("f", 0x81);
	struct session *s = session_of(&cl[1], "alice");
	struct tree *t = tree_of(s);
	struct ctx x = dh2c(of->of_persistent + 1000, of->of_volatile, 0x81);

	(void)state;
	assert_int_equal(create(&cl[1], s, t, "f", 0, 0, &x, 1).status,
	    STATUS_OBJECT_NAME_NOT_FOUND);
	assert_int_equal(of->of_state, OFILE_DISCONNECTED);
	COUNTS(1, 1, 1);
}

/*
 * Step 2: another CreateGuid than the open's, or an open still attached
 * to its session, is OBJECT_NAME_NOT_FOUND.
 */
static void
test_3_3_5_9_12_step2_wrong_create_guid_or_attached_is_not_found(
    void **state)
{
	struct ofile *of = lost_durable_v2("f", 0x82), *att;
	struct session *s = session_of(&cl[1], "alice");
	struct tree *t = tree_of(s);
	struct ctx x = dh2c(of->of_persistent, of->of_volatile, 0x83);

	(void)state;
	assert_int_equal(create(&cl[1], s, t, "f", 0, 0, &x, 1).status,
	    STATUS_OBJECT_NAME_NOT_FOUND);
	assert_int_equal(of->of_state, OFILE_DISCONNECTED);
	x = dh2q(0, 0x84);
	att = open_plain(&cl[1], s, t, "g", SMB2_OPLOCK_LEVEL_BATCH, &x, 1);
	x = dh2c(att->of_persistent, att->of_volatile, 0x84);
	assert_int_equal(create(&cl[1], s, t, "g", 0, 0, &x, 1).status,
	    STATUS_OBJECT_NAME_NOT_FOUND);
	assert_int_equal(att->of_state, OFILE_ACTIVE);
	assert_int_equal(t->t_open_count, 1);
	COUNTS(1, 1, 2);
}

/* Step 3: DH2C with DHnQ (or DHnC) is STATUS_INVALID_PARAMETER. */
static void
test_3_3_5_9_12_step3_dh2c_with_v1_context_is_invalid_parameter(
    void **state)
{
	struct ofile *of = lost_durable_v2("f", 0x85);
	struct session *s = session_of(&cl[1], "alice");
	struct tree *t = tree_of(s);
	struct ctx x[2];

	(void)state;
	x[0] = dh2c(of->of_persistent, of->of_volatile, 0x85);
	x[1] = dhnq();
	assert_int_equal(create(&cl[1], s, t, "f", 0, 0, x, 2).status,
	    STATUS_INVALID_PARAMETER);
	x[1] = dhnc(of->of_persistent, of->of_volatile);
	assert_int_equal(create(&cl[1], s, t, "f", 0, 0, x, 2).status,
	    STATUS_INVALID_PARAMETER);
	assert_int_equal(of->of_state, OFILE_DISCONNECTED);
	COUNTS(1, 1, 1);
}

/* Step 4: another user than DurableOwner: STATUS_ACCESS_DENIED. */
static void
test_3_3_5_9_12_step4_another_user_is_access_denied(void **state)
{
	struct ofile *of = lost_durable_v2("f", 0x86);
	struct session *s = session_of(&cl[1], "mallory");
	struct tree *t = tree_of(s);
	struct ctx x = dh2c(of->of_persistent, of->of_volatile, 0x86);

	(void)state;
	assert_int_equal(create(&cl[1], s, t, "f", 0, 0, &x, 1).status,
	    STATUS_ACCESS_DENIED);
	assert_int_equal(of->of_state, OFILE_DISCONNECTED);
	assert_int_equal(ofile_scavenger_count(), 1);
	COUNTS(1, 1, 1);
}

/*
 * Step 5: reattached as in 3.3.5.9.7 step 7, on a new connection and
 * session; its CreateGuid stays for the next reconnect.
 */
static void
test_3_3_5_9_12_step5_reconnect_reattaches(void **state)
{
	struct ofile *of = lost_durable_v2("f", 0x87);
	uint64_t p = of->of_persistent, v = of->of_volatile;
	struct session *s = session_of(&cl[1], "alice");
	struct tree *t = tree_of(s);
	struct ctx x = dh2c(p, v, 0x87);
	struct created cr;

	(void)state;
	COUNTS(1, 1, 1);
	cr = create(&cl[1], s, t, "f", 0, 0, &x, 1);
	assert_int_equal(cr.status, STATUS_SUCCESS);
	assert_int_equal(cr.p, p);
	assert_int_not_equal(cr.v, v);
	assert_int_equal(of->of_state, OFILE_ACTIVE);
	assert_ptr_equal(of->of_session, s);
	assert_int_equal(t->t_open_count, 1);
	assert_int_equal(ofile_scavenger_count(), 0);
	assert_true(of->of_durable_v2);
	COUNTS(1, 1, 1);
	/* Lost again, and reclaimed again with the same CreateGuid. */
	client_drop(&cl[1]);
	COUNTS(0, 0, 1);
	client_open(&cl[2], 0x0300, 0xa0);
	s = session_of(&cl[2], "alice");
	t = tree_of(s);
	x = dh2c(p, cr.v, 0x87);
	assert_int_equal(create(&cl[2], s, t, "f", 0, 0, &x, 1).status,
	    STATUS_SUCCESS);
	COUNTS(1, 1, 1);
}

/* ============ resiliency, MS-SMB2 3.3.5.15.9 ============ */

/* Step 1: on SMB 2.0.2 the request is STATUS_INVALID_DEVICE_REQUEST. */
static void
test_3_3_5_15_9_step1_dialect_202_is_invalid_device_request(void **state)
{
	struct session *s;
	struct tree *t;
	struct ofile *of;

	(void)state;
	client_open(&cl[2], 0x0202, 0xc2);
	s = session_of(&cl[2], "alice");
	t = tree_of(s);
	of = open_plain(&cl[2], s, t, "f", 0, NULL, 0);
	assert_int_equal(resiliency(&cl[2], s, t, of, 1000, 8),
	    STATUS_INVALID_DEVICE_REQUEST);
	assert_false(of->of_resilient);
	COUNTS(1, 1, 1);
}

/*
 * Step 3: an input shorter than NETWORK_RESILIENCY_REQUEST, or a Timeout
 * above MaxResiliencyTimeout ("resilient timeout max"), is
 * STATUS_INVALID_PARAMETER and changes nothing.
 */
static void
test_3_3_5_15_9_step3_short_input_or_above_max_is_invalid(void **state)
{
	struct session *s = session_of(&cl[0], "alice");
	struct tree *t = tree_of(s);
	struct ofile *of = open_durable(&cl[0], s, t, "f");

	(void)state;
	assert_int_equal(resiliency(&cl[0], s, t, of, 1000, 7),
	    STATUS_INVALID_PARAMETER);
	assert_int_equal(resiliency(&cl[0], s, t, of, RESILIENT_MAX_MS + 1,
	    8), STATUS_INVALID_PARAMETER);
	assert_false(of->of_resilient);
	assert_true(of->of_durable);
	assert_int_equal(resiliency(&cl[0], s, t, of, RESILIENT_MAX_MS, 8),
	    STATUS_SUCCESS);
	assert_int_equal(of->of_resilient_timeout, RESILIENT_MAX_MS);
	COUNTS(1, 1, 1);
}

/*
 * Step 4: IsDurable FALSE, IsResilient TRUE, ResiliencyTimeout the
 * request's or, for 0, "resilient timeout" (<401>), DurableOwner the
 * current user; the open is then kept with no oplock at all, by a lost
 * connection (3.3.7.1 B.1) and reclaimed by DHnC (3.3.5.9.7).
 */
static void
test_3_3_5_15_9_step4_open_turns_resilient_and_is_reclaimed(void **state)
{
	struct session *s = session_of(&cl[0], "alice");
	struct tree *t = tree_of(s);
	struct ofile *dur = open_durable(&cl[0], s, t, "d");
	struct ofile *of = open_plain(&cl[0], s, t, "f", 0, NULL, 0);
	struct created cr;
	struct ctx x;

	(void)state;
	assert_int_equal(of->of_oplock, SMB2_OPLOCK_LEVEL_NONE);
	assert_int_equal(resiliency(&cl[0], s, t, of, 0, 8), STATUS_SUCCESS);
	assert_true(of->of_resilient);
	assert_int_equal(of->of_resilient_timeout, RESILIENT_MS);
	assert_string_equal(of->of_owner, "alice");
	assert_int_equal(resiliency(&cl[0], s, t, dur, 3000, 8),
	    STATUS_SUCCESS);
	assert_false(dur->of_durable);
	assert_true(dur->of_resilient);
	COUNTS(1, 1, 2);
	client_drop(&cl[0]);
	assert_detached(of, RESILIENT_MS);
	assert_detached(dur, 3000);
	COUNTS(0, 0, 2);
	s = session_of(&cl[1], "alice");
	t = tree_of(s);
	x = dhnc(of->of_persistent, of->of_volatile);
	cr = create(&cl[1], s, t, "f", 0, 0, &x, 1);
	assert_int_equal(cr.status, STATUS_SUCCESS);
	assert_int_equal(of->of_state, OFILE_ACTIVE);
	assert_int_equal(ofile_scavenger_count(), 1);
	COUNTS(1, 1, 2);
	/* 3.3.6.4: the other one goes at its own ResiliencyTimeout. */
	fake_clock_advance(3000);
	loop_once(0);
	assert_int_equal(ofile_scavenger_count(), 0);
	assert_int_equal(of->of_state, OFILE_ACTIVE);
	COUNTS(1, 1, 2);
}

#define T(f) cmocka_unit_test_setup_teardown(f, wire_setup, wire_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_3_3_5_9_6_step3_dhnq_with_dh2q_is_invalid_parameter),
		T(test_3_3_5_9_6_step4_without_batch_or_handle_lease_ignored),
		T(test_3_3_5_9_6_step5_directory_not_durable),
		T(test_3_3_5_9_6_step6_7_durable_with_owner_and_share_timeout),
		T(test_3_3_5_9_7_step1_dhnc_with_v2_context_is_invalid_parameter),
		T(test_3_3_5_9_7_step2_unknown_file_id_is_not_found),
		T(test_3_3_5_9_7_step3_lease_of_another_client_is_not_found),
		T(test_3_3_5_9_7_step4_lease_with_another_name_is_invalid_parameter),
		T(test_3_3_5_9_7_step5_lease_context_must_match_the_open),
		T(test_3_3_5_9_7_step5_durable_without_batch_is_not_found),
		T(test_3_3_5_9_7_step5_attached_or_plain_open_is_not_found),
		T(test_3_3_5_9_7_step6_another_user_is_access_denied),
		T(test_3_3_5_9_7_step7_reconnect_reattaches_under_a_new_file_id),
		T(test_3_3_6_2_reconnect_after_expiry_is_not_found),
		T(test_3_3_5_9_10_step1_dh2q_with_another_durable_context_is_invalid),
		T(test_3_3_5_9_10_step3_create_guid_in_use_is_duplicate_objectid),
		T(test_3_3_5_9_10_step4_timeout_capped_defaulted_and_answered),
		T(test_3_3_5_9_12_step1_unknown_file_id_is_not_found),
		T(test_3_3_5_9_12_step2_wrong_create_guid_or_attached_is_not_found),
		T(test_3_3_5_9_12_step3_dh2c_with_v1_context_is_invalid_parameter),
		T(test_3_3_5_9_12_step4_another_user_is_access_denied),
		T(test_3_3_5_9_12_step5_reconnect_reattaches),
		T(test_3_3_5_15_9_step1_dialect_202_is_invalid_device_request),
		T(test_3_3_5_15_9_step3_short_input_or_above_max_is_invalid),
		T(test_3_3_5_15_9_step4_open_turns_resilient_and_is_reclaimed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
