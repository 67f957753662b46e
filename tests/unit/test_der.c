/*
 * test_der.c — the strict DER reader and writer (smbsrvd/der.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "der.h"

/* Parses buf as one element with der_check() on a heap copy of exact
 * size, so that the sanitizer sees any read past the end. */
static int
check_copy(const uint8_t *buf, size_t len)
{
	uint8_t *p;
	int rc;

	p = malloc(len == 0 ? 1 : len);
	assert_non_null(p);
	if (len > 0)
		memcpy(p, buf, len);
	rc = der_check(p, len, 0);
	free(p);
	return rc;
}

static void
test_der_short_and_long_lengths_accepted(void **state)
{
	static const uint8_t shortlen[] = { 0x04, 0x02, 0xaa, 0xbb };
	uint8_t buf[300];
	struct der_rd rd;
	struct der_tlv t;

	(void)state;
	assert_int_equal(check_copy(shortlen, sizeof(shortlen)), DER_OK);

	/* 0x81 0x80: the smallest length that needs the long form. */
	memset(buf, 0x55, sizeof(buf));
	buf[0] = DER_OCTET_STRING;
	buf[1] = 0x81;
	buf[2] = 0x80;
	der_rd_init(&rd, buf, 3 + 0x80);
	assert_int_equal(der_get(&rd, &t), DER_OK);
	assert_int_equal(t.dt_len, 0x80);
	assert_ptr_equal(t.dt_val, buf + 3);
	assert_int_equal(t.dt_rawlen, 3 + 0x80);
	assert_int_equal(der_end(&rd), DER_OK);

	/* 0x82 0x01 0x00 = 256. */
	buf[1] = 0x82;
	buf[2] = 0x01;
	buf[3] = 0x00;
	der_rd_init(&rd, buf, 4 + 256);
	assert_int_equal(der_get(&rd, &t), DER_OK);
	assert_int_equal(t.dt_len, 256);
}

static void
test_der_non_minimal_lengths_refused(void **state)
{
	/* 0x81 0x05: five fits the short form. */
	static const uint8_t a[] = { 0x04, 0x81, 0x05, 1, 2, 3, 4, 5 };
	/* 0x82 0x00 0x05: a leading zero byte. */
	static const uint8_t b[] = { 0x04, 0x82, 0x00, 0x05, 1, 2, 3, 4, 5 };
	/* 0x82 0x00 0x80: leading zero even though 0x80 needs long form. */
	uint8_t c[4 + 0x80];
	/* 0x81 0x00: zero in long form. */
	static const uint8_t d[] = { 0x04, 0x81, 0x00 };

	(void)state;
	assert_int_equal(check_copy(a, sizeof(a)), DER_E_LENGTH);
	assert_int_equal(check_copy(b, sizeof(b)), DER_E_LENGTH);
	memset(c, 0, sizeof(c));
	c[0] = 0x04;
	c[1] = 0x82;
	c[2] = 0x00;
	c[3] = 0x80;
	assert_int_equal(check_copy(c, sizeof(c)), DER_E_LENGTH);
	assert_int_equal(check_copy(d, sizeof(d)), DER_E_LENGTH);
}

static void
test_der_indefinite_and_reserved_lengths_refused(void **state)
{
	/* BER indefinite form: contents then end-of-contents 00 00. */
	static const uint8_t indef[] = { 0x30, 0x80, 0x04, 0x00, 0x00, 0x00 };
	static const uint8_t reserved[] = { 0x04, 0xff, 0x00 };
	static const uint8_t fivebytes[] = { 0x04, 0x85, 0, 0, 0, 0, 1, 0 };

	(void)state;
	assert_int_equal(check_copy(indef, sizeof(indef)), DER_E_INDEFINITE);
	assert_int_equal(check_copy(reserved, sizeof(reserved)),
	    DER_E_LENGTH);
	assert_int_equal(check_copy(fivebytes, sizeof(fivebytes)),
	    DER_E_LENGTH);
}

static void
test_der_lengths_beyond_buffer_refused(void **state)
{
	static const uint8_t over[] = { 0x04, 0x05, 1, 2, 3, 4 };
	static const uint8_t cut[] = { 0x04, 0x82, 0x01 };
	static const uint8_t nolen[] = { 0x04 };
	/* The inner element claims more than its SEQUENCE holds. */
	static const uint8_t inner[] = { 0x30, 0x03, 0x04, 0x03, 1, 2, 3 };

	(void)state;
	assert_int_equal(check_copy(over, sizeof(over)), DER_E_TRUNCATED);
	assert_int_equal(check_copy(cut, sizeof(cut)), DER_E_TRUNCATED);
	assert_int_equal(check_copy(nolen, sizeof(nolen)), DER_E_TRUNCATED);
	assert_int_equal(check_copy(NULL, 0), DER_E_TRUNCATED);
	assert_int_equal(check_copy(inner, sizeof(inner)), DER_E_TRUNCATED);
}

