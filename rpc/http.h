/*
 * http.h — the REST API's HTTP server: libmicrohttpd inside our event loop.
 *
 * One MHD daemon per listener (the Unix socket in the state directory, and
 * the optional TCP listener that requires the bearer token and may speak
 * TLS).  Each runs in
 * MHD's epoll mode: its epoll fd is a loop_io in our loop and its timeout a
 * loop timer, so handlers run on the loop thread and read the model
 * through admin.h.
 */
#ifndef SMBSRVD_HTTP_H
#define SMBSRVD_HTTP_H

#include <stdbool.h>
#include <time.h>

#include "conf.h"

/* What the TCP listener runs now (GET server): copies. */
struct http_tcp_info {
	char	hi_listen[80];		/* "" = no TCP listener */
	bool	hi_tls;
	char	hi_cert[CONF_VALUE_MAX + 1];	/* certificate file */
	char	hi_subject[256];	/* RFC 2253 */
	time_t	hi_not_after;
};

/* Opens the listeners the configuration names; 0 or -1 (logged). */
int	http_start(const struct conf *);
/*
 * Re-opens listeners whose address or socket path changed, re-reads the
 * token file, and re-reads the TLS files: a changed pair moves the TCP
 * listener's socket to a new TLS server; a bad one changes nothing.
 */
int	http_reload(const struct conf *);
void	http_tcp_info(struct http_tcp_info *);
/* Closes every listener and connection and removes the Unix socket. */
void	http_stop(void);

#endif
