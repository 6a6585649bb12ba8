/* collect.c -- the steerdns_* families of one scrape (listed in steerdns(8), METRICS). */
#include "config.h"
#include "server/metrics/collect.h"
#include "server/metrics/metrics.h"
#include "server/dnssec/sigcache.h"
#include "server/net/stats.h"
#include "server/net/proxy.h"
#include "server/net/stats_snap.h"
#include "server/net/xdp.h"
#include "server/steer/health_link.h"
#include "server/steer/steer_build.h"
#include "server/steer/steer_policy.h"
#include "server/zone/snapshot.h"
#include "server/zone/zonedb.h"
#include "common/dns.h"
#include "common/prom.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void process_families(struct evbuffer *out, const struct metrics_view *v)
{
	const struct snapshot *s = v->ops->snapshot(v->arg);
	struct health_link_info hi;
	time_t now = time(NULL);

	health_link_info(v->ops->health_link(v->arg), &hi);

	prom_family(out, "steerdns_build_info", PROM_GAUGE, "Always 1; the version is a label.");
	prom_u64(out, "steerdns_build_info", PROM_L({ "version", STEER_VERSION }), 1);
	prom_family(out, "steerdns_start_time_seconds", PROM_GAUGE, "Unix time the process started.");
	prom_u64(out, "steerdns_start_time_seconds", PROM_NOLABELS, (uint64_t)v->ops->started_at(v->arg));
	prom_family(out, "steerdns_reloads_total", PROM_COUNTER,
		    "Reloads (SIGHUP, steerctl reload [ZONE]) by result; a failed one left the old data serving.");
	prom_u64(out, "steerdns_reloads_total", PROM_L({ "result", "ok" }), v->reloads_ok);
	prom_u64(out, "steerdns_reloads_total", PROM_L({ "result", "failed" }), v->reloads_failed);
	prom_family(out, "steerdns_generation", PROM_GAUGE, "Generation of the live data: 1 at start, +1 per reload.");
	prom_u64(out, "steerdns_generation", PROM_NOLABELS, s ? s->generation : 0);
	prom_family(out, "steerdns_last_load_timestamp_seconds", PROM_GAUGE,
		    "Unix time the live config and zones were loaded (start or the last good reload).");
	prom_u64(out, "steerdns_last_load_timestamp_seconds", PROM_NOLABELS, s ? (uint64_t)s->loaded_at : 0);
	prom_family(out, "steerdns_tcp_connections", PROM_GAUGE, "Open TCP connections.");
	prom_u64(out, "steerdns_tcp_connections", PROM_NOLABELS, v->ops->tcp_connections(v->arg));
	prom_family(out, "steerdns_health_link_connected", PROM_GAUGE,
		    "1 while subscribed to steer-healthd, else 0 (the last-known health state is used).");
	prom_u64(out, "steerdns_health_link_connected", PROM_NOLABELS, (uint64_t)(hi.connected != 0));
	/* While subscribed every change is pushed at once: the state is current. */
	prom_family(out, "steerdns_health_link_state_age_seconds", PROM_GAUGE,
		    "How old the health state may be: 0 while subscribed, else seconds since the link was lost "
		    "(or since start).");
	prom_u64(out, "steerdns_health_link_state_age_seconds", PROM_NOLABELS,
		 hi.connected || now < hi.since ? 0 : (uint64_t)(now - hi.since));
	prom_family(out, "steerdns_health_link_last_update_timestamp_seconds", PROM_GAUGE,
		    "Unix time a message from steer-healthd last updated the health state (0: never).");
	prom_u64(out, "steerdns_health_link_last_update_timestamp_seconds", PROM_NOLABELS, (uint64_t)hi.last_update);
}

/* RRL actions and COOKIE verdicts (server/answer/guard.c). */
static void limit_metrics(struct evbuffer *out, const struct stats_totals *t)
{
	prom_family(out, "steerdns_rrl_limited_total", PROM_COUNTER,
		    "UDP responses over the rate limit, by what was sent instead: nothing (dropped), "
		    "a truncated response (slipped), BADCOOKIE.");
	for (unsigned i = 1; i < STATS_NLIMITED; i++)
		prom_u64(out, "steerdns_rrl_limited_total", PROM_L({ "action", stats_limited_names[i] }), t->limited[i]);
	prom_family(out, "steerdns_cookies_total", PROM_COUNTER,
		    "Queries with a DNS COOKIE option, by verdict: client cookie only, valid or invalid server cookie.");
	for (unsigned i = 1; i < STATS_NCOOKIE; i++)
		prom_u64(out, "steerdns_cookies_total", PROM_L({ "verdict", stats_cookie_names[i] }), t->cookie[i]);
}

