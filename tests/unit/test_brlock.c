/*
 * test_brlock.c — byte-range locks: the conflict matrix of MS-FSA
 * 2.1.4.10 for shared and exclusive locks of the same and of another
 * open, zero-length ranges, the edges of the offset space, rollback of a
 * failed request, exact unlocks, read/write checks, close, waiters, and
 * the LOCK request decoder and flag rules.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "brlock.h"
#include "loop.h"
#include "msgbuf.h"
#include "ntstatus.h"
#include "ofile.h"

#define SH	SMB2_LOCKFLAG_SHARED_LOCK
#define EX	SMB2_LOCKFLAG_EXCLUSIVE_LOCK
#define FI	SMB2_LOCKFLAG_FAIL_IMMEDIATELY
#define UN	SMB2_LOCKFLAG_UNLOCK

/* One file and three opens of it; brlock needs nothing more. */
struct file {
	struct fnode	fn;
	struct ofile	a, b, c;
};

static void
open_init(struct ofile *of, struct fnode *fn)
{
	memset(of, 0, sizeof(*of));
	of->of_magic = OFILE_MAGIC;
	of->of_refs = 1;
	of->of_state = OFILE_ACTIVE;
	of->of_fd = -1;
	of->of_fnode = fn;
}

static int
file_setup(void **state)
{
	struct file *f;

	if ((f = calloc(1, sizeof(*f))) == NULL)
		return -1;
	open_init(&f->a, &f->fn);
	open_init(&f->b, &f->fn);
	open_init(&f->c, &f->fn);
	*state = f;
	return 0;
}

/* Every test leaves the file as it found it: no locks, no table. */
static int
file_teardown(void **state)
{
	struct file *f = *state;

	brlock_close(&f->a);
	brlock_close(&f->b);
	brlock_close(&f->c);
	loop_once(0);
	assert_int_equal(brlock_count(&f->fn), 0);
	assert_null(f->fn.fn_brl);
	assert_int_equal(f->a.of_lock_count, 0);
	free(f);
	return 0;
}

static int
group_setup(void **state)
{
	(void)state;
	return loop_init();
}

static int
group_teardown(void **state)
{
	(void)state;
	loop_free();
	return 0;
}

static uint32_t
lk(struct ofile *of, uint64_t off, uint64_t len, uint32_t flags)
{
	struct brlock_elem e = { off, len, flags };

	return brlock_lock(of, &e, 1);
}

static void
test_brlock_exclusive_keeps_other_opens_locks_out(
    void **state)
{
	struct file *f = *state;

	assert_int_equal(lk(&f->a, 100, 10, EX), STATUS_SUCCESS);
	assert_int_equal(lk(&f->b, 100, 10, EX), STATUS_LOCK_NOT_GRANTED);
	assert_int_equal(lk(&f->b, 100, 10, SH), STATUS_LOCK_NOT_GRANTED);
	assert_int_equal(lk(&f->b, 109, 1, SH), STATUS_LOCK_NOT_GRANTED);
	assert_int_equal(lk(&f->b, 95, 6, SH), STATUS_LOCK_NOT_GRANTED);
	assert_int_equal(f->a.of_lock_count, 1);
	assert_int_equal(f->b.of_lock_count, 0);
	assert_int_equal(brlock_count(&f->fn), 1);
}

static void
test_brlock_shared_locks_stack_and_block_exclusive(
    void **state)
{
	struct file *f = *state;

	assert_int_equal(lk(&f->a, 0, 10, SH), STATUS_SUCCESS);
	assert_int_equal(lk(&f->a, 5, 10, SH), STATUS_SUCCESS);
	assert_int_equal(lk(&f->b, 0, 10, SH), STATUS_SUCCESS);
	assert_int_equal(lk(&f->b, 2, 2, EX), STATUS_LOCK_NOT_GRANTED);
	/* Even the open's own shared lock keeps its exclusive one out. */
	assert_int_equal(lk(&f->a, 2, 2, EX), STATUS_LOCK_NOT_GRANTED);
	assert_int_equal(f->a.of_lock_count, 2);
	assert_int_equal(f->b.of_lock_count, 1);
}

