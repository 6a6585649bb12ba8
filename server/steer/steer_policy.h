/*
 * steer_policy.h -- the steering engine's inside: the compiled policy set
 * and the interface between the engine (steer.c), the config compiler
 * (steer_build.c), the policies (policy/<name>.c, listed in policy/table.c)
 * and explain (explain.c).
 *
 *   config ──steer_build()──> struct steer_set  (one per snapshot, immutable
 *                               except the health state bytes)
 *     pools[]     members split by family, each with its health target index
 *     state[]     one atomic byte per health target; written by the health
 *                 link (main thread), read relaxed by the workers
 *     records[]   one per steered name: policy, TTLs, pool lists, geo map,
 *                 and the policy's private state (priv)
 *     bind[]      zone node -> its record (steer_record_at())
 *
 * Query path: steer_answer() (steer.h) -> steer_eval() -> policy->choose().
 * explain runs the very same steer_eval() with a trace to fill, so what
 * `steerctl explain` prints is what a query gets.
 */
#ifndef STEER_STEER_POLICY_H
#define STEER_STEER_POLICY_H

#include <jansson.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "common/pools.h"
#include "server/steer/steer.h"

struct errlist;
struct geo_conf;
struct geo_db;
struct geo_loc;
struct geo_map;
struct steer_build;

#define STEER_NO_TARGET UINT32_MAX

/* One health state byte: the effective state in the low bits, the
 * operator's override as flags (for explain). Unknown counts as up.
 * Pending counts as down: a target that a reload added while healthd is
 * connected, until healthd's first verdict (or until the link drops or the
 * deadline in steer_set.pending_until_ms passes: then it becomes unknown),
 * so a new member is never answered before it has been checked. */
enum {
	STEER_ST_UNKNOWN = 0,
	STEER_ST_UP = 1,
	STEER_ST_DOWN = 2,
	STEER_ST_PENDING = 3,
	STEER_ST_MASK = 3,
	STEER_ST_DRAINED = 4, /* admin down */
	STEER_ST_FORCED = 8,  /* admin up */
	STEER_VOTE_NONE = 0x80, /* votes[]: nothing heard from the source about the target */
};

/* Address families as array indexes: A answers from [0], AAAA from [1]. */
enum { STEER_V4 = 0, STEER_V6 = 1 };

struct steer_member {
	uint8_t addr[16];     /* 4 bytes used for IPv4 */
	uint32_t target;      /* index into steer_set.state, or STEER_NO_TARGET (always up) */
	uint16_t pool;        /* index into steer_set.pools: the pool it belongs to */
	const char *text;     /* borrowed from pools_conf: canonical address */
};

struct steer_pool {
	const char *name;            /* borrowed from pools_conf */
	struct steer_member *m[2];   /* owned; members by family */
	uint16_t n[2];
	int has_location;
	double lat, lon;
	uint32_t slowstart_ms;       /* "slowstart" (0: none) */
};

/* An ordered list of pools (failover order, a geo region's list, a
 * "closest" ranking) with optional weights (weighted, sticky). */
struct steer_list {
	uint16_t n;
	uint16_t *pools;      /* owned; indexes into steer_set.pools */
	uint32_t *weights;    /* owned or NULL */
};

struct steer_policy;

/* What every policy shares lives here; what one policy alone needs (geo's
 * region keys, multivalue's max, sticky's prefixes) is behind priv, in a
 * type only that policy's file knows.
 *
 * The lists and the map stay shared engine pieces: steer_eval() looks the
 * client up in the map before any policy runs, because the lookup also
 * yields the ECS scope, which the engine applies the same way for every
 * location policy (geo, closest); a map private to each policy would mean
 * a lookup and a scope rule copied into each. */
struct steer_record {
	char *name;                  /* owned; presentation, lowercase, trailing dot */
	const void *node;            /* the zone node it steers (struct node; the bind key) */
	const struct steer_policy *policy;
	void *priv;                  /* owned by policy: set by its compile(), freed by its free(); NULL if none */
	uint32_t ttl, degraded_ttl;
	int nodata_when_down;        /* "when_all_down": "nodata" */
	struct steer_list *lists;    /* owned */
	size_t nlists;
	struct geo_map *map;         /* owned; location policies: result = list index */
};

/* Which zone node a record steers. The zones are not marked: the same
 * compiled zone can be shared by the live snapshot and the next one (a
 * reload that keeps a zone, `steerctl reload ZONE`), each with its own
 * policy set, so the binding lives in the set: an open-addressing table
 * keyed by the node's address. */
struct steer_bind {
	const void *node;                  /* const struct node *, or NULL: empty slot */
	const struct steer_record *rec;
};

