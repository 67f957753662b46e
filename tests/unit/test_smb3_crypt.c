/*
 * test_smb3_crypt.c — TRANSFORM_HEADER encryption against Microsoft's
 * published messages, plus round trips, tampering and malformed headers.
 *
 * Sources of the expected bytes:
 *  [ENC30]   Microsoft's "Encryption in SMB 3.0: a protocol perspective"
 *            (Open Specifications blog, 2012): a WRITE request and its
 *            response, AES-128-CCM, SessionId 0x8e40014000011.
 *  [ENC311]  Microsoft's "SMB 3.1.1 Encryption in Windows 10" (2015):
 *            appendix A.1, AES-128-GCM, SessionId 0x100000000025, and
 *            A.2, AES-128-CCM, SessionId 0x100000000021.
 *            Keys are named here from the server's side: the client's
 *            EncryptionKey is our decryption key.  Windows fills the
 *            unused tail of a CCM Nonce with stray bytes ([ENC30]); they
 *            are authenticated, so they must be reproduced exactly.
 *  [PY]      No AES-256 example is published.  Those two messages were
 *            made for this test with /usr/bin/python3 and pycryptodomex
 *            (its own AES, not OpenSSL) from a made-up key and nonce; the
 *            same script reproduces every published message above.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "msgbuf.h"
#include "smb3_crypt.h"

static uint8_t *
unhex(const char *s, size_t *lenp)
{
	uint8_t *buf;
	size_t n = 0;
	int hi = -1, v;

	buf = malloc(strlen(s) / 2 + 1);
	assert_non_null(buf);
	for (; *s != '\0'; s++) {
		if (*s >= '0' && *s <= '9')
			v = *s - '0';
		else if (*s >= 'a' && *s <= 'f')
			v = *s - 'a' + 10;
		else if (*s >= 'A' && *s <= 'F')
			v = *s - 'A' + 10;
		else {
			fail_msg("bad hex digit %c", *s);
			return NULL;
		}
		if (hi < 0)
			hi = v;
		else {
			buf[n++] = (uint8_t)(hi << 4 | v);
			hi = -1;
		}
	}
	assert_int_equal(hi, -1);
	*lenp = n;
	return buf;
}

#define ENC30_REQ_PLAIN \
	"FE534D4240000100000000000900400008000000000000000400000000000000" \
	"FFFE0000010000001100001400E4080000000000000000000000000000000000" \
	"3100700017000000000000000000000015010000390000020100000039020000" \
	"00000000000000007000000000000000536D623320656E6372797074696F6E20" \
	"74657374696E67"

#define ENC30_REQ_TF \
	"FD534D4281A286535415445DAE393921E44FA42E66E69A111892584FB5ED524A" \
	"744DA3EE87000000000001001100001400E4080025C8FEE16605A437832D1CD5" \
	"2DA9F4645333482A175FE5384563F45FCDAFAEF38BC62BA4D5C62897996625A4" \
	"4C29BE5658DE2E6117585779E7B59FFD971278D08580D7FA899E410E910EABF5" \
	"AA1DB43050B33B49182637759AC15D84BFCDF5B6B238993C0F4CF4D6012023F6" \
	"C627297075D84B7803912D0A9639634453595EF3E33FFE4E7AC2AB"

#define ENC30_RESP_PLAIN \
	"FE534D4240000100000000000900210009000000000000000400000000000000" \
	"FFFE0000010000001100001400E4080000000000000000000000000000000000" \
	"11000000170000000000000000000000"

#define ENC30_RESP_NONCE \
	"86000000000000001100001400E40800"

#define ENC30_RESP_TF \
	"FD534D42A6015530A18F6D9AFFE22AFAE8E66484860000000000000011000014" \
	"00E4080050000000000001001100001400E40800DBF46435C5F14169293CE079" \
	"E344479BF670227E49873F458672C3098DAC467DD5809F369D67409166515787" \
	"1483E01F7BECD02064EAC3E235F913668BBC2F097980D4B378F1993EFF6E60D1" \
	"77309E5B"

#define ENC311_GCM_REQ_PLAIN \
	"FE534D4240000100000000000900010008000000000000000500000000000000" \
	"FFFE000001000000250000000010000000000000000000000000000000000000" \
	"3100700017000000000000000000000006000000040000000100000004000000" \
	"00000000000000007000000000000000536D623320656E6372797074696F6E20" \
	"74657374696E67"

#define ENC311_GCM_REQ_TF \
	"FD534D42BD73D97D2BC9001BCAFAC0FDFF5FEEBCC7D6822D269CAF48904C664C" \
	"00000000870000000000010025000000001000006ECDD2A7AFC7B47763057A04" \
	"1B8FD4DAFFE990B70C9E09D36C084E02D14EF247F8BDE38ACF6256F8B1D3B56F" \
	"77FBDEB312FEA5E92CBCC1ED8FB2EBBFAA75E49A4A394BB44576545567C24D4C" \
	"014D47C9FBDFDAFD2C4F9B72F8D256452620A299F48E29E53D6B61D1C13A19E9" \
	"1AF013F00D17E3ABC2FC3D36C8C1B6B93973253852DBD442E46EE8"

#define ENC311_GCM_RESP_PLAIN \
	"FE534D4240000100000000000900010001000000000000000500000000000000" \
	"FFFE000001000000250000000010000000000000000000000000000000000000" \
	"11000000170000000000000000000000"

#define ENC311_GCM_RESP_NONCE \
	"E06831DD2E8EB7B40000000000000000"

#define ENC311_GCM_RESP_TF \
	"FD534D42ACBE1CB7ED343ADF1725EF144D90D4B0E06831DD2E8EB7B400000000" \
	"000000005000000000000100250000000010000026BBBF949983A6C1C796559D" \
	"0F2C510CB651D1F7B6AC8DED32A2A0B8F2D793A815C6F6B848D69767A215841A" \
	"42D400AE6DDB5F0B44173A014973321FDD7950DA6179159B82E03C9E18A050FF" \
	"0EA1C967"

#define ENC311_CCM_REQ_PLAIN \
	"FE534D4240000100000000000900010008000000000000000500000000000000" \
	"FFFE000001000000210000000010000000000000000000000000000000000000" \
	"3100700017000000000000000000000005000000040000000100000004000000" \
	"00000000000000007000000000000000536D623320656E6372797074696F6E20" \
	"74657374696E67"

#define ENC311_CCM_REQ_TF \
	"FD534D42E89551D666DAB8993488F5A97103116C9F6F1EAAD7E9F24AACD38F00" \
	"000000008700000000000100210000000010000056A74778199A9D2B6E9C3A37" \
	"6FD88D27680694FED253A313BEB07381AE8689F973ACDB8D716E4477803BCE53" \
	"A92E1B81FA3E965AD9AF2C89C08CE66A344664453B8FC88118EDC9814CF58E92" \
	"AA465E6EFB09958A9FDAD96FBD55B36A710C30D5E7C64AD7B9449F9F17EDD024" \
	"FE8BA79154F340A82740D1D5180C69B0A2DE6A4BA893BD55D3210E"

#define ENC311_CCM_RESP_PLAIN \
	"FE534D4240000100000000000900010001000000000000000500000000000000" \
	"FFFE000001000000210000000010000000000000000000000000000000000000" \
	"11000000170000000000000000000000"

#define ENC311_CCM_RESP_NONCE \
	"D96831DD2E8EB7B40000000000000000"

#define ENC311_CCM_RESP_TF \
	"FD534D42DD33EC41A927DD51476FE887C2D3C136D96831DD2E8EB7B400000000" \
	"0000000050000000000001002100000000100000F783157E0F6F1C055D746753" \
	"CA16D20C21088E2A67564E056C2F68A7F14F226C3BD809B7A2D52E5FE4ECF498" \
	"21BC6001733430CF174E2764B3CCB213AAD8BB9FBAF6C15E13D9120965390E00" \
	"4A96A3F7"

#define AES256_PLAIN \
	"FE534D4240000100000000000800010001000000000000000600000000000000" \
	"FFFE000001000000250000000010000000000000000000000000000000000000" \
	"11005000170000000000000000000000536D623320656E6372797074696F6E20" \
	"74657374696E67"

#define CCM256_NONCE \
	"A0A1A2A3A4A5A6A7A8A9AA0000000000"

#define CCM256_TF \
	"FD534D4241D4020448E595A881DAEF82A28A2E95A0A1A2A3A4A5A6A7A8A9AA00" \
	"000000006700000000000100250000000010000066F20ECDB152F54EE8FB35F2" \
	"3EE5B5E9CBCC5ED999319250F48B4D2D41392574AEC92E1E613A71CF72E0D1B3" \
	"6909B2B08280A253FEACDE4B86D02556318C70034B4AB19C61ED7BEBA132C49C" \
	"EBF9BADFD90C1560BD97EAAC91C6997898F2D7D89E621D4E563AAB"

#define GCM256_NONCE \
	"A0A1A2A3A4A5A6A7A8A9AAAB00000000"

#define GCM256_TF \
	"FD534D427546EA9BEC4D32F9D3368114245DB2BAA0A1A2A3A4A5A6A7A8A9AAAB" \
	"0000000067000000000001002500000000100000184B316F05CB03BF626587D3" \
	"0F7AC1DE71AC591092B7426C9A0E26867FAB75012D8847FFAE22533D7A9C04C8" \
	"096A83F9471B464862D01A7E415E0B5EA47085B0A5BCD56F27A5E4E0F4E2FF18" \
	"8FCECCBA9E66C997E5A4F7199C0C4EEED8F523B4FBE158DF6AC0E8"

#define AES256_KEY \
	"000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F"

struct vector {
	const char	*name;
	uint16_t	 cipher;
	const char	*key;
	uint64_t	 session_id;
	const char	*plain;
	const char	*tf;		/* the whole transformed message */
};

