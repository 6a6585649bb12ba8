/* query.c -- parse a DNS query: header, one question, EDNS OPT and ECS. */
#include "config.h"
#include "server/wire/query.h"
#include "common/dns.h"

#include <string.h>

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* Skip a possibly compressed name; returns the offset after it or 0. */
static size_t skip_name(const uint8_t *pkt, size_t len, size_t off)
{
	while (off < len) {
		uint8_t l = pkt[off];
		if (l == 0)
			return off + 1;
		if ((l & 0xc0) == 0xc0)
			return off + 2 <= len ? off + 2 : 0;
		if (l > 63)
			return 0;
		off += l + 1u;
	}
	return 0;
}

/* RFC 7871 6: validate and copy the ECS option. */
static enum query_status parse_ecs(const uint8_t *o, uint16_t olen, struct query *q)
{
	uint16_t family;
	uint8_t source, scope, maxbits, nbytes;

	if (olen < 4)
		return QUERY_FORMERR;
	family = get16(o);
	source = o[2];
	scope = o[3];
	if (family == 1)
		maxbits = 32;
	else if (family == 2)
		maxbits = 128;
	else
		return QUERY_FORMERR;
	nbytes = (uint8_t)((source + 7) / 8);
	/* SCOPE must be 0 in queries; the address must be exactly as long as
	 * SOURCE needs, with no bits set past SOURCE. */
	if (source > maxbits || scope != 0 || olen - 4 != nbytes)
		return QUERY_FORMERR;
	if (source % 8 && (o[4 + nbytes - 1] & (0xff >> (source % 8))))
		return QUERY_FORMERR;
	if (q->ecs) /* RFC 7871 7.1: more than one ECS option is FORMERR */
		return QUERY_FORMERR;
	q->ecs = 1;
	q->ecs_family = family;
	q->ecs_source = source;
	memset(q->ecs_addr, 0, sizeof(q->ecs_addr));
	memcpy(q->ecs_addr, o + 4, nbytes);
	return QUERY_OK;
}

static enum query_status parse_opt(const uint8_t *pkt, size_t len, size_t off, struct query *q)
{
	/* off points at TYPE; owner (root) already checked by the caller. */
	uint16_t rdlen = get16(pkt + off + 8);
	size_t p = off + 10, end = p + rdlen;
	enum query_status st = QUERY_OK;

	if (q->edns) /* RFC 6891 6.1.1: more than one OPT is FORMERR */
		return QUERY_FORMERR;
	q->edns = 1;
	q->edns_payload = get16(pkt + off + 2);
	if (q->edns_payload < 512)
		q->edns_payload = 512;
	q->edns_version = pkt[off + 5];
	q->edns_do = (pkt[off + 6] & 0x80) != 0;
	while (p + 4 <= end) {
		uint16_t code = get16(pkt + p), olen = get16(pkt + p + 2);
		if (p + 4 + olen > end)
			return QUERY_FORMERR;
		if (code == DNS_EDNS_ECS && st == QUERY_OK)
			st = parse_ecs(pkt + p + 4, olen, q);
		/* Other options (cookies, NSID, padding, unknown) are ignored. */
		p += 4u + olen;
	}
	if (p != end)
		return QUERY_FORMERR;
	return st;
}

enum query_status query_parse(const uint8_t *pkt, size_t len, struct query *q)
{
	uint16_t qdcount, ancount, nscount, arcount;
	size_t off;
	int nlen;

	memset(q, 0, offsetof(struct query, qname));
	q->edns = 0;
	q->ecs = 0;
	if (len < 12 || (pkt[2] & 0x80)) /* too short, or a response: never answer those */
		return QUERY_DROP;
	q->id = get16(pkt);
	q->opcode = (pkt[2] >> 3) & 0x0f;
	q->rd = pkt[2] & 0x01;
	q->cd = (pkt[3] & 0x10) != 0;
	qdcount = get16(pkt + 4);
	ancount = get16(pkt + 6);
	nscount = get16(pkt + 8);
	arcount = get16(pkt + 10);

	if (qdcount != 1)
		return q->opcode == DNS_OPCODE_QUERY ? QUERY_FORMERR : QUERY_NOTIMP;
	/* The question name must be uncompressed (nothing precedes it to point at). */
	nlen = dname_len(pkt + 12, pkt + len);
	if (nlen < 0 || 12 + (size_t)nlen + 4 > len)
		return q->opcode == DNS_OPCODE_QUERY ? QUERY_FORMERR : QUERY_NOTIMP;
	dname_lower(q->qname, pkt + 12, (size_t)nlen);
	q->qname_len = (uint16_t)nlen;
	q->qlabels = (uint8_t)dname_labels(q->qname);
	q->qtype = get16(pkt + 12 + nlen);
	q->qclass = get16(pkt + 12 + nlen + 2);
	q->question_len = (size_t)nlen + 4;
	q->question_ok = 1;
	if (q->opcode != DNS_OPCODE_QUERY)
		return QUERY_NOTIMP;

	/* Walk the other sections only to find the OPT record. */
	off = 12 + q->question_len;
	for (unsigned i = 0; i < (unsigned)ancount + nscount + arcount; i++) {
		size_t start = off;
		off = skip_name(pkt, len, off);
		if (!off || off + 10 > len)
			return QUERY_FORMERR;
		uint16_t type = get16(pkt + off), rdlen = get16(pkt + off + 8);
		if (off + 10 + rdlen > len)
			return QUERY_FORMERR;
		if (type == DNS_TYPE_OPT) {
			enum query_status st;
			/* OPT belongs in the additional section with the root as owner. */
			if (i < (unsigned)ancount + nscount || off != start + 1 || pkt[start] != 0)
				return QUERY_FORMERR;
			st = parse_opt(pkt, len, off, q);
			if (st != QUERY_OK)
				return st;
		}
		off += 10u + rdlen;
	}
	if (q->edns && q->edns_version > 0)
		return QUERY_BADVERS;
	return QUERY_OK;
}
