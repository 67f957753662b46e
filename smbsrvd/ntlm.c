/*
 * ntlm.c — the server side of NTLMSSP, NTLMv2 only (see ntlm.h).
 *
 * NTLM_NEW --negotiate--> NTLM_CHALLENGED --authenticate--> NTLM_DONE
 * A failure of either step, or a call in the wrong state, goes to
 * NTLM_FAILED, which refuses everything but free.  Only NTLM_DONE for a
 * real user (neither guest nor anonymous) has session security keys
 * (MS-NLMP 3.4: "For the cases of ANONYMOUS user and Guest user login,
 * there is no session security").  The caller owns the object; nothing
 * else points at it.
 *
 * Messages are parsed with struct msgbuf_rd only.  Every payload field
 * (offset, length) of the AUTHENTICATE_MESSAGE must lie inside the
 * message, after the fixed header (and after the Version and MIC fields
 * when those are present), and must not overlap another field: the spec
 * lets the payload come in any order but gives no meaning to overlap, and
 * a payload overlapping the MIC would change when the MIC is zeroed for
 * checking.
 *
 * All cryptography is OpenSSL 3 EVP: MD4 and RC4 from the legacy provider,
 * MD5 and HMAC from the default one, fetched once.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/provider.h>
#include <openssl/rand.h>

#include "clock.h"
#include "log.h"
#include "msgbuf.h"
#include "ntlm.h"
#include "ntstatus.h"
#include "ucs2.h"

/* MS-ERREF 2.3.1; not (yet) in ntstatus.h. */
#ifndef STATUS_NAME_TOO_LONG
#define STATUS_NAME_TOO_LONG		0xC0000106u
#endif
#ifndef STATUS_NO_USER_SESSION_KEY
#define STATUS_NO_USER_SESSION_KEY	0xC0000202u
#endif

#define NTLM_MAGIC		0x4e544c4du	/* "NTLM" */
#define NTLM_ASSERT(ns)	do {						\
	if ((ns) == NULL || (ns)->ns_magic != NTLM_MAGIC)		\
		fatalx("%s: bad ntlm_server %p", __func__, (void *)(ns)); \
} while (0)

/* MessageType (2.2.1). */
#define MSG_NEGOTIATE		1
#define MSG_CHALLENGE		2
#define MSG_AUTHENTICATE	3

/* AV_PAIR AvId (2.2.2.1). */
#define AV_EOL			0
#define AV_NB_COMPUTER		1
#define AV_NB_DOMAIN		2
#define AV_DNS_COMPUTER		3
#define AV_DNS_DOMAIN		4
#define AV_FLAGS		6
#define AV_TIMESTAMP		7
#define AV_FLAG_MIC		0x00000002u	/* MIC in AUTHENTICATE */

/* Fixed parts of the messages (2.2.1.1, 2.2.1.2, 2.2.1.3). */
#define CHAL_TN_FIELD		12
#define CHAL_TI_FIELD		40
#define AUTH_FIXED		64	/* up to NegotiateFlags */
#define AUTH_VERSION_END	72
#define AUTH_MIC_OFF		72
#define AUTH_MIC_END		88

#define NTPROOF_LEN		16
/* NTLMv2_CLIENT_CHALLENGE (2.2.2.7) up to AvPairs. */
#define V2_FIXED		28
/* An NT response this long or shorter is NTLMv1 (2.2.2.6) or nothing. */
#define NTLMV1_RESPONSE_LEN	24

/* 100 ns ticks from 1601-01-01 to 1970-01-01 (MS-DTYP 2.3.3 FILETIME). */
#define FILETIME_UNIX_EPOCH	116444736000000000ull

/* The floor (see ntlm.h); 3.2.5.1.1 ServerRequire128bitEncryption. */
#define FLAGS_REQUIRED	(NTLMSSP_NEGOTIATE_UNICODE |			\
	NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY | NTLMSSP_NEGOTIATE_128)

static const uint8_t ntlmssp_signature[8] = {
	'N', 'T', 'L', 'M', 'S', 'S', 'P', '\0'
};

/* 3.4.5.2 SIGNKEY and 3.4.5.3 SEALKEY; the NUL is part of the constant. */
static const char cli_sign_magic[] =
    "session key to client-to-server signing key magic constant";
static const char srv_sign_magic[] =
    "session key to server-to-client signing key magic constant";
static const char cli_seal_magic[] =
    "session key to client-to-server sealing key magic constant";
static const char srv_seal_magic[] =
    "session key to server-to-client sealing key magic constant";

enum ntlm_state {
	NTLM_NEW,
	NTLM_CHALLENGED,
	NTLM_DONE,
	NTLM_FAILED
};

static const char *const ntlm_state_names[] = {
	"new", "challenged", "done", "failed"
};

/* A string of ours, as UTF-16LE. */
struct ntlm_name {
	uint8_t		*nm_buf;
	size_t		 nm_len;
};

/* Session security state of one direction (3.4.4, 3.4.5). */
struct ntlm_dir {
	uint8_t		 nd_sign_key[NTLM_KEY_LEN];
	uint8_t		 nd_seal_key[NTLM_KEY_LEN];
	EVP_CIPHER_CTX	*nd_rc4;		/* the "Handle" of the spec */
	uint32_t	 nd_seq;
};

struct ntlm_server {
	uint32_t	 ns_magic;
	enum ntlm_state	 ns_state;
	/* From the configuration. */
	struct ntlm_name ns_nb_name, ns_nb_domain, ns_dns_name, ns_dns_domain;
	bool		 ns_guest_ok;
	ntlm_lookup_fn	 ns_lookup;
	void		*ns_lookup_arg;
	bool		 ns_fixed_challenge;
	uint8_t		 ns_challenge[NTLM_CHALLENGE_LEN];
	/* The first two messages, kept for the MIC (3.2.5.1.2). */
	uint8_t		*ns_neg;
	size_t		 ns_neglen;
	uint8_t		*ns_chal;
	size_t		 ns_challen;
	uint32_t	 ns_chal_flags;
	uint32_t	 ns_flags;		/* negotiated */
	bool		 ns_keyed;		/* session security is set up */
	struct ntlm_dir	 ns_in;			/* client to server */
	struct ntlm_dir	 ns_out;		/* server to client */
};

/* One (offset, length) payload field of a message, resolved. */
struct field {
	const char	*f_name;
	uint32_t	 f_off;
	uint16_t	 f_len;
	const uint8_t	*f_p;
};

