/*
 * srvsvc_enum.c — sessions, tree connects and opens over srvsvc:
 * NetrConnectionEnum (opnum 8, MS-SRVS 3.1.4.1), NetrFileEnum (9,
 * 3.1.4.2), NetrFileGetInfo (10, 3.1.4.3), NetrFileClose (11, 3.1.4.4),
 * NetrSessionEnum (12, 3.1.4.5), NetrSessionDel (13, 3.1.4.6).
 *
 * All of them are for administrators (<44>-<55>).  Records come from
 * admin.h copies; the actions are admin_session_close() and
 * admin_open_close(), so they are logged and evented like the REST
 * API's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "admin.h"
#include "ofile.h"
#include "srvsvc.h"

/* FILE_INFO_3 fi3_permissions bits (MS-SRVS 2.2.4.7). */
#define PERM_FILE_READ		0x01
#define PERM_FILE_WRITE		0x02
#define PERM_FILE_CREATE	0x04
#define ACCESS_EXEC		0x08
#define ACCESS_DELETE		0x10
#define ACCESS_ATRIB		0x20
#define ACCESS_PERM		0x40

struct vec {
	void	*v;
	size_t	 n, cap, size;
	bool	 nomem;
};

static int
vec_add(struct vec *v, const void *rec)
{
	void *p;

	if (v->n == v->cap) {
		size_t cap = v->cap == 0 ? 16 : v->cap * 2;

		if ((p = reallocarray(v->v, cap, v->size)) == NULL) {
			v->nomem = true;
			return 1;
		}
		v->v = p;
		v->cap = cap;
	}
	memcpy((uint8_t *)v->v + v->n * v->size, rec, v->size);
	v->n++;
	return 0;
}

static bool
level_in(uint32_t level, const uint32_t *set, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (set[i] == level)
			return true;
	return false;
}

/* ---- sessions ---- */

struct sess_q {
	struct vec	 sq_v;
	const char	*sq_client;	/* without "\\", or NULL */
	const char	*sq_user;	/* or NULL */
};

static int
sess_cb(const struct admin_session *s, void *arg)
{
	struct sess_q *q = arg;
	char addr[ADMIN_CLIENT_LEN];

	srvsvc_client_addr(s->client, addr, sizeof(addr));
	if (q->sq_client != NULL && strcasecmp(addr, q->sq_client) != 0)
		return 0;
	if (q->sq_user != NULL && strcasecmp(s->user, q->sq_user) != 0)
		return 0;
	return vec_add(&q->sq_v, s);
}

/* SESSION_INFO_0, _1, _2, _10, _502 (MS-SRVS 2.2.4.11-2.2.4.15). */
static void
put_session(struct ndr_wr *w, uint32_t level, const void *rec)
{
	const struct admin_session *s = rec;
	char addr[ADMIN_CLIENT_LEN];

	srvsvc_client_addr(s->client, addr, sizeof(addr));
	ndr_put_wstr_ptr(w, addr);
	if (level == 0)
		return;
	ndr_put_wstr_ptr(w, s->user);
	if (level != 10)
		ndr_put_u32(w, s->nopens);
	ndr_put_u32(w, (uint32_t)(s->connected_ms / 1000));
	ndr_put_u32(w, (uint32_t)(s->idle_ms / 1000));
	if (level == 10)
		return;
	ndr_put_u32(w, s->user_flags);
	if (level == 1)
		return;
	ndr_put_wstr_ptr(w, "");		/* cltype_name */
	if (level == 502)
		ndr_put_wstr_ptr(w, s->transport);
}

/*
 * ClientName and UserName of 3.1.4.5/3.1.4.6.  *client points past the
 * "\\" (NULL if not given).  0, -1 bad stub, or a NET_API_STATUS in *err.
 */
