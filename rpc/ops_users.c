/*
 * ops_users.c — /api/v1/users: list, get, add, change, remove (see
 * rpc/openapi.yaml).  Thin on top of admin_user_*(); a password comes in
 * and is never echoed, a hash never goes out.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "admin.h"
#include "body.h"
#include "enc.h"
#include "ops.h"
#include "ops_int.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
/* 256 characters of UTF-8 take at most 4 bytes each. */
#define OPS_PASSWORD_BYTES	(ADMIN_PASSWORD_MAX * 4)

static const struct body_field ops_user_fields[] = {
	{ "name",	BODY_STRING,	BODY_REQUIRED },
	{ "password",	BODY_STRING,	BODY_REQUIRED },
	{ "enabled",	BODY_BOOL,	0 },
};

static const struct body_field ops_user_patch_fields[] = {
	{ "password",	BODY_STRING,	0 },
	{ "enabled",	BODY_BOOL,	0 },
};

static int
ops_user_cb(const struct admin_user *au, void *arg)
{
	struct ops_page *pg = arg;

	if (ops_page_full(pg))
		return 1;
	return ops_page_add(pg, enc_user(au), au->name);
}

int
ops_users(const struct ops_req *rq, struct ops_reply *rp)
{
	struct ops_page pg;
	size_t limit;
	int err;

	if ((err = ops_limit(rq, rp, &limit)) != 0 ||
	    (err = ops_page_init(&pg, limit)) != 0)
		return err;
	if ((err = admin_user_list(ops_query(rq, "cursor"), ops_user_cb,
	    &pg)) != 0) {
		json_object_put(pg.items);
		return err;
	}
	return ops_page_reply(&pg, rp);
}

static int
ops_user_reply(const struct admin_user *au, int status,
    struct ops_reply *rp)
{
	if ((rp->rp_json = enc_user(au)) == NULL)
		return ENOMEM;
	rp->rp_status = status;
	return 0;
}

int
ops_user_get(const struct ops_req *rq, struct ops_reply *rp)
{
	struct admin_user au;
	int err;

	if ((err = admin_user_get(rq->rq_params.pa_val[0], &au)) != 0)
		return err;
	return ops_user_reply(&au, 200, rp);
}

int
ops_user_post(const struct ops_req *rq, struct ops_reply *rp)
{
	struct json_object *b = rq->rq_body;
	const char *name = NULL, *pw = NULL;
	char *d = rp->rp_detail;
	size_t dl = sizeof(rp->rp_detail);
	struct admin_user au;
	bool enabled = true;
	int err;

	if ((err = body_check(b, ops_user_fields, NELEM(ops_user_fields), d,
	    dl)) != 0)
		return err;
	if ((err = body_string(b, "name", ADMIN_UNAME_LEN - 1, &name, d,
	    dl)) > 1 || (err = body_string(b, "password", OPS_PASSWORD_BYTES,
	    &pw, d, dl)) > 1)
		return err;
	(void)body_bool(b, "enabled", &enabled);
	if ((err = admin_user_add(name, pw, enabled, ops_via(rq), &au, d,
	    dl)) != 0)
		return err;
	ops_location(rp, "/api/v1/users/", au.name);
	return ops_user_reply(&au, 201, rp);
}

int
ops_user_patch(const struct ops_req *rq, struct ops_reply *rp)
{
	struct json_object *b = rq->rq_body;
	const char *pw = NULL;
	char *d = rp->rp_detail;
	size_t dl = sizeof(rp->rp_detail);
	struct admin_user au;
	bool enabled;
	int err, en = -1;

	if ((err = body_check(b, ops_user_patch_fields,
	    NELEM(ops_user_patch_fields), d, dl)) != 0)
		return err;
	if (json_object_object_length(b) == 0) {
		snprintf(d, dl, "nothing to change: give password or enabled");
		return EINVAL;
	}
	if ((err = body_string(b, "password", OPS_PASSWORD_BYTES, &pw, d,
	    dl)) > 1)
		return err;
	if (body_bool(b, "enabled", &enabled) == 0)
		en = enabled;
	if ((err = admin_user_set(rq->rq_params.pa_val[0], pw, en,
	    ops_via(rq), &au, d, dl)) != 0)
		return err;
	return ops_user_reply(&au, 200, rp);
}

int
ops_user_delete(const struct ops_req *rq, struct ops_reply *rp)
{
	struct admin_user au;
	int err;

	if ((err = admin_user_remove(rq->rq_params.pa_val[0], ops_via(rq),
	    &au, rp->rp_detail, sizeof(rp->rp_detail))) != 0)
		return err;
	return ops_user_reply(&au, 200, rp);
}
