/*
 * steer.c -- the steering engine on the query path: locate the client (ECS
 * or source address), run the record's policy over the live health state,
 * apply the fall-open rule and the degraded TTL, and report the ECS scope.
 *
 * Nothing here allocates, locks or logs: health state is one relaxed atomic
 * byte load per member, GeoIP is one geo_map_lookup() walk.
 */
#include "config.h"
#include "server/steer/steer.h"
#include "server/steer/steer_policy.h"
#include "server/wire/query.h"
#include "server/zone/snapshot.h"
#include "geoip/geomap.h"
#include "geoip/nets.h"

#include <netinet/in.h>
#include <string.h>
#include <strings.h>
#include <time.h>

uint64_t steer_random(void)
{
	static __thread uint64_t s;

	if (s == 0) { /* first use in this thread: seed from time and the thread */
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		s = ((uint64_t)ts.tv_nsec << 20) ^ (uint64_t)ts.tv_sec ^ (uint64_t)(uintptr_t)&s;
		s |= 1;
	}
	s ^= s >> 12;
	s ^= s << 25;
	s ^= s >> 27;
	return s * 0x2545F4914F6CDD1DULL;
}

int64_t steer_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts); /* vDSO, no syscall: fine per query */
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void steer_trace_pool(const struct steer_ctx *c, size_t pool, enum steer_verdict v)
{
	struct steer_trace *t = c->trace;

	if (!t || t->ntried >= STEER_TRACE_MAX)
		return;
	t->tried[t->ntried].pool = (uint16_t)pool;
	t->tried[t->ntried].verdict = (uint8_t)v;
	t->tried[t->ntried].fall_open = (uint8_t)c->assume_up;
	t->ntried++;
}

void steer_pick_add(struct steer_pick *p, const struct steer_member *m)
{
	if (p->out->naddrs == 0)
		p->out->report.pool = m->pool;
	if (p->out->naddrs < STEER_MAX_ADDRS)
		p->out->addrs[p->out->naddrs++] = m->addr;
}

void steer_pick_first_up(const struct steer_ctx *c, const struct steer_list *list, struct steer_pick *p)
{
	int seen_family = 0;

	for (uint16_t i = 0; i < list->n; i++) {
		const struct steer_pool *pool = &c->set->pools[list->pools[i]];
		uint16_t n = pool->n[c->fam], up = 0;

		if (n == 0) {
			steer_trace_pool(c, list->pools[i], STEER_V_NO_FAMILY);
			continue;
		}
		for (uint16_t k = 0; k < n; k++)
			up += (uint16_t)steer_member_up(c, &pool->m[c->fam][k]);
		if (up == 0) {
			steer_trace_pool(c, list->pools[i], STEER_V_ALL_DOWN);
			seen_family = 1;
			continue;
		}
		for (uint16_t k = 0; k < n; k++)
			if (steer_member_up(c, &pool->m[c->fam][k]))
				steer_pick_add(p, &pool->m[c->fam][k]);
		steer_trace_pool(c, list->pools[i], STEER_V_ANSWERED);
		/* A pool behind one that was down is a fallback; a pool with
		 * members missing answers with fewer addresses than planned. */
		p->degraded = seen_family || up < n;
		return;
	}
	p->all_down = seen_family;
}

/* The client as the policies see it: the ECS subnet when the query has one
 * (and ECS is honoured), else the source address. */
