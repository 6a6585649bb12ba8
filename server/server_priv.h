/*
 * server_priv.h -- the process's own state, shared by server.c (startup,
 * signals, threads, the control operations) and reload.c (loading beside
 * the live data and publishing it). Private to the server/ root: nothing
 * else includes it.
 */
#ifndef STEER_SERVER_PRIV_H
#define STEER_SERVER_PRIV_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "server/conf.h"
#include "server/metrics/dnstap.h"
#include "server/net/listen.h"
#include "server/net/observer.h"
#include "server/zone/snapshot.h"
#include "common/privs.h"

struct errlist;
struct load_result;

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
	unsigned nxdp;              /* AF_XDP threads (one per queue of server.xdp.interface); 0 = none */
	long long conf_workers;     /* "workers" as configured at startup */
	char *control_path;         /* owned; NULL = no control socket */
	struct privs privs;         /* owned: server.user/group as at startup */
	int dropped;                /* privileges were dropped: no port below 1024 can be bound now */
	/* Live state: */
	struct snap_domain snaps;
	uint64_t generation;
	time_t started_at;
	struct stats *stats;        /* owned: blocks 0..nworkers*naddrs-1 UDP, then TCP, then nxdp AF_XDP */
	struct udp_workers *udp;    /* owned */
	struct xdp_listener *xdp;   /* owned; NULL = no AF_XDP listener */
	struct tcp_server *tcp;     /* owned */
	struct event_base *base;    /* owned: the main loop */
	struct control *ctl;        /* owned */
	struct event *resign;       /* owned: re-signs zones whose signatures near expiry (resign.c) */
	struct health_link *hl;     /* owned: steer-healthd subscription (steering) */
	struct tap *tap;            /* owned; NULL = no dnstap */
	struct dnstap_counters tap_past; /* counts of the dnstap instances a reload replaced */
	struct metrics *metrics;    /* owned: counters per snapshot, fall-open log, /metrics */
	struct sigcache *sigcache;  /* owned: signatures of steered answers, shared by every answering
				       thread and kept across reloads; sized at startup (server.sigcache_entries) */
	long long conf_sigcache;    /* server.sigcache_entries as at startup */
	char conf_io[160];          /* server.udp_io and server.xdp as at startup (server_io_settings) */
	struct event *keyroll;      /* owned: the key rollover timer (keyroll.c) */
	struct notify *notify;      /* owned: NOTIFY out to the zones' secondaries (server/xfr/notify.h) */
	struct event *sig[3];       /* owned: SIGHUP, SIGTERM, SIGINT */
};


/* server.c: server.udp_io and server.xdp as one string, so that a reload
 * can tell that they changed (both take effect only at a start). */
void server_io_settings(const struct server_conf *c, char *buf, size_t len);

/* resign.c: the timer that re-signs signed zones before their signatures
 * expire, through server_reload_zone(). */
int server_resign_start(struct server *srv);

/* reload.c */
int server_install(struct server *srv, struct load_result *r);
void server_log_errors(const struct errlist *errs);
void server_notify_serving(struct server *srv, size_t failed);
json_t *server_ops_dnstap_stats(void *arg);
size_t server_stats_blocks(const struct server *srv);
void server_tap_attach(struct server *srv);
void server_tap_free(struct server *srv, struct tap *tap);
void server_warn_restart_only(const struct server *srv, const struct load_result *r);
void server_notify_secondaries(struct server *srv, const struct snapshot *prev, const struct snapshot *s);

#endif