static const struct vector vectors[] = {
	{ "3.0 WRITE request", SMB2_ENCRYPTION_AES128_CCM,
	    "261B72350558F2E9DCF613070383EDBF", 0x8e40014000011ULL,
	    ENC30_REQ_PLAIN, ENC30_REQ_TF },
	{ "3.0 WRITE response", SMB2_ENCRYPTION_AES128_CCM,
	    "8FE2B57EC34D2DB5B1A9727F526BBDB5", 0x8e40014000011ULL,
	    ENC30_RESP_PLAIN, ENC30_RESP_TF },
	{ "3.1.1 GCM WRITE request", SMB2_ENCRYPTION_AES128_GCM,
	    "A2F5E80E5D59103034F32E52F698E5EC", 0x100000000025ULL,
	    ENC311_GCM_REQ_PLAIN, ENC311_GCM_REQ_TF },
	{ "3.1.1 GCM WRITE response", SMB2_ENCRYPTION_AES128_GCM,
	    "748C50868C90F302962A5C35F5F9A8BF", 0x100000000025ULL,
	    ENC311_GCM_RESP_PLAIN, ENC311_GCM_RESP_TF },
	{ "3.1.1 CCM WRITE request", SMB2_ENCRYPTION_AES128_CCM,
	    "DFAAA31AAE40A2485D47AC4DF09FDA1D", 0x100000000021ULL,
	    ENC311_CCM_REQ_PLAIN, ENC311_CCM_REQ_TF },
	{ "3.1.1 CCM WRITE response", SMB2_ENCRYPTION_AES128_CCM,
	    "95C544AEF6072680DA1CE49A68A97FA6", 0x100000000021ULL,
	    ENC311_CCM_RESP_PLAIN, ENC311_CCM_RESP_TF },
	{ "AES-256-CCM", SMB2_ENCRYPTION_AES256_CCM, AES256_KEY,
	    0x100000000025ULL, AES256_PLAIN, CCM256_TF },
	{ "AES-256-GCM", SMB2_ENCRYPTION_AES256_GCM, AES256_KEY,
	    0x100000000025ULL, AES256_PLAIN, GCM256_TF },
};

