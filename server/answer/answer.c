/*
 * answer.c -- one query in, one response out.
 *
 *   answer_query()
 *     query_parse()                    header, question, EDNS, ECS
 *     resolve()                        class/type gates, zone choice
 *       lookup_name()  (lookup.c)      node / wildcard / referral / DNAME / NXDOMAIN
 *       put_answer(), put_referral(),  sections, written by respond.c with
 *       put_negative()                 name compression and size limits
 *     put_opt()                        EDNS OPT (+ ECS echo)
 *
 * All state lives in struct answer_scratch (one per worker) and in the
 * caller's buffer; nothing here allocates.
 */
#include "config.h"
#include "server/answer/answer.h"
#include "server/wire/dname.h"
#include "server/zone/lookup.h"
#include "server/wire/query.h"
#include "server/wire/respond.h"
#include "server/zone/snapshot.h"
#include "server/steer/steer.h"
#include "server/zone/zone.h"
#include "server/zone/zonedb_find.h"
#include "common/dns.h"

#include <stdlib.h>
#include <string.h>

/* CNAME/DNAME chains are followed at most this far (loops end here too). */
#define CHAIN_MAX 8
#define ADDL_MAX 32

struct answer_scratch {
	struct query q;
	const struct node *addl[ADDL_MAX]; /* nodes whose A/AAAA are already in additional */
	int naddl;
	uint8_t names[2][DNAME_MAXLEN];    /* current chain target (double-buffered) */
	const struct node *chain[CHAIN_MAX + 1]; /* CNAME owners already answered */
	uint32_t hashes[DNAME_MAXLABELS + 1];    /* suffix hashes of the name being looked up */
	int truncated;
	uint8_t ecs_scope;                 /* scope to echo; 0 unless a policy used the location */
	struct pkt_mark after_question;    /* where a truncated response is cut back to */
	const struct answer_client *client;
	const struct snapshot *snap;
	struct answer_result *res;         /* this query's result: zone and steering identity */
};

struct answer_scratch *answer_scratch_new(void)
{
	return calloc(1, sizeof(struct answer_scratch));
}

void answer_scratch_free(struct answer_scratch *s)
{
	free(s);
}

/* --- writing rrsets --------------------------------------------------- */

/* Write a whole rrset; on overflow roll it back and report truncation. */
static int put_rrset(struct answer_scratch *S, struct pkt *P, int section, const uint8_t *owner,
		     const struct rrset *set, uint32_t ttl)
{
	struct pkt_mark m;

	pkt_mark(P, &m);
	const uint8_t *rr = set->data;
	for (uint16_t i = 0; i < set->count; i++, rr += rr_len(rr)) {
		if (pkt_put_rr(P, section, owner, rr, rr_len(rr), ttl) < 0) {
			pkt_rollback(P, &m);
			if (section != SEC_ADDITIONAL)
				S->truncated = 1;
			return -1;
		}
	}
	return 0;
}

/* Additional-section A/AAAA for the targets of NS/MX/SRV (RFC 1034 4.3.2
 * step 6). Occluded names (below a cut) are glue: only for referrals. */
static void put_additional(struct answer_scratch *S, struct pkt *P, const struct rrset *set, int glue_ok)
{
	static const uint16_t types[] = { DNS_TYPE_A, DNS_TYPE_AAAA };

	if (!set->targets)
		return;
	for (uint16_t i = 0; i < set->count; i++) {
		const struct node *t = set->targets[i];
		int seen = 0;
		if (!t || (t->cut && !glue_ok))
			continue;
		for (int k = 0; k < S->naddl; k++)
			seen |= S->addl[k] == t;
		if (seen || S->naddl == ADDL_MAX)
			continue;
		S->addl[S->naddl++] = t;
		for (size_t k = 0; k < 2; k++) {
			const struct rrset *a = node_rrset(t, types[k]);
			if (a && put_rrset(S, P, SEC_ADDITIONAL, t->name, a, UINT32_MAX) < 0)
				return; /* additional data is optional: stop, no TC */
		}
	}
}

