/*
 * test_userdb.c — the user database (smbsrvd/userdb.c): file format,
 * permissions, atomic saves, lookups and limits.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "userdb.h"

/* NT hashes of "password" and of "Password1" (MD4 of UTF-16LE). */
#define HASH_PASSWORD	"8846F7EAEE8FB117AD06BDD830B7586C"
#define HASH_PASSWORD1	"64F12CDDAA88057E06A81B54E73B949B"

static const uint8_t hash_password[16] = {
	0x88, 0x46, 0xf7, 0xea, 0xee, 0x8f, 0xb1, 0x17,
	0xad, 0x06, 0xbd, 0xd8, 0x30, 0xb7, 0x58, 0x6c,
};
static const uint8_t hash_password1[16] = {
	0x64, 0xf1, 0x2c, 0xdd, 0xaa, 0x88, 0x05, 0x7e,
	0x06, 0xa8, 0x1b, 0x54, 0xe7, 0x3b, 0x94, 0x9b,
};

struct tdir {
	char	 td_dir[64];
	char	 td_file[128];
};

static int
setup_dir(void **state)
{
	struct tdir *td;

	td = calloc(1, sizeof(*td));
	assert_non_null(td);
	strcpy(td->td_dir, "/tmp/test_userdb.XXXXXX");
	assert_non_null(mkdtemp(td->td_dir));
	snprintf(td->td_file, sizeof(td->td_file), "%s/users.db",
	    td->td_dir);
	*state = td;
	return 0;
}

static int
teardown_dir(void **state)
{
	struct tdir *td = *state;
	struct dirent *de;
	char path[512];
	DIR *d;

	if ((d = opendir(td->td_dir)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 ||
			    strcmp(de->d_name, "..") == 0)
				continue;
			snprintf(path, sizeof(path), "%s/%s", td->td_dir,
			    de->d_name);
			if (unlink(path) == -1)
				(void)rmdir(path);
		}
		closedir(d);
	}
	(void)rmdir(td->td_dir);
	free(td);
	return 0;
}

static void
write_file(const char *path, const char *text, mode_t mode)
{
	int fd;

	(void)unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd != -1);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

static char *
read_file(const char *path)
{
	static char buf[8192];
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY);
	assert_true(fd != -1);
	n = read(fd, buf, sizeof(buf) - 1);
	assert_true(n >= 0);
	buf[n] = '\0';
	close(fd);
	return buf;
}

/* Names in the directory other than . and .., joined by spaces. */
static const char *
list_dir(const char *dir)
{
	static char out[1024];
	struct dirent *de;
	DIR *d;

	out[0] = '\0';
	d = opendir(dir);
	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (out[0] != '\0')
			strcat(out, " ");
		strcat(out, de->d_name);
	}
	closedir(d);
	return out;
}

static void
test_userdb_missing_file_is_empty(void **state)
{
	struct tdir *td = *state;
	struct userdb *db;
	char err[256] = "";

	db = userdb_load(td->td_file, err, sizeof(err));
	assert_non_null(db);
	assert_int_equal(userdb_count(db), 0);
	assert_int_equal(userdb_find(db, "alice", NULL), ENOENT);
	/* Created on the first save. */
	assert_int_equal(userdb_save(db, td->td_file), 0);
	assert_string_equal(read_file(td->td_file), USERDB_HEADER "\n");
	userdb_free(db);

	/* An existing empty file is an empty database too. */
	write_file(td->td_file, "", 0600);
	db = userdb_load(td->td_file, err, sizeof(err));
	assert_non_null(db);
	assert_int_equal(userdb_count(db), 0);
	userdb_free(db);
}

