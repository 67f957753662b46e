/*
 * web.h — the web UI's static files, served by the REST API's HTTP server.
 *
 * The files of web/ are compiled into the daemon (scripts/web-embed.sh
 * writes them into a generated C file at build time), so a running
 * smbsrvd always serves the UI that matches its own API, needs no path
 * to find them at run time, and never opens a file on behalf of an HTTP
 * client: a request path is only ever a key into web_files[].
 *
 * Routes (rows of ops_table in rpc/ops.c, no token needed): "/" is
 * index.html, "/web/NAME" any embedded file.  Every reply carries a
 * strong ETag (revalidated, Cache-Control: no-cache), a strict
 * Content-Security-Policy and the usual hardening headers.
 */
#ifndef RPC_WEB_H
#define RPC_WEB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "conf.h"
#include "ops.h"

#define WEB_NAME_MAX	64	/* longest file name under /web/ */
#define WEB_URL_MAX	(sizeof("https://[]:65535/#token=") + 46 + \
			    3 * 256)	/* with a percent-encoded token */

struct web_file {
	const char		*wf_name;	/* "app.js" */
	const unsigned char	*wf_data;
	size_t			 wf_len;
	const char		*wf_etag;	/* "\"0123456789abcdef\"" */
};

/* Generated: the embedded files, in name order. */
extern const struct web_file	web_files[];
extern const size_t		web_nfiles;

/*
 * The embedded file name a request path names, written to name: "/" is
 * "index.html", "/web/NAME" is NAME if NAME is 1 to WEB_NAME_MAX bytes of
 * [A-Za-z0-9._-] not starting with '.'.  0, or ENOENT for any other path
 * (nothing can climb out: there is no directory to climb out of, and the
 * name could not say so anyway).
 */
int			 web_path(const char *path, char *name, size_t len);
/* The embedded file by name, NULL if none. */
const struct web_file	*web_lookup(const char *name);
/* The Content-Type of a file name by its extension. */
const char		*web_type(const char *name);
/* Does an If-None-Match header value name etag (or "*")? */
bool			 web_etag_match(const char *inm, const char *etag);

/* The ops_fn of the "/" and "/web/{file}" routes. */
int			 web_get(const struct ops_req *, struct ops_reply *);

/*
 * The sign-in link of the TCP admin listener, with the token from the
 * token file in its fragment (a fragment never reaches a server or a
 * Referer): "http://127.0.0.1:8445/#token=...", https:// when the
 * listener has a TLS certificate.  0, or -1 if the
 * configuration has no TCP listener or the token cannot be read.
 */
int			 web_signin_url(const struct conf *, char *, size_t);
/* Prints "smbsrvd: web UI: URL" if there is one. */
void			 web_signin_print(FILE *, const struct conf *);

#endif
