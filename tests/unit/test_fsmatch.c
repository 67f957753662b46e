/*
 * test_fsmatch.c — [MS-FSA] 2.1.4.4 wildcard matching: '*' and '?', the
 * DOS wildcards '<' '>' '"', the special cases of part 1, ASCII case
 * folding, multi-byte characters, and patterns built to make a
 * backtracking matcher take exponential time.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "fsmatch.h"

#define MATCH(p, n)	assert_true(fsmatch((p), (n)))
#define NOMATCH(p, n)	assert_false(fsmatch((p), (n)))

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
test_fsmatch_literal_is_whole_name(void **state)
{
	(void)state;
	MATCH("readme.txt", "readme.txt");
	NOMATCH("readme.txt", "readme.txt2");
	NOMATCH("readme.txt", "readme.tx");
	NOMATCH("readme", "readme.txt");
	MATCH(".", ".");
	MATCH("..", "..");
	NOMATCH(".", "..");
}

static void
test_fsmatch_star_takes_any_run(void **state)
{
	(void)state;
	MATCH("*", "a");
	MATCH("*", ".");
	MATCH("*", "..");
	MATCH("*", "no dot at all");
	MATCH("*.txt", "a.txt");
	MATCH("*.txt", ".txt");
	MATCH("*.txt", "a.b.txt");
	NOMATCH("*.txt", "a.txt.bak");
	NOMATCH("*.txt", "txt");
	MATCH("a*", "a");
	MATCH("a*", "abc");
	NOMATCH("a*", "ba");
	MATCH("*a*", "bab");
	NOMATCH("*a*", "bbb");
	MATCH("a*b*c", "abc");
	MATCH("a*b*c", "a-b-b-c");
	NOMATCH("a*b*c", "a-c-b");
	/* Runs of stars say no more than one. */
	MATCH("***", "x");
	MATCH("a**b", "ab");
	MATCH("a**b", "a..b");
}

static void
test_fsmatch_question_takes_one_character(void **state)
{
	(void)state;
	MATCH("?", "a");
	MATCH("?", ".");
	NOMATCH("?", "ab");
	MATCH("a?c", "abc");
	MATCH("a?c", "a.c");
	NOMATCH("a?c", "ac");
	MATCH("???", "abc");
	NOMATCH("???", "ab");
	NOMATCH("???", "abcd");
	MATCH("a?c*", "abcdef");
	MATCH("?*", "x");
	NOMATCH("??*", "x");
}

static void
test_fsmatch_multibyte_character_is_one(void **state)
{
	(void)state;
	/* é is two bytes, € three, U+1F600 four: each one character. */
	MATCH("?", "\xc3\xa9");
	MATCH("?", "\xe2\x82\xac");
	MATCH("?", "\xf0\x9f\x98\x80");
	NOMATCH("??", "\xc3\xa9");
	MATCH("a?c", "a\xc3\xa9" "c");
	MATCH("caf?", "caf\xc3\xa9");
	MATCH(">>", "\xc3\xa9\xe2\x82\xac");
	NOMATCH(">", "\xc3\xa9\xe2\x82\xac");
	MATCH("*\xe2\x82\xac", "price \xe2\x82\xac");
	MATCH("\xc3\xa9t\xc3\xa9", "\xc3\xa9t\xc3\xa9");
}

static void
test_fsmatch_ascii_case_folds(void **state)
{
	(void)state;
	MATCH("README.TXT", "readme.txt");
	MATCH("readme.txt", "ReadMe.TXT");
	MATCH("*.TXT", "a.txt");
	MATCH("A?C", "abc");
	MATCH("<.TXT", "x.y.txt");
	/* Only ASCII: É (U+00C9) and é (U+00E9) stay different. */
	NOMATCH("\xc3\x89", "\xc3\xa9");
	MATCH("\xc3\xa9", "\xc3\xa9");
	/* Folding letters only: '@' and '`' sit next to 'A' and 'a'. */
	NOMATCH("@", "`");
	NOMATCH("[", "{");
}

/* 2.1.4.4 part 1: the special cases come before the general rules. */
static void
test_fsmatch_part1_special_cases(void **state)
{
	(void)state;
	/* "*.*" is "*": names without a '.' match too. */
	MATCH("*.*", "README");
	MATCH("*.*", "a.b");
	MATCH("*.*", ".");
	/* Elsewhere a literal '.' needs a '.'. */
	NOMATCH("*.*x", "README");
	NOMATCH("a*.*", "abc");
	MATCH("a*.*", "abc.d");
	/* Empty strings. */
	assert_true(fsmatch("", ""));
	assert_false(fsmatch("", "a"));
	assert_false(fsmatch("*", ""));
	assert_false(fsmatch("?", ""));
}

/* '<': zero or more characters, never the name's last '.'. */
static void
test_fsmatch_dos_star_stops_at_last_dot(void **state)
{
	(void)state;
	MATCH("<", "abc");
	MATCH("<", "x");
	NOMATCH("<", "a.b");
	NOMATCH("<", ".");
	MATCH("<.txt", "a.txt");
	MATCH("<.txt", ".txt");
	MATCH("<.txt", "a.b.txt");
	NOMATCH("<.txt", "a.txt.bak");
	NOMATCH("<b", "a.b");
	MATCH("<.<", "a.b");
	MATCH("<.<", "a.b.c");
	MATCH("<.", "abc.");
	MATCH("a<", "abc");
	/* Win32 sends "*." as "<": names without an extension. */
	MATCH("<", "Makefile");
	NOMATCH("<", "main.c");
	/* '<' next to '*' is that '*'. */
	MATCH("*<", "a.b");
	MATCH("<*", "a.b");
	MATCH("<<.c", "x.y.c");
}

