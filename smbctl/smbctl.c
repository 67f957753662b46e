/*
 * smbctl.c — the one request path every command goes through, and the
 * messages that say why a request failed.
 *
 * smbctl_call() sends a request, insists on a JSON answer and, when the
 * server refuses, prints the object the command was about with the
 * reason from the API's problem document.  The connection (struct
 * client) is made on first use and kept, so the shell reuses it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smbctl.h"

volatile sig_atomic_t smbctl_interrupted;

const char *
smbctl_prog(void)
{
	return "smbctl";
}

void
smbctl_usage(FILE *f)
{
	fprintf(f, "usage: smbctl [-jHp] [-o field,...]\n"
	    "              [--socket path |\n"
	    "               --url url [--token-file path] [--cacert path]]\n"
	    "              [command [argument ...]]\n"
	    "       smbctl --help | --version\n\n"
	    "options:\n"
	    "  -j, --json           print the server's JSON as it is\n"
	    "  -H, --no-header      tables without a header line\n"
	    "  -o, --output f,...   only these columns\n"
	    "  -p, --parsable       raw values (ms, bytes), tabs between\n"
	    "  --socket path        the server's Unix socket (default: %s\n"
	    "                       if ./var exists, else %s)\n"
	    "  --url url            the server's TCP listener, "
	    "http://host:port or\n"
	    "                       https://host:port\n"
	    "  --token-file path    bearer token for --url\n"
	    "  --cacert path        trust the certificates in this PEM file "
	    "(instead\n"
	    "                       of the system's) for an https:// --url\n"
	    "  -h, --help           this text\n"
	    "  --version            smbctl's version\n\n"
	    "Without a command, smbctl runs its shell.\n\n"
	    "commands (any unique prefix will do; \"smbctl help COMMAND\" "
	    "explains one):\n", SMBCTL_SOCKET_LOCAL, SMBCTL_SOCKET_SYSTEM);
	cmds_list(f, false);
}

int
smbctl_flush(void)
{
	if (fflush(stdout) == EOF || ferror(stdout)) {
		fprintf(stderr, "%s: stdout: %s\n", smbctl_prog(),
		    strerror(errno));
		clearerr(stdout);
		return SMBCTL_ERR;
	}
	return SMBCTL_OK;
}

int
smbctl_connect(struct smbctl *sc)
{
	char err[CLIENT_ERR_LEN];

	if (sc->sc_connected)
		return 0;
	if (client_init(&sc->sc_client, &sc->sc_target, err,
	    sizeof(err)) == -1) {
		if (!sc->sc_quiet)
			fprintf(stderr, "%s: %s\n", smbctl_prog(), err);
		return -1;
	}
	sc->sc_client.cl_cancel = &smbctl_interrupted;
	sc->sc_connected = true;
	return 0;
}

char *
smbctl_escape(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t len = strlen(s), i, o = 0;
	unsigned char ch;
	char *r;

	if ((r = malloc(len * 3 + 1)) == NULL)
		return NULL;
	for (i = 0; i < len; i++) {
		ch = (unsigned char)s[i];
		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || strchr("-._~", ch) != NULL)
			r[o++] = (char)ch;
		else {
			r[o++] = '%';
			r[o++] = hex[ch >> 4];
			r[o++] = hex[ch & 15];
		}
	}
	r[o] = '\0';
	return r;
}

/* Why a request got an error status, said for the person at the keys. */
static void
smbctl_refused(struct smbctl *sc, const char *what,
    const struct client_reply *cr)
{
	struct json_object *o = NULL, *detail, *title;
	const char *d = NULL, *t = NULL;

	if (cr->cr_status == 401 && sc->sc_target.ct_token_file != NULL) {
		fprintf(stderr, "%s: smbsrvd at %s refused the token from %s\n",
		    smbctl_prog(), sc->sc_client.cl_where,
		    sc->sc_target.ct_token_file);
		return;
	}
	if (cr->cr_status == 401) {
		fprintf(stderr, "%s: smbsrvd at %s wants a bearer token; "
		    "give its token file with --token-file\n",
		    smbctl_prog(), sc->sc_client.cl_where);
		return;
	}
	if (client_reply_is_json(cr) &&
	    (o = json_tokener_parse(cr->cr_body)) != NULL &&
	    json_object_is_type(o, json_type_object)) {
		if (json_object_object_get_ex(o, "detail", &detail) &&
		    json_object_is_type(detail, json_type_string))
			d = json_object_get_string(detail);
		if (json_object_object_get_ex(o, "title", &title) &&
		    json_object_is_type(title, json_type_string))
			t = json_object_get_string(title);
	}
	if (cr->cr_status == 404)
		fprintf(stderr, "%s: %s: not found (%ld%s%s%s%s)\n",
		    smbctl_prog(), what, cr->cr_status, t ? " " : "",
		    t ? t : "", d ? ": " : "", d ? d : "");
	else if (d != NULL)
		fprintf(stderr, "%s: %s: %s (%ld%s%s)\n", smbctl_prog(), what,
		    d, cr->cr_status, t ? " " : "", t ? t : "");
	else {
		char why[CLIENT_ERR_LEN];

		client_reply_error(cr, why, sizeof(why));
		fprintf(stderr, "%s: %s: %s\n", smbctl_prog(), what, why);
	}
	json_object_put(o);
}