#define NVECTORS	(sizeof(vectors) / sizeof(vectors[0]))

static const uint16_t ciphers[] = {
	SMB2_ENCRYPTION_AES128_CCM, SMB2_ENCRYPTION_AES128_GCM,
	SMB2_ENCRYPTION_AES256_CCM, SMB2_ENCRYPTION_AES256_GCM,
};

#define NCIPHERS	(sizeof(ciphers) / sizeof(ciphers[0]))

static void
vector_key(const struct vector *v, struct smb3_crypt_key *k)
{
	uint8_t *key;
	size_t keylen;

	key = unhex(v->key, &keylen);
	assert_int_equal(smb3_crypt_key_init(k, v->cipher, key, keylen), 0);
	free(key);
}

/* A key of the right size for cipher, bytes 0x40, 0x41, ... */
static void
test_key(uint16_t cipher, struct smb3_crypt_key *k)
{
	uint8_t key[32];
	size_t i;

	for (i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)(0x40 + i);
	assert_int_equal(smb3_crypt_key_init(k, cipher, key,
	    smb3_crypt_keylen(cipher)), 0);
}

/* An SMB2-looking message of len bytes. */
static uint8_t *
test_msg(size_t len)
{
	uint8_t *m;
	size_t i;

	m = malloc(len);
	assert_non_null(m);
	for (i = 0; i < len; i++)
		m[i] = (uint8_t)(i * 7 + 3);
	if (len >= 4)
		memcpy(m, "\xfeSMB", 4);
	return m;
}

