/*
 * multivalue.c -- "multivalue": {"pools": ["a", "b"], "max": 4}
 *
 * Up to max up members of the query's family, taken from the pools in
 * order (like Route 53's multivalue answer). Any member of the family that
 * is down makes the answer degraded (degraded_ttl).
 */
#include "config.h"
#include "server/steer/policy/table.h"
#include "server/steer/steer_policy.h"
#include "common/conf.h"
#include "common/errlist.h"

#include <stdlib.h>
#include <string.h>

/* record.priv of a multivalue record. */
struct multivalue_priv {
	unsigned max;          /* most addresses in one answer, 1..STEER_MAX_ADDRS */
};

static int multivalue_compile(struct steer_build *b, struct steer_record *r, json_t *v, const char *const *path)
{
	struct steer_list l = { 0 };
	const char *p2[] = { path[0], path[1], path[2], "pools", NULL };
	json_t *max = json_object_get(v, "max");
	const char *key;
	json_t *x;
	int nerr = 0;
	struct multivalue_priv *mv;

	if (!json_is_object(v)) {
		conf_err(b->errs, b->cf, path, "expected {\"pools\": [POOL, ...], \"max\": N}");
		return 1;
	}
	if (!(r->priv = mv = calloc(1, sizeof(*mv)))) {
		errlist_add(b->errs, "%s: out of memory", b->cf->path);
		return 1;
	}
	json_object_foreach(v, key, x) {
		static const char *const known[] = { "pools", "max" };
		if (strcmp(key, "pools") != 0 && strcmp(key, "max") != 0)
			nerr += conf_unknown_key(b->cf, v, path, key, known, 2, b->errs);
	}
	mv->max = 8;
	if (max && (!json_is_integer(max) || json_integer_value(max) < 1 || json_integer_value(max) > STEER_MAX_ADDRS)) {
		p2[3] = "max";
		conf_err(b->errs, b->cf, p2, "expected an integer 1..%d", STEER_MAX_ADDRS);
		nerr++;
	} else if (max) {
		mv->max = (unsigned)json_integer_value(max);
	}
	nerr += steer_parse_list(b, json_object_get(v, "pools"), p2, &l);
	if (nerr == 0 && steer_intern_list(r, &l) < 0) {
		errlist_add(b->errs, "%s: out of memory", b->cf->path);
		nerr++;
	}
	steer_list_clear(&l);
	return nerr;
}

static void multivalue_choose(const struct steer_ctx *c, struct steer_pick *p)
{
	const struct steer_list *l = c->list;
	const struct multivalue_priv *mv = c->rec->priv;
	int family = 0, down = 0;

	for (uint16_t i = 0; i < l->n; i++) {
		const struct steer_pool *pool = &c->set->pools[l->pools[i]];
		uint16_t n = pool->n[c->fam], used = 0;

		if (n == 0) {
			steer_trace_pool(c, l->pools[i], STEER_V_NO_FAMILY);
			continue;
		}
		family = 1;
		if (p->out->naddrs >= mv->max) {
			steer_trace_pool(c, l->pools[i], STEER_V_FULL);
			continue;
		}
		for (uint16_t k = 0; k < n; k++) {
			if (!steer_member_up(c, &pool->m[c->fam][k])) {
				down = 1;
			} else if (p->out->naddrs < mv->max) {
				steer_pick_add(p, &pool->m[c->fam][k]);
				used++;
			}
		}
		steer_trace_pool(c, l->pools[i], used ? STEER_V_USED : STEER_V_ALL_DOWN);
	}
	p->degraded = down;
	p->all_down = family && p->out->naddrs == 0;
}

const struct steer_policy policy_multivalue = {
	.name = "multivalue",
	.compile = multivalue_compile,
	.free = free, /* one flat block */
	.choose = multivalue_choose,
};
