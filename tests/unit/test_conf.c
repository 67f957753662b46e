/*
 * test_conf.c — the configuration parser (smbsrvd/conf.c, conf_parse.c).
 *
 * Most tests parse text with conf_parse() against the base directory
 * "/base" and name it "t.conf", so an expected error reads
 * "t.conf:LINE: problem" with the exact line.  conf_load() is tested on
 * files in a temporary directory.
 */
#include <sys/stat.h>
#include <sys/types.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "conf.h"

static char	 errbuf[512];

/* Text for conf_parse(); sizeof keeps embedded NUL bytes. */
#define BAD(text, want)							\
	check_error(text, sizeof(text) - 1, want, __FILE__, __LINE__)

static struct conf *
parse_len(const char *text, size_t len)
{
	return conf_parse(text, len, "t.conf", "/base", errbuf,
	    sizeof(errbuf));
}

static struct conf *
parse(const char *text)
{
	return parse_len(text, strlen(text));
}

/* Parses text that must be good; shows the error if it is not. */
static struct conf *
good(const char *text)
{
	struct conf *cf;

	if ((cf = parse(text)) == NULL)
		fail_msg("unexpected error: %s", errbuf);
	return cf;
}

static void
check_error(const char *text, size_t len, const char *want,
    const char *file, int line)
{
	struct conf *cf;

	memset(errbuf, 'x', sizeof(errbuf));
	errbuf[sizeof(errbuf) - 1] = '\0';
	cf = parse_len(text, len);
	if (cf != NULL) {
		conf_free(cf);
		print_error("parsed, expected: %s\n", want);
		_fail(file, line);
	}
	_assert_string_equal(errbuf, want, file, line);
}

/* conf_print() into a string the caller frees. */
static char *
print_str(const struct conf *cf)
{
	char *out = NULL;
	size_t len = 0;
	FILE *fp;

	assert_non_null(fp = open_memstream(&out, &len));
	assert_int_equal(conf_print(fp, cf), 0);
	assert_int_equal(fclose(fp), 0);
	return out;
}

static void
assert_addr_equal(const struct conf_addr *a, const struct conf_addr *b)
{
	assert_string_equal(a->ca_text, b->ca_text);
	assert_int_equal(a->ca_sslen, b->ca_sslen);
	assert_memory_equal(&a->ca_ss, &b->ca_ss, a->ca_sslen);
}

/* Every field but where things were written (cf_file, sh_line). */
static void
assert_conf_equal(const struct conf *a, const struct conf *b)
{
	const struct conf_share *sa, *sb;
	int i;

	assert_int_equal(a->cf_nsmb_listen, b->cf_nsmb_listen);
	for (i = 0; i < a->cf_nsmb_listen; i++)
		assert_addr_equal(&a->cf_smb_listen[i], &b->cf_smb_listen[i]);
	assert_string_equal(a->cf_state_dir, b->cf_state_dir);
	assert_string_equal(a->cf_admin_socket, b->cf_admin_socket);
	assert_int_equal(a->cf_admin_listen_on, b->cf_admin_listen_on);
	if (a->cf_admin_listen_on)
		assert_addr_equal(&a->cf_admin_listen, &b->cf_admin_listen);
	assert_string_equal(a->cf_admin_token_file, b->cf_admin_token_file);
	assert_true((a->cf_admin_tls_cert == NULL) ==
	    (b->cf_admin_tls_cert == NULL));
	if (a->cf_admin_tls_cert != NULL)
		assert_string_equal(a->cf_admin_tls_cert, b->cf_admin_tls_cert);
	assert_true((a->cf_admin_tls_key == NULL) ==
	    (b->cf_admin_tls_key == NULL));
	if (a->cf_admin_tls_key != NULL)
		assert_string_equal(a->cf_admin_tls_key, b->cf_admin_tls_key);
	assert_string_equal(a->cf_user_db, b->cf_user_db);
	assert_string_equal(a->cf_pid_file, b->cf_pid_file);
	assert_int_equal(a->cf_log_level, b->cf_log_level);
	assert_int_equal(a->cf_min_protocol, b->cf_min_protocol);
	assert_int_equal(a->cf_max_protocol, b->cf_max_protocol);
	assert_int_equal(a->cf_signing_required, b->cf_signing_required);
	assert_int_equal(a->cf_smb_encrypt, b->cf_smb_encrypt);
	assert_int_equal(a->cf_map_to_guest, b->cf_map_to_guest);
	assert_int_equal(a->cf_nshares, b->cf_nshares);
	sb = TAILQ_FIRST(&b->cf_shares);
	TAILQ_FOREACH(sa, &a->cf_shares, sh_entry) {
		assert_non_null(sb);
		assert_string_equal(sa->sh_name, sb->sh_name);
		assert_string_equal(sa->sh_path, sb->sh_path);
		assert_string_equal(sa->sh_comment, sb->sh_comment);
		assert_int_equal(sa->sh_read_only, sb->sh_read_only);
		assert_int_equal(sa->sh_guest_ok, sb->sh_guest_ok);
		assert_int_equal(sa->sh_max_uses, sb->sh_max_uses);
		assert_int_equal(sa->sh_smb_encrypt, sb->sh_smb_encrypt);
		sb = TAILQ_NEXT(sb, sh_entry);
	}
	assert_null(sb);
}

/* Prints cf, parses that against another base, and compares. */
static void
assert_round_trip(const struct conf *cf)
{
	struct conf *again;
	char *text, *text2;

	text = print_str(cf);
	again = conf_parse(text, strlen(text), "printed", "/elsewhere",
	    errbuf, sizeof(errbuf));
	if (again == NULL)
		fail_msg("printed text does not parse: %s\n%s", errbuf, text);
	assert_conf_equal(cf, again);
	text2 = print_str(again);
	assert_string_equal(text, text2);
	free(text);
	free(text2);
	conf_free(again);
}

static char *
repeat(char c, size_t n)
{
	char *s;

	assert_non_null(s = malloc(n + 1));
	memset(s, c, n);
	s[n] = '\0';
	return s;
}

/* A path in a fresh temporary directory; the caller frees it. */
static char *
tmp_path(const char *dir, const char *name)
{
	char *p;

	assert_int_not_equal(asprintf(&p, "%s/%s", dir, name), -1);
	return p;
}

