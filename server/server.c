/*
 * server.c -- the steerdns process: startup, reload, shutdown, signals.
 *
 * Startup order, so that only binding needs root: read the config and its
 * listen addresses (load_listen), bind every UDP and TCP socket, drop to
 * server.user (privs_drop), then read everything again with the zones
 * (load_all) and open the control socket as that user. Zone files are thus
 * read by the same user at startup and at every reload.
 */
#include "config.h"
#include "server/server.h"
#include "server/answer/answer.h"
#include "server/ctl/control.h"
#include "server/metrics/metrics.h"
#include "server/steer/health_link.h"
#include "server/steer/steer_build.h"
#include "server/net/listen.h"
#include "server/load.h"
#include "server/metrics/dnstap.h"
#include "server/net/observer.h"
#include "server/net/stats.h"
#include "server/net/tcp.h"
#include "server/net/udp.h"
#include "server/zone/zonedb.h"
#include "server/zone/zone.h"
#include "server/zone/load/zoneload.h"
#include "common/errlist.h"
#include "common/errors.h"
#include "common/log.h"
#include "common/notify.h"
#include "common/privs.h"

#include <event2/event.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/*
 * dnstap, wired here: this layer may include both server/net (the engines'
 * struct query_observer hook) and server/metrics (dnstap), which may not
 * include each other's headers. One struct tap per dnstap config: a reload
 * with a different "dnstap" section makes a new one, points the engines at
 * it, publishes the new snapshot (the grace period, observer.h), then frees
 * the old one, which writes out what it still has queued.
 */
struct tap {
	struct query_observer obs; /* what the engines call: dnstap_observe(dt) */
	struct dnstap *dt;         /* owned */
};

struct server {
	char *config_path;          /* owned */
	int debug;                  /* -d: log level debug whatever the config says */
	struct server_conf conf;    /* owned: the config of the live snapshot */
	/* Fixed at startup (a reload cannot change them): */
	struct listen_addr *addrs;  /* owned */
	size_t naddrs;
	unsigned nworkers;
	long long conf_workers;     /* "workers" as configured at startup */
	char *control_path;         /* owned; NULL = no control socket */
	struct privs privs;         /* owned: server.user/group as at startup */
	int dropped;                /* privileges were dropped: no port below 1024 can be bound now */
	/* Live state: */
	struct snap_domain snaps;
	uint64_t generation;
	time_t started_at;
	struct stats *stats;        /* owned: blocks 0..nworkers*naddrs-1 UDP, then TCP */
	struct udp_workers *udp;    /* owned */
	struct tcp_server *tcp;     /* owned */
	struct event_base *base;    /* owned: the main loop */
	struct control *ctl;        /* owned */
	struct health_link *hl;     /* owned: steer-healthd subscription (steering) */
	struct tap *tap;            /* owned; NULL = no dnstap */
	struct dnstap_counters tap_past; /* counts of the dnstap instances a reload replaced */
	struct metrics *metrics;    /* owned: counters per snapshot, fall-open log, /metrics */
	struct event *sig[3];       /* owned: SIGHUP, SIGTERM, SIGINT */
};

static void apply_logging(const struct server *srv, const struct server_conf *c)
{
	int level = srv->debug ? LOG_DEBUG : log_level_parse(c->log_level);
	log_init("steerdns", c->syslog, level < 0 ? LOG_INFO : level);
}

/* A snapshot of zones plus the answer settings of c. Takes zones (freed on
 * failure). */
static struct snapshot *snapshot_make(const struct server_conf *c, struct zonedb *zones, uint64_t generation)
{
	struct served *sv = calloc(1, sizeof(*sv));

	if (!sv) {
		zonedb_free(zones);
		return NULL;
	}
	if (strlen(c->identity) >= sizeof(sv->identity) || strlen(c->version) >= sizeof(sv->version))
		log_warn("server.identity/version longer than 255 bytes: cut to fit a TXT string");
	snprintf(sv->identity, sizeof(sv->identity), "%s", c->identity);
	snprintf(sv->version, sizeof(sv->version), "%s", c->version);
	sv->env.udp_payload = (uint16_t)c->udp_payload;
	sv->env.chaos = c->chaos;
	sv->env.identity = sv->identity;
	sv->env.version = sv->version;
	sv->snap.zones = zones;
	sv->snap.generation = generation;
	sv->snap.loaded_at = time(NULL);
	return &sv->snap;
}

