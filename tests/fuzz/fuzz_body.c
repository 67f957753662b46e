/*
 * fuzz_body.c — libFuzzer harness for request bodies: the JSON parser of
 * the API (enc_json_parse()) followed by the member checks and getters
 * of rpc/body.c, with the member tables the share, user and scavenger
 * routes use.  Nothing may crash or leak; a detail is always a string.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "body.h"
#include "enc.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const struct body_field share_fields[] = {
	{ "name",		BODY_STRING,	BODY_REQUIRED },
	{ "path",		BODY_STRING,	BODY_REQUIRED },
	{ "comment",		BODY_STRING,	0 },
	{ "read_only",		BODY_BOOL,	0 },
	{ "max_uses",		BODY_INT,	BODY_NULLABLE },
	{ "ids",		BODY_ARRAY,	0 },
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_object *o = NULL;
	const char *s;
	char err[256], d[256];
	int64_t v;
	bool b, isnull;

	if (enc_json_parse((const char *)data, size, &o, err, sizeof(err)) ==
	    -1) {
		if (strlen(err) >= sizeof(err))
			abort();
		return 0;
	}
	d[0] = '\0';
	if (body_check(o, share_fields, 6, d, sizeof(d)) == 0) {
		(void)body_string(o, "name", 80, &s, d, sizeof(d));
		(void)body_string(o, "comment", 255, &s, d, sizeof(d));
		(void)body_bool(o, "read_only", &b);
		(void)body_int(o, "max_uses", 1, 16777215, &v, &isnull, d,
		    sizeof(d));
	} else if (d[0] == '\0')
		abort();
	json_object_put(o);
	return 0;
}
