/*
 * test_web.c — rpc/web.c: request paths to embedded names, the lookup,
 * content types, If-None-Match, the handler's reply and headers, and the
 * sign-in link built from a token file.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "conf.h"
#include "ops.h"
#include "web.h"

static void
test_web_path_maps_root_and_web_names(void **state)
{
	char name[WEB_NAME_MAX + 1];

	(void)state;
	assert_int_equal(web_path("/", name, sizeof(name)), 0);
	assert_string_equal(name, "index.html");
	assert_int_equal(web_path("/web/app.js", name, sizeof(name)), 0);
	assert_string_equal(name, "app.js");
	assert_int_equal(web_path("/web/a-b_c.9.css", name, sizeof(name)), 0);
	assert_string_equal(name, "a-b_c.9.css");
}

static void
test_web_path_refuses_anything_that_could_climb_or_hide(void **state)
{
	static const char *const bad[] = {
		"", "//", "/index.html", "/web", "/web/", "/web/.", "/web/..",
		"/web/../etc/passwd", "/web/..%2fx", "/web/.hidden",
		"/web/a/b", "/web/a\\b", "/web/a b", "/web/a\nb", "/web/%41",
		"/WEB/app.js", "/web//app.js", "/web/app.js/", "/web/\xc3\xa9",
		"/api/v1/server", "web/app.js", "/webapp.js",
	};
	char name[WEB_NAME_MAX + 1];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(name, 'x', sizeof(name));
		assert_int_equal(web_path(bad[i], name, sizeof(name)), ENOENT);
		assert_string_equal(name, "");
	}
	assert_int_equal(web_path(NULL, name, sizeof(name)), ENOENT);
}

static void
test_web_path_bounds_the_name(void **state)
{
	char path[16 + WEB_NAME_MAX + 2], name[WEB_NAME_MAX + 1], small[4];

	(void)state;
	snprintf(path, sizeof(path), "/web/%0*d", WEB_NAME_MAX, 0);
	assert_int_equal(web_path(path, name, sizeof(name)), 0);
	assert_int_equal(strlen(name), WEB_NAME_MAX);
	snprintf(path, sizeof(path), "/web/%0*d", WEB_NAME_MAX + 1, 0);
	assert_int_equal(web_path(path, name, sizeof(name)), ENOENT);
	/* A buffer too small is a refusal, never an overflow. */
	assert_int_equal(web_path("/web/app.js", small, sizeof(small)),
	    ENOENT);
	assert_string_equal(small, "");
	assert_int_equal(web_path("/web/app", small, sizeof(small)), 0);
	assert_string_equal(small, "app");
	assert_int_equal(web_path("/", small, 0), ENOENT);
}

static void
test_web_lookup_finds_every_embedded_file_and_only_those(void **state)
{
	size_t i;

	(void)state;
	assert_true(web_nfiles >= 4);
	for (i = 0; i < web_nfiles; i++) {
		assert_ptr_equal(web_lookup(web_files[i].wf_name),
		    &web_files[i]);
		assert_true(web_files[i].wf_len > 0);
		assert_int_equal(strlen(web_files[i].wf_etag), 22);
		if (i > 0)
			assert_true(strcmp(web_files[i - 1].wf_name,
			    web_files[i].wf_name) < 0);
	}
	assert_non_null(web_lookup("index.html"));
	assert_non_null(web_lookup("app.js"));
	assert_non_null(web_lookup("style.css"));
	assert_null(web_lookup("README.md"));
	assert_null(web_lookup(""));
	assert_null(web_lookup("index.htm"));
	assert_null(web_lookup("zzz"));
}

static void
test_web_type_by_extension(void **state)
{
	(void)state;
	assert_string_equal(web_type("index.html"),
	    "text/html; charset=utf-8");
	assert_string_equal(web_type("app.js"),
	    "text/javascript; charset=utf-8");
	assert_string_equal(web_type("STYLE.CSS"), "text/css; charset=utf-8");
	assert_string_equal(web_type("icon.svg"), "image/svg+xml");
	assert_string_equal(web_type("x"), "application/octet-stream");
	assert_string_equal(web_type("x.exe"), "application/octet-stream");
}

static void
test_web_etag_match_lists_weak_and_star(void **state)
{
	(void)state;
	assert_true(web_etag_match("\"abc\"", "\"abc\""));
	assert_true(web_etag_match("W/\"abc\"", "\"abc\""));
	assert_true(web_etag_match("\"x\", \"abc\"", "\"abc\""));
	assert_true(web_etag_match(" , \"x\",W/\"abc\" ", "\"abc\""));
	assert_true(web_etag_match("*", "\"abc\""));
	assert_false(web_etag_match(NULL, "\"abc\""));
	assert_false(web_etag_match("", "\"abc\""));
	assert_false(web_etag_match("\"ab\"", "\"abc\""));
	assert_false(web_etag_match("\"abcd\"", "\"abc\""));
	assert_false(web_etag_match("abc", "\"abc\""));
	assert_false(web_etag_match("W/", "\"abc\""));
}

