/*
 * test_ucs2.c — UTF-8 <-> UTF-16LE: round trips, surrogate pairs, what
 * is refused (malformed, overlong, surrogates, NUL), buffer sizes, case.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <cmocka.h>

#include "ucs2.h"

static void
assert_utf16(const char *utf8, const uint8_t *want, size_t wantlen)
{
	uint8_t buf[64], *p;
	size_t len;

	assert_int_equal(ucs2_from_utf8(utf8, strlen(utf8), buf, sizeof(buf)),
	    wantlen);
	assert_memory_equal(buf, want, wantlen);
	assert_int_equal(ucs2_utf16_len(utf8, strlen(utf8)), wantlen);
	assert_int_equal(ucs2_from_utf8_alloc(utf8, strlen(utf8), &p, &len), 0);
	assert_int_equal(len, wantlen);
	assert_memory_equal(p, want, wantlen);
	free(p);
}

static void
assert_bad_utf8(const char *s, size_t len)
{
	uint8_t buf[64], *p = (uint8_t *)"untouched";
	size_t plen = 7;

	errno = 0;
	assert_int_equal(ucs2_from_utf8(s, len, buf, sizeof(buf)), -1);
	assert_int_equal(errno, EILSEQ);
	errno = 0;
	assert_int_equal(ucs2_utf16_len(s, len), -1);
	assert_int_equal(errno, EILSEQ);
	assert_int_equal(ucs2_from_utf8_alloc(s, len, &p, &plen), -1);
	assert_int_equal(errno, EILSEQ);
	assert_null(p);
}

static void
assert_bad_utf16(const uint8_t *s, size_t len)
{
	char buf[64], *p = (char *)"untouched";

	errno = 0;
	assert_int_equal(ucs2_to_utf8(s, len, buf, sizeof(buf)), -1);
	assert_int_equal(errno, EILSEQ);
	errno = 0;
	assert_int_equal(ucs2_to_utf8_alloc(s, len, &p, NULL), -1);
	assert_int_equal(errno, EILSEQ);
	assert_null(p);
}

static void
test_ucs2_ascii_round_trip(void **state)
{
	static const uint8_t want[] = { 'U', 0, 's', 0, 'e', 0, 'r', 0 };
	char out[16], *p;
	size_t len;

	(void)state;
	assert_utf16("User", want, sizeof(want));
	assert_int_equal(ucs2_to_utf8(want, sizeof(want), out, sizeof(out)),
	    4);
	assert_string_equal(out, "User");
	assert_int_equal(ucs2_to_utf8_alloc(want, sizeof(want), &p, &len), 0);
	assert_int_equal(len, 4);
	assert_string_equal(p, "User");
	free(p);
}

static void
test_ucs2_empty_string_is_valid(void **state)
{
	uint8_t buf[4], *p;
	char out[4], *s;
	size_t len = 99;

	(void)state;
	assert_int_equal(ucs2_from_utf8("", 0, buf, sizeof(buf)), 0);
	assert_int_equal(ucs2_from_utf8_alloc("", 0, &p, &len), 0);
	assert_non_null(p);
	assert_int_equal(len, 0);
	free(p);
	assert_int_equal(ucs2_to_utf8(buf, 0, out, sizeof(out)), 0);
	assert_string_equal(out, "");
	assert_int_equal(ucs2_to_utf8_alloc(buf, 0, &s, &len), 0);
	assert_string_equal(s, "");
	free(s);
}

static void
test_ucs2_every_utf8_length_round_trips(void **state)
{
	/* U+0041, U+00E9, U+20AC, U+1F600: 1, 2, 3 and 4 UTF-8 bytes. */
	static const char utf8[] = "A\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80";
	static const uint8_t want[] = {
		0x41, 0x00, 0xe9, 0x00, 0xac, 0x20,
		0x3d, 0xd8, 0x00, 0xde		/* D83D DE00 */
	};
	char out[32];

	(void)state;
	assert_utf16(utf8, want, sizeof(want));
	assert_int_equal(ucs2_to_utf8(want, sizeof(want), out, sizeof(out)),
	    strlen(utf8));
	assert_string_equal(out, utf8);
}

static void
test_ucs2_boundary_scalars_round_trip(void **state)
{
	/* U+007F U+0080 U+07FF U+0800 U+D7FF U+E000 U+FFFF U+10000 U+10FFFF */
	static const char utf8[] = "\x7f\xc2\x80\xdf\xbf\xe0\xa0\x80"
	    "\xed\x9f\xbf\xee\x80\x80\xef\xbf\xbf\xf0\x90\x80\x80"
	    "\xf4\x8f\xbf\xbf";
	static const uint8_t want[] = {
		0x7f, 0x00, 0x80, 0x00, 0xff, 0x07, 0x00, 0x08,
		0xff, 0xd7, 0x00, 0xe0, 0xff, 0xff,
		0x00, 0xd8, 0x00, 0xdc,		/* U+10000 */
		0xff, 0xdb, 0xff, 0xdf		/* U+10FFFF */
	};
	char out[64];

	(void)state;
	assert_utf16(utf8, want, sizeof(want));
	assert_int_equal(ucs2_to_utf8(want, sizeof(want), out, sizeof(out)),
	    strlen(utf8));
	assert_string_equal(out, utf8);
}

