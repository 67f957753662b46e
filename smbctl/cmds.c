/*
 * cmds.c — smbctl's command table: matching, option parsing, help.
 *
 * A command is a row: its one or two words, operand synopsis, summary,
 * handler, operand counts, what its operands complete to, and its
 * options.  Argument mode, the shell, completion, "help" and smbctl(8)
 * all follow this table and its order.  Each word of a command and each
 * long option may be shortened to any unique prefix; an ambiguous one
 * is refused with the choices listed.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smbctl.h"

static int	cmd_help(struct smbctl *, const struct cmd_args *);
static int	cmd_quit(struct smbctl *, const struct cmd_args *);

#define DRY_RUN	{ "dry-run", 'n', OPT_FLAG, NULL, \
	"print what the server predicts would close; change nothing", \
	COMP_NONE, false }
#define COUNT	{ "count", 'c', OPT_ARG, "N", \
	"stop after N samples", COMP_NONE, false }
#define END	{ NULL, 0, OPT_FLAG, NULL, NULL, COMP_NONE, false }

static const struct cmd_opt opts_none[] = { END };
static const struct cmd_opt opts_dry[] = { DRY_RUN, END };
static const struct cmd_opt opts_session_close[] = {
	DRY_RUN,
	{ "keep-durable", 'k', OPT_FLAG, NULL, "log off as a client would: "
	    "durable and resilient opens wait for a reconnect", COMP_NONE,
	    false },
	END
};
static const struct cmd_opt opts_tree_list[] = {
	{ "session", 's', OPT_ARG, "ID", "only this session's",
	    COMP_SESSION, false },
	{ "share", 'S', OPT_ARG, "NAME", "only this share's", COMP_SHARE,
	    false },
	{ "user", 'u', OPT_ARG, "NAME", "only this user's", COMP_USER,
	    false },
	END
};
static const struct cmd_opt opts_open_list[] = {
	{ "session", 's', OPT_ARG, "ID", "only this session's",
	    COMP_SESSION, false },
	{ "share", 'S', OPT_ARG, "NAME", "only in this share", COMP_SHARE,
	    false },
	{ "user", 'u', OPT_ARG, "NAME", "only this user's", COMP_USER,
	    false },
	{ "disconnected", 'd', OPT_FLAG, NULL, "only opens whose session "
	    "is gone, waiting for a reconnect", COMP_NONE, false },
	{ "durable", 'D', OPT_FLAG, NULL, "only durable opens (v1 and v2)",
	    COMP_NONE, false },
	END
};
static const struct cmd_opt opts_open_who[] = {
	{ "share", 'S', OPT_ARG, "NAME", "only in this share", COMP_SHARE,
	    false },
	END
};
static const struct cmd_opt opts_share_add[] = {
	{ "comment", 'C', OPT_ARG, "TEXT", "the share's remark", COMP_NONE,
	    false },
	{ "read-only", 'r', OPT_FLAG, NULL, "refuse writes", COMP_NONE,
	    false },
	{ "guest", 'g', OPT_FLAG, NULL, "let guests connect", COMP_NONE,
	    false },
	{ "max-uses", 'm', OPT_ARG, "N", "at most N tree connects at once",
	    COMP_NONE, false },
	{ "encrypt", 'e', OPT_FLAG, NULL, "demand encrypted requests",
	    COMP_NONE, false },
	END
};
static const struct cmd_opt opts_stdin[] = {
	{ "stdin", 0, OPT_FLAG, NULL, "read the password as one line of "
	    "standard input", COMP_NONE, false },
	END
};
static const struct cmd_opt opts_watch[] = {
	{ "watch", 'w', OPT_OPTARG, "SECONDS", "repeat every SECONDS "
	    "(default 2) until interrupted", COMP_NONE, false },
	COUNT,
	END
};
static const struct cmd_opt opts_events[] = {
	{ "follow", 'f', OPT_FLAG, NULL, "keep printing new events as they "
	    "happen", COMP_NONE, false },
	{ "since", 0, OPT_ARG, "SEQ", "start after event SEQ (0: all held)",
	    COMP_NONE, false },
	{ "type", 't', OPT_ARG, "TYPE", "only events of TYPE (a pattern "
	    "such as session.*; may repeat)", COMP_EVENT_TYPE, true },
	{ "count", 'c', OPT_ARG, "N", "stop after N events", COMP_NONE,
	    false },
	END
};

static const struct cmd cmds[] = {
	{ "status", NULL, "", "server, counts, sessions, scavenger", cmd_status, 0, 0, COMP_NONE, opts_none, 0 },
	{ "server", NULL, "", "show the server's identity and listeners",
	    cmd_server, 0, 0, COMP_NONE, opts_none, 0 },
	{ "session", "list", "", "list sessions", cmd_session_list, 0, 0,
	    COMP_NONE, opts_none, 0 },
	{ "session", "show", "ID", "one session with its trees and opens",
	    cmd_session_show, 1, 1, COMP_SESSION, opts_none, 0 },
	{ "session", "close", "ID", "force a logoff: every open closes",
	    cmd_session_close, 1, 1, COMP_SESSION, opts_session_close, 0 },
	{ "tree", "list", "", "list tree connects", cmd_tree_list, 0, 0,
	    COMP_NONE, opts_tree_list, 0 },
	{ "tree", "show", "ID", "one tree connect", cmd_tree_show, 1, 1,
	    COMP_TREE, opts_none, 0 },
	{ "tree", "close", "ID", "disconnect a tree connect and close its "
	    "opens", cmd_tree_close, 1, 1, COMP_TREE, opts_dry, 0 },
	{ "open", "list", "", "list opens, disconnected durable ones too",
	    cmd_open_list, 0, 0, COMP_NONE, opts_open_list, 0 },
	{ "open", "show", "ID", "one open: access, share modes, oplock, "
	    "locks", cmd_open_show, 1, 1, COMP_OPEN, opts_none, 0 },
	{ "open", "close", "ID", "force an open closed", cmd_open_close, 1, 1,
	    COMP_OPEN, opts_dry, 0 },
	{ "open", "who", "PATH", "who holds a file: session, client, "
	    "access, locks", cmd_open_who, 1, 1, COMP_NONE,
	    opts_open_who, 0 },
	{ "conn", "list", "", "list transport connections", cmd_conn_list, 0,
	    0, COMP_NONE, opts_none, 0 },
	{ "conn", "show", "ID", "one transport connection", cmd_conn_show, 1,
	    1, COMP_CONN, opts_none, 0 },
	{ "conn", "drop", "ID", "drop a transport connection at once",
	    cmd_conn_drop, 1, 1, COMP_CONN, opts_dry, 0 },
	{ "share", "list", "", "list shares with their current uses",
	    cmd_share_list, 0, 0, COMP_NONE, opts_none, 0 },
	{ "share", "show", "NAME", "one share", cmd_share_show, 1, 1,
	    COMP_SHARE, opts_none, 0 },
	{ "share", "add", "NAME PATH", "create a share", cmd_share_add, 2, 2,
	    COMP_NONE, opts_share_add, 0 },
	{ "share", "set", "NAME KEY=VALUE ...", "change a share's settings",
	    cmd_share_set, 2, -1, COMP_SHARE, opts_none, 0 },
	{ "share", "remove", "NAME", "remove a share; its trees and opens "
	    "close", cmd_share_remove, 1, 1, COMP_SHARE, opts_dry, 0 },
	{ "user", "list", "", "list users", cmd_user_list, 0, 0, COMP_NONE,
	    opts_none, 0 },
	{ "user", "add", "NAME", "create a user; the password is asked for",
	    cmd_user_add, 1, 1, COMP_NONE, opts_stdin, 0 },
	{ "user", "passwd", "NAME", "set a user's password",
	    cmd_user_passwd, 1, 1, COMP_USER, opts_stdin, 0 },
	{ "user", "enable", "NAME", "let a user log on again",
	    cmd_user_enable, 1, 1, COMP_USER, opts_none, 0 },
	{ "user", "disable", "NAME", "refuse a user's logons",
	    cmd_user_disable, 1, 1, COMP_USER, opts_none, 0 },
	{ "user", "remove", "NAME", "remove a user", cmd_user_remove, 1, 1,
	    COMP_USER, opts_none, 0 },
	{ "stats", NULL, "", "statistics; with --watch, rates per second", cmd_stats, 0, 0, COMP_NONE, opts_watch, 0 },
	{ "scavenger", NULL, "", "opens waiting for a reconnect, time "
	    "left", cmd_scavenger, 0, 0, COMP_NONE, opts_watch,
	    0 },
	{ "scavenger", "expire", "[ID ...]", "expire waiting opens now (all, "
	    "or the ids given)", cmd_scavenger_expire, 0, -1, COMP_OPEN,
	    opts_dry, 0 },
	{ "scavenger", "extend", "ID SECONDS", "let a waiting open wait "
	    "longer", cmd_scavenger_extend, 2, 2,
	    COMP_OPEN, opts_none, 0 },
	{ "events", NULL, "", "registration events and admin actions",
	    cmd_events, 0, 0, COMP_NONE, opts_events, 0 },
	{ "shell", NULL, "", "interactive shell with completion and history",
	    cmd_shell, 0, 0, COMP_NONE, opts_none, 0 },
	{ "help", NULL, "[COMMAND]", "list the commands, or explain one",
	    cmd_help, 0, 2, COMP_COMMAND, opts_none, 0 },
	{ "quit", NULL, "", "leave the shell (so does Ctrl-D)", cmd_quit, 0,
	    0, COMP_NONE, opts_none, CMD_SHELL_ONLY },
};

#define NCMDS	(sizeof(cmds) / sizeof(cmds[0]))

/* The output options every command takes, after its own. */
static const struct cmd_opt opts_out[] = {
	{ "json", 'j', OPT_FLAG, NULL, "print the API's JSON", COMP_NONE,
	    false },
	{ "no-header", 'H', OPT_FLAG, NULL, "tables without a header line",
	    COMP_NONE, false },
	{ "output", 'o', OPT_ARG, "FIELD,...", "only these columns",
	    COMP_NONE, false },
	{ "parsable", 'p', OPT_FLAG, NULL, "raw values (ms, bytes) separated "
	    "by tabs", COMP_NONE, false },
	{ "help", 'h', OPT_FLAG, NULL, "explain the command", COMP_NONE,
	    false },
	END
};