static void
test_smb3_crypt_decrypts_published_messages(void **state)
{
	struct smb3_crypt_key k;
	struct smb3_transform tf;
	uint8_t *buf, *want, *plain;
	size_t len, wantlen, plainlen, i;

	(void)state;
	for (i = 0; i < NVECTORS; i++) {
		print_message("%s\n", vectors[i].name);
		vector_key(&vectors[i], &k);
		buf = unhex(vectors[i].tf, &len);
		want = unhex(vectors[i].plain, &wantlen);
		assert_int_equal(smb3_crypt_parse_header(buf, len, &tf), 0);
		assert_true(tf.tf_session_id == vectors[i].session_id);
		assert_int_equal(tf.tf_msg_size, wantlen);
		assert_int_equal(smb3_crypt_decrypt(&k, buf, len, &plain,
		    &plainlen), 0);
		assert_ptr_equal(plain, buf + SMB2_TRANSFORM_HDR_LEN);
		assert_int_equal(plainlen, wantlen);
		assert_memory_equal(plain, want, wantlen);
		smb3_crypt_key_clear(&k);
		free(buf);
		free(want);
	}
}

/* With the published nonce the whole transformed message comes out. */
static void
test_smb3_crypt_encrypt_nonce_reproduces_published(void **state)
{
	struct smb3_crypt_key k;
	uint8_t *tf, *msg, *out;
	size_t tflen, msglen, outlen, i;

	(void)state;
	for (i = 0; i < NVECTORS; i++) {
		print_message("%s\n", vectors[i].name);
		vector_key(&vectors[i], &k);
		tf = unhex(vectors[i].tf, &tflen);
		msg = unhex(vectors[i].plain, &msglen);
		assert_int_equal(smb3_crypt_encrypt_nonce(&k, tf + 20,
		    vectors[i].session_id, msg, msglen, &out, &outlen), 0);
		assert_int_equal(outlen, tflen);
		assert_memory_equal(out, tf, tflen);
		smb3_crypt_key_clear(&k);
		free(tf);
		free(msg);
		free(out);
	}
}

