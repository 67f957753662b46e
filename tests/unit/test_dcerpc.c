/*
 * test_dcerpc.c — connection-oriented DCE/RPC PDUs (C706 12.6, MS-RPCE
 * 2.2.2) against a test interface: BIND and its results, ALTER_CONTEXT,
 * fragmentation both ways, FAULTs, and the association's end on
 * protocol errors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "dcerpc.h"
#include "msgbuf.h"

enum { PT_REQUEST = 0, PT_RESPONSE = 2, PT_FAULT = 3, PT_BIND = 11,
	PT_BIND_ACK = 12, PT_BIND_NAK = 13, PT_ALTER = 14,
	PT_ALTER_RESP = 15, PT_ORPHANED = 19 };

static const uint8_t ndr20[16] = {
	0x04, 0x5d, 0x88, 0x8a, 0xeb, 0x1c, 0xc9, 0x11,
	0x9f, 0xe8, 0x08, 0x00, 0x2b, 0x10, 0x48, 0x60
};
static const uint8_t ndr64[16] = {
	0x33, 0x05, 0x71, 0x71, 0xba, 0xbe, 0x37, 0x49,
	0x83, 0x19, 0xb5, 0xdb, 0xef, 0x9c, 0xcc, 0x36
};
static const uint8_t btfn[16] = {
	0x2c, 0x1c, 0xb7, 0x6c, 0x12, 0x98, 0x40, 0x45,
	0x03, 0, 0, 0, 0, 0, 0, 0
};

/* opnum 0 echoes its stub, 1 answers N bytes, 2 wants a u32 stub. */
static uint32_t
test_call(struct dcerpc_call *c)
{
	uint32_t n, i;

	switch (c->dcc_opnum) {
	case 0:
		while (ndr_rd_remain(&c->dcc_in) > 0)
			ndr_put_u8(&c->dcc_out, ndr_get_u8(&c->dcc_in));
		return 0;
	case 1:
		n = ndr_get_u32(&c->dcc_in);
		for (i = 0; i < n; i++)
			ndr_put_u8(&c->dcc_out, (uint8_t)i);
		return 0;
	case 2:
		(void)ndr_get_u32(&c->dcc_in);
		if (!ndr_rd_ok(&c->dcc_in))
			return NCA_S_FAULT_NDR;
		ndr_put_u32(&c->dcc_out, 0);
		return 0;
	default:
		return NCA_S_OP_RNG_ERROR;
	}
}

static const struct dcerpc_iface test_iface = {
	"test", { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 },
	3, 1, test_call
};
static const struct dcerpc_iface * const ifaces[] = { &test_iface, NULL };
static const struct dcerpc_caller caller;

/* Every PDU the association sends, in order. */
struct out {
	uint8_t	*pdu[64];
	size_t	 len[64];
	int	 n;
};

static int
collect(const uint8_t *p, size_t len, void *arg)
{
	struct out *o = arg;

	assert_true(o->n < 64);
	o->pdu[o->n] = malloc(len);
	assert_non_null(o->pdu[o->n]);
	memcpy(o->pdu[o->n], p, len);
	o->len[o->n++] = len;
	return 0;
}

static void
out_clear(struct out *o)
{
	while (o->n > 0)
		free(o->pdu[--o->n]);
}

static void
hdr(struct msgbuf_wr *w, uint8_t ptype, uint8_t flags, uint32_t call_id)
{
	static const uint8_t h[8] = { 5, 0, 0, 0, 0x10, 0, 0, 0 };

	msgbuf_put_bytes(w, h, 8);
	msgbuf_patch_u8(w, 2, ptype);
	msgbuf_patch_u8(w, 3, flags);
	msgbuf_put_le16(w, 0);
	msgbuf_put_le16(w, 0);
	msgbuf_put_le32(w, call_id);
}

static void
finish(struct msgbuf_wr *w)
{
	msgbuf_patch_le16(w, 8, (uint16_t)msgbuf_wr_len(w));
}