static void
write_file(const char *path, const char *text, size_t len)
{
	FILE *fp;

	assert_non_null(fp = fopen(path, "w"));
	assert_int_equal(fwrite(text, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
}

static void
write_text(const char *path, const char *text)
{
	write_file(path, text, strlen(text));
}

static void
test_conf_parses_a_share(void **state)
{
	struct conf *cf;
	const struct conf_share *sh;

	(void)state;
	cf = good("[global]\n"
	    "\tlog level = 3\n"
	    "[data]\n"
	    "\tpath = /srv/data\n"
	    "\tcomment = Team files\n"
	    "\tread only = no\n"
	    "\tguest ok = yes\n"
	    "\tmax uses = 10\n");
	assert_int_equal(cf->cf_log_level, 3);
	assert_int_equal(cf->cf_nshares, 1);
	assert_null(cf->cf_file);
	sh = TAILQ_FIRST(&cf->cf_shares);
	assert_string_equal(sh->sh_name, "data");
	assert_string_equal(sh->sh_path, "/srv/data");
	assert_string_equal(sh->sh_comment, "Team files");
	assert_false(sh->sh_read_only);
	assert_true(sh->sh_guest_ok);
	assert_int_equal(sh->sh_max_uses, 10);
	assert_int_equal(sh->sh_line, 3);
	conf_free(cf);
}

static void
test_conf_empty_file_gives_defaults_and_no_shares(void **state)
{
	struct conf *cf;

	(void)state;
	cf = good("");
	assert_int_equal(cf->cf_nsmb_listen, 2);
	assert_string_equal(cf->cf_smb_listen[0].ca_text, "0.0.0.0:445");
	assert_int_equal(cf->cf_smb_listen[0].ca_ss.ss_family, AF_INET);
	assert_string_equal(cf->cf_smb_listen[1].ca_text, "[::]:445");
	assert_int_equal(cf->cf_smb_listen[1].ca_ss.ss_family, AF_INET6);
	assert_string_equal(cf->cf_state_dir, "/var/lib/smbsrvd");
	assert_string_equal(cf->cf_admin_socket,
	    "/var/lib/smbsrvd/smbsrvd.sock");
	assert_false(cf->cf_admin_listen_on);
	assert_string_equal(cf->cf_admin_token_file,
	    "/var/lib/smbsrvd/admin.token");
	assert_string_equal(cf->cf_user_db, "/var/lib/smbsrvd/users.db");
	assert_string_equal(cf->cf_pid_file, "/var/lib/smbsrvd/smbsrvd.pid");
	assert_int_equal(cf->cf_log_level, 1);
	assert_int_equal(cf->cf_min_protocol, 0x0202);
	assert_int_equal(cf->cf_max_protocol, 0x0311);
	assert_int_equal(cf->cf_signing_required, 0);
	assert_int_equal(cf->cf_smb_encrypt, CONF_ENCRYPT_DESIRED);
	assert_int_equal(cf->cf_map_to_guest, 0);
	assert_int_equal(cf->cf_nshares, 0);
	assert_true(TAILQ_EMPTY(&cf->cf_shares));
	conf_free(cf);

	/* Comments and blank lines only: the same. */
	cf = good("# nothing\n\n   ; here\n\t\n");
	assert_int_equal(cf->cf_nsmb_listen, 2);
	assert_int_equal(cf->cf_nshares, 0);
	conf_free(cf);
	cf = parse_len(NULL, 0);
	assert_non_null(cf);
	conf_free(cf);
}

static void
test_conf_share_defaults(void **state)
{
	struct conf *cf;
	const struct conf_share *sh;

	(void)state;
	cf = good("[a]\npath = /a\n");
	sh = conf_share_find(cf, "a");
	assert_non_null(sh);
	assert_string_equal(sh->sh_comment, "");
	assert_true(sh->sh_read_only);
	assert_false(sh->sh_guest_ok);
	assert_int_equal(sh->sh_max_uses, 0);
	assert_int_equal(sh->sh_smb_encrypt, CONF_ENCRYPT_DESIRED);
	conf_free(cf);
}

static void
test_conf_defaults_follow_state_directory(void **state)
{
	struct conf *cf;

	(void)state;
	cf = good("[global]\nstate directory = /run/smb/\n");
	assert_string_equal(cf->cf_state_dir, "/run/smb");
	assert_string_equal(cf->cf_admin_socket, "/run/smb/smbsrvd.sock");
	assert_string_equal(cf->cf_admin_token_file, "/run/smb/admin.token");
	assert_string_equal(cf->cf_user_db, "/run/smb/users.db");
	assert_string_equal(cf->cf_pid_file, "/run/smb/smbsrvd.pid");
	conf_free(cf);

	/* Relative: against the base directory, and the defaults follow. */
	cf = good("[global]\nstate directory = var\n");
	assert_string_equal(cf->cf_state_dir, "/base/var");
	assert_string_equal(cf->cf_user_db, "/base/var/users.db");
	conf_free(cf);

	/* The root directory does not give "//smbsrvd.sock". */
	cf = good("[global]\nstate directory = /\n");
	assert_string_equal(cf->cf_state_dir, "/");
	assert_string_equal(cf->cf_admin_socket, "/smbsrvd.sock");
	conf_free(cf);
}

static void
test_conf_explicit_paths_override_state_directory(void **state)
{
	struct conf *cf;

	(void)state;
	/* Keywords in any order: the defaults are taken at the end. */
	cf = good("[global]\n"
	    "admin socket = sock\n"
	    "user database = /etc/smbsrvd/users.db\n"
	    "state directory = /srv/state\n"
	    "pid file = /run/smbsrvd.pid\n"
	    "admin token file = tok/en\n");
	assert_string_equal(cf->cf_admin_socket, "/base/sock");
	assert_string_equal(cf->cf_user_db, "/etc/smbsrvd/users.db");
	assert_string_equal(cf->cf_pid_file, "/run/smbsrvd.pid");
	assert_string_equal(cf->cf_admin_token_file, "/base/tok/en");
	conf_free(cf);
}

static void
test_conf_resolves_relative_paths_against_basedir(void **state)
{
	struct conf *cf;
	const struct conf_share *sh;

	(void)state;
	cf = conf_parse("[s]\npath = data/s\n", 17, "t.conf", "/etc/smb/",
	    errbuf, sizeof(errbuf));
	assert_non_null(cf);
	sh = TAILQ_FIRST(&cf->cf_shares);
	assert_string_equal(sh->sh_path, "/etc/smb/data/s");
	conf_free(cf);

	cf = conf_parse("[s]\npath = .\n", 13, "t.conf", "/", errbuf,
	    sizeof(errbuf));
	assert_non_null(cf);
	assert_string_equal(TAILQ_FIRST(&cf->cf_shares)->sh_path, "/");
	conf_free(cf);
}

static void
test_conf_normalizes_paths_without_resolving_dotdot(void **state)
{
	struct conf *cf;
	const struct conf_share *sh;

	(void)state;
	cf = good("[a]\npath = /srv//data/./x/\n"
	    "[b]\npath = ./x/../y//\n"
	    "[c]\npath = ///\n"
	    "[d]\npath = /a/.hidden/..dots/.\n");
	sh = conf_share_find(cf, "a");
	assert_string_equal(sh->sh_path, "/srv/data/x");
	sh = conf_share_find(cf, "b");
	assert_string_equal(sh->sh_path, "/base/x/../y");
	sh = conf_share_find(cf, "c");
	assert_string_equal(sh->sh_path, "/");
	sh = conf_share_find(cf, "d");
	assert_string_equal(sh->sh_path, "/a/.hidden/..dots");
	conf_free(cf);
}

static void
test_conf_refuses_path_ending_in_blank_or_backslash(void **state)
{
	(void)state;
	/*
	 * Found by fuzz_conf: dropping the slash exposed the blank, and
	 * the printed "path = /a " read back as "/a".
	 */
	BAD("[x]\npath = /a /\n",
	    "t.conf:2: \"path\": path may not end in a blank or a backslash");
	BAD("[global]\nadmin socket =/ = //////\n",
	    "t.conf:2: \"admin socket\": path may not end in a blank or a "
	    "backslash");
	BAD("[x]\npath = /a\t/.\n",
	    "t.conf:2: \"path\": path may not end in a blank or a backslash");
	BAD("[x]\npath = /a\\/\n",
	    "t.conf:2: \"path\": path may not end in a blank or a backslash");
}

static void
test_conf_keys_ignore_case_and_blank_runs(void **state)
{
	struct conf *cf;
	const struct conf_share *sh;

	(void)state;
	cf = good("[GLOBAL]\n"
	    "State   Directory=/s\n"
	    "LOG\t \tLEVEL  =  2\n"
	    "[x]\n"
	    "  PATH = /x  \n"
	    "Read Only = No\n"
	    "  Guest\tOK\t=\tYES\t\n"
	    "MAX  USES=7\n");
	assert_string_equal(cf->cf_state_dir, "/s");
	assert_int_equal(cf->cf_log_level, 2);
	sh = TAILQ_FIRST(&cf->cf_shares);
	assert_string_equal(sh->sh_path, "/x");
	assert_false(sh->sh_read_only);
	assert_true(sh->sh_guest_ok);
	assert_int_equal(sh->sh_max_uses, 7);
	conf_free(cf);
}

static void
test_conf_trims_values_and_keeps_inner_blanks(void **state)
{
	struct conf *cf;
	const struct conf_share *sh;

	(void)state;
	cf = good("[x]\npath = /my  files/x y\n"
	    "comment =   two  spaces\tand a tab  \t \n");
	sh = TAILQ_FIRST(&cf->cf_shares);
	assert_string_equal(sh->sh_path, "/my  files/x y");
	assert_string_equal(sh->sh_comment, "two  spaces\tand a tab");
	conf_free(cf);

	/* No comments after a value, as in smb.conf. */
	cf = good("[x]\npath = /x\ncomment = #1 ; not a comment\n");
	sh = TAILQ_FIRST(&cf->cf_shares);
	assert_string_equal(sh->sh_comment, "#1 ; not a comment");
	conf_free(cf);

	/* An empty comment is allowed; only the first '=' splits. */
	cf = good("[x]\npath = /x\ncomment =\n[y]\npath=/y\ncomment=a=b\n");
	assert_string_equal(conf_share_find(cf, "x")->sh_comment, "");
	assert_string_equal(conf_share_find(cf, "y")->sh_comment, "a=b");
	conf_free(cf);
}

static void
test_conf_skips_comments_and_blank_lines(void **state)
{
	struct conf *cf;

	(void)state;
	cf = good("# a comment\n"
	    "; another\n"
	    "   # indented\n"
	    "\t; tab indented\n"
	    "\n"
	    "   \t  \n"
	    "[x] # a comment after a header\n"
	    "path = /x\n"
	    "[y]\t; and another\n"
	    "path = /y\n"
	    "# a comment ending in a backslash does not continue \\\n"
	    "comment = y\n");
	assert_int_equal(cf->cf_nshares, 2);
	assert_string_equal(conf_share_find(cf, "y")->sh_comment, "y");
	conf_free(cf);
}

static void
test_conf_joins_continuation_lines(void **state)
{
	struct conf *cf;

	(void)state;
	cf = good("[x]\n"
	    "path = /a/very/\\\n"
	    "     long/path\n"
	    "comment = one \\\t \n"
	    "\ttwo \\\n"
	    "# three\n"
	    "max \\\n"
	    " uses = 5\n");
	assert_string_equal(TAILQ_FIRST(&cf->cf_shares)->sh_path,
	    "/a/very/long/path");
	/* Blanks before the backslash stay; a continued line is no comment. */
	assert_string_equal(TAILQ_FIRST(&cf->cf_shares)->sh_comment,
	    "one two # three");
	assert_int_equal(TAILQ_FIRST(&cf->cf_shares)->sh_max_uses, 5);
	conf_free(cf);

	/* A blank line ends the continuation; so does the end of file. */
	cf = good("[x]\ncomment = a \\\n\npath = /x \\");
	assert_string_equal(TAILQ_FIRST(&cf->cf_shares)->sh_comment, "a");
	assert_string_equal(TAILQ_FIRST(&cf->cf_shares)->sh_path, "/x");
	conf_free(cf);
}

static void
test_conf_error_lines_count_continuations(void **state)
{
	(void)state;
	/* The first line of the logical line for meaning... */
	BAD("[x]\npath = /x\nmax \\\n uses = \\\n lots\n",
	    "t.conf:3: \"max uses\": invalid number \"lots\"");
	/* ...and the following lines keep their numbers. */
	BAD("[x]\ncomment = a \\\n b \\\n c\npath = /x\nbogus = 1\n",
	    "t.conf:6: unknown keyword \"bogus\" in share [x]");
	/* A bad byte is on its physical line. */
	BAD("[x]\ncomment = a \\\n b \\\n c\xff\n",
	    "t.conf:4: invalid UTF-8");
}

static void
test_conf_refuses_backslash_ending_a_value(void **state)
{
	(void)state;
	/*
	 * "x\\" then nothing: the value would end in a backslash that
	 * conf_print() could not write back.
	 */
	BAD("[x]\npath = /x\ncomment = x\\\\\n\n",
	    "t.conf:3: line ends in a backslash that continues nothing");
	BAD("[x]\npath = /x\ncomment = x\\\\",
	    "t.conf:3: line ends in a backslash that continues nothing");
}

static void
test_conf_accepts_crlf_line_endings(void **state)
{
	struct conf *cf;
	const struct conf_share *sh;

	(void)state;
	cf = good("\xef\xbb\xbf# written on Windows\r\n"
	    "[global]\r\n"
	    "log level = 4\r\n"
	    "\r\n"
	    "[x]\r\n"
	    "path = /x \\\r\n"
	    "  /y\r\n"
	    "comment = crlf\r");
	assert_int_equal(cf->cf_log_level, 4);
	sh = TAILQ_FIRST(&cf->cf_shares);
	assert_string_equal(sh->sh_path, "/x /y");
	assert_string_equal(sh->sh_comment, "crlf");
	conf_free(cf);

	/* A carriage return elsewhere is a control character. */
	BAD("[x]\rpath = /x\n", "t.conf:1: control character 0x0d");
}

static void
test_conf_parses_ipv4_and_ipv6_listen(void **state)
{
	struct conf *cf;
	const struct sockaddr_in *sin;
	const struct sockaddr_in6 *sin6;

	(void)state;
	cf = good("[global]\n"
	    "smb listen = 192.168.1.10:445\n"
	    "smb listen = [::1]:4445\n"
	    "smb listen = [0:0:0:0:0:0:0:2]:445\n"
	    "smb listen = [::ffff:10.0.0.1]:445\n"
	    "smb listen = 10.0.0.1:1\n"
	    "smb listen = 10.0.0.1:65535\n");
	assert_int_equal(cf->cf_nsmb_listen, 6);
	sin = (const struct sockaddr_in *)&cf->cf_smb_listen[0].ca_ss;
	assert_int_equal(sin->sin_family, AF_INET);
	assert_int_equal(ntohs(sin->sin_port), 445);
	assert_int_equal(ntohl(sin->sin_addr.s_addr), 0xc0a8010a);
	assert_int_equal(cf->cf_smb_listen[0].ca_sslen, sizeof(*sin));
	sin6 = (const struct sockaddr_in6 *)&cf->cf_smb_listen[1].ca_ss;
	assert_int_equal(sin6->sin6_family, AF_INET6);
	assert_int_equal(ntohs(sin6->sin6_port), 4445);
	assert_true(IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr));
	assert_int_equal(cf->cf_smb_listen[1].ca_sslen, sizeof(*sin6));
	assert_string_equal(cf->cf_smb_listen[1].ca_text, "[::1]:4445");
	/* The text is normalized. */
	assert_string_equal(cf->cf_smb_listen[2].ca_text, "[::2]:445");
	assert_string_equal(cf->cf_smb_listen[3].ca_text,
	    "[::ffff:10.0.0.1]:445");
	assert_string_equal(cf->cf_smb_listen[5].ca_text, "10.0.0.1:65535");
	conf_free(cf);
}

static void
test_conf_accepts_max_listeners_and_refuses_more(void **state)
{
	char text[2048], *p = text;
	struct conf *cf;
	int i;

	(void)state;
	p += sprintf(p, "[global]\n");
	for (i = 0; i < CONF_MAX_LISTEN; i++)
		p += sprintf(p, "smb listen = 127.0.0.%d:445\n", i + 1);
	cf = good(text);
	assert_int_equal(cf->cf_nsmb_listen, CONF_MAX_LISTEN);
	assert_string_equal(cf->cf_smb_listen[15].ca_text, "127.0.0.16:445");
	conf_free(cf);
	sprintf(p, "smb listen = 127.0.0.99:445\n");
	assert_null(parse(text));
	assert_string_equal(errbuf,
	    "t.conf:18: \"smb listen\": too many addresses (at most 16)");
}

static void
test_conf_refuses_duplicate_listen(void **state)
{
	(void)state;
	BAD("[global]\nsmb listen = 10.0.0.1:445\n\n"
	    "smb listen = 10.0.0.1:445\n",
	    "t.conf:4: \"smb listen\": duplicate address \"10.0.0.1:445\" "
	    "(first on line 2)");
	/* The same address written differently. */
	BAD("[global]\nsmb listen = [::1]:445\nsmb listen = [0::1]:445\n",
	    "t.conf:3: \"smb listen\": duplicate address \"[::1]:445\" "
	    "(first on line 2)");
	/* A wildcard and an address on the same port cannot both bind. */
	BAD("[global]\nsmb listen = 0.0.0.0:445\nsmb listen = 10.0.0.1:445\n",
	    "t.conf:3: \"smb listen\": address \"10.0.0.1:445\" overlaps "
	    "\"0.0.0.0:445\" (line 2)");
}

static void
test_conf_allows_same_port_on_other_addresses(void **state)
{
	struct conf *cf;

	(void)state;
	cf = good("[global]\nsmb listen = 0.0.0.0:445\nsmb listen = [::]:445\n"
	    "smb listen = 10.0.0.1:139\nsmb listen = 10.0.0.2:139\n");
	assert_int_equal(cf->cf_nsmb_listen, 4);
	conf_free(cf);
}

static void
test_conf_refuses_invalid_port(void **state)
{
	(void)state;
	BAD("[global]\nsmb listen = 0.0.0.0:99999\n",
	    "t.conf:2: \"smb listen\": invalid port \"99999\"");
	BAD("[global]\nsmb listen = 0.0.0.0:0\n",
	    "t.conf:2: \"smb listen\": invalid port \"0\"");
	BAD("[global]\nsmb listen = 0.0.0.0:65536\n",
	    "t.conf:2: \"smb listen\": invalid port \"65536\"");
	BAD("[global]\nsmb listen = 0.0.0.0:smb\n",
	    "t.conf:2: \"smb listen\": invalid port \"smb\"");
	BAD("[global]\nsmb listen = 0.0.0.0:-1\n",
	    "t.conf:2: \"smb listen\": invalid port \"-1\"");
	BAD("[global]\nsmb listen = 0.0.0.0:\n",
	    "t.conf:2: \"smb listen\": invalid port \"\"");
	BAD("[global]\nsmb listen = [::1]:44x\n",
	    "t.conf:2: \"smb listen\": invalid port \"44x\"");
	BAD("[global]\nsmb listen = 0.0.0.0\n",
	    "t.conf:2: \"smb listen\": missing port in \"0.0.0.0\"");
	BAD("[global]\nsmb listen = [::1]\n",
	    "t.conf:2: \"smb listen\": missing port in \"[::1]\"");
}

static void
test_conf_refuses_invalid_address(void **state)
{
	(void)state;
	BAD("[global]\nsmb listen = localhost:445\n",
	    "t.conf:2: \"smb listen\": invalid address \"localhost\"");
	BAD("[global]\nsmb listen = 1.2.3:445\n",
	    "t.conf:2: \"smb listen\": invalid address \"1.2.3\"");
	/* inet_aton() forms are not what anybody means. */
	BAD("[global]\nsmb listen = 127.1:445\n",
	    "t.conf:2: \"smb listen\": invalid address \"127.1\"");
	BAD("[global]\nsmb listen = 010.0.0.1:445\n",
	    "t.conf:2: \"smb listen\": invalid address \"010.0.0.1\"");
	BAD("[global]\nsmb listen = 256.0.0.1:445\n",
	    "t.conf:2: \"smb listen\": invalid address \"256.0.0.1\"");
	BAD("[global]\nsmb listen = :445\n",
	    "t.conf:2: \"smb listen\": invalid address \"\"");
	BAD("[global]\nsmb listen = []:445\n",
	    "t.conf:2: \"smb listen\": invalid address \"\"");
	BAD("[global]\nsmb listen = [::1:445\n",
	    "t.conf:2: \"smb listen\": invalid address \"[::1:445\"");
	BAD("[global]\nsmb listen = [::1]445\n",
	    "t.conf:2: \"smb listen\": invalid address \"[::1]445\"");
	BAD("[global]\nsmb listen = [10.0.0.1]:445\n",
	    "t.conf:2: \"smb listen\": invalid address \"10.0.0.1\"");
	BAD("[global]\nsmb listen = [::g]:445\n",
	    "t.conf:2: \"smb listen\": invalid address \"::g\"");
	BAD("[global]\nsmb listen = ::1:445\n",
	    "t.conf:2: \"smb listen\": IPv6 address must be in brackets, "
	    "as in \"[::1]:445\"");
	BAD("[global]\nsmb listen =\n",
	    "t.conf:2: \"smb listen\": missing value");
}

static void
test_conf_admin_listen_empty_disables_tcp(void **state)
{
	struct conf *cf;

	(void)state;
	cf = good("[global]\nadmin listen =\n");
	assert_false(cf->cf_admin_listen_on);
	conf_free(cf);
	cf = good("[global]\nadmin listen = [::1]:8445\n");
	assert_true(cf->cf_admin_listen_on);
	assert_string_equal(cf->cf_admin_listen.ca_text, "[::1]:8445");
	assert_int_equal(cf->cf_admin_listen.ca_ss.ss_family, AF_INET6);
	conf_free(cf);
	BAD("[global]\nadmin listen = 127.0.0.1:99999\n",
	    "t.conf:2: \"admin listen\": invalid port \"99999\"");
	BAD("[global]\nadmin listen = [::1]:1\nadmin listen =\n",
	    "t.conf:3: duplicate keyword \"admin listen\" in [global] "
	    "(first on line 2)");
}

static void
test_conf_refuses_admin_listen_on_an_smb_address(void **state)
{
	(void)state;
	BAD("[global]\nadmin listen = 127.0.0.1:445\nlog level = 1\n",
	    "t.conf:2: \"admin listen\": address \"127.0.0.1:445\" overlaps "
	    "smb listen \"0.0.0.0:445\"");
	BAD("[global]\nadmin listen = [::1]:9\nsmb listen = [::1]:9\n",
	    "t.conf:2: \"admin listen\": address \"[::1]:9\" overlaps "
	    "smb listen \"[::1]:9\"");
}

static void
test_conf_admin_tls_is_off_by_default(void **state)
{
	struct conf *cf;
	char *text;

	(void)state;
	cf = good("[global]\nadmin listen = 127.0.0.1:8445\n");
	assert_null(cf->cf_admin_tls_cert);
	assert_null(cf->cf_admin_tls_key);
	text = print_str(cf);
	assert_non_null(strstr(text, "\tadmin tls certificate =\n"
	    "\tadmin tls key =\n"));
	assert_round_trip(cf);
	free(text);
	conf_free(cf);
	/* Empty is "none", as written by -nv. */
	cf = good("[global]\nadmin tls certificate =\nadmin tls key =\n");
	assert_null(cf->cf_admin_tls_cert);
	assert_null(cf->cf_admin_tls_key);
	conf_free(cf);
}

static void
test_conf_admin_tls_paths_resolve_against_basedir(void **state)
{
	struct conf *cf;

	(void)state;
	cf = good("[global]\nadmin listen = [::1]:8445\n"
	    "admin TLS key = tls//key.pem\n"
	    "admin tls certificate = /etc/ssl/./admin.pem\n");
	assert_string_equal(cf->cf_admin_tls_cert, "/etc/ssl/admin.pem");
	assert_string_equal(cf->cf_admin_tls_key, "/base/tls/key.pem");
	assert_round_trip(cf);
	conf_free(cf);
}

static void
test_conf_admin_tls_needs_both_files_and_a_tcp_listener(void **state)
{
	(void)state;
	BAD("[global]\nadmin listen = 127.0.0.1:8445\n"
	    "admin tls certificate = c.pem\n",
	    "t.conf:3: \"admin tls certificate\" needs \"admin tls key\" "
	    "as well");
	BAD("[global]\nadmin listen = 127.0.0.1:8445\nlog level = 1\n"
	    "admin tls key = k.pem\nadmin tls certificate =\n",
	    "t.conf:4: \"admin tls key\" needs \"admin tls certificate\" "
	    "as well");
	BAD("[global]\nadmin tls certificate = c.pem\n"
	    "admin tls key = k.pem\n",
	    "t.conf:2: \"admin tls certificate\" is set but \"admin "
	    "listen\" is empty: TLS applies only to the TCP listener");
	BAD("[global]\nadmin listen =\nadmin tls key = k.pem\n"
	    "admin tls certificate = c.pem\n",
	    "t.conf:4: \"admin tls certificate\" is set but \"admin "
	    "listen\" is empty: TLS applies only to the TCP listener");
	BAD("[global]\nadmin listen = 127.0.0.1:1\nadmin tls key = a\n"
	    "admin tls key = b\n",
	    "t.conf:4: duplicate keyword \"admin tls key\" in [global] "
	    "(first on line 3)");
	BAD("[share]\npath = /x\nadmin tls key = k.pem\n",
	    "t.conf:3: \"admin tls key\" is a global keyword, not allowed "
	    "in share [share]");
}

static void
test_conf_booleans_accept_every_spelling(void **state)
{
	static const char *yes[] = { "yes", "YES", "true", "True", "on",
	    "ON", "1" };
	static const char *no[] = { "no", "No", "false", "FALSE", "off",
	    "Off", "0" };
	char text[128];
	struct conf *cf;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		snprintf(text, sizeof(text), "[x]\npath=/x\nguest ok = %s\n"
		    "read only = %s\n", yes[i], no[i]);
		cf = good(text);
		assert_true(TAILQ_FIRST(&cf->cf_shares)->sh_guest_ok);
		assert_false(TAILQ_FIRST(&cf->cf_shares)->sh_read_only);
		conf_free(cf);
	}
}

