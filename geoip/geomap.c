/* geomap.c -- compile a geo_db into a merged binary trie (see geomap.h). */
#include "config.h"
#include "geoip/geomap.h"
#include "geoip/geo_internal.h"
#include "common/errors.h"
#include "common/log.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A reference to a child: a node index, or a leaf holding a result. */
#define REF_LEAF 0x80000000u
#define REF_IS_LEAF(r) (((r) & REF_LEAF) != 0)
#define LEAF(v) (REF_LEAF | (uint32_t)(v))
/* memo sentinels: leaf values above GEO_MAP_RESULT_MAX never occur */
#define MEMO_NONE 0xffffffffu
#define MEMO_BUSY 0xfffffffeu
#define MAX_NODES 0x7fffffffu

struct gm_node {
	uint32_t child[2];
};

struct geo_map {
	struct gm_node *nodes; /* owned; immutable after build */
	size_t nnodes;
	uint32_t root;         /* the ::/0 trie */
	uint32_t v4_root;      /* the ref reached at ::ffff:0:0/96 (maybe a leaf above it) */
	struct geo_map_stats stats;
};

/* Data-record cache: MMDB data offset -> leaf, open addressing. */
struct rec_slot {
	uint32_t key; /* offset + 1; 0 = free */
	uint32_t leaf;
};

struct builder {
	const struct geo_db *db;
	geo_classify_fn classify;
	void *arg;
	struct gm_node *nodes;
	size_t n, cap;
	uint32_t *dedup;         /* hash of nodes by children: node index + 1, 0 = free */
	size_t dedup_cap;        /* power of two, > 2 * cap */
	uint32_t *memo;          /* per MMDB node: its ref, MEMO_NONE or MEMO_BUSY */
	struct rec_slot *cache;
	size_t cache_cap, cache_used;
	uint32_t empty_leaf;     /* the result for "not found" */
	int err;                 /* first error; the build fails when set */
	struct geo_map_stats st;
};

static uint32_t classify_loc(struct builder *b, const struct geo_loc *loc)
{
	int v = b->classify(loc, b->arg);

	if (v < 0 || v > GEO_MAP_RESULT_MAX) {
		if (!b->err)
			b->err = STEER_ERANGE;
		return b->empty_leaf;
	}
	return LEAF(v);
}

static size_t node_hash(uint32_t l, uint32_t r, size_t cap)
{
	uint64_t h = ((uint64_t)l << 32 | r) * 0x9e3779b97f4a7c15ull;
	return (size_t)(h >> 20) & (cap - 1);
}

/* Make room for one more node; the dedup table stays under half full. */
static int grow(struct builder *b)
{
	size_t cap = b->cap ? b->cap * 2 : 1024, dcap = cap * 4;
	struct gm_node *nv = cap <= MAX_NODES ? realloc(b->nodes, cap * sizeof(*nv)) : NULL;
	uint32_t *nd;

	if (!nv)
		return STEER_ENOMEM;
	b->nodes = nv;
	b->cap = cap;
	if (!(nd = calloc(dcap, sizeof(*nd))))
		return STEER_ENOMEM;
	for (size_t i = 0; i < b->n; i++) {
		size_t h = node_hash(nv[i].child[0], nv[i].child[1], dcap);
		while (nd[h])
			h = (h + 1) & (dcap - 1);
		nd[h] = (uint32_t)i + 1;
	}
	free(b->dedup);
	b->dedup = nd;
	b->dedup_cap = dcap;
	return STEER_EOK;
}

/* The node with children l and r: a leaf when both are the same leaf, an
 * existing node when one has these children already (identical subtrees are
 * stored once: a quarter of the nodes on real country databases), else a
 * new node. */
static uint32_t mk_node(struct builder *b, uint32_t l, uint32_t r)
{
	size_t h;

	if (l == r && REF_IS_LEAF(l))
		return l;
	if (b->n == b->cap && grow(b) != STEER_EOK) {
		if (!b->err)
			b->err = STEER_ENOMEM;
		return b->empty_leaf;
	}
	for (h = node_hash(l, r, b->dedup_cap); b->dedup[h]; h = (h + 1) & (b->dedup_cap - 1)) {
		const struct gm_node *nd = &b->nodes[b->dedup[h] - 1];
		if (nd->child[0] == l && nd->child[1] == r)
			return b->dedup[h] - 1;
	}
	b->dedup[h] = (uint32_t)b->n + 1;
	b->nodes[b->n].child[0] = l;
	b->nodes[b->n].child[1] = r;
	return (uint32_t)b->n++;
}

