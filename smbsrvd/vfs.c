/*
 * vfs.c — the file-system layer (see vfs.h); the listing is in vfs_dir.c.
 *
 * Every client path goes through open_beneath(), one openat2(2) with
 * RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS from a descriptor the caller
 * holds: "..", absolute paths and symbolic links that would leave that
 * directory fail with EXDEV, /proc magic links with ELOOP.  No path from a
 * client reaches open(2), openat(2), stat(2) or any *at() call that walks
 * more than one name; the *at() calls get a parent opened that way and a
 * single checked name.
 *
 * Names are case-sensitive, like the Linux file system beneath: "A.TXT"
 * does not open "a.txt".  Windows clients expect NTFS's case-insensitive
 * matching, so a share holding names that differ only in case shows both,
 * and a name typed in another case is not found.  A case-insensitive
 * lookup is a later, separate piece of work.
 *
 * What Linux has no place for — the creation time and the DOS attributes
 * other than read-only — lives in the user.smbsrvd.dos extended attribute
 * (format below), as Samba keeps them in user.DOSATTRIB.
 */
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include <linux/openat2.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "msgbuf.h"
#include "ntstatus.h"
#include "ucs2.h"
#include "vfs.h"

/* openat2(2) may ask to be retried after a racing rename or mount. */
#define OPEN_TRIES	16

#define FT_PER_SEC	10000000LL	/* FILETIME ticks per second */
#define FT_UNIX_DIFF	11644473600LL	/* seconds from 1601 to 1970 */
#define FT_MAX		((uint64_t)INT64_MAX)

/* NTFS's usual cluster: AllocationSize is reported in whole ones. */
#define ALLOC_UNIT	4096u

/*
 * user.smbsrvd.dos, version 1: 16 or 56 bytes, little-endian.
 *   0  u8   version, 1
 *   1  u8   DOS_HAS_ATTRS | DOS_HAS_CREATION | DOS_HAS_CHANGE
 *   2  u16  0
 *   4  u32  FILE_ATTRIBUTE_* (only DOS_KEEP, and READONLY for directories)
 *   8  u64  creation time, FILETIME
 * With DOS_HAS_CHANGE, 40 more bytes:
 *  16  u64  change time a client set, FILETIME
 *  24  u64  last write time (mtime) when it was set, FILETIME
 *  32  u64  size then
 *  40  u32  st_mode then (type and permission bits)
 *  44  u32  link count then
 *  48  u32  owner then
 *  52  u32  group then
 * Linux cannot set a file's ctime, and every change to the inode (this
 * attribute's own writing included) moves it, so a change time a client
 * sets is kept here with what the file looked like then: it is the
 * file's ChangeTime while the write time, size, mode, links and owner
 * are still those; once any of them differs the file has changed since
 * and the ctime is its ChangeTime again.  Changes made through smbsrvd
 * that none of those show (attributes, extended attributes) drop it
 * explicitly (MS-FSA 2.1.5.14.2: a change updates ChangeTime unless the
 * open doing it set ChangeTime itself).
 * A later version may append fields and must keep these.  The value is
 * input like any other (whoever can write the file can write it): a
 * reader takes version 1 of at least 16 bytes, masks the attributes and
 * ignores anything else.
 */
#define DOS_XATTR	"user.smbsrvd.dos"
#define DOS_VERSION	1
#define DOS_LEN		16
#define DOS_LEN_CHANGE	56
#define DOS_HAS_ATTRS	0x01
#define DOS_HAS_CREATION 0x02
#define DOS_HAS_CHANGE	0x04
#define DOS_KEEP	(FILE_ATTRIBUTE_HIDDEN | FILE_ATTRIBUTE_SYSTEM | \
	FILE_ATTRIBUTE_ARCHIVE | FILE_ATTRIBUTE_TEMPORARY | \
	FILE_ATTRIBUTE_OFFLINE | FILE_ATTRIBUTE_NOT_CONTENT_INDEXED)

/* What the file looked like when a client set its change time. */
struct dosmark {
	uint64_t	write;		/* FILETIME of the mtime */
	uint64_t	size;
	uint32_t	mode, nlink, uid, gid;
};

struct dosinfo {
	uint8_t		flags;		/* DOS_HAS_* */
	uint32_t	attrs;
	uint64_t	creation;
	uint64_t	change;		/* with DOS_HAS_CHANGE */
	struct dosmark	mark;
};

#define STATX_WANT	(STATX_BASIC_STATS | STATX_BTIME)