const struct cmd *
cmds_table(size_t *np)
{
	*np = NCMDS;
	return cmds;
}

const char *
cmds_fullname(const struct cmd *c, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s", c->cm_group, c->cm_name ? " " : "",
	    c->cm_name ? c->cm_name : "");
	return buf;
}

static bool
cmds_visible(const struct cmd *c, bool shell)
{
	return shell || (c->cm_flags & CMD_SHELL_ONLY) == 0;
}

/* "a, b or c" into buf. */
static void
cmds_choices(char *buf, size_t len, const char **names, size_t n)
{
	size_t i, off = 0;
	int w;

	buf[0] = '\0';
	for (i = 0; i < n && off < len; i++) {
		w = snprintf(buf + off, len - off, "%s%s", i == 0 ? "" :
		    i == n - 1 ? " or " : ", ", names[i]);
		if (w < 0)
			return;
		off += (size_t)w;
	}
}

/*
 * Matches word against the distinct first words (group == NULL) or the
 * second words of group.  Returns the row of the match, or NULL with
 * *nmatch telling none (0) or several, and names[] holding them.
 */
static const struct cmd *
cmds_match(const char *group, const char *word, bool shell,
    const char **names, size_t *nmatch)
{
	const struct cmd *found = NULL, *c;
	size_t i, j, len = strlen(word), n = 0;
	const char *w;

	for (i = 0; i < NCMDS; i++) {
		c = &cmds[i];
		if (!cmds_visible(c, shell))
			continue;
		if (group != NULL && (strcmp(c->cm_group, group) != 0 ||
		    c->cm_name == NULL))
			continue;
		w = group == NULL ? c->cm_group : c->cm_name;
		if (strcmp(w, word) == 0) {
			*nmatch = 1;
			names[0] = w;
			return c;
		}
	}
	for (i = 0; i < NCMDS; i++) {
		c = &cmds[i];
		if (!cmds_visible(c, shell))
			continue;
		if (group != NULL && (strcmp(c->cm_group, group) != 0 ||
		    c->cm_name == NULL))
			continue;
		w = group == NULL ? c->cm_group : c->cm_name;
		if (len == 0 || strncmp(w, word, len) != 0)
			continue;
		for (j = 0; j < n; j++)
			if (strcmp(names[j], w) == 0)
				break;
		if (j < n)
			continue;
		names[n++] = w;
		found = c;
	}
	*nmatch = n;
	return n == 1 ? found : NULL;
}

