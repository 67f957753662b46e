/*
 * vfs.h — the only door to the file system (STYLE.md: vfs.c is the only
 * file that calls it).
 *
 * Every path a client names is resolved beneath its share's root with
 * openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS) from a descriptor held
 * on the share root: nothing a client sends ("..", absolute symlinks,
 * /proc magic links) escapes the share.  Operations on a last component
 * (create, mkdir, unlink, rename) open its parent that way and then act
 * with the *at() call on a single checked name.
 *
 * Functions return an NTSTATUS (0 = success), mapping errno in one place
 * (vfs_status()).  Times are FILETIME (100 ns since 1601-01-01, UTC).
 *
 * Symbolic links: one whose target stays beneath the share root is
 * followed (Samba's "wide links = no"); one that escapes it, or any
 * absolute link (RESOLVE_BENEATH cannot tell where "/" is), fails with
 * STATUS_ACCESS_DENIED, a loop with STATUS_REPARSE_POINT_NOT_RESOLVED.
 * Names are case-sensitive, like the Linux file system beneath.
 */
#ifndef SMBSRVD_VFS_H
#define SMBSRVD_VFS_H

#include <sys/types.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* MS-FSCC 2.6 file attributes. */
#define FILE_ATTRIBUTE_READONLY		0x00000001
#define FILE_ATTRIBUTE_HIDDEN		0x00000002
#define FILE_ATTRIBUTE_SYSTEM		0x00000004
#define FILE_ATTRIBUTE_DIRECTORY	0x00000010
#define FILE_ATTRIBUTE_ARCHIVE		0x00000020
#define FILE_ATTRIBUTE_NORMAL		0x00000080
#define FILE_ATTRIBUTE_TEMPORARY	0x00000100
#define FILE_ATTRIBUTE_SPARSE_FILE	0x00000200
#define FILE_ATTRIBUTE_REPARSE_POINT	0x00000400
#define FILE_ATTRIBUTE_COMPRESSED	0x00000800
#define FILE_ATTRIBUTE_OFFLINE		0x00001000
#define FILE_ATTRIBUTE_NOT_CONTENT_INDEXED 0x00002000
#define FILE_ATTRIBUTE_ENCRYPTED	0x00004000

#define VFS_PATH_MAX		4096	/* bytes of UTF-8, relative path */
#define VFS_NAME_MAX		255	/* bytes of UTF-8, one component */

/* What SMB sees of a file (MS-FSCC 2.4 information classes draw on it). */
struct vfs_stat {
	uint64_t	vs_creation;	/* FILETIME */
	uint64_t	vs_access;
	uint64_t	vs_write;
	uint64_t	vs_change;
	uint64_t	vs_size;	/* EndOfFile */
	uint64_t	vs_alloc;	/* AllocationSize */
	uint64_t	vs_file_id;	/* IndexNumber: the inode number */
	uint32_t	vs_attrs;	/* FILE_ATTRIBUTE_* (never 0) */
	uint32_t	vs_nlink;
	uint32_t	vs_mode;	/* st_mode, for the DACL */
	uint32_t	vs_uid, vs_gid;
	dev_t		vs_dev;
	ino_t		vs_ino;
	bool		vs_is_dir;
};

/* A directory being listed (QUERY_DIRECTORY). */
struct vfs_dir;

/*
 * errno to NTSTATUS, where the errno alone decides (ENOENT is
 * STATUS_OBJECT_NAME_NOT_FOUND, ENOTDIR STATUS_OBJECT_PATH_NOT_FOUND,
 * EXDEV STATUS_ACCESS_DENIED); the functions below refine it where the
 * context decides.  0 gives STATUS_INTERNAL_ERROR, never success.
 */
uint32_t	 vfs_status(int err);

/*
 * The share root: a descriptor (O_PATH | O_DIRECTORY) held for the life
 * of the share.  -1 with errno if path is not a directory we can open.
 */
int		 vfs_root_open(const char *path);

/*
 * An SMB path (UTF-16LE, MS-SMB2 2.2.13 CREATE Name: relative to the
 * share, backslash separated) to a relative UTF-8 path in out ("" for
 * the share root).  A leading backslash is tolerated (smbtorture's
 * leading-slash test; 3.3.5.9 says STATUS_INVALID_PARAMETER only for the
 * request's own checks).  Refused: invalid UTF-16, characters MS-FSCC
 * 2.1.5.2 forbids in names (control characters, " * / : < > ? |) with
 * STATUS_OBJECT_NAME_INVALID, streams (':') with
 * STATUS_OBJECT_NAME_INVALID, empty inner components and "."/".." with
 * STATUS_OBJECT_PATH_SYNTAX_BAD, components over VFS_NAME_MAX and paths
 * over VFS_PATH_MAX with STATUS_OBJECT_NAME_INVALID.  A trailing
 * backslash (dir\) is STATUS_OBJECT_NAME_INVALID too: this interface
 * cannot tell the caller that the name asked for a directory.  Trailing
 * dots and spaces are kept, not refused.  outsz should be VFS_PATH_MAX + 1;
 * a valid path that does not fit gives STATUS_BUFFER_TOO_SMALL.
 */
