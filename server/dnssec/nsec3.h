/*
 * nsec3.h -- load-time helpers shared by zonesign.c and nsec3.c (building
 * rrsets into a zone being signed), and the NSEC3 chain (RFC 5155 with
 * RFC 9276: SHA-1, 0 extra iterations, no salt, no opt-out).
 */
#ifndef STEER_DNSSEC_NSEC3_H
#define STEER_DNSSEC_NSEC3_H

#include <stddef.h>
#include <stdint.h>

struct arena;
struct dnssec_zone;
struct node;
struct rrset;
struct zone;

/* Authoritative data (at or above the cuts, not below a DNAME, not empty). */
int dnssec_node_authoritative(const struct node *n);
/* Is the rrset of type at n signed (at a cut only DS and NSEC are)? */
int dnssec_rrset_signed(const struct node *n, uint16_t type);
/* The RRSIG Labels field for n (a wildcard "*" not counted). */
uint8_t dnssec_node_sig_labels(const struct node *n);
void dnssec_zone_free(struct dnssec_zone *dz);

/* An rrset of n RRs (rdata[i], len[i] bytes) built in a. */
int dnssec_rrset_build(struct arena *a, uint16_t type, uint32_t ttl, const uint8_t *const *rdata,
		       const uint16_t *len, size_t n, struct rrset *out);
/* Add k rrsets (sorted by type, types n does not have) to n. */
int dnssec_node_add(struct arena *a, struct node *n, const struct rrset *add, size_t k);
/* Type bitmap (RFC 4034 4.1.2) of types[0..n) (sorted, unique) into out
 * (8704 bytes at most); returns its length. */
size_t dnssec_bitmap(const uint16_t *types, size_t n, uint8_t *out);
/* n's types for a bitmap (at a cut: NS and DS only) plus extra, sorted;
 * out needs n->nrrsets + nextra entries. Returns how many. */
size_t dnssec_node_types(const struct node *n, const uint16_t *extra, size_t nextra, uint16_t *out);
/* The nodes of the chain in canonical order (malloc'ed array): the
 * authoritative ones, and with with_ents the empty non-terminals. */
int dnssec_collect(const struct zone *z, int with_ents, const struct node ***out, size_t *n);

/* NSEC3PARAM at the apex, then one NSEC3 per authoritative name and empty
 * non-terminal into dz->n3 (sorted by hash), each owned by a node of its
 * own in z's arena. STEER_EOK or STEER_ENOMEM. */
int dnssec_nsec3_build(struct zone *z, struct dnssec_zone *dz);
/* The old version's NSEC3 owner node of hash, or NULL. */
const struct node *dnssec_nsec3_node(const struct dnssec_zone *dz, const uint8_t hash[20]);

#endif
