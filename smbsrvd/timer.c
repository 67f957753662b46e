/*
 * timer.c — binary min-heap of embedded timers (see timer.h).
 *
 * Order is (tm_when, tm_seq): the earlier deadline first, and among equal
 * deadlines the one armed first.  Each timer records its slot so cancel and
 * re-arm find it without a search.
 */
#include <errno.h>
#include <stdlib.h>

#include "timer.h"

void
timer_init(struct timer *t, timer_fn fn, void *arg)
{
	t->tm_when = 0;
	t->tm_seq = 0;
	t->tm_slot = TIMER_IDLE;
	t->tm_fn = fn;
	t->tm_arg = arg;
}

bool
timer_pending(const struct timer *t)
{
	return t->tm_slot != TIMER_IDLE;
}

int
timerheap_init(struct timerheap *th)
{
	th->th_v = NULL;
	th->th_len = th->th_cap = 0;
	th->th_seq = 0;
	return 0;
}

void
timerheap_free(struct timerheap *th)
{
	size_t i;

	for (i = 0; i < th->th_len; i++)
		th->th_v[i]->tm_slot = TIMER_IDLE;
	free(th->th_v);
	th->th_v = NULL;
	th->th_len = th->th_cap = 0;
}

static bool
before(const struct timer *a, const struct timer *b)
{
	if (a->tm_when != b->tm_when)
		return a->tm_when < b->tm_when;
	return a->tm_seq < b->tm_seq;
}

static void
place(struct timerheap *th, size_t i, struct timer *t)
{
	th->th_v[i] = t;
	t->tm_slot = i;
}

static void
sift_up(struct timerheap *th, size_t i)
{
	struct timer *t = th->th_v[i];

	while (i > 0) {
		size_t parent = (i - 1) / 2;

		if (!before(t, th->th_v[parent]))
			break;
		place(th, i, th->th_v[parent]);
		i = parent;
	}
	place(th, i, t);
}

static void
sift_down(struct timerheap *th, size_t i)
{
	struct timer *t = th->th_v[i];

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= th->th_len)
			break;
		if (c + 1 < th->th_len && before(th->th_v[c + 1], th->th_v[c]))
			c++;
		if (!before(th->th_v[c], t))
			break;
		place(th, i, th->th_v[c]);
		i = c;
	}
	place(th, i, t);
}

void
timerheap_cancel(struct timerheap *th, struct timer *t)
{
	size_t i = t->tm_slot;
	struct timer *last;

	if (i == TIMER_IDLE || i >= th->th_len || th->th_v[i] != t)
		return;
	t->tm_slot = TIMER_IDLE;
	last = th->th_v[--th->th_len];
	if (i == th->th_len)
		return;
	place(th, i, last);
	/* The moved element may belong above or below its new slot. */
	if (i > 0 && before(last, th->th_v[(i - 1) / 2]))
		sift_up(th, i);
	else
		sift_down(th, i);
}

int
timerheap_add(struct timerheap *th, struct timer *t, uint64_t when)
{
	if (timer_pending(t))
		timerheap_cancel(th, t);
	if (th->th_len == th->th_cap) {
		size_t cap = th->th_cap == 0 ? 64 : th->th_cap * 2;
		struct timer **v;

		if (cap > SIZE_MAX / sizeof(*v) ||
		    (v = realloc(th->th_v, cap * sizeof(*v))) == NULL) {
			errno = ENOMEM;
			return -1;
		}
		th->th_v = v;
		th->th_cap = cap;
	}
	t->tm_when = when;
	t->tm_seq = th->th_seq++;
	th->th_v[th->th_len] = t;
	t->tm_slot = th->th_len++;
	sift_up(th, t->tm_slot);
	return 0;
}

struct timer *
timerheap_peek(const struct timerheap *th)
{
	return th->th_len == 0 ? NULL : th->th_v[0];
}

size_t
timerheap_run(struct timerheap *th, uint64_t now)
{
	struct timer *t;
	size_t n = 0;

	/*
	 * A callback that re-arms itself for a time <= now would run again in
	 * this pass; the sequence check stops at timers armed during the pass
	 * so one call always ends.
	 */
	uint64_t limit = th->th_seq;

	while ((t = timerheap_peek(th)) != NULL && t->tm_when <= now &&
	    t->tm_seq < limit) {
		timerheap_cancel(th, t);
		n++;
		t->tm_fn(t, t->tm_arg);
	}
	return n;
}

size_t
timerheap_count(const struct timerheap *th)
{
	return th->th_len;
}
