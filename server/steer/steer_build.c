/*
 * steer_build.c -- compile "records" (with pools, health targets and the
 * GeoIP database) into a struct steer_set, bind the steered zone nodes, and
 * hand the set to a snapshot with the last-known health state.
 *
 *   "records": { "app.example.com": { "ttl": 60, "degraded_ttl": 30,
 *                   "when_all_down": "fall_open" | "nodata",
 *                   "geo" | "failover" | "weighted" | "multivalue" |
 *                   "closest" | "sticky": POLICY VALUE } }
 *
 * Each policy compiles its own value (policy/<name>.c, found through the
 * table in policy/table.c); this file does the record's common keys, the
 * pools and the bindings; build_lists.c has the helpers the policies share
 * (pool lists, weights, geo maps).
 */
#include "config.h"
#include "server/steer/steer_build.h"
#include "server/steer/steer_policy.h"
#include "server/wire/dname.h"
#include "server/zone/lookup.h"
#include "server/zone/snapshot.h"
#include "server/zone/zone.h"
#include "server/zone/zonedb_find.h"
#include "common/conf.h"
#include "common/dns.h"
#include "common/errlist.h"
#include "common/errors.h"
#include "common/log.h"
#include "common/suggest.h"
#include "geoip/geo.h"
#include "geoip/geoconf.h"
#include "geoip/geomap.h"

#include <ctype.h>
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <strings.h>

void steer_list_clear(struct steer_list *l)
{
	free(l->pools);
	free(l->weights);
	memset(l, 0, sizeof(*l));
}

static void record_clear(struct steer_record *r)
{
	for (size_t i = 0; i < r->nlists; i++)
		steer_list_clear(&r->lists[i]);
	free(r->lists);
	if (r->priv && r->policy && r->policy->free)
		r->policy->free(r->priv);
	geo_map_free(r->map);
	free(r->name);
}

void steer_set_free(struct steer_set *set)
{
	if (!set)
		return;
	for (size_t i = 0; i < set->nrecords; i++)
		record_clear(&set->records[i]);
	free(set->records);
	for (size_t i = 0; i < set->npools; i++) {
		free(set->pools[i].m[0]);
		free(set->pools[i].m[1]);
	}
	free(set->pools);
	free(set->bind);
	free((void *)set->state);
	free(set->votes);
	free((void *)set->up_since_ms);
	geo_db_free(set->geo);
	if (set->geoconf)
		geo_conf_clear(set->geoconf);
	free(set->geoconf);
	pools_conf_clear(&set->pc);
	free(set);
}

static void free_extra(void *p)
{
	steer_set_free(p);
}

struct steer_set *steer_set_of(const struct snapshot *snap)
{
	return snap && snap->free_extra == free_extra ? snap->extra : NULL;
}

/* The sources' votes too, by source name and target name. */
static void copy_votes(struct steer_set *set, const struct steer_set *prev)
{
	const struct health_sources *ns = &set->pc.sources, *os = &prev->pc.sources;

	for (size_t s = 0; s < ns->n; s++) {
		size_t o;
		for (o = 0; o < os->n && strcmp(os->v[o].name, ns->v[s].name) != 0; o++)
			;
		if (o == os->n)
			continue;
		if (prev->live & (1u << o))
			set->live |= 1u << s;
		for (size_t i = 0; i < set->pc.ntargets; i++) {
			size_t j = pools_find_target(&prev->pc, set->pc.targets[i].name);
			if (j != POOLS_NO_TARGET)
				set->votes[s * set->pc.ntargets + i] = prev->votes[o * prev->pc.ntargets + j];
		}
	}
}

void steer_attach(struct snapshot *snap, struct steer_set **setp, const struct snapshot *old)
{
	struct steer_set *set = *setp;
	const struct steer_set *prev = steer_set_of(old);

	*setp = NULL;
	if (!set)
		return;
	snap->extra = set;
	snap->free_extra = free_extra;
	snap->no_ecs = !set->ecs;
	/* Health state survives a reload: same target name, same state. */
	for (size_t i = 0; prev && i < set->pc.ntargets; i++) {
		size_t j = pools_find_target(&prev->pc, set->pc.targets[i].name);
		if (j == POOLS_NO_TARGET)
			continue;
		atomic_store_explicit(&set->state[i], atomic_load(&prev->state[j]), memory_order_relaxed);
		atomic_store_explicit(&set->up_since_ms[i], atomic_load(&prev->up_since_ms[j]), memory_order_relaxed);
	}
	if (prev)
		copy_votes(set, prev);
}

