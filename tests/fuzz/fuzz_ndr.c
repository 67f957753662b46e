/*
 * fuzz_ndr.c — libFuzzer harness for ndr.c.
 *
 * The input is a program: each byte picks a reader operation (aligned
 * integers, pointers, full pointers, wide strings, conformant arrays,
 * alignment), run on the rest of the input until it is used up.  What it
 * checks besides "no crash, no leak": the reader never moves past its
 * buffer, a failed reader stays failed, and a string read back through
 * the writer reads back the same.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ndr.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check(int cond)
{
	if (!cond)
		abort();
}

/* A string accepted by the reader survives the writer and reader. */
static void
round_trip(const char *s)
{
	struct ndr_wr w;
	struct ndr_rd r;
	char back[4 * NDR_WSTR_MAX];

	ndr_wr_init(&w, 1 << 20);
	ndr_put_wstr_ptr(&w, s);
	ndr_flush(&w);
	check(ndr_wr_ok(&w));
	ndr_rd_init(&r, ndr_wr_data(&w), ndr_wr_len(&w));
	check(ndr_get_ptr(&r) != 0);
	check(ndr_get_wstr(&r, back, sizeof(back)) == 0);
	check(strcmp(back, s) == 0);
	check(ndr_rd_remain(&r) == 0);
	ndr_wr_free(&w);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char s[4 * NDR_WSTR_MAX];
	struct ndr_rd r;
	size_t nops, i, before;
	uint32_t n;
	bool seen, failed = false;
	int rc;

	if (size < 1)
		return 0;
	nops = data[0] % 32 + 1;
	if (size < 1 + nops)
		return 0;
	ndr_rd_init(&r, data + 1 + nops, size - 1 - nops);
	for (i = 0; i < nops; i++) {
		before = r.nr_off;
		switch (data[1 + i] % 10) {
		case 0:
			(void)ndr_get_u8(&r);
			break;
		case 1:
			(void)ndr_get_u16(&r);
			break;
		case 2:
			(void)ndr_get_u32(&r);
			break;
		case 3:
			(void)ndr_get_u64(&r);
			break;
		case 4:
			(void)ndr_get_ptr(&r);
			break;
		case 5:
			(void)ndr_get_full_ptr(&r, &seen);
			break;
		case 6:
			rc = ndr_get_wstr(&r, s, sizeof(s));
			check(rc == 0 || rc == -1 || rc == -2);
			check((rc == -1) == !ndr_rd_ok(&r) || failed);
			if (rc == 0)
				round_trip(s);
			break;
		case 7:
			/* Small output: long strings answer -2. */
			rc = ndr_get_wstr(&r, s, 8);
			check(rc != 0 || strlen(s) < 8);
			break;
		case 8:
			(void)ndr_get_carray(&r, 1 + data[1 + i] / 10 % 8,
			    4096, &n);
			break;
		default:
			ndr_rd_align(&r, (size_t)1 << (data[1 + i] / 10 % 4));
			break;
		}
		check(r.nr_off <= r.nr_len);
		check(r.nr_off >= before || !ndr_rd_ok(&r));
		if (failed)
			check(!ndr_rd_ok(&r));
		failed = !ndr_rd_ok(&r);
	}
	return 0;
}
