/*
 * shell.c — smbctl's interactive shell: readline with history and
 * completion, or plain line input when standard input is no terminal.
 *
 * On a terminal, readline's callback interface runs under our own poll
 * loop so that Ctrl-C (SIGINT, which only sets smbctl_interrupted)
 * drops the line being edited and gives a fresh prompt, and stops a
 * command that is running without leaving the shell; Ctrl-D on an empty
 * line leaves.  History lives in $XDG_STATE_HOME/smbctl/history when
 * XDG_STATE_HOME is set, else in ~/.smbctl_history.
 *
 * Completion follows the command table: command words, then the row's
 * options, then what its operands are — live ids, share and user names
 * fetched from the API when Tab is pressed (quietly: a failure just
 * offers nothing).
 */
#include <sys/stat.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <readline/readline.h>
#include <readline/history.h>

#include "smbctl.h"

#define HISTORY_MAX	1000
#define PROMPT		"smbctl> "

static struct smbctl	*shell_sc;
static bool		 shell_done;
static int		 shell_status;

/* Completion candidates for the word being completed. */
static char		**cand;
static size_t		 ncand, candcap;

static void
cand_reset(void)
{
	size_t i;

	for (i = 0; i < ncand; i++)
		free(cand[i]);
	ncand = 0;
}

static void
cand_add(const char *s)
{
	char **nc;
	size_t i;

	for (i = 0; i < ncand; i++)
		if (strcmp(cand[i], s) == 0)
			return;
	if (ncand == candcap) {
		if ((nc = reallocarray(cand, candcap ? candcap * 2 : 32,
		    sizeof(char *))) == NULL)
			return;
		cand = nc;
		candcap = candcap ? candcap * 2 : 32;
	}
	if ((cand[ncand] = strdup(s)) != NULL)
		ncand++;
}

static char *
cand_next(const char *text, int state)
{
	static size_t i;
	size_t len = strlen(text);

	if (state == 0)
		i = 0;
	while (i < ncand) {
		const char *c = cand[i++];

		if (strncmp(c, text, len) == 0)
			return strdup(c);
	}
	return NULL;
}

/* Adds member key of every item of a collection. */
static void
cand_api(const char *path, const char *key)
{
	struct json_object *items = NULL;
	const char *s;
	size_t i, n;

	shell_sc->sc_quiet = true;
	if (smbctl_get_all(shell_sc, path, path, &items) == 0) {
		n = json_object_array_length(items);
		for (i = 0; i < n; i++)
			if ((s = out_string(json_object_array_get_idx(items,
			    i), key)) != NULL)
				cand_add(s);
	}
	shell_sc->sc_quiet = false;
	json_object_put(items);
}

static const char *const event_types[] = {
	"session.registered", "session.deregistered", "tree.registered",
	"tree.deregistered", "open.registered", "open.closed", "open.expired",
	"admin.session.closed", "admin.tree.closed", "admin.open.closed",
	"admin.connection.dropped", "admin.share.added",
	"admin.share.changed", "admin.share.removed", "admin.user.added",
	"admin.user.changed", "admin.user.removed", "admin.open.extended",
	"server.reloaded", "session.*", "tree.*", "open.*", "admin.*",
};

static void
cand_comp(enum cmd_comp comp, const char *group)
{
	const struct cmd *t;
	const struct share_key *k;
	char buf[64];
	size_t i, n;

	switch (comp) {
	case COMP_COMMAND:
		t = cmds_table(&n);
		for (i = 0; i < n; i++) {
			if (group == NULL)
				cand_add(t[i].cm_group);
			else if (strcmp(t[i].cm_group, group) == 0 &&
			    t[i].cm_name != NULL)
				cand_add(t[i].cm_name);
		}
		break;
	case COMP_SESSION:
		cand_api("/api/v1/sessions", "id");
		break;
	case COMP_TREE:
		cand_api("/api/v1/trees", "id");
		break;
	case COMP_OPEN:
		cand_api("/api/v1/opens", "id");
		break;
	case COMP_CONN:
		cand_api("/api/v1/connections", "id");
		break;
	case COMP_SHARE:
		cand_api("/api/v1/shares", "name");
		break;
	case COMP_USER:
		cand_api("/api/v1/users", "name");
		break;
	case COMP_SHARE_KEY:
		for (k = share_keys; k->sk_name != NULL; k++) {
			snprintf(buf, sizeof(buf), "%s=", k->sk_name);
			cand_add(buf);
		}
		rl_completion_append_character = '\0';
		break;
	case COMP_EVENT_TYPE:
		for (i = 0; i < sizeof(event_types) / sizeof(event_types[0]);
		    i++)
			cand_add(event_types[i]);
		break;
	default:
		break;
	}
}

