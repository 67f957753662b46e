/*
 * smb3_crypt.c — SMB 3.x encryption (see smb3_crypt.h).
 *
 * Nonces.  2.2.41 and 3.1.4.3 ask only that a Nonce is never used twice
 * within a session and leave its making to us.  We use the deterministic
 * construction of NIST SP 800-38D 8.2.1, a fixed field plus an invocation
 * field: Nonce bytes 0-7 hold a 64-bit counter (little-endian) and the
 * rest of the nonce proper, 3 bytes for CCM's 11 and 4 for GCM's 12, is
 * a fixed field drawn at random when the key is set up; the tail of the
 * 16-byte field is zero.  The counter starts at a random value too, and a
 * key refuses to encrypt (EOVERFLOW) after 2^64 - 1 messages, so one key
 * object never repeats a nonce.
 *
 * The random parts cover what a counter alone cannot: two key objects
 * holding the same key.  That happens in 3.0 and 3.0.2, which have no
 * preauth hash to set sessions apart, when a Kerberos client sets up two
 * sessions from one service ticket without a subkey: equal session keys
 * give equal encryption keys, and two counters both starting at zero
 * would collide at once.  Samba lays out its nonces the same way (random
 * high bytes, counting low bytes).  Counting instead of drawing every
 * nonce at random also keeps GCM clear of the 2^32 messages per key that
 * SP 800-38D 8.3 allows random 96-bit nonces.
 *
 * The AEAD calls follow RFC 5084 as 3.1.4.3 asks: a 16-byte tag, and for
 * CCM an 11-byte nonce, which OpenSSL takes only after
 * EVP_CTRL_AEAD_SET_IVLEN and with the message length given before the
 * additional data.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "msgbuf.h"
#include "smb2.h"
#include "smb3_crypt.h"

/* TRANSFORM_HEADER offsets (2.2.41). */
#define TF_OFF_SIGNATURE	4
#define TF_OFF_NONCE		20
#define TF_OFF_MSG_SIZE		36
#define TF_OFF_RESERVED		40
#define TF_OFF_FLAGS		42
#define TF_OFF_SESSION_ID	44
/* The additional authenticated data: Nonce through SessionId. */
#define TF_AAD_LEN		(SMB2_TRANSFORM_HDR_LEN - TF_OFF_NONCE)

#define CCM_NONCE_LEN		11	/* AES_CCM_Nonce, 2.2.41 */
#define GCM_NONCE_LEN		12	/* AES_GCM_Nonce, 2.2.41 */

#define CRYPT_NCIPHERS		4

static const char *const crypt_names[CRYPT_NCIPHERS] = {
	"AES-128-CCM",		/* SMB2_ENCRYPTION_AES128_CCM */
	"AES-128-GCM",		/* SMB2_ENCRYPTION_AES128_GCM */
	"AES-256-CCM",		/* SMB2_ENCRYPTION_AES256_CCM */
	"AES-256-GCM",		/* SMB2_ENCRYPTION_AES256_GCM */
};
static EVP_CIPHER	*crypt_ciphers[CRYPT_NCIPHERS];

int
smb3_crypt_init(void)
{
	int i;

	for (i = 0; i < CRYPT_NCIPHERS; i++) {
		if (crypt_ciphers[i] == NULL)
			crypt_ciphers[i] = EVP_CIPHER_fetch(NULL,
			    crypt_names[i], NULL);
		if (crypt_ciphers[i] == NULL) {
			errno = EIO;
			return -1;
		}
	}
	return 0;
}

void
smb3_crypt_cleanup(void)
{
	int i;

	for (i = 0; i < CRYPT_NCIPHERS; i++) {
		EVP_CIPHER_free(crypt_ciphers[i]);
		crypt_ciphers[i] = NULL;
	}
}

size_t
smb3_crypt_keylen(uint16_t cipher)
{
	switch (cipher) {
	case SMB2_ENCRYPTION_AES128_CCM:
	case SMB2_ENCRYPTION_AES128_GCM:
		return 16;
	case SMB2_ENCRYPTION_AES256_CCM:
	case SMB2_ENCRYPTION_AES256_GCM:
		return 32;
	default:
		return 0;
	}
}

