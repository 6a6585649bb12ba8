/*
 * sign.h -- one RRSIG for one RRset (RFC 4034 3, RFC 4035 2.2).
 *
 * CONTRACT between the static signer (zone signing at load, sign.c) and the
 * online signer of steered answers (sigcache.c): both make signatures with
 * this one function, so there is one canonical-form and one crypto path.
 * It canonicalises (lowercase owner, RDATA sorted as unsigned octet
 * strings, RFC 4034 6.2/6.3), builds the signed data and signs it with
 * OpenSSL (EVP_DigestSign). It allocates nothing itself: the caller gives
 * the buffers (the query path's callers keep them per worker); OpenSSL
 * allocates and frees its own digest context inside each call.
 */
#ifndef STEER_DNSSEC_SIGN_H
#define STEER_DNSSEC_SIGN_H

#include <stddef.h>
#include <stdint.h>

struct dnssec_key;

/* One RDATA of the set, in wire form (names uncompressed). */
struct dnssec_rdata {
	const uint8_t *data;
	uint16_t len;
};

/* Sign the RRset owner/type/class/ttl with rdata[0..n) (any order; n > 0)
 * for the validity [inception, expiration] (unix seconds; serial-number
 * arithmetic on the wire), signer = zone apex (wire). owner and signer are
 * uncompressed wire names. labels is the RRSIG Labels field (the owner's
 * label count without the root, less one for a wildcard owner "*").
 * scratch (cap bytes) holds the signed data; 64 KiB always suffices.
 * Writes the RRSIG RDATA into out (cap_out bytes) and returns its length,
 * or a negative STEER_E* code (STEER_ESPACE when a buffer is too small). */
int dnssec_sign_rrset(const struct dnssec_key *k, const uint8_t *signer,
		      const uint8_t *owner, uint8_t labels, uint16_t type, uint16_t rclass, uint32_t ttl,
		      const struct dnssec_rdata *rdata, size_t n,
		      uint32_t inception, uint32_t expiration,
		      uint8_t *scratch, size_t cap, uint8_t *out, size_t cap_out);

/* Added with sign.c: */
/* The RRSIG RDATA up to and including the signer (what precedes the
 * signature); returns its length or STEER_ESPACE. */
int dnssec_rrsig_header(const struct dnssec_key *k, const uint8_t *signer, uint8_t labels, uint16_t type,
			uint32_t ttl, uint32_t inception, uint32_t expiration, uint8_t *out, size_t cap);
/* The signed data (RFC 4034 3.1.8.1) into scratch; returns its length.
 * Canonical form: owner lowercased, the names inside RDATA of the types
 * RFC 4034 6.2 lists lowercased (not NSEC's, RFC 6840 5.1), RRs sorted and
 * duplicates dropped (6.3). RDATA names must be uncompressed. */
int dnssec_signed_data(const struct dnssec_key *k, const uint8_t *signer, const uint8_t *owner, uint8_t labels,
		       uint16_t type, uint16_t rclass, uint32_t ttl, const struct dnssec_rdata *rdata, size_t n,
		       uint32_t inception, uint32_t expiration, uint8_t *scratch, size_t cap);
/* Verify sig (64 bytes, wire form) over data with the DNSKEY public key
 * field pub of alg. Returns 0 when it verifies, STEER_EINVAL otherwise. */
int dnssec_verify(uint8_t alg, const uint8_t *pub, size_t publen, const uint8_t *data, size_t len,
		  const uint8_t *sig, size_t siglen);

#endif
