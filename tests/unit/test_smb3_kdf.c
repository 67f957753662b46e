/*
 * test_smb3_kdf.c — session key derivation and the preauth integrity hash
 * against the keys Microsoft published.
 *
 * Sources of the expected bytes (the "Open Specifications" blog, archived
 * at learn.microsoft.com/archive/blogs/openspecification/):
 *  [ANATOMY]  "SMB 2 and SMB 3 security in Windows 10: the anatomy of
 *             signing and cryptographic keys" (2017), Appendix: key
 *             derivation examples for 3.0 and 3.1.1 multichannel, with
 *             the step-by-step preauth integrity hash.
 *  [ENC30]    "Encryption in SMB 3.0: a protocol perspective" (2012).
 *  [ENC311]   "SMB 3.1.1 Encryption in Windows 10" (2015), Appendix A.1
 *             (AES-128-GCM) and A.2 (AES-128-CCM).
 * The blogs print keys as the client sees them: its EncryptionKey is the
 * server's decryption key (ServerIn, SMBC2SCipherKey) and the other way
 * round.
 *  [PY]       No AES-256 vector is published.  Those expected bytes were
 *             computed for this test with /usr/bin/python3's hmac and
 *             hashlib, an SP800-108 loop written out by hand (r = 32,
 *             L = 256), not OpenSSL's KBKDF; the same loop reproduces
 *             every published key above.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "smb3_crypt.h"
#include "smb3_kdf.h"

#define D202	0x0202
#define D210	0x0210
#define D300	0x0300
#define D302	0x0302
#define D311	0x0311

/* Decodes a hex string (spaces allowed) into a new buffer. */
static uint8_t *
unhex(const char *s, size_t *lenp)
{
	uint8_t *buf;
	size_t n = 0;
	int hi = -1, v;

	buf = malloc(strlen(s) / 2 + 1);
	assert_non_null(buf);
	for (; *s != '\0'; s++) {
		if (*s == ' ')
			continue;
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
	if (lenp != NULL)
		*lenp = n;
	return buf;
}

static void
assert_hex(const uint8_t *got, size_t len, const char *want)
{
	uint8_t *w;
	size_t wlen;

	w = unhex(want, &wlen);
	assert_int_equal(wlen, len);
	assert_memory_equal(got, w, len);
	free(w);
}

static void
derive(uint16_t dialect, uint16_t cipher, const char *key,
    const char *preauth, struct smb3_keys *k)
{
	uint8_t *kb, *pb = NULL;
	size_t klen, plen;

	kb = unhex(key, &klen);
	if (preauth != NULL) {
		pb = unhex(preauth, &plen);
		assert_int_equal(plen, SMB3_PREAUTH_HASH_LEN);
	}
	assert_int_equal(smb3_kdf_session_keys(dialect, cipher, kb, klen, pb,
	    k), 0);
	free(kb);
	free(pb);
}

/* [ANATOMY] 3.0, master session. */
static void
test_smb3_kdf_30_matches_anatomy_vector(void **state)
{
	struct smb3_keys k;

	(void)state;
	derive(D300, 0, "7CD451825D0450D235424E44BA6E78CC", NULL, &k);
	assert_hex(k.sk_signing, 16, "0B7E9C5CAC36C0F6EA9AB275298CEDCE");
	assert_int_equal(k.sk_cipher_keylen, 16);
	assert_hex(k.sk_decrypt, 16, "FAD27796665B313EBB578F388632B4F7");
	assert_hex(k.sk_encrypt, 16, "B0F0427F7CEB416D1D9DCC0CD4F99447");
	assert_hex(k.sk_app, 16, "BB23A4575AA26C721AF525AF15A87B4F");
}

/* [ANATOMY] 3.0, second channel: only Channel.SigningKey is new. */
static void
test_smb3_kdf_30_binding_signing_key(void **state)
{
	struct smb3_keys k;

	(void)state;
	derive(D300, SMB2_ENCRYPTION_AES128_CCM,
	    "4E01A2B313BCF660CC250BEF021AEDE6", NULL, &k);
	assert_hex(k.sk_signing, 16, "BA1A17DBBFEC349BCA105563D598952F");
}

/* [ENC30]; 3.0.2 uses the same labels. */
static void
test_smb3_kdf_30_matches_encryption_blog(void **state)
{
	struct smb3_keys k;
	uint16_t d[] = { D300, D302 };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(d) / sizeof(d[0]); i++) {
		derive(d[i], SMB2_ENCRYPTION_AES128_CCM,
		    "B4546771B515F766A86735532DD6C4F0", NULL, &k);
		assert_hex(k.sk_signing, 16,
		    "F773CD23C18FD1E08EE510CADA7CF852");
		assert_hex(k.sk_decrypt, 16,
		    "261B72350558F2E9DCF613070383EDBF");
		assert_hex(k.sk_encrypt, 16,
		    "8FE2B57EC34D2DB5B1A9727F526BBDB5");
		assert_hex(k.sk_app, 16, "77432F808CE99156B5BC6A3676D730D1");
	}
}

