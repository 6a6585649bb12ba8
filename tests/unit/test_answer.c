/* test_answer.c -- zone compile, lookup and answer assembly, end to end in-process.
 *
 * Queries are built and responses parsed with ldns (an independent wire
 * codec), so these tests check our encoder and decoder against another. */
#include "config.h"
#include "tests/unit/lib.h"
#include "server/answer/answer.h"
#include "server/conf.h"
#include "server/zone/snapshot.h"
#include "server/zone/zonedb.h"
#include "common/errlist.h"

#include <arpa/inet.h>
#include <ldns/ldns.h>
#include <stdlib.h>
#include <string.h>

static const char *zone_text =
	"$ORIGIN example.com.\n"
	"$TTL 1h\n"
	"@ IN SOA ns1 hostmaster ( 2026112201 ; serial\n"
	"        2h 1h 1w 300 )\n"
	"  IN NS ns1\n"
	"  IN NS ns2.example.net.\n"
	"  IN MX 10 mail\n"
	"  IN TXT \"v=spf1 mx -all\"\n"
	"ns1 IN A 192.0.2.53\n"
	"mail 300 IN A 192.0.2.25\n"
	"mail IN AAAA 2001:db8::25\n"
	"www IN CNAME app\n"
	"app 60 IN A 203.0.113.10\n"
	"chain1 IN CNAME chain2\n"
	"chain2 IN CNAME www\n"
	"loop1 IN CNAME loop2\n"
	"loop2 IN CNAME loop1\n"
	"out IN CNAME www.example.org.\n"
	"dangling IN CNAME nothere\n"
	"*.wild IN A 192.0.2.99\n"
	"*.wc IN CNAME app\n"
	"exists.wild IN TXT \"here\"\n"
	"a.b.c.ent IN A 192.0.2.1\n"
	"sub IN NS ns.sub\n"
	"sub IN DS 12345 13 2 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n"
	"ns.sub IN A 192.0.2.54\n"
	"_sip._tcp IN SRV 10 5 5060 mail\n"
	"big IN TXT \"" /* filled below */;

static char *zone_path;
static struct snapshot *snap;
static struct answer_scratch *scratch;
static struct answer_env env = { .udp_payload = 1232, .chaos = 1, .identity = "test-host", .version = "steerdns-test" };

static void setup(void)
{
	char text[16384];
	struct zone_conf zc = { .name = "example.com" };
	struct errlist errs;

	/* A TXT rrset of 10 x 255 bytes: too big for 1232 bytes of UDP. */
	snprintf(text, sizeof(text), "%s", zone_text);
	for (int i = 0; i < 10; i++) {
		size_t l = strlen(text);
		if (i)
			l += (size_t)sprintf(text + l, "big IN TXT \"");
		memset(text + l, 'a' + i, 255);
		strcpy(text + l + 255, "\"\n");
	}
	zone_path = test_write_temp(".zone", text);
	ck_assert_ptr_nonnull(zone_path);
	zc.file = zone_path;
	errlist_init(&errs);
	snap = calloc(1, sizeof(*snap));
	int ret = zonedb_load(&zc, 1, &snap->zones, &errs);
	if (ret != 0)
		for (size_t i = 0; i < errs.n; i++)
			fprintf(stderr, "%s\n", errs.msgs[i]);
	ck_assert_int_eq(ret, 0);
	errlist_clear(&errs);
	scratch = answer_scratch_new();
}

static void teardown(void)
{
	snapshot_free(snap);
	answer_scratch_free(scratch);
	unlink(zone_path);
	free(zone_path);
}

/* Ask qname/qtype; returns the parsed response (caller frees). */
static ldns_pkt *ask_full(const char *qname, ldns_rr_type qtype, int edns, uint16_t bufsize, int tcp,
			  struct answer_result *res_out)
{
	ldns_pkt *q = ldns_pkt_query_new(ldns_dname_new_frm_str(qname), qtype, LDNS_RR_CLASS_IN, LDNS_RD);
	uint8_t *wire = NULL, resp[65535];
	size_t wlen = 0;
	struct answer_result res;
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct answer_client cl = { (struct sockaddr *)&sin, sizeof(sin), tcp };
	ldns_pkt *r = NULL;

