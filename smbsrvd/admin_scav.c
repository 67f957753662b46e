/*
 * admin_scav.c — the scavenger as the management plane sees it (admin.h).
 *
 * A disconnected durable or resilient open (OFILE_DISCONNECTED) carries
 * its own deadline in the loop's timer heap (ofile.c).  The spec's two
 * scavenger timers (MS-SMB2 3.3.2.2 Durable Open Scavenger Timer, 3.3.2.4
 * Resilient Open Scavenger Timer) are the earliest deadline of each
 * kind, computed here by a walk of GlobalOpenTable: the admin plane asks
 * rarely, and the walk keeps the protocol's own path free of
 * bookkeeping.  Expiring an open early does what its timer would
 * (ofile_scavenge: open.expired, then the close of MS-SMB2 3.3.4.17);
 * extending re-arms its timer later, never earlier.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "admin_int.h"
#include "clock.h"
#include "events.h"
#include "log.h"
#include "loop.h"
#include "ofile.h"
#include "server.h"
#include "share.h"
#include "tree.h"

#define ADMIN_SCAV_EXTEND_MAX	(24ULL * 3600 * 1000)

static void
guid_text(char *buf, size_t len, const uint8_t g[16])
{
	/* The first three fields are little-endian on the wire. */
	snprintf(buf, len, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x%02x%02x%02x%02x",
	    g[3], g[2], g[1], g[0], g[5], g[4], g[7], g[6], g[8], g[9],
	    g[10], g[11], g[12], g[13], g[14], g[15]);
}

/* Only durable and resilient opens are ever detached. */
static const char *
scav_reason(const struct ofile *of)
{
	const char *why = ofile_durability(of);

	return why != NULL ? why : "durable_v1";
}

static void
fill_scav(const struct ofile *of, struct admin_scav *sc)
{
	uint64_t now = clock_mono_ms();
	const struct share *sh = of->of_rootref != NULL ?
	    of->of_rootref->t_share : NULL;

	memset(sc, 0, sizeof(*sc));
	sc->id = of->of_global_id;
	admin_copy(sc->path, sizeof(sc->path), of->of_path);
	if (sh != NULL)
		admin_copy(sc->share, sizeof(sc->share), sh->sh_name);
	snprintf(sc->reason, sizeof(sc->reason), "%s", scav_reason(of));
	sc->timeout_ms = of->of_resilient ? of->of_resilient_timeout :
	    of->of_durable_timeout;
	sc->remaining_ms = of->of_deadline > now ? of->of_deadline - now : 0;
	admin_mono_to_real(now, &sc->deadline);
	sc->deadline.tv_sec += (time_t)(sc->remaining_ms / 1000);
	sc->deadline.tv_nsec += (long)(sc->remaining_ms % 1000) * 1000000;
	if (sc->deadline.tv_nsec >= 1000000000) {
		sc->deadline.tv_nsec -= 1000000000;
		sc->deadline.tv_sec++;
	}
	admin_mono_to_real(of->of_disconnected, &sc->disconnected);
	admin_copy(sc->client, sizeof(sc->client), of->of_client);
	guid_text(sc->client_guid, sizeof(sc->client_guid),
	    of->of_client_guid);
	admin_copy(sc->user, sizeof(sc->user), of->of_owner);
	if (of->of_durable_v2)
		guid_text(sc->create_guid, sizeof(sc->create_guid),
		    of->of_create_guid);
}

static void
timer_fill(struct admin_scav_timer *t, uint64_t first, uint64_t now)
{
	t->running = t->pending > 0;
	if (!t->running)
		return;
	t->remaining_ms = first > now ? first - now : 0;
	admin_mono_to_real(now, &t->next);
	t->next.tv_sec += (time_t)(t->remaining_ms / 1000);
	t->next.tv_nsec += (long)(t->remaining_ms % 1000) * 1000000;
	if (t->next.tv_nsec >= 1000000000) {
		t->next.tv_nsec -= 1000000000;
		t->next.tv_sec++;
	}
}

