/*
 * ops.c — the REST API's route table and its handlers (see ops.h).
 *
 * Every operation of the API is one row of ops_table; rpc/openapi.yaml
 * describes exactly these rows.  A new resource adds rows here and its
 * handlers, which read the server through admin.h and encode with enc.c.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "admin.h"
#include "enc.h"
#include "log.h"
#include "ops.h"
#include "web.h"

#define OPS_OPENAPI_MAX	(1024 * 1024)

static int	ops_healthz(const struct ops_req *, struct ops_reply *);
static int	ops_server(const struct ops_req *, struct ops_reply *);
static int	ops_openapi(const struct ops_req *, struct ops_reply *);
static int	ops_statistics(const struct ops_req *, struct ops_reply *);
static int	ops_conns(const struct ops_req *, struct ops_reply *);
static int	ops_conn_get(const struct ops_req *, struct ops_reply *);
static int	ops_conn_delete(const struct ops_req *, struct ops_reply *);
static int	ops_sessions(const struct ops_req *, struct ops_reply *);
static int	ops_session_get(const struct ops_req *, struct ops_reply *);
static int	ops_session_delete(const struct ops_req *, struct ops_reply *);
static int	ops_trees(const struct ops_req *, struct ops_reply *);
static int	ops_tree_get(const struct ops_req *, struct ops_reply *);
static int	ops_tree_delete(const struct ops_req *, struct ops_reply *);
static int	ops_opens(const struct ops_req *, struct ops_reply *);
static int	ops_open_get(const struct ops_req *, struct ops_reply *);
static int	ops_open_delete(const struct ops_req *, struct ops_reply *);
static int	ops_shares(const struct ops_req *, struct ops_reply *);
static int	ops_events(const struct ops_req *, struct ops_reply *);

static const struct ops_route ops_table[] = {
	/* Liveness probes carry no secret, so no token either. */
	{ "GET",	"/healthz",		ops_healthz,	0 },
	{ "GET",	"/api/v1/server",	ops_server,	OPS_AUTH },
	{ "GET",	"/api/v1/openapi.yaml",	ops_openapi,	OPS_AUTH },
	{ "GET",	"/api/v1/statistics",	ops_statistics,	OPS_AUTH },
	{ "GET",	"/api/v1/connections",	ops_conns,	OPS_AUTH },
	{ "GET",	"/api/v1/connections/{id}", ops_conn_get, OPS_AUTH },
	{ "DELETE",	"/api/v1/connections/{id}", ops_conn_delete,
	    OPS_AUTH },
	{ "GET",	"/api/v1/sessions",	ops_sessions,	OPS_AUTH },
	{ "GET",	"/api/v1/sessions/{id}", ops_session_get, OPS_AUTH },
	{ "DELETE",	"/api/v1/sessions/{id}", ops_session_delete,
	    OPS_AUTH },
	{ "GET",	"/api/v1/trees",	ops_trees,	OPS_AUTH },
	{ "GET",	"/api/v1/trees/{id}",	ops_tree_get,	OPS_AUTH },
	{ "DELETE",	"/api/v1/trees/{id}",	ops_tree_delete, OPS_AUTH },
	{ "GET",	"/api/v1/opens",	ops_opens,	OPS_AUTH },
	{ "GET",	"/api/v1/opens/{id}",	ops_open_get,	OPS_AUTH },
	{ "DELETE",	"/api/v1/opens/{id}",	ops_open_delete, OPS_AUTH },
	{ "GET",	"/api/v1/shares",	ops_shares,	OPS_AUTH },
	{ "GET",	"/api/v1/events",	ops_events,	OPS_AUTH },
	/* The web UI's static files (rpc/web.c); the API still needs a token. */
	{ "GET",	"/",			web_get,	0 },
	{ "GET",	"/web/{file}",		web_get,	0 },
};

#define OPS_NROUTES	(sizeof(ops_table) / sizeof(ops_table[0]))

/*
 * Where the OpenAPI document is looked for, relative to the folder of the
 * running binary: bin/ in the source tree (and BUILD/bin, BUILD/unit one
 * level deeper), then PREFIX/sbin of an installed copy.
 */
static const char *const ops_openapi_where[] = {
	"../rpc/openapi.yaml",
	"../../rpc/openapi.yaml",
	"../share/smbsrvd/openapi.yaml",
};

static struct {
	char	*doc;
	size_t	 len;
	char	*path;
} ops_openapi_doc;

