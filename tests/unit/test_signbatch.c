/* test_signbatch.c -- the zone signer's batches (server/dnssec/signbatch.c):
 * every job of a batch signed on several threads, with one or two keys,
 * each signature verifying over its own rrset and owner, results in queue
 * order; a full batch refuses more; the single-thread path the same. */
#include "config.h"
#include "tests/unit/lib.h"
#include "server/dnssec/keys.h"
#include "server/dnssec/sign.h"
#include "server/dnssec/signbatch.h"
#include "server/wire/rr.h"
#include "server/zone/zone.h"
#include "common/dns.h"
#include <openssl/evp.h>
#include <string.h>

#define NJOBS 700

static const uint8_t apex[] = "\7example\3com";

static void make_key(struct dnssec_key *k, uint8_t alg, uint8_t seed)
{
	uint8_t raw[32];

	for (int i = 0; i < 32; i++)
		raw[i] = (uint8_t)(i * 7 + seed);
	ck_assert_int_eq(dnssec_key_from_private(k, alg, 256, raw, 32), 0);
}

/* Job i: owner "h<i>.example.com", one A RR 10.0.<i/256>.<i%256>. */
struct item {
	uint8_t name[32];
	uint8_t rr[RR_FIXED + 4];
	struct rrset set;
	struct node n;          /* its name inline after it (zone.h), in name_room */
	uint8_t name_room[32];
};

static void item_init(struct item *it, int i)
{
	int l = snprintf((char *)it->name + 1, 20, "h%d", i);

	it->name[0] = (uint8_t)l;
	memcpy(it->name + 1 + l, apex, sizeof(apex));
	memset(&it->n, 0, sizeof(it->n));
	it->n.namelen = (uint8_t)(1 + l + sizeof(apex));
	memcpy(it->n.name, it->name, it->n.namelen);
	it->n.labels = 3;
	rr_header_put(it->rr, DNS_TYPE_A, DNS_CLASS_IN, 300, 4);
	it->rr[RR_FIXED] = 10;
	it->rr[RR_FIXED + 1] = 0;
	it->rr[RR_FIXED + 2] = (uint8_t)(i / 256);
	it->rr[RR_FIXED + 3] = (uint8_t)(i % 256);
	memset(&it->set, 0, sizeof(it->set));
	it->set.type = DNS_TYPE_A;
	it->set.count = 1;
	it->set.ttl = 300;
	it->set.data = it->rr;
}

/* The RRSIG RR rr verifies with k over item it. */
static void check_sig(const struct dnssec_key *k, const struct item *it, const uint8_t *rr)
{
	static uint8_t data[70000];
	const uint8_t *rd = rr + RR_FIXED;
	struct dnssec_rdata one = { it->rr + RR_FIXED, 4 };
	uint32_t exp = wire_get32(rd + 8), inc = wire_get32(rd + 12);
	int dl;

	ck_assert_uint_eq(wire_get16(rr), DNS_TYPE_RRSIG);
	ck_assert_uint_eq(rr_len(rr), RR_FIXED + 18 + sizeof(apex) + 64);
	ck_assert_uint_eq(wire_get16(rd + 16), k->tag);
	dl = dnssec_signed_data(k, apex, it->name, 3, DNS_TYPE_A, DNS_CLASS_IN, 300, &one, 1, inc, exp, data,
				sizeof(data));
	ck_assert_int_gt(dl, 0);
	ck_assert_int_eq(dnssec_verify(k->alg, k->pub, k->publen, data, (size_t)dl, rd + 18 + sizeof(apex), 64), 0);
}

static void run_batch(int threads, int nkeys)
{
	static struct item items[NJOBS];
	struct dnssec_key k[2];
	const struct dnssec_key *keys[2] = { &k[0], &k[1] };
	struct signbatch b;

	make_key(&k[0], DNSSEC_ALG_ECDSAP256SHA256, 1);
	make_key(&k[1], DNSSEC_ALG_ED25519, 3);
	ck_assert_int_eq(signbatch_init(&b, apex, 1800000000, 1800000000 + 86400), 0);
	if (threads)
		b.threads = threads;
	for (int i = 0; i < NJOBS; i++) {
		struct signbatch_job *j = signbatch_add(&b, nkeys);
		item_init(&items[i], i);
		ck_assert_ptr_nonnull(j);
		j->n = &items[i].n;
		j->set = &items[i].set;
		j->keys = keys;
	}
	signbatch_sign(&b);
	ck_assert_uint_eq(b.njobs, NJOBS);
	for (int i = 0; i < NJOBS; i++) {
		ck_assert_int_eq(b.jobs[i].ret, 0);
		ck_assert_ptr_eq(b.jobs[i].set, &items[i].set);
		for (int kk = 0; kk < nkeys; kk++)
			check_sig(keys[kk], &items[i], b.jobs[i].out + (size_t)kk * SIGNBATCH_SLOT);
	}
	signbatch_reset(&b);
	ck_assert_uint_eq(b.njobs, 0);
	signbatch_free(&b);
	EVP_PKEY_free(k[0].pkey);
	EVP_PKEY_free(k[1].pkey);
}

START_TEST(test_batch_threads)
{
	run_batch(4, 1);
	run_batch(3, 2);
}
END_TEST

START_TEST(test_batch_one_thread)
{
	run_batch(1, 1);
}
END_TEST

START_TEST(test_batch_full)
{
	struct signbatch b;
	size_t n = 0;

	ck_assert_int_eq(signbatch_init(&b, apex, 1, 2), 0);
	ck_assert_ptr_null(signbatch_add(&b, 0));
	while (signbatch_add(&b, 3))
		n++;
	ck_assert_uint_eq(n, SIGNBATCH_SIGS / 3);
	ck_assert_uint_le(b.nsigs, SIGNBATCH_SIGS);
	signbatch_reset(&b);
	ck_assert_ptr_nonnull(signbatch_add(&b, 3));
	signbatch_free(&b);
}
END_TEST

Suite *suite_signbatch(void)
{
	Suite *s = suite_create("signbatch");
	TCase *tc = tcase_create("sign");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_batch_threads);
	tcase_add_test(tc, test_batch_one_thread);
	tcase_add_test(tc, test_batch_full);
	suite_add_tcase(s, tc);
	return s;
}