enum {
	F_LM, F_NT, F_DOMAIN, F_USER, F_WORKSTATION, F_KEY, F_COUNT
};

struct auth_msg {
	struct field	 am_f[F_COUNT];
	uint32_t	 am_flags;
	bool		 am_mic;	/* MsvAvFlags has the MIC bit */
};

struct chunk {
	const void	*c_p;
	size_t		 c_n;
};

static pthread_once_t	 crypto_once = PTHREAD_ONCE_INIT;
static bool		 crypto_ok;
static OSSL_PROVIDER	*prov_default, *prov_legacy;
static EVP_MD		*md_md4, *md_md5;
static EVP_CIPHER	*cipher_rc4;
static EVP_MAC		*mac_hmac;

static void
crypto_load(void)
{
	/*
	 * Loading any provider explicitly stops OpenSSL from loading
	 * "default" by itself, so both are loaded.
	 */
	if ((prov_default = OSSL_PROVIDER_load(NULL, "default")) == NULL ||
	    (prov_legacy = OSSL_PROVIDER_load(NULL, "legacy")) == NULL) {
		log_warnx("ntlm: cannot load the OpenSSL default and legacy "
		    "providers (MD4 and RC4 live in legacy)");
		return;
	}
	md_md4 = EVP_MD_fetch(NULL, "MD4", NULL);
	md_md5 = EVP_MD_fetch(NULL, "MD5", NULL);
	cipher_rc4 = EVP_CIPHER_fetch(NULL, "RC4", NULL);
	mac_hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	if (md_md4 == NULL || md_md5 == NULL || cipher_rc4 == NULL ||
	    mac_hmac == NULL) {
		log_warnx("ntlm: OpenSSL lacks MD4, MD5, RC4 or HMAC");
		return;
	}
	crypto_ok = true;
}

int
ntlm_init(void)
{
	if (pthread_once(&crypto_once, crypto_load) != 0 || !crypto_ok)
		return -1;
	return 0;
}

static int
hmac_md5(const uint8_t *key, size_t keylen, const struct chunk *c, size_t nc,
    uint8_t out[16])
{
	OSSL_PARAM params[2];
	EVP_MAC_CTX *ctx;
	size_t i, outl = 0;
	int ok;

	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
	    "MD5", 0);
	params[1] = OSSL_PARAM_construct_end();
	if ((ctx = EVP_MAC_CTX_new(mac_hmac)) == NULL)
		return -1;
	ok = EVP_MAC_init(ctx, key, keylen, params);
	for (i = 0; ok && i < nc; i++)
		if (c[i].c_n > 0)
			ok = EVP_MAC_update(ctx, c[i].c_p, c[i].c_n);
	if (ok)
		ok = EVP_MAC_final(ctx, out, &outl, 16) && outl == 16;
	EVP_MAC_CTX_free(ctx);
	return ok ? 0 : -1;
}

/* MD5(ConcatenationOf(key, magic with its NUL)). */
static int
md5_key(const uint8_t key[NTLM_KEY_LEN], const char *magic, size_t magiclen,
    uint8_t out[16])
{
	EVP_MD_CTX *ctx;
	unsigned int outl = 0;
	int ok;

	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return -1;
	ok = EVP_DigestInit_ex2(ctx, md_md5, NULL) &&
	    EVP_DigestUpdate(ctx, key, NTLM_KEY_LEN) &&
	    EVP_DigestUpdate(ctx, magic, magiclen) &&
	    EVP_DigestFinal_ex(ctx, out, &outl) && outl == 16;
	EVP_MD_CTX_free(ctx);
	return ok ? 0 : -1;
}

