/* test_conf.c -- the config file's line lookups (common/conf.c) and the
 * messages of the server and zones sections (server/conf.c): each error at
 * the line of what is wrong, unknown names with "did you mean". */
#include "config.h"
#include "tests/unit/lib.h"
#include "common/conf.h"
#include "common/errlist.h"
#include "server/conf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct conf_file cf;
static struct errlist errs;
static char *path;

static void open_text(const char *text)
{
	path = test_write_temp(".json", text);
	ck_assert_ptr_nonnull(path);
	errlist_init(&errs);
	ck_assert_int_eq(conf_file_load(path, &cf, &errs), 0);
}

static void teardown(void)
{
	conf_file_clear(&cf);
	errlist_clear(&errs);
	if (path)
		unlink(path);
	free(path);
	path = NULL;
}

static int has_exact(const char *msg)
{
	return test_has_error(&errs, path, msg);
}

static const char *all_errors(void)
{
	static char buf[4096];
	size_t n = 0;

	buf[0] = 0;
	for (size_t i = 0; i < errs.n && n < sizeof(buf); i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s\n", errs.msgs[i]);
	return buf;
}

START_TEST(lines_follow_the_structure)
{
	open_text("{\n"
		  "  \"comment\": \"\\\"port\\\": not a key\",\n"   /* 2: a key inside a string */
		  "  \"a\": { \"port\": 1,\n"                        /* 3 */
		  "         \"b\": { \"port\": 2 } },\n"             /* 4 */
		  "  \"list\": [ 1,\n"                               /* 5 */
		  "     { \"port\": 3 },\n"                          /* 6 */
		  "     [ true,\n"                                   /* 7 */
		  "       { \"x\\u00e9\\ud83d\\ude00\": null } ] ],\n" /* 8: escapes, a surrogate pair */
		  "  \"port\": 4\n"                                  /* 9 */
		  "}\n");
	json_t *a = json_object_get(cf.root, "a"), *list = json_object_get(cf.root, "list");
	json_t *inner = json_array_get(json_array_get(list, 2), 1);

	ck_assert_int_eq(conf_line(&cf, (conf_path_t){ "port", NULL }), 9);
	ck_assert_int_eq(conf_line(&cf, (conf_path_t){ "a", "port", NULL }), 3);
	ck_assert_int_eq(conf_line(&cf, (conf_path_t){ "a", "b", "port", NULL }), 4);
	ck_assert_int_eq(conf_line(&cf, (conf_path_t){ "a", "nothere", NULL }), 3); /* deepest found */
	ck_assert_int_eq(conf_line(&cf, (conf_path_t){ "nothere", NULL }), 1);
	ck_assert_int_eq(conf_line_at(&cf, a, "b"), 4);
	ck_assert_int_eq(conf_line_at(&cf, a, NULL), 3);
	ck_assert_int_eq(conf_line_elem(&cf, list, 0), 5);
	ck_assert_int_eq(conf_line_elem(&cf, list, 1), 6);
	ck_assert_int_eq(conf_line_elem(&cf, list, 2), 7);
	ck_assert_int_eq(conf_line_elem(&cf, list, 9), 5); /* no such element: the list */
	ck_assert_int_eq(conf_line_at(&cf, json_array_get(list, 1), "port"), 6);
	ck_assert_int_eq(conf_line_at(&cf, inner, "x\xc3\xa9\xf0\x9f\x98\x80"), 8);
	ck_assert_int_eq(conf_line_at(&cf, NULL, "port"), 1);
}
END_TEST

START_TEST(unknown_key_at_its_line)
{
	struct { long long port; } out = { 0 };
	static const struct conf_field fields[] = {
		{ "port", CONF_INT, 0, 1, 65535 },
		{ "interval", CONF_MSEC, 0, 10, 1000 },
	};

	open_text("{ \"s\": {\n"
		  "    \"interva\": 1,\n"
		  "    \"zzz\": 2,\n"
		  "    \"port\": 0 } }\n");
	ck_assert_int_eq(conf_read_fields(&cf, json_object_get(cf.root, "s"), (conf_path_t){ "s", NULL }, fields, 1,
					  &out, &errs), 3);
	ck_assert_msg(has_exact("2: s: unknown key \"interva\" (expected one of: port)"), "%s", all_errors());
	ck_assert_msg(has_exact("3: s: unknown key \"zzz\" (expected one of: port)"), "%s", all_errors());
	ck_assert_msg(has_exact("4: s/port: 0 is out of range [1, 65535]"), "%s", all_errors());
	errlist_clear(&errs);
	errlist_init(&errs);
	ck_assert_int_eq(conf_read_fields(&cf, json_object_get(cf.root, "s"), (conf_path_t){ "s", NULL }, fields, 2,
					  &out, &errs), 3);
	ck_assert_msg(has_exact("2: s: unknown key \"interva\" (did you mean \"interval\"?)"), "%s", all_errors());
}
END_TEST

/* server_conf_load() on text; returns the error count. */
static int load_server(const char *text, struct server_conf *c)
{
	path = test_write_temp(".json", text);
	ck_assert_ptr_nonnull(path);
	errlist_init(&errs);
	return server_conf_load(path, c, &errs);
}

START_TEST(server_and_zones_messages)
{
	struct server_conf c;
	int n = load_server("{\n"
			    "  \"server\": {\n"
			    "    \"listne\": [\"127.0.0.1:53\"]\n"                      /* 3 */
			    "  },\n"
			    "  \"recods\": {},\n"                                       /* 5 */
			    "  \"zones\": [\n"
			    "    { \"name\": \"example.com\", \"file\": \"a.zone\" },\n" /* 7 */
			    "    { \"name\": \"other.org\",\n"                          /* 8 */
			    "      \"fiel\": \"b.zone\" },\n"                           /* 9 */
			    "    \"nope\",\n"                                           /* 10 */
			    "    { \"file\": \"c.zone\",\n"
			    "      \"name\": \"Example.COM\" }\n"                       /* 12 */
			    "  ]\n"
			    "}\n", &c);

	ck_assert_int_eq(n, 5);
	ck_assert_msg(has_exact("3: server: unknown key \"listne\" (did you mean \"listen\"?)"), "%s", all_errors());
	ck_assert_msg(has_exact("5: unknown section \"recods\" (did you mean \"records\"?)"), "%s", all_errors());
	ck_assert_msg(has_exact("9: zones/other.org: unknown key \"fiel\" (did you mean \"file\"?)"), "%s",
		      all_errors());
	ck_assert_msg(has_exact("10: zones: expected a {\"name\", \"file\"} object"), "%s", all_errors());
	ck_assert_msg(has_exact("12: zone \"Example.COM\" is listed twice (first at line 7)"), "%s", all_errors());
	server_conf_clear(&c);
}
END_TEST

START_TEST(unknown_section_without_a_close_name)
{
	struct server_conf c;

	ck_assert_int_eq(load_server("{ \"zones\": [],\n  \"banana\": 1 }\n", &c), 1);
	ck_assert_msg(has_exact("2: unknown section \"banana\""), "%s", all_errors());
	server_conf_clear(&c);
}
END_TEST

Suite *suite_conf(void)
{
	Suite *s = suite_create("conf");
	TCase *tc = tcase_create("lines");

	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, lines_follow_the_structure);
	tcase_add_test(tc, unknown_key_at_its_line);
	tcase_add_test(tc, server_and_zones_messages);
	tcase_add_test(tc, unknown_section_without_a_close_name);
	suite_add_tcase(s, tc);
	return s;
}