static void
test_userdb_load_save_round_trip(void **state)
{
	struct tdir *td = *state;
	struct userdb_user u;
	struct userdb *db, *db2;
	struct stat st;
	char err[256] = "";
	char *text;

	write_file(td->td_file,
	    USERDB_HEADER "\n"
	    "# the administrators\n"
	    "\n"
	    "alice:enabled:8846f7eaee8fb117ad06bdd830b7586c\n"
	    "bob:disabled:" HASH_PASSWORD1 "\n"
	    "J\xc3\xbcrgen:enabled:" HASH_PASSWORD, 0600);
	db = userdb_load(td->td_file, err, sizeof(err));
	assert_non_null(db);
	assert_string_equal(err, "");
	assert_int_equal(userdb_count(db), 3);
	assert_int_equal(userdb_find(db, "alice", &u), 0);
	assert_string_equal(u.uu_name, "alice");
	assert_true(u.uu_enabled);
	assert_memory_equal(u.uu_hash, hash_password, 16);
	assert_int_equal(userdb_find(db, "bob", &u), 0);
	assert_false(u.uu_enabled);
	assert_memory_equal(u.uu_hash, hash_password1, 16);
	assert_int_equal(userdb_find(db, "J\xc3\xbcrgen", &u), 0);

	assert_int_equal(userdb_save(db, td->td_file), 0);
	assert_string_equal(read_file(td->td_file),
	    USERDB_HEADER "\n"
	    "alice:enabled:" HASH_PASSWORD "\n"
	    "bob:disabled:" HASH_PASSWORD1 "\n"
	    "J\xc3\xbcrgen:enabled:" HASH_PASSWORD "\n");
	assert_int_equal(stat(td->td_file, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);

	db2 = userdb_load(td->td_file, err, sizeof(err));
	assert_non_null(db2);
	text = userdb_text(db2, NULL);
	assert_string_equal(text, read_file(td->td_file));
	free(text);
	userdb_free(db2);
	userdb_free(db);
}

static void
test_userdb_text_format(void **state)
{
	struct userdb *db;
	size_t len;
	char *text;

	(void)state;
	db = userdb_new();
	assert_non_null(db);
	assert_int_equal(userdb_add(db, "zed", hash_password1, false), 0);
	assert_int_equal(userdb_add(db, "amy", hash_password, true), 0);
	text = userdb_text(db, &len);
	assert_non_null(text);
	/* File order is insertion order, not sorted. */
	assert_string_equal(text, USERDB_HEADER "\n"
	    "zed:disabled:" HASH_PASSWORD1 "\n"
	    "amy:enabled:" HASH_PASSWORD "\n");
	assert_int_equal(len, strlen(text));
	free(text);
	userdb_free(db);
}

static void
test_userdb_refuses_group_or_world_access(void **state)
{
	static const mode_t bad[] = { 0640, 0604, 0620, 0602, 0610, 0601,
	    0644, 0666, 0660, 0700 | 0070 };
	struct tdir *td = *state;
	struct userdb *db;
	char err[256], expect[256];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		write_file(td->td_file, USERDB_HEADER "\n", bad[i]);
		err[0] = '\0';
		db = userdb_load(td->td_file, err, sizeof(err));
		assert_null(db);
		snprintf(expect, sizeof(expect), "%s: permissions %04o are too "
		    "open: it holds password hashes and must not be "
		    "accessible by group or others (chmod 600)", td->td_file,
		    (unsigned int)bad[i]);
		assert_string_equal(err, expect);
	}
	/* Owner-only modes are fine, even odd ones. */
	write_file(td->td_file, USERDB_HEADER "\n", 0400);
	db = userdb_load(td->td_file, err, sizeof(err));
	assert_non_null(db);
	userdb_free(db);
	write_file(td->td_file, USERDB_HEADER "\n", 0700);
	db = userdb_load(td->td_file, err, sizeof(err));
	assert_non_null(db);
	userdb_free(db);
}

static void
test_userdb_refuses_non_regular_and_foreign_files(void **state)
{
	struct tdir *td = *state;
	struct userdb *db;
	char err[256], expect[256];

	assert_int_equal(mkdir(td->td_file, 0700), 0);
	db = userdb_load(td->td_file, err, sizeof(err));
	assert_null(db);
	snprintf(expect, sizeof(expect), "%s: not a regular file",
	    td->td_file);
	assert_string_equal(err, expect);
	assert_int_equal(rmdir(td->td_file), 0);

	if (geteuid() != 0)
		return;	/* only root can give a file away */
	write_file(td->td_file, USERDB_HEADER "\n", 0600);
	assert_int_equal(chown(td->td_file, 4242, 4242), 0);
	db = userdb_load(td->td_file, err, sizeof(err));
	assert_null(db);
	assert_string_equal(err + strlen(td->td_file),
	    ": owned by uid 4242, not by uid 0 or root");
}

