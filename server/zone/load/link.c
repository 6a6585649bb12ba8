/*
 * link.c -- the zone's node table, and the links between nodes that the
 * query path follows instead of searching: each node's zone cut, DNAME
 * ancestor and wildcard child, and the in-zone node named by each NS, MX
 * and SRV target (for the additional section).
 */
#include "config.h"
#include "server/zone/load/load_internal.h"
#include "server/zone/zone.h"
#include "common/dns.h"
#include "common/errors.h"

#include <stdlib.h>
#include <string.h>

struct node *zload_node_find(struct zone *z, const uint8_t *name, size_t len, uint32_t h)
{
	/* The table is ours while loading; the query path only reads it. */
	return (struct node *)zone_find(z, name, len, h);
}

/* Insert without growing (the caller made room). */
static void table_insert(const struct node **table, uint32_t mask, const struct node *n)
{
	uint32_t i = n->hash & mask;
	while (table[i])
		i = (i + 1) & mask;
	table[i] = n;
}

/* Insert n, doubling the table first when it would pass half full (open
 * addressing stays fast only while most probes end at the first slot). */
static int table_put(struct zone *z, struct node *n)
{
	if ((z->nnodes + 1) * 2 > (size_t)z->mask + 1) {
		uint32_t nmask = z->mask * 2 + 1;
		const struct node **nt = calloc((size_t)nmask + 1, sizeof(*nt));
		if (!nt)
			return STEER_ENOMEM;
		for (uint32_t i = 0; i <= z->mask; i++)
			if (z->table[i])
				table_insert(nt, nmask, z->table[i]);
		free(z->table);
		z->table = nt;
		z->mask = nmask;
	}
	table_insert(z->table, z->mask, n);
	z->nnodes++;
	return STEER_EOK;
}

int zload_node_add(struct zone *z, const uint8_t *name, size_t len, uint32_t h, struct node **out)
{
	struct node *n = arena_alloc(&z->arena, sizeof(*n));

	if (!n || !(n->name = arena_memdup_packed(&z->arena, name, len)))
		return STEER_ENOMEM;
	n->namelen = (uint16_t)len;
	n->labels = (uint8_t)dname_labels(name);
	n->hash = h;
	n->first_rec = ZLOAD_REC_NONE;
	if (table_put(z, n) != STEER_EOK)
		return STEER_ENOMEM;
	*out = n;
	return STEER_EOK;
}

/* Every node of the table, parents before children: a counting sort by
 * label count (at most DNAME_MAXLABELS). order has room for z->nnodes. */
static void nodes_by_depth(const struct zone *z, struct node **order)
{
	size_t start[DNAME_MAXLABELS + 2] = { 0 };

	for (uint32_t i = 0; i <= z->mask; i++)
		if (z->table[i])
			start[z->table[i]->labels + 1]++;
	for (int l = 1; l < DNAME_MAXLABELS + 2; l++)
		start[l] += start[l - 1];
	for (uint32_t i = 0; i <= z->mask; i++)
		if (z->table[i])
			order[start[z->table[i]->labels]++] = (struct node *)z->table[i];
}

/* Link every node to its parent's facts, parents first: zone cuts occlude
 * everything below them, DNAMEs redirect everything below them, and a "*"
 * child makes its parent a wildcard source (RFC 4592). */
static int link_parents(struct zone *z)
{
	struct node **order = malloc((z->nnodes ? z->nnodes : 1) * sizeof(*order));

	if (!order)
		return STEER_ENOMEM;
	nodes_by_depth(z, order);
	for (size_t i = 0; i < z->nnodes; i++) {
		struct node *n = order[i];
		if (n->flags & NODE_APEX)
			continue;
		const uint8_t *pname = n->name + n->name[0] + 1;
		size_t plen = n->namelen - n->name[0] - 1u;
		struct node *p = zload_node_find(z, pname, plen, dname_hash(pname, plen));
		if (!p) /* cannot happen: ancestors were added as empty non-terminals */
			continue;
		n->cut = p->cut ? p->cut : ((n->flags & NODE_DELEG) ? n : NULL);
		n->dname = (p->flags & NODE_DNAME) ? p : p->dname;
		if (n->name[0] == 1 && n->name[1] == '*')
			p->wildcard = n;
	}
	free(order);
	return STEER_EOK;
}

/* The in-zone node of each RR's target in s (NULL when outside the zone),
 * into the room build.c left before the RRs. */
static void link_rrset_targets(struct zone *z, struct rrset *s, int off)
{
	const struct node **targets = (const struct node **)(uintptr_t)rrset_targets(s);
	const uint8_t *rr = s->data;

	for (uint16_t r = 0; r < s->count; r++, rr += rr_len(rr)) {
		const uint8_t *rd = rr + RR_FIXED + off;
		int len = dname_len(rd, rr + rr_len(rr));
		uint8_t lower[DNAME_MAXLEN];
		targets[r] = NULL;
		if (len < 0)
			continue;
		dname_lower(lower, rd, (size_t)len);
		if (dname_is_subdomain(lower, dname_labels(lower), z->apex, z->apexlabels))
			targets[r] = zone_find(z, lower, (size_t)len, dname_hash(lower, (size_t)len));
	}
}

static void link_targets(struct zone *z)
{
	for (uint32_t i = 0; i <= z->mask; i++) {
		struct node *n = (struct node *)z->table[i];
		for (uint16_t j = 0; n && j < n->nrrsets; j++) {
			int off = zload_target_offset(n->rrsets[j].type);
			if (off >= 0 && n->rrsets[j].has_targets)
				link_rrset_targets(z, &n->rrsets[j], off);
		}
	}
}

int zload_link(struct zone *z)
{
	int ret = link_parents(z);
	if (ret == STEER_EOK)
		link_targets(z);
	return ret;
}
