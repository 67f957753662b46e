/*
 * test_secdesc.c — security descriptors from Unix ownership and mode,
 * byte for byte, and the strict reader of client descriptors
 * (smbsrvd/secdesc.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "msgbuf.h"
#include "secdesc.h"

#define ALL_INFO	(OWNER_SECURITY_INFORMATION | \
			 GROUP_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION)

/* S-1-22-1-1000, S-1-22-2-1000, S-1-1-0 */
#define SID_U1000	0x01, 0x02, 0, 0, 0, 0, 0, 0x16, \
			0x01, 0, 0, 0, 0xe8, 0x03, 0, 0
#define SID_G1000	0x01, 0x02, 0, 0, 0, 0, 0, 0x16, \
			0x02, 0, 0, 0, 0xe8, 0x03, 0, 0
#define SID_WORLD	0x01, 0x01, 0, 0, 0, 0, 0, 0x01, 0, 0, 0, 0

/* A file, mode 0640, uid 1000, gid 1000, all three parts. */
static const uint8_t file_0640[] = {
	/* Revision, Sbz1, Control SR|DP, owner 20, group 36, no SACL,
	 * DACL 52 */
	0x01, 0x00, 0x04, 0x80, 0x14, 0, 0, 0, 0x24, 0, 0, 0,
	0, 0, 0, 0, 0x34, 0, 0, 0,
	SID_U1000,
	SID_G1000,
	/* ACL revision 2, AclSize 76, 3 ACEs */
	0x02, 0x00, 0x4c, 0x00, 0x03, 0x00, 0x00, 0x00,
	/* owner rw-: FILE_GENERIC_READ | FILE_GENERIC_WRITE */
	0x00, 0x00, 0x18, 0x00, 0x9f, 0x01, 0x12, 0x00, SID_U1000,
	/* group r--: FILE_GENERIC_READ */
	0x00, 0x00, 0x18, 0x00, 0x89, 0x00, 0x12, 0x00, SID_G1000,
	/* Everyone ---: nothing */
	0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00, SID_WORLD,
};

static size_t
encode(struct msgbuf_wr *wr, uint32_t uid, uint32_t gid, uint32_t mode,
    bool dir, uint32_t info)
{
	msgbuf_wr_init(wr, 4096);
	return secdesc_from_unix(wr, uid, gid, mode, dir, info);
}

/* Parses a heap copy of exact size, so that any over-read is caught. */
static int
parse_copy(const uint8_t *buf, size_t len, struct secdesc *sd, uint8_t **keep)
{
	uint8_t *p = malloc(len == 0 ? 1 : len);

	assert_non_null(p);
	memcpy(p, buf, len);
	*keep = p;
	return secdesc_parse(p, len, sd);
}

static void
test_secdesc_file_0640_is_byte_exact(void **state)
{
	struct msgbuf_wr wr;
	size_t n;

	(void)state;
	n = encode(&wr, 1000, 1000, 0100640, false, ALL_INFO);
	assert_int_equal(n, sizeof(file_0640));
	assert_int_equal(n, 128);
	assert_memory_equal(wr.wr_buf, file_0640, sizeof(file_0640));
	msgbuf_wr_free(&wr);
}

static void
test_secdesc_dir_0755_gives_full_control_and_inherits(void **state)
{
	static const uint8_t dacl[] = {
		0x02, 0x00, 0x4c, 0x00, 0x03, 0x00, 0x00, 0x00,
		/* OI|CI, FILE_ALL_ACCESS, S-1-22-1-0 */
		0x00, 0x03, 0x18, 0x00, 0xff, 0x01, 0x1f, 0x00,
		0x01, 0x02, 0, 0, 0, 0, 0, 0x16, 0x01, 0, 0, 0, 0, 0, 0, 0,
		/* r-x: FILE_GENERIC_READ | FILE_GENERIC_EXECUTE */
		0x00, 0x03, 0x18, 0x00, 0xa9, 0x00, 0x12, 0x00,
		0x01, 0x02, 0, 0, 0, 0, 0, 0x16, 0x02, 0, 0, 0, 0, 0, 0, 0,
		0x00, 0x03, 0x14, 0x00, 0xa9, 0x00, 0x12, 0x00, SID_WORLD,
	};
	struct msgbuf_wr wr;
	size_t n;

	(void)state;
	n = encode(&wr, 0, 0, 040755, true, ALL_INFO);
	assert_int_equal(n, 128);
	assert_int_equal(le32dec(wr.wr_buf + 16), 52);
	assert_memory_equal(wr.wr_buf + 52, dacl, sizeof(dacl));
	msgbuf_wr_free(&wr);
}