static int
sess_qualifiers(struct ndr_rd *rd, char *cbuf, char *ubuf, size_t size,
    const char **client, const char **user, uint32_t *err)
{
	char srv[SRVSVC_STR_MAX];
	bool pc, pu;
	int rc1, rc2;

	*err = 0;
	*client = *user = NULL;
	if (srvsvc_get_opt_wstr(rd, srv, sizeof(srv), &pc) == -1 ||
	    (rc1 = srvsvc_get_opt_wstr(rd, cbuf, size, &pc)) == -1 ||
	    (rc2 = srvsvc_get_opt_wstr(rd, ubuf, size, &pu)) == -1)
		return -1;
	if (rc1 == -2 || rc2 == -2) {
		*err = ERROR_INVALID_PARAMETER;
		return 0;
	}
	if (pc && cbuf[0] != '\0') {
		if (strncmp(cbuf, "\\\\", 2) != 0) {
			*err = NERR_InvalidComputer;
			return 0;
		}
		*client = cbuf + 2;
	}
	if (pu && ubuf[0] != '\0')
		*user = ubuf;
	return 0;
}

uint32_t
srvsvc_session_enum(struct dcerpc_call *call)
{
	static const uint32_t arms[] = { 0, 1, 2, 10, 502 };
	char cbuf[SRVSVC_STR_MAX], ubuf[SRVSVC_STR_MAX];
	struct admin_session_filter f;
	struct sess_q q;
	struct srvsvc_enum e;
	uint32_t err;

	memset(&q, 0, sizeof(q));
	q.sq_v.size = sizeof(struct admin_session);
	if (sess_qualifiers(&call->dcc_in, cbuf, ubuf, sizeof(cbuf),
	    &q.sq_client, &q.sq_user, &err) == -1 ||
	    srvsvc_enum_in(&call->dcc_in, arms, 5, &e) == -1)
		return NCA_S_FAULT_NDR;
	if (err == 0 && !call->dcc_caller->dc_admin)
		err = ERROR_ACCESS_DENIED;
	if (err == 0 && !level_in(e.se_level, arms, 5))
		err = ERROR_INVALID_LEVEL;
	memset(&f, 0, sizeof(f));
	if (err == 0 && (admin_session_list(&f, 0, sess_cb, &q) != 0 ||
	    q.sq_v.nomem))
		err = ERROR_NOT_ENOUGH_MEMORY;
	if (err == 0 && q.sq_v.n == 0 && q.sq_client != NULL)
		err = NERR_ClientNameNotFound;
	else if (err == 0 && q.sq_v.n == 0 && q.sq_user != NULL)
		err = NERR_UserNotFound;
	srvsvc_enum_out(&call->dcc_out, &e, q.sq_v.v, q.sq_v.n,
	    q.sq_v.size, put_session, err);
	free(q.sq_v.v);
	return 0;
}

uint32_t
srvsvc_session_del(struct dcerpc_call *call)
{
	const struct dcerpc_caller *c = call->dcc_caller;
	char cbuf[SRVSVC_STR_MAX], ubuf[SRVSVC_STR_MAX], by[1024];
	struct admin_session_filter f;
	struct sess_q q;
	uint32_t err;
	size_t i, closed = 0;

	memset(&q, 0, sizeof(q));
	q.sq_v.size = sizeof(struct admin_session);
	if (sess_qualifiers(&call->dcc_in, cbuf, ubuf, sizeof(cbuf),
	    &q.sq_client, &q.sq_user, &err) == -1)
		return NCA_S_FAULT_NDR;
	/* 3.1.4.6: a bad client name, or none of either, names nobody. */
	if (err == NERR_InvalidComputer)
		err = NERR_ClientNameNotFound;
	if (err == 0 && !c->dc_admin)
		err = ERROR_ACCESS_DENIED;
	if (err == 0 && q.sq_client == NULL && q.sq_user == NULL)
		err = ERROR_INVALID_PARAMETER;
	memset(&f, 0, sizeof(f));
	if (err == 0 && (admin_session_list(&f, 0, sess_cb, &q) != 0 ||
	    q.sq_v.nomem))
		err = ERROR_NOT_ENOUGH_MEMORY;
	snprintf(by, sizeof(by), "srvsvc NetrSessionDel by %s", c->dc_user);
	for (i = 0; err == 0 && i < q.sq_v.n; i++) {
		const struct admin_session *s = (const struct admin_session *)
		    q.sq_v.v + i;

		/*
		 * The caller's own session carries this very call: it is
		 * left alone (it ends when the caller logs off).
		 */
		if (s->id == c->dc_session_id)
			continue;
		if (admin_session_close(s->id, false, false, by, NULL,
		    NULL) == 0)
			closed++;
	}
	if (err == 0 && closed == 0)
		err = NERR_ClientNameNotFound;
	ndr_put_u32(&call->dcc_out, err);
	free(q.sq_v.v);
	return 0;
}

