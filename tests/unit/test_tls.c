/*
 * test_tls.c — rpc/tls.c: reading and checking the admin listener's
 * certificate and key.
 *
 * Keys and self-signed certificates are made here with OpenSSL and
 * written as PEM files into a temporary directory per test; every refusal
 * must name the file that is wrong.
 */
#include <sys/stat.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "tls.h"

struct fx {
	char		 dir[64];
	char		 cert[128], key[128], other_key[128];
	EVP_PKEY	*k1, *k2;
	X509		*x1;
};

static X509 *
make_cert(EVP_PKEY *k, const char *cn, long days)
{
	X509 *x;
	X509_NAME *n;

	assert_non_null(x = X509_new());
	assert_int_equal(X509_set_version(x, 2), 1);
	assert_int_equal(ASN1_INTEGER_set(X509_get_serialNumber(x), 1), 1);
	assert_non_null(X509_gmtime_adj(X509_getm_notBefore(x), 0));
	assert_non_null(X509_gmtime_adj(X509_getm_notAfter(x),
	    days * 24 * 3600));
	assert_int_equal(X509_set_pubkey(x, k), 1);
	n = X509_get_subject_name(x);
	assert_int_equal(X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
	    (const unsigned char *)cn, -1, -1, 0), 1);
	assert_int_equal(X509_set_issuer_name(x, n), 1);
	assert_true(X509_sign(x, k, EVP_sha256()) > 0);
	return x;
}

static void
write_cert(const char *path, X509 *x, bool append)
{
	FILE *fp;

	assert_non_null(fp = fopen(path, append ? "a" : "w"));
	assert_int_equal(PEM_write_X509(fp, x), 1);
	assert_int_equal(fclose(fp), 0);
}

static void
write_key(const char *path, EVP_PKEY *k, const char *pass)
{
	FILE *fp;

	assert_non_null(fp = fopen(path, "w"));
	assert_int_equal(PEM_write_PrivateKey(fp, k,
	    pass != NULL ? EVP_aes_128_cbc() : NULL,
	    (const unsigned char *)pass, pass != NULL ? (int)strlen(pass) : 0,
	    NULL, NULL), 1);
	assert_int_equal(fclose(fp), 0);
	assert_int_equal(chmod(path, 0600), 0);
}

static void
write_text(const char *path, const char *text)
{
	FILE *fp;

	assert_non_null(fp = fopen(path, "w"));
	assert_int_equal(fputs(text, fp) >= 0, 1);
	assert_int_equal(fclose(fp), 0);
}