static int
crypt_is_ccm(uint16_t cipher)
{
	return cipher == SMB2_ENCRYPTION_AES128_CCM ||
	    cipher == SMB2_ENCRYPTION_AES256_CCM;
}

static int
crypt_key_ok(const struct smb3_crypt_key *k)
{
	if (k == NULL || smb3_crypt_keylen(k->ck_cipher) == 0 ||
	    k->ck_keylen != smb3_crypt_keylen(k->ck_cipher)) {
		errno = EINVAL;
		return 0;
	}
	return 1;
}

int
smb3_crypt_key_init(struct smb3_crypt_key *k, uint16_t cipher,
    const uint8_t *key, size_t keylen)
{
	uint8_t ctr[8];

	if (k == NULL) {
		errno = EINVAL;
		return -1;
	}
	memset(k, 0, sizeof(*k));
	if (key == NULL || smb3_crypt_keylen(cipher) == 0 ||
	    keylen != smb3_crypt_keylen(cipher)) {
		errno = EINVAL;
		return -1;
	}
	if (RAND_bytes(k->ck_fixed, sizeof(k->ck_fixed)) != 1 ||
	    RAND_bytes(ctr, sizeof(ctr)) != 1) {
		smb3_crypt_key_clear(k);
		errno = EIO;
		return -1;
	}
	k->ck_cipher = cipher;
	k->ck_keylen = keylen;
	memcpy(k->ck_key, key, keylen);
	k->ck_counter = le64dec(ctr);
	k->ck_left = UINT64_MAX;
	return 0;
}

void
smb3_crypt_key_clear(struct smb3_crypt_key *k)
{
	if (k != NULL)
		OPENSSL_cleanse(k, sizeof(*k));
}

int
smb3_crypt_parse_header(const uint8_t *buf, size_t len,
    struct smb3_transform *tf)
{
	struct msgbuf_rd rd;
	uint32_t proto;

	if (tf == NULL) {
		errno = EINVAL;
		return -1;
	}
	msgbuf_rd_init(&rd, buf, len);
	proto = msgbuf_get_le32(&rd);
	msgbuf_get_bytes(&rd, tf->tf_signature, sizeof(tf->tf_signature));
	msgbuf_get_bytes(&rd, tf->tf_nonce, sizeof(tf->tf_nonce));
	tf->tf_msg_size = msgbuf_get_le32(&rd);
	msgbuf_skip(&rd, 2);		/* Reserved: the receiver ignores it */
	tf->tf_flags = msgbuf_get_le16(&rd);
	tf->tf_session_id = msgbuf_get_le64(&rd);
	/*
	 * 3.3.5.2.1.1: a message no longer than the header, or with
	 * Flags other than 0x0001, ends the connection.  Bytes beyond
	 * OriginalMessageSize would be unauthenticated, and fewer would
	 * leave the message short, so the size must match exactly.
	 */
	if (!msgbuf_rd_ok(&rd) || proto != SMB2_TRANSFORM_ID ||
	    tf->tf_flags != SMB2_TRANSFORM_FLAG_ENCRYPTED ||
	    tf->tf_msg_size == 0 || tf->tf_msg_size != msgbuf_remain(&rd)) {
		errno = EBADMSG;
		return -1;
	}
	return 0;
}

/* EVP counts in int; OriginalMessageSize is 32 bits. */
static int
crypt_len_ok(size_t len)
{
	if (len == 0) {
		errno = EINVAL;
		return 0;
	}
	if (len > INT_MAX) {
		errno = EMSGSIZE;
		return 0;
	}
	return 1;
}

static void
crypt_put_header(uint8_t *hdr, const uint8_t nonce[SMB3_CRYPT_NONCE_LEN],
    size_t msglen, uint64_t session_id)
{
	le32enc(hdr, SMB2_TRANSFORM_ID);
	memset(hdr + TF_OFF_SIGNATURE, 0, SMB3_CRYPT_TAG_LEN);
	memcpy(hdr + TF_OFF_NONCE, nonce, SMB3_CRYPT_NONCE_LEN);
	le32enc(hdr + TF_OFF_MSG_SIZE, (uint32_t)msglen);
	le16enc(hdr + TF_OFF_RESERVED, 0);
	le16enc(hdr + TF_OFF_FLAGS, SMB2_TRANSFORM_FLAG_ENCRYPTED);
	le64enc(hdr + TF_OFF_SESSION_ID, session_id);
}

