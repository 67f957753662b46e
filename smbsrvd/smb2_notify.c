/*
 * smb2_notify.c — CHANGE_NOTIFY (MS-SMB2 2.2.35, 2.2.36, 3.3.5.19; the
 * object store's part MS-FSA 2.1.5.11).
 *
 * The first request on an open sets up its struct smb2_cn: a watch
 * (notify.c) with that request's CompletionFilter, WATCH_TREE and
 * OutputBufferLength, which the change notification algorithm (MS-SMB2
 * 3.3.1.3) keeps for the life of the open: later requests cannot change
 * them (smbtorture smb2.notify.mask-change).  From then on changes are
 * recorded also while no request waits (smb2.notify.dir), so a request
 * that finds some is answered at once; otherwise it goes async (3.3.4.2)
 * and waits, first come first served (MS-FSA 2.1.5.11.1).
 *
 * A waiting request (struct smb2_cn_req):
 *   WAITING on sc_reqs --a change recorded--> READY on cn_ready, its
 *       answer built --the loop's before-sleep pass--> sent, freed
 *   WAITING --CANCEL--> STATUS_CANCELLED at once, freed
 *   WAITING --the open closes (CLOSE, TREE_DISCONNECT, LOGOFF, all
 *       through ofile_close())--> READY with STATUS_NOTIFY_CLEANUP
 *   WAITING --another open's close leaves the directory delete-pending
 *       (ofile_close())--> READY with STATUS_DELETE_PENDING
 *   WAITING or READY --connection gone--> dropped: freed, nothing sent
 * A READY request that is cancelled is sent as it is: its changes were
 * taken from the watch already.  Answers leave only from the
 * before-sleep pass, never from inside ofile_close() or the inotify
 * callback: sending can fail and tear down the connection with its
 * sessions and opens, which must not happen under a caller walking
 * those lists.  The struct smb2_async is the connection's; a request
 * keeps the pointer until it completes it or is dropped.
 */
#include <stdlib.h>

#include "conn.h"
#include "loop.h"
#include "notify.h"
#include "ntstatus.h"
#include "ofile.h"
#include "smb2_async.h"
#include "smb2_req.h"

#define CN_REQ_SIZE		32
#define CN_RSP_SIZE		9
/* 2.2.36: the buffer follows the header and the 8-byte fixed part. */
#define CN_DATA_OFF		(SMB2_HDR_LEN + 8)
/* 2.2.35 Flags */
#define SMB2_WATCH_TREE		0x0001

/* An open's CHANGE_NOTIFY state (ofile of_notify). */
struct smb2_cn {
	struct notify_watch	*sc_watch;
	TAILQ_HEAD(, smb2_cn_req) sc_reqs;	/* waiting, oldest first */
};

struct smb2_cn_req {
	TAILQ_ENTRY(smb2_cn_req) cr_entry;	/* sc_reqs or cn_ready */
	struct smb2_cn		*cr_cn;		/* NULL once READY */
	struct smb2_async	*cr_async;
	uint32_t		 cr_outlen;	/* OutputBufferLength */
	uint32_t		 cr_status;	/* READY: the answer */
	struct msgbuf_wr	 cr_body;
};

static TAILQ_HEAD(, smb2_cn_req) cn_ready = TAILQ_HEAD_INITIALIZER(cn_ready);
static struct loop_defer cn_send_defer;

/*
 * The 2.2.36 body into wr: StructureSize 9, then the changes w holds
 * within outlen bytes.  With nothing to send (STATUS_NOTIFY_ENUM_DIR,
 * STATUS_NOTIFY_CLEANUP, w NULL) OutputBufferOffset and Length are 0
 * and the one byte StructureSize counts follows, as in an ERROR body.
 */
static uint32_t
cn_body(struct msgbuf_wr *wr, struct notify_watch *w, uint32_t outlen)
{
	uint32_t st = STATUS_SUCCESS;
	size_t len;

	msgbuf_put_le16(wr, CN_RSP_SIZE);
	msgbuf_put_le16(wr, CN_DATA_OFF);
	msgbuf_put_le32(wr, 0);
	if (w != NULL)
		st = notify_watch_take(w, outlen, wr);
	if ((len = msgbuf_wr_len(wr) - 8) == 0) {
		msgbuf_patch_le16(wr, 2, 0);
		msgbuf_put_u8(wr, 0);
	} else
		msgbuf_patch_le32(wr, 4, (uint32_t)len);
	return msgbuf_wr_ok(wr) ? st : STATUS_INSUFFICIENT_RESOURCES;
}

