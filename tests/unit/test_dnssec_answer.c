/* test_dnssec_answer.c -- what DO adds to answers from a signed zone
 * (server/answer/dnssec_answer.c, through answer_query()): the proof that
 * a name answered by a wildcard CNAME earlier in a chain does not exist
 * (also when the chain then leaves our zones), one per wildcard; every
 * RRSIG of a CNAME chain under its own CNAME's owner (verified with ldns
 * against the zone's DNSKEY); for NSEC3 a wildcard answer proved by the
 * one NSEC3 covering the next closer name (RFC 5155 7.2.6); QTYPE RRSIG
 * answered with every RRSIG of the name, with and without DO, not chased
 * through a CNAME (unless the zone is unsigned). Zones, keys and config
 * are real, loaded with load_all(). */
#include "config.h"
#include "tests/unit/lib.h"
#include "server/answer/answer.h"
#include "server/load.h"
#include "server/zone/snapshot.h"

#include <ldns/ldns.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[] = "/tmp/steer-doans-XXXXXX";
static struct snapshot *snap;
static struct answer_scratch *scratch;
static struct answer_env env = { .udp_payload = 4096 };

static const char zone_text[] = "$TTL 300\n@ IN SOA ns1 hostmaster 1 3600 600 86400 300\n  IN NS ns1\n"
				"ns1 IN A 192.0.2.53\nwww IN A 192.0.2.1\nwww IN AAAA 2001:db8::1\n"
				"*.wild IN A 192.0.2.99\n*.wc IN CNAME www\n*.ww IN CNAME bar.wc\n"
				"*.wout IN CNAME target.example.net.\n"
				"towc IN CNAME foo.wc\ntoww IN CNAME foo.ww\nalias IN CNAME www\n"
				"chain1 IN CNAME chain2\nchain2 IN CNAME chain3\nchain3 IN CNAME www\n";

static void put_zone(const char *origin)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.zone", dir, origin);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "$ORIGIN %s.\n%s", origin, zone_text);
	fclose(f);
}

static void setup(void)
{
	struct load_result r;
	char cfg[256];
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	put_zone("nsec.test");
	put_zone("nsec3.test");
	put_zone("plain.test");
	snprintf(cfg, sizeof(cfg), "%s/c.json", dir);
	f = fopen(cfg, "w");
	ck_assert_ptr_nonnull(f);
	fputs("{ \"server\": { \"listen\": [\"127.0.0.1:5353\"] }, \"zones\": [\n"
	      "  { \"name\": \"nsec.test\", \"file\": \"nsec.test.zone\", \"dnssec\": { \"key_dir\": \"k1\" } },\n"
	      "  { \"name\": \"nsec3.test\", \"file\": \"nsec3.test.zone\",\n"
	      "    \"dnssec\": { \"key_dir\": \"k2\", \"denial\": \"nsec3\" } },\n"
	      "  { \"name\": \"plain.test\", \"file\": \"plain.test.zone\" } ] }\n", f);
	fclose(f);
	test_load_all(cfg, &r);
	snap = calloc(1, sizeof(*snap));
	snap->zones = load_take_zones(&r);
	load_result_clear(&r);
	scratch = answer_scratch_new();
}

static void teardown(void)
{
	char cmd[300];

	snapshot_free(snap);
	answer_scratch_free(scratch);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
	strcpy(dir, "/tmp/steer-doans-XXXXXX");
}

static ldns_pkt *ask(const char *qname, ldns_rr_type qtype, int do_bit)
{
	struct answer_result res;

	return test_ask(scratch, &env, snap, qname, qtype, do_bit, 4096, &res);
}

static size_t count(ldns_pkt *p, ldns_rr_type t, ldns_pkt_section sec)
{
	ldns_rr_list *l = ldns_pkt_rr_list_by_type(p, t, sec);
	size_t n = l ? ldns_rr_list_rr_count(l) : 0;

	ldns_rr_list_deep_free(l);
	return n;
}

/* Does one NSEC/NSEC3 of the authority section cover (not match) name? */
static int covered(ldns_pkt *p, const char *name)
{
	ldns_rr_list *auth = ldns_pkt_authority(p);
	ldns_rdf *n = ldns_dname_new_frm_str(name);
	int found = 0;

	for (size_t i = 0; i < ldns_rr_list_rr_count(auth); i++) {
		ldns_rr *rr = ldns_rr_list_rr(auth, i);
		ldns_rr_type t = ldns_rr_get_type(rr);
		if (t != LDNS_RR_TYPE_NSEC && t != LDNS_RR_TYPE_NSEC3)
			continue;
		if (t == LDNS_RR_TYPE_NSEC3) {
			ldns_rdf *h = ldns_nsec3_hash_name_frm_nsec3(rr, n);
			ldns_rdf *zone = ldns_dname_left_chop(ldns_rr_owner(rr));
			ldns_dname_cat(h, zone);
			found |= ldns_dname_compare(h, ldns_rr_owner(rr)) != 0 && ldns_nsec_covers_name(rr, h);
			ldns_rdf_deep_free(h);
			ldns_rdf_deep_free(zone);
		} else {
			found |= ldns_dname_compare(n, ldns_rr_owner(rr)) != 0 && ldns_nsec_covers_name(rr, n);
		}
	}
	ldns_rdf_deep_free(n);
	return found;
}

