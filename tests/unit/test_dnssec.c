/* test_dnssec.c -- keys.c and sign.c: the RFC 6605 / RFC 8080 vectors
 * (tests/data/dnssec, a copy of ../shared/testdata/dnssec), canonical
 * form, and key files that ldns reads back. */
#include "config.h"
#include "tests/unit/lib.h"
#include "server/dnssec/keys.h"
#include "server/dnssec/sign.h"
#include "common/errlist.h"

#include <dirent.h>
#include <ldns/ldns.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct vec {
	char id[2048];
	int alg, keytag, valid;
	char priv[2048];
	char rr[8][2048];
	int nrr;
	uint8_t sd[1024];
	size_t sdlen;
};

static int hex_to(const char *h, uint8_t *out, size_t cap)
{
	size_t n = strlen(h) / 2;

	if (n > cap)
		return -1;
	for (size_t i = 0; i < n; i++) {
		unsigned v;
		if (sscanf(h + 2 * i, "%2x", &v) != 1)
			return -1;
		out[i] = (uint8_t)v;
	}
	return (int)n;
}

/* Read every vector of the file; returns how many. */
static int vec_read(struct vec *v, int max)
{
	char path[1024], line[2048];
	int n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/dnssec/rfc6605-rfc8080-vectors.txt", test_data_dir());
	f = fopen(path, "r");
	ck_assert_msg(f != NULL, "%s missing", path);
	while (fgets(line, sizeof(line), f) && n < max) {
		struct vec *c = &v[n];
		line[strcspn(line, "\n")] = 0;
		if (!strncmp(line, "vector ", 7)) {
			memset(c, 0, sizeof(*c));
			snprintf(c->id, sizeof(c->id), "%s", line + 7);
		} else if (!strncmp(line, "algorithm ", 10)) {
			c->alg = atoi(line + 10);
		} else if (!strncmp(line, "keytag ", 7)) {
			c->keytag = atoi(line + 7);
		} else if (!strncmp(line, "privatekey ", 11)) {
			snprintf(c->priv, sizeof(c->priv), "%s", line + 11);
		} else if (!strncmp(line, "rr ", 3) && c->nrr < 8) {
			snprintf(c->rr[c->nrr++], sizeof(c->rr[0]), "%s", line + 3);
		} else if (!strncmp(line, "signed_data ", 12)) {
			c->sdlen = (size_t)hex_to(line + 12, c->sd, sizeof(c->sd));
		} else if (!strncmp(line, "expect ", 7)) {
			c->valid = !strcmp(line + 7, "valid");
		} else if (!strcmp(line, "end")) {
			n++;
		}
	}
	fclose(f);
	return n;
}

static ldns_rr *vec_rr(const struct vec *v, ldns_rr_type t)
{
	for (int i = 0; i < v->nrr; i++) {
		ldns_rr *rr = NULL;
		ck_assert_int_eq(ldns_rr_new_frm_str(&rr, v->rr[i], 0, NULL, NULL), LDNS_STATUS_OK);
		if (ldns_rr_get_type(rr) == t)
			return rr;
		ldns_rr_free(rr);
	}
	return NULL;
}

/* The wire form of one rdf / of the whole RDATA. */
static size_t rdf_wire(const ldns_rdf *r, uint8_t *out, size_t cap)
{
	ck_assert_uint_le(ldns_rdf_size(r), cap);
	memcpy(out, ldns_rdf_data(r), ldns_rdf_size(r));
	return ldns_rdf_size(r);
}

static size_t rdata_wire(const ldns_rr *rr, uint8_t *out, size_t cap)
{
	ldns_buffer *b = ldns_buffer_new(1024);
	size_t n;

	ck_assert_int_eq(ldns_rr_rdata2buffer_wire(b, rr), LDNS_STATUS_OK);
	n = ldns_buffer_position(b);
	ck_assert_uint_le(n, cap);
	memcpy(out, ldns_buffer_begin(b), n);
	ldns_buffer_free(b);
	return n;
}

static uint32_t rdf32(const ldns_rdf *r)
{
	const uint8_t *d = ldns_rdf_data(r);
	return (uint32_t)d[0] << 24 | (uint32_t)d[1] << 16 | (uint32_t)d[2] << 8 | d[3];
}