/*
 * Encrypts len bytes from in to out (the same buffer is fine) under the
 * header hdr, whose Nonce, OriginalMessageSize, Flags and SessionId are
 * set, and writes the tag into its Signature.
 */
static int
crypt_seal(const struct smb3_crypt_key *k, uint8_t *hdr, const uint8_t *in,
    uint8_t *out, size_t len)
{
	EVP_CIPHER_CTX *ctx;
	int ccm, n, fin, ok;

	if (smb3_crypt_init() == -1)
		return -1;
	if ((ctx = EVP_CIPHER_CTX_new()) == NULL) {
		errno = ENOMEM;
		return -1;
	}
	ccm = crypt_is_ccm(k->ck_cipher);
	n = fin = 0;
	ok = EVP_EncryptInit_ex2(ctx, crypt_ciphers[k->ck_cipher - 1], NULL,
	    NULL, NULL) == 1 &&
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN,
	    ccm ? CCM_NONCE_LEN : GCM_NONCE_LEN, NULL) == 1 &&
	    (!ccm || EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG,
	    SMB3_CRYPT_TAG_LEN, NULL) == 1) &&
	    EVP_EncryptInit_ex2(ctx, NULL, k->ck_key, hdr + TF_OFF_NONCE,
	    NULL) == 1 &&
	    (!ccm || EVP_EncryptUpdate(ctx, NULL, &n, NULL, (int)len) == 1) &&
	    EVP_EncryptUpdate(ctx, NULL, &n, hdr + TF_OFF_NONCE,
	    TF_AAD_LEN) == 1 &&
	    EVP_EncryptUpdate(ctx, out, &n, in, (int)len) == 1 &&
	    EVP_EncryptFinal_ex(ctx, out + n, &fin) == 1 &&
	    (size_t)n + (size_t)fin == len &&
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG,
	    SMB3_CRYPT_TAG_LEN, hdr + TF_OFF_SIGNATURE) == 1;
	EVP_CIPHER_CTX_free(ctx);
	if (!ok) {
		OPENSSL_cleanse(out, len);
		errno = EIO;
		return -1;
	}
	return 0;
}

int
smb3_crypt_decrypt(const struct smb3_crypt_key *k, uint8_t *buf, size_t len,
    uint8_t **plain, size_t *plainlen)
{
	struct smb3_transform tf;
	EVP_CIPHER_CTX *ctx;
	uint8_t *msg;
	int ccm, n, fin, ok;

	if (!crypt_key_ok(k) || plain == NULL || plainlen == NULL)
		return -1;
	if (smb3_crypt_parse_header(buf, len, &tf) == -1)
		return -1;
	if (!crypt_len_ok(tf.tf_msg_size))
		return -1;
	if (smb3_crypt_init() == -1)
		return -1;
	if ((ctx = EVP_CIPHER_CTX_new()) == NULL) {
		errno = ENOMEM;
		return -1;
	}
	msg = buf + SMB2_TRANSFORM_HDR_LEN;
	ccm = crypt_is_ccm(k->ck_cipher);
	n = fin = 0;
	/* The setup: any failure here is OpenSSL's, not the client's. */
	ok = EVP_DecryptInit_ex2(ctx, crypt_ciphers[k->ck_cipher - 1], NULL,
	    NULL, NULL) == 1 &&
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN,
	    ccm ? CCM_NONCE_LEN : GCM_NONCE_LEN, NULL) == 1 &&
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, SMB3_CRYPT_TAG_LEN,
	    tf.tf_signature) == 1 &&
	    EVP_DecryptInit_ex2(ctx, NULL, k->ck_key, tf.tf_nonce, NULL) == 1 &&
	    (!ccm || EVP_DecryptUpdate(ctx, NULL, &n, NULL,
	    (int)tf.tf_msg_size) == 1) &&
	    EVP_DecryptUpdate(ctx, NULL, &n, buf + TF_OFF_NONCE,
	    TF_AAD_LEN) == 1;
	if (!ok) {
		EVP_CIPHER_CTX_free(ctx);
		errno = EIO;
		return -1;
	}
	/*
	 * CCM checks the tag inside the update, GCM in the final call;
	 * either way a mismatch means a forged or damaged message.
	 */
	ok = EVP_DecryptUpdate(ctx, msg, &n, msg, (int)tf.tf_msg_size) == 1 &&
	    (ccm || EVP_DecryptFinal_ex(ctx, msg + n, &fin) == 1) &&
	    (size_t)n + (size_t)fin == tf.tf_msg_size;
	EVP_CIPHER_CTX_free(ctx);
	if (!ok) {
		/* GCM has written plaintext it never vouched for. */
		OPENSSL_cleanse(msg, tf.tf_msg_size);
		errno = EBADMSG;
		return -1;
	}
	*plain = msg;
	*plainlen = tf.tf_msg_size;
	return 0;
}

