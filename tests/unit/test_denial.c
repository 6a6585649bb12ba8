/* test_denial.c -- the NSEC chain's order keys and searches (server/dnssec/denial.c):
 * keys never contradict the canonical order of RFC 4034 6.1, and the search
 * by keys finds the same NSEC as the search by names. */
#include "config.h"
#include "tests/unit/lib.h"
#include "server/dnssec/denial.h"
#include "server/dnssec/zonesign.h"
#include "server/wire/dname.h"
#include "server/zone/zone.h"
#include <ldns/ldns.h>
#include <stdlib.h>
#include <string.h>

#define NNAMES 400

/* Lowercase wire form of text, malloc'ed. */
static uint8_t *wire_of(const char *text)
{
	ldns_rdf *r = ldns_dname_new_frm_str(text);
	uint8_t *w;

	ck_assert_ptr_nonnull(r);
	ldns_dname2canonical(r);
	w = malloc(ldns_rdf_size(r));
	memcpy(w, ldns_rdf_data(r), ldns_rdf_size(r));
	ldns_rdf_deep_free(r);
	return w;
}

/* A random name under example.com: 1-3 labels from an alphabet with the
 * bytes that sort around '*', '-' and the digits, some longer than a key. */
static char *random_name(unsigned *seed)
{
	static const char alpha[] = "*-0129abyz_";
	char *s = malloc(256), *p = s;
	int nl = 1 + (int)(rand_r(seed) % 3);

	for (int l = 0; l < nl; l++) {
		int len = 1 + (int)(rand_r(seed) % (rand_r(seed) % 4 ? 3 : 20));
		for (int i = 0; i < len; i++)
			*p++ = alpha[rand_r(seed) % (sizeof(alpha) - 1)];
		*p++ = '.';
	}
	strcpy(p, "example.com.");
	return s;
}

static int key_cmp(const uint64_t *a, const uint64_t *b)
{
	if (a[0] != b[0])
		return a[0] < b[0] ? -1 : 1;
	return a[1] == b[1] ? 0 : a[1] < b[1] ? -1 : 1;
}

START_TEST(test_key_order)
{
	unsigned seed = 7;
	uint8_t *w[NNAMES];
	uint64_t k[NNAMES][2];

	for (int i = 0; i < NNAMES; i++) {
		char *t = random_name(&seed);
		w[i] = wire_of(t);
		free(t);
		ck_assert_int_eq(dnssec_order_key(w[i], 2, k[i]), 0);
	}
	for (int i = 0; i < NNAMES; i++)
		for (int j = 0; j < NNAMES; j++) {
			int kc = key_cmp(k[i], k[j]), nc = dnssec_name_cmp(w[i], w[j]);
			/* A key order is the name order; equal keys say nothing. */
			if (kc)
				ck_assert_int_eq(kc < 0, nc < 0);
			if (nc == 0)
				ck_assert_int_eq(kc, 0);
		}
	for (int i = 0; i < NNAMES; i++)
		free(w[i]);
}
END_TEST

START_TEST(test_key_zero_byte)
{
	/* "a\000b.example.com": a 0 byte in a label has no key. */
	static const uint8_t w[] = { 3, 'a', 0, 'b', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0 };
	uint64_t k[2];

	ck_assert_int_lt(dnssec_order_key(w, 2, k), 0);
	ck_assert_int_eq(dnssec_order_key(w + 4, 2, k), 0); /* the apex: the empty key */
	ck_assert(k[0] == 0 && k[1] == 0);
}
END_TEST

static int node_cmp(const void *a, const void *b)
{
	return dnssec_name_cmp((*(const struct node *const *)a)->name, (*(const struct node *const *)b)->name);
}

/* A node with its name inline (zone.h: the name follows the node). */
static struct node *node_of(uint8_t *w)
{
	size_t len = dname_wire_len(w);
	struct node *nd = calloc(1, node_bytes(len));

	ck_assert_ptr_nonnull(nd);
	memcpy(nd->name, w, len);
	nd->namelen = (uint8_t)len;
	nd->labels = (uint8_t)dname_labels(w);
	free(w);
	return nd;
}

START_TEST(test_search_same)
{
	unsigned seed = 11;
	struct node *nodes[NNAMES];
	const struct node *chain[NNAMES];
	struct dnssec_zone dz;
	size_t n = 0;

	memset(&dz, 0, sizeof(dz));
	nodes[0] = node_of(wire_of("example.com."));
	for (n = 1; n < NNAMES / 2; n++) {
		char *t = random_name(&seed);
		nodes[n] = node_of(wire_of(t));
		free(t);
	}
	for (size_t i = 0; i < n; i++)
		chain[i] = nodes[i];
	qsort(chain, n, sizeof(chain[0]), node_cmp);
	/* Drop duplicates: a chain has each name once. */
	size_t m = 1;
	for (size_t i = 1; i < n; i++)
		if (dnssec_name_cmp(chain[i]->name, chain[m - 1]->name) != 0)
			chain[m++] = chain[i];
	dz.chain = chain;
	dz.nchain = m;
	ck_assert_int_eq(dnssec_chain_keys(&dz, 2), 0);
	ck_assert_ptr_nonnull(dz.keys);
	for (int q = 0; q < 2000; q++) {
		char *t = q < (int)m ? NULL : random_name(&seed);
		uint8_t *w = t ? wire_of(t) : (uint8_t *)chain[q]->name;
		int e1, e2;
		uint64_t (*keys)[2] = dz.keys;
		const struct node *a = dnssec_nsec_find(&dz, w, &e1), *b;
		dz.keys = NULL; /* the search by names */
		b = dnssec_nsec_find(&dz, w, &e2);
		dz.keys = keys;
		ck_assert_ptr_eq(a, b);
		ck_assert_int_eq(e1, e2);
		if (!t)
			ck_assert_int_eq(e1, 1);
		if (t) {
			free(t);
			free(w);
		}
	}
	free(dz.keys);
	for (size_t i = 0; i < n; i++)
		free(nodes[i]);
}
END_TEST

Suite *suite_denial(void)
{
	Suite *s = suite_create("denial");
	TCase *tc = tcase_create("nsec");
	tcase_add_test(tc, test_key_order);
	tcase_add_test(tc, test_key_zero_byte);
	tcase_add_test(tc, test_search_same);
	suite_add_tcase(s, tc);
	return s;
}
