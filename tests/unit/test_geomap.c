/* test_geomap.c -- compiled region maps: exact ECS scopes and merges over
 * MMDB files written at test time with Perl's MaxMind::DB::Writer (through
 * geoip/make-demo-mmdb.pl --spec), nets overrides, the ip-location-db layout,
 * and a merge-minimality check over MaxMind's City test database. */
#include "config.h"
#include "tests/unit/lib.h"
#include "geoip/geo.h"
#include "geoip/geoconf.h"
#include "geoip/geomap.h"
#include "geoip/nets.h"
#include "common/errlist.h"
#include "common/errors.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* A geo-policy-like classifier: index of the most specific key that matches
 * (net name > subdivision > country > continent), 0 = default. */
static const char *regions[] = { "default", "EU", "NA", "AS", "DE", "FR", "US", "JP", "US-CA", "internal", NULL };

static int classify_region(const struct geo_loc *loc, void *arg)
{
	int best = 0, rank = GEO_MATCH_NONE;
	(void)arg;
	for (int i = 1; regions[i]; i++) {
		int m = geo_region_match(loc, regions[i]);
		if (m > rank) {
			rank = m;
			best = i;
		}
	}
	return best;
}

static int region(const char *name)
{
	for (int i = 0; regions[i]; i++)
		if (strcmp(regions[i], name) == 0)
			return i;
	ck_abort_msg("no region %s", name);
	return -1;
}

/* Write spec (JSON, see make-demo-mmdb.pl) to an MMDB; returns its path. */
static char *write_mmdb(const char *spec)
{
	char *specfile = test_write_temp(".json", spec), *out, *cmd;
	int rc;

	ck_assert_ptr_nonnull(specfile);
	ck_assert(asprintf(&out, "%s.mmdb", specfile) > 0);
	ck_assert(asprintf(&cmd, "perl '%s/../../geoip/make-demo-mmdb.pl' --spec '%s' '%s'", test_data_dir(),
			   specfile, out) > 0);
	rc = system(cmd);
	ck_assert_msg(rc == 0, "%s failed", cmd);
	unlink(specfile);
	free(specfile);
	free(cmd);
	return out;
}

struct fixture {
	char *path;
	struct geo_db *db;
	struct geo_map *map;
};

/* Open the database at path with optional nets ("prefix=name" list, NULL
 * terminated) and country path, and build the region map. */
static void fixture_open(struct fixture *fx, const char *path, const char *const *nets, const char *country_key)
{
	struct errlist errs;
	struct geo_conf c;

	errlist_init(&errs);
	ck_assert_int_eq(geo_conf_init(&c), 0);
	c.database = path ? strdup(path) : NULL;
	for (size_t i = 0; nets && nets[i]; i += 2)
		ck_assert_int_eq(geo_nets_add(&c.nets, nets[i], nets[i + 1]), 0);
	if (country_key) {
		free(c.country_path.v[1]);
		c.country_path.v[1] = NULL;
		free(c.country_path.v[0]);
		c.country_path.v[0] = strdup(country_key);
		c.country_path.n = 1;
	}
	ck_assert_msg(geo_db_open(&c, &fx->db, &errs) == 0, "%s", errs.n ? errs.msgs[0] : "?");
	geo_conf_clear(&c);
	ck_assert_int_eq(geo_map_build(fx->db, classify_region, NULL, &fx->map), 0);
	errlist_clear(&errs);
}

static void fixture_close(struct fixture *fx)
{
	geo_map_free(fx->map);
	geo_db_free(fx->db);
	if (fx->path) {
		unlink(fx->path);
		free(fx->path);
	}
	memset(fx, 0, sizeof(*fx));
}

/* Look ip/source up in the map as an ECS query would ask (the bits beyond
 * source cleared, RFC 7871 6); check result region and scope. */
#define EXPECT(fx, ip, source, want_region, want_scope)                                                     \
	do {                                                                                                \
		uint8_t a_[16];                                                                             \
		unsigned plen_, scope_ = 999, src_ = (source), max_;                                        \
		ck_assert_int_eq(geo_prefix_parse(ip, a_, &plen_), 0);                                      \
		max_ = geo_addr_is_v4(a_) ? 32 : 128;                                                       \
		geo_addr_mask(a_, (max_ == 32 ? 96 : 0) + (src_ < max_ ? src_ : max_));                     \
		int r_ = geo_map_lookup((fx)->map, a_, &scope_);                                            \
		ck_assert_msg(r_ == region(want_region) && scope_ == (want_scope),                          \
			      "%s/%u: got %s scope %u, want %s scope %u", ip, src_, regions[r_], scope_,       \
			      want_region, (unsigned)(want_scope));                                         \
	} while (0)