/* Takes the key's next nonce; it is spent even if encryption then fails. */
static int
crypt_next_nonce(struct smb3_crypt_key *k,
    uint8_t nonce[SMB3_CRYPT_NONCE_LEN])
{
	if (k->ck_left == 0) {
		errno = EOVERFLOW;
		return -1;
	}
	memset(nonce, 0, SMB3_CRYPT_NONCE_LEN);
	le64enc(nonce, k->ck_counter);
	memcpy(nonce + 8, k->ck_fixed, crypt_is_ccm(k->ck_cipher) ?
	    CCM_NONCE_LEN - 8 : GCM_NONCE_LEN - 8);
	k->ck_counter++;		/* wraps; ck_left bounds the count */
	k->ck_left--;
	return 0;
}

static int
crypt_encrypt_copy(const struct smb3_crypt_key *k,
    const uint8_t nonce[SMB3_CRYPT_NONCE_LEN], uint64_t session_id,
    const void *msg, size_t len, uint8_t **out, size_t *outlen)
{
	uint8_t *buf;

	if ((buf = malloc(SMB2_TRANSFORM_HDR_LEN + len)) == NULL)
		return -1;
	crypt_put_header(buf, nonce, len, session_id);
	if (crypt_seal(k, buf, msg, buf + SMB2_TRANSFORM_HDR_LEN, len) == -1) {
		free(buf);
		return -1;
	}
	*out = buf;
	*outlen = SMB2_TRANSFORM_HDR_LEN + len;
	return 0;
}

int
smb3_crypt_encrypt(struct smb3_crypt_key *k, uint64_t session_id,
    const void *msg, size_t len, uint8_t **out, size_t *outlen)
{
	uint8_t nonce[SMB3_CRYPT_NONCE_LEN];

	if (!crypt_key_ok(k))
		return -1;
	if (msg == NULL || out == NULL || outlen == NULL) {
		errno = EINVAL;
		return -1;
	}
	if (!crypt_len_ok(len) || crypt_next_nonce(k, nonce) == -1)
		return -1;
	return crypt_encrypt_copy(k, nonce, session_id, msg, len, out,
	    outlen);
}

int
smb3_crypt_encrypt_inplace(struct smb3_crypt_key *k, uint64_t session_id,
    uint8_t *buf, size_t len)
{
	uint8_t nonce[SMB3_CRYPT_NONCE_LEN];
	uint8_t *msg;
	size_t msglen;

	if (!crypt_key_ok(k))
		return -1;
	if (buf == NULL || len <= SMB2_TRANSFORM_HDR_LEN) {
		errno = EINVAL;
		return -1;
	}
	msg = buf + SMB2_TRANSFORM_HDR_LEN;
	msglen = len - SMB2_TRANSFORM_HDR_LEN;
	if (!crypt_len_ok(msglen) || crypt_next_nonce(k, nonce) == -1)
		return -1;
	crypt_put_header(buf, nonce, msglen, session_id);
	return crypt_seal(k, buf, msg, msg, msglen);
}

int
smb3_crypt_encrypt_nonce(const struct smb3_crypt_key *k,
    const uint8_t nonce[SMB3_CRYPT_NONCE_LEN], uint64_t session_id,
    const void *msg, size_t len, uint8_t **out, size_t *outlen)
{
	if (!crypt_key_ok(k))
		return -1;
	if (nonce == NULL || msg == NULL || out == NULL || outlen == NULL) {
		errno = EINVAL;
		return -1;
	}
	if (!crypt_len_ok(len))
		return -1;
	return crypt_encrypt_copy(k, nonce, session_id, msg, len, out,
	    outlen);
}
