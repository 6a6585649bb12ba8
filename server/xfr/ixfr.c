/* ixfr.c -- IXFR answers from the journal: up to date, the (condensed) differences, or the whole zone. */
#include "config.h"
#include "server/xfr/ixfr.h"
#include "server/xfr/diff.h"
#include "server/xfr/journal.h"
#include "server/xfr/xfr_out.h"
#include "server/wire/dname.h"
#include "server/wire/query.h"
#include "server/zone/snapshot.h"
#include "server/wire/rr.h"
#include "server/zone/zone.h"
#include "common/dns.h"
#include "common/errors.h"
#include "common/log.h"

#include <stdlib.h>
#include <string.h>

/* Skip a possibly compressed name at q[off..len): the offset after it, or 0. */
static size_t skip_name(const uint8_t *q, size_t len, size_t off)
{
	while (off < len) {
		uint8_t l = q[off];
		if (l == 0)
			return off + 1;
		if ((l & DNS_LABEL_PTR) == DNS_LABEL_PTR)
			return off + 2 <= len ? off + 2 : 0;
		if (l > 63)
			return 0;
		off += l + 1u;
	}
	return 0;
}

int ixfr_client_serial(const uint8_t *q, size_t qlen, size_t question_len, uint32_t *serial)
{
	size_t off = DNS_HEADER_LEN + question_len, rd;

	/* RFC 1995 3: the answer section is empty, the authority holds the
	 * client's SOA. */
	if (qlen < DNS_HEADER_LEN || wire_get16(q + 6) != 0 || wire_get16(q + 8) < 1)
		return -1;
	if (!(off = skip_name(q, qlen, off)) || off + RR_FIXED > qlen || wire_get16(q + off) != DNS_TYPE_SOA)
		return -1;
	rd = off + RR_FIXED;
	if (rd + wire_get16(q + off + RR_RDLEN_OFF) > qlen)
		return -1;
	/* MNAME, RNAME, then SERIAL (both names may be compressed). */
	if (!(off = skip_name(q, qlen, rd)) || !(off = skip_name(q, qlen, off)) || off + 20 > qlen)
		return -1;
	*serial = wire_get32(q + off);
	return 0;
}

/* ---- the source ---- */

struct ixfr_src {
	struct journal *j;        /* a reference, or NULL (up to date) */
	struct zone_diff merged;  /* owned: the condensed chain, when it took more than one step */
	const struct zone_diff *d;/* what is sent: merged, or one step of j; NULL: up to date */
	uint8_t soa[DNAME_MAXLEN + RR_FIXED + 2 * DNAME_MAXLEN + 20]; /* up to date: apex + SOA, copied (the zone is not held) */
	size_t soa_owner_len;
	int phase;                /* 0 first SOA, 1 deleted, 2 added, 3 last SOA, 4 done */
	size_t off;               /* in the list of phase 1 or 2 */
};

/* The new SOA: the up-to-date copy, or the one that leads the additions. */
static void new_soa(const struct ixfr_src *s, struct xfr_rr *rr)
{
	if (s->d) {
		rr->owner = s->d->add.data;
		rr->wire = rr->owner + dname_wire_len(rr->owner);
	} else {
		rr->owner = s->soa;
		rr->wire = s->soa + s->soa_owner_len;
	}
	rr->wlen = rr_len(rr->wire);
}

static int src_next(void *ctx, struct xfr_rr *rr)
{
	struct ixfr_src *s = ctx;
	const uint8_t *owner, *wire;

	if (s->phase == 0) {
		new_soa(s, rr);
		s->phase = s->d ? 1 : 4; /* up to date: that SOA is the whole answer */
		return 1;
	}
	while (s->phase == 1 || s->phase == 2) {
		if (rrlist_next(s->phase == 1 ? &s->d->del : &s->d->add, &s->off, &owner, &wire)) {
			rr->owner = owner;
			rr->wire = wire;
			rr->wlen = rr_len(wire);
			return 1;
		}
		s->phase++;
		s->off = 0;
	}
	if (s->phase == 3) {
		new_soa(s, rr);
		s->phase = 4;
		return 1;
	}
	return 0;
}

