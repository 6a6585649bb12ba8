/*
 * build_lists.c -- config helpers the policies share while compiling
 * (steer_policy.h, "config helpers"): lists of pool names, weights, the
 * interning of equal lists, and the geo map a location policy classifies.
 */
#include "config.h"
#include "server/steer/steer_policy.h"
#include "common/conf.h"
#include "common/errlist.h"
#include "common/errors.h"
#include "common/suggest.h"
#include "geoip/geo.h"
#include "geoip/geoconf.h"
#include "geoip/geomap.h"

#include <stdlib.h>
#include <string.h>

static int pool_index(struct steer_build *b, const char *name)
{
	size_t i = pools_find_pool(&b->set->pc, name);
	return i == POOLS_NO_TARGET ? -1 : (int)i;
}

/* Add pool name (written at line of the config) to l. */
static int list_add(struct steer_build *b, const char *const *path, int line, struct steer_list *l,
		    const char *name, uint32_t weight, size_t cap)
{
	int p = pool_index(b, name);

	if (p < 0) {
		const struct pools_conf *pc = &b->set->pc;
		struct suggest sg;
		char hint[96];
		suggest_init(&sg, name);
		for (size_t i = 0; i < pc->npools; i++)
			suggest_add(&sg, pc->pools[i].name);
		conf_err_at(b->errs, b->cf, line, path, "no pool named \"%s\"%s", name, suggest_hint(&sg, hint, sizeof(hint)));
		return 1;
	}
	for (uint16_t i = 0; i < l->n; i++) {
		if (l->pools[i] == p) {
			conf_err_at(b->errs, b->cf, line, path, "pool \"%s\" is listed twice", name);
			return 1;
		}
	}
	if (!l->pools && !(l->pools = calloc(cap, sizeof(*l->pools)))) {
		errlist_add(b->errs, "%s: out of memory", b->cf->path);
		return 1;
	}
	if (weight && !l->weights && !(l->weights = calloc(cap, sizeof(*l->weights)))) {
		errlist_add(b->errs, "%s: out of memory", b->cf->path);
		return 1;
	}
	if (l->weights)
		l->weights[l->n] = weight;
	l->pools[l->n++] = (uint16_t)p;
	return 0;
}

/* Pools in one failover/weighted/... list: an answer walks its list per
 * query, so the list is bounded; 1,000 is far more than a real failover
 * order or region table needs. */
#define STEER_LIST_MAX 1000

int steer_parse_list(struct steer_build *b, json_t *v, const char *const *path, struct steer_list *l)
{
	int nerr = 0;

	if (json_is_string(v))
		return list_add(b, path, conf_line(b->cf, path), l, json_string_value(v), 0, 1);
	if (!json_is_array(v) || json_array_size(v) == 0) {
		conf_err(b->errs, b->cf, path, "expected a list of pool names");
		return 1;
	}
	if (json_array_size(v) > STEER_LIST_MAX) {
		conf_err(b->errs, b->cf, path, "a list of %zu pools: at most %d pools in one list (the limit)",
			 json_array_size(v), STEER_LIST_MAX);
		return 1;
	}
	for (size_t i = 0; i < json_array_size(v); i++) {
		json_t *e = json_array_get(v, i);
		if (!json_is_string(e)) {
			conf_err(b->errs, b->cf, path, "expected a list of pool names");
			return nerr + 1;
		}
		nerr += list_add(b, path, conf_line_elem(b->cf, v, i), l, json_string_value(e), 0, json_array_size(v));
	}
	return nerr;
}

int steer_parse_weights(struct steer_build *b, json_t *v, const char *const *path, struct steer_list *l)
{
	const char *key;
	json_t *w;
	int nerr = 0;

	if (!json_is_object(v) || json_object_size(v) == 0) {
		conf_err(b->errs, b->cf, path, "expected {\"POOL\": WEIGHT, ...}");
		return 1;
	}
	if (json_object_size(v) > STEER_LIST_MAX) {
		conf_err(b->errs, b->cf, path, "%zu weighted pools: at most %d pools in one list (the limit)",
			 json_object_size(v), STEER_LIST_MAX);
		return 1;
	}
	json_object_foreach(v, key, w) {
		int line = conf_line_at(b->cf, v, key);
		if (!json_is_integer(w) || json_integer_value(w) < 1 || json_integer_value(w) > 1000000) {
			conf_err_at(b->errs, b->cf, line, path, "the weight of \"%s\" must be an integer 1..1000000", key);
			nerr++;
			continue;
		}
		nerr += list_add(b, path, line, l, key, (uint32_t)json_integer_value(w), json_object_size(v));
	}
	return nerr;
}

static int list_equal(const struct steer_list *a, const struct steer_list *b)
{
	if (a->n != b->n || !a->weights != !b->weights)
		return 0;
	if (memcmp(a->pools, b->pools, a->n * sizeof(*a->pools)) != 0)
		return 0;
	return !a->weights || memcmp(a->weights, b->weights, a->n * sizeof(*a->weights)) == 0;
}

long steer_intern_list(struct steer_record *r, struct steer_list *l)
{
	struct steer_list *nl;

	for (size_t i = 0; i < r->nlists; i++) {
		if (list_equal(&r->lists[i], l)) {
			steer_list_clear(l);
			return (long)i;
		}
	}
	nl = realloc(r->lists, (r->nlists + 1) * sizeof(*nl));
	if (!nl) {
		steer_list_clear(l);
		return -1;
	}
	r->lists = nl;
	r->lists[r->nlists] = *l;
	memset(l, 0, sizeof(*l));
	return (long)r->nlists++;
}

struct classify_arg {
	struct steer_record *rec;
	const struct steer_set *set;
};

static int classify_cb(const struct geo_loc *loc, void *arg)
{
	struct classify_arg *a = arg;
	int r = a->rec->policy->classify(a->rec, a->set, loc, a->rec, NULL, 0);
	return r < 0 ? GEO_MAP_RESULT_MAX + 1 : r;
}

int steer_build_map(struct steer_build *b, struct steer_record *r, const char *const *path)
{
	struct classify_arg a = { r, b->set };
	int ret = geo_map_build(b->set->geo, classify_cb, &a, &r->map);

	if (ret != STEER_EOK) {
		conf_err(b->errs, b->cf, path, "cannot compile the GeoIP map: %s", steer_strerror(ret));
		r->map = NULL;
		return 1;
	}
	return 0;
}