static void
cn_req_free(struct smb2_cn_req *cr)
{
	msgbuf_wr_free(&cr->cr_body);
	free(cr);
}

/* The before-sleep pass: send what is READY, oldest first. */
static void
cn_send(void *arg)
{
	struct smb2_cn_req *cr;

	(void)arg;
	while ((cr = TAILQ_FIRST(&cn_ready)) != NULL) {
		TAILQ_REMOVE(&cn_ready, cr, cr_entry);
		smb2_async_complete(cr->cr_async, cr->cr_status,
		    &cr->cr_body);
		cn_req_free(cr);
	}
}

/* WAITING (already off sc_reqs) to READY with its answer. */
static void
cn_ready_add(struct smb2_cn_req *cr, uint32_t status, struct notify_watch *w)
{
	cr->cr_cn = NULL;
	cr->cr_status = cn_body(&cr->cr_body, w, cr->cr_outlen);
	if (status != STATUS_SUCCESS && cr->cr_status == STATUS_SUCCESS)
		cr->cr_status = status;
	TAILQ_INSERT_TAIL(&cn_ready, cr, cr_entry);
	loop_defer(&cn_send_defer, cn_send, NULL);
}

/* notify.c recorded a change: the oldest waiting request takes it all. */
static void
cn_changed(struct notify_watch *w, void *arg)
{
	struct smb2_cn *sc = arg;
	struct smb2_cn_req *cr;

	if ((cr = TAILQ_FIRST(&sc->sc_reqs)) == NULL)
		return;		/* kept for the next request */
	TAILQ_REMOVE(&sc->sc_reqs, cr, cr_entry);
	cn_ready_add(cr, STATUS_SUCCESS, w);
}

/* 3.3.5.16: CANCEL of a waiting request. */
static void
cn_cancel(struct smb2_async *a, void *arg)
{
	struct smb2_cn_req *cr = arg;

	if (cr->cr_cn == NULL) {
		TAILQ_REMOVE(&cn_ready, cr, cr_entry);
		smb2_async_complete(a, cr->cr_status, &cr->cr_body);
	} else {
		TAILQ_REMOVE(&cr->cr_cn->sc_reqs, cr, cr_entry);
		smb2_async_complete(a, STATUS_CANCELLED, NULL);
	}
	cn_req_free(cr);
}

/* The connection is gone: forget the request, answer nothing. */
static void
cn_drop(struct smb2_async *a, void *arg)
{
	struct smb2_cn_req *cr = arg;

	(void)a;
	if (cr->cr_cn == NULL)
		TAILQ_REMOVE(&cn_ready, cr, cr_entry);
	else
		TAILQ_REMOVE(&cr->cr_cn->sc_reqs, cr, cr_entry);
	cn_req_free(cr);
}

/* The open's first request: the watch it keeps until it closes. */
static uint32_t
cn_new(struct ofile *of, bool tree, uint32_t filter, uint32_t outlen)
{
	struct smb2_cn *sc;
	uint32_t st;

	if ((sc = calloc(1, sizeof(*sc))) == NULL)
		return STATUS_INSUFFICIENT_RESOURCES;
	TAILQ_INIT(&sc->sc_reqs);
	if ((st = notify_watch_new(of->of_fd, tree, filter, outlen,
	    cn_changed, sc, &sc->sc_watch)) != STATUS_SUCCESS) {
		free(sc);
		return st;
	}
	of->of_notify = sc;
	return STATUS_SUCCESS;
}

