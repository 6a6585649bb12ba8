/* test_pools.c -- the healthd/checks/pools config sections and targets (common/pools.c),
 * and healthd.user/group with the writable-directory check (common/privs.c). */
#include "config.h"
#include "tests/unit/lib.h"
#include "common/conf.h"
#include "common/errlist.h"
#include "common/pools.h"
#include "common/privs.h"

#include <arpa/inet.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static struct conf_file cf;
static struct pools_conf pc;
static struct errlist errs;
static char *path;

/* Load text; returns the error count. */
static int load(const char *text)
{
	path = test_write_temp(".json", text);
	ck_assert_ptr_nonnull(path);
	errlist_init(&errs);
	ck_assert_int_eq(conf_file_load(path, &cf, &errs), 0);
	return pools_conf_load(&cf, &pc, &errs);
}

static void teardown(void)
{
	pools_conf_clear(&pc);
	conf_file_clear(&cf);
	errlist_clear(&errs);
	if (path)
		unlink(path);
	free(path);
	path = NULL;
}

static int has_error(const char *needle)
{
	for (size_t i = 0; i < errs.n; i++)
		if (strstr(errs.msgs[i], needle))
			return 1;
	return 0;
}

static const char *good =
	"{\n"
	"  \"healthd\": { \"socket\": \"run/h.sock\", \"state_file\": \"/var/h.state\" },\n"
	"  \"checks\": {\n"
	"    \"web\": { \"type\": \"http\", \"port\": 8080, \"path\": \"/health\", \"interval\": 0.5,\n"
	"               \"status\": [200, \"300-302\"], \"body\": \"OK\" },\n"
	"    \"tls\": { \"type\": \"https\", \"verify\": false, \"host\": \"www.example.com\" },\n"
	"    \"dns\": { \"type\": \"dns\", \"query\": \"example.com\", \"qtype\": \"AAAA\", \"transport\": \"tcp\",\n"
	"               \"rcode\": \"NXDOMAIN\", \"require_answer\": true },\n"
	"    \"script\": { \"type\": \"exec\", \"command\": [\"/bin/check\", \"-v\"], \"timeout\": 5, \"interval\": 30 }\n"
	"  },\n"
	"  \"pools\": {\n"
	"    \"us-east\": { \"check\": \"web\", \"members\": [\"203.0.113.10\", \"2001:db8:0:0::10\"] },\n"
	"    \"eu-west\": { \"check\": \"web\", \"members\": [\"198.51.100.20\", \"203.0.113.10\"] },\n"
	"    \"static\": { \"members\": [\"192.0.2.1\"] },\n"
	"    \"dnsp\": { \"check\": \"dns\", \"members\": \"192.0.2.53\" }\n"
	"  }\n"
	"}\n";

START_TEST(good_config)
{
	size_t web, us, eu, st, t;

	ck_assert_int_eq(load(good), 0);
	ck_assert_uint_eq(pc.nchecks, 4);
	ck_assert_uint_eq(pc.npools, 4);
	/* 203.0.113.10 is in two pools with the same check: one target. */
	ck_assert_uint_eq(pc.ntargets, 4);
	ck_assert_ptr_nonnull(strstr(pc.socket, "/run/h.sock"));
	ck_assert_str_eq(pc.state_file, "/var/h.state");
	web = pools_find_check(&pc, "web");
	ck_assert_uint_ne(web, POOLS_NO_TARGET);
	ck_assert_int_eq(pc.checks[web].port, 8080);
	ck_assert_uint_eq(pc.checks[web].interval_ms, 500);
	ck_assert_uint_eq(pc.checks[web].timeout_ms, 2000);
	ck_assert_int_eq(pc.checks[web].fall, 3);
	ck_assert_int_eq(pc.checks[web].rise, 2);
	ck_assert_uint_eq(pc.checks[web].nstatus, 2);
	ck_assert_int_eq(pc.checks[web].status[1].lo, 300);
	ck_assert_int_eq(pc.checks[web].status[1].hi, 302);
	ck_assert_str_eq(pc.checks[web].body, "OK");

	us = pools_find_pool(&pc, "us-east");
	eu = pools_find_pool(&pc, "eu-west");
	st = pools_find_pool(&pc, "static");
	ck_assert_uint_eq(pools_member_target(&pc, us, 0), pools_member_target(&pc, eu, 1));
	t = pools_member_target(&pc, us, 1);
	ck_assert_str_eq(pc.targets[t].name, "web@2001:db8::10");
	ck_assert_int_eq(pc.targets[t].addr.family, AF_INET6);
	ck_assert_uint_eq(pools_find_target(&pc, "web@2001:db8::10"), t);
	ck_assert_uint_eq(pools_find_target(&pc, "web@2001:db8::11"), POOLS_NO_TARGET);
	ck_assert_uint_eq(pools_member_target(&pc, st, 0), POOLS_NO_TARGET);
	ck_assert_uint_eq(pools_member_target(&pc, st, 7), POOLS_NO_TARGET);
	ck_assert_str_eq(pc.pools[st].members[0].addr.text, "192.0.2.1");
	ck_assert_uint_eq(pools_find_target(&pc, "dns@192.0.2.53"), pools_member_target(&pc, pools_find_pool(&pc, "dnsp"), 0));
}
END_TEST

