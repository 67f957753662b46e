/*
 * test_notify.c — change notification (notify.c): inotify events to
 * FILE_NOTIFY_INFORMATION actions and CompletionFilter bits, the
 * encoding of MS-FSCC 2.7.1 with its alignment and the buffer limit,
 * and real watches on a mkdtemp(3) directory driven by notify_poll():
 * names, filters, renames, trees, bounds, and what came before a watch.
 */
#include <sys/inotify.h>
#include <sys/stat.h>

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

#include "loop.h"
#include "msgbuf.h"
#include "notify.h"
#include "ntstatus.h"
#include "ucs2.h"

#define ALL_NAMES	(FILE_NOTIFY_CHANGE_FILE_NAME | \
			 FILE_NOTIFY_CHANGE_DIR_NAME)

/* ---- the pure part ---- */

static void
expect_map(uint32_t mask, bool paired, uint32_t action, uint32_t filter)
{
	uint32_t a, f;

	assert_true(notify_map(mask, paired, &a, &f));
	assert_int_equal(a, action);
	assert_int_equal(f, filter);
}

static void
test_notify_map_name_events_by_kind(void **state)
{
	(void)state;
	expect_map(IN_CREATE, false, FILE_ACTION_ADDED,
	    FILE_NOTIFY_CHANGE_FILE_NAME);
	expect_map(IN_CREATE | IN_ISDIR, false, FILE_ACTION_ADDED,
	    FILE_NOTIFY_CHANGE_DIR_NAME);
	expect_map(IN_DELETE, false, FILE_ACTION_REMOVED,
	    FILE_NOTIFY_CHANGE_FILE_NAME);
	expect_map(IN_DELETE | IN_ISDIR, false, FILE_ACTION_REMOVED,
	    FILE_NOTIFY_CHANGE_DIR_NAME);
}

static void
test_notify_map_moves_pair_as_rename_else_leave_and_arrive(void **state)
{
	(void)state;
	expect_map(IN_MOVED_FROM, true, FILE_ACTION_RENAMED_OLD_NAME,
	    FILE_NOTIFY_CHANGE_FILE_NAME);
	expect_map(IN_MOVED_TO, true, FILE_ACTION_RENAMED_NEW_NAME,
	    FILE_NOTIFY_CHANGE_FILE_NAME);
	expect_map(IN_MOVED_FROM | IN_ISDIR, true,
	    FILE_ACTION_RENAMED_OLD_NAME, FILE_NOTIFY_CHANGE_DIR_NAME);
	expect_map(IN_MOVED_FROM, false, FILE_ACTION_REMOVED,
	    FILE_NOTIFY_CHANGE_FILE_NAME);
	expect_map(IN_MOVED_TO | IN_ISDIR, false, FILE_ACTION_ADDED,
	    FILE_NOTIFY_CHANGE_DIR_NAME);
}

static void
test_notify_map_content_and_attributes_are_modified(void **state)
{
	uint32_t a, f;

	(void)state;
	expect_map(IN_MODIFY, false, FILE_ACTION_MODIFIED,
	    FILE_NOTIFY_CHANGE_SIZE | FILE_NOTIFY_CHANGE_LAST_WRITE);
	assert_true(notify_map(IN_ATTRIB, false, &a, &f));
	assert_int_equal(a, FILE_ACTION_MODIFIED);
	assert_true(f & FILE_NOTIFY_CHANGE_ATTRIBUTES);
	assert_true(f & FILE_NOTIFY_CHANGE_SECURITY);
	assert_true(f & FILE_NOTIFY_CHANGE_EA);
	assert_true(f & FILE_NOTIFY_CHANGE_CREATION);
	/* An attribute change is never a name change, nor a size change. */
	assert_int_equal(f & (ALL_NAMES | FILE_NOTIFY_CHANGE_SIZE), 0);
	assert_int_equal(f & ~(uint32_t)FILE_NOTIFY_VALID_MASK, 0);
}

