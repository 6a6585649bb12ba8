/* test_diff.c -- differences between compiled zone versions (server/xfr/diff.h):
 * what changed, in canonical order, TTL changes, and condensed chains that
 * equal the direct difference. */
#include "config.h"
#include "tests/unit/lib.h"
#include "server/xfr/diff.h"
#include "server/wire/rr.h"
#include "server/zone/zone.h"
#include "server/zone/load/zoneload.h"
#include "common/errlist.h"
#include "common/errors.h"

#include <ldns/ldns.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Zone "t.test" at serial with body after the SOA and apex NS (also used
 * by test_journal.c). */
struct zone *test_diff_zone(unsigned serial, const char *body);
struct zone *test_diff_zone(unsigned serial, const char *body)
{
	char text[8192];
	struct errlist errs;
	struct zone *z = NULL;
	char *path;

	snprintf(text, sizeof(text),
		 "$ORIGIN t.test.\n@ 3600 IN SOA ns1 host %u 7200 3600 1209600 300\n@ 3600 IN NS ns1\n"
		 "ns1 3600 IN A 192.0.2.1\n%s",
		 serial, body);
	path = test_write_temp(".zone", text);
	ck_assert_ptr_nonnull(path);
	errlist_init(&errs);
	ck_assert_int_eq(zone_load("t.test", path, &errs, &z), STEER_EOK);
	errlist_clear(&errs);
	unlink(path);
	free(path);
	return z;
}

/* One RR of a list in presentation form, tabs as spaces ("a.t.test. 60 IN A 192.0.2.5"). */
static void rr_text(const uint8_t *owner, const uint8_t *rr, char *out, size_t cap)
{
	uint8_t wire[70000];
	size_t olen = (size_t)(rr - owner), pos = 0;
	ldns_rr *r = NULL;
	char *s;

	memcpy(wire, owner, olen + rr_len(rr));
	ck_assert_int_eq(ldns_wire2rr(&r, wire, olen + rr_len(rr), &pos, LDNS_SECTION_ANSWER), LDNS_STATUS_OK);
	s = ldns_rr2str(r);
	for (char *p = s; *p; p++)
		if (*p == '\t')
			*p = ' ';
	s[strcspn(s, "\n")] = 0;
	snprintf(out, cap, "%s", s);
	free(s);
	ldns_rr_free(r);
}

/* The list as lines "RR\n", in list order. */
static char *list_text(const struct rrlist *l)
{
	static char buf[4][16384];
	static int k;
	char *out = buf[k++ % 4], line[512];
	const uint8_t *owner, *rr;
	size_t off = 0, used = 0;

	out[0] = 0;
	while (rrlist_next(l, &off, &owner, &rr)) {
		rr_text(owner, rr, line, sizeof(line));
		used += (size_t)snprintf(out + used, sizeof(buf[0]) - used, "%s\n", line);
	}
	return out;
}

#define SOA(n) "t.test. 3600 IN SOA ns1.t.test. host.t.test. " #n " 7200 3600 1209600 300\n"

START_TEST(test_same_content)
{
	struct zone *a = test_diff_zone(1, "www 60 IN A 192.0.2.5\n"), *b = test_diff_zone(2, "www 60 IN A 192.0.2.5\n");
	struct zone_diff d;

	ck_assert_int_eq(zone_diff_compute(a, b, &d), STEER_EOK);
	ck_assert_uint_eq(d.from, 1);
	ck_assert_uint_eq(d.to, 2);
	ck_assert(zone_diff_empty(&d));
	ck_assert_str_eq(list_text(&d.del), SOA(1));
	ck_assert_str_eq(list_text(&d.add), SOA(2));
	zone_diff_clear(&d);
	zone_free(a);
	zone_free(b);
}
END_TEST