const struct ops_route *
ops_routes(size_t *np)
{
	*np = OPS_NROUTES;
	return ops_table;
}

bool
ops_pattern_match(const char *pat, const char *path, struct ops_params *pa)
{
	size_t plen, slen;

	pa->pa_n = 0;
	while (*pat == '/' && *path == '/') {
		pat++;
		path++;
		plen = strcspn(pat, "/");
		slen = strcspn(path, "/");
		if (plen >= 2 && pat[0] == '{' && pat[plen - 1] == '}') {
			if (slen == 0 || slen > OPS_PARAM_LEN ||
			    pa->pa_n == OPS_PARAM_MAX)
				return false;
			memcpy(pa->pa_val[pa->pa_n], path, slen);
			pa->pa_val[pa->pa_n][slen] = '\0';
			pa->pa_n++;
		} else if (plen != slen || memcmp(pat, path, slen) != 0)
			return false;
		pat += plen;
		path += slen;
	}
	return *pat == '\0' && *path == '\0';
}

static bool
ops_method_match(const char *want, const char *method)
{
	if (strcmp(want, method) == 0)
		return true;
	/* The HTTP server drops the body of a HEAD reply itself. */
	return strcmp(want, "GET") == 0 && strcmp(method, "HEAD") == 0;
}

/* Appends m to the comma-separated list unless it is there already. */
static void
ops_allow_add(char *allow, size_t len, const char *m)
{
	const char *p = allow;
	size_t mlen = strlen(m), have = strlen(allow);

	while ((p = strstr(p, m)) != NULL) {
		if ((p == allow || p[-1] == ' ') &&
		    (p[mlen] == ',' || p[mlen] == '\0'))
			return;
		p += mlen;
	}
	snprintf(allow + have, len - have, "%s%s", have ? ", " : "", m);
}

enum ops_match
ops_match(const char *method, const char *path,
    const struct ops_route **route, struct ops_params *pa, char *allow,
    size_t allowlen)
{
	struct ops_params scratch;
	bool path_known = false;
	size_t i;

	*route = NULL;
	pa->pa_n = 0;
	if (allowlen > 0)
		allow[0] = '\0';
	if (strnlen(path, OPS_PATH_MAX + 1) > OPS_PATH_MAX)
		return OPS_NO_PATH;
	for (i = 0; i < OPS_NROUTES; i++) {
		if (!ops_pattern_match(ops_table[i].ro_pattern, path, &scratch))
			continue;
		if (ops_method_match(ops_table[i].ro_method, method)) {
			*route = &ops_table[i];
			*pa = scratch;
			return OPS_FOUND;
		}
		path_known = true;
		if (allowlen > 0) {
			ops_allow_add(allow, allowlen, ops_table[i].ro_method);
			if (strcmp(ops_table[i].ro_method, "GET") == 0)
				ops_allow_add(allow, allowlen, "HEAD");
		}
	}
	return path_known ? OPS_NO_METHOD : OPS_NO_PATH;
}

void
ops_reply_free(struct ops_reply *rp)
{
	if (rp->rp_json != NULL)
		json_object_put(rp->rp_json);
	rp->rp_json = NULL;
	if (rp->rp_stream != NULL)
		rp->rp_stream->os_free(rp->rp_stream);
	rp->rp_stream = NULL;
}

static int
ops_healthz(const struct ops_req *rq, struct ops_reply *rp)
{
	(void)rq;
	if ((rp->rp_json = json_object_new_object()) == NULL ||
	    json_object_object_add(rp->rp_json, "status",
	    json_object_new_string("ok")) != 0)
		return ENOMEM;
	rp->rp_status = 200;
	return 0;
}

static int
ops_server(const struct ops_req *rq, struct ops_reply *rp)
{
	struct admin_server as;
	int err;

	(void)rq;
	memset(&as, 0, sizeof(as));
	if ((err = admin_server_info(&as)) != 0)
		return err;
	if ((rp->rp_json = enc_server(&as)) == NULL)
		return ENOMEM;
	rp->rp_status = 200;
	return 0;
}

static int
ops_openapi(const struct ops_req *rq, struct ops_reply *rp)
{
	(void)rq;
	if (ops_openapi_doc.doc == NULL) {
		snprintf(rp->rp_detail, sizeof(rp->rp_detail),
		    "openapi.yaml is not installed with this server");
		return ENOENT;
	}
	rp->rp_status = 200;
	rp->rp_data = ops_openapi_doc.doc;
	rp->rp_len = ops_openapi_doc.len;
	rp->rp_type = "application/yaml";
	return 0;
}

