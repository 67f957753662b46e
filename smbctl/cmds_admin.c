/*
 * cmds_admin.c — shares and users: list, show, add, change, remove.
 *
 * Request bodies are built with json-c from the options, member by
 * member as rpc/openapi.yaml names them (ShareCreate, SharePatch,
 * UserCreate, UserPatch); the server validates them again and its
 * refusal, with the member it names, is what the user sees.  Passwords
 * never come from the command line: they are read from the terminal
 * with echo off, or as one line of standard input with --stdin, and
 * wiped from memory after use.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <termios.h>
#include <unistd.h>

#include "smbctl.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define PASSWORD_MAX	256

static const struct out_col share_cols[] = {
	{ "name", "name", FMT_STR },
	{ "path", "path", FMT_PATH },
	{ "uses", "current_uses", FMT_INT },
	{ "max", "max_uses", FMT_INT },
	{ "ro", "read_only", FMT_BOOL },
	{ "guest", "guest_ok", FMT_BOOL },
	{ "encrypt", "encrypt", FMT_BOOL },
	{ "durable", "durable_timeout_ms", FMT_DURATION },
	{ "comment", "comment", FMT_STR },
};

static const struct out_col user_cols[] = {
	{ "name", "name", FMT_STR },
	{ "enabled", "enabled", FMT_BOOL },
};

const struct share_key share_keys[] = {
	{ "path", SKEY_STRING },
	{ "comment", SKEY_STRING },
	{ "read_only", SKEY_BOOL },
	{ "guest_ok", SKEY_BOOL },
	{ "encrypt", SKEY_BOOL },
	{ "max_uses", SKEY_UINT_OR_NULL },
	{ "durable_timeout_ms", SKEY_UINT },
	{ NULL, SKEY_STRING }
};

/* "/api/v1/shares/NAME" with NAME escaped; NULL if out of memory. */
static char *
named_path(const char *coll, const char *name)
{
	char *esc, *p;

	if ((esc = smbctl_escape(name)) == NULL)
		return NULL;
	if (asprintf(&p, "/api/v1/%s/%s", coll, esc) == -1)
		p = NULL;
	free(esc);
	return p;
}

static bool
parse_bool(const char *s, bool *vp)
{
	static const char *yes[] = { "yes", "true", "on", "1" };
	static const char *no[] = { "no", "false", "off", "0" };
	size_t i;

	for (i = 0; i < NELEM(yes); i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*vp = true;
			return true;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*vp = false;
			return true;
		}
	}
	return false;
}

static bool
parse_uint(const char *s, uint64_t *vp)
{
	char *end;

	if (s[0] < '0' || s[0] > '9')
		return false;
	errno = 0;
	*vp = strtoull(s, &end, 10);
	return errno == 0 && *end == '\0';
}