#define ANATOMY_PREAUTH \
	"0DD13628CC3ED218EF9DF9772D436D0887AB9814BFAE63A80AA845F36909DB79" \
	"28622DDDAD522D9751640A459762C5A9D6BB084CBB3CE6BDADEF5D5BCE3C6C01"

/* [ANATOMY] 3.1.1, master session, CipherId 2. */
static void
test_smb3_kdf_311_matches_anatomy_vector(void **state)
{
	struct smb3_keys k;

	(void)state;
	derive(D311, SMB2_ENCRYPTION_AES128_GCM,
	    "270E1BA896585EEB7AF3472D3B4C75A7", ANATOMY_PREAUTH, &k);
	assert_hex(k.sk_signing, 16, "73FE7A9A77BEF0BDE49C650D8CCB5F76");
	assert_int_equal(k.sk_cipher_keylen, 16);
	assert_hex(k.sk_decrypt, 16, "629BCBC54422A0F572B97F45989B6073");
	assert_hex(k.sk_encrypt, 16, "E2AF0DCEFAC68DA71A0DFBD0D1350D74");
	assert_hex(k.sk_app, 16, "6D7AD7954E9EC61E907B4D473DC178FF");
}

/* [ANATOMY] 3.1.1, second channel, with the binding's own preauth hash. */
static void
test_smb3_kdf_311_binding_signing_key(void **state)
{
	struct smb3_keys k;

	(void)state;
	derive(D311, SMB2_ENCRYPTION_AES128_GCM,
	    "84B9DBB730116A8FA6E9889555C265F9",
	    "EA3BF912B11CBFEC5B1889E8209614218687F82FA5294521AD3063425E49E88A"
	    "10BD022124CE25123BC9111F52D9566BA88BF46344E6063DC5E3FF0389026F6C",
	    &k);
	assert_hex(k.sk_signing, 16, "C962BCA1A9DD1697B030644199705431");
}

/* [ENC311] A.1 (AES-128-GCM) and A.2 (AES-128-CCM). */
static void
test_smb3_kdf_311_matches_encryption_blog(void **state)
{
	struct smb3_keys k;

	(void)state;
	derive(D311, SMB2_ENCRYPTION_AES128_GCM,
	    "419FDDF34C1E001909D362AE7FB6AF79",
	    "B23F3CBFD69487D9832B79B1594A367CDD950909B774C3A4C412B4FCEA9EDDDB"
	    "A7DB256BA2EA30E977F11F9B113247578E0E915C6D2A513B8F2FCA5707DC8770",
	    &k);
	assert_hex(k.sk_signing, 16, "8765949DFEAEE105CE9118B45BE988F0");
	assert_hex(k.sk_decrypt, 16, "A2F5E80E5D59103034F32E52F698E5EC");
	assert_hex(k.sk_encrypt, 16, "748C50868C90F302962A5C35F5F9A8BF");
	assert_hex(k.sk_app, 16, "099D610789FBE82055B313601C3E8CC4");

	derive(D311, SMB2_ENCRYPTION_AES128_CCM,
	    "07B7F69C1E2581662DF6987E88F9E891",
	    "DECF98A420718718F22090D3580FCC5E484BD310FA1268210C6E86335A8891E7"
	    "67F5BCD99FA5A7859D665AD07A73EA94E1BCDB7CFA69A6962A28A244138340B1",
	    &k);
	assert_hex(k.sk_signing, 16, "3DCC82C5795AE27F383242761078C59B");
	assert_hex(k.sk_decrypt, 16, "DFAAA31AAE40A2485D47AC4DF09FDA1D");
	assert_hex(k.sk_encrypt, 16, "95C544AEF6072680DA1CE49A68A97FA6");
	assert_hex(k.sk_app, 16, "7A2F0F73EC2D530879B2913BBFCE242F");
}

/*
 * [ANATOMY] the 3.1.1 master session step by step: NEGOTIATE request and
 * response update the connection's hash, then both SESSION_SETUP rounds'
 * requests and the MORE_PROCESSING response update the session's (the
 * final, signed response is not hashed, 3.3.5.5.3); the result derives
 * the published signing key.
 */
