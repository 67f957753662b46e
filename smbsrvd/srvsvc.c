/*
 * srvsvc.c — srvsvc and wkssvc over DCE/RPC (see srvsvc.h): the opnum
 * table, the enumeration helpers, shares (MS-SRVS 3.1.4.8-3.1.4.12),
 * server information (3.1.4.17), statistics (3.1.4.20), disks, time of
 * day and name validation (3.1.4.32).
 *
 * Stubs are NDR 2.0 (ndr.h); the layouts are the IDL of MS-SRVS 6 (and
 * MS-WKST 6): a top-level [in] pointer is a reference pointer with no
 * referent id on the wire; the [unique] ones carry one; embedded
 * pointers' referents follow the construct that holds them.  Methods
 * never raise exceptions (MS-SRVS 2.1): a stub that does not decode is a
 * fault (nca_s_fault_ndr), everything else a NET_API_STATUS.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "admin.h"
#include "clock.h"
#include "srvsvc.h"

/* Share types (MS-SRVS 2.2.2.4) and SHI1005 flags (2.2.4.29). */
#define STYPE_SPECIAL			0x80000000u
#define STYPE_IPC			0x00000003u
#define SHI1005_FLAGS_ENCRYPT_DATA	0x00008000u

/* MS-SRVS 2.2.2.6, 2.2.2.7. */
#define PLATFORM_ID_NT			500
#define SV_TYPE_WORKSTATION		0x00000001u
#define SV_TYPE_SERVER			0x00000002u
#define SV_TYPE_NT			0x00001000u
#define SV_TYPE_SERVER_NT		0x00008000u
#define SV_NODISC			0xFFFFFFFFu

#define SRVSVC_VERSION_MAJOR		10
#define SRVSVC_VERSION_MINOR		0

/* ---- helpers shared with srvsvc_enum.c ---- */

int
srvsvc_get_opt_wstr(struct ndr_rd *rd, char *buf, size_t size, bool *present)
{
	*present = false;
	buf[0] = '\0';
	if (ndr_get_ptr(rd) == 0)
		return ndr_rd_ok(rd) ? 0 : -1;
	*present = true;
	return ndr_get_wstr(rd, buf, size);
}

void
srvsvc_client_addr(const char *client, char *out, size_t size)
{
	const char *colon;
	size_t n;

	if (client[0] == '[' && (colon = strchr(client, ']')) != NULL) {
		client++;
		n = (size_t)(colon - client);
	} else if ((colon = strrchr(client, ':')) != NULL &&
	    strchr(client, ':') == colon)
		n = (size_t)(colon - client);
	else
		n = strlen(client);
	snprintf(out, size, "%.*s", (int)n, client);
}

int
srvsvc_enum_tail(struct ndr_rd *rd, struct srvsvc_enum *e)
{
	e->se_prefmax = ndr_get_u32(rd);
	e->se_has_resume = ndr_get_ptr(rd) != 0;
	e->se_resume = e->se_has_resume ? ndr_get_u32(rd) : 0;
	return ndr_rd_ok(rd) ? 0 : -1;
}

int
srvsvc_enum_in(struct ndr_rd *rd, const uint32_t *arms, int narms,
    struct srvsvc_enum *e)
{
	uint32_t sw;
	int i;

	memset(e, 0, sizeof(*e));
	e->se_level = ndr_get_u32(rd);
	sw = ndr_get_u32(rd);		/* the union's discriminant */
	if (!ndr_rd_ok(rd) || sw != e->se_level)
		return -1;
	for (i = 0; i < narms; i++)
		if (arms[i] == e->se_level)
			e->se_arm = true;
	/* The arm: a unique pointer to a {EntriesRead, Buffer} container. */
	if (e->se_arm && ndr_get_ptr(rd) != 0) {
		(void)ndr_get_u32(rd);			/* EntriesRead */
		/*
		 * Clients send no entries in: a NULL Buffer or an empty
		 * conformant array (impacket).  Entries are refused.
		 */
		if (ndr_get_ptr(rd) != 0 && ndr_get_u32(rd) != 0)
			return -1;
	}
	return srvsvc_enum_tail(rd, e);
}

