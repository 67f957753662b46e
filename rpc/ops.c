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
#include <unistd.h>

#include "admin.h"
#include "enc.h"
#include "log.h"
#include "ops.h"

#define OPS_OPENAPI_MAX	(1024 * 1024)

static int	ops_healthz(const struct ops_req *, struct ops_reply *);
static int	ops_server(const struct ops_req *, struct ops_reply *);
static int	ops_openapi(const struct ops_req *, struct ops_reply *);

static const struct ops_route ops_table[] = {
	/* Liveness probes carry no secret, so no token either. */
	{ "GET",	"/healthz",		ops_healthz,	0 },
	{ "GET",	"/api/v1/server",	ops_server,	OPS_AUTH },
	{ "GET",	"/api/v1/openapi.yaml",	ops_openapi,	OPS_AUTH },
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
