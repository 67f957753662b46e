/*
 * reqstats.c — SMB2 request counts, handling times and error statuses
 * (see reqstats.h).
 */
#include <string.h>
#include <time.h>

#include "reqstats.h"

/* 50 us to 1 s: a file server's answers, from cached to slow disk. */
const uint64_t reqstats_bounds_ns[REQSTATS_NBUCKETS] = {
	50000, 100000, 250000, 500000, 1000000, 2500000, 5000000,
	10000000, 25000000, 100000000, 250000000, 1000000000
};

static struct reqstats_cmd	reqstats_cmds[REQSTATS_NCMDS];
static struct reqstats_err	reqstats_errs[REQSTATS_NERRORS];
static unsigned int		reqstats_nerrs;
static uint64_t			reqstats_other;	/* table full */

uint64_t
reqstats_start(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void
reqstats_error(uint32_t status)
{
	unsigned int i;

	for (i = 0; i < reqstats_nerrs; i++)
		if (reqstats_errs[i].re_status == status) {
			reqstats_errs[i].re_count++;
			return;
		}
	if (reqstats_nerrs == REQSTATS_NERRORS) {
		reqstats_other++;
		return;
	}
	reqstats_errs[reqstats_nerrs].re_status = status;
	reqstats_errs[reqstats_nerrs].re_count = 1;
	reqstats_nerrs++;
}

void
reqstats_done(uint16_t cmd, uint32_t status, uint64_t start)
{
	struct reqstats_cmd *rc;
	uint64_t now = reqstats_start(), ns = now > start ? now - start : 0;
	unsigned int b;

	if (cmd >= REQSTATS_NCMDS)
		return;
	rc = &reqstats_cmds[cmd];
	rc->rc_count++;
	rc->rc_sum_ns += ns;
	for (b = 0; b < REQSTATS_NBUCKETS && ns > reqstats_bounds_ns[b]; b++)
		continue;
	if (b == REQSTATS_NBUCKETS)
		rc->rc_over++;
	else
		rc->rc_bucket[b]++;
	/* NT severity 3 (error); warnings such as BUFFER_OVERFLOW are not. */
	if ((status >> 30) == 3)
		reqstats_error(status);
}

void
reqstats_cancelled(uint16_t cmd, uint32_t status)
{
	if (cmd >= REQSTATS_NCMDS)
		return;
	reqstats_cmds[cmd].rc_cancelled++;
	if ((status >> 30) == 3)
		reqstats_error(status);
}

const struct reqstats_cmd *
reqstats_cmd(uint16_t cmd)
{
	return cmd < REQSTATS_NCMDS ? &reqstats_cmds[cmd] : NULL;
}

const struct reqstats_err *
reqstats_errors(unsigned int *n, uint64_t *other)
{
	*n = reqstats_nerrs;
	*other = reqstats_other;
	return reqstats_errs;
}

void
reqstats_clear(void)
{
	memset(reqstats_cmds, 0, sizeof(reqstats_cmds));
	memset(reqstats_errs, 0, sizeof(reqstats_errs));
	reqstats_nerrs = 0;
	reqstats_other = 0;
}
