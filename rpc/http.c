/*
 * http.c — the requests of the REST API's HTTP server (see http.h): what
 * libmicrohttpd calls for each request, and the event streams.  The
 * listeners and their MHD daemons are http_listen.c's.
 *
 * A request's life: MHD calls http_access() once when the headers are in
 * (we route, check the token and the announced length, and may answer at
 * once), then once per piece of body (accumulated up to HTTP_BODY_MAX),
 * then once more at the end, when the handler runs.  The per-request
 * struct http_req is freed in http_completed(), which MHD calls for every
 * request that got one, however it ended.
 *
 * An event stream (a reply with an ops_stream, ops.h) is a response
 * MHD pulls from http_stream_read().  With nothing to send, the reader
 * suspends its connection; new events (ops_stream_wakeup(), from the
 * loop's before-sleep pass) and a keepalive timer resume it.  A suspended
 * connection does not see its client leave, so the keepalive comment is
 * also what finds dead streams.  MHD must not be stopped with suspended
 * connections: a closing listener resumes its streams, which then end.
 */
#include <sys/socket.h>

#include <netinet/in.h>

#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <microhttpd.h>

#include "enc.h"
#include "http_int.h"
#include "log.h"
#include "loop.h"
#include "ops.h"

struct http_req {
	const struct ops_route	*hr_route;
	struct ops_params	 hr_params;
	char			*hr_body;
	size_t			 hr_len;
	bool			 hr_answered;	/* reply already queued */
	bool			 hr_too_big;
};

struct http_stream {
	TAILQ_ENTRY(http_stream) hs_entry;	/* http_streams */
	struct http_listener	*hs_hl;
	struct MHD_Connection	*hs_mc;
	struct ops_stream	*hs_os;
	bool			 hs_suspended;
	bool			 hs_ping;	/* keepalive due */
	bool			 hs_end;	/* listener closing */
};

static TAILQ_HEAD(, http_stream) http_streams =
    TAILQ_HEAD_INITIALIZER(http_streams);
static unsigned int		 http_nstreams;
static struct timer		 http_keepalive;

/*
 * The path as it may go into a log line: MHD has percent-decoded it, so a
 * client could otherwise write newlines and forge log entries.
 */
const char *
http_logsafe(const char *s, char *buf, size_t len)
{
	size_t i;

	for (i = 0; s[i] != '\0' && i + 1 < len; i++)
		buf[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	buf[i] = '\0';
	return buf;
}

/* Splits the connection's query arguments out for handlers (ops.h). */
static const char *
http_query(void *arg, const char *key)
{
	return MHD_lookup_connection_value(arg, MHD_GET_ARGUMENT_KIND, key);
}

static const char *
http_header(void *arg, const char *name)
{
	return MHD_lookup_connection_value(arg, MHD_HEADER_KIND, name);
}

/* Who asks, for the log lines and events of admin actions. */
static void
http_via(const struct http_listener *hl, struct MHD_Connection *mc,
    char *buf, size_t len)
{
	const union MHD_ConnectionInfo *ci;
	char host[INET6_ADDRSTRLEN + 16];	/* with a scope id */
	socklen_t salen;

	if (hl->hl_kind == HTTP_UNIX) {
		snprintf(buf, len, "unix socket");
		return;
	}
	ci = MHD_get_connection_info(mc, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci == NULL || ci->client_addr == NULL) {
		snprintf(buf, len, "tcp %.64s", hl->hl_name);
		return;
	}
	salen = ci->client_addr->sa_family == AF_INET6 ?
	    sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
	if (getnameinfo(ci->client_addr, salen, host, sizeof(host), NULL, 0,
	    NI_NUMERICHOST) != 0)
		snprintf(host, sizeof(host), "?");
	snprintf(buf, len, "tcp %.64s", host);
}

static enum MHD_Result
http_send(struct MHD_Connection *mc, int status, const char *type,
    char *buf, size_t len, enum MHD_ResponseMemoryMode mode,
    const char *hname, const char *hval)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	if ((r = MHD_create_response_from_buffer(len, buf, mode)) == NULL) {
		if (mode == MHD_RESPMEM_MUST_FREE)
			free(buf);
		return MHD_NO;
	}
	if (MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
	    type) == MHD_NO ||
	    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL,
	    "no-store") == MHD_NO ||
	    MHD_add_response_header(r, "X-Content-Type-Options",
	    "nosniff") == MHD_NO ||
	    (hname != NULL &&
	    MHD_add_response_header(r, hname, hval) == MHD_NO)) {
		MHD_destroy_response(r);
		return MHD_NO;
	}
	ret = MHD_queue_response(mc, (unsigned int)status, r);
	MHD_destroy_response(r);
	return ret;
}

