/* monitor.c -- schedule probes, feed verdicts to the state machines, keep overrides. */
#include "config.h"
#include "healthd/monitor.h"
#include "common/errlist.h"
#include "common/errors.h"
#include "common/log.h"
#include "common/pools.h"
#include "healthd/probe.h"
#include "healthd/state_file.h"
#include "healthd/target.h"

#include <arpa/inet.h>
#include <event2/event.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

struct mtarget {
	struct monitor *m;                      /* borrowed: the owner */
	const struct health_target_conf *conf;  /* borrowed from m->pc */
	const struct check_conf *check;         /* borrowed from m->pc */
	const struct probe_ops *ops;
	struct target_state st;
	struct monitor_counters counters;
	struct event *timer;                    /* owned: next run, or the running probe's timeout */
	struct probe probe;                     /* valid while running */
	int running;
	struct timespec started;                /* monotonic start of the last run */
};

struct monitor {
	struct probe_env *env;       /* borrowed */
	struct pools_conf pc;        /* owned: what is being run */
	void **tls;                  /* owned: SSL_CTX per check (NULL for non-https) */
	struct mtarget *t;           /* owned array, pc.ntargets long */
	size_t n;
	struct monitor_hooks hooks;
	int applied;                 /* a config was applied once (overrides restored) */
};

static int64_t now_unix(void)
{
	return (int64_t)time(NULL);
}

static double seconds_since(const struct timespec *a)
{
	struct timespec b;
	clock_gettime(CLOCK_MONOTONIC, &b);
	return (double)(b.tv_sec - a->tv_sec) + (double)(b.tv_nsec - a->tv_nsec) / 1e9;
}

static long ms_since(const struct timespec *a)
{
	return (long)(seconds_since(a) * 1000);
}

/* Check durations, from a loopback TCP connect (well under 1 ms) to an HTTPS
 * or DNS check near a 10 s timeout. */
static const double duration_bounds[] = { 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
					  0.1,    0.25,  0.5,    1,     2.5,  5,     10 };

static void counters_init(struct monitor_counters *c)
{
	memset(c, 0, sizeof(*c));
	prom_hist_init(&c->duration, duration_bounds, sizeof(duration_bounds) / sizeof(duration_bounds[0]));
}

static void set_timer(struct mtarget *t, long ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };
	evtimer_add(t->timer, &tv);
}

static json_t *target_json(const struct mtarget *t)
{
	struct health_status s = { 0 };

	s.name = t->conf->name;
	s.check = t->check->name;
	s.address = (char *)t->conf->addr.text;
	s.type = (char *)check_type_name(t->check->type);
	s.port = t->check->port;
	target_state_export(&t->st, &s);
	return health_status_encode(&s);
}

static void notify_change(struct mtarget *t)
{
	json_t *j;

	if (!t->m->hooks.change)
		return;
	j = target_json(t);
	if (j) {
		t->m->hooks.change(j, t->m->hooks.arg);
		json_decref(j);
	}
}

/* One run ended (now): count it, time it, feed the state machine. */
static void record(struct mtarget *t, enum monitor_result result, const char *reason)
{
	enum health_state before = t->st.state;
	double secs = seconds_since(&t->started);
	long latency = (long)(secs * 1000);

	t->counters.runs[result]++;
	prom_hist_observe(&t->counters.duration, secs);
	if (target_state_verdict(&t->st, result == MONITOR_OK, reason, latency, t->check->fall, t->check->rise,
				 now_unix())) {
		log_notice("%s: %s -> %s (%s)", t->conf->name, health_state_name(before),
			   health_state_name(t->st.state), t->st.last);
		notify_change(t);
	} else {
		log_debug("%s: %s (%ld ms)", t->conf->name, t->st.last, latency);
	}
}

/* The interval to the next run (HAProxy's inter/fastinter/downinter):
 * fastinter while the target is changing state (a probe disagreed with
 * the state and fall/rise has not decided yet), so the verdict comes
 * sooner; downinter while it is down and nothing says otherwise, so a dead
 * backend is not probed as often as a live one. */
uint32_t monitor_next_interval(const struct check_conf *c, const struct target_state *st)
{
	if ((st->state == HEALTH_UP && st->fail_count > 0) || (st->state == HEALTH_DOWN && st->ok_count > 0))
		return c->fastinter_ms;
	if (st->state == HEALTH_DOWN)
		return c->downinter_ms;
	return c->interval_ms;
}

/* Next run: one interval after this one started, at once if it took longer. */
static void schedule_next(struct mtarget *t)
{
	long left = (long)monitor_next_interval(t->check, &t->st) - ms_since(&t->started);
	set_timer(t, left > 0 ? left : 0);
}