/* The row for "group" alone (scavenger, status), if there is one. */
static const struct cmd *
cmds_bare(const char *group)
{
	size_t i;

	for (i = 0; i < NCMDS; i++)
		if (strcmp(cmds[i].cm_group, group) == 0 &&
		    cmds[i].cm_name == NULL)
			return &cmds[i];
	return NULL;
}

/* The second words of group, for messages. */
static void
cmds_subs(const char *group, char *buf, size_t len)
{
	const char *names[NCMDS];
	size_t i, n = 0;

	for (i = 0; i < NCMDS; i++)
		if (strcmp(cmds[i].cm_group, group) == 0 &&
		    cmds[i].cm_name != NULL)
			names[n++] = cmds[i].cm_name;
	cmds_choices(buf, len, names, n);
}

enum cmds_find
cmds_find(int argc, char **argv, bool shell, const struct cmd **cp,
    int *usedp, char *err, size_t errlen)
{
	const char *names[NCMDS];
	const struct cmd *c, *bare, *sub;
	char list[512];
	size_t n;

	*cp = NULL;
	*usedp = 0;
	if (argc < 1 || argv[0][0] == '\0') {
		snprintf(err, errlen, "no command given");
		return CMDS_UNKNOWN;
	}
	if ((c = cmds_match(NULL, argv[0], shell, names, &n)) == NULL) {
		if (n == 0) {
			snprintf(err, errlen, "unknown command \"%s\"; "
			    "\"help\" lists them", argv[0]);
			return CMDS_UNKNOWN;
		}
		cmds_choices(list, sizeof(list), names, n);
		snprintf(err, errlen, "\"%s\" is ambiguous: it could be %s",
		    argv[0], list);
		return CMDS_AMBIGUOUS;
	}
	bare = cmds_bare(c->cm_group);
	cmds_subs(c->cm_group, list, sizeof(list));
	if (list[0] == '\0') {
		/* A one-word command. */
		*cp = bare;
		*usedp = 1;
		return CMDS_FOUND;
	}
	if (argc < 2 || argv[1][0] == '-') {
		/* "scavenger" alone is a command; "session" alone is not. */
		if (bare != NULL) {
			*cp = bare;
			*usedp = 1;
			return CMDS_FOUND;
		}
		snprintf(err, errlen, "%s: missing subcommand: %s",
		    c->cm_group, list);
		return CMDS_INCOMPLETE;
	}
	if ((sub = cmds_match(c->cm_group, argv[1], shell, names, &n)) ==
	    NULL) {
		if (n == 0) {
			snprintf(err, errlen, "%s: unknown subcommand \"%s\"; "
			    "it takes %s", c->cm_group, argv[1], list);
			return CMDS_UNKNOWN;
		}
		cmds_choices(list, sizeof(list), names, n);
		snprintf(err, errlen, "%s: \"%s\" is ambiguous: it could be "
		    "%s", c->cm_group, argv[1], list);
		return CMDS_AMBIGUOUS;
	}
	*cp = sub;
	*usedp = 2;
	return CMDS_FOUND;
}

