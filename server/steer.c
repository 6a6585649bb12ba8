/* steer.c -- TEMPORARY: answers every dynamic name from the zone file until
 * the steering engine (issue 4) lands. Nothing sets node->dyn yet, so this
 * is never reached. */
#include "config.h"
#include "server/steer.h"

#include <string.h>

void steer_answer(const struct snapshot *snap, const void *dyn, uint16_t qtype, const struct query *q,
		  const struct sockaddr *src, struct steer_answer *out)
{
	memset(out, 0, sizeof(*out));
	out->use_static = 1;
}
