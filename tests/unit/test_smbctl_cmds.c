/*
 * test_smbctl_cmds.c — smbctl's command table: prefix matching, option
 * and operand parsing, line splitting, "share set" bodies, formatting.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "smbctl.h"

/* Finds argv (a NULL-terminated list) in argument mode. */
static enum cmds_find
find(const struct cmd **cp, int *used, char *err, size_t errlen, ...)
{
	char *argv[8];
	va_list ap;
	int argc = 0;

	va_start(ap, errlen);
	while (argc < 7 && (argv[argc] = va_arg(ap, char *)) != NULL)
		argc++;
	va_end(ap);
	return cmds_find(argc, argv, false, cp, used, err, errlen);
}

static void
test_cmds_find_exact_and_unique_prefixes(void **state)
{
	const struct cmd *c;
	char err[512];
	int used;

	(void)state;
	assert_int_equal(find(&c, &used, err, sizeof(err), "session", "list",
	    NULL), CMDS_FOUND);
	assert_string_equal(c->cm_group, "session");
	assert_string_equal(c->cm_name, "list");
	assert_int_equal(used, 2);
	/* "ses" is session alone; "cl" is close alone among its words. */
	assert_int_equal(find(&c, &used, err, sizeof(err), "ses", "cl", "7",
	    NULL), CMDS_FOUND);
	assert_string_equal(c->cm_name, "close");
	assert_int_equal(used, 2);
	assert_int_equal(find(&c, &used, err, sizeof(err), "st", NULL),
	    CMDS_AMBIGUOUS);
	assert_int_equal(find(&c, &used, err, sizeof(err), "stat", NULL),
	    CMDS_AMBIGUOUS);
	/* An exact name wins over the longer names it prefixes. */
	assert_int_equal(find(&c, &used, err, sizeof(err), "stats", NULL),
	    CMDS_FOUND);
	assert_string_equal(c->cm_group, "stats");
	assert_int_equal(find(&c, &used, err, sizeof(err), "statu", NULL),
	    CMDS_FOUND);
	assert_string_equal(c->cm_group, "status");
	assert_int_equal(used, 1);
}

static void
test_cmds_find_ambiguity_lists_the_choices(void **state)
{
	const struct cmd *c;
	char err[512];
	int used;

	(void)state;
	assert_int_equal(find(&c, &used, err, sizeof(err), "se", NULL),
	    CMDS_AMBIGUOUS);
	assert_null(c);
	assert_string_equal(err, "\"se\" is ambiguous: it could be server "
	    "or session");
	assert_int_equal(find(&c, &used, err, sizeof(err), "sh", NULL),
	    CMDS_AMBIGUOUS);
	assert_string_equal(err, "\"sh\" is ambiguous: it could be share or "
	    "shell");
	/* user d: disable; user e: enable; user re: remove alone. */
	assert_int_equal(find(&c, &used, err, sizeof(err), "user", "re",
	    "bob", NULL), CMDS_FOUND);
	assert_string_equal(c->cm_name, "remove");
	assert_int_equal(find(&c, &used, err, sizeof(err), "share", "s",
	    NULL), CMDS_AMBIGUOUS);
	assert_string_equal(err, "share: \"s\" is ambiguous: it could be show "
	    "or set");
}

static void
test_cmds_find_unknown_incomplete_and_shell_only(void **state)
{
	const struct cmd *c;
	char err[512];
	int used;

	(void)state;
	assert_int_equal(find(&c, &used, err, sizeof(err), "frobnicate",
	    NULL), CMDS_UNKNOWN);
	assert_non_null(strstr(err, "unknown command \"frobnicate\""));
	assert_int_equal(find(&c, &used, err, sizeof(err), "session", NULL),
	    CMDS_INCOMPLETE);
	assert_string_equal(err, "session: missing subcommand: list, show or "
	    "close");
	assert_int_equal(find(&c, &used, err, sizeof(err), "session", "zap",
	    NULL), CMDS_UNKNOWN);
	assert_non_null(strstr(err, "unknown subcommand \"zap\""));
	/* "scavenger" alone runs; with a word, that word is a subcommand. */
	assert_int_equal(find(&c, &used, err, sizeof(err), "scav", "--watch",
	    NULL), CMDS_FOUND);
	assert_null(c->cm_name);
	assert_int_equal(used, 1);
	assert_int_equal(find(&c, &used, err, sizeof(err), "scav", "exp",
	    "3", NULL), CMDS_FOUND);
	assert_string_equal(c->cm_name, "expire");
	/* quit exists only in the shell. */
	assert_int_equal(find(&c, &used, err, sizeof(err), "quit", NULL),
	    CMDS_UNKNOWN);
	{
		char *argv[] = { "q", NULL };

		assert_int_equal(cmds_find(1, argv, true, &c, &used, err,
		    sizeof(err)), CMDS_FOUND);
		assert_string_equal(c->cm_group, "quit");
	}
}

