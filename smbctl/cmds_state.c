/*
 * cmds_state.c — the live state: status, server, sessions, tree
 * connects, opens, connections, and who holds a file.
 *
 * Lists fetch every page (smbctl_list); filters the API has travel as
 * query parameters, the rest (--disconnected, --durable, open who's
 * exact path) are applied here to the records the API returned.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smbctl.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static const struct out_col session_cols[] = {
	{ "id", "id", FMT_STR },
	{ "user", "user", FMT_STR },
	{ "client", "client", FMT_STR },
	{ "dialect", "dialect", FMT_STR },
	{ "state", "state", FMT_STR },
	{ "trees", "trees", FMT_INT },
	{ "opens", "opens", FMT_INT },
	{ "connected", "connected_ms", FMT_DURATION },
	{ "idle", "idle_ms", FMT_DURATION },
	{ "encrypted", "encrypted", FMT_BOOL },
	{ "guest", "guest", FMT_BOOL },
};

static const struct out_col tree_cols[] = {
	{ "id", "id", FMT_STR },
	{ "session", "session_id", FMT_STR },
	{ "share", "share", FMT_STR },
	{ "user", "user", FMT_STR },
	{ "client", "client", FMT_STR },
	{ "opens", "opens", FMT_INT },
	{ "connected", "connected_ms", FMT_DURATION },
	{ "encrypted", "encrypted", FMT_BOOL },
};

static const struct out_col open_cols[] = {
	{ "id", "id", FMT_STR },
	{ "session", "session_id", FMT_STR },
	{ "state", "state", FMT_STR },
	{ "share", "share", FMT_STR },
	{ "path", "path", FMT_PATH },
	{ "user", "user", FMT_STR },
	{ "client", "client", FMT_STR },
	{ "access", "permissions", FMT_STR },
	{ "oplock", "oplock_level_names", FMT_NAMES },
	{ "locks", "locks", FMT_INT },
	{ "open", "open_ms", FMT_DURATION },
};

static const struct out_col conn_cols[] = {
	{ "id", "id", FMT_STR },
	{ "client", "client", FMT_STR },
	{ "server", "server", FMT_STR },
	{ "dialect", "dialect", FMT_STR },
	{ "state", "state", FMT_STR },
	{ "sessions", "sessions", FMT_INT },
	{ "connected", "connected_ms", FMT_DURATION },
	{ "messages", "messages_in", FMT_INT },
};

/* "?a=x&b=y" from the options that are set; "" if none.  free() it. */
static char *
query_from(const struct cmd_args *a, const char *const *opts,
    const char *const *params, size_t n)
{
	char *q = NULL, *nq, *esc;
	const char *v;
	size_t i;

	if ((q = strdup("")) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		if ((v = cmds_value(a, opts[i])) == NULL)
			continue;
		if ((esc = smbctl_escape(v)) == NULL ||
		    asprintf(&nq, "%s%c%s=%s", q, q[0] ? '&' : '?', params[i],
		    esc) == -1) {
			free(esc);
			free(q);
			return NULL;
		}
		free(esc);
		free(q);
		q = nq;
	}
	return q;
}

int
cmd_server(struct smbctl *sc, const struct cmd_args *a)
{
	return smbctl_show(sc, a, "/api/v1/server", "server");
}

#define STATUS_ROWS	20	/* rows of each table on the one screen */

/* The first page of a collection: its items and whether more follow. */
static struct json_object *
status_page(struct smbctl *sc, const char *path, const char *what,
    bool *more)
{
	struct smbctl_reply r;
	struct json_object *items, *next;

	if (smbctl_call(sc, "GET", path, NULL, what, false, &r) == -1)
		return NULL;
	items = out_member(r.sr_obj, "items");
	if (items == NULL || !json_object_is_type(items, json_type_array)) {
		fprintf(stderr, "%s: %s: the reply has no items\n",
		    smbctl_prog(), what);
		smbctl_reply_free(&r);
		return NULL;
	}
	next = out_member(r.sr_obj, "next_cursor");
	*more = next != NULL && json_object_is_type(next, json_type_string);
	json_object_get(items);
	smbctl_reply_free(&r);
	return items;
}

