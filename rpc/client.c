/*
 * client.c — the REST API over libcurl, for smbctl (see client.h).
 *
 * One easy handle per client, reused across requests so a shell session
 * keeps its connection.  Messages name the server the way the user named
 * it (the socket path or the URL), since that is what they can fix.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <curl/curl.h>
#include <json-c/json.h>

#include "client.h"

#ifndef SMBSRVD_VERSION
#define SMBSRVD_VERSION	"0.0.0"
#endif

#define CLIENT_CONNECT_TIMEOUT	10	/* seconds */
#define CLIENT_TIMEOUT		120

static int	client_curl_users;

struct client_buf {
	char	*b_data;
	size_t	 b_len;
	bool	 b_too_big;
};

static size_t
client_write_cb(char *p, size_t size, size_t n, void *arg)
{
	struct client_buf *b = arg;
	size_t len = size * n;
	char *nd;

	if (len > CLIENT_BODY_MAX - b->b_len) {
		b->b_too_big = true;
		return 0;	/* curl fails the transfer: CURLE_WRITE_ERROR */
	}
	if ((nd = realloc(b->b_data, b->b_len + len + 1)) == NULL)
		return 0;
	memcpy(nd + b->b_len, p, len);
	b->b_data = nd;
	b->b_len += len;
	nd[b->b_len] = '\0';
	return len;
}

static int
client_read_token(const char *path, char *tok, size_t toklen, char *err,
    size_t errlen)
{
	char buf[CLIENT_TOKEN_MAX + 2];
	ssize_t n;
	size_t len;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "token file %s: %s", path,
		    strerror(errno));
		return -1;
	}
	do {
		n = read(fd, buf, sizeof(buf) - 1);
	} while (n == -1 && errno == EINTR);
	close(fd);
	if (n == -1) {
		snprintf(err, errlen, "token file %s: %s", path,
		    strerror(errno));
		return -1;
	}
	len = (size_t)n;
	while (len > 0 && strchr(" \t\r\n", buf[len - 1]) != NULL)
		len--;
	if (len == 0 || len > CLIENT_TOKEN_MAX || len >= toklen ||
	    memchr(buf, '\0', len) != NULL || strcspn(buf, " \t\r\n") < len) {
		snprintf(err, errlen, "token file %s: not one token of 1 to "
		    "%d characters", path, CLIENT_TOKEN_MAX);
		return -1;
	}
	memcpy(tok, buf, len);
	tok[len] = '\0';
	explicit_bzero(buf, sizeof(buf));
	return 0;
}

