/*
 * reload.c -- loading beside the live data and publishing it: SIGHUP and
 * `steerctl reload` (config and every zone; a zone that fails keeps its old
 * version), `steerctl reload ZONE`, dnstap outputs that follow the config,
 * and the snapshot swap itself.
 */
#include "config.h"
#include "server/server.h"
#include "server/server_priv.h"
#include "server/answer/answer.h"
#include "server/ctl/control.h"
#include "server/dnssec/sigcache.h"
#include "server/metrics/metrics.h"
#include "server/steer/health_link.h"
#include "server/steer/steer_build.h"
#include "server/net/listen.h"
#include "server/load.h"
#include "server/metrics/dnstap.h"
#include "server/net/observer.h"
#include "server/net/proxy.h"
#include "server/net/stats.h"
#include "server/net/tcp.h"
#include "server/net/udp.h"
#include "server/xfr/journal.h"
#include "server/zone/zonedb.h"
#include "server/zone/zone.h"
#include "server/zone/load/zoneload.h"
#include "server/xfr/notify.h"
#include "server/xfr/xfr_conf.h"
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

static void apply_logging(const struct server *srv, const struct server_conf *c)
{
	int level = srv->debug ? LOG_DEBUG : log_level_parse(c->log_level);
	log_init("steerdns", c->syslog, level < 0 ? LOG_INFO : level);
}

static void proxy_free(void *acl)
{
	proxy_acl_free(acl);
}

/* A snapshot of zones plus the answer settings of c. Takes zones (freed on
 * failure). */
static struct snapshot *snapshot_make(const struct server *srv, const struct server_conf *c, struct zonedb *zones,
				      uint64_t generation)
{
	struct served *sv = calloc(1, sizeof(*sv));
	struct proxy_acl *acl = NULL;

	if (!sv || proxy_acl_new(&c->proxy_from, &acl) != STEER_EOK) {
		free(sv);
		zonedb_free(zones);
		return NULL;
	}
	/* server.proxy_from travels with the snapshot: the engines read it
	 * while they hold the snapshot, so a reload swaps it with the rest. */
	sv->snap.proxy = acl;
	sv->snap.free_proxy = proxy_free;
	if (strlen(c->identity) >= sizeof(sv->identity) || strlen(c->version) >= sizeof(sv->version))
		log_warn("server.identity/version longer than 255 bytes: cut to fit a TXT string");
	snprintf(sv->identity, sizeof(sv->identity), "%s", c->identity);
	snprintf(sv->version, sizeof(sv->version), "%s", c->version);
	sv->env.udp_payload = (uint16_t)c->udp_payload;
	sv->env.chaos = c->chaos;
	sv->env.identity = sv->identity;
	sv->env.version = sv->version;
	sv->env.sigcache = srv->sigcache;
	sv->limit = c->limit;
	sv->env.limit = &sv->limit;
	memcpy(sv->nsid, c->nsid_bytes, c->nsid_len);
	sv->env.nsid = sv->nsid;
	sv->env.nsid_len = c->nsid_len;
	sv->snap.zones = zones;
	if (c->xfr) { /* the transfer settings live as long as the snapshot */
		xfr_conf_ref(c->xfr);
		sv->snap.xfr = c->xfr;
		sv->snap.free_xfr = xfr_conf_unref_cb;
	}
	sv->snap.generation = generation;
	sv->snap.loaded_at = time(NULL);
	return &sv->snap;
}

