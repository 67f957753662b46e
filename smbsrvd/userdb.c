/*
 * userdb.c — the user database file and its in-memory table (see
 * userdb.h for the format and the rules).
 *
 * Users live on one list in file order (so a save keeps the order the
 * administrator wrote) and in a chained hash table keyed by the ASCII
 * case-folded name, each with its own link member.  The table doubles
 * when it holds more users than buckets.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "queue.h"
#include "userdb.h"

#define USERDB_MIN_BUCKETS	16

struct userdb_ent {
	TAILQ_ENTRY(userdb_ent)	 ue_entry;	/* file order */
	struct userdb_ent	*ue_hnext;	/* hash chain */
	uint32_t		 ue_hval;
	int			 ue_line;	/* where it was read, or 0 */
	struct userdb_user	 ue_user;
};
TAILQ_HEAD(userdb_ents, userdb_ent);

struct userdb {
	struct userdb_ents	  udb_list;
	struct userdb_ent	**udb_tab;
	size_t			  udb_nbuckets;	/* a power of two */
	size_t			  udb_count;
};

static int
ascii_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/* strcasecmp() folds by locale; names fold ASCII only, always. */
static bool
name_eq(const char *a, const char *b)
{
	while (*a != '\0' && ascii_lower((unsigned char)*a) ==
	    ascii_lower((unsigned char)*b)) {
		a++;
		b++;
	}
	return *a == '\0' && *b == '\0';
}

/* FNV-1a over the folded name. */
static uint32_t
name_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s != '\0'; s++) {
		h ^= (uint32_t)ascii_lower((unsigned char)*s);
		h *= 16777619u;
	}
	return h;
}

/*
 * Why a name of len bytes is unacceptable, or NULL.  UTF-8 per RFC 3629:
 * shortest form only, no surrogates, nothing above U+10FFFF.
 */