struct hdrs {
	const char	*inm;
};

static const char *
hdr_cb(void *arg, const char *name)
{
	struct hdrs *h = arg;

	return strcmp(name, "If-None-Match") == 0 ? h->inm : NULL;
}

static const char *
reply_header(const struct ops_reply *rp, const char *name)
{
	size_t i;

	for (i = 0; i < OPS_HDR_MAX && rp->rp_hdr[i][0] != NULL; i++)
		if (strcmp(rp->rp_hdr[i][0], name) == 0)
			return rp->rp_hdr[i][1];
	return NULL;
}

static void
test_web_get_answers_through_the_route_table(void **state)
{
	const struct ops_route *ro;
	const struct web_file *wf = web_lookup("app.js");
	struct ops_params pa;
	struct ops_reply rp;
	struct ops_req rq;
	struct hdrs h = { NULL };
	char allow[OPS_ALLOW_LEN];

	(void)state;
	assert_int_equal(ops_match("GET", "/web/app.js", &ro, &pa, allow,
	    sizeof(allow)), OPS_FOUND);
	assert_ptr_equal(ro->ro_fn, web_get);
	assert_int_equal(ro->ro_flags & OPS_AUTH, 0);
	assert_int_equal(ops_match("HEAD", "/", &ro, &pa, allow,
	    sizeof(allow)), OPS_FOUND);
	assert_ptr_equal(ro->ro_fn, web_get);

	memset(&rq, 0, sizeof(rq));
	rq.rq_method = "GET";
	rq.rq_path = "/web/app.js";
	rq.rq_header = hdr_cb;
	rq.rq_query_arg = &h;
	memset(&rp, 0, sizeof(rp));
	assert_int_equal(web_get(&rq, &rp), 0);
	assert_int_equal(rp.rp_status, 200);
	assert_ptr_equal(rp.rp_data, (const char *)wf->wf_data);
	assert_int_equal(rp.rp_len, wf->wf_len);
	assert_string_equal(rp.rp_type, "text/javascript; charset=utf-8");
	assert_string_equal(reply_header(&rp, "ETag"), wf->wf_etag);
	assert_string_equal(reply_header(&rp, "Cache-Control"), "no-cache");
	assert_non_null(strstr(reply_header(&rp, "Content-Security-Policy"),
	    "default-src 'none'"));
	assert_null(strstr(reply_header(&rp, "Content-Security-Policy"),
	    "unsafe"));
	assert_string_equal(reply_header(&rp, "X-Frame-Options"), "DENY");

	h.inm = wf->wf_etag;
	memset(&rp, 0, sizeof(rp));
	assert_int_equal(web_get(&rq, &rp), 0);
	assert_int_equal(rp.rp_status, 304);
	assert_int_equal(rp.rp_len, 0);
	assert_string_equal(reply_header(&rp, "ETag"), wf->wf_etag);

	rq.rq_path = "/web/missing.js";
	memset(&rp, 0, sizeof(rp));
	assert_int_equal(web_get(&rq, &rp), ENOENT);
	assert_string_not_equal(rp.rp_detail, "");
	rq.rq_path = "/web/../rpc/web.c";
	memset(&rp, 0, sizeof(rp));
	assert_int_equal(web_get(&rq, &rp), ENOENT);
}

static void
test_web_api_routes_keep_their_token(void **state)
{
	const struct ops_route *ro;
	struct ops_params pa;
	char allow[OPS_ALLOW_LEN];

	(void)state;
	assert_int_equal(ops_match("GET", "/api/v1/server", &ro, &pa, allow,
	    sizeof(allow)), OPS_FOUND);
	assert_int_not_equal(ro->ro_flags & OPS_AUTH, 0);
	assert_int_equal(ops_match("GET", "/web/a/b", &ro, &pa, allow,
	    sizeof(allow)), OPS_NO_PATH);
	assert_int_equal(ops_match("POST", "/", &ro, &pa, allow,
	    sizeof(allow)), OPS_NO_METHOD);
	assert_string_equal(allow, "GET, HEAD");
}

static char tokfile[64];

