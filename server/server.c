/*
 * server.c -- the steerdns process: startup, shutdown, signals, threads and
 * the control operations (reloading is reload.c).
 *
 * Startup order, so that only binding needs root: read the config and its
 * listen addresses (load_listen), bind every UDP and TCP socket, drop to
 * server.user (privs_drop), then read everything again with the zones
 * (load_all) and open the control socket as that user. Zone files are thus
 * read by the same user at startup and at every reload.
 */
#include "config.h"
#include "server/server.h"
#include "server/server_priv.h"
#include "server/xfr/notify.h"
#include "server/answer/answer.h"
#include "server/ctl/control.h"
#include "server/dnssec/sigcache.h"
#include "server/metrics/metrics.h"
#include "server/steer/health_link.h"
#include "server/steer/steer_build.h"
#include "server/net/listen.h"
#include "server/keyroll.h"
#include "server/load.h"
#include "server/metrics/dnstap.h"
#include "server/net/observer.h"
#include "server/net/stats.h"
#include "server/net/tcp.h"
#include "server/net/udp.h"
#include "server/net/xdp.h"
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

static const struct xdp_listener *ops_xdp(void *arg)
{
	const struct server *srv = arg;
	return srv->xdp;
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

static const struct sigcache *ops_sigcache(void *arg)
{
	const struct server *srv = arg;
	return srv->sigcache;
}

static const struct health_link *ops_health_link(void *arg)
{
	const struct server *srv = arg;
	return srv->hl;
}

static int ops_dnssec_roll(void *arg, const char *zone, const char *role, struct errlist *errs)
{
	if (strcasecmp(role, "ksk") != 0 && strcasecmp(role, "zsk") != 0) {
		errlist_add(errs, "role \"%s\": expected \"ksk\" or \"zsk\"", role);
		return STEER_EINVAL;
	}
	return keyroll_roll(arg, zone, strcasecmp(role, "ksk") == 0 ? DNSSEC_KSK : DNSSEC_ZSK, errs);
}

static int ops_dnssec_ds_seen(void *arg, const char *zone, unsigned tag, struct errlist *errs)
{
	return keyroll_ds_seen(arg, zone, (uint16_t)tag, errs);
}

/* The metrics reach the process through these (server/metrics/metrics.h). */
static const struct metrics_ops server_metrics_ops = {
	.snapshot = ops_snapshot,
	.stats = ops_stats,
	.health_link = ops_health_link,
	.tcp_connections = ops_tcp_connections,
	.started_at = ops_started_at,
	.sigcache = ops_sigcache,
	.xdp = ops_xdp,
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
	.dnstap_stats = server_ops_dnstap_stats,
	.dnssec_roll = ops_dnssec_roll,
	.dnssec_ds_seen = ops_dnssec_ds_seen,
};

void server_io_settings(const struct server_conf *c, char *buf, size_t len)
{
	snprintf(buf, len, "udp_io=%s xdp=%s@%lld/%s", c->udp_io ? c->udp_io : "recvmmsg",
		 c->xdp.interface ? c->xdp.interface : "none", c->xdp.port, c->xdp.mode ? c->xdp.mode : "auto");
}

/* Steal what stays fixed for the process lifetime from the first read. */
static int take_fixed(struct server *srv, struct load_result *r)
{
	srv->addrs = r->addrs;
	srv->naddrs = r->naddrs;
	r->addrs = NULL;
	srv->conf_workers = r->conf.workers;
	srv->nworkers = worker_count(r->conf.workers);
	/* The AF_XDP threads' stats blocks are counted before the listener
	 * exists (the first snapshot is published before the binds). */
	if (r->conf.xdp.interface)
		srv->nxdp = xdp_queue_count(&r->conf.xdp);
	srv->privs = r->conf.privs;
	memset(&r->conf.privs, 0, sizeof(r->conf.privs));
	srv->conf_sigcache = r->conf.sigcache_entries;
	server_io_settings(&r->conf, srv->conf_io, sizeof(srv->conf_io));
	if (!(srv->sigcache = sigcache_new((size_t)r->conf.sigcache_entries)))
		return STEER_ENOMEM;
	if (r->conf.control_socket && !(srv->control_path = strdup(r->conf.control_socket)))
		return STEER_ENOMEM;
	return STEER_EOK;
}

static struct server *not_starting(struct server *srv, struct errlist *errs)
{
	server_log_errors(errs);
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
	size_t nudp = (size_t)srv->nworkers * srv->naddrs;
	struct tcp_limits lim;
	char why[300];
	int ret;

	srv->stats = stats_new(server_stats_blocks(srv));
	srv->base = event_base_new();
	if (!srv->stats || !srv->base)
		return STEER_ENOMEM;
	/* TCP first: its bind fails when another server holds the port, where
	 * SO_REUSEPORT on UDP would silently share it with a server of ours. */
	server_conf_tcp_limits(c, &lim);
	ret = tcp_server_new(&srv->tcp, srv->addrs, srv->naddrs, &srv->snaps, stats_block(srv->stats, nudp), &lim);
	if (ret == STEER_EOK)
		ret = udp_workers_new(&srv->udp, (unsigned)nudp, srv->addrs, srv->naddrs, &srv->snaps, srv->stats, 0);
	if (ret == STEER_EOK && c->udp_io && strcmp(c->udp_io, "io_uring") == 0)
		udp_workers_set_io(srv->udp, UDP_IO_URING);
	/* AF_XDP after the sockets: TCP (and UDP for other addresses) stay
	 * on them; the XDP program takes only UDP to server.xdp.port. */
	if (ret == STEER_EOK && c->xdp.interface &&
	    (ret = xdp_listener_new(&srv->xdp, &c->xdp, &srv->snaps, srv->stats, nudp + 1, why, sizeof(why))) != STEER_EOK)
		log_err("%s: server/xdp: %s", srv->config_path, why);
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
	if (ret == STEER_EOK && (ret = notify_new(&srv->notify, srv->base)) == STEER_EOK)
		server_notify_secondaries(srv, NULL, snap_current(&srv->snaps));
	if (ret == STEER_EOK)
		server_tap_attach(srv); /* server_install() made srv->tap before the engines existed */
	if (ret == STEER_EOK)
		ret = keyroll_start(srv);
	for (int i = 0; ret == STEER_EOK && i < 3; i++) {
		srv->sig[i] = evsignal_new(srv->base, sigs[i], on_signal, srv);
		if (!srv->sig[i] || evsignal_add(srv->sig[i], NULL) < 0)
			ret = STEER_ENOMEM;
	}
	if (ret == STEER_EOK)
		ret = server_resign_start(srv);
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
		server_warn_restart_only(srv, &r); /* the file changed since the sockets were bound */
		ret = server_install(srv, &r);
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
	if (ret == STEER_EOK && srv->xdp)
		ret = xdp_listener_start(srv->xdp);
	if (ret == STEER_EOK) {
		size_t nz = zonedb_count(snap_current(&srv->snaps)->zones);
		log_notice("steerdns %s: serving %zu zone%s on %zu address%s (first %s), %u UDP worker%s", STEER_VERSION,
			   nz, nz == 1 ? "" : "s", srv->naddrs, srv->naddrs == 1 ? "" : "es", srv->addrs[0].text,
			   srv->nworkers, srv->nworkers == 1 ? "" : "s");
		server_notify_serving(srv, 0);
		event_base_dispatch(srv->base);
	}
	xdp_listener_stop(srv->xdp);
	udp_workers_stop(srv->udp);
	tcp_server_stop(srv->tcp);
	return ret;
}

void server_free(struct server *srv)
{
	if (!srv)
		return;
	/* Threads first (they read the snapshot), then what they used. */
	xdp_listener_free(srv->xdp);
	udp_workers_free(srv->udp);
	tcp_server_free(srv->tcp);
	server_tap_free(srv, srv->tap); /* writes out what is queued */
	control_free(srv->ctl);
	keyroll_stop(srv);
	health_link_free(srv->hl);
	notify_free(srv->notify);
	metrics_free(srv->metrics);
	for (int i = 0; i < 3; i++)
		if (srv->sig[i])
			event_free(srv->sig[i]);
	if (srv->resign)
		event_free(srv->resign);
	if (srv->base)
		event_base_free(srv->base);
	snap_domain_clear(&srv->snaps);
	sigcache_free(srv->sigcache); /* after the snapshots: their answer_env points at it */
	stats_free(srv->stats);
	server_conf_clear(&srv->conf);
	free(srv->addrs);
	free(srv->control_path);
	privs_clear(&srv->privs);
	free(srv->config_path);
	free(srv);
}

