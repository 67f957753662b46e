/*
 * conn.c — transport connections (see conn.h).
 *
 * CONN_LIVE --conn_close--> CONN_CLOSING --output flushed--> CONN_DEAD
 * CONN_LIVE or CONN_CLOSING --conn_abort, peer gone, error--> CONN_DEAD
 *
 * server.sv_conns holds every connection that is not DEAD.  Reaching DEAD
 * closes the socket, unlinks the connection, tells the protocol (gone
 * handler) and queues the free for the loop's before-sleep pass, so a
 * callback further up the stack never touches freed memory.
 */
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "conn.h"
#include "log.h"
#include "server.h"

/*
 * Messages, and bytes of them, handled per readable event, so that one
 * client cannot starve the others or the admin API: 32 small requests,
 * or as many 8 MiB WRITEs as make 4 * CONN_MAX_MSG.
 */
#define CONN_MSGS_PER_EVENT	32
#define CONN_BYTES_PER_EVENT	(4 * (size_t)CONN_MAX_MSG)
#define CONN_IOV		64

static conn_msg_fn	on_msg;
static conn_gone_fn	on_gone;

static void	conn_io_cb(struct loop_io *, uint32_t, void *);
static void	conn_first_msg_cb(struct timer *, void *);
static void	conn_free(void *);
static void	conn_update_events(struct conn *);

void
conn_set_handlers(conn_msg_fn msg, conn_gone_fn gone)
{
	on_msg = msg;
	on_gone = gone;
}

static void
addr_text(const struct sockaddr_storage *ss, socklen_t len, char *buf,
    size_t bufsz, uint16_t *port)
{
	char host[INET6_ADDRSTRLEN], serv[8];

	if (getnameinfo((const struct sockaddr *)ss, len, host, sizeof(host),
	    serv, sizeof(serv), NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
		snprintf(buf, bufsz, "?");
		return;
	}
	if (ss->ss_family == AF_INET6)
		snprintf(buf, bufsz, "[%s]:%s", host, serv);
	else
		snprintf(buf, bufsz, "%s:%s", host, serv);
	if (port != NULL)
		*port = (uint16_t)atoi(serv);
}

struct conn *
conn_accept(int fd, const struct sockaddr_storage *peer, socklen_t peerlen)
{
	struct sockaddr_storage local;
	socklen_t locallen = sizeof(local);
	struct conn *c;
	int one = 1;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		log_warn("conn: accept");
		close(fd);
		return NULL;
	}
	c->c_magic = CONN_MAGIC;
	c->c_fd = fd;
	c->c_id = ++server.sv_conn_ids;
	c->c_state = CONN_LIVE;
	c->c_created_ms = clock_mono_ms();
	memcpy(&c->c_peer, peer, peerlen);
	TAILQ_INIT(&c->c_outq);
	TAILQ_INIT(&c->c_channels);
	TAILQ_INIT(&c->c_async);
	idtab_init(&c->c_channel_ids);
	/* 3.3.5.1: the window starts at MessageId 0 with one credit. */
	c->c_seq_low = 0;
	c->c_seq_range = 1;
	addr_text(peer, peerlen, c->c_peer_text, sizeof(c->c_peer_text),
	    NULL);
	if (getsockname(fd, (struct sockaddr *)&local, &locallen) == 0)
		addr_text(&local, locallen, c->c_local_text,
		    sizeof(c->c_local_text), &c->c_local_port);
	/* SMB is request/response: latency matters more than packet count. */
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	(void)setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));

	loop_io_init(&c->c_io, fd, conn_io_cb, c);
	timer_init(&c->c_first_msg, conn_first_msg_cb, c);
	if (loop_io_add(&c->c_io, EPOLLIN | EPOLLRDHUP) == -1 ||
	    loop_timer_after(&c->c_first_msg, CONN_FIRST_MSG_MS) == -1) {
		log_warn("conn %llu: register", (unsigned long long)c->c_id);
		loop_io_del(&c->c_io);
		close(fd);
		free(c);
		return NULL;
	}
	TAILQ_INSERT_TAIL(&server.sv_conns, c, c_entry);
	server.sv_nconns++;
	log_info("conn %llu: accepted from %s on %s",
	    (unsigned long long)c->c_id, c->c_peer_text, c->c_local_text);
	return c;
}

static void
conn_free(void *arg)
{
	struct conn *c = arg;
	struct conn_out *o;

	while ((o = TAILQ_FIRST(&c->c_outq)) != NULL) {
		TAILQ_REMOVE(&c->c_outq, o, co_entry);
		free(o->co_buf);
		free(o);
	}
	free(c->c_in);
	free(c->c_seq_used);
	idtab_free(&c->c_channel_ids);
	c->c_magic = 0;
	free(c);
}

