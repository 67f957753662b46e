/*
 * enc.c — admin records to json-c, problem+json, errno to HTTP status
 * (see enc.h).
 *
 * The errno table is the only place an admin_*() error becomes an HTTP
 * status, so every route answers the same failure the same way.
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "enc.h"

/*
 * admin_*() return errno values (STYLE.md).  "Bad input" that the HTTP
 * layer itself finds (a body that is not JSON) is answered 400 there; an
 * admin function that rejects a value it understood says EINVAL, which is
 * the 422 of DESIGN.md.
 */
static const struct {
	int	err;
	int	status;
} enc_errtab[] = {
	{ 0,		200 },
	{ EBADMSG,	400 },	/* malformed request */
	{ EPROTO,	400 },
	{ EPERM,	403 },
	{ EACCES,	403 },
	{ ENOENT,	404 },	/* unknown id or name */
	{ ESRCH,	404 },
	{ EEXIST,	409 },	/* conflict with the current state */
	{ EBUSY,	409 },
	{ EALREADY,	409 },
	{ ENOTEMPTY,	409 },
	{ EFBIG,	413 },
	{ E2BIG,	413 },
	{ EMSGSIZE,	413 },
	{ EINVAL,	422 },	/* a value that is understood but invalid */
	{ ERANGE,	422 },
	{ EDOM,		422 },
	{ ENAMETOOLONG,	422 },
	{ ENOTSUP,	501 },
	{ ENOSYS,	501 },
	{ ENOMEM,	503 },
	{ EAGAIN,	503 },
	{ ENOSPC,	507 },
	{ EDQUOT,	507 },
};

static const struct {
	int		 status;
	const char	*title;
} enc_titletab[] = {
	{ 200, "OK" },
	{ 201, "Created" },
	{ 202, "Accepted" },
	{ 204, "No Content" },
	{ 400, "Bad Request" },
	{ 401, "Unauthorized" },
	{ 403, "Forbidden" },
	{ 404, "Not Found" },
	{ 405, "Method Not Allowed" },
	{ 406, "Not Acceptable" },
	{ 409, "Conflict" },
	{ 411, "Length Required" },
	{ 413, "Content Too Large" },
	{ 414, "URI Too Long" },
	{ 415, "Unsupported Media Type" },
	{ 422, "Unprocessable Content" },
	{ 429, "Too Many Requests" },
	{ 500, "Internal Server Error" },
	{ 501, "Not Implemented" },
	{ 503, "Service Unavailable" },
	{ 507, "Insufficient Storage" },
};

int
enc_time(char *buf, size_t len, const struct timespec *ts)
{
	struct tm tm;
	int n;

	if (gmtime_r(&ts->tv_sec, &tm) == NULL)
		return -1;
	/* RFC 3339 has four-digit years only. */
	if (tm.tm_year + 1900 < 0 || tm.tm_year + 1900 > 9999)
		return -1;
	n = snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, (long)(ts->tv_nsec / 1000000) % 1000);
	if (n < 0 || (size_t)n >= len)
		return -1;
	return 0;
}

struct json_object *
enc_time_json(const struct timespec *ts)
{
	char buf[ENC_TIME_LEN];

	if (enc_time(buf, sizeof(buf), ts) == -1)
		return NULL;
	return json_object_new_string(buf);
}

struct json_object *
enc_id(uint64_t id)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)id);
	return json_object_new_string(buf);
}

int
enc_status(int err)
{
	size_t i;

	for (i = 0; i < sizeof(enc_errtab) / sizeof(enc_errtab[0]); i++)
		if (enc_errtab[i].err == err)
			return enc_errtab[i].status;
	return 500;
}

const char *
enc_status_title(int status)
{
	size_t i;

	for (i = 0; i < sizeof(enc_titletab) / sizeof(enc_titletab[0]); i++)
		if (enc_titletab[i].status == status)
			return enc_titletab[i].title;
	return status >= 500 ? "Server Error" : "Client Error";
}

/*
 * RFC 9457: "about:blank" says the status alone explains the problem, and
 * then the title must be the status's reason phrase.  Routes that need a
 * finer distinction can add their own type URIs later.
 */
