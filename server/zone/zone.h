/*
 * zone.h -- one compiled zone: the query path's view of zone data.
 *
 *   zone --table--> node (one per owner name, including empty non-terminals;
 *                    |    all in one block, zone.nodes, each with its name)
 *                    |-- rrsets[] sorted by type; each RR precompiled as the
 *                    |   wire bytes that follow the owner name:
 *                    |   TYPE CLASS TTL RDLENGTH RDATA
 *                    |-- node_cut():      delegation point at or above the node
 *                    |-- node_dname():    nearest ancestor owning a DNAME
 *                    `-- node_wildcard(): the node "*.<this>", if any
 *
 * Built by server/zone/load/ (the only user of ldns), read by lookup.c
 * and answer.c. Everything lives in the zone's arena and node block and is
 * immutable after load, so worker threads read it without locks. The
 * structures are packed for size (a 1M-record zone is ~84 MB:
 * bench/README.md, "Large zones"); read their packed fields through the
 * accessors below (zone_slot, node_cut, rrset_targets, rrset_nsigs).
 *
 * Layer: server/zone, on server/wire: compiled zones, the zone db, lookup and
 * the snapshot. Built by server/zone/load (load time only), read by the
 * layers above without locks.
 */
#ifndef STEER_ZONE_H
#define STEER_ZONE_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "server/zone/arena.h"
#include "server/wire/rr.h"

struct node;
struct dnssec_zone;

/* The RRs of an rrset are stored back to back, each as the wire bytes that
 * follow an owner name: TYPE CLASS TTL RDLENGTH RDATA (server/wire/rr.h).
 * An RR's length is rr_len() = RR_FIXED + RDLENGTH, so no per-RR length or
 * pointer is stored. */

/* 24 bytes: a large zone has about one rrset per record, so each field
 * counts (bench/README.md, "Zone load"). */
struct rrset {
	uint16_t type;
	uint16_t count;
	uint32_t ttl;
	const uint8_t *data;         /* count RRs back to back; step with rr_len() */
	const uint8_t *sigs;         /* NULL, or rrset_nsigs() > 0 RRSIG RRs back to back, compiled like
					data (TYPE=RRSIG CLASS TTL RDLENGTH RDATA): made at load by
					server/dnssec/zonesign.c (rrset_sigs_alloc()), written only
					for DO queries */
};

/* The types whose RRs name a host that gets additional data: NS, MX, SRV. */
static inline int rrset_type_has_targets(uint16_t type)
{
	/* NS = 2, MX = 15, SRV = 33: one bit test instead of three compares. */
	return type < 64 && ((1ull << type) & (1ull << 2 | 1ull << 15 | 1ull << 33));
}

/* NULL, or count entries: the in-zone node named by each RR's target (NS,
 * MX, SRV; NULL where outside the zone) for additional data. They are
 * stored in the same allocation just before the RRs (the loader allocates
 * them together for these types, and only the loader makes rrsets of
 * them), which saves a pointer in every rrset. */
static inline const struct node *const *rrset_targets(const struct rrset *s)
{
	return rrset_type_has_targets(s->type) ? (const struct node *const *)(const void *)s->data - s->count : NULL;
}

/* How many RRSIGs s->sigs holds: their count is stored just before them
 * (rrset_sigs_alloc()), which saves a field in every rrset. */
static inline uint16_t rrset_nsigs(const struct rrset *s)
{
	return s->sigs ? wire_get16(s->sigs - 2) : 0;
}

/* Room in a for len bytes of n RRSIG RRs of s, which the caller writes;
 * sets s->sigs (and the count rrset_nsigs() reads) when n > 0: s->sigs is
 * NULL or holds at least one RRSIG. NULL when out of memory (s
 * unchanged). Load time only. */
uint8_t *rrset_sigs_alloc(struct arena *a, struct rrset *s, size_t len, uint16_t n);

enum {
	NODE_APEX = 1,
	NODE_DELEG = 2, /* owns NS and is not the apex: a zone cut */
	NODE_CNAME = 4,
	NODE_DNAME = 8,
};

/* A node is 29 bytes and its name, in one allocation (56 bytes for a
 * typical 24-byte name, where a pointer to the name and three pointers to
 * other nodes made it 80): the nodes of a zone lie in one block
 * (zone.nodes), so links between them are 32-bit offsets relative to the
 * node itself, which stay true when the loader grows (moves) the block.
 * Read the links with node_cut(), node_dname(), node_wildcard(). Nodes
 * made outside the block (server/dnssec/nsec3.c's) have no links. */
