/*
 * test_smb2_dispatch.c — SMB2 header processing through the real
 * dispatcher: a connection over a socketpair, requests built here,
 * responses read back (MS-SMB2 3.3.5.2, 3.3.5.3.1, 3.3.5.4).
 */
#include <sys/socket.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "conf.h"
#include "conn.h"
#include "log.h"
#include "loop.h"
#include "msgbuf.h"
#include "ntstatus.h"
#include "reqstats.h"
#include "server.h"
#include "session.h"
#include "share.h"
#include "smb2.h"
#include "smb2_async.h"
#include "smb2_req.h"
#include "smb2_negotiate.h"
#include "smb3_sign.h"
#include "srvs.h"

#include "fake_clock.h"

static struct conf	*cf;
static int		 peer;
static struct conn	*c;

static int
setup(void **state)
{
	static const char text[] =
	    "[global]\n\tsmb listen = 127.0.0.1:1\n"
	    "\tstate directory = /nonexistent\n"
	    "[data]\n\tpath = /nonexistent/data\n";
	struct sockaddr_storage ss;
	char err[256];
	int sv[2];

	(void)state;
	log_init("test_smb2_dispatch", 1, LOG_LVL_ERR);
	assert_int_equal(loop_init(), 0);
	server_init();
	cf = conf_parse(text, sizeof(text) - 1, "t.conf", "/", err,
	    sizeof(err));
	assert_non_null(cf);
	server.sv_conf = cf;
	assert_int_equal(share_apply(cf), 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0,
	    sv), 0);
	memset(&ss, 0, sizeof(ss));
	ss.ss_family = AF_UNIX;
	c = conn_accept(sv[0], &ss, sizeof(sa_family_t));
	assert_non_null(c);
	peer = sv[1];
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	conn_close_all();
	loop_once(0);
	/* Sessions went with their connections; the table may have grown. */
	idtab_free(&server.sv_session_ids);
	share_clear();
	conf_free(cf);
	server.sv_conf = NULL;
	close(peer);
	loop_free();
	return 0;
}

/* An SMB2 header for cmd with message id mid. */
static void
hdr(struct msgbuf_wr *wr, uint16_t cmd, uint64_t mid, uint16_t credits,
    uint32_t flags, uint32_t next)
{
	struct smb2_hdr h;

	memset(&h, 0, sizeof(h));
	h.h_command = cmd;
	h.h_mid = mid;
	h.h_credits = credits;
	h.h_flags = flags;
	h.h_next = next;
	h.h_credit_charge = 1;
	smb2_hdr_encode(wr, &h);
}

static void
negotiate_body(struct msgbuf_wr *wr, const uint16_t *d, int n, bool ctx)
{
	size_t ctxoff_at;
	int i;

	msgbuf_put_le16(wr, 36);
	msgbuf_put_le16(wr, (uint16_t)n);
	msgbuf_put_le16(wr, SMB2_NEGOTIATE_SIGNING_ENABLED);
	msgbuf_put_le16(wr, 0);
	msgbuf_put_le32(wr, SMB2_GLOBAL_CAP_ENCRYPTION);
	msgbuf_put_zero(wr, 16);			/* ClientGuid */
	ctxoff_at = msgbuf_reserve(wr, 8);
	for (i = 0; i < n; i++)
		msgbuf_put_le16(wr, d[i]);
	if (!ctx)
		return;
	msgbuf_align(wr, 8);
	msgbuf_patch_le32(wr, ctxoff_at, (uint32_t)msgbuf_wr_len(wr));
	msgbuf_patch_le16(wr, ctxoff_at + 4, 2);
	/* SMB2_PREAUTH_INTEGRITY_CAPABILITIES: SHA-512, 32-byte salt. */
	msgbuf_put_le16(wr, 1);
	msgbuf_put_le16(wr, 38);
	msgbuf_put_le32(wr, 0);
	msgbuf_put_le16(wr, 1);
	msgbuf_put_le16(wr, 32);
	msgbuf_put_le16(wr, 1);
	msgbuf_put_zero(wr, 32);
	msgbuf_align(wr, 8);
	/* SMB2_ENCRYPTION_CAPABILITIES: AES-256-GCM only. */
	msgbuf_put_le16(wr, 2);
	msgbuf_put_le16(wr, 4);
	msgbuf_put_le32(wr, 0);
	msgbuf_put_le16(wr, 1);
	msgbuf_put_le16(wr, 4);
}

