/*
 * smb3_kdf.c — session keys and the pre-authentication integrity hash
 * (see smb3_kdf.h).
 *
 * The labels and contexts are MS-SMB2 3.3.5.5.3 (server) / 3.2.5.3.1
 * (client), terminating NULs included.  Two choices there are easy to get
 * wrong, and both were wrong in shipped servers:
 *
 *  - L.  3.1.4.2 says L is 256 when Connection.CipherId is AES-256-*.
 *    That applies to the 32-byte cipher keys only: the signing key and
 *    the application key stay 128-bit with L = 128 whatever the cipher
 *    (ksmbd commit 7a891d4b62d6, "fix wrong signingkey creation when
 *    encryption is AES256": macOS and Windows 11 drop the connection
 *    after the signed final SESSION_SETUP response otherwise; Samba's
 *    smb2_signing_key_create() does the same).
 *  - The key-derivation key.  Session.SessionKey is the first 16 bytes
 *    of the GSS key, zero-padded (3.3.1.8); the AES-256 cipher keys are
 *    derived from Session.FullSessionKey, the whole GSS key, which is 32
 *    bytes for a Kerberos AES-256 ticket (3.3.5.5.3).  For NTLM both are
 *    the same 16 bytes.
 */
#include <errno.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include "smb3_crypt.h"
#include "smb3_kdf.h"

/* DialectRevision, MS-SMB2 2.2.4. */
#define KDF_DIALECT_202		0x0202
#define KDF_DIALECT_210		0x0210
#define KDF_DIALECT_300		0x0300
#define KDF_DIALECT_302		0x0302
#define KDF_DIALECT_311		0x0311

struct kdf_input {
	const char	*ki_label;
	size_t		 ki_labellen;
	const char	*ki_context;	/* NULL: PreauthIntegrityHashValue */
	size_t		 ki_contextlen;
};

/* sizeof keeps the terminating NUL, which the label and context include. */
#define KDF_STR(s)	(s), sizeof(s)

struct kdf_inputs {
	struct kdf_input	 kis_signing;
	struct kdf_input	 kis_decrypt;	/* client to server */
	struct kdf_input	 kis_encrypt;	/* server to client */
	struct kdf_input	 kis_app;
};

/* 3.0 and 3.0.2.  Note "ServerIn " with its trailing space. */
static const struct kdf_inputs kdf_inputs_30 = {
	{ KDF_STR("SMB2AESCMAC"), KDF_STR("SmbSign") },
	{ KDF_STR("SMB2AESCCM"), KDF_STR("ServerIn ") },
	{ KDF_STR("SMB2AESCCM"), KDF_STR("ServerOut") },
	{ KDF_STR("SMB2APP"), KDF_STR("SmbRpc") },
};

/* 3.1.1: the context is the session's PreauthIntegrityHashValue. */
static const struct kdf_inputs kdf_inputs_311 = {
	{ KDF_STR("SMBSigningKey"), NULL, 0 },
	{ KDF_STR("SMBC2SCipherKey"), NULL, 0 },
	{ KDF_STR("SMBS2CCipherKey"), NULL, 0 },
	{ KDF_STR("SMBAppKey"), NULL, 0 },
};

static EVP_KDF	*kdf_kbkdf;
static EVP_MD	*kdf_sha512;

int
smb3_kdf_init(void)
{
	if (kdf_kbkdf == NULL)
		kdf_kbkdf = EVP_KDF_fetch(NULL, "KBKDF", NULL);
	if (kdf_sha512 == NULL)
		kdf_sha512 = EVP_MD_fetch(NULL, "SHA512", NULL);
	if (kdf_kbkdf == NULL || kdf_sha512 == NULL) {
		errno = EIO;
		return -1;
	}
	return 0;
}

void
smb3_kdf_cleanup(void)
{
	EVP_KDF_free(kdf_kbkdf);
	kdf_kbkdf = NULL;
	EVP_MD_free(kdf_sha512);
	kdf_sha512 = NULL;
}

int
smb3_kdf(const uint8_t *key, size_t keylen, const void *label,
    size_t labellen, const void *context, size_t contextlen,
    uint8_t *out, size_t outlen)
{
	OSSL_PARAM params[7], *p = params;
	EVP_KDF_CTX *kctx;
	int ok;

	if (key == NULL || keylen == 0 || label == NULL || labellen == 0 ||
	    context == NULL || contextlen == 0 || out == NULL ||
	    (outlen != SMB3_KEY128_LEN && outlen != SMB3_KEY256_LEN)) {
		errno = EINVAL;
		return -1;
	}
	if (smb3_kdf_init() == -1)
		return -1;
	if ((kctx = EVP_KDF_CTX_new(kdf_kbkdf)) == NULL) {
		errno = ENOMEM;
		return -1;
	}
	/*
	 * OpenSSL's KBKDF builds exactly the 3.1.4.2 input: a 32-bit
	 * counter (r = 32), the label ("salt"), a 0x00 separator, the
	 * context ("info") and L = 8 * outlen as 32 bits, all big-endian.
	 */
	*p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_MODE,
	    (char *)"counter", 0);
	*p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_MAC,
	    (char *)"HMAC", 0);
	*p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
	    (char *)"SHA256", 0);
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
	    (void *)key, keylen);
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT,
	    (void *)label, labellen);
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO,
	    (void *)context, contextlen);
	*p = OSSL_PARAM_construct_end();
	ok = EVP_KDF_derive(kctx, out, outlen, params);
	EVP_KDF_CTX_free(kctx);
	if (ok != 1) {
		OPENSSL_cleanse(out, outlen);
		errno = EIO;
		return -1;
	}
	return 0;
}

