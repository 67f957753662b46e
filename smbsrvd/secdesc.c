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
	return secdesc_encode(wr, uid, gid, mode, is_dir, secinfo, NULL);
}

size_t
secdesc_encode(struct msgbuf_wr *wr, uint32_t uid, uint32_t gid,
    uint32_t mode, bool is_dir, uint32_t secinfo,
    const struct secdesc_kept *kept)
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
	if ((secinfo & DACL_SECURITY_INFORMATION) && kept != NULL) {
		control |= SE_DACL_PRESENT |
		    (kept->sk_control & SECDESC_KEPT_CONTROL);
		/* A NULL DACL: present, at offset 0 (MS-DTYP 2.4.6). */
		if (kept->sk_dacl != NULL) {
			msgbuf_patch_le32(wr, start + 16,
			    (uint32_t)(msgbuf_wr_len(wr) - start));
			msgbuf_put_bytes(wr, kept->sk_dacl,
			    kept->sk_dacl_len);
		}
	} else if (secinfo & DACL_SECURITY_INFORMATION) {
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

/*
 * The length of the SID at p if it is revision 1 with at most 15
 * sub-authorities and all of it within avail bytes; else 0.
 */
static size_t
sid_check(const uint8_t *p, size_t avail)
{
	size_t n;

	if (avail < SID_HDR_LEN || p[0] != SID_REVISION ||
	    p[1] > SID_MAX_SUB_AUTHORITIES)
		return 0;
	n = SID_HDR_LEN + 4 * (size_t)p[1];
	return n <= avail ? n : 0;
}

/* A SID at off: past the header, all inside. */
static int
parse_sid(const uint8_t *buf, size_t len, uint32_t off, const uint8_t **sid,
    size_t *sidlen)
{
	if (off < SECDESC_HDR_LEN || off > len ||
	    (*sidlen = sid_check(buf + off, len - off)) == 0)
		return -1;
	*sid = buf + off;
	return 0;
}

/*
 * The body of one ACE of size bytes (MS-DTYP 2.4.4.2-2.4.4.17): after
 * the header a Mask, for the object types Flags and the GUIDs Flags
 * names, then a SID, all inside AceSize (callback and resource ACEs
 * carry application data after the SID, which is not looked into).
 * Types the specification does not define are refused.
 */
static int
ace_check(const uint8_t *ace, size_t size)
{
	size_t pos = ACE_HDR_LEN + 4;
	uint32_t flags;

	switch (ace[0]) {
	case 0x00: case 0x01: case 0x02: case 0x03:	/* allow .. alarm */
	case 0x09: case 0x0a: case 0x0d: case 0x0e:	/* callback */
	case 0x11: case 0x12: case 0x13:	/* label, resource, policy */
		break;
	case 0x05: case 0x06: case 0x07: case 0x08:	/* object */
	case 0x0b: case 0x0c: case 0x0f: case 0x10:	/* callback object */
		if (size < pos + 4)
			return -1;
		flags = le32dec(ace + pos);
		pos += 4;
		if (flags & 0x1)		/* ACE_OBJECT_TYPE_PRESENT */
			pos += 16;
		if (flags & 0x2)	/* ACE_INHERITED_OBJECT_TYPE_PRESENT */
			pos += 16;
		break;
	default:
		return -1;
	}
	if (size < pos || sid_check(ace + pos, size - pos) == 0)
		return -1;
	return 0;
}

/*
 * An ACL at acl with avail bytes after it: its AclSize inside them, its
 * AceCount ACEs inside AclSize, each well-formed.  *used is the header
 * plus the ACEs (AclSize may be larger).
 */
static int
acl_check(const uint8_t *acl, size_t avail, size_t *used, uint16_t *count)
{
	size_t size, pos, acesize;
	uint16_t i, n;

	if (avail < ACL_HDR_LEN)
		return -1;
	if (acl[0] != ACL_REVISION && acl[0] != ACL_REVISION_DS)
		return -1;
	size = le16dec(acl + 2);
	n = le16dec(acl + 4);
	if (size < ACL_HDR_LEN || size > avail)
		return -1;
	for (pos = ACL_HDR_LEN, i = 0; i < n; i++) {
		if (size - pos < ACE_HDR_LEN)
			return -1;
		acesize = le16dec(acl + pos + 2);
		/* MS-DTYP 2.4.4.1: AceSize is a multiple of 4. */
		if (acesize < ACE_HDR_LEN || acesize % 4 != 0 ||
		    acesize > size - pos ||
		    ace_check(acl + pos, acesize) == -1)
			return -1;
		pos += acesize;
	}
	*used = pos;
	*count = n;
	return 0;
}

/* An ACL at off, past the header. */
static int
parse_acl(const uint8_t *buf, size_t len, uint32_t off, const uint8_t **acl,
    size_t *used, uint16_t *count)
{
	if (off < SECDESC_HDR_LEN || off > len ||
	    acl_check(buf + off, len - off, used, count) == -1)
		return -1;
	*acl = buf + off;
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

int
secdesc_sid_unix(const uint8_t *sid, size_t len, bool group, uint32_t *id)
{
	uint8_t want[UNIX_SID_LEN];

	sid_unix(want, group ? UNIX_GROUP_RID : UNIX_USER_RID, 0);
	/* Everything but the last sub-authority, the id. */
	if (sid == NULL || len != UNIX_SID_LEN ||
	    memcmp(sid, want, UNIX_SID_LEN - 4) != 0)
		return -1;
	*id = le32dec(sid + UNIX_SID_LEN - 4);
	return 0;
}

/* The rwx bits an access mask stands for: the inverse of perm_mask(). */
static unsigned int
mask_rwx(uint32_t mask)
{
	unsigned int rwx = 0;

	if (mask & GENERIC_ALL)
		return 7;
	if (mask & (FILE_READ_DATA | GENERIC_READ))
		rwx |= 4;
	if (mask & (FILE_WRITE_DATA | GENERIC_WRITE))
		rwx |= 2;
	if (mask & (FILE_EXECUTE | GENERIC_EXECUTE))
		rwx |= 1;
	return rwx;
}

uint32_t
secdesc_dacl_mode(const struct secdesc *sd, uint32_t uid, uint32_t gid)
{
	uint8_t world[WORLD_SID_LEN];
	unsigned int allow[3] = { 0, 0, 0 }, deny[3] = { 0, 0, 0 }, bits;
	const uint8_t *ace, *sid;
	size_t pos, sidlen;
	uint32_t id;
	uint16_t i;
	int who;

	if (!(sd->sd_control & SE_DACL_PRESENT) || sd->sd_dacl == NULL)
		return 0777;
	sid_world(world);
	/* secdesc_parse() checked every ACE: sizes and SIDs fit. */
	for (pos = ACL_HDR_LEN, i = 0; i < sd->sd_dacl_count; i++) {
		ace = sd->sd_dacl + pos;
		pos += le16dec(ace + 2);
		if (ace[1] & INHERIT_ONLY_ACE)
			continue;
		if (ace[0] != ACCESS_ALLOWED_ACE_TYPE &&
		    ace[0] != ACCESS_DENIED_ACE_TYPE)
			continue;
		sid = ace + ACE_HDR_LEN + 4;
		sidlen = SID_HDR_LEN + 4 * (size_t)sid[1];
		if (secdesc_sid_unix(sid, sidlen, false, &id) == 0 &&
		    id == uid)
			who = 0;
		else if (secdesc_sid_unix(sid, sidlen, true, &id) == 0 &&
		    id == gid)
			who = 1;
		else if (sidlen == WORLD_SID_LEN &&
		    memcmp(sid, world, WORLD_SID_LEN) == 0)
			who = 2;
		else
			continue;
		/* In order: a bit is decided by the first ACE naming it. */
		bits = mask_rwx(le32dec(ace + ACE_HDR_LEN));
		if (ace[0] == ACCESS_ALLOWED_ACE_TYPE)
			allow[who] |= bits & ~deny[who];
		else
			deny[who] |= bits & ~allow[who];
	}
	return (uint32_t)(allow[0] << 6 | allow[1] << 3 | allow[2]);
}

uint16_t
secdesc_kept_control(const struct secdesc *sd, uint32_t secinfo)
{
	uint16_t c = SE_DACL_PRESENT | (sd->sd_control & SECDESC_KEPT_CONTROL);

	/* MS-DTYP 2.4.7: these two bits override the descriptor's own. */
	if (secinfo & PROTECTED_DACL_SECURITY_INFORMATION)
		c |= SE_DACL_PROTECTED;
	else if (secinfo & UNPROTECTED_DACL_SECURITY_INFORMATION)
		c &= ~SE_DACL_PROTECTED;
	return c;
}

bool
secdesc_dacl_is_unix(const struct secdesc *sd, uint32_t uid, uint32_t gid,
    uint32_t mode, bool is_dir, uint32_t secinfo)
{
	if (secdesc_kept_control(sd, secinfo) != SE_DACL_PRESENT)
		return false;
	return secdesc_matches_unix(sd, uid, gid, mode, is_dir,
	    DACL_SECURITY_INFORMATION);
}

size_t
secdesc_kept_encode(struct msgbuf_wr *wr, const struct secdesc *sd,
    uint16_t control, uint32_t uid, uint32_t gid, uint32_t mode)
{
	size_t start = msgbuf_wr_len(wr);
	bool null = !(sd->sd_control & SE_DACL_PRESENT) || sd->sd_dacl == NULL;
	size_t n = null ? 0 : sd->sd_dacl_len;

	msgbuf_put_u8(wr, SECDESC_KEPT_VERSION);
	msgbuf_put_u8(wr, 0);
	msgbuf_put_le16(wr, (uint16_t)(control & (SE_DACL_PRESENT |
	    SECDESC_KEPT_CONTROL)));
	msgbuf_put_le32(wr, uid);
	msgbuf_put_le32(wr, gid);
	msgbuf_put_le32(wr, mode & 07777);
	msgbuf_put_le32(wr, (uint32_t)n);
	if (n > 0) {
		/* AclSize becomes the used length: no slack is kept. */
		msgbuf_put_bytes(wr, sd->sd_dacl, n);
		if (msgbuf_wr_ok(wr))
			msgbuf_patch_le16(wr, start + SECDESC_KEPT_HDR_LEN + 2,
			    (uint16_t)n);
	}
	return msgbuf_wr_ok(wr) ? msgbuf_wr_len(wr) - start : 0;
}

/* The blob's header and ACL, whatever its stamp. */
static int
kept_check(const uint8_t *buf, size_t len, struct secdesc_kept *k)
{
	size_t n, used;
	uint16_t count;

	if (len < SECDESC_KEPT_HDR_LEN || buf[0] != SECDESC_KEPT_VERSION)
		return -1;
	k->sk_control = le16dec(buf + 2) & (SE_DACL_PRESENT |
	    SECDESC_KEPT_CONTROL);
	n = le32dec(buf + 16);
	if (!(k->sk_control & SE_DACL_PRESENT) ||
	    n != len - SECDESC_KEPT_HDR_LEN)
		return -1;
	k->sk_dacl = NULL;
	k->sk_dacl_len = 0;
	if (n == 0)
		return 0;
	if (acl_check(buf + SECDESC_KEPT_HDR_LEN, n, &used, &count) == -1 ||
	    used != n || le16dec(buf + SECDESC_KEPT_HDR_LEN + 2) != n)
		return -1;
	k->sk_dacl = buf + SECDESC_KEPT_HDR_LEN;
	k->sk_dacl_len = n;
	return 0;
}

int
secdesc_kept_restamp(uint8_t *buf, size_t len, uint32_t uid, uint32_t gid,
    uint32_t mode)
{
	struct secdesc_kept k;

	if (kept_check(buf, len, &k) == -1)
		return -1;
	le32enc(buf + 4, uid);
	le32enc(buf + 8, gid);
	le32enc(buf + 12, mode & 07777);
	return 0;
}

int
secdesc_kept_decode(const uint8_t *buf, size_t len, uint32_t uid,
    uint32_t gid, uint32_t mode, struct secdesc_kept *k)
{
	if (kept_check(buf, len, k) == -1)
		return -1;
	if (le32dec(buf + 4) != uid || le32dec(buf + 8) != gid ||
	    le32dec(buf + 12) != (mode & 07777))
		return -1;
	return 0;
}
