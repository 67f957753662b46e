/*
 * vfs_sec.c — what SET_INFO of a security descriptor changes in the file
 * system (see vfs.h): the owner, the permission bits, and the kept DACL
 * of secdesc.h in the user.smbsrvd.acl extended attribute.
 *
 * CREATE opens files for reading at least today, but these calls take
 * any descriptor vfs_open() can give, O_PATH ones included: fchmod(2)
 * and the f*xattr(2) calls refuse those, so they go through the
 * descriptor's /proc/self/fd link instead.  That link names exactly the
 * open inode, and the caller has already checked that the open was
 * granted WRITE_DAC or WRITE_OWNER: nothing is reached that the open did
 * not name.
 */
#include <sys/stat.h>
#include <sys/xattr.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "ntstatus.h"
#include "vfs.h"

#define ACL_XATTR	"user.smbsrvd.acl"

/* "/proc/self/fd/N" when fd is O_PATH, else NULL (use fd itself). */
static const char *
proc_path(int fd, char *buf, size_t len)
{
	int fl;

	if ((fl = fcntl(fd, F_GETFL)) == -1 || !(fl & O_PATH))
		return NULL;
	snprintf(buf, len, "/proc/self/fd/%d", fd);
	return buf;
}

ssize_t
vfs_acl_get(int fd, uint8_t *buf, size_t len)
{
	char path[32];
	const char *p = proc_path(fd, path, sizeof(path));

	/* ENODATA, ENOTSUP, ERANGE: nothing usable is kept. */
	return p != NULL ? getxattr(p, ACL_XATTR, buf, len) :
	    fgetxattr(fd, ACL_XATTR, buf, len);
}

uint32_t
vfs_acl_put(int fd, const uint8_t *buf, size_t len)
{
	char path[32];
	const char *p = proc_path(fd, path, sizeof(path));
	int rc;

	if (len == 0) {
		rc = p != NULL ? removexattr(p, ACL_XATTR) :
		    fremovexattr(fd, ACL_XATTR);
		return rc == -1 && errno != ENODATA && errno != ENOTSUP ?
		    vfs_status(errno) : STATUS_SUCCESS;
	}
	rc = p != NULL ? setxattr(p, ACL_XATTR, buf, len, 0) :
	    fsetxattr(fd, ACL_XATTR, buf, len, 0);
	if (rc == -1)
		return errno == ENOTSUP ? STATUS_NOT_SUPPORTED :
		    vfs_status(errno);
	/* A new security descriptor is a change (MS-FSA 2.1.5.16). */
	vfs_change_drop(fd);
	return STATUS_SUCCESS;
}

uint32_t
vfs_chown(int fd, uint32_t uid, uint32_t gid)
{
	/* AT_EMPTY_PATH works on O_PATH descriptors as well. */
	if (fchownat(fd, "", (uid_t)uid, (gid_t)gid, AT_EMPTY_PATH) == -1)
		return vfs_status(errno);
	return STATUS_SUCCESS;
}

uint32_t
vfs_chmod(int fd, uint32_t mode)
{
	char path[32];
	const char *p = proc_path(fd, path, sizeof(path));
	int rc;

	rc = p != NULL ? chmod(p, (mode_t)(mode & 07777)) :
	    fchmod(fd, (mode_t)(mode & 07777));
	return rc == -1 ? vfs_status(errno) : STATUS_SUCCESS;
}