/* ---- tree connects ---- */

struct tree_q {
	struct vec	 tq_v;
	const char	*tq_client;	/* computer qualifier, past "\\" */
	const char	*tq_share;	/* share qualifier */
};

static int
tree_cb(const struct admin_tree *t, void *arg)
{
	struct tree_q *q = arg;
	struct admin_tree copy;
	char addr[ADMIN_CLIENT_LEN];

	srvsvc_client_addr(t->client, addr, sizeof(addr));
	if (q->tq_client != NULL && strcasecmp(addr, q->tq_client) != 0)
		return 0;
	if (q->tq_share != NULL && strcasecmp(t->share, q->tq_share) != 0)
		return 0;
	/*
	 * coni1_netname (MS-SRVS 2.2.4.2) is the name the qualifier did not
	 * give: the share for a computer, the client for a share.
	 */
	copy = *t;
	if (q->tq_share != NULL)
		snprintf(copy.share, sizeof(copy.share), "%s", addr);
	return vec_add(&q->tq_v, &copy);
}

/* CONNECTION_INFO_0, _1 (MS-SRVS 2.2.4.1, 2.2.4.2). */
static void
put_tree(struct ndr_wr *w, uint32_t level, const void *rec)
{
	const struct admin_tree *t = rec;

	ndr_put_u32(w, (uint32_t)t->id);
	if (level == 0)
		return;
	ndr_put_u32(w, t->share_type);
	ndr_put_u32(w, t->nopens);
	ndr_put_u32(w, 1);			/* num_users */
	ndr_put_u32(w, (uint32_t)(t->connected_ms / 1000));
	ndr_put_wstr_ptr(w, t->user);
	ndr_put_wstr_ptr(w, t->share);
}

uint32_t
srvsvc_connection_enum(struct dcerpc_call *call)
{
	static const uint32_t arms[] = { 0, 1 };
	char srv[SRVSVC_STR_MAX], qual[SRVSVC_STR_MAX];
	struct admin_tree_filter f;
	struct srvsvc_enum e;
	struct tree_q q;
	uint32_t err = 0;
	bool present;
	int rc;

	memset(&q, 0, sizeof(q));
	q.tq_v.size = sizeof(struct admin_tree);
	if (srvsvc_get_opt_wstr(&call->dcc_in, srv, sizeof(srv),
	    &present) == -1 || (rc = srvsvc_get_opt_wstr(&call->dcc_in, qual,
	    sizeof(qual), &present)) == -1 ||
	    srvsvc_enum_in(&call->dcc_in, arms, 2, &e) == -1)
		return NCA_S_FAULT_NDR;
	if (!call->dcc_caller->dc_admin)
		err = ERROR_ACCESS_DENIED;
	else if (rc == -2 || qual[0] == '\0')
		err = ERROR_INVALID_PARAMETER;
	else if (!level_in(e.se_level, arms, 2))
		err = ERROR_INVALID_LEVEL;
	if (strncmp(qual, "\\\\", 2) == 0)
		q.tq_client = qual + 2;
	else
		q.tq_share = qual;
	memset(&f, 0, sizeof(f));
	if (err == 0 && (admin_tree_list(&f, 0, tree_cb, &q) != 0 ||
	    q.tq_v.nomem))
		err = ERROR_NOT_ENOUGH_MEMORY;
	srvsvc_enum_out(&call->dcc_out, &e, q.tq_v.v, q.tq_v.n, q.tq_v.size,
	    put_tree, err);
	free(q.tq_v.v);
	return 0;
}

