/*
 * snapshot.h -- the live data the query path reads, swapped atomically.
 *
 * A snapshot bundles everything a worker needs to answer (zones now; policy
 * and geo data later). Readers never lock: a worker publishes the snapshot it
 * is using in its own slot (a hazard pointer), processes a batch, and clears
 * the slot. The writer (the main thread, on reload) swaps the global pointer
 * and then waits until no slot holds the old snapshot before freeing it, so
 * no query ever sees freed memory and no query is dropped during a reload.
 */
#ifndef STEER_SNAPSHOT_H
#define STEER_SNAPSHOT_H

#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

struct zonedb;
struct geo_db;
struct policy_set;
struct xfr_conf;

struct snapshot {
	struct zonedb *zones;        /* owned */
	uint64_t generation;         /* 1 for the first load, +1 per successful reload */
	time_t loaded_at;
	void (*free_extra)(void *);  /* frees extra (policies, geo) with the snapshot */
	void *extra;                 /* owned via free_extra: the steering engine's compiled policies */
	void (*free_journals)(void *); /* frees journals with the snapshot */
	void *journals;              /* owned via free_journals: the zones' IXFR journals (server/xfr/journal.h) */
	int no_ecs;                  /* config geoip.ecs = false: ignore ECS and never echo it (RFC 7871 7.1.3 lets us) */
	void (*free_counters)(void *); /* frees counters with the snapshot */
	void *counters;              /* owned via free_counters: per-zone and per-record query counters
				      * (server/net/stats.h), indexed like this snapshot's zones and records */
	void (*free_xfr)(void *);    /* drops the reference to xfr with the snapshot */
	struct xfr_conf *xfr;        /* a reference (server/xfr/xfr_conf.h): keys and transfer ACLs; NULL = none */
	void (*free_proxy)(void *);  /* frees proxy with the snapshot */
	void *proxy;                 /* owned via free_proxy: server.proxy_from compiled (struct proxy_acl,
				      * server/net/proxy.h), read by the engines; NULL = no source listed */
};

#define SNAP_MAX_READERS 512

struct snap_domain {
	_Atomic(struct snapshot *) current;
	_Atomic(struct snapshot *) slots[SNAP_MAX_READERS]; /* one per reader */
	_Atomic int nreaders;
};

void snap_domain_init(struct snap_domain *d);
/* Frees the current snapshot. All readers must be gone. */
void snap_domain_clear(struct snap_domain *d);
/* Register a reader thread; returns its slot index. Call once per thread
 * at startup (not on the query path). Returns -1 when full. */
int snap_reader_register(struct snap_domain *d);
/* Pin the current snapshot for slot; valid until snap_release(). */
struct snapshot *snap_acquire(struct snap_domain *d, int slot);
void snap_release(struct snap_domain *d, int slot);
/* Install s as current (takes ownership); waits for readers of the old one
 * and frees it. Called by one writer thread at a time. */
void snap_publish(struct snap_domain *d, struct snapshot *s);
/* The same, but the old snapshot (NULL if none) is returned instead of freed:
 * no reader holds it any more, so the writer may read what the readers left
 * in it (its counters) before snapshot_free(). */
struct snapshot *snap_swap(struct snap_domain *d, struct snapshot *s);
/* Read the current snapshot from the writer thread (no pinning needed, the
 * writer is the only one that frees). */
struct snapshot *snap_current(struct snap_domain *d);

void snapshot_free(struct snapshot *s);

#endif
