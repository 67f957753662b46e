/*
 * lifecycle_wire.c — the SMB2 client of the lifecycle rule tests (see
 * lifecycle_wire.h).
 */
#include <sys/socket.h>

#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "brlock.h"
#include "conf.h"
#include "conn.h"
#include "lease.h"
#include "log.h"
#include "loop.h"
#include "msgbuf.h"
#include "ntstatus.h"
#include "ofile.h"
#include "oplock.h"
#include "server.h"
#include "session.h"
#include "share.h"
#include "smb2.h"
#include "srvs.h"
#include "tree.h"

#include "fake_clock.h"
#include "lifecycle_wire.h"

static struct conf	*cf;
static char		 dir[64];
struct share		*data;
struct client		 cl[3];
uint64_t		 base_sopens, base_fopens;

/* Sends wr's bytes as one Direct-TCP message and runs the loop. */
static void
send_msg(struct client *cp, struct msgbuf_wr *wr)
{
	uint8_t frame[4];
	size_t len = msgbuf_wr_len(wr);

	assert_true(msgbuf_wr_ok(wr));
	frame[0] = 0;
	frame[1] = (uint8_t)(len >> 16);
	frame[2] = (uint8_t)(len >> 8);
	frame[3] = (uint8_t)len;
	assert_int_equal(write(cp->fd, frame, 4), 4);
	assert_int_equal(write(cp->fd, wr->wr_buf, len), (ssize_t)len);
	msgbuf_wr_free(wr);
	loop_once(0);
	loop_once(0);
}

/* One response, at least a header long; its length. */
static size_t
recv_msg(struct client *cp, uint8_t *buf, size_t size)
{
	uint8_t frame[4];
	size_t len, have = 0;
	ssize_t n;

	assert_int_equal(read(cp->fd, frame, 4), 4);
	len = ((size_t)frame[1] << 16) | ((size_t)frame[2] << 8) | frame[3];
	assert_true(len >= 64 && len <= size);
	while (have < len) {
		n = read(cp->fd, buf + have, len - have);
		assert_true(n > 0);
		have += (size_t)n;
	}
	return len;
}

static void
put_hdr(struct msgbuf_wr *wr, struct client *cp, uint16_t cmd,
    uint64_t sid, uint32_t tid)
{
	struct smb2_hdr h;

	memset(&h, 0, sizeof(h));
	h.h_command = cmd;
	h.h_mid = cp->mid++;
	h.h_credits = 1;
	h.h_credit_charge = 1;
	h.h_session_id = sid;
	h.h_tree_id = tid;
	smb2_hdr_encode(wr, &h);
}

/* A connection that negotiated dialect with ClientGuid guid (all g). */
void
client_open(struct client *cp, uint16_t dialect, uint8_t g)
{
	struct sockaddr_storage ss;
	struct msgbuf_wr wr;
	uint8_t rsp[1024], guid[16];
	int sv[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0,
	    sv), 0);
	memset(&ss, 0, sizeof(ss));
	ss.ss_family = AF_UNIX;
	assert_non_null(cp->c = conn_accept(sv[0], &ss, sizeof(sa_family_t)));
	cp->fd = sv[1];
	cp->mid = 0;
	memset(guid, g, sizeof(guid));
	msgbuf_wr_init(&wr, 1024);
	put_hdr(&wr, cp, SMB2_NEGOTIATE, 0, 0);
	msgbuf_put_le16(&wr, 36);
	msgbuf_put_le16(&wr, 1);			/* DialectCount */
	msgbuf_put_le16(&wr, 1);			/* signing enabled */
	msgbuf_put_le16(&wr, 0);
	msgbuf_put_le32(&wr, 0);			/* Capabilities */
	msgbuf_put_bytes(&wr, guid, 16);
	msgbuf_put_zero(&wr, 8);
	msgbuf_put_le16(&wr, dialect);
	send_msg(cp, &wr);
	recv_msg(cp, rsp, sizeof(rsp));
	assert_int_equal(le32dec(rsp + 8), STATUS_SUCCESS);
	assert_int_equal(cp->c->c_dialect, dialect);
}

/* The client closes its end; the server notices (3.3.7.1). */
void
client_drop(struct client *cp)
{
	close(cp->fd);
	cp->fd = -1;
	cp->c = NULL;
	loop_once(0);
	loop_once(0);
	loop_once(0);
}

/* A valid session of user on cp's connection, as SESSION_SETUP makes. */
struct session *
session_of(struct client *cp, const char *user)
{
	struct session *s;

	assert_non_null(s = session_new(cp->c));
	s->s_authenticated = true;
	snprintf(s->s_user, sizeof(s->s_user), "%s", user);
	session_set_state(s, SESSION_VALID);
	return s;
}

