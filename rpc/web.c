/*
 * web.c — the web UI's static files and the sign-in link (see web.h).
 *
 * Why embedded rather than read from a "web root" folder: the UI speaks
 * the API of the binary that serves it, so they ship together; the daemon
 * needs no path to find the files (ops.c's hunt for openapi.yaml next to
 * the binary shows what that costs); and no request can make the daemon
 * open a file, so there is no traversal to get wrong.  The price is a
 * rebuild for a changed page, which "make" does by itself.
 *
 * A request path is reduced to a bare file name by web_path(), a bounded
 * parser over an allow-list of bytes, then looked up by exact name.
 */
#include <sys/socket.h>
#include <sys/stat.h>

#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "web.h"

#define WEB_TOKEN_MAX	256	/* as http.c reads it */

/*
 * No inline script or style, nothing from elsewhere: the page talks only
 * to the server it came from, and nobody may frame it.
 */
#define WEB_CSP	"default-src 'none'; script-src 'self'; style-src 'self'; " \
	"img-src 'self' data:; connect-src 'self'; base-uri 'none'; " \
	"form-action 'none'; frame-ancestors 'none'"

static const struct {
	const char	*ext;
	const char	*type;
} web_types[] = {
	{ ".html",	"text/html; charset=utf-8" },
	{ ".js",	"text/javascript; charset=utf-8" },
	{ ".css",	"text/css; charset=utf-8" },
	{ ".svg",	"image/svg+xml" },
	{ ".png",	"image/png" },
	{ ".json",	"application/json" },
	{ ".txt",	"text/plain; charset=utf-8" },
};

static bool
web_name_byte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

int
web_path(const char *path, char *name, size_t len)
{
	static const char prefix[] = "/web/";
	const char *p;
	size_t n;

	if (len == 0)
		return ENOENT;
	name[0] = '\0';
	if (path == NULL)
		return ENOENT;
	if (strcmp(path, "/") == 0)
		p = "index.html";
	else if (strncmp(path, prefix, sizeof(prefix) - 1) == 0)
		p = path + sizeof(prefix) - 1;
	else
		return ENOENT;
	for (n = 0; n <= WEB_NAME_MAX && p[n] != '\0'; n++)
		if (!web_name_byte((unsigned char)p[n]))
			return ENOENT;
	if (n == 0 || n > WEB_NAME_MAX || p[0] == '.' || n >= len)
		return ENOENT;
	memcpy(name, p, n);
	name[n] = '\0';
	return 0;
}

