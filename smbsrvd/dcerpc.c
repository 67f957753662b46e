/*
 * dcerpc.c — connection-oriented DCE/RPC PDUs (C706 12.6, MS-RPCE 2.2.2).
 *
 * Every PDU starts with the 16-byte common header (C706 12.6.3.1):
 * rpc_vers 5, rpc_vers_minor 0 or 1, PTYPE, pfc_flags, the 4-byte data
 * representation label (we speak little-endian ASCII IEEE, 0x10 0 0 0),
 * frag_length, auth_length, call_id.  Each is checked before anything is
 * read past it: a PDU is taken only when frag_length bytes are there,
 * every body is parsed through the bounded NDR reader, and alloc_hint is
 * never trusted to size anything.
 */
#include <stdlib.h>
#include <string.h>

#include "dcerpc.h"
#include "log.h"
#include "msgbuf.h"

/* PTYPEs (C706 12.6.4, MS-RPCE 2.2.2.1). */
enum {
	PT_REQUEST = 0, PT_RESPONSE = 2, PT_FAULT = 3, PT_BIND = 11,
	PT_BIND_ACK = 12, PT_BIND_NAK = 13, PT_ALTER_CONTEXT = 14,
	PT_ALTER_CONTEXT_RESP = 15, PT_AUTH3 = 16, PT_SHUTDOWN = 17,
	PT_CO_CANCEL = 18, PT_ORPHANED = 19
};

/* pfc_flags (C706 12.6.3.1, MS-RPCE 2.2.2.3). */
#define PFC_FIRST_FRAG		0x01
#define PFC_LAST_FRAG		0x02
#define PFC_DID_NOT_EXECUTE	0x20
#define PFC_OBJECT_UUID		0x80

/* p_cont_def_result_t and p_provider_reason_t (C706 12.6.3.1). */
enum {
	RES_ACCEPTANCE = 0, RES_USER_REJECTION = 1, RES_PROVIDER_REJECTION = 2,
	RES_NEGOTIATE_ACK = 3		/* MS-RPCE 2.2.2.4 */
};
enum {
	REASON_NOT_SPECIFIED = 0, REASON_ABSTRACT_NOT_SUPPORTED = 1,
	REASON_TRANSFER_NOT_SUPPORTED = 2, REASON_LOCAL_LIMIT = 3
};
/* BIND_NAK reasons (C706 12.6.3.1 p_reject_reason_t, MS-RPCE 2.2.2.5). */
enum {
	NAK_NOT_SPECIFIED = 0, NAK_AUTH_TYPE = 8
};

/* 8a885d04-1ceb-11c9-9fe8-08002b104860 v2: NDR 2.0 (C706 appendix I). */
static const uint8_t ndr20_uuid[16] = {
	0x04, 0x5d, 0x88, 0x8a, 0xeb, 0x1c, 0xc9, 0x11,
	0x9f, 0xe8, 0x08, 0x00, 0x2b, 0x10, 0x48, 0x60
};
/*
 * 6cb71c2c-9812-4540-xxxx-xxxxxxxxxxxx: bind time feature negotiation
 * (MS-RPCE 3.3.1.5.3); the last 8 bytes are the client's bitmask.
 */
static const uint8_t btfn_prefix[8] = {
	0x2c, 0x1c, 0xb7, 0x6c, 0x12, 0x98, 0x40, 0x45
};
/*
 * MS-RPCE 2.2.2.14: 0x01 security context multiplexing, 0x02 keep
 * connection on orphan.  We keep the connection when a call is orphaned
 * (ORPHANED and CO_CANCEL only drop the call being reassembled); there is
 * no security context to multiplex.
 */
#define BTFN_KEEP_ON_ORPHAN	0x02

#define IN_MAX		(2 * 65536)	/* unparsed bytes kept */
#define SYNTAX_LEN	20		/* uuid + version */

static uint32_t	assoc_groups;

