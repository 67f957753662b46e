/*
 * tree.h — tree connects (MS-SMB2 3.3.1.9).
 *
 * TREE_LIVE --disconnect, logoff, session gone--> TREE_DEAD
 * The session's TreeConnectTable owns one reference.  tree_disconnect()
 * removes the TreeId at once, deregisters the tree connect (srvs: the
 * share's CurrentUses drops) and drops that reference; requests in flight
 * hold their own.  The last tree_rele() frees and releases the share.
 */
#ifndef SMBSRVD_TREE_H
#define SMBSRVD_TREE_H

#include <stdint.h>
#include <time.h>

#include "queue.h"

#define TREE_MAGIC	0x54524545u	/* "TREE" */

struct session;
struct share;

enum tree_state { TREE_LIVE, TREE_DEAD };

struct tree {
	uint32_t		 t_magic;
	unsigned int		 t_refs;
	enum tree_state		 t_state;
	uint32_t		 t_id;		/* TreeId, unique in session */
	uint32_t		 t_global_id;	/* TreeGlobalId (srvs) */
	TAILQ_ENTRY(tree)	 t_entry;	/* session s_trees */
	struct session		*t_session;	/* not a reference */
	struct share		*t_share;	/* a reference */
	int			 t_root;	/* the share root, our dup */
	uint32_t		 t_max_access;	/* MaximalAccess */
	uint32_t		 t_open_count;	/* OpenCount */
	bool			 t_encrypt;
	struct timespec		 t_created;
};

/*
 * 3.3.5.7 steps 6-7: the use check, registration and a TreeId.  Status 0
 * and the new tree (the table's reference), or an NTSTATUS.
 */
uint32_t	 tree_connect(struct session *, struct share *,
		    struct tree **);
struct tree	*tree_lookup(struct session *, uint32_t id);	/* new ref */
void		 tree_hold(struct tree *);
void		 tree_rele(struct tree *);
/* 3.3.5.8 steps 2-3.  Idempotent. */
void		 tree_disconnect(struct tree *);

#endif
