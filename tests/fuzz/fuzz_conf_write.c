/*
 * fuzz_conf_write.c — libFuzzer harness for the share section rewriter
 * (smbsrvd/conf_write.c).
 *
 * Any input must be rewritten or refused cleanly.  When the input is a
 * valid configuration, then for each of its shares: removing the section
 * must leave a valid configuration with every other share and without
 * that one, and replacing it with conf_write_share() text must give a
 * valid configuration where the share has the new path.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "conf_write.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct conf *
parse(const char *buf, size_t len)
{
	char err[512];

	return conf_parse(buf, len, "fuzz", "/fuzz", err, sizeof(err));
}

static void
check_share(const char *buf, size_t len, const struct conf *cf,
    const struct conf_share *cs)
{
	const struct conf_share *o;
	struct conf_share repl;
	struct conf *after;
	char err[256], *out, *sec;
	size_t olen;

	if ((out = conf_write_replace(buf, len, cs->sh_name, NULL, &olen, err,
	    sizeof(err))) == NULL)
		abort();
	if ((after = parse(out, olen)) == NULL)
		abort();
	if (conf_share_find(after, cs->sh_name) != NULL)
		abort();
	TAILQ_FOREACH(o, &cf->cf_shares, sh_entry)
		if (o != cs && conf_share_find(after, o->sh_name) == NULL)
			abort();
	conf_free(after);
	free(out);

	repl = *cs;
	repl.sh_path = "/fuzz/replaced";
	repl.sh_comment = "c";
	if (repl.sh_smb_encrypt < 0 || repl.sh_smb_encrypt > 2)
		abort();
	if ((sec = conf_write_share(&repl, NULL)) == NULL)
		return;		/* a name that cannot be written on a line */
	if ((out = conf_write_replace(buf, len, cs->sh_name, sec, &olen, err,
	    sizeof(err))) == NULL)
		abort();
	if ((after = parse(out, olen)) == NULL ||
	    (o = conf_share_find(after, cs->sh_name)) == NULL ||
	    strcmp(o->sh_path, "/fuzz/replaced") != 0)
		abort();
	conf_free(after);
	free(out);
	free(sec);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct conf_share *cs;
	const char *buf = (const char *)data;
	struct conf *cf;
	char err[256], *out;
	size_t olen;

	/* Whatever the text, a rewrite either works or says why. */
	out = conf_write_replace(buf, size, "fuzz", "[fuzz]\n\tpath = /f\n",
	    &olen, err, sizeof(err));
	if (out != NULL && strlen(out) != olen)
		abort();
	free(out);
	free(conf_write_replace(buf, size, "fuzz", NULL, &olen, err,
	    sizeof(err)));
	if ((cf = parse(buf, size)) == NULL)
		return 0;
	TAILQ_FOREACH(cs, &cf->cf_shares, sh_entry)
		check_share(buf, size, cf, cs);
	conf_free(cf);
	return 0;
}