/* The encoded size of one record with its strings. */
static size_t
rec_size(srvsvc_put_fn put, uint32_t level, const void *rec)
{
	struct ndr_wr w;
	size_t n;

	ndr_wr_init(&w, 1 << 20);
	put(&w, level, rec);
	ndr_flush(&w);
	n = ndr_wr_len(&w);
	ndr_wr_free(&w);
	return n;
}

void
srvsvc_enum_out(struct ndr_wr *w, const struct srvsvc_enum *e,
    const void *recs, size_t n, size_t recsize, srvsvc_put_fn put,
    uint32_t err)
{
	const uint8_t *r = recs;
	size_t start = e->se_resume, count = 0, used = 0, i, sz;
	uint32_t status = err;

	if (err != 0 || start > n)
		start = n;
	/* As many as fit PreferedMaximumLength, at least one (3.1.4.8). */
	for (i = start; i < n && err == 0; i++) {
		if (e->se_prefmax != MAX_PREFERRED_LENGTH) {
			sz = rec_size(put, e->se_level, r + i * recsize);
			if (count > 0 && used + sz > e->se_prefmax)
				break;
			used += sz;
		}
		count++;
	}
	if (err == 0 && start + count < n)
		status = ERROR_MORE_DATA;
	ndr_put_u32(w, e->se_level);
	ndr_put_u32(w, e->se_level);
	if (e->se_arm) {
		ndr_put_ptr(w, err == 0);
		if (err == 0) {
			ndr_put_u32(w, (uint32_t)count);	/* EntriesRead */
			ndr_put_ptr(w, count > 0);		/* Buffer */
			if (count > 0) {
				ndr_put_u32(w, (uint32_t)count);
				for (i = start; i < start + count; i++)
					put(w, e->se_level, r + i * recsize);
				ndr_flush(w);
			}
		}
	}
	ndr_put_u32(w, err == 0 ? (uint32_t)(n - start) : 0);	/* Total */
	ndr_put_ptr(w, e->se_has_resume);
	if (e->se_has_resume)
		ndr_put_u32(w, status == ERROR_MORE_DATA ?
		    (uint32_t)(start + count) : (err != 0 ? e->se_resume : 0));
	ndr_put_u32(w, status);
}

/* A records array grown by admin_*_list callbacks. */
struct collect {
	void	*c_v;
	size_t	 c_n, c_cap, c_size;
	bool	 c_nomem;
	bool	(*c_want)(const void *, void *);
	void	*c_arg;
};

static int
collect_one(const void *rec, void *arg)
{
	struct collect *c = arg;
	void *v;

	if (c->c_want != NULL && !c->c_want(rec, c->c_arg))
		return 0;
	if (c->c_n == c->c_cap) {
		size_t cap = c->c_cap == 0 ? 16 : c->c_cap * 2;

		if ((v = reallocarray(c->c_v, cap, c->c_size)) == NULL) {
			c->c_nomem = true;
			return 1;
		}
		c->c_v = v;
		c->c_cap = cap;
	}
	memcpy((uint8_t *)c->c_v + c->c_n * c->c_size, rec, c->c_size);
	c->c_n++;
	return 0;
}

/* ---- shares ---- */

static int
share_cb(const struct admin_share *s, void *arg)
{
	return collect_one(s, arg);
}

static bool
share_sticky(const void *rec, void *arg)
{
	const struct admin_share *s = rec;

	(void)arg;
	/* Sticky shares are the persistent ones: not IPC$ (3.1.4.9). */
	return !(s->type & STYPE_SPECIAL);
}

/* shi2_path as Windows clients expect a drive path: C:\srv\data. */
static void
share_path(const struct admin_share *s, char *out, size_t size)
{
	size_t i;

	if (s->path[0] == '\0') {
		out[0] = '\0';
		return;
	}
	snprintf(out, size, "C:%s", s->path);
	for (i = 0; out[i] != '\0'; i++)
		if (out[i] == '/')
			out[i] = '\\';
}

static uint32_t
share_flags(const struct admin_share *s)
{
	return s->encrypt ? SHI1005_FLAGS_ENCRYPT_DATA : 0;
}

