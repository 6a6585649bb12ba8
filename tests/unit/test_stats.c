/* test_stats.c -- per-thread counters, their sum, names and JSON form. */
#include "config.h"
#include "tests/unit/lib.h"
#include "server/answer/answer.h"
#include "server/net/stats.h"
#include "server/dnssec/sigcache.h"
#include "common/dns.h"

#include <pthread.h>
#include <string.h>

static struct answer_result result(size_t len, uint16_t qtype, uint16_t rcode, uint8_t tc)
{
	struct answer_result r = { .len = len, .qtype = qtype, .rcode = rcode, .tc = tc };
	return r;
}

START_TEST(test_count_and_sum)
{
	struct stats *st = stats_new(3);
	struct stats_totals t;
	struct answer_result a = result(60, 1, 0, 0), nx = result(80, 28, 3, 0), tc = result(30, 16, 0, 1),
			     drop = result(0, 0, 0, 0), big = result(40, 65280, 16, 0);

	ck_assert_ptr_nonnull(st);
	stats_count(stats_block(st, 0), STATS_UDP, NULL, &a);
	stats_count(stats_block(st, 0), STATS_UDP, NULL, &a);
	stats_count(stats_block(st, 1), STATS_UDP, NULL, &nx);
	stats_count(stats_block(st, 1), STATS_UDP, NULL, &tc);
	stats_count(stats_block(st, 2), STATS_TCP, NULL, &drop);
	stats_count(stats_block(st, 2), STATS_TCP, NULL, &big);
	stats_count(stats_block(st, 2), STATS_TCP, NULL, &a);
	stats_count_send_failed(stats_block(st, 2));
	stats_sum(st, &t);
	ck_assert_uint_eq(t.queries[STATS_UDP], 4);
	ck_assert_uint_eq(t.queries[STATS_TCP], 3);
	ck_assert_uint_eq(t.responses, 5);  /* 6 answered, one not sent */
	ck_assert_uint_eq(t.dropped, 2);    /* the len-0 one and the unsent one */
	ck_assert_uint_eq(t.truncated, 1);
	ck_assert_uint_eq(t.qtype[1], 3);
	ck_assert_uint_eq(t.qtype[28], 1);
	ck_assert_uint_eq(t.qtype[16], 1);
	ck_assert_uint_eq(t.qtype[0], 1);
	ck_assert_uint_eq(t.qtype_other, 1);
	ck_assert_uint_eq(t.rcode[0], 4);
	ck_assert_uint_eq(t.rcode[3], 1);
	ck_assert_uint_eq(t.rcode[16], 1);
	ck_assert_uint_eq(t.rcode_other, 0);
	stats_free(st);
}
END_TEST

START_TEST(test_blocks_aligned)
{
	struct stats *st = stats_new(4);
	/* One writer per block: blocks must not share a cache line. */
	for (size_t i = 0; i < 4; i++)
		ck_assert_uint_eq((uintptr_t)stats_block(st, i) % 64, 0);
	stats_free(st);
}
END_TEST

START_TEST(test_names)
{
	char buf[32];
	ck_assert_str_eq(dns_type_name(1, buf, sizeof(buf)), "A");
	ck_assert_str_eq(dns_type_name(28, buf, sizeof(buf)), "AAAA");
	ck_assert_str_eq(dns_type_name(255, buf, sizeof(buf)), "ANY");
	ck_assert_str_eq(dns_type_name(252, buf, sizeof(buf)), "AXFR");
	ck_assert_str_eq(dns_type_name(0, buf, sizeof(buf)), "TYPE0");
	ck_assert_str_eq(dns_type_name(200, buf, sizeof(buf)), "TYPE200");
	ck_assert_str_eq(dns_rcode_name(0, buf, sizeof(buf)), "NOERROR");
	ck_assert_str_eq(dns_rcode_name(5, buf, sizeof(buf)), "REFUSED");
	ck_assert_str_eq(dns_rcode_name(16, buf, sizeof(buf)), "BADVERS");
	ck_assert_str_eq(dns_rcode_name(23, buf, sizeof(buf)), "BADCOOKIE");
	ck_assert_str_eq(dns_rcode_name(12, buf, sizeof(buf)), "RCODE12");
	ck_assert_str_eq(dns_rcode_name(17, buf, sizeof(buf)), "BADKEY"); /* RFC 8945; was off by one */
	ck_assert_str_eq(dns_rcode_name(22, buf, sizeof(buf)), "BADTRUNC");
	ck_assert_int_eq(dns_rcode_parse("nxdomain"), 3);
	ck_assert_int_eq(dns_rcode_parse("NOPE"), -1);
	ck_assert_str_eq(dns_class_name(3, buf, sizeof(buf)), "CH");
	ck_assert_str_eq(dns_type_name(65, buf, sizeof(buf)), "HTTPS");
}
END_TEST

