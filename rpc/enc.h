/*
 * enc.h — the REST API's encoding: admin records to JSON, errors to
 * application/problem+json, errno to HTTP status.
 *
 * One place decides how things look on the wire (DESIGN.md, "The REST
 * API"): snake_case names, 64-bit ids as decimal strings, times as RFC 3339
 * UTC with milliseconds, durations as integer milliseconds.  Nothing here
 * knows about HTTP connections; http.c sends what these functions build.
 */
#ifndef RPC_ENC_H
#define RPC_ENC_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <json-c/json.h>

#include "admin.h"
#include "http.h"

/* "2026-11-17T08:53:20.000Z" and its NUL, with room to spare. */
#define ENC_TIME_LEN	32
/* Deepest nesting accepted in a request body. */
#define ENC_JSON_DEPTH	32

/* Formats ts as RFC 3339 UTC with milliseconds; -1 if it does not fit. */
int		 enc_time(char *, size_t, const struct timespec *);
struct json_object *enc_time_json(const struct timespec *);
/* A 64-bit id as a JSON string: JSON readers lose precision past 2^53. */
struct json_object *enc_id(uint64_t);

/* The HTTP status for an errno value from admin_*(); 500 if unknown. */
int		 enc_status(int err);
/* The reason phrase of an HTTP status ("Not Found"). */
const char	*enc_status_title(int status);
/* {type, title, status, detail}; detail NULL: the title again. */
struct json_object *enc_problem(int status, const char *detail);

struct json_object *enc_server(const struct admin_server *);
/*
 * Adds what the TCP listener runs to a server record: "admin_url"
 * ("https://127.0.0.1:8445", null without a listener) and "admin_tls"
 * (certificate, subject, not_after; null for plain HTTP).  0 or -1.
 */
int		 enc_server_tcp(struct json_object *, const struct http_tcp_info *);

/*
 * Admin records, with the MS-SRVS structure each mirrors named in
 * rpc/openapi.yaml.  Masks leave twice: "x": "0x0012019f" and
 * "x_names": ["FILE_READ_DATA", ...]; bits without a name are listed as
 * hex ("0x00000200") so nothing is hidden.
 */
struct json_object *enc_statistics(const struct admin_stats *);
struct json_object *enc_conn(const struct admin_conn *);
struct json_object *enc_session(const struct admin_session *);
struct json_object *enc_tree(const struct admin_tree *);
struct json_object *enc_open(const struct admin_open *);
struct json_object *enc_share(const struct admin_share *);
/* A user: name and enabled, never the hash. */
struct json_object *enc_user(const struct admin_user *);
/* A pending open of the scavenger, and one of its two timers. */
struct json_object *enc_scav(const struct admin_scav *);
struct json_object *enc_scav_timer(const struct admin_scav_timer *);
struct json_object *enc_event(const struct event *);

/* Mask tables for enc_mask(). */
enum enc_mask_kind {
	ENC_MASK_ACCESS,	/* MS-SMB2 2.2.13.1 access mask */
	ENC_MASK_SHARE_ACCESS,	/* MS-SMB2 2.2.13 ShareAccess */
	ENC_MASK_OPLOCK,	/* MS-SMB2 2.2.13 OplockLevel (a value) */
	ENC_MASK_STYPE,		/* MS-SRVS 2.2.2.4 share type */
	ENC_MASK_USER_FLAGS,	/* MS-SRVS 2.2.2.3 session user flags */
	ENC_MASK_LEASE		/* MS-SMB2 2.2.13.2.8 LeaseState */
};
/* Adds key (hex) and key_names to o; 0, or -1 on ENOMEM. */
int		 enc_mask(struct json_object *o, const char *key,
		    enum enc_mask_kind, uint32_t value);

/*
 * Parses a request body that must be exactly one JSON object (whitespace
 * around it allowed).  Returns 0, or -1 with a reason in err.
 */
int		 enc_json_parse(const char *, size_t, struct json_object **,
		    char *err, size_t errlen);
/* The text of obj plus a newline, malloc'd; NULL on ENOMEM. */
char		*enc_text(struct json_object *, size_t *lenp);

#endif