static void
test_conf_refuses_invalid_boolean(void **state)
{
	(void)state;
	BAD("[x]\npath = /x\nread only = maybe\n",
	    "t.conf:3: \"read only\": invalid boolean \"maybe\" "
	    "(use yes or no)");
	BAD("[x]\npath = /x\nguest ok = yes please\n",
	    "t.conf:3: \"guest ok\": invalid boolean \"yes please\" "
	    "(use yes or no)");
	BAD("[x]\npath = /x\nwritable = 2\n",
	    "t.conf:3: \"writable\": invalid boolean \"2\" (use yes or no)");
	BAD("[x]\npath = /x\nread only =\n",
	    "t.conf:3: \"read only\": missing value");
}

static void
test_conf_writable_is_the_inverse_of_read_only(void **state)
{
	struct conf *cf;

	(void)state;
	cf = good("[a]\npath=/a\nwritable = yes\n"
	    "[b]\npath=/b\nwriteable = no\n"
	    "[c]\npath=/c\npublic = yes\n"
	    "[d]\npath=/d\npublic = no\n");
	assert_false(conf_share_find(cf, "a")->sh_read_only);
	assert_true(conf_share_find(cf, "b")->sh_read_only);
	assert_true(conf_share_find(cf, "c")->sh_guest_ok);
	assert_false(conf_share_find(cf, "d")->sh_guest_ok);
	conf_free(cf);
}

static void
test_conf_refuses_alias_with_its_keyword(void **state)
{
	(void)state;
	BAD("[x]\npath=/x\nread only = no\nwritable = yes\n",
	    "t.conf:4: \"writable\" sets \"read only\" again in share [x] "
	    "(first on line 3)");
	BAD("[x]\npath=/x\nwritable = yes\nwriteable = yes\n",
	    "t.conf:4: \"writeable\" sets \"read only\" again in share [x] "
	    "(first on line 3)");
	BAD("[x]\npath=/x\npublic = yes\nguest ok = yes\n",
	    "t.conf:4: duplicate keyword \"guest ok\" in share [x] "
	    "(first on line 3)");
}