static int put_answer_set(struct answer_scratch *S, struct pkt *P, const uint8_t *owner, const struct rrset *set)
{
	if (put_rrset(S, P, SEC_ANSWER, owner, set, UINT32_MAX) < 0)
		return -1;
	put_additional(S, P, set, 0);
	return 0;
}

/* NXDOMAIN / NODATA: the SOA in authority with the negative TTL (RFC 2308 3). */
static void put_negative(struct answer_scratch *S, struct pkt *P, const struct zone *z)
{
	put_rrset(S, P, SEC_AUTHORITY, z->apex, z->soa, z->neg_ttl);
}

static void put_referral(struct answer_scratch *S, struct pkt *P, const struct node *cut)
{
	const struct rrset *ns = node_rrset(cut, DNS_TYPE_NS);
	if (put_rrset(S, P, SEC_AUTHORITY, cut->name, ns, UINT32_MAX) == 0)
		put_additional(S, P, ns, 1);
}

/* RFC 8482: over UDP one rrset is enough and keeps ANY from being an
 * amplifier; over TCP the client gets everything. */
static void put_any(struct answer_scratch *S, struct pkt *P, const uint8_t *owner, const struct node *n, int tcp)
{
	for (uint16_t i = 0; i < n->nrrsets; i++) {
		if (put_rrset(S, P, SEC_ANSWER, owner, &n->rrsets[i], UINT32_MAX) < 0 || !tcp)
			return;
	}
}

/* Target name of a CNAME/DNAME rrset (its first RR), lowercased into out. */
static int rdata_name(const struct rrset *set, uint8_t *out)
{
	const uint8_t *rr = set->data;
	int len = dname_len(rr + RR_FIXED, rr + rr_len(rr));
	if (len < 0)
		return -1;
	dname_lower(out, rr + RR_FIXED, (size_t)len);
	return len;
}

/* Put a CNAME synthesized from a DNAME: owner name, target = name with the
 * DNAME owner's suffix replaced by the DNAME target (RFC 6672 2.2). */
static int put_dname_cname(struct answer_scratch *S, struct pkt *P, const uint8_t *owner, const uint8_t *name,
			   size_t len, const struct node *d, uint8_t *target, size_t *tlen)
{
	const struct rrset *set = node_rrset(d, DNS_TYPE_DNAME);
	uint8_t dtarget[DNAME_MAXLEN], rr[RR_FIXED + DNAME_MAXLEN];
	int dl = rdata_name(set, dtarget);
	size_t prefix = len - d->namelen;

	if (dl < 0)
		return DNS_RCODE_SERVFAIL;
	if (prefix + (size_t)dl > DNAME_MAXLEN)
		return DNS_RCODE_YXDOMAIN;
	memcpy(target, name, prefix);
	memcpy(target + prefix, dtarget, (size_t)dl);
	*tlen = prefix + (size_t)dl;
	rr_header_put(rr, DNS_TYPE_CNAME, DNS_CLASS_IN, set->ttl, (uint16_t)*tlen);
	memcpy(rr + RR_FIXED, target, *tlen);
	if (put_rrset(S, P, SEC_ANSWER, d->name, set, UINT32_MAX) < 0 ||
	    pkt_put_rr(P, SEC_ANSWER, owner, rr, (uint16_t)(RR_FIXED + *tlen), UINT32_MAX) < 0) {
		S->truncated = 1;
		return DNS_RCODE_NOERROR;
	}
	return -1; /* continue the chain */
}

/* A/AAAA chosen by the name's policy (steer.c). Returns an rcode, or -1
 * to fall back to the zone file's records. */
