/* test_zonefast.c -- the zone loader's fast path against ldns, differentially:
 * every entry goes through both zonefast_parse() and ldns_rr_new_frm_str() +
 * ldns_rr_rdata2buffer_wire(), and whenever the fast path accepts an entry,
 * owner, type, TTL, rdata and the carried-over "previous owner" must be
 * byte-identical to ldns's. Sources of entries: a hand-written table of every
 * form (with must-accept / must-decline marks, so that a fast path which
 * declines everything fails too), a seeded random generator of valid and
 * mutated entries, every zone file in tests/data/zones/ and zones/, and a
 * synthetic zone with bench/gen-zone's mix (timed against ldns).
 *
 * STEER_ZONEFAST_BENCH=FILE additionally times a whole master file (e.g.
 * `bench/gen-zone -n 1000000`) through both paths and compares every record. */
#include "config.h"
#include "tests/unit/lib.h"
#include "server/zone/load/zonefast.h"
#include "common/errors.h"

#include <ldns/ldns.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* --- the two paths side by side ------------------------------------------- */


struct diff {
	struct zonefast_state st;
	ldns_rdf *origin, *prev; /* ldns's view, kept like reader.c keeps it */
	uint32_t default_ttl;
	ldns_buffer *buf;
	struct zonefast_rr *rr;
	char *copy;
	size_t copycap;
	unsigned accepted, declined, ldns_ok;
};

static void diff_set_origin(struct diff *d, const char *name)
{
	ldns_rdf *o = ldns_dname_new_frm_str(name);
	ck_assert_msg(o != NULL, "bad origin %s", name);
	if (!ldns_dname_str_absolute(name) && d->origin) {
		ldns_rdf *abs = ldns_dname_cat_clone(o, d->origin);
		ldns_rdf_deep_free(o);
		o = abs;
	}
	ldns_rdf_deep_free(d->origin);
	d->origin = o;
	ck_assert_int_eq(zonefast_set_origin(&d->st, ldns_rdf_data(o), ldns_rdf_size(o)), 0);
}

static void diff_init(struct diff *d, const char *origin)
{
	memset(d, 0, sizeof(*d));
	zonefast_init(&d->st);
	d->default_ttl = 3600;
	d->buf = ldns_buffer_new(65536);
	d->rr = malloc(sizeof(*d->rr));
	ck_assert_ptr_nonnull(d->buf);
	ck_assert_ptr_nonnull(d->rr);
	diff_set_origin(d, origin);
}

static void diff_clear(struct diff *d)
{
	ldns_rdf_deep_free(d->origin);
	ldns_rdf_deep_free(d->prev);
	ldns_buffer_free(d->buf);
	free(d->rr);
	free(d->copy);
}

static void hex(const uint8_t *p, size_t n, char *out, size_t size)
{
	size_t k = 0;
	out[0] = '\0';
	for (size_t i = 0; i < n && k + 3 < size; i++, k += 2)
		snprintf(out + k, size - k, "%02x", p[i]);
}

static void expect_same(const char *what, const char *entry, const uint8_t *fast, size_t flen, const uint8_t *ref,
			size_t rlen)
{
	char a[512], b[512];
	if (flen == rlen && memcmp(fast, ref, flen) == 0)
		return;
	hex(fast, flen, a, sizeof(a));
	hex(ref, rlen, b, sizeof(b));
	ck_abort_msg("entry '%s': %s differs: fast %s, ldns %s", entry, what, a, b);
}

/* Feed one entry to both paths. Returns zonefast_parse()'s result. */
static int diff_entry(struct diff *d, const char *entry)
{
	size_t n = strlen(entry) + 1;
	ldns_rr *rr = NULL;
	ldns_status s;
	int fast;

	if (n > d->copycap) {
		d->copy = realloc(d->copy, n);
		d->copycap = n;
		ck_assert_ptr_nonnull(d->copy);
	}
	memcpy(d->copy, entry, n);
	zonefast_normalize_class_ttl(d->copy);
	s = ldns_rr_new_frm_str(&rr, d->copy, d->default_ttl, d->origin, &d->prev);
	fast = zonefast_parse(entry, d->default_ttl, &d->st, d->rr);
	ck_assert_msg(fast == 0 || fast == 1, "entry '%s': result %d", entry, fast);
	if (s == LDNS_STATUS_OK)
		d->ldns_ok++;
	if (fast == 1) {
		d->accepted++;
		ck_assert_msg(s == LDNS_STATUS_OK, "entry '%s': accepted, but ldns says %s", entry,
			      ldns_get_errorstr_by_id(s));
		ck_assert_msg(ldns_rr_get_class(rr) == LDNS_RR_CLASS_IN, "entry '%s': ldns class %d", entry,
			      ldns_rr_get_class(rr));
		ldns_rdf *o = ldns_rr_owner(rr);
		expect_same("owner", entry, d->rr->owner, d->rr->ownerlen, ldns_rdf_data(o), ldns_rdf_size(o));
		ck_assert_msg(d->rr->type == ldns_rr_get_type(rr), "entry '%s': type %u, ldns %u", entry, d->rr->type,
			      ldns_rr_get_type(rr));
		ck_assert_msg(d->rr->ttl == ldns_rr_ttl(rr), "entry '%s': ttl %u, ldns %u", entry, d->rr->ttl,
			      ldns_rr_ttl(rr));
		ldns_buffer_clear(d->buf);
		ck_assert_int_eq(ldns_rr_rdata2buffer_wire(d->buf, rr), LDNS_STATUS_OK);
		expect_same("rdata", entry, d->rr->rdata, d->rr->rdlen, ldns_buffer_begin(d->buf),
			    ldns_buffer_position(d->buf));
		if (!d->prev) { /* blank owner before any named one */
			ck_assert_msg(!d->st.have_prev, "entry '%s': ldns has no previous owner", entry);
		} else {
			ck_assert_msg(d->st.have_prev, "entry '%s': previous owner unset", entry);
			expect_same("previous owner", entry, d->st.prev_owner, d->st.prevlen, ldns_rdf_data(d->prev),
			    ldns_rdf_size(d->prev));
		}
	} else {
		/* What reader.c does after an ldns call: hand over ldns's prev
		 * (it may be over 255 bytes after a bad entry: then refused). */
		d->declined++;
		if (d->prev) {
			int r = zonefast_set_prev(&d->st, ldns_rdf_data(d->prev), ldns_rdf_size(d->prev));
			ck_assert_int_eq(r, ldns_rdf_size(d->prev) <= 255 ? 0 : STEER_EINVAL);
		}
	}
	ldns_rr_free(rr);
	return fast;
}