static void
test_ucs2_refuses_overlong_utf8(void **state)
{
	(void)state;
	assert_bad_utf8("\xc0\xaf", 2);		/* '/' in two bytes */
	assert_bad_utf8("\xc1\xbf", 2);
	assert_bad_utf8("\xe0\x80\xaf", 3);	/* '/' in three */
	assert_bad_utf8("\xe0\x9f\xbf", 3);	/* U+07FF in three */
	assert_bad_utf8("\xf0\x80\x80\xaf", 4);	/* '/' in four */
	assert_bad_utf8("\xf0\x8f\xbf\xbf", 4);	/* U+FFFF in four */
	assert_bad_utf8("\xc0\x80", 2);		/* "modified UTF-8" NUL */
}

static void
test_ucs2_refuses_malformed_utf8(void **state)
{
	(void)state;
	assert_bad_utf8("\x80", 1);		/* lone continuation */
	assert_bad_utf8("a\xbf" "b", 3);
	assert_bad_utf8("\xc3", 1);		/* truncated */
	assert_bad_utf8("\xe2\x82", 2);
	assert_bad_utf8("\xf0\x9f\x98", 3);
	assert_bad_utf8("\xc3\x28", 2);		/* bad continuation */
	assert_bad_utf8("\xe2\x28\xac", 3);
	assert_bad_utf8("\xf0\x9f\x28\x80", 4);
	assert_bad_utf8("\xf5\x80\x80\x80", 4);	/* F5..FF never appear */
	assert_bad_utf8("\xff", 1);
	assert_bad_utf8("\xfe", 1);
	assert_bad_utf8("\xf4\x90\x80\x80", 4);	/* U+110000 */
	assert_bad_utf8("\xf8\x88\x80\x80\x80", 5); /* old five-byte form */
}

static void
test_ucs2_refuses_encoded_surrogates_in_utf8(void **state)
{
	(void)state;
	assert_bad_utf8("\xed\xa0\x80", 3);	/* U+D800 */
	assert_bad_utf8("\xed\xbf\xbf", 3);	/* U+DFFF */
	/* CESU-8 for U+1F600: a pair of encoded surrogates. */
	assert_bad_utf8("\xed\xa0\xbd\xed\xb8\x80", 6);
}

static void
test_ucs2_refuses_nul_both_ways(void **state)
{
	static const uint8_t nul16[] = { 'a', 0, 0, 0, 'b', 0 };

	(void)state;
	assert_bad_utf8("a\0b", 3);
	assert_bad_utf16(nul16, sizeof(nul16));
}

static void
test_ucs2_refuses_unpaired_surrogates(void **state)
{
	static const uint8_t lone_high[] = { 0x3d, 0xd8 };
	static const uint8_t high_then_char[] = { 0x3d, 0xd8, 0x41, 0x00 };
	static const uint8_t lone_low[] = { 0x00, 0xde, 0x41, 0x00 };
	static const uint8_t two_high[] = { 0x3d, 0xd8, 0x3d, 0xd8 };
	static const uint8_t swapped[] = { 0x00, 0xde, 0x3d, 0xd8 };

	(void)state;
	assert_bad_utf16(lone_high, sizeof(lone_high));
	assert_bad_utf16(high_then_char, sizeof(high_then_char));
	assert_bad_utf16(lone_low, sizeof(lone_low));
	assert_bad_utf16(two_high, sizeof(two_high));
	assert_bad_utf16(swapped, sizeof(swapped));
}

static void
test_ucs2_refuses_odd_length_utf16(void **state)
{
	static const uint8_t odd[] = { 'a', 0, 'b' };

	(void)state;
	assert_bad_utf16(odd, sizeof(odd));
}

static void
test_ucs2_small_buffers_say_e2big(void **state)
{
	static const uint8_t ab[] = { 'a', 0, 'b', 0 };
	static const uint8_t smile[] = { 0x3d, 0xd8, 0x00, 0xde };
	uint8_t buf[4];
	char out[5];

	(void)state;
	errno = 0;
	assert_int_equal(ucs2_from_utf8("abc", 3, buf, sizeof(buf)), -1);
	assert_int_equal(errno, E2BIG);
	/* A surrogate pair is never split across the end of the buffer. */
	errno = 0;
	assert_int_equal(ucs2_from_utf8("a\xf0\x9f\x98\x80", 5, buf, 4), -1);
	assert_int_equal(errno, E2BIG);
	assert_int_equal(ucs2_from_utf8("ab", 2, buf, 4), 4);
	/* Two characters need three bytes with the NUL. */
	errno = 0;
	assert_int_equal(ucs2_to_utf8(ab, sizeof(ab), out, 2), -1);
	assert_int_equal(errno, E2BIG);
	assert_int_equal(ucs2_to_utf8(ab, sizeof(ab), out, 3), 2);
	assert_string_equal(out, "ab");
	errno = 0;
	assert_int_equal(ucs2_to_utf8(smile, sizeof(smile), out, 4), -1);
	assert_int_equal(errno, E2BIG);
	assert_int_equal(ucs2_to_utf8(smile, sizeof(smile), out, 5), 4);
	errno = 0;
	assert_int_equal(ucs2_to_utf8(ab, 0, out, 0), -1);
	assert_int_equal(errno, E2BIG);
}

