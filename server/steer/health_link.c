/* health_link.c -- follow one or more steer-healthd instances (see health_link.h). */
#include "config.h"
#include "server/steer/health_link.h"
#include "server/zone/snapshot.h"
#include "server/steer/quorum.h"
#include "server/steer/steer_build.h"
#include "server/steer/steer_policy.h"
#include "common/errors.h"
#include "common/health.h"
#include "common/health_conf.h"
#include "common/jsonl.h"
#include "common/log.h"

#include <arpa/inet.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BACKOFF_MIN_MS 100
#define BACKOFF_MAX_MS 5000
#define IDLE_RECHECK_MS 1000
#define TICK_MS 100

struct health_link;

/* One health daemon we follow. Its votes live in the snapshot's policy set
 * (steer_set.votes, row idx); this is its connection. */
struct hsource {
	struct health_link *hl;           /* borrowed: the owner */
	struct health_source_conf conf;   /* owned copy (the set it came from may go) */
	size_t idx;                       /* row in the current set's sources */
	SSL_CTX *tls;                     /* owned: "connect" sources */
	struct event *timer;              /* owned: (re)connect */
	struct jsonl_peer *peer;          /* owned while connected (the jsonl layer frees it on close) */
	unsigned backoff_ms;
	int subscribed;                   /* a snapshot arrived on this connection */
	int warned;                       /* "cannot connect" was logged in this outage */
	time_t since;                     /* when subscribed last changed */
	int64_t heard_ms;                 /* CLOCK_MONOTONIC ms of its last message; 0: never */
	char *reload_config;              /* owned: Unix sources: config steerdns loaded that healthd
					     has not reloaded yet (NULL: in step) */
	int reload_sent;                  /* reload_config went out on this connection */
	uint8_t *seen;                    /* owned while a snapshot comes in parts: targets it named */
	const struct steer_set *seen_set; /* the set seen[] indexes (compared, never read) */
};

struct health_link {
	struct event_base *base;   /* borrowed: the main loop */
	struct snap_domain *snaps; /* borrowed */
	struct hsource **src;      /* owned */
	size_t nsrc;
	const struct steer_set *synced; /* the set src was last matched to (compared, never read) */
	struct event *tick;        /* owned: silence, pending deadlines, set changes */
	time_t since;              /* when "any source subscribed" last changed */
	time_t last_update;        /* when a message last updated the state table; 0: never */
	int any_subscribed;
	char *reload_config;       /* owned: the last config steerdns loaded (for new sources) */
};

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static struct steer_set *current_set(const struct health_link *hl)
{
	return steer_set_of(snap_current(hl->snaps));
}

static void schedule(struct hsource *s, unsigned ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };
	evtimer_add(s->timer, &tv);
}

static void retry_later(struct hsource *s)
{
	schedule(s, s->backoff_ms);
	s->backoff_ms = s->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : s->backoff_ms * 2;
}

/* --- votes and the combined state ------------------------------------------ */

/* A source's report as a vote: the measured state plus the override flags. */
static uint8_t vote_byte(const struct health_status *s)
{
	uint8_t b = s->state == HEALTH_UP ? STEER_ST_UP : s->state == HEALTH_DOWN ? STEER_ST_DOWN : STEER_ST_UNKNOWN;
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
	/* Back up after down, a drain or pending: slow start ramps its weight
	 * from now (weighted policies, pools with "slowstart"). Both stores
	 * are relaxed: a worker may see "up" one query before the ramp, which
	 * costs at most one full-weight draw. */
	if ((b & STEER_ST_MASK) == STEER_ST_UP && (old & STEER_ST_MASK) >= STEER_ST_DOWN)
		atomic_store_explicit(&set->up_since_ms[i], steer_now_ms(), memory_order_relaxed);
	else if ((b & STEER_ST_MASK) != STEER_ST_UP)
		atomic_store_explicit(&set->up_since_ms[i], 0, memory_order_relaxed);
	atomic_store_explicit(&set->state[i], b, memory_order_relaxed);
	if (set->pc.sources.n > 1) {
		struct steer_quorum q;
		steer_quorum_combine(set, i, &q);
		log_info("health: %s %s -> %s (%u of %u live sources say down, %u needed)", set->pc.targets[i].name,
			 byte_name(old), byte_name(b), q.down, q.live, q.needed);
	} else {
		log_info("health: %s %s -> %s", set->pc.targets[i].name, byte_name(old), byte_name(b));
	}
}

