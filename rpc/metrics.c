/*
 * metrics.c — GET /metrics: the server's counters in the Prometheus text
 * exposition format, version 0.0.4 (one "# HELP", one "# TYPE" and the
 * samples of each family; label values escaped as the format says).
 * Everything comes through admin.h, like every other route.
 */
#include <errno.h>
#include <stddef.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "ops.h"
#include "ops_int.h"

static void
family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP smbsrvd_%s %s\n# TYPE smbsrvd_%s %s\n", name, help,
	    name, type);
}

static void
sample(FILE *f, const char *name, uint64_t v)
{
	fprintf(f, "smbsrvd_%s %" PRIu64 "\n", name, v);
}

/* A label value: backslash, double quote and newline escaped. */
static void
label_value(FILE *f, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\' || *s == '"')
			fprintf(f, "\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
}

static int
metrics_share_cb(const struct admin_share *ash, void *arg)
{
	FILE *f = arg;

	fputs("smbsrvd_share_current_uses{share=\"", f);
	label_value(f, ash->name);
	fprintf(f, "\"} %u\n", ash->current_uses);
	return 0;
}

static void
metrics_stats(FILE *f, const struct admin_stats *st)
{
	static const struct {
		const char	*name;
		const char	*type;
		const char	*help;
		size_t		 off;
	} rows[] = {
#define R(n, t, h)	{ #n, t, h, offsetof(struct admin_stats, n) }
		R(fopens, "counter", "STAT_SERVER_0 sts0_fopens: files opened"),
		R(sopens, "gauge", "STAT_SERVER_0 sts0_sopens: sessions"),
		R(stimedout, "counter", "sts0_stimedout: sessions timed out"),
		R(serrorout, "counter", "sts0_serrorout: sessions ended by "
		    "an error"),
		R(pwerrors, "counter", "sts0_pwerrors: failed logons"),
		R(permerrors, "counter", "sts0_permerrors: access denied"),
		R(syserrors, "counter", "sts0_syserrors: system errors"),
		R(bytessent, "counter", "sts0_bytessent: bytes sent"),
		R(bytesrcvd, "counter", "sts0_bytesrcvd: bytes received"),
#undef R
	};
	char name[64];
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		snprintf(name, sizeof(name), "sts0_%s%s", rows[i].name,
		    strcmp(rows[i].type, "counter") == 0 ? "_total" : "");
		family(f, name, rows[i].type, rows[i].help);
		sample(f, name, *(const uint64_t *)(const void *)
		    ((const char *)st + rows[i].off));
	}
	family(f, "bytes_sent_total", "counter", "Bytes sent to SMB clients");
	sample(f, "bytes_sent_total", st->bytessent);
	family(f, "bytes_received_total", "counter",
	    "Bytes received from SMB clients");
	sample(f, "bytes_received_total", st->bytesrcvd);
	family(f, "connections", "gauge", "SMB transport connections");
	sample(f, "connections", st->connections);
	family(f, "sessions", "gauge", "Sessions by dialect");
	for (i = 0; i < ADMIN_NDIALECTS; i++)
		fprintf(f, "smbsrvd_sessions{dialect=\"%s\"} %u\n",
		    admin_dialect_name((int)i), st->sessions_by_dialect[i]);
	family(f, "trees", "gauge", "Tree connects");
	sample(f, "trees", st->trees);
}