void
conn_abort(struct conn *c, const char *why)
{
	if (c->c_state == CONN_DEAD)
		return;
	if (c->c_close_why[0] == '\0')
		snprintf(c->c_close_why, sizeof(c->c_close_why), "%s", why);
	log_info("conn %llu: closed (%s)", (unsigned long long)c->c_id,
	    c->c_close_why);
	c->c_state = CONN_DEAD;
	loop_timer_cancel(&c->c_first_msg);
	loop_io_del(&c->c_io);
	close(c->c_fd);
	c->c_fd = -1;
	TAILQ_REMOVE(&server.sv_conns, c, c_entry);
	server.sv_nconns--;
	if (on_gone != NULL)
		on_gone(c);
	loop_defer(&c->c_free, conn_free, c);
}

void
conn_close(struct conn *c, const char *why)
{
	if (c->c_state != CONN_LIVE)
		return;
	snprintf(c->c_close_why, sizeof(c->c_close_why), "%s", why);
	if (TAILQ_EMPTY(&c->c_outq)) {
		conn_abort(c, why);
		return;
	}
	c->c_state = CONN_CLOSING;
	conn_update_events(c);
}

void
conn_close_all(void)
{
	struct conn *c, *tc;

	TAILQ_FOREACH_SAFE(c, &server.sv_conns, c_entry, tc)
		conn_abort(c, "server shutting down");
}

static void
conn_update_events(struct conn *c)
{
	uint32_t ev = EPOLLRDHUP;

	if (c->c_state == CONN_DEAD)
		return;
	if (c->c_state == CONN_LIVE && !c->c_throttled)
		ev |= EPOLLIN;
	if (!TAILQ_EMPTY(&c->c_outq))
		ev |= EPOLLOUT;
	if (loop_io_mod(&c->c_io, ev) == -1) {
		log_warn("conn %llu: epoll", (unsigned long long)c->c_id);
		conn_abort(c, "epoll failure");
	}
}

/* Writes what the socket takes; 0, or -1 if the connection died. */
static int
conn_flush(struct conn *c)
{
	struct iovec iov[CONN_IOV];
	struct conn_out *o;
	ssize_t n;
	int cnt;

	while (!TAILQ_EMPTY(&c->c_outq)) {
		cnt = 0;
		TAILQ_FOREACH(o, &c->c_outq, co_entry) {
			if (cnt + 2 > CONN_IOV)
				break;
			if (o->co_off < 4) {
				iov[cnt].iov_base = o->co_frame + o->co_off;
				iov[cnt++].iov_len = 4 - o->co_off;
				iov[cnt].iov_base = o->co_buf;
				iov[cnt++].iov_len = o->co_len;
			} else {
				iov[cnt].iov_base = o->co_buf + (o->co_off - 4);
				iov[cnt++].iov_len = o->co_len - (o->co_off - 4);
			}
		}
		n = writev(c->c_fd, iov, cnt);
		if (n == -1) {
			if (errno == EAGAIN || errno == EINTR)
				break;
			log_debug("conn %llu: write: %s",
			    (unsigned long long)c->c_id, strerror(errno));
			conn_abort(c, "write error");
			return -1;
		}
		while (n > 0 && (o = TAILQ_FIRST(&c->c_outq)) != NULL) {
			size_t left = o->co_len + 4 - o->co_off;

			if ((size_t)n < left) {
				o->co_off += (size_t)n;
				c->c_out_bytes -= (size_t)n;
				n = 0;
				break;
			}
			n -= (ssize_t)left;
			c->c_out_bytes -= left;
			TAILQ_REMOVE(&c->c_outq, o, co_entry);
			free(o->co_buf);
			free(o);
		}
	}
	if (c->c_throttled && c->c_out_bytes <= CONN_OUT_LOW)
		c->c_throttled = false;
	if (c->c_state == CONN_CLOSING && TAILQ_EMPTY(&c->c_outq)) {
		conn_abort(c, c->c_close_why);
		return -1;
	}
	conn_update_events(c);
	return c->c_state == CONN_DEAD ? -1 : 0;
}

