/*
 * answer.c -- one query in, one response out: the entry point, the state
 * of one answer and the order of its steps.
 *
 *   answer_query()
 *     query_parse()                  header, question, EDNS, ECS (wire/query.c)
 *     guard_cookie()                 COOKIE verdict, NSID          (guard.c)
 *     solve()                        the steps of state.h, in order:
 *       special_query()              CH, class/type gates       (special.c)
 *       answer_section()             zone, lookup, chain        (section_answer.c)
 *       authority_section()          negative SOA, referral NS  (authority.c)
 *       additional_section()         addresses of targets, glue (additional.c)
 *     guard_limit(), guard_ede()     RRL drop/slip/BADCOOKIE, EDE (guard.c)
 *     finish()                       truncation cut, rcode, AA, OPT (edns.c)
 *
 * All state lives in struct answer_state (on the stack), in struct
 * answer_scratch (one per worker) and in the caller's buffer; nothing here
 * allocates.
 */
#include "config.h"
#include "server/answer/answer.h"
#include "server/answer/state.h"
#include "server/limit/cookie.h"
#include "server/wire/query.h"
#include "server/wire/respond.h"
#include "server/zone/zone.h"
#include "common/dns.h"

#include <stdlib.h>
#include <string.h>

struct answer_scratch *answer_scratch_new(void)
{
	struct answer_scratch *s = calloc(1, sizeof(struct answer_scratch));

	if (s && !(s->mac = cookie_mac_new())) {
		free(s);
		return NULL;
	}
	return s;
}

void answer_scratch_free(struct answer_scratch *s)
{
	if (!s)
		return;
	cookie_mac_free(s->mac);
	free(s);
}

void answer_scratch_set_rrl(struct answer_scratch *s, struct rrl_table *t)
{
	s->rrl = t;
}

/* --- writing into the current section -------------------------------- */

int answer_put_rrset(struct answer_state *st, const uint8_t *owner, const struct rrset *set, uint32_t ttl)
{
	struct pkt_mark m;
	const uint8_t *rr = set->data;

	pkt_mark(st->pkt, &m);
	for (uint16_t i = 0; i < set->count; i++, rr += rr_len(rr)) {
		if (pkt_put_rr(st->pkt, st->section, owner, rr, rr_len(rr), ttl) < 0) {
			pkt_rollback(st->pkt, &m);
			if (st->section != SEC_ADDITIONAL)
				st->truncated = 1;
			return -1;
		}
	}
	if (set->sigs && st->q->edns_do) /* sigs: NULL or at least one RRSIG */
		answer_dnssec_record(st, owner, set, ttl);
	return 0;
}

int answer_put_rr(struct answer_state *st, const uint8_t *owner, const uint8_t *rr, uint16_t len)
{
	if (pkt_put_rr(st->pkt, st->section, owner, rr, len, UINT32_MAX) == 0)
		return 0;
	if (st->section != SEC_ADDITIONAL)
		st->truncated = 1;
	return -1;
}

/* --- the steps --------------------------------------------------------- */

/* The sections of a parsed query, one step each; a truncated answer stops
 * here, as answer_query() cuts it back to the question anyway. */
static void solve(struct answer_state *st)
{
	if (special_query(st))
		return;
	answer_section(st);
	answer_hook_sign(st);
	if (st->truncated)
		return;
	authority_section(st);
	answer_hook_deny(st);
	answer_hook_sign(st);
	if (st->truncated)
		return;
	additional_section(st);
	answer_hook_sign(st);
}

static uint16_t status_rcode(enum query_status status, const struct query *q)
{
	switch (status) {
	case QUERY_OK:
		return DNS_RCODE_NOERROR;
	case QUERY_NOTIMP:
		/* A NOTIFY to a primary: REFUSED, as NSD answers (Knot: NOTAUTH);
		 * we take no zone from anyone. */
		return q->opcode == DNS_OPCODE_NOTIFY ? DNS_RCODE_REFUSED : DNS_RCODE_NOTIMP;
	case QUERY_BADVERS:
		return DNS_RCODE_BADVERS;
	default:
		return DNS_RCODE_FORMERR;
	}
}

