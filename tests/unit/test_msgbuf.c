/* test_msgbuf.c — bounded reader and writer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "msgbuf.h"

static void
test_msgbuf_reads_little_and_big_endian(void **state)
{
	static const uint8_t b[] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06,
	    0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x11 };
	struct msgbuf_rd rd;

	(void)state;
	msgbuf_rd_init(&rd, b, sizeof(b));
	assert_int_equal(msgbuf_get_u8(&rd), 0x01);
	assert_int_equal(msgbuf_get_le16(&rd), 0x0302);
	assert_int_equal(msgbuf_get_le32(&rd), 0x07060504);
	assert_true(msgbuf_get_le64(&rd) == 0x0f0e0d0c0b0a0908ull);
	assert_int_equal(msgbuf_get_be16(&rd), 0x1011);
	assert_true(msgbuf_rd_ok(&rd));
	assert_int_equal(msgbuf_remain(&rd), 0);
	msgbuf_seek(&rd, 1);
	assert_int_equal(msgbuf_get_be32(&rd), 0x02030405);
}

static void
test_msgbuf_short_read_is_sticky_and_returns_zero(void **state)
{
	static const uint8_t b[] = { 0xff, 0xff, 0xff };
	struct msgbuf_rd rd;
	uint8_t out[4] = { 1, 1, 1, 1 };

	(void)state;
	msgbuf_rd_init(&rd, b, sizeof(b));
	assert_int_equal(msgbuf_get_le32(&rd), 0);
	assert_false(msgbuf_rd_ok(&rd));
	/* Even a read that would fit now fails: the error is sticky. */
	assert_int_equal(msgbuf_get_u8(&rd), 0);
	msgbuf_get_bytes(&rd, out, sizeof(out));
	assert_int_equal(out[0], 0);
	assert_null(msgbuf_get_ptr(&rd, 1));
	assert_int_equal(msgbuf_remain(&rd), 0);
}

static void
test_msgbuf_seek_and_sub_check_bounds(void **state)
{
	uint8_t b[16] = { 0 };
	struct msgbuf_rd rd, sub;

	(void)state;
	msgbuf_rd_init(&rd, b, sizeof(b));
	assert_true(msgbuf_sub(&rd, 8, 8, &sub));
	assert_int_equal(msgbuf_remain(&sub), 8);
	assert_true(msgbuf_sub(&rd, 16, 0, &sub));
	/* off + len overflowing size_t must not wrap around. */
	assert_false(msgbuf_sub(&rd, 8, SIZE_MAX, &sub));
	assert_false(msgbuf_rd_ok(&rd));
	assert_false(msgbuf_rd_ok(&sub));

	msgbuf_rd_init(&rd, b, sizeof(b));
	msgbuf_seek(&rd, 16);
	assert_true(msgbuf_rd_ok(&rd));
	msgbuf_seek(&rd, 17);
	assert_false(msgbuf_rd_ok(&rd));

	msgbuf_rd_init(&rd, b, sizeof(b));
	msgbuf_skip(&rd, SIZE_MAX);
	assert_false(msgbuf_rd_ok(&rd));
}

static void
test_msgbuf_writer_encodes_and_patches(void **state)
{
	struct msgbuf_wr wr;
	uint8_t *buf;
	size_t len, off;

	(void)state;
	msgbuf_wr_init(&wr, 1024);
	msgbuf_put_le16(&wr, 0x1234);
	off = msgbuf_reserve(&wr, 4);
	msgbuf_put_u8(&wr, 0xaa);
	msgbuf_align(&wr, 8);
	msgbuf_put_be32(&wr, 0x01020304);
	msgbuf_put_le64(&wr, 0x1122334455667788ull);
	msgbuf_patch_le32(&wr, off, 0xdeadbeef);
	assert_true(msgbuf_wr_ok(&wr));
	buf = msgbuf_wr_steal(&wr, &len);
	assert_int_equal(len, 20);
	assert_int_equal(le16dec(buf), 0x1234);
	assert_int_equal(le32dec(buf + 2), 0xdeadbeef);
	assert_int_equal(buf[6], 0xaa);
	assert_int_equal(buf[7], 0);
	assert_int_equal(buf[8], 0x01);
	assert_int_equal(buf[11], 0x04);
	assert_true(le64dec(buf + 12) == 0x1122334455667788ull);
	free(buf);
	msgbuf_wr_free(&wr);
}

static void
test_msgbuf_writer_refuses_past_its_cap(void **state)
{
	struct msgbuf_wr wr;
	uint8_t big[300];

	(void)state;
	memset(big, 7, sizeof(big));
	msgbuf_wr_init(&wr, 256);
	msgbuf_put_bytes(&wr, big, 250);
	assert_true(msgbuf_wr_ok(&wr));
	msgbuf_put_le64(&wr, 1);
	assert_false(msgbuf_wr_ok(&wr));
	/* Sticky: a small write after the failure fails as well. */
	msgbuf_put_u8(&wr, 1);
	assert_int_equal(msgbuf_wr_len(&wr), 250);
	msgbuf_patch_le16(&wr, 249, 1);
	msgbuf_wr_free(&wr);

	msgbuf_wr_init(&wr, 16);
	msgbuf_put_le32(&wr, 1);
	msgbuf_patch_le32(&wr, 2, 5);	/* past the written length */
	assert_false(msgbuf_wr_ok(&wr));
	msgbuf_wr_free(&wr);
}

static void
test_msgbuf_writer_grows_to_large_messages(void **state)
{
	struct msgbuf_wr wr;
	size_t i;

	(void)state;
	msgbuf_wr_init(&wr, 9u << 20);
	for (i = 0; i < (8u << 20) / 8; i++)
		msgbuf_put_le64(&wr, i);
	assert_true(msgbuf_wr_ok(&wr));
	assert_int_equal(msgbuf_wr_len(&wr), 8u << 20);
	assert_true(le64dec(wr.wr_buf + 8 * 12345) == 12345);
	msgbuf_wr_free(&wr);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_msgbuf_reads_little_and_big_endian),
		cmocka_unit_test(
		    test_msgbuf_short_read_is_sticky_and_returns_zero),
		cmocka_unit_test(test_msgbuf_seek_and_sub_check_bounds),
		cmocka_unit_test(test_msgbuf_writer_encodes_and_patches),
		cmocka_unit_test(test_msgbuf_writer_refuses_past_its_cap),
		cmocka_unit_test(test_msgbuf_writer_grows_to_large_messages),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
