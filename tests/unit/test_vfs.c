/*
 * test_vfs.c — the file-system layer in a mkdtemp(3) directory:
 * SMB path conversion, operations beneath a share root, escapes through
 * "..", absolute paths and symbolic links (refused, and the outside file
 * never read), the stat mapping and the user.smbsrvd.dos attribute,
 * errno mapping, large listings, free space, FILETIME conversion.
 *
 * Layout of each test's directory:
 *   TMP/share/		the share root (vfs_root_open)
 *   TMP/outside/secret	"SECRET", which no test may ever read through vfs
 */
#include <sys/stat.h>
#include <sys/xattr.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "ntstatus.h"
#include "ucs2.h"
#include "vfs.h"

#define SECRET		"SECRET"
#define BIG_LISTING	20000

struct fx {
	char	tmp[64];
	char	share[128];
	char	outside[128];
	int	sharefd;	/* for the test's own setup */
	int	root;		/* vfs_root_open() */
};

/* Test setup goes around vfs on purpose: it builds what vfs must face. */
static void
mkfile(struct fx *f, const char *rel, const char *content)
{
	int fd;

	fd = openat(f->sharefd, rel, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, content, strlen(content)),
	    (ssize_t)strlen(content));
	close(fd);
}

static void
mkdir_in(struct fx *f, const char *rel)
{
	assert_int_equal(mkdirat(f->sharefd, rel, 0755), 0);
}

static void
symlink_in(struct fx *f, const char *target, const char *rel)
{
	assert_int_equal(symlinkat(target, f->sharefd, rel), 0);
}

static bool
exists_in(struct fx *f, const char *rel)
{
	struct stat sb;

	return fstatat(f->sharefd, rel, &sb, AT_SYMLINK_NOFOLLOW) == 0;
}

static void
read_fd(int fd, char *buf, size_t sz)
{
	size_t done;

	assert_int_equal(vfs_pread(fd, buf, sz - 1, 0, &done), 0);
	buf[done] = '\0';
}

static int
setup(void **state)
{
	struct fx *f;
	char p[192];
	int fd;

	f = calloc(1, sizeof(*f));
	assert_non_null(f);
	strcpy(f->tmp, "/tmp/test_vfs.XXXXXX");
	assert_non_null(mkdtemp(f->tmp));
	snprintf(f->share, sizeof(f->share), "%s/share", f->tmp);
	snprintf(f->outside, sizeof(f->outside), "%s/outside", f->tmp);
	assert_int_equal(mkdir(f->share, 0755), 0);
	assert_int_equal(mkdir(f->outside, 0755), 0);
	snprintf(p, sizeof(p), "%s/secret", f->outside);
	fd = open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, SECRET, 6), 6);
	close(fd);
	f->sharefd = open(f->share, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(f->sharefd >= 0);
	f->root = vfs_root_open(f->share);
	assert_true(f->root >= 0);
	*state = f;
	return 0;
}

static int
rm_one(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	/* Tests may leave read-only files and directories behind. */
	if (type == FTW_DP)
		return rmdir(path);
	return unlink(path);
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	close(f->root);
	close(f->sharefd);
	assert_int_equal(nftw(f->tmp, rm_one, 16, FTW_DEPTH | FTW_PHYS), 0);
	free(f);
	return 0;
}

/* --- vfs_path_from_smb ------------------------------------------------ */

/* smb is UTF-8 with backslashes, converted to the wire's UTF-16LE. */
static uint32_t
path_conv(const char *smb, char *out, size_t outsz)
{
	uint8_t *u16;
	size_t len;
	uint32_t st;

	assert_int_equal(ucs2_from_utf8_alloc(smb, strlen(smb), &u16, &len),
	    0);
	st = vfs_path_from_smb(u16, len, out, outsz);
	free(u16);
	return st;
}

static void
path_ok(const char *smb, const char *want)
{
	char out[VFS_PATH_MAX + 1];

	assert_int_equal(path_conv(smb, out, sizeof(out)), 0);
	assert_string_equal(out, want);
}

static void
path_bad(const char *smb, uint32_t want)
{
	char out[VFS_PATH_MAX + 1];

	assert_int_equal(path_conv(smb, out, sizeof(out)), want);
}

static void
test_vfs_path_separators_and_root(void **state)
{
	char out[8];

	(void)state;
	path_ok("a", "a");
	path_ok("dir\\sub\\file.txt", "dir/sub/file.txt");
	path_ok("\\dir\\file", "dir/file");
	path_ok("", "");
	path_ok("\\", "");
	/* Not refused: trailing dots and spaces, dots inside names. */
	path_ok("x.", "x.");
	path_ok("x ", "x ");
	path_ok("...", "...");
	path_ok("a..b\\..c", "a..b/..c");
	path_ok(" lead", " lead");
	path_ok("caf\xc3\xa9\\\xe2\x82\xac", "caf\xc3\xa9/\xe2\x82\xac");
	/* Case is kept as sent (the server is case-sensitive). */
	path_ok("MiXeD\\Case", "MiXeD/Case");
	/* A valid path longer than the caller's buffer. */
	assert_int_equal(path_conv("abcdefgh", out, sizeof(out)),
	    STATUS_BUFFER_TOO_SMALL);
	assert_int_equal(path_conv("abcdefg", out, sizeof(out)), 0);
	assert_string_equal(out, "abcdefg");
}

static void
test_vfs_path_invalid_characters(void **state)
{
	static const char bad[] = "\"*/:<>?|";
	char name[8];
	int c;
	size_t i;

	(void)state;
	for (c = 1; c < 0x20; c++) {
		snprintf(name, sizeof(name), "a%cb", c);
		path_bad(name, STATUS_OBJECT_NAME_INVALID);
	}
	for (i = 0; i < sizeof(bad) - 1; i++) {
		snprintf(name, sizeof(name), "a%cb", bad[i]);
		path_bad(name, STATUS_OBJECT_NAME_INVALID);
		snprintf(name, sizeof(name), "d\\%c", bad[i]);
		path_bad(name, STATUS_OBJECT_NAME_INVALID);
	}
	/* Named streams, and the default stream spelled out. */
	path_bad("file:stream", STATUS_OBJECT_NAME_INVALID);
	path_bad("file::$DATA", STATUS_OBJECT_NAME_INVALID);
	path_bad("dir\\file:s:$DATA", STATUS_OBJECT_NAME_INVALID);
	path_bad("/etc/passwd", STATUS_OBJECT_NAME_INVALID);
}

static void
test_vfs_path_dot_and_empty_components(void **state)
{
	(void)state;
	path_bad(".", STATUS_OBJECT_PATH_SYNTAX_BAD);
	path_bad("..", STATUS_OBJECT_PATH_SYNTAX_BAD);
	path_bad("\\..", STATUS_OBJECT_PATH_SYNTAX_BAD);
	path_bad("..\\x", STATUS_OBJECT_PATH_SYNTAX_BAD);
	path_bad("a\\..\\b", STATUS_OBJECT_PATH_SYNTAX_BAD);
	path_bad("a\\.\\b", STATUS_OBJECT_PATH_SYNTAX_BAD);
	path_bad("a\\..", STATUS_OBJECT_PATH_SYNTAX_BAD);
	path_bad("a\\\\b", STATUS_OBJECT_PATH_SYNTAX_BAD);
	path_bad("\\\\a", STATUS_OBJECT_PATH_SYNTAX_BAD);
	path_bad("\\\\", STATUS_OBJECT_PATH_SYNTAX_BAD);
	/* A trailing backslash (see vfs.h). */
	path_bad("a\\", STATUS_OBJECT_NAME_INVALID);
	path_bad("a\\b\\", STATUS_OBJECT_NAME_INVALID);
}