void
dcerpc_init(struct dcerpc_assoc *a, const struct dcerpc_iface * const *ifaces,
    const char *pipe, const struct dcerpc_caller *caller, dcerpc_out_fn out,
    void *arg)
{
	memset(a, 0, sizeof(*a));
	a->da_ifaces = ifaces;
	a->da_pipe = pipe;
	a->da_caller = caller;
	a->da_out = out;
	a->da_arg = arg;
	a->da_max_xmit = DCERPC_MIN_FRAG;
	a->da_max_recv = DCERPC_MIN_FRAG;
}

static void
request_reset(struct dcerpc_assoc *a)
{
	free(a->da_stub);
	a->da_stub = NULL;
	a->da_stublen = 0;
	a->da_in_request = false;
}

void
dcerpc_free(struct dcerpc_assoc *a)
{
	request_reset(a);
	free(a->da_in);
	a->da_in = NULL;
	a->da_inlen = 0;
}

/* The common header of an answer; frag_length patched by pdu_send. */
static void
put_hdr(struct msgbuf_wr *w, uint8_t ptype, uint8_t flags, uint32_t call_id)
{
	msgbuf_put_u8(w, 5);
	msgbuf_put_u8(w, 0);
	msgbuf_put_u8(w, ptype);
	msgbuf_put_u8(w, flags);
	msgbuf_put_u8(w, 0x10);		/* little endian, ASCII, IEEE */
	msgbuf_put_zero(w, 3);
	msgbuf_put_le16(w, 0);		/* frag_length */
	msgbuf_put_le16(w, 0);		/* auth_length */
	msgbuf_put_le32(w, call_id);
}

static int
pdu_send(struct dcerpc_assoc *a, struct msgbuf_wr *w)
{
	int rc;

	if (!msgbuf_wr_ok(w) || msgbuf_wr_len(w) > UINT16_MAX) {
		msgbuf_wr_free(w);
		return -1;
	}
	msgbuf_patch_le16(w, 8, (uint16_t)msgbuf_wr_len(w));
	rc = a->da_out(w->wr_buf, msgbuf_wr_len(w), a->da_arg);
	msgbuf_wr_free(w);
	return rc;
}

/* C706 12.6.4.7 fault PDU (32 bytes, MS-RPCE 2.2.2.11 reserved tail). */
static int
send_fault(struct dcerpc_assoc *a, uint32_t call_id, uint16_t ctx_id,
    uint32_t status, bool not_executed)
{
	struct msgbuf_wr w;

	log_debug("dcerpc %s: call %u fault 0x%08x", a->da_pipe, call_id,
	    status);
	msgbuf_wr_init(&w, 64);
	put_hdr(&w, PT_FAULT, PFC_FIRST_FRAG | PFC_LAST_FRAG |
	    (not_executed ? PFC_DID_NOT_EXECUTE : 0), call_id);
	msgbuf_put_le32(&w, 0);			/* alloc_hint */
	msgbuf_put_le16(&w, ctx_id);
	msgbuf_put_u8(&w, 0);			/* cancel_count */
	msgbuf_put_u8(&w, 0);
	msgbuf_put_le32(&w, status);
	msgbuf_put_le32(&w, 0);			/* reserved */
	return pdu_send(a, &w);
}

static int
send_bind_nak(struct dcerpc_assoc *a, uint32_t call_id, uint16_t reason)
{
	struct msgbuf_wr w;

	msgbuf_wr_init(&w, 64);
	put_hdr(&w, PT_BIND_NAK, PFC_FIRST_FRAG | PFC_LAST_FRAG, call_id);
	msgbuf_put_le16(&w, reason);
	/* p_rt_versions_supported_t: we speak 5.0 and 5.1. */
	msgbuf_put_u8(&w, 1);
	msgbuf_put_u8(&w, 5);
	msgbuf_put_u8(&w, 0);
	return pdu_send(a, &w);
}

