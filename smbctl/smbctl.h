/*
 * smbctl.h — the admin CLI: its state, the command table, output.
 *
 * smbctl reaches smbsrvd only through the REST API (rpc/client.h).  One
 * table of commands (cmds.c) drives argument mode, the readline shell
 * (shell.c), completion, help and the order of smbctl(8).  A command is
 * one or two words ("status", "session close"); each word may be given
 * as any unique prefix.  cmds_parse() turns the words after the command
 * into a struct cmd_args by the row's option list; a handler gets that,
 * prints results on stdout and errors on stderr, and returns an exit
 * status, so the shell can run one line at a time on the connection
 * kept in struct smbctl.
 *
 * Files: main.c (argv, global options), smbctl.c (requests, messages),
 * cmds.c (table, matching, parsing, help), cmds_state.c (status,
 * sessions, trees, opens, connections), cmds_admin.c (shares, users),
 * cmds_watch.c (stats, scavenger, events), output.c (tables, JSON),
 * sse.c (server-sent events framing), shell.c (readline, history,
 * completion).
 */
#ifndef SMBCTL_SMBCTL_H
#define SMBCTL_SMBCTL_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <json-c/json.h>

#include "client.h"

/* Exit statuses (smbctl(8), EXIT STATUS). */
#define SMBCTL_OK	0
#define SMBCTL_ERR	1
#define SMBCTL_USAGE	2

#define SMBCTL_SOCKET_LOCAL	"var/smbsrvd.sock"	/* "make run" */
#define SMBCTL_SOCKET_SYSTEM	"/var/lib/smbsrvd/smbsrvd.sock"

/* What an operand or an option's argument completes to in the shell. */
enum cmd_comp {
	COMP_NONE,
	COMP_COMMAND,		/* a command name (help) */
	COMP_SESSION,		/* live ids from the API */
	COMP_TREE,
	COMP_OPEN,
	COMP_CONN,
	COMP_SHARE,		/* names from the API */
	COMP_USER,
	COMP_SHARE_KEY,		/* share set KEY=VALUE */
	COMP_EVENT_TYPE
};

enum cmd_optkind {
	OPT_FLAG,		/* --dry-run */
	OPT_ARG,		/* --session ID */
	OPT_OPTARG		/* --watch [SECONDS]: takes a number if next */
};

struct cmd_opt {
	const char	*co_name;	/* long name, without "--" */
	char		 co_short;	/* or 0 */
	enum cmd_optkind co_kind;
	const char	*co_arg;	/* the argument's name, "ID" */
	const char	*co_help;
	enum cmd_comp	 co_comp;
	bool		 co_multi;	/* repeatable, comma lists split */
};

#define CMD_MAXOPTS	8
#define CMD_MAXLIST	16
#define CMD_SHELL_ONLY	0x01	/* quit: meaningless in argument mode */

struct cmd_args;
struct out_col;
struct smbctl;

struct cmd {
	const char	*cm_group;	/* first word */
	const char	*cm_name;	/* second word, or NULL */
	const char	*cm_args;	/* operand synopsis, "" if none */
	const char	*cm_summary;	/* one line, lower case, no period */
	int		(*cm_fn)(struct smbctl *, const struct cmd_args *);
	int		 cm_min;	/* operands after the options */
	int		 cm_max;	/* -1: no limit */
	enum cmd_comp	 cm_comp;	/* what the operands are */
	const struct cmd_opt *cm_opts;	/* ends with a NULL co_name */
	unsigned int	 cm_flags;
};

/* The output options every command takes. */
struct out_opts {
	bool		 oo_json;	/* -j: the API's JSON */
	bool		 oo_noheader;	/* -H */
	bool		 oo_parsable;	/* -p: raw values, tabs between */
	const char	*oo_fields;	/* -o a,b,c or NULL */
};

struct cmd_args {
	const struct cmd *ca_cmd;
	int		 ca_argc;	/* operands */
	char		**ca_argv;
	bool		 ca_set[CMD_MAXOPTS];	/* by index in cm_opts */
	const char	*ca_val[CMD_MAXOPTS];	/* argument, or NULL */
	const char	*ca_list[CMD_MAXLIST];	/* values of a co_multi */
	int		 ca_nlist;
	char		*ca_listbuf;		/* owns ca_list's text */
	struct out_opts	 ca_out;
	bool		 ca_help;		/* -h: help, run nothing */
};

struct smbctl {
	struct client_target	 sc_target;
	struct client		 sc_client;
	bool			 sc_connected;	/* sc_client is set up */
	struct out_opts		 sc_out;	/* global -j -H -o */
	bool			 sc_shell;	/* running lines in the shell */
	bool			 sc_quit;	/* the shell's quit was run */
	bool			 sc_color;	/* a terminal, no NO_COLOR */
	bool			 sc_quiet;	/* completion: no messages */
};

/* Set by SIGINT; watch loops and streams stop, the shell drops a line. */
extern volatile sig_atomic_t smbctl_interrupted;

/* cmds.c */
const struct cmd *cmds_table(size_t *);

