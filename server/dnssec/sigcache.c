/*
 * sigcache.c -- the signature cache of steered answers (see sigcache.h).
 *
 * Why a per-bucket sequence lock, and not RCU or a global lock:
 *
 *   - A global (or striped rwlock) read lock writes a shared cache line on
 *     every hit, so its cost grows with the number of workers. A seqlock
 *     reader only reads: the bucket's sequence number before and after it
 *     copies the signature out; a writer in the bucket (odd number, or a
 *     changed one) makes it read again. Hits on different buckets never
 *     touch a common line, hits on one bucket share it read-only.
 *   - RCU-style publishing of immutable entries through an atomic pointer
 *     would read as cheaply, but every eviction would then need deferred
 *     freeing (a grace period over all workers) and an allocation per
 *     insert. Slots here are preallocated and overwritten in place, so the
 *     memory bound is exact (nentries * sizeof(struct sigcache_slot)) and
 *     nothing is ever allocated or freed after sigcache_new().
 *   - Signing happens before the bucket is locked, in the thread that
 *     missed; the lock covers one entry's copy (under 1 KiB). So a query
 *     waits at most for that copy, never for someone else's signature.
 *     Two threads that miss the same set at the same moment both sign it
 *     (the second insert overwrites the first): at most one signature per
 *     worker per new answer set, and no thread ever waits for another.
 *
 * The readers' copies of key and signature bytes may race with a writer;
 * the sequence check after the copy discards a torn one (the kernel's
 * seqlock pattern: acquire load, reads, acquire fence, relaxed re-load).
 * Lengths are atomics and checked against the buffers before any copy, so
 * a torn read can give a wrong answer only to be thrown away, never an
 * overrun.
 */
#include "config.h"
#include "server/dnssec/sigcache.h"
#include "server/dnssec/keys.h"
#include "server/dnssec/sign.h"
#include "common/dns.h"
#include "common/errors.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

struct sigcache_slot {
	_Atomic uint64_t hash;        /* 0: empty */
	_Atomic uint32_t refresh_at;  /* serve only while now < refresh_at */
	_Atomic uint16_t keylen;
	_Atomic uint16_t siglen;
	_Atomic uint8_t used;         /* CLOCK reference bit: set by hits, cleared by the hand */
	uint8_t key[SIGCACHE_KEY_MAX];
	uint8_t sig[SIGCACHE_SIG_MAX];
};

struct sigcache_bucket {
	_Atomic uint32_t seq;         /* odd while a writer is inside */
	uint32_t hand;                /* CLOCK hand; read and written under the lock only */
	struct sigcache_slot slot[SIGCACHE_WAYS];
} __attribute__((aligned(64)));

struct sigcache {
	struct sigcache_bucket *buckets; /* owned */
	size_t nbuckets;
};

static _Atomic uint32_t epoch_counter;

uint32_t sigcache_epoch_next(void)
{
	uint32_t e;

	do
		e = atomic_fetch_add_explicit(&epoch_counter, 1, memory_order_relaxed) + 1;
	while (e == 0);
	return e;
}

struct sigcache *sigcache_new(size_t nentries)
{
	struct sigcache *c;
	size_t nb = (nentries + SIGCACHE_WAYS - 1) / SIGCACHE_WAYS;

	if (nentries == 0 || nb > SIZE_MAX / sizeof(struct sigcache_bucket))
		return NULL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	/* Fresh anonymous pages: zero and page-aligned (buckets are 64-byte
	 * aligned), and resident only once used. Zeroing an aligned_alloc()
	 * block instead made the whole cache (7 MB by default) resident at
	 * start, in every server, signed zones or not. */
	c->buckets = mmap(NULL, nb * sizeof(struct sigcache_bucket), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			  -1, 0);
	if (c->buckets == MAP_FAILED) {
		free(c);
		return NULL;
	}
	c->nbuckets = nb;
	return c;
}

void sigcache_free(struct sigcache *c)
{
	if (!c)
		return;
	munmap(c->buckets, c->nbuckets * sizeof(struct sigcache_bucket));
	free(c);
}

size_t sigcache_capacity(const struct sigcache *c)
{
	return c ? c->nbuckets * SIGCACHE_WAYS : 0;
}