/* Sends wr's bytes as one Direct-TCP message and runs the loop. */
static void
send_msg(struct msgbuf_wr *wr)
{
	uint8_t frame[4];
	size_t len = msgbuf_wr_len(wr);

	frame[0] = 0;
	frame[1] = (uint8_t)(len >> 16);
	frame[2] = (uint8_t)(len >> 8);
	frame[3] = (uint8_t)len;
	assert_int_equal(write(peer, frame, 4), 4);
	assert_int_equal(write(peer, wr->wr_buf, len), (ssize_t)len);
	msgbuf_wr_free(wr);
	loop_once(0);
	loop_once(0);
}

/* Reads one response; its length, or 0 if the server closed. */
static size_t
recv_msg(uint8_t *buf, size_t size)
{
	uint8_t frame[4];
	size_t len, have = 0;
	ssize_t n;

	n = read(peer, frame, 4);
	if (n <= 0)
		return 0;
	assert_int_equal(n, 4);
	len = ((size_t)frame[1] << 16) | ((size_t)frame[2] << 8) | frame[3];
	assert_true(len <= size);
	while (have < len) {
		n = read(peer, buf + have, len - have);
		assert_true(n > 0);
		have += (size_t)n;
	}
	return len;
}

static bool
closed(void)
{
	uint8_t b[256];

	loop_once(0);
	return read(peer, b, sizeof(b)) == 0;
}

static void
test_negotiate_picks_the_greatest_common_dialect(void **state)
{
	static const uint16_t d[] = { 0x0202, 0x0210, 0x0300, 0x0302 };
	struct msgbuf_wr wr;
	uint8_t rsp[4096];
	size_t len;

	(void)state;
	msgbuf_wr_init(&wr, 4096);
	hdr(&wr, SMB2_NEGOTIATE, 0, 1, 0, 0);
	negotiate_body(&wr, d, 4, false);
	send_msg(&wr);
	len = recv_msg(rsp, sizeof(rsp));
	assert_true(len >= 64 + 65);
	assert_int_equal(le32dec(rsp + 8), STATUS_SUCCESS);
	assert_int_equal(le16dec(rsp + 64), 65);
	assert_int_equal(le16dec(rsp + 64 + 4), 0x0302);
	/* 8 MiB limits, large MTU and encryption for a 3.0.2 client. */
	assert_int_equal(le32dec(rsp + 64 + 28), 8u << 20);
	assert_int_equal(le32dec(rsp + 64 + 24) & SMB2_GLOBAL_CAP_LARGE_MTU,
	    SMB2_GLOBAL_CAP_LARGE_MTU);
	assert_int_equal(le32dec(rsp + 64 + 24) & SMB2_GLOBAL_CAP_ENCRYPTION,
	    SMB2_GLOBAL_CAP_ENCRYPTION);
	/* The SPNEGO hint sits at SecurityBufferOffset. */
	assert_int_equal(le16dec(rsp + 64 + 56), 128);
	assert_int_equal(rsp[128], 0x60);
	assert_int_equal(c->c_dialect, 0x0302);
}

static void
test_negotiate_311_answers_contexts(void **state)
{
	static const uint16_t d[] = { 0x0311 };
	struct msgbuf_wr wr;
	uint8_t rsp[4096];
	size_t len, off;
	uint16_t n, i, type;
	bool saw_cipher = false;

	(void)state;
	msgbuf_wr_init(&wr, 4096);
	hdr(&wr, SMB2_NEGOTIATE, 0, 1, 0, 0);
	negotiate_body(&wr, d, 1, true);
	send_msg(&wr);
	len = recv_msg(rsp, sizeof(rsp));
	assert_int_equal(le32dec(rsp + 8), STATUS_SUCCESS);
	assert_int_equal(le16dec(rsp + 64 + 4), 0x0311);
	n = le16dec(rsp + 64 + 6);
	assert_int_equal(n, 2);
	off = le32dec(rsp + 64 + 60);
	for (i = 0; i < n; i++) {
		off = (off + 7) & ~(size_t)7;
		assert_true(off + 8 <= len);
		type = le16dec(rsp + off);
		if (type == 2) {
			assert_int_equal(le16dec(rsp + off + 10), 4);
			saw_cipher = true;
		}
		off += 8 + le16dec(rsp + off + 2);
	}
	assert_true(saw_cipher);
	assert_int_equal(c->c_cipher, 4);
}

