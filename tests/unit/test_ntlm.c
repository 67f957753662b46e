/*
 * test_ntlm.c — the NTLMSSP server: the published MS-NLMP 4.2.4 NTLMv2
 * example, messages made by impacket, and a client written here (on
 * OpenSSL, not on ntlm.c) for what the examples do not cover: MIC, wrong
 * password, NTLMv1, guest, anonymous, disabled accounts, malformed and
 * truncated messages, out-of-order calls, signing.
 *
 * Where the bytes come from:
 *   - MS-NLMP 4.2.1 (common values), 4.2.4 (flags), 4.2.4.1.1 (NTOWFv2),
 *     4.2.4.1.2 (SessionBaseKey), 4.2.4.2.1 (LMv2), 4.2.4.2.2
 *     (NTProofStr), 4.2.4.2.3 (EncryptedRandomSessionKey), 4.2.4.3 (the
 *     AUTHENTICATE_MESSAGE) and 4.2.4.4 (GSS_WrapEx: sealing and signing
 *     keys, sealed data, signature).  4.2.4 and 4.2.4.4 were read on
 *     Microsoft's pages; 4.2.4.1.1 to 4.2.4.2.3 as impacket's
 *     tests/SMB_RPC/test_ntlm.py asserts them; 4.2.4.3 as two unrelated
 *     public projects carry it, byte for byte the same.
 *     test_ntlm_published_ntlmv2_values_agree checks them against each
 *     other, so a transcription error cannot pass unnoticed.
 *   - MS-NLMP 4.2.2.1.2 for NTOWFv1("Password"); RFC 1320 A.5 for
 *     MD4("").
 *   - imp_*: impacket 0.10.0 (Debian python3-impacket) as the client, by
 *     a throw-away script (not in the tree) making these calls:
 *     getNTLMSSPType1("WS01", "", signingRequired=True,
 *     use_ntlmv2=True); getNTLMSSPType3(type1, type2, "alice", "S3cret!",
 *     "WORKGROUP") against a CHALLENGE whose ServerChallenge is
 *     11 22 33 44 55 66 77 88; the exported session key it chose;
 *     ntlm.SIGN() of imp_mechtypes and "second" with the client and the
 *     server keys (sequence 0 and 1); and its anonymous AUTHENTICATE
 *     (empty user and password).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include <ctype.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "clock.h"
#include "msgbuf.h"
#include "ntlm.h"
#include "ntstatus.h"
#include "ucs2.h"

#ifndef STATUS_NAME_TOO_LONG
#define STATUS_NAME_TOO_LONG		0xC0000106u
#endif
#ifndef STATUS_NO_USER_SESSION_KEY
#define STATUS_NO_USER_SESSION_KEY	0xC0000202u
#endif

/* MS-NLMP 4.2.1 and 4.2.4. */
static const uint8_t spec_server_challenge[8] = {
	0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef
};
static const uint8_t spec_random_session_key[16] = {
	0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55,
	0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55
};
/* 4.2.4.1.1 NTOWFv2("Password", "User", "Domain") */
static const uint8_t spec_ntowfv2[16] = {
	0x0c, 0x86, 0x8a, 0x40, 0x3b, 0xfd, 0x7a, 0x93,
	0xa3, 0x00, 0x1e, 0xf2, 0x2e, 0xf0, 0x2e, 0x3f
};
/* 4.2.4.1.2 Session Base Key */
static const uint8_t spec_session_base_key[16] = {
	0x8d, 0xe4, 0x0c, 0xca, 0xdb, 0xc1, 0x4a, 0x82,
	0xf1, 0x5c, 0xb0, 0xad, 0x0d, 0xe9, 0x5c, 0xa3
};
/* 4.2.4.2.2 NTLMv2 Response (NTProofStr) */
static const uint8_t spec_ntproofstr[16] = {
	0x68, 0xcd, 0x0a, 0xb8, 0x51, 0xe5, 0x1c, 0x96,
	0xaa, 0xbc, 0x92, 0x7b, 0xeb, 0xef, 0x6a, 0x1c
};
/* 4.2.4.2.1 LMv2 Response */
static const uint8_t spec_lmv2[24] = {
	0x86, 0xc3, 0x50, 0x97, 0xac, 0x9c, 0xec, 0x10,
	0x25, 0x54, 0x76, 0x4a, 0x57, 0xcc, 0xcc, 0x19,
	0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa
};
/* 4.2.4.2.3 Encrypted Session Key */
static const uint8_t spec_encrypted_session_key[16] = {
	0xc5, 0xda, 0xd2, 0x54, 0x4f, 0xc9, 0x79, 0x90,
	0x94, 0xce, 0x1c, 0xe9, 0x0b, 0xc9, 0xd0, 0x3e
};
/* 4.2.4.3 AUTHENTICATE_MESSAGE: flags e2888235, no MIC. */
static const uint8_t spec_authenticate[232] = {
	0x4e, 0x54, 0x4c, 0x4d, 0x53, 0x53, 0x50, 0x00,
	0x03, 0x00, 0x00, 0x00, 0x18, 0x00, 0x18, 0x00,
	0x6c, 0x00, 0x00, 0x00, 0x54, 0x00, 0x54, 0x00,
	0x84, 0x00, 0x00, 0x00, 0x0c, 0x00, 0x0c, 0x00,
	0x48, 0x00, 0x00, 0x00, 0x08, 0x00, 0x08, 0x00,
	0x54, 0x00, 0x00, 0x00, 0x10, 0x00, 0x10, 0x00,
	0x5c, 0x00, 0x00, 0x00, 0x10, 0x00, 0x10, 0x00,
	0xd8, 0x00, 0x00, 0x00, 0x35, 0x82, 0x88, 0xe2,
	0x05, 0x01, 0x28, 0x0a, 0x00, 0x00, 0x00, 0x0f,
	0x44, 0x00, 0x6f, 0x00, 0x6d, 0x00, 0x61, 0x00,
	0x69, 0x00, 0x6e, 0x00, 0x55, 0x00, 0x73, 0x00,
	0x65, 0x00, 0x72, 0x00, 0x43, 0x00, 0x4f, 0x00,
	0x4d, 0x00, 0x50, 0x00, 0x55, 0x00, 0x54, 0x00,
	0x45, 0x00, 0x52, 0x00, 0x86, 0xc3, 0x50, 0x97,
	0xac, 0x9c, 0xec, 0x10, 0x25, 0x54, 0x76, 0x4a,
	0x57, 0xcc, 0xcc, 0x19, 0xaa, 0xaa, 0xaa, 0xaa,
	0xaa, 0xaa, 0xaa, 0xaa, 0x68, 0xcd, 0x0a, 0xb8,
	0x51, 0xe5, 0x1c, 0x96, 0xaa, 0xbc, 0x92, 0x7b,
	0xeb, 0xef, 0x6a, 0x1c, 0x01, 0x01, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0xaa, 0xaa, 0xaa, 0xaa,
	0xaa, 0xaa, 0xaa, 0xaa, 0x00, 0x00, 0x00, 0x00,
	0x02, 0x00, 0x0c, 0x00, 0x44, 0x00, 0x6f, 0x00,
	0x6d, 0x00, 0x61, 0x00, 0x69, 0x00, 0x6e, 0x00,
	0x01, 0x00, 0x0c, 0x00, 0x53, 0x00, 0x65, 0x00,
	0x72, 0x00, 0x76, 0x00, 0x65, 0x00, 0x72, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0xc5, 0xda, 0xd2, 0x54, 0x4f, 0xc9, 0x79, 0x90,
	0x94, 0xce, 0x1c, 0xe9, 0x0b, 0xc9, 0xd0, 0x3e
};
#define SPEC_NT_OFF	0x84
#define SPEC_NT_LEN	0x54
#define SPEC_LM_OFF	0x6c
/* 4.2.4.4: "Plaintext" in UTF-16LE, sealed client to server, SeqNum 0. */
static const uint8_t spec_plaintext[18] = {
	0x50, 0x00, 0x6c, 0x00, 0x61, 0x00, 0x69, 0x00, 0x6e, 0x00,
	0x74, 0x00, 0x65, 0x00, 0x78, 0x00, 0x74, 0x00
};
static const uint8_t spec_sealed[18] = {
	0x54, 0xe5, 0x01, 0x65, 0xbf, 0x19, 0x36, 0xdc, 0x99, 0x60,
	0x20, 0xc1, 0x81, 0x1b, 0x0f, 0x06, 0xfb, 0x5f
};
static const uint8_t spec_signature[16] = {
	0x01, 0x00, 0x00, 0x00, 0x7f, 0xb3, 0x8e, 0xc5,
	0xc5, 0x5d, 0x49, 0x76, 0x00, 0x00, 0x00, 0x00
};
/* 4.2.4.4 SEALKEY and SIGNKEY, client to server */
static const uint8_t spec_client_seal_key[16] = {
	0x59, 0xf6, 0x00, 0x97, 0x3c, 0xc4, 0x96, 0x0a,
	0x25, 0x48, 0x0a, 0x7c, 0x19, 0x6e, 0x4c, 0x58
};
static const uint8_t spec_client_sign_key[16] = {
	0x47, 0x88, 0xdc, 0x86, 0x1b, 0x47, 0x82, 0xf3,
	0x5d, 0x43, 0xfd, 0x98, 0xfe, 0x1a, 0x2d, 0x39
};
/* 4.2.4.4 HMAC_MD5(SigningKey, SeqNum || Message)[0..7] */
static const uint8_t spec_checksum[8] = {
	0x70, 0x35, 0x28, 0x51, 0xf2, 0x56, 0x43, 0x09
};
/* 4.2.2.1.2 NTOWFv1("Password") */
static const uint8_t spec_ntowfv1[16] = {
	0xa4, 0xf4, 0x9c, 0x40, 0x65, 0x10, 0xbd, 0xca,
	0xb6, 0x82, 0x4e, 0xe7, 0xc3, 0x0f, 0xd8, 0x52
};
/* RFC 1320 A.5: MD4("") */
static const uint8_t md4_empty[16] = {
	0x31, 0xd6, 0xcf, 0xe0, 0xd1, 0x6a, 0xe9, 0x31,
	0xb7, 0x3c, 0x59, 0xd7, 0xe0, 0xc0, 0x89, 0xc0
};

/* impacket, see the top of the file.  AUTHENTICATE flags e0888235. */
static const uint8_t imp_challenge[8] = {
	0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88
};
static const uint8_t imp_mechtypes[14] = {
	0x30, 0x0c, 0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37,
	0x02, 0x02, 0x0a
};
static const uint8_t imp_negotiate[32] = {
	0x4e, 0x54, 0x4c, 0x4d, 0x53, 0x53, 0x50, 0x00, 0x01, 0x00, 0x00, 0x00,
	0x35, 0x82, 0x88, 0xe0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};