enum cmds_find {
	CMDS_FOUND,
	CMDS_UNKNOWN,		/* no such command or subcommand */
	CMDS_AMBIGUOUS,		/* a prefix of several */
	CMDS_INCOMPLETE		/* a group without its subcommand */
};
/*
 * Finds the command the first one or two words of argv name, by exact
 * name or unique prefix.  *usedp gets how many words named it.  On
 * anything but CMDS_FOUND, err says what went wrong and lists the
 * choices.  In argument mode, shell-only rows are not found.
 */
enum cmds_find	 cmds_find(int argc, char **argv, bool shell,
		    const struct cmd **, int *usedp, char *err, size_t errlen);
/*
 * Parses the words after the command: the row's options, the output
 * options (-j -H -o -h), "--", and the operands, which are counted
 * against cm_min and cm_max.  Options and operands may mix.  Returns 0,
 * or -1 with err set (a usage error).  args_free() after either.
 */
int		 cmds_parse(const struct cmd *, int argc, char **argv,
		    struct cmd_args *, char *err, size_t errlen);
void		 cmds_args_free(struct cmd_args *);
/* Index of the option called name in c->cm_opts, or -1. */
int		 cmds_opt_index(const struct cmd *, const char *name);
bool		 cmds_flag(const struct cmd_args *, const char *name);
const char	*cmds_value(const struct cmd_args *, const char *name);
/* Runs one command line already split into words; an exit status. */
int		 cmds_run(struct smbctl *, int argc, char **argv);
void		 cmds_list(FILE *, bool shell);
void		 cmds_usage(FILE *, const struct cmd *);
void		 cmds_help(FILE *, const struct cmd *);
/* "session close" for messages. */
const char	*cmds_fullname(const struct cmd *, char *, size_t);
/*
 * Splits a shell line into words: blanks separate, '...' and "..."
 * quote, backslash escapes.  Returns the count (0 for an empty line),
 * or -1 with err set for an unterminated quote.  *wordsp and the words
 * are one allocation: free(*wordsp).
 */
int		 cmds_split(const char *line, char ***wordsp, char *err,
		    size_t errlen);
/* Is s a global id as the API gives them out (1 to 20 digits)? */
bool		 cmds_is_id(const char *);

/* cmds_state.c, cmds_admin.c, cmds_watch.c: the handlers. */
int	cmd_status(struct smbctl *, const struct cmd_args *);
int	cmd_session_list(struct smbctl *, const struct cmd_args *);
int	cmd_session_show(struct smbctl *, const struct cmd_args *);
int	cmd_session_close(struct smbctl *, const struct cmd_args *);
int	cmd_tree_list(struct smbctl *, const struct cmd_args *);
int	cmd_tree_show(struct smbctl *, const struct cmd_args *);
int	cmd_tree_close(struct smbctl *, const struct cmd_args *);
int	cmd_open_list(struct smbctl *, const struct cmd_args *);
int	cmd_open_show(struct smbctl *, const struct cmd_args *);
int	cmd_open_close(struct smbctl *, const struct cmd_args *);
int	cmd_open_who(struct smbctl *, const struct cmd_args *);
int	cmd_conn_list(struct smbctl *, const struct cmd_args *);
int	cmd_conn_show(struct smbctl *, const struct cmd_args *);
int	cmd_conn_drop(struct smbctl *, const struct cmd_args *);
int	cmd_server(struct smbctl *, const struct cmd_args *);
int	cmd_share_list(struct smbctl *, const struct cmd_args *);
int	cmd_share_show(struct smbctl *, const struct cmd_args *);
int	cmd_share_add(struct smbctl *, const struct cmd_args *);
int	cmd_share_set(struct smbctl *, const struct cmd_args *);
int	cmd_share_remove(struct smbctl *, const struct cmd_args *);
int	cmd_user_list(struct smbctl *, const struct cmd_args *);
int	cmd_user_add(struct smbctl *, const struct cmd_args *);
int	cmd_user_passwd(struct smbctl *, const struct cmd_args *);
int	cmd_user_enable(struct smbctl *, const struct cmd_args *);
int	cmd_user_disable(struct smbctl *, const struct cmd_args *);
int	cmd_user_remove(struct smbctl *, const struct cmd_args *);
int	cmd_stats(struct smbctl *, const struct cmd_args *);
int	cmd_scavenger(struct smbctl *, const struct cmd_args *);
int	cmd_scavenger_expire(struct smbctl *, const struct cmd_args *);
int	cmd_scavenger_extend(struct smbctl *, const struct cmd_args *);
int	cmd_events(struct smbctl *, const struct cmd_args *);
int	cmd_shell(struct smbctl *, const struct cmd_args *);

/* The share keys "share set" knows, and their JSON types. */
enum share_keytype { SKEY_STRING, SKEY_BOOL, SKEY_UINT, SKEY_UINT_OR_NULL };
struct share_key {
	const char		*sk_name;	/* the API's member */
	enum share_keytype	 sk_type;
};
extern const struct share_key share_keys[];
/*
 * Builds the PATCH body of "share set" from KEY=VALUE words; NULL with
 * err set on a malformed word or value.  Keys may use '-' for '_'.
 */
