/*
 * timer.h — a binary min-heap of timers keyed by monotonic milliseconds.
 *
 * A timer is embedded in its owner and knows its own heap slot, so add,
 * cancel and re-arm are O(log n) and need no allocation.  Timers with the
 * same deadline fire in the order they were armed (a sequence number breaks
 * ties).  The heap does not own the timers; an owner must cancel its timer
 * before freeing it.
 */
#ifndef SMBSRVD_TIMER_H
#define SMBSRVD_TIMER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct timer;
typedef void (*timer_fn)(struct timer *, void *);

struct timer {
	uint64_t	 tm_when;	/* deadline, clock_mono_ms() scale */
	uint64_t	 tm_seq;	/* arming order, breaks ties */
	size_t		 tm_slot;	/* heap index, TIMER_IDLE if not armed */
	timer_fn	 tm_fn;
	void		*tm_arg;
};

#define TIMER_IDLE	((size_t)-1)

struct timerheap {
	struct timer	**th_v;
	size_t		  th_len, th_cap;
	uint64_t	  th_seq;
};

void	timer_init(struct timer *, timer_fn, void *);
bool	timer_pending(const struct timer *);

int	timerheap_init(struct timerheap *);
void	timerheap_free(struct timerheap *);
/* Arms (or re-arms) t for the absolute time when; -1 only on ENOMEM. */
int	timerheap_add(struct timerheap *, struct timer *, uint64_t when);
/* Disarms t if armed; harmless otherwise. */
void	timerheap_cancel(struct timerheap *, struct timer *);
/* The earliest armed timer, or NULL. */
struct timer *timerheap_peek(const struct timerheap *);
/* Removes and runs, one at a time, every timer due at or before now; a
 * callback may arm or cancel any timer, including itself.  Returns the
 * number run. */
size_t	timerheap_run(struct timerheap *, uint64_t now);
size_t	timerheap_count(const struct timerheap *);

#endif