static void query_families(struct evbuffer *out, const struct stats_totals *t)
{
	char buf[32];

	prom_family(out, "steerdns_queries_total", PROM_COUNTER, "Queries received, by transport.");
	prom_u64(out, "steerdns_queries_total", PROM_L({ "transport", "udp" }), t->queries[STATS_UDP]);
	prom_u64(out, "steerdns_queries_total", PROM_L({ "transport", "tcp" }), t->queries[STATS_TCP]);
	/* Types and rcodes never seen are left out: 280 zero series help nobody. */
	prom_family(out, "steerdns_queries_by_qtype_total", PROM_COUNTER,
		    "Queries by question type (TYPE0 when the question could not be parsed).");
	for (unsigned i = 0; i < STATS_NQTYPES; i++)
		if (t->qtype[i])
			prom_u64(out, "steerdns_queries_by_qtype_total",
				 PROM_L({ "qtype", dns_type_name((uint16_t)i, buf, sizeof(buf)) }), t->qtype[i]);
	if (t->qtype_other)
		prom_u64(out, "steerdns_queries_by_qtype_total", PROM_L({ "qtype", "other" }), t->qtype_other);
	prom_family(out, "steerdns_responses_total", PROM_COUNTER, "Responses sent, by rcode.");
	for (unsigned i = 0; i < STATS_NRCODES; i++)
		if (t->rcode[i])
			prom_u64(out, "steerdns_responses_total", PROM_L({ "rcode", dns_rcode_name(i, buf, sizeof(buf)) }),
				 t->rcode[i]);
	if (t->rcode_other)
		prom_u64(out, "steerdns_responses_total", PROM_L({ "rcode", "other" }), t->rcode_other);
	prom_family(out, "steerdns_responses_truncated_total", PROM_COUNTER,
		    "Responses sent with TC (too big for UDP: the client retries over TCP).");
	prom_u64(out, "steerdns_responses_truncated_total", PROM_NOLABELS, t->truncated);
	prom_family(out, "steerdns_dropped_total", PROM_COUNTER,
		    "Packets that got no response: not a query (too short, a response) or the send failed.");
	prom_u64(out, "steerdns_dropped_total", PROM_NOLABELS, t->dropped);
	prom_family(out, "steerdns_malformed_total", PROM_COUNTER,
		    "Packets that did not parse as a query: dropped, or answered FORMERR.");
	prom_u64(out, "steerdns_malformed_total", PROM_NOLABELS, t->malformed);
	prom_family(out, "steerdns_tcp_closed_total", PROM_COUNTER,
		    "TCP connections closed by a limit: per_client (refused at accept), evicted (at the cap), "
		    "query_timeout (a query not complete within server.tcp_query_timeout).");
	for (int w = 0; w < STATS_TCP_NCLOSE; w++)
		prom_u64(out, "steerdns_tcp_closed_total", PROM_L({ "reason", stats_tcp_close_name((enum stats_tcp_close)w) }),
			 t->tcp_closed[w]);
	limit_metrics(out, t);
}

/* PROXY v2 (server.proxy_from): headers accepted, packets and connections
 * dropped by reason. */
static void proxy_families(struct evbuffer *out, const struct stats_totals *t)
{
	prom_family(out, "steerdns_proxy_total", PROM_COUNTER,
		    "PROXY v2: datagrams and TCP connections by verdict: accepted (a header from a source in "
		    "server.proxy_from); dropped: unlisted (a header from another source), missing (a listed "
		    "source without one), malformed.");
	for (int v = 1; v < STATS_NPROXY; v++)
		prom_u64(out, "steerdns_proxy_total", PROM_L({ "verdict", proxy_verdict_names[v] }), t->proxy[v]);
}

typedef void (*zone_fn)(struct evbuffer *out, const char *name, const struct snapshot *s, size_t i,
			const struct zone_info *zi);

#define ZONE_LABEL PROM_L({ "zone", zi->name })

static void zone_queries(struct evbuffer *out, const char *name, const struct snapshot *s, size_t i,
			 const struct zone_info *zi)
{
	prom_u64(out, name, ZONE_LABEL, stats_snap_get(s->counters, STATS_ZONE_QUERIES, i));
}

