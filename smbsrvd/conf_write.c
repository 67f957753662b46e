/*
 * conf_write.c — rewriting one share section of smbsrvd.conf (see
 * conf_write.h).  The section boundaries come from the same line reader
 * the parser uses (conf_parse.c), so continuation lines and comments are
 * understood exactly as when the file is loaded.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "conf_write.h"
#include "slurp.h"

/* "smb encrypt" words by CONF_ENCRYPT_* value, as conf_print() writes. */
static const char *const conf_write_encrypt[] = {
	[CONF_ENCRYPT_OFF] = "off",
	[CONF_ENCRYPT_DESIRED] = "desired",
	[CONF_ENCRYPT_REQUIRED] = "required",
};

/*
 * A value survives the line reader unchanged: no control character (tab
 * neither: the reader keeps it, but it reads as a blank at the ends), no
 * blank at either end (the reader trims them), no final backslash (a
 * continuation).
 */
static bool
conf_write_value_ok(const char *v)
{
	size_t n = strlen(v);
	const unsigned char *p;

	if (n > CONF_VALUE_MAX)
		return false;
	for (p = (const unsigned char *)v; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f)
			return false;
	if (n > 0 && (v[0] == ' ' || v[n - 1] == ' ' || v[n - 1] == '\\'))
		return false;
	return true;
}

char *
conf_write_share(const struct conf_share *cs, size_t *lenp)
{
	char *out = NULL;
	int n;

	if (cs->sh_path == NULL || cs->sh_comment == NULL ||
	    !conf_write_value_ok(cs->sh_name) ||
	    !conf_write_value_ok(cs->sh_path) ||
	    !conf_write_value_ok(cs->sh_comment) ||
	    cs->sh_smb_encrypt < CONF_ENCRYPT_OFF ||
	    cs->sh_smb_encrypt > CONF_ENCRYPT_REQUIRED) {
		errno = EINVAL;
		return NULL;
	}
	n = asprintf(&out, "[%s]\n"
	    "\tpath = %s\n"
	    "\tcomment =%s%s\n"
	    "\tread only = %s\n"
	    "\tguest ok = %s\n"
	    "\tmax uses = %u\n"
	    "\tsmb encrypt = %s\n"
	    "\tdurable timeout = %u\n",
	    cs->sh_name, cs->sh_path, cs->sh_comment[0] != '\0' ? " " : "",
	    cs->sh_comment,
	    cs->sh_read_only ? "yes" : "no", cs->sh_guest_ok ? "yes" : "no",
	    cs->sh_max_uses, conf_write_encrypt[cs->sh_smb_encrypt],
	    cs->sh_durable_timeout);
	if (n < 0) {
		errno = ENOMEM;
		return NULL;
	}
	if (lenp != NULL)
		*lenp = (size_t)n;
	return out;
}

/* Byte offset of the start of physical line `line` (1-based). */
static size_t
line_off(const char *buf, size_t len, int line)
{
	size_t off = 0;
	const char *nl;

	while (--line > 0 && off < len) {
		if ((nl = memchr(buf + off, '\n', len - off)) == NULL)
			return len;
		off = (size_t)(nl - buf) + 1;
	}
	return off < len ? off : len;
}

/* Does the physical line at off hold only blanks, or a comment? */
static bool
line_is_filler(const char *buf, size_t len, size_t off)
{
	while (off < len && (buf[off] == ' ' || buf[off] == '\t'))
		off++;
	return off == len || buf[off] == '\n' || buf[off] == '\r' ||
	    buf[off] == '#' || buf[off] == ';';
}

/* Does the physical line that ends just before off end in a backslash? */
static bool
line_continues(const char *buf, size_t off)
{
	if (off == 0 || buf[off - 1] != '\n')
		return false;
	off--;
	if (off > 0 && buf[off - 1] == '\r')
		off--;
	while (off > 0 && (buf[off - 1] == ' ' || buf[off - 1] == '\t'))
		off--;
	return off > 0 && buf[off - 1] == '\\';
}

/*
 * Moves end back over the comment and blank lines that precede the next
 * header, so they stay with it; never before start's line.
 */
static size_t
trim_filler(const char *buf, size_t start, size_t end)
{
	size_t prev;

	while (end > start) {
		/* The start of the physical line that ends at end. */
		prev = end - 1;
		while (prev > start && buf[prev - 1] != '\n')
			prev--;
		if (prev == start || !line_is_filler(buf, end, prev) ||
		    line_continues(buf, prev))
			break;
		end = prev;
	}
	return end;
}