/* Every rrset of section sec (RRSIGs aside) has an RRSIG under its own
 * owner that verifies against the zone's DNSKEYs (ldns_verify: one good
 * signature of the owner's RRSIGs is enough). */
static void all_signed(ldns_pkt *p, const char *zone, ldns_pkt_section sec)
{
	ldns_pkt *kp = ask(zone, LDNS_RR_TYPE_DNSKEY, 1);
	ldns_rr_list *keys = ldns_pkt_rr_list_by_type(kp, LDNS_RR_TYPE_DNSKEY, LDNS_SECTION_ANSWER);
	ldns_rr_list *rrs = ldns_pkt_get_section_clone(p, sec);
	ldns_rr_list *set;

	ck_assert_ptr_nonnull(keys);
	ldns_rr_list_sort(rrs); /* an rrset's RRs next to each other */
	while ((set = ldns_rr_list_pop_rrset(rrs))) {
		ldns_rr *first = ldns_rr_list_rr(set, 0);
		if (ldns_rr_get_type(first) != LDNS_RR_TYPE_RRSIG) {
			ldns_rr_list *sigs = ldns_pkt_rr_list_by_name_and_type(p, ldns_rr_owner(first),
									      LDNS_RR_TYPE_RRSIG, sec);
			ldns_rr_list *good = ldns_rr_list_new();
			ck_assert_msg(sigs != NULL, "no RRSIG under the owner of %s", ldns_rdf2str(ldns_rr_owner(first)));
			ck_assert_int_eq(ldns_verify(set, sigs, keys, good), LDNS_STATUS_OK);
			ldns_rr_list_deep_free(sigs);
			ldns_rr_list_free(good);
		}
		ldns_rr_list_deep_free(set);
	}
	ldns_rr_list_deep_free(rrs);
	ldns_rr_list_deep_free(keys);
	ldns_pkt_free(kp);
}