/* One vector: key material, key tag, DS, signed data, the published
 * signature, and our own signature. */
static void vec_check(const struct vec *v)
{
	struct dnssec_key k;
	uint8_t raw[64], sigpub[128], owner[256], signer[256], rd[1024], scratch[4096], out[512], ds[32];
	ldns_rr *dnskey = vec_rr(v, LDNS_RR_TYPE_DNSKEY), *sig = vec_rr(v, LDNS_RR_TYPE_RRSIG);
	ldns_rr *ds_rr = vec_rr(v, LDNS_RR_TYPE_DS), *data;
	int rawlen = EVP_DecodeBlock(raw, (const unsigned char *)v->priv, (int)strlen(v->priv));
	size_t ol, sl, rl, pl;

	ck_assert_ptr_nonnull(dnskey);
	ck_assert_ptr_nonnull(sig);
	rawlen -= (v->priv[strlen(v->priv) - 1] == '=') + (v->priv[strlen(v->priv) - 2] == '=');
	ck_assert_int_eq(dnssec_key_from_private(&k, (uint8_t)v->alg, 257, raw, (size_t)rawlen), 0);
	pl = rdf_wire(ldns_rr_rdf(dnskey, 3), sigpub, sizeof(sigpub));
	ck_assert_msg(pl == k.publen && !memcmp(sigpub, k.pub, pl), "%s: public key", v->id);
	ck_assert_int_eq(k.tag, v->keytag);
	if (ds_rr) {
		ol = rdf_wire(ldns_rr_owner(ds_rr), owner, sizeof(owner));
		ck_assert_int_eq(dnssec_key_ds_sha256(&k, owner, ol, ds), 0);
		ck_assert_uint_eq(ldns_rdf_size(ldns_rr_rdf(ds_rr, 3)), 32);
		ck_assert_msg(!memcmp(ds, ldns_rdf_data(ldns_rr_rdf(ds_rr, 3)), 32), "%s: DS", v->id);
	}
	/* The covered RRset (one RR in every vector). */
	data = vec_rr(v, ldns_rdf2rr_type(ldns_rr_rdf(sig, 0)));
	ck_assert_ptr_nonnull(data);
	ol = rdf_wire(ldns_rr_owner(data), owner, sizeof(owner));
	sl = rdf_wire(ldns_rr_rdf(sig, 7), signer, sizeof(signer));


	rl = rdata_wire(data, rd, sizeof(rd));
	struct dnssec_rdata r = {rd, (uint16_t)rl};
	uint8_t labels = ldns_rdf_data(ldns_rr_rdf(sig, 2))[0];
	uint32_t ttl = rdf32(ldns_rr_rdf(sig, 3)), exp = rdf32(ldns_rr_rdf(sig, 4)), inc = rdf32(ldns_rr_rdf(sig, 5));
	uint16_t type = ldns_rr_get_type(data);
	int sd = dnssec_signed_data(&k, signer, owner, labels, type, 1, ttl, &r, 1, inc, exp, scratch, sizeof(scratch));
	ck_assert_int_eq(sd, (int)v->sdlen);
	ck_assert_msg(!memcmp(scratch, v->sd, v->sdlen), "%s: signed data", v->id);
	/* The published signature over the published signed data. */
	const ldns_rdf *s = ldns_rr_rdf(sig, 8);
	ck_assert_int_eq(dnssec_verify(k.alg, k.pub, k.publen, v->sd, v->sdlen, ldns_rdf_data(s), ldns_rdf_size(s)),
			 v->valid ? 0 : -EINVAL);
	/* Ours: verifies; Ed25519 is deterministic, so byte for byte. */
	int n = dnssec_sign_rrset(&k, signer, owner, labels, type, 1, ttl, &r, 1, inc, exp, scratch, sizeof(scratch),
				  out, sizeof(out));
	ck_assert_int_eq(n, (int)(18 + sl + 64));
	ck_assert_int_eq(dnssec_verify(k.alg, k.pub, k.publen, v->sd, v->sdlen, out + 18 + sl, 64), 0);
	if (v->valid && k.alg == DNSSEC_ALG_ED25519)
		ck_assert_msg(!memcmp(out + 18 + sl, ldns_rdf_data(s), 64), "%s: Ed25519 signature", v->id);
	EVP_PKEY_free(k.pkey);
	ldns_rr_free(dnskey);
	ldns_rr_free(sig);
	ldns_rr_free(data);
	if (ds_rr)
		ldns_rr_free(ds_rr);
}

