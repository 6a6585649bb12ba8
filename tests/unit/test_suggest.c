/* test_suggest.c -- "did you mean" (common/suggest.c): the distance, the
 * closeness rule and the hint text. */
#include "config.h"
#include "tests/unit/lib.h"
#include "common/suggest.h"

#include <string.h>

START_TEST(distance)
{
	ck_assert_uint_eq(suggest_distance("failover", "failover"), 0);
	ck_assert_uint_eq(suggest_distance("failovr", "failover"), 1);    /* one letter left out */
	ck_assert_uint_eq(suggest_distance("wbe", "web"), 1);             /* neighbours swapped */
	ck_assert_uint_eq(suggest_distance("us-eats", "us-east"), 1);
	ck_assert_uint_eq(suggest_distance("degraded_tll", "degraded_ttl"), 1);
	ck_assert_uint_eq(suggest_distance("listne", "listen"), 1);
	ck_assert_uint_eq(suggest_distance("interva", "interval"), 1);
	ck_assert_uint_eq(suggest_distance("Failover", "failover"), 0);   /* ASCII case ignored */
	ck_assert_uint_eq(suggest_distance("", "ab"), 2);
	ck_assert_uint_eq(suggest_distance("abc", ""), SUGGEST_MAX_EDITS + 1);
	ck_assert_uint_eq(suggest_distance("kitten", "sitting"), SUGGEST_MAX_EDITS + 1); /* 3 edits */
	ck_assert_uint_eq(suggest_distance("ca", "abc"), SUGGEST_MAX_EDITS + 1);        /* OSA: 3, not 2 */
	ck_assert_uint_eq(suggest_distance("tcp", "udp"), 2);
}
END_TEST

START_TEST(too_long_is_far)
{
	char a[SUGGEST_MAX_LEN + 2], b[SUGGEST_MAX_LEN + 2];

	memset(a, 'x', sizeof(a) - 1);
	a[sizeof(a) - 1] = 0;
	memcpy(b, a, sizeof(b));
	b[0] = 'y';
	ck_assert_uint_eq(suggest_distance(a, b), SUGGEST_MAX_EDITS + 1);
	a[SUGGEST_MAX_LEN] = b[SUGGEST_MAX_LEN] = 0; /* at the limit: compared */
	ck_assert_uint_eq(suggest_distance(a, b), 1);
}
END_TEST

START_TEST(closest_wins_ties_go_first)
{
	struct suggest s;

	suggest_init(&s, "failovr");
	suggest_add(&s, "ttl");
	suggest_add(&s, "fallover"); /* 2 */
	suggest_add(&s, "failover"); /* 1: closer */
	suggest_add(&s, "failoverx"); /* 2 */
	ck_assert_str_eq(suggest_best(&s), "failover");
	suggest_init(&s, "ab");
	suggest_add(&s, "abc");
	suggest_add(&s, "abd");
	ck_assert_str_eq(suggest_best(&s), "abc");
}
END_TEST

START_TEST(only_likely_typos)
{
	struct suggest s;
	char buf[96];

	/* two-letter codes: two edits reach any of them */
	suggest_init(&s, "EU");
	suggest_add(&s, "NA");
	suggest_add(&s, "AS");
	ck_assert_ptr_null(suggest_best(&s));
	ck_assert_str_eq(suggest_hint(&s, buf, sizeof(buf)), "");
	/* one edit in three letters is fine, two are not */
	suggest_init(&s, "tcp");
	suggest_add(&s, "udp");
	ck_assert_ptr_null(suggest_best(&s));
	suggest_init(&s, "wbe");
	suggest_add(&s, "web");
	ck_assert_str_eq(suggest_hint(&s, buf, sizeof(buf)), " (did you mean \"web\"?)");
	/* the word itself, NULL, and an empty word offer nothing */
	suggest_init(&s, "web");
	suggest_add(&s, "web");
	suggest_add(&s, NULL);
	ck_assert_ptr_null(suggest_best(&s));
	suggest_init(&s, "");
	suggest_add(&s, "a");
	ck_assert_ptr_null(suggest_best(&s));
	suggest_init(&s, NULL);
	suggest_add(&s, "a");
	ck_assert_ptr_null(suggest_best(&s));
	/* a case-only difference is offered (keys are case-sensitive) */
	suggest_init(&s, "Failover");
	suggest_add(&s, "failover");
	ck_assert_str_eq(suggest_best(&s), "failover");
}
END_TEST

START_TEST(hint_fits_its_buffer)
{
	struct suggest s;
	char buf[8];

	suggest_init(&s, "failovr");
	suggest_add(&s, "failover");
	ck_assert_uint_eq(strlen(suggest_hint(&s, buf, sizeof(buf))), sizeof(buf) - 1);
	ck_assert_str_eq(suggest_hint(&s, buf, 0), "");
}
END_TEST

Suite *suite_suggest(void)
{
	Suite *s = suite_create("suggest");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, distance);
	tcase_add_test(tc, too_long_is_far);
	tcase_add_test(tc, closest_wins_ties_go_first);
	tcase_add_test(tc, only_likely_typos);
	tcase_add_test(tc, hint_fits_its_buffer);
	suite_add_tcase(s, tc);
	return s;
}