static void recompute(struct steer_set *set, size_t t)
{
	set_state(set, t, steer_quorum_combine(set, t, NULL));
}

static void recompute_all(struct steer_set *set)
{
	for (size_t t = 0; t < set->pc.ntargets; t++)
		recompute(set, t);
}

/* Which sources vote: heard from within silent_after (0: ever heard). */
static uint32_t live_mask(const struct health_link *hl, const struct steer_set *set, int64_t now)
{
	uint32_t silent = set->pc.sources.silent_after_ms, mask = 0;

	for (size_t i = 0; i < hl->nsrc; i++) {
		const struct hsource *s = hl->src[i];
		if (s->idx < set->pc.sources.n && s->heard_ms && (!silent || now - s->heard_ms <= silent))
			mask |= 1u << s->idx;
	}
	return mask;
}

/* The live set changed: every verdict may have. Returns 1 when it did. */
static int refresh_live(struct health_link *hl, struct steer_set *set)
{
	uint32_t mask = live_mask(hl, set, now_ms());

	if (mask == set->live)
		return 0;
	set->live = mask;
	recompute_all(set);
	return 1;
}

/* Record one TARGET object as source s's vote; returns the target or POOLS_NO_TARGET. */
static size_t apply_vote(struct hsource *s, struct steer_set *set, json_t *obj)
{
	struct health_status st;
	size_t i = POOLS_NO_TARGET;

	if (health_status_decode(obj, &st) == STEER_EOK && st.name)
		i = pools_find_target(&set->pc, st.name);
	if (i != POOLS_NO_TARGET)
		set->votes[s->idx * set->pc.ntargets + i] = vote_byte(&st);
	health_status_clear(&st);
	return i;
}

/* --- one source ------------------------------------------------------------ */

static void send_reload(struct hsource *s);

/* One part of a snapshot (the whole of it when it is not in parts). */
static void snapshot_part(struct hsource *s, struct steer_set *set, json_t *targets)
{
	size_t idx, i;
	json_t *t;

	json_array_foreach(targets, idx, t)
		if ((i = apply_vote(s, set, t)) != POOLS_NO_TARGET && s->seen && s->seen_set == set)
			s->seen[i] = 1;
}

/* The last part: targets missing from a snapshot are unknown to that
 * source (it does not check them, or has not reloaded yet). */
static void snapshot_end(struct hsource *s, struct steer_set *set)
{
	uint8_t *row = set->votes + s->idx * set->pc.ntargets;
	size_t nup = 0, ndown = 0;

	for (size_t i = 0; s->seen && s->seen_set == set && i < set->pc.ntargets; i++)
		if (!s->seen[i])
			row[i] = STEER_ST_UNKNOWN;
	free(s->seen);
	s->seen = NULL;
	set->live = live_mask(s->hl, set, now_ms());
	recompute_all(set);
	for (size_t i = 0; i < set->pc.ntargets; i++) {
		ndown += (row[i] & STEER_ST_MASK) == STEER_ST_DOWN;
		nup += (row[i] & STEER_ST_MASK) == STEER_ST_UP;
	}
	if (!s->subscribed) {
		s->since = time(NULL);
		log_notice("healthd%s%s: subscribed; %zu targets: %zu up, %zu down, %zu unknown",
			   s->hl->nsrc > 1 ? " " : "", s->hl->nsrc > 1 ? s->conf.name : "", set->pc.ntargets, nup,
			   ndown, set->pc.ntargets - nup - ndown);
	}
	if (!s->hl->any_subscribed)
		s->hl->since = time(NULL);
	s->subscribed = s->hl->any_subscribed = 1;
	s->backoff_ms = BACKOFF_MIN_MS;
	send_reload(s);
}