static void
test_secdesc_write_on_dir_adds_delete_child(void **state)
{
	struct msgbuf_wr wr;

	(void)state;
	/* Group -wx on a directory; on a file the same bits lack it. */
	encode(&wr, 1, 2, 040730, true, DACL_SECURITY_INFORMATION);
	assert_int_equal(le32dec(wr.wr_buf + 20 + 8 + 24 + 4),
	    0x00120116 | 0x00000040 | 0x001200a0);
	msgbuf_wr_free(&wr);
	encode(&wr, 1, 2, 0100730, false, DACL_SECURITY_INFORMATION);
	assert_int_equal(le32dec(wr.wr_buf + 20 + 8 + 24 + 4),
	    0x00120116 | 0x001200a0);
	msgbuf_wr_free(&wr);
}

static void
test_secdesc_has_only_the_parts_asked_for(void **state)
{
	static const uint8_t empty[] = {
		0x01, 0x00, 0x00, 0x80, 0, 0, 0, 0, 0, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 0, 0,
	};
	struct msgbuf_wr wr;
	size_t n;

	(void)state;
	/* No bits, or only ones there is nothing for (SACL, label). */
	n = encode(&wr, 1000, 1000, 0640, false, 0);
	assert_int_equal(n, sizeof(empty));
	assert_memory_equal(wr.wr_buf, empty, sizeof(empty));
	msgbuf_wr_free(&wr);
	n = encode(&wr, 1000, 1000, 0640, false, SACL_SECURITY_INFORMATION |
	    LABEL_SECURITY_INFORMATION);
	assert_int_equal(n, sizeof(empty));
	assert_memory_equal(wr.wr_buf, empty, sizeof(empty));
	msgbuf_wr_free(&wr);

	/* The group alone comes right after the header. */
	n = encode(&wr, 1000, 1000, 0640, false, GROUP_SECURITY_INFORMATION);
	assert_int_equal(n, 36);
	assert_int_equal(le16dec(wr.wr_buf + 2), SE_SELF_RELATIVE);
	assert_int_equal(le32dec(wr.wr_buf + 4), 0);
	assert_int_equal(le32dec(wr.wr_buf + 8), 20);
	assert_int_equal(le32dec(wr.wr_buf + 16), 0);
	assert_memory_equal(wr.wr_buf + 20, file_0640 + 36, 16);
	msgbuf_wr_free(&wr);

	/* The DACL alone: present bit, same ACL bytes as in the whole. */
	n = encode(&wr, 1000, 1000, 0640, false, DACL_SECURITY_INFORMATION);
	assert_int_equal(n, 20 + 76);
	assert_int_equal(le16dec(wr.wr_buf + 2),
	    SE_SELF_RELATIVE | SE_DACL_PRESENT);
	assert_int_equal(le32dec(wr.wr_buf + 16), 20);
	assert_memory_equal(wr.wr_buf + 20, file_0640 + 52, 76);
	msgbuf_wr_free(&wr);
}

static void
test_secdesc_appends_after_what_the_writer_holds(void **state)
{
	struct msgbuf_wr wr;
	size_t n;

	(void)state;
	msgbuf_wr_init(&wr, 4096);
	msgbuf_put_zero(&wr, 3);
	n = secdesc_from_unix(&wr, 1000, 1000, 0640, false, ALL_INFO);
	assert_int_equal(n, sizeof(file_0640));
	assert_int_equal(msgbuf_wr_len(&wr), 3 + sizeof(file_0640));
	/* Offsets are from the descriptor, not from the writer. */
	assert_memory_equal(wr.wr_buf + 3, file_0640, sizeof(file_0640));
	msgbuf_wr_free(&wr);
}