uint32_t
vfs_status(int err)
{
	switch (err) {
	case 0:
		/* A caller that lost errno must not turn into success. */
		return STATUS_INTERNAL_ERROR;
	case ENOENT:
		return STATUS_OBJECT_NAME_NOT_FOUND;
	case ENOTDIR:
		return STATUS_OBJECT_PATH_NOT_FOUND;
	case EEXIST:
		return STATUS_OBJECT_NAME_COLLISION;
	case EACCES:
	case EPERM:
		return STATUS_ACCESS_DENIED;
	case EXDEV:
		/* RESOLVE_BENEATH's answer to a path leaving the share. */
		return STATUS_ACCESS_DENIED;
	case ELOOP:
		/*
		 * A link loop, too many links, or a magic link.  Windows
		 * answers a reparse point it cannot resolve with
		 * STATUS_REPARSE_POINT_NOT_RESOLVED (Win32
		 * ERROR_CANT_RESOLVE_FILENAME, what a local link loop
		 * gives); Samba says STATUS_OBJECT_PATH_NOT_FOUND.
		 */
		return STATUS_REPARSE_POINT_NOT_RESOLVED;
	case EISDIR:
		return STATUS_FILE_IS_A_DIRECTORY;
	case ENOTEMPTY:
		return STATUS_DIRECTORY_NOT_EMPTY;
	case ENOSPC:
	case EDQUOT:
	case EFBIG:
		/* Samba too: applications handle DISK_FULL, not quotas. */
		return STATUS_DISK_FULL;
	case EROFS:
		return STATUS_MEDIA_WRITE_PROTECTED;
	case EMFILE:
	case ENFILE:
		return STATUS_TOO_MANY_OPENED_FILES;
	case ENAMETOOLONG:
	case EILSEQ:
		/* EILSEQ: a name the file system's encoding refuses. */
		return STATUS_OBJECT_NAME_INVALID;
	case ENOMEM:
		return STATUS_NO_MEMORY;
	case EINVAL:
		return STATUS_INVALID_PARAMETER;
	case EBADF:
		return STATUS_INVALID_HANDLE;
	case EBUSY:
	case ETXTBSY:
	case EAGAIN:
		/*
		 * A mount point, a running executable being written, an
		 * O_NONBLOCK open of a file whose lease is being broken.
		 */
		return STATUS_SHARING_VIOLATION;
	case EMLINK:
		return STATUS_TOO_MANY_LINKS;
	case EOPNOTSUPP:
	case ENOSYS:
		return STATUS_NOT_SUPPORTED;
	case EIO:
		return STATUS_IO_DEVICE_ERROR;
	default:
		return STATUS_UNSUCCESSFUL;
	}
}

int
vfs_root_open(const char *path)
{
	/* The administrator's path, not a client's: plain open(2). */
	return open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
}

/*
 * The one openat2(2) call.  "" means dirfd itself (openat2 refuses an
 * empty path).  O_PATH takes no other flags under openat2 (EINVAL), and
 * the mode must be 0 unless a file may be created.
 */
