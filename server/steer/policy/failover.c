/*
 * failover.c -- "failover": ["primary", "secondary", ...]
 *
 * The first pool with an up member of the query's family answers with all
 * of its up members. Answering from a later pool, or with members of the
 * pool missing, is a degraded answer (degraded_ttl).
 */
#include "config.h"
#include "server/steer/policy/table.h"
#include "server/steer/steer_policy.h"
#include "common/conf.h"
#include "common/errlist.h"

static int failover_compile(struct steer_build *b, struct steer_record *r, json_t *v, const char *const *path)
{
	struct steer_list l = { 0 };
	int nerr = steer_parse_list(b, v, path, &l);

	if (nerr) {
		steer_list_clear(&l);
		return nerr;
	}
	if (steer_intern_list(r, &l) < 0) {
		errlist_add(b->errs, "%s: out of memory", b->cf->path);
		return 1;
	}
	return 0;
}

static void failover_choose(const struct steer_ctx *c, struct steer_pick *p)
{
	steer_pick_first_up(c, c->list, p);
}

const struct steer_policy policy_failover = {
	.name = "failover",
	.compile = failover_compile,
	.choose = failover_choose,
};
