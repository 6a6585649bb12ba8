/*
 * geomap.h -- compiled region maps: the query-path side of GeoIP.
 *
 * A geo_map answers "which result does this client get, and for how wide a
 * prefix around it is that answer the same" without touching libmaxminddb,
 * allocating or locking. It is built once per load (per policy map) from a
 * geo_db and a CLASSIFIER supplied by the policy:
 *
 *   geo_db ──walk the whole MMDB tree once (MMDB_read_node)──┐
 *     each data record decoded and classified once (cached by offset)
 *     nets overrides laid on top (they win over the database)
 *     sibling leaves with the same result merged, bottom-up
 *   └──> struct geo_map: an array of {child[0], child[1]} nodes, immutable
 *
 * The trie covers the IPv6 space; IPv4 lives at ::ffff:0:0/96 (nets.h).
 * For an IPv6 MMDB the IPv4 data comes from the database's ::/96 subtree (so
 * both ::a.b.c.d and ::ffff:a.b.c.d answer as IPv4); for an IPv4-only MMDB,
 * every IPv6 address is "not found".
 *
 * Because merging is complete (any subtree whose leaves all carry the same
 * result is a single leaf), the depth at which a lookup reaches its leaf is
 * the shortest prefix around the client in which every address gets the same
 * answer: the widest correct ECS SCOPE PREFIX-LENGTH (RFC 7871 section 7.2.1),
 * and, when the answer varies inside the source prefix, the longer prefix
 * that decides it. The scope comes from this merged map (the policy's own
 * answers), never from the MMDB's network sizes.
 *
 * A geo_map is immutable after geo_map_build() and may be shared by any
 * number of threads; it does not refer to the geo_db once built.
 */
#ifndef STEER_GEOMAP_H
#define STEER_GEOMAP_H

#include <stddef.h>
#include <stdint.h>

struct geo_db;
struct geo_loc;
struct geo_map;

/* Largest result a classifier may return. */
#define GEO_MAP_RESULT_MAX 0x3fffffff

/* The policy's classifier: map one location to a small integer (e.g. the
 * index of the most specific region key that matched: subdivision > country
 * > continent > default; or the nearest pool for "closest"). Called once per
 * distinct database record, once for "not found" (loc->found == 0, all
 * fields empty) and once per nets entry (loc->net set, continent/country/
 * subdivision filled when the name is such a code, see geo_loc_from_name()).
 * Must return 0..GEO_MAP_RESULT_MAX; anything else fails the build. Never
 * called after geo_map_build() returns. */
typedef int (*geo_classify_fn)(const struct geo_loc *loc, void *arg);

/* Build a map. db may hold no database (nets only): every other address is
 * then "not found". Returns 0 and sets *out, or STEER_ENOMEM, or STEER_ERANGE
 * (the classifier returned a value out of range), or STEER_EMALF (a corrupt
 * search tree deeper than 128 bits). Other corrupt nodes and data records
 * are counted (geo_map_stats) and treated as "not found". */
int geo_map_build(const struct geo_db *db, geo_classify_fn classify, void *arg, struct geo_map **out);
void geo_map_free(struct geo_map *map);

/* The hot path. addr: 16 bytes, IPv4 as ::ffff:a.b.c.d; for an ECS client
 * the bits beyond its SOURCE PREFIX-LENGTH are zero (RFC 7871 6 requires
 * it, wire/query.c checks it), so the answer is the one for the source
 * network's first address. *scope counts bits of the client's own family
 * (0..32 for IPv4, 0..128 for IPv6): the depth of the leaf reached, the
 * shortest prefix around addr over which every address gets the same
 * result. That is shorter than the source prefix when the answer holds for
 * a wider network, and LONGER when the answer changes inside the source
 * prefix (RFC 7871 7.2.1: the source was not specific enough; the prefix
 * that decided is echoed, so a resolver does not reuse this answer across
 * the whole source network). The source prefix is therefore not an
 * argument: the scope depends only on the address and the map. A map that
 * does not depend on the address gives scope 0. scope may be NULL.
 * No allocation, no locks, no libmaxminddb. Returns the result. */
int geo_map_lookup(const struct geo_map *map, const uint8_t addr[16], unsigned *scope);

struct geo_map_stats {
	size_t nodes;        /* trie nodes (8 bytes each) */
	size_t records;      /* distinct data records classified */
	size_t invalid;      /* corrupt records/nodes treated as not found */
	size_t mmdb_nodes;   /* search-tree nodes read from the MMDB */
	double build_ms;     /* wall time of geo_map_build */
};
void geo_map_stats(const struct geo_map *map, struct geo_map_stats *st);

/* Walk the leaves in address order, for tests and explain. family 4 walks
 * the IPv4 space (addr ::ffff:a.b.c.d, plen 0..32); family 6 walks the IPv6
 * space except ::ffff:0:0/96 (plen 0..128). fn returns nonzero to stop; the
 * walk then returns that value, else 0. Aliases of the IPv4 data inside the
 * IPv6 space (::/96, 2002::/16) appear as IPv6 prefixes. */
typedef int (*geo_map_walk_fn)(const uint8_t addr[16], unsigned plen, int result, void *arg);
int geo_map_walk(const struct geo_map *map, int family, geo_map_walk_fn fn, void *arg);

#endif
