/*
 * pipe.c — named pipes on IPC$ carrying DCE/RPC (see pipe.h).
 */
#include <sys/mman.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf.h"
#include "dcerpc.h"
#include "log.h"
#include "ntstatus.h"
#include "ofile.h"
#include "pipe.h"
#include "queue.h"
#include "server.h"
#include "session.h"
#include "share.h"
#include "smb2_info.h"
#include "smb2_req.h"
#include "srvs.h"
#include "srvsvc.h"
#include "tree.h"
#include "ucs2.h"

#define READ_RSP_SIZE	17
#define WRITE_RSP_SIZE	17
#define QI_RSP_SIZE	9

/* MS-FSCC 2.4 classes a pipe answers besides FileStandardInformation. */
#define INFO_FILE_PIPE		23
#define INFO_FILE_PIPE_LOCAL	24

/* What one pipe open may hold unread before it stops taking requests. */
#define PIPE_QUEUE_MAX	(DCERPC_MAX_OUT + 65536)
/* Buffer sizes reported by FilePipeLocalInformation. */
#define PIPE_QUOTA	4096

struct pipe_msg {
	TAILQ_ENTRY(pipe_msg)	 pm_entry;
	size_t			 pm_len;
	size_t			 pm_off;	/* read so far */
	uint8_t			 pm_data[];
};

struct pipe {
	const struct pipe_kind	*p_kind;
	struct dcerpc_caller	 p_caller;
	struct dcerpc_assoc	 p_rpc;
	TAILQ_HEAD(, pipe_msg)	 p_msgs;
	size_t			 p_queued;	/* bytes */
	bool			 p_dead;
};

struct pipe_kind {
	const char			*pk_name;
	const char			*pk_endpoint;	/* BIND_ACK sec_addr */
	const struct dcerpc_iface * const *pk_ifaces;
	bool				 pk_null_session; /* 3.1.6.17 */
	bool				(*pk_enabled)(void);
};

static const struct dcerpc_iface * const srvsvc_ifaces[] = {
	&srvsvc_iface, NULL
};
static const struct dcerpc_iface * const wkssvc_ifaces[] = {
	&wkssvc_iface, NULL
};

static bool
srvsvc_enabled(void)
{
	return server.sv_conf == NULL || server.sv_conf->cf_srvsvc_pipe;
}

static bool
always(void)
{
	return true;
}

/*
 * The NullSessionPipeList (MS-SRVS 3.1.1): both pipes, as Samba allows by
 * default, so "smbclient -N -L" works; the methods themselves refuse an
 * anonymous caller everything beyond what any user may see.
 */
static const struct pipe_kind pipe_kinds[] = {
	{ "srvsvc", "\\PIPE\\srvsvc", srvsvc_ifaces, true, srvsvc_enabled },
	{ "wkssvc", "\\PIPE\\wkssvc", wkssvc_ifaces, true, always },
};

int
pipe_user_is_admin(const char *user)
{
	const char *list, *p, *e;
	size_t n = strlen(user);

	if (n == 0 || server.sv_conf == NULL ||
	    (list = server.sv_conf->cf_admin_users) == NULL)
		return 0;
	/* Names separated by blanks or commas, case-insensitive. */
	for (p = list; *p != '\0'; p = e) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		for (e = p; *e != '\0' && *e != ' ' && *e != '\t' &&
		    *e != ','; e++)
			;
		if ((size_t)(e - p) == n && strncasecmp(p, user, n) == 0)
			return 1;
	}
	return 0;
}

static const struct pipe_kind *
kind_lookup(const uint8_t *name16, size_t namelen)
{
	char name[64], *p;
	size_t i;

	if (namelen == 0 || namelen > 2 * 40 ||
	    ucs2_to_utf8(name16, namelen, name, sizeof(name)) < 0)
		return NULL;
	p = name;
	/* Clients of the SMB1 era name it "\PIPE\srvsvc"; SMB2 "srvsvc". */
	if (strncasecmp(p, "PIPE\\", 5) == 0)
		p += 5;
	for (i = 0; i < sizeof(pipe_kinds) / sizeof(pipe_kinds[0]); i++) {
		if (strcasecmp(p, pipe_kinds[i].pk_name) == 0)
			return pipe_kinds[i].pk_enabled() ? &pipe_kinds[i] :
			    NULL;
	}
	return NULL;
}

/* dcerpc_assoc output: each fragment becomes one message. */
static int
pipe_put(const uint8_t *data, size_t len, void *arg)
{
	struct pipe *p = arg;
	struct pipe_msg *m;

	if (len > PIPE_QUEUE_MAX - p->p_queued ||
	    (m = malloc(sizeof(*m) + len)) == NULL)
		return -1;
	m->pm_len = len;
	m->pm_off = 0;
	memcpy(m->pm_data, data, len);
	TAILQ_INSERT_TAIL(&p->p_msgs, m, pm_entry);
	p->p_queued += len;
	return 0;
}