/* A table of the first rows, and how to see the rest. */
static int
status_table(struct smbctl *sc, const struct cmd_args *a,
    const struct out_col *cols, size_t ncols, struct json_object *items,
    bool more, uint64_t total, const char *list)
{
	size_t n = json_object_array_length(items);
	int rv;

	if (n == 0)
		return SMBCTL_OK;
	printf("\n");
	rv = out_table(sc, &a->ca_out, cols, ncols, items);
	if (more && total > n)
		printf("\u2026 and %llu more: smbctl %s\n",
		    (unsigned long long)(total - n), list);
	return rv;
}

int
cmd_status(struct smbctl *sc, const struct cmd_args *a)
{
	static const struct out_col scols[] = {
		{ "session", "id", FMT_STR },
		{ "user", "user", FMT_STR },
		{ "client", "client", FMT_STR },
		{ "dialect", "dialect", FMT_STR },
		{ "trees", "trees", FMT_INT },
		{ "opens", "opens", FMT_INT },
		{ "idle", "idle_ms", FMT_DURATION },
	};
	static const struct out_col ocols[] = {
		{ "open", "id", FMT_STR },
		{ "session", "session_id", FMT_STR },
		{ "state", "state", FMT_STR },
		{ "share", "share", FMT_STR },
		{ "path", "path", FMT_PATH },
		{ "user", "user", FMT_STR },
		{ "oplock", "oplock_level_names", FMT_NAMES },
		{ "locks", "locks", FMT_INT },
	};
	struct smbctl_reply srv, st, scav;
	struct json_object *sessions = NULL, *opens = NULL, *all;
	char up[64], buf[64], path[64];
	uint64_t v, n[4];
	int rv = SMBCTL_ERR;
	bool have_scav, smore = false, omore = false;

	memset(&scav, 0, sizeof(scav));
	if (smbctl_call(sc, "GET", "/api/v1/server", NULL, "server", false,
	    &srv) == -1)
		return SMBCTL_ERR;
	if (smbctl_call(sc, "GET", "/api/v1/statistics", NULL, "statistics",
	    false, &st) == -1) {
		smbctl_reply_free(&srv);
		return SMBCTL_ERR;
	}
	snprintf(path, sizeof(path), "/api/v1/sessions?limit=%d",
	    STATUS_ROWS);
	if ((sessions = status_page(sc, path, "sessions", &smore)) == NULL)
		goto out;
	snprintf(path, sizeof(path), "/api/v1/opens?limit=%d", STATUS_ROWS);
	if ((opens = status_page(sc, path, "opens", &omore)) == NULL)
		goto out;
	/* A server without the scavenger route still has a status. */
	have_scav = smbctl_call(sc, "GET", "/api/v1/scavenger?limit=1", NULL,
	    "scavenger", true, &scav) == 0;
	if (!have_scav && scav.sr_status != 404)
		goto out;
	if (a->ca_out.oo_json) {
		if ((all = json_object_new_object()) == NULL)
			goto out;
		json_object_object_add(all, "server",
		    json_object_get(srv.sr_obj));
		json_object_object_add(all, "statistics",
		    json_object_get(st.sr_obj));
		json_object_object_add(all, "sessions",
		    json_object_get(sessions));
		json_object_object_add(all, "opens", json_object_get(opens));
		json_object_object_add(all, "scavenger", have_scav ?
		    json_object_get(scav.sr_obj) : NULL);
		out_json(all);
		json_object_put(all);
		rv = SMBCTL_OK;
		goto out;
	}
	if (!out_uint(srv.sr_obj, "uptime_ms", &v))
		v = 0;
	out_duration(up, sizeof(up), v);
	printf("server:    %s, smbsrvd %s, up %s\n",
	    out_string(srv.sr_obj, "name") ? out_string(srv.sr_obj, "name") :
	    "?", out_string(srv.sr_obj, "version") ?
	    out_string(srv.sr_obj, "version") : "?", up);
	if (!out_uint(st.sr_obj, "connections", &n[0]))
		n[0] = 0;
	if (!out_uint(st.sr_obj, "sessions", &n[1]))
		n[1] = 0;
	if (!out_uint(st.sr_obj, "trees", &n[2]))
		n[2] = 0;
	if (!out_uint(st.sr_obj, "opens", &n[3]))
		n[3] = 0;
	printf("now:       %llu connections, %llu sessions, %llu tree "
	    "connects, %llu opens\n", (unsigned long long)n[0],
	    (unsigned long long)n[1], (unsigned long long)n[2],
	    (unsigned long long)n[3]);
	if (out_uint(st.sr_obj, "bytes_received", &v)) {
		out_size(buf, sizeof(buf), v);
		printf("traffic:   %s in, ", buf);
		if (!out_uint(st.sr_obj, "bytes_sent", &v))
			v = 0;
		out_size(buf, sizeof(buf), v);
		printf("%s out\n", buf);
	}
	if (have_scav) {
		if (!out_uint(scav.sr_obj, "pending", &v))
			v = 0;
		printf("scavenger: %llu open%s waiting for a reconnect",
		    (unsigned long long)v, v == 1 ? "" : "s");
		if (out_uint(scav.sr_obj, "durable_timer.remaining_ms", &v)) {
			out_duration(buf, sizeof(buf), v);
			printf(", the next expires in %s", buf);
		}
		printf("\n");
	} else
		printf("scavenger: not reported by this server\n");
	if ((rv = status_table(sc, a, scols, NELEM(scols), sessions, smore,
	    n[1], "session list")) == SMBCTL_OK)
		rv = status_table(sc, a, ocols, NELEM(ocols), opens, omore,
		    n[3], "open list");
out:
	json_object_put(sessions);
	json_object_put(opens);
	smbctl_reply_free(&srv);
	smbctl_reply_free(&st);
	smbctl_reply_free(&scav);
	return rv;
}

