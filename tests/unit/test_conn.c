/*
 * test_conn.c — Direct-TCP framing: whole messages from split reads, bad
 * frames and oversize lengths close only their own connection, output is
 * framed, back-pressure pauses input, the first-message timeout.
 */
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "conn.h"
#include "fake_clock.h"
#include "loop.h"
#include "server.h"

#define MAXMSGS	64

static struct {
	size_t		 len[MAXMSGS];
	uint8_t		*msg[MAXMSGS];
	struct conn	*from[MAXMSGS];
	int		 n;		/* kept */
	int		 total;		/* delivered */
	int		 gone;
} got;

static void
on_msg(struct conn *c, uint8_t *msg, size_t len)
{
	got.total++;
	if (got.n == MAXMSGS) {
		free(msg);
		return;
	}
	got.from[got.n] = c;
	got.len[got.n] = len;
	got.msg[got.n++] = msg;
}

static void
on_gone(struct conn *c)
{
	(void)c;
	got.gone++;
}

static int
setup(void **state)
{
	(void)state;
	server_init();
	conn_set_handlers(on_msg, on_gone);
	memset(&got, 0, sizeof(got));
	return loop_init();
}

static int
teardown(void **state)
{
	int i;

	(void)state;
	conn_close_all();
	loop_once(0);
	for (i = 0; i < got.n; i++)
		free(got.msg[i]);
	loop_free();
	return 0;
}

/* A connection over a socketpair; *peer is the client's end. */
static struct conn *
pair(int *peer)
{
	struct sockaddr_storage ss;
	struct conn *c;
	int sv[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0,
	    sv), 0);
	memset(&ss, 0, sizeof(ss));
	ss.ss_family = AF_UNIX;
	c = conn_accept(sv[0], &ss, sizeof(sa_family_t));
	assert_non_null(c);
	*peer = sv[1];
	return c;
}

static void
pump(int n)
{
	while (n-- > 0)
		loop_once(0);
}

/* True if the peer sees end-of-file (our side closed). */
static int
peer_closed(int fd)
{
	char b[4096];
	ssize_t r;

	while ((r = read(fd, b, sizeof(b))) > 0)
		;
	return r == 0;
}

static void
test_conn_reassembles_messages_split_anywhere(void **state)
{
	static const uint8_t stream[] = {
		0, 0, 0, 5, 'h', 'e', 'l', 'l', 'o',
		0, 0, 0, 3, 'a', 'b', 'c'
	};
	size_t i;
	int peer;

	(void)state;
	(void)pair(&peer);
	/* One byte at a time: the header and the body both arrive split. */
	for (i = 0; i < sizeof(stream); i++) {
		assert_int_equal(write(peer, stream + i, 1), 1);
		pump(1);
	}
	assert_int_equal(got.n, 2);
	assert_int_equal(got.len[0], 5);
	assert_memory_equal(got.msg[0], "hello", 5);
	assert_int_equal(got.len[1], 3);
	assert_memory_equal(got.msg[1], "abc", 3);
	assert_int_equal(got.gone, 0);
	close(peer);
}

static void
test_conn_delivers_many_messages_from_one_write(void **state)
{
	uint8_t buf[40 * 6];
	int i, peer;

	(void)state;
	(void)pair(&peer);
	for (i = 0; i < 40; i++) {
		uint8_t *p = buf + i * 6;

		p[0] = 0, p[1] = 0, p[2] = 0, p[3] = 2;
		p[4] = (uint8_t)i, p[5] = 0xee;
	}
	assert_int_equal(write(peer, buf, sizeof(buf)), (ssize_t)sizeof(buf));
	pump(4);
	assert_int_equal(got.n, 40);
	for (i = 0; i < 40; i++)
		assert_int_equal(got.msg[i][0], i);
	close(peer);
}

static void
test_conn_oversize_length_closes_only_that_connection(void **state)
{
	static const uint8_t too_big[] = { 0x00, 0xff, 0xff, 0xff };
	static const uint8_t sixteen_mib[] = { 0x01, 0x00, 0x00, 0x00 };
	static const uint8_t ok[] = { 0, 0, 0, 1, 'k' };
	struct conn *good;
	int p1, p2, p3;

	(void)state;
	(void)pair(&p1);
	(void)pair(&p2);
	good = pair(&p3);
	assert_int_equal(server.sv_nconns, 3);
	assert_int_equal(write(p1, too_big, 4), 4);
	assert_int_equal(write(p2, sixteen_mib, 4), 4);
	pump(2);
	assert_true(peer_closed(p1));
	assert_true(peer_closed(p2));
	assert_int_equal(got.gone, 2);
	assert_int_equal(server.sv_nconns, 1);
	assert_int_equal(write(p3, ok, sizeof(ok)), (ssize_t)sizeof(ok));
	pump(2);
	assert_int_equal(got.n, 1);
	assert_ptr_equal(got.from[0], good);
	close(p1);
	close(p2);
	close(p3);
}

