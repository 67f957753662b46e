/*
 * fsmatch.c — [MS-FSA] 2.1.4.4 wildcard matching (see fsmatch.h).
 *
 * The pattern runs as a nondeterministic automaton over its positions,
 * the way FsRtlIsNameInExpression does: state p means "the name read so
 * far matches the first p pattern characters".  Each name character
 * advances every live state at once, so "*a*a*a*a*a*a*b" against a long
 * run of 'a's is one pass over the name, not a tree of retries.
 *
 * Moves, for the name character c about to be read (p < pattern length):
 *   reading c:	'*' stays at p; '<' stays at p unless c is the name's
 *		last '.'; '?' goes to p+1; '>' goes to p+1 unless c is
 *		'.'; '"' goes to p+1 if c is '.'; a literal goes to p+1
 *		if it equals c (ASCII case folded).
 *   reading nothing: '*' and '<' may go to p+1; '>' may if c is '.' or
 *		the name has ended; '"' may if the name has ended.
 * The name matches if, once read to the end, the state set holds the
 * pattern's length.
 *
 * A state set is a bit vector (bit p: state p), so one step is a few
 * word operations per 64 states: the states that stay, or'ed with those
 * that advance shifted up by one.  The moves that read nothing only ever
 * go up one position, along runs of "epsilon" positions; adding the run
 * mask to the live states inside it carries a bit from the lowest live
 * state to one past the run's end, and xor with the mask leaves exactly
 * the states reached: closure = set | ((eps + (set & eps)) ^ eps).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fsmatch.h"

#define FM_STAR		(-1)	/* * */
#define FM_QM		(-2)	/* ? */
#define FM_DOS_STAR	(-3)	/* < */
#define FM_DOS_QM	(-4)	/* > */
#define FM_DOS_DOT	(-5)	/* " */
#define FM_END		(-6)	/* past the name's last character */
/* A byte that starts no valid UTF-8 sequence: a character of its own. */
#define FM_RAW(b)	((int32_t)0x110000 + (int32_t)(b))
#define FM_UNBOUNDED	UINT32_MAX
#define FM_NASCII	128

/* The positions of one literal character that is not ASCII. */
struct fm_lit {
	int32_t		 fl_c;
	uint64_t	*fl_set;
};

struct fsmatch {
	size_t		 fm_len;	/* pattern characters */
	size_t		 fm_words;	/* per state set: bits 0..fm_len */
	bool		 fm_all;	/* 2.1.4.4 part 1: "*" or "*.*" */
	uint32_t	 fm_need;	/* fewest name characters it takes */
	uint32_t	 fm_most;	/* most, or FM_UNBOUNDED */
	/* Where each kind of pattern character is. */
	uint64_t	*fm_star, *fm_dos_star, *fm_qm, *fm_dos_qm;
	uint64_t	*fm_dos_dot;
	uint64_t	*fm_ascii;	/* FM_NASCII sets, by folded char */
	struct fm_lit	*fm_lits;	/* by code point */
	size_t		 fm_nlits;
	uint64_t	*fm_cur, *fm_next;
	uint64_t	*fm_mem;	/* all the sets above */
};

/*
 * The character at *sp, which moves past it.  Strict UTF-8 (no overlong
 * forms, surrogates or values past U+10FFFF); anything else is one raw
 * byte.  Never reads past the NUL: a NUL is not a continuation byte.
 */