static void
test_negotiate_311_without_preauth_is_invalid(void **state)
{
	static const uint16_t d[] = { 0x0311 };
	struct msgbuf_wr wr;
	uint8_t rsp[4096];

	(void)state;
	msgbuf_wr_init(&wr, 4096);
	hdr(&wr, SMB2_NEGOTIATE, 0, 1, 0, 0);
	negotiate_body(&wr, d, 1, false);
	send_msg(&wr);
	assert_true(recv_msg(rsp, sizeof(rsp)) >= 64);
	assert_int_equal(le32dec(rsp + 8), STATUS_INVALID_PARAMETER);
	assert_false(c->c_negotiated);
}

static void
test_negotiate_with_no_common_dialect_is_not_supported(void **state)
{
	static const uint16_t d[] = { 0x0201, 0x0399 };
	struct msgbuf_wr wr;
	uint8_t rsp[4096];

	(void)state;
	msgbuf_wr_init(&wr, 4096);
	hdr(&wr, SMB2_NEGOTIATE, 0, 1, 0, 0);
	negotiate_body(&wr, d, 2, false);
	send_msg(&wr);
	assert_true(recv_msg(rsp, sizeof(rsp)) >= 64);
	assert_int_equal(le32dec(rsp + 8), STATUS_NOT_SUPPORTED);
	/* ERROR response: StructureSize 9. */
	assert_int_equal(le16dec(rsp + 64), 9);
}

/* Every truncation of a valid NEGOTIATE is answered or dropped cleanly. */
static void
test_truncated_negotiate_never_succeeds(void **state)
{
	static const uint16_t d[] = { 0x0202, 0x0210 };
	struct msgbuf_wr full;
	size_t cut, len;
	uint8_t rsp[4096];

	(void)state;
	msgbuf_wr_init(&full, 4096);
	hdr(&full, SMB2_NEGOTIATE, 0, 1, 0, 0);
	negotiate_body(&full, d, 2, false);
	for (cut = 1; cut < msgbuf_wr_len(&full); cut++) {
		struct msgbuf_wr wr;

		teardown(NULL);
		setup(NULL);
		msgbuf_wr_init(&wr, 4096);
		msgbuf_put_bytes(&wr, full.wr_buf, cut);
		send_msg(&wr);
		/* An error answer, or the connection closed: never success. */
		len = recv_msg(rsp, sizeof(rsp));
		if (len > 0)
			assert_int_not_equal(le32dec(rsp + 8), STATUS_SUCCESS);
	}
	msgbuf_wr_free(&full);
}

static void
negotiate_202(void)
{
	static const uint16_t d[] = { 0x0202 };
	struct msgbuf_wr wr;
	uint8_t rsp[4096];

	msgbuf_wr_init(&wr, 4096);
	hdr(&wr, SMB2_NEGOTIATE, 0, 1, 0, 0);
	negotiate_body(&wr, d, 1, false);
	send_msg(&wr);
	assert_true(recv_msg(rsp, sizeof(rsp)) > 0);
	assert_int_equal(c->c_dialect, 0x0202);
}

static void
echo(struct msgbuf_wr *wr, uint64_t mid, uint16_t credits, uint32_t flags,
    uint32_t next)
{
	hdr(wr, SMB2_ECHO, mid, credits, flags, next);
	msgbuf_put_le16(wr, 4);
	msgbuf_put_le16(wr, 0);
}

static void
test_echo_grants_requested_credits_and_ids_advance(void **state)
{
	struct msgbuf_wr wr;
	uint8_t rsp[4096];

	(void)state;
	negotiate_202();
	msgbuf_wr_init(&wr, 4096);
	echo(&wr, 1, 10, 0, 0);
	send_msg(&wr);
	assert_true(recv_msg(rsp, sizeof(rsp)) > 0);
	assert_int_equal(le32dec(rsp + 8), STATUS_SUCCESS);
	assert_int_equal(le16dec(rsp + 14), 10);
	assert_int_equal(le64dec(rsp + 24), 1);
	/* Ids 2..11 are now granted; 11 is usable before 2. */
	msgbuf_wr_init(&wr, 4096);
	echo(&wr, 11, 1, 0, 0);
	send_msg(&wr);
	assert_true(recv_msg(rsp, sizeof(rsp)) > 0);
	assert_int_equal(le64dec(rsp + 24), 11);
}

