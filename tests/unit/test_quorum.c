/* test_quorum.c -- combining several health sources' votes (server/steer/quorum.c)
 * and reading "healthd"."sources"/"publish"/"silent_after" (common/health_conf.c). */
#include "config.h"
#include "tests/unit/lib.h"
#include "common/conf.h"
#include "common/errlist.h"
#include "common/pools.h"
#include "server/steer/quorum.h"
#include "server/steer/steer_policy.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct steer_set set;
static struct check_conf check;
static struct health_target_conf target;
static struct health_source_conf srcs[3];
static uint8_t votes[3];

static void setup(void)
{
	memset(&set, 0, sizeof(set));
	memset(&check, 0, sizeof(check));
	memset(&target, 0, sizeof(target));
	set.pc.checks = &check;
	set.pc.nchecks = 1;
	set.pc.targets = &target;
	set.pc.ntargets = 1;
	set.pc.sources.v = srcs;
	set.pc.sources.n = 3;
	set.votes = votes;
	set.live = 7;
	memset(votes, STEER_VOTE_NONE, sizeof(votes));
}

static uint8_t vote3(uint8_t a, uint8_t b, uint8_t c, struct steer_quorum *q)
{
	votes[0] = a, votes[1] = b, votes[2] = c;
	return steer_quorum_combine(&set, 0, q);
}

START_TEST(majority_of_three)
{
	struct steer_quorum q;

	ck_assert_int_eq(vote3(STEER_ST_UP, STEER_ST_UP, STEER_ST_UP, &q), STEER_ST_UP);
	ck_assert_int_eq(vote3(STEER_ST_DOWN, STEER_ST_UP, STEER_ST_UP, &q), STEER_ST_UP);
	ck_assert_uint_eq(q.down, 1);
	ck_assert_uint_eq(q.needed, 2);
	ck_assert_int_eq(vote3(STEER_ST_DOWN, STEER_ST_DOWN, STEER_ST_UP, &q), STEER_ST_DOWN);
	/* One down, two without a verdict: not enough downs; a verdict exists. */
	ck_assert_int_eq(vote3(STEER_ST_DOWN, STEER_ST_UNKNOWN, STEER_VOTE_NONE, &q), STEER_ST_UP);
	ck_assert_int_eq(vote3(STEER_ST_UNKNOWN, STEER_VOTE_NONE, STEER_VOTE_NONE, &q), STEER_ST_UNKNOWN);
}
END_TEST

START_TEST(silent_sources_do_not_vote)
{
	struct steer_quorum q;

	set.live = 1; /* only source 0: a majority of one is one */
	ck_assert_int_eq(vote3(STEER_ST_DOWN, STEER_ST_UP, STEER_ST_UP, &q), STEER_ST_DOWN);
	ck_assert_uint_eq(q.live, 1);
	set.live = 3; /* two live: both must say down */
	ck_assert_int_eq(vote3(STEER_ST_DOWN, STEER_ST_UP, STEER_ST_DOWN, &q), STEER_ST_UP);
	ck_assert_uint_eq(q.needed, 2);
	set.live = 0; /* nobody: unknown, which counts as up */
	ck_assert_int_eq(vote3(STEER_ST_DOWN, STEER_ST_DOWN, STEER_ST_DOWN, &q), STEER_ST_UNKNOWN);
}
END_TEST

START_TEST(configured_quorum_and_overrides)
{
	check.quorum = 1; /* any source saying down is enough */
	ck_assert_int_eq(vote3(STEER_ST_DOWN, STEER_ST_UP, STEER_ST_UP, NULL), STEER_ST_DOWN);
	check.quorum = 3;
	ck_assert_int_eq(vote3(STEER_ST_DOWN, STEER_ST_DOWN, STEER_ST_UP, NULL), STEER_ST_UP);
	/* A drain on any source wins, over a force-up too. */
	ck_assert_int_eq(vote3(STEER_ST_UP | STEER_ST_DRAINED, STEER_ST_UP | STEER_ST_FORCED, STEER_ST_UP, NULL),
			 STEER_ST_DOWN | STEER_ST_DRAINED);
	ck_assert_int_eq(vote3(STEER_ST_DOWN | STEER_ST_FORCED, STEER_ST_DOWN, STEER_ST_DOWN, NULL),
			 STEER_ST_UP | STEER_ST_FORCED);
	/* A drain on a silent source does not count. */
	set.live = 6;
	ck_assert_int_eq(vote3(STEER_ST_UP | STEER_ST_DRAINED, STEER_ST_UP, STEER_ST_UP, NULL), STEER_ST_UP);
}
END_TEST

/* --- config --- */

static int load(const char *text, struct pools_conf *pc, struct errlist *errs)
{
	char *path = test_write_temp(".json", text);
	struct conf_file cf;
	int n;

	errlist_init(errs);
	ck_assert_int_eq(conf_file_load(path, &cf, errs), 0);
	n = pools_conf_load(&cf, pc, errs);
	conf_file_clear(&cf);
	unlink(path);
	free(path);
	return n;
}

