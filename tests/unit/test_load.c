/* test_load.c -- config + listen + zones loaded as one unit (load.c): what
 * steerdns --check, steerctl check, startup and reload all run. */
#include "config.h"
#include "tests/unit/lib.h"
#include "server/load.h"
#include "server/zone/zonedb.h"
#include "common/errlist.h"
#include "common/errors.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *zone_ok = "$ORIGIN t.test.\n$TTL 300\n@ SOA ns1 h 1 3600 600 86400 300\n@ NS ns1\nns1 A 192.0.2.1\n";
static const char *zone_bad = "$ORIGIN t.test.\n$TTL 300\n@ SOA ns1 h 1 3600 600 86400 300\n@ NS ns1\nns1 A 999.0.2.1\n";

/* A config naming zone_path, with the given listen list (JSON). */
static char *write_config(const char *zone_path, const char *listen)
{
	char text[1024];
	snprintf(text, sizeof(text),
		 "{ \"server\": { \"listen\": %s, \"workers\": 1 },\n"
		 "  \"zones\": [ { \"name\": \"t.test\", \"file\": \"%s\" } ] }\n",
		 listen, zone_path);
	return test_write_temp(".json", text);
}

static int any_match(const struct errlist *e, const char *needle)
{
	for (size_t i = 0; i < e->n; i++)
		if (strstr(e->msgs[i], needle))
			return 1;
	return 0;
}

START_TEST(test_good)
{
	char *zone = test_write_temp(".zone", zone_ok);
	char *cfg = write_config(zone, "[\"127.0.0.1:5353\", \"[::1]:5353\"]");
	struct load_result r;
	struct errlist errs;
	char line[512];

	errlist_init(&errs);
	ck_assert_int_eq(load_all(cfg, &r, &errs), STEER_EOK);
	ck_assert_uint_eq(errlist_count(&errs), 0);
	ck_assert_uint_eq(r.naddrs, 2);
	ck_assert_uint_eq(zonedb_count(r.zones), 1);
	load_summary(&r, line, sizeof(line));
	ck_assert_ptr_nonnull(strstr(line, ": ok: 1 zone, 3 records, 2 listen addresses"));
	load_result_clear(&r);
	errlist_clear(&errs);
	unlink(cfg);
	unlink(zone);
	free(cfg);
	free(zone);
}
END_TEST

START_TEST(test_every_error_reported)
{
	char *zone = test_write_temp(".zone", zone_bad);
	char *cfg = write_config(zone, "[\"127.0.0.1:5353\", \"host.example:53\", \"127.0.0.1:5353\"]");
	struct load_result r;
	struct errlist errs;
	char want[600];

	errlist_init(&errs);
	ck_assert_int_ne(load_all(cfg, &r, &errs), STEER_EOK);
	ck_assert_ptr_null(r.zones); /* cleared on failure */
	ck_assert_ptr_null(r.addrs);
	/* the bad listen address, the duplicate, and the zone's line 5 */
	ck_assert(any_match(&errs, "\"host.example:53\": not an IPv4 or IPv6 address"));
	ck_assert(any_match(&errs, "is listed twice"));
	snprintf(want, sizeof(want), "%s:5: ", zone);
	ck_assert_msg(any_match(&errs, want), "no %s in the errors", want);
	snprintf(want, sizeof(want), "%s:1: server/listen", cfg);
	ck_assert_msg(any_match(&errs, want), "no %s in the errors", want);
	errlist_clear(&errs);
	unlink(cfg);
	unlink(zone);
	free(cfg);
	free(zone);
}
END_TEST

START_TEST(test_check_exit_status)
{
	char *zone = test_write_temp(".zone", zone_ok);
	char *good = write_config(zone, "\"127.0.0.1:5353\"");
	char *bad = write_config(zone, "[]");
	FILE *out = tmpfile(), *err = tmpfile();

	ck_assert_int_eq(load_check(good, out, err), 0);
	ck_assert_int_eq(load_check(bad, out, err), 1); /* no listen address */
	ck_assert_int_eq(load_check("/nonexistent/steerdns.json", out, err), 1);
	fclose(out);
	fclose(err);
	unlink(good);
	unlink(bad);
	unlink(zone);
	free(good);
	free(bad);
	free(zone);
}
END_TEST

/* A reload beside the live zones: a zone that breaks is shared with the old
 * db (same object, freed only with its last holder: LeakSanitizer and ASan
 * check the reference counting), a fixed one is new. */
START_TEST(test_keep_broken_zone)
{
	char *zone = test_write_temp(".zone", zone_ok);
	char *cfg = write_config(zone, "[\"127.0.0.1:5353\"]");
	struct load_result live, next;
	struct errlist errs;
	size_t failed = 9;
	FILE *f;

	errlist_init(&errs);
	ck_assert_int_eq(load_all(cfg, &live, &errs), STEER_EOK);
	f = fopen(zone, "w");
	fputs(zone_bad, f);
	fclose(f);
	ck_assert_int_ne(load_all(cfg, &next, &errs), STEER_EOK); /* --check and startup stay strict */
	errlist_clear(&errs);
	errlist_init(&errs);
	ck_assert_int_eq(load_all_keep(cfg, &next, &errs, live.zones, &failed), STEER_EOK);
	ck_assert_uint_eq(failed, 1);
	ck_assert(any_match(&errs, "999.0.2.1") || any_match(&errs, ":5:"));
	ck_assert_ptr_eq(zonedb_zone(next.zones, 0), zonedb_zone(live.zones, 0)); /* shared */
	load_result_clear(&live); /* the shared zone lives on in next */
	ck_assert_ptr_nonnull(zonedb_zone_named(next.zones, "T.TEST"));
	ck_assert_ptr_nonnull(zonedb_zone_named(next.zones, "t.test."));
	ck_assert_ptr_null(zonedb_zone_named(next.zones, "test."));
	/* New zone, not loadable, nothing to keep: left out. */
	errlist_clear(&errs);
	errlist_init(&errs);
	ck_assert_int_eq(load_all_keep(cfg, &live, &errs, NULL, &failed), STEER_EOK);
	ck_assert_uint_eq(failed, 1);
	ck_assert_uint_eq(zonedb_count(live.zones), 0);
	load_result_clear(&live);
	load_result_clear(&next);
	errlist_clear(&errs);
	unlink(cfg);
	unlink(zone);
	free(cfg);
	free(zone);
}
END_TEST

Suite *suite_load(void)
{
	Suite *s = suite_create("load");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_good);
	tcase_add_test(tc, test_every_error_reported);
	tcase_add_test(tc, test_check_exit_status);
	tcase_add_test(tc, test_keep_broken_zone);
	suite_add_tcase(s, tc);
	return s;
}