/* "$ORIGIN x" and "$TTL n" for the table and the files; others ignored. */
static int diff_directive(struct diff *d, const char *e)
{
	char kw[16], arg[512];
	if (e[0] != '$')
		return 0;
	if (sscanf(e, "%15s %511s", kw, arg) == 2) {
		if (!strcasecmp(kw, "$ORIGIN"))
			diff_set_origin(d, arg);
		else if (!strcasecmp(kw, "$TTL"))
			d->default_ttl = ldns_str2period(arg, &(const char *){ NULL });
	}
	return 1;
}

/* --- the table ------------------------------------------------------------ */

#define L63 "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij012"
#define L49 "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghi"
#define S255                                                                                                   \
	"0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789" \
	"0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789" \
	"0123456789012345678901234567890123456789012345678901234"

/* 'Y' must be accepted, 'N' must be declined, '?' either (still compared). */
static const struct {
	char expect;
	const char *entry;
} table[] = {
	/* owners, TTLs, classes in both orders */
	{ 'Y', "www 300 IN A 192.0.2.1" },
	{ 'Y', "www IN 300 A 192.0.2.1" },
	{ 'Y', "www\tIN\t300\tA\t192.0.2.1" },
	{ 'Y', "www A 192.0.2.1" },
	{ 'Y', "www IN A 192.0.2.1" },
	{ 'Y', "www in a 192.0.2.1" },
	{ 'Y', "www 300 A 192.0.2.1" },
	{ 'Y', "www.example.com. A 192.0.2.1" },
	{ 'Y', "WwW.ExAmple.COM. a 192.0.2.1" },
	{ 'Y', "MiXed A 192.0.2.1" },
	{ 'Y', " A 192.0.2.2" },
	{ 'Y', "\t\tAAAA 2001:db8::1" },
	{ 'Y', " 60 IN A 192.0.2.3" },
	{ 'Y', " IN 60 A 192.0.2.3" },
	{ 'Y', "@ A 192.0.2.1" },
	{ 'Y', " A 192.0.2.4" },
	{ 'Y', "y A 192.0.2.1" },
	{ 'Y', "@ 60 A 192.0.2.1" },
	{ 'Y', "\tA 192.0.2.5" },
	{ 'Y', ". A 192.0.2.1" },
	{ 'Y', "* A 192.0.2.1" },
	{ 'Y', "*.wild A 192.0.2.1" },
	{ 'Y', "_dmarc TXT \"v=DMARC1\"" },
	{ 'Y', "a-b_c A 192.0.2.1" },
	{ 'Y', "xn--bcher-kva A 192.0.2.1" },
	{ 'Y', "123 A 192.0.2.1" },
	{ 'Y', "1.2.3 A 192.0.2.1" },
	{ '?', "a/b A 192.0.2.1" },
	{ '?', "a$b A 192.0.2.1" },
	{ '?', "a,b*c A 192.0.2.1" },
	{ 'Y', "x 1h30m A 1.2.3.4" },
	{ 'Y', "x 1w A 1.2.3.4" },
	{ 'Y', "x 2D A 1.2.3.4" },
	{ 'Y', "x 90s A 1.2.3.4" },
	{ 'Y', "x 1H IN A 1.2.3.4" },
	{ 'Y', "x IN 1h30M A 1.2.3.4" },
	{ 'Y', "x 0 A 1.2.3.4" },
	{ 'Y', "x 4294967295 A 1.2.3.4" },
	{ 'Y', "x 1h30 A 1.2.3.4" },
	{ 'Y', "x 1d2h3m4s A 1.2.3.4" },
	{ 'Y', "x 1w1w A 1.2.3.4" },
	{ 'Y', "x 0060 A 1.2.3.4" },
	{ 'N', "x 4294967296 A 1.2.3.4" },
	{ 'N', "x 9999999w A 1.2.3.4" },
	{ 'N', "x 60x A 1.2.3.4" },
	{ 'N', "x 00000000000000000060 A 1.2.3.4" },
	{ 'N', "x IN                                                                     60 A 1.2.3.4" },
	{ 'N', "x CH A 1.2.3.4" },
	{ 'N', "x 60 CH TXT a" },
	{ 'N', "x HS 60 A 1.2.3.4" },
	{ 'N', "x CLASS1 A 1.2.3.4" },
	{ 'N', "x IN IN A 1.2.3.4" },
	{ 'N', "x IN 60 IN A 1.2.3.4" },
	{ 'N', "x TYPE1 1.2.3.4" },
	{ 'N', "x CLASS1 TYPE1 \\# 4 01020304" },
	{ 'N', "$ORIGINAL x" },
	/* previous-owner bookkeeping across declined entries */
	{ 'Y', "first A 1.2.3.4" },
	{ 'Y', " A 1.2.3.5" },
	{ 'N', "second CH A 1.2.3.4" },
	{ 'Y', " A 1.2.3.6" },
	{ 'N', "third A 999.1.1.1" },
	{ 'Y', " A 1.1.1.1" },
	{ 'N', "fourth HINFO a b" },
	{ 'Y', "\tTXT fourth-owner" },
	/* A and AAAA */
	{ 'N', "x A 1.2.3" },
	{ 'N', "x A 01.2.3.4" },
	{ 'N', "x A 1.2.3.4.5" },
	{ 'N', "x A 256.1.1.1" },
	{ 'N', "x A 1.2.3.4 5" },
	{ 'N', "x A 1.2.3.4 " },
	{ 'N', "x A ::1" },
	{ 'N', "x A" },
	{ 'N', "x" },
	{ 'Y', "x A 0.0.0.0" },
	{ 'Y', "x A 255.255.255.255" },
	{ 'Y', "x AAAA ::" },
	{ 'Y', "x aaaa ::1" },
	{ 'Y', "x AAAA ::ffff:1.2.3.4" },
	{ 'Y', "x AAAA 2001:DB8::A" },
	{ 'Y', "x AAAA 2001:0db8:0000:0000:0000:0000:0000:0001" },
	{ 'N', "x AAAA 1.2.3.4" },
	{ 'N', "x AAAA 2001:db8:::1" },
	{ 'N', "x AAAA 2001:db8::1%eth0" },
	/* names in rdata */
	{ 'Y', "x NS ns1" },
	{ 'Y', "x NS ns1.other.net." },
	{ 'Y', "x NS NS1.Other.NET." },
	{ 'Y', "x NS @" },
	{ 'Y', "x NS ." },
	{ 'Y', "x CNAME a.b.c" },
	{ 'Y', "x cname y" },
	{ 'Y', "x PTR host.example." },
	{ 'Y', "x DNAME target.example." },
	{ 'N', "x NS a..b" },
	{ 'N', "x NS .a" },
	{ 'N', "x NS ns1 extra" },
	{ 'N', "x NS" },
	{ 'N', "x NS @.x" },
	{ 'N', "x NS a@b" },
	{ 'N', "@.x A 1.2.3.4" },
	{ 'N', "x NS a\\.b" },
	{ 'N', "x NS \"quoted\"" },
	/* MX and SRV */
	{ 'Y', "x MX 10 mail" },
	{ 'Y', "x Mx 0 ." },
	{ 'Y', "x MX 65535 mail.example.net." },
	{ 'Y', "x MX 010 mail" },
	{ 'Y', "x MX 1\t\tmail" },
	{ 'N', "x MX 65536 mail" },
	{ 'N', "x MX -1 mail" },
	{ 'N', "x MX +5 mail" },
	{ 'N', "x MX 10" },
	{ 'N', "x MX mail 10" },
	{ 'N', "x MX 10 mail more" },
	{ 'Y', "_sip._tcp SRV 10 20 5060 sip" },
	{ 'Y', "_sip._tcp srv 0 0 0 ." },
	{ 'Y', "_sip._tcp SRV 65535 65535 65535 sip.example.org." },
	{ 'N', "x SRV 1 2 mail" },
	{ 'N', "x SRV 1 2 3" },
	/* TXT */
	{ 'Y', "x TXT \"hello world\"" },
	{ 'Y', "x TXT \"a\" \"b\"" },
	{ 'Y', "x TXT \"a\"   \"b\"" },
	{ '?', "x TXT \"a\"\t\"b\"" },
	{ '?', "x TXT \"a\" \t \"b\"" },
	{ 'Y', "x TXT word" },
	{ 'Y', "x TXT two words" },
	{ 'Y', "x txt \"\"" },
	{ 'Y', "x TXT \"\" \"\"" },
	{ 'Y', "x TXT \"v=spf1 ip4:10.0.0.0/24 -all\"" },
	{ 'Y', "x TXT mixed \"quoted part\" word" },
	{ '?', "x TXT \"tab\tinside\"" },
	{ 'Y', "x TXT \"@ $ * . , = ' ` ~\"" },
	{ '?', "x TXT \"caf\xc3\xa9\"" },
	{ '?', "x TXT caf\xc3\xa9" },
	{ 'Y', "x TXT \"" S255 "\"" },
	{ 'Y', "x TXT " S255 },
	{ 'N', "x TXT \"" S255 "5\"" },
	{ 'N', "x TXT " S255 "5" },
	{ 'N', "x TXT \"a\"\"b\"" },
	{ 'N', "x TXT ab\"c\"" },
	{ 'N', "x TXT \"unterminated" },
	{ 'N', "x TXT \"semi;colon\"" },
	{ 'N', "x TXT \"paren(\"" },
	{ 'N', "x TXT \"esc\\\"q\"" },
	{ 'N', "x TXT \"\\065\"" },
	{ 'N', "x TXT" },
	{ 'N', "x TXT \\# 3 616263" },
	{ 'N', "x TXT \"line\nbreak\"" },
	{ 'N', "x TXT \"cr\r\"" },
	/* other types go to ldns */
	{ 'N', "x HINFO a b" },
	{ 'N', "x SOA ns1 host 1 2 3 4 5" },
	{ 'N', "x CAA 0 issue \"ca.example\"" },
	{ 'N', "x TYPE65226 \\# 3 414243" },
	{ 'N', "x SPF \"v=spf1\"" },
	/* name lengths: a 63-byte label, 64 bytes, 255 and 256 in all */
	{ 'Y', L63 " A 1.2.3.4" },
	{ 'N', L63 "x A 1.2.3.4" },
	{ 'Y', "x NS " L63 "." L63 "." L63 "." L49 "ab12345678ab." },
	{ 'N', "x NS " L63 "." L63 "." L63 "." L49 "ab123456789ab." },
	{ 'N', "x NS " L63 "." L63 "." L63 "." L63 "." },
	{ 'Y', "x NS " L63 "." L63 "." L63 "." L49 },
	{ 'N', "x NS " L63 "." L63 "." L63 "." L49 "5" },
	{ 'Y', L63 "." L63 "." L63 "." L49 " A 1.2.3.4" },
	{ 'N', L63 "." L63 "." L63 "." L49 "5 A 1.2.3.4" },
	{ 'N', "x A 1.2.3.4\x7f" },
	{ 'N', "x\x01 A 1.2.3.4" },
	{ 'N', "caf\xc3\xa9 A 1.2.3.4" },
	/* $TTL 0 means ldns's 3600; a relative $ORIGIN */
	{ '$', "$TTL 0" },
	{ 'Y', "z A 1.2.3.4" },
	{ 'Y', "z 0 A 1.2.3.4" },
	{ '$', "$TTL 1d" },
	{ '$', "$ORIGIN Sub" },
	{ 'Y', "z A 1.2.3.4" },
	{ 'Y', "@ NS z" },
	{ 'Y', " MX 5 @" },
	{ '$', "$ORIGIN other.test." },
	{ 'Y', " A 1.2.3.4" },
	{ 'Y', "q CNAME r" },
};

