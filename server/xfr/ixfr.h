/*
 * ixfr.h -- IXFR out (RFC 1995): what to send a client at a given serial,
 * as an RR source for the transfer writer (xfr_out.h).
 *
 * The request's checks (TSIG, allow_transfer) are the AXFR ones
 * (axfr.c's xfr_tcp_begin, which hands IXFR requests here once they
 * pass). Then, by the client's serial (the SOA in the request's authority
 * section) against the zone's and its journal (journal.h):
 *
 *   client at our serial or newer  one SOA: up to date (RFC 1995 2)
 *   in the journal                 the differences, condensed into one
 *                                  step when the client is several
 *                                  versions behind: SOA(new), SOA(client),
 *                                  deleted RRs, SOA(new), added RRs, SOA(new)
 *   older than the journal or      the whole zone, AXFR style (RFC 1995 4):
 *   not one of its versions, or    SOA, every RR, SOA -- the caller streams
 *   the difference bigger than     it with its AXFR source
 *   the zone
 *
 * Over UDP (RFC 1995 4) the answer is the single SOA of the current
 * version: the difference is never sent by UDP here, so a client that is
 * behind retries over TCP, and one that is current learns it is.
 *
 * Layer: server/xfr. Called on the TCP thread; the source holds a
 * reference to the journal it reads, so a reload may replace the snapshot
 * while it streams.
 */
#ifndef STEER_XFR_IXFR_H
#define STEER_XFR_IXFR_H

#include <stddef.h>
#include <stdint.h>

#include "server/xfr/axfr.h"

struct journal;
struct query;
struct snapshot;
struct xfr_request;
struct xfr_source;
struct zone;

enum ixfr_kind {
	IXFR_UP_TO_DATE, /* *src: the single SOA */
	IXFR_DIFF,       /* *src: the (condensed) differences */
	IXFR_FULL,       /* nothing set: send the zone AXFR-style */
};

/* The client's serial from an IXFR request q[0..qlen) whose question
 * takes question_len bytes: the first authority record must be an SOA
 * (its owner is not checked: it must be the zone, which the question
 * names). Returns 0 with *serial set, or -1 (FORMERR: RFC 1995 3 requires
 * the SOA). */
int ixfr_client_serial(const uint8_t *q, size_t qlen, size_t question_len, uint32_t *serial);

/* What to send a client at serial client of zone z, whose journal is j
 * (may be NULL: no history). On IXFR_UP_TO_DATE and IXFR_DIFF *src is a
 * new source (its free() releases what it holds: a reference to j, the
 * condensed difference); on IXFR_FULL nothing is set. Returns the kind,
 * or STEER_ENOMEM. Allocates (per transfer, not per query). */
int ixfr_begin(const struct zone *z, struct journal *j, uint32_t client, struct xfr_source *src);

/* xfr_tcp_begin()'s IXFR step, once the request passed its checks: the
 * client's serial from q[0..qlen) (parsed as Q), then ixfr_begin() over
 * z's journal in snap. XFR_STREAM: *stream set; XFR_ANSWERED: a refusal
 * is due with info->rcode (FORMERR: no SOA in the request; SERVFAIL: out
 * of memory); XFR_NOT_MINE: send the whole zone, AXFR style. Logs which. */
enum xfr_begin ixfr_stream(const struct snapshot *snap, const struct zone *z, const struct query *Q, const uint8_t *q,
			   size_t qlen, const struct xfr_request *req, struct xfr_out **stream, struct xfr_info *info);

#endif
