/*
 * metrics.h -- steerdns' Prometheus metrics (steerdns_*) and the fall-open
 * log, both run in the main thread.
 *
 *   query path (UDP/TCP threads)   stats_count(): the per-thread block
 *                                  (server/net/stats.h) and the snapshot's
 *                                  zone/record table (stats_snap.h); relaxed
 *                                  stores, no lock, no allocation
 *   install (server.c, reload)     metrics_attach() gives the new snapshot
 *                                  its table; metrics_retire() carries the
 *                                  old snapshot's totals into it by name
 *   main loop                      a 1 s timer logs fall-open answers
 *                                  (rate-limited per record); GET /metrics
 *                                  on metrics.listen (common/prom.h) sums
 *                                  everything with relaxed loads
 *
 * Every family is listed in steerdns(8), METRICS. Layering: this sits above
 * server/net and reaches the process only through struct metrics_ops.
 */
#ifndef STEER_METRICS_H
#define STEER_METRICS_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct conf_strlist;
struct event_base;
struct health_link;
struct metrics;
struct snapshot;
struct stats;
struct sigcache;
struct xdp_listener;

/* What the collector reads from the process; called in the main thread. */
struct metrics_ops {
	struct snapshot *(*snapshot)(void *arg); /* the live snapshot, or NULL */
	struct stats *(*stats)(void *arg);       /* NULL before the threads exist */
	const struct health_link *(*health_link)(void *arg); /* NULL before it exists */
	size_t (*tcp_connections)(void *arg);
	time_t (*started_at)(void *arg);
	const struct sigcache *(*sigcache)(void *arg); /* NULL: no signature cache */
	const struct xdp_listener *(*xdp)(void *arg);  /* NULL: no AF_XDP listener */
};

/* The state only (no I/O yet), so that the first install can attach to it.
 * ops (static storage) and arg are borrowed. NULL on ENOMEM. */
struct metrics *metrics_new(const struct metrics_ops *ops, void *arg);
/* Start the fall-open timer on base and, when listen has addresses, the
 * /metrics listener (a copy of listen is kept: it is fixed until restart).
 * Returns STEER_EOK, or a negative code with a reason in err. */
int metrics_start(struct metrics *m, struct event_base *base, const struct conf_strlist *listen, char *err,
		  size_t errlen);
/* Stop the listener and the timer. NULL is ignored. */
void metrics_free(struct metrics *m);

/* Give s (not yet published) its zone/record counter table, one row per
 * answering thread. Returns STEER_EOK or STEER_ENOMEM. */
int metrics_attach(struct snapshot *s, size_t nrows);
/* After snap_swap(): carry old's counts (no reader holds it any more) into
 * cur by zone, record and pool name, and keep the fall-open log's state.
 * old may be NULL (the first install). */
void metrics_retire(struct metrics *m, const struct snapshot *old, struct snapshot *cur);

/* A reload finished (ok) or was rejected. */
void metrics_count_reload(struct metrics *m, int ok);
/* A reload's metrics.listen: warn when it differs from the running one. */
void metrics_check_listen(const struct metrics *m, const struct conf_strlist *listen);

#endif