static void log_errors(const struct errlist *errs)
{
	for (size_t i = 0; i < errs->n; i++)
		log_err("%s", errs->msgs[i]);
	if (errs->lost)
		log_err("(%zu more errors lost: out of memory)", errs->lost);
}

static int has_addr(const struct listen_addr *a, size_t n, const struct listen_addr *x)
{
	for (size_t i = 0; i < n; i++)
		if (a[i].len == x->len && memcmp(&a[i].ss, &x->ss, x->len) == 0)
			return 1;
	return 0;
}

static unsigned addr_port(const struct listen_addr *a)
{
	if (a->ss.ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)&a->ss)->sin_port);
	return ntohs(((const struct sockaddr_in6 *)&a->ss)->sin6_port);
}

static int same_str(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}

static int same_addrs(const struct server *srv, const struct load_result *r)
{
	if (srv->naddrs != r->naddrs)
		return 0;
	for (size_t i = 0; i < r->naddrs; i++)
		if (srv->addrs[i].len != r->addrs[i].len || memcmp(&srv->addrs[i].ss, &r->addrs[i].ss, r->addrs[i].len))
			return 0;
	return 1;
}

/* Settings only a restart changes: say so when they differ. */
static void warn_restart_only(const struct server *srv, const struct load_result *r)
{
	const char *path = r->conf.control_socket;

	if (!same_addrs(srv, r)) {
		/* A reload never binds: new addresses wait for a restart, which
		 * binds as root. After the drop that is the only way to a port
		 * below 1024, so say so rather than let it look like a typo. */
		for (size_t i = 0; srv->dropped && i < r->naddrs; i++)
			if (!has_addr(srv->addrs, srv->naddrs, &r->addrs[i]) && addr_port(&r->addrs[i]) < 1024)
				log_warn("reload: server.listen adds %s: port %u is below 1024 and steerdns runs as "
					 "user %s now, without the privilege to bind it; restart steerdns to listen there",
					 r->addrs[i].text, addr_port(&r->addrs[i]), srv->privs.user);
		log_warn("reload: server.listen changed; still listening on the old addresses until a restart");
	}
	if (r->conf.workers != srv->conf_workers)
		log_warn("reload: server.workers changed; still %u workers until a restart", srv->nworkers);
	if ((path == NULL) != (srv->control_path == NULL) || (path && strcmp(path, srv->control_path) != 0))
		log_warn("reload: server.control_socket changed; still %s until a restart",
			 srv->control_path ? srv->control_path : "none");
	if (!same_str(r->conf.privs.user, srv->privs.user) || !same_str(r->conf.privs.group, srv->privs.group))
		log_warn("reload: server.user/group changed; still running as %s until a restart",
			 srv->privs.user ? srv->privs.user : "started");
}

/* ---- dnstap ---- */

static const char *tap_identity(const struct server_conf *c)
{
	return c->dnstap.identity ? c->dnstap.identity : c->identity;
}

static const char *tap_version(const struct server_conf *c)
{
	return c->dnstap.version ? c->dnstap.version : c->version;
}

/* Would c's dnstap differ from the running one (made from srv->conf)? */
static int tap_changed(const struct server *srv, const struct server_conf *c)
{
	const struct dnstap_conf *a = &srv->conf.dnstap, *b = &c->dnstap;
	int on = b->socket || b->file;

	if (!srv->tap || !on)
		return (srv->tap != NULL) != on;
	return !same_str(a->socket, b->socket) || !same_str(a->file, b->file) ||
	       !same_str(tap_identity(&srv->conf), tap_identity(c)) || !same_str(tap_version(&srv->conf), tap_version(c)) ||
	       a->log_queries != b->log_queries || a->log_responses != b->log_responses;
}

static void tap_free(struct server *srv, struct tap *tap)
{
	struct dnstap_counters c;

	if (!tap)
		return;
	dnstap_counters(tap->dt, &c);
	dnstap_free(tap->dt);
	/* Counted after the last queued frame went out: stats keep growing. */
	srv->tap_past.logged += c.logged;
	srv->tap_past.dropped += c.dropped;
	srv->tap_past.errors += c.errors;
	free(tap);
}

