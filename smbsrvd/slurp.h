/*
 * slurp.h — reading a whole small regular file into memory.
 */
#ifndef SMBSRVD_SLURP_H
#define SMBSRVD_SLURP_H

#include <stddef.h>

/*
 * The contents of the regular file path, NUL-terminated, in a buffer the
 * caller frees; *lenp is its length.  NULL with errno: the open(2),
 * fstat(2) or read(2) error, EINVAL (not a regular file), EFBIG (over
 * max bytes) or ENOMEM.
 */
char	*slurp(const char *path, size_t max, size_t *lenp);

#endif
