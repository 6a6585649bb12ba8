/*
 * steer.h -- the query path's interface to traffic steering (issue 4).
 *
 * A name with a policy ("records" in the config) is bound to its zone node
 * in the snapshot's policy set (steer_policy.h, struct steer_bind; zones
 * themselves are never marked, so one compiled zone can serve two
 * snapshots); answer.c asks steer_answer() for the A/AAAA data of a node
 * and gets use_static when the node has no policy. The zone file's records for
 * that name stay the fallback: they are what a transfer exports and what
 * is served when the policy cannot be evaluated (use_static).
 *
 * Contract: no allocation, no locks, no blocking; health state is read
 * with relaxed atomic loads; addresses point into policy data that lives
 * as long as the snapshot.
 *
 * Layer: server/steer, on server/zone and geoip/: the engine, its config
 * compiler (steer_build.h), the health link and explain; the policies live
 * in server/steer/policy/, one file each, behind steer_policy.h.
 */
#ifndef STEER_STEER_H
#define STEER_STEER_H

#include <stdint.h>
#include <sys/socket.h>

struct query;
struct snapshot;

#define STEER_MAX_ADDRS 16

/* Which record and pool answered, for the counters (server/net/stats.h).
 * Indexes are into the snapshot's policy set, so they mean something only
 * with the snapshot the query was answered from. */
#define STEER_NO_POOL UINT16_MAX
struct steer_report {
	uint32_t record;      /* 1 + index in the set's records; 0 = no policy ran */
	uint16_t pool;        /* pool of the first address, or STEER_NO_POOL (NODATA) */
	uint8_t fell_open;    /* every member was down: answered as if all were up */
	uint8_t degraded;     /* a fallback pool, members missing, or fell open (degraded TTL) */
};

struct steer_answer {
	int use_static;       /* 1: answer from the zone file instead (nothing else is read) */
	uint32_t ttl;
	uint16_t naddrs;      /* 0 with use_static 0 = NODATA (no member of that family, or "nodata" when all down) */
	const uint8_t *addrs[STEER_MAX_ADDRS]; /* 4 bytes for A, 16 for AAAA */
	uint8_t ecs_scope;    /* SCOPE PREFIX-LENGTH to echo when the query had ECS */
	struct steer_report report;
};

/* Choose the answer for qtype (A or AAAA) at node (a struct node of the
 * snapshot's zones): use_static when it has no policy. src is the
 * query's source address; q carries the parsed ECS option if any. */
void steer_answer(const struct snapshot *snap, const void *node, uint16_t qtype, const struct query *q,
		  const struct sockaddr *src, struct steer_answer *out);

#endif