static void
test_secdesc_full_writer_gives_zero(void **state)
{
	struct msgbuf_wr wr;

	(void)state;
	msgbuf_wr_init(&wr, 100);
	assert_int_equal(secdesc_from_unix(&wr, 1, 1, 0777, false, ALL_INFO),
	    0);
	assert_false(msgbuf_wr_ok(&wr));
	msgbuf_wr_free(&wr);
}

static void
test_secdesc_parse_reads_back_what_is_made(void **state)
{
	struct secdesc sd;
	uint8_t *copy;

	(void)state;
	assert_int_equal(parse_copy(file_0640, sizeof(file_0640), &sd, &copy),
	    0);
	assert_int_equal(sd.sd_revision, 1);
	assert_int_equal(sd.sd_control, SE_SELF_RELATIVE | SE_DACL_PRESENT);
	assert_ptr_equal(sd.sd_owner, copy + 20);
	assert_int_equal(sd.sd_owner_len, 16);
	assert_ptr_equal(sd.sd_group, copy + 36);
	assert_null(sd.sd_sacl);
	assert_ptr_equal(sd.sd_dacl, copy + 52);
	assert_int_equal(sd.sd_dacl_len, 76);
	assert_int_equal(sd.sd_dacl_count, 3);
	assert_true(secdesc_matches_unix(&sd, 1000, 1000, 0100640, false,
	    ALL_INFO | SACL_SECURITY_INFORMATION));
	free(copy);
}

static void
test_secdesc_matches_only_what_is_reported(void **state)
{
	uint8_t buf[sizeof(file_0640) + 8];
	struct secdesc sd;
	uint8_t *copy;

	(void)state;
	memcpy(buf, file_0640, sizeof(file_0640));
	assert_int_equal(parse_copy(buf, sizeof(file_0640), &sd, &copy), 0);
	/* Another owner, group, mode or kind of file is a change. */
	assert_false(secdesc_matches_unix(&sd, 1001, 1000, 0640, false,
	    OWNER_SECURITY_INFORMATION));
	assert_false(secdesc_matches_unix(&sd, 1001, 1000, 0640, false,
	    DACL_SECURITY_INFORMATION));
	assert_true(secdesc_matches_unix(&sd, 1001, 1000, 0640, false,
	    GROUP_SECURITY_INFORMATION));
	assert_false(secdesc_matches_unix(&sd, 1000, 1001, 0640, false,
	    GROUP_SECURITY_INFORMATION));
	assert_false(secdesc_matches_unix(&sd, 1000, 1000, 0644, false,
	    DACL_SECURITY_INFORMATION));
	assert_false(secdesc_matches_unix(&sd, 1000, 1000, 0640, true,
	    DACL_SECURITY_INFORMATION));
	free(copy);

	/* Revision 4 and slack after the ACEs change nothing. */
	memcpy(buf, file_0640, sizeof(file_0640));
	memset(buf + sizeof(file_0640), 0xee, 8);
	buf[52] = 4;
	le16enc(buf + 54, 76 + 8);
	assert_int_equal(parse_copy(buf, sizeof(buf), &sd, &copy), 0);
	assert_true(secdesc_matches_unix(&sd, 1000, 1000, 0640, false,
	    ALL_INFO));
	free(copy);

	/* One access bit more is a change. */
	memcpy(buf, file_0640, sizeof(file_0640));
	buf[52 + 8 + 24 + 24 + 4] = 0x01;
	assert_int_equal(parse_copy(buf, sizeof(file_0640), &sd, &copy), 0);
	assert_false(secdesc_matches_unix(&sd, 1000, 1000, 0640, false,
	    DACL_SECURITY_INFORMATION));
	assert_true(secdesc_matches_unix(&sd, 1000, 1000, 0640, false,
	    OWNER_SECURITY_INFORMATION | GROUP_SECURITY_INFORMATION));
	free(copy);

	/* A NULL DACL (present, no offset) grants everything: a change. */
	memcpy(buf, file_0640, sizeof(file_0640));
	memset(buf + 16, 0, 4);
	assert_int_equal(parse_copy(buf, sizeof(file_0640), &sd, &copy), 0);
	assert_null(sd.sd_dacl);
	assert_false(secdesc_matches_unix(&sd, 1000, 1000, 0640, false,
	    DACL_SECURITY_INFORMATION));
	free(copy);

	/* A missing owner is not ours. */
	memcpy(buf, file_0640, sizeof(file_0640));
	memset(buf + 4, 0, 4);
	assert_int_equal(parse_copy(buf, sizeof(file_0640), &sd, &copy), 0);
	assert_false(secdesc_matches_unix(&sd, 1000, 1000, 0640, false,
	    OWNER_SECURITY_INFORMATION));
	free(copy);
}