static void
test_conf_integers_are_strict_decimal(void **state)
{
	struct conf *cf;

	(void)state;
	cf = good("[global]\nlog level = 010\n[x]\npath=/x\n"
	    "max uses = 16777215\n");
	assert_int_equal(cf->cf_log_level, 10);
	assert_int_equal(TAILQ_FIRST(&cf->cf_shares)->sh_max_uses, 16777215);
	conf_free(cf);
	cf = good("[global]\nlog level = 0\n");
	assert_int_equal(cf->cf_log_level, 0);
	conf_free(cf);

	BAD("[global]\nlog level = 11\n",
	    "t.conf:2: \"log level\": 11 out of range (0 to 10)");
	BAD("[global]\nlog level = 1x\n",
	    "t.conf:2: \"log level\": invalid number \"1x\"");
	BAD("[global]\nlog level = +1\n",
	    "t.conf:2: \"log level\": invalid number \"+1\"");
	BAD("[global]\nlog level = -1\n",
	    "t.conf:2: \"log level\": invalid number \"-1\"");
	BAD("[global]\nlog level = 0x1\n",
	    "t.conf:2: \"log level\": invalid number \"0x1\"");
	BAD("[global]\nlog level = 1 2\n",
	    "t.conf:2: \"log level\": invalid number \"1 2\"");
	BAD("[global]\nlog level = 1.0\n",
	    "t.conf:2: \"log level\": invalid number \"1.0\"");
	BAD("[global]\nlog level =\n",
	    "t.conf:2: \"log level\": missing value");
	BAD("[x]\npath=/x\nmax uses = 16777216\n",
	    "t.conf:3: \"max uses\": 16777216 out of range (0 to 16777215)");
	/* No overflow, and a long number is cut short in the message. */
	BAD("[x]\npath=/x\n"
	    "max uses = 184467440737095516161844674407370955161\n",
	    "t.conf:3: \"max uses\": 184467440737095516161844674407370955161 "
	    "out of range (0 to 16777215)");
	BAD("[x]\npath=/x\nmax uses = "
	    "99999999999999999999999999999999999999999999999999999999999999\n",
	    "t.conf:3: \"max uses\": "
	    "9999999999999999999999999999999999999999999999999999... "
	    "out of range (0 to 16777215)");
}

/*
 * DurableOpenTimeout when a client names none: 60 s as Windows has it for
 * v2 (MS-SMB2 3.3.5.9.10, <344>), at most the 300 s v2 ceiling (<343>).
 */
static void
test_conf_durable_handle_timeout_default_and_v2_ceiling(void **state)
{
	struct conf *cf;

	(void)state;
	cf = good("");
	assert_int_equal(cf->cf_durable_timeout, 60000);
	conf_free(cf);
	cf = good("[global]\ndurable timeout = 0\n");
	assert_int_equal(cf->cf_durable_timeout, 0);
	conf_free(cf);
	cf = good("[global]\ndurable timeout = 300000\n");
	assert_int_equal(cf->cf_durable_timeout, 300000);
	conf_free(cf);
	BAD("[global]\ndurable timeout = 300001\n",
	    "t.conf:2: \"durable timeout\" 300001 is above \"durable "
	    "timeout max\" 300000");
	BAD("[global]\ndurable timeout = 3600001\n",
	    "t.conf:2: \"durable timeout\": 3600001 out of range "
	    "(0 to 3600000)");
	BAD("[global]\ndurable timeout = 60s\n",
	    "t.conf:2: \"durable timeout\": invalid number \"60s\"");
	/*
	 * A share that sets no "durable timeout" takes the global one,
	 * wherever [global] is in the file; one that sets it keeps its own.
	 */
	cf = good("[x]\npath = /x\n[y]\npath = /y\ndurable timeout = 5\n"
	    "[global]\ndurable timeout = 1000\n");
	assert_int_equal(conf_share_find(cf, "x")->sh_durable_timeout, 1000);
	assert_int_equal(conf_share_find(cf, "y")->sh_durable_timeout, 5);
	conf_free(cf);
	cf = good("[x]\npath = /x\n");
	assert_int_equal(conf_share_find(cf, "x")->sh_durable_timeout, 60000);
	conf_free(cf);
}

/*
 * The ceilings and the resiliency defaults, Windows' values when left
 * out: "durable timeout max" 300 s (MS-SMB2 3.3.5.9.10, <343>),
 * "resilient timeout" 120 s (3.3.5.15.9, <401>), "resilient timeout
 * max" 300 s (MaxResiliencyTimeout, <226>); each up to an hour.
 */
static void
test_conf_timeout_ceilings_and_resilient_defaults(void **state)
{
	struct conf *cf;

	(void)state;
	cf = good("");
	assert_int_equal(cf->cf_durable_timeout_max, 300000);
	assert_int_equal(cf->cf_resilient_timeout, 120000);
	assert_int_equal(cf->cf_resilient_timeout_max, 300000);
	conf_free(cf);
	cf = good("[global]\ndurable timeout max = 3600000\n"
	    "durable timeout = 900000\nresilient timeout max = 0\n"
	    "resilient timeout = 0\n[x]\npath = /x\n"
	    "durable timeout = 3600000\n");
	assert_int_equal(cf->cf_durable_timeout_max, 3600000);
	assert_int_equal(cf->cf_durable_timeout, 900000);
	assert_int_equal(cf->cf_resilient_timeout_max, 0);
	assert_int_equal(cf->cf_resilient_timeout, 0);
	assert_int_equal(conf_share_find(cf, "x")->sh_durable_timeout,
	    3600000);
	conf_free(cf);
	BAD("[global]\ndurable timeout max = 3600001\n",
	    "t.conf:2: \"durable timeout max\": 3600001 out of range "
	    "(0 to 3600000)");
	BAD("[global]\nresilient timeout max = 3600001\n",
	    "t.conf:2: \"resilient timeout max\": 3600001 out of range "
	    "(0 to 3600000)");
}

/*
 * A default above its ceiling is an error naming both and the line of
 * the default, or of the ceiling when the default was left out (a
 * ceiling lowered below Windows' default must bring the default down
 * too); a share's own "durable timeout" is held to the global ceiling,
 * wherever [global] is.
 */
static void
test_conf_refuses_timeout_above_its_max(void **state)
{
	struct conf *cf;

	(void)state;
	BAD("[global]\ndurable timeout max = 30000\n"
	    "durable timeout = 30001\n",
	    "t.conf:3: \"durable timeout\" 30001 is above \"durable "
	    "timeout max\" 30000");
	BAD("[global]\nlog level = 1\ndurable timeout max = 30000\n",
	    "t.conf:3: \"durable timeout\" 60000 is above \"durable "
	    "timeout max\" 30000");
	BAD("[global]\nresilient timeout = 5000\n"
	    "resilient timeout max = 4000\n",
	    "t.conf:2: \"resilient timeout\" 5000 is above \"resilient "
	    "timeout max\" 4000");
	BAD("[global]\nresilient timeout max = 100000\n",
	    "t.conf:2: \"resilient timeout\" 120000 is above \"resilient "
	    "timeout max\" 100000");
	BAD("[x]\npath = /x\ncomment = c\ndurable timeout = 40000\n"
	    "[global]\ndurable timeout max = 30000\n"
	    "durable timeout = 1000\n",
	    "t.conf:4: share [x]: \"durable timeout\" 40000 is above "
	    "\"durable timeout max\" 30000");
	/* Equal is allowed; an inheriting share takes the global value. */
	cf = good("[x]\npath = /x\n[y]\npath = /y\n"
	    "durable timeout = 30000\n[global]\ndurable timeout max = "
	    "30000\ndurable timeout = 30000\nresilient timeout = 7\n"
	    "resilient timeout max = 7\n");
	assert_int_equal(conf_share_find(cf, "x")->sh_durable_timeout, 30000);
	assert_int_equal(conf_share_find(cf, "x")->sh_durable_line, 0);
	assert_int_equal(conf_share_find(cf, "y")->sh_durable_line, 5);
	conf_free(cf);
}

/* One accepted word of an enumerated keyword, and what it means. */
struct enum_case {
	const char	*key;
	const char	*word;
	size_t		 off;	/* in struct conf, or conf_share for "[x]" */
	int		 want;
	const char	*canon;	/* how it prints */
};

#define CF(m)	offsetof(struct conf, m)
#define SH(m)	offsetof(struct conf_share, m)

static const struct enum_case global_words[] = {
	{ "server min protocol", "SMB2_02", CF(cf_min_protocol), 0x0202,
	    "SMB2_02" },
	{ "server min protocol", "SMB2_10", CF(cf_min_protocol), 0x0210,
	    "SMB2_10" },
	{ "server min protocol", "SMB3_00", CF(cf_min_protocol), 0x0300,
	    "SMB3_00" },
	{ "server min protocol", "SMB3_02", CF(cf_min_protocol), 0x0302,
	    "SMB3_02" },
	{ "server min protocol", "SMB3_11", CF(cf_min_protocol), 0x0311,
	    "SMB3_11" },
	{ "server min protocol", "SMB2", CF(cf_min_protocol), 0x0210,
	    "SMB2_10" },
	{ "server min protocol", "SMB3", CF(cf_min_protocol), 0x0311,
	    "SMB3_11" },
	{ "server max protocol", "SMB2_02", CF(cf_max_protocol), 0x0202,
	    "SMB2_02" },
	{ "server max protocol", "SMB2_10", CF(cf_max_protocol), 0x0210,
	    "SMB2_10" },
	{ "server max protocol", "SMB3_00", CF(cf_max_protocol), 0x0300,
	    "SMB3_00" },
	{ "server max protocol", "SMB3_02", CF(cf_max_protocol), 0x0302,
	    "SMB3_02" },
	{ "server max protocol", "SMB3_11", CF(cf_max_protocol), 0x0311,
	    "SMB3_11" },
	{ "server max protocol", "SMB2", CF(cf_max_protocol), 0x0210,
	    "SMB2_10" },
	{ "server max protocol", "SMB3", CF(cf_max_protocol), 0x0311,
	    "SMB3_11" },
	{ "server signing", "auto", CF(cf_signing_required), 0, "auto" },
	{ "server signing", "default", CF(cf_signing_required), 0, "auto" },
	{ "server signing", "mandatory", CF(cf_signing_required), 1,
	    "mandatory" },
	{ "server signing", "required", CF(cf_signing_required), 1,
	    "mandatory" },
	{ "smb encrypt", "off", CF(cf_smb_encrypt), CONF_ENCRYPT_OFF, "off" },
	{ "smb encrypt", "no", CF(cf_smb_encrypt), CONF_ENCRYPT_OFF, "off" },
	{ "smb encrypt", "desired", CF(cf_smb_encrypt), CONF_ENCRYPT_DESIRED,
	    "desired" },
	{ "smb encrypt", "if_required", CF(cf_smb_encrypt),
	    CONF_ENCRYPT_DESIRED, "desired" },
	{ "smb encrypt", "required", CF(cf_smb_encrypt),
	    CONF_ENCRYPT_REQUIRED, "required" },
	{ "smb encrypt", "mandatory", CF(cf_smb_encrypt),
	    CONF_ENCRYPT_REQUIRED, "required" },
	{ "map to guest", "never", CF(cf_map_to_guest), 0, "never" },
	{ "map to guest", "bad user", CF(cf_map_to_guest), 1, "bad user" },
};

static const struct enum_case share_words[] = {
	{ "smb encrypt", "off", SH(sh_smb_encrypt), CONF_ENCRYPT_OFF, "off" },
	{ "smb encrypt", "no", SH(sh_smb_encrypt), CONF_ENCRYPT_OFF, "off" },
	{ "smb encrypt", "desired", SH(sh_smb_encrypt), CONF_ENCRYPT_DESIRED,
	    "desired" },
	{ "smb encrypt", "if_required", SH(sh_smb_encrypt),
	    CONF_ENCRYPT_DESIRED, "desired" },
	{ "smb encrypt", "required", SH(sh_smb_encrypt),
	    CONF_ENCRYPT_REQUIRED, "required" },
	{ "smb encrypt", "mandatory", SH(sh_smb_encrypt),
	    CONF_ENCRYPT_REQUIRED, "required" },
};