static const uint8_t imp_authenticate[294] = {
	0x4e, 0x54, 0x4c, 0x4d, 0x53, 0x53, 0x50, 0x00, 0x03, 0x00, 0x00, 0x00,
	0x18, 0x00, 0x18, 0x00, 0x64, 0x00, 0x00, 0x00, 0x9a, 0x00, 0x9a, 0x00,
	0x7c, 0x00, 0x00, 0x00, 0x12, 0x00, 0x12, 0x00, 0x40, 0x00, 0x00, 0x00,
	0x0a, 0x00, 0x0a, 0x00, 0x52, 0x00, 0x00, 0x00, 0x08, 0x00, 0x08, 0x00,
	0x5c, 0x00, 0x00, 0x00, 0x10, 0x00, 0x10, 0x00, 0x16, 0x01, 0x00, 0x00,
	0x35, 0x82, 0x88, 0xe0, 0x57, 0x00, 0x4f, 0x00, 0x52, 0x00, 0x4b, 0x00,
	0x47, 0x00, 0x52, 0x00, 0x4f, 0x00, 0x55, 0x00, 0x50, 0x00, 0x61, 0x00,
	0x6c, 0x00, 0x69, 0x00, 0x63, 0x00, 0x65, 0x00, 0x57, 0x00, 0x53, 0x00,
	0x30, 0x00, 0x31, 0x00, 0xaa, 0x25, 0x9d, 0x9c, 0xc3, 0xca, 0x6b, 0x95,
	0x8a, 0xb3, 0x51, 0x79, 0xa4, 0x18, 0xee, 0x40, 0x54, 0x37, 0x43, 0x6a,
	0x63, 0x77, 0x6f, 0x54, 0x9f, 0x21, 0x95, 0x70, 0xd1, 0xed, 0x64, 0x3e,
	0x83, 0xa0, 0x35, 0x54, 0x89, 0x5e, 0x5c, 0x53, 0x01, 0x01, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x80, 0x20, 0x9b, 0xcb, 0x82, 0xd8, 0x01,
	0x54, 0x37, 0x43, 0x6a, 0x63, 0x77, 0x6f, 0x54, 0x00, 0x00, 0x00, 0x00,
	0x02, 0x00, 0x12, 0x00, 0x57, 0x00, 0x4f, 0x00, 0x52, 0x00, 0x4b, 0x00,
	0x47, 0x00, 0x52, 0x00, 0x4f, 0x00, 0x55, 0x00, 0x50, 0x00, 0x01, 0x00,
	0x0e, 0x00, 0x53, 0x00, 0x4d, 0x00, 0x42, 0x00, 0x53, 0x00, 0x52, 0x00,
	0x56, 0x00, 0x44, 0x00, 0x04, 0x00, 0x00, 0x00, 0x03, 0x00, 0x0e, 0x00,
	0x73, 0x00, 0x6d, 0x00, 0x62, 0x00, 0x73, 0x00, 0x72, 0x00, 0x76, 0x00,
	0x64, 0x00, 0x07, 0x00, 0x08, 0x00, 0x00, 0x80, 0x20, 0x9b, 0xcb, 0x82,
	0xd8, 0x01, 0x09, 0x00, 0x18, 0x00, 0x63, 0x00, 0x69, 0x00, 0x66, 0x00,
	0x73, 0x00, 0x2f, 0x00, 0x53, 0x00, 0x4d, 0x00, 0x42, 0x00, 0x53, 0x00,
	0x52, 0x00, 0x56, 0x00, 0x44, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x66, 0x34, 0xd1, 0xec, 0x5e, 0x29, 0xff, 0xd1, 0xcb, 0x8a,
	0xb5, 0x9a, 0x55, 0x89, 0x94, 0x2a,
};
static const uint8_t imp_session_key[16] = {
	0x71, 0x62, 0x6f, 0x6a, 0x46, 0x69, 0x63, 0x4a, 0x50, 0x41, 0x67, 0x59,
	0x31, 0x64, 0x32, 0x31,
};
static const uint8_t imp_client_sig0[16] = {
	0x01, 0x00, 0x00, 0x00, 0xe5, 0x4a, 0x8e, 0x81, 0xa5, 0x17, 0x60, 0x14,
	0x00, 0x00, 0x00, 0x00,
};
static const uint8_t imp_client_sig1[16] = {
	0x01, 0x00, 0x00, 0x00, 0x52, 0x4e, 0xdf, 0x84, 0xb7, 0xfc, 0x1e, 0x9d,
	0x01, 0x00, 0x00, 0x00,
};
static const uint8_t imp_server_sig0[16] = {
	0x01, 0x00, 0x00, 0x00, 0xef, 0xc6, 0x8e, 0x60, 0x20, 0x9c, 0xcd, 0xf3,
	0x00, 0x00, 0x00, 0x00,
};
static const uint8_t imp_server_sig1[16] = {
	0x01, 0x00, 0x00, 0x00, 0xd8, 0x7f, 0xa5, 0xfa, 0xe9, 0x3a, 0xae, 0x49,
	0x01, 0x00, 0x00, 0x00,
};
static const uint8_t imp_anonymous[89] = {
	0x4e, 0x54, 0x4c, 0x4d, 0x53, 0x53, 0x50, 0x00, 0x03, 0x00, 0x00, 0x00,
	0x01, 0x00, 0x01, 0x00, 0x48, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x49, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x40, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x40, 0x00, 0x00, 0x00, 0x08, 0x00, 0x08, 0x00,
	0x40, 0x00, 0x00, 0x00, 0x10, 0x00, 0x10, 0x00, 0x49, 0x00, 0x00, 0x00,
	0x35, 0x82, 0x88, 0xe0, 0x57, 0x00, 0x53, 0x00, 0x30, 0x00, 0x31, 0x00,
	0x00, 0xb2, 0x7d, 0xc8, 0x79, 0xcb, 0x65, 0x6c, 0x03, 0xc6, 0x45, 0x7a,
	0x09, 0x03, 0x56, 0xa7, 0x3d,
};

/* AUTHENTICATE_MESSAGE field positions (MS-NLMP 2.2.1.3). */
#define A_LM		12
#define A_NT		20
#define A_DOMAIN	28
#define A_USER		36
#define A_WS		44
#define A_KEY		52
#define A_FLAGS		60
#define A_MIC		72
#define A_PAYLOAD	88

/* What a Windows 10 client asks for, plus VERSION. */
#define WIN_FLAGS	0xe2088297u
#define NEED_FLAGS	(NTLMSSP_NEGOTIATE_UNICODE |			\
	NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY | NTLMSSP_NEGOTIATE_128)

/* ---- the user database ---- */

struct t_user {
	const char	*u_name;
	const char	*u_password;
	int		 u_result;
};

static const struct t_user t_users[] = {
	{ "User", "Password", NTLM_LOOKUP_OK },		/* MS-NLMP 4.2.1 */
	{ "alice", "S3cret!", NTLM_LOOKUP_OK },
	{ "j\xc3\xbcrgen", "gr\xc3\xbc\xc3\x9f" "e", NTLM_LOOKUP_OK },
	{ "bob", "bobs-pw", NTLM_LOOKUP_DISABLED },
	{ "broken", NULL, NTLM_LOOKUP_ERROR },
};

static int	t_lookups;
static char	t_last_domain[NTLM_NAME_UTF8_MAX + 1];

static int
t_lookup(void *arg, const char *user, const char *domain,
    uint8_t nthash[NTLM_NTHASH_LEN])
{
	size_t i;

	assert_ptr_equal(arg, &t_lookups);
	t_lookups++;
	snprintf(t_last_domain, sizeof(t_last_domain), "%s", domain);
	for (i = 0; i < sizeof(t_users) / sizeof(t_users[0]); i++) {
		if (strcasecmp(user, t_users[i].u_name) != 0)
			continue;
		if (t_users[i].u_password != NULL)
			assert_int_equal(ntlm_nthash(t_users[i].u_password,
			    nthash), 0);
		return t_users[i].u_result;
	}
	return NTLM_LOOKUP_UNKNOWN;
}

static struct ntlm_config
t_config(const uint8_t *challenge, bool guest_ok)
{
	struct ntlm_config cfg = {
		.nc_netbios_name = "SMBSRVD",
		.nc_netbios_domain = "WORKGROUP",
		.nc_guest_ok = guest_ok,
		.nc_lookup = t_lookup,
		.nc_lookup_arg = &t_lookups,
		.nc_challenge = challenge,
	};

	return cfg;
}

static struct ntlm_server *
t_server(const uint8_t *challenge, bool guest_ok)
{
	struct ntlm_config cfg = t_config(challenge, guest_ok);
	struct ntlm_server *ns;

	assert_non_null(ns = ntlm_server_new(&cfg));
	return ns;
}

/* ---- client-side cryptography, straight on OpenSSL ---- */

static void
t_hmac_md5(const uint8_t *key, size_t keylen, const uint8_t *a, size_t alen,
    const uint8_t *b, size_t blen, uint8_t out[16])
{
	uint8_t *buf;
	size_t outl = 0;

	assert_non_null(buf = malloc(alen + blen + 1));
	if (alen > 0)
		memcpy(buf, a, alen);
	if (blen > 0)
		memcpy(buf + alen, b, blen);
	assert_non_null(EVP_Q_mac(NULL, "HMAC", NULL, "MD5", NULL, key,
	    keylen, buf, alen + blen, out, 16, &outl));
	assert_int_equal(outl, 16);
	free(buf);
}

static void
t_rc4(const uint8_t key[16], const uint8_t *in, uint8_t *out, size_t n)
{
	EVP_CIPHER *rc4;
	EVP_CIPHER_CTX *ctx;
	int outl;

	assert_non_null(rc4 = EVP_CIPHER_fetch(NULL, "RC4", NULL));
	assert_non_null(ctx = EVP_CIPHER_CTX_new());
	assert_true(EVP_EncryptInit_ex2(ctx, rc4, key, NULL, NULL));
	assert_true(EVP_EncryptUpdate(ctx, out, &outl, in, (int)n));
	assert_int_equal(outl, (int)n);
	EVP_CIPHER_CTX_free(ctx);
	EVP_CIPHER_free(rc4);
}

static size_t
t_utf16(const char *s, uint8_t *out, size_t outsz)
{
	ssize_t n = ucs2_from_utf8(s, strlen(s), out, outsz);

	assert_true(n >= 0);
	return (size_t)n;
}

/* ---- a client ---- */

enum t_nt { NT_V2, NT_V1, NT_NONE };

