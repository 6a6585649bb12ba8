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
 *
 * Slow start ("slowstart" on a pool): a member that came back up ramps
 * from 1% to all of its share over that time, from when steerdns saw it up
 * (steer_member_ramp()); its pool's weight shrinks by the missing share,
 * and inside the pool it is drawn by its share. Without slowstart every
 * share is full and this is the plain draw above.
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

/* The up members of the family in pool, as ramp shares (slow start:
 * steer_member_ramp()); *down is set when one is not up. Returns the sum
 * of the shares (STEER_RAMP_FULL per fully up member) and counts them. */
static uint64_t pool_shares(const struct steer_ctx *c, const struct steer_pool *pool, int *down, uint16_t *up)
{
	uint64_t sum = 0;

	*up = 0;
	for (uint16_t k = 0; k < pool->n[c->fam]; k++) {
		if (steer_member_up(c, &pool->m[c->fam][k])) {
			sum += steer_member_ramp(c, &pool->m[c->fam][k]);
			(*up)++;
		} else {
			*down = 1;
		}
	}
	return sum;
}

/* A pool's weight in the draw (x STEER_RAMP_FULL): its configured weight while every up member
 * has its full share; a pool whose members are ramping up (slow start)
 * weighs that much less, down to 1% of it. 0 when nothing is up. */
static uint64_t pool_weight(const struct steer_ctx *c, uint16_t i, int *down)
{
	const struct steer_pool *pool = &c->set->pools[c->list->pools[i]];
	uint16_t up;
	uint64_t shares = pool_shares(c, pool, down, &up), w;

	if (!up)
		return 0;
	/* In thousandths of a weight unit, so a weight of 1 can ramp too. */
	w = c->list->weights[i] * shares / up;
	return w ? w : 1;
}

/* One up member of pool, drawn by ramp share (uniform when none ramps). */
static void pick_member(const struct steer_ctx *c, const struct steer_pool *pool, struct steer_pick *p)
{
	int d = 0;
	uint16_t up;
	uint64_t pick = steer_random() % pool_shares(c, pool, &d, &up);

	for (uint16_t k = 0; k < pool->n[c->fam]; k++) {
		const struct steer_member *m = &pool->m[c->fam][k];
		uint32_t share;
		if (!steer_member_up(c, m))
			continue;
		share = steer_member_ramp(c, m);
		if (pick < share) {
			steer_pick_add(p, m);
			return;
		}
		pick -= share;
	}
}

static void weighted_choose(const struct steer_ctx *c, struct steer_pick *p)
{
	const struct steer_list *l = c->list;
	uint64_t total = 0, draw, w;
	int down = 0, family = 0, chosen = -1;

	for (uint16_t i = 0; i < l->n; i++) {
		family |= c->set->pools[l->pools[i]].n[c->fam] > 0;
		total += pool_weight(c, i, &down);
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
		enum steer_verdict v;

		w = pool_weight(c, i, &d);
		v = pool->n[c->fam] == 0 ? STEER_V_NO_FAMILY : w ? STEER_V_CANDIDATE : STEER_V_ALL_DOWN;
		if (w && chosen < 0 && draw < w) {
			pick_member(c, pool, p);
			chosen = i;
			v = STEER_V_USED;
		} else if (w && chosen < 0) {
			draw -= w;
		}
		steer_trace_pool(c, l->pools[i], v);
	}
}

const struct steer_policy policy_weighted = {
	.name = "weighted",
	.compile = weighted_compile,
	.choose = weighted_choose,
};
