/* rrl.c -- the per-worker RRL table: buckets of BIND-like credit. */
#include "config.h"
#include "server/limit/rrl.h"
#include "common/log.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RRL_WAYS 4           /* slots a key may live in: one cache line and a half */
#define RRL_LOG_PER_SECOND 5 /* log lines a worker writes per second at most */

struct rrl_slot {
	uint64_t key;    /* 0 = empty */
	int32_t balance; /* responses left this second; negative = debt */
	uint32_t stamp;  /* second of the last update */
	uint32_t slips;  /* limited responses so far, for every slip-th */
	uint32_t logged; /* the start of this bucket's limiting was logged */
};

struct rrl_table {
	uint32_t mask;          /* slots - 1 */
	uint64_t seed;          /* random per table: keys an attacker cannot aim at one set */
	uint32_t log_second;    /* the second log_lines counts in */
	uint32_t log_lines;
	uint32_t log_skipped;   /* limited prefixes not logged because of the budget */
	struct rrl_slot *slots; /* owned: mask + 1 */
};

static uint64_t mix(uint64_t h, uint64_t v)
{
	/* A multiply-xorshift round (the finaliser of MurmurHash3 / splitmix64):
	 * cheap, and every input bit reaches every output bit. */
	h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	return h ^ (h >> 33);
}

struct rrl_table *rrl_table_new(uint32_t slots)
{
	struct rrl_table *t = calloc(1, sizeof(*t));
	uint32_t n = RRL_WAYS;
	struct timespec ts;

	while (n < slots && n < (1u << 30))
		n <<= 1;
	if (!t || !(t->slots = calloc(n, sizeof(*t->slots)))) {
		free(t);
		return NULL;
	}
	t->mask = n - 1;
	/* Not a secret in the cryptographic sense: it only spreads the sets. */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	t->seed = mix((uint64_t)ts.tv_nsec, (uint64_t)(uintptr_t)t ^ (uint64_t)ts.tv_sec);
	return t;
}

void rrl_table_free(struct rrl_table *t)
{
	if (!t)
		return;
	free(t->slots);
	free(t);
}

uint32_t rrl_table_slots(const struct rrl_table *t)
{
	return t->mask + 1;
}

struct rrl_table *rrl_table_sync(struct rrl_table *t, const struct rrl_conf *c, unsigned worker)
{
	uint32_t want = RRL_WAYS;

	if (!c || !c->on) {
		rrl_table_free(t);
		return NULL;
	}
	while (want < c->table_size && want < (1u << 30))
		want <<= 1;
	if (t && t->mask + 1 == want)
		return t;
	rrl_table_free(t);
	if (!(t = rrl_table_new(c->table_size)))
		log_err("worker %u: no memory for %u RRL slots: not rate-limiting", worker, want);
	return t;
}

/* addr's address bytes: 4 or 16 (0 for other families). */
static size_t addr_bytes(const struct sockaddr *addr, const uint8_t **out)
{
	*out = NULL;
	if (addr->sa_family == AF_INET) {
		*out = (const uint8_t *)&((const struct sockaddr_in *)(const void *)addr)->sin_addr;
		return 4;
	}
	if (addr->sa_family == AF_INET6) {
		*out = (const uint8_t *)&((const struct sockaddr_in6 *)(const void *)addr)->sin6_addr;
		return 16;
	}
	return 0;
}

/* The first bits of a into out (zeroed past them). */
static void prefix_of(const uint8_t *a, size_t n, unsigned bits, uint8_t out[16])
{
	memset(out, 0, 16);
	for (size_t i = 0; i < n && bits > 0; i++, bits = bits >= 8 ? bits - 8 : 0)
		out[i] = bits >= 8 ? a[i] : (uint8_t)(a[i] & (0xff00u >> bits));
}

int rrl_exempt(const struct rrl_conf *c, const struct sockaddr *addr)
{
	const uint8_t *a;
	size_t n = addr_bytes(addr, &a);
	uint8_t p[16];

	if (n == 0)
		return 0;
	for (size_t i = 0; i < c->nexempt; i++) {
		const struct rrl_net *e = &c->exempt[i];
		if (e->family != addr->sa_family)
			continue;
		prefix_of(a, n, e->bits, p);
		if (memcmp(p, e->addr, n) == 0)
			return 1;
	}
	return 0;
}