/* word as written (0), in lower case (1), in upper case (2). */
static void
recase(char *dst, const char *src, int how)
{
	for (; *src != '\0'; src++, dst++) {
		if (how == 1 && *src >= 'A' && *src <= 'Z')
			*dst = (char)(*src - 'A' + 'a');
		else if (how == 2 && *src >= 'a' && *src <= 'z')
			*dst = (char)(*src - 'a' + 'A');
		else
			*dst = *src;
	}
	*dst = '\0';
}

/*
 * Sets c->key to c->word in [global] or in share [x], in every case, and
 * checks the value stored and the word printed.
 */
static void
check_enum_case(const struct enum_case *c, bool share)
{
	char word[64], text[256], line[128];
	const char *obj;
	struct conf *cf;
	char *out;
	int how;

	for (how = 0; how < 3; how++) {
		recase(word, c->word, how);
		snprintf(text, sizeof(text), "%s%s = %s\n", share ?
		    "[x]\npath = /x\n" : "[global]\n", c->key, word);
		cf = good(text);
		obj = share ? (const char *)TAILQ_FIRST(&cf->cf_shares) :
		    (const char *)cf;
		if (*(const int *)(obj + c->off) != c->want)
			fail_msg("%s = %s: got %#x, want %#x", c->key, word,
			    *(const int *)(obj + c->off), c->want);
		out = print_str(cf);
		snprintf(line, sizeof(line), "\t%s = %s\n", c->key, c->canon);
		if (strstr(out, line) == NULL)
			fail_msg("%s = %s does not print as %s:\n%s", c->key,
			    word, c->canon, out);
		free(out);
		assert_round_trip(cf);
		conf_free(cf);
	}
}

static void
test_conf_enums_accept_every_word_in_any_case(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(global_words) / sizeof(global_words[0]); i++)
		check_enum_case(&global_words[i], false);
	for (i = 0; i < sizeof(share_words) / sizeof(share_words[0]); i++)
		check_enum_case(&share_words[i], true);
}

/* "srvsvc pipe" is a boolean, "admin users" text kept as written. */
static void
test_conf_srvsvc_pipe_and_admin_users(void **state)
{
	struct conf *cf;

	(void)state;
	cf = good("[global]\nsrvsvc pipe = no\n"
	    "admin users = alice, Bob carol\n[x]\npath = /x\n");
	assert_false(cf->cf_srvsvc_pipe);
	assert_string_equal(cf->cf_admin_users, "alice, Bob carol");
	conf_free(cf);
	BAD("[global]\nsrvsvc pipe = maybe\n[x]\npath = /x\n",
	    "t.conf:2: \"srvsvc pipe\": invalid boolean \"maybe\" (use yes or no)");
	/* A share section has neither. */
	BAD("[x]\npath = /x\nadmin users = alice\n",
	    "t.conf:3: \"admin users\" is a global keyword, not allowed in "
	    "share [x]");
}

static void
test_conf_enum_keywords_default(void **state)
{
	struct conf *cf;
	char *out;

	(void)state;
	cf = good("[x]\npath = /x\n");
	assert_int_equal(cf->cf_min_protocol, 0x0202);
	assert_int_equal(cf->cf_max_protocol, 0x0311);
	assert_int_equal(cf->cf_signing_required, 0);
	assert_int_equal(cf->cf_smb_encrypt, CONF_ENCRYPT_DESIRED);
	assert_int_equal(cf->cf_map_to_guest, 0);
	assert_int_equal(cf->cf_session_expiry, 0);	/* never */
	assert_int_equal(TAILQ_FIRST(&cf->cf_shares)->sh_smb_encrypt,
	    CONF_ENCRYPT_DESIRED);
	out = print_str(cf);
	assert_non_null(strstr(out, "\tlog level = 1\n"
	    "\tserver min protocol = SMB2_02\n"
	    "\tserver max protocol = SMB3_11\n"
	    "\tserver signing = auto\n"
	    "\tsmb encrypt = desired\n"
	    "\tmap to guest = never\n"
	    "\tsrvsvc pipe = yes\n"
	    "\tadmin users =\n"
	    "\tsession expiry = 0\n"
	    "\tdurable timeout = 60000\n"
	    "\tdurable timeout max = 300000\n"
	    "\tresilient timeout = 120000\n"
	    "\tresilient timeout max = 300000\n"
	    "\n[x]\n"));
	assert_true(cf->cf_srvsvc_pipe);
	assert_string_equal(cf->cf_admin_users, "");
	assert_non_null(strstr(out, "\tmax uses = 0\n"
	    "\tsmb encrypt = desired\n"));
	free(out);
	conf_free(cf);
}

static void
test_conf_enum_words_take_blank_runs_as_one_space(void **state)
{
	struct conf *cf;

	(void)state;
	cf = good("[global]\nmap to guest = Bad \t  USER\n");
	assert_int_equal(cf->cf_map_to_guest, 1);
	conf_free(cf);
	/* But a blank is no underscore, nor the other way round. */
	BAD("[global]\nmap to guest = bad_user\n",
	    "t.conf:2: \"map to guest\": invalid value \"bad_user\" (use never "
	    "or bad user)");
	BAD("[global]\nmap to guest = baduser\n",
	    "t.conf:2: \"map to guest\": invalid value \"baduser\" (use never "
	    "or bad user)");
	BAD("[global]\nsmb encrypt = if required\n",
	    "t.conf:2: \"smb encrypt\": invalid value \"if required\" (use "
	    "off, desired or required)");
	BAD("[global]\nserver min protocol = SMB 3\n",
	    "t.conf:2: \"server min protocol\": invalid value \"SMB 3\" (use "
	    "SMB2_02, SMB2_10, SMB3_00, SMB3_02 or SMB3_11)");
}

static void
test_conf_refuses_invalid_enum_values(void **state)
{
	(void)state;
	/* The message offers the canonical words only. */
	BAD("[global]\nlog level = 2\n\nserver min protocol = NT1\n",
	    "t.conf:4: \"server min protocol\": invalid value \"NT1\" (use "
	    "SMB2_02, SMB2_10, SMB3_00, SMB3_02 or SMB3_11)");
	BAD("[global]\nserver max protocol = SMB3_1\n",
	    "t.conf:2: \"server max protocol\": invalid value \"SMB3_1\" (use "
	    "SMB2_02, SMB2_10, SMB3_00, SMB3_02 or SMB3_11)");
	BAD("[global]\nserver max protocol = 0x0311\n",
	    "t.conf:2: \"server max protocol\": invalid value \"0x0311\" (use "
	    "SMB2_02, SMB2_10, SMB3_00, SMB3_02 or SMB3_11)");
	BAD("[global]\nserver signing = disabled\n",
	    "t.conf:2: \"server signing\": invalid value \"disabled\" (use "
	    "auto or mandatory)");
	BAD("[global]\nserver signing = yes\n",
	    "t.conf:2: \"server signing\": invalid value \"yes\" (use "
	    "auto or mandatory)");
	BAD("[global]\nsmb encrypt = sometimes\n",
	    "t.conf:2: \"smb encrypt\": invalid value \"sometimes\" (use "
	    "off, desired or required)");
	BAD("[global]\nmap to guest = bad password\n",
	    "t.conf:2: \"map to guest\": invalid value \"bad password\" (use "
	    "never or bad user)");
	BAD("[x]\npath = /x\nsmb encrypt = required please\n",
	    "t.conf:3: \"smb encrypt\": invalid value \"required please\" (use "
	    "off, desired or required)");
	/* A prefix of a word is not the word. */
	BAD("[x]\npath = /x\nsmb encrypt = req\n",
	    "t.conf:3: \"smb encrypt\": invalid value \"req\" (use "
	    "off, desired or required)");
	BAD("[global]\nserver signing =\n",
	    "t.conf:2: \"server signing\": missing value");
	BAD("[x]\npath = /x\nsmb encrypt =\n",
	    "t.conf:3: \"smb encrypt\": missing value");
	/* A long value is cut short. */
	BAD("[global]\nmap to guest = "
	    "bad user bad user bad user bad user bad user bad user bad user\n",
	    "t.conf:2: \"map to guest\": invalid value \"bad user bad user bad "
	    "user bad user bad user bad use...\" (use never or bad user)");
	BAD("[global]\nserver signing = auto\nServer  Signing = auto\n",
	    "t.conf:3: duplicate keyword \"server signing\" in [global] "
	    "(first on line 2)");
}

static void
test_conf_refuses_min_protocol_newer_than_max(void **state)
{
	struct conf *cf;

	(void)state;
	/* The line of the minimum, the maximum's in parentheses. */
	BAD("[global]\nserver max protocol = SMB2_10\nlog level = 1\n"
	    "server min protocol = smb3\n[x]\npath = /x\n",
	    "t.conf:4: \"server min protocol\" SMB3_11 is newer than "
	    "\"server max protocol\" SMB2_10 (line 2)");
	BAD("[x]\npath = /x\n[global]\nserver min protocol = SMB3_02\n"
	    "server max protocol = SMB3\\\n_00\n",
	    "t.conf:4: \"server min protocol\" SMB3_02 is newer than "
	    "\"server max protocol\" SMB3_00 (line 5)");
	BAD("[global]\nserver min protocol = SMB2_10\n"
	    "server max protocol = SMB2_02\n",
	    "t.conf:2: \"server min protocol\" SMB2_10 is newer than "
	    "\"server max protocol\" SMB2_02 (line 3)");

	/* Equal is fine, however written; so is one dialect only. */
	cf = good("[global]\nserver min protocol = SMB2\n"
	    "server max protocol = smb2_10\n");
	assert_int_equal(cf->cf_min_protocol, 0x0210);
	assert_int_equal(cf->cf_max_protocol, 0x0210);
	conf_free(cf);
	cf = good("[global]\nserver max protocol = SMB2_02\n");
	assert_int_equal(cf->cf_min_protocol, 0x0202);
	assert_int_equal(cf->cf_max_protocol, 0x0202);
	conf_free(cf);
	cf = good("[global]\nserver min protocol = SMB3\n");
	assert_int_equal(cf->cf_min_protocol, 0x0311);
	assert_int_equal(cf->cf_max_protocol, 0x0311);
	conf_free(cf);
}

