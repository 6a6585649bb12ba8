/* test_steer.c -- the steering engine in-process: config compile (through
 * load_all, as steerdns and `steerctl check` do it), every policy's choice
 * over controlled health state, fall open, the family split, degraded TTLs,
 * geo nesting and closest over an MMDB written at test time, ECS handling
 * in steer_answer(), health carried over a reload, and explain. */
#include "config.h"
#include "tests/unit/lib.h"
#include "server/steer/explain.h"
#include "server/load.h"
#include "server/wire/query.h"
#include "server/zone/snapshot.h"
#include "server/steer/steer.h"
#include "server/steer/steer_build.h"
#include "server/steer/steer_policy.h"
#include "common/errlist.h"
#include "common/errors.h"
#include "geoip/nets.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *zone_text =
	"$ORIGIN example.com.\n$TTL 3600\n"
	"@ SOA ns1 hostmaster 1 2h 1h 1w 300\n  NS ns1\nns1 A 192.0.2.53\n"
	"app 60 A 192.0.2.99\nfo 120 A 192.0.2.99\nnd A 192.0.2.99\nw A 192.0.2.99\ns A 192.0.2.99\n"
	"m A 192.0.2.99\nnear A 192.0.2.99\nsix AAAA 2001:db8::99\nalias CNAME app\n";

/* Places: California, New York, Canada (country only), Frankfurt, Tokyo. */
static const char *mmdb_spec =
	"{ \"networks\": [\n"
	" [\"198.51.100.0/24\", {\"continent\":{\"code\":\"NA\"},\"country\":{\"iso_code\":\"US\"},"
	"  \"subdivisions\":[{\"iso_code\":\"CA\"}],\"location\":{\"latitude\":37.77,\"longitude\":-122.42}}],\n"
	" [\"100.64.2.0/24\", {\"continent\":{\"code\":\"NA\"},\"country\":{\"iso_code\":\"US\"},"
	"  \"subdivisions\":[{\"iso_code\":\"NY\"}],\"location\":{\"latitude\":40.71,\"longitude\":-74.01}}],\n"
	" [\"100.64.0.0/24\", {\"continent\":{\"code\":\"NA\"},\"country\":{\"iso_code\":\"CA\"}}],\n"
	" [\"203.0.113.0/24\", {\"continent\":{\"code\":\"EU\"},\"country\":{\"iso_code\":\"DE\"},"
	"  \"location\":{\"latitude\":50.11,\"longitude\":8.68}}],\n"
	" [\"2001:db8:200::/40\", {\"continent\":{\"code\":\"EU\"},\"country\":{\"iso_code\":\"DE\"},"
	"  \"location\":{\"latitude\":52.52,\"longitude\":13.40}}],\n"
	" [\"192.0.2.0/24\", {\"continent\":{\"code\":\"AS\"},\"country\":{\"iso_code\":\"JP\"},"
	"  \"location\":{\"latitude\":35.69,\"longitude\":139.69}}]\n"
	"] }\n";

static const char *records_text =
	"\"app.example.com\": { \"geo\": { \"US-CA\": [\"c\"], \"US\": [\"b\"], \"NA\": [\"a\"],\n"
	"    \"EU\": [\"b\", \"a\"], \"office\": [\"c\"], \"default\": [\"a\", \"b\"] } },\n"
	"\"fo.example.com\": { \"ttl\": 60, \"failover\": [\"a\", \"b\"] },\n"
	"\"nd.example.com\": { \"ttl\": 60, \"degraded_ttl\": 5, \"when_all_down\": \"nodata\", \"failover\": [\"b\"] },\n"
	"\"w.example.com\": { \"weighted\": { \"a\": 3, \"b\": 1 } },\n"
	"\"s.example.com\": { \"sticky\": { \"pools\": { \"a\": 1, \"b\": 1, \"c\": 1 } } },\n"
	"\"m.example.com\": { \"multivalue\": { \"pools\": [\"a\", \"c\", \"b\"], \"max\": 3 } },\n"
	"\"near.example.com\": { \"closest\": [\"a\", \"b\", \"c\"] },\n"
	"\"six.example.com\": { \"failover\": [\"v6only\"] }\n";