static void
test_brlock_own_exclusive_takes_shared_but_not_exclusive(void **state)
{
	struct file *f = *state;

	assert_int_equal(lk(&f->a, 0, 10, EX), STATUS_SUCCESS);
	assert_int_equal(lk(&f->a, 0, 10, SH), STATUS_SUCCESS);
	assert_int_equal(lk(&f->a, 2, 3, SH), STATUS_SUCCESS);
	assert_int_equal(lk(&f->a, 0, 10, EX), STATUS_LOCK_NOT_GRANTED);
	assert_int_equal(lk(&f->a, 9, 5, EX), STATUS_LOCK_NOT_GRANTED);
	assert_int_equal(lk(&f->b, 0, 10, SH), STATUS_LOCK_NOT_GRANTED);
	assert_int_equal(f->a.of_lock_count, 3);
}

/* smbtorture smb2.lock.zerobytelength, for one open and for two. */
static void
test_brlock_zero_length_ranges_conflict_only_strictly_inside(void **state)
{
	static const struct {
		uint64_t	off1, len1, off2, len2;
		uint32_t	st;
	} t[] = {
		{ 10, 0, 10, 0, STATUS_SUCCESS },
		{ 10, 0, 9, 1, STATUS_SUCCESS },
		{ 10, 0, 10, 1, STATUS_SUCCESS },
		{ 10, 0, 11, 1, STATUS_SUCCESS },
		{ 10, 0, 9, 2, STATUS_LOCK_NOT_GRANTED },
		{ 10, 0, 10, 2, STATUS_SUCCESS },
		{ 10, 0, 9, 3, STATUS_LOCK_NOT_GRANTED },
		{ 9, 1, 10, 0, STATUS_SUCCESS },
		{ 10, 1, 10, 0, STATUS_SUCCESS },
		{ 11, 1, 10, 0, STATUS_SUCCESS },
		{ 9, 2, 10, 0, STATUS_LOCK_NOT_GRANTED },
		{ 10, 2, 10, 0, STATUS_SUCCESS },
		{ 9, 3, 10, 0, STATUS_LOCK_NOT_GRANTED },
		{ 0, 0, 0, 0, STATUS_SUCCESS },
		/* {0, 0} overlaps nothing, not even a lock holding byte 0. */
		{ 0, 5, 0, 0, STATUS_SUCCESS },
		{ 0, 0, 0, 5, STATUS_SUCCESS },
	};
	struct file *f = *state;
	struct ofile *second[] = { &f->a, &f->b };
	size_t i, k;

	for (k = 0; k < 2; k++) {
		for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
			assert_int_equal(lk(&f->a, t[i].off1, t[i].len1, EX),
			    STATUS_SUCCESS);
			assert_int_equal(lk(second[k], t[i].off2, t[i].len2,
			    EX), t[i].st);
			if (t[i].st == STATUS_SUCCESS)
				assert_int_equal(brlock_unlock(second[k],
				    t[i].off2, t[i].len2), STATUS_SUCCESS);
			assert_int_equal(brlock_unlock(&f->a, t[i].off1,
			    t[i].len1), STATUS_SUCCESS);
			assert_int_equal(brlock_count(&f->fn), 0);
		}
	}
}

