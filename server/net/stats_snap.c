/* stats_snap.c -- per-snapshot zone and record counters (see stats_snap.h). */
#include "config.h"
#include "server/net/stats_snap.h"
#include "server/answer/answer.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

typedef _Atomic uint64_t counter;

struct stats_snap {
	size_t nrows;
	size_t stride;                    /* counters per row, a multiple of a cache line */
	size_t off[STATS_SNAP_NKINDS];    /* where each kind starts in a row (and in base) */
	size_t len[STATS_SNAP_NKINDS];
	size_t npools, pool_cols;
	counter *rows;                    /* owned, 64-byte aligned: nrows * stride */
	uint64_t *base;                   /* owned: carried counts, main thread only */
};

struct stats_snap *stats_snap_new(size_t nrows, size_t nzones, size_t nrecords, size_t npools)
{
	struct stats_snap *ss = calloc(1, sizeof(*ss));
	size_t total = 0;

	if (!ss)
		return NULL;
	ss->nrows = nrows;
	ss->npools = npools;
	ss->pool_cols = npools && nrecords * npools <= STATS_SNAP_MAX_CELLS ? npools : 1;
	ss->len[STATS_ZONE_QUERIES] = nzones;
	ss->len[STATS_REC_ANSWERS] = nrecords * ss->pool_cols;
	ss->len[STATS_REC_FELL_OPEN] = nrecords;
	ss->len[STATS_REC_DEGRADED] = nrecords;
	for (int k = 0; k < STATS_SNAP_NKINDS; k++) {
		ss->off[k] = total;
		total += ss->len[k];
	}
	ss->stride = (total + 7) / 8 * 8; /* 8 counters = 64 bytes: rows never share a line */
	if (ss->stride == 0)
		ss->stride = 8;
	ss->base = calloc(total + 1, sizeof(*ss->base));
	if (!ss->base || posix_memalign((void **)&ss->rows, 64, nrows * ss->stride * sizeof(counter)) != 0) {
		free(ss->base);
		free(ss);
		return NULL;
	}
	memset(ss->rows, 0, nrows * ss->stride * sizeof(counter));
	return ss;
}

void stats_snap_free(void *p)
{
	struct stats_snap *ss = p;

	if (!ss)
		return;
	free(ss->rows);
	free(ss->base);
	free(ss);
}

/* The one writer's increment (see stats.c). */
static inline void bump(counter *row, const struct stats_snap *ss, enum stats_snap_kind k, size_t i)
{
	counter *c = &row[ss->off[k] + i];
	atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + 1, memory_order_relaxed);
}

void stats_snap_count(struct stats_snap *ss, size_t row, const struct answer_result *res)
{
	counter *r;
	size_t rec;

	if (!ss || row >= ss->nrows)
		return;
	r = ss->rows + row * ss->stride;
	if (res->zone && res->zone <= ss->len[STATS_ZONE_QUERIES])
		bump(r, ss, STATS_ZONE_QUERIES, res->zone - 1);
	rec = res->steer.record;
	if (rec == 0 || rec > ss->len[STATS_REC_FELL_OPEN])
		return;
	rec--;
	if (res->steer.pool < ss->npools)
		bump(r, ss, STATS_REC_ANSWERS, rec * ss->pool_cols + (ss->pool_cols == 1 ? 0 : res->steer.pool));
	if (res->steer.fell_open)
		bump(r, ss, STATS_REC_FELL_OPEN, rec);
	if (res->steer.degraded)
		bump(r, ss, STATS_REC_DEGRADED, rec);
}

size_t stats_snap_len(const struct stats_snap *ss, enum stats_snap_kind k)
{
	return ss ? ss->len[k] : 0;
}

size_t stats_snap_pool_cols(const struct stats_snap *ss)
{
	return ss ? ss->pool_cols : 1;
}

uint64_t stats_snap_get(const struct stats_snap *ss, enum stats_snap_kind k, size_t i)
{
	uint64_t n;

	if (!ss || i >= ss->len[k])
		return 0;
	n = ss->base[ss->off[k] + i];
	for (size_t r = 0; r < ss->nrows; r++)
		n += atomic_load_explicit(&ss->rows[r * ss->stride + ss->off[k] + i], memory_order_relaxed);
	return n;
}

void stats_snap_add_base(struct stats_snap *ss, enum stats_snap_kind k, size_t i, uint64_t n)
{
	if (ss && i < ss->len[k])
		ss->base[ss->off[k] + i] += n;
}