uint32_t	 vfs_path_from_smb(const uint8_t *name, size_t len, char *out,
		    size_t outsz);

/*
 * Opens rel beneath root.  flags are open(2) flags (O_CREAT, O_EXCL,
 * O_TRUNC, O_DIRECTORY, O_PATH, O_RDONLY/O_WRONLY/O_RDWR); symbolic links
 * are followed as the top of this file says (pass O_NOFOLLOW to refuse one
 * as the last component).  O_CREAT | O_DIRECTORY is refused by Linux: use
 * vfs_mkdir().  For "" opens the root itself.  *fd gets an O_CLOEXEC
 * descriptor, or -1.  Only regular files and directories open (a FIFO,
 * socket or device gives STATUS_ACCESS_DENIED; O_PATH opens anything),
 * and opening never waits (O_NONBLOCK during the open(2) only).  A
 * missing last component gives STATUS_OBJECT_NAME_NOT_FOUND, a missing
 * or non-directory parent STATUS_OBJECT_PATH_NOT_FOUND, O_DIRECTORY on a
 * file STATUS_NOT_A_DIRECTORY.
 */
uint32_t	 vfs_open(int root, const char *rel, int flags, mode_t mode,
		    int *fd);
uint32_t	 vfs_mkdir(int root, const char *rel, mode_t mode);
/*
 * Removes a file (dir false) or an empty directory (dir true); the other
 * kind gives STATUS_FILE_IS_A_DIRECTORY / STATUS_NOT_A_DIRECTORY.  The
 * share root ("") cannot be removed (STATUS_ACCESS_DENIED).
 */
uint32_t	 vfs_unlink(int root, const char *rel, bool dir);
/*
 * Renames within one share.  replace false: STATUS_OBJECT_NAME_COLLISION
 * if to exists (renameat2 RENAME_NOREPLACE).  replace true never replaces
 * a directory (STATUS_ACCESS_DENIED, MS-FSA 2.1.5.14.11); a rename across
 * a mount point inside the share is STATUS_NOT_SAME_DEVICE.
 */
uint32_t	 vfs_rename(int root, const char *from, const char *to,
		    bool replace);
/* stat of rel beneath root without opening it (follows nothing magic). */
uint32_t	 vfs_stat_path(int root, const char *rel, struct vfs_stat *);

/*
 * fstat of an open descriptor.  The stored DOS attributes and creation
 * time (vfs_set_info()) can only be read through a real descriptor: an
 * O_PATH one shows the defaults (ARCHIVE for files, birth time).
 */
uint32_t	 vfs_fstat(int fd, struct vfs_stat *);
/*
 * pread/pwrite looping on short transfers; *done = bytes moved (also when
 * an error stops the loop).  Reading at or past the end of file succeeds
 * with *done = 0 (the caller answers STATUS_END_OF_FILE).
 */
uint32_t	 vfs_pread(int fd, void *buf, size_t len, uint64_t off,
		    size_t *done);
uint32_t	 vfs_pwrite(int fd, const void *buf, size_t len, uint64_t off,
		    size_t *done);
/* MS-FSA 2.1.5.4: the largest file NTFS holds, 16 TiB less 64 KiB. */
#define VFS_MAXFILESIZE		0x00000fffffff0000ULL
/*
 * A write at off: STATUS_DISK_FULL if it starts past the end of file by
 * more than the volume has free.  Every file here is non-sparse to a
 * client (no FILE_ATTRIBUTE_SPARSE_FILE), and NTFS allocates the gap of a
 * non-sparse file (MS-FSA 2.1.5.4), so a client must not be told that a
 * write succeeded that Windows would refuse for want of space; Linux
 * leaves the gap a hole and allocates nothing here.
 */
uint32_t	 vfs_extend_check(int fd, uint64_t off);
uint32_t	 vfs_fsync(int fd);
uint32_t	 vfs_truncate(int fd, uint64_t size);
/*
 * AllocationSize: fallocate(KEEP_SIZE) to grow; never shrinks data, and
 * succeeds where the file system cannot preallocate.  More than the
 * volume has free is STATUS_DISK_FULL before anything is allocated
 * (MS-SMB2 3.3.5.9.3), so a failed request leaves no blocks behind.  MS-FSA 2.1.5.14.1
 * also lowers EndOfFile to an AllocationSize below it: the caller does
 * that with vfs_truncate().
 */