	ldns_pkt_set_id(q, 4242);
	if (edns) {
		ldns_pkt_set_edns_udp_size(q, bufsize);
	}
	ck_assert_int_eq(ldns_pkt2wire(&wire, q, &wlen), LDNS_STATUS_OK);
	answer_query(scratch, &env, snap, &cl, wire, wlen, resp, sizeof(resp), &res);
	if (res_out)
		*res_out = res;
	ck_assert_uint_gt(res.len, 0);
	ck_assert_int_eq(ldns_wire2pkt(&r, resp, res.len), LDNS_STATUS_OK);
	ck_assert_int_eq(ldns_pkt_id(r), 4242);
	ck_assert(ldns_pkt_qr(r));
	free(wire);
	ldns_pkt_free(q);
	return r;
}

static ldns_pkt *ask(const char *qname, ldns_rr_type qtype)
{
	return ask_full(qname, qtype, 0, 0, 0, NULL);
}

static int count_type(ldns_rr_list *l, ldns_rr_type t)
{
	int n = 0;
	for (size_t i = 0; i < ldns_rr_list_rr_count(l); i++)
		n += ldns_rr_get_type(ldns_rr_list_rr(l, i)) == t;
	return n;
}

START_TEST(test_positive_a)
{
	ldns_pkt *r = ask("app.example.com.", LDNS_RR_TYPE_A);
	ck_assert_int_eq(ldns_pkt_get_rcode(r), LDNS_RCODE_NOERROR);
	ck_assert(ldns_pkt_aa(r));
	ck_assert_int_eq(ldns_pkt_ancount(r), 1);
	ldns_rr *rr = ldns_rr_list_rr(ldns_pkt_answer(r), 0);
	ck_assert_uint_eq(ldns_rr_ttl(rr), 60);
	char *s = ldns_rdf2str(ldns_rr_rdf(rr, 0));
	ck_assert_str_eq(s, "203.0.113.10");
	free(s);
	ldns_pkt_free(r);
}
END_TEST

START_TEST(test_case_preserved)
{
	ldns_pkt *r = ask("ApP.ExAmPlE.cOm.", LDNS_RR_TYPE_A);
	char *owner = ldns_rdf2str(ldns_rr_owner(ldns_rr_list_rr(ldns_pkt_answer(r), 0)));
	ck_assert_str_eq(owner, "ApP.ExAmPlE.cOm.");
	free(owner);
	ldns_pkt_free(r);
}
END_TEST

START_TEST(test_cname_chain)
{
	ldns_pkt *r = ask("chain1.example.com.", LDNS_RR_TYPE_A);
	ck_assert_int_eq(ldns_pkt_get_rcode(r), LDNS_RCODE_NOERROR);
	ck_assert_int_eq(count_type(ldns_pkt_answer(r), LDNS_RR_TYPE_CNAME), 3);
	ck_assert_int_eq(count_type(ldns_pkt_answer(r), LDNS_RR_TYPE_A), 1);
	ldns_pkt_free(r);
	/* A loop ends after the chain bound with what was collected. */
	r = ask("loop1.example.com.", LDNS_RR_TYPE_A);
	ck_assert_int_eq(ldns_pkt_get_rcode(r), LDNS_RCODE_NOERROR);
	ck_assert_int_le(ldns_pkt_ancount(r), 9);
	ck_assert_int_ge(ldns_pkt_ancount(r), 2);
	ldns_pkt_free(r);
	/* Out of zone: only the CNAME. In-zone target missing: NXDOMAIN (RFC 6604). */
	r = ask("out.example.com.", LDNS_RR_TYPE_A);
	ck_assert_int_eq(ldns_pkt_ancount(r), 1);
	ck_assert_int_eq(ldns_pkt_get_rcode(r), LDNS_RCODE_NOERROR);
	ldns_pkt_free(r);
	r = ask("dangling.example.com.", LDNS_RR_TYPE_A);
	ck_assert_int_eq(ldns_pkt_get_rcode(r), LDNS_RCODE_NXDOMAIN);
	ck_assert_int_eq(ldns_pkt_ancount(r), 1);
	ck_assert_int_eq(count_type(ldns_pkt_authority(r), LDNS_RR_TYPE_SOA), 1);
	ldns_pkt_free(r);
}
END_TEST

