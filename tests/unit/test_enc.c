/*
 * test_enc.c — rpc/enc.c: RFC 3339 times, ids as strings, the errno to
 * HTTP status table, problem+json, the server record and request bodies.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "enc.h"

static void
test_enc_time_is_rfc3339_utc_with_ms(void **state)
{
	struct timespec ts;
	char buf[ENC_TIME_LEN];

	(void)state;
	ts.tv_sec = 0;
	ts.tv_nsec = 0;
	assert_int_equal(enc_time(buf, sizeof(buf), &ts), 0);
	assert_string_equal(buf, "1970-01-01T00:00:00.000Z");
	ts.tv_sec = 1795000000;
	ts.tv_nsec = 999999999;		/* truncated, never rounded up */
	assert_int_equal(enc_time(buf, sizeof(buf), &ts), 0);
	assert_string_equal(buf, "2026-11-18T11:06:40.999Z");
	ts.tv_sec = 951782400;		/* a leap day */
	ts.tv_nsec = 7000000;
	assert_int_equal(enc_time(buf, sizeof(buf), &ts), 0);
	assert_string_equal(buf, "2000-02-29T00:00:00.007Z");
}

static void
test_enc_time_refuses_small_buffer_and_far_years(void **state)
{
	struct timespec ts = { 1795000000, 0 };
	char buf[ENC_TIME_LEN];

	(void)state;
	assert_int_equal(enc_time(buf, 24, &ts), -1);	/* needs 25 */
	assert_int_equal(enc_time(buf, 25, &ts), 0);
	ts.tv_sec = 253402300800;	/* 10000-01-01 */
	assert_int_equal(enc_time(buf, sizeof(buf), &ts), -1);
	assert_null(enc_time_json(&ts));
}

static void
test_enc_id_is_decimal_string(void **state)
{
	struct json_object *o;

	(void)state;
	o = enc_id(UINT64_MAX);
	assert_true(json_object_is_type(o, json_type_string));
	assert_string_equal(json_object_get_string(o),
	    "18446744073709551615");
	json_object_put(o);
	o = enc_id(2268251408);
	assert_string_equal(json_object_get_string(o), "2268251408");
	json_object_put(o);
}

static void
test_enc_status_maps_errno(void **state)
{
	(void)state;
	assert_int_equal(enc_status(0), 200);
	assert_int_equal(enc_status(EBADMSG), 400);
	assert_int_equal(enc_status(EACCES), 403);
	assert_int_equal(enc_status(EPERM), 403);
	assert_int_equal(enc_status(ENOENT), 404);
	assert_int_equal(enc_status(EEXIST), 409);
	assert_int_equal(enc_status(EBUSY), 409);
	assert_int_equal(enc_status(EFBIG), 413);
	assert_int_equal(enc_status(EINVAL), 422);
	assert_int_equal(enc_status(ERANGE), 422);
	assert_int_equal(enc_status(ENOTSUP), 501);
	assert_int_equal(enc_status(ENOMEM), 503);
	assert_int_equal(enc_status(ENOSPC), 507);
	/* Anything not in the table is the server's fault. */
	assert_int_equal(enc_status(EIO), 500);
	assert_int_equal(enc_status(-1), 500);
}

static void
test_enc_status_title_has_reason_phrases(void **state)
{
	(void)state;
	assert_string_equal(enc_status_title(404), "Not Found");
	assert_string_equal(enc_status_title(405), "Method Not Allowed");
	assert_string_equal(enc_status_title(413), "Content Too Large");
	assert_string_equal(enc_status_title(422), "Unprocessable Content");
	assert_string_equal(enc_status_title(599), "Server Error");
	assert_string_equal(enc_status_title(499), "Client Error");
}

static void
test_enc_problem_has_the_four_members(void **state)
{
	struct json_object *o, *v;

	(void)state;
	o = enc_problem(404, "no session 7");
	assert_non_null(o);
	assert_int_equal(json_object_object_length(o), 4);
	assert_true(json_object_object_get_ex(o, "type", &v));
	assert_string_equal(json_object_get_string(v), "about:blank");
	assert_true(json_object_object_get_ex(o, "title", &v));
	assert_string_equal(json_object_get_string(v), "Not Found");
	assert_true(json_object_object_get_ex(o, "status", &v));
	assert_true(json_object_is_type(v, json_type_int));
	assert_int_equal(json_object_get_int(v), 404);
	assert_true(json_object_object_get_ex(o, "detail", &v));
	assert_string_equal(json_object_get_string(v), "no session 7");
	json_object_put(o);

	o = enc_problem(500, NULL);
	assert_true(json_object_object_get_ex(o, "detail", &v));
	assert_string_equal(json_object_get_string(v),
	    "Internal Server Error");
	json_object_put(o);
}