static void
metrics_requests(FILE *f, const struct admin_reqstats *ar)
{
	uint64_t cum;
	unsigned int i, b;

	family(f, "request_duration_seconds", "histogram",
	    "SMB2 request time from arrival to its final response, by "
	    "command (async ones: to the final answer; cancelled ones not "
	    "observed)");
	for (i = 0; i < ADMIN_NCMDS; i++) {
		if (ar->cmd[i].count == 0)
			continue;
		cum = 0;
		for (b = 0; b < ADMIN_LAT_BUCKETS; b++) {
			cum += ar->cmd[i].bucket[b];
			fprintf(f, "smbsrvd_request_duration_seconds_bucket{"
			    "command=\"%s\",le=\"%g\"} %" PRIu64 "\n",
			    ar->cmd[i].name, ar->bounds[b], cum);
		}
		fprintf(f, "smbsrvd_request_duration_seconds_bucket{"
		    "command=\"%s\",le=\"+Inf\"} %" PRIu64 "\n",
		    ar->cmd[i].name, ar->cmd[i].count);
		fprintf(f, "smbsrvd_request_duration_seconds_sum{"
		    "command=\"%s\"} %.9f\n", ar->cmd[i].name,
		    (double)ar->cmd[i].sum_ns / 1e9);
		fprintf(f, "smbsrvd_request_duration_seconds_count{"
		    "command=\"%s\"} %" PRIu64 "\n", ar->cmd[i].name,
		    ar->cmd[i].count);
	}
	family(f, "requests_cancelled_total", "counter",
	    "SMB2 requests answered STATUS_CANCELLED after a client CANCEL, "
	    "by command");
	for (i = 0; i < ADMIN_NCMDS; i++)
		if (ar->cmd[i].cancelled > 0)
			fprintf(f, "smbsrvd_requests_cancelled_total{"
			    "command=\"%s\"} %" PRIu64 "\n", ar->cmd[i].name,
			    ar->cmd[i].cancelled);
	family(f, "errors_total", "counter",
	    "SMB2 responses with an error status, by status");
	for (i = 0; i < ar->nerrors; i++) {
		fprintf(f, "smbsrvd_errors_total{status=\"0x%08x\"} %" PRIu64
		    "\n", ar->errors[i].status, ar->errors[i].count);
	}
	if (ar->errors_other > 0)
		fprintf(f, "smbsrvd_errors_total{status=\"other\"} %" PRIu64
		    "\n", ar->errors_other);
}

int
ops_metrics(const struct ops_req *rq, struct ops_reply *rp)
{
	struct admin_scav_timer dur, res;
	struct admin_reqstats *ar;
	struct admin_stats st;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	int err;

	(void)rq;
	if ((err = admin_statistics(&st)) != 0 ||
	    (err = admin_scav_timers(&dur, &res)) != 0)
		return err;
	if ((ar = malloc(sizeof(*ar))) == NULL)
		return ENOMEM;
	if ((err = admin_reqstats(ar)) != 0 ||
	    (f = open_memstream(&buf, &len)) == NULL) {
		free(ar);
		return err != 0 ? err : ENOMEM;
	}
	metrics_stats(f, &st);
	family(f, "opens", "gauge", "Opens in GlobalOpenTable by state");
	fprintf(f, "smbsrvd_opens{state=\"active\"} %u\n",
	    st.opens - (dur.pending + res.pending <= st.opens ?
	    dur.pending + res.pending : st.opens));
	fprintf(f, "smbsrvd_opens{state=\"detached\"} %u\n",
	    dur.pending + res.pending);
	family(f, "scavenger_pending", "gauge",
	    "Disconnected opens waiting for a reconnect, by timer");
	fprintf(f, "smbsrvd_scavenger_pending{timer=\"durable\"} %u\n",
	    dur.pending);
	fprintf(f, "smbsrvd_scavenger_pending{timer=\"resilient\"} %u\n",
	    res.pending);
	family(f, "share_current_uses", "gauge",
	    "Share.CurrentUses: tree connects to each share");
	(void)admin_share_list(NULL, metrics_share_cb, f);
	metrics_requests(f, ar);
	family(f, "events_last_seq", "counter",
	    "The newest event sequence number");
	sample(f, "events_last_seq", st.events_last_seq);
	free(ar);
	if (fclose(f) != 0 || buf == NULL) {
		free(buf);
		return ENOMEM;
	}
	rp->rp_buf = buf;
	rp->rp_data = buf;
	rp->rp_len = len;
	rp->rp_type = "text/plain; version=0.0.4; charset=utf-8";
	rp->rp_status = 200;
	return 0;
}
