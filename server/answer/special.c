/*
 * special.c -- queries not answered from zone data: the class and type
 * gates in front of the zones, CHAOS identity names, and ANY (RFC 8482).
 */
#include "config.h"
#include "server/answer/state.h"
#include "server/wire/rr.h"
#include "server/zone/snapshot.h"
#include "server/zone/zone.h"
#include "server/zone/zonedb_find.h"
#include "common/dns.h"

#include <string.h>

/* The names resolvers and operators ask a server about itself in class
 * CH (RFC 4892), and which of the config's strings answers each. */
static const struct { const char *wire; int identity; } chaos_names[] = {
	{ "\7version\4bind", 0 }, { "\7version\6server", 0 },
	{ "\2id\6server", 1 },    { "\10hostname\4bind", 1 },
};

int special_chaos_name(const struct query *Q)
{
	for (size_t i = 0; i < sizeof(chaos_names) / sizeof(chaos_names[0]); i++)
		if (Q->qname_len == strlen(chaos_names[i].wire) + 1 &&
		    memcmp(Q->qname, chaos_names[i].wire, Q->qname_len) == 0)
			return (int)i;
	return -1;
}

/* TXT in class CH for those names: version or identity, as the config says. */
static void chaos(struct answer_state *st)
{
	const struct query *Q = st->q;
	uint8_t rr[RR_FIXED + 256];
	int i;

	st->rcode = DNS_RCODE_REFUSED;
	if (!st->env->chaos || (Q->qtype != DNS_TYPE_TXT && Q->qtype != DNS_TYPE_ANY))
		return;
	if ((i = special_chaos_name(Q)) < 0)
		return;
	const char *text = chaos_names[i].identity ? st->env->identity : st->env->version;
	size_t tl = text ? strlen(text) : 0;
	if (tl > 255)
		tl = 255; /* one TXT string */
	rr_header_put(rr, DNS_TYPE_TXT, DNS_CLASS_CH, 0, (uint16_t)(tl + 1));
	rr[RR_FIXED] = (uint8_t)tl;
	memcpy(rr + RR_FIXED + 1, text, tl);
	st->rcode = DNS_RCODE_NOERROR;
	st->aa = 1;
	answer_put_rr(st, NULL, rr, (uint16_t)(RR_FIXED + 1 + tl));
}

/* The rcode for a QTYPE/QCLASS we do not look up, or NOERROR to go on. */
static uint16_t gate(const struct query *Q, int tcp)
{
	if (Q->qclass != DNS_CLASS_IN)
		return DNS_RCODE_REFUSED;
	/* AXFR over TCP is server/xfr's (tcp.c hands it there first); over
	 * UDP NSD and Knot answer NOTIMP (RFC 5936 4.2: TCP only). */
	if (Q->qtype == DNS_TYPE_AXFR)
		return tcp ? DNS_RCODE_REFUSED : DNS_RCODE_NOTIMP;
	if (Q->qtype == DNS_TYPE_IXFR)
		return DNS_RCODE_REFUSED; /* over TCP server/xfr's (tcp.c hands it there first); UDP: ixfr_udp() */
	if (Q->qtype == DNS_TYPE_OPT)
		return DNS_RCODE_FORMERR; /* OPT is a pseudo-type, not a question (RFC 6891 6.1.1) */
	if (Q->qtype >= DNS_TYPE_META_FIRST && Q->qtype < DNS_TYPE_IXFR)
		return DNS_RCODE_NOTIMP;  /* other meta-types (TKEY, TSIG, ...) */
	return DNS_RCODE_NOERROR;
}

/* IXFR over UDP (RFC 1995 4): the current SOA alone. A client that is
 * behind asks again over TCP, where server/xfr serves the transfer with
 * its checks; the SOA itself is what any SOA query gets. */
static void ixfr_udp(struct answer_state *st)
{
	const struct query *Q = st->q;
	const struct zone *z = st->snap ? zonedb_find_apex(st->snap->zones, Q->qname, Q->qname_len) : NULL;

	if (!z) {
		st->rcode = DNS_RCODE_NOTAUTH; /* as for AXFR: not a zone apex of ours */
		return;
	}
	st->rcode = DNS_RCODE_NOERROR;
	st->aa = 1;
	answer_put_rrset(st, NULL, z->soa, UINT32_MAX);
}

int special_query(struct answer_state *st)
{
	st->section = SEC_ANSWER;
	if (st->q->qclass == DNS_CLASS_CH) {
		chaos(st);
		return 1;
	}
	if (st->q->qtype == DNS_TYPE_IXFR && st->q->qclass == DNS_CLASS_IN && !st->client->tcp) {
		ixfr_udp(st);
		return 1;
	}
	st->rcode = gate(st->q, st->client->tcp);
	return st->rcode != DNS_RCODE_NOERROR;
}

/* RFC 8482: over UDP one rrset is enough and keeps ANY from being an
 * amplifier; over TCP the client gets everything. */
void special_any(struct answer_state *st, const struct node *n)
{
	for (uint16_t i = 0; i < n->nrrsets; i++) {
		if (answer_put_rrset(st, st->owner, &n->rrsets[i], UINT32_MAX) < 0 || !st->client->tcp)
			break;
	}
	st->outcome = OUTCOME_HIT;
}

/* RRSIG as QTYPE at node n: every RRSIG there, whatever it covers and
 * whatever DO says, as NSD answers (the type was asked for, RFC 4035
 * 3.1.1 does not forbid it; Knot sends those of one type, BIND all).
 * Returns 0 when n has none (an unsigned zone: the query goes on as for
 * any type n lacks), else 1 with st->outcome set. */
int special_rrsig(struct answer_state *st, const struct node *n)
{
	int any = 0;

	for (uint16_t i = 0; i < n->nrrsets; i++) {
		const uint8_t *p = n->rrsets[i].sigs;
		for (uint16_t k = 0; k < rrset_nsigs(&n->rrsets[i]); k++, p += rr_len(p), any = 1) {
			if (answer_put_rr(st, st->owner, p, rr_len(p)) < 0) {
				st->outcome = OUTCOME_NONE; /* truncated: cut back to the question */
				return 1;
			}
		}
	}
	if (any)
		st->outcome = OUTCOME_HIT;
	return any;
}
