/*
 * axfr.h -- a zone transfer request over TCP (RFC 5936): checks, then the
 * stream.
 *
 * server/net/tcp.c hands every TCP message to xfr_tcp_begin() before
 * answer_query(). It takes AXFR requests (the ixfr module adds IXFR
 * here), checks the TSIG (RFC 8945) and the zone's allow_transfer, and
 * either writes one refusal message or returns a stream (xfr_out.h) over
 * the compiled zone, which it holds by a zone_ref for as long as the stream
 * lives: the snapshot may be replaced meanwhile, the zone is neither
 * copied nor freed under the transfer.
 *
 * Over UDP an AXFR gets NOTIMP from answer_query() (what NSD 4.6 and Knot
 * 3.2 answer, checked by running both).
 *
 *   REFUSED  no allow_transfer entry matches (no entry: no transfers)
 *   NOTAUTH  not the apex of a zone we serve; or a bad TSIG, with the
 *            TSIG error BADKEY / BADSIG (unsigned) or BADTIME (signed)
 *   FORMERR  a TSIG that is malformed or not the last record
 */
#ifndef STEER_XFR_AXFR_H
#define STEER_XFR_AXFR_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct snapshot;
struct xfr_out;

enum xfr_begin {
	XFR_NOT_MINE = 0, /* not a transfer request: answer it as a query */
	XFR_ANSWERED,     /* a one-message answer is in buf */
	XFR_STREAM,       /* *stream set: send its messages */
};

/* What happened, for the caller's counters and log line. */
struct xfr_info {
	uint16_t qtype;
	uint16_t rcode;
	uint32_t serial;        /* the zone's, when found */
	char zone[256];         /* presentation, "" when none */
	char key[256];          /* the TSIG key name, "" when unsigned */
};

/* Look at the TCP message q[0..qlen) from peer. snap: pinned by the caller
 * for the duration of the call (may be NULL). On XFR_ANSWERED *outlen bytes
 * are in buf (cap >= 512 + room for TSIG); on XFR_STREAM *stream is the
 * caller's (xfr_out_free()). */
enum xfr_begin xfr_tcp_begin(const struct snapshot *snap, const struct sockaddr *peer, const uint8_t *q, size_t qlen,
			     uint8_t *buf, size_t cap, size_t *outlen, struct xfr_out **stream, struct xfr_info *info);

#endif