void
pipe_free(struct pipe *p)
{
	struct pipe_msg *m;

	if (p == NULL)
		return;
	while ((m = TAILQ_FIRST(&p->p_msgs)) != NULL) {
		TAILQ_REMOVE(&p->p_msgs, m, pm_entry);
		free(m);
	}
	dcerpc_free(&p->p_rpc);
	free(p);
}

/* MS-DTYP 2.4.3: GENERIC_* to the pipe's specific rights. */
static uint32_t
pipe_access(uint32_t acc)
{
	if (acc & (GENERIC_READ | GENERIC_ALL | MAXIMUM_ALLOWED))
		acc |= FILE_GENERIC_READ;
	if (acc & (GENERIC_WRITE | GENERIC_ALL | MAXIMUM_ALLOWED))
		acc |= FILE_GENERIC_WRITE;
	return acc & ~(uint32_t)(GENERIC_READ | GENERIC_WRITE |
	    GENERIC_EXECUTE | GENERIC_ALL | MAXIMUM_ALLOWED);
}

uint32_t
pipe_create(struct smb_req *r, const uint8_t *name16, size_t namelen,
    uint32_t access, uint32_t share, uint32_t options, struct ofile **out)
{
	const struct pipe_kind *k = kind_lookup(name16, namelen);
	struct session *s = r->r_sess;
	struct ofile *of;
	struct pipe *p;
	uint32_t st;
	int fd;

	*out = NULL;
	if (k == NULL)
		return STATUS_OBJECT_NAME_NOT_FOUND;
	/* MS-SMB2 3.3.5.9: anonymous opens only of null-session pipes. */
	if (s->s_anonymous && !k->pk_null_session) {
		srvs_permerror();
		return STATUS_ACCESS_DENIED;
	}
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return STATUS_INSUFFICIENT_RESOURCES;
	TAILQ_INIT(&p->p_msgs);
	p->p_kind = k;
	p->p_caller.dc_session_id = s->s_global_id;
	snprintf(p->p_caller.dc_user, sizeof(p->p_caller.dc_user), "%s",
	    s->s_user);
	snprintf(p->p_caller.dc_domain, sizeof(p->p_caller.dc_domain), "%s",
	    s->s_domain);
	snprintf(p->p_caller.dc_client, sizeof(p->p_caller.dc_client), "%s",
	    s->s_client);
	p->p_caller.dc_guest = s->s_guest;
	p->p_caller.dc_anonymous = s->s_anonymous;
	p->p_caller.dc_admin = !s->s_guest && !s->s_anonymous &&
	    pipe_user_is_admin(s->s_user);
	dcerpc_init(&p->p_rpc, k->pk_ifaces, k->pk_endpoint, &p->p_caller,
	    pipe_put, p);
	/*
	 * A descriptor of its own for the open (pipe.h); memfd_create is
	 * memory, not the file system vfs.c guards.
	 */
	if ((fd = memfd_create(k->pk_name, MFD_CLOEXEC)) == -1) {
		log_warn("pipe %s: memfd_create", k->pk_name);
		pipe_free(p);
		return STATUS_INSUFFICIENT_RESOURCES;
	}
	if ((st = ofile_open(s, r->r_tree, fd, k->pk_name, k->pk_name, false,
	    pipe_access(access), share, options, &of)) != STATUS_SUCCESS) {
		pipe_free(p);
		return st;
	}
	of->of_pipe = p;
	log_debug("session %u: pipe %s open %u (%s%s)", s->s_global_id,
	    k->pk_name, of->of_global_id, s->s_user,
	    p->p_caller.dc_admin ? ", admin" : "");
	*out = of;
	return STATUS_SUCCESS;
}

static uint32_t
pipe_input(struct pipe *p, const uint8_t *data, size_t len)
{
	if (p->p_dead)
		return STATUS_PIPE_DISCONNECTED;
	if (dcerpc_input(&p->p_rpc, data, len) == -1) {
		/* What it answered before dying can still be read. */
		p->p_dead = true;
		log_debug("pipe %s: dcerpc association ended",
		    p->p_kind->pk_name);
	}
	return STATUS_SUCCESS;
}

/* Up to max bytes of the first message; BUFFER_OVERFLOW if some stay. */
static uint32_t
pipe_take(struct pipe *p, uint8_t *buf, size_t max, size_t *done)
{
	struct pipe_msg *m = TAILQ_FIRST(&p->p_msgs);
	size_t n;

	*done = 0;
	if (m == NULL)
		return p->p_dead ? STATUS_PIPE_DISCONNECTED : STATUS_PIPE_EMPTY;
	n = m->pm_len - m->pm_off;
	if (n > max)
		n = max;
	memcpy(buf, m->pm_data + m->pm_off, n);
	m->pm_off += n;
	p->p_queued -= n;
	*done = n;
	if (m->pm_off < m->pm_len)
		return STATUS_BUFFER_OVERFLOW;
	TAILQ_REMOVE(&p->p_msgs, m, pm_entry);
	free(m);
	return STATUS_SUCCESS;
}

