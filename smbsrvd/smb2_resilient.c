/*
 * smb2_resilient.c — FSCTL_LMR_REQUEST_RESILIENCY (see resilient.h).
 */
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "conn.h"
#include "log.h"
#include "msgbuf.h"
#include "ntstatus.h"
#include "ofile.h"
#include "resilient.h"
#include "server.h"
#include "session.h"
#include "smb2_negotiate.h"
#include "smb2_req.h"

uint32_t
resilient_parse(struct msgbuf_rd *in, uint32_t default_ms, uint32_t max_ms,
    uint32_t *timeout)
{
	uint32_t t;

	*timeout = 0;
	if (msgbuf_remain(in) < RESILIENCY_REQ_LEN)
		return STATUS_INVALID_PARAMETER;
	t = msgbuf_get_le32(in);
	msgbuf_skip(in, 4);			/* Reserved */
	/*
	 * Step 3 compares in seconds; comparing milliseconds is at most
	 * 999 ms stricter, and never grants more than max_ms.
	 */
	if (!msgbuf_rd_ok(in) || t > max_ms)
		return STATUS_INVALID_PARAMETER;
	/* Step 4: 0 asks for the server's own value (SHOULD, <401>). */
	*timeout = t == 0 ? default_ms : t;
	return STATUS_SUCCESS;
}

uint32_t
resilient_request(struct smb_req *r, uint64_t p, uint64_t v,
    struct msgbuf_rd *in)
{
	struct ofile *of;
	char *owner;
	uint32_t st, timeout;

	if ((st = smb2_req_file(r, p, v, &of)) != STATUS_SUCCESS)
		return st;
	/*
	 * 3.3.5.15.9, in the spec's order.  Step 1: the request is not
	 * valid on 2.0.2 (2.2.31.3), which MAY refuse it.
	 */
	if (r->r_conn->c_dialect == SMB2_DIALECT_202)
		return STATUS_INVALID_DEVICE_REQUEST;
	/* Step 3. */
	if ((st = resilient_parse(in, server.sv_conf->cf_resilient_timeout,
	    server.sv_conf->cf_resilient_timeout_max, &timeout)) !=
	    STATUS_SUCCESS)
		return st;
	/* Step 4; DurableOwner is the current user. */
	if ((owner = strdup(r->r_sess->s_user)) == NULL)
		return STATUS_INSUFFICIENT_RESOURCES;
	free(of->of_owner);
	of->of_owner = owner;
	of->of_durable = false;
	of->of_resilient = true;
	of->of_resilient_timeout = timeout;
	log_debug("open %u of \"%s\": resilient, %u ms", of->of_global_id,
	    of->of_path, timeout);
	return STATUS_SUCCESS;
}