/* The option of c that word names (--name, --name=, -x), or NULL. */
static const struct cmd_opt *
word_opt(const struct cmd *c, const char *w)
{
	const struct cmd_opt *o;

	for (o = c->cm_opts; o->co_name != NULL; o++) {
		if (w[0] == '-' && w[1] == '-' &&
		    strcmp(w + 2, o->co_name) == 0)
			return o;
		if (w[0] == '-' && w[1] != '-' && w[1] == o->co_short &&
		    w[2] == '\0')
			return o;
	}
	return NULL;
}

static void
complete_words(int nw, char **w, const char *text)
{
	const struct cmd *c, *t;
	const struct cmd_opt *o;
	char err[256];
	size_t i, n;
	int used, k, nops = 0;
	enum cmds_find f;

	if (nw == 0) {
		t = cmds_table(&n);
		for (i = 0; i < n; i++)
			cand_add(t[i].cm_group);
		return;
	}
	f = cmds_find(nw, w, true, &c, &used, err, sizeof(err));
	if (nw == 1 && text[0] != '-' && (f == CMDS_INCOMPLETE ||
	    (f == CMDS_FOUND && c->cm_name == NULL))) {
		/* The second word: a subcommand, if the group has any. */
		t = cmds_table(&n);
		for (i = 0; i < n; i++)
			if (t[i].cm_name != NULL && strncmp(t[i].cm_group,
			    w[0], strlen(w[0])) == 0)
				cand_add(t[i].cm_name);
		if (ncand > 0 || f != CMDS_FOUND)
			return;
	}
	if (f != CMDS_FOUND)
		return;
	if (text[0] == '-') {
		for (o = c->cm_opts; o->co_name != NULL; o++) {
			snprintf(err, sizeof(err), "--%s", o->co_name);
			cand_add(err);
		}
		cand_add("--json");
		cand_add("--no-header");
		cand_add("--output");
		cand_add("--help");
		return;
	}
	/* After an option that takes an argument: complete that. */
	if ((o = word_opt(c, w[nw - 1])) != NULL && o->co_kind == OPT_ARG) {
		cand_comp(o->co_comp, NULL);
		return;
	}
	for (k = used; k < nw; k++) {
		if (w[k][0] == '-') {
			if ((o = word_opt(c, w[k])) != NULL &&
			    o->co_kind == OPT_ARG)
				k++;
			continue;
		}
		nops++;
	}
	if (c->cm_max >= 0 && nops >= c->cm_max)
		return;
	if (c->cm_comp == COMP_COMMAND)
		cand_comp(COMP_COMMAND, nops == 0 ? NULL : w[used]);
	else if (c->cm_fn == cmd_share_set && nops >= 1)
		cand_comp(COMP_SHARE_KEY, NULL);
	else
		cand_comp(c->cm_comp, NULL);
}

static char **
shell_complete(const char *text, int start, int end)
{
	char **w = NULL, *upto, err[128];
	int nw;

	(void)end;
	rl_attempted_completion_over = 1;	/* never file names */
	rl_completion_append_character = ' ';
	cand_reset();
	if ((upto = strndup(rl_line_buffer, (size_t)start)) == NULL)
		return NULL;
	nw = cmds_split(upto, &w, err, sizeof(err));
	free(upto);
	if (nw < 0)
		return NULL;
	complete_words(nw, w, text);
	free(w);
	return rl_completion_matches(text, cand_next);
}

/* Runs one line; the shell's status is that of the last failure. */
static void
shell_line(const char *line)
{
	char **w, err[128];
	int nw, rv;

	if ((nw = cmds_split(line, &w, err, sizeof(err))) == -1) {
		fprintf(stderr, "%s: %s\n", smbctl_prog(), err);
		shell_status = SMBCTL_USAGE;
		return;
	}
	if (nw == 0 || w[0][0] == '#') {
		free(w);
		return;
	}
	smbctl_interrupted = 0;
	if ((rv = cmds_run(shell_sc, nw, w)) != SMBCTL_OK)
		shell_status = rv;
	smbctl_interrupted = 0;
	free(w);
	if (shell_sc->sc_quit)
		shell_done = true;
}