static int has(const struct errlist *errs, const char *needle)
{
	for (size_t i = 0; i < errs->n; i++)
		if (strstr(errs->msgs[i], needle))
			return 1;
	return 0;
}

START_TEST(sources_config)
{
	struct pools_conf pc;
	struct errlist errs;

	/* No sources: the one socket, never aged out. */
	ck_assert_int_eq(load("{ \"healthd\": { \"socket\": \"/run/h.sock\" } }", &pc, &errs), 0);
	ck_assert_uint_eq(pc.sources.n, 1);
	ck_assert_str_eq(pc.sources.v[0].socket, "/run/h.sock");
	ck_assert_uint_eq(pc.sources.silent_after_ms, 0);
	ck_assert_int_eq(pc.sources.explicit_sources, 0);
	pools_conf_clear(&pc);
	errlist_clear(&errs);

	ck_assert_int_eq(load("{ \"healthd\": { \"sources\": [ { \"socket\": \"/run/h.sock\" },\n"
			      "  { \"name\": \"fra\", \"connect\": \"198.18.0.2:8853\", \"token\": \"t\" } ] },\n"
			      "  \"checks\": { \"web\": { \"type\": \"http\", \"quorum\": 2, \"fastinter\": 0.2,"
			      " \"downinter\": 30 } } }",
			      &pc, &errs), 0);
	ck_assert_uint_eq(pc.sources.n, 2);
	ck_assert_str_eq(pc.sources.v[0].name, "/run/h.sock");
	ck_assert_str_eq(pc.sources.v[1].connect, "198.18.0.2:8853");
	ck_assert_uint_eq(pc.sources.silent_after_ms, 10000);
	ck_assert_int_eq(pc.checks[0].quorum, 2);
	ck_assert_uint_eq(pc.checks[0].fastinter_ms, 200);
	ck_assert_uint_eq(pc.checks[0].downinter_ms, 30000);
	pools_conf_clear(&pc);
	errlist_clear(&errs);

	ck_assert_int_gt(load("{ \"healthd\": { \"sources\": [ { \"socket\": \"a\", \"connect\": \"1.2.3.4:5\" },\n"
			      "  { \"connect\": \"nowhere\" }, { \"socket\": \"x\", \"token\": \"t\" },\n"
			      "  { \"name\": \"d\", \"socket\": \"y\" }, { \"name\": \"d\", \"socket\": \"z\" } ],\n"
			      "  \"publish\": { \"listen\": \"127.0.0.1:9\", \"cert_file\": \"c\", \"key_file\": \"k\" },\n"
			      "  \"silent_after\": -1 } }",
			      &pc, &errs), 0);
	ck_assert(has(&errs, ":1: healthd/sources: a source has either \"socket\" (Unix) or \"connect\""));
	ck_assert(has(&errs, ":2: healthd/sources: \"nowhere\": expected a numeric ADDRESS:PORT"));
	ck_assert(has(&errs, "TLS and token options apply to a \"connect\" source only"));
	ck_assert(has(&errs, "two sources named \"d\""));
	ck_assert(has(&errs, "publishing needs \"client_ca_file\" (client certificates) or \"token\""));
	ck_assert(has(&errs, "healthd/silent_after: expected seconds"));
	pools_conf_clear(&pc);
	errlist_clear(&errs);

	/* expect_header (the http check's, read by the same loader). */
	ck_assert_int_eq(load("{ \"checks\": { \"a\": { \"type\": \"http\", \"expect_header\": {"
			      " \"name\": \"X-Ready\", \"regex\": \"^y\" } } } }", &pc, &errs), 0);
	ck_assert_str_eq(pc.checks[0].hdr_name, "X-Ready");
	ck_assert_ptr_nonnull(pc.checks[0].hdr_re);
	pools_conf_clear(&pc);
	errlist_clear(&errs);
	ck_assert_int_eq(load("{ \"checks\": {\n \"a\": { \"type\": \"http\", \"expect_header\": { \"name\": \"X\" } },\n"
			      " \"b\": { \"type\": \"http\", \"expect_header\": { \"name\": \"X\", \"regex\": \"(\" } },\n"
			      " \"c\": { \"type\": \"tcp\", \"port\": 1, \"expect_header\": { \"name\": \"X\", \"value\": \"y\" } } } }",
			      &pc, &errs), 3);
	ck_assert(has(&errs, ":2: checks/a/expect_header: needs a \"name\""));
	ck_assert(has(&errs, ":3: checks/b/expect_header: regex \"(\": "));
	ck_assert(has(&errs, "unknown key \"expect_header\""));
	pools_conf_clear(&pc);
	errlist_clear(&errs);
}
END_TEST

Suite *suite_quorum(void)
{
	Suite *s = suite_create("quorum");
	TCase *tc = tcase_create("combine");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, majority_of_three);
	tcase_add_test(tc, silent_sources_do_not_vote);
	tcase_add_test(tc, configured_quorum_and_overrides);
	suite_add_tcase(s, tc);
	tc = tcase_create("config");
	tcase_add_test(tc, sources_config);
	suite_add_tcase(s, tc);
	return s;
}