struct node {
	struct rrset *rrsets;  /* sorted by type; 0 rrsets = empty non-terminal */
	uint32_t hash;
	int32_t cut_link;      /* highest delegation point at or above this node (node_link) */
	int32_t dname_link;    /* nearest strict ancestor owning a DNAME (node_link) */
	union {
		int32_t wild_link;  /* child "*" (node_link) */
		uint32_t first_rec; /* load time only (before linking): the loader's list of this name's records */
	};
	uint16_t nrrsets;
	uint8_t namelen;
	uint8_t labels;
	uint8_t flags;
	uint8_t name[];        /* lowercase wire, namelen bytes */
};

/* Bytes of a node with a name of namelen bytes, rounded up so that the
 * next node in a block is aligned. */
static inline size_t node_bytes(size_t namelen)
{
	return (offsetof(struct node, name) + namelen + 7) & ~(size_t)7;
}

/* A link field: 0 = none, else the target is (v - (v > 0)) * 8 bytes from
 * n (a node can be its own cut, hence the shift of the positive side). */
static inline const struct node *node_link(const struct node *n, int32_t v)
{
	return v ? (const struct node *)(const void *)((const char *)n + 8 * ((int64_t)v - (v > 0))) : NULL;
}

/* The highest delegation point at or above n (n itself at a cut), or NULL. */
static inline const struct node *node_cut(const struct node *n)
{
	return node_link(n, n->cut_link);
}

/* The nearest strict ancestor of n that owns a DNAME, or NULL. */
static inline const struct node *node_dname(const struct node *n)
{
	return node_link(n, n->dname_link);
}

/* n's child "*", or NULL. */
static inline const struct node *node_wildcard(const struct node *n)
{
	return node_link(n, n->wild_link);
}

struct zone {
	char *name;            /* arena: presentation, trailing dot */
	char *file;            /* arena */
	const uint8_t *apex;   /* lowercase wire */
	uint16_t apexlen;
	uint8_t apexlabels;
	const struct node *apex_node;
	const struct rrset *soa;
	uint32_t neg_ttl;      /* RFC 2308: min(SOA TTL, SOA MINIMUM) */
	uint32_t serial;
	size_t nrecords;
	time_t loaded_at;
	_Atomic unsigned extra_refs; /* holders beyond the first: zone dbs, transfers (see zone_ref) */
	double load_seconds;   /* how long zone_load() took (wall clock), for the metrics */
	_Atomic uint64_t content_hash; /* 0 = not computed yet (server/xfr/serial.h; main thread) */
	/* The nodes, back to back (node_bytes() each), owned (malloc); byte 0
	 * is no node, so that a table slot of 0 can mean empty. */
	uint8_t *nodes;
	size_t nodes_len, nodes_cap;
	/* owned (malloc): open addressing, mask + 1 slots, at most half full;
	 * a slot is 0 or a node's offset in nodes / 8 (zone_slot()) */
	uint32_t *table;
	uint32_t mask;
	size_t nnodes;
	struct arena arena;    /* owns everything above */
	/* Signed zones (server/dnssec/): the keys and the denial chain, owned by
	 * that layer and freed through dnssec_free (this layer cannot name it). */
	struct dnssec_zone *dnssec;
	void (*dnssec_free)(struct dnssec_zone *dz);
};

/* The node in table slot i (0 <= i <= mask), or NULL: for walking every
 * node of a zone (in no particular order). */
static inline const struct node *zone_slot(const struct zone *z, uint32_t i)
{
	return z->table[i] ? (const struct node *)(const void *)(z->nodes + (size_t)z->table[i] * 8) : NULL;
}

/* Exact lookup of a lowercase wire name. */
const struct node *zone_find(const struct zone *z, const uint8_t *name, size_t len, uint32_t hash);
/* The rrset of type at node, or NULL. */
const struct rrset *node_rrset(const struct node *n, uint16_t type);

/* A compiled zone is immutable, so two zone dbs (the live snapshot's and the
 * next one, when a reload keeps a zone) can share it, and an outgoing zone
 * transfer (server/xfr/axfr.c) holds it while it streams, past the
 * snapshot it came from. zone_ref() adds a holder (only someone who holds
 * one already, or reads it from a pinned snapshot, may); zone_free() drops
 * one and frees the zone (built by zone_load(), server/zone/load/zoneload.h)
 * with the last. The count is atomic: the main thread (snapshots) and the
 * TCP thread (transfers) both call them. NULL is fine. */
void zone_ref(struct zone *z);
void zone_free(struct zone *z);

#endif