/* ---- what the admin routes share ---- */

#define OPS_EMBED_MAX	100	/* trees, opens inside GET sessions/{id} */
#define OPS_IMPACT_MAX	1000	/* ids listed per kind by a DELETE */
#define OPS_CURSOR_LEN	96

static const char *
ops_query(const struct ops_req *rq, const char *key)
{
	return rq->rq_query != NULL ? rq->rq_query(rq->rq_query_arg, key) :
	    NULL;
}

static const char *
ops_header(const struct ops_req *rq, const char *name)
{
	return rq->rq_header != NULL ? rq->rq_header(rq->rq_query_arg,
	    name) : NULL;
}

static const char *
ops_via(const struct ops_req *rq)
{
	return rq->rq_via != NULL ? rq->rq_via : "an unnamed listener";
}

/* Decimal digits only, as the API gives ids out, within 64 bits. */
static int
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
static int
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
static int
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

static int
ops_dry_run(const struct ops_req *rq, struct ops_reply *rp, bool *dry)
{
	const char *v = ops_query(rq, "dry_run");

	*dry = false;
	if (v == NULL || strcmp(v, "false") == 0 || strcmp(v, "0") == 0)
		return 0;
	if (strcmp(v, "true") == 0 || strcmp(v, "1") == 0 || *v == '\0') {
		*dry = true;
		return 0;
	}
	snprintf(rp->rp_detail, sizeof(rp->rp_detail),
	    "dry_run must be true or false");
	return EBADMSG;
}

/*
 * limit: digits, else 400; 1 to OPS_LIMIT_MAX, else 422 (a number
 * understood but refused).
 */
static int
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
static int
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

/* One page of a collection being filled by an admin_*_list() callback. */
struct ops_page {
	struct json_object	*items;
	size_t			 limit;
	size_t			 n;
	bool			 more;
	int			 err;
	char			 last[OPS_CURSOR_LEN];	/* of the last item */
};

static int
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
static bool
ops_page_full(struct ops_page *pg)
{
	if (pg->n < pg->limit)
		return false;
	pg->more = true;
	return true;
}

/* Takes o (NULL: out of memory); non-zero stops the listing. */
static int
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

static int
ops_page_add_id(struct ops_page *pg, struct json_object *o, uint64_t id)
{
	char cur[24];

	snprintf(cur, sizeof(cur), "%llu", (unsigned long long)id);
	return ops_page_add(pg, o, cur);
}

/* {"items": [...], "next_cursor": "..." or null}; takes the items. */
static struct json_object *
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

static int
ops_page_reply(struct ops_page *pg, struct ops_reply *rp)
{
	if ((rp->rp_json = ops_page_json(pg)) == NULL)
		return ENOMEM;
	rp->rp_status = 200;
	return 0;
}

static int
ops_conn_cb(const struct admin_conn *ac, void *arg)
{
	struct ops_page *pg = arg;

	if (ops_page_full(pg))
		return 1;
	return ops_page_add_id(pg, enc_conn(ac), ac->id);
}

static int
ops_session_cb(const struct admin_session *as, void *arg)
{
	struct ops_page *pg = arg;

	if (ops_page_full(pg))
		return 1;
	return ops_page_add_id(pg, enc_session(as), as->id);
}

static int
ops_tree_cb(const struct admin_tree *at, void *arg)
{
	struct ops_page *pg = arg;

	if (ops_page_full(pg))
		return 1;
	return ops_page_add_id(pg, enc_tree(at), at->id);
}

static int
ops_open_cb(const struct admin_open *ao, void *arg)
{
	struct ops_page *pg = arg;

	if (ops_page_full(pg))
		return 1;
	return ops_page_add_id(pg, enc_open(ao), ao->id);
}

static int
ops_share_cb(const struct admin_share *ash, void *arg)
{
	struct ops_page *pg = arg;

	if (ops_page_full(pg))
		return 1;
	return ops_page_add(pg, enc_share(ash), ash->name);
}

/*
 * What a DELETE closes (or, with dry_run, would close): the ids of every
 * kind, at most OPS_IMPACT_MAX of each listed, all of them counted.
 */
