/*
 * section_answer.c -- the answer section: the zone of the question, then a
 * small state machine over the name being answered (RFC 1034 4.3.2).
 *
 *   answer_section()     find_zone(), then look st->name up and take one
 *                        step by where it landed:
 *     step_nxdomain()    no such name                -> done (NXDOMAIN)
 *     step_referral()    below a zone cut            -> done (DELEG)
 *     step_dname()       below a DNAME: CNAME synthesized, the name moves
 *     step_node()        the name (or its wildcard): ANY, steering, the
 *                        rrset, a CNAME to follow, or NODATA
 *   follow()             a CNAME/DNAME target becomes st->name, in the
 *                        closest zone we serve    -> look it up again
 *
 * Each step returns enum answer_next: look the moved name up, or the
 * section is complete with st->outcome (and st->rcode) set.
 */
#include "config.h"
#include "server/answer/state.h"
#include "server/steer/steer.h"
#include "server/wire/dname.h"
#include "server/wire/rr.h"
#include "server/zone/lookup.h"
#include "server/zone/snapshot.h"
#include "server/zone/zone.h"
#include "server/zone/zonedb_find.h"
#include "common/dns.h"

#include <string.h>

/* The section is complete with outcome (and rcode, when not NOERROR). */
static enum answer_next done(struct answer_state *st, enum answer_outcome outcome, uint16_t rcode)
{
	st->outcome = outcome;
	st->rcode = rcode;
	return NEXT_DONE;
}

/* The zone for the question, where the chain starts. Returns 1, or 0
 * when none of ours holds the name. */
static int find_zone(struct answer_state *st)
{
	const struct query *Q = st->q;
	const struct zonedb *db = st->snap ? st->snap->zones : NULL;
	const struct zone *z;

	dname_suffix_hashes(Q->qname, st->scratch->hashes);
	z = db ? zonedb_find_hashed(db, Q->qname, Q->qname_len, st->scratch->hashes) : NULL;
	if (!z)
		return 0;
	/* DS lives on the parent side of a cut: at a child apex we also
	 * serve, ask the parent zone when we have it. */
	if (Q->qtype == DNS_TYPE_DS && Q->qlabels == z->apexlabels && Q->qlabels > 0) {
		const uint8_t *parent = Q->qname + Q->qname[0] + 1;
		const struct zone *pz = zonedb_find(db, parent, Q->qname_len - Q->qname[0] - 1u);
		if (pz)
			z = pz;
	}
	st->res->zone = zonedb_position(db, z, st->scratch->hashes[Q->qlabels - z->apexlabels]) + 1;
	st->zone = z;
	st->name = Q->qname;
	st->len = Q->qname_len;
	st->labels = Q->qlabels;
	st->owner = NULL; /* the question name, by pointer */
	st->aa = 1;
	return 1;
}

/* Target name of a CNAME/DNAME rrset (its first RR), lowercased into out;
 * its length, or -1 when the RDATA holds no valid name. */
static int rdata_name(const struct rrset *set, uint8_t *out)
{
	const uint8_t *rr = set->data;
	int len = dname_len(rr + RR_FIXED, rr + rr_len(rr));

	if (len < 0)
		return -1;
	dname_lower(out, rr + RR_FIXED, (size_t)len);
	return len;
}

/* RFC 1034 4.3.2 3a: start over with target (in st->scratch->names), in
 * whichever of our zones is closest to it (a child zone too); names in no
 * zone of ours are the resolver's job. */
static enum answer_next follow(struct answer_state *st, const uint8_t *target, size_t tlen)
{
	const struct zonedb *db = st->snap->zones;

	st->name = st->owner = target;
	st->len = tlen;
	st->labels = dname_labels(target);
	dname_suffix_hashes(target, st->scratch->hashes);
	st->zone = zonedb_find_hashed(db, target, tlen, st->scratch->hashes);
	if (!st->zone)
		return done(st, OUTCOME_NONE, DNS_RCODE_NOERROR);
	return NEXT_LOOKUP;
}