#define CITY(cont, cc, name) "{\"continent\":{\"code\":\"" cont "\"},\"country\":{\"iso_code\":\"" cc "\"},\"city\":{\"names\":{\"en\":\"" name "\"}}}"

static const char *spec_main =
	"{ \"networks\": [\n"
	/* two /25s, different records, same region: merge to /24 */
	"  [\"10.1.0.0/25\", " CITY("EU", "DE", "Berlin") "],\n"
	"  [\"10.1.0.128/25\", " CITY("EU", "DE", "Munich") "],\n"
	/* a /24 next to a different region: no merge */
	"  [\"10.2.0.0/24\", " CITY("EU", "FR", "Paris") "],\n"
	"  [\"10.2.1.0/24\", " CITY("EU", "DE", "Hamburg") "],\n"
	/* subdivision */
	"  [\"10.3.0.0/16\", {\"continent\":{\"code\":\"NA\"},\"country\":{\"iso_code\":\"US\"},"
	"\"subdivisions\":[{\"iso_code\":\"CA\"}],\"location\":{\"latitude\":37.7,\"longitude\":-122.4}}],\n"
	/* IPv6: two /49s of the same country merge to the /48; a different /48 beside */
	"  [\"2001:db8:a::/49\", " CITY("NA", "US", "Boston") "],\n"
	"  [\"2001:db8:a:8000::/49\", " CITY("NA", "US", "Austin") "],\n"
	"  [\"2001:db8:b::/48\", " CITY("AS", "JP", "Tokyo") "]\n"
	"] }\n";

START_TEST(test_merge_and_scope_v4)
{
	struct fixture fx = { .path = write_mmdb(spec_main) };

	fixture_open(&fx, fx.path, NULL, NULL);
	EXPECT(&fx, "10.1.0.5", 32, "DE", 24);
	EXPECT(&fx, "10.1.0.200", 32, "DE", 24);
	EXPECT(&fx, "10.1.0.0", 24, "DE", 24);
	EXPECT(&fx, "10.1.0.0", 25, "DE", 24);
	EXPECT(&fx, "10.2.0.7", 32, "FR", 24);
	EXPECT(&fx, "10.2.1.7", 32, "DE", 24);
	EXPECT(&fx, "10.3.200.1", 32, "US-CA", 16);
	/* The answer changes inside the source prefix: the answer for the
	 * address with zero host bits, and a scope LONGER than the source, the
	 * prefix that decided it (RFC 7871 7.2.1) */
	EXPECT(&fx, "10.1.0.0", 16, "DE", 24);  /* 10.1.1.0/24 is not in the data */
	EXPECT(&fx, "10.2.0.0", 20, "FR", 24);  /* 10.2.1.0/24 is DE */
	EXPECT(&fx, "10.2.1.0", 23, "FR", 24);  /* masked to 10.2.0.0; the /23 holds FR and DE */
	EXPECT(&fx, "10.0.0.0", 8, "default", 16); /* 10.0.0.0/16 is empty, 10.1/16 is not */
	EXPECT(&fx, "0.0.0.0", 0, "default", 5); /* 0/5 is empty, 8/5 holds 10/8 */
	EXPECT(&fx, "10.3.0.0", 8, "default", 16); /* masked to 10.0.0.0 */
	/* ... and a source as wide as the data it falls in: scope = the data */
	EXPECT(&fx, "10.3.0.0", 16, "US-CA", 16);
	/* not in the database: default, with the widest empty prefix */
	EXPECT(&fx, "11.0.0.1", 32, "default", 8);
	EXPECT(&fx, "10.1.1.1", 32, "default", 24);
	/* source prefix above 32 is clamped for IPv4 */
	EXPECT(&fx, "10.2.0.7", 128, "FR", 24);
	/* IPv4-compatible ::a.b.c.d reaches the same data (MMDB's ::/96) */
	EXPECT(&fx, "::10.2.0.7", 128, "FR", 120);
	fixture_close(&fx);
}
END_TEST