struct env {
	char *zone, *mmdb, *conf;
	struct load_result r;
	struct snapshot snap;
	struct steer_set *set;
};

static char *write_mmdb(const char *spec)
{
	char *specfile = test_write_temp(".json", spec), *out, *cmd;

	ck_assert_ptr_nonnull(specfile);
	ck_assert(asprintf(&out, "%s.mmdb", specfile) > 0);
	ck_assert(asprintf(&cmd, "perl '%s/../../geoip/make-demo-mmdb.pl' --spec '%s' '%s'", test_data_dir(),
			   specfile, out) > 0);
	ck_assert_msg(system(cmd) == 0, "%s failed", cmd);
	unlink(specfile);
	free(specfile);
	free(cmd);
	return out;
}

static char *config_text(const struct env *e, const char *records)
{
	char *s;
	ck_assert(asprintf(&s,
		"{ \"server\": { \"listen\": [\"127.0.0.1:53\"] },\n"
		"  \"zones\": [ { \"name\": \"example.com\", \"file\": \"%s\" } ],\n"
		"  \"geoip\": { \"database\": \"%s\", \"nets\": { \"10.0.0.0/8\": \"office\" } },\n"
		"  \"checks\": { \"web\": { \"type\": \"tcp\", \"port\": 80 } },\n"
		"  \"pools\": {\n"
		"    \"a\": { \"check\": \"web\", \"members\": [\"192.0.2.1\", \"192.0.2.2\", \"2001:db8::1\"],"
		"           \"location\": [40.7, -74.0] },\n"
		"    \"b\": { \"check\": \"web\", \"members\": [\"198.51.100.1\"], \"location\": [50.1, 8.7] },\n"
		"    \"c\": { \"check\": \"web\", \"members\": [\"203.0.113.1\", \"203.0.113.2\"], \"location\": [35.7, 139.7] },\n"
		"    \"v6only\": { \"members\": [\"2001:db8::66\"] } },\n"
		"  \"records\": {\n%s  }\n}\n", e->zone, e->mmdb, records) > 0);
	return s;
}

static void env_open(struct env *e)
{
	struct errlist errs;
	char *text;

	memset(e, 0, sizeof(*e));
	e->zone = test_write_temp(".zone", zone_text);
	e->mmdb = write_mmdb(mmdb_spec);
	text = config_text(e, records_text);
	e->conf = test_write_temp(".json", text);
	free(text);
	errlist_init(&errs);
	if (load_all(e->conf, &e->r, &errs) != STEER_EOK)
		ck_abort_msg("load failed: %s", errs.n ? errs.msgs[0] : "?");
	errlist_clear(&errs);
	steer_attach(&e->snap, &e->r.steer, NULL);
	e->set = steer_set_of(&e->snap);
	ck_assert_ptr_nonnull(e->set);
}

static void env_close(struct env *e)
{
	e->snap.free_extra(e->snap.extra);
	load_result_clear(&e->r);
	unlink(e->zone);
	unlink(e->mmdb);
	unlink(e->conf);
	free(e->zone);
	free(e->mmdb);
	free(e->conf);
}

static void set_state(struct env *e, const char *addr, uint8_t st)
{
	char name[64];
	size_t i;

	snprintf(name, sizeof(name), "web@%s", addr);
	i = pools_find_target(&e->set->pc, name);
	ck_assert_msg(i != POOLS_NO_TARGET, "no target %s", name);
	atomic_store(&e->set->state[i], st);
}

/* Evaluate name for family fam, client "PREFIX" (ECS) or NULL (nowhere).
 * Returns the answer's addresses as "a b c" (static buffer). */
