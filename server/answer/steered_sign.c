/*
 * steered_sign.c -- a steered A/AAAA answer of a signed zone, for a DO=1
 * query: the set the policy chose and its RRSIG, made online once per
 * distinct set and then taken from the process's signature cache
 * (server/dnssec/sigcache.h), which every UDP worker and the TCP thread
 * share.
 *
 * The RRSIG covers the node's own name (the "*" owner for a wildcard, with
 * Labels one less, RFC 4035 5.3.2), so every query name a wildcard stands
 * for shares one signature. When there is no cache, no signing ZSK, or the
 * signer fails, nothing is written and the caller answers with the zone
 * file's RRset and the signature made at load: a client gets a less well
 * steered answer that validates, never SERVFAIL (issue 12).
 */
#include "config.h"
#include "server/answer/state.h"
#include "server/dnssec/sigcache.h"
#include "server/dnssec/zonesign.h"
#include "server/steer/steer.h"
#include "server/wire/rr.h"
#include "server/zone/zone.h"
#include "common/dns.h"

#include <string.h>
#include <time.h>

/* The RRSIG RDATA for sa into out; its length, or negative to fall back. */
static int steered_rrsig(struct answer_state *st, const struct node *n, const struct steer_answer *sa,
			 uint8_t *out, size_t cap)
{
	const struct dnssec_zone *dz = st->zone->dnssec;
	struct answer_scratch *S = st->scratch;
	uint16_t qtype = st->q->qtype;
	int wild = n->name[0] == 1 && n->name[1] == '*';
	struct sigcache_zsk z = { .zsk = dz->zsk, .apex = st->zone->apex, .validity = dz->validity,
				  .refresh = dz->refresh, .scratch = S->signbuf, .cap = sizeof(S->signbuf) };
	struct sigcache_signer sg = { sigcache_sign_zsk, &z, 0 };
	enum sigcache_outcome o = SIGCACHE_FAILED;
	int len;

	if (!st->env->sigcache || !dz->zsk) {
		st->res->sig = SIGCACHE_FAILED;
		return -1;
	}
	/* Which key signs is part of the cache key: the same ZSK keeps its
	 * entries across reloads, a new one (a rollover) never sees them. */
	sg.epoch = dz->zsk_epoch;
	len = sigcache_lookup(st->env->sigcache, &sg, &S->sig, n->name, (uint8_t)n->namelen,
			      (uint8_t)(n->labels - wild), qtype, sa->ttl, sa->addrs, sa->naddrs,
			      qtype == DNS_TYPE_A ? 4 : 16, (uint32_t)time(NULL), out, cap, &o);
	st->res->sig = (uint8_t)o;
	return len;
}

int answer_dnssec_steered(struct answer_state *st, const struct node *n, const struct steer_answer *sa)
{
	struct answer_scratch *S = st->scratch;
	uint16_t qtype = st->q->qtype, alen = qtype == DNS_TYPE_A ? 4 : 16;
	uint8_t rr[RR_FIXED + 16];
	int siglen = steered_rrsig(st, n, sa, S->rrsig + RR_FIXED, sizeof(S->rrsig) - RR_FIXED);

	if (siglen <= 0)
		return -1;
	st->ecs_scope = sa->ecs_scope;
	rr_header_put(rr, qtype, DNS_CLASS_IN, sa->ttl, alen);
	/* What does not fit marks the response truncated (answer_put_rr):
	 * answer_query() then cuts it back and sets TC. */
	for (uint16_t i = 0; i < sa->naddrs && i < STEER_MAX_ADDRS; i++) {
		memcpy(rr + RR_FIXED, sa->addrs[i], alen);
		if (answer_put_rr(st, st->owner, rr, (uint16_t)(RR_FIXED + alen)) < 0)
			return 0;
	}
	rr_header_put(S->rrsig, DNS_TYPE_RRSIG, DNS_CLASS_IN, sa->ttl, (uint16_t)siglen);
	/* After the set, its owner is in the packet: the RRSIG points there. */
	answer_dnssec_put_sig(st, sa->naddrs ? st->pkt->owner_at : 0, st->owner, S->rrsig,
			      (uint16_t)(RR_FIXED + siglen), UINT32_MAX);
	return 0;
}
