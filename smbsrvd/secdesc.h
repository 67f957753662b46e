/*
 * secdesc.h — security descriptors from Unix ownership and mode
 * (MS-DTYP 2.4.6 SECURITY_DESCRIPTOR, self-relative form).
 *
 * The server keeps no Windows ACLs.  What a client reads is derived from
 * the file's uid, gid and permission bits, the way Samba presents a file
 * without POSIX ACLs:
 *   - the owner is S-1-22-1-<uid> and the group S-1-22-2-<gid> (Samba's
 *     "Unix User" and "Unix Group" authorities, MS-DTYP 2.4.2);
 *   - the DACL holds three ACCESS_ALLOWED ACEs, always in this order:
 *     owner, group, Everyone (S-1-1-0), each carrying the rights of its
 *     rwx triplet: r is FILE_GENERIC_READ, w FILE_GENERIC_WRITE (plus
 *     FILE_DELETE_CHILD on a directory, which w on a directory allows),
 *     x FILE_GENERIC_EXECUTE, and rwx together FILE_ALL_ACCESS ("Full
 *     control").  A triplet of --- gives an ACE with an empty mask, so
 *     that every ACL lists all three principals.  Directory ACEs carry
 *     OBJECT_INHERIT_ACE | CONTAINER_INHERIT_ACE, so that Windows shows
 *     them as "this folder, subfolders and files"; that is presentation
 *     only: new entries get their mode from CREATE, not from the parent.
 * Windows ACLs are a union of allow ACEs where Unix picks one triplet,
 * so a mode in which "other" has more than "group" reads more generously
 * for group members than the kernel enforces.  No DENY ACEs are made to
 * express that; Samba makes the same approximation.
 *
 * Descriptors are encoded owner, group, DACL in that order (no SACL: the
 * server has none to report).  secdesc_parse() accepts any well-formed
 * self-relative descriptor from a client, with pointers into its buffer.
 *
 * A DACL a client sets (SET_INFO, MS-SMB2 3.3.5.21.3) goes two ways:
 *   - into the mode: each rwx triplet becomes what the ACEs naming its
 *     own SID (owner S-1-22-1-uid, group S-1-22-2-gid, Everyone) allow
 *     the file itself, taken in order as Windows evaluates a DACL, so a
 *     deny before an allow takes a bit away (secdesc_dacl_mode(); the
 *     inverse of the table above: FILE_READ_DATA is r, FILE_WRITE_DATA
 *     w, FILE_EXECUTE x, GENERIC_ALL rwx).  Inherit-only ACEs and ACEs
 *     for other SIDs give no bits.  A NULL DACL (no DACL at all) grants
 *     everyone everything: rwxrwxrwx.
 *   - when the DACL is not exactly what the new mode reads back as (an
 *     extra principal, a deny, other flags, a NULL DACL, the PROTECTED
 *     or AUTO_INHERITED control bits), the DACL itself is kept beside
 *     the file (the "kept" blob below, stored by vfs_sec.c), stamped
 *     with the uid, gid and mode it was set at.  QUERY_INFO reports it
 *     while the stamp still matches the file; a chown or chmod made
 *     outside the server makes it stale and the mode is reported again.
 * The kept DACL is reported, not enforced: the server opens files as
 * its own Unix user, so what the kernel checks is the mode (plus the
 * share's access), and ACEs for other SIDs only change what a client
 * reads.
 */
#ifndef SMBSRVD_SECDESC_H
#define SMBSRVD_SECDESC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "msgbuf.h"

/* MS-DTYP 2.4.7 SECURITY_INFORMATION (QUERY_INFO AdditionalInformation). */
#define OWNER_SECURITY_INFORMATION	0x00000001
#define GROUP_SECURITY_INFORMATION	0x00000002
#define DACL_SECURITY_INFORMATION	0x00000004
#define SACL_SECURITY_INFORMATION	0x00000008
#define LABEL_SECURITY_INFORMATION	0x00000010

/* 2.4.7: how a SET_INFO asks for SE_DACL_PROTECTED set or cleared. */
#define UNPROTECTED_DACL_SECURITY_INFORMATION	0x20000000
#define PROTECTED_DACL_SECURITY_INFORMATION	0x80000000

/* MS-DTYP 2.4.6 Control. */
#define SE_OWNER_DEFAULTED		0x0001
#define SE_GROUP_DEFAULTED		0x0002
#define SE_DACL_PRESENT			0x0004
#define SE_DACL_DEFAULTED		0x0008
#define SE_SACL_PRESENT			0x0010
#define SE_DACL_AUTO_INHERIT_REQ	0x0100
#define SE_DACL_AUTO_INHERITED		0x0400
#define SE_DACL_PROTECTED		0x1000
#define SE_SELF_RELATIVE		0x8000
/* The DACL's control bits a kept DACL remembers. */
#define SECDESC_KEPT_CONTROL	(SE_DACL_DEFAULTED | \
	SE_DACL_AUTO_INHERIT_REQ | SE_DACL_AUTO_INHERITED | SE_DACL_PROTECTED)

/* MS-DTYP 2.4.4.1 ACE_HEADER. */
#define ACCESS_ALLOWED_ACE_TYPE		0x00
#define ACCESS_DENIED_ACE_TYPE		0x01
#define OBJECT_INHERIT_ACE		0x01
#define CONTAINER_INHERIT_ACE		0x02
#define INHERIT_ONLY_ACE		0x08

#define SECDESC_HDR_LEN			20
#define SID_MAX_SUB_AUTHORITIES		15

