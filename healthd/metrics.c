/* metrics.c -- steer-healthd's families: targets, checks, subscribers, reloads. */
#include "config.h"
#include "healthd/metrics.h"
#include "common/health.h"
#include "common/prom.h"
#include "healthd/monitor.h"
#include "healthd/server.h"
#include "healthd/target.h"

#include <stddef.h>

#define TARGET_LABELS(v) { "target", (v)->name }, { "check", (v)->check }, { "address", (v)->address }

typedef void (*target_family_fn)(struct evbuffer *out, const char *name, const struct monitor_target_view *v);

static void target_up(struct evbuffer *out, const char *name, const struct monitor_target_view *v)
{
	/* A target not probed yet has no measured state: no sample rather than a
	 * made-up 0 or 1. */
	if (v->st->state != HEALTH_UNKNOWN)
		prom_u64(out, name, PROM_L(TARGET_LABELS(v)), v->st->state == HEALTH_UP);
}

static void target_effective_up(struct evbuffer *out, const char *name, const struct monitor_target_view *v)
{
	/* What steerdns steers by: the override wins, unknown counts as up. */
	prom_u64(out, name, PROM_L(TARGET_LABELS(v)), target_state_effective(v->st) != HEALTH_DOWN);
}

static void target_admin(struct evbuffer *out, const char *name, const struct monitor_target_view *v)
{
	static const enum health_admin all[] = { HEALTH_ADMIN_AUTO, HEALTH_ADMIN_DOWN, HEALTH_ADMIN_UP };

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		prom_u64(out, name, PROM_L(TARGET_LABELS(v), { "admin", health_admin_name(all[i]) }),
			 v->st->admin == all[i]);
}

static void target_since(struct evbuffer *out, const char *name, const struct monitor_target_view *v)
{
	prom_u64(out, name, PROM_L(TARGET_LABELS(v)), (uint64_t)v->st->since);
}

static void target_runs(struct evbuffer *out, const char *name, const struct monitor_target_view *v)
{
	static const char *const results[MONITOR_NRESULTS] = { "ok", "fail", "timeout" };

	for (int r = 0; r < MONITOR_NRESULTS; r++)
		prom_u64(out, name, PROM_L(TARGET_LABELS(v), { "result", results[r] }), v->counters->runs[r]);
}

static void target_duration(struct evbuffer *out, const char *name, const struct monitor_target_view *v)
{
	prom_hist_write(out, name, PROM_L(TARGET_LABELS(v)), &v->counters->duration);
}

/* One row per per-target family: the collector walks the targets once per row. */
static const struct {
	const char *name;
	enum prom_type type;
	const char *help;
	target_family_fn fn;
} target_families[] = {
	{ "steer_healthd_target_up", PROM_GAUGE,
	  "Measured state of a target: 1 up, 0 down (no sample before its first verdict).", target_up },
	{ "steer_healthd_target_effective_up", PROM_GAUGE,
	  "What steering uses: 1 unless the target is down or drained (an override wins; unknown counts as up).",
	  target_effective_up },
	{ "steer_healthd_target_admin", PROM_GAUGE,
	  "The operator's override of a target: 1 for the current one of auto, down (drained), up (forced).",
	  target_admin },
	{ "steer_healthd_target_last_change_timestamp_seconds", PROM_GAUGE,
	  "Unix time of the target's last state or override change.", target_since },
	{ "steer_healthd_checks_total", PROM_COUNTER, "Probe runs by result (ok, fail, timeout).", target_runs },
	{ "steer_healthd_check_duration_seconds", PROM_HISTOGRAM,
	  "How long probe runs took (a timeout counts at its length).", target_duration },
};

void healthd_metrics_collect(struct evbuffer *out, void *arg)
{
	const struct healthd_metrics *hm = arg;
	size_t n = monitor_ntargets(hm->mon);
	struct monitor_target_view v;

	prom_family(out, "steer_healthd_build_info", PROM_GAUGE, "Always 1; the version is a label.");
	prom_u64(out, "steer_healthd_build_info", PROM_L({ "version", STEER_VERSION }), 1);
	prom_family(out, "steer_healthd_targets", PROM_GAUGE, "Targets (check, address pairs) being probed.");
	prom_u64(out, "steer_healthd_targets", PROM_NOLABELS, n);
	for (size_t f = 0; f < sizeof(target_families) / sizeof(target_families[0]); f++) {
		prom_family(out, target_families[f].name, target_families[f].type, target_families[f].help);
		for (size_t i = 0; i < n; i++) {
			monitor_target_view(hm->mon, i, &v);
			target_families[f].fn(out, target_families[f].name, &v);
		}
	}
	prom_family(out, "steer_healthd_subscribers", PROM_GAUGE,
		    "Clients subscribed to state changes (steerdns instances) right now.");
	prom_u64(out, "steer_healthd_subscribers", PROM_NOLABELS, hm->srv ? healthd_server_nsubscribers(hm->srv) : 0);
	prom_family(out, "steer_healthd_reloads_total", PROM_COUNTER, "Config reloads (SIGHUP or a reload request) by result.");
	prom_u64(out, "steer_healthd_reloads_total", PROM_L({ "result", "ok" }), hm->reloads_ok);
	prom_u64(out, "steer_healthd_reloads_total", PROM_L({ "result", "failed" }), hm->reloads_failed);
}