static void
test_brlock_adjacent_ranges_and_the_end_of_the_offset_space(void **state)
{
	struct file *f = *state;

	assert_int_equal(lk(&f->a, 0, 10, EX), STATUS_SUCCESS);
	assert_int_equal(lk(&f->b, 10, 10, EX), STATUS_SUCCESS);
	assert_int_equal(lk(&f->b, 9, 1, SH), STATUS_LOCK_NOT_GRANTED);
	/* The last byte there is, 2^64 - 1: one byte fits, two do not. */
	assert_int_equal(lk(&f->a, UINT64_MAX, 1, EX), STATUS_SUCCESS);
	assert_int_equal(lk(&f->b, UINT64_MAX, 1, EX),
	    STATUS_LOCK_NOT_GRANTED);
	assert_int_equal(lk(&f->b, UINT64_MAX - 5, 6, SH),
	    STATUS_LOCK_NOT_GRANTED);
	assert_int_equal(lk(&f->b, UINT64_MAX, 0, EX), STATUS_SUCCESS);
	assert_int_equal(lk(&f->c, UINT64_MAX, 0, EX), STATUS_SUCCESS);
	assert_int_equal(lk(&f->a, UINT64_MAX, 2, EX),
	    STATUS_INVALID_LOCK_RANGE);
	assert_int_equal(lk(&f->a, UINT64_MAX, UINT64_MAX, EX | FI),
	    STATUS_INVALID_LOCK_RANGE);
	assert_int_equal(lk(&f->a, 2, UINT64_MAX, SH),
	    STATUS_INVALID_LOCK_RANGE);
	/* No lock has such a range (Samba 4.17's answer). */
	assert_int_equal(brlock_unlock(&f->a, UINT64_MAX, 2),
	    STATUS_RANGE_NOT_LOCKED);
	/* Bit 63 is an offset like any other (no 63-bit limit). */
	assert_int_equal(lk(&f->a, 1ull << 63, 1, EX), STATUS_SUCCESS);
	assert_int_equal(lk(&f->b, 1ull << 63, 1, EX),
	    STATUS_LOCK_NOT_GRANTED);
	assert_int_equal(f->a.of_lock_count, 3);
	assert_int_equal(f->b.of_lock_count, 2);
	assert_int_equal(f->c.of_lock_count, 1);
}

static void
test_brlock_failed_request_rolls_back_its_granted_locks(void **state)
{
	struct file *f = *state;
	const struct brlock_elem three[] = {
		{ 0, 10, EX | FI }, { 20, 10, SH | FI }, { 100, 1, EX | FI },
	};
	const struct brlock_elem self[] = {
		{ 0, 10, EX | FI }, { 5, 10, EX | FI },
	};
	const struct brlock_elem range[] = {
		{ 0, 10, SH | FI }, { UINT64_MAX, 2, SH | FI },
	};

	assert_int_equal(lk(&f->b, 100, 1, SH), STATUS_SUCCESS);
	assert_int_equal(brlock_lock(&f->a, three, 3),
	    STATUS_LOCK_NOT_GRANTED);
	assert_int_equal(f->a.of_lock_count, 0);
	assert_int_equal(brlock_count(&f->fn), 1);
	assert_int_equal(lk(&f->b, 0, 30, EX), STATUS_SUCCESS);
	assert_int_equal(brlock_unlock(&f->b, 0, 30), STATUS_SUCCESS);
	/* A later element conflicting with an earlier one of the same. */
	assert_int_equal(brlock_lock(&f->a, self, 2),
	    STATUS_LOCK_NOT_GRANTED);
	assert_int_equal(f->a.of_lock_count, 0);
	assert_int_equal(brlock_lock(&f->a, range, 2),
	    STATUS_INVALID_LOCK_RANGE);
	assert_int_equal(f->a.of_lock_count, 0);
	assert_int_equal(brlock_count(&f->fn), 1);
	/* Locks held before the failed request stay. */
	assert_int_equal(lk(&f->a, 50, 5, SH), STATUS_SUCCESS);
	assert_int_equal(brlock_lock(&f->a, three, 3),
	    STATUS_LOCK_NOT_GRANTED);
	assert_int_equal(f->a.of_lock_count, 1);
	assert_int_equal(brlock_unlock(&f->a, 50, 5), STATUS_SUCCESS);
	assert_int_equal(brlock_unlock(&f->b, 100, 1), STATUS_SUCCESS);
	assert_int_equal(brlock_lock(&f->a, three, 3), STATUS_SUCCESS);
	assert_int_equal(f->a.of_lock_count, 3);
}