static void
test_reused_message_id_disconnects(void **state)
{
	struct msgbuf_wr wr;
	uint8_t rsp[4096];

	(void)state;
	negotiate_202();
	msgbuf_wr_init(&wr, 4096);
	echo(&wr, 1, 1, 0, 0);
	send_msg(&wr);
	assert_true(recv_msg(rsp, sizeof(rsp)) > 0);
	msgbuf_wr_init(&wr, 4096);
	echo(&wr, 1, 1, 0, 0);
	send_msg(&wr);
	assert_true(closed());
}

static void
test_message_id_beyond_the_window_disconnects(void **state)
{
	struct msgbuf_wr wr;

	(void)state;
	negotiate_202();
	msgbuf_wr_init(&wr, 4096);
	echo(&wr, 5000, 1, 0, 0);
	send_msg(&wr);
	assert_true(closed());
}

static void
test_request_before_negotiate_disconnects(void **state)
{
	struct msgbuf_wr wr;

	(void)state;
	msgbuf_wr_init(&wr, 4096);
	echo(&wr, 0, 1, 0, 0);
	send_msg(&wr);
	assert_true(closed());
}

static void
test_second_negotiate_disconnects(void **state)
{
	static const uint16_t d[] = { 0x0202 };
	struct msgbuf_wr wr;

	(void)state;
	negotiate_202();
	msgbuf_wr_init(&wr, 4096);
	hdr(&wr, SMB2_NEGOTIATE, 1, 1, 0, 0);
	negotiate_body(&wr, d, 1, false);
	send_msg(&wr);
	assert_true(closed());
}

static void
test_compound_of_echoes_gets_a_chained_answer(void **state)
{
	struct msgbuf_wr wr;
	uint8_t rsp[4096];
	size_t len, next;

	(void)state;
	negotiate_202();
	msgbuf_wr_init(&wr, 4096);
	echo(&wr, 1, 3, 0, 72);
	msgbuf_align(&wr, 8);
	echo(&wr, 2, 1, 0, 0);
	send_msg(&wr);
	len = recv_msg(rsp, sizeof(rsp));
	next = le32dec(rsp + 20);
	assert_int_equal(next % 8, 0);
	assert_true(next >= 68 && next + 68 <= len);
	assert_int_equal(le64dec(rsp + 24), 1);
	assert_int_equal(le64dec(rsp + next + 24), 2);
	assert_int_equal(le32dec(rsp + next + 20), 0);
}

static void
test_misaligned_next_command_disconnects(void **state)
{
	struct msgbuf_wr wr;

	(void)state;
	negotiate_202();
	msgbuf_wr_init(&wr, 4096);
	echo(&wr, 1, 3, 0, 68);
	echo(&wr, 2, 1, 0, 0);
	send_msg(&wr);
	assert_true(closed());
}

static void
test_related_first_request_is_invalid_parameter(void **state)
{
	struct msgbuf_wr wr;
	uint8_t rsp[4096];

	(void)state;
	negotiate_202();
	msgbuf_wr_init(&wr, 4096);
	echo(&wr, 1, 1, SMB2_FLAGS_RELATED_OPERATIONS, 0);
	send_msg(&wr);
	assert_true(recv_msg(rsp, sizeof(rsp)) > 0);
	assert_int_equal(le32dec(rsp + 8), STATUS_INVALID_PARAMETER);
}

static void
test_unknown_session_is_user_session_deleted(void **state)
{
	struct msgbuf_wr wr;
	struct smb2_hdr h;
	uint8_t rsp[4096];

	(void)state;
	negotiate_202();
	msgbuf_wr_init(&wr, 4096);
	memset(&h, 0, sizeof(h));
	h.h_command = SMB2_TREE_CONNECT;
	h.h_mid = 1;
	h.h_credits = 1;
	h.h_session_id = 0x1234;
	smb2_hdr_encode(&wr, &h);
	msgbuf_put_le16(&wr, 9);
	msgbuf_put_zero(&wr, 7);
	send_msg(&wr);
	assert_true(recv_msg(rsp, sizeof(rsp)) > 0);
	assert_int_equal(le32dec(rsp + 8), STATUS_USER_SESSION_DELETED);
}

