/*
 * http.h — the REST API's HTTP server: libmicrohttpd inside our event loop.
 *
 * One MHD daemon per listener (the Unix socket in the state directory, and
 * the optional TCP listener that requires the bearer token).  Each runs in
 * MHD's epoll mode: its epoll fd is a loop_io in our loop and its timeout a
 * loop timer, so handlers run on the loop thread and read the model
 * through admin.h.
 */
#ifndef SMBSRVD_HTTP_H
#define SMBSRVD_HTTP_H

#include "conf.h"

/* Opens the listeners the configuration names; 0 or -1 (logged). */
int	http_start(const struct conf *);
/* Re-opens listeners whose address, socket path or token file changed. */
int	http_reload(const struct conf *);
/* Closes every listener and connection and removes the Unix socket. */
void	http_stop(void);

#endif
