/* test_tsig.c -- server/xfr/tsig.c against ldns's own TSIG code (an
 * independent implementation): a request ldns signed verifies here, a
 * response signed here verifies in ldns, and each way of breaking one gets
 * its RFC 8945 error. Also the allow_transfer matching of xfr_conf.c. */
#include "config.h"
#include "lib.h"
#include "server/xfr/tsig.h"
#include "server/xfr/xfr_conf.h"
#include "common/conf.h"
#include "common/errlist.h"
#include "common/dns.h"

#include <arpa/inet.h>
#include <ldns/ldns.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SECRET "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LTEyMzQ=" /* "secret-secret-secret-secret-1234" */

static const char *const alg_names[] = { "hmac-sha1", "hmac-sha256", "hmac-sha384", "hmac-sha512" };

/* A request for zone signed by ldns with key sec1 / alg; wire in *out. */
static uint8_t *ldns_signed_request(const char *alg, const char *secret, uint16_t fudge, size_t *len)
{
	ldns_pkt *q = ldns_pkt_query_new(ldns_dname_new_frm_str("t.test."), LDNS_RR_TYPE_AXFR, LDNS_RR_CLASS_IN, 0);
	uint8_t *wire;
	char algdot[32];

	snprintf(algdot, sizeof(algdot), "%s.", alg);
	ldns_pkt_set_id(q, 4242);
	ck_assert_int_eq(ldns_pkt_tsig_sign(q, "sec1.", secret, fudge, algdot, NULL), LDNS_STATUS_OK);
	ck_assert_int_eq(ldns_pkt2wire(&wire, q, len), LDNS_STATUS_OK);
	ldns_pkt_free(q);
	return wire;
}

/* Algorithm i's key k, a request ldns signed with it and its TSIG in *t;
 * NULL for hmac-sha384, which ldns lacks (kdig checks it in 600_axfr). */
static uint8_t *request_for(int i, struct tsig_key *k, struct tsig_rr *t, size_t *len)
{
	const char *why = NULL;
	uint8_t *w;

	if (i == TSIG_SHA384)
		return NULL;
	ck_assert_msg(tsig_key_init(k, "sec1", alg_names[i], SECRET, &why) == 0, "%s", why ? why : "");
	w = ldns_signed_request(alg_names[i], SECRET, 300, len);
	ck_assert_int_eq(tsig_find(w, *len, t), 1);
	return w;
}

START_TEST(test_request_from_ldns)
{
	struct tsig_key k;
	const struct tsig_key *used;
	struct tsig_rr t;
	size_t len;
	uint8_t *w = request_for(_i, &k, &t, &len);

	if (!w)
		return;
	ck_assert_int_eq(t.maclen, tsig_mac_len(k.alg));
	ck_assert_int_eq(tsig_verify_request(&k, 1, w, len, &t, time(NULL), &used), TSIG_OK);
	ck_assert_ptr_eq(used, &k);
	/* stale: outside the fudge. From the time ldns signed, not our clock:
	 * time(NULL) may read the coarse clock a tick behind the one ldns
	 * read, so at a second's boundary time(NULL) + 301 was only 300 after
	 * the signing (failed once in CI under ASan). */
	ck_assert_int_eq(tsig_verify_request(&k, 1, w, len, &t, (time_t)t.time_signed + 301, &used), TSIG_BADTIME);
	ck_assert_ptr_eq(used, &k); /* the MAC was good: the answer is signed */
	/* a flipped bit in the question */
	w[14] ^= 1;
	ck_assert_int_eq(tsig_verify_request(&k, 1, w, len, &t, time(NULL), &used), TSIG_BADSIG);
	ck_assert_ptr_null(used);
	w[14] ^= 1;
	/* another secret under the same name */
	struct tsig_key other;
	const char *why;
	ck_assert_int_eq(tsig_key_init(&other, "sec1", alg_names[_i], "b3RoZXI=", &why), 0);
	ck_assert_int_eq(tsig_verify_request(&other, 1, w, len, &t, time(NULL), &used), TSIG_BADSIG);
	/* an unknown name */
	ck_assert_int_eq(tsig_key_init(&other, "sec2", alg_names[_i], SECRET, &why), 0);
	ck_assert_int_eq(tsig_verify_request(&other, 1, w, len, &t, time(NULL), &used), TSIG_BADKEY);
	free(w);
}
END_TEST

/* A response signed here (over the request's MAC) verifies in ldns; the
 * second message of a stream (prior MAC + timers) is checked by dig and
 * kdig in tests/integration/600_axfr. */
