/*
 * signbatch.h -- the zone signer's new signatures, made on several threads.
 *
 * A load that must make many signatures (the first load of a large zone,
 * a key rollover) is bound by the signing itself: about 280,000
 * instructions per ECDSA P-256 signature in OpenSSL, some 20,000 a second
 * on one core, so 1.4M signatures of a 1M-record zone take over a minute.
 * zonesign.c therefore queues each rrset that needs new signatures here
 * and, when the batch is full and at the end, signbatch_sign() makes them
 * all: the calling thread and up to SIGNBATCH_THREADS - 1 more (one per
 * CPU the process may run on), each with its own buffers, sharing only
 * the keys (OpenSSL allows that for signing). The extra threads run at a
 * lower priority (nice 10) so that during a reload the query workers keep
 * their CPU. The caller then takes the results in queue order (the zone's
 * arena is not shared). A small batch (a reload with a few edits) is
 * signed on the calling thread alone.
 */
#ifndef STEER_DNSSEC_SIGNBATCH_H
#define STEER_DNSSEC_SIGNBATCH_H

#include <stddef.h>
#include <stdint.h>

#include "server/wire/dname.h"
#include "server/wire/rr.h"

struct dnssec_key;
struct node;
struct rrset;

#define SIGNBATCH_THREADS 8
#define SIGNBATCH_SIGS 16384 /* signatures a batch holds */
/* One RRSIG RR (TYPE CLASS TTL RDLENGTH, 18 fixed bytes, signer, a 64-byte
 * ECDSA P-256 or Ed25519 signature): the room each signature gets. */
#define SIGNBATCH_SLOT (RR_FIXED + 18 + DNAME_MAXLEN + 64)

struct signbatch_job {
	const struct node *n;                 /* the owner (its name and label count) */
	struct rrset *set;
	const struct dnssec_key *const *keys; /* one signature per key */
	int nkeys;
	uint8_t store_key[32];                /* the rrset's key in the signature store (sigstore.h) */
	int ret;                              /* after signbatch_sign(): 0 or a STEER_E* code */
	uint8_t *out;                         /* nkeys slots of SIGNBATCH_SLOT: the RRSIG RRs */
};

struct signbatch {
	const uint8_t *signer;                /* the zone apex (wire) */
	uint32_t inception, expiration;
	int threads;                          /* threads to sign with, the caller's included */
	struct signbatch_job *jobs;           /* owned */
	size_t njobs, nsigs;
	uint8_t *slots;                       /* owned: SIGNBATCH_SIGS slots */
};

/* Returns 0, or STEER_ENOMEM. */
int signbatch_init(struct signbatch *b, const uint8_t *signer, uint32_t inception, uint32_t expiration);
void signbatch_free(struct signbatch *b);
/* A job for nkeys signatures (the caller fills n, set, keys, store_key),
 * or NULL when the batch is full: sign and take it, reset, add again. */
struct signbatch_job *signbatch_add(struct signbatch *b, int nkeys);
/* Make the signatures of every queued job (each job's ret and out). */
void signbatch_sign(struct signbatch *b);
/* Empty the batch (after its results were taken). */
void signbatch_reset(struct signbatch *b);

#endif
