/*
 * smb3_crypt.h — SMB 3.x encryption: the TRANSFORM_HEADER (MS-SMB2
 * 2.2.41) with AES-128/256-CCM and -GCM (2.2.3.1.2, 3.1.4.3, 3.3.5.2.1.1).
 *
 * A transformed message is the 52-byte header followed by the encrypted
 * SMB2 message (one message, or a compound chain, possibly compressed):
 *
 *	0   ProtocolId		0xFD 'S' 'M' 'B'
 *	4   Signature		16, the AEAD tag
 *	20  Nonce		16: 11 bytes used by CCM, 12 by GCM
 *	36  OriginalMessageSize	4
 *	40  Reserved		2
 *	42  Flags		2, 0x0001 (Encrypted)
 *	44  SessionId		8
 *
 * The additional authenticated data is the 32 bytes from Nonce through
 * SessionId, the whole Nonce field included.
 *
 * A session holds one struct smb3_crypt_key per direction, set up with
 * smb3_crypt_key_init() from struct smb3_keys (smb3_kdf.h): sk_decrypt
 * for what clients send, sk_encrypt for what the server sends.  The key
 * that encrypts also makes the nonces, so it must not be copied: two
 * copies would each count from the same place.  All channels of a
 * session share the session's key object (3.3.5.5.2 binds channels to
 * the session's keys).
 *
 * Receiving: smb3_crypt_parse_header() checks the header and yields the
 * SessionId to find the session; smb3_crypt_decrypt() then checks the
 * header again and authenticates and decrypts in place.  The caller still
 * checks that every SMB2 header inside carries that SessionId.
 *
 * Functions return 0, or -1 with errno set: EBADMSG for a malformed
 * header or a message that fails authentication, EINVAL for a bad cipher
 * or key, EMSGSIZE for a message too large for OriginalMessageSize or
 * for OpenSSL, EOVERFLOW once a key has no nonces left, ENOMEM, EIO when
 * OpenSSL fails.  The OpenSSL algorithms are fetched once, by
 * smb3_crypt_init() before threads start (or lazily in single-threaded
 * programs), and freed by smb3_crypt_cleanup().
 */
#ifndef SMBSRVD_SMB3_CRYPT_H
#define SMBSRVD_SMB3_CRYPT_H

#include <stddef.h>
#include <stdint.h>

/* Cipher ids, SMB2_ENCRYPTION_CAPABILITIES (2.2.3.1.2). */
#define SMB2_ENCRYPTION_AES128_CCM	0x0001
#define SMB2_ENCRYPTION_AES128_GCM	0x0002
#define SMB2_ENCRYPTION_AES256_CCM	0x0003
#define SMB2_ENCRYPTION_AES256_GCM	0x0004

#define SMB2_TRANSFORM_HDR_LEN		52
#define SMB2_TRANSFORM_FLAG_ENCRYPTED	0x0001
#define SMB3_CRYPT_NONCE_LEN		16	/* the header's Nonce field */
#define SMB3_CRYPT_TAG_LEN		16

struct smb3_transform {
	uint8_t		tf_signature[SMB3_CRYPT_TAG_LEN];
	uint8_t		tf_nonce[SMB3_CRYPT_NONCE_LEN];
	uint32_t	tf_msg_size;		/* OriginalMessageSize */
	uint16_t	tf_flags;
	uint64_t	tf_session_id;
};

struct smb3_crypt_key {
	uint16_t	ck_cipher;
	size_t		ck_keylen;		/* 16 or 32 */
	uint8_t		ck_key[32];
	/* Nonce state, used only when this key encrypts (see .c). */
	uint8_t		ck_fixed[4];
	uint64_t	ck_counter;
	uint64_t	ck_left;
};

int	smb3_crypt_init(void);
void	smb3_crypt_cleanup(void);

/* Key bytes the cipher takes: 16, 32, or 0 for an unknown cipher. */
size_t	smb3_crypt_keylen(uint16_t cipher);

/*
 * Sets up a key for cipher; keylen must be smb3_crypt_keylen(cipher).
 * Draws the random part of the nonces, so it can fail (EIO).
 */
int	smb3_crypt_key_init(struct smb3_crypt_key *, uint16_t cipher,
	    const uint8_t *key, size_t keylen);
/* Wipes the key (OPENSSL_cleanse); harmless on a zeroed struct. */
void	smb3_crypt_key_clear(struct smb3_crypt_key *);

/*
 * Decodes and checks a TRANSFORM_HEADER at the start of a whole received
 * message of len bytes: ProtocolId, Flags 0x0001, at least one byte of
 * payload, and OriginalMessageSize equal to the bytes after the header.
 * The Nonce's unused tail is not checked: Windows sends it non-zero.
 */
int	smb3_crypt_parse_header(const uint8_t *buf, size_t len,
	    struct smb3_transform *);

/*
 * Authenticates and decrypts a whole received message in place.  On
 * success *plain points into buf (buf + SMB2_TRANSFORM_HDR_LEN) and
 * *plainlen is OriginalMessageSize.  When authentication fails the
 * payload is wiped, so that no unauthenticated plaintext is left in buf.
 */
int	smb3_crypt_decrypt(const struct smb3_crypt_key *, uint8_t *buf,
	    size_t len, uint8_t **plain, size_t *plainlen);

/*
 * Encrypts the SMB2 message msg (len bytes) for SessionId session_id
 * under a fresh nonce.  *out is a new buffer (free() it) of *outlen =
 * SMB2_TRANSFORM_HDR_LEN + len bytes.
 */
int	smb3_crypt_encrypt(struct smb3_crypt_key *, uint64_t session_id,
	    const void *msg, size_t len, uint8_t **out, size_t *outlen);

/*
 * The same without a copy: buf holds SMB2_TRANSFORM_HDR_LEN bytes of
 * room followed by the message, len counts both; the header is filled
 * in and the message encrypted where it lies.
 */
int	smb3_crypt_encrypt_inplace(struct smb3_crypt_key *,
	    uint64_t session_id, uint8_t *buf, size_t len);

/*
 * Encrypts under a nonce the caller chooses, copied into the header
 * as given (all 16 bytes, so all 16 are authenticated).  This is the
 * known-answer seam for published test vectors: a nonce used twice under
 * one key gives away the plaintexts (and, for GCM, the key to forge), so
 * the server itself always uses smb3_crypt_encrypt().
 */
int	smb3_crypt_encrypt_nonce(const struct smb3_crypt_key *,
	    const uint8_t nonce[SMB3_CRYPT_NONCE_LEN], uint64_t session_id,
	    const void *msg, size_t len, uint8_t **out, size_t *outlen);

#endif