static void client_of(const struct snapshot *snap, const struct query *q, const struct sockaddr *src,
		      struct steer_client *cl)
{
	memset(cl, 0, sizeof(*cl));
	/* SOURCE PREFIX-LENGTH 0 asks for an answer that does not depend on
	 * the client (RFC 7871 7.1.2): locate by the resolver, echo scope 0. */
	if (q && q->ecs && !snap->no_ecs && q->ecs_source > 0) {
		cl->ecs = 1;
		if (q->ecs_family == 1) {
			geo_addr_from_v4(cl->addr, q->ecs_addr);
			cl->source = q->ecs_source > 32 ? 32 : q->ecs_source;
			return;
		}
		memcpy(cl->addr, q->ecs_addr, 16);
		cl->source = q->ecs_source > 128 ? 128 : q->ecs_source;
		if (geo_addr_is_v4(cl->addr) && cl->source >= 96) {
			cl->source -= 96;
			cl->mapped6 = 1;
		}
		return;
	}
	if (src && src->sa_family == AF_INET) {
		geo_addr_from_v4(cl->addr, (const uint8_t *)&((const struct sockaddr_in *)(const void *)src)->sin_addr);
		cl->source = 32;
	} else if (src && src->sa_family == AF_INET6) {
		memcpy(cl->addr, &((const struct sockaddr_in6 *)(const void *)src)->sin6_addr, 16);
		cl->source = geo_addr_is_v4(cl->addr) ? 32 : 128;
	} else {
		cl->addr[10] = cl->addr[11] = 0xff; /* 0.0.0.0/0: nowhere */
	}
}

static void run_policy(const struct steer_ctx *c, struct steer_pick *p)
{
	p->degraded = p->all_down = 0;
	p->out->naddrs = 0;
	c->rec->policy->choose(c, p);
}

void steer_eval(const struct steer_set *set, const struct steer_record *rec, int fam, const struct steer_client *cl,
		struct steer_answer *out, struct steer_trace *trace)
{
	struct steer_ctx c = { .set = set, .rec = rec, .fam = fam, .cl = cl, .trace = trace };
	struct steer_pick p = { .out = out };
	unsigned scope = 0;

	memset(out, 0, sizeof(*out));
	if (trace) {
		memset(trace, 0, sizeof(*trace));
		trace->list = -1;
	}
	if (rec->map) {
		int r = geo_map_lookup(rec->map, cl->addr, &scope);
		if (r < 0 || (size_t)r >= rec->nlists)
			r = 0; /* cannot happen: the classifier returns list indexes */
		c.list = &rec->lists[r];
		if (trace)
			trace->list = r;
	} else if (rec->nlists) {
		c.list = &rec->lists[0];
	}
	run_policy(&c, &p);
	if (p.all_down && out->naddrs == 0) {
		if (rec->nodata_when_down) {
			if (trace)
				trace->nodata_all_down = 1;
		} else {
			/* Fall open: an answer that may be down beats none. */
			c.assume_up = 1;
			run_policy(&c, &p);
			p.degraded = 1;
			if (trace)
				trace->fell_open = 1;
		}
	}
	out->ttl = p.degraded ? rec->degraded_ttl : rec->ttl;
	out->report.record = (uint32_t)(rec - set->records) + 1;
	out->report.pool = out->naddrs ? out->report.pool : STEER_NO_POOL;
	out->report.fell_open = (uint8_t)c.assume_up;
	out->report.degraded = (uint8_t)p.degraded;
	if (trace)
		trace->degraded = p.degraded;
	if (!rec->policy->uses_location || !cl->ecs)
		return;
	if (p.own_scope) /* the policy's (sticky: the hashed prefix) */
		scope = p.scope;
	out->ecs_scope = (uint8_t)(scope + (cl->mapped6 ? 96 : 0));
}

void steer_answer(const struct snapshot *snap, const void *node, uint16_t qtype, const struct query *q,
		  const struct sockaddr *src, struct steer_answer *out)
{
	const struct steer_set *set = snap ? snap->extra : NULL;
	const struct steer_record *dyn = set ? steer_record_at(set, node) : NULL;
	struct steer_client cl;

	if (!dyn || (qtype != 1 && qtype != 28)) {
		memset(out, 0, sizeof(*out));
		out->use_static = 1;
		return;
	}
	client_of(snap, q, src, &cl);
	steer_eval(set, dyn, qtype == 1 ? STEER_V4 : STEER_V6, &cl, out, NULL);
}

const struct steer_record *steer_find_record(const struct steer_set *set, const char *name)
{
	size_t len = strlen(name);

	if (len && name[len - 1] == '.')
		len--;
	for (size_t i = 0; set && i < set->nrecords; i++) {
		const char *rn = set->records[i].name;
		if (strlen(rn) == len + 1 && strncasecmp(rn, name, len) == 0)
			return &set->records[i];
	}
	return NULL;
}
