/*
 * http_int.h — what http.c (requests, event streams) and http_listen.c
 * (listeners, MHD daemons) share.  Nothing else includes it.
 */
#ifndef SMBSRVD_HTTP_INT_H
#define SMBSRVD_HTTP_INT_H

#include <sys/types.h>

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <microhttpd.h>

#include "conf.h"
#include "loop.h"
#include "timer.h"
#include "tls.h"

#define HTTP_BODY_MAX		(1024 * 1024)
#define HTTP_TOKEN_BYTES	32	/* random bytes in a new token */
#define HTTP_TOKEN_MAX		256	/* longest token read from a file */
#define HTTP_CONN_LIMIT		64
#define HTTP_CONN_TIMEOUT	60	/* seconds idle before MHD hangs up */
#define HTTP_BACKLOG		64
#define HTTP_STREAM_MAX		16	/* event streams, all listeners */
#define HTTP_STREAM_BLOCK	(16 * 1024)
#define HTTP_KEEPALIVE_MS	15000	/* comment on a quiet stream */
/* GnuTLS priorities: its defaults, but nothing older than TLS 1.2. */
#define HTTP_TLS_PRIORITIES	"NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"
#define HTTP_TLS_SOON		(30 * 86400)	/* warn of expiry within */

enum http_kind {
	HTTP_UNIX,
	HTTP_TCP
};

struct http_listener {
	enum http_kind		 hl_kind;
	char			 hl_name[128];	/* for log lines */
	struct MHD_Daemon	*hl_mhd;
	struct loop_io		 hl_io;
	struct timer		 hl_timer;
	struct loop_defer	 hl_stop;

	/* HTTP_UNIX: the socket file, removed on close if still ours. */
	char			*hl_path;
	dev_t			 hl_dev;
	ino_t			 hl_ino;

	/* HTTP_TCP */
	struct conf_addr	 hl_addr;
	char			*hl_token_file;
	char			 hl_token[HTTP_TOKEN_MAX + 1];
	size_t			 hl_token_len;

	/* HTTP_TCP with TLS: what it runs, for reload and GET server. */
	bool			 hl_tls;
	char			*hl_tls_cert;	/* paths */
	char			*hl_tls_key;
	unsigned char		 hl_tls_digest[TLS_DIGEST_LEN];
	char			 hl_tls_subject[256];
	time_t			 hl_tls_not_after;
};

/* http.c */
/* MHD's access handler and completion callback; cls is the listener. */
enum MHD_Result	 http_access(void *cls, struct MHD_Connection *,
		    const char *url, const char *method, const char *version,
		    const char *upload_data, size_t *upload_data_size,
		    void **req_cls);
void		 http_completed(void *cls, struct MHD_Connection *,
		    void **req_cls, enum MHD_RequestTerminationCode);
/* s with control characters replaced, fit for a log line. */
const char	*http_logsafe(const char *s, char *buf, size_t len);
/* A closing listener's streams end; call before stopping its daemon. */
void		 http_streams_end(struct http_listener *);
void		 http_streams_init(void);

#endif
