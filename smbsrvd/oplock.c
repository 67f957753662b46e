/*
 * oplock.c — oplocks (see oplock.h for the states), and the one wait list
 * of creates that wait for oplock and lease breaks (lease.c).
 *
 * Grant (MS-SMB2 3.3.5.9, MS-FSA 2.1.5.17.2, as Windows behaves): the
 * only open of a file gets the level it asks for; beside other opens it
 * gets level II at most, and only while none of them holds an exclusive
 * or batch oplock, which is broken first, nor a lease with handle
 * caching.  Directories get none.  SMB2_OPLOCK_LEVEL_LEASE asks for a
 * lease (lease_grant()).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "lease.h"
#include "log.h"
#include "loop.h"
#include "ntstatus.h"
#include "ofile.h"
#include "oplock.h"
#include "session.h"
#include "smb2.h"
#include "smb2_async.h"
#include "smb2_req.h"
#include "smb3_crypt.h"

#define BREAK_SIZE		24
#define STATUS_INVALID_DEVICE_STATE	0xC0000184u

/* A CREATE waiting for the breaks on one file to end. */
struct oplock_wait {
	TAILQ_ENTRY(oplock_wait) ow_entry;
	struct smb2_async	*ow_async;
	dev_t			 ow_dev;
	ino_t			 ow_ino;
	uint8_t			*ow_req;	/* the CREATE as received */
	size_t			 ow_len;
};

static TAILQ_HEAD(, oplock_wait) waiters = TAILQ_HEAD_INITIALIZER(waiters);
static struct loop_defer	resume_defer;

static void	break_timeout(struct timer *, void *);

static bool
exclusive(uint8_t level)
{
	return level == SMB2_OPLOCK_LEVEL_EXCLUSIVE ||
	    level == SMB2_OPLOCK_LEVEL_BATCH;
}

static bool
file_breaking(const struct fnode *fn)
{
	const struct ofile *o;

	if (fn == NULL)
		return false;
	TAILQ_FOREACH(o, &fn->fn_opens, of_fnode_entry) {
		if (o->of_oplock_state == OPLOCK_BREAKING ||
		    o->of_close_pending)
			return true;
	}
	return lease_file_breaking(fn);
}

/*
 * 2.2.23.1: an unsolicited message, MessageId all ones, no session or
 * tree; sealed when the holder's session encrypts.
 */
static void
send_break(struct ofile *of, uint8_t to)
{
	struct session *s = of->of_session;
	struct conn *c = s != NULL ? s->s_conn : NULL;
	struct msgbuf_wr wr;
	struct smb2_hdr h;
	uint8_t *buf, *sealed;
	size_t len, slen;

	if (c == NULL || c->c_state != CONN_LIVE)
		return;
	memset(&h, 0, sizeof(h));
	h.h_command = SMB2_OPLOCK_BREAK;
	h.h_flags = SMB2_FLAGS_SERVER_TO_REDIR;
	h.h_mid = UINT64_MAX;
	msgbuf_wr_init(&wr, SMB2_HDR_LEN + BREAK_SIZE);
	smb2_hdr_encode(&wr, &h);
	msgbuf_put_le16(&wr, BREAK_SIZE);
	msgbuf_put_u8(&wr, to);
	msgbuf_put_u8(&wr, 0);
	msgbuf_put_le32(&wr, 0);
	msgbuf_put_le64(&wr, of->of_persistent);
	msgbuf_put_le64(&wr, of->of_volatile);
	if (!msgbuf_wr_ok(&wr)) {
		msgbuf_wr_free(&wr);
		return;
	}
	buf = msgbuf_wr_steal(&wr, &len);
	if (s->s_encrypt) {
		if (smb3_crypt_encrypt(&s->s_enc, s->s_id, buf, len, &sealed,
		    &slen) == -1) {
			free(buf);
			return;
		}
		free(buf);
		buf = sealed;
		len = slen;
	}
	log_debug("open %u: oplock break %u -> %u", of->of_global_id,
	    of->of_oplock, to);
	(void)conn_send(c, buf, len);
}

