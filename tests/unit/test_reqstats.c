/*
 * test_reqstats.c — per-command request counts, the handling time
 * histogram and the error status table (smbsrvd/reqstats.c), and their
 * copy for the management plane (admin_reqstats()).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "admin.h"
#include "reqstats.h"

static int
setup(void **state)
{
	(void)state;
	reqstats_clear();
	return 0;
}

static void
test_reqstats_buckets_by_time(void **state)
{
	const struct reqstats_cmd *rc;
	uint64_t now;

	(void)state;
	now = reqstats_start();
	/* A start in the past stands for a request that took that long. */
	reqstats_done(8, 0, now);			/* ~0 ns: first */
	reqstats_done(8, 0, now - 300000);		/* >= 0.3 ms */
	reqstats_done(8, 0, now - 2000000000ull);	/* 2 s: over */
	reqstats_done(99, 0, now);			/* no such command */
	rc = reqstats_cmd(8);
	assert_non_null(rc);
	assert_int_equal(rc->rc_count, 3);
	assert_int_equal(rc->rc_bucket[0], 1);
	/* 0.3 ms and a little: the 0.5 ms bucket (index 3). */
	assert_int_equal(rc->rc_bucket[3], 1);
	assert_int_equal(rc->rc_over, 1);
	assert_true(rc->rc_sum_ns >= 2000300000ull);
	assert_null(reqstats_cmd(REQSTATS_NCMDS));
	assert_int_equal(reqstats_cmd(9)->rc_count, 0);
}

static void
test_reqstats_errors_counted_by_status(void **state)
{
	const struct reqstats_err *re;
	unsigned int n, i;
	uint64_t other, now = reqstats_start();

	(void)state;
	reqstats_done(5, 0xc0000034, now);
	reqstats_done(5, 0xc0000034, now);
	reqstats_done(5, 0x80000005, now);	/* a warning, not an error */
	reqstats_done(5, 0x00000103, now);	/* success class */
	reqstats_done(6, 0xc0000022, now);
	re = reqstats_errors(&n, &other);
	assert_int_equal(n, 2);
	assert_int_equal(other, 0);
	assert_int_equal(re[0].re_status, 0xc0000034);
	assert_int_equal(re[0].re_count, 2);
	assert_int_equal(re[1].re_status, 0xc0000022);
	/* The table is bounded: later statuses go to "other". */
	for (i = 0; i < REQSTATS_NERRORS + 10; i++)
		reqstats_done(5, 0xc0010000 + i, now);
	re = reqstats_errors(&n, &other);
	assert_int_equal(n, REQSTATS_NERRORS);
	assert_int_equal(other, 12);
}

static void
test_admin_reqstats_copies_with_names(void **state)
{
	struct admin_reqstats *ar;

	(void)state;
	reqstats_done(5, 0xc0000034, reqstats_start());
	assert_non_null(ar = malloc(sizeof(*ar)));
	assert_int_equal(admin_reqstats(ar), 0);
	assert_string_equal(ar->cmd[5].name, "CREATE");
	assert_string_equal(ar->cmd[8].name, "READ");
	assert_int_equal(ar->cmd[5].count, 1);
	assert_int_equal(ar->nerrors, 1);
	assert_int_equal(ar->errors[0].status, 0xc0000034);
	assert_true(ar->bounds[0] > 0 && ar->bounds[ADMIN_LAT_BUCKETS - 1] ==
	    1.0);
	free(ar);
}

/* reqstats.h: a cancelled request counts apart, its status as an error. */
static void
test_reqstats_cancelled_apart_from_the_histogram(void **state)
{
	const struct reqstats_cmd *rc = reqstats_cmd(10);
	const struct reqstats_err *re;
	struct admin_reqstats *ar;
	unsigned int n, b;
	uint64_t other;

	(void)state;
	reqstats_cancelled(10, 0xc0000120);
	reqstats_cancelled(10, 0xc0000120);
	reqstats_cancelled(99, 0xc0000120);	/* no such command */
	assert_int_equal(rc->rc_cancelled, 2);
	assert_int_equal(rc->rc_count, 0);
	assert_int_equal(rc->rc_sum_ns, 0);
	for (b = 0; b < REQSTATS_NBUCKETS; b++)
		assert_int_equal(rc->rc_bucket[b], 0);
	re = reqstats_errors(&n, &other);
	assert_int_equal(n, 1);
	assert_int_equal(re[0].re_status, 0xc0000120);
	assert_int_equal(re[0].re_count, 2);
	assert_non_null(ar = malloc(sizeof(*ar)));
	assert_int_equal(admin_reqstats(ar), 0);
	assert_string_equal(ar->cmd[10].name, "LOCK");
	assert_int_equal(ar->cmd[10].cancelled, 2);
	assert_int_equal(ar->cmd[10].count, 0);
	free(ar);
	reqstats_clear();
	assert_int_equal(rc->rc_cancelled, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_reqstats_buckets_by_time, setup),
		cmocka_unit_test_setup(test_reqstats_errors_counted_by_status,
		    setup),
		cmocka_unit_test_setup(test_admin_reqstats_copies_with_names,
		    setup),
		cmocka_unit_test_setup(
		    test_reqstats_cancelled_apart_from_the_histogram, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
