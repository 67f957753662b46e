/*
 * fuzz_tls.c — libFuzzer harness for the admin TLS pair checks
 * (tls_pem_load() in rpc/tls.c), which read two PEM files and hand them
 * to OpenSSL's PEM, X.509 and key decoders.
 *
 * The input is split at its first NUL byte into the certificate file
 * and the key file (mode 0600), written to a private temporary
 * directory, removed at exit.  Besides "no crash": a refusal names one of the two files,
 * and an accepted pair holds NUL-terminated texts of the lengths given.
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tls.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static char	 dir[64], cert[96], key[96];

static void
put(const char *path, const uint8_t *p, size_t n)
{
	int fd;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0600)) == -1 || (n > 0 && write(fd, p, n) != (ssize_t)n) ||
	    close(fd) == -1)
		abort();
}

static void
cleanup(void)
{
	unlink(cert);
	unlink(key);
	rmdir(dir);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tls_pem pem;
	const uint8_t *nul;
	size_t clen;
	char err[512];

	if (dir[0] == '\0') {
		snprintf(dir, sizeof(dir), "/tmp/fuzz_tls.XXXXXX");
		if (mkdtemp(dir) == NULL)
			abort();
		snprintf(cert, sizeof(cert), "%s/c.pem", dir);
		snprintf(key, sizeof(key), "%s/k.pem", dir);
		atexit(cleanup);
	}
	nul = memchr(data, '\0', size);
	clen = nul != NULL ? (size_t)(nul - data) : size;
	put(cert, data, clen);
	put(key, nul != NULL ? nul + 1 : data, nul != NULL ?
	    size - clen - 1 : 0);
	if (tls_pem_load(&pem, cert, key, err, sizeof(err)) == -1) {
		if (memchr(err, '\0', sizeof(err)) == NULL ||
		    (strstr(err, cert) == NULL && strstr(err, key) == NULL))
			abort();
		if (pem.tp_cert != NULL || pem.tp_key != NULL)
			abort();
		return 0;
	}
	if (pem.tp_cert == NULL || pem.tp_key == NULL ||
	    strlen(pem.tp_cert) > pem.tp_cert_len ||
	    strlen(pem.tp_key) > pem.tp_key_len)
		abort();
	tls_pem_free(&pem);
	return 0;
}