static const char *const anatomy_msgs[] = {
	/* NEGOTIATE request */
	"FE534D4240000100000000000000800000000000000000000100000000000000"
	"FFFE000000000000000000000000000000000000000000000000000000000000"
	"24000500000000003F000000ECD86F326276024F9F7752B89BB33F3A70000000"
	"020000000202100200030203110300000100260000000000010020000100FA49"
	"E6578F1F3A9F4CD3E9CC14A67AA884B3D05844E0E5A118225C15887F32FF0000"
	"0200060000000000020002000100",
	/* NEGOTIATE response */
	"FE534D4240000100000000000000010001000000000000000100000000000000"
	"FFFE000000000000000000000000000000000000000000000000000000000000"
	"410001001103020039CBCAF329714942BDCE5D60F09AB3FB2F00000000008000"
	"0000800000008000D8DAE5ADCBAED00109094AB095AED00180004001C0010000"
	"6082013C06062B0601050502A08201303082012CA01A3018060A2B0601040182"
	"3702021E060A2B06010401823702020AA282010C048201084E45474F45585453"
	"010000000000000060000000700000007C7CC0FD06D6362D02DDE1CF343BFE29"
	"2900F49750B4AA97934D9C4296B26E51FD370471B235E15A50DAE15BD5489C87"
	"0000000000000000600000000100000000000000000000005C33530DEAF90D4D"
	"B2EC4AE3786EC3084E45474F4558545303000000010000004000000098000000"
	"7C7CC0FD06D6362D02DDE1CF343BFE295C33530DEAF90D4DB2EC4AE3786EC308"
	"40000000580000003056A05430523027802530233121301F0603550403131854"
	"6F6B656E205369676E696E67205075626C6963204B6579302780253023312130"
	"1F06035504031318546F6B656E205369676E696E67205075626C6963204B6579"
	"010026000000000001002000010060A3C3B95C3C7CCD51EC536648D9B3AC74C4"
	"83CA5B65385A251117BEB30712E50000020004000000000001000200",
	/* SESSION_SETUP request 1 */
	"FE534D4240000100000000000100800000000000000000000200000000000000"
	"FFFE000000000000000000000000000000000000000000000000000000000000"
	"19000001010000000000000058004A000000000000000000604806062B060105"
	"0502A03E303CA00E300C060A2B06010401823702020AA22A04284E544C4D5353"
	"500001000000978208E200000000000000000000000000000000060380250000"
	"000F",
	/* SESSION_SETUP response 1, STATUS_MORE_PROCESSING_REQUIRED */
	"FE534D4240000100160000C00100010001000000000000000200000000000000"
	"FFFE000000000000190000000010000000000000000000000000000000000000"
	"090000004800B300A181B03081ADA0030A0101A10C060A2B0601040182370202"
	"0AA281970481944E544C4D53535000020000000C000C003800000015828AE20D"
	"1D8BA31179D008000000000000000050005000440000000A0092270000000F53"
	"005500540033003100310002000C0053005500540033003100310001000C0053"
	"005500540033003100310004000C0053005500540033003100310003000C0053"
	"005500540033003100310007000800A1A1F5ADCBAED00100000000",
	/* SESSION_SETUP request 2 */
	"FE534D4240000100000000000100800000000000000000000300000000000000"
	"FFFE000000000000190000000010000000000000000000000000000000000000"
	"1900000101000000000000005800CF010000000000000000A18201CB308201C7"
	"A0030A0101A28201AA048201A64E544C4D535350000300000018001800900000"
	"00EE00EE00A80000000C000C00580000001A001A0064000000120012007E0000"
	"001000100096010000158288E2060380250000000FECAC77A5F385A8BF9C38C7"
	"06EEEDDCD3530055005400330031003100610064006D0069006E006900730074"
	"007200610074006F007200440052004900560045005200330031003100000000"
	"00000000000000000000000000000000000000000063078EB639FE03E20A231C"
	"3AE3BF23080101000000000000A1A1F5ADCBAED001BC4AD05F223CC90F000000"
	"0002000C0053005500540033003100310001000C005300550054003300310031"
	"0004000C0053005500540033003100310003000C005300550054003300310031"
	"0007000800A1A1F5ADCBAED00106000400020000000800300030000000000000"
	"000000000000300000B61FEFCAA857EA57BF1EDCEBF8974B8E0EBA5A6DFD9D07"
	"A31D11B548F8C9D0CC0A00100000000000000000000000000000000000090016"
	"0063006900660073002F00530055005400330031003100000000000000000000"
	"0000003B9BDFF38F5EE8F9663F11A0F4C03A78A31204100100000063775A9A5F"
	"D97F0600000000",
};

