/*
 * test_smb3_sign.c — SMB2 signing against signatures that Windows
 * produced.
 *
 * Sources of the messages, keys and signatures:
 *  [ANATOMY]  Microsoft's "SMB 2 and SMB 3 security in Windows 10: the
 *             anatomy of signing and cryptographic keys" (Open
 *             Specifications blog, 2017), appendix: the signed final
 *             SESSION_SETUP responses and the signed binding request of
 *             the 3.1.1 multichannel example (AES-128-CMAC, 3.1.1 with no
 *             signing capabilities negotiated).
 *  [ENC311]   Microsoft's "SMB 3.1.1 Encryption in Windows 10" (2015),
 *             appendix A.1 and A.2: the signed final SESSION_SETUP
 *             responses (AES-128-CMAC).
 *  [SMBLIB]   HMAC-SHA256: two signed 2.x responses with their session
 *             keys, from SMBLibrary's SMB2SigningTests.cs (Tal Aloni,
 *             github.com/TalAloni/SMBLibrary); each message carries the
 *             signature a server computed.
 *  [PY]       No AES-GMAC example is published.  The GMAC signatures
 *             were computed for this test with /usr/bin/python3 and
 *             pycryptodomex (its own AES, not OpenSSL): AES-GCM, empty
 *             plaintext, the message with a zeroed Signature field as
 *             additional data, and the nonce built in Python from the
 *             words of MS-SMB2 3.1.4.1.
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
#include "ntstatus.h"
#include "smb2.h"
#include "smb3_sign.h"

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

#define HMAC_MSG1 \
	"FE534D4240000100280100C00B00070009000000000000000400000000000000" \
	"FFFE0000010000000100000000040000FBD284340324C62FBEBB65DD1051F3AE" \
	"0900000000000000FF"

#define HMAC_MSG2 \
	"FE534D4240000100280100C00B00070009000000000000000400000000000000" \
	"FFFE0000010000000500000000040000A164FFE53D6811981F386772E387E06F" \
	"0900000000000000FF"

#define ANATOMY_SS_FINAL \
	"FE534D4240000100000000000100800009000000000000000300000000000000" \
	"FFFE0000000000001900000000100000EBE146DA120BA25FC3376A49DFE31BC1" \
	"0900000048001D00A11B3019A0030A0100A3120410010000003B453CDC352416" \
	"4200000000"

#define ANATOMY_BIND_REQ \
	"FE534D4240000100000000000100800008000000000000000200000000000000" \
	"FFFE000000000000190000000010000068BD0C58F613CE1334B1EB51C68D39EA" \
	"19000101010000000000000058004A000000000000000000604806062B060105" \
	"0502A03E303CA00E300C060A2B06010401823702020AA22A04284E544C4D5353" \
	"500001000000978208E200000000000000000000000000000000060380250000" \
	"000F"

#define ANATOMY_BIND_FINAL \
	"FE534D4240000100000000000100800009000000000000000300000000000000" \
	"FFFE00000000000019000000001000008D604217FFBACF40635BF9D872992150" \
	"0900000048001D00A11B3019A0030A0100A312041001000000CFB046FC5D368E" \
	"2200000000"

#define ENC311_GCM_SS_FINAL \
	"FE534D4240000100000000000100800009000000000000000200000000000000" \
	"FFFE00000000000025000000001000006B85A4519A0F3EEA35BA946DD3AFE6B8" \
	"0900000048001D00A11B3019A0030A0100A3120410010000003932A87523AB66" \
	"0100000000"

#define ENC311_CCM_SS_FINAL \
	"FE534D4240000100000000000100800009000000000000000200000000000000" \
	"FFFE00000000000021000000001000003676196AEE8CA17E5D50A53642EF2BE4" \
	"0900000048001D00A11B3019A0030A0100A3120410010000000F57444342A271" \
	"7E00000000"

/* A CANCEL request (MessageId 5) of the [ANATOMY] session, built here. */
#define CANCEL_REQ \
	"FE534D4240000000000000000C00000008000000000000000500000000000000" \
	"FFFE000001000000190000000010000000000000000000000000000000000000" \
	"04000000"

struct vector {
	uint16_t	 algo;
	const char	*key;
	const char	*msg;
	const char	*sig;	/* NULL: the one the message carries */
};

