/*
 * brlock.h — byte-range locks (MS-FSA 2.1.5.8, 2.1.5.9, 2.1.4.10) and the
 * SMB2 LOCK request that asks for them (MS-SMB2 2.2.26, 3.3.5.14).
 *
 * A lock belongs to one open and lives in the table of the open's fnode,
 * so every open of the file sees it.  The table is a list per file,
 * searched whole: files carry few locks in practice (SQLite three ranges,
 * Office documents a handful, Access databases some hundreds), and
 * BRLOCK_MAX_PER_FILE keeps a client from making one request cost
 * quadratic time beyond that.  An interval tree is the step up if a
 * workload ever needs more.  Reads and writes of files without locks
 * never look at a list.
 *
 * Granted locks and waiting waiters point at their open without holding
 * a reference: ofile_close() calls brlock_close() while the open is still
 * on its fnode, which frees the open's locks, finishes its waiters with
 * STATUS_RANGE_NOT_LOCKED and retries the other waiters of the file.
 * of_lock_count counts the open's granted locks (srvs fi3_num_locks).
 *
 * A waiter is a lock request that may wait (one element, no
 * FAIL_IMMEDIATELY):
 *
 * WAITING --lock granted, or its open closed--> READY --wake pass--> freed
 *
 * WAITING waiters sit on the file's list in arrival order and are retried
 * whenever a lock of the file goes.  READY ones hold their final status
 * on a queue that the loop's before-sleep pass empties, calling each
 * waiter's function: brlock_* never calls out while it works on a table,
 * because answering a request can tear down a connection and, with it,
 * opens of the very file being worked on.  brlock_wait_cancel() takes a
 * waiter out in either state and says which.
 *
 * The decoder and checker of the LOCK request are here as well, so that
 * tests/fuzz/fuzz_lock.c reaches them without a connection or an open;
 * smb2_lock.c finds the open, applies the elements and answers.
 */
#ifndef SMBSRVD_BRLOCK_H
#define SMBSRVD_BRLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "msgbuf.h"

struct fnode;
struct ofile;
struct brlock_waiter;

/* Locks one file may hold, over all its opens. */
#define BRLOCK_MAX_PER_FILE	8192

/* MS-SMB2 2.2.26.1 SMB2_LOCK_ELEMENT Flags. */
#define SMB2_LOCKFLAG_SHARED_LOCK	0x00000001
#define SMB2_LOCKFLAG_EXCLUSIVE_LOCK	0x00000002
#define SMB2_LOCKFLAG_UNLOCK		0x00000004
#define SMB2_LOCKFLAG_FAIL_IMMEDIATELY	0x00000010

#define SMB2_LOCK_ELEMENT_LEN	24

/* One SMB2_LOCK_ELEMENT (2.2.26.1); Reserved is ignored. */
struct brlock_elem {
	uint64_t	be_off;
	uint64_t	be_len;
	uint32_t	be_flags;
};

/* An SMB2 LOCK request body (2.2.26). */
struct brlock_req {
	uint16_t		 bq_count;	/* LockCount */
	/*
	 * LockSequenceNumber (4 bits) and LockSequenceIndex (28 bits);
	 * Reserved in 2.0.2, where both are 0.  Replay detection for
	 * resilient, durable and persistent opens (3.3.5.14) is for the
	 * open life cycle work; nothing uses them yet.
	 */
	uint8_t			 bq_seq_number;
	uint32_t		 bq_seq_index;
	uint64_t		 bq_persistent;	/* FileId */
	uint64_t		 bq_volatile;
	struct brlock_elem	*bq_elems;	/* bq_count of them */
	/* Set by brlock_req_check(). */
	bool			 bq_unlock;	/* the first element decides */
	bool			 bq_blocking;	/* one lock that may wait */
};

/*
 * Decodes the body after StructureSize (r_rd of the handler): LockCount
 * 0, or fewer elements than it counts, is STATUS_INVALID_PARAMETER.
 * brlock_req_free() afterwards whatever the result.
 */
uint32_t	 brlock_req_decode(struct msgbuf_rd *, bool smb202,
		    struct brlock_req *);
/*
 * The flag rules of 3.3.5.14 as Samba 4.17 applies them, once the open
 * is found: STATUS_INVALID_PARAMETER or 0.  Elements of an unlock
 * request after the first are checked as they are reached
 * (3.3.5.14.1: unlocks before a bad element stay done).
 */
uint32_t	 brlock_req_check(struct brlock_req *);
void		 brlock_req_free(struct brlock_req *);

/*
 * MS-FSA 2.1.5.8 for each element in order (exclusive if the element
 * says so, else shared), all or nothing (3.3.5.14.2: locks of the
 * request already granted are undone when one fails).  0,
 * STATUS_LOCK_NOT_GRANTED, STATUS_INVALID_LOCK_RANGE or
 * STATUS_INSUFFICIENT_RESOURCES (BRLOCK_MAX_PER_FILE, no memory).
 */
uint32_t	 brlock_lock(struct ofile *, const struct brlock_elem *,
		    size_t n);
/*
 * MS-FSA 2.1.5.9: removes the open's lock of exactly that range, an
 * exclusive one before a shared one, and retries the file's waiters.
 * STATUS_RANGE_NOT_LOCKED if there is none, a range past 2^64 - 1
 * included (as Samba 4.17 answers).
 */
uint32_t	 brlock_unlock(struct ofile *, uint64_t off, uint64_t len);
/*
 * MS-FSA 2.1.4.10 for a read (exclusive locks of other opens conflict)
 * or a write (those, and shared locks of every open).  Nothing of
 * length 0 conflicts.  0 or STATUS_FILE_LOCK_CONFLICT.
 */
uint32_t	 brlock_check_io(const struct ofile *, uint64_t off,
		    uint64_t len, bool write);

typedef void	(*brlock_wake_fn)(uint32_t status, void *arg);

/*
 * Queues a lock that brlock_lock() did not grant (one element, already
 * checked) to be granted when it can: fn(0, arg) then, or
 * fn(STATUS_RANGE_NOT_LOCKED, arg) if the open closes first, or another
 * status if granting fails; always from the before-sleep pass.  NULL if
 * out of memory.  brlock_wait_arg() sets arg later.
 */
struct brlock_waiter *brlock_wait(struct ofile *, const struct brlock_elem *,
		    brlock_wake_fn fn, void *arg);
void		 brlock_wait_arg(struct brlock_waiter *, void *arg);
/*
 * Forgets w without calling its function.  STATUS_PENDING if it was
 * still waiting; else the status it was about to be woken with (0: the
 * lock is held by the open).
 */
uint32_t	 brlock_wait_cancel(struct brlock_waiter *);
/* The open goes (ofile_close()): as described above. */
void		 brlock_close(struct ofile *);
/* Locks held on the file by all its opens. */
unsigned int	 brlock_count(const struct fnode *);

#endif
