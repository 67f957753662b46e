/*
 * resilient.h — resilient opens: FSCTL_LMR_REQUEST_RESILIENCY (MS-SMB2
 * 3.3.5.15.9; input 2.2.31.3 NETWORK_RESILIENCY_REQUEST).
 *
 * The request turns an open resilient: IsDurable FALSE, IsResilient TRUE,
 * ResiliencyTimeout and DurableOwner set.  From then on the open is kept
 * by LOGOFF (3.3.5.6) and by the loss of its connection (3.3.7.1) for
 * ResiliencyTimeout on the scavenger (ofile.c, OFILE_DISCONNECTED), and a
 * DHnC or DH2C from its owner reclaims it (smb2_durable.c) whatever
 * oplock or lease it holds.
 */
#ifndef SMBSRVD_RESILIENT_H
#define SMBSRVD_RESILIENT_H

#include <stdint.h>

#define FSCTL_LMR_REQUEST_RESILIENCY	0x001401D4u
/* 2.2.31.3: Timeout (4 bytes, ms) and Reserved (4 bytes). */
#define RESILIENCY_REQ_LEN		8
/*
 * The defaults of "resilient timeout max", MaxResiliencyTimeout (Windows
 * 7 / 2008 R2 and later, <226>), and of "resilient timeout", the
 * ResiliencyTimeout for a Timeout of 0 (Windows 8 and later, <401>).
 * The server uses the configured values.
 */
#define RESILIENCY_MAX_MS		300000u
#define RESILIENCY_DEFAULT_MS		120000u

struct msgbuf_rd;
struct smb_req;

/*
 * 3.3.5.15.9 steps 3 and 4: the granted ResiliencyTimeout of an input
 * buffer (default_ms for a Timeout of 0), or STATUS_INVALID_PARAMETER
 * when it is shorter than 8 bytes or asks for more than max_ms
 * (MaxResiliencyTimeout).
 */
uint32_t	resilient_parse(struct msgbuf_rd *in, uint32_t default_ms,
		    uint32_t max_ms, uint32_t *timeout);
/*
 * The FSCTL on the open (p, v) of request r with input in: 0 (no output
 * data) or the status of 3.3.5.15.9.
 */
uint32_t	resilient_request(struct smb_req *, uint64_t p, uint64_t v,
		    struct msgbuf_rd *in);

#endif