static const struct dcerpc_iface *
iface_find(const struct dcerpc_assoc *a, const uint8_t *uuid, uint32_t vers)
{
	const struct dcerpc_iface * const *ip;
	uint16_t major = (uint16_t)vers, minor = (uint16_t)(vers >> 16);

	for (ip = a->da_ifaces; *ip != NULL; ip++) {
		/* C706 12.6.3.1: majors equal, client's minor not newer. */
		if (memcmp((*ip)->di_uuid, uuid, 16) == 0 &&
		    (*ip)->di_vers_major == major &&
		    minor <= (*ip)->di_vers_minor)
			return *ip;
	}
	return NULL;
}

static struct dcerpc_ctx *
ctx_find(struct dcerpc_assoc *a, uint16_t id)
{
	int i;

	for (i = 0; i < a->da_nctx; i++) {
		if (a->da_ctx[i].dx_id == id)
			return &a->da_ctx[i];
	}
	return NULL;
}

/*
 * One p_cont_elem_t (C706 12.6.3.1) judged and its p_result_t written:
 * NDR 2.0 accepted, NDR64 and others rejected as transfer syntaxes not
 * supported, bind time feature negotiation acknowledged (MS-RPCE
 * 3.3.1.5.3: negotiate_ack, the bits we support in reason).
 */
static void
judge_context(struct dcerpc_assoc *a, struct msgbuf_rd *rd,
    struct msgbuf_wr *w)
{
	const struct dcerpc_iface *ifc;
	const uint8_t *abs, *ts;
	struct dcerpc_ctx *cx;
	uint32_t absvers, tsvers;
	uint16_t id;
	uint8_t nts, i;
	bool ndr = false, btfn = false;
	uint8_t btfn_bits = 0;

	id = msgbuf_get_le16(rd);
	nts = msgbuf_get_u8(rd);
	msgbuf_skip(rd, 1);
	abs = msgbuf_get_ptr(rd, 16);
	absvers = msgbuf_get_le32(rd);
	for (i = 0; i < nts; i++) {
		ts = msgbuf_get_ptr(rd, 16);
		tsvers = msgbuf_get_le32(rd);
		if (ts == NULL)
			break;
		if (memcmp(ts, ndr20_uuid, 16) == 0 && tsvers == 2)
			ndr = true;
		else if (memcmp(ts, btfn_prefix, 8) == 0 && tsvers == 1) {
			btfn = true;
			btfn_bits = ts[8];
		}
	}
	if (!msgbuf_rd_ok(rd))
		return;		/* the caller sees the reader failed */
	ifc = abs != NULL ? iface_find(a, abs, absvers) : NULL;
	if (btfn) {
		msgbuf_put_le16(w, RES_NEGOTIATE_ACK);
		msgbuf_put_le16(w, btfn_bits & BTFN_KEEP_ON_ORPHAN);
		msgbuf_put_zero(w, SYNTAX_LEN);
		return;
	}
	if (ifc == NULL || !ndr || nts == 0) {
		msgbuf_put_le16(w, RES_PROVIDER_REJECTION);
		msgbuf_put_le16(w, ifc == NULL ?
		    REASON_ABSTRACT_NOT_SUPPORTED :
		    REASON_TRANSFER_NOT_SUPPORTED);
		msgbuf_put_zero(w, SYNTAX_LEN);
		return;
	}
	if ((cx = ctx_find(a, id)) == NULL) {
		if (a->da_nctx == DCERPC_MAX_CONTEXTS) {
			msgbuf_put_le16(w, RES_PROVIDER_REJECTION);
			msgbuf_put_le16(w, REASON_LOCAL_LIMIT);
			msgbuf_put_zero(w, SYNTAX_LEN);
			return;
		}
		cx = &a->da_ctx[a->da_nctx++];
		cx->dx_id = id;
	}
	cx->dx_iface = ifc;
	msgbuf_put_le16(w, RES_ACCEPTANCE);
	msgbuf_put_le16(w, 0);
	msgbuf_put_bytes(w, ndr20_uuid, 16);
	msgbuf_put_le32(w, 2);
}