static const struct vector vectors[] = {
	{ SMB2_SIGNING_HMAC_SHA256, "D38354CC374339F0524F789146789921",
	    HMAC_MSG1, NULL },
	{ SMB2_SIGNING_HMAC_SHA256, "04E707571F8E0353B77A94C3653B87B5",
	    HMAC_MSG2, NULL },
	{ SMB2_SIGNING_AES_CMAC, "73FE7A9A77BEF0BDE49C650D8CCB5F76",
	    ANATOMY_SS_FINAL, NULL },
	/* A binding request is signed with the session's key (3.2.4.1.1). */
	{ SMB2_SIGNING_AES_CMAC, "73FE7A9A77BEF0BDE49C650D8CCB5F76",
	    ANATOMY_BIND_REQ, NULL },
	/* The final binding response with the new Channel.SigningKey. */
	{ SMB2_SIGNING_AES_CMAC, "C962BCA1A9DD1697B030644199705431",
	    ANATOMY_BIND_FINAL, NULL },
	{ SMB2_SIGNING_AES_CMAC, "8765949DFEAEE105CE9118B45BE988F0",
	    ENC311_GCM_SS_FINAL, NULL },
	{ SMB2_SIGNING_AES_CMAC, "3DCC82C5795AE27F383242761078C59B",
	    ENC311_CCM_SS_FINAL, NULL },
	/* [PY]: a response (role bit 1), a request, a CANCEL (bit 2). */
	{ SMB2_SIGNING_AES_GMAC, "73FE7A9A77BEF0BDE49C650D8CCB5F76",
	    ANATOMY_SS_FINAL, "75D05BAC99FF7FCC52A44C354381D559" },
	{ SMB2_SIGNING_AES_GMAC, "73FE7A9A77BEF0BDE49C650D8CCB5F76",
	    ANATOMY_BIND_REQ, "1350959EB13DC1C023332D69E9249205" },
	{ SMB2_SIGNING_AES_GMAC, "73FE7A9A77BEF0BDE49C650D8CCB5F76",
	    CANCEL_REQ, "4CC18AFD0F1E2AA90735F89AC6E99D0F" },
};

#define NVECTORS	(sizeof(vectors) / sizeof(vectors[0]))

struct loaded {
	uint8_t		*key, *msg, *sig;
	size_t		 keylen, len;
};

/* The vector's message with its expected signature in place. */
static void
load(const struct vector *v, struct loaded *l)
{
	size_t n;

	l->key = unhex(v->key, &l->keylen);
	l->msg = unhex(v->msg, &l->len);
	if (v->sig != NULL) {
		l->sig = unhex(v->sig, &n);
		assert_int_equal(n, SMB2_SIGNATURE_LEN);
		memcpy(l->msg + SMB2_SIGNATURE_OFF, l->sig, n);
	} else {
		l->sig = malloc(SMB2_SIGNATURE_LEN);
		assert_non_null(l->sig);
		memcpy(l->sig, l->msg + SMB2_SIGNATURE_OFF,
		    SMB2_SIGNATURE_LEN);
	}
}

static void
unload(struct loaded *l)
{
	free(l->key);
	free(l->msg);
	free(l->sig);
}

static void
test_smb3_sign_verify_accepts_published_signatures(void **state)
{
	struct loaded l;
	size_t i;

	(void)state;
	for (i = 0; i < NVECTORS; i++) {
		load(&vectors[i], &l);
		assert_int_equal(smb3_sign_verify(vectors[i].algo, l.key,
		    l.keylen, l.msg, l.len), 0);
		unload(&l);
	}
}

/* Signing the message with its Signature zeroed gives the same bytes. */
static void
test_smb3_sign_compute_reproduces_published_signatures(void **state)
{
	struct loaded l;
	size_t i;

	(void)state;
	for (i = 0; i < NVECTORS; i++) {
		load(&vectors[i], &l);
		memset(l.msg + SMB2_SIGNATURE_OFF, 0xAA, SMB2_SIGNATURE_LEN);
		assert_int_equal(smb3_sign_compute(vectors[i].algo, l.key,
		    l.keylen, l.msg, l.len), 0);
		assert_memory_equal(l.msg + SMB2_SIGNATURE_OFF, l.sig,
		    SMB2_SIGNATURE_LEN);
		unload(&l);
	}
}