static void
test_userdb_refuses_oversized_file(void **state)
{
	struct tdir *td = *state;
	struct userdb *db;
	char err[256], expect[256];
	int fd;

	write_file(td->td_file, USERDB_HEADER "\n", 0600);
	fd = open(td->td_file, O_WRONLY);
	assert_true(fd != -1);
	assert_int_equal(ftruncate(fd, USERDB_FILE_MAX + 1), 0);
	close(fd);
	db = userdb_load(td->td_file, err, sizeof(err));
	assert_null(db);
	snprintf(expect, sizeof(expect), "%s: larger than %d bytes",
	    td->td_file, USERDB_FILE_MAX);
	assert_string_equal(err, expect);
}

static void
test_userdb_save_is_atomic_and_leaves_no_temp(void **state)
{
	struct tdir *td = *state;
	struct userdb *db;
	char err[256];
	char old[64];
	ssize_t n;
	int fd;

	write_file(td->td_file, USERDB_HEADER "\nold:enabled:" HASH_PASSWORD
	    "\n", 0600);
	db = userdb_load(td->td_file, err, sizeof(err));
	assert_non_null(db);
	assert_int_equal(userdb_remove(db, "old"), 0);
	assert_int_equal(userdb_add(db, "new", hash_password1, true), 0);

	/* A reader holding the old file keeps seeing the old file whole. */
	fd = open(td->td_file, O_RDONLY);
	assert_true(fd != -1);
	assert_int_equal(userdb_save(db, td->td_file), 0);
	n = read(fd, old, sizeof(old) - 1);
	assert_true(n > 0);
	old[n] = '\0';
	assert_non_null(strstr(old, "old:enabled:"));
	close(fd);
	assert_string_equal(read_file(td->td_file), USERDB_HEADER
	    "\nnew:enabled:" HASH_PASSWORD1 "\n");
	assert_string_equal(list_dir(td->td_dir), "users.db");

	/* Even with umask 0 the new file is 0600. */
	{
		struct stat st;
		mode_t um = umask(0);

		assert_int_equal(userdb_save(db, td->td_file), 0);
		umask(um);
		assert_int_equal(stat(td->td_file, &st), 0);
		assert_int_equal(st.st_mode & 07777, 0600);
	}
	userdb_free(db);
}

static void
test_userdb_failed_save_leaves_no_temp(void **state)
{
	struct tdir *td = *state;
	struct userdb *db;
	char path[256];

	(void)state;
	db = userdb_new();
	assert_non_null(db);
	assert_int_equal(userdb_add(db, "amy", hash_password, true), 0);

	/* rename(2) onto a directory fails after the temp file exists. */
	assert_int_equal(mkdir(td->td_file, 0700), 0);
	errno = 0;
	assert_int_equal(userdb_save(db, td->td_file), -1);
	assert_int_equal(errno, EISDIR);
	assert_string_equal(list_dir(td->td_dir), "users.db");
	assert_int_equal(rmdir(td->td_file), 0);

	/* No such directory. */
	snprintf(path, sizeof(path), "%s/nodir/users.db", td->td_dir);
	assert_int_equal(userdb_save(db, path), -1);
	assert_int_equal(errno, ENOENT);
	assert_string_equal(list_dir(td->td_dir), "");

	/* A path naming a directory. */
	snprintf(path, sizeof(path), "%s/", td->td_dir);
	assert_int_equal(userdb_save(db, path), -1);
	assert_string_equal(list_dir(td->td_dir), "");
	userdb_free(db);
}