START_TEST(test_table)
{
	struct diff d;

	diff_init(&d, "example.com.");
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		if (table[i].expect == '$') {
			ck_assert(diff_directive(&d, table[i].entry));
			continue;
		}
		int r = diff_entry(&d, table[i].entry);
		if (table[i].expect == 'Y')
			ck_assert_msg(r == 1, "entry '%s' declined, expected accepted", table[i].entry);
		else if (table[i].expect == 'N')
			ck_assert_msg(r == 0, "entry '%s' accepted, expected declined", table[i].entry);
	}
	diff_clear(&d);
}
END_TEST

/* A long origin: relative names near 255 bytes only with it. */
START_TEST(test_long_origin)
{
	struct diff d;

	diff_init(&d, L63 "." L63 "." L63 ".Example.");
	ck_assert_int_eq(diff_entry(&d, "x A 1.2.3.4"), 1);
	/* the origin takes 201 bytes: one relative label of up to 53 */
	ck_assert_int_eq(diff_entry(&d, "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabc A 1.2.3.4"), 1);
	ck_assert_int_eq(diff_entry(&d, "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcd A 1.2.3.4"), 0);
	/* ldns now holds a 256-byte previous owner: blank owners go to ldns */
	ck_assert_ptr_nonnull(d.prev);
	ck_assert_uint_eq(ldns_rdf_size(d.prev), 256);
	ck_assert_int_eq(diff_entry(&d, " A 1.2.3.4"), 0);
	ck_assert_int_eq(diff_entry(&d, "y A 1.2.3.4"), 1);
	ck_assert_int_eq(diff_entry(&d, " A 1.2.3.4"), 1);
	ck_assert_int_eq(diff_entry(&d, "x NS ab.abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijz"), 0);
	ck_assert_int_eq(diff_entry(&d, "x NS ab.abcdefghijabcdefghijabcdefghijabcdefghijabcdefghij"), 1);
	ck_assert_int_eq(diff_entry(&d, " CNAME @"), 1);
	diff_clear(&d);
}
END_TEST