int
cmd_session_list(struct smbctl *sc, const struct cmd_args *a)
{
	return smbctl_list(sc, a, "/api/v1/sessions", "sessions",
	    session_cols, NELEM(session_cols), NULL, NULL);
}

/* Path and message name for one object: "/api/v1/sessions/12". */
static int
one(const struct cmd_args *a, const char *coll, const char *kind,
    char *path, size_t plen, char *what, size_t wlen)
{
	int rv;

	if ((rv = smbctl_check_id(a, a->ca_argv[0])) != SMBCTL_OK)
		return rv;
	snprintf(path, plen, "/api/v1/%s/%s", coll, a->ca_argv[0]);
	snprintf(what, wlen, "%s %s", kind, a->ca_argv[0]);
	return SMBCTL_OK;
}

int
cmd_session_show(struct smbctl *sc, const struct cmd_args *a)
{
	static const struct out_col tcols[] = {
		{ "tree", "id", FMT_STR },
		{ "share", "share", FMT_STR },
		{ "opens", "opens", FMT_INT },
		{ "connected", "connected_ms", FMT_DURATION },
	};
	struct smbctl_reply r;
	struct json_object *trees, *opens;
	struct out_opts oo = { false, false, false, NULL };
	char path[128], what[64];
	int rv;

	if ((rv = one(a, "sessions", "session", path, sizeof(path), what,
	    sizeof(what))) != SMBCTL_OK)
		return rv;
	if (smbctl_call(sc, "GET", path, NULL, what, false, &r) == -1)
		return SMBCTL_ERR;
	if (a->ca_out.oo_json) {
		out_json(r.sr_obj);
		smbctl_reply_free(&r);
		return SMBCTL_OK;
	}
	out_record(stdout, out_member(r.sr_obj, "session"), 0);
	trees = out_member(r.sr_obj, "trees.items");
	opens = out_member(r.sr_obj, "opens.items");
	if (trees != NULL && json_object_is_type(trees, json_type_array) &&
	    json_object_array_length(trees) > 0) {
		printf("\n");
		out_table(sc, &oo, tcols, NELEM(tcols), trees);
	}
	if (opens != NULL && json_object_is_type(opens, json_type_array) &&
	    json_object_array_length(opens) > 0) {
		printf("\n");
		out_table(sc, &oo, open_cols, NELEM(open_cols), opens);
	}
	smbctl_reply_free(&r);
	return SMBCTL_OK;
}

