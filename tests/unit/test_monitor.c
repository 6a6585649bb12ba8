/* test_monitor.c -- steer-healthd's choice of the next probe interval
 * (healthd/monitor.c): interval, fastinter while changing state, downinter
 * while down. */
#include "config.h"
#include "tests/unit/lib.h"
#include "common/pools.h"
#include "healthd/monitor.h"
#include "healthd/target.h"

#include <string.h>

START_TEST(next_interval)
{
	struct check_conf c;
	struct target_state st;

	memset(&c, 0, sizeof(c));
	c.interval_ms = 10000, c.fastinter_ms = 1000, c.downinter_ms = 60000, c.fall = 3, c.rise = 2;
	target_state_init(&st, 0);
	ck_assert_uint_eq(monitor_next_interval(&c, &st), 10000); /* unknown: the first verdict decides */
	target_state_verdict(&st, 1, "ok", 1, c.fall, c.rise, 0);
	ck_assert_uint_eq(monitor_next_interval(&c, &st), 10000); /* up and steady */
	target_state_verdict(&st, 0, "HTTP 503", 1, c.fall, c.rise, 0);
	ck_assert_uint_eq(monitor_next_interval(&c, &st), 1000);  /* up, 1 of 3 failures: changing */
	target_state_verdict(&st, 0, "HTTP 503", 1, c.fall, c.rise, 0);
	target_state_verdict(&st, 0, "HTTP 503", 1, c.fall, c.rise, 0);
	ck_assert_int_eq(st.state, HEALTH_DOWN);
	ck_assert_uint_eq(monitor_next_interval(&c, &st), 60000); /* down */
	target_state_verdict(&st, 1, "ok", 1, c.fall, c.rise, 0);
	ck_assert_uint_eq(monitor_next_interval(&c, &st), 1000);  /* down, 1 of 2 successes: changing */
	target_state_verdict(&st, 1, "ok", 1, c.fall, c.rise, 0);
	ck_assert_int_eq(st.state, HEALTH_UP);
	ck_assert_uint_eq(monitor_next_interval(&c, &st), 10000);
}
END_TEST

Suite *suite_monitor(void)
{
	Suite *s = suite_create("monitor");
	TCase *tc = tcase_create("schedule");

	tcase_add_test(tc, next_interval);
	suite_add_tcase(s, tc);
	return s;
}