static const struct cmd *
row(const char *group, const char *name)
{
	const struct cmd *t;
	size_t i, n;

	t = cmds_table(&n);
	for (i = 0; i < n; i++)
		if (strcmp(t[i].cm_group, group) == 0 && (name == NULL ?
		    t[i].cm_name == NULL : t[i].cm_name != NULL &&
		    strcmp(t[i].cm_name, name) == 0))
			return &t[i];
	fail_msg("no row %s %s", group, name ? name : "");
	return NULL;
}

static void
test_cmds_parse_options_and_operands(void **state)
{
	const struct cmd *c = row("open", "list");
	char *argv[] = { "--sess", "12", "-d", "--share=data", "-jH", "-o",
	    "id,path", NULL };
	struct cmd_args a;
	char err[256];

	(void)state;
	assert_int_equal(cmds_parse(c, 7, argv, &a, err, sizeof(err)), 0);
	assert_string_equal(cmds_value(&a, "session"), "12");
	assert_string_equal(cmds_value(&a, "share"), "data");
	assert_true(cmds_flag(&a, "disconnected"));
	assert_false(cmds_flag(&a, "durable"));
	assert_null(cmds_value(&a, "user"));
	assert_true(a.ca_out.oo_json);
	assert_true(a.ca_out.oo_noheader);
	assert_string_equal(a.ca_out.oo_fields, "id,path");
	assert_int_equal(a.ca_argc, 0);
	cmds_args_free(&a);
}

static void
test_cmds_parse_operand_counts_and_errors(void **state)
{
	const struct cmd *c = row("session", "close");
	char *none[] = { "--dry-run", NULL };
	char *two[] = { "1", "2", NULL };
	char *mixed[] = { "--dry", "7", "-k", NULL };
	char *unknown[] = { "--frob", "7", NULL };
	char *ambig[] = { "--d", "7", NULL };	/* dry-run? no: only one */
	char *needs[] = { "--sess", NULL };
	char *dashdash[] = { "--", "-5", NULL };
	struct cmd_args a;
	char err[256];

	(void)state;
	assert_int_equal(cmds_parse(c, 1, none, &a, err, sizeof(err)), -1);
	assert_string_equal(err, "missing argument: ID");
	cmds_args_free(&a);
	assert_int_equal(cmds_parse(c, 2, two, &a, err, sizeof(err)), -1);
	assert_string_equal(err, "too many arguments: \"2\"");
	cmds_args_free(&a);
	assert_int_equal(cmds_parse(c, 3, mixed, &a, err, sizeof(err)), 0);
	assert_true(cmds_flag(&a, "dry-run"));
	assert_true(cmds_flag(&a, "keep-durable"));
	assert_string_equal(a.ca_argv[0], "7");
	cmds_args_free(&a);
	assert_int_equal(cmds_parse(c, 2, unknown, &a, err, sizeof(err)), -1);
	assert_string_equal(err, "unknown option --frob");
	cmds_args_free(&a);
	assert_int_equal(cmds_parse(c, 2, ambig, &a, err, sizeof(err)), 0);
	assert_true(cmds_flag(&a, "dry-run"));
	cmds_args_free(&a);
	c = row("open", "list");
	assert_int_equal(cmds_parse(c, 1, needs, &a, err, sizeof(err)), -1);
	assert_string_equal(err, "--session needs ID");
	cmds_args_free(&a);
	/* --s: session, share: ambiguous. */
	needs[0] = "--s";
	assert_int_equal(cmds_parse(c, 1, needs, &a, err, sizeof(err)), -1);
	assert_string_equal(err, "option --s is ambiguous: it could be "
	    "session or share");
	cmds_args_free(&a);
	c = row("open", "show");
	assert_int_equal(cmds_parse(c, 2, dashdash, &a, err, sizeof(err)), 0);
	assert_int_equal(a.ca_argc, 1);
	assert_string_equal(a.ca_argv[0], "-5");
	cmds_args_free(&a);
}

