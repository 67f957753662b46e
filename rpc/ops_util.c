/*
 * ops_util.c — what the REST handlers share (ops_int.h): query and path
 * parameters, paging, and the impact report of an action.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "enc.h"
#include "ops.h"
#include "ops_int.h"

const char *
ops_query(const struct ops_req *rq, const char *key)
{
	return rq->rq_query != NULL ? rq->rq_query(rq->rq_query_arg, key) :
	    NULL;
}

const char *
ops_header(const struct ops_req *rq, const char *name)
{
	return rq->rq_header != NULL ? rq->rq_header(rq->rq_query_arg,
	    name) : NULL;
}

const char *
ops_via(const struct ops_req *rq)
{
	return rq->rq_via != NULL ? rq->rq_via : "an unnamed listener";
}

/* Decimal digits only, as the API gives ids out, within 64 bits. */
int
ops_parse_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	unsigned int d;

	if (s == NULL || *s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		d = (unsigned int)(*s - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

/* The {id} of the path. */
int
ops_path_id(const struct ops_req *rq, struct ops_reply *rp, uint64_t *id)
{
	if (rq->rq_params.pa_n < 1 ||
	    ops_parse_u64(rq->rq_params.pa_val[0], id) == -1) {
		snprintf(rp->rp_detail, sizeof(rp->rp_detail), "ids are "
		    "decimal numbers, as this API gives them out");
		return EBADMSG;
	}
	return 0;
}

/* An optional id in the query string (a filter); 0 when absent. */
int
ops_query_id(const struct ops_req *rq, struct ops_reply *rp,
    const char *key, uint64_t *id)
{
	const char *v = ops_query(rq, key);

	*id = 0;
	if (v != NULL && ops_parse_u64(v, id) == -1) {
		snprintf(rp->rp_detail, sizeof(rp->rp_detail), "%s must be "
		    "a decimal id", key);
		return EBADMSG;
	}
	return 0;
}

/*
 * A boolean query parameter: true, 1 or bare ("?dry_run") is true;
 * false or 0 false; absent leaves *present false and *val false.
 */
int
ops_query_bool(const struct ops_req *rq, struct ops_reply *rp,
    const char *key, bool *val, bool *present)
{
	const char *v = ops_query(rq, key);

	*val = false;
	if (present != NULL)
		*present = v != NULL;
	if (v == NULL || strcmp(v, "false") == 0 || strcmp(v, "0") == 0)
		return 0;
	if (strcmp(v, "true") == 0 || strcmp(v, "1") == 0 || *v == '\0') {
		*val = true;
		return 0;
	}
	snprintf(rp->rp_detail, sizeof(rp->rp_detail),
	    "%s must be true or false", key);
	return EBADMSG;
}

int
ops_dry_run(const struct ops_req *rq, struct ops_reply *rp, bool *dry)
{
	return ops_query_bool(rq, rp, "dry_run", dry, NULL);
}

/*
 * limit: digits, else 400; 1 to OPS_LIMIT_MAX, else 422 (a number
 * understood but refused).
 */
int
ops_limit(const struct ops_req *rq, struct ops_reply *rp, size_t *limit)
{
	const char *v = ops_query(rq, "limit");
	uint64_t n;

	*limit = OPS_LIMIT_DEFAULT;
	if (v == NULL)
		return 0;
	if (ops_parse_u64(v, &n) == -1) {
		snprintf(rp->rp_detail, sizeof(rp->rp_detail),
		    "limit must be a number");
		return EBADMSG;
	}
	if (n < 1 || n > OPS_LIMIT_MAX) {
		snprintf(rp->rp_detail, sizeof(rp->rp_detail),
		    "limit must be 1 to %d", OPS_LIMIT_MAX);
		return EINVAL;
	}
	*limit = (size_t)n;
	return 0;
}

/*
 * The cursor of an id-ordered collection.  Opaque to clients; to us the
 * last id of the page before, so a page never repeats or skips an object
 * however the table changed in between.
 */
int
ops_cursor_id(const struct ops_req *rq, struct ops_reply *rp,
    uint64_t *after)
{
	const char *v = ops_query(rq, "cursor");

	*after = 0;
	if (v != NULL && ops_parse_u64(v, after) == -1) {
		snprintf(rp->rp_detail, sizeof(rp->rp_detail),
		    "not a cursor this server gave out");
		return EBADMSG;
	}
	return 0;
}


int
ops_page_init(struct ops_page *pg, size_t limit)
{
	memset(pg, 0, sizeof(*pg));
	pg->limit = limit;
	if ((pg->items = json_object_new_array()) == NULL)
		return ENOMEM;
	return 0;
}

/*
 * Called before encoding an item: a full page stops the listing, and
 * that there was one more item is what makes a next cursor.
 */
bool
ops_page_full(struct ops_page *pg)
{
	if (pg->n < pg->limit)
		return false;
	pg->more = true;
	return true;
}

/* Takes o (NULL: out of memory); non-zero stops the listing. */
int
ops_page_add(struct ops_page *pg, struct json_object *o, const char *cur)
{
	if (o == NULL || json_object_array_add(pg->items, o) != 0) {
		json_object_put(o);
		pg->err = ENOMEM;
		return 1;
	}
	pg->n++;
	snprintf(pg->last, sizeof(pg->last), "%s", cur);
	return 0;
}

int
ops_page_add_id(struct ops_page *pg, struct json_object *o, uint64_t id)
{
	char cur[24];

	snprintf(cur, sizeof(cur), "%llu", (unsigned long long)id);
	return ops_page_add(pg, o, cur);
}

/* {"items": [...], "next_cursor": "..." or null}; takes the items. */
struct json_object *
ops_page_json(struct ops_page *pg)
{
	struct json_object *o;
	int bad = 0;

	if (pg->err != 0 || (o = json_object_new_object()) == NULL) {
		json_object_put(pg->items);
		pg->items = NULL;
		return NULL;
	}
	bad |= json_object_object_add(o, "items", pg->items);
	pg->items = NULL;
	bad |= json_object_object_add(o, "next_cursor", pg->more ?
	    json_object_new_string(pg->last) : NULL);
	if (bad) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

int
ops_page_reply(struct ops_page *pg, struct ops_reply *rp)
{
	if ((rp->rp_json = ops_page_json(pg)) == NULL)
		return ENOMEM;
	rp->rp_status = 200;
	return 0;
}


static const char *const ops_impact_names[ADMIN_NKINDS] = {
	[ADMIN_CONN] = "connections",
	[ADMIN_SESSION] = "sessions",
	[ADMIN_TREE] = "trees",
	[ADMIN_OPEN] = "opens",
	[ADMIN_KEPT] = "kept",
};

int
ops_impact_init(struct ops_impact *im)
{
	int k;

	memset(im, 0, sizeof(*im));
	for (k = 0; k < ADMIN_NKINDS; k++)
		if ((im->ids[k] = json_object_new_array()) == NULL)
			return ENOMEM;
	return 0;
}

void
ops_impact_free(struct ops_impact *im)
{
	int k;

	for (k = 0; k < ADMIN_NKINDS; k++)
		json_object_put(im->ids[k]);
	memset(im, 0, sizeof(*im));
}

int
ops_impact_cb(enum admin_kind k, uint64_t id, void *arg)
{
	struct ops_impact *im = arg;

	if ((unsigned int)k >= ADMIN_NKINDS)
		return 0;
	im->count[k]++;
	if (im->count[k] > OPS_IMPACT_MAX) {
		im->truncated = true;
		return 0;
	}
	if (json_object_array_add(im->ids[k], enc_id(id)) != 0)
		im->err = ENOMEM;
	return 0;
}

/*
 * {"dry_run", what: record, "impact": {"connections": [ids], "sessions",
 * "trees", "opens", "counts": {...}, "truncated"}}.  Takes record.
 */
int
ops_impact_reply(struct ops_impact *im, bool dry, const char *what,
    struct json_object *record, struct ops_reply *rp)
{
	struct json_object *o = NULL, *imp = NULL, *counts = NULL;
	int bad = 0, k;

	if (im->err != 0 || record == NULL ||
	    (o = json_object_new_object()) == NULL ||
	    (imp = json_object_new_object()) == NULL ||
	    (counts = json_object_new_object()) == NULL) {
		json_object_put(record);
		json_object_put(o);
		json_object_put(imp);
		return ENOMEM;
	}
	for (k = 0; k < ADMIN_NKINDS; k++) {
		bad |= json_object_object_add(imp, ops_impact_names[k],
		    im->ids[k]);
		im->ids[k] = NULL;
		bad |= json_object_object_add(counts, ops_impact_names[k],
		    json_object_new_uint64(im->count[k]));
	}
	bad |= json_object_object_add(imp, "counts", counts);
	bad |= json_object_object_add(imp, "truncated",
	    json_object_new_boolean(im->truncated));
	bad |= json_object_object_add(o, "dry_run",
	    json_object_new_boolean(dry));
	bad |= json_object_object_add(o, what, record);
	bad |= json_object_object_add(o, "impact", imp);
	if (bad) {
		json_object_put(o);
		return ENOMEM;
	}
	rp->rp_json = o;
	rp->rp_status = 200;
	return 0;
}

void
ops_location(struct ops_reply *rp, const char *prefix, const char *name)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n, len = sizeof(rp->rp_location);
	const unsigned char *p;

	n = (size_t)snprintf(rp->rp_location, len, "%s", prefix);
	/* RFC 3986 unreserved characters stay; the rest is %XX. */
	for (p = (const unsigned char *)name; *p != '\0' && n + 4 < len;
	    p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~", *p) != NULL)
			rp->rp_location[n++] = (char)*p;
		else {
			rp->rp_location[n++] = '%';
			rp->rp_location[n++] = hex[*p >> 4];
			rp->rp_location[n++] = hex[*p & 15];
		}
	}
	rp->rp_location[n < len ? n : len - 1] = '\0';
}