size_t steer_pend_new_targets(struct snapshot *snap, const struct snapshot *old)
{
	struct steer_set *set = steer_set_of(snap);
	const struct steer_set *prev = steer_set_of(old);
	uint32_t longest = 0;
	size_t n = 0;
	struct timespec now;

	for (size_t i = 0; set && i < set->pc.ntargets; i++) {
		const struct health_target_conf *t = &set->pc.targets[i];
		const struct check_conf *c = &set->pc.checks[t->check];
		if (prev && pools_find_target(&prev->pc, t->name) != POOLS_NO_TARGET)
			continue;
		atomic_store_explicit(&set->state[i], STEER_ST_PENDING, memory_order_relaxed);
		if (c->interval_ms + c->timeout_ms > longest)
			longest = c->interval_ms + c->timeout_ms;
		n++;
	}
	if (n) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		set->pending_until_ms = (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000 + longest + 1000;
	}
	return n;
}

/* --- pools --------------------------------------------------------------- */

static int build_pools(struct steer_set *set)
{
	const struct pools_conf *pc = &set->pc;

	set->npools = pc->npools;
	set->pools = calloc(pc->npools + 1, sizeof(*set->pools));
	set->state = calloc(pc->ntargets + 1, sizeof(*set->state));
	set->votes = malloc(pc->sources.n * pc->ntargets + 1);
	set->up_since_ms = calloc(pc->ntargets + 1, sizeof(*set->up_since_ms));
	if (!set->pools || !set->state || !set->votes || !set->up_since_ms)
		return STEER_ENOMEM;
	memset(set->votes, STEER_VOTE_NONE, pc->sources.n * pc->ntargets + 1);
	for (size_t i = 0; i < pc->npools; i++) {
		const struct pool_conf *p = &pc->pools[i];
		struct steer_pool *sp = &set->pools[i];
		sp->name = p->name;
		sp->has_location = p->has_location;
		sp->lat = p->latitude;
		sp->lon = p->longitude;
		sp->slowstart_ms = p->slowstart_ms;
		for (int f = 0; f < 2; f++)
			if (!(sp->m[f] = calloc(p->nmembers + 1, sizeof(*sp->m[f]))))
				return STEER_ENOMEM;
		for (size_t j = 0; j < p->nmembers && j < 65535; j++) {
			const struct pool_member *pm = &p->members[j];
			int f = pm->addr.family == AF_INET ? STEER_V4 : STEER_V6;
			struct steer_member *m = &sp->m[f][sp->n[f]++];
			memcpy(m->addr, pm->addr.bytes, f == STEER_V4 ? 4 : 16);
			m->target = pm->target == POOLS_NO_TARGET ? STEER_NO_TARGET : (uint32_t)pm->target;
			m->text = pm->addr.text;
			m->pool = (uint16_t)i;
		}
	}
	return STEER_EOK;
}

/* --- records ------------------------------------------------------------- */

/* "App.Example.COM" -> lowercase wire. Returns the length or -1. */
static int name_to_wire(const char *s, uint8_t *out)
{
	size_t n = 0, lab = 0;

	if (!*s || strcmp(s, ".") == 0)
		return -1;
	out[0] = 0;
	for (const char *p = s; *p; p++) {
		if (*p == '.') {
			if (p[1] && out[lab] == 0)
				return -1; /* empty label */
			if (!p[1])
				break;
			lab = ++n;
			out[lab] = 0;
			continue;
		}
		if (out[lab] == 63 || n + 2 >= DNAME_MAXLEN)
			return -1;
		out[++n] = (uint8_t)tolower((unsigned char)*p);
		out[lab]++;
	}
	if (out[lab] == 0)
		return -1;
	out[++n] = 0;
	return (int)n + 1;
}

/* Bind node to r; 1 when node already has a record (listed twice). */
static int bind_add(struct steer_set *set, const struct node *node, const struct steer_record *r)
{
	uint32_t i;

	if (steer_record_at(set, node))
		return 1;
	i = (uint32_t)(((uintptr_t)(const void *)node >> 3) * 0x9E3779B97F4A7C15ull >> 32) & set->bind_mask;
	while (set->bind[i].node)
		i = (i + 1) & set->bind_mask;
	set->bind[i].node = node;
	set->bind[i].rec = r;
	return 0;
}

/* The line of the first key of "records" that names the same node as name
 * (another spelling: case, trailing dot), or 1. */
static int first_spelling_line(struct steer_build *b, const uint8_t *wire, int len)
{
	json_t *sec = json_object_get(b->cf->root, "records"), *v;
	uint8_t w2[DNAME_MAXLEN + 1];
	const char *key;

	json_object_foreach(sec, key, v) {
		if (name_to_wire(key, w2) == len && memcmp(w2, wire, (size_t)len) == 0)
			return conf_line_at(b->cf, sec, key);
	}
	return 1;
}