static void
round_trip(uint16_t cipher, size_t len, int inplace)
{
	struct smb3_crypt_key k;
	struct smb3_transform tf;
	uint8_t *msg, *out, *plain;
	size_t outlen, plainlen;
	uint64_t sid = 0x1122334455667788ULL + len;

	test_key(cipher, &k);
	msg = test_msg(len);
	if (inplace) {
		outlen = SMB2_TRANSFORM_HDR_LEN + len;
		out = malloc(outlen);
		assert_non_null(out);
		memcpy(out + SMB2_TRANSFORM_HDR_LEN, msg, len);
		assert_int_equal(smb3_crypt_encrypt_inplace(&k, sid, out,
		    outlen), 0);
	} else
		assert_int_equal(smb3_crypt_encrypt(&k, sid, msg, len, &out,
		    &outlen), 0);
	assert_int_equal(outlen, SMB2_TRANSFORM_HDR_LEN + len);
	if (len >= 16)
		assert_memory_not_equal(out + SMB2_TRANSFORM_HDR_LEN, msg, 16);
	assert_int_equal(smb3_crypt_parse_header(out, outlen, &tf), 0);
	assert_true(tf.tf_session_id == sid);
	assert_int_equal(tf.tf_flags, SMB2_TRANSFORM_FLAG_ENCRYPTED);
	assert_int_equal(smb3_crypt_decrypt(&k, out, outlen, &plain,
	    &plainlen), 0);
	assert_int_equal(plainlen, len);
	assert_memory_equal(plain, msg, len);
	smb3_crypt_key_clear(&k);
	free(msg);
	free(out);
}

static void
test_smb3_crypt_round_trips_every_cipher(void **state)
{
	static const size_t lens[] = { 1, 15, 16, 63, 64, 65, 1000, 70001 };
	size_t i, j;

	(void)state;
	for (i = 0; i < NCIPHERS; i++)
		for (j = 0; j < sizeof(lens) / sizeof(lens[0]); j++) {
			round_trip(ciphers[i], lens[j], 0);
			round_trip(ciphers[i], lens[j], 1);
		}
}

/*
 * Successive nonces: the counter in bytes 0-7 goes up by one, the random
 * fixed field after it stays, and the rest of the 16 bytes is zero.
 */
static void
test_smb3_crypt_nonces_count_under_fixed_field(void **state)
{
	static const uint8_t zero[16];
	struct smb3_crypt_key k;
	uint8_t *msg, *a, *b;
	size_t alen, blen, i, used;

	(void)state;
	msg = test_msg(100);
	for (i = 0; i < NCIPHERS; i++) {
		used = ciphers[i] == SMB2_ENCRYPTION_AES128_CCM ||
		    ciphers[i] == SMB2_ENCRYPTION_AES256_CCM ? 11 : 12;
		test_key(ciphers[i], &k);
		assert_int_equal(smb3_crypt_encrypt(&k, 1, msg, 100, &a,
		    &alen), 0);
		assert_int_equal(smb3_crypt_encrypt(&k, 1, msg, 100, &b,
		    &blen), 0);
		assert_true(le64dec(b + 20) == le64dec(a + 20) + 1);
		assert_memory_equal(a + 28, b + 28, used - 8);
		assert_memory_equal(a + 20 + used, zero, 16 - used);
		assert_memory_equal(b + 20 + used, zero, 16 - used);
		assert_memory_not_equal(a + 52, b + 52, 16);
		smb3_crypt_key_clear(&k);
		free(a);
		free(b);
	}
	free(msg);
}

