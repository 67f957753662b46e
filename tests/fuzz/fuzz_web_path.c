/*
 * fuzz_web_path.c — rpc/web.c's request path parser and handler on
 * hostile paths and If-None-Match values.
 *
 * MHD hands over paths percent-decoded, so any byte but NUL may arrive.
 * Input: the first byte picks the output buffer size (0 to 255, so the
 * bounds of short buffers are exercised too); the rest up to a newline is
 * the path, after it an If-None-Match value.  Whatever web_path() accepts
 * must be a bare name of allowed bytes that fits the buffer, and web_get()
 * must answer only with an embedded file.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ops.h"
#include "web.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char *
fuzz_header(void *arg, const char *name)
{
	return strcmp(name, "If-None-Match") == 0 ? arg : NULL;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf, *nl, *name;
	const char *inm = NULL;
	const struct web_file *wf;
	struct ops_reply rp;
	struct ops_req rq;
	size_t len, i, n;
	int rv;

	if (size < 1)
		return 0;
	len = data[0];
	if ((buf = malloc(size)) == NULL)
		return 0;
	memcpy(buf, data + 1, size - 1);
	buf[size - 1] = '\0';
	if ((nl = strchr(buf, '\n')) != NULL) {
		*nl = '\0';
		inm = nl + 1;
	}
	/* An exact-size heap buffer: ASan sees any write past it. */
	if ((name = malloc(len == 0 ? 1 : len)) == NULL) {
		free(buf);
		return 0;
	}
	rv = web_path(buf, name, len);
	if (rv == 0) {
		n = strlen(name);
		if (n == 0 || n >= len || n > WEB_NAME_MAX || name[0] == '.')
			abort();
		for (i = 0; i < n; i++)
			if (strchr("abcdefghijklmnopqrstuvwxyz"
			    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-",
			    name[i]) == NULL)
				abort();
		if (strcmp(buf, "/") != 0 && (strncmp(buf, "/web/", 5) != 0 ||
		    strcmp(buf + 5, name) != 0))
			abort();
	} else if (rv != ENOENT)
		abort();
	free(name);

	memset(&rq, 0, sizeof(rq));
	memset(&rp, 0, sizeof(rp));
	rq.rq_method = "GET";
	rq.rq_path = buf;
	rq.rq_header = fuzz_header;
	rq.rq_query_arg = (void *)(uintptr_t)inm;
	if (web_get(&rq, &rp) == 0) {
		if (rp.rp_status == 304) {
			if (inm == NULL || rp.rp_len != 0)
				abort();
		} else {
			for (i = 0, wf = NULL; i < web_nfiles; i++)
				if (rp.rp_data ==
				    (const char *)web_files[i].wf_data)
					wf = &web_files[i];
			if (rp.rp_status != 200 || wf == NULL ||
			    rp.rp_len != wf->wf_len)
				abort();
		}
	}
	free(buf);
	return 0;
}
