/*
 * conf_write.h — changes the management plane makes to smbsrvd.conf.
 *
 * The administrator's file stays theirs: a change replaces, appends or
 * removes exactly one share section and leaves every other byte —
 * comments, blank lines, [global], the other shares — as it was.  The
 * caller then parses the whole new text (conf_parse()) before writing
 * it, so nothing that does not load is ever written, and writes it with
 * conf_write_file(), which replaces the file atomically: a temporary file
 * in the same folder with the old file's mode, written, fsync'd, renamed
 * over the old one, then the folder fsync'd.  A crash leaves the old file
 * or the new one, never a mix.
 */
#ifndef SMBSRVD_CONF_WRITE_H
#define SMBSRVD_CONF_WRITE_H

#include <stddef.h>

#include "conf.h"

/*
 * The section of one share as text, "[name]\n\tkey = value\n...", every
 * keyword written (canonical names, as conf_print() does).  NULL with
 * errno: EINVAL for a value that cannot be written on one line (a control
 * character, a trailing backslash, blanks at either end), ENOMEM.
 */
char	*conf_write_share(const struct conf_share *, size_t *lenp);

/*
 * buf with the section [name] (any case) replaced by section, or removed
 * when section is NULL, or section appended when there is no [name].  A
 * section runs from its header to the next header; comments and blank
 * lines just before the next header stay with it.  Returns malloc'd text
 * (NUL-terminated) or NULL with errno: EINVAL when buf does not read as a
 * configuration (err says "LINE: problem"), ENOENT when section is NULL
 * and there is no [name], ENOMEM.
 */
char	*conf_write_replace(const char *buf, size_t len, const char *name,
	    const char *section, size_t *outlen, char *err, size_t errlen);

/* The file's bytes (at most CONF_FILE_MAX), NUL-terminated; NULL, errno. */
char	*conf_write_read(const char *path, size_t *lenp);

/* Replaces path with buf atomically (see above); 0 or -1 with errno. */
int	 conf_write_file(const char *path, const char *buf, size_t len);

#endif
