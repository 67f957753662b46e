/*
 * smb2_negotiate.c — NEGOTIATE (MS-SMB2 3.3.5.3.1 for the SMB1 upgrade,
 * 3.3.5.4 for SMB2), and the answer to FSCTL_VALIDATE_NEGOTIATE_INFO
 * (3.3.5.15.12), which must repeat what was negotiated here.
 */
#include <sys/random.h>

#include <string.h>

#include "clock.h"
#include "conn.h"
#include "log.h"
#include "ntstatus.h"
#include "server.h"
#include "smb2.h"
#include "smb2_negotiate.h"
#include "smb2_req.h"
#include "smb3_crypt.h"
#include "smb3_kdf.h"
#include "smb3_sign.h"
#include "spnego.h"

#define NEG_REQ_SIZE		36
#define NEG_RSP_SIZE		65
#define NEG_MAX_DIALECTS	64
#define NEG_MAX_CONTEXTS	32

/* 2.2.3.1 context types */
#define CTX_PREAUTH		0x0001
#define CTX_ENCRYPTION		0x0002
#define CTX_COMPRESSION		0x0003
#define CTX_NETNAME		0x0005
#define CTX_TRANSPORT		0x0006
#define CTX_RDMA		0x0007
#define CTX_SIGNING		0x0008

#define PREAUTH_SHA512		0x0001
#define STATUS_SMB_NO_PREAUTH_INTEGRITY_HASH_OVERLAP	0xC05D0000u

/* Dialects this server implements, best first. */
static const uint16_t dialects[] = {
	SMB2_DIALECT_311, SMB2_DIALECT_302, SMB2_DIALECT_300,
	SMB2_DIALECT_210, SMB2_DIALECT_202
};

/* Our preference among what a 3.1.1 client offers (2.2.3.1.2). */
static const uint16_t ciphers[] = {
	SMB2_ENCRYPTION_AES128_GCM, SMB2_ENCRYPTION_AES128_CCM,
	SMB2_ENCRYPTION_AES256_GCM, SMB2_ENCRYPTION_AES256_CCM
};
static const uint16_t signers[] = {
	SMB2_SIGNING_AES_GMAC, SMB2_SIGNING_AES_CMAC, SMB2_SIGNING_HMAC_SHA256
};

const char *
smb2_dialect_name(uint16_t d)
{
	switch (d) {
	case SMB2_DIALECT_202:
		return "2.0.2";
	case SMB2_DIALECT_210:
		return "2.1";
	case SMB2_DIALECT_300:
		return "3.0";
	case SMB2_DIALECT_302:
		return "3.0.2";
	case SMB2_DIALECT_311:
		return "3.1.1";
	case SMB2_DIALECT_WILDCARD:
		return "2.???";
	}
	return "unknown";
}

static const char *
cipher_name(uint16_t cipher)
{
	switch (cipher) {
	case SMB2_ENCRYPTION_AES128_CCM:
		return "AES-128-CCM";
	case SMB2_ENCRYPTION_AES128_GCM:
		return "AES-128-GCM";
	case SMB2_ENCRYPTION_AES256_CCM:
		return "AES-256-CCM";
	case SMB2_ENCRYPTION_AES256_GCM:
		return "AES-256-GCM";
	}
	return "none";
}

static bool
dialect_allowed(uint16_t d)
{
	const struct conf *cf = server.sv_conf;

	return d >= cf->cf_min_protocol && d <= cf->cf_max_protocol;
}

/* Picks from the client's list the first of ours that it offers. */
static uint16_t
pick(const uint16_t *ours, size_t nours, const uint16_t *theirs,
    size_t ntheirs, bool *found)
{
	size_t i, j;

	for (i = 0; i < nours; i++) {
		for (j = 0; j < ntheirs; j++) {
			if (ours[i] == theirs[j]) {
				*found = true;
				return ours[i];
			}
		}
	}
	*found = false;
	return 0;
}

