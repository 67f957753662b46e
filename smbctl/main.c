/*
 * main.c — smbctl's entry: global options, where the server is, SIGINT,
 * then one command (argument mode) or the shell.  Nothing else.
 */
#include <sys/stat.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <getopt.h>
#include <unistd.h>

#include "smbctl.h"

#ifndef SMBSRVD_VERSION
#define SMBSRVD_VERSION	"0.0.0"
#endif

/*
 * "make run" keeps its state in ./var, so a developer in the source tree
 * reaches that server without options; everyone else the system one.
 */
static const char *
default_socket(void)
{
	struct stat st;

	if (stat("var", &st) == 0 && S_ISDIR(st.st_mode))
		return SMBCTL_SOCKET_LOCAL;
	return SMBCTL_SOCKET_SYSTEM;
}

static void
on_sigint(int sig)
{
	(void)sig;
	smbctl_interrupted = 1;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "json",	no_argument,		NULL, 'j' },
		{ "no-header",	no_argument,		NULL, 'H' },
		{ "output",	required_argument,	NULL, 'o' },
		{ "parsable",	no_argument,		NULL, 'p' },
		{ "socket",	required_argument,	NULL, 's' },
		{ "url",	required_argument,	NULL, 'u' },
		{ "token-file",	required_argument,	NULL, 't' },
		{ "cacert",	required_argument,	NULL, 'C' },
		{ "help",	no_argument,		NULL, 'h' },
		{ "version",	no_argument,		NULL, 'V' },
		{ NULL,		0,			NULL, 0 }
	};
	struct sigaction sa;
	struct smbctl sc;
	const char *nc, *term;
	int ch, rv;

	memset(&sc, 0, sizeof(sc));
	opterr = 0;
	/*
	 * "+": the first operand is the command; what follows is its own.
	 * ":": tell a missing option argument from an unknown option.
	 */
	while ((ch = getopt_long(argc, argv, "+:jHo:ph", longopts, NULL)) !=
	    -1) {
		switch (ch) {
		case 'j':
			sc.sc_out.oo_json = true;
			break;
		case 'H':
			sc.sc_out.oo_noheader = true;
			break;
		case 'o':
			sc.sc_out.oo_fields = optarg;
			break;
		case 'p':
			sc.sc_out.oo_parsable = true;
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
		case 'C':
			sc.sc_target.ct_cacert = optarg;
			break;
		case 'h':
			smbctl_usage(stdout);
			return smbctl_flush();
		case 'V':
			printf("smbctl %s\n", SMBSRVD_VERSION);
			return smbctl_flush();
		case ':':
			fprintf(stderr, "%s: %s needs an argument\n",
			    smbctl_prog(), argv[optind - 1]);
			return SMBCTL_USAGE;
		default:
			if (optopt != 0)
				fprintf(stderr, "%s: unknown option -%c\n",
				    smbctl_prog(), optopt);
			else
				fprintf(stderr, "%s: unknown option %s\n",
				    smbctl_prog(), argv[optind - 1]);
			fprintf(stderr, "\"%s --help\" explains the "
			    "options\n", smbctl_prog());
			return SMBCTL_USAGE;
		}
	}
	argc -= optind;
	argv += optind;

	if (sc.sc_target.ct_socket != NULL && sc.sc_target.ct_url != NULL) {
		fprintf(stderr, "%s: --socket and --url exclude each other\n",
		    smbctl_prog());
		return SMBCTL_USAGE;
	}
	if (sc.sc_target.ct_url != NULL &&
	    strncasecmp(sc.sc_target.ct_url, "http://", 7) != 0 &&
	    strncasecmp(sc.sc_target.ct_url, "https://", 8) != 0) {
		fprintf(stderr, "%s: --url %s: give http://host:port or "
		    "https://host:port\n", smbctl_prog(),
		    sc.sc_target.ct_url);
		return SMBCTL_USAGE;
	}
	if (sc.sc_target.ct_token_file != NULL &&
	    sc.sc_target.ct_url == NULL) {
		fprintf(stderr, "%s: --token-file goes with --url; the Unix "
		    "socket needs no token\n", smbctl_prog());
		return SMBCTL_USAGE;
	}
	if (sc.sc_target.ct_cacert != NULL && (sc.sc_target.ct_url == NULL ||
	    strncasecmp(sc.sc_target.ct_url, "https://", 8) != 0)) {
		fprintf(stderr, "%s: --cacert goes with an https:// --url\n",
		    smbctl_prog());
		return SMBCTL_USAGE;
	}
	if (sc.sc_target.ct_url == NULL && sc.sc_target.ct_socket == NULL)
		sc.sc_target.ct_socket = default_socket();
	nc = getenv("NO_COLOR");
	term = getenv("TERM");
	sc.sc_color = isatty(STDOUT_FILENO) && (nc == NULL || nc[0] == '\0') &&
	    term != NULL && strcmp(term, "dumb") != 0;

	/* No SA_RESTART: Ctrl-C must interrupt a wait, not resume it. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigint;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);

	if (argc == 0)
		rv = shell_run(&sc);
	else
		rv = cmds_run(&sc, argc, argv);
	if (sc.sc_connected)
		client_free(&sc.sc_client);
	return rv;
}