void server_log_errors(const struct errlist *errs)
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
void server_warn_restart_only(const struct server *srv, const struct load_result *r)
{
	const char *path = r->conf.control_socket;
	char io[sizeof(srv->conf_io)];

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
	if (r->conf.sigcache_entries != srv->conf_sigcache)
		log_warn("reload: server.sigcache_entries changed; still %zu entries until a restart",
			 sigcache_capacity(srv->sigcache));
	server_io_settings(&r->conf, io, sizeof(io));
	if (strcmp(io, srv->conf_io) != 0)
		log_warn("reload: server.udp_io or server.xdp changed; still %s until a restart", srv->conf_io);
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

void server_tap_free(struct server *srv, struct tap *tap)
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
void server_tap_attach(struct server *srv)
{
	const struct query_observer *obs = srv->tap ? &srv->tap->obs : NULL;

	if (srv->udp)
		udp_workers_set_observer(srv->udp, obs);
	if (srv->tcp)
		tcp_server_set_observer(srv->tcp, obs, srv->nworkers * (unsigned)srv->naddrs);
}

/* The stats reply's "dnstap" object (struct ctl_ops.dnstap_stats). */
json_t *server_ops_dnstap_stats(void *arg)
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
size_t server_stats_blocks(const struct server *srv)
{
	return (size_t)srv->nworkers * srv->naddrs + 1 + srv->nxdp;
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
	struct snapshot *s = snapshot_make(srv, c, zones, srv->generation + 1), *prev;

	if (!s)
		return STEER_ENOMEM;
	/* IXFR journals: the differences to the live zones, computed here
	 * (main thread), before any reader sees the new snapshot. */
	if (journal_attach(&c->journal, s, snap_current(&srv->snaps)) != STEER_EOK) {
		snapshot_free(s);
		return STEER_ENOMEM;
	}
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
	if (metrics_attach(s, server_stats_blocks(srv)) != STEER_EOK) {
		snapshot_free(s);
		return STEER_ENOMEM;
	}
	if (swap_tap) {
		struct tap *old = srv->tap;
		srv->tap = *swap_tap;
		*swap_tap = old;
		server_tap_attach(srv);
	}
	/* After the swap no engine thread is inside the old tap, and the old
	 * snapshot's counters, final now, are carried into the new one. */
	prev = snap_swap(&srv->snaps, s);
	server_notify_secondaries(srv, prev, s);
	metrics_retire(srv->metrics, prev, s);
	snapshot_free(prev);
	srv->generation++;
	return STEER_EOK;
}

/* NOTIFY the secondaries of every zone of s whose serial is not prev's
 * (every zone when prev is NULL: at startup, as NSD and Knot do). */
void server_notify_secondaries(struct server *srv, const struct snapshot *prev, const struct snapshot *s)
{
	for (size_t i = 0; srv->notify && s->xfr && i < zonedb_count(s->zones); i++) {
		const struct zone *z = zonedb_zone(s->zones, i);
		const struct zone *old = prev ? zonedb_zone_named(prev->zones, z->name) : NULL;
		const struct xfr_zone *xz = xfr_conf_zone(s->xfr, z->apex, z->apexlen);
		if (!xz || (old && old->serial == z->serial))
			continue;
		for (size_t k = 0; k < xz->nnotify; k++) {
			const struct xfr_notify *t = &xz->notify[k];
			notify_zone(srv->notify, z, (const struct sockaddr *)&t->ss, t->len, t->text,
				    t->key >= 0 ? &s->xfr->keys[t->key] : NULL);
		}
	}
}

/* Make r the live data (r's conf and zones are taken). */
int server_install(struct server *srv, struct load_result *r)
{
	struct tap *tap = NULL;
	int tap_swap = tap_changed(srv, &r->conf), had_tap = srv->tap != NULL;
	int ret = tap_swap ? tap_new(srv, &r->conf, &tap) : STEER_EOK;

	if (ret == STEER_EOK)
		ret = publish(srv, &r->conf, load_take_zones(r), &r->steer, tap_swap ? &tap : NULL);
	if (ret == STEER_EOK && tap_swap && (had_tap || srv->tap))
		log_notice("dnstap: %s", srv->tap ? "configuration applied" : "off");
	server_tap_free(srv, tap); /* the replaced one (writes out what it queued), or the unused new one */
	if (ret != STEER_EOK)
		return ret;
	server_conf_clear(&srv->conf);
	srv->conf = r->conf;
	memset(&r->conf, 0, sizeof(r->conf));
	apply_logging(srv, &srv->conf);
	if (srv->tcp) {
		struct tcp_limits lim;
		server_conf_tcp_limits(&srv->conf, &lim);
		tcp_server_set_limits(srv->tcp, &lim);
	}
	return STEER_EOK;
}

/* READY=1 with a one-line STATUS for `systemctl status`; failed names the
 * zones of the last reload that did not load (kept at their old version). */
void server_notify_serving(struct server *srv, size_t failed)
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
		server_warn_restart_only(srv, &r);
		metrics_check_listen(srv->metrics, &r.conf.metrics_listen);
		ret = server_install(srv, &r);
		if (ret != STEER_EOK)
			errlist_add(&mine, "%s: %s", srv->config_path, steer_strerror(ret));
		load_result_clear(&r);
	}
	metrics_count_reload(srv->metrics, ret == STEER_EOK);
	if (ret != STEER_EOK) {
		server_log_errors(&mine);
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
		server_log_errors(&mine);
		log_err("%zu zone%s did not load (kept at the old version, or not served if new)", zone_failures,
			zone_failures == 1 ? "" : "s");
		errlist_splice(errs, &mine);
	}
	errlist_clear(&mine);
	server_notify_serving(srv, zone_failures);
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
	ret = zone_load(zc->name, zc->file, errs, &z);
	/* The same steps as a full reload's (zoneset.c): the served serial,
	 * then signing, each beside the live version. */
	if (ret == STEER_EOK && ((zc->pre && zc->pre(z, zonedb_zone_named(db, zc->name), zc->pre_arg, errs) != 0) ||
				 (zc->post && zc->post(z, zonedb_zone_named(db, zc->name), zc->post_arg, errs) != 0))) {
		zone_free(z);
		ret = STEER_EINVAL;
	}
	if (ret != STEER_EOK) {
		server_log_errors(errs);
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
		server_log_errors(errs);
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

