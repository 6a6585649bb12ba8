/*
 * main.c -- steer-healthd: options, config, signals and the event loop.
 *
 *   steer-healthd -c CONFIG [-f] [--check]
 *
 * Runs in the foreground (-f is accepted for symmetry with other daemons;
 * supervision is left to systemd or the like). SIGHUP re-reads the config:
 * on errors the running check set stays; targets that remain keep their
 * state. SIGTERM/SIGINT stop the loop; the socket file is removed on exit.
 * With healthd.metrics_listen set, Prometheus metrics are served there
 * (healthd/metrics.c), from the same loop.
 *
 * Started as root with healthd.user set, it drops to that user right after
 * the first config read and the metrics listener, so the state file, the
 * socket and every check (exec checks included) run as the user.
 * systemd hears READY=1, RELOADING=1/READY=1 and STOPPING=1 (common/notify.h).
 */
#include "config.h"
#include "common/conf.h"
#include "common/errlist.h"
#include "common/errors.h"
#include "common/log.h"
#include "common/notify.h"
#include "common/pools.h"
#include "common/prom.h"
#include "healthd/metrics.h"
#include "common/privs.h"
#include "healthd/monitor.h"
#include "healthd/probe.h"
#include "healthd/publish.h"
#include "healthd/server.h"

#include <event2/event.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct healthd {
	const char *config_path;   /* borrowed from argv */
	struct event_base *base;   /* owned */
	struct probe_env env;
	struct monitor *mon;       /* owned */
	struct healthd_server *srv;        /* owned */
	char *socket_path;         /* owned: the socket we listen on (fixed until restart) */
	struct conf_strlist metrics_listen; /* owned: taken from the first config (fixed until restart) */
	struct prom_server *prom;  /* owned; NULL without metrics_listen */
	struct healthd_publish *pub; /* owned; NULL without healthd.publish */
	unsigned heartbeat_ms;     /* healthd.publish.heartbeat, as at startup */
	char *token;               /* owned: healthd.publish.token as at startup, or NULL */
	struct healthd_metrics metrics;
	struct privs privs;        /* owned: healthd.user/group as at startup */
};

/* Same addresses in the same order. */
static int strlist_equal(const struct conf_strlist *a, const struct conf_strlist *b)
{
	if (a->n != b->n)
		return 0;
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->v[i], b->v[i]) != 0)
			return 0;
	return 1;
}

static void print_errs(struct errlist *errs)
{
	for (size_t i = 0; i < errs->n; i++)
		log_err("%s", errs->msgs[i]);
	if (errs->lost)
		log_err("(%zu more errors)", errs->lost);
}

/* Load and validate the config into pc; every error goes to errs.
 * Returns 0 or 1. */
static int load_config_errs(const char *path, struct pools_conf *pc, struct errlist *errs)
{
	struct conf_file cf;
	int nerr = 1;

	memset(pc, 0, sizeof(*pc));
	if (conf_file_load(path, &cf, errs) == 0) {
		nerr = pools_conf_load(&cf, pc, errs);
		conf_file_clear(&cf);
	}
	if (nerr)
		pools_conf_clear(pc);
	return nerr ? 1 : 0;
}

/* The socket's and the state file's directories must be writable by the
 * user healthd runs as (or will, for --check). Returns 0 or 1 (logged). */
static int check_dirs(const char *path, const struct pools_conf *pc)
{
	struct conf_file cf;
	struct errlist errs;
	int nerr = 1;

	errlist_init(&errs);
	if (conf_file_load(path, &cf, &errs) == 0) { /* again, for the line numbers */
		nerr = pools_conf_check_dirs(&cf, pc, &errs);
		conf_file_clear(&cf);
	}
	print_errs(&errs);
	errlist_clear(&errs);
	return nerr ? 1 : 0;
}

static void notify_running(const struct healthd *hd)
{
	notify_ready("monitoring %zu target%s, socket %s", monitor_ntargets(hd->mon),
		     monitor_ntargets(hd->mon) == 1 ? "" : "s", hd->socket_path);
}

static int same_str(const char *a, const char *b)
{
	return (a == NULL) == (b == NULL) && (!a || strcmp(a, b) == 0);
}

/* The same, errors logged. */
static int load_config(const char *path, struct pools_conf *pc)
{
	struct errlist errs;
	int ret;

	errlist_init(&errs);
	ret = load_config_errs(path, pc, &errs);
	print_errs(&errs);
	errlist_clear(&errs);
	return ret;
}

/* Re-read the config; on any error the running checks stay and errs says
 * why. Returns 0 or 1. */
