/* stats.c -- per-thread query counters and their sum. */
#include "config.h"
#include "server/net/stats.h"
#include "server/net/proxy.h"
#include "server/answer/answer.h"
#include "server/net/stats_snap.h"
#include "server/dnssec/sigcache.h"
#include "server/zone/snapshot.h"
#include "common/dns.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct stats {
	size_t nblocks;
	struct stats_block *blocks; /* owned, cache-line aligned */
};

struct stats *stats_new(size_t nblocks)
{
	struct stats *st = calloc(1, sizeof(*st));
	if (!st)
		return NULL;
	st->nblocks = nblocks;
	if (posix_memalign((void **)&st->blocks, 64, nblocks * sizeof(struct stats_block)) != 0) {
		free(st);
		return NULL;
	}
	memset(st->blocks, 0, nblocks * sizeof(struct stats_block));
	for (size_t i = 0; i < nblocks; i++)
		st->blocks[i].row = (uint32_t)i;
	return st;
}

void stats_free(struct stats *st)
{
	if (!st)
		return;
	free(st->blocks);
	free(st);
}

struct stats_block *stats_block(struct stats *st, size_t i)
{
	return &st->blocks[i];
}

/* The single writer's increment: a relaxed load and store compile to plain
 * moves, unlike atomic_fetch_add's locked instruction. */
static inline void bump(stats_counter *c)
{
	atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + 1, memory_order_relaxed);
}

static inline void drop_one(stats_counter *c)
{
	atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) - 1, memory_order_relaxed);
}

void stats_count(struct stats_block *b, enum stats_transport t, const struct snapshot *snap,
		 const struct answer_result *res)
{
	stats_snap_count(snap ? snap->counters : NULL, b->row, res);
	if (res->malformed)
		bump(&b->malformed);
	bump(&b->queries[t]);
	bump(res->qtype < STATS_NQTYPES ? &b->qtype[res->qtype] : &b->qtype_other);
	if (res->limited && res->limited < STATS_NLIMITED)
		bump(&b->limited[res->limited]);
	if (res->cookie && res->cookie < STATS_NCOOKIE)
		bump(&b->cookie[res->cookie]);
	if (res->len == 0) {
		bump(&b->dropped);
		return;
	}
	bump(&b->responses);
	bump(res->rcode < STATS_NRCODES ? &b->rcode[res->rcode] : &b->rcode_other);
	if (res->tc)
		bump(&b->truncated);
	if (res->sig == SIGCACHE_HIT)
		bump(&b->sig_hits);
	else if (res->sig == SIGCACHE_SIGNED)
		bump(&b->sig_signed);
	else if (res->sig == SIGCACHE_FAILED)
		bump(&b->sig_failed);
}

void stats_count_tcp_close(struct stats_block *b, enum stats_tcp_close why)
{
	bump(&b->tcp_closed[why]);
}

const char *stats_tcp_close_name(enum stats_tcp_close why)
{
	static const char *const names[STATS_TCP_NCLOSE] = { "per_client", "evicted", "query_timeout" };
	return names[why];
}

void stats_count_send_failed(struct stats_block *b)
{
	drop_one(&b->responses);
	bump(&b->dropped);
}

_Static_assert(STATS_NPROXY == PROXY_NVERDICTS, "one proxy counter per verdict");

void stats_count_proxy(struct stats_block *b, int verdict)
{
	if (verdict > 0 && verdict < STATS_NPROXY)
		bump(&b->proxy[verdict]);
}

static inline uint64_t get(const stats_counter *c)
{
	return atomic_load_explicit(c, memory_order_relaxed);
}

void stats_sum(const struct stats *st, struct stats_totals *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < st->nblocks; i++) {
		const struct stats_block *b = &st->blocks[i];
		for (int t = 0; t < STATS_NTRANSPORTS; t++)
			out->queries[t] += get(&b->queries[t]);
		out->responses += get(&b->responses);
		out->truncated += get(&b->truncated);
		out->dropped += get(&b->dropped);
		out->malformed += get(&b->malformed);
		for (int q = 0; q < STATS_NQTYPES; q++)
			out->qtype[q] += get(&b->qtype[q]);
		out->qtype_other += get(&b->qtype_other);
		for (int r = 0; r < STATS_NRCODES; r++)
			out->rcode[r] += get(&b->rcode[r]);
		out->rcode_other += get(&b->rcode_other);
		out->sig_hits += get(&b->sig_hits);
		out->sig_signed += get(&b->sig_signed);
		out->sig_failed += get(&b->sig_failed);
		for (int k = 0; k < STATS_NLIMITED; k++)
			out->limited[k] += get(&b->limited[k]);
		for (int k = 0; k < STATS_NCOOKIE; k++)
			out->cookie[k] += get(&b->cookie[k]);
		for (int v = 0; v < STATS_NPROXY; v++)
			out->proxy[v] += get(&b->proxy[v]);
		for (int w = 0; w < STATS_TCP_NCLOSE; w++)
			out->tcp_closed[w] += get(&b->tcp_closed[w]);
	}
}

