/*
 * smb2_info.h — QUERY_INFO and SET_INFO (MS-SMB2 2.2.37-2.2.40, 3.3.5.20,
 * 3.3.5.21) between the files that implement them: smb2_info.c (the two
 * handlers and the file classes), smb2_fsinfo.c (the file-system
 * classes), smb2_secinfo.c and secdesc.c (security descriptors).
 *
 * Everything a client sends is decoded here by functions that take only
 * a struct msgbuf_rd, so tests/fuzz/fuzz_info.c drives them without a
 * connection or an open.  A class the server answers is a row of a
 * table: its number, the smallest OutputBufferLength it accepts (below
 * it, STATUS_INFO_LENGTH_MISMATCH), the access it needs, and the
 * function that writes its whole structure; the caller truncates to
 * OutputBufferLength with STATUS_BUFFER_OVERFLOW.
 */
#ifndef SMBSRVD_SMB2_INFO_H
#define SMBSRVD_SMB2_INFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "msgbuf.h"
#include "vfs.h"

struct ofile;
struct smb_req;

/* 2.2.37 InfoType. */
#define SMB2_0_INFO_FILE		0x01
#define SMB2_0_INFO_FILESYSTEM		0x02
#define SMB2_0_INFO_SECURITY		0x03
#define SMB2_0_INFO_QUOTA		0x04

/* MS-FSCC 2.4 file information classes. */
#define INFO_FILE_BASIC			4
#define INFO_FILE_STANDARD		5
#define INFO_FILE_INTERNAL		6
#define INFO_FILE_EA			7
#define INFO_FILE_ACCESS		8
#define INFO_FILE_NAME			9
#define INFO_FILE_RENAME		10
#define INFO_FILE_LINK			11
#define INFO_FILE_DISPOSITION		13
#define INFO_FILE_POSITION		14
#define INFO_FILE_FULL_EA		15
#define INFO_FILE_MODE			16
#define INFO_FILE_ALIGNMENT		17
#define INFO_FILE_ALL			18
#define INFO_FILE_ALLOCATION		19
#define INFO_FILE_END_OF_FILE		20
#define INFO_FILE_ALTERNATE_NAME	21
#define INFO_FILE_STREAM		22
#define INFO_FILE_COMPRESSION		28
#define INFO_FILE_NETWORK_OPEN		34
#define INFO_FILE_ATTRIBUTE_TAG		35
#define INFO_FILE_NORMALIZED_NAME	48
#define INFO_FILE_DISPOSITION_EX	64
#define INFO_FILE_RENAME_EX		65

/* MS-FSCC 2.5 file system information classes. */
#define INFO_FS_VOLUME			1
#define INFO_FS_LABEL			2
#define INFO_FS_SIZE			3
#define INFO_FS_DEVICE			4
#define INFO_FS_ATTRIBUTE		5
#define INFO_FS_CONTROL			6
#define INFO_FS_FULL_SIZE		7
#define INFO_FS_OBJECT_ID		8
#define INFO_FS_SECTOR_SIZE		11

/*
 * FileRenameInformationEx Flags (ReplaceIfExists is bit 0 of both).  The
 * others are hints the server does without.
 */
#define FILE_RENAME_REPLACE_IF_EXISTS		0x00000001
#define FILE_RENAME_IGNORE_READONLY_ATTRIBUTE	0x00000040

/* FileDispositionInformationEx Flags. */
#define FILE_DISPOSITION_DELETE			0x00000001
#define FILE_DISPOSITION_POSIX_SEMANTICS	0x00000002
#define FILE_DISPOSITION_FORCE_IMAGE_SECTION_CHECK 0x00000004
#define FILE_DISPOSITION_ON_CLOSE		0x00000008
#define FILE_DISPOSITION_IGNORE_READONLY_ATTRIBUTE 0x00000010

