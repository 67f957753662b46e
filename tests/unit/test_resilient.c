/*
 * test_resilient.c — FSCTL_LMR_REQUEST_RESILIENCY input (MS-SMB2 2.2.31.3,
 * 3.3.5.15.9 steps 3 and 4): resilient_parse(), with Windows' limits
 * and with configured ones.
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

/* With "resilient timeout" def and "resilient timeout max" max. */
static uint32_t
parse_with(uint32_t timeout, size_t len, uint32_t def, uint32_t max,
    uint32_t *granted)
{
	uint8_t b[12];
	struct msgbuf_rd rd;

	memset(b, 0xee, sizeof(b));
	le32enc(b, timeout);
	msgbuf_rd_init(&rd, b, len);
	return resilient_parse(&rd, def, max, granted);
}

/* With Windows' values, the defaults of both keywords. */
static uint32_t
parse(uint32_t timeout, size_t len, uint32_t *granted)
{
	return parse_with(timeout, len, RESILIENCY_DEFAULT_MS,
	    RESILIENCY_MAX_MS, granted);
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

/*
 * Steps 3 and 4 with "resilient timeout max" = 10000 and "resilient
 * timeout" = 4000: MaxResiliencyTimeout is the configured one (a request
 * above it is STATUS_INVALID_PARAMETER, whatever Windows would allow),
 * and a Timeout of 0 gets the configured default.
 */
static void
test_resilient_configured_max_and_default(void **state)
{
	uint32_t t;

	(void)state;
	assert_int_equal(parse_with(10001, 8, 4000, 10000, &t),
	    STATUS_INVALID_PARAMETER);
	assert_int_equal(t, 0);
	assert_int_equal(parse_with(300000, 8, 4000, 10000, &t),
	    STATUS_INVALID_PARAMETER);
	assert_int_equal(parse_with(10000, 8, 4000, 10000, &t),
	    STATUS_SUCCESS);
	assert_int_equal(t, 10000);
	assert_int_equal(parse_with(0, 8, 4000, 10000, &t), STATUS_SUCCESS);
	assert_int_equal(t, 4000);
	/* Raised above Windows' 300 s, the ceiling moves with it. */
	assert_int_equal(parse_with(600000, 8, 4000, 900000, &t),
	    STATUS_SUCCESS);
	assert_int_equal(t, 600000);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    test_resilient_input_shorter_than_8_bytes_is_invalid),
		cmocka_unit_test(test_resilient_timeout_above_max_is_invalid),
		cmocka_unit_test(test_resilient_zero_timeout_gets_the_default),
		cmocka_unit_test(test_resilient_configured_max_and_default),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
