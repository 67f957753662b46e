/*
 * smb3_kdf.h — session key derivation and the pre-authentication
 * integrity hash (MS-SMB2 3.1.4.2, 3.3.5.4, 3.3.5.5.3).
 *
 * smb3_kdf_session_keys() turns the key the GSS mechanism hands out
 * (NTLMSSP's ExportedSessionKey, 16 bytes; a Kerberos key, often 32) into
 * the four keys a session uses, seen from the server: it signs and checks
 * with sk_signing, encrypts what it sends with sk_encrypt, decrypts what
 * it receives with sk_decrypt, and gives sk_app to RPC on IPC$ (3.3.4.5).
 *
 * Every primitive comes from OpenSSL 3 (EVP_KDF "KBKDF", EVP_MD
 * "SHA512"), fetched once; smb3_kdf_init() does that up front, before
 * any thread starts, and smb3_kdf_cleanup() frees it at exit.  Without
 * smb3_kdf_init() the first call fetches lazily, which is only safe in a
 * single-threaded program (tests, fuzzers).
 *
 * Functions return 0, or -1 with errno set: EINVAL for arguments no
 * caller should pass, ENOMEM or EIO when OpenSSL fails.
 */
#ifndef SMBSRVD_SMB3_KDF_H
#define SMBSRVD_SMB3_KDF_H

#include <stddef.h>
#include <stdint.h>

#define SMB3_PREAUTH_HASH_LEN	64	/* SHA-512, 2.2.3.1.1 HashId 1 */
#define SMB3_KEY128_LEN		16
#define SMB3_KEY256_LEN		32

struct smb3_keys {
	uint8_t		sk_signing[SMB3_KEY128_LEN];
	uint8_t		sk_encrypt[SMB3_KEY256_LEN];	/* server to client */
	uint8_t		sk_decrypt[SMB3_KEY256_LEN];	/* client to server */
	uint8_t		sk_app[SMB3_KEY128_LEN];
	/* Bytes of sk_encrypt/sk_decrypt in use: 16, 32, or 0 before 3.0. */
	size_t		sk_cipher_keylen;
};

int	smb3_kdf_init(void);
void	smb3_kdf_cleanup(void);

/*
 * The SP800-108 counter-mode KDF with HMAC-SHA256 that 3.1.4.2 names:
 * r = 32, L = 8 * outlen, fixed input Label || 0x00 || Context || [L]32.
 * The SMB labels and contexts carry their own terminating NUL, so pass
 * sizeof("SMB2AESCMAC"), not strlen().  outlen is 16 or 32.
 */
int	smb3_kdf(const uint8_t *key, size_t keylen, const void *label,
	    size_t labellen, const void *context, size_t contextlen,
	    uint8_t *out, size_t outlen);

/*
 * Derives a session's keys.  dialect is the negotiated DialectRevision
 * as on the wire (0x0202, 0x0210, 0x0300, 0x0302, 0x0311).  cipher is
 * Connection.CipherId (SMB2_ENCRYPTION_*, smb3_crypt.h), 0 if none was
 * negotiated; for 3.0 and 3.0.2 it is 0 or AES-128-CCM.  preauth_hash is
 * the session's PreauthIntegrityHashValue, required for 3.1.1 and
 * ignored otherwise.  session_key is the whole key from GSS; it must not
 * be empty.  For 2.0.2 and 2.1 sk_signing and sk_app are the session key
 * itself and there are no cipher keys.  For a channel bound to an
 * existing session (3.3.5.5.2) call it again with that authentication's
 * key and PreauthIntegrityHashValue and keep only sk_signing, which is
 * Channel.SigningKey; the other keys stay the session's.  *out is wiped
 * on failure.
 */
int	smb3_kdf_session_keys(uint16_t dialect, uint16_t cipher,
	    const uint8_t *session_key, size_t session_key_len,
	    const uint8_t *preauth_hash, struct smb3_keys *out);

/* Wipes a key set (OPENSSL_cleanse) before its memory is freed. */
void	smb3_keys_clear(struct smb3_keys *);

/*
 * hash = SHA-512(hash || msg): one step of the pre-authentication
 * integrity hash (3.3.5.4 for NEGOTIATE, 3.3.5.5 for SESSION_SETUP).  A
 * connection's hash starts as 64 zero bytes; msg is the whole SMB2
 * message as sent or received, signature field included.
 */
int	smb3_preauth_update(uint8_t hash[SMB3_PREAUTH_HASH_LEN],
	    const void *msg, size_t len);

#endif