uint32_t
pipe_read(struct smb_req *r, struct ofile *of, uint32_t len)
{
	const struct pipe_msg *m = TAILQ_FIRST(&of->of_pipe->p_msgs);
	size_t at, done;
	uint32_t st;

	if (!(of->of_access & FILE_READ_DATA))
		return STATUS_ACCESS_DENIED;
	/* No more room than the message needs. */
	if (m != NULL && m->pm_len - m->pm_off < len)
		len = (uint32_t)(m->pm_len - m->pm_off);
	msgbuf_put_le16(&r->r_rsp, READ_RSP_SIZE);
	msgbuf_put_u8(&r->r_rsp, SMB2_HDR_LEN + 16);	/* DataOffset */
	msgbuf_put_u8(&r->r_rsp, 0);
	msgbuf_put_le32(&r->r_rsp, 0);			/* DataLength */
	msgbuf_put_le32(&r->r_rsp, 0);			/* DataRemaining */
	msgbuf_put_le32(&r->r_rsp, 0);
	if ((at = msgbuf_reserve(&r->r_rsp, len)) == (size_t)-1)
		return STATUS_INSUFFICIENT_RESOURCES;
	st = pipe_take(of->of_pipe, r->r_rsp.wr_buf + at, len, &done);
	if (st != STATUS_SUCCESS && st != STATUS_BUFFER_OVERFLOW)
		return st;
	msgbuf_truncate(&r->r_rsp, at + done);
	msgbuf_patch_le32(&r->r_rsp, 4, (uint32_t)done);
	if (done == 0)
		msgbuf_put_u8(&r->r_rsp, 0);	/* the Buffer's one byte */
	/* 3.3.4.4: a pipe READ's BUFFER_OVERFLOW carries its data. */
	r->r_rsp_keep = st == STATUS_BUFFER_OVERFLOW;
	return st;
}

uint32_t
pipe_write(struct smb_req *r, struct ofile *of, const uint8_t *data,
    uint32_t len)
{
	uint32_t st;

	if (!(of->of_access & (FILE_WRITE_DATA | FILE_APPEND_DATA)))
		return STATUS_ACCESS_DENIED;
	if ((st = pipe_input(of->of_pipe, data, len)) != STATUS_SUCCESS)
		return st;
	msgbuf_put_le16(&r->r_rsp, WRITE_RSP_SIZE);
	msgbuf_put_le16(&r->r_rsp, 0);
	msgbuf_put_le32(&r->r_rsp, len);		/* Count */
	msgbuf_put_le32(&r->r_rsp, 0);			/* Remaining */
	msgbuf_put_le32(&r->r_rsp, 0);
	msgbuf_put_u8(&r->r_rsp, 0);
	return STATUS_SUCCESS;
}

uint32_t
pipe_transceive(struct ofile *of, struct msgbuf_rd *in, uint32_t maxout,
    struct msgbuf_wr *out)
{
	struct pipe *p = of->of_pipe;
	size_t len = msgbuf_remain(in), at, done, n;
	const struct pipe_msg *m;
	const uint8_t *data;
	uint32_t st;

	if (p == NULL)
		return STATUS_INVALID_DEVICE_REQUEST;
	/* A transaction both writes and reads the pipe. */
	if ((of->of_access & (FILE_READ_DATA | FILE_WRITE_DATA)) !=
	    (FILE_READ_DATA | FILE_WRITE_DATA))
		return STATUS_ACCESS_DENIED;
	/* MS-FSA 2.1.5.10.34 (FSCTL_PIPE_TRANSCEIVE): unread data is busy. */
	if (!TAILQ_EMPTY(&p->p_msgs))
		return STATUS_PIPE_BUSY;
	if ((data = msgbuf_get_ptr(in, len)) == NULL && len > 0)
		return STATUS_INVALID_PARAMETER;
	if ((st = pipe_input(p, data, len)) != STATUS_SUCCESS)
		return st;
	if ((m = TAILQ_FIRST(&p->p_msgs)) == NULL)
		return p->p_dead ? STATUS_PIPE_DISCONNECTED : STATUS_SUCCESS;
	if ((n = m->pm_len - m->pm_off) > maxout)
		n = maxout;
	if ((at = msgbuf_reserve(out, n)) == (size_t)-1)
		return STATUS_INSUFFICIENT_RESOURCES;
	st = pipe_take(p, out->wr_buf + at, n, &done);
	msgbuf_truncate(out, at + done);
	return st;
}

