/*
 * edns.c -- the OPT record of an EDNS response (RFC 6891), with the ECS
 * option echoed (RFC 7871), and COOKIE (RFC 7873), NSID (RFC 5001) and
 * Extended DNS Errors (RFC 8914) as guard.c asks. Written last, after any
 * truncation cut, into room answer_query() kept free, so every EDNS
 * response carries it.
 */
#include "config.h"
#include "server/answer/state.h"
#include "server/wire/rr.h"
#include "common/dns.h"

#include <string.h>

static size_t ecs_addr_len(const struct query *q)
{
	return (q->ecs_source + 7u) / 8u;
}

/* The ECS option at o (RFC 7871 6): the query's family, source and address
 * with our scope. Returns its length. */
static size_t put_ecs(uint8_t *o, const struct query *q, uint8_t scope)
{
	size_t alen = ecs_addr_len(q);

	wire_put16(o, DNS_EDNS_ECS);
	wire_put16(o + 2, (uint16_t)(DNS_ECS_FIXED + alen));
	wire_put16(o + 4, q->ecs_family);
	o[6] = q->ecs_source;
	o[7] = scope;
	memcpy(o + EDNS_ECS_HEAD, q->ecs_addr, alen);
	return EDNS_ECS_HEAD + alen;
}

/* One option: code, length, data. Returns its length. */
static size_t put_option(uint8_t *o, uint16_t code, const uint8_t *data, size_t len)
{
	wire_put16(o, code);
	wire_put16(o + 2, (uint16_t)len);
	memcpy(o + DNS_EDNS_OPT_HDR, data, len);
	return DNS_EDNS_OPT_HDR + len;
}

/* COOKIE (the client's cookie, then ours), NSID and EXPIRE. Returns their length. */
static size_t put_cookie_nsid(uint8_t *o, const struct answer_env *env, const struct query *q,
			      const struct edns_extra *x)
{
	size_t n = 0;

	if (x->cookie) {
		wire_put16(o, DNS_EDNS_COOKIE);
		wire_put16(o + 2, COOKIE_CLIENT_LEN + COOKIE_SERVER_LEN);
		memcpy(o + DNS_EDNS_OPT_HDR, q->cookie, COOKIE_CLIENT_LEN);
		memcpy(o + DNS_EDNS_OPT_HDR + COOKIE_CLIENT_LEN, x->server_cookie, COOKIE_SERVER_LEN);
		n += DNS_EDNS_OPT_HDR + COOKIE_CLIENT_LEN + COOKIE_SERVER_LEN;
	}
	if (x->nsid && env->nsid_len)
		n += put_option(o + n, DNS_EDNS_NSID, env->nsid, env->nsid_len);
	if (x->expire) {
		uint8_t v[4];
		wire_put32(v, x->expire_value);
		n += put_option(o + n, DNS_EDNS_EXPIRE, v, 4);
	}
	return n;
}

/* EDE: INFO-CODE, then EXTRA-TEXT (UTF-8, not NUL-terminated). */
static size_t put_ede(uint8_t *o, const struct edns_extra *x)
{
	size_t tl = x->ede_text ? strlen(x->ede_text) : 0;

	wire_put16(o, DNS_EDNS_EDE);
	wire_put16(o + 2, (uint16_t)(2 + tl));
	wire_put16(o + DNS_EDNS_OPT_HDR, (uint16_t)x->ede);
	if (tl)
		memcpy(o + DNS_EDNS_OPT_HDR + 2, x->ede_text, tl);
	return DNS_EDNS_OPT_HDR + 2 + tl;
}

#define EDE_TEXT_MAX 64 /* our EXTRA-TEXTs are short constants */

void edns_put_opt(struct pkt *p, const struct answer_env *env, const struct query *q, uint16_t rcode,
		  uint8_t ecs_scope, int with_ecs, const struct edns_extra *x)
{
	uint8_t opt[RR_OPT_FIXED + EDNS_ECS_HEAD + 16 + DNS_EDNS_OPT_HDR + COOKIE_CLIENT_LEN + COOKIE_SERVER_LEN +
		    DNS_EDNS_OPT_HDR + NSID_MAX + DNS_EDNS_OPT_HDR + 4 + DNS_EDNS_OPT_HDR + 2 + EDE_TEXT_MAX];
	size_t base;
	size_t n = RR_OPT_FIXED;

	/* OPT (RFC 6891 6.1.2): root owner; CLASS is our UDP payload; the TTL
	 * holds the extended RCODE's upper 8 bits, version 0 and DO, which is
	 * copied from the query (RFC 3225). */
	uint32_t ttl = (uint32_t)(rcode >> 4) << 24 | (q->edns_do ? DNS_EDNS_DO : 0);

	opt[0] = 0;
	if (with_ecs && q->ecs)
		n += put_ecs(opt + RR_OPT_FIXED, q, ecs_scope);
	n += put_cookie_nsid(opt + n, env, q, x);
	base = n;
	/* EDE is optional: when the response has no room left for it, the
	 * OPT record goes without. */
	if (x->ede >= 0 && (!x->ede_text || strlen(x->ede_text) <= EDE_TEXT_MAX)) {
		n += put_ede(opt + n, x);
		rr_header_put(opt + 1, DNS_TYPE_OPT, env->udp_payload, ttl, (uint16_t)(n - RR_OPT_FIXED));
		if (pkt_put_raw_rr(p, SEC_ADDITIONAL, opt, n) == 0)
			return;
		n = base;
	}
	rr_header_put(opt + 1, DNS_TYPE_OPT, env->udp_payload, ttl, (uint16_t)(n - RR_OPT_FIXED));
	pkt_put_raw_rr(p, SEC_ADDITIONAL, opt, n);
}