static void
test_secdesc_sacl_must_be_empty(void **state)
{
	uint8_t buf[sizeof(file_0640) + 8 + 20];
	struct secdesc sd;
	uint8_t *copy;

	(void)state;
	/* An empty SACL after the DACL: nothing to set. */
	memcpy(buf, file_0640, sizeof(file_0640));
	le16enc(buf + 2, SE_SELF_RELATIVE | SE_DACL_PRESENT | SE_SACL_PRESENT);
	le32enc(buf + 12, sizeof(file_0640));
	memcpy(buf + sizeof(file_0640), "\x02\x00\x08\x00\x00\x00\x00\x00", 8);
	assert_int_equal(parse_copy(buf, sizeof(file_0640) + 8, &sd, &copy),
	    0);
	assert_non_null(sd.sd_sacl);
	assert_true(secdesc_matches_unix(&sd, 1000, 1000, 0640, false,
	    SACL_SECURITY_INFORMATION));
	free(copy);

	/* One audit ACE in it: a change. */
	buf[sizeof(file_0640) + 2] = 8 + 20;
	buf[sizeof(file_0640) + 4] = 1;
	memcpy(buf + sizeof(file_0640) + 8,
	    "\x02\x00\x14\x00\x00\x00\x01\x00"
	    "\x01\x01\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00", 20);
	assert_int_equal(parse_copy(buf, sizeof(buf), &sd, &copy), 0);
	assert_int_equal(sd.sd_sacl_count, 1);
	assert_false(secdesc_matches_unix(&sd, 1000, 1000, 0640, false,
	    SACL_SECURITY_INFORMATION));
	free(copy);
}

static void
test_secdesc_parse_refuses_malformed(void **state)
{
	uint8_t buf[sizeof(file_0640)];
	struct secdesc sd;
	uint8_t *copy;

	(void)state;
#define REFUSE(len) do {						\
	assert_int_equal(parse_copy(buf, (len), &sd, &copy), -1);	\
	free(copy);							\
	memcpy(buf, file_0640, sizeof(buf));				\
} while (0)
	memcpy(buf, file_0640, sizeof(buf));
	REFUSE(19);				/* shorter than the header */
	buf[0] = 2;
	REFUSE(sizeof(buf));			/* revision */
	buf[3] = 0x00;
	REFUSE(sizeof(buf));			/* not self-relative */
	le32enc(buf + 4, 8);
	REFUSE(sizeof(buf));			/* owner inside the header */
	le32enc(buf + 4, sizeof(buf) - 4);
	REFUSE(sizeof(buf));			/* owner past the end */
	le32enc(buf + 8, 0xffffffff);
	REFUSE(sizeof(buf));			/* group far past the end */
	buf[21] = 16;
	REFUSE(sizeof(buf));			/* 16 sub-authorities */
	buf[20] = 2;
	REFUSE(sizeof(buf));			/* SID revision */
	buf[52] = 3;
	REFUSE(sizeof(buf));			/* ACL revision */
	le16enc(buf + 54, 77);
	REFUSE(sizeof(buf));			/* AclSize past the end */
	le16enc(buf + 54, 4);
	REFUSE(sizeof(buf));			/* AclSize under its header */
	le16enc(buf + 56, 4);
	REFUSE(sizeof(buf));			/* ACEs past AclSize */
	le16enc(buf + 62, 22);
	REFUSE(sizeof(buf));			/* AceSize not 4-aligned */
	le16enc(buf + 62, 0);
	REFUSE(sizeof(buf));			/* AceSize 0 */
	REFUSE(sizeof(buf) - 1);		/* the last ACE cut */
