/* health_link.c -- follow steer-healthd's state (see health_link.h). */
#include "config.h"
#include "server/steer/health_link.h"
#include "server/zone/snapshot.h"
#include "server/steer/steer_build.h"
#include "server/steer/steer_policy.h"
#include "common/errors.h"
#include "common/health.h"
#include "common/jsonl.h"
#include "common/log.h"

#include <event2/event.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BACKOFF_MIN_MS 100
#define BACKOFF_MAX_MS 5000
#define IDLE_RECHECK_MS 1000
#define PENDING_TICK_MS 250

struct health_link {
	struct event_base *base;   /* borrowed: the main loop */
	struct snap_domain *snaps; /* borrowed */
	struct event *timer;       /* owned: (re)connect */
	struct jsonl_peer *peer;   /* owned while connected (the jsonl layer frees it on close) */
	unsigned backoff_ms;
	int subscribed;            /* a snapshot arrived on this connection */
	int warned;                /* "cannot connect" was logged in this outage */
	time_t since;              /* when subscribed last changed (start: the link's creation) */
	time_t last_update;        /* when a message last updated the state table; 0: never */
	struct event *tick;        /* owned: expires pending targets */
	char *reload_config;       /* owned: config steerdns loaded that healthd has not
				      reloaded yet (NULL: in step) */
	int reload_sent;           /* reload_config went out on this connection */
};

static void schedule(struct health_link *hl, unsigned ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };
	evtimer_add(hl->timer, &tv);
}

static void retry_later(struct health_link *hl)
{
	schedule(hl, hl->backoff_ms);
	hl->backoff_ms = hl->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : hl->backoff_ms * 2;
}

static uint8_t state_byte(const struct health_status *s)
{
	uint8_t b = s->effective == HEALTH_UP ? STEER_ST_UP : s->effective == HEALTH_DOWN ? STEER_ST_DOWN : STEER_ST_UNKNOWN;
	if (s->admin == HEALTH_ADMIN_DOWN)
		b |= STEER_ST_DRAINED;
	else if (s->admin == HEALTH_ADMIN_UP)
		b |= STEER_ST_FORCED;
	return b;
}

static const char *byte_name(uint8_t b)
{
	static const char *const names[] = { "unknown", "up", "down", "pending" };
	if (b & STEER_ST_DRAINED)
		return "drained";
	return names[b & STEER_ST_MASK];
}

static void set_state(struct steer_set *set, size_t i, uint8_t b)
{
	uint8_t old = atomic_load_explicit(&set->state[i], memory_order_relaxed);

	/* A pending target (new in this reload) waits for a verdict: healthd
	 * reporting it as unknown (not checked yet) does not make it answerable. */
	if ((old & STEER_ST_MASK) == STEER_ST_PENDING && (b & STEER_ST_MASK) == STEER_ST_UNKNOWN)
		b = (uint8_t)(b | STEER_ST_PENDING);
	if (old == b)
		return;
	atomic_store_explicit(&set->state[i], b, memory_order_relaxed);
	log_info("health: %s %s -> %s", set->pc.targets[i].name, byte_name(old), byte_name(b));
}

/* Apply one TARGET object; returns the target index or POOLS_NO_TARGET. */
static size_t apply_target(struct steer_set *set, json_t *obj)
{
	struct health_status s;
	size_t i = POOLS_NO_TARGET;

	if (health_status_decode(obj, &s) == STEER_EOK && s.name)
		i = pools_find_target(&set->pc, s.name);
	if (i != POOLS_NO_TARGET)
		set_state(set, i, state_byte(&s));
	health_status_clear(&s);
	return i;
}

static void send_reload(struct health_link *hl);

