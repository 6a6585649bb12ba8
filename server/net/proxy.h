/*
 * proxy.h -- the PROXY protocol version 2 (HAProxy's proxy-protocol.txt,
 * section 2.2) in front of UDP and TCP: which sources may send a header
 * ("server": {"proxy_from": [PREFIX, ...]}), parsing one, and what to do
 * with a datagram or the start of a connection.
 *
 * A proxy (HAProxy with send-proxy-v2, dnsdist with useProxyProtocol) puts a
 * binary header before each datagram, or once at the start of a TCP
 * connection, naming the client it forwards for. For a source listed in
 * proxy_from that client is the query's source everywhere after the
 * engines (GeoIP and the ECS fallback, rate limits and other address
 * rules, dnstap); the reply still goes to the proxy, without a header.
 *
 *   source listed, valid header      answered for the header's client
 *                                    (LOCAL command, or a family other
 *                                    than IPv4/IPv6: for the proxy itself)
 *   source listed, no header         dropped, counted "missing": a proxy
 *                                    configured to send one always does;
 *                                    answering would locate every client
 *                                    at the proxy
 *   source listed, broken header     dropped, counted "malformed"
 *   source not listed, a header      dropped, counted "unlisted": nobody
 *                                    else may choose the client address
 *   source not listed, no header     answered as usual
 *
 * Nothing here allocates on the query path; proxy_acl_new() runs at load.
 */
#ifndef STEER_NET_PROXY_H
#define STEER_NET_PROXY_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct conf_file;
struct conf_strlist;
struct errlist;

/* The fixed part: 12-byte signature, version/command, family/transport,
 * 2-byte length of what follows. */
#define PROXY_FIXED 16
/* The most a parser needs to see: the fixed part and the longest address
 * block (AF_UNIX, 2 x 108). TLVs after it are skipped unread. */
#define PROXY_PARSE_MAX (PROXY_FIXED + 216)

enum proxy_verdict {
	PROXY_PLAIN = 0,   /* no header from an unlisted source: answer as usual */
	PROXY_ACCEPTED,    /* a valid header from a listed source */
	PROXY_UNLISTED,    /* a header from a source not in proxy_from: dropped */
	PROXY_MISSING,     /* a listed source sent no header: dropped */
	PROXY_MALFORMED,   /* a listed source sent a broken header: dropped */
	PROXY_NVERDICTS
};
/* "plain", "accepted", "unlisted", "missing", "malformed" (stats and metrics). */
extern const char *const proxy_verdict_names[PROXY_NVERDICTS];

/* proxy_from, compiled: prefixes as 16-byte addresses (IPv4 mapped). */
struct proxy_acl;

/* Check server.proxy_from (each entry an address or CIDR prefix with zero
 * host bits): "file:line: server/proxy_from: "x": reason" per bad entry.
 * Returns the number of errors added. */
int proxy_conf_check(const struct conf_file *cf, const struct conf_strlist *l, struct errlist *errs);
/* Compile a checked list. *out is NULL for an empty list (nothing is
 * listed). Returns 0, STEER_EINVAL (an entry proxy_conf_check refuses) or
 * STEER_ENOMEM. */
int proxy_acl_new(const struct conf_strlist *l, struct proxy_acl **out);
void proxy_acl_free(struct proxy_acl *acl);
/* 1 when sa (AF_INET or AF_INET6; IPv4-mapped IPv6 counts as IPv4) is in
 * one of acl's prefixes; 0 otherwise and for acl NULL. */
int proxy_acl_match(const struct proxy_acl *acl, const struct sockaddr *sa);

/* Whether a packet from a source may involve the PROXY protocol at all:
 * with nothing listed only one that starts like the signature does. The
 * engines' fast path for everything else. */
static inline int proxy_maybe(const struct proxy_acl *acl, const uint8_t *b, size_t len)
{
	return acl != NULL || (len > 0 && b[0] == 0x0d);
}

/* A parsed header. */
struct proxy_hdr {
	size_t len;                    /* whole header with its TLVs: PROXY_FIXED + its length field */
	int local;                     /* 1: LOCAL command or no IPv4/IPv6 address: use the connection's */
	int stream;                    /* transport byte: 1 STREAM, 2 DGRAM, 0 unspecified */
	struct sockaddr_storage src;   /* the client, when !local */
	socklen_t srclen;
};

/* Parse a header at b[0..have). Returns:
 *   1  a header, h filled (h->len may be more than have: TLVs not yet read)
 *   0  b does not start with the signature (not a header)
 *  -1  a header so far, but more bytes are needed to decide (have < 16,
 *      or fewer than the address block)
 *  -2  broken: version not 2, unknown command, family or transport, or a
 *      length too short for the addresses
 * Reads at most PROXY_PARSE_MAX bytes. No allocation. */
int proxy_parse(const uint8_t *b, size_t have, struct proxy_hdr *h);

/* One datagram msg[0..*len) from peer: the verdict (see the table above).
 * For PROXY_ACCEPTED, *msg and *len are moved past the header and client
 * is the header's client (or a copy of peer for LOCAL); for PROXY_PLAIN
 * client is a copy of peer. The datagram is dropped for the others. */
enum proxy_verdict proxy_datagram(const struct proxy_acl *acl, const struct sockaddr *peer, socklen_t peerlen,
				  const uint8_t **msg, size_t *len, struct sockaddr_storage *client,
				  socklen_t *clientlen);

/* The engines' call for one datagram: proxy_datagram() behind the
 * proxy_maybe() fast path. For PROXY_ACCEPTED *addr and *addrlen point at
 * the client (stored in orig) and *msg, *len past the header; for
 * PROXY_PLAIN nothing changes; the others mean drop. */
enum proxy_verdict proxy_take(const struct proxy_acl *acl, const struct sockaddr **addr, socklen_t *addrlen,
			      const uint8_t **msg, size_t *len, struct sockaddr_storage *orig);

/* The first bytes b[0..have) of a TCP connection whose source is listed
 * (or not). Returns -1 while more bytes are needed; else a verdict, with
 * *consume the header's length to drain (0 for PROXY_PLAIN) and, for
 * PROXY_ACCEPTED and !h->local, client set from the header. */
int proxy_stream_start(int listed, const uint8_t *b, size_t have, size_t *consume, struct sockaddr_storage *client,
		       socklen_t *clientlen);

#endif
