/* test_sigcache.c -- the signature cache of steered answers: one signature
 * per distinct set (owner, type, TTL, sorted RDATA, epoch), refresh, signer
 * failure, bounded memory and CLOCK eviction, and readers and writers in
 * several threads checking every signature they get. The signer is a test
 * function whose "signature" is computed from the set, so a torn or wrong
 * copy shows. */
#include "config.h"
#include "tests/unit/lib.h"
#include "server/dnssec/sigcache.h"
#include "server/dnssec/keys.h"
#include "server/dnssec/sign.h"
#include "common/errors.h"

#include <openssl/evp.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

static const uint8_t OWNER[] = "\3app\7example\3com";
#define OWNERLEN ((uint8_t)sizeof(OWNER))

struct fake {
	_Atomic int calls;
	int fail;
	uint32_t validity; /* refresh_at = now + validity */
};

/* A deterministic "RRSIG": type, TTL, count, the RDATA, then filler from
 * all of it; the length depends on the set too. */
static int fake_make(const struct sigcache_rrset *rs, uint32_t epoch, uint8_t *out, size_t cap)
{
	size_t len = 0;
	uint32_t x = epoch * 2654435761u;

	out[len++] = (uint8_t)rs->type;
	memcpy(out + len, &rs->ttl, 4);
	len += 4;
	out[len++] = (uint8_t)rs->n;
	for (uint16_t i = 0; i < rs->n; i++, len += rs->rdlen)
		memcpy(out + len, rs->rdata[i], rs->rdlen);
	for (size_t i = 0; i < len; i++)
		x = x * 31 + out[i];
	for (size_t i = 0, extra = 40 + x % 60; i < extra && len < cap; i++)
		out[len++] = (uint8_t)(x >> (i % 24));
	return (int)len;
}

static int fake_sign(void *arg, const struct sigcache_rrset *rs, uint32_t now, uint8_t *out, size_t cap,
		     uint32_t *refresh_at)
{
	struct fake *f = arg;

	atomic_fetch_add(&f->calls, 1);
	if (f->fail)
		return STEER_EINVAL;
	*refresh_at = now + f->validity;
	return fake_make(rs, 0, out, cap);
}

static int lookup(struct sigcache *c, struct sigcache_signer *sg, struct sigcache_scratch *s, uint16_t type,
		  uint32_t ttl, const uint8_t *const *addrs, uint16_t n, uint32_t now, uint8_t *out,
		  enum sigcache_outcome *o)
{
	return sigcache_lookup(c, sg, s, OWNER, OWNERLEN, 3, type, ttl, addrs, n, type == 1 ? 4 : 16, now, out,
			       SIGCACHE_SIG_MAX, o);
}

static const uint8_t A1[4] = { 192, 0, 2, 1 }, A2[4] = { 192, 0, 2, 2 }, A3[4] = { 198, 51, 100, 7 };

START_TEST(test_one_signature_per_set)
{
	struct sigcache *c = sigcache_new(64);
	struct fake f = { .validity = 3600 };
	struct sigcache_signer sg = { fake_sign, &f, sigcache_epoch_next() };
	static struct sigcache_scratch s;
	uint8_t out[SIGCACHE_SIG_MAX], first[SIGCACHE_SIG_MAX];
	const uint8_t *ab[] = { A1, A2 }, *ba[] = { A2, A1 }, *aab[] = { A1, A2, A1 };
	enum sigcache_outcome o;
	int len, len2;

	ck_assert_ptr_nonnull(c);
	len = lookup(c, &sg, &s, 1, 60, ab, 2, 1000, first, &o);
	ck_assert_int_gt(len, 0);
	ck_assert_int_eq(o, SIGCACHE_SIGNED);
	/* Same set in another order, and with a duplicate: the same entry. */
	for (int i = 0; i < 100; i++) {
		len2 = lookup(c, &sg, &s, 1, 60, i & 1 ? ba : aab, i & 1 ? 2 : 3, 1000 + (uint32_t)i, out, &o);
		ck_assert_int_eq(o, SIGCACHE_HIT);
		ck_assert_int_eq(len2, len);
		ck_assert_mem_eq(out, first, (size_t)len);
	}
	ck_assert_int_eq(f.calls, 1);
	/* The signer saw the RDATA sorted, without the duplicate. */
	ck_assert_uint_eq(s.rs.n, 2);
	ck_assert_mem_eq(s.rs.rdata[0], A1, 4);
	ck_assert_mem_eq(s.rs.rdata[1], A2, 4);
	ck_assert_uint_eq(sigcache_used(c), 1);
	sigcache_free(c);
}
END_TEST