static void
test_der_trailing_bytes_reported(void **state)
{
	static const uint8_t top[] = { 0x04, 0x01, 0xaa, 0x00 };
	static const uint8_t inside[] = { 0xa0, 0x04, 0x04, 0x01, 0xaa, 0x00 };
	struct der_rd rd, in;
	struct der_tlv t;

	(void)state;
	assert_int_equal(check_copy(top, sizeof(top)), DER_E_TRAILING);
	/* der_check walks inside: a lone 0x00 is a truncated element. */
	assert_int_equal(check_copy(inside, sizeof(inside)), DER_E_TRUNCATED);

	der_rd_init(&rd, inside, sizeof(inside));
	assert_int_equal(der_enter(&rd, DER_CONTEXT(0), &in, NULL), DER_OK);
	assert_int_equal(der_get_tag(&in, DER_OCTET_STRING, &t), DER_OK);
	assert_int_equal(der_end(&in), DER_E_TRAILING);
	assert_int_equal(der_end(&rd), DER_OK);
}

static void
test_der_tag_mismatch_and_high_tags_refused(void **state)
{
	static const uint8_t os[] = { 0x04, 0x01, 0xaa };
	static const uint8_t cons_os[] = { 0x24, 0x03, 0x04, 0x01, 0xaa };
	static const uint8_t high[] = { 0x1f, 0x81, 0x00, 0x00 };
	const uint8_t *p;
	size_t len;
	struct der_rd rd, in;
	struct der_tlv t;

	(void)state;
	der_rd_init(&rd, os, sizeof(os));
	assert_int_equal(der_get_tag(&rd, DER_OID, &t), DER_E_TAG);
	der_rd_init(&rd, os, sizeof(os));
	assert_int_equal(der_enter(&rd, DER_SEQUENCE, &in, NULL), DER_E_TAG);
	/* A primitive tag cannot be entered. */
	der_rd_init(&rd, os, sizeof(os));
	assert_int_equal(der_enter(&rd, DER_OCTET_STRING, &in, NULL),
	    DER_E_TAG);
	/* X.690 10.2: no constructed strings in DER. */
	der_rd_init(&rd, cons_os, sizeof(cons_os));
	assert_int_equal(der_get_bytes(&rd, DER_OCTET_STRING, &p, &len),
	    DER_E_TAG);
	assert_int_equal(check_copy(high, sizeof(high)), DER_E_TAG);
}

/* n SEQUENCEs, each holding the next, the innermost empty. */
static size_t
nest(uint8_t *buf, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		buf[2 * i] = DER_SEQUENCE;
		buf[2 * i + 1] = (uint8_t)(2 * (n - i - 1));
	}
	return 2 * n;
}

static void
test_der_depth_limited_to_eight(void **state)
{
	uint8_t buf[64];
	struct der_rd rd[DER_MAX_DEPTH + 2];
	size_t len;
	unsigned int i;
	int rc;

	(void)state;
	len = nest(buf, DER_MAX_DEPTH);
	assert_int_equal(check_copy(buf, len), DER_OK);
	len = nest(buf, DER_MAX_DEPTH + 1);
	assert_int_equal(check_copy(buf, len), DER_E_DEPTH);

	/* The same through der_enter(): the ninth level is refused. */
	der_rd_init(&rd[0], buf, len);
	for (i = 0; i < DER_MAX_DEPTH; i++) {
		rc = der_enter(&rd[i], DER_SEQUENCE, &rd[i + 1], NULL);
		assert_int_equal(rc, DER_OK);
	}
	assert_int_equal(der_enter(&rd[DER_MAX_DEPTH], DER_SEQUENCE,
	    &rd[DER_MAX_DEPTH + 1], NULL), DER_E_DEPTH);
	/* der_check() counts from the depth it is told. */
	len = nest(buf, 2);
	assert_int_equal(der_check(buf, len, DER_MAX_DEPTH - 2), DER_OK);
	assert_int_equal(der_check(buf, len, DER_MAX_DEPTH - 1), DER_E_DEPTH);
}