struct neg_ctx {
	bool		preauth, encryption, signing, compression, rdma;
	bool		transport, netname;
	uint16_t	cipher;
	bool		have_cipher;
	uint16_t	signer;
	bool		have_signer;
};

/*
 * Reads a context's list of 16-bit ids: a count (> 0), for the preauth
 * context a salt length (2.2.3.1.1), then the ids.
 */
static int
read_ids(struct msgbuf_rd *rd, bool salted, uint16_t *ids, size_t max,
    size_t *n)
{
	uint16_t count = msgbuf_get_le16(rd), i;

	if (salted)
		msgbuf_skip(rd, 2);	/* SaltLength; the salt follows the ids */

	if (count == 0 || count > max)
		return -1;
	for (i = 0; i < count; i++)
		ids[i] = msgbuf_get_le16(rd);
	*n = count;
	return msgbuf_rd_ok(rd) ? 0 : -1;
}

/*
 * 3.3.5.4, 3.1.1 part: the request's negotiate contexts.  Each of the
 * known kinds may appear once; unknown kinds are ignored (2.2.3.1).
 */
static uint32_t
parse_contexts(struct smb_req *r, uint32_t off, uint16_t count,
    struct neg_ctx *nc)
{
	struct msgbuf_rd rd, data;
	uint16_t type, len, ids[64];
	size_t n, i;
	bool found;

	memset(nc, 0, sizeof(*nc));
	if (count == 0 || count > NEG_MAX_CONTEXTS)
		return STATUS_INVALID_PARAMETER;
	rd = r->r_rd;
	msgbuf_seek(&rd, off);
	for (i = 0; i < count; i++) {
		/* 2.2.3.1: each context starts 8-aligned. */
		if (i > 0)
			msgbuf_seek(&rd, (msgbuf_tell(&rd) + 7) & ~(size_t)7);
		type = msgbuf_get_le16(&rd);
		len = msgbuf_get_le16(&rd);
		msgbuf_skip(&rd, 4);
		if (!msgbuf_sub(&rd, msgbuf_tell(&rd), len, &data))
			return STATUS_INVALID_PARAMETER;
		msgbuf_skip(&rd, len);
		switch (type) {
		case CTX_PREAUTH:
			if (nc->preauth || read_ids(&data, true, ids, 64, &n) == -1)
				return STATUS_INVALID_PARAMETER;
			nc->preauth = true;
			(void)pick((const uint16_t[]){ PREAUTH_SHA512 }, 1,
			    ids, n, &found);
			if (!found)
				return STATUS_SMB_NO_PREAUTH_INTEGRITY_HASH_OVERLAP;
			break;
		case CTX_ENCRYPTION:
			if (nc->encryption || read_ids(&data, false, ids, 64, &n) == -1)
				return STATUS_INVALID_PARAMETER;
			nc->encryption = true;
			nc->cipher = pick(ciphers, 4, ids, n,
			    &nc->have_cipher);
			break;
		case CTX_SIGNING:
			if (nc->signing || read_ids(&data, false, ids, 64, &n) == -1)
				return STATUS_INVALID_PARAMETER;
			nc->signing = true;
			nc->signer = pick(signers, 3, ids, n,
			    &nc->have_signer);
			break;
		case CTX_COMPRESSION:
			/* Not offered back: we do not compress (3.3.5.4). */
			if (nc->compression)
				return STATUS_INVALID_PARAMETER;
			nc->compression = true;
			break;
		case CTX_RDMA:
			if (nc->rdma)
				return STATUS_INVALID_PARAMETER;
			nc->rdma = true;
			break;
		default:
			break;
		}
	}
	if (!msgbuf_rd_ok(&rd) || !nc->preauth)
		return STATUS_INVALID_PARAMETER;
	return STATUS_SUCCESS;
}

