/*
 * fuzz_spnego.c — libFuzzer harness for the DER reader and every SPNEGO
 * parser (smbsrvd/der.c, smbsrvd/spnego.c).
 *
 * Besides "no crash", it checks the property strict DER exists for: a
 * NegTokenResp or NegTokenInit that parses re-encodes to the very same
 * bytes.  The acceptor state machine is driven with the input as the
 * first token and again as a later token, with the last input byte
 * choosing what the mechanism and the MIC callbacks answer.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "der.h"
#include "msgbuf.h"
#include "spnego.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int
fz_check_mic(void *arg, const uint8_t *data, size_t len, const uint8_t *mic,
    size_t miclen)
{
	uint8_t sel = *(const uint8_t *)arg;

	if (len == 0 || len > SPNEGO_MECHTYPES_MAX || data[0] != DER_SEQUENCE)
		abort();
	if (miclen > SPNEGO_MIC_MAX || (miclen > 0 && mic == NULL))
		abort();
	return (sel & 0x10) ? 0 : -1;
}

static int
fz_make_mic(void *arg, const uint8_t *data, size_t len, uint8_t *mic,
    size_t *miclen)
{
	uint8_t sel = *(const uint8_t *)arg;

	if (len == 0 || len > SPNEGO_MECHTYPES_MAX || data[0] != DER_SEQUENCE)
		abort();
	if (*miclen != SPNEGO_MIC_MAX)
		abort();
	memset(mic, 0x4d, 16);
	*miclen = 16;
	return (sel & 0x20) ? -1 : 0;
}

static void
same_or_die(struct msgbuf_wr *wr, const uint8_t *data, size_t size)
{
	if (!msgbuf_wr_ok(wr) || wr->wr_len != size ||
	    memcmp(wr->wr_buf, data, size) != 0)
		abort();
}

static void
fuzz_parsers(const uint8_t *data, size_t size)
{
	struct spnego_init si;
	struct spnego_resp sr;
	struct msgbuf_wr wr;

	(void)der_check(data, size, 0);

	if (spnego_parse_resp(data, size, &sr) == SPNEGO_OK) {
		msgbuf_wr_init(&wr, 1 << 20);
		(void)spnego_encode_resp(&wr, &sr);
		same_or_die(&wr, data, size);
		msgbuf_wr_free(&wr);
	}
	if (spnego_parse_init(data, size, &si) == SPNEGO_OK) {
		if (si.si_mechtoken != NULL && (si.si_mechtoken < data ||
		    si.si_mechtoken + si.si_mechtoken_len > data + size))
			abort();
		if (si.si_mechtypes != NULL && der_check(si.si_mechtypes,
		    si.si_mechtypes_len, 0) != DER_OK)
			abort();
		/* Our encoder writes only the RFC 4178 fields. */
		if (!si.si_raw && !si.si_reqflags && !si.si_neghints &&
		    si.si_mic == NULL) {
			msgbuf_wr_init(&wr, 1 << 20);
			(void)spnego_encode_init(&wr, si.si_mechs,
			    si.si_nmechs, si.si_mechtoken,
			    si.si_mechtoken_len, NULL, 0);
			same_or_die(&wr, data, size);
			msgbuf_wr_free(&wr);
		}
	}
}

static void
fuzz_ctx(const uint8_t *data, size_t size)
{
	struct spnego_ctx sp;
	struct spnego_mech_out mo;
	struct spnego_mic_ops ops;
	struct msgbuf_wr wr;
	const uint8_t *tok;
	size_t toklen;
	uint8_t sel;
	int round, rc;

	sel = size > 0 ? data[size - 1] : 0;
	ops.check_mic = fz_check_mic;
	ops.make_mic = fz_make_mic;
	ops.arg = &sel;
	spnego_ctx_init(&sp);
	for (round = 0; round < 3; round++) {
		rc = spnego_ctx_input(&sp, data, size, &tok, &toklen);
		if (rc == SPNEGO_OK && tok != NULL && (tok < data ||
		    tok + toklen > data + size))
			abort();
		memset(&mo, 0, sizeof(mo));
		mo.mo_result = (enum spnego_mech_result)((sel + round) % 3);
		mo.mo_token = (const uint8_t *)"NTLMSSP\0\2\0\0\0";
		mo.mo_token_len = 12;
		mo.mo_integ = (sel & 0x40) != 0;
		mo.mo_auth_mic = (sel & 0x80) != 0;
		msgbuf_wr_init(&wr, 4096);
		rc = spnego_ctx_reply(&sp, (sel & 0x08) && tok == NULL ?
		    NULL : &mo, &ops, &wr);
		if (msgbuf_wr_ok(&wr) && wr.wr_len > 0 && !sp.sp_raw &&
		    der_check(wr.wr_buf, wr.wr_len, 0) != DER_OK)
			abort();
		msgbuf_wr_free(&wr);
		if (rc < 0)
			break;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* libFuzzer's data is an exact-size heap copy: overreads show. */
	fuzz_parsers(data, size);
	fuzz_ctx(data, size);
	return 0;
}
