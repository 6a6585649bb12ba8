/*
 * dnssec_answer.c -- what a DO query adds to a response from a signed zone
 * (RFC 4035 3.1): the RRSIGs of every signed rrset written (the sign hook,
 * after each section) and the proofs that a name or type is absent, a
 * wildcard was used, or a delegation is unsigned (the deny hook, after the
 * authority section).
 *
 * The signatures were made at load (server/dnssec/zonesign.c) and sit next
 * to each rrset as compiled RRs; this file only copies them. The proofs
 * are NSEC/NSEC3 rrsets of the zone, found by denial.c's binary searches;
 * they are written like any rrset, so the sign hook adds their RRSIGs too.
 * Nothing here runs without DO.
 */
#include "config.h"
#include "server/answer/state.h"
#include "server/dnssec/denial.h"
#include "server/dnssec/zonesign.h"
#include "server/wire/dname.h"
#include "server/wire/respond.h"
#include "server/wire/rr.h"
#include "server/zone/lookup.h"
#include "server/zone/zone.h"
#include "common/dns.h"

#include <string.h>

void answer_dnssec_record(struct answer_state *st, const uint8_t *owner, const struct rrset *set, uint32_t ttl)
{
	struct answer_scratch *S = st->scratch;

	if (S->ntosign < SIGN_MAX)
		S->tosign[S->ntosign++] = (struct answer_tosign){ owner, set, ttl, st->pkt->owner_at };
}

void answer_dnssec_sign(struct answer_state *st)
{
	struct answer_scratch *S = st->scratch;
	int n = S->ntosign;

	S->ntosign = 0;
	if (st->truncated)
		return;
	for (int i = 0; i < n; i++) {
		const struct answer_tosign *t = &S->tosign[i];
		const uint8_t *p = t->set->sigs;
		for (uint16_t k = 0; k < rrset_nsigs(t->set); k++, p += rr_len(p))
			if (answer_dnssec_put_sig(st, t->owner_at, t->owner, p, rr_len(p), t->ttl) < 0)
				return;
	}
}

int answer_dnssec_put_sig(struct answer_state *st, uint16_t owner_at, const uint8_t *owner, const uint8_t *rr,
			  uint16_t len, uint32_t ttl)
{
	/* The owner is in the packet already: point at it (the bytes
	 * compression would write, without its search). */
	if ((owner_at ? pkt_put_rr_at(st->pkt, st->section, owner_at, rr, len, ttl)
		      : pkt_put_rr(st->pkt, st->section, owner, rr, len, ttl)) == 0)
		return 0;
	/* RFC 4035 3.1.1: in additional, drop the RRSIG rather than set TC. */
	if (st->section != SEC_ADDITIONAL)
		st->truncated = 1;
	return -1;
}

/* --- proofs ------------------------------------------------------------- */

/* Proof records of one response: NXDOMAIN with NSEC3 takes 3, each
 * wildcard CNAME of the chain one more. */
#define PROOF_MAX (4 + CHAIN_MAX + 1)

/* The proofs written so far (each NSEC/NSEC3 once) and the zone whose
 * chain the next ones come from. */
struct proofs {
	const struct dnssec_zone *dz;
	const struct node *done[PROOF_MAX];
	int nd;
};

/* Write the NSEC/NSEC3 rrset of node once per response. */
static void put_proof(struct answer_state *st, struct proofs *pr, const struct node *n)
{
	uint16_t type = pr->dz->denial == DNSSEC_NSEC3 ? DNS_TYPE_NSEC3 : DNS_TYPE_NSEC;
	const struct rrset *set = n ? node_rrset(n, type) : NULL;

	for (int i = 0; i < pr->nd; i++)
		if (pr->done[i] == n)
			return;
	if (!set || pr->nd >= PROOF_MAX)
		return;
	pr->done[pr->nd++] = n;
	answer_put_rrset(st, n->name, set, UINT32_MAX);
}

/* "*.<ce>" into buf. */
static const uint8_t *wildcard_of(const uint8_t *ce, uint8_t *buf)
{
	size_t l = dname_wire_len(ce);

	if (l + 2 > DNAME_MAXLEN)
		return NULL;
	buf[0] = 1;
	buf[1] = '*';
	memcpy(buf + 2, ce, l);
	return buf;
}

/* The NSEC/NSEC3 that matches or covers name. */
static const struct node *proof_for(const struct dnssec_zone *dz, const uint8_t *name)
{
	int exact;

	if (dz->denial == DNSSEC_NSEC3)
		return dnssec_nsec3_find(dz, name, dname_wire_len(name), &exact);
	return dnssec_nsec_find(dz, name, &exact);
}

/* The same for the name of node n (of this zone): with NSEC, a node that
 * owns an NSEC is the chain's entry for its own name, no search needed. */
static const struct node *proof_at(const struct dnssec_zone *dz, const struct node *n)
{
	if (dz->denial == DNSSEC_NSEC && node_rrset(n, DNS_TYPE_NSEC))
		return n;
	return proof_for(dz, n->name);
}

/* NSEC: the one covering w = "*.<ce>" for an NXDOMAIN whose closest
 * encloser is the lookup's node (in st->zone). w sorts right after ce, so
 * when ce owns an NSEC whose next name (not the apex: the chain's wrap) is
 * after w, that NSEC covers it, where the search would land too. */
