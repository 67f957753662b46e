/*
 * reqstats.h — per-command SMB2 request counts, handling time histogram
 * and error statuses, for /metrics.
 *
 * The dispatcher (smb2_dispatch.c) stamps a request as it starts and
 * reports it once its final response is built, with the status and the
 * time from that stamp:
 *   - answered at once: the loop's handling time, decode to response;
 *   - gone async (MS-SMB2 3.3.4.2, smb2_async.h): the interim
 *     STATUS_PENDING answer is not counted; the final answer is, when
 *     smb2_async_complete() builds it, with the whole time the request
 *     took — a blocking lock's wait, a create's wait for an oplock or
 *     lease break, a CHANGE_NOTIFY's wait for a change;
 *   - cancelled by the client (CANCEL, 3.3.5.16, answered
 *     STATUS_CANCELLED): counted apart by reqstats_cancelled() and its
 *     status among the errors, but not observed in the histogram — how
 *     long it waited is the client's choice, not the server's latency;
 *   - dropped with its connection (no final answer at all): not counted.
 * Times come from CLOCK_MONOTONIC directly, not clock.h: tests fake the
 * scavenger's clock, not this one.  Loop thread only.
 */
#ifndef SMBSRVD_REQSTATS_H
#define SMBSRVD_REQSTATS_H

#include <stdint.h>

#define REQSTATS_NBUCKETS	12
#define REQSTATS_NCMDS		19	/* SMB2_NCOMMANDS */
#define REQSTATS_NERRORS	64	/* distinct error statuses kept */

struct reqstats_cmd {
	uint64_t	rc_count;
	uint64_t	rc_sum_ns;
	uint64_t	rc_bucket[REQSTATS_NBUCKETS];	/* not cumulative */
	uint64_t	rc_over;	/* above the last bound */
	uint64_t	rc_cancelled;	/* not in the counts above */
};

struct reqstats_err {
	uint32_t	re_status;
	uint64_t	re_count;
};

/* Upper bounds of the buckets, in nanoseconds, ascending. */
extern const uint64_t	reqstats_bounds_ns[REQSTATS_NBUCKETS];

uint64_t	reqstats_start(void);
void		reqstats_done(uint16_t cmd, uint32_t status, uint64_t start);
/* A final answer to a client's CANCEL: status (STATUS_CANCELLED) counted. */
void		reqstats_cancelled(uint16_t cmd, uint32_t status);
const struct reqstats_cmd *reqstats_cmd(uint16_t cmd);	/* NULL: no such */
/* The error statuses seen (NT severity error), first seen first. */
const struct reqstats_err *reqstats_errors(unsigned int *n, uint64_t *other);
void		reqstats_clear(void);

#endif
