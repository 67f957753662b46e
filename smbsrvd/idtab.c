/*
 * idtab.c — open-addressing hash table of 64-bit ids (see idtab.h).
 */
#include <errno.h>
#include <stdlib.h>

#include "idtab.h"

#define IDTAB_MIN	16

static size_t
slot_of(uint64_t id, size_t cap)
{
	/* Fibonacci hashing spreads sequential ids over the table. */
	return (size_t)((id * 0x9e3779b97f4a7c15ull) >> 17) & (cap - 1);
}

void
idtab_init(struct idtab *t)
{
	t->it_slots = NULL;
	t->it_cap = 0;
	t->it_len = 0;
}

void
idtab_free(struct idtab *t)
{
	free(t->it_slots);
	idtab_init(t);
}

static int
idtab_grow(struct idtab *t)
{
	struct idtab_slot *old = t->it_slots, *s;
	size_t oldcap = t->it_cap, cap, i, j;

	cap = oldcap == 0 ? IDTAB_MIN : oldcap * 2;
	if (cap > SIZE_MAX / sizeof(*s) || (s = calloc(cap, sizeof(*s))) ==
	    NULL) {
		errno = ENOMEM;
		return -1;
	}
	for (i = 0; i < oldcap; i++) {
		if (old[i].is_id == 0)
			continue;
		j = slot_of(old[i].is_id, cap);
		while (s[j].is_id != 0)
			j = (j + 1) & (cap - 1);
		s[j] = old[i];
	}
	free(old);
	t->it_slots = s;
	t->it_cap = cap;
	return 0;
}

int
idtab_add(struct idtab *t, uint64_t id, void *val)
{
	size_t i;

	if (id == 0) {
		errno = EINVAL;
		return -1;
	}
	if (idtab_find(t, id) != NULL) {
		errno = EEXIST;
		return -1;
	}
	/* Keep the load under 3/4 so probe runs stay short. */
	if ((t->it_len + 1) * 4 > t->it_cap * 3 && idtab_grow(t) == -1)
		return -1;
	i = slot_of(id, t->it_cap);
	while (t->it_slots[i].is_id != 0)
		i = (i + 1) & (t->it_cap - 1);
	t->it_slots[i].is_id = id;
	t->it_slots[i].is_val = val;
	t->it_len++;
	return 0;
}

void *
idtab_find(const struct idtab *t, uint64_t id)
{
	size_t i;

	if (t->it_cap == 0 || id == 0)
		return NULL;
	for (i = slot_of(id, t->it_cap); t->it_slots[i].is_id != 0;
	    i = (i + 1) & (t->it_cap - 1)) {
		if (t->it_slots[i].is_id == id)
			return t->it_slots[i].is_val;
	}
	return NULL;
}

void *
idtab_del(struct idtab *t, uint64_t id)
{
	size_t i, j, k, mask = t->it_cap - 1;
	void *val;

	if (t->it_cap == 0 || id == 0)
		return NULL;
	for (i = slot_of(id, t->it_cap); t->it_slots[i].is_id != id;
	    i = (i + 1) & mask) {
		if (t->it_slots[i].is_id == 0)
			return NULL;
	}
	val = t->it_slots[i].is_val;
	/*
	 * Backward-shift deletion: move later members of the probe run into
	 * the hole when their home slot does not lie cyclically in (i, j].
	 */
	for (j = (i + 1) & mask; t->it_slots[j].is_id != 0;
	    j = (j + 1) & mask) {
		k = slot_of(t->it_slots[j].is_id, t->it_cap);
		if ((j > i && (k <= i || k > j)) ||
		    (j < i && (k <= i && k > j))) {
			t->it_slots[i] = t->it_slots[j];
			i = j;
		}
	}
	t->it_slots[i].is_id = 0;
	t->it_slots[i].is_val = NULL;
	t->it_len--;
	return val;
}

size_t
idtab_count(const struct idtab *t)
{
	return t->it_len;
}