static void
test_conn_zero_length_frame_is_refused(void **state)
{
	static const uint8_t zero[] = { 0, 0, 0, 0 };
	int peer;

	(void)state;
	(void)pair(&peer);
	assert_int_equal(write(peer, zero, 4), 4);
	pump(2);
	assert_true(peer_closed(peer));
	assert_int_equal(got.n, 0);
	close(peer);
}

static void
test_conn_send_frames_output(void **state)
{
	uint8_t in[16], *msg;
	struct conn *c;
	int peer;

	(void)state;
	c = pair(&peer);
	msg = malloc(3);
	memcpy(msg, "xyz", 3);
	assert_int_equal(conn_send(c, msg, 3), 0);
	pump(1);
	assert_int_equal(read(peer, in, sizeof(in)), 7);
	assert_memory_equal(in, "\0\0\0\3xyz", 7);
	close(peer);
}

static void
test_conn_close_flushes_queued_output_first(void **state)
{
	uint8_t in[16], *msg;
	struct conn *c;
	int peer;

	(void)state;
	c = pair(&peer);
	msg = malloc(2);
	memcpy(msg, "ok", 2);
	conn_send(c, msg, 2);
	conn_close(c, "test");
	pump(2);
	assert_int_equal(read(peer, in, sizeof(in)), 6);
	assert_true(peer_closed(peer));
	assert_int_equal(got.gone, 1);
	close(peer);
}

static void
test_conn_backpressure_pauses_input_until_drained(void **state)
{
	static const uint8_t m[] = { 0, 0, 0, 1, 'm' };
	struct conn *c;
	uint8_t *big, drain[65536];
	size_t chunk = 1u << 20;
	int i, peer;

	(void)state;
	c = pair(&peer);
	/* The peer does not read: queue more than the high-water mark. */
	for (i = 0; !c->c_throttled && i < 64; i++) {
		big = calloc(1, chunk);
		assert_int_equal(conn_send(c, big, chunk), 0);
	}
	assert_true(c->c_throttled);
	assert_int_equal(write(peer, m, sizeof(m)), (ssize_t)sizeof(m));
	pump(3);
	assert_int_equal(got.n, 0);	/* input paused */
	/* Bounded drain: once below the low mark, input resumes. */
	for (i = 0; i < 100000 && got.n == 0; i++) {
		while (read(peer, drain, sizeof(drain)) > 0)
			;
		loop_once(0);
	}
	assert_false(c->c_throttled);
	assert_int_equal(got.n, 1);
	close(peer);
}

static void
test_conn_first_message_timeout_closes_silent_peer(void **state)
{
	int quiet, chatty;
	static const uint8_t m[] = { 0, 0, 0, 1, 'm' };

	(void)state;
	(void)pair(&quiet);
	(void)pair(&chatty);
	assert_int_equal(write(chatty, m, sizeof(m)), (ssize_t)sizeof(m));
	pump(1);
	fake_clock_advance(CONN_FIRST_MSG_MS - 1);
	pump(1);
	assert_int_equal(got.gone, 0);
	fake_clock_advance(1);
	pump(1);
	assert_int_equal(got.gone, 1);
	assert_true(peer_closed(quiet));
	assert_int_equal(server.sv_nconns, 1);
	close(quiet);
	close(chatty);
}

static void
test_conn_many_connections_are_independent(void **state)
{
	enum { N = 200 };
	int peers[N], i;
	uint8_t m[5] = { 0, 0, 0, 1, 0 };

	(void)state;
	for (i = 0; i < N; i++)
		(void)pair(&peers[i]);
	for (i = 0; i < N; i += 2) {
		m[4] = (uint8_t)i;
		assert_int_equal(write(peers[i], m, 5), 5);
		/* Odd ones send garbage and must die alone. */
		assert_int_equal(write(peers[i + 1], "\xffSMB", 4), 4);
	}
	pump(4);
	assert_int_equal(got.total, N / 2);
	assert_int_equal(got.gone, N / 2);
	assert_int_equal(server.sv_nconns, N / 2);
	for (i = 0; i < N; i++)
		close(peers[i]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_conn_reassembles_messages_split_anywhere),
		T(test_conn_delivers_many_messages_from_one_write),
		T(test_conn_oversize_length_closes_only_that_connection),
		T(test_conn_zero_length_frame_is_refused),
		T(test_conn_send_frames_output),
		T(test_conn_close_flushes_queued_output_first),
		T(test_conn_backpressure_pauses_input_until_drained),
		T(test_conn_first_message_timeout_closes_silent_peer),
		T(test_conn_many_connections_are_independent),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