#undef REFUSE
	/* An ACL offset without its presence bit is not looked at. */
	le16enc(buf + 2, SE_SELF_RELATIVE);
	le32enc(buf + 16, 0xffffffff);
	assert_int_equal(parse_copy(buf, sizeof(buf), &sd, &copy), 0);
	assert_null(sd.sd_dacl);
	free(copy);
}

/* S-1-5-7, Anonymous */
#define SID_ANON	0x01, 0x01, 0, 0, 0, 0, 0, 0x05, 0x07, 0, 0, 0

/*
 * file_0640 with one more ACE appended to its DACL (AclSize and
 * AceCount updated); ace is the whole ACE, n its length.
 */
static size_t
with_ace(uint8_t *out, const uint8_t *ace, size_t n)
{
	memcpy(out, file_0640, sizeof(file_0640));
	memcpy(out + sizeof(file_0640), ace, n);
	le16enc(out + 52 + 2, (uint16_t)(76 + n));
	le16enc(out + 52 + 4, 4);
	return sizeof(file_0640) + n;
}

static void
test_secdesc_parse_checks_each_ace_body(void **state)
{
	/* An allow ACE whose SID claims 2 sub-authorities in 16 bytes. */
	static const uint8_t short_sid[] = {
		0x00, 0x00, 0x10, 0x00, 0xff, 0x01, 0x1f, 0x00,
		0x01, 0x02, 0, 0, 0, 0, 0, 0x05,
	};
	/* Type 0x04 (compound) is reserved, 0x14 undefined. */
	static const uint8_t reserved[] = {
		0x04, 0x00, 0x14, 0x00, 0xff, 0x01, 0x1f, 0x00, SID_ANON,
	};
	/* An object ACE naming both GUIDs: 4+4+4+16+16+12 = 56 bytes. */
	uint8_t object[56] = {
		0x05, 0x00, 0x38, 0x00, 0xff, 0x01, 0x1f, 0x00,
		0x03, 0x00, 0x00, 0x00,
	};
	static const uint8_t anon[] = { SID_ANON };
	uint8_t buf[sizeof(file_0640) + 64];
	struct secdesc sd;
	uint8_t *copy;
	size_t n;

	(void)state;
	memcpy(object + 44, anon, sizeof(anon));
	n = with_ace(buf, short_sid, sizeof(short_sid));
	assert_int_equal(parse_copy(buf, n, &sd, &copy), -1);
	free(copy);
	n = with_ace(buf, reserved, sizeof(reserved));
	assert_int_equal(parse_copy(buf, n, &sd, &copy), -1);
	free(copy);
	buf[sizeof(file_0640)] = 0x14;
	assert_int_equal(parse_copy(buf, n, &sd, &copy), -1);
	free(copy);
	n = with_ace(buf, object, sizeof(object));
	assert_int_equal(parse_copy(buf, n, &sd, &copy), 0);
	assert_int_equal(sd.sd_dacl_count, 4);
	free(copy);
	/* The same ACE with only one GUID flagged: its SID is misplaced. */
	object[8] = 0x01;
	n = with_ace(buf, object, sizeof(object));
	assert_int_equal(parse_copy(buf, n, &sd, &copy), -1);
	free(copy);
	/* An allow ACE without room for its Mask. */
	n = with_ace(buf, (const uint8_t *)"\x00\x00\x04\x00", 4);
	assert_int_equal(parse_copy(buf, n, &sd, &copy), -1);
	free(copy);
}

static void
test_secdesc_sid_unix_names_only_unix_users_and_groups(void **state)
{
	static const uint8_t u[] = { SID_U1000 }, g[] = { SID_G1000 },
	    w[] = { SID_WORLD };
	uint32_t id = 0;

	(void)state;
	assert_int_equal(secdesc_sid_unix(u, sizeof(u), false, &id), 0);
	assert_int_equal(id, 1000);
	assert_int_equal(secdesc_sid_unix(u, sizeof(u), true, &id), -1);
	assert_int_equal(secdesc_sid_unix(g, sizeof(g), true, &id), 0);
	assert_int_equal(secdesc_sid_unix(w, sizeof(w), false, &id), -1);
	assert_int_equal(secdesc_sid_unix(NULL, 0, false, &id), -1);
}