static int
kdf_one(const struct kdf_input *ki, const uint8_t *key, size_t keylen,
    const uint8_t *preauth_hash, uint8_t *out, size_t outlen)
{
	if (ki->ki_context == NULL)
		return smb3_kdf(key, keylen, ki->ki_label, ki->ki_labellen,
		    preauth_hash, SMB3_PREAUTH_HASH_LEN, out, outlen);
	return smb3_kdf(key, keylen, ki->ki_label, ki->ki_labellen,
	    ki->ki_context, ki->ki_contextlen, out, outlen);
}

int
smb3_kdf_session_keys(uint16_t dialect, uint16_t cipher,
    const uint8_t *session_key, size_t session_key_len,
    const uint8_t *preauth_hash, struct smb3_keys *out)
{
	const struct kdf_inputs *kis;
	const uint8_t *fullkey;
	uint8_t sesskey[SMB3_KEY128_LEN];
	size_t cipher_keylen, fullkeylen;

	if (out == NULL) {
		errno = EINVAL;
		return -1;
	}
	memset(out, 0, sizeof(*out));
	if (session_key == NULL || session_key_len == 0) {
		errno = EINVAL;
		return -1;
	}

	switch (dialect) {
	case KDF_DIALECT_202:
	case KDF_DIALECT_210:
		kis = NULL;
		if (cipher != 0) {
			errno = EINVAL;
			return -1;
		}
		break;
	case KDF_DIALECT_300:
	case KDF_DIALECT_302:
		/* Before 3.1.1 the cipher is always AES-128-CCM (3.1.4.3). */
		kis = &kdf_inputs_30;
		if (cipher != 0 && cipher != SMB2_ENCRYPTION_AES128_CCM) {
			errno = EINVAL;
			return -1;
		}
		break;
	case KDF_DIALECT_311:
		kis = &kdf_inputs_311;
		if (preauth_hash == NULL ||
		    cipher > SMB2_ENCRYPTION_AES256_GCM) {
			errno = EINVAL;
			return -1;
		}
		break;
	default:
		errno = EINVAL;
		return -1;
	}

	/* Session.SessionKey: the first 16 bytes, right-padded (3.3.1.8). */
	memset(sesskey, 0, sizeof(sesskey));
	memcpy(sesskey, session_key, session_key_len < sizeof(sesskey) ?
	    session_key_len : sizeof(sesskey));

	if (kis == NULL) {
		/* 2.0.2 and 2.1 sign with the session key itself (3.1.4.1). */
		memcpy(out->sk_signing, sesskey, sizeof(sesskey));
		memcpy(out->sk_app, sesskey, sizeof(sesskey));
		OPENSSL_cleanse(sesskey, sizeof(sesskey));
		return 0;
	}

	if (cipher == SMB2_ENCRYPTION_AES256_CCM ||
	    cipher == SMB2_ENCRYPTION_AES256_GCM) {
		cipher_keylen = SMB3_KEY256_LEN;
		fullkey = session_key;		/* FullSessionKey */
		fullkeylen = session_key_len;
	} else {
		cipher_keylen = SMB3_KEY128_LEN;
		fullkey = sesskey;
		fullkeylen = sizeof(sesskey);
	}

	if (kdf_one(&kis->kis_signing, sesskey, sizeof(sesskey), preauth_hash,
	    out->sk_signing, SMB3_KEY128_LEN) == -1 ||
	    kdf_one(&kis->kis_app, sesskey, sizeof(sesskey), preauth_hash,
	    out->sk_app, SMB3_KEY128_LEN) == -1 ||
	    kdf_one(&kis->kis_decrypt, fullkey, fullkeylen, preauth_hash,
	    out->sk_decrypt, cipher_keylen) == -1 ||
	    kdf_one(&kis->kis_encrypt, fullkey, fullkeylen, preauth_hash,
	    out->sk_encrypt, cipher_keylen) == -1) {
		OPENSSL_cleanse(sesskey, sizeof(sesskey));
		smb3_keys_clear(out);
		return -1;
	}
	out->sk_cipher_keylen = cipher_keylen;
	OPENSSL_cleanse(sesskey, sizeof(sesskey));
	return 0;
}

void
smb3_keys_clear(struct smb3_keys *k)
{
	if (k != NULL)
		OPENSSL_cleanse(k, sizeof(*k));
}

int
smb3_preauth_update(uint8_t hash[SMB3_PREAUTH_HASH_LEN], const void *msg,
    size_t len)
{
	EVP_MD_CTX *ctx;
	uint8_t out[SMB3_PREAUTH_HASH_LEN];
	unsigned int outlen = 0;
	int ok;

	if (hash == NULL || (msg == NULL && len > 0)) {
		errno = EINVAL;
		return -1;
	}
	if (smb3_kdf_init() == -1)
		return -1;
	if ((ctx = EVP_MD_CTX_new()) == NULL) {
		errno = ENOMEM;
		return -1;
	}
	ok = EVP_DigestInit_ex2(ctx, kdf_sha512, NULL) == 1 &&
	    EVP_DigestUpdate(ctx, hash, SMB3_PREAUTH_HASH_LEN) == 1 &&
	    EVP_DigestUpdate(ctx, msg, len) == 1 &&
	    EVP_DigestFinal_ex(ctx, out, &outlen) == 1 &&
	    outlen == SMB3_PREAUTH_HASH_LEN;
	EVP_MD_CTX_free(ctx);
	if (!ok) {
		errno = EIO;
		return -1;
	}
	memcpy(hash, out, SMB3_PREAUTH_HASH_LEN);
	return 0;
}