static int
open_beneath(int dirfd, const char *path, int flags, mode_t mode)
{
	struct open_how how;
	int fd, tries;

	memset(&how, 0, sizeof(how));
	if ((flags & O_PATH) == 0)
		flags |= O_NOCTTY;
	how.flags = (uint64_t)(flags | O_CLOEXEC);
	if ((flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE)
		how.mode = mode & 07777;
	how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
	if (*path == '\0')
		path = ".";
	for (tries = 0; tries < OPEN_TRIES; tries++) {
		fd = (int)syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
		if (fd != -1 || (errno != EAGAIN && errno != EINTR))
			return fd;
	}
	return -1;
}

/* MS-FSCC 2.1.5.2: characters no file name may hold. */
static bool
char_bad(unsigned char c)
{
	return c < 0x20 || strchr("\"*/:<>?\\|", c) != NULL;
}

bool
vfs_name_ok(const char *name)
{
	size_t len = strlen(name), i;

	if (len == 0 || len > VFS_NAME_MAX || strcmp(name, ".") == 0 ||
	    strcmp(name, "..") == 0 || ucs2_utf16_len(name, len) == -1)
		return false;
	/* Every forbidden character is ASCII, never inside a sequence. */
	for (i = 0; i < len; i++)
		if (char_bad((unsigned char)name[i]))
			return false;
	return true;
}

/*
 * MS-SMB2 2.2.13 Name to a relative path.  Windows refuses trailing dots
 * and spaces (its Win32 layer strips them); Samba on Linux keeps them and
 * so do we, since the file system holds such names and a client that sends
 * one means it.  ':' is refused as a character, so named streams
 * ("name:stream:$DATA") are refused with it.
 */
uint32_t
vfs_path_from_smb(const uint8_t *name, size_t len, char *out, size_t outsz)
{
	char buf[VFS_PATH_MAX + 1], *c, *e;
	ssize_t n;
	size_t i;

	if (len % 2 != 0)
		return STATUS_OBJECT_NAME_INVALID;
	if (len >= 2 && le16dec(name) == '\\') {
		name += 2;
		len -= 2;
	}
	if ((n = ucs2_to_utf8(name, len, buf, sizeof(buf))) == -1)
		return STATUS_OBJECT_NAME_INVALID;	/* EILSEQ or E2BIG */
	for (i = 0; i < (size_t)n; i++)
		if (buf[i] != '\\' && char_bad((unsigned char)buf[i]))
			return STATUS_OBJECT_NAME_INVALID;
	for (c = buf; n > 0; c = e + 1) {
		if ((e = strchr(c, '\\')) == NULL)
			e = c + strlen(c);
		if (e == c)
			return STATUS_OBJECT_PATH_SYNTAX_BAD;	/* a\\b */
		if ((e - c == 1 && c[0] == '.') ||
		    (e - c == 2 && c[0] == '.' && c[1] == '.'))
			return STATUS_OBJECT_PATH_SYNTAX_BAD;
		if (e - c > VFS_NAME_MAX)
			return STATUS_OBJECT_NAME_INVALID;
		if (*e == '\0')
			break;
		*e = '/';
		if (e[1] == '\0')	/* "a\": the last name is empty */
			return STATUS_OBJECT_NAME_INVALID;
	}
	if ((size_t)n >= outsz)
		return STATUS_BUFFER_TOO_SMALL;
	memcpy(out, buf, (size_t)n + 1);
	return 0;
}

/*
 * ENOENT from a walk: the last name is missing if its parent is there,
 * else the path is (MS-FSA 2.1.5.1: STATUS_OBJECT_PATH_NOT_FOUND when an
 * intermediate directory does not exist).
 */
static uint32_t
missing_status(int root, const char *rel)
{
	char parent[VFS_PATH_MAX + 1];
	const char *slash;
	int fd;

	if ((slash = strrchr(rel, '/')) == NULL)
		return STATUS_OBJECT_NAME_NOT_FOUND;
	if ((size_t)(slash - rel) >= sizeof(parent))
		return STATUS_OBJECT_PATH_NOT_FOUND;
	memcpy(parent, rel, (size_t)(slash - rel));
	parent[slash - rel] = '\0';
	if ((fd = open_beneath(root, parent, O_PATH | O_DIRECTORY, 0)) == -1)
		return STATUS_OBJECT_PATH_NOT_FOUND;
	close(fd);
	return STATUS_OBJECT_NAME_NOT_FOUND;
}

/* The status for a failed walk of rel beneath root (errno err). */
static uint32_t
walk_status(int root, const char *rel, int flags, int err)
{
	int fd;

	if (err == ENOENT)
		return missing_status(root, rel);
	if (err == ENOTDIR && (flags & O_DIRECTORY)) {
		/* Is it the target that is no directory, or the path? */
		if ((fd = open_beneath(root, rel, O_PATH, 0)) != -1) {
			close(fd);
			return STATUS_NOT_A_DIRECTORY;
		}
		return STATUS_OBJECT_PATH_NOT_FOUND;
	}
	return vfs_status(err);
}

/*
 * O_NONBLOCK keeps open(2) itself from waiting: on a FIFO any local user
 * can make in the share, or on a lease break.  Only files and directories
 * are served; a FIFO, socket or device would block or act on read.
 */
uint32_t
vfs_open(int root, const char *rel, int flags, mode_t mode, int *fd)
{
	struct stat sb;
	int f, nb = 0, fl;
	uint32_t st;

	*fd = -1;
	if ((flags & (O_PATH | O_NONBLOCK)) == 0)
		nb = O_NONBLOCK;
	if ((f = open_beneath(root, rel, flags | nb, mode)) == -1) {
		if (errno == ENXIO || errno == ENODEV)
			return STATUS_ACCESS_DENIED;	/* as below */
		return walk_status(root, rel, flags, errno);
	}
	if ((flags & O_PATH) == 0) {
		if (fstat(f, &sb) == -1)
			goto fail;
		if (!S_ISREG(sb.st_mode) && !S_ISDIR(sb.st_mode)) {
			close(f);
			return STATUS_ACCESS_DENIED;
		}
	}
	if (nb != 0 && ((fl = fcntl(f, F_GETFL)) == -1 ||
	    fcntl(f, F_SETFL, fl & ~O_NONBLOCK) == -1))
		goto fail;
	*fd = f;
	return 0;
fail:
	st = vfs_status(errno);
	close(f);
	return st;
}

/*
 * Opens the parent of rel beneath root and points *leaf at the last
 * name, which the caller then hands to one *at() call.
 */
static uint32_t
open_parent(int root, const char *rel, int *pfd, const char **leaf)
{
	char parent[VFS_PATH_MAX + 1];
	const char *slash;
	size_t plen;

	*pfd = -1;
	if (rel[0] == '/')
		return STATUS_ACCESS_DENIED;	/* as RESOLVE_BENEATH */
	if ((slash = strrchr(rel, '/')) == NULL) {
		*leaf = rel;
		plen = 0;
	} else {
		*leaf = slash + 1;
		plen = (size_t)(slash - rel);
	}
	if (**leaf == '\0' || strcmp(*leaf, ".") == 0 ||
	    strcmp(*leaf, "..") == 0)
		return STATUS_OBJECT_PATH_SYNTAX_BAD;
	if (plen >= sizeof(parent) || strlen(*leaf) > VFS_NAME_MAX)
		return STATUS_OBJECT_NAME_INVALID;
	memcpy(parent, rel, plen);
	parent[plen] = '\0';
	if ((*pfd = open_beneath(root, parent, O_PATH | O_DIRECTORY, 0)) ==
	    -1) {
		if (errno == ENOENT || errno == ENOTDIR)
			return STATUS_OBJECT_PATH_NOT_FOUND;
		return vfs_status(errno);
	}
	return 0;
}

uint32_t
vfs_mkdir(int root, const char *rel, mode_t mode)
{
	const char *leaf;
	uint32_t st;
	int pfd;

	if (*rel == '\0')
		return STATUS_OBJECT_NAME_COLLISION;	/* the root exists */
	if ((st = open_parent(root, rel, &pfd, &leaf)) != 0)
		return st;
	if (mkdirat(pfd, leaf, mode & 07777) == -1)
		st = vfs_status(errno);
	close(pfd);
	return st;
}

uint32_t
vfs_unlink(int root, const char *rel, bool dir)
{
	const char *leaf;
	uint32_t st;
	int pfd;

	if (*rel == '\0')
		return STATUS_ACCESS_DENIED;	/* the share root stays */
	if ((st = open_parent(root, rel, &pfd, &leaf)) != 0)
		return st;
	if (unlinkat(pfd, leaf, dir ? AT_REMOVEDIR : 0) == -1) {
		/* ENOTDIR here is about the leaf, not the path. */
		st = errno == ENOTDIR ? STATUS_NOT_A_DIRECTORY :
		    vfs_status(errno);
	}
	close(pfd);
	return st;
}

static uint32_t
rename_leaf(int ffd, const char *from, int tfd, const char *to,
    bool replace)
{
	struct stat sb;

	if (fstatat(tfd, to, &sb, AT_SYMLINK_NOFOLLOW) == 0) {
		if (!replace)
			return STATUS_OBJECT_NAME_COLLISION;
		/* MS-FSA 2.1.5.14.11: a directory is never replaced. */
		if (S_ISDIR(sb.st_mode))
			return STATUS_ACCESS_DENIED;
	}
	if (renameat2(ffd, from, tfd, to, replace ? 0 : RENAME_NOREPLACE) ==
	    0)
		return 0;
	/*
	 * File systems without RENAME_NOREPLACE say EINVAL; the check
	 * above then stands in for it, with a window a racing create may
	 * slip through.
	 */
	if (errno == EINVAL && !replace && renameat(ffd, from, tfd, to) == 0)
		return 0;
	switch (errno) {
	case EXDEV:
		/* Both parents are beneath the root: a mount point. */
		return STATUS_NOT_SAME_DEVICE;
	case EISDIR:
	case ENOTDIR:
	case ENOTEMPTY:
		/* Between a file and a directory (MS-FSA 2.1.5.14.11). */
		return STATUS_ACCESS_DENIED;
	default:
		return vfs_status(errno);
	}
}

uint32_t
vfs_rename(int root, const char *from, const char *to, bool replace)
{
	const char *fleaf, *tleaf;
	uint32_t st;
	int ffd = -1, tfd = -1;

	if (*from == '\0' || *to == '\0')
		return STATUS_ACCESS_DENIED;	/* the share root stays */
	if ((st = open_parent(root, from, &ffd, &fleaf)) == 0 &&
	    (st = open_parent(root, to, &tfd, &tleaf)) == 0)
		st = rename_leaf(ffd, fleaf, tfd, tleaf, replace);
	if (ffd != -1)
		close(ffd);
	if (tfd != -1)
		close(tfd);
	return st;
}

/* Reads and checks user.smbsrvd.dos; anything unusable reads as absent. */
static void
dos_get(int fd, struct dosinfo *di)
{
	uint8_t buf[64];
	ssize_t n;

	memset(di, 0, sizeof(*di));
	/* ENODATA, ENOTSUP, EBADF (O_PATH), ERANGE: keep the defaults. */
	if ((n = fgetxattr(fd, DOS_XATTR, buf, sizeof(buf))) < DOS_LEN ||
	    buf[0] != DOS_VERSION)
		return;
	di->flags = buf[1] & (DOS_HAS_ATTRS | DOS_HAS_CREATION |
	    DOS_HAS_CHANGE);
	di->attrs = le32dec(buf + 4) & (DOS_KEEP | FILE_ATTRIBUTE_READONLY);
	di->creation = le64dec(buf + 8);
	if (di->creation == 0 || di->creation > FT_MAX)
		di->flags &= ~DOS_HAS_CREATION;
	if (n < DOS_LEN_CHANGE)
		di->flags &= ~DOS_HAS_CHANGE;
	if (!(di->flags & DOS_HAS_CHANGE))
		return;
	di->change = le64dec(buf + 16);
	di->mark.write = le64dec(buf + 24);
	di->mark.size = le64dec(buf + 32);
	di->mark.mode = le32dec(buf + 40);
	di->mark.nlink = le32dec(buf + 44);
	di->mark.uid = le32dec(buf + 48);
	di->mark.gid = le32dec(buf + 52);
	if (di->change == 0 || di->change > FT_MAX)
		di->flags &= ~DOS_HAS_CHANGE;
}

static int
dos_put(int fd, const struct dosinfo *di)
{
	uint8_t buf[DOS_LEN_CHANGE];
	size_t len = DOS_LEN;

	memset(buf, 0, sizeof(buf));
	buf[0] = DOS_VERSION;
	buf[1] = di->flags;
	le32enc(buf + 4, di->attrs);
	le64enc(buf + 8, di->creation);
	if (di->flags & DOS_HAS_CHANGE) {
		le64enc(buf + 16, di->change);
		le64enc(buf + 24, di->mark.write);
		le64enc(buf + 32, di->mark.size);
		le32enc(buf + 40, di->mark.mode);
		le32enc(buf + 44, di->mark.nlink);
		le32enc(buf + 48, di->mark.uid);
		le32enc(buf + 52, di->mark.gid);
		len = DOS_LEN_CHANGE;
	}
	return fsetxattr(fd, DOS_XATTR, buf, len, 0);
}

static uint64_t
ts_filetime(const struct statx_timestamp *ts)
{
	return vfs_filetime(ts->tv_sec, (long)ts->tv_nsec);
}

/* The dosmark of the file sx describes, with mode as given. */
static void
mark_of(const struct statx *sx, uint32_t mode, struct dosmark *m)
{
	memset(m, 0, sizeof(*m));
	m->write = ts_filetime(&sx->stx_mtime);
	m->size = sx->stx_size;
	m->mode = mode;
	m->nlink = sx->stx_nlink;
	m->uid = sx->stx_uid;
	m->gid = sx->stx_gid;
}

/* Has nothing the mark records changed since the change time was set? */
static bool
mark_holds(const struct statx *sx, const struct dosinfo *di)
{
	struct dosmark now;

	if (!(di->flags & DOS_HAS_CHANGE))
		return false;
	mark_of(sx, sx->stx_mode, &now);
	return memcmp(&now, &di->mark, sizeof(now)) == 0;
}

/* MS-FSCC 2.4 fields from statx and the stored DOS information. */
static void
fill_stat(const struct statx *sx, const struct dosinfo *di,
    struct vfs_stat *st)
{
	bool dir = S_ISDIR(sx->stx_mode);
	uint64_t m, c;
	uint32_t a = 0;

	memset(st, 0, sizeof(*st));
	st->vs_access = ts_filetime(&sx->stx_atime);
	st->vs_write = m = ts_filetime(&sx->stx_mtime);
	st->vs_change = c = mark_holds(sx, di) ? di->change :
	    ts_filetime(&sx->stx_ctime);
	if (di->flags & DOS_HAS_CREATION)
		st->vs_creation = di->creation;
	else if (sx->stx_mask & STATX_BTIME)
		st->vs_creation = ts_filetime(&sx->stx_btime);
	else
		st->vs_creation = m < c ? m : c;
	st->vs_size = dir ? 0 : sx->stx_size;
	if (!dir) {
		/* Whole clusters, as NTFS reports AllocationSize. */
		st->vs_alloc = sx->stx_blocks * 512;
		st->vs_alloc = (st->vs_alloc + ALLOC_UNIT - 1) /
		    ALLOC_UNIT * ALLOC_UNIT;
	}
	st->vs_file_id = sx->stx_ino;
	st->vs_nlink = sx->stx_nlink;
	st->vs_mode = sx->stx_mode;
	st->vs_uid = sx->stx_uid;
	st->vs_gid = sx->stx_gid;
	st->vs_dev = makedev(sx->stx_dev_major, sx->stx_dev_minor);
	st->vs_ino = sx->stx_ino;
	st->vs_is_dir = dir;

	if (dir)
		a |= FILE_ATTRIBUTE_DIRECTORY;
	else if ((sx->stx_mode & S_IWUSR) == 0)
		a |= FILE_ATTRIBUTE_READONLY;
	if (di->flags & DOS_HAS_ATTRS)
		a |= di->attrs & (dir ? DOS_KEEP | FILE_ATTRIBUTE_READONLY :
		    DOS_KEEP);
	else if (!dir) {
		/*
		 * Windows sets ARCHIVE on every file it creates or writes;
		 * Samba reports it until a client clears it ("map
		 * archive"), and so do we.
		 */
		a |= FILE_ATTRIBUTE_ARCHIVE;
	}
	/* MS-FSCC 2.6: NORMAL only alone, and never zero. */
	st->vs_attrs = a != 0 ? a : FILE_ATTRIBUTE_NORMAL;
}

static int
statx_fd(int fd, struct statx *sx)
{
	return statx(fd, "", AT_EMPTY_PATH | AT_STATX_SYNC_AS_STAT,
	    STATX_WANT, sx);
}

uint32_t
vfs_fstat(int fd, struct vfs_stat *st)
{
	struct dosinfo di;
	struct statx sx;

	if (statx_fd(fd, &sx) == -1)
		return vfs_status(errno);
	dos_get(fd, &di);
	fill_stat(&sx, &di, st);
	return 0;
}

/*
 * The DOS information of what sx describes, by opening path beneath
 * dirfd again for reading: fgetxattr() needs a real descriptor, and
 * opening only files and directories, never devices or FIFOs, has no
 * side effects.  Whatever fails leaves the defaults.
 */
static void
dos_get_at(int dirfd, const char *path, bool follow, const struct statx *sx,
    struct dosinfo *di)
{
	struct statx again;
	int fd, fl = O_RDONLY | O_NONBLOCK;

	memset(di, 0, sizeof(*di));
	if (!S_ISREG(sx->stx_mode) && !S_ISDIR(sx->stx_mode))
		return;
	if (!follow)
		fl |= O_NOFOLLOW;
	if (S_ISDIR(sx->stx_mode))
		fl |= O_DIRECTORY;
	/* O_NONBLOCK: a file under a lease answers EWOULDBLOCK at once. */
	if ((fd = open_beneath(dirfd, path, fl, 0)) == -1)
		return;
	/* Replaced in between: its information is not this file's. */
	if (statx_fd(fd, &again) == 0 && again.stx_ino == sx->stx_ino &&
	    again.stx_dev_major == sx->stx_dev_major &&
	    again.stx_dev_minor == sx->stx_dev_minor)
		dos_get(fd, di);
	close(fd);
}

uint32_t
vfs_stat_at(int dirfd, const char *path, bool follow, struct vfs_stat *st)
{
	struct dosinfo di;
	struct statx sx;
	int fd;

	if (follow) {
		/* Never statx() a path: only openat2 keeps it beneath. */
		if ((fd = open_beneath(dirfd, path, O_PATH, 0)) == -1)
			return vfs_status(errno);
		if (statx_fd(fd, &sx) == -1) {
			close(fd);
			return vfs_status(errno);
		}
		close(fd);
	} else if (!vfs_name_ok(path))
		return STATUS_OBJECT_NAME_INVALID;
	else if (statx(dirfd, path, AT_SYMLINK_NOFOLLOW |
	    AT_STATX_SYNC_AS_STAT, STATX_WANT, &sx) == -1)
		return vfs_status(errno);
	dos_get_at(dirfd, path, follow, &sx, &di);
	fill_stat(&sx, &di, st);
	return 0;
}

uint32_t
vfs_stat_path(int root, const char *rel, struct vfs_stat *st)
{
	uint32_t s;

	if ((s = vfs_stat_at(root, rel, true, st)) ==
	    STATUS_OBJECT_NAME_NOT_FOUND)
		return missing_status(root, rel);
	return s;
}

uint32_t
vfs_pread(int fd, void *buf, size_t len, uint64_t off, size_t *done)
{
	uint8_t *p = buf;
	ssize_t n;

	*done = 0;
	if (off > (uint64_t)INT64_MAX)
		return STATUS_INVALID_PARAMETER;
	/* Nothing lies past the largest offset: read up to it. */
	if (len > (uint64_t)INT64_MAX - off)
		len = (size_t)((uint64_t)INT64_MAX - off);
	while (*done < len) {
		n = pread(fd, p + *done, len - *done, (off_t)(off + *done));
		if (n == -1) {
			if (errno == EINTR)
				continue;
			return vfs_status(errno);
		}
		if (n == 0)
			break;		/* end of file */
		*done += (size_t)n;
	}
	return 0;
}

uint32_t
vfs_pwrite(int fd, const void *buf, size_t len, uint64_t off, size_t *done)
{
	const uint8_t *p = buf;
	ssize_t n;

	*done = 0;
	if (off > (uint64_t)INT64_MAX || len > (uint64_t)INT64_MAX - off)
		return STATUS_DISK_FULL;	/* as EFBIG */
	while (*done < len) {
		n = pwrite(fd, p + *done, len - *done, (off_t)(off + *done));
		if (n == -1) {
			if (errno == EINTR)
				continue;
			return vfs_status(errno);
		}
		if (n == 0)
			return STATUS_DISK_FULL;	/* no progress */
		*done += (size_t)n;
	}
	return 0;
}

/* Free bytes for an unprivileged writer; UINT64_MAX if unknown. */
static uint64_t
space_free(int fd)
{
	struct statvfs sv;

	if (fstatvfs(fd, &sv) == -1 || sv.f_frsize == 0)
		return UINT64_MAX;
	if (sv.f_bavail > UINT64_MAX / sv.f_frsize)
		return UINT64_MAX;
	return (uint64_t)sv.f_bavail * sv.f_frsize;
}

uint32_t
vfs_extend_check(int fd, uint64_t off)
{
	struct stat sb;

	if (fstat(fd, &sb) == -1)
		return vfs_status(errno);
	if (!S_ISREG(sb.st_mode) || off <= (uint64_t)sb.st_size)
		return 0;
	return off - (uint64_t)sb.st_size > space_free(fd) ?
	    STATUS_DISK_FULL : 0;
}

uint32_t
vfs_fsync(int fd)
{
	return fsync(fd) == -1 ? vfs_status(errno) : 0;
}

uint32_t
vfs_truncate(int fd, uint64_t size)
{
	int r;

	if (size > (uint64_t)INT64_MAX)
		return STATUS_INVALID_PARAMETER;
	while ((r = ftruncate(fd, (off_t)size)) == -1 && errno == EINTR)
		;
	return r == -1 ? vfs_status(errno) : 0;
}

uint32_t
vfs_allocate(int fd, uint64_t size)
{
	struct stat sb;
	int r;

	if (size > (uint64_t)INT64_MAX)
		return STATUS_DISK_FULL;
	if (fstat(fd, &sb) == -1)
		return vfs_status(errno);
	if (size <= (uint64_t)sb.st_blocks * 512)
		return 0;	/* shrinking frees nothing: see vfs.h */
	/* ext4 keeps what it allocated before running out: check first. */
	if (size - (uint64_t)sb.st_blocks * 512 > space_free(fd))
		return STATUS_DISK_FULL;
	while ((r = fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, (off_t)size)) ==
	    -1 && errno == EINTR)
		;
	/* AllocationSize is advisory where it cannot be honoured. */
	if (r == -1 && errno != EOPNOTSUPP && errno != ENOSYS)
		return vfs_status(errno);
	return 0;
}

