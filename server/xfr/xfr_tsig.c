/* xfr_tsig.c -- check and sign the TSIG of an ordinary (non-transfer) query. */
#include "config.h"
#include "server/xfr/xfr_tsig.h"
#include "server/answer/answer.h"
#include "server/xfr/tsig.h"
#include "server/xfr/xfr_conf.h"
#include "server/xfr/xfr_out.h"
#include "server/wire/query.h"
#include "server/zone/snapshot.h"
#include "common/dns.h"

#include <string.h>
#include <time.h>

size_t xfr_tsig_answer(const struct snapshot *snap, const uint8_t *q, size_t qlen, uint8_t *resp, size_t len,
		       size_t cap)
{
	const struct xfr_conf *c = snap ? snap->xfr : NULL;
	const struct tsig_key *key = NULL;
	struct tsig_rr t;
	struct tsig_stream s;
	struct query Q;
	struct xfr_request req = { 0 };
	int err;

	if (tsig_find(q, qlen, &t) != 1)
		return len; /* the parser found one; cannot happen */
	err = tsig_verify_request(c ? c->keys : NULL, c ? c->nkeys : 0, q, qlen, &t, time(NULL), &key);
	if (err == TSIG_OK) {
		size_t n;
		tsig_stream_init(&s, key, t.mac, t.maclen, t.orig_id, time(NULL));
		n = tsig_sign(&s, resp, len, cap);
		memset(&s, 0, sizeof(s));
		return n ? n : len;
	}
	/* The answer is withheld: NOTAUTH with the TSIG error (RFC 8945 5.2). */
	query_parse(q, qlen, &Q);
	req.query = q;
	req.question_len = Q.question_ok ? Q.question_len : 0;
	req.edns = Q.edns;
	req.edns_payload = snap ? served_env(snap)->udp_payload : 1232;
	req.key = err == TSIG_BADTIME ? key : NULL;
	req.req_mac = t.mac;
	req.req_maclen = t.maclen;
	req.orig_id = t.orig_id;
	req.ede = -1;
	return xfr_out_error(&req, DNS_RCODE_NOTAUTH, &t, (uint16_t)err, resp, cap);
}