/* SHARE_INFO_0, _1, _2, _501, _502_I (MS-SRVS 2.2.4.22-2.2.4.26). */
static void
put_share(struct ndr_wr *w, uint32_t level, const void *rec)
{
	const struct admin_share *s = rec;
	char path[ADMIN_PATH_LEN + 8];

	if (level == 1005) {
		ndr_put_u32(w, share_flags(s));
		return;
	}
	ndr_put_wstr_ptr(w, s->name);
	if (level == 0)
		return;
	ndr_put_u32(w, s->type);
	ndr_put_wstr_ptr(w, s->comment);
	if (level == 1)
		return;
	if (level == 501) {
		ndr_put_u32(w, share_flags(s));
		return;
	}
	share_path(s, path, sizeof(path));
	ndr_put_u32(w, 0);			/* permissions: unused */
	ndr_put_u32(w, s->max_uses);
	ndr_put_u32(w, s->current_uses);
	ndr_put_wstr_ptr(w, path);
	ndr_put_wstr_ptr(w, NULL);		/* passwd: unused */
	if (level == 502) {
		/* No descriptor is kept for a share: length 0, NULL. */
		ndr_put_u32(w, 0);
		ndr_put_bytes_ptr(w, NULL, 0);
	}
}

static bool
share_level_ok(uint32_t level)
{
	return level == 0 || level == 1 || level == 2 || level == 501 ||
	    level == 502;
}

/*
 * <58>, <61>: levels with paths and limits (2, 502) are for
 * administrators; NetrShareEnum's 501 too, as Windows answers it (the
 * expectations smbtorture's rpc.srvsvc records), NetrShareGetInfo's 501
 * is for anyone.
 */
static bool
share_level_allowed(const struct dcerpc_caller *c, uint32_t level,
    bool enumerate)
{
	return c->dc_admin || (level != 2 && level != 502 &&
	    !(enumerate && level == 501));
}

/* NetrShareEnum (opnum 15, 3.1.4.8) and NetrShareEnumSticky (36). */
static uint32_t
share_enum(struct dcerpc_call *call, bool sticky)
{
	static const uint32_t arms[] = { 0, 1, 2, 501, 502, 503 };
	struct collect c = { .c_size = sizeof(struct admin_share) };
	struct srvsvc_enum e;
	char srv[SRVSVC_STR_MAX];
	bool present;
	uint32_t err = 0;

	if (srvsvc_get_opt_wstr(&call->dcc_in, srv, sizeof(srv),
	    &present) == -1 || srvsvc_enum_in(&call->dcc_in, arms, 6, &e) == -1)
		return NCA_S_FAULT_NDR;
	if (sticky)
		c.c_want = share_sticky;
	/* NetrShareEnumSticky has no level 501 on Windows (smbtorture). */
	if (!share_level_ok(e.se_level) || (sticky && e.se_level == 501))
		err = ERROR_INVALID_LEVEL;
	else if (!share_level_allowed(call->dcc_caller, e.se_level, true))
		err = ERROR_ACCESS_DENIED;
	else if (admin_share_list(NULL, share_cb, &c) != 0 || c.c_nomem)
		err = ERROR_NOT_ENOUGH_MEMORY;
	srvsvc_enum_out(&call->dcc_out, &e, c.c_v, c.c_n, c.c_size, put_share,
	    err);
	free(c.c_v);
	return 0;
}

static bool
share_named(const void *rec, void *arg)
{
	return strcasecmp(((const struct admin_share *)rec)->name, arg) == 0;
}

