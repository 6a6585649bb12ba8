/*
 * denial.h -- the query path's side of a signed zone: canonical name order
 * and the NSEC / NSEC3 records that prove a name or type absent
 * (RFC 4034 6.1, RFC 4035 3.1.3, RFC 5155 7.2).
 *
 * Everything reads the immutable struct dnssec_zone of a zone; nothing
 * allocates (NSEC3 hashing uses one digest context per thread, made on the
 * thread's first NSEC3 proof).
 */
#ifndef STEER_DNSSEC_DENIAL_H
#define STEER_DNSSEC_DENIAL_H

#include <stddef.h>
#include <stdint.h>

struct dnssec_zone;
struct node;

/* RFC 4034 6.1 order of two lowercase wire names: <0, 0, >0. */
int dnssec_name_cmp(const uint8_t *a, const uint8_t *b);

/* NSEC: the node of the chain whose NSEC matches (owner == name) or covers
 * name (owner < name < next, wrapping at the end); never NULL for a name
 * in the zone. *exact tells which. */
const struct node *dnssec_nsec_find(const struct dnssec_zone *dz, const uint8_t *name, int *exact);

/* The order key of name (under an apex of apexlabels labels): two integers
 * whose order is the canonical order of names under one apex, equal keys
 * for names that need dnssec_name_cmp. -1 when a label holds a 0 byte. */
int dnssec_order_key(const uint8_t *name, int apexlabels, uint64_t key[2]);
/* At load: dz->keys for dz->chain (none, and 0, when some name has no key). -1 on ENOMEM. */
int dnssec_chain_keys(struct dnssec_zone *dz, int apexlabels);

/* NSEC3: the hash-chain node matching (exact) or covering name's hash. */
const struct node *dnssec_nsec3_find(const struct dnssec_zone *dz, const uint8_t *name, size_t len, int *exact);

/* NSEC3 hash (SHA-1, 0 extra iterations, no salt: RFC 9276) of name. */
int dnssec_nsec3_hash(const uint8_t *name, size_t len, uint8_t out[20]);

#endif
