/*
 * stats.c -- where a compiled zone's bytes are, per structure, for the
 * debug log that `make bench-zone` prints (bench/zone-load.sh): the
 * numbers that say which structure to shrink next. Load time only.
 */
#include "config.h"
#include "server/zone/load/load_internal.h"
#include "server/zone/zone.h"
#include "common/log.h"

#include <string.h>

void zload_log_memory(const struct zone *z)
{
	/* RRs are packed (arena_alloc_packed): their bytes as they are. */
	size_t nodes = 0, nsets = 0, data = 0, targets = 0;

	for (uint32_t i = 0; i <= z->mask; i++) {
		const struct node *n = zone_slot(z, i);
		if (!n)
			continue;
		nodes++;
		nsets += n->nrrsets;
		for (uint16_t j = 0; j < n->nrrsets; j++) {
			const struct rrset *s = &n->rrsets[j];
			const uint8_t *rr = s->data;
			for (uint16_t k = 0; k < s->count; k++, rr += rr_len(rr))
				data += rr_len(rr);
			if (rrset_targets(s))
				targets += s->count * sizeof(struct node *);
		}
	}
	log_debug("zone %s: memory: %zu nodes (names included) %zu kB = %zu B/node, %zu rrsets x %zu B = %zu kB, "
		  "rdata %zu kB, targets %zu kB, table %u slots x %zu B = %zu kB, arena %zu kB used of %zu kB",
		  z->name, nodes, z->nodes_len / 1024, nodes ? z->nodes_len / nodes : 0, nsets, sizeof(struct rrset),
		  nsets * sizeof(struct rrset) / 1024, data / 1024, targets / 1024, z->mask + 1, sizeof(*z->table),
		  ((size_t)z->mask + 1) * sizeof(*z->table) / 1024, z->arena.used / 1024, z->arena.reserved / 1024);
}