struct steer_set {
	struct pools_conf pc;        /* owned: names of pools and targets */
	struct steer_bind *bind;     /* owned; bind_mask + 1 slots, at most half full */
	uint32_t bind_mask;
	struct steer_pool *pools;    /* owned; parallel to pc.pools */
	size_t npools;
	_Atomic uint8_t *state;      /* owned; pc.ntargets entries */
	struct steer_record *records;/* owned */
	size_t nrecords;
	struct geo_db *geo;          /* owned; for explain (the maps do not need it) */
	struct geo_conf *geoconf;    /* owned; the "geoip" section (nets names for geo keys) */
	int ecs;                     /* geoip.ecs */
	int64_t pending_until_ms;    /* CLOCK_MONOTONIC ms: pending targets become unknown after this */
	/* Several health sources (quorum.h): state[] is their combined
	 * verdict, computed by the health link when a report arrives, never
	 * per query. Main thread only (the link, explain, control). */
	uint8_t *votes;              /* owned; pc.sources.n x pc.ntargets, row per source:
				      * its last report as a state byte, or STEER_VOTE_NONE */
	uint32_t live;               /* bit i: source i's votes count (heard within silent_after) */
	_Atomic int64_t *up_since_ms;/* owned; pc.ntargets: CLOCK_MONOTONIC ms at which the target
				      * came back up (from down, drained or pending), 0: not
				      * ramping; written by the link, read by weighted (slowstart) */
	char *healthd_socket;        /* borrowed from pc */
};

/* Where the client is, as the policies see it. */
struct steer_client {
	uint8_t addr[16];     /* IPv4 as ::ffff:a.b.c.d, host bits beyond source zero */
	unsigned source;      /* prefix in the client's own family (32 / 128 for an address) */
	int ecs;              /* the location came from ECS: the scope is echoed */
	int mapped6;          /* ECS family 2 carrying an IPv4-mapped address: scope + 96 */
};

/* What explain wants to know about one evaluation (optional everywhere). */
enum steer_verdict {
	STEER_V_ANSWERED,     /* this pool's up members are the answer */
	STEER_V_USED,         /* contributed members (multivalue, weighted/sticky pick) */
	STEER_V_ALL_DOWN,     /* has members of the family, none up */
	STEER_V_NO_FAMILY,    /* no member of the query's family */
	STEER_V_CANDIDATE,    /* weighted/sticky: in the draw, not picked */
	STEER_V_FULL,         /* multivalue: max reached before this pool */
};
#define STEER_TRACE_MAX 64
struct steer_trace {
	int list;             /* list used (geo key's list, closest ranking), -1: n/a */
	int fell_open;        /* nothing was up: answered as if all were up */
	int nodata_all_down;  /* nothing was up and "when_all_down": "nodata" */
	int degraded;
	size_t ntried;
	struct {
		uint16_t pool;
		uint8_t verdict;      /* enum steer_verdict */
		uint8_t fall_open;    /* seen in the fall-open pass */
	} tried[STEER_TRACE_MAX];
	char note[160];       /* e.g. the weighted draw */
};

/* The evaluation context handed to a policy. */
struct steer_ctx {
	const struct steer_set *set;
	const struct steer_record *rec;
	int fam;                       /* STEER_V4 / STEER_V6 */
	const struct steer_client *cl;
	const struct steer_list *list; /* location policies: the list the map chose */
	int assume_up;                 /* fall-open pass: every member counts as up */
	struct steer_trace *trace;     /* NULL on the query path */
};

/* What a policy produced. */
struct steer_pick {
	struct steer_answer *out;      /* addrs/naddrs filled by the policy */
	uint8_t degraded;              /* a fallback pool, or members down */
	uint8_t all_down;              /* members of the family exist, none is up */
	uint8_t own_scope;             /* 1: scope is the policy's ECS scope (sticky: the
					* hashed prefix); 0: the map's, or 0 */
	uint8_t scope;                 /* (bytes: the pick stays 16 bytes, one store to clear) */
};

struct steer_policy {
	const char *name;
	/* Compile the policy's value v (the JSON under its key) into r: its
	 * lists (steer_intern_list), its map (steer_build_map) and its own
	 * state in r->priv. Returns the number of errors added (conf_err at
	 * path). r->priv may be set even when it fails: free() gets it. */
	int (*compile)(struct steer_build *b, struct steer_record *r, json_t *v, const char *const *path);
	/* Free what compile() put in r->priv (never NULL when called). NULL
	 * for policies without private state. */
	void (*free)(void *priv);
	/* Choose. Never allocates, never blocks. */
	void (*choose)(const struct steer_ctx *c, struct steer_pick *p);
	/* Location policies: classify a location into a list index (the
	 * geo_map classifier, also used by explain); why (may be NULL) gets
	 * a sentence for explain. build is r itself while compiling (the
	 * policy may then add lists to it), NULL otherwise (explain: the
	 * live record must not change). NULL for policies that ignore
	 * location. Returns a list index, or -1 on ENOMEM. */
	int (*classify)(const struct steer_record *r, const struct steer_set *set, const struct geo_loc *loc,
			struct steer_record *build, char *why, size_t whylen);
	/* explain: the key of the policy's value that loc matches (geo: "US",
	 * "default"), or NULL. NULL for policies without keys. */
	const char *(*region_key)(const struct steer_record *r, const struct geo_loc *loc);
	int uses_location;             /* the answer depends on the client: echo the scope */
};