/* NetrShareGetInfo (opnum 16, 3.1.4.10). */
static uint32_t
share_get_info(struct dcerpc_call *call)
{
	struct collect c = { .c_size = sizeof(struct admin_share) };
	char srv[SRVSVC_STR_MAX], name[SRVSVC_STR_MAX];
	struct ndr_wr *w = &call->dcc_out;
	uint32_t level, err = 0;
	bool present;
	int rc;

	if (srvsvc_get_opt_wstr(&call->dcc_in, srv, sizeof(srv),
	    &present) == -1)
		return NCA_S_FAULT_NDR;
	rc = ndr_get_wstr(&call->dcc_in, name, sizeof(name));
	level = ndr_get_u32(&call->dcc_in);
	if (rc == -1 || !ndr_rd_ok(&call->dcc_in))
		return NCA_S_FAULT_NDR;
	c.c_want = share_named;
	c.c_arg = name;
	if (rc == -2 || name[0] == '\0')
		err = ERROR_INVALID_PARAMETER;
	else if (!share_level_ok(level) && level != 1005)
		err = ERROR_INVALID_LEVEL;
	else if (!share_level_allowed(call->dcc_caller, level, false))
		err = ERROR_ACCESS_DENIED;
	else if (admin_share_list(NULL, share_cb, &c) != 0 || c.c_nomem)
		err = ERROR_NOT_ENOUGH_MEMORY;
	else if (c.c_n == 0)
		err = NERR_NetNameNotFound;
	/* [out, switch_is(Level)] LPSHARE_INFO: the switch, the pointer. */
	ndr_put_u32(w, level);
	if (share_level_ok(level) || level == 503 || level == 1004 ||
	    level == 1005 || level == 1006 || level == 1501) {
		ndr_put_ptr(w, err == 0);
		if (err == 0) {
			put_share(w, level, c.c_v);
			ndr_flush(w);
		}
	}
	ndr_put_u32(w, err);
	free(c.c_v);
	return 0;
}

static bool
share_at_path(const void *rec, void *arg)
{
	char path[ADMIN_PATH_LEN + 8];

	share_path(rec, path, sizeof(path));
	return strcasecmp(path, arg) == 0;
}

/*
 * NetrShareCheck (MS-SRVS opnum 20): is Device the path of a share
 * (in the drive form NetrShareGetInfo gives), and of which type.
 */
static uint32_t
share_check(struct dcerpc_call *call)
{
	struct collect c = { .c_size = sizeof(struct admin_share) };
	char srv[SRVSVC_STR_MAX], dev[SRVSVC_STR_MAX];
	uint32_t err = 0, type = 0;
	bool present;
	int rc;

	if (srvsvc_get_opt_wstr(&call->dcc_in, srv, sizeof(srv),
	    &present) == -1 || (rc = ndr_get_wstr(&call->dcc_in, dev,
	    sizeof(dev))) == -1)
		return NCA_S_FAULT_NDR;
	c.c_want = share_at_path;
	c.c_arg = dev;
	if (rc == -2)
		err = NERR_DeviceNotShared;
	else if (admin_share_list(NULL, share_cb, &c) != 0 || c.c_nomem)
		err = ERROR_NOT_ENOUGH_MEMORY;
	else if (c.c_n == 0)
		err = NERR_DeviceNotShared;
	else
		type = ((const struct admin_share *)c.c_v)->type;
	ndr_put_u32(&call->dcc_out, type);
	ndr_put_u32(&call->dcc_out, err);
	free(c.c_v);
	return 0;
}

/* ---- server ---- */

/*
 * NetrServerDiskEnum (MS-SRVS opnum 23), level 0: the one "drive" the
 * share paths are given on (C:, see share_path()).  As Windows does, the
 * list ends with an empty DISK_INFO that EntriesRead counts and
 * TotalEntries does not.  For administrators, like the other
 * server-wide calls.
 */
