/*
 * fuzz_secdesc.c — libFuzzer harness for the security descriptors a
 * client sets (SET_INFO, smbsrvd/secdesc.c) and for the kept-DACL blob
 * read back from a file's extended attribute, which whoever can write
 * the file can forge.
 *
 * The input's first 12 bytes choose uid, gid and SecurityInformation;
 * the rest is tried as a self-relative descriptor and as a kept blob.
 * Besides "no crash, no leak, no read outside the input" it checks what
 * the module promises: a parsed DACL maps to permission bits within
 * 0777; its kept blob decodes under the stamp it was made with (and not
 * under another), to the same ACEs and control bits, and the descriptor
 * reported from it parses again to the same DACL; a DACL that is "the
 * mode's own" gives that very mode back.  A broken promise aborts.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "msgbuf.h"
#include "secdesc.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check(int cond)
{
	if (!cond)
		abort();
}

/* The descriptor QUERY_INFO would report from k parses, same DACL. */
static void
report(const struct secdesc_kept *k, uint32_t uid, uint32_t gid,
    uint32_t mode)
{
	struct msgbuf_wr wr;
	struct secdesc sd;
	size_t n;

	msgbuf_wr_init(&wr, SECDESC_KEPT_MAX + 256);
	n = secdesc_encode(&wr, uid, gid, mode, false, 0x7, k);
	check(n > 0);
	check(secdesc_parse(wr.wr_buf, n, &sd) == 0);
	check((sd.sd_control & SECDESC_KEPT_CONTROL) ==
	    (k->sk_control & SECDESC_KEPT_CONTROL));
	if (k->sk_dacl == NULL)
		check(sd.sd_dacl == NULL);
	else
		check(sd.sd_dacl_len == k->sk_dacl_len &&
		    memcmp(sd.sd_dacl, k->sk_dacl, k->sk_dacl_len) == 0);
	msgbuf_wr_free(&wr);
}

static void
descriptor(const uint8_t *buf, size_t len, uint32_t uid, uint32_t gid,
    uint32_t info)
{
	struct secdesc sd;
	struct secdesc_kept k;
	struct msgbuf_wr wr;
	uint32_t mode, id;
	uint16_t control;
	size_t n;

	if (secdesc_parse(buf, len, &sd) == -1)
		return;
	if (sd.sd_owner != NULL &&
	    secdesc_sid_unix(sd.sd_owner, sd.sd_owner_len, false, &id) == 0)
		uid = id;
	mode = secdesc_dacl_mode(&sd, uid, gid);
	check(mode <= 0777);
	if (secdesc_dacl_is_unix(&sd, uid, gid, mode, info & 1, info))
		check(secdesc_dacl_mode(&sd, uid, gid) == mode);
	control = secdesc_kept_control(&sd, info);
	check(control & SE_DACL_PRESENT);
	msgbuf_wr_init(&wr, SECDESC_KEPT_MAX);
	n = secdesc_kept_encode(&wr, &sd, control, uid, gid, mode);
	check(n >= SECDESC_KEPT_HDR_LEN && n == msgbuf_wr_len(&wr));
	check(secdesc_kept_decode(wr.wr_buf, n, uid, gid, mode, &k) == 0);
	check(k.sk_control == control);
	check(secdesc_kept_decode(wr.wr_buf, n, uid, gid, mode ^ 1, &k) ==
	    -1);
	check(secdesc_kept_decode(wr.wr_buf, n, uid, gid, mode, &k) == 0);
	report(&k, uid, gid, mode);
	msgbuf_wr_free(&wr);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct secdesc_kept k;
	uint32_t uid, gid, info;
	uint8_t *buf;

	if (size < 12)
		return 0;
	uid = le32dec(data);
	gid = le32dec(data + 4);
	info = le32dec(data + 8);
	/* An exact-size copy, so that any over-read is caught. */
	if ((buf = malloc(size - 12 == 0 ? 1 : size - 12)) == NULL)
		abort();
	memcpy(buf, data + 12, size - 12);
	descriptor(buf, size - 12, uid, gid, info);
	if (size >= 12 + 16 &&
	    secdesc_kept_decode(buf, size - 12, le32dec(buf + 4),
	    le32dec(buf + 8), le32dec(buf + 12), &k) == 0) {
		check(k.sk_dacl == NULL || (k.sk_dacl >= buf &&
		    k.sk_dacl + k.sk_dacl_len == buf + size - 12));
		report(&k, uid, gid, 0640);
	}
	free(buf);
	return 0;
}