START_TEST(test_vectors)
{
	static struct vec v[16];
	int n = vec_read(v, 16), done = 0, neg = 0;

	ck_assert_int_ge(n, 6);
	for (int i = 0; i < n; i++) {
		if (v[i].alg == 14)
			continue; /* P-384 is not one of ours (issue 12: 13 and 15) */
		vec_check(&v[i]);
		done++;
		neg += !v[i].valid;
	}
	ck_assert_int_eq(done, 5);
	ck_assert_int_eq(neg, 2);
}
END_TEST

/* Canonical form: owner and RDATA names lowercased, RRs sorted, duplicates
 * dropped: a shuffled, mixed-case set gives the signed data of the clean one. */
START_TEST(test_canonical)
{
	struct dnssec_key k;
	uint8_t raw[32] = {1, 2, 3}, a[8192], b[8192];
	const uint8_t signer[] = "\7example\3com", own_mixed[] = "\3WwW\7Example\3COM", own[] = "\3www\7example\3com";
	const uint8_t mx1[] = "\0\12\4MAIL\7example\3com", mx1l[] = "\0\12\4mail\7example\3com",
		      mx2[] = "\0\5\2mx\7example\3com";
	struct dnssec_rdata mixed[3] = {{mx1, sizeof(mx1)}, {mx2, sizeof(mx2)}, {mx1l, sizeof(mx1l)}};
	struct dnssec_rdata clean[2] = {{mx2, sizeof(mx2)}, {mx1l, sizeof(mx1l)}};

	ck_assert_int_eq(dnssec_key_from_private(&k, DNSSEC_ALG_ED25519, 256, raw, 32), 0);
	int na = dnssec_signed_data(&k, signer, own_mixed, 3, 15, 1, 300, mixed, 3, 1, 2, a, sizeof(a));
	int nb = dnssec_signed_data(&k, signer, own, 3, 15, 1, 300, clean, 2, 1, 2, b, sizeof(b));
	ck_assert_int_gt(na, 0);
	ck_assert_int_eq(na, nb);
	ck_assert_mem_eq(a, b, (size_t)na);
	/* mx2 (preference 5) sorts first: its RR follows the header directly. */
	size_t h = 18 + sizeof(signer);
	ck_assert_mem_eq(a + h + sizeof(own) + 10, mx2, sizeof(mx2));
	/* NSEC's next name keeps its case (RFC 6840 5.1). */
	const uint8_t nsec[] = "\1A\7example\3com\0\0\1\100";
	struct dnssec_rdata rn = {nsec, sizeof(nsec) - 1};
	na = dnssec_signed_data(&k, signer, own, 3, 47, 1, 300, &rn, 1, 1, 2, a, sizeof(a));
	ck_assert_int_eq(a[h + sizeof(own) + 10 + 1], 'A');
	/* Too small a scratch is STEER_ESPACE, never an overrun. */
	ck_assert_int_eq(dnssec_signed_data(&k, signer, own, 3, 15, 1, 300, clean, 2, 1, 2, a, 60), -ENOSPC);
	EVP_PKEY_free(k.pkey);
}
END_TEST

static char *tmpdir_new(void)
{
	char *d = strdup("/tmp/steer-dnssec-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(d));
	return d;
}

static void rm_tree(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char p[1024];

	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.') {
			snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
			unlink(p);
		}
	if (d)
		closedir(d);
	rmdir(dir);
}

/* ldns reads our .private files and gets the same DNSKEY. */
static void ldns_reads(const struct dnssec_key *k)
{
	char path[1024];
	ldns_key *lk = NULL;
	FILE *f;

	snprintf(path, sizeof(path), "%s.private", k->base);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(ldns_key_new_frm_fp(&lk, f), LDNS_STATUS_OK);
	fclose(f);
	ldns_key_set_flags(lk, k->flags);
	ldns_rr *rr = ldns_key2rr(lk);
	ck_assert_ptr_nonnull(rr);
	ck_assert_uint_eq(ldns_calc_keytag(rr), k->tag);
	ldns_rr_free(rr);
	ldns_key_deep_free(lk);
}

