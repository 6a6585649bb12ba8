/*
 * check.c -- the rules a zone must follow beyond record syntax: every owner
 * at or below the apex, exactly one SOA and some NS at the apex (RFC 1035
 * 5.2, RFC 1034 4.2.1), no SOA elsewhere, and a CNAME alone at its name
 * (RFC 1034 3.6.2, RFC 2181 10.1). Any violation rejects the zone; each is
 * reported at the record that breaks the rule.
 */
#include "config.h"
#include "server/zone/load/load_internal.h"
#include "server/zone/zone.h"
#include "common/dns.h"
#include "common/errors.h"

#include <string.h>

int zload_check_in_zone(struct loader *L, const uint8_t *lower, const char *file, unsigned line)
{
	char o[DNAME_MAXLEN * 4 + 8];

	if (dname_is_subdomain(lower, dname_labels(lower), L->apex, L->apexlabels))
		return STEER_EOK;
	dname_to_str(lower, o, sizeof(o));
	return zload_error(L, file, line, "%s is outside the zone %s", o, L->zone_name);
}

int zload_check_rrset(struct loader *L, const struct node *n, const struct rrset *s, const struct rec *first)
{
	if (s->type == DNS_TYPE_CNAME && s->count > 1)
		return zload_error(L, rec_file(L, first), first->line, "more than one CNAME at the same name");
	if (s->type == DNS_TYPE_SOA && !(n->flags & NODE_APEX))
		return zload_error(L, rec_file(L, first), first->line, "SOA record not at the zone apex");
	return STEER_EOK;
}

int zload_check_node(struct loader *L, const struct node *n, const struct rec *recs, size_t count)
{
	if (!(n->flags & NODE_CNAME) || n->nrrsets < 2)
		return STEER_EOK;
	for (size_t i = 0; i < count; i++)
		if (recs[i].type == DNS_TYPE_CNAME)
			return zload_error(L, rec_file(L, &recs[i]), recs[i].line, "CNAME and other data at the same name");
	return STEER_EOK;
}

/* The SOA rdata: two names and five 32-bit numbers, nothing more. Sets the
 * zone's serial and negative-answer TTL (RFC 2308 5: min(TTL, MINIMUM)). */
static int soa_fields(struct loader *L, const char *file)
{
	struct zone *z = L->z;
	const uint8_t *end = z->soa->data + rr_len(z->soa->data), *p = z->soa->data + RR_FIXED;
	int l1 = dname_len(p, end), l2 = l1 < 0 ? -1 : dname_len(p + l1, end);

	if (l1 < 0 || l2 < 0 || p + l1 + l2 + 20 != end)
		return zload_error(L, file, 1, "malformed SOA record");
	uint32_t minimum = wire_get32(end - 4);
	z->serial = wire_get32(p + l1 + l2);
	z->neg_ttl = z->soa->ttl < minimum ? z->soa->ttl : minimum;
	return STEER_EOK;
}

int zload_check_apex(struct loader *L)
{
	struct zone *z = L->z;
	const char *file = L->nfiles ? L->files[0] : z->file;
	int ret = STEER_EOK;

	/* Reported at line 1 of the zone's file: the rule is about the whole
	 * zone, not about one line. */
	z->soa = node_rrset(z->apex_node, DNS_TYPE_SOA);
	if (!z->soa)
		ret = zload_error(L, file, 1, "zone %s has no SOA record at its apex", L->zone_name);
	else if (z->soa->count != 1)
		ret = zload_error(L, file, 1, "zone %s has %u SOA records; exactly one is allowed", L->zone_name,
				  z->soa->count);
	else
		ret = soa_fields(L, file);
	if (!node_rrset(z->apex_node, DNS_TYPE_NS))
		ret = zload_error(L, file, 1, "zone %s has no NS records at its apex", L->zone_name);
	return ret;
}