static void
test_der_oid_parse_and_format(void **state)
{
	static const uint8_t spnego[] = { 0x06, 0x06, 0x2b, 0x06, 0x01, 0x05,
	    0x05, 0x02 };
	static const uint8_t krb5[] = { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12,
	    0x01, 0x02, 0x02 };
	static const uint8_t two999[] = { 0x88, 0x37 };
	struct der_oid oid, other;
	struct der_rd rd;
	char txt[80];

	(void)state;
	der_rd_init(&rd, spnego, sizeof(spnego));
	assert_int_equal(der_get_oid(&rd, &oid), DER_OK);
	assert_string_equal(der_oid_fmt(&oid, txt, sizeof(txt)),
	    "1.3.6.1.5.5.2");
	assert_int_equal(der_oid_set(&other, krb5, sizeof(krb5)), DER_OK);
	assert_string_equal(der_oid_fmt(&other, txt, sizeof(txt)),
	    "1.2.840.113554.1.2.2");
	assert_false(der_oid_eq(&oid, &other));
	assert_int_equal(der_oid_set(&other, spnego + 2, 6), DER_OK);
	assert_true(der_oid_eq(&oid, &other));
	assert_int_equal(der_oid_set(&oid, two999, sizeof(two999)), DER_OK);
	assert_string_equal(der_oid_fmt(&oid, txt, sizeof(txt)), "2.999");
	/* Truncated output is still a string. */
	assert_int_equal(der_oid_set(&oid, krb5, sizeof(krb5)), DER_OK);
	assert_string_equal(der_oid_fmt(&oid, txt, 8), "1.2.840");
}

static void
test_der_bad_oids_refused(void **state)
{
	uint8_t big[DER_OID_MAX + 1];
	static const uint8_t lead80[] = { 0x2b, 0x80, 0x01 };
	static const uint8_t cutoff[] = { 0x2b, 0x06, 0x81 };
	static const uint8_t longarc[] = { 0x2b, 0x81, 0x81, 0x81, 0x81, 0x81,
	    0x81, 0x81, 0x81, 0x81, 0x01 };
	static const uint8_t empty[] = { 0x06, 0x00 };
	struct der_oid oid;
	struct der_rd rd;

	(void)state;
	memset(big, 0x01, sizeof(big));
	assert_int_equal(der_oid_set(&oid, big, DER_OID_MAX), DER_OK);
	assert_int_equal(der_oid_set(&oid, big, sizeof(big)), DER_E_OID);
	assert_int_equal(der_oid_set(&oid, lead80, sizeof(lead80)), DER_E_OID);
	assert_int_equal(der_oid_set(&oid, cutoff, sizeof(cutoff)), DER_E_OID);
	assert_int_equal(der_oid_set(&oid, longarc, sizeof(longarc)),
	    DER_E_OID);
	der_rd_init(&rd, empty, sizeof(empty));
	assert_int_equal(der_get_oid(&rd, &oid), DER_E_OID);
}

static void
test_der_uint_minimal_non_negative(void **state)
{
	static const struct {
		uint8_t		 enc[8];
		size_t		 len;
		int		 rc;
		uint32_t	 v;
	} cases[] = {
		{ { 0x0a, 0x01, 0x00 }, 3, DER_OK, 0 },
		{ { 0x0a, 0x01, 0x03 }, 3, DER_OK, 3 },
		{ { 0x0a, 0x02, 0x00, 0x80 }, 4, DER_OK, 128 },
		{ { 0x0a, 0x05, 0x00, 0xff, 0xff, 0xff, 0xff }, 7, DER_OK,
		    0xffffffffu },
		{ { 0x0a, 0x02, 0x00, 0x01 }, 4, DER_E_VALUE, 0 },
		{ { 0x0a, 0x01, 0x80 }, 3, DER_E_VALUE, 0 },
		{ { 0x0a, 0x00 }, 2, DER_E_VALUE, 0 },
		{ { 0x0a, 0x05, 0x01, 0, 0, 0, 0 }, 7, DER_E_VALUE, 0 },
		{ { 0x02, 0x01, 0x01 }, 3, DER_E_TAG, 0 },
	};
	struct der_rd rd;
	uint32_t v;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		der_rd_init(&rd, cases[i].enc, cases[i].len);
		assert_int_equal(der_get_uint(&rd, DER_ENUMERATED, &v),
		    cases[i].rc);
		assert_int_equal(v, cases[i].v);
	}
}