uint32_t
smb2_change_notify(struct smb_req *r)
{
	struct smb2_cn_req *cr;
	struct smb2_cn *sc;
	struct ofile *of;
	uint16_t flags;
	uint32_t outlen, filter, st;
	uint64_t p, v;

	if (smb2_req_body(r, CN_REQ_SIZE) == -1)
		return STATUS_INVALID_PARAMETER;
	flags = msgbuf_get_le16(&r->r_rd);
	outlen = msgbuf_get_le32(&r->r_rd);
	p = msgbuf_get_le64(&r->r_rd);
	v = msgbuf_get_le64(&r->r_rd);
	filter = msgbuf_get_le32(&r->r_rd);
	msgbuf_skip(&r->r_rd, 4);		/* Reserved */
	if (!msgbuf_rd_ok(&r->r_rd))
		return STATUS_INVALID_PARAMETER;
	if ((st = smb2_req_file(r, p, v, &of)) != STATUS_SUCCESS)
		return st;
	/* 3.3.5.19, in its order. */
	if (outlen > r->r_conn->c_max_transact ||
	    !smb2_req_charge_ok(r, outlen))
		return STATUS_INVALID_PARAMETER;
	if (!of->of_is_dir)
		return STATUS_INVALID_PARAMETER;
	/*
	 * MS-FSA 2.1.5.11 leaves the access check to the object store;
	 * Windows wants FILE_LIST_DIRECTORY (smb2.notify.handle-permissions).
	 */
	if (!(of->of_access & FILE_LIST_DIRECTORY))
		return STATUS_ACCESS_DENIED;
	/* MS-FSA 2.1.5.11: nothing to watch in a directory going away. */
	if (of->of_fnode != NULL && of->of_fnode->fn_delete_pending)
		return STATUS_DELETE_PENDING;
	/* Every change made before this request is recorded by now. */
	notify_poll();
	if ((sc = of->of_notify) == NULL) {
		/*
		 * 0 is refused, as the Windows API does.  Bits beyond
		 * 2.2.35's are not: Windows takes each of the 32 alone
		 * (smb2.notify.mask), and they match nothing here.  Only
		 * the first request's filter counts, so only it is
		 * checked: later ones may send anything
		 * (smb2.notify.recursive sends 0).
		 */
		if (filter == 0)
			return STATUS_INVALID_PARAMETER;
		if ((st = cn_new(of, (flags & SMB2_WATCH_TREE) != 0, filter,
		    outlen)) != STATUS_SUCCESS)
			return st;
		sc = of->of_notify;
	} else if (TAILQ_EMPTY(&sc->sc_reqs) &&
	    notify_watch_ready(sc->sc_watch))
		return cn_body(&r->r_rsp, sc->sc_watch, outlen);
	if ((cr = calloc(1, sizeof(*cr))) == NULL)
		return STATUS_INSUFFICIENT_RESOURCES;
	cr->cr_cn = sc;
	cr->cr_outlen = outlen;
	/* 2.2.36: the largest answer the request allows, and its header. */
	msgbuf_wr_init(&cr->cr_body, (size_t)outlen + CN_RSP_SIZE);
	/*
	 * Only the last request of a compound can wait (smb2_async.h);
	 * one before it would hold up the others' answers.
	 */
	if ((cr->cr_async = smb2_async_start(r, cn_cancel, cn_drop,
	    cr)) == NULL) {
		cn_req_free(cr);
		return STATUS_INSUFFICIENT_RESOURCES;
	}
	TAILQ_INSERT_TAIL(&sc->sc_reqs, cr, cr_entry);
	return STATUS_PENDING;
}

void
smb2_notify_close(struct ofile *of)
{
	struct smb2_cn *sc = of->of_notify;
	struct smb2_cn_req *cr;

	if (sc == NULL)
		return;
	of->of_notify = NULL;
	notify_watch_free(sc->sc_watch);
	/*
	 * Closing an open ends its waiting requests with
	 * STATUS_NOTIFY_CLEANUP, as Windows and Samba do (smbtorture
	 * smb2.notify.close, .logoff; the specifications leave it to the
	 * object store).
	 */
	while ((cr = TAILQ_FIRST(&sc->sc_reqs)) != NULL) {
		TAILQ_REMOVE(&sc->sc_reqs, cr, cr_entry);
		cn_ready_add(cr, STATUS_NOTIFY_CLEANUP, NULL);
	}
	free(sc);
}

void
smb2_notify_delete_pending(struct ofile *of)
{
	struct smb2_cn *sc = of->of_notify;
	struct smb2_cn_req *cr;

	if (sc == NULL)
		return;
	/*
	 * The directory is to be removed once its last open closes: a
	 * waiting request learns it now, as on Windows and Samba
	 * (smbtorture smb2.notify.rmdir1-4), rather than waiting on a
	 * name that is gone.  The watch stays until the open closes.
	 */
	while ((cr = TAILQ_FIRST(&sc->sc_reqs)) != NULL) {
		TAILQ_REMOVE(&sc->sc_reqs, cr, cr_entry);
		cn_ready_add(cr, STATUS_DELETE_PENDING, NULL);
	}
}