START_TEST(test_response_to_ldns)
{
	struct tsig_key k;
	struct tsig_rr t;
	struct tsig_stream s;
	size_t qlen, rlen;
	uint8_t *q = request_for(_i, &k, &t, &qlen), buf[1024];
	ldns_pkt *r;
	ldns_rdf *req_mac;

	if (!q)
		return;
	/* The response: the request's header and question, QR and AA set. */
	rlen = t.start;
	memcpy(buf, q, rlen);
	buf[2] |= DNS_FLAG_QR | DNS_FLAG_AA;
	buf[11] = 0;
	tsig_stream_init(&s, &k, t.mac, t.maclen, t.orig_id, time(NULL));
	rlen = tsig_sign(&s, buf, rlen, sizeof(buf));
	ck_assert_uint_gt(rlen, 0);
	ck_assert_int_eq(ldns_wire2pkt(&r, buf, rlen), LDNS_STATUS_OK);
	{
		/* ldns wants the request MAC as its RDATA field: length, bytes. */
		uint8_t m[2 + TSIG_MAC_MAX];
		m[0] = 0, m[1] = (uint8_t)t.maclen;
		memcpy(m + 2, t.mac, t.maclen);
		req_mac = ldns_rdf_new_frm_data(LDNS_RDF_TYPE_INT16_DATA, (size_t)t.maclen + 2, m);
	}
	ck_assert_msg(ldns_pkt_tsig_verify(r, buf, rlen, "sec1.", SECRET, req_mac), "ldns rejects our %s MAC",
		      alg_names[_i]);
	/* and ldns notices a change */
	buf[3] ^= 0x0f;
	ck_assert(!ldns_pkt_tsig_verify(r, buf, rlen, "sec1.", SECRET, req_mac));
	ldns_rdf_deep_free(req_mac); /* ldns_rdf_free leaves the data (LeakSanitizer) */
	ldns_pkt_free(r);
	free(q);
}
END_TEST

START_TEST(test_find_rules)
{
	size_t len;
	uint8_t *w = ldns_signed_request("hmac-sha256", SECRET, 300, &len);
	struct tsig_rr t;

	ck_assert_int_eq(tsig_find(w, len, &t), 1);
	ck_assert_int_eq(tsig_find(w, len - 1, &t), -1); /* cut */
	ck_assert_int_eq(tsig_find(w, t.start, &t), -1); /* ARCOUNT says one more record */
	w[11] = 0;                                       /* ARCOUNT 0: nothing after the question */
	ck_assert_int_eq(tsig_find(w, t.start, &t), 0);
	free(w);
}
END_TEST

START_TEST(test_key_errors)
{
	struct tsig_key k;
	const char *why = NULL;

	ck_assert_int_eq(tsig_key_init(&k, "sec1", "hmac-md5", SECRET, &why), -1);
	ck_assert_ptr_nonnull(strstr(why, "unknown algorithm"));
	ck_assert_int_eq(tsig_key_init(&k, "sec1", "hmac-sha256", "not*base64!", &why), -1);
	ck_assert_ptr_nonnull(strstr(why, "secret"));
	ck_assert_int_eq(tsig_key_init(&k, "a..b", "hmac-sha256", SECRET, &why), -1);
	ck_assert_int_eq(tsig_key_init(&k, "Sec1.", "HMAC-SHA256", SECRET, &why), 0);
	ck_assert_mem_eq(k.wname, "\4sec1", 6);
	ck_assert_uint_eq(k.secretlen, 32);
}
END_TEST

static struct sockaddr_storage addr(const char *s)
{
	struct sockaddr_storage ss = { 0 };
	if (strchr(s, ':')) {
		ss.ss_family = AF_INET6;
		inet_pton(AF_INET6, s, &((struct sockaddr_in6 *)&ss)->sin6_addr);
	} else {
		ss.ss_family = AF_INET;
		inet_pton(AF_INET, s, &((struct sockaddr_in *)&ss)->sin_addr);
	}
	return ss;
}

