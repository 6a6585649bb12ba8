/*
 * explain.h -- `steerctl explain NAME TYPE [--from IP | --subnet CIDR]`:
 * why steerdns gives the answer it gives, computed by the running server
 * from its live snapshot and health state with the query path's own code
 * (steer_eval() with a trace), so the explanation cannot drift from what a
 * query gets.
 *
 * The control command (server/ctl/explain_answer.c) first runs the query
 * through the answer path, follows the CNAME chain, and calls explain_json()
 * for the steered name at its end; these are the fields it adds:
 *   {"name", "type", "policy",
 *   "client": {"address","source_prefix","ecs"},
 *   "location": {"found","continent","country","subdivision","net","network",
 *                "latitude","longitude"},
 *   "region": {"key","why"}                        (location policies)
 *   "pools": [{"pool","verdict","members":[{"address","target","state",
 *              "quorum" (several health sources: explain_votes_json)}]}],
 *   "fell_open", "nodata", "answer": [ADDRESS...], "ttl", "degraded",
 *   "ecs_scope" (null without ECS), "note"}
 * verdicts: answered, used, all down, no member of the family, candidate,
 * max reached, not reached; states: up, down, unknown, drained, forced up,
 * up (no check).
 */
#ifndef STEER_EXPLAIN_H
#define STEER_EXPLAIN_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct health_link_info;
struct snapshot;
struct steer_set;

/* The reply fields for one explain request against snap (NULL with a
 * reason in err for a bad request or a name without a policy). from and
 * subnet may be NULL (then: a client of unknown location). */
json_t *explain_json(const struct snapshot *snap, const char *name, const char *type, const char *from,
		     const char *subnet, char *err, size_t errlen);

/* The client of an explain request: --from ADDRESS or --subnet CIDR (at
 * most one; neither: 0.0.0.0/0, no known location). addr gets the address
 * (IPv4 as ::ffff:a.b.c.d) with the host bits beyond *plen cleared; *plen
 * is in the address's own family. Returns 0, or -1 with a reason in err. */
int explain_client(const char *from, const char *subnet, uint8_t addr[16], unsigned *plen, char *err, size_t errlen);

/* 1 when name ("app.example.com" or with the final dot, any case) has a
 * steering policy in snap. */
int explain_has_policy(const struct snapshot *snap, const char *name);

/* Is the health data behind the member states live? {"targets":N,
 * "linked":bool,"since":T,"last_update":T|null,"stale":bool}: stale while
 * the link to steer-healthd is down (the states are the last known, since
 * T); JSON null when the config has no health checks. */
json_t *explain_health_json(const struct snapshot *snap, const struct health_link_info *hl);

/* Several health sources: how they voted on target t of set:
 * {"votes":{SOURCE:"up"|"down"|"unknown"|"none"|"drained"|"forced up"|"silent"},
 *  "text":"hd1 down, hd2 up, hd3 up","live":N,"up":N,"down":N,"needed":N}. */
json_t *explain_votes_json(const struct steer_set *set, size_t t);

/* Every health target of snap with its combined state ("up", "down",
 * "unknown", "pending", "drained", "forced up") and the votes above, in
 * target order: the "health" control command (`steerctl status`). */
json_t *explain_targets_json(const struct snapshot *snap);

#endif