static int put_steered(struct answer_scratch *S, struct pkt *P, const struct zone *z, const uint8_t *owner,
		       const struct node *n)
{
	const struct query *Q = &S->q;
	struct steer_answer sa;
	uint8_t rr[RR_FIXED + 16];
	uint16_t alen = Q->qtype == DNS_TYPE_A ? 4 : 16;

	steer_answer(S->snap, n, Q->qtype, Q, S->client->addr, &sa);
	S->res->steer = sa.report;
	if (sa.use_static)
		return -1;
	S->ecs_scope = sa.ecs_scope;
	if (sa.naddrs == 0) {
		put_negative(S, P, z);
		return DNS_RCODE_NOERROR;
	}
	rr_header_put(rr, Q->qtype, DNS_CLASS_IN, sa.ttl, alen);
	for (uint16_t i = 0; i < sa.naddrs && i < STEER_MAX_ADDRS; i++) {
		memcpy(rr + RR_FIXED, sa.addrs[i], alen);
		if (pkt_put_rr(P, SEC_ANSWER, owner, rr, (uint16_t)(RR_FIXED + alen), UINT32_MAX) < 0) {
			S->truncated = 1;
			break;
		}
	}
	return DNS_RCODE_NOERROR;
}

/* --- resolution ------------------------------------------------------- */

static uint16_t resolve_in_zone(struct answer_scratch *S, struct pkt *P, const struct zonedb *db,
				const struct zone *z, int tcp)
{
	const struct query *Q = &S->q;
	const uint8_t *name = Q->qname, *owner = NULL; /* NULL owner = pointer to the question */
	size_t len = Q->qname_len;
	int labels = Q->qlabels;

	for (int step = 0; step <= CHAIN_MAX; step++) {
		struct lookup_result r;
		const struct node *n;
		const struct rrset *set;

		lookup_name(z, name, len, labels, Q->qtype, S->hashes, &r);
		n = r.node;
		switch (r.kind) {
		case LOOKUP_NXDOMAIN:
			put_negative(S, P, z);
			return DNS_RCODE_NXDOMAIN; /* RFC 6604: also at the end of a chain */
		case LOOKUP_REFERRAL:
			if (step == 0)
				pkt_set_aa(P, 0);
			put_referral(S, P, n);
			return DNS_RCODE_NOERROR;
		case LOOKUP_DNAME: {
			uint8_t *target = S->names[step & 1];
			size_t tlen;
			int rc = put_dname_cname(S, P, owner, name, len, n, target, &tlen);
			if (rc >= 0)
				return (uint16_t)rc;
			name = owner = target;
			len = tlen;
			labels = dname_labels(target);
			/* RFC 1034 4.3.2 3a: start over with the new name, in
			 * whichever of our zones is closest to it. */
			dname_suffix_hashes(target, S->hashes);
			if (!(z = zonedb_find_hashed(db, target, tlen, S->hashes)))
				return DNS_RCODE_NOERROR;
			continue;
		}
		case LOOKUP_NODE:
		case LOOKUP_WILDCARD:
			break;
		}
		if (Q->qtype == DNS_TYPE_ANY && n->nrrsets) {
			put_any(S, P, owner, n, tcp);
			return DNS_RCODE_NOERROR;
		}
		/* A name with a policy: the snapshot's policy set knows (steer.h). */
		if ((Q->qtype == DNS_TYPE_A || Q->qtype == DNS_TYPE_AAAA) && S->snap->extra) {
			int rc = put_steered(S, P, z, owner, n);
			if (rc >= 0)
				return (uint16_t)rc;
		}
		set = node_rrset(n, Q->qtype);
		if (set) {
			put_answer_set(S, P, owner, set);
			return DNS_RCODE_NOERROR;
		}
		if (n->flags & NODE_CNAME) {
			const struct rrset *cn = node_rrset(n, DNS_TYPE_CNAME);
			uint8_t *target = S->names[step & 1];
			int tl;
			/* A loop ends where it closes: each CNAME appears once (as NSD). */
			for (int k = 0; k < step; k++)
				if (S->chain[k] == n && r.kind == LOOKUP_NODE)
					return DNS_RCODE_NOERROR;
			S->chain[step] = n;
			if (put_rrset(S, P, SEC_ANSWER, owner, cn, UINT32_MAX) < 0)
				return DNS_RCODE_NOERROR;
			tl = rdata_name(cn, target);
			if (tl < 0)
				return DNS_RCODE_NOERROR;
			labels = dname_labels(target);
			/* RFC 1034 4.3.2 3a: restart with the target in the closest
			 * zone we serve (a child zone too); names in no zone of ours
			 * are the resolver's job. */
			dname_suffix_hashes(target, S->hashes);
			if (!(z = zonedb_find_hashed(db, target, (size_t)tl, S->hashes)))
				return DNS_RCODE_NOERROR;
			name = owner = target;
			len = (size_t)tl;
			continue;
		}
		put_negative(S, P, z); /* NODATA, also for empty non-terminals */
		return DNS_RCODE_NOERROR;
	}
	return DNS_RCODE_NOERROR; /* chain too long (or a loop): answer with what we have */
}