static const char *
name_problem(const char *name, size_t len)
{
	const unsigned char *s = (const unsigned char *)name;
	uint32_t cp, min;
	size_t i, n, k;

	if (len == 0)
		return "empty user name";
	if (len > USERDB_NAME_MAX)
		return "user name longer than 64 bytes";
	for (i = 0; i < len; i += n) {
		if (s[i] < 0x80) {
			n = 1;
			if (s[i] < 0x20 || s[i] == 0x7f)
				return "control character in user name";
			if (strchr(":\\/@", s[i]) != NULL)
				return "user name contains ':', '\\', '/' "
				    "or '@'";
			continue;
		}
		if ((s[i] & 0xe0) == 0xc0) {
			n = 2;
			cp = s[i] & 0x1f;
			min = 0x80;
		} else if ((s[i] & 0xf0) == 0xe0) {
			n = 3;
			cp = s[i] & 0x0f;
			min = 0x800;
		} else if ((s[i] & 0xf8) == 0xf0) {
			n = 4;
			cp = s[i] & 0x07;
			min = 0x10000;
		} else
			return "user name is not valid UTF-8";
		if (n > len - i)
			return "user name is not valid UTF-8";
		for (k = 1; k < n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return "user name is not valid UTF-8";
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return "user name is not valid UTF-8";
		if (cp <= 0x9f)
			return "control character in user name";
	}
	return NULL;
}

const char *
userdb_name_check(const char *name)
{
	size_t len = strnlen(name, USERDB_NAME_MAX + 1);

	return name_problem(name, len);
}

struct userdb *
userdb_new(void)
{
	struct userdb *db;

	if ((db = calloc(1, sizeof(*db))) == NULL)
		return NULL;
	TAILQ_INIT(&db->udb_list);
	db->udb_nbuckets = USERDB_MIN_BUCKETS;
	if ((db->udb_tab = calloc(db->udb_nbuckets,
	    sizeof(*db->udb_tab))) == NULL) {
		free(db);
		return NULL;
	}
	return db;
}

void
userdb_free(struct userdb *db)
{
	struct userdb_ent *ue, *next;

	if (db == NULL)
		return;
	TAILQ_FOREACH_SAFE(ue, &db->udb_list, ue_entry, next) {
		/* A hash is a password equivalent: do not leave it lying. */
		explicit_bzero(ue, sizeof(*ue));
		free(ue);
	}
	free(db->udb_tab);
	free(db);
}

size_t
userdb_count(const struct userdb *db)
{
	return db->udb_count;
}

static struct userdb_ent *
lookup(const struct userdb *db, const char *name)
{
	struct userdb_ent *ue;
	uint32_t h = name_hash(name);

	for (ue = db->udb_tab[h & (db->udb_nbuckets - 1)]; ue != NULL;
	    ue = ue->ue_hnext)
		if (ue->ue_hval == h && name_eq(ue->ue_user.uu_name, name))
			return ue;
	return NULL;
}

/* Doubles the table; on allocation failure the old one stays. */
static void
grow(struct userdb *db)
{
	struct userdb_ent **tab, *ue;
	size_t n = db->udb_nbuckets * 2, b;

	if ((tab = calloc(n, sizeof(*tab))) == NULL)
		return;
	TAILQ_FOREACH(ue, &db->udb_list, ue_entry) {
		b = ue->ue_hval & (n - 1);
		ue->ue_hnext = tab[b];
		tab[b] = ue;
	}
	free(db->udb_tab);
	db->udb_tab = tab;
	db->udb_nbuckets = n;
}

/* Inserts a new user whose name has been checked and is not taken. */
static int
insert(struct userdb *db, const char *name, size_t len,
    const uint8_t hash[USERDB_HASH_LEN], bool enabled, int line)
{
	struct userdb_ent *ue;
	size_t b;

	if ((ue = calloc(1, sizeof(*ue))) == NULL)
		return ENOMEM;
	memcpy(ue->ue_user.uu_name, name, len);
	ue->ue_user.uu_name[len] = '\0';
	memcpy(ue->ue_user.uu_hash, hash, USERDB_HASH_LEN);
	ue->ue_user.uu_enabled = enabled;
	ue->ue_line = line;
	ue->ue_hval = name_hash(ue->ue_user.uu_name);
	TAILQ_INSERT_TAIL(&db->udb_list, ue, ue_entry);
	b = ue->ue_hval & (db->udb_nbuckets - 1);
	ue->ue_hnext = db->udb_tab[b];
	db->udb_tab[b] = ue;
	if (++db->udb_count > db->udb_nbuckets)
		grow(db);
	return 0;
}

int
userdb_find(const struct userdb *db, const char *name,
    struct userdb_user *out)
{
	struct userdb_ent *ue;

	if ((ue = lookup(db, name)) == NULL)
		return ENOENT;
	if (out != NULL)
		*out = ue->ue_user;
	return 0;
}

int
userdb_add(struct userdb *db, const char *name,
    const uint8_t hash[USERDB_HASH_LEN], bool enabled)
{
	if (userdb_name_check(name) != NULL)
		return EINVAL;
	if (lookup(db, name) != NULL)
		return EEXIST;
	return insert(db, name, strlen(name), hash, enabled, 0);
}

int
userdb_set_hash(struct userdb *db, const char *name,
    const uint8_t hash[USERDB_HASH_LEN])
{
	struct userdb_ent *ue;

	if ((ue = lookup(db, name)) == NULL)
		return ENOENT;
	memcpy(ue->ue_user.uu_hash, hash, USERDB_HASH_LEN);
	return 0;
}

int
userdb_set_enabled(struct userdb *db, const char *name, bool enabled)
{
	struct userdb_ent *ue;

	if ((ue = lookup(db, name)) == NULL)
		return ENOENT;
	ue->ue_user.uu_enabled = enabled;
	return 0;
}

int
userdb_remove(struct userdb *db, const char *name)
{
	struct userdb_ent *ue, **pp;

	if ((ue = lookup(db, name)) == NULL)
		return ENOENT;
	for (pp = &db->udb_tab[ue->ue_hval & (db->udb_nbuckets - 1)];
	    *pp != ue; pp = &(*pp)->ue_hnext)
		;
	*pp = ue->ue_hnext;
	TAILQ_REMOVE(&db->udb_list, ue, ue_entry);
	db->udb_count--;
	explicit_bzero(ue, sizeof(*ue));
	free(ue);
	return 0;
}

int
userdb_foreach(const struct userdb *db,
    int (*fn)(const struct userdb_user *, void *), void *arg)
{
	struct userdb_ent *ue;
	int rc;

	TAILQ_FOREACH(ue, &db->udb_list, ue_entry)
		if ((rc = fn(&ue->ue_user, arg)) != 0)
			return rc;
	return 0;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool
parse_hash(const char *s, size_t len, uint8_t hash[USERDB_HASH_LEN])
{
	size_t i;
	int hi, lo;

	if (len != 2 * USERDB_HASH_LEN)
		return false;
	for (i = 0; i < USERDB_HASH_LEN; i++) {
		if ((hi = hexval((unsigned char)s[2 * i])) < 0 ||
		    (lo = hexval((unsigned char)s[2 * i + 1])) < 0)
			return false;
		hash[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

/* "NAME:LINE: problem", or "NAME: problem" when lineno is 0. */
static void __attribute__((format(printf, 5, 6)))
seterr(char *err, size_t errlen, const char *name, int lineno,
    const char *fmt, ...)
{
	va_list ap;
	int n;

	if (errlen == 0)
		return;
	if (lineno > 0)
		n = snprintf(err, errlen, "%s:%d: ", name, lineno);
	else
		n = snprintf(err, errlen, "%s: ", name);
	if (n < 0 || (size_t)n >= errlen)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
	va_end(ap);
}

/*
 * One "name:state:hash" line (no newline).  Returns NULL or what is
 * wrong with it.
 */
static const char *
parse_line(struct userdb *db, const char *line, size_t len, int lineno,
    char *why, size_t whylen)
{
	const char *c1, *c2, *state, *hashp, *problem;
	struct userdb_ent *ue;
	uint8_t hash[USERDB_HASH_LEN];
	char name[USERDB_NAME_MAX + 1];
	size_t namelen, statelen, hashlen;
	bool enabled;

	if ((c1 = memchr(line, ':', len)) == NULL ||
	    (c2 = memchr(c1 + 1, ':', len - (size_t)(c1 + 1 - line))) ==
	    NULL)
		return "expected name:enabled|disabled:hash";
	namelen = (size_t)(c1 - line);
	state = c1 + 1;
	statelen = (size_t)(c2 - state);
	hashp = c2 + 1;
	hashlen = len - (size_t)(hashp - line);
	if (memchr(hashp, ':', hashlen) != NULL)
		return "too many fields";
	if ((problem = name_problem(line, namelen)) != NULL)
		return problem;
	memcpy(name, line, namelen);
	name[namelen] = '\0';
	if (statelen == 7 && memcmp(state, "enabled", 7) == 0)
		enabled = true;
	else if (statelen == 8 && memcmp(state, "disabled", 8) == 0)
		enabled = false;
	else
		return "bad state (enabled or disabled)";
	if (!parse_hash(hashp, hashlen, hash))
		return "bad hash (32 hex digits)";
	if ((ue = lookup(db, name)) != NULL) {
		snprintf(why, whylen, "duplicate user \"%s\" (line %d)", name,
		    ue->ue_line);
		return why;
	}
	if (insert(db, name, namelen, hash, enabled, lineno) != 0)
		return "out of memory";
	explicit_bzero(hash, sizeof(hash));
	return NULL;
}

struct userdb *
userdb_parse(const char *buf, size_t len, const char *name, char *err,
    size_t errlen)
{
	struct userdb *db;
	const char *p, *end, *nl, *problem;
	char why[USERDB_NAME_MAX + 64];
	size_t linelen, hlen = sizeof(USERDB_HEADER) - 1;
	int lineno;

	if ((db = userdb_new()) == NULL) {
		seterr(err, errlen, name, 0, "out of memory");
		return NULL;
	}
	for (p = buf, end = buf + len, lineno = 1; p < end; lineno++) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		linelen = (size_t)(nl - p);
		problem = NULL;
		if (memchr(p, '\0', linelen) != NULL)
			problem = "NUL byte";
		else if (lineno == 1) {
			if (linelen != hlen || memcmp(p, USERDB_HEADER, hlen))
				problem = linelen >= hlen - 1 &&
				    memcmp(p, USERDB_HEADER, hlen - 1) == 0 ?
				    "unsupported version (expected \""
				    USERDB_HEADER "\")" :
				    "missing header \"" USERDB_HEADER "\"";
		} else if (linelen > 0 && p[0] != '#')
			problem = parse_line(db, p, linelen, lineno, why,
			    sizeof(why));
		if (problem != NULL) {
			seterr(err, errlen, name, lineno, "%s", problem);
			userdb_free(db);
			return NULL;
		}
		p = nl + 1;
	}
	return db;
}

struct userdb *
userdb_load(const char *path, char *err, size_t errlen)
{
	struct userdb *db;
	struct stat st;
	char *buf = NULL;
	size_t len, size = 0;
	ssize_t n = 0;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1) {
		if (errno == ENOENT)
			return userdb_new();	/* created by the first save */
		seterr(err, errlen, path, 0, "%s", strerror(errno));
		return NULL;
	}
	/* Checked on the open descriptor: what we read is what we checked. */
	if (fstat(fd, &st) == -1) {
		seterr(err, errlen, path, 0, "%s", strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		seterr(err, errlen, path, 0, "not a regular file");
		goto fail;
	}
	if (st.st_uid != geteuid() && st.st_uid != 0) {
		seterr(err, errlen, path, 0, "owned by uid %u, not by uid %u "
		    "or root", (unsigned int)st.st_uid,
		    (unsigned int)geteuid());
		goto fail;
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		seterr(err, errlen, path, 0, "permissions %04o are too open: "
		    "it holds password hashes and must not be accessible by "
		    "group or others (chmod 600)",
		    (unsigned int)(st.st_mode & 07777));
		goto fail;
	}
	if (st.st_size > USERDB_FILE_MAX) {
		seterr(err, errlen, path, 0, "larger than %d bytes",
		    USERDB_FILE_MAX);
		goto fail;
	}
	/* One byte more than expected, to notice a file still growing. */
	size = (size_t)st.st_size + 1;
	if ((buf = malloc(size)) == NULL) {
		seterr(err, errlen, path, 0, "out of memory");
		goto fail;
	}
	for (len = 0; len < size; len += (size_t)n) {
		if ((n = read(fd, buf + len, size - len)) == -1 &&
		    errno == EINTR) {
			n = 0;
			continue;
		}
		if (n <= 0)
			break;
	}
	if (n == -1) {
		seterr(err, errlen, path, 0, "%s", strerror(errno));
		goto fail;
	}
	if (len == size) {
		seterr(err, errlen, path, 0, "changed while being read");
		goto fail;
	}
	close(fd);
	db = userdb_parse(buf, len, path, err, errlen);
	explicit_bzero(buf, size);
	free(buf);
	return db;

fail:
	if (buf != NULL) {
		explicit_bzero(buf, size);
		free(buf);
	}
	close(fd);
	return NULL;
}

char *
userdb_text(const struct userdb *db, size_t *lenp)
{
	static const char hex[] = "0123456789ABCDEF";
	struct userdb_ent *ue;
	const char *state;
	char *buf, *p;
	size_t len, i;

	len = sizeof(USERDB_HEADER);	/* with its newline */
	TAILQ_FOREACH(ue, &db->udb_list, ue_entry)
		len += strlen(ue->ue_user.uu_name) + sizeof(":disabled:") - 1 +
		    2 * USERDB_HASH_LEN + 1;
	if ((buf = malloc(len + 1)) == NULL)
		return NULL;
	p = buf;
	memcpy(p, USERDB_HEADER "\n", sizeof(USERDB_HEADER));
	p += sizeof(USERDB_HEADER);
	TAILQ_FOREACH(ue, &db->udb_list, ue_entry) {
		i = strlen(ue->ue_user.uu_name);
		memcpy(p, ue->ue_user.uu_name, i);
		p += i;
		state = ue->ue_user.uu_enabled ? ":enabled:" : ":disabled:";
		i = strlen(state);
		memcpy(p, state, i);
		p += i;
		for (i = 0; i < USERDB_HASH_LEN; i++) {
			*p++ = hex[ue->ue_user.uu_hash[i] >> 4];
			*p++ = hex[ue->ue_user.uu_hash[i] & 0xf];
		}
		*p++ = '\n';
	}
	*p = '\0';
	if (lenp != NULL)
		*lenp = (size_t)(p - buf);
	return buf;
}

static int
write_all(int fd, const char *p, size_t len)
{
	ssize_t n;

	while (len > 0) {
		if ((n = write(fd, p, len)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int
userdb_save(const struct userdb *db, const char *path)
{
	char *text = NULL, *dir = NULL, *tmp = NULL;
	const char *slash, *base;
	size_t len = 0;
	int fd = -1, dfd, saved;

	/* The temporary file goes next to the target: rename(2) stays
	 * within one file system, so it is atomic. */
	if ((slash = strrchr(path, '/')) == NULL) {
		dir = strdup(".");
		base = path;
	} else {
		dir = slash == path ? strdup("/") :
		    strndup(path, (size_t)(slash - path));
		base = slash + 1;
	}
	if (dir == NULL || *base == '\0' ||
	    asprintf(&tmp, "%s/.%s.XXXXXX", dir, base) == -1) {
		if (dir != NULL && *base == '\0')
			errno = EISDIR;
		tmp = NULL;
		goto fail;
	}
	if ((text = userdb_text(db, &len)) == NULL)
		goto fail;
	/* mkostemp creates 0600; fchmod makes it so whatever the umask. */
	if ((fd = mkostemp(tmp, O_CLOEXEC)) == -1) {
		free(tmp);
		tmp = NULL;
		goto fail;
	}
	if (fchmod(fd, S_IRUSR | S_IWUSR) == -1 ||
	    write_all(fd, text, len) == -1 || fsync(fd) == -1)
		goto fail;
	if (close(fd) == -1) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) == -1)
		goto fail;
	free(tmp);
	tmp = NULL;
	/* Make the rename itself durable. */
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		goto fail;
	if (fsync(dfd) == -1) {
		saved = errno;
		close(dfd);
		errno = saved;
		goto fail;
	}
	close(dfd);
	explicit_bzero(text, len);
	free(text);
	free(dir);
	return 0;

fail:
	saved = errno;
	if (fd != -1)
		close(fd);
	if (tmp != NULL) {
		(void)unlink(tmp);
		free(tmp);
	}
	if (text != NULL) {
		explicit_bzero(text, len);
		free(text);
	}
	free(dir);
	errno = saved;
	return -1;
}