static void
test_conf_smb_encrypt_is_a_keyword_of_both_sections(void **state)
{
	struct conf *cf;
	char *out;

	(void)state;
	/*
	 * The share's row is found in a share and the global row in
	 * [global], whichever comes first, and each is a keyword of its own.
	 */
	cf = good("[a]\npath = /a\nsmb encrypt = off\n"
	    "[global]\nsmb encrypt = required\n"
	    "[b]\npath = /b\nsmb encrypt = required\n"
	    "[c]\npath = /c\n");
	assert_int_equal(cf->cf_smb_encrypt, CONF_ENCRYPT_REQUIRED);
	assert_int_equal(conf_share_find(cf, "a")->sh_smb_encrypt,
	    CONF_ENCRYPT_OFF);
	assert_int_equal(conf_share_find(cf, "b")->sh_smb_encrypt,
	    CONF_ENCRYPT_REQUIRED);
	/* A share does not inherit the global value. */
	assert_int_equal(conf_share_find(cf, "c")->sh_smb_encrypt,
	    CONF_ENCRYPT_DESIRED);
	out = print_str(cf);
	assert_non_null(strstr(out, "\tsmb encrypt = required\n"
	    "\tmap to guest = never\n"));
	assert_non_null(strstr(out, "[a]\n\tpath = /a\n\tcomment =\n"
	    "\tread only = yes\n\tguest ok = no\n\tmax uses = 0\n"
	    "\tsmb encrypt = off\n"));
	free(out);
	assert_round_trip(cf);
	conf_free(cf);

	/* Once per section: a share's does not count against [global]'s. */
	BAD("[global]\nsmb encrypt = off\n[x]\npath = /x\nsmb encrypt = off\n"
	    "smb encrypt = required\n",
	    "t.conf:6: duplicate keyword \"smb encrypt\" in share [x] "
	    "(first on line 5)");
	BAD("[x]\npath = /x\nsmb encrypt = off\n[global]\nsmb encrypt = off\n"
	    "SMB ENCRYPT = off\n",
	    "t.conf:6: duplicate keyword \"smb encrypt\" in [global] "
	    "(first on line 5)");
	/* The other new keywords stay in [global]. */
	BAD("[x]\npath = /x\nserver signing = mandatory\n",
	    "t.conf:3: \"server signing\" is a global keyword, not allowed in "
	    "share [x]");
	BAD("[x]\npath = /x\nmap to guest = bad user\n",
	    "t.conf:3: \"map to guest\" is a global keyword, not allowed in "
	    "share [x]");
	BAD("[x]\npath = /x\nserver min protocol = SMB3\n",
	    "t.conf:3: \"server min protocol\" is a global keyword, not "
	    "allowed in share [x]");
}

static void
test_conf_print_refuses_a_value_without_a_word(void **state)
{
	struct conf *cf;
	char *out = NULL;
	size_t len = 0;
	FILE *fp;

	(void)state;
	cf = good("[x]\npath = /x\n");
	TAILQ_FIRST(&cf->cf_shares)->sh_smb_encrypt = 7;
	assert_non_null(fp = open_memstream(&out, &len));
	errno = 0;
	assert_int_equal(conf_print(fp, cf), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(fclose(fp), 0);
	free(out);
	conf_free(cf);
}

static void
test_conf_refuses_unknown_keyword(void **state)
{
	(void)state;
	BAD("[global]\n\n[data]\n\tpath = /srv/data\n\n\n\tmax user = 3\n",
	    "t.conf:7: unknown keyword \"max user\" in share [data]");
	BAD("[global]\nlisten = 0.0.0.0:445\n",
	    "t.conf:2: unknown keyword \"listen\" in [global]");
	/* Only whitespace runs are normalized, not other spellings. */
	BAD("[x]\nread_only = no\n",
	    "t.conf:2: unknown keyword \"read_only\" in share [x]");
}

static void
test_conf_refuses_keyword_in_the_wrong_section(void **state)
{
	(void)state;
	BAD("[global]\npath = /x\n",
	    "t.conf:2: \"path\" is a share keyword, not allowed in [global]");
	BAD("[x]\npath = /x\nlog level = 2\n",
	    "t.conf:3: \"log level\" is a global keyword, not allowed in "
	    "share [x]");
	/* [global] after a share is [global] again. */
	BAD("[x]\npath = /x\n[global]\nguest ok = yes\n",
	    "t.conf:4: \"guest ok\" is a share keyword, not allowed in "
	    "[global]");
}

static void
test_conf_refuses_keyword_before_any_section(void **state)
{
	(void)state;
	BAD("# header\nlog level = 1\n[global]\n",
	    "t.conf:2: keyword \"log level\" before the first section");
	BAD("path = /x\n",
	    "t.conf:1: keyword \"path\" before the first section");
}

static void
test_conf_refuses_duplicate_keyword(void **state)
{
	(void)state;
	BAD("[x]\npath = /x\ncomment = a\n\nPath = /y\n",
	    "t.conf:5: duplicate keyword \"path\" in share [x] "
	    "(first on line 2)");
	BAD("[global]\nlog level = 1\nlog  level = 2\n",
	    "t.conf:3: duplicate keyword \"log level\" in [global] "
	    "(first on line 2)");
}

static void
test_conf_keywords_may_repeat_across_shares(void **state)
{
	struct conf *cf;

	(void)state;
	cf = good("[a]\npath = /a\ncomment = a\n[b]\npath = /b\ncomment = b\n");
	assert_string_equal(conf_share_find(cf, "b")->sh_comment, "b");
	conf_free(cf);
}

static void
test_conf_refuses_share_without_path(void **state)
{
	(void)state;
	BAD("[global]\n\n[x]\ncomment = no path\n",
	    "t.conf:3: share [x] has no path");
	BAD("[a]\npath = /a\n[b]\n[c]\npath = /c\n",
	    "t.conf:3: share [b] has no path");
	BAD("[a]\n[global]\n", "t.conf:1: share [a] has no path");
	BAD("[x]\npath =\n", "t.conf:2: \"path\": missing value");
}

static void
test_conf_refuses_bad_share_names(void **state)
{
	struct conf *cf;
	char text[256], name[128];
	const char *bad = "\\/:*?\"<>|[";
	size_t i;

	(void)state;
	for (i = 0; bad[i] != '\0'; i++) {
		snprintf(text, sizeof(text), "[a%cb]\npath = /x\n", bad[i]);
		snprintf(name, sizeof(name), "t.conf:1: share name \"a%cb\" "
		    "may not contain '%c'", bad[i], bad[i]);
		assert_null(parse(text));
		assert_string_equal(errbuf, name);
	}
	BAD("[]\npath = /x\n", "t.conf:1: empty share name");
	BAD("[  ]\npath = /x\n", "t.conf:1: empty share name");
	BAD("[a\tb]\npath = /x\n",
	    "t.conf:1: share name \"a\tb\" contains a control character");
	BAD("[a\xc2\x85]\npath = /x\n",
	    "t.conf:1: share name \"a\xc2\x85\" contains a control character");
	BAD("[IPC$]\npath = /x\n", "t.conf:1: share name \"IPC$\" is reserved");
	BAD("[ipc$]\npath = /x\n", "t.conf:1: share name \"ipc$\" is reserved");
	BAD("[x]\npath = /x\n[a]b]\n", "t.conf:3: junk after section header");

	/* 80 bytes is the most, counted in bytes of UTF-8. */
	memset(name, 'n', 80);
	name[80] = '\0';
	snprintf(text, sizeof(text), "[%s]\npath=/x\n", name);
	cf = good(text);
	assert_string_equal(TAILQ_FIRST(&cf->cf_shares)->sh_name, name);
	conf_free(cf);
	snprintf(text, sizeof(text), "[%sn]\npath=/x\n", name);
	assert_null(parse(text));
	assert_string_equal(errbuf, "t.conf:1: share name \""
	    "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn...\" "
	    "too long (more than 80 bytes)");
	/* 27 three-byte characters: 81 bytes. */
	name[0] = '\0';
	for (i = 0; i < 27; i++)
		strcat(name, "\xe2\x82\xac");
	snprintf(text, sizeof(text), "[%s]\npath=/x\n", name);
	assert_null(parse(text));
	name[26 * 3] = '\0';
	snprintf(text, sizeof(text), "[%s]\npath=/x\n", name);
	cf = good(text);
	conf_free(cf);
}

static void
test_conf_share_names_keep_case_and_inner_blanks(void **state)
{
	struct conf *cf;
	const struct conf_share *sh;

	(void)state;
	cf = good("[  My Files  ]\npath = /x\n[Caf\xc3\xa9 $]\npath = /y\n"
	    "[homes]\npath=/h\n[a#b;c]\npath=/a\n");
	sh = TAILQ_FIRST(&cf->cf_shares);
	assert_string_equal(sh->sh_name, "My Files");
	sh = TAILQ_NEXT(sh, sh_entry);
	assert_string_equal(sh->sh_name, "Caf\xc3\xa9 $");
	assert_non_null(conf_share_find(cf, "a#b;c"));
	assert_int_equal(cf->cf_nshares, 4);
	conf_free(cf);
}

static void
test_conf_refuses_duplicate_share_ignoring_case(void **state)
{
	(void)state;
	BAD("[data]\npath = /a\n\n[DATA]\npath = /b\n",
	    "t.conf:4: duplicate share [DATA] (first on line 1)");
	BAD("[global]\n[x]\npath=/x\n[Global]\n",
	    "t.conf:4: duplicate section [global] (first on line 1)");
}

static void
test_conf_global_may_follow_shares(void **state)
{
	struct conf *cf;

	(void)state;
	cf = good("[x]\npath = /x\n[global]\nlog level = 5\n[y]\npath = /y\n");
	assert_int_equal(cf->cf_log_level, 5);
	assert_int_equal(cf->cf_nshares, 2);
	assert_string_equal(TAILQ_FIRST(&cf->cf_shares)->sh_name, "x");
	conf_free(cf);
}

static void
test_conf_refuses_malformed_lines(void **state)
{
	(void)state;
	BAD("[x\npath = /x\n", "t.conf:1: missing \"]\" in section header");
	BAD("[x] path = /x\n", "t.conf:1: junk after section header");
	BAD("[x]\npath /x\n",
	    "t.conf:2: expected \"keyword = value\" or \"[section]\"");
	BAD("[x]\n = /x\n", "t.conf:2: missing keyword before \"=\"");
	BAD("[x]\n\t\t=\n", "t.conf:2: missing keyword before \"=\"");
}

static void
test_conf_refuses_nul_byte(void **state)
{
	(void)state;
	BAD("[x]\npath = /x\ncomment = a\0b\n", "t.conf:3: NUL byte");
	BAD("[x]\npath = /x\n# in a comment \0 too\n", "t.conf:3: NUL byte");
	BAD("\0", "t.conf:1: NUL byte");
}

static void
test_conf_refuses_invalid_utf8(void **state)
{
	struct conf *cf;

	(void)state;
	BAD("[x]\npath = /x\ncomment = \xff\n", "t.conf:3: invalid UTF-8");
	/*
	 * Truncated, overlong, a surrogate, beyond U+10FFFF, a stray
	 * continuation byte.
	 */
	BAD("[x]\ncomment = \xc3\n", "t.conf:2: invalid UTF-8");
	BAD("[x]\ncomment = \xe2\x82\n", "t.conf:2: invalid UTF-8");
	BAD("[x]\ncomment = \xc0\xaf\n", "t.conf:2: invalid UTF-8");
	BAD("[x]\ncomment = \xe0\x80\xaf\n", "t.conf:2: invalid UTF-8");
	BAD("[x]\ncomment = \xf0\x80\x80\xaf\n", "t.conf:2: invalid UTF-8");
	BAD("[x]\ncomment = \xed\xa0\x80\n", "t.conf:2: invalid UTF-8");
	BAD("[x]\ncomment = \xf4\x90\x80\x80\n", "t.conf:2: invalid UTF-8");
	BAD("[x]\ncomment = \x80\n", "t.conf:2: invalid UTF-8");
	BAD("# \xfe in a comment too\n", "t.conf:1: invalid UTF-8");

	cf = good("[x]\npath = /x\ncomment = \xc3\xa9 \xe2\x82\xac "
	    "\xf0\x9f\x93\x81 \xf4\x8f\xbf\xbf\n");
	assert_string_equal(TAILQ_FIRST(&cf->cf_shares)->sh_comment,
	    "\xc3\xa9 \xe2\x82\xac \xf0\x9f\x93\x81 \xf4\x8f\xbf\xbf");
	conf_free(cf);
}

static void
test_conf_refuses_control_characters(void **state)
{
	(void)state;
	BAD("[x]\npath = /x\ncomment = bell\a\n",
	    "t.conf:3: control character 0x07");
	BAD("[x]\npath = /x\ncomment = del\x7f\n",
	    "t.conf:3: control character 0x7f");
	BAD("[x]\n\x1b[0m\n", "t.conf:2: control character 0x1b");
}

static void
test_conf_line_length_limit(void **state)
{
	struct conf *cf;
	char *text, *comment;
	size_t n;

	(void)state;
	/* A 4096-byte line (comment is 9 + 4087) is fine... */
	comment = repeat('c', CONF_LINE_MAX - 9);
	assert_int_not_equal(asprintf(&text, "[x]\ncomment =%s\npath=/x\n",
	    comment), -1);
	assert_null(parse(text));
	/* ...but the value is over CONF_VALUE_MAX. */
	assert_string_equal(errbuf,
	    "t.conf:2: \"comment\": value too long (more than 4000 bytes)");
	free(text);
	free(comment);

	comment = repeat('#', CONF_LINE_MAX);
	assert_int_not_equal(asprintf(&text, "[x]\n%s\npath=/x\n", comment),
	    -1);
	cf = good(text);
	conf_free(cf);
	free(text);
	/* 4097 bytes is too long, even for a comment. */
	assert_int_not_equal(asprintf(&text, "[x]\n%s#\r\npath=/x\n",
	    comment), -1);
	assert_null(parse(text));
	assert_string_equal(errbuf,
	    "t.conf:2: line too long (more than 4096 bytes)");
	free(text);
	free(comment);

	/* Joined lines count together; the error names the line going over. */
	comment = repeat('c', 3000);
	assert_int_not_equal(asprintf(&text, "[x]\ncomment = %s\\\n%s\n",
	    comment, comment), -1);
	assert_null(parse(text));
	assert_string_equal(errbuf,
	    "t.conf:3: line too long (more than 4096 bytes)");
	free(text);
	free(comment);

	/* CONF_VALUE_MAX bytes of value is fine. */
	comment = repeat('v', CONF_VALUE_MAX);
	assert_int_not_equal(asprintf(&text, "[x]\npath=/x\ncomment = %s\n",
	    comment), -1);
	cf = good(text);
	n = strlen(TAILQ_FIRST(&cf->cf_shares)->sh_comment);
	assert_int_equal(n, CONF_VALUE_MAX);
	assert_round_trip(cf);
	conf_free(cf);
	free(text);
	free(comment);
}

static void
test_conf_refuses_path_too_long_once_absolute(void **state)
{
	char *text, *base, *p;
	struct conf *cf;

	(void)state;
	/* 3990 bytes is fine on its own... */
	p = repeat('p', 3990);
	assert_int_not_equal(asprintf(&text, "[x]\npath = %s\n", p), -1);
	cf = good(text);
	assert_int_equal(strlen(TAILQ_FIRST(&cf->cf_shares)->sh_path),
	    3990 + strlen("/base/"));
	conf_free(cf);
	/* ...but not under a long base directory. */
	base = repeat('b', 100);
	base[0] = '/';
	assert_null(conf_parse(text, strlen(text), "t.conf", base, errbuf,
	    sizeof(errbuf)));
	assert_string_equal(errbuf, "t.conf:2: \"path\": path too long "
	    "(more than 4000 bytes once absolute)");
	free(base);
	free(text);

	/* A derived default names the "state directory" line. */
	p[0] = '/';
	assert_int_not_equal(asprintf(&text, "[global]\n# c\n"
	    "state directory = %s\n", p), -1);
	assert_null(parse(text));
	assert_string_equal(errbuf, "t.conf:3: \"admin socket\": path too long "
	    "(more than 4000 bytes once absolute)");
	free(text);
	free(p);
}

static void
test_conf_file_size_limit(void **state)
{
	struct conf *cf;
	char *text;
	size_t i;

	(void)state;
	assert_non_null(text = malloc(CONF_FILE_MAX + 1));
	/* Lines of 63 '#' and a newline: exactly 1 MiB of comments. */
	for (i = 0; i < CONF_FILE_MAX; i++)
		text[i] = (i % 64) == 63 ? '\n' : '#';
	cf = parse_len(text, CONF_FILE_MAX);
	assert_non_null(cf);
	conf_free(cf);
	text[CONF_FILE_MAX] = '\n';
	assert_null(parse_len(text, CONF_FILE_MAX + 1));
	assert_string_equal(errbuf, "t.conf: too large (more than 1048576 "
	    "bytes)");
	free(text);
}

static void
test_conf_parse_requires_absolute_basedir(void **state)
{
	(void)state;
	assert_null(conf_parse("", 0, "t.conf", "relative", errbuf,
	    sizeof(errbuf)));
	assert_string_equal(errbuf, "t.conf: base directory is not absolute");
	assert_null(conf_parse("", 0, "t.conf", NULL, errbuf, sizeof(errbuf)));
	assert_string_equal(errbuf, "t.conf: base directory is not absolute");
}

static void
test_conf_error_buffer_may_be_small_or_absent(void **state)
{
	const char *text = "[x]\nbogus = 1\n";
	char small[8];

	(void)state;
	assert_null(conf_parse(text, strlen(text), "t.conf", "/", small,
	    sizeof(small)));
	assert_string_equal(small, "t.conf:");
	assert_null(conf_parse(text, strlen(text), "t.conf", "/", NULL, 0));
	assert_null(conf_load("/nonexistent/smbsrvd.conf", NULL, 0));
	assert_null(conf_load("/nonexistent/smbsrvd.conf", small, 1));
	assert_string_equal(small, "");
}

static void
test_conf_share_find_ignores_case(void **state)
{
	struct conf *cf;

	(void)state;
	cf = good("[Data]\npath = /d\n[other]\npath = /o\n");
	assert_string_equal(conf_share_find(cf, "data")->sh_name, "Data");
	assert_string_equal(conf_share_find(cf, "DATA")->sh_path, "/d");
	assert_string_equal(conf_share_find(cf, "OTHER")->sh_name, "other");
	assert_null(conf_share_find(cf, "dat"));
	assert_null(conf_share_find(cf, "ipc$"));
	assert_null(conf_share_find(cf, NULL));
	assert_null(conf_share_find(NULL, "data"));
	conf_free(cf);
}

static void
test_conf_share_find_scales_to_many_shares(void **state)
{
	char *text, *p, name[32];
	struct conf *cf;
	size_t n = 5000, i;

	(void)state;
	assert_non_null(text = malloc(n * 32 + 64));
	p = text;
	for (i = 0; i < n; i++)
		p += sprintf(p, "[Share%zu]\npath = /s\n", i);
	cf = good(text);
	assert_int_equal(cf->cf_nshares, n);
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "SHARE%zu", i);
		assert_non_null(conf_share_find(cf, name));
	}
	assert_null(conf_share_find(cf, "share5000"));
	conf_free(cf);

	/* Duplicates are still found once the index has grown. */
	sprintf(p, "[sHaRe4321]\npath = /dup\n");
	assert_null(parse(text));
	assert_string_equal(errbuf, "t.conf:10001: duplicate share "
	    "[sHaRe4321] (first on line 8643)");
	free(text);
}