static void
test_der_bit_string_checked(void **state)
{
	static const struct {
		uint8_t		 enc[6];
		size_t		 len;
		int		 rc;
	} cases[] = {
		{ { 0x03, 0x01, 0x00 }, 3, DER_OK },
		{ { 0x03, 0x02, 0x07, 0x80 }, 4, DER_OK },
		{ { 0x03, 0x02, 0x01, 0xfe }, 4, DER_OK },
		{ { 0x03, 0x02, 0x07, 0x81 }, 4, DER_E_VALUE },
		{ { 0x03, 0x02, 0x08, 0x00 }, 4, DER_E_VALUE },
		{ { 0x03, 0x01, 0x01 }, 3, DER_E_VALUE },
		{ { 0x03, 0x00 }, 2, DER_E_VALUE },
	};
	const uint8_t *bits;
	size_t i, n;
	unsigned int unused;
	struct der_rd rd;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		der_rd_init(&rd, cases[i].enc, cases[i].len);
		assert_int_equal(der_get_bits(&rd, &bits, &n, &unused),
		    cases[i].rc);
	}
}

/* Writes a primitive of n bytes and checks the length octets. */
static void
check_put_len(size_t n, const uint8_t *hdr, size_t hdrlen)
{
	struct msgbuf_wr wr;
	struct der_rd rd;
	struct der_tlv t;
	uint8_t *val;

	val = malloc(n + 1);
	assert_non_null(val);
	memset(val, 0x5a, n + 1);
	msgbuf_wr_init(&wr, 1 << 20);
	der_put_prim(&wr, DER_OCTET_STRING, val, n);
	assert_true(msgbuf_wr_ok(&wr));
	assert_int_equal(msgbuf_wr_len(&wr), hdrlen + n);
	assert_memory_equal(wr.wr_buf, hdr, hdrlen);
	der_rd_init(&rd, wr.wr_buf, wr.wr_len);
	assert_int_equal(der_get(&rd, &t), DER_OK);
	assert_int_equal(t.dt_len, n);
	assert_int_equal(der_end(&rd), DER_OK);
	msgbuf_wr_free(&wr);
	free(val);
}

static void
test_der_writer_minimal_lengths(void **state)
{
	(void)state;
	check_put_len(0, (const uint8_t *)"\x04\x00", 2);
	check_put_len(127, (const uint8_t *)"\x04\x7f", 2);
	check_put_len(128, (const uint8_t *)"\x04\x81\x80", 3);
	check_put_len(255, (const uint8_t *)"\x04\x81\xff", 3);
	check_put_len(256, (const uint8_t *)"\x04\x82\x01\x00", 4);
	check_put_len(65535, (const uint8_t *)"\x04\x82\xff\xff", 4);
	check_put_len(65536, (const uint8_t *)"\x04\x83\x01\x00\x00", 5);
}

static void
test_der_writer_nested_long_form_moves_contents(void **state)
{
	struct msgbuf_wr wr;
	uint8_t val[200];
	size_t seq, ctx;

	(void)state;
	memset(val, 0xc3, sizeof(val));
	msgbuf_wr_init(&wr, 4096);
	msgbuf_put_u8(&wr, 0xee);	/* unrelated bytes before */
	ctx = der_put_begin(&wr, DER_CONTEXT(2));
	seq = der_put_begin(&wr, DER_SEQUENCE);
	der_put_prim(&wr, DER_OCTET_STRING, val, sizeof(val));
	der_put_end(&wr, seq);
	der_put_end(&wr, ctx);
	assert_true(msgbuf_wr_ok(&wr));
	/* a2 81 ce | 30 81 cb | 04 81 c8 | 200 x c3 */
	assert_int_equal(wr.wr_len, 1 + 3 + 3 + 3 + 200);
	assert_memory_equal(wr.wr_buf,
	    "\xee\xa2\x81\xce\x30\x81\xcb\x04\x81\xc8", 10);
	assert_memory_equal(wr.wr_buf + 10, val, sizeof(val));
	assert_int_equal(check_copy(wr.wr_buf + 1, wr.wr_len - 1), DER_OK);
	msgbuf_wr_free(&wr);
}

