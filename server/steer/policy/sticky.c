/*
 * sticky.c -- "sticky": {"pools": {"us-east": 3, "eu-west": 1},
 *                               "prefix4": 24, "prefix6": 48}
 *
 * Weighted rendezvous hashing (highest random weight) of the client's
 * subnet (its /prefix4 or /prefix6, ECS or source address) over the up
 * members of the pools: every member gets the score w / -ln(u), u a hash
 * of (subnet, member) in (0, 1), w its pool's weight shared among the
 * pool's members of the family; the highest score answers. A client keeps
 * its member for as long as the member set is unchanged, and when a member
 * goes down only the clients it served move. The ECS scope is the hashed
 * prefix (or the source prefix when that is shorter).
 */
#include "config.h"
#include "server/steer/policy/table.h"
#include "server/steer/steer_policy.h"
#include "common/conf.h"
#include "common/errlist.h"
#include "geoip/nets.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* record.priv of a sticky record. */
struct sticky_priv {
	unsigned prefix[2];    /* client prefix hashed, per family (STEER_V4, STEER_V6) */
};

static int read_prefix(struct steer_build *b, json_t *v, const char *const *path, const char *key, unsigned max,
		       unsigned *out)
{
	const char *p2[] = { path[0], path[1], path[2], key, NULL };
	json_t *x = json_object_get(v, key);

	if (!x)
		return 0;
	if (!json_is_integer(x) || json_integer_value(x) < 1 || json_integer_value(x) > max) {
		conf_err(b->errs, b->cf, p2, "expected a prefix length 1..%u", max);
		return 1;
	}
	*out = (unsigned)json_integer_value(x);
	return 0;
}

static int sticky_compile(struct steer_build *b, struct steer_record *r, json_t *v, const char *const *path)
{
	const char *p2[] = { path[0], path[1], path[2], "pools", NULL };
	struct steer_list l = { 0 };
	const char *key;
	json_t *x;
	int nerr = 0;
	struct sticky_priv *st;

	if (!json_is_object(v)) {
		conf_err(b->errs, b->cf, path, "expected {\"pools\": {POOL: WEIGHT, ...}, \"prefix4\": 24, \"prefix6\": 48}");
		return 1;
	}
	if (!(r->priv = st = calloc(1, sizeof(*st)))) {
		errlist_add(b->errs, "%s: out of memory", b->cf->path);
		return 1;
	}
	json_object_foreach(v, key, x) {
		static const char *const known[] = { "pools", "prefix4", "prefix6" };
		if (strcmp(key, "pools") && strcmp(key, "prefix4") && strcmp(key, "prefix6"))
			nerr += conf_unknown_key(b->cf, v, path, key, known, 3, b->errs);
	}
	st->prefix[STEER_V4] = 24;
	st->prefix[STEER_V6] = 48;
	nerr += read_prefix(b, v, path, "prefix4", 32, &st->prefix[STEER_V4]);
	nerr += read_prefix(b, v, path, "prefix6", 128, &st->prefix[STEER_V6]);
	nerr += steer_parse_weights(b, json_object_get(v, "pools"), p2, &l);
	if (nerr == 0 && steer_intern_list(r, &l) < 0) {
		errlist_add(b->errs, "%s: out of memory", b->cf->path);
		nerr++;
	}
	steer_list_clear(&l);
	return nerr;
}

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static uint64_t hash_bytes(uint64_t h, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return mix64(h);
}

static void sticky_choose(const struct steer_ctx *c, struct steer_pick *p)
{
	const struct steer_list *l = c->list;
	uint8_t key[16];
	int v4 = geo_addr_is_v4(c->cl->addr), family = 0, down = 0;
	unsigned pre = ((const struct sticky_priv *)c->rec->priv)->prefix[v4 ? STEER_V4 : STEER_V6];
	uint64_t base;
	double best = -1;
	const struct steer_member *win = NULL;
	uint16_t win_pool = 0;

	if (pre > c->cl->source)
		pre = c->cl->source; /* never hash (or claim a scope) past what the client sent */
	p->own_scope = 1;
	p->scope = (uint8_t)pre;
	memcpy(key, c->cl->addr, 16);
	geo_addr_mask(key, (v4 ? 96 : 0) + pre);
	base = hash_bytes(0xcbf29ce484222325ULL, key, 16);
	for (uint16_t i = 0; i < l->n; i++) {
		const struct steer_pool *pool = &c->set->pools[l->pools[i]];
		uint16_t n = pool->n[c->fam];
		for (uint16_t k = 0; k < n; k++) {
			const struct steer_member *m = &pool->m[c->fam][k];
			double u, score;
			family = 1;
			if (!steer_member_up(c, m)) {
				down = 1;
				continue;
			}
			u = ((double)(hash_bytes(base, m->addr, 16) >> 11) + 0.5) / 9007199254740992.0;
			score = ((double)l->weights[i] / n) / -log(u);
			if (score > best) {
				best = score;
				win = m;
				win_pool = i;
			}
		}
	}
	p->degraded = down;
	for (uint16_t i = 0; i < l->n; i++) {
		const struct steer_pool *pool = &c->set->pools[l->pools[i]];
		steer_trace_pool(c, l->pools[i], !pool->n[c->fam] ? STEER_V_NO_FAMILY : win && win_pool == i ? STEER_V_USED
						 : win ? STEER_V_CANDIDATE : STEER_V_ALL_DOWN);
	}
	if (!win) {
		p->all_down = family;
		return;
	}
	steer_pick_add(p, win);
	if (c->trace) {
		char buf[64];
		snprintf(c->trace->note, sizeof(c->trace->note), "client subnet %s hashed over the up members",
			 geo_prefix_format(buf, sizeof(buf), key, pre));
	}
}

const struct steer_policy policy_sticky = {
	.name = "sticky",
	.compile = sticky_compile,
	.free = free, /* one flat block */
	.choose = sticky_choose,
	.uses_location = 1,
};
