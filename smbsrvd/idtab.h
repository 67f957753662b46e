/*
 * idtab.h — a hash table from 64-bit ids to objects.
 *
 * Open addressing with linear probing and backward-shift deletion, so a
 * lookup never scans a list and removal leaves no tombstones.  The table
 * does not own its values and offers no iteration: owners that enumerate
 * keep their objects on a list as well (removal during a walk is then the
 * list's _SAFE iterator's business).
 */
#ifndef SMBSRVD_IDTAB_H
#define SMBSRVD_IDTAB_H

#include <stddef.h>
#include <stdint.h>

struct idtab_slot {
	uint64_t	 is_id;		/* 0 = empty: ids are never 0 */
	void		*is_val;
};

struct idtab {
	struct idtab_slot	*it_slots;
	size_t			 it_cap;	/* power of two, or 0 */
	size_t			 it_len;
};

void	 idtab_init(struct idtab *);
void	 idtab_free(struct idtab *);
/* 0, or -1 with errno EEXIST (id present) / ENOMEM / EINVAL (id 0). */
int	 idtab_add(struct idtab *, uint64_t id, void *val);
void	*idtab_find(const struct idtab *, uint64_t id);
/* Returns the removed value or NULL. */
void	*idtab_del(struct idtab *, uint64_t id);
size_t	 idtab_count(const struct idtab *);

#endif
