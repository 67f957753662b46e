/*
 * loop.c — the event loop (see loop.h).
 *
 * One iteration: run the timers that are due, run the deferred work, then
 * sleep in epoll_wait() until the next deadline or an event, and dispatch
 * the events.  Deferred work runs before every sleep, so an object freed
 * with loop_defer() is gone before the loop blocks again, and never while a
 * callback further up the stack may still use it.
 *
 * Work posted from other threads (loop_post) goes on a mutex-protected
 * queue; the poster writes the eventfd, whose callback drains the queue on
 * the loop thread.
 */
#include <sys/epoll.h>
#include <sys/eventfd.h>

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "loop.h"

#define LOOP_MAX_EVENTS	64

struct loop_post {
	TAILQ_ENTRY(loop_post)	 lp_entry;
	void			(*lp_fn)(void *);
	void			*lp_arg;
};

static struct {
	int			 epfd;
	struct timerheap	 timers;
	TAILQ_HEAD(, loop_defer) deferred;
	struct loop_io		 wake_io;
	pthread_mutex_t		 post_mtx;
	TAILQ_HEAD(, loop_post)	 posted;
	bool			 running;
	bool			 inited;
} L = { .epfd = -1, .post_mtx = PTHREAD_MUTEX_INITIALIZER };

static void	loop_wake_cb(struct loop_io *, uint32_t, void *);

int
loop_init(void)
{
	int efd;

	if (L.inited)
		return 0;
	timerheap_init(&L.timers);
	TAILQ_INIT(&L.deferred);
	TAILQ_INIT(&L.posted);
	if ((L.epfd = epoll_create1(EPOLL_CLOEXEC)) == -1)
		return -1;
	if ((efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) == -1)
		goto fail;
	loop_io_init(&L.wake_io, efd, loop_wake_cb, NULL);
	L.inited = true;
	if (loop_io_add(&L.wake_io, EPOLLIN) == -1) {
		L.inited = false;
		close(efd);
		goto fail;
	}
	return 0;
fail:
	close(L.epfd);
	L.epfd = -1;
	return -1;
}

void
loop_free(void)
{
	struct loop_post *p;
	struct loop_defer *d;

	if (!L.inited)
		return;
	while ((p = TAILQ_FIRST(&L.posted)) != NULL) {
		TAILQ_REMOVE(&L.posted, p, lp_entry);
		free(p);
	}
	/*
	 * Deferred work is mostly the last free of an object that went
	 * (a connection closed at shutdown): run it, or it leaks.
	 */
	while ((d = TAILQ_FIRST(&L.deferred)) != NULL) {
		TAILQ_REMOVE(&L.deferred, d, ld_entry);
		d->ld_queued = false;
		d->ld_fn(d->ld_arg);
	}
	loop_io_del(&L.wake_io);
	close(L.wake_io.io_fd);
	timerheap_free(&L.timers);
	close(L.epfd);
	L.epfd = -1;
	L.inited = false;
	L.running = false;
}

void
loop_io_init(struct loop_io *io, int fd, loop_io_fn fn, void *arg)
{
	io->io_fd = fd;
	io->io_events = 0;
	io->io_added = false;
	io->io_fn = fn;
	io->io_arg = arg;
}

int
loop_io_add(struct loop_io *io, uint32_t events)
{
	struct epoll_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.events = events;
	ev.data.ptr = io;
	if (epoll_ctl(L.epfd, EPOLL_CTL_ADD, io->io_fd, &ev) == -1)
		return -1;
	io->io_events = events;
	io->io_added = true;
	return 0;
}

int
loop_io_mod(struct loop_io *io, uint32_t events)
{
	struct epoll_event ev;

	if (!io->io_added)
		return loop_io_add(io, events);
	if (io->io_events == events)
		return 0;
	memset(&ev, 0, sizeof(ev));
	ev.events = events;
	ev.data.ptr = io;
	if (epoll_ctl(L.epfd, EPOLL_CTL_MOD, io->io_fd, &ev) == -1)
		return -1;
	io->io_events = events;
	return 0;
}

void
loop_io_del(struct loop_io *io)
{
	if (!io->io_added)
		return;
	if (epoll_ctl(L.epfd, EPOLL_CTL_DEL, io->io_fd, NULL) == -1)
		log_warn("loop: epoll_ctl del fd %d", io->io_fd);
	io->io_added = false;
	io->io_events = 0;
}

int
loop_timer_after(struct timer *t, uint64_t delay_ms)
{
	return timerheap_add(&L.timers, t, clock_mono_ms() + delay_ms);
}