START_TEST(test_json)
{
	struct stats *st = stats_new(1);
	struct stats_totals t;
	struct answer_result a = result(60, 1, 0, 0), mx = result(60, 15, 3, 1);
	json_t *j, *sc;

	stats_count(stats_block(st, 0), STATS_UDP, NULL, &a);
	stats_count(stats_block(st, 0), STATS_TCP, NULL, &mx);
	/* Steered DO=1 answers: two hits, one signed, one failed signing. */
	a.sig = SIGCACHE_HIT;
	stats_count(stats_block(st, 0), STATS_UDP, NULL, &a);
	stats_count(stats_block(st, 0), STATS_UDP, NULL, &a);
	a.sig = SIGCACHE_SIGNED;
	stats_count(stats_block(st, 0), STATS_UDP, NULL, &a);
	a.sig = SIGCACHE_FAILED;
	stats_count(stats_block(st, 0), STATS_UDP, NULL, &a);
	stats_sum(st, &t);
	j = stats_json(&t);
	ck_assert_ptr_nonnull(j);
	sc = json_object_get(j, "sigcache");
	ck_assert_int_eq(json_integer_value(json_object_get(sc, "hits")), 2);
	ck_assert_int_eq(json_integer_value(json_object_get(sc, "misses")), 2);
	ck_assert_int_eq(json_integer_value(json_object_get(sc, "signs")), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(sc, "failures")), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(j, "queries"), "udp")), 5);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(j, "queries"), "tcp")), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(j, "qtype"), "MX")), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(j, "rcode"), "NXDOMAIN")), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "truncated")), 1);
	/* zero rows are left out */
	ck_assert_ptr_null(json_object_get(json_object_get(j, "qtype"), "AAAA"));
	json_decref(j);
	stats_free(st);
}
END_TEST

/* Writers on their own blocks while a reader sums: the sum never goes
 * backwards and the final sum is exact. */
struct writer_arg {
	struct stats_block *b;
	int n;
};

static void *writer(void *p)
{
	struct writer_arg *w = p;
	struct answer_result a = result(60, 1, 0, 0);
	for (int i = 0; i < w->n; i++)
		stats_count(w->b, STATS_UDP, NULL, &a);
	return NULL;
}

START_TEST(test_concurrent)
{
	enum { NW = 4, N = 200000 };
	struct stats *st = stats_new(NW);
	struct writer_arg args[NW];
	pthread_t th[NW];
	struct stats_totals t;
	uint64_t last = 0;

	for (int i = 0; i < NW; i++) {
		args[i] = (struct writer_arg){ stats_block(st, (size_t)i), N };
		ck_assert_int_eq(pthread_create(&th[i], NULL, writer, &args[i]), 0);
	}
	for (int k = 0; k < 1000; k++) {
		stats_sum(st, &t);
		ck_assert_uint_ge(t.queries[STATS_UDP], last);
		last = t.queries[STATS_UDP];
	}
	for (int i = 0; i < NW; i++)
		pthread_join(th[i], NULL);
	stats_sum(st, &t);
	ck_assert_uint_eq(t.queries[STATS_UDP], (uint64_t)NW * N);
	ck_assert_uint_eq(t.qtype[1], (uint64_t)NW * N);
	stats_free(st);
}
END_TEST

Suite *suite_stats(void)
{
	Suite *s = suite_create("stats");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_count_and_sum);
	tcase_add_test(tc, test_blocks_aligned);
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_json);
	tcase_add_test(tc, test_concurrent);
	suite_add_tcase(s, tc);
	return s;
}