/* ---- opens ---- */

struct open_q {
	struct vec	 oq_v;
	const char	*oq_base;	/* BasePath, or NULL */
	const char	*oq_user;
};

/* fi3_pathname: the local path; a pipe as \PIPE\name. */
static void
open_pathname(const struct admin_open *o, char *out, size_t size)
{
	if (o->local_path[0] != '\0')
		snprintf(out, size, "%s", o->local_path);
	else
		snprintf(out, size, "\\PIPE\\%s", o->path);
}

static uint32_t
open_perms(uint32_t a)
{
	uint32_t p = 0;

	if (a & FILE_READ_DATA)
		p |= PERM_FILE_READ;
	if (a & FILE_WRITE_DATA)
		p |= PERM_FILE_WRITE;
	if (a & FILE_APPEND_DATA)
		p |= PERM_FILE_CREATE;
	if (a & FILE_EXECUTE)
		p |= ACCESS_EXEC;
	if (a & DELETE_ACCESS)
		p |= ACCESS_DELETE;
	if (a & FILE_WRITE_ATTRIBUTES)
		p |= ACCESS_ATRIB;
	if (a & WRITE_DAC)
		p |= ACCESS_PERM;
	return p;
}

/* 3.1.4.2: BasePath is a prefix of fi3_pathname, up to a separator. */
static bool
base_matches(const char *base, const char *path)
{
	size_t n = strlen(base);

	if (strncasecmp(base, path, n) != 0)
		return false;
	return path[n] == '\0' || path[n] == '/' || path[n] == '\\' ||
	    (n > 0 && (base[n - 1] == '/' || base[n - 1] == '\\'));
}

static int
open_cb(const struct admin_open *o, void *arg)
{
	struct open_q *q = arg;
	char path[ADMIN_PATH_LEN + 8];

	open_pathname(o, path, sizeof(path));
	if (q->oq_base != NULL && !base_matches(q->oq_base, path))
		return 0;
	if (q->oq_user != NULL && strcasecmp(o->user, q->oq_user) != 0)
		return 0;
	return vec_add(&q->oq_v, o);
}

/* FILE_INFO_2, _3 (MS-SRVS 2.2.4.6, 2.2.4.7). */
static void
put_open(struct ndr_wr *w, uint32_t level, const void *rec)
{
	const struct admin_open *o = rec;
	char path[ADMIN_PATH_LEN + 8];

	ndr_put_u32(w, (uint32_t)o->id);
	if (level == 2)
		return;
	open_pathname(o, path, sizeof(path));
	ndr_put_u32(w, open_perms(o->access));
	ndr_put_u32(w, o->nlocks);
	ndr_put_wstr_ptr(w, path);
	ndr_put_wstr_ptr(w, o->user);		/* "" when detached */
}

