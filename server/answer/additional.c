/*
 * additional.c -- the additional section: addresses of the names the
 * answer or authority points at (NS, MX, SRV targets), so the client need
 * not ask again (RFC 1034 4.3.2 step 6). The OPT record is edns.c's.
 */
#include "config.h"
#include "server/answer/state.h"
#include "server/zone/zone.h"
#include "common/dns.h"

/* Has node t's A/AAAA been offered already? Remembers it if not (and
 * there is room). Returns 1 when t is to be written now. */
static int addl_first_time(struct answer_scratch *S, const struct node *t)
{
	int seen = 0;

	for (int k = 0; k < S->naddl; k++)
		seen |= S->addl[k] == t;
	if (seen || S->naddl == ADDL_MAX)
		return 0;
	S->addl[S->naddl++] = t;
	return 1;
}

void additional_section(struct answer_state *st)
{
	static const uint16_t types[] = { DNS_TYPE_A, DNS_TYPE_AAAA };
	const struct rrset *set = st->addl_from;
	const struct node *const *targets = set ? rrset_targets(set) : NULL;

	st->section = SEC_ADDITIONAL;
	if (!targets)
		return;
	for (uint16_t i = 0; i < set->count; i++) {
		const struct node *t = targets[i];
		/* Occluded names (below a cut) are glue: only for referrals. */
		if (!t || (t->cut_link && !st->glue) || !addl_first_time(st->scratch, t))
			continue;
		for (size_t k = 0; k < 2; k++) {
			const struct rrset *a = node_rrset(t, types[k]);
			if (a && answer_put_rrset(st, t->name, a, UINT32_MAX) < 0)
				return; /* additional data is optional: stop, no TC */
		}
	}
}