size_t sigcache_bytes(const struct sigcache *c)
{
	return c ? c->nbuckets * sizeof(struct sigcache_bucket) + sizeof(*c) : 0;
}

size_t sigcache_used(const struct sigcache *c)
{
	size_t n = 0;

	for (size_t b = 0; c && b < c->nbuckets; b++)
		for (int w = 0; w < SIGCACHE_WAYS; w++)
			n += atomic_load_explicit(&c->buckets[b].slot[w].hash, memory_order_relaxed) != 0;
	return n;
}

/* --- the key ----------------------------------------------------------- */

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* s->rs.rdata = addrs sorted as unsigned octet strings (RFC 4034 6.3),
 * duplicates dropped: the same set in any order is one key and one
 * signature. Insertion sort: n <= 16. */
static uint16_t sort_rdata(struct sigcache_scratch *s, const uint8_t *const *addrs, uint16_t n, uint16_t rdlen)
{
	const uint8_t **r = s->rs.rdata;
	uint16_t m = 0;

	for (uint16_t i = 0; i < n && i < SIGCACHE_MAX_RR; i++) {
		uint16_t j = m;
		int cmp = 1;
		while (j > 0 && (cmp = memcmp(r[j - 1], addrs[i], rdlen)) > 0)
			j--;
		if (j > 0 && cmp == 0)
			continue; /* a duplicate */
		memmove(&r[j + 1], &r[j], (size_t)(m - j) * sizeof(r[0]));
		r[j] = addrs[i];
		m++;
	}
	return m;
}

/* The key bytes into s->key; fills s->rs for the signer. Returns the key's
 * length (0 when the set cannot be keyed: no RDATA, a bad RDATA size). */
static uint16_t key_build(struct sigcache_scratch *s, uint32_t epoch, const uint8_t *owner, uint8_t ownerlen,
			  uint8_t labels, uint16_t type, uint32_t ttl, const uint8_t *const *addrs, uint16_t n,
			  uint16_t rdlen)
{
	uint8_t *k = s->key, *p;
	uint16_t m;

	if (n == 0 || rdlen == 0 || rdlen > 16)
		return 0;
	m = sort_rdata(s, addrs, n, rdlen);
	s->rs.owner = owner;
	s->rs.ownerlen = ownerlen;
	s->rs.labels = labels;
	s->rs.type = type;
	s->rs.ttl = ttl;
	s->rs.rdlen = rdlen;
	s->rs.n = m;
	put32(k, epoch);
	k[4] = (uint8_t)(type >> 8);
	k[5] = (uint8_t)type;
	put32(k + 6, ttl);
	k[10] = labels;
	k[11] = ownerlen;
	k[12] = (uint8_t)rdlen;
	k[13] = (uint8_t)m;
	memcpy(k + SIGCACHE_KEY_HEAD, owner, ownerlen);
	p = k + SIGCACHE_KEY_HEAD + ownerlen;
	for (uint16_t i = 0; i < m; i++, p += rdlen)
		memcpy(p, s->rs.rdata[i], rdlen);
	return (uint16_t)(p - k);
}

/* 64-bit hash of the key, eight bytes a step (a multiply-xorshift mix);
 * never 0, which marks an empty slot. */
