/* query.c -- parse a DNS query: header, one question, EDNS OPT and ECS. */
#include "config.h"
#include "server/wire/query.h"
#include "server/wire/rr.h"
#include "common/dns.h"

#include <string.h>

size_t query_skip_name(const uint8_t *pkt, size_t len, size_t off)
{
	while (off < len) {
		uint8_t l = pkt[off];
		if (l == 0)
			return off + 1;
		if ((l & DNS_LABEL_PTR) == DNS_LABEL_PTR)
			return off + 2 <= len ? off + 2 : 0;
		if (l > DNS_LABEL_MAX)
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

	if (olen < DNS_ECS_FIXED)
		return QUERY_FORMERR;
	family = wire_get16(o);
	source = o[2];
	scope = o[3];
	if (family == DNS_ECS_FAMILY_IP4)
		maxbits = 32;
	else if (family == DNS_ECS_FAMILY_IP6)
		maxbits = 128;
	else
		return QUERY_FORMERR;
	nbytes = (uint8_t)((source + 7) / 8);
	/* SCOPE must be 0 in queries; the address must be exactly as long as
	 * SOURCE needs, with no bits set past SOURCE. */
	if (source > maxbits || scope != 0 || olen - DNS_ECS_FIXED != nbytes)
		return QUERY_FORMERR;
	if (source % 8 && (o[DNS_ECS_FIXED + nbytes - 1] & (0xff >> (source % 8))))
		return QUERY_FORMERR;
	if (q->ecs) /* RFC 7871 7.1: more than one ECS option is FORMERR */
		return QUERY_FORMERR;
	q->ecs = 1;
	q->ecs_family = family;
	q->ecs_source = source;
	memset(q->ecs_addr, 0, sizeof(q->ecs_addr));
	memcpy(q->ecs_addr, o + DNS_ECS_FIXED, nbytes);
	return QUERY_OK;
}

/* RFC 7873 5.2.2: a COOKIE too short for a client cookie, with a server
 * cookie of 1 to 7 bytes, or longer than 40 is FORMERR. Only the first
 * COOKIE option counts; NSID (RFC 5001 2.1) is asked with an empty one. */
static enum query_status parse_cookie_nsid(uint16_t code, const uint8_t *o, uint16_t olen, struct query *q)
{
	if (code == DNS_EDNS_NSID) {
		q->nsid = 1;
		return QUERY_OK;
	}
	if (olen < 8 || (olen > 8 && olen < 16) || olen > sizeof(q->cookie))
		return QUERY_FORMERR;
	if (!q->cookie_len) {
		memcpy(q->cookie, o, olen);
		q->cookie_len = (uint8_t)olen;
	}
	return QUERY_OK;
}

static enum query_status parse_opt(const uint8_t *pkt, size_t len, size_t off, struct query *q)
{
	/* off points at TYPE; owner (root) already checked by the caller. The
	 * OPT's CLASS is the payload size; its TTL holds the extended rcode,
	 * the version and the flags (RFC 6891 6.1.3). */
	const uint8_t *ttl = pkt + off + RR_TTL_OFF;
	uint16_t rdlen = wire_get16(pkt + off + RR_RDLEN_OFF);
	size_t p = off + RR_FIXED, end = p + rdlen;
	enum query_status st = QUERY_OK;

	if (q->edns) /* RFC 6891 6.1.1: more than one OPT is FORMERR */
		return QUERY_FORMERR;
	q->edns = 1;
	q->edns_payload = wire_get16(pkt + off + 2);
	if (q->edns_payload < DNS_UDP_PLAIN)
		q->edns_payload = DNS_UDP_PLAIN;
	q->edns_version = ttl[1];
	q->edns_do = (wire_get16(ttl + 2) & DNS_EDNS_DO) != 0;
	while (p + DNS_EDNS_OPT_HDR <= end) {
		uint16_t code = wire_get16(pkt + p), olen = wire_get16(pkt + p + 2);
		if (p + DNS_EDNS_OPT_HDR + olen > end)
			return QUERY_FORMERR;
		if (code == DNS_EDNS_ECS && st == QUERY_OK)
			st = parse_ecs(pkt + p + DNS_EDNS_OPT_HDR, olen, q);
		if ((code == DNS_EDNS_COOKIE || code == DNS_EDNS_NSID) && st == QUERY_OK)
			st = parse_cookie_nsid(code, pkt + p + DNS_EDNS_OPT_HDR, olen, q);
		if (code == DNS_EDNS_EXPIRE) /* RFC 7314 2: empty in a query */
			q->expire = 1;
		/* Other options (padding, unknown) are ignored. */
		p += DNS_EDNS_OPT_HDR + olen;
	}
	if (p != end)
		return QUERY_FORMERR;
	return st;
}

/* The question (one, uncompressed: nothing precedes it to point at).
 * Returns 0, or -1 when it is malformed. */
static int parse_question(const uint8_t *pkt, size_t len, struct query *q)
{
	const uint8_t *name = pkt + DNS_HEADER_LEN;
	int nlen = dname_len(name, pkt + len);

	if (nlen < 0 || DNS_HEADER_LEN + (size_t)nlen + 4 > len)
		return -1;
	dname_lower(q->qname, name, (size_t)nlen);
	q->qname_len = (uint16_t)nlen;
	q->qlabels = (uint8_t)dname_labels(q->qname);
	q->qtype = wire_get16(name + nlen);
	q->qclass = wire_get16(name + nlen + 2);
	q->question_len = (size_t)nlen + 4;
	q->question_ok = 1;
	return 0;
}

/* Walk the records after the question only to find the OPT record. */
static enum query_status parse_records(const uint8_t *pkt, size_t len, unsigned before_additional, unsigned count,
				       struct query *q)
{
	size_t off = DNS_HEADER_LEN + q->question_len;

	for (unsigned i = 0; i < count; i++) {
		size_t start = off;
		off = query_skip_name(pkt, len, off);
		if (!off || off + RR_FIXED > len)
			return QUERY_FORMERR;
		uint16_t type = wire_get16(pkt + off), rdlen = wire_get16(pkt + off + RR_RDLEN_OFF);
		if (off + RR_FIXED + rdlen > len)
			return QUERY_FORMERR;
		if (type == DNS_TYPE_OPT) {
			enum query_status st;
			/* OPT belongs in the additional section with the root as owner. */
			if (i < before_additional || off != start + 1 || pkt[start] != 0)
				return QUERY_FORMERR;
			st = parse_opt(pkt, len, off, q);
			if (st != QUERY_OK)
				return st;
		} else if (type == DNS_TYPE_TSIG) {
			/* Only as the very last record (RFC 8945 5.1). The room:
			 * the same RR with a MAC of up to 64 bytes and 6 of
			 * Other Data (a BADTIME answer). */
			size_t room = off - start + RR_FIXED + rdlen + 64 + 6;
			/* More than any key we know needs (name, algorithm,
			 * MAC): it could not leave room in a 512-byte answer. */
			if (i + 1 != count || i < before_additional || room > 400)
				return QUERY_FORMERR;
			q->tsig = 1;
			q->tsig_room = (uint16_t)room;
		}
		off += RR_FIXED + rdlen;
	}
	return QUERY_OK;
}

enum query_status query_parse(const uint8_t *pkt, size_t len, struct query *q)
{
	uint16_t qdcount, ancount, nscount, arcount;
	enum query_status st;

	memset(q, 0, offsetof(struct query, qname));
	q->edns = 0;
	q->edns_do = 0; /* the DNSSEC hooks read it without looking at edns */
	q->ecs = 0;
	q->cookie_len = 0;
	q->nsid = 0;
	q->expire = 0;
	q->tsig = 0;
	q->tsig_room = 0;
	/* too short, or a response: never answer those */
	if (len < DNS_HEADER_LEN || (pkt[2] & DNS_FLAG_QR))
		return QUERY_DROP;
	q->id = wire_get16(pkt);
	q->opcode = (pkt[2] & DNS_OPCODE_MASK) >> DNS_OPCODE_SHIFT;
	q->rd = pkt[2] & DNS_FLAG_RD;
	q->cd = (pkt[3] & DNS_FLAG_CD) != 0;
	qdcount = wire_get16(pkt + 4);
	ancount = wire_get16(pkt + 6);
	nscount = wire_get16(pkt + 8);
	arcount = wire_get16(pkt + 10);

	if (qdcount != 1 || parse_question(pkt, len, q) < 0)
		return q->opcode == DNS_OPCODE_QUERY ? QUERY_FORMERR : QUERY_NOTIMP;
	if (q->opcode != DNS_OPCODE_QUERY)
		return QUERY_NOTIMP;
	st = parse_records(pkt, len, (unsigned)ancount + nscount, (unsigned)ancount + nscount + arcount, q);
	if (st != QUERY_OK)
		return st;
	if (q->edns && q->edns_version > 0)
		return QUERY_BADVERS;
	return QUERY_OK;
}