static void
test_cmds_parse_optional_argument_and_lists(void **state)
{
	const struct cmd *c = row("stats", NULL);
	char *w1[] = { "--watch", "5", NULL };
	char *w2[] = { "--watch", NULL };
	char *w3[] = { "-w2.5", "-c", "3", NULL };
	char *ev[] = { "-t", "session.*,tree.*", "--type", "open.closed",
	    "-f", NULL };
	struct cmd_args a;
	char err[256];

	(void)state;
	assert_int_equal(cmds_parse(c, 2, w1, &a, err, sizeof(err)), 0);
	assert_string_equal(cmds_value(&a, "watch"), "5");
	cmds_args_free(&a);
	assert_int_equal(cmds_parse(c, 1, w2, &a, err, sizeof(err)), 0);
	assert_true(cmds_flag(&a, "watch"));
	assert_null(cmds_value(&a, "watch"));
	cmds_args_free(&a);
	assert_int_equal(cmds_parse(c, 3, w3, &a, err, sizeof(err)), 0);
	assert_string_equal(cmds_value(&a, "watch"), "2.5");
	assert_string_equal(cmds_value(&a, "count"), "3");
	cmds_args_free(&a);
	c = row("events", NULL);
	assert_int_equal(cmds_parse(c, 5, ev, &a, err, sizeof(err)), 0);
	assert_int_equal(a.ca_nlist, 3);
	assert_string_equal(a.ca_list[0], "session.*");
	assert_string_equal(a.ca_list[1], "tree.*");
	assert_string_equal(a.ca_list[2], "open.closed");
	assert_true(cmds_flag(&a, "follow"));
	cmds_args_free(&a);
}

static void
test_cmds_split_quotes_and_escapes(void **state)
{
	char **w, err[128];

	(void)state;
	assert_int_equal(cmds_split("  open  who 'a b/c d.txt' x\\ y "
	    "\"q\\\"q\"", &w, err, sizeof(err)), 5);
	assert_string_equal(w[0], "open");
	assert_string_equal(w[1], "who");
	assert_string_equal(w[2], "a b/c d.txt");
	assert_string_equal(w[3], "x y");
	assert_string_equal(w[4], "q\"q");
	assert_null(w[5]);
	free(w);
	assert_int_equal(cmds_split("   ", &w, err, sizeof(err)), 0);
	free(w);
	assert_int_equal(cmds_split("share set 'x", &w, err, sizeof(err)),
	    -1);
	assert_string_equal(err, "unterminated ' quote");
	assert_null(w);
	assert_int_equal(cmds_split("a''b \"\"", &w, err, sizeof(err)), 2);
	assert_string_equal(w[0], "ab");
	assert_string_equal(w[1], "");
	free(w);
}

static void
test_cmds_is_id(void **state)
{
	(void)state;
	assert_true(cmds_is_id("1"));
	assert_true(cmds_is_id("18446744073709551615"));
	assert_false(cmds_is_id(""));
	assert_false(cmds_is_id("12a"));
	assert_false(cmds_is_id("-1"));
	assert_false(cmds_is_id("123456789012345678901"));
}

static void
test_share_set_body_types_values(void **state)
{
	char *ok[] = { "read-only=no", "max_uses=5", "comment=a=b",
	    "guest=yes", NULL };
	char *unl[] = { "max_uses=unlimited", NULL };
	char *bad1[] = { "read_only=maybe", NULL };
	char *bad2[] = { "color=red", NULL };
	char *bad3[] = { "path", NULL };
	char *bad4[] = { "durable_timeout_ms=-3", NULL };
	struct json_object *b, *v;
	char err[256];

	(void)state;
	assert_non_null(b = share_set_body(4, ok, err, sizeof(err)));
	assert_true(json_object_object_get_ex(b, "read_only", &v));
	assert_true(json_object_is_type(v, json_type_boolean));
	assert_false(json_object_get_boolean(v));
	assert_true(json_object_object_get_ex(b, "max_uses", &v));
	assert_int_equal(json_object_get_int64(v), 5);
	assert_true(json_object_object_get_ex(b, "comment", &v));
	assert_string_equal(json_object_get_string(v), "a=b");
	assert_true(json_object_object_get_ex(b, "guest_ok", &v));
	assert_true(json_object_get_boolean(v));
	json_object_put(b);
	assert_non_null(b = share_set_body(1, unl, err, sizeof(err)));
	assert_true(json_object_object_get_ex(b, "max_uses", &v));
	assert_null(v);
	json_object_put(b);
	assert_null(share_set_body(1, bad1, err, sizeof(err)));
	assert_string_equal(err, "read_only: \"maybe\" is not yes or no");
	assert_null(share_set_body(1, bad2, err, sizeof(err)));
	assert_non_null(strstr(err, "unknown key \"color\""));
	assert_null(share_set_body(1, bad3, err, sizeof(err)));
	assert_string_equal(err, "\"path\": give KEY=VALUE");
	assert_null(share_set_body(1, bad4, err, sizeof(err)));
	assert_non_null(strstr(err, "is not a number"));
}