/* Nothing is accepted before an origin is known, and the setters check. */
START_TEST(test_state)
{
	struct zonefast_state st;
	struct zonefast_rr *rr = malloc(sizeof(*rr));

	ck_assert_ptr_nonnull(rr);
	zonefast_init(&st);
	ck_assert_int_eq(zonefast_parse("x A 1.2.3.4", 0, &st, rr), 0);
	ck_assert_int_lt(zonefast_set_origin(&st, (const uint8_t *)"", 0), 0);
	ck_assert_int_eq(zonefast_set_origin(&st, (const uint8_t *)"\1t\0", 3), 0);
	ck_assert_int_eq(zonefast_parse(" A 1.2.3.4", 0, &st, rr), 1);
	ck_assert_mem_eq(rr->owner, "\1t\0", 3); /* blank, no prev: the origin */
	ck_assert_int_lt(zonefast_set_prev(&st, (const uint8_t *)"", 256), 0);
	ck_assert_int_eq(zonefast_parse(" A 1.2.3.4", 0, &st, rr), 0);
	ck_assert_int_eq(zonefast_parse("x A 1.2.3.4", 0, &st, rr), 1);
	ck_assert_int_lt(zonefast_set_origin(&st, (const uint8_t *)"", 256), 0);
	ck_assert_int_eq(zonefast_parse("x A 1.2.3.4", 0, &st, rr), 0);
	ck_assert_int_eq(zonefast_set_origin(&st, (const uint8_t *)"\1t\0", 3), 0);
	ck_assert_int_eq(zonefast_set_prev(&st, (const uint8_t *)"\1p\1t\0", 5), 0);
	ck_assert_int_eq(zonefast_parse(" A 1.2.3.4", 0, &st, rr), 1);
	ck_assert_uint_eq(rr->ownerlen, 5);
	ck_assert_mem_eq(rr->owner, "\1p\1t\0", 5);
	ck_assert_uint_eq(rr->ttl, 3600);
	free(rr);
}
END_TEST