static uint32_t
mode_of(const uint8_t *buf, size_t n, uint32_t uid, uint32_t gid)
{
	struct secdesc sd;
	uint8_t *copy;
	uint32_t mode;

	assert_int_equal(parse_copy(buf, n, &sd, &copy), 0);
	mode = secdesc_dacl_mode(&sd, uid, gid);
	free(copy);
	return mode;
}

static void
test_secdesc_dacl_mode_inverts_the_mode_mapping(void **state)
{
	struct msgbuf_wr wr;
	uint32_t mode;
	size_t n;

	(void)state;
	for (mode = 0; mode <= 0777; mode++) {
		n = encode(&wr, 7, 8, mode, mode & 1, ALL_INFO);
		assert_int_equal(mode_of(wr.wr_buf, n, 7, 8), mode);
		msgbuf_wr_free(&wr);
	}
	/* The ACEs of another owner or group give those triplets nothing. */
	assert_int_equal(mode_of(file_0640, sizeof(file_0640), 1, 1), 0);
}

static void
test_secdesc_dacl_mode_takes_aces_in_order(void **state)
{
	/* Deny the owner FILE_WRITE_DATA: after its allow, too late. */
	static const uint8_t deny_w[] = {
		0x01, 0x00, 0x18, 0x00, 0x02, 0x00, 0x00, 0x00, SID_U1000,
	};
	/* Allow Everyone GENERIC_ALL, inherit-only: not for the file. */
	static const uint8_t inherit_only[] = {
		0x00, 0x08, 0x14, 0x00, 0x00, 0x00, 0x00, 0x10, SID_WORLD,
	};
	/* Anonymous full control: no triplet of its own. */
	static const uint8_t anon[] = {
		0x00, 0x00, 0x14, 0x00, 0xff, 0x01, 0x1f, 0x00, SID_ANON,
	};
	uint8_t buf[sizeof(file_0640) + 24], first[sizeof(file_0640) + 24];
	size_t n;

	(void)state;
	n = with_ace(buf, deny_w, sizeof(deny_w));
	assert_int_equal(mode_of(buf, n, 1000, 1000), 0640);
	/* The same deny as the first ACE wins over the allow. */
	memcpy(first, buf, 60);
	memcpy(first + 60, deny_w, sizeof(deny_w));
	memcpy(first + 60 + sizeof(deny_w), buf + 60, n - 60 -
	    sizeof(deny_w));
	assert_int_equal(mode_of(first, n, 1000, 1000), 0440);
	n = with_ace(buf, inherit_only, sizeof(inherit_only));
	assert_int_equal(mode_of(buf, n, 1000, 1000), 0640);
	buf[sizeof(file_0640) + 1] = 0;	/* now for the file itself */
	assert_int_equal(mode_of(buf, n, 1000, 1000), 0647);
	n = with_ace(buf, anon, sizeof(anon));
	assert_int_equal(mode_of(buf, n, 1000, 1000), 0640);
	/* No DACL, or a NULL one: everyone everything. */
	memcpy(buf, file_0640, sizeof(file_0640));
	memset(buf + 16, 0, 4);
	assert_int_equal(mode_of(buf, sizeof(file_0640), 1000, 1000), 0777);
	le16enc(buf + 2, SE_SELF_RELATIVE);
	assert_int_equal(mode_of(buf, sizeof(file_0640), 1000, 1000), 0777);
}