static int
setup(void **state)
{
	struct fx *f;

	if ((f = calloc(1, sizeof(*f))) == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_tls.XXXXXX");
	if (mkdtemp(f->dir) == NULL) {
		free(f);
		return -1;
	}
	snprintf(f->cert, sizeof(f->cert), "%s/admin.crt", f->dir);
	snprintf(f->key, sizeof(f->key), "%s/admin.key", f->dir);
	snprintf(f->other_key, sizeof(f->other_key), "%s/other.key", f->dir);
	f->k1 = EVP_EC_gen("P-256");
	f->k2 = EVP_EC_gen("P-256");
	if (f->k1 == NULL || f->k2 == NULL)
		return -1;
	f->x1 = make_cert(f->k1, "127.0.0.1", 30);
	write_cert(f->cert, f->x1, false);
	write_key(f->key, f->k1, NULL);
	write_key(f->other_key, f->k2, NULL);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	char *cmd;
	int rc;

	if (asprintf(&cmd, "rm -rf '%s'", f->dir) == -1)
		return -1;
	rc = system(cmd);
	free(cmd);
	X509_free(f->x1);
	EVP_PKEY_free(f->k1);
	EVP_PKEY_free(f->k2);
	free(f);
	return rc == 0 ? 0 : -1;
}

/* Loading must fail with exactly want, leaving pem empty. */
static void
refused(const char *cert, const char *key, const char *want)
{
	struct tls_pem pem;
	char err[512];

	memset(&pem, 0x55, sizeof(pem));
	assert_int_equal(tls_pem_load(&pem, cert, key, err, sizeof(err)), -1);
	assert_string_equal(err, want);
	assert_null(pem.tp_cert);
	assert_null(pem.tp_key);
}

/* Loading must fail with a message that starts with want. */
static void
refused_prefix(const char *cert, const char *key, const char *want)
{
	struct tls_pem pem;
	char err[512];

	assert_int_equal(tls_pem_load(&pem, cert, key, err, sizeof(err)), -1);
	if (strncmp(err, want, strlen(want)) != 0)
		fail_msg("got \"%s\", want it to start with \"%s\"", err, want);
	assert_null(pem.tp_cert);
	assert_null(pem.tp_key);
}

static void
test_tls_loads_a_matching_pair(void **state)
{
	struct fx *f = *state;
	struct tls_pem pem;
	unsigned char zero[TLS_DIGEST_LEN];
	char err[512];
	time_t now = time(NULL);

	assert_int_equal(tls_pem_load(&pem, f->cert, f->key, err,
	    sizeof(err)), 0);
	assert_non_null(strstr(pem.tp_cert, "-----BEGIN CERTIFICATE-----"));
	assert_int_equal(strlen(pem.tp_cert), pem.tp_cert_len);
	assert_non_null(strstr(pem.tp_key, "PRIVATE KEY-----"));
	assert_int_equal(strlen(pem.tp_key), pem.tp_key_len);
	assert_string_equal(pem.tp_subject, "CN=127.0.0.1");
	assert_true(pem.tp_not_after >= now + 30 * 86400 - 60);
	assert_true(pem.tp_not_after <= now + 30 * 86400 + 60);
	memset(zero, 0, sizeof(zero));
	assert_memory_not_equal(pem.tp_digest, zero, sizeof(zero));
	tls_pem_free(&pem);
	assert_null(pem.tp_cert);
	assert_null(pem.tp_key);
	tls_pem_free(&pem);		/* twice is harmless */
	tls_pem_free(NULL);
}

static void
test_tls_accepts_a_chain_and_checks_its_first_certificate(void **state)
{
	struct fx *f = *state;
	struct tls_pem pem;
	X509 *ca;
	char err[512];

	/* Leaf first, then a (here unrelated) issuer, as servers send it. */
	ca = make_cert(f->k2, "Test CA", 365);
	write_cert(f->cert, ca, true);
	assert_int_equal(tls_pem_load(&pem, f->cert, f->key, err,
	    sizeof(err)), 0);
	assert_string_equal(pem.tp_subject, "CN=127.0.0.1");
	tls_pem_free(&pem);
	/* The same key behind the issuer's certificate does not match. */
	write_cert(f->cert, ca, false);
	write_cert(f->cert, f->x1, true);
	X509_free(ca);
	snprintf(err, sizeof(err), "key file %s does not match the "
	    "certificate in %s", f->key, f->cert);
	refused(f->cert, f->key, err);
}

static void
test_tls_digest_tells_a_changed_file(void **state)
{
	struct fx *f = *state;
	struct tls_pem a, b;
	X509 *x;
	char err[512];

	assert_int_equal(tls_pem_load(&a, f->cert, f->key, err,
	    sizeof(err)), 0);
	assert_int_equal(tls_pem_load(&b, f->cert, f->key, err,
	    sizeof(err)), 0);
	assert_memory_equal(a.tp_digest, b.tp_digest, TLS_DIGEST_LEN);
	tls_pem_free(&b);
	/* A renewed certificate for the same key. */
	x = make_cert(f->k1, "127.0.0.1", 60);
	write_cert(f->cert, x, false);
	X509_free(x);
	assert_int_equal(tls_pem_load(&b, f->cert, f->key, err,
	    sizeof(err)), 0);
	assert_memory_not_equal(a.tp_digest, b.tp_digest, TLS_DIGEST_LEN);
	tls_pem_free(&a);
	tls_pem_free(&b);
}

static void
test_tls_refuses_missing_files_naming_them(void **state)
{
	struct fx *f = *state;
	char nope[160], want[512];

	snprintf(nope, sizeof(nope), "%s/nope.pem", f->dir);
	snprintf(want, sizeof(want), "certificate file %s: No such file or "
	    "directory", nope);
	refused(nope, f->key, want);
	snprintf(want, sizeof(want), "key file %s: No such file or "
	    "directory", nope);
	refused(f->cert, nope, want);
	snprintf(want, sizeof(want), "certificate file %s: not a regular "
	    "file", f->dir);
	refused(f->dir, f->key, want);
}

static void
test_tls_refuses_a_key_of_another_certificate(void **state)
{
	struct fx *f = *state;
	char want[512];

	snprintf(want, sizeof(want), "key file %s does not match the "
	    "certificate in %s", f->other_key, f->cert);
	refused(f->cert, f->other_key, want);
}

static void
test_tls_refuses_files_that_are_not_pem(void **state)
{
	struct fx *f = *state;
	char want[512];

	write_text(f->other_key, "");
	snprintf(want, sizeof(want), "key file %s: no PEM private key (",
	    f->other_key);
	refused_prefix(f->cert, f->other_key, want);
	/* A certificate where the key should be. */
	write_cert(f->other_key, f->x1, false);
	refused_prefix(f->cert, f->other_key, want);
	write_text(f->cert, "-----BEGIN CERTIFICATE-----\nnot base64!\n"
	    "-----END CERTIFICATE-----\n");
	snprintf(want, sizeof(want), "certificate file %s: no PEM "
	    "certificate (", f->cert);
	refused_prefix(f->cert, f->key, want);
	write_text(f->cert, "hello\n");
	refused_prefix(f->cert, f->key, want);
}

static void
test_tls_refuses_an_encrypted_key(void **state)
{
	struct fx *f = *state;
	char want[512];

	write_key(f->key, f->k1, "secret");
	snprintf(want, sizeof(want), "key file %s: the key is encrypted; "
	    "smbsrvd cannot ask for a passphrase", f->key);
	refused(f->cert, f->key, want);
}

static void
test_tls_refuses_a_key_others_may_read(void **state)
{
	struct fx *f = *state;
	struct tls_pem pem;
	char want[512], err[512];

	assert_int_equal(chmod(f->key, 0644), 0);
	snprintf(want, sizeof(want), "key file %s is readable by others "
	    "(mode 0644); chmod o-r it", f->key);
	refused(f->cert, f->key, want);
	/* The group may read it: Debian's ssl-cert group works that way. */
	assert_int_equal(chmod(f->key, 0640), 0);
	assert_int_equal(tls_pem_load(&pem, f->cert, f->key, err,
	    sizeof(err)), 0);
	tls_pem_free(&pem);
}

static void
test_tls_refuses_a_key_inside_the_certificate_file(void **state)
{
	struct fx *f = *state;
	char want[512];
	FILE *fp;

	assert_non_null(fp = fopen(f->cert, "a"));
	assert_int_equal(PEM_write_PrivateKey(fp, f->k1, NULL, NULL, 0, NULL,
	    NULL), 1);
	assert_int_equal(fclose(fp), 0);
	snprintf(want, sizeof(want), "certificate file %s holds a private "
	    "key; put the key in its own file (admin tls key)", f->cert);
	refused(f->cert, f->key, want);
}

static void
test_tls_refuses_oversized_files(void **state)
{
	struct fx *f = *state;
	char want[512];
	FILE *fp;
	size_t i;

	/* Valid PEM up front, then comment lines past the cap. */
	assert_non_null(fp = fopen(f->cert, "a"));
	for (i = 0; i < TLS_CERT_MAX / 64 + 1; i++)
		fprintf(fp, "%063zu\n", i);
	assert_int_equal(fclose(fp), 0);
	snprintf(want, sizeof(want), "certificate file %s: larger than 256 "
	    "KiB", f->cert);
	refused(f->cert, f->key, want);
	write_cert(f->cert, f->x1, false);
	assert_non_null(fp = fopen(f->key, "a"));
	for (i = 0; i < TLS_KEY_MAX / 64 + 1; i++)
		fprintf(fp, "%063zu\n", i);
	assert_int_equal(fclose(fp), 0);
	snprintf(want, sizeof(want), "key file %s: larger than 64 KiB",
	    f->key);
	refused(f->cert, f->key, want);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_tls_loads_a_matching_pair, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_tls_accepts_a_chain_and_checks_its_first_certificate,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_tls_digest_tells_a_changed_file, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_tls_refuses_missing_files_naming_them, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_tls_refuses_a_key_of_another_certificate, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_tls_refuses_files_that_are_not_pem, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_tls_refuses_an_encrypted_key, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_tls_refuses_a_key_others_may_read, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_tls_refuses_a_key_inside_the_certificate_file, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_tls_refuses_oversized_files, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
