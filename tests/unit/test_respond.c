/* test_respond.c -- the response writer (server/wire/respond.c):
 * pkt_put_rr_at() writes the bytes pkt_put_rr() writes for the same owner,
 * and pkt.owner_at says when it cannot (0). */
#include "config.h"
#include "tests/unit/lib.h"
#include "server/wire/respond.h"
#include "server/wire/rr.h"
#include "common/dns.h"
#include <string.h>

/* A query for www.Example.com A: header, question. */
static const uint8_t query[] = { 0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0,
				 3, 'w', 'w', 'w', 7, 'E', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0, 0, 1, 0, 1 };
static const uint8_t www[] = { 3, 'w', 'w', 'w', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0 };
static const uint8_t mail[] = { 4, 'm', 'a', 'i', 'l', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0 };
static const uint8_t other[] = { 1, 'x', 5, 'o', 't', 'h', 'e', 'r', 4, 't', 'e', 's', 't', 0 };
static const uint8_t root[] = { 0 };

/* TYPE CLASS TTL RDLENGTH RDATA of an A and of a (short, fake) RRSIG. */
static const uint8_t a_rr[] = { 0, 1, 0, 1, 0, 0, 0x0e, 0x10, 0, 4, 192, 0, 2, 1 };
static const uint8_t sig_rr[] = { 0, 46, 0, 1, 0, 0, 0x0e, 0x10, 0, 6, 0, 1, 13, 2, 0xaa, 0xbb };

/* Into two packets: the A of owner, then its "RRSIG" by name and by offset. */
static void write_pair(const uint8_t *owner, int fill, int expect_at)
{
	static uint8_t b1[4096], b2[4096];
	struct pkt p1, p2;
	uint16_t at;

	pkt_begin(&p1, b1, sizeof(b1), query, sizeof(query) - 12);
	pkt_begin(&p2, b2, sizeof(b2), query, sizeof(query) - 12);
	for (int i = 0; i < fill; i++) { /* names that fill the compression table */
		uint8_t n[] = { 2, 'a', (uint8_t)('a' + i % 26), 2, 'b', (uint8_t)('a' + i / 26), 4, 't', 'e', 's', 't', 0 };
		ck_assert_int_eq(pkt_put_rr(&p1, SEC_ANSWER, n, a_rr, sizeof(a_rr), UINT32_MAX), 0);
		ck_assert_int_eq(pkt_put_rr(&p2, SEC_ANSWER, n, a_rr, sizeof(a_rr), UINT32_MAX), 0);
	}
	ck_assert_int_eq(pkt_put_rr(&p1, SEC_ANSWER, owner, a_rr, sizeof(a_rr), UINT32_MAX), 0);
	ck_assert_int_eq(pkt_put_rr(&p2, SEC_ANSWER, owner, a_rr, sizeof(a_rr), UINT32_MAX), 0);
	at = p2.owner_at;
	ck_assert_int_eq(at != 0, expect_at);
	/* Something in between, as the other rrsets of a section. */
	ck_assert_int_eq(pkt_put_rr(&p1, SEC_ANSWER, mail, a_rr, sizeof(a_rr), 60), 0);
	ck_assert_int_eq(pkt_put_rr(&p2, SEC_ANSWER, mail, a_rr, sizeof(a_rr), 60), 0);
	ck_assert_int_eq(pkt_put_rr(&p1, SEC_ANSWER, owner, sig_rr, sizeof(sig_rr), 300), 0);
	if (at)
		ck_assert_int_eq(pkt_put_rr_at(&p2, SEC_ANSWER, at, sig_rr, sizeof(sig_rr), 300), 0);
	else
		ck_assert_int_eq(pkt_put_rr(&p2, SEC_ANSWER, owner, sig_rr, sizeof(sig_rr), 300), 0);
	ck_assert_uint_eq(pkt_finish(&p1), pkt_finish(&p2));
	ck_assert_mem_eq(b1, b2, p1.len);
}

START_TEST(test_owner_at_same_bytes)
{
	write_pair(NULL, 0, 1);   /* the question name: a pointer to 12 */
	write_pair(www, 0, 1);    /* the question name again, lowercase: a pointer into the question */
	write_pair(mail, 0, 1);   /* new first label, then a pointer */
	write_pair(other, 0, 1);  /* nothing in common: written in full */
	write_pair(root, 0, 0);   /* the root: one byte, no pointer */
	write_pair(other, 120, 0); /* the table full: no entry to point at */
}
END_TEST

START_TEST(test_owner_at_value)
{
	static uint8_t b[512];
	struct pkt p;

	pkt_begin(&p, b, sizeof(b), query, sizeof(query) - 12);
	ck_assert_int_eq(pkt_put_rr(&p, SEC_ANSWER, NULL, a_rr, sizeof(a_rr), UINT32_MAX), 0);
	ck_assert_uint_eq(p.owner_at, DNS_HEADER_LEN);
	ck_assert_int_eq(pkt_put_rr(&p, SEC_ANSWER, www, a_rr, sizeof(a_rr), UINT32_MAX), 0);
	ck_assert_uint_eq(p.owner_at, DNS_HEADER_LEN);
	size_t at = p.len;
	ck_assert_int_eq(pkt_put_rr(&p, SEC_ANSWER, mail, a_rr, sizeof(a_rr), UINT32_MAX), 0);
	ck_assert_uint_eq(p.owner_at, at); /* "mail" was written there */
	/* It does not fit: nothing written, the count unchanged. */
	size_t len = p.len;
	p.limit = p.len + 3;
	ck_assert_int_lt(pkt_put_rr_at(&p, SEC_ANSWER, (uint16_t)at, sig_rr, sizeof(sig_rr), UINT32_MAX), 0);
	ck_assert_uint_eq(p.len, len);
	ck_assert_uint_eq(p.count[SEC_ANSWER], 3);
}
END_TEST

Suite *suite_respond(void)
{
	Suite *s = suite_create("respond");
	TCase *tc = tcase_create("owner_at");
	tcase_add_test(tc, test_owner_at_same_bytes);
	tcase_add_test(tc, test_owner_at_value);
	suite_add_tcase(s, tc);
	return s;
}