/* Find the zone node of name and check that it can be steered. */
static const struct node *steered_node(struct steer_build *b, const struct zonedb *zones, const char *name,
				 const char *const *path)
{
	uint8_t wire[DNAME_MAXLEN + 1];
	int len = name_to_wire(name, wire);
	const struct zone *z;
	struct lookup_result lr;

	if (len < 0) {
		conf_err(b->errs, b->cf, path, "not a valid domain name");
		return NULL;
	}
	z = zones ? zonedb_find(zones, wire, (size_t)len) : NULL;
	if (!z) {
		conf_err(b->errs, b->cf, path, "not in any zone served here");
		return NULL;
	}
	lookup_name(z, wire, (size_t)len, dname_labels(wire), DNS_TYPE_A, NULL, &lr);
	if (lr.kind != LOOKUP_NODE || lr.node->nrrsets == 0) {
		conf_err(b->errs, b->cf, path, "no such name in zone %s: add its A/AAAA records to the zone file "
			 "(they are the fallback and what transfers export)", z->name);
		return NULL;
	}
	if (node_cut(lr.node) || (lr.node->flags & NODE_CNAME)) {
		conf_err(b->errs, b->cf, path, "%s", node_cut(lr.node) ? "below a delegation: not answered here"
								  : "has a CNAME: it cannot also have addresses");
		return NULL;
	}
	if (steer_record_at(b->set, lr.node)) {
		conf_err(b->errs, b->cf, path, "listed twice (first at line %d)", first_spelling_line(b, wire, len));
		return NULL;
	}
	return lr.node;
}

static uint32_t default_ttl(const struct node *n)
{
	const struct rrset *s = node_rrset(n, DNS_TYPE_A);
	if (!s)
		s = node_rrset(n, DNS_TYPE_AAAA);
	return s ? s->ttl : 60;
}

static int read_ttl(struct steer_build *b, json_t *v, const char *const *path, uint32_t *out)
{
	if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 2147483647) {
		conf_err(b->errs, b->cf, path, "expected a TTL in seconds (0..2147483647)");
		return 1;
	}
	*out = (uint32_t)json_integer_value(v);
	return 0;
}

/* The keys a record takes: its own, then one per policy (the table's
 * order). Returns how many were written to out. */
static size_t record_keys(const char **out, size_t cap)
{
	static const char *const own[] = { "ttl", "degraded_ttl", "when_all_down", "comment" };
	size_t n = 0;

	for (size_t i = 0; i < sizeof(own) / sizeof(own[0]) && n < cap; i++)
		out[n++] = own[i];
	for (size_t i = 0; steer_policies[i] && n < cap; i++)
		out[n++] = steer_policies[i]->name;
	return n;
}

/* "failover, geo, ..." from the table, for messages. Returns buf. */
static const char *policy_names(char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = 0;
	for (size_t i = 0; steer_policies[i] && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? ", " : "", steer_policies[i]->name);
	return buf;
}

static int read_when_all_down(struct steer_build *b, json_t *v, const char *const *path, struct steer_record *r)
{
	const char *s = json_string_value(v);
	struct suggest sg;
	char hint[96];

	if (s && strcmp(s, "nodata") == 0) {
		r->nodata_when_down = 1;
		return 0;
	}
	if (s && strcmp(s, "fall_open") == 0)
		return 0;
	suggest_init(&sg, s);
	suggest_add(&sg, "fall_open");
	suggest_add(&sg, "nodata");
	if (suggest_best(&sg))
		conf_err(b->errs, b->cf, path, "unknown value \"%s\"%s", s, suggest_hint(&sg, hint, sizeof(hint)));
	else
		conf_err(b->errs, b->cf, path, "expected \"fall_open\" (the default) or \"nodata\"");
	return 1;
}

static int read_record(struct steer_build *b, const struct zonedb *zones, const char *name, json_t *obj,
		       struct steer_record *r)
{
	const char *path[] = { "records", name, NULL, NULL }, *known[32];
	const char *key;
	json_t *v, *pv = NULL, *dttl = NULL;
	const struct node *node;
	int nerr = 0;
	char names[256];

