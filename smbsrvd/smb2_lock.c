/*
 * smb2_lock.c — LOCK (MS-SMB2 2.2.26, 2.2.27, 3.3.5.14).
 *
 * brlock.c decodes and checks the request and keeps the locks, in the
 * table of the open's file.  A single lock without FAIL_IMMEDIATELY that
 * conflicts waits: the request goes async (3.3.4.2) and a brlock waiter
 * finishes it, with STATUS_SUCCESS once the lock is granted or with
 * STATUS_RANGE_NOT_LOCKED if its open closes first (as Windows and Samba
 * answer); CANCEL finishes it with STATUS_CANCELLED (3.3.5.16), and a
 * connection that goes forgets it.
 */
#include "brlock.h"
#include "conn.h"
#include "log.h"
#include "ntstatus.h"
#include "oplock.h"
#include "ofile.h"
#include "smb2_async.h"
#include "smb2_negotiate.h"
#include "smb2_req.h"

#define LOCK_REQ_SIZE	48
#define LOCK_RSP_SIZE	4

/* 2.2.27 */
static void
lock_rsp(struct msgbuf_wr *wr)
{
	msgbuf_put_le16(wr, LOCK_RSP_SIZE);
	msgbuf_put_le16(wr, 0);				/* Reserved */
}

static void
lock_finish(struct smb2_async *a, uint32_t status)
{
	struct msgbuf_wr body;

	if (status != STATUS_SUCCESS) {
		smb2_async_complete(a, status, NULL);
		return;
	}
	msgbuf_wr_init(&body, LOCK_RSP_SIZE);
	lock_rsp(&body);
	smb2_async_complete(a, status, &body);
	msgbuf_wr_free(&body);
}

/* The waiter is done (from the before-sleep pass). */
static void
lock_wake(uint32_t status, void *arg)
{
	lock_finish(arg, status);
}

static void
lock_cancel(struct smb2_async *a, void *arg)
{
	uint32_t st = brlock_wait_cancel(arg);

	/* Granted, or its open closed, just before the CANCEL: that stands. */
	lock_finish(a, st == STATUS_PENDING ? STATUS_CANCELLED : st);
}

static void
lock_drop(struct smb2_async *a, void *arg)
{
	(void)a;
	(void)brlock_wait_cancel(arg);
}

/* 3.3.5.14.1: in order; an unlock done stays done when a later one fails. */
static uint32_t
lock_unlock(struct ofile *of, const struct brlock_req *q)
{
	const struct brlock_elem *e;
	uint32_t st;
	uint16_t i;

	for (i = 0; i < q->bq_count; i++) {
		e = &q->bq_elems[i];
		if (e->be_flags != SMB2_LOCKFLAG_UNLOCK)
			return STATUS_INVALID_PARAMETER;
		if ((st = brlock_unlock(of, e->be_off, e->be_len)) !=
		    STATUS_SUCCESS)
			return st;
	}
	return STATUS_SUCCESS;
}

/* 3.3.5.14.2 */
static uint32_t
lock_lock(struct smb_req *r, struct ofile *of, const struct brlock_req *q)
{
	struct brlock_waiter *w;
	struct smb2_async *a;
	uint32_t st;

	/*
	 * A byte-range lock ends the read caching of other opens: level II
	 * oplocks and the leases of other keys break to none, and the lock
	 * does not wait for them (the MS-FSA 2.1.4.12 break check as
	 * Windows documents it for IRP_MJ_LOCK_CONTROL; smb2.lease.lock1).
	 */
	oplock_break_level2(of->of_fnode, of);
	st = brlock_lock(of, q->bq_elems, q->bq_count);
	if (st != STATUS_LOCK_NOT_GRANTED || !q->bq_blocking)
		return st;
	/*
	 * Wait.  The waiter comes first: once the request is async it must
	 * be completed, and a waiter may fail to come.  A request that
	 * cannot go async (not the last of its compound) is not granted.
	 */
	if ((w = brlock_wait(of, &q->bq_elems[0], lock_wake, NULL)) == NULL)
		return STATUS_INSUFFICIENT_RESOURCES;
	if ((a = smb2_async_start(r, lock_cancel, lock_drop, w)) == NULL) {
		(void)brlock_wait_cancel(w);
		return STATUS_LOCK_NOT_GRANTED;
	}
	brlock_wait_arg(w, a);
	log_debugl(3, "open %u: lock at %llu+%llu waits", of->of_global_id,
	    (unsigned long long)q->bq_elems[0].be_off,
	    (unsigned long long)q->bq_elems[0].be_len);
	return STATUS_PENDING;
}

uint32_t
smb2_lock(struct smb_req *r)
{
	struct brlock_req q;
	struct ofile *of = NULL;
	uint32_t st;

	if (smb2_req_body(r, LOCK_REQ_SIZE) == -1)
		return STATUS_INVALID_PARAMETER;
	/* 3.3.5.14, in the order Samba 4.17 checks (smbtorture agrees). */
	st = brlock_req_decode(&r->r_rd, r->r_conn->c_dialect ==
	    SMB2_DIALECT_202, &q);
	if (st == STATUS_SUCCESS)
		st = smb2_req_file(r, q.bq_persistent, q.bq_volatile, &of);
	if (st == STATUS_SUCCESS)
		st = brlock_req_check(&q);
	/*
	 * Directories take no byte-range locks.  Samba 4.17 answers as READ
	 * and WRITE do (3.3.5.12); MS-FSA 2.1.5.8 has INVALID_PARAMETER.
	 */
	if (st == STATUS_SUCCESS && of->of_is_dir)
		st = STATUS_INVALID_DEVICE_REQUEST;
	if (st == STATUS_SUCCESS)
		st = q.bq_unlock ? lock_unlock(of, &q) : lock_lock(r, of, &q);
	if (st == STATUS_SUCCESS)
		lock_rsp(&r->r_rsp);
	brlock_req_free(&q);
	return st;
}
