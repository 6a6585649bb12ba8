/* test_ixfr.c -- IXFR answers (server/xfr/ixfr.h): the client's serial from
 * the request, and the RR sequence for a client that is current, one or
 * several versions behind, or older than the journal. */
#include "config.h"
#include "tests/unit/lib.h"
#include "server/xfr/ixfr.h"
#include "server/xfr/journal.h"
#include "server/xfr/xfr_out.h"
#include "server/wire/dname.h"
#include "server/wire/rr.h"
#include "server/zone/zone.h"

#include <ldns/ldns.h>
#include <stdlib.h>
#include <string.h>

struct zone *test_diff_zone(unsigned serial, const char *body); /* test_diff.c */

static struct zone *version(int i)
{
	char body[256];
	/* Each version moves www, and version 2 adds tmp that version 3 removes. */
	snprintf(body, sizeof(body), "www 60 IN A 192.0.2.%d\n%sstay 60 IN TXT \"a\" \"b\"\nstay 60 IN TXT \"c\"\n", i + 1,
		 i == 2 ? "tmp 60 IN TXT \"t\"\n" : "");
	return test_diff_zone(100u + (unsigned)i, body);
}

/* Serials and types of the whole answer: "SOA100 A SOA101 A SOA101". */
static char *sequence(struct xfr_source *src)
{
	static char out[4096];
	struct xfr_rr rr;
	size_t used = 0;

	out[0] = 0;
	while (src->next(src->ctx, &rr)) {
		uint16_t type = wire_get16(rr.wire);
		char name[256];
		dname_to_str(rr.owner, name, sizeof(name));
		ck_assert_uint_eq(rr.wlen, rr_len(rr.wire));
		if (type == 6)
			used += (size_t)snprintf(out + used, sizeof(out) - used, "%sSOA%u", used ? " " : "",
						 wire_get32(rr.wire + rr.wlen - 20));
		else
			used += (size_t)snprintf(out + used, sizeof(out) - used, "%s%s%s", used ? " " : "",
						 type == 1 ? "A:" : "TXT:", name);
	}
	src->free(src->ctx);
	return out;
}

struct journal *test_journal_serve(const struct journal_conf *c, int n, struct zone *(*make)(int),
				   struct zone **last); /* test_journal.c */

/* The journal after serving versions 0..3; *z the last. */
static struct journal *history(struct zone **z)
{
	struct journal_conf c = { NULL, JOURNAL_MAX_SIZE_DEFAULT, JOURNAL_MAX_DEPTH_DEFAULT, JOURNAL_MAX_AGE_DEFAULT };

	return test_journal_serve(&c, 4, version, z);
}

START_TEST(test_answers)
{
	struct zone *z;
	struct journal *j = history(&z);
	struct xfr_source src;

	/* Up to date, or ahead of us: the SOA alone. */
	ck_assert_int_eq(ixfr_begin(z, j, 103, &src), IXFR_UP_TO_DATE);
	ck_assert_str_eq(sequence(&src), "SOA103");
	ck_assert_int_eq(ixfr_begin(z, j, 104, &src), IXFR_UP_TO_DATE);
	ck_assert_str_eq(sequence(&src), "SOA103");
	/* One version behind: that step. */
	ck_assert_int_eq(ixfr_begin(z, j, 102, &src), IXFR_DIFF);
	ck_assert_str_eq(sequence(&src), "SOA103 SOA102 TXT:tmp.t.test. A:www.t.test. SOA103 A:www.t.test. SOA103");
	/* Three behind: one condensed step, tmp (added then removed) nowhere. */
	ck_assert_int_eq(ixfr_begin(z, j, 100, &src), IXFR_DIFF);
	ck_assert_str_eq(sequence(&src), "SOA103 SOA100 A:www.t.test. SOA103 A:www.t.test. SOA103");
	/* Not a version we served, or no journal: the whole zone. */
	ck_assert_int_eq(ixfr_begin(z, j, 99, &src), IXFR_FULL);
	ck_assert_int_eq(ixfr_begin(z, j, 42, &src), IXFR_FULL);
	ck_assert_int_eq(ixfr_begin(z, NULL, 102, &src), IXFR_FULL);
	/* The source keeps its journal: dropping ours first is fine. */
	ck_assert_int_eq(ixfr_begin(z, j, 101, &src), IXFR_DIFF);
	journal_unref(j);
	ck_assert_str_eq(sequence(&src), "SOA103 SOA101 A:www.t.test. SOA103 A:www.t.test. SOA103");
	zone_free(z);
}
END_TEST

