/* test_steered_sign.c -- steered answers of a signed zone through
 * answer_query(): with DO the policy's set and an RRSIG made online that
 * verifies (ldns) against the zone's DNSKEY, then from the cache; without
 * a cache the zone file's RRset and its signature made at load (the
 * fallback, never SERVFAIL); without DO no RRSIG. The zone, keys and
 * policy come from a real config through load_all(). */
#include "config.h"
#include "tests/unit/lib.h"
#include "server/answer/answer.h"
#include "server/dnssec/sigcache.h"
#include "server/load.h"
#include "server/steer/steer_build.h"

#include <ldns/ldns.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[] = "/tmp/steer-sigtest-XXXXXX";
static struct snapshot *snap;
static struct answer_scratch *scratch;
static struct answer_env env = { .udp_payload = 1232 };

static void put_file(const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

static void setup(void)
{
	struct load_result r;
	char cfg[256];

	ck_assert_ptr_nonnull(mkdtemp(dir));
	put_file("z.zone", "$ORIGIN example.test.\n$TTL 300\n@ IN SOA ns1 hostmaster 1 3600 600 86400 300\n"
			   "  IN NS ns1\nns1 IN A 192.0.2.53\napp 60 IN A 198.18.0.99\n");
	put_file("c.json", "{ \"server\": { \"listen\": [\"127.0.0.1:5353\"] },\n"
			   "  \"zones\": [ { \"name\": \"example.test\", \"file\": \"z.zone\",\n"
			   "               \"dnssec\": { \"key_dir\": \"keys\" } } ],\n"
			   "  \"pools\": { \"east\": { \"members\": [\"198.18.1.1\", \"198.18.1.2\"] } },\n"
			   "  \"records\": { \"app.example.test\": { \"ttl\": 60, \"failover\": [\"east\"] } } }\n");
	snprintf(cfg, sizeof(cfg), "%s/c.json", dir);
	test_load_all(cfg, &r);
	snap = calloc(1, sizeof(*snap));
	snap->zones = load_take_zones(&r);
	steer_attach(snap, &r.steer, NULL);
	load_result_clear(&r);
	scratch = answer_scratch_new();
	env.sigcache = sigcache_new(64);
}

static void teardown(void)
{
	char cmd[300];

	snapshot_free(snap);
	answer_scratch_free(scratch);
	sigcache_free(env.sigcache);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
	strcpy(dir, "/tmp/steer-sigtest-XXXXXX");
}

static ldns_pkt *ask(const char *qname, ldns_rr_type qtype, int do_bit, struct answer_result *res)
{
	return test_ask(scratch, &env, snap, qname, qtype, do_bit, 1232, res);
}

/* The answer's A rrset verifies with its RRSIG against the zone's DNSKEYs;
 * returns the first address as text into out. */
static void verify_a(ldns_pkt *p, char *out, size_t cap)
{
	struct answer_result res;
	ldns_pkt *kp = ask("example.test.", LDNS_RR_TYPE_DNSKEY, 1, &res);
	ldns_rr_list *keys = ldns_pkt_rr_list_by_type(kp, LDNS_RR_TYPE_DNSKEY, LDNS_SECTION_ANSWER);
	ldns_rr_list *a = ldns_pkt_rr_list_by_type(p, LDNS_RR_TYPE_A, LDNS_SECTION_ANSWER);
	ldns_rr_list *sig = ldns_pkt_rr_list_by_type(p, LDNS_RR_TYPE_RRSIG, LDNS_SECTION_ANSWER);
	ldns_rr_list *good = ldns_rr_list_new();
	char *s;

	ck_assert_ptr_nonnull(keys);
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(sig);
	ck_assert_uint_eq(ldns_rr_list_rr_count(sig), 1);
	ck_assert_int_eq(ldns_verify_rrsig_keylist(a, ldns_rr_list_rr(sig, 0), keys, good), LDNS_STATUS_OK);
	s = ldns_rdf2str(ldns_rr_rdf(ldns_rr_list_rr(a, 0), 0));
	snprintf(out, cap, "%s/%zu", s, ldns_rr_list_rr_count(a));
	free(s);
	ldns_rr_list_deep_free(keys);
	ldns_rr_list_deep_free(a);
	ldns_rr_list_deep_free(sig);
	ldns_rr_list_free(good);
	ldns_pkt_free(kp);
}

START_TEST(test_steered_online)
{
	struct answer_result res;
	char first[64];
	ldns_pkt *p = ask("app.example.test.", LDNS_RR_TYPE_A, 1, &res);

	ck_assert_int_eq(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
	ck_assert_int_eq(res.sig, SIGCACHE_SIGNED);
	verify_a(p, first, sizeof(first));
	ck_assert_str_eq(first, "198.18.1.1/2"); /* the policy's set, not the zone file's */
	ldns_pkt_free(p);
	p = ask("app.example.test.", LDNS_RR_TYPE_A, 1, &res);
	ck_assert_int_eq(res.sig, SIGCACHE_HIT);
	verify_a(p, first, sizeof(first));
	ck_assert_str_eq(first, "198.18.1.1/2");
	ldns_pkt_free(p);
	/* Without DO: the steered set, no RRSIG, the cache not asked. */
	p = ask("app.example.test.", LDNS_RR_TYPE_A, 0, &res);
	ck_assert_int_eq(res.sig, SIGCACHE_NONE);
	ck_assert_uint_eq(ldns_pkt_ancount(p), 2);
	ldns_pkt_free(p);
}
END_TEST

START_TEST(test_fallback_to_zone_rrset)
{
	struct answer_result res;
	char first[64];
	struct sigcache *c = env.sigcache;
	ldns_pkt *p;

	env.sigcache = NULL; /* online signing impossible */
	p = ask("app.example.test.", LDNS_RR_TYPE_A, 1, &res);
	env.sigcache = c;
	ck_assert_int_eq(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
	ck_assert_int_eq(res.sig, SIGCACHE_FAILED);
	verify_a(p, first, sizeof(first));
	ck_assert_str_eq(first, "198.18.0.99/1"); /* the zone file's, signed at load */
	ldns_pkt_free(p);
}
END_TEST

Suite *suite_steered_sign(void)
{
	Suite *s = suite_create("steered_sign");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_steered_online);
	tcase_add_test(tc, test_fallback_to_zone_rrset);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}