/* *out = the dnstap c asks for (NULL when none). */
static int tap_new(struct server *srv, const struct server_conf *c, struct tap **out)
{
	const struct dnstap_conf *d = &c->dnstap;
	struct dnstap_options o = { d->socket, d->file, tap_identity(c), tap_version(c), d->log_queries,
				    d->log_responses };
	/* One input queue per answering thread: the UDP workers, then TCP. */
	unsigned nthreads = srv->nworkers * (unsigned)srv->naddrs + 1;
	struct tap *tap;
	int ret;

	*out = NULL;
	if (!d->socket && !d->file)
		return STEER_EOK;
	if (!(tap = calloc(1, sizeof(*tap))))
		return STEER_ENOMEM;
	ret = dnstap_new(&tap->dt, &o, nthreads);
	if (ret != STEER_EOK) {
		free(tap);
		return ret;
	}
	tap->obs = (struct query_observer){ dnstap_observe, tap->dt };
	*out = tap;
	return STEER_EOK;
}

/* Point the engines at srv->tap (they may not exist yet: setup_io does it then). */
static void tap_attach(struct server *srv)
{
	const struct query_observer *obs = srv->tap ? &srv->tap->obs : NULL;

	if (srv->udp)
		udp_workers_set_observer(srv->udp, obs);
	if (srv->tcp)
		tcp_server_set_observer(srv->tcp, obs, srv->nworkers * (unsigned)srv->naddrs);
}

/* The stats reply's "dnstap" object (struct ctl_ops.dnstap_stats). */
static json_t *ops_dnstap_stats(void *arg)
{
	const struct server *srv = arg;
	struct dnstap_counters c = { 0 };

	if (srv->tap)
		dnstap_counters(srv->tap->dt, &c);
	return json_pack("{s:b,s:b,s:I,s:I,s:I}", "enabled", srv->tap != NULL, "connected",
			 srv->tap && dnstap_connected(srv->tap->dt), "logged", (json_int_t)(c.logged + srv->tap_past.logged),
			 "dropped", (json_int_t)(c.dropped + srv->tap_past.dropped), "errors",
			 (json_int_t)(c.errors + srv->tap_past.errors));
}

/* ---- end of dnstap ---- */

/* Stats blocks, one per answering thread: every UDP (worker, listen
 * address) thread, then the TCP thread. */
static size_t stats_blocks(const struct server *srv)
{
	return (size_t)srv->nworkers * srv->naddrs + 1;
}

/* Publish zones (taken) with the policy set *steer (taken) and the
 * answer settings of c as the next generation. swap_tap non-NULL: make
 * *swap_tap the dnstap (engines repointed just before the publish, whose
 * wait for readers is the grace period, observer.h) and hand back the old
 * one in it; on failure *swap_tap is left as it was. Either way the caller
 * frees what *swap_tap holds. */
static int publish(struct server *srv, const struct server_conf *c, struct zonedb *zones, struct steer_set **steer,
		   struct tap **swap_tap)
{
	struct snapshot *s = snapshot_make(c, zones, srv->generation + 1), *prev;

	if (!s)
		return STEER_ENOMEM;
	steer_attach(s, steer, snap_current(&srv->snaps)); /* policies + last-known health */
	/* healthd is there to judge the new targets: do not answer them before
	 * it has (a new member that is down would otherwise get traffic at full
	 * TTL until its first check). */
	if (health_link_connected(srv->hl)) {
		size_t n = steer_pend_new_targets(s, snap_current(&srv->snaps));
		if (n)
			log_info("reload: %zu new health target%s pending until healthd's first verdict", n,
				 n == 1 ? "" : "s");
	}
	if (metrics_attach(s, stats_blocks(srv)) != STEER_EOK) {
		snapshot_free(s);
		return STEER_ENOMEM;
	}
	if (swap_tap) {
		struct tap *old = srv->tap;
		srv->tap = *swap_tap;
		*swap_tap = old;
		tap_attach(srv);
	}
	/* After the swap no engine thread is inside the old tap, and the old
	 * snapshot's counters, final now, are carried into the new one. */
	prev = snap_swap(&srv->snaps, s);
	metrics_retire(srv->metrics, prev, s);
	snapshot_free(prev);
	srv->generation++;
	return STEER_EOK;
}