static void
test_vfs_path_long_components(void **state)
{
	char name[VFS_PATH_MAX + 64], want[VFS_PATH_MAX + 64];
	size_t i;

	(void)state;
	memset(name, 'n', VFS_NAME_MAX);
	name[VFS_NAME_MAX] = '\0';
	path_ok(name, name);
	name[VFS_NAME_MAX] = 'n';
	name[VFS_NAME_MAX + 1] = '\0';
	path_bad(name, STATUS_OBJECT_NAME_INVALID);

	/* The limit is in UTF-8 bytes: 85 euro signs fit, 86 do not. */
	name[0] = '\0';
	for (i = 0; i < 85; i++)
		strcat(name, "\xe2\x82\xac");
	path_ok(name, name);
	strcat(name, "\xe2\x82\xac");
	path_bad(name, STATUS_OBJECT_NAME_INVALID);

	/* A whole path of exactly VFS_PATH_MAX bytes, then one more. */
	for (i = 0; i < VFS_PATH_MAX; i++)
		name[i] = want[i] = (i % 100 == 99) ? '\\' : 'p';
	for (i = 0; i < VFS_PATH_MAX; i++)
		if (want[i] == '\\')
			want[i] = '/';
	name[VFS_PATH_MAX] = want[VFS_PATH_MAX] = '\0';
	path_ok(name, want);
	name[VFS_PATH_MAX] = 'p';
	name[VFS_PATH_MAX + 1] = '\0';
	path_bad(name, STATUS_OBJECT_NAME_INVALID);
}

static void
test_vfs_path_invalid_utf16(void **state)
{
	static const uint8_t odd[] = { 'a', 0, 'b' };
	static const uint8_t high[] = { 'a', 0, 0x00, 0xd8, 'b', 0 };
	static const uint8_t low[] = { 0x00, 0xdc, 'b', 0 };
	static const uint8_t nul[] = { 'a', 0, 0, 0, 'b', 0 };
	static const uint8_t lead_high[] = { '\\', 0, 0x3d, 0xd8 };
	static const uint8_t pair[] = { 0x3d, 0xd8, 0x00, 0xde };
	char out[VFS_PATH_MAX + 1];

	(void)state;
	assert_int_equal(vfs_path_from_smb(odd, sizeof(odd), out,
	    sizeof(out)), STATUS_OBJECT_NAME_INVALID);
	assert_int_equal(vfs_path_from_smb(high, sizeof(high), out,
	    sizeof(out)), STATUS_OBJECT_NAME_INVALID);
	assert_int_equal(vfs_path_from_smb(low, sizeof(low), out,
	    sizeof(out)), STATUS_OBJECT_NAME_INVALID);
	assert_int_equal(vfs_path_from_smb(nul, sizeof(nul), out,
	    sizeof(out)), STATUS_OBJECT_NAME_INVALID);
	assert_int_equal(vfs_path_from_smb(lead_high, sizeof(lead_high), out,
	    sizeof(out)), STATUS_OBJECT_NAME_INVALID);
	/* U+1F600, a surrogate pair, is fine. */
	assert_int_equal(vfs_path_from_smb(pair, sizeof(pair), out,
	    sizeof(out)), 0);
	assert_string_equal(out, "\xf0\x9f\x98\x80");
}

/* --- operations beneath the root -------------------------------------- */

static void
test_vfs_create_write_read_rename_unlink(void **state)
{
	struct fx *f = *state;
	char buf[64];
	size_t done;
	int fd;

	assert_int_equal(vfs_mkdir(f->root, "d", 0755), 0);
	assert_int_equal(vfs_mkdir(f->root, "d/e", 0755), 0);
	assert_int_equal(vfs_open(f->root, "d/e/f.txt",
	    O_RDWR | O_CREAT | O_EXCL, 0644, &fd), 0);
	assert_int_equal(vfs_pwrite(fd, "hello", 5, 0, &done), 0);
	assert_int_equal(done, 5);
	close(fd);
	assert_int_equal(vfs_open(f->root, "d/e/f.txt", O_RDONLY, 0, &fd), 0);
	read_fd(fd, buf, sizeof(buf));
	assert_string_equal(buf, "hello");
	close(fd);
	assert_int_equal(vfs_open(f->root, "d/e/f.txt",
	    O_RDWR | O_CREAT | O_EXCL, 0644, &fd),
	    STATUS_OBJECT_NAME_COLLISION);
	assert_int_equal(fd, -1);

	/* Rename across directories, without and with replacing. */
	assert_int_equal(vfs_rename(f->root, "d/e/f.txt", "d/g.txt", false),
	    0);
	assert_false(exists_in(f, "d/e/f.txt"));
	mkfile(f, "other", "x");
	assert_int_equal(vfs_rename(f->root, "d/g.txt", "other", false),
	    STATUS_OBJECT_NAME_COLLISION);
	assert_int_equal(vfs_rename(f->root, "d/g.txt", "other", true), 0);
	assert_int_equal(vfs_open(f->root, "other", O_RDONLY, 0, &fd), 0);
	read_fd(fd, buf, sizeof(buf));
	assert_string_equal(buf, "hello");
	close(fd);

	assert_int_equal(vfs_unlink(f->root, "d", true),
	    STATUS_DIRECTORY_NOT_EMPTY);
	assert_int_equal(vfs_unlink(f->root, "d/e", true), 0);
	assert_int_equal(vfs_unlink(f->root, "d", true), 0);
	assert_int_equal(vfs_unlink(f->root, "other", false), 0);
	assert_false(exists_in(f, "other"));
	assert_false(exists_in(f, "d"));

	/* The root itself. */
	assert_int_equal(vfs_open(f->root, "", O_RDONLY | O_DIRECTORY, 0,
	    &fd), 0);
	close(fd);
	assert_int_equal(vfs_mkdir(f->root, "", 0755),
	    STATUS_OBJECT_NAME_COLLISION);
	assert_int_equal(vfs_unlink(f->root, "", true), STATUS_ACCESS_DENIED);
	assert_int_equal(vfs_rename(f->root, "", "x", false),
	    STATUS_ACCESS_DENIED);
}