/* An rp_data reply with the extra headers the handler asked for. */
static enum MHD_Result
http_send_raw(struct MHD_Connection *mc, const struct ops_reply *rp)
{
	struct MHD_Response *r;
	const char *cache = "no-store";
	enum MHD_Result ret;
	bool bad = false;
	size_t i;

	r = MHD_create_response_from_buffer(rp->rp_len,
	    (void *)(uintptr_t)rp->rp_data, MHD_RESPMEM_MUST_COPY);
	if (r == NULL)
		return MHD_NO;
	for (i = 0; i < OPS_HDR_MAX && rp->rp_hdr[i][0] != NULL; i++) {
		if (strcasecmp(rp->rp_hdr[i][0], "Cache-Control") == 0)
			cache = rp->rp_hdr[i][1];
		else if (MHD_add_response_header(r, rp->rp_hdr[i][0],
		    rp->rp_hdr[i][1]) == MHD_NO)
			bad = true;
	}
	if (bad || (rp->rp_type != NULL &&
	    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
	    rp->rp_type) == MHD_NO) ||
	    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL,
	    cache) == MHD_NO ||
	    MHD_add_response_header(r, "X-Content-Type-Options",
	    "nosniff") == MHD_NO) {
		MHD_destroy_response(r);
		return MHD_NO;
	}
	ret = MHD_queue_response(mc, (unsigned int)rp->rp_status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result
http_send_json(struct MHD_Connection *mc, int status, const char *type,
    struct json_object *o, const char *hname, const char *hval)
{
	char *text;
	size_t len;

	if (o == NULL || (text = enc_text(o, &len)) == NULL)
		return MHD_NO;
	return http_send(mc, status, type, text, len, MHD_RESPMEM_MUST_FREE,
	    hname, hval);
}

static enum MHD_Result
http_problem(struct MHD_Connection *mc, int status, const char *detail,
    const char *hname, const char *hval)
{
	struct json_object *o;
	enum MHD_Result ret;

	if ((o = enc_problem(status, detail)) == NULL)
		return MHD_NO;
	ret = http_send_json(mc, status, "application/problem+json", o,
	    hname, hval);
	json_object_put(o);
	return ret;
}

/* Equal without an early exit, so timing does not leak a prefix. */
static bool
http_token_equal(const char *want, size_t wlen, const char *got,
    size_t glen)
{
	volatile unsigned char diff = 0;
	size_t i;

	if (wlen == 0)
		return false;
	for (i = 0; i < glen; i++)
		diff |= (unsigned char)got[i] ^
		    (unsigned char)want[i < wlen ? i : 0];
	return diff == 0 && glen == wlen;
}

/*
 * RFC 6750 2.1: "Bearer" (any case), spaces, the token.  Returns 0 if the
 * token matches, 1 if none was given, 2 if a wrong one was.
 */
static int
http_check_token(const struct http_listener *hl, struct MHD_Connection *mc)
{
	const char *v, *tok;
	size_t len;

	v = MHD_lookup_connection_value(mc, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_AUTHORIZATION);
	if (v == NULL || strncasecmp(v, "Bearer", 6) != 0 ||
	    (v[6] != ' ' && v[6] != '\t'))
		return 1;
	for (tok = v + 6; *tok == ' ' || *tok == '\t'; tok++)
		;
	len = strlen(tok);
	while (len > 0 && (tok[len - 1] == ' ' || tok[len - 1] == '\t'))
		len--;
	if (len == 0)
		return 1;
	return http_token_equal(hl->hl_token, hl->hl_token_len, tok, len) ?
	    0 : 2;
}

/* First call of a request: route, authorize, check the announced size. */
static enum MHD_Result
http_headers(struct http_listener *hl, struct MHD_Connection *mc,
    struct http_req *hr, const char *url, const char *method)
{
	const struct ops_route *route;
	char allow[OPS_ALLOW_LEN], safe[128], *end;
	const char *cl;
	enum ops_match m;
	unsigned long long n;
	int tok;

	m = ops_match(method, url, &route, &hr->hr_params, allow,
	    sizeof(allow));
	/*
	 * Without the token every path looks alike, so the TCP listener does
	 * not tell strangers which routes exist.
	 */
	if (hl->hl_kind == HTTP_TCP &&
	    (m != OPS_FOUND || (route->ro_flags & OPS_AUTH)) &&
	    (tok = http_check_token(hl, mc)) != 0) {
		hr->hr_answered = true;
		log_debug("http %s: %s %s: %s token", hl->hl_name, method,
		    http_logsafe(url, safe, sizeof(safe)),
		    tok == 1 ? "no" : "wrong");
		return http_problem(mc, 401, tok == 1 ?
		    "this listener needs an Authorization: Bearer token" :
		    "the bearer token was refused",
		    MHD_HTTP_HEADER_WWW_AUTHENTICATE, tok == 1 ?
		    "Bearer realm=\"smbsrvd\"" :
		    "Bearer realm=\"smbsrvd\", error=\"invalid_token\"");
	}
	if (m == OPS_NO_PATH) {
		hr->hr_answered = true;
		return http_problem(mc, 404, "no such resource", NULL, NULL);
	}
	if (m == OPS_NO_METHOD) {
		char detail[OPS_DETAIL_LEN];

		hr->hr_answered = true;
		snprintf(detail, sizeof(detail), "%s does not answer %s; "
		    "it answers %s", url, method, allow);
		return http_problem(mc, 405, detail, MHD_HTTP_HEADER_ALLOW,
		    allow);
	}
	cl = MHD_lookup_connection_value(mc, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (cl != NULL) {
		errno = 0;
		n = strtoull(cl, &end, 10);
		if (errno == 0 && end != cl && n > HTTP_BODY_MAX) {
			hr->hr_answered = true;
			return http_problem(mc, 413, "request body larger "
			    "than 1 MiB", NULL, NULL);
		}
	}
	hr->hr_route = route;
	return MHD_YES;
}

static void
http_stream_resume(struct http_stream *hs)
{
	if (!hs->hs_suspended)
		return;
	hs->hs_suspended = false;
	MHD_resume_connection(hs->hs_mc);
	/* MHD takes a resumed connection back only in its next run. */
	if (hs->hs_hl->hl_io.io_added &&
	    loop_timer_after(&hs->hs_hl->hl_timer, 0) == -1)
		log_warn("http %s: timer", hs->hs_hl->hl_name);
}

/* New events: every waiting stream reads again. */
static void
http_streams_wake(void *arg)
{
	struct http_stream *hs;

	(void)arg;
	TAILQ_FOREACH(hs, &http_streams, hs_entry)
		http_stream_resume(hs);
}

static void
http_keepalive_cb(struct timer *t, void *arg)
{
	struct http_stream *hs;

	(void)t;
	(void)arg;
	TAILQ_FOREACH(hs, &http_streams, hs_entry) {
		hs->hs_ping = true;
		http_stream_resume(hs);
	}
	if (!TAILQ_EMPTY(&http_streams) &&
	    loop_timer_after(&http_keepalive, HTTP_KEEPALIVE_MS) == -1)
		log_warn("http: keepalive timer");
}

static ssize_t
http_stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	static const char ping[] = ": keepalive\n\n";
	struct http_stream *hs = cls;
	size_t n;

	(void)pos;
	if (hs->hs_end)
		return MHD_CONTENT_READER_END_OF_STREAM;
	if ((n = hs->hs_os->os_read(hs->hs_os, buf, max)) == OPS_STREAM_END)
		return MHD_CONTENT_READER_END_WITH_ERROR;
	if (n > 0) {
		hs->hs_ping = false;
		return (ssize_t)n;
	}
	if (hs->hs_ping && max >= sizeof(ping) - 1) {
		hs->hs_ping = false;
		memcpy(buf, ping, sizeof(ping) - 1);
		return (ssize_t)(sizeof(ping) - 1);
	}
	/* Nothing now: returning 0 without suspending would spin. */
	MHD_suspend_connection(hs->hs_mc);
	hs->hs_suspended = true;
	return 0;
}

/* MHD destroys the response when the connection is done with it. */
static void
http_stream_free(void *cls)
{
	struct http_stream *hs = cls;

	TAILQ_REMOVE(&http_streams, hs, hs_entry);
	http_nstreams--;
	hs->hs_os->os_free(hs->hs_os);
	free(hs);
	if (TAILQ_EMPTY(&http_streams)) {
		ops_stream_wakeup(NULL, NULL);
		loop_timer_cancel(&http_keepalive);
	}
}

static enum MHD_Result
http_stream_start(struct http_listener *hl, struct MHD_Connection *mc,
    struct ops_reply *rp)
{
	struct MHD_Response *r;
	struct http_stream *hs;
	enum MHD_Result ret;

	if (http_nstreams >= HTTP_STREAM_MAX)
		return http_problem(mc, 503, "too many event streams are "
		    "open; try again later", NULL, NULL);
	if ((hs = calloc(1, sizeof(*hs))) == NULL)
		return MHD_NO;
	r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN,
	    HTTP_STREAM_BLOCK, http_stream_read, hs, http_stream_free);
	if (r == NULL) {
		free(hs);
		return MHD_NO;
	}
	/* From here the response owns hs, and hs the stream. */
	hs->hs_os = rp->rp_stream;
	rp->rp_stream = NULL;
	hs->hs_hl = hl;
	hs->hs_mc = mc;
	TAILQ_INSERT_TAIL(&http_streams, hs, hs_entry);
	if (http_nstreams++ == 0) {
		ops_stream_wakeup(http_streams_wake, NULL);
		if (loop_timer_after(&http_keepalive, HTTP_KEEPALIVE_MS) == -1)
			log_warn("http: keepalive timer");
	}
	if (MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
	    "text/event-stream") == MHD_NO ||
	    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL,
	    "no-store") == MHD_NO ||
	    MHD_add_response_header(r, "X-Content-Type-Options",
	    "nosniff") == MHD_NO) {
		MHD_destroy_response(r);
		return MHD_NO;
	}
	ret = MHD_queue_response(mc, (unsigned int)rp->rp_status, r);
	MHD_destroy_response(r);
	return ret;
}