/* The CA file goes with https only, and must be readable now. */
static int
client_cacert(struct client *cl, const struct client_target *ct, char *err,
    size_t errlen)
{
	int fd;

	if (strncasecmp(ct->ct_url, "https://", 8) != 0) {
		snprintf(err, errlen, "CA file %s: %s is not an https:// URL",
		    ct->ct_cacert, ct->ct_url);
		return -1;
	}
	if ((fd = open(ct->ct_cacert, O_RDONLY | O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "CA file %s: %s", ct->ct_cacert,
		    strerror(errno));
		return -1;
	}
	close(fd);
	if ((cl->cl_cacert = strdup(ct->ct_cacert)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

int
client_init(struct client *cl, const struct client_target *ct, char *err,
    size_t errlen)
{
	char tok[CLIENT_TOKEN_MAX + 1];
	size_t len;

	memset(cl, 0, sizeof(*cl));
	if (client_curl_users++ == 0 &&
	    curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		client_curl_users--;
		snprintf(err, errlen, "cannot initialize libcurl");
		return -1;
	}
	if (ct->ct_url != NULL) {
		if (strncasecmp(ct->ct_url, "http://", 7) != 0 &&
		    strncasecmp(ct->ct_url, "https://", 8) != 0) {
			snprintf(err, errlen, "%s: the URL must start with "
			    "http:// or https://", ct->ct_url);
			goto fail;
		}
		if ((cl->cl_base = strdup(ct->ct_url)) == NULL)
			goto nomem;
		len = strlen(cl->cl_base);
		while (len > 0 && cl->cl_base[len - 1] == '/')
			cl->cl_base[--len] = '\0';
		snprintf(cl->cl_where, sizeof(cl->cl_where), "%s",
		    cl->cl_base);
		if (ct->ct_cacert != NULL &&
		    client_cacert(cl, ct, err, errlen) == -1)
			goto fail;
		if (ct->ct_token_file != NULL) {
			if (client_read_token(ct->ct_token_file, tok,
			    sizeof(tok), err, errlen) == -1)
				goto fail;
			if (asprintf(&cl->cl_auth, "Authorization: Bearer %s",
			    tok) == -1) {
				cl->cl_auth = NULL;
				explicit_bzero(tok, sizeof(tok));
				goto nomem;
			}
			explicit_bzero(tok, sizeof(tok));
		}
	} else {
		if (ct->ct_socket == NULL || ct->ct_socket[0] == '\0') {
			snprintf(err, errlen, "no socket path");
			goto fail;
		}
		/* The host part is only what the Host: header says. */
		if ((cl->cl_socket = strdup(ct->ct_socket)) == NULL ||
		    (cl->cl_base = strdup("http://localhost")) == NULL)
			goto nomem;
		snprintf(cl->cl_where, sizeof(cl->cl_where), "%s",
		    cl->cl_socket);
	}
	if ((cl->cl_curl = curl_easy_init()) == NULL)
		goto nomem;
	return 0;
nomem:
	snprintf(err, errlen, "out of memory");
fail:
	client_free(cl);
	return -1;
}

void
client_free(struct client *cl)
{
	if (cl->cl_curl != NULL)
		curl_easy_cleanup(cl->cl_curl);
	free(cl->cl_socket);
	if (cl->cl_auth != NULL)
		explicit_bzero(cl->cl_auth, strlen(cl->cl_auth));
	free(cl->cl_auth);
	free(cl->cl_cacert);
	free(cl->cl_base);
	memset(cl, 0, sizeof(*cl));
	if (client_curl_users > 0 && --client_curl_users == 0)
		curl_global_cleanup();
}

void
client_reply_free(struct client_reply *cr)
{
	free(cr->cr_body);
	cr->cr_body = NULL;
	cr->cr_len = 0;
}

/* The message for a transfer that got no HTTP answer. */
static enum client_fail
client_curl_error(struct client *cl, CURLcode rc, const char *ebuf,
    bool too_big, char *err, size_t errlen)
{
	CURL *c = cl->cl_curl;
	long oserr = 0;

	curl_easy_getinfo(c, CURLINFO_OS_ERRNO, &oserr);
	switch (rc) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST:
		if (oserr != 0)
			snprintf(err, errlen,
			    "cannot reach smbsrvd at %s: %s%s", cl->cl_where,
			    strerror((int)oserr),
			    oserr == ENOENT || oserr == ECONNREFUSED ?
			    " \u2014 is it running?" : "");
		else
			snprintf(err, errlen, "cannot reach smbsrvd at %s: %s",
			    cl->cl_where,
			    ebuf[0] ? ebuf : curl_easy_strerror(rc));
		return CLIENT_UNREACHABLE;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
		snprintf(err, errlen, "smbsrvd at %s: %s (%s)", cl->cl_where,
		    ebuf[0] ? ebuf : curl_easy_strerror(rc),
		    cl->cl_cacert != NULL ? "not signed by the certificates "
		    "in the CA file" : "give the server's certificate or its "
		    "CA as the CA file");
		return CLIENT_FAILED;
	case CURLE_OPERATION_TIMEDOUT:
		snprintf(err, errlen, "smbsrvd at %s did not answer in %d "
		    "seconds", cl->cl_where, CLIENT_TIMEOUT);
		return CLIENT_FAILED;
	case CURLE_WRITE_ERROR:
		if (too_big) {
			snprintf(err, errlen, "smbsrvd at %s: reply larger "
			    "than %u MiB", cl->cl_where,
			    CLIENT_BODY_MAX / (1024 * 1024));
			return CLIENT_FAILED;
		}
		break;
	default:
		break;
	}
	snprintf(err, errlen, "smbsrvd at %s: %s", cl->cl_where,
	    ebuf[0] ? ebuf : curl_easy_strerror(rc));
	return CLIENT_FAILED;
}

/* Ctrl-C: a nonzero return makes curl stop with CURLE_ABORTED_BY_CALLBACK. */
static int
client_xfer_cb(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut,
    curl_off_t un)
{
	struct client *cl = arg;

	(void)dt;
	(void)dn;
	(void)ut;
	(void)un;
	return cl->cl_cancel != NULL && *cl->cl_cancel != 0;
}

static void
client_set_cancel(struct client *cl)
{
	CURL *c = cl->cl_curl;

	if (cl->cl_cancel == NULL)
		return;
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, client_xfer_cb);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, cl);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
}

/*
 * HTTPS verifies the peer and its name, whatever libcurl's defaults are
 * built as; a CA file replaces the system's CAs.
 */
static void
client_set_tls(struct client *cl)
{
	CURL *c = cl->cl_curl;

	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	if (cl->cl_cacert != NULL)
		curl_easy_setopt(c, CURLOPT_CAINFO, cl->cl_cacert);
}

static bool
client_hdr(struct curl_slist **l, const char *s)
{
	struct curl_slist *n;

	if ((n = curl_slist_append(*l, s)) == NULL)
		return false;
	*l = n;
	return true;
}

enum client_fail
client_request(struct client *cl, const char *method, const char *path,
    const char *body, struct client_reply *cr, char *err, size_t errlen)
{
	CURL *c = cl->cl_curl;
	struct curl_slist *hdrs = NULL;
	struct client_buf b = { NULL, 0, false };
	char ebuf[CURL_ERROR_SIZE], *url = NULL, *type = NULL;
	enum client_fail fail = CLIENT_FAILED;
	CURLcode rc;

	memset(cr, 0, sizeof(*cr));
	ebuf[0] = '\0';
	if (asprintf(&url, "%s%s", cl->cl_base, path) == -1) {
		snprintf(err, errlen, "out of memory");
		return CLIENT_FAILED;
	}
	curl_easy_reset(c);
	if (!client_hdr(&hdrs, "Accept: application/json, "
	    "application/problem+json") ||
	    (cl->cl_auth != NULL && !client_hdr(&hdrs, cl->cl_auth)) ||
	    (body != NULL && !client_hdr(&hdrs,
	    "Content-Type: application/json"))) {
		curl_slist_free_all(hdrs);
		free(url);
		snprintf(err, errlen, "out of memory");
		return CLIENT_FAILED;
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	client_set_tls(cl);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "smbctl/" SMBSRVD_VERSION);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT,
	    (long)CLIENT_CONNECT_TIMEOUT);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)CLIENT_TIMEOUT);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, ebuf);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, client_write_cb);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	if (cl->cl_socket != NULL) {
		curl_easy_setopt(c, CURLOPT_UNIX_SOCKET_PATH, cl->cl_socket);
		/* An http_proxy in the environment must not see this. */
		curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
	}
	if (strcmp(method, "HEAD") == 0)
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	else if (strcmp(method, "GET") != 0)
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	if (body != NULL) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)strlen(body));
	}

	client_set_cancel(cl);

	if ((rc = curl_easy_perform(c)) != CURLE_OK) {
		if (rc == CURLE_ABORTED_BY_CALLBACK) {
			snprintf(err, errlen, "interrupted");
			fail = CLIENT_CANCELLED;
		} else
			fail = client_curl_error(cl, rc, ebuf, b.b_too_big,
			    err, errlen);
		free(b.b_data);
		goto out;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &cr->cr_status);
	if (curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &type) == CURLE_OK &&
	    type != NULL)
		snprintf(cr->cr_type, sizeof(cr->cr_type), "%s", type);
	if (b.b_data == NULL && (b.b_data = strdup("")) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	cr->cr_body = b.b_data;
	cr->cr_len = b.b_len;
	fail = CLIENT_OK;
out:
	/* The handle keeps pointers into these until the next reset. */
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, NULL);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, NULL);
	curl_slist_free_all(hdrs);
	free(url);
	return fail;
}