/* A BIND or ALTER_CONTEXT with one context of one transfer syntax. */
static void
bind_pdu(struct msgbuf_wr *w, uint8_t ptype, uint16_t ctx,
    const uint8_t *abs, uint32_t absvers, const uint8_t *ts, uint32_t tsvers)
{
	msgbuf_wr_init(w, 4096);
	hdr(w, ptype, 3, 1);
	msgbuf_put_le16(w, 4280);
	msgbuf_put_le16(w, 4280);
	msgbuf_put_le32(w, 0);
	msgbuf_put_u8(w, 1);
	msgbuf_put_zero(w, 3);
	msgbuf_put_le16(w, ctx);
	msgbuf_put_u8(w, 1);
	msgbuf_put_u8(w, 0);
	msgbuf_put_bytes(w, abs, 16);
	msgbuf_put_le32(w, absvers);
	msgbuf_put_bytes(w, ts, 16);
	msgbuf_put_le32(w, tsvers);
	finish(w);
}

static int
feed(struct dcerpc_assoc *a, struct msgbuf_wr *w)
{
	int rc = dcerpc_input(a, w->wr_buf, msgbuf_wr_len(w));

	msgbuf_wr_free(w);
	return rc;
}

static void
request_pdu(struct msgbuf_wr *w, uint8_t flags, uint32_t call_id,
    uint16_t ctx, uint16_t opnum, uint32_t alloc_hint, const void *stub,
    size_t len)
{
	msgbuf_wr_init(w, 65536);
	hdr(w, PT_REQUEST, flags, call_id);
	msgbuf_put_le32(w, alloc_hint);
	msgbuf_put_le16(w, ctx);
	msgbuf_put_le16(w, opnum);
	msgbuf_put_bytes(w, stub, len);
	finish(w);
}

/* The result of context i in a BIND_ACK or ALTER_CONTEXT_RESP. */
static void
ack_result(const uint8_t *p, size_t len, int i, uint16_t *result,
    uint16_t *reason, const uint8_t **ts)
{
	size_t at = 24 + 2 + le16dec(p + 24);

	at = (at + 3) & ~(size_t)3;
	assert_true(at + 4 + 24 * (size_t)(i + 1) <= len);
	assert_true(i < p[at]);
	at += 4 + 24 * (size_t)i;
	*result = le16dec(p + at);
	*reason = le16dec(p + at + 2);
	*ts = p + at + 4;
}

static void
bound(struct dcerpc_assoc *a, struct out *o)
{
	struct msgbuf_wr w;

	dcerpc_init(a, ifaces, "\\PIPE\\test", &caller, collect, o);
	bind_pdu(&w, PT_BIND, 0, test_iface.di_uuid, 3, ndr20, 2);
	assert_int_equal(feed(a, &w), 0);
	assert_int_equal(o->n, 1);
	out_clear(o);
}

static void
test_dcerpc_bind_accepts_ndr20(void **state)
{
	struct dcerpc_assoc a;
	struct out o = { .n = 0 };
	struct msgbuf_wr w;
	uint16_t res, reason;
	const uint8_t *ts, *p;

	(void)state;
	dcerpc_init(&a, ifaces, "\\PIPE\\test", &caller, collect, &o);
	bind_pdu(&w, PT_BIND, 0, test_iface.di_uuid, 3, ndr20, 2);
	assert_int_equal(feed(&a, &w), 0);
	assert_int_equal(o.n, 1);
	p = o.pdu[0];
	assert_int_equal(p[2], PT_BIND_ACK);
	assert_int_equal(p[3], 3);
	assert_int_equal(le16dec(p + 8), o.len[0]);
	assert_int_equal(le32dec(p + 12), 1);			/* call_id */
	assert_int_equal(le16dec(p + 16), 4280);		/* max_xmit */
	assert_int_equal(le16dec(p + 18), 4280);		/* max_recv */
	assert_int_not_equal(le32dec(p + 20), 0);		/* group */
	assert_int_equal(le16dec(p + 24), strlen("\\PIPE\\test") + 1);
	assert_memory_equal(p + 26, "\\PIPE\\test", 11);
	ack_result(p, o.len[0], 0, &res, &reason, &ts);
	assert_int_equal(res, 0);
	assert_memory_equal(ts, ndr20, 16);
	assert_int_equal(le32dec(ts + 16), 2);
	out_clear(&o);

	/* A second BIND on the association is refused with a BIND_NAK. */
	bind_pdu(&w, PT_BIND, 1, test_iface.di_uuid, 3, ndr20, 2);
	assert_int_equal(feed(&a, &w), 0);
	assert_int_equal(o.n, 1);
	assert_int_equal(o.pdu[0][2], PT_BIND_NAK);
	out_clear(&o);
	dcerpc_free(&a);
}