/*
 * Ends hl's streams before MHD stops: resumed, their reader ends them,
 * and one run lets MHD take the resumed connections back.
 */
void
http_streams_end(struct http_listener *hl)
{
	struct http_stream *hs;
	bool resumed = false;

	TAILQ_FOREACH(hs, &http_streams, hs_entry) {
		if (hs->hs_hl != hl)
			continue;
		hs->hs_end = true;
		if (hs->hs_suspended) {
			hs->hs_suspended = false;
			MHD_resume_connection(hs->hs_mc);
			resumed = true;
		}
	}
	if (resumed)
		(void)MHD_run(hl->hl_mhd);
}

/* Last call of a request: the whole body is in; run the handler. */
static enum MHD_Result
http_dispatch(struct http_listener *hl, struct MHD_Connection *mc,
    struct http_req *hr, const char *url, const char *method)
{
	struct ops_req rq;
	struct ops_reply rp;
	enum MHD_Result ret;
	char err[OPS_DETAIL_LEN], safe[128], via[96];
	int e, status;

	if (hr->hr_too_big)
		return http_problem(mc, 413, "request body larger than 1 MiB",
		    NULL, NULL);
	memset(&rq, 0, sizeof(rq));
	memset(&rp, 0, sizeof(rp));
	rq.rq_method = method;
	rq.rq_path = url;
	rq.rq_params = hr->hr_params;
	rq.rq_query = http_query;
	rq.rq_query_arg = mc;
	rq.rq_header = http_header;
	http_via(hl, mc, via, sizeof(via));
	rq.rq_via = via;
	if (hr->hr_route->ro_flags & (OPS_BODY | OPS_BODY_OPT)) {
		if (hr->hr_len == 0 && (hr->hr_route->ro_flags & OPS_BODY))
			return http_problem(mc, 400, "a JSON object body is "
			    "required", NULL, NULL);
		if (hr->hr_len > 0 && enc_json_parse(hr->hr_body, hr->hr_len,
		    &rq.rq_body, err, sizeof(err)) == -1)
			return http_problem(mc, 400, err, NULL, NULL);
	}
	if ((e = hr->hr_route->ro_fn(&rq, &rp)) != 0) {
		status = enc_status(e);
		ret = http_problem(mc, status, rp.rp_detail[0] != '\0' ?
		    rp.rp_detail : strerror(e), NULL, NULL);
	} else if (rp.rp_stream != NULL)
		ret = http_stream_start(hl, mc, &rp);
	else if (rp.rp_json != NULL)
		ret = http_send_json(mc, rp.rp_status, "application/json",
		    rp.rp_json, rp.rp_location[0] != '\0' ?
		    MHD_HTTP_HEADER_LOCATION : NULL, rp.rp_location);
	else
		ret = http_send_raw(mc, &rp);
	log_debugl(LOG_LVL_DEBUG + 1, "http %s: %s %s: %d", hl->hl_name,
	    method, http_logsafe(url, safe, sizeof(safe)),
	    e != 0 ? enc_status(e) : rp.rp_status);
	ops_reply_free(&rp);
	if (rq.rq_body != NULL)
		json_object_put(rq.rq_body);
	return ret;
}