struct tree *
tree_of(struct session *s)
{
	struct tree *t;

	assert_int_equal(tree_connect(s, data, &t), STATUS_SUCCESS);
	/* 3.3.5.7 step 7: MaximalAccess of a writable share. */
	t->t_max_access = FILE_ALL_ACCESS;
	return t;
}

/* ---- CREATE ---- */

struct ctx
dhnq(void)
{
	struct ctx x = { "DHnQ", { 0 }, 16 };

	return x;
}

struct ctx
dhnc(uint64_t p, uint64_t v)
{
	struct ctx x = { "DHnC", { 0 }, 16 };

	le64enc(x.data, p);
	le64enc(x.data + 8, v);
	return x;
}

struct ctx
dh2q(uint32_t timeout, uint8_t g)
{
	struct ctx x = { "DH2Q", { 0 }, 32 };

	le32enc(x.data, timeout);
	memset(x.data + 16, g, 16);		/* CreateGuid */
	return x;
}

struct ctx
dh2c(uint64_t p, uint64_t v, uint8_t g)
{
	struct ctx x = { "DH2C", { 0 }, 36 };

	le64enc(x.data, p);
	le64enc(x.data + 8, v);
	memset(x.data + 16, g, 16);
	return x;
}

/* SMB2_CREATE_REQUEST_LEASE (2.2.13.2.8): key all k, state. */
struct ctx
lease(uint8_t k, uint32_t state)
{
	struct ctx x = { "RqLs", { 0 }, 32 };

	memset(x.data, k, 16);
	le32enc(x.data + 16, state);
	return x;
}

/* CREATE of name on (s, t) with oplock and contexts; what came back. */
struct created
create(struct client *cp, struct session *s, struct tree *t,
    const char *name, uint8_t oplock, uint32_t opts, const struct ctx *x,
    size_t nx)
{
	struct created cr;
	struct msgbuf_wr wr;
	struct msgbuf_rd rd;
	size_t ctxoff_at, prev = 0, i, start;
	uint32_t off, len, next, doff, dlen;
	uint16_t noff, nlen;
	uint8_t rsp[4096];
	const uint8_t *b;

	msgbuf_wr_init(&wr, 4096);
	put_hdr(&wr, cp, SMB2_CREATE, s->s_id, t != NULL ? t->t_id : 0);
	msgbuf_put_le16(&wr, 57);
	msgbuf_put_u8(&wr, 0);				/* SecurityFlags */
	msgbuf_put_u8(&wr, oplock);
	msgbuf_put_le32(&wr, 2);			/* Impersonation */
	msgbuf_put_zero(&wr, 16);
	msgbuf_put_le32(&wr, (opts & FILE_DIRECTORY_FILE_OPT) ?
	    FILE_READ_ATTRIBUTES : RW);
	msgbuf_put_le32(&wr, 0);			/* FileAttributes */
	msgbuf_put_le32(&wr, FILE_SHARE_READ | FILE_SHARE_WRITE |
	    FILE_SHARE_DELETE);
	msgbuf_put_le32(&wr, FILE_OPEN_IF_DISP);
	msgbuf_put_le32(&wr, opts);
	msgbuf_put_le16(&wr, 120);			/* NameOffset */
	msgbuf_put_le16(&wr, (uint16_t)(strlen(name) * 2));
	ctxoff_at = msgbuf_reserve(&wr, 8);
	for (i = 0; name[i] != '\0'; i++)
		msgbuf_put_le16(&wr, (uint16_t)name[i]);
	if (i == 0)
		msgbuf_put_u8(&wr, 0);
	if (nx > 0) {
		msgbuf_align(&wr, 8);
		msgbuf_patch_le32(&wr, ctxoff_at, (uint32_t)msgbuf_wr_len(&wr));
		start = msgbuf_wr_len(&wr);
		for (i = 0; i < nx; i++) {
			msgbuf_align(&wr, 8);
			if (i > 0)
				msgbuf_patch_le32(&wr, prev,
				    (uint32_t)(msgbuf_wr_len(&wr) - prev));
			prev = msgbuf_wr_len(&wr);
			msgbuf_put_le32(&wr, 0);		/* Next */
			msgbuf_put_le16(&wr, 16);
			msgbuf_put_le16(&wr, 4);
			msgbuf_put_le16(&wr, 0);
			msgbuf_put_le16(&wr, 24);
			msgbuf_put_le32(&wr, (uint32_t)x[i].len);
			msgbuf_put_bytes(&wr, x[i].name, 4);
			msgbuf_put_zero(&wr, 4);
			msgbuf_put_bytes(&wr, x[i].data, x[i].len);
		}
		msgbuf_patch_le32(&wr, ctxoff_at + 4,
		    (uint32_t)(msgbuf_wr_len(&wr) - start));
	}
	send_msg(cp, &wr);

	memset(&cr, 0, sizeof(cr));
	len = (uint32_t)recv_msg(cp, rsp, sizeof(rsp));
	cr.status = le32dec(rsp + 8);
	if (cr.status != STATUS_SUCCESS)
		return cr;
	cr.oplock = rsp[64 + 2];
	cr.p = le64dec(rsp + 64 + 64);
	cr.v = le64dec(rsp + 64 + 72);
	off = le32dec(rsp + 64 + 80);
	msgbuf_rd_init(&rd, rsp, len);
	for (len = le32dec(rsp + 64 + 84); len > 0; off += next) {
		msgbuf_seek(&rd, off);
		next = msgbuf_get_le32(&rd);
		noff = msgbuf_get_le16(&rd);
		nlen = msgbuf_get_le16(&rd);
		msgbuf_skip(&rd, 2);
		doff = msgbuf_get_le16(&rd);
		dlen = msgbuf_get_le32(&rd);
		assert_true(msgbuf_rd_ok(&rd) && nlen == 4);
		msgbuf_seek(&rd, off + noff);
		b = msgbuf_get_ptr(&rd, 4);
		msgbuf_seek(&rd, off + doff);
		assert_non_null(b);
		if (memcmp(b, "DHnQ", 4) == 0) {
			cr.dhnq = true;
			assert_int_equal(dlen, 8);
			msgbuf_get_bytes(&rd, cr.dhnq_data, 8);
		} else if (memcmp(b, "DH2Q", 4) == 0) {
			cr.dh2q = true;
			assert_int_equal(dlen, 8);
			cr.dh2q_timeout = msgbuf_get_le32(&rd);
			cr.dh2q_flags = msgbuf_get_le32(&rd);
		} else if (memcmp(b, "RqLs", 4) == 0) {
			cr.lease = true;
			msgbuf_skip(&rd, 16);
			cr.lease_state = msgbuf_get_le32(&rd);
		}
		assert_true(msgbuf_rd_ok(&rd));
		if (next == 0)
			break;
	}
	return cr;
}

