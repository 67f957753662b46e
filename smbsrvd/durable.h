/*
 * durable.h — durable handle create contexts (MS-SMB2 3.3.5.9.6 DHnQ,
 * 3.3.5.9.7 DHnC, 3.3.5.9.10 DH2Q, 3.3.5.9.12 DH2C; layouts 2.2.13.2.3,
 * 2.2.13.2.4, 2.2.13.2.11, 2.2.13.2.12, 2.2.14.2.3, 2.2.14.2.12).
 *
 * CREATE hands each of the four contexts to durable_ctx(), checks the
 * combination with durable_check(), and then either reconnects
 * (durable_reconnect(): the open a disconnected client left) or, after a
 * normal open, asks durable_grant() whether the new open is durable and
 * what response context to add.
 */
#ifndef SMBSRVD_DURABLE_H
#define SMBSRVD_DURABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "msgbuf.h"

/*
 * The defaults of "durable timeout max", the v2 ceiling (3.3.5.9.10,
 * <343>), and of "durable timeout", how long a durable open waits for
 * its client when it names no time: 60 s as Windows for v2 (<344>).
 * The server uses the configured values (conf.c says why one default
 * serves v1 too).
 */
#define DURABLE_V2_MAX_MS	300000
#define DURABLE_DEFAULT_MS	60000

#define SMB2_DHANDLE_FLAG_PERSISTENT	0x00000002

struct lease_req;
struct ofile;
struct smb_req;

struct durable_req {
	bool		dr_dhnq, dr_dhnc, dr_dh2q, dr_dh2c;
	uint32_t	dr_timeout;		/* DH2Q, ms */
	uint32_t	dr_flags;		/* DH2Q / DH2C */
	uint8_t		dr_guid[16];		/* CreateGuid */
	uint64_t	dr_fid_p, dr_fid_v;	/* DHnC / DH2C FileId */
};

/* 3.3.5.9.10 step 3: 0, or DUPLICATE_OBJECTID for a CreateGuid in use. */
uint32_t	durable_replay_check(const struct durable_req *,
		    const uint8_t client[16]);
/* One context: name is 4 bytes, data the context's data. */
uint32_t	durable_ctx(struct durable_req *, const uint8_t *name,
		    struct msgbuf_rd *data);
/* The combination rules; 0 or STATUS_INVALID_PARAMETER. */
uint32_t	durable_check(const struct durable_req *);
bool		durable_is_reconnect(const struct durable_req *);
/*
 * DHnC / DH2C for request r on its session and tree, with the request's
 * lease context lr (lr_version 0: none) and the name it carries as a
 * share path (NULL: a name that does not convert, which matches no
 * lease): the reclaimed open (held, in r_open) or the status the spec
 * gives.
 */
uint32_t	durable_reconnect(struct smb_req *, const struct durable_req *,
		    struct lease_req *lr, const char *path, struct ofile **);
/*
 * After a new open of of was granted oplock level granted: makes it
 * durable when the request and the oplock allow, for default_ms (v1, v2
 * asking for 0) or the v2 request's Timeout capped at max_ms.  *ctxname
 * (4 bytes) and out[*outlen] are the response context to add, or
 * *outlen 0.
 */
void		durable_grant(struct ofile *, const struct durable_req *,
		    uint8_t granted, uint32_t default_ms, uint32_t max_ms,
		    char ctxname[4], uint8_t out[8], size_t *outlen);

#endif