/* Runs, before the loop sleeps, every CREATE whose file stopped breaking. */
static void
resume_waiters(void *arg)
{
	struct oplock_wait *w, *tw;

	(void)arg;
	TAILQ_FOREACH_SAFE(w, &waiters, ow_entry, tw) {
		if (file_breaking(ofile_fnode_find(w->ow_dev, w->ow_ino)))
			continue;
		TAILQ_REMOVE(&waiters, w, ow_entry);
		/* The create may queue itself again with a new waiter. */
		smb2_req_resume(w->ow_async, w->ow_req, w->ow_len,
		    smb2_create);
		free(w->ow_req);
		free(w);
	}
}

void
oplock_waiters_kick(void)
{
	if (!TAILQ_EMPTY(&waiters))
		loop_defer(&resume_defer, resume_waiters, NULL);
}

/* A break ended (ack, timeout, close): waiting creates may go on. */
static void
break_done(struct ofile *of, uint8_t level)
{
	loop_timer_cancel(&of->of_break_timer);
	of->of_oplock = level;
	of->of_oplock_state = level == SMB2_OPLOCK_LEVEL_NONE ? OPLOCK_NONE :
	    OPLOCK_HELD;
	oplock_waiters_kick();
}

static void
break_timeout(struct timer *t, void *arg)
{
	struct ofile *of = arg;

	(void)t;
	/* MS-SMB2 3.3.6.x: no acknowledgment in time means none at all. */
	log_info("open %u: no oplock break acknowledgment in %u ms",
	    of->of_global_id, OPLOCK_BREAK_TIMEOUT_MS);
	break_done(of, SMB2_OPLOCK_LEVEL_NONE);
}

static void
start_break(struct ofile *of, uint8_t to)
{
	if (of->of_oplock_state == OPLOCK_BREAKING) {
		/* A second break may only lower the target. */
		if (to < of->of_break_to)
			of->of_break_to = to;
		return;
	}
	of->of_oplock_state = OPLOCK_BREAKING;
	of->of_break_to = to;
	timer_init(&of->of_break_timer, break_timeout, of);
	(void)loop_timer_after(&of->of_break_timer, OPLOCK_BREAK_TIMEOUT_MS);
	send_break(of, to);
}

static void
waiter_cancel(struct smb2_async *a, void *arg)
{
	struct oplock_wait *w = arg;

	TAILQ_REMOVE(&waiters, w, ow_entry);
	free(w->ow_req);
	free(w);
	smb2_async_complete(a, STATUS_CANCELLED, NULL);
}

static void
waiter_drop(struct smb2_async *a, void *arg)
{
	struct oplock_wait *w = arg;

	(void)a;
	TAILQ_REMOVE(&waiters, w, ow_entry);
	free(w->ow_req);
	free(w);
}