struct json_object *
enc_problem(int status, const char *detail)
{
	struct json_object *o;
	const char *title = enc_status_title(status);

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	if (json_object_object_add(o, "type",
	    json_object_new_string("about:blank")) != 0 ||
	    json_object_object_add(o, "title",
	    json_object_new_string(title)) != 0 ||
	    json_object_object_add(o, "status",
	    json_object_new_int(status)) != 0 ||
	    json_object_object_add(o, "detail",
	    json_object_new_string(detail != NULL ? detail : title)) != 0) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

/* An empty string in a record means "none", which JSON says as null. */
static struct json_object *
enc_str_or_null(const char *s)
{
	return s[0] == '\0' ? NULL : json_object_new_string(s);
}

struct json_object *
enc_server(const struct admin_server *as)
{
	struct json_object *o, *a, *t;
	int i, bad = 0;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	if ((a = json_object_new_array()) == NULL) {
		json_object_put(o);
		return NULL;
	}
	for (i = 0; i < as->nsmb_listen && i < ADMIN_MAX_LISTEN; i++)
		bad |= json_object_array_add(a,
		    json_object_new_string(as->smb_listen[i]));
	if ((t = enc_time_json(&as->start)) == NULL)
		bad = 1;

	/* json_object_object_add() takes the value even when it fails. */
	bad |= json_object_object_add(o, "name",
	    json_object_new_string(as->name));
	bad |= json_object_object_add(o, "version",
	    json_object_new_string(as->version));
	bad |= json_object_object_add(o, "guid",
	    json_object_new_string(as->guid));
	bad |= json_object_object_add(o, "start_time", t);
	bad |= json_object_object_add(o, "uptime_ms",
	    json_object_new_uint64(as->uptime_ms));
	bad |= json_object_object_add(o, "config_file",
	    enc_str_or_null(as->config_file));
	bad |= json_object_object_add(o, "state_directory",
	    json_object_new_string(as->state_dir));
	bad |= json_object_object_add(o, "smb_listen", a);
	bad |= json_object_object_add(o, "admin_socket",
	    enc_str_or_null(as->admin_socket));
	bad |= json_object_object_add(o, "admin_listen",
	    enc_str_or_null(as->admin_listen));
	bad |= json_object_object_add(o, "log_level",
	    json_object_new_int(as->log_level));
	bad |= json_object_object_add(o, "connections",
	    json_object_new_uint64(as->nconnections));
	bad |= json_object_object_add(o, "shares",
	    json_object_new_uint64(as->nshares));
	bad |= json_object_object_add(o, "reloads",
	    json_object_new_uint64(as->reloads));
	if (bad) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

/*
 * json-c's strict mode still reads NaN and Infinity, which no JSON text
 * can carry; refuse them rather than let a handler meet one.
 */
static bool
enc_json_finite(struct json_object *o)
{
	size_t i, n;

	switch (json_object_get_type(o)) {
	case json_type_double:
		return isfinite(json_object_get_double(o));
	case json_type_array:
		n = json_object_array_length(o);
		for (i = 0; i < n; i++)
			if (!enc_json_finite(json_object_array_get_idx(o, i)))
				return false;
		return true;
	case json_type_object: {
		json_object_object_foreach(o, key, val) {
			(void)key;
			if (!enc_json_finite(val))
				return false;
		}
		return true;
	}
	default:
		return true;
	}
}

int
enc_json_parse(const char *buf, size_t len, struct json_object **out,
    char *err, size_t errlen)
{
	struct json_tokener *tok;
	struct json_object *o = NULL;
	enum json_tokener_error jerr;
	size_t end;

	*out = NULL;
	/* json-c would stop at a NUL and call the rest trailing garbage. */
	if (memchr(buf, '\0', len) != NULL) {
		snprintf(err, errlen, "body contains a NUL byte");
		return -1;
	}
	if (len > INT32_MAX) {
		snprintf(err, errlen, "body too large");
		return -1;
	}
	if ((tok = json_tokener_new_ex(ENC_JSON_DEPTH)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
	    JSON_TOKENER_ALLOW_TRAILING_CHARS | JSON_TOKENER_VALIDATE_UTF8);
	o = json_tokener_parse_ex(tok, buf, (int)len);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (o == NULL) {
		snprintf(err, errlen, "body is not JSON: %s",
		    jerr == json_tokener_continue ? "unexpected end" :
		    json_tokener_error_desc(jerr));
		return -1;
	}
	for (; end < len; end++) {
		if (strchr(" \t\r\n", buf[end]) == NULL) {
			snprintf(err, errlen, "body has data after the JSON "
			    "object, at byte %zu", end);
			json_object_put(o);
			return -1;
		}
	}
	if (!json_object_is_type(o, json_type_object)) {
		snprintf(err, errlen, "body is not a JSON object");
		json_object_put(o);
		return -1;
	}
	if (!enc_json_finite(o)) {
		snprintf(err, errlen, "body has a number JSON cannot hold");
		json_object_put(o);
		return -1;
	}
	*out = o;
	return 0;
}

char *
enc_text(struct json_object *o, size_t *lenp)
{
	const char *s;
	size_t len;
	char *buf;

	s = json_object_to_json_string_length(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
	if (s == NULL || (buf = malloc(len + 2)) == NULL)
		return NULL;
	memcpy(buf, s, len);
	buf[len] = '\n';
	buf[len + 1] = '\0';
	*lenp = len + 1;
	return buf;
}