static int reload(struct healthd *hd, const char *why, struct errlist *errs)
{
	struct pools_conf pc;
	int ret = 1;

	log_notice("%s: reloading %s", why, hd->config_path);
	notify_reloading();
	if (load_config_errs(hd->config_path, &pc, errs) == 0) {
		if (strcmp(pc.socket, hd->socket_path) != 0)
			log_warn("healthd.socket changed to %s; it takes effect at restart", pc.socket);
		if (!strlist_equal(&pc.metrics_listen, &hd->metrics_listen))
			log_warn("healthd.metrics_listen changed; it takes effect at restart");
		if ((pc.publish.listen.n > 0) != (hd->pub != NULL))
			log_warn("healthd.publish changed; it takes effect at restart");
		if (!same_str(pc.privs.user, hd->privs.user) || !same_str(pc.privs.group, hd->privs.group))
			log_warn("healthd.user/group changed; it takes effect at restart");
		log_init("steer-healthd", pc.syslog, log_level_parse(pc.log_level));
		ret = monitor_apply(hd->mon, &pc, errs) != 0;
		pools_conf_clear(&pc);
	}
	if (ret) {
		print_errs(errs);
		log_err("reload failed; the running checks stay as they were");
		hd->metrics.reloads_failed++;
	} else {
		hd->metrics.reloads_ok++;
	}
	notify_running(hd);
	return ret;
}

/* The health protocol's "reload" (sent by steerdns after its own reload):
 * only for the file this daemon reads, so the two never run different
 * configs by accident. */
static int reload_cmd(const char *config, struct errlist *errs, void *arg)
{
	struct healthd *hd = arg;
	char *want = realpath(config, NULL), *have = realpath(hd->config_path, NULL);
	int ret;

	if (!want || !have || strcmp(want, have) != 0) {
		errlist_add(errs, "steer-healthd reads %s, not %s: not reloading (start both daemons with the same -c)",
			    have ? have : hd->config_path, config);
		log_err("reload request for %s refused: this daemon reads %s", config, hd->config_path);
		ret = 1;
	} else {
		ret = reload(hd, "reload requested by steerdns", errs);
	}
	free(want);
	free(have);
	return ret;
}

static void signal_cb(evutil_socket_t sig, short what, void *arg)
{
	struct healthd *hd = arg;

	switch (sig) {
	case SIGHUP: {
		struct errlist errs;
		errlist_init(&errs);
		reload(hd, "SIGHUP", &errs);
		errlist_clear(&errs);
		break;
	}
	case SIGCHLD:
		check_exec_reap(&hd->env);
		break;
	default:
		log_notice("signal %d: exiting", (int)sig);
		notify_stopping();
		event_base_loopexit(hd->base, NULL);
	}
}

/* Housekeeping: reap children even if a SIGCHLD was coalesced or missed. */
static void cron_cb(evutil_socket_t fd, short what, void *arg)
{
	struct healthd *hd = arg;
	check_exec_reap(&hd->env);
}

static int become_user(const char *config_path, const struct privs *p)
{
	char why[320];
	int ret = privs_drop(p, why, sizeof(why));

	if (ret < 0) {
		log_err("%s: healthd.user: %s", config_path, why);
		return 1;
	}
	if (ret == 1)
		log_notice("running as user %s (uid %u, gid %u)", p->user, (unsigned)p->uid, (unsigned)p->gid);
	return 0;
}

