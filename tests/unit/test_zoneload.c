/* test_zoneload.c -- master file reading and zone compilation: syntax
 * features, and that every error is reported as file:line in one run. */
#include "config.h"
#include "tests/unit/lib.h"
#include "server/conf.h"
#include "server/wire/dname.h"
#include "server/zone/zone.h"
#include "server/zone/zonedb.h"
#include "common/errlist.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *soa = "@ 3600 IN SOA ns1 host 1 7200 3600 1209600 300\n@ IN NS ns1\nns1 IN A 192.0.2.1\n";

/* Load text as zone "t.test"; returns the zone (or NULL) and the errors. */
static struct zone *load_text(const char *body, struct errlist *errs, char **path_out)
{
	char text[8192];
	snprintf(text, sizeof(text), "$ORIGIN t.test.\n%s%s", soa, body);
	char *path = test_write_temp(".zone", text);
	ck_assert_ptr_nonnull(path);
	errlist_init(errs);
	struct zone *z = zone_load("t.test", path, errs);
	if (path_out)
		*path_out = path;
	else {
		unlink(path);
		free(path);
	}
	return z;
}

static const struct node *find(const struct zone *z, const char *wire, size_t len)
{
	return zone_find(z, (const uint8_t *)wire, len, dname_hash((const uint8_t *)wire, len));
}

START_TEST(test_features)
{
	struct errlist errs;
	/* Multi-line with comments, TTL units, class before TTL, RFC 3597,
	 * SVCB, CAA, blank owner, relative $ORIGIN. */
	struct zone *z = load_text("big ( 1h30m ; ttl\n IN TXT \"a b\" ; c\n \"c\" )\n"
				   "ct IN 60 A 192.0.2.2\n"
				   "  IN AAAA 2001:db8::2\n"
				   "u 60 IN TYPE65226 \\# 3 414243\n"
				   "svc 60 IN HTTPS 1 . alpn=h2\n"
				   "@ 60 IN CAA 0 issue \"letsencrypt.org\"\n"
				   "$ORIGIN sub\n"
				   "x 60 IN A 192.0.2.3\n",
				   &errs, NULL);
	for (size_t i = 0; i < errs.n; i++)
		fprintf(stderr, "%s\n", errs.msgs[i]);
	ck_assert_ptr_nonnull(z);
	ck_assert_uint_eq(errlist_count(&errs), 0);
	const struct node *n = find(z, "\3big\1t\4test", 12);
	ck_assert_ptr_nonnull(n);
	const struct rrset *txt = node_rrset(n, 16);
	ck_assert_ptr_nonnull(txt);
	ck_assert_uint_eq(txt->ttl, 5400);
	n = find(z, "\2ct\1t\4test", 11);
	ck_assert_ptr_nonnull(node_rrset(n, 1));
	ck_assert_uint_eq(node_rrset(n, 1)->ttl, 60);
	ck_assert_ptr_nonnull(node_rrset(n, 28)); /* blank owner = previous */
	n = find(z, "\1u\1t\4test", 10);
	ck_assert_ptr_nonnull(node_rrset(n, 65226));
	ck_assert_mem_eq(node_rrset(n, 65226)->data + RR_FIXED, "ABC", 3);
	ck_assert_ptr_nonnull(find(z, "\1x\3sub\1t\4test", 14));
	/* The empty non-terminal sub.t.test exists as a node without rrsets. */
	n = find(z, "\3sub\1t\4test", 12);
	ck_assert_ptr_nonnull(n);
	ck_assert_uint_eq(n->nrrsets, 0);
	ck_assert_uint_eq(z->serial, 1);
	ck_assert_uint_eq(z->neg_ttl, 300);
	zone_free(z);
	errlist_clear(&errs);
}
END_TEST

START_TEST(test_include)
{
	struct errlist errs;
	char *inc = test_write_temp(".inc", "inc IN A 192.0.2.9\n$TTL 5\nlater IN A 192.0.2.10\n");
	char body[512];
	snprintf(body, sizeof(body), "$TTL 1h\n$INCLUDE %s\nafter IN A 192.0.2.11\n", inc);
	struct zone *z = load_text(body, &errs, NULL);
	ck_assert_ptr_nonnull(z);
	/* The included file starts with our $TTL; its own $TTL stays inside. */
	ck_assert_uint_eq(node_rrset(find(z, "\3inc\1t\4test", 12), 1)->ttl, 3600);
	ck_assert_uint_eq(node_rrset(find(z, "\5later\1t\4test", 14), 1)->ttl, 5);
	ck_assert_uint_eq(node_rrset(find(z, "\5after\1t\4test", 14), 1)->ttl, 3600);
	zone_free(z);
	errlist_clear(&errs);
	unlink(inc);
	free(inc);
}
END_TEST

/* Does some message contain "path:line:" and text? */
static int has_error(const struct errlist *e, const char *path, int line, const char *text)
{
	char want[512];
	snprintf(want, sizeof(want), "%s:%d: ", path, line);
	for (size_t i = 0; i < e->n; i++)
		if (strstr(e->msgs[i], want) && strstr(e->msgs[i], text))
			return 1;
	return 0;
}