static void
test_dcerpc_bind_rejects_ndr64_and_unknown_interfaces(void **state)
{
	static const uint8_t other[16] = { 9 };
	struct dcerpc_assoc a;
	struct out o = { .n = 0 };
	struct msgbuf_wr w;
	uint16_t res, reason;
	const uint8_t *ts;

	(void)state;
	dcerpc_init(&a, ifaces, "\\PIPE\\test", &caller, collect, &o);
	bind_pdu(&w, PT_BIND, 0, test_iface.di_uuid, 3, ndr64, 1);
	assert_int_equal(feed(&a, &w), 0);
	ack_result(o.pdu[0], o.len[0], 0, &res, &reason, &ts);
	assert_int_equal(res, 2);		/* provider rejection */
	assert_int_equal(reason, 2);		/* transfer syntaxes */
	out_clear(&o);
	/* The rejected context cannot carry a call. */
	request_pdu(&w, 3, 2, 0, 0, 0, "x", 1);
	assert_int_equal(feed(&a, &w), 0);
	assert_int_equal(o.pdu[0][2], PT_FAULT);
	assert_int_equal(le32dec(o.pdu[0] + 24), NCA_S_UNK_IF);
	out_clear(&o);

	/* ALTER_CONTEXT: an unknown interface, a wrong major version. */
	bind_pdu(&w, PT_ALTER, 1, other, 3, ndr20, 2);
	assert_int_equal(feed(&a, &w), 0);
	assert_int_equal(o.pdu[0][2], PT_ALTER_RESP);
	assert_int_equal(le16dec(o.pdu[0] + 24), 0);	/* no sec_addr */
	ack_result(o.pdu[0], o.len[0], 0, &res, &reason, &ts);
	assert_int_equal(res, 2);
	assert_int_equal(reason, 1);		/* abstract syntax */
	out_clear(&o);
	bind_pdu(&w, PT_ALTER, 1, test_iface.di_uuid, 4, ndr20, 2);
	assert_int_equal(feed(&a, &w), 0);
	ack_result(o.pdu[0], o.len[0], 0, &res, &reason, &ts);
	assert_int_equal(res, 2);
	out_clear(&o);
	/* A newer minor version than ours is refused; ours is taken. */
	bind_pdu(&w, PT_ALTER, 1, test_iface.di_uuid, 3 | (2u << 16), ndr20,
	    2);
	assert_int_equal(feed(&a, &w), 0);
	ack_result(o.pdu[0], o.len[0], 0, &res, &reason, &ts);
	assert_int_equal(res, 2);
	out_clear(&o);
	bind_pdu(&w, PT_ALTER, 1, test_iface.di_uuid, 3 | (1u << 16), ndr20,
	    2);
	assert_int_equal(feed(&a, &w), 0);
	ack_result(o.pdu[0], o.len[0], 0, &res, &reason, &ts);
	assert_int_equal(res, 0);
	out_clear(&o);
	request_pdu(&w, 3, 3, 1, 0, 0, "ab", 2);
	assert_int_equal(feed(&a, &w), 0);
	assert_int_equal(o.pdu[0][2], PT_RESPONSE);
	assert_int_equal(le16dec(o.pdu[0] + 20), 1);	/* p_cont_id */
	assert_memory_equal(o.pdu[0] + 24, "ab", 2);
	out_clear(&o);
	dcerpc_free(&a);
}