/* Make r the live data (r's conf and zones are taken). */
static int install(struct server *srv, struct load_result *r)
{
	struct tap *tap = NULL;
	int tap_swap = tap_changed(srv, &r->conf), had_tap = srv->tap != NULL;
	int ret = tap_swap ? tap_new(srv, &r->conf, &tap) : STEER_EOK;

	if (ret == STEER_EOK)
		ret = publish(srv, &r->conf, load_take_zones(r), &r->steer, tap_swap ? &tap : NULL);
	if (ret == STEER_EOK && tap_swap && (had_tap || srv->tap))
		log_notice("dnstap: %s", srv->tap ? "configuration applied" : "off");
	tap_free(srv, tap); /* the replaced one (writes out what it queued), or the unused new one */
	if (ret != STEER_EOK)
		return ret;
	server_conf_clear(&srv->conf);
	srv->conf = r->conf;
	memset(&r->conf, 0, sizeof(r->conf));
	apply_logging(srv, &srv->conf);
	if (srv->tcp)
		tcp_server_set_limits(srv->tcp, srv->conf.tcp_max_connections, srv->conf.tcp_idle_ms);
	return STEER_EOK;
}

/* READY=1 with a one-line STATUS for `systemctl status`; failed names the
 * zones of the last reload that did not load (kept at their old version). */
static void notify_serving(struct server *srv, size_t failed)
{
	size_t nz = zonedb_count(snap_current(&srv->snaps)->zones);
	char note[64] = "";

	if (failed)
		snprintf(note, sizeof(note), "; %zu zone%s did not load", failed, failed == 1 ? "" : "s");
	notify_ready("serving %zu zone%s on %zu address%s, generation %llu%s", nz, nz == 1 ? "" : "s", srv->naddrs,
		     srv->naddrs == 1 ? "" : "es", (unsigned long long)srv->generation, note);
}

int server_reload(struct server *srv, struct errlist *errs)
{
	struct load_result r;
	struct errlist mine;
	int ret;

	size_t zone_failures = 0;
	struct snapshot *live = snap_current(&srv->snaps);

	log_info("reloading %s", srv->config_path);
	notify_reloading();
	errlist_init(&mine);
	ret = load_all_keep(srv->config_path, &r, &mine, live ? live->zones : NULL, &zone_failures);
	if (ret == STEER_EOK) {
		warn_restart_only(srv, &r);
		metrics_check_listen(srv->metrics, &r.conf.metrics_listen);
		ret = install(srv, &r);
		if (ret != STEER_EOK)
			errlist_add(&mine, "%s: %s", srv->config_path, steer_strerror(ret));
		load_result_clear(&r);
	}
	metrics_count_reload(srv->metrics, ret == STEER_EOK);
	if (ret != STEER_EOK) {
		log_errors(&mine);
		log_err("reload rejected (%zu error%s); the old data (generation %llu) is still serving",
			errlist_count(&mine), errlist_count(&mine) == 1 ? "" : "s", (unsigned long long)srv->generation);
		notify_ready("reload rejected (%zu error%s); generation %llu still serving", errlist_count(&mine),
			     errlist_count(&mine) == 1 ? "" : "s", (unsigned long long)srv->generation);
		errlist_splice(errs, &mine);
		return ret;
	}
	health_link_config_loaded(srv->hl, srv->config_path);
	log_notice("reload done: generation %llu, %zu zone%s", (unsigned long long)srv->generation,
		   zonedb_count(snap_current(&srv->snaps)->zones),
		   zonedb_count(snap_current(&srv->snaps)->zones) == 1 ? "" : "s");
	if (zone_failures) {
		/* Applied, but not everything: say so to the caller too. */
		log_errors(&mine);
		log_err("%zu zone%s did not load (kept at the old version, or not served if new)", zone_failures,
			zone_failures == 1 ? "" : "s");
		errlist_splice(errs, &mine);
	}
	errlist_clear(&mine);
	notify_serving(srv, zone_failures);
	return STEER_EOK;
}

/* Zone names as written in the config or by an operator: any case,
 * trailing dot optional. */
static int same_zone_name(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	la -= la > 1 && a[la - 1] == '.';
	lb -= lb > 1 && b[lb - 1] == '.';
	return la == lb && strncasecmp(a, b, la) == 0;
}