uint32_t	 vfs_allocate(int fd, uint64_t size);
/*
 * Sets times (0 = leave, FILETIME otherwise) and DOS attributes (0 =
 * leave).  Creation time, a change time a client sets and the attributes
 * that Linux has no place for (hidden, system, archive, ...) are kept in
 * the user.smbsrvd.dos extended attribute when the file system allows
 * it, so a client reads back what it set; read-only maps to the owner
 * write bit (files; a directory keeps it in the attribute).  Linux cannot
 * set the ctime: a change time set here is the file's ChangeTime (in
 * every vfs_stat) until its write time, size, mode, link count or owner
 * next change, or smbsrvd changes it otherwise (vfs_change_drop()); then
 * the ctime is again.  keep_change: the open doing this set ChangeTime
 * itself (MS-FSA Open.UserSetChangeTime), so this call leaves a kept one
 * in place.  MS-FSCC 2.4.7's -1 and -2 ("stop / resume updating") are
 * taken as "leave"; a time below -2 is STATUS_INVALID_PARAMETER, as are
 * DIRECTORY on a file and TEMPORARY on a directory (MS-FSA 2.1.5.14.2).
 * fd must not be O_PATH (STATUS_ACCESS_DENIED).  Where the file system
 * has no user extended attributes, what only the attribute can hold is
 * not kept, without error.
 */
uint32_t	 vfs_set_info(int fd, uint64_t creation, uint64_t access,
		    uint64_t write, uint64_t change, uint32_t attrs,
		    bool keep_change);
/* The file changed in a way the kept change time cannot see: drop it. */
void		 vfs_change_drop(int fd);

/*
 * Security descriptors (vfs_sec.c; the mapping is secdesc.h's).
 * vfs_acl_get() reads the kept DACL blob into buf: its length, or -1
 * when there is none or it does not fit.  vfs_acl_put() stores one, or
 * with len 0 removes it (absent is not an error); STATUS_NOT_SUPPORTED
 * where the file system has no user extended attributes (a symbolic
 * link, a special file, some file systems).  vfs_chown() changes owner
 * and group ((uint32_t)-1 leaves one), vfs_chmod() the permission bits
 * (07777).  All of them take O_PATH descriptors too.
 */
ssize_t		 vfs_acl_get(int fd, uint8_t *buf, size_t len);
uint32_t	 vfs_acl_put(int fd, const uint8_t *buf, size_t len);
uint32_t	 vfs_chown(int fd, uint32_t uid, uint32_t gid);
uint32_t	 vfs_chmod(int fd, uint32_t mode);

/* Free space of the share's file system (MS-FSCC FileFsSizeInformation). */
struct vfs_fsinfo {
	uint64_t	fi_total_units;
	uint64_t	fi_avail_units;	/* for the caller */
	uint64_t	fi_free_units;	/* for everyone */
	uint32_t	fi_sectors_per_unit;
	uint32_t	fi_bytes_per_sector;
	uint32_t	fi_serial;	/* volume serial number */
	uint32_t	fi_max_name;
};
uint32_t	 vfs_fsinfo(int root, struct vfs_fsinfo *);

/*
 * Directory listing over an open directory descriptor (the open's own
 * fd; the listing keeps its own copy).  Entries come in a stable order
 * for the life of the listing, "." and ".." first as Windows gives them.
 * vfs_dir_next() fills name (UTF-8, NUL-terminated) and st; it returns
 * STATUS_NO_MORE_FILES at the end.  vfs_dir_rewind() starts over
 * (SMB2_RESTART_SCANS / SMB2_REOPEN).  vfs_dir_unget() puts back the
 * entry just returned (when it did not fit the client's buffer).
 * Entries whose name is not valid UTF-8 or that cannot be represented
 * in SMB (vfs_name_ok()) are skipped, and so are entries removed since the
 * listing was read.  ".." is given the data of "." (the listing does not
 * know whether it is the share root, and the root's parent is outside).
 * A symbolic link whose target resolves beneath the listed directory is
 * shown as its target; any other (dangling, looping, or pointing out of
 * the directory) as itself, a file whose size is the link's length.
 * namesz must be at least VFS_NAME_MAX + 1 (else STATUS_BUFFER_TOO_SMALL,
 * nothing consumed).
 */
uint32_t	 vfs_dir_open(int fd, struct vfs_dir **);
uint32_t	 vfs_dir_next(struct vfs_dir *, char *name, size_t namesz,
		    struct vfs_stat *);
void		 vfs_dir_unget(struct vfs_dir *);
void		 vfs_dir_rewind(struct vfs_dir *);
void		 vfs_dir_close(struct vfs_dir *);

/*
 * Unix seconds+ns <-> FILETIME.  Times before 1601 clamp to 0, times past
 * the largest positive FILETIME (INT64_MAX: above it the value reads as a
 * negative LARGE_INTEGER) clamp to it.
 */
uint64_t	 vfs_filetime(int64_t sec, long nsec);
void		 vfs_timespec(uint64_t filetime, int64_t *sec, long *nsec);

/* Shared by vfs.c and vfs_dir.c; nothing else needs them. */

/*
 * True if name (one component, UTF-8) can be named by an SMB client:
 * valid UTF-8, 1..VFS_NAME_MAX bytes, none of the characters MS-FSCC
 * 2.1.5.2 forbids, not "." or "..".
 */
bool		 vfs_name_ok(const char *name);
/*
 * stat of path beneath dirfd.  follow: path may have several components
 * and symbolic links are followed beneath dirfd (openat2); !follow: path
 * is a single name whose link, if any, is described itself.
 */
uint32_t	 vfs_stat_at(int dirfd, const char *path, bool follow,
		    struct vfs_stat *);

#endif
