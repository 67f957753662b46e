/* test_timer.c — the timer heap: order, ties, cancel, re-arm, many. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "timer.h"

struct rec {
	int	order[4096];
	int	n;
};

struct tt {
	struct timer	 t;
	int		 id;
	struct rec	*rec;
};

static void
record(struct timer *t, void *arg)
{
	struct tt *x = arg;

	(void)t;
	x->rec->order[x->rec->n++] = x->id;
}

static void
test_timer_fires_in_deadline_order(void **state)
{
	struct timerheap th;
	struct rec rec = { .n = 0 };
	struct tt x[5];
	uint64_t when[5] = { 50, 10, 40, 20, 30 };
	int i;

	(void)state;
	timerheap_init(&th);
	for (i = 0; i < 5; i++) {
		x[i].id = i;
		x[i].rec = &rec;
		timer_init(&x[i].t, record, &x[i]);
		assert_int_equal(timerheap_add(&th, &x[i].t, when[i]), 0);
	}
	assert_int_equal(timerheap_count(&th), 5);
	assert_ptr_equal(timerheap_peek(&th), &x[1].t);
	assert_int_equal(timerheap_run(&th, 25), 2);
	assert_int_equal(rec.order[0], 1);
	assert_int_equal(rec.order[1], 3);
	assert_false(timer_pending(&x[1].t));
	assert_true(timer_pending(&x[4].t));
	assert_int_equal(timerheap_run(&th, 100), 3);
	assert_int_equal(rec.order[2], 4);
	assert_int_equal(rec.order[3], 2);
	assert_int_equal(rec.order[4], 0);
	assert_int_equal(timerheap_count(&th), 0);
	timerheap_free(&th);
}

static void
test_timer_equal_deadlines_fire_in_arming_order(void **state)
{
	struct timerheap th;
	struct rec rec = { .n = 0 };
	struct tt x[8];
	int i;

	(void)state;
	timerheap_init(&th);
	for (i = 0; i < 8; i++) {
		x[i].id = i;
		x[i].rec = &rec;
		timer_init(&x[i].t, record, &x[i]);
		timerheap_add(&th, &x[i].t, 7);
	}
	assert_int_equal(timerheap_run(&th, 7), 8);
	for (i = 0; i < 8; i++)
		assert_int_equal(rec.order[i], i);
	timerheap_free(&th);
}

static void
test_timer_cancel_removes_only_that_timer(void **state)
{
	struct timerheap th;
	struct rec rec = { .n = 0 };
	struct tt x[6];
	int i;

	(void)state;
	timerheap_init(&th);
	for (i = 0; i < 6; i++) {
		x[i].id = i;
		x[i].rec = &rec;
		timer_init(&x[i].t, record, &x[i]);
		timerheap_add(&th, &x[i].t, (uint64_t)(10 * (i + 1)));
	}
	timerheap_cancel(&th, &x[0].t);	/* the root */
	timerheap_cancel(&th, &x[3].t);	/* the middle */
	timerheap_cancel(&th, &x[5].t);	/* the last slot */
	timerheap_cancel(&th, &x[5].t);	/* twice is harmless */
	assert_false(timer_pending(&x[0].t));
	assert_int_equal(timerheap_count(&th), 3);
	assert_int_equal(timerheap_run(&th, 1000), 3);
	assert_int_equal(rec.order[0], 1);
	assert_int_equal(rec.order[1], 2);
	assert_int_equal(rec.order[2], 4);
	timerheap_free(&th);
}

static void
test_timer_rearm_moves_the_deadline(void **state)
{
	struct timerheap th;
	struct rec rec = { .n = 0 };
	struct tt a = { .id = 1, .rec = &rec }, b = { .id = 2, .rec = &rec };

	(void)state;
	timerheap_init(&th);
	timer_init(&a.t, record, &a);
	timer_init(&b.t, record, &b);
	timerheap_add(&th, &a.t, 10);
	timerheap_add(&th, &b.t, 20);
	timerheap_add(&th, &a.t, 30);	/* re-arm later */
	assert_int_equal(timerheap_count(&th), 2);
	assert_int_equal(timerheap_run(&th, 25), 1);
	assert_int_equal(rec.order[0], 2);
	assert_int_equal(timerheap_run(&th, 30), 1);
	assert_int_equal(rec.order[1], 1);
	timerheap_free(&th);
}

struct selfarm {
	struct timer		 t;
	struct timerheap	*th;
	int			 runs;
};

static void
rearm_now(struct timer *t, void *arg)
{
	struct selfarm *s = arg;

	s->runs++;
	timerheap_add(s->th, t, 0);	/* due again at once */
}

static void
test_timer_run_ends_when_callback_rearms_itself(void **state)
{
	struct timerheap th;
	struct selfarm s = { .th = &th };

	(void)state;
	timerheap_init(&th);
	timer_init(&s.t, rearm_now, &s);
	timerheap_add(&th, &s.t, 0);
	assert_int_equal(timerheap_run(&th, 5), 1);
	assert_int_equal(s.runs, 1);
	assert_true(timer_pending(&s.t));
	timerheap_free(&th);
	assert_false(timer_pending(&s.t));
}

/* A pseudo-random mix of adds and cancels keeps the heap ordered. */
static void
test_timer_many_entries_stay_ordered(void **state)
{
	enum { N = 20000 };
	struct timerheap th;
	struct timer *t;
	uint64_t last = 0, x = 88172645463325252ull;
	size_t i, fired = 0, cancelled = 0;

	(void)state;
	t = calloc(N, sizeof(*t));
	assert_non_null(t);
	timerheap_init(&th);
	for (i = 0; i < N; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		timer_init(&t[i], NULL, NULL);
		assert_int_equal(timerheap_add(&th, &t[i], x % 100000), 0);
	}
	for (i = 0; i < N; i += 3) {
		timerheap_cancel(&th, &t[i]);
		cancelled++;
	}
	assert_int_equal(timerheap_count(&th), N - cancelled);
	while (timerheap_peek(&th) != NULL) {
		struct timer *top = timerheap_peek(&th);

		assert_true(top->tm_when >= last);
		last = top->tm_when;
		timerheap_cancel(&th, top);
		fired++;
	}
	assert_int_equal(fired, N - cancelled);
	timerheap_free(&th);
	free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_timer_fires_in_deadline_order),
		cmocka_unit_test(test_timer_equal_deadlines_fire_in_arming_order),
		cmocka_unit_test(test_timer_cancel_removes_only_that_timer),
		cmocka_unit_test(test_timer_rearm_moves_the_deadline),
		cmocka_unit_test(test_timer_run_ends_when_callback_rearms_itself),
		cmocka_unit_test(test_timer_many_entries_stay_ordered),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
