/*
 * reqstats.h — per-command SMB2 request counts, handling time histogram
 * and error statuses, for /metrics.
 *
 * The dispatcher (smb2_dispatch.c) stamps a request as it starts and
 * reports it once its response is built, with the status.  An interim
 * STATUS_PENDING response is not counted; the time is the loop's own
 * handling time, from decode to encoded response.  Times come from
 * CLOCK_MONOTONIC directly, not clock.h: tests fake the scavenger's
 * clock, not this one.  Loop thread only.
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
};

struct reqstats_err {
	uint32_t	re_status;
	uint64_t	re_count;
};

/* Upper bounds of the buckets, in nanoseconds, ascending. */
extern const uint64_t	reqstats_bounds_ns[REQSTATS_NBUCKETS];

uint64_t	reqstats_start(void);
void		reqstats_done(uint16_t cmd, uint32_t status, uint64_t start);
const struct reqstats_cmd *reqstats_cmd(uint16_t cmd);	/* NULL: no such */
/* The error statuses seen (NT severity error), first seen first. */
const struct reqstats_err *reqstats_errors(unsigned int *n, uint64_t *other);
void		reqstats_clear(void);

#endif