static int cache_grow(struct builder *b)
{
	size_t cap = b->cache_cap ? b->cache_cap * 2 : 256;
	struct rec_slot *nc = calloc(cap, sizeof(*nc));

	if (!nc)
		return STEER_ENOMEM;
	for (size_t i = 0; i < b->cache_cap; i++) {
		if (!b->cache[i].key)
			continue;
		size_t h = (b->cache[i].key * 2654435761u) & (cap - 1);
		while (nc[h].key)
			h = (h + 1) & (cap - 1);
		nc[h] = b->cache[i];
	}
	free(b->cache);
	b->cache = nc;
	b->cache_cap = cap;
	return STEER_EOK;
}

/* The leaf of one data record: decoded and classified on first sight. */
static uint32_t data_leaf(struct builder *b, MMDB_entry_s *entry)
{
	uint32_t key = entry->offset + 1;
	struct geo_loc loc;
	size_t h;

	if (b->cache_used * 2 >= b->cache_cap && cache_grow(b) != STEER_EOK) {
		if (!b->err)
			b->err = STEER_ENOMEM;
		return b->empty_leaf;
	}
	h = (key * 2654435761u) & (b->cache_cap - 1);
	while (b->cache[h].key) {
		if (b->cache[h].key == key)
			return b->cache[h].leaf;
		h = (h + 1) & (b->cache_cap - 1);
	}
	if (geo_decode_entry(b->db, entry, &loc) != STEER_EOK) {
		b->st.invalid++;
		b->cache[h].leaf = b->empty_leaf;
	} else {
		b->st.records++;
		b->cache[h].leaf = classify_loc(b, &loc);
	}
	b->cache[h].key = key;
	b->cache_used++;
	return b->cache[h].leaf;
}

static uint32_t build_node(struct builder *b, uint32_t num, unsigned depth, unsigned maxdepth);

static uint32_t build_record(struct builder *b, int type, uint64_t rec, MMDB_entry_s *entry,
			     unsigned depth, unsigned maxdepth)
{
	switch (type) {
	case MMDB_RECORD_TYPE_SEARCH_NODE:
		return build_node(b, (uint32_t)rec, depth, maxdepth);
	case MMDB_RECORD_TYPE_DATA:
		return data_leaf(b, entry);
	case MMDB_RECORD_TYPE_EMPTY:
		return b->empty_leaf;
	default:
		b->st.invalid++;
		return b->empty_leaf;
	}
}

/* The subtree of MMDB node num found at depth. The result does not depend
 * on depth (records are classified on their own), so each node is built once
 * even where the tree aliases it (::ffff:0:0/96 and 2002::/16 point at the
 * IPv4 subtree). A node seen again while it is being built (a cycle) or one
 * deeper than the address length can only come from a corrupt file. */
static uint32_t build_node(struct builder *b, uint32_t num, unsigned depth, unsigned maxdepth)
{
	MMDB_search_node_s node;
	uint32_t l, r;

	if (depth >= maxdepth || num >= b->db->mmdb.metadata.node_count || b->memo[num] == MEMO_BUSY) {
		b->st.invalid++;
		return b->empty_leaf;
	}
	if (b->memo[num] != MEMO_NONE)
		return b->memo[num];
	if (MMDB_read_node(&b->db->mmdb, num, &node) != MMDB_SUCCESS) {
		b->st.invalid++;
		return b->memo[num] = b->empty_leaf;
	}
	b->st.mmdb_nodes++;
	b->memo[num] = MEMO_BUSY;
	l = build_record(b, node.left_record_type, node.left_record, &node.left_record_entry, depth + 1,
			 maxdepth);
	r = build_record(b, node.right_record_type, node.right_record, &node.right_record_entry, depth + 1,
			 maxdepth);
	return b->memo[num] = mk_node(b, l, r);
}

/* Follow addr from ref for at most bits levels starting at depth start;
 * returns the ref reached and stores the depth reached. */
static uint32_t descend(const struct gm_node *nodes, uint32_t ref, const uint8_t addr[16], unsigned start,
			unsigned bits, unsigned *reached)
{
	unsigned d = start;

	while (d < start + bits && !REF_IS_LEAF(ref))
		ref = nodes[ref].child[geo_addr_bit(addr, d++)];
	if (reached)
		*reached = d;
	return ref;
}

/* Replace the subtree at addr/plen below ref (at depth) with sub, copying the
 * path (nodes may be shared) and re-merging on the way up. */
