/*
 * xfr_tsig.h -- TSIG on ordinary answers: a secondary signs its SOA
 * queries (BIND does, and refuses an unsigned answer to them), so any
 * signed query gets its TSIG checked and its answer signed.
 *
 * answer_query() notes a TSIG in the query (answer_result.tsig) and leaves
 * room for ours; the UDP and TCP engines then call xfr_tsig_answer(). Only
 * signed queries pay for it.
 */
#ifndef STEER_XFR_TSIG_ANSWER_H
#define STEER_XFR_TSIG_ANSWER_H

#include <stddef.h>
#include <stdint.h>

struct snapshot;

/* Check the TSIG of q[0..qlen), answered in resp[0..len) (cap bytes of
 * room), against snap's keys: sign the answer, or replace it with NOTAUTH
 * and the TSIG error (BADKEY, BADSIG: unsigned; BADTIME: signed). Returns
 * the new length. */
size_t xfr_tsig_answer(const struct snapshot *snap, const uint8_t *q, size_t qlen, uint8_t *resp, size_t len,
		       size_t cap);

#endif