int server_reload_zone(struct server *srv, const char *name, struct errlist *errs)
{
	struct snapshot *live = snap_current(&srv->snaps);
	const struct zone_conf *zc = NULL;
	struct zonedb *db = live ? live->zones : NULL;
	size_t n = zonedb_count(db), nz = 0;
	struct zone *z, **zones;
	struct steer_set *steer = NULL;
	int ret;

	for (size_t i = 0; i < srv->conf.nzones && !zc; i++)
		if (same_zone_name(srv->conf.zones[i].name, name))
			zc = &srv->conf.zones[i];
	if (!zc) {
		errlist_add(errs, "zone %s is not in the config (%s)", name, srv->config_path);
		return STEER_ENOENT;
	}
	log_info("reloading zone %s from %s", zc->name, zc->file);
	if (zone_load(zc->name, zc->file, errs, &z) != STEER_EOK) {
		log_errors(errs);
		log_err("zone %s: reload rejected; the old version is still serving", zc->name);
		return STEER_EINVAL;
	}
	if (!(zones = calloc(n + 1, sizeof(*zones)))) {
		zone_free(z);
		return STEER_ENOMEM;
	}
	/* Every other zone is shared with the live snapshot; the new one takes
	 * the place of its old version (or is added: the config has it). */
	for (size_t i = 0; i < n; i++) {
		struct zone *old = zonedb_zone(db, i);
		if (old == zonedb_zone_named(db, zc->name)) {
			zones[nz++] = z; /* in its old place: `zones` keeps the config order */
			z = NULL;
			continue;
		}
		zone_ref(old);
		zones[nz++] = old;
	}
	if (z)
		zones[nz++] = z;
	if ((ret = zonedb_new(zones, nz, &db)) != STEER_EOK)
		return ret;
	/* The policies are bound to zone nodes: compile them against the new db. */
	if (steer_build(&srv->conf.cf, db, &steer, errs) != 0) {
		log_errors(errs);
		log_err("zone %s: reload rejected (the steering config does not fit it); the old version is still serving",
			zc->name);
		zonedb_free(db);
		return STEER_EINVAL;
	}
	ret = publish(srv, &srv->conf, db, &steer, NULL); /* same config: same dnstap */
	steer_set_free(steer);
	if (ret == STEER_EOK)
		log_notice("zone %s reloaded: generation %llu", zc->name, (unsigned long long)srv->generation);
	return ret;
}

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
	struct server *srv = arg;

	if (sig == SIGHUP) {
		struct errlist errs;
		errlist_init(&errs);
		server_reload(srv, &errs); /* logs everything itself */
		errlist_clear(&errs);
		return;
	}
	log_notice("%s: shutting down", strsignal((int)sig));
	notify_stopping();
	event_base_loopexit(srv->base, NULL);
}

static unsigned worker_count(long long configured)
{
	long n = configured > 0 ? configured : sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1 : (unsigned)n;
}

/* The control socket reaches the process through these (server/ctl/control.h). */
static struct snapshot *ops_snapshot(void *arg)
{
	struct server *srv = arg;
	return snap_current(&srv->snaps);
}

static uint64_t ops_generation(void *arg)
{
	const struct server *srv = arg;
	return srv->generation;
}

static int ops_reload(void *arg, struct errlist *errs)
{
	return server_reload(arg, errs);
}

static int ops_reload_zone(void *arg, const char *zone, struct errlist *errs)
{
	struct server *srv = arg;
	int ret = server_reload_zone(srv, zone, errs);

	metrics_count_reload(srv->metrics, ret == STEER_EOK);
	return ret;
}

static struct stats *ops_stats(void *arg)
{
	struct server *srv = arg;
	return srv->stats;
}

static time_t ops_started_at(void *arg)
{
	const struct server *srv = arg;
	return srv->started_at;
}

static unsigned ops_workers(void *arg)
{
	const struct server *srv = arg;
	return srv->nworkers;
}

static size_t ops_tcp_connections(void *arg)
{
	const struct server *srv = arg;
	return srv->tcp ? tcp_server_connections(srv->tcp) : 0;
}

static void ops_health(void *arg, struct health_link_info *out)
{
	const struct server *srv = arg;
	health_link_info(srv->hl, out);
}

static const struct health_link *ops_health_link(void *arg)
{
	const struct server *srv = arg;
	return srv->hl;
}