static uint64_t
filetime_now(void)
{
	struct timespec ts;

	clock_real(&ts);
	/* 100 ns ticks since 1601-01-01. */
	return ((uint64_t)ts.tv_sec + 11644473600ull) * 10000000ull +
	    (uint64_t)ts.tv_nsec / 100;
}

static void
put_context(struct msgbuf_wr *wr, uint16_t type, const uint8_t *data,
    uint16_t len)
{
	msgbuf_align(wr, 8);
	msgbuf_put_le16(wr, type);
	msgbuf_put_le16(wr, len);
	msgbuf_put_le32(wr, 0);
	msgbuf_put_bytes(wr, data, len);
}

/* The response body (2.2.4), shared by SMB2 and the SMB1 upgrade. */
static void
encode_response(struct conn *c, uint16_t dialect, const struct neg_ctx *nc,
    struct msgbuf_wr *wr)
{
	/* Offsets count from the SMB2 header, 64 bytes before the body. */
	size_t body = msgbuf_wr_len(wr);
	size_t secoff, ctxoff_field, ctxcount_field;
	uint8_t data[64];
	uint16_t nctx = 0;

	msgbuf_put_le16(wr, NEG_RSP_SIZE);
	msgbuf_put_le16(wr, c->c_server_secmode);
	msgbuf_put_le16(wr, dialect);
	ctxcount_field = msgbuf_reserve(wr, 2);
	msgbuf_put_bytes(wr, server.sv_guid, 16);
	msgbuf_put_le32(wr, c->c_server_caps);
	msgbuf_put_le32(wr, c->c_max_transact);
	msgbuf_put_le32(wr, c->c_max_read);
	msgbuf_put_le32(wr, c->c_max_write);
	msgbuf_put_le64(wr, filetime_now());
	/* 3.3.3: ServerStartTime SHOULD be 0. */
	msgbuf_put_le64(wr, 0);
	secoff = msgbuf_reserve(wr, 4);		/* offset, length */
	ctxoff_field = msgbuf_reserve(wr, 4);
	msgbuf_patch_le16(wr, secoff,
	    (uint16_t)(msgbuf_wr_len(wr) - body + SMB2_HDR_LEN));
	{
		size_t before = msgbuf_wr_len(wr);

		spnego_server_hint(wr);
		msgbuf_patch_le16(wr, secoff + 2,
		    (uint16_t)(msgbuf_wr_len(wr) - before));
	}
	if (dialect != SMB2_DIALECT_311)
		return;
	msgbuf_align(wr, 8);
	msgbuf_patch_le32(wr, ctxoff_field,
	    (uint32_t)(msgbuf_wr_len(wr) - body + SMB2_HDR_LEN));
	/* 2.2.3.1.1: one algorithm, SHA-512, and a fresh 32-byte salt. */
	le16enc(data, 1);
	le16enc(data + 2, 32);
	le16enc(data + 4, PREAUTH_SHA512);
	if (getrandom(data + 6, 32, 0) != 32)
		memset(data + 6, 0, 32);
	put_context(wr, CTX_PREAUTH, data, 38);
	nctx++;
	if (nc->encryption) {
		/* 3.3.5.4: no common cipher is answered with id 0. */
		le16enc(data, 1);
		le16enc(data + 2, nc->have_cipher ? nc->cipher : 0);
		put_context(wr, CTX_ENCRYPTION, data, 4);
		nctx++;
	}
	if (nc->signing && nc->have_signer) {
		le16enc(data, 1);
		le16enc(data + 2, nc->signer);
		put_context(wr, CTX_SIGNING, data, 4);
		nctx++;
	}
	msgbuf_patch_le16(wr, ctxcount_field, nctx);
}