/* The largest response this client takes: 64 KiB over TCP, its EDNS size
 * (at most ours) over UDP, 512 bytes without EDNS; never more than cap. */
static size_t response_max(const struct answer_env *env, const struct answer_client *client,
			   const struct query *q, size_t cap)
{
	size_t max;

	if (client->tcp)
		max = DNS_MSG_MAX;
	else if (q->edns)
		max = q->edns_payload < env->udp_payload ? q->edns_payload : env->udp_payload;
	else
		max = DNS_UDP_PLAIN;
	return max < cap ? max : cap;
}

/* Header flags, the truncation cut and the OPT record, once the sections
 * are written; limit is the room the OPT record may use. */
static void finish(struct answer_state *st, const struct pkt_mark *after_question, size_t limit, int with_ecs)
{
	struct pkt *P = st->pkt;

	if (st->truncated) {
		/* RFC 2181 9: a partial RRset is worse than none. Send the
		 * header and question with TC; the client retries over TCP. */
		pkt_rollback(P, after_question);
		pkt_set_tc(P);
		st->res->tc = 1;
	}
	pkt_set_aa(P, st->aa);
	pkt_set_rcode(P, st->rcode);
	P->limit = limit;
	if (st->q->edns)
		edns_put_opt(P, st->env, st->q, st->rcode, st->ecs_scope, with_ecs, &st->extra);
	st->res->rcode = st->rcode;
	st->res->len = pkt_finish(P);
}

/* EDNS EXPIRE (RFC 7314) for an SOA query at a zone's apex that asked for
 * it: as the primary we send the SOA's EXPIRE field (RFC 7314 4). */
static void edns_expire(struct answer_state *st)
{
	const struct query *Q = st->q;
	const struct zone *z = st->zone;

	if (!Q->expire || Q->qtype != DNS_TYPE_SOA || !z || st->rcode != DNS_RCODE_NOERROR ||
	    Q->qname_len != z->apexlen || memcmp(Q->qname, z->apex, z->apexlen) != 0)
		return;
	st->extra.expire = 1;
	st->extra.expire_value = wire_get32(z->soa->data + rr_len(z->soa->data) - 8);
}

void answer_query(struct answer_scratch *S, const struct answer_env *env, const struct snapshot *snap,
		  const struct answer_client *client, const uint8_t *q, size_t qlen, uint8_t *resp,
		  size_t resp_cap, struct answer_result *res)
{
	const struct query *Q = &S->q;
	enum query_status status = query_parse(q, qlen, &S->q);
	struct pkt P;
	struct pkt_mark after_question; /* where a truncated response is cut back to */
	size_t max;

	memset(res, 0, sizeof(*res));
	res->malformed = status == QUERY_DROP || status == QUERY_FORMERR;
	if (status == QUERY_DROP)
		return;
	res->qtype = Q->question_ok ? Q->qtype : 0;
	res->tsig = status == QUERY_OK && Q->tsig;
	max = response_max(env, client, Q, resp_cap) - (res->tsig ? Q->tsig_room : 0);
	/* Keep room for the OPT record: it must be in every EDNS response. */
	pkt_begin(&P, resp, max - edns_opt_size(Q) - (status == QUERY_OK ? edns_extra_size(env, Q) : 0), q,
		  Q->question_ok ? Q->question_len : 0);
	pkt_mark(&P, &after_question);
	S->naddl = 0;
	S->ntosign = 0;
	S->nwild = 0;

	struct answer_state st = {
		.scratch = S, .q = Q, .env = env, .client = client, .snap = snap, .res = res, .pkt = &P,
		.outcome = OUTCOME_NONE, .rcode = status_rcode(status, Q), .section = SEC_ANSWER,
		.extra = { .ede = -1 },
	};
	if (status == QUERY_OK) {
		guard_cookie(&st);
		solve(&st);
		edns_expire(&st);
	}
	/* Errors from the parser (FORMERR, NOTIMP, BADVERS) are rate-limited
	 * too: a spoofed flood of broken queries must not reflect either. */
	if (guard_limit(&st, &after_question))
		return; /* rate-limited: res->len stays 0 */
	guard_ede(&st);
	finish(&st, &after_question, max, status == QUERY_OK && !(snap && snap->no_ecs));
}