static void
negotiate_300(void)
{
	static const uint16_t d[] = { 0x0300 };
	struct msgbuf_wr wr;
	uint8_t rsp[4096];

	msgbuf_wr_init(&wr, 4096);
	hdr(&wr, SMB2_NEGOTIATE, 0, 8, 0, 0);
	negotiate_body(&wr, d, 1, false);
	send_msg(&wr);
	assert_true(recv_msg(rsp, sizeof(rsp)) > 0);
	assert_int_equal(c->c_dialect, 0x0300);
}

/*
 * A valid, signing session of dialect on a connection of its own (not
 * c), with a known signing key.
 */
static struct session *
session_elsewhere(uint16_t dialect, int *other)
{
	struct sockaddr_storage ss;
	struct session *s;
	struct conn *c2;
	int sv[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0,
	    sv), 0);
	memset(&ss, 0, sizeof(ss));
	ss.ss_family = AF_UNIX;
	c2 = conn_accept(sv[0], &ss, sizeof(sa_family_t));
	assert_non_null(c2);
	*other = sv[1];
	c2->c_dialect = dialect;
	assert_non_null(s = session_new(c2));
	memset(s->s_keys.sk_signing, 0x5a, sizeof(s->s_keys.sk_signing));
	s->s_authenticated = true;
	s->s_signing_required = true;
	session_set_state(s, SESSION_VALID);
	return s;
}

/* A signed-looking QUERY_INFO naming session id, sent on c. */
static size_t
query_on_c(uint64_t mid, uint64_t id, uint32_t flags, uint8_t *rsp,
    size_t size)
{
	struct msgbuf_wr wr;
	struct smb2_hdr h;

	msgbuf_wr_init(&wr, 4096);
	memset(&h, 0, sizeof(h));
	h.h_command = SMB2_QUERY_INFO;
	h.h_mid = mid;
	h.h_credits = 1;
	h.h_credit_charge = 1;
	h.h_flags = flags;
	h.h_session_id = id;
	smb2_hdr_encode(&wr, &h);
	/* The signature field: anything, no channel can check it. */
	memset(wr.wr_buf + 48, 0xa5, 16);
	msgbuf_put_le16(&wr, 41);
	msgbuf_put_zero(&wr, 40);
	send_msg(&wr);
	return recv_msg(rsp, size);
}

/*
 * MS-SMB2 3.3.5.2.9 and 3.3.4.1.1: a signed request on a connection the
 * session never bound is STATUS_USER_SESSION_DELETED, signed with
 * Session.SigningKey so that a signing client believes it; an unsigned
 * request, or one naming a session of another dialect (never bindable
 * here), gets an unsigned answer.
 */
static void
test_unbound_session_is_user_session_deleted_signed_with_session_key(
    void **state)
{
	struct session *s, *s21;
	uint8_t rsp[4096];
	size_t len;
	int other, other21;

	(void)state;
	negotiate_300();
	s = session_elsewhere(0x0300, &other);
	len = query_on_c(1, s->s_id, SMB2_FLAGS_SIGNED, rsp, sizeof(rsp));
	assert_true(len >= 64);
	assert_int_equal(le32dec(rsp + 8), STATUS_USER_SESSION_DELETED);
	assert_true(le32dec(rsp + 16) & SMB2_FLAGS_SIGNED);
	assert_int_equal(smb3_sign_verify(SMB2_SIGNING_AES_CMAC,
	    s->s_keys.sk_signing, 16, rsp, len), 0);

	len = query_on_c(2, s->s_id, 0, rsp, sizeof(rsp));
	assert_int_equal(le32dec(rsp + 8), STATUS_USER_SESSION_DELETED);
	assert_false(le32dec(rsp + 16) & SMB2_FLAGS_SIGNED);

	s21 = session_elsewhere(0x0210, &other21);
	len = query_on_c(3, s21->s_id, SMB2_FLAGS_SIGNED, rsp, sizeof(rsp));
	assert_int_equal(le32dec(rsp + 8), STATUS_USER_SESSION_DELETED);
	assert_false(le32dec(rsp + 16) & SMB2_FLAGS_SIGNED);
	close(other);
	close(other21);
}