char *
conf_write_replace(const char *buf, size_t len, const char *name,
    const char *section, size_t *outlen, char *err, size_t errlen)
{
	struct conf_parser *cp;
	enum conf_tok tok;
	int start_line = 0, end_line = 0;
	size_t start, end, slen = section != NULL ? strlen(section) : 0;
	size_t total;
	bool nl, sep;
	char *out;

	if ((cp = malloc(sizeof(*cp))) == NULL)
		return NULL;
	conf_parse_init(cp, buf, len);
	while ((tok = conf_parse_next(cp)) != CONF_TOK_END) {
		if (tok == CONF_TOK_ERROR) {
			snprintf(err, errlen, "%d: %s", cp->cp_line,
			    cp->cp_err);
			free(cp);
			errno = EINVAL;
			return NULL;
		}
		if (tok != CONF_TOK_SECTION)
			continue;
		if (start_line != 0 && end_line == 0)
			end_line = cp->cp_line;
		else if (start_line == 0 &&
		    strcasecmp(cp->cp_name, name) == 0)
			start_line = cp->cp_line;
	}
	free(cp);
	if (start_line == 0 && section == NULL) {
		snprintf(err, errlen, "no section [%s]", name);
		errno = ENOENT;
		return NULL;
	}
	if (start_line == 0) {
		/* Appended, one blank line after what was there. */
		start = end = len;
		nl = len > 0 && buf[len - 1] != '\n';
	} else {
		start = line_off(buf, len, start_line);
		end = end_line != 0 ? line_off(buf, len, end_line) : len;
		end = trim_filler(buf, start, end);
		nl = false;
		/* A removal leaves one blank line between its neighbours. */
		if (section == NULL && start >= 2 && buf[start - 1] == '\n' &&
		    buf[start - 2] == '\n' && end < len && buf[end] == '\n')
			end++;
		/* The last section goes with the blank lines before it. */
		while (section == NULL && end == len && start >= 2 &&
		    buf[start - 1] == '\n' && buf[start - 2] == '\n')
			start--;
	}
	/* A blank line between a rewritten section and a header next. */
	sep = start_line != 0 && section != NULL && end < len &&
	    !line_is_filler(buf, len, end);
	total = start + (nl ? 1 : 0) + (start_line == 0 && len > 0 ? 1 : 0) +
	    slen + (sep ? 1 : 0) + (len - end) + 1;
	if ((out = malloc(total)) == NULL)
		return NULL;
	memcpy(out, buf, start);
	total = start;
	if (nl)
		out[total++] = '\n';
	if (start_line == 0 && len > 0)
		out[total++] = '\n';
	memcpy(out + total, section != NULL ? section : "", slen);
	total += slen;
	if (sep)
		out[total++] = '\n';
	memcpy(out + total, buf + end, len - end);
	total += len - end;
	out[total] = '\0';
	if (outlen != NULL)
		*outlen = total;
	return out;
}

char *
conf_write_read(const char *path, size_t *lenp)
{
	return slurp(path, CONF_FILE_MAX, lenp);
}

static int
write_all(int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len > 0) {
		if ((n = write(fd, buf, len)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

int
conf_write_file(const char *path, const char *buf, size_t len)
{
	char tmp[PATH_MAX], dir[PATH_MAX];
	struct stat st;
	mode_t mode = 0644;
	int fd, dfd, saved;

	if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp)
	    || snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (stat(path, &st) == 0)
		mode = st.st_mode & 07777;
	if ((fd = mkostemp(tmp, O_CLOEXEC)) == -1)
		return -1;
	if (fchmod(fd, mode) == -1 || write_all(fd, buf, len) == -1 ||
	    fsync(fd) == -1) {
		saved = errno;
		close(fd);
		(void)unlink(tmp);
		errno = saved;
		return -1;
	}
	if (close(fd) == -1 || rename(tmp, path) == -1) {
		saved = errno;
		(void)unlink(tmp);
		errno = saved;
		return -1;
	}
	/* The rename itself must reach the disk. */
	if ((dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) ==
	    -1)
		return -1;
	if (fsync(dfd) == -1) {
		saved = errno;
		close(dfd);
		errno = saved;
		return -1;
	}
	close(dfd);
	return 0;
}
