/*
 * smb3_sign.h — signing and checking SMB2 messages (MS-SMB2 3.1.4.1,
 * 3.1.5.1).
 *
 * The caller passes the exact bytes of one message: the 64-byte header
 * and its body, and for a member of a compound chain everything up to
 * the next member's header, padding included (3.1.4.1).  The signature
 * is computed as if the Signature field (offset 48, 16 bytes) were zero.
 *
 * Which algorithm: HMAC-SHA256 for dialects 2.0.2 and 2.1; AES-CMAC for
 * 3.0 and 3.0.2, and for 3.1.1 unless SMB2_SIGNING_CAPABILITIES chose
 * another; the negotiated SigningAlgorithmId otherwise.  Which key:
 * Session.SessionKey for 2.x, otherwise the session's or the channel's
 * SigningKey as 3.3.4.1.1 says (smb3_kdf.h derives it).  Keys are 16
 * bytes.
 *
 * Functions return 0, or -1 with errno set: EINVAL for a bad algorithm,
 * key or message, EBADMSG when a signature does not match, ENOMEM or EIO
 * when OpenSSL fails.  The OpenSSL algorithms are fetched once, by
 * smb3_sign_init() before threads start (or lazily in single-threaded
 * programs), and freed by smb3_sign_cleanup().
 */
#ifndef SMBSRVD_SMB3_SIGN_H
#define SMBSRVD_SMB3_SIGN_H

#include <stddef.h>
#include <stdint.h>

/*
 * SigningAlgorithmId values of SMB2_SIGNING_CAPABILITIES (2.2.3.1.7).
 * HMAC-SHA256 is listed there as 0x0000 too; 2.x, which negotiates
 * nothing, uses it by that id here.
 */
#define SMB2_SIGNING_HMAC_SHA256	0x0000
#define SMB2_SIGNING_AES_CMAC		0x0001
#define SMB2_SIGNING_AES_GMAC		0x0002

#define SMB2_SIGNATURE_OFF		48
#define SMB2_SIGNATURE_LEN		16
#define SMB3_SIGN_KEY_LEN		16

int	smb3_sign_init(void);
void	smb3_sign_cleanup(void);

/*
 * Sets SMB2_FLAGS_SIGNED in the header (the flag is covered by the
 * signature, 3.3.4.1.1) and writes the signature into msg.  AES-GMAC
 * refuses (EINVAL) the two messages whose nonce is not unique: MessageId
 * 0xFFFFFFFFFFFFFFFF (unsolicited breaks) and interim STATUS_PENDING
 * responses, whose final response reuses the MessageId.  Neither is
 * signed (3.3.4.1.1, 3.3.4.6).
 */
int	smb3_sign_compute(uint16_t algo, const uint8_t *key, size_t keylen,
	    uint8_t *msg, size_t len);

/* 0 if msg carries the right signature, else -1 (EBADMSG). */
int	smb3_sign_verify(uint16_t algo, const uint8_t *key, size_t keylen,
	    const uint8_t *msg, size_t len);

#endif
