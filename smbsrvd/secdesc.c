/*
 * secdesc.c — security descriptors from Unix ownership and mode, and the
 * strict reader for the ones clients send (see secdesc.h for the
 * mapping).  Wire formats: MS-DTYP 2.4.2.2 SID, 2.4.4.2
 * ACCESS_ALLOWED_ACE, 2.4.5 ACL, 2.4.6 SECURITY_DESCRIPTOR.
 */
#include <string.h>

#include "msgbuf.h"
#include "ofile.h"
#include "secdesc.h"

#define SID_REVISION		1
#define ACL_REVISION		2
#define ACL_REVISION_DS		4
#define ACL_HDR_LEN		8
#define ACE_HDR_LEN		4
#define SID_HDR_LEN		8

/* MS-DTYP 2.4.2.4 / Samba: the authorities of the SIDs we make. */
#define SECURITY_WORLD_SID_AUTHORITY	1
#define SECURITY_UNIX_SID_AUTHORITY	22	/* Samba's S-1-22 */
#define UNIX_USER_RID			1	/* S-1-22-1-uid */
#define UNIX_GROUP_RID			2	/* S-1-22-2-gid */

#define UNIX_SID_LEN		(SID_HDR_LEN + 2 * 4)
#define WORLD_SID_LEN		(SID_HDR_LEN + 4)

/*
 * A SID of revision 1: SubAuthorityCount, the 48-bit big-endian
 * IdentifierAuthority, then the sub-authorities little-endian.
 */
static size_t
sid_make(uint8_t *out, uint8_t authority, const uint32_t *sub, uint8_t n)
{
	uint8_t i;

	out[0] = SID_REVISION;
	out[1] = n;
	memset(out + 2, 0, 5);
	out[7] = authority;
	for (i = 0; i < n; i++)
		le32enc(out + SID_HDR_LEN + 4 * i, sub[i]);
	return SID_HDR_LEN + 4 * (size_t)n;
}

static size_t
sid_unix(uint8_t out[UNIX_SID_LEN], uint32_t rid, uint32_t id)
{
	uint32_t sub[2] = { rid, id };

	return sid_make(out, SECURITY_UNIX_SID_AUTHORITY, sub, 2);
}

static size_t
sid_world(uint8_t out[WORLD_SID_LEN])
{
	uint32_t sub[1] = { 0 };

	return sid_make(out, SECURITY_WORLD_SID_AUTHORITY, sub, 1);
}

/* The rights one rwx triplet stands for (secdesc.h). */
static uint32_t
perm_mask(unsigned int rwx, bool is_dir)
{
	uint32_t m = 0;

	if ((rwx & 7) == 7)
		return FILE_ALL_ACCESS;
	if (rwx & 4)
		m |= FILE_GENERIC_READ;
	if (rwx & 2)
		m |= FILE_GENERIC_WRITE | (is_dir ? FILE_DELETE_CHILD : 0);
	if (rwx & 1)
		m |= FILE_GENERIC_EXECUTE;
	return m;
}

static void
put_ace(struct msgbuf_wr *wr, uint8_t flags, uint32_t mask,
    const uint8_t *sid, size_t sidlen)
{
	msgbuf_put_u8(wr, ACCESS_ALLOWED_ACE_TYPE);
	msgbuf_put_u8(wr, flags);
	msgbuf_put_le16(wr, (uint16_t)(ACE_HDR_LEN + 4 + sidlen));
	msgbuf_put_le32(wr, mask);
	msgbuf_put_bytes(wr, sid, sidlen);
}