struct json_object *
share_set_body(int argc, char **argv, char *err, size_t errlen)
{
	struct json_object *body, *v;
	const struct share_key *k;
	char key[64], *p;
	const char *eq, *val;
	uint64_t u;
	bool b;
	int i;

	if ((body = json_object_new_object()) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	for (i = 0; i < argc; i++) {
		if ((eq = strchr(argv[i], '=')) == NULL || eq == argv[i] ||
		    (size_t)(eq - argv[i]) >= sizeof(key)) {
			snprintf(err, errlen, "\"%s\": give KEY=VALUE",
			    argv[i]);
			goto fail;
		}
		memcpy(key, argv[i], (size_t)(eq - argv[i]));
		key[eq - argv[i]] = '\0';
		for (p = key; *p != '\0'; p++)
			if (*p == '-')
				*p = '_';
		val = eq + 1;
		for (k = share_keys; k->sk_name != NULL; k++)
			if (strcmp(k->sk_name, key) == 0)
				break;
		/* "guest" and "max uses" as smbsrvd.conf spells them. */
		if (k->sk_name == NULL && strcmp(key, "guest") == 0)
			k = &share_keys[3];
		if (k->sk_name == NULL) {
			snprintf(err, errlen, "unknown key \"%s\"; keys are "
			    "path, comment, read_only, guest_ok, encrypt, "
			    "max_uses, durable_timeout_ms", key);
			goto fail;
		}
		switch (k->sk_type) {
		case SKEY_STRING:
			v = json_object_new_string(val);
			break;
		case SKEY_BOOL:
			if (!parse_bool(val, &b)) {
				snprintf(err, errlen, "%s: \"%s\" is not yes "
				    "or no", k->sk_name, val);
				goto fail;
			}
			v = json_object_new_boolean(b);
			break;
		case SKEY_UINT_OR_NULL:
			if (strcasecmp(val, "unlimited") == 0 ||
			    strcasecmp(val, "none") == 0) {
				v = NULL;
				break;
			}
			/* FALLTHROUGH */
		default:
			if (!parse_uint(val, &u) || u > INT64_MAX) {
				snprintf(err, errlen, "%s: \"%s\" is not a "
				    "number%s", k->sk_name, val,
				    k->sk_type == SKEY_UINT_OR_NULL ?
				    " or \"unlimited\"" : "");
				goto fail;
			}
			v = json_object_new_int64((int64_t)u);
			break;
		}
		if (json_object_object_add(body, k->sk_name, v) != 0) {
			snprintf(err, errlen, "out of memory");
			goto fail;
		}
	}
	return body;
fail:
	json_object_put(body);
	return NULL;
}

int
cmd_share_list(struct smbctl *sc, const struct cmd_args *a)
{
	return smbctl_list(sc, a, "/api/v1/shares", "shares", share_cols,
	    NELEM(share_cols), NULL, NULL);
}

int
cmd_share_show(struct smbctl *sc, const struct cmd_args *a)
{
	char what[128], *path;
	int rv;

	if ((path = named_path("shares", a->ca_argv[0])) == NULL)
		return SMBCTL_ERR;
	snprintf(what, sizeof(what), "share %s", a->ca_argv[0]);
	rv = smbctl_show(sc, a, path, what);
	free(path);
	return rv;
}

/* Prints the record a create or change answered with. */
static int
print_result(const struct cmd_args *a, struct smbctl_reply *r,
    const char *done)
{
	if (a->ca_out.oo_json)
		out_json(r->sr_obj);
	else {
		printf("%s\n", done);
		out_record(stdout, r->sr_obj, 2);
	}
	smbctl_reply_free(r);
	return SMBCTL_OK;
}

int
cmd_share_add(struct smbctl *sc, const struct cmd_args *a)
{
	struct json_object *body;
	struct smbctl_reply r;
	const char *v;
	char what[128], done[160];
	uint64_t u = 0;
	int bad = 0;

	snprintf(what, sizeof(what), "share %s", a->ca_argv[0]);
	if ((v = cmds_value(a, "max-uses")) != NULL &&
	    (!parse_uint(v, &u) || u == 0 || u > INT64_MAX)) {
		fprintf(stderr, "%s: share add: --max-uses \"%s\" is not a "
		    "number above 0\n", smbctl_prog(), v);
		return SMBCTL_USAGE;
	}
	if ((body = json_object_new_object()) == NULL)
		return SMBCTL_ERR;
	bad |= json_object_object_add(body, "name",
	    json_object_new_string(a->ca_argv[0]));
	bad |= json_object_object_add(body, "path",
	    json_object_new_string(a->ca_argv[1]));
	if ((v = cmds_value(a, "comment")) != NULL)
		bad |= json_object_object_add(body, "comment",
		    json_object_new_string(v));
	/* Writable unless asked: what someone adding a share expects. */
	bad |= json_object_object_add(body, "read_only",
	    json_object_new_boolean(cmds_flag(a, "read-only")));
	if (cmds_flag(a, "guest"))
		bad |= json_object_object_add(body, "guest_ok",
		    json_object_new_boolean(1));
	if (cmds_flag(a, "encrypt"))
		bad |= json_object_object_add(body, "encrypt",
		    json_object_new_boolean(1));
	if (cmds_value(a, "max-uses") != NULL)
		bad |= json_object_object_add(body, "max_uses",
		    json_object_new_int64((int64_t)u));
	if (bad) {
		json_object_put(body);
		return SMBCTL_ERR;
	}
	if (smbctl_call(sc, "POST", "/api/v1/shares", body, what, false,
	    &r) == -1) {
		json_object_put(body);
		return SMBCTL_ERR;
	}
	json_object_put(body);
	snprintf(done, sizeof(done), "share %s added", a->ca_argv[0]);
	return print_result(a, &r, done);
}

int
cmd_share_set(struct smbctl *sc, const struct cmd_args *a)
{
	struct json_object *body;
	struct smbctl_reply r;
	char what[128], done[160], err[256], *path;
	int rv;

	if ((body = share_set_body(a->ca_argc - 1, a->ca_argv + 1, err,
	    sizeof(err))) == NULL) {
		fprintf(stderr, "%s: share set: %s\n", smbctl_prog(), err);
		return SMBCTL_USAGE;
	}
	if ((path = named_path("shares", a->ca_argv[0])) == NULL) {
		json_object_put(body);
		return SMBCTL_ERR;
	}
	snprintf(what, sizeof(what), "share %s", a->ca_argv[0]);
	rv = smbctl_call(sc, "PATCH", path, body, what, false, &r);
	json_object_put(body);
	free(path);
	if (rv == -1)
		return SMBCTL_ERR;
	snprintf(done, sizeof(done), "share %s changed", a->ca_argv[0]);
	return print_result(a, &r, done);
}

int
cmd_share_remove(struct smbctl *sc, const struct cmd_args *a)
{
	char what[128], *path;
	int rv;

	if ((path = named_path("shares", a->ca_argv[0])) == NULL)
		return SMBCTL_ERR;
	snprintf(what, sizeof(what), "share %s", a->ca_argv[0]);
	rv = smbctl_action(sc, a, "DELETE", path, NULL, NULL, what);
	free(path);
	return rv;
}

int
cmd_user_list(struct smbctl *sc, const struct cmd_args *a)
{
	return smbctl_list(sc, a, "/api/v1/users", "users", user_cols,
	    NELEM(user_cols), NULL, NULL);
}

/* One line of stdin without its line end; NULL at EOF or on error. */
static char *
read_line(void)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if ((n = getline(&line, &cap, stdin)) == -1) {
		if (line != NULL)
			explicit_bzero(line, cap);
		free(line);
		return NULL;
	}
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	return line;
}