static void
set_connection(struct conn *c, uint16_t dialect)
{
	c->c_dialect = dialect;
	c->c_negotiated = true;
	c->c_server_secmode = SMB2_NEGOTIATE_SIGNING_ENABLED |
	    (server.sv_conf->cf_signing_required ?
	    SMB2_NEGOTIATE_SIGNING_REQUIRED : 0);
	c->c_server_caps = 0;
	if (dialect >= SMB2_DIALECT_210)
		c->c_server_caps |= SMB2_GLOBAL_CAP_LARGE_MTU;
	/* File leases (lease.c); no directory leases: no DIRECTORY_LEASING. */
	if (dialect >= SMB2_DIALECT_210)
		c->c_server_caps |= SMB2_GLOBAL_CAP_LEASING;
	if (dialect >= SMB2_DIALECT_300) {
		c->c_server_caps |= SMB2_GLOBAL_CAP_MULTI_CHANNEL;
		/* 3.0/3.0.2 announce encryption here; 3.1.1 by context. */
		if (dialect < SMB2_DIALECT_311 &&
		    (c->c_client_caps & SMB2_GLOBAL_CAP_ENCRYPTION))
			c->c_server_caps |= SMB2_GLOBAL_CAP_ENCRYPTION;
	}
	c->c_multi_credit = dialect >= SMB2_DIALECT_210;
	/* 2.0.2 has no multi-credit: one credit moves at most 64 KiB. */
	c->c_max_transact = c->c_multi_credit ? SMB2_MAX_TRANSACT : 65536;
	c->c_max_read = c->c_multi_credit ? SMB2_MAX_READ : 65536;
	c->c_max_write = c->c_multi_credit ? SMB2_MAX_WRITE : 65536;
	c->c_constrained = dialect >= SMB2_DIALECT_300;
	if (dialect >= SMB2_DIALECT_300 && dialect < SMB2_DIALECT_311) {
		c->c_signing_alg = SMB2_SIGNING_AES_CMAC;
		if (c->c_client_caps & SMB2_GLOBAL_CAP_ENCRYPTION)
			c->c_cipher = SMB2_ENCRYPTION_AES128_CCM;
	}
}

uint32_t
smb2_negotiate(struct smb_req *r)
{
	struct conn *c = r->r_conn;
	uint16_t ndialects, secmode, best = 0, ctxcount;
	uint16_t offered[NEG_MAX_DIALECTS];
	uint32_t caps, ctxoff, st;
	uint8_t guid[16];
	struct neg_ctx nc;
	size_t i, j;

	/* 3.3.5.4: a second negotiate ends the connection. */
	if (c->c_negotiated && !c->c_smb1_upgraded) {
		r->r_disconnect = true;
		return STATUS_INVALID_PARAMETER;
	}
	if (smb2_req_body(r, NEG_REQ_SIZE) == -1)
		return STATUS_INVALID_PARAMETER;
	ndialects = msgbuf_get_le16(&r->r_rd);
	secmode = msgbuf_get_le16(&r->r_rd);
	msgbuf_skip(&r->r_rd, 2);
	caps = msgbuf_get_le32(&r->r_rd);
	msgbuf_get_bytes(&r->r_rd, guid, 16);
	ctxoff = msgbuf_get_le32(&r->r_rd);
	ctxcount = msgbuf_get_le16(&r->r_rd);
	msgbuf_skip(&r->r_rd, 2);
	if (ndialects == 0 || ndialects > NEG_MAX_DIALECTS)
		return STATUS_INVALID_PARAMETER;
	for (i = 0; i < ndialects; i++)
		offered[i] = msgbuf_get_le16(&r->r_rd);
	if (!msgbuf_rd_ok(&r->r_rd))
		return STATUS_INVALID_PARAMETER;

	c->c_client_caps = caps;
	c->c_client_secmode = secmode;
	memcpy(c->c_client_guid, guid, sizeof(guid));
	if (secmode & SMB2_NEGOTIATE_SIGNING_REQUIRED)
		c->c_should_sign = true;
	c->c_nclient_dialects = ndialects < 16 ? ndialects : 16;
	memcpy(c->c_client_dialects, offered,
	    c->c_nclient_dialects * sizeof(uint16_t));

	/* The greatest common dialect within the configured range. */
	for (i = 0; i < sizeof(dialects) / sizeof(dialects[0]) && !best; i++) {
		if (!dialect_allowed(dialects[i]))
			continue;
		for (j = 0; j < ndialects; j++) {
			if (offered[j] == dialects[i]) {
				best = dialects[i];
				break;
			}
		}
	}
	if (best == 0) {
		log_info("conn %llu: no common dialect",
		    (unsigned long long)c->c_id);
		return STATUS_NOT_SUPPORTED;
	}
	memset(&nc, 0, sizeof(nc));
	if (best == SMB2_DIALECT_311) {
		if ((st = parse_contexts(r, ctxoff, ctxcount, &nc)) !=
		    STATUS_SUCCESS)
			return st;
		/* 3.3.5.4: the hash starts over the request itself. */
		memset(c->c_preauth, 0, sizeof(c->c_preauth));
		smb3_preauth_update(c->c_preauth, r->r_buf, r->r_len);
		r->r_preauth_rsp = c->c_preauth;
	}
	c->c_smb1_upgraded = false;
	set_connection(c, best);
	if (best == SMB2_DIALECT_311) {
		c->c_cipher = nc.have_cipher ? nc.cipher : 0;
		c->c_signing_alg = nc.have_signer ? nc.signer :
		    SMB2_SIGNING_AES_CMAC;
	}
	encode_response(c, best, &nc, &r->r_rsp);
	log_info("conn %llu: negotiated SMB %s%s%s",
	    (unsigned long long)c->c_id, smb2_dialect_name(best),
	    c->c_cipher ? ", cipher " : "",
	    c->c_cipher ? cipher_name(c->c_cipher) : "");
	return msgbuf_wr_ok(&r->r_rsp) ? STATUS_SUCCESS :
	    STATUS_INSUFFICIENT_RESOURCES;
}

