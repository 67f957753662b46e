/*
 * fuzz_vfs_path.c — libFuzzer harness for vfs_path_from_smb().
 *
 * The input is an SMB2 CREATE Name (UTF-16LE).  Whatever the function
 * accepts must be safe to hand to openat2 beneath a share root and mean
 * what the client sent:
 *   - no leading '/', no "//", no trailing '/', no ':' or '\' or any
 *     other character MS-FSCC 2.1.5.2 forbids;
 *   - no "." or ".." component (a name that merely contains "..", such
 *     as "a..b", is a valid file name and allowed);
 *   - every component passes vfs_name_ok(), the whole fits VFS_PATH_MAX;
 *   - turned back into UTF-16LE with '\' for '/', it is the input without
 *     its one tolerated leading backslash;
 *   - a buffer one byte short is refused, not overrun.
 * Refusals must be one of the statuses vfs.h names.  A broken promise
 * aborts.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ntstatus.h"
#include "ucs2.h"
#include "vfs.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check(int cond)
{
	if (!cond)
		abort();
}

static void
check_components(char *path)
{
	char *c, *e;

	if (*path == '\0')
		return;		/* the share root */
	for (c = path;; c = e + 1) {
		if ((e = strchr(c, '/')) != NULL)
			*e = '\0';
		check(strcmp(c, ".") != 0 && strcmp(c, "..") != 0);
		check(vfs_name_ok(c));
		if (e == NULL)
			break;
		*e = '/';
	}
}

static void
check_round_trip(const char *out, const uint8_t *in, size_t inlen)
{
	uint8_t *back;
	size_t backlen, i;
	char *copy;

	if (inlen >= 2 && in[0] == '\\' && in[1] == 0) {
		in += 2;
		inlen -= 2;
	}
	if ((copy = strdup(out)) == NULL)
		abort();
	for (i = 0; copy[i] != '\0'; i++)
		if (copy[i] == '/')
			copy[i] = '\\';
	check(ucs2_from_utf8_alloc(copy, strlen(copy), &back, &backlen) == 0);
	check(backlen == inlen && memcmp(back, in, inlen) == 0);
	free(back);
	free(copy);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *in;
	char *out, *small;
	size_t len, i;
	uint32_t st;

	/* Exact-size copies, so that any over-read or overrun is caught. */
	if ((in = malloc(size + 1)) == NULL ||
	    (out = malloc(VFS_PATH_MAX + 1)) == NULL)
		abort();
	memcpy(in, data, size);
	st = vfs_path_from_smb(in, size, out, VFS_PATH_MAX + 1);
	if (st != 0) {
		check(st == STATUS_OBJECT_NAME_INVALID ||
		    st == STATUS_OBJECT_PATH_SYNTAX_BAD);
		goto done;
	}
	len = strlen(out);
	check(len <= VFS_PATH_MAX);
	check(out[0] != '/' && (len == 0 || out[len - 1] != '/'));
	check(strstr(out, "//") == NULL);
	for (i = 0; i < len; i++)
		check(out[i] != ':' && out[i] != '\\' &&
		    (unsigned char)out[i] >= 0x20);
	check_round_trip(out, in, size);
	check_components(out);

	/* The same with no room for the NUL. */
	if ((small = malloc(len > 0 ? len : 1)) == NULL)
		abort();
	check(vfs_path_from_smb(in, size, small, len) ==
	    STATUS_BUFFER_TOO_SMALL);
	free(small);
done:
	free(out);
	free(in);
	return 0;
}
