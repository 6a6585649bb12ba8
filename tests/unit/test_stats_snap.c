/* test_stats_snap.c -- per-snapshot zone/record counters: rows, bounds, the pool cap, carried bases. */
#include "config.h"
#include "tests/unit/lib.h"
#include "server/answer/answer.h"
#include "server/net/stats_snap.h"

static struct answer_result steered(uint32_t zone, uint32_t record, uint16_t pool, int fell_open, int degraded)
{
	struct answer_result r = { .len = 40, .qtype = 1, .zone = zone };
	r.steer.record = record;
	r.steer.pool = pool;
	r.steer.fell_open = (uint8_t)fell_open;
	r.steer.degraded = (uint8_t)degraded;
	return r;
}

START_TEST(test_rows_and_kinds)
{
	struct stats_snap *ss = stats_snap_new(3, 2, 2, 3);
	struct answer_result a = steered(1, 2, 1, 0, 0), fo = steered(1, 2, 0, 1, 1), plain = steered(2, 0, 0, 0, 0);

	ck_assert_ptr_nonnull(ss);
	stats_snap_count(ss, 0, &a);
	stats_snap_count(ss, 1, &a);
	stats_snap_count(ss, 2, &fo);
	stats_snap_count(ss, 2, &plain);
	ck_assert_uint_eq(stats_snap_get(ss, STATS_ZONE_QUERIES, 0), 3);
	ck_assert_uint_eq(stats_snap_get(ss, STATS_ZONE_QUERIES, 1), 1);
	ck_assert_uint_eq(stats_snap_pool_cols(ss), 3);
	ck_assert_uint_eq(stats_snap_get(ss, STATS_REC_ANSWERS, 1 * 3 + 1), 2); /* record 2 = index 1, pool 1 */
	ck_assert_uint_eq(stats_snap_get(ss, STATS_REC_ANSWERS, 1 * 3 + 0), 1);
	ck_assert_uint_eq(stats_snap_get(ss, STATS_REC_FELL_OPEN, 1), 1);
	ck_assert_uint_eq(stats_snap_get(ss, STATS_REC_DEGRADED, 1), 1);
	ck_assert_uint_eq(stats_snap_get(ss, STATS_REC_FELL_OPEN, 0), 0);
	stats_snap_add_base(ss, STATS_ZONE_QUERIES, 1, 100);
	ck_assert_uint_eq(stats_snap_get(ss, STATS_ZONE_QUERIES, 1), 101);
	stats_snap_free(ss);
}
END_TEST

/* Indexes from another snapshot (more zones, more records) must not land
 * anywhere: a reload cannot make one table count into another's cells. */
START_TEST(test_out_of_range_ignored)
{
	struct stats_snap *ss = stats_snap_new(1, 1, 1, 1);
	struct answer_result big_zone = steered(2, 0, 0, 0, 0), big_rec = steered(1, 2, 0, 1, 1),
			     big_pool = steered(1, 1, 5, 0, 0), nodata = steered(1, 1, UINT16_MAX, 0, 1);

	stats_snap_count(ss, 0, &big_zone);
	stats_snap_count(ss, 0, &big_rec);
	stats_snap_count(ss, 0, &big_pool);
	stats_snap_count(ss, 0, &nodata);
	stats_snap_count(ss, 7, &big_pool); /* no such row */
	stats_snap_count(NULL, 0, &big_pool);
	ck_assert_uint_eq(stats_snap_get(ss, STATS_ZONE_QUERIES, 0), 3);
	ck_assert_uint_eq(stats_snap_get(ss, STATS_ZONE_QUERIES, 1), 0); /* past the end reads 0 */
	ck_assert_uint_eq(stats_snap_get(ss, STATS_REC_ANSWERS, 0), 0);
	ck_assert_uint_eq(stats_snap_get(ss, STATS_REC_DEGRADED, 0), 1); /* nodata: degraded, no pool */
	ck_assert_uint_eq(stats_snap_get(ss, STATS_REC_FELL_OPEN, 0), 0);
	stats_snap_add_base(ss, STATS_ZONE_QUERIES, 5, 9); /* ignored */
	stats_snap_free(ss);
}
END_TEST

START_TEST(test_pool_cap)
{
	size_t recs = 1000, pools = STATS_SNAP_MAX_CELLS / 1000 + 1;
	struct stats_snap *ss = stats_snap_new(2, 1, recs, pools);
	struct answer_result a = steered(1, 1000, (uint16_t)(pools - 1), 0, 0);

	ck_assert_ptr_nonnull(ss);
	ck_assert_uint_eq(stats_snap_pool_cols(ss), 1);
	ck_assert_uint_eq(stats_snap_len(ss, STATS_REC_ANSWERS), recs);
	stats_snap_count(ss, 1, &a);
	ck_assert_uint_eq(stats_snap_get(ss, STATS_REC_ANSWERS, recs - 1), 1);
	stats_snap_free(ss);
	ss = stats_snap_new(1, 0, 0, 0); /* an empty snapshot still has a table */
	ck_assert_ptr_nonnull(ss);
	stats_snap_count(ss, 0, &a);
	stats_snap_free(ss);
}
END_TEST

Suite *suite_stats_snap(void)
{
	Suite *s = suite_create("stats_snap");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_rows_and_kinds);
	tcase_add_test(tc, test_out_of_range_ignored);
	tcase_add_test(tc, test_pool_cap);
	suite_add_tcase(s, tc);
	return s;
}
