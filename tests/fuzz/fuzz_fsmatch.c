/*
 * fuzz_fsmatch.c — libFuzzer harness for fsmatch.c.
 *
 * The input is a pattern, a NUL, and a name.  Besides "no crash, no
 * leak, no time-out" (the automaton must stay polynomial on anything),
 * every answer is checked against a model written straight from the
 * rules of [MS-FSA] 2.1.4.4 as fsmatch.h states them: a table over
 * (pattern position, name position), without the star merging or the
 * bit vectors of the real thing.  The answer must not depend on the case
 * of ASCII letters in the name, nor on the compiled pattern having been
 * used before.  A disagreement aborts.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fsmatch.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check(int cond)
{
	if (!cond)
		abort();
}

/*
 * One character of s at *i, as the model sees it: a code point of valid
 * UTF-8 (shortest form, no surrogates, at most U+10FFFF), otherwise the
 * byte alone, coded past U+10FFFF.
 */
static long
model_char(const unsigned char *s, size_t len, size_t *i)
{
	unsigned char b = s[*i];
	size_t n, k;
	long c;

	n = b < 0x80 ? 0 : (b & 0xe0) == 0xc0 ? 1 : (b & 0xf0) == 0xe0 ? 2 :
	    (b & 0xf8) == 0xf0 ? 3 : 99;
	if (n == 0) {
		(*i)++;
		return b;
	}
	if (n == 99)
		goto raw;
	c = b & (0x3f >> n);
	for (k = 1; k <= n; k++) {
		if (*i + k >= len || (s[*i + k] & 0xc0) != 0x80)
			goto raw;
		c = (c << 6) | (s[*i + k] & 0x3f);
	}
	if ((n == 1 && c < 0x80) || (n == 2 && c < 0x800) ||
	    (n == 3 && c < 0x10000) || c > 0x10ffff ||
	    (c >= 0xd800 && c <= 0xdfff))
		goto raw;
	*i += n + 1;
	return c;
raw:
	(*i)++;
	return 0x110000 + b;
}

static long
model_fold(long c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/* Characters of s (len bytes) into a new array; *n gets the count. */
static long *
model_chars(const char *s, size_t len, size_t *n)
{
	long *out;
	size_t i = 0;

	if ((out = calloc(len + 1, sizeof(*out))) == NULL)
		abort();
	*n = 0;
	while (i < len)
		out[(*n)++] = model_char((const unsigned char *)s, len, &i);
	return out;
}

static bool
model_match(const char *pattern, const char *name)
{
	long *e, *nm;
	size_t m, n, p, i, lastdot = SIZE_MAX;
	unsigned char *t;
	bool r;

	/* Part 1. */
	if (*pattern == '\0' || *name == '\0')
		return *pattern == '\0' && *name == '\0';
	if (strcmp(pattern, "*") == 0 || strcmp(pattern, "*.*") == 0)
		return true;
	e = model_chars(pattern, strlen(pattern), &m);
	nm = model_chars(name, strlen(name), &n);
	for (i = 0; i < n; i++)
		if (nm[i] == '.')
			lastdot = i;
	/* t[p * (n + 1) + i]: pattern from p matches name from i. */
	if ((t = calloc((m + 1) * (n + 1), 1)) == NULL)
		abort();
#define T(p, i)	t[(p) * (n + 1) + (i)]
	T(m, n) = 1;
	for (p = m; p-- > 0;) {
		for (i = n + 1; i-- > 0;) {
			switch (e[p]) {
			case '*':
				r = T(p + 1, i) || (i < n && T(p, i + 1));
				break;
			case '<':
				r = T(p + 1, i) || (i < n && i != lastdot &&
				    T(p, i + 1));
				break;
			case '?':
				r = i < n && T(p + 1, i + 1);
				break;
			case '>':
				if (i == n || nm[i] == '.')
					r = T(p + 1, i);
				else
					r = T(p + 1, i + 1);
				break;
			case '"':
				if (i == n)
					r = T(p + 1, i);
				else
					r = nm[i] == '.' && T(p + 1, i + 1);
				break;
			default:
				r = i < n && model_fold(nm[i]) ==
				    model_fold(e[p]) && T(p + 1, i + 1);
				break;
			}
			T(p, i) = r;
		}
	}
	r = T(0, 0);
#undef T
	free(t);
	free(e);
	free(nm);
	return r;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, '\0', size);
	struct fsmatch *fm;
	char *pattern, *name, *swapped;
	size_t plen = nul != NULL ? (size_t)(nul - data) : size, nlen, i, n;
	bool got;

	/* Exact-size copies, so that any over-read is caught. */
	nlen = nul != NULL ? strnlen((const char *)nul + 1, size - plen - 1) :
	    0;
	if ((pattern = malloc(plen + 1)) == NULL ||
	    (name = malloc(nlen + 1)) == NULL ||
	    (swapped = malloc(nlen + 1)) == NULL)
		abort();
	memcpy(pattern, data, plen);
	pattern[plen] = '\0';
	if (nlen > 0)
		memcpy(name, nul + 1, nlen);
	name[nlen] = '\0';
	for (i = 0; i <= nlen; i++) {
		swapped[i] = name[i];
		if (name[i] >= 'a' && name[i] <= 'z')
			swapped[i] = (char)(name[i] - 'a' + 'A');
		else if (name[i] >= 'A' && name[i] <= 'Z')
			swapped[i] = (char)(name[i] - 'A' + 'a');
	}

	errno = 0;
	if ((fm = fsmatch_compile(pattern)) == NULL) {
		/* Only a pattern past the limit may be refused. */
		free(model_chars(pattern, plen, &n));
		check(errno == ENAMETOOLONG && n > FSMATCH_PATTERN_MAX);
		goto out;
	}
	got = fsmatch_match(fm, name);
	check(got == model_match(pattern, name));
	check(fsmatch_match(fm, swapped) == got);
	check(fsmatch_match(fm, name) == got);
	check(fsmatch(pattern, name) == got);
	fsmatch_free(fm);
out:
	free(swapped);
	free(name);
	free(pattern);
	return 0;
}