static void
test_enc_server_record(void **state)
{
	struct admin_server as;
	struct json_object *o, *v;
	static const char *const keys[] = {
		"name", "version", "guid", "start_time", "uptime_ms",
		"config_file", "state_directory", "smb_listen", "admin_socket",
		"admin_listen", "log_level", "connections", "shares", "reloads",
		"durable_timeout_ms", "durable_timeout_max_ms",
		"resilient_timeout_ms", "resilient_timeout_max_ms",
	};
	size_t i;

	(void)state;
	memset(&as, 0, sizeof(as));
	snprintf(as.name, sizeof(as.name), "fs1");
	snprintf(as.version, sizeof(as.version), "0.1.0");
	as.start.tv_sec = 1795000000;
	as.start.tv_nsec = 123456789;
	as.uptime_ms = UINT64_C(1) << 60;
	snprintf(as.config_file, sizeof(as.config_file), "/etc/smbsrvd.conf");
	snprintf(as.smb_listen[0], sizeof(as.smb_listen[0]), "[::]:445");
	as.nsmb_listen = 1;
	snprintf(as.admin_listen, sizeof(as.admin_listen), "127.0.0.1:8445");
	as.reloads = 3;
	as.durable_timeout_max_ms = 45000;

	o = enc_server(&as);
	assert_non_null(o);
	assert_int_equal(json_object_object_length(o),
	    sizeof(keys) / sizeof(keys[0]));
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		assert_true(json_object_object_get_ex(o, keys[i], NULL));
	assert_true(json_object_object_get_ex(o, "start_time", &v));
	assert_string_equal(json_object_get_string(v),
	    "2026-11-18T11:06:40.123Z");
	assert_true(json_object_object_get_ex(o, "uptime_ms", &v));
	assert_true(json_object_get_uint64(v) == UINT64_C(1) << 60);
	assert_true(json_object_object_get_ex(o, "durable_timeout_max_ms",
	    &v));
	assert_int_equal(json_object_get_uint64(v), 45000);
	assert_true(json_object_object_get_ex(o, "config_file", &v));
	assert_string_equal(json_object_get_string(v), "/etc/smbsrvd.conf");
	/* Empty means none, and none is null. */
	assert_true(json_object_object_get_ex(o, "admin_socket", &v));
	assert_null(v);
	assert_true(json_object_object_get_ex(o, "admin_listen", &v));
	assert_string_equal(json_object_get_string(v), "127.0.0.1:8445");
	assert_true(json_object_object_get_ex(o, "smb_listen", &v));
	assert_int_equal(json_object_array_length(v), 1);
	assert_string_equal(json_object_get_string(
	    json_object_array_get_idx(v, 0)), "[::]:445");
	json_object_put(o);

	as.config_file[0] = '\0';
	o = enc_server(&as);
	assert_true(json_object_object_get_ex(o, "config_file", &v));
	assert_null(v);
	json_object_put(o);
}

static void
test_enc_server_tcp_says_http_or_https(void **state)
{
	struct http_tcp_info hi;
	struct json_object *o, *v, *c;

	(void)state;
	memset(&hi, 0, sizeof(hi));
	assert_non_null(o = json_object_new_object());
	assert_int_equal(enc_server_tcp(o, &hi), 0);
	assert_true(json_object_object_get_ex(o, "admin_url", &v));
	assert_null(v);
	assert_true(json_object_object_get_ex(o, "admin_tls", &v));
	assert_null(v);
	json_object_put(o);

	snprintf(hi.hi_listen, sizeof(hi.hi_listen), "[::1]:8445");
	assert_non_null(o = json_object_new_object());
	assert_int_equal(enc_server_tcp(o, &hi), 0);
	assert_true(json_object_object_get_ex(o, "admin_url", &v));
	assert_string_equal(json_object_get_string(v), "http://[::1]:8445");
	json_object_put(o);

	hi.hi_tls = true;
	snprintf(hi.hi_cert, sizeof(hi.hi_cert), "/etc/smbsrvd/admin.crt");
	snprintf(hi.hi_subject, sizeof(hi.hi_subject), "CN=fs1");
	hi.hi_not_after = 1795000000;
	assert_non_null(o = json_object_new_object());
	assert_int_equal(enc_server_tcp(o, &hi), 0);
	assert_int_equal(json_object_object_length(o), 2);
	assert_true(json_object_object_get_ex(o, "admin_url", &v));
	assert_string_equal(json_object_get_string(v), "https://[::1]:8445");
	assert_true(json_object_object_get_ex(o, "admin_tls", &v));
	assert_int_equal(json_object_object_length(v), 3);
	assert_true(json_object_object_get_ex(v, "certificate", &c));
	assert_string_equal(json_object_get_string(c),
	    "/etc/smbsrvd/admin.crt");
	assert_true(json_object_object_get_ex(v, "subject", &c));
	assert_string_equal(json_object_get_string(c), "CN=fs1");
	assert_true(json_object_object_get_ex(v, "not_after", &c));
	assert_string_equal(json_object_get_string(c),
	    "2026-11-18T11:06:40.000Z");
	json_object_put(o);
}