struct client_streambuf {
	CURL		*s_curl;
	int		(*s_fn)(const char *, size_t, void *);
	void		*s_arg;
	struct client_buf s_err;	/* the body of a refusal */
	int		 s_state;	/* 0 unknown, 1 streaming, 2 refused */
	bool		 s_stopped;	/* s_fn asked to stop */
};

static size_t
client_stream_cb(char *p, size_t size, size_t n, void *arg)
{
	struct client_streambuf *s = arg;
	size_t len = size * n;
	long status = 0;

	if (s->s_state == 0) {
		curl_easy_getinfo(s->s_curl, CURLINFO_RESPONSE_CODE, &status);
		s->s_state = status >= 200 && status <= 299 ? 1 : 2;
	}
	if (s->s_state == 2)
		return client_write_cb(p, size, n, &s->s_err);
	if (s->s_fn(p, len, s->s_arg) == -1) {
		s->s_stopped = true;
		return 0;
	}
	return len;
}

enum client_fail
client_stream(struct client *cl, const char *path, const char *accept,
    const char *extra_header, int (*fn)(const char *, size_t, void *),
    void *arg, struct client_reply *cr, char *err, size_t errlen)
{
	CURL *c = cl->cl_curl;
	struct curl_slist *hdrs = NULL;
	struct client_streambuf s;
	char ebuf[CURL_ERROR_SIZE], *url = NULL, *acc = NULL, *type = NULL;
	enum client_fail fail = CLIENT_FAILED;
	CURLcode rc;

	memset(cr, 0, sizeof(*cr));
	memset(&s, 0, sizeof(s));
	s.s_curl = c;
	s.s_fn = fn;
	s.s_arg = arg;
	ebuf[0] = '\0';
	if (asprintf(&url, "%s%s", cl->cl_base, path) == -1)
		url = NULL;
	if (asprintf(&acc, "Accept: %s", accept) == -1)
		acc = NULL;
	if (url == NULL || acc == NULL || !client_hdr(&hdrs, acc) ||
	    (cl->cl_auth != NULL && !client_hdr(&hdrs, cl->cl_auth)) ||
	    (extra_header != NULL && !client_hdr(&hdrs, extra_header))) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	curl_easy_reset(c);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	client_set_tls(cl);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "smbctl/" SMBSRVD_VERSION);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT,
	    (long)CLIENT_CONNECT_TIMEOUT);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, ebuf);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, client_stream_cb);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
	if (cl->cl_socket != NULL) {
		curl_easy_setopt(c, CURLOPT_UNIX_SOCKET_PATH, cl->cl_socket);
		curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
	}
	client_set_cancel(cl);

	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &cr->cr_status);
	if (rc == CURLE_ABORTED_BY_CALLBACK) {
		snprintf(err, errlen, "interrupted");
		fail = CLIENT_CANCELLED;
		goto out;
	}
	if (rc == CURLE_WRITE_ERROR && s.s_stopped) {
		fail = CLIENT_OK;
		goto out;
	}
	if (rc != CURLE_OK) {
		fail = client_curl_error(cl, rc, ebuf, s.s_err.b_too_big, err,
		    errlen);
		goto out;
	}
	if (s.s_state == 2) {
		if (curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &type) ==
		    CURLE_OK && type != NULL)
			snprintf(cr->cr_type, sizeof(cr->cr_type), "%s", type);
		if (s.s_err.b_data == NULL &&
		    (s.s_err.b_data = strdup("")) == NULL) {
			snprintf(err, errlen, "out of memory");
			goto out;
		}
		cr->cr_body = s.s_err.b_data;
		cr->cr_len = s.s_err.b_len;
		s.s_err.b_data = NULL;
	}
	fail = CLIENT_OK;
out:
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, NULL);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, NULL);
	curl_slist_free_all(hdrs);
	free(s.s_err.b_data);
	free(url);
	free(acc);
	return fail;
}

bool
client_reply_is_json(const struct client_reply *cr)
{
	return strncasecmp(cr->cr_type, "application/json", 16) == 0 ||
	    strncasecmp(cr->cr_type, "application/problem+json", 24) == 0;
}

void
client_reply_error(const struct client_reply *cr, char *buf, size_t len)
{
	struct json_object *o, *title, *detail;
	size_t n;

	if (client_reply_is_json(cr) &&
	    (o = json_tokener_parse(cr->cr_body)) != NULL) {
		if (json_object_object_get_ex(o, "title", &title) &&
		    json_object_object_get_ex(o, "detail", &detail)) {
			snprintf(buf, len, "%ld %s: %s", cr->cr_status,
			    json_object_get_string(title),
			    json_object_get_string(detail));
			json_object_put(o);
			return;
		}
		json_object_put(o);
	}
	n = strcspn(cr->cr_body, "\r\n");
	if (n > 200)
		n = 200;
	snprintf(buf, len, "HTTP status %ld%s%.*s", cr->cr_status,
	    n > 0 ? ": " : "", (int)n, cr->cr_body);
}