static void
test_smb3_sign_verify_rejects_tampering(void **state)
{
	static const size_t offs[] = { 0, 12, 16, 24, 47, 48, 63, 64 };
	struct loaded l;
	size_t i, j;

	(void)state;
	for (i = 0; i < NVECTORS; i++) {
		load(&vectors[i], &l);
		for (j = 0; j < sizeof(offs) / sizeof(offs[0]); j++) {
			l.msg[offs[j]] ^= 0x01;
			errno = 0;
			assert_int_equal(smb3_sign_verify(vectors[i].algo,
			    l.key, l.keylen, l.msg, l.len), -1);
			assert_int_equal(errno, EBADMSG);
			l.msg[offs[j]] ^= 0x01;
		}
		l.msg[l.len - 1] ^= 0x80;
		assert_int_equal(smb3_sign_verify(vectors[i].algo, l.key,
		    l.keylen, l.msg, l.len), -1);
		l.msg[l.len - 1] ^= 0x80;
		/* A byte missing or a byte more. */
		assert_int_equal(smb3_sign_verify(vectors[i].algo, l.key,
		    l.keylen, l.msg, l.len - 1), -1);
		l.key[0] ^= 0x01;
		assert_int_equal(smb3_sign_verify(vectors[i].algo, l.key,
		    l.keylen, l.msg, l.len), -1);
		l.key[0] ^= 0x01;
		/* The right key under another algorithm. */
		assert_int_equal(smb3_sign_verify((vectors[i].algo + 1) % 3,
		    l.key, l.keylen, l.msg, l.len), -1);
		assert_int_equal(smb3_sign_verify(vectors[i].algo, l.key,
		    l.keylen, l.msg, l.len), 0);
		unload(&l);
	}
}

/* A GMAC signature binds the role: the same bytes as a request fail. */
static void
test_smb3_sign_gmac_nonce_carries_role_and_cancel(void **state)
{
	struct loaded l;
	uint32_t flags;

	(void)state;
	load(&vectors[7], &l);		/* GMAC, a response */
	flags = le32dec(l.msg + 16);
	assert_true(flags & SMB2_FLAGS_SERVER_TO_REDIR);
	/* CMAC does not look at the header; GMAC must differ from it. */
	assert_int_equal(smb3_sign_verify(SMB2_SIGNING_AES_CMAC, l.key,
	    l.keylen, l.msg, l.len), -1);
	unload(&l);

	load(&vectors[9], &l);		/* GMAC, a CANCEL request */
	assert_int_equal(le16dec(l.msg + 12), SMB2_CANCEL);
	l.msg[12] = SMB2_ECHO;		/* without the CANCEL bit */
	assert_int_equal(smb3_sign_verify(SMB2_SIGNING_AES_GMAC, l.key,
	    l.keylen, l.msg, l.len), -1);
	unload(&l);
}

static void
test_smb3_sign_compute_sets_signed_flag(void **state)
{
	struct loaded l;
	uint8_t *copy;

	(void)state;
	load(&vectors[3], &l);
	copy = malloc(l.len);
	assert_non_null(copy);
	memcpy(copy, l.msg, l.len);
	le32enc(copy + 16, le32dec(copy + 16) & ~SMB2_FLAGS_SIGNED);
	assert_int_equal(smb3_sign_compute(SMB2_SIGNING_AES_CMAC, l.key,
	    l.keylen, copy, l.len), 0);
	assert_memory_equal(copy, l.msg, l.len);
	free(copy);
	unload(&l);
}

/*
 * A compound response: the caller signs each member over its own bytes,
 * padding included, and the check of one is blind to the others.
 */
static void
test_smb3_sign_compound_members_sign_independently(void **state)
{
	struct loaded a, b;
	uint8_t *chain;
	size_t alen, i;
	uint16_t algos[] = { SMB2_SIGNING_HMAC_SHA256, SMB2_SIGNING_AES_CMAC,
	    SMB2_SIGNING_AES_GMAC };

	(void)state;
	load(&vectors[2], &a);
	load(&vectors[5], &b);
	alen = (a.len + 7) & ~(size_t)7;
	chain = calloc(1, alen + b.len);
	assert_non_null(chain);
	for (i = 0; i < sizeof(algos) / sizeof(algos[0]); i++) {
		memcpy(chain, a.msg, a.len);
		memset(chain + a.len, 0, alen - a.len);
		memcpy(chain + alen, b.msg, b.len);
		le32enc(chain + 20, (uint32_t)alen);	/* NextCommand */
		assert_int_equal(smb3_sign_compute(algos[i], a.key, a.keylen,
		    chain, alen), 0);
		assert_int_equal(smb3_sign_compute(algos[i], b.key, b.keylen,
		    chain + alen, b.len), 0);
		assert_int_equal(smb3_sign_verify(algos[i], a.key, a.keylen,
		    chain, alen), 0);
		assert_int_equal(smb3_sign_verify(algos[i], b.key, b.keylen,
		    chain + alen, b.len), 0);
		/* Padding belongs to the first member's signature. */
		chain[alen - 1] ^= 1;
		assert_int_equal(smb3_sign_verify(algos[i], a.key, a.keylen,
		    chain, alen), -1);
		assert_int_equal(smb3_sign_verify(algos[i], b.key, b.keylen,
		    chain + alen, b.len), 0);
	}
	free(chain);
	unload(&a);
	unload(&b);
}