START_TEST(test_nxdomain_nodata_soa_ttl)
{
	ldns_pkt *r = ask("nope.example.com.", LDNS_RR_TYPE_A);
	ck_assert_int_eq(ldns_pkt_get_rcode(r), LDNS_RCODE_NXDOMAIN);
	ck_assert(ldns_pkt_aa(r));
	ck_assert_int_eq(ldns_pkt_nscount(r), 1);
	ldns_rr *soa = ldns_rr_list_rr(ldns_pkt_authority(r), 0);
	ck_assert_int_eq(ldns_rr_get_type(soa), LDNS_RR_TYPE_SOA);
	/* RFC 2308: min(SOA TTL 3600, MINIMUM 300). */
	ck_assert_uint_eq(ldns_rr_ttl(soa), 300);
	ldns_pkt_free(r);
	r = ask("app.example.com.", LDNS_RR_TYPE_AAAA);
	ck_assert_int_eq(ldns_pkt_get_rcode(r), LDNS_RCODE_NOERROR);
	ck_assert_int_eq(ldns_pkt_ancount(r), 0);
	ck_assert_int_eq(count_type(ldns_pkt_authority(r), LDNS_RR_TYPE_SOA), 1);
	ldns_pkt_free(r);
}
END_TEST

START_TEST(test_empty_non_terminal)
{
	ldns_pkt *r = ask("b.c.ent.example.com.", LDNS_RR_TYPE_A);
	ck_assert_int_eq(ldns_pkt_get_rcode(r), LDNS_RCODE_NOERROR);
	ck_assert_int_eq(ldns_pkt_ancount(r), 0);
	ldns_pkt_free(r);
	r = ask("ent.example.com.", LDNS_RR_TYPE_TXT);
	ck_assert_int_eq(ldns_pkt_get_rcode(r), LDNS_RCODE_NOERROR);
	ldns_pkt_free(r);
	r = ask("x.c.ent.example.com.", LDNS_RR_TYPE_A);
	ck_assert_int_eq(ldns_pkt_get_rcode(r), LDNS_RCODE_NXDOMAIN);
	ldns_pkt_free(r);
}
END_TEST

START_TEST(test_wildcard)
{
	ldns_pkt *r = ask("foo.wild.example.com.", LDNS_RR_TYPE_A);
	ck_assert_int_eq(ldns_pkt_get_rcode(r), LDNS_RCODE_NOERROR);
	ck_assert_int_eq(ldns_pkt_ancount(r), 1);
	char *owner = ldns_rdf2str(ldns_rr_owner(ldns_rr_list_rr(ldns_pkt_answer(r), 0)));
	ck_assert_str_eq(owner, "foo.wild.example.com.");
	free(owner);
	ldns_pkt_free(r);
	/* Deeper names match too (closest encloser is wild). */
	r = ask("a.b.wild.example.com.", LDNS_RR_TYPE_A);
	ck_assert_int_eq(ldns_pkt_ancount(r), 1);
	ldns_pkt_free(r);
	/* An existing name blocks the wildcard: below it is NXDOMAIN, at it NODATA. */
	r = ask("x.exists.wild.example.com.", LDNS_RR_TYPE_A);
	ck_assert_int_eq(ldns_pkt_get_rcode(r), LDNS_RCODE_NXDOMAIN);
	ldns_pkt_free(r);
	r = ask("exists.wild.example.com.", LDNS_RR_TYPE_A);
	ck_assert_int_eq(ldns_pkt_get_rcode(r), LDNS_RCODE_NOERROR);
	ck_assert_int_eq(ldns_pkt_ancount(r), 0);
	ldns_pkt_free(r);
	/* Wildcard CNAME is chased in zone. */
	r = ask("zzz.wc.example.com.", LDNS_RR_TYPE_A);
	ck_assert_int_eq(count_type(ldns_pkt_answer(r), LDNS_RR_TYPE_CNAME), 1);
	ck_assert_int_eq(count_type(ldns_pkt_answer(r), LDNS_RR_TYPE_A), 1);
	ldns_pkt_free(r);
}
END_TEST