static void
shell_rl_line(char *line)
{
	HIST_ENTRY *h;
	char *entry;
	size_t len;

	if (line == NULL) {
		/* Ctrl-D on an empty line. */
		putchar('\n');
		shell_done = true;
		rl_callback_handler_remove();
		return;
	}
	len = strlen(line);
	while (len > 0 && (line[len - 1] == ' ' || line[len - 1] == '\t'))
		len--;
	/* Completion leaves a blank behind; history keeps the command. */
	if (len > 0 && (entry = strndup(line, len)) != NULL) {
		h = history_length > 0 ? history_get(history_base +
		    history_length - 1) : NULL;
		if (h == NULL || strcmp(h->line, entry) != 0)
			add_history(entry);
		free(entry);
	}
	shell_line(line);
	free(line);
	fflush(stdout);
	if (shell_done)
		rl_callback_handler_remove();
}

/* The history file's path, its folder made; NULL if there is no home. */
static char *
shell_history_path(void)
{
	const char *xdg = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
	char *dir, *path;

	if (xdg != NULL && xdg[0] == '/') {
		if (asprintf(&dir, "%s/smbctl", xdg) == -1)
			return NULL;
		if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
			free(dir);
			return NULL;
		}
		if (asprintf(&path, "%s/history", dir) == -1)
			path = NULL;
		free(dir);
		return path;
	}
	if (home == NULL || home[0] == '\0')
		return NULL;
	if (asprintf(&path, "%s/.smbctl_history", home) == -1)
		return NULL;
	return path;
}

static int
shell_tty(void)
{
	struct pollfd pfd;
	char *hist;
	mode_t um;

	using_history();
	stifle_history(HISTORY_MAX);
	if ((hist = shell_history_path()) != NULL)
		read_history(hist);	/* none yet is fine */
	rl_readline_name = "smbctl";
	rl_attempted_completion_function = shell_complete;
	rl_basic_word_break_characters = " \t\n";
	rl_completer_quote_characters = "'\"";
	/* Our SIGINT handler, not readline's: see the top of the file. */
	rl_catch_signals = 0;
	rl_callback_handler_install(PROMPT, shell_rl_line);
	pfd.fd = fileno(rl_instream ? rl_instream : stdin);
	pfd.events = POLLIN;
	while (!shell_done) {
		if (smbctl_interrupted) {
			smbctl_interrupted = 0;
			rl_free_line_state();
			rl_callback_sigcleanup();
			rl_replace_line("", 0);
			rl_point = rl_end = rl_mark = 0;
			fputs("^C", rl_outstream ? rl_outstream : stdout);
			rl_crlf();
			rl_on_new_line();
			rl_redisplay();
		}
		if (poll(&pfd, 1, -1) == -1) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "%s: poll: %s\n", smbctl_prog(),
			    strerror(errno));
			shell_status = SMBCTL_ERR;
			break;
		}
		if (pfd.revents & (POLLIN | POLLHUP | POLLERR))
			rl_callback_read_char();
	}
	if (!shell_done)
		rl_callback_handler_remove();
	if (hist != NULL) {
		um = umask(077);
		if (write_history(hist) != 0)
			fprintf(stderr, "%s: history %s: %s\n", smbctl_prog(),
			    hist, strerror(errno));
		else
			history_truncate_file(hist, HISTORY_MAX);
		umask(um);
		free(hist);
	}
	clear_history();
	cand_reset();
	free(cand);
	cand = NULL;
	candcap = 0;
	/* Leaving with Ctrl-D or quit is success; commands said their own. */
	return shell_status == SMBCTL_ERR && !shell_done ? SMBCTL_ERR :
	    SMBCTL_OK;
}

/* Without a terminal: one command a line, no prompt, no history. */
static int
shell_plain(void)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	while (!shell_done && (n = getline(&line, &cap, stdin)) != -1) {
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		shell_line(line);
		fflush(stdout);
	}
	free(line);
	return shell_status;
}

int
shell_run(struct smbctl *sc)
{
	shell_sc = sc;
	shell_done = false;
	shell_status = SMBCTL_OK;
	sc->sc_shell = true;
	sc->sc_quit = false;
	if (isatty(STDIN_FILENO))
		return shell_tty();
	return shell_plain();
}

int
cmd_shell(struct smbctl *sc, const struct cmd_args *a)
{
	(void)a;
	if (sc->sc_shell) {
		fprintf(stderr, "%s: shell: already in the shell\n",
		    smbctl_prog());
		return SMBCTL_USAGE;
	}
	return shell_run(sc);
}