struct t_client {
	const char	*c_user, *c_domain, *c_workstation, *c_password;
	const char	*c_proof_user;	/* Uppercase(User); NULL: ASCII */
	const char	*c_proof_domain; /* UserDom in NTOWFv2; NULL: domain */
	uint32_t	 c_neg_flags;
	uint32_t	 c_auth_flags;	/* 0: the CHALLENGE's */
	bool		 c_mic;
	enum t_nt	 c_nt;
	size_t		 c_lm_len;	/* 0 or 24 zero bytes (Windows) */
	/* Made by the client. */
	uint8_t		 c_neg[40];
	size_t		 c_neglen;
	uint8_t		*c_chal;
	size_t		 c_challen;
	uint8_t		*c_auth;
	size_t		 c_authlen;
	uint8_t		 c_session_key[16];
};

static void
t_client_init(struct t_client *c, const char *user, const char *password)
{
	memset(c, 0, sizeof(*c));
	c->c_user = user;
	c->c_password = password;
	c->c_domain = "WORKGROUP";
	c->c_workstation = "WS01";
	c->c_neg_flags = WIN_FLAGS;
	c->c_mic = true;
	c->c_nt = NT_V2;
	c->c_lm_len = 24;
}

static void
t_client_free(struct t_client *c)
{
	free(c->c_chal);
	free(c->c_auth);
	c->c_chal = c->c_auth = NULL;
}

/* NEGOTIATE_MESSAGE (2.2.1.1) as Windows sends it: no names, a Version. */
static void
t_client_negotiate(struct t_client *c)
{
	static const uint8_t version[8] = { 10, 0, 0x61, 0x4a, 0, 0, 0, 15 };
	uint8_t *p = c->c_neg;

	memset(p, 0, sizeof(c->c_neg));
	memcpy(p, "NTLMSSP", 8);
	le32enc(p + 8, 1);
	le32enc(p + 12, c->c_neg_flags);
	le32enc(p + 20, 40);
	le32enc(p + 28, 40);
	memcpy(p + 32, version, sizeof(version));
	c->c_neglen = 40;
}

static void
t_put_field(struct msgbuf_wr *wr, size_t at, const void *p, size_t len)
{
	size_t off = msgbuf_wr_len(wr);

	msgbuf_put_bytes(wr, p, len);
	msgbuf_patch_le16(wr, at, (uint16_t)len);
	msgbuf_patch_le16(wr, at + 2, (uint16_t)len);
	msgbuf_patch_le32(wr, at + 4, (uint32_t)off);
}

/*
 * AUTHENTICATE_MESSAGE (2.2.1.3) for c_chal, computed as 3.1.5.1.2 and
 * 3.3.2 say, with a Version and a MIC field and the payload after them.
 */
static void
t_client_authenticate(struct t_client *c)
{
	static const uint8_t client_challenge[8] = {
		0xc1, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7, 0xc8
	};
	static const uint8_t random_session_key[16] = {
		0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33,
		0x34, 0x34, 0x34, 0x34, 0x34, 0x34, 0x34, 0x34
	};
	struct msgbuf_rd rd;
	struct msgbuf_wr temp, wr;
	uint8_t server_challenge[8], nthash[16], rknt[16], proof[16], sbk[16];
	uint8_t ud[4 * NTLM_NAME_MAX + 8], name[2 * NTLM_NAME_MAX + 8];
	uint8_t key[16], mic[16], lm[24], *nt, *tmp;
	const uint8_t *ti, *val;
	uint64_t timestamp = 0;
	uint32_t flags;
	uint16_t tilen, id, len;
	size_t ulen, n, ntlen, templen;
	char upper[4 * NTLM_NAME_MAX];

	/* What the CHALLENGE says. */
	msgbuf_rd_init(&rd, c->c_chal, c->c_challen);
	msgbuf_seek(&rd, 20);
	flags = msgbuf_get_le32(&rd);
	msgbuf_get_bytes(&rd, server_challenge, 8);
	msgbuf_seek(&rd, 40);
	tilen = msgbuf_get_le16(&rd);
	(void)msgbuf_get_le16(&rd);
	msgbuf_seek(&rd, msgbuf_get_le32(&rd));
	ti = msgbuf_get_ptr(&rd, tilen);
	assert_true(msgbuf_rd_ok(&rd));

	/* temp (3.3.2), its AV pairs those of the CHALLENGE. */
	msgbuf_wr_init(&temp, NTLM_MSG_MAX);
	msgbuf_put_u8(&temp, 1);
	msgbuf_put_u8(&temp, 1);
	msgbuf_put_zero(&temp, 6);
	msgbuf_rd_init(&rd, ti, tilen);
	for (;;) {
		id = msgbuf_get_le16(&rd);
		len = msgbuf_get_le16(&rd);
		val = msgbuf_get_ptr(&rd, len);
		assert_true(msgbuf_rd_ok(&rd));
		if (id == 0)
			break;
		if (id == 7) {
			assert_int_equal(len, 8);
			timestamp = le64dec(val);
		}
	}
	msgbuf_put_le64(&temp, timestamp);
	msgbuf_put_bytes(&temp, client_challenge, 8);
	msgbuf_put_zero(&temp, 4);
	msgbuf_put_bytes(&temp, ti, tilen - 4);	/* all but MsvAvEOL */
	if (c->c_mic) {
		msgbuf_put_le16(&temp, 6);		/* MsvAvFlags */
		msgbuf_put_le16(&temp, 4);
		msgbuf_put_le32(&temp, 2);		/* MIC present */
	}
	msgbuf_put_zero(&temp, 4);			/* MsvAvEOL */
	msgbuf_put_zero(&temp, 4);
	assert_true(msgbuf_wr_ok(&temp));
	tmp = msgbuf_wr_steal(&temp, &templen);

	/* NTOWFv2, NTProofStr, SessionBaseKey (3.3.2). */
	if (c->c_proof_user == NULL) {
		for (n = 0; c->c_user[n] != '\0'; n++)
			upper[n] = (char)toupper((unsigned char)c->c_user[n]);
		upper[n] = '\0';
	} else
		snprintf(upper, sizeof(upper), "%s", c->c_proof_user);
	ulen = t_utf16(upper, ud, sizeof(ud));
	ulen += t_utf16(c->c_proof_domain != NULL ? c->c_proof_domain :
	    c->c_domain, ud + ulen, sizeof(ud) - ulen);
	assert_int_equal(ntlm_nthash(c->c_password, nthash), 0);
	t_hmac_md5(nthash, 16, ud, ulen, NULL, 0, rknt);
	t_hmac_md5(rknt, 16, server_challenge, 8, tmp, templen, proof);
	t_hmac_md5(rknt, 16, proof, 16, NULL, 0, sbk);
	ntlen = 16 + templen;
	assert_non_null(nt = malloc(ntlen));
	memcpy(nt, proof, 16);
	memcpy(nt + 16, tmp, templen);
	free(tmp);
	if (c->c_nt == NT_V1) {
		memset(nt, 0x5a, 24);
		ntlen = 24;
	} else if (c->c_nt == NT_NONE)
		ntlen = 0;

	if (c->c_auth_flags == 0)
		c->c_auth_flags = flags;
	if (c->c_auth_flags & NTLMSSP_NEGOTIATE_KEY_EXCH) {
		t_rc4(sbk, random_session_key, key, 16);
		memcpy(c->c_session_key, random_session_key, 16);
	} else
		memcpy(c->c_session_key, sbk, 16);

	msgbuf_wr_init(&wr, NTLM_MSG_MAX);
	msgbuf_put_bytes(&wr, "NTLMSSP", 8);
	msgbuf_put_le32(&wr, 3);
	msgbuf_put_zero(&wr, 6 * 8);
	msgbuf_put_le32(&wr, c->c_auth_flags);
	msgbuf_put_bytes(&wr, "\x0a\x00\x61\x4a\x00\x00\x00\x0f", 8);
	msgbuf_put_zero(&wr, 16);			/* MIC */
	t_put_field(&wr, A_DOMAIN, name,
	    t_utf16(c->c_domain, name, sizeof(name)));
	t_put_field(&wr, A_USER, name, t_utf16(c->c_user, name, sizeof(name)));
	t_put_field(&wr, A_WS, name,
	    t_utf16(c->c_workstation, name, sizeof(name)));
	memset(lm, 0, sizeof(lm));
	t_put_field(&wr, A_LM, lm, c->c_lm_len);
	t_put_field(&wr, A_NT, nt, ntlen);
	t_put_field(&wr, A_KEY, key,
	    c->c_auth_flags & NTLMSSP_NEGOTIATE_KEY_EXCH ? 16 : 0);
	assert_true(msgbuf_wr_ok(&wr));
	free(nt);
	free(c->c_auth);
	c->c_auth = msgbuf_wr_steal(&wr, &c->c_authlen);

	/* MIC = HMAC_MD5(ExportedSessionKey, NEG || CHAL || AUTH), 3.1.5.1.2 */
	if (c->c_mic) {
		n = c->c_neglen + c->c_challen + c->c_authlen;
		assert_non_null(tmp = malloc(n));
		memcpy(tmp, c->c_neg, c->c_neglen);
		memcpy(tmp + c->c_neglen, c->c_chal, c->c_challen);
		memcpy(tmp + c->c_neglen + c->c_challen, c->c_auth,
		    c->c_authlen);
		t_hmac_md5(c->c_session_key, 16, tmp, n, NULL, 0, mic);
		memcpy(c->c_auth + A_MIC, mic, 16);
		free(tmp);
	}
}

/* NEGOTIATE and CHALLENGE through ns; the AUTHENTICATE is then made. */
static void
t_client_start(struct t_client *c, struct ntlm_server *ns)
{
	t_client_negotiate(c);
	assert_int_equal(ntlm_server_negotiate(ns, c->c_neg, c->c_neglen,
	    &c->c_chal, &c->c_challen), STATUS_MORE_PROCESSING_REQUIRED);
	t_client_authenticate(c);
}

/* Hands msg[0..len) to a fresh exchange, from a heap copy of that size. */
static uint32_t
t_authenticate_copy(struct ntlm_server *ns, const uint8_t *msg, size_t len,
    struct ntlm_result *res)
{
	uint8_t *copy;
	uint32_t st;

	assert_non_null(copy = malloc(len + 1));
	memcpy(copy, msg, len);
	st = ntlm_server_authenticate(ns, copy, len, res);
	free(copy);
	return st;
}

/* A whole exchange for c against a new server; returns the status. */
static uint32_t
t_run(struct t_client *c, bool guest_ok, struct ntlm_result *res,
    struct ntlm_server **nsp)
{
	struct ntlm_server *ns = t_server(NULL, guest_ok);
	uint32_t st;

	t_client_start(c, ns);
	st = ntlm_server_authenticate(ns, c->c_auth, c->c_authlen, res);
	if (nsp != NULL)
		*nsp = ns;
	else
		ntlm_server_free(ns);
	return st;
}

