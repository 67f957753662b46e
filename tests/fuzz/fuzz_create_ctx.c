/*
 * fuzz_create_ctx.c — libFuzzer harness for the decoders of the durable,
 * lease and resiliency inputs: durable_ctx() and durable_check() (DHnQ,
 * DHnC, DH2Q, DH2C data, MS-SMB2 2.2.13.2.3/4/11/12 and the combination
 * rules of 3.3.5.9.6-3.3.5.9.12), lease_req_parse() (RqLs v1 and v2,
 * 2.2.13.2.8/10) and resilient_parse() (NETWORK_RESILIENCY_REQUEST,
 * 2.2.31.3 and 3.3.5.15.9).
 *
 * Input: a sequence of records, each a type byte (low 3 bits: 0-3 the
 * four durable contexts, 4 RqLs, 5 resiliency), a length byte and that
 * many bytes of context data (fewer at the end of the input).  What must
 * hold, else abort: no decoder reads outside its data; a lease request
 * is accepted exactly for 32 or 52 bytes, with the version that length
 * names; a resiliency request is accepted exactly for at least 8 bytes
 * and a Timeout up to 300000, and grants 1..300000 ms; durable_check()
 * accepts no combination the spec refuses.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "durable.h"
#include "lease.h"
#include "msgbuf.h"
#include "ntstatus.h"
#include "resilient.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check(int cond)
{
	if (!cond)
		abort();
}

static const char *const names[] = { "DHnQ", "DHnC", "DH2Q", "DH2C" };

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct durable_req dr;
	struct lease_req lr;
	struct msgbuf_rd rd;
	size_t pos = 0, len;
	uint32_t st, timeout;
	uint8_t type, *copy;

	memset(&dr, 0, sizeof(dr));
	while (pos + 2 <= size) {
		type = data[pos] & 7;
		len = data[pos + 1];
		pos += 2;
		if (len > size - pos)
			len = size - pos;
		/* A copy of exactly len bytes, so ASan sees any overread. */
		if ((copy = malloc(len ? len : 1)) == NULL)
			return 0;
		memcpy(copy, data + pos, len);
		pos += len;
		msgbuf_rd_init(&rd, copy, len);
		if (type < 4) {
			st = durable_ctx(&dr, (const uint8_t *)names[type],
			    &rd);
			check(st == STATUS_SUCCESS ||
			    st == STATUS_INVALID_PARAMETER);
		} else if (type == 4) {
			st = lease_req_parse(&lr, &rd, (uint32_t)len);
			check((st == STATUS_SUCCESS) ==
			    (len == LEASE_CTX_V1_LEN ||
			    len == LEASE_CTX_V2_LEN));
			if (st == STATUS_SUCCESS)
				check(lr.lr_version ==
				    (len == LEASE_CTX_V1_LEN ? 1 : 2));
			else
				check(lr.lr_version == 0);
		} else {
			st = resilient_parse(&rd, RESILIENCY_DEFAULT_MS,
			    RESILIENCY_MAX_MS, &timeout);
			check((st == STATUS_SUCCESS) ==
			    (len >= RESILIENCY_REQ_LEN &&
			    le32dec(copy) <= RESILIENCY_MAX_MS));
			if (st == STATUS_SUCCESS)
				check(timeout == (le32dec(copy) == 0 ?
				    RESILIENCY_DEFAULT_MS : le32dec(copy)));
		}
		free(copy);
	}
	if (durable_check(&dr) == STATUS_SUCCESS) {
		check(!(dr.dr_dh2q && (dr.dr_dhnq || dr.dr_dhnc ||
		    dr.dr_dh2c)));
		check(!(dr.dr_dh2c && (dr.dr_dhnq || dr.dr_dhnc)));
	}
	return 0;
}
