/*
 * smb2_durable.c — durable handle create contexts (see durable.h).
 */
#include <string.h>
#include <strings.h>

#include "conn.h"
#include "lease.h"
#include "log.h"
#include "ntstatus.h"
#include "durable.h"
#include "ofile.h"
#include "oplock.h"
#include "session.h"
#include "share.h"
#include "smb2_req.h"
#include "tree.h"

#define STATUS_DUPLICATE_OBJECTID	0xC000022Au

uint32_t
durable_ctx(struct durable_req *dr, const uint8_t *name,
    struct msgbuf_rd *d)
{
	if (memcmp(name, "DHnQ", 4) == 0) {
		/* 2.2.13.2.3: 16 reserved bytes. */
		if (msgbuf_remain(d) < 16)
			return STATUS_INVALID_PARAMETER;
		dr->dr_dhnq = true;
	} else if (memcmp(name, "DHnC", 4) == 0) {
		/* 2.2.13.2.4: the FileId to reclaim. */
		dr->dr_fid_p = msgbuf_get_le64(d);
		dr->dr_fid_v = msgbuf_get_le64(d);
		dr->dr_dhnc = true;
	} else if (memcmp(name, "DH2Q", 4) == 0) {
		/* 2.2.13.2.11: Timeout, Flags, Reserved, CreateGuid. */
		dr->dr_timeout = msgbuf_get_le32(d);
		dr->dr_flags = msgbuf_get_le32(d);
		msgbuf_skip(d, 8);
		msgbuf_get_bytes(d, dr->dr_guid, 16);
		dr->dr_dh2q = true;
	} else if (memcmp(name, "DH2C", 4) == 0) {
		/* 2.2.13.2.12: FileId, CreateGuid, Flags. */
		dr->dr_fid_p = msgbuf_get_le64(d);
		dr->dr_fid_v = msgbuf_get_le64(d);
		msgbuf_get_bytes(d, dr->dr_guid, 16);
		dr->dr_flags = msgbuf_get_le32(d);
		dr->dr_dh2c = true;
	} else
		return STATUS_SUCCESS;
	return msgbuf_rd_ok(d) ? STATUS_SUCCESS : STATUS_INVALID_PARAMETER;
}

uint32_t
durable_check(const struct durable_req *dr)
{
	/* 3.3.5.9.10 step 1, 3.3.5.9.12 step 3 (MUST). */
	if (dr->dr_dh2q && (dr->dr_dhnq || dr->dr_dhnc || dr->dr_dh2c))
		return STATUS_INVALID_PARAMETER;
	if (dr->dr_dh2c && (dr->dr_dhnq || dr->dr_dhnc))
		return STATUS_INVALID_PARAMETER;
	/* 3.3.5.9.6 step 3, 3.3.5.9.7 step 1 (SHOULD, as Windows 8+). */
	if ((dr->dr_dhnq || dr->dr_dhnc) && (dr->dr_dh2q || dr->dr_dh2c))
		return STATUS_INVALID_PARAMETER;
	/* No persistent handles: the share is not continuously available. */
	if ((dr->dr_dh2q || dr->dr_dh2c) &&
	    (dr->dr_flags & SMB2_DHANDLE_FLAG_PERSISTENT) && dr->dr_dh2c)
		return STATUS_INVALID_PARAMETER;
	return STATUS_SUCCESS;
}

bool
durable_is_reconnect(const struct durable_req *dr)
{
	return dr->dr_dhnc || dr->dr_dh2c;
}

/*
 * 3.3.5.9.7 steps 2-6 and 3.3.5.9.12 steps 1-4: which open the request
 * reclaims, or why none.  The lease rules come first, as Windows orders
 * them (smb2.durable-open.reopen2-lease: a request without its lease is
 * not found whatever name it carries; with the lease but another name it
 * is invalid).
 */
static uint32_t
reconnect_find(struct smb_req *r, const struct durable_req *dr,
    struct lease_req *lr, const char *path, struct ofile **out)
{
	struct ofile *of;
	uint32_t st;

