/* quorum.c -- combine the health sources' votes (see quorum.h). */
#include "config.h"
#include "server/steer/quorum.h"
#include "server/steer/steer_policy.h"

#include <string.h>

unsigned steer_quorum_needed(const struct steer_set *set, size_t t, unsigned live)
{
	int q = set->pc.checks[set->pc.targets[t].check].quorum;

	return q > 0 ? (unsigned)q : live / 2 + 1;
}

uint8_t steer_quorum_combine(const struct steer_set *set, size_t t, struct steer_quorum *q)
{
	struct steer_quorum c;
	size_t nt = set->pc.ntargets;
	uint8_t b;

	memset(&c, 0, sizeof(c));
	for (size_t s = 0; s < set->pc.sources.n; s++) {
		uint8_t v;
		if (!(set->live & (1u << s)))
			continue;
		c.live++;
		v = set->votes[s * nt + t];
		if (v == STEER_VOTE_NONE)
			continue;
		c.drained |= (v & STEER_ST_DRAINED) != 0;
		c.forced |= (v & STEER_ST_FORCED) != 0;
		if ((v & STEER_ST_MASK) == STEER_ST_DOWN)
			c.down++;
		else if ((v & STEER_ST_MASK) == STEER_ST_UP)
			c.up++;
	}
	c.needed = steer_quorum_needed(set, t, c.live);
	if (c.down >= c.needed && c.down > 0)
		b = STEER_ST_DOWN;
	else if (c.up || c.down)
		b = STEER_ST_UP;
	else
		b = STEER_ST_UNKNOWN;
	if (c.drained)
		b = STEER_ST_DOWN | STEER_ST_DRAINED;
	else if (c.forced)
		b = STEER_ST_UP | STEER_ST_FORCED;
	if (q)
		*q = c;
	return b;
}