START_TEST(test_wildcard_cname_mid_chain)
{
	const char *zones[] = { "nsec.test.", "nsec3.test." };

	for (int i = 0; i < 2; i++) {
		char q[64], wc[64], ww[64];
		ldns_pkt *p;

		snprintf(q, sizeof(q), "towc.%s", zones[i]);
		snprintf(wc, sizeof(wc), "foo.wc.%s", zones[i]);
		p = ask(q, LDNS_RR_TYPE_A, 1);
		ck_assert_int_eq(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
		ck_assert_uint_eq(count(p, LDNS_RR_TYPE_CNAME, LDNS_SECTION_ANSWER), 2);
		ck_assert_uint_eq(count(p, LDNS_RR_TYPE_A, LDNS_SECTION_ANSWER), 1);
		ck_assert_msg(covered(p, wc), "%s: no proof that %s does not exist", zones[i], wc);
		all_signed(p, zones[i], LDNS_SECTION_ANSWER);
		all_signed(p, zones[i], LDNS_SECTION_AUTHORITY);
		ldns_pkt_free(p);

		/* Two wildcards in a row: a proof for each name. */
		snprintf(q, sizeof(q), "toww.%s", zones[i]);
		snprintf(ww, sizeof(ww), "foo.ww.%s", zones[i]);
		snprintf(wc, sizeof(wc), "bar.wc.%s", zones[i]);
		p = ask(q, LDNS_RR_TYPE_A, 1);
		ck_assert_uint_eq(count(p, LDNS_RR_TYPE_CNAME, LDNS_SECTION_ANSWER), 3);
		ck_assert(covered(p, ww));
		ck_assert(covered(p, wc));
		all_signed(p, zones[i], LDNS_SECTION_AUTHORITY);
		ldns_pkt_free(p);

		/* The chain leaves our zones after the wildcard: still proved. */
		snprintf(q, sizeof(q), "foo.wout.%s", zones[i]);
		p = ask(q, LDNS_RR_TYPE_A, 1);
		ck_assert_uint_eq(count(p, LDNS_RR_TYPE_CNAME, LDNS_SECTION_ANSWER), 1);
		ck_assert(covered(p, q));
		ldns_pkt_free(p);

		/* Without DO nothing of it. */
		snprintf(q, sizeof(q), "towc.%s", zones[i]);
		p = ask(q, LDNS_RR_TYPE_A, 0);
		ck_assert_uint_eq(ldns_pkt_nscount(p), 0);
		ck_assert_uint_eq(count(p, LDNS_RR_TYPE_RRSIG, LDNS_SECTION_ANSWER), 0);
		ldns_pkt_free(p);
	}
}
END_TEST

/* The owners of a chain's targets stay theirs until the RRSIGs are
 * written (after the whole answer section). */
START_TEST(test_chain_rrsig_owners)
{
	ldns_pkt *p = ask("chain1.nsec.test.", LDNS_RR_TYPE_A, 1);

	ck_assert_uint_eq(count(p, LDNS_RR_TYPE_CNAME, LDNS_SECTION_ANSWER), 3);
	ck_assert_uint_eq(count(p, LDNS_RR_TYPE_RRSIG, LDNS_SECTION_ANSWER), 4);
	all_signed(p, "nsec.test.", LDNS_SECTION_ANSWER);
	ldns_pkt_free(p);
}
END_TEST

/* RFC 5155 7.2.6: a wildcard answer needs only the NSEC3 covering the
 * next closer name, not the closest encloser's own. */
START_TEST(test_nsec3_wildcard_answer)
{
	ldns_pkt *p = ask("a.b.wild.nsec3.test.", LDNS_RR_TYPE_A, 1);

	ck_assert_uint_eq(count(p, LDNS_RR_TYPE_A, LDNS_SECTION_ANSWER), 1);
	ck_assert_uint_eq(count(p, LDNS_RR_TYPE_NSEC3, LDNS_SECTION_AUTHORITY), 1);
	ck_assert(covered(p, "b.wild.nsec3.test."));
	ldns_pkt_free(p);
	p = ask("a.b.wild.nsec.test.", LDNS_RR_TYPE_A, 1);
	ck_assert_uint_eq(count(p, LDNS_RR_TYPE_NSEC, LDNS_SECTION_AUTHORITY), 1);
	ck_assert(covered(p, "a.b.wild.nsec.test."));
	ldns_pkt_free(p);
}
END_TEST

START_TEST(test_qtype_rrsig)
{
	ldns_pkt *p;

	/* Every RRSIG of the name (A, AAAA, NSEC), DO or not. */
	for (int d = 0; d < 2; d++) {
		p = ask("www.nsec.test.", LDNS_RR_TYPE_RRSIG, d);
		ck_assert_int_eq(ldns_pkt_get_rcode(p), LDNS_RCODE_NOERROR);
		ck_assert_uint_eq(ldns_pkt_ancount(p), 3);
		ck_assert_uint_eq(count(p, LDNS_RR_TYPE_RRSIG, LDNS_SECTION_ANSWER), 3);
		ck_assert_uint_eq(ldns_pkt_nscount(p), 0);
		ldns_pkt_free(p);
	}
	/* At a CNAME: its own RRSIGs, the CNAME not followed. */
	p = ask("alias.nsec3.test.", LDNS_RR_TYPE_RRSIG, 1);
	ck_assert_uint_eq(ldns_pkt_ancount(p), 1);
	ck_assert_uint_eq(count(p, LDNS_RR_TYPE_RRSIG, LDNS_SECTION_ANSWER), 1);
	ldns_pkt_free(p);
	/* At a wildcard: the RRSIGs under the query name, and the proof. */
	p = ask("foo.wild.nsec.test.", LDNS_RR_TYPE_RRSIG, 1);
	ck_assert_uint_eq(count(p, LDNS_RR_TYPE_RRSIG, LDNS_SECTION_ANSWER), 2);
	ck_assert(covered(p, "foo.wild.nsec.test."));
	ldns_pkt_free(p);
	/* An unsigned zone: no RRSIG there, the CNAME is followed as for any
	 * type the name lacks. */
	p = ask("alias.plain.test.", LDNS_RR_TYPE_RRSIG, 1);
	ck_assert_uint_eq(count(p, LDNS_RR_TYPE_CNAME, LDNS_SECTION_ANSWER), 1);
	ck_assert_uint_eq(count(p, LDNS_RR_TYPE_RRSIG, LDNS_SECTION_ANSWER), 0);
	ldns_pkt_free(p);
	/* A name that does not exist: NXDOMAIN with its proof. */
	p = ask("nothere.nsec.test.", LDNS_RR_TYPE_RRSIG, 1);
	ck_assert_int_eq(ldns_pkt_get_rcode(p), LDNS_RCODE_NXDOMAIN);
	ck_assert(covered(p, "nothere.nsec.test."));
	ldns_pkt_free(p);
}
END_TEST

Suite *suite_dnssec_answer(void)
{
	Suite *s = suite_create("dnssec_answer");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_wildcard_cname_mid_chain);
	tcase_add_test(tc, test_chain_rrsig_owners);
	tcase_add_test(tc, test_nsec3_wildcard_answer);
	tcase_add_test(tc, test_qtype_rrsig);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}