/* RFC 6604: NXDOMAIN also at the end of a chain. */
static enum answer_next step_nxdomain(struct answer_state *st)
{
	return done(st, OUTCOME_NXDOMAIN, DNS_RCODE_NXDOMAIN);
}

/* A referral is not authoritative, unless a chain led into it from data
 * of ours (the CNAME before it is). */
static enum answer_next step_referral(struct answer_state *st)
{
	if (st->chain == 0)
		st->aa = 0;
	return done(st, OUTCOME_DELEG, DNS_RCODE_NOERROR);
}

/* Below a DNAME: the DNAME itself, then a CNAME synthesized for the name,
 * its target the name with the DNAME owner's suffix replaced by the DNAME
 * target (RFC 6672 2.2); the chain goes on at that target. */
static enum answer_next step_dname(struct answer_state *st)
{
	const struct node *d = st->lookup.node;
	const struct rrset *set = node_rrset(d, DNS_TYPE_DNAME);
	uint8_t dtarget[DNAME_MAXLEN], rr[RR_FIXED + DNAME_MAXLEN];
	uint8_t *target = st->scratch->names[st->chain];
	int dl = rdata_name(set, dtarget);
	size_t prefix = st->len - d->namelen, tlen;

	if (dl < 0)
		return done(st, OUTCOME_NONE, DNS_RCODE_SERVFAIL);
	if (prefix + (size_t)dl > DNAME_MAXLEN)
		return done(st, OUTCOME_NONE, DNS_RCODE_YXDOMAIN);
	memcpy(target, st->name, prefix);
	memcpy(target + prefix, dtarget, (size_t)dl);
	tlen = prefix + (size_t)dl;
	rr_header_put(rr, DNS_TYPE_CNAME, DNS_CLASS_IN, set->ttl, (uint16_t)tlen);
	memcpy(rr + RR_FIXED, target, tlen);
	if (answer_put_rrset(st, d->name, set, UINT32_MAX) < 0 ||
	    answer_put_rr(st, st->owner, rr, (uint16_t)(RR_FIXED + tlen)) < 0)
		return done(st, OUTCOME_NONE, DNS_RCODE_NOERROR);
	return follow(st, target, tlen);
}

/* The node's CNAME, then its target. A loop ends where it closes: each
 * CNAME appears once (as NSD). */
static enum answer_next step_cname(struct answer_state *st, const struct node *n)
{
	struct answer_scratch *S = st->scratch;
	const struct rrset *cn = node_rrset(n, DNS_TYPE_CNAME);
	uint8_t *target = S->names[st->chain];
	int tl;

	for (int k = 0; k < st->chain; k++)
		if (S->chain[k] == n && st->lookup.kind == LOOKUP_NODE)
			return done(st, OUTCOME_NONE, DNS_RCODE_NOERROR);
	S->chain[st->chain] = n;
	/* A wildcard CNAME: its proof is due whatever the chain ends in. */
	if (st->lookup.kind == LOOKUP_WILDCARD && st->q->edns_do && st->zone->dnssec)
		S->wild[S->nwild++] = (struct answer_wild){ st->zone, st->name, n };
	if (answer_put_rrset(st, st->owner, cn, UINT32_MAX) < 0)
		return done(st, OUTCOME_NONE, DNS_RCODE_NOERROR);
	tl = rdata_name(cn, target);
	if (tl < 0)
		return done(st, OUTCOME_NONE, DNS_RCODE_NOERROR);
	return follow(st, target, (size_t)tl);
}

/* A/AAAA chosen by the name's policy (steer.c). Returns 1 when the policy
 * answered (st->outcome set), 0 when it says to use the zone's records. */