/* Two key objects with the same key bytes start far apart. */
static void
test_smb3_crypt_same_key_twice_gives_different_nonces(void **state)
{
	struct smb3_crypt_key k1, k2;
	uint8_t *msg, *a, *b;
	size_t alen, blen;

	(void)state;
	msg = test_msg(64);
	test_key(SMB2_ENCRYPTION_AES128_CCM, &k1);
	test_key(SMB2_ENCRYPTION_AES128_CCM, &k2);
	assert_int_equal(smb3_crypt_encrypt(&k1, 1, msg, 64, &a, &alen), 0);
	assert_int_equal(smb3_crypt_encrypt(&k2, 1, msg, 64, &b, &blen), 0);
	assert_memory_not_equal(a + 20, b + 20, 11);
	free(a);
	free(b);
	free(msg);
}

static void
test_smb3_crypt_refuses_exhausted_key(void **state)
{
	struct smb3_crypt_key k;
	uint8_t *msg, *out;
	size_t outlen;

	(void)state;
	msg = test_msg(64);
	test_key(SMB2_ENCRYPTION_AES128_GCM, &k);
	k.ck_left = 1;
	assert_int_equal(smb3_crypt_encrypt(&k, 1, msg, 64, &out, &outlen), 0);
	free(out);
	errno = 0;
	assert_int_equal(smb3_crypt_encrypt(&k, 1, msg, 64, &out, &outlen),
	    -1);
	assert_int_equal(errno, EOVERFLOW);
	free(msg);
}

/*
 * Any change to the tag, the authenticated header fields (the whole
 * Nonce field too) or the ciphertext fails, and the payload is wiped.
 */
static void
test_smb3_crypt_decrypt_rejects_tampering(void **state)
{
	static const size_t offs[] = {
		4, 19,			/* Signature */
		20, 31, 35,		/* Nonce: used, and unused tail */
		40, 41,			/* Reserved */
		44, 51,			/* SessionId */
		52, 52 + 99,		/* ciphertext */
	};
	static const uint8_t zero[100];
	struct smb3_crypt_key k;
	uint8_t *msg, *out, *copy, *plain;
	size_t outlen, plainlen, i, j;

	(void)state;
	msg = test_msg(100);
	for (i = 0; i < NCIPHERS; i++) {
		test_key(ciphers[i], &k);
		assert_int_equal(smb3_crypt_encrypt(&k, 7, msg, 100, &out,
		    &outlen), 0);
		copy = malloc(outlen);
		assert_non_null(copy);
		for (j = 0; j < sizeof(offs) / sizeof(offs[0]); j++) {
			memcpy(copy, out, outlen);
			copy[offs[j]] ^= 0x04;
			errno = 0;
			assert_int_equal(smb3_crypt_decrypt(&k, copy, outlen,
			    &plain, &plainlen), -1);
			assert_int_equal(errno, EBADMSG);
			assert_memory_equal(copy + 52, zero, 100);
		}
		memcpy(copy, out, outlen);
		assert_int_equal(smb3_crypt_decrypt(&k, copy, outlen, &plain,
		    &plainlen), 0);
		free(copy);
		free(out);
		smb3_crypt_key_clear(&k);
	}
	free(msg);
}

static void
test_smb3_crypt_decrypt_rejects_wrong_key_or_cipher(void **state)
{
	struct smb3_crypt_key k, other;
	uint8_t *buf, *plain, key[32];
	size_t len, plainlen;

	(void)state;
	vector_key(&vectors[0], &k);		/* 3.0 request, AES-128-CCM */
	buf = unhex(vectors[0].tf, &len);
	memcpy(key, k.ck_key, 16);
	key[15] ^= 1;
	assert_int_equal(smb3_crypt_key_init(&other,
	    SMB2_ENCRYPTION_AES128_CCM, key, 16), 0);
	assert_int_equal(smb3_crypt_decrypt(&other, buf, len, &plain,
	    &plainlen), -1);
	assert_int_equal(errno, EBADMSG);
	free(buf);
	buf = unhex(vectors[0].tf, &len);
	assert_int_equal(smb3_crypt_key_init(&other,
	    SMB2_ENCRYPTION_AES128_GCM, k.ck_key, 16), 0);
	assert_int_equal(smb3_crypt_decrypt(&other, buf, len, &plain,
	    &plainlen), -1);
	assert_int_equal(errno, EBADMSG);
	free(buf);
}

