/*
 * sigstore.h -- the signatures of a zone kept next to its keys
 * (key_dir/signatures.db), so a restart signs only what changed.
 *
 * One record per signed rrset: the SHA-256 of (owner, type, TTL, the
 * compiled RRs) -- any change in the rrset gives another key -- then the
 * rrset's compiled RRSIG RRs. zonesign.c reads the file at a load that has
 * no signed previous version, uses a record only when its signatures are
 * by keys still active for the role and valid for longer than the refresh
 * time (as for reuse from the previous version), and writes the file anew
 * (temporary + rename) after each signing. A missing or damaged file only
 * means signing everything.
 */
#ifndef STEER_DNSSEC_SIGSTORE_H
#define STEER_DNSSEC_SIGSTORE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct rrset;

struct sigstore_entry {
	const uint8_t *key;   /* 32 bytes, in buf */
	const uint8_t *sigs;  /* in buf */
	uint32_t len;
	uint16_t nsigs;
};

struct sigstore {
	uint8_t *buf;                 /* owned: the file */
	size_t len;
	struct sigstore_entry *slots; /* owned: open addressing, mask + 1 slots */
	size_t mask;
};

/* The key of the rrset set at owner (lowercase wire, olen bytes). */
void sigstore_key(const uint8_t *owner, size_t olen, const struct rrset *set, uint8_t out[32]);
/* Read path into st (empty when there is no usable file). 0 or STEER_ENOMEM. */
int sigstore_read(const char *path, struct sigstore *st);
const struct sigstore_entry *sigstore_find(const struct sigstore *st, const uint8_t key[32]);
void sigstore_clear(struct sigstore *st);
/* Append one record to f. */
void sigstore_put(FILE *f, const uint8_t key[32], const struct rrset *set);

#endif