void
smbctl_reply_free(struct smbctl_reply *r)
{
	json_object_put(r->sr_obj);
	free(r->sr_raw);
	r->sr_obj = NULL;
	r->sr_raw = NULL;
}

int
smbctl_call(struct smbctl *sc, const char *method, const char *path,
    struct json_object *body, const char *what, bool quiet404,
    struct smbctl_reply *r)
{
	struct client_reply cr;
	struct json_tokener *tok;
	struct json_object *o;
	const char *text = NULL;
	char err[CLIENT_ERR_LEN];

	memset(r, 0, sizeof(*r));
	if (smbctl_connect(sc) == -1)
		return -1;
	if (body != NULL)
		text = json_object_to_json_string_ext(body,
		    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	if (client_request(&sc->sc_client, method, path, text, &cr, err,
	    sizeof(err)) != CLIENT_OK) {
		if (!sc->sc_quiet)
			fprintf(stderr, "%s: %s\n", smbctl_prog(), err);
		return -1;
	}
	r->sr_status = cr.cr_status;
	if (cr.cr_status < 200 || cr.cr_status > 299) {
		if (!sc->sc_quiet && !(quiet404 && cr.cr_status == 404))
			smbctl_refused(sc, what, &cr);
		client_reply_free(&cr);
		return -1;
	}
	/* The whole body must be one JSON value: no trailing garbage. */
	o = NULL;
	if (client_reply_is_json(&cr) && (tok = json_tokener_new()) != NULL) {
		o = json_tokener_parse_ex(tok, cr.cr_body, (int)cr.cr_len);
		if (o != NULL && (json_tokener_get_error(tok) !=
		    json_tokener_success ||
		    json_tokener_get_parse_end(tok) != cr.cr_len)) {
			json_object_put(o);
			o = NULL;
		}
		json_tokener_free(tok);
	}
	if (o == NULL) {
		if (!sc->sc_quiet)
			fprintf(stderr, "%s: %s: %s %s: the reply is not "
			    "JSON\n", smbctl_prog(), what, method, path);
		client_reply_free(&cr);
		return -1;
	}
	r->sr_obj = o;
	r->sr_raw = cr.cr_body;
	return 0;
}

int
smbctl_get_all(struct smbctl *sc, const char *path, const char *what,
    struct json_object **itemsp)
{
	struct smbctl_reply r;
	struct json_object *items, *page, *next;
	char *url = NULL, *cur = NULL, *esc;
	size_t i, n;
	int rv = -1, pages = 0;