static void
test_smb3_crypt_parse_header_checks_fields(void **state)
{
	struct smb3_transform tf;
	struct smb3_crypt_key k;
	uint8_t *buf, *big, *plain;
	size_t len, i, plainlen;

	(void)state;
	buf = unhex(ENC30_REQ_TF, &len);
	assert_int_equal(smb3_crypt_parse_header(buf, len, &tf), 0);

	/* Truncated: every length up to and including the bare header. */
	for (i = 0; i <= SMB2_TRANSFORM_HDR_LEN; i++) {
		errno = 0;
		assert_int_equal(smb3_crypt_parse_header(buf, i, &tf), -1);
		assert_int_equal(errno, EBADMSG);
	}
	assert_int_equal(smb3_crypt_parse_header(buf, len - 1, &tf), -1);
	assert_int_equal(smb3_crypt_parse_header(NULL, len, &tf), -1);

	/* A byte more than OriginalMessageSize says. */
	big = malloc(len + 1);
	assert_non_null(big);
	memcpy(big, buf, len);
	big[len] = 0;
	assert_int_equal(smb3_crypt_parse_header(big, len + 1, &tf), -1);
	vector_key(&vectors[0], &k);
	assert_int_equal(smb3_crypt_decrypt(&k, big, len + 1, &plain,
	    &plainlen), -1);
	assert_int_equal(errno, EBADMSG);
	free(big);

	/* OriginalMessageSize off by one either way, or zero. */
	le32enc(buf + 36, (uint32_t)(len - 52 + 1));
	assert_int_equal(smb3_crypt_parse_header(buf, len, &tf), -1);
	le32enc(buf + 36, (uint32_t)(len - 52 - 1));
	assert_int_equal(smb3_crypt_parse_header(buf, len, &tf), -1);
	le32enc(buf + 36, 0);
	assert_int_equal(smb3_crypt_parse_header(buf, len, &tf), -1);
	le32enc(buf + 36, 0xFFFFFFFFu);
	assert_int_equal(smb3_crypt_parse_header(buf, len, &tf), -1);
	le32enc(buf + 36, (uint32_t)(len - 52));

	/* ProtocolId: an SMB2 header or a compression header is not it. */
	buf[0] = 0xFE;
	assert_int_equal(smb3_crypt_parse_header(buf, len, &tf), -1);
	buf[0] = 0xFC;
	assert_int_equal(smb3_crypt_parse_header(buf, len, &tf), -1);
	buf[0] = 0xFD;

	/* Flags/EncryptionAlgorithm must be exactly 0x0001 (3.3.5.2.1.1). */
	le16enc(buf + 42, 0);
	assert_int_equal(smb3_crypt_parse_header(buf, len, &tf), -1);
	le16enc(buf + 42, 3);
	assert_int_equal(smb3_crypt_parse_header(buf, len, &tf), -1);
	le16enc(buf + 42, 1);

	/* Reserved is ignored by the parser (it is still authenticated). */
	le16enc(buf + 40, 0xBEEF);
	assert_int_equal(smb3_crypt_parse_header(buf, len, &tf), 0);
	assert_int_equal(smb3_crypt_decrypt(&k, buf, len, &plain,
	    &plainlen), -1);
	/* A failed decryption wipes the payload: start again. */
	free(buf);
	buf = unhex(ENC30_REQ_TF, &len);
	assert_int_equal(smb3_crypt_decrypt(&k, buf, len, &plain,
	    &plainlen), 0);
	free(buf);
}