static const char *eval(struct env *e, const char *name, int fam, const char *client, struct steer_answer *out)
{
	static char buf[512];
	const struct steer_record *rec = steer_find_record(e->set, name);
	struct steer_client cl;
	size_t n = 0;

	ck_assert_msg(rec != NULL, "no record %s", name);
	memset(&cl, 0, sizeof(cl));
	cl.addr[10] = cl.addr[11] = 0xff;
	if (client) {
		ck_assert_int_eq(geo_prefix_parse(client, cl.addr, &cl.source), 0);
		cl.ecs = 1;
	}
	steer_eval(e->set, rec, fam, &cl, out, NULL);
	buf[0] = 0;
	for (uint16_t i = 0; i < out->naddrs; i++)
		n += strlen(inet_ntop(fam == STEER_V4 ? AF_INET : AF_INET6, out->addrs[i], buf + n + (n ? 1 : 0),
				      (socklen_t)(sizeof(buf) - n - 1))) + (n ? 1 : 0);
	for (size_t i = 0; i < n; i++)
		if (buf[i] == 0)
			buf[i] = ' ';
	return buf;
}

START_TEST(failover_order_and_degraded_ttl)
{
	struct env e;
	struct steer_answer a;

	env_open(&e);
	/* unknown health counts as up */
	ck_assert_str_eq(eval(&e, "fo.example.com", STEER_V4, NULL, &a), "192.0.2.1 192.0.2.2");
	ck_assert_uint_eq(a.ttl, 60);
	set_state(&e, "192.0.2.1", STEER_ST_UP);
	set_state(&e, "192.0.2.2", STEER_ST_DOWN);
	ck_assert_str_eq(eval(&e, "fo.example.com", STEER_V4, NULL, &a), "192.0.2.1");
	ck_assert_uint_eq(a.ttl, 30); /* members missing: degraded, default half */
	set_state(&e, "192.0.2.1", STEER_ST_DOWN | STEER_ST_DRAINED);
	ck_assert_str_eq(eval(&e, "fo.example.com", STEER_V4, NULL, &a), "198.51.100.1");
	ck_assert_uint_eq(a.ttl, 30); /* fallback pool */
	ck_assert_uint_eq(a.ecs_scope, 0); /* failover ignores the location */
	set_state(&e, "198.51.100.1", STEER_ST_DOWN);
	/* fall open: everything down -> as if all were up */
	ck_assert_str_eq(eval(&e, "fo.example.com", STEER_V4, NULL, &a), "192.0.2.1 192.0.2.2");
	ck_assert_uint_eq(a.ttl, 30);
	ck_assert(!a.use_static);
	/* AAAA: pool a's IPv6 member (its target is up/unknown) */
	ck_assert_str_eq(eval(&e, "fo.example.com", STEER_V6, NULL, &a), "2001:db8::1");
	ck_assert_uint_eq(a.ttl, 60);
	env_close(&e);
}
END_TEST

START_TEST(nodata_when_all_down_and_family_split)
{
	struct env e;
	struct steer_answer a;

	env_open(&e);
	ck_assert_str_eq(eval(&e, "nd.example.com", STEER_V4, NULL, &a), "198.51.100.1");
	set_state(&e, "198.51.100.1", STEER_ST_DOWN);
	eval(&e, "nd.example.com", STEER_V4, NULL, &a);
	ck_assert_uint_eq(a.naddrs, 0);
	ck_assert(!a.use_static);
	/* no IPv6 member in pool b: AAAA is NODATA */
	set_state(&e, "198.51.100.1", STEER_ST_UP);
	eval(&e, "nd.example.com", STEER_V6, NULL, &a);
	ck_assert_uint_eq(a.naddrs, 0);
	/* a pool without a check is always up; A for an IPv6-only pool: NODATA */
	ck_assert_str_eq(eval(&e, "six.example.com", STEER_V6, NULL, &a), "2001:db8::66");
	eval(&e, "six.example.com", STEER_V4, NULL, &a);
	ck_assert_uint_eq(a.naddrs, 0);
	env_close(&e);
}
END_TEST

