/*
 * stats_snap.h -- the counters whose index is a position in one snapshot:
 * queries per zone, and per steered record its answers by pool, its
 * fall-open and its degraded answers.
 *
 * The query path reports a zone as its position in the snapshot's zone db
 * and a record/pool as positions in the snapshot's policy set
 * (struct answer_result.zone, .steer). Those positions change meaning when
 * a reload adds or removes zones, so the counters indexed by them belong to
 * the same snapshot (snapshot.counters, freed with it): an index is only
 * ever applied to the table of the snapshot that defined it, and every
 * index is bounds-checked against that table, so a reload can neither mix
 * two zones' counts nor write past an array.
 *
 * Layout: one row per answering thread (the row of its stats block), each
 * cache-line aligned and written by that thread only, with relaxed
 * load + store (stats.h explains why). Each table also has a base column
 * of plain numbers that only the main thread touches: when a reload retires
 * a snapshot, the main thread carries its totals into the new snapshot's
 * base, matched by name (server/metrics/), so a zone's counter keeps
 * growing across reloads. Readers (the metrics scrape, main thread) get
 * base + the sum of the rows.
 */
#ifndef STEER_STATS_SNAP_H
#define STEER_STATS_SNAP_H

#include <stddef.h>
#include <stdint.h>

struct answer_result;
struct stats_snap;

enum stats_snap_kind {
	STATS_ZONE_QUERIES,  /* [zone] */
	STATS_REC_ANSWERS,   /* [record * stats_snap_pool_cols() + pool column] */
	STATS_REC_FELL_OPEN, /* [record] */
	STATS_REC_DEGRADED,  /* [record] */
	STATS_SNAP_NKINDS
};

/* More record x pool cells than this and answers are counted per record
 * only (one pool column), so a huge config cannot make the table huge. */
#define STATS_SNAP_MAX_CELLS 65536

/* A zeroed table for nrows threads. NULL on ENOMEM. */
struct stats_snap *stats_snap_new(size_t nrows, size_t nzones, size_t nrecords, size_t npools);
/* Frees ss (a void * so that it can be snapshot.free_counters). */
void stats_snap_free(void *ss);

/* Count res into row (the query path: the row's own thread only). Indexes
 * outside the table are ignored. ss may be NULL. */
void stats_snap_count(struct stats_snap *ss, size_t row, const struct answer_result *res);

/* Readers, main thread. */
size_t stats_snap_len(const struct stats_snap *ss, enum stats_snap_kind k);
/* npools, or 1 when answers are counted per record only. */
size_t stats_snap_pool_cols(const struct stats_snap *ss);
/* base + every row. */
uint64_t stats_snap_get(const struct stats_snap *ss, enum stats_snap_kind k, size_t i);
/* Add n to the base of cell i (carrying counts over a reload). */
void stats_snap_add_base(struct stats_snap *ss, enum stats_snap_kind k, size_t i, uint64_t n);

#endif