START_TEST(test_key_parts)
{
	struct sigcache *c = sigcache_new(64);
	struct fake f = { .validity = 3600 };
	struct sigcache_signer sg = { fake_sign, &f, sigcache_epoch_next() };
	static struct sigcache_scratch s;
	uint8_t out[SIGCACHE_SIG_MAX];
	const uint8_t *ab[] = { A1, A2 }, *a[] = { A1 }, *abc[] = { A1, A2, A3 };
	enum sigcache_outcome o;

	lookup(c, &sg, &s, 1, 60, ab, 2, 1000, out, &o);
	ck_assert_int_eq(o, SIGCACHE_SIGNED);
	/* A degraded TTL is another key: its own signature (RRSIG TTL and
	 * Original TTL must match the answer's TTL). */
	lookup(c, &sg, &s, 1, 10, ab, 2, 1000, out, &o);
	ck_assert_int_eq(o, SIGCACHE_SIGNED);
	lookup(c, &sg, &s, 1, 10, ab, 2, 1001, out, &o);
	ck_assert_int_eq(o, SIGCACHE_HIT);
	/* Fewer or more addresses. */
	lookup(c, &sg, &s, 1, 60, a, 1, 1000, out, &o);
	ck_assert_int_eq(o, SIGCACHE_SIGNED);
	lookup(c, &sg, &s, 1, 60, abc, 3, 1000, out, &o);
	ck_assert_int_eq(o, SIGCACHE_SIGNED);
	/* Another epoch (new keys): nothing of the old one is served. */
	sg.epoch = sigcache_epoch_next();
	lookup(c, &sg, &s, 1, 60, ab, 2, 1000, out, &o);
	ck_assert_int_eq(o, SIGCACHE_SIGNED);
	/* Another owner. */
	ck_assert_int_gt(sigcache_lookup(c, &sg, &s, (const uint8_t *)"\3api\7example\3com", 17, 3, 1, 60, ab, 2, 4,
					 1000, out, sizeof(out), &o), 0);
	ck_assert_int_eq(o, SIGCACHE_SIGNED);
	ck_assert_int_eq(f.calls, 6);
	sigcache_free(c);
}
END_TEST

START_TEST(test_refresh_and_failure)
{
	struct sigcache *c = sigcache_new(16);
	struct fake f = { .validity = 100 };
	struct sigcache_signer sg = { fake_sign, &f, sigcache_epoch_next() };
	static struct sigcache_scratch s;
	uint8_t out[SIGCACHE_SIG_MAX];
	const uint8_t *ab[] = { A1, A2 }, *a3[] = { A3 };
	enum sigcache_outcome o;

	lookup(c, &sg, &s, 1, 60, ab, 2, 1000, out, &o);
	lookup(c, &sg, &s, 1, 60, ab, 2, 1099, out, &o);
	ck_assert_int_eq(o, SIGCACHE_HIT);
	/* At refresh_at the entry is due: signed again, then hit again. */
	lookup(c, &sg, &s, 1, 60, ab, 2, 1100, out, &o);
	ck_assert_int_eq(o, SIGCACHE_SIGNED);
	lookup(c, &sg, &s, 1, 60, ab, 2, 1150, out, &o);
	ck_assert_int_eq(o, SIGCACHE_HIT);
	ck_assert_int_eq(f.calls, 2);
	ck_assert_uint_eq(sigcache_used(c), 1);
	/* A failing signer: an error, nothing cached, asked again next time;
	 * what is cached keeps being served. */
	f.fail = 1;
	ck_assert_int_lt(lookup(c, &sg, &s, 1, 60, a3, 1, 1150, out, &o), 0);
	ck_assert_int_eq(o, SIGCACHE_FAILED);
	ck_assert_int_lt(lookup(c, &sg, &s, 1, 60, a3, 1, 1151, out, &o), 0);
	ck_assert_int_eq(o, SIGCACHE_FAILED);
	ck_assert_int_eq(f.calls, 4);
	ck_assert_int_gt(lookup(c, &sg, &s, 1, 60, ab, 2, 1151, out, &o), 0);
	ck_assert_int_eq(o, SIGCACHE_HIT);
	/* No addresses: nothing to sign. */
	ck_assert_int_lt(lookup(c, &sg, &s, 1, 60, ab, 0, 1151, out, &o), 0);
	sigcache_free(c);
}
END_TEST