static void
test_secdesc_only_the_modes_own_dacl_is_unix(void **state)
{
	static const uint8_t anon[] = {
		0x00, 0x00, 0x14, 0x00, 0xff, 0x01, 0x1f, 0x00, SID_ANON,
	};
	uint8_t buf[sizeof(file_0640) + 20];
	struct secdesc sd;
	uint8_t *copy;
	size_t n;

	(void)state;
	assert_int_equal(parse_copy(file_0640, sizeof(file_0640), &sd, &copy),
	    0);
	assert_true(secdesc_dacl_is_unix(&sd, 1000, 1000, 0640, false,
	    DACL_SECURITY_INFORMATION));
	/* Asking for PROTECTED makes a control bit the mode cannot say. */
	assert_false(secdesc_dacl_is_unix(&sd, 1000, 1000, 0640, false,
	    DACL_SECURITY_INFORMATION | PROTECTED_DACL_SECURITY_INFORMATION));
	assert_int_equal(secdesc_kept_control(&sd, DACL_SECURITY_INFORMATION |
	    PROTECTED_DACL_SECURITY_INFORMATION),
	    SE_DACL_PRESENT | SE_DACL_PROTECTED);
	free(copy);
	n = with_ace(buf, anon, sizeof(anon));
	assert_int_equal(parse_copy(buf, n, &sd, &copy), 0);
	assert_false(secdesc_dacl_is_unix(&sd, 1000, 1000, 0640, false,
	    DACL_SECURITY_INFORMATION));
	free(copy);
	/* AUTO_INHERITED in the descriptor, UNPROTECTED clearing PROTECTED. */
	memcpy(buf, file_0640, sizeof(file_0640));
	le16enc(buf + 2, SE_SELF_RELATIVE | SE_DACL_PRESENT |
	    SE_DACL_PROTECTED | SE_DACL_AUTO_INHERITED);
	assert_int_equal(parse_copy(buf, sizeof(file_0640), &sd, &copy), 0);
	assert_int_equal(secdesc_kept_control(&sd, DACL_SECURITY_INFORMATION |
	    UNPROTECTED_DACL_SECURITY_INFORMATION),
	    SE_DACL_PRESENT | SE_DACL_AUTO_INHERITED);
	free(copy);
}

static void
test_secdesc_kept_dacl_reads_back_only_with_its_stamp(void **state)
{
	static const uint8_t anon[] = {
		0x00, 0x00, 0x14, 0x00, 0xff, 0x01, 0x1f, 0x00, SID_ANON,
	};
	uint8_t buf[sizeof(file_0640) + 20 + 8];
	struct secdesc sd;
	struct secdesc_kept k;
	struct msgbuf_wr wr, out;
	uint8_t *copy;
	size_t n, blob;

	(void)state;
	n = with_ace(buf, anon, sizeof(anon));
	/* Slack after the ACEs is not kept. */
	le16enc(buf + 54, (uint16_t)(76 + 20 + 8));
	memset(buf + n, 0xee, 8);
	assert_int_equal(parse_copy(buf, n + 8, &sd, &copy), 0);
	msgbuf_wr_init(&wr, SECDESC_KEPT_MAX);
	blob = secdesc_kept_encode(&wr, &sd, SE_DACL_PRESENT |
	    SE_DACL_PROTECTED, 1000, 1000, 0100640);
	assert_int_equal(blob, SECDESC_KEPT_HDR_LEN + 96);
	assert_int_equal(secdesc_kept_decode(wr.wr_buf, blob, 1000, 1000,
	    0100640, &k), 0);
	assert_int_equal(k.sk_control, SE_DACL_PRESENT | SE_DACL_PROTECTED);
	assert_int_equal(k.sk_dacl_len, 96);
	assert_int_equal(le16dec(k.sk_dacl + 2), 96);
	assert_memory_equal(k.sk_dacl + 4, buf + 52 + 4, 92);
	/* Another owner, group or mode: stale. */
	assert_int_equal(secdesc_kept_decode(wr.wr_buf, blob, 1001, 1000,
	    0640, &k), -1);
	assert_int_equal(secdesc_kept_decode(wr.wr_buf, blob, 1000, 1001,
	    0640, &k), -1);
	assert_int_equal(secdesc_kept_decode(wr.wr_buf, blob, 1000, 1000,
	    0600, &k), -1);
	assert_int_equal(secdesc_kept_restamp(wr.wr_buf, blob, 1001, 1000,
	    0600), 0);
	assert_int_equal(secdesc_kept_decode(wr.wr_buf, blob, 1001, 1000,
	    0600, &k), 0);

	/* Reported: the kept ACL and control, owner and group from Unix. */
	msgbuf_wr_init(&out, 4096);
	n = secdesc_encode(&out, 1001, 1000, 0600, false, ALL_INFO, &k);
	assert_int_equal(n, 52 + 96);
	assert_int_equal(le16dec(out.wr_buf + 2), SE_SELF_RELATIVE |
	    SE_DACL_PRESENT | SE_DACL_PROTECTED);
	assert_int_equal(le32dec(out.wr_buf + 16), 52);
	assert_memory_equal(out.wr_buf + 52, k.sk_dacl, 96);
	msgbuf_wr_free(&out);

	/* Cut, lengthened, wrong version, a bad ACE: refused. */
	assert_int_equal(secdesc_kept_decode(wr.wr_buf, blob - 1, 1001, 1000,
	    0600, &k), -1);
	wr.wr_buf[0] = 2;
	assert_int_equal(secdesc_kept_decode(wr.wr_buf, blob, 1001, 1000,
	    0600, &k), -1);
	wr.wr_buf[0] = 1;
	wr.wr_buf[SECDESC_KEPT_HDR_LEN + 8 + 2] = 0x03;	/* AceSize 3 */
	assert_int_equal(secdesc_kept_decode(wr.wr_buf, blob, 1001, 1000,
	    0600, &k), -1);
	msgbuf_wr_free(&wr);
	free(copy);
}

