/*
 * closest.c -- "closest": ["us-east", "eu-west", ...]
 *
 * Pools are ranked by great-circle distance between the client's MMDB
 * location (City databases have one) and each pool's "location"; the
 * ranking then works like failover, so when the nearest pool is down the
 * next nearest answers. Clients without a location (not in the database,
 * a Country database, a nets entry) get the listed order.
 *
 * The ranking is computed per database record while the map is compiled
 * (each distinct ranking is one list), never per query.
 */
#include "config.h"
#include "server/steer/policy/table.h"
#include "server/steer/steer_policy.h"
#include "common/conf.h"
#include "common/errlist.h"
#include "geoip/geo.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CLOSEST 64

static int closest_compile(struct steer_build *b, struct steer_record *r, json_t *v, const char *const *path)
{
	struct steer_list l = { 0 };
	int nerr = steer_parse_list(b, v, path, &l);

	if (nerr == 0 && l.n > MAX_CLOSEST) {
		conf_err(b->errs, b->cf, path, "at most %d pools", MAX_CLOSEST);
		nerr++;
	}
	for (uint16_t i = 0; nerr == 0 && i < l.n; i++) {
		if (!b->set->pools[l.pools[i]].has_location) {
			conf_err(b->errs, b->cf, path, "pool \"%s\" has no \"location\": [latitude, longitude]",
				 b->set->pools[l.pools[i]].name);
			nerr++;
		}
	}
	if (nerr) {
		steer_list_clear(&l);
		return nerr;
	}
	/* List 0 is the configured order: the answer for unlocated clients. */
	if (steer_intern_list(r, &l) < 0) {
		errlist_add(b->errs, "%s: out of memory", b->cf->path);
		return 1;
	}
	return steer_build_map(b, r, path);
}

/* Great-circle distance in km (haversine). */
static double distance_km(double lat1, double lon1, double lat2, double lon2)
{
	const double rad = M_PI / 180.0;
	double dlat = (lat2 - lat1) * rad, dlon = (lon2 - lon1) * rad;
	double a = sin(dlat / 2) * sin(dlat / 2) + cos(lat1 * rad) * cos(lat2 * rad) * sin(dlon / 2) * sin(dlon / 2);
	return 6371.0 * 2 * atan2(sqrt(a), sqrt(1 - a));
}

static int closest_classify(const struct steer_record *r, const struct steer_set *set, const struct geo_loc *loc,
			    struct steer_record *build, char *why, size_t whylen)
{
	const struct steer_list *base = &r->lists[0];
	uint16_t order[MAX_CLOSEST];
	double dist[MAX_CLOSEST];
	struct steer_list l = { 0 };
	size_t used = 0;

	if (!loc->has_location) {
		if (why)
			snprintf(why, whylen, "no location for the client: pools in the listed order");
		return 0;
	}
	/* Insertion sort: stable, so equal distances keep the listed order. */
	for (uint16_t i = 0; i < base->n; i++) {
		const struct steer_pool *p = &set->pools[base->pools[i]];
		double d = distance_km(loc->latitude, loc->longitude, p->lat, p->lon);
		uint16_t j = i;
		for (; j > 0 && dist[j - 1] > d; j--) {
			dist[j] = dist[j - 1];
			order[j] = order[j - 1];
		}
		dist[j] = d;
		order[j] = base->pools[i];
	}
	for (uint16_t i = 0; why && i < base->n && used < whylen; i++)
		used += (size_t)snprintf(why + used, whylen - used, "%s%s %.0f km", i ? ", " : "nearest first: ",
					 set->pools[order[i]].name, dist[i]);
	if (!build) { /* explain: find the ranking among the compiled ones */
		for (size_t k = 0; k < r->nlists; k++)
			if (r->lists[k].n == base->n && memcmp(r->lists[k].pools, order, base->n * sizeof(*order)) == 0)
				return (int)k;
		return 0;
	}
	l.n = base->n;
	if (!(l.pools = malloc(base->n * sizeof(*l.pools))))
		return -1;
	memcpy(l.pools, order, base->n * sizeof(*order));
	return (int)steer_intern_list(build, &l);
}

static void closest_choose(const struct steer_ctx *c, struct steer_pick *p)
{
	steer_pick_first_up(c, c->list, p);
}

const struct steer_policy policy_closest = {
	.name = "closest",
	.compile = closest_compile,
	.choose = closest_choose,
	.classify = closest_classify,
	.uses_location = 1,
};
