/*
 * query.h -- parse one DNS query (header, question, EDNS) without allocating.
 *
 * The parsed form points into the packet for the original question (so the
 * response can echo the query name's case) and holds a lowercased copy of
 * the name for lookups.
 *
 * Layer: server/wire, the lowest of the server (libc only): names (dname.h),
 * query parsing (here), the packet writer (respond.h) and RR headers (rr.h).
 * Nothing here knows about zones.
 */
#ifndef STEER_QUERY_H
#define STEER_QUERY_H

#include <stddef.h>
#include <stdint.h>

#include "server/wire/dname.h"

enum query_status {
	QUERY_OK = 0,
	QUERY_DROP,    /* not worth an answer: too short for a header, or a response (QR=1) */
	QUERY_FORMERR, /* RFC 1035/6891/7871 violations */
	QUERY_NOTIMP,  /* opcode other than QUERY */
	QUERY_BADVERS, /* EDNS version > 0 (RFC 6891 6.1.3) */
};

struct query {
	uint16_t id;
	uint8_t opcode;
	uint8_t rd, cd;
	/* question (valid when question_ok) */
	int question_ok;
	size_t question_len;  /* bytes of the question in the packet (name + 4) */
	uint16_t qtype, qclass;
	uint8_t qname[DNAME_MAXLEN]; /* lowercased wire name */
	uint16_t qname_len;
	uint8_t qlabels;
	/* EDNS (valid when edns) */
	int edns;
	uint16_t edns_payload; /* client's UDP size, clamped to >= 512 */
	uint8_t edns_version;
	uint8_t edns_do;
	/* EDNS Client Subnet, RFC 7871 (valid when ecs) */
	int ecs;
	uint16_t ecs_family;   /* 1 = IPv4, 2 = IPv6 */
	uint8_t ecs_source;    /* SOURCE PREFIX-LENGTH */
	uint8_t ecs_addr[16];  /* address, host bits zero */
	/* DNS COOKIE, RFC 7873 (valid when cookie_len, 8 or 16..40): the
	 * option data as sent, client cookie first. Checked in server/answer. */
	uint8_t cookie_len;
	uint8_t cookie[40];
	uint8_t nsid;          /* the query asked for our NSID (RFC 5001) */
	uint8_t expire;        /* the query carried EDNS EXPIRE (RFC 7314) */
	/* TSIG (RFC 8945): the last additional record is one. Checked and the
	 * response signed by server/xfr (xfr_tsig_answer), after answering;
	 * the answer leaves tsig_room bytes for the response's TSIG. */
	uint8_t tsig;
	uint16_t tsig_room;
};

/* Skip the (possibly compressed) name at pkt[off] within len: the offset
 * after it, or 0 when it runs out or has a bad label (also for the record
 * walks of server/xfr: TSIG, EDNS options). */
size_t query_skip_name(const uint8_t *pkt, size_t len, size_t off);

/* Parse pkt[0..len) into q. Never reads outside the packet. */
enum query_status query_parse(const uint8_t *pkt, size_t len, struct query *q);

#endif
