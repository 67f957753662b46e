/*
 * test_http.c — the REST API's HTTP server in process: the real loop, the
 * real MHD daemons on a Unix socket in a temporary folder and on a TCP
 * port of 127.0.0.1, and a raw HTTP client in this same process that pumps
 * loop_once() while it waits.  admin_server_info() is the real one, over
 * a server set up here on the fake clock.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "conf.h"
#include "fake_clock.h"
#include "http.h"
#include "log.h"
#include "loop.h"
#include "ops.h"
#include "server.h"

#define PUMP_MAX	400	/* loop iterations per request, 10 ms each */

struct resp {
	int		 status;
	char		 head[8192];
	char		*body;
	size_t		 blen;
};

static char		 tmpdir[64];
static char		 sockpath[128];
static char		 tokpath[128];
static struct conf	 cf;

static void
resp_free(struct resp *r)
{
	free(r->body);
	r->body = NULL;
}

static int
free_port(void)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int fd, port;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	port = ntohs(sin.sin_port);
	close(fd);
	return port;
}

static void
set_tcp(struct conf *c, int port)
{
	struct sockaddr_in *sin;

	memset(&c->cf_admin_listen, 0, sizeof(c->cf_admin_listen));
	sin = (struct sockaddr_in *)&c->cf_admin_listen.ca_ss;
	snprintf(c->cf_admin_listen.ca_text, sizeof(c->cf_admin_listen.ca_text),
	    "127.0.0.1:%d", port);
	sin->sin_family = AF_INET;
	sin->sin_port = htons((uint16_t)port);
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	c->cf_admin_listen.ca_sslen = sizeof(*sin);
	c->cf_admin_listen_on = true;
}

static char	hostname[64];

static int
setup(void **state)
{
	(void)state;
	log_init("test_http", 1, LOG_LVL_ERR);
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_http.XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	snprintf(sockpath, sizeof(sockpath), "%s/smbsrvd.sock", tmpdir);
	snprintf(tokpath, sizeof(tokpath), "%s/admin.token", tmpdir);
	memset(&cf, 0, sizeof(cf));
	TAILQ_INIT(&cf.cf_shares);
	cf.cf_state_dir = tmpdir;
	cf.cf_admin_socket = sockpath;
	cf.cf_admin_token_file = tokpath;
	set_tcp(&cf, free_port());
	snprintf(cf.cf_smb_listen[0].ca_text, sizeof(cf.cf_smb_listen[0].ca_text),
	    "0.0.0.0:445");
	snprintf(cf.cf_smb_listen[1].ca_text, sizeof(cf.cf_smb_listen[1].ca_text),
	    "[::]:445");
	cf.cf_nsmb_listen = 2;
	/* Started at 2026-11-18T11:06:40.250Z, up for 61 s. */
	fake_clock_set(1000250);
	server_init();
	server.sv_conf = &cf;
	fake_clock_advance(61000);
	if (gethostname(hostname, sizeof(hostname) - 1) == -1)
		snprintf(hostname, sizeof(hostname), "localhost");
	assert_int_equal(loop_init(), 0);
	return 0;
}

static int
teardown(void **state)
{
	DIR *d;
	struct dirent *de;
	char p[64 + 256];

	(void)state;
	http_stop();
	loop_free();
	if ((d = opendir(tmpdir)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (de->d_name[0] == '.')
				continue;
			snprintf(p, sizeof(p), "%s/%s", tmpdir, de->d_name);
			unlink(p);
		}
		closedir(d);
	}
	rmdir(tmpdir);
	return 0;
}

static void
make_sun(struct sockaddr_un *sun, const char *path)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	assert_true(strlen(path) < sizeof(sun->sun_path));
	memcpy(sun->sun_path, path, strlen(path) + 1);
}