/* A plain, successful CREATE of name; its open. */
struct ofile *
open_plain(struct client *cp, struct session *s, struct tree *t,
    const char *name, uint8_t oplock, const struct ctx *x, size_t nx)
{
	struct created cr;
	struct ofile *of;

	cr = create(cp, s, t, name, oplock, FILE_NON_DIRECTORY_FILE_OPT, x,
	    nx);
	assert_int_equal(cr.status, STATUS_SUCCESS);
	assert_non_null(of = ofile_find_persistent(cr.p));
	assert_int_equal(of->of_volatile, cr.v);
	return of;
}

/* A durable v1 open with a batch oplock (3.3.5.9.6). */
struct ofile *
open_durable(struct client *cp, struct session *s, struct tree *t,
    const char *name)
{
	struct ctx x = dhnq();
	struct ofile *of = open_plain(cp, s, t, name,
	    SMB2_OPLOCK_LEVEL_BATCH, &x, 1);

	assert_true(of->of_durable);
	return of;
}

/* ---- other requests ---- */

uint32_t
logoff(struct client *cp, uint64_t sid)
{
	struct msgbuf_wr wr;
	uint8_t rsp[1024];

	msgbuf_wr_init(&wr, 1024);
	put_hdr(&wr, cp, SMB2_LOGOFF, sid, 0);
	msgbuf_put_le16(&wr, 4);
	msgbuf_put_le16(&wr, 0);
	send_msg(cp, &wr);
	recv_msg(cp, rsp, sizeof(rsp));
	return le32dec(rsp + 8);
}

/*
 * A QUERY_INFO of FileId 0 on session sid, tree tid: the status of the
 * session and tree gates (3.3.5.2.9, 3.3.5.2.11), or STATUS_FILE_CLOSED
 * when both pass.
 */
uint32_t
query(struct client *cp, uint64_t sid, uint32_t tid)
{
	struct msgbuf_wr wr;
	uint8_t rsp[1024];

	msgbuf_wr_init(&wr, 1024);
	put_hdr(&wr, cp, SMB2_QUERY_INFO, sid, tid);
	msgbuf_put_le16(&wr, 41);
	msgbuf_put_zero(&wr, 40);
	send_msg(cp, &wr);
	recv_msg(cp, rsp, sizeof(rsp));
	return le32dec(rsp + 8);
}