START_TEST(test_changes)
{
	/* One of each: an RR added to an rrset, one removed, a TTL change, a
	 * name gone (with its empty non-terminal parent), a name new, a type
	 * new at an existing name, data at the apex. Unchanged names stay out. */
	struct zone *a = test_diff_zone(10, "www 60 IN A 192.0.2.5\nwww 60 IN A 192.0.2.6\n"
				       "mail 300 IN A 192.0.2.25\n"
				       "x.gone 60 IN TXT \"bye\"\n"
				       "same 60 IN A 192.0.2.9\n"
				       "@ 60 IN MX 10 mail\n"
				       "z 60 IN A 192.0.2.26\n");
	struct zone *b = test_diff_zone(11, "www 60 IN A 192.0.2.5\nwww 60 IN A 192.0.2.7\n"
				       "mail 600 IN A 192.0.2.25\n"
				       "new 60 IN AAAA 2001:db8::1\n"
				       "same 60 IN A 192.0.2.9\n"
				       "@ 60 IN MX 20 mail\n"
				       "z 60 IN A 192.0.2.26\nz 60 IN TXT \"hi\"\n");
	struct zone_diff d;

	ck_assert_int_eq(zone_diff_compute(a, b, &d), STEER_EOK);
	ck_assert(!zone_diff_empty(&d));
	/* Canonical order: the apex, then x.gone (below gone), mail, new, www, z. */
	ck_assert_str_eq(list_text(&d.del), SOA(10) "t.test. 60 IN MX 10 mail.t.test.\n"
						     "x.gone.t.test. 60 IN TXT \"bye\"\n"
						     "mail.t.test. 300 IN A 192.0.2.25\n"
						     "www.t.test. 60 IN A 192.0.2.6\n");
	ck_assert_str_eq(list_text(&d.add), SOA(11) "t.test. 60 IN MX 20 mail.t.test.\n"
						     "mail.t.test. 600 IN A 192.0.2.25\n"
						     "new.t.test. 60 IN AAAA 2001:db8::1\n"
						     "www.t.test. 60 IN A 192.0.2.7\n"
						     "z.t.test. 60 IN TXT \"hi\"\n");
	ck_assert_uint_eq(d.del.count, 5);
	ck_assert_uint_eq(d.add.count, 6);
	zone_diff_clear(&d);
	zone_free(a);
	zone_free(b);
}
END_TEST