START_TEST(test_merge_and_scope_v6)
{
	struct fixture fx = { .path = write_mmdb(spec_main) };

	fixture_open(&fx, fx.path, NULL, NULL);
	EXPECT(&fx, "2001:db8:a::1", 128, "US", 48);
	EXPECT(&fx, "2001:db8:a:ffff::1", 128, "US", 48);
	EXPECT(&fx, "2001:db8:a::", 56, "US", 48);
	EXPECT(&fx, "2001:db8:b:1::", 64, "JP", 48);
	/* the answer changes inside the source: scope longer than the source */
	EXPECT(&fx, "2001:db8::", 32, "default", 45); /* 2001:db8::/45 is empty, :8::/45 is not */
	EXPECT(&fx, "2001:db8:a::", 47, "US", 48);
	EXPECT(&fx, "2001:db8:8::", 46, "default", 47); /* :8::/47 is empty, :a::/47 is not */
	fixture_close(&fx);
}
END_TEST

START_TEST(test_nets_override)
{
	static const char *const nets[] = { "10.1.0.128/25", "internal", "10.2.0.0/23", "EU",
					    "2001:db8:b:1::/64", "internal", "172.16.0.0/12", "US-CA", NULL };
	struct fixture fx = { .path = write_mmdb(spec_main) };
	struct geo_loc l;
	uint8_t a[16];
	unsigned plen;

	fixture_open(&fx, fx.path, nets, NULL);
	EXPECT(&fx, "10.1.0.200", 32, "internal", 25);
	EXPECT(&fx, "10.1.0.5", 32, "DE", 25); /* the other half lost its merge partner */
	EXPECT(&fx, "10.2.0.7", 32, "EU", 23); /* the net wins over FR and DE inside it */
	EXPECT(&fx, "10.2.1.7", 32, "EU", 23);
	EXPECT(&fx, "172.20.1.1", 32, "US-CA", 12);
	EXPECT(&fx, "2001:db8:b:1::5", 128, "internal", 64);
	EXPECT(&fx, "2001:db8:b:2::5", 128, "JP", 63);
	/* the slow path agrees and names the net */
	ck_assert_int_eq(geo_prefix_parse("10.1.0.200", a, &plen), 0);
	ck_assert_int_eq(geo_db_lookup(fx.db, a, &l), 0);
	ck_assert_str_eq(l.net, "internal");
	ck_assert_uint_eq(l.prefix, 25);
	ck_assert_int_eq(geo_prefix_parse("10.1.0.5", a, &plen), 0);
	ck_assert_int_eq(geo_db_lookup(fx.db, a, &l), 0);
	ck_assert_ptr_null(l.net);
	ck_assert_str_eq(l.country, "DE");
	fixture_close(&fx);
}
END_TEST

/* No database at all: nets only. */
START_TEST(test_nets_only)
{
	static const char *const nets[] = { "10.0.0.0/8", "internal", "2001:db8:1::/48", "internal", NULL };
	struct fixture fx = { 0 };

	fixture_open(&fx, NULL, nets, NULL);
	EXPECT(&fx, "10.9.9.9", 32, "internal", 8);
	EXPECT(&fx, "11.9.9.9", 32, "default", 8);
	EXPECT(&fx, "128.0.0.1", 32, "default", 1);
	EXPECT(&fx, "2001:db8:1::1", 128, "internal", 48);
	EXPECT(&fx, "2001:db8:2::1", 128, "default", 47);
	fixture_close(&fx);
}
END_TEST

static int classify_zero(const struct geo_loc *loc, void *arg)
{
	return 0;
}

/* A map whose answer never depends on the client: scope 0 everywhere. */
START_TEST(test_constant_map_scope0)
{
	char *path = write_mmdb(spec_main);
	struct errlist errs;
	struct geo_conf c;
	struct geo_db *db;
	struct geo_map *map;
	unsigned scope = 99, plen;
	uint8_t a[16];

	errlist_init(&errs);
	ck_assert_int_eq(geo_conf_init(&c), 0);
	c.database = strdup(path);
	ck_assert_int_eq(geo_db_open(&c, &db, &errs), 0);
	ck_assert_int_eq(geo_map_build(db, classify_zero, NULL, &map), 0);
	ck_assert_int_eq(geo_prefix_parse("10.1.0.5", a, &plen), 0);
	ck_assert_int_eq(geo_map_lookup(map, a, &scope), 0);
	ck_assert_uint_eq(scope, 0);
	ck_assert_int_eq(geo_prefix_parse("2001:db8:b::1", a, &plen), 0);
	ck_assert_int_eq(geo_map_lookup(map, a, &scope), 0);
	ck_assert_uint_eq(scope, 0);
	struct geo_map_stats st;
	geo_map_stats(map, &st);
	ck_assert_uint_eq(st.nodes, 0);
	geo_map_free(map);
	geo_db_free(db);
	geo_conf_clear(&c);
	unlink(path);
	free(path);
	errlist_clear(&errs);
}
END_TEST

