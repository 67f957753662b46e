/*
 * tls.h — the TCP admin listener's certificate and private key.
 *
 * tls_pem_load() reads the two PEM files named by "admin tls certificate"
 * and "admin tls key" (smbsrvd.conf(5)) with a size cap and checks them
 * with OpenSSL before libmicrohttpd sees them, so that a bad pair is
 * refused with a message naming the file and the problem rather than
 * MHD's generic "failed to initialise TLS".  The key text is secret: it
 * is never logged, and tls_pem_free() wipes it.
 */
#ifndef RPC_TLS_H
#define RPC_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#define TLS_CERT_MAX	(256 * 1024)	/* bytes of a certificate chain */
#define TLS_KEY_MAX	(64 * 1024)	/* bytes of a private key file */
#define TLS_DIGEST_LEN	32		/* SHA-256 */

struct tls_pem {
	char		*tp_cert;	/* PEM text, NUL-terminated */
	size_t		 tp_cert_len;
	char		*tp_key;	/* PEM text, NUL-terminated; secret */
	size_t		 tp_key_len;
	/* Of both files: tells a reload whether the pair changed. */
	unsigned char	 tp_digest[TLS_DIGEST_LEN];
	char		 tp_subject[256];	/* of the first certificate */
	time_t		 tp_not_after;		/* its notAfter */
};

/*
 * Reads and checks the pair: each a regular file within its size cap,
 * the certificate file one or more PEM certificates and no private key,
 * the key file one unencrypted PEM private key, not readable by others
 * (mode o+r), that matches the first certificate.  0, or -1 with a
 * message naming the file in err (pem is then empty).
 */
int	tls_pem_load(struct tls_pem *pem, const char *cert_path,
	    const char *key_path, char *err, size_t errlen);
/* Wipes the key and frees both texts; accepts an empty pem. */
void	tls_pem_free(struct tls_pem *pem);

#endif
