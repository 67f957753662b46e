/*
 * tls.c — reading and checking the admin listener's certificate and key
 * (see tls.h).
 *
 * libmicrohttpd does TLS with GnuTLS; we check with OpenSSL, which the
 * daemon links already, and hand MHD the same PEM text.  Whatever OpenSSL
 * leaves in its thread's error queue is cleared here, so that no stale
 * error reaches the SMB crypto code that shares it.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "slurp.h"
#include "tls.h"

/* A key file is never asked for a passphrase: there is nobody to ask. */
static int
tls_no_passphrase(char *buf, int size, int rwflag, void *arg)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)arg;
	return -1;
}

/* OpenSSL's reason for the last failure, and an empty error queue. */
static const char *
tls_ossl_reason(void)
{
	const char *r = NULL;
	unsigned long e;

	if ((e = ERR_peek_last_error()) != 0)
		r = ERR_reason_error_string(e);
	ERR_clear_error();
	return r != NULL ? r : "unknown error";
}

static void
tls_wipe(char *p, size_t len)
{
	if (p == NULL)
		return;
	explicit_bzero(p, len);
	free(p);
}

/* Reads one file of the pair; -1 with err set. */
static char *
tls_read(const char *what, const char *path, size_t max, size_t *lenp,
    char *err, size_t errlen)
{
	char *buf;

	if ((buf = slurp(path, max, lenp)) != NULL)
		return buf;
	if (errno == EFBIG)
		snprintf(err, errlen, "%s file %s: larger than %zu KiB", what,
		    path, max / 1024);
	else if (errno == EINVAL)
		snprintf(err, errlen, "%s file %s: not a regular file", what,
		    path);
	else
		snprintf(err, errlen, "%s file %s: %s", what, path,
		    strerror(errno));
	return NULL;
}

/* The subject in RFC 2253 form (control characters escaped). */
static void
tls_subject(X509 *x, char *buf, size_t len)
{
	BIO *b;
	int n;

	buf[0] = '\0';
	if ((b = BIO_new(BIO_s_mem())) == NULL)
		return;
	if (X509_NAME_print_ex(b, X509_get_subject_name(x), 0,
	    XN_FLAG_RFC2253) >= 0 &&
	    (n = BIO_read(b, buf, (int)len - 1)) > 0)
		buf[n] = '\0';
	BIO_free(b);
}

static int
tls_not_after(X509 *x, time_t *t)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (ASN1_TIME_to_tm(X509_get0_notAfter(x), &tm) != 1)
		return -1;
	*t = timegm(&tm);
	return 0;
}

static int
tls_digest(struct tls_pem *pem)
{
	EVP_MD_CTX *ctx;
	unsigned int n = 0;
	int ok;

	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return -1;
	ok = EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1 &&
	    EVP_DigestUpdate(ctx, pem->tp_cert, pem->tp_cert_len + 1) == 1 &&
	    EVP_DigestUpdate(ctx, pem->tp_key, pem->tp_key_len) == 1 &&
	    EVP_DigestFinal_ex(ctx, pem->tp_digest, &n) == 1 &&
	    n == TLS_DIGEST_LEN;
	EVP_MD_CTX_free(ctx);
	ERR_clear_error();
	return ok ? 0 : -1;
}

/* The certificate file: one or more certificates, no private key. */
static X509 *
tls_check_cert(struct tls_pem *pem, const char *path, char *err,
    size_t errlen)
{
	X509 *x;
	BIO *b;

	/*
	 * A combined file would leave the key in the certificate's buffer,
	 * which is neither wiped nor kept private.
	 */
	if (strstr(pem->tp_cert, "PRIVATE KEY-----") != NULL) {
		snprintf(err, errlen, "certificate file %s holds a private "
		    "key; put the key in its own file (admin tls key)", path);
		return NULL;
	}
	if ((b = BIO_new_mem_buf(pem->tp_cert, (int)pem->tp_cert_len)) ==
	    NULL) {
		snprintf(err, errlen, "certificate file %s: out of memory",
		    path);
		return NULL;
	}
	x = PEM_read_bio_X509(b, NULL, tls_no_passphrase, NULL);
	BIO_free(b);
	if (x == NULL)
		snprintf(err, errlen, "certificate file %s: no PEM "
		    "certificate (%s)", path, tls_ossl_reason());
	ERR_clear_error();
	return x;
}

static EVP_PKEY *
tls_check_key(struct tls_pem *pem, const char *path, char *err,
    size_t errlen)
{
	EVP_PKEY *k;
	BIO *b;

	if (strstr(pem->tp_key, "ENCRYPTED") != NULL) {
		snprintf(err, errlen, "key file %s: the key is encrypted; "
		    "smbsrvd cannot ask for a passphrase", path);
		return NULL;
	}
	if ((b = BIO_new_mem_buf(pem->tp_key, (int)pem->tp_key_len)) ==
	    NULL) {
		snprintf(err, errlen, "key file %s: out of memory", path);
		return NULL;
	}
	k = PEM_read_bio_PrivateKey(b, NULL, tls_no_passphrase, NULL);
	BIO_free(b);
	if (k == NULL)
		snprintf(err, errlen, "key file %s: no PEM private key (%s)",
		    path, tls_ossl_reason());
	ERR_clear_error();
	return k;
}

int
tls_pem_load(struct tls_pem *pem, const char *cert_path,
    const char *key_path, char *err, size_t errlen)
{
	struct stat st;
	EVP_PKEY *k = NULL;
	X509 *x = NULL;

	memset(pem, 0, sizeof(*pem));
	/* Group may read it (Debian's ssl-cert group); others may not. */
	if (stat(key_path, &st) == 0 && S_ISREG(st.st_mode) &&
	    (st.st_mode & S_IROTH)) {
		snprintf(err, errlen, "key file %s is readable by others "
		    "(mode %04o); chmod o-r it", key_path,
		    (unsigned int)(st.st_mode & 07777));
		return -1;
	}
	if ((pem->tp_cert = tls_read("certificate", cert_path, TLS_CERT_MAX,
	    &pem->tp_cert_len, err, errlen)) == NULL ||
	    (pem->tp_key = tls_read("key", key_path, TLS_KEY_MAX,
	    &pem->tp_key_len, err, errlen)) == NULL)
		goto fail;
	if ((x = tls_check_cert(pem, cert_path, err, errlen)) == NULL ||
	    (k = tls_check_key(pem, key_path, err, errlen)) == NULL)
		goto fail;
	if (X509_check_private_key(x, k) != 1) {
		ERR_clear_error();
		snprintf(err, errlen, "key file %s does not match the "
		    "certificate in %s", key_path, cert_path);
		goto fail;
	}
	if (tls_not_after(x, &pem->tp_not_after) == -1) {
		snprintf(err, errlen, "certificate file %s: unreadable "
		    "notAfter date", cert_path);
		goto fail;
	}
	tls_subject(x, pem->tp_subject, sizeof(pem->tp_subject));
	if (tls_digest(pem) == -1) {
		snprintf(err, errlen, "%s: cannot compute SHA-256", cert_path);
		goto fail;
	}
	X509_free(x);
	EVP_PKEY_free(k);
	ERR_clear_error();
	return 0;
fail:
	X509_free(x);
	EVP_PKEY_free(k);
	ERR_clear_error();
	tls_pem_free(pem);
	return -1;
}

void
tls_pem_free(struct tls_pem *pem)
{
	if (pem == NULL)
		return;
	tls_wipe(pem->tp_key, pem->tp_key_len);
	free(pem->tp_cert);
	explicit_bzero(pem, sizeof(*pem));
}