const struct web_file *
web_lookup(const char *name)
{
	size_t lo = 0, hi = web_nfiles, mid;
	int c;

	/* web-embed.sh writes them sorted by name (LC_ALL=C). */
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if ((c = strcmp(name, web_files[mid].wf_name)) == 0)
			return &web_files[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

const char *
web_type(const char *name)
{
	const char *dot = strrchr(name, '.');
	size_t i;

	if (dot != NULL)
		for (i = 0; i < sizeof(web_types) / sizeof(web_types[0]); i++)
			if (strcasecmp(dot, web_types[i].ext) == 0)
				return web_types[i].type;
	return "application/octet-stream";
}

/*
 * RFC 9110 13.1.2: a list of entity tags or "*"; weak tags compare
 * weakly, which for If-None-Match is what a cache wants.
 */
bool
web_etag_match(const char *inm, const char *etag)
{
	size_t elen = strlen(etag), n;
	const char *p = inm;

	if (p == NULL)
		return false;
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (*p == '\0')
			return false;
		if (*p == '*')
			return true;
		if (strncmp(p, "W/", 2) == 0)
			p += 2;
		n = strcspn(p, ", \t");
		if (n == elen && strncmp(p, etag, elen) == 0)
			return true;
		p += n;
	}
}

static void
web_header(struct ops_reply *rp, size_t *i, const char *name,
    const char *val)
{
	if (*i >= OPS_HDR_MAX)
		return;
	rp->rp_hdr[*i][0] = name;
	rp->rp_hdr[*i][1] = val;
	(*i)++;
}

int
web_get(const struct ops_req *rq, struct ops_reply *rp)
{
	const struct web_file *wf;
	const char *inm = NULL;
	char name[WEB_NAME_MAX + 1];
	size_t h = 0;

	if (web_path(rq->rq_path, name, sizeof(name)) != 0 ||
	    (wf = web_lookup(name)) == NULL) {
		snprintf(rp->rp_detail, sizeof(rp->rp_detail),
		    "no such file in the web UI");
		return ENOENT;
	}
	if (rq->rq_header != NULL)
		inm = rq->rq_header(rq->rq_query_arg, "If-None-Match");
	/* Cached, but asked about every time: a new binary shows at once. */
	web_header(rp, &h, "Cache-Control", "no-cache");
	web_header(rp, &h, "ETag", wf->wf_etag);
	web_header(rp, &h, "Content-Security-Policy", WEB_CSP);
	web_header(rp, &h, "X-Frame-Options", "DENY");
	web_header(rp, &h, "Referrer-Policy", "no-referrer");
	web_header(rp, &h, "Cross-Origin-Opener-Policy", "same-origin");
	web_header(rp, &h, "Cross-Origin-Resource-Policy", "same-origin");
	rp->rp_type = web_type(wf->wf_name);
	if (web_etag_match(inm, wf->wf_etag)) {
		rp->rp_status = 304;
		rp->rp_data = "";
		rp->rp_len = 0;
		return 0;
	}
	rp->rp_status = 200;
	rp->rp_data = (const char *)wf->wf_data;
	rp->rp_len = wf->wf_len;
	return 0;
}

static bool
web_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Reads the token as http.c does: one word, surrounding space dropped. */
static int
web_token(const char *path, char *tok, size_t len)
{
	char buf[WEB_TOKEN_MAX + 2];
	ssize_t n;
	size_t s = 0, e;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1)
		return -1;
	do {
		n = read(fd, buf, sizeof(buf) - 1);
	} while (n == -1 && errno == EINTR);
	close(fd);
	if (n <= 0)
		return -1;
	e = (size_t)n;
	while (s < e && web_space(buf[s]))
		s++;
	while (e > s && web_space(buf[e - 1]))
		e--;
	if (e == s || e - s > WEB_TOKEN_MAX || e - s >= len ||
	    memchr(buf + s, '\0', e - s) != NULL) {
		explicit_bzero(buf, sizeof(buf));
		return -1;
	}
	memcpy(tok, buf + s, e - s);
	tok[e - s] = '\0';
	explicit_bzero(buf, sizeof(buf));
	return 0;
}

int
web_signin_url(const struct conf *cf, char *buf, size_t len)
{
	const struct sockaddr_storage *ss = &cf->cf_admin_listen.ca_ss;
	char tok[WEB_TOKEN_MAX + 1], host[INET6_ADDRSTRLEN], port[8];
	size_t o, i;
	int n;

	if (!cf->cf_admin_listen_on || cf->cf_admin_token_file == NULL ||
	    len == 0)
		return -1;
	if (getnameinfo((const struct sockaddr *)ss,
	    cf->cf_admin_listen.ca_sslen, host, sizeof(host), port,
	    sizeof(port), NI_NUMERICHOST | NI_NUMERICSERV) != 0)
		return -1;
	/* A wildcard listener is reached here through loopback. */
	if (strcmp(host, "0.0.0.0") == 0)
		snprintf(host, sizeof(host), "127.0.0.1");
	else if (strcmp(host, "::") == 0)
		snprintf(host, sizeof(host), "::1");
	if (web_token(cf->cf_admin_token_file, tok, sizeof(tok)) == -1)
		return -1;
	n = snprintf(buf, len, ss->ss_family == AF_INET6 ?
	    "%s://[%s]:%s/#token=" : "%s://%s:%s/#token=",
	    cf->cf_admin_tls_cert != NULL ? "https" : "http", host, port);
	if (n < 0 || (size_t)n >= len)
		goto fail;
	/* Percent-encode all but RFC 3986 unreserved bytes. */
	o = (size_t)n;
	for (i = 0; tok[i] != '\0'; i++) {
		unsigned char c = (unsigned char)tok[i];

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		    c == '_' || c == '~') {
			if (o + 1 >= len)
				goto fail;
			buf[o++] = (char)c;
		} else {
			if (o + 3 >= len)
				goto fail;
			snprintf(buf + o, 4, "%%%02X", c);
			o += 3;
		}
	}
	buf[o] = '\0';
	explicit_bzero(tok, sizeof(tok));
	return 0;
fail:
	explicit_bzero(tok, sizeof(tok));
	buf[0] = '\0';
	return -1;
}

void
web_signin_print(FILE *fp, const struct conf *cf)
{
	char url[WEB_URL_MAX];

	if (web_signin_url(cf, url, sizeof(url)) == -1)
		return;
	fprintf(fp, "smbsrvd: web UI: %s\n", url);
	fflush(fp);
	explicit_bzero(url, sizeof(url));
}
