/* metrics.c -- counter tables per snapshot, their carry over reloads, the fall-open log, /metrics. */
#include "config.h"
#include "server/metrics/metrics.h"
#include "server/metrics/collect.h"
#include "server/net/stats_snap.h"
#include "server/steer/steer_build.h"
#include "server/steer/steer_policy.h"
#include "server/zone/snapshot.h"
#include "server/zone/zonedb.h"
#include "common/conf.h"
#include "common/errors.h"
#include "common/log.h"
#include "common/pools.h"
#include "common/prom.h"

#include <event2/event.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The fall-open log: at most one line per record per FALLOPEN_LOG_SEC. The
 * query path only counts (STATS_REC_FELL_OPEN); the main thread looks at the
 * counts every FALLOPEN_TICK_MS and writes the lines, so logging never
 * touches an answering thread. */
#define FALLOPEN_LOG_SEC 10
#define FALLOPEN_TICK_MS 1000

/* Per record of the live snapshot (same index), main thread only. */
struct fallopen_log {
	uint64_t reported; /* the record's fall-open total when its last line was written */
	time_t last;       /* when that was (0: never) */
};

struct metrics {
	struct metrics_view view;
	struct event *tick;           /* owned: the fall-open timer */
	struct prom_server *prom;     /* owned; NULL without metrics.listen */
	struct conf_strlist listen;   /* owned copy: the running addresses */
	struct fallopen_log *log;     /* owned: nlog entries, parallel to the live set's records */
	size_t nlog;
};

/* ---- names to indexes, for carrying counts over a reload ---- */

struct name_ix {
	const char *name;
	size_t i;
};

static int name_ix_cmp(const void *a, const void *b)
{
	return strcasecmp(((const struct name_ix *)a)->name, ((const struct name_ix *)b)->name);
}

/* Sorted (name, index) pairs; NULL when n is 0 or on ENOMEM (then nothing
 * is carried: the counts restart, nothing is mixed up). */
static struct name_ix *name_ix_new(size_t n, const char *(*name_of)(const void *, size_t), const void *src)
{
	struct name_ix *ix = n ? malloc(n * sizeof(*ix)) : NULL;

	for (size_t i = 0; ix && i < n; i++)
		ix[i] = (struct name_ix){ name_of(src, i), i };
	if (ix)
		qsort(ix, n, sizeof(*ix), name_ix_cmp);
	return ix;
}

/* The index named name, or (size_t)-1. */
static size_t name_ix_find(const struct name_ix *ix, size_t n, const char *name)
{
	struct name_ix key = { name, 0 };
	const struct name_ix *hit = ix ? bsearch(&key, ix, n, sizeof(*ix), name_ix_cmp) : NULL;
	return hit ? hit->i : (size_t)-1;
}

static const char *zone_name_of(const void *db, size_t i)
{
	struct zone_info zi;
	zonedb_info(db, i, &zi);
	return zi.name;
}

static const char *record_name_of(const void *set, size_t i)
{
	return ((const struct steer_set *)set)->records[i].name;
}

/* ---- attach and carry ---- */

int metrics_attach(struct snapshot *s, size_t nrows)
{
	const struct steer_set *set = steer_set_of(s);
	struct stats_snap *ss = stats_snap_new(nrows, zonedb_count(s->zones), set ? set->nrecords : 0,
					       set ? set->npools : 0);

	if (!ss)
		return STEER_ENOMEM;
	s->counters = ss;
	s->free_counters = stats_snap_free;
	return STEER_EOK;
}

static void carry_zones(const struct snapshot *old, struct snapshot *cur)
{
	size_t nold = zonedb_count(old->zones), ncur = zonedb_count(cur->zones);
	struct name_ix *ix = name_ix_new(ncur, zone_name_of, cur->zones);

	for (size_t i = 0; ix && i < nold; i++) {
		size_t j = name_ix_find(ix, ncur, zone_name_of(old->zones, i));
		if (j != (size_t)-1)
			stats_snap_add_base(cur->counters, STATS_ZONE_QUERIES, j,
					    stats_snap_get(old->counters, STATS_ZONE_QUERIES, i));
	}
	free(ix);
}

/* Record i of old is record j of cur: its answers by pool name, fall-open
 * and degraded counts. When either table counts per record only (a huge
 * config, stats_snap.h) per-pool counts cannot be split or merged by name,
 * so they restart. */
static void carry_record(const struct steer_set *os, const struct snapshot *old, size_t i,
			 const struct steer_set *cs, struct snapshot *cur, size_t j)
{
	size_t ocols = stats_snap_pool_cols(old->counters), ccols = stats_snap_pool_cols(cur->counters);

	if (ocols == os->npools && ccols == cs->npools) {
		for (size_t c = 0; c < ocols; c++) {
			size_t to = pools_find_pool(&cs->pc, os->pools[c].name);
			if (to != POOLS_NO_TARGET)
				stats_snap_add_base(cur->counters, STATS_REC_ANSWERS, j * ccols + to,
						    stats_snap_get(old->counters, STATS_REC_ANSWERS, i * ocols + c));
		}
	} else if (ocols == 1 && ccols == 1) {
		stats_snap_add_base(cur->counters, STATS_REC_ANSWERS, j,
				    stats_snap_get(old->counters, STATS_REC_ANSWERS, i));
	}
	stats_snap_add_base(cur->counters, STATS_REC_FELL_OPEN, j,
			    stats_snap_get(old->counters, STATS_REC_FELL_OPEN, i));
	stats_snap_add_base(cur->counters, STATS_REC_DEGRADED, j,
			    stats_snap_get(old->counters, STATS_REC_DEGRADED, i));
}