START_TEST(test_keys_files)
{
	for (int alg = 13; alg <= 15; alg += 2) {
		char *dir = tmpdir_new();
		struct dnssec_keyconf kc = {.key_dir = dir, .alg = (uint8_t)alg};
		struct dnssec_keyset ks, again;
		struct errlist errs;
		char path[1024];
		struct stat st;

		errlist_init(&errs);
		ck_assert_int_eq(dnssec_keys_load("example.com.", &kc, 1700000000, &ks, &errs), 0);
		ck_assert_uint_eq(ks.n, 2);
		int ksk = ks.keys[0].role == DNSSEC_KSK ? 0 : 1;
		ck_assert_int_eq(ks.keys[ksk].flags, 257);
		ck_assert_int_eq(ks.keys[1 - ksk].role, DNSSEC_ZSK);
		for (size_t i = 0; i < 2; i++) {
			ck_assert_int_eq(ks.keys[i].alg, alg);
			ck_assert_int_eq(ks.keys[i].created, 1700000000);
			ck_assert(dnssec_key_signing(&ks.keys[i], 1700000000));
			snprintf(path, sizeof(path), "%s.private", ks.keys[i].base);
			ck_assert_int_eq(stat(path, &st), 0);
			ck_assert_int_eq(st.st_mode & 0777, 0600);
			ldns_reads(&ks.keys[i]);
		}
		/* A second load reads the same keys, creates none. */
		ck_assert_int_eq(dnssec_keys_load("example.com.", &kc, 1700000100, &again, &errs), 0);
		ck_assert_uint_eq(again.n, 2);
		for (size_t i = 0; i < 2; i++)
			ck_assert_int_eq(again.keys[i].tag, ks.keys[i].tag);
		/* Timers round-trip through the .private file. */
		again.keys[0].inactive = 1800000000;
		ck_assert_int_eq(dnssec_key_set_times(&again.keys[0], &errs), 0);
		dnssec_keyset_free(&again);
		ck_assert_int_eq(dnssec_keys_load("example.com.", &kc, 1700000100, &again, &errs), 0);
		ck_assert_int_eq(again.keys[0].inactive, 1800000000);
		ck_assert(!dnssec_key_signing(&again.keys[0], 1800000000));
		ck_assert_uint_eq(errlist_count(&errs), 0);
		dnssec_keyset_free(&again);
		dnssec_keyset_free(&ks);
		rm_tree(dir);
		free(dir);
		errlist_clear(&errs);
	}
}
END_TEST

/* A .key that does not match its .private is an error naming the file. */
START_TEST(test_keys_mismatch)
{
	char *dir = tmpdir_new();
	struct dnssec_keyconf kc = {.key_dir = dir, .alg = DNSSEC_ALG_ED25519};
	struct dnssec_keyset ks;
	struct errlist errs;
	char path[1024];
	FILE *f;

	errlist_init(&errs);
	ck_assert_int_eq(dnssec_keys_load("example.com.", &kc, 1700000000, &ks, &errs), 0);
	snprintf(path, sizeof(path), "%s.key", ks.keys[0].base);
	f = fopen(path, "w");
	fprintf(f, "example.com. IN DNSKEY %u 3 15 zPnZ/QwEe7S8C5SPz2OfS5RR40ATk2/rYnE9xHIEijs=\n", ks.keys[0].flags);
	fclose(f);
	dnssec_keyset_free(&ks);
	ck_assert_int_lt(dnssec_keys_load("example.com.", &kc, 1700000000, &ks, &errs), 0);
	ck_assert_uint_eq(errlist_count(&errs), 1);
	ck_assert_ptr_nonnull(strstr(errs.msgs[0], "public key does not match"));
	ck_assert_ptr_nonnull(strstr(errs.msgs[0], path));
	rm_tree(dir);
	free(dir);
	errlist_clear(&errs);
}
END_TEST

Suite *suite_dnssec(void)
{
	Suite *s = suite_create("dnssec");
	TCase *tc = tcase_create("sign");
	tcase_add_test(tc, test_vectors);
	tcase_add_test(tc, test_canonical);
	tcase_add_test(tc, test_keys_files);
	tcase_add_test(tc, test_keys_mismatch);
	suite_add_tcase(s, tc);
	return s;
}