static void zone_serial(struct evbuffer *out, const char *name, const struct snapshot *s, size_t i,
			const struct zone_info *zi)
{
	prom_u64(out, name, ZONE_LABEL, zi->serial);
}

static void zone_records(struct evbuffer *out, const char *name, const struct snapshot *s, size_t i,
			 const struct zone_info *zi)
{
	prom_u64(out, name, ZONE_LABEL, zi->records);
}

static void zone_load_duration(struct evbuffer *out, const char *name, const struct snapshot *s, size_t i,
			       const struct zone_info *zi)
{
	prom_double(out, name, ZONE_LABEL, zi->load_seconds);
}

static void zone_load_time(struct evbuffer *out, const char *name, const struct snapshot *s, size_t i,
			   const struct zone_info *zi)
{
	prom_u64(out, name, ZONE_LABEL, (uint64_t)zi->loaded_at);
}

/* One row per per-zone family: the zones are walked once per row. */
static const struct {
	const char *name;
	enum prom_type type;
	const char *help;
	zone_fn fn;
} zone_table[] = {
	{ "steerdns_zone_queries_total", PROM_COUNTER,
	  "Queries whose question is in the zone (counts carry over reloads).", zone_queries },
	{ "steerdns_zone_serial", PROM_GAUGE, "SOA serial of the zone as loaded.", zone_serial },
	{ "steerdns_zone_records", PROM_GAUGE, "Records in the zone as loaded.", zone_records },
	{ "steerdns_zone_load_duration_seconds", PROM_GAUGE,
	  "How long reading and compiling the zone's master file took at its last load.", zone_load_duration },
	{ "steerdns_zone_load_timestamp_seconds", PROM_GAUGE, "Unix time the zone was last loaded.", zone_load_time },
};

static void zone_families(struct evbuffer *out, const struct snapshot *s)
{
	size_t n = s ? zonedb_count(s->zones) : 0;
	struct zone_info zi;

	for (size_t f = 0; f < sizeof(zone_table) / sizeof(zone_table[0]); f++) {
		prom_family(out, zone_table[f].name, zone_table[f].type, zone_table[f].help);
		for (size_t i = 0; i < n; i++) {
			zonedb_info(s->zones, i, &zi);
			zone_table[f].fn(out, zone_table[f].name, s, i, &zi);
		}
	}
}

/* One series per pool a record can answer from (every pool of its lists),
 * so a pool's counter exists, at 0, before its first answer. */
static void record_answers(struct evbuffer *out, const struct snapshot *s, const struct steer_set *set,
			   size_t r, uint8_t *seen)
{
	const struct steer_record *rec = &set->records[r];
	size_t cols = stats_snap_pool_cols(s->counters);

	if (cols != set->npools) { /* counted per record only (stats_snap.h) */
		prom_u64(out, "steerdns_steer_answers_total", PROM_L({ "record", rec->name }, { "pool", "*" }),
			 stats_snap_get(s->counters, STATS_REC_ANSWERS, r));
		return;
	}
	memset(seen, 0, set->npools);
	for (size_t l = 0; l < rec->nlists; l++) {
		for (uint16_t k = 0; k < rec->lists[l].n; k++) {
			uint16_t p = rec->lists[l].pools[k];
			if (p >= set->npools || seen[p])
				continue;
			seen[p] = 1;
			prom_u64(out, "steerdns_steer_answers_total",
				 PROM_L({ "record", rec->name }, { "pool", set->pools[p].name }),
				 stats_snap_get(s->counters, STATS_REC_ANSWERS, r * cols + p));
		}
	}
}

static void steer_families(struct evbuffer *out, const struct snapshot *s)
{
	const struct steer_set *set = steer_set_of(s);
	size_t n = set && s->counters ? set->nrecords : 0;
	uint8_t *seen = set ? calloc(set->npools + 1, 1) : NULL;

	prom_family(out, "steerdns_steer_answers_total", PROM_COUNTER,
		    "A/AAAA answers a steering policy gave, by record and by the pool of the first address.");
	for (size_t r = 0; seen && r < n; r++)
		record_answers(out, s, set, r, seen);
	free(seen);
	prom_family(out, "steerdns_steer_fall_open_total", PROM_COUNTER,
		    "Answers given as if every member were up, because all were down (fall open).");
	for (size_t r = 0; r < n; r++)
		prom_u64(out, "steerdns_steer_fall_open_total", PROM_L({ "record", set->records[r].name }),
			 stats_snap_get(s->counters, STATS_REC_FELL_OPEN, r));
	prom_family(out, "steerdns_steer_degraded_total", PROM_COUNTER,
		    "Degraded answers (a fallback pool, members missing, or fall open), given the degraded TTL.");
	for (size_t r = 0; r < n; r++)
		prom_u64(out, "steerdns_steer_degraded_total", PROM_L({ "record", set->records[r].name }),
			 stats_snap_get(s->counters, STATS_REC_DEGRADED, r));
}

