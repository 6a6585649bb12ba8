/* test_tcplimit.c -- per-prefix TCP connection counts: prefixes, the
 * limit, growth and deletion keeping every other count exact. */
#include "config.h"
#include "tests/unit/lib.h"
#include "server/limit/tcplimit.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

static void key4(const char *a, unsigned p4, struct tcplimit_key *k)
{
	struct sockaddr_in s = { .sin_family = AF_INET };
	inet_pton(AF_INET, a, &s.sin_addr);
	tcplimit_key((struct sockaddr *)&s, p4, 56, k);
}

static void key6(const char *a, unsigned p6, struct tcplimit_key *k)
{
	struct sockaddr_in6 s = { .sin6_family = AF_INET6 };
	inet_pton(AF_INET6, a, &s.sin6_addr);
	tcplimit_key((struct sockaddr *)&s, 32, p6, k);
}

START_TEST(test_prefixes)
{
	struct tcplimit_key a, b;

	key4("127.0.0.2", 32, &a);
	key4("127.0.0.3", 32, &b);
	ck_assert_int_ne(memcmp(&a, &b, sizeof(a)), 0);
	key4("127.0.0.3", 24, &b);
	key4("127.0.0.2", 24, &a);
	ck_assert_int_eq(memcmp(&a, &b, sizeof(a)), 0);
	key4("10.1.2.3", 20, &a);
	key4("10.1.15.250", 20, &b);
	ck_assert_int_eq(memcmp(&a, &b, sizeof(a)), 0);
	key4("10.1.16.1", 20, &b);
	ck_assert_int_ne(memcmp(&a, &b, sizeof(a)), 0);
	key6("2001:db8:0:ff::1", 56, &a);
	key6("2001:db8:0:ee::9", 56, &b);
	ck_assert_int_eq(memcmp(&a, &b, sizeof(a)), 0);
	key6("2001:db8:0:1ff::1", 56, &b);
	ck_assert_int_ne(memcmp(&a, &b, sizeof(a)), 0);
	/* IPv4-mapped counts as the IPv4 address */
	key6("::ffff:127.0.0.2", 128, &a);
	key4("127.0.0.2", 32, &b);
	ck_assert_int_eq(memcmp(&a, &b, sizeof(a)), 0);
	ck_assert_int_eq(a.fam, 4);
}
END_TEST

START_TEST(test_limit)
{
	struct tcplimit *l = tcplimit_new();
	struct tcplimit_key a, b;

	key4("192.0.2.1", 32, &a);
	key4("192.0.2.2", 32, &b);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(tcplimit_take(l, &a, 3), 0);
	ck_assert_int_eq(tcplimit_take(l, &a, 3), 1);
	ck_assert_int_eq(tcplimit_take(l, &b, 3), 0);
	ck_assert_uint_eq(tcplimit_count(l, &a), 3);
	tcplimit_put(l, &a);
	ck_assert_int_eq(tcplimit_take(l, &a, 3), 0);
	ck_assert_int_eq(tcplimit_take(l, &a, 0), 0); /* 0: no limit */
	ck_assert_uint_eq(tcplimit_count(l, &a), 4);
	ck_assert_uint_eq(tcplimit_prefixes(l), 2);
	tcplimit_free(l);
}
END_TEST

/* Many prefixes in and out in an interleaved order: growth and the
 * backward shift must keep every remaining count exact. */
START_TEST(test_grow_delete)
{
	struct tcplimit *l = tcplimit_new();
	struct tcplimit_key k;
	char a[32];

	for (unsigned i = 0; i < 5000; i++) {
		snprintf(a, sizeof(a), "10.%u.%u.1", i / 256, i % 256);
		key4(a, 32, &k);
		ck_assert_int_eq(tcplimit_take(l, &k, 0), 0);
		if (i % 3 == 0)
			ck_assert_int_eq(tcplimit_take(l, &k, 0), 0);
	}
	ck_assert_uint_eq(tcplimit_prefixes(l), 5000);
	for (unsigned i = 0; i < 5000; i += 2) {
		snprintf(a, sizeof(a), "10.%u.%u.1", i / 256, i % 256);
		key4(a, 32, &k);
		tcplimit_put(l, &k);
	}
	for (unsigned i = 0; i < 5000; i++) {
		unsigned want = (i % 3 == 0 ? 2 : 1) - (i % 2 == 0);
		snprintf(a, sizeof(a), "10.%u.%u.1", i / 256, i % 256);
		key4(a, 32, &k);
		ck_assert_uint_eq(tcplimit_count(l, &k), want);
	}
	tcplimit_free(l);
}
END_TEST

Suite *suite_tcplimit(void)
{
	Suite *s = suite_create("tcplimit");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_prefixes);
	tcase_add_test(tc, test_limit);
	tcase_add_test(tc, test_grow_delete);
	suite_add_tcase(s, tc);
	return s;
}
