/* test_dname.c -- wire-name helpers: dname_lower() eight bytes at a time. */
#include "config.h"
#include "tests/unit/lib.h"
#include "server/wire/dname.h"

#include <string.h>

/* The one-byte rule dname_lower() must match everywhere. */
static uint8_t lower_ref(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c;
}

/* Every byte value, at every position of the first three 8-byte blocks,
 * among neighbours of every value, for lengths that end inside and at the
 * edge of a block: the word-at-a-time path and the byte tail both agree
 * with the reference, and nothing past len is written. */
START_TEST(test_lower_every_byte)
{
	uint8_t src[32], out[33], want[32];
	long bad = 0;

	for (int pos = 0; pos < 24; pos++)
		for (int v = 0; v < 256; v++)
			for (int fill = 0; fill < 256; fill += 3) {
				memset(src, fill, sizeof(src));
				src[pos] = (uint8_t)v;
				for (size_t len = (size_t)pos + 1; len <= 24; len += 5) {
					memset(out, 0xee, sizeof(out));
					dname_lower(out, src, len);
					for (size_t k = 0; k < len; k++)
						want[k] = lower_ref(src[k]);
					bad += memcmp(out, want, len) != 0 || out[len] != 0xee;
				}
			}
	ck_assert_int_eq(bad, 0);
}
END_TEST

START_TEST(test_lower_name)
{
	const uint8_t in[] = "\3WwW\7ExAmPlE\3COM\0\0", want[] = "\3www\7example\3com\0\0";
	uint8_t out[sizeof(in)];

	dname_lower(out, in, sizeof(in));
	ck_assert_mem_eq(out, want, sizeof(in));
	/* In place works too. */
	memcpy(out, "\10@[`{AZaz\0", 11);
	dname_lower(out, out, 11);
	ck_assert_mem_eq(out, "\10@[`{azaz\0", 11);
}
END_TEST

Suite *suite_dname(void)
{
	Suite *s = suite_create("dname");
	TCase *tc = tcase_create("lower");
	tcase_add_test(tc, test_lower_every_byte);
	tcase_add_test(tc, test_lower_name);
	suite_add_tcase(s, tc);
	return s;
}