static int classify_bad(const struct geo_loc *loc, void *arg)
{
	return loc->found ? -1 : 0;
}

START_TEST(test_classifier_out_of_range)
{
	struct fixture fx = { .path = write_mmdb(spec_main) };
	struct geo_map *map = NULL;

	fixture_open(&fx, fx.path, NULL, NULL);
	ck_assert_int_eq(geo_map_build(fx.db, classify_bad, NULL, &map), STEER_ERANGE);
	ck_assert_ptr_null(map);
	fixture_close(&fx);
}
END_TEST

/* ip-location-db layout: only "country_code", no continent (from the table). */
START_TEST(test_country_code_layout)
{
	struct fixture fx = { .path = write_mmdb("{ \"database_type\": \"country ipvAll\", \"alias\": false,\n"
						 "  \"networks\": [\n"
						 "  [\"81.2.69.0/24\", {\"country_code\":\"GB\"}],\n"
						 "  [\"8.8.8.0/24\", {\"country_code\":\"US\"}],\n"
						 "  [\"8.8.9.0/24\", {\"country_code\":\"US\"}],\n"
						 "  [\"41.0.0.0/11\", {\"country_code\":\"NA\"}],\n"
						 "  [\"2001:218::/32\", {\"country_code\":\"KR\"}]\n"
						 "] }\n") };
	struct geo_loc l;
	uint8_t a[16];
	unsigned plen;

	fixture_open(&fx, fx.path, NULL, "country_code");
	EXPECT(&fx, "81.2.69.142", 32, "EU", 24);
	EXPECT(&fx, "8.8.8.8", 32, "US", 23);
	EXPECT(&fx, "::ffff:8.8.9.9", 128, "US", 23);
	EXPECT(&fx, "2001:218::1", 128, "AS", 32);
	/* sources around the data: the answer for the first address, and the
	 * scope longer than the source where the answer changes inside it */
	EXPECT(&fx, "8.8.8.0", 22, "US", 23); /* 8.8.10.0/23 is empty */
	EXPECT(&fx, "8.8.8.0", 16, "default", 21); /* 8.8.0.0/21 is empty */
	EXPECT(&fx, "81.2.69.0", 20, "default", 22); /* 81.2.64.0/22 is empty */
	/* Namibia: AF, not North America; default like its empty neighbours, so merged */
	EXPECT(&fx, "41.1.0.1", 32, "default", 3);
	ck_assert_int_eq(geo_prefix_parse("41.1.0.1", a, &plen), 0);
	ck_assert_int_eq(geo_db_lookup(fx.db, a, &l), 0);
	ck_assert_str_eq(l.country, "NA");
	ck_assert_str_eq(l.continent, "AF");
	fixture_close(&fx);
}
END_TEST

/* An IPv4-only database: IPv6 clients are not found. */
START_TEST(test_ipv4_only_db)
{
	struct fixture fx = { .path = write_mmdb("{ \"ip_version\": 4, \"record_size\": 28, \"networks\": [\n"
						 "  [\"10.2.0.0/24\", " CITY("EU", "FR", "Paris") "],\n"
						 "  [\"10.2.1.0/24\", " CITY("EU", "FR", "Lyon") "]\n"
						 "] }\n") };

	fixture_open(&fx, fx.path, NULL, NULL);
	EXPECT(&fx, "10.2.1.1", 32, "FR", 23);
	EXPECT(&fx, "10.2.2.1", 32, "default", 23);
	EXPECT(&fx, "2001:db8::1", 128, "default", 3); /* 2000::/3: beside the path to ::ffff:0:0/96 */
	fixture_close(&fx);
}
END_TEST

/* Every leaf of a map: its sibling prefix must not be a leaf of the same
 * length with the same result (the merge is complete), and a lookup of any
 * address inside gives the leaf's result and scope. */
struct minimal {
	const struct geo_map *map;
	size_t leaves;
	unsigned base;
};