	if (!json_is_object(obj)) {
		conf_err(b->errs, b->cf, path, "expected an object with a policy (%s)", policy_names(names, sizeof(names)));
		return 1;
	}
	if (!(node = steered_node(b, zones, name, path)))
		return 1;
	r->ttl = default_ttl(node);
	json_object_foreach(obj, key, v) {
		const struct steer_policy *pol = steer_policy_find(key);
		path[2] = key;
		if (strcmp(key, "ttl") == 0) {
			nerr += read_ttl(b, v, path, &r->ttl);
		} else if (strcmp(key, "degraded_ttl") == 0) {
			dttl = v;
		} else if (strcmp(key, "when_all_down") == 0) {
			nerr += read_when_all_down(b, v, path, r);
		} else if (strcmp(key, "comment") == 0) {
			continue;
		} else if (pol && r->policy) {
			conf_err(b->errs, b->cf, path, "a record has one policy (it already has %s)", r->policy->name);
			nerr++;
		} else if (pol) {
			r->policy = pol;
			pv = v;
		} else {
			path[2] = NULL; /* the message names the key */
			nerr += conf_unknown_key(b->cf, obj, path, key, known, record_keys(known, 32), b->errs);
		}
	}
	r->degraded_ttl = r->ttl > 1 ? r->ttl / 2 : r->ttl;
	path[2] = "degraded_ttl";
	if (dttl && read_ttl(b, dttl, path, &r->degraded_ttl) == 0 && r->degraded_ttl > r->ttl) {
		conf_err(b->errs, b->cf, path, "larger than the ttl (%u)", r->ttl);
		nerr++;
	}
	path[2] = NULL;
	if (!r->policy) {
		conf_err(b->errs, b->cf, path, "no policy (%s)", policy_names(names, sizeof(names)));
		return nerr + 1;
	}
	path[2] = r->policy->name;
	nerr += r->policy->compile(b, r, pv, path);
	r->node = node;
	if (nerr == 0)
		bind_add(b->set, node, r);
	return nerr;
}

static char *presentation(const char *name)
{
	size_t n = strlen(name);
	char *s = malloc(n + 2);

	if (!s)
		return NULL;
	for (size_t i = 0; i < n; i++)
		s[i] = (char)tolower((unsigned char)name[i]);
	if (n == 0 || s[n - 1] != '.')
		s[n++] = '.';
	s[n] = 0;
	return s;
}

static int read_records(struct steer_build *b, const struct zonedb *zones)
{
	json_t *sec = json_object_get(b->cf->root, "records"), *v;
	const char *name;
	int nerr = 0;

	if (!sec)
		return 0;
	if (!json_is_object(sec)) {
		conf_err(b->errs, b->cf, (conf_path_t){ "records", NULL }, "expected an object of name: policy");
		return 1;
	}
	b->set->records = calloc(json_object_size(sec) + 1, sizeof(*b->set->records));
	for (b->set->bind_mask = 7; b->set->bind_mask < json_object_size(sec) * 2; )
		b->set->bind_mask = b->set->bind_mask * 2 + 1;
	b->set->bind = calloc(b->set->bind_mask + 1u, sizeof(*b->set->bind));
	if (!b->set->records || !b->set->bind) {
		errlist_add(b->errs, "%s: out of memory", b->cf->path);
		return 1;
	}
	json_object_foreach(sec, name, v) {
		struct steer_record *r = &b->set->records[b->set->nrecords++];
		if (!(r->name = presentation(name))) {
			errlist_add(b->errs, "%s: out of memory", b->cf->path);
			return nerr + 1;
		}
		nerr += read_record(b, zones, name, v, r);
	}
	return nerr;
}

static int open_geo(struct steer_build *b)
{
	struct geo_conf *gc = calloc(1, sizeof(*gc));
	int nerr;

	if (!gc) {
		errlist_add(b->errs, "%s: out of memory", b->cf->path);
		return 1;
	}
	b->set->geoconf = gc;
	nerr = geo_conf_read(b->cf, gc, b->errs);
	b->set->ecs = gc->ecs;
	if (nerr == 0 && geo_db_open(gc, &b->set->geo, b->errs) != STEER_EOK)
		nerr++;
	return nerr;
}

int steer_build(const struct conf_file *cf, struct zonedb *zones, struct steer_set **out, struct errlist *errs)
{
	struct steer_set *set = calloc(1, sizeof(*set));
	struct steer_build b = { .cf = cf, .set = set, .errs = errs };
	int nerr;

	*out = NULL;
	if (!set || !cf->root) {
		free(set);
		if (cf->root)
			errlist_add(errs, "%s: out of memory", cf->path);
		return 1;
	}
	nerr = pools_conf_load(cf, &set->pc, errs);
	nerr += open_geo(&b);
	if (nerr == 0 && build_pools(set) != STEER_EOK) {
		errlist_add(errs, "%s: out of memory", cf->path);
		nerr++;
	}
	if (nerr == 0)
		nerr += read_records(&b, zones);
	if (nerr) {
		steer_set_free(set);
		return nerr;
	}
	set->healthd_socket = set->pc.socket;
	*out = set;
	return 0;
}
