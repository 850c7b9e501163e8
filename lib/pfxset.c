/* lib/pfxset.c: see pfxset.h. */
#include "pfxset.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define PFXSET_MIN	16

/* FNV-1a over the bytes that make the prefix. */
static size_t
pfxset_hash(const struct wr_prefix *p)
{
	size_t i, n = addr_bits(p->addr.af) / 8;
	uint32_t h = 2166136261u ^ p->len ^ ((uint32_t)p->addr.af << 8);

	for (i = 0; i < n; i++)
		h = (h ^ p->addr.b[i]) * 16777619u;
	return h;
}

static int
pfxset_eq(const struct wr_prefix *a, const struct wr_prefix *b)
{
	return a->len == b->len && addr_cmp(&a->addr, &b->addr) == 0;
}

/* The slot holding p, or the empty slot where it would go. */
static size_t
pfxset_slot(const struct pfxset *s, const struct wr_prefix *p)
{
	size_t i = pfxset_hash(p) & (s->nslots - 1);

	while (s->slots[i].addr.af != 0 && !pfxset_eq(&s->slots[i], p))
		i = (i + 1) & (s->nslots - 1);
	return i;
}

static int
pfxset_grow(struct pfxset *s)
{
	struct pfxset n = { NULL, s->nslots ? s->nslots * 2 : PFXSET_MIN, 0 };
	size_t i;

	if ((n.slots = calloc(n.nslots, sizeof(*n.slots))) == NULL)
		return -1;
	for (i = 0; i < s->nslots; i++)
		if (s->slots[i].addr.af != 0)
			n.slots[pfxset_slot(&n, &s->slots[i])] = s->slots[i];
	n.count = s->count;
	free(s->slots);
	*s = n;
	return 0;
}

int
pfxset_add(struct pfxset *s, const struct wr_prefix *p)
{
	size_t i;

	/* At most 3/4 full, so probes stay short and always end. */
	if ((s->count + 1) * 4 > s->nslots * 3 && pfxset_grow(s) == -1)
		return -1;
	i = pfxset_slot(s, p);
	if (s->slots[i].addr.af != 0)
		return 0;
	s->slots[i] = *p;
	s->count++;
	return 1;
}

int
pfxset_has(const struct pfxset *s, const struct wr_prefix *p)
{
	return s->count > 0 && s->slots[pfxset_slot(s, p)].addr.af != 0;
}

/*
 * Deletion with linear probing (Knuth 6.4, algorithm R): move later
 * entries of the run back so that no lookup stops early at the hole.
 */
int
pfxset_del(struct pfxset *s, const struct wr_prefix *p)
{
	size_t i, j, k, mask = s->nslots - 1;

	if (s->count == 0 || s->slots[i = pfxset_slot(s, p)].addr.af == 0)
		return 0;
	for (j = (i + 1) & mask; s->slots[j].addr.af != 0; j = (j + 1) & mask) {
		k = pfxset_hash(&s->slots[j]) & mask;
		/* j's home k lies cyclically in (i, j]: it stays */
		if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		s->slots[i] = s->slots[j];
		i = j;
	}
	memset(&s->slots[i], 0, sizeof(s->slots[i]));
	s->count--;
	return 1;
}

void
pfxset_clear(struct pfxset *s)
{
	free(s->slots);
	memset(s, 0, sizeof(*s));
}
