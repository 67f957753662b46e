/*
 * fuzz_copychunk.c — libFuzzer harness for copychunk_parse(), the
 * decoder of the SRV_COPYCHUNK_COPY input of FSCTL_SRV_COPYCHUNK and
 * _WRITE (MS-SMB2 2.2.31.1, limits of 3.3.5.15.6).
 *
 * Input: the IOCTL's input buffer, whole.  What must hold, else abort:
 * the decoder reads only the input (a copy of exactly its size, so ASan
 * sees any overread); a key is returned exactly when 24 bytes are there;
 * an accepted request has at most 256 chunks, each of 1 byte to 1 MiB,
 * 16 MiB at most in all, cr_total their sum, and all of them inside the
 * input; a refused one is refused because one of those fails.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "msgbuf.h"
#include "ntstatus.h"
#include "smb2_copychunk.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check(int cond)
{
	if (!cond)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct copychunk_req cr;
	struct msgbuf_rd rd;
	uint64_t soff, doff, sum = 0;
	uint32_t st, i, len, count;
	uint8_t *copy;
	int ok = 1;

	if ((copy = malloc(size ? size : 1)) == NULL)
		return 0;
	memcpy(copy, data, size);
	msgbuf_rd_init(&rd, copy, size);
	st = copychunk_parse(&rd, &cr);
	check(st == STATUS_SUCCESS || st == STATUS_INVALID_PARAMETER);
	check((cr.cr_key != NULL) == (size >= 24));
	count = size >= 28 ? le32dec(copy + 24) : 0;
	/* What the limits say, computed apart from the decoder. */
	if (size < 32 || count > 256 || size - 32 < (uint64_t)count * 24)
		ok = 0;
	for (i = 0; ok && i < count; i++) {
		len = le32dec(copy + 32 + (size_t)i * 24 + 16);
		if (len == 0 || len > 1024 * 1024)
			ok = 0;
		sum += len;
	}
	if (sum > 16u * 1024 * 1024)
		ok = 0;
	check((st == STATUS_SUCCESS) == ok);
	if (st == STATUS_SUCCESS) {
		check(cr.cr_count == count && cr.cr_total == sum);
		for (i = 0; i < cr.cr_count; i++) {
			copychunk_chunk(&cr, i, &soff, &doff, &len);
			check(len == le32dec(copy + 32 + (size_t)i * 24 + 16));
			check(soff == le64dec(copy + 32 + (size_t)i * 24));
		}
	}
	free(copy);
	return 0;
}