static int32_t
fm_getc(const unsigned char **sp)
{
	const unsigned char *s = *sp;
	uint32_t c = s[0], min;
	size_t n, i;

	if (c < 0x80) {
		*sp = s + 1;
		return (int32_t)c;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		n = 1;
		c &= 0x1f;
		min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 2;
		c &= 0x0f;
		min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 3;
		c &= 0x07;
		min = 0x10000;
	} else
		goto raw;
	for (i = 1; i <= n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			goto raw;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		goto raw;
	*sp = s + n + 1;
	return (int32_t)c;
raw:
	*sp = s + 1;
	return FM_RAW(s[0]);
}

static int32_t
fm_fold(int32_t c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static bool
fm_starlike(int32_t c)
{
	return c == FM_STAR || c == FM_DOS_STAR;
}

static void
fm_setbit(uint64_t *set, size_t p)
{
	set[p / 64] |= (uint64_t)1 << (p % 64);
}

static int
fm_litcmp(const void *a, const void *b)
{
	int32_t x = ((const struct fm_lit *)a)->fl_c;
	int32_t y = ((const struct fm_lit *)b)->fl_c;

	return (x > y) - (x < y);
}

/*
 * The pattern as characters, wildcards coded, ASCII folded, and runs of
 * '*' and '<' merged: "**" is "*", "<<" is "<", and "*<" and "<*" are
 * "*" (what '<' may take, '*' may take too).  -1 if too long.
 */
static int
fm_parse(const char *pattern, int32_t *pat, size_t *len)
{
	const unsigned char *s = (const unsigned char *)pattern;
	size_t m = 0, chars = 0;
	int32_t c;

	while (*s != '\0') {
		if (++chars > FSMATCH_PATTERN_MAX)
			return -1;
		switch (c = fm_getc(&s)) {
		case '*':
			c = FM_STAR;
			break;
		case '?':
			c = FM_QM;
			break;
		case '<':
			c = FM_DOS_STAR;
			break;
		case '>':
			c = FM_DOS_QM;
			break;
		case '"':
			c = FM_DOS_DOT;
			break;
		default:
			c = fm_fold(c);
			break;
		}
		if (fm_starlike(c) && m > 0 && fm_starlike(pat[m - 1])) {
			if (c == FM_STAR)
				pat[m - 1] = FM_STAR;
			continue;
		}
		pat[m++] = c;
	}
	*len = m;
	return 0;
}

/* The positions of the literal c (folded), or NULL if there are none. */
static uint64_t *
fm_literal(const struct fsmatch *fm, int32_t c)
{
	const struct fm_lit *l;

	if (c >= 0 && c < FM_NASCII)
		return fm->fm_ascii + (size_t)c * fm->fm_words;
	if (fm->fm_nlits == 0)
		return NULL;
	l = bsearch(&(struct fm_lit){ .fl_c = c }, fm->fm_lits, fm->fm_nlits,
	    sizeof(*fm->fm_lits), fm_litcmp);
	return l != NULL ? l->fl_set : NULL;
}

void
fsmatch_free(struct fsmatch *fm)
{
	if (fm == NULL)
		return;
	free(fm->fm_lits);
	free(fm->fm_mem);
	free(fm);
}

struct fsmatch *
fsmatch_compile(const char *pattern)
{
	int32_t pat[FSMATCH_PATTERN_MAX], c;
	struct fsmatch *fm = NULL;
	size_t m, w, p, i, nlit = 0;
	uint64_t *mem;

	if (fm_parse(pattern, pat, &m) == -1) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	for (p = 0; p < m; p++)
		if (pat[p] >= FM_NASCII)
			nlit++;
	if ((fm = calloc(1, sizeof(*fm))) == NULL ||
	    (nlit > 0 && (fm->fm_lits = calloc(nlit,
	    sizeof(*fm->fm_lits))) == NULL))
		goto fail;
	fm->fm_len = m;
	fm->fm_words = w = m / 64 + 1;
	fm->fm_all = strcmp(pattern, "*") == 0 ||
	    strcmp(pattern, "*.*") == 0 || (m == 1 && pat[0] == FM_STAR);
	/* 5 kinds, the ASCII literals, the others, 2 state sets. */
	if ((fm->fm_mem = calloc((5 + FM_NASCII + nlit + 2) * w,
	    sizeof(uint64_t))) == NULL)
		goto fail;
	mem = fm->fm_mem;
	fm->fm_star = mem;
	fm->fm_dos_star = mem + w;
	fm->fm_qm = mem + 2 * w;
	fm->fm_dos_qm = mem + 3 * w;
	fm->fm_dos_dot = mem + 4 * w;
	fm->fm_ascii = mem + 5 * w;
	fm->fm_cur = mem + (5 + FM_NASCII + nlit) * w;
	fm->fm_next = fm->fm_cur + w;
	/* Distinct non-ASCII literals, each with its own set. */
	for (p = 0; p < m; p++)
		if (pat[p] >= FM_NASCII)
			fm->fm_lits[fm->fm_nlits++].fl_c = pat[p];
	if (fm->fm_nlits > 0)
		qsort(fm->fm_lits, fm->fm_nlits, sizeof(*fm->fm_lits),
		    fm_litcmp);
	for (i = p = 0; p < fm->fm_nlits; p++)
		if (i == 0 || fm->fm_lits[i - 1].fl_c != fm->fm_lits[p].fl_c)
			fm->fm_lits[i++] = fm->fm_lits[p];
	fm->fm_nlits = i;
	for (i = 0; i < fm->fm_nlits; i++)
		fm->fm_lits[i].fl_set = mem + (5 + FM_NASCII + i) * w;

	for (p = 0; p < m; p++) {
		switch (c = pat[p]) {
		case FM_STAR:
			fm_setbit(fm->fm_star, p);
			break;
		case FM_DOS_STAR:
			fm_setbit(fm->fm_dos_star, p);
			break;
		case FM_QM:
			fm_setbit(fm->fm_qm, p);
			break;
		case FM_DOS_QM:
			fm_setbit(fm->fm_dos_qm, p);
			break;
		case FM_DOS_DOT:
			fm_setbit(fm->fm_dos_dot, p);
			break;
		default:
			fm_setbit(fm_literal(fm, c), p);
			break;
		}
		/* '>' and '"' may take nothing; the rest but stars one. */
		if (fm_starlike(c))
			fm->fm_most = FM_UNBOUNDED;
		else {
			if (fm->fm_most != FM_UNBOUNDED)
				fm->fm_most++;
			if (c != FM_DOS_QM && c != FM_DOS_DOT)
				fm->fm_need++;
		}
	}
	return fm;
fail:
	fsmatch_free(fm);
	errno = ENOMEM;
	return NULL;
}

/*
 * Closes set over the moves that read nothing; la is the next name
 * character, FM_END if the name has ended.  See the top of the file.
 */
static void
fm_closure(const struct fsmatch *fm, uint64_t *set, int32_t la)
{
	uint64_t eps, sum, carry = 0, in;
	size_t i;

	for (i = 0; i < fm->fm_words; i++) {
		eps = fm->fm_star[i] | fm->fm_dos_star[i];
		if (la == '.' || la == FM_END)
			eps |= fm->fm_dos_qm[i];
		if (la == FM_END)
			eps |= fm->fm_dos_dot[i];
		/* eps + (set & eps) + carry, carrying into the next word. */
		in = carry;
		sum = eps + (set[i] & eps);
		carry = sum < eps;
		sum += in;
		carry |= sum < in;
		set[i] |= sum ^ eps;
	}
}

bool
fsmatch_match(struct fsmatch *fm, const char *name)
{
	const unsigned char *s = (const unsigned char *)name, *at, *lastdot;
	const uint64_t *lit;
	uint64_t *cur = fm->fm_cur, *next = fm->fm_next, *swap;
	uint64_t stay, adv, up, live;
	size_t w = fm->fm_words, i, m = fm->fm_len;
	uint32_t n;
	int32_t c;

	if (*name == '\0' || m == 0)
		return *name == '\0' && m == 0;
	if (fm->fm_all)
		return true;
	for (n = 0; *s != '\0'; n++)
		(void)fm_getc(&s);
	if (fm->fm_need > n || fm->fm_most < n)
		return false;
	/* '.' is ASCII: never inside another character's bytes. */
	lastdot = (const unsigned char *)strrchr(name, '.');
	memset(cur, 0, w * sizeof(*cur));
	cur[0] = 1;
	s = (const unsigned char *)name;
	at = s;
	c = fm_getc(&s);
	fm_closure(fm, cur, c);
	for (;;) {
		/* Read c, which was at at. */
		lit = fm_literal(fm, fm_fold(c));
		up = 0;
		live = 0;
		for (i = 0; i < w; i++) {
			stay = fm->fm_star[i];
			if (at != lastdot)
				stay |= fm->fm_dos_star[i];
			adv = fm->fm_qm[i] |
			    (c == '.' ? fm->fm_dos_dot[i] : fm->fm_dos_qm[i]);
			if (lit != NULL)
				adv |= lit[i];
			stay &= cur[i];
			adv &= cur[i];
			next[i] = stay | (adv << 1) | up;
			up = adv >> 63;
			live |= next[i];
		}
		if (live == 0)
			return false;
		at = s;
		c = *s == '\0' ? FM_END : fm_getc(&s);
		fm_closure(fm, next, c);
		swap = cur;
		cur = next;
		next = swap;
		if (c == FM_END)
			return (cur[m / 64] >> (m % 64)) & 1;
	}
}

bool
fsmatch(const char *pattern, const char *name)
{
	struct fsmatch *fm;
	bool ok;

	if ((fm = fsmatch_compile(pattern)) == NULL)
		return false;
	ok = fsmatch_match(fm, name);
	fsmatch_free(fm);
	return ok;
}
