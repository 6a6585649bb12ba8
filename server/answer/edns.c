/*
 * edns.c -- the OPT record of an EDNS response (RFC 6891), with the ECS
 * option echoed (RFC 7871). Written last, after any truncation cut, into
 * room answer_query() kept free, so every EDNS response carries it.
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

void edns_put_opt(struct pkt *p, const struct answer_env *env, const struct query *q, uint16_t rcode,
		  uint8_t ecs_scope, int with_ecs)
{
	uint8_t opt[RR_OPT_FIXED + EDNS_ECS_HEAD + 16];
	size_t n = RR_OPT_FIXED;

	/* OPT (RFC 6891 6.1.2): root owner; CLASS is our UDP payload; the TTL
	 * holds the extended RCODE's upper 8 bits, version 0 and DO, which is
	 * copied from the query (RFC 3225). */
	uint32_t ttl = (uint32_t)(rcode >> 4) << 24 | (q->edns_do ? DNS_EDNS_DO : 0);

	opt[0] = 0;
	if (with_ecs && q->ecs)
		n += put_ecs(opt + RR_OPT_FIXED, q, ecs_scope);
	rr_header_put(opt + 1, DNS_TYPE_OPT, env->udp_payload, ttl, (uint16_t)(n - RR_OPT_FIXED));
	pkt_put_raw_rr(p, SEC_ADDITIONAL, opt, n);
}
