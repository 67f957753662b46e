/*
 * body.h — field-by-field validation of JSON request bodies.
 *
 * http.c has already parsed the body into one JSON object (enc.c); a
 * handler describes the members it takes as a table and body_check()
 * refuses, with a detail that names them, unknown members, missing
 * required ones, and members of the wrong JSON type.  All three are
 * EINVAL (422: understood, refused).  The getters then read members
 * whose type is known to be right, checking lengths and ranges.
 */
#ifndef RPC_BODY_H
#define RPC_BODY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

enum body_type {
	BODY_STRING,
	BODY_BOOL,
	BODY_INT,		/* an integer (no fraction, no exponent) */
	BODY_ARRAY
};

/* Member flags. */
#define BODY_REQUIRED	0x01
#define BODY_NULLABLE	0x02	/* null is accepted as well */

struct body_field {
	const char	*bf_name;
	enum body_type	 bf_type;
	int		 bf_flags;
};

/*
 * 0, or EINVAL with a detail naming the members at fault ("unknown
 * members: colour, size").  o NULL is an empty object.
 */
int	body_check(struct json_object *o, const struct body_field *,
	    size_t nfields, char *detail, size_t len);

/*
 * Getters for members body_check() passed: 0 and the value, 1 when the
 * member is absent (out untouched), or EINVAL with a detail.  A null of
 * a BODY_NULLABLE member is reported as *isnull (may be NULL otherwise).
 */
int	body_string(struct json_object *o, const char *name, size_t maxlen,
	    const char **out, char *detail, size_t len);
int	body_bool(struct json_object *o, const char *name, bool *out);
int	body_int(struct json_object *o, const char *name, int64_t min,
	    int64_t max, int64_t *out, bool *isnull, char *detail,
	    size_t len);

#endif