/* The metrics reach the process through these (server/metrics/metrics.h). */
static const struct metrics_ops server_metrics_ops = {
	.snapshot = ops_snapshot,
	.stats = ops_stats,
	.health_link = ops_health_link,
	.tcp_connections = ops_tcp_connections,
	.started_at = ops_started_at,
};

static const struct ctl_ops server_ctl_ops = {
	.snapshot = ops_snapshot,
	.generation = ops_generation,
	.reload = ops_reload,
	.reload_zone = ops_reload_zone,
	.stats = ops_stats,
	.started_at = ops_started_at,
	.workers = ops_workers,
	.tcp_connections = ops_tcp_connections,
	.health = ops_health,
	.dnstap_stats = ops_dnstap_stats,
};

/* Steal what stays fixed for the process lifetime from the first read. */
static int take_fixed(struct server *srv, struct load_result *r)
{
	srv->addrs = r->addrs;
	srv->naddrs = r->naddrs;
	r->addrs = NULL;
	srv->conf_workers = r->conf.workers;
	srv->nworkers = worker_count(r->conf.workers);
	srv->privs = r->conf.privs;
	memset(&r->conf.privs, 0, sizeof(r->conf.privs));
	if (r->conf.control_socket && !(srv->control_path = strdup(r->conf.control_socket)))
		return STEER_ENOMEM;
	return STEER_EOK;
}

static struct server *not_starting(struct server *srv, struct errlist *errs)
{
	log_errors(errs);
	log_err("%s: %zu error%s; not starting", srv->config_path, errlist_count(errs),
		errlist_count(errs) == 1 ? "" : "s");
	errlist_clear(errs);
	server_free(srv);
	return NULL;
}

/* As root (when started so): every listening port, DNS and /metrics.
 * The main loop is made here too: the /metrics listener lives on it. */
static int bind_listeners(struct server *srv, const struct server_conf *c)
{
	/* One UDP thread per worker and listen address, each writing its own
	 * stats block; the TCP thread writes the last one. */
	size_t nudp = stats_blocks(srv) - 1;
	char why[300];
	int ret;

	srv->stats = stats_new(nudp + 1);
	srv->base = event_base_new();
	if (!srv->stats || !srv->base)
		return STEER_ENOMEM;
	/* TCP first: its bind fails when another server holds the port, where
	 * SO_REUSEPORT on UDP would silently share it with a server of ours. */
	ret = tcp_server_new(&srv->tcp, srv->addrs, srv->naddrs, &srv->snaps, stats_block(srv->stats, nudp),
			     c->tcp_max_connections, c->tcp_idle_ms);
	if (ret == STEER_EOK)
		ret = udp_workers_new(&srv->udp, (unsigned)nudp, srv->addrs, srv->naddrs, &srv->snaps, srv->stats, 0);
	if (ret == STEER_EOK && (ret = metrics_start(srv->metrics, srv->base, &c->metrics_listen, why, sizeof(why))) != STEER_EOK)
		log_err("%s", why);
	return ret;
}

static int become_user(struct server *srv)
{
	char why[320];
	int ret = privs_drop(&srv->privs, why, sizeof(why));

	if (ret < 0) {
		log_err("%s: server.user: %s", srv->config_path, why);
		return ret;
	}
	srv->dropped = ret == 1;
	if (srv->dropped)
		log_notice("running as user %s (uid %u, gid %u)", srv->privs.user, (unsigned)srv->privs.uid,
			   (unsigned)srv->privs.gid);
	return STEER_EOK;
}

/* As the user: the control socket, the health link and the signals. */
static int setup_main(struct server *srv)
{
	static const int sigs[3] = { SIGHUP, SIGTERM, SIGINT };
	int ret = STEER_EOK;

	if (srv->control_path) {
		ret = control_new(&srv->ctl, srv->base, srv->control_path, &server_ctl_ops, srv);
		if (ret == STEER_EOK && privs_own_socket(&srv->privs, srv->control_path) != 0)
			log_warn("%s: cannot give it to group %s: %s", srv->control_path, privs_group_name(&srv->privs),
				 strerror(errno));
	}
	if (ret == STEER_EOK)
		ret = health_link_new(&srv->hl, srv->base, &srv->snaps);
	if (ret == STEER_EOK)
		tap_attach(srv); /* install() made srv->tap before the engines existed */
	for (int i = 0; ret == STEER_EOK && i < 3; i++) {
		srv->sig[i] = evsignal_new(srv->base, sigs[i], on_signal, srv);
		if (!srv->sig[i] || evsignal_add(srv->sig[i], NULL) < 0)
			ret = STEER_ENOMEM;
	}
	return ret;
}

