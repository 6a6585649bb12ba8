/*
 * table.h -- the policies, one struct steer_policy per file of this folder.
 *
 * Each policy file defines its struct and includes this header, so the
 * compiler checks the definition against the declaration; table.c puts
 * them in steer_policies[] (steer_policy.h), which is all the engine
 * sees. A new policy is a new file here plus one row in table.c.
 */
#ifndef STEER_POLICY_TABLE_H
#define STEER_POLICY_TABLE_H

struct steer_policy;

extern const struct steer_policy policy_failover, policy_geo, policy_weighted, policy_multivalue,
	policy_closest, policy_sticky;

#endif
