/*
 * fuzz_info.c — libFuzzer harness for what QUERY_INFO and SET_INFO
 * decode from a client (smbsrvd/smb2_info.c, smbsrvd/secdesc.c): the two
 * request bodies, every SET_INFO buffer of a file class, and security
 * descriptors.
 *
 * Each input is tried as all of them: as a QUERY_INFO and as a SET_INFO
 * message (SMB2 header and body, offsets from its start), as the buffer
 * of every file class, and as a self-relative security descriptor.
 * Besides "no crash, no leak, no read outside the input", it checks what
 * the decoders promise: whatever they hand back lies inside the input, a
 * rename name is even and not empty, and a descriptor made by
 * secdesc_from_unix() (from the input's first bytes) parses and matches
 * the file it was made for.  A broken promise aborts.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "msgbuf.h"
#include "ntstatus.h"
#include "secdesc.h"
#include "smb2.h"
#include "smb2_info.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check(int cond)
{
	if (!cond)
		abort();
}

static int
inside(const uint8_t *p, size_t n, const uint8_t *buf, size_t len)
{
	return p >= buf && n <= len && (size_t)(p - buf) <= len - n;
}

static const uint8_t file_classes[] = {
	INFO_FILE_BASIC, INFO_FILE_RENAME, INFO_FILE_LINK,
	INFO_FILE_DISPOSITION, INFO_FILE_POSITION, INFO_FILE_FULL_EA,
	INFO_FILE_MODE, INFO_FILE_ALLOCATION, INFO_FILE_END_OF_FILE,
	INFO_FILE_DISPOSITION_EX, INFO_FILE_RENAME_EX, INFO_FILE_STANDARD,
};

static void
file_buffer(uint8_t cls, const uint8_t *buf, size_t len)
{
	struct msgbuf_rd rd;
	struct set_file sf;
	uint32_t st;

	msgbuf_rd_init(&rd, buf, len);
	st = smb2_info_file_decode(cls, &rd, &sf);
	check(sf.sf_class == cls);
	if (st != STATUS_SUCCESS) {
		check(st == STATUS_INFO_LENGTH_MISMATCH ||
		    st == STATUS_INVALID_PARAMETER ||
		    st == STATUS_EA_LIST_INCONSISTENT ||
		    st == STATUS_INVALID_INFO_CLASS);
		return;
	}
	if (cls == INFO_FILE_RENAME || cls == INFO_FILE_RENAME_EX) {
		check(sf.sf_name != NULL && sf.sf_namelen > 0 &&
		    sf.sf_namelen % 2 == 0 &&
		    inside(sf.sf_name, sf.sf_namelen, buf, len));
	} else
		check(sf.sf_name == NULL);
	if (cls != INFO_FILE_FULL_EA)
		check(sf.sf_ea_values == 0);
}

static void
descriptor(const uint8_t *buf, size_t len, uint32_t uid, uint32_t gid,
    uint32_t mode, bool dir, uint32_t info)
{
	struct secdesc sd;

	if (secdesc_parse(buf, len, &sd) == -1)
		return;
	check(sd.sd_owner == NULL ||
	    inside(sd.sd_owner, sd.sd_owner_len, buf, len));
	check(sd.sd_group == NULL ||
	    inside(sd.sd_group, sd.sd_group_len, buf, len));
	check(sd.sd_dacl == NULL ||
	    inside(sd.sd_dacl, sd.sd_dacl_len, buf, len));
	check(sd.sd_sacl == NULL ||
	    inside(sd.sd_sacl, sd.sd_sacl_len, buf, len));
	(void)secdesc_matches_unix(&sd, uid, gid, mode, dir, info);
}

/* What secdesc_from_unix() makes parses, and matches its own file. */
static void
roundtrip(uint32_t uid, uint32_t gid, uint32_t mode, bool dir, uint32_t info)
{
	struct msgbuf_wr wr;
	struct secdesc sd;
	uint8_t *copy;
	size_t n;

	msgbuf_wr_init(&wr, 1024);
	n = secdesc_from_unix(&wr, uid, gid, mode, dir, info);
	check(n >= SECDESC_HDR_LEN && n == msgbuf_wr_len(&wr));
	if ((copy = malloc(n)) == NULL)
		abort();
	memcpy(copy, wr.wr_buf, n);
	check(secdesc_parse(copy, n, &sd) == 0);
	check(secdesc_matches_unix(&sd, uid, gid, mode, dir, info));
	if (info & DACL_SECURITY_INFORMATION)
		check(!secdesc_matches_unix(&sd, uid, gid, mode ^ 0777, dir,
		    DACL_SECURITY_INFORMATION));
	free(copy);
	msgbuf_wr_free(&wr);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct msgbuf_rd rd;
	struct query_req q;
	struct set_req s;
	uint32_t uid = 0, gid = 0, mode = 0, info = 0;
	uint8_t *buf;
	size_t i;

	/* An exact-size copy, so that any over-read is caught. */
	if ((buf = malloc(size == 0 ? 1 : size)) == NULL)
		abort();
	memcpy(buf, data, size);

	if (size >= SMB2_HDR_LEN + 2) {
		msgbuf_rd_init(&rd, buf, size);
		msgbuf_seek(&rd, SMB2_HDR_LEN + 2);
		if (smb2_info_query_decode(&rd, &q) == STATUS_SUCCESS)
			check(q.q_inlen == msgbuf_remain(&q.q_in) &&
			    (q.q_inlen == 0 || inside(q.q_in.rd_buf,
			    q.q_inlen, buf, size)));
		msgbuf_rd_init(&rd, buf, size);
		msgbuf_seek(&rd, SMB2_HDR_LEN + 2);
		if (smb2_info_set_decode(&rd, &s) == STATUS_SUCCESS) {
			check(s.s_buflen == msgbuf_remain(&s.s_buf));
			if (s.s_buflen > 0) {
				check(inside(s.s_buf.rd_buf, s.s_buflen, buf,
				    size));
				file_buffer(s.s_class, s.s_buf.rd_buf,
				    s.s_buflen);
			}
		}
	}

	for (i = 0; i < sizeof(file_classes); i++)
		file_buffer(file_classes[i], buf, size);

	if (size >= 13) {
		uid = le32dec(buf);
		gid = le32dec(buf + 4);
		mode = le16dec(buf + 8) & 07777;
		info = buf[10] & 0x1f;
		roundtrip(uid, gid, mode, buf[11] & 1, info);
		descriptor(buf + 12, size - 12, uid, gid, mode, buf[11] & 1,
		    info);
	}
	descriptor(buf, size, 1000, 1000, 0640, false, 0x7);
	free(buf);
	return 0;
}
