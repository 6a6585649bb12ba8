/*
 * explain_answer.h -- the "explain" control command: what a query for NAME
 * TYPE would get from the running server, and why.
 *
 * The answer is not worked out a second time here: a real query (with the
 * ECS option for --subnet, from the --from address) goes through
 * answer_query() on the live snapshot, the same call the UDP and TCP
 * engines make, and the response is described. Then, when the name at the
 * end of the CNAME chain has a steering policy and TYPE is A or AAAA, the
 * policy's reasoning is added by server/steer/explain.c (explain_json(),
 * whose fields the reply keeps as they are), with the state of the health
 * link (stale while steer-healthd is away).
 *
 * Request: {"v":1,"cmd":"explain","name":"www.example.com","type":"A",
 *           "from":"198.51.100.7" | "subnet":"203.0.113.0/24"}
 * Reply, besides explain_json()'s fields for a steered name:
 *   "query":    {"name","type"}             as asked
 *   "name":     the name at the end of the CNAME chain (the steered name)
 *   "chain":    ["www.example.com. 3600 IN CNAME app.example.com.", ...]
 *   "outcome":  "steered"  the policy made the A/AAAA answer (or its NODATA)
 *               "static"   records from the zone file
 *               "nodata"   the name exists, no record of the type (SOA in authority)
 *               "nxdomain" no such name (SOA in authority)
 *               "refused"  in no zone steerdns serves
 *               "referral" delegated below a zone cut (NS in authority)
 *               "external" the CNAME chain leaves the zones steerdns serves
 *               otherwise the lowercase rcode ("notimp", "formerr", ...)
 *   "response": {"rcode","aa","answer":[RR...],"authority":[...],"additional":[...]}
 *               as a client over TCP would see it (never truncated)
 *   "health":   explain_health_json(), for a steered name
 *   "policy":   null when the answer is not steered
 * Types are any RR type by name ("MX", "TYPE65"); only A and AAAA are steered.
 *
 * Layer: server/ctl (it calls server/answer, which server/steer may not).
 */
#ifndef STEER_EXPLAIN_ANSWER_H
#define STEER_EXPLAIN_ANSWER_H

#include <jansson.h>
#include <stddef.h>

struct health_link_info;
struct snapshot;

/* The reply fields for one explain request (req: the request object)
 * against snap (may be NULL: nothing loaded, every name is REFUSED). NULL
 * with a reason in err for a bad request (no name, an unknown type, a bad
 * --from/--subnet) or when memory runs out. */
json_t *explain_answer_json(const struct snapshot *snap, const struct health_link_info *hl, json_t *req,
			    char *err, size_t errlen);

#endif