static void
test_notify_map_refuses_what_is_no_change(void **state)
{
	static const uint32_t masks[] = { IN_IGNORED, IN_Q_OVERFLOW,
	    IN_UNMOUNT, IN_OPEN, IN_ACCESS, IN_CLOSE_NOWRITE, IN_CLOSE_WRITE,
	    IN_DELETE_SELF, IN_MOVE_SELF, IN_OPEN | IN_ISDIR };
	uint32_t a, f;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(masks) / sizeof(masks[0]); i++) {
		assert_false(notify_map(masks[i], false, &a, &f));
		assert_int_equal(a, 0);
		assert_int_equal(f, 0);
	}
}

/* Changes named in UTF-8, '\' already in place, into c[]. */
static void
mk_changes(struct notify_change *c, const uint32_t *actions,
    const char **names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		c[i].nc_action = actions[i];
		assert_int_equal(ucs2_from_utf8_alloc(names[i],
		    strlen(names[i]), &c[i].nc_name, &c[i].nc_len), 0);
	}
}

static void
free_changes(struct notify_change *c, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(c[i].nc_name);
}

static void
test_notify_encode_pads_to_four_between_entries_not_after(void **state)
{
	static const uint32_t actions[] = { FILE_ACTION_ADDED,
	    FILE_ACTION_RENAMED_OLD_NAME, FILE_ACTION_RENAMED_NEW_NAME };
	static const char *names[] = { "a", "bcd", "d\\ef" };
	struct notify_change c[3];
	struct msgbuf_wr wr;
	const uint8_t *b;

	(void)state;
	mk_changes(c, actions, names, 3);
	/* 12+2 -> 16, 12+6 -> 20 (padded), 12+8 = 20 (last, as is). */
	assert_int_equal(notify_size(c, 3), 16 + 20 + 20);
	msgbuf_wr_init(&wr, 4096);
	assert_int_equal(notify_encode(&wr, c, 3, 56), STATUS_SUCCESS);
	assert_true(msgbuf_wr_ok(&wr));
	assert_int_equal(msgbuf_wr_len(&wr), 56);
	b = wr.wr_buf;
	assert_int_equal(le32dec(b + 0), 16);
	assert_int_equal(le32dec(b + 4), FILE_ACTION_ADDED);
	assert_int_equal(le32dec(b + 8), 2);
	assert_memory_equal(b + 12, "a\0", 2);
	assert_memory_equal(b + 14, "\0\0", 2);
	assert_int_equal(le32dec(b + 16), 20);
	assert_int_equal(le32dec(b + 20), FILE_ACTION_RENAMED_OLD_NAME);
	assert_int_equal(le32dec(b + 24), 6);
	assert_memory_equal(b + 28, "b\0c\0d\0", 6);
	assert_memory_equal(b + 34, "\0\0", 2);
	assert_int_equal(le32dec(b + 36), 0);
	assert_int_equal(le32dec(b + 40), FILE_ACTION_RENAMED_NEW_NAME);
	assert_int_equal(le32dec(b + 44), 8);
	assert_memory_equal(b + 48, "d\0\\\0e\0f\0", 8);
	msgbuf_wr_free(&wr);
	free_changes(c, 3);
}

static void
test_notify_encode_too_big_is_enum_dir_and_writes_nothing(void **state)
{
	static const uint32_t actions[] = { FILE_ACTION_ADDED,
	    FILE_ACTION_REMOVED };
	static const char *names[] = { "x.txt", "y" };
	struct notify_change c[2];
	struct msgbuf_wr wr;
	size_t size;

	(void)state;
	mk_changes(c, actions, names, 2);
	size = notify_size(c, 2);
	assert_int_equal(size, 24 + 14);
	msgbuf_wr_init(&wr, 4096);
	assert_int_equal(notify_encode(&wr, c, 2, (uint32_t)size - 1),
	    STATUS_NOTIFY_ENUM_DIR);
	assert_int_equal(msgbuf_wr_len(&wr), 0);
	assert_int_equal(notify_encode(&wr, c, 2, 0), STATUS_NOTIFY_ENUM_DIR);
	assert_int_equal(msgbuf_wr_len(&wr), 0);
	/* Exactly the size fits: the last entry's padding is not counted. */
	assert_int_equal(notify_encode(&wr, c, 2, (uint32_t)size),
	    STATUS_SUCCESS);
	assert_int_equal(msgbuf_wr_len(&wr), size);
	msgbuf_wr_free(&wr);
	free_changes(c, 2);
}