static void
test_userdb_save_relative_path(void **state)
{
	struct tdir *td = *state;
	struct userdb *db;
	char cwd[512], err[256];

	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(td->td_dir), 0);
	db = userdb_new();
	assert_non_null(db);
	assert_int_equal(userdb_add(db, "amy", hash_password, true), 0);
	assert_int_equal(userdb_save(db, "users.db"), 0);
	userdb_free(db);
	db = userdb_load("users.db", err, sizeof(err));
	assert_non_null(db);
	assert_int_equal(userdb_count(db), 1);
	userdb_free(db);
	assert_string_equal(list_dir("."), "users.db");
	assert_int_equal(chdir(cwd), 0);
}

/* Parses text (after the header) and expects the error exactly. */
static void
expect_error(const char *body, size_t bodylen, const char *expect)
{
	char buf[512], err[256];
	struct userdb *db;
	size_t hl = strlen(USERDB_HEADER "\n");

	assert_true(hl + bodylen <= sizeof(buf));
	memcpy(buf, USERDB_HEADER "\n", hl);
	memcpy(buf + hl, body, bodylen);
	err[0] = '\0';
	db = userdb_parse(buf, hl + bodylen, "users.db", err, sizeof(err));
	if (expect == NULL) {
		assert_non_null(db);
		userdb_free(db);
		return;
	}
	assert_null(db);
	assert_string_equal(err, expect);
}

#define BODY(s)	(s), sizeof(s) - 1
#define H	HASH_PASSWORD

static void
test_userdb_malformed_lines_name_their_line(void **state)
{
	(void)state;
	expect_error(BODY("alice:enabled:XYZ\n"),
	    "users.db:2: bad hash (32 hex digits)");
	expect_error(BODY("alice:enabled:" H "0\n"),
	    "users.db:2: bad hash (32 hex digits)");
	expect_error(BODY("alice:enabled:8846F7EAEE8FB117AD06BDD830B7586G\n"),
	    "users.db:2: bad hash (32 hex digits)");
	/* Comments and empty lines count. */
	expect_error(BODY("# x\n\nbob:maybe:" H "\n"),
	    "users.db:4: bad state (enabled or disabled)");
	expect_error(BODY("ok:enabled:" H "\nalice\n"),
	    "users.db:3: expected name:enabled|disabled:hash");
	expect_error(BODY("alice:enabled\n"),
	    "users.db:2: expected name:enabled|disabled:hash");
	expect_error(BODY("alice:enabled:" H ":x\n"),
	    "users.db:2: too many fields");
	expect_error(BODY(":enabled:" H "\n"), "users.db:2: empty user name");
	expect_error(BODY(" alice :enabled:" H "\n"), NULL);
	expect_error(BODY("alice: enabled:" H "\n"),
	    "users.db:2: bad state (enabled or disabled)");
	expect_error(BODY("alice:ENABLED:" H "\n"),
	    "users.db:2: bad state (enabled or disabled)");
	/* No CR: a file edited on Windows is refused, not half-read. */
	expect_error(BODY("alice:enabled:" H "\r\n"),
	    "users.db:2: bad hash (32 hex digits)");
	expect_error(BODY("a\0b:enabled:" H "\n"), "users.db:2: NUL byte");
	expect_error(BODY("a/b:enabled:" H "\n"),
	    "users.db:2: user name contains ':', '\\', '/' or '@'");
	expect_error(BODY("a@b:enabled:" H "\n"),
	    "users.db:2: user name contains ':', '\\', '/' or '@'");
	expect_error(BODY("DOM\\a:enabled:" H "\n"),
	    "users.db:2: user name contains ':', '\\', '/' or '@'");
	expect_error(BODY("a\tb:enabled:" H "\n"),
	    "users.db:2: control character in user name");
	expect_error(BODY("a\x7f:enabled:" H "\n"),
	    "users.db:2: control character in user name");
	expect_error(BODY("a\xc2\x85:enabled:" H "\n"),
	    "users.db:2: control character in user name");
	expect_error(BODY("a\xff:enabled:" H "\n"),
	    "users.db:2: user name is not valid UTF-8");
	expect_error(BODY("a\xc0\xaf:enabled:" H "\n"),
	    "users.db:2: user name is not valid UTF-8");
	expect_error(BODY("a\xed\xa0\x80:enabled:" H "\n"),
	    "users.db:2: user name is not valid UTF-8");
	expect_error(BODY("a\xe2\x82:enabled:" H "\n"),
	    "users.db:2: user name is not valid UTF-8");
	expect_error(BODY("a\xf4\x90\x80\x80:enabled:" H "\n"),
	    "users.db:2: user name is not valid UTF-8");
	expect_error(BODY("a\x80:enabled:" H "\n"),
	    "users.db:2: user name is not valid UTF-8");
	/* The last line may lack its newline. */
	expect_error(BODY("alice:enabled:" H), NULL);
	expect_error(BODY("alice:enabled:" H "\n\n\n# end"), NULL);
}