/* --- random entries ------------------------------------------------------- */

static uint64_t rng_state;

static uint32_t rnd(uint32_t n)
{
	rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return (uint32_t)(rng_state >> 33) % n;
}

static const char *pick(const char *const *v, size_t n)
{
	return v[rnd((uint32_t)n)];
}
#define PICK(v) pick(v, sizeof(v) / sizeof(v[0]))

static void gen_label(char *out, size_t size)
{
	static const char cs[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_*";
	size_t n = 1 + rnd(rnd(8) == 0 ? 63 : 10);
	for (size_t i = 0; i < n && i + 1 < size; i++)
		out[i] = cs[rnd(sizeof(cs) - 1)];
	out[n < size ? n : size - 1] = '\0';
}

static void gen_name(char *out, size_t size)
{
	static const char *const fixed[] = { "@", ".", "ns1", "mail.example.net.", "a.b.c" };
	char lab[64];
	if (rnd(5) == 0) {
		snprintf(out, size, "%s", PICK(fixed));
		return;
	}
	out[0] = '\0';
	for (uint32_t i = 0, n = 1 + rnd(4); i < n; i++) {
		gen_label(lab, sizeof(lab));
		strncat(out, lab, size - strlen(out) - 2);
		if (i + 1 < n)
			strcat(out, ".");
	}
	if (rnd(2))
		strcat(out, ".");
}

static void gen_rdata(char *out, size_t size, const char **type)
{
	static const char *const sep[] = { " ", "\t", "  ", " \t" };
	char name[300];
	switch (rnd(8)) {
	case 0:
		*type = "A";
		snprintf(out, size, "%u.%u.%u.%u", rnd(300), rnd(256), rnd(256), rnd(256));
		break;
	case 1:
		*type = "AAAA";
		snprintf(out, size, "2001:db8:%x::%x", rnd(70000), rnd(65536));
		break;
	case 2:
		*type = rnd(2) ? "NS" : rnd(2) ? "CNAME" : rnd(2) ? "PTR" : "DNAME";
		gen_name(out, size);
		break;
	case 3:
		*type = "MX";
		gen_name(name, sizeof(name));
		snprintf(out, size, "%u%s%s", rnd(70000), PICK(sep), name);
		break;
	case 4:
		*type = "SRV";
		gen_name(name, sizeof(name));
		snprintf(out, size, "%u %u%s%u %s", rnd(100), rnd(100), PICK(sep), rnd(70000), name);
		break;
	default: {
		static const char *const words[] = { "\"v=spf1 -all\"", "word", "\"\"", "\"two words\"",
						     "\"k=v; p=x\"", "\"a\"\"b\"", "\"tab\there\"", "x=y" };
		*type = "TXT";
		out[0] = '\0';
		for (uint32_t i = 0, n = 1 + rnd(4); i < n; i++) {
			if (i)
				strncat(out, PICK(sep), size - strlen(out) - 1);
			strncat(out, PICK(words), size - strlen(out) - 1);
		}
	}
	}
}

static void gen_entry(char *out, size_t size)
{
	static const char *const ttls[] = { "", "60", "1h", "1h30m", "2D", "1w", "90s", "0", "4294967295", "3m3" };
	static const char *const sep[] = { " ", "\t", "  ", " \t" };
	char owner[300], rdata[1200];
	const char *type, *ttl = PICK(ttls), *cls = rnd(3) ? "" : rnd(2) ? "IN" : "in";
	char mid[64];

	if (rnd(4) == 0)
		owner[0] = '\0';
	else
		gen_name(owner, sizeof(owner));
	gen_rdata(rdata, sizeof(rdata), &type);
	if (rnd(2))
		snprintf(mid, sizeof(mid), "%s%s%s%s", ttl, *ttl ? PICK(sep) : "", cls, *cls ? PICK(sep) : "");
	else
		snprintf(mid, sizeof(mid), "%s%s%s%s", cls, *cls ? PICK(sep) : "", ttl, *ttl ? PICK(sep) : "");
	snprintf(out, size, "%s%s%s%s%s%s", owner, owner[0] ? PICK(sep) : PICK(sep), mid,
		 rnd(8) ? type : "txt", PICK(sep), rdata); /* "txt": mismatched rdata too */
}

/* Small edits that keep quotes and parentheses balanced enough for ldns. */
static void mutate(char *e, size_t size)
{
	static const char cs[] = "a.Z9@*-_\" \t$/:%;x\x80";
	size_t n = strlen(e);
	if (n == 0)
		return;
	size_t at = rnd((uint32_t)n);
	switch (rnd(4)) {
	case 0: /* delete */
		memmove(e + at, e + at + 1, n - at);
		break;
	case 1: /* insert */
		if (n + 2 < size) {
			memmove(e + at + 1, e + at, n - at + 1);
			e[at] = cs[rnd(sizeof(cs) - 1)];
		}
		break;
	case 2: /* replace */
		e[at] = cs[rnd(sizeof(cs) - 1)];
		break;
	default: /* truncate */
		e[at] = '\0';
	}
}

START_TEST(test_random)
{
	struct diff d;
	char e[1600];
	unsigned plain = 0, plain_ok = 0;

	rng_state = 0x5eed2024u;
	diff_init(&d, "Example.COM.");
	for (int i = 0; i < 6000; i++) {
		gen_entry(e, sizeof(e));
		int mutated = rnd(3) == 0;
		for (uint32_t m = 0, k = 1 + rnd(3); mutated && m < k; m++)
			mutate(e, sizeof(e));
		int r = diff_entry(&d, e);
		if (!mutated) {
			plain++;
			plain_ok += (unsigned)r;
		}
		if (i == 3000)
			diff_set_origin(&d, "sub.example.org.");
	}
	fprintf(stderr, "zonefast: random: 6000 entries, %u fast, %u ldns ok; %u of %u unmutated fast\n", d.accepted,
		d.ldns_ok, plain_ok, plain);
	/* Most unmutated entries are plain enough for the fast path. */
	ck_assert_msg(plain_ok * 10 >= plain * 6, "fast path took only %u of %u unmutated entries", plain_ok, plain);
	diff_clear(&d);
}
END_TEST

/* --- master files --------------------------------------------------------- */

/* The logical-entry splitting of reader.c, reduced to what the test zones
 * use: comments, parentheses, quotes (kept with their backslashes). */
static int next_entry(FILE *f, char *e, size_t size)
{
	int depth = 0, quoted = 0, c, have = 0;
	size_t len = 0;

	while ((c = getc_unlocked(f)) != EOF) {
		if (len + 3 >= size)
			return -1;
		if (!have && c != '\n' && c != ' ' && c != '\t' && c != '\r' && c != ';')
			have = 1;
		if (quoted || c == '\\') {
			if (c == '\\') {
				e[len++] = (char)c;
				if ((c = getc_unlocked(f)) == EOF)
					break;
			} else if (c == '"') {
				quoted = 0;
			}
			e[len++] = (char)c;
			continue;
		}
		if (c == ';') {
			while ((c = getc_unlocked(f)) != EOF && c != '\n')
				;
			if (c == EOF)
				break;
		}
		if (c == '"')
			quoted = 1;
		else if (c == '(' || c == ')')
			depth += c == '(' ? 1 : -1, c = ' ';
		if (c == '\n') {
			if (depth == 0) {
				if (have)
					break;
				len = 0;
				continue;
			}
			c = ' ';
		}
		e[len++] = (char)(c == '\r' ? ' ' : c);
	}
	while (len > 0 && (e[len - 1] == ' ' || e[len - 1] == '\t'))
		len--;
	e[len] = '\0';
	return have;
}

/* Diff every record of path; $INCLUDE files with their own state, like the
 * loader. Returns how many records the fast path took. */
static unsigned diff_file(const char *path, const char *origin, unsigned *total)
{
	FILE *f = fopen(path, "r");
	static char e[70000];
	struct diff d;
	unsigned got;

	ck_assert_msg(f != NULL, "cannot open %s", path);
	diff_init(&d, origin);
	while (next_entry(f, e, sizeof(e)) > 0) {
		char kw[16], inc[512], incorigin[512], dir[512], *slash;
		if (!strncasecmp(e, "$INCLUDE", 8)) {
			int n = sscanf(e, "%15s %511s %511s", kw, inc, incorigin);
			ck_assert_int_ge(n, 2);
			snprintf(dir, sizeof(dir), "%s", path);
			slash = strrchr(dir, '/');
			if (slash)
				*slash = '\0';
			char sub[1100];
			snprintf(sub, sizeof(sub), "%s/%s", dir, inc);
			/* an included file starts with the given origin or ours */
			char *cur = ldns_rdf2str(d.origin);
			unsigned sub_total = 0;
			unsigned sub_got = diff_file(sub, n >= 3 ? incorigin : cur, &sub_total);
			free(cur);
			*total += sub_total;
			d.accepted += sub_got;
			continue;
		}
		if (diff_directive(&d, e))
			continue;
		diff_entry(&d, e);
		(*total)++;
	}
	fclose(f);
	got = d.accepted;
	diff_clear(&d);
	return got;
}

START_TEST(test_zone_files)
{
	static const struct {
		const char *dir, *file, *origin;
	} files[] = {
		{ "data", "zones/example.org.zone", "example.org." },
		{ "data", "zones/child.example.org.zone", "child.example.org." },
		{ "data", "zones/order.example.net.zone", "order.example.net." },
		{ "data", "zones/types.example.net.zone", "types.example.net." },
		{ "top", "zones/example.com.zone", "example.com." },
		{ "top", "zones/dev.example.com.zone", "dev.example.com." },
		{ "top", "zones/113.0.203.in-addr.arpa.zone", "113.0.203.in-addr.arpa." },
	};
	unsigned all = 0, fast = 0;

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char path[1200], top[1024];
		snprintf(top, sizeof(top), "%s", test_data_dir());
		char *t = strstr(top, "/tests/data");
		if (t)
			*t = '\0';
		snprintf(path, sizeof(path), "%s/%s", files[i].dir[0] == 'd' ? test_data_dir() : top, files[i].file);
		unsigned n = 0, got = diff_file(path, files[i].origin, &n);
		ck_assert_msg(n > 0 && got > 0, "%s: %u records, %u fast", path, n, got);
		all += n;
		fast += got;
	}
	fprintf(stderr, "zonefast: zone files: %u of %u records on the fast path\n", fast, all);
}
END_TEST