static void apply_snapshot(struct health_link *hl, struct steer_set *set, json_t *targets)
{
	uint8_t *seen = calloc(set->pc.ntargets + 1, 1);
	size_t idx, nup = 0, ndown = 0;
	json_t *t;

	json_array_foreach(targets, idx, t) {
		size_t i = apply_target(set, t);
		if (i != POOLS_NO_TARGET && seen)
			seen[i] = 1;
	}
	for (size_t i = 0; seen && i < set->pc.ntargets; i++) {
		uint8_t b = atomic_load_explicit(&set->state[i], memory_order_relaxed);
		if (!seen[i])
			set_state(set, i, STEER_ST_UNKNOWN); /* healthd does not check it (or has not reloaded yet) */
		else if ((b & STEER_ST_MASK) == STEER_ST_DOWN)
			ndown++;
		else if ((b & STEER_ST_MASK) == STEER_ST_UP)
			nup++;
	}
	free(seen);
	if (!hl->subscribed) {
		hl->since = time(NULL);
		log_notice("healthd: subscribed; %zu targets: %zu up, %zu down, %zu unknown", set->pc.ntargets, nup,
			   ndown, set->pc.ntargets - nup - ndown);
	}
	hl->subscribed = 1;
	hl->backoff_ms = BACKOFF_MIN_MS;
	send_reload(hl);
}

static void reload_done(struct health_link *hl)
{
	free(hl->reload_config);
	hl->reload_config = NULL;
	hl->reload_sent = 0;
}

/* Ask healthd to re-read the config steerdns just loaded (once per
 * connection; a new connection asks again until one succeeds). */
static void send_reload(struct health_link *hl)
{
	json_t *req;

	if (!hl->reload_config || !hl->peer || !hl->subscribed || hl->reload_sent)
		return;
	req = health_req_reload(hl->reload_config);
	if (req && jsonl_peer_send(hl->peer, req) == STEER_EOK)
		hl->reload_sent = 1;
	json_decref(req);
}

/* Pending targets become unknown (answered), saying why once. */
static void unpend_all(struct steer_set *set, const char *why)
{
	size_t n = 0;

	for (size_t i = 0; set && i < set->pc.ntargets; i++) {
		uint8_t b = atomic_load_explicit(&set->state[i], memory_order_relaxed);
		if ((b & STEER_ST_MASK) != STEER_ST_PENDING)
			continue;
		if (n++ < 5)
			log_warn("health: %s has no verdict and %s: answering it (unknown counts as up)",
				 set->pc.targets[i].name, why);
		atomic_store_explicit(&set->state[i], (uint8_t)(b & ~STEER_ST_MASK), memory_order_relaxed);
	}
	if (n > 5)
		log_warn("health: %zu more targets without a verdict answered", n - 5);
}

