/* axfr.c -- AXFR out (RFC 5936): the request's checks and the zone as an RR source. */
#include "config.h"
#include "server/xfr/axfr.h"
#include "server/xfr/ixfr.h"
#include "server/xfr/journal.h"
#include "server/answer/answer.h"
#include "server/dnssec/zonesign.h"
#include "server/xfr/xfr_conf.h"
#include "server/xfr/xfr_out.h"
#include "server/xfr/tsig.h"
#include "server/wire/dname.h"
#include "server/wire/query.h"
#include "server/wire/rr.h"
#include "server/zone/snapshot.h"
#include "server/zone/zone.h"
#include "server/zone/zonedb_find.h"
#include "common/dns.h"
#include "common/errors.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- the zone as an RR source: SOA, every other RR, SOA ---- */

struct axfr_src {
	struct zone *z;      /* a reference (zone_ref), dropped by src_free */
	int phase;           /* 0 first SOA, 1 the nodes, 2 last SOA, 3 done */
	uint32_t slot;       /* node table slot */
	uint16_t set;        /* rrset of that node */
	uint32_t rr;         /* RR of that rrset: its RRs, then its RRSIGs */
	const uint8_t *p;    /* that RR */
};

static int src_soa(struct axfr_src *s, struct xfr_rr *rr)
{
	rr->owner = s->z->apex;
	rr->wire = s->z->soa->data;
	rr->wlen = rr_len(s->z->soa->data);
	s->phase++;
	return 1;
}

/* Node slot of the walk: the node table, then (signed with NSEC3) the
 * NSEC3 owners, which live outside the table (server/dnssec/zonesign.h). */
static const struct node *src_node(const struct zone *z, uint32_t slot, int *more)
{
	size_t n3 = z->dnssec ? z->dnssec->nn3 : 0;

	*more = slot <= z->mask || slot - z->mask - 1 < n3;
	if (slot <= z->mask)
		return zone_slot(z, slot);
	return *more ? z->dnssec->n3[slot - z->mask - 1].node : NULL;
}

/* The next RR after the current position: each rrset's RRs, then its
 * RRSIGs (a signed zone goes out signed: DNSKEY, RRSIG, NSEC/NSEC3 are
 * rrsets or signatures of rrsets), skipping the apex SOA's own RR (sent
 * first and last; its RRSIG is sent here); 0 at the end. */
static int src_node_rr(struct axfr_src *s, struct xfr_rr *rr)
{
	const struct zone *z = s->z;
	const struct node *n;
	int more;

	for (; (n = src_node(z, s->slot, &more)) != NULL || more; s->slot++, s->set = 0, s->rr = 0) {
		for (; n && s->set < n->nrrsets; s->set++, s->rr = 0) {
			const struct rrset *set = &n->rrsets[s->set];
			if (s->rr == 0 && n == z->apex_node && set->type == DNS_TYPE_SOA)
				s->rr = set->count; /* its signatures only */
			if (s->rr == 0 || s->rr == set->count)
				s->p = s->rr == 0 ? set->data : set->sigs;
			if (s->rr < set->count + rrset_nsigs(set)) {
				rr->owner = n->name;
				rr->wire = s->p;
				rr->wlen = rr_len(s->p);
				s->p += rr->wlen;
				s->rr++;
				return 1;
			}
		}
	}
	return 0;
}

static int src_next(void *ctx, struct xfr_rr *rr)
{
	struct axfr_src *s = ctx;

	switch (s->phase) {
	case 0:
		return src_soa(s, rr);
	case 1:
		if (src_node_rr(s, rr))
			return 1;
		s->phase = 2;
		return src_soa(s, rr);
	default:
		return 0;
	}
}

static void src_free(void *ctx)
{
	struct axfr_src *s = ctx;

	zone_free(s->z); /* drops our reference; frees the zone if a reload retired it */
	free(s);
}

/* ---- the request ---- */

/* Does the OPT record of q carry option code? (query_parse skips options
 * it does not use.) */
static int opt_has(const uint8_t *q, size_t len, size_t question_len, uint16_t code)
{
	unsigned total = (unsigned)wire_get16(q + 6) + wire_get16(q + 8) + wire_get16(q + 10);
	size_t off = DNS_HEADER_LEN + question_len;

	for (unsigned i = 0; i < total; i++) {
		if (!(off = query_skip_name(q, len, off)))
			return 0;
		if (off + RR_FIXED > len)
			return 0;
		uint16_t type = wire_get16(q + off), rdlen = wire_get16(q + off + RR_RDLEN_OFF);
		size_t p = off + RR_FIXED, end = p + rdlen;
		if (end > len)
			return 0;
		for (; type == DNS_TYPE_OPT && p + DNS_EDNS_OPT_HDR <= end; p += DNS_EDNS_OPT_HDR + wire_get16(q + p + 2))
			if (wire_get16(q + p) == code)
				return 1;
		off = end;
	}
	return 0;
}

/* The SOA's EXPIRE field: the fourth of the five numbers at its end. */
static uint32_t soa_expire(const struct zone *z)
{
	const uint8_t *rr = z->soa->data;
	return wire_get32(rr + rr_len(rr) - 8);
}