/* The 40-byte NEGOTIATE that goes with the 4.2.4.3 AUTHENTICATE. */
static void
t_spec_negotiate(struct ntlm_server *ns)
{
	struct t_client c;
	uint8_t *chal;
	size_t challen;

	memset(&c, 0, sizeof(c));
	c.c_neg_flags = 0xe2888235u;
	t_client_negotiate(&c);
	assert_int_equal(ntlm_server_negotiate(ns, c.c_neg, c.c_neglen, &chal,
	    &challen), STATUS_MORE_PROCESSING_REQUIRED);
	free(chal);
}

static int
t_setup(void **state)
{
	(void)state;
	return ntlm_init() == 0 ? 0 : -1;
}

/* ---- tests ---- */

static void
test_ntlm_nthash_matches_published_values(void **state)
{
	uint8_t h[16];

	(void)state;
	assert_int_equal(ntlm_nthash("Password", h), 0);
	assert_memory_equal(h, spec_ntowfv1, 16);
	assert_int_equal(ntlm_nthash("", h), 0);
	assert_memory_equal(h, md4_empty, 16);
	assert_int_equal(ntlm_nthash("\xc3\x28", h), -1);
}

/*
 * The client helper above is only worth something if it computes the
 * published values; the published values are checked against each other.
 */
static void
test_ntlm_published_ntlmv2_values_agree(void **state)
{
	static const uint8_t ud[] = {	/* "USER" "Domain" */
		'U', 0, 'S', 0, 'E', 0, 'R', 0,
		'D', 0, 'o', 0, 'm', 0, 'a', 0, 'i', 0, 'n', 0
	};
	const uint8_t *temp = spec_authenticate + SPEC_NT_OFF + 16;
	uint8_t nthash[16], rknt[16], out[16];

	(void)state;
	/* 4.2.4.1.1 NTOWFv2 */
	assert_int_equal(ntlm_nthash("Password", nthash), 0);
	t_hmac_md5(nthash, 16, ud, sizeof(ud), NULL, 0, rknt);
	assert_memory_equal(rknt, spec_ntowfv2, 16);
	/* 4.2.4.2.2 NTProofStr, over the temp inside the 4.2.4.3 message */
	t_hmac_md5(rknt, 16, spec_server_challenge, 8, temp,
	    SPEC_NT_LEN - 16, out);
	assert_memory_equal(out, spec_ntproofstr, 16);
	assert_memory_equal(spec_authenticate + SPEC_NT_OFF, spec_ntproofstr,
	    16);
	/* 4.2.4.1.2 SessionBaseKey */
	t_hmac_md5(rknt, 16, spec_ntproofstr, 16, NULL, 0, out);
	assert_memory_equal(out, spec_session_base_key, 16);
	/* 4.2.4.2.3 EncryptedRandomSessionKey */
	t_rc4(spec_session_base_key, spec_random_session_key, out, 16);
	assert_memory_equal(out, spec_encrypted_session_key, 16);
	/* 4.2.4.2.1 LMv2, as the 4.2.4.3 message carries it */
	assert_memory_equal(spec_authenticate + SPEC_LM_OFF, spec_lmv2, 24);
	t_hmac_md5(rknt, 16, spec_server_challenge, 8, spec_lmv2 + 16, 8, out);
	assert_memory_equal(out, spec_lmv2, 16);
	/* 4.2.4.4: the checksum is HMAC_MD5(SignKey, SeqNum || Message). */
	t_hmac_md5(spec_client_sign_key, 16, (const uint8_t *)"\0\0\0\0", 4,
	    spec_plaintext, sizeof(spec_plaintext), out);
	assert_memory_equal(out, spec_checksum, 8);
}

static void
test_ntlm_accepts_the_ms_nlmp_4_2_4_example(void **state)
{
	struct ntlm_server *ns = t_server(spec_server_challenge, false);
	struct ntlm_result res;

	(void)state;
	t_spec_negotiate(ns);
	assert_int_equal(t_authenticate_copy(ns, spec_authenticate,
	    sizeof(spec_authenticate), &res), STATUS_SUCCESS);
	assert_string_equal(res.nr_user, "User");
	assert_string_equal(res.nr_domain, "Domain");
	assert_string_equal(res.nr_workstation, "COMPUTER");
	assert_false(res.nr_guest);
	assert_false(res.nr_anonymous);
	assert_false(res.nr_mic);	/* the example predates the MIC */
	assert_true(res.nr_have_key);
	assert_true(res.nr_flags & NTLMSSP_NEGOTIATE_KEY_EXCH);
	/* RC4K(SessionBaseKey, EncryptedRandomSessionKey): 4.2.4.2.3. */
	assert_memory_equal(res.nr_session_key, spec_random_session_key, 16);
	ntlm_server_free(ns);
}

static void
test_ntlm_unseals_the_ms_nlmp_4_2_4_4_message(void **state)
{
	struct ntlm_server *ns = t_server(spec_server_challenge, false);
	struct ntlm_result res;
	uint8_t msg[sizeof(spec_sealed)], key[16];

	(void)state;
	t_spec_negotiate(ns);
	assert_int_equal(ntlm_server_authenticate(ns, spec_authenticate,
	    sizeof(spec_authenticate), &res), STATUS_SUCCESS);
	memcpy(msg, spec_sealed, sizeof(msg));
	assert_int_equal(ntlm_server_unseal(ns, msg, sizeof(msg),
	    spec_signature, sizeof(spec_signature)), STATUS_SUCCESS);
	assert_memory_equal(msg, spec_plaintext, sizeof(msg));
	/* The published SEALKEY/SIGNKEY, client to server (3.4.5.2-3). */
	t_rc4(spec_client_seal_key, spec_plaintext, key, 16);
	assert_memory_equal(key, spec_sealed, 16);
	assert_int_equal(ntlm_server_unseal(ns, msg, sizeof(msg),
	    spec_signature, 12), STATUS_INVALID_PARAMETER);
	/* The same message again is a replay: sequence 1 is expected. */
	memcpy(msg, spec_sealed, sizeof(msg));
	assert_int_equal(ntlm_server_unseal(ns, msg, sizeof(msg),
	    spec_signature, sizeof(spec_signature)), STATUS_ACCESS_DENIED);
	ntlm_server_free(ns);
}

static void
test_ntlm_accepts_impacket_and_signs_like_it(void **state)
{
	struct ntlm_server *ns = t_server(imp_challenge, false);
	struct ntlm_result res;
	uint8_t *chal, sig[16];
	size_t challen;

	(void)state;
	assert_int_equal(ntlm_server_negotiate(ns, imp_negotiate,
	    sizeof(imp_negotiate), &chal, &challen),
	    STATUS_MORE_PROCESSING_REQUIRED);
	free(chal);
	assert_int_equal(t_authenticate_copy(ns, imp_authenticate,
	    sizeof(imp_authenticate), &res), STATUS_SUCCESS);
	assert_string_equal(res.nr_user, "alice");
	assert_string_equal(res.nr_domain, "WORKGROUP");
	assert_string_equal(res.nr_workstation, "WS01");
	assert_true(res.nr_have_key);
	assert_memory_equal(res.nr_session_key, imp_session_key, 16);
	/* SPNEGO mechListMIC both ways, then a second message each way. */
	assert_int_equal(ntlm_server_check_sign(ns, imp_mechtypes,
	    sizeof(imp_mechtypes), imp_client_sig0, 16), STATUS_SUCCESS);
	assert_int_equal(ntlm_server_sign(ns, imp_mechtypes,
	    sizeof(imp_mechtypes), sig), STATUS_SUCCESS);
	assert_memory_equal(sig, imp_server_sig0, 16);
	assert_int_equal(ntlm_server_check_sign(ns, (const uint8_t *)"second",
	    6, imp_client_sig1, 16), STATUS_SUCCESS);
	assert_int_equal(ntlm_server_sign(ns, (const uint8_t *)"second", 6,
	    sig), STATUS_SUCCESS);
	assert_memory_equal(sig, imp_server_sig1, 16);
	ntlm_server_free(ns);
}

static void
test_ntlm_check_sign_refuses_bad_or_replayed_signatures(void **state)
{
	struct ntlm_server *ns;
	struct ntlm_result res;
	uint8_t *chal, bad[16];
	size_t challen, i;

	(void)state;
	for (i = 0; i < 16; i++) {
		ns = t_server(imp_challenge, false);
		assert_int_equal(ntlm_server_negotiate(ns, imp_negotiate,
		    sizeof(imp_negotiate), &chal, &challen),
		    STATUS_MORE_PROCESSING_REQUIRED);
		free(chal);
		assert_int_equal(ntlm_server_authenticate(ns, imp_authenticate,
		    sizeof(imp_authenticate), &res), STATUS_SUCCESS);
		memcpy(bad, imp_client_sig0, 16);
		bad[i] ^= 0x01;
		assert_int_equal(ntlm_server_check_sign(ns, imp_mechtypes,
		    sizeof(imp_mechtypes), bad, 16), STATUS_ACCESS_DENIED);
		ntlm_server_free(ns);
	}
	ns = t_server(imp_challenge, false);
	assert_int_equal(ntlm_server_negotiate(ns, imp_negotiate,
	    sizeof(imp_negotiate), &chal, &challen),
	    STATUS_MORE_PROCESSING_REQUIRED);
	free(chal);
	assert_int_equal(ntlm_server_authenticate(ns, imp_authenticate,
	    sizeof(imp_authenticate), &res), STATUS_SUCCESS);
	/* Wrong length, wrong message, then a replay of sequence 0. */
	assert_int_equal(ntlm_server_check_sign(ns, imp_mechtypes,
	    sizeof(imp_mechtypes), imp_client_sig0, 15),
	    STATUS_INVALID_PARAMETER);
	assert_int_equal(ntlm_server_check_sign(ns, imp_mechtypes,
	    sizeof(imp_mechtypes) - 1, imp_client_sig0, 16),
	    STATUS_ACCESS_DENIED);
	assert_int_equal(ntlm_server_check_sign(ns, imp_mechtypes,
	    sizeof(imp_mechtypes), imp_client_sig0, 16), STATUS_ACCESS_DENIED);
	ntlm_server_free(ns);
}

static void
test_ntlm_impacket_anonymous_has_no_key(void **state)
{
	struct ntlm_server *ns = t_server(imp_challenge, false);
	struct ntlm_result res;
	uint8_t *chal, sig[16], msg[sizeof(imp_mechtypes)];
	size_t challen;
	int before = t_lookups;

	(void)state;
	assert_int_equal(ntlm_server_negotiate(ns, imp_negotiate,
	    sizeof(imp_negotiate), &chal, &challen),
	    STATUS_MORE_PROCESSING_REQUIRED);
	free(chal);
	assert_int_equal(t_authenticate_copy(ns, imp_anonymous,
	    sizeof(imp_anonymous), &res), STATUS_SUCCESS);
	assert_true(res.nr_anonymous);
	assert_false(res.nr_guest);
	assert_false(res.nr_have_key);
	assert_string_equal(res.nr_user, "");
	assert_string_equal(res.nr_workstation, "WS01");
	assert_int_equal(t_lookups, before);
	assert_int_equal(ntlm_server_sign(ns, imp_mechtypes,
	    sizeof(imp_mechtypes), sig), STATUS_NO_USER_SESSION_KEY);
	memcpy(msg, imp_mechtypes, sizeof(msg));
	assert_int_equal(ntlm_server_seal(ns, msg, sizeof(msg), sig),
	    STATUS_NO_USER_SESSION_KEY);
	assert_int_equal(ntlm_server_unseal(ns, msg, sizeof(msg),
	    imp_client_sig0, 16), STATUS_NO_USER_SESSION_KEY);
	assert_memory_equal(msg, imp_mechtypes, sizeof(msg));
	ntlm_server_free(ns);
}

