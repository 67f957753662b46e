/* test_ndr.c — NDR 2.0 reader and writer (C706 chapter 14). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ndr.h"

static void
test_ndr_primitives_align_to_their_size(void **state)
{
	struct ndr_wr w;
	struct ndr_rd r;
	const uint8_t *b;

	(void)state;
	ndr_wr_init(&w, 1024);
	ndr_put_u8(&w, 0x11);
	ndr_put_u16(&w, 0x2233);	/* 1 pad byte */
	ndr_put_u32(&w, 0x44556677);	/* at 4 */
	ndr_put_u8(&w, 0x88);
	ndr_put_u64(&w, 0x0102030405060708ull);	/* 7 pad bytes, at 16 */
	assert_true(ndr_wr_ok(&w));
	assert_int_equal(ndr_wr_len(&w), 24);
	b = ndr_wr_data(&w);
	assert_int_equal(b[1], 0);
	assert_int_equal(le16dec(b + 2), 0x2233);
	assert_int_equal(le32dec(b + 4), 0x44556677);
	assert_true(le64dec(b + 16) == 0x0102030405060708ull);

	ndr_rd_init(&r, b, ndr_wr_len(&w));
	assert_int_equal(ndr_get_u8(&r), 0x11);
	assert_int_equal(ndr_get_u16(&r), 0x2233);
	assert_int_equal(ndr_get_u32(&r), 0x44556677);
	assert_int_equal(ndr_get_u8(&r), 0x88);
	assert_true(ndr_get_u64(&r) == 0x0102030405060708ull);
	assert_true(ndr_rd_ok(&r));
	assert_int_equal(ndr_rd_remain(&r), 0);
	ndr_wr_free(&w);
}

static void
test_ndr_short_read_fails_and_stays_failed(void **state)
{
	static const uint8_t b[] = { 1, 0, 0 };
	struct ndr_rd r;

	(void)state;
	ndr_rd_init(&r, b, sizeof(b));
	assert_int_equal(ndr_get_u32(&r), 0);
	assert_false(ndr_rd_ok(&r));
	assert_int_equal(ndr_get_u8(&r), 0);
	assert_int_equal(ndr_rd_remain(&r), 0);
	/* An empty stub may come without a buffer (a request with none). */
	ndr_rd_init(&r, NULL, 0);
	ndr_rd_align(&r, 4);
	assert_true(ndr_rd_ok(&r));
	assert_int_equal(ndr_get_u8(&r), 0);
	assert_false(ndr_rd_ok(&r));
	/* A u16 after a u8 skips a pad byte: 1 + 1 + 2 > 3. */
	ndr_rd_init(&r, b, sizeof(b));
	(void)ndr_get_u8(&r);
	assert_true(ndr_rd_ok(&r));
	(void)ndr_get_u16(&r);
	assert_false(ndr_rd_ok(&r));
	/* Padding alone past the end fails too. */
	ndr_rd_init(&r, b, sizeof(b));
	(void)ndr_get_u8(&r);
	(void)ndr_get_u8(&r);
	(void)ndr_get_u8(&r);
	assert_true(ndr_rd_ok(&r));
	ndr_rd_align(&r, 4);
	assert_false(ndr_rd_ok(&r));
}

static void
test_ndr_wide_string_round_trips(void **state)
{
	struct ndr_wr w;
	struct ndr_rd r;
	char out[64];
	const uint8_t *b;

	(void)state;
	ndr_wr_init(&w, 1024);
	ndr_put_u8(&w, 7);		/* the string must align to 4 */
	ndr_put_wstr(&w, "Gr\xc3\xbc\xc3\x9f");	/* "Grüß" */
	assert_true(ndr_wr_ok(&w));
	b = ndr_wr_data(&w);
	/* max_count = actual_count = 5 units with the NUL, offset 0. */
	assert_int_equal(le32dec(b + 4), 5);
	assert_int_equal(le32dec(b + 8), 0);
	assert_int_equal(le32dec(b + 12), 5);
	assert_int_equal(le16dec(b + 16 + 2 * 2), 0xfc);
	assert_int_equal(le16dec(b + 16 + 4 * 2), 0);
	assert_int_equal(ndr_wr_len(&w), 16 + 10);

	ndr_rd_init(&r, b, ndr_wr_len(&w));
	(void)ndr_get_u8(&r);
	assert_int_equal(ndr_get_wstr(&r, out, sizeof(out)), 0);
	assert_string_equal(out, "Gr\xc3\xbc\xc3\x9f");
	assert_true(ndr_rd_ok(&r));
	ndr_wr_free(&w);
}

/* A string as a client would send it: units given, counts given. */
static size_t
make_wstr(uint8_t *b, uint32_t max, uint32_t off, uint32_t actual,
    const uint16_t *units, size_t n)
{
	size_t i;

	le32enc(b, max);
	le32enc(b + 4, off);
	le32enc(b + 8, actual);
	for (i = 0; i < n; i++)
		le16enc(b + 12 + 2 * i, units[i]);
	return 12 + 2 * n;
}

