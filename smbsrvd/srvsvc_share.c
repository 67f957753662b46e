/*
 * srvsvc_share.c — NetrShareAdd (opnum 14, MS-SRVS 3.1.4.7),
 * NetrShareSetInfo (17, 3.1.4.11) and NetrShareDel (18, 3.1.4.12).
 *
 * The requests are decoded and checked here as MS-SRVS says: the
 * caller's rights, the level, the members (ParmErr names the first bad
 * one, 2.2.2.11) and whether the share exists.  What passes is a struct
 * share_change for share_apply(), the one place that changes the server,
 * through admin_share_add, admin_share_set and admin_share_remove
 * (admin.h, persisted to the configuration).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "admin.h"
#include "srvsvc.h"

/* ParmErr values (MS-SRVS 2.2.2.11). */
#define SHARE_NETNAME_PARMNUM		1
#define SHARE_TYPE_PARMNUM		3
#define SHARE_REMARK_PARMNUM		4
#define SHARE_MAX_USES_PARMNUM		6
#define SHARE_PATH_PARMNUM		8
#define SHARE_FILE_SD_PARMNUM		501

#define STYPE_DISKTREE			0x00000000u
#define STYPE_TEMPORARY			0x40000000u
/* 2.2.4.24: shi2_max_uses for no limit; admin.h takes up to this. */
#define SHI_USES_UNLIMITED		0xFFFFFFFFu
#define SHARE_MAX_USES_LIMIT		16777215u
/* 2.2.4.29 */
#define SHI1005_FLAGS_ENCRYPT_DATA	0x00008000u
/* 3.1.4.11: a remark of at most 48 characters. */
#define REMARK_MAX			48
/* The largest security descriptor taken. */
#define SD_MAX				65536

struct share_change {
	uint32_t	 sc_level;
	char		 sc_name[SRVSVC_STR_MAX];
	char		 sc_comment[SRVSVC_STR_MAX];
	char		 sc_path[SRVSVC_STR_MAX];	/* Unix form */
	bool		 sc_has_comment, sc_has_path;
	bool		 sc_has_type, sc_has_max_uses, sc_has_flags;
	uint32_t	 sc_type;
	uint32_t	 sc_max_uses;
	uint32_t	 sc_flags;
	bool		 sc_has_sd;
	uint32_t	 sc_sdlen;
};