/* A snapshot (the subscribe reply or a "snapshot" event), or one of its
 * later parts ("snapshot_part"): healthd sends a large one in parts as we
 * read (common/health.h), the last with "more": false. */
static void apply_snapshot(struct hsource *s, struct steer_set *set, json_t *msg, int first)
{
	if (first) {
		free(s->seen);
		s->seen = calloc(set->pc.ntargets + 1, 1);
		s->seen_set = set;
	}
	snapshot_part(s, set, json_object_get(msg, "targets"));
	if (!json_is_true(json_object_get(msg, "more")))
		snapshot_end(s, set);
}

static void reload_done(struct hsource *s)
{
	free(s->reload_config);
	s->reload_config = NULL;
	s->reload_sent = 0;
}

/* Ask a local healthd to re-read the config steerdns just loaded (once per
 * connection; a new connection asks again until one succeeds). Remote
 * daemons read their own files: they are not asked. */
static void send_reload(struct hsource *s)
{
	json_t *req;

	if (!s->reload_config || !s->peer || !s->subscribed || s->reload_sent || !s->conf.socket)
		return;
	req = health_req_reload(s->reload_config);
	if (req && jsonl_peer_send(s->peer, req) == STEER_EOK)
		s->reload_sent = 1;
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

static void update_any_subscribed(struct health_link *hl)
{
	int any = 0;

	for (size_t i = 0; i < hl->nsrc; i++)
		any |= hl->src[i]->subscribed;
	if (any != hl->any_subscribed)
		hl->since = time(NULL);
	hl->any_subscribed = any;
}

static void source_lost(struct hsource *s, struct steer_set *set)
{
	struct health_link *hl = s->hl;

	if (!s->subscribed) {
		/* A TCP+TLS connect fails after the fact: refused, a TLS
		 * failure or a wrong token. Say it once per outage. */
		if (!s->warned)
			log_warn("healthd %s: cannot connect to %s (closed before a snapshot: refused, TLS or token); "
				 "retrying", s->conf.name, s->conf.socket ? s->conf.socket : s->conf.connect);
		s->warned = 1;
	} else if (hl->nsrc > 1) {
		log_warn("healthd %s: connection lost; its last verdicts count until they age out, reconnecting",
			 s->conf.name);
		s->warned = 0;
	} else {
		log_warn("healthd: connection lost; keeping the last-known health state, reconnecting");
		s->warned = 0;
	}
	s->peer = NULL;
	free(s->seen);
	s->seen = NULL;
	if (s->subscribed)
		s->since = time(NULL);
	s->subscribed = 0;
	s->reload_sent = 0;
	update_any_subscribed(hl);
	/* Without any healthd nobody will judge them: the fall-open rule
	 * (unknown counts as up) applies again. */
	if (!hl->any_subscribed)
		unpend_all(set, "healthd is unreachable");
	retry_later(s);
}

static void on_error_reply(struct hsource *s, json_t *msg)
{
	json_t *errs = json_object_get(msg, "errors"), *e;
	size_t k;

	log_warn("healthd%s%s: %s", s->hl->nsrc > 1 ? " " : "", s->hl->nsrc > 1 ? s->conf.name : "",
		 json_string_value(json_object_get(msg, "error")) ?: "request failed");
	json_array_foreach(errs, k, e)
		if (k > 0)
			log_warn("healthd: %s", json_string_value(e) ?: "?");
	if (s->reload_sent) /* our reload was refused: do not resend it on this connection */
		reload_done(s);
}

static void on_msg(struct jsonl_peer *peer, json_t *msg, void *arg)
{
	struct hsource *s = arg;
	struct steer_set *set = current_set(s->hl);
	json_t *targets = json_object_get(msg, "targets");
	const char *event = json_string_value(json_object_get(msg, "event"));
	size_t t;

	if (!msg) {
		source_lost(s, set);
		return;
	}
	s->heard_ms = now_ms();
	if (json_is_false(json_object_get(msg, "ok"))) {
		on_error_reply(s, msg);
		return;
	}
	/* Between a reload and the next sync the set's rows may be in
	 * another order: only write the row that is ours by name. */
	if (!set || s->idx >= set->pc.sources.n || strcmp(set->pc.sources.v[s->idx].name, s->conf.name) != 0)
		return;
	if (json_is_integer(targets) && s->reload_sent) {
		log_notice("healthd: reloaded %s, %lld targets", s->reload_config, (long long)json_integer_value(targets));
		reload_done(s);
	} else if (json_is_array(targets)) {
		apply_snapshot(s, set, msg, !event || strcmp(event, "snapshot_part") != 0);
	} else if (event && strcmp(event, "change") == 0) {
		t = apply_vote(s, set, json_object_get(msg, "target"));
		if (!refresh_live(s->hl, set) && t != POOLS_NO_TARGET)
			recompute(set, t);
	} else {
		refresh_live(s->hl, set); /* a heartbeat: the source is alive */
		return;
	}
	s->hl->last_update = time(NULL);
}

/* --- connecting -------------------------------------------------------------- */

static SSL_CTX *client_ctx(const struct health_source_conf *c, char *err, size_t errlen)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	const char *what = "ca_file";

	if (!ctx) {
		snprintf(err, errlen, "cannot create a TLS context");
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	if (c->ca_file ? SSL_CTX_load_verify_locations(ctx, c->ca_file, NULL) != 1
		       : SSL_CTX_set_default_verify_paths(ctx) != 1)
		goto fail;
	what = "cert_file";
	if (c->cert_file && SSL_CTX_use_certificate_chain_file(ctx, c->cert_file) != 1)
		goto fail;
	what = "key_file";
	if (c->key_file && (SSL_CTX_use_PrivateKey_file(ctx, c->key_file, SSL_FILETYPE_PEM) != 1 ||
			    SSL_CTX_check_private_key(ctx) != 1))
		goto fail;
	return ctx;
fail:
	snprintf(err, errlen, "%s: %s", what,
		 ERR_peek_error() && ERR_reason_error_string(ERR_peek_error()) ? ERR_reason_error_string(ERR_peek_error())
									: "cannot load");
	ERR_clear_error();
	SSL_CTX_free(ctx);
	return NULL;
}

/* The TLS connection to a "connect" source: the certificate must name
 * server_name, or carry the address as an IP. */
static struct bufferevent *tls_connect(struct hsource *s, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	int len = sizeof(ss);
	char ip[INET6_ADDRSTRLEN] = "";
	struct bufferevent *bev;
	SSL *ssl;

	if (evutil_parse_sockaddr_port(s->conf.connect, (struct sockaddr *)&ss, &len) != 0 ||
	    !(ssl = SSL_new(s->tls))) {
		snprintf(err, errlen, "cannot set up the connection");
		return NULL;
	}
	if (s->conf.server_name) {
		SSL_set_tlsext_host_name(ssl, s->conf.server_name);
		SSL_set1_host(ssl, s->conf.server_name);
	} else {
		inet_ntop(ss.ss_family,
			  ss.ss_family == AF_INET ? (void *)&((struct sockaddr_in *)&ss)->sin_addr
						  : (void *)&((struct sockaddr_in6 *)&ss)->sin6_addr,
			  ip, sizeof(ip));
		X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), ip);
	}
	bev = bufferevent_openssl_socket_new(s->hl->base, -1, ssl, BUFFEREVENT_SSL_CONNECTING,
					     BEV_OPT_CLOSE_ON_FREE | BEV_OPT_DEFER_CALLBACKS);
	if (!bev) {
		SSL_free(ssl);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (bufferevent_socket_connect(bev, (struct sockaddr *)&ss, len) < 0) {
		snprintf(err, errlen, "%s", steer_strerror(-EVUTIL_SOCKET_ERROR()));
		bufferevent_free(bev);
		return NULL;
	}
	return bev;
}

