/*
 * fuzz_ucs2.c — libFuzzer harness for ucs2.c, both directions.
 *
 * Besides "no crash, no leak", it checks what the module promises: text
 * accepted in one direction converts back to the same bytes; the sizing
 * function and the converters agree; a buffer one byte short is refused;
 * uppercasing keeps valid UTF-16 valid.  A broken promise aborts.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ucs2.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check(int cond)
{
	if (!cond)
		abort();
}

/* The input as UTF-8. */
static void
from_utf8(const char *s, size_t len)
{
	uint8_t *u16, *buf;
	char *back;
	ssize_t need, n;
	size_t u16len, backlen;

	need = ucs2_utf16_len(s, len);
	if (ucs2_from_utf8_alloc(s, len, &u16, &u16len) == -1) {
		check(need == -1 && errno == EILSEQ && u16 == NULL);
		return;
	}
	check(need >= 0 && (size_t)need == u16len && u16len % 2 == 0);
	if ((buf = malloc(u16len + 1)) == NULL)
		abort();
	n = ucs2_from_utf8(s, len, buf, u16len);
	check(n == need && memcmp(buf, u16, u16len) == 0);
	if (u16len > 0) {
		errno = 0;
		check(ucs2_from_utf8(s, len, buf, u16len - 1) == -1 &&
		    errno == E2BIG);
	}
	check(ucs2_to_utf8_alloc(u16, u16len, &back, &backlen) == 0);
	check(backlen == len && memcmp(back, s, len) == 0);
	free(back);
	/* Uppercase never makes a surrogate or a NUL. */
	ucs2_upper(u16, u16len);
	check(ucs2_to_utf8_alloc(u16, u16len, &back, NULL) == 0);
	free(back);
	free(buf);
	free(u16);
}

/* The input as UTF-16LE. */
static void
from_utf16(const uint8_t *s, size_t len)
{
	uint8_t *again;
	char *u8, *buf;
	size_t u8len, againlen;
	ssize_t n;

	if (ucs2_to_utf8_alloc(s, len, &u8, &u8len) == -1) {
		check(errno == EILSEQ && u8 == NULL);
		return;
	}
	check(strlen(u8) == u8len);
	if ((buf = malloc(u8len + 1)) == NULL)
		abort();
	n = ucs2_to_utf8(s, len, buf, u8len + 1);
	check(n >= 0 && (size_t)n == u8len && strcmp(buf, u8) == 0);
	errno = 0;
	check(ucs2_to_utf8(s, len, buf, u8len) == -1 && errno == E2BIG);
	check(ucs2_from_utf8_alloc(u8, u8len, &again, &againlen) == 0);
	check(againlen == len && memcmp(again, s, len) == 0);
	free(again);
	free(buf);
	free(u8);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;

	/* An exact-size copy, so that any over-read is caught. */
	if ((s = malloc(size + 1)) == NULL)
		abort();
	memcpy(s, data, size);
	from_utf8(s, size);
	from_utf16((const uint8_t *)s, size);
	free(s);
	return 0;
}
