/*
 * srvs.c — MS-SRVS local events and ServerStatistics (see srvs.h).
 *
 * Each registration and deregistration is also told to admin.c, which
 * indexes the object by its global id and appends the event record.
 */
#include "admin.h"
#include "log.h"
#include "ntstatus.h"
#include "ofile.h"
#include "session.h"
#include "share.h"
#include "srvs.h"

struct srvs_stats	srvs_stats;

static uint32_t	srvs_session_ids;
static uint32_t	srvs_tree_ids;
static uint32_t	srvs_file_ids;

void
srvs_init(int64_t start_time)
{
	srvs_stats = (struct srvs_stats){ .st_start = start_time };
	srvs_session_ids = 0;
	srvs_tree_ids = 0;
	srvs_file_ids = 0;
}

/*
 * Global ids are 32 bits in MS-SRVS.  Running out (four billion sessions)
 * would mean reuse, which the management plane must never see: refuse.
 */
static uint32_t
next_id(uint32_t *ctr)
{
	if (*ctr == UINT32_MAX)
		fatalx("srvs: global ids exhausted");
	return ++*ctr;
}

uint32_t
srvs_session_register(struct session *s)
{
	uint32_t id;

	srvs_stats.st_sopens++;
	id = next_id(&srvs_session_ids);
	admin_track_session(s, id, true);
	return id;
}

void
srvs_session_deregister(struct session *s)
{
	(void)s;
	if (srvs_stats.st_sopens == 0)
		fatalx("srvs: session deregistered twice");
	srvs_stats.st_sopens--;
	admin_track_session(s, s->s_global_id, false);
}

uint32_t
srvs_tree_register(struct share *sh, uint32_t *global_id)
{
	if (sh->sh_max_uses != 0xffffffffu &&
	    sh->sh_current_uses >= sh->sh_max_uses)
		return STATUS_REQUEST_NOT_ACCEPTED;
	sh->sh_current_uses++;
	*global_id = next_id(&srvs_tree_ids);
	admin_track_tree(sh, *global_id, true);
	return STATUS_SUCCESS;
}

void
srvs_tree_deregister(struct share *sh)
{
	if (sh->sh_current_uses == 0)
		fatalx("srvs: share [%s] CurrentUses below zero", sh->sh_name);
	sh->sh_current_uses--;
	/* No tree and no id here: admin.c finds which one is leaving. */
	admin_track_tree(sh, 0, false);
}

uint32_t
srvs_file_register(struct ofile *of)
{
	uint32_t id;

	/* sts0_fopens counts opens made; nothing ever decreases it. */
	srvs_stats.st_fopens++;
	id = next_id(&srvs_file_ids);
	admin_track_open(of, id, true);
	return id;
}

void
srvs_file_deregister(struct ofile *of)
{
	admin_track_open(of, of->of_global_id, false);
}

void
srvs_pwerror(void)
{
	srvs_stats.st_pwerrors++;
}

/*
 * MS-SMB2 3.3.5.9: a CREATE the store refused for access, or an anonymous
 * pipe open the NullSessionPipeList does not allow.
 */
void
srvs_permerror(void)
{
	srvs_stats.st_permerrors++;
}

/* MS-SMB2 3.3.6.3: only an expiry counts, never a logoff or a drop. */
void
srvs_session_timedout(void)
{
	srvs_stats.st_stimedout++;
}

void
srvs_bytes_received(uint64_t n)
{
	srvs_stats.st_bytesrcvd += n;
}

void
srvs_bytes_sent(uint64_t n)
{
	srvs_stats.st_bytessent += n;
}
