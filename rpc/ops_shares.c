/*
 * ops_shares.c — /api/v1/shares: list, get, add, change, remove (see
 * rpc/openapi.yaml).  Thin on top of admin_share_*(): these handlers
 * check the body member by member and turn the answer into JSON.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "body.h"
#include "enc.h"
#include "ops.h"
#include "ops_int.h"

/* Members of POST (all) and PATCH (all but name). */
static const struct body_field ops_share_fields[] = {
	{ "name",		BODY_STRING,	BODY_REQUIRED },
	{ "path",		BODY_STRING,	BODY_REQUIRED },
	{ "comment",		BODY_STRING,	0 },
	{ "read_only",		BODY_BOOL,	0 },
	{ "guest_ok",		BODY_BOOL,	0 },
	{ "max_uses",		BODY_INT,	BODY_NULLABLE },
	{ "encrypt",		BODY_BOOL,	0 },
	{ "durable_timeout_ms",	BODY_INT,	0 },
};

static const struct body_field ops_share_patch_fields[] = {
	{ "path",		BODY_STRING,	0 },
	{ "comment",		BODY_STRING,	0 },
	{ "read_only",		BODY_BOOL,	0 },
	{ "guest_ok",		BODY_BOOL,	0 },
	{ "max_uses",		BODY_INT,	BODY_NULLABLE },
	{ "encrypt",		BODY_BOOL,	0 },
	{ "durable_timeout_ms",	BODY_INT,	0 },
};

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static int
ops_share_cb(const struct admin_share *ash, void *arg)
{
	struct ops_page *pg = arg;

	if (ops_page_full(pg))
		return 1;
	return ops_page_add(pg, enc_share(ash), ash->name);
}

/* The cursor of shares is the last name: ShareList has no ids. */
int
ops_shares(const struct ops_req *rq, struct ops_reply *rp)
{
	struct ops_page pg;
	size_t limit;
	int err;

	if ((err = ops_limit(rq, rp, &limit)) != 0 ||
	    (err = ops_page_init(&pg, limit)) != 0)
		return err;
	if ((err = admin_share_list(ops_query(rq, "cursor"), ops_share_cb,
	    &pg)) != 0) {
		json_object_put(pg.items);
		return err;
	}
	return ops_page_reply(&pg, rp);
}

static int
ops_share_reply(const struct admin_share *ash, int status,
    struct ops_reply *rp)
{
	if ((rp->rp_json = enc_share(ash)) == NULL)
		return ENOMEM;
	rp->rp_status = status;
	return 0;
}

int
ops_share_get(const struct ops_req *rq, struct ops_reply *rp)
{
	struct admin_share *ash;
	int err;

	if ((ash = malloc(sizeof(*ash))) == NULL)
		return ENOMEM;
	if ((err = admin_share_get(rq->rq_params.pa_val[0], ash)) == 0)
		err = ops_share_reply(ash, 200, rp);
	free(ash);
	return err;
}

/* The body's members onto a spec; name only when with_name. */
static int
ops_share_spec(const struct ops_req *rq, struct ops_reply *rp,
    bool with_name, struct admin_share_spec *sp)
{
	struct json_object *b = rq->rq_body;
	char *d = rp->rp_detail;
	size_t dl = sizeof(rp->rp_detail);
	struct admin_server as;
	int64_t v;
	bool isnull, f;
	int e;

	admin_share_spec_init(sp);
	if ((e = body_check(b, with_name ? ops_share_fields :
	    ops_share_patch_fields, with_name ? NELEM(ops_share_fields) :
	    NELEM(ops_share_patch_fields), d, dl)) != 0)
		return e;
	/* body_*() answer 0 (set), 1 (absent) or an errno value. */
	if ((with_name && (e = body_string(b, "name", 80, &sp->name, d,
	    dl)) > 1) ||
	    (e = body_string(b, "path", 4000, &sp->path, d, dl)) > 1 ||
	    (e = body_string(b, "comment", ADMIN_COMMENT_LEN - 1,
	    &sp->comment, d, dl)) > 1)
		return e;
	if (body_bool(b, "read_only", &f) == 0)
		sp->read_only = f;
	if (body_bool(b, "guest_ok", &f) == 0)
		sp->guest_ok = f;
	if (body_bool(b, "encrypt", &f) == 0)
		sp->encrypt = f;
	if ((e = body_int(b, "max_uses", 1, 16777215, &v, &isnull, d, dl)) >
	    1)
		return e;
	if (e == 0)
		sp->max_uses = isnull ? 0 : v;
	/* Up to the configured "durable timeout max" (smbsrvd.conf(5)). */
	if (admin_server_info(&as) != 0)
		return EIO;
	if ((e = body_int(b, "durable_timeout_ms", 0,
	    as.durable_timeout_max_ms, &v, NULL, d, dl)) > 1)
		return e;
	if (e == 0)
		sp->durable_timeout_ms = v;
	return 0;
}

int
ops_share_post(const struct ops_req *rq, struct ops_reply *rp)
{
	struct admin_share_spec sp;
	struct admin_share *ash;
	int err;

	if ((err = ops_share_spec(rq, rp, true, &sp)) != 0)
		return err;
	if ((ash = malloc(sizeof(*ash))) == NULL)
		return ENOMEM;
	if ((err = admin_share_add(&sp, ops_via(rq), ash, rp->rp_detail,
	    sizeof(rp->rp_detail))) == 0 &&
	    (err = ops_share_reply(ash, 201, rp)) == 0)
		ops_location(rp, "/api/v1/shares/", ash->name);
	free(ash);
	return err;
}

int
ops_share_patch(const struct ops_req *rq, struct ops_reply *rp)
{
	struct admin_share_spec sp;
	struct admin_share *ash;
	int err;

	if ((err = ops_share_spec(rq, rp, false, &sp)) != 0)
		return err;
	if (json_object_object_length(rq->rq_body) == 0) {
		snprintf(rp->rp_detail, sizeof(rp->rp_detail),
		    "nothing to change: give at least one member");
		return EINVAL;
	}
	if ((ash = malloc(sizeof(*ash))) == NULL)
		return ENOMEM;
	if ((err = admin_share_set(rq->rq_params.pa_val[0], &sp, ops_via(rq),
	    ash, rp->rp_detail, sizeof(rp->rp_detail))) == 0)
		err = ops_share_reply(ash, 200, rp);
	free(ash);
	return err;
}

int
ops_share_delete(const struct ops_req *rq, struct ops_reply *rp)
{
	struct admin_share *ash;
	struct ops_impact im;
	bool dry;
	int err;

	if ((err = ops_dry_run(rq, rp, &dry)) != 0)
		return err;
	if ((ash = malloc(sizeof(*ash))) == NULL)
		return ENOMEM;
	if ((err = admin_share_get(rq->rq_params.pa_val[0], ash)) != 0) {
		free(ash);
		return err;
	}
	if ((err = ops_impact_init(&im)) == 0 &&
	    (err = admin_share_remove(rq->rq_params.pa_val[0], dry,
	    ops_via(rq), ops_impact_cb, &im, rp->rp_detail,
	    sizeof(rp->rp_detail))) == 0)
		err = ops_impact_reply(&im, dry, "share", enc_share(ash), rp);
	ops_impact_free(&im);
	free(ash);
	return err;
}