static void
test_ndr_malformed_wide_strings_fail(void **state)
{
	static const uint16_t ab[] = { 'a', 'b', 0 };
	static const uint16_t no_nul[] = { 'a', 'b', 'c' };
	static const uint16_t lone[] = { 0xd800, 0 };
	uint8_t b[64];
	char out[16];
	struct ndr_rd r;
	size_t n;

	(void)state;
	/* actual_count above max_count. */
	n = make_wstr(b, 2, 0, 3, ab, 3);
	ndr_rd_init(&r, b, n);
	assert_int_equal(ndr_get_wstr(&r, out, sizeof(out)), -1);
	assert_false(ndr_rd_ok(&r));
	/* A non-zero offset. */
	n = make_wstr(b, 3, 1, 3, ab, 3);
	ndr_rd_init(&r, b, n);
	assert_int_equal(ndr_get_wstr(&r, out, sizeof(out)), -1);
	/* No terminating NUL. */
	n = make_wstr(b, 3, 0, 3, no_nul, 3);
	ndr_rd_init(&r, b, n);
	assert_int_equal(ndr_get_wstr(&r, out, sizeof(out)), -1);
	/* Units missing from the buffer. */
	n = make_wstr(b, 3, 0, 3, ab, 3);
	ndr_rd_init(&r, b, n - 2);
	assert_int_equal(ndr_get_wstr(&r, out, sizeof(out)), -1);
	/* Zero units: not even the NUL. */
	n = make_wstr(b, 0, 0, 0, ab, 0);
	ndr_rd_init(&r, b, n);
	assert_int_equal(ndr_get_wstr(&r, out, sizeof(out)), -1);
	/* A lone surrogate is not UTF-16. */
	n = make_wstr(b, 2, 0, 2, lone, 2);
	ndr_rd_init(&r, b, n);
	assert_int_equal(ndr_get_wstr(&r, out, sizeof(out)), -1);
	/* Huge counts with few bytes. */
	n = make_wstr(b, 0xffffffff, 0, 0xfffffff0, ab, 3);
	ndr_rd_init(&r, b, n);
	assert_int_equal(ndr_get_wstr(&r, out, sizeof(out)), -1);
}

static void
test_ndr_long_or_padded_strings_are_not_malformed(void **state)
{
	static const uint16_t padded[] = { 'x', 0, 0, 0 };
	uint16_t *units;
	uint8_t *b;
	char out[8];
	struct ndr_rd r;
	size_t n, i, count = NDR_WSTR_MAX + 1;

	(void)state;
	/* Trailing NULs (impacket pads so): the string ends at the first. */
	b = malloc(12 + 2 * count);
	assert_non_null(b);
	n = make_wstr(b, 4, 0, 4, padded, 4);
	ndr_rd_init(&r, b, n);
	assert_int_equal(ndr_get_wstr(&r, out, sizeof(out)), 0);
	assert_string_equal(out, "x");
	assert_int_equal(ndr_rd_remain(&r), 0);

	/* Longer than the output: -2, the reader past it and still good. */
	units = calloc(count, sizeof(*units));
	assert_non_null(units);
	for (i = 0; i + 1 < 10; i++)
		units[i] = 'y';
	n = make_wstr(b, 10, 0, 10, units, 10);
	ndr_rd_init(&r, b, n);
	assert_int_equal(ndr_get_wstr(&r, out, sizeof(out)), -2);
	assert_true(ndr_rd_ok(&r));
	assert_int_equal(ndr_rd_remain(&r), 0);

	/* Longer than NDR_WSTR_MAX: also -2, not a fault. */
	for (i = 0; i + 1 < count; i++)
		units[i] = 'z';
	n = make_wstr(b, (uint32_t)count, 0, (uint32_t)count, units, count);
	ndr_rd_init(&r, b, n);
	assert_int_equal(ndr_get_wstr(&r, out, sizeof(out)), -2);
	assert_true(ndr_rd_ok(&r));
	free(units);
	free(b);
}

/*
 * An array of structures with string pointers: all fixed parts first,
 * then the strings in order (C706 14.3.12.3), NULL pointers leaving no
 * referent.
 */