/*
 * BIND (C706 12.6.4.3) and ALTER_CONTEXT (12.6.4.1), answered with
 * BIND_ACK (12.6.4.4) or ALTER_CONTEXT_RESP (12.6.4.2).
 */
static int
bind(struct dcerpc_assoc *a, const uint8_t *pdu, size_t len, bool alter)
{
	struct msgbuf_rd rd;
	struct msgbuf_wr w;
	uint32_t call_id = le32dec(pdu + 12), group;
	uint16_t xmit, recv, auth_len = le16dec(pdu + 10);
	uint8_t nctx, i;
	size_t addrlen;

	if (!alter && a->da_bound)
		return send_bind_nak(a, call_id, NAK_NOT_SPECIFIED);
	if (alter && !a->da_bound)
		return -1;
	if (auth_len != 0) {
		if (alter)
			return send_fault(a, call_id, 0, NCA_S_PROTO_ERROR,
			    true);
		return send_bind_nak(a, call_id, NAK_AUTH_TYPE);
	}
	msgbuf_rd_init(&rd, pdu, len);
	msgbuf_seek(&rd, DCERPC_HDR_LEN);
	xmit = msgbuf_get_le16(&rd);
	recv = msgbuf_get_le16(&rd);
	group = msgbuf_get_le32(&rd);
	nctx = msgbuf_get_u8(&rd);
	msgbuf_skip(&rd, 3);
	if (!msgbuf_rd_ok(&rd) || nctx == 0) {
		if (alter)
			return send_fault(a, call_id, 0, NCA_S_PROTO_ERROR,
			    true);
		return send_bind_nak(a, call_id, NAK_NOT_SPECIFIED);
	}
	if (!alter) {
		/* MS-RPCE 3.3.1.5.2 / C706 12.6.3.1: no less than 1432. */
		if (xmit < DCERPC_MIN_FRAG || recv < DCERPC_MIN_FRAG)
			return send_bind_nak(a, call_id, NAK_NOT_SPECIFIED);
		a->da_max_xmit = recv < DCERPC_MAX_FRAG ? recv :
		    DCERPC_MAX_FRAG;
		a->da_max_recv = xmit < DCERPC_MAX_FRAG ? xmit :
		    DCERPC_MAX_FRAG;
		/* Groups are not shared between pipes: echo or make one. */
		a->da_assoc_group = group != 0 ? group :
		    0x53f0 + (++assoc_groups);
	}
	msgbuf_wr_init(&w, DCERPC_MAX_FRAG);
	put_hdr(&w, alter ? PT_ALTER_CONTEXT_RESP : PT_BIND_ACK,
	    PFC_FIRST_FRAG | PFC_LAST_FRAG, call_id);
	msgbuf_put_le16(&w, a->da_max_xmit);
	msgbuf_put_le16(&w, a->da_max_recv);
	msgbuf_put_le32(&w, a->da_assoc_group);
	/* port_any_t sec_addr: the pipe for a BIND, empty for ALTER. */
	addrlen = alter ? 0 : strlen(a->da_pipe) + 1;
	msgbuf_put_le16(&w, (uint16_t)addrlen);
	msgbuf_put_bytes(&w, a->da_pipe, addrlen);
	msgbuf_align(&w, 4);
	msgbuf_put_u8(&w, nctx);
	msgbuf_put_zero(&w, 3);
	for (i = 0; i < nctx; i++) {
		judge_context(a, &rd, &w);
		if (!msgbuf_rd_ok(&rd)) {
			msgbuf_wr_free(&w);
			if (alter)
				return send_fault(a, call_id, 0,
				    NCA_S_PROTO_ERROR, true);
			a->da_nctx = 0;
			return send_bind_nak(a, call_id, NAK_NOT_SPECIFIED);
		}
	}
	a->da_bound = true;
	return pdu_send(a, &w);
}

