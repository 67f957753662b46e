/*
 * cmds_watch.c — what changes over time: statistics with rates, the
 * scavenger's pending opens counting down, and the event stream.
 *
 * Watch loops sample, print, then sleep in short slices so that Ctrl-C
 * (smbctl_interrupted) ends them at once; --count bounds them for
 * scripts.  "events --follow" reads the API's server-sent events
 * through libcurl as they arrive; frames are split into lines here and
 * each data payload is parsed with json-c.
 */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "smbctl.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static double
now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Sleeps up to secs; false if Ctrl-C came first. */
static bool
nap(double secs)
{
	double end = now_mono() + secs, left;
	struct timespec ts;

	while (!smbctl_interrupted && (left = end - now_mono()) > 0) {
		if (left > 0.1)
			left = 0.1;
		ts.tv_sec = 0;
		ts.tv_nsec = (long)(left * 1e9);
		nanosleep(&ts, NULL);
	}
	return !smbctl_interrupted;
}

/* --watch [SECONDS] and --count N; SMBCTL_USAGE after saying why. */
static int
watch_opts(const struct cmd_args *a, double defsecs, bool *watch,
    double *secs, long *count)
{
	const char *v;
	char *end, name[64];

	*watch = cmds_flag(a, "watch");
	*secs = defsecs;
	*count = -1;
	cmds_fullname(a->ca_cmd, name, sizeof(name));
	if ((v = cmds_value(a, "watch")) != NULL) {
		errno = 0;
		*secs = strtod(v, &end);
		if (errno != 0 || *end != '\0' || !(*secs >= 0.1) ||
		    *secs > 86400) {
			fprintf(stderr, "%s: %s: --watch \"%s\": give seconds, "
			    "0.1 to 86400\n", smbctl_prog(), name, v);
			return SMBCTL_USAGE;
		}
	}
	if ((v = cmds_value(a, "count")) != NULL) {
		errno = 0;
		*count = strtol(v, &end, 10);
		if (errno != 0 || *end != '\0' || v[0] == '\0' ||
		    *count < 1) {
			fprintf(stderr, "%s: %s: --count \"%s\": give a "
			    "number above 0\n", smbctl_prog(), name, v);
			return SMBCTL_USAGE;
		}
		if (!*watch && strcmp(a->ca_cmd->cm_group, "events") != 0)
			*watch = true;
	}
	return SMBCTL_OK;
}

/* The counters "stats --watch" turns into rates, and their columns. */
static const struct {
	const char	*r_key;
	const char	*r_head;
	bool		 r_bytes;
} rates[] = {
	{ "sts0_fopens", "OPENS/S", false },
	{ "bytes_received", "IN/S", true },
	{ "bytes_sent", "OUT/S", true },
	{ "sts0_pwerrors", "PWERR/S", false },
};

static const char *const gauges[][2] = {
	{ "connections", "CONNS" },
	{ "sessions", "SESSIONS" },
	{ "trees", "TREES" },
	{ "opens", "OPENS" },
};

static void
clock_now(char *buf, size_t len)
{
	time_t t = time(NULL);
	struct tm tm;

	if (localtime_r(&t, &tm) == NULL || strftime(buf, len, "%H:%M:%S",
	    &tm) == 0)
		snprintf(buf, len, "?");
}

