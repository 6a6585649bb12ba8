/*
 * xfr_out.h -- stream any sequence of RRs as the messages of one TCP
 * response (AXFR, RFC 5936 2.2; IXFR, RFC 1995 4), each message
 * compressed on its own and TSIG-signed when the request was.
 *
 *   source --next()--> RR --> message 1 | message 2 | ... --> caller's TCP buffer
 *
 * The caller (server/net/tcp.c) asks for one message at a time, when its
 * output buffer has drained enough (so a transfer never holds more than a
 * few messages in memory and never stalls the TCP thread), until
 * xfr_out_next() returns 0. The RRs come from a source callback that walks
 * data it holds (axfr.c: a compiled zone it holds a reference to; an IXFR
 * source: journal entries), so nothing of the zone is copied.
 *
 * The first message carries the question; later ones none (as Knot and
 * BIND send). With EDNS in the request each message has an OPT record
 * (and EDNS EXPIRE when asked and given, RFC 7314).
 */
#ifndef STEER_XFR_OUT_H
#define STEER_XFR_OUT_H

#include <stddef.h>
#include <stdint.h>

#include "server/xfr/tsig.h"

/* Messages stay below 16 KiB: compression pointers reach only offsets
 * under 0x4000, so a longer message could not compress its tail. */
#define XFR_MSG_MAX 16384

/* One RR of a source: owner (wire, any case) and the compiled tail
 * (TYPE CLASS TTL RDLENGTH RDATA, server/wire/rr.h). Both must stay valid
 * until the next call of the source. */
struct xfr_rr {
	const uint8_t *owner;
	const uint8_t *wire;
	uint16_t wlen;
};

/* A source: next() fills *rr and returns 1, or returns 0 after the last
 * RR; free() (may be NULL) releases it with the stream. */
struct xfr_source {
	int (*next)(void *ctx, struct xfr_rr *rr);
	void (*free)(void *ctx);
	void *ctx;
};

/* What the request asked for (from its parsed header, question, OPT, TSIG). */
struct xfr_request {
	const uint8_t *query;     /* the request message, for the ID, flags and question */
	size_t question_len;      /* bytes of its question (name + 4) */
	int edns;                 /* it had an OPT record */
	uint16_t edns_payload;    /* our payload size for the OPT */
	int expire;               /* it asked for EDNS EXPIRE (RFC 7314) */
	uint32_t expire_value;    /* the value to send then */
	const struct tsig_key *key; /* NULL: unsigned; else copied */
	const uint8_t *req_mac;   /* the request's MAC (when key) */
	uint16_t req_maclen;
	uint16_t orig_id;
	int ede;                  /* an Extended DNS Error for xfr_out_error (RFC 8914), -1 = none */
};

struct xfr_out;

/* A stream over src (taken over: freed with the stream, or here on
 * failure). Returns 0, or STEER_ENOMEM. */
int xfr_out_new(struct xfr_out **out, const struct xfr_request *req, struct xfr_source *src);
/* Write the next message into buf (cap bytes, at least XFR_MSG_MAX) and
 * return its length; 0 when the stream has ended. An RR that does not fit
 * even alone in a message ends the stream with SERVFAIL. */
size_t xfr_out_next(struct xfr_out *x, uint8_t *buf, size_t cap);
/* Messages and RRs written so far (for the log). */
void xfr_out_counts(const struct xfr_out *x, uint64_t *messages, uint64_t *rrs, uint64_t *bytes);
void xfr_out_free(struct xfr_out *x);

/* A one-message answer to a transfer request that is refused or failed:
 * the header and question of req with rcode, signed when req->key, else
 * with the unsigned TSIG error of tsig_err for a bad TSIG (t: the
 * request's TSIG; NULL when none). Returns the length written to buf. */
size_t xfr_out_error(const struct xfr_request *req, uint16_t rcode, const struct tsig_rr *t, uint16_t tsig_err,
		     uint8_t *buf, size_t cap);

#endif
