/*
 * fuzz_transform.c — libFuzzer harness for the TRANSFORM_HEADER parser and
 * SMB 3.x decryption (smb3_crypt.c).
 *
 * Each input is used three ways, under a fixed key for each of the four
 * ciphers:
 *  1. as a whole received message: parse the header, then decrypt (on a
 *     copy, since decryption works in place);
 *  2. with the header forced well-formed (ProtocolId, Flags,
 *     OriginalMessageSize), so that the AEAD code runs on nearly every
 *     input instead of on the few that guess the header.  Decryption must
 *     still fail: success would be a forged tag;
 *  3. as a plaintext SMB2 message: encrypt, decrypt, compare.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "msgbuf.h"
#include "smb2.h"
#include "smb3_crypt.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define FUZZ_MAX	(1u << 20)

static const uint16_t fuzz_ciphers[] = {
	SMB2_ENCRYPTION_AES128_CCM, SMB2_ENCRYPTION_AES128_GCM,
	SMB2_ENCRYPTION_AES256_CCM, SMB2_ENCRYPTION_AES256_GCM,
};
#define FUZZ_NCIPHERS	(sizeof(fuzz_ciphers) / sizeof(fuzz_ciphers[0]))

static struct smb3_crypt_key fuzz_keys[FUZZ_NCIPHERS];

static void
fuzz_cleanup(void)
{
	size_t i;

	for (i = 0; i < FUZZ_NCIPHERS; i++)
		smb3_crypt_key_clear(&fuzz_keys[i]);
	smb3_crypt_cleanup();
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	uint8_t key[32];
	size_t i;

	(void)argc;
	(void)argv;
	for (i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)(0xA5 ^ i);
	if (smb3_crypt_init() == -1)
		abort();
	for (i = 0; i < FUZZ_NCIPHERS; i++)
		if (smb3_crypt_key_init(&fuzz_keys[i], fuzz_ciphers[i], key,
		    smb3_crypt_keylen(fuzz_ciphers[i])) == -1)
			abort();
	atexit(fuzz_cleanup);
	return 0;
}

static void
fuzz_received(const uint8_t *data, size_t size, uint8_t *copy, int forge)
{
	struct smb3_transform tf;
	uint8_t *plain;
	size_t i, plainlen;

	for (i = 0; i < FUZZ_NCIPHERS; i++) {
		memcpy(copy, data, size);
		if (forge) {
			le32enc(copy, SMB2_TRANSFORM_ID);
			le32enc(copy + 36,
			    (uint32_t)(size - SMB2_TRANSFORM_HDR_LEN));
			le16enc(copy + 42, SMB2_TRANSFORM_FLAG_ENCRYPTED);
			if (smb3_crypt_parse_header(copy, size, &tf) == -1)
				abort();
		} else
			(void)smb3_crypt_parse_header(copy, size, &tf);
		if (smb3_crypt_decrypt(&fuzz_keys[i], copy, size, &plain,
		    &plainlen) == 0) {
			if (forge)
				abort();
			if (plain != copy + SMB2_TRANSFORM_HDR_LEN ||
			    plainlen != size - SMB2_TRANSFORM_HDR_LEN)
				abort();
		}
	}
}

static void
fuzz_round_trip(const uint8_t *data, size_t size)
{
	uint8_t *out, *plain;
	size_t i, outlen, plainlen;

	for (i = 0; i < FUZZ_NCIPHERS; i++) {
		if (smb3_crypt_encrypt(&fuzz_keys[i], size, data, size, &out,
		    &outlen) == -1)
			abort();
		if (smb3_crypt_decrypt(&fuzz_keys[i], out, outlen, &plain,
		    &plainlen) == -1 || plainlen != size ||
		    memcmp(plain, data, size) != 0)
			abort();
		free(out);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy;

	if (size > FUZZ_MAX)
		return 0;
	if ((copy = malloc(size + 1)) == NULL)
		return 0;
	fuzz_received(data, size, copy, 0);
	if (size > SMB2_TRANSFORM_HDR_LEN)
		fuzz_received(data, size, copy, 1);
	if (size > 0)
		fuzz_round_trip(data, size);
	free(copy);
	return 0;
}