START_TEST(test_bigger_than_zone)
{
	/* The step deletes more than the new zone holds (3 records): the
	 * zone is the shorter answer and is sent instead. */
	struct journal_conf c = { NULL, JOURNAL_MAX_SIZE_DEFAULT, JOURNAL_MAX_DEPTH_DEFAULT, JOURNAL_MAX_AGE_DEFAULT };
	struct zone *a = test_diff_zone(1, "a 60 IN A 192.0.2.1\nb 60 IN A 192.0.2.2\nc 60 IN A 192.0.2.3\n");
	struct zone *b = test_diff_zone(2, "");
	struct journal *j, *nj;
	struct xfr_source src;

	ck_assert_int_eq(journal_open(&c, a, &j), 0);
	ck_assert_int_eq(journal_next(&c, j, a, b, &nj), 0);
	ck_assert_uint_eq(nj->n, 1);
	ck_assert_int_eq(ixfr_begin(b, nj, 1, &src), IXFR_FULL); /* 4 + 1 RRs against 3 */
	journal_unref(j);
	journal_unref(nj);
	zone_free(a);
	zone_free(b);
}
END_TEST

/* A request as dig sends it: "dig ixfr=serial zone". */
static size_t request(uint32_t serial, uint8_t *buf, size_t cap, int with_soa)
{
	ldns_pkt *p = ldns_pkt_query_new(ldns_dname_new_frm_str("t.test."), LDNS_RR_TYPE_IXFR, LDNS_RR_CLASS_IN, 0);
	uint8_t *wire;
	size_t len;
	char soa[128];

	if (with_soa) {
		ldns_rr *rr;
		snprintf(soa, sizeof(soa), "t.test. 0 IN SOA . . %u 0 0 0 0", serial);
		ck_assert_int_eq(ldns_rr_new_frm_str(&rr, soa, 0, NULL, NULL), LDNS_STATUS_OK);
		ldns_pkt_push_rr(p, LDNS_SECTION_AUTHORITY, rr);
	}
	ck_assert_int_eq(ldns_pkt2wire(&wire, p, &len), LDNS_STATUS_OK);
	ck_assert_uint_le(len, cap);
	memcpy(buf, wire, len);
	free(wire);
	ldns_pkt_free(p);
	return len;
}

START_TEST(test_client_serial)
{
	uint8_t q[512];
	size_t qlen = request(2024010101u, q, sizeof(q), 1);
	size_t question = 8 + 4; /* \1t\4test\0 + type + class */
	uint32_t serial = 0;

	ck_assert_int_eq(ixfr_client_serial(q, qlen, question, &serial), 0);
	ck_assert_uint_eq(serial, 2024010101u);
	/* Cut anywhere inside the SOA: FORMERR, never a read past the end. */
	for (size_t cut = 12 + question; cut < qlen; cut++)
		ck_assert_int_eq(ixfr_client_serial(q, cut, question, &serial), -1);
	/* No SOA at all (RFC 1995 3 requires it). */
	qlen = request(0, q, sizeof(q), 0);
	ck_assert_int_eq(ixfr_client_serial(q, qlen, question, &serial), -1);
}
END_TEST

Suite *suite_ixfr(void)
{
	Suite *s = suite_create("ixfr");
	TCase *t = tcase_create("ixfr");

	tcase_add_test(t, test_answers);
	tcase_add_test(t, test_bigger_than_zone);
	tcase_add_test(t, test_client_serial);
	suite_add_tcase(s, t);
	return s;
}
