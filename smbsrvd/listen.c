/*
 * listen.c — SMB listening sockets (see listen.h).
 */
#include <sys/epoll.h>
#include <sys/socket.h>

#include <netinet/in.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conn.h"
#include "listen.h"
#include "log.h"
#include "server.h"

static void	listen_accept_cb(struct loop_io *, uint32_t, void *);
static void	listen_resume_cb(struct timer *, void *);

#define LISTEN_PAUSE_MS	100

static int
listen_open(const struct conf_addr *ca)
{
	int fd, one = 1;

	fd = socket(ca->ca_ss.ss_family,
	    SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == -1)
		goto fail;
	/* "[::]:445" and "0.0.0.0:445" are two listeners, not one. */
	if (ca->ca_ss.ss_family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6,
	    IPV6_V6ONLY, &one, sizeof(one)) == -1)
		goto fail;
	if (bind(fd, (const struct sockaddr *)&ca->ca_ss, ca->ca_sslen) == -1 ||
	    listen(fd, 128) == -1)
		goto fail;
	return fd;
fail:
	{
		int saved = errno;

		close(fd);
		errno = saved;
	}
	return -1;
}

static void
listener_free(struct listener *l)
{
	loop_timer_cancel(&l->l_pause);
	loop_io_del(&l->l_io);
	close(l->l_fd);
	LIST_REMOVE(l, l_entry);
	free(l);
}

int
listen_apply(const struct conf *cf)
{
	struct listener *l, *tl;
	int i, rc = 0;

	LIST_FOREACH(l, &server.sv_listeners, l_entry)
		l->l_keep = false;
	for (i = 0; i < cf->cf_nsmb_listen; i++) {
		const struct conf_addr *ca = &cf->cf_smb_listen[i];

		LIST_FOREACH(l, &server.sv_listeners, l_entry) {
			if (l->l_addr.ca_sslen == ca->ca_sslen &&
			    memcmp(&l->l_addr.ca_ss, &ca->ca_ss,
			    ca->ca_sslen) == 0)
				break;
		}
		if (l != NULL) {
			l->l_keep = true;
			continue;
		}
		if ((l = calloc(1, sizeof(*l))) == NULL) {
			log_warn("listen %s", ca->ca_text);
			rc = -1;
			continue;
		}
		l->l_addr = *ca;
		if ((l->l_fd = listen_open(ca)) == -1) {
			log_warn("listen %s", ca->ca_text);
			free(l);
			rc = -1;
			continue;
		}
		loop_io_init(&l->l_io, l->l_fd, listen_accept_cb, l);
		timer_init(&l->l_pause, listen_resume_cb, l);
		if (loop_io_add(&l->l_io, EPOLLIN) == -1) {
			log_warn("listen %s", ca->ca_text);
			close(l->l_fd);
			free(l);
			rc = -1;
			continue;
		}
		l->l_keep = true;
		LIST_INSERT_HEAD(&server.sv_listeners, l, l_entry);
		log_info("listening for SMB on %s", ca->ca_text);
	}
	LIST_FOREACH_SAFE(l, &server.sv_listeners, l_entry, tl) {
		if (!l->l_keep) {
			log_info("no longer listening on %s", l->l_addr.ca_text);
			listener_free(l);
		}
	}
	return rc;
}

void
listen_close_all(void)
{
	struct listener *l;

	while ((l = LIST_FIRST(&server.sv_listeners)) != NULL)
		listener_free(l);
}

static void
listen_accept_cb(struct loop_io *io, uint32_t events, void *arg)
{
	struct listener *l = arg;
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, i;

	(void)io;
	(void)events;
	/* Bounded, so a connection storm cannot starve established peers. */
	for (i = 0; i < 64; i++) {
		len = sizeof(ss);
		fd = accept4(l->l_fd, (struct sockaddr *)&ss, &len,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1) {
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM) {
				/*
				 * The pending connection stays readable: stop
				 * polling it for a moment instead of spinning.
				 */
				log_warn("accept on %s, pausing",
				    l->l_addr.ca_text);
				loop_io_del(&l->l_io);
				(void)loop_timer_after(&l->l_pause,
				    LISTEN_PAUSE_MS);
			} else if (errno != EAGAIN && errno != EINTR &&
			    errno != ECONNABORTED)
				log_warn("accept on %s", l->l_addr.ca_text);
			return;
		}
		if (server.sv_stopping ||
		    server.sv_nconns >= LISTEN_MAX_CONNS) {
			log_warnx("listen %s: connection refused (%s)",
			    l->l_addr.ca_text, server.sv_stopping ?
			    "shutting down" : "too many connections");
			close(fd);
			continue;
		}
		(void)conn_accept(fd, &ss, len);
	}
}

static void
listen_resume_cb(struct timer *t, void *arg)
{
	struct listener *l = arg;

	(void)t;
	if (loop_io_add(&l->l_io, EPOLLIN) == -1) {
		log_warn("listen %s: resume", l->l_addr.ca_text);
		(void)loop_timer_after(&l->l_pause, LISTEN_PAUSE_MS);
	}
}