static void
test_notify_encode_nothing_is_empty(void **state)
{
	struct msgbuf_wr wr;

	(void)state;
	assert_int_equal(notify_size(NULL, 0), 0);
	msgbuf_wr_init(&wr, 16);
	assert_int_equal(notify_encode(&wr, NULL, 0, 0), STATUS_SUCCESS);
	assert_int_equal(msgbuf_wr_len(&wr), 0);
	msgbuf_wr_free(&wr);
}

/* ---- real watches ---- */

struct fx {
	char	tmp[64];
	int	dirfd;		/* the "open" a watch borrows */
	int	calls;		/* of the watch function */
};

static int
setup(void **state)
{
	struct fx *f;

	if (loop_init() == -1 || (f = calloc(1, sizeof(*f))) == NULL)
		return -1;
	(void)snprintf(f->tmp, sizeof(f->tmp), "/tmp/test_notify.XXXXXX");
	if (mkdtemp(f->tmp) == NULL)
		return -1;
	if ((f->dirfd = open(f->tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) ==
	    -1)
		return -1;
	*state = f;
	return 0;
}

static int
rm_one(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	return type == FTW_DP ? rmdir(path) : unlink(path);
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	close(f->dirfd);
	assert_int_equal(nftw(f->tmp, rm_one, 16, FTW_DEPTH | FTW_PHYS), 0);
	notify_shutdown();
	loop_free();
	free(f);
	return 0;
}

static void
count_fn(struct notify_watch *w, void *arg)
{
	(void)w;
	((struct fx *)arg)->calls++;
}

static struct notify_watch *
watch(struct fx *f, bool tree, uint32_t filter, uint32_t max)
{
	struct notify_watch *w;

	assert_int_equal(notify_watch_new(f->dirfd, tree, filter, max,
	    count_fn, f, &w), STATUS_SUCCESS);
	assert_non_null(w);
	return w;
}

/* Test actions go around smbsrvd on purpose: a local user's changes. */
static void
mkfile(struct fx *f, const char *rel)
{
	int fd;

	fd = openat(f->dirfd, rel, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0644);
	assert_true(fd >= 0);
	close(fd);
}

/*
 * What the watch has, as "action:name" lines ('\' kept), after reading
 * inotify; "" if nothing, "ENUM_DIR" if it lost track.
 */
static char *
take(struct notify_watch *w, uint32_t max)
{
	static char out[4096];
	struct msgbuf_wr wr;
	const uint8_t *b;
	char name[1024];
	size_t off = 0, len = 0, at = 0;
	uint32_t st, next;

	notify_poll();
	out[0] = '\0';
	msgbuf_wr_init(&wr, 1 << 20);
	st = notify_watch_take(w, max, &wr);
	if (st == STATUS_NOTIFY_ENUM_DIR) {
		assert_int_equal(msgbuf_wr_len(&wr), 0);
		msgbuf_wr_free(&wr);
		return strcpy(out, "ENUM_DIR");
	}
	assert_int_equal(st, STATUS_SUCCESS);
	b = wr.wr_buf;
	len = msgbuf_wr_len(&wr);
	while (off < len) {
		assert_true(off % 4 == 0 && off + 12 <= len);
		next = le32dec(b + off);
		assert_true(ucs2_to_utf8(b + off + 12, le32dec(b + off + 8),
		    name, sizeof(name)) >= 0);
		at += (size_t)snprintf(out + at, sizeof(out) - at, "%s%u:%s",
		    at > 0 ? " " : "", le32dec(b + off + 4), name);
		if (next == 0)
			break;
		off += next;
	}
	msgbuf_wr_free(&wr);
	return out;
}

static void
test_notify_watch_reports_a_created_file_by_name(void **state)
{
	struct fx *f = *state;
	struct notify_watch *w = watch(f, false, ALL_NAMES, 4096);

	assert_false(notify_watch_ready(w));
	mkfile(f, "new.txt");
	notify_poll();
	assert_int_equal(f->calls, 1);
	assert_true(notify_watch_ready(w));
	assert_string_equal(take(w, 4096), "1:new.txt");
	assert_false(notify_watch_ready(w));
	assert_int_equal(unlinkat(f->dirfd, "new.txt", 0), 0);
	assert_string_equal(take(w, 4096), "2:new.txt");
	notify_watch_free(w);
}

static void
test_notify_watch_records_only_what_the_filter_asks(void **state)
{
	struct fx *f = *state;
	struct notify_watch *w = watch(f, false, FILE_NOTIFY_CHANGE_DIR_NAME,
	    4096);

	mkfile(f, "file");
	assert_int_equal(fchmodat(f->dirfd, "file", 0600, 0), 0);
	notify_poll();
	assert_int_equal(f->calls, 0);
	assert_false(notify_watch_ready(w));
	assert_int_equal(mkdirat(f->dirfd, "dir", 0755), 0);
	assert_string_equal(take(w, 4096), "1:dir");
	notify_watch_free(w);
}

static void
test_notify_watch_coalesces_repeats_and_ignores_unlinked(void **state)
{
	struct fx *f = *state;
	struct notify_watch *w = watch(f, false, FILE_NOTIFY_VALID_MASK,
	    4096);
	int fd;

	fd = openat(f->dirfd, "f", O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "abc", 3), 3);
	assert_int_equal(write(fd, "def", 3), 3);
	assert_int_equal(fchmod(fd, 0600), 0);
	/* Write, write, chmod: one MODIFIED, as Samba coalesces them. */
	assert_string_equal(take(w, 4096), "1:f 3:f");
	/* After its name is gone the open file says nothing more. */
	assert_int_equal(unlinkat(f->dirfd, "f", 0), 0);
	assert_int_equal(write(fd, "ghi", 3), 3);
	close(fd);
	assert_string_equal(take(w, 4096), "2:f");
	notify_watch_free(w);
}