static int check_leaf(const uint8_t addr[16], unsigned plen, int result, void *arg)
{
	struct minimal *m = arg;
	uint8_t sib[16], last[16];
	unsigned bit = m->base + plen - 1, scope, sscope;

	m->leaves++;
	memcpy(last, addr, 16);
	for (unsigned i = m->base + plen; i < 128; i++) /* the highest address inside */
		last[i >> 3] |= (uint8_t)(0x80 >> (i & 7));
	ck_assert_int_eq(geo_map_lookup(m->map, addr, &scope), result);
	ck_assert_uint_eq(scope, plen);
	ck_assert_int_eq(geo_map_lookup(m->map, last, &scope), result);
	ck_assert_uint_eq(scope, plen);
	if (plen == 0)
		return 0;
	memcpy(sib, addr, 16);
	sib[bit >> 3] ^= (uint8_t)(0x80 >> (bit & 7));
	int sres = geo_map_lookup(m->map, sib, &sscope);
	ck_assert_msg(!(sscope == plen && sres == result), "unmerged siblings at /%u", plen);
	return 0;
}

START_TEST(test_merge_minimal_city)
{
	char *path;
	struct fixture fx = { 0 };
	struct minimal m = { 0 };
	struct geo_map_stats st;

	ck_assert(asprintf(&path, "%s/mmdb/GeoIP2-City-Test.mmdb", test_data_dir()) > 0);
	fixture_open(&fx, path, NULL, NULL);
	free(path);
	m.map = fx.map;
	m.base = 96;
	ck_assert_int_eq(geo_map_walk(fx.map, 4, check_leaf, &m), 0);
	ck_assert_uint_gt(m.leaves, 10);
	m.base = 0;
	ck_assert_int_eq(geo_map_walk(fx.map, 6, check_leaf, &m), 0);
	geo_map_stats(fx.map, &st);
	printf("geomap: GeoIP2-City-Test: %zu nodes, %zu records, %zu mmdb nodes, %zu leaves, %.2f ms\n", st.nodes,
	       st.records, st.mmdb_nodes, m.leaves, st.build_ms);
	ck_assert_uint_gt(st.records, 50);
	fixture_close(&fx);
}
END_TEST

/* Differential: the compiled map against libmaxminddb's own lookup
 * (geo_db_lookup + the same classifier) for random addresses, and the scope
 * is sound: another random address inside the returned scope prefix gets
 * the same answer from libmaxminddb. */
static uint32_t rnd(uint64_t *s)
{
	*s = *s * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(*s >> 33);
}

static void random_addr(uint64_t *s, uint8_t a[16], int v4)
{
	for (int i = 0; i < 16; i += 4) {
		uint32_t x = rnd(s);
		memcpy(a + i, &x, 4);
	}
	if (v4) {
		memset(a, 0, 10);
		a[10] = a[11] = 0xff;
	} else {
		a[0] = (uint8_t)(0x20 | (a[0] & 0x0f)); /* 2000::/4: where the data is */
		if (rnd(s) & 1)
			a[1] = 0x01, a[2] = (uint8_t)(a[2] & 0x0f);
	}
}

static void differential(const char *path, const char *country_key, int n)
{
	struct fixture fx = { 0 };
	uint64_t seed = 42;

	fixture_open(&fx, path, NULL, country_key);
	for (int i = 0; i < n; i++) {
		uint8_t a[16], b[16];
		unsigned scope, base;
		struct geo_loc l;
		int v4 = i & 1, r;

		random_addr(&seed, a, v4);
		/* half the queries as ECS with a random source prefix (host bits
		 * zero): the scope may then be longer than the source */
		if (i & 2)
			geo_addr_mask(a, (v4 ? 96 : 0) + rnd(&seed) % (v4 ? 33 : 129));
		r = geo_map_lookup(fx.map, a, &scope);
		geo_db_lookup(fx.db, a, &l);
		ck_assert_int_eq(r, classify_region(&l, NULL));
		/* an address sharing the first scope bits */
		random_addr(&seed, b, v4);
		base = v4 ? 96 + scope : scope;
		for (unsigned bit = 0; bit < base; bit++) {
			b[bit >> 3] &= (uint8_t) ~(0x80 >> (bit & 7));
			b[bit >> 3] |= (uint8_t)(a[bit >> 3] & (0x80 >> (bit & 7)));
		}
		geo_db_lookup(fx.db, b, &l);
		ck_assert_msg(classify_region(&l, NULL) == r, "scope /%u of an address is not uniform", scope);
	}
	fixture_close(&fx);
}

