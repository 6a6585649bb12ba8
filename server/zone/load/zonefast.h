/*
 * zonefast.h -- fast path for the common records of a master file.
 *
 * The zone loader (reader.c) splits a master file into logical entries and
 * hands each to ldns_rr_new_frm_str(), which is correct for every type but
 * costs most of the load time of a large zone (allocations per field, a
 * descriptor walk, an rdf per field, then a wire conversion). Real zones are
 * mostly A, AAAA, NS, CNAME, MX, TXT, PTR and SRV written plainly, so this
 * module parses exactly those, straight into wire format, and declines
 * everything else: the caller then uses ldns as before.
 *
 * The contract is "same result as ldns or no result": for every entry that
 * zonefast_parse() accepts, the owner, type, TTL and rdata are byte for byte
 * what ldns_rr_new_frm_str() (after reader.c's class/TTL swap) and
 * ldns_rr_rdata2buffer_wire() produce, including ldns's quirks (no TTL with
 * $TTL 0 means 3600; "@" as owner also becomes the previous owner). The
 * differential test tests/unit/test_zonefast.c holds it to that. Anything
 * unusual is declined rather than interpreted: backslash escapes,
 * parentheses, ';', line breaks, classes other than IN, TYPEnnn and other
 * types, RFC 3597 "\#", '@' inside names, out-of-range numbers, trailing
 * text, blanks at the end of the entry. Declining is always safe, and errors
 * keep ldns's messages.
 */
#ifndef STEER_ZONEFAST_H
#define STEER_ZONEFAST_H

#include <stddef.h>
#include <stdint.h>

/* Largest rdata the fast path produces (it declines longer entries). */
#define ZONEFAST_RDATA_MAX 65535

/* One parsed record. Names are uncompressed wire format, case as written
 * (the loader lowercases owners itself). About 64 KiB: allocate it once per
 * load and reuse it for every entry. */
struct zonefast_rr {
	uint8_t owner[255];
	uint16_t ownerlen;
	uint16_t type;
	uint32_t ttl;
	uint16_t rdlen;
	uint8_t rdata[ZONEFAST_RDATA_MAX];
};

/* Per-file parsing context, owned by the caller (one per file being read,
 * like ldns's origin and prev). Initialise with zonefast_init(). */
struct zonefast_state {
	uint8_t origin[255]; /* current $ORIGIN, wire; originlen 0 = unset */
	uint16_t originlen;
	uint8_t prev_owner[255]; /* owner of the previous record, wire */
	uint16_t prevlen;
	int have_prev;     /* prev_owner is set */
	int prev_unusable; /* ldns's prev is one we cannot hold (over 255) */
};

/* Empty state: no origin (zonefast_parse declines until one is set), no
 * previous owner. */
void zonefast_init(struct zonefast_state *st);
/* Set the origin (wire name, len bytes); call it at the start of each file
 * and after every $ORIGIN. Returns 0, or STEER_EINVAL when len is 0 or over
 * 255: the origin is then unset and every entry is declined until a valid
 * origin is set. */
int zonefast_set_origin(struct zonefast_state *st, const uint8_t *wire, size_t len);
/* Set the previous owner: call it after every entry ldns parsed (whether
 * ldns succeeded or not), with the owner ldns now holds as "prev", so that a
 * following blank-owner entry gets the same owner on both paths. Returns 0,
 * or STEER_EINVAL when len is 0 or over 255: then blank-owner entries are
 * declined until an entry with an owner is parsed here or set again. */
int zonefast_set_prev(struct zonefast_state *st, const uint8_t *wire, size_t len);

/* Parse one logical entry (one line, comments and parentheses already
 * removed, leading blanks = same owner as before). default_ttl is the $TTL
 * in force. Returns 1 with *out filled and st's previous owner updated
 * (as ldns updates its prev), or 0 when the entry must go to ldns; then *out
 * may be partly written but st is untouched. Never fails otherwise. */
int zonefast_parse(const char *entry, uint32_t default_ttl, struct zonefast_state *st, struct zonefast_rr *out);

/* RFC 1035 5.1 allows "[<TTL>] [<class>]" in either order; ldns accepts
 * only TTL first. Swap "<class> <TTL>" in place (same length) so an entry
 * can go to ldns. The loader calls it before ldns; tests use it too. */
void zonefast_normalize_class_ttl(char *entry);

#endif