static void
test_brlock_unlock_needs_the_exact_range_of_the_same_open(void **state)
{
	struct file *f = *state;

	assert_int_equal(lk(&f->a, 110, 4, SH), STATUS_SUCCESS);
	assert_int_equal(lk(&f->a, 112, 4, SH), STATUS_SUCCESS);
	/* No coalescing, no splitting, no unlocking of others' locks. */
	assert_int_equal(brlock_unlock(&f->a, 110, 6),
	    STATUS_RANGE_NOT_LOCKED);
	assert_int_equal(brlock_unlock(&f->a, 110, 2),
	    STATUS_RANGE_NOT_LOCKED);
	assert_int_equal(brlock_unlock(&f->a, 111, 4),
	    STATUS_RANGE_NOT_LOCKED);
	assert_int_equal(brlock_unlock(&f->b, 110, 4),
	    STATUS_RANGE_NOT_LOCKED);
	assert_int_equal(brlock_unlock(&f->a, 110, 4), STATUS_SUCCESS);
	assert_int_equal(brlock_unlock(&f->a, 110, 4),
	    STATUS_RANGE_NOT_LOCKED);
	assert_int_equal(brlock_unlock(&f->a, 112, 4), STATUS_SUCCESS);
	assert_int_equal(f->a.of_lock_count, 0);
}

/* MS-FSA 2.1.5.9 and smb2.lock.unlock: exclusive first when stacked. */
static void
test_brlock_unlock_takes_exclusive_before_shared(
    void **state)
{
	struct file *f = *state;

	assert_int_equal(lk(&f->a, 10, 10, EX), STATUS_SUCCESS);
	assert_int_equal(lk(&f->a, 10, 10, SH), STATUS_SUCCESS);
	assert_int_equal(lk(&f->b, 5, 10, SH), STATUS_LOCK_NOT_GRANTED);
	assert_int_equal(brlock_unlock(&f->a, 10, 10), STATUS_SUCCESS);
	assert_int_equal(lk(&f->b, 5, 10, SH), STATUS_SUCCESS);
	assert_int_equal(lk(&f->b, 5, 10, EX), STATUS_LOCK_NOT_GRANTED);
	assert_int_equal(brlock_unlock(&f->b, 5, 10), STATUS_SUCCESS);
	assert_int_equal(brlock_unlock(&f->a, 10, 10), STATUS_SUCCESS);
	/* The same with zero-length locks. */
	assert_int_equal(lk(&f->a, 10, 0, EX), STATUS_SUCCESS);
	assert_int_equal(lk(&f->a, 10, 0, SH), STATUS_SUCCESS);
	assert_int_equal(brlock_unlock(&f->a, 10, 0), STATUS_SUCCESS);
	assert_int_equal(brlock_unlock(&f->a, 10, 0), STATUS_SUCCESS);
	assert_int_equal(brlock_unlock(&f->a, 10, 0),
	    STATUS_RANGE_NOT_LOCKED);
}

/* smb2.lock.rw-shared, rw-exclusive, zerobyteread. */
static void
test_brlock_reads_and_writes_against_locks(void **state)
{
	struct file *f = *state;

	assert_int_equal(lk(&f->a, 0, 100, EX), STATUS_SUCCESS);
	assert_int_equal(brlock_check_io(&f->a, 50, 100, false),
	    STATUS_SUCCESS);
	assert_int_equal(brlock_check_io(&f->a, 50, 100, true),
	    STATUS_SUCCESS);
	assert_int_equal(brlock_check_io(&f->b, 99, 1, false),
	    STATUS_FILE_LOCK_CONFLICT);
	assert_int_equal(brlock_check_io(&f->b, 50, 100, true),
	    STATUS_FILE_LOCK_CONFLICT);
	assert_int_equal(brlock_check_io(&f->b, 100, 100, true),
	    STATUS_SUCCESS);
	assert_int_equal(brlock_check_io(&f->b, 5, 0, true),
	    STATUS_SUCCESS);
	assert_int_equal(brlock_unlock(&f->a, 0, 100), STATUS_SUCCESS);

	assert_int_equal(lk(&f->a, 100, 100, SH), STATUS_SUCCESS);
	assert_int_equal(brlock_check_io(&f->a, 100, 100, false),
	    STATUS_SUCCESS);
	assert_int_equal(brlock_check_io(&f->b, 100, 100, false),
	    STATUS_SUCCESS);
	/* A shared lock keeps out writes of its own open too. */
	assert_int_equal(brlock_check_io(&f->a, 150, 1, true),
	    STATUS_FILE_LOCK_CONFLICT);
	assert_int_equal(brlock_check_io(&f->b, 0, 101, true),
	    STATUS_FILE_LOCK_CONFLICT);
	assert_int_equal(brlock_check_io(&f->b, 0, 100, true),
	    STATUS_SUCCESS);
	assert_int_equal(brlock_unlock(&f->a, 100, 100), STATUS_SUCCESS);

	/*
	 * A zero-length lock at 5 stands between bytes 4 and 5: it keeps
	 * out what spans both, not what ends or starts there.
	 */
	assert_int_equal(lk(&f->a, 5, 0, EX), STATUS_SUCCESS);
	assert_int_equal(brlock_check_io(&f->b, 4, 2, true),
	    STATUS_FILE_LOCK_CONFLICT);
	assert_int_equal(brlock_check_io(&f->b, 0, 5, true),
	    STATUS_SUCCESS);
	assert_int_equal(brlock_check_io(&f->b, 5, 1, false),
	    STATUS_SUCCESS);
	assert_int_equal(brlock_check_io(&f->b, 5, 0, false),
	    STATUS_SUCCESS);
}