struct json_object *share_set_body(int argc, char **argv, char *err,
		    size_t errlen);

/* smbctl.c: requests.  what names the object for messages. */
struct smbctl_reply {
	long		 sr_status;	/* HTTP status, 0 if none */
	struct json_object *sr_obj;	/* parsed body, or NULL */
	char		*sr_raw;	/* body text, or NULL */
};
/*
 * method path [body]: on a 2xx answer with a JSON body returns 0 with
 * the reply filled; else prints why on stderr ("smbctl: what: reason")
 * and returns -1, leaving sr_status set if the server answered (so a
 * caller can tell a 404).  quiet404 keeps a 404 off stderr.
 */
int		 smbctl_call(struct smbctl *, const char *method,
		    const char *path, struct json_object *body,
		    const char *what, bool quiet404, struct smbctl_reply *);
void		 smbctl_reply_free(struct smbctl_reply *);
/* GET a collection, following next_cursor; items appended to *items. */
int		 smbctl_get_all(struct smbctl *, const char *path,
		    const char *what, struct json_object **items);
int		 smbctl_connect(struct smbctl *);
/*
 * The shapes most commands have.  list: GET a whole collection, keep
 * the items keep() accepts (NULL: all), print a table or the JSON page.
 * show: GET one record and print it.  action: method path with
 * ?dry_run=true on --dry-run, print the impact or the JSON.  Each
 * returns an exit status.
 */
int		 smbctl_list(struct smbctl *, const struct cmd_args *,
		    const char *path, const char *what,
		    const struct out_col *, size_t ncols,
		    bool (*keep)(struct json_object *, const void *),
		    const void *keeparg);
int		 smbctl_show(struct smbctl *, const struct cmd_args *,
		    const char *path, const char *what);
int		 smbctl_action(struct smbctl *, const struct cmd_args *,
		    const char *method, const char *path, const char *query,
		    struct json_object *body, const char *what);
/* SMBCTL_OK if s is an id, else says so and gives SMBCTL_USAGE. */
int		 smbctl_check_id(const struct cmd_args *, const char *s);
/* Percent-encodes s for a URL path or query; NULL if out of memory. */
char		*smbctl_escape(const char *);
/* stdout flushed; 0 or SMBCTL_ERR after saying why. */
int		 smbctl_flush(void);
void		 smbctl_usage(FILE *);
const char	*smbctl_prog(void);

/* output.c */
enum out_fmt {
	FMT_STR, FMT_INT, FMT_DURATION, FMT_SIZE, FMT_BOOL, FMT_TIME,
	FMT_PATH, FMT_NAMES, FMT_REMAINING
};
struct out_col {
	const char	*oc_name;	/* header and -o name */
	const char	*oc_key;	/* member, "a.b" for nested */
	enum out_fmt	 oc_fmt;
};
/* The JSON member at "a.b" in o, or NULL. */
struct json_object *out_member(struct json_object *, const char *path);
const char	*out_string(struct json_object *, const char *path);
bool		 out_uint(struct json_object *, const char *path,
		    uint64_t *);
/* Formats one value the way tables show it. */
void		 out_format(char *, size_t, struct json_object *,
		    enum out_fmt);
void		 out_duration(char *, size_t, uint64_t ms);
void		 out_size(char *, size_t, uint64_t bytes);
/*
 * Prints items (an array of objects) as an aligned table of cols, with
 * -H and -o from oo.  0, or SMBCTL_USAGE for an unknown -o field.
 */
int		 out_table(const struct smbctl *, const struct out_opts *,
		    const struct out_col *, size_t ncols,
		    struct json_object *items);
/* "label: value" lines for one record; nested objects indented. */
void		 out_record(FILE *, struct json_object *, int indent);
/* The JSON as the API sent it (pretty on a terminal). */
void		 out_json(struct json_object *);
/* The impact of an action: "would close 1 session, 2 opens: ..." */
void		 out_impact(struct json_object *, const char *what);

/* sse.c: server-sent events framing. */
#define SSE_LINE_MAX	(256 * 1024)
struct sse {
	int		(*ss_fn)(const char *data, size_t len, void *arg);
	void		*ss_arg;
	char		*ss_line;	/* the line being read */
	size_t		 ss_len;
	bool		 ss_toolong;	/* dropping the rest of a line */
	char		*ss_data;	/* the event's data lines, joined */
	size_t		 ss_dlen;
	bool		 ss_have;	/* a data: line came */
	bool		 ss_bad;	/* a part was dropped: skip the event */
};
void		 sse_init(struct sse *,
		    int (*fn)(const char *, size_t, void *), void *);
/*
 * Feeds bytes; fn gets each complete event's data (NUL-terminated).
 * -1 when fn returned -1 (stop) or memory ran out.
 */
int		 sse_feed(struct sse *, const char *, size_t);
void		 sse_free(struct sse *);

/* shell.c */
int		 shell_run(struct smbctl *);

#endif