/* The DACL: owner, group, Everyone. */
static void
put_dacl(struct msgbuf_wr *wr, uint32_t uid, uint32_t gid, uint32_t mode,
    bool is_dir)
{
	uint8_t sid[UNIX_SID_LEN];
	uint8_t flags = is_dir ? OBJECT_INHERIT_ACE | CONTAINER_INHERIT_ACE : 0;
	size_t start = msgbuf_wr_len(wr), n;

	msgbuf_put_u8(wr, ACL_REVISION);
	msgbuf_put_u8(wr, 0);			/* Sbz1 */
	msgbuf_put_le16(wr, 0);			/* AclSize, below */
	msgbuf_put_le16(wr, 3);			/* AceCount */
	msgbuf_put_le16(wr, 0);			/* Sbz2 */
	n = sid_unix(sid, UNIX_USER_RID, uid);
	put_ace(wr, flags, perm_mask(mode >> 6, is_dir), sid, n);
	n = sid_unix(sid, UNIX_GROUP_RID, gid);
	put_ace(wr, flags, perm_mask(mode >> 3, is_dir), sid, n);
	n = sid_world(sid);
	put_ace(wr, flags, perm_mask(mode, is_dir), sid, n);
	if (msgbuf_wr_ok(wr))
		msgbuf_patch_le16(wr, start + 2,
		    (uint16_t)(msgbuf_wr_len(wr) - start));
}

size_t
secdesc_from_unix(struct msgbuf_wr *wr, uint32_t uid, uint32_t gid,
    uint32_t mode, bool is_dir, uint32_t secinfo)
{
	uint8_t sid[UNIX_SID_LEN];
	uint16_t control = SE_SELF_RELATIVE;
	size_t start, n;

	start = msgbuf_reserve(wr, SECDESC_HDR_LEN);
	if (start == (size_t)-1)
		return 0;
	if (secinfo & OWNER_SECURITY_INFORMATION) {
		msgbuf_patch_le32(wr, start + 4,
		    (uint32_t)(msgbuf_wr_len(wr) - start));
		n = sid_unix(sid, UNIX_USER_RID, uid);
		msgbuf_put_bytes(wr, sid, n);
	}
	if (secinfo & GROUP_SECURITY_INFORMATION) {
		msgbuf_patch_le32(wr, start + 8,
		    (uint32_t)(msgbuf_wr_len(wr) - start));
		n = sid_unix(sid, UNIX_GROUP_RID, gid);
		msgbuf_put_bytes(wr, sid, n);
	}
	if (secinfo & DACL_SECURITY_INFORMATION) {
		control |= SE_DACL_PRESENT;
		msgbuf_patch_le32(wr, start + 16,
		    (uint32_t)(msgbuf_wr_len(wr) - start));
		put_dacl(wr, uid, gid, mode, is_dir);
	}
	if (!msgbuf_wr_ok(wr))
		return 0;
	msgbuf_patch_u8(wr, start, 1);		/* Revision */
	msgbuf_patch_le16(wr, start + 2, control);
	return msgbuf_wr_len(wr) - start;
}

/* A SID at off: revision 1, at most 15 sub-authorities, all inside. */
static int
parse_sid(const uint8_t *buf, size_t len, uint32_t off, const uint8_t **sid,
    size_t *sidlen)
{
	size_t n;

	if (off < SECDESC_HDR_LEN || off > len || len - off < SID_HDR_LEN)
		return -1;
	if (buf[off] != SID_REVISION ||
	    buf[off + 1] > SID_MAX_SUB_AUTHORITIES)
		return -1;
	n = SID_HDR_LEN + 4 * (size_t)buf[off + 1];
	if (len - off < n)
		return -1;
	*sid = buf + off;
	*sidlen = n;
	return 0;
}

/*
 * An ACL at off: its AclSize inside the buffer, its AceCount ACEs inside
 * AclSize.  *used is the header plus the ACEs (AclSize may be larger).
 */
static int
parse_acl(const uint8_t *buf, size_t len, uint32_t off, const uint8_t **acl,
    size_t *used, uint16_t *count)
{
	size_t size, pos, acesize;
	uint16_t i, n;

	if (off < SECDESC_HDR_LEN || off > len || len - off < ACL_HDR_LEN)
		return -1;
	if (buf[off] != ACL_REVISION && buf[off] != ACL_REVISION_DS)
		return -1;
	size = le16dec(buf + off + 2);
	n = le16dec(buf + off + 4);
	if (size < ACL_HDR_LEN || size > len - off)
		return -1;
	for (pos = ACL_HDR_LEN, i = 0; i < n; i++) {
		if (size - pos < ACE_HDR_LEN)
			return -1;
		acesize = le16dec(buf + off + pos + 2);
		/* MS-DTYP 2.4.4.1: AceSize is a multiple of 4. */
		if (acesize < ACE_HDR_LEN || acesize % 4 != 0 ||
		    acesize > size - pos)
			return -1;
		pos += acesize;
	}
	*acl = buf + off;
	*used = pos;
	*count = n;
	return 0;
}

