/*
 * test_body.c — request body validation (rpc/body.c): unknown, missing
 * and mistyped members named, and the getters' bounds.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "body.h"
#include "enc.h"

static const struct body_field fields[] = {
	{ "name",	BODY_STRING,	BODY_REQUIRED },
	{ "size",	BODY_INT,	BODY_NULLABLE },
	{ "on",		BODY_BOOL,	0 },
	{ "ids",	BODY_ARRAY,	0 },
};

static struct json_object *
obj(const char *text)
{
	struct json_object *o = NULL;
	char err[128];

	if (enc_json_parse(text, strlen(text), &o, err, sizeof(err)) == -1)
		fail_msg("%s: %s", text, err);
	return o;
}

static int
check(const char *text, char *detail, size_t len)
{
	struct json_object *o = obj(text);
	int e = body_check(o, fields, 4, detail, len);

	json_object_put(o);
	return e;
}

static void
test_body_accepts_the_described_members(void **state)
{
	char d[128];

	(void)state;
	assert_int_equal(check("{\"name\":\"a\"}", d, sizeof(d)), 0);
	assert_int_equal(check("{\"name\":\"a\",\"size\":null,\"on\":true,"
	    "\"ids\":[]}", d, sizeof(d)), 0);
}

static void
test_body_names_unknown_members(void **state)
{
	char d[128];

	(void)state;
	assert_int_equal(check("{\"name\":\"a\",\"colour\":1,\"x\":[]}", d,
	    sizeof(d)), EINVAL);
	assert_string_equal(d, "unknown members: colour, x");
}

static void
test_body_names_missing_and_mistyped_members(void **state)
{
	char d[128];

	(void)state;
	assert_int_equal(check("{}", d, sizeof(d)), EINVAL);
	assert_string_equal(d, "missing members: name");
	assert_int_equal(check("{\"name\":5}", d, sizeof(d)), EINVAL);
	assert_string_equal(d, "name must be a string");
	assert_int_equal(check("{\"name\":\"a\",\"size\":1.5}", d,
	    sizeof(d)), EINVAL);
	assert_string_equal(d, "size must be an integer or null");
	assert_int_equal(check("{\"name\":\"a\",\"on\":\"yes\",\"size\":"
	    "\"1\"}", d, sizeof(d)), EINVAL);
	assert_string_equal(d, "members of the wrong type: on, size");
	assert_int_equal(check("{\"name\":null}", d, sizeof(d)), EINVAL);
}

static void
test_body_long_lists_are_cut_safely(void **state)
{
	char d[24], text[4096];
	size_t off;
	int i;

	(void)state;
	off = (size_t)snprintf(text, sizeof(text), "{\"name\":\"a\"");
	for (i = 0; i < 100; i++)
		off += (size_t)snprintf(text + off, sizeof(text) - off,
		    ",\"member%d\":1", i);
	snprintf(text + off, sizeof(text) - off, "}");
	assert_int_equal(check(text, d, sizeof(d)), EINVAL);
	assert_int_equal(strlen(d), sizeof(d) - 1);
}

static void
test_body_int_bounds(void **state)
{
	struct json_object *o;
	int64_t v = 0;
	bool isnull;
	char d[128];

	(void)state;
	o = obj("{\"a\":5,\"b\":-1,\"c\":null,\"big\":18446744073709551615,"
	    "\"huge\":9223372036854775807}");
	assert_int_equal(body_int(o, "a", 1, 10, &v, &isnull, d, sizeof(d)),
	    0);
	assert_int_equal(v, 5);
	assert_false(isnull);
	assert_int_equal(body_int(o, "b", 0, 10, &v, NULL, d, sizeof(d)),
	    EINVAL);
	assert_string_equal(d, "b must be 0 to 10");
	assert_int_equal(body_int(o, "c", 0, 10, &v, &isnull, d, sizeof(d)),
	    0);
	assert_true(isnull);
	assert_int_equal(body_int(o, "big", 0, INT64_MAX, &v, NULL, d,
	    sizeof(d)), EINVAL);
	assert_int_equal(body_int(o, "huge", 0, INT64_MAX, &v, NULL, d,
	    sizeof(d)), 0);
	assert_int_equal(body_int(o, "absent", 0, 1, &v, NULL, d, sizeof(d)),
	    1);
	json_object_put(o);
}

static void
test_body_string_and_bool(void **state)
{
	struct json_object *o;
	const char *s = NULL;
	bool b = false;
	char d[128];

	(void)state;
	o = obj("{\"s\":\"hello\",\"nul\":\"a\\u0000b\",\"t\":true}");
	assert_int_equal(body_string(o, "s", 5, &s, d, sizeof(d)), 0);
	assert_string_equal(s, "hello");
	assert_int_equal(body_string(o, "s", 4, &s, d, sizeof(d)), EINVAL);
	assert_string_equal(d, "s is longer than 4 bytes");
	assert_int_equal(body_string(o, "nul", 10, &s, d, sizeof(d)), EINVAL);
	assert_int_equal(body_string(o, "none", 10, &s, d, sizeof(d)), 1);
	assert_int_equal(body_bool(o, "t", &b), 0);
	assert_true(b);
	assert_int_equal(body_bool(o, "none", &b), 1);
	json_object_put(o);
	/* No body at all is an empty object. */
	assert_int_equal(body_check(NULL, fields, 4, d, sizeof(d)), EINVAL);
	assert_string_equal(d, "missing members: name");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_body_accepts_the_described_members),
		cmocka_unit_test(test_body_names_unknown_members),
		cmocka_unit_test(test_body_names_missing_and_mistyped_members),
		cmocka_unit_test(test_body_long_lists_are_cut_safely),
		cmocka_unit_test(test_body_int_bounds),
		cmocka_unit_test(test_body_string_and_bool),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
