/*
 * smbctl.c — the admin CLI's entry: global options, where the server is,
 * and the one request path every command goes through (smbctl_get).
 *
 * Global options come before the command; output options (-j) may also
 * follow it, since the shell will take them per line.  What a command
 * does lives in cmds.c.
 */
#include <sys/stat.h>

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "smbctl.h"

#ifndef SMBSRVD_VERSION
#define SMBSRVD_VERSION	"0.0.0"
#endif

static const char *smbctl_progname = "smbctl";

void
smbctl_usage(FILE *f)
{
	fprintf(f, "usage: %s [-j] [--socket path | --url url "
	    "[--token-file path]] command [argument ...]\n"
	    "       %s --help | --version\n\n"
	    "options:\n"
	    "  -j, --json           print the server's JSON as it is\n"
	    "  --socket path        the server's Unix socket (default: %s\n"
	    "                       if ./var exists, else %s)\n"
	    "  --url url            the server's TCP listener, "
	    "http://host:port\n"
	    "  --token-file path    bearer token for --url\n"
	    "  -h, --help           this text\n"
	    "  --version            smbctl's version\n\n"
	    "commands (any unique prefix will do):\n",
	    smbctl_progname, smbctl_progname, SMBCTL_SOCKET_LOCAL,
	    SMBCTL_SOCKET_SYSTEM);
	cmds_list(f);
}

/*
 * "make run" keeps its state in ./var, so a developer in the source tree
 * reaches that server without options; everyone else the system one.
 */
static const char *
smbctl_default_socket(void)
{
	struct stat st;

	if (stat("var", &st) == 0 && S_ISDIR(st.st_mode))
		return SMBCTL_SOCKET_LOCAL;
	return SMBCTL_SOCKET_SYSTEM;
}

static int
smbctl_connect(struct smbctl *sc)
{
	char err[CLIENT_ERR_LEN];

	if (sc->sc_connected)
		return 0;
	if (client_init(&sc->sc_client, &sc->sc_target, err,
	    sizeof(err)) == -1) {
		fprintf(stderr, "%s: %s\n", smbctl_progname, err);
		return -1;
	}
	sc->sc_connected = true;
	return 0;
}

/* Why a request got an error status, said for the person at the keys. */
static void
smbctl_reply_failed(struct smbctl *sc, const char *path,
    const struct client_reply *cr)
{
	char why[CLIENT_ERR_LEN];

	if (cr->cr_status == 401 && sc->sc_target.ct_token_file != NULL) {
		fprintf(stderr, "%s: smbsrvd at %s refused the token from %s\n",
		    smbctl_progname, sc->sc_client.cl_where,
		    sc->sc_target.ct_token_file);
		return;
	}
	if (cr->cr_status == 401) {
		fprintf(stderr, "%s: smbsrvd at %s wants a bearer token; "
		    "give its token file with --token-file\n",
		    smbctl_progname, sc->sc_client.cl_where);
		return;
	}
	client_reply_error(cr, why, sizeof(why));
	fprintf(stderr, "%s: GET %s: %s\n", smbctl_progname, path, why);
}

int
smbctl_get(struct smbctl *sc, const char *path, struct json_object **objp,
    char **rawp)
{
	struct client_reply cr;
	struct json_object *o;
	char err[CLIENT_ERR_LEN];

	*objp = NULL;
	if (rawp != NULL)
		*rawp = NULL;
	if (smbctl_connect(sc) == -1)
		return -1;
	if (client_request(&sc->sc_client, "GET", path, NULL, &cr, err,
	    sizeof(err)) != CLIENT_OK) {
		fprintf(stderr, "%s: %s\n", smbctl_progname, err);
		return -1;
	}
	if (cr.cr_status < 200 || cr.cr_status > 299) {
		smbctl_reply_failed(sc, path, &cr);
		client_reply_free(&cr);
		return -1;
	}
	if (!client_reply_is_json(&cr) ||
	    (o = json_tokener_parse(cr.cr_body)) == NULL) {
		fprintf(stderr, "%s: GET %s: the reply is not JSON\n",
		    smbctl_progname, path);
		client_reply_free(&cr);
		return -1;
	}
	*objp = o;
	if (rawp != NULL)
		*rawp = cr.cr_body;
	else
		client_reply_free(&cr);
	return 0;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "json",	no_argument,		NULL, 'j' },
		{ "socket",	required_argument,	NULL, 's' },
		{ "url",	required_argument,	NULL, 'u' },
		{ "token-file",	required_argument,	NULL, 't' },
		{ "help",	no_argument,		NULL, 'h' },
		{ "version",	no_argument,		NULL, 'V' },
		{ NULL,		0,			NULL, 0 }
	};
	struct smbctl sc;
	int ch, rv;

	memset(&sc, 0, sizeof(sc));
	opterr = 0;
	/*
	 * "+": the first operand is the command; what follows is its own.
	 * ":": tell a missing option argument from an unknown option.
	 */
	while ((ch = getopt_long(argc, argv, "+:jh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'j':
			sc.sc_json = true;
			break;
		case 's':
			sc.sc_target.ct_socket = optarg;
			break;
		case 'u':
			sc.sc_target.ct_url = optarg;
			break;
		case 't':
			sc.sc_target.ct_token_file = optarg;
			break;
		case 'h':
			smbctl_usage(stdout);
			return SMBCTL_OK;
		case 'V':
			printf("smbctl %s\n", SMBSRVD_VERSION);
			return SMBCTL_OK;
		case ':':
			fprintf(stderr, "%s: %s needs an argument\n",
			    smbctl_progname, argv[optind - 1]);
			return SMBCTL_USAGE;
		default:
			if (optopt != 0)
				fprintf(stderr, "%s: unknown option -%c\n",
				    smbctl_progname, optopt);
			else
				fprintf(stderr, "%s: unknown option %s\n",
				    smbctl_progname, argv[optind - 1]);
			fprintf(stderr, "\"%s --help\" explains the "
			    "options\n", smbctl_progname);
			return SMBCTL_USAGE;
		}
	}
	argc -= optind;
	argv += optind;

	if (sc.sc_target.ct_socket != NULL && sc.sc_target.ct_url != NULL) {
		fprintf(stderr, "%s: --socket and --url exclude each other\n",
		    smbctl_progname);
		return SMBCTL_USAGE;
	}
	if (sc.sc_target.ct_url != NULL &&
	    strncasecmp(sc.sc_target.ct_url, "http://", 7) != 0 &&
	    strncasecmp(sc.sc_target.ct_url, "https://", 8) != 0) {
		fprintf(stderr, "%s: --url %s: give http://host:port or "
		    "https://host:port\n", smbctl_progname,
		    sc.sc_target.ct_url);
		return SMBCTL_USAGE;
	}
	if (sc.sc_target.ct_token_file != NULL &&
	    sc.sc_target.ct_url == NULL) {
		fprintf(stderr, "%s: --token-file goes with --url; the Unix "
		    "socket needs no token\n", smbctl_progname);
		return SMBCTL_USAGE;
	}
	if (sc.sc_target.ct_url == NULL && sc.sc_target.ct_socket == NULL)
		sc.sc_target.ct_socket = smbctl_default_socket();
	if (argc == 0) {
		/* The shell (no command) is not there yet. */
		smbctl_usage(stderr);
		return SMBCTL_USAGE;
	}
	rv = cmds_run(&sc, argc, argv);
	if (sc.sc_connected)
		client_free(&sc.sc_client);
	return rv;
}