static uint32_t
server_disk_enum(struct dcerpc_call *call)
{
	static const char *const disks[] = { "C:", "" };
	struct ndr_rd *rd = &call->dcc_in;
	struct ndr_wr *w = &call->dcc_out;
	char srv[SRVSVC_STR_MAX];
	struct srvsvc_enum e;
	uint32_t level, err = 0, i;
	bool present;

	if (srvsvc_get_opt_wstr(rd, srv, sizeof(srv), &present) == -1)
		return NCA_S_FAULT_NDR;
	level = ndr_get_u32(rd);
	/* DISK_ENUM_CONTAINER: EntriesRead, Buffer (empty if given). */
	(void)ndr_get_u32(rd);
	if (ndr_get_ptr(rd) != 0) {
		(void)ndr_get_u32(rd);			/* max_count */
		(void)ndr_get_u32(rd);			/* offset */
		if (ndr_get_u32(rd) != 0)		/* actual_count */
			return NCA_S_FAULT_NDR;
	}
	if (srvsvc_enum_tail(rd, &e) == -1)
		return NCA_S_FAULT_NDR;
	if (!call->dcc_caller->dc_admin)
		err = ERROR_ACCESS_DENIED;
	else if (level != 0)
		err = ERROR_INVALID_LEVEL;
	ndr_put_u32(w, err == 0 ? 2 : 0);		/* EntriesRead */
	ndr_put_ptr(w, err == 0);
	if (err == 0) {
		/* [size_is, length_is] of DISK_INFO {[string] WCHAR[3]}. */
		ndr_put_u32(w, 2);
		ndr_put_u32(w, 0);
		ndr_put_u32(w, 2);
		for (i = 0; i < 2; i++) {
			size_t n = strlen(disks[i]), k;

			ndr_put_u32(w, 0);		/* offset */
			ndr_put_u32(w, (uint32_t)n + 1);
			for (k = 0; k < n; k++)
				ndr_put_u16(w, (uint8_t)disks[i][k]);
			ndr_put_u16(w, 0);
		}
	}
	ndr_put_u32(w, err == 0 ? 1 : 0);		/* TotalEntries */
	ndr_put_ptr(w, e.se_has_resume);
	if (e.se_has_resume)
		ndr_put_u32(w, 0);
	ndr_put_u32(w, err);
	return 0;
}

/* The name a SERVER_INFO carries: the one asked for, else the host's. */
static void
server_name(const char *asked, const struct admin_server *as, char *out,
    size_t size)
{
	while (*asked == '\\')
		asked++;
	snprintf(out, size, "%s", *asked != '\0' ? asked : as->name);
}

/* NetrServerGetInfo (opnum 21, 3.1.4.17): levels 100, 101, 102. */
static uint32_t
server_get_info(struct dcerpc_call *call)
{
	struct admin_server as;
	struct ndr_wr *w = &call->dcc_out;
	char srv[SRVSVC_STR_MAX], name[SRVSVC_STR_MAX], comment[64];
	uint32_t level, err = 0;
	bool present;

	if (srvsvc_get_opt_wstr(&call->dcc_in, srv, sizeof(srv),
	    &present) == -1)
		return NCA_S_FAULT_NDR;
	level = ndr_get_u32(&call->dcc_in);
	if (!ndr_rd_ok(&call->dcc_in))
		return NCA_S_FAULT_NDR;
	if (level != 100 && level != 101 && level != 102)
		err = ERROR_INVALID_LEVEL;
	/* <80>, <81>: 102 for administrators, 100 and 101 for anyone. */
	else if (level == 102 && !call->dcc_caller->dc_admin)
		err = ERROR_ACCESS_DENIED;
	else if (admin_server_info(&as) != 0)
		err = ERROR_NOT_ENOUGH_MEMORY;
	ndr_put_u32(w, level);
	if (level == 100 || level == 101 || level == 102 || level == 103 ||
	    level == 502 || level == 503)
		ndr_put_ptr(w, err == 0);
	if (err == 0) {
		server_name(srv, &as, name, sizeof(name));
		snprintf(comment, sizeof(comment), "smbsrvd %s", as.version);
		ndr_put_u32(w, PLATFORM_ID_NT);
		ndr_put_wstr_ptr(w, name);
		if (level >= 101) {
			ndr_put_u32(w, SRVSVC_VERSION_MAJOR);
			ndr_put_u32(w, SRVSVC_VERSION_MINOR);
			/* What a Windows or Samba file server announces. */
			ndr_put_u32(w, SV_TYPE_WORKSTATION | SV_TYPE_SERVER |
			    SV_TYPE_NT | SV_TYPE_SERVER_NT);
			ndr_put_wstr_ptr(w, comment);
		}
		if (level == 102) {
			ndr_put_u32(w, 0xFFFFFFFFu);	/* users: no limit */
			ndr_put_u32(w, SV_NODISC);	/* no idle disconnect */
			ndr_put_u32(w, 0);		/* hidden: no */
			ndr_put_u32(w, 240);		/* announce, s */
			ndr_put_u32(w, 3000);		/* anndelta, ms */
			ndr_put_u32(w, 0);		/* licenses: always 0 */
			ndr_put_wstr_ptr(w, "C:\\");
		}
		ndr_flush(w);
	}
	ndr_put_u32(w, err);
	return 0;
}