START_TEST(geo_nesting_and_scope)
{
	struct env e;
	struct steer_answer a;

	env_open(&e);
	ck_assert_str_eq(eval(&e, "app.example.com", STEER_V4, "198.51.100.0/24", &a), "203.0.113.1 203.0.113.2");
	ck_assert_uint_eq(a.ecs_scope, 24); /* subdivision US-CA */
	ck_assert_str_eq(eval(&e, "app.example.com", STEER_V4, "100.64.2.0/24", &a), "198.51.100.1"); /* US */
	ck_assert_str_eq(eval(&e, "app.example.com", STEER_V4, "100.64.0.0/24", &a), "192.0.2.1 192.0.2.2"); /* NA */
	ck_assert_str_eq(eval(&e, "app.example.com", STEER_V4, "203.0.113.0/24", &a), "198.51.100.1"); /* EU */
	ck_assert_str_eq(eval(&e, "app.example.com", STEER_V4, "192.0.2.0/24", &a), "192.0.2.1 192.0.2.2"); /* default */
	ck_assert_str_eq(eval(&e, "app.example.com", STEER_V4, "10.9.0.0/16", &a), "203.0.113.1 203.0.113.2");
	ck_assert_uint_eq(a.ecs_scope, 8); /* the nets entry 10.0.0.0/8 */
	/* a /16 around the data answers as its zero-host-bit address, and the
	 * answer changes inside it: the scope is longer than the source, the
	 * /18 that decided (198.51.0.0/18 holds no data, 198.51.64.0/18 does) */
	eval(&e, "app.example.com", STEER_V4, "198.51.0.0/16", &a);
	ck_assert_uint_eq(a.ecs_scope, 18);
	/* a /22 around a /24 of data: the /24 decided (scope longer than source) */
	eval(&e, "app.example.com", STEER_V4, "198.51.100.0/22", &a);
	ck_assert_uint_eq(a.ecs_scope, 24);
	/* IPv6 client in Germany: EU list, AAAA from pool a (b has no IPv6) */
	ck_assert_str_eq(eval(&e, "app.example.com", STEER_V6, "2001:db8:200::/48", &a), "2001:db8::1");
	ck_assert_uint_eq(a.ttl, 60); /* b has no IPv6 member: skipping it is no fallback */
	env_close(&e);
}
END_TEST

START_TEST(weighted_distribution)
{
	struct env e;
	struct steer_answer a;
	int n = 40000, hits[3] = { 0 };

	env_open(&e);
	for (int i = 0; i < n; i++) {
		const char *s = eval(&e, "w.example.com", STEER_V4, NULL, &a);
		ck_assert_uint_eq(a.naddrs, 1);
		hits[strcmp(s, "192.0.2.1") == 0 ? 0 : strcmp(s, "192.0.2.2") == 0 ? 1 : 2]++;
	}
	/* pool a (weight 3, two members) 75%, split evenly; pool b 25%; +-2% */
	ck_assert_msg(abs(hits[2] - n / 4) < n / 50, "b got %d of %d", hits[2], n);
	ck_assert_msg(abs(hits[0] - n * 3 / 8) < n / 50, "a1 got %d of %d", hits[0], n);
	ck_assert_msg(abs(hits[1] - n * 3 / 8) < n / 50, "a2 got %d of %d", hits[1], n);
	/* b down: everything to a, degraded */
	set_state(&e, "198.51.100.1", STEER_ST_DOWN);
	for (int i = 0; i < 1000; i++)
		ck_assert_str_ne(eval(&e, "w.example.com", STEER_V4, NULL, &a), "198.51.100.1");
	ck_assert_uint_eq(a.ttl, steer_find_record(e.set, "w.example.com")->degraded_ttl);
	env_close(&e);
}
END_TEST