int
cmd_session_close(struct smbctl *sc, const struct cmd_args *a)
{
	char path[128], what[64];
	int rv;

	if ((rv = one(a, "sessions", "session", path, sizeof(path), what,
	    sizeof(what))) != SMBCTL_OK)
		return rv;
	return smbctl_action(sc, a, "DELETE", path,
	    cmds_flag(a, "keep-durable") ? "keep_durable=true" : NULL, NULL,
	    what);
}

int
cmd_tree_list(struct smbctl *sc, const struct cmd_args *a)
{
	static const char *const opts[] = { "session", "share", "user" };
	char path[1024], *q;
	int rv;

	if (cmds_value(a, "session") != NULL &&
	    (rv = smbctl_check_id(a, cmds_value(a, "session"))) != SMBCTL_OK)
		return rv;
	if ((q = query_from(a, opts, opts, NELEM(opts))) == NULL)
		return SMBCTL_ERR;
	snprintf(path, sizeof(path), "/api/v1/trees%s", q);
	free(q);
	return smbctl_list(sc, a, path, "trees", tree_cols, NELEM(tree_cols),
	    NULL, NULL);
}

int
cmd_tree_show(struct smbctl *sc, const struct cmd_args *a)
{
	char path[128], what[64];
	int rv;

	if ((rv = one(a, "trees", "tree", path, sizeof(path), what,
	    sizeof(what))) != SMBCTL_OK)
		return rv;
	return smbctl_show(sc, a, path, what);
}

int
cmd_tree_close(struct smbctl *sc, const struct cmd_args *a)
{
	char path[128], what[64];
	int rv;

	if ((rv = one(a, "trees", "tree", path, sizeof(path), what,
	    sizeof(what))) != SMBCTL_OK)
		return rv;
	return smbctl_action(sc, a, "DELETE", path, NULL, NULL, what);
}

/*
 * What open who keeps of the API's prefix match: the path itself or what
 * is beneath it ("a/b" must not find "a/bc").
 */
struct open_filter {
	const char *of_path;
};

static bool
open_keep(struct json_object *o, const void *arg)
{
	const struct open_filter *f = arg;
	const char *p;
	size_t len;

	if (f->of_path == NULL)
		return true;
	if ((p = out_string(o, "path")) == NULL)
		return false;
	len = strlen(f->of_path);
	return len == 0 || (strncmp(p, f->of_path, len) == 0 &&
	    (p[len] == '\0' || p[len] == '/'));
}

int
cmd_open_list(struct smbctl *sc, const struct cmd_args *a)
{
	static const char *const opts[] = { "session", "share", "user" };
	char path[1024], *q;
	int rv;

	if (cmds_value(a, "session") != NULL &&
	    (rv = smbctl_check_id(a, cmds_value(a, "session"))) != SMBCTL_OK)
		return rv;
	if ((q = query_from(a, opts, opts, NELEM(opts))) == NULL)
		return SMBCTL_ERR;
	/* The API filters, so every page is full and --limit means it. */
	snprintf(path, sizeof(path), "/api/v1/opens%s%s%s", q,
	    cmds_flag(a, "disconnected") ? (q[0] ? "&state=detached" :
	    "?state=detached") : "",
	    cmds_flag(a, "durable") ? (q[0] || cmds_flag(a, "disconnected") ?
	    "&durable=true" : "?durable=true") : "");
	free(q);
	return smbctl_list(sc, a, path, "opens", open_cols, NELEM(open_cols),
	    NULL, NULL);
}

int
cmd_open_show(struct smbctl *sc, const struct cmd_args *a)
{
	char path[128], what[64];
	int rv;

	if ((rv = one(a, "opens", "open", path, sizeof(path), what,
	    sizeof(what))) != SMBCTL_OK)
		return rv;
	return smbctl_show(sc, a, path, what);
}