static void
wipe(char *s)
{
	if (s != NULL) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

/*
 * The password: a line of stdin with --stdin, else asked twice on the
 * terminal with echo off.  NULL after saying why.
 */
static char *
user_password(const char *name, bool from_stdin)
{
	struct termios old, noecho;
	char *pw = NULL, *again = NULL;
	int tries;

	if (from_stdin) {
		if ((pw = read_line()) == NULL)
			fprintf(stderr, "%s: user %s: no password on standard "
			    "input\n", smbctl_prog(), name);
		return pw;
	}
	if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &old) == -1) {
		fprintf(stderr, "%s: user %s: no terminal to ask for the "
		    "password; give it on standard input with --stdin\n",
		    smbctl_prog(), name);
		return NULL;
	}
	noecho = old;
	noecho.c_lflag &= ~(tcflag_t)ECHO;
	noecho.c_lflag |= ECHONL;
	for (tries = 0; tries < 3; tries++) {
		if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &noecho) == -1)
			break;
		fprintf(stderr, "password for %s: ", name);
		pw = read_line();
		if (pw != NULL) {
			fprintf(stderr, "again: ");
			again = read_line();
		}
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
		if (pw == NULL || again == NULL) {
			clearerr(stdin);
			fprintf(stderr, "\n%s: user %s: no password given\n",
			    smbctl_prog(), name);
			wipe(pw);
			wipe(again);
			return NULL;
		}
		if (strcmp(pw, again) == 0 && pw[0] != '\0') {
			wipe(again);
			return pw;
		}
		fprintf(stderr, "%s\n", pw[0] == '\0' ? "empty password" :
		    "the two differ; again");
		wipe(pw);
		wipe(again);
		pw = again = NULL;
	}
	fprintf(stderr, "%s: user %s: no password set\n", smbctl_prog(),
	    name);
	return NULL;
}

