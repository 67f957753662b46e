/*
 * smb3_sign.c — signing and checking SMB2 messages (see smb3_sign.h).
 *
 * The three EVP_MACs are fetched once.  A message gets its own
 * EVP_MAC_CTX, naming the digest or cipher in EVP_MAC_init(): an unkeyed
 * HMAC context cannot be duplicated (EVP_MAC_CTX_dup fails), so there is
 * no cheaper template to copy, and the provider's own method cache
 * answers the name lookup.
 */
#include <errno.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "msgbuf.h"
#include "ntstatus.h"
#include "smb2.h"
#include "smb3_sign.h"

/* Header offsets, MS-SMB2 2.2.1.  Only what the nonce needs. */
#define SIGN_OFF_STATUS		8
#define SIGN_OFF_COMMAND	12
#define SIGN_OFF_FLAGS		16
#define SIGN_OFF_MESSAGE_ID	24

#define SIGN_GMAC_NONCE_LEN	12

static EVP_MAC	*sign_mac_hmac, *sign_mac_cmac, *sign_mac_gmac;

int
smb3_sign_init(void)
{
	if (sign_mac_hmac == NULL)
		sign_mac_hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	if (sign_mac_cmac == NULL)
		sign_mac_cmac = EVP_MAC_fetch(NULL, "CMAC", NULL);
	if (sign_mac_gmac == NULL)
		sign_mac_gmac = EVP_MAC_fetch(NULL, "GMAC", NULL);
	if (sign_mac_hmac == NULL || sign_mac_cmac == NULL ||
	    sign_mac_gmac == NULL) {
		errno = EIO;
		return -1;
	}
	return 0;
}

void
smb3_sign_cleanup(void)
{
	EVP_MAC_free(sign_mac_hmac);
	EVP_MAC_free(sign_mac_cmac);
	EVP_MAC_free(sign_mac_gmac);
	sign_mac_hmac = sign_mac_cmac = sign_mac_gmac = NULL;
}

/*
 * The AES-GMAC nonce of 3.1.4.1: MessageId in the first 8 bytes, then 4
 * bytes whose least significant bit is 1 when the server sends and whose
 * next bit is 1 for an SMB2 CANCEL request; the other 30 bits are zero.
 * Both are read from the header, so the receiver builds the sender's
 * nonce: Flags.SMB2_FLAGS_SERVER_TO_REDIR marks a response.
 */
static void
sign_gmac_nonce(const uint8_t *msg, uint8_t nonce[SIGN_GMAC_NONCE_LEN])
{
	uint32_t flags, role = 0;

	flags = le32dec(msg + SIGN_OFF_FLAGS);
	if (flags & SMB2_FLAGS_SERVER_TO_REDIR)
		role |= 0x1;
	if (le16dec(msg + SIGN_OFF_COMMAND) == SMB2_CANCEL &&
	    (flags & SMB2_FLAGS_SERVER_TO_REDIR) == 0)
		role |= 0x2;
	memcpy(nonce, msg + SIGN_OFF_MESSAGE_ID, 8);
	le32enc(nonce + 8, role);
}

/*
 * The 16-byte signature of msg under algo, computed as if the Signature
 * field were zero (3.1.4.1 step 1, 3.1.5.1 step 2) without writing to
 * msg, so that verifying needs no copy of a const message.
 */