int
loop_timer_at(struct timer *t, uint64_t when_ms)
{
	return timerheap_add(&L.timers, t, when_ms);
}

void
loop_timer_cancel(struct timer *t)
{
	timerheap_cancel(&L.timers, t);
}

size_t
loop_timer_count(void)
{
	return timerheap_count(&L.timers);
}

void
loop_defer(struct loop_defer *d, void (*fn)(void *), void *arg)
{
	if (d->ld_queued)
		return;
	d->ld_fn = fn;
	d->ld_arg = arg;
	d->ld_queued = true;
	TAILQ_INSERT_TAIL(&L.deferred, d, ld_entry);
}

void
loop_defer_cancel(struct loop_defer *d)
{
	if (!d->ld_queued)
		return;
	TAILQ_REMOVE(&L.deferred, d, ld_entry);
	d->ld_queued = false;
}

int
loop_post(void (*fn)(void *), void *arg)
{
	struct loop_post *p;
	uint64_t one = 1;

	if ((p = malloc(sizeof(*p))) == NULL)
		return -1;
	p->lp_fn = fn;
	p->lp_arg = arg;
	pthread_mutex_lock(&L.post_mtx);
	TAILQ_INSERT_TAIL(&L.posted, p, lp_entry);
	pthread_mutex_unlock(&L.post_mtx);
	/* EAGAIN means the counter is already non-zero: a wake-up is due. */
	if (write(L.wake_io.io_fd, &one, sizeof(one)) == -1 &&
	    errno != EAGAIN)
		log_warn("loop: eventfd write");
	return 0;
}

static void
loop_wake_cb(struct loop_io *io, uint32_t events, void *arg)
{
	TAILQ_HEAD(, loop_post) batch = TAILQ_HEAD_INITIALIZER(batch);
	struct loop_post *p;
	uint64_t n;

	(void)events;
	(void)arg;
	while (read(io->io_fd, &n, sizeof(n)) == sizeof(n))
		;
	pthread_mutex_lock(&L.post_mtx);
	TAILQ_CONCAT(&batch, &L.posted, lp_entry);
	pthread_mutex_unlock(&L.post_mtx);
	while ((p = TAILQ_FIRST(&batch)) != NULL) {
		TAILQ_REMOVE(&batch, p, lp_entry);
		p->lp_fn(p->lp_arg);
		free(p);
	}
}

static void
run_deferred(void)
{
	struct loop_defer *d;

	/* Work deferred by deferred work runs in the same pass. */
	while ((d = TAILQ_FIRST(&L.deferred)) != NULL) {
		TAILQ_REMOVE(&L.deferred, d, ld_entry);
		d->ld_queued = false;
		d->ld_fn(d->ld_arg);
	}
}

/* Milliseconds until the earliest timer, capped by limit (-1: none). */
static int
next_timeout(int limit)
{
	struct timer *t;
	uint64_t now, wait;

	if (!TAILQ_EMPTY(&L.deferred))
		return 0;
	if ((t = timerheap_peek(&L.timers)) == NULL)
		return limit;
	now = clock_mono_ms();
	wait = t->tm_when <= now ? 0 : t->tm_when - now;
	if (wait > INT32_MAX)
		wait = INT32_MAX;
	if (limit >= 0 && (uint64_t)limit < wait)
		return limit;
	return (int)wait;
}

int
loop_once(int timeout_ms)
{
	struct epoll_event evs[LOOP_MAX_EVENTS];
	int i, n;

	timerheap_run(&L.timers, clock_mono_ms());
	run_deferred();
	n = epoll_wait(L.epfd, evs, LOOP_MAX_EVENTS, next_timeout(timeout_ms));
	if (n == -1) {
		if (errno == EINTR)
			return 0;
		log_warn("loop: epoll_wait");
		return -1;
	}
	for (i = 0; i < n; i++) {
		struct loop_io *io = evs[i].data.ptr;

		/*
		 * A callback earlier in this batch may have removed io; its
		 * owner defers the free, so the memory is still valid here.
		 */
		if (!io->io_added)
			continue;
		io->io_fn(io, evs[i].events, io->io_arg);
	}
	timerheap_run(&L.timers, clock_mono_ms());
	run_deferred();
	return n;
}

int
loop_run(void)
{
	L.running = true;
	while (L.running) {
		if (loop_once(-1) == -1)
			return -1;
	}
	run_deferred();
	return 0;
}

void
loop_break(void)
{
	L.running = false;
}

bool
loop_running(void)
{
	return L.running;
}