/* Address i as four bytes. */
static void addr_of(uint32_t i, uint8_t a[4])
{
	a[0] = 10;
	a[1] = (uint8_t)(i >> 16);
	a[2] = (uint8_t)(i >> 8);
	a[3] = (uint8_t)i;
}

START_TEST(test_bounded_and_evicts)
{
	struct sigcache *c = sigcache_new(32);
	struct fake f = { .validity = 3600 };
	struct sigcache_signer sg = { fake_sign, &f, sigcache_epoch_next() };
	static struct sigcache_scratch s;
	uint8_t out[SIGCACHE_SIG_MAX], a[4];
	const uint8_t *one[] = { a };
	enum sigcache_outcome o;
	size_t bytes = sigcache_bytes(c);

	ck_assert_uint_eq(sigcache_capacity(c), 32);
	ck_assert_uint_lt(bytes, 32 * 1024 + 1024);
	for (uint32_t i = 0; i < 1000; i++) {
		addr_of(i, a);
		lookup(c, &sg, &s, 1, 60, one, 1, 1000, out, &o);
		ck_assert_int_eq(o, SIGCACHE_SIGNED);
		/* The entry just made is there. */
		lookup(c, &sg, &s, 1, 60, one, 1, 1000, out, &o);
		ck_assert_int_eq(o, SIGCACHE_HIT);
		ck_assert_uint_le(sigcache_used(c), 32);
	}
	ck_assert_uint_eq(sigcache_bytes(c), bytes);
	ck_assert_uint_ge(sigcache_used(c), 16); /* full, roughly: every bucket took several */
	ck_assert_int_eq(f.calls, 1000);
	ck_assert_ptr_null(sigcache_new(0));
	sigcache_free(c);
}
END_TEST

/* One bucket (4 ways): second chance keeps the entry hit since the hand
 * last passed, and takes an unreferenced one. */
START_TEST(test_clock_second_chance)
{
	struct sigcache *c = sigcache_new(SIGCACHE_WAYS);
	struct fake f = { .validity = 3600 };
	struct sigcache_signer sg = { fake_sign, &f, sigcache_epoch_next() };
	static struct sigcache_scratch s;
	uint8_t out[SIGCACHE_SIG_MAX], a[8][4];
	const uint8_t *one[8][1];
	enum sigcache_outcome o;

	ck_assert_uint_eq(sigcache_capacity(c), 4);
	for (uint32_t i = 0; i < 8; i++) {
		addr_of(i, a[i]);
		one[i][0] = a[i];
	}
	for (int i = 0; i < 4; i++) /* A B C D */
		lookup(c, &sg, &s, 1, 60, one[i], 1, 1000, out, &o);
	lookup(c, &sg, &s, 1, 60, one[4], 1, 1000, out, &o); /* E: the hand clears all, takes A */
	lookup(c, &sg, &s, 1, 60, one[2], 1, 1000, out, &o); /* C referenced */
	ck_assert_int_eq(o, SIGCACHE_HIT);
	lookup(c, &sg, &s, 1, 60, one[5], 1, 1000, out, &o); /* F takes B */
	lookup(c, &sg, &s, 1, 60, one[6], 1, 1000, out, &o); /* G: C's second chance, takes D */
	lookup(c, &sg, &s, 1, 60, one[2], 1, 1000, out, &o);
	ck_assert_int_eq(o, SIGCACHE_HIT);
	lookup(c, &sg, &s, 1, 60, one[3], 1, 1000, out, &o);
	ck_assert_int_eq(o, SIGCACHE_SIGNED);
	/* Expired entries go first, whatever their reference bit. */
	f.validity = 10;
	lookup(c, &sg, &s, 1, 60, one[7], 1, 1000, out, &o);
	ck_assert_uint_eq(sigcache_used(c), 4);
	sigcache_free(c);
}
END_TEST