START_TEST(test_differential_city)
{
	char *path;

	ck_assert(asprintf(&path, "%s/mmdb/GeoIP2-City-Test.mmdb", test_data_dir()) > 0);
	differential(path, NULL, 20000);
	free(path);
}
END_TEST

START_TEST(test_differential_shared)
{
	const char *shared = test_shared_dir();
	char *path;

	if (!shared) {
		printf("test_differential_shared: skipped (no ../shared/testdata)\n");
		return;
	}
	ck_assert(asprintf(&path, "%s/mmdb/ip-location-db/iptoasn-country.mmdb", shared) > 0);
	differential(path, "country_code", 50000);
	free(path);
}
END_TEST

/* A hand-made IPv4 MMDB (record size 24) whose search tree reaches one node
 * (the head of a 31-node chain) at depth 1 and again at depth 2, so that the
 * second path would be 33 bits long. Valid files never do this; the builder
 * must refuse it rather than let a lookup read past the 128-bit address.
 * With reuse = 0 the second reference is an empty record: the same file
 * format then builds fine (the test cannot pass on a file that never opens). */
static char *write_shared_depth_mmdb(int reuse)
{
	enum { N = 33 };
	static const uint8_t meta_head[] = "\xAB\xCD\xEFMaxMind.com";
	uint8_t buf[1024];
	size_t len = 0;
	char *path;
	FILE *f;

#define REC(v) (buf[len++] = (uint8_t)((v) >> 16), buf[len++] = (uint8_t)((v) >> 8), buf[len++] = (uint8_t)(v))
#define STR(s) (buf[len++] = (uint8_t)(0x40 | (sizeof(s) - 1)), memcpy(buf + len, s, sizeof(s) - 1), len += sizeof(s) - 1)
	REC(2), REC(1);                 /* node 0 */
	REC(reuse ? 2 : N), REC(N);     /* node 1: node 2 again, one level deeper */
	for (unsigned i = 2; i < N - 1; i++)
		REC(i + 1), REC(N);     /* the chain */
	REC(N + 16), REC(N);            /* node 32: a data record, empty */
	memset(buf + len, 0, 16);       /* data section separator */
	len += 16;
	buf[len++] = 0xE0;              /* the data: an empty map */
	memcpy(buf + len, meta_head, sizeof(meta_head) - 1);
	len += sizeof(meta_head) - 1;
	buf[len++] = 0xE9;              /* metadata: a map of 9 entries */
	STR("node_count"), buf[len++] = 0xC1, buf[len++] = N;
	STR("record_size"), buf[len++] = 0xA1, buf[len++] = 24;
	STR("ip_version"), buf[len++] = 0xA1, buf[len++] = 4;
	STR("binary_format_major_version"), buf[len++] = 0xA1, buf[len++] = 2;
	STR("binary_format_minor_version"), buf[len++] = 0xA0;
	STR("build_epoch"), buf[len++] = 0x01, buf[len++] = 0x02, buf[len++] = 1;
	STR("database_type"), STR("Test");
	STR("languages"), buf[len++] = 0x00, buf[len++] = 0x04;
	STR("description"), buf[len++] = 0xE0;
#undef REC
#undef STR
	path = test_write_temp(".mmdb", "");
	ck_assert_ptr_nonnull(path);
	f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(buf, 1, len, f), len);
	fclose(f);
	return path;
}

static int classify_found(const struct geo_loc *loc, void *arg)
{
	return loc->found;
}

START_TEST(test_corrupt_shared_depth)
{
	for (int reuse = 0; reuse < 2; reuse++) {
		char *path = write_shared_depth_mmdb(reuse);
		struct errlist errs;
		struct geo_conf c;
		struct geo_db *db;
		struct geo_map *map = NULL;
		unsigned scope;
		uint8_t a[16];
		unsigned plen;

		errlist_init(&errs);
		ck_assert_int_eq(geo_conf_init(&c), 0);
		c.database = strdup(path);
		ck_assert_msg(geo_db_open(&c, &db, &errs) == 0, "%s", errs.n ? errs.msgs[0] : "?");
		if (!reuse) {
			ck_assert_int_eq(geo_map_build(db, classify_found, NULL, &map), 0);
			ck_assert_int_eq(geo_prefix_parse("0.0.0.0", a, &plen), 0);
			ck_assert_int_eq(geo_map_lookup(map, a, &scope), 1); /* 31 zero bits, then data */
			ck_assert_uint_eq(scope, 32);
			geo_map_free(map);
		} else {
			ck_assert_int_eq(geo_map_build(db, classify_found, NULL, &map), STEER_EMALF);
			ck_assert_ptr_null(map);
		}
		geo_db_free(db);
		geo_conf_clear(&c);
		unlink(path);
		free(path);
		errlist_clear(&errs);
	}
}
END_TEST