static int
connect_unix(const char *path)
{
	struct sockaddr_un sun;
	int fd;

	make_sun(&sun, path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1)
		return -1;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

static int
connect_tcp(const struct conf *c)
{
	int fd;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return -1;
	if (connect(fd, (const struct sockaddr *)&c->cf_admin_listen.ca_ss,
	    c->cf_admin_listen.ca_sslen) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * Sends req (len bytes) and reads until the server closes, pumping the
 * loop between partial writes and reads: server and client share the
 * thread.  Returns 0 when a whole reply came, -1 otherwise.
 */
static int
roundtrip_fd(int fd, const char *req, size_t len, struct resp *r)
{
	char buf[65536], *all = NULL, *p;
	size_t have = 0, sent = 0;
	ssize_t n;
	int i, eof = 0;

	memset(r, 0, sizeof(*r));
	r->status = -1;
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	for (i = 0; i < PUMP_MAX && !eof; i++) {
		if (sent < len) {
			n = send(fd, req + sent, len - sent, MSG_NOSIGNAL);
			if (n > 0)
				sent += (size_t)n;
			else if (n == -1 && errno != EAGAIN)
				sent = len;	/* server hung up early */
		}
		loop_once(10);
		for (;;) {
			n = recv(fd, buf, sizeof(buf), 0);
			if (n == 0 || (n == -1 && errno != EAGAIN &&
			    errno != EINTR)) {
				eof = 1;
				break;
			}
			if (n == -1)
				break;
			all = realloc(all, have + (size_t)n + 1);
			assert_non_null(all);
			memcpy(all + have, buf, (size_t)n);
			have += (size_t)n;
			all[have] = '\0';
		}
	}
	close(fd);
	if (all == NULL)
		return -1;
	if ((p = strstr(all, "\r\n\r\n")) == NULL ||
	    (size_t)(p - all) >= sizeof(r->head)) {
		free(all);
		return -1;
	}
	memcpy(r->head, all, (size_t)(p - all) + 2);
	r->head[p - all + 2] = '\0';
	sscanf(all, "HTTP/1.%*d %d", &r->status);
	r->blen = have - (size_t)(p + 4 - all);
	r->body = malloc(r->blen + 1);
	assert_non_null(r->body);
	memcpy(r->body, p + 4, r->blen);
	r->body[r->blen] = '\0';
	free(all);
	return eof ? 0 : -1;
}

static void
roundtrip(int fd, const char *req, struct resp *r)
{
	assert_true(fd >= 0);
	assert_int_equal(roundtrip_fd(fd, req, strlen(req), r), 0);
}

/* The value of header name in r, or NULL; points into a static buffer. */
static const char *
header(const struct resp *r, const char *name)
{
	static char val[1024];
	const char *p = r->head;
	size_t nlen = strlen(name), vlen;

	while ((p = strstr(p, "\r\n")) != NULL) {
		p += 2;
		if (strncasecmp(p, name, nlen) == 0 && p[nlen] == ':') {
			p += nlen + 1;
			while (*p == ' ')
				p++;
			vlen = strcspn(p, "\r");
			if (vlen >= sizeof(val))
				vlen = sizeof(val) - 1;
			memcpy(val, p, vlen);
			val[vlen] = '\0';
			return val;
		}
	}
	return NULL;
}

static void
assert_problem(const struct resp *r, int status)
{
	struct json_object *o, *v;

	assert_int_equal(r->status, status);
	assert_string_equal(header(r, "Content-Type"),
	    "application/problem+json");
	assert_string_equal(header(r, "Cache-Control"), "no-store");
	o = json_tokener_parse(r->body);
	assert_non_null(o);
	assert_true(json_object_object_get_ex(o, "status", &v));
	assert_int_equal(json_object_get_int(v), status);
	assert_true(json_object_object_get_ex(o, "type", &v));
	assert_true(json_object_object_get_ex(o, "title", &v));
	assert_true(json_object_object_get_ex(o, "detail", &v));
	assert_true(json_object_get_string_len(v) > 0);
	json_object_put(o);
}

static void
read_token(char *buf, size_t len)
{
	FILE *f;

	f = fopen(tokpath, "r");
	assert_non_null(f);
	assert_non_null(fgets(buf, (int)len, f));
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
}

static int
count_fds(void)
{
	DIR *d;
	struct dirent *de;
	int n = 0;

	d = opendir("/proc/self/fd");
	assert_non_null(d);
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

static int
count_threads(void)
{
	DIR *d;
	struct dirent *de;
	int n = 0;

	d = opendir("/proc/self/task");
	assert_non_null(d);
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

static void
test_ops_match_finds_exact_route(void **state)
{
	const struct ops_route *ro;
	struct ops_params pa;
	char allow[OPS_ALLOW_LEN];

	(void)state;
	assert_int_equal(ops_match("GET", "/api/v1/server", &ro, &pa, allow,
	    sizeof(allow)), OPS_FOUND);
	assert_string_equal(ro->ro_pattern, "/api/v1/server");
	assert_true(ro->ro_flags & OPS_AUTH);
	assert_int_equal(pa.pa_n, 0);
	assert_int_equal(ops_match("HEAD", "/api/v1/server", &ro, &pa, allow,
	    sizeof(allow)), OPS_FOUND);
	assert_int_equal(ops_match("GET", "/healthz", &ro, &pa, allow,
	    sizeof(allow)), OPS_FOUND);
	assert_false(ro->ro_flags & OPS_AUTH);
}

static void
test_ops_match_tells_404_from_405(void **state)
{
	static const char *const nopath[] = {
		/* "/" is the web UI's page (rpc/web.c, test_web.c). */
		"", "/api", "/api/v1", "/api/v1/", "/api/v1/server/",
		"/api/v1/server/x", "/api/v1//server", "//api/v1/server",
		"/API/v1/server", "/api/v1/serverx", "api/v1/server",
		"/healthz/", "/api/v2/server",
	};
	const struct ops_route *ro;
	struct ops_params pa;
	char allow[OPS_ALLOW_LEN];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(nopath) / sizeof(nopath[0]); i++)
		assert_int_equal(ops_match("GET", nopath[i], &ro, &pa, allow,
		    sizeof(allow)), OPS_NO_PATH);
	assert_int_equal(ops_match("POST", "/api/v1/server", &ro, &pa, allow,
	    sizeof(allow)), OPS_NO_METHOD);
	assert_null(ro);
	assert_string_equal(allow, "GET, HEAD");
	/* Methods are case-sensitive (RFC 9110 9.1). */
	assert_int_equal(ops_match("get", "/healthz", &ro, &pa, allow,
	    sizeof(allow)), OPS_NO_METHOD);
}

static void
test_ops_match_refuses_overlong_path(void **state)
{
	const struct ops_route *ro;
	struct ops_params pa;
	char allow[OPS_ALLOW_LEN], *path;

	(void)state;
	path = malloc(OPS_PATH_MAX + 16);
	assert_non_null(path);
	memset(path, '/', OPS_PATH_MAX + 8);
	path[OPS_PATH_MAX + 8] = '\0';
	assert_int_equal(ops_match("GET", path, &ro, &pa, allow,
	    sizeof(allow)), OPS_NO_PATH);
	free(path);
}

static void
test_ops_pattern_captures_params(void **state)
{
	struct ops_params pa;
	char seg[OPS_PARAM_LEN + 2], path[OPS_PARAM_LEN + 8];

	(void)state;
	assert_true(ops_pattern_match("/api/v1/sessions/{id}/trees/{tid}",
	    "/api/v1/sessions/2268251408/trees/7", &pa));
	assert_int_equal(pa.pa_n, 2);
	assert_string_equal(pa.pa_val[0], "2268251408");
	assert_string_equal(pa.pa_val[1], "7");
	assert_false(ops_pattern_match("/api/v1/sessions/{id}",
	    "/api/v1/sessions/", &pa));
	assert_false(ops_pattern_match("/api/v1/sessions/{id}",
	    "/api/v1/sessions/1/", &pa));
	assert_true(ops_pattern_match("/", "/", &pa));
	assert_false(ops_pattern_match("/", "", &pa));

	/* A captured segment may be OPS_PARAM_LEN bytes, not one more. */
	memset(seg, 'a', OPS_PARAM_LEN);
	seg[OPS_PARAM_LEN] = '\0';
	snprintf(path, sizeof(path), "/%s", seg);
	assert_true(ops_pattern_match("/{x}", path, &pa));
	assert_string_equal(pa.pa_val[0], seg);
	snprintf(path, sizeof(path), "/%sa", seg);
	assert_false(ops_pattern_match("/{x}", path, &pa));

	/* More captures than OPS_PARAM_MAX never match. */
	assert_false(ops_pattern_match("/{a}/{b}/{c}/{d}/{e}", "/1/2/3/4/5",
	    &pa));
}

static void
test_ops_table_rows_are_well_formed(void **state)
{
	const struct ops_route *t;
	size_t n, i, j;

	(void)state;
	t = ops_routes(&n);
	assert_true(n >= 3);
	for (i = 0; i < n; i++) {
		assert_non_null(t[i].ro_fn);
		assert_true(t[i].ro_pattern[0] == '/');
		assert_true(strlen(t[i].ro_pattern) < OPS_PATH_MAX);
		/*
		 * Every operation but the probe, the Prometheus scrape
		 * (where scrapers look by default) and the web UI's files
		 * (rpc/web.c) sits under /api/v1.
		 */
		if (strcmp(t[i].ro_pattern, "/healthz") != 0 &&
		    strcmp(t[i].ro_pattern, "/metrics") != 0 &&
		    strcmp(t[i].ro_pattern, "/") != 0 &&
		    strcmp(t[i].ro_pattern, "/web/{file}") != 0)
			assert_int_equal(strncmp(t[i].ro_pattern, "/api/v1/",
			    8), 0);
		/* No row hides another. */
		for (j = 0; j < i; j++)
			assert_false(strcmp(t[i].ro_method,
			    t[j].ro_method) == 0 && strcmp(t[i].ro_pattern,
			    t[j].ro_pattern) == 0);
	}
}

static void
test_http_server_answers_json_on_unix_socket(void **state)
{
	struct json_object *o, *v;
	struct resp r;

	(void)state;
	assert_int_equal(http_start(&cf), 0);
	roundtrip(connect_unix(sockpath), "GET /api/v1/server HTTP/1.1\r\n"
	    "Host: localhost\r\nConnection: close\r\n\r\n", &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(header(&r, "Content-Type"), "application/json");
	assert_string_equal(header(&r, "Cache-Control"), "no-store");
	o = json_tokener_parse(r.body);
	assert_non_null(o);
	assert_true(json_object_object_get_ex(o, "name", &v));
	assert_string_equal(json_object_get_string(v), hostname);
	assert_true(json_object_object_get_ex(o, "start_time", &v));
	assert_string_equal(json_object_get_string(v),
	    "2026-11-18T11:06:40.250Z");
	assert_true(json_object_object_get_ex(o, "uptime_ms", &v));
	assert_int_equal(json_object_get_int64(v), 61000);
	assert_true(json_object_object_get_ex(o, "config_file", &v));
	assert_null(v);
	assert_true(json_object_object_get_ex(o, "admin_listen", &v));
	assert_string_equal(json_object_get_string(v),
	    cf.cf_admin_listen.ca_text);
	assert_true(json_object_object_get_ex(o, "smb_listen", &v));
	assert_int_equal(json_object_array_length(v), 2);
	json_object_put(o);
	resp_free(&r);
	/* MHD runs inside our loop, never on threads of its own. */
	assert_int_equal(count_threads(), 1);
}

static void
test_http_head_answers_without_body(void **state)
{
	struct resp r;

	(void)state;
	assert_int_equal(http_start(&cf), 0);
	roundtrip(connect_unix(sockpath), "HEAD /api/v1/server HTTP/1.1\r\n"
	    "Host: localhost\r\nConnection: close\r\n\r\n", &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.blen, 0);
	resp_free(&r);
}

static void
test_http_healthz_says_ok(void **state)
{
	struct resp r;

	(void)state;
	assert_int_equal(http_start(&cf), 0);
	roundtrip(connect_unix(sockpath), "GET /healthz HTTP/1.1\r\n"
	    "Host: localhost\r\nConnection: close\r\n\r\n", &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.body, "{\"status\":\"ok\"}\n");
	resp_free(&r);
}

static void
test_http_unknown_path_is_404_problem(void **state)
{
	struct resp r;

	(void)state;
	assert_int_equal(http_start(&cf), 0);
	roundtrip(connect_unix(sockpath), "GET /api/v1/nothing HTTP/1.1\r\n"
	    "Host: localhost\r\nConnection: close\r\n\r\n", &r);
	assert_problem(&r, 404);
	resp_free(&r);
	roundtrip(connect_unix(sockpath), "GET /api/v1/server/ HTTP/1.1\r\n"
	    "Host: localhost\r\nConnection: close\r\n\r\n", &r);
	assert_problem(&r, 404);
	resp_free(&r);
}

static void
test_http_wrong_method_is_405_with_allow(void **state)
{
	struct resp r;

	(void)state;
	assert_int_equal(http_start(&cf), 0);
	roundtrip(connect_unix(sockpath), "DELETE /api/v1/server HTTP/1.1\r\n"
	    "Host: localhost\r\nConnection: close\r\n\r\n", &r);
	assert_problem(&r, 405);
	assert_string_equal(header(&r, "Allow"), "GET, HEAD");
	resp_free(&r);
}

static void
test_http_openapi_served_or_404(void **state)
{
	struct resp r;

	(void)state;
	assert_int_equal(http_start(&cf), 0);
	roundtrip(connect_unix(sockpath),
	    "GET /api/v1/openapi.yaml HTTP/1.1\r\n"
	    "Host: localhost\r\nConnection: close\r\n\r\n", &r);
	/* Found next to the binary in the source tree (ops.c). */
	if (ops_openapi_path() != NULL) {
		assert_int_equal(r.status, 200);
		assert_string_equal(header(&r, "Content-Type"),
		    "application/yaml");
		assert_non_null(strstr(r.body, "openapi: 3.1"));
	} else
		assert_problem(&r, 404);
	resp_free(&r);
}

static void
test_http_tcp_refuses_missing_and_wrong_token(void **state)
{
	struct resp r;

	(void)state;
	assert_int_equal(http_start(&cf), 0);
	roundtrip(connect_tcp(&cf), "GET /api/v1/server HTTP/1.1\r\n"
	    "Host: localhost\r\nConnection: close\r\n\r\n", &r);
	assert_problem(&r, 401);
	assert_string_equal(header(&r, "WWW-Authenticate"),
	    "Bearer realm=\"smbsrvd\"");
	resp_free(&r);

	roundtrip(connect_tcp(&cf), "GET /api/v1/server HTTP/1.1\r\n"
	    "Host: localhost\r\nAuthorization: Bearer 0123456789\r\n"
	    "Connection: close\r\n\r\n", &r);
	assert_problem(&r, 401);
	assert_non_null(strstr(header(&r, "WWW-Authenticate"),
	    "invalid_token"));
	resp_free(&r);

	/* Strangers cannot tell known paths from unknown ones. */
	roundtrip(connect_tcp(&cf), "GET /api/v1/nothing HTTP/1.1\r\n"
	    "Host: localhost\r\nConnection: close\r\n\r\n", &r);
	assert_problem(&r, 401);
	resp_free(&r);
}

static void
test_http_tcp_accepts_token_from_file(void **state)
{
	char tok[512], req[1024];
	struct resp r;

	(void)state;
	assert_int_equal(http_start(&cf), 0);
	read_token(tok, sizeof(tok));
	snprintf(req, sizeof(req), "GET /api/v1/server HTTP/1.1\r\n"
	    "Host: localhost\r\nAuthorization: bearer   %s\r\n"
	    "Connection: close\r\n\r\n", tok);
	roundtrip(connect_tcp(&cf), req, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(header(&r, "Content-Type"), "application/json");
	resp_free(&r);

	/* A token with one character changed is refused. */
	tok[5] = tok[5] == 'a' ? 'b' : 'a';
	snprintf(req, sizeof(req), "GET /api/v1/server HTTP/1.1\r\n"
	    "Host: localhost\r\nAuthorization: Bearer %s\r\n"
	    "Connection: close\r\n\r\n", tok);
	roundtrip(connect_tcp(&cf), req, &r);
	assert_problem(&r, 401);
	resp_free(&r);
}

static void
test_http_tcp_healthz_needs_no_token(void **state)
{
	struct resp r;

	(void)state;
	assert_int_equal(http_start(&cf), 0);
	roundtrip(connect_tcp(&cf), "GET /healthz HTTP/1.1\r\n"
	    "Host: localhost\r\nConnection: close\r\n\r\n", &r);
	assert_int_equal(r.status, 200);
	resp_free(&r);
}

static void
test_http_creates_token_file_0600(void **state)
{
	struct stat st;
	char tok[512];
	size_t i;

	(void)state;
	assert_int_equal(stat(tokpath, &st), -1);
	assert_int_equal(http_start(&cf), 0);
	assert_int_equal(stat(tokpath, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	read_token(tok, sizeof(tok));
	assert_int_equal(strlen(tok), 64);
	for (i = 0; i < 64; i++)
		assert_non_null(strchr("0123456789abcdef", tok[i]));
}

static void
test_http_keeps_existing_token(void **state)
{
	char tok[512];
	int fd;

	(void)state;
	fd = open(tokpath, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "s3cret\n", 7), 7);
	close(fd);
	assert_int_equal(http_start(&cf), 0);
	read_token(tok, sizeof(tok));
	assert_string_equal(tok, "s3cret");
}

static void
test_http_refuses_group_readable_token(void **state)
{
	struct stat st;
	int fd;

	(void)state;
	fd = open(tokpath, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "s3cret\n", 7), 7);
	assert_int_equal(fchmod(fd, 0640), 0);
	close(fd);
	assert_int_equal(http_start(&cf), -1);
	/* Nothing is left listening, not even the Unix socket. */
	assert_int_equal(stat(sockpath, &st), -1);
	assert_int_equal(connect_tcp(&cf), -1);
}

static void
test_http_unix_only_when_tcp_off(void **state)
{
	struct stat st;
	struct resp r;

	(void)state;
	cf.cf_admin_listen_on = false;
	assert_int_equal(http_start(&cf), 0);
	assert_int_equal(stat(tokpath, &st), -1);
	assert_int_equal(connect_tcp(&cf), -1);
	roundtrip(connect_unix(sockpath), "GET /api/v1/server HTTP/1.1\r\n"
	    "Host: localhost\r\nConnection: close\r\n\r\n", &r);
	assert_int_equal(r.status, 200);
	resp_free(&r);
}

static void
test_http_stop_removes_socket_and_fds(void **state)
{
	struct stat st;
	int before;

	(void)state;
	before = count_fds();
	assert_int_equal(http_start(&cf), 0);
	assert_int_equal(stat(sockpath, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0660);
	http_stop();
	assert_int_equal(stat(sockpath, &st), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(connect_tcp(&cf), -1);
	assert_int_equal(count_fds(), before);
}

static void
test_http_replaces_stale_socket(void **state)
{
	struct sockaddr_un sun;
	struct resp r;
	int fd;

	(void)state;
	/* A socket file nobody listens on, as a crashed daemon leaves. */
	make_sun(&sun, sockpath);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	close(fd);
	assert_int_equal(http_start(&cf), 0);
	roundtrip(connect_unix(sockpath), "GET /healthz HTTP/1.1\r\n"
	    "Host: localhost\r\nConnection: close\r\n\r\n", &r);
	assert_int_equal(r.status, 200);
	resp_free(&r);
}

static void
test_http_leaves_live_socket_alone(void **state)
{
	struct sockaddr_un sun;
	struct stat st;
	int fd;

	(void)state;
	make_sun(&sun, sockpath);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	assert_int_equal(listen(fd, 1), 0);
	assert_int_equal(http_start(&cf), -1);
	assert_int_equal(stat(sockpath, &st), 0);
	close(fd);
}

static void
test_http_leaves_non_socket_alone(void **state)
{
	struct stat st;
	int fd;

	(void)state;
	fd = open(sockpath, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(http_start(&cf), -1);
	assert_int_equal(stat(sockpath, &st), 0);
	assert_true(S_ISREG(st.st_mode));
}

static void
test_http_announced_large_body_is_413(void **state)
{
	struct resp r;

	(void)state;
	assert_int_equal(http_start(&cf), 0);
	roundtrip(connect_unix(sockpath), "GET /api/v1/server HTTP/1.1\r\n"
	    "Host: localhost\r\nContent-Length: 2000000\r\n"
	    "Connection: close\r\n\r\n", &r);
	assert_problem(&r, 413);
	resp_free(&r);
}

static void
test_http_chunked_large_body_is_413(void **state)
{
	static const char head[] = "GET /api/v1/server HTTP/1.1\r\n"
	    "Host: localhost\r\nTransfer-Encoding: chunked\r\n"
	    "Connection: close\r\n\r\n";
	size_t chunk = 64 * 1024, nchunks = 20, len, i;
	char *req, *p;
	struct resp r;

	(void)state;
	assert_int_equal(http_start(&cf), 0);
	req = malloc(sizeof(head) + nchunks * (chunk + 16) + 16);
	assert_non_null(req);
	p = req + sprintf(req, "%s", head);
	for (i = 0; i < nchunks; i++) {
		p += sprintf(p, "%zx\r\n", chunk);
		memset(p, 'x', chunk);
		p += chunk;
		p += sprintf(p, "\r\n");
	}
	p += sprintf(p, "0\r\n\r\n");
	len = (size_t)(p - req);
	assert_int_equal(roundtrip_fd(connect_unix(sockpath), req, len, &r),
	    0);
	assert_problem(&r, 413);
	resp_free(&r);
	free(req);
}

static void
test_http_small_body_is_accepted_and_freed(void **state)
{
	struct resp r;

	(void)state;
	assert_int_equal(http_start(&cf), 0);
	roundtrip(connect_unix(sockpath), "GET /api/v1/server HTTP/1.1\r\n"
	    "Host: localhost\r\nContent-Length: 7\r\n"
	    "Connection: close\r\n\r\n{\"a\":1}", &r);
	assert_int_equal(r.status, 200);
	resp_free(&r);
}

static void
test_http_client_gone_mid_body_leaks_nothing(void **state)
{
	int fd, i;

	(void)state;
	assert_int_equal(http_start(&cf), 0);
	fd = connect_unix(sockpath);
	assert_true(fd >= 0);
	assert_true(write(fd, "GET /api/v1/server HTTP/1.1\r\n"
	    "Host: localhost\r\nContent-Length: 100\r\n\r\n0123456789",
	    78) > 0);
	for (i = 0; i < 10; i++)
		loop_once(10);
	close(fd);
	for (i = 0; i < 10; i++)
		loop_once(10);
	/* ASan's leak check at exit sees the request's body, if kept. */
}

static void
test_http_keepalive_serves_two_requests(void **state)
{
	struct resp r;

	(void)state;
	assert_int_equal(http_start(&cf), 0);
	roundtrip(connect_unix(sockpath), "GET /healthz HTTP/1.1\r\n"
	    "Host: localhost\r\n\r\nGET /api/v1/server HTTP/1.1\r\n"
	    "Host: localhost\r\nConnection: close\r\n\r\n", &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "\"name\""));
	resp_free(&r);
}

static void
test_http_reload_moves_socket(void **state)
{
	char newpath[128];
	struct stat st, st2;
	struct resp r;

	(void)state;
	assert_int_equal(http_start(&cf), 0);
	assert_int_equal(stat(sockpath, &st), 0);

	/* Unchanged: the same socket stays. */
	assert_int_equal(http_reload(&cf), 0);
	assert_int_equal(stat(sockpath, &st2), 0);
	assert_int_equal(st.st_ino, st2.st_ino);

	snprintf(newpath, sizeof(newpath), "%s/other.sock", tmpdir);
	cf.cf_admin_socket = newpath;
	assert_int_equal(http_reload(&cf), 0);
	assert_int_equal(stat(sockpath, &st), -1);
	roundtrip(connect_unix(newpath), "GET /healthz HTTP/1.1\r\n"
	    "Host: localhost\r\nConnection: close\r\n\r\n", &r);
	assert_int_equal(r.status, 200);
	resp_free(&r);
	http_stop();
	assert_int_equal(stat(newpath, &st), -1);
}

static void
test_http_reload_failure_keeps_old_socket(void **state)
{
	char bad[128];
	struct resp r;

	(void)state;
	assert_int_equal(http_start(&cf), 0);
	snprintf(bad, sizeof(bad), "%s/no/such/dir.sock", tmpdir);
	cf.cf_admin_socket = bad;
	assert_int_equal(http_reload(&cf), -1);
	roundtrip(connect_unix(sockpath), "GET /healthz HTTP/1.1\r\n"
	    "Host: localhost\r\nConnection: close\r\n\r\n", &r);
	assert_int_equal(r.status, 200);
	resp_free(&r);
}

static void
test_http_reload_moves_and_stops_tcp(void **state)
{
	char tok[512], req[1024];
	struct resp r;
	struct conf old;
	int fd;

	(void)state;
	assert_int_equal(http_start(&cf), 0);
	read_token(tok, sizeof(tok));
	old = cf;
	set_tcp(&cf, free_port());
	assert_int_equal(http_reload(&cf), 0);
	assert_int_equal(connect_tcp(&old), -1);
	snprintf(req, sizeof(req), "GET /api/v1/server HTTP/1.1\r\n"
	    "Host: localhost\r\nAuthorization: Bearer %s\r\n"
	    "Connection: close\r\n\r\n", tok);
	roundtrip(connect_tcp(&cf), req, &r);
	assert_int_equal(r.status, 200);
	resp_free(&r);

	/* A new token in the file counts from the next reload. */
	assert_int_equal(unlink(tokpath), 0);
	fd = open(tokpath, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "rotated\n", 8), 8);
	close(fd);
	assert_int_equal(http_reload(&cf), 0);
	roundtrip(connect_tcp(&cf), "GET /api/v1/server HTTP/1.1\r\n"
	    "Host: localhost\r\nAuthorization: Bearer rotated\r\n"
	    "Connection: close\r\n\r\n", &r);
	assert_int_equal(r.status, 200);
	resp_free(&r);

	cf.cf_admin_listen_on = false;
	assert_int_equal(http_reload(&cf), 0);
	assert_int_equal(connect_tcp(&cf), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ops_match_finds_exact_route),
		cmocka_unit_test(test_ops_match_tells_404_from_405),
		cmocka_unit_test(test_ops_match_refuses_overlong_path),
		cmocka_unit_test(test_ops_pattern_captures_params),
		cmocka_unit_test(test_ops_table_rows_are_well_formed),
#define T(f)	cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_http_server_answers_json_on_unix_socket),
		T(test_http_head_answers_without_body),
		T(test_http_healthz_says_ok),
		T(test_http_unknown_path_is_404_problem),
		T(test_http_wrong_method_is_405_with_allow),
		T(test_http_openapi_served_or_404),
		T(test_http_tcp_refuses_missing_and_wrong_token),
		T(test_http_tcp_accepts_token_from_file),
		T(test_http_tcp_healthz_needs_no_token),
		T(test_http_creates_token_file_0600),
		T(test_http_keeps_existing_token),
		T(test_http_refuses_group_readable_token),
		T(test_http_unix_only_when_tcp_off),
		T(test_http_stop_removes_socket_and_fds),
		T(test_http_replaces_stale_socket),
		T(test_http_leaves_live_socket_alone),
		T(test_http_leaves_non_socket_alone),
		T(test_http_announced_large_body_is_413),
		T(test_http_chunked_large_body_is_413),
		T(test_http_small_body_is_accepted_and_freed),
		T(test_http_client_gone_mid_body_leaks_nothing),
		T(test_http_keepalive_serves_two_requests),
		T(test_http_reload_moves_socket),
		T(test_http_reload_failure_keeps_old_socket),
		T(test_http_reload_moves_and_stops_tcp),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