static void
test_userdb_header_required(void **state)
{
	char err[256];

	(void)state;
	assert_null(userdb_parse(BODY("alice:enabled:" H "\n"), "users.db",
	    err, sizeof(err)));
	assert_string_equal(err, "users.db:1: missing header \""
	    USERDB_HEADER "\"");
	assert_null(userdb_parse(BODY("\n" USERDB_HEADER "\n"), "users.db",
	    err, sizeof(err)));
	assert_string_equal(err, "users.db:1: missing header \""
	    USERDB_HEADER "\"");
	assert_null(userdb_parse(BODY("# smbsrvd user database v2\n"),
	    "users.db", err, sizeof(err)));
	assert_string_equal(err, "users.db:1: unsupported version (expected "
	    "\"" USERDB_HEADER "\")");
	assert_null(userdb_parse(BODY(USERDB_HEADER " \n"), "users.db", err,
	    sizeof(err)));
	assert_string_equal(err, "users.db:1: unsupported version (expected "
	    "\"" USERDB_HEADER "\")");
}

static void
test_userdb_load_error_names_file_and_line(void **state)
{
	struct tdir *td = *state;
	char err[256], expect[300];

	write_file(td->td_file, USERDB_HEADER "\n"
	    "alice:enabled:" H "\n"
	    "bob:enabled:nothex\n", 0600);
	assert_null(userdb_load(td->td_file, err, sizeof(err)));
	snprintf(expect, sizeof(expect), "%s:3: bad hash (32 hex digits)",
	    td->td_file);
	assert_string_equal(err, expect);
	/* A short error buffer is truncated, still a string. */
	assert_null(userdb_load(td->td_file, err, 8));
	assert_int_equal(strlen(err), 7);
}

static void
test_userdb_duplicate_names_refused(void **state)
{
	struct userdb *db;

	(void)state;
	expect_error(BODY("Alice:enabled:" H "\n# x\nalice:disabled:" H "\n"),
	    "users.db:4: duplicate user \"alice\" (line 2)");
	expect_error(BODY("bob:enabled:" H "\nBOB:enabled:" H "\n"),
	    "users.db:3: duplicate user \"BOB\" (line 2)");
	db = userdb_new();
	assert_non_null(db);
	assert_int_equal(userdb_add(db, "Alice", hash_password, true), 0);
	assert_int_equal(userdb_add(db, "ALICE", hash_password1, true),
	    EEXIST);
	assert_int_equal(userdb_add(db, "Alice", hash_password1, true),
	    EEXIST);
	assert_int_equal(userdb_count(db), 1);
	userdb_free(db);
}

