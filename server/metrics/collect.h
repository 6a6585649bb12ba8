/*
 * collect.h -- write every steerdns_* family of one scrape (metrics.c runs
 * the listener and hands over what the families read).
 */
#ifndef STEER_METRICS_COLLECT_H
#define STEER_METRICS_COLLECT_H

#include <stdint.h>

struct evbuffer;
struct metrics_ops;

/* What a scrape reads besides the live snapshot and the stats blocks. */
struct metrics_view {
	const struct metrics_ops *ops; /* borrowed */
	void *arg;                     /* the ops' */
	uint64_t reloads_ok, reloads_failed;
};

/* Append the whole exposition to out. Main thread. */
void metrics_collect(struct evbuffer *out, const struct metrics_view *v);

#endif
