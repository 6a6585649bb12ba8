/* xfr_out.c -- an RR sequence as a stream of compressed, signed DNS messages. */
#include "config.h"
#include "server/xfr/xfr_out.h"
#include "server/wire/dname.h"
#include "server/wire/respond.h"
#include "server/wire/rr.h"
#include "common/dns.h"
#include "common/errors.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define EXPIRE_OPT_LEN (DNS_EDNS_OPT_HDR + 4)
#define EDE_OPT_LEN (DNS_EDNS_OPT_HDR + 2)

struct xfr_out {
	struct xfr_source src;          /* owned */
	uint8_t query[DNS_HEADER_LEN + DNAME_MAXLEN + 4]; /* the request's header and question */
	size_t question_len;
	int edns, expire, ede;
	uint16_t payload;
	uint32_t expire_value;
	int sign;
	struct tsig_stream ts;          /* when sign: the key (a copy) and the MAC chain */
	struct xfr_rr pending;          /* an RR that did not fit in the last message */
	int have_pending, ended, done, first;
	uint64_t msgs, rrs, bytes;
	struct pkt pkt;                 /* the writer of the message being built */
};

static void copy_request(struct xfr_out *x, const struct xfr_request *req)
{
	size_t ql = req->question_len <= DNAME_MAXLEN + 4 ? req->question_len : 0;

	memcpy(x->query, req->query, DNS_HEADER_LEN + ql);
	x->question_len = ql;
	x->edns = req->edns;
	x->payload = req->edns_payload;
	x->expire = req->expire;
	x->expire_value = req->expire_value;
	x->ede = req->ede;
	x->sign = req->key != NULL;
	if (x->sign)
		tsig_stream_init(&x->ts, req->key, req->req_mac, req->req_maclen, req->orig_id, time(NULL));
}

int xfr_out_new(struct xfr_out **out, const struct xfr_request *req, struct xfr_source *src)
{
	struct xfr_out *x = calloc(1, sizeof(*x));

	*out = NULL;
	if (!x) {
		if (src->free)
			src->free(src->ctx);
		return STEER_ENOMEM;
	}
	x->src = *src;
	x->first = 1;
	copy_request(x, req);
	*out = x;
	return STEER_EOK;
}

static size_t opt_size(const struct xfr_out *x)
{
	return x->edns ? RR_OPT_FIXED + (x->expire ? EXPIRE_OPT_LEN : 0) + (x->ede >= 0 ? EDE_OPT_LEN : 0) : 0;
}

/* The OPT record (RFC 6891), with EXPIRE when asked (RFC 7314) and the
 * EDE of a refusal (RFC 8914). */
static void put_opt(struct pkt *P, const struct xfr_out *x)
{
	uint8_t rr[RR_OPT_FIXED + EXPIRE_OPT_LEN + EDE_OPT_LEN];
	size_t n = RR_OPT_FIXED;

	rr[0] = 0; /* root */
	if (x->expire) {
		wire_put16(rr + n, DNS_EDNS_EXPIRE);
		wire_put16(rr + n + 2, 4);
		wire_put32(rr + n + 4, x->expire_value);
		n += EXPIRE_OPT_LEN;
	}
	if (x->ede >= 0) {
		wire_put16(rr + n, DNS_EDNS_EDE);
		wire_put16(rr + n + 2, 2);
		wire_put16(rr + n + 4, (uint16_t)x->ede);
		n += EDE_OPT_LEN;
	}
	rr_header_put(rr + 1, DNS_TYPE_OPT, x->payload, 0, (uint16_t)(n - RR_OPT_FIXED));
	pkt_put_raw_rr(P, SEC_ADDITIONAL, rr, n);
}

/* Fill P with RRs of the source until one does not fit or it ends. */
static void fill(struct xfr_out *x, struct pkt *P)
{
	for (;;) {
		if (!x->have_pending) {
			if (!x->src.next(x->src.ctx, &x->pending)) {
				x->ended = 1;
				return;
			}
			x->have_pending = 1;
		}
		if (pkt_put_rr(P, SEC_ANSWER, x->pending.owner, x->pending.wire, x->pending.wlen, UINT32_MAX) < 0)
			return;
		x->have_pending = 0;
		x->rrs++;
	}
}

/* OPT, counts and TSIG of a message in P; its final length (0: signing failed). */
static size_t seal(struct xfr_out *x, struct pkt *P, size_t cap)
{
	size_t len;

	P->limit = cap;
	if (x->edns)
		put_opt(P, x);
	len = pkt_finish(P);
	if (x->sign)
		len = tsig_sign(&x->ts, P->buf, len, cap);
	return len;
}

size_t xfr_out_next(struct xfr_out *x, uint8_t *buf, size_t cap)
{
	struct pkt *P = &x->pkt;
	size_t room = (x->sign ? tsig_rr_size(&x->ts.key) : 0) + opt_size(x), len;

	if (x->done || cap < XFR_MSG_MAX)
		return 0;
	pkt_begin(P, buf, XFR_MSG_MAX - room, x->query, x->first ? x->question_len : 0);
	if (!x->first)
		wire_put16(buf + 4, 0); /* no question after the first message */
	pkt_set_aa(P, 1);
	fill(x, P);
	if (!x->ended && P->count[SEC_ANSWER] == 0) {
		/* One RR larger than a message: cannot happen with RDLENGTH
		 * limits below 16 KiB, but must not loop. */
		pkt_set_rcode(P, DNS_RCODE_SERVFAIL);
		x->ended = 1;
	}
	len = seal(x, P, XFR_MSG_MAX);
	x->first = 0;
	x->done = x->ended;
	if (len == 0) {
		x->done = 1;
		return 0;
	}
	x->msgs++;
	x->bytes += len;
	return len;
}

void xfr_out_counts(const struct xfr_out *x, uint64_t *messages, uint64_t *rrs, uint64_t *bytes)
{
	*messages = x->msgs;
	*rrs = x->rrs;
	*bytes = x->bytes;
}

void xfr_out_free(struct xfr_out *x)
{
	if (!x)
		return;
	if (x->src.free)
		x->src.free(x->src.ctx);
	memset(&x->ts, 0, sizeof(x->ts)); /* the key's secret */
	free(x);
}

size_t xfr_out_error(const struct xfr_request *req, uint16_t rcode, const struct tsig_rr *t, uint16_t tsig_err,
		     uint8_t *buf, size_t cap)
{
	struct xfr_out x = { 0 };
	struct pkt P;
	size_t len;

	copy_request(&x, req);
	if (x.sign && tsig_err == TSIG_BADTIME) {
		/* Signed, at the request's time, with our clock in Other Data. */
		x.ts.error = TSIG_BADTIME;
		x.ts.time_signed = t->time_signed;
	}
	pkt_begin(&P, buf, cap - opt_size(&x) - (x.sign ? tsig_rr_size(&x.ts.key) : 0), x.query, x.question_len);
	pkt_set_rcode(&P, rcode);
	P.limit = cap;
	if (x.edns)
		put_opt(&P, &x);
	len = pkt_finish(&P);
	if (x.sign)
		len = tsig_sign(&x.ts, buf, len, cap);
	else if (t && tsig_err)
		len = tsig_append_error(t, tsig_err, buf, len, cap);
	memset(&x.ts, 0, sizeof(x.ts));
	return len;
}