static void
test_vfs_open_statuses(void **state)
{
	struct fx *f = *state;
	struct vfs_stat st;
	int fd;

	mkfile(f, "file", "data");
	mkdir_in(f, "dir");
	assert_int_equal(vfs_open(f->root, "missing", O_RDONLY, 0, &fd),
	    STATUS_OBJECT_NAME_NOT_FOUND);
	assert_int_equal(fd, -1);
	assert_int_equal(vfs_open(f->root, "dir/missing", O_RDONLY, 0, &fd),
	    STATUS_OBJECT_NAME_NOT_FOUND);
	assert_int_equal(vfs_open(f->root, "nodir/x", O_RDONLY, 0, &fd),
	    STATUS_OBJECT_PATH_NOT_FOUND);
	assert_int_equal(vfs_open(f->root, "nodir/x", O_RDWR | O_CREAT, 0644,
	    &fd), STATUS_OBJECT_PATH_NOT_FOUND);
	assert_int_equal(vfs_open(f->root, "file/x", O_RDONLY, 0, &fd),
	    STATUS_OBJECT_PATH_NOT_FOUND);
	assert_int_equal(vfs_open(f->root, "file", O_RDONLY | O_DIRECTORY, 0,
	    &fd), STATUS_NOT_A_DIRECTORY);
	assert_int_equal(vfs_open(f->root, "dir", O_RDWR, 0, &fd),
	    STATUS_FILE_IS_A_DIRECTORY);
	assert_int_equal(vfs_stat_path(f->root, "missing", &st),
	    STATUS_OBJECT_NAME_NOT_FOUND);
	assert_int_equal(vfs_stat_path(f->root, "nodir/x", &st),
	    STATUS_OBJECT_PATH_NOT_FOUND);
	assert_int_equal(vfs_stat_path(f->root, "file/x", &st),
	    STATUS_OBJECT_PATH_NOT_FOUND);

	assert_int_equal(vfs_mkdir(f->root, "dir", 0755),
	    STATUS_OBJECT_NAME_COLLISION);
	assert_int_equal(vfs_mkdir(f->root, "file", 0755),
	    STATUS_OBJECT_NAME_COLLISION);
	assert_int_equal(vfs_mkdir(f->root, "nodir/x", 0755),
	    STATUS_OBJECT_PATH_NOT_FOUND);
	assert_int_equal(vfs_unlink(f->root, "file", true),
	    STATUS_NOT_A_DIRECTORY);
	assert_int_equal(vfs_unlink(f->root, "dir", false),
	    STATUS_FILE_IS_A_DIRECTORY);
	assert_int_equal(vfs_unlink(f->root, "missing", false),
	    STATUS_OBJECT_NAME_NOT_FOUND);
	assert_int_equal(vfs_unlink(f->root, "nodir/x", false),
	    STATUS_OBJECT_PATH_NOT_FOUND);
	assert_int_equal(vfs_rename(f->root, "missing", "x", false),
	    STATUS_OBJECT_NAME_NOT_FOUND);
	assert_int_equal(vfs_rename(f->root, "file", "nodir/x", false),
	    STATUS_OBJECT_PATH_NOT_FOUND);
	assert_int_equal(vfs_rename(f->root, "file", "dir", true),
	    STATUS_ACCESS_DENIED);
	assert_int_equal(vfs_rename(f->root, "dir", "file", true),
	    STATUS_ACCESS_DENIED);
	assert_true(exists_in(f, "file") && exists_in(f, "dir"));
	/* A last name these calls must never act on. */
	assert_int_equal(vfs_mkdir(f->root, "dir/..", 0755),
	    STATUS_OBJECT_PATH_SYNTAX_BAD);
	assert_int_equal(vfs_unlink(f->root, "dir/.", true),
	    STATUS_OBJECT_PATH_SYNTAX_BAD);
	assert_int_equal(vfs_unlink(f->root, "dir/", true),
	    STATUS_OBJECT_PATH_SYNTAX_BAD);
}