/* MS-FSCC 2.4.7: 0 leaves a time, so do -1 and -2 here (see vfs.h). */
static bool
time_given(uint64_t t)
{
	return t != 0 && t != UINT64_MAX && t != UINT64_MAX - 1;
}

static int
set_times(int fd, uint64_t access, uint64_t write)
{
	struct timespec ts[2];
	int64_t sec;
	long nsec;

	if (!time_given(access) && !time_given(write))
		return 0;
	ts[0].tv_nsec = ts[1].tv_nsec = UTIME_OMIT;
	if (time_given(access)) {
		vfs_timespec(access, &sec, &nsec);
		ts[0].tv_sec = (time_t)sec;
		ts[0].tv_nsec = nsec;
	}
	if (time_given(write)) {
		vfs_timespec(write, &sec, &nsec);
		ts[1].tv_sec = (time_t)sec;
		ts[1].tv_nsec = nsec;
	}
	return futimens(fd, ts);
}

/* User extended attributes exist on files and directories only. */
static bool
dos_place(const struct statx *sx)
{
	return S_ISREG(sx->stx_mode) || S_ISDIR(sx->stx_mode);
}

uint32_t
vfs_set_info(int fd, uint64_t creation, uint64_t access, uint64_t write,
    uint64_t change, uint32_t attrs, bool keep_change)
{
	struct statx sx, after;
	struct dosinfo di;
	mode_t mode, cur, want;
	bool had, dos;
	int fl, saved;

	if ((fl = fcntl(fd, F_GETFL)) == -1)
		return vfs_status(errno);
	/*
	 * None of futimens, fsetxattr or fchmod works on O_PATH, and
	 * reopening through /proc/self/fd would step around the access
	 * the open was granted.
	 */
	if (fl & O_PATH)
		return STATUS_ACCESS_DENIED;
	if ((int64_t)creation < -2 || (int64_t)access < -2 ||
	    (int64_t)write < -2 || (int64_t)change < -2)
		return STATUS_INVALID_PARAMETER;
	if (statx_fd(fd, &sx) == -1)
		return vfs_status(errno);
	/* MS-FSA 2.1.5.14.2. */
	if ((attrs & FILE_ATTRIBUTE_DIRECTORY) && !S_ISDIR(sx.stx_mode))
		return STATUS_INVALID_PARAMETER;
	if ((attrs & FILE_ATTRIBUTE_TEMPORARY) && S_ISDIR(sx.stx_mode))
		return STATUS_INVALID_PARAMETER;
	if (!time_given(creation) && !time_given(access) &&
	    !time_given(write) && !time_given(change) && attrs == 0)
		return 0;			/* nothing changes */
	/*
	 * A file's read-only attribute is its owner write bit.  Setting it
	 * takes write access from everyone; clearing it gives the owner
	 * write access back and widens nothing else.
	 */
	cur = want = mode = sx.stx_mode & 07777;
	if (S_ISREG(sx.stx_mode) && attrs != 0)
		want = (attrs & FILE_ATTRIBUTE_READONLY) ?
		    mode & ~(mode_t)(S_IWUSR | S_IWGRP | S_IWOTH) :
		    mode | S_IWUSR;
	if (set_times(fd, access, write) == -1 ||
	    statx_fd(fd, &after) == -1)
		return vfs_status(errno);

	/*
	 * The change time (user.smbsrvd.dos above): one given is kept with
	 * the file as it will be after this call.  Otherwise this call
	 * changes the file, which moves ChangeTime (MS-FSA 2.1.5.14.2),
	 * unless the open doing it set ChangeTime itself and it still
	 * holds.
	 */
	dos_get(fd, &di);
	had = (di.flags & DOS_HAS_CHANGE) != 0;
	if (time_given(change)) {
		di.change = change;
		di.flags |= DOS_HAS_CHANGE;
	} else if (!(keep_change && mark_holds(&sx, &di)))
		di.flags &= ~DOS_HAS_CHANGE;
	mark_of(&after, (after.stx_mode & S_IFMT) | want, &di.mark);
	if (time_given(creation)) {
		di.creation = creation;
		di.flags |= DOS_HAS_CREATION;
	}
	if (attrs != 0) {
		/* NORMAL alone clears all; read-only is the mode's. */
		di.attrs = attrs & (S_ISDIR(sx.stx_mode) ?
		    DOS_KEEP | FILE_ATTRIBUTE_READONLY : DOS_KEEP);
		di.flags |= DOS_HAS_ATTRS;
	}
	dos = dos_place(&sx) && (time_given(creation) || attrs != 0 ||
	    had || (di.flags & DOS_HAS_CHANGE));
	/*
	 * Writing a user extended attribute needs write permission on the
	 * inode, while Windows changes a read-only file's attributes
	 * freely: lend the owner write bit for that long.
	 */
	if (dos && S_ISREG(sx.stx_mode) && (mode & S_IWUSR) == 0 &&
	    fchmod(fd, mode | S_IWUSR) == 0)
		cur = mode | S_IWUSR;
	/* Nowhere to keep them (ENOTSUP): the client reads back defaults. */
	if (dos && dos_put(fd, &di) == -1 && errno != ENOTSUP) {
		saved = errno;
		if (cur != mode)
			(void)fchmod(fd, mode);
		return vfs_status(saved);
	}
	if (cur != want && fchmod(fd, want) == -1)
		return vfs_status(errno);
	return 0;
}