START_TEST(test_referral_and_ds)
{
	ldns_pkt *r = ask("host.sub.example.com.", LDNS_RR_TYPE_A);
	ck_assert_int_eq(ldns_pkt_get_rcode(r), LDNS_RCODE_NOERROR);
	ck_assert(!ldns_pkt_aa(r));
	ck_assert_int_eq(ldns_pkt_ancount(r), 0);
	ck_assert_int_eq(count_type(ldns_pkt_authority(r), LDNS_RR_TYPE_NS), 1);
	ck_assert_int_eq(count_type(ldns_pkt_additional(r), LDNS_RR_TYPE_A), 1); /* glue */
	ldns_pkt_free(r);
	/* Glue itself is not authoritative data: a referral too. */
	r = ask("ns.sub.example.com.", LDNS_RR_TYPE_A);
	ck_assert(!ldns_pkt_aa(r));
	ldns_pkt_free(r);
	/* DS at the cut is the parent's, answered authoritatively. */
	r = ask("sub.example.com.", LDNS_RR_TYPE_DS);
	ck_assert(ldns_pkt_aa(r));
	ck_assert_int_eq(count_type(ldns_pkt_answer(r), LDNS_RR_TYPE_DS), 1);
	ldns_pkt_free(r);
}
END_TEST

START_TEST(test_additional)
{
	ldns_pkt *r = ask("example.com.", LDNS_RR_TYPE_MX);
	ck_assert_int_eq(ldns_pkt_ancount(r), 1);
	ck_assert_int_eq(count_type(ldns_pkt_additional(r), LDNS_RR_TYPE_A), 1);
	ck_assert_int_eq(count_type(ldns_pkt_additional(r), LDNS_RR_TYPE_AAAA), 1);
	ldns_pkt_free(r);
	r = ask("_sip._tcp.example.com.", LDNS_RR_TYPE_SRV);
	ck_assert_int_eq(count_type(ldns_pkt_additional(r), LDNS_RR_TYPE_A), 1);
	ldns_pkt_free(r);
}
END_TEST

START_TEST(test_refused_outside)
{
	ldns_pkt *r = ask("www.example.org.", LDNS_RR_TYPE_A);
	ck_assert_int_eq(ldns_pkt_get_rcode(r), LDNS_RCODE_REFUSED);
	ck_assert(!ldns_pkt_aa(r));
	ldns_pkt_free(r);
}
END_TEST

START_TEST(test_truncation_and_edns)
{
	struct answer_result res;
	ldns_pkt *r = ask_full("big.example.com.", LDNS_RR_TYPE_TXT, 1, 1232, 0, &res);
	ck_assert(ldns_pkt_tc(r));
	ck_assert_int_eq(res.tc, 1);
	ck_assert_int_eq(ldns_pkt_ancount(r), 0);
	ck_assert(ldns_pkt_edns(r));
	ck_assert_uint_eq(ldns_pkt_edns_udp_size(r), 1232);
	ldns_pkt_free(r);
	r = ask_full("big.example.com.", LDNS_RR_TYPE_TXT, 1, 1232, 1, &res);
	ck_assert(!ldns_pkt_tc(r));
	ck_assert_int_eq(ldns_pkt_ancount(r), 10);
	ldns_pkt_free(r);
	/* Small answers fit in 512 without EDNS, and get no OPT. */
	r = ask_full("app.example.com.", LDNS_RR_TYPE_A, 0, 0, 0, &res);
	ck_assert(!ldns_pkt_edns(r));
	ck_assert_uint_le(res.len, 512);
	ldns_pkt_free(r);
}
END_TEST

START_TEST(test_compression)
{
	struct answer_result res;
	ldns_pkt *r = ask_full("example.com.", LDNS_RR_TYPE_NS, 0, 0, 0, &res);
	/* Header 12 + question 17 + NS ns1 (2+10+6) + NS ns2.example.net (2+10+17)
	 * + glue ns1 A (2+10+4) = 92 with compression; ~120 without. */
	ck_assert_int_eq(ldns_pkt_ancount(r), 2);
	ck_assert_uint_le(res.len, 92);
	ldns_pkt_free(r);
}
END_TEST

