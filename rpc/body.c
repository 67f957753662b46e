/*
 * body.c — field-by-field validation of JSON request bodies (body.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "body.h"

static const char *const body_type_names[] = {
	[BODY_STRING] = "a string",
	[BODY_BOOL] = "true or false",
	[BODY_INT] = "an integer",
	[BODY_ARRAY] = "an array",
};

static const struct body_field *
body_field_find(const struct body_field *f, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(f[i].bf_name, name) == 0)
			return &f[i];
	return NULL;
}

static bool
body_type_ok(struct json_object *v, const struct body_field *f)
{
	if (v == NULL)
		return (f->bf_flags & BODY_NULLABLE) != 0;
	switch (f->bf_type) {
	case BODY_STRING:
		return json_object_is_type(v, json_type_string);
	case BODY_BOOL:
		return json_object_is_type(v, json_type_boolean);
	case BODY_INT:
		return json_object_is_type(v, json_type_int);
	case BODY_ARRAY:
		return json_object_is_type(v, json_type_array);
	}
	return false;
}

/* Appends ", name" (or "name") to buf, truncating safely. */
static void
body_list_add(char *buf, size_t len, const char *name)
{
	size_t have = strlen(buf);

	if (have + 1 >= len)
		return;
	snprintf(buf + have, len - have, "%s%.64s", have ? ", " : "", name);
}

int
body_check(struct json_object *o, const struct body_field *fields,
    size_t n, char *detail, size_t len)
{
	char unknown[160] = "", wrong[160] = "", missing[160] = "";
	const struct body_field *f;
	struct json_object *v;
	size_t i;

	if (o != NULL && !json_object_is_type(o, json_type_object)) {
		snprintf(detail, len, "the body must be a JSON object");
		return EINVAL;
	}
	if (o != NULL) {
		json_object_object_foreach(o, key, val) {
			if ((f = body_field_find(fields, n, key)) == NULL)
				body_list_add(unknown, sizeof(unknown), key);
			else if (!body_type_ok(val, f))
				body_list_add(wrong, sizeof(wrong), key);
		}
	}
	for (i = 0; i < n; i++)
		if ((fields[i].bf_flags & BODY_REQUIRED) && (o == NULL ||
		    !json_object_object_get_ex(o, fields[i].bf_name, &v)))
			body_list_add(missing, sizeof(missing),
			    fields[i].bf_name);
	if (unknown[0] != '\0') {
		snprintf(detail, len, "unknown members: %s", unknown);
		return EINVAL;
	}
	if (missing[0] != '\0') {
		snprintf(detail, len, "missing members: %s", missing);
		return EINVAL;
	}
	if (wrong[0] != '\0') {
		/* Name the type wanted when one member is wrong. */
		f = strchr(wrong, ',') == NULL ?
		    body_field_find(fields, n, wrong) : NULL;
		if (f != NULL)
			snprintf(detail, len, "%s must be %s%s", wrong,
			    body_type_names[f->bf_type],
			    (f->bf_flags & BODY_NULLABLE) ? " or null" : "");
		else
			snprintf(detail, len, "members of the wrong type: %s",
			    wrong);
		return EINVAL;
	}
	return 0;
}

int
body_string(struct json_object *o, const char *name, size_t maxlen,
    const char **out, char *detail, size_t len)
{
	struct json_object *v;
	const char *s;
	int n;

	if (o == NULL || !json_object_object_get_ex(o, name, &v) || v == NULL)
		return 1;
	s = json_object_get_string(v);
	n = json_object_get_string_len(v);
	if (s == NULL || n < 0 || (size_t)n > maxlen) {
		snprintf(detail, len, "%s is longer than %zu bytes", name,
		    maxlen);
		return EINVAL;
	}
	if (strlen(s) != (size_t)n) {
		snprintf(detail, len, "%s contains a NUL character", name);
		return EINVAL;
	}
	*out = s;
	return 0;
}

int
body_bool(struct json_object *o, const char *name, bool *out)
{
	struct json_object *v;

	if (o == NULL || !json_object_object_get_ex(o, name, &v) || v == NULL)
		return 1;
	*out = json_object_get_boolean(v) != 0;
	return 0;
}

int
body_int(struct json_object *o, const char *name, int64_t min, int64_t max,
    int64_t *out, bool *isnull, char *detail, size_t len)
{
	struct json_object *v;
	int64_t x;

	if (isnull != NULL)
		*isnull = false;
	if (o == NULL || !json_object_object_get_ex(o, name, &v))
		return 1;
	if (v == NULL) {
		if (isnull != NULL)
			*isnull = true;
		return 0;
	}
	/*
	 * json-c keeps integers past INT64_MAX as unsigned; errno tells a
	 * value that did not fit from one that did.
	 */
	errno = 0;
	x = json_object_get_int64(v);
	if (errno != 0 || x < min || x > max ||
	    (x == INT64_MAX && json_object_get_uint64(v) > INT64_MAX)) {
		snprintf(detail, len, "%s must be %lld to %lld", name,
		    (long long)min, (long long)max);
		return EINVAL;
	}
	*out = x;
	return 0;
}