/*
 * The kept DACL, as stored (version 1, little-endian):
 *   0  u8   version, 1
 *   1  u8   0
 *   2  u16  control: SE_DACL_PRESENT | SECDESC_KEPT_CONTROL bits
 *   4  u32  uid    \
 *   8  u32  gid     } the file's when the DACL was set
 *  12  u32  mode   /  (permission bits, 07777)
 *  16  u32  DACL length: 0 for a NULL DACL, else the ACL's AclSize
 *  20  the ACL (MS-DTYP 2.4.5), header first
 * Whoever can write the file can write the blob, so it is read back with
 * the same checks as a client's descriptor.
 */
#define SECDESC_KEPT_VERSION		1
#define SECDESC_KEPT_HDR_LEN		20
#define SECDESC_KEPT_MAX		(SECDESC_KEPT_HDR_LEN + 65535)

struct secdesc_kept {
	uint16_t	 sk_control;	/* SE_DACL_PRESENT | KEPT_CONTROL */
	const uint8_t	*sk_dacl;	/* NULL: a NULL DACL */
	size_t		 sk_dacl_len;	/* header and ACEs */
};

/* A parsed self-relative descriptor; pointers into the parsed buffer. */
struct secdesc {
	uint8_t		 sd_revision;
	uint16_t	 sd_control;
	const uint8_t	*sd_owner;	/* NULL if absent */
	size_t		 sd_owner_len;
	const uint8_t	*sd_group;
	size_t		 sd_group_len;
	const uint8_t	*sd_sacl;	/* the whole ACL, header first */
	size_t		 sd_sacl_len;	/* header and ACEs, not AclSize */
	uint16_t	 sd_sacl_count;
	const uint8_t	*sd_dacl;
	size_t		 sd_dacl_len;
	uint16_t	 sd_dacl_count;
};

/*
 * Appends the descriptor of a file with owner uid, group gid and
 * permission bits mode (the low 9 bits count) to wr, with the parts
 * secinfo asks for (OWNER, GROUP and DACL_SECURITY_INFORMATION; other
 * bits ask for nothing we have).  Returns the descriptor's length, or 0
 * if the writer failed.
 */
size_t		secdesc_from_unix(struct msgbuf_wr *, uint32_t uid,
		    uint32_t gid, uint32_t mode, bool is_dir,
		    uint32_t secinfo);
/*
 * The same, with the DACL (and its control bits) taken from kept instead
 * of the mode when kept is not NULL.
 */
size_t		secdesc_encode(struct msgbuf_wr *, uint32_t uid,
		    uint32_t gid, uint32_t mode, bool is_dir,
		    uint32_t secinfo, const struct secdesc_kept *kept);
/*
 * Checks buf as a self-relative descriptor: Revision 1, SE_SELF_RELATIVE,
 * every offset inside the buffer and past the header, SIDs of revision 1
 * with at most 15 sub-authorities, ACLs of revision 2 or 4 whose AclSize
 * fits and whose ACEs (each at least 4 bytes, a multiple of 4) fit in
 * it, each ACE of a type MS-DTYP 2.4.4 defines, with its Mask, object
 * GUIDs and SID inside AceSize.  0 (and *sd filled) or -1.
 */
int		secdesc_parse(const uint8_t *buf, size_t len,
		    struct secdesc *sd);
/*
 * True if sd sets, for every part secinfo names, exactly what
 * secdesc_from_unix() reports for the file: the same owner and group
 * SIDs, a DACL with the same ACEs; a SACL, if asked for, must be absent
 * or empty.  Control bits other than the presence bits are not compared
 * (clients set SE_DACL_AUTO_INHERITED and friends freely).
 */
bool		secdesc_matches_unix(const struct secdesc *, uint32_t uid,
		    uint32_t gid, uint32_t mode, bool is_dir,
		    uint32_t secinfo);

/*
 * The id of a Unix SID: S-1-22-1-uid (group false) or S-1-22-2-gid
 * (group true).  0 and *id set, or -1 for any other SID.
 */
int		secdesc_sid_unix(const uint8_t *sid, size_t len, bool group,
		    uint32_t *id);
/*
 * The permission bits (0777 at most) sd's DACL expresses for a file
 * owned by uid and gid (see the top of this file).  sd without a DACL,
 * or with a NULL one, gives 0777.
 */
uint32_t	secdesc_dacl_mode(const struct secdesc *, uint32_t uid,
		    uint32_t gid);
/*
 * What QUERY_INFO would report after sd's DACL is set with secinfo on a
 * file that then has uid, gid and mode: false when only a kept DACL can
 * report it (the mode's own ACEs, no kept control bit).
 */
bool		secdesc_dacl_is_unix(const struct secdesc *, uint32_t uid,
		    uint32_t gid, uint32_t mode, bool is_dir,
		    uint32_t secinfo);
/* The control bits a DACL set by sd with secinfo is kept with. */
uint16_t	secdesc_kept_control(const struct secdesc *, uint32_t secinfo);
/*
 * Appends the kept blob for sd's DACL with control (from
 * secdesc_kept_control()) for a file now at uid, gid, mode.  The length
 * written, or 0 if the writer failed.
 */
size_t		secdesc_kept_encode(struct msgbuf_wr *, const struct secdesc *,
		    uint16_t control, uint32_t uid, uint32_t gid,
		    uint32_t mode);
/*
 * The same blob again with a new stamp (an owner or group change keeps
 * the DACL, as on Windows).  0 or -1 (malformed).
 */
int		secdesc_kept_restamp(uint8_t *buf, size_t len, uint32_t uid,
		    uint32_t gid, uint32_t mode);
/*
 * Reads a stored blob.  0 and *k (pointers into buf) when it is
 * well-formed and stamped with this uid, gid and mode; -1 otherwise
 * (malformed or stale: report the mode).
 */
int		secdesc_kept_decode(const uint8_t *buf, size_t len,
		    uint32_t uid, uint32_t gid, uint32_t mode,
		    struct secdesc_kept *k);

#endif