static void
test_dcerpc_bind_time_feature_negotiation_is_acknowledged(void **state)
{
	struct dcerpc_assoc a;
	struct out o = { .n = 0 };
	struct msgbuf_wr w;
	uint16_t res, reason;
	const uint8_t *ts;
	static const uint8_t zero[16];

	(void)state;
	dcerpc_init(&a, ifaces, "\\PIPE\\test", &caller, collect, &o);
	bind_pdu(&w, PT_BIND, 1, test_iface.di_uuid, 3, btfn, 1);
	assert_int_equal(feed(&a, &w), 0);
	ack_result(o.pdu[0], o.len[0], 0, &res, &reason, &ts);
	/* negotiate_ack; of 0x03 asked, keep-connection-on-orphan only. */
	assert_int_equal(res, 3);
	assert_int_equal(reason, 0x02);
	assert_memory_equal(ts, zero, 16);
	out_clear(&o);
	dcerpc_free(&a);
}

static void
test_dcerpc_unknown_opnum_faults_op_rng_error(void **state)
{
	struct dcerpc_assoc a;
	struct out o = { .n = 0 };
	struct msgbuf_wr w;

	(void)state;
	bound(&a, &o);
	request_pdu(&w, 3, 7, 0, 99, 0, NULL, 0);
	assert_int_equal(feed(&a, &w), 0);
	assert_int_equal(o.n, 1);
	assert_int_equal(o.pdu[0][2], PT_FAULT);
	assert_int_equal(o.pdu[0][3], 0x23);	/* first, last, not executed */
	assert_int_equal(o.len[0], 32);
	assert_int_equal(le32dec(o.pdu[0] + 12), 7);
	assert_int_equal(le32dec(o.pdu[0] + 24), NCA_S_OP_RNG_ERROR);
	out_clear(&o);
	/* A stub the operation cannot decode: nca_s_fault_ndr. */
	request_pdu(&w, 3, 8, 0, 2, 0, "ab", 2);
	assert_int_equal(feed(&a, &w), 0);
	assert_int_equal(le32dec(o.pdu[0] + 24), NCA_S_FAULT_NDR);
	out_clear(&o);
	/* The association goes on. */
	request_pdu(&w, 3, 9, 0, 2, 0, "abcd", 4);
	assert_int_equal(feed(&a, &w), 0);
	assert_int_equal(o.pdu[0][2], PT_RESPONSE);
	out_clear(&o);
	dcerpc_free(&a);
}

static void
test_dcerpc_fragments_both_ways(void **state)
{
	struct dcerpc_assoc a;
	struct out o = { .n = 0 };
	struct msgbuf_wr w;
	uint8_t stub[4];
	size_t total = 0, chunk;
	int i;

	(void)state;
	bound(&a, &o);
	/* opnum 1's argument in two request fragments, a huge alloc_hint. */
	le32enc(stub, 10000);
	request_pdu(&w, 1, 5, 0, 1, 0xffffffff, stub, 2);
	assert_int_equal(feed(&a, &w), 0);
	assert_int_equal(o.n, 0);
	request_pdu(&w, 2, 5, 0, 1, 0xffffffff, stub + 2, 2);
	assert_int_equal(feed(&a, &w), 0);
	/* 10000 bytes in fragments of at most 4280 with 8-aligned stubs. */
	assert_true(o.n >= 3);
	chunk = (4280 - 24) & ~(size_t)7;
	for (i = 0; i < o.n; i++) {
		const uint8_t *p = o.pdu[i];

		assert_int_equal(p[2], PT_RESPONSE);
		assert_true(o.len[i] <= 4280);
		assert_int_equal(le16dec(p + 8), o.len[i]);
		assert_int_equal(le32dec(p + 12), 5);
		assert_int_equal(le32dec(p + 16), 10000 - total);
		assert_int_equal(p[3], (i == 0 ? 1 : 0) | (i == o.n - 1 ? 2 : 0));
		if (i < o.n - 1)
			assert_int_equal(o.len[i] - 24, chunk);
		assert_int_equal(p[24], (uint8_t)total);
		total += o.len[i] - 24;
	}
	assert_int_equal(total, 10000);
	out_clear(&o);
	dcerpc_free(&a);
}