START_TEST(test_errors_all_reported)
{
	struct errlist errs;
	char *path;
	/* Lines: 1 $ORIGIN, 2-4 SOA/NS/A, then: */
	struct zone *z = load_text("bad IN A 999.1.1.1\n"          /* 5 */
				   "www IN CNAME x\n"              /* 6 */
				   "www IN A 192.0.2.1\n"          /* 7 */
				   "out.example. IN A 192.0.2.1\n" /* 8 */
				   "ch CH TXT \"x\"\n"             /* 9 */
				   "$INCLUDE /nonexistent/file\n"  /* 10 */
				   "$BOGUS x\n",                   /* 11 */
				   &errs, &path);
	ck_assert_ptr_null(z);
	for (size_t i = 0; i < errs.n; i++)
		fprintf(stderr, "  %s\n", errs.msgs[i]);
	ck_assert(has_error(&errs, path, 5, ""));
	ck_assert(has_error(&errs, path, 6, "CNAME and other data"));
	ck_assert(has_error(&errs, path, 8, "outside the zone"));
	ck_assert(has_error(&errs, path, 9, "class IN"));
	ck_assert(has_error(&errs, path, 10, "cannot open"));
	ck_assert(has_error(&errs, path, 11, "unknown directive"));
	unlink(path);
	free(path);
	errlist_clear(&errs);
}
END_TEST

START_TEST(test_structural_errors)
{
	struct errlist errs;
	char *path = test_write_temp(".zone", "$ORIGIN t.test.\nwww 60 IN A 192.0.2.1\n");
	errlist_init(&errs);
	ck_assert_ptr_null(zone_load("t.test", path, &errs));
	ck_assert_uint_eq(errs.n, 2); /* no SOA, no NS */
	errlist_clear(&errs);
	unlink(path);
	free(path);
	path = test_write_temp(".zone", "$ORIGIN t.test.\n@ SOA ns host ( 1 2 3 4 5\nns A 192.0.2.1\n");
	errlist_init(&errs);
	ck_assert_ptr_null(zone_load("t.test", path, &errs));
	ck_assert(has_error(&errs, path, 2, "parenthes"));
	errlist_clear(&errs);
	unlink(path);
	free(path);
}
END_TEST

START_TEST(test_duplicates_and_ttl)
{
	struct errlist errs;
	struct zone *z = load_text("d 60 IN A 192.0.2.1\nd 60 IN A 192.0.2.1\nd 30 IN A 192.0.2.2\n", &errs, NULL);
	ck_assert_ptr_nonnull(z);
	const struct rrset *a = node_rrset(find(z, "\1d\1t\4test", 10), 1);
	ck_assert_uint_eq(a->count, 2);
	ck_assert_uint_eq(a->ttl, 30); /* RFC 2181 5.2: one TTL; the lowest */
	/* Both RRs carry the same TTL on the wire. */
	ck_assert_uint_eq(a->data[7], 30);
	ck_assert_uint_eq(a->data[rr_len(a->data) + 7], 30);
	zone_free(z);
	errlist_clear(&errs);
}
END_TEST

START_TEST(test_zonedb_most_specific)
{
	struct errlist errs;
	char *p1 = test_write_temp(".zone", "$ORIGIN t.test.\n@ SOA ns host 1 2 3 4 5\n@ NS ns\nns A 192.0.2.1\n"
					     "c NS ns.c\nns.c A 192.0.2.2\n");
	char *p2 = test_write_temp(".zone", "$ORIGIN c.t.test.\n@ SOA ns host 7 2 3 4 5\n@ NS ns\nns A 192.0.2.2\n");
	struct zone_conf zc[2] = { { "t.test", p1 }, { "c.t.test", p2 } };
	struct zonedb *db;
	struct zone_info info;
	errlist_init(&errs);
	ck_assert_int_eq(zonedb_load(zc, 2, &db, &errs), 0);
	ck_assert_uint_eq(zonedb_count(db), 2);
	zonedb_info(db, 1, &info);
	ck_assert_str_eq(info.name, "c.t.test.");
	ck_assert_uint_eq(info.serial, 7);
	ck_assert_uint_eq(info.records, 3);
	zonedb_free(db);
	/* One broken zone fails the whole load. */
	zc[1].file = "/nonexistent.zone";
	ck_assert_int_ne(zonedb_load(zc, 2, &db, &errs), 0);
	ck_assert_ptr_null(db);
	errlist_clear(&errs);
	unlink(p1);
	unlink(p2);
	free(p1);
	free(p2);
}
END_TEST

Suite *suite_zoneload(void)
{
	Suite *s = suite_create("zoneload");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_features);
	tcase_add_test(tc, test_include);
	tcase_add_test(tc, test_errors_all_reported);
	tcase_add_test(tc, test_structural_errors);
	tcase_add_test(tc, test_duplicates_and_ttl);
	tcase_add_test(tc, test_zonedb_most_specific);
	suite_add_tcase(s, tc);
	return s;
}
