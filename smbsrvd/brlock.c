/*
 * brlock.c — byte-range locks and their waiters (see brlock.h for the
 * table and the waiter life cycle).
 */
#include <stdlib.h>
#include <string.h>

#include "brlock.h"
#include "loop.h"
#include "ntstatus.h"
#include "ofile.h"
#include "queue.h"

struct brlock {
	TAILQ_ENTRY(brlock)	 bl_entry;	/* bt_locks */
	struct ofile		*bl_open;	/* owner, not a reference */
	uint64_t		 bl_off;
	uint64_t		 bl_len;
	uint64_t		 bl_batch;	/* the brlock_lock() call */
	bool			 bl_excl;
};

struct brlock_table {
	TAILQ_HEAD(, brlock)		 bt_locks;
	TAILQ_HEAD(, brlock_waiter)	 bt_waiters;	/* WAITING ones */
	unsigned int			 bt_nlocks;
	uint64_t			 bt_batches;
};

enum brlock_wait_state { BRLOCK_WAITING, BRLOCK_READY };

struct brlock_waiter {
	TAILQ_ENTRY(brlock_waiter) bw_entry;	/* bt_waiters or wakeq */
	enum brlock_wait_state	 bw_state;
	struct ofile		*bw_open;	/* while WAITING */
	struct brlock_elem	 bw_elem;
	uint32_t		 bw_status;	/* once READY */
	brlock_wake_fn		 bw_fn;
	void			*bw_arg;
};

/* READY waiters, for the before-sleep pass. */
static TAILQ_HEAD(, brlock_waiter) wakeq = TAILQ_HEAD_INITIALIZER(wakeq);
static struct loop_defer wake_defer;

/* ---- the LOCK request (MS-SMB2 2.2.26, 3.3.5.14) ---- */

uint32_t
brlock_req_decode(struct msgbuf_rd *rd, bool smb202, struct brlock_req *q)
{
	struct brlock_elem *e;
	uint32_t seq;
	uint16_t i;

	memset(q, 0, sizeof(*q));
	q->bq_count = msgbuf_get_le16(rd);
	seq = msgbuf_get_le32(rd);
	q->bq_persistent = msgbuf_get_le64(rd);
	q->bq_volatile = msgbuf_get_le64(rd);
	if (!msgbuf_rd_ok(rd) || q->bq_count == 0)
		return STATUS_INVALID_PARAMETER;
	if (!smb202) {
		q->bq_seq_number = seq & 0xf;
		q->bq_seq_index = seq >> 4;
	}
	/* Look before allocating: LockCount may promise more than came. */
	if (msgbuf_remain(rd) / SMB2_LOCK_ELEMENT_LEN < q->bq_count)
		return STATUS_INVALID_PARAMETER;
	if ((q->bq_elems = calloc(q->bq_count, sizeof(*q->bq_elems))) == NULL)
		return STATUS_INSUFFICIENT_RESOURCES;
	for (i = 0; i < q->bq_count; i++) {
		e = &q->bq_elems[i];
		e->be_off = msgbuf_get_le64(rd);
		e->be_len = msgbuf_get_le64(rd);
		e->be_flags = msgbuf_get_le32(rd);
		msgbuf_skip(rd, 4);		/* Reserved */
	}
	return msgbuf_rd_ok(rd) ? STATUS_SUCCESS : STATUS_INVALID_PARAMETER;
}

/* 2.2.26.1: exactly one of SHARED and EXCLUSIVE, FAIL_IMMEDIATELY or not. */
static bool
lock_flags_ok(uint32_t f)
{
	f &= ~SMB2_LOCKFLAG_FAIL_IMMEDIATELY;
	return f == SMB2_LOCKFLAG_SHARED_LOCK ||
	    f == SMB2_LOCKFLAG_EXCLUSIVE_LOCK;
}

uint32_t
brlock_req_check(struct brlock_req *q)
{
	uint32_t first = q->bq_elems[0].be_flags;
	uint16_t i;

	q->bq_unlock = first == SMB2_LOCKFLAG_UNLOCK;
	if (q->bq_unlock)
		return STATUS_SUCCESS;
	if (!lock_flags_ok(first))
		return STATUS_INVALID_PARAMETER;
	/*
	 * 3.3.5.14.2: several locks must all fail immediately, so only a
	 * request of one lock ever waits; no lock request may unlock; other
	 * combinations of flags are refused.
	 */
	for (i = 0; i < q->bq_count; i++) {
		if (!lock_flags_ok(q->bq_elems[i].be_flags) ||
		    (q->bq_count > 1 && !(q->bq_elems[i].be_flags &
		    SMB2_LOCKFLAG_FAIL_IMMEDIATELY)))
			return STATUS_INVALID_PARAMETER;
	}
	q->bq_blocking = !(first & SMB2_LOCKFLAG_FAIL_IMMEDIATELY);
	return STATUS_SUCCESS;
}

void
brlock_req_free(struct brlock_req *q)
{
	free(q->bq_elems);
	q->bq_elems = NULL;
}

/* ---- ranges and conflicts (MS-FSA 2.1.4.10) ---- */