static void
test_dcerpc_pdus_split_and_joined_in_writes(void **state)
{
	struct dcerpc_assoc a;
	struct out o = { .n = 0 };
	struct msgbuf_wr w1, w2;
	uint8_t both[256];
	size_t n1, n2;

	(void)state;
	bound(&a, &o);
	request_pdu(&w1, 3, 1, 0, 0, 0, "one", 3);
	request_pdu(&w2, 3, 2, 0, 0, 0, "two", 3);
	n1 = msgbuf_wr_len(&w1);
	n2 = msgbuf_wr_len(&w2);
	memcpy(both, w1.wr_buf, n1);
	memcpy(both + n1, w2.wr_buf, n2);
	msgbuf_wr_free(&w1);
	msgbuf_wr_free(&w2);
	/* A byte at a time, then both at once. */
	for (size_t i = 0; i < n1; i++)
		assert_int_equal(dcerpc_input(&a, both + i, 1), 0);
	assert_int_equal(o.n, 1);
	assert_int_equal(dcerpc_input(&a, both, n1 + n2), 0);
	assert_int_equal(o.n, 3);
	assert_memory_equal(o.pdu[2] + 24, "two", 3);
	out_clear(&o);
	dcerpc_free(&a);
}

static void
test_dcerpc_protocol_errors_end_the_association(void **state)
{
	struct dcerpc_assoc a;
	struct out o = { .n = 0 };
	struct msgbuf_wr w;
	uint8_t big[5000];

	(void)state;
	/* A request before any BIND. */
	dcerpc_init(&a, ifaces, "\\PIPE\\test", &caller, collect, &o);
	request_pdu(&w, 3, 1, 0, 0, 0, "x", 1);
	assert_int_equal(feed(&a, &w), -1);
	assert_int_equal(dcerpc_input(&a, (const uint8_t *)"", 0), -1);
	dcerpc_free(&a);

	/* A wrong version, a big-endian label, a short frag_length. */
	bound(&a, &o);
	request_pdu(&w, 3, 1, 0, 0, 0, "x", 1);
	w.wr_buf[0] = 4;
	assert_int_equal(feed(&a, &w), -1);
	dcerpc_free(&a);
	bound(&a, &o);
	request_pdu(&w, 3, 1, 0, 0, 0, "x", 1);
	w.wr_buf[4] = 0x00;
	assert_int_equal(feed(&a, &w), -1);
	dcerpc_free(&a);
	bound(&a, &o);
	request_pdu(&w, 3, 1, 0, 0, 0, "x", 1);
	msgbuf_patch_le16(&w, 8, 10);
	assert_int_equal(feed(&a, &w), -1);
	dcerpc_free(&a);
	/* auth_length beyond the fragment. */
	bound(&a, &o);
	request_pdu(&w, 3, 1, 0, 0, 0, "x", 1);
	msgbuf_patch_le16(&w, 10, 100);
	assert_int_equal(feed(&a, &w), -1);
	dcerpc_free(&a);

	/* A fragment longer than max_recv_frag: FAULT, then the end. */
	bound(&a, &o);
	memset(big, 0, sizeof(big));
	request_pdu(&w, 3, 4, 0, 0, 0, big, sizeof(big));
	assert_int_equal(feed(&a, &w), -1);
	assert_int_equal(o.n, 1);
	assert_int_equal(o.pdu[0][2], PT_FAULT);
	assert_int_equal(le32dec(o.pdu[0] + 24), NCA_S_PROTO_ERROR);
	out_clear(&o);
	dcerpc_free(&a);

	/* A middle fragment of a call never begun. */
	bound(&a, &o);
	request_pdu(&w, 2, 4, 0, 0, 0, "x", 1);
	assert_int_equal(feed(&a, &w), -1);
	out_clear(&o);
	dcerpc_free(&a);

	/* A server-to-client PDU type. */
	bound(&a, &o);
	request_pdu(&w, 3, 4, 0, 0, 0, "x", 1);
	w.wr_buf[2] = PT_RESPONSE;
	assert_int_equal(feed(&a, &w), -1);
	dcerpc_free(&a);
}

