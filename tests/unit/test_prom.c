/* test_prom.c -- the Prometheus text writer: escaping, samples, histograms, addresses. */
#include "config.h"
#include "tests/unit/lib.h"
#include "common/prom.h"

#include <event2/buffer.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The buffer's text, NUL-terminated (caller frees), and the buffer emptied. */
static char *take(struct evbuffer *b)
{
	size_t n = evbuffer_get_length(b);
	char *s = malloc(n + 1);

	ck_assert_ptr_nonnull(s);
	evbuffer_remove(b, s, n);
	s[n] = '\0';
	return s;
}

static void expect_text(struct evbuffer *b, const char *want)
{
	char *got = take(b);
	ck_assert_str_eq(got, want);
	free(got);
}

START_TEST(test_family_and_escape)
{
	struct evbuffer *b = evbuffer_new();

	prom_family(b, "x_total", PROM_COUNTER, "Back\\slash \"quoted\"\nnext line.");
	expect_text(b, "# HELP x_total Back\\\\slash \"quoted\"\\nnext line.\n# TYPE x_total counter\n");
	prom_u64(b, "x_total", PROM_L({ "zone", "a\"b\\c\nd" }, { "qtype", "A" }), 42);
	expect_text(b, "x_total{zone=\"a\\\"b\\\\c\\nd\",qtype=\"A\"} 42\n");
	prom_u64(b, "y", PROM_NOLABELS, 18446744073709551615ull);
	expect_text(b, "y 18446744073709551615\n");
	prom_u64(b, "y", PROM_L({ "empty", "" }), 0);
	expect_text(b, "y{empty=\"\"} 0\n");
	evbuffer_free(b);
}
END_TEST

START_TEST(test_doubles)
{
	struct evbuffer *b = evbuffer_new();

	prom_double(b, "g", PROM_NOLABELS, 0.1);
	expect_text(b, "g 0.1\n");
	prom_double(b, "g", PROM_NOLABELS, 1700000000.25);
	expect_text(b, "g 1700000000.25\n");
	prom_double(b, "g", PROM_NOLABELS, NAN);
	expect_text(b, "g NaN\n");
	prom_double(b, "g", PROM_NOLABELS, -INFINITY);
	expect_text(b, "g -Inf\n");
	prom_double(b, "g", PROM_NOLABELS, 0.1 + 0.2);
	expect_text(b, "g 0.30000000000000004\n"); /* 17 digits: 15 or 16 do not read back */
	evbuffer_free(b);
}
END_TEST

START_TEST(test_histogram)
{
	static const double bounds[] = { 0.01, 0.1, 1 };
	struct evbuffer *b = evbuffer_new();
	struct prom_hist h;

	prom_hist_init(&h, bounds, 3);
	prom_hist_observe(&h, 0.005);
	prom_hist_observe(&h, 0.01); /* on a bound: counted in it (le = less or equal) */
	prom_hist_observe(&h, 0.5);
	prom_hist_observe(&h, 7);
	prom_hist_write(b, "d_seconds", PROM_L({ "check", "web" }), &h);
	expect_text(b, "d_seconds_bucket{check=\"web\",le=\"0.01\"} 2\n"
		       "d_seconds_bucket{check=\"web\",le=\"0.1\"} 2\n"
		       "d_seconds_bucket{check=\"web\",le=\"1\"} 3\n"
		       "d_seconds_bucket{check=\"web\",le=\"+Inf\"} 4\n"
		       "d_seconds_sum{check=\"web\"} 7.515\n"
		       "d_seconds_count{check=\"web\"} 4\n");
	prom_hist_write(b, "e", PROM_NOLABELS, &h);
	char *t = take(b);
	ck_assert_ptr_nonnull(strstr(t, "e_bucket{le=\"+Inf\"} 4\n"));
	ck_assert_ptr_nonnull(strstr(t, "e_sum 7.515\n"));
	free(t);
	evbuffer_free(b);
}
END_TEST

START_TEST(test_addr_check)
{
	const char *why = NULL;

	ck_assert_int_eq(prom_addr_check("127.0.0.1:9153", &why), 0);
	ck_assert_int_eq(prom_addr_check("[::1]:9153", &why), 0);
	ck_assert_int_ne(prom_addr_check("127.0.0.1", &why), 0);
	ck_assert_ptr_nonnull(why);
	ck_assert_int_ne(prom_addr_check("localhost:9153", &why), 0);
	ck_assert_int_ne(prom_addr_check("127.0.0.1:99999", &why), 0);
	ck_assert_int_ne(prom_addr_check("", &why), 0);
}
END_TEST

Suite *suite_prom(void)
{
	Suite *s = suite_create("prom");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_family_and_escape);
	tcase_add_test(tc, test_doubles);
	tcase_add_test(tc, test_histogram);
	tcase_add_test(tc, test_addr_check);
	suite_add_tcase(s, tc);
	return s;
}