/* Characters of a UTF-8 string. */
static size_t
chars(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

/*
 * shi*_path as clients give it, "C:\srv\data" (the form
 * NetrShareGetInfo answers), to "/srv/data".  false if not that form.
 */
static bool
unix_path(const char *in, char *out, size_t size)
{
	size_t i;

	if (strlen(in) < 3 || in[1] != ':' || (in[2] != '\\' && in[2] !=
	    '/') || strlen(in + 2) >= size)
		return false;
	snprintf(out, size, "%s", in + 2);
	for (i = 0; out[i] != '\0'; i++)
		if (out[i] == '\\')
			out[i] = '/';
	return true;
}

/*
 * One SHARE_INFO_* structure, the referent of the union's arm, with its
 * deferred strings and descriptor: 0, -1 bad stub, or a NET_API_STATUS
 * in *err and ParmErr in *parm.
 */
static int
get_share_info(struct ndr_rd *rd, uint32_t level, struct share_change *sc,
    uint32_t *err, uint32_t *parm)
{
	uint32_t pname = 0, premark = 0, ppath = 0, ppass = 0, psrv = 0;
	uint32_t psd = 0, n;
	char path[SRVSVC_STR_MAX], junk[SRVSVC_STR_MAX];
	int rc = 0;

	*err = 0;
	switch (level) {
	case 1004:
		premark = ndr_get_ptr(rd);
		break;
	case 1005:
		sc->sc_flags = ndr_get_u32(rd);
		sc->sc_has_flags = true;
		break;
	case 1006:
		sc->sc_max_uses = ndr_get_u32(rd);
		sc->sc_has_max_uses = true;
		break;
	case 1501:
		sc->sc_sdlen = ndr_get_u32(rd);
		psd = ndr_get_ptr(rd);
		break;
	default:	/* 1, 2, 502, 503: the common head */
		pname = ndr_get_ptr(rd);
		sc->sc_type = ndr_get_u32(rd);
		sc->sc_has_type = true;
		premark = ndr_get_ptr(rd);
		if (level == 1)
			break;
		(void)ndr_get_u32(rd);			/* permissions */
		sc->sc_max_uses = ndr_get_u32(rd);
		sc->sc_has_max_uses = true;
		(void)ndr_get_u32(rd);			/* current_uses */
		ppath = ndr_get_ptr(rd);
		ppass = ndr_get_ptr(rd);
		if (level == 503)
			psrv = ndr_get_ptr(rd);
		if (level == 502 || level == 503) {
			sc->sc_sdlen = ndr_get_u32(rd);
			psd = ndr_get_ptr(rd);
		}
		break;
	}
	/* The referents, in the order of their pointers. */
	if (pname != 0 && (rc = ndr_get_wstr(rd, sc->sc_name,
	    sizeof(sc->sc_name))) == -2) {
		*err = ERROR_INVALID_PARAMETER;
		*parm = SHARE_NETNAME_PARMNUM;
	}
	if (rc == -1)
		return -1;
	if (premark != 0) {
		if ((rc = ndr_get_wstr(rd, sc->sc_comment,
		    sizeof(sc->sc_comment))) == -1)
			return -1;
		sc->sc_has_comment = true;
		if ((rc == -2 || chars(sc->sc_comment) > REMARK_MAX) &&
		    *err == 0) {
			*err = ERROR_INVALID_PARAMETER;
			*parm = SHARE_REMARK_PARMNUM;
		}
	}
	if (ppath != 0) {
		if ((rc = ndr_get_wstr(rd, path, sizeof(path))) == -1)
			return -1;
		sc->sc_has_path = true;
		if ((rc == -2 || !unix_path(path, sc->sc_path,
		    sizeof(sc->sc_path))) && *err == 0) {
			*err = ERROR_INVALID_PARAMETER;
			*parm = SHARE_PATH_PARMNUM;
		}
	}
	if ((ppass != 0 && ndr_get_wstr(rd, junk, sizeof(junk)) == -1) ||
	    (psrv != 0 && ndr_get_wstr(rd, junk, sizeof(junk)) == -1))
		return -1;
	if (psd != 0) {
		if (ndr_get_carray(rd, 1, SD_MAX, &n) == NULL ||
		    n != sc->sc_sdlen)
			return -1;
		sc->sc_has_sd = true;
	}
	return ndr_rd_ok(rd) ? 0 : -1;
}

/* The [switch_is(Level)] union: its discriminant, arm pointer, referent. */
static int
get_share_union(struct ndr_rd *rd, uint32_t level, struct share_change *sc,
    uint32_t *err, uint32_t *parm)
{
	*err = 0;
	if (ndr_get_u32(rd) != level || !ndr_rd_ok(rd))
		return -1;
	if (ndr_get_ptr(rd) == 0)
		return ndr_rd_ok(rd) ? 0 : -1;
	return get_share_info(rd, level, sc, err, parm);
}

struct find {
	const char	*f_name;
	bool		 f_found;
};

static int
find_cb(const struct admin_share *s, void *arg)
{
	struct find *f = arg;

	if (strcasecmp(s->name, f->f_name) != 0)
		return 0;
	f->f_found = true;
	return 1;
}

/* ShareList lookup (MS-SRVS 3.1.6.1) through admin.h. */
static bool
share_find(const char *name)
{
	struct find f = { name, false };

	(void)admin_share_list(NULL, find_cb, &f);
	return f.f_found;
}

/* An admin_share_* errno as the NET_API_STATUS MS-SRVS names. */
static uint32_t
share_status(int e)
{
	switch (e) {
	case 0:
		return NERR_Success;
	case EINVAL:
		return ERROR_INVALID_PARAMETER;
	case EEXIST:
		return NERR_DuplicateShare;
	case ENOENT:
		return NERR_NetNameNotFound;
	case ENOMEM:
		return ERROR_NOT_ENOUGH_MEMORY;
	case EBUSY:	/* IPC$, or the embedded default has no file */
	case EACCES:
	case EPERM:
		return ERROR_ACCESS_DENIED;
	default:	/* reading or writing the configuration failed */
		return ERROR_GEN_FAILURE;
	}
}

/*
 * The change, checked, made through the same admin.h calls as the REST
 * API's share routes, so it is persisted to the configuration file,
 * logged and evented the same way.  A share security descriptor
 * (levels 502, 503 and 1501) has no counterpart in smbsrvd, whose access
 * control is the share's guest and read-only settings and the file
 * system's: it is ignored beside other fields and refused alone.
 */
static uint32_t
share_apply(const struct dcerpc_call *call, const struct share_change *sc)
{
	struct admin_share_spec sp;
	struct admin_share out;
	char by[1024], why[256];
	int e;

	snprintf(by, sizeof(by), "srvsvc %s by %s",
	    call->dcc_opnum == 14 ? "NetrShareAdd" :
	    call->dcc_opnum == 17 ? "NetrShareSetInfo" : "NetrShareDel",
	    call->dcc_caller->dc_user);
	why[0] = '\0';
	if (call->dcc_opnum == 18)
		return share_status(admin_share_remove(sc->sc_name, false, by,
		    NULL, NULL, why, sizeof(why)));
	if (sc->sc_level == 1501)
		return ERROR_NOT_SUPPORTED;
	admin_share_spec_init(&sp);
	if (sc->sc_has_path)
		sp.path = sc->sc_path;
	if (sc->sc_has_comment)
		sp.comment = sc->sc_comment;
	if (sc->sc_has_max_uses) {
		/* 2.2.4.24: SHI_USES_UNLIMITED (0xFFFFFFFF); 0 is no use. */
		if (sc->sc_max_uses == SHI_USES_UNLIMITED)
			sp.max_uses = 0;
		else if (sc->sc_max_uses == 0 ||
		    sc->sc_max_uses > SHARE_MAX_USES_LIMIT)
			return ERROR_INVALID_PARAMETER;
		else
			sp.max_uses = sc->sc_max_uses;
	}
	/* 2.2.4.29: of the SHI1005 flags only ENCRYPT_DATA is ours. */
	if (sc->sc_has_flags)
		sp.encrypt = (sc->sc_flags & SHI1005_FLAGS_ENCRYPT_DATA) != 0;
	if (call->dcc_opnum == 14) {
		sp.name = sc->sc_name;
		e = admin_share_add(&sp, by, &out, why, sizeof(why));
	} else
		e = admin_share_set(sc->sc_name, &sp, by, &out, why,
		    sizeof(why));
	return share_status(e);
}

/* The answer: [in, out, unique] ParmErr (Add, SetInfo), the status. */
static uint32_t
reply(struct dcerpc_call *call, bool has_parm, uint32_t parm, uint32_t err)
{
	struct ndr_wr *w = &call->dcc_out;

	if (call->dcc_opnum != 18) {
		ndr_put_ptr(w, has_parm);
		if (has_parm)
			ndr_put_u32(w, err == ERROR_INVALID_PARAMETER ?
			    parm : 0);
	}
	ndr_put_u32(w, err);
	return 0;
}

uint32_t
srvsvc_share_change(struct dcerpc_call *call)
{
	struct ndr_rd *rd = &call->dcc_in;
	struct share_change *sc;
	char srv[SRVSVC_STR_MAX];
	uint32_t level = 0, err = 0, parm = 0;
	bool present, has_parm = false, known;
	int rc = 0;

	/* <56>, <66>, <70>: administrators only. */
	if (!call->dcc_caller->dc_admin)
		return reply(call, false, 0, ERROR_ACCESS_DENIED);
	if ((sc = calloc(1, sizeof(*sc))) == NULL)
		return NCA_S_FAULT_REMOTE_NO_MEMORY;
	if (srvsvc_get_opt_wstr(rd, srv, sizeof(srv), &present) == -1)
		goto bad;
	/* SetInfo and Del name the share first: [in, string] NetName. */
	if (call->dcc_opnum != 14 && (rc = ndr_get_wstr(rd, sc->sc_name,
	    sizeof(sc->sc_name))) == -1)
		goto bad;
	if (call->dcc_opnum == 18) {
		(void)ndr_get_u32(rd);			/* Reserved */
		if (!ndr_rd_ok(rd))
			goto bad;
		if (rc == -2 || sc->sc_name[0] == '\0')
			err = ERROR_INVALID_PARAMETER;
		else if (!share_find(sc->sc_name))
			err = NERR_NetNameNotFound;
		else
			err = share_apply(call, sc);
		free(sc);
		return reply(call, false, 0, err);
	}
	level = ndr_get_u32(rd);
	if (!ndr_rd_ok(rd))
		goto bad;
	known = call->dcc_opnum == 14 ?
	    (level == 2 || level == 502 || level == 503) :
	    (level == 1 || level == 2 || level == 502 || level == 503 ||
	    level == 1004 || level == 1005 || level == 1006 || level == 1501);
	/* A level we do not decode ends the request here. */
	if (!known) {
		free(sc);
		return reply(call, false, 0, ERROR_INVALID_LEVEL);
	}
	sc->sc_level = level;
	if (call->dcc_opnum == 14) {
		if (get_share_union(rd, level, sc, &err, &parm) == -1)
			goto bad;
	} else {
		char name[SRVSVC_STR_MAX];

		/* SetInfo ignores shi*_netname (2.2.4.26): keep NetName. */
		snprintf(name, sizeof(name), "%s", sc->sc_name);
		if (get_share_union(rd, level, sc, &err, &parm) == -1)
			goto bad;
		snprintf(sc->sc_name, sizeof(sc->sc_name), "%s", name);
		if (rc == -2 && err == 0)
			err = ERROR_INVALID_PARAMETER;
	}
	has_parm = ndr_get_ptr(rd) != 0;
	if (has_parm)
		(void)ndr_get_u32(rd);
	if (!ndr_rd_ok(rd))
		goto bad;
	if (err == 0 && call->dcc_opnum == 14) {
		/* 3.1.4.7, in its order. */
		if (sc->sc_name[0] == '\0' || chars(sc->sc_name) > 80) {
			err = ERROR_INVALID_PARAMETER;
			parm = SHARE_NETNAME_PARMNUM;
		} else if (strcasecmp(sc->sc_name, "pipe") == 0 ||
		    strcasecmp(sc->sc_name, "mailslot") == 0)
			err = ERROR_ACCESS_DENIED;
		else if ((sc->sc_type & ~STYPE_TEMPORARY) != STYPE_DISKTREE) {
			/* Only disk shares are served. */
			err = ERROR_INVALID_PARAMETER;
			parm = SHARE_TYPE_PARMNUM;
		} else if (!sc->sc_has_path) {
			err = ERROR_INVALID_PARAMETER;
			parm = SHARE_PATH_PARMNUM;
		} else if (share_find(sc->sc_name))
			err = NERR_DuplicateShare;
	} else if (err == 0) {
		if (sc->sc_name[0] == '\0')
			err = ERROR_INVALID_PARAMETER;
		else if (!share_find(sc->sc_name))
			err = NERR_NetNameNotFound;
	}
	if (err == 0)
		err = share_apply(call, sc);
	free(sc);
	return reply(call, has_parm, parm, err);
bad:
	free(sc);
	return NCA_S_FAULT_NDR;
}