static void
test_notify_watch_rename_is_a_pair_moving_out_is_removed(
    void **state)
{
	struct fx *f = *state;
	struct notify_watch *w;

	assert_int_equal(mkdirat(f->dirfd, "sub", 0755), 0);
	mkfile(f, "a");
	w = watch(f, false, ALL_NAMES, 4096);
	assert_int_equal(renameat(f->dirfd, "a", f->dirfd, "b"), 0);
	assert_string_equal(take(w, 4096), "4:a 5:b");
	/* Not a tree watch: sub/ is not watched, b just left. */
	assert_int_equal(renameat(f->dirfd, "b", f->dirfd, "sub/b"), 0);
	assert_string_equal(take(w, 4096), "2:b");
	assert_int_equal(renameat(f->dirfd, "sub/b", f->dirfd, "c"), 0);
	assert_string_equal(take(w, 4096), "1:c");
	notify_watch_free(w);
}

static void
test_notify_watch_tree_sees_below_and_follows_new_dirs(
    void **state)
{
	struct fx *f = *state;
	struct notify_watch *w;

	assert_int_equal(mkdirat(f->dirfd, "sub", 0755), 0);
	assert_int_equal(mkdirat(f->dirfd, "sub/deep", 0755), 0);
	w = watch(f, true, ALL_NAMES, 4096);
	mkfile(f, "sub/deep/x");
	assert_string_equal(take(w, 4096), "1:sub\\deep\\x");
	/* A directory made later is watched once it is announced. */
	assert_int_equal(mkdirat(f->dirfd, "new", 0755), 0);
	assert_string_equal(take(w, 4096), "1:new");
	mkfile(f, "new/y");
	assert_string_equal(take(w, 4096), "1:new\\y");
	/* Renamed in place: its tree is known by the new name. */
	assert_int_equal(renameat(f->dirfd, "sub", f->dirfd, "sub2"), 0);
	assert_string_equal(take(w, 4096), "4:sub 5:sub2");
	mkfile(f, "sub2/deep/z");
	assert_string_equal(take(w, 4096), "1:sub2\\deep\\z");
	/* Moved between directories of the tree: left here, came there. */
	assert_int_equal(renameat(f->dirfd, "sub2/deep/z", f->dirfd,
	    "new/z"), 0);
	assert_string_equal(take(w, 4096), "2:sub2\\deep\\z 1:new\\z");
	notify_watch_free(w);
}