static void
test_ucs2_upper_covers_latin_greek_cyrillic(void **state)
{
	/* user jürgen ołga ÿ ß иван ёж άλφα ς µ ı ſ έήίόύώ */
	static const char lower[] = "user j\xc3\xbcrgen o\xc5\x82ga \xc3\xbf "
	    "\xc3\x9f \xd0\xb8\xd0\xb2\xd0\xb0\xd0\xbd \xd1\x91\xd0\xb6 "
	    "\xce\xac\xce\xbb\xcf\x86\xce\xb1 \xcf\x82 \xc2\xb5 \xc4\xb1 "
	    "\xc5\xbf \xce\xad\xce\xae\xce\xaf\xcf\x8c\xcf\x8d\xcf\x8e";
	/* USER JÜRGEN OŁGA Ÿ ß ИВАН ЁЖ ΆΛΦΑ Σ Μ I S ΈΉΊΌΎΏ; ß stays */
	static const char upper[] = "USER J\xc3\x9cRGEN O\xc5\x81GA \xc5\xb8 "
	    "\xc3\x9f \xd0\x98\xd0\x92\xd0\x90\xd0\x9d \xd0\x81\xd0\x96 "
	    "\xce\x86\xce\x9b\xce\xa6\xce\x91 \xce\xa3 \xce\x9c I S "
	    "\xce\x88\xce\x89\xce\x8a\xce\x8c\xce\x8e\xce\x8f";
	uint8_t buf[128];
	char out[128];
	ssize_t n;

	(void)state;
	n = ucs2_from_utf8(lower, strlen(lower), buf, sizeof(buf));
	assert_true(n > 0);
	ucs2_upper(buf, (size_t)n);
	assert_true(ucs2_to_utf8(buf, (size_t)n, out, sizeof(out)) > 0);
	assert_string_equal(out, upper);
}

static void
test_ucs2_upper_leaves_the_rest_alone(void **state)
{
	uint32_t u;

	(void)state;
	assert_int_equal(ucs2_upper_unit('A'), 'A');
	assert_int_equal(ucs2_upper_unit('@'), '@');
	assert_int_equal(ucs2_upper_unit('['), '[');
	assert_int_equal(ucs2_upper_unit(0x00f7), 0x00f7);	/* ÷ */
	assert_int_equal(ucs2_upper_unit(0x00d7), 0x00d7);	/* × */
	assert_int_equal(ucs2_upper_unit(0x0138), 0x0138);	/* ĸ */
	assert_int_equal(ucs2_upper_unit(0x0149), 0x0149);	/* ŉ */
	assert_int_equal(ucs2_upper_unit(0x03b0), 0x03b0);	/* ΰ */
	assert_int_equal(ucs2_upper_unit(0x4e2d), 0x4e2d);	/* 中 */
	assert_int_equal(ucs2_upper_unit(0xd83d), 0xd83d);	/* surrogate */
	/* Pairs in Latin Extended-A, both parities. */
	assert_int_equal(ucs2_upper_unit(0x0101), 0x0100);	/* ā */
	assert_int_equal(ucs2_upper_unit(0x013a), 0x0139);	/* ĺ */
	assert_int_equal(ucs2_upper_unit(0x0177), 0x0176);	/* ŷ */
	assert_int_equal(ucs2_upper_unit(0x017e), 0x017d);	/* ž */
	/* No capital maps to something else. */
	for (u = 'A'; u <= 'Z'; u++)
		assert_int_equal(ucs2_upper_unit((uint16_t)u), u);
	for (u = 0x0410; u <= 0x042f; u++)
		assert_int_equal(ucs2_upper_unit((uint16_t)u), u);
	for (u = 0x0391; u <= 0x03a9; u++)
		assert_int_equal(ucs2_upper_unit((uint16_t)u), u);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ucs2_ascii_round_trip),
		cmocka_unit_test(test_ucs2_empty_string_is_valid),
		cmocka_unit_test(test_ucs2_every_utf8_length_round_trips),
		cmocka_unit_test(test_ucs2_boundary_scalars_round_trip),
		cmocka_unit_test(test_ucs2_refuses_overlong_utf8),
		cmocka_unit_test(test_ucs2_refuses_malformed_utf8),
		cmocka_unit_test(test_ucs2_refuses_encoded_surrogates_in_utf8),
		cmocka_unit_test(test_ucs2_refuses_nul_both_ways),
		cmocka_unit_test(test_ucs2_refuses_unpaired_surrogates),
		cmocka_unit_test(test_ucs2_refuses_odd_length_utf16),
		cmocka_unit_test(test_ucs2_small_buffers_say_e2big),
		cmocka_unit_test(test_ucs2_upper_covers_latin_greek_cyrillic),
		cmocka_unit_test(test_ucs2_upper_leaves_the_rest_alone),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