int
cmds_opt_index(const struct cmd *c, const char *name)
{
	int i;

	for (i = 0; c->cm_opts[i].co_name != NULL; i++)
		if (strcmp(c->cm_opts[i].co_name, name) == 0)
			return i;
	return -1;
}

bool
cmds_flag(const struct cmd_args *a, const char *name)
{
	int i = cmds_opt_index(a->ca_cmd, name);

	return i >= 0 && a->ca_set[i];
}

const char *
cmds_value(const struct cmd_args *a, const char *name)
{
	int i = cmds_opt_index(a->ca_cmd, name);

	return i >= 0 && a->ca_set[i] ? a->ca_val[i] : NULL;
}

bool
cmds_is_id(const char *s)
{
	size_t n = strspn(s, "0123456789");

	return n >= 1 && n <= 20 && s[n] == '\0';
}

/*
 * Finds a long option of c (own first, then the output options) by
 * exact name or unique prefix.  *outp tells which list it came from.
 */
static const struct cmd_opt *
cmds_long(const struct cmd *c, const char *name, size_t len, bool *outp,
    char *err, size_t errlen)
{
	const struct cmd_opt *lists[2] = { c->cm_opts, opts_out }, *found =
	    NULL, *o;
	const char *names[2 * CMD_MAXOPTS];
	char list[256];
	size_t n = 0;
	int l;

	for (l = 0; l < 2; l++)
		for (o = lists[l]; o->co_name != NULL; o++)
			if (strlen(o->co_name) == len &&
			    strncmp(o->co_name, name, len) == 0) {
				*outp = l == 1;
				return o;
			}
	for (l = 0; l < 2; l++)
		for (o = lists[l]; o->co_name != NULL; o++)
			if (strncmp(o->co_name, name, len) == 0 &&
			    n < 2 * CMD_MAXOPTS) {
				names[n++] = o->co_name;
				found = o;
				*outp = l == 1;
			}
	if (n == 1)
		return found;
	if (n == 0)
		snprintf(err, errlen, "unknown option --%.*s", (int)len, name);
	else {
		cmds_choices(list, sizeof(list), names, n);
		snprintf(err, errlen, "option --%.*s is ambiguous: it could "
		    "be %s", (int)len, name, list);
	}
	return NULL;
}