/* FSCTL_LMR_REQUEST_RESILIENCY with len bytes of input (2.2.31.3). */
uint32_t
resiliency(struct client *cp, struct session *s, struct tree *t,
    const struct ofile *of, uint32_t timeout, uint32_t len)
{
	struct msgbuf_wr wr;
	uint8_t rsp[1024], in[8];

	le32enc(in, timeout);
	le32enc(in + 4, 0);
	msgbuf_wr_init(&wr, 1024);
	put_hdr(&wr, cp, SMB2_IOCTL, s->s_id, t->t_id);
	msgbuf_put_le16(&wr, 57);
	msgbuf_put_le16(&wr, 0);
	msgbuf_put_le32(&wr, FSCTL_LMR_REQUEST_RESILIENCY);
	msgbuf_put_le64(&wr, of->of_persistent);
	msgbuf_put_le64(&wr, of->of_volatile);
	msgbuf_put_le32(&wr, 120);			/* InputOffset */
	msgbuf_put_le32(&wr, len);
	msgbuf_put_le32(&wr, 0);			/* MaxInputResponse */
	msgbuf_put_le32(&wr, 0);
	msgbuf_put_le32(&wr, 0);
	msgbuf_put_le32(&wr, 0);			/* MaxOutputResponse */
	msgbuf_put_le32(&wr, 1);			/* IS_FSCTL */
	msgbuf_put_le32(&wr, 0);
	msgbuf_put_bytes(&wr, in, len < 8 ? (len > 0 ? len : 1) : 8);
	send_msg(cp, &wr);
	recv_msg(cp, rsp, sizeof(rsp));
	if (le32dec(rsp + 8) == STATUS_SUCCESS) {
		/* 3.3.5.15.9: CtlCode echoed, no output. */
		assert_int_equal(le32dec(rsp + 64 + 4),
		    FSCTL_LMR_REQUEST_RESILIENCY);
		assert_int_equal(le32dec(rsp + 64 + 36), 0);	/* Output */
	}
	return le32dec(rsp + 8);
}

/*
 * of, disconnected with timeout to run.  Looked for by address first, so
 * that an open closed too early fails the test instead of being read.
 */
void
assert_detached(const struct ofile *of, uint32_t timeout)
{
	const struct ofile *o;

	TAILQ_FOREACH(o, &server.sv_opens, of_global_entry)
		if (o == of)
			break;
	assert_non_null(o);
	assert_int_equal(of->of_state, OFILE_DISCONNECTED);
	assert_null(of->of_session);
	assert_null(of->of_tree);
	assert_int_equal(of->of_deadline, of->of_disconnected + timeout);
}

/* ---- fixtures ---- */

int
wire_setup(void **state)
{
	char text[1024], err[256];
	int n;

	(void)state;
	log_init("lifecycle_wire", 1, LOG_LVL_ERR);
	snprintf(dir, sizeof(dir), "/tmp/lifecycle_wire.XXXXXX");
	assert_non_null(mkdtemp(dir));
	assert_int_equal(loop_init(), 0);
	server_init();
	n = snprintf(text, sizeof(text),
	    "[global]\n\tsmb listen = 127.0.0.1:1\n"
	    "\tstate directory = /nonexistent\n"
	    "\tdurable timeout max = %d\n"
	    "\tresilient timeout = %d\n"
	    "\tresilient timeout max = %d\n"
	    "[data]\n\tpath = %s\n\tread only = no\n"
	    "\tdurable timeout = %d\n", DURABLE_MAX_MS, RESILIENT_MS,
	    RESILIENT_MAX_MS, dir, SHARE_DURABLE_MS);
	assert_true(n > 0 && (size_t)n < sizeof(text));
	cf = conf_parse(text, (size_t)n, "t.conf", "/", err, sizeof(err));
	assert_non_null(cf);
	server.sv_conf = cf;
	assert_int_equal(share_apply(cf), 0);
	assert_non_null(data = share_lookup("data"));
	memset(cl, 0, sizeof(cl));
	client_open(&cl[0], 0x0300, 0xa0);
	client_open(&cl[1], 0x0300, 0xb1);
	base_sopens = srvs_stats.st_sopens;
	base_fopens = srvs_stats.st_fopens;
	return 0;
}

int
wire_teardown(void **state)
{
	char cmd[128];
	size_t i;

	(void)state;
	ofile_close_all();
	conn_close_all();
	loop_once(0);
	idtab_free(&server.sv_session_ids);
	idtab_free(&server.sv_open_ids);
	share_clear();
	share_rele(data);
	data = NULL;
	conf_free(cf);
	server.sv_conf = NULL;
	for (i = 0; i < 3; i++)
		if (cl[i].fd > 0)
			close(cl[i].fd);
	loop_free();
	assert_int_equal(lease_count(), 0);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	return 0;
}
