/*
 * smb2_durable.c — durable handle create contexts (see durable.h).
 */
#include <string.h>
#include <strings.h>

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

uint32_t
durable_reconnect(struct smb_req *r, const struct durable_req *dr,
    struct ofile **out)
{
	struct session *s = r->r_sess;
	struct ofile *of;
	uint32_t st;

	*out = NULL;
	/* 3.3.5.9.7 step 2 / 3.3.5.9.12 step 1. */
	if ((of = ofile_find_persistent(dr->dr_fid_p)) == NULL)
		return STATUS_OBJECT_NAME_NOT_FOUND;
	/* 3.3.5.9.12 step 2: the v2 CreateGuid must match. */
	if (dr->dr_dh2c && (!of->of_durable_v2 ||
	    memcmp(of->of_create_guid, dr->dr_guid, 16) != 0))
		return STATUS_OBJECT_NAME_NOT_FOUND;
	/*
	 * 3.3.5.9.7 step 5: not durable, still attached to a session, or a
	 * durable open without its batch oplock cannot be reclaimed.
	 */
	if ((!of->of_durable && !of->of_resilient) ||
	    of->of_state != OFILE_DISCONNECTED)
		return STATUS_OBJECT_NAME_NOT_FOUND;
	if (of->of_durable && !of->of_resilient &&
	    of->of_oplock != SMB2_OPLOCK_LEVEL_BATCH)
		return STATUS_OBJECT_NAME_NOT_FOUND;
	/* The file lives in the share it was opened in. */
	if (of->of_rootref->t_share != r->r_tree->t_share)
		return STATUS_OBJECT_NAME_NOT_FOUND;
	/* Step 6: only the user who owned it (DurableOwner). */
	if (of->of_owner == NULL || strcasecmp(of->of_owner, s->s_user) != 0)
		return STATUS_ACCESS_DENIED;
	if ((st = ofile_reconnect(of, s, r->r_tree)) != STATUS_SUCCESS)
		return st;
	ofile_hold(of);
	r->r_open = of;
	smb2_req_set_file(r, of);
	*out = of;
	return STATUS_SUCCESS;
}

void
durable_grant(struct ofile *of, const struct durable_req *dr,
    uint8_t granted, uint32_t default_ms, char ctxname[4], uint8_t out[8],
    size_t *outlen)
{
	uint32_t timeout;

	*outlen = 0;
	if (of->of_is_dir)
		return;
	/*
	 * 3.3.5.9.6 step 4: v1 needs a batch oplock (leases with handle
	 * caching come with the lease table).  Windows grants v2 on the same
	 * condition (<342>), and a durable open without one could never be
	 * reclaimed after a disconnect (3.3.7.1).
	 */
	if (granted != SMB2_OPLOCK_LEVEL_BATCH)
		return;
	if (dr->dr_dhnq) {
		of->of_durable = true;
		of->of_durable_timeout = default_ms;
		memcpy(ctxname, "DHnQ", 4);
		memset(out, 0, 8);		/* 2.2.14.2.3: reserved */
		*outlen = 8;
	} else if (dr->dr_dh2q) {
		timeout = dr->dr_timeout == 0 ? default_ms : dr->dr_timeout;
		if (timeout > DURABLE_V2_MAX_MS)
			timeout = DURABLE_V2_MAX_MS;
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
