/* table.c -- the table of policies the config compiler looks keys up in. */
#include "config.h"
#include "server/steer/policy/table.h"
#include "server/steer/steer_policy.h"

#include <string.h>

const struct steer_policy *const steer_policies[] = {
	&policy_failover, &policy_geo, &policy_weighted, &policy_multivalue, &policy_closest, &policy_sticky, NULL,
};

const struct steer_policy *steer_policy_find(const char *name)
{
	for (size_t i = 0; steer_policies[i]; i++)
		if (strcmp(steer_policies[i]->name, name) == 0)
			return steer_policies[i];
	return NULL;
}