static uint16_t resolve_chaos(struct answer_scratch *S, const struct answer_env *env, struct pkt *P)
{
	static const struct { const char *wire; int identity; } names[] = {
		{ "\7version\4bind", 0 }, { "\7version\6server", 0 },
		{ "\2id\6server", 1 },    { "\10hostname\4bind", 1 },
	};
	const struct query *Q = &S->q;
	uint8_t rr[RR_FIXED + 256];

	if (!env->chaos || (Q->qtype != DNS_TYPE_TXT && Q->qtype != DNS_TYPE_ANY))
		return DNS_RCODE_REFUSED;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (Q->qname_len != strlen(names[i].wire) + 1 || memcmp(Q->qname, names[i].wire, Q->qname_len) != 0)
			continue;
		const char *text = names[i].identity ? env->identity : env->version;
		size_t tl = text ? strlen(text) : 0;
		if (tl > 255)
			tl = 255;
		rr_header_put(rr, DNS_TYPE_TXT, DNS_CLASS_CH, 0, (uint16_t)(tl + 1));
		rr[RR_FIXED] = (uint8_t)tl;
		memcpy(rr + RR_FIXED + 1, text, tl);
		pkt_set_aa(P, 1);
		if (pkt_put_rr(P, SEC_ANSWER, NULL, rr, (uint16_t)(RR_FIXED + 1 + tl), UINT32_MAX) < 0)
			S->truncated = 1;
		return DNS_RCODE_NOERROR;
	}
	return DNS_RCODE_REFUSED;
}

static uint16_t resolve(struct answer_scratch *S, const struct answer_env *env, const struct snapshot *snap,
			struct pkt *P, int tcp)
{
	const struct query *Q = &S->q;
	const struct zonedb *db = snap ? snap->zones : NULL;
	const struct zone *z;

	if (Q->qclass == DNS_CLASS_CH)
		return resolve_chaos(S, env, P);
	if (Q->qclass != DNS_CLASS_IN)
		return DNS_RCODE_REFUSED;
	if (Q->qtype == DNS_TYPE_AXFR || Q->qtype == DNS_TYPE_IXFR)
		return DNS_RCODE_REFUSED; /* zone transfers are not served (yet) over any transport */
	if (Q->qtype == DNS_TYPE_OPT)
		return DNS_RCODE_FORMERR; /* OPT is a pseudo-type, not a question (RFC 6891 6.1.1) */
	if (Q->qtype >= 128 && Q->qtype < 251)
		return DNS_RCODE_NOTIMP;  /* other meta-types (TKEY, TSIG, ...) */
	dname_suffix_hashes(Q->qname, S->hashes);
	z = db ? zonedb_find_hashed(db, Q->qname, Q->qname_len, S->hashes) : NULL;
	if (!z)
		return DNS_RCODE_REFUSED;
	/* DS lives on the parent side of a cut: at a child apex we also
	 * serve, ask the parent zone when we have it. */
	if (Q->qtype == DNS_TYPE_DS && Q->qlabels == z->apexlabels && Q->qlabels > 0) {
		const uint8_t *parent = Q->qname + Q->qname[0] + 1;
		const struct zone *pz = zonedb_find(db, parent, Q->qname_len - Q->qname[0] - 1u);
		if (pz)
			z = pz;
	}
	pkt_set_aa(P, 1);
	S->res->zone = zonedb_position(db, z, S->hashes[Q->qlabels - z->apexlabels]) + 1;
	return resolve_in_zone(S, P, db, z, tcp);
}