static void
test_brlock_close_releases_the_opens_locks_only(void **state)
{
	struct file *f = *state;

	assert_int_equal(lk(&f->a, 0, 8, SH), STATUS_SUCCESS);
	assert_int_equal(lk(&f->a, 20, 8, EX), STATUS_SUCCESS);
	assert_int_equal(lk(&f->b, 0, 1, SH), STATUS_SUCCESS);
	brlock_close(&f->a);
	assert_int_equal(f->a.of_lock_count, 0);
	assert_int_equal(brlock_count(&f->fn), 1);
	/* smb2.lock.overlap: "the NT byte range lock bug" is absent. */
	assert_int_equal(lk(&f->c, 7, 1, EX), STATUS_SUCCESS);
	assert_int_equal(lk(&f->c, 20, 8, EX), STATUS_SUCCESS);
	assert_int_equal(lk(&f->c, 0, 1, EX), STATUS_LOCK_NOT_GRANTED);
	brlock_close(&f->b);
	brlock_close(&f->c);
	assert_null(f->fn.fn_brl);
}

struct woke {
	int		n;
	uint32_t	status;
	int		order;
};

static int	wake_seq;

static void
on_wake(uint32_t status, void *arg)
{
	struct woke *w = arg;

	w->n++;
	w->status = status;
	w->order = ++wake_seq;
}

static void
test_brlock_waiters_are_granted_in_order_after_unlock(
    void **state)
{
	struct file *f = *state;
	struct brlock_elem eb = { 0, 10, EX }, ec = { 5, 10, SH };
	struct woke wb = { 0, 0, 0 }, wc = { 0, 0, 0 };

	assert_int_equal(lk(&f->a, 0, 10, EX), STATUS_SUCCESS);
	assert_int_equal(brlock_lock(&f->b, &eb, 1), STATUS_LOCK_NOT_GRANTED);
	assert_non_null(brlock_wait(&f->b, &eb, on_wake, &wb));
	assert_int_equal(brlock_lock(&f->c, &ec, 1), STATUS_LOCK_NOT_GRANTED);
	assert_non_null(brlock_wait(&f->c, &ec, on_wake, &wc));
	loop_once(0);
	assert_int_equal(wb.n + wc.n, 0);
	/* An unrelated unlock wakes nobody. */
	assert_int_equal(lk(&f->a, 50, 1, SH), STATUS_SUCCESS);
	assert_int_equal(brlock_unlock(&f->a, 50, 1), STATUS_SUCCESS);
	loop_once(0);
	assert_int_equal(wb.n + wc.n, 0);
	/* b gets its lock; c, behind it, still conflicts with b's. */
	assert_int_equal(brlock_unlock(&f->a, 0, 10), STATUS_SUCCESS);
	assert_int_equal(f->b.of_lock_count, 1);
	assert_int_equal(wb.n, 0);		/* told from the wake pass */
	loop_once(0);
	assert_int_equal(wb.n, 1);
	assert_int_equal(wb.status, STATUS_SUCCESS);
	assert_int_equal(wc.n, 0);
	/* b's open closes: its lock goes and c is granted. */
	brlock_close(&f->b);
	loop_once(0);
	assert_int_equal(wc.n, 1);
	assert_int_equal(wc.status, STATUS_SUCCESS);
	assert_int_equal(f->c.of_lock_count, 1);
	assert_true(wb.order < wc.order);
}

