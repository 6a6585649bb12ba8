/* test_health_target.c -- the per-target state machine (healthd/target.c). */
#include "config.h"
#include "tests/unit/lib.h"
#include "healthd/target.h"

#include <string.h>

static struct target_state ts;

static void setup(void)
{
	target_state_init(&ts, 1000);
}

/* n verdicts in a row; returns how many of them changed the state. */
static int feed(int ok, int n, int fall, int rise)
{
	int changes = 0;
	for (int i = 0; i < n; i++)
		changes += target_state_verdict(&ts, ok, ok ? "HTTP 200" : "HTTP 503", 5, fall, rise, 2000 + i);
	return changes;
}

START_TEST(starts_unknown)
{
	ck_assert_int_eq(ts.state, HEALTH_UNKNOWN);
	ck_assert_int_eq(ts.admin, HEALTH_ADMIN_AUTO);
	ck_assert_int_eq(target_state_effective(&ts), HEALTH_UNKNOWN);
	ck_assert_int_eq(ts.latency_ms, -1);
	ck_assert_str_eq(ts.last, "");
}
END_TEST

START_TEST(first_verdict_decides)
{
	ck_assert_int_eq(feed(1, 1, 3, 2), 1);
	ck_assert_int_eq(ts.state, HEALTH_UP);
	ck_assert_int_eq(ts.since, 2000);
	setup();
	ck_assert_int_eq(feed(0, 1, 3, 2), 1);
	ck_assert_int_eq(ts.state, HEALTH_DOWN);
	ck_assert_str_eq(ts.last, "HTTP 503");
}
END_TEST

START_TEST(fall_exactly)
{
	feed(1, 1, 3, 2);
	ck_assert_int_eq(feed(0, 2, 3, 2), 0);
	ck_assert_int_eq(ts.state, HEALTH_UP);
	ck_assert_uint_eq(ts.fail_count, 2);
	ck_assert_int_eq(target_state_verdict(&ts, 0, "timeout after 2000 ms", 2000, 3, 2, 5000), 1);
	ck_assert_int_eq(ts.state, HEALTH_DOWN);
	ck_assert_uint_eq(ts.fail_count, 3);
	ck_assert_uint_eq(ts.ok_count, 0);
	ck_assert_int_eq(ts.since, 5000);
	ck_assert_int_eq(ts.latency_ms, 2000);
	/* More failures change nothing. */
	ck_assert_int_eq(feed(0, 5, 3, 2), 0);
	ck_assert_int_eq(ts.since, 5000);
}
END_TEST

START_TEST(rise_exactly)
{
	feed(0, 1, 3, 2);
	ck_assert_int_eq(feed(1, 1, 3, 2), 0);
	ck_assert_int_eq(ts.state, HEALTH_DOWN);
	ck_assert_int_eq(feed(1, 1, 3, 2), 1);
	ck_assert_int_eq(ts.state, HEALTH_UP);
	ck_assert_uint_eq(ts.ok_count, 2);
}
END_TEST

START_TEST(flapping_resets_counts)
{
	feed(1, 1, 3, 2);
	/* fail, fail, ok, fail, fail: never 3 in a row */
	feed(0, 2, 3, 2);
	feed(1, 1, 3, 2);
	ck_assert_uint_eq(ts.fail_count, 0);
	ck_assert_int_eq(feed(0, 2, 3, 2), 0);
	ck_assert_int_eq(ts.state, HEALTH_UP);
	/* down, then ok, fail, ok: never 2 ok in a row */
	feed(0, 1, 3, 2);
	ck_assert_int_eq(ts.state, HEALTH_DOWN);
	feed(1, 1, 3, 2);
	feed(0, 1, 3, 2);
	ck_assert_int_eq(feed(1, 1, 3, 2), 0);
	ck_assert_int_eq(ts.state, HEALTH_DOWN);
}
END_TEST

START_TEST(fall_rise_one)
{
	feed(1, 1, 1, 1);
	ck_assert_int_eq(feed(0, 1, 1, 1), 1);
	ck_assert_int_eq(ts.state, HEALTH_DOWN);
	ck_assert_int_eq(feed(1, 1, 1, 1), 1);
	ck_assert_int_eq(ts.state, HEALTH_UP);
}
END_TEST

START_TEST(admin_precedence)
{
	feed(1, 1, 3, 2);
	ck_assert_int_eq(target_state_set_admin(&ts, HEALTH_ADMIN_DOWN, 3000), 1);
	ck_assert_int_eq(target_state_set_admin(&ts, HEALTH_ADMIN_DOWN, 3001), 0);
	ck_assert_int_eq(ts.state, HEALTH_UP); /* measured state untouched */
	ck_assert_int_eq(target_state_effective(&ts), HEALTH_DOWN);
	ck_assert_int_eq(ts.since, 3000);
	feed(0, 3, 3, 2);
	ck_assert_int_eq(ts.state, HEALTH_DOWN);
	target_state_set_admin(&ts, HEALTH_ADMIN_UP, 4000);
	ck_assert_int_eq(target_state_effective(&ts), HEALTH_UP);
	target_state_set_admin(&ts, HEALTH_ADMIN_AUTO, 4001);
	ck_assert_int_eq(target_state_effective(&ts), HEALTH_DOWN);
}
END_TEST

START_TEST(admin_over_unknown)
{
	target_state_set_admin(&ts, HEALTH_ADMIN_DOWN, 1);
	ck_assert_int_eq(target_state_effective(&ts), HEALTH_DOWN);
	ck_assert_int_eq(ts.state, HEALTH_UNKNOWN);
	ck_assert_int_eq(health_effective(HEALTH_UNKNOWN, HEALTH_ADMIN_UP), HEALTH_UP);
	ck_assert_int_eq(health_effective(HEALTH_UNKNOWN, HEALTH_ADMIN_AUTO), HEALTH_UNKNOWN);
}
END_TEST

START_TEST(export_fields)
{
	struct health_status s = { 0 };
	feed(0, 1, 3, 2);
	target_state_set_admin(&ts, HEALTH_ADMIN_UP, 7);
	target_state_export(&ts, &s);
	ck_assert_int_eq(s.state, HEALTH_DOWN);
	ck_assert_int_eq(s.admin, HEALTH_ADMIN_UP);
	ck_assert_int_eq(s.effective, HEALTH_UP);
	ck_assert_uint_eq(s.fail_count, 1);
	ck_assert_str_eq(s.last, "HTTP 503");
}
END_TEST

Suite *suite_health_target(void)
{
	Suite *s = suite_create("health_target");
	TCase *tc = tcase_create("state");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, starts_unknown);
	tcase_add_test(tc, first_verdict_decides);
	tcase_add_test(tc, fall_exactly);
	tcase_add_test(tc, rise_exactly);
	tcase_add_test(tc, flapping_resets_counts);
	tcase_add_test(tc, fall_rise_one);
	tcase_add_test(tc, admin_precedence);
	tcase_add_test(tc, admin_over_unknown);
	tcase_add_test(tc, export_fields);
	suite_add_tcase(s, tc);
	return s;
}
