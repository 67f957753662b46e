/*
 * share.h — shares (MS-SMB2 3.3.1.6 Share, MS-SRVS 3.1.1.7).
 *
 * SHARE_LIVE --removed from the configuration--> SHARE_GONE
 * The ShareList (server.sv_shares) owns one reference of each live share.
 * A reload keeps a share's identity by name and updates its settings in
 * place; a share no longer named goes to SHARE_GONE, leaves the list and
 * drops the list's reference: it refuses new tree connects, while existing
 * tree connects, which hold their own reference, finish.  The last
 * share_rele() frees.  IPC$ is built in and never removed.
 */
#ifndef SMBSRVD_SHARE_H
#define SMBSRVD_SHARE_H

#include <stdbool.h>
#include <stdint.h>

#include "conf.h"
#include "queue.h"

#define SHARE_MAGIC	0x53484152u	/* "SHAR" */

enum share_state { SHARE_LIVE, SHARE_GONE };
/* MS-SRVS 2.2.2.4 share types, as SMB2 reports them (3.3.5.7). */
enum share_type { SHARE_DISK, SHARE_IPC };

struct share {
	uint32_t		 sh_magic;
	unsigned int		 sh_refs;
	enum share_state	 sh_state;
	enum share_type		 sh_type;
	TAILQ_ENTRY(share)	 sh_entry;	/* server.sv_shares */
	char			 sh_name[CONF_NAME_MAX + 1];
	char			*sh_path;	/* NULL for IPC$ */
	int			 sh_root;	/* vfs root fd, -1 if none */
	char			*sh_comment;
	bool			 sh_read_only;
	bool			 sh_guest_ok;
	bool			 sh_encrypt;	/* "smb encrypt = required" */
	uint32_t		 sh_max_uses;	/* 0xFFFFFFFF = unlimited */
	uint32_t		 sh_durable_timeout;	/* ms, "durable timeout" */
	uint32_t		 sh_current_uses; /* changed only by srvs.c */
};
TAILQ_HEAD(share_list, share);

/* Brings the ShareList in line with conf (start-up and reload). */
int		 share_apply(const struct conf *);
/* Case-insensitive lookup of a live share; a new reference, or NULL. */
struct share	*share_lookup(const char *name);
void		 share_hold(struct share *);
void		 share_rele(struct share *);
/* Drops every share from the list (shutdown). */
void		 share_clear(void);

#endif