static void
test_notify_watch_too_many_changes_is_enum_dir_once(void **state)
{
	struct fx *f = *state;
	struct notify_watch *w;

	/* 12 + 2 * 11 bytes each: two fit in 70, three do not. */
	w = watch(f, false, ALL_NAMES, 70);
	mkfile(f, "file-01.txt");
	mkfile(f, "file-02.txt");
	mkfile(f, "file-03.txt");
	notify_poll();
	assert_true(notify_watch_ready(w));
	assert_string_equal(take(w, 4096), "ENUM_DIR");
	assert_false(notify_watch_ready(w));
	mkfile(f, "file-04.txt");
	assert_string_equal(take(w, 4096), "1:file-04.txt");
	/* The request's own size counts too, and what did not fit is gone. */
	mkfile(f, "file-05.txt");
	assert_string_equal(take(w, 10), "ENUM_DIR");
	assert_false(notify_watch_ready(w));
	notify_watch_free(w);
}

static void
test_notify_watch_sees_nothing_from_before_it(void **state)
{
	struct fx *f = *state;
	struct notify_watch *w1, *w2;

	w1 = watch(f, false, ALL_NAMES, 4096);
	mkfile(f, "early");		/* not read from inotify yet */
	w2 = watch(f, false, ALL_NAMES, 4096);
	mkfile(f, "late");
	assert_string_equal(take(w1, 4096), "1:early 1:late");
	assert_string_equal(take(w2, 4096), "1:late");
	notify_watch_free(w1);
	/* The other watch of the directory still works. */
	mkfile(f, "later");
	assert_string_equal(take(w2, 4096), "1:later");
	notify_watch_free(w2);
}

static void
test_notify_watch_needs_a_directory_and_skips_links(void **state)
{
	struct fx *f = *state;
	struct notify_watch *w;
	int fd;

	/* A link to a directory in the tree is not followed. */
	assert_int_equal(mkdirat(f->dirfd, "real", 0755), 0);
	assert_int_equal(symlinkat("real", f->dirfd, "link"), 0);
	w = watch(f, true, ALL_NAMES, 4096);
	mkfile(f, "real/a");
	assert_string_equal(take(w, 4096), "1:real\\a");
	notify_watch_free(w);
	mkfile(f, "plain");
	fd = openat(f->dirfd, "plain", O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_not_equal(notify_watch_new(fd, false, ALL_NAMES, 4096,
	    count_fn, f, &w), STATUS_SUCCESS);
	assert_null(w);
	close(fd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_notify_map_name_events_by_kind),
		cmocka_unit_test(
		    test_notify_map_moves_pair_as_rename_else_leave_and_arrive),
		cmocka_unit_test(
		    test_notify_map_content_and_attributes_are_modified),
		cmocka_unit_test(test_notify_map_refuses_what_is_no_change),
		cmocka_unit_test(
		    test_notify_encode_pads_to_four_between_entries_not_after),
		cmocka_unit_test(
		    test_notify_encode_too_big_is_enum_dir_and_writes_nothing),
		cmocka_unit_test(test_notify_encode_nothing_is_empty),
		cmocka_unit_test_setup_teardown(
		    test_notify_watch_reports_a_created_file_by_name,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_notify_watch_records_only_what_the_filter_asks,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_notify_watch_coalesces_repeats_and_ignores_unlinked,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_notify_watch_rename_is_a_pair_moving_out_is_removed,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_notify_watch_tree_sees_below_and_follows_new_dirs,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_notify_watch_too_many_changes_is_enum_dir_once,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_notify_watch_sees_nothing_from_before_it,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_notify_watch_needs_a_directory_and_skips_links,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
