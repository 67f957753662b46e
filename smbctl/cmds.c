/*
 * cmds.c — smbctl's command table and the commands (see smbctl.h).
 *
 * A command is a row: name, argument synopsis, summary, handler and how
 * many operands it takes.  Usage, help and prefix matching come from the
 * table; smbctl(8) lists the commands in the table's order.  Output
 * options (-j) are taken here, after the command name, so they work the
 * same in argument mode and, later, in the shell.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smbctl.h"

static int	cmd_server(struct smbctl *, int, char **);
static int	cmd_help(struct smbctl *, int, char **);

static const struct cmd cmds[] = {
	{ "server", "", "show the server's identity, listeners and counters",
	    cmd_server, 0, 0 },
	{ "help", "[command]", "list the commands, or explain one",
	    cmd_help, 0, 1 },
};

#define NCMDS	(sizeof(cmds) / sizeof(cmds[0]))

const struct cmd *
cmds_table(size_t *np)
{
	*np = NCMDS;
	return cmds;
}

const struct cmd *
cmds_lookup(const char *name)
{
	const struct cmd *found = NULL;
	size_t i, k, len = strlen(name), nfound = 0;

	for (i = 0; i < NCMDS; i++)
		if (strcmp(cmds[i].cm_name, name) == 0)
			return &cmds[i];
	if (len > 0) {
		for (i = 0; i < NCMDS; i++) {
			if (strncmp(cmds[i].cm_name, name, len) == 0) {
				found = &cmds[i];
				nfound++;
			}
		}
	}
	if (nfound == 1)
		return found;
	if (nfound == 0) {
		fprintf(stderr, "smbctl: unknown command \"%s\"; "
		    "\"smbctl help\" lists them\n", name);
		return NULL;
	}
	fprintf(stderr, "smbctl: \"%s\" could be ", name);
	for (i = 0, k = 0; i < NCMDS; i++) {
		if (strncmp(cmds[i].cm_name, name, len) != 0)
			continue;
		fprintf(stderr, "%s%s", k == 0 ? "" :
		    k == nfound - 1 ? " or " : ", ", cmds[i].cm_name);
		k++;
	}
	fprintf(stderr, "\n");
	return NULL;
}

void
cmds_list(FILE *f)
{
	char head[64];
	size_t i;

	for (i = 0; i < NCMDS; i++) {
		snprintf(head, sizeof(head), "%s%s%s", cmds[i].cm_name,
		    cmds[i].cm_args[0] ? " " : "", cmds[i].cm_args);
		fprintf(f, "  %-20s %s\n", head, cmds[i].cm_summary);
	}
}

void
cmds_usage(FILE *f, const struct cmd *c)
{
	fprintf(f, "usage: smbctl [-j] %s%s%s\n", c->cm_name,
	    c->cm_args[0] ? " " : "", c->cm_args);
}

int
cmds_run(struct smbctl *sc, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json",	no_argument,	NULL, 'j' },
		{ "help",	no_argument,	NULL, 'h' },
		{ NULL,		0,		NULL, 0 }
	};
	const struct cmd *c;
	bool json = sc->sc_json, saved;
	int ch, n, rv;

	if ((c = cmds_lookup(argv[0])) == NULL)
		return SMBCTL_USAGE;
	/* optind 0 restarts glibc's getopt, as the shell will need. */
	optind = 0;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+jh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'j':
			json = true;
			break;
		case 'h':
			cmds_usage(stdout, c);
			printf("\n%s\n", c->cm_summary);
			return SMBCTL_OK;
		default:
			if (optopt != 0)
				fprintf(stderr, "smbctl: %s: unknown option "
				    "-%c\n", c->cm_name, optopt);
			else
				fprintf(stderr, "smbctl: %s: unknown option "
				    "%s\n", c->cm_name, argv[optind - 1]);
			cmds_usage(stderr, c);
			return SMBCTL_USAGE;
		}
	}
	n = argc - optind;
	if (n < c->cm_min || (c->cm_max >= 0 && n > c->cm_max)) {
		fprintf(stderr, "smbctl: %s: %s\n", c->cm_name,
		    n < c->cm_min ? "missing argument" : "too many arguments");
		cmds_usage(stderr, c);
		return SMBCTL_USAGE;
	}
	/* Options after the command hold for that command only. */
	saved = sc->sc_json;
	sc->sc_json = json;
	rv = c->cm_fn(sc, n, argv + optind);
	sc->sc_json = saved;
	return rv;
}

