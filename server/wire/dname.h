/*
 * dname.h -- domain names in wire format (RFC 1035 3.1): length-prefixed
 * labels ending with the root label. Zone data keeps names lowercased, so
 * that hashing and comparing are plain byte operations on the query path.
 */
#ifndef STEER_DNAME_H
#define STEER_DNAME_H

#include <stddef.h>
#include <stdint.h>

#define DNAME_MAXLEN 255
#define DNAME_MAXLABELS 128

/* Length of an uncompressed wire name at p (within end), or -1 if it runs
 * past end, has a label over 63, a compression pointer, or exceeds 255. */
int dname_len(const uint8_t *p, const uint8_t *end);
/* Number of labels, not counting the root. */
int dname_labels(const uint8_t *name);
/* Lowercase copy of src (len bytes) into dst. */
void dname_lower(uint8_t *dst, const uint8_t *src, size_t len);
/* Hash of a lowercased wire name (len bytes, a valid name). */
uint32_t dname_hash(const uint8_t *name, size_t len);
/* Hashes of every suffix in one pass: out[i] = dname_hash of name with its
 * first i labels removed, out[labels] = the root. out needs
 * DNAME_MAXLABELS + 1 entries. Returns the number of labels. */
int dname_suffix_hashes(const uint8_t *name, uint32_t *out);
/* Pointer to the name with its first n labels removed. */
const uint8_t *dname_skip(const uint8_t *name, int n);
/* Length of a wire name already known to be valid. */
size_t dname_wire_len(const uint8_t *name);
/* Byte equality of two valid wire names (lowercase them first). */
int dname_equal(const uint8_t *a, const uint8_t *b);
/* Is name (lowercase) equal to or below apex (lowercase)? */
int dname_is_subdomain(const uint8_t *name, int name_labels, const uint8_t *apex, int apex_labels);
/* Presentation form into buf ("www.example.com."). */
void dname_to_str(const uint8_t *name, char *buf, size_t size);

#endif