static void probe_done(struct probe *p, int ok)
{
	struct mtarget *t = p->arg;

	t->running = 0;
	evtimer_del(t->timer);
	record(t, ok ? MONITOR_OK : MONITOR_FAIL, p->reason);
	schedule_next(t);
}

static void start_probe(struct mtarget *t)
{
	struct probe *p = &t->probe;

	memset(p, 0, sizeof(*p));
	p->env = t->m->env;
	p->check = t->check;
	p->addr = &t->conf->addr;
	p->tls_ctx = t->m->tls[t->conf->check];
	p->done = probe_done;
	p->arg = t;
	if (t->conf->addr.family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&p->sa;
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)t->check->port);
		memcpy(&sin->sin_addr, t->conf->addr.bytes, 4);
		p->salen = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&p->sa;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)t->check->port);
		memcpy(&sin6->sin6_addr, t->conf->addr.bytes, 16);
		p->salen = sizeof(*sin6);
	}
	clock_gettime(CLOCK_MONOTONIC, &t->started);
	if (t->ops->start(p) != 0) {
		record(t, MONITOR_FAIL, p->reason);
		schedule_next(t);
		return;
	}
	t->running = 1;
	set_timer(t, (long)t->check->timeout_ms);
}

static void timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct mtarget *t = arg;
	char why[64];

	if (!t->running) {
		start_probe(t);
		return;
	}
	t->ops->cancel(&t->probe);
	t->running = 0;
	snprintf(why, sizeof(why), "timeout after %u ms", t->check->timeout_ms);
	record(t, MONITOR_TIMEOUT, why);
	schedule_next(t);
}

static void stop_target(struct mtarget *t)
{
	if (t->running)
		t->ops->cancel(&t->probe);
	t->running = 0;
	if (t->timer)
		event_free(t->timer);
	t->timer = NULL;
}

static void free_targets(struct monitor *m)
{
	for (size_t i = 0; i < m->n; i++)
		stop_target(&m->t[i]);
	free(m->t);
	m->t = NULL;
	m->n = 0;
	for (size_t i = 0; m->tls && i < m->pc.nchecks; i++)
		check_http_tls_free(m->tls[i]);
	free(m->tls);
	m->tls = NULL;
	pools_conf_clear(&m->pc);
}

struct monitor *monitor_new(struct probe_env *env)
{
	struct monitor *m = calloc(1, sizeof(*m));
	if (m)
		m->env = env;
	return m;
}

void monitor_free(struct monitor *m)
{
	if (!m)
		return;
	free_targets(m);
	free(m);
}

void monitor_set_hooks(struct monitor *m, const struct monitor_hooks *h)
{
	m->hooks = *h;
}

size_t monitor_ntargets(const struct monitor *m)
{
	return m->n;
}

void monitor_target_view(const struct monitor *m, size_t i, struct monitor_target_view *out)
{
	const struct mtarget *t = &m->t[i];

	out->name = t->conf->name;
	out->check = t->check->name;
	out->address = t->conf->addr.text;
	out->st = &t->st;
	out->counters = &t->counters;
}

static void **make_tls(const struct pools_conf *pc, struct errlist *errs)
{
	void **tls = calloc(pc->nchecks + 1, sizeof(*tls));
	char err[256];

	for (size_t i = 0; tls && i < pc->nchecks; i++) {
		if (pc->checks[i].type != CHECK_HTTPS)
			continue;
		if (!(tls[i] = check_http_tls_new(&pc->checks[i], err, sizeof(err)))) {
			errlist_add(errs, "check %s: %s", pc->checks[i].name, err);
			for (size_t j = 0; j < i; j++)
				check_http_tls_free(tls[j]);
			free(tls);
			return NULL;
		}
	}
	return tls;
}

static void restore_overrides(struct monitor *m)
{
	json_t *admin, *v;
	const char *name;

	state_file_load(m->pc.state_file, &admin);
	json_object_foreach(admin, name, v) {
		enum health_admin a;
		size_t i = pools_find_target(&m->pc, name);
		if (i == POOLS_NO_TARGET || i >= m->n || health_admin_parse(json_string_value(v), &a) != 0) {
			log_warn("%s: ignoring the override of %s (no such target or bad value)", m->pc.state_file, name);
			continue;
		}
		m->t[i].st.admin = a;
		log_notice("%s: admin %s (restored from %s)", name, health_admin_name(a), m->pc.state_file);
	}
	json_decref(admin);
}

static uint32_t jitter_ms(uint32_t interval_ms)
{
	uint32_t r;
	if (getrandom(&r, sizeof(r), 0) != sizeof(r))
		r = (uint32_t)rand();
	return interval_ms ? r % interval_ms : 0;
}