/* The table of policies, NULL-terminated, in the order the config errors
 * list them (policy/table.c: the engine names no policy itself). */
extern const struct steer_policy *const steer_policies[];
/* The policy called name (a key of a record), or NULL. */
const struct steer_policy *steer_policy_find(const char *name);

/* --- engine helpers (steer.c) --- */

/* Is member m up (unknown and unchecked count as up; assume_up: always)? */
static inline int steer_member_up(const struct steer_ctx *c, const struct steer_member *m)
{
	if (c->assume_up || m->target == STEER_NO_TARGET)
		return 1;
	/* UNKNOWN and UP answer; DOWN and PENDING do not. */
	return (atomic_load_explicit(&c->set->state[m->target], memory_order_relaxed) & STEER_ST_MASK) <=
	       STEER_ST_UP;
}

/* Slow start: member m's share of its weight, 1..1000 (1000: all of it).
 * A member of a pool with "slowstart" that came back up less than
 * slowstart ago ramps linearly from 1% to all of it; everything else has
 * all of it. One relaxed load and, only while ramping, a coarse clock read. */
#define STEER_RAMP_FULL 1000
int64_t steer_now_ms(void);
static inline uint32_t steer_member_ramp(const struct steer_ctx *c, const struct steer_member *m)
{
	uint32_t ss = c->set->pools[m->pool].slowstart_ms;
	int64_t since, age;

	if (!ss || c->assume_up || m->target == STEER_NO_TARGET)
		return STEER_RAMP_FULL;
	since = atomic_load_explicit(&c->set->up_since_ms[m->target], memory_order_relaxed);
	if (!since || (age = steer_now_ms() - since) >= ss)
		return STEER_RAMP_FULL;
	return age * STEER_RAMP_FULL / ss > 10 ? (uint32_t)(age * STEER_RAMP_FULL / ss) : 10;
}

/* Evaluate rec for family fam and client cl into out (the full engine:
 * location, policy, fall open, TTL, scope). trace may be NULL. */
void steer_eval(const struct steer_set *set, const struct steer_record *rec, int fam, const struct steer_client *cl,
		struct steer_answer *out, struct steer_trace *trace);
/* Note a pool's verdict in the trace (no-op without one). */
void steer_trace_pool(const struct steer_ctx *c, size_t pool, enum steer_verdict v);
/* Failover over list: the first pool with an up member of the family
 * answers with all its up members (failover, geo, closest). */
void steer_pick_first_up(const struct steer_ctx *c, const struct steer_list *list, struct steer_pick *p);
/* Add member m to the answer (ignored past STEER_MAX_ADDRS). */
void steer_pick_add(struct steer_pick *p, const struct steer_member *m);
/* A cheap per-thread pseudo-random number (xorshift64*), no locks. */
uint64_t steer_random(void);
/* The record steering node, or NULL (query path: one or two probes). */
static inline const struct steer_record *steer_record_at(const struct steer_set *set, const void *node)
{
	uint32_t i;

	if (!set->bind)
		return NULL;
	/* Fibonacci hashing of the address; nodes are 8-byte aligned. */
	i = (uint32_t)(((uintptr_t)node >> 3) * 0x9E3779B97F4A7C15ull >> 32) & set->bind_mask;
	while (set->bind[i].node) {
		if (set->bind[i].node == node)
			return set->bind[i].rec;
		i = (i + 1) & set->bind_mask;
	}
	return NULL;
}
/* The record named name (any case, trailing dot optional), or NULL. */
const struct steer_record *steer_find_record(const struct steer_set *set, const char *name);

/* --- config helpers for the policies (steer_build.c) --- */

struct steer_build {
	const struct conf_file *cf;
	struct steer_set *set;
	struct errlist *errs;
};
/* Parse a JSON list of pool names (or one name) into l; unknown pools and
 * duplicates are errors at path. Returns the number of errors. */
int steer_parse_list(struct steer_build *b, json_t *v, const char *const *path, struct steer_list *l);
/* Parse {"pool": weight, ...} into l (weights 1..1000000). */
int steer_parse_weights(struct steer_build *b, json_t *v, const char *const *path, struct steer_list *l);
/* Add a copy of l to r->lists unless an equal list is there; returns its
 * index, or -1 on ENOMEM. l is cleared (its arrays moved or freed). */
long steer_intern_list(struct steer_record *r, struct steer_list *l);
/* Build r->map from the set's geo_db with the policy's classify. */
int steer_build_map(struct steer_build *b, struct steer_record *r, const char *const *path);
void steer_list_clear(struct steer_list *l);

#endif
