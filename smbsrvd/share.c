/*
 * share.c — the ShareList (see share.h for the life cycle).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "durable.h"
#include "log.h"
#include "server.h"
#include "share.h"
#include "vfs.h"

#define SHARE_UNLIMITED	0xffffffffu

static void
share_free(struct share *sh)
{
	if (sh->sh_root != -1)
		close(sh->sh_root);
	sh->sh_magic = 0;
	free(sh->sh_path);
	free(sh->sh_comment);
	free(sh);
}

void
share_hold(struct share *sh)
{
	if (sh->sh_magic != SHARE_MAGIC || sh->sh_refs == 0)
		fatalx("share_hold: bad share");
	sh->sh_refs++;
}

void
share_rele(struct share *sh)
{
	if (sh->sh_magic != SHARE_MAGIC || sh->sh_refs == 0)
		fatalx("share_rele: bad share");
	if (--sh->sh_refs == 0)
		share_free(sh);
}

static struct share *
share_find(const char *name)
{
	struct share *sh;

	/* Shares are few and looked up once per tree connect. */
	TAILQ_FOREACH(sh, &server.sv_shares, sh_entry) {
		if (strcasecmp(sh->sh_name, name) == 0)
			return sh;
	}
	return NULL;
}

struct share *
share_lookup(const char *name)
{
	struct share *sh = share_find(name);

	if (sh == NULL || sh->sh_state != SHARE_LIVE)
		return NULL;
	share_hold(sh);
	return sh;
}

static int
share_set(struct share *sh, const struct conf_share *cs)
{
	char *path = NULL, *comment;

	if ((cs != NULL && (path = strdup(cs->sh_path)) == NULL) ||
	    (comment = strdup(cs != NULL ? cs->sh_comment :
	    "IPC Service")) == NULL) {
		free(path);
		return -1;
	}
	/*
	 * A new path means a new root.  Tree connects made before keep the
	 * root they duplicated, so their opens finish where they started.
	 */
	if (path != NULL && (sh->sh_path == NULL ||
	    strcmp(sh->sh_path, path) != 0)) {
		if (sh->sh_root != -1)
			close(sh->sh_root);
		if ((sh->sh_root = vfs_root_open(path)) == -1)
			log_warn("share [%s]: %s", cs->sh_name, path);
	}
	free(sh->sh_path);
	free(sh->sh_comment);
	sh->sh_path = path;
	sh->sh_comment = comment;
	if (cs != NULL) {
		sh->sh_read_only = cs->sh_read_only;
		sh->sh_guest_ok = cs->sh_guest_ok;
		sh->sh_encrypt = cs->sh_smb_encrypt == CONF_ENCRYPT_REQUIRED;
		sh->sh_max_uses = cs->sh_max_uses == 0 ? SHARE_UNLIMITED :
		    cs->sh_max_uses;
		sh->sh_durable_timeout = cs->sh_durable_timeout;
	}
	return 0;
}

static struct share *
share_new(const char *name, enum share_type type,
    const struct conf_share *cs)
{
	struct share *sh;

	if ((sh = calloc(1, sizeof(*sh))) == NULL)
		return NULL;
	sh->sh_magic = SHARE_MAGIC;
	sh->sh_refs = 1;		/* the ShareList's */
	sh->sh_state = SHARE_LIVE;
	sh->sh_type = type;
	snprintf(sh->sh_name, sizeof(sh->sh_name), "%s", name);
	sh->sh_max_uses = SHARE_UNLIMITED;
	sh->sh_root = -1;
	sh->sh_guest_ok = true;		/* IPC$: anyone may connect */
	sh->sh_durable_timeout = DURABLE_DEFAULT_MS;
	if (share_set(sh, cs) == -1) {
		share_free(sh);
		return NULL;
	}
	return sh;
}

static void
share_remove(struct share *sh)
{
	sh->sh_state = SHARE_GONE;
	TAILQ_REMOVE(&server.sv_shares, sh, sh_entry);
	share_rele(sh);
}

int
share_apply(const struct conf *cf)
{
	const struct conf_share *cs;
	struct share *sh, *tsh;
	int rc = 0;

	if (share_find("IPC$") == NULL) {
		if ((sh = share_new("IPC$", SHARE_IPC, NULL)) == NULL)
			return -1;
		TAILQ_INSERT_HEAD(&server.sv_shares, sh, sh_entry);
	}
	TAILQ_FOREACH_SAFE(sh, &server.sv_shares, sh_entry, tsh) {
		if (sh->sh_type != SHARE_IPC &&
		    conf_share_find(cf, sh->sh_name) == NULL) {
			log_info("share [%s] removed; %u tree connect(s) "
			    "finish on it", sh->sh_name, sh->sh_current_uses);
			share_remove(sh);
		}
	}
	TAILQ_FOREACH(cs, &cf->cf_shares, sh_entry) {
		if ((sh = share_find(cs->sh_name)) != NULL) {
			if (share_set(sh, cs) == -1) {
				log_warn("share [%s]", cs->sh_name);
				rc = -1;
			}
			continue;
		}
		if ((sh = share_new(cs->sh_name, SHARE_DISK, cs)) == NULL) {
			log_warn("share [%s]", cs->sh_name);
			rc = -1;
			continue;
		}
		TAILQ_INSERT_TAIL(&server.sv_shares, sh, sh_entry);
	}
	return rc;
}

void
share_clear(void)
{
	struct share *sh;

	while ((sh = TAILQ_FIRST(&server.sv_shares)) != NULL)
		share_remove(sh);
}