static void
test_userdb_lookup_ignores_ascii_case_only(void **state)
{
	struct userdb_user u;
	struct userdb *db;

	(void)state;
	db = userdb_new();
	assert_non_null(db);
	assert_int_equal(userdb_add(db, "Alice", hash_password, true), 0);
	assert_int_equal(userdb_find(db, "alice", &u), 0);
	assert_string_equal(u.uu_name, "Alice");	/* spelling kept */
	assert_int_equal(userdb_find(db, "ALICE", NULL), 0);
	assert_int_equal(userdb_find(db, "aLiCe", NULL), 0);
	assert_int_equal(userdb_find(db, "alice2", NULL), ENOENT);
	assert_int_equal(userdb_find(db, "alic", NULL), ENOENT);
	assert_int_equal(userdb_find(db, "", NULL), ENOENT);
	/* U+00C4 and U+00E4 are different users: no Unicode folding. */
	assert_int_equal(userdb_add(db, "\xc3\x84rger", hash_password, true),
	    0);
	assert_int_equal(userdb_add(db, "\xc3\xa4rger", hash_password1,
	    true), 0);
	assert_int_equal(userdb_find(db, "\xc3\xa4RGER", &u), 0);
	assert_memory_equal(u.uu_hash, hash_password1, 16);
	assert_int_equal(userdb_set_enabled(db, "ALICE", false), 0);
	assert_int_equal(userdb_find(db, "alice", &u), 0);
	assert_false(u.uu_enabled);
	assert_int_equal(userdb_remove(db, "aLICE"), 0);
	assert_int_equal(userdb_find(db, "Alice", NULL), ENOENT);
	userdb_free(db);
}

static int
collect(const struct userdb_user *u, void *arg)
{
	char *out = arg;

	strcat(out, u->uu_name);
	strcat(out, u->uu_enabled ? "+ " : "- ");
	return strcmp(u->uu_name, "stop") == 0 ? 7 : 0;
}

static void
test_userdb_edit_and_iterate(void **state)
{
	struct userdb_user u;
	struct userdb *db;
	char out[256];

	(void)state;
	db = userdb_new();
	assert_non_null(db);
	assert_int_equal(userdb_add(db, "amy", hash_password, true), 0);
	assert_int_equal(userdb_add(db, "bob", hash_password, false), 0);
	assert_int_equal(userdb_add(db, "cy", hash_password, true), 0);
	assert_int_equal(userdb_add(db, "bad:name", hash_password, true),
	    EINVAL);
	assert_int_equal(userdb_add(db, "", hash_password, true), EINVAL);

	assert_int_equal(userdb_set_hash(db, "bob", hash_password1), 0);
	assert_int_equal(userdb_find(db, "bob", &u), 0);
	assert_memory_equal(u.uu_hash, hash_password1, 16);
	assert_int_equal(userdb_set_hash(db, "nobody", hash_password1),
	    ENOENT);
	assert_int_equal(userdb_set_enabled(db, "bob", true), 0);
	assert_int_equal(userdb_set_enabled(db, "nobody", true), ENOENT);
	assert_int_equal(userdb_remove(db, "nobody"), ENOENT);

	out[0] = '\0';
	assert_int_equal(userdb_foreach(db, collect, out), 0);
	assert_string_equal(out, "amy+ bob+ cy+ ");
	assert_int_equal(userdb_remove(db, "amy"), 0);
	assert_int_equal(userdb_remove(db, "amy"), ENOENT);
	assert_int_equal(userdb_add(db, "stop", hash_password, false), 0);
	assert_int_equal(userdb_add(db, "after", hash_password, false), 0);
	out[0] = '\0';
	assert_int_equal(userdb_foreach(db, collect, out), 7);
	assert_string_equal(out, "bob+ cy+ stop- ");
	assert_int_equal(userdb_count(db), 4);
	userdb_free(db);
	userdb_free(NULL);
}

