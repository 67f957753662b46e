/*
 * vfs_dir.c — directory listings for QUERY_DIRECTORY (see vfs.h).
 *
 * vfs_dir_open() reads every name once into one buffer, "." and ".."
 * first, then readdir(3) order.  A snapshot is what "a stable order for
 * the life of the listing" needs: the kernel's cookie order may shift as
 * files come and go, and SMB2 resumes by position (MS-SMB2 3.3.5.18).
 * Both arrays double as they grow, so 100 000 entries cost one pass and
 * a few reallocations.  Each entry is stat'ed only when handed out: most
 * listings are filtered by a pattern or abandoned early, and an entry
 * removed since the snapshot is then simply skipped.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ntstatus.h"
#include "vfs.h"

#define DIR_MIN_NAMES	4096	/* bytes */
#define DIR_MIN_ENTRIES	64

struct vfs_dir {
	DIR		*vd_dir;
	char		*vd_names;	/* NUL-terminated names back to back */
	size_t		 vd_len, vd_cap;	/* bytes used, allocated */
	size_t		*vd_offs;	/* where each name starts */
	size_t		 vd_n, vd_ncap;	/* entries used, allocated */
	size_t		 vd_pos;	/* next entry to hand out */
	size_t		 vd_last;	/* entry handed out last */
	bool		 vd_unget;	/* vd_last may be put back */
	uint32_t	 vd_err;	/* why the last (re)read failed */
};

static int
grow(void **p, size_t *cap, size_t need, size_t elem, size_t min)
{
	size_t ncap = *cap != 0 ? *cap : min;
	void *np;

	while (ncap < need) {
		if (ncap > SIZE_MAX / 2)
			return -1;
		ncap *= 2;
	}
	if (ncap == *cap)
		return 0;
	if (ncap > SIZE_MAX / elem || (np = realloc(*p, ncap * elem)) == NULL)
		return -1;
	*p = np;
	*cap = ncap;
	return 0;
}

static int
add_name(struct vfs_dir *vd, const char *name)
{
	size_t len = strlen(name) + 1;

	if (grow((void **)&vd->vd_names, &vd->vd_cap, vd->vd_len + len, 1,
	    DIR_MIN_NAMES) == -1 ||
	    grow((void **)&vd->vd_offs, &vd->vd_ncap, vd->vd_n + 1,
	    sizeof(*vd->vd_offs), DIR_MIN_ENTRIES) == -1)
		return -1;
	memcpy(vd->vd_names + vd->vd_len, name, len);
	vd->vd_offs[vd->vd_n++] = vd->vd_len;
	vd->vd_len += len;
	return 0;
}

/* (Re)reads the whole directory; a failure is kept for vfs_dir_next(). */
static uint32_t
read_all(struct vfs_dir *vd)
{
	struct dirent *de;

	vd->vd_len = vd->vd_n = vd->vd_pos = 0;
	vd->vd_unget = false;
	vd->vd_err = 0;
	/* NTFS lists these two first; clients expect them there. */
	if (add_name(vd, ".") == -1 || add_name(vd, "..") == -1)
		goto nomem;
	/* rewinddir() makes the next readdir() ask the kernel afresh. */
	rewinddir(vd->vd_dir);
	for (;;) {
		errno = 0;
		if ((de = readdir(vd->vd_dir)) == NULL)
			break;
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0 || !vfs_name_ok(de->d_name))
			continue;
		if (add_name(vd, de->d_name) == -1)
			goto nomem;
	}
	if (errno != 0) {
		vd->vd_err = vfs_status(errno);
		vd->vd_n = 0;
	}
	return vd->vd_err;
nomem:
	vd->vd_n = 0;
	return vd->vd_err = STATUS_NO_MEMORY;
}

uint32_t
vfs_dir_open(int fd, struct vfs_dir **out)
{
	struct vfs_dir *vd;
	uint32_t st;
	int dfd;

	*out = NULL;
	if ((vd = calloc(1, sizeof(*vd))) == NULL)
		return STATUS_NO_MEMORY;
	/*
	 * Our own descriptor with its own offset, readable even if the
	 * open's is O_PATH.  "." names fd itself, no client path.
	 */
	if ((dfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) ==
	    -1) {
		st = errno == ENOTDIR ? STATUS_NOT_A_DIRECTORY :
		    vfs_status(errno);
		free(vd);
		return st;
	}
	if ((vd->vd_dir = fdopendir(dfd)) == NULL) {
		st = vfs_status(errno);
		close(dfd);
		free(vd);
		return st;
	}
	if ((st = read_all(vd)) != 0) {
		vfs_dir_close(vd);
		return st;
	}
	*out = vd;
	return 0;
}

/*
 * The stat of entry i.  ".." gets the data of ".": the listing does not
 * know the share root, whose parent lies outside.  A link is shown as its
 * target when that resolves beneath this directory (openat2 again, so
 * never outside the share); otherwise as the link itself.
 */
static uint32_t
entry_stat(struct vfs_dir *vd, size_t i, const char *name,
    struct vfs_stat *st)
{
	struct vfs_stat target;
	int dfd = dirfd(vd->vd_dir);
	uint32_t s;

	if (i < 2)
		return vfs_fstat(dfd, st);
	if ((s = vfs_stat_at(dfd, name, false, st)) != 0)
		return s;
	if (S_ISLNK(st->vs_mode) && vfs_stat_at(dfd, name, true, &target) ==
	    0)
		*st = target;
	return 0;
}

uint32_t
vfs_dir_next(struct vfs_dir *vd, char *name, size_t namesz,
    struct vfs_stat *st)
{
	const char *nm;
	uint32_t s;
	size_t i;

	if (namesz < VFS_NAME_MAX + 1)
		return STATUS_BUFFER_TOO_SMALL;	/* nothing consumed */
	vd->vd_unget = false;
	if (vd->vd_err != 0)
		return vd->vd_err;
	while (vd->vd_pos < vd->vd_n) {
		i = vd->vd_pos++;
		nm = vd->vd_names + vd->vd_offs[i];
		/* Gone since the snapshot: the directory is live. */
		if ((s = entry_stat(vd, i, nm, st)) ==
		    STATUS_OBJECT_NAME_NOT_FOUND)
			continue;
		if (s != 0)
			return s;
		memcpy(name, nm, strlen(nm) + 1);
		vd->vd_last = i;
		vd->vd_unget = true;
		return 0;
	}
	return STATUS_NO_MORE_FILES;
}

void
vfs_dir_unget(struct vfs_dir *vd)
{
	if (vd->vd_unget)
		vd->vd_pos = vd->vd_last;
	vd->vd_unget = false;
}

void
vfs_dir_rewind(struct vfs_dir *vd)
{
	/* From scratch, so that files created since show up. */
	(void)read_all(vd);
}

void
vfs_dir_close(struct vfs_dir *vd)
{
	if (vd == NULL)
		return;
	if (vd->vd_dir != NULL)
		closedir(vd->vd_dir);
	free(vd->vd_names);
	free(vd->vd_offs);
	free(vd);
}