enum MHD_Result
http_access(void *cls, struct MHD_Connection *mc, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **req_cls)
{
	struct http_listener *hl = cls;
	struct http_req *hr = *req_cls;
	char *nb;

	(void)version;
	if (hr == NULL) {
		if ((hr = calloc(1, sizeof(*hr))) == NULL)
			return MHD_NO;
		*req_cls = hr;
		return http_headers(hl, mc, hr, url, method);
	}
	if (*upload_size != 0) {
		/*
		 * MHD cannot queue a reply in the middle of a body, so past
		 * the cap we drop the rest and answer 413 at the end.
		 */
		if (!hr->hr_answered && !hr->hr_too_big) {
			if (*upload_size > HTTP_BODY_MAX - hr->hr_len) {
				hr->hr_too_big = true;
				free(hr->hr_body);
				hr->hr_body = NULL;
				hr->hr_len = 0;
			} else if ((nb = realloc(hr->hr_body,
			    hr->hr_len + *upload_size + 1)) == NULL)
				return MHD_NO;
			else {
				memcpy(nb + hr->hr_len, upload, *upload_size);
				hr->hr_body = nb;
				hr->hr_len += *upload_size;
				nb[hr->hr_len] = '\0';
			}
		}
		*upload_size = 0;
		return MHD_YES;
	}
	if (hr->hr_answered)
		return MHD_YES;
	hr->hr_answered = true;
	return http_dispatch(hl, mc, hr, url, method);
}

void
http_completed(void *cls, struct MHD_Connection *mc, void **req_cls,
    enum MHD_RequestTerminationCode why)
{
	struct http_req *hr = *req_cls;

	(void)cls;
	(void)mc;
	(void)why;
	if (hr == NULL)
		return;
	free(hr->hr_body);
	free(hr);
	*req_cls = NULL;
}

/* Before any listener opens. */
void
http_streams_init(void)
{
	timer_init(&http_keepalive, http_keepalive_cb, NULL);
}