/* --- EDNS ------------------------------------------------------------- */

static size_t opt_size(const struct query *Q)
{
	if (!Q->edns)
		return 0;
	return 11 + (Q->ecs ? 8u + (Q->ecs_source + 7u) / 8u : 0u);
}

static void put_opt(struct pkt *P, const struct answer_env *env, const struct query *Q, uint16_t rcode,
		    uint8_t ecs_scope, int with_ecs)
{
	uint8_t opt[11 + 8 + 16];
	size_t n = 11;

	/* OPT (RFC 6891 6.1.2): root owner; CLASS is our UDP payload; the TTL
	 * holds the extended RCODE's upper 8 bits, version 0 and DO, which is
	 * copied from the query (RFC 3225). */
	uint32_t ttl = (uint32_t)(rcode >> 4) << 24 | (Q->edns_do ? DNS_EDNS_DO : 0);

	opt[0] = 0;
	if (with_ecs && Q->ecs) {
		size_t alen = (Q->ecs_source + 7u) / 8u;
		wire_put16(opt + 11, DNS_EDNS_ECS);
		wire_put16(opt + 13, (uint16_t)(4 + alen));
		wire_put16(opt + 15, Q->ecs_family);
		opt[17] = Q->ecs_source;
		opt[18] = ecs_scope;
		memcpy(opt + 19, Q->ecs_addr, alen);
		n += 8 + alen;
	}
	rr_header_put(opt + 1, DNS_TYPE_OPT, env->udp_payload, ttl, (uint16_t)(n - 11));
	pkt_put_raw_rr(P, SEC_ADDITIONAL, opt, n);
}

void answer_query(struct answer_scratch *S, const struct answer_env *env, const struct snapshot *snap,
		  const struct answer_client *client, const uint8_t *q, size_t qlen, uint8_t *resp,
		  size_t resp_cap, struct answer_result *res)
{
	struct query *Q = &S->q;
	enum query_status st = query_parse(q, qlen, Q);
	struct pkt P;
	size_t max;
	uint16_t rcode;

	memset(res, 0, sizeof(*res));
	res->malformed = st == QUERY_DROP || st == QUERY_FORMERR;
	if (st == QUERY_DROP)
		return;
	res->qtype = Q->question_ok ? Q->qtype : 0;
	if (client->tcp)
		max = 65535;
	else if (Q->edns)
		max = Q->edns_payload < env->udp_payload ? Q->edns_payload : env->udp_payload;
	else
		max = 512;
	if (max > resp_cap)
		max = resp_cap;
	/* Keep room for the OPT record: it must be in every EDNS response. */
	pkt_begin(&P, resp, max - opt_size(Q), q, Q->question_ok ? Q->question_len : 0);
	pkt_mark(&P, &S->after_question);
	S->naddl = 0;
	S->truncated = 0;
	S->ecs_scope = 0;
	S->client = client;
	S->snap = snap;
	S->res = res;

	switch (st) {
	case QUERY_OK:
		rcode = resolve(S, env, snap, &P, client->tcp);
		break;
	case QUERY_NOTIMP:
		rcode = DNS_RCODE_NOTIMP;
		break;
	case QUERY_BADVERS:
		rcode = DNS_RCODE_BADVERS;
		break;
	default:
		rcode = DNS_RCODE_FORMERR;
		break;
	}
	if (S->truncated) {
		/* RFC 2181 9: a partial RRset is worse than none. Send the
		 * header and question with TC; the client retries over TCP. */
		pkt_rollback(&P, &S->after_question);
		pkt_set_tc(&P);
		res->tc = 1;
	}
	pkt_set_rcode(&P, rcode);
	P.limit = max;
	if (Q->edns)
		put_opt(&P, env, Q, rcode, S->ecs_scope, st == QUERY_OK && !(snap && snap->no_ecs));
	res->rcode = rcode;
	res->len = pkt_finish(&P);
}