static struct jsonl_peer *open_peer(struct hsource *s, char *err, size_t errlen)
{
	struct bufferevent *bev;
	int fd;

	if (s->conf.socket) {
		fd = jsonl_connect(s->conf.socket);
		if (fd < 0) {
			snprintf(err, errlen, "%s", steer_strerror(fd));
			return NULL;
		}
		return jsonl_peer_new(s->hl->base, fd, 0, on_msg, s);
	}
	if (!s->tls) {
		snprintf(err, errlen, "no TLS context");
		return NULL;
	}
	if (!(bev = tls_connect(s, err, errlen)))
		return NULL;
	return jsonl_peer_new_bev(bev, 0, on_msg, s);
}

static void try_connect(evutil_socket_t fd_unused, short what, void *arg)
{
	struct hsource *s = arg;
	struct steer_set *set = current_set(s->hl);
	char err[200] = "out of memory";
	json_t *req;

	if (s->peer)
		return;
	if (!set || set->pc.ntargets == 0) {
		schedule(s, IDLE_RECHECK_MS); /* nothing to follow; a reload may add targets */
		return;
	}
	s->peer = open_peer(s, err, sizeof(err));
	req = health_req_subscribe();
	if (req && s->conf.token)
		json_object_set_new(req, "token", json_string(s->conf.token));
	if (!s->peer || !req || jsonl_peer_send(s->peer, req) != STEER_EOK) {
		if (!s->warned)
			log_warn("healthd%s%s: cannot connect to %s: %s; unknown/last-known health is used, retrying",
				 s->hl->nsrc > 1 ? " " : "", s->hl->nsrc > 1 ? s->conf.name : "",
				 s->conf.socket ? s->conf.socket : s->conf.connect, err);
		s->warned = 1;
		if (s->peer)
			jsonl_peer_free(s->peer);
		s->peer = NULL;
		retry_later(s);
	} else {
		log_info("healthd: connected to %s", s->conf.socket ? s->conf.socket : s->conf.connect);
	}
	json_decref(req);
}

