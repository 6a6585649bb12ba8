/*
 * monitor.h -- every target's schedule, probes and state: the core of
 * steer-healthd.
 *
 * Each target has one timer. While idle it waits for the next run (the first
 * run is spread over one interval, the start jitter, so a thousand checks do
 * not fire together); while a probe runs it is the probe's timeout. The next
 * run starts one interval after the previous one started, or right after it
 * ended when the probe took longer than that; the interval is the check's
 * fastinter while the target is changing state and its downinter while it
 * is down (monitor_next_interval()).
 *
 * The monitor owns the pools_conf it runs (targets point into it), the TLS
 * contexts of the https checks, and the admin overrides, which it saves to
 * the state file on every change. Who wants to hear about changes (the
 * socket server) registers hooks.
 */
#ifndef STEER_HEALTHD_MONITOR_H
#define STEER_HEALTHD_MONITOR_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include "common/health.h"
#include "common/prom.h"

struct errlist;
struct monitor;
struct pools_conf;
struct probe_env;
struct target_state;

struct monitor_hooks {
	/* A target's state/admin/effective changed; target is borrowed. */
	void (*change)(json_t *target, void *arg);
	/* After a reload: the target list changed (targets is NULL: read it with
	 * monitor_snapshot_range, in parts). */
	void (*resnapshot)(json_t *targets, void *arg);
	void *arg;
};

/* How a probe run ended. */
enum monitor_result { MONITOR_OK, MONITOR_FAIL, MONITOR_TIMEOUT, MONITOR_NRESULTS };

/* Per-target counters for the metrics; only the monitor writes them (one
 * thread: healthd has a single event loop). They follow the target's name
 * across reloads, like its state. */
struct monitor_counters {
	uint64_t runs[MONITOR_NRESULTS];
	struct prom_hist duration; /* seconds, every run (a timeout counts at its length) */
};

/* One target as the metrics see it; everything borrowed from the monitor and
 * valid until the next reload. */
struct monitor_target_view {
	const char *name, *check, *address;
	const struct target_state *st;
	const struct monitor_counters *counters;
};

struct monitor *monitor_new(struct probe_env *env);
void monitor_free(struct monitor *m);
void monitor_set_hooks(struct monitor *m, const struct monitor_hooks *h);

/* Start running pc (moved into the monitor: *pc is left empty). Targets whose
 * name already exists keep their state, counters and override; the first
 * apply restores overrides from pc's state file. On error (an https check
 * whose CA file cannot be loaded) nothing changes, errs says why, and pc is
 * left to the caller. Returns 0 or a negative code. */
int monitor_apply(struct monitor *m, struct pools_conf *pc, struct errlist *errs);

/* Array of TARGET objects (new reference). */
json_t *monitor_snapshot(const struct monitor *m);
/* Targets [from, from + n) (clipped to the targets there are), for a
 * snapshot sent in parts. */
json_t *monitor_snapshot_range(const struct monitor *m, size_t from, size_t n);

/* Set the override of the target named sel, or of every target whose address
 * is sel. On success *changed is an array of the selected targets (new
 * reference) and the state file has been saved. Returns STEER_ENOENT (no
 * such target) or the save error, in which case nothing changed; err gets a
 * message for the client either way. */
int monitor_set_admin(struct monitor *m, const char *sel, enum health_admin admin, json_t **changed,
		      char *err, size_t errlen);

size_t monitor_ntargets(const struct monitor *m);

/* How long after a run starts the next one does, given the state the run
 * left (interval, fastinter or downinter of c; see monitor.c). */
struct check_conf;
uint32_t monitor_next_interval(const struct check_conf *c, const struct target_state *st);
/* Target i (0 <= i < monitor_ntargets()). */
void monitor_target_view(const struct monitor *m, size_t i, struct monitor_target_view *out);

#endif
