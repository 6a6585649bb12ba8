/*
 * metrics.h -- steer-healthd's Prometheus collector (steer_healthd_*),
 * served on healthd.metrics_listen by common/prom.c.
 *
 * The collector runs in healthd's one event loop, the same thread that runs
 * the probes, so it reads the monitor's state and counters directly. The
 * families are listed in steer-healthd(8), METRICS.
 */
#ifndef STEER_HEALTHD_METRICS_H
#define STEER_HEALTHD_METRICS_H

#include <stdint.h>

struct evbuffer;
struct healthd_server;
struct monitor;

/* What the collector reads; owned by main.c, lives as long as the daemon. */
struct healthd_metrics {
	const struct monitor *mon;         /* borrowed */
	const struct healthd_server *srv;  /* borrowed; NULL before the socket is up */
	uint64_t reloads_ok, reloads_failed; /* reloads (SIGHUP, "reload" requests), counted by main.c */
};

/* A prom_collect_cb: arg is a struct healthd_metrics. */
void healthd_metrics_collect(struct evbuffer *out, void *arg);

#endif
