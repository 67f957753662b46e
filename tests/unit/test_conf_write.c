/*
 * test_conf_write.c — rewriting one share section of smbsrvd.conf
 * (smbsrvd/conf_write.c): sections replaced, appended and removed with
 * every other byte kept, the result parsing to the wanted shares, and the
 * atomic file replacement.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "conf.h"
#include "conf_write.h"

static const char base[] =
    "# office server\n"
    "[global]\n"
    "\tsmb listen = 127.0.0.1:4450\n"
    "\n"
    "; team files\n"
    "[data]\n"
    "\tpath = /srv/data\n"
    "\tcomment = Team \\\n"
    "\t  files\n"
    "\n"
    "# software below\n"
    "[Software]\n"
    "\tpath = /srv/sw\n";

static struct conf_share
share(const char *name, const char *path, const char *comment)
{
	struct conf_share cs;

	memset(&cs, 0, sizeof(cs));
	snprintf(cs.sh_name, sizeof(cs.sh_name), "%s", name);
	cs.sh_path = (char *)(uintptr_t)path;
	cs.sh_comment = (char *)(uintptr_t)comment;
	cs.sh_read_only = false;
	cs.sh_guest_ok = true;
	cs.sh_max_uses = 7;
	cs.sh_smb_encrypt = CONF_ENCRYPT_REQUIRED;
	cs.sh_durable_timeout = 1234;
	return cs;
}

static struct conf *
parse(const char *text)
{
	char err[256];
	struct conf *cf;

	cf = conf_parse(text, strlen(text), "t.conf", "/etc", err,
	    sizeof(err));
	if (cf == NULL)
		fail_msg("does not parse: %s\n%s", err, text);
	return cf;
}

static void
test_conf_write_share_text_parses_back(void **state)
{
	struct conf_share cs = share("new", "/srv/new", "A comment");
	const struct conf_share *got;
	struct conf *cf;
	char *sec, *text;
	size_t len;

	(void)state;
	assert_non_null(sec = conf_write_share(&cs, &len));
	assert_int_equal(len, strlen(sec));
	assert_int_not_equal(asprintf(&text, "[global]\n\n%s", sec), -1);
	cf = parse(text);
	assert_non_null(got = conf_share_find(cf, "NEW"));
	assert_string_equal(got->sh_path, "/srv/new");
	assert_string_equal(got->sh_comment, "A comment");
	assert_false(got->sh_read_only);
	assert_true(got->sh_guest_ok);
	assert_int_equal(got->sh_max_uses, 7);
	assert_int_equal(got->sh_smb_encrypt, CONF_ENCRYPT_REQUIRED);
	assert_int_equal(got->sh_durable_timeout, 1234);
	conf_free(cf);
	free(text);
	free(sec);
}

static void
test_conf_write_share_refuses_unwritable_values(void **state)
{
	const char *bad[] = { "a\nb", "trailing\\", " lead", "tail ", "t\tab" };
	struct conf_share cs;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cs = share("x", "/srv/x", bad[i]);
		errno = 0;
		assert_null(conf_write_share(&cs, NULL));
		assert_int_equal(errno, EINVAL);
	}
	cs = share("x", "/srv/x", "");
	cs.sh_smb_encrypt = 9;
	assert_null(conf_write_share(&cs, NULL));
	cs = share("x", "/srv/x", "");
	free(conf_write_share(&cs, NULL));
}

static void
test_conf_write_replace_keeps_everything_else(void **state)
{
	char err[128], *out;
	size_t len;

	(void)state;
	out = conf_write_replace(base, strlen(base), "DATA",
	    "[data]\n\tpath = /srv/d2\n", &len, err, sizeof(err));
	assert_non_null(out);
	assert_int_equal(len, strlen(out));
	/* The continuation line went with its section; comments stayed. */
	assert_string_equal(out,
	    "# office server\n"
	    "[global]\n"
	    "\tsmb listen = 127.0.0.1:4450\n"
	    "\n"
	    "; team files\n"
	    "[data]\n"
	    "\tpath = /srv/d2\n"
	    "\n"
	    "# software below\n"
	    "[Software]\n"
	    "\tpath = /srv/sw\n");
	free(out);
}

static void
test_conf_write_replace_last_section(void **state)
{
	char err[128], *out;
	struct conf *cf;

	(void)state;
	out = conf_write_replace(base, strlen(base), "software",
	    "[Software]\n\tpath = /srv/sw2\n", NULL, err, sizeof(err));
	assert_non_null(out);
	cf = parse(out);
	assert_string_equal(conf_share_find(cf, "software")->sh_path,
	    "/srv/sw2");
	assert_string_equal(conf_share_find(cf, "data")->sh_comment,
	    "Team files");
	assert_non_null(strstr(out, "# software below\n[Software]\n"));
	conf_free(cf);
	free(out);
}