static void
test_dcerpc_orphaned_drops_the_call_in_progress(void **state)
{
	struct dcerpc_assoc a;
	struct out o = { .n = 0 };
	struct msgbuf_wr w;

	(void)state;
	bound(&a, &o);
	request_pdu(&w, 1, 5, 0, 0, 0, "abc", 3);
	assert_int_equal(feed(&a, &w), 0);
	msgbuf_wr_init(&w, 64);
	hdr(&w, PT_ORPHANED, 3, 5);
	finish(&w);
	assert_int_equal(feed(&a, &w), 0);
	assert_int_equal(o.n, 0);
	/* A new call starts cleanly. */
	request_pdu(&w, 3, 6, 0, 0, 0, "z", 1);
	assert_int_equal(feed(&a, &w), 0);
	assert_int_equal(o.n, 1);
	assert_int_equal(o.len[0], 25);
	out_clear(&o);
	dcerpc_free(&a);
}

static void
test_dcerpc_bind_with_auth_or_tiny_fragments_is_refused(void **state)
{
	struct dcerpc_assoc a;
	struct out o = { .n = 0 };
	struct msgbuf_wr w;

	(void)state;
	dcerpc_init(&a, ifaces, "\\PIPE\\test", &caller, collect, &o);
	bind_pdu(&w, PT_BIND, 0, test_iface.di_uuid, 3, ndr20, 2);
	msgbuf_patch_le16(&w, 16, 1000);	/* max_xmit_frag < 1432 */
	assert_int_equal(feed(&a, &w), 0);
	assert_int_equal(o.pdu[0][2], PT_BIND_NAK);
	out_clear(&o);
	/* An auth verifier: no security context here (reason 8). */
	bind_pdu(&w, PT_BIND, 0, test_iface.di_uuid, 3, ndr20, 2);
	msgbuf_put_zero(&w, 16);
	msgbuf_patch_le16(&w, 10, 8);
	finish(&w);
	assert_int_equal(feed(&a, &w), 0);
	assert_int_equal(o.pdu[0][2], PT_BIND_NAK);
	assert_int_equal(le16dec(o.pdu[0] + 16), 8);
	out_clear(&o);
	dcerpc_free(&a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dcerpc_bind_accepts_ndr20),
		cmocka_unit_test(
		    test_dcerpc_bind_rejects_ndr64_and_unknown_interfaces),
		cmocka_unit_test(
		    test_dcerpc_bind_time_feature_negotiation_is_acknowledged),
		cmocka_unit_test(test_dcerpc_unknown_opnum_faults_op_rng_error),
		cmocka_unit_test(test_dcerpc_fragments_both_ways),
		cmocka_unit_test(test_dcerpc_pdus_split_and_joined_in_writes),
		cmocka_unit_test(
		    test_dcerpc_protocol_errors_end_the_association),
		cmocka_unit_test(
		    test_dcerpc_orphaned_drops_the_call_in_progress),
		cmocka_unit_test(
		    test_dcerpc_bind_with_auth_or_tiny_fragments_is_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
