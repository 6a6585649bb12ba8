/*
 * nsec3.c -- the NSEC3 chain of a zone being signed (RFC 5155 7.1):
 * every authoritative name and empty non-terminal hashed (SHA-1 over the
 * lowercase wire name, no salt, no extra iterations: RFC 9276 3.1), sorted
 * by hash, each NSEC3 naming the next hash and the types of its name.
 */
#include "config.h"
#include "server/dnssec/nsec3.h"

#include "common/dns.h"
#include "common/errors.h"
#include "server/dnssec/denial.h"
#include "server/dnssec/zonesign.h"
#include "server/wire/dname.h"
#include "server/zone/zone.h"

#include <stdlib.h>
#include <string.h>

static int n3_cmp(const void *a, const void *b)
{
	return memcmp(((const struct dnssec_nsec3 *)a)->hash, ((const struct dnssec_nsec3 *)b)->hash, 20);
}

/* base32hex (RFC 4648 7), lowercase, of 20 bytes: 32 characters. */
static void b32hex(const uint8_t *in, char *out)
{
	static const char digits[] = "0123456789abcdefghijklmnopqrstuv";

	for (int i = 0; i < 32; i++) {
		int bit = i * 5, byte = bit / 8, off = bit % 8;
		unsigned v = (unsigned)in[byte] << 8 | (byte + 1 < 20 ? in[byte + 1] : 0);
		out[i] = digits[(v >> (11 - off)) & 31];
	}
}

/* The owner node of hash h: "<base32hex(h)>.<apex>", outside the table. */
static struct node *owner_node(struct zone *z, const uint8_t *h)
{
	/* The name is part of the node (zone.h); no links (0: none). */
	struct node *n = arena_alloc(&z->arena, node_bytes(33u + z->apexlen));

	if (!n)
		return NULL;
	n->name[0] = 32;
	b32hex(h, (char *)n->name + 1);
	memcpy(n->name + 33, z->apex, z->apexlen);
	n->namelen = (uint8_t)(33 + z->apexlen);
	n->labels = (uint8_t)(z->apexlabels + 1);
	n->hash = dname_hash(n->name, n->namelen);
	return n;
}

static int add_param(struct zone *z)
{
	static const uint8_t param[5] = { 1, 0, 0, 0, 0 }; /* SHA-1, flags 0, 0 iterations, no salt */
	const uint8_t *rd = param;
	uint16_t len = 5;
	struct rrset set;
	int ret = dnssec_rrset_build(&z->arena, DNS_TYPE_NSEC3PARAM, 0, &rd, &len, 1, &set);

	return ret ? ret : dnssec_node_add(&z->arena, (struct node *)z->apex_node, &set, 1);
}

/* The NSEC3 rrset of entry e, next hash next, at its owner node. */
static int entry_rrset(struct zone *z, struct dnssec_nsec3 *e, const uint8_t *next)
{
	static const uint16_t rrsig = DNS_TYPE_RRSIG;
	uint16_t types[1100];
	uint8_t rd[26 + 8704];
	const uint8_t *rdp = rd;
	size_t nt = 0;
	uint16_t len;
	struct rrset set;
	struct node *own = owner_node(z, e->hash);

	if (!own)
		return STEER_ENOMEM;
	if (e->orig) {
		/* RRSIG is there when something at the name is signed: not at an
		 * unsigned delegation. */
		int sig = !(e->orig->flags & NODE_DELEG) || node_rrset(e->orig, DNS_TYPE_DS);
		nt = dnssec_node_types(e->orig, &rrsig, sig ? 1 : 0, types);
	}
	memcpy(rd, (const uint8_t[]){ 1, 0, 0, 0, 0, 20 }, 6);
	memcpy(rd + 6, next, 20);
	len = (uint16_t)(26 + dnssec_bitmap(types, nt, rd + 26));
	int ret = dnssec_rrset_build(&z->arena, DNS_TYPE_NSEC3, z->neg_ttl, &rdp, &len, 1, &set);
	if (ret == 0)
		ret = dnssec_node_add(&z->arena, own, &set, 1);
	e->node = own;
	return ret;
}

int dnssec_nsec3_build(struct zone *z, struct dnssec_zone *dz)
{
	const struct node **v;
	size_t n, k = 0;
	int ret = add_param(z);

	if (ret == 0)
		ret = dnssec_collect(z, 1, &v, &n);
	if (ret < 0)
		return ret;
	dz->n3 = calloc(n ? n : 1, sizeof(*dz->n3));
	if (!dz->n3) {
		free(v);
		return STEER_ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		dz->n3[k].orig = v[i]->nrrsets ? v[i] : NULL;
		if (dnssec_nsec3_hash(v[i]->name, v[i]->namelen, dz->n3[k].hash) == 0)
			k++;
	}
	free(v);
	qsort(dz->n3, k, sizeof(*dz->n3), n3_cmp);
	dz->nn3 = k;
	for (size_t i = 0; ret == 0 && i < k; i++)
		ret = entry_rrset(z, &dz->n3[i], dz->n3[(i + 1) % k].hash);
	return ret;
}

const struct node *dnssec_nsec3_node(const struct dnssec_zone *dz, const uint8_t hash[20])
{
	size_t lo = 0, hi = dz ? dz->nn3 : 0;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = memcmp(dz->n3[mid].hash, hash, 20);
		if (c == 0)
			return dz->n3[mid].node;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}
