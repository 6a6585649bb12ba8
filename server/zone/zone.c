/* zone.c -- lookups in a compiled zone (query path: no allocation), and freeing one. */
#include "config.h"
#include "server/zone/zone.h"

#include <stdlib.h>
#include <string.h>

const struct node *zone_find(const struct zone *z, const uint8_t *name, size_t len, uint32_t hash)
{
	/* Locals: memcmp() would make the compiler reload them per probe. */
	const uint32_t *table = z->table;
	uint32_t mask = z->mask;
	const uint8_t *nodes = z->nodes;
	uint32_t i = hash & mask, ref;

	/* Linear probing over a table at most half full: a miss ends at the
	 * first empty slot after a couple of probes. */
	while ((ref = table[i]) != 0) {
		const struct node *n = (const struct node *)(const void *)(nodes + (size_t)ref * 8);
		if (n->hash == hash && n->namelen == len && memcmp(n->name, name, len) == 0)
			return n;
		i = (i + 1) & mask;
	}
	return NULL;
}

const struct rrset *node_rrset(const struct node *n, uint16_t type)
{
	/* Nodes hold a handful of rrsets: a linear scan beats a search. */
	for (uint16_t i = 0; i < n->nrrsets; i++)
		if (n->rrsets[i].type == type)
			return &n->rrsets[i];
	return NULL;
}

uint8_t *rrset_sigs_alloc(struct arena *a, struct rrset *s, size_t len, uint16_t n)
{
	uint8_t *p = arena_alloc_packed(a, 2 + len);

	if (!p)
		return NULL;
	wire_put16(p, n);
	/* sigs stays NULL for none, so that a NULL test tells unsigned. */
	if (n)
		s->sigs = p + 2;
	return p + 2;
}

void zone_ref(struct zone *z)
{
	atomic_fetch_add(&z->extra_refs, 1);
}

void zone_free(struct zone *z)
{
	unsigned refs;

	if (!z)
		return;
	/* Drop one extra holder if there is one; the last holder frees. */
	refs = atomic_load(&z->extra_refs);
	while (refs && !atomic_compare_exchange_weak(&z->extra_refs, &refs, refs - 1))
		;
	if (refs)
		return;
	if (z->dnssec_free)
		z->dnssec_free(z->dnssec);
	arena_clear(&z->arena);
	free(z->table);
	free(z->nodes);
	free(z);
}