static int
sign_calc(uint16_t algo, const uint8_t *key, size_t keylen,
    const uint8_t *msg, size_t len, uint8_t sig[SMB2_SIGNATURE_LEN])
{
	static const uint8_t zero[SMB2_SIGNATURE_LEN];
	uint8_t mac[EVP_MAX_MD_SIZE], nonce[SIGN_GMAC_NONCE_LEN];
	OSSL_PARAM params[3], *p = params;
	EVP_MAC_CTX *ctx;
	EVP_MAC *alg;
	size_t maclen = 0;
	int ok;

	if (key == NULL || keylen != SMB3_SIGN_KEY_LEN || msg == NULL ||
	    len < SMB2_HDR_LEN) {
		errno = EINVAL;
		return -1;
	}
	if (smb3_sign_init() == -1)
		return -1;
	switch (algo) {
	case SMB2_SIGNING_HMAC_SHA256:
		alg = sign_mac_hmac;
		*p++ = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
		    (char *)"SHA256", 0);
		break;
	case SMB2_SIGNING_AES_CMAC:
		/* CMAC runs the block cipher in CBC mode (RFC 4493). */
		alg = sign_mac_cmac;
		*p++ = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_CIPHER,
		    (char *)"AES-128-CBC", 0);
		break;
	case SMB2_SIGNING_AES_GMAC:
		alg = sign_mac_gmac;
		sign_gmac_nonce(msg, nonce);
		*p++ = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_CIPHER,
		    (char *)"AES-128-GCM", 0);
		*p++ = OSSL_PARAM_construct_octet_string(OSSL_MAC_PARAM_IV,
		    nonce, sizeof(nonce));
		break;
	default:
		errno = EINVAL;
		return -1;
	}
	*p = OSSL_PARAM_construct_end();
	if ((ctx = EVP_MAC_CTX_new(alg)) == NULL) {
		errno = ENOMEM;
		return -1;
	}
	ok = EVP_MAC_init(ctx, key, keylen, params) == 1 &&
	    EVP_MAC_update(ctx, msg, SMB2_SIGNATURE_OFF) == 1 &&
	    EVP_MAC_update(ctx, zero, sizeof(zero)) == 1 &&
	    EVP_MAC_update(ctx, msg + SMB2_HDR_LEN, len - SMB2_HDR_LEN) == 1 &&
	    EVP_MAC_final(ctx, mac, &maclen, sizeof(mac)) == 1 &&
	    maclen >= SMB2_SIGNATURE_LEN;
	EVP_MAC_CTX_free(ctx);
	if (!ok) {
		errno = EIO;
		return -1;
	}
	/* HMAC-SHA256 gives 32 bytes; 2.x uses the first 16 (3.1.4.1). */
	memcpy(sig, mac, SMB2_SIGNATURE_LEN);
	OPENSSL_cleanse(mac, sizeof(mac));
	return 0;
}

int
smb3_sign_compute(uint16_t algo, const uint8_t *key, size_t keylen,
    uint8_t *msg, size_t len)
{
	uint8_t sig[SMB2_SIGNATURE_LEN];
	uint32_t flags;

	if (msg == NULL || len < SMB2_HDR_LEN) {
		errno = EINVAL;
		return -1;
	}
	flags = le32dec(msg + SIGN_OFF_FLAGS);
	if (algo == SMB2_SIGNING_AES_GMAC &&
	    (le64dec(msg + SIGN_OFF_MESSAGE_ID) == UINT64_MAX ||
	    ((flags & SMB2_FLAGS_SERVER_TO_REDIR) &&
	    le32dec(msg + SIGN_OFF_STATUS) == STATUS_PENDING))) {
		errno = EINVAL;
		return -1;
	}
	le32enc(msg + SIGN_OFF_FLAGS, flags | SMB2_FLAGS_SIGNED);
	if (sign_calc(algo, key, keylen, msg, len, sig) == -1)
		return -1;
	memcpy(msg + SMB2_SIGNATURE_OFF, sig, sizeof(sig));
	return 0;
}

int
smb3_sign_verify(uint16_t algo, const uint8_t *key, size_t keylen,
    const uint8_t *msg, size_t len)
{
	uint8_t sig[SMB2_SIGNATURE_LEN];

	if (sign_calc(algo, key, keylen, msg, len, sig) == -1)
		return -1;
	if (CRYPTO_memcmp(sig, msg + SMB2_SIGNATURE_OFF, sizeof(sig)) != 0) {
		errno = EBADMSG;
		return -1;
	}
	return 0;
}
