/*
 * lookup.h -- where a name lands in a zone (RFC 1034 4.3.2, RFC 4592, RFC 6672).
 *
 * One call classifies the name: an existing node (possibly an empty
 * non-terminal), a wildcard match, a referral at a zone cut, a DNAME
 * redirection, or NXDOMAIN. answer.c turns the result into sections.
 */
#ifndef STEER_LOOKUP_H
#define STEER_LOOKUP_H

#include <stddef.h>
#include <stdint.h>

struct node;
struct zone;

enum lookup_kind {
	LOOKUP_NODE,     /* node is the name itself */
	LOOKUP_WILDCARD, /* node is the "*" node that synthesizes the name */
	LOOKUP_REFERRAL, /* node is the delegation point (owns the NS) */
	LOOKUP_DNAME,    /* node owns the DNAME above the name */
	LOOKUP_NXDOMAIN, /* node is the closest encloser */
};

struct lookup_result {
	enum lookup_kind kind;
	const struct node *node;
};

/* name: lowercase wire of len bytes and labels labels, inside z. qtype
 * matters only for DS at a delegation point (answered by the parent).
 * hashes: the name's suffix hashes (dname_suffix_hashes), or NULL to have
 * them computed here. */
void lookup_name(const struct zone *z, const uint8_t *name, size_t len, int labels, uint16_t qtype,
		 const uint32_t *hashes, struct lookup_result *r);

#endif