/* A valid, authenticated session of c's (no signing) with no trees. */
static struct session *
session_here(void)
{
	struct session *s;

	assert_non_null(s = session_new(c));
	s->s_authenticated = true;
	snprintf(s->s_user, sizeof(s->s_user), "alice");
	session_set_state(s, SESSION_VALID);
	return s;
}

/* A bodiless-enough request of cmd on session id; its status. */
static uint32_t
status_of(uint16_t cmd, uint64_t mid, uint64_t id)
{
	struct msgbuf_wr wr;
	struct smb2_hdr h;
	uint8_t rsp[4096];

	msgbuf_wr_init(&wr, 4096);
	memset(&h, 0, sizeof(h));
	h.h_command = cmd;
	h.h_mid = mid;
	h.h_credits = 1;
	h.h_credit_charge = 1;
	h.h_session_id = id;
	smb2_hdr_encode(&wr, &h);
	if (cmd == SMB2_LOGOFF) {
		msgbuf_put_le16(&wr, 4);
		msgbuf_put_le16(&wr, 0);
	} else {
		msgbuf_put_le16(&wr, 41);	/* QUERY_INFO */
		msgbuf_put_zero(&wr, 40);
	}
	send_msg(&wr);
	assert_true(recv_msg(rsp, sizeof(rsp)) >= 64);
	return le32dec(rsp + 8);
}

/*
 * MS-SMB2 3.3.2.3 / 3.3.6.3: when ExpirationTime passes, the Session
 * Expiration Timer makes a valid session Expired and sts0_stimedout
 * counts it; 3.3.5.2.9: then every request but LOGOFF, CLOSE and LOCK
 * gets STATUS_NETWORK_SESSION_EXPIRED, and LOGOFF still works.
 */
static void
test_expired_session_answers_network_session_expired_until_logoff(
    void **state)
{
	struct session *s;
	uint64_t timedout = srvs_stats.st_stimedout, id;

	(void)state;
	negotiate_202();
	s = session_here();
	id = s->s_id;
	session_set_expiry(s, 10);
	fake_clock_advance(9999);
	loop_once(0);
	assert_int_equal(s->s_state, SESSION_VALID);
	/* No tree: the tree check answers, not the session's. */
	assert_int_equal(status_of(SMB2_QUERY_INFO, 1, id),
	    STATUS_NETWORK_NAME_DELETED);
	fake_clock_advance(1);
	loop_once(0);
	assert_int_equal(s->s_state, SESSION_EXPIRED);
	assert_int_equal(srvs_stats.st_stimedout, timedout + 1);
	assert_int_equal(status_of(SMB2_QUERY_INFO, 2, id),
	    STATUS_NETWORK_SESSION_EXPIRED);
	assert_int_equal(srvs_stats.st_stimedout, timedout + 1);
	assert_int_equal(status_of(SMB2_LOGOFF, 3, id), STATUS_SUCCESS);
	assert_int_equal(status_of(SMB2_QUERY_INFO, 4, id),
	    STATUS_USER_SESSION_DELETED);
}

/*
 * 3.3.6.3 needs no timer turn: a request that finds ExpirationTime
 * passed expires the session itself; only a valid session expires, and
 * an ExpirationTime of 0 (the default, "session expiry = 0") is never.
 */
static void
test_session_expire_due_moves_only_valid_sessions_past_their_time(
    void **state)
{
	struct session *s;
	uint64_t now, timedout = srvs_stats.st_stimedout;

	(void)state;
	negotiate_202();
	s = session_here();
	session_set_expiry(s, 0);
	assert_int_equal(s->s_expires_ms, 0);
	assert_false(session_expire_due(s, UINT64_MAX));
	session_set_expiry(s, 5);
	now = s->s_expires_ms;
	session_set_state(s, SESSION_IN_PROGRESS);
	assert_false(session_expire_due(s, now));
	session_set_state(s, SESSION_VALID);
	assert_false(session_expire_due(s, now - 1));
	assert_true(session_expire_due(s, now));
	assert_int_equal(srvs_stats.st_stimedout, timedout + 1);
	/* Already expired: counted once. */
	assert_true(session_expire_due(s, now + 1));
	assert_int_equal(srvs_stats.st_stimedout, timedout + 1);
}

/*
 * 3.3.5.5.3: a re-authentication sets a new ExpirationTime (the timer
 * re-armed, one per session), and a session that ends takes its timer
 * off the heap.
 */