static void
test_conf_print_writes_every_keyword(void **state)
{
	struct conf *cf;
	char *text;

	(void)state;
	cf = good("[global]\n"
	    "smb listen = [::1]:4445\n"
	    "SMB listen = 127.0.0.1:4445\n"
	    "state directory = /var/db/smb/\n"
	    "server min protocol = smb2\n"
	    "server max protocol = SMB3_02\n"
	    "server signing = required\n"
	    "smb encrypt = no\n"
	    "map to guest = Bad User\n"
	    "session expiry = 3600\n"
	    "Durable  Timeout = 0300000\n"
	    "[b]\n"
	    "path = b\n"
	    "writable = yes\n"
	    "[A]\n"
	    "path = /a\n"
	    "comment = the  a\n"
	    "public = 1\n"
	    "max uses = 3\n"
	    "smb encrypt = Mandatory\n");
	text = print_str(cf);
	assert_string_equal(text,
	    "[global]\n"
	    "\tsmb listen = [::1]:4445\n"
	    "\tsmb listen = 127.0.0.1:4445\n"
	    "\tstate directory = /var/db/smb\n"
	    "\tadmin socket = /var/db/smb/smbsrvd.sock\n"
	    "\tadmin listen =\n"
	    "\tadmin token file = /var/db/smb/admin.token\n"
	    "\tadmin tls certificate =\n"
	    "\tadmin tls key =\n"
	    "\tuser database = /var/db/smb/users.db\n"
	    "\tpid file = /var/db/smb/smbsrvd.pid\n"
	    "\tlog level = 1\n"
	    "\tserver min protocol = SMB2_10\n"
	    "\tserver max protocol = SMB3_02\n"
	    "\tserver signing = mandatory\n"
	    "\tsmb encrypt = off\n"
	    "\tmap to guest = bad user\n"
	    "\tsrvsvc pipe = yes\n"
	    "\tadmin users =\n"
	    "\tsession expiry = 3600\n"
	    "\tdurable timeout = 300000\n"
	    "\tdurable timeout max = 300000\n"
	    "\tresilient timeout = 120000\n"
	    "\tresilient timeout max = 300000\n"
	    "\n"
	    "[b]\n"
	    "\tpath = /base/b\n"
	    "\tcomment =\n"
	    "\tread only = no\n"
	    "\tguest ok = no\n"
	    "\tmax uses = 0\n"
	    "\tsmb encrypt = desired\n"
	    "\tdurable timeout = 300000\n"
	    "\n"
	    "[A]\n"
	    "\tpath = /a\n"
	    "\tcomment = the  a\n"
	    "\tread only = yes\n"
	    "\tguest ok = yes\n"
	    "\tmax uses = 3\n"
	    "\tsmb encrypt = required\n"
	    "\tdurable timeout = 300000\n");
	free(text);
	conf_free(cf);
}

static void
test_conf_print_round_trips(void **state)
{
	struct conf *cf;

	(void)state;
	cf = good("\xef\xbb\xbf; everything at once\r\n"
	    "[x]\n"
	    "  path = rel/./x//\n"
	    "  comment = Caf\xc3\xa9 \\\n    au lait\t= ;# \n"
	    "  WRITEABLE = on\n"
	    "  max uses = 16777215\n"
	    "  SMB   Encrypt = MANDATORY\n"
	    "[global]\n"
	    "  smb listen = [fe80::1%1]:445\n"
	    "  smb listen = [::]:139\n"
	    "  smb listen = 0.0.0.0:139\n"
	    "  admin listen = 127.0.0.1:1\n"
	    "  state directory = ../state\n"
	    "  pid file = /run/smbsrvd.pid\n"
	    "  log level = 10\n"
	    "  server max protocol = smb3\n"
	    "  server min protocol = Smb3_00\n"
	    "  server signing = Required\n"
	    "  smb encrypt = if_required\n"
	    "  map to guest = bad \t user\n"
	    "[ #;= ]\n"
	    "  path = /\n"
	    "  public = true\n"
	    "  read only = off\n"
	    "  smb encrypt = no\n");
	assert_round_trip(cf);
	conf_free(cf);

	cf = good("");
	assert_round_trip(cf);
	conf_free(cf);
}