static void source_free(struct hsource *s)
{
	if (!s)
		return;
	if (s->peer)
		jsonl_peer_free(s->peer);
	if (s->timer)
		event_free(s->timer);
	SSL_CTX_free(s->tls);
	health_source_clear(&s->conf);
	free(s->reload_config);
	free(s->seen);
	free(s);
}

static struct hsource *source_new(struct health_link *hl, const struct health_source_conf *c)
{
	struct hsource *s = calloc(1, sizeof(*s));
	char err[200];

	if (!s)
		return NULL;
	s->hl = hl;
	s->backoff_ms = BACKOFF_MIN_MS;
	s->since = time(NULL);
	if (health_source_copy(&s->conf, c) != 0 || !(s->timer = evtimer_new(hl->base, try_connect, s))) {
		source_free(s);
		return NULL;
	}
	if (c->connect && !(s->tls = client_ctx(c, err, sizeof(err))))
		log_err("healthd %s: TLS: %s; not connecting", c->name, err);
	if (hl->reload_config && c->socket)
		s->reload_config = strdup(hl->reload_config);
	schedule(s, 0);
	return s;
}

/* Match our sources to the set's "healthd.sources" after a reload: a source
 * whose settings are unchanged keeps its connection; others are replaced. */
static void sync_sources(struct health_link *hl, struct steer_set *set)
{
	const struct health_sources *cs = &set->pc.sources;
	struct hsource **next = calloc(cs->n + 1, sizeof(*next));

	if (!next)
		return; /* try again at the next tick */
	for (size_t i = 0; i < cs->n; i++) {
		for (size_t j = 0; j < hl->nsrc && !next[i]; j++)
			if (hl->src[j] && health_source_equal(&hl->src[j]->conf, &cs->v[i])) {
				next[i] = hl->src[j];
				hl->src[j] = NULL;
			}
		if (!next[i] && !(next[i] = source_new(hl, &cs->v[i]))) {
			for (size_t k = 0; k < i; k++)
				source_free(next[k]);
			free(next);
			return;
		}
		next[i]->idx = i;
	}
	for (size_t j = 0; j < hl->nsrc; j++)
		source_free(hl->src[j]);
	free(hl->src);
	hl->src = next;
	hl->nsrc = cs->n;
	hl->synced = set;
	update_any_subscribed(hl);
}

