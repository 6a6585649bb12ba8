/*
 * health_link.h -- steerdns' subscription to steer-healthd (health protocol
 * v1, common/health.h), run in the main thread's event loop.
 *
 * The link connects to the socket named by "healthd"."socket" in the live
 * config, sends subscribe, and writes every snapshot and change event into
 * the live policy set's state table (one atomic byte per target; the
 * workers read it on the next query, so a change reaches answers within
 * the time it takes to parse one JSON line). Targets missing from a
 * snapshot become unknown (which counts as up). Targets a reload added are
 * pending (not answered) until healthd's first verdict; see steer_policy.h.
 *
 * When healthd is away the link keeps the last-known state and reconnects
 * with backoff: 100 ms, doubling to 5 s; reset once a snapshot arrives.
 * A reload copies the state into the new snapshot (steer_attach), so the
 * link always writes into the current one. With no health targets in the
 * config the link stays idle (it looks again after each reload).
 */
#ifndef STEER_HEALTH_LINK_H
#define STEER_HEALTH_LINK_H

#include <time.h>

struct event_base;
struct health_link;
struct snap_domain;

/* Start the link on base (the first connect is tried at once). snaps is
 * the server's snapshot domain; the link runs in base's thread, which must
 * be the only thread that publishes snapshots. Returns STEER_EOK or
 * STEER_ENOMEM. */
int health_link_new(struct health_link **out, struct event_base *base, struct snap_domain *snaps);
void health_link_free(struct health_link *hl);

/* 1 while subscribed (for stats and tests). */
int health_link_connected(const struct health_link *hl);

/* The link's state, for `steerctl explain` (is the health data live?). */
struct health_link_info {
	int connected;      /* subscribed: changes arrive as they happen */
	time_t since;       /* when it was last subscribed or lost (or the link started) */
	time_t last_update; /* when the state table was last written; 0: never */
};
/* hl may be NULL (no link: all zero). */
void health_link_info(const struct health_link *hl, struct health_link_info *out);

/* steerdns loaded config_path (startup or reload): ask healthd to re-read
 * it too (the health protocol's "reload"), now if subscribed, else as soon
 * as the link is back, so the checks healthd runs are the ones the answers
 * use. The result is logged. */
void health_link_config_loaded(struct health_link *hl, const char *config_path);

#endif