static void
test_ntlm_anonymous_may_drop_ess_and_128(void **state)
{
	struct t_client c;
	struct ntlm_result res;

	(void)state;
	/* The flags of Samba 4.17 smbclient -N's AUTHENTICATE. */
	t_client_init(&c, "", "");
	c.c_domain = "";
	c.c_nt = NT_NONE;
	c.c_lm_len = 1;
	c.c_mic = false;
	c.c_auth_flags = 0x62008215u;
	assert_int_equal(t_run(&c, false, &res, NULL), STATUS_SUCCESS);
	assert_true(res.nr_anonymous);
	assert_false(res.nr_have_key);
	t_client_free(&c);
	/* A user may not; without UNICODE nobody may. */
	t_client_init(&c, "alice", "S3cret!");
	c.c_auth_flags = 0x62008215u;
	assert_int_equal(t_run(&c, false, &res, NULL), STATUS_NOT_SUPPORTED);
	t_client_free(&c);
	t_client_init(&c, "", "");
	c.c_domain = "";
	c.c_nt = NT_NONE;
	c.c_lm_len = 1;
	c.c_mic = false;
	c.c_auth_flags = 0x62008214u;
	assert_int_equal(t_run(&c, false, &res, NULL), STATUS_NOT_SUPPORTED);
	t_client_free(&c);
}

static void
test_ntlm_accepts_a_client_with_mic(void **state)
{
	struct t_client c;
	struct ntlm_server *ns;
	struct ntlm_result res;
	uint8_t sig[16];

	(void)state;
	t_client_init(&c, "alice", "S3cret!");
	assert_int_equal(t_run(&c, false, &res, &ns), STATUS_SUCCESS);
	assert_true(res.nr_mic);
	assert_true(res.nr_have_key);
	assert_memory_equal(res.nr_session_key, c.c_session_key, 16);
	assert_int_equal(res.nr_flags & NEED_FLAGS, NEED_FLAGS);
	assert_true(res.nr_flags & NTLMSSP_NEGOTIATE_SIGN);
	assert_string_equal(t_last_domain, "WORKGROUP");
	assert_int_equal(ntlm_server_sign(ns, imp_mechtypes,
	    sizeof(imp_mechtypes), sig), STATUS_SUCCESS);
	ntlm_server_free(ns);
	t_client_free(&c);
}

/* SIGNKEY, SEALKEY (3.4.5.2-3): MD5(ExportedSessionKey || magic, NUL). */
static void
t_subkey(const uint8_t esk[16], const char *magic, uint8_t out[16])
{
	uint8_t buf[16 + 64];
	size_t n = strlen(magic) + 1;
	unsigned int outl;

	memcpy(buf, esk, 16);
	memcpy(buf + 16, magic, n);
	assert_true(EVP_Digest(buf, 16 + n, out, &outl, EVP_md5(), NULL));
}

static void
test_ntlm_accepts_and_signs_without_key_exchange(void **state)
{
	struct t_client c;
	struct ntlm_server *ns;
	struct ntlm_result res;
	uint8_t key[16], h[16], sig[16], want[16];

	(void)state;
	t_client_init(&c, "alice", "S3cret!");
	c.c_neg_flags &= ~NTLMSSP_NEGOTIATE_KEY_EXCH;
	assert_int_equal(t_run(&c, false, &res, &ns), STATUS_SUCCESS);
	assert_false(res.nr_flags & NTLMSSP_NEGOTIATE_KEY_EXCH);
	/* ExportedSessionKey is then KeyExchangeKey = SessionBaseKey. */
	assert_memory_equal(res.nr_session_key, c.c_session_key, 16);
	/* Without KEY_EXCH the checksum goes out in clear (3.4.4.2). */
	t_subkey(c.c_session_key,
	    "session key to client-to-server signing key magic constant", key);
	t_hmac_md5(key, 16, (const uint8_t *)"\0\0\0\0", 4, imp_mechtypes,
	    sizeof(imp_mechtypes), h);
	le32enc(want, 1);
	memcpy(want + 4, h, 8);
	le32enc(want + 12, 0);
	assert_int_equal(ntlm_server_check_sign(ns, imp_mechtypes,
	    sizeof(imp_mechtypes), want, 16), STATUS_SUCCESS);
	t_subkey(c.c_session_key,
	    "session key to server-to-client signing key magic constant", key);
	t_hmac_md5(key, 16, (const uint8_t *)"\0\0\0\0", 4, imp_mechtypes,
	    sizeof(imp_mechtypes), h);
	memcpy(want + 4, h, 8);
	assert_int_equal(ntlm_server_sign(ns, imp_mechtypes,
	    sizeof(imp_mechtypes), sig), STATUS_SUCCESS);
	assert_memory_equal(sig, want, 16);
	ntlm_server_free(ns);
	t_client_free(&c);
}

static void
test_ntlm_tampered_mic_is_logon_failure(void **state)
{
	struct t_client c;
	struct ntlm_server *ns;
	struct ntlm_result res;

	(void)state;
	t_client_init(&c, "alice", "S3cret!");
	ns = t_server(NULL, true);
	t_client_start(&c, ns);
	c.c_auth[A_MIC + 5] ^= 0x40;
	assert_int_equal(ntlm_server_authenticate(ns, c.c_auth, c.c_authlen,
	    &res), STATUS_LOGON_FAILURE);
	assert_false(res.nr_guest);
	assert_false(res.nr_have_key);
	ntlm_server_free(ns);
	t_client_free(&c);
}

static void
test_ntlm_mic_covers_the_negotiate_flags(void **state)
{
	struct t_client c;
	struct ntlm_server *ns;
	struct ntlm_result res;

	(void)state;
	/* A man in the middle drops SIGN from the NEGOTIATE we see. */
	t_client_init(&c, "alice", "S3cret!");
	ns = t_server(NULL, false);
	t_client_negotiate(&c);
	le32enc(c.c_neg + 12, c.c_neg_flags & ~NTLMSSP_NEGOTIATE_SIGN);
	assert_int_equal(ntlm_server_negotiate(ns, c.c_neg, c.c_neglen,
	    &c.c_chal, &c.c_challen), STATUS_MORE_PROCESSING_REQUIRED);
	le32enc(c.c_neg + 12, c.c_neg_flags);	/* what the client sent */
	t_client_authenticate(&c);
	assert_int_equal(ntlm_server_authenticate(ns, c.c_auth, c.c_authlen,
	    &res), STATUS_LOGON_FAILURE);
	ntlm_server_free(ns);
	t_client_free(&c);
}

static void
test_ntlm_mic_field_overlapped_by_payload_is_refused(void **state)
{
	struct t_client c;
	struct ntlm_server *ns;
	struct ntlm_result res;
	size_t wsoff;

	(void)state;
	t_client_init(&c, "alice", "S3cret!");
	ns = t_server(NULL, false);
	t_client_start(&c, ns);
	/* Move the 8-byte workstation name into the MIC field. */
	wsoff = le32dec(c.c_auth + A_WS + 4);
	memcpy(c.c_auth + A_MIC, c.c_auth + wsoff, 8);
	le32enc(c.c_auth + A_WS + 4, A_MIC);
	assert_int_equal(ntlm_server_authenticate(ns, c.c_auth, c.c_authlen,
	    &res), STATUS_INVALID_PARAMETER);
	ntlm_server_free(ns);
	t_client_free(&c);
}

static void
test_ntlm_wrong_password_is_logon_failure_even_with_guest(void **state)
{
	struct t_client c;
	struct ntlm_result res;

	(void)state;
	t_client_init(&c, "alice", "s3cret!");
	assert_int_equal(t_run(&c, true, &res, NULL), STATUS_LOGON_FAILURE);
	assert_false(res.nr_guest);
	assert_false(res.nr_have_key);
	assert_string_equal(res.nr_user, "alice");	/* for the log */
	t_client_free(&c);
}

static void
test_ntlm_unknown_user_is_guest_only_if_allowed(void **state)
{
	struct t_client c;
	struct ntlm_server *ns;
	struct ntlm_result res;
	uint8_t sig[16];

	(void)state;
	t_client_init(&c, "mallory", "whatever");
	assert_int_equal(t_run(&c, false, &res, NULL), STATUS_LOGON_FAILURE);
	assert_false(res.nr_guest);
	t_client_free(&c);

	t_client_init(&c, "mallory", "whatever");
	assert_int_equal(t_run(&c, true, &res, &ns), STATUS_SUCCESS);
	assert_true(res.nr_guest);
	assert_false(res.nr_anonymous);
	assert_false(res.nr_have_key);
	assert_string_equal(res.nr_user, "mallory");
	assert_int_equal(ntlm_server_sign(ns, imp_mechtypes,
	    sizeof(imp_mechtypes), sig), STATUS_NO_USER_SESSION_KEY);
	assert_int_equal(ntlm_server_check_sign(ns, imp_mechtypes,
	    sizeof(imp_mechtypes), imp_client_sig0, 16),
	    STATUS_NO_USER_SESSION_KEY);
	ntlm_server_free(ns);
	t_client_free(&c);
}

static void
test_ntlm_disabled_account_told_only_with_the_password(void **state)
{
	struct t_client c;
	struct ntlm_result res;

	(void)state;
	t_client_init(&c, "bob", "bobs-pw");
	assert_int_equal(t_run(&c, true, &res, NULL), STATUS_ACCOUNT_DISABLED);
	assert_false(res.nr_have_key);
	t_client_free(&c);
	t_client_init(&c, "bob", "guess");
	assert_int_equal(t_run(&c, true, &res, NULL), STATUS_LOGON_FAILURE);
	assert_false(res.nr_guest);
	t_client_free(&c);
}

static void
test_ntlm_database_failure_is_internal_error(void **state)
{
	struct t_client c;
	struct ntlm_result res;

	(void)state;
	t_client_init(&c, "broken", "x");
	assert_int_equal(t_run(&c, true, &res, NULL), STATUS_INTERNAL_ERROR);
	assert_false(res.nr_guest);
	t_client_free(&c);
}