/* "2d 3h 4m 5s": durations arrive as integer milliseconds. */
static void
cmds_duration(char *buf, size_t len, uint64_t ms)
{
	uint64_t s = ms / 1000, d = s / 86400, h = s / 3600 % 24,
	    m = s / 60 % 60;

	s %= 60;
	if (ms < 1000)
		snprintf(buf, len, "%" PRIu64 "ms", ms);
	else if (d > 0)
		snprintf(buf, len, "%" PRIu64 "d %" PRIu64 "h %" PRIu64 "m %"
		    PRIu64 "s", d, h, m, s);
	else if (h > 0)
		snprintf(buf, len, "%" PRIu64 "h %" PRIu64 "m %" PRIu64 "s",
		    h, m, s);
	else if (m > 0)
		snprintf(buf, len, "%" PRIu64 "m %" PRIu64 "s", m, s);
	else
		snprintf(buf, len, "%" PRIu64 ".%03" PRIu64 "s", s, ms % 1000);
}

/* The label people read for a JSON member: "uptime_ms" is "uptime". */
static void
cmds_label(char *buf, size_t len, const char *key)
{
	size_t n, i;

	snprintf(buf, len, "%s", key);
	n = strlen(buf);
	if (n > 3 && strcmp(buf + n - 3, "_ms") == 0)
		buf[n - 3] = '\0';
	for (i = 0; buf[i] != '\0'; i++)
		if (buf[i] == '_')
			buf[i] = ' ';
}

static void
cmds_value(FILE *f, const char *key, struct json_object *v)
{
	char dur[64];
	size_t i, n, klen = strlen(key);

	switch (json_object_get_type(v)) {
	case json_type_null:
		fputs("-", f);
		break;
	case json_type_string:
		fputs(json_object_get_string(v), f);
		break;
	case json_type_int:
		if (klen > 3 && strcmp(key + klen - 3, "_ms") == 0) {
			cmds_duration(dur, sizeof(dur),
			    json_object_get_uint64(v));
			fputs(dur, f);
		} else
			fputs(json_object_to_json_string(v), f);
		break;
	case json_type_array:
		n = json_object_array_length(v);
		if (n == 0)
			fputs("-", f);
		for (i = 0; i < n; i++) {
			if (i > 0)
				fputs(", ", f);
			cmds_value(f, "", json_object_array_get_idx(v, i));
		}
		break;
	default:
		fputs(json_object_to_json_string_ext(v,
		    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE),
		    f);
		break;
	}
}

/* One "label: value" line per member, values aligned. */
static void
cmds_print_record(FILE *f, struct json_object *o)
{
	char label[128];
	int width = 0, n;

	json_object_object_foreach(o, k1, v1) {
		(void)v1;
		cmds_label(label, sizeof(label), k1);
		if ((n = (int)strlen(label)) > width)
			width = n;
	}
	json_object_object_foreach(o, key, val) {
		cmds_label(label, sizeof(label), key);
		fprintf(f, "%s:%*s ", label, width - (int)strlen(label), "");
		cmds_value(f, key, val);
		fputc('\n', f);
	}
}

static int
cmd_server(struct smbctl *sc, int argc, char **argv)
{
	struct json_object *o;
	char *raw;
	size_t len;

	(void)argc;
	(void)argv;
	if (smbctl_get(sc, "/api/v1/server", &o, &raw) == -1)
		return SMBCTL_ERR;
	if (sc->sc_json) {
		len = strlen(raw);
		fputs(raw, stdout);
		if (len == 0 || raw[len - 1] != '\n')
			fputc('\n', stdout);
	} else
		cmds_print_record(stdout, o);
	json_object_put(o);
	free(raw);
	if (fflush(stdout) == EOF || ferror(stdout)) {
		fprintf(stderr, "smbctl: stdout: %s\n", strerror(errno));
		return SMBCTL_ERR;
	}
	return SMBCTL_OK;
}

static int
cmd_help(struct smbctl *sc, int argc, char **argv)
{
	const struct cmd *c;

	(void)sc;
	if (argc == 0) {
		smbctl_usage(stdout);
		return SMBCTL_OK;
	}
	if ((c = cmds_lookup(argv[0])) == NULL)
		return SMBCTL_USAGE;
	cmds_usage(stdout, c);
	printf("\n%s\n", c->cm_summary);
	return SMBCTL_OK;
}
