/*
 * ops_events.c — GET /api/v1/events: the event ring as JSON, or as a
 * stream of server-sent events (see rpc/openapi.yaml).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "enc.h"
#include "ops.h"
#include "ops_int.h"


/*
 * A server-sent event stream (WHATWG HTML, "Server-sent events"): one
 * "id: SEQ" and "data: JSON" frame per record, so a client resumes with
 * Last-Event-ID.  When the ring has moved past what the client had, an
 * id-less frame of type "events.missed" says how many records it lost.
 */
struct ops_evstream {
	struct ops_stream	 es_os;		/* first: http.c holds this */
	uint64_t		 es_seq;	/* last seq framed */
	char			*es_buf;	/* framed, not yet read */
	size_t			 es_len;
	size_t			 es_off;
	bool			 es_hello;
};

struct ops_evone {
	struct json_object	*o;
	uint64_t		 seq;
	bool			 bad;
};

static int
ops_evone_cb(const struct event *ev, void *arg)
{
	struct ops_evone *one = arg;

	one->seq = ev->ev_seq;
	if ((one->o = enc_event(ev)) == NULL)
		one->bad = true;
	return 1;		/* one at a time */
}

/* Frames what is new into es_buf: 1, 0 when nothing is, -1 on ENOMEM. */
static int
ops_evstream_fill(struct ops_evstream *es)
{
	struct ops_evone one;
	char head[192];
	const char *json = "";
	uint64_t missed, after = es->es_seq;
	int n;

	free(es->es_buf);
	es->es_buf = NULL;
	es->es_len = es->es_off = 0;
	head[0] = '\0';
	if (!es->es_hello) {
		/* At once, so the client has the headers before any event. */
		es->es_hello = true;
		snprintf(head, sizeof(head), ": smbsrvd events after %llu\n"
		    "retry: 3000\n\n", (unsigned long long)es->es_seq);
		if ((es->es_buf = strdup(head)) == NULL)
			return -1;
		es->es_len = strlen(head);
		return 1;
	}
	memset(&one, 0, sizeof(one));
	missed = admin_events_since(es->es_seq, ops_evone_cb, &one);
	if (one.bad)
		return -1;
	if (missed > 0)
		snprintf(head, sizeof(head), "data: {\"type\":"
		    "\"events.missed\",\"missed\":%llu,\"after\":%llu,"
		    "\"first_seq\":%llu}\n\n", (unsigned long long)missed,
		    (unsigned long long)after,
		    (unsigned long long)admin_events_first_seq());
	if (one.o == NULL && missed == 0)
		return 0;
	if (one.o != NULL) {
		json = json_object_to_json_string_ext(one.o,
		    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
		es->es_seq = one.seq;
	} else
		es->es_seq = admin_events_first_seq() - 1;
	n = one.o != NULL ? asprintf(&es->es_buf, "%sid: %llu\ndata: %s\n\n",
	    head, (unsigned long long)one.seq, json != NULL ? json : "null") :
	    asprintf(&es->es_buf, "%s", head);
	json_object_put(one.o);
	if (n < 0) {
		es->es_buf = NULL;
		return -1;
	}
	es->es_len = (size_t)n;
	return 1;
}

static size_t
ops_evstream_read(struct ops_stream *os, char *buf, size_t max)
{
	struct ops_evstream *es = (struct ops_evstream *)os;
	size_t done = 0, n;
	int r;

	while (done < max) {
		if (es->es_off == es->es_len) {
			if ((r = ops_evstream_fill(es)) == -1)
				return done > 0 ? done : OPS_STREAM_END;
			if (r == 0)
				break;
		}
		n = es->es_len - es->es_off;
		if (n > max - done)
			n = max - done;
		memcpy(buf + done, es->es_buf + es->es_off, n);
		es->es_off += n;
		done += n;
	}
	return done;
}

static void
ops_evstream_free(struct ops_stream *os)
{
	struct ops_evstream *es = (struct ops_evstream *)os;

	free(es->es_buf);
	free(es);
}

static struct events_sub	 ops_wake_sub;
static void			(*ops_wake_fn)(void *);
static void			*ops_wake_arg;

static void
ops_wake_cb(uint64_t last, void *arg)
{
	(void)last;
	(void)arg;
	if (ops_wake_fn != NULL)
		ops_wake_fn(ops_wake_arg);
}

void
ops_stream_wakeup(void (*fn)(void *), void *arg)
{
	ops_wake_fn = fn;
	ops_wake_arg = arg;
	if (fn != NULL)
		admin_events_subscribe(&ops_wake_sub, ops_wake_cb, NULL);
	else
		admin_events_unsubscribe(&ops_wake_sub);
}

struct ops_evlist {
	struct json_object	*items;
	size_t			 limit;
	size_t			 n;
	uint64_t		 last;
	int			 err;
};

static int
ops_evlist_cb(const struct event *ev, void *arg)
{
	struct ops_evlist *el = arg;
	struct json_object *o;

	if (el->n == el->limit)
		return 1;
	if ((o = enc_event(ev)) == NULL ||
	    json_object_array_add(el->items, o) != 0) {
		json_object_put(o);
		el->err = ENOMEM;
		return 1;
	}
	el->n++;
	el->last = ev->ev_seq;
	return 0;
}

/*
 * GET events: the backlog after since as JSON, or with Accept:
 * text/event-stream a stream that starts after Last-Event-ID, else after
 * since, else at the newest record.  A since beyond the newest seq comes
 * from an earlier run of the server (seq starts at 1 at every start):
 * everything held is new to that client.
 */
int
ops_events(const struct ops_req *rq, struct ops_reply *rp)
{
	struct ops_evstream *es;
	struct ops_evlist el;
	struct json_object *o;
	const char *accept = ops_header(rq, "Accept");
	const char *lei = ops_header(rq, "Last-Event-ID");
	const char *since_s = ops_query(rq, "since");
	const char *cursor = ops_query(rq, "cursor");
	uint64_t since = 0, missed, last;
	size_t limit;
	bool stream;
	int err, bad = 0;

	stream = strcmp(rq->rq_method, "GET") == 0 && accept != NULL &&
	    strcasestr(accept, "text/event-stream") != NULL;
	if ((err = ops_limit(rq, rp, &limit)) != 0)
		return err;
	/*
	 * cursor, as on every collection: the next_cursor of a page.  It
	 * wins over since, so a client that keeps its first query and adds
	 * the cursor (?since=0&cursor=N) walks forward instead of fetching
	 * the first page again and again.
	 */
	if (cursor != NULL)
		since_s = cursor;
	if (since_s != NULL && ops_parse_u64(since_s, &since) == -1) {
		snprintf(rp->rp_detail, sizeof(rp->rp_detail),
		    "since must be an event seq (a decimal number)");
		return EBADMSG;
	}
	if (stream && lei != NULL && ops_parse_u64(lei, &since) == -1) {
		snprintf(rp->rp_detail, sizeof(rp->rp_detail),
		    "Last-Event-ID must be an event seq (a decimal number)");
		return EBADMSG;
	}
	last = admin_events_last_seq();
	if (stream && lei == NULL && since_s == NULL)
		since = last;
	if (since > last)
		since = 0;

	if (stream) {
		if ((es = calloc(1, sizeof(*es))) == NULL)
			return ENOMEM;
		es->es_os.os_read = ops_evstream_read;
		es->es_os.os_free = ops_evstream_free;
		es->es_seq = since;
		rp->rp_stream = &es->es_os;
		rp->rp_type = "text/event-stream";
		rp->rp_status = 200;
		return 0;
	}

	memset(&el, 0, sizeof(el));
	el.limit = limit;
	el.last = since;
	if ((el.items = json_object_new_array()) == NULL)
		return ENOMEM;
	missed = admin_events_since(since, ops_evlist_cb, &el);
	if (el.err != 0 || (o = json_object_new_object()) == NULL) {
		json_object_put(el.items);
		return ENOMEM;
	}
	bad |= json_object_object_add(o, "items", el.items);
	bad |= json_object_object_add(o, "missed",
	    json_object_new_uint64(missed));
	bad |= json_object_object_add(o, "first_seq",
	    json_object_new_uint64(admin_events_first_seq()));
	bad |= json_object_object_add(o, "last_seq",
	    json_object_new_uint64(last));
	bad |= json_object_object_add(o, "next_since",
	    json_object_new_uint64(el.last));
	bad |= json_object_object_add(o, "next_cursor",
	    el.n == el.limit && el.last < last ? enc_id(el.last) : NULL);
	if (bad) {
		json_object_put(o);
		return ENOMEM;
	}
	rp->rp_json = o;
	rp->rp_status = 200;
	return 0;
}