static void
conf_for(struct conf *cf, int family, const char *addr, int port)
{
	memset(cf, 0, sizeof(*cf));
	cf->cf_admin_listen_on = true;
	cf->cf_admin_token_file = tokfile;
	if (family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)
		    &cf->cf_admin_listen.ca_ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		assert_int_equal(inet_pton(AF_INET, addr, &sin->sin_addr), 1);
		cf->cf_admin_listen.ca_sslen = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)
		    &cf->cf_admin_listen.ca_ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		assert_int_equal(inet_pton(AF_INET6, addr, &sin6->sin6_addr),
		    1);
		cf->cf_admin_listen.ca_sslen = sizeof(*sin6);
	}
}

static void
write_token_n(const char *text, size_t len)
{
	int fd;

	fd = open(tokfile, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	close(fd);
}

static void
write_token(const char *text)
{
	write_token_n(text, strlen(text));
}

static void
test_web_signin_url_from_the_token_file(void **state)
{
	struct conf cf;
	char url[WEB_URL_MAX], small[30];
	FILE *fp;
	char *out = NULL;
	size_t outlen = 0;

	(void)state;
	snprintf(tokfile, sizeof(tokfile), "/tmp/test_web.%ld.token",
	    (long)getpid());
	write_token("  0123abcd\n");
	conf_for(&cf, AF_INET, "127.0.0.1", 8445);
	assert_int_equal(web_signin_url(&cf, url, sizeof(url)), 0);
	assert_string_equal(url, "http://127.0.0.1:8445/#token=0123abcd");

	/* Wildcards are reached through loopback; IPv6 in brackets. */
	conf_for(&cf, AF_INET, "0.0.0.0", 9000);
	assert_int_equal(web_signin_url(&cf, url, sizeof(url)), 0);
	assert_string_equal(url, "http://127.0.0.1:9000/#token=0123abcd");
	conf_for(&cf, AF_INET6, "::", 9001);
	assert_int_equal(web_signin_url(&cf, url, sizeof(url)), 0);
	assert_string_equal(url, "http://[::1]:9001/#token=0123abcd");

	/* A listener with a certificate is reached over HTTPS. */
	cf.cf_admin_tls_cert = (char *)"/etc/smbsrvd/admin.crt";
	assert_int_equal(web_signin_url(&cf, url, sizeof(url)), 0);
	assert_string_equal(url, "https://[::1]:9001/#token=0123abcd");
	cf.cf_admin_tls_cert = NULL;

	/* A token of the administrator's own making is percent-encoded. */
	write_token("a#b&c%d/~e\n");
	conf_for(&cf, AF_INET, "10.1.2.3", 80);
	assert_int_equal(web_signin_url(&cf, url, sizeof(url)), 0);
	assert_string_equal(url,
	    "http://10.1.2.3:80/#token=a%23b%26c%25d%2F~e");

	/* Too small a buffer fails cleanly. */
	assert_int_equal(web_signin_url(&cf, small, sizeof(small)), -1);
	assert_string_equal(small, "");

	/* Empty or missing token, no TCP listener: no link. */
	write_token(" \n");
	assert_int_equal(web_signin_url(&cf, url, sizeof(url)), -1);
	write_token_n("abc\0def", 7);
	assert_int_equal(web_signin_url(&cf, url, sizeof(url)), -1);
	unlink(tokfile);
	assert_int_equal(web_signin_url(&cf, url, sizeof(url)), -1);
	write_token("tok\n");
	cf.cf_admin_listen_on = false;
	assert_int_equal(web_signin_url(&cf, url, sizeof(url)), -1);

	/* The printed line, and nothing when there is no link. */
	cf.cf_admin_listen_on = true;
	fp = open_memstream(&out, &outlen);
	assert_non_null(fp);
	web_signin_print(fp, &cf);
	cf.cf_admin_listen_on = false;
	web_signin_print(fp, &cf);
	fclose(fp);
	assert_string_equal(out, "smbsrvd: web UI: "
	    "http://10.1.2.3:80/#token=tok\n");
	free(out);
	unlink(tokfile);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_web_path_maps_root_and_web_names),
		cmocka_unit_test(
		    test_web_path_refuses_anything_that_could_climb_or_hide),
		cmocka_unit_test(test_web_path_bounds_the_name),
		cmocka_unit_test(
		    test_web_lookup_finds_every_embedded_file_and_only_those),
		cmocka_unit_test(test_web_type_by_extension),
		cmocka_unit_test(test_web_etag_match_lists_weak_and_star),
		cmocka_unit_test(test_web_get_answers_through_the_route_table),
		cmocka_unit_test(test_web_api_routes_keep_their_token),
		cmocka_unit_test(test_web_signin_url_from_the_token_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