static void
test_secdesc_null_dacl_is_kept_as_null(void **state)
{
	uint8_t buf[sizeof(file_0640)];
	struct secdesc sd;
	struct secdesc_kept k;
	struct msgbuf_wr wr, out;
	uint8_t *copy;
	size_t blob, n;

	(void)state;
	memcpy(buf, file_0640, sizeof(buf));
	memset(buf + 16, 0, 4);
	assert_int_equal(parse_copy(buf, sizeof(buf), &sd, &copy), 0);
	assert_false(secdesc_dacl_is_unix(&sd, 1000, 1000, 0777, false,
	    DACL_SECURITY_INFORMATION));
	msgbuf_wr_init(&wr, SECDESC_KEPT_MAX);
	blob = secdesc_kept_encode(&wr, &sd, SE_DACL_PRESENT, 1000, 1000,
	    0777);
	assert_int_equal(blob, SECDESC_KEPT_HDR_LEN);
	assert_int_equal(secdesc_kept_decode(wr.wr_buf, blob, 1000, 1000,
	    0777, &k), 0);
	assert_null(k.sk_dacl);
	msgbuf_wr_init(&out, 4096);
	n = secdesc_encode(&out, 1000, 1000, 0777, false,
	    DACL_SECURITY_INFORMATION, &k);
	assert_int_equal(n, SECDESC_HDR_LEN);
	assert_int_equal(le16dec(out.wr_buf + 2),
	    SE_SELF_RELATIVE | SE_DACL_PRESENT);
	assert_int_equal(le32dec(out.wr_buf + 16), 0);
	msgbuf_wr_free(&out);
	msgbuf_wr_free(&wr);
	free(copy);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_secdesc_file_0640_is_byte_exact),
		cmocka_unit_test(
		    test_secdesc_dir_0755_gives_full_control_and_inherits),
		cmocka_unit_test(test_secdesc_write_on_dir_adds_delete_child),
		cmocka_unit_test(test_secdesc_has_only_the_parts_asked_for),
		cmocka_unit_test(
		    test_secdesc_appends_after_what_the_writer_holds),
		cmocka_unit_test(test_secdesc_full_writer_gives_zero),
		cmocka_unit_test(test_secdesc_parse_reads_back_what_is_made),
		cmocka_unit_test(test_secdesc_matches_only_what_is_reported),
		cmocka_unit_test(test_secdesc_sacl_must_be_empty),
		cmocka_unit_test(test_secdesc_parse_refuses_malformed),
		cmocka_unit_test(test_secdesc_parse_checks_each_ace_body),
		cmocka_unit_test(
		    test_secdesc_sid_unix_names_only_unix_users_and_groups),
		cmocka_unit_test(
		    test_secdesc_dacl_mode_inverts_the_mode_mapping),
		cmocka_unit_test(test_secdesc_dacl_mode_takes_aces_in_order),
		cmocka_unit_test(test_secdesc_only_the_modes_own_dacl_is_unix),
		cmocka_unit_test(
		    test_secdesc_kept_dacl_reads_back_only_with_its_stamp),
		cmocka_unit_test(test_secdesc_null_dacl_is_kept_as_null),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