struct server *server_new(const char *config_path, int debug)
{
	struct server *srv = calloc(1, sizeof(*srv));
	struct load_result r;
	struct errlist errs;
	int ret;

	/* An absolute path: zone files resolved against it stay right whatever
	 * the working directory, and `steerctl zones` shows where they are. */
	if (srv && !(srv->config_path = realpath(config_path, NULL)))
		srv->config_path = strdup(config_path);
	if (!srv || !srv->config_path) {
		free(srv);
		log_err("out of memory");
		return NULL;
	}
	srv->debug = debug;
	srv->started_at = time(NULL);
	snap_domain_init(&srv->snaps);
	if (!(srv->metrics = metrics_new(&server_metrics_ops, srv))) {
		log_err("out of memory");
		server_free(srv);
		return NULL;
	}
	signal(SIGPIPE, SIG_IGN);
	errlist_init(&errs);
	if (load_listen(srv->config_path, &r, &errs) != STEER_EOK) {
		/* load_all() reads the zones and steering too: every problem at once. */
		errlist_clear(&errs);
		if (load_all(srv->config_path, &r, &errs) == STEER_EOK)
			load_result_clear(&r); /* fixed meanwhile; still not starting */
		return not_starting(srv, &errs);
	}
	ret = take_fixed(srv, &r);
	if (ret == STEER_EOK)
		ret = bind_listeners(srv, &r.conf);
	load_result_clear(&r);
	if (ret == STEER_EOK)
		ret = become_user(srv);
	if (ret == STEER_EOK && load_all(srv->config_path, &r, &errs) != STEER_EOK)
		return not_starting(srv, &errs);
	if (ret == STEER_EOK) {
		warn_restart_only(srv, &r); /* the file changed since the sockets were bound */
		ret = install(srv, &r);
		load_result_clear(&r);
	}
	/* After the drop, so it tests what the user can do. */
	if (ret == STEER_EOK && server_conf_check_dirs(&srv->conf, &errs) != 0)
		return not_starting(srv, &errs);
	if (ret == STEER_EOK)
		ret = setup_main(srv);
	if (ret != STEER_EOK) {
		if (ret == STEER_ENOMEM)
			log_err("out of memory while starting");
		errlist_clear(&errs);
		server_free(srv);
		return NULL;
	}
	return srv;
}

int server_run(struct server *srv)
{
	int ret = udp_workers_start(srv->udp);

	if (ret == STEER_EOK)
		ret = tcp_server_start(srv->tcp);
	if (ret == STEER_EOK) {
		size_t nz = zonedb_count(snap_current(&srv->snaps)->zones);
		log_notice("steerdns %s: serving %zu zone%s on %zu address%s (first %s), %u UDP worker%s", STEER_VERSION,
			   nz, nz == 1 ? "" : "s", srv->naddrs, srv->naddrs == 1 ? "" : "es", srv->addrs[0].text,
			   srv->nworkers, srv->nworkers == 1 ? "" : "s");
		notify_serving(srv, 0);
		event_base_dispatch(srv->base);
	}
	udp_workers_stop(srv->udp);
	tcp_server_stop(srv->tcp);
	return ret;
}

void server_free(struct server *srv)
{
	if (!srv)
		return;
	/* Threads first (they read the snapshot), then what they used. */
	udp_workers_free(srv->udp);
	tcp_server_free(srv->tcp);
	tap_free(srv, srv->tap); /* writes out what is queued */
	control_free(srv->ctl);
	health_link_free(srv->hl);
	metrics_free(srv->metrics);
	for (int i = 0; i < 3; i++)
		if (srv->sig[i])
			event_free(srv->sig[i]);
	if (srv->base)
		event_base_free(srv->base);
	snap_domain_clear(&srv->snaps);
	stats_free(srv->stats);
	server_conf_clear(&srv->conf);
	free(srv->addrs);
	free(srv->control_path);
	privs_clear(&srv->privs);
	free(srv->config_path);
	free(srv);
}

