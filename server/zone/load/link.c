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

/* Insert the node of ref (hash h) without growing (the caller made room). */
static void table_insert(uint32_t *table, uint32_t mask, uint32_t ref, uint32_t h)
{
	uint32_t i = h & mask;
	while (table[i])
		i = (i + 1) & mask;
	table[i] = ref;
}

/* Insert the node of ref, doubling the table first when it would pass
 * half full (open addressing stays fast only while most probes end at the
 * first slot). */
static int table_put(struct zone *z, uint32_t ref)
{
	if ((z->nnodes + 1) * 2 > (size_t)z->mask + 1) {
		uint32_t nmask = z->mask * 2 + 1;
		uint32_t *nt = calloc((size_t)nmask + 1, sizeof(*nt));
		if (!nt)
			return STEER_ENOMEM;
		for (uint32_t i = 0; i <= z->mask; i++)
			if (z->table[i])
				table_insert(nt, nmask, z->table[i], zload_node(z, z->table[i])->hash);
		free(z->table);
		z->table = nt;
		z->mask = nmask;
	}
	table_insert(z->table, z->mask, ref, zload_node(z, ref)->hash);
	z->nnodes++;
	return STEER_EOK;
}

/* Room for size more bytes in z->nodes. The block may move: nodes are
 * referred to by offset (ref) until it stops growing. Offsets stay below
 * 16 GiB, so that every link between two nodes fits its int32_t. */
static int nodes_reserve(struct zone *z, size_t size)
{
	size_t ncap;
	uint8_t *nb;

	if (z->nodes_len == 0)
		z->nodes_len = 8; /* byte 0 is no node: a table slot of 0 is empty */
	if (z->nodes_len + size <= z->nodes_cap)
		return STEER_EOK;
	if (z->nodes_len + size > (size_t)INT32_MAX * 8)
		return STEER_ENOMEM;
	ncap = z->nodes_cap ? z->nodes_cap * 2 : 64 * 1024;
	while (ncap < z->nodes_len + size)
		ncap *= 2;
	/* realloc of a large block remaps its pages: no copy. */
	if (!(nb = realloc(z->nodes, ncap)))
		return STEER_ENOMEM;
	z->nodes = nb;
	z->nodes_cap = ncap;
	return STEER_EOK;
}

int zload_node_add(struct zone *z, const uint8_t *name, size_t len, uint32_t h, struct node **out)
{
	size_t size = node_bytes(len);
	struct node *n;
	uint32_t ref;

	/* name must not point into z->nodes, which may move here. */
	if (len > DNAME_MAXLEN || nodes_reserve(z, size) != STEER_EOK)
		return STEER_ENOMEM;
	ref = (uint32_t)(z->nodes_len / 8);
	n = zload_node(z, ref);
	memset(n, 0, size);
	memcpy(n->name, name, len);
	n->namelen = (uint8_t)len;
	n->labels = (uint8_t)dname_labels(name);
	n->hash = h;
	n->first_rec = ZLOAD_REC_NONE;
	z->nodes_len += size;
	if (table_put(z, ref) != STEER_EOK)
		return STEER_ENOMEM;
	*out = n;
	return STEER_EOK;
}

void zload_nodes_final(struct zone *z)
{
	uint8_t *nb = realloc(z->nodes, z->nodes_len);

	if (nb) { /* else the block stays as it was, larger */
		z->nodes = nb;
		z->nodes_cap = z->nodes_len;
	}
	z->apex_node = zload_node(z, ZLOAD_APEX_REF);
	z->apex = z->apex_node->name;
}

/* Every node of the table, parents before children: a counting sort by
 * label count (at most DNAME_MAXLABELS). order has room for z->nnodes. */
static void nodes_by_depth(const struct zone *z, struct node **order)
{
	size_t start[DNAME_MAXLABELS + 2] = { 0 };
	const struct node *n;

	for (uint32_t i = 0; i <= z->mask; i++)
		if ((n = zone_slot(z, i)) != NULL)
			start[n->labels + 1]++;
	for (int l = 1; l < DNAME_MAXLABELS + 2; l++)
		start[l] += start[l - 1];
	for (uint32_t i = 0; i <= z->mask; i++)
		if ((n = zone_slot(z, i)) != NULL)
			order[start[n->labels]++] = (struct node *)n;
}

/* The link field value from node `from` to node `to` (NULL: none); see
 * node_link() in zone.h. Both are in z->nodes, less than 16 GiB apart. */
static int32_t link_to(const struct node *from, const struct node *to)
{
	ptrdiff_t d = ((const char *)to - (const char *)from) / 8;

	if (!to)
		return 0;
	return (int32_t)(d >= 0 ? d + 1 : d);
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
	for (size_t i = 0; i < z->nnodes; i++)
		order[i]->wild_link = 0; /* was first_rec, the loader's */
	for (size_t i = 0; i < z->nnodes; i++) {
		struct node *n = order[i];
		if (n->flags & NODE_APEX)
			continue;
		const uint8_t *pname = n->name + n->name[0] + 1;
		size_t plen = n->namelen - n->name[0] - 1u;
		struct node *p = zload_node_find(z, pname, plen, dname_hash(pname, plen));
		if (!p) /* cannot happen: ancestors were added as empty non-terminals */
			continue;
		n->cut_link = link_to(n, p->cut_link ? node_cut(p) : ((n->flags & NODE_DELEG) ? n : NULL));
		n->dname_link = link_to(n, (p->flags & NODE_DNAME) ? p : node_dname(p));
		if (n->name[0] == 1 && n->name[1] == '*')
			p->wild_link = link_to(p, n);
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
		const struct node *n = zone_slot(z, i);
		for (uint16_t j = 0; n && j < n->nrrsets; j++) {
			int off = zload_target_offset(n->rrsets[j].type);
			if (off >= 0)
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
