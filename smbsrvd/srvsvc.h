/*
 * srvsvc.h — the MS-SRVS server service (srvsvc, MS-SRVS 3.1.4) and the
 * one workstation-service call clients ask of a file server (wkssvc
 * NetrWkstaGetInfo, MS-WKST 3.2.4.1), as DCE/RPC interfaces (dcerpc.h).
 *
 * Every answer comes from admin.h, the interface the REST API uses, so
 * every tool sees the same sessions, tree connects, opens, shares and
 * statistics, and the actions (NetrSessionDel, NetrFileClose) are the
 * admin actions.  Access follows MS-SRVS 3.1.4 and its Windows notes:
 * "Administrators" are the configuration's "admin users" (authenticated,
 * not guest); denied calls return ERROR_ACCESS_DENIED.
 *
 * srvsvc.c holds the dispatch table, shares, server information, time
 * and name validation; srvsvc_enum.c sessions, connections and files;
 * srvsvc_share.c share changes.
 */
#ifndef SMBSRVD_SRVSVC_H
#define SMBSRVD_SRVSVC_H

#include <stdbool.h>
#include <stdint.h>

#include "dcerpc.h"

extern const struct dcerpc_iface srvsvc_iface;
extern const struct dcerpc_iface wkssvc_iface;

/* NET_API_STATUS values (MS-SRVS 2.2.2.10, MS-ERREF 2.2). */
#define NERR_Success			0x00000000u
#define ERROR_FILE_NOT_FOUND		0x00000002u
#define ERROR_ACCESS_DENIED		0x00000005u
#define ERROR_NOT_ENOUGH_MEMORY		0x00000008u
#define ERROR_GEN_FAILURE		0x0000001Fu
#define ERROR_NOT_SUPPORTED		0x00000032u
#define ERROR_INVALID_PARAMETER		0x00000057u
#define ERROR_INVALID_NAME		0x0000007Bu
#define ERROR_INVALID_LEVEL		0x0000007Cu
#define ERROR_MORE_DATA			0x000000EAu
#define NERR_DuplicateShare		0x00000846u
#define NERR_UserNotFound		0x000008ADu
#define NERR_NetNameNotFound		0x00000906u
#define NERR_DeviceNotShared		0x00000907u
#define NERR_ClientNameNotFound		0x00000908u
#define NERR_FileIdNotFound		0x0000090Au
#define NERR_InvalidComputer		0x0000092Fu

#define MAX_PREFERRED_LENGTH		0xFFFFFFFFu
/* MS-SRVS 3.1.4: qualifiers longer than 1024 characters are refused. */
#define SRVSVC_STR_MAX			(1024 * 3 + 1)

/* The parts every enumeration shares (MS-SRVS 3.1.4.1, .2, .5, .8). */
struct srvsvc_enum {
	uint32_t	se_level;
	bool		se_arm;		/* the union has a pointer arm */
	uint32_t	se_prefmax;
	bool		se_has_resume;
	uint32_t	se_resume;
};

/* One record's fixed part; its strings are deferred (ndr.h). */
typedef void	(*srvsvc_put_fn)(struct ndr_wr *, uint32_t level,
		    const void *rec);

/*
 * Decodes the InfoStruct of an enumeration (Level, the union switch,
 * the container pointer and the container, whose Buffer must be NULL),
 * PreferedMaximumLength and ResumeHandle, in that order.  arms lists the
 * levels the union has an arm for.  -1: bad stub.
 */
int	srvsvc_enum_in(struct ndr_rd *, const uint32_t *arms, int narms,
	    struct srvsvc_enum *);
/* Decodes PreferedMaximumLength and ResumeHandle only. */
int	srvsvc_enum_tail(struct ndr_rd *, struct srvsvc_enum *);
/*
 * Encodes the answer of an enumeration of n records of recsize bytes:
 * the records from the resume point that fit PreferedMaximumLength,
 * TotalEntries, ResumeHandle and the status (err if non-zero, with no
 * records).
 */
void	srvsvc_enum_out(struct ndr_wr *, const struct srvsvc_enum *,
	    const void *recs, size_t n, size_t recsize, srvsvc_put_fn,
	    uint32_t err);
/*
 * An optional [string, unique] wchar_t* parameter into buf ("" and
 * *present false for NULL).  -1 bad stub, -2 longer than allowed.
 */
int	srvsvc_get_opt_wstr(struct ndr_rd *, char *buf, size_t size,
	    bool *present);
/* "addr" of "addr:port" or "[v6]:port". */
void	srvsvc_client_addr(const char *client, char *out, size_t size);

/* srvsvc_enum.c: opnums 8-13. */
uint32_t	srvsvc_connection_enum(struct dcerpc_call *);
uint32_t	srvsvc_file_enum(struct dcerpc_call *);
uint32_t	srvsvc_file_get_info(struct dcerpc_call *);
uint32_t	srvsvc_file_close(struct dcerpc_call *);
uint32_t	srvsvc_session_enum(struct dcerpc_call *);
uint32_t	srvsvc_session_del(struct dcerpc_call *);
/* srvsvc_share.c: opnums 14, 17, 18. */
uint32_t	srvsvc_share_change(struct dcerpc_call *);

#endif