static EVP_CIPHER_CTX *
rc4_new(const uint8_t key[NTLM_KEY_LEN])
{
	EVP_CIPHER_CTX *ctx;

	if ((ctx = EVP_CIPHER_CTX_new()) == NULL)
		return NULL;
	if (!EVP_EncryptInit_ex2(ctx, cipher_rc4, key, NULL, NULL)) {
		EVP_CIPHER_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

/* Runs n bytes through the RC4 stream; in may equal out. */
static int
rc4_apply(EVP_CIPHER_CTX *ctx, const uint8_t *in, uint8_t *out, size_t n)
{
	int k, outl;

	while (n > 0) {
		k = n > INT_MAX ? INT_MAX : (int)n;
		if (!EVP_EncryptUpdate(ctx, out, &outl, in, k) || outl != k)
			return -1;
		in += k;
		out += k;
		n -= (size_t)k;
	}
	return 0;
}

/* RC4K(key, in) (MS-NLMP 6): a fresh RC4 keystream over 16 bytes. */
static int
rc4k(const uint8_t key[NTLM_KEY_LEN], const uint8_t in[16], uint8_t out[16])
{
	EVP_CIPHER_CTX *ctx;
	int rv;

	if ((ctx = rc4_new(key)) == NULL)
		return -1;
	rv = rc4_apply(ctx, in, out, 16);
	EVP_CIPHER_CTX_free(ctx);
	return rv;
}

int
ntlm_nthash(const char *password, uint8_t out[NTLM_NTHASH_LEN])
{
	uint8_t *u16;
	size_t len;
	unsigned int outl = 0;
	int ok;

	if (ntlm_init() == -1) {
		errno = ENOTSUP;
		return -1;
	}
	if (ucs2_from_utf8_alloc(password, strlen(password), &u16, &len) == -1)
		return -1;
	ok = EVP_Digest(u16, len, out, &outl, md_md4, NULL) && outl == 16;
	OPENSSL_clear_free(u16, len + 1);
	if (!ok) {
		errno = EIO;
		return -1;
	}
	return 0;
}

static void
ntlm_set_state(struct ntlm_server *ns, enum ntlm_state st)
{
	if (ns->ns_state == st)
		return;
	log_debugl(LOG_LVL_DEBUG + 1, "ntlm %p: %s -> %s", (void *)ns,
	    ntlm_state_names[ns->ns_state], ntlm_state_names[st]);
	ns->ns_state = st;
}

/* Ends the exchange with status st; says why at debug level. */
static uint32_t ntlm_fail(struct ntlm_server *, uint32_t, const char *, ...)
    __attribute__((format(printf, 3, 4)));

static uint32_t
ntlm_fail(struct ntlm_server *ns, uint32_t st, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_debug("ntlm %p: %s: status 0x%08x", (void *)ns, msg, st);
	ntlm_set_state(ns, NTLM_FAILED);
	return st;
}

static int
name_set(struct ntlm_name *nm, const char *utf8)
{
	if (ucs2_from_utf8_alloc(utf8, strlen(utf8), &nm->nm_buf,
	    &nm->nm_len) == -1)
		return -1;
	if (nm->nm_len > 2 * NTLM_NAME_MAX) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

static void
dir_clear(struct ntlm_dir *d)
{
	EVP_CIPHER_CTX_free(d->nd_rc4);
	OPENSSL_cleanse(d, sizeof(*d));
}

struct ntlm_server *
ntlm_server_new(const struct ntlm_config *cfg)
{
	struct ntlm_server *ns = NULL;
	const char *dns_name, *dns_domain;

	if (ntlm_init() == -1) {
		errno = ENOTSUP;
		return NULL;
	}
	if (cfg->nc_netbios_name == NULL || cfg->nc_netbios_domain == NULL ||
	    cfg->nc_lookup == NULL) {
		log_warnx("%s: names or lookup missing", __func__);
		errno = EINVAL;
		return NULL;
	}
	dns_name = cfg->nc_dns_name != NULL ? cfg->nc_dns_name :
	    cfg->nc_netbios_name;
	dns_domain = cfg->nc_dns_domain != NULL ? cfg->nc_dns_domain : "";
	if ((ns = calloc(1, sizeof(*ns))) == NULL)
		goto fail;
	ns->ns_magic = NTLM_MAGIC;
	ns->ns_state = NTLM_NEW;
	if (name_set(&ns->ns_nb_name, cfg->nc_netbios_name) == -1 ||
	    name_set(&ns->ns_nb_domain, cfg->nc_netbios_domain) == -1 ||
	    name_set(&ns->ns_dns_name, dns_name) == -1 ||
	    name_set(&ns->ns_dns_domain, dns_domain) == -1)
		goto fail;
	ns->ns_guest_ok = cfg->nc_guest_ok;
	ns->ns_lookup = cfg->nc_lookup;
	ns->ns_lookup_arg = cfg->nc_lookup_arg;
	if (cfg->nc_challenge != NULL) {
		ns->ns_fixed_challenge = true;
		memcpy(ns->ns_challenge, cfg->nc_challenge,
		    NTLM_CHALLENGE_LEN);
	}
	return ns;
fail:
	log_warn("%s", __func__);
	ntlm_server_free(ns);
	return NULL;
}

void
ntlm_server_free(struct ntlm_server *ns)
{
	if (ns == NULL)
		return;
	free(ns->ns_nb_name.nm_buf);
	free(ns->ns_nb_domain.nm_buf);
	free(ns->ns_dns_name.nm_buf);
	free(ns->ns_dns_domain.nm_buf);
	free(ns->ns_neg);
	free(ns->ns_chal);
	dir_clear(&ns->ns_in);
	dir_clear(&ns->ns_out);
	OPENSSL_clear_free(ns, sizeof(*ns));
}

/* Signature and MessageType (2.2.1): true if they are what we expect. */
static bool
header_ok(struct msgbuf_rd *rd, uint32_t type)
{
	const uint8_t *sig = msgbuf_get_ptr(rd, sizeof(ntlmssp_signature));
	uint32_t t = msgbuf_get_le32(rd);

	return msgbuf_rd_ok(rd) &&
	    memcmp(sig, ntlmssp_signature, sizeof(ntlmssp_signature)) == 0 &&
	    t == type;
}

/* Len, MaxLen (ignored on receipt, 2.2.1.3) and BufferOffset. */
static void
field_get(struct msgbuf_rd *rd, struct field *f, const char *name)
{
	f->f_name = name;
	f->f_len = msgbuf_get_le16(rd);
	(void)msgbuf_get_le16(rd);
	f->f_off = msgbuf_get_le32(rd);
	f->f_p = NULL;
}

/*
 * 3.2.5.1.1: the CHALLENGE flags follow the client's request, limited to
 * what we do.  LM_KEY, DATAGRAM, IDENTIFY and the OEM flags are dropped.
 */
static uint32_t
challenge_flags(uint32_t c)
{
	uint32_t f;

	f = NTLMSSP_NEGOTIATE_UNICODE | NTLMSSP_NEGOTIATE_NTLM |
	    NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY |
	    NTLMSSP_NEGOTIATE_TARGET_INFO | NTLMSSP_NEGOTIATE_VERSION |
	    NTLMSSP_NEGOTIATE_128;
	f |= c & (NTLMSSP_NEGOTIATE_56 | NTLMSSP_NEGOTIATE_KEY_EXCH |
	    NTLMSSP_NEGOTIATE_SIGN | NTLMSSP_NEGOTIATE_SEAL |
	    NTLMSSP_NEGOTIATE_ALWAYS_SIGN);
	/* A standalone server names itself, as Samba does. */
	if (c & NTLMSSP_REQUEST_TARGET)
		f |= NTLMSSP_REQUEST_TARGET | NTLMSSP_TARGET_TYPE_SERVER;
	return f;
}

static void
put_av(struct msgbuf_wr *wr, uint16_t id, const void *val, size_t len)
{
	msgbuf_put_le16(wr, id);
	msgbuf_put_le16(wr, (uint16_t)len);
	msgbuf_put_bytes(wr, val, len);
}

static void
patch_field(struct msgbuf_wr *wr, size_t at, size_t len, size_t off)
{
	msgbuf_patch_le16(wr, at, (uint16_t)len);
	msgbuf_patch_le16(wr, at + 2, (uint16_t)len);
	msgbuf_patch_le32(wr, at + 4, (uint32_t)off);
}

/* The CHALLENGE_MESSAGE (2.2.1.2), kept in ns_chal. */
static int
challenge_build(struct ntlm_server *ns)
{
	struct msgbuf_wr wr;
	struct timespec ts;
	uint8_t ft[8];
	size_t tn_off, tn_len = 0, ti_off;

	msgbuf_wr_init(&wr, NTLM_MSG_MAX);
	msgbuf_put_bytes(&wr, ntlmssp_signature, sizeof(ntlmssp_signature));
	msgbuf_put_le32(&wr, MSG_CHALLENGE);
	msgbuf_put_zero(&wr, 8);		/* TargetNameFields */
	msgbuf_put_le32(&wr, ns->ns_chal_flags);
	msgbuf_put_bytes(&wr, ns->ns_challenge, NTLM_CHALLENGE_LEN);
	msgbuf_put_zero(&wr, 8);		/* Reserved */
	msgbuf_put_zero(&wr, 8);		/* TargetInfoFields */
	/*
	 * VERSION (2.2.2.10): the product numbers carry no meaning for
	 * clients; NTLMRevisionCurrent 15 is NTLMSSP_REVISION_W2K3.
	 */
	msgbuf_put_u8(&wr, 6);
	msgbuf_put_u8(&wr, 1);
	msgbuf_put_le16(&wr, 0);
	msgbuf_put_zero(&wr, 3);
	msgbuf_put_u8(&wr, 15);

	tn_off = msgbuf_wr_len(&wr);
	if (ns->ns_chal_flags & NTLMSSP_REQUEST_TARGET) {
		msgbuf_put_bytes(&wr, ns->ns_nb_name.nm_buf,
		    ns->ns_nb_name.nm_len);
		tn_len = ns->ns_nb_name.nm_len;
	}
	/*
	 * TargetInfo in the order Windows sends it.  The timestamp makes
	 * clients send a MIC (3.1.5.1.2).
	 */
	ti_off = msgbuf_wr_len(&wr);
	put_av(&wr, AV_NB_DOMAIN, ns->ns_nb_domain.nm_buf,
	    ns->ns_nb_domain.nm_len);
	put_av(&wr, AV_NB_COMPUTER, ns->ns_nb_name.nm_buf,
	    ns->ns_nb_name.nm_len);
	put_av(&wr, AV_DNS_DOMAIN, ns->ns_dns_domain.nm_buf,
	    ns->ns_dns_domain.nm_len);
	put_av(&wr, AV_DNS_COMPUTER, ns->ns_dns_name.nm_buf,
	    ns->ns_dns_name.nm_len);
	clock_real(&ts);
	le64enc(ft, FILETIME_UNIX_EPOCH + (uint64_t)ts.tv_sec * 10000000u +
	    (uint64_t)ts.tv_nsec / 100);
	put_av(&wr, AV_TIMESTAMP, ft, sizeof(ft));
	put_av(&wr, AV_EOL, NULL, 0);
	patch_field(&wr, CHAL_TN_FIELD, tn_len, tn_off);
	patch_field(&wr, CHAL_TI_FIELD, msgbuf_wr_len(&wr) - ti_off, ti_off);
	if (!msgbuf_wr_ok(&wr)) {
		msgbuf_wr_free(&wr);
		return -1;
	}
	ns->ns_chal = msgbuf_wr_steal(&wr, &ns->ns_challen);
	return 0;
}

uint32_t
ntlm_server_negotiate(struct ntlm_server *ns, const uint8_t *msg, size_t len,
    uint8_t **chal, size_t *challen)
{
	struct msgbuf_rd rd, sub;
	struct field f;
	uint32_t flags;

	NTLM_ASSERT(ns);
	*chal = NULL;
	*challen = 0;
	if (ns->ns_state != NTLM_NEW)
		return ntlm_fail(ns, STATUS_INVALID_PARAMETER,
		    "NEGOTIATE in state %s", ntlm_state_names[ns->ns_state]);
	if (msg == NULL || len > NTLM_MSG_MAX)
		return ntlm_fail(ns, STATUS_INVALID_PARAMETER,
		    "NEGOTIATE of %zu bytes", len);
	msgbuf_rd_init(&rd, msg, len);
	if (!header_ok(&rd, MSG_NEGOTIATE))
		return ntlm_fail(ns, STATUS_INVALID_PARAMETER,
		    "not a NEGOTIATE_MESSAGE");
	flags = msgbuf_get_le32(&rd);
	/*
	 * DomainNameFields and WorkstationFields (2.2.1.1) hold OEM strings
	 * we have no use for, but they must lie inside the message, as must
	 * the Version field that NTLMSSP_NEGOTIATE_VERSION announces.  (Very
	 * old clients sent 16 bytes, up to the flags; no SMB2 client does.)
	 */
	field_get(&rd, &f, "DomainName");
	if (f.f_len > 0)
		(void)msgbuf_sub(&rd, f.f_off, f.f_len, &sub);
	field_get(&rd, &f, "Workstation");
	if (f.f_len > 0)
		(void)msgbuf_sub(&rd, f.f_off, f.f_len, &sub);
	if (flags & NTLMSSP_NEGOTIATE_VERSION)
		msgbuf_skip(&rd, 8);
	if (!msgbuf_rd_ok(&rd))
		return ntlm_fail(ns, STATUS_INVALID_PARAMETER,
		    "NEGOTIATE of %zu bytes, or a field past its end", len);
	if ((flags & FLAGS_REQUIRED) != FLAGS_REQUIRED)
		return ntlm_fail(ns, STATUS_NOT_SUPPORTED,
		    "NEGOTIATE flags 0x%08x lack UNICODE, ESS or 128", flags);

	if ((ns->ns_neg = malloc(len)) == NULL)
		return ntlm_fail(ns, STATUS_INSUFFICIENT_RESOURCES,
		    "no memory");
	memcpy(ns->ns_neg, msg, len);
	ns->ns_neglen = len;
	if (!ns->ns_fixed_challenge &&
	    RAND_bytes(ns->ns_challenge, NTLM_CHALLENGE_LEN) != 1)
		return ntlm_fail(ns, STATUS_INTERNAL_ERROR,
		    "no random ServerChallenge");
	ns->ns_chal_flags = challenge_flags(flags);
	if (challenge_build(ns) == -1 ||
	    (*chal = malloc(ns->ns_challen)) == NULL)
		return ntlm_fail(ns, STATUS_INSUFFICIENT_RESOURCES,
		    "no memory");
	memcpy(*chal, ns->ns_chal, ns->ns_challen);
	*challen = ns->ns_challen;
	ntlm_set_state(ns, NTLM_CHALLENGED);
	return STATUS_MORE_PROCESSING_REQUIRED;
}

/*
 * Reads the fixed part of the AUTHENTICATE_MESSAGE (2.2.1.3) and resolves
 * its payload fields (see the top of the file for the rules).
 */
static uint32_t
auth_parse(struct ntlm_server *ns, const uint8_t *msg, size_t len,
    struct auth_msg *am)
{
	static const char *const names[F_COUNT] = {
		"LmChallengeResponse", "NtChallengeResponse", "DomainName",
		"UserName", "Workstation", "EncryptedRandomSessionKey"
	};
	struct msgbuf_rd rd, sub;
	struct field *f, *g;
	size_t floor;
	int i, j;

	if (msg == NULL || len > NTLM_MSG_MAX)
		return ntlm_fail(ns, STATUS_INVALID_PARAMETER,
		    "AUTHENTICATE of %zu bytes", len);
	msgbuf_rd_init(&rd, msg, len);
	if (!header_ok(&rd, MSG_AUTHENTICATE))
		return ntlm_fail(ns, STATUS_INVALID_PARAMETER,
		    "not an AUTHENTICATE_MESSAGE");
	for (i = 0; i < F_COUNT; i++)
		field_get(&rd, &am->am_f[i], names[i]);
	am->am_flags = msgbuf_get_le32(&rd);
	if (!msgbuf_rd_ok(&rd))
		return ntlm_fail(ns, STATUS_INVALID_PARAMETER,
		    "AUTHENTICATE of %zu bytes", len);
	/* With NTLMSSP_NEGOTIATE_VERSION the Version field is there. */
	floor = am->am_flags & NTLMSSP_NEGOTIATE_VERSION ? AUTH_VERSION_END :
	    AUTH_FIXED;
	if (len < floor)
		return ntlm_fail(ns, STATUS_INVALID_PARAMETER,
		    "AUTHENTICATE without its Version field");
	for (i = 0; i < F_COUNT; i++) {
		f = &am->am_f[i];
		if (f->f_len == 0)
			continue;	/* its offset means nothing */
		if (f->f_off < floor)
			return ntlm_fail(ns, STATUS_INVALID_PARAMETER,
			    "%s at %u overlaps the header", f->f_name,
			    f->f_off);
		if (!msgbuf_sub(&rd, f->f_off, f->f_len, &sub))
			return ntlm_fail(ns, STATUS_INVALID_PARAMETER,
			    "%s (%u at %u) past the end", f->f_name,
			    f->f_len, f->f_off);
		f->f_p = msg + f->f_off;
	}
	for (i = 0; i < F_COUNT; i++) {
		f = &am->am_f[i];
		for (j = i + 1; j < F_COUNT && f->f_len > 0; j++) {
			g = &am->am_f[j];
			if (g->f_len == 0)
				continue;
			if ((uint64_t)f->f_off < (uint64_t)g->f_off +
			    g->f_len && (uint64_t)g->f_off <
			    (uint64_t)f->f_off + f->f_len)
				return ntlm_fail(ns, STATUS_INVALID_PARAMETER,
				    "%s overlaps %s", f->f_name, g->f_name);
		}
	}
	return STATUS_SUCCESS;
}

/* One name field to UTF-8 (2.2.1.3: UNICODE strings, no terminator). */
static uint32_t
name_get(struct ntlm_server *ns, const struct field *f, char *out,
    size_t outsz)
{
	const char *p;

	if (f->f_len % 2 != 0)
		return ntlm_fail(ns, STATUS_INVALID_PARAMETER,
		    "%s of odd length %u", f->f_name, f->f_len);
	if (f->f_len > 2 * NTLM_NAME_MAX)
		return ntlm_fail(ns, STATUS_NAME_TOO_LONG,
		    "%s of %u bytes", f->f_name, f->f_len);
	if (ucs2_to_utf8(f->f_p, f->f_len, out, outsz) == -1) {
		out[0] = '\0';
		return ntlm_fail(ns, STATUS_INVALID_PARAMETER,
		    "%s is not valid UTF-16", f->f_name);
	}
	/* No name has control characters; they only serve log forgery. */
	for (p = out; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f) {
			out[0] = '\0';
			return ntlm_fail(ns, STATUS_INVALID_PARAMETER,
			    "%s has a control character", f->f_name);
		}
	return STATUS_SUCCESS;
}

/*
 * The NTLMv2_CLIENT_CHALLENGE (2.2.2.7) after NTProofStr: its version
 * bytes, and the MsvAvFlags of its AV pairs (2.2.2.1), which say whether
 * a MIC was sent.  The pairs are covered by NTProofStr, so a MIC flag that
 * verifies came from the client.
 */
static uint32_t
v2_parse(struct ntlm_server *ns, struct auth_msg *am)
{
	const struct field *nt = &am->am_f[F_NT];
	struct msgbuf_rd rd;
	const uint8_t *val;
	uint32_t avflags = 0;
	uint16_t id, avlen;
	uint8_t resp, hiresp;
	bool eol = false, seen_flags = false;

	if (nt->f_len < NTPROOF_LEN + V2_FIXED)
		return ntlm_fail(ns, STATUS_INVALID_PARAMETER,
		    "NTLMv2 response of %u bytes", nt->f_len);
	msgbuf_rd_init(&rd, nt->f_p, nt->f_len);
	msgbuf_skip(&rd, NTPROOF_LEN);
	resp = msgbuf_get_u8(&rd);
	hiresp = msgbuf_get_u8(&rd);
	if (resp != 1 || hiresp != 1)
		return ntlm_fail(ns, STATUS_INVALID_PARAMETER,
		    "NTLMv2 RespType %u HiRespType %u", resp, hiresp);
	/* Reserved1, Reserved2, TimeStamp, ChallengeFromClient, Reserved3 */
	msgbuf_skip(&rd, 2 + 4 + 8 + 8 + 4);
	while (!eol && msgbuf_rd_ok(&rd) && msgbuf_remain(&rd) > 0) {
		id = msgbuf_get_le16(&rd);
		avlen = msgbuf_get_le16(&rd);
		val = msgbuf_get_ptr(&rd, avlen);
		if (!msgbuf_rd_ok(&rd))
			break;
		if (id == AV_EOL) {
			if (avlen != 0)
				return ntlm_fail(ns, STATUS_INVALID_PARAMETER,
				    "MsvAvEOL of length %u", avlen);
			eol = true;
		} else if (id == AV_FLAGS) {
			if (avlen != 4)
				return ntlm_fail(ns, STATUS_INVALID_PARAMETER,
				    "MsvAvFlags of length %u", avlen);
			if (!seen_flags)
				avflags = le32dec(val);
			seen_flags = true;
		}
	}
	/* What follows MsvAvEOL (Windows sends 4 zero bytes) is ignored. */
	if (!eol)
		return ntlm_fail(ns, STATUS_INVALID_PARAMETER,
		    "NTLMv2 AV pairs without MsvAvEOL");
	am->am_mic = (avflags & AV_FLAG_MIC) != 0;
	return STATUS_SUCCESS;
}

/*
 * NTLMv2 (3.3.2): ResponseKeyNT = HMAC_MD5(NTHash, UNICODE(Uppercase(User)
 * || UserDom)), NTProofStr = HMAC_MD5(ResponseKeyNT, ServerChallenge ||
 * temp).  UserDom is tried as sent, then empty: 3.2.5.1.2 says servers
 * SHOULD accept clients that wrongly use NIL for it.  Samba also tries the
 * domain uppercased; no client we target needs that, so we do not widen
 * what a password is accepted with.  1 match (rknt set), 0 none, -1 error.
 */
static int
v2_verify(const struct ntlm_server *ns, const struct auth_msg *am,
    const uint8_t nthash[NTLM_NTHASH_LEN], uint8_t rknt[16])
{
	const struct field *user = &am->am_f[F_USER];
	const struct field *dom = &am->am_f[F_DOMAIN];
	const struct field *nt = &am->am_f[F_NT];
	uint8_t upper[2 * NTLM_NAME_MAX], proof[16];
	struct chunk c[2];
	int k, tries, rv = 0;

	if (user->f_len > 0)
		memcpy(upper, user->f_p, user->f_len);
	ucs2_upper(upper, user->f_len);
	tries = dom->f_len > 0 ? 2 : 1;
	for (k = 0; k < tries && rv == 0; k++) {
		c[0] = (struct chunk){ upper, user->f_len };
		c[1] = (struct chunk){ dom->f_p, k == 0 ? dom->f_len : 0 };
		if (hmac_md5(nthash, NTLM_NTHASH_LEN, c, 2, rknt) == -1) {
			rv = -1;
			break;
		}
		c[0] = (struct chunk){ ns->ns_challenge, NTLM_CHALLENGE_LEN };
		c[1] = (struct chunk){ nt->f_p + NTPROOF_LEN,
		    nt->f_len - NTPROOF_LEN };
		if (hmac_md5(rknt, 16, c, 2, proof) == -1) {
			rv = -1;
			break;
		}
		if (CRYPTO_memcmp(proof, nt->f_p, NTPROOF_LEN) == 0)
			rv = 1;
	}
	OPENSSL_cleanse(upper, sizeof(upper));
	OPENSSL_cleanse(proof, sizeof(proof));
	return rv;
}

/*
 * 3.2.5.1.2: MIC = HMAC_MD5(ExportedSessionKey, NEGOTIATE_MESSAGE ||
 * CHALLENGE_MESSAGE || AUTHENTICATE_MESSAGE with the MIC field zeroed).
 * 1 equal, 0 not, -1 error.
 */
static int
mic_verify(const struct ntlm_server *ns, const uint8_t *msg, size_t len,
    const uint8_t esk[NTLM_KEY_LEN])
{
	static const uint8_t zero[AUTH_MIC_END - AUTH_MIC_OFF];
	struct chunk c[5];
	uint8_t mic[16];
	int rv;

	c[0] = (struct chunk){ ns->ns_neg, ns->ns_neglen };
	c[1] = (struct chunk){ ns->ns_chal, ns->ns_challen };
	c[2] = (struct chunk){ msg, AUTH_MIC_OFF };
	c[3] = (struct chunk){ zero, sizeof(zero) };
	c[4] = (struct chunk){ msg + AUTH_MIC_END, len - AUTH_MIC_END };
	if (hmac_md5(esk, NTLM_KEY_LEN, c, 5, mic) == -1)
		return -1;
	rv = CRYPTO_memcmp(mic, msg + AUTH_MIC_OFF, sizeof(mic)) == 0;
	OPENSSL_cleanse(mic, sizeof(mic));
	return rv;
}

/* 3.4.5.2 SIGNKEY, 3.4.5.3 SEALKEY (128-bit: negotiated by force). */
static int
keys_derive(struct ntlm_server *ns, const uint8_t esk[NTLM_KEY_LEN])
{
	if (md5_key(esk, cli_sign_magic, sizeof(cli_sign_magic),
	    ns->ns_in.nd_sign_key) == -1 ||
	    md5_key(esk, cli_seal_magic, sizeof(cli_seal_magic),
	    ns->ns_in.nd_seal_key) == -1 ||
	    md5_key(esk, srv_sign_magic, sizeof(srv_sign_magic),
	    ns->ns_out.nd_sign_key) == -1 ||
	    md5_key(esk, srv_seal_magic, sizeof(srv_seal_magic),
	    ns->ns_out.nd_seal_key) == -1)
		return -1;
	if ((ns->ns_in.nd_rc4 = rc4_new(ns->ns_in.nd_seal_key)) == NULL ||
	    (ns->ns_out.nd_rc4 = rc4_new(ns->ns_out.nd_seal_key)) == NULL)
		return -1;
	ns->ns_in.nd_seq = ns->ns_out.nd_seq = 0;
	ns->ns_keyed = true;
	return 0;
}

/* The steps after the names: who the client is, and the keys. */
static uint32_t
auth_decide(struct ntlm_server *ns, const uint8_t *msg, size_t len,
    struct auth_msg *am, struct ntlm_result *res)
{
	const struct field *lm = &am->am_f[F_LM], *nt = &am->am_f[F_NT];
	const struct field *key = &am->am_f[F_KEY];
	uint8_t nthash[NTLM_NTHASH_LEN], rknt[16], sbk[16], esk[16];
	struct chunk c;
	uint32_t st;
	int i, lk, rv;

	/*
	 * 3.2.5.1.2: empty user name and NT response, and an LM response
	 * empty or Z(1), is the ANONYMOUS user.  No session key: 3.4.
	 */
	if (am->am_f[F_USER].f_len == 0 && nt->f_len == 0 &&
	    (lm->f_len == 0 || (lm->f_len == 1 && lm->f_p[0] == 0))) {
		res->nr_anonymous = true;
		ntlm_set_state(ns, NTLM_DONE);
		return STATUS_SUCCESS;
	}
	/*
	 * An NTLMv2 response is checked for form before anything else; its
	 * MIC flag says where the payload may start.
	 */
	if (nt->f_len > NTLMV1_RESPONSE_LEN) {
		if ((st = v2_parse(ns, am)) != STATUS_SUCCESS)
			return st;
		/* The response lies after the MIC field, so there is one. */
		for (i = 0; am->am_mic && i < F_COUNT; i++)
			if (am->am_f[i].f_len > 0 &&
			    am->am_f[i].f_off < AUTH_MIC_END)
				return ntlm_fail(ns, STATUS_INVALID_PARAMETER,
				    "%s overlaps the MIC", am->am_f[i].f_name);
	}

	lk = ns->ns_lookup(ns->ns_lookup_arg, res->nr_user, res->nr_domain,
	    nthash);
	switch (lk) {
	case NTLM_LOOKUP_OK:
	case NTLM_LOOKUP_DISABLED:
		break;
	case NTLM_LOOKUP_UNKNOWN:
		OPENSSL_cleanse(nthash, sizeof(nthash));
		if (!ns->ns_guest_ok)
			return ntlm_fail(ns, STATUS_LOGON_FAILURE,
			    "unknown user");
		/*
		 * MS-SMB2 3.3.5.5.3: a guest session, whatever the response
		 * (Samba's "map to guest = bad user"; smbclient -N first
		 * tries its Unix user with no response at all).  No keys,
		 * so no flags to insist on (3.4).
		 */
		res->nr_guest = true;
		ntlm_set_state(ns, NTLM_DONE);
		return STATUS_SUCCESS;
	default:
		OPENSSL_cleanse(nthash, sizeof(nthash));
		return ntlm_fail(ns, STATUS_INTERNAL_ERROR,
		    "user lookup failed (%d)", lk);
	}
	/*
	 * A known user must use NTLMv2.  NTLMv1 (a 24-byte NT response),
	 * LM-only and missing responses are refused; so is an LMv2 response
	 * without an NTLMv2 one, which 3.2.5.1.2 would accept: it covers
	 * neither the AV pairs nor so the MIC flag.  And the session
	 * security this logon sets up needs the rest of the floor, which an
	 * anonymous or guest client may drop (Samba's does).
	 */
	if (nt->f_len <= NTLMV1_RESPONSE_LEN) {
		OPENSSL_cleanse(nthash, sizeof(nthash));
		return ntlm_fail(ns, STATUS_LOGON_FAILURE,
		    "NT response of %u bytes: NTLMv1 and LM are disabled",
		    nt->f_len);
	}
	if ((am->am_flags & FLAGS_REQUIRED) != FLAGS_REQUIRED) {
		OPENSSL_cleanse(nthash, sizeof(nthash));
		return ntlm_fail(ns, STATUS_NOT_SUPPORTED,
		    "AUTHENTICATE flags 0x%08x lack ESS or 128", am->am_flags);
	}
	if ((ns->ns_flags & NTLMSSP_NEGOTIATE_KEY_EXCH) &&
	    key->f_len != NTLM_KEY_LEN) {
		OPENSSL_cleanse(nthash, sizeof(nthash));
		return ntlm_fail(ns, STATUS_INVALID_PARAMETER,
		    "KEY_EXCH with a session key of %u bytes", key->f_len);
	}

	rv = v2_verify(ns, am, nthash, rknt);
	OPENSSL_cleanse(nthash, sizeof(nthash));
	if (rv != 1) {
		OPENSSL_cleanse(rknt, sizeof(rknt));
		/* A known user with a wrong password is never a guest. */
		return ntlm_fail(ns, rv == 0 ? STATUS_LOGON_FAILURE :
		    STATUS_INSUFFICIENT_RESOURCES, "NTProofStr mismatch");
	}
	if (lk == NTLM_LOOKUP_DISABLED) {
		OPENSSL_cleanse(rknt, sizeof(rknt));
		return ntlm_fail(ns, STATUS_ACCOUNT_DISABLED,
		    "account disabled");
	}
	/*
	 * 3.3.2: SessionBaseKey = HMAC_MD5(ResponseKeyNT, NTProofStr);
	 * 3.4.5.1: KeyExchangeKey = SessionBaseKey for NTLMv2;
	 * 3.2.5.1.2: with KEY_EXCH, ExportedSessionKey = RC4K(KeyExchangeKey,
	 * EncryptedRandomSessionKey), otherwise KeyExchangeKey.  Clients
	 * send the encrypted key whenever KEY_EXCH is negotiated (3.1.5.1.2),
	 * so that alone decides, as in Samba.
	 */
	c = (struct chunk){ nt->f_p, NTPROOF_LEN };
	rv = hmac_md5(rknt, sizeof(rknt), &c, 1, sbk);
	OPENSSL_cleanse(rknt, sizeof(rknt));
	if (rv == 0 && (ns->ns_flags & NTLMSSP_NEGOTIATE_KEY_EXCH))
		rv = rc4k(sbk, key->f_p, esk);
	else if (rv == 0)
		memcpy(esk, sbk, sizeof(esk));
	OPENSSL_cleanse(sbk, sizeof(sbk));
	if (rv == -1) {
		st = ntlm_fail(ns, STATUS_INSUFFICIENT_RESOURCES, "crypto");
		goto out;
	}
	if (am->am_mic) {
		rv = mic_verify(ns, msg, len, esk);
		if (rv != 1) {
			st = ntlm_fail(ns, rv == 0 ? STATUS_LOGON_FAILURE :
			    STATUS_INSUFFICIENT_RESOURCES,
			    "MIC does not verify");
			goto out;
		}
	}
	if (keys_derive(ns, esk) == -1) {
		st = ntlm_fail(ns, STATUS_INSUFFICIENT_RESOURCES, "crypto");
		goto out;
	}
	memcpy(res->nr_session_key, esk, sizeof(esk));
	res->nr_have_key = true;
	res->nr_mic = am->am_mic;
	ntlm_set_state(ns, NTLM_DONE);
	st = STATUS_SUCCESS;
out:
	OPENSSL_cleanse(esk, sizeof(esk));
	return st;
}

uint32_t
ntlm_server_authenticate(struct ntlm_server *ns, const uint8_t *msg,
    size_t len, struct ntlm_result *res)
{
	struct auth_msg am;
	uint32_t st;

	NTLM_ASSERT(ns);
	memset(res, 0, sizeof(*res));
	memset(&am, 0, sizeof(am));
	if (ns->ns_state != NTLM_CHALLENGED)
		return ntlm_fail(ns, STATUS_INVALID_PARAMETER,
		    "AUTHENTICATE in state %s",
		    ntlm_state_names[ns->ns_state]);
	if ((st = auth_parse(ns, msg, len, &am)) != STATUS_SUCCESS)
		return st;
	/* The strings are UTF-16 only with UNICODE (2.2.1.3). */
	if (!(am.am_flags & NTLMSSP_NEGOTIATE_UNICODE))
		return ntlm_fail(ns, STATUS_NOT_SUPPORTED,
		    "AUTHENTICATE flags 0x%08x lack UNICODE", am.am_flags);
	/* The client may only take away from what we offered. */
	ns->ns_flags = ns->ns_chal_flags & am.am_flags;
	res->nr_flags = ns->ns_flags;
	if ((st = name_get(ns, &am.am_f[F_USER], res->nr_user,
	    sizeof(res->nr_user))) != STATUS_SUCCESS ||
	    (st = name_get(ns, &am.am_f[F_DOMAIN], res->nr_domain,
	    sizeof(res->nr_domain))) != STATUS_SUCCESS ||
	    (st = name_get(ns, &am.am_f[F_WORKSTATION], res->nr_workstation,
	    sizeof(res->nr_workstation))) != STATUS_SUCCESS)
		return st;
	return auth_decide(ns, msg, len, &am, res);
}

static uint32_t
sec_ready(const struct ntlm_server *ns)
{
	if (ns->ns_state != NTLM_DONE || !ns->ns_keyed)
		return STATUS_NO_USER_SESSION_KEY;
	return STATUS_SUCCESS;
}

/* HMAC_MD5(SigningKey, ConcatenationOf(SeqNum, Message)) (3.4.4.2). */
static int
mac_checksum(const struct ntlm_dir *d, const uint8_t *msg, size_t len,
    uint8_t h[16])
{
	uint8_t seq[4];
	struct chunk c[2];

	le32enc(seq, d->nd_seq);
	c[0] = (struct chunk){ seq, sizeof(seq) };
	c[1] = (struct chunk){ msg, len };
	return hmac_md5(d->nd_sign_key, NTLM_KEY_LEN, c, 2, h);
}

/*
 * The rest of MAC() (3.4.4.2): Version 1, Checksum (the first 8 bytes,
 * through RC4(Handle) with KEY_EXCH), SeqNum; then SeqNum + 1.
 */
static int
mac_finish(const struct ntlm_server *ns, struct ntlm_dir *d,
    const uint8_t h[16], uint8_t sig[NTLM_SIG_LEN])
{
	le32enc(sig, 1);
	if (ns->ns_flags & NTLMSSP_NEGOTIATE_KEY_EXCH) {
		if (rc4_apply(d->nd_rc4, h, sig + 4, 8) == -1)
			return -1;
	} else
		memcpy(sig + 4, h, 8);
	le32enc(sig + 12, d->nd_seq);
	d->nd_seq++;
	return 0;
}

uint32_t
ntlm_server_sign(struct ntlm_server *ns, const uint8_t *msg, size_t len,
    uint8_t sig[NTLM_SIG_LEN])
{
	uint8_t h[16];
	uint32_t st;
	int rv;

	NTLM_ASSERT(ns);
	if ((st = sec_ready(ns)) != STATUS_SUCCESS)
		return st;
	rv = mac_checksum(&ns->ns_out, msg, len, h) == 0 &&
	    mac_finish(ns, &ns->ns_out, h, sig) == 0;
	OPENSSL_cleanse(h, sizeof(h));
	return rv ? STATUS_SUCCESS : STATUS_INSUFFICIENT_RESOURCES;
}

/* Compares sig with what the client's MAC should be for checksum h. */
static uint32_t
sig_compare(struct ntlm_server *ns, const uint8_t h[16], const uint8_t *sig)
{
	uint8_t want[NTLM_SIG_LEN];
	uint32_t st = STATUS_SUCCESS;

	if (mac_finish(ns, &ns->ns_in, h, want) == -1)
		st = STATUS_INSUFFICIENT_RESOURCES;
	else if (CRYPTO_memcmp(want, sig, sizeof(want)) != 0) {
		log_debug("ntlm %p: bad signature for sequence %u",
		    (void *)ns, ns->ns_in.nd_seq - 1);
		st = STATUS_ACCESS_DENIED;
	}
	OPENSSL_cleanse(want, sizeof(want));
	return st;
}

uint32_t
ntlm_server_check_sign(struct ntlm_server *ns, const uint8_t *msg, size_t len,
    const uint8_t *sig, size_t siglen)
{
	uint8_t h[16];
	uint32_t st;

	NTLM_ASSERT(ns);
	if ((st = sec_ready(ns)) != STATUS_SUCCESS)
		return st;
	if (sig == NULL || siglen != NTLM_SIG_LEN)
		return STATUS_INVALID_PARAMETER;
	if (mac_checksum(&ns->ns_in, msg, len, h) == -1)
		return STATUS_INSUFFICIENT_RESOURCES;
	st = sig_compare(ns, h, sig);
	OPENSSL_cleanse(h, sizeof(h));
	return st;
}

/*
 * SEAL (3.4.3): the checksum is over the plaintext, but the handle
 * encrypts the message before it encrypts the checksum.
 */
uint32_t
ntlm_server_seal(struct ntlm_server *ns, uint8_t *msg, size_t len,
    uint8_t sig[NTLM_SIG_LEN])
{
	uint8_t h[16];
	uint32_t st;
	int rv;

	NTLM_ASSERT(ns);
	if ((st = sec_ready(ns)) != STATUS_SUCCESS)
		return st;
	rv = mac_checksum(&ns->ns_out, msg, len, h) == 0 &&
	    rc4_apply(ns->ns_out.nd_rc4, msg, msg, len) == 0 &&
	    mac_finish(ns, &ns->ns_out, h, sig) == 0;
	OPENSSL_cleanse(h, sizeof(h));
	return rv ? STATUS_SUCCESS : STATUS_INSUFFICIENT_RESOURCES;
}

uint32_t
ntlm_server_unseal(struct ntlm_server *ns, uint8_t *msg, size_t len,
    const uint8_t *sig, size_t siglen)
{
	uint8_t h[16];
	uint32_t st;

	NTLM_ASSERT(ns);
	if ((st = sec_ready(ns)) != STATUS_SUCCESS)
		return st;
	if (sig == NULL || siglen != NTLM_SIG_LEN)
		return STATUS_INVALID_PARAMETER;
	if (rc4_apply(ns->ns_in.nd_rc4, msg, msg, len) == -1 ||
	    mac_checksum(&ns->ns_in, msg, len, h) == -1)
		return STATUS_INSUFFICIENT_RESOURCES;
	st = sig_compare(ns, h, sig);
	OPENSSL_cleanse(h, sizeof(h));
	return st;
}