/* --- timing --------------------------------------------------------------- */

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct entries {
	char **v;
	size_t n, cap;
};

static void entries_add(struct entries *es, const char *e)
{
	if (es->n == es->cap) {
		es->cap = es->cap ? es->cap * 2 : 4096;
		es->v = realloc(es->v, es->cap * sizeof(*es->v));
		ck_assert_ptr_nonnull(es->v);
	}
	es->v[es->n] = strdup(e);
	ck_assert_ptr_nonnull(es->v[es->n]);
	es->n++;
}

static void entries_free(struct entries *es)
{
	for (size_t i = 0; i < es->n; i++)
		free(es->v[i]);
	free(es->v);
}

/* Time both paths over entries (directives: $ORIGIN/$TTL only), as the
 * loader would run them (zonefast first, ldns for the rest), then compare
 * every record. */
static void bench_entries(const char *label, struct entries *es, const char *origin)
{
	struct diff d;
	double t0, t_fast, t_ldns;
	size_t recs = 0, fast = 0;

	/* ldns alone: parse + wire conversion + owner copy */
	diff_init(&d, origin);
	t0 = now_s();
	for (size_t i = 0; i < es->n; i++) {
		ldns_rr *rr = NULL;
		if (diff_directive(&d, es->v[i]))
			continue;
		zonefast_normalize_class_ttl(es->v[i]);
		if (ldns_rr_new_frm_str(&rr, es->v[i], d.default_ttl, d.origin, &d.prev) == LDNS_STATUS_OK) {
			ldns_buffer_clear(d.buf);
			ldns_rr_rdata2buffer_wire(d.buf, rr);
			memcpy(d.rr->owner, ldns_rdf_data(ldns_rr_owner(rr)), ldns_rdf_size(ldns_rr_owner(rr)));
		}
		ldns_rr_free(rr);
		recs++;
	}
	t_ldns = now_s() - t0;
	diff_clear(&d);

	/* fast path, ldns for what it declines (with the prev hand-over) */
	diff_init(&d, origin);
	t0 = now_s();
	for (size_t i = 0; i < es->n; i++) {
		ldns_rr *rr = NULL;
		if (diff_directive(&d, es->v[i]))
			continue;
		if (zonefast_parse(es->v[i], d.default_ttl, &d.st, d.rr) == 1) {
			fast++;
			continue;
		}
		if (d.st.have_prev) {
			ldns_rdf_deep_free(d.prev);
			d.prev = ldns_rdf_new_frm_data(LDNS_RDF_TYPE_DNAME, d.st.prevlen, d.st.prev_owner);
		}
		if (ldns_rr_new_frm_str(&rr, es->v[i], d.default_ttl, d.origin, &d.prev) == LDNS_STATUS_OK) {
			ldns_buffer_clear(d.buf);
			ldns_rr_rdata2buffer_wire(d.buf, rr);
		}
		if (d.prev)
			zonefast_set_prev(&d.st, ldns_rdf_data(d.prev), ldns_rdf_size(d.prev));
		ldns_rr_free(rr);
	}
	t_fast = now_s() - t0;
	diff_clear(&d);
	fprintf(stderr,
		"zonefast: %s: %zu records, %zu on the fast path; ldns %.3f s (%.0f ns/record), "
		"zonefast+ldns %.3f s (%.0f ns/record), %.1fx\n",
		label, recs, fast, t_ldns, t_ldns * 1e9 / (double)(recs ? recs : 1), t_fast,
		t_fast * 1e9 / (double)(recs ? recs : 1), t_fast > 0 ? t_ldns / t_fast : 0.0);

	/* and the same entries, differentially */
	diff_init(&d, origin);
	for (size_t i = 0; i < es->n; i++)
		if (!diff_directive(&d, es->v[i]))
			diff_entry(&d, es->v[i]);
	ck_assert_uint_eq(d.accepted, fast);
	diff_clear(&d);
	ck_assert_msg(fast * 10 >= recs * 9, "%s: only %zu of %zu records on the fast path", label, fast, recs);
}

