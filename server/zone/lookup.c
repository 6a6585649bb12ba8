/* lookup.c -- classify a name in a zone: node, wildcard, referral, DNAME, NXDOMAIN. */
#include "config.h"
#include "server/zone/lookup.h"
#include "server/wire/dname.h"
#include "server/zone/zone.h"
#include "common/dns.h"

void lookup_name(const struct zone *z, const uint8_t *name, size_t len, int labels, uint16_t qtype,
		 const uint32_t *hashes, struct lookup_result *r)
{
	uint32_t own[DNAME_MAXLABELS + 1];
	const struct node *n;
	int i = 0;

	if (!hashes) {
		dname_suffix_hashes(name, own);
		hashes = own;
	}
	n = zone_find(z, name, len, hashes[0]);

	if (n) {
		/* A DS query at a cut is answered by the parent side (RFC 4035 3.1.4.1). */
		if (n->cut && !(n->cut == n && qtype == DNS_TYPE_DS)) {
			r->kind = LOOKUP_REFERRAL;
			r->node = n->cut;
		} else if (n->dname) {
			r->kind = LOOKUP_DNAME;
			r->node = n->dname;
		} else {
			r->kind = LOOKUP_NODE;
			r->node = n;
		}
		return;
	}
	/* Find the closest encloser: strip labels until a node exists. The
	 * apex always exists, so this ends inside the zone. */
	while (labels > z->apexlabels) {
		len -= name[0] + 1u;
		name += name[0] + 1;
		labels--;
		n = zone_find(z, name, len, hashes[++i]);
		if (n)
			break;
	}
	if (!n)
		n = z->apex_node;
	if (n->cut) {
		r->kind = LOOKUP_REFERRAL;
		r->node = n->cut;
	} else if (n->flags & NODE_DNAME) {
		r->kind = LOOKUP_DNAME;
		r->node = n;
	} else if (n->dname) {
		r->kind = LOOKUP_DNAME;
		r->node = n->dname;
	} else if (n->wildcard) {
		/* RFC 4592: only the closest encloser's "*" child can match, so
		 * an existing name (even an empty non-terminal) blocks wildcards
		 * below it. */
		r->kind = LOOKUP_WILDCARD;
		r->node = n->wildcard;
	} else {
		r->kind = LOOKUP_NXDOMAIN;
		r->node = n;
	}
}