static void
test_enc_json_parse_takes_one_object(void **state)
{
	struct json_object *o, *v;
	char err[128];

	(void)state;
	assert_int_equal(enc_json_parse(" {\"a\": [1, 2]}\r\n", 16, &o, err,
	    sizeof(err)), 0);
	assert_true(json_object_object_get_ex(o, "a", &v));
	assert_int_equal(json_object_array_length(v), 2);
	json_object_put(o);
}

static void
test_enc_json_parse_refuses_bad_bodies(void **state)
{
	static const char *const bad[] = {
		"", "   ", "[1]", "\"s\"", "42", "null", "{", "{\"a\":1",
		"{\"a\":1}x", "{\"a\":1}{}", "{\"a\":1,}", "{\"a\":NaN}",
		"{\"a\":[-Infinity]}", "{\"a\":\"\xff\"}",
	};
	struct json_object *o;
	char err[128], deep[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_equal(enc_json_parse(bad[i], strlen(bad[i]), &o,
		    err, sizeof(err)), -1);
		assert_null(o);
		assert_true(err[0] != '\0');
	}
	/* A NUL inside the body. */
	assert_int_equal(enc_json_parse("{}\0{}", 5, &o, err, sizeof(err)),
	    -1);
	/* Nesting deeper than ENC_JSON_DEPTH. */
	snprintf(deep, sizeof(deep), "{\"a\":");
	for (i = 0; i < ENC_JSON_DEPTH; i++)
		strcat(deep, "[");
	for (i = 0; i < ENC_JSON_DEPTH; i++)
		strcat(deep, "]");
	strcat(deep, "}");
	assert_int_equal(enc_json_parse(deep, strlen(deep), &o, err,
	    sizeof(err)), -1);
}

static void
test_enc_text_ends_in_newline(void **state)
{
	struct json_object *o;
	char *t;
	size_t len;

	(void)state;
	o = json_object_new_object();
	json_object_object_add(o, "path", json_object_new_string("/a/b"));
	t = enc_text(o, &len);
	assert_non_null(t);
	/* No "\/" escapes: paths stay readable. */
	assert_string_equal(t, "{\"path\":\"/a/b\"}\n");
	assert_int_equal(len, strlen(t));
	free(t);
	json_object_put(o);
}

/* The member's string value; fails the test if it is not a string. */
static const char *
str(struct json_object *o, const char *k)
{
	struct json_object *v;

	assert_true(json_object_object_get_ex(o, k, &v));
	assert_true(json_object_is_type(v, json_type_string));
	return json_object_get_string(v);
}

static bool
is_null(struct json_object *o, const char *k)
{
	struct json_object *v;

	assert_true(json_object_object_get_ex(o, k, &v));
	return v == NULL;
}

static uint64_t
num(struct json_object *o, const char *k)
{
	struct json_object *v;

	assert_true(json_object_object_get_ex(o, k, &v));
	assert_true(json_object_is_type(v, json_type_int));
	return json_object_get_uint64(v);
}

/* The names array as "A,B,C". */
static const char *
names(struct json_object *o, const char *k)
{
	static char buf[512];
	struct json_object *a;
	size_t i, n;

	assert_true(json_object_object_get_ex(o, k, &a));
	assert_true(json_object_is_type(a, json_type_array));
	buf[0] = '\0';
	n = json_object_array_length(a);
	for (i = 0; i < n; i++) {
		strncat(buf, i > 0 ? "," : "", sizeof(buf) - strlen(buf) - 1);
		strncat(buf, json_object_get_string(
		    json_object_array_get_idx(a, i)),
		    sizeof(buf) - strlen(buf) - 1);
	}
	return buf;
}