/* 2.1.5.8: no byte of the range may lie past 2^64 - 1. */
static bool
range_ok(uint64_t off, uint64_t len)
{
	return len == 0 || off + (len - 1) >= off;
}

/*
 * 2.1.4.10: ranges overlap when each starts at or before the other's
 * last byte, the last byte of a zero-length range being the one before
 * it: a zero-length range at X overlaps the ranges that hold X - 1 and
 * X, never another zero-length one.  {0, 0} overlaps nothing.
 */
static bool
overlaps(const struct brlock *l, uint64_t off, uint64_t len)
{
	uint64_t last1, last2;

	if ((off == 0 && len == 0) || (l->bl_off == 0 && l->bl_len == 0))
		return false;
	last1 = off + len - 1;
	last2 = l->bl_off + l->bl_len - 1;
	return off <= last2 && last1 >= l->bl_off;
}

/*
 * 2.1.4.10: an overlapping exclusive lock conflicts with everything of
 * other opens, and with an exclusive lock (not a read, a write or a
 * shared lock) of its own open; an overlapping shared lock conflicts
 * with exclusive intent (an exclusive lock or a write) of any open.
 */
static bool
conflicts(const struct brlock_table *t, const struct ofile *of, uint64_t off,
    uint64_t len, bool excl, bool lock_intent)
{
	const struct brlock *l;

	TAILQ_FOREACH(l, &t->bt_locks, bl_entry) {
		if (!overlaps(l, off, len))
			continue;
		if (l->bl_excl ? l->bl_open != of || (lock_intent && excl) :
		    excl)
			return true;
	}
	return false;
}

/* ---- the table of a file ---- */

static struct brlock_table *
table_get(struct fnode *fn)
{
	struct brlock_table *t;

	if (fn->fn_brl != NULL)
		return fn->fn_brl;
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	TAILQ_INIT(&t->bt_locks);
	TAILQ_INIT(&t->bt_waiters);
	fn->fn_brl = t;
	return t;
}

/* Frees the table once it holds nothing. */
static void
table_put(struct fnode *fn)
{
	struct brlock_table *t = fn->fn_brl;

	if (t == NULL || !TAILQ_EMPTY(&t->bt_locks) ||
	    !TAILQ_EMPTY(&t->bt_waiters))
		return;
	free(t);
	fn->fn_brl = NULL;
}

/* MS-FSA 2.1.5.8 for one element. */
static uint32_t
table_add(struct brlock_table *t, struct ofile *of,
    const struct brlock_elem *e, uint64_t batch)
{
	bool excl = (e->be_flags & SMB2_LOCKFLAG_EXCLUSIVE_LOCK) != 0;
	struct brlock *l;

	if (!range_ok(e->be_off, e->be_len))
		return STATUS_INVALID_LOCK_RANGE;
	if (conflicts(t, of, e->be_off, e->be_len, excl, true))
		return STATUS_LOCK_NOT_GRANTED;
	if (t->bt_nlocks >= BRLOCK_MAX_PER_FILE ||
	    (l = calloc(1, sizeof(*l))) == NULL)
		return STATUS_INSUFFICIENT_RESOURCES;
	l->bl_open = of;
	l->bl_off = e->be_off;
	l->bl_len = e->be_len;
	l->bl_batch = batch;
	l->bl_excl = excl;
	TAILQ_INSERT_TAIL(&t->bt_locks, l, bl_entry);
	t->bt_nlocks++;
	of->of_lock_count++;
	return STATUS_SUCCESS;
}

static void
table_del(struct brlock_table *t, struct brlock *l)
{
	TAILQ_REMOVE(&t->bt_locks, l, bl_entry);
	t->bt_nlocks--;
	l->bl_open->of_lock_count--;
	free(l);
}

/* ---- waking ---- */

/* The before-sleep pass: tells each READY waiter's owner. */
static void
brlock_wake(void *arg)
{
	struct brlock_waiter *w;

	(void)arg;
	/*
	 * A function may drop other READY waiters (a connection that goes
	 * drops its requests), so take the first one afresh each time.
	 */
	while ((w = TAILQ_FIRST(&wakeq)) != NULL) {
		TAILQ_REMOVE(&wakeq, w, bw_entry);
		w->bw_fn(w->bw_status, w->bw_arg);
		free(w);
	}
}

/* WAITING to READY: off the file's list, onto the wake queue. */
static void
waiter_ready(struct brlock_table *t, struct brlock_waiter *w,
    uint32_t status)
{
	TAILQ_REMOVE(&t->bt_waiters, w, bw_entry);
	w->bw_state = BRLOCK_READY;
	w->bw_status = status;
	w->bw_open = NULL;
	TAILQ_INSERT_TAIL(&wakeq, w, bw_entry);
	loop_defer(&wake_defer, brlock_wake, NULL);
}

/* A lock went: grants what now can be, first come first served. */
static void
table_retry(struct brlock_table *t)
{
	struct brlock_waiter *w, *tw;
	uint32_t st;

	TAILQ_FOREACH_SAFE(w, &t->bt_waiters, bw_entry, tw) {
		st = table_add(t, w->bw_open, &w->bw_elem, ++t->bt_batches);
		if (st != STATUS_LOCK_NOT_GRANTED)
			waiter_ready(t, w, st);
	}
}