/* Carry record counters and rebuild the fall-open log for cur's records
 * (old NULL: a fresh log). */
static void carry_records(struct metrics *m, const struct snapshot *old, struct snapshot *cur)
{
	const struct steer_set *os = old ? steer_set_of(old) : NULL, *cs = steer_set_of(cur);
	size_t ncur = cs ? cs->nrecords : 0, nold = os ? os->nrecords : 0;
	struct fallopen_log *log = calloc(ncur + 1, sizeof(*log));
	struct name_ix *ix = name_ix_new(nold, record_name_of, os);

	for (size_t j = 0; j < ncur && ix; j++) {
		size_t i = name_ix_find(ix, nold, cs->records[j].name);
		if (i == (size_t)-1)
			continue;
		if (old->counters && cur->counters)
			carry_record(os, old, i, cs, cur, j);
		if (log && i < m->nlog)
			log[j] = m->log[i];
	}
	free(ix);
	free(m->log);
	m->log = log;
	m->nlog = log ? ncur : 0;
}

void metrics_retire(struct metrics *m, const struct snapshot *old, struct snapshot *cur)
{
	if (old && old->counters && cur->counters)
		carry_zones(old, cur);
	carry_records(m, old, cur);
}

/* ---- the fall-open log ---- */

static void fallopen_tick(evutil_socket_t fd, short what, void *arg)
{
	struct metrics *m = arg;
	const struct snapshot *s = m->view.ops->snapshot(m->view.arg);
	const struct steer_set *set = steer_set_of(s);
	time_t now = time(NULL);

	for (size_t r = 0; set && s->counters && r < set->nrecords && r < m->nlog; r++) {
		struct fallopen_log *l = &m->log[r];
		uint64_t total = stats_snap_get(s->counters, STATS_REC_FELL_OPEN, r), n;
		if (total < l->reported) /* the counts restarted (nothing carried): follow them */
			l->reported = 0;
		n = total - l->reported;
		if (n == 0 || (l->last && now - l->last < FALLOPEN_LOG_SEC))
			continue;
		log_warn("fall open: %s (%s): every member down, answered as if all were up; %llu answer%s since "
			 "the last report, %llu line%s suppressed",
			 set->records[r].name, set->records[r].policy->name, (unsigned long long)n, n == 1 ? "" : "s",
			 (unsigned long long)(n - 1), n == 2 ? "" : "s");
		l->reported = total;
		l->last = now;
	}
}

/* ---- lifecycle ---- */

struct metrics *metrics_new(const struct metrics_ops *ops, void *arg)
{
	struct metrics *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->view.ops = ops;
	m->view.arg = arg;
	return m;
}

static void collect_cb(struct evbuffer *out, void *arg)
{
	const struct metrics *m = arg;
	metrics_collect(out, &m->view);
}

static int copy_strlist(struct conf_strlist *to, const struct conf_strlist *from)
{
	to->v = calloc(from->n + 1, sizeof(*to->v));
	for (size_t i = 0; to->v && i < from->n; i++)
		if (!(to->v[to->n++] = strdup(from->v[i])))
			return STEER_ENOMEM;
	return to->v ? STEER_EOK : STEER_ENOMEM;
}

int metrics_start(struct metrics *m, struct event_base *base, const struct conf_strlist *listen, char *err,
		  size_t errlen)
{
	struct timeval tv = { FALLOPEN_TICK_MS / 1000, (FALLOPEN_TICK_MS % 1000) * 1000 };

	if (copy_strlist(&m->listen, listen) != STEER_EOK || !(m->tick = event_new(base, -1, EV_PERSIST, fallopen_tick, m))) {
		snprintf(err, errlen, "metrics: out of memory");
		return STEER_ENOMEM;
	}
	event_add(m->tick, &tv);
	if (listen->n == 0)
		return STEER_EOK;
	m->prom = prom_server_new(base, listen, collect_cb, m, err, errlen);
	if (!m->prom)
		return STEER_EINVAL;
	for (size_t i = 0; i < listen->n; i++)
		log_info("metrics: serving /metrics on %s", listen->v[i]);
	return STEER_EOK;
}

void metrics_free(struct metrics *m)
{
	if (!m)
		return;
	prom_server_free(m->prom);
	if (m->tick)
		event_free(m->tick);
	conf_strlist_clear(&m->listen);
	free(m->log);
	free(m);
}

void metrics_count_reload(struct metrics *m, int ok)
{
	if (ok)
		m->view.reloads_ok++;
	else
		m->view.reloads_failed++;
}

void metrics_check_listen(const struct metrics *m, const struct conf_strlist *listen)
{
	int same = listen->n == m->listen.n;

	for (size_t i = 0; same && i < listen->n; i++)
		same = strcmp(listen->v[i], m->listen.v[i]) == 0;
	if (!same)
		log_warn("reload: metrics.listen changed; still serving metrics on the old addresses until a restart");
}