static void
test_enc_mask_is_hex_and_names(void **state)
{
	struct json_object *o;

	(void)state;
	o = json_object_new_object();
	assert_int_equal(enc_mask(o, "permissions", ENC_MASK_ACCESS,
	    0x00120089), 0);
	assert_string_equal(str(o, "permissions"), "0x00120089");
	assert_string_equal(names(o, "permissions_names"),
	    "FILE_READ_DATA,FILE_READ_EA,FILE_READ_ATTRIBUTES,READ_CONTROL,"
	    "SYNCHRONIZE");
	/* Bits without a name still show. */
	assert_int_equal(enc_mask(o, "a", ENC_MASK_ACCESS, 0x00000201), 0);
	assert_string_equal(names(o, "a_names"), "FILE_READ_DATA,0x00000200");
	assert_int_equal(enc_mask(o, "z", ENC_MASK_SHARE_ACCESS, 0), 0);
	assert_string_equal(str(o, "z"), "0x00000000");
	assert_string_equal(names(o, "z_names"), "");
	/* OplockLevel is a value, two digits. */
	assert_int_equal(enc_mask(o, "oplock_level", ENC_MASK_OPLOCK, 9), 0);
	assert_string_equal(str(o, "oplock_level"), "0x09");
	assert_string_equal(names(o, "oplock_level_names"),
	    "SMB2_OPLOCK_LEVEL_BATCH");
	assert_int_equal(enc_mask(o, "o", ENC_MASK_OPLOCK, 0x42), 0);
	assert_string_equal(names(o, "o_names"), "0x42");
	/* A share type is a value and flags. */
	assert_int_equal(enc_mask(o, "type", ENC_MASK_STYPE, 0x80000003), 0);
	assert_string_equal(names(o, "type_names"), "STYPE_IPC,STYPE_SPECIAL");
	assert_int_equal(enc_mask(o, "t", ENC_MASK_STYPE, 0), 0);
	assert_string_equal(names(o, "t_names"), "STYPE_DISKTREE");
	assert_int_equal(enc_mask(o, "u", ENC_MASK_USER_FLAGS, 3), 0);
	assert_string_equal(names(o, "u_names"),
	    "SESS_GUEST,SESS_NOENCRYPTION");
	json_object_put(o);
}

static void
test_enc_statistics_truncates_to_dwords(void **state)
{
	struct admin_stats st;
	struct json_object *o, *d;

	(void)state;
	memset(&st, 0, sizeof(st));
	st.start = 1795000000;
	st.fopens = UINT64_C(0x100000005);	/* DWORDs wrap */
	st.sopens = 2;
	st.pwerrors = 1;
	st.bytessent = UINT64_C(0x0000000300000004);
	st.sessions = 2;
	st.sessions_by_dialect[4] = 2;
	o = enc_statistics(&st);
	assert_non_null(o);
	assert_int_equal(num(o, "sts0_start"), 1795000000);
	assert_int_equal(num(o, "sts0_fopens"), 5);
	assert_int_equal(num(o, "sts0_sopens"), 2);
	assert_int_equal(num(o, "sts0_pwerrors"), 1);
	assert_int_equal(num(o, "sts0_bytessent_low"), 4);
	assert_int_equal(num(o, "sts0_bytessent_high"), 3);
	assert_true(num(o, "bytes_sent") == UINT64_C(0x0000000300000004));
	assert_int_equal(num(o, "sts0_devopens"), 0);
	assert_string_equal(str(o, "start_time"), "2026-11-18T11:06:40.000Z");
	assert_true(json_object_object_get_ex(o, "sessions_by_dialect", &d));
	assert_int_equal(num(d, "3.1.1"), 2);
	assert_int_equal(num(d, "2.0.2"), 0);
	json_object_put(o);
}

static void
test_enc_session_record(void **state)
{
	struct admin_session as;
	struct json_object *o;

	(void)state;
	memset(&as, 0, sizeof(as));
	as.id = UINT64_C(4294967296);
	as.smb_id = 0x12345678;
	snprintf(as.state, sizeof(as.state), "valid");
	snprintf(as.client, sizeof(as.client), "127.0.0.1:50000");
	snprintf(as.dialect, sizeof(as.dialect), "3.0.2");
	snprintf(as.transport, sizeof(as.transport), "direct_tcp");
	as.nopens = 2;
	as.ntrees = 1;
	as.since.tv_sec = 1795000000;
	as.user_flags = 2;
	o = enc_session(&as);
	assert_non_null(o);
	assert_string_equal(str(o, "id"), "4294967296");
	assert_string_equal(str(o, "smb_session_id"), "305419896");
	/* Not authenticated yet: no user, which is null. */
	assert_true(is_null(o, "user"));
	assert_true(is_null(o, "connection_id"));
	assert_int_equal(num(o, "opens"), 2);
	assert_int_equal(num(o, "trees"), 1);
	assert_string_equal(str(o, "user_flags"), "0x00000002");
	assert_string_equal(names(o, "user_flags_names"), "SESS_NOENCRYPTION");
	json_object_put(o);
}

