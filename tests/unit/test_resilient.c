/*
 * test_resilient.c — FSCTL_LMR_REQUEST_RESILIENCY input (MS-SMB2 2.2.31.3,
 * 3.3.5.15.9 steps 3 and 4): resilient_parse().
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "msgbuf.h"
#include "ntstatus.h"
#include "resilient.h"

static uint32_t
parse(uint32_t timeout, size_t len, uint32_t *granted)
{
	uint8_t b[12];
	struct msgbuf_rd rd;

	memset(b, 0xee, sizeof(b));
	le32enc(b, timeout);
	msgbuf_rd_init(&rd, b, len);
	return resilient_parse(&rd, granted);
}

/* Step 3: InputCount below the 8 bytes of the request. */
static void
test_resilient_input_shorter_than_8_bytes_is_invalid(void **state)
{
	uint32_t t;
	size_t len;

	(void)state;
	for (len = 0; len < RESILIENCY_REQ_LEN; len++)
		assert_int_equal(parse(1000, len, &t),
		    STATUS_INVALID_PARAMETER);
	/* Reserved is ignored; trailing bytes too. */
	assert_int_equal(parse(1000, 8, &t), STATUS_SUCCESS);
	assert_int_equal(t, 1000);
	assert_int_equal(parse(1000, 12, &t), STATUS_SUCCESS);
}

/* Step 3: a Timeout above MaxResiliencyTimeout (300000 ms, <226>). */
static void
test_resilient_timeout_above_max_is_invalid(void **state)
{
	uint32_t t;

	(void)state;
	assert_int_equal(parse(300000, 8, &t), STATUS_SUCCESS);
	assert_int_equal(t, 300000);
	assert_int_equal(parse(300001, 8, &t), STATUS_INVALID_PARAMETER);
	assert_int_equal(parse(UINT32_MAX, 8, &t), STATUS_INVALID_PARAMETER);
}

/* Step 4: Timeout 0 is the server's value, 120 s as Windows 8+ (<401>). */
static void
test_resilient_zero_timeout_gets_the_default(void **state)
{
	uint32_t t;

	(void)state;
	assert_int_equal(parse(0, 8, &t), STATUS_SUCCESS);
	assert_int_equal(t, RESILIENCY_DEFAULT_MS);
	assert_int_equal(RESILIENCY_DEFAULT_MS, 120000);
	assert_int_equal(parse(1, 8, &t), STATUS_SUCCESS);
	assert_int_equal(t, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    test_resilient_input_shorter_than_8_bytes_is_invalid),
		cmocka_unit_test(test_resilient_timeout_above_max_is_invalid),
		cmocka_unit_test(test_resilient_zero_timeout_gets_the_default),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