static void on_tick(evutil_socket_t fd_unused, short what, void *arg)
{
	struct health_link *hl = arg;
	struct steer_set *set = steer_set_of(snap_current(hl->snaps));
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (set && set->pending_until_ms &&
	    (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000 > set->pending_until_ms) {
		set->pending_until_ms = 0;
		unpend_all(set, "its check interval + timeout has passed");
	}
}

static void on_msg(struct jsonl_peer *peer, json_t *msg, void *arg)
{
	struct health_link *hl = arg;
	struct steer_set *set = steer_set_of(snap_current(hl->snaps));
	json_t *targets = json_object_get(msg, "targets");
	const char *event = json_string_value(json_object_get(msg, "event"));

	if (!msg) {
		log_warn("healthd: connection lost; keeping the last-known health state, reconnecting");
		hl->peer = NULL;
		if (hl->subscribed)
			hl->since = time(NULL);
		hl->subscribed = 0;
		hl->warned = 0;
		hl->reload_sent = 0;
		/* Without healthd nobody will judge them: the fall-open rule
		 * (unknown counts as up) applies again. */
		unpend_all(set, "healthd is unreachable");
		retry_later(hl);
		return;
	}
	if (json_is_false(json_object_get(msg, "ok"))) {
		json_t *errs = json_object_get(msg, "errors"), *e;
		size_t k;
		log_warn("healthd: %s", json_string_value(json_object_get(msg, "error")) ?: "request failed");
		json_array_foreach(errs, k, e)
			if (k > 0)
				log_warn("healthd: %s", json_string_value(e) ?: "?");
		if (hl->reload_sent) /* our reload was refused: do not resend it on this connection */
			reload_done(hl);
		return;
	}
	if (!set)
		return;
	if (json_is_integer(targets) && hl->reload_sent) {
		log_notice("healthd: reloaded %s, %lld targets", hl->reload_config,
			   (long long)json_integer_value(targets));
		reload_done(hl);
	} else if (json_is_array(targets))
		apply_snapshot(hl, set, targets);
	else if (event && strcmp(event, "change") == 0)
		apply_target(set, json_object_get(msg, "target"));
	else
		return;
	hl->last_update = time(NULL);
}

static void try_connect(evutil_socket_t fd_unused, short what, void *arg)
{
	struct health_link *hl = arg;
	struct steer_set *set = steer_set_of(snap_current(hl->snaps));
	json_t *req;
	int fd;

	if (hl->peer)
		return;
	if (!set || set->pc.ntargets == 0) {
		schedule(hl, IDLE_RECHECK_MS); /* nothing to follow; a reload may add targets */
		return;
	}
	fd = jsonl_connect(set->pc.socket);
	if (fd < 0) {
		if (!hl->warned)
			log_warn("healthd: cannot connect to %s: %s; unknown/last-known health is used, retrying",
				 set->pc.socket, steer_strerror(fd));
		hl->warned = 1;
		retry_later(hl);
		return;
	}
	hl->peer = jsonl_peer_new(hl->base, fd, 0, on_msg, hl);
	req = health_req_subscribe();
	if (!hl->peer || !req || jsonl_peer_send(hl->peer, req) != STEER_EOK) {
		if (hl->peer)
			jsonl_peer_free(hl->peer);
		hl->peer = NULL;
		retry_later(hl);
	} else {
		log_info("healthd: connected to %s", set->pc.socket);
	}
	json_decref(req);
}

int health_link_new(struct health_link **out, struct event_base *base, struct snap_domain *snaps)
{
	struct health_link *hl = calloc(1, sizeof(*hl));

	*out = NULL;
	if (!hl)
		return STEER_ENOMEM;
	hl->base = base;
	hl->snaps = snaps;
	hl->backoff_ms = BACKOFF_MIN_MS;
	hl->since = time(NULL);
	hl->timer = evtimer_new(base, try_connect, hl);
	hl->tick = event_new(base, -1, EV_PERSIST, on_tick, hl);
	if (!hl->timer || !hl->tick) {
		if (hl->timer)
			event_free(hl->timer);
		if (hl->tick)
			event_free(hl->tick);
		free(hl);
		return STEER_ENOMEM;
	}
	struct timeval tick = { 0, PENDING_TICK_MS * 1000 };
	event_add(hl->tick, &tick);
	schedule(hl, 0);
	*out = hl;
	return STEER_EOK;
}

void health_link_free(struct health_link *hl)
{
	if (!hl)
		return;
	if (hl->peer)
		jsonl_peer_free(hl->peer);
	event_free(hl->timer);
	event_free(hl->tick);
	free(hl->reload_config);
	free(hl);
}

int health_link_connected(const struct health_link *hl)
{
	return hl && hl->subscribed;
}

void health_link_info(const struct health_link *hl, struct health_link_info *out)
{
	memset(out, 0, sizeof(*out));
	if (!hl)
		return;
	out->connected = hl->subscribed;
	out->since = hl->since;
	out->last_update = hl->last_update;
}

void health_link_config_loaded(struct health_link *hl, const char *config_path)
{
	char *copy;

	/* healthd may run in another directory: send an absolute path. */
	if (!hl || (!(copy = realpath(config_path, NULL)) && !(copy = strdup(config_path))))
		return;
	free(hl->reload_config);
	hl->reload_config = copy;
	hl->reload_sent = 0;
	send_reload(hl);
}