uint32_t
oplock_break_for_open(struct smb_req *r, struct fnode *fn, struct ofile *self,
    bool overwrite, bool sharing, uint32_t access,
    const struct lease_req *lr)
{
	struct oplock_wait *w;
	struct ofile *o;
	const struct lease *own = NULL;
	bool wait = false;

	if (fn == NULL)
		return STATUS_SUCCESS;
	/*
	 * Leases of other keys break by the same rules (MS-FSA 2.1.5.17),
	 * except for a stat open that does not overwrite (its wider mask,
	 * with READ_CONTROL: smb2.lease.statopen4).
	 */
	if (lr != NULL && lr->lr_version != 0)
		own = lease_lookup(r->r_conn->c_client_guid, lr->lr_key);
	if ((overwrite || !lease_stat_open(access)) &&
	    lease_break_for_open(fn, own, overwrite, sharing))
		wait = true;
	TAILQ_FOREACH(o, &fn->fn_opens, of_fnode_entry) {
		if (o == self)
			continue;
		if (o->of_oplock_state == OPLOCK_BREAKING ||
		    o->of_close_pending) {
			wait = true;
			continue;
		}
		/*
		 * A stat open breaks no oplock unless it overwrites, which
		 * is a write (smb2.oplock.exclusive5).
		 */
		if (!overwrite && oplock_stat_open(access))
			continue;
		if (o->of_oplock_state != OPLOCK_HELD ||
		    !exclusive(o->of_oplock))
			continue;
		/* A sharing conflict breaks only batch (MS-FSA 2.1.5.17). */
		if (sharing && o->of_oplock != SMB2_OPLOCK_LEVEL_BATCH)
			continue;
		/*
		 * 3.3.4.6: a disconnected open has no connection to take
		 * the notification, so its break completes at once with
		 * none, and a durable one is closed (smb2.durable-open.oplock,
		 * open2-oplock); the create waits for that and runs again.
		 */
		if (o->of_state == OFILE_DISCONNECTED) {
			o->of_oplock = SMB2_OPLOCK_LEVEL_NONE;
			o->of_oplock_state = OPLOCK_NONE;
			/* A resilient open stays (3.3.4.6 closes others). */
			if (!o->of_resilient) {
				ofile_close_soon(o);
				wait = true;
			}
			continue;
		}
		start_break(o, overwrite || sharing ?
		    SMB2_OPLOCK_LEVEL_NONE : SMB2_OPLOCK_LEVEL_II);
		wait = true;
	}
	if (!wait)
		return STATUS_SUCCESS;
	if ((w = calloc(1, sizeof(*w))) == NULL ||
	    (w->ow_req = malloc(r->r_len)) == NULL) {
		free(w);
		return STATUS_INSUFFICIENT_RESOURCES;
	}
	if (r->r_async == NULL) {
		if (smb2_async_start(r, waiter_cancel, waiter_drop, w) == NULL) {
			/* Inside a compound: cannot wait, so say so. */
			free(w->ow_req);
			free(w);
			return sharing ? STATUS_SHARING_VIOLATION :
			    STATUS_SUCCESS;
		}
	} else {
		r->r_async->as_cancel = waiter_cancel;
		r->r_async->as_drop = waiter_drop;
		r->r_async->as_arg = w;
	}
	w->ow_async = r->r_async;
	w->ow_dev = fn->fn_dev;
	w->ow_ino = fn->fn_ino;
	memcpy(w->ow_req, r->r_buf, r->r_len);
	w->ow_len = r->r_len;
	TAILQ_INSERT_TAIL(&waiters, w, ow_entry);
	return STATUS_PENDING;
}

bool
oplock_stat_open(uint32_t access)
{
	const uint32_t stat = FILE_READ_ATTRIBUTES | FILE_WRITE_ATTRIBUTES |
	    SYNCHRONIZE;

	return access != 0 && (access & ~stat) == 0;
}

uint8_t
oplock_grant(struct ofile *of, uint8_t requested, const struct lease_req *lr)
{
	struct ofile *o;
	uint8_t level = requested;

	timer_init(&of->of_break_timer, break_timeout, of);
	of->of_oplock_state = OPLOCK_NONE;
	/* 3.3.5.9.8: LEASE without a lease context is no oplock at all. */
	if (requested == SMB2_OPLOCK_LEVEL_LEASE) {
		of->of_oplock = lr == NULL ? SMB2_OPLOCK_LEVEL_NONE :
		    lease_grant(of, of->of_client_guid, lr);
		return of->of_oplock;
	}
	if (of->of_is_dir)
		level = SMB2_OPLOCK_LEVEL_NONE;
	if (level != SMB2_OPLOCK_LEVEL_II && !exclusive(level))
		level = SMB2_OPLOCK_LEVEL_NONE;
	TAILQ_FOREACH(o, &of->of_fnode->fn_opens, of_fnode_entry) {
		if (o == of)
			continue;
		/* Beside others: level II at most, none past an exclusive. */
		if (level != SMB2_OPLOCK_LEVEL_NONE)
			level = SMB2_OPLOCK_LEVEL_II;
		if (o->of_oplock_state != OPLOCK_NONE &&
		    exclusive(o->of_oplock))
			level = SMB2_OPLOCK_LEVEL_NONE;
	}
	/* Beside a lease with handle caching: none (MS-FSA 2.1.5.17.2). */
	level = lease_oplock_cap(level, lease_others_states(of->of_fnode, of));
	of->of_oplock = level;
	of->of_oplock_state = level == SMB2_OPLOCK_LEVEL_NONE ? OPLOCK_NONE :
	    OPLOCK_HELD;
	return level;
}

