/*
 * admin_stats.c — SMB2 request statistics for the management plane
 * (admin.h): a copy of reqstats.c's tables.
 */
#include <stdio.h>
#include <string.h>

#include "admin.h"
#include "reqstats.h"
#include "smb2.h"

_Static_assert(ADMIN_LAT_BUCKETS == REQSTATS_NBUCKETS, "buckets");
_Static_assert(ADMIN_NCMDS == REQSTATS_NCMDS &&
    REQSTATS_NCMDS == SMB2_NCOMMANDS, "commands");
_Static_assert(ADMIN_NERRORS == REQSTATS_NERRORS, "errors");

int
admin_reqstats(struct admin_reqstats *ar)
{
	const struct reqstats_cmd *rc;
	const struct reqstats_err *re;
	unsigned int i, b;

	memset(ar, 0, sizeof(*ar));
	for (b = 0; b < ADMIN_LAT_BUCKETS; b++)
		ar->bounds[b] = (double)reqstats_bounds_ns[b] / 1e9;
	for (i = 0; i < ADMIN_NCMDS; i++) {
		rc = reqstats_cmd((uint16_t)i);
		snprintf(ar->cmd[i].name, sizeof(ar->cmd[i].name), "%s",
		    smb2_cmd_name((uint16_t)i));
		ar->cmd[i].count = rc->rc_count;
		ar->cmd[i].sum_ns = rc->rc_sum_ns;
		ar->cmd[i].over = rc->rc_over;
		ar->cmd[i].cancelled = rc->rc_cancelled;
		memcpy(ar->cmd[i].bucket, rc->rc_bucket,
		    sizeof(ar->cmd[i].bucket));
	}
	re = reqstats_errors(&ar->nerrors, &ar->errors_other);
	for (i = 0; i < ar->nerrors; i++) {
		ar->errors[i].status = re[i].re_status;
		ar->errors[i].count = re[i].re_count;
	}
	return 0;
}