static void
test_reauth_rearms_and_session_end_cancels_the_expiry_timer(void **state)
{
	struct session *s;
	size_t before;

	(void)state;
	negotiate_202();
	before = loop_timer_count();
	s = session_here();
	session_set_expiry(s, 10);
	assert_int_equal(loop_timer_count(), before + 1);
	fake_clock_advance(10000);
	loop_once(0);
	assert_int_equal(s->s_state, SESSION_EXPIRED);
	assert_int_equal(loop_timer_count(), before);
	session_set_state(s, SESSION_VALID);
	session_set_expiry(s, 10);
	session_set_expiry(s, 20);
	assert_int_equal(loop_timer_count(), before + 1);
	fake_clock_advance(10000);
	loop_once(0);
	assert_int_equal(s->s_state, SESSION_VALID);
	session_destroy(s, "test");
	assert_int_equal(loop_timer_count(), before);
}

static void
test_smb1_negotiate_upgrades_to_wildcard(void **state)
{
	static const char dialects[] = "\x02NT LM 0.12\0\x02SMB 2.002\0"
	    "\x02SMB 2.???";
	struct msgbuf_wr wr;
	uint8_t rsp[4096];

	(void)state;
	msgbuf_wr_init(&wr, 4096);
	msgbuf_put_le32(&wr, 0x424d53ff);
	msgbuf_put_u8(&wr, 0x72);
	msgbuf_put_zero(&wr, 27);
	msgbuf_put_u8(&wr, 0);				/* WordCount */
	msgbuf_put_le16(&wr, sizeof(dialects));
	msgbuf_put_bytes(&wr, dialects, sizeof(dialects));
	send_msg(&wr);
	assert_true(recv_msg(rsp, sizeof(rsp)) >= 64 + 65);
	assert_int_equal(le32dec(rsp), SMB2_PROTO_ID);
	assert_int_equal(le16dec(rsp + 64 + 4), SMB2_DIALECT_WILDCARD);
	assert_false(c->c_negotiated && c->c_dialect != 0);
	assert_int_equal(c->c_seq_low, 1);
}

/*
 * reqstats.h: a request that goes async (MS-SMB2 3.3.4.2) as a handler
 * makes it go, arrived start_ago_ns before now.  The interim answer is
 * the dispatcher's business; here only the final one matters.
 */
static struct smb2_async *
async_lock(uint64_t mid, uint64_t start_ago_ns, smb2_async_fn drop,
    void *arg)
{
	struct smb_req r;
	struct smb2_async *a;

	memset(&r, 0, sizeof(r));
	r.r_conn = c;
	r.r_hdr.h_command = SMB2_LOCK;
	r.r_hdr.h_mid = mid;
	r.r_last = true;
	r.r_start_ns = reqstats_start() - start_ago_ns;
	assert_non_null(a = smb2_async_start(&r, NULL, drop, arg));
	return a;
}

static bool
error_counted(uint32_t status)
{
	const struct reqstats_err *re;
	unsigned int n, i;
	uint64_t other;

	re = reqstats_errors(&n, &other);
	for (i = 0; i < n; i++)
		if (re[i].re_status == status)
			return re[i].re_count > 0;
	return false;
}

static void
test_async_final_answer_is_timed_from_the_request_arrival(void **state)
{
	const struct reqstats_cmd *rc = reqstats_cmd(SMB2_LOCK);
	struct smb2_async *a;
	struct msgbuf_wr body;
	uint8_t rsp[4096];
	size_t i, len;

	(void)state;
	negotiate_202();
	reqstats_clear();
	/* A blocking lock that has waited 300 ms when it is granted. */
	a = async_lock(7, 300000000u, NULL, NULL);
	assert_int_equal(rc->rc_count, 0);
	msgbuf_wr_init(&body, 4);
	msgbuf_put_le16(&body, 4);
	msgbuf_put_le16(&body, 0);
	smb2_async_complete(a, STATUS_SUCCESS, &body);
	msgbuf_wr_free(&body);
	loop_once(0);
	assert_true((len = recv_msg(rsp, sizeof(rsp))) >= 64 + 4);
	assert_int_equal(le16dec(rsp + 12), SMB2_LOCK);
	assert_int_equal(le32dec(rsp + 8), STATUS_SUCCESS);
	assert_true(le32dec(rsp + 16) & SMB2_FLAGS_ASYNC_COMMAND);
	assert_int_equal(le64dec(rsp + 24), 7);
	/* Observed once, in the 250 ms - 1 s bucket (index 11). */
	assert_int_equal(rc->rc_count, 1);
	assert_true(rc->rc_sum_ns >= 300000000u);
	for (i = 0; i < REQSTATS_NBUCKETS; i++)
		assert_int_equal(rc->rc_bucket[i], i == 11 ? 1 : 0);
	assert_int_equal(rc->rc_over, 0);
	assert_int_equal(rc->rc_cancelled, 0);
}