/* NetrServerStatisticsGet (opnum 24, 3.1.4.20): STAT_SERVER_0. */
static uint32_t
server_statistics(struct dcerpc_call *call)
{
	struct admin_stats st;
	struct ndr_wr *w = &call->dcc_out;
	char srv[SRVSVC_STR_MAX], svc[SRVSVC_STR_MAX];
	uint32_t level, options, err = 0;
	bool present;
	int rc;

	if (srvsvc_get_opt_wstr(&call->dcc_in, srv, sizeof(srv),
	    &present) == -1 || (rc = srvsvc_get_opt_wstr(&call->dcc_in, svc,
	    sizeof(svc), &present)) == -1)
		return NCA_S_FAULT_NDR;
	level = ndr_get_u32(&call->dcc_in);
	options = ndr_get_u32(&call->dcc_in);
	if (!ndr_rd_ok(&call->dcc_in))
		return NCA_S_FAULT_NDR;
	/* <88>, <89>: administrators only. */
	if (!call->dcc_caller->dc_admin)
		err = ERROR_ACCESS_DENIED;
	else if (level != 0)
		err = ERROR_INVALID_LEVEL;
	else if (options != 0 || rc == -2)
		err = ERROR_INVALID_PARAMETER;
	else if (admin_statistics(&st) != 0)
		err = ERROR_NOT_ENOUGH_MEMORY;
	/* [out] LPSTAT_SERVER_0*: a unique pointer to the 17 DWORDs. */
	ndr_put_ptr(w, err == 0);
	if (err == 0) {
		ndr_put_u32(w, (uint32_t)st.start);
		ndr_put_u32(w, (uint32_t)st.fopens);
		ndr_put_u32(w, (uint32_t)st.devopens);
		ndr_put_u32(w, (uint32_t)st.jobsqueued);
		ndr_put_u32(w, (uint32_t)st.sopens);
		ndr_put_u32(w, (uint32_t)st.stimedout);
		ndr_put_u32(w, (uint32_t)st.serrorout);
		ndr_put_u32(w, (uint32_t)st.pwerrors);
		ndr_put_u32(w, (uint32_t)st.permerrors);
		ndr_put_u32(w, (uint32_t)st.syserrors);
		ndr_put_u32(w, (uint32_t)st.bytessent);
		ndr_put_u32(w, (uint32_t)(st.bytessent >> 32));
		ndr_put_u32(w, (uint32_t)st.bytesrcvd);
		ndr_put_u32(w, (uint32_t)(st.bytesrcvd >> 32));
		ndr_put_u32(w, (uint32_t)st.avresponse);
		ndr_put_u32(w, (uint32_t)st.reqbufneed);
		ndr_put_u32(w, (uint32_t)st.bigbufneed);
	}
	ndr_put_u32(w, err);
	return 0;
}

/* NetrRemoteTOD (MS-SRVS opnum 28): TIME_OF_DAY_INFO. */
static uint32_t
remote_tod(struct dcerpc_call *call)
{
	struct ndr_wr *w = &call->dcc_out;
	char srv[SRVSVC_STR_MAX];
	struct timespec now;
	struct tm tm, lt;
	bool present;

	if (srvsvc_get_opt_wstr(&call->dcc_in, srv, sizeof(srv),
	    &present) == -1)
		return NCA_S_FAULT_NDR;
	clock_real(&now);
	gmtime_r(&now.tv_sec, &tm);
	localtime_r(&now.tv_sec, &lt);
	ndr_put_ptr(w, true);
	ndr_put_u32(w, (uint32_t)now.tv_sec);		/* tod_elapsedt */
	ndr_put_u32(w, (uint32_t)clock_mono_ms());	/* tod_msecs */
	ndr_put_u32(w, (uint32_t)tm.tm_hour);
	ndr_put_u32(w, (uint32_t)tm.tm_min);
	ndr_put_u32(w, (uint32_t)tm.tm_sec);
	ndr_put_u32(w, (uint32_t)(now.tv_nsec / 10000000));	/* hunds */
	/* Minutes west of UTC, as Windows counts the bias. */
	ndr_put_u32(w, (uint32_t)(int32_t)(-lt.tm_gmtoff / 60));
	ndr_put_u32(w, 310);		/* tinterval: 31 ms in 0.0001 s */
	ndr_put_u32(w, (uint32_t)tm.tm_mday);
	ndr_put_u32(w, (uint32_t)tm.tm_mon + 1);
	ndr_put_u32(w, (uint32_t)tm.tm_year + 1900);
	ndr_put_u32(w, (uint32_t)tm.tm_wday);
	ndr_put_u32(w, NERR_Success);
	return 0;
}