	/* 3.3.5.9.7 step 2 / 3.3.5.9.12 step 1. */
	if ((of = ofile_find_persistent(dr->dr_fid_p)) == NULL)
		return STATUS_OBJECT_NAME_NOT_FOUND;
	/*
	 * 3.3.5.9.12 step 2: the CreateGuid must be the open's (a v1 open
	 * has none, so only a zero one reclaims it by DH2C).
	 */
	if (dr->dr_dh2c && memcmp(of->of_create_guid, dr->dr_guid, 16) != 0)
		return STATUS_OBJECT_NAME_NOT_FOUND;
	/*
	 * Steps 3-5 for the lease: the client's own, the context present
	 * exactly when the open has a lease, the same key, the same version
	 * (SHOULD), and (unless delete on close) the same name.
	 */
	lease_req_dialect(r->r_conn, lr);
	if ((st = lease_reconnect_check(of, r->r_conn->c_client_guid, lr,
	    of->of_delete_on_close ? NULL : path)) != STATUS_SUCCESS)
		return st;
	if (lr->lr_version != 0 && lr->lr_version != of->of_lease->l_version)
		return STATUS_OBJECT_NAME_NOT_FOUND;
	if (lr->lr_version != 0 && path == NULL && !of->of_delete_on_close)
		return STATUS_INVALID_PARAMETER;
	/*
	 * Step 5: neither durable nor resilient; still attached to a session
	 * (or closing after a break it could not take); a durable open
	 * without its batch oplock or without its lease's handle caching.
	 */
	if (!of->of_durable && !of->of_resilient)
		return STATUS_OBJECT_NAME_NOT_FOUND;
	if (of->of_state != OFILE_DISCONNECTED || of->of_close_pending)
		return STATUS_OBJECT_NAME_NOT_FOUND;
	if (of->of_durable && of->of_lease == NULL &&
	    of->of_oplock != SMB2_OPLOCK_LEVEL_BATCH)
		return STATUS_OBJECT_NAME_NOT_FOUND;
	if (of->of_durable && of->of_lease != NULL && !lease_handle_held(of))
		return STATUS_OBJECT_NAME_NOT_FOUND;
	/* The file lives in the share it was opened in. */
	if (of->of_rootref->t_share != r->r_tree->t_share)
		return STATUS_OBJECT_NAME_NOT_FOUND;
	/* Step 6: only the user who owned it (DurableOwner). */
	if (of->of_owner == NULL ||
	    strcasecmp(of->of_owner, r->r_sess->s_user) != 0)
		return STATUS_ACCESS_DENIED;
	*out = of;
	return STATUS_SUCCESS;
}

uint32_t
durable_reconnect(struct smb_req *r, const struct durable_req *dr,
    struct lease_req *lr, const char *path, struct ofile **out)
{
	struct ofile *of;
	uint32_t st;

	*out = NULL;
	if ((st = reconnect_find(r, dr, lr, path, &of)) != STATUS_SUCCESS)
		return st;
	/* Step 7: reattached under a new volatile FileId. */
	if ((st = ofile_reconnect(of, r->r_sess, r->r_tree)) != STATUS_SUCCESS)
		return st;
	ofile_hold(of);
	r->r_open = of;
	smb2_req_set_file(r, of);
	*out = of;
	return STATUS_SUCCESS;
}

void
durable_grant(struct ofile *of, const struct durable_req *dr,
    uint8_t granted, uint32_t default_ms, uint32_t max_ms, char ctxname[4],
    uint8_t out[8], size_t *outlen)
{
	uint32_t timeout;

	*outlen = 0;
	/* 3.3.5.9.6 step 5, 3.3.5.9.10: no durable directories. */
	if (of->of_is_dir)
		return;
	/*
	 * 3.3.5.9.6 step 4: v1 needs a batch oplock or a lease with handle
	 * caching.  Windows grants v2 on the same condition (<342>), and an
	 * open without one could never be reclaimed after a disconnect
	 * (3.3.7.1), so what counts is what was granted.
	 */
	if (granted != SMB2_OPLOCK_LEVEL_BATCH &&
	    !(granted == SMB2_OPLOCK_LEVEL_LEASE && lease_handle_held(of)))
		return;
	/*
	 * The configuration keeps the default within the ceiling; a share
	 * built before a reload lowered the ceiling is held to it too.
	 */
	if (default_ms > max_ms)
		default_ms = max_ms;
	if (dr->dr_dhnq) {
		/* Step 6: DurableOpenTimeout is the server's (<335>). */
		of->of_durable = true;
		of->of_durable_timeout = default_ms;
		memcpy(ctxname, "DHnQ", 4);
		memset(out, 0, 8);		/* 2.2.14.2.3: reserved */
		*outlen = 8;
	} else if (dr->dr_dh2q) {
		/*
		 * 3.3.5.9.10 step 4: the client's Timeout, at most max_ms
		 * ("durable timeout max", 300 s as <343>); 0 asks for the
		 * server's default (<344>).
		 */
		timeout = dr->dr_timeout == 0 ? default_ms : dr->dr_timeout;
		if (timeout > max_ms)
			timeout = max_ms;
		of->of_durable = true;
		of->of_durable_v2 = true;
		of->of_durable_timeout = timeout;
		memcpy(of->of_create_guid, dr->dr_guid, 16);
		memcpy(ctxname, "DH2Q", 4);
		le32enc(out, timeout);		/* 2.2.14.2.12 */
		le32enc(out + 4, 0);		/* not persistent */
		*outlen = 8;
	}
}

uint32_t
durable_replay_check(const struct durable_req *dr, const uint8_t client[16])
{
	struct ofile *of;

	if (!dr->dr_dh2q)
		return STATUS_SUCCESS;
	if ((of = ofile_find_create_guid(dr->dr_guid, client)) == NULL ||
	    of->of_state == OFILE_CLOSED)
		return STATUS_SUCCESS;
	return STATUS_DUPLICATE_OBJECTID;
}
