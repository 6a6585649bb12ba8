/* test_zoneload.c -- master file reading and zone compilation: syntax
 * features, and that every error is reported as file:line in one run. */
#include "config.h"
#include "tests/unit/lib.h"
#include "server/conf.h"
#include "server/wire/dname.h"
#include "server/zone/zone.h"
#include "server/zone/zonedb.h"
#include "common/errlist.h"
#include "common/errors.h"

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
	struct zone *z;
	int ret = zone_load("t.test", path, errs, &z);
	ck_assert_int_eq(ret == STEER_EOK, z != NULL);
	if (path_out)
		*path_out = path;
	else {
		unlink(path);
		free(path);
	}
	return z;
}

/* Load text that must load without a single error. */
static struct zone *load_clean(const char *body)
{
	struct errlist errs;
	struct zone *z = load_text(body, &errs, NULL);

	for (size_t i = 0; i < errs.n; i++)
		fprintf(stderr, "unexpected: %s\n", errs.msgs[i]);
	ck_assert_uint_eq(errlist_count(&errs), 0);
	ck_assert_ptr_nonnull(z);
	errlist_clear(&errs);
	return z;
}

static const struct node *find(const struct zone *z, const char *wire, size_t len)
{
	return zone_find(z, (const uint8_t *)wire, len, dname_hash((const uint8_t *)wire, len));
}

