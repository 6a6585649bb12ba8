/*
 * explain.h -- `steerctl explain NAME TYPE [--from IP | --subnet CIDR]`:
 * why steerdns gives the answer it gives, computed by the running server
 * from its live snapshot and health state with the query path's own code
 * (steer_eval() with a trace), so the explanation cannot drift from what a
 * query gets.
 *
 * Control request: {"v":1,"cmd":"explain","name":"app.example.com","type":"A",
 *                   "from":"198.51.100.7" | "subnet":"203.0.113.0/24"}
 * Reply: {"ok":true, "name", "type", "policy",
 *   "client": {"address","source_prefix","ecs"},
 *   "location": {"found","continent","country","subdivision","net","network",
 *                "latitude","longitude"},
 *   "region": {"key","why"}                        (location policies)
 *   "pools": [{"pool","verdict","members":[{"address","target","state"}]}],
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

struct snapshot;

/* The reply fields for one explain request against snap (NULL with a
 * reason in err for a bad request or a name without a policy). from and
 * subnet may be NULL (then: a client of unknown location). */
json_t *explain_json(const struct snapshot *snap, const char *name, const char *type, const char *from,
		     const char *subnet, char *err, size_t errlen);

#endif
