/*
 * sigcache.h -- the signature cache of steered answers (online signing).
 *
 * A steered name's A/AAAA set is chosen per query (server/steer/), so it
 * cannot be signed at load. Each distinct set a policy produces -- keyed
 * by owner, type, TTL (a degraded TTL is a different key), the sorted
 * RDATA and the signer's epoch (which key signs) -- is signed on first use
 * and the RRSIG RDATA kept here, shared by every UDP worker and the TCP
 * thread. A health change or a new region costs one signature per answer
 * set, not one per query.
 *
 *   sigcache_get()     the hit path: hash, one bucket, compare, copy out.
 *                      No allocation, no lock, no write to shared memory
 *                      except a "used" bit that is stored only when clear.
 *   sigcache_sign()    a miss: the caller's thread signs (outside every
 *                      lock), then inserts; the bucket is locked only for
 *                      the copy of one entry, so no query ever waits for
 *                      another query's signature.
 *
 * Memory is fixed at sigcache_new(): nentries slots of struct
 * sigcache_slot, in buckets of SIGCACHE_WAYS; a full bucket evicts an
 * expired slot first, else by CLOCK (second chance). See sigcache.c for
 * why a per-bucket sequence lock and not RCU.
 *
 * Layer: server/dnssec (libc only here; the signer is a function pointer,
 * so the unit tests run the cache without keys and the process wires in
 * dnssec_sign_rrset()).
 */
#ifndef STEER_DNSSEC_SIGCACHE_H
#define STEER_DNSSEC_SIGCACHE_H

#include <stddef.h>
#include <stdint.h>

/* A steered answer holds at most this many addresses (STEER_MAX_ADDRS). */
#define SIGCACHE_MAX_RR 16
/* The largest RRSIG RDATA kept: 18 fixed bytes, the signer (a zone apex,
 * at most 255 bytes) and a 64-byte signature (ECDSA P-256 and Ed25519). */
#define SIGCACHE_SIG_MAX (18 + 255 + 64)
/* Key bytes: a 14-byte head (epoch, type, TTL, labels, lengths, count),
 * the owner and n * 16 RDATA bytes. */
#define SIGCACHE_KEY_HEAD 14
#define SIGCACHE_KEY_MAX (SIGCACHE_KEY_HEAD + 255 + SIGCACHE_MAX_RR * 16)
/* Default size (server.sigcache_entries): about 7 MiB. */
#define SIGCACHE_DEFAULT_ENTRIES 8192
#define SIGCACHE_WAYS 4

/* One answer set to sign: n RDATAs of rdlen bytes each (A: 4, AAAA: 16). */
struct sigcache_rrset {
	const uint8_t *owner;    /* lowercase wire, uncompressed; for a wildcard: the "*" owner */
	uint8_t ownerlen;
	uint8_t labels;          /* RRSIG Labels field */
	uint16_t type;
	uint32_t ttl;
	uint16_t rdlen;
	uint16_t n;              /* 1..SIGCACHE_MAX_RR */
	const uint8_t *rdata[SIGCACHE_MAX_RR];
};

/* Make the RRSIG RDATA for rs (its rdata sorted and without duplicates)
 * into out[0..cap); store in *refresh_at the time (unix seconds) after
 * which the cached signature must not be served any more (the zone's
 * refresh rule: expiration less the refresh margin). Returns the RDATA's
 * length, or a negative STEER_E* code. Called in the thread that missed,
 * never under a lock of the cache. */
typedef int (*sigcache_sign_fn)(void *arg, const struct sigcache_rrset *rs, uint32_t now, uint8_t *out,
				size_t cap, uint32_t *refresh_at);

struct sigcache_signer {
	sigcache_sign_fn sign;
	void *arg;       /* borrowed: the zone's signing context */
	uint32_t epoch;  /* changes whenever the signing keys (or their zone) change: entries made
			    under another epoch are never served (sigcache_epoch_next()) */
};

/* What sigcache_lookup() did, for the counters. */
enum sigcache_outcome {
	SIGCACHE_NONE = 0, /* not asked */
	SIGCACHE_HIT,
	SIGCACHE_SIGNED,   /* a miss, signed and inserted */
	SIGCACHE_FAILED,   /* a miss, and the signer failed: the caller falls back */
};

/* Per-worker room for one lookup (the key bytes and the sorted RDATA);
 * owned by the caller, reused by every query. */
struct sigcache_scratch {
	uint8_t key[SIGCACHE_KEY_MAX];
	struct sigcache_rrset rs;
};

struct sigcache;

/* nentries slots (rounded up to whole buckets, at least one). NULL on
 * ENOMEM or nentries == 0. */
struct sigcache *sigcache_new(size_t nentries);
void sigcache_free(struct sigcache *c);
size_t sigcache_capacity(const struct sigcache *c);
/* Bytes the cache holds (fixed at sigcache_new). */
size_t sigcache_bytes(const struct sigcache *c);
/* Entries in use now (a scan; for status and tests, not the query path). */
size_t sigcache_used(const struct sigcache *c);

/* A new epoch, unique in the process (never 0). */
uint32_t sigcache_epoch_next(void);

/* The RRSIG RDATA for the answer set (owner, labels, type, ttl, the n
 * addresses addrs[i] of rdlen bytes, any order) under signer: from the
 * cache, or signed now and inserted. Writes it into out[0..cap) and
 * returns its length; a negative STEER_E* code when the signer fails (the
 * caller serves the zone file's RRset, signed at load). *outcome says
 * which happened. Thread-safe; allocates nothing. */
int sigcache_lookup(struct sigcache *c, const struct sigcache_signer *signer, struct sigcache_scratch *s,
		    const uint8_t *owner, uint8_t ownerlen, uint8_t labels, uint16_t type, uint32_t ttl,
		    const uint8_t *const *addrs, uint16_t n, uint16_t rdlen, uint32_t now, uint8_t *out, size_t cap,
		    enum sigcache_outcome *outcome);

/* --- the signer of a signed zone (what the process passes) ------------ */

struct dnssec_key;

/* arg of sigcache_sign_zsk: one zone's signing ZSK and timers. Built on the
 * stack by the query that missed; every pointer borrowed. */
struct sigcache_zsk {
	const struct dnssec_key *zsk; /* the zone's signing ZSK */
	const uint8_t *apex;          /* the signer name: the zone apex, wire */
	uint32_t validity;            /* signature_validity: expiration = now + validity */
	uint32_t refresh;             /* refresh_at = expiration - refresh */
	uint8_t *scratch;             /* the signed data (the caller's, per worker) */
	size_t cap;                   /* SIGCACHE_SIGN_SCRATCH is enough */
};

/* Signed data of an A/AAAA set of SIGCACHE_MAX_RR: the RRSIG head and
 * signer, then each RR with the owner; 8 KiB is more than enough. */
#define SIGCACHE_SIGN_SCRATCH 8192
/* Inception is backdated this much, for validators whose clock is behind
 * (as the zone signer does). */
#define SIGCACHE_INCEPTION_SKEW 3600

/* sigcache_sign_fn over dnssec_sign_rrset() (sign.h) with arg a struct
 * sigcache_zsk: inception now - SKEW, expiration now + validity. */
int sigcache_sign_zsk(void *arg, const struct sigcache_rrset *rs, uint32_t now, uint8_t *out, size_t cap,
		      uint32_t *refresh_at);
/* The epoch of signatures made by key k: a hash of its algorithm, tag and
 * public key, so the same ZSK keeps its entries across reloads and a new
 * one never sees them. Never 0. */
uint32_t sigcache_key_epoch(const struct dnssec_key *k);

#endif