	if (*itemsp == NULL && (*itemsp = json_object_new_array()) == NULL)
		return -1;
	for (;;) {
		free(url);
		if (asprintf(&url, "%s%slimit=1000%s%s", path,
		    strchr(path, '?') ? "&" : "?", cur ? "&cursor=" : "",
		    cur ? cur : "") == -1) {
			url = NULL;
			break;
		}
		if (smbctl_call(sc, "GET", url, NULL, what, false, &r) == -1)
			break;
		page = r.sr_obj;
		if (!json_object_object_get_ex(page, "items", &items) ||
		    !json_object_is_type(items, json_type_array)) {
			if (!sc->sc_quiet)
				fprintf(stderr, "%s: %s: the reply has no "
				    "items\n", smbctl_prog(), what);
			smbctl_reply_free(&r);
			break;
		}
		n = json_object_array_length(items);
		for (i = 0; i < n; i++) {
			struct json_object *it =
			    json_object_array_get_idx(items, i);

			if (!json_object_is_type(it, json_type_object))
				continue;
			json_object_array_add(*itemsp, json_object_get(it));
		}
		free(cur);
		cur = NULL;
		if (json_object_object_get_ex(page, "next_cursor", &next) &&
		    json_object_is_type(next, json_type_string) &&
		    json_object_get_string_len(next) > 0 && ++pages < 10000) {
			if ((esc = smbctl_escape(json_object_get_string(next)))
			    == NULL) {
				smbctl_reply_free(&r);
				break;
			}
			cur = esc;
			smbctl_reply_free(&r);
			continue;
		}
		smbctl_reply_free(&r);
		rv = 0;
		break;
	}
	free(url);
	free(cur);
	return rv;
}

int
smbctl_list(struct smbctl *sc, const struct cmd_args *a, const char *path,
    const char *what, const struct out_col *cols, size_t ncols,
    bool (*keep)(struct json_object *, const void *), const void *keeparg)
{
	struct json_object *all = NULL, *kept, *page;
	size_t i, n;
	int rv;

	if (smbctl_get_all(sc, path, what, &all) == -1) {
		json_object_put(all);
		return SMBCTL_ERR;
	}
	if ((kept = json_object_new_array()) == NULL) {
		json_object_put(all);
		return SMBCTL_ERR;
	}
	n = json_object_array_length(all);
	for (i = 0; i < n; i++) {
		struct json_object *it = json_object_array_get_idx(all, i);

		if (keep == NULL || keep(it, keeparg))
			json_object_array_add(kept, json_object_get(it));
	}
	json_object_put(all);
	if (a->ca_out.oo_json) {
		/* One page holding everything: the API's shape. */
		if ((page = json_object_new_object()) == NULL) {
			json_object_put(kept);
			return SMBCTL_ERR;
		}
		json_object_object_add(page, "items", kept);
		json_object_object_add(page, "next_cursor", NULL);
		out_json(page);
		json_object_put(page);
		return SMBCTL_OK;
	}
	rv = out_table(sc, &a->ca_out, cols, ncols, kept);
	json_object_put(kept);
	return rv;
}

int
smbctl_show(struct smbctl *sc, const struct cmd_args *a, const char *path,
    const char *what)
{
	struct smbctl_reply r;

	if (smbctl_call(sc, "GET", path, NULL, what, false, &r) == -1)
		return SMBCTL_ERR;
	if (a->ca_out.oo_json)
		out_json(r.sr_obj);
	else
		out_record(stdout, r.sr_obj, 0);
	smbctl_reply_free(&r);
	return SMBCTL_OK;
}

int
smbctl_action(struct smbctl *sc, const struct cmd_args *a,
    const char *method, const char *path, const char *query,
    struct json_object *body, const char *what)
{
	struct smbctl_reply r;
	bool dry = cmds_flag(a, "dry-run");
	char *url;

	if (asprintf(&url, "%s%s%s%s%s", path, query || dry ? "?" : "",
	    query ? query : "", query && dry ? "&" : "",
	    dry ? "dry_run=true" : "") == -1)
		return SMBCTL_ERR;
	if (smbctl_call(sc, method, url, body, what, false, &r) == -1) {
		free(url);
		return SMBCTL_ERR;
	}
	free(url);
	if (a->ca_out.oo_json)
		out_json(r.sr_obj);
	else if (out_member(r.sr_obj, "impact") != NULL)
		out_impact(r.sr_obj, what);
	else
		out_record(stdout, r.sr_obj, 0);
	smbctl_reply_free(&r);
	return SMBCTL_OK;
}

int
smbctl_check_id(const struct cmd_args *a, const char *s)
{
	char name[64];

	if (cmds_is_id(s))
		return SMBCTL_OK;
	fprintf(stderr, "%s: %s: \"%s\" is not an id (ids are decimal "
	    "numbers, as the list commands show them)\n", smbctl_prog(),
	    cmds_fullname(a->ca_cmd, name, sizeof(name)), s);
	return SMBCTL_USAGE;
}