static const char *const anatomy_hashes[] = {
	"DD94EFC5321BB618A2E208BA8920D2F422992526947A409B5037DE1E0FE8C736"
	"2B8C47122594CDE0CE26AA9DFC8BCDBDE0621957672623351A7540F1E54A0426",
	"324BFA92A4F3A190E466EBEA08D9C110DC88BFED758D9846ECC6F541CC1D02AE"
	"3C94A79F36011E997E13F841B91B50957AD07B19C8E2539C0B23FDAE09D2C513",
	"AC0B0F2B9986257700365E416D142A6EDC96DF03594A19E52A15F6BD0D041CD5"
	"D432F8ED42C55E33197A50C9EC00F1462B50C592211B1471A04B56088FDFD5F9",
	"2729E3440DFDDD839E37193F6E8F20C20CEFB3469E453A70CD980EEC06B88357"
	"40A73760085633364C8989895ECE81BF102DEEB14D4B7D48AFA76901A7A38387",
	ANATOMY_PREAUTH,
};

static void
test_smb3_preauth_hash_chain_matches_anatomy_vector(void **state)
{
	uint8_t hash[SMB3_PREAUTH_HASH_LEN], *msg, *sk;
	struct smb3_keys k;
	size_t i, len, sklen;

	(void)state;
	memset(hash, 0, sizeof(hash));
	for (i = 0; i < sizeof(anatomy_msgs) / sizeof(anatomy_msgs[0]); i++) {
		msg = unhex(anatomy_msgs[i], &len);
		assert_int_equal(smb3_preauth_update(hash, msg, len), 0);
		assert_hex(hash, sizeof(hash), anatomy_hashes[i]);
		free(msg);
	}
	sk = unhex("270E1BA896585EEB7AF3472D3B4C75A7", &sklen);
	assert_int_equal(smb3_kdf_session_keys(D311, 0, sk, sklen, hash, &k),
	    0);
	assert_hex(k.sk_signing, 16, "73FE7A9A77BEF0BDE49C650D8CCB5F76");
	free(sk);
}

/*
 * AES-256 with NTLM's 16-byte key: cipher keys are 32 bytes with L = 256
 * ([PY]); the signing and application keys stay what AES-128 gives, with
 * L = 128 (ksmbd 7a891d4b62d6; with L = 256 the signing key would have
 * been 65EE62005AF2DD064B5A4B7A7FEEF725).
 */
static void
test_smb3_kdf_311_aes256_keeps_128bit_signing_key(void **state)
{
	struct smb3_keys k;
	uint16_t c[] = {
		SMB2_ENCRYPTION_AES256_CCM, SMB2_ENCRYPTION_AES256_GCM
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		derive(D311, c[i], "270E1BA896585EEB7AF3472D3B4C75A7",
		    ANATOMY_PREAUTH, &k);
		assert_int_equal(k.sk_cipher_keylen, 32);
		assert_hex(k.sk_signing, 16,
		    "73FE7A9A77BEF0BDE49C650D8CCB5F76");
		assert_hex(k.sk_app, 16, "6D7AD7954E9EC61E907B4D473DC178FF");
		assert_hex(k.sk_decrypt, 32,
		    "049C27FD8A340262E32C643DEA2BA507"
		    "AF7A4C085FD2505AEFFCBDEAE6D6D8AB");
		assert_hex(k.sk_encrypt, 32,
		    "35952FED051BF2471AF5F7ACC63674B8"
		    "87A54B47AF46959F7CAFF1CE537D7419");
	}
}

/*
 * A 32-byte Kerberos key: signing and application keys come from its
 * first 16 bytes (Session.SessionKey), AES-256 cipher keys from all 32
 * (Session.FullSessionKey), AES-128 cipher keys from the first 16.  [PY]
 */
#define KRB_KEY \
	"000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F"

static void
test_smb3_kdf_311_aes256_uses_full_session_key(void **state)
{
	struct smb3_keys k;

	(void)state;
	derive(D311, SMB2_ENCRYPTION_AES256_GCM, KRB_KEY, ANATOMY_PREAUTH, &k);
	assert_hex(k.sk_signing, 16, "ADFDCD95A8DBB1DB6648FC26D5CEA1BC");
	assert_hex(k.sk_app, 16, "109DC2BC61B656A125A8787A13F03293");
	assert_hex(k.sk_decrypt, 32,
	    "F1A5C66C7C07116904393A1D1C4CB46EECEB7FD384038C510561FBFDBA9AE683");
	assert_hex(k.sk_encrypt, 32,
	    "4EBC8BF4047484C299D04C4F8FF31ED8243CEA3ED8AA9902EA5833B809AC10E7");

	derive(D311, SMB2_ENCRYPTION_AES128_GCM, KRB_KEY, ANATOMY_PREAUTH, &k);
	assert_hex(k.sk_signing, 16, "ADFDCD95A8DBB1DB6648FC26D5CEA1BC");
	assert_hex(k.sk_decrypt, 16, "F018888A321ADD00C1732075CD1DEF2C");
}