static void
test_cancelled_async_request_is_counted_apart_from_latency(void **state)
{
	const struct reqstats_cmd *rc = reqstats_cmd(SMB2_LOCK);
	const struct reqstats_cmd *cancel = reqstats_cmd(SMB2_CANCEL);
	struct msgbuf_wr wr;
	uint8_t rsp[4096];

	(void)state;
	negotiate_202();
	reqstats_clear();
	(void)async_lock(9, 5000000000u, NULL, NULL);
	/* CANCEL in the sync form (3.3.5.16): the MessageId names it. */
	msgbuf_wr_init(&wr, 4096);
	hdr(&wr, SMB2_CANCEL, 9, 0, 0, 0);
	msgbuf_put_le16(&wr, 4);
	msgbuf_put_le16(&wr, 0);
	send_msg(&wr);
	assert_true(recv_msg(rsp, sizeof(rsp)) >= 64);
	assert_int_equal(le16dec(rsp + 12), SMB2_LOCK);
	assert_int_equal(le32dec(rsp + 8), STATUS_CANCELLED);
	assert_int_equal(le64dec(rsp + 24), 9);
	/* Its 5 s wait is the client's choice: not in the histogram. */
	assert_int_equal(rc->rc_count, 0);
	assert_int_equal(rc->rc_sum_ns, 0);
	assert_int_equal(rc->rc_over, 0);
	assert_int_equal(rc->rc_cancelled, 1);
	assert_true(error_counted(STATUS_CANCELLED));
	/* CANCEL itself has no answer of its own and is not a request here. */
	assert_int_equal(cancel->rc_count, 0);
	assert_int_equal(cancel->rc_cancelled, 0);
}

static void
dropped(struct smb2_async *a, void *arg)
{
	(void)a;
	*(int *)arg += 1;
}

static void
test_async_request_dropped_with_its_connection_is_not_counted(void **state)
{
	const struct reqstats_cmd *rc = reqstats_cmd(SMB2_LOCK);
	int drops = 0;

	(void)state;
	negotiate_202();
	reqstats_clear();
	(void)async_lock(11, 400000000u, dropped, &drops);
	conn_close_all();
	loop_once(0);
	assert_int_equal(drops, 1);
	assert_int_equal(rc->rc_count, 0);
	assert_int_equal(rc->rc_cancelled, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_negotiate_picks_the_greatest_common_dialect),
		T(test_negotiate_311_answers_contexts),
		T(test_negotiate_311_without_preauth_is_invalid),
		T(test_negotiate_with_no_common_dialect_is_not_supported),
		T(test_truncated_negotiate_never_succeeds),
		T(test_echo_grants_requested_credits_and_ids_advance),
		T(test_reused_message_id_disconnects),
		T(test_message_id_beyond_the_window_disconnects),
		T(test_request_before_negotiate_disconnects),
		T(test_second_negotiate_disconnects),
		T(test_compound_of_echoes_gets_a_chained_answer),
		T(test_misaligned_next_command_disconnects),
		T(test_related_first_request_is_invalid_parameter),
		T(test_unknown_session_is_user_session_deleted),
		T(test_unbound_session_is_user_session_deleted_signed_with_session_key),
		T(test_expired_session_answers_network_session_expired_until_logoff),
		T(test_session_expire_due_moves_only_valid_sessions_past_their_time),
		T(test_reauth_rearms_and_session_end_cancels_the_expiry_timer),
		T(test_smb1_negotiate_upgrades_to_wildcard),
		T(test_async_final_answer_is_timed_from_the_request_arrival),
		T(test_cancelled_async_request_is_counted_apart_from_latency),
		T(test_async_request_dropped_with_its_connection_is_not_counted),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