START_TEST(sticky_stability)
{
	struct env e;
	struct steer_answer a;
	char before[256][32], net[32];
	int moved = 0, spread[5] = { 0 };
	const char *members[5] = { "192.0.2.1", "192.0.2.2", "198.51.100.1", "203.0.113.1", "203.0.113.2" };

	env_open(&e);
	for (int i = 0; i < 256; i++) {
		snprintf(net, sizeof(net), "100.%d.%d.0/24", i, (i * 7) % 256);
		snprintf(before[i], sizeof(before[i]), "%s", eval(&e, "s.example.com", STEER_V4, net, &a));
		ck_assert_uint_eq(a.ecs_scope, 24);
		for (int k = 0; k < 5; k++)
			spread[k] += strcmp(before[i], members[k]) == 0;
		/* same client, same answer, and host bits do not matter */
		snprintf(net, sizeof(net), "100.%d.%d.77/32", i, (i * 7) % 256);
		ck_assert_str_eq(eval(&e, "s.example.com", STEER_V4, net, &a), before[i]);
	}
	for (int k = 0; k < 5; k++)
		ck_assert_msg(spread[k] > 15, "member %s got %d of 256 clients", members[k], spread[k]);
	/* one member down: only its clients move */
	set_state(&e, "198.51.100.1", STEER_ST_DOWN);
	for (int i = 0; i < 256; i++) {
		snprintf(net, sizeof(net), "100.%d.%d.0/24", i, (i * 7) % 256);
		const char *now = eval(&e, "s.example.com", STEER_V4, net, &a);
		if (strcmp(before[i], "198.51.100.1") == 0) {
			ck_assert_str_ne(now, "198.51.100.1");
			moved++;
		} else {
			ck_assert_str_eq(now, before[i]);
		}
	}
	ck_assert_int_eq(moved, spread[2]);
	env_close(&e);
}
END_TEST

START_TEST(closest_by_coordinates)
{
	struct env e;
	struct steer_answer a;

	env_open(&e);
	ck_assert_str_eq(eval(&e, "near.example.com", STEER_V4, "203.0.113.0/24", &a), "198.51.100.1"); /* Frankfurt -> b */
	ck_assert_uint_eq(a.ecs_scope, 24);
	ck_assert_str_eq(eval(&e, "near.example.com", STEER_V4, "192.0.2.0/24", &a), "203.0.113.1 203.0.113.2"); /* Tokyo -> c */
	ck_assert_str_eq(eval(&e, "near.example.com", STEER_V4, "100.64.2.0/24", &a), "192.0.2.1 192.0.2.2"); /* NY -> a */
	/* no location (country-only record): the listed order */
	ck_assert_str_eq(eval(&e, "near.example.com", STEER_V4, "100.64.0.0/24", &a), "192.0.2.1 192.0.2.2");
	/* nearest down: the next nearest (Frankfurt: New York before Tokyo) */
	set_state(&e, "198.51.100.1", STEER_ST_DOWN);
	ck_assert_str_eq(eval(&e, "near.example.com", STEER_V4, "203.0.113.0/24", &a), "192.0.2.1 192.0.2.2");
	ck_assert_uint_eq(a.ttl, steer_find_record(e.set, "near.example.com")->degraded_ttl);
	env_close(&e);
}
END_TEST

START_TEST(multivalue_max)
{
	struct env e;
	struct steer_answer a;

	env_open(&e);
	ck_assert_str_eq(eval(&e, "m.example.com", STEER_V4, NULL, &a), "192.0.2.1 192.0.2.2 203.0.113.1");
	ck_assert_uint_eq(a.ttl, 3600);
	set_state(&e, "192.0.2.1", STEER_ST_DOWN);
	ck_assert_str_eq(eval(&e, "m.example.com", STEER_V4, NULL, &a), "192.0.2.2 203.0.113.1 203.0.113.2");
	ck_assert_uint_eq(a.ttl, 1800);
	env_close(&e);
}
END_TEST