/* RESPONSE PDUs (C706 12.6.4.10), the stub cut to fit da_max_xmit. */
static int
send_response(struct dcerpc_assoc *a, uint32_t call_id, uint16_t ctx_id,
    const uint8_t *stub, size_t len)
{
	/* C706 12.6.3.2: all but the last fragment's stub 8-aligned. */
	size_t chunk = ((size_t)a->da_max_xmit - 24) & ~(size_t)7;
	size_t off = 0, n;
	struct msgbuf_wr w;
	uint8_t flags;

	do {
		n = len - off < chunk ? len - off : chunk;
		flags = (off == 0 ? PFC_FIRST_FRAG : 0) |
		    (off + n == len ? PFC_LAST_FRAG : 0);
		msgbuf_wr_init(&w, (size_t)a->da_max_xmit);
		put_hdr(&w, PT_RESPONSE, flags, call_id);
		msgbuf_put_le32(&w, (uint32_t)(len - off));	/* alloc_hint */
		msgbuf_put_le16(&w, ctx_id);
		msgbuf_put_u8(&w, 0);
		msgbuf_put_u8(&w, 0);
		msgbuf_put_bytes(&w, stub + off, n);
		if (pdu_send(a, &w) == -1)
			return -1;
		off += n;
	} while (off < len);
	return 0;
}

/* The whole request is here: find the interface, run the call. */
static int
dispatch(struct dcerpc_assoc *a)
{
	struct dcerpc_ctx *cx = ctx_find(a, a->da_ctx_id);
	struct dcerpc_call call;
	uint32_t st;
	int rc;

	if (cx == NULL) {
		request_reset(a);
		return send_fault(a, a->da_call_id, a->da_ctx_id,
		    NCA_S_UNK_IF, true);
	}
	memset(&call, 0, sizeof(call));
	call.dcc_caller = a->da_caller;
	call.dcc_opnum = a->da_opnum;
	ndr_rd_init(&call.dcc_in, a->da_stub, a->da_stublen);
	ndr_wr_init(&call.dcc_out, DCERPC_MAX_OUT);
	st = cx->dx_iface->di_call(&call);
	if (st == 0 && !ndr_wr_ok(&call.dcc_out))
		st = NCA_S_FAULT_REMOTE_NO_MEMORY;
	log_debug("dcerpc %s: call %u opnum %u: 0x%08x", a->da_pipe,
	    a->da_call_id, a->da_opnum, st);
	if (st != 0)
		rc = send_fault(a, a->da_call_id, a->da_ctx_id, st,
		    st == NCA_S_OP_RNG_ERROR || st == NCA_S_FAULT_NDR);
	else
		rc = send_response(a, a->da_call_id, a->da_ctx_id,
		    ndr_wr_data(&call.dcc_out), ndr_wr_len(&call.dcc_out));
	ndr_wr_free(&call.dcc_out);
	request_reset(a);
	return rc;
}