static int run(struct healthd *hd, struct pools_conf *pc)
{
	static const int sigs[] = { SIGHUP, SIGTERM, SIGINT, SIGCHLD };
	struct event *sev[4] = { 0 }, *cron;
	struct timeval sec = { 1, 0 };
	struct errlist errs;
	char why[300];
	int err = 0, rc = 1;

	hd->base = event_base_new();
	hd->env.base = hd->base;
	hd->mon = hd->base ? monitor_new(&hd->env) : NULL;
	hd->socket_path = strdup(pc->socket);
	/* monitor_apply() takes pc whole; the listen addresses stay with us. */
	hd->metrics_listen = pc->metrics_listen;
	memset(&pc->metrics_listen, 0, sizeof(pc->metrics_listen));
	if (!hd->mon || !hd->socket_path) {
		log_err("out of memory");
		goto out;
	}
	/* The metrics port, like any listening port, is bound before the drop
	 * (one below 1024 needs root). */
	hd->metrics.mon = hd->mon;
	if (hd->metrics_listen.n > 0) {
		hd->prom = prom_server_new(hd->base, &hd->metrics_listen, healthd_metrics_collect, &hd->metrics, why,
					   sizeof(why));
		if (!hd->prom) {
			log_err("%s", why);
			goto out;
		}
	}
	/* The TLS port too; its certificates are read now, as root. */
	if (pc->publish.listen.n > 0) {
		hd->pub = healthd_publish_new(hd->base, &pc->publish, why, sizeof(why));
		if (!hd->pub) {
			log_err("%s: %s", hd->config_path, why);
			goto out;
		}
	}
	hd->heartbeat_ms = pc->publish.heartbeat_ms;
	hd->token = pc->publish.token;
	pc->publish.token = NULL;
	/* From here on as the user: the state file, the socket, the checks. */
	if (become_user(hd->config_path, &pc->privs) != 0 || check_dirs(hd->config_path, pc) != 0)
		goto out;
	hd->privs = pc->privs; /* taken: fixed until restart (monitor_apply takes the rest of pc) */
	memset(&pc->privs, 0, sizeof(pc->privs));
	errlist_init(&errs);
	err = monitor_apply(hd->mon, pc, &errs);
	print_errs(&errs);
	errlist_clear(&errs);
	if (err != 0)
		goto out;
	hd->srv = healthd_server_new(hd->base, hd->socket_path, hd->mon, &err);
	if (!hd->srv) {
		log_err("%s: cannot listen: %s", hd->socket_path, steer_strerror(err));
		goto out;
	}
	healthd_server_set_reload(hd->srv, reload_cmd, hd);
	if (healthd_server_set_publish(hd->srv, hd->heartbeat_ms, hd->token) != STEER_EOK) {
		log_err("out of memory");
		goto out;
	}
	healthd_publish_attach(hd->pub, hd->srv);
	if (privs_own_socket(&hd->privs, hd->socket_path) != 0)
		log_warn("%s: cannot give it to group %s: %s", hd->socket_path, privs_group_name(&hd->privs), strerror(errno));
	monitor_set_hooks(hd->mon, &(struct monitor_hooks){ healthd_server_broadcast_change, healthd_server_broadcast_snapshot, hd->srv });
	hd->metrics.srv = hd->srv; /* asked only once the loop runs */
	for (size_t i = 0; i < 4; i++) {
		sev[i] = evsignal_new(hd->base, sigs[i], signal_cb, hd);
		evsignal_add(sev[i], NULL);
	}
	cron = event_new(hd->base, -1, EV_PERSIST, cron_cb, hd);
	event_add(cron, &sec);
	log_notice("steer-healthd %s: %zu targets, socket %s%s%s%s", STEER_VERSION, monitor_ntargets(hd->mon),
		   hd->socket_path, hd->prom ? ", metrics on " : "", hd->prom ? hd->metrics_listen.v[0] : "",
		   hd->pub ? ", publishing on TCP+TLS" : "");
	notify_running(hd);
	event_base_dispatch(hd->base);
	rc = 0;
	event_free(cron);
	for (size_t i = 0; i < 4; i++)
		event_free(sev[i]);
out:
	/* Reverse order of creation: metrics, clients and socket, then probes, then the base. */
	prom_server_free(hd->prom);
	healthd_publish_free(hd->pub);
	healthd_server_free(hd->srv);
	monitor_free(hd->mon);
	check_exec_reap(&hd->env);
	free(hd->socket_path);
	free(hd->token);
	conf_strlist_clear(&hd->metrics_listen);
	privs_clear(&hd->privs);
	if (hd->base)
		event_base_free(hd->base);
	return rc;
}

/* --check: the TLS contexts (CA files) are part of what is validated. */
static int check_tls(const char *path, const struct pools_conf *pc)
{
	int rc = 0;

	for (size_t i = 0; i < pc->nchecks; i++) {
		char err[256];
		void *ctx = check_http_tls_new(&pc->checks[i], err, sizeof(err));
		if (pc->checks[i].type == CHECK_HTTPS && !ctx) {
			log_err("%s: check %s: %s", path, pc->checks[i].name, err);
			rc = 1;
		}
		check_http_tls_free(ctx);
	}
	char err[300];
	if (healthd_publish_check(&pc->publish, err, sizeof(err)) != 0) {
		log_err("%s: %s", path, err);
		rc = 1;
	}
	return rc;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: steer-healthd -c CONFIG [-f] [--check]\n"
		   "  -c, --config FILE  the steerdns JSON config (healthd, checks, pools)\n"
		   "  -f, --foreground   run in the foreground (the default)\n"
		   "      --check        validate the config and exit (0 ok, 1 errors)\n");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' }, { "foreground", no_argument, NULL, 'f' },
		{ "check", no_argument, NULL, 'C' },        { "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },      { NULL, 0, NULL, 0 },
	};
	struct healthd hd = { 0 };
	struct pools_conf pc;
	int c, check_only = 0, rc;

	while ((c = getopt_long(argc, argv, "c:fhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': hd.config_path = optarg; break;
		case 'f': break;
		case 'C': check_only = 1; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("steer-healthd %s\n", STEER_VERSION); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (!hd.config_path || optind != argc) {
		usage(stderr);
		return 2;
	}
	log_init("steer-healthd", 0, LOG_INFO);
	if (load_config(hd.config_path, &pc) != 0)
		return 1;
	if (check_only) {
		rc = check_tls(hd.config_path, &pc) | check_dirs(hd.config_path, &pc);
		if (rc == 0)
			printf("%s: ok (%zu checks, %zu pools, %zu targets)\n", hd.config_path, pc.nchecks, pc.npools,
			       pc.ntargets);
		pools_conf_clear(&pc);
		return rc;
	}
	log_init("steer-healthd", pc.syslog, log_level_parse(pc.log_level));
	signal(SIGPIPE, SIG_IGN);
	rc = run(&hd, &pc);
	pools_conf_clear(&pc);
	return rc;
}
