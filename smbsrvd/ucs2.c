/*
 * ucs2.c — UTF-8 <-> UTF-16LE conversion (see ucs2.h).
 *
 * Each direction decodes one scalar value at a time with a strict decoder
 * and encodes it in the other form.  The allocating variants measure first
 * and convert second, so they never grow a buffer.
 */
#include <errno.h>
#include <stdlib.h>

#include "msgbuf.h"
#include "ucs2.h"

#define SUR_HIGH_LO	0xd800u
#define SUR_HIGH_HI	0xdbffu
#define SUR_LOW_LO	0xdc00u
#define SUR_LOW_HI	0xdfffu
#define UNI_MAX		0x10ffffu

/*
 * Decodes the scalar value at s[*i] (Unicode 15, table 3-7, "well-formed
 * UTF-8 byte sequences"): the second byte's range depends on the first so
 * that overlong forms, surrogates and values past U+10FFFF never decode.
 */
static int
utf8_next(const uint8_t *s, size_t len, size_t *i, uint32_t *cp)
{
	uint8_t b0 = s[*i], lo = 0x80, hi = 0xbf;
	size_t n, k;
	uint32_t v;

	if (b0 < 0x80) {
		n = 1;
		v = b0;
	} else if (b0 >= 0xc2 && b0 <= 0xdf) {
		n = 2;
		v = b0 & 0x1f;
	} else if (b0 >= 0xe0 && b0 <= 0xef) {
		n = 3;
		v = b0 & 0x0f;
		if (b0 == 0xe0)
			lo = 0xa0;	/* below: overlong */
		else if (b0 == 0xed)
			hi = 0x9f;	/* above: surrogates */
	} else if (b0 >= 0xf0 && b0 <= 0xf4) {
		n = 4;
		v = b0 & 0x07;
		if (b0 == 0xf0)
			lo = 0x90;	/* below: overlong */
		else if (b0 == 0xf4)
			hi = 0x8f;	/* above: past U+10FFFF */
	} else
		return -1;	/* 80..C1 (continuation, overlong), F5..FF */
	if (n > len - *i)
		return -1;
	for (k = 1; k < n; k++) {
		uint8_t b = s[*i + k];

		if (b < lo || b > hi)
			return -1;
		lo = 0x80;
		hi = 0xbf;
		v = (v << 6) | (b & 0x3f);
	}
	if (v == 0)
		return -1;
	*i += n;
	*cp = v;
	return 0;
}

/* Decodes the scalar value at s[*i] of UTF-16LE; *i stays even. */
static int
utf16_next(const uint8_t *s, size_t len, size_t *i, uint32_t *cp)
{
	uint32_t u, u2;

	if (len - *i < 2)
		return -1;
	u = le16dec(s + *i);
	if (u == 0 || (u >= SUR_LOW_LO && u <= SUR_LOW_HI))
		return -1;
	if (u >= SUR_HIGH_LO && u <= SUR_HIGH_HI) {
		if (len - *i < 4)
			return -1;
		u2 = le16dec(s + *i + 2);
		if (u2 < SUR_LOW_LO || u2 > SUR_LOW_HI)
			return -1;
		*cp = 0x10000 + ((u - SUR_HIGH_LO) << 10) + (u2 - SUR_LOW_LO);
		*i += 4;
		return 0;
	}
	*cp = u;
	*i += 2;
	return 0;
}

static size_t
utf8_size(uint32_t cp)
{
	if (cp < 0x80)
		return 1;
	if (cp < 0x800)
		return 2;
	if (cp < 0x10000)
		return 3;
	return 4;
}

