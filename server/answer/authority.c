/*
 * authority.c -- the authority section: the SOA that makes a negative
 * answer cacheable, or the NS of a delegation.
 */
#include "config.h"
#include "server/answer/state.h"
#include "server/zone/zone.h"
#include "common/dns.h"

/* NXDOMAIN / NODATA: the SOA in authority with the negative TTL (RFC 2308 3). */
static void put_negative(struct answer_state *st)
{
	const struct zone *z = st->zone;

	answer_put_rrset(st, z->apex, z->soa, z->neg_ttl);
}

/* The delegation's NS; its addresses (glue) follow in additional. */
static void put_referral(struct answer_state *st)
{
	const struct node *cut = st->lookup.node;
	const struct rrset *ns = node_rrset(cut, DNS_TYPE_NS);

	if (answer_put_rrset(st, cut->name, ns, UINT32_MAX) == 0) {
		st->addl_from = ns;
		st->glue = 1;
	}
}

void authority_section(struct answer_state *st)
{
	st->section = SEC_AUTHORITY;
	switch (st->outcome) {
	case OUTCOME_NXDOMAIN:
	case OUTCOME_NODATA:
		put_negative(st);
		break;
	case OUTCOME_DELEG:
		put_referral(st);
		break;
	case OUTCOME_NONE:
	case OUTCOME_HIT:
		break;
	}
}