START_TEST(test_any_udp_one_rrset)
{
	ldns_pkt *r = ask("example.com.", LDNS_RR_TYPE_ANY);
	ck_assert_int_eq(ldns_pkt_get_rcode(r), LDNS_RCODE_NOERROR);
	ck_assert_int_ge(ldns_pkt_ancount(r), 1);
	ck_assert_int_le(ldns_pkt_ancount(r), 2); /* one rrset: the 2 NS */
	ldns_pkt_free(r);
	r = ask_full("example.com.", LDNS_RR_TYPE_ANY, 0, 0, 1, NULL);
	ck_assert_int_eq(ldns_pkt_ancount(r), 5); /* SOA, 2 NS, MX, TXT */
	ldns_pkt_free(r);
}
END_TEST

/* Raw packets: malformed input never crashes and gets the right rcode. */
static struct answer_result raw(const uint8_t *pkt, size_t len, uint8_t *resp)
{
	struct answer_result res;
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct answer_client cl = { (struct sockaddr *)&sin, sizeof(sin), 0 };
	answer_query(scratch, &env, snap, &cl, pkt, len, resp, 65535, &res);
	return res;
}

START_TEST(test_malformed)
{
	uint8_t resp[65535];
	static const uint8_t hdr_only[11] = { 0x12, 0x34 };
	static const uint8_t qd2[] = { 0x12, 0x34, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 1, 0, 1 };
	static const uint8_t ptr_loop[] = { 0x12, 0x34, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1 };
	static const uint8_t cut[] = { 0x12, 0x34, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 3, 'a', 'b' };
	static const uint8_t response[] = { 0x12, 0x34, 0x80, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1 };
	static const uint8_t notify[] = { 0x12, 0x34, 0x20, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 6, 0, 1 };
	/* version 1 OPT */
	static const uint8_t badvers[] = { 0x12, 0x34, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 1,
					   0, 0, 41, 4, 0, 0, 1, 0, 0, 0, 0 };
	/* ECS 192.0.2.0/24 with a host bit set past the prefix: FORMERR (RFC 7871 6) */
	static const uint8_t badecs[] = { 0x12, 0x34, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 1,
					  0, 0, 41, 4, 0, 0, 0, 0, 0, 0, 11, 0, 8, 0, 7, 0, 1, 23, 0, 192, 0, 3 };
	struct answer_result res;

	res = raw(hdr_only, sizeof(hdr_only), resp);
	ck_assert_uint_eq(res.len, 0);
	res = raw(response, sizeof(response), resp);
	ck_assert_uint_eq(res.len, 0);
	res = raw(qd2, sizeof(qd2), resp);
	ck_assert_uint_eq(res.rcode, LDNS_RCODE_FORMERR);
	ck_assert_uint_eq(res.len, 12);
	res = raw(ptr_loop, sizeof(ptr_loop), resp);
	ck_assert_uint_eq(res.rcode, LDNS_RCODE_FORMERR);
	res = raw(cut, sizeof(cut), resp);
	ck_assert_uint_eq(res.rcode, LDNS_RCODE_FORMERR);
	res = raw(notify, sizeof(notify), resp);
	ck_assert_uint_eq(res.rcode, LDNS_RCODE_REFUSED); /* a primary: as NSD (server/xfr/notify.h) */
	res = raw(badvers, sizeof(badvers), resp);
	ck_assert_uint_eq(res.rcode, 16);
	ck_assert_uint_eq(resp[3] & 0x0f, 0);        /* low bits 0 */
	ck_assert_uint_eq(resp[res.len - 6], 1);     /* extended rcode 1 in OPT */
	res = raw(badecs, sizeof(badecs), resp);
	ck_assert_uint_eq(res.rcode, LDNS_RCODE_FORMERR);
}
END_TEST

