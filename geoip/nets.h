/*
 * nets.h -- addresses, CIDR prefixes and the "nets" overrides of the geoip
 * section ({"10.0.0.0/8": "internal", "2001:db8:1::/48": "internal"}).
 *
 * Address convention for all of geoip/: an address is 16 bytes in IPv6
 * network order; an IPv4 address is stored IPv4-mapped (::ffff:a.b.c.d).
 * Prefix lengths given to or returned by the public API count bits in the
 * client's own family: 0..32 for IPv4 (mapped) addresses, 0..128 for IPv6.
 * Internally ("plen128") IPv4 prefixes are 96 + n.
 */
#ifndef STEER_GEO_NETS_H
#define STEER_GEO_NETS_H

#include <stddef.h>
#include <stdint.h>

/* 1 when a is in ::ffff:0:0/96 (an IPv4 client). */
int geo_addr_is_v4(const uint8_t a[16]);
/* Store an IPv4 address (4 bytes, network order) as ::ffff:a.b.c.d. */
void geo_addr_from_v4(uint8_t out[16], const uint8_t v4[4]);
/* Parse "1.2.3.4", "1.2.3.0/24", "2001:db8::/32" or "::ffff:1.2.3.4" (taken
 * as IPv4). A missing /len means the full length. *plen is in the address'
 * own family (see above). Returns 0, or STEER_EINVAL for a malformed string
 * or an out-of-range length. Host bits are left as written. */
int geo_prefix_parse(const char *s, uint8_t addr[16], unsigned *plen);
/* Clear the bits of addr beyond plen128. Returns 1 if any bit was set. */
int geo_addr_mask(uint8_t addr[16], unsigned plen128);
/* "1.2.3.0/24" or "2001:db8::/32" into buf (at least 64 bytes); plen in the
 * address' own family. Returns buf. */
char *geo_prefix_format(char *buf, size_t size, const uint8_t addr[16], unsigned plen);
/* Bit i (0 = most significant) of a 128-bit address. */
static inline unsigned geo_addr_bit(const uint8_t a[16], unsigned i)
{
	return (a[i >> 3] >> (7 - (i & 7))) & 1;
}

struct geo_net {
	uint8_t addr[16];  /* host bits zero */
	unsigned plen128;  /* 0..128 (IPv4: 96..128) */
	char *name;        /* owned: the region name the prefix maps to */
};

/* The overrides, sorted by plen128 ascending so that inserting them in order
 * lets the more specific prefix win. */
struct geo_nets {
	struct geo_net *v; /* owned array */
	size_t n;
};

void geo_nets_init(struct geo_nets *nets);
void geo_nets_clear(struct geo_nets *nets);
/* Add a prefix string and its name. Returns 0, STEER_EINVAL (bad prefix,
 * host bits set, empty name), STEER_ERANGE (an IPv6 prefix that covers
 * ::ffff:0:0/96, e.g. ::/0: IPv4 networks must be written as IPv4),
 * STEER_EEXIST (same prefix twice) or STEER_ENOMEM; nets is unchanged on
 * error. */
int geo_nets_add(struct geo_nets *nets, const char *prefix, const char *name);
/* Deep copy. Returns 0 or STEER_ENOMEM (dst is then empty). */
int geo_nets_copy(struct geo_nets *dst, const struct geo_nets *src);
/* Longest matching prefix for addr, or NULL. */
const struct geo_net *geo_nets_match(const struct geo_nets *nets, const uint8_t addr[16]);

#endif