void
vfs_change_drop(int fd)
{
	struct dosinfo di;
	char path[32];
	int fl, rfd = fd;

	/* O_PATH carries no xattr calls: reopen it, for reading only. */
	if ((fl = fcntl(fd, F_GETFL)) == -1)
		return;
	if (fl & O_PATH) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		if ((rfd = open(path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW |
		    O_CLOEXEC)) == -1)
			return;
	}
	dos_get(rfd, &di);
	if (di.flags & DOS_HAS_CHANGE) {
		di.flags &= ~DOS_HAS_CHANGE;
		(void)dos_put(rfd, &di);
	}
	if (rfd != fd)
		close(rfd);
}

/* FNV-1a: the volume serial must not change across restarts. */
static uint32_t
serial_of(uint64_t v)
{
	uint32_t h = 2166136261u;
	int i;

	for (i = 0; i < 8; i++) {
		h ^= (uint8_t)(v >> (i * 8));
		h *= 16777619u;
	}
	return h;
}

/* n units of from bytes in units of to bytes, without overflowing. */
static uint64_t
rescale(uint64_t n, uint64_t from, uint64_t to)
{
	return n / to * from + n % to * from / to;
}

uint32_t
vfs_fsinfo(int root, struct vfs_fsinfo *fi)
{
	struct statvfs sv;
	struct stat sb;
	uint64_t unit, frsize, fsid;
	int fd, r;

	memset(fi, 0, sizeof(*fi));
	/* fstatvfs works on O_PATH since Linux 3.12; else open the root. */
	if ((r = fstatvfs(root, &sv)) == -1 && errno == EBADF) {
		if ((fd = open_beneath(root, "", O_RDONLY | O_DIRECTORY, 0)) ==
		    -1)
			return vfs_status(errno);
		r = fstatvfs(fd, &sv);
		close(fd);
	}
	if (r == -1)
		return vfs_status(errno);
	frsize = sv.f_frsize != 0 ? sv.f_frsize : sv.f_bsize;
	if (frsize == 0)
		frsize = 512;
	/*
	 * MS-FSCC 2.5.8 describes a unit as sectors of bytes: 512-byte
	 * sectors, as many as a fragment holds.  A fragment that is not
	 * whole sectors, or larger than Windows' largest cluster (2 MiB),
	 * is counted in 4 KiB units instead.
	 */
	unit = frsize;
	if (unit % 512 != 0 || unit > 2 * 1024 * 1024)
		unit = ALLOC_UNIT;
	fi->fi_total_units = rescale(sv.f_blocks, frsize, unit);
	fi->fi_avail_units = rescale(sv.f_bavail, frsize, unit);
	fi->fi_free_units = rescale(sv.f_bfree, frsize, unit);
	fi->fi_bytes_per_sector = 512;
	fi->fi_sectors_per_unit = (uint32_t)(unit / 512);
	fsid = sv.f_fsid;
	if (fsid == 0 && fstat(root, &sb) == 0)
		fsid = sb.st_dev;
	fi->fi_serial = serial_of(fsid);
	fi->fi_max_name = VFS_NAME_MAX;	/* MS-FSCC 2.5.1 */
	return 0;
}

uint64_t
vfs_filetime(int64_t sec, long nsec)
{
	int64_t q;
	uint64_t s;

	/* A caller's arithmetic may leave nsec out of [0, 1e9). */
	if (nsec < 0 || nsec >= 1000000000L) {
		q = nsec / 1000000000L;
		nsec %= 1000000000L;
		if (nsec < 0) {
			nsec += 1000000000L;
			q--;
		}
		if (q > 0 && sec > INT64_MAX - q)
			return FT_MAX;
		if (q < 0 && sec < INT64_MIN - q)
			return 0;
		sec += q;
	}
	if (sec < -FT_UNIX_DIFF)
		return 0;
	s = (uint64_t)sec + FT_UNIX_DIFF;
	if (s > (FT_MAX - (uint64_t)nsec / 100) / FT_PER_SEC)
		return FT_MAX;
	return s * FT_PER_SEC + (uint64_t)nsec / 100;
}

void
vfs_timespec(uint64_t filetime, int64_t *sec, long *nsec)
{
	if (filetime > FT_MAX)
		filetime = FT_MAX;
	*sec = (int64_t)(filetime / FT_PER_SEC) - FT_UNIX_DIFF;
	*nsec = (long)(filetime % FT_PER_SEC) * 100;
}