static void
test_brlock_waiter_of_a_closed_open_gets_range_not_locked(void **state)
{
	struct file *f = *state;
	struct brlock_elem e = { 100, 10, EX };
	struct woke wb = { 0, 0, 0 };

	assert_int_equal(lk(&f->a, 100, 10, EX), STATUS_SUCCESS);
	assert_non_null(brlock_wait(&f->b, &e, on_wake, &wb));
	brlock_close(&f->b);
	loop_once(0);
	assert_int_equal(wb.n, 1);
	assert_int_equal(wb.status, STATUS_RANGE_NOT_LOCKED);
	assert_int_equal(f->b.of_lock_count, 0);
	/* A pending lock holds nothing: its own open cannot unlock it. */
	assert_non_null(brlock_wait(&f->c, &e, on_wake, &wb));
	assert_int_equal(brlock_unlock(&f->c, 100, 10),
	    STATUS_RANGE_NOT_LOCKED);
	brlock_close(&f->c);
	loop_once(0);
	assert_int_equal(wb.n, 2);
	assert_int_equal(wb.status, STATUS_RANGE_NOT_LOCKED);
}

static void
test_brlock_cancel_tells_if_the_waiter_was_granted(void **state)
{
	struct file *f = *state;
	struct brlock_elem e = { 0, 10, EX };
	struct brlock_waiter *w;
	struct woke wb = { 0, 0, 0 };

	assert_int_equal(lk(&f->a, 0, 10, EX), STATUS_SUCCESS);
	assert_non_null(w = brlock_wait(&f->b, &e, on_wake, NULL));
	brlock_wait_arg(w, &wb);
	assert_int_equal(brlock_wait_cancel(w), STATUS_PENDING);
	assert_int_equal(brlock_unlock(&f->a, 0, 10), STATUS_SUCCESS);
	loop_once(0);
	assert_int_equal(wb.n, 0);
	assert_int_equal(f->b.of_lock_count, 0);

	/* Granted, but not yet told: the lock is the open's. */
	assert_int_equal(lk(&f->a, 0, 10, EX), STATUS_SUCCESS);
	assert_non_null(w = brlock_wait(&f->b, &e, on_wake, &wb));
	assert_int_equal(brlock_unlock(&f->a, 0, 10), STATUS_SUCCESS);
	assert_int_equal(brlock_wait_cancel(w), STATUS_SUCCESS);
	loop_once(0);
	assert_int_equal(wb.n, 0);
	assert_int_equal(f->b.of_lock_count, 1);
	assert_int_equal(brlock_unlock(&f->b, 0, 10), STATUS_SUCCESS);
}

static void
test_brlock_file_holds_at_most_max_locks(void **state)
{
	struct file *f = *state;
	uint64_t i;

	for (i = 0; i < BRLOCK_MAX_PER_FILE; i++)
		assert_int_equal(lk(i % 2 ? &f->a : &f->b, i * 2, 1, SH),
		    STATUS_SUCCESS);
	assert_int_equal(lk(&f->c, 1, 1, SH), STATUS_INSUFFICIENT_RESOURCES);
	assert_int_equal(brlock_count(&f->fn), BRLOCK_MAX_PER_FILE);
	assert_int_equal(f->a.of_lock_count + f->b.of_lock_count,
	    BRLOCK_MAX_PER_FILE);
	brlock_close(&f->a);
	assert_int_equal(brlock_count(&f->fn), BRLOCK_MAX_PER_FILE / 2);
	assert_int_equal(lk(&f->c, 1, 1, SH), STATUS_SUCCESS);
}