/* REQUEST (C706 12.6.4.9), one fragment of it. */
static int
request(struct dcerpc_assoc *a, const uint8_t *pdu, size_t len)
{
	uint8_t flags = pdu[3];
	uint16_t auth_len = le16dec(pdu + 10), ctx_id, opnum;
	uint32_t call_id = le32dec(pdu + 12);
	size_t hdr = 24 + ((flags & PFC_OBJECT_UUID) ? 16 : 0);
	uint8_t *p;

	if (!a->da_bound)
		return -1;
	if (len < hdr) {
		(void)send_fault(a, call_id, 0, NCA_S_PROTO_ERROR, true);
		return -1;
	}
	ctx_id = le16dec(pdu + 20);
	opnum = le16dec(pdu + 22);
	/* No security context was set up: a verifier has nothing to check. */
	if (auth_len != 0) {
		request_reset(a);
		(void)send_fault(a, call_id, ctx_id, NCA_S_PROTO_ERROR, true);
		return -1;
	}
	if (flags & PFC_FIRST_FRAG) {
		if (a->da_in_request) {
			/* A new call before the last one ended. */
			request_reset(a);
			(void)send_fault(a, call_id, ctx_id,
			    NCA_S_PROTO_ERROR, true);
			return -1;
		}
		a->da_in_request = true;
		a->da_call_id = call_id;
		a->da_ctx_id = ctx_id;
		a->da_opnum = opnum;
	} else if (!a->da_in_request || call_id != a->da_call_id) {
		request_reset(a);
		(void)send_fault(a, call_id, ctx_id, NCA_S_PROTO_ERROR, true);
		return -1;
	}
	if (len - hdr > DCERPC_MAX_STUB - a->da_stublen) {
		request_reset(a);
		(void)send_fault(a, call_id, ctx_id,
		    NCA_S_FAULT_REMOTE_NO_MEMORY, true);
		return -1;
	}
	if (len > hdr) {
		if ((p = realloc(a->da_stub, a->da_stublen + len - hdr)) ==
		    NULL) {
			request_reset(a);
			(void)send_fault(a, call_id, ctx_id,
			    NCA_S_FAULT_REMOTE_NO_MEMORY, true);
			return -1;
		}
		memcpy(p + a->da_stublen, pdu + hdr, len - hdr);
		a->da_stub = p;
		a->da_stublen += len - hdr;
	}
	if (!(flags & PFC_LAST_FRAG))
		return 0;
	return dispatch(a);
}

static int
pdu(struct dcerpc_assoc *a, const uint8_t *p, size_t len)
{
	switch (p[2]) {
	case PT_BIND:
		return bind(a, p, len, false);
	case PT_ALTER_CONTEXT:
		return bind(a, p, len, true);
	case PT_REQUEST:
		return request(a, p, len);
	case PT_AUTH3:
		return 0;	/* no security context: nothing to finish */
	case PT_CO_CANCEL:
	case PT_ORPHANED:
		/* The call being sent is abandoned; no answer (12.6.4.5). */
		request_reset(a);
		return 0;
	default:
		/* Server-to-client types and SHUTDOWN from a client. */
		return -1;
	}
}

int
dcerpc_input(struct dcerpc_assoc *a, const uint8_t *data, size_t len)
{
	uint16_t flen;
	uint8_t *p;
	int rc = 0;

	if (a->da_dead)
		return -1;
	if (len > IN_MAX - a->da_inlen)
		goto dead;
	if (len > 0) {
		if ((p = realloc(a->da_in, a->da_inlen + len)) == NULL)
			goto dead;
		memcpy(p + a->da_inlen, data, len);
		a->da_in = p;
		a->da_inlen += len;
	}
	while (a->da_inlen >= DCERPC_HDR_LEN) {
		p = a->da_in;
		/* C706 12.6.3.1: version 5.0 or 5.1, little-endian data. */
		if (p[0] != 5 || p[1] > 1 || (p[4] & 0xf0) != 0x10 ||
		    (p[4] & 0x0f) != 0)
			goto dead;
		flen = le16dec(p + 8);
		if (flen < DCERPC_HDR_LEN ||
		    (size_t)le16dec(p + 10) + DCERPC_HDR_LEN > flen)
			goto dead;
		/* Longer than we said we take (after the BIND fixed it). */
		if (a->da_bound && flen > a->da_max_recv) {
			(void)send_fault(a, le32dec(p + 12), 0,
			    NCA_S_PROTO_ERROR, true);
			goto dead;
		}
		if (a->da_inlen < flen)
			break;
		rc = pdu(a, p, flen);
		a->da_inlen -= flen;
		memmove(a->da_in, a->da_in + flen, a->da_inlen);
		if (rc == -1)
			goto dead;
	}
	return 0;
dead:
	log_debug("dcerpc %s: association closed", a->da_pipe);
	a->da_dead = true;
	dcerpc_free(a);
	return -1;
}