int
conn_send(struct conn *c, uint8_t *msg, size_t len)
{
	struct conn_out *o;

	if (c->c_state == CONN_DEAD || len == 0 || len > 0xffffff) {
		free(msg);
		return -1;
	}
	if ((o = malloc(sizeof(*o))) == NULL) {
		free(msg);
		conn_abort(c, "out of memory");
		return -1;
	}
	o->co_frame[0] = 0;
	o->co_frame[1] = (uint8_t)(len >> 16);
	o->co_frame[2] = (uint8_t)(len >> 8);
	o->co_frame[3] = (uint8_t)len;
	o->co_buf = msg;
	o->co_len = len;
	o->co_off = 0;
	TAILQ_INSERT_TAIL(&c->c_outq, o, co_entry);
	c->c_out_bytes += len + 4;
	if (c->c_out_bytes > CONN_OUT_HIGH)
		c->c_throttled = true;
	return conn_flush(c);
}

/*
 * Reads at most one message's worth.  Returns 1 when a whole message was
 * delivered (adding its length to *bytes), 0 when the socket has nothing
 * more for now, -1 when the connection died.
 */
static int
conn_read_one(struct conn *c, size_t *bytes)
{
	ssize_t n;

	if (c->c_hdr_have < 4) {
		n = recv(c->c_fd, c->c_hdr + c->c_hdr_have,
		    4 - c->c_hdr_have, 0);
		if (n <= 0)
			goto readerr;
		c->c_hdr_have += (size_t)n;
		if (c->c_hdr_have < 4)
			return 0;
		/* MS-SMB2 2.1: one zero byte, then a 24-bit length. */
		c->c_in_len = ((size_t)c->c_hdr[1] << 16) |
		    ((size_t)c->c_hdr[2] << 8) | c->c_hdr[3];
		if (c->c_hdr[0] != 0) {
			conn_abort(c, "bad frame header");
			return -1;
		}
		if (c->c_in_len == 0 || c->c_in_len > CONN_MAX_MSG) {
			log_warnx("conn %llu: message of %zu bytes refused",
			    (unsigned long long)c->c_id, c->c_in_len);
			conn_abort(c, "message too large");
			return -1;
		}
		if ((c->c_in = malloc(c->c_in_len)) == NULL) {
			conn_abort(c, "out of memory");
			return -1;
		}
		c->c_in_have = 0;
	}
	n = recv(c->c_fd, c->c_in + c->c_in_have, c->c_in_len - c->c_in_have,
	    0);
	if (n <= 0)
		goto readerr;
	c->c_in_have += (size_t)n;
	if (c->c_in_have < c->c_in_len)
		return 0;

	/* A whole message: hand it over and start the next frame. */
	{
		uint8_t *msg = c->c_in;
		size_t len = c->c_in_len;

		c->c_in = NULL;
		c->c_in_len = c->c_in_have = 0;
		c->c_hdr_have = 0;
		*bytes += len;
		if (c->c_msgs_in++ == 0)
			loop_timer_cancel(&c->c_first_msg);
		if (on_msg != NULL)
			on_msg(c, msg, len);
		else
			free(msg);
	}
	return c->c_state == CONN_DEAD ? -1 : 1;

readerr:
	if (n == 0) {
		conn_abort(c, "closed by peer");
		return -1;
	}
	if (errno == EAGAIN || errno == EINTR)
		return 0;
	log_debug("conn %llu: read: %s", (unsigned long long)c->c_id,
	    strerror(errno));
	conn_abort(c, "read error");
	return -1;
}

static void
conn_io_cb(struct loop_io *io, uint32_t events, void *arg)
{
	struct conn *c = arg;
	size_t bytes = 0;
	int i, r;

	(void)io;
	if (c->c_state == CONN_DEAD)
		return;
	if (events & EPOLLERR) {
		conn_abort(c, "socket error");
		return;
	}
	if (events & EPOLLOUT) {
		if (conn_flush(c) == -1)
			return;
	}
	if ((events & (EPOLLIN | EPOLLHUP | EPOLLRDHUP)) == 0)
		return;
	/*
	 * The peer is gone while we are not reading (closing, or paused for
	 * back-pressure): level-triggered HUP would fire forever, so stop now.
	 */
	if ((events & (EPOLLHUP | EPOLLRDHUP)) &&
	    (c->c_state != CONN_LIVE || c->c_throttled)) {
		conn_abort(c, "closed by peer");
		return;
	}
	for (i = 0; i < CONN_MSGS_PER_EVENT && bytes < CONN_BYTES_PER_EVENT;
	    i++) {
		if (c->c_state != CONN_LIVE || c->c_throttled)
			return;
		if ((r = conn_read_one(c, &bytes)) <= 0)
			return;
	}
}

static void
conn_first_msg_cb(struct timer *t, void *arg)
{
	struct conn *c = arg;

	(void)t;
	conn_abort(c, "no message within the first-message timeout");
}