static uint32_t set_subtree(struct builder *b, uint32_t ref, const uint8_t addr[16], unsigned plen,
			    uint32_t sub, unsigned depth)
{
	uint32_t c[2];
	unsigned bit;

	if (depth == plen)
		return sub;
	if (REF_IS_LEAF(ref)) {
		c[0] = c[1] = ref;
	} else {
		c[0] = b->nodes[ref].child[0];
		c[1] = b->nodes[ref].child[1];
	}
	bit = geo_addr_bit(addr, depth);
	c[bit] = set_subtree(b, c[bit], addr, plen, sub, depth + 1);
	return mk_node(b, c[0], c[1]);
}

/* The database part of the trie. */
static uint32_t build_db(struct builder *b)
{
	static const uint8_t v4_base[16] = { [10] = 0xff, [11] = 0xff };
	const MMDB_s *mmdb = &b->db->mmdb;
	uint32_t root, v4;

	if (!b->db->has_mmdb)
		return b->empty_leaf;
	b->memo = malloc(mmdb->metadata.node_count * sizeof(*b->memo));
	if (!b->memo) {
		b->err = STEER_ENOMEM;
		return b->empty_leaf;
	}
	memset(b->memo, 0xff, mmdb->metadata.node_count * sizeof(*b->memo));
	if (mmdb->metadata.ip_version == 6) {
		root = build_node(b, 0, 0, 128);
		/* IPv4 clients are ::ffff:a.b.c.d here; the data is at ::/96 */
		v4 = descend(b->nodes, root, (const uint8_t[16]){ 0 }, 0, 96, NULL);
	} else {
		root = b->empty_leaf;
		v4 = build_node(b, 0, 0, 32);
	}
	return set_subtree(b, root, v4_base, 96, v4, 0);
}

/* Copy the nodes reachable from ref into out (dropping the ones that path
 * copying left behind), keeping shared subtrees shared. hgt[i] is the
 * height of new node i (a leaf has height 0). */
static uint32_t compact(struct builder *b, uint32_t *remap, struct gm_node *out, uint8_t *hgt, size_t *n,
			uint32_t ref)
{
	uint32_t l, r, at;
	unsigned hl, hr;

	if (REF_IS_LEAF(ref))
		return ref;
	if (remap[ref] != MEMO_NONE)
		return remap[ref];
	l = compact(b, remap, out, hgt, n, b->nodes[ref].child[0]);
	r = compact(b, remap, out, hgt, n, b->nodes[ref].child[1]);
	at = (uint32_t)(*n)++;
	out[at].child[0] = l;
	out[at].child[1] = r;
	hl = REF_IS_LEAF(l) ? 0 : hgt[l];
	hr = REF_IS_LEAF(r) ? 0 : hgt[r];
	hl = 1 + (hl > hr ? hl : hr);
	hgt[at] = (uint8_t)(hl > 255 ? 255 : hl);
	return remap[ref] = at;
}

static int finish(struct builder *b, uint32_t root, struct geo_map *m)
{
	static const uint8_t v4_base[16] = { [10] = 0xff, [11] = 0xff };
	size_t n = 0, cap = b->n ? b->n : 1;
	uint32_t *remap = malloc(cap * sizeof(*remap));
	uint8_t *hgt = malloc(cap);
	unsigned height;

	m->nodes = malloc(cap * sizeof(*m->nodes));
	if (!m->nodes || !remap || !hgt) {
		free(remap);
		free(hgt);
		return STEER_ENOMEM;
	}
	memset(remap, 0xff, cap * sizeof(*remap));
	m->root = compact(b, remap, m->nodes, hgt, &n, root);
	height = REF_IS_LEAF(m->root) ? 0 : hgt[m->root];
	free(remap);
	free(hgt);
	/* geo_map_lookup relies on every path ending by bit 128. Only a
	 * corrupt tree that shares one node at two depths could break that
	 * (build_node bounds depth on first sight only). */
	if (height > 128)
		return STEER_EMALF;
	m->nnodes = n;
	if (n && n < b->n) {
		struct gm_node *shrunk = realloc(m->nodes, n * sizeof(*m->nodes));
		if (shrunk)
			m->nodes = shrunk;
	}
	m->v4_root = descend(m->nodes, m->root, v4_base, 0, 96, NULL);
	return STEER_EOK;
}

