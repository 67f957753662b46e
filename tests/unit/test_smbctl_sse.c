/*
 * test_smbctl_sse.c — server-sent events framing for "events --follow":
 * events split anywhere across reads, CRLF, comments and id lines,
 * multi-line data, overlong lines, and stopping from the callback.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "smbctl.h"

struct got {
	char	 ev[8][128];
	int	 n;
	int	 stop_after;	/* 0: never */
};

static int
collect(const char *data, size_t len, void *arg)
{
	struct got *g = arg;

	assert_int_equal(strlen(data), len);
	if (g->n < 8)
		snprintf(g->ev[g->n], sizeof(g->ev[0]), "%s", data);
	g->n++;
	return g->stop_after != 0 && g->n >= g->stop_after ? -1 : 0;
}

static const char stream[] =
    ": keep-alive\n"
    "id: 7\n"
    "data: {\"seq\":7}\n"
    "\n"
    "id: 8\r\n"
    "data: {\"seq\":\r\n"
    "data: 8}\r\n"
    "\r\n"
    "data:{\"type\":\"events.missed\"}\n"
    "\n"
    "\n"
    "event: ignored\n"
    "\n";

static void
test_sse_events_in_one_read_or_byte_by_byte(void **state)
{
	struct sse s;
	struct got g;
	size_t i;
	int pass;

	(void)state;
	for (pass = 0; pass < 2; pass++) {
		memset(&g, 0, sizeof(g));
		sse_init(&s, collect, &g);
		if (pass == 0)
			assert_int_equal(sse_feed(&s, stream,
			    sizeof(stream) - 1), 0);
		else
			for (i = 0; i < sizeof(stream) - 1; i++)
				assert_int_equal(sse_feed(&s, stream + i, 1),
				    0);
		sse_free(&s);
		assert_int_equal(g.n, 3);
		assert_string_equal(g.ev[0], "{\"seq\":7}");
		assert_string_equal(g.ev[1], "{\"seq\":\n8}");
		assert_string_equal(g.ev[2], "{\"type\":\"events.missed\"}");
	}
}

static void
test_sse_incomplete_event_is_not_delivered(void **state)
{
	struct sse s;
	struct got g;

	(void)state;
	memset(&g, 0, sizeof(g));
	sse_init(&s, collect, &g);
	assert_int_equal(sse_feed(&s, "data: {\"seq\":1}\n", 16), 0);
	assert_int_equal(g.n, 0);
	assert_int_equal(sse_feed(&s, "\n", 1), 0);
	assert_int_equal(g.n, 1);
	sse_free(&s);
}

static void
test_sse_callback_stops_the_stream(void **state)
{
	struct sse s;
	struct got g;

	(void)state;
	memset(&g, 0, sizeof(g));
	g.stop_after = 1;
	sse_init(&s, collect, &g);
	assert_int_equal(sse_feed(&s, stream, sizeof(stream) - 1), -1);
	assert_int_equal(g.n, 1);
	sse_free(&s);
}

static void
test_sse_overlong_line_drops_its_event_only(void **state)
{
	struct sse s;
	struct got g;
	char *big;
	size_t n = SSE_LINE_MAX + 100;

	(void)state;
	assert_non_null(big = malloc(n));
	memcpy(big, "data: ", 6);
	memset(big + 6, 'x', n - 6);
	memset(&g, 0, sizeof(g));
	sse_init(&s, collect, &g);
	assert_int_equal(sse_feed(&s, big, n), 0);
	assert_int_equal(sse_feed(&s, "\ndata: 1\n\ndata: 2\n\n", 19), 0);
	assert_int_equal(g.n, 1);
	assert_string_equal(g.ev[0], "2");
	sse_free(&s);
	free(big);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sse_events_in_one_read_or_byte_by_byte),
		cmocka_unit_test(test_sse_incomplete_event_is_not_delivered),
		cmocka_unit_test(test_sse_callback_stops_the_stream),
		cmocka_unit_test(test_sse_overlong_line_drops_its_event_only),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