static struct json_object *
password_body(const char *name, bool with_name, bool from_stdin)
{
	struct json_object *body;
	char *pw;
	int bad = 0;

	if ((pw = user_password(name, from_stdin)) == NULL)
		return NULL;
	if (pw[0] == '\0' || strlen(pw) > PASSWORD_MAX) {
		fprintf(stderr, "%s: user %s: a password has 1 to %d "
		    "characters\n", smbctl_prog(), name, PASSWORD_MAX);
		wipe(pw);
		return NULL;
	}
	if ((body = json_object_new_object()) == NULL) {
		wipe(pw);
		return NULL;
	}
	if (with_name)
		bad |= json_object_object_add(body, "name",
		    json_object_new_string(name));
	bad |= json_object_object_add(body, "password",
	    json_object_new_string(pw));
	wipe(pw);
	if (bad) {
		json_object_put(body);
		return NULL;
	}
	return body;
}

/* The body holds a password: wipe its copies before letting it go. */
static void
body_free(struct json_object *body)
{
	struct json_object *pw;
	const char *s;

	if (body == NULL)
		return;
	if (json_object_object_get_ex(body, "password", &pw) &&
	    (s = json_object_get_string(pw)) != NULL)
		explicit_bzero((char *)s, strlen(s));
	/* And the text smbctl_call() serialized it to, kept in body. */
	if ((s = json_object_to_json_string_ext(body,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)) != NULL)
		explicit_bzero((char *)s, strlen(s));
	json_object_put(body);
}

static int
user_change(struct smbctl *sc, const struct cmd_args *a, const char *method,
    struct json_object *body, const char *done)
{
	struct smbctl_reply r;
	char what[128], msg[160], *path;
	int rv;

	snprintf(what, sizeof(what), "user %s", a->ca_argv[0]);
	if (strcmp(method, "POST") == 0)
		path = strdup("/api/v1/users");
	else
		path = named_path("users", a->ca_argv[0]);
	if (path == NULL)
		return SMBCTL_ERR;
	rv = smbctl_call(sc, method, path, body, what, false, &r);
	free(path);
	if (rv == -1)
		return SMBCTL_ERR;
	snprintf(msg, sizeof(msg), "user %s %s", a->ca_argv[0], done);
	if (a->ca_out.oo_json)
		out_json(r.sr_obj);
	else
		printf("%s\n", msg);
	smbctl_reply_free(&r);
	return SMBCTL_OK;
}

int
cmd_user_add(struct smbctl *sc, const struct cmd_args *a)
{
	struct json_object *body;
	int rv;

	if ((body = password_body(a->ca_argv[0], true,
	    cmds_flag(a, "stdin"))) == NULL)
		return SMBCTL_ERR;
	rv = user_change(sc, a, "POST", body, "added");
	body_free(body);
	return rv;
}

int
cmd_user_passwd(struct smbctl *sc, const struct cmd_args *a)
{
	struct json_object *body;
	int rv;

	if ((body = password_body(a->ca_argv[0], false,
	    cmds_flag(a, "stdin"))) == NULL)
		return SMBCTL_ERR;
	rv = user_change(sc, a, "PATCH", body, "has a new password");
	body_free(body);
	return rv;
}

static int
user_enable(struct smbctl *sc, const struct cmd_args *a, bool on)
{
	struct json_object *body;
	int rv;

	if ((body = json_object_new_object()) == NULL)
		return SMBCTL_ERR;
	if (json_object_object_add(body, "enabled",
	    json_object_new_boolean(on)) != 0) {
		json_object_put(body);
		return SMBCTL_ERR;
	}
	rv = user_change(sc, a, "PATCH", body, on ? "enabled" : "disabled");
	json_object_put(body);
	return rv;
}

int
cmd_user_enable(struct smbctl *sc, const struct cmd_args *a)
{
	return user_enable(sc, a, true);
}

int
cmd_user_disable(struct smbctl *sc, const struct cmd_args *a)
{
	return user_enable(sc, a, false);
}

int
cmd_user_remove(struct smbctl *sc, const struct cmd_args *a)
{
	return user_change(sc, a, "DELETE", NULL, "removed");
}