START_TEST(test_acl)
{
	char *path = test_write_temp(".json",
		"{ \"tsig\": { \"sec1\": { \"algorithm\": \"hmac-sha256\", \"secret\": \"" SECRET "\" } },\n"
		"  \"zones\": [ { \"name\": \"t.test\", \"file\": \"x\",\n"
		"    \"allow_transfer\": [ \"192.0.2.0/25\", { \"key\": \"sec1\" },\n"
		"                          { \"address\": \"2001:db8::/32\", \"key\": \"sec1\" } ],\n"
		"    \"notify\": [ \"192.0.2.53\", \"[2001:db8::53]:5300\", { \"address\": \"127.0.0.1:5301\", \"key\": \"sec1\" } ] } ] }\n");
	struct conf_file cf;
	struct errlist errs;
	struct xfr_conf *c;
	const struct xfr_zone *z;
	struct sockaddr_storage a;

	errlist_init(&errs);
	ck_assert_int_eq(conf_file_load(path, &cf, &errs), 0);
	ck_assert_int_eq(xfr_conf_read(&cf, NULL, &c, &errs), 0);
	z = xfr_conf_zone(c, (const uint8_t *)"\1t\4test", 8);
	ck_assert_ptr_nonnull(z);
	ck_assert_uint_eq(z->nnotify, 3);
	ck_assert_int_eq(z->notify[2].key, 0);
	ck_assert_int_eq(ntohs(((struct sockaddr_in6 *)&z->notify[1].ss)->sin6_port), 5300);
	a = addr("192.0.2.127");
	ck_assert(xfr_acl_allows(c, z, (struct sockaddr *)&a, NULL));
	a = addr("192.0.2.128");
	ck_assert(!xfr_acl_allows(c, z, (struct sockaddr *)&a, NULL));
	ck_assert(xfr_acl_allows(c, z, (struct sockaddr *)&a, &c->keys[0])); /* the key alone lets anyone in */
	a = addr("::ffff:192.0.2.1");
	ck_assert(xfr_acl_allows(c, z, (struct sockaddr *)&a, NULL));
	a = addr("2001:db8::1");
	ck_assert(!xfr_acl_allows(c, z, (struct sockaddr *)&a, NULL));
	ck_assert(xfr_acl_allows(c, z, (struct sockaddr *)&a, &c->keys[0]));
	ck_assert(!xfr_acl_allows(c, NULL, (struct sockaddr *)&a, &c->keys[0])); /* no settings: no transfer */
	xfr_conf_unref(c);
	conf_file_clear(&cf);
	errlist_clear(&errs);
	free(path);
}
END_TEST

START_TEST(test_conf_errors)
{
	char *path = test_write_temp(".json",
		"{ \"tsig\": { \"k\": { \"algorithm\": \"hmac-md5\", \"secret\": \"" SECRET "\" } },\n"
		"  \"zones\": [ { \"name\": \"t.test\", \"file\": \"x\",\n"
		"    \"allow_transfer\": [ \"192.0.2.0/33\", { \"key\": \"nokey\" } ],\n"
		"    \"notify\": [ \"192.0.2.53:0\" ], \"serial\": \"bump\" } ] }\n");
	struct conf_file cf;
	struct errlist errs;
	struct xfr_conf *c;

	errlist_init(&errs);
	ck_assert_int_eq(conf_file_load(path, &cf, &errs), 0);
	ck_assert_int_eq(xfr_conf_read(&cf, NULL, &c, &errs), 5);
	ck_assert(test_has_error(&errs, path, "1: tsig/k/algorithm: unknown algorithm (hmac-sha256, hmac-sha384, "
					       "hmac-sha512 or hmac-sha1)"));
	ck_assert(test_has_error(&errs, path, "3: zones/t.test/allow_transfer: \"192.0.2.0/33\": not an address or "
					       "prefix (192.0.2.0/24, 2001:db8::/32)"));
	ck_assert(test_has_error(&errs, path, "3: zones/t.test/allow_transfer: unknown key \"nokey\" (not in the "
					       "\"tsig\" section)"));
	ck_assert(test_has_error(&errs, path, "4: zones/t.test/serial: expected \"keep\", \"increment\", \"unixtime\" "
					       "or \"dateserial\""));
	xfr_conf_unref(c);
	conf_file_clear(&cf);
	errlist_clear(&errs);
	free(path);
}
END_TEST

Suite *suite_tsig(void)
{
	Suite *s = suite_create("tsig");
	TCase *tc = tcase_create("tsig");
	tcase_add_loop_test(tc, test_request_from_ldns, 0, 4);
	tcase_add_loop_test(tc, test_response_to_ldns, 0, 4);
	tcase_add_test(tc, test_find_rules);
	tcase_add_test(tc, test_key_errors);
	tcase_add_test(tc, test_acl);
	tcase_add_test(tc, test_conf_errors);
	suite_add_tcase(s, tc);
	return s;
}
