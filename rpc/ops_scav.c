/*
 * ops_scav.c — /api/v1/scavenger: the pending durable and resilient
 * opens, expiring them now and extending them (see rpc/openapi.yaml).
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

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define OPS_EXPIRE_MAX	1000	/* ids in one POST scavenger/expire */
#define OPS_EXTEND_MAX	86400000	/* ms, 24 hours */

static const struct body_field ops_expire_fields[] = {
	{ "ids",	BODY_ARRAY,	0 },
};

static const struct body_field ops_extend_fields[] = {
	{ "remaining_ms", BODY_INT,	BODY_REQUIRED },
};

static int
ops_scav_cb(const struct admin_scav *sc, void *arg)
{
	struct ops_page *pg = arg;

	if (ops_page_full(pg))
		return 1;
	return ops_page_add_id(pg, enc_scav(sc), sc->id);
}

/* {durable_timer, resilient_timer, pending, items, next_cursor}. */
int
ops_scavenger(const struct ops_req *rq, struct ops_reply *rp)
{
	struct admin_scav_timer dur, res;
	struct json_object *page;
	struct ops_page pg;
	uint64_t after;
	size_t limit;
	int err, bad = 0;

	if ((err = ops_limit(rq, rp, &limit)) != 0 ||
	    (err = ops_cursor_id(rq, rp, &after)) != 0 ||
	    (err = admin_scav_timers(&dur, &res)) != 0 ||
	    (err = ops_page_init(&pg, limit)) != 0)
		return err;
	if ((err = admin_scav_list(after, ops_scav_cb, &pg)) != 0) {
		json_object_put(pg.items);
		return err;
	}
	if ((page = ops_page_json(&pg)) == NULL)
		return ENOMEM;
	bad |= json_object_object_add(page, "durable_timer",
	    enc_scav_timer(&dur));
	bad |= json_object_object_add(page, "resilient_timer",
	    enc_scav_timer(&res));
	bad |= json_object_object_add(page, "pending",
	    json_object_new_uint64((uint64_t)dur.pending + res.pending));
	if (bad || json_object_object_get(page, "durable_timer") == NULL ||
	    json_object_object_get(page, "resilient_timer") == NULL) {
		json_object_put(page);
		return ENOMEM;
	}
	rp->rp_json = page;
	rp->rp_status = 200;
	return 0;
}

struct ops_idlist {
	uint64_t	*v;
	size_t		 n;
	int		 err;
};

static int
ops_all_cb(const struct admin_scav *sc, void *arg)
{
	struct ops_idlist *il = arg;
	uint64_t *nv;

	if ((nv = reallocarray(il->v, il->n + 1, sizeof(*nv))) == NULL) {
		il->err = ENOMEM;
		return 1;
	}
	il->v = nv;
	il->v[il->n++] = sc->id;
	return 0;
}

/* The ids of the body, each a decimal string, each pending. */
static int
ops_expire_ids(const struct ops_req *rq, struct ops_reply *rp,
    struct ops_idlist *il)
{
	struct json_object *ids, *v;
	struct admin_scav *sc;
	size_t i, n;
	int err = 0;

	if (rq->rq_body == NULL ||
	    !json_object_object_get_ex(rq->rq_body, "ids", &ids) ||
	    ids == NULL) {
		/* Everything pending. */
		if (admin_scav_list(0, ops_all_cb, il) != 0)
			return ENOMEM;
		return il->err;
	}
	if ((n = json_object_array_length(ids)) > OPS_EXPIRE_MAX) {
		snprintf(rp->rp_detail, sizeof(rp->rp_detail),
		    "at most %d ids at a time", OPS_EXPIRE_MAX);
		return EINVAL;
	}
	if ((il->v = calloc(n + 1, sizeof(*il->v))) == NULL ||
	    (sc = malloc(sizeof(*sc))) == NULL)
		return ENOMEM;
	for (i = 0; i < n && err == 0; i++) {
		v = json_object_array_get_idx(ids, i);
		if (!json_object_is_type(v, json_type_string) ||
		    ops_parse_u64(json_object_get_string(v),
		    &il->v[il->n]) == -1) {
			snprintf(rp->rp_detail, sizeof(rp->rp_detail),
			    "ids[%zu] must be an id string", i);
			err = EINVAL;
		} else if (admin_scav_get(il->v[il->n], sc) != 0) {
			snprintf(rp->rp_detail, sizeof(rp->rp_detail),
			    "open %llu is not pending on the scavenger",
			    (unsigned long long)il->v[il->n]);
			err = ENOENT;
		} else
			il->n++;
	}
	free(sc);
	return err;
}

int
ops_scav_expire(const struct ops_req *rq, struct ops_reply *rp)
{
	struct ops_idlist il = { NULL, 0, 0 };
	struct json_object *o = NULL, *done = NULL;
	size_t i, j;
	bool dry;
	int err, bad = 0;

	if ((err = ops_dry_run(rq, rp, &dry)) != 0 ||
	    (err = body_check(rq->rq_body, ops_expire_fields,
	    NELEM(ops_expire_fields), rp->rp_detail,
	    sizeof(rp->rp_detail))) != 0 ||
	    (err = ops_expire_ids(rq, rp, &il)) != 0)
		goto out;
	if ((o = json_object_new_object()) == NULL ||
	    (done = json_object_new_array()) == NULL) {
		err = ENOMEM;
		goto out;
	}
	for (i = 0; i < il.n; i++) {
		/* The same id twice expires once. */
		for (j = 0; j < i && il.v[j] != il.v[i]; j++)
			continue;
		if (j < i || admin_scav_expire(il.v[i], dry,
		    ops_via(rq)) != 0)
			continue;
		bad |= json_object_array_add(done, enc_id(il.v[i]));
	}
	bad |= json_object_object_add(o, "dry_run",
	    json_object_new_boolean(dry));
	bad |= json_object_object_add(o, "expired", done);
	done = NULL;
	if (bad) {
		err = ENOMEM;
		goto out;
	}
	rp->rp_json = o;
	rp->rp_status = 200;
	o = NULL;
out:
	json_object_put(o);
	json_object_put(done);
	free(il.v);
	return err;
}

int
ops_scav_extend(const struct ops_req *rq, struct ops_reply *rp)
{
	struct admin_scav *sc;
	uint64_t id;
	int64_t ms;
	int err;

	if ((err = ops_path_id(rq, rp, &id)) != 0 ||
	    (err = body_check(rq->rq_body, ops_extend_fields,
	    NELEM(ops_extend_fields), rp->rp_detail,
	    sizeof(rp->rp_detail))) != 0 ||
	    (err = body_int(rq->rq_body, "remaining_ms", 1, OPS_EXTEND_MAX,
	    &ms, NULL, rp->rp_detail, sizeof(rp->rp_detail))) != 0)
		return err;
	if ((sc = malloc(sizeof(*sc))) == NULL)
		return ENOMEM;
	err = admin_scav_extend(id, (uint64_t)ms, ops_via(rq), sc);
	if (err == ENOENT)
		snprintf(rp->rp_detail, sizeof(rp->rp_detail), "open %llu is "
		    "not pending on the scavenger", (unsigned long long)id);
	else if (err == EALREADY)
		snprintf(rp->rp_detail, sizeof(rp->rp_detail), "the open "
		    "already has a later deadline; a deadline may move "
		    "later, never earlier");
	else if (err == 0 && (rp->rp_json = enc_scav(sc)) == NULL)
		err = ENOMEM;
	else if (err == 0)
		rp->rp_status = 200;
	free(sc);
	return err;
}