void
oplock_break_level2(struct fnode *fn, struct ofile *writer)
{
	struct ofile *o;

	TAILQ_FOREACH(o, &fn->fn_opens, of_fnode_entry) {
		if (o == writer || o->of_oplock_state != OPLOCK_HELD ||
		    o->of_oplock != SMB2_OPLOCK_LEVEL_II)
			continue;
		/* 2.2.24.1: from level II to none, with no acknowledgment. */
		send_break(o, SMB2_OPLOCK_LEVEL_NONE);
		o->of_oplock = SMB2_OPLOCK_LEVEL_NONE;
		o->of_oplock_state = OPLOCK_NONE;
	}
	/* Leases of other keys lose R the same way (3.3.4.7). */
	lease_break_for_write(fn, writer);
}

void
oplock_close(struct ofile *of)
{
	loop_timer_cancel(&of->of_break_timer);
	if (of->of_oplock_state == OPLOCK_BREAKING || !TAILQ_EMPTY(&waiters))
		loop_defer(&resume_defer, resume_waiters, NULL);
	of->of_oplock = SMB2_OPLOCK_LEVEL_NONE;
	of->of_oplock_state = OPLOCK_NONE;
	/* Its lease goes with its last open. */
	lease_open_detach(of);
}

uint32_t
smb2_oplock_break(struct smb_req *r)
{
	struct ofile *of;
	uint8_t level, granted;
	uint64_t p, v;
	uint32_t st = STATUS_SUCCESS;

	/* StructureSize tells them apart: 24 oplock, 36 lease (2.2.24). */
	if (smb2_req_body(r, BREAK_SIZE) == -1)
		return lease_break_ack(r);
	level = msgbuf_get_u8(&r->r_rd);
	msgbuf_skip(&r->r_rd, 5);
	p = msgbuf_get_le64(&r->r_rd);
	v = msgbuf_get_le64(&r->r_rd);
	if (!msgbuf_rd_ok(&r->r_rd))
		return STATUS_INVALID_PARAMETER;
	if ((st = smb2_req_file(r, p, v, &of)) != STATUS_SUCCESS)
		return st;
	/* 3.3.5.22.1, in the spec's order. */
	if (of->of_oplock_state != OPLOCK_BREAKING)
		return STATUS_INVALID_DEVICE_STATE;
	if (level == SMB2_OPLOCK_LEVEL_LEASE) {
		break_done(of, SMB2_OPLOCK_LEVEL_NONE);
		return STATUS_INVALID_PARAMETER;
	}
	if ((of->of_oplock == SMB2_OPLOCK_LEVEL_II &&
	    level != SMB2_OPLOCK_LEVEL_NONE) ||
	    (exclusive(of->of_oplock) && level != SMB2_OPLOCK_LEVEL_II &&
	    level != SMB2_OPLOCK_LEVEL_NONE) || level > of->of_break_to) {
		break_done(of, SMB2_OPLOCK_LEVEL_NONE);
		return STATUS_INVALID_OPLOCK_PROTOCOL;
	}
	granted = level;
	break_done(of, granted);
	msgbuf_put_le16(&r->r_rsp, BREAK_SIZE);
	msgbuf_put_u8(&r->r_rsp, granted);
	msgbuf_put_u8(&r->r_rsp, 0);
	msgbuf_put_le32(&r->r_rsp, 0);
	msgbuf_put_le64(&r->r_rsp, of->of_persistent);
	msgbuf_put_le64(&r->r_rsp, of->of_volatile);
	return STATUS_SUCCESS;
}
