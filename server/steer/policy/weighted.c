/*
 * weighted.c -- "weighted": {"us-east": 3, "eu-west": 1}
 *
 * Each query draws one pool with probability weight / (sum of the weights
 * of the pools that have an up member of the query's family), and answers
 * with one of that pool's up members, chosen uniformly. The draw is random
 * per query (a per-thread xorshift generator, no locks): resolvers cache
 * one draw for the TTL, so the split is over resolvers x time, not over
 * individual clients. Use "sticky" when a client must keep its answer.
 * Any member of the family down makes the answer degraded.
 */
#include "config.h"
#include "server/steer/policy/table.h"
#include "server/steer/steer_policy.h"
#include "common/conf.h"
#include "common/errlist.h"

#include <stdio.h>

static int weighted_compile(struct steer_build *b, struct steer_record *r, json_t *v, const char *const *path)
{
	struct steer_list l = { 0 };
	int nerr = steer_parse_weights(b, v, path, &l);

	if (nerr == 0 && steer_intern_list(r, &l) < 0) {
		errlist_add(b->errs, "%s: out of memory", b->cf->path);
		nerr++;
	}
	steer_list_clear(&l);
	return nerr;
}

/* Up members of the family in pool (and whether any is down). */
static uint16_t count_up(const struct steer_ctx *c, const struct steer_pool *pool, int *down)
{
	uint16_t up = 0;

	for (uint16_t k = 0; k < pool->n[c->fam]; k++) {
		if (steer_member_up(c, &pool->m[c->fam][k]))
			up++;
		else
			*down = 1;
	}
	return up;
}

static void weighted_choose(const struct steer_ctx *c, struct steer_pick *p)
{
	const struct steer_list *l = c->list;
	uint64_t total = 0, draw;
	int down = 0, family = 0, chosen = -1;

	for (uint16_t i = 0; i < l->n; i++) {
		const struct steer_pool *pool = &c->set->pools[l->pools[i]];
		family |= pool->n[c->fam] > 0;
		if (count_up(c, pool, &down))
			total += l->weights[i];
	}
	p->degraded = down;
	if (total == 0) {
		p->all_down = family;
		for (uint16_t i = 0; i < l->n; i++)
			steer_trace_pool(c, l->pools[i], c->set->pools[l->pools[i]].n[c->fam] ? STEER_V_ALL_DOWN
											 : STEER_V_NO_FAMILY);
		return;
	}
	draw = steer_random() % total;
	if (c->trace)
		snprintf(c->trace->note, sizeof(c->trace->note), "random draw %llu of total weight %llu",
			 (unsigned long long)draw, (unsigned long long)total);
	for (uint16_t i = 0; i < l->n; i++) {
		const struct steer_pool *pool = &c->set->pools[l->pools[i]];
		int d = 0;
		uint16_t up = count_up(c, pool, &d);
		enum steer_verdict v = pool->n[c->fam] == 0 ? STEER_V_NO_FAMILY : up ? STEER_V_CANDIDATE : STEER_V_ALL_DOWN;

		if (up && chosen < 0 && draw < l->weights[i]) {
			uint64_t pick = steer_random() % up;
			for (uint16_t k = 0; k < pool->n[c->fam]; k++)
				if (steer_member_up(c, &pool->m[c->fam][k]) && pick-- == 0)
					steer_pick_add(p, &pool->m[c->fam][k]);
			chosen = i;
			v = STEER_V_USED;
		} else if (up && chosen < 0) {
			draw -= l->weights[i];
		}
		steer_trace_pool(c, l->pools[i], v);
	}
}

const struct steer_policy policy_weighted = {
	.name = "weighted",
	.compile = weighted_compile,
	.choose = weighted_choose,
};