static void
test_conf_embedded_default(void **state)
{
	char cwd[PATH_MAX], want[PATH_MAX + 64], err[256];
	const struct conf_share *sh;
	struct conf *cf;

	(void)state;
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	cf = conf_load(NULL, err, sizeof(err));
	if (cf == NULL)
		fail_msg("%s", err);
	assert_null(cf->cf_file);
	assert_int_equal(cf->cf_nsmb_listen, 1);
	assert_string_equal(cf->cf_smb_listen[0].ca_text, "127.0.0.1:4445");
	assert_true(cf->cf_admin_listen_on);
	assert_string_equal(cf->cf_admin_listen.ca_text, "127.0.0.1:8445");
	snprintf(want, sizeof(want), "%s/var", strcmp(cwd, "/") == 0 ? "" :
	    cwd);
	assert_string_equal(cf->cf_state_dir, want);
	snprintf(want, sizeof(want), "%s/smbsrvd.sock", cf->cf_state_dir);
	assert_string_equal(cf->cf_admin_socket, want);
	snprintf(want, sizeof(want), "%s/users.db", cf->cf_state_dir);
	assert_string_equal(cf->cf_user_db, want);
	assert_int_equal(cf->cf_log_level, 1);
	assert_int_equal(cf->cf_min_protocol, 0x0202);
	assert_int_equal(cf->cf_max_protocol, 0x0311);
	assert_int_equal(cf->cf_signing_required, 0);
	assert_int_equal(cf->cf_smb_encrypt, CONF_ENCRYPT_DESIRED);
	assert_int_equal(cf->cf_map_to_guest, 0);
	assert_int_equal(cf->cf_nshares, 1);
	sh = conf_share_find(cf, "PUBLIC");
	assert_non_null(sh);
	snprintf(want, sizeof(want), "%s/public", cf->cf_state_dir);
	assert_string_equal(sh->sh_path, want);
	assert_string_equal(sh->sh_comment,
	    "Public share of the default configuration");
	assert_false(sh->sh_read_only);
	assert_true(sh->sh_guest_ok);
	assert_int_equal(sh->sh_max_uses, 0);
	assert_int_equal(sh->sh_smb_encrypt, CONF_ENCRYPT_DESIRED);
	assert_round_trip(cf);
	conf_free(cf);

	/* The text that -nv shows is the text that was parsed. */
	assert_non_null(strstr(conf_default_text, "[public]\n"));
	cf = conf_parse(conf_default_text, strlen(conf_default_text), "x",
	    "/srv", err, sizeof(err));
	assert_non_null(cf);
	assert_string_equal(cf->cf_state_dir, "/srv/var");
	conf_free(cf);
}

/* A temporary directory per test, removed with what the test left. */
static int
tmpdir_setup(void **state)
{
	char *dir;

	if ((dir = strdup("/tmp/test_conf.XXXXXX")) == NULL ||
	    mkdtemp(dir) == NULL) {
		free(dir);
		return -1;
	}
	*state = dir;
	return 0;
}

static int
tmpdir_teardown(void **state)
{
	char *cmd;
	int rc;

	if (asprintf(&cmd, "rm -rf '%s'", (char *)*state) == -1)
		return -1;
	rc = system(cmd);
	free(cmd);
	free(*state);
	return rc == 0 ? 0 : -1;
}

static void
test_conf_load_resolves_against_the_file_directory(void **state)
{
	const char *dir = *state;
	char *sub, *file, *want, err[512];
	struct conf *cf;
	int home;

	sub = tmp_path(dir, "etc");
	assert_int_equal(mkdir(sub, 0700), 0);
	file = tmp_path(sub, "smbsrvd.conf");
	write_text(file, "[global]\nstate directory = state\n"
	    "[s]\npath = ../data\n");

	/* By a relative name: errors keep it, cf_file is absolute. */
	assert_int_not_equal(home = open(".", O_RDONLY | O_DIRECTORY), -1);
	assert_int_equal(chdir(dir), 0);
	cf = conf_load("./etc//smbsrvd.conf", err, sizeof(err));
	assert_int_equal(fchdir(home), 0);
	close(home);
	if (cf == NULL)
		fail_msg("%s", err);
	assert_string_equal(cf->cf_file, file);
	want = tmp_path(sub, "state");
	assert_string_equal(cf->cf_state_dir, want);
	free(want);
	want = tmp_path(sub, "../data");
	assert_string_equal(TAILQ_FIRST(&cf->cf_shares)->sh_path, want);
	free(want);
	conf_free(cf);

	/* Errors carry the name as given. */
	write_text(file, "[s]\n\nbogus = 1\n");
	assert_null(conf_load(file, err, sizeof(err)));
	assert_non_null(strstr(err, "/etc/smbsrvd.conf:3: unknown keyword "
	    "\"bogus\" in share [s]"));
	assert_int_equal(strncmp(err, file, strlen(file)), 0);
	free(file);
	free(sub);
}

static void
test_conf_load_reports_unreadable_files(void **state)
{
	const char *dir = *state;
	char *file, *big, err[512], want[600];

	assert_null(conf_load("no/such.conf", err, sizeof(err)));
	assert_string_equal(err,
	    "no/such.conf: cannot open: No such file or directory");

	assert_null(conf_load(dir, err, sizeof(err)));
	snprintf(want, sizeof(want), "%s: not a regular file", dir);
	assert_string_equal(err, want);

	/* A FIFO would block a reader that did not check first. */
	file = tmp_path(dir, "fifo");
	assert_int_equal(mkfifo(file, 0600), 0);
	assert_null(conf_load(file, err, sizeof(err)));
	snprintf(want, sizeof(want), "%s: not a regular file", file);
	assert_string_equal(err, want);
	free(file);

	file = tmp_path(dir, "big.conf");
	big = repeat('#', CONF_FILE_MAX + 1);
	write_file(file, big, CONF_FILE_MAX + 1);
	assert_null(conf_load(file, err, sizeof(err)));
	snprintf(want, sizeof(want), "%s: too large (more than 1048576 bytes)",
	    file);
	assert_string_equal(err, want);
	/* Exactly the limit is fine. */
	write_file(file, big, CONF_FILE_MAX);
	conf_free(conf_load(file, err, sizeof(err)));
	free(big);
	free(file);
}

static void
test_conf_load_of_an_empty_file_gives_defaults(void **state)
{
	const char *dir = *state;
	char *file, err[512];
	struct conf *cf;

	file = tmp_path(dir, "empty.conf");
	write_text(file, "");
	cf = conf_load(file, err, sizeof(err));
	assert_non_null(cf);
	assert_string_equal(cf->cf_file, file);
	assert_int_equal(cf->cf_nshares, 0);
	assert_string_equal(cf->cf_state_dir, "/var/lib/smbsrvd");
	assert_false(cf->cf_admin_listen_on);
	assert_int_equal(cf->cf_nsmb_listen, 2);
	conf_free(cf);
	free(file);
}

static void
test_conf_free_accepts_null(void **state)
{
	(void)state;
	conf_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conf_parses_a_share),
		cmocka_unit_test(
		    test_conf_empty_file_gives_defaults_and_no_shares),
		cmocka_unit_test(test_conf_share_defaults),
		cmocka_unit_test(test_conf_defaults_follow_state_directory),
		cmocka_unit_test(
		    test_conf_explicit_paths_override_state_directory),
		cmocka_unit_test(
		    test_conf_resolves_relative_paths_against_basedir),
		cmocka_unit_test(
		    test_conf_normalizes_paths_without_resolving_dotdot),
		cmocka_unit_test(
		    test_conf_refuses_path_ending_in_blank_or_backslash),
		cmocka_unit_test(test_conf_keys_ignore_case_and_blank_runs),
		cmocka_unit_test(test_conf_trims_values_and_keeps_inner_blanks),
		cmocka_unit_test(test_conf_skips_comments_and_blank_lines),
		cmocka_unit_test(test_conf_joins_continuation_lines),
		cmocka_unit_test(test_conf_error_lines_count_continuations),
		cmocka_unit_test(test_conf_refuses_backslash_ending_a_value),
		cmocka_unit_test(test_conf_accepts_crlf_line_endings),
		cmocka_unit_test(test_conf_parses_ipv4_and_ipv6_listen),
		cmocka_unit_test(
		    test_conf_accepts_max_listeners_and_refuses_more),
		cmocka_unit_test(test_conf_refuses_duplicate_listen),
		cmocka_unit_test(test_conf_allows_same_port_on_other_addresses),
		cmocka_unit_test(test_conf_refuses_invalid_port),
		cmocka_unit_test(test_conf_refuses_invalid_address),
		cmocka_unit_test(test_conf_admin_listen_empty_disables_tcp),
		cmocka_unit_test(
		    test_conf_refuses_admin_listen_on_an_smb_address),
		cmocka_unit_test(test_conf_admin_tls_is_off_by_default),
		cmocka_unit_test(
		    test_conf_admin_tls_paths_resolve_against_basedir),
		cmocka_unit_test(
		    test_conf_admin_tls_needs_both_files_and_a_tcp_listener),
		cmocka_unit_test(test_conf_booleans_accept_every_spelling),
		cmocka_unit_test(test_conf_refuses_invalid_boolean),
		cmocka_unit_test(
		    test_conf_writable_is_the_inverse_of_read_only),
		cmocka_unit_test(test_conf_refuses_alias_with_its_keyword),
		cmocka_unit_test(test_conf_integers_are_strict_decimal),
		cmocka_unit_test(
		    test_conf_enums_accept_every_word_in_any_case),
		cmocka_unit_test(test_conf_srvsvc_pipe_and_admin_users),
		cmocka_unit_test(test_conf_enum_keywords_default),
		cmocka_unit_test(
		    test_conf_enum_words_take_blank_runs_as_one_space),
		cmocka_unit_test(test_conf_refuses_invalid_enum_values),
		cmocka_unit_test(
		    test_conf_refuses_min_protocol_newer_than_max),
		cmocka_unit_test(
		    test_conf_smb_encrypt_is_a_keyword_of_both_sections),
		cmocka_unit_test(
		    test_conf_print_refuses_a_value_without_a_word),
		cmocka_unit_test(test_conf_refuses_unknown_keyword),
		cmocka_unit_test(
		    test_conf_refuses_keyword_in_the_wrong_section),
		cmocka_unit_test(test_conf_refuses_keyword_before_any_section),
		cmocka_unit_test(test_conf_refuses_duplicate_keyword),
		cmocka_unit_test(test_conf_keywords_may_repeat_across_shares),
		cmocka_unit_test(test_conf_refuses_share_without_path),
		cmocka_unit_test(test_conf_refuses_bad_share_names),
		cmocka_unit_test(
		    test_conf_share_names_keep_case_and_inner_blanks),
		cmocka_unit_test(
		    test_conf_refuses_duplicate_share_ignoring_case),
		cmocka_unit_test(test_conf_global_may_follow_shares),
		cmocka_unit_test(test_conf_refuses_malformed_lines),
		cmocka_unit_test(test_conf_refuses_nul_byte),
		cmocka_unit_test(test_conf_refuses_invalid_utf8),
		cmocka_unit_test(test_conf_refuses_control_characters),
		cmocka_unit_test(test_conf_line_length_limit),
		cmocka_unit_test(test_conf_refuses_path_too_long_once_absolute),
		cmocka_unit_test(test_conf_file_size_limit),
		cmocka_unit_test(test_conf_parse_requires_absolute_basedir),
		cmocka_unit_test(test_conf_error_buffer_may_be_small_or_absent),
		cmocka_unit_test(test_conf_share_find_ignores_case),
		cmocka_unit_test(test_conf_share_find_scales_to_many_shares),
		cmocka_unit_test(test_conf_print_writes_every_keyword),
		cmocka_unit_test(
		    test_conf_durable_handle_timeout_default_and_v2_ceiling),
		cmocka_unit_test(
		    test_conf_timeout_ceilings_and_resilient_defaults),
		cmocka_unit_test(test_conf_refuses_timeout_above_its_max),
		cmocka_unit_test(test_conf_print_round_trips),
		cmocka_unit_test(test_conf_embedded_default),
		cmocka_unit_test_setup_teardown(
		    test_conf_load_resolves_against_the_file_directory,
		    tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test_setup_teardown(
		    test_conf_load_reports_unreadable_files,
		    tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test_setup_teardown(
		    test_conf_load_of_an_empty_file_gives_defaults,
		    tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test(test_conf_free_accepts_null),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
