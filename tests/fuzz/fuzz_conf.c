/*
 * fuzz_conf.c — libFuzzer harness for the configuration parser.
 *
 * Any input must parse or fail cleanly.  What parses must print, and the
 * printed text must parse again (against another base directory: printed
 * paths are absolute) and print the same: conf_print() promises that
 * smbsrvd -nv output is a valid config.  The tests/conf goldens make a
 * good seed corpus.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static char *
print_str(const struct conf *cf, size_t *len)
{
	char *out = NULL;
	FILE *fp;

	if ((fp = open_memstream(&out, len)) == NULL)
		abort();
	if (conf_print(fp, cf) == -1 || fclose(fp) == EOF)
		abort();
	return out;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conf *cf, *again;
	char err[512], *text, *text2;
	size_t len, len2;

	cf = conf_parse((const char *)data, size, "fuzz", "/fuzz", err,
	    sizeof(err));
	if (cf == NULL) {
		if (strncmp(err, "fuzz", 4) != 0)
			abort();	/* every error names its input */
		return 0;
	}
	text = print_str(cf, &len);
	again = conf_parse(text, len, "printed", "/elsewhere", err,
	    sizeof(err));
	if (again == NULL) {
		fprintf(stderr, "printed config does not parse: %s\n%s", err,
		    text);
		abort();
	}
	text2 = print_str(again, &len2);
	if (len != len2 || memcmp(text, text2, len) != 0) {
		fprintf(stderr, "printed twice differently:\n%s---\n%s", text,
		    text2);
		abort();
	}
	free(text);
	free(text2);
	conf_free(again);
	conf_free(cf);
	return 0;
}