struct ops_impact {
	struct json_object	*ids[4];	/* by enum admin_kind */
	uint64_t		 count[4];
	bool			 truncated;
	int			 err;
};

static const char *const ops_impact_names[4] = {
	[ADMIN_CONN] = "connections",
	[ADMIN_SESSION] = "sessions",
	[ADMIN_TREE] = "trees",
	[ADMIN_OPEN] = "opens",
};

static int
ops_impact_init(struct ops_impact *im)
{
	int k;

	memset(im, 0, sizeof(*im));
	for (k = 0; k < 4; k++)
		if ((im->ids[k] = json_object_new_array()) == NULL)
			return ENOMEM;
	return 0;
}

static void
ops_impact_free(struct ops_impact *im)
{
	int k;

	for (k = 0; k < 4; k++)
		json_object_put(im->ids[k]);
	memset(im, 0, sizeof(*im));
}

static int
ops_impact_cb(enum admin_kind k, uint64_t id, void *arg)
{
	struct ops_impact *im = arg;

	if ((unsigned int)k >= 4)
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
static int
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
	for (k = 0; k < 4; k++) {
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

/* ---- statistics ---- */

static int
ops_statistics(const struct ops_req *rq, struct ops_reply *rp)
{
	struct admin_stats st;
	int err;

	(void)rq;
	if ((err = admin_statistics(&st)) != 0)
		return err;
	if ((rp->rp_json = enc_statistics(&st)) == NULL)
		return ENOMEM;
	rp->rp_status = 200;
	return 0;
}

/* ---- connections ---- */

static int
ops_conns(const struct ops_req *rq, struct ops_reply *rp)
{
	struct ops_page pg;
	uint64_t after;
	size_t limit;
	int err;

	if ((err = ops_limit(rq, rp, &limit)) != 0 ||
	    (err = ops_cursor_id(rq, rp, &after)) != 0 ||
	    (err = ops_page_init(&pg, limit)) != 0)
		return err;
	(void)admin_conn_list(after, ops_conn_cb, &pg);
	return ops_page_reply(&pg, rp);
}

static int
ops_conn_get(const struct ops_req *rq, struct ops_reply *rp)
{
	struct admin_conn ac;
	uint64_t id;
	int err;

	if ((err = ops_path_id(rq, rp, &id)) != 0 ||
	    (err = admin_conn_get(id, &ac)) != 0)
		return err;
	if ((rp->rp_json = enc_conn(&ac)) == NULL)
		return ENOMEM;
	rp->rp_status = 200;
	return 0;
}

static int
ops_conn_delete(const struct ops_req *rq, struct ops_reply *rp)
{
	struct ops_impact im;
	struct admin_conn ac;
	uint64_t id;
	bool dry;
	int err;

	if ((err = ops_path_id(rq, rp, &id)) != 0 ||
	    (err = ops_dry_run(rq, rp, &dry)) != 0 ||
	    (err = admin_conn_get(id, &ac)) != 0)
		return err;
	if ((err = ops_impact_init(&im)) == 0 &&
	    (err = admin_conn_drop(id, dry, ops_via(rq), ops_impact_cb,
	    &im)) == 0)
		err = ops_impact_reply(&im, dry, "connection", enc_conn(&ac),
		    rp);
	ops_impact_free(&im);
	return err;
}

/* ---- sessions ---- */

static int
ops_sessions(const struct ops_req *rq, struct ops_reply *rp)
{
	struct admin_session_filter f;
	struct ops_page pg;
	uint64_t after;
	size_t limit;
	int err;

	if ((err = ops_limit(rq, rp, &limit)) != 0 ||
	    (err = ops_cursor_id(rq, rp, &after)) != 0)
		return err;
	memset(&f, 0, sizeof(f));
	f.user = ops_query(rq, "user");
	f.client = ops_query(rq, "client");
	f.dialect = ops_query(rq, "dialect");
	if ((err = ops_page_init(&pg, limit)) != 0)
		return err;
	(void)admin_session_list(&f, after, ops_session_cb, &pg);
	return ops_page_reply(&pg, rp);
}

/*
 * {"session": record, "trees": page, "opens": page}: the first
 * OPS_EMBED_MAX of each; their next_cursor continues at
 * /api/v1/trees?session=ID and /api/v1/opens?session=ID.
 */
static int
ops_session_get(const struct ops_req *rq, struct ops_reply *rp)
{
	struct admin_session as;
	struct ops_page tp, op;
	struct json_object *o;
	uint64_t id;
	int err, bad = 0;

	if ((err = ops_path_id(rq, rp, &id)) != 0 ||
	    (err = admin_session_get(id, &as)) != 0)
		return err;
	if ((err = ops_page_init(&tp, OPS_EMBED_MAX)) != 0)
		return err;
	if ((err = ops_page_init(&op, OPS_EMBED_MAX)) != 0) {
		json_object_put(tp.items);
		return err;
	}
	if ((err = admin_session_trees(id, 0, ops_tree_cb, &tp)) != 0 ||
	    (err = admin_session_opens(id, 0, ops_open_cb, &op)) != 0 ||
	    (o = json_object_new_object()) == NULL) {
		json_object_put(tp.items);
		json_object_put(op.items);
		return err != 0 ? err : ENOMEM;
	}
	bad |= json_object_object_add(o, "session", enc_session(&as));
	bad |= json_object_object_add(o, "trees", ops_page_json(&tp));
	bad |= json_object_object_add(o, "opens", ops_page_json(&op));
	if (bad || json_object_object_get(o, "session") == NULL ||
	    json_object_object_get(o, "trees") == NULL ||
	    json_object_object_get(o, "opens") == NULL) {
		json_object_put(o);
		return ENOMEM;
	}
	rp->rp_json = o;
	rp->rp_status = 200;
	return 0;
}

static int
ops_session_delete(const struct ops_req *rq, struct ops_reply *rp)
{
	struct admin_session as;
	struct ops_impact im;
	uint64_t id;
	bool dry;
	int err;

	if ((err = ops_path_id(rq, rp, &id)) != 0 ||
	    (err = ops_dry_run(rq, rp, &dry)) != 0 ||
	    (err = admin_session_get(id, &as)) != 0)
		return err;
	if ((err = ops_impact_init(&im)) == 0 &&
	    (err = admin_session_close(id, dry, ops_via(rq), ops_impact_cb,
	    &im)) == 0)
		err = ops_impact_reply(&im, dry, "session", enc_session(&as),
		    rp);
	ops_impact_free(&im);
	return err;
}

/* ---- tree connects ---- */

static int
ops_trees(const struct ops_req *rq, struct ops_reply *rp)
{
	struct admin_tree_filter f;
	struct ops_page pg;
	uint64_t after;
	size_t limit;
	int err;

	memset(&f, 0, sizeof(f));
	if ((err = ops_limit(rq, rp, &limit)) != 0 ||
	    (err = ops_cursor_id(rq, rp, &after)) != 0 ||
	    (err = ops_query_id(rq, rp, "session", &f.session)) != 0)
		return err;
	f.share = ops_query(rq, "share");
	f.user = ops_query(rq, "user");
	f.client = ops_query(rq, "client");
	if ((err = ops_page_init(&pg, limit)) != 0)
		return err;
	(void)admin_tree_list(&f, after, ops_tree_cb, &pg);
	return ops_page_reply(&pg, rp);
}

static int
ops_tree_get(const struct ops_req *rq, struct ops_reply *rp)
{
	struct admin_tree at;
	uint64_t id;
	int err;

	if ((err = ops_path_id(rq, rp, &id)) != 0 ||
	    (err = admin_tree_get(id, &at)) != 0)
		return err;
	if ((rp->rp_json = enc_tree(&at)) == NULL)
		return ENOMEM;
	rp->rp_status = 200;
	return 0;
}

static int
ops_tree_delete(const struct ops_req *rq, struct ops_reply *rp)
{
	struct ops_impact im;
	struct admin_tree at;
	uint64_t id;
	bool dry;
	int err;

	if ((err = ops_path_id(rq, rp, &id)) != 0 ||
	    (err = ops_dry_run(rq, rp, &dry)) != 0 ||
	    (err = admin_tree_get(id, &at)) != 0)
		return err;
	if ((err = ops_impact_init(&im)) == 0 &&
	    (err = admin_tree_close(id, dry, ops_via(rq), ops_impact_cb,
	    &im)) == 0)
		err = ops_impact_reply(&im, dry, "tree", enc_tree(&at), rp);
	ops_impact_free(&im);
	return err;
}

/* ---- opens ---- */

static int
ops_opens(const struct ops_req *rq, struct ops_reply *rp)
{
	struct admin_open_filter f;
	struct ops_page pg;
	uint64_t after;
	size_t limit;
	int err;

	memset(&f, 0, sizeof(f));
	if ((err = ops_limit(rq, rp, &limit)) != 0 ||
	    (err = ops_cursor_id(rq, rp, &after)) != 0 ||
	    (err = ops_query_id(rq, rp, "session", &f.session)) != 0)
		return err;
	f.share = ops_query(rq, "share");
	f.user = ops_query(rq, "user");
	f.path = ops_query(rq, "path");
	if ((err = ops_page_init(&pg, limit)) != 0)
		return err;
	if ((err = admin_open_list(&f, after, ops_open_cb, &pg)) != 0) {
		json_object_put(pg.items);
		return err;
	}
	return ops_page_reply(&pg, rp);
}

/* The open records carry two paths: too big for a handler's frame. */
static int
ops_open_get(const struct ops_req *rq, struct ops_reply *rp)
{
	struct admin_open *ao;
	uint64_t id;
	int err;

	if ((err = ops_path_id(rq, rp, &id)) != 0)
		return err;
	if ((ao = malloc(sizeof(*ao))) == NULL)
		return ENOMEM;
	if ((err = admin_open_get(id, ao)) == 0) {
		if ((rp->rp_json = enc_open(ao)) == NULL)
			err = ENOMEM;
		else
			rp->rp_status = 200;
	}
	free(ao);
	return err;
}

static int
ops_open_delete(const struct ops_req *rq, struct ops_reply *rp)
{
	struct ops_impact im;
	struct admin_open *ao;
	uint64_t id;
	bool dry;
	int err;

	if ((err = ops_path_id(rq, rp, &id)) != 0 ||
	    (err = ops_dry_run(rq, rp, &dry)) != 0)
		return err;
	if ((ao = malloc(sizeof(*ao))) == NULL)
		return ENOMEM;
	if ((err = admin_open_get(id, ao)) != 0) {
		free(ao);
		return err;
	}
	if ((err = ops_impact_init(&im)) == 0 &&
	    (err = admin_open_close(id, dry, ops_via(rq), ops_impact_cb,
	    &im)) == 0)
		err = ops_impact_reply(&im, dry, "open", enc_open(ao), rp);
	ops_impact_free(&im);
	free(ao);
	return err;
}

/* ---- shares ---- */

/* The cursor of shares is the last name: ShareList has no ids. */
static int
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

/* ---- events ---- */

/*
 * A server-sent event stream (WHATWG HTML, "Server-sent events"): one
 * "id: SEQ" and "data: JSON" frame per record, so a client resumes with
 * Last-Event-ID.  When the ring has moved past what the client had, an
 * id-less frame of type "events.missed" says how many records it lost.
 */
struct ops_evstream {
	struct ops_stream	 es_os;		/* first: http.c holds this */
	uint64_t		 es_seq;	/* last seq framed */
	char			*es_buf;	/* framed, not yet read */
	size_t			 es_len;
	size_t			 es_off;
	bool			 es_hello;
};

struct ops_evone {
	struct json_object	*o;
	uint64_t		 seq;
	bool			 bad;
};

static int
ops_evone_cb(const struct event *ev, void *arg)
{
	struct ops_evone *one = arg;

	one->seq = ev->ev_seq;
	if ((one->o = enc_event(ev)) == NULL)
		one->bad = true;
	return 1;		/* one at a time */
}

/* Frames what is new into es_buf: 1, 0 when nothing is, -1 on ENOMEM. */
static int
ops_evstream_fill(struct ops_evstream *es)
{
	struct ops_evone one;
	char head[192];
	const char *json = "";
	uint64_t missed, after = es->es_seq;
	int n;

	free(es->es_buf);
	es->es_buf = NULL;
	es->es_len = es->es_off = 0;
	head[0] = '\0';
	if (!es->es_hello) {
		/* At once, so the client has the headers before any event. */
		es->es_hello = true;
		snprintf(head, sizeof(head), ": smbsrvd events after %llu\n"
		    "retry: 3000\n\n", (unsigned long long)es->es_seq);
		if ((es->es_buf = strdup(head)) == NULL)
			return -1;
		es->es_len = strlen(head);
		return 1;
	}
	memset(&one, 0, sizeof(one));
	missed = admin_events_since(es->es_seq, ops_evone_cb, &one);
	if (one.bad)
		return -1;
	if (missed > 0)
		snprintf(head, sizeof(head), "data: {\"type\":"
		    "\"events.missed\",\"missed\":%llu,\"after\":%llu,"
		    "\"first_seq\":%llu}\n\n", (unsigned long long)missed,
		    (unsigned long long)after,
		    (unsigned long long)admin_events_first_seq());
	if (one.o == NULL && missed == 0)
		return 0;
	if (one.o != NULL) {
		json = json_object_to_json_string_ext(one.o,
		    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
		es->es_seq = one.seq;
	} else
		es->es_seq = admin_events_first_seq() - 1;
	n = one.o != NULL ? asprintf(&es->es_buf, "%sid: %llu\ndata: %s\n\n",
	    head, (unsigned long long)one.seq, json != NULL ? json : "null") :
	    asprintf(&es->es_buf, "%s", head);
	json_object_put(one.o);
	if (n < 0) {
		es->es_buf = NULL;
		return -1;
	}
	es->es_len = (size_t)n;
	return 1;
}

static size_t
ops_evstream_read(struct ops_stream *os, char *buf, size_t max)
{
	struct ops_evstream *es = (struct ops_evstream *)os;
	size_t done = 0, n;
	int r;

	while (done < max) {
		if (es->es_off == es->es_len) {
			if ((r = ops_evstream_fill(es)) == -1)
				return done > 0 ? done : OPS_STREAM_END;
			if (r == 0)
				break;
		}
		n = es->es_len - es->es_off;
		if (n > max - done)
			n = max - done;
		memcpy(buf + done, es->es_buf + es->es_off, n);
		es->es_off += n;
		done += n;
	}
	return done;
}

static void
ops_evstream_free(struct ops_stream *os)
{
	struct ops_evstream *es = (struct ops_evstream *)os;

	free(es->es_buf);
	free(es);
}

static struct events_sub	 ops_wake_sub;
static void			(*ops_wake_fn)(void *);
static void			*ops_wake_arg;

static void
ops_wake_cb(uint64_t last, void *arg)
{
	(void)last;
	(void)arg;
	if (ops_wake_fn != NULL)
		ops_wake_fn(ops_wake_arg);
}

void
ops_stream_wakeup(void (*fn)(void *), void *arg)
{
	ops_wake_fn = fn;
	ops_wake_arg = arg;
	if (fn != NULL)
		admin_events_subscribe(&ops_wake_sub, ops_wake_cb, NULL);
	else
		admin_events_unsubscribe(&ops_wake_sub);
}

struct ops_evlist {
	struct json_object	*items;
	size_t			 limit;
	size_t			 n;
	uint64_t		 last;
	int			 err;
};

static int
ops_evlist_cb(const struct event *ev, void *arg)
{
	struct ops_evlist *el = arg;
	struct json_object *o;

	if (el->n == el->limit)
		return 1;
	if ((o = enc_event(ev)) == NULL ||
	    json_object_array_add(el->items, o) != 0) {
		json_object_put(o);
		el->err = ENOMEM;
		return 1;
	}
	el->n++;
	el->last = ev->ev_seq;
	return 0;
}

/*
 * GET events: the backlog after since as JSON, or with Accept:
 * text/event-stream a stream that starts after Last-Event-ID, else after
 * since, else at the newest record.  A since beyond the newest seq comes
 * from an earlier run of the server (seq starts at 1 at every start):
 * everything held is new to that client.
 */
static int
ops_events(const struct ops_req *rq, struct ops_reply *rp)
{
	struct ops_evstream *es;
	struct ops_evlist el;
	struct json_object *o;
	const char *accept = ops_header(rq, "Accept");
	const char *lei = ops_header(rq, "Last-Event-ID");
	const char *since_s = ops_query(rq, "since");
	uint64_t since = 0, missed, last;
	size_t limit;
	bool stream;
	int err, bad = 0;

	stream = strcmp(rq->rq_method, "GET") == 0 && accept != NULL &&
	    strcasestr(accept, "text/event-stream") != NULL;
	if ((err = ops_limit(rq, rp, &limit)) != 0)
		return err;
	if (since_s != NULL && ops_parse_u64(since_s, &since) == -1) {
		snprintf(rp->rp_detail, sizeof(rp->rp_detail),
		    "since must be an event seq (a decimal number)");
		return EBADMSG;
	}
	if (stream && lei != NULL && ops_parse_u64(lei, &since) == -1) {
		snprintf(rp->rp_detail, sizeof(rp->rp_detail),
		    "Last-Event-ID must be an event seq (a decimal number)");
		return EBADMSG;
	}
	last = admin_events_last_seq();
	if (stream && lei == NULL && since_s == NULL)
		since = last;
	if (since > last)
		since = 0;

	if (stream) {
		if ((es = calloc(1, sizeof(*es))) == NULL)
			return ENOMEM;
		es->es_os.os_read = ops_evstream_read;
		es->es_os.os_free = ops_evstream_free;
		es->es_seq = since;
		rp->rp_stream = &es->es_os;
		rp->rp_type = "text/event-stream";
		rp->rp_status = 200;
		return 0;
	}

	memset(&el, 0, sizeof(el));
	el.limit = limit;
	el.last = since;
	if ((el.items = json_object_new_array()) == NULL)
		return ENOMEM;
	missed = admin_events_since(since, ops_evlist_cb, &el);
	if (el.err != 0 || (o = json_object_new_object()) == NULL) {
		json_object_put(el.items);
		return ENOMEM;
	}
	bad |= json_object_object_add(o, "items", el.items);
	bad |= json_object_object_add(o, "missed",
	    json_object_new_uint64(missed));
	bad |= json_object_object_add(o, "first_seq",
	    json_object_new_uint64(admin_events_first_seq()));
	bad |= json_object_object_add(o, "last_seq",
	    json_object_new_uint64(last));
	bad |= json_object_object_add(o, "next_since",
	    json_object_new_uint64(el.last));
	if (bad) {
		json_object_put(o);
		return ENOMEM;
	}
	rp->rp_json = o;
	rp->rp_status = 200;
	return 0;
}

/* Reads a whole regular file of at most max bytes; NULL with errno. */
static char *
ops_slurp(const char *path, size_t max, size_t *lenp)
{
	struct stat st;
	char *buf = NULL;
	size_t have = 0;
	ssize_t n;
	int fd, saved;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return NULL;
	if (fstat(fd, &st) == -1)
		goto fail;
	if (!S_ISREG(st.st_mode) || st.st_size < 0 ||
	    (size_t)st.st_size > max) {
		errno = S_ISREG(st.st_mode) ? EFBIG : EINVAL;
		goto fail;
	}
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL)
		goto fail;
	while (have < (size_t)st.st_size) {
		n = read(fd, buf + have, (size_t)st.st_size - have);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			goto fail;
		if (n == 0)
			break;
		have += (size_t)n;
	}
	buf[have] = '\0';
	close(fd);
	*lenp = have;
	return buf;
fail:
	saved = errno;
	free(buf);
	close(fd);
	errno = saved;
	return NULL;
}

void
ops_init(void)
{
	char exe[PATH_MAX], path[PATH_MAX + 64], *slash;
	ssize_t n;
	size_t i, len;
	char *doc;

	ops_free();
	if ((n = readlink("/proc/self/exe", exe, sizeof(exe) - 1)) == -1) {
		log_warn("ops: cannot find my own binary");
		return;
	}
	exe[n] = '\0';
	if ((slash = strrchr(exe, '/')) != NULL)
		*slash = '\0';
	for (i = 0; i < sizeof(ops_openapi_where) /
	    sizeof(ops_openapi_where[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", exe,
		    ops_openapi_where[i]);
		if ((doc = ops_slurp(path, OPS_OPENAPI_MAX, &len)) == NULL) {
			if (errno != ENOENT && errno != ENOTDIR)
				log_warn("ops: %s", path);
			continue;
		}
		ops_openapi_doc.doc = doc;
		ops_openapi_doc.len = len;
		if ((ops_openapi_doc.path = realpath(path, NULL)) == NULL)
			ops_openapi_doc.path = strdup(path);
		log_debug("ops: openapi document %s",
		    ops_openapi_doc.path != NULL ? ops_openapi_doc.path : path);
		return;
	}
	log_info("ops: no openapi.yaml near %s; "
	    "GET /api/v1/openapi.yaml will answer 404", exe);
}

void
ops_free(void)
{
	free(ops_openapi_doc.doc);
	free(ops_openapi_doc.path);
	ops_openapi_doc.doc = NULL;
	ops_openapi_doc.path = NULL;
	ops_openapi_doc.len = 0;
}

const char *
ops_openapi_path(void)
{
	return ops_openapi_doc.path;
}