int geo_map_build(const struct geo_db *db, geo_classify_fn classify, void *arg, struct geo_map **out)
{
	struct builder b = { .db = db, .classify = classify, .arg = arg };
	struct geo_map *m = calloc(1, sizeof(*m));
	struct timespec t0, t1;
	struct geo_loc loc;
	uint32_t root;
	int ret;

	if (!m)
		return STEER_ENOMEM;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	memset(&loc, 0, sizeof(loc));
	b.empty_leaf = LEAF(0);
	b.empty_leaf = classify_loc(&b, &loc);
	root = build_db(&b);
	/* nets are sorted shortest first: a more specific one is laid on top */
	for (size_t i = 0; i < db->nets.n && !b.err; i++) {
		const struct geo_net *net = &db->nets.v[i];
		geo_loc_from_name(&loc, net->name);
		root = set_subtree(&b, root, net->addr, net->plen128, classify_loc(&b, &loc), 0);
	}
	ret = b.err ? b.err : finish(&b, root, m);
	free(b.memo);
	free(b.cache);
	free(b.dedup);
	free(b.nodes);
	if (ret != STEER_EOK) {
		geo_map_free(m);
		return ret;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	m->stats = b.st;
	m->stats.nodes = m->nnodes;
	m->stats.build_ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	if (b.st.invalid)
		log_warn("geoip: %zu corrupt records or nodes in the database were treated as not found",
			 b.st.invalid);
	*out = m;
	return STEER_EOK;
}

void geo_map_free(struct geo_map *map)
{
	if (!map)
		return;
	free(map->nodes);
	free(map);
}

int geo_map_lookup(const struct geo_map *map, const uint8_t addr[16], unsigned *scope)
{
	uint32_t ref;
	unsigned d, start;

	if (geo_addr_is_v4(addr)) {
		/* the IPv4 subtree starts at depth 96 (or a leaf above covers it all) */
		ref = map->v4_root;
		start = 96;
	} else {
		ref = map->root;
		start = 0;
	}
	/* Every path ends in a leaf by depth 128: the builder never creates a
	 * node at depth 128 (build_node's maxdepth, set_subtree's plen <= 128). */
	for (d = start; !REF_IS_LEAF(ref); d++)
		ref = map->nodes[ref].child[geo_addr_bit(addr, d)];
	/* The leaf's depth is the scope in both directions (RFC 7871 7.2.1):
	 * shorter than the source when the answer holds for a wider network,
	 * longer when it changes inside the source prefix (the zero host bits
	 * then decided, and a resolver must not reuse it for the whole
	 * source network). The merge is complete, so it is never over-wide. */
	if (scope)
		*scope = d - start;
	return (int)(ref & ~REF_LEAF);
}

void geo_map_stats(const struct geo_map *map, struct geo_map_stats *st)
{
	*st = map->stats;
}

struct walk {
	const struct geo_map *map;
	geo_map_walk_fn fn;
	void *arg;
	unsigned base;    /* depth reported as plen 0 */
	int skip_v4;      /* family 6: leave out ::ffff:0:0/96 */
	uint8_t addr[16];
};

static int walk_rec(struct walk *w, uint32_t ref, unsigned depth)
{
	static const uint8_t v4_base[16] = { [10] = 0xff, [11] = 0xff };
	int ret;

	if (w->skip_v4 && depth == 96 && memcmp(w->addr, v4_base, 12) == 0)
		return 0;
	if (REF_IS_LEAF(ref))
		return w->fn(w->addr, depth - w->base, (int)(ref & ~REF_LEAF), w->arg);
	ret = walk_rec(w, w->map->nodes[ref].child[0], depth + 1);
	if (ret)
		return ret;
	w->addr[depth >> 3] |= (uint8_t)(0x80 >> (depth & 7));
	ret = walk_rec(w, w->map->nodes[ref].child[1], depth + 1);
	w->addr[depth >> 3] &= (uint8_t) ~(0x80 >> (depth & 7));
	return ret;
}

int geo_map_walk(const struct geo_map *map, int family, geo_map_walk_fn fn, void *arg)
{
	struct walk w = { .map = map, .fn = fn, .arg = arg };

	if (family == 4) {
		w.addr[10] = w.addr[11] = 0xff;
		w.base = 96;
		if (REF_IS_LEAF(map->v4_root))
			return fn(w.addr, 0, (int)(map->v4_root & ~REF_LEAF), arg);
		return walk_rec(&w, map->v4_root, 96);
	}
	w.skip_v4 = 1;
	return walk_rec(&w, map->root, 0);
}