/*
 * NetprNameValidate (opnum 33, 3.1.4.32) by the table of MS-SRVS 2.2.2.8:
 * lengths in characters and which characters each type refuses.
 */
static uint32_t
name_validate(struct dcerpc_call *call)
{
	static const struct {
		uint32_t	type, min, max;
		const char	*extra;		/* beyond the default set */
		bool		 any;		/* no default set */
	} types[] = {
		{ 1, 1, 256, "", false },	/* USER */
		{ 2, 0, 256, "", true },	/* PASSWORD */
		{ 3, 1, 256, "", false },	/* GROUP */
		{ 4, 1, 260, "*", false },	/* COMPUTER */
		{ 5, 1, 16, "", false },	/* EVENT */
		{ 6, 1, 15, "* ", false },	/* DOMAIN */
		{ 7, 1, 80, "", false },	/* SERVICE */
		{ 8, 1, 260, "", false },	/* NET */
		{ 9, 1, 80, "", false },	/* SHARE */
		{ 10, 1, 15, "", false },	/* MESSAGE */
		{ 11, 1, 255, "", false },	/* MESSAGEDEST */
		{ 12, 0, 8, "", true },		/* SHAREPASSWORD */
		{ 13, 1, 15, "* ", false },	/* WORKGROUP */
	};
	char srv[SRVSVC_STR_MAX], name[SRVSVC_STR_MAX];
	uint32_t type, flags, err = ERROR_INVALID_PARAMETER;
	size_t i, n = 0;
	const char *p;
	bool present;
	int rc;

	if (srvsvc_get_opt_wstr(&call->dcc_in, srv, sizeof(srv),
	    &present) == -1)
		return NCA_S_FAULT_NDR;
	rc = ndr_get_wstr(&call->dcc_in, name, sizeof(name));
	type = ndr_get_u32(&call->dcc_in);
	flags = ndr_get_u32(&call->dcc_in);
	if (rc == -1 || !ndr_rd_ok(&call->dcc_in))
		return NCA_S_FAULT_NDR;
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		if (types[i].type != type)
			continue;
		err = NERR_Success;
		/* Characters, not bytes: count UTF-8 lead bytes. */
		for (p = name; *p != '\0'; p++)
			if (((unsigned char)*p & 0xc0) != 0x80)
				n++;
		if (rc == -2 || n < types[i].min || n > types[i].max)
			err = ERROR_INVALID_NAME;
		for (p = name; err == 0 && !types[i].any && *p != '\0'; p++)
			if ((unsigned char)*p < 0x20 ||
			    strchr("\"/\\[]:|<>+=;,?", *p) != NULL ||
			    strchr(types[i].extra, *p) != NULL)
				err = ERROR_INVALID_NAME;
		/* COMPUTER: no leading or trailing blanks. */
		if (err == 0 && type == 4 && n > 0 && (name[0] == ' ' ||
		    name[strlen(name) - 1] == ' '))
			err = ERROR_INVALID_NAME;
	}
	/*
	 * <120>: Windows takes Flags 0 and 0x80000000 (LM 2.x names, as
	 * smbtorture records) and refuses anything else.
	 */
	if (flags != 0 && flags != 0x80000000u)
		err = ERROR_INVALID_PARAMETER;
	ndr_put_u32(&call->dcc_out, err);
	return 0;
}

