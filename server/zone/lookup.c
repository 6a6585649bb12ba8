/* lookup.c -- classify a name in a zone: node, wildcard, referral, DNAME, NXDOMAIN. */
#include "config.h"
#include "server/zone/lookup.h"
#include "server/wire/dname.h"
#include "server/zone/zone.h"
#include "common/dns.h"

static void set_result(struct lookup_result *r, enum lookup_kind kind, const struct node *n)
{
	r->kind = kind;
	r->node = n;
}

/* The name exists as node n. */
static void classify_exact(const struct node *n, uint16_t qtype, struct lookup_result *r)
{
	/* A DS query at a cut is answered by the parent side (RFC 4035 3.1.4.1). */
	/* The raw link fields first: most nodes have neither link. */
	if (n->cut_link && !(node_cut(n) == n && qtype == DNS_TYPE_DS))
		set_result(r, LOOKUP_REFERRAL, node_cut(n));
	else if (n->dname_link)
		set_result(r, LOOKUP_DNAME, node_dname(n));
	else
		set_result(r, LOOKUP_NODE, n);
}

/* The name does not exist; n is its closest encloser. */
static void classify_encloser(const struct node *n, struct lookup_result *r)
{
	if (n->cut_link)
		set_result(r, LOOKUP_REFERRAL, node_cut(n));
	else if (n->flags & NODE_DNAME)
		set_result(r, LOOKUP_DNAME, n);
	else if (n->dname_link)
		set_result(r, LOOKUP_DNAME, node_dname(n));
	else if (n->wild_link)
		/* RFC 4592: only the closest encloser's "*" child can match, so
		 * an existing name (even an empty non-terminal) blocks wildcards
		 * below it. */
		set_result(r, LOOKUP_WILDCARD, node_wildcard(n));
	else
		set_result(r, LOOKUP_NXDOMAIN, n);
}

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
		classify_exact(n, qtype, r);
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
	classify_encloser(n ? n : z->apex_node, r);
}