int
admin_scav_timers(struct admin_scav_timer *dur, struct admin_scav_timer *res)
{
	const struct ofile *of;
	uint64_t dfirst = UINT64_MAX, rfirst = UINT64_MAX, now;

	memset(dur, 0, sizeof(*dur));
	memset(res, 0, sizeof(*res));
	TAILQ_FOREACH(of, &server.sv_opens, of_global_entry) {
		if (of->of_state != OFILE_DISCONNECTED)
			continue;
		if (of->of_resilient) {
			res->pending++;
			if (of->of_deadline < rfirst)
				rfirst = of->of_deadline;
		} else {
			dur->pending++;
			if (of->of_deadline < dfirst)
				dfirst = of->of_deadline;
		}
	}
	now = clock_mono_ms();
	timer_fill(dur, dfirst, now);
	timer_fill(res, rfirst, now);
	return 0;
}

int
admin_scav_list(uint64_t after, int (*fn)(const struct admin_scav *, void *),
    void *arg)
{
	const struct ofile *of;
	struct admin_scav *sc;

	if ((sc = malloc(sizeof(*sc))) == NULL)
		return ENOMEM;
	/* GlobalOpenTable is in registration order, which is id order. */
	TAILQ_FOREACH(of, &server.sv_opens, of_global_entry) {
		if (of->of_state != OFILE_DISCONNECTED ||
		    of->of_global_id <= after)
			continue;
		fill_scav(of, sc);
		if (fn(sc, arg) != 0)
			break;
	}
	free(sc);
	return 0;
}

static struct ofile *
scav_find(uint64_t id)
{
	struct ofile *of = admin_open_lookup(id);

	return of != NULL && of->of_state == OFILE_DISCONNECTED ? of : NULL;
}

int
admin_scav_get(uint64_t id, struct admin_scav *sc)
{
	struct ofile *of;

	if ((of = scav_find(id)) == NULL)
		return ENOENT;
	fill_scav(of, sc);
	return 0;
}

void
admin_track_expired(struct ofile *of, const char *by)
{
	const struct share *sh = of->of_rootref != NULL ?
	    of->of_rootref->t_share : NULL;
	struct event ev;

	memset(&ev, 0, sizeof(ev));
	ev.ev_type = EV_OPEN_EXPIRED;
	ev.ev_open = of->of_global_id;
	if (sh != NULL)
		admin_copy(ev.ev_share, sizeof(ev.ev_share), sh->sh_name);
	admin_copy(ev.ev_user, sizeof(ev.ev_user), of->of_owner);
	admin_copy(ev.ev_client, sizeof(ev.ev_client), of->of_client);
	admin_copy(ev.ev_path, sizeof(ev.ev_path), of->of_path);
	admin_copy(ev.ev_by, sizeof(ev.ev_by), by);
	events_append(&ev);
}

int
admin_scav_expire(uint64_t id, bool dry_run, const char *by)
{
	struct ofile *of;

	if ((of = scav_find(id)) == NULL)
		return ENOENT;
	if (dry_run)
		return 0;
	log_info("admin: open %u (\"%s\") expired via %s", of->of_global_id,
	    of->of_path, by);
	admin_track_expired(of, by);
	ofile_close(of);
	return 0;
}

int
admin_scav_extend(uint64_t id, uint64_t remaining_ms, const char *by,
    struct admin_scav *out)
{
	struct ofile *of;
	struct event ev;
	uint64_t when;

	if ((of = scav_find(id)) == NULL)
		return ENOENT;
	if (remaining_ms == 0 || remaining_ms > ADMIN_SCAV_EXTEND_MAX)
		return EINVAL;
	when = clock_mono_ms() + remaining_ms;
	if (when <= of->of_deadline)
		return EALREADY;
	if (loop_timer_at(&of->of_scavenge, when) == -1)
		return ENOMEM;
	of->of_deadline = when;
	log_info("admin: open %u (\"%s\") kept %llu ms more via %s",
	    of->of_global_id, of->of_path, (unsigned long long)remaining_ms,
	    by);
	memset(&ev, 0, sizeof(ev));
	ev.ev_type = EV_ADMIN_OPEN_EXTENDED;
	ev.ev_open = of->of_global_id;
	admin_copy(ev.ev_path, sizeof(ev.ev_path), of->of_path);
	admin_copy(ev.ev_user, sizeof(ev.ev_user), of->of_owner);
	admin_copy(ev.ev_client, sizeof(ev.ev_client), of->of_client);
	admin_copy(ev.ev_by, sizeof(ev.ev_by), by);
	events_append(&ev);
	fill_scav(of, out);
	return 0;
}