/* ---- locking and unlocking ---- */

uint32_t
brlock_lock(struct ofile *of, const struct brlock_elem *e, size_t n)
{
	struct fnode *fn = of->of_fnode;
	struct brlock_table *t;
	struct brlock *l, *tl;
	uint64_t batch;
	uint32_t st = STATUS_SUCCESS;
	size_t i;

	if (fn == NULL)
		return STATUS_FILE_CLOSED;
	if ((t = table_get(fn)) == NULL)
		return STATUS_INSUFFICIENT_RESOURCES;
	batch = ++t->bt_batches;
	for (i = 0; i < n; i++) {
		if ((st = table_add(t, of, &e[i], batch)) != STATUS_SUCCESS)
			break;
	}
	if (st != STATUS_SUCCESS) {
		/* Nobody saw them: no waiter needs a retry. */
		TAILQ_FOREACH_SAFE(l, &t->bt_locks, bl_entry, tl) {
			if (l->bl_batch == batch)
				table_del(t, l);
		}
		table_put(fn);
	}
	return st;
}

uint32_t
brlock_unlock(struct ofile *of, uint64_t off, uint64_t len)
{
	struct fnode *fn = of->of_fnode;
	struct brlock_table *t;
	struct brlock *l, *found = NULL;

	/*
	 * A range past 2^64 - 1 is never locked, so it is not either:
	 * Samba 4.17's answer, where MS-FSA 2.1.5.9 has
	 * STATUS_INVALID_LOCK_RANGE.
	 */
	if (fn == NULL || (t = fn->fn_brl) == NULL)
		return STATUS_RANGE_NOT_LOCKED;
	TAILQ_FOREACH(l, &t->bt_locks, bl_entry) {
		if (l->bl_open != of || l->bl_off != off || l->bl_len != len)
			continue;
		found = l;
		if (l->bl_excl)
			break;
	}
	if (found == NULL)
		return STATUS_RANGE_NOT_LOCKED;
	table_del(t, found);
	table_retry(t);
	table_put(fn);
	return STATUS_SUCCESS;
}

uint32_t
brlock_check_io(const struct ofile *of, uint64_t off, uint64_t len,
    bool write)
{
	const struct brlock_table *t;

	if (of->of_fnode == NULL || (t = of->of_fnode->fn_brl) == NULL ||
	    len == 0)
		return STATUS_SUCCESS;
	return conflicts(t, of, off, len, write, false) ?
	    STATUS_FILE_LOCK_CONFLICT : STATUS_SUCCESS;
}

unsigned int
brlock_count(const struct fnode *fn)
{
	return fn->fn_brl != NULL ? fn->fn_brl->bt_nlocks : 0;
}

/* ---- waiters ---- */

struct brlock_waiter *
brlock_wait(struct ofile *of, const struct brlock_elem *e, brlock_wake_fn fn,
    void *arg)
{
	struct brlock_table *t;
	struct brlock_waiter *w;

	if (of->of_fnode == NULL || (t = table_get(of->of_fnode)) == NULL)
		return NULL;
	if ((w = calloc(1, sizeof(*w))) == NULL) {
		table_put(of->of_fnode);
		return NULL;
	}
	w->bw_state = BRLOCK_WAITING;
	w->bw_open = of;
	w->bw_elem = *e;
	w->bw_fn = fn;
	w->bw_arg = arg;
	TAILQ_INSERT_TAIL(&t->bt_waiters, w, bw_entry);
	return w;
}

void
brlock_wait_arg(struct brlock_waiter *w, void *arg)
{
	w->bw_arg = arg;
}

uint32_t
brlock_wait_cancel(struct brlock_waiter *w)
{
	struct fnode *fn;
	uint32_t st;

	if (w->bw_state == BRLOCK_WAITING) {
		fn = w->bw_open->of_fnode;
		TAILQ_REMOVE(&fn->fn_brl->bt_waiters, w, bw_entry);
		table_put(fn);
		st = STATUS_PENDING;
	} else {
		TAILQ_REMOVE(&wakeq, w, bw_entry);
		st = w->bw_status;
	}
	free(w);
	return st;
}

void
brlock_close(struct ofile *of)
{
	struct fnode *fn = of->of_fnode;
	struct brlock_table *t;
	struct brlock_waiter *w, *tw;
	struct brlock *l, *tl;
	bool freed = false;

	if (fn == NULL || (t = fn->fn_brl) == NULL)
		return;
	/* Samba 4.17 and Windows: a pending lock of a closed open. */
	TAILQ_FOREACH_SAFE(w, &t->bt_waiters, bw_entry, tw) {
		if (w->bw_open == of)
			waiter_ready(t, w, STATUS_RANGE_NOT_LOCKED);
	}
	TAILQ_FOREACH_SAFE(l, &t->bt_locks, bl_entry, tl) {
		if (l->bl_open == of) {
			table_del(t, l);
			freed = true;
		}
	}
	if (freed)
		table_retry(t);
	table_put(fn);
}