/* steer_answer() as answer.c calls it: ECS, mapped IPv6 ECS, source 0, no ECS. */
START_TEST(answer_ecs_handling)
{
	struct env e;
	struct steer_answer a;
	struct query q;
	struct sockaddr_in src = { .sin_family = AF_INET };
	const struct steer_record *rec;

	env_open(&e);
	rec = steer_find_record(e.set, "app.example.com");
	inet_pton(AF_INET, "198.51.100.9", &src.sin_addr);
	memset(&q, 0, sizeof(q));
	q.ecs = 1, q.ecs_family = 1, q.ecs_source = 24;
	inet_pton(AF_INET, "203.0.113.0", q.ecs_addr);
	steer_answer(&e.snap, rec->node, 1, &q, (struct sockaddr *)&src, &a);
	ck_assert_uint_eq(a.naddrs, 1); /* EU -> b */
	ck_assert_uint_eq(a.ecs_scope, 24);
	/* the same subnet as IPv4-mapped IPv6: treated as IPv4, scope in IPv6 bits */
	q.ecs_family = 2, q.ecs_source = 120;
	memset(q.ecs_addr, 0, 16);
	q.ecs_addr[10] = q.ecs_addr[11] = 0xff;
	inet_pton(AF_INET, "203.0.113.0", q.ecs_addr + 12);
	steer_answer(&e.snap, rec->node, 1, &q, (struct sockaddr *)&src, &a);
	ck_assert_uint_eq(a.naddrs, 1);
	ck_assert_uint_eq(a.ecs_scope, 120);
	/* SOURCE PREFIX-LENGTH 0: located by the source (California -> c), scope 0 */
	q.ecs_family = 1, q.ecs_source = 0;
	memset(q.ecs_addr, 0, 16);
	steer_answer(&e.snap, rec->node, 1, &q, (struct sockaddr *)&src, &a);
	ck_assert_uint_eq(a.naddrs, 2);
	ck_assert_uint_eq(a.ecs_scope, 0);
	/* geoip.ecs false: the ECS option is ignored */
	q.ecs_source = 24;
	inet_pton(AF_INET, "203.0.113.0", q.ecs_addr);
	e.snap.no_ecs = 1;
	steer_answer(&e.snap, rec->node, 1, &q, (struct sockaddr *)&src, &a);
	ck_assert_uint_eq(a.naddrs, 2);
	/* not A/AAAA, or no policy set: the zone file */
	steer_answer(&e.snap, rec->node, 16, &q, (struct sockaddr *)&src, &a);
	ck_assert(a.use_static);
	env_close(&e);
}
END_TEST

START_TEST(reload_keeps_health)
{
	struct env e;
	struct load_result r2;
	struct snapshot s2 = { 0 };
	struct errlist errs;
	struct steer_answer a;
	struct steer_set *set2;
	struct steer_client cl = { 0 };
	size_t i;

	env_open(&e);
	set_state(&e, "192.0.2.1", STEER_ST_DOWN | STEER_ST_DRAINED);
	set_state(&e, "192.0.2.2", STEER_ST_DOWN);
	errlist_init(&errs);
	ck_assert_int_eq(load_all(e.conf, &r2, &errs), STEER_EOK);
	steer_attach(&s2, &r2.steer, &e.snap);
	set2 = steer_set_of(&s2);
	i = pools_find_target(&set2->pc, "web@192.0.2.1");
	ck_assert_uint_eq(atomic_load(&set2->state[i]), STEER_ST_DOWN | STEER_ST_DRAINED);
	cl.addr[10] = cl.addr[11] = 0xff;
	steer_eval(set2, steer_find_record(set2, "fo.example.com"), STEER_V4, &cl, &a, NULL);
	ck_assert_uint_eq(a.naddrs, 1); /* pool b: a is still down after the reload */
	s2.free_extra(s2.extra);
	load_result_clear(&r2);
	errlist_clear(&errs);
	env_close(&e);
}
END_TEST

