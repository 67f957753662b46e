/*
 * test_loop.c — the event loop: timers on the fake clock, deferred work,
 * fd events and work posted from another thread.
 */
#include <sys/epoll.h>

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>
#include <cmocka.h>

#include "fake_clock.h"
#include "loop.h"

static int
setup(void **state)
{
	(void)state;
	return loop_init();
}

static int
teardown(void **state)
{
	(void)state;
	loop_free();
	return 0;
}

static void
count_cb(struct timer *t, void *arg)
{
	(void)t;
	(*(int *)arg)++;
}

static void
test_loop_timer_fires_only_when_clock_reaches_it(void **state)
{
	struct timer t;
	int fired = 0;

	(void)state;
	timer_init(&t, count_cb, &fired);
	assert_int_equal(loop_timer_after(&t, 59000), 0);
	loop_once(0);
	assert_int_equal(fired, 0);
	fake_clock_advance(58999);
	loop_once(0);
	assert_int_equal(fired, 0);
	fake_clock_advance(1);
	loop_once(0);
	assert_int_equal(fired, 1);
	assert_int_equal(loop_timer_count(), 0);
}

static void
test_loop_cancelled_timer_never_fires(void **state)
{
	struct timer t;
	int fired = 0;

	(void)state;
	timer_init(&t, count_cb, &fired);
	loop_timer_after(&t, 10);
	loop_timer_cancel(&t);
	fake_clock_advance(100);
	loop_once(0);
	assert_int_equal(fired, 0);
}

struct order {
	int	seen[8];
	int	n;
	struct loop_defer d2;
};

static void
second(void *arg)
{
	struct order *o = arg;

	o->seen[o->n++] = 2;
}

static void
first(void *arg)
{
	struct order *o = arg;

	o->seen[o->n++] = 1;
	/* Deferred from deferred work: runs in the same pass. */
	loop_defer(&o->d2, second, o);
}

static void
test_loop_deferred_work_runs_before_sleeping(void **state)
{
	struct loop_defer d1 = { .ld_queued = false };
	struct order o = { .n = 0 };

	(void)state;
	o.d2.ld_queued = false;
	loop_defer(&d1, first, &o);
	loop_defer(&d1, first, &o);	/* idempotent while queued */
	loop_once(0);
	assert_int_equal(o.n, 2);
	assert_int_equal(o.seen[0], 1);
	assert_int_equal(o.seen[1], 2);
}

struct pipe_ctx {
	struct loop_io	io;
	int		reads;
	char		last;
};

static void
pipe_cb(struct loop_io *io, uint32_t ev, void *arg)
{
	struct pipe_ctx *p = arg;

	assert_true(ev & EPOLLIN);
	if (read(io->io_fd, &p->last, 1) == 1)
		p->reads++;
}

static void
test_loop_dispatches_fd_events(void **state)
{
	struct pipe_ctx p = { .reads = 0 };
	int fds[2];

	(void)state;
	assert_int_equal(pipe(fds), 0);
	loop_io_init(&p.io, fds[0], pipe_cb, &p);
	assert_int_equal(loop_io_add(&p.io, EPOLLIN), 0);
	loop_once(0);
	assert_int_equal(p.reads, 0);
	assert_int_equal(write(fds[1], "x", 1), 1);
	loop_once(1000);
	assert_int_equal(p.reads, 1);
	assert_int_equal(p.last, 'x');
	loop_io_del(&p.io);
	assert_int_equal(write(fds[1], "y", 1), 1);
	loop_once(0);
	assert_int_equal(p.reads, 1);
	close(fds[0]);
	close(fds[1]);
}

static int	posted_runs;
static pthread_t posted_thread;

static void
posted(void *arg)
{
	(void)arg;
	/* Posted work runs on the loop thread, never the poster's. */
	assert_true(pthread_equal(pthread_self(), posted_thread) == 0);
	posted_runs++;
	if (posted_runs == 100)
		loop_break();
}

static void *
poster(void *arg)
{
	int i;

	(void)arg;
	for (i = 0; i < 100; i++)
		assert_int_equal(loop_post(posted, NULL), 0);
	return NULL;
}

static void
test_loop_runs_work_posted_from_another_thread(void **state)
{
	int i;

	(void)state;
	posted_runs = 0;
	assert_int_equal(pthread_create(&posted_thread, NULL, poster, NULL),
	    0);
	/* Bounded: 100 posts arrive within a few wake-ups. */
	for (i = 0; i < 1000 && posted_runs < 100; i++)
		loop_once(1000);
	pthread_join(posted_thread, NULL);
	assert_int_equal(posted_runs, 100);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_loop_timer_fires_only_when_clock_reaches_it,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_loop_cancelled_timer_never_fires, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_loop_deferred_work_runs_before_sleeping,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_loop_dispatches_fd_events, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_loop_runs_work_posted_from_another_thread,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