/* A QUERY_INFO request (2.2.37). */
struct query_req {
	uint8_t			 q_type;	/* InfoType */
	uint8_t			 q_class;	/* FileInfoClass */
	uint32_t		 q_outlen;	/* OutputBufferLength */
	uint32_t		 q_inlen;	/* InputBufferLength */
	struct msgbuf_rd	 q_in;		/* the input buffer */
	uint32_t		 q_addl;	/* AdditionalInformation */
	uint32_t		 q_flags;
	uint64_t		 q_fid_p, q_fid_v;
};

/* A SET_INFO request (2.2.39). */
struct set_req {
	uint8_t			 s_type;
	uint8_t			 s_class;
	uint32_t		 s_buflen;	/* BufferLength */
	struct msgbuf_rd	 s_buf;		/* the buffer */
	uint32_t		 s_addl;
	uint64_t		 s_fid_p, s_fid_v;
};

/* A decoded SET_INFO buffer of a file class. */
struct set_file {
	uint8_t			 sf_class;
	uint64_t		 sf_times[4];	/* Basic: creation, access, */
	uint32_t		 sf_attrs;	/* write, change; attributes */
	uint32_t		 sf_flags;	/* Rename, Disposition (Ex) */
	const uint8_t		*sf_name;	/* Rename: UTF-16LE in buf */
	size_t			 sf_namelen;
	uint64_t		 sf_value;	/* Position, Allocation, EOF */
	uint32_t		 sf_mode;	/* Mode */
	uint32_t		 sf_ea_values;	/* FullEa: entries with data */
};

/* What a class's function works from and writes to. */
struct info_ctx {
	struct smb_req		*ix_req;
	struct ofile		*ix_of;
	struct vfs_stat		 ix_st;		/* of the open's file */
	struct msgbuf_wr	 ix_out;	/* the whole structure */
	uint32_t		 ix_outlen;	/* OutputBufferLength */
};

/* A class QUERY_INFO answers. */
struct info_class {
	uint8_t		 ic_class;
	uint32_t	 ic_min;	/* smallest OutputBufferLength */
	uint32_t	 ic_access;	/* in GrantedAccess, or ACCESS_DENIED */
	uint32_t	(*ic_fn)(struct info_ctx *);	/* an NTSTATUS */
};

/*
 * The body of a QUERY_INFO (rd just past StructureSize), with the input
 * buffer located by its offset from the start of rd's buffer (the SMB2
 * header).  STATUS_INVALID_PARAMETER if short or out of range.
 */
uint32_t	 smb2_info_query_decode(struct msgbuf_rd *, struct query_req *);
/* The same for SET_INFO. */
uint32_t	 smb2_info_set_decode(struct msgbuf_rd *, struct set_req *);
/*
 * A SET_INFO buffer of file class cls (MS-FSCC 2.4): every length
 * checked against the buffer.  STATUS_INFO_LENGTH_MISMATCH when shorter
 * than the class's structure, STATUS_INVALID_PARAMETER for a malformed
 * one, STATUS_EA_LIST_INCONSISTENT for a bad EA list,
 * STATUS_INVALID_INFO_CLASS for a class that cannot be set.
 */
uint32_t	 smb2_info_file_decode(uint8_t cls, struct msgbuf_rd *,
		    struct set_file *);

/*
 * The QUERY_INFO response carrying len bytes of data (cut at outlen with
 * STATUS_BUFFER_OVERFLOW); st is the status to answer with.
 */
uint32_t	 smb2_info_reply(struct smb_req *, const uint8_t *data,
		    size_t len, uint32_t outlen, uint32_t st);
/* SMB2_0_INFO_SECURITY (smb2_secinfo.c). */
uint32_t	 smb2_query_security(struct smb_req *, struct ofile *,
		    const struct query_req *);
uint32_t	 smb2_set_security(struct ofile *, struct set_req *);

/* The file-system class cls (smb2_fsinfo.c), or NULL. */
const struct info_class *smb2_fsinfo_class(uint8_t cls);
/* SET_INFO of a file-system class: the status Windows gives. */
uint32_t	 smb2_fsinfo_set(uint8_t cls);

#endif