/*
 * 3.3.5.3.1: an SMB1 SMB_COM_NEGOTIATE that offers "SMB 2.???" gets an
 * SMB2 NEGOTIATE response with the wildcard dialect 0x02FF; one that only
 * offers "SMB 2.002" is negotiated to 2.0.2 at once.  Anything else is
 * not for us.
 */
int
smb2_negotiate_smb1(struct conn *c, const uint8_t *msg, size_t len)
{
	struct msgbuf_rd rd;
	struct msgbuf_wr wr;
	struct smb2_hdr h;
	struct neg_ctx nc;
	const uint8_t *p;
	uint16_t bytes, dialect = 0;
	size_t i, start;
	uint8_t *buf;
	size_t buflen;

	msgbuf_rd_init(&rd, msg, len);
	msgbuf_skip(&rd, 4);
	/* SMB1 header: Command 0x72 at 4, then 27 more bytes to WordCount. */
	if (msgbuf_get_u8(&rd) != 0x72)
		return -1;
	msgbuf_seek(&rd, 32);
	if (msgbuf_get_u8(&rd) != 0)		/* WordCount */
		return -1;
	bytes = msgbuf_get_le16(&rd);
	if ((p = msgbuf_get_ptr(&rd, bytes)) == NULL)
		return -1;
	/* Dialects: 0x02 then a NUL-terminated string, repeated. */
	for (i = 0; i < bytes; ) {
		if (p[i] != 0x02)
			return -1;
		start = ++i;
		while (i < bytes && p[i] != 0)
			i++;
		if (i == bytes)
			return -1;
		if (i - start == 9 && memcmp(p + start, "SMB 2.???", 9) == 0)
			dialect = SMB2_DIALECT_WILDCARD;
		else if (i - start == 9 && memcmp(p + start, "SMB 2.002", 9) ==
		    0 && dialect == 0 && dialect_allowed(SMB2_DIALECT_202))
			dialect = SMB2_DIALECT_202;
		i++;
	}
	if (dialect == 0)
		return -1;
	if (dialect == SMB2_DIALECT_WILDCARD && !dialect_allowed(
	    SMB2_DIALECT_210) && !dialect_allowed(SMB2_DIALECT_300) &&
	    !dialect_allowed(SMB2_DIALECT_302) &&
	    !dialect_allowed(SMB2_DIALECT_311))
		dialect = dialect_allowed(SMB2_DIALECT_202) ?
		    SMB2_DIALECT_202 : 0;
	if (dialect == 0)
		return -1;

	set_connection(c, dialect);
	if (dialect == SMB2_DIALECT_WILDCARD) {
		/* Not negotiated yet: the SMB2 NEGOTIATE follows (mid 1). */
		c->c_dialect = 0;
		c->c_smb1_upgraded = true;
	}
	/* The SMB1 request used MessageId 0; the window moves to 1. */
	c->c_seq_low = 1;
	c->c_seq_range = 1;

	memset(&h, 0, sizeof(h));
	h.h_command = SMB2_NEGOTIATE;
	h.h_credits = 1;
	h.h_flags = SMB2_FLAGS_SERVER_TO_REDIR;
	memset(&nc, 0, sizeof(nc));
	msgbuf_wr_init(&wr, 4096);
	smb2_hdr_encode(&wr, &h);
	encode_response(c, dialect, &nc, &wr);
	if (!msgbuf_wr_ok(&wr)) {
		msgbuf_wr_free(&wr);
		return -1;
	}
	buf = msgbuf_wr_steal(&wr, &buflen);
	log_info("conn %llu: SMB1 negotiate answered with SMB %s",
	    (unsigned long long)c->c_id, smb2_dialect_name(dialect));
	return conn_send(c, buf, buflen) == -1 ? -1 : 0;
}