static const struct node *wild_proof(const struct answer_state *st, const struct dnssec_zone *dz, const uint8_t *ce,
				     const uint8_t *w)
{
	const struct node *n = st->lookup.node;
	const struct rrset *nsec;
	const uint8_t *next;

	if (dz->denial != DNSSEC_NSEC || dz != st->zone->dnssec || !n || n->name != ce ||
	    !(nsec = node_rrset(n, DNS_TYPE_NSEC)))
		return proof_for(dz, w);
	next = nsec->data + RR_FIXED;
	if ((next[0] == st->zone->apex[0] && memcmp(next, st->zone->apex, st->zone->apexlen) == 0) ||
	    dnssec_name_cmp(w, next) >= 0)
		return proof_for(dz, w);
	return n;
}

/* The name below ce does not exist: the NSEC covering it, or the NSEC3
 * covering its next closer name (the one label longer than ce). Alone,
 * this is the proof for a wildcard answer (RFC 4035 3.1.3.3, RFC 5155
 * 7.2.6). */
static void prove_next_closer(struct answer_state *st, struct proofs *pr, const uint8_t *name, const uint8_t *ce)
{
	int nl, cl;

	if (pr->dz->denial != DNSSEC_NSEC3) {
		put_proof(st, pr, proof_for(pr->dz, name));
		return;
	}
	nl = dname_labels(name);
	cl = dname_labels(ce);
	if (nl > cl)
		put_proof(st, pr, proof_for(pr->dz, dname_skip(name, nl - cl - 1)));
}

/* RFC 5155 7.2.1: the closest encloser ce of name: its own NSEC3 and the
 * next closer proof; with_wild, also the NSEC/NSEC3 of "*.<ce>" (covering
 * it for NXDOMAIN). For NSEC the NSEC covering name shows ce too. */
static void prove_encloser(struct answer_state *st, struct proofs *pr, const uint8_t *name, const uint8_t *ce,
			   int with_wild)
{
	uint8_t wbuf[DNAME_MAXLEN];
	const uint8_t *w = with_wild ? wildcard_of(ce, wbuf) : NULL;

	if (pr->dz->denial == DNSSEC_NSEC3)
		put_proof(st, pr, proof_for(pr->dz, ce));
	prove_next_closer(st, pr, name, ce);
	if (w)
		put_proof(st, pr, wild_proof(st, pr->dz, ce, w));
}

/* NODATA: the name's own NSEC/NSEC3 (an empty non-terminal has no NSEC:
 * the one covering it); for a wildcard (RFC 5155 7.2.5) the encloser
 * proof and the wildcard's own NSEC/NSEC3, without the type. */
static void prove_nodata(struct answer_state *st, struct proofs *pr)
{
	const struct node *n = st->lookup.node;

	if (st->lookup.kind == LOOKUP_WILDCARD) {
		prove_encloser(st, pr, st->name, dname_skip(n->name, 1), 0);
		put_proof(st, pr, proof_at(pr->dz, n));
		return;
	}
	if (st->lookup.kind == LOOKUP_NODE) /* n is the name itself */
		put_proof(st, pr, proof_at(pr->dz, n));
	else
		put_proof(st, pr, proof_for(pr->dz, st->name));
}

/* A referral: the DS (signed by the sign hook), or the proof there is none. */
static void prove_referral(struct answer_state *st, struct proofs *pr)
{
	const struct node *cut = st->lookup.node;
	const struct rrset *ds = node_rrset(cut, DNS_TYPE_DS);

	if (ds)
		answer_put_rrset(st, cut->name, ds, UINT32_MAX);
	else
		put_proof(st, pr, proof_at(pr->dz, cut));
}

/* RFC 4035 3.1.3.3: each wildcard CNAME earlier in the chain, in its own
 * zone: the name it answered does not exist (RFC 5155 7.2.6: the next
 * closer name is covered). */
static void prove_chain_wildcards(struct answer_state *st, struct proofs *pr)
{
	const struct answer_scratch *S = st->scratch;

	for (int i = 0; i < S->nwild; i++) {
		const struct answer_wild *w = &S->wild[i];
		pr->dz = w->zone->dnssec;
		prove_next_closer(st, pr, w->name, dname_skip(w->node->name, 1));
	}
}

/* The proofs for where the answer section ended, in st->zone. */
static void prove_outcome(struct answer_state *st, struct proofs *pr)
{
	pr->dz = st->zone->dnssec;
	switch (st->outcome) {
	case OUTCOME_NXDOMAIN:
		prove_encloser(st, pr, st->name, st->lookup.node->name, 1);
		break;
	case OUTCOME_NODATA:
		prove_nodata(st, pr);
		break;
	case OUTCOME_HIT:
		/* A wildcard answer: the name itself does not exist. */
		if (st->lookup.kind == LOOKUP_WILDCARD)
			prove_next_closer(st, pr, st->name, dname_skip(st->lookup.node->name, 1));
		break;
	case OUTCOME_DELEG:
		prove_referral(st, pr);
		break;
	case OUTCOME_NONE:
		break;
	}
}

void answer_dnssec_deny(struct answer_state *st)
{
	struct proofs pr; /* not zeroed: done[] is read only below nd */

	if (st->truncated)
		return;
	pr.nd = 0;
	prove_chain_wildcards(st, &pr);
	/* A chain that left our zones (or failed) ends with no proof of its own. */
	if (st->zone && st->zone->dnssec && st->outcome != OUTCOME_NONE)
		prove_outcome(st, &pr);
}

/* answer_dnssec_steered(): steered_sign.c (online signing, sigcache.h). */
