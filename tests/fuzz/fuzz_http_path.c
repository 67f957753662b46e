/*
 * fuzz_http_path.c — the route matcher of rpc/ops.c on hostile paths.
 *
 * MHD hands us the request path already percent-decoded, so any byte but
 * NUL may reach ops_match().  Input: one byte picks the method, the rest
 * is the path.  If the path holds a newline, what comes before it is used
 * as a pattern for ops_pattern_match() instead, so the "{name}" capture
 * code meets odd patterns too.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ops.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char *const methods[] = {
	"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "get", "",
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct ops_route *ro;
	struct ops_params pa;
	char allow[OPS_ALLOW_LEN], *buf, *nl;
	const char *method;
	enum ops_match m;
	int i;

	if (size < 1)
		return 0;
	method = methods[data[0] % (sizeof(methods) / sizeof(methods[0]))];
	if ((buf = malloc(size)) == NULL)
		return 0;
	memcpy(buf, data + 1, size - 1);
	buf[size - 1] = '\0';

	if ((nl = strchr(buf, '\n')) != NULL) {
		*nl = '\0';
		if (ops_pattern_match(buf, nl + 1, &pa)) {
			if (pa.pa_n < 0 || pa.pa_n > OPS_PARAM_MAX)
				abort();
			for (i = 0; i < pa.pa_n; i++)
				if (strlen(pa.pa_val[i]) > OPS_PARAM_LEN ||
				    pa.pa_val[i][0] == '\0')
					abort();
		}
		free(buf);
		return 0;
	}

	m = ops_match(method, buf, &ro, &pa, allow, sizeof(allow));
	if (m == OPS_FOUND) {
		/* A found route really fits, and a GET row also takes HEAD. */
		if (ro == NULL || !ops_pattern_match(ro->ro_pattern, buf, &pa))
			abort();
		if (strcmp(ro->ro_method, method) != 0 &&
		    !(strcmp(ro->ro_method, "GET") == 0 &&
		    strcmp(method, "HEAD") == 0))
			abort();
	} else if (m == OPS_NO_METHOD) {
		if (ro != NULL || allow[0] == '\0' ||
		    strlen(allow) >= sizeof(allow))
			abort();
	} else if (ro != NULL)
		abort();
	free(buf);
	return 0;
}