static void
test_ntlm_ntlmv1_and_lm_only_are_logon_failure(void **state)
{
	struct t_client c;
	struct ntlm_result res;

	(void)state;
	t_client_init(&c, "alice", "S3cret!");
	c.c_nt = NT_V1;
	c.c_mic = false;
	assert_int_equal(t_run(&c, true, &res, NULL), STATUS_LOGON_FAILURE);
	assert_false(res.nr_guest);
	t_client_free(&c);

	t_client_init(&c, "alice", "S3cret!");
	c.c_nt = NT_NONE;
	c.c_mic = false;
	assert_int_equal(t_run(&c, true, &res, NULL), STATUS_LOGON_FAILURE);
	assert_false(res.nr_guest);
	assert_false(res.nr_anonymous);
	t_client_free(&c);
}

static void
test_ntlm_unknown_user_without_ntlmv2_is_still_a_guest(void **state)
{
	struct t_client c;
	struct ntlm_result res;

	(void)state;
	/* smbclient -N first sends its Unix user and no response at all. */
	t_client_init(&c, "root", "");
	c.c_nt = NT_NONE;
	c.c_lm_len = 0;
	c.c_mic = false;
	c.c_auth_flags = 0x62008215u;	/* no ESS, no 128 */
	assert_int_equal(t_run(&c, true, &res, NULL), STATUS_SUCCESS);
	assert_true(res.nr_guest);
	assert_false(res.nr_have_key);
	assert_string_equal(res.nr_user, "root");
	t_client_free(&c);
	t_client_init(&c, "root", "");
	c.c_nt = NT_V1;
	c.c_mic = false;
	assert_int_equal(t_run(&c, false, &res, NULL), STATUS_LOGON_FAILURE);
	assert_false(res.nr_guest);
	t_client_free(&c);
}

static void
test_ntlm_lmv2_alone_does_not_authenticate(void **state)
{
	struct ntlm_server *ns = t_server(spec_server_challenge, false);
	struct ntlm_result res;
	uint8_t msg[sizeof(spec_authenticate)];

	(void)state;
	/* A correct LMv2 response with a corrupted NTLMv2 one. */
	t_spec_negotiate(ns);
	memcpy(msg, spec_authenticate, sizeof(msg));
	msg[SPEC_NT_OFF] ^= 1;
	assert_int_equal(ntlm_server_authenticate(ns, msg, sizeof(msg), &res),
	    STATUS_LOGON_FAILURE);
	ntlm_server_free(ns);
}

static void
test_ntlm_accepts_nil_domain_in_ntowfv2(void **state)
{
	struct t_client c;
	struct ntlm_result res;

	(void)state;
	/* 3.2.5.1.2: clients that wrongly use NIL for UserDom. */
	t_client_init(&c, "alice", "S3cret!");
	c.c_proof_domain = "";
	assert_int_equal(t_run(&c, false, &res, NULL), STATUS_SUCCESS);
	assert_string_equal(res.nr_domain, "WORKGROUP");
	t_client_free(&c);
	/* But not some other domain than the one sent. */
	t_client_init(&c, "alice", "S3cret!");
	c.c_proof_domain = "OTHER";
	assert_int_equal(t_run(&c, false, &res, NULL), STATUS_LOGON_FAILURE);
	t_client_free(&c);
	/* Nor the domain uppercased (Samba tries that; we do not). */
	t_client_init(&c, "alice", "S3cret!");
	c.c_domain = "Workgroup";
	c.c_proof_domain = "WORKGROUP";
	assert_int_equal(t_run(&c, false, &res, NULL), STATUS_LOGON_FAILURE);
	t_client_free(&c);
}

static void
test_ntlm_user_name_is_uppercased_for_ntowfv2(void **state)
{
	struct t_client c;
	struct ntlm_result res;

	(void)state;
	t_client_init(&c, "ALICE", "S3cret!");
	assert_int_equal(t_run(&c, false, &res, NULL), STATUS_SUCCESS);
	assert_string_equal(res.nr_user, "ALICE");
	t_client_free(&c);
	/* jürgen, which the client uppercases to JÜRGEN. */
	t_client_init(&c, "j\xc3\xbcrgen", "gr\xc3\xbc\xc3\x9f" "e");
	c.c_proof_user = "J\xc3\x9cRGEN";
	assert_int_equal(t_run(&c, false, &res, NULL), STATUS_SUCCESS);
	assert_string_equal(res.nr_user, "j\xc3\xbcrgen");
	t_client_free(&c);
}

static void
test_ntlm_key_exchange_needs_a_16_byte_key(void **state)
{
	struct t_client c;
	struct ntlm_server *ns;
	struct ntlm_result res;

	(void)state;
	t_client_init(&c, "alice", "S3cret!");
	c.c_mic = false;
	ns = t_server(NULL, false);
	t_client_start(&c, ns);
	le16enc(c.c_auth + A_KEY, 15);
	assert_int_equal(ntlm_server_authenticate(ns, c.c_auth, c.c_authlen,
	    &res), STATUS_INVALID_PARAMETER);
	ntlm_server_free(ns);
	t_client_free(&c);
}

static void
test_ntlm_client_may_not_drop_required_flags(void **state)
{
	struct t_client c;
	struct ntlm_result res;

	(void)state;
	t_client_init(&c, "alice", "S3cret!");
	c.c_auth_flags = (WIN_FLAGS | NTLMSSP_NEGOTIATE_TARGET_INFO) &
	    ~NTLMSSP_NEGOTIATE_128;
	assert_int_equal(t_run(&c, false, &res, NULL), STATUS_NOT_SUPPORTED);
	t_client_free(&c);
}

static void
test_ntlm_negotiate_requires_unicode_ess_and_128(void **state)
{
	static const uint32_t drop[] = {
		NTLMSSP_NEGOTIATE_UNICODE,
		NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY,
		NTLMSSP_NEGOTIATE_128
	};
	struct ntlm_server *ns;
	struct t_client c;
	uint8_t *chal;
	size_t challen, i;

	(void)state;
	for (i = 0; i < sizeof(drop) / sizeof(drop[0]); i++) {
		memset(&c, 0, sizeof(c));
		c.c_neg_flags = WIN_FLAGS & ~drop[i];
		t_client_negotiate(&c);
		ns = t_server(NULL, false);
		assert_int_equal(ntlm_server_negotiate(ns, c.c_neg,
		    c.c_neglen, &chal, &challen), STATUS_NOT_SUPPORTED);
		assert_null(chal);
		assert_int_equal(challen, 0);
		ntlm_server_free(ns);
	}
}

static void
test_ntlm_challenge_message_layout(void **state)
{
	static const uint8_t workgroup[] = {
		'W', 0, 'O', 0, 'R', 0, 'K', 0, 'G', 0, 'R', 0, 'O', 0,
		'U', 0, 'P', 0
	};
	static const uint8_t smbsrvd[] = {
		'S', 0, 'M', 0, 'B', 0, 'S', 0, 'R', 0, 'V', 0, 'D', 0
	};
	static const uint16_t want_ids[] = { 2, 1, 4, 3, 7, 0 };
	struct ntlm_server *ns = t_server(imp_challenge, false);
	struct msgbuf_rd rd;
	struct t_client c;
	struct timespec before, after;
	uint8_t *chal;
	size_t challen, i;
	uint32_t flags, tnoff, tioff;
	uint16_t tnlen, tilen, id, len;
	const uint8_t *val;
	uint64_t ft, lo, hi;

	(void)state;
	memset(&c, 0, sizeof(c));
	c.c_neg_flags = WIN_FLAGS;
	t_client_negotiate(&c);
	clock_real(&before);
	assert_int_equal(ntlm_server_negotiate(ns, c.c_neg, c.c_neglen, &chal,
	    &challen), STATUS_MORE_PROCESSING_REQUIRED);
	clock_real(&after);

	msgbuf_rd_init(&rd, chal, challen);
	assert_memory_equal(msgbuf_get_ptr(&rd, 8), "NTLMSSP", 8);
	assert_int_equal(msgbuf_get_le32(&rd), 2);
	tnlen = msgbuf_get_le16(&rd);
	(void)msgbuf_get_le16(&rd);
	tnoff = msgbuf_get_le32(&rd);
	flags = msgbuf_get_le32(&rd);
	assert_memory_equal(msgbuf_get_ptr(&rd, 8), imp_challenge, 8);
	msgbuf_skip(&rd, 8);
	tilen = msgbuf_get_le16(&rd);
	(void)msgbuf_get_le16(&rd);
	tioff = msgbuf_get_le32(&rd);
	assert_int_equal(msgbuf_get_u8(&rd), 6);	/* Version */
	assert_true(msgbuf_rd_ok(&rd));
	/* Windows asked for all of these; they come back. */
	assert_int_equal(flags, NTLMSSP_NEGOTIATE_UNICODE |
	    NTLMSSP_REQUEST_TARGET | NTLMSSP_NEGOTIATE_SIGN |
	    NTLMSSP_NEGOTIATE_NTLM | NTLMSSP_NEGOTIATE_ALWAYS_SIGN |
	    NTLMSSP_TARGET_TYPE_SERVER |
	    NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY |
	    NTLMSSP_NEGOTIATE_TARGET_INFO | NTLMSSP_NEGOTIATE_VERSION |
	    NTLMSSP_NEGOTIATE_128 | NTLMSSP_NEGOTIATE_KEY_EXCH |
	    NTLMSSP_NEGOTIATE_56);
	assert_int_equal(tnoff, 56);
	assert_int_equal(tnlen, sizeof(smbsrvd));
	assert_memory_equal(chal + tnoff, smbsrvd, sizeof(smbsrvd));
	assert_int_equal(tioff, tnoff + tnlen);
	assert_int_equal(tioff + tilen, challen);

	msgbuf_rd_init(&rd, chal + tioff, tilen);
	for (i = 0; i < sizeof(want_ids) / sizeof(want_ids[0]); i++) {
		id = msgbuf_get_le16(&rd);
		len = msgbuf_get_le16(&rd);
		val = msgbuf_get_ptr(&rd, len);
		assert_true(msgbuf_rd_ok(&rd));
		assert_int_equal(id, want_ids[i]);
		switch (id) {
		case 2:
			assert_int_equal(len, sizeof(workgroup));
			assert_memory_equal(val, workgroup, len);
			break;
		case 1:
		case 3:		/* no DNS name configured: the NetBIOS one */
			assert_int_equal(len, sizeof(smbsrvd));
			assert_memory_equal(val, smbsrvd, len);
			break;
		case 4:
			assert_int_equal(len, 0);
			break;
		case 7:
			assert_int_equal(len, 8);
			ft = le64dec(val);
			lo = 116444736000000000ull +
			    (uint64_t)before.tv_sec * 10000000u;
			hi = 116444736000000000ull +
			    ((uint64_t)after.tv_sec + 1) * 10000000u;
			assert_in_range(ft, lo, hi);
			break;
		default:
			assert_int_equal(len, 0);
		}
	}
	assert_int_equal(msgbuf_remain(&rd), 0);
	free(chal);
	ntlm_server_free(ns);
}