/* The committed demo database routes the documentation ranges per continent. */
START_TEST(test_demo_database)
{
	char *path;
	struct fixture fx = { 0 };

	ck_assert(asprintf(&path, "%s/../../zones/demo-geo.mmdb", test_data_dir()) > 0);
	fixture_open(&fx, path, NULL, NULL);
	free(path);
	EXPECT(&fx, "198.51.100.0", 24, "US-CA", 24);
	EXPECT(&fx, "2001:db8:100::", 48, "US", 40);
	EXPECT(&fx, "203.0.113.0", 24, "DE", 24);
	EXPECT(&fx, "192.0.2.0", 24, "JP", 24);
	EXPECT(&fx, "8.8.8.8", 32, "US", 24);
	EXPECT(&fx, "81.2.69.142", 32, "EU", 24);
	EXPECT(&fx, "10.0.0.1", 32, "default", 7);
	fixture_close(&fx);
}
END_TEST

/* Build time, node count and lookup cost over the real ip-location-db file. */
START_TEST(test_big_database_shared)
{
	const char *shared = test_shared_dir();
	struct fixture fx = { 0 };
	struct geo_map_stats st;
	struct timespec t0, t1;
	char *path;
	uint8_t a[16];
	unsigned plen, scope;
	uint32_t x = 12345;
	long sum = 0;
	const int n = 2000000;

	if (!shared) {
		printf("test_big_database_shared: skipped (no ../shared/testdata)\n");
		return;
	}
	ck_assert(asprintf(&path, "%s/mmdb/ip-location-db/geo-whois-asn-country.mmdb", shared) > 0);
	fixture_open(&fx, path, NULL, "country_code");
	free(path);
	geo_map_stats(fx.map, &st);
	ck_assert_int_eq(geo_prefix_parse("8.8.8.8", a, &plen), 0);
	ck_assert_int_eq(geo_map_lookup(fx.map, a, &scope), region("US"));
	ck_assert_int_eq(geo_prefix_parse("193.0.6.139", a, &plen), 0);
	ck_assert_int_eq(geo_map_lookup(fx.map, a, &scope), region("EU"));
	ck_assert_uint_le(scope, 24);
	ck_assert_int_eq(geo_prefix_parse("2a02:ff0::1", a, &plen), 0);
	ck_assert_int_eq(geo_map_lookup(fx.map, a, &scope), region("AS"));
	ck_assert_int_eq(geo_prefix_parse("0.0.0.0", a, &plen), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		memcpy(a + 12, &x, 4);
		sum += geo_map_lookup(fx.map, a, &scope) + scope;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("geomap: geo-whois-asn-country: %zu nodes (%zu KiB), %zu records, %zu mmdb nodes, build %.1f ms, "
	       "IPv4 lookup %.1f ns (checksum %ld)\n",
	       st.nodes, st.nodes * 8 / 1024, st.records, st.mmdb_nodes, st.build_ms,
	       ((double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec)) / n, sum);
	fixture_close(&fx);
}
END_TEST

Suite *suite_geomap(void)
{
	Suite *s = suite_create("geomap");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_merge_and_scope_v4);
	tcase_add_test(tc, test_merge_and_scope_v6);
	tcase_add_test(tc, test_nets_override);
	tcase_add_test(tc, test_nets_only);
	tcase_add_test(tc, test_constant_map_scope0);
	tcase_add_test(tc, test_classifier_out_of_range);
	tcase_add_test(tc, test_country_code_layout);
	tcase_add_test(tc, test_ipv4_only_db);
	tcase_add_test(tc, test_merge_minimal_city);
	tcase_add_test(tc, test_differential_city);
	tcase_add_test(tc, test_differential_shared);
	tcase_add_test(tc, test_corrupt_shared_depth);
	tcase_add_test(tc, test_demo_database);
	tcase_add_test(tc, test_big_database_shared);
	suite_add_tcase(s, tc);
	return s;
}
