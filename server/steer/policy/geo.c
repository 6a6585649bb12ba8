/*
 * geo.c -- "geo": { REGION: [POOL, ...], ..., "default": [POOL, ...] }
 *
 * REGION is a continent code ("EU"; "NA" is North America), an ISO country
 * code ("DE"), a subdivision "CC-SUB" ("US-CA"), or the name of a nets
 * entry of the geoip section ("internal"). The most specific key that
 * matches the client wins: nets name, then subdivision, country,
 * continent, and "default" (required) for everyone else. The region's list
 * then works like failover.
 *
 * Keys with equal lists share one list, so the compiled map merges their
 * networks and the ECS scope is as wide as the answer allows.
 */
#include "config.h"
#include "server/steer/policy/table.h"
#include "server/steer/steer_policy.h"
#include "common/conf.h"
#include "common/errlist.h"
#include "common/suggest.h"
#include "geoip/continents.h"
#include "geoip/geo.h"
#include "geoip/geoconf.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A region key: its name and the (deduplicated) list it answers from. */
struct geo_key {
	char *name;           /* owned; "NA", "US", "US-CA", a nets name, "default" */
	size_t list;          /* index into record.lists */
};

/* record.priv of a geo record: its keys, in the config's order. */
struct geo_priv {
	size_t nkeys;
	struct geo_key keys[]; /* as many as the config object has members */
};

static void geo_free(void *priv)
{
	struct geo_priv *g = priv;

	for (size_t i = 0; i < g->nkeys; i++)
		free(g->keys[i].name);
	free(g);
}

static int is_nets_name(const struct steer_set *set, const char *key)
{
	const struct geo_nets *nets = &set->geoconf->nets;

	for (size_t i = 0; i < nets->n; i++)
		if (strcmp(nets->v[i].name, key) == 0)
			return 1;
	return 0;
}

/* Is key something a client can match? */
static int valid_key(const struct steer_set *set, const char *key)
{
	char up[16];
	size_t n = strlen(key);

	if (strcmp(key, "default") == 0 || is_nets_name(set, key))
		return 1;
	if (n >= sizeof(up))
		return 0;
	for (size_t i = 0; i <= n; i++)
		up[i] = (char)toupper((unsigned char)key[i]);
	if (n == 2)
		return geo_is_continent(up) || geo_continent_of(up) != NULL;
	if (n > 3 && up[2] == '-') {
		up[2] = 0;
		return geo_continent_of(up) != NULL;
	}
	return 0;
}

/* Report key as no region. A typo of "default" or of a nets name gets a
 * suggestion; codes are too short for one (any two letters are two edits
 * from any other two). */
static int unknown_region(struct steer_build *b, const char *const *path, const char *key)
{
	const struct geo_nets *nets = &b->set->geoconf->nets;
	struct suggest sg;
	char hint[96];

	suggest_init(&sg, key);
	suggest_add(&sg, "default");
	for (size_t i = 0; i < nets->n; i++)
		suggest_add(&sg, nets->v[i].name);
	if (suggest_best(&sg))
		conf_err(b->errs, b->cf, path, "unknown region \"%s\"%s", key, suggest_hint(&sg, hint, sizeof(hint)));
	else
		conf_err(b->errs, b->cf, path, "unknown region \"%s\": use a continent (AF AN AS EU NA OC SA), "
			 "a country (DE), a subdivision (US-CA), a geoip nets name, or default", key);
	return 1;
}

static int geo_compile(struct steer_build *b, struct steer_record *r, json_t *v, const char *const *path)
{
	const char *key;
	json_t *x;
	int nerr = 0, has_default = 0;
	struct geo_priv *g;

	if (!json_is_object(v) || json_object_size(v) == 0) {
		conf_err(b->errs, b->cf, path, "expected {\"REGION\": [POOL, ...], ..., \"default\": [POOL, ...]}");
		return 1;
	}
	r->priv = g = calloc(1, sizeof(*g) + json_object_size(v) * sizeof(g->keys[0]));
	if (!g) {
		errlist_add(b->errs, "%s: out of memory", b->cf->path);
		return 1;
	}
	json_object_foreach(v, key, x) {
		const char *p2[] = { path[0], path[1], path[2], key, NULL };
		struct steer_list l = { 0 };
		long idx;

		if (!valid_key(b->set, key)) {
			nerr += unknown_region(b, p2, key);
			continue;
		}
		has_default |= strcmp(key, "default") == 0;
		if (steer_parse_list(b, x, p2, &l)) {
			steer_list_clear(&l);
			nerr++;
			continue;
		}
		if ((idx = steer_intern_list(r, &l)) < 0 || !(g->keys[g->nkeys].name = strdup(key))) {
			errlist_add(b->errs, "%s: out of memory", b->cf->path);
			return nerr + 1;
		}
		g->keys[g->nkeys++].list = (size_t)idx;
	}
	if (!has_default) {
		conf_err(b->errs, b->cf, path, "no \"default\" list: every client needs an answer");
		nerr++;
	}
	return nerr ? nerr : steer_build_map(b, r, path);
}

static int find_key(const struct geo_priv *g, const char *name)
{
	for (size_t i = 0; name && name[0] && i < g->nkeys; i++)
		if (strcasecmp(g->keys[i].name, name) == 0)
			return (int)i;
	return -1;
}

static int geo_classify(const struct steer_record *r, const struct steer_set *set, const struct geo_loc *loc,
			struct steer_record *build, char *why, size_t whylen)
{
	const struct { const char *what, *value; } levels[] = {
		{ "nets entry", loc->net }, { "subdivision", loc->subdivision },
		{ "country", loc->country }, { "continent", loc->continent },
	};
	const struct geo_priv *g = r->priv;
	size_t used = 0;
	int k = -1;

	if (why && whylen)
		why[0] = 0;
	for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]) && k < 0; i++) {
		if (!levels[i].value || !levels[i].value[0])
			continue;
		k = find_key(g, levels[i].value);
		if (why && used < whylen)
			used += (size_t)snprintf(why + used, whylen - used, "%s%s %s: %s", used ? "; " : "",
						 levels[i].what, levels[i].value, k < 0 ? "no key" : "matched");
	}
	if (k < 0) {
		k = find_key(g, "default");
		if (why && used < whylen)
			snprintf(why + used, whylen - used, "%s%s", used ? "; " : "",
				 loc->found ? "default" : "location unknown: default");
	}
	return k < 0 ? 0 : (int)g->keys[k].list;
}

static void geo_choose(const struct steer_ctx *c, struct steer_pick *p)
{
	steer_pick_first_up(c, c->list, p);
}

/* explain: the key that answers loc, the same search as geo_classify(). */
static const char *geo_region_key(const struct steer_record *r, const struct geo_loc *loc)
{
	const char *levels[] = { loc->net, loc->subdivision, loc->country, loc->continent, "default" };
	const struct geo_priv *g = r->priv;

	for (size_t i = 0; g && i < sizeof(levels) / sizeof(levels[0]); i++) {
		int k = find_key(g, levels[i]);
		if (k >= 0)
			return g->keys[k].name;
	}
	return NULL;
}

const struct steer_policy policy_geo = {
	.name = "geo",
	.compile = geo_compile,
	.free = geo_free,
	.choose = geo_choose,
	.classify = geo_classify,
	.region_key = geo_region_key,
	.uses_location = 1,
};