static void
test_ntlm_challenge_echoes_only_what_was_asked(void **state)
{
	struct ntlm_server *ns = t_server(NULL, false);
	struct t_client c;
	uint8_t *chal;
	size_t challen;
	uint32_t flags;

	(void)state;
	memset(&c, 0, sizeof(c));
	c.c_neg_flags = NEED_FLAGS | NTLMSSP_NEGOTIATE_LM_KEY |
	    NTLMSSP_NEGOTIATE_OEM | NTLMSSP_NEGOTIATE_DATAGRAM;
	t_client_negotiate(&c);
	assert_int_equal(ntlm_server_negotiate(ns, c.c_neg, c.c_neglen, &chal,
	    &challen), STATUS_MORE_PROCESSING_REQUIRED);
	flags = le32dec(chal + 20);
	assert_int_equal(flags, NEED_FLAGS | NTLMSSP_NEGOTIATE_NTLM |
	    NTLMSSP_NEGOTIATE_TARGET_INFO | NTLMSSP_NEGOTIATE_VERSION);
	assert_int_equal(le16dec(chal + 12), 0);	/* no TargetName */
	free(chal);
	ntlm_server_free(ns);
}

static void
test_ntlm_challenges_are_random(void **state)
{
	struct ntlm_server *a = t_server(NULL, false);
	struct ntlm_server *b = t_server(NULL, false);
	uint8_t *ca, *cb;
	size_t la, lb;

	(void)state;
	assert_int_equal(ntlm_server_negotiate(a, imp_negotiate,
	    sizeof(imp_negotiate), &ca, &la), STATUS_MORE_PROCESSING_REQUIRED);
	assert_int_equal(ntlm_server_negotiate(b, imp_negotiate,
	    sizeof(imp_negotiate), &cb, &lb), STATUS_MORE_PROCESSING_REQUIRED);
	assert_memory_not_equal(ca + 24, cb + 24, 8);
	free(ca);
	free(cb);
	ntlm_server_free(a);
	ntlm_server_free(b);
}

static void
test_ntlm_every_truncated_authenticate_fails(void **state)
{
	const struct {
		const uint8_t	*m;
		size_t		 len;
		const uint8_t	*challenge;
		bool		 spec;
	} msgs[] = {
		{ spec_authenticate, sizeof(spec_authenticate),
		    spec_server_challenge, true },
		{ imp_authenticate, sizeof(imp_authenticate), imp_challenge,
		    false },
		{ imp_anonymous, sizeof(imp_anonymous), imp_challenge, false },
	};
	struct ntlm_server *ns;
	struct ntlm_result res;
	uint8_t *chal;
	size_t challen, i, n;

	(void)state;
	for (i = 0; i < sizeof(msgs) / sizeof(msgs[0]); i++) {
		for (n = 0; n <= msgs[i].len; n++) {
			ns = t_server(msgs[i].challenge, true);
			if (msgs[i].spec)
				t_spec_negotiate(ns);
			else {
				assert_int_equal(ntlm_server_negotiate(ns,
				    imp_negotiate, sizeof(imp_negotiate),
				    &chal, &challen),
				    STATUS_MORE_PROCESSING_REQUIRED);
				free(chal);
			}
			if (n < msgs[i].len)
				assert_int_not_equal(t_authenticate_copy(ns,
				    msgs[i].m, n, &res), STATUS_SUCCESS);
			else
				assert_int_equal(t_authenticate_copy(ns,
				    msgs[i].m, n, &res), STATUS_SUCCESS);
			ntlm_server_free(ns);
		}
	}
}

static void
test_ntlm_every_truncated_mic_authenticate_fails(void **state)
{
	struct t_client c;
	struct ntlm_server *ns;
	struct ntlm_result res;
	size_t n;

	(void)state;
	t_client_init(&c, "alice", "S3cret!");
	ns = t_server(imp_challenge, false);
	t_client_start(&c, ns);
	ntlm_server_free(ns);
	for (n = 0; n <= c.c_authlen; n++) {
		ns = t_server(imp_challenge, false);
		free(c.c_chal);
		assert_int_equal(ntlm_server_negotiate(ns, c.c_neg, c.c_neglen,
		    &c.c_chal, &c.c_challen), STATUS_MORE_PROCESSING_REQUIRED);
		/* The CHALLENGE has a new timestamp: a new MIC. */
		t_client_authenticate(&c);
		if (n < c.c_authlen)
			assert_int_not_equal(t_authenticate_copy(ns, c.c_auth,
			    n, &res), STATUS_SUCCESS);
		else
			assert_int_equal(t_authenticate_copy(ns, c.c_auth, n,
			    &res), STATUS_SUCCESS);
		ntlm_server_free(ns);
	}
	t_client_free(&c);
}

static void
test_ntlm_every_truncated_negotiate_fails(void **state)
{
	struct ntlm_server *ns;
	struct t_client c;
	uint8_t *copy, *chal;
	size_t challen, n;

	(void)state;
	memset(&c, 0, sizeof(c));
	c.c_neg_flags = WIN_FLAGS;
	t_client_negotiate(&c);
	for (n = 0; n < c.c_neglen; n++) {
		ns = t_server(NULL, false);
		assert_non_null(copy = malloc(n + 1));
		memcpy(copy, c.c_neg, n);
		assert_int_equal(ntlm_server_negotiate(ns, copy, n, &chal,
		    &challen), STATUS_INVALID_PARAMETER);
		assert_null(chal);
		free(copy);
		ntlm_server_free(ns);
	}
	for (n = 0; n < sizeof(imp_negotiate); n++) {
		ns = t_server(NULL, false);
		assert_non_null(copy = malloc(n + 1));
		memcpy(copy, imp_negotiate, n);
		assert_int_equal(ntlm_server_negotiate(ns, copy, n, &chal,
		    &challen), STATUS_INVALID_PARAMETER);
		free(copy);
		ntlm_server_free(ns);
	}
}

static void
test_ntlm_oversized_or_missing_messages_are_refused(void **state)
{
	struct ntlm_server *ns;
	struct ntlm_result res;
	uint8_t *big, *chal;
	size_t challen;

	(void)state;
	assert_non_null(big = calloc(1, NTLM_MSG_MAX + 1));
	memcpy(big, imp_negotiate, sizeof(imp_negotiate));
	ns = t_server(NULL, false);
	assert_int_equal(ntlm_server_negotiate(ns, big, NTLM_MSG_MAX + 1,
	    &chal, &challen), STATUS_INVALID_PARAMETER);
	ntlm_server_free(ns);
	ns = t_server(NULL, false);
	assert_int_equal(ntlm_server_negotiate(ns, NULL, 0, &chal, &challen),
	    STATUS_INVALID_PARAMETER);
	ntlm_server_free(ns);
	ns = t_server(NULL, false);
	assert_int_equal(ntlm_server_negotiate(ns, big, NTLM_MSG_MAX, &chal,
	    &challen), STATUS_MORE_PROCESSING_REQUIRED);
	free(chal);
	memcpy(big, spec_authenticate, sizeof(spec_authenticate));
	assert_int_equal(ntlm_server_authenticate(ns, big, NTLM_MSG_MAX + 1,
	    &res), STATUS_INVALID_PARAMETER);
	ntlm_server_free(ns);
	ns = t_server(NULL, false);
	t_spec_negotiate(ns);
	assert_int_equal(ntlm_server_authenticate(ns, NULL, 0, &res),
	    STATUS_INVALID_PARAMETER);
	ntlm_server_free(ns);
	free(big);
}

static void
test_ntlm_negotiate_fields_must_be_inside(void **state)
{
	struct ntlm_server *ns;
	struct t_client c;
	uint8_t *chal;
	size_t challen;

	(void)state;
	memset(&c, 0, sizeof(c));
	c.c_neg_flags = WIN_FLAGS;
	t_client_negotiate(&c);
	le16enc(c.c_neg + 16, 4);	/* DomainName: 4 bytes at 40 */
	ns = t_server(NULL, false);
	assert_int_equal(ntlm_server_negotiate(ns, c.c_neg, c.c_neglen, &chal,
	    &challen), STATUS_INVALID_PARAMETER);
	ntlm_server_free(ns);
	le16enc(c.c_neg + 16, 0);
	le16enc(c.c_neg + 24, 1);	/* Workstation: 1 byte at 40 */
	ns = t_server(NULL, false);
	assert_int_equal(ntlm_server_negotiate(ns, c.c_neg, c.c_neglen, &chal,
	    &challen), STATUS_INVALID_PARAMETER);
	ntlm_server_free(ns);
	le16enc(c.c_neg + 24, 0);
	le32enc(c.c_neg + 8, 3);	/* an AUTHENTICATE type */
	ns = t_server(NULL, false);
	assert_int_equal(ntlm_server_negotiate(ns, c.c_neg, c.c_neglen, &chal,
	    &challen), STATUS_INVALID_PARAMETER);
	ntlm_server_free(ns);
}

/* Runs the spec AUTHENTICATE after edit(msg) and returns the status. */
static uint32_t
t_spec_edited(void (*edit)(uint8_t *), struct ntlm_result *res)
{
	struct ntlm_server *ns = t_server(spec_server_challenge, true);
	uint8_t msg[sizeof(spec_authenticate)];
	uint32_t st;

	memcpy(msg, spec_authenticate, sizeof(msg));
	edit(msg);
	t_spec_negotiate(ns);
	st = ntlm_server_authenticate(ns, msg, sizeof(msg), res);
	ntlm_server_free(ns);
	return st;
}

static void
edit_user_overlaps_domain(uint8_t *m)
{
	le32enc(m + A_USER + 4, 0x48 + 4);
}

static void
edit_user_in_header(uint8_t *m)
{
	le32enc(m + A_USER + 4, 0x40);	/* the Version field */
}

static void
edit_user_odd_length(uint8_t *m)
{
	le16enc(m + A_USER, 7);
}

static void
edit_user_lone_surrogate(uint8_t *m)
{
	le16enc(m + 0x54 + 2, 0xd800);	/* "U\xd800er" */
}

static void
edit_user_control_char(uint8_t *m)
{
	le16enc(m + 0x54 + 2, '\n');
}

static void
edit_nt_past_end(uint8_t *m)
{
	le16enc(m + A_NT, SPEC_NT_LEN + 5);
}

static void
edit_nt_offset_huge(uint8_t *m)
{
	le32enc(m + A_NT + 4, 0xfffffff0u);
}

static void
edit_resp_type(uint8_t *m)
{
	m[SPEC_NT_OFF + 16] = 2;
}