START_TEST(explain_reports_the_path)
{
	struct env e;
	char err[256];
	json_t *j, *p0;

	env_open(&e);
	set_state(&e, "203.0.113.2", STEER_ST_DOWN);
	j = explain_json(&e.snap, "APP.example.com.", "A", NULL, "198.51.100.0/24", err, sizeof(err));
	ck_assert_msg(j != NULL, "%s", err);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(j, "region"), "key")), "US-CA");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(j, "location"), "network")),
			 "198.51.100.0/24");
	p0 = json_array_get(json_object_get(j, "pools"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(p0, "pool")), "c");
	ck_assert_str_eq(json_string_value(json_object_get(p0, "verdict")), "answered");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(json_object_get(p0, "members"), 1), "state")),
			 "down");
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(j, "answer"), 0)), "203.0.113.1");
	ck_assert(json_is_true(json_object_get(j, "degraded")));
	ck_assert_int_eq(json_integer_value(json_object_get(j, "ecs_scope")), 24);
	json_decref(j);
	ck_assert_ptr_null(explain_json(&e.snap, "alias.example.com", "A", NULL, NULL, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "no steering policy"));
	ck_assert_ptr_null(explain_json(&e.snap, "app.example.com", "MX", NULL, NULL, err, sizeof(err)));
	ck_assert_ptr_null(explain_json(&e.snap, "app.example.com", "A", "10.0.0.0/8", NULL, err, sizeof(err)));
	env_close(&e);
}
END_TEST

/* Config errors carry file:line and the record's path. */
static char *load_errors(struct env *e, const char *records)
{
	struct errlist errs;
	char *text = config_text(e, records), *path = test_write_temp(".json", text), *all = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&all, &len);

	errlist_init(&errs);
	ck_assert_int_ne(load_all(path, &e->r, &errs), STEER_EOK);
	for (size_t i = 0; i < errs.n; i++)
		fprintf(f, "%s\n", errs.msgs[i]);
	fclose(f);
	errlist_clear(&errs);
	unlink(path);
	free(path);
	free(text);
	return all;
}

/* The zone and database of a config that is expected not to load. */
static void errors_env_open(struct env *e)
{
	memset(e, 0, sizeof(*e));
	e->zone = test_write_temp(".zone", zone_text);
	e->mmdb = write_mmdb(mmdb_spec);
}

static void errors_env_close(struct env *e)
{
	unlink(e->zone);
	unlink(e->mmdb);
	free(e->zone);
	free(e->mmdb);
}

START_TEST(config_errors)
{
	struct env e;
	char *s;

	errors_env_open(&e);
	s = load_errors(&e, "\"nothere.example.com\": { \"failover\": [\"a\"] },\n"
			    "\"other.org\": { \"failover\": [\"a\"] },\n"
			    "\"alias.example.com\": { \"failover\": [\"a\"] },\n"
			    "\"fo.example.com\": { \"failover\": [\"a\", \"zz\"], \"ttl\": -1 },\n"
			    "\"app.example.com\": { \"geo\": { \"XX\": [\"a\"], \"EU\": [\"b\"] } },\n"
			    "\"w.example.com\": { \"weighted\": { \"a\": 0 }, \"failover\": [\"a\"] }\n");
	ck_assert_msg(strstr(s, ":11: records/nothere.example.com: no such name"), "%s", s);
	ck_assert_msg(strstr(s, "records/other.org: not in any zone"), "%s", s);
	ck_assert_msg(strstr(s, "records/alias.example.com: has a CNAME"), "%s", s);
	ck_assert_msg(strstr(s, "no pool named \"zz\""), "%s", s);
	ck_assert_msg(strstr(s, "records/fo.example.com/ttl: expected a TTL"), "%s", s);
	ck_assert_msg(strstr(s, "unknown region \"XX\""), "%s", s);
	ck_assert_msg(strstr(s, "no \"default\" list"), "%s", s);
	ck_assert_msg(strstr(s, "a record has one policy"), "%s", s);
	free(s);
	errors_env_close(&e);
}
END_TEST