static void
test_ndr_deferred_referents_follow_the_array(void **state)
{
	static const char *names[] = { "one", NULL, "three" };
	struct ndr_wr w;
	struct ndr_rd r;
	uint32_t ptrs[3], count;
	char out[16];
	int i;

	(void)state;
	ndr_wr_init(&w, 1024);
	ndr_put_u32(&w, 3);			/* conformance */
	for (i = 0; i < 3; i++) {
		ndr_put_wstr_ptr(&w, names[i]);
		ndr_put_u32(&w, (uint32_t)i);
	}
	ndr_flush(&w);
	ndr_put_u32(&w, 0xcafe);		/* what follows the construct */
	assert_true(ndr_wr_ok(&w));

	ndr_rd_init(&r, ndr_wr_data(&w), ndr_wr_len(&w));
	count = ndr_get_u32(&r);
	assert_int_equal(count, 3);
	for (i = 0; i < 3; i++) {
		ptrs[i] = ndr_get_ptr(&r);
		assert_int_equal(ndr_get_u32(&r), (uint32_t)i);
	}
	assert_int_not_equal(ptrs[0], 0);
	assert_int_equal(ptrs[1], 0);
	assert_int_not_equal(ptrs[2], 0);
	assert_int_not_equal(ptrs[0], ptrs[2]);
	assert_int_equal(ndr_get_wstr(&r, out, sizeof(out)), 0);
	assert_string_equal(out, "one");
	assert_int_equal(ndr_get_wstr(&r, out, sizeof(out)), 0);
	assert_string_equal(out, "three");
	assert_int_equal(ndr_get_u32(&r), 0xcafe);
	assert_int_equal(ndr_rd_remain(&r), 0);
	/* The queue is empty after a flush: nothing is written twice. */
	ndr_flush(&w);
	assert_int_equal(ndr_wr_len(&w), r.nr_off);
	ndr_wr_free(&w);
}

static void
test_ndr_byte_array_referent(void **state)
{
	static const uint8_t sd[5] = { 1, 2, 3, 4, 5 };
	struct ndr_wr w;
	struct ndr_rd r;
	const uint8_t *p;
	uint32_t n;

	(void)state;
	ndr_wr_init(&w, 256);
	ndr_put_bytes_ptr(&w, sd, sizeof(sd));
	ndr_put_bytes_ptr(&w, NULL, 0);
	ndr_flush(&w);
	ndr_rd_init(&r, ndr_wr_data(&w), ndr_wr_len(&w));
	assert_int_not_equal(ndr_get_ptr(&r), 0);
	assert_int_equal(ndr_get_ptr(&r), 0);
	p = ndr_get_carray(&r, 1, 16, &n);
	assert_non_null(p);
	assert_int_equal(n, 5);
	assert_memory_equal(p, sd, 5);
	/* A count over the caller's limit fails. */
	ndr_rd_init(&r, ndr_wr_data(&w), ndr_wr_len(&w));
	(void)ndr_get_ptr(&r);
	(void)ndr_get_ptr(&r);
	assert_null(ndr_get_carray(&r, 1, 4, &n));
	assert_false(ndr_rd_ok(&r));
	ndr_wr_free(&w);
}

static void
test_ndr_full_pointers_remember_referents(void **state)
{
	uint8_t b[4 * (NDR_FULL_PTR_MAX + 3)];
	struct ndr_rd r;
	bool seen;
	int i;

	(void)state;
	le32enc(b, 0x20000);
	le32enc(b + 4, 0x20004);
	le32enc(b + 8, 0x20000);
	le32enc(b + 12, 0);
	ndr_rd_init(&r, b, 16);
	assert_int_equal(ndr_get_full_ptr(&r, &seen), 0x20000);
	assert_false(seen);
	assert_int_equal(ndr_get_full_ptr(&r, &seen), 0x20004);
	assert_false(seen);
	assert_int_equal(ndr_get_full_ptr(&r, &seen), 0x20000);
	assert_true(seen);
	assert_int_equal(ndr_get_full_ptr(&r, &seen), 0);
	assert_false(seen);
	assert_true(ndr_rd_ok(&r));
	/* More distinct referents than remembered: the stub is refused. */
	for (i = 0; i < NDR_FULL_PTR_MAX + 1; i++)
		le32enc(b + 4 * i, 0x1000 + 4 * (uint32_t)i);
	ndr_rd_init(&r, b, 4 * (NDR_FULL_PTR_MAX + 1));
	for (i = 0; i < NDR_FULL_PTR_MAX; i++)
		(void)ndr_get_full_ptr(&r, &seen);
	assert_true(ndr_rd_ok(&r));
	(void)ndr_get_full_ptr(&r, &seen);
	assert_false(ndr_rd_ok(&r));
}

static void
test_ndr_writer_refuses_past_its_cap(void **state)
{
	struct ndr_wr w;
	int i;

	(void)state;
	ndr_wr_init(&w, 64);
	for (i = 0; i < 10; i++)
		ndr_put_wstr_ptr(&w, "a string long enough to overflow");
	assert_true(ndr_wr_ok(&w));
	ndr_flush(&w);
	assert_false(ndr_wr_ok(&w));
	assert_true(ndr_wr_len(&w) <= 64);
	ndr_wr_free(&w);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ndr_primitives_align_to_their_size),
		cmocka_unit_test(test_ndr_short_read_fails_and_stays_failed),
		cmocka_unit_test(test_ndr_wide_string_round_trips),
		cmocka_unit_test(test_ndr_malformed_wide_strings_fail),
		cmocka_unit_test(
		    test_ndr_long_or_padded_strings_are_not_malformed),
		cmocka_unit_test(test_ndr_deferred_referents_follow_the_array),
		cmocka_unit_test(test_ndr_byte_array_referent),
		cmocka_unit_test(test_ndr_full_pointers_remember_referents),
		cmocka_unit_test(test_ndr_writer_refuses_past_its_cap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