static void
utf8_put(uint32_t cp, char *out)
{
	uint8_t *p = (uint8_t *)out;

	switch (utf8_size(cp)) {
	case 1:
		p[0] = (uint8_t)cp;
		break;
	case 2:
		p[0] = (uint8_t)(0xc0 | (cp >> 6));
		p[1] = (uint8_t)(0x80 | (cp & 0x3f));
		break;
	case 3:
		p[0] = (uint8_t)(0xe0 | (cp >> 12));
		p[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
		p[2] = (uint8_t)(0x80 | (cp & 0x3f));
		break;
	default:
		p[0] = (uint8_t)(0xf0 | (cp >> 18));
		p[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3f));
		p[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
		p[3] = (uint8_t)(0x80 | (cp & 0x3f));
		break;
	}
}

/* Writes cp as UTF-16LE; returns the bytes used (2 or 4). */
static size_t
utf16_put(uint32_t cp, uint8_t *out)
{
	if (cp < 0x10000) {
		le16enc(out, (uint16_t)cp);
		return 2;
	}
	cp -= 0x10000;
	le16enc(out, (uint16_t)(SUR_HIGH_LO + (cp >> 10)));
	le16enc(out + 2, (uint16_t)(SUR_LOW_LO + (cp & 0x3ff)));
	return 4;
}

ssize_t
ucs2_utf16_len(const char *src, size_t srclen)
{
	const uint8_t *s = (const uint8_t *)src;
	size_t i = 0, n = 0;
	uint32_t cp;

	while (i < srclen) {
		if (utf8_next(s, srclen, &i, &cp) == -1) {
			errno = EILSEQ;
			return -1;
		}
		n += cp < 0x10000 ? 2 : 4;
	}
	return (ssize_t)n;
}

ssize_t
ucs2_from_utf8(const char *src, size_t srclen, uint8_t *out, size_t outsz)
{
	const uint8_t *s = (const uint8_t *)src;
	size_t i = 0, n = 0;
	uint32_t cp;

	while (i < srclen) {
		if (utf8_next(s, srclen, &i, &cp) == -1) {
			errno = EILSEQ;
			return -1;
		}
		if ((cp < 0x10000 ? 2u : 4u) > outsz - n) {
			errno = E2BIG;
			return -1;
		}
		n += utf16_put(cp, out + n);
	}
	return (ssize_t)n;
}

int
ucs2_from_utf8_alloc(const char *src, size_t srclen, uint8_t **out,
    size_t *outlen)
{
	ssize_t need;
	uint8_t *p;

	*out = NULL;
	if ((need = ucs2_utf16_len(src, srclen)) == -1)
		return -1;
	/* One spare byte so that an empty result is still a real buffer. */
	if ((p = malloc((size_t)need + 1)) == NULL)
		return -1;
	if (ucs2_from_utf8(src, srclen, p, (size_t)need) != need) {
		free(p);
		errno = EILSEQ;
		return -1;
	}
	*out = p;
	*outlen = (size_t)need;
	return 0;
}

/* Bytes of UTF-8 (without a NUL) that src converts to, or -1. */
static ssize_t
utf8_len(const uint8_t *src, size_t srclen)
{
	size_t i = 0, n = 0;
	uint32_t cp;

	if (srclen % 2 != 0) {
		errno = EILSEQ;
		return -1;
	}
	while (i < srclen) {
		if (utf16_next(src, srclen, &i, &cp) == -1) {
			errno = EILSEQ;
			return -1;
		}
		n += utf8_size(cp);
	}
	return (ssize_t)n;
}

ssize_t
ucs2_to_utf8(const uint8_t *src, size_t srclen, char *out, size_t outsz)
{
	size_t i = 0, n = 0, k;
	uint32_t cp;

	if (srclen % 2 != 0) {
		errno = EILSEQ;
		return -1;
	}
	while (i < srclen) {
		if (utf16_next(src, srclen, &i, &cp) == -1) {
			errno = EILSEQ;
			return -1;
		}
		k = utf8_size(cp);
		/* Keep room for the terminating NUL. */
		if (outsz == 0 || k > outsz - 1 - n) {
			errno = E2BIG;
			return -1;
		}
		utf8_put(cp, out + n);
		n += k;
	}
	if (outsz == 0) {
		errno = E2BIG;
		return -1;
	}
	out[n] = '\0';
	return (ssize_t)n;
}

int
ucs2_to_utf8_alloc(const uint8_t *src, size_t srclen, char **out,
    size_t *outlen)
{
	ssize_t need;
	char *p;

	*out = NULL;
	if ((need = utf8_len(src, srclen)) == -1)
		return -1;
	if ((p = malloc((size_t)need + 1)) == NULL)
		return -1;
	if (ucs2_to_utf8(src, srclen, p, (size_t)need + 1) != need) {
		free(p);
		errno = EILSEQ;
		return -1;
	}
	*out = p;
	if (outlen != NULL)
		*outlen = (size_t)need;
	return 0;
}

/*
 * Simple uppercase mapping (Unicode UnicodeData.txt field 12) for the
 * blocks named in ucs2.h.  Units outside them, and surrogates, are
 * returned unchanged.
 */
uint16_t
ucs2_upper_unit(uint16_t u)
{
	/* ASCII. */
	if (u >= 'a' && u <= 'z')
		return (uint16_t)(u - 0x20);
	if (u < 0x00b5)
		return u;
	/* Latin-1 Supplement. */
	if (u == 0x00b5)
		return 0x039c;	/* MICRO SIGN -> GREEK CAPITAL MU */
	if (u >= 0x00e0 && u <= 0x00fe && u != 0x00f7)
		return (uint16_t)(u - 0x20);
	if (u == 0x00ff)
		return 0x0178;
	if (u < 0x0100)
		return u;
	/* Latin Extended-A: mostly pairs, capital first. */
	if (u <= 0x017f) {
		if (u == 0x0131)
			return 0x0049;	/* dotless i -> I */
		if (u == 0x017f)
			return 0x0053;	/* long s -> S */
		if (u == 0x0130 || u == 0x0138 || u == 0x0149 ||
		    u == 0x0178)
			return u;
		/* Here the capital is the odd one of each pair. */
		if ((u >= 0x0139 && u <= 0x0148) ||
		    (u >= 0x0179 && u <= 0x017e))
			return (uint16_t)(u % 2 == 0 ? u - 1 : u);
		return (uint16_t)(u % 2 == 1 ? u - 1 : u);
	}
	/* Greek. */
	if (u >= 0x03ac && u <= 0x03ce) {
		if (u == 0x03ac)
			return 0x0386;
		if (u <= 0x03af)
			return (uint16_t)(u - 0x25);	/* 0388..038A */
		if (u == 0x03b0)
			return u;
		if (u == 0x03c2)
			return 0x03a3;	/* final sigma */
		if (u <= 0x03cb)
			return (uint16_t)(u - 0x20);
		if (u == 0x03cc)
			return 0x038c;
		return (uint16_t)(u - 0x3f);	/* 038E, 038F */
	}
	/* Cyrillic. */
	if (u >= 0x0430 && u <= 0x044f)
		return (uint16_t)(u - 0x20);
	if (u >= 0x0450 && u <= 0x045f)
		return (uint16_t)(u - 0x50);
	return u;
}

void
ucs2_upper(uint8_t *buf, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		le16enc(buf + i, ucs2_upper_unit(le16dec(buf + i)));
}