/* Every TICK_MS: follow reloads, drop sources gone silent, expire pending targets. */
static void on_tick(evutil_socket_t fd_unused, short what, void *arg)
{
	struct health_link *hl = arg;
	struct steer_set *set = current_set(hl);
	int64_t now = now_ms();

	if (!set)
		return;
	if (set != hl->synced)
		sync_sources(hl, set);
	for (size_t i = 0; i < hl->nsrc; i++) {
		struct hsource *s = hl->src[i];
		uint32_t silent = set->pc.sources.silent_after_ms;
		/* Connected but quiet past silent_after (no heartbeat): a link
		 * that died without a reset. Drop it; a reconnect resyncs. */
		if (s->peer && s->subscribed && silent && now - s->heard_ms > silent) {
			log_warn("healthd %s: silent for %u ms; its verdicts no longer count, reconnecting", s->conf.name,
				 silent);
			jsonl_peer_close(s->peer);
		}
	}
	refresh_live(hl, set);
	if (set->pending_until_ms && now > set->pending_until_ms) {
		set->pending_until_ms = 0;
		unpend_all(set, "its check interval + timeout has passed");
	}
}

int health_link_new(struct health_link **out, struct event_base *base, struct snap_domain *snaps)
{
	struct health_link *hl = calloc(1, sizeof(*hl));
	struct timeval tick = { 0, TICK_MS * 1000 };

	*out = NULL;
	if (!hl)
		return STEER_ENOMEM;
	hl->base = base;
	hl->snaps = snaps;
	hl->since = time(NULL);
	hl->tick = event_new(base, -1, EV_PERSIST, on_tick, hl);
	if (!hl->tick) {
		free(hl);
		return STEER_ENOMEM;
	}
	event_add(hl->tick, &tick);
	/* The first connects are tried at once, not at the first tick. */
	if (current_set(hl))
		sync_sources(hl, current_set(hl));
	*out = hl;
	return STEER_EOK;
}

void health_link_free(struct health_link *hl)
{
	if (!hl)
		return;
	for (size_t i = 0; i < hl->nsrc; i++)
		source_free(hl->src[i]);
	free(hl->src);
	event_free(hl->tick);
	free(hl->reload_config);
	free(hl);
}

int health_link_connected(const struct health_link *hl)
{
	return hl && hl->any_subscribed;
}

void health_link_info(const struct health_link *hl, struct health_link_info *out)
{
	memset(out, 0, sizeof(*out));
	if (!hl)
		return;
	out->connected = hl->any_subscribed;
	out->since = hl->since;
	out->last_update = hl->last_update;
	out->link = hl;
}

json_t *health_link_sources_json(const struct health_link *hl)
{
	const struct steer_set *set = hl ? current_set(hl) : NULL;
	json_t *arr = json_array();
	int64_t now = now_ms();

	for (size_t i = 0; arr && hl && i < hl->nsrc; i++) {
		const struct hsource *s = hl->src[i];
		int live = set && s->idx < set->pc.sources.n && (set->live & (1u << s->idx));
		json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:b, s:b, s:I, s:o}", "name", s->conf.name,
						     "transport", s->conf.socket ? "unix" : "tls", "address",
						     s->conf.socket ? s->conf.socket : s->conf.connect, "connected",
						     s->subscribed, "live", live, "since", (json_int_t)s->since,
						     "heard_ms_ago",
						     s->heard_ms ? json_integer(now - s->heard_ms) : json_null()));
	}
	return arr;
}

void health_link_config_loaded(struct health_link *hl, const char *config_path)
{
	char *copy;

	/* healthd may run in another directory: send an absolute path. */
	if (!hl || (!(copy = realpath(config_path, NULL)) && !(copy = strdup(config_path))))
		return;
	if (current_set(hl) && current_set(hl) != hl->synced) /* new sources get the config from hl */
		sync_sources(hl, current_set(hl));
	free(hl->reload_config);
	hl->reload_config = copy;
	for (size_t i = 0; i < hl->nsrc; i++) {
		struct hsource *s = hl->src[i];
		if (!s->conf.socket)
			continue;
		free(s->reload_config);
		s->reload_config = strdup(copy);
		s->reload_sent = 0;
		send_reload(s);
	}
}