/* --- threads ------------------------------------------------------------ */

#define NSETS 48
#define NTHREADS 4

struct run {
	struct sigcache *c;
	struct fake *f;
	uint32_t epoch;
	int iters;
	_Atomic long wrong, hits;
};

static void *reader(void *arg)
{
	struct run *r = arg;
	struct sigcache_signer sg = { fake_sign, r->f, r->epoch };
	struct sigcache_scratch *s = calloc(1, sizeof(*s));
	uint8_t out[SIGCACHE_SIG_MAX], want[SIGCACHE_SIG_MAX], a[2][4];
	const uint8_t *set[2] = { a[0], a[1] };
	uint32_t x = (uint32_t)(uintptr_t)&sg;
	long wrong = 0, hits = 0;

	for (int i = 0; i < r->iters; i++) {
		enum sigcache_outcome o;
		uint32_t k = (x = x * 1103515245u + 12345u) >> 16;
		uint16_t n = (uint16_t)(1 + k / NSETS % 2);
		int len;
		addr_of(k % NSETS, a[0]);
		addr_of(k % NSETS + 1000, a[1]);
		len = lookup(r->c, &sg, s, 1, 30 + (k / NSETS / 2 % 3) * 30, set, n, 1000, out, &o);
		/* What the signer would have made for exactly this set. */
		if (len != fake_make(&s->rs, 0, want, sizeof(want)) || memcmp(out, want, (size_t)len) != 0)
			wrong++;
		hits += o == SIGCACHE_HIT;
	}
	atomic_fetch_add(&r->wrong, wrong);
	atomic_fetch_add(&r->hits, hits);
	free(s);
	return NULL;
}

static void run_threads(struct run *r)
{
	pthread_t t[NTHREADS];

	for (int i = 0; i < NTHREADS; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, reader, r), 0);
	for (int i = 0; i < NTHREADS; i++)
		pthread_join(t[i], NULL);
}

/* Big enough for every set: each is signed about once (at most once per
 * thread that missed it at the same moment), every answer right. */
START_TEST(test_threads_shared)
{
	struct fake f = { .validity = 3600 };
	struct run r = { .c = sigcache_new(1024), .f = &f, .epoch = sigcache_epoch_next(), .iters = 50000 };
	const int nkeys = NSETS * 2 * 3; /* address, count, TTL */

	run_threads(&r);
	ck_assert_int_eq(r.wrong, 0);
	ck_assert_int_le(f.calls, nkeys * NTHREADS);
	ck_assert_int_ge(f.calls, nkeys / 2);
	ck_assert_int_ge(r.hits, (long)NTHREADS * r.iters - (long)f.calls);
	sigcache_free(r.c);
}
END_TEST

/* Far too small: inserts and evictions all the time under the readers;
 * still never a wrong or torn signature. */
START_TEST(test_threads_evicting)
{
	struct fake f = { .validity = 3600 };
	struct run r = { .c = sigcache_new(8), .f = &f, .epoch = sigcache_epoch_next(), .iters = 30000 };

	run_threads(&r);
	ck_assert_int_eq(r.wrong, 0);
	ck_assert_int_gt(f.calls, 1000);
	ck_assert_uint_le(sigcache_used(r.c), 8);
	sigcache_free(r.c);
}
END_TEST

/* The process's signer: a real ECDSA P-256 and Ed25519 RRSIG over the
 * sorted set that verifies, with the zone's timers, through the cache. */