static uint64_t key_hash(const uint8_t *k, size_t len)
{
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ len, w;
	size_t i = 0;

	for (; i + 8 <= len; i += 8) {
		memcpy(&w, k + i, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdULL;
		h ^= h >> 32;
	}
	w = 0;
	memcpy(&w, k + i, len - i);
	h = (h ^ w) * 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 29;
	return h ? h : 1;
}

static struct sigcache_bucket *bucket_of(const struct sigcache *c, uint64_t h)
{
	/* Lemire's range reduction: any bucket count, no modulo. */
	return &c->buckets[(size_t)(((h >> 32) * (uint64_t)c->nbuckets) >> 32)];
}

/* --- the hit path ------------------------------------------------------ */

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

/* Copy the live signature for key out of b into out; its length, or 0. */
static int slot_read(struct sigcache_slot *sl, uint64_t h, const uint8_t *key, uint16_t keylen, uint32_t now,
		     uint8_t *out, size_t cap)
{
	uint16_t sigl;

	if (atomic_load_explicit(&sl->hash, memory_order_relaxed) != h ||
	    atomic_load_explicit(&sl->keylen, memory_order_relaxed) != keylen || memcmp(sl->key, key, keylen) != 0)
		return -1; /* not this slot */
	sigl = atomic_load_explicit(&sl->siglen, memory_order_relaxed);
	if (atomic_load_explicit(&sl->refresh_at, memory_order_relaxed) <= now || sigl > cap ||
	    sigl > SIGCACHE_SIG_MAX)
		return 0; /* due for a new signature: a miss */
	memcpy(out, sl->sig, sigl);
	return sigl;
}

static int bucket_get(struct sigcache_bucket *b, uint64_t h, const uint8_t *key, uint16_t keylen, uint32_t now,
		      uint8_t *out, size_t cap)
{
	/* Bounded: a bucket rewritten on every try (it cannot stay locked for
	 * longer than a copy) ends as a miss rather than a spin. */
	for (int tries = 0; tries < 1000; tries++) {
		uint32_t s1 = atomic_load_explicit(&b->seq, memory_order_acquire);
		int len = 0, way = -1;

		if (s1 & 1) {
			cpu_relax();
			continue;
		}
		for (int w = 0; w < SIGCACHE_WAYS && way < 0; w++) {
			len = slot_read(&b->slot[w], h, key, keylen, now, out, cap);
			if (len >= 0)
				way = w;
		}
		atomic_thread_fence(memory_order_acquire);
		if (atomic_load_explicit(&b->seq, memory_order_relaxed) != s1)
			continue;
		if (len <= 0)
			return 0;
		/* Store only when clear: a popular entry's line stays shared. */
		if (!atomic_load_explicit(&b->slot[way].used, memory_order_relaxed))
			atomic_store_explicit(&b->slot[way].used, 1, memory_order_relaxed);
		return len;
	}
	return 0;
}

/* --- the insert -------------------------------------------------------- */

static void bucket_lock(struct sigcache_bucket *b)
{
	for (;;) {
		uint32_t s = atomic_load_explicit(&b->seq, memory_order_relaxed);
		if (!(s & 1) && atomic_compare_exchange_weak_explicit(&b->seq, &s, s + 1, memory_order_acquire,
								      memory_order_relaxed))
			break;
		cpu_relax();
	}
	/* Readers must see the odd number before any byte of the entry moves. */
	atomic_thread_fence(memory_order_release);
}

static void bucket_unlock(struct sigcache_bucket *b)
{
	atomic_fetch_add_explicit(&b->seq, 1, memory_order_release);
}

/* The slot to write: the same key, an empty or expired one, else the first
 * the CLOCK hand finds unreferenced (clearing reference bits on its way). */
static struct sigcache_slot *victim(struct sigcache_bucket *b, uint64_t h, const uint8_t *key, uint16_t keylen,
				    uint32_t now)
{
	struct sigcache_slot *free_sl = NULL;

	for (int w = 0; w < SIGCACHE_WAYS; w++) {
		struct sigcache_slot *sl = &b->slot[w];
		uint64_t sh = atomic_load_explicit(&sl->hash, memory_order_relaxed);
		if (sh == h && atomic_load_explicit(&sl->keylen, memory_order_relaxed) == keylen &&
		    memcmp(sl->key, key, keylen) == 0)
			return sl;
		if (!free_sl && (sh == 0 || atomic_load_explicit(&sl->refresh_at, memory_order_relaxed) <= now))
			free_sl = sl;
	}
	if (free_sl)
		return free_sl;
	for (int i = 0; i < 2 * SIGCACHE_WAYS; i++) {
		struct sigcache_slot *sl = &b->slot[b->hand];
		b->hand = (b->hand + 1) % SIGCACHE_WAYS;
		if (!atomic_load_explicit(&sl->used, memory_order_relaxed))
			return sl;
		atomic_store_explicit(&sl->used, 0, memory_order_relaxed);
	}
	return &b->slot[b->hand]; /* not reached: the first pass cleared every bit */
}

static void bucket_put(struct sigcache_bucket *b, uint64_t h, const uint8_t *key, uint16_t keylen,
		       const uint8_t *sig, uint16_t siglen, uint32_t refresh_at, uint32_t now)
{
	struct sigcache_slot *sl;

	bucket_lock(b);
	sl = victim(b, h, key, keylen, now);
	memcpy(sl->key, key, keylen);
	memcpy(sl->sig, sig, siglen);
	atomic_store_explicit(&sl->keylen, keylen, memory_order_relaxed);
	atomic_store_explicit(&sl->siglen, siglen, memory_order_relaxed);
	atomic_store_explicit(&sl->refresh_at, refresh_at, memory_order_relaxed);
	/* Referenced from the start, so the next insert does not take it. */
	atomic_store_explicit(&sl->used, 1, memory_order_relaxed);
	atomic_store_explicit(&sl->hash, h, memory_order_relaxed);
	bucket_unlock(b);
}

int sigcache_lookup(struct sigcache *c, const struct sigcache_signer *signer, struct sigcache_scratch *s,
		    const uint8_t *owner, uint8_t ownerlen, uint8_t labels, uint16_t type, uint32_t ttl,
		    const uint8_t *const *addrs, uint16_t n, uint16_t rdlen, uint32_t now, uint8_t *out, size_t cap,
		    enum sigcache_outcome *outcome)
{
	uint16_t keylen = key_build(s, signer->epoch, owner, ownerlen, labels, type, ttl, addrs, n, rdlen);
	uint32_t refresh_at = 0;
	struct sigcache_bucket *b;
	uint64_t h;
	int len;

	*outcome = SIGCACHE_FAILED;
	if (keylen == 0)
		return STEER_EINVAL;
	h = key_hash(s->key, keylen);
	b = bucket_of(c, h);
	len = bucket_get(b, h, s->key, keylen, now, out, cap);
	if (len > 0) {
		*outcome = SIGCACHE_HIT;
		return len;
	}
	len = signer->sign(signer->arg, &s->rs, now, out, cap, &refresh_at);
	if (len <= 0)
		return len < 0 ? len : STEER_EINVAL;
	*outcome = SIGCACHE_SIGNED;
	/* A signature already due (a clock step, a tiny validity) is served
	 * once and not kept. */
	if (len <= SIGCACHE_SIG_MAX && refresh_at > now)
		bucket_put(b, h, s->key, keylen, out, (uint16_t)len, refresh_at, now);
	return len;
}

/* --- the zone's signer -------------------------------------------------- */

int sigcache_sign_zsk(void *arg, const struct sigcache_rrset *rs, uint32_t now, uint8_t *out, size_t cap,
		      uint32_t *refresh_at)
{
	const struct sigcache_zsk *z = arg;
	struct dnssec_rdata rd[SIGCACHE_MAX_RR];
	uint32_t expiration = now + z->validity;

	if (!z->zsk || rs->n == 0 || rs->n > SIGCACHE_MAX_RR)
		return STEER_EINVAL;
	for (uint16_t i = 0; i < rs->n; i++) {
		rd[i].data = rs->rdata[i];
		rd[i].len = rs->rdlen;
	}
	*refresh_at = expiration - z->refresh;
	return dnssec_sign_rrset(z->zsk, z->apex, rs->owner, rs->labels, rs->type, DNS_CLASS_IN, rs->ttl, rd, rs->n,
				 now - SIGCACHE_INCEPTION_SKEW, expiration, z->scratch, z->cap, out, cap);
}

uint32_t sigcache_key_epoch(const struct dnssec_key *k)
{
	uint8_t id[3 + sizeof(k->pub)];
	uint64_t h;

	id[0] = k->alg;
	id[1] = (uint8_t)(k->tag >> 8);
	id[2] = (uint8_t)k->tag;
	memcpy(id + 3, k->pub, k->publen <= sizeof(k->pub) ? k->publen : sizeof(k->pub));
	h = key_hash(id, 3 + (k->publen <= sizeof(k->pub) ? k->publen : sizeof(k->pub)));
	h ^= h >> 32;
	return (uint32_t)h ? (uint32_t)h : 1;
}