static void
test_enc_open_record_detached(void **state)
{
	static struct admin_open ao;
	struct json_object *o, *fid;

	(void)state;
	memset(&ao, 0, sizeof(ao));
	ao.id = 9;
	ao.detached = true;
	ao.persistent = UINT64_MAX;
	ao.volatile_id = 3;
	snprintf(ao.path, sizeof(ao.path), "dir/f.txt");
	ao.access = 0x001f01ff;
	ao.share_access = 7;
	ao.oplock = 0;
	ao.nlocks = 4;
	o = enc_open(&ao);
	assert_non_null(o);
	assert_string_equal(str(o, "state"), "detached");
	assert_true(is_null(o, "session_id"));
	assert_true(is_null(o, "tree_id"));
	assert_true(is_null(o, "user"));
	assert_true(is_null(o, "local_path"));
	assert_string_equal(str(o, "path"), "dir/f.txt");
	assert_true(json_object_object_get_ex(o, "smb_file_id", &fid));
	assert_string_equal(str(fid, "persistent"), "18446744073709551615");
	assert_string_equal(str(o, "permissions"), "0x001f01ff");
	assert_string_equal(names(o, "share_access_names"),
	    "FILE_SHARE_READ,FILE_SHARE_WRITE,FILE_SHARE_DELETE");
	assert_string_equal(names(o, "oplock_level_names"),
	    "SMB2_OPLOCK_LEVEL_NONE");
	assert_int_equal(num(o, "locks"), 4);
	json_object_put(o);
}

static void
test_enc_share_unlimited_is_null(void **state)
{
	static struct admin_share ash;
	struct json_object *o;

	(void)state;
	memset(&ash, 0, sizeof(ash));
	snprintf(ash.name, sizeof(ash.name), "IPC$");
	ash.type = 0x80000003;
	ash.max_uses = 0xffffffffu;
	ash.current_uses = 1;
	o = enc_share(&ash);
	assert_true(is_null(o, "max_uses"));
	assert_true(is_null(o, "path"));
	assert_int_equal(num(o, "current_uses"), 1);
	json_object_put(o);
	ash.max_uses = 1;
	o = enc_share(&ash);
	assert_int_equal(num(o, "max_uses"), 1);
	json_object_put(o);
}

static void
test_enc_event_names_only_its_ids(void **state)
{
	struct event ev;
	struct json_object *o, *ids;

	(void)state;
	memset(&ev, 0, sizeof(ev));
	ev.ev_seq = 12;
	ev.ev_time.tv_sec = 1795000000;
	ev.ev_type = EV_ADMIN_SESSION_CLOSED;
	ev.ev_session = 3;
	snprintf(ev.ev_user, sizeof(ev.ev_user), "bench");
	snprintf(ev.ev_by, sizeof(ev.ev_by), "unix socket");
	o = enc_event(&ev);
	assert_non_null(o);
	assert_int_equal(num(o, "seq"), 12);
	assert_string_equal(str(o, "type"), "admin.session.closed");
	assert_true(json_object_object_get_ex(o, "ids", &ids));
	assert_int_equal(json_object_object_length(ids), 1);
	assert_string_equal(str(ids, "session"), "3");
	assert_string_equal(str(o, "by"), "unix socket");
	assert_true(is_null(o, "share"));
	assert_true(is_null(o, "path"));
	json_object_put(o);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_enc_time_is_rfc3339_utc_with_ms),
		cmocka_unit_test(
		    test_enc_time_refuses_small_buffer_and_far_years),
		cmocka_unit_test(test_enc_id_is_decimal_string),
		cmocka_unit_test(test_enc_status_maps_errno),
		cmocka_unit_test(test_enc_status_title_has_reason_phrases),
		cmocka_unit_test(test_enc_problem_has_the_four_members),
		cmocka_unit_test(test_enc_server_record),
		cmocka_unit_test(test_enc_server_tcp_says_http_or_https),
		cmocka_unit_test(test_enc_json_parse_takes_one_object),
		cmocka_unit_test(test_enc_json_parse_refuses_bad_bodies),
		cmocka_unit_test(test_enc_text_ends_in_newline),
		cmocka_unit_test(test_enc_mask_is_hex_and_names),
		cmocka_unit_test(test_enc_statistics_truncates_to_dwords),
		cmocka_unit_test(test_enc_session_record),
		cmocka_unit_test(test_enc_open_record_detached),
		cmocka_unit_test(test_enc_share_unlimited_is_null),
		cmocka_unit_test(test_enc_event_names_only_its_ids),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
