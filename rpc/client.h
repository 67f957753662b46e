/*
 * client.h — the client half of the REST API, used by smbctl (libcurl).
 *
 * A client talks to one smbsrvd: over its Unix socket (no token; the
 * socket's permissions decide), or over HTTP or HTTPS at a base URL with
 * the bearer token read from a token file.  HTTPS always verifies the
 * server's certificate and name, against the system's CAs or against
 * the certificates in ct_cacert; there is no way to turn that off.  Requests are synchronous.
 * Errors come back as text naming what failed, for smbctl to print.
 */
#ifndef RPC_CLIENT_H
#define RPC_CLIENT_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#define CLIENT_ERR_LEN		512
#define CLIENT_BODY_MAX		(64u * 1024 * 1024)
#define CLIENT_TOKEN_MAX	256

struct client_target {
	const char	*ct_socket;	/* Unix socket path, or NULL */
	const char	*ct_url;	/* or "http://host:port" */
	const char	*ct_token_file;	/* with ct_url; may be NULL */
	const char	*ct_cacert;	/* with an https ct_url; may be NULL */
};

struct client {
	void		*cl_curl;	/* CURL * */
	char		*cl_socket;
	char		*cl_base;	/* URL up to the path, no final '/' */
	char		*cl_auth;	/* "Authorization: Bearer ..." */
	char		*cl_cacert;	/* PEM file of trusted certificates */
	char		 cl_where[512];	/* what messages call the server */
	/* When set and nonzero, a transfer in progress stops (Ctrl-C). */
	volatile sig_atomic_t *cl_cancel;
};

struct client_reply {
	long		 cr_status;	/* HTTP status */
	char		*cr_body;	/* NUL-terminated, malloc'd */
	size_t		 cr_len;
	char		 cr_type[128];	/* Content-Type, "" if none */
};

enum client_fail {
	CLIENT_OK,
	CLIENT_UNREACHABLE,	/* could not connect: not running? */
	CLIENT_FAILED,		/* anything else; see err */
	CLIENT_CANCELLED	/* *cl_cancel was set */
};

/*
 * 0, or -1 with err set (a bad URL, an unreadable token or CA file, a CA
 * file without an https URL).
 */
int		 client_init(struct client *, const struct client_target *,
		    char *err, size_t errlen);
void		 client_free(struct client *);

/*
 * method path (path starts with "/"), body NULL or JSON text.  On
 * CLIENT_OK the reply holds whatever status the server answered; free it
 * with client_reply_free().
 */
enum client_fail client_request(struct client *, const char *method,
		    const char *path, const char *body,
		    struct client_reply *, char *err, size_t errlen);
void		 client_reply_free(struct client_reply *);

/*
 * GET path as a stream with "Accept: accept" and no overall time limit:
 * while the server answers 2xx, fn gets the body as it arrives (return
 * -1 to stop, which is not an error).  Any other status is returned in
 * the reply with its whole body, as client_request() would.
 */
enum client_fail client_stream(struct client *, const char *path,
		    const char *accept, const char *extra_header,
		    int (*fn)(const char *, size_t, void *), void *arg,
		    struct client_reply *, char *err, size_t errlen);

/* Is the reply application/json or application/problem+json? */
bool		 client_reply_is_json(const struct client_reply *);
/*
 * One line for an error reply: "404 Not Found: no such resource" from a
 * problem+json body, or the status and as much of the body as fits.
 */
void		 client_reply_error(const struct client_reply *, char *,
		    size_t);

#endif