/* bench/gen-zone's mix (A, AAAA, MX, TXT, CNAME, NS + glue), 20k records. */
START_TEST(test_gen_zone_mix)
{
	struct entries es = { 0 };
	char e[256];

	entries_add(&es, "$TTL 3600");
	entries_add(&es, "@ IN SOA ns1 hostmaster 2024010101 7200 3600 1209600 300");
	entries_add(&es, "@ IN NS ns1");
	for (unsigned i = 0; es.n < 20000; i++) {
		unsigned o3 = i / 250 % 250, o4 = i % 250 + 1;
		snprintf(e, sizeof(e), "host-%u IN A 10.%u.%u.%u", i, i / 62500 % 250, o3, o4);
		entries_add(&es, e);
		snprintf(e, sizeof(e), "host-%u IN AAAA 2001:db8::%x:%x", i, i / 65536, i % 65536);
		entries_add(&es, e);
		snprintf(e, sizeof(e), "host-%u IN MX 10 mail-%u", i, i);
		entries_add(&es, e);
		snprintf(e, sizeof(e), "host-%u IN TXT \"v=spf1 ip4:10.%u.%u.0/24 -all\"", i, o3, o4);
		entries_add(&es, e);
		snprintf(e, sizeof(e), "www-%u IN CNAME host-%u", i, i);
		entries_add(&es, e);
		snprintf(e, sizeof(e), "mail-%u IN A 172.16.%u.%u", i, o3, o4);
		entries_add(&es, e);
		if (i % 10 == 0) {
			snprintf(e, sizeof(e), "sub-%u IN NS ns1.sub-%u", i, i);
			entries_add(&es, e);
			snprintf(e, sizeof(e), "ns1.sub-%u IN A 203.0.113.%u", i, o4);
			entries_add(&es, e);
		}
	}
	bench_entries("gen-zone mix", &es, "example.com.");
	entries_free(&es);
}
END_TEST