START_TEST(test_features)
{
	/* Multi-line with comments, TTL units, class before TTL, RFC 3597,
	 * SVCB, CAA, blank owner, relative $ORIGIN. */
	struct zone *z = load_clean("big ( 1h30m ; ttl\n IN TXT \"a b\" ; c\n \"c\" )\n"
				   "ct IN 60 A 192.0.2.2\n"
				   "  IN AAAA 2001:db8::2\n"
				   "u 60 IN TYPE65226 \\# 3 414243\n"
				   "svc 60 IN HTTPS 1 . alpn=h2\n"
				   "@ 60 IN CAA 0 issue \"letsencrypt.org\"\n"
				   "$ORIGIN sub\n"
				   "x 60 IN A 192.0.2.3\n");
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
	struct zone *z;
	ck_assert_int_eq(zone_load("t.test", path, &errs, &z), STEER_EMALF);
	ck_assert_ptr_null(z);
	ck_assert_uint_eq(errs.n, 2); /* no SOA, no NS */
	errlist_clear(&errs);
	unlink(path);
	free(path);
	path = test_write_temp(".zone", "$ORIGIN t.test.\n@ SOA ns host ( 1 2 3 4 5\nns A 192.0.2.1\n");
	errlist_init(&errs);
	ck_assert_int_eq(zone_load("t.test", path, &errs, &z), STEER_EMALF);
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
	struct zone_conf zc[2] = { { .name = "t.test", .file = p1 }, { .name = "c.t.test", .file = p2 } };
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

/* Each bad entry (line 5, after $ORIGIN and the SOA/NS/A lines) and the
 * message that must name what is wrong in it. */
static const struct {
	const char *entry;
	const char *msg;
} bad_entries[] = {
	{ "www 60 IN A 203.0.113.925", "invalid IPv4 address '203.0.113.925'" },
	{ "www IN A 192.0.2.1 extra", "unexpected 'extra' after the A RDATA" },
	{ "www IN AAAA 2001:db8::g", "invalid IPv6 address '2001:db8::g'" },
	{ "www IN AA 192.0.2.1", "unknown type 'AA'" },
	{ "www IN TYPE70000 \\# 0", "unknown type 'TYPE70000'" },
	{ "www 1x IN A 192.0.2.1", "invalid TTL '1x'" },
	{ "www 4294967296 IN A 192.0.2.1", "invalid TTL '4294967296'" },
	{ "www -5 IN A 192.0.2.1", "invalid TTL '-5'" },
	{ "www CH A 192.0.2.1", "class 'CH': only class IN is served" },
	{ "www 60 IN", "missing record type" },
	{ "a..b IN A 192.0.2.1", "bad domain name 'a..b': empty label" },
	{ "a\\999b IN A 192.0.2.1", "bad domain name 'a\\999b': bad escape" },
	{ "www IN MX", "missing RDATA for MX" },
	{ "www IN MX 10", "missing MX exchange" },
	{ "www IN MX 70000 mail", "invalid MX preference '70000' (0 to 65535)" },
	{ "www IN MX -1 mail", "invalid MX preference '-1' (0 to 65535)" },
	{ "www IN MX 10 a..b", "bad domain name 'a..b' (MX exchange): empty label" },
	{ "www IN SRV 1 2 99999 host", "invalid SRV port '99999' (0 to 65535)" },
	{ "www IN SRV 1 2 3", "missing SRV target" },
	{ "www IN CNAME a b", "unexpected 'b' after the CNAME RDATA" },
	{ "www IN CNAME", "missing RDATA for CNAME" },
	{ "www IN NS aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	  "(NS name server): label longer than 63 bytes" },
	{ "www IN PTR a\\.b..c", "bad domain name 'a\\.b..c' (PTR target): empty label" },
	{ "www IN TXT", "missing RDATA for TXT" },
	{ "www IN TXT \"abc", "unterminated quoted string '\"abc'" },
	{ "www IN TXT \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\\\\aaaaaaa\"",
	  "TXT string longer than 255 bytes: '\"aaaa" },
	{ "sub IN SOA ns host x 2 3 4 5", "invalid SOA serial 'x' (0 to 4294967295)" },
	{ "sub IN SOA ns host 4294967296 2 3 4 5", "invalid SOA serial '4294967296'" },
	{ "sub IN SOA ns host 1 2x 3 4 5", "invalid SOA refresh '2x'" },
	{ "sub IN SOA ns host 1 2 3 4", "missing SOA minimum" },
	{ "sub IN SOA a..b host 1 2 3 4 5", "bad domain name 'a..b' (SOA primary server)" },
	{ "@ IN CAA 256 issue \"ca.example\"", "invalid CAA flags '256' (0 to 255)" },
	{ "@ IN CAA 0 iss-ue \"ca.example\"", "invalid CAA tag 'iss-ue' (letters and digits only)" },
	{ "@ IN CAA 0 issue ca.example", "CAA value must be a quoted string: 'ca.example'" },
	{ "@ IN CAA 0 issue", "missing CAA value" },
	{ "www IN TYPE65226 \\# 3 4142", "RFC 3597 data of 4 hex digits, but the length 3 needs 6" },
	{ "www IN TYPE65226 \\# 1 zz", "invalid hex 'zz' in RFC 3597 data" },
	{ "www IN A \\# 0", "RFC 3597 data of 0 bytes for A, which takes exactly 4" },
	{ "www IN MX \\# 2 0001", "RFC 3597 data of 2 bytes for MX, which takes at least 3" },
	{ "www IN TYPE65226 ABC", "TYPE65226 needs RFC 3597 data (\\# LENGTH HEX)" },
	/* No check of ours: ldns's message, with the type. */
	{ "www IN TLSA 3 1 1 zz", "TLSA record: Syntax error" },
	{ "$TTL 1x", "$TTL: invalid TTL '1x'" },
	{ "$TTL 60 extra", "unexpected 'extra' after $TTL" },
	{ "$ORIGIN a..b", "$ORIGIN: bad domain name 'a..b': empty label" },
	{ "$GENERATE 1-2 x A 192.0.2.$", "unknown directive '$GENERATE'" },
	{ "www IN A 192.0.2.1 )", "unbalanced parentheses: ')' without '('" },
	{ "www IN A ( 192.0.2.1", "unbalanced parentheses: '(' without ')'" },
};

START_TEST(test_token_messages)
{
	struct errlist errs;
	char *path;
	struct zone *z = load_text(bad_entries[_i].entry, &errs, &path);

	if (!has_error(&errs, path, 5, bad_entries[_i].msg)) {
		fprintf(stderr, "entry: %s\nwanted at line 5: %s\ngot:\n", bad_entries[_i].entry, bad_entries[_i].msg);
		for (size_t i = 0; i < errs.n; i++)
			fprintf(stderr, "  %s\n", errs.msgs[i]);
		ck_abort_msg("no such message");
	}
	ck_assert_ptr_null(z);
	ck_assert_uint_eq(errlist_count(&errs), 1); /* that one, nothing else */
	unlink(path);
	free(path);
	errlist_clear(&errs);
}
END_TEST

/* The whole message, as an operator sees it. */
START_TEST(test_token_message_format)
{
	struct errlist errs;
	char *path, want[512];
	struct zone *z = load_text("www 60 IN A 203.0.113.925\n", &errs, &path);

	ck_assert_ptr_null(z);
	ck_assert_uint_eq(errs.n, 1);
	snprintf(want, sizeof(want), "%s:5: invalid IPv4 address '203.0.113.925'", path);
	ck_assert_str_eq(errs.msgs[0], want);
	unlink(path);
	free(path);
	errlist_clear(&errs);
}
END_TEST

/* Entries ldns reads (the fast path declines escapes, RFC 3597 data, rarer
 * types) that are right: the token checks must let every one through. */
START_TEST(test_token_checks_accept_valid)
{
	struct zone *z = load_clean("a\\.b IN A 192.0.2.1\n"
				   "a\\046c 60 IN A 192.0.2.2\n"
				   "esc IN CNAME x\\032y\n"
				   "gen IN A \\# 4 c0000201\n"
				   "gen IN TYPE0 \\# 0\n"
				   "gen IN TYPE65226 \\# 3 41 4243\n"
				   "mx IN MX 010 mail\\.x\n"
				   "srv IN SRV 0 0 65535 @\n"
				   "txt IN TXT \"a\\\"b\" \"semi;colon\" word \"\"\n"
				   "sub IN NS ns.sub\n"
				   "ns.sub IN A 192.0.2.3\n"
				   "@ IN CAA 128 tbs \"x\"\n"
				   "@ 1w2d3h4m5s IN CAA 0 issue \"ca.example; account=1\"\n"
				   "tlsa IN TLSA 3 1 1 2bb2b13a\n"
				   "$TTL 4294967295\n"
				   "max IN A 192.0.2.4\n");
	ck_assert_uint_eq(node_rrset(find(z, "\3max\1t\4test", 12), 1)->ttl, 4294967295u);
	ck_assert_ptr_nonnull(find(z, "\3a.b\1t\4test", 12)); /* one label "a.b" */
	zone_free(z);
}
END_TEST

/* A line-less error (the file) and the return codes of zone_load(). */
START_TEST(test_return_codes)
{
	struct errlist errs;
	struct zone *z = (struct zone *)1;

	errlist_init(&errs);
	ck_assert_int_eq(zone_load("t.test", "/nonexistent/t.zone", &errs, &z), STEER_ENOENT);
	ck_assert_ptr_null(z);
	ck_assert_uint_eq(errs.n, 1);
	ck_assert_str_eq(errs.msgs[0], "/nonexistent/t.zone: cannot open: No such file or directory");
	errlist_clear(&errs);
	errlist_init(&errs);
	ck_assert_int_eq(zone_load("a..b", "/nonexistent/t.zone", &errs, &z), STEER_EMALF);
	ck_assert(strstr(errs.msgs[0], "not a valid domain name") != NULL);
	errlist_clear(&errs);
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
	tcase_add_loop_test(tc, test_token_messages, 0, sizeof(bad_entries) / sizeof(bad_entries[0]));
	tcase_add_test(tc, test_token_message_format);
	tcase_add_test(tc, test_token_checks_accept_valid);
	tcase_add_test(tc, test_return_codes);
	suite_add_tcase(s, tc);
	return s;
}