static void src_free(void *ctx)
{
	struct ixfr_src *s = ctx;

	zone_diff_clear(&s->merged);
	journal_unref(s->j);
	free(s);
}

/* The step or steps j->v[first .. first + n) as what s sends. */
static int src_diff(struct ixfr_src *s, struct journal *j, size_t first, size_t n)
{
	const struct zone_diff **chain;
	int ret;

	if (n == 1) {
		s->d = &j->v[first]->d;
		return STEER_EOK;
	}
	if (!(chain = malloc(n * sizeof(*chain))))
		return STEER_ENOMEM;
	for (size_t i = 0; i < n; i++)
		chain[i] = &j->v[first + i]->d;
	ret = zone_diff_merge(chain, n, &s->merged);
	free(chain);
	s->d = &s->merged;
	return ret;
}

/* RFC 1982: is a later than b? */
static int serial_newer(uint32_t a, uint32_t b)
{
	return a != b && (int32_t)(a - b) > 0;
}

int ixfr_begin(const struct zone *z, struct journal *j, uint32_t client, struct xfr_source *src)
{
	struct ixfr_src *s;
	size_t first = 0;
	long n = 0;

	/* A client at our serial, or (after our serial went back) ahead of
	 * it, gets the SOA alone: RFC 1995 2, as Knot and NSD answer. */
	if (serial_newer(z->serial, client)) {
		if (!j || j->serial != z->serial || (n = journal_find(j, client, &first)) <= 0)
			return IXFR_FULL;
	}
	if (!(s = calloc(1, sizeof(*s))))
		return STEER_ENOMEM;
	zone_diff_init(&s->merged);
	if (n == 0) {
		s->soa_owner_len = z->apexlen;
		memcpy(s->soa, z->apex, z->apexlen);
		memcpy(s->soa + z->apexlen, z->soa->data, rr_len(z->soa->data));
	} else {
		journal_ref(j);
		s->j = j;
		if (src_diff(s, j, first, (size_t)n) != STEER_EOK) {
			src_free(s);
			return STEER_ENOMEM;
		}
		/* A difference longer than the zone: the zone is the shorter answer
		 * (RFC 1995 4 lets the server send it). */
		if ((size_t)s->d->del.count + s->d->add.count > z->nrecords) {
			src_free(s);
			return IXFR_FULL;
		}
	}
	*src = (struct xfr_source){ src_next, src_free, s };
	return n == 0 ? IXFR_UP_TO_DATE : IXFR_DIFF;
}

enum xfr_begin ixfr_stream(const struct snapshot *snap, const struct zone *z, const struct query *Q, const uint8_t *q,
			   size_t qlen, const struct xfr_request *req, struct xfr_out **stream, struct xfr_info *info)
{
	static const char *const kinds[] = { "up to date", "incremental", "whole zone" };
	struct xfr_source src;
	uint32_t client;
	int kind;

	if (ixfr_client_serial(q, qlen, Q->question_len, &client) != 0) {
		info->rcode = DNS_RCODE_FORMERR; /* RFC 1995 3: the client's SOA is required */
		return XFR_ANSWERED;
	}
	kind = ixfr_begin(z, journal_set_get(snap->journals, z), client, &src);
	if (kind < 0 || (kind != IXFR_FULL && xfr_out_new(stream, req, &src) != STEER_EOK)) {
		info->rcode = DNS_RCODE_SERVFAIL;
		return XFR_ANSWERED;
	}
	log_info("IXFR of %s from serial %u to %u: %s", z->name, client, z->serial, kinds[kind]);
	return kind == IXFR_FULL ? XFR_NOT_MINE : XFR_STREAM;
}
