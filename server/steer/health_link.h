/*
 * health_link.h -- steerdns' subscriptions to steer-healthd (health protocol
 * v1, common/health.h), run in the main thread's event loop.
 *
 * The link follows every source of "healthd"."sources" in the live config
 * (without it, the one "healthd"."socket"): a Unix socket, or TCP+TLS to a
 * healthd that publishes (healthd/publish.h) with the source's CA, client
 * certificate and token. Each source's snapshots and change events are its
 * votes (steer_set.votes); the combined verdict (quorum.h) is written into
 * the live policy set's state table when a vote arrives (one atomic byte
 * per target; the workers read it on the next query, so a change reaches
 * answers within the time it takes to parse one JSON line). Targets
 * missing from a source's snapshot are unknown to it. Targets a reload
 * added are pending (not answered) until a verdict; see steer_policy.h.
 *
 * When a source is away the link keeps its last votes, for silent_after
 * (0: forever, the single-socket default), and reconnects with backoff:
 * 100 ms, doubling to 5 s; reset once a snapshot arrives. A source that is
 * connected but sends nothing (not even healthd's heartbeat) for
 * silent_after is disconnected. A reload copies states and votes into the
 * new snapshot (steer_attach), so the link always writes into the current
 * one; sources whose settings a reload changed reconnect. With no health
 * targets in the config the link stays idle (it looks again after each
 * reload).
 */
#ifndef STEER_HEALTH_LINK_H
#define STEER_HEALTH_LINK_H

#include <jansson.h>
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
	const struct health_link *link; /* borrowed: for health_link_sources_json(); NULL: none */
};
/* hl may be NULL (no link: all zero). */
void health_link_info(const struct health_link *hl, struct health_link_info *out);

/* Each source, for `steerctl status` and `explain` (new reference):
 * [{"name","transport":"unix"|"tls","address","connected","live","since",
 *   "heard_ms_ago"|null}], in the order of the config. hl may be NULL. */
json_t *health_link_sources_json(const struct health_link *hl);

/* steerdns loaded config_path (startup or reload): ask healthd to re-read
 * it too (the health protocol's "reload"), now if subscribed, else as soon
 * as the link is back, so the checks healthd runs are the ones the answers
 * use. The result is logged. */
void health_link_config_loaded(struct health_link *hl, const char *config_path);

#endif
