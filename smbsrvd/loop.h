/*
 * loop.h — the event loop: epoll, a monotonic timer heap, a wake-up eventfd
 * for work posted from other threads, and a before-sleep pass.
 *
 * There is one loop per process and one thread runs it; that thread owns the
 * whole state model.  Only loop_post() may be called from another thread.
 *
 * A struct loop_io is embedded in its owner (a connection, a listener, the
 * HTTP server).  Its callback runs with the epoll events that fired.  An
 * owner that frees itself from inside a callback must first loop_io_del()
 * and should queue the free with loop_defer() (STYLE.md).
 */
#ifndef SMBSRVD_LOOP_H
#define SMBSRVD_LOOP_H

#include <stdbool.h>
#include <stdint.h>

#include "queue.h"
#include "timer.h"

struct loop_io;
typedef void (*loop_io_fn)(struct loop_io *, uint32_t events, void *);

struct loop_io {
	int		 io_fd;
	uint32_t	 io_events;	/* EPOLLIN, EPOLLOUT ... wanted */
	bool		 io_added;
	loop_io_fn	 io_fn;
	void		*io_arg;
};

/* Deferred work, run from the before-sleep pass (same thread). */
struct loop_defer {
	TAILQ_ENTRY(loop_defer)	 ld_entry;
	void			(*ld_fn)(void *);
	void			*ld_arg;
	bool			 ld_queued;
};

int	loop_init(void);
void	loop_free(void);

void	loop_io_init(struct loop_io *, int fd, loop_io_fn, void *);
int	loop_io_add(struct loop_io *, uint32_t events);
int	loop_io_mod(struct loop_io *, uint32_t events);
void	loop_io_del(struct loop_io *);

/* Timers on the loop's heap; delays and deadlines in milliseconds. */
int	loop_timer_after(struct timer *, uint64_t delay_ms);
int	loop_timer_at(struct timer *, uint64_t when_ms);
void	loop_timer_cancel(struct timer *);
size_t	loop_timer_count(void);

/* Queue d to run once before the loop next sleeps; idempotent while queued. */
void	loop_defer(struct loop_defer *, void (*)(void *), void *);
void	loop_defer_cancel(struct loop_defer *);

/*
 * Thread-safe: run fn(arg) on the loop thread soon.  Allocates; returns -1
 * with errno on failure, in which case fn will not run.
 */
int	loop_post(void (*fn)(void *), void *arg);

/*
 * Runs until loop_break().  One iteration: run due timers, run deferred
 * work, sleep in epoll_wait until the next timer, dispatch events.
 */
int	loop_run(void);
/* One iteration with at most timeout_ms of sleep (-1: until an event or
 * timer).  Used by loop_run() and by tests. */
int	loop_once(int timeout_ms);
void	loop_break(void);
bool	loop_running(void);

#endif