uint32_t
srvsvc_file_enum(struct dcerpc_call *call)
{
	static const uint32_t arms[] = { 2, 3 };
	char srv[SRVSVC_STR_MAX], base[SRVSVC_STR_MAX], user[SRVSVC_STR_MAX];
	struct admin_open_filter f;
	struct srvsvc_enum e;
	struct open_q q;
	uint32_t err = 0;
	bool pb, pu;
	int rc1, rc2;

	memset(&q, 0, sizeof(q));
	q.oq_v.size = sizeof(struct admin_open);
	if (srvsvc_get_opt_wstr(&call->dcc_in, srv, sizeof(srv), &pb) == -1 ||
	    (rc1 = srvsvc_get_opt_wstr(&call->dcc_in, base, sizeof(base),
	    &pb)) == -1 || (rc2 = srvsvc_get_opt_wstr(&call->dcc_in, user,
	    sizeof(user), &pu)) == -1 ||
	    srvsvc_enum_in(&call->dcc_in, arms, 2, &e) == -1)
		return NCA_S_FAULT_NDR;
	if (pb && base[0] != '\0')
		q.oq_base = base;
	if (pu && user[0] != '\0')
		q.oq_user = user;
	if (!call->dcc_caller->dc_admin)
		err = ERROR_ACCESS_DENIED;
	else if (rc1 == -2 || rc2 == -2)
		err = ERROR_INVALID_PARAMETER;
	else if (!level_in(e.se_level, arms, 2))
		err = ERROR_INVALID_LEVEL;
	memset(&f, 0, sizeof(f));
	if (err == 0 && (admin_open_list(&f, 0, open_cb, &q) != 0 ||
	    q.oq_v.nomem))
		err = ERROR_NOT_ENOUGH_MEMORY;
	srvsvc_enum_out(&call->dcc_out, &e, q.oq_v.v, q.oq_v.n, q.oq_v.size,
	    put_open, err);
	free(q.oq_v.v);
	return 0;
}

uint32_t
srvsvc_file_get_info(struct dcerpc_call *call)
{
	struct ndr_wr *w = &call->dcc_out;
	char srv[SRVSVC_STR_MAX];
	struct admin_open *o;
	uint32_t id, level, err = 0;
	bool present;

	if (srvsvc_get_opt_wstr(&call->dcc_in, srv, sizeof(srv),
	    &present) == -1)
		return NCA_S_FAULT_NDR;
	id = ndr_get_u32(&call->dcc_in);
	level = ndr_get_u32(&call->dcc_in);
	if (!ndr_rd_ok(&call->dcc_in))
		return NCA_S_FAULT_NDR;
	/* admin_open is large: not on the stack. */
	if ((o = calloc(1, sizeof(*o))) == NULL)
		err = ERROR_NOT_ENOUGH_MEMORY;
	else if (!call->dcc_caller->dc_admin)
		err = ERROR_ACCESS_DENIED;
	else if (level != 2 && level != 3)
		err = ERROR_INVALID_LEVEL;
	else if (admin_open_get(id, o) != 0)
		err = ERROR_FILE_NOT_FOUND;
	ndr_put_u32(w, level);
	if (level == 2 || level == 3) {
		ndr_put_ptr(w, err == 0);
		if (err == 0) {
			put_open(w, level, o);
			ndr_flush(w);
		}
	}
	ndr_put_u32(w, err);
	free(o);
	return 0;
}

uint32_t
srvsvc_file_close(struct dcerpc_call *call)
{
	char srv[SRVSVC_STR_MAX], by[1024];
	uint32_t id, err = 0;
	bool present;

	if (srvsvc_get_opt_wstr(&call->dcc_in, srv, sizeof(srv),
	    &present) == -1)
		return NCA_S_FAULT_NDR;
	id = ndr_get_u32(&call->dcc_in);
	if (!ndr_rd_ok(&call->dcc_in))
		return NCA_S_FAULT_NDR;
	snprintf(by, sizeof(by), "srvsvc NetrFileClose by %s",
	    call->dcc_caller->dc_user);
	if (!call->dcc_caller->dc_admin)
		err = ERROR_ACCESS_DENIED;
	/* MS-SMB2 3.3.4.17 through the admin action, detached opens too. */
	else if (admin_open_close(id, false, by, NULL, NULL) != 0)
		err = NERR_FileIdNotFound;
	ndr_put_u32(&call->dcc_out, err);
	return 0;
}