static int line_cmp(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

/* The list's RRs as sorted lines without the leading SOA, for set comparison. */
static char *sorted_body(const struct rrlist *l)
{
	char *text = strdup(list_text(l)), *lines[256], *out = calloc(1, 16384);
	size_t n = 0, used = 0;

	for (char *p = strtok(text, "\n"); p && n < 256; p = strtok(NULL, "\n"))
		lines[n++] = p;
	qsort(lines + 1, n - 1, sizeof(char *), line_cmp);
	for (size_t i = 1; i < n; i++)
		used += (size_t)snprintf(out + used, 16384 - used, "%s\n", lines[i]);
	free(text);
	return out;
}

START_TEST(test_merge_equals_direct)
{
	/* v1 -> v2 -> v3 -> v4: an RR added then removed, one removed then
	 * put back, one changed twice, a TTL changed and changed back. The
	 * condensed chain is the direct difference v1 -> v4. */
	struct zone *v[4] = {
		test_diff_zone(1, "a 60 IN A 192.0.2.1\nb 60 IN A 192.0.2.2\nc 60 IN A 192.0.2.3\nt 60 IN TXT \"x\"\n"),
		test_diff_zone(2, "a 60 IN A 192.0.2.1\nc 60 IN A 192.0.2.30\ntmp 60 IN A 192.0.2.99\nt 120 IN TXT \"x\"\n"),
		test_diff_zone(3, "a 60 IN A 192.0.2.1\nb 60 IN A 192.0.2.2\nc 60 IN A 192.0.2.31\nt 60 IN TXT \"x\"\n"),
		test_diff_zone(4, "a 60 IN A 192.0.2.1\nb 60 IN A 192.0.2.2\nc 60 IN A 192.0.2.31\nt 60 IN TXT \"x\"\n"
			     "d 60 IN A 192.0.2.4\n"),
	};
	struct zone_diff step[3], direct, merged;
	const struct zone_diff *chain[3] = { &step[0], &step[1], &step[2] };

	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(zone_diff_compute(v[i], v[i + 1], &step[i]), STEER_EOK);
	ck_assert_int_eq(zone_diff_compute(v[0], v[3], &direct), STEER_EOK);
	ck_assert_int_eq(zone_diff_merge(chain, 3, &merged), STEER_EOK);
	ck_assert_uint_eq(merged.from, 1);
	ck_assert_uint_eq(merged.to, 4);
	ck_assert_str_eq(list_text(&merged.del), SOA(1) "c.t.test. 60 IN A 192.0.2.3\n");
	char *m = sorted_body(&merged.add), *dd = sorted_body(&direct.add);
	ck_assert_str_eq(m, dd);
	ck_assert_str_eq(m, "c.t.test. 60 IN A 192.0.2.31\nd.t.test. 60 IN A 192.0.2.4\n");
	ck_assert_str_eq(list_text(&merged.add), SOA(4) "c.t.test. 60 IN A 192.0.2.31\nd.t.test. 60 IN A 192.0.2.4\n");
	free(m);
	free(dd);
	zone_diff_clear(&merged);
	/* One step merged is that step. */
	ck_assert_int_eq(zone_diff_merge(chain, 1, &merged), STEER_EOK);
	ck_assert_str_eq(list_text(&merged.del), list_text(&step[0].del));
	ck_assert_str_eq(list_text(&merged.add), list_text(&step[0].add));
	zone_diff_clear(&merged);
	/* A chain with a gap does not condense. */
	const struct zone_diff *gap[2] = { &step[0], &step[2] };
	ck_assert_int_eq(zone_diff_merge(gap, 2, &merged), STEER_EINVAL);
	for (int i = 0; i < 3; i++)
		zone_diff_clear(&step[i]);
	zone_diff_clear(&direct);
	for (int i = 0; i < 4; i++)
		zone_free(v[i]);
}
END_TEST

START_TEST(test_name_order)
{
	/* RFC 4034 6.1's example, in order. */
	static const char *names[] = {
		"\7example\0", "\1a\7example\0", "\010yljkjljk\1a\7example\0", "\1Z\1a\7example\0",
		"\4zABC\1a\7example\0", "\1z\7example\0", "\1\001\1z\7example\0", "\1*\1z\7example\0",
		"\1\200\1z\7example\0",
	};
	/* Names are compared lowercased: the zone keeps them so. Lower the Z ones. */
	uint8_t w[9][64];
	for (int i = 0; i < 9; i++) {
		size_t n = 0;
		const uint8_t *p = (const uint8_t *)names[i];
		while (p[n])
			n += p[n] + 1;
		memcpy(w[i], p, n + 1);
		for (size_t k = 0; k <= n; k++)
			if (w[i][k] >= 'A' && w[i][k] <= 'Z')
				w[i][k] += 32;
	}
	for (int i = 0; i + 1 < 9; i++) {
		ck_assert_msg(diff_name_cmp(w[i], w[i + 1]) < 0, "name %d before %d", i, i + 1);
		ck_assert_int_gt(diff_name_cmp(w[i + 1], w[i]), 0);
	}
	ck_assert_int_eq(diff_name_cmp(w[3], w[3]), 0);
}
END_TEST

START_TEST(test_list_check)
{
	struct rrlist l;
	uint8_t rr[RR_FIXED + 4];

	rrlist_init(&l);
	rr_header_put(rr, 1, 1, 60, 4);
	memcpy(rr + RR_FIXED, "\xc0\x00\x02\x01", 4);
	ck_assert_int_eq(rrlist_add(&l, (const uint8_t *)"\1a\0", 3, rr), STEER_EOK);
	ck_assert_int_eq(rrlist_add(&l, (const uint8_t *)"\0", 1, rr), STEER_EOK);
	ck_assert_uint_eq(l.count, 2);
	ck_assert(rrlist_check(l.data, l.len, 2));
	ck_assert(!rrlist_check(l.data, l.len, 3));
	ck_assert(!rrlist_check(l.data, l.len - 1, 2));
	ck_assert(!rrlist_check(l.data, l.len, 1));
	rrlist_clear(&l);
}
END_TEST

Suite *suite_diff(void)
{
	Suite *s = suite_create("diff");
	TCase *t = tcase_create("diff");

	tcase_add_test(t, test_same_content);
	tcase_add_test(t, test_changes);
	tcase_add_test(t, test_merge_equals_direct);
	tcase_add_test(t, test_name_order);
	tcase_add_test(t, test_list_check);
	suite_add_tcase(s, t);
	return s;
}
