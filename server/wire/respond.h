/*
 * respond.h -- write a DNS response: sections, name compression, limits.
 *
 * struct pkt wraps the caller's response buffer. Writers return 0, or -1
 * when the data does not fit in the current limit (the packet is then
 * unchanged: every write is all or nothing). The compression state is a
 * small suffix tree of the labels already in the packet (RFC 1035 4.1.4);
 * it is part of struct pkt, so nothing is allocated.
 */
#ifndef STEER_RESPOND_H
#define STEER_RESPOND_H

#include <stddef.h>
#include <stdint.h>

#include "common/dns.h"

#define PKT_SFX_MAX 128 /* labels remembered for compression */

enum { SEC_ANSWER = 0, SEC_AUTHORITY = 1, SEC_ADDITIONAL = 2 };

struct pkt {
	uint8_t *buf;
	size_t len;   /* bytes written */
	size_t limit; /* writes must end at or before this */
	uint16_t count[3];
	struct {
		uint16_t off;   /* offset of a label's length byte in buf */
		int16_t parent; /* entry of the suffix that follows it, -1 = root */
	} sfx[PKT_SFX_MAX];
	int nsfx;
	/* Where the last name written (pkt_put_name) and the owner of the last
	 * RR (pkt_put_rr) can be pointed at: the offset pkt_put_name would
	 * point a later copy of the whole name at, or 0 when it would not
	 * (the root, or the name's labels not in the table). */
	uint16_t name_at, owner_at;
};

/* Start a response to a query: copies the ID and question (question_len
 * bytes at q + 12; 0 for none), sets QR and the flags. */
void pkt_begin(struct pkt *p, uint8_t *buf, size_t limit, const uint8_t *query, size_t question_len);

/* Header bits, set once per response (inline: every response pays them). */
static inline void pkt_set_rcode(struct pkt *p, uint16_t rcode) /* low 4 bits into the header */
{
	p->buf[3] = (uint8_t)((p->buf[3] & ~DNS_RCODE_MASK) | (rcode & DNS_RCODE_MASK));
}

static inline void pkt_set_aa(struct pkt *p, int on)
{
	if (on)
		p->buf[2] |= DNS_FLAG_AA;
	else
		p->buf[2] &= (uint8_t)~DNS_FLAG_AA;
}

static inline void pkt_set_tc(struct pkt *p)
{
	p->buf[2] |= DNS_FLAG_TC;
}

/* Write a name (lowercase or not; valid wire form), compressed. */
int pkt_put_name(struct pkt *p, const uint8_t *name);
/* Write one RR: owner (NULL = the question name, by pointer), then the
 * precompiled wire tail (TYPE CLASS TTL RDLENGTH RDATA); names inside the
 * RDATA of NS, CNAME, PTR, MX, SOA are compressed. ttl_override, when not
 * UINT32_MAX, replaces the TTL. */
int pkt_put_rr(struct pkt *p, int section, const uint8_t *owner, const uint8_t *wire, uint16_t wlen,
	       uint32_t ttl_override);
/* pkt_put_rr() with the owner given as the offset of an earlier copy of
 * it (pkt.owner_at after that RR, not 0): the same bytes pkt_put_rr()
 * writes for the same owner name, without searching the table. */
int pkt_put_rr_at(struct pkt *p, int section, uint16_t owner_at, const uint8_t *wire, uint16_t wlen,
		  uint32_t ttl_override);
/* Append raw bytes as one RR of section (used for OPT and synthesized RRs). */
int pkt_put_raw_rr(struct pkt *p, int section, const uint8_t *rr, size_t len);

/* Mark / roll back: undo everything written since the mark (counts too). */
struct pkt_mark {
	size_t len;
	uint16_t count[3];
	int nsfx;
};
void pkt_mark(const struct pkt *p, struct pkt_mark *m);
void pkt_rollback(struct pkt *p, const struct pkt_mark *m);

/* Write the section counts into the header; returns the final length. */
size_t pkt_finish(struct pkt *p);

#endif
