/*
 * userdb.h — the user database: NT hashes, never passwords.
 *
 * The file (the "user db" keyword of smbsrvd.conf) is text, one user a
 * line:
 *
 *   # smbsrvd user database v1
 *   # a line starting with '#' is a comment; empty lines are ignored
 *   alice:enabled:8846F7EAEE8FB117AD06BDD830B7586C
 *   bob:disabled:0CB6948805F797BF2A82807973B89537
 *
 *   - The first line is exactly "# smbsrvd user database v1".  A missing
 *     file, or an empty one, is an empty database.
 *   - name: 1 to 64 bytes of UTF-8 (shortest form, no surrogates), with
 *     no ':', '\\', '/', '@' and no control characters (U+0000-U+001F,
 *     U+007F-U+009F, which includes '\n').
 *   - state: "enabled" or "disabled".  A disabled user cannot log on.
 *   - hash: the NT hash (MD4 of the UTF-16LE password, ntlm_nthash() in
 *     ntlm.c) as 32 hex digits; read in either case, written upper case.
 *   - Fields are separated by single ':' with no spaces; lines end with
 *     '\n' (the last one may lack it); no '\r'.
 *   - Names are unique ignoring ASCII case, and lookups ignore ASCII case:
 *     "Alice" finds "alice".  Only A-Z/a-z are folded; other letters
 *     compare byte for byte (no Unicode case folding: Windows folds more,
 *     so "Ä" and "ä" are two users here).  The stored spelling is kept.
 *
 * The file holds password equivalents (an NT hash is enough to log on
 * with NTLM), so userdb_load() refuses a file that is not a regular file,
 * not owned by the effective user or root, or accessible by group or
 * others (any of mode 077), and says which, as ssh does for private
 * keys.  userdb_save() replaces the file atomically: a temporary file in
 * the same directory created mode 0600, written, fsync'd, renamed over
 * the old one, then the directory fsync'd; a crash leaves the old file or
 * the new one, never a mix.  Comments are not kept by a save.
 *
 * Load errors are "FILE:LINE: problem" (or "FILE: problem") in err, like
 * the config parser.  Editing functions return 0 or an errno value; the
 * iteration callback must not change the database.
 */
#ifndef SMBSRVD_USERDB_H
#define SMBSRVD_USERDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define USERDB_HEADER		"# smbsrvd user database v1"
#define USERDB_NAME_MAX		64	/* bytes of UTF-8 */
#define USERDB_HASH_LEN		16
#define USERDB_FILE_MAX		(16 * 1024 * 1024)

/* A copy of one user, as handed out. */
struct userdb_user {
	char		 uu_name[USERDB_NAME_MAX + 1];
	uint8_t		 uu_hash[USERDB_HASH_LEN];
	bool		 uu_enabled;
};

struct userdb;

struct userdb	*userdb_new(void);
/* NULL on error, with "FILE:LINE: problem" in err. */
struct userdb	*userdb_load(const char *path, char *err, size_t errlen);
/* The same from memory; name labels the errors. */
struct userdb	*userdb_parse(const char *buf, size_t len, const char *name,
		    char *err, size_t errlen);
/* 0, or -1 with errno; the file is untouched on failure. */
int		 userdb_save(const struct userdb *, const char *path);
/* The file's text (malloc'd, NUL-terminated), or NULL with errno. */
char		*userdb_text(const struct userdb *, size_t *len);
void		 userdb_free(struct userdb *);

/* NULL if name is acceptable, else why not ("user name too long"). */
const char	*userdb_name_check(const char *name);
size_t		 userdb_count(const struct userdb *);
/* 0 and a copy in *out (may be NULL), or ENOENT. */
int		 userdb_find(const struct userdb *, const char *name,
		    struct userdb_user *out);
/* 0, EEXIST (ignoring ASCII case), EINVAL (bad name) or ENOMEM. */
int		 userdb_add(struct userdb *, const char *name,
		    const uint8_t hash[USERDB_HASH_LEN], bool enabled);
/* 0 or ENOENT. */
int		 userdb_set_hash(struct userdb *, const char *name,
		    const uint8_t hash[USERDB_HASH_LEN]);
int		 userdb_set_enabled(struct userdb *, const char *name, bool);
int		 userdb_remove(struct userdb *, const char *name);
/*
 * Calls fn for every user in file order; stops at and returns the first
 * non-zero value fn returns, else 0.
 */
int		 userdb_foreach(const struct userdb *,
		    int (*fn)(const struct userdb_user *, void *), void *arg);

#endif