static void
test_smb3_sign_refuses_bad_arguments(void **state)
{
	struct loaded l;

	(void)state;
	load(&vectors[2], &l);
	errno = 0;
	assert_int_equal(smb3_sign_compute(3, l.key, l.keylen, l.msg, l.len),
	    -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(smb3_sign_verify(0xFFFF, l.key, l.keylen, l.msg,
	    l.len), -1);
	assert_int_equal(smb3_sign_compute(SMB2_SIGNING_AES_CMAC, l.key, 15,
	    l.msg, l.len), -1);
	assert_int_equal(smb3_sign_compute(SMB2_SIGNING_AES_CMAC, l.key, 32,
	    l.msg, l.len), -1);
	assert_int_equal(smb3_sign_compute(SMB2_SIGNING_AES_CMAC, NULL, 16,
	    l.msg, l.len), -1);
	errno = 0;
	assert_int_equal(smb3_sign_verify(SMB2_SIGNING_AES_CMAC, l.key,
	    l.keylen, l.msg, SMB2_HDR_LEN - 1), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(smb3_sign_compute(SMB2_SIGNING_AES_CMAC, l.key,
	    l.keylen, NULL, l.len), -1);
	/* A bare header is a message (3.1.4.1 hashes what there is). */
	assert_int_equal(smb3_sign_compute(SMB2_SIGNING_AES_CMAC, l.key,
	    l.keylen, l.msg, SMB2_HDR_LEN), 0);
	assert_int_equal(smb3_sign_verify(SMB2_SIGNING_AES_CMAC, l.key,
	    l.keylen, l.msg, SMB2_HDR_LEN), 0);
	unload(&l);
}

/* GMAC will not sign a message whose nonce another message shares. */
static void
test_smb3_sign_gmac_refuses_nonce_reuse(void **state)
{
	struct loaded l;

	(void)state;
	load(&vectors[7], &l);
	le32enc(l.msg + 8, STATUS_PENDING);	/* interim response */
	errno = 0;
	assert_int_equal(smb3_sign_compute(SMB2_SIGNING_AES_GMAC, l.key,
	    l.keylen, l.msg, l.len), -1);
	assert_int_equal(errno, EINVAL);
	/* CMAC has no nonce; signing it is the caller's choice. */
	assert_int_equal(smb3_sign_compute(SMB2_SIGNING_AES_CMAC, l.key,
	    l.keylen, l.msg, l.len), 0);
	le32enc(l.msg + 8, STATUS_SUCCESS);
	le64enc(l.msg + 24, UINT64_MAX);	/* oplock break MessageId */
	assert_int_equal(smb3_sign_compute(SMB2_SIGNING_AES_GMAC, l.key,
	    l.keylen, l.msg, l.len), -1);
	unload(&l);
}

static int
teardown_all(void **state)
{
	(void)state;
	smb3_sign_cleanup();
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    test_smb3_sign_verify_accepts_published_signatures),
		cmocka_unit_test(
		    test_smb3_sign_compute_reproduces_published_signatures),
		cmocka_unit_test(test_smb3_sign_verify_rejects_tampering),
		cmocka_unit_test(
		    test_smb3_sign_gmac_nonce_carries_role_and_cancel),
		cmocka_unit_test(test_smb3_sign_compute_sets_signed_flag),
		cmocka_unit_test(
		    test_smb3_sign_compound_members_sign_independently),
		cmocka_unit_test(test_smb3_sign_refuses_bad_arguments),
		cmocka_unit_test(test_smb3_sign_gmac_refuses_nonce_reuse),
	};

	return cmocka_run_group_tests(tests, NULL, teardown_all);
}