START_TEST(type_defaults_and_options)
{
	size_t i;

	ck_assert_int_eq(load(good), 0);
	i = pools_find_check(&pc, "tls");
	ck_assert_int_eq(pc.checks[i].type, CHECK_HTTPS);
	ck_assert_int_eq(pc.checks[i].port, 443);
	ck_assert_int_eq(pc.checks[i].verify, 0);
	ck_assert_str_eq(pc.checks[i].path, "/");
	ck_assert_int_eq(pc.checks[i].status[0].lo, 200);
	ck_assert_int_eq(pc.checks[i].status[0].hi, 399);
	ck_assert_uint_eq(pc.checks[i].interval_ms, 10000);
	i = pools_find_check(&pc, "dns");
	ck_assert_int_eq(pc.checks[i].port, 53);
	ck_assert_int_eq(pc.checks[i].qtype, 28);
	ck_assert_int_eq(pc.checks[i].rcode, 3);
	ck_assert_int_eq(pc.checks[i].dns_tcp, 1);
	ck_assert_int_eq(pc.checks[i].require_answer, 1);
	i = pools_find_check(&pc, "script");
	ck_assert_uint_eq(pc.checks[i].argc, 2);
	ck_assert_str_eq(pc.checks[i].argv[1], "-v");
	ck_assert_ptr_null(pc.checks[i].argv[2]);
	ck_assert_uint_eq(pc.checks[i].timeout_ms, 5000);
}
END_TEST

START_TEST(stable_target_order)
{
	struct pools_conf again;
	struct errlist e2;

	ck_assert_int_eq(load(good), 0);
	errlist_init(&e2);
	ck_assert_int_eq(pools_conf_load(&cf, &again, &e2), 0);
	ck_assert_uint_eq(again.ntargets, pc.ntargets);
	for (size_t i = 0; i < pc.ntargets; i++)
		ck_assert_str_eq(again.targets[i].name, pc.targets[i].name);
	pools_conf_clear(&again);
	errlist_clear(&e2);
}
END_TEST

START_TEST(empty_sections)
{
	ck_assert_int_eq(load("{}"), 0);
	ck_assert_uint_eq(pc.ntargets, 0);
	ck_assert_str_eq(pc.log_level, "info");
}
END_TEST

START_TEST(errors_with_lines)
{
	const char *bad =
		"{\n"
		"  \"checks\": {\n"
		"    \"a\": { \"type\": \"tcp\" },\n"
		"    \"b\": { \"type\": \"http\", \"send\": \"x\" },\n"
		"    \"c\": { \"type\": \"gopher\" },\n"
		"    \"d\": { \"type\": \"dns\", \"qtype\": \"BOGUS\", \"fall\": 0 },\n"
		"    \"e\": { \"type\": \"https\", \"status\": \"600\" }\n"
		"  }\n"
		"}\n";
	ck_assert_int_ge(load(bad), 5);
	ck_assert(has_error(":3: checks/a: a tcp check needs a \"port\""));
	ck_assert(has_error(":4: checks/b: unknown key \"send\" (expected one of: type, port,"));
	ck_assert(has_error(":5: checks/c/type: unknown check type \"gopher\""));
	ck_assert(has_error(":6: checks/d/fall: 0 is out of range"));
	ck_assert(has_error("checks/e: \"status\""));
}
END_TEST