static int put_steered(struct answer_state *st, const struct node *n)
{
	const struct query *Q = st->q;
	struct steer_answer sa;
	uint8_t rr[RR_FIXED + 16];
	uint16_t alen = Q->qtype == DNS_TYPE_A ? 4 : 16;

	steer_answer(st->snap, n, Q->qtype, Q, st->client->addr, &sa);
	st->res->steer = sa.report;
	if (sa.use_static)
		return 0;
	/* DO in a signed zone: the steered set goes out with an online
	 * signature (answer_dnssec_steered writes both); when it cannot, the
	 * zone-file RRset signed at load answers (also for an empty set, whose
	 * NODATA proof the NSEC bitmap would contradict). */
	if (Q->edns_do && st->zone->dnssec) {
		if (sa.naddrs == 0 || answer_dnssec_steered(st, n, &sa) < 0)
			return 0;
		done(st, OUTCOME_HIT, DNS_RCODE_NOERROR);
		return 1;
	}
	st->ecs_scope = sa.ecs_scope;
	if (sa.naddrs == 0) {
		done(st, OUTCOME_NODATA, DNS_RCODE_NOERROR);
		return 1;
	}
	rr_header_put(rr, Q->qtype, DNS_CLASS_IN, sa.ttl, alen);
	for (uint16_t i = 0; i < sa.naddrs && i < STEER_MAX_ADDRS; i++) {
		memcpy(rr + RR_FIXED, sa.addrs[i], alen);
		if (answer_put_rr(st, st->owner, rr, (uint16_t)(RR_FIXED + alen)) < 0)
			break;
	}
	done(st, OUTCOME_HIT, DNS_RCODE_NOERROR);
	return 1;
}

/* The name exists (or a wildcard stands for it). */
static enum answer_next step_node(struct answer_state *st)
{
	const struct node *n = st->lookup.node;
	uint16_t qtype = st->q->qtype;
	const struct rrset *set;

	if (qtype == DNS_TYPE_ANY && n->nrrsets) {
		special_any(st, n);
		return NEXT_DONE;
	}
	if (qtype == DNS_TYPE_RRSIG && special_rrsig(st, n))
		return NEXT_DONE;
	/* A name with a policy: the snapshot's policy set knows (steer.h). */
	if ((qtype == DNS_TYPE_A || qtype == DNS_TYPE_AAAA) && st->snap->extra && put_steered(st, n))
		return NEXT_DONE;
	set = node_rrset(n, qtype);
	if (set) {
		if (answer_put_rrset(st, st->owner, set, UINT32_MAX) < 0)
			return done(st, OUTCOME_NONE, DNS_RCODE_NOERROR);
		st->addl_from = set;
		return done(st, OUTCOME_HIT, DNS_RCODE_NOERROR);
	}
	if (n->flags & NODE_CNAME)
		return step_cname(st, n);
	return done(st, OUTCOME_NODATA, DNS_RCODE_NOERROR); /* also for empty non-terminals */
}

/* One step of the state machine, chosen by where the name landed. */
static enum answer_next step(struct answer_state *st)
{
	switch (st->lookup.kind) {
	case LOOKUP_NXDOMAIN:
		return step_nxdomain(st);
	case LOOKUP_REFERRAL:
		return step_referral(st);
	case LOOKUP_DNAME:
		return step_dname(st);
	case LOOKUP_NODE:
	case LOOKUP_WILDCARD:
		break;
	}
	return step_node(st);
}

void answer_section(struct answer_state *st)
{
	st->section = SEC_ANSWER;
	if (!find_zone(st)) {
		done(st, OUTCOME_NONE, DNS_RCODE_REFUSED);
		return;
	}
	for (st->chain = 0; st->chain <= CHAIN_MAX; st->chain++) {
		lookup_name(st->zone, st->name, st->len, st->labels, st->q->qtype, st->scratch->hashes, &st->lookup);
		if (step(st) == NEXT_DONE)
			return;
	}
	/* The chain is too long (or a loop): answer with what we have. */
	done(st, OUTCOME_NONE, DNS_RCODE_NOERROR);
}
