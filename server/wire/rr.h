/*
 * rr.h -- the fixed part of a resource record in wire format, written and
 * read in one place.
 *
 * Layer: server/wire (libc only). Every module that packs an RR header
 * (the zone loader compiling RRsets, answer synthesizing CNAME, steered
 * A/AAAA, CH TXT and OPT, the packet writer overriding a TTL) uses these,
 * so byte order and field offsets exist once. A compiled RR is
 * TYPE(2) CLASS(2) TTL(4) RDLENGTH(2) RDATA, the owner name kept apart.
 */
#ifndef STEER_WIRE_RR_H
#define STEER_WIRE_RR_H

#include <stdint.h>

#define RR_FIXED 10 /* TYPE CLASS TTL RDLENGTH */
#define RR_TTL_OFF 4
#define RR_RDLEN_OFF 8
#define RR_OPT_FIXED (1 + RR_FIXED) /* an OPT record without options: root owner + fixed part */

static inline void wire_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void wire_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static inline uint16_t wire_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t wire_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Write TYPE CLASS TTL RDLENGTH at p (RR_FIXED bytes). */
static inline void rr_header_put(uint8_t *p, uint16_t type, uint16_t cls, uint32_t ttl, uint16_t rdlen)
{
	wire_put16(p, type);
	wire_put16(p + 2, cls);
	wire_put32(p + RR_TTL_OFF, ttl);
	wire_put16(p + RR_RDLEN_OFF, rdlen);
}

/* Length of the compiled RR at rr: RR_FIXED + RDLENGTH. */
static inline uint16_t rr_len(const uint8_t *rr)
{
	return (uint16_t)(RR_FIXED + wire_get16(rr + RR_RDLEN_OFF));
}

#endif