/* STEER_ZONEFAST_BENCH=FILE [STEER_ZONEFAST_ORIGIN=example.com.]: a whole
 * master file (e.g. from bench/gen-zone -n 1000000), timed and compared. */
START_TEST(test_bench_file)
{
	const char *path = getenv("STEER_ZONEFAST_BENCH");
	const char *origin = getenv("STEER_ZONEFAST_ORIGIN");
	struct entries es = { 0 };
	static char e[70000];
	FILE *f;

	if (!path)
		return;
	/* ldns allocates ~200 KB of scratch per record; keep glibc from
	 * returning it to the kernel after every record (page faults would
	 * then dominate the ldns numbers, depending on heap layout). */
	mallopt(M_TRIM_THRESHOLD, 64 << 20);
	mallopt(M_MMAP_THRESHOLD, 64 << 20);
	f = fopen(path, "r");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	double t0 = now_s();
	while (next_entry(f, e, sizeof(e)) > 0)
		entries_add(&es, e);
	fclose(f);
	fprintf(stderr, "zonefast: %s: %zu entries split in %.3f s\n", path, es.n, now_s() - t0);
	bench_entries(path, &es, origin ? origin : "example.com.");
	entries_free(&es);
}
END_TEST

Suite *suite_zonefast(void)
{
	Suite *s = suite_create("zonefast");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_table);
	tcase_add_test(tc, test_long_origin);
	tcase_add_test(tc, test_state);
	tcase_add_test(tc, test_random);
	tcase_add_test(tc, test_zone_files);
	tcase_add_test(tc, test_gen_zone_mix);
	tcase_add_test(tc, test_bench_file);
	tcase_set_timeout(tc, 600);
	suite_add_tcase(s, tc);
	return s;
}