int
secdesc_parse(const uint8_t *buf, size_t len, struct secdesc *sd)
{
	uint32_t off_owner, off_group, off_sacl, off_dacl;

	memset(sd, 0, sizeof(*sd));
	if (len < SECDESC_HDR_LEN)
		return -1;
	sd->sd_revision = buf[0];
	sd->sd_control = le16dec(buf + 2);
	off_owner = le32dec(buf + 4);
	off_group = le32dec(buf + 8);
	off_sacl = le32dec(buf + 12);
	off_dacl = le32dec(buf + 16);
	if (sd->sd_revision != 1 || !(sd->sd_control & SE_SELF_RELATIVE))
		return -1;
	if (off_owner != 0 && parse_sid(buf, len, off_owner, &sd->sd_owner,
	    &sd->sd_owner_len) == -1)
		return -1;
	if (off_group != 0 && parse_sid(buf, len, off_group, &sd->sd_group,
	    &sd->sd_group_len) == -1)
		return -1;
	/* An ACL offset counts only with its presence bit (2.4.6). */
	if ((sd->sd_control & SE_SACL_PRESENT) && off_sacl != 0 &&
	    parse_acl(buf, len, off_sacl, &sd->sd_sacl, &sd->sd_sacl_len,
	    &sd->sd_sacl_count) == -1)
		return -1;
	if ((sd->sd_control & SE_DACL_PRESENT) && off_dacl != 0 &&
	    parse_acl(buf, len, off_dacl, &sd->sd_dacl, &sd->sd_dacl_len,
	    &sd->sd_dacl_count) == -1)
		return -1;
	return 0;
}

static bool
same_sid(const uint8_t *sid, size_t len, uint32_t rid, uint32_t id)
{
	uint8_t want[UNIX_SID_LEN];
	size_t n = sid_unix(want, rid, id);

	return sid != NULL && len == n && memcmp(sid, want, n) == 0;
}

bool
secdesc_matches_unix(const struct secdesc *sd, uint32_t uid, uint32_t gid,
    uint32_t mode, bool is_dir, uint32_t secinfo)
{
	struct msgbuf_wr wr;
	bool same;

	if ((secinfo & OWNER_SECURITY_INFORMATION) &&
	    !same_sid(sd->sd_owner, sd->sd_owner_len, UNIX_USER_RID, uid))
		return false;
	if ((secinfo & GROUP_SECURITY_INFORMATION) &&
	    !same_sid(sd->sd_group, sd->sd_group_len, UNIX_GROUP_RID, gid))
		return false;
	if ((secinfo & SACL_SECURITY_INFORMATION) &&
	    sd->sd_sacl != NULL && sd->sd_sacl_count != 0)
		return false;
	if (!(secinfo & DACL_SECURITY_INFORMATION))
		return true;
	/* A NULL DACL (present, no offset) grants everyone everything. */
	if (!(sd->sd_control & SE_DACL_PRESENT) || sd->sd_dacl == NULL)
		return false;
	msgbuf_wr_init(&wr, 256);
	put_dacl(&wr, uid, gid, mode, is_dir);
	/* The ACEs, whatever revision and AclSize slack the client used. */
	same = msgbuf_wr_ok(&wr) && sd->sd_dacl_len == wr.wr_len &&
	    sd->sd_dacl_count == le16dec(wr.wr_buf + 4) &&
	    memcmp(sd->sd_dacl + ACL_HDR_LEN, wr.wr_buf + ACL_HDR_LEN,
	    wr.wr_len - ACL_HDR_LEN) == 0;
	msgbuf_wr_free(&wr);
	return same;
}
