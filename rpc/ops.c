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
#include "http.h"
#include "log.h"
#include "ops.h"
#include "ops_int.h"
#include "slurp.h"
#include "web.h"

#define OPS_OPENAPI_MAX	(1024 * 1024)

static int	ops_healthz(const struct ops_req *, struct ops_reply *);
static int	ops_server(const struct ops_req *, struct ops_reply *);
static int	ops_openapi(const struct ops_req *, struct ops_reply *);
static int	ops_openapi_json(const struct ops_req *, struct ops_reply *);
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

static const struct ops_route ops_table[] = {
	/* Liveness probes carry no secret, so no token either. */
	{ "GET",	"/healthz",		ops_healthz,	0 },
	{ "GET",	"/api/v1/server",	ops_server,	OPS_AUTH },
	{ "GET",	"/api/v1/openapi.yaml",	ops_openapi,	OPS_AUTH },
	{ "GET",	"/api/v1/openapi.json",	ops_openapi_json, OPS_AUTH },
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
	{ "POST",	"/api/v1/shares",	ops_share_post,
	    OPS_AUTH | OPS_BODY },
	{ "GET",	"/api/v1/shares/{name}", ops_share_get,	OPS_AUTH },
	{ "PATCH",	"/api/v1/shares/{name}", ops_share_patch,
	    OPS_AUTH | OPS_BODY },
	{ "DELETE",	"/api/v1/shares/{name}", ops_share_delete,
	    OPS_AUTH },
	{ "GET",	"/api/v1/users",	ops_users,	OPS_AUTH },
	{ "POST",	"/api/v1/users",	ops_user_post,
	    OPS_AUTH | OPS_BODY },
	{ "GET",	"/api/v1/users/{name}",	ops_user_get,	OPS_AUTH },
	{ "PATCH",	"/api/v1/users/{name}",	ops_user_patch,
	    OPS_AUTH | OPS_BODY },
	{ "DELETE",	"/api/v1/users/{name}",	ops_user_delete, OPS_AUTH },
	{ "GET",	"/api/v1/scavenger",	ops_scavenger,	OPS_AUTH },
	{ "POST",	"/api/v1/scavenger/expire", ops_scav_expire,
	    OPS_AUTH | OPS_BODY_OPT },
	{ "POST",	"/api/v1/scavenger/{id}/extend", ops_scav_extend,
	    OPS_AUTH | OPS_BODY },
	{ "GET",	"/api/v1/events",	ops_events,	OPS_AUTH },
	{ "GET",	"/metrics",		ops_metrics,	OPS_AUTH },
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
	char	*json;		/* openapi.json beside it (make openapi) */
	size_t	 jsonlen;
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
	free(rp->rp_buf);
	rp->rp_buf = NULL;
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
	struct http_tcp_info hi;
	int err;

	(void)rq;
	memset(&as, 0, sizeof(as));
	if ((err = admin_server_info(&as)) != 0)
		return err;
	http_tcp_info(&hi);
	if ((rp->rp_json = enc_server(&as)) == NULL)
		return ENOMEM;
	if (enc_server_tcp(rp->rp_json, &hi) == -1)
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

static int
ops_openapi_json(const struct ops_req *rq, struct ops_reply *rp)
{
	(void)rq;
	if (ops_openapi_doc.json == NULL) {
		snprintf(rp->rp_detail, sizeof(rp->rp_detail),
		    "openapi.json is not installed with this server");
		return ENOENT;
	}
	rp->rp_status = 200;
	rp->rp_data = ops_openapi_doc.json;
	rp->rp_len = ops_openapi_doc.jsonlen;
	rp->rp_type = "application/json";
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
	bool dry, keep;
	int err;

	if ((err = ops_path_id(rq, rp, &id)) != 0 ||
	    (err = ops_dry_run(rq, rp, &dry)) != 0 ||
	    (err = ops_query_bool(rq, rp, "keep_durable", &keep, NULL)) != 0 ||
	    (err = admin_session_get(id, &as)) != 0)
		return err;
	if ((err = ops_impact_init(&im)) == 0 &&
	    (err = admin_session_close(id, dry, keep, ops_via(rq),
	    ops_impact_cb, &im)) == 0)
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

/* A boolean query parameter as a three-way filter member. */
static int
ops_tristate(const struct ops_req *rq, struct ops_reply *rp,
    const char *key, enum admin_tristate *t)
{
	bool val, present;
	int err;

	if ((err = ops_query_bool(rq, rp, key, &val, &present)) != 0)
		return err;
	*t = !present ? ADMIN_ANY : val ? ADMIN_YES : ADMIN_NO;
	return 0;
}

/* state=active|detached, as the open records name their state. */
static int
ops_open_state(const struct ops_req *rq, struct ops_reply *rp,
    enum admin_tristate *detached)
{
	const char *v = ops_query(rq, "state");

	*detached = ADMIN_ANY;
	if (v == NULL)
		return 0;
	if (strcmp(v, "active") == 0)
		*detached = ADMIN_NO;
	else if (strcmp(v, "detached") == 0)
		*detached = ADMIN_YES;
	else {
		snprintf(rp->rp_detail, sizeof(rp->rp_detail),
		    "state must be active or detached");
		return EINVAL;
	}
	return 0;
}

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
	if ((err = ops_open_state(rq, rp, &f.detached)) != 0 ||
	    (err = ops_tristate(rq, rp, "durable", &f.durable)) != 0 ||
	    (err = ops_tristate(rq, rp, "resilient", &f.resilient)) != 0)
		return err;
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
		if ((doc = slurp(path, OPS_OPENAPI_MAX, &len)) == NULL) {
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
		/* The JSON copy sits beside it: ".yaml" becomes ".json". */
		memcpy(path + strlen(path) - 4, "json", 4);
		if ((ops_openapi_doc.json = slurp(path, OPS_OPENAPI_MAX,
		    &ops_openapi_doc.jsonlen)) == NULL)
			log_warn("ops: %s", path);
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
	free(ops_openapi_doc.json);
	memset(&ops_openapi_doc, 0, sizeof(ops_openapi_doc));
}

const char *
ops_openapi_path(void)
{
	return ops_openapi_doc.path;
}