static void
edit_no_eol(uint8_t *m)
{
	/* MsvAvEOL becomes an unknown pair that runs off the end. */
	m[SPEC_NT_OFF + SPEC_NT_LEN - 8] = 0x55;
	m[SPEC_NT_OFF + SPEC_NT_LEN - 6] = 0x10;
}

static void
edit_eol_with_length(uint8_t *m)
{
	m[SPEC_NT_OFF + SPEC_NT_LEN - 6] = 4;
}

static void
edit_avflags_wrong_length(uint8_t *m)
{
	/* The first pair (MsvAvNbDomainName, 12 bytes) becomes MsvAvFlags. */
	m[SPEC_NT_OFF + 16 + 28] = 6;
}

static void
edit_nt_too_short_for_v2(uint8_t *m)
{
	le16enc(m + A_NT, 16 + 27);
}

static void
edit_signature(uint8_t *m)
{
	m[7] = 'X';
}

static void
edit_type(uint8_t *m)
{
	m[8] = 1;
}

static void
test_ntlm_malformed_authenticate_is_invalid_parameter(void **state)
{
	static void (*const edits[])(uint8_t *) = {
		edit_user_overlaps_domain, edit_user_in_header,
		edit_user_odd_length, edit_user_lone_surrogate,
		edit_user_control_char, edit_nt_past_end,
		edit_nt_offset_huge, edit_resp_type, edit_no_eol,
		edit_eol_with_length, edit_avflags_wrong_length,
		edit_nt_too_short_for_v2, edit_signature, edit_type,
	};
	struct ntlm_result res;
	size_t i;
	int before = t_lookups;

	(void)state;
	for (i = 0; i < sizeof(edits) / sizeof(edits[0]); i++) {
		assert_int_equal(t_spec_edited(edits[i], &res),
		    STATUS_INVALID_PARAMETER);
		assert_false(res.nr_guest);
		assert_false(res.nr_have_key);
	}
	/* None of them got as far as the user database. */
	assert_int_equal(t_lookups, before);
}

static void
test_ntlm_long_names_are_name_too_long(void **state)
{
	struct t_client c;
	struct ntlm_result res;
	char user[NTLM_NAME_MAX + 2], ws[NTLM_NAME_MAX + 2];

	(void)state;
	memset(user, 'u', sizeof(user));
	user[NTLM_NAME_MAX] = '\0';		/* 256: fine */
	t_client_init(&c, user, "x");
	assert_int_equal(t_run(&c, false, &res, NULL), STATUS_LOGON_FAILURE);
	t_client_free(&c);
	user[NTLM_NAME_MAX] = 'u';
	user[NTLM_NAME_MAX + 1] = '\0';		/* 257 */
	t_client_init(&c, user, "x");
	assert_int_equal(t_run(&c, true, &res, NULL), STATUS_NAME_TOO_LONG);
	assert_false(res.nr_guest);
	t_client_free(&c);
	memset(ws, 'w', sizeof(ws));
	ws[NTLM_NAME_MAX + 1] = '\0';
	t_client_init(&c, "alice", "S3cret!");
	c.c_workstation = ws;
	assert_int_equal(t_run(&c, true, &res, NULL), STATUS_NAME_TOO_LONG);
	t_client_free(&c);
}

static void
test_ntlm_calls_out_of_order_end_the_exchange(void **state)
{
	struct ntlm_server *ns;
	struct ntlm_result res;
	uint8_t *chal, sig[16];
	size_t challen;

	(void)state;
	/* AUTHENTICATE first. */
	ns = t_server(spec_server_challenge, false);
	assert_int_equal(ntlm_server_authenticate(ns, spec_authenticate,
	    sizeof(spec_authenticate), &res), STATUS_INVALID_PARAMETER);
	assert_int_equal(ntlm_server_negotiate(ns, imp_negotiate,
	    sizeof(imp_negotiate), &chal, &challen), STATUS_INVALID_PARAMETER);
	ntlm_server_free(ns);
	/* NEGOTIATE twice. */
	ns = t_server(spec_server_challenge, false);
	t_spec_negotiate(ns);
	assert_int_equal(ntlm_server_negotiate(ns, imp_negotiate,
	    sizeof(imp_negotiate), &chal, &challen), STATUS_INVALID_PARAMETER);
	assert_int_equal(ntlm_server_authenticate(ns, spec_authenticate,
	    sizeof(spec_authenticate), &res), STATUS_INVALID_PARAMETER);
	ntlm_server_free(ns);
	/* A failed AUTHENTICATE cannot be retried. */
	ns = t_server(spec_server_challenge, false);
	t_spec_negotiate(ns);
	assert_int_equal(ntlm_server_authenticate(ns, spec_authenticate, 100,
	    &res), STATUS_INVALID_PARAMETER);
	assert_int_equal(ntlm_server_authenticate(ns, spec_authenticate,
	    sizeof(spec_authenticate), &res), STATUS_INVALID_PARAMETER);
	assert_int_equal(ntlm_server_sign(ns, imp_mechtypes,
	    sizeof(imp_mechtypes), sig), STATUS_NO_USER_SESSION_KEY);
	ntlm_server_free(ns);
	/* Nor can a successful one be repeated. */
	ns = t_server(spec_server_challenge, false);
	t_spec_negotiate(ns);
	assert_int_equal(ntlm_server_authenticate(ns, spec_authenticate,
	    sizeof(spec_authenticate), &res), STATUS_SUCCESS);
	assert_int_equal(ntlm_server_authenticate(ns, spec_authenticate,
	    sizeof(spec_authenticate), &res), STATUS_INVALID_PARAMETER);
	ntlm_server_free(ns);
	ntlm_server_free(NULL);
}

static void
test_ntlm_seal_and_sign_use_the_server_keys(void **state)
{
	struct ntlm_server *ns = t_server(spec_server_challenge, false);
	struct ntlm_result res;
	uint8_t seal_key[16], sign_key[16], h[16];
	uint8_t msg[sizeof(spec_plaintext)], sig[16], want[16];
	uint8_t stream[sizeof(spec_plaintext) + 8], zero[sizeof(stream)];
	size_t i;

	(void)state;
	t_spec_negotiate(ns);
	assert_int_equal(ntlm_server_authenticate(ns, spec_authenticate,
	    sizeof(spec_authenticate), &res), STATUS_SUCCESS);
	t_subkey(res.nr_session_key,
	    "session key to server-to-client sealing key magic constant",
	    seal_key);
	t_subkey(res.nr_session_key,
	    "session key to server-to-client signing key magic constant",
	    sign_key);
	/* The server's RC4 handle: message first, then the checksum. */
	memset(zero, 0, sizeof(zero));
	t_rc4(seal_key, zero, stream, sizeof(stream));

	memcpy(msg, spec_plaintext, sizeof(msg));
	assert_int_equal(ntlm_server_seal(ns, msg, sizeof(msg), sig),
	    STATUS_SUCCESS);
	for (i = 0; i < sizeof(msg); i++)
		assert_int_equal(msg[i], spec_plaintext[i] ^ stream[i]);
	t_hmac_md5(sign_key, 16, (const uint8_t *)"\0\0\0\0", 4,
	    spec_plaintext, sizeof(spec_plaintext), h);
	le32enc(want, 1);
	for (i = 0; i < 8; i++)
		want[4 + i] = h[i] ^ stream[sizeof(msg) + i];
	le32enc(want + 12, 0);
	assert_memory_equal(sig, want, 16);
	ntlm_server_free(ns);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ntlm_nthash_matches_published_values),
		cmocka_unit_test(test_ntlm_published_ntlmv2_values_agree),
		cmocka_unit_test(test_ntlm_accepts_the_ms_nlmp_4_2_4_example),
		cmocka_unit_test(test_ntlm_unseals_the_ms_nlmp_4_2_4_4_message),
		cmocka_unit_test(test_ntlm_accepts_impacket_and_signs_like_it),
		cmocka_unit_test(
		    test_ntlm_check_sign_refuses_bad_or_replayed_signatures),
		cmocka_unit_test(test_ntlm_impacket_anonymous_has_no_key),
		cmocka_unit_test(test_ntlm_anonymous_may_drop_ess_and_128),
		cmocka_unit_test(test_ntlm_accepts_a_client_with_mic),
		cmocka_unit_test(
		    test_ntlm_accepts_and_signs_without_key_exchange),
		cmocka_unit_test(test_ntlm_tampered_mic_is_logon_failure),
		cmocka_unit_test(test_ntlm_mic_covers_the_negotiate_flags),
		cmocka_unit_test(
		    test_ntlm_mic_field_overlapped_by_payload_is_refused),
		cmocka_unit_test(
		    test_ntlm_wrong_password_is_logon_failure_even_with_guest),
		cmocka_unit_test(
		    test_ntlm_unknown_user_is_guest_only_if_allowed),
		cmocka_unit_test(
		    test_ntlm_disabled_account_told_only_with_the_password),
		cmocka_unit_test(test_ntlm_database_failure_is_internal_error),
		cmocka_unit_test(
		    test_ntlm_ntlmv1_and_lm_only_are_logon_failure),
		cmocka_unit_test(
		    test_ntlm_unknown_user_without_ntlmv2_is_still_a_guest),
		cmocka_unit_test(test_ntlm_lmv2_alone_does_not_authenticate),
		cmocka_unit_test(test_ntlm_accepts_nil_domain_in_ntowfv2),
		cmocka_unit_test(test_ntlm_user_name_is_uppercased_for_ntowfv2),
		cmocka_unit_test(test_ntlm_key_exchange_needs_a_16_byte_key),
		cmocka_unit_test(test_ntlm_client_may_not_drop_required_flags),
		cmocka_unit_test(
		    test_ntlm_negotiate_requires_unicode_ess_and_128),
		cmocka_unit_test(test_ntlm_challenge_message_layout),
		cmocka_unit_test(
		    test_ntlm_challenge_echoes_only_what_was_asked),
		cmocka_unit_test(test_ntlm_challenges_are_random),
		cmocka_unit_test(test_ntlm_every_truncated_authenticate_fails),
		cmocka_unit_test(
		    test_ntlm_every_truncated_mic_authenticate_fails),
		cmocka_unit_test(test_ntlm_every_truncated_negotiate_fails),
		cmocka_unit_test(
		    test_ntlm_oversized_or_missing_messages_are_refused),
		cmocka_unit_test(test_ntlm_negotiate_fields_must_be_inside),
		cmocka_unit_test(
		    test_ntlm_malformed_authenticate_is_invalid_parameter),
		cmocka_unit_test(test_ntlm_long_names_are_name_too_long),
		cmocka_unit_test(test_ntlm_calls_out_of_order_end_the_exchange),
		cmocka_unit_test(test_ntlm_seal_and_sign_use_the_server_keys),
	};

	return cmocka_run_group_tests(tests, t_setup, NULL);
}