static void
test_out_formats(void **state)
{
	char buf[64];
	struct json_object *o, *v;

	(void)state;
	out_duration(buf, sizeof(buf), 250);
	assert_string_equal(buf, "250ms");
	out_duration(buf, sizeof(buf), 6250);
	assert_string_equal(buf, "6.2s");
	out_duration(buf, sizeof(buf), 125000);
	assert_string_equal(buf, "2m 5s");
	out_duration(buf, sizeof(buf), 3 * 86400000ull + 7200000);
	assert_string_equal(buf, "3d 2h");
	out_size(buf, sizeof(buf), 1023);
	assert_string_equal(buf, "1023B");
	out_size(buf, sizeof(buf), 1536);
	assert_string_equal(buf, "1.5KiB");
	o = json_tokener_parse("{\"a\":{\"b\":\"x\",\"n\":-1,\"t\":"
	    "\"2026-11-18T11:06:40.250Z\",\"p\":\"aaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaabbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb/file.txt\"}}");
	assert_non_null(o);
	assert_string_equal(out_string(o, "a.b"), "x");
	assert_null(out_string(o, "a.n"));	/* not a string */
	assert_null(out_member(o, "a.b.c"));
	{
		uint64_t u;

		assert_false(out_uint(o, "a.n", &u));	/* negative */
	}
	v = out_member(o, "a.t");
	out_format(buf, sizeof(buf), v, FMT_TIME);
	assert_string_equal(buf, "2026-11-18 11:06:40");
	out_format(buf, sizeof(buf), out_member(o, "a.p"), FMT_PATH);
	assert_non_null(strstr(buf, "\u2026"));
	assert_non_null(strstr(buf, "/file.txt"));
	assert_int_equal(strncmp(buf, "aaaa", 4), 0);
	out_format(buf, sizeof(buf), out_member(o, "a.missing"), FMT_STR);
	assert_string_equal(buf, "-");
	/* A duration that is not a number is shown, not converted. */
	out_format(buf, sizeof(buf), out_member(o, "a.b"), FMT_DURATION);
	assert_string_equal(buf, "x");
	json_object_put(o);
}

/*
 * The table itself: rows of a group together, no two rows with the same
 * words, no option letter or name used twice in a row (the output
 * options included), ids complete to something.
 */
static void
test_cmds_table_is_consistent(void **state)
{
	static const char outshort[] = "jHoph";
	static const char *outlong[] = { "json", "no-header", "output",
	    "parsable", "help" };
	const struct cmd *t, *c, *d;
	const struct cmd_opt *o, *p;
	size_t i, j, n, k;
	bool seen_end;

	(void)state;
	t = cmds_table(&n);
	assert_true(n > 30);
	for (i = 0; i < n; i++) {
		c = &t[i];
		assert_non_null(c->cm_fn);
		assert_true(c->cm_summary[0] >= 'a' && c->cm_summary[0] <= 'z');
		assert_true(c->cm_summary[strlen(c->cm_summary) - 1] != '.');
		assert_true(c->cm_min >= 0);
		assert_true(c->cm_max < 0 || c->cm_max >= c->cm_min);
		assert_int_equal(c->cm_args[0] == '\0', c->cm_max == 0);
		if (strstr(c->cm_args, "ID") == c->cm_args)
			assert_int_not_equal(c->cm_comp, COMP_NONE);
		/* A group's rows are contiguous. */
		seen_end = false;
		for (j = i + 1; j < n; j++) {
			d = &t[j];
			if (strcmp(d->cm_group, c->cm_group) != 0) {
				seen_end = true;
				continue;
			}
			assert_false(seen_end);
			assert_false(c->cm_name == NULL && d->cm_name == NULL);
			if (c->cm_name != NULL && d->cm_name != NULL)
				assert_string_not_equal(c->cm_name,
				    d->cm_name);
		}
		for (o = c->cm_opts, k = 0; o->co_name != NULL; o++, k++) {
			assert_true(k < CMD_MAXOPTS);
			if (o->co_short != 0)
				assert_null(strchr(outshort, o->co_short));
			for (j = 0; j < sizeof(outlong) / sizeof(outlong[0]);
			    j++)
				assert_string_not_equal(o->co_name,
				    outlong[j]);
			for (p = o + 1; p->co_name != NULL; p++) {
				assert_string_not_equal(o->co_name,
				    p->co_name);
				if (o->co_short != 0)
					assert_int_not_equal(o->co_short,
					    p->co_short);
			}
			assert_int_equal(o->co_kind == OPT_FLAG,
			    o->co_arg == NULL);
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cmds_find_exact_and_unique_prefixes),
		cmocka_unit_test(test_cmds_find_ambiguity_lists_the_choices),
		cmocka_unit_test(
		    test_cmds_find_unknown_incomplete_and_shell_only),
		cmocka_unit_test(test_cmds_parse_options_and_operands),
		cmocka_unit_test(test_cmds_parse_operand_counts_and_errors),
		cmocka_unit_test(test_cmds_parse_optional_argument_and_lists),
		cmocka_unit_test(test_cmds_split_quotes_and_escapes),
		cmocka_unit_test(test_cmds_is_id),
		cmocka_unit_test(test_share_set_body_types_values),
		cmocka_unit_test(test_out_formats),
		cmocka_unit_test(test_cmds_table_is_consistent),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
