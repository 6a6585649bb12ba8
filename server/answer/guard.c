/*
 * guard.c -- the abuse defences on the answer path: the COOKIE check
 * (RFC 7873, server cookies per RFC 9018), response rate limiting (RRL,
 * server/limit/rrl.h) and the Extended DNS Error of a response (RFC 8914).
 *
 * answer_query() calls guard_cookie() before the sections, guard_limit()
 * and guard_ede() after them; edns.c writes what they leave in st->extra.
 * The cookie math and the RRL table are in server/limit/; this file only
 * decides, per query, from the state of the answer.
 */
#include "config.h"
#include "server/answer/state.h"
#include "server/limit/cookie.h"
#include "server/limit/limit_conf.h"
#include "server/limit/rrl.h"
#include "common/dns.h"

#include <netinet/in.h>
#include <string.h>
#include <time.h>

/* RFC 8914 INFO-CODEs we send. */
enum {
	EDE_OTHER = 0,
	EDE_NOT_READY = 14,
	EDE_PROHIBITED = 18,
	EDE_NOT_AUTHORITATIVE = 20,
	EDE_NOT_SUPPORTED = 21,
};

/* The client's address bytes, as the cookie hash takes them. */
static size_t client_ip(const struct answer_client *c, const uint8_t **ip)
{
	if (c->addr && c->addr->sa_family == AF_INET) {
		*ip = (const uint8_t *)&((const struct sockaddr_in *)(const void *)c->addr)->sin_addr;
		return 4;
	}
	if (c->addr && c->addr->sa_family == AF_INET6) {
		*ip = (const uint8_t *)&((const struct sockaddr_in6 *)(const void *)c->addr)->sin6_addr;
		return 16;
	}
	*ip = (const uint8_t *)"";
	return 0;
}

static uint32_t now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME_COARSE, &ts);
	return (uint32_t)ts.tv_sec;
}

void guard_cookie(struct answer_state *st)
{
	const struct query *Q = st->q;
	const struct cookie_conf *cc = st->env->limit ? &st->env->limit->cookies : NULL;
	const uint8_t *ip;
	size_t iplen = client_ip(st->client, &ip);
	uint32_t now;
	int renew;

	st->extra.ede = -1;
	st->extra.nsid = Q->nsid && st->env->nsid_len;
	if (!Q->cookie_len || !cc || !cc->on || !st->scratch->mac)
		return;
	now = now_seconds();
	st->cookie = (uint8_t)cookie_check(st->scratch->mac, &cc->keys, Q->cookie, Q->cookie_len, ip, iplen, now,
					   &renew);
	st->res->cookie = st->cookie;
	if (!renew) {
		/* RFC 9018 4.3: a fresh valid cookie is echoed as it came. */
		memcpy(st->extra.server_cookie, Q->cookie + COOKIE_CLIENT_LEN, COOKIE_SERVER_LEN);
		st->extra.cookie = 1;
		return;
	}
	st->extra.cookie = cookie_make(st->scratch->mac, cc->keys.secret, Q->cookie, ip, iplen, now,
				       st->extra.server_cookie) == 0;
}

/* FNV-1a over the lowercased question name and type: the bucket of a
 * positive answer. */
static uint64_t qname_hash(const struct query *Q)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (uint16_t i = 0; i < Q->qname_len; i++)
		h = (h ^ Q->qname[i]) * 0x100000001b3ull;
	return (h ^ Q->qtype) * 0x100000001b3ull;
}

/* The RRL bucket of the response st has written: its kind and the name
 * (or zone) it is counted under. */
static enum rrl_kind response_kind(const struct answer_state *st, uint64_t *hash)
{
	*hash = st->res->zone;
	if (st->rcode == DNS_RCODE_NXDOMAIN)
		return RRL_NXDOMAIN;
	if (st->rcode != DNS_RCODE_NOERROR) {
		*hash = 0;
		return RRL_ERROR;
	}
	if (st->outcome == OUTCOME_NODATA)
		return RRL_NODATA;
	if (st->outcome == OUTCOME_DELEG)
		return RRL_REFERRAL;
	*hash = qname_hash(st->q);
	return RRL_ANSWER;
}

/* Send the header and question alone: with TC (a slip) or as BADCOOKIE. */
static void cut_back(struct answer_state *st, const struct pkt_mark *after_question)
{
	pkt_rollback(st->pkt, after_question);
	st->truncated = 0;
	st->outcome = OUTCOME_NONE;
}

int guard_limit(struct answer_state *st, const struct pkt_mark *after_question)
{
	const struct limit_conf *L = st->env->limit;
	uint64_t hash;
	enum rrl_kind kind;
	enum rrl_action act;

	if (!L || !L->rrl.on || !st->scratch->rrl || st->client->tcp || st->cookie == COOKIE_VALID)
		return 0;
	if (rrl_exempt(&L->rrl, st->client->addr))
		return 0;
	kind = response_kind(st, &hash);
	act = rrl_account(st->scratch->rrl, &L->rrl, st->client->addr, kind, hash, now_seconds());
	if (act == RRL_PASS)
		return 0;
	if (L->cookies.require_over_limit && st->extra.cookie) {
		/* RFC 7873 5.2.3: the client sent a cookie but no valid server
		 * cookie; BADCOOKIE hands it a fresh one to come back with. */
		cut_back(st, after_question);
		st->rcode = DNS_RCODE_BADCOOKIE;
		st->aa = 0;
		st->res->limited = ANSWER_LIMIT_BADCOOKIE;
		return 0;
	}
	if (act == RRL_DROP) {
		st->res->limited = ANSWER_LIMIT_DROP;
		return 1;
	}
	cut_back(st, after_question);
	st->truncated = 1; /* finish() sets TC */
	st->extra.ede = EDE_OTHER;
	st->extra.ede_text = "rate limited";
	st->res->limited = ANSWER_LIMIT_SLIP;
	return 0;
}

/* REFUSED, by what was refused: NSD's choices (query.c) and Knot's
 * (NS_NEED_ZONE: Not Authoritative). */
static int refused_ede(const struct answer_state *st)
{
	const struct query *Q = st->q;

	if (Q->qclass == DNS_CLASS_CH) /* hidden identity, or a name we never answer */
		return !st->env->chaos && special_chaos_name(Q) >= 0 ? EDE_PROHIBITED : EDE_NOT_SUPPORTED;
	if (Q->qclass != DNS_CLASS_IN)
		return EDE_NOT_SUPPORTED;
	if (Q->qtype == DNS_TYPE_AXFR || Q->qtype == DNS_TYPE_IXFR)
		return EDE_PROHIBITED;
	if (!st->snap)
		return EDE_NOT_READY; /* nothing loaded yet */
	return st->zone ? -1 : EDE_NOT_AUTHORITATIVE;
}

void guard_ede(struct answer_state *st)
{
	if (st->extra.ede >= 0)
		return;
	if (st->rcode == DNS_RCODE_REFUSED) {
		st->extra.ede = refused_ede(st);
	} else if (st->rcode == DNS_RCODE_NOTIMP && st->q->qtype == DNS_TYPE_AXFR) {
		st->extra.ede = EDE_PROHIBITED; /* AXFR over UDP: NOTIMP, and Prohibited says why */
	} else if (st->rcode == DNS_RCODE_YXDOMAIN) {
		/* RFC 6672 2.2: the DNAME substitution is longer than a name. */
		st->extra.ede = EDE_OTHER;
		st->extra.ede_text = "DNAME expansion became too long";
	}
}