static void request_init(struct xfr_request *req, const struct snapshot *snap, const struct query *Q,
			 const uint8_t *q, size_t qlen, const struct zone *z)
{
	memset(req, 0, sizeof(*req));
	req->query = q;
	req->question_len = Q->question_len;
	req->edns = Q->edns;
	req->edns_payload = snap ? served_env(snap)->udp_payload : 1232;
	req->orig_id = Q->id;
	req->ede = -1;
	req->expire = Q->edns && z && opt_has(q, qlen, Q->question_len, DNS_EDNS_EXPIRE);
	req->expire_value = z ? soa_expire(z) : 0;
}

/* TSIG of the request: TSIG_OK (unsigned, or signed and good; req->key set
 * then), a TSIG error, or -1 for a malformed one. */
static int check_tsig(const struct xfr_conf *c, const uint8_t *q, size_t qlen, struct tsig_rr *t,
		      struct xfr_request *req, struct xfr_info *info)
{
	const struct tsig_key *key = NULL;
	int found = tsig_find(q, qlen, t), err;

	if (found <= 0)
		return found;
	dname_to_str(t->keyname, info->key, sizeof(info->key));
	err = tsig_verify_request(c ? c->keys : NULL, c ? c->nkeys : 0, q, qlen, t, time(NULL), &key);
	if (key) { /* good MAC (maybe stale): the answer is signed */
		req->key = key;
		req->req_mac = t->mac;
		req->req_maclen = t->maclen;
		req->orig_id = t->orig_id;
	}
	return err;
}

static enum xfr_begin refuse(const struct xfr_request *req, uint16_t rcode, const struct tsig_rr *t, int tsig_err,
			     uint8_t *buf, size_t cap, size_t *outlen, struct xfr_info *info)
{
	*outlen = xfr_out_error(req, rcode, t, (uint16_t)tsig_err, buf, cap);
	info->rcode = rcode;
	return XFR_ANSWERED;
}

enum xfr_begin xfr_tcp_begin(const struct snapshot *snap, const struct sockaddr *peer, const uint8_t *q, size_t qlen,
			     uint8_t *buf, size_t cap, size_t *outlen, struct xfr_out **stream, struct xfr_info *info)
{
	struct query Q;
	struct xfr_request req;
	struct tsig_rr t;
	struct axfr_src *s;
	const struct xfr_conf *c = snap ? snap->xfr : NULL;
	const struct zone *z;
	int terr;

	*stream = NULL;
	memset(info, 0, sizeof(*info));
	if (query_parse(q, qlen, &Q) != QUERY_OK || (Q.qtype != DNS_TYPE_AXFR && Q.qtype != DNS_TYPE_IXFR) ||
	    Q.qclass != DNS_CLASS_IN)
		return XFR_NOT_MINE;
	info->qtype = Q.qtype;
	z = snap ? zonedb_find_apex(snap->zones, Q.qname, Q.qname_len) : NULL;
	if (z)
		snprintf(info->zone, sizeof(info->zone), "%s", z->name);
	else
		dname_to_str(Q.qname, info->zone, sizeof(info->zone));
	request_init(&req, snap, &Q, q, qlen, z);
	terr = check_tsig(c, q, qlen, &t, &req, info);
	if (terr < 0)
		return refuse(&req, DNS_RCODE_FORMERR, NULL, 0, buf, cap, outlen, info);
	if (terr != TSIG_OK)
		return refuse(&req, DNS_RCODE_NOTAUTH, &t, terr, buf, cap, outlen, info);
	if (!z)
		return refuse(&req, DNS_RCODE_NOTAUTH, NULL, 0, buf, cap, outlen, info);
	info->serial = z->serial;
	if (!xfr_acl_allows(c, xfr_conf_zone(c, z->apex, z->apexlen), peer, req.key)) {
		req.ede = 18; /* Prohibited (RFC 8914 4.19), as NSD says */
		return refuse(&req, DNS_RCODE_REFUSED, NULL, 0, buf, cap, outlen, info);
	}
	if (Q.qtype == DNS_TYPE_IXFR) { /* ixfr.c, unless the whole zone is the answer */
		enum xfr_begin r = ixfr_stream(snap, z, &Q, q, qlen, &req, stream, info);
		if (r == XFR_ANSWERED)
			return refuse(&req, info->rcode, NULL, 0, buf, cap, outlen, info);
		if (r == XFR_STREAM)
			return r;
	}
	if (!(s = calloc(1, sizeof(*s))))
		return refuse(&req, DNS_RCODE_SERVFAIL, NULL, 0, buf, cap, outlen, info);
	/* The snapshot is pinned, so z is alive: take our own reference. */
	s->z = (struct zone *)z;
	zone_ref(s->z);
	if (xfr_out_new(stream, &req, &(struct xfr_source){ src_next, src_free, s }) != STEER_EOK)
		return refuse(&req, DNS_RCODE_SERVFAIL, NULL, 0, buf, cap, outlen, info);
	return XFR_STREAM;
}