static void sign_zsk_with(uint8_t alg)
{
	struct dnssec_key k;
	uint8_t raw[32], sd[SIGCACHE_SIGN_SCRATCH], out[SIGCACHE_SIG_MAX], data[SIGCACHE_SIGN_SCRATCH];
	static const uint8_t apex[] = "\7example\3com";
	struct sigcache_zsk z = { .apex = apex, .validity = 14 * 86400, .refresh = 7 * 86400, .scratch = sd,
				  .cap = sizeof(sd) };
	struct sigcache *c = sigcache_new(16);
	static struct sigcache_scratch s;
	static const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	const uint8_t *set[] = { A3, A1 }, *set6[] = { v6 };
	struct dnssec_rdata rd[2] = { { A1, 4 }, { A3, 4 } };
	enum sigcache_outcome o;
	struct sigcache_signer sg;
	uint32_t now = 1800000000, inc, exp;
	int len, dl;

	for (int i = 0; i < 32; i++)
		raw[i] = (uint8_t)(i * 7 + 1);
	ck_assert_int_eq(dnssec_key_from_private(&k, alg, 256, raw, 32), 0);
	z.zsk = &k;
	sg = (struct sigcache_signer){ sigcache_sign_zsk, &z, sigcache_key_epoch(&k) };
	ck_assert_uint_ne(sg.epoch, 0);
	len = sigcache_lookup(c, &sg, &s, OWNER, OWNERLEN, 3, 1, 60, set, 2, 4, now, out, sizeof(out), &o);
	ck_assert_int_eq(o, SIGCACHE_SIGNED);
	ck_assert_int_eq(len, 18 + (int)sizeof(apex) + 64);
	/* Type covered, algorithm, labels, original TTL, expiration, inception, tag, signer. */
	ck_assert_uint_eq(out[0] << 8 | out[1], 1);
	ck_assert_uint_eq(out[2], alg);
	ck_assert_uint_eq(out[3], 3);
	ck_assert_uint_eq((uint32_t)out[4] << 24 | (uint32_t)out[5] << 16 | out[6] << 8 | out[7], 60);
	exp = (uint32_t)out[8] << 24 | (uint32_t)out[9] << 16 | (uint32_t)out[10] << 8 | out[11];
	inc = (uint32_t)out[12] << 24 | (uint32_t)out[13] << 16 | (uint32_t)out[14] << 8 | out[15];
	ck_assert_uint_eq(exp, now + 14 * 86400);
	ck_assert_uint_eq(inc, now - SIGCACHE_INCEPTION_SKEW);
	ck_assert_uint_eq((unsigned)(out[16] << 8 | out[17]), k.tag);
	ck_assert_mem_eq(out + 18, apex, sizeof(apex));
	dl = dnssec_signed_data(&k, apex, OWNER, 3, 1, 1, 60, rd, 2, inc, exp, data, sizeof(data));
	ck_assert_int_gt(dl, 0);
	ck_assert_int_eq(dnssec_verify(alg, k.pub, k.publen, data, (size_t)dl, out + 18 + sizeof(apex), 64), 0);
	/* Served from the cache until refresh (expiration - 7 days), then signed again. */
	sigcache_lookup(c, &sg, &s, OWNER, OWNERLEN, 3, 1, 60, set, 2, 4, now + 7 * 86400 - 1, out, sizeof(out), &o);
	ck_assert_int_eq(o, SIGCACHE_HIT);
	sigcache_lookup(c, &sg, &s, OWNER, OWNERLEN, 3, 1, 60, set, 2, 4, now + 7 * 86400, out, sizeof(out), &o);
	ck_assert_int_eq(o, SIGCACHE_SIGNED);
	/* No key: the signer fails, the caller falls back. */
	z.zsk = NULL;
	ck_assert_int_lt(sigcache_lookup(c, &sg, &s, OWNER, OWNERLEN, 3, 28, 60, set6, 1, 16, now, out, sizeof(out), &o),
			 0);
	ck_assert_int_eq(o, SIGCACHE_FAILED);
	EVP_PKEY_free(k.pkey);
	sigcache_free(c);
}

START_TEST(test_sign_zsk)
{
	sign_zsk_with(DNSSEC_ALG_ECDSAP256SHA256);
	sign_zsk_with(DNSSEC_ALG_ED25519);
}
END_TEST

Suite *suite_sigcache(void)
{
	Suite *s = suite_create("sigcache");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_one_signature_per_set);
	tcase_add_test(tc, test_key_parts);
	tcase_add_test(tc, test_refresh_and_failure);
	tcase_add_test(tc, test_bounded_and_evicts);
	tcase_add_test(tc, test_clock_second_chance);
	tcase_add_test(tc, test_threads_shared);
	tcase_add_test(tc, test_threads_evicting);
	tcase_add_test(tc, test_sign_zsk);
	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);
	return s;
}
