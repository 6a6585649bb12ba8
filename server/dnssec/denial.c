/*
 * denial.c -- canonical order and the search of the NSEC / NSEC3 chain.
 */
#include "config.h"
#include "server/dnssec/denial.h"

#include "server/dnssec/zonesign.h"
#include "server/wire/dname.h"
#include "server/zone/zone.h"

#include <openssl/evp.h>
#include <string.h>

/* Offsets of name's labels; returns how many (the root not counted). */
static int label_starts(const uint8_t *name, const uint8_t **out)
{
	int n = 0;

	for (const uint8_t *p = name; *p && n < DNAME_MAXLABELS; p += *p + 1)
		out[n++] = p;
	return n;
}

int dnssec_name_cmp(const uint8_t *a, const uint8_t *b)
{
	const uint8_t *la[DNAME_MAXLABELS], *lb[DNAME_MAXLABELS];
	int na = label_starts(a, la), nb = label_starts(b, lb);

	/* Label by label from the root: as octet strings, a prefix first. */
	while (na > 0 && nb > 0) {
		const uint8_t *x = la[--na], *y = lb[--nb];
		int c = memcmp(x + 1, y + 1, *x < *y ? *x : *y);

		if (c)
			return c;
		if (*x != *y)
			return *x - *y;
	}
	return na - nb;
}

const struct node *dnssec_nsec_find(const struct dnssec_zone *dz, const uint8_t *name, int *exact)
{
	size_t lo = 0, hi = dz->nchain; /* chain[0] is the apex, <= every name of the zone */

	*exact = 0;
	if (!dz->nchain)
		return NULL;
	/* The last entry <= name. */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (dnssec_name_cmp(dz->chain[mid]->name, name) <= 0)
			lo = mid;
		else
			hi = mid;
	}
	*exact = dnssec_name_cmp(dz->chain[lo]->name, name) == 0;
	return dz->chain[lo];
}

int dnssec_nsec3_hash(const uint8_t *name, size_t len, uint8_t out[20])
{
	static __thread EVP_MD_CTX *ctx; /* one per thread, kept: no allocation per query */
	uint8_t lower[DNAME_MAXLEN];
	unsigned int ol = 0;

	if (len > sizeof(lower))
		return -1;
	if (!ctx && !(ctx = EVP_MD_CTX_new()))
		return -1;
	dname_lower(lower, name, len);
	if (EVP_DigestInit_ex(ctx, EVP_sha1(), NULL) != 1 || EVP_DigestUpdate(ctx, lower, len) != 1 ||
	    EVP_DigestFinal_ex(ctx, out, &ol) != 1 || ol != 20)
		return -1;
	return 0;
}

const struct node *dnssec_nsec3_find(const struct dnssec_zone *dz, const uint8_t *name, size_t len, int *exact)
{
	uint8_t h[20];
	size_t lo = 0, hi = dz->nn3;

	*exact = 0;
	if (!dz->nn3 || dnssec_nsec3_hash(name, len, h) < 0)
		return NULL;
	/* The last hash <= h; a hash below the first is covered by the last
	 * (the chain wraps). */
	if (memcmp(dz->n3[0].hash, h, 20) > 0)
		return dz->n3[dz->nn3 - 1].node;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (memcmp(dz->n3[mid].hash, h, 20) <= 0)
			lo = mid;
		else
			hi = mid;
	}
	*exact = memcmp(dz->n3[lo].hash, h, 20) == 0;
	return dz->n3[lo].node;
}