static int set_count(json_t *obj, const char *key, uint64_t n)
{
	return json_object_set_new(obj, key, json_integer((json_int_t)n));
}

static json_t *sig_json(const struct stats_totals *t)
{
	json_t *s = json_object();

	if (s && (set_count(s, "hits", t->sig_hits) || set_count(s, "misses", t->sig_signed + t->sig_failed) ||
		  set_count(s, "signs", t->sig_signed) || set_count(s, "failures", t->sig_failed))) {
		json_decref(s);
		return NULL;
	}
	return s;
}

const char *const stats_limited_names[STATS_NLIMITED] = { "none", "dropped", "slipped", "badcookie" };
const char *const stats_cookie_names[STATS_NCOOKIE] = { "none", "client_only", "valid", "invalid" };

/* {"dropped":N,...} from counters 1..n-1 of c (0 is "nothing happened"). */
static json_t *named_counts(const uint64_t *c, const char *const *names, size_t n)
{
	json_t *o = json_object();

	for (size_t i = 1; o && i < n; i++)
		if (set_count(o, names[i], c[i]) != 0) {
			json_decref(o);
			return NULL;
		}
	return o;
}

/* The RRL and cookie counters: {"rrl":{...},"cookies":{...}} into j. */
static int limit_json(json_t *j, const struct stats_totals *t)
{
	json_t *r = named_counts(t->limited, stats_limited_names, STATS_NLIMITED);
	json_t *c = named_counts(t->cookie, stats_cookie_names, STATS_NCOOKIE);

	if (!r || !c) {
		json_decref(r);
		json_decref(c);
		return -1;
	}
	return json_object_set_new(j, "rrl", r) | json_object_set_new(j, "cookies", c);
}

/* "proxy": {"accepted": N, "unlisted": N, ...} (every verdict but plain). */
static int proxy_json(json_t *j, const struct stats_totals *t)
{
	json_t *p = json_object();
	int bad = !p;

	for (int v = 1; p && v < STATS_NPROXY; v++)
		bad |= set_count(p, proxy_verdict_names[v], t->proxy[v]);
	return bad | json_object_set_new(j, "proxy", p);
}

json_t *stats_json(const struct stats_totals *t)
{
	json_t *j = json_object(), *q = json_object(), *qt = json_object(), *rc = json_object(), *sc = sig_json(t);
	json_t *tc = json_object();
	char buf[32];
	int bad = !j || !q || !qt || !rc || !sc || !tc;

	if (bad)
		goto fail;
	bad |= set_count(q, "udp", t->queries[STATS_UDP]);
	bad |= set_count(q, "tcp", t->queries[STATS_TCP]);
	for (unsigned i = 0; i < STATS_NQTYPES; i++)
		if (t->qtype[i])
			bad |= set_count(qt, dns_type_name((uint16_t)i, buf, sizeof(buf)), t->qtype[i]);
	if (t->qtype_other)
		bad |= set_count(qt, "other", t->qtype_other);
	for (unsigned i = 0; i < STATS_NRCODES; i++)
		if (t->rcode[i])
			bad |= set_count(rc, dns_rcode_name(i, buf, sizeof(buf)), t->rcode[i]);
	if (t->rcode_other)
		bad |= set_count(rc, "other", t->rcode_other);
	bad |= json_object_set_new(j, "queries", q);
	q = NULL;
	bad |= set_count(j, "responses", t->responses);
	bad |= set_count(j, "truncated", t->truncated);
	bad |= set_count(j, "dropped", t->dropped);
	bad |= json_object_set_new(j, "qtype", qt);
	qt = NULL;
	bad |= json_object_set_new(j, "rcode", rc);
	rc = NULL;
	bad |= json_object_set_new(j, "sigcache", sc);
	sc = NULL;
	bad |= limit_json(j, t);
	bad |= proxy_json(j, t);
	for (int w = 0; w < STATS_TCP_NCLOSE; w++)
		bad |= set_count(tc, stats_tcp_close_name((enum stats_tcp_close)w), t->tcp_closed[w]);
	bad |= json_object_set_new(j, "tcp_closed", tc);
	tc = NULL;
	if (!bad)
		return j;
fail:
	json_decref(j);
	json_decref(q);
	json_decref(qt);
	json_decref(rc);
	json_decref(sc);
	json_decref(tc);
	return NULL;
}