/* The signature cache of steered DO=1 answers (server/dnssec/sigcache.h). */
static void sigcache_families(struct evbuffer *out, const struct metrics_view *v, const struct stats_totals *t)
{
	const struct sigcache *c = v->ops->sigcache ? v->ops->sigcache(v->arg) : NULL;

	prom_family(out, "steerdns_sigcache_hits_total", PROM_COUNTER,
		    "Steered DO=1 answers whose RRSIG came from the signature cache.");
	prom_u64(out, "steerdns_sigcache_hits_total", PROM_NOLABELS, t->sig_hits);
	prom_family(out, "steerdns_sigcache_misses_total", PROM_COUNTER,
		    "Steered DO=1 answers whose answer set was not in the cache (signed, or failed).");
	prom_u64(out, "steerdns_sigcache_misses_total", PROM_NOLABELS, t->sig_signed + t->sig_failed);
	prom_family(out, "steerdns_sigcache_signs_total", PROM_COUNTER, "Signatures made online for steered answers.");
	prom_u64(out, "steerdns_sigcache_signs_total", PROM_NOLABELS, t->sig_signed);
	prom_family(out, "steerdns_sigcache_failures_total", PROM_COUNTER,
		    "Online signatures that failed: answered with the zone file's RRset, signed at load.");
	prom_u64(out, "steerdns_sigcache_failures_total", PROM_NOLABELS, t->sig_failed);
	prom_family(out, "steerdns_sigcache_entries", PROM_GAUGE, "Signatures held in the cache.");
	prom_u64(out, "steerdns_sigcache_entries", PROM_NOLABELS, sigcache_used(c));
	prom_family(out, "steerdns_sigcache_capacity", PROM_GAUGE,
		    "Signatures the cache can hold (server.sigcache_entries).");
	prom_u64(out, "steerdns_sigcache_capacity", PROM_NOLABELS, sigcache_capacity(c));
}

/* What the kernel dropped on the AF_XDP listener's queues (server/net/xdp.h);
 * nothing without one. */
static void xdp_families(struct evbuffer *out, const struct metrics_view *v)
{
	const struct xdp_listener *l = v->ops->xdp ? v->ops->xdp(v->arg) : NULL;
	unsigned n = xdp_listener_queues(l);

	if (n == 0)
		return;
	prom_family(out, "steerdns_xdp_dropped_total", PROM_COUNTER,
		    "Queries the kernel dropped before the AF_XDP listener saw them, by queue and reason "
		    "(ring_full: the RX ring was full; no_frame: every frame was in use; other).");
	for (unsigned i = 0; i < n; i++) {
		struct xdp_drops d;
		char q[16];
		xdp_listener_drops(l, i, &d);
		snprintf(q, sizeof(q), "%u", i);
		prom_u64(out, "steerdns_xdp_dropped_total", PROM_L({ "queue", q }, { "reason", "ring_full" }), d.ring_full);
		prom_u64(out, "steerdns_xdp_dropped_total", PROM_L({ "queue", q }, { "reason", "no_frame" }), d.no_frame);
		prom_u64(out, "steerdns_xdp_dropped_total", PROM_L({ "queue", q }, { "reason", "other" }), d.other);
	}
}

void metrics_collect(struct evbuffer *out, const struct metrics_view *v)
{
	const struct snapshot *s = v->ops->snapshot(v->arg);
	struct stats *st = v->ops->stats(v->arg);
	struct stats_totals t;

	memset(&t, 0, sizeof(t));
	if (st)
		stats_sum(st, &t);
	process_families(out, v);
	query_families(out, &t);
	proxy_families(out, &t);
	zone_families(out, s);
	steer_families(out, s);
	sigcache_families(out, v, &t);
	xdp_families(out, v);
}