/* ---- the request ---- */

/* A LOCK body after StructureSize: LockCount, LockSequence, FileId. */
static size_t
req_build(uint8_t *buf, uint16_t count, uint32_t seq,
    const struct brlock_elem *e, size_t n)
{
	struct msgbuf_wr wr;
	size_t i, len;
	uint8_t *p;

	msgbuf_wr_init(&wr, 4096);
	msgbuf_put_le16(&wr, count);
	msgbuf_put_le32(&wr, seq);
	msgbuf_put_le64(&wr, 0x1111);
	msgbuf_put_le64(&wr, 0x2222);
	for (i = 0; i < n; i++) {
		msgbuf_put_le64(&wr, e[i].be_off);
		msgbuf_put_le64(&wr, e[i].be_len);
		msgbuf_put_le32(&wr, e[i].be_flags);
		msgbuf_put_le32(&wr, 0xdeadbeef);
	}
	assert_true(msgbuf_wr_ok(&wr));
	p = msgbuf_wr_steal(&wr, &len);
	memcpy(buf, p, len);
	free(p);
	return len;
}

static void
test_brlock_req_decode_refuses_short_arrays(void **state)
{
	const struct brlock_elem e[2] = { { 7, 8, EX | FI }, { 9, 0, SH } };
	struct brlock_req q;
	struct msgbuf_rd rd;
	uint8_t buf[256];
	size_t len;

	(void)state;
	len = req_build(buf, 2, 0x123456a7, e, 2);
	msgbuf_rd_init(&rd, buf, len);
	assert_int_equal(brlock_req_decode(&rd, false, &q), STATUS_SUCCESS);
	assert_int_equal(q.bq_count, 2);
	assert_int_equal(q.bq_seq_number, 0x7);
	assert_int_equal(q.bq_seq_index, 0x123456a);
	assert_int_equal(q.bq_persistent, 0x1111);
	assert_int_equal(q.bq_volatile, 0x2222);
	assert_int_equal(q.bq_elems[0].be_off, 7);
	assert_int_equal(q.bq_elems[0].be_len, 8);
	assert_int_equal(q.bq_elems[0].be_flags, EX | FI);
	assert_int_equal(q.bq_elems[1].be_off, 9);
	brlock_req_free(&q);

	/* 2.0.2: the field is Reserved. */
	msgbuf_rd_init(&rd, buf, len);
	assert_int_equal(brlock_req_decode(&rd, true, &q), STATUS_SUCCESS);
	assert_int_equal(q.bq_seq_number, 0);
	assert_int_equal(q.bq_seq_index, 0);
	brlock_req_free(&q);

	/* LockCount 0; more elements counted than sent; a cut element. */
	len = req_build(buf, 0, 0, e, 1);
	msgbuf_rd_init(&rd, buf, len);
	assert_int_equal(brlock_req_decode(&rd, false, &q),
	    STATUS_INVALID_PARAMETER);
	brlock_req_free(&q);
	len = req_build(buf, 3, 0, e, 2);
	msgbuf_rd_init(&rd, buf, len);
	assert_int_equal(brlock_req_decode(&rd, false, &q),
	    STATUS_INVALID_PARAMETER);
	brlock_req_free(&q);
	len = req_build(buf, 2, 0, e, 2);
	msgbuf_rd_init(&rd, buf, len - 1);
	assert_int_equal(brlock_req_decode(&rd, false, &q),
	    STATUS_INVALID_PARAMETER);
	brlock_req_free(&q);
	msgbuf_rd_init(&rd, buf, 10);
	assert_int_equal(brlock_req_decode(&rd, false, &q),
	    STATUS_INVALID_PARAMETER);
	brlock_req_free(&q);
}