/*
 * 3.3.5.15.12: FSCTL_VALIDATE_NEGOTIATE_INFO.  The client repeats what it
 * sent; any difference from what this connection negotiated means a
 * man in the middle, and the connection is dropped.
 */
uint32_t
smb2_validate_negotiate(struct smb_req *r, struct msgbuf_rd *in,
    struct msgbuf_wr *out)
{
	struct conn *c = r->r_conn;
	uint32_t caps;
	uint16_t secmode, n, i, d, best = 0;
	uint8_t guid[16];
	size_t k;

	if (c->c_dialect == SMB2_DIALECT_311) {
		/* 3.1.1 protects the negotiate with the preauth hash. */
		r->r_disconnect = true;
		return STATUS_INVALID_PARAMETER;
	}
	caps = msgbuf_get_le32(in);
	msgbuf_get_bytes(in, guid, 16);
	secmode = msgbuf_get_le16(in);
	n = msgbuf_get_le16(in);
	if (!msgbuf_rd_ok(in) || n == 0 || msgbuf_remain(in) < 2u * n) {
		r->r_disconnect = true;
		return STATUS_INVALID_PARAMETER;
	}
	for (i = 0; i < n; i++) {
		d = msgbuf_get_le16(in);
		for (k = 0; k < sizeof(dialects) / sizeof(dialects[0]); k++)
			if (d == dialects[k] && dialect_allowed(d) && d > best)
				best = d;
	}
	if (caps != c->c_client_caps || secmode != c->c_client_secmode ||
	    memcmp(guid, c->c_client_guid, 16) != 0 ||
	    best != c->c_dialect) {
		log_warnx("conn %llu: VALIDATE_NEGOTIATE_INFO mismatch, "
		    "dropping", (unsigned long long)c->c_id);
		r->r_disconnect = true;
		return STATUS_ACCESS_DENIED;
	}
	msgbuf_put_le32(out, c->c_server_caps);
	msgbuf_put_bytes(out, server.sv_guid, 16);
	msgbuf_put_le16(out, c->c_server_secmode);
	msgbuf_put_le16(out, c->c_dialect);
	return STATUS_SUCCESS;
}