/* Unknown names get "did you mean", each error at the line of what is
 * wrong (the records start at line 11 of config_text()). */
START_TEST(config_error_suggestions)
{
	static const char *const want[] = {
		":11: records/fo.example.com: unknown key \"failovr\" (did you mean \"failover\"?)\n",
		":11: records/fo.example.com: no policy (failover, geo, weighted, multivalue, closest, sticky)\n",
		":12: records/nd.example.com: unknown key \"degraded_tll\" (did you mean \"degraded_ttl\"?)\n",
		":15: records/w.example.com/failover: no pool named \"v6onyl\" (did you mean \"v6only\"?)\n",
		":17: records/s.example.com/weighted: no pool named \"v6olny\" (did you mean \"v6only\"?)\n",
		":18: records/m.example.com/multivalue: unknown key \"maxx\" (did you mean \"max\"?)\n",
		":19: records/app.example.com/geo/deafult: unknown region \"deafult\" (did you mean \"default\"?)\n",
		":19: records/app.example.com/geo/offcie: unknown region \"offcie\" (did you mean \"office\"?)\n",
		":20: records/near.example.com/when_all_down: unknown value \"nodaat\" (did you mean \"nodata\"?)\n",
		":22: records/SIX.example.com.: listed twice (first at line 21)\n",
		":20: records/near.example.com: unknown key \"zzz\" (expected one of: ttl, degraded_ttl, "
		"when_all_down, comment, failover, geo, weighted, multivalue, closest, sticky)\n",
	};
	struct env e;
	char *s;

	errors_env_open(&e);
	s = load_errors(&e, "\"fo.example.com\": { \"failovr\": [\"a\"] },\n"
			    "\"nd.example.com\": { \"degraded_tll\": 5, \"failover\": [\"a\"] },\n"
			    "\"w.example.com\": { \"failover\": [\n"
			    "    \"a\",\n"
			    "    \"v6onyl\" ] },\n"
			    "\"s.example.com\": { \"weighted\": { \"a\": 1,\n"
			    "    \"v6olny\": 2 } },\n"
			    "\"m.example.com\": { \"multivalue\": { \"pools\": [\"a\"], \"maxx\": 3 } },\n"
			    "\"app.example.com\": { \"geo\": { \"deafult\": [\"a\"], \"offcie\": [\"b\"], \"EU\": [\"b\"] } },\n"
			    "\"near.example.com\": { \"closest\": [\"a\"], \"when_all_down\": \"nodaat\", \"zzz\": 1 },\n"
			    "\"six.example.com\": { \"failover\": [\"v6only\"] },\n"
			    "\"SIX.example.com.\": { \"failover\": [\"v6only\"] }\n");
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		ck_assert_msg(strstr(s, want[i]), "no %s in:\n%s", want[i], s);
	free(s);
	errors_env_close(&e);
}
END_TEST

Suite *suite_steer(void)
{
	Suite *s = suite_create("steer");
	TCase *tc = tcase_create("policies");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, failover_order_and_degraded_ttl);
	tcase_add_test(tc, nodata_when_all_down_and_family_split);
	tcase_add_test(tc, geo_nesting_and_scope);
	tcase_add_test(tc, weighted_distribution);
	tcase_add_test(tc, sticky_stability);
	tcase_add_test(tc, closest_by_coordinates);
	tcase_add_test(tc, multivalue_max);
	tcase_add_test(tc, answer_ecs_handling);
	tcase_add_test(tc, reload_keeps_health);
	tcase_add_test(tc, explain_reports_the_path);
	tcase_add_test(tc, config_errors);
	tcase_add_test(tc, config_error_suggestions);
	suite_add_tcase(s, tc);
	return s;
}