START_TEST(test_ecs_echo_scope0)
{
	/* ECS 192.0.2.0/24: a static answer echoes the option with scope 0. */
	static const uint8_t q[] = { 0x12, 0x34, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1,
				     3, 'a', 'p', 'p', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0, 0, 1, 0, 1,
				     0, 0, 41, 4, 0, 0, 0, 0, 0, 0, 11, 0, 8, 0, 7, 0, 1, 24, 0, 192, 0, 2 };
	uint8_t resp[65535];
	struct answer_result res = raw(q, sizeof(q), resp);
	ck_assert_uint_eq(res.rcode, 0);
	/* The response ends with the ECS option: family 1, source 24, scope 0, 192.0.2 */
	static const uint8_t tail[] = { 0, 8, 0, 7, 0, 1, 24, 0, 192, 0, 2 };
	ck_assert_mem_eq(resp + res.len - sizeof(tail), tail, sizeof(tail));
}
END_TEST

START_TEST(test_chaos)
{
	ldns_pkt *q = ldns_pkt_query_new(ldns_dname_new_frm_str("version.bind."), LDNS_RR_TYPE_TXT,
					 LDNS_RR_CLASS_CH, 0);
	uint8_t *wire = NULL, resp[65535];
	size_t wlen;
	struct answer_result res;
	ldns_pkt2wire(&wire, q, &wlen);
	res = raw(wire, wlen, resp);
	ck_assert_uint_eq(res.rcode, 0);
	ck_assert(memmem(resp, res.len, "steerdns-test", 13) != NULL);
	env.chaos = 0;
	res = raw(wire, wlen, resp);
	ck_assert_uint_eq(res.rcode, LDNS_RCODE_REFUSED);
	env.chaos = 1;
	free(wire);
	ldns_pkt_free(q);
}
END_TEST

START_TEST(test_axfr_udp_refused)
{
	/* NOTIMP over UDP, as NSD 4.6 and Knot 3.2 answer (RFC 5936 4.2: TCP only). */
	ldns_pkt *r = ask("example.com.", LDNS_RR_TYPE_AXFR);
	ck_assert_int_eq(ldns_pkt_get_rcode(r), LDNS_RCODE_NOTIMPL);
	ldns_pkt_free(r);
}
END_TEST

/* Fuzz-ish: every truncation and a bit flip of a valid query must not crash. */
START_TEST(test_no_crash_on_mutations)
{
	ldns_pkt *q = ldns_pkt_query_new(ldns_dname_new_frm_str("www.example.com."), LDNS_RR_TYPE_A,
					 LDNS_RR_CLASS_IN, 0);
	uint8_t *wire = NULL, resp[65535], buf[512];
	size_t wlen;
	ldns_pkt_set_edns_udp_size(q, 4096);
	ldns_pkt2wire(&wire, q, &wlen);
	for (size_t cutlen = 0; cutlen <= wlen; cutlen++)
		raw(wire, cutlen, resp);
	for (size_t i = 0; i < wlen * 8; i++) {
		memcpy(buf, wire, wlen);
		buf[i / 8] ^= (uint8_t)(1u << (i % 8));
		struct answer_result res = raw(buf, wlen, resp);
		ck_assert_uint_le(res.len, 65535);
	}
	free(wire);
	ldns_pkt_free(q);
}
END_TEST

Suite *suite_answer(void)
{
	Suite *s = suite_create("answer");
	TCase *tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_positive_a);
	tcase_add_test(tc, test_case_preserved);
	tcase_add_test(tc, test_cname_chain);
	tcase_add_test(tc, test_nxdomain_nodata_soa_ttl);
	tcase_add_test(tc, test_empty_non_terminal);
	tcase_add_test(tc, test_wildcard);
	tcase_add_test(tc, test_referral_and_ds);
	tcase_add_test(tc, test_additional);
	tcase_add_test(tc, test_refused_outside);
	tcase_add_test(tc, test_truncation_and_edns);
	tcase_add_test(tc, test_compression);
	tcase_add_test(tc, test_any_udp_one_rrset);
	tcase_add_test(tc, test_malformed);
	tcase_add_test(tc, test_ecs_echo_scope0);
	tcase_add_test(tc, test_chaos);
	tcase_add_test(tc, test_axfr_udp_refused);
	tcase_add_test(tc, test_no_crash_on_mutations);
	suite_add_tcase(s, tc);
	return s;
}
