/*
 * smbctl.h — the admin CLI: its state, and the command table's interface.
 *
 * smbctl reaches smbsrvd only through the REST API (rpc/client.h).  One
 * table of commands (cmds.c) drives argument mode, help, the man page's
 * order, and later the readline shell and its completion.  cmds_run()
 * takes (argc, argv) with argv[0] the command's name (or a prefix of it)
 * and the output options; a handler gets only its operands, prints
 * results on stdout and errors on stderr, and returns an exit status, so
 * the shell can run one line at a time on the connection kept in struct
 * smbctl.
 */
#ifndef SMBCTL_SMBCTL_H
#define SMBCTL_SMBCTL_H

#include <stdbool.h>
#include <stdio.h>

#include <json-c/json.h>

#include "client.h"

/* Exit statuses (smbctl(8), EXIT STATUS). */
#define SMBCTL_OK	0
#define SMBCTL_ERR	1
#define SMBCTL_USAGE	2

#define SMBCTL_SOCKET_LOCAL	"var/smbsrvd.sock"	/* "make run" */
#define SMBCTL_SOCKET_SYSTEM	"/var/lib/smbsrvd/smbsrvd.sock"

struct smbctl {
	struct client_target	 sc_target;
	struct client		 sc_client;
	bool			 sc_connected;	/* sc_client is set up */
	bool			 sc_json;	/* -j: raw JSON out */
};

struct cmd {
	const char	*cm_name;
	const char	*cm_args;	/* argument synopsis, "" if none */
	const char	*cm_summary;	/* one line, lower case, no period */
	int		(*cm_fn)(struct smbctl *, int, char **);
	int		 cm_min;	/* operands after the options */
	int		 cm_max;	/* -1: no limit */
};

/* cmds.c */
const struct cmd *cmds_table(size_t *);
/*
 * Exact name, else unique prefix.  NULL if none or ambiguous, after
 * telling which on stderr.
 */
const struct cmd *cmds_lookup(const char *);
/* Runs argv[0] with its arguments; returns an exit status. */
int		 cmds_run(struct smbctl *, int argc, char **argv);
/* The command list for usage and help. */
void		 cmds_list(FILE *);
void		 cmds_usage(FILE *, const struct cmd *);

/* smbctl.c */
void		 smbctl_usage(FILE *);
/*
 * GET path and parse the JSON answer.  On failure prints why on stderr
 * and returns -1.  *rawp (if not NULL) gets the reply text as sent, to
 * free(); *objp the parsed object, to json_object_put().
 */
int		 smbctl_get(struct smbctl *, const char *path,
		    struct json_object **objp, char **rawp);

#endif