static void
test_userdb_name_limits(void **state)
{
	char name[USERDB_NAME_MAX + 2];
	struct userdb_user u;
	struct userdb *db;
	size_t i;

	(void)state;
	db = userdb_new();
	assert_non_null(db);
	memset(name, 'a', sizeof(name));
	name[USERDB_NAME_MAX] = '\0';
	assert_null(userdb_name_check(name));
	assert_int_equal(userdb_add(db, name, hash_password, true), 0);
	assert_int_equal(userdb_find(db, name, &u), 0);
	assert_int_equal(strlen(u.uu_name), USERDB_NAME_MAX);
	name[USERDB_NAME_MAX] = 'a';
	name[USERDB_NAME_MAX + 1] = '\0';
	assert_string_equal(userdb_name_check(name),
	    "user name longer than 64 bytes");
	assert_int_equal(userdb_add(db, name, hash_password, true), EINVAL);
	assert_int_equal(userdb_find(db, name, NULL), ENOENT);

	/* 16 four-byte characters are 64 bytes: the limit is in bytes. */
	for (i = 0; i < 16; i++)
		memcpy(name + 4 * i, "\xf0\x9f\x98\x80", 4);
	name[64] = '\0';
	assert_null(userdb_name_check(name));
	assert_int_equal(userdb_add(db, name, hash_password, true), 0);
	/* One byte more, and the last character is cut: both refused. */
	memcpy(name + 61, "\xe2\x82\xac" "a", 4);
	name[65] = '\0';
	assert_non_null(userdb_name_check(name));
	name[63] = '\0';
	assert_string_equal(userdb_name_check(name),
	    "user name is not valid UTF-8");
	userdb_free(db);

	/* The same limits in a file. */
	{
		char body[256];

		memset(body, 'b', 65);
		memcpy(body + 65, ":enabled:" H "\n", 9 + 32 + 1);
		expect_error(body, 65 + 42,
		    "users.db:2: user name longer than 64 bytes");
		expect_error(body + 1, 64 + 42, NULL);
	}
}

static void
test_userdb_many_users(void **state)
{
	struct tdir *td = *state;
	struct userdb_user u;
	struct userdb *db;
	char name[32], err[256];
	size_t i;

	db = userdb_new();
	assert_non_null(db);
	for (i = 0; i < 5000; i++) {
		snprintf(name, sizeof(name), "User%zu", i);
		assert_int_equal(userdb_add(db, name, hash_password,
		    i % 2 == 0), 0);
	}
	for (i = 0; i < 5000; i += 2) {
		snprintf(name, sizeof(name), "user%zu", i);
		assert_int_equal(userdb_remove(db, name), 0);
	}
	assert_int_equal(userdb_count(db), 2500);
	assert_int_equal(userdb_save(db, td->td_file), 0);
	userdb_free(db);
	db = userdb_load(td->td_file, err, sizeof(err));
	assert_non_null(db);
	assert_int_equal(userdb_count(db), 2500);
	for (i = 0; i < 5000; i++) {
		snprintf(name, sizeof(name), "USER%zu", i);
		assert_int_equal(userdb_find(db, name, &u),
		    i % 2 == 0 ? ENOENT : 0);
	}
	assert_int_equal(userdb_find(db, "user4999", &u), 0);
	assert_false(u.uu_enabled);
	userdb_free(db);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_userdb_missing_file_is_empty, setup_dir,
		    teardown_dir),
		cmocka_unit_test_setup_teardown(
		    test_userdb_load_save_round_trip, setup_dir,
		    teardown_dir),
		cmocka_unit_test(test_userdb_text_format),
		cmocka_unit_test_setup_teardown(
		    test_userdb_refuses_group_or_world_access, setup_dir,
		    teardown_dir),
		cmocka_unit_test_setup_teardown(
		    test_userdb_refuses_non_regular_and_foreign_files,
		    setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(
		    test_userdb_refuses_oversized_file, setup_dir,
		    teardown_dir),
		cmocka_unit_test_setup_teardown(
		    test_userdb_save_is_atomic_and_leaves_no_temp, setup_dir,
		    teardown_dir),
		cmocka_unit_test_setup_teardown(
		    test_userdb_failed_save_leaves_no_temp, setup_dir,
		    teardown_dir),
		cmocka_unit_test_setup_teardown(
		    test_userdb_save_relative_path, setup_dir, teardown_dir),
		cmocka_unit_test(test_userdb_malformed_lines_name_their_line),
		cmocka_unit_test(test_userdb_header_required),
		cmocka_unit_test_setup_teardown(
		    test_userdb_load_error_names_file_and_line, setup_dir,
		    teardown_dir),
		cmocka_unit_test(test_userdb_duplicate_names_refused),
		cmocka_unit_test(test_userdb_lookup_ignores_ascii_case_only),
		cmocka_unit_test(test_userdb_edit_and_iterate),
		cmocka_unit_test(test_userdb_name_limits),
		cmocka_unit_test_setup_teardown(test_userdb_many_users,
		    setup_dir, teardown_dir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
