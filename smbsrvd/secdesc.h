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

/* MS-DTYP 2.4.6 Control. */
#define SE_OWNER_DEFAULTED		0x0001
#define SE_GROUP_DEFAULTED		0x0002
#define SE_DACL_PRESENT			0x0004
#define SE_DACL_DEFAULTED		0x0008
#define SE_SACL_PRESENT			0x0010
#define SE_SELF_RELATIVE		0x8000

/* MS-DTYP 2.4.4.1 ACE_HEADER. */
#define ACCESS_ALLOWED_ACE_TYPE		0x00
#define OBJECT_INHERIT_ACE		0x01
#define CONTAINER_INHERIT_ACE		0x02

#define SECDESC_HDR_LEN			20
#define SID_MAX_SUB_AUTHORITIES		15

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
 * Checks buf as a self-relative descriptor: Revision 1, SE_SELF_RELATIVE,
 * every offset inside the buffer and past the header, SIDs of revision 1
 * with at most 15 sub-authorities, ACLs of revision 2 or 4 whose AclSize
 * fits and whose ACEs (each at least 4 bytes, a multiple of 4) fit in
 * it.  0 (and *sd filled) or -1.
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

#endif
