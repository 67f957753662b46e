/*
 * fuzz_lock.c — libFuzzer harness for the SMB2 LOCK request as a client
 * sends it (smbsrvd/brlock.c): the decoder and the flag rules of MS-SMB2
 * 3.3.5.14, then the decoded elements played against a real lock table
 * of one file with three opens.
 *
 * The first byte picks the dialect (bit 0: 2.0.2); the rest is the body
 * after StructureSize.  A request the checker accepts is applied whole,
 * as smb2_lock.c would (all or nothing); then every element is replayed
 * on its own by the open its Flags' bits 8-9 name, as a lock (bit 1:
 * exclusive), an unlock (bit 2), a waiter when it conflicts (bit 6) and
 * a close of that open (bit 7).  What must hold, else abort: decoding
 * stays inside the input; whatever fails leaves the table as it was; the
 * opens' lock counts add up to the file's; a granted lock keeps out the
 * other opens' reads and not its own open's reads or writes; and once
 * every open is closed the table is gone and every waiter has been told
 * exactly once or cancelled.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "brlock.h"
#include "loop.h"
#include "msgbuf.h"
#include "ntstatus.h"
#include "ofile.h"

#define NOPENS		3
#define MAXWAIT		64

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check(int cond)
{
	if (!cond)
		abort();
}

struct waiter {
	struct brlock_waiter	*w;
	int			 told;
	uint32_t		 status;
	int			 cancelled;
};

static void
on_wake(uint32_t status, void *arg)
{
	struct waiter *w = arg;

	w->told++;
	w->status = status;
}

static unsigned int
held(const struct ofile *o)
{
	unsigned int n = 0;
	int i;

	for (i = 0; i < NOPENS; i++)
		n += o[i].of_lock_count;
	return n;
}

static void
play(struct brlock_req *q, int accepted)
{
	struct fnode fn;
	struct ofile o[NOPENS], *of;
	struct waiter wt[MAXWAIT];
	struct brlock_elem e;
	unsigned int before;
	uint32_t st, excl, io;
	int nw = 0, i, k;
	uint16_t j;

	memset(&fn, 0, sizeof(fn));
	memset(wt, 0, sizeof(wt));
	for (i = 0; i < NOPENS; i++) {
		memset(&o[i], 0, sizeof(o[i]));
		o[i].of_magic = OFILE_MAGIC;
		o[i].of_refs = 1;
		o[i].of_state = OFILE_ACTIVE;
		o[i].of_fd = -1;
		o[i].of_fnode = &fn;
	}
	if (accepted && !q->bq_unlock) {
		st = brlock_lock(&o[0], q->bq_elems, q->bq_count);
		check(brlock_count(&fn) ==
		    (st == STATUS_SUCCESS ? q->bq_count : 0u));
		check(held(o) == brlock_count(&fn));
	}
	for (j = 0; j < q->bq_count; j++) {
		e = q->bq_elems[j];
		of = &o[(e.be_flags >> 8) % NOPENS];
		before = brlock_count(&fn);
		if (e.be_flags & SMB2_LOCKFLAG_UNLOCK) {
			st = brlock_unlock(of, e.be_off, e.be_len);
			/* One lock goes; waiters may get theirs. */
			check(st == STATUS_SUCCESS ?
			    brlock_count(&fn) + 1 <= before + (unsigned)nw :
			    brlock_count(&fn) == before);
		} else {
			excl = e.be_flags & SMB2_LOCKFLAG_EXCLUSIVE_LOCK;
			e.be_flags = excl ? SMB2_LOCKFLAG_EXCLUSIVE_LOCK :
			    SMB2_LOCKFLAG_SHARED_LOCK;
			st = brlock_lock(of, &e, 1);
			check(brlock_count(&fn) == before +
			    (st == STATUS_SUCCESS ? 1 : 0));
			if (st == STATUS_SUCCESS && e.be_len > 0 && excl) {
				check(brlock_check_io(of, e.be_off, e.be_len,
				    false) == STATUS_SUCCESS);
				check(brlock_check_io(of, e.be_off, e.be_len,
				    true) == STATUS_SUCCESS);
				for (k = 0; k < NOPENS; k++) {
					io = brlock_check_io(&o[k], e.be_off,
					    e.be_len, false);
					check(&o[k] == of ||
					    io == STATUS_FILE_LOCK_CONFLICT);
				}
			}
			if (st == STATUS_LOCK_NOT_GRANTED &&
			    (q->bq_elems[j].be_flags & 0x40) && nw < MAXWAIT) {
				wt[nw].w = brlock_wait(of, &e, on_wake,
				    &wt[nw]);
				check(wt[nw].w != NULL);
				if (q->bq_elems[j].be_flags & 0x20000) {
					(void)brlock_wait_cancel(wt[nw].w);
					wt[nw].cancelled = 1;
				}
				nw++;
			}
		}
		check(held(o) == brlock_count(&fn));
		if (q->bq_elems[j].be_flags & 0x80) {
			brlock_close(of);
			check(of->of_lock_count == 0);
			check(held(o) == brlock_count(&fn));
		}
		loop_once(0);
	}
	for (i = 0; i < NOPENS; i++)
		brlock_close(&o[i]);
	loop_once(0);
	check(fn.fn_brl == NULL);
	check(held(o) == 0);
	for (i = 0; i < nw; i++) {
		check(wt[i].told + wt[i].cancelled == 1);
		check(!wt[i].told || wt[i].status == STATUS_SUCCESS ||
		    wt[i].status == STATUS_RANGE_NOT_LOCKED);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int inited;
	struct brlock_req q;
	struct msgbuf_rd rd;
	uint32_t st;

	if (!inited) {
		check(loop_init() == 0);
		inited = 1;
	}
	if (size < 1)
		return 0;
	msgbuf_rd_init(&rd, data + 1, size - 1);
	st = brlock_req_decode(&rd, data[0] & 1, &q);
	if (st == STATUS_SUCCESS) {
		check(q.bq_count > 0 && q.bq_elems != NULL);
		check((size_t)q.bq_count * SMB2_LOCK_ELEMENT_LEN + 22 <=
		    size - 1);
		check(!(data[0] & 1) || (q.bq_seq_number == 0 &&
		    q.bq_seq_index == 0));
		st = brlock_req_check(&q);
		check(st == STATUS_SUCCESS || st == STATUS_INVALID_PARAMETER);
		if (st == STATUS_SUCCESS && !q.bq_unlock)
			check(!q.bq_blocking || q.bq_count == 1);
		play(&q, st == STATUS_SUCCESS);
	} else
		check(st == STATUS_INVALID_PARAMETER);
	brlock_req_free(&q);
	return 0;
}