START_TEST(pool_errors)
{
	const char *bad =
		"{\n"
		"  \"checks\": { \"web\": { \"type\": \"http\" } },\n"
		"  \"pools\": {\n"
		"    \"p\": { \"check\": \"nope\", \"members\": [\"192.0.2.1\"] },\n"
		"    \"q\": { \"check\": \"web\", \"members\": [\"192.0.2.300\"] },\n"
		"    \"r\": { \"check\": \"web\" }\n"
		"  },\n"
		"  \"healthd\": { \"log_level\": \"loud\" }\n"
		"}\n";
	ck_assert_int_eq(load(bad), 4);
	ck_assert(has_error(":4: pools/p/check: no check named \"nope\""));
	ck_assert(has_error(":5: pools/q/members: \"192.0.2.300\" is not an IPv4 or IPv6 address"));
	ck_assert(has_error("pools/r: a pool needs \"members\""));
	ck_assert(has_error(":8: healthd/log_level: unknown level"));
}
END_TEST

static int has_exact(const char *msg)
{
	return test_has_error(&errs, path, msg);
}

/* Unknown names get "did you mean" with the closest known one. */
START_TEST(suggestions)
{
	const char *bad =
		"{\n"
		"  \"checks\": {\n"
		"    \"web\": { \"type\": \"http\",\n"
		"             \"interva\": 5 },\n"                                  /* 4 */
		"    \"t\": { \"type\": \"htps\" },\n"                               /* 5 */
		"    \"d\": { \"type\": \"dns\", \"qtype\": \"AAA\", \"rcode\": \"NXDOMIAN\" }\n" /* 6 */
		"  }\n"
		"}\n";
	ck_assert_int_eq(load(bad), 4);
	ck_assert(has_exact("4: checks/web: unknown key \"interva\" (did you mean \"interval\"?)"));
	ck_assert(has_exact("5: checks/t/type: unknown check type \"htps\" (did you mean \"https\"?)"));
	ck_assert(has_exact("6: checks/d: unknown qtype \"AAA\" (did you mean \"AAAA\"?)"));
	ck_assert(has_exact("6: checks/d: unknown rcode \"NXDOMIAN\" (did you mean \"NXDOMAIN\"?)"));
}
END_TEST

START_TEST(pool_suggestions_and_member_lines)
{
	const char *bad =
		"{\n"
		"  \"checks\": { \"web\": { \"type\": \"http\" }, \"dns\": { \"type\": \"dns\" } },\n"
		"  \"pools\": {\n"
		"    \"p\": { \"members\": [\"192.0.2.1\"],\n"
		"           \"check\": \"wbe\" },\n"                                  /* 5 */
		"    \"q\": { \"check\": \"web\", \"members\": [\n"
		"           \"192.0.2.2\",\n"
		"           \"192.0.2.300\" ] },\n"                                    /* 8 */
		"    \"r\": { \"check\": \"nope\", \"members\": [\"192.0.2.3\"] }\n"    /* 9 */
		"  }\n"
		"}\n";
	ck_assert_int_eq(load(bad), 3);
	ck_assert(has_exact("5: pools/p/check: no check named \"wbe\" (did you mean \"web\"?)"));
	ck_assert(has_exact("8: pools/q/members: \"192.0.2.300\" is not an IPv4 or IPv6 address"));
	ck_assert(has_exact("9: pools/r/check: no check named \"nope\""));
}
END_TEST

START_TEST(addr_parse)
{
	struct pools_addr a, b;
	ck_assert_int_eq(pools_addr_parse("2001:DB8:0::1", &a), 0);
	ck_assert_str_eq(a.text, "2001:db8::1");
	ck_assert_int_eq(pools_addr_parse("2001:db8::1", &b), 0);
	ck_assert(pools_addr_equal(&a, &b));
	ck_assert_int_eq(pools_addr_parse("192.0.2.1", &b), 0);
	ck_assert(!pools_addr_equal(&a, &b));
	ck_assert_int_ne(pools_addr_parse("web@192.0.2.1", &b), 0);
	ck_assert_str_eq(check_type_name(CHECK_DNS), "dns");
	ck_assert_ptr_null(check_type_name(CHECK_NTYPES));
}
END_TEST

/* ---- healthd.user/group and privs_check_dir() ---- */

static char dir[64]; /* a fresh directory per test */

static void dir_setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/steer-privs-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void dir_teardown(void)
{
	teardown();
	rmdir(dir);
}

START_TEST(user_and_group_resolved)
{
	struct passwd *pw = getpwnam("root");

	ck_assert_ptr_nonnull(pw);
	ck_assert_int_eq(load("{ \"healthd\": { \"user\": \"root\", \"group\": \"root\" } }"), 0);
	ck_assert_str_eq(pc.privs.user, "root");
	ck_assert_uint_eq(pc.privs.uid, pw->pw_uid);
	ck_assert_uint_eq(pc.privs.gid, 0);
}
END_TEST

