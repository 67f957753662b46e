/*
 * tree.c — tree connects (see tree.h for the life cycle).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "ntstatus.h"
#include "ofile.h"
#include "session.h"
#include "share.h"
#include "srvs.h"
#include "tree.h"

/* MS-SMB2 3.3.1.9: 0xFFFFFFFF is reserved; 0 is never handed out. */
#define TREE_ID_INVALID	0xffffffffu

void
tree_hold(struct tree *t)
{
	if (t->t_magic != TREE_MAGIC || t->t_refs == 0)
		fatalx("tree_hold: bad tree");
	t->t_refs++;
}

void
tree_rele(struct tree *t)
{
	if (t->t_magic != TREE_MAGIC || t->t_refs == 0)
		fatalx("tree_rele: bad tree");
	if (--t->t_refs > 0)
		return;
	share_rele(t->t_share);
	if (t->t_root != -1)
		close(t->t_root);
	t->t_magic = 0;
	free(t);
}

/* A TreeId not in use in s; 0 if the session has four billion trees. */
static uint32_t
tree_new_id(struct session *s)
{
	uint32_t i, id;

	for (i = 0; i < 1024; i++) {
		id = ++s->s_tree_next;
		if (id == 0 || id == TREE_ID_INVALID)
			id = s->s_tree_next = 1;
		if (idtab_find(&s->s_tree_ids, id) == NULL)
			return id;
	}
	return 0;
}

uint32_t
tree_connect(struct session *s, struct share *sh, struct tree **out)
{
	struct tree *t;
	uint32_t st, gid;

	*out = NULL;
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return STATUS_INSUFFICIENT_RESOURCES;
	if ((t->t_id = tree_new_id(s)) == 0) {
		free(t);
		return STATUS_INSUFFICIENT_RESOURCES;
	}
	if ((st = srvs_tree_register(sh, &gid)) != STATUS_SUCCESS) {
		free(t);
		return st;
	}
	if (idtab_add(&s->s_tree_ids, t->t_id, t) == -1) {
		srvs_tree_deregister(sh);
		free(t);
		return STATUS_INSUFFICIENT_RESOURCES;
	}
	t->t_magic = TREE_MAGIC;
	t->t_refs = 1;			/* the TreeConnectTable's */
	t->t_state = TREE_LIVE;
	t->t_global_id = gid;
	t->t_session = s;
	t->t_share = sh;
	share_hold(sh);
	t->t_root = sh->sh_root == -1 ? -1 :
	    fcntl(sh->sh_root, F_DUPFD_CLOEXEC, 0);
	clock_real(&t->t_created);
	TAILQ_INSERT_TAIL(&s->s_trees, t, t_entry);
	log_info("session %u: tree %u connected to [%s] (uses %u)",
	    s->s_global_id, t->t_global_id, sh->sh_name,
	    sh->sh_current_uses);
	*out = t;
	return STATUS_SUCCESS;
}

struct tree *
tree_lookup(struct session *s, uint32_t id)
{
	struct tree *t = idtab_find(&s->s_tree_ids, id);

	if (t == NULL || t->t_state != TREE_LIVE)
		return NULL;
	tree_hold(t);
	return t;
}

void
tree_disconnect(struct tree *t)
{
	struct session *s = t->t_session;

	if (t->t_state == TREE_DEAD)
		return;
	t->t_state = TREE_DEAD;
	/* 3.3.5.8 step 2: this tree's opens close, durable ones too. */
	ofile_close_tree(t);
	idtab_del(&s->s_tree_ids, t->t_id);
	TAILQ_REMOVE(&s->s_trees, t, t_entry);
	srvs_tree_deregister(t->t_share);
	log_info("session %u: tree %u disconnected from [%s] (uses %u)",
	    s->s_global_id, t->t_global_id, t->t_share->sh_name,
	    t->t_share->sh_current_uses);
	t->t_session = NULL;
	tree_rele(t);
}
