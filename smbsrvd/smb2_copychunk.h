/*
 * smb2_copychunk.h — server-side copy over IOCTL (MS-SMB2 3.3.5.15.3,
 * 3.3.5.15.6; smb2_copychunk.c).
 */
#ifndef SMBSRVD_SMB2_COPYCHUNK_H
#define SMBSRVD_SMB2_COPYCHUNK_H

#include <stdint.h>

#include "msgbuf.h"

/* MS-SMB2 2.2.31 CtlCode values. */
#define FSCTL_SRV_REQUEST_RESUME_KEY	0x00140078u
#define FSCTL_SRV_COPYCHUNK		0x001440F2u
#define FSCTL_SRV_COPYCHUNK_WRITE	0x001480F2u

struct ofile;
struct smb_req;

/* A SRV_COPYCHUNK_COPY (2.2.31.1) checked against the limits. */
struct copychunk_req {
	const uint8_t	*cr_key;	/* SourceKey, 24 bytes; NULL if cut */
	uint32_t	 cr_count;	/* ChunkCount */
	const uint8_t	*cr_chunks;	/* cr_count SRV_COPYCHUNKs */
	uint32_t	 cr_total;	/* sum of their Lengths */
};

/*
 * Parses in: STATUS_SUCCESS, or STATUS_INVALID_PARAMETER when it is cut
 * short or beyond ServerSideCopyMaxNumberofChunks, -MaxChunkSize (or a
 * Length of 0) or -MaxDataSize (3.3.5.15.6).  cr_key is set whenever
 * the input holds 24 bytes.
 */
uint32_t	copychunk_parse(struct msgbuf_rd *in, struct copychunk_req *);
/* Chunk i of a parsed request. */
void		copychunk_chunk(const struct copychunk_req *, uint32_t i,
		    uint64_t *soff, uint64_t *doff, uint32_t *len);

/*
 * The open's ResumeKey (drawn the first time) as a SRV_REQUEST_RESUME_KEY
 * response into out; a status.
 */
uint32_t	copychunk_resume_key(struct ofile *, uint32_t maxout,
		    struct msgbuf_wr *out);
/*
 * Copies the chunks of the SRV_COPYCHUNK_COPY in into dst (the IOCTL's
 * open), for CtlCode ctl.  A status; out holds the SRV_COPYCHUNK_RESPONSE
 * whenever the response carries one (success, a failed chunk, the
 * limits with STATUS_INVALID_PARAMETER), and is empty otherwise.
 */
uint32_t	copychunk_copy(struct smb_req *, struct ofile *dst,
		    uint32_t ctl, struct msgbuf_rd *in, uint32_t maxout,
		    struct msgbuf_wr *out);

#endif