static void
test_vfs_status_mapping(void **state)
{
	static const struct {
		int		err;
		uint32_t	st;
	} map[] = {
		{ ENOENT, STATUS_OBJECT_NAME_NOT_FOUND },
		{ EEXIST, STATUS_OBJECT_NAME_COLLISION },
		{ EACCES, STATUS_ACCESS_DENIED },
		{ EPERM, STATUS_ACCESS_DENIED },
		{ EXDEV, STATUS_ACCESS_DENIED },
		{ ELOOP, STATUS_REPARSE_POINT_NOT_RESOLVED },
		{ ENOTDIR, STATUS_OBJECT_PATH_NOT_FOUND },
		{ EISDIR, STATUS_FILE_IS_A_DIRECTORY },
		{ ENOTEMPTY, STATUS_DIRECTORY_NOT_EMPTY },
		{ ENOSPC, STATUS_DISK_FULL },
		{ EDQUOT, STATUS_DISK_FULL },
		{ EFBIG, STATUS_DISK_FULL },
		{ EROFS, STATUS_MEDIA_WRITE_PROTECTED },
		{ EMFILE, STATUS_TOO_MANY_OPENED_FILES },
		{ ENFILE, STATUS_TOO_MANY_OPENED_FILES },
		{ ENAMETOOLONG, STATUS_OBJECT_NAME_INVALID },
		{ ENOMEM, STATUS_NO_MEMORY },
		{ EINVAL, STATUS_INVALID_PARAMETER },
		{ EBADF, STATUS_INVALID_HANDLE },
		{ EBUSY, STATUS_SHARING_VIOLATION },
		{ EAGAIN, STATUS_SHARING_VIOLATION },
		{ EIO, STATUS_IO_DEVICE_ERROR },
		{ EOPNOTSUPP, STATUS_NOT_SUPPORTED },
		{ ECHILD, STATUS_UNSUCCESSFUL },
		{ 0, STATUS_INTERNAL_ERROR },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		assert_int_equal(vfs_status(map[i].err), map[i].st);
}

/* --- escapes ------------------------------------------------------------ */

static bool
refused(uint32_t st)
{
	return st == STATUS_ACCESS_DENIED ||
	    st == STATUS_OBJECT_NAME_NOT_FOUND ||
	    st == STATUS_OBJECT_PATH_NOT_FOUND;
}

/* Opening rel must fail; if it ever did not, say what leaked. */
static void
assert_open_refused(struct fx *f, const char *rel, int flags)
{
	char buf[256];
	uint32_t st;
	int fd;

	st = vfs_open(f->root, rel, flags, 0644, &fd);
	if (fd != -1) {
		read_fd(fd, buf, sizeof(buf));
		close(fd);
		assert_null(strstr(buf, SECRET));
		assert_null(strstr(buf, "root:"));
		fail_msg("%s: opened", rel);
	}
	assert_true(refused(st));
}

static void
assert_outside_untouched(struct fx *f)
{
	char p[192], buf[16];
	ssize_t n;
	int fd;

	snprintf(p, sizeof(p), "%s/secret", f->outside);
	fd = open(p, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	assert_int_equal(n, 6);
	buf[n] = '\0';
	assert_string_equal(buf, SECRET);
	snprintf(p, sizeof(p), "%s/new", f->outside);
	assert_int_equal(access(p, F_OK), -1);
}

static void
test_vfs_escape_dotdot_and_absolute(void **state)
{
	struct fx *f = *state;
	struct vfs_stat st;

	mkdir_in(f, "d");
	assert_open_refused(f, "../outside/secret", O_RDONLY);
	assert_open_refused(f, "d/../../outside/secret", O_RDONLY);
	assert_open_refused(f, "..", O_RDONLY | O_DIRECTORY);
	assert_open_refused(f, "/etc/passwd", O_RDONLY);
	assert_open_refused(f, "../outside/new", O_RDWR | O_CREAT);
	assert_int_equal(vfs_stat_path(f->root, "../outside/secret", &st),
	    STATUS_ACCESS_DENIED);
	assert_true(refused(vfs_mkdir(f->root, "../outside/new", 0755)));
	assert_true(refused(vfs_unlink(f->root, "../outside/secret",
	    false)));
	assert_true(refused(vfs_rename(f->root, "../outside/secret", "s",
	    false)));
	mkfile(f, "mine", "m");
	assert_true(refused(vfs_rename(f->root, "mine", "../outside/new",
	    false)));
	assert_true(refused(vfs_mkdir(f->root, "/tmp/new", 0755)));
	assert_outside_untouched(f);
	assert_false(exists_in(f, "s"));
}

static void
test_vfs_escape_symlinks(void **state)
{
	struct fx *f = *state;
	struct vfs_stat st;
	char p[192];

	snprintf(p, sizeof(p), "%s/secret", f->outside);
	symlink_in(f, p, "abs_secret");
	symlink_in(f, "/etc/passwd", "passwd");
	mkdir_in(f, "sub");
	symlink_in(f, "../../outside/secret", "sub/rel_secret");
	symlink_in(f, "../outside/secret", "rel1");
	symlink_in(f, "../outside/new", "dangling_out");

	assert_open_refused(f, "abs_secret", O_RDONLY);
	assert_open_refused(f, "passwd", O_RDONLY);
	assert_open_refused(f, "sub/rel_secret", O_RDONLY);
	assert_open_refused(f, "rel1", O_RDONLY);
	assert_open_refused(f, "rel1", O_WRONLY | O_TRUNC);
	/* O_CREAT through a dangling link would create outside. */
	assert_open_refused(f, "dangling_out", O_RDWR | O_CREAT);
	assert_int_equal(vfs_stat_path(f->root, "abs_secret", &st),
	    STATUS_ACCESS_DENIED);
	assert_int_equal(vfs_stat_path(f->root, "sub/rel_secret", &st),
	    STATUS_ACCESS_DENIED);
	/* Removing the link removes the link, not its target. */
	assert_int_equal(vfs_unlink(f->root, "rel1", false), 0);
	assert_outside_untouched(f);
}

static void
test_vfs_escape_directory_symlink(void **state)
{
	struct fx *f = *state;
	struct vfs_stat st;
	int fd;

	symlink_in(f, "../outside", "out");
	mkfile(f, "mine", "m");
	assert_open_refused(f, "out", O_RDONLY | O_DIRECTORY);
	assert_open_refused(f, "out/secret", O_RDONLY);
	assert_open_refused(f, "out/new", O_RDWR | O_CREAT | O_EXCL);
	assert_int_equal(vfs_open(f->root, "out", O_PATH, 0, &fd),
	    STATUS_ACCESS_DENIED);
	assert_true(refused(vfs_stat_path(f->root, "out/secret", &st)));
	assert_true(refused(vfs_mkdir(f->root, "out/new", 0755)));
	assert_true(refused(vfs_unlink(f->root, "out/secret", false)));
	assert_true(refused(vfs_rename(f->root, "out/secret", "stolen",
	    false)));
	assert_true(refused(vfs_rename(f->root, "mine", "out/new", false)));
	assert_outside_untouched(f);
	assert_false(exists_in(f, "stolen"));
	assert_true(exists_in(f, "mine"));
}

/*
 * Policy (vfs.h): relative links that stay beneath the root are
 * followed; absolute ones are refused even when they point inside.
 */
static void
test_vfs_symlink_inside_followed(void **state)
{
	struct fx *f = *state;
	struct vfs_stat st;
	char buf[64], p[192];
	int fd;

	mkfile(f, "target", "inside");
	mkdir_in(f, "sub");
	symlink_in(f, "target", "link");
	symlink_in(f, "../target", "sub/up");
	symlink_in(f, "sub", "dirlink");
	snprintf(p, sizeof(p), "%s/target", f->share);
	symlink_in(f, p, "abs_inside");
	symlink_in(f, "loop", "loop");

	assert_int_equal(vfs_open(f->root, "link", O_RDONLY, 0, &fd), 0);
	read_fd(fd, buf, sizeof(buf));
	assert_string_equal(buf, "inside");
	close(fd);
	assert_int_equal(vfs_open(f->root, "sub/up", O_RDONLY, 0, &fd), 0);
	read_fd(fd, buf, sizeof(buf));
	assert_string_equal(buf, "inside");
	close(fd);
	assert_int_equal(vfs_open(f->root, "dirlink/up", O_RDONLY, 0, &fd),
	    0);
	close(fd);
	assert_int_equal(vfs_stat_path(f->root, "dirlink", &st), 0);
	assert_true(st.vs_is_dir);
	assert_int_equal(vfs_open(f->root, "link", O_RDONLY | O_NOFOLLOW, 0,
	    &fd), STATUS_REPARSE_POINT_NOT_RESOLVED);
	assert_int_equal(vfs_open(f->root, "abs_inside", O_RDONLY, 0, &fd),
	    STATUS_ACCESS_DENIED);
	assert_int_equal(vfs_open(f->root, "loop", O_RDONLY, 0, &fd),
	    STATUS_REPARSE_POINT_NOT_RESOLVED);
}

/* --- stat and set_info ------------------------------------------------- */

static void
test_vfs_stat_mapping(void **state)
{
	struct fx *f = *state;
	struct vfs_stat st, st2;
	struct stat sb;
	int fd;

	mkdir_in(f, "dir");
	assert_int_equal(vfs_stat_path(f->root, "dir", &st), 0);
	assert_true(st.vs_is_dir);
	assert_int_equal(st.vs_attrs, FILE_ATTRIBUTE_DIRECTORY);
	assert_int_equal(st.vs_size, 0);
	assert_int_equal(st.vs_alloc, 0);
	assert_int_equal(vfs_stat_path(f->root, "", &st), 0);
	assert_true(st.vs_is_dir);

	mkfile(f, "file", "12345");
	assert_int_equal(fstatat(f->sharefd, "file", &sb, 0), 0);
	assert_int_equal(vfs_stat_path(f->root, "file", &st), 0);
	assert_false(st.vs_is_dir);
	assert_int_equal(st.vs_attrs, FILE_ATTRIBUTE_ARCHIVE);
	assert_int_equal(st.vs_size, 5);
	assert_int_equal(st.vs_alloc % 4096, 0);
	assert_true(st.vs_alloc >= (uint64_t)sb.st_blocks * 512);
	assert_int_equal(st.vs_file_id, sb.st_ino);
	assert_int_equal(st.vs_ino, sb.st_ino);
	assert_int_equal(st.vs_dev, sb.st_dev);
	assert_int_equal(st.vs_nlink, 1);
	assert_int_equal(st.vs_mode, sb.st_mode);
	assert_int_equal(st.vs_uid, sb.st_uid);
	assert_int_equal(st.vs_write, vfs_filetime(sb.st_mtim.tv_sec,
	    sb.st_mtim.tv_nsec));
	assert_int_equal(st.vs_access, vfs_filetime(sb.st_atim.tv_sec,
	    sb.st_atim.tv_nsec));
	assert_int_equal(st.vs_change, vfs_filetime(sb.st_ctim.tv_sec,
	    sb.st_ctim.tv_nsec));
	assert_true(st.vs_creation != 0 && st.vs_creation <= st.vs_change);

	/* The same through a descriptor, and through an O_PATH one. */
	assert_int_equal(vfs_open(f->root, "file", O_RDONLY, 0, &fd), 0);
	assert_int_equal(vfs_fstat(fd, &st2), 0);
	assert_memory_equal(&st, &st2, sizeof(st));
	close(fd);

	/* No owner write bit: read-only. */
	assert_int_equal(fchmodat(f->sharefd, "file", 0444, 0), 0);
	assert_int_equal(vfs_stat_path(f->root, "file", &st), 0);
	assert_int_equal(st.vs_attrs,
	    FILE_ATTRIBUTE_READONLY | FILE_ATTRIBUTE_ARCHIVE);
	/* ... but not for directories. */
	assert_int_equal(fchmodat(f->sharefd, "dir", 0555, 0), 0);
	assert_int_equal(vfs_stat_path(f->root, "dir", &st), 0);
	assert_int_equal(st.vs_attrs, FILE_ATTRIBUTE_DIRECTORY);
	assert_int_equal(fchmodat(f->sharefd, "dir", 0755, 0), 0);
}

static void
test_vfs_set_info_round_trip(void **state)
{
	struct fx *f = *state;
	struct vfs_stat st;
	uint64_t cr, ac, wr;
	int fd, pfd;

	cr = vfs_filetime(1000000000, 123456700);
	ac = vfs_filetime(1100000000, 500);
	wr = vfs_filetime(1200000000, 987654300);
	assert_int_equal(vfs_open(f->root, "f", O_RDWR | O_CREAT, 0644, &fd),
	    0);
	assert_int_equal(vfs_set_info(fd, cr, ac, wr, 0,
	    FILE_ATTRIBUTE_HIDDEN | FILE_ATTRIBUTE_SYSTEM, false), 0);
	assert_int_equal(vfs_fstat(fd, &st), 0);
	assert_int_equal(st.vs_creation, cr);
	assert_int_equal(st.vs_access, ac);
	assert_int_equal(st.vs_write, wr);
	assert_int_equal(st.vs_attrs,
	    FILE_ATTRIBUTE_HIDDEN | FILE_ATTRIBUTE_SYSTEM);
	assert_int_equal(vfs_stat_path(f->root, "f", &st), 0);
	assert_int_equal(st.vs_creation, cr);
	assert_int_equal(st.vs_attrs,
	    FILE_ATTRIBUTE_HIDDEN | FILE_ATTRIBUTE_SYSTEM);

	/* Only the write time: the rest stays; -1 and -2 leave too. */
	wr += 10000000;
	assert_int_equal(vfs_set_info(fd, UINT64_MAX, UINT64_MAX - 1, wr,
	    12345, 0, false), 0);
	assert_int_equal(vfs_fstat(fd, &st), 0);
	assert_int_equal(st.vs_creation, cr);
	assert_int_equal(st.vs_access, ac);
	assert_int_equal(st.vs_write, wr);
	assert_int_equal(st.vs_attrs,
	    FILE_ATTRIBUTE_HIDDEN | FILE_ATTRIBUTE_SYSTEM);

	/* NORMAL clears all, ARCHIVE included. */
	assert_int_equal(vfs_set_info(fd, 0, 0, 0, 0, FILE_ATTRIBUTE_NORMAL, false),
	    0);
	assert_int_equal(vfs_fstat(fd, &st), 0);
	assert_int_equal(st.vs_attrs, FILE_ATTRIBUTE_NORMAL);
	assert_int_equal(st.vs_creation, cr);

	/* Read-only is the owner write bit, both ways. */
	assert_int_equal(vfs_set_info(fd, 0, 0, 0, 0,
	    FILE_ATTRIBUTE_READONLY | FILE_ATTRIBUTE_ARCHIVE, false), 0);
	assert_int_equal(vfs_fstat(fd, &st), 0);
	assert_int_equal(st.vs_attrs,
	    FILE_ATTRIBUTE_READONLY | FILE_ATTRIBUTE_ARCHIVE);
	assert_int_equal(st.vs_mode & 0777, 0444);
	/* Other attributes of a read-only file change (as non-root too). */
	assert_int_equal(vfs_set_info(fd, cr + 1, 0, 0, 0,
	    FILE_ATTRIBUTE_READONLY | FILE_ATTRIBUTE_HIDDEN, false), 0);
	assert_int_equal(vfs_fstat(fd, &st), 0);
	assert_int_equal(st.vs_attrs,
	    FILE_ATTRIBUTE_READONLY | FILE_ATTRIBUTE_HIDDEN);
	assert_int_equal(st.vs_creation, cr + 1);
	assert_int_equal(st.vs_mode & 0777, 0444);
	assert_int_equal(vfs_set_info(fd, 0, 0, 0, 0, FILE_ATTRIBUTE_HIDDEN, false),
	    0);
	assert_int_equal(vfs_fstat(fd, &st), 0);
	assert_int_equal(st.vs_attrs, FILE_ATTRIBUTE_HIDDEN);
	assert_int_equal(st.vs_mode & 0777, 0644);

	/* What MS-FSA 2.1.5.14.2 refuses. */
	assert_int_equal(vfs_set_info(fd, 0, 0, 0, 0,
	    FILE_ATTRIBUTE_DIRECTORY, false), STATUS_INVALID_PARAMETER);
	assert_int_equal(vfs_set_info(fd, (uint64_t)-3, 0, 0, 0, 0, false),
	    STATUS_INVALID_PARAMETER);
	close(fd);

	/* A directory keeps read-only (and the rest) in the attribute. */
	mkdir_in(f, "d");
	assert_int_equal(vfs_open(f->root, "d", O_RDONLY | O_DIRECTORY, 0,
	    &fd), 0);
	assert_int_equal(vfs_set_info(fd, cr, 0, 0, 0,
	    FILE_ATTRIBUTE_READONLY | FILE_ATTRIBUTE_HIDDEN, false), 0);
	assert_int_equal(vfs_stat_path(f->root, "d", &st), 0);
	assert_int_equal(st.vs_attrs, FILE_ATTRIBUTE_DIRECTORY |
	    FILE_ATTRIBUTE_READONLY | FILE_ATTRIBUTE_HIDDEN);
	assert_int_equal(st.vs_creation, cr);
	assert_int_equal(st.vs_mode & 0777, 0755);
	assert_int_equal(vfs_set_info(fd, 0, 0, 0, 0,
	    FILE_ATTRIBUTE_TEMPORARY, false), STATUS_INVALID_PARAMETER);
	close(fd);

	/* O_PATH cannot carry the change (see vfs.h). */
	assert_int_equal(vfs_open(f->root, "f", O_PATH, 0, &pfd), 0);
	assert_int_equal(vfs_set_info(pfd, cr, 0, 0, 0, 0, false),
	    STATUS_ACCESS_DENIED);
	/* ... and shows the defaults, not the stored attributes. */
	assert_int_equal(vfs_fstat(pfd, &st), 0);
	assert_int_equal(st.vs_attrs, FILE_ATTRIBUTE_ARCHIVE);
	close(pfd);
}

/*
 * A change time a client sets is every view's ChangeTime until the file
 * changes again; then the ctime is.
 */
static void
test_vfs_change_time_kept_until_change(void **state)
{
	struct fx *f = *state;
	struct vfs_stat st;
	uint64_t ch = vfs_filetime(1300000000, 4200);
	size_t done;
	int fd;

	assert_int_equal(vfs_open(f->root, "c", O_RDWR | O_CREAT, 0644, &fd),
	    0);
	assert_int_equal(vfs_set_info(fd, 0, 0, vfs_filetime(1250000000, 0),
	    ch, FILE_ATTRIBUTE_READONLY, false), 0);
	assert_int_equal(vfs_fstat(fd, &st), 0);
	assert_int_equal(st.vs_change, ch);
	assert_int_equal(vfs_stat_path(f->root, "c", &st), 0);
	assert_int_equal(st.vs_change, ch);
	/* The open that set it changes attributes: it stays. */
	assert_int_equal(vfs_set_info(fd, 0, 0, 0, 0, FILE_ATTRIBUTE_HIDDEN,
	    true), 0);
	assert_int_equal(vfs_fstat(fd, &st), 0);
	assert_int_equal(st.vs_change, ch);
	assert_int_equal(st.vs_attrs, FILE_ATTRIBUTE_HIDDEN);
	/* Another open does: ChangeTime moves (to the ctime). */
	assert_int_equal(vfs_set_info(fd, 0, 0, 0, 0, FILE_ATTRIBUTE_SYSTEM,
	    false), 0);
	assert_int_equal(vfs_fstat(fd, &st), 0);
	assert_true(st.vs_change != ch);

	/* Data written, from here or elsewhere, is a change too. */
	assert_int_equal(vfs_set_info(fd, 0, 0, 0, ch, 0, false), 0);
	assert_int_equal(vfs_fstat(fd, &st), 0);
	assert_int_equal(st.vs_change, ch);
	assert_int_equal(vfs_pwrite(fd, "data", 4, 0, &done), 0);
	assert_int_equal(vfs_fstat(fd, &st), 0);
	assert_true(st.vs_change != ch);
	/* So is a new mode. */
	assert_int_equal(vfs_set_info(fd, 0, 0, 0, ch, 0, false), 0);
	assert_int_equal(fchmod(fd, 0600), 0);
	assert_int_equal(vfs_stat_path(f->root, "c", &st), 0);
	assert_true(st.vs_change != ch);
	/* And a security descriptor stored alone. */
	assert_int_equal(vfs_set_info(fd, 0, 0, 0, ch, 0, false), 0);
	assert_int_equal(vfs_acl_put(fd, (const uint8_t *)"acl", 3), 0);
	assert_int_equal(vfs_fstat(fd, &st), 0);
	assert_true(st.vs_change != ch);
	close(fd);
}

/* A file's xattr is input: whatever it holds, stat stays sane. */
static void
test_vfs_dos_xattr_hostile(void **state)
{
	struct fx *f = *state;
	struct vfs_stat st, base;
	uint8_t v[80];
	int fd;

	mkfile(f, "x", "x");
	fd = openat(f->sharefd, "x", O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(vfs_fstat(fd, &base), 0);

	memset(v, 0xff, sizeof(v));
	v[0] = 1;
	/* Too short, another version, too long: all ignored. */
	assert_int_equal(fsetxattr(fd, "user.smbsrvd.dos", v, 15, 0), 0);
	assert_int_equal(vfs_fstat(fd, &st), 0);
	assert_int_equal(st.vs_attrs, base.vs_attrs);
	assert_int_equal(st.vs_creation, base.vs_creation);
	v[0] = 2;
	assert_int_equal(fsetxattr(fd, "user.smbsrvd.dos", v, 16, 0), 0);
	assert_int_equal(vfs_fstat(fd, &st), 0);
	assert_int_equal(st.vs_attrs, base.vs_attrs);
	v[0] = 1;
	assert_int_equal(fsetxattr(fd, "user.smbsrvd.dos", v, sizeof(v), 0),
	    0);
	assert_int_equal(vfs_fstat(fd, &st), 0);
	assert_int_equal(st.vs_attrs, base.vs_attrs);
	assert_int_equal(st.vs_creation, base.vs_creation);
	/* Version 1, every bit set: masked, and no negative FILETIME. */
	assert_int_equal(fsetxattr(fd, "user.smbsrvd.dos", v, 16, 0), 0);
	assert_int_equal(vfs_fstat(fd, &st), 0);
	assert_int_equal(st.vs_attrs & (FILE_ATTRIBUTE_DIRECTORY |
	    FILE_ATTRIBUTE_NORMAL | FILE_ATTRIBUTE_REPARSE_POINT |
	    FILE_ATTRIBUTE_ENCRYPTED | FILE_ATTRIBUTE_SPARSE_FILE), 0);
	assert_true(st.vs_attrs & FILE_ATTRIBUTE_HIDDEN);
	assert_int_equal(st.vs_creation, base.vs_creation);
	/* A longer value (fields appended later) keeps the first 16. */
	memset(v, 0, sizeof(v));
	v[0] = 1;
	v[1] = 0x01;
	v[4] = FILE_ATTRIBUTE_SYSTEM;
	assert_int_equal(fsetxattr(fd, "user.smbsrvd.dos", v, 24, 0), 0);
	assert_int_equal(vfs_fstat(fd, &st), 0);
	assert_int_equal(st.vs_attrs, FILE_ATTRIBUTE_SYSTEM);
	close(fd);
}

/* A FIFO any local user can make must not stall or be served. */
static void
test_vfs_open_refuses_fifo(void **state)
{
	struct fx *f = *state;
	struct vfs_stat st;
	int fd;

	assert_int_equal(mkfifoat(f->sharefd, "fifo", 0666), 0);
	assert_int_equal(vfs_open(f->root, "fifo", O_RDONLY, 0, &fd),
	    STATUS_ACCESS_DENIED);
	assert_int_equal(fd, -1);
	assert_int_equal(vfs_open(f->root, "fifo", O_WRONLY, 0, &fd),
	    STATUS_ACCESS_DENIED);
	assert_int_equal(vfs_open(f->root, "fifo", O_RDWR | O_CREAT, 0644,
	    &fd), STATUS_ACCESS_DENIED);
	assert_int_equal(vfs_stat_path(f->root, "fifo", &st), 0);
	assert_false(st.vs_is_dir);
	assert_true(S_ISFIFO(st.vs_mode));
	assert_int_equal(vfs_open(f->root, "fifo", O_PATH, 0, &fd), 0);
	close(fd);
	/* Served descriptors are left blocking. */
	mkfile(f, "file", "x");
	assert_int_equal(vfs_open(f->root, "file", O_RDONLY, 0, &fd), 0);
	assert_int_equal(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
	close(fd);
}

/* --- I/O ------------------------------------------------------------- */

static void
test_vfs_read_write_eof_truncate_allocate(void **state)
{
	struct fx *f = *state;
	struct vfs_stat st;
	char buf[64];
	size_t done;
	int fd;

	assert_int_equal(vfs_open(f->root, "io", O_RDWR | O_CREAT, 0644, &fd),
	    0);
	assert_int_equal(vfs_pwrite(fd, "hello world", 11, 0, &done), 0);
	assert_int_equal(done, 11);
	assert_int_equal(vfs_pread(fd, buf, sizeof(buf), 6, &done), 0);
	assert_int_equal(done, 5);
	assert_memory_equal(buf, "world", 5);
	assert_int_equal(vfs_pread(fd, buf, sizeof(buf), 11, &done), 0);
	assert_int_equal(done, 0);
	assert_int_equal(vfs_pread(fd, buf, sizeof(buf), 1 << 20, &done), 0);
	assert_int_equal(done, 0);
	assert_int_equal(vfs_pread(fd, buf, sizeof(buf), UINT64_MAX, &done),
	    STATUS_INVALID_PARAMETER);
	assert_int_equal(vfs_pwrite(fd, "x", 1, (uint64_t)INT64_MAX, &done),
	    STATUS_DISK_FULL);
	assert_int_equal(vfs_fsync(fd), 0);

	assert_int_equal(vfs_truncate(fd, 3), 0);
	assert_int_equal(vfs_fstat(fd, &st), 0);
	assert_int_equal(st.vs_size, 3);
	assert_int_equal(vfs_allocate(fd, 1 << 20), 0);
	assert_int_equal(vfs_fstat(fd, &st), 0);
	assert_int_equal(st.vs_size, 3);
	assert_true(st.vs_alloc >= 1 << 20);
	assert_int_equal(vfs_allocate(fd, 0), 0);	/* never shrinks */
	assert_int_equal(vfs_fstat(fd, &st), 0);
	assert_int_equal(st.vs_size, 3);
	assert_int_equal(vfs_truncate(fd, 100000), 0);
	assert_int_equal(vfs_fstat(fd, &st), 0);
	assert_int_equal(st.vs_size, 100000);

	/*
	 * A gap the volume cannot hold is refused before anything is
	 * written or allocated (2^62 bytes exceed any test machine).
	 */
	assert_int_equal(vfs_extend_check(fd, 0), 0);
	assert_int_equal(vfs_extend_check(fd, 100000), 0);
	assert_int_equal(vfs_extend_check(fd, 200000), 0);
	assert_int_equal(vfs_extend_check(fd, (uint64_t)1 << 62),
	    STATUS_DISK_FULL);
	assert_int_equal(vfs_allocate(fd, (uint64_t)1 << 62),
	    STATUS_DISK_FULL);
	assert_int_equal(vfs_fstat(fd, &st), 0);
	assert_int_equal(st.vs_size, 100000);
	assert_true(st.vs_alloc < (uint64_t)4 << 20);
	close(fd);

	/* Write on a read-only descriptor. */
	assert_int_equal(vfs_open(f->root, "io", O_RDONLY, 0, &fd), 0);
	assert_int_equal(vfs_pwrite(fd, "x", 1, 0, &done),
	    STATUS_INVALID_HANDLE);
	close(fd);
}

/* --- listings ---------------------------------------------------------- */

static void
test_vfs_dir_large_listing(void **state)
{
	struct fx *f = *state;
	struct vfs_dir *vd;
	struct vfs_stat st;
	char name[VFS_NAME_MAX + 1], first[VFS_NAME_MAX + 1], p[32];
	unsigned char *seen;
	size_t n;
	unsigned int i;
	int dfd, bigfd, fd;

	mkdir_in(f, "big");
	bigfd = openat(f->sharefd, "big", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(bigfd >= 0);
	for (i = 0; i < BIG_LISTING; i++) {
		snprintf(p, sizeof(p), "f%05u", i);
		fd = openat(bigfd, p, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
		assert_true(fd >= 0);
		close(fd);
	}
	seen = calloc(BIG_LISTING, 1);
	assert_non_null(seen);

	assert_int_equal(vfs_open(f->root, "big", O_RDONLY | O_DIRECTORY, 0,
	    &dfd), 0);
	assert_int_equal(vfs_dir_open(dfd, &vd), 0);
	assert_int_equal(vfs_dir_next(vd, name, sizeof(name), &st), 0);
	assert_string_equal(name, ".");
	assert_true(st.vs_is_dir);
	assert_int_equal(vfs_dir_next(vd, name, sizeof(name), &st), 0);
	assert_string_equal(name, "..");
	assert_true(st.vs_is_dir);
	for (n = 0; vfs_dir_next(vd, name, sizeof(name), &st) == 0; n++) {
		assert_int_equal(name[0], 'f');
		i = (unsigned int)strtoul(name + 1, NULL, 10);
		assert_true(i < BIG_LISTING);
		assert_int_equal(seen[i], 0);
		seen[i] = 1;
		assert_false(st.vs_is_dir);
		assert_int_equal(st.vs_attrs, FILE_ATTRIBUTE_ARCHIVE);
	}
	assert_int_equal(n, BIG_LISTING);
	assert_int_equal(vfs_dir_next(vd, name, sizeof(name), &st),
	    STATUS_NO_MORE_FILES);
	assert_int_equal(vfs_dir_next(vd, name, 16, &st),
	    STATUS_BUFFER_TOO_SMALL);

	/* Rewind: the same order; unget gives the entry back. */
	vfs_dir_rewind(vd);
	assert_int_equal(vfs_dir_next(vd, name, sizeof(name), &st), 0);
	assert_string_equal(name, ".");
	vfs_dir_unget(vd);
	assert_int_equal(vfs_dir_next(vd, name, sizeof(name), &st), 0);
	assert_string_equal(name, ".");
	assert_int_equal(vfs_dir_next(vd, name, sizeof(name), &st), 0);
	assert_int_equal(vfs_dir_next(vd, first, sizeof(first), &st), 0);
	vfs_dir_unget(vd);
	vfs_dir_unget(vd);	/* a second unget is a no-op */
	assert_int_equal(vfs_dir_next(vd, name, sizeof(name), &st), 0);
	assert_string_equal(name, first);

	/* The listing is live: removed entries vanish, new ones need a
	 * rewind. */
	assert_int_equal(unlinkat(bigfd, "f00007", 0), 0);
	assert_int_equal(unlinkat(bigfd, "f19999", 0), 0);
	fd = openat(bigfd, "new", O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	close(fd);
	for (n = 1; vfs_dir_next(vd, name, sizeof(name), &st) == 0; n++) {
		assert_string_not_equal(name, "f00007");
		assert_string_not_equal(name, "new");
	}
	assert_int_equal(n, BIG_LISTING - 2 + (strcmp(first, "f00007") == 0 ||
	    strcmp(first, "f19999") == 0 ? 1 : 0));
	vfs_dir_rewind(vd);
	memset(seen, 0, BIG_LISTING);
	for (n = 0; vfs_dir_next(vd, name, sizeof(name), &st) == 0; n++)
		if (strcmp(name, "new") == 0)
			seen[0] = 1;
	assert_int_equal(seen[0], 1);
	assert_int_equal(n, BIG_LISTING - 2 + 1 + 2);
	vfs_dir_close(vd);
	vfs_dir_close(NULL);
	close(dfd);
	close(bigfd);
	free(seen);
}

static void
test_vfs_dir_skips_and_symlinks(void **state)
{
	static const char *bad[] = {
		"a:b", "back\\slash", "ctl\x01", "q?", "star*", "\xff\xfe",
		"pipe|", "lt<", "quote\"",
	};
	struct fx *f = *state;
	struct vfs_dir *vd;
	struct vfs_stat st;
	char name[VFS_NAME_MAX + 1], p[192];
	size_t i, n = 0;
	int dfd, bits = 0;

	mkdir_in(f, "l");
	mkfile(f, "l/good", "abc");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(p, sizeof(p), "l/%s", bad[i]);
		mkfile(f, p, "bad");
	}
	mkdir_in(f, "l/sub");
	symlink_in(f, "good", "l/to_file");
	symlink_in(f, "sub", "l/to_dir");
	symlink_in(f, "../../outside/secret", "l/to_out");
	symlink_in(f, "nothing", "l/dangling");
	/* Inside the share but not beneath the listed directory. */
	symlink_in(f, "../l", "l/to_parent");

	/* The listing works on an O_PATH descriptor too. */
	assert_int_equal(vfs_open(f->root, "l", O_PATH | O_DIRECTORY, 0,
	    &dfd), 0);
	assert_int_equal(vfs_dir_open(dfd, &vd), 0);
	while (vfs_dir_next(vd, name, sizeof(name), &st) == 0) {
		n++;
		if (strcmp(name, "good") == 0 ||
		    strcmp(name, "to_file") == 0) {
			assert_int_equal(st.vs_size, 3);
			assert_true(S_ISREG(st.vs_mode));
			bits |= name[0] == 'g' ? 1 : 2;
		} else if (strcmp(name, "to_dir") == 0 ||
		    strcmp(name, "sub") == 0) {
			assert_true(st.vs_is_dir);
			bits |= name[0] == 't' ? 4 : 8;
		} else if (strcmp(name, "to_out") == 0) {
			assert_true(S_ISLNK(st.vs_mode));
			assert_false(st.vs_is_dir);
			assert_int_equal(st.vs_size,
			    strlen("../../outside/secret"));
			bits |= 16;
		} else if (strcmp(name, "dangling") == 0 ||
		    strcmp(name, "to_parent") == 0) {
			assert_true(S_ISLNK(st.vs_mode));
			assert_false(st.vs_is_dir);
			bits |= name[0] == 'd' ? 32 : 64;
		} else {
			assert_true(strcmp(name, ".") == 0 ||
			    strcmp(name, "..") == 0);
		}
	}
	assert_int_equal(bits, 127);
	assert_int_equal(n, 2 + 7);
	vfs_dir_close(vd);
	close(dfd);

	/* A file is no directory to list. */
	assert_int_equal(vfs_open(f->root, "l/good", O_RDONLY, 0, &dfd), 0);
	assert_int_equal(vfs_dir_open(dfd, &vd), STATUS_NOT_A_DIRECTORY);
	assert_null(vd);
	close(dfd);
}

static void
test_vfs_name_ok(void **state)
{
	char longname[VFS_NAME_MAX + 2];

	(void)state;
	assert_true(vfs_name_ok("a"));
	assert_true(vfs_name_ok("..."));
	assert_true(vfs_name_ok("caf\xc3\xa9"));
	assert_false(vfs_name_ok(""));
	assert_false(vfs_name_ok("."));
	assert_false(vfs_name_ok(".."));
	assert_false(vfs_name_ok("a/b"));
	assert_false(vfs_name_ok("a\\b"));
	assert_false(vfs_name_ok("\xc0\xaf"));	/* overlong '/' */
	memset(longname, 'x', VFS_NAME_MAX);
	longname[VFS_NAME_MAX] = '\0';
	assert_true(vfs_name_ok(longname));
	longname[VFS_NAME_MAX] = 'x';
	longname[VFS_NAME_MAX + 1] = '\0';
	assert_false(vfs_name_ok(longname));
}

/* --- volume and time ------------------------------------------------ */

static void
test_vfs_fsinfo(void **state)
{
	struct fx *f = *state;
	struct vfs_fsinfo fi, fi2;

	assert_int_equal(vfs_fsinfo(f->root, &fi), 0);
	assert_int_equal(fi.fi_bytes_per_sector, 512);
	assert_true(fi.fi_sectors_per_unit >= 1);
	assert_true(fi.fi_sectors_per_unit <= 4096);
	assert_true(fi.fi_total_units > 0);
	assert_true(fi.fi_free_units <= fi.fi_total_units);
	assert_true(fi.fi_avail_units <= fi.fi_free_units);
	assert_int_equal(fi.fi_max_name, 255);
	assert_int_equal(vfs_fsinfo(f->root, &fi2), 0);
	assert_int_equal(fi.fi_serial, fi2.fi_serial);
	assert_int_equal(fi.fi_sectors_per_unit, fi2.fi_sectors_per_unit);
	assert_int_equal(fi.fi_total_units, fi2.fi_total_units);
}

static void
test_vfs_filetime_conversions(void **state)
{
	int64_t sec;
	long nsec;

	(void)state;
	assert_int_equal(vfs_filetime(0, 0), 116444736000000000ULL);
	assert_int_equal(vfs_filetime(-11644473600LL, 0), 0);
	assert_int_equal(vfs_filetime(-11644473601LL, 999999999), 0);
	assert_int_equal(vfs_filetime(INT64_MIN, 0), 0);
	assert_int_equal(vfs_filetime(INT64_MAX, 999999999),
	    (uint64_t)INT64_MAX);
	assert_int_equal(vfs_filetime(1, 999), 116444736010000009ULL);
	/* Out-of-range nanoseconds are carried into seconds. */
	assert_int_equal(vfs_filetime(1, -1000000000L), vfs_filetime(0, 0));
	assert_int_equal(vfs_filetime(0, 1500000000L),
	    vfs_filetime(1, 500000000L));
	assert_int_equal(vfs_filetime(INT64_MAX, 2000000000L),
	    (uint64_t)INT64_MAX);
	assert_int_equal(vfs_filetime(INT64_MIN, -2000000000L), 0);

	vfs_timespec(116444736000000000ULL, &sec, &nsec);
	assert_int_equal(sec, 0);
	assert_int_equal(nsec, 0);
	vfs_timespec(0, &sec, &nsec);
	assert_int_equal(sec, -11644473600LL);
	assert_int_equal(nsec, 0);
	vfs_timespec(116444736012345678ULL, &sec, &nsec);
	assert_int_equal(sec, 1);
	assert_int_equal(nsec, 234567800);
	vfs_timespec(UINT64_MAX, &sec, &nsec);
	assert_int_equal(vfs_filetime(sec, nsec), (uint64_t)INT64_MAX);
	/* Round trip at 100 ns resolution. */
	assert_int_equal(vfs_filetime(1700000000, 123456700),
	    vfs_filetime(1700000000, 123456799));
	vfs_timespec(vfs_filetime(1700000000, 123456700), &sec, &nsec);
	assert_int_equal(sec, 1700000000);
	assert_int_equal(nsec, 123456700);
}

/* --- vfs_sec.c ------------------------------------------------------ */

/*
 * chmod, chown and the kept-DACL attribute act on the open's inode,
 * through an ordinary descriptor and an O_PATH one alike; removing an
 * absent attribute is not an error.
 */
static void
test_vfs_sec_through_plain_and_o_path_descriptors(void **state)
{
	struct fx *f = *state;
	static const uint8_t blob[] = { 1, 0, 4, 0, 9, 9, 9, 9 };
	uint8_t buf[64];
	struct stat sb;
	int fds[2], i;
	ssize_t n;

	mkfile(f, "a", "x");
	assert_int_equal(vfs_open(f->root, "a", O_RDONLY, 0, &fds[0]), 0);
	assert_int_equal(vfs_open(f->root, "a", O_PATH, 0, &fds[1]), 0);
	for (i = 0; i < 2; i++) {
		assert_int_equal(vfs_chmod(fds[i], i ? 0640 : 0600), 0);
		assert_int_equal(fstatat(f->sharefd, "a", &sb, 0), 0);
		assert_int_equal(sb.st_mode & 07777, i ? 0640 : 0600);
		assert_int_equal(vfs_chown(fds[i], (uint32_t)-1, getgid()),
		    0);
		/* /tmp takes user xattrs (test_vfs_dos_xattr_hostile too). */
		assert_int_equal(vfs_acl_put(fds[i], blob, sizeof(blob)), 0);
		n = vfs_acl_get(fds[!i], buf, sizeof(buf));
		assert_int_equal(n, (ssize_t)sizeof(blob));
		assert_memory_equal(buf, blob, sizeof(blob));
		assert_int_equal(vfs_acl_put(fds[i], NULL, 0), 0);
		assert_int_equal(vfs_acl_get(fds[!i], buf, sizeof(buf)), -1);
		assert_int_equal(vfs_acl_put(fds[i], NULL, 0), 0);
	}
	close(fds[0]);
	close(fds[1]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vfs_path_separators_and_root),
		cmocka_unit_test(test_vfs_path_invalid_characters),
		cmocka_unit_test(test_vfs_path_dot_and_empty_components),
		cmocka_unit_test(test_vfs_path_long_components),
		cmocka_unit_test(test_vfs_path_invalid_utf16),
		cmocka_unit_test(test_vfs_status_mapping),
		cmocka_unit_test(test_vfs_name_ok),
		cmocka_unit_test(test_vfs_filetime_conversions),
		cmocka_unit_test_setup_teardown(
		    test_vfs_create_write_read_rename_unlink, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vfs_open_statuses,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_vfs_escape_dotdot_and_absolute, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vfs_escape_symlinks,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_vfs_escape_directory_symlink, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_vfs_symlink_inside_followed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vfs_stat_mapping,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_vfs_change_time_kept_until_change, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vfs_set_info_round_trip,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_vfs_dos_xattr_hostile,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_vfs_open_refuses_fifo,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_vfs_read_write_eof_truncate_allocate, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_vfs_dir_large_listing,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_vfs_dir_skips_and_symlinks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vfs_fsinfo, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_vfs_sec_through_plain_and_o_path_descriptors, setup,
		    teardown),
	};

	/* The mode checks assume files are created 0644. */
	umask(022);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