int monitor_apply(struct monitor *m, struct pools_conf *pc, struct errlist *errs)
{
	void **tls = make_tls(pc, errs);
	struct mtarget *nt = calloc(pc->ntargets + 1, sizeof(*nt));
	int64_t now = now_unix();

	if (!tls || !nt) {
		free(nt);
		free(tls);
		if (!errlist_count(errs))
			errlist_add(errs, "out of memory");
		return STEER_EINVAL;
	}
	for (size_t i = 0; i < pc->ntargets; i++) {
		struct mtarget *t = &nt[i];
		t->conf = &pc->targets[i];
		t->check = &pc->checks[t->conf->check];
		t->ops = probe_ops_for(t->check->type);
		target_state_init(&t->st, now);
		counters_init(&t->counters);
		/* m->t[j] is target j of the old config, m->pc (by name: no n^2 at 100,000 targets). */
		size_t j = pools_find_target(&m->pc, t->conf->name);
		if (j != POOLS_NO_TARGET && j < m->n) {
			t->st = m->t[j].st;
			t->counters = m->t[j].counters;
		}
	}
	/* Names are copied above, so the old config can go now. */
	free_targets(m);
	m->pc = *pc;
	memset(pc, 0, sizeof(*pc));
	m->tls = tls;
	m->t = nt;
	m->n = m->pc.ntargets;
	if (!m->applied)
		restore_overrides(m);
	for (size_t i = 0; i < m->n; i++) {
		struct mtarget *t = &m->t[i];
		t->m = m;
		t->timer = evtimer_new(m->env->base, timer_cb, t);
		if (!t->timer) {
			log_err("out of memory starting %s", t->conf->name);
			continue;
		}
		set_timer(t, (long)jitter_ms(t->check->interval_ms));
	}
	/* No snapshot is built here: at 100,000 targets that is seconds of
	 * JSON; the server sends it in parts from monitor_snapshot_range(). */
	if (m->applied && m->hooks.resnapshot)
		m->hooks.resnapshot(NULL, m->hooks.arg);
	m->applied = 1;
	log_info("monitoring %zu targets of %zu checks", m->n, m->pc.nchecks);
	return 0;
}

json_t *monitor_snapshot(const struct monitor *m)
{
	return monitor_snapshot_range(m, 0, m->n);
}

json_t *monitor_snapshot_range(const struct monitor *m, size_t from, size_t n)
{
	json_t *a = json_array();

	for (size_t i = from; a && i < m->n && i - from < n; i++)
		json_array_append_new(a, target_json(&m->t[i]));
	return a;
}

static json_t *admin_map(const struct monitor *m)
{
	json_t *o = json_object();

	for (size_t i = 0; o && i < m->n; i++)
		if (m->t[i].st.admin != HEALTH_ADMIN_AUTO)
			json_object_set_new(o, m->t[i].conf->name, json_string(health_admin_name(m->t[i].st.admin)));
	return o;
}

static int selected(const struct mtarget *t, const char *sel, const struct pools_addr *addr)
{
	return addr ? pools_addr_equal(&t->conf->addr, addr) : strcmp(t->conf->name, sel) == 0;
}

int monitor_set_admin(struct monitor *m, const char *sel, enum health_admin admin, json_t **changed,
		      char *err, size_t errlen)
{
	struct pools_addr a, *addr = pools_addr_parse(sel, &a) == 0 ? &a : NULL;
	enum health_admin *old = calloc(m->n + 1, sizeof(*old));
	int64_t now = now_unix();
	size_t hits = 0;
	json_t *map;
	int ret;

	if (!old) {
		snprintf(err, errlen, "out of memory");
		return STEER_ENOMEM;
	}
	for (size_t i = 0; i < m->n; i++) {
		old[i] = m->t[i].st.admin;
		if (selected(&m->t[i], sel, addr)) {
			hits++;
			m->t[i].st.admin = admin;
		}
	}
	if (hits == 0) {
		free(old);
		snprintf(err, errlen, "no target %s \"%s\"", addr ? "with address" : "named", sel);
		return STEER_ENOENT;
	}
	map = admin_map(m);
	ret = map ? state_file_save(m->pc.state_file, map) : STEER_ENOMEM;
	json_decref(map);
	*changed = ret == 0 ? json_array() : NULL;
	for (size_t i = 0; i < m->n; i++) {
		struct mtarget *t = &m->t[i];
		if (!selected(t, sel, addr))
			continue;
		if (ret != 0) {
			t->st.admin = old[i];
			continue;
		}
		if (old[i] != admin) {
			t->st.admin = old[i];
			target_state_set_admin(&t->st, admin, now);
			log_notice("%s: admin %s -> %s", t->conf->name, health_admin_name(old[i]), health_admin_name(admin));
			notify_change(t);
		}
		json_array_append_new(*changed, target_json(t));
	}
	free(old);
	if (ret != 0)
		snprintf(err, errlen, "cannot save the state file %s: %s (nothing changed)", m->pc.state_file,
			 steer_strerror(ret));
	return ret;
}