static void
test_conf_write_append_and_remove_round_trip(void **state)
{
	char err[128], *added, *removed;
	size_t len;

	(void)state;
	added = conf_write_replace(base, strlen(base), "new",
	    "[new]\n\tpath = /srv/new\n", &len, err, sizeof(err));
	assert_non_null(added);
	assert_memory_equal(added, base, strlen(base));
	assert_string_equal(added + strlen(base),
	    "\n[new]\n\tpath = /srv/new\n");
	removed = conf_write_replace(added, len, "NEW", NULL, &len, err,
	    sizeof(err));
	assert_non_null(removed);
	assert_string_equal(removed, base);
	free(added);
	free(removed);
}

static void
test_conf_write_remove_middle_keeps_one_blank_line(void **state)
{
	const char *text = "[global]\n\n[a]\n\tpath = /a\n\n[b]\n\tpath = /b\n"
	    "\n[c]\n\tpath = /c\n";
	char err[128], *out;

	(void)state;
	out = conf_write_replace(text, strlen(text), "b", NULL, NULL, err,
	    sizeof(err));
	assert_non_null(out);
	assert_string_equal(out, "[global]\n\n[a]\n\tpath = /a\n\n[c]\n"
	    "\tpath = /c\n");
	free(out);
}

static void
test_conf_write_repeated_rewrites_are_stable(void **state)
{
	char err[128], *a, *b;
	const char *sec = "[data]\n\tpath = /srv/d\n";

	(void)state;
	a = conf_write_replace(base, strlen(base), "data", sec, NULL, err,
	    sizeof(err));
	assert_non_null(a);
	b = conf_write_replace(a, strlen(a), "data", sec, NULL, err,
	    sizeof(err));
	assert_non_null(b);
	assert_string_equal(a, b);
	free(a);
	free(b);
}

static void
test_conf_write_missing_section_and_bad_text(void **state)
{
	const char *bad = "[global]\n\tsmb listen = x\n[a\n";
	char err[128];

	(void)state;
	errno = 0;
	assert_null(conf_write_replace(base, strlen(base), "nope", NULL, NULL,
	    err, sizeof(err)));
	assert_int_equal(errno, ENOENT);
	errno = 0;
	assert_null(conf_write_replace(bad, strlen(bad), "a", "[a]\n", NULL,
	    err, sizeof(err)));
	assert_int_equal(errno, EINVAL);
	assert_non_null(strstr(err, "3:"));
}

static void
test_conf_write_empty_file_and_no_final_newline(void **state)
{
	const char *text = "[global]";
	char err[128], *out;

	(void)state;
	out = conf_write_replace("", 0, "s", "[s]\n", NULL, err, sizeof(err));
	assert_non_null(out);
	assert_string_equal(out, "[s]\n");
	free(out);
	out = conf_write_replace(text, strlen(text), "s", "[s]\n", NULL, err,
	    sizeof(err));
	assert_non_null(out);
	assert_string_equal(out, "[global]\n\n[s]\n");
	free(out);
}

static void
test_conf_write_file_is_atomic_and_keeps_mode(void **state)
{
	char dir[] = "/tmp/test_conf_write.XXXXXX", path[128], *got;
	struct stat st;
	size_t len;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/smbsrvd.conf", dir);
	assert_non_null(f = fopen(path, "w"));
	fputs("old\n", f);
	fclose(f);
	assert_int_equal(chmod(path, 0640), 0);
	assert_int_equal(conf_write_file(path, "new text\n", 9), 0);
	assert_non_null(got = conf_write_read(path, &len));
	assert_int_equal(len, 9);
	assert_string_equal(got, "new text\n");
	free(got);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	/* Nothing left behind: the folder holds the file alone. */
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0);
}

static void
test_conf_write_file_failure_leaves_old_file(void **state)
{
	(void)state;
	errno = 0;
	assert_int_equal(conf_write_file("/nonexistent/dir/smbsrvd.conf",
	    "x", 1), -1);
	assert_int_equal(errno, ENOENT);
	assert_null(conf_write_read("/nonexistent/x", &(size_t){ 0 }));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conf_write_share_text_parses_back),
		cmocka_unit_test(
		    test_conf_write_share_refuses_unwritable_values),
		cmocka_unit_test(test_conf_write_replace_keeps_everything_else),
		cmocka_unit_test(test_conf_write_replace_last_section),
		cmocka_unit_test(test_conf_write_append_and_remove_round_trip),
		cmocka_unit_test(
		    test_conf_write_remove_middle_keeps_one_blank_line),
		cmocka_unit_test(test_conf_write_repeated_rewrites_are_stable),
		cmocka_unit_test(test_conf_write_missing_section_and_bad_text),
		cmocka_unit_test(
		    test_conf_write_empty_file_and_no_final_newline),
		cmocka_unit_test(test_conf_write_file_is_atomic_and_keeps_mode),
		cmocka_unit_test(test_conf_write_file_failure_leaves_old_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
