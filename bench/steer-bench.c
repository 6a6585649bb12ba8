/*
 * steer-bench.c -- steer_eval() in-process, one record per policy: the cost
 * of choosing an answer (location, policy, fall open, TTL, scope) without
 * the packet around it. bench-answer measures the DNS core; this measures
 * what a steered name adds.
 *
 *   make bench-steer                 # bench/steer-bench.json, 2,000,000 evaluations a record
 *   build/steer-bench CONFIG N [POLICY]
 *   valgrind --tool=callgrind build/steer-bench bench/steer-bench.json 100000 sticky
 *
 * Each record is evaluated N times over four ECS clients (California,
 * Frankfurt, Tokyo, Sydney in the demo database) and an A query; the best
 * of three rounds is printed, since the machine is shared.
 */
#include "config.h"
#include "server/load.h"
#include "server/steer/steer_build.h"
#include "server/steer/steer_policy.h"
#include "server/zone/snapshot.h"
#include "common/errlist.h"
#include "geoip/nets.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	static const char *const clients[] = { "198.51.100.0/24", "203.0.113.0/24", "192.0.2.0/24",
					       "2001:db8:400::/48" };
	struct steer_client cl[4];
	struct load_result lr;
	struct snapshot snap;
	struct errlist errs;
	struct steer_set *set;
	long n = argc > 2 ? atol(argv[2]) : 1000000;
	unsigned long sink = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: steer-bench CONFIG [N [POLICY]]\n");
		return 2;
	}
	errlist_init(&errs);
	if (load_all(argv[1], &lr, &errs) != 0) {
		for (size_t i = 0; i < errs.n; i++)
			fprintf(stderr, "%s\n", errs.msgs[i]);
		return 1;
	}
	memset(&snap, 0, sizeof(snap));
	steer_attach(&snap, &lr.steer, NULL);
	if (!(set = steer_set_of(&snap)))
		return 1;
	for (int i = 0; i < 4; i++) {
		memset(&cl[i], 0, sizeof(cl[i]));
		if (geo_prefix_parse(clients[i], cl[i].addr, &cl[i].source) != 0)
			return 1;
		cl[i].ecs = 1;
	}
	for (size_t r = 0; r < set->nrecords; r++) {
		const struct steer_record *rec = &set->records[r];
		double best = 0;
		if (argc > 3 && strcmp(argv[3], rec->policy->name) != 0)
			continue;
		for (int round = 0; round < 3; round++) {
			double t0 = now_ns(), t;
			for (long i = 0; i < n; i++) {
				struct steer_answer a;
				steer_eval(set, rec, STEER_V4, &cl[i & 3], &a, NULL);
				sink += a.naddrs + a.ecs_scope;
			}
			t = (now_ns() - t0) / (double)n;
			if (round == 0 || t < best)
				best = t;
		}
		printf("%-12s %-22s %6.1f ns/eval\n", rec->policy->name, rec->name, best);
	}
	snap.free_extra(snap.extra);
	load_result_clear(&lr);
	errlist_clear(&errs);
	return sink == 0; /* keeps the loop from being optimised away */
}