uint32_t
pipe_wait(struct smb_req *r, struct msgbuf_rd *in)
{
	const uint8_t *name;
	uint32_t namelen;
	struct tree *t;
	bool ipc;

	/* IOCTL holds no tree (smb2_dispatch.c): the header names it. */
	if ((t = tree_lookup(r->r_sess, r->r_hdr.h_tree_id)) == NULL)
		return STATUS_NETWORK_NAME_DELETED;
	ipc = t->t_share->sh_type == SHARE_IPC;
	tree_rele(t);
	if (!ipc)
		return STATUS_INVALID_DEVICE_REQUEST;
	/* FILE_PIPE_WAIT_FOR_BUFFER: Timeout, NameLength, flags, Name. */
	msgbuf_skip(in, 8);
	namelen = msgbuf_get_le32(in);
	msgbuf_skip(in, 2);
	if (!msgbuf_rd_ok(in) || namelen % 2 != 0 ||
	    (name = msgbuf_get_ptr(in, namelen)) == NULL)
		return STATUS_INVALID_PARAMETER;
	return kind_lookup(name, namelen) != NULL ? STATUS_SUCCESS :
	    STATUS_OBJECT_NAME_NOT_FOUND;
}

uint32_t
pipe_set_info(uint8_t type, uint8_t cls)
{
	return type == SMB2_0_INFO_FILE && cls == INFO_FILE_PIPE ?
	    STATUS_SUCCESS : STATUS_NOT_SUPPORTED;
}

/* 2.2.38 QUERY_INFO response with data. */
static uint32_t
qi_reply(struct smb_req *r, const uint8_t *data, size_t len, uint32_t outlen)
{
	uint32_t st = STATUS_SUCCESS;

	if (len > outlen) {
		len = outlen;
		st = STATUS_BUFFER_OVERFLOW;
	}
	msgbuf_put_le16(&r->r_rsp, QI_RSP_SIZE);
	msgbuf_put_le16(&r->r_rsp, SMB2_HDR_LEN + 8);
	msgbuf_put_le32(&r->r_rsp, (uint32_t)len);
	msgbuf_put_bytes(&r->r_rsp, data, len);
	if (len == 0)
		msgbuf_put_u8(&r->r_rsp, 0);
	if (!msgbuf_wr_ok(&r->r_rsp))
		return STATUS_INSUFFICIENT_RESOURCES;
	r->r_rsp_keep = st == STATUS_BUFFER_OVERFLOW;
	return st;
}

uint32_t
pipe_query_info(struct smb_req *r, struct ofile *of, uint8_t type,
    uint8_t cls, uint32_t outlen)
{
	struct pipe *p = of->of_pipe;
	uint8_t b[40];

	if (type != SMB2_0_INFO_FILE)
		return STATUS_NOT_SUPPORTED;
	memset(b, 0, sizeof(b));
	switch (cls) {
	case INFO_FILE_STANDARD:
		/*
		 * MS-FSCC 2.4.41 as Windows fills it for a pipe: the
		 * quota as allocation, the readable bytes as end of file,
		 * one link, delete pending (a pipe goes with its last
		 * handle), not a directory.
		 */
		if (outlen < 24)
			return STATUS_INFO_LENGTH_MISMATCH;
		le64enc(b, PIPE_QUOTA);
		le64enc(b + 8, p->p_queued);
		le32enc(b + 16, 1);
		b[20] = 1;
		return qi_reply(r, b, 24, outlen);
	case INFO_FILE_PIPE:
		/* 2.4.33: message read mode, blocking completion. */
		if (outlen < 8)
			return STATUS_INFO_LENGTH_MISMATCH;
		le32enc(b, 1);			/* FILE_PIPE_MESSAGE_MODE */
		le32enc(b + 4, 0);		/* FILE_PIPE_QUEUE_OPERATION */
		return qi_reply(r, b, 8, outlen);
	case INFO_FILE_PIPE_LOCAL:
		/* 2.4.34 */
		if (outlen < 40)
			return STATUS_INFO_LENGTH_MISMATCH;
		le32enc(b, 1);			/* message type */
		le32enc(b + 4, 2);		/* full duplex */
		le32enc(b + 8, 0xffffffff);	/* unlimited instances */
		le32enc(b + 12, 1);
		le32enc(b + 16, PIPE_QUOTA);
		le32enc(b + 20, (uint32_t)p->p_queued);
		le32enc(b + 24, PIPE_QUOTA);
		le32enc(b + 28, PIPE_QUOTA);
		le32enc(b + 32, p->p_dead ? 4 : 3);	/* closing, connected */
		le32enc(b + 36, 0);		/* FILE_PIPE_CLIENT_END */
		return qi_reply(r, b, 40, outlen);
	default:
		return STATUS_NOT_SUPPORTED;
	}
}
