/*
 * smb2_fsinfo.c — the file-system information classes of QUERY_INFO
 * (MS-SMB2 3.3.5.20.2; MS-FSCC 2.5; MS-FSA 2.1.5.13) and the refusal of
 * SET_INFO on them (3.3.5.21.2).  smb2_info.c runs the rows of the
 * table below exactly as it runs the file classes.
 *
 * What the volume is said to be: an NTFS-like disk (FileFsAttribute
 * names "NTFS", as Samba does, because Windows enables features such as
 * long names and Unicode per file system name), case-sensitive and
 * case-preserving like the Linux file system under it, with persistent
 * ACLs (the Security tab of Windows Explorer appears only then; the
 * descriptors are derived from the mode, secdesc.h).  Sparse files,
 * named streams, object ids, reparse points and extended attributes are
 * not claimed: the server implements none of the operations that come
 * with them.  A read-only share is a read-only volume and device.
 */
#include <string.h>

#include "ntstatus.h"
#include "ofile.h"
#include "share.h"
#include "smb2_info.h"
#include "smb2_req.h"
#include "tree.h"
#include "ucs2.h"
#include "vfs.h"

/* MS-FSCC 2.5.1 FileSystemAttributes. */
#define FILE_CASE_SENSITIVE_SEARCH	0x00000001
#define FILE_CASE_PRESERVED_NAMES	0x00000002
#define FILE_UNICODE_ON_DISK		0x00000004
#define FILE_PERSISTENT_ACLS		0x00000008
#define FILE_READ_ONLY_VOLUME		0x00080000

/* MS-FSCC 2.5 FileFsDeviceInformation. */
#define FILE_DEVICE_DISK		0x00000007
#define FILE_READ_ONLY_DEVICE		0x00000002
#define FILE_DEVICE_IS_MOUNTED		0x00000020

/* MS-FSCC 2.5.7 FileFsSectorSizeInformation Flags. */
#define SSINFO_FLAGS_ALIGNED_DEVICE		0x00000001
#define SSINFO_FLAGS_PARTITION_ALIGNED_ON_DEVICE 0x00000002

#define FS_NAME				"NTFS"
#define FS_OBJECT_ID_LEN		64	/* ObjectId, ExtendedInfo */

static bool
read_only(const struct ofile *of)
{
	return of->of_tree->t_share->sh_read_only;
}

/*
 * FileFsVolumeInformation (MS-FSCC 2.5.9): the share root's creation
 * time, the file system's serial, the share name as the label.  No
 * object ids: SupportsObjects is FALSE.
 */
static uint32_t
fs_volume(struct info_ctx *x)
{
	struct msgbuf_wr *out = &x->ix_out;
	const char *label = x->ix_of->of_tree->t_share->sh_name;
	struct vfs_fsinfo fi;
	struct vfs_stat root;
	uint8_t label16[2 * (CONF_NAME_MAX + 1)];
	uint32_t status;
	ssize_t n;

	if ((status = vfs_fsinfo(x->ix_of->of_root, &fi)) != STATUS_SUCCESS)
		return status;
	if (vfs_stat_path(x->ix_of->of_root, "", &root) != STATUS_SUCCESS)
		root.vs_creation = 0;
	if ((n = ucs2_from_utf8(label, strlen(label), label16,
	    sizeof(label16))) < 0)
		n = 0;
	msgbuf_put_le64(out, root.vs_creation);
	msgbuf_put_le32(out, fi.fi_serial);
	msgbuf_put_le32(out, (uint32_t)n);
	msgbuf_put_u8(out, 0);			/* SupportsObjects */
	msgbuf_put_u8(out, 0);			/* Reserved */
	msgbuf_put_bytes(out, label16, (size_t)n);
	return STATUS_SUCCESS;
}

/* FileFsSizeInformation (2.5.8): the caller's free space. */
static uint32_t
fs_size(struct info_ctx *x)
{
	struct msgbuf_wr *out = &x->ix_out;
	struct vfs_fsinfo fi;
	uint32_t status;

	if ((status = vfs_fsinfo(x->ix_of->of_root, &fi)) != STATUS_SUCCESS)
		return status;
	msgbuf_put_le64(out, fi.fi_total_units);
	msgbuf_put_le64(out, fi.fi_avail_units);
	msgbuf_put_le32(out, fi.fi_sectors_per_unit);
	msgbuf_put_le32(out, fi.fi_bytes_per_sector);
	return STATUS_SUCCESS;
}

static uint32_t
fs_device(struct info_ctx *x)
{
	struct msgbuf_wr *out = &x->ix_out;

	msgbuf_put_le32(out, FILE_DEVICE_DISK);
	msgbuf_put_le32(out, FILE_DEVICE_IS_MOUNTED |
	    (read_only(x->ix_of) ? FILE_READ_ONLY_DEVICE : 0));
	return STATUS_SUCCESS;
}

static uint32_t
fs_attribute(struct info_ctx *x)
{
	struct msgbuf_wr *out = &x->ix_out;
	struct vfs_fsinfo fi;
	uint32_t status;
	size_t i;

	if ((status = vfs_fsinfo(x->ix_of->of_root, &fi)) != STATUS_SUCCESS)
		return status;
	msgbuf_put_le32(out, FILE_CASE_SENSITIVE_SEARCH |
	    FILE_CASE_PRESERVED_NAMES | FILE_UNICODE_ON_DISK |
	    FILE_PERSISTENT_ACLS |
	    (read_only(x->ix_of) ? FILE_READ_ONLY_VOLUME : 0));
	msgbuf_put_le32(out, fi.fi_max_name);
	msgbuf_put_le32(out, 2 * (sizeof(FS_NAME) - 1));
	for (i = 0; i < sizeof(FS_NAME) - 1; i++)
		msgbuf_put_le16(out, (uint16_t)FS_NAME[i]);
	return STATUS_SUCCESS;
}