static uint32_t
srvsvc_call(struct dcerpc_call *call)
{
	switch (call->dcc_opnum) {
	case 8:
		return srvsvc_connection_enum(call);
	case 9:
		return srvsvc_file_enum(call);
	case 10:
		return srvsvc_file_get_info(call);
	case 11:
		return srvsvc_file_close(call);
	case 12:
		return srvsvc_session_enum(call);
	case 13:
		return srvsvc_session_del(call);
	case 14:
	case 17:
	case 18:
		return srvsvc_share_change(call);
	case 15:
		return share_enum(call, false);
	case 16:
		return share_get_info(call);
	case 20:
		return share_check(call);
	case 21:
		return server_get_info(call);
	case 23:
		return server_disk_enum(call);
	case 24:
		return server_statistics(call);
	case 28:
		return remote_tod(call);
	case 33:
		return name_validate(call);
	case 36:
		return share_enum(call, true);
	default:
		/*
		 * Opnums 0-7 are not used on the wire (MS-SRVS 2.1, 3.1.4)
		 * and the others are not implemented: C706 answers an opnum
		 * the server does not serve with nca_op_rng_error.
		 */
		return NCA_S_OP_RNG_ERROR;
	}
}

/* 4B324FC8-1670-01D3-1278-5A47BF6EE188 v3.0 (MS-SRVS 1.9). */
const struct dcerpc_iface srvsvc_iface = {
	"srvsvc",
	{ 0xc8, 0x4f, 0x32, 0x4b, 0x70, 0x16, 0xd3, 0x01,
	  0x12, 0x78, 0x5a, 0x47, 0xbf, 0x6e, 0xe1, 0x88 },
	3, 0, srvsvc_call
};

/* ---- wkssvc ---- */

/* NetrWkstaGetInfo (opnum 0, MS-WKST 3.2.4.1): level 100 only. */
static uint32_t
wkssvc_call(struct dcerpc_call *call)
{
	struct admin_server as;
	struct ndr_wr *w = &call->dcc_out;
	char srv[SRVSVC_STR_MAX];
	uint32_t level, err = 0;
	bool present;

	if (call->dcc_opnum != 0)
		return NCA_S_OP_RNG_ERROR;
	if (srvsvc_get_opt_wstr(&call->dcc_in, srv, sizeof(srv),
	    &present) == -1)
		return NCA_S_FAULT_NDR;
	level = ndr_get_u32(&call->dcc_in);
	if (!ndr_rd_ok(&call->dcc_in))
		return NCA_S_FAULT_NDR;
	if (level != 100)
		err = ERROR_INVALID_LEVEL;
	else if (admin_server_info(&as) != 0)
		err = ERROR_NOT_ENOUGH_MEMORY;
	ndr_put_u32(w, level);
	if (level == 100 || level == 101 || level == 102 || level == 502)
		ndr_put_ptr(w, err == 0);
	if (err == 0) {
		/* WKSTA_INFO_100 (MS-WKST 2.2.5.1). */
		ndr_put_u32(w, PLATFORM_ID_NT);
		ndr_put_wstr_ptr(w, as.name);
		/*
		 * wki100_langroup: smbsrvd belongs to no domain and has no
		 * workgroup setting; Windows and Samba call a standalone
		 * machine's group WORKGROUP by default.
		 */
		ndr_put_wstr_ptr(w, "WORKGROUP");
		ndr_put_u32(w, SRVSVC_VERSION_MAJOR);
		ndr_put_u32(w, SRVSVC_VERSION_MINOR);
		ndr_flush(w);
	}
	ndr_put_u32(w, err);
	return 0;
}

/* 6BFFD098-A112-3610-9833-46C3F87E345A v1.0 (MS-WKST 1.9). */
const struct dcerpc_iface wkssvc_iface = {
	"wkssvc",
	{ 0x98, 0xd0, 0xff, 0x6b, 0x12, 0xa1, 0x10, 0x36,
	  0x98, 0x33, 0x46, 0xc3, 0xf8, 0x7e, 0x34, 0x5a },
	1, 0, wkssvc_call
};
