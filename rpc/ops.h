/*
 * ops.h — the REST API's one route table (STYLE.md: anything a client can
 * name is a row in a table).
 *
 * A route is a method, a path pattern, a handler and flags.  A pattern is
 * literal segments and "{name}" segments; a "{name}" segment matches one
 * non-empty path segment of at most OPS_PARAM_LEN bytes and hands it to the
 * handler.  GET routes also answer HEAD.  ops_match() tells "no such path"
 * (404) from "path exists, method does not" (405 with the Allow list).
 *
 * Handlers know nothing of libmicrohttpd: they read a struct ops_req and
 * fill a struct ops_reply, so the table can be tested without a server.
 * They run on the loop thread and reach the server only through admin.h.
 */
#ifndef RPC_OPS_H
#define RPC_OPS_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#define OPS_PATH_MAX	1024	/* longer paths match nothing */
#define OPS_PARAM_MAX	4
#define OPS_PARAM_LEN	80	/* a share name, CONF_NAME_MAX */
#define OPS_LIMIT_DEFAULT 100	/* items of a collection page */
#define OPS_LIMIT_MAX	1000
#define OPS_ALLOW_LEN	64	/* "GET, HEAD, POST, PUT, PATCH, DELETE" */
#define OPS_DETAIL_LEN	256
#define OPS_HDR_MAX	8	/* extra headers of a raw reply */

/* Route flags. */
#define OPS_AUTH	0x01	/* the TCP listener asks for the bearer token */
#define OPS_BODY	0x02	/* takes a JSON object as request body */
#define OPS_BODY_OPT	0x04	/* takes one, but may go without */

struct ops_params {
	int	 pa_n;
	char	 pa_val[OPS_PARAM_MAX][OPS_PARAM_LEN + 1];
};

struct ops_req {
	const char		*rq_method;
	const char		*rq_path;
	struct ops_params	 rq_params;
	struct json_object	*rq_body;	/* OPS_BODY routes; borrowed */
	/* Query string values by key, NULL if absent. */
	const char		*(*rq_query)(void *, const char *);
	void			*rq_query_arg;
	/* Request headers by name (any case), NULL if absent; same arg. */
	const char		*(*rq_header)(void *, const char *);
	/* Who asks, for logs and events: "unix socket", "tcp 10.0.0.1". */
	const char		*rq_via;
};

/*
 * A reply that goes on: server-sent events.  The HTTP server reads it
 * as the connection can take bytes; os_read() copies at most max bytes
 * of what is new and returns how many, 0 when there is nothing now.  The
 * server then waits for the wake-up (ops_stream_wakeup()) or its own
 * keepalive before reading again; OPS_STREAM_END ends the stream.
 */
struct ops_stream {
	size_t	(*os_read)(struct ops_stream *, char *buf, size_t max);
	void	(*os_free)(struct ops_stream *);
};
/* What os_read() returns to end the stream (out of memory). */
#define OPS_STREAM_END	((size_t)-1)

struct ops_reply {
	int			 rp_status;
	struct json_object	*rp_json;	/* owned by the reply */
	const char		*rp_data;	/* or raw bytes, not owned */
	size_t			 rp_len;
	const char		*rp_type;	/* of rp_data */
	struct ops_stream	*rp_stream;	/* or a stream, owned */
	char			*rp_buf;	/* rp_data when owned, freed */
	char			 rp_location[OPS_PATH_MAX + 1];	/* 201 */
	/*
	 * Extra headers of an rp_data reply: { name, value } pairs of static
	 * strings, a NULL name ends them.  A Cache-Control here replaces the
	 * API's "no-store" (the web UI's files, rpc/web.c).
	 */
	const char		*rp_hdr[OPS_HDR_MAX][2];
	char			 rp_detail[OPS_DETAIL_LEN];
};

/*
 * Returns 0 with rp_status and rp_json (or rp_data) set, or an errno value
 * that enc_status() turns into the HTTP status of a problem reply whose
 * detail is rp_detail (if set) or strerror().
 */
typedef int	(*ops_fn)(const struct ops_req *, struct ops_reply *);

struct ops_route {
	const char	*ro_method;
	const char	*ro_pattern;
	ops_fn		 ro_fn;
	int		 ro_flags;
};

enum ops_match {
	OPS_FOUND,
	OPS_NO_PATH,
	OPS_NO_METHOD
};

/*
 * Finds the route for method and path.  OPS_FOUND sets *route and params;
 * OPS_NO_METHOD writes the methods the path does answer into allow
 * ("GET, HEAD").
 */
enum ops_match	 ops_match(const char *method, const char *path,
		    const struct ops_route **, struct ops_params *,
		    char *allow, size_t allowlen);
/* Does path fit pattern?  Fills params from its "{name}" segments. */
bool		 ops_pattern_match(const char *pattern, const char *path,
		    struct ops_params *);
/* The table itself, for tests and listings. */
const struct ops_route *ops_routes(size_t *);

/*
 * Loads what the handlers serve from files (the OpenAPI document) at
 * start; a missing file is not an error, the route answers 404.
 */
void		 ops_init(void);
void		 ops_free(void);
/* Where the OpenAPI document was read from, NULL if not found. */
const char	*ops_openapi_path(void);

void		 ops_reply_free(struct ops_reply *);

/*
 * fn runs from the loop's before-sleep pass whenever streams may have
 * something new to read (new events); NULL stops it.
 */
void		 ops_stream_wakeup(void (*fn)(void *), void *arg);

#endif