/* '>': one character other than '.', or nothing at a '.' or the end. */
static void
test_fsmatch_dos_qm_takes_up_to_its_count(void **state)
{
	(void)state;
	MATCH(">", "a");
	NOMATCH(">", "ab");
	NOMATCH(">", ".");
	MATCH(">>>", "a");
	MATCH(">>>", "ab");
	MATCH(">>>", "abc");
	NOMATCH(">>>", "abcd");
	MATCH(">>>.txt", "a.txt");
	MATCH(">>>.txt", "abc.txt");
	NOMATCH(">>>.txt", "abcd.txt");
	MATCH("a>>.b", "a.b");
	MATCH("a>>.b", "axy.b");
	NOMATCH("a>>.b", "axyz.b");
	/* "?.???" as Win32 sends it: the 8.3 reading of the pattern. */
	MATCH(">\">>>", "a");
	MATCH(">\">>>", "a.");
	MATCH(">\">>>", "a.b");
	MATCH(">\">>>", "a.bcd");
	NOMATCH(">\">>>", "ab");
	NOMATCH(">\">>>", "a.bcde");
}

/* '"': a '.', or nothing past the end of the name. */
static void
test_fsmatch_dos_dot_is_dot_or_end(void **state)
{
	(void)state;
	MATCH("a\"", "a");
	MATCH("a\"", "a.");
	NOMATCH("a\"", "ab");
	MATCH("a\"b", "a.b");
	NOMATCH("a\"b", "ab");
	NOMATCH("a\"b", "a");
	/* "a.*" as Win32 sends it. */
	MATCH("a\"*", "a");
	MATCH("a\"*", "a.txt");
	NOMATCH("a\"*", "ab.txt");
	MATCH("\"", ".");
	NOMATCH("\"", "x");
}

static void
test_fsmatch_stray_bytes_are_characters(void **state)
{
	(void)state;
	/* A stray continuation byte, a truncated sequence, an overlong '/'. */
	MATCH("?", "\x80");
	MATCH("\xff", "\xff");
	NOMATCH("\xff", "\xfe");
	MATCH("??", "\xe2\x82");
	MATCH("a\xc0\xaf", "a\xc0\xaf");
	MATCH("???", "a\xc0\xaf");
	MATCH("*", "\xed\xa0\x80");
	MATCH("???", "\xed\xa0\x80");
}

static void
test_fsmatch_compiled_pattern_is_reusable(void **state)
{
	const char *names[] = {
		"a.txt", "b.TXT", "c.doc", "d.txt.bak", "txt", "e.f.txt"
	};
	const bool want[] = { true, true, false, false, false, true };
	struct fsmatch *fm;
	size_t i, round;

	(void)state;
	assert_non_null(fm = fsmatch_compile("*.txt"));
	for (round = 0; round < 3; round++)
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			assert_int_equal(fsmatch_match(fm, names[i]), want[i]);
	fsmatch_free(fm);
	fsmatch_free(NULL);
}

/*
 * What makes a backtracking matcher explode: many stars, a name that
 * almost matches at every split, a last character that never does.
 * Naive recursion tries every way to share the name among the stars,
 * C(255, 20) (about 10^29) ways for the third pattern; all the cases
 * here together take milliseconds (the bound is loose for sanitizer
 * builds).
 */
static void
test_fsmatch_adversarial_patterns_are_fast(void **state)
{
	char name[256], pat[1024];
	struct fsmatch *fm;
	double t0;
	size_t i;
	int round;

	(void)state;
	memset(name, 'a', 255);
	name[255] = '\0';
	t0 = now();
	for (round = 0; round < 100; round++) {
		NOMATCH("*a*a*a*a*a*a*b", name);
		NOMATCH("<a<a<a<a<a<a<b", name);
		NOMATCH("*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b", name);
		MATCH("*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a", name);
	}
	/* 200 "*a" and a 'b', 402 characters, against 255 names. */
	for (i = 0; i < 200; i++)
		memcpy(pat + 2 * i, "*a", 2);
	memcpy(pat + 400, "*b", 3);
	assert_non_null(fm = fsmatch_compile(pat));
	for (round = 0; round < 255; round++)
		assert_false(fsmatch_match(fm, name));
	fsmatch_free(fm);
	/* Stars and DOS_QMs over a name of dots: every state stays live. */
	for (i = 0; i < 255; i++)
		pat[i] = i % 2 ? '>' : '*';
	pat[255] = 'x';
	pat[256] = '\0';
	memset(name, '.', 255);
	assert_non_null(fm = fsmatch_compile(pat));
	for (round = 0; round < 255; round++)
		assert_false(fsmatch_match(fm, name));
	fsmatch_free(fm);
	assert_true(now() - t0 < 5.0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fsmatch_literal_is_whole_name),
		cmocka_unit_test(test_fsmatch_star_takes_any_run),
		cmocka_unit_test(test_fsmatch_question_takes_one_character),
		cmocka_unit_test(test_fsmatch_multibyte_character_is_one),
		cmocka_unit_test(test_fsmatch_ascii_case_folds),
		cmocka_unit_test(test_fsmatch_part1_special_cases),
		cmocka_unit_test(test_fsmatch_dos_star_stops_at_last_dot),
		cmocka_unit_test(test_fsmatch_dos_qm_takes_up_to_its_count),
		cmocka_unit_test(test_fsmatch_dos_dot_is_dot_or_end),
		cmocka_unit_test(test_fsmatch_stray_bytes_are_characters),
		cmocka_unit_test(test_fsmatch_compiled_pattern_is_reusable),
		cmocka_unit_test(test_fsmatch_adversarial_patterns_are_fast),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