/*
 * FileFsControlInformation (2.5.2): quotas are neither tracked nor
 * enforced (no FILE_VC_* flag), the defaults are "no limit".
 */
static uint32_t
fs_control(struct info_ctx *x)
{
	struct msgbuf_wr *out = &x->ix_out;

	msgbuf_put_le64(out, 0);		/* FreeSpaceStartFiltering */
	msgbuf_put_le64(out, 0);		/* FreeSpaceThreshold */
	msgbuf_put_le64(out, 0);		/* FreeSpaceStopFiltering */
	msgbuf_put_le64(out, UINT64_MAX);	/* DefaultQuotaThreshold */
	msgbuf_put_le64(out, UINT64_MAX);	/* DefaultQuotaLimit */
	msgbuf_put_le32(out, 0);		/* FileSystemControlFlags */
	msgbuf_put_le32(out, 0);		/* Padding */
	return STATUS_SUCCESS;
}

/* FileFsFullSizeInformation (2.5.4): the caller's and everyone's. */
static uint32_t
fs_full_size(struct info_ctx *x)
{
	struct msgbuf_wr *out = &x->ix_out;
	struct vfs_fsinfo fi;
	uint32_t status;

	if ((status = vfs_fsinfo(x->ix_of->of_root, &fi)) != STATUS_SUCCESS)
		return status;
	msgbuf_put_le64(out, fi.fi_total_units);
	msgbuf_put_le64(out, fi.fi_avail_units);
	msgbuf_put_le64(out, fi.fi_free_units);
	msgbuf_put_le32(out, fi.fi_sectors_per_unit);
	msgbuf_put_le32(out, fi.fi_bytes_per_sector);
	return STATUS_SUCCESS;
}

/* FileFsObjectIdInformation (2.5.6): the volume has no object id. */
static uint32_t
fs_object_id(struct info_ctx *x)
{
	msgbuf_put_zero(&x->ix_out, FS_OBJECT_ID_LEN);
	return STATUS_SUCCESS;
}

/*
 * FileFsSectorSizeInformation (2.5.7): one sector size for every
 * purpose, aligned, nothing offset.
 */
static uint32_t
fs_sector_size(struct info_ctx *x)
{
	struct msgbuf_wr *out = &x->ix_out;
	struct vfs_fsinfo fi;
	uint32_t status;

	if ((status = vfs_fsinfo(x->ix_of->of_root, &fi)) != STATUS_SUCCESS)
		return status;
	msgbuf_put_le32(out, fi.fi_bytes_per_sector);	/* Logical */
	msgbuf_put_le32(out, fi.fi_bytes_per_sector);	/* Physical, atomic */
	msgbuf_put_le32(out, fi.fi_bytes_per_sector);	/* ... performance */
	msgbuf_put_le32(out, fi.fi_bytes_per_sector);	/* ... effective */
	msgbuf_put_le32(out, SSINFO_FLAGS_ALIGNED_DEVICE |
	    SSINFO_FLAGS_PARTITION_ALIGNED_ON_DEVICE);
	msgbuf_put_le32(out, 0);	/* ByteOffsetForSectorAlignment */
	msgbuf_put_le32(out, 0);	/* ByteOffsetForPartitionAlignment */
	return STATUS_SUCCESS;
}

/*
 * Smallest buffers: Windows' sizeof() of each structure, as smbtorture's
 * qfs_buffercheck records it (24 for Volume and 16 for Attribute, where
 * MS-FSA 2.1.5.13 would allow 24 and 12).  No access is needed.
 */
static const struct info_class fs_classes[] = {
	{ INFO_FS_VOLUME, 24, 0, fs_volume },
	{ INFO_FS_SIZE, 24, 0, fs_size },
	{ INFO_FS_DEVICE, 8, 0, fs_device },
	{ INFO_FS_ATTRIBUTE, 16, 0, fs_attribute },
	{ INFO_FS_CONTROL, 48, 0, fs_control },
	{ INFO_FS_FULL_SIZE, 32, 0, fs_full_size },
	{ INFO_FS_OBJECT_ID, 64, 0, fs_object_id },
	{ INFO_FS_SECTOR_SIZE, 28, 0, fs_sector_size },
};

const struct info_class *
smb2_fsinfo_class(uint8_t cls)
{
	size_t i;

	for (i = 0; i < sizeof(fs_classes) / sizeof(fs_classes[0]); i++)
		if (fs_classes[i].ic_class == cls)
			return &fs_classes[i];
	return NULL;
}

/*
 * Windows sets only the label, the quota control and the object id of a
 * volume; the server changes none of them (STATUS_NOT_SUPPORTED), and
 * any other class is STATUS_INVALID_INFO_CLASS.
 */
uint32_t
smb2_fsinfo_set(uint8_t cls)
{
	switch (cls) {
	case INFO_FS_LABEL:
	case INFO_FS_CONTROL:
	case INFO_FS_OBJECT_ID:
		return STATUS_NOT_SUPPORTED;
	default:
		return STATUS_INVALID_INFO_CLASS;
	}
}