static void
test_smb3_crypt_refuses_unknown_cipher_and_bad_keys(void **state)
{
	static const struct smb3_crypt_key zero;
	struct smb3_crypt_key k;
	uint8_t key[32] = { 0 }, *buf, *out, *plain;
	size_t len, outlen, plainlen;

	(void)state;
	assert_int_equal(smb3_crypt_keylen(0), 0);
	assert_int_equal(smb3_crypt_keylen(5), 0);
	assert_int_equal(smb3_crypt_keylen(SMB2_ENCRYPTION_AES256_GCM), 32);
	errno = 0;
	assert_int_equal(smb3_crypt_key_init(&k, 0, key, 16), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(smb3_crypt_key_init(&k, 5, key, 16), -1);
	assert_int_equal(smb3_crypt_key_init(&k, 0xFFFF, key, 32), -1);
	assert_int_equal(smb3_crypt_key_init(&k, SMB2_ENCRYPTION_AES256_CCM,
	    key, 16), -1);
	assert_int_equal(smb3_crypt_key_init(&k, SMB2_ENCRYPTION_AES128_GCM,
	    key, 32), -1);
	assert_int_equal(smb3_crypt_key_init(&k, SMB2_ENCRYPTION_AES128_GCM,
	    NULL, 16), -1);
	assert_int_equal(smb3_crypt_key_init(NULL, SMB2_ENCRYPTION_AES128_GCM,
	    key, 16), -1);

	/* A key never set up (or cleared) does nothing. */
	k = zero;
	buf = unhex(ENC30_REQ_TF, &len);
	errno = 0;
	assert_int_equal(smb3_crypt_decrypt(&k, buf, len, &plain, &plainlen),
	    -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(smb3_crypt_encrypt(&k, 1, buf, len, &out, &outlen),
	    -1);
	k.ck_cipher = 9;
	k.ck_keylen = 16;
	assert_int_equal(smb3_crypt_encrypt(&k, 1, buf, len, &out, &outlen),
	    -1);
	assert_int_equal(errno, EINVAL);

	test_key(SMB2_ENCRYPTION_AES128_CCM, &k);
	assert_int_equal(smb3_crypt_encrypt(&k, 1, buf, 0, &out, &outlen), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(smb3_crypt_encrypt(&k, 1, NULL, 10, &out, &outlen),
	    -1);
	assert_int_equal(smb3_crypt_encrypt_inplace(&k, 1, buf,
	    SMB2_TRANSFORM_HDR_LEN), -1);
	assert_int_equal(smb3_crypt_encrypt_nonce(&k, NULL, 1, buf, 10, &out,
	    &outlen), -1);
	assert_int_equal(smb3_crypt_decrypt(&k, buf, len, NULL, &plainlen),
	    -1);
	smb3_crypt_key_clear(&k);
	assert_memory_equal(&k, &zero, sizeof(k));
	free(buf);
}

static int
teardown_all(void **state)
{
	(void)state;
	smb3_crypt_cleanup();
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_smb3_crypt_decrypts_published_messages),
		cmocka_unit_test(
		    test_smb3_crypt_encrypt_nonce_reproduces_published),
		cmocka_unit_test(test_smb3_crypt_round_trips_every_cipher),
		cmocka_unit_test(
		    test_smb3_crypt_nonces_count_under_fixed_field),
		cmocka_unit_test(
		    test_smb3_crypt_same_key_twice_gives_different_nonces),
		cmocka_unit_test(test_smb3_crypt_refuses_exhausted_key),
		cmocka_unit_test(test_smb3_crypt_decrypt_rejects_tampering),
		cmocka_unit_test(
		    test_smb3_crypt_decrypt_rejects_wrong_key_or_cipher),
		cmocka_unit_test(test_smb3_crypt_parse_header_checks_fields),
		cmocka_unit_test(
		    test_smb3_crypt_refuses_unknown_cipher_and_bad_keys),
	};

	return cmocka_run_group_tests(tests, NULL, teardown_all);
}