static void
test_der_writer_uint_encoding(void **state)
{
	static const struct {
		uint32_t	 v;
		const char	*enc;
		size_t		 len;
	} cases[] = {
		{ 0, "\x0a\x01\x00", 3 },
		{ 3, "\x0a\x01\x03", 3 },
		{ 127, "\x0a\x01\x7f", 3 },
		{ 128, "\x0a\x02\x00\x80", 4 },
		{ 256, "\x0a\x02\x01\x00", 4 },
		{ 0xffffffffu, "\x0a\x05\x00\xff\xff\xff\xff", 7 },
	};
	struct msgbuf_wr wr;
	struct der_rd rd;
	uint32_t v;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		msgbuf_wr_init(&wr, 64);
		der_put_uint(&wr, DER_ENUMERATED, cases[i].v);
		assert_int_equal(wr.wr_len, cases[i].len);
		assert_memory_equal(wr.wr_buf, cases[i].enc, cases[i].len);
		der_rd_init(&rd, wr.wr_buf, wr.wr_len);
		assert_int_equal(der_get_uint(&rd, DER_ENUMERATED, &v),
		    DER_OK);
		assert_int_equal(v, cases[i].v);
		msgbuf_wr_free(&wr);
	}
}

static void
test_der_writer_cap_overflow_is_sticky(void **state)
{
	struct msgbuf_wr wr;
	uint8_t val[100];
	size_t mark;

	(void)state;
	memset(val, 0, sizeof(val));
	msgbuf_wr_init(&wr, 101);
	mark = der_put_begin(&wr, DER_SEQUENCE);
	der_put_prim(&wr, DER_OCTET_STRING, val, sizeof(val));
	der_put_end(&wr, mark);
	assert_false(msgbuf_wr_ok(&wr));
	msgbuf_wr_free(&wr);

	/* Room for the contents but not for the long-form length. */
	msgbuf_wr_init(&wr, 2 + 128);
	der_put_prim(&wr, DER_OCTET_STRING, val, 100);
	assert_true(msgbuf_wr_ok(&wr));
	msgbuf_wr_free(&wr);
	msgbuf_wr_init(&wr, 2 + 128);
	mark = der_put_begin(&wr, DER_OCTET_STRING);
	msgbuf_put_zero(&wr, 128);
	der_put_end(&wr, mark);
	assert_false(msgbuf_wr_ok(&wr));
	msgbuf_wr_free(&wr);
}

static void
test_der_every_truncation_refused(void **state)
{
	/* A small SPNEGO-like tree with a long-form length inside. */
	struct msgbuf_wr wr;
	uint8_t val[140];
	size_t a, b, n;

	(void)state;
	memset(val, 0x11, sizeof(val));
	msgbuf_wr_init(&wr, 4096);
	a = der_put_begin(&wr, DER_APPLICATION(0));
	der_put_prim(&wr, DER_OID, "\x2b\x06\x01\x05\x05\x02", 6);
	b = der_put_begin(&wr, DER_CONTEXT(0));
	der_put_prim(&wr, DER_OCTET_STRING, val, sizeof(val));
	der_put_end(&wr, b);
	der_put_end(&wr, a);
	assert_true(msgbuf_wr_ok(&wr));
	assert_int_equal(check_copy(wr.wr_buf, wr.wr_len), DER_OK);
	for (n = 0; n < wr.wr_len; n++)
		assert_int_not_equal(check_copy(wr.wr_buf, n), DER_OK);
	msgbuf_wr_free(&wr);
}

static void
test_der_strerror_names_every_code(void **state)
{
	int rc;

	(void)state;
	for (rc = DER_E_NOMEM; rc <= DER_OK; rc++)
		assert_string_not_equal(der_strerror(rc), "unknown error");
	assert_string_equal(der_strerror(-100), "unknown error");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_der_short_and_long_lengths_accepted),
		cmocka_unit_test(test_der_non_minimal_lengths_refused),
		cmocka_unit_test(
		    test_der_indefinite_and_reserved_lengths_refused),
		cmocka_unit_test(test_der_lengths_beyond_buffer_refused),
		cmocka_unit_test(test_der_trailing_bytes_reported),
		cmocka_unit_test(test_der_tag_mismatch_and_high_tags_refused),
		cmocka_unit_test(test_der_depth_limited_to_eight),
		cmocka_unit_test(test_der_oid_parse_and_format),
		cmocka_unit_test(test_der_bad_oids_refused),
		cmocka_unit_test(test_der_uint_minimal_non_negative),
		cmocka_unit_test(test_der_bit_string_checked),
		cmocka_unit_test(test_der_writer_minimal_lengths),
		cmocka_unit_test(
		    test_der_writer_nested_long_form_moves_contents),
		cmocka_unit_test(test_der_writer_uint_encoding),
		cmocka_unit_test(test_der_writer_cap_overflow_is_sticky),
		cmocka_unit_test(test_der_every_truncation_refused),
		cmocka_unit_test(test_der_strerror_names_every_code),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