START_TEST(bad_keys_reported_at_their_line)
{
	ck_assert_int_eq(load("{\n \"healthd\": {\n  \"user\": \"no-such-user-x\"\n }\n}\n"), 1);
	ck_assert(has_error(":3: healthd/user: no such user \"no-such-user-x\""));
	teardown();
	ck_assert_int_eq(load("{\n \"healthd\": {\n  \"user\": \"root\",\n  \"group\": \"no-such-group-x\"\n }\n}\n"), 1);
	ck_assert(has_error(":4: healthd/group: no such group \"no-such-group-x\""));
	teardown();
	ck_assert_int_eq(load("{\n \"healthd\": { \"group\": \"root\" }\n}\n"), 1);
	ck_assert(has_error(":2: healthd/group: \"group\" needs \"user\""));
}
END_TEST

START_TEST(dir_missing_not_a_dir_and_fine)
{
	char file[128], sub[96];
	const char *const key[] = { "healthd", "state_file", NULL };
	struct privs self = { 0 };

	ck_assert_int_eq(load("{ \"healthd\": { \"state_file\": \"x\" } }"), 0);
	snprintf(file, sizeof(file), "%s/gone/h.state", dir);
	ck_assert_int_eq(privs_check_dir(&self, &cf, key, file, &errs), 1);
	ck_assert(has_error("healthd/state_file: directory "));
	ck_assert(has_error("/gone (for "));
	ck_assert(has_error(") does not exist"));
	snprintf(sub, sizeof(sub), "%s/plain", dir);
	fclose(fopen(sub, "w"));
	snprintf(file, sizeof(file), "%s/h.state", sub);
	ck_assert_int_eq(privs_check_dir(&self, &cf, key, file, &errs), 1);
	ck_assert(has_error("/plain (the directory of "));
	unlink(sub);
	snprintf(file, sizeof(file), "%s/h.state", dir);
	errlist_clear(&errs);
	ck_assert_int_eq(privs_check_dir(&self, &cf, key, file, &errs), 0);
	ck_assert_int_eq(errs.n, 0);
}
END_TEST

/* As root, the check runs as the configured user: a root-owned 0755
 * directory is not writable by nobody, one nobody owns is. */
START_TEST(dir_checked_as_the_user)
{
	char file[128];
	const char *const key[] = { "healthd", "socket", NULL };
	struct passwd *pw = getpwnam("nobody");

	if (geteuid() != 0 || !pw)
		return; /* needs root and a user nobody */
	ck_assert_int_eq(load("{ \"healthd\": { \"user\": \"nobody\" } }"), 0);
	chmod(dir, 0755);
	snprintf(file, sizeof(file), "%s/hd.sock", dir);
	ck_assert_int_eq(privs_check_dir(&pc.privs, &cf, key, file, &errs), 1);
	ck_assert(has_error("is not writable by user nobody"));
	ck_assert(has_error("Permission denied"));
	errlist_clear(&errs);
	ck_assert_int_eq(chown(dir, pw->pw_uid, (gid_t)-1), 0);
	ck_assert_int_eq(privs_check_dir(&pc.privs, &cf, key, file, &errs), 0);
}
END_TEST

START_TEST(drop_without_user_is_a_no_op)
{
	struct privs none = { 0 }, root = { .user = "root" };
	char why[256] = "";

	ck_assert_int_eq(privs_drop(&none, why, sizeof(why)), 0);
	ck_assert_int_eq(privs_drop(&root, why, sizeof(why)), 0);
	ck_assert_str_eq(why, "");
}
END_TEST

Suite *suite_pools(void)
{
	Suite *s = suite_create("pools");
	TCase *tc = tcase_create("conf");

	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, good_config);
	tcase_add_test(tc, type_defaults_and_options);
	tcase_add_test(tc, stable_target_order);
	tcase_add_test(tc, empty_sections);
	tcase_add_test(tc, errors_with_lines);
	tcase_add_test(tc, pool_errors);
	tcase_add_test(tc, suggestions);
	tcase_add_test(tc, pool_suggestions_and_member_lines);
	tcase_add_test(tc, addr_parse);
	suite_add_tcase(s, tc);
	tc = tcase_create("privs");
	tcase_add_checked_fixture(tc, dir_setup, dir_teardown);
	tcase_add_test(tc, user_and_group_resolved);
	tcase_add_test(tc, bad_keys_reported_at_their_line);
	tcase_add_test(tc, dir_missing_not_a_dir_and_fine);
	tcase_add_test(tc, dir_checked_as_the_user);
	tcase_add_test(tc, drop_without_user_is_a_no_op);
	suite_add_tcase(s, tc);
	return s;
}