static const struct cmd_opt *
cmds_short(const struct cmd *c, char ch, bool *outp)
{
	const struct cmd_opt *o;

	for (o = c->cm_opts; o->co_name != NULL; o++)
		if (o->co_short == ch) {
			*outp = false;
			return o;
		}
	for (o = opts_out; o->co_name != NULL; o++)
		if (o->co_short == ch) {
			*outp = true;
			return o;
		}
	return NULL;
}

/* Appends a co_multi value, split at commas, to a->ca_list. */
static int
cmds_add_list(struct cmd_args *a, const char *val, const char *opt,
    char *err, size_t errlen)
{
	size_t used = 0, i, add = strlen(val) + 1;
	char *nb, *p, *tok, *save;

	for (i = 0; i < (size_t)a->ca_nlist; i++)
		used += strlen(a->ca_list[i]) + 1;
	/* Rebuild: the buffer moves when it grows. */
	if ((nb = malloc(used + add)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	p = nb;
	for (i = 0; i < (size_t)a->ca_nlist; i++) {
		size_t l = strlen(a->ca_list[i]) + 1;

		memcpy(p, a->ca_list[i], l);
		a->ca_list[i] = p;
		p += l;
	}
	memcpy(p, val, add);
	free(a->ca_listbuf);
	a->ca_listbuf = nb;
	for (tok = strtok_r(p, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		if (a->ca_nlist >= CMD_MAXLIST) {
			snprintf(err, errlen, "--%s: at most %d values", opt,
			    CMD_MAXLIST);
			return -1;
		}
		a->ca_list[a->ca_nlist++] = tok;
	}
	return 0;
}

static int
cmds_apply(struct cmd_args *a, const struct cmd_opt *o, bool out,
    const char *val, char *err, size_t errlen)
{
	int i;

	if (out) {
		switch (o->co_short) {
		case 'j':
			a->ca_out.oo_json = true;
			break;
		case 'H':
			a->ca_out.oo_noheader = true;
			break;
		case 'o':
			a->ca_out.oo_fields = val;
			break;
		case 'p':
			a->ca_out.oo_parsable = true;
			break;
		default:
			a->ca_help = true;
			break;
		}
		return 0;
	}
	i = (int)(o - a->ca_cmd->cm_opts);
	a->ca_set[i] = true;
	a->ca_val[i] = val;
	if (o->co_multi && val != NULL)
		return cmds_add_list(a, val, o->co_name, err, errlen);
	return 0;
}

/* Does an optional argument follow: "--watch 5" but not "--watch ID"? */
static bool
cmds_optarg_next(const char *s)
{
	return s != NULL && isdigit((unsigned char)s[0]) &&
	    strspn(s, "0123456789.") == strlen(s);
}

int
cmds_parse(const struct cmd *c, int argc, char **argv, struct cmd_args *a,
    char *err, size_t errlen)
{
	const struct cmd_opt *o;
	char name[64];
	const char *arg, *eq;
	bool out, dashdash = false;
	size_t len;
	int i, k;

	memset(a, 0, sizeof(*a));
	a->ca_cmd = c;
	if ((a->ca_argv = calloc((size_t)argc + 1, sizeof(char *))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (i = 0; i < argc; i++) {
		arg = argv[i];
		if (dashdash || arg[0] != '-' || arg[1] == '\0') {
			a->ca_argv[a->ca_argc++] = argv[i];
			continue;
		}
		if (strcmp(arg, "--") == 0) {
			dashdash = true;
			continue;
		}
		if (arg[1] == '-') {
			arg += 2;
			eq = strchr(arg, '=');
			len = eq != NULL ? (size_t)(eq - arg) : strlen(arg);
			if ((o = cmds_long(c, arg, len, &out, err, errlen)) ==
			    NULL)
				return -1;
			if (o->co_kind == OPT_FLAG && eq != NULL) {
				snprintf(err, errlen, "--%s takes no value",
				    o->co_name);
				return -1;
			}
			if (eq != NULL)
				arg = eq + 1;
			else if (o->co_kind == OPT_ARG) {
				if (i + 1 >= argc) {
					snprintf(err, errlen, "--%s needs %s",
					    o->co_name, o->co_arg);
					return -1;
				}
				arg = argv[++i];
			} else if (o->co_kind == OPT_OPTARG &&
			    cmds_optarg_next(i + 1 < argc ? argv[i + 1] :
			    NULL))
				arg = argv[++i];
			else
				arg = NULL;
			if (cmds_apply(a, o, out, arg, err, errlen) == -1)
				return -1;
			continue;
		}
		/* -abc: flags clustered; an argument ends the cluster. */
		for (k = 1; arg[k] != '\0'; k++) {
			if ((o = cmds_short(c, arg[k], &out)) == NULL) {
				snprintf(err, errlen, "unknown option -%c",
				    arg[k]);
				return -1;
			}
			snprintf(name, sizeof(name), "%s", o->co_name);
			if (o->co_kind == OPT_FLAG) {
				if (cmds_apply(a, o, out, NULL, err,
				    errlen) == -1)
					return -1;
				continue;
			}
			if (arg[k + 1] != '\0')
				eq = arg + k + 1;
			else if (o->co_kind == OPT_ARG) {
				if (i + 1 >= argc) {
					snprintf(err, errlen, "-%c (--%s) "
					    "needs %s", arg[k], name,
					    o->co_arg);
					return -1;
				}
				eq = argv[++i];
			} else if (cmds_optarg_next(i + 1 < argc ?
			    argv[i + 1] : NULL))
				eq = argv[++i];
			else
				eq = NULL;
			if (cmds_apply(a, o, out, eq, err, errlen) == -1)
				return -1;
			break;
		}
	}
	if (a->ca_help)
		return 0;
	if (a->ca_argc < c->cm_min) {
		snprintf(err, errlen, "missing argument: %s", c->cm_args);
		return -1;
	}
	if (c->cm_max >= 0 && a->ca_argc > c->cm_max) {
		snprintf(err, errlen, "too many arguments: \"%s\"",
		    a->ca_argv[c->cm_max]);
		return -1;
	}
	return 0;
}

void
cmds_args_free(struct cmd_args *a)
{
	free(a->ca_argv);
	free(a->ca_listbuf);
	memset(a, 0, sizeof(*a));
}

void
cmds_usage(FILE *f, const struct cmd *c)
{
	const struct cmd_opt *o;
	char name[64];

	fprintf(f, "usage: %s%s", c->cm_flags & CMD_SHELL_ONLY ? "" :
	    "smbctl ", cmds_fullname(c, name, sizeof(name)));
	for (o = c->cm_opts; o->co_name != NULL; o++)
		fprintf(f, " [--%s%s%s%s]", o->co_name,
		    o->co_kind == OPT_OPTARG ? " [" : o->co_arg ? " " : "",
		    o->co_arg ? o->co_arg : "",
		    o->co_kind == OPT_OPTARG ? "]" : "");
	fprintf(f, "%s%s\n", c->cm_args[0] ? " " : "", c->cm_args);
}

void
cmds_help(FILE *f, const struct cmd *c)
{
	const struct cmd_opt *o;
	char head[64];

	cmds_usage(f, c);
	fprintf(f, "\n%s\n", c->cm_summary);
	if (c->cm_opts[0].co_name != NULL)
		fprintf(f, "\noptions:\n");
	for (o = c->cm_opts; o->co_name != NULL; o++) {
		if (o->co_short != 0)
			snprintf(head, sizeof(head), "-%c, --%s%s%s",
			    o->co_short, o->co_name, o->co_arg ? " " : "",
			    o->co_arg ? o->co_arg : "");
		else
			snprintf(head, sizeof(head), "    --%s%s%s", o->co_name,
			    o->co_arg ? " " : "", o->co_arg ? o->co_arg : "");
		fprintf(f, "  %-24s %s\n", head, o->co_help);
	}
	fprintf(f, "\noutput: -j (JSON), -H (no header), -o FIELD,... "
	    "(columns), -p (raw values, tabs)\n");
}

void
cmds_list(FILE *f, bool shell)
{
	char head[64], name[40];
	size_t i;

	for (i = 0; i < NCMDS; i++) {
		if (!cmds_visible(&cmds[i], shell))
			continue;
		snprintf(head, sizeof(head), "%s%s%s",
		    cmds_fullname(&cmds[i], name, sizeof(name)),
		    cmds[i].cm_args[0] ? " " : "", cmds[i].cm_args);
		fprintf(f, "  %-29s %s\n", head, cmds[i].cm_summary);
	}
}

int
cmds_run(struct smbctl *sc, int argc, char **argv)
{
	const struct cmd *c;
	struct cmd_args a;
	struct out_opts saved;
	char err[512], name[64];
	int used, rv;

	if (cmds_find(argc, argv, sc->sc_shell, &c, &used, err,
	    sizeof(err)) != CMDS_FOUND) {
		fprintf(stderr, "%s: %s\n", smbctl_prog(), err);
		return SMBCTL_USAGE;
	}
	if (cmds_parse(c, argc - used, argv + used, &a, err,
	    sizeof(err)) == -1) {
		fprintf(stderr, "%s: %s: %s\n", smbctl_prog(),
		    cmds_fullname(c, name, sizeof(name)), err);
		cmds_usage(stderr, c);
		cmds_args_free(&a);
		return SMBCTL_USAGE;
	}
	if (a.ca_help) {
		cmds_help(stdout, c);
		cmds_args_free(&a);
		return smbctl_flush();
	}
	/* Output options given with the command hold for it alone. */
	saved = sc->sc_out;
	a.ca_out.oo_json |= saved.oo_json;
	a.ca_out.oo_noheader |= saved.oo_noheader;
	a.ca_out.oo_parsable |= saved.oo_parsable;
	if (a.ca_out.oo_fields == NULL)
		a.ca_out.oo_fields = saved.oo_fields;
	rv = c->cm_fn(sc, &a);
	cmds_args_free(&a);
	if (rv == SMBCTL_OK)
		rv = smbctl_flush();
	else
		fflush(stdout);
	return rv;
}

int
cmds_split(const char *line, char ***wordsp, char *err, size_t errlen)
{
	size_t len = strlen(line), nmax = len / 2 + 2, n = 0;
	char **words, *out, quote;
	const char *p = line;

	*wordsp = NULL;
	/* One block: the pointers, then the words (never longer). */
	if ((words = malloc(nmax * sizeof(char *) + len + nmax)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	out = (char *)(words + nmax);
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		if (*p == '\0')
			break;
		words[n++] = out;
		quote = 0;
		for (; *p != '\0'; p++) {
			if (quote == 0 && (*p == ' ' || *p == '\t' ||
			    *p == '\n' || *p == '\r'))
				break;
			if (quote == 0 && (*p == '\'' || *p == '"'))
				quote = *p;
			else if (quote != 0 && *p == quote)
				quote = 0;
			else if (*p == '\\' && quote != '\'' &&
			    p[1] != '\0')
				*out++ = *++p;
			else
				*out++ = *p;
		}
		if (quote != 0) {
			snprintf(err, errlen, "unterminated %c quote", quote);
			free(words);
			return -1;
		}
		*out++ = '\0';
	}
	words[n] = NULL;
	*wordsp = words;
	return (int)n;
}

static int
cmd_help(struct smbctl *sc, const struct cmd_args *a)
{
	const struct cmd *c;
	char err[512];
	int used;

	if (a->ca_argc == 0) {
		if (sc->sc_shell) {
			printf("commands (any unique prefix will do; "
			    "\"help COMMAND\" explains one):\n");
			cmds_list(stdout, true);
		} else
			smbctl_usage(stdout);
		return SMBCTL_OK;
	}
	if (cmds_find(a->ca_argc, a->ca_argv, sc->sc_shell, &c, &used, err,
	    sizeof(err)) == CMDS_FOUND) {
		cmds_help(stdout, c);
		return SMBCTL_OK;
	}
	fprintf(stderr, "%s: help: %s\n", smbctl_prog(), err);
	return SMBCTL_USAGE;
}

static int
cmd_quit(struct smbctl *sc, const struct cmd_args *a)
{
	(void)a;
	sc->sc_quit = true;
	return SMBCTL_OK;
}