int
cmd_open_close(struct smbctl *sc, const struct cmd_args *a)
{
	char path[128], what[64];
	int rv;

	if ((rv = one(a, "opens", "open", path, sizeof(path), what,
	    sizeof(what))) != SMBCTL_OK)
		return rv;
	return smbctl_action(sc, a, "DELETE", path, NULL, NULL, what);
}

/*
 * Who holds PATH: every open of it (or beneath it, for a directory),
 * each with its session, client, user, access, share modes, oplock or
 * lease, locks and durable state, as GET /api/v1/opens joins them.
 */
int
cmd_open_who(struct smbctl *sc, const struct cmd_args *a)
{
	struct json_object *all = NULL, *kept = NULL, *res;
	struct open_filter f = { NULL };
	char *norm, *esc = NULL, *sesc = NULL, *url = NULL, *p;
	const char *share = cmds_value(a, "share");
	size_t i, n, len;
	int rv = SMBCTL_ERR;

	/* As the API keeps it: "/" separators, no leading one. */
	if ((norm = strdup(a->ca_argv[0])) == NULL)
		return SMBCTL_ERR;
	for (p = norm; *p != '\0'; p++)
		if (*p == '\\')
			*p = '/';
	p = norm + strspn(norm, "/");
	len = strlen(p);
	while (len > 0 && p[len - 1] == '/')
		p[--len] = '\0';
	f.of_path = p;
	if ((esc = smbctl_escape(p)) == NULL ||
	    (share != NULL && (sesc = smbctl_escape(share)) == NULL) ||
	    asprintf(&url, "/api/v1/opens?path=%s%s%s", esc,
	    sesc ? "&share=" : "", sesc ? sesc : "") == -1) {
		url = NULL;
		goto out;
	}
	if (smbctl_get_all(sc, url, "opens", &all) == -1 ||
	    (kept = json_object_new_array()) == NULL)
		goto out;
	n = json_object_array_length(all);
	for (i = 0; i < n; i++) {
		struct json_object *o = json_object_array_get_idx(all, i);

		if (open_keep(o, &f))
			json_object_array_add(kept, json_object_get(o));
	}
	n = json_object_array_length(kept);
	if (a->ca_out.oo_json) {
		if ((res = json_object_new_object()) == NULL)
			goto out;
		json_object_object_add(res, "path",
		    json_object_new_string(p));
		json_object_object_add(res, "items", json_object_get(kept));
		out_json(res);
		json_object_put(res);
		rv = SMBCTL_OK;
		goto out;
	}
	if (n == 0)
		printf("nobody has %s%s%s open\n", share ? share : "",
		    share ? ":" : "", p[0] ? p : "(share root)");
	for (i = 0; i < n; i++) {
		struct json_object *o = json_object_array_get_idx(kept, i);

		printf("%sopen %s\n", i ? "\n" : "", out_string(o, "id") ?
		    out_string(o, "id") : "?");
		out_record(stdout, o, 2);
	}
	rv = SMBCTL_OK;
out:
	json_object_put(all);
	json_object_put(kept);
	free(norm);
	free(esc);
	free(sesc);
	free(url);
	return rv;
}

int
cmd_conn_list(struct smbctl *sc, const struct cmd_args *a)
{
	return smbctl_list(sc, a, "/api/v1/connections", "connections",
	    conn_cols, NELEM(conn_cols), NULL, NULL);
}

int
cmd_conn_show(struct smbctl *sc, const struct cmd_args *a)
{
	char path[128], what[64];
	int rv;

	if ((rv = one(a, "connections", "connection", path, sizeof(path),
	    what, sizeof(what))) != SMBCTL_OK)
		return rv;
	return smbctl_show(sc, a, path, what);
}

int
cmd_conn_drop(struct smbctl *sc, const struct cmd_args *a)
{
	char path[128], what[64];
	int rv;

	if ((rv = one(a, "connections", "connection", path, sizeof(path),
	    what, sizeof(what))) != SMBCTL_OK)
		return rv;
	return smbctl_action(sc, a, "DELETE", path, NULL, NULL, what);
}