/* 2.0.2 and 2.1 sign with Session.SessionKey: 16 bytes, zero-padded. */
static void
test_smb3_kdf_2x_signing_key_is_session_key(void **state)
{
	struct smb3_keys k;
	uint8_t shortkey[8] = { 1, 2, 3, 4, 5, 6, 7, 8 }, want[16];

	(void)state;
	derive(D202, 0, KRB_KEY, NULL, &k);
	assert_hex(k.sk_signing, 16, "000102030405060708090A0B0C0D0E0F");
	assert_hex(k.sk_app, 16, "000102030405060708090A0B0C0D0E0F");
	assert_int_equal(k.sk_cipher_keylen, 0);

	memset(want, 0, sizeof(want));
	memcpy(want, shortkey, sizeof(shortkey));
	assert_int_equal(smb3_kdf_session_keys(D210, 0, shortkey,
	    sizeof(shortkey), NULL, &k), 0);
	assert_memory_equal(k.sk_signing, want, 16);
}

static void
test_smb3_kdf_refuses_bad_arguments(void **state)
{
	static const uint8_t zero[sizeof(struct smb3_keys)];
	uint8_t key[16] = { 1 }, hash[SMB3_PREAUTH_HASH_LEN] = { 0 }, out[24];
	struct smb3_keys k;

	(void)state;
	/* 0x02FF is the wildcard revision, never a negotiated dialect. */
	errno = 0;
	assert_int_equal(smb3_kdf_session_keys(0x02FF, 0, key, 16, hash, &k),
	    -1);
	assert_int_equal(errno, EINVAL);
	assert_memory_equal(&k, zero, sizeof(k));
	assert_int_equal(smb3_kdf_session_keys(D311, 0, key, 16, NULL, &k),
	    -1);
	assert_int_equal(smb3_kdf_session_keys(D311, 5, key, 16, hash, &k),
	    -1);
	assert_int_equal(smb3_kdf_session_keys(D300,
	    SMB2_ENCRYPTION_AES128_GCM, key, 16, NULL, &k), -1);
	assert_int_equal(smb3_kdf_session_keys(D202,
	    SMB2_ENCRYPTION_AES128_CCM, key, 16, NULL, &k), -1);
	assert_int_equal(smb3_kdf_session_keys(D300, 0, key, 0, NULL, &k), -1);
	assert_int_equal(smb3_kdf_session_keys(D300, 0, NULL, 16, NULL, &k),
	    -1);
	assert_int_equal(smb3_kdf_session_keys(D300, 0, key, 16, NULL, NULL),
	    -1);
	errno = 0;
	assert_int_equal(smb3_kdf(key, 16, "A", 2, "B", 2, out, sizeof(out)),
	    -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(smb3_preauth_update(NULL, key, 16), -1);
	assert_int_equal(smb3_preauth_update(hash, NULL, 1), -1);
	assert_int_equal(smb3_preauth_update(hash, NULL, 0), 0);
}

static int
teardown_all(void **state)
{
	(void)state;
	smb3_kdf_cleanup();
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_smb3_kdf_30_matches_anatomy_vector),
		cmocka_unit_test(test_smb3_kdf_30_binding_signing_key),
		cmocka_unit_test(test_smb3_kdf_30_matches_encryption_blog),
		cmocka_unit_test(test_smb3_kdf_311_matches_anatomy_vector),
		cmocka_unit_test(test_smb3_kdf_311_binding_signing_key),
		cmocka_unit_test(test_smb3_kdf_311_matches_encryption_blog),
		cmocka_unit_test(
		    test_smb3_preauth_hash_chain_matches_anatomy_vector),
		cmocka_unit_test(
		    test_smb3_kdf_311_aes256_keeps_128bit_signing_key),
		cmocka_unit_test(
		    test_smb3_kdf_311_aes256_uses_full_session_key),
		cmocka_unit_test(test_smb3_kdf_2x_signing_key_is_session_key),
		cmocka_unit_test(test_smb3_kdf_refuses_bad_arguments),
	};

	return cmocka_run_group_tests(tests, NULL, teardown_all);
}