/* The slot for key: the one holding it, else the empty or least recently
 * used one of its set, reset to a full bucket. */
static struct rrl_slot *slot_for(struct rrl_table *t, const struct rrl_conf *c, uint64_t key, uint32_t now)
{
	struct rrl_slot *set = &t->slots[key & t->mask & ~(uint64_t)(RRL_WAYS - 1)], *victim = set;

	for (int i = 0; i < RRL_WAYS; i++) {
		if (set[i].key == key)
			return &set[i];
		if (set[i].key == 0 || (int32_t)(victim->stamp - set[i].stamp) > 0)
			victim = &set[i];
		if (set[i].key == 0)
			break;
	}
	*victim = (struct rrl_slot){ .key = key, .balance = (int32_t)c->rate, .stamp = now };
	return victim;
}

/* Credit for the seconds since the last update: rate a second, at most
 * one second's worth banked. */
static void refill(struct rrl_slot *s, const struct rrl_conf *c, uint32_t now)
{
	int32_t elapsed = (int32_t)(now - s->stamp);
	int64_t b;

	if (elapsed <= 0)
		return;
	b = (int64_t)s->balance + (int64_t)elapsed * c->rate;
	s->balance = b > (int64_t)c->rate ? (int32_t)c->rate : (int32_t)b;
	s->stamp = now;
}

const char *rrl_kind_name(enum rrl_kind kind)
{
	static const char *const names[RRL_NKINDS] = { "answer", "nodata", "nxdomain", "referral", "error" };
	return (unsigned)kind < RRL_NKINDS ? names[kind] : "?";
}

/* One line when a bucket starts being limited, at most RRL_LOG_PER_SECOND a
 * second per worker (a flood from many prefixes must not flood the log). */
static void log_limited(struct rrl_table *t, const struct rrl_conf *c, int family, const uint8_t *p,
			enum rrl_kind kind, uint32_t now)
{
	char text[INET6_ADDRSTRLEN];

	if (t->log_second != now) {
		if (t->log_skipped)
			log_notice("rrl: %u more limited prefixes not logged", t->log_skipped);
		t->log_second = now;
		t->log_lines = t->log_skipped = 0;
	}
	if (t->log_lines >= RRL_LOG_PER_SECOND) {
		t->log_skipped++;
		return;
	}
	t->log_lines++;
	inet_ntop(family, p, text, sizeof(text));
	log_notice("rrl: limiting %s/%u (%s responses over %u/s)", text,
		   family == AF_INET ? c->v4_prefix : c->v6_prefix, rrl_kind_name(kind), c->rate);
}

enum rrl_action rrl_account(struct rrl_table *t, const struct rrl_conf *c, const struct sockaddr *addr,
			    enum rrl_kind kind, uint64_t name_hash, uint32_t now)
{
	const uint8_t *a;
	size_t n = addr_bytes(addr, &a);
	uint8_t p[16];
	uint64_t key, w[2];
	struct rrl_slot *s;
	int32_t floor = -(int32_t)(c->window * c->rate);

	if (n == 0)
		return RRL_PASS;
	prefix_of(a, n, n == 4 ? c->v4_prefix : c->v6_prefix, p);
	memcpy(w, p, sizeof(w));
	key = mix(mix(mix(mix(t->seed, (uint64_t)kind << 8 | n), name_hash), w[0]), w[1]) | 1;
	s = slot_for(t, c, key, now);
	refill(s, c, now);
	if (s->balance > 0) {
		s->balance--;
		s->logged = 0;
		return RRL_PASS;
	}
	if (s->balance > floor)
		s->balance--;
	if (!s->logged) {
		s->logged = 1;
		log_limited(t, c, addr->sa_family, p, kind, now);
	}
	s->slips++;
	return c->slip && s->slips % c->slip == 0 ? RRL_SLIP : RRL_DROP;
}