/* MS-SMB2 3.3.5.14 as smb2.lock.valid-request checks it. */
static void
test_brlock_req_check_applies_the_flag_rules(void **state)
{
	static const struct {
		uint32_t	f0, f1;
		uint16_t	n;
		uint32_t	st;
		bool		unlock, blocking;
	} t[] = {
		{ SH, 0, 1, STATUS_SUCCESS, false, true },
		{ EX, 0, 1, STATUS_SUCCESS, false, true },
		{ SH | FI, 0, 1, STATUS_SUCCESS, false, false },
		{ EX | FI, EX | FI, 2, STATUS_SUCCESS, false, false },
		{ SH | FI, EX | FI, 2, STATUS_SUCCESS, false, false },
		{ UN, 0, 1, STATUS_SUCCESS, true, false },
		/* Later elements of an unlock are checked when reached. */
		{ UN, 0, 2, STATUS_SUCCESS, true, false },
		{ UN, EX, 2, STATUS_SUCCESS, true, false },
		{ 0, 0, 1, STATUS_INVALID_PARAMETER, false, false },
		{ 0, UN, 2, STATUS_INVALID_PARAMETER, false, false },
		{ SH | EX, 0, 1, STATUS_INVALID_PARAMETER, false, false },
		{ FI, 0, 1, STATUS_INVALID_PARAMETER, false, false },
		{ UN | EX, 0, 1, STATUS_INVALID_PARAMETER, false, false },
		{ UN | SH, 0, 1, STATUS_INVALID_PARAMETER, false, false },
		{ UN | FI, 0, 1, STATUS_INVALID_PARAMETER, false, false },
		{ ~0x17u, 0, 1, STATUS_INVALID_PARAMETER, false, false },
		{ EX | 0x20, 0, 1, STATUS_INVALID_PARAMETER, false, false },
		/* Only a lone lock may wait. */
		{ EX, EX | FI, 2, STATUS_INVALID_PARAMETER, false, false },
		{ EX | FI, SH, 2, STATUS_INVALID_PARAMETER, false, false },
		/* No unlock inside a lock request. */
		{ EX | FI, UN, 2, STATUS_INVALID_PARAMETER, false, false },
		{ EX | FI, UN | FI, 2, STATUS_INVALID_PARAMETER, false, false },
	};
	struct brlock_elem e[2];
	struct brlock_req q;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		memset(&q, 0, sizeof(q));
		memset(e, 0, sizeof(e));
		e[0].be_flags = t[i].f0;
		e[1].be_flags = t[i].f1;
		q.bq_count = t[i].n;
		q.bq_elems = e;
		assert_int_equal(brlock_req_check(&q), t[i].st);
		if (t[i].st != STATUS_SUCCESS)
			continue;
		assert_int_equal(q.bq_unlock, t[i].unlock);
		assert_int_equal(q.bq_blocking, t[i].blocking);
	}
}

int
main(void)
{
#define T(f)	cmocka_unit_test_setup_teardown(f, file_setup, file_teardown)
	const struct CMUnitTest tests[] = {
		T(test_brlock_exclusive_keeps_other_opens_locks_out),
		T(test_brlock_shared_locks_stack_and_block_exclusive),
		T(test_brlock_own_exclusive_takes_shared_but_not_exclusive),
		T(test_brlock_zero_length_ranges_conflict_only_strictly_inside),
		T(test_brlock_adjacent_ranges_and_the_end_of_the_offset_space),
		T(test_brlock_failed_request_rolls_back_its_granted_locks),
		T(test_brlock_unlock_needs_the_exact_range_of_the_same_open),
		T(test_brlock_unlock_takes_exclusive_before_shared),
		T(test_brlock_reads_and_writes_against_locks),
		T(test_brlock_close_releases_the_opens_locks_only),
		T(test_brlock_waiters_are_granted_in_order_after_unlock),
		T(test_brlock_waiter_of_a_closed_open_gets_range_not_locked),
		T(test_brlock_cancel_tells_if_the_waiter_was_granted),
		T(test_brlock_file_holds_at_most_max_locks),
		cmocka_unit_test(test_brlock_req_decode_refuses_short_arrays),
		cmocka_unit_test(test_brlock_req_check_applies_the_flag_rules),
	};
#undef T

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