/* Now as RFC 3339 UTC, for JSON lines. */
static const char *
utc_now(char *buf, size_t len)
{
	time_t t = time(NULL);
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL || strftime(buf, len,
	    "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, len, "?");
	return buf;
}

int
cmd_stats(struct smbctl *sc, const struct cmd_args *a)
{
	struct smbctl_reply r, prev;
	struct json_object *line, *ps;
	double secs, t, tprev = 0;
	uint64_t v, pv;
	char buf[64];
	size_t i;
	long count, n;
	bool watch;
	int rv;

	if ((rv = watch_opts(a, 2, &watch, &secs, &count)) != SMBCTL_OK)
		return rv;
	if (!watch)
		return smbctl_show(sc, a, "/api/v1/statistics", "statistics");
	memset(&prev, 0, sizeof(prev));
	if (!a->ca_out.oo_json && !a->ca_out.oo_noheader) {
		printf("%-8s", "TIME");
		for (i = 0; i < NELEM(gauges); i++)
			printf(" %9s", gauges[i][1]);
		for (i = 0; i < NELEM(rates); i++)
			printf(" %10s", rates[i].r_head);
		printf("\n");
	}
	for (n = 0; count < 0 || n < count; n++) {
		if (n > 0 && !nap(secs))
			break;
		if (smbctl_call(sc, "GET", "/api/v1/statistics", NULL,
		    "statistics", false, &r) == -1) {
			smbctl_reply_free(&prev);
			return smbctl_interrupted ? SMBCTL_OK : SMBCTL_ERR;
		}
		t = now_mono();
		if (a->ca_out.oo_json) {
			/* One object a line: the sample and its rates. */
			line = json_object_new_object();
			ps = prev.sr_obj ? json_object_new_object() : NULL;
			for (i = 0; ps != NULL && i < NELEM(rates); i++) {
				if (!out_uint(r.sr_obj, rates[i].r_key, &v) ||
				    !out_uint(prev.sr_obj, rates[i].r_key, &pv))
					continue;
				json_object_object_add(ps, rates[i].r_key,
				    json_object_new_double(v >= pv ?
				    (double)(v - pv) / (t - tprev) : 0));
			}
			if (line != NULL) {
				json_object_object_add(line, "time",
				    json_object_new_string(utc_now(buf,
				    sizeof(buf))));
				json_object_object_add(line, "statistics",
				    json_object_get(r.sr_obj));
				json_object_object_add(line, "per_second", ps);
				puts(json_object_to_json_string_ext(line,
				    JSON_C_TO_STRING_PLAIN));
				json_object_put(line);
			} else
				json_object_put(ps);
		} else {
			clock_now(buf, sizeof(buf));
			printf("%-8s", buf);
			for (i = 0; i < NELEM(gauges); i++) {
				if (!out_uint(r.sr_obj, gauges[i][0], &v))
					printf(" %9s", "-");
				else
					printf(" %9llu", (unsigned long long)v);
			}
			for (i = 0; i < NELEM(rates); i++) {
				if (prev.sr_obj == NULL ||
				    !out_uint(r.sr_obj, rates[i].r_key, &v) ||
				    !out_uint(prev.sr_obj, rates[i].r_key,
				    &pv) || v < pv) {
					printf(" %10s", "-");
					continue;
				}
				if (rates[i].r_bytes) {
					out_size(buf, sizeof(buf), (uint64_t)(
					    (double)(v - pv) / (t - tprev)));
					printf(" %8s/s", buf);
				} else
					printf(" %10.1f", (double)(v - pv) /
					    (t - tprev));
			}
			printf("\n");
		}
		fflush(stdout);
		smbctl_reply_free(&prev);
		prev = r;
		tprev = t;
	}
	smbctl_reply_free(&prev);
	return SMBCTL_OK;
}

static const struct out_col scav_cols[] = {
	{ "id", "id", FMT_STR },
	{ "reason", "reason", FMT_STR },
	{ "share", "share", FMT_STR },
	{ "path", "path", FMT_PATH },
	{ "user", "user", FMT_STR },
	{ "client", "client", FMT_STR },
	{ "remaining", "remaining_ms", FMT_REMAINING },
	{ "deadline", "deadline", FMT_TIME },
};

/* GET the scavenger, every page of items merged into the first. */
static struct json_object *
scav_get(struct smbctl *sc)
{
	struct smbctl_reply r;
	struct json_object *first, *items, *more = NULL;
	const char *cur;
	char *url, *esc;
	size_t i, n;

	if (smbctl_call(sc, "GET", "/api/v1/scavenger?limit=1000", NULL,
	    "scavenger", false, &r) == -1)
		return NULL;
	first = json_object_get(r.sr_obj);
	smbctl_reply_free(&r);
	items = out_member(first, "items");
	if (items == NULL || !json_object_is_type(items, json_type_array)) {
		fprintf(stderr, "%s: scavenger: the reply has no items\n",
		    smbctl_prog());
		json_object_put(first);
		return NULL;
	}
	if ((cur = out_string(first, "next_cursor")) != NULL && cur[0]) {
		if ((esc = smbctl_escape(cur)) == NULL ||
		    asprintf(&url, "/api/v1/scavenger?cursor=%s", esc) == -1) {
			free(esc);
			json_object_put(first);
			return NULL;
		}
		free(esc);
		if (smbctl_get_all(sc, url, "scavenger", &more) == -1) {
			free(url);
			json_object_put(more);
			json_object_put(first);
			return NULL;
		}
		free(url);
		n = json_object_array_length(more);
		for (i = 0; i < n; i++)
			json_object_array_add(items, json_object_get(
			    json_object_array_get_idx(more, i)));
		json_object_put(more);
		json_object_object_add(first, "next_cursor", NULL);
	}
	return first;
}

static void
scav_timer(struct json_object *o, const char *key, const char *name)
{
	struct json_object *t = out_member(o, key);
	uint64_t pending = 0, rem;
	char buf[64];

	if (t == NULL)
		return;
	if (!out_uint(t, "pending", &pending))
		pending = 0;
	printf("%-9s timer: %llu pending", name, (unsigned long long)pending);
	if (out_uint(t, "remaining_ms", &rem)) {
		out_duration(buf, sizeof(buf), rem);
		printf(", next expiry in %s", buf);
	}
	printf("\n");
}

int
cmd_scavenger(struct smbctl *sc, const struct cmd_args *a)
{
	struct json_object *o;
	double secs;
	long count, n;
	bool watch, tty = isatty(STDOUT_FILENO);
	int rv;

	if ((rv = watch_opts(a, 1, &watch, &secs, &count)) != SMBCTL_OK)
		return rv;
	for (n = 0; n == 0 || (watch && (count < 0 || n < count)); n++) {
		if (n > 0 && !nap(secs))
			break;
		if ((o = scav_get(sc)) == NULL)
			return smbctl_interrupted ? SMBCTL_OK : SMBCTL_ERR;
		if (a->ca_out.oo_json) {
			puts(json_object_to_json_string_ext(o, watch ?
			    JSON_C_TO_STRING_PLAIN : JSON_C_TO_STRING_PRETTY |
			    JSON_C_TO_STRING_SPACED));
		} else {
			if (watch && tty)
				fputs("\033[H\033[2J", stdout);
			else if (n > 0)
				putchar('\n');
			scav_timer(o, "durable_timer", "durable");
			scav_timer(o, "resilient_timer", "resilient");
			putchar('\n');
			rv = out_table(sc, &a->ca_out, scav_cols,
			    NELEM(scav_cols), out_member(o, "items"));
		}
		json_object_put(o);
		fflush(stdout);
		if (rv != SMBCTL_OK)
			return rv;
	}
	return SMBCTL_OK;
}

int
cmd_scavenger_expire(struct smbctl *sc, const struct cmd_args *a)
{
	struct json_object *body = NULL, *ids, *exp;
	struct smbctl_reply r;
	bool dry = cmds_flag(a, "dry-run");
	size_t i, n;
	int k, rv;

	for (k = 0; k < a->ca_argc; k++)
		if ((rv = smbctl_check_id(a, a->ca_argv[k])) != SMBCTL_OK)
			return rv;
	if (a->ca_argc > 0) {
		if ((body = json_object_new_object()) == NULL ||
		    (ids = json_object_new_array()) == NULL) {
			json_object_put(body);
			return SMBCTL_ERR;
		}
		for (k = 0; k < a->ca_argc; k++)
			json_object_array_add(ids,
			    json_object_new_string(a->ca_argv[k]));
		json_object_object_add(body, "ids", ids);
	}
	rv = smbctl_call(sc, "POST", dry ? "/api/v1/scavenger/expire?"
	    "dry_run=true" : "/api/v1/scavenger/expire", body, "scavenger "
	    "expire", false, &r);
	json_object_put(body);
	if (rv == -1)
		return SMBCTL_ERR;
	if (a->ca_out.oo_json)
		out_json(r.sr_obj);
	else {
		exp = out_member(r.sr_obj, "expired");
		n = exp && json_object_is_type(exp, json_type_array) ?
		    json_object_array_length(exp) : 0;
		printf("%s %zu open%s%s", dry ? "would expire" : "expired", n,
		    n == 1 ? "" : "s", n ? ":" : "");
		for (i = 0; i < n; i++) {
			struct json_object *id =
			    json_object_array_get_idx(exp, i);

			printf(" %s", json_object_is_type(id,
			    json_type_string) ? json_object_get_string(id) :
			    "?");
		}
		printf("\n");
	}
	smbctl_reply_free(&r);
	return SMBCTL_OK;
}

int
cmd_scavenger_extend(struct smbctl *sc, const struct cmd_args *a)
{
	struct json_object *body;
	struct smbctl_reply r;
	char path[128], what[64], buf[64], *end;
	uint64_t rem;
	double secs;
	int rv;

	if ((rv = smbctl_check_id(a, a->ca_argv[0])) != SMBCTL_OK)
		return rv;
	errno = 0;
	secs = strtod(a->ca_argv[1], &end);
	if (errno != 0 || *end != '\0' || end == a->ca_argv[1] ||
	    !(secs >= 0.001) || secs > 86400) {
		fprintf(stderr, "%s: scavenger extend: \"%s\": give seconds "
		    "from now, up to 86400\n", smbctl_prog(), a->ca_argv[1]);
		return SMBCTL_USAGE;
	}
	snprintf(path, sizeof(path), "/api/v1/scavenger/%s/extend",
	    a->ca_argv[0]);
	snprintf(what, sizeof(what), "open %s", a->ca_argv[0]);
	if ((body = json_object_new_object()) == NULL)
		return SMBCTL_ERR;
	if (json_object_object_add(body, "remaining_ms",
	    json_object_new_int64((int64_t)(secs * 1000 + 0.5))) != 0) {
		json_object_put(body);
		return SMBCTL_ERR;
	}
	rv = smbctl_call(sc, "POST", path, body, what, false, &r);
	json_object_put(body);
	if (rv == -1)
		return SMBCTL_ERR;
	if (a->ca_out.oo_json)
		out_json(r.sr_obj);
	else if (out_uint(r.sr_obj, "remaining_ms", &rem)) {
		out_duration(buf, sizeof(buf), rem);
		printf("open %s waits %s more, until %s\n", a->ca_argv[0], buf,
		    out_string(r.sr_obj, "deadline") ?
		    out_string(r.sr_obj, "deadline") : "?");
	} else
		out_record(stdout, r.sr_obj, 0);
	smbctl_reply_free(&r);
	return SMBCTL_OK;
}

/* The event printer shared by the backlog and the stream. */
struct evout {
	const struct cmd_args *e_args;
	long		 e_count;	/* stop after; -1 no limit */
	long		 e_printed;
	bool		 e_header;	/* header still to print */
	struct sse	 e_sse;
};

static bool
ev_wanted(const struct cmd_args *a, const char *type)
{
	int i;

	if (a->ca_nlist == 0)
		return true;
	for (i = 0; i < a->ca_nlist; i++)
		if (fnmatch(a->ca_list[i], type, 0) == 0)
			return true;
	return false;
}

static void
ev_header(struct evout *e)
{
	const struct cmd_args *a = e->e_args;

	if (e->e_header && !a->ca_out.oo_noheader && !a->ca_out.oo_json) {
		printf("%-6s %-19s %-24s %-22s %-10s %-10s %-21s %s\n",
		    "SEQ", "TIME", "TYPE", "IDS", "USER", "SHARE", "CLIENT",
		    "PATH");
		fflush(stdout);
	}
	e->e_header = false;
}

/* Prints one event; false once --count is reached. */
static bool
ev_print(struct evout *e, struct json_object *ev)
{
	static const char *const idkeys[] = { "connection", "session",
	    "tree", "open" };
	const struct cmd_args *a = e->e_args;
	const char *type = out_string(ev, "type"), *s;
	char tbuf[64], ids[256];
	uint64_t seq = 0;
	size_t i, off = 0;
	int w;

	if (type == NULL || !json_object_is_type(ev, json_type_object))
		return true;
	if (!ev_wanted(a, type))
		return true;
	if (a->ca_out.oo_json) {
		puts(json_object_to_json_string_ext(ev, JSON_C_TO_STRING_PLAIN |
		    JSON_C_TO_STRING_NOSLASHESCAPE));
	} else {
		ev_header(e);
		out_uint(ev, "seq", &seq);
		out_format(tbuf, sizeof(tbuf), out_member(ev, "time"),
		    FMT_TIME);
		ids[0] = '\0';
		for (i = 0; i < NELEM(idkeys); i++) {
			char key[32];

			snprintf(key, sizeof(key), "ids.%s", idkeys[i]);
			if ((s = out_string(ev, key)) == NULL)
				continue;
			w = snprintf(ids + off, sizeof(ids) - off, "%s%c%s",
			    off ? " " : "", idkeys[i][0], s);
			if (w < 0 || (size_t)w >= sizeof(ids) - off)
				break;
			off += (size_t)w;
		}
		printf("%-6llu %-19s %-24s %-22s %-10s %-10s %-21s %s\n",
		    (unsigned long long)seq, tbuf, type, ids[0] ? ids : "-",
		    out_string(ev, "user") ? out_string(ev, "user") : "-",
		    out_string(ev, "share") ? out_string(ev, "share") : "-",
		    out_string(ev, "client") ? out_string(ev, "client") : "-",
		    out_string(ev, "path") ? out_string(ev, "path") : "-");
	}
	fflush(stdout);
	e->e_printed++;
	return e->e_count < 0 || e->e_printed < e->e_count;
}

static void
ev_missed(struct json_object *o)
{
	uint64_t missed = 0, after = 0;

	out_uint(o, "missed", &missed);
	out_uint(o, "after", &after);
	if (missed > 0)
		fprintf(stderr, "%s: events: %llu events after %llu are no "
		    "longer held by the server\n", smbctl_prog(),
		    (unsigned long long)missed, (unsigned long long)after);
}

/* One event's data from the stream; -1 once --count is reached. */
static int
ev_frame(const char *data, size_t len, void *arg)
{
	struct evout *e = arg;
	struct json_object *o;
	const char *type;
	int rv = 0;

	(void)len;
	if ((o = json_tokener_parse(data)) == NULL ||
	    !json_object_is_type(o, json_type_object)) {
		fprintf(stderr, "%s: events: an event that is not a JSON "
		    "object\n", smbctl_prog());
		json_object_put(o);
		return 0;
	}
	type = out_string(o, "type");
	if (type != NULL && strcmp(type, "events.missed") == 0)
		ev_missed(o);
	else if (!ev_print(e, o))
		rv = -1;
	json_object_put(o);
	return rv;
}

/* Bytes of the stream as they come. */
static int
ev_chunk(const char *p, size_t len, void *arg)
{
	struct evout *e = arg;

	if (sse_feed(&e->e_sse, p, len) == -1)
		return -1;
	return smbctl_interrupted ? -1 : 0;
}

static int
ev_follow(struct smbctl *sc, struct evout *e, const char *since)
{
	struct client_reply cr;
	char err[CLIENT_ERR_LEN], path[128], why[CLIENT_ERR_LEN];
	enum client_fail f;

	if (smbctl_connect(sc) == -1)
		return SMBCTL_ERR;
	sse_init(&e->e_sse, ev_frame, e);
	/* The header at once: following shows it is waiting. */
	ev_header(e);
	snprintf(path, sizeof(path), "/api/v1/events%s%s", since ? "?since=" :
	    "", since ? since : "");
	f = client_stream(&sc->sc_client, path, "text/event-stream", NULL,
	    ev_chunk, e, &cr, err, sizeof(err));
	sse_free(&e->e_sse);
	if (f == CLIENT_CANCELLED || (f == CLIENT_OK && smbctl_interrupted))
		return SMBCTL_OK;
	if (f != CLIENT_OK) {
		fprintf(stderr, "%s: %s\n", smbctl_prog(), err);
		return SMBCTL_ERR;
	}
	if (cr.cr_body != NULL) {
		client_reply_error(&cr, why, sizeof(why));
		fprintf(stderr, "%s: events: %s\n", smbctl_prog(), why);
		client_reply_free(&cr);
		return SMBCTL_ERR;
	}
	if (e->e_count >= 0 && e->e_printed >= e->e_count)
		return SMBCTL_OK;
	fprintf(stderr, "%s: events: the server ended the stream\n",
	    smbctl_prog());
	return SMBCTL_ERR;
}

int
cmd_events(struct smbctl *sc, const struct cmd_args *a)
{
	struct evout e;
	struct smbctl_reply r;
	struct json_object *items;
	const char *since = cmds_value(a, "since");
	char path[128];
	uint64_t next = 0, last = 0, missed;
	double secs;
	size_t i, n;
	long count;
	bool watch, more = true;
	int rv;

	if ((rv = watch_opts(a, 0, &watch, &secs, &count)) != SMBCTL_OK)
		return rv;
	if (since != NULL && !cmds_is_id(since)) {
		fprintf(stderr, "%s: events: --since \"%s\" is not an event "
		    "number\n", smbctl_prog(), since);
		return SMBCTL_USAGE;
	}
	memset(&e, 0, sizeof(e));
	e.e_args = a;
	e.e_count = count;
	e.e_header = true;
	if (cmds_flag(a, "follow"))
		return ev_follow(sc, &e, since);
	next = since != NULL ? strtoull(since, NULL, 10) : 0;
	while (more && !smbctl_interrupted) {
		snprintf(path, sizeof(path), "/api/v1/events?since=%llu&"
		    "limit=1000", (unsigned long long)next);
		if (smbctl_call(sc, "GET", path, NULL, "events", false,
		    &r) == -1)
			return SMBCTL_ERR;
		items = out_member(r.sr_obj, "items");
		if (items == NULL || !json_object_is_type(items,
		    json_type_array) || !out_uint(r.sr_obj, "next_since",
		    &next) || !out_uint(r.sr_obj, "last_seq", &last)) {
			fprintf(stderr, "%s: events: the reply is not an "
			    "event page\n", smbctl_prog());
			smbctl_reply_free(&r);
			return SMBCTL_ERR;
		}
		if (out_uint(r.sr_obj, "missed", &missed) && missed > 0)
			fprintf(stderr, "%s: events: %llu events are no "
			    "longer held by the server\n", smbctl_prog(),
			    (unsigned long long)missed);
		n = json_object_array_length(items);
		for (i = 0; i < n && more; i++)
			more = ev_print(&e,
			    json_object_array_get_idx(items, i));
		if (n == 0 || next >= last)
			more = false;
		smbctl_reply_free(&r);
	}
	if (e.e_header && !a->ca_out.oo_json && !a->ca_out.oo_noheader &&
	    e.e_printed == 0)
		printf("no events%s\n", a->ca_nlist ? " of those types" : "");
	return SMBCTL_OK;
}
