/* tcplimit.c -- per-prefix connection counts: open addressing, linear
 * probing, backward-shift deletion (no tombstones, so a long-running table
 * never degrades). Grows to twice its size at half load. */
#include "config.h"
#include "server/limit/tcplimit.h"
#include "common/errors.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

struct slot {
	struct tcplimit_key key;
	unsigned count; /* 0 = empty slot */
};

struct tcplimit {
	struct slot *slots; /* owned, cap entries */
	size_t cap;         /* a power of two */
	size_t used;
};

#define TCPLIMIT_MIN 256

struct tcplimit *tcplimit_new(void)
{
	struct tcplimit *l = calloc(1, sizeof(*l));

	if (!l)
		return NULL;
	l->cap = TCPLIMIT_MIN;
	if (!(l->slots = calloc(l->cap, sizeof(*l->slots)))) {
		free(l);
		return NULL;
	}
	return l;
}

void tcplimit_free(struct tcplimit *l)
{
	if (!l)
		return;
	free(l->slots);
	free(l);
}

static void mask_bits(uint8_t *a, size_t len, unsigned bits)
{
	for (size_t i = 0; i < len; i++) {
		unsigned keep = bits >= 8 * (i + 1) ? 8 : bits > 8 * i ? bits - 8 * (unsigned)i : 0;
		a[i] &= (uint8_t)(0xff00u >> keep);
	}
}

void tcplimit_key(const struct sockaddr *sa, unsigned prefix4, unsigned prefix6, struct tcplimit_key *k)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	memset(k, 0, sizeof(*k));
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;
		if (memcmp(s6->sin6_addr.s6_addr, mapped, sizeof(mapped)) != 0) {
			k->fam = 6;
			memcpy(k->addr, s6->sin6_addr.s6_addr, 16);
			mask_bits(k->addr, 16, prefix6 > 128 ? 128 : prefix6);
			return;
		}
		memcpy(k->addr, s6->sin6_addr.s6_addr + 12, 4);
	} else if (sa->sa_family == AF_INET) {
		memcpy(k->addr, &((const struct sockaddr_in *)sa)->sin_addr, 4);
	}
	k->fam = 4;
	mask_bits(k->addr, 4, prefix4 > 32 ? 32 : prefix4);
}

/* FNV-1a over the key: cheap, and the table is exact, so a poor spread
 * costs probes, never a wrong count. */
static size_t key_hash(const struct tcplimit_key *k)
{
	uint64_t h = 1469598103934665603ull;
	const uint8_t *p = (const uint8_t *)k;

	for (size_t i = 0; i < sizeof(*k); i++)
		h = (h ^ p[i]) * 1099511628211ull;
	return (size_t)(h ^ (h >> 29));
}

/* The slot holding k, or the empty slot where it would go. */
static struct slot *find(const struct tcplimit *l, const struct tcplimit_key *k)
{
	size_t i = key_hash(k) & (l->cap - 1);

	while (l->slots[i].count && memcmp(&l->slots[i].key, k, sizeof(*k)) != 0)
		i = (i + 1) & (l->cap - 1);
	return &l->slots[i];
}

static int grow(struct tcplimit *l)
{
	struct tcplimit bigger = { calloc(l->cap * 2, sizeof(struct slot)), l->cap * 2, l->used };

	if (!bigger.slots)
		return STEER_ENOMEM;
	for (size_t i = 0; i < l->cap; i++)
		if (l->slots[i].count)
			*find(&bigger, &l->slots[i].key) = l->slots[i];
	free(l->slots);
	*l = bigger;
	return STEER_EOK;
}

int tcplimit_take(struct tcplimit *l, const struct tcplimit_key *k, unsigned limit)
{
	struct slot *s = find(l, k);

	if (s->count) {
		if (limit && s->count >= limit)
			return 1;
		s->count++;
		return 0;
	}
	if (2 * (l->used + 1) > l->cap) {
		int ret = grow(l);
		if (ret != STEER_EOK)
			return ret;
		s = find(l, k);
	}
	s->key = *k;
	s->count = 1;
	l->used++;
	return 0;
}

void tcplimit_put(struct tcplimit *l, const struct tcplimit_key *k)
{
	struct slot *s = find(l, k);
	size_t hole, i;

	if (!s->count || --s->count)
		return;
	/* Backward shift: pull later members of the probe run into the hole
	 * when their home slot is not between the hole and them. */
	l->used--;
	hole = (size_t)(s - l->slots);
	for (i = (hole + 1) & (l->cap - 1); l->slots[i].count; i = (i + 1) & (l->cap - 1)) {
		size_t home = key_hash(&l->slots[i].key) & (l->cap - 1);
		if (((i - home) & (l->cap - 1)) >= ((i - hole) & (l->cap - 1))) {
			l->slots[hole] = l->slots[i];
			hole = i;
		}
	}
	l->slots[hole].count = 0;
}

unsigned tcplimit_count(const struct tcplimit *l, const struct tcplimit_key *k)
{
	return find(l, k)->count;
}

size_t tcplimit_prefixes(const struct tcplimit *l)
{
	return l->used;
}
