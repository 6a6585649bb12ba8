/*
 * answer-bench.c -- answer_query() in-process, no sockets: the user-space
 * cost of one query, for profiling the DNS core without kernel noise.
 *
 *   make bench-answer                      # builds $(BUILD)/answer-bench and runs it
 *   valgrind --tool=callgrind build/answer-bench zones/example.com.zone 100000
 *   STEER_BENCH_KEYS=DIR: the zone signed (keys in DIR, made if absent);
 *   STEER_BENCH_DO=1: the queries have the DO bit (DNSSEC answers)
 *
 * Instruction counts from callgrind are repeatable whatever else the
 * machine is doing; subtract a run with N=1 to remove the zone load.
 */
#include "config.h"
#include "server/answer/answer.h"
#include "server/conf.h"
#include "server/dnssec/zonesign.h"
#include "server/zone/snapshot.h"
#include "server/zone/zonedb.h"
#include "common/errlist.h"
#include <ldns/ldns.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <netinet/in.h>
int main(int argc, char **argv)
{
	struct zone_conf zc = { .name = "example.com", .file = argv[1] };
	struct dnssec_zoneconf dc = { .keys = { .key_dir = getenv("STEER_BENCH_KEYS"), .alg = 13, .dnskey_ttl = 3600 },
				      .validity = 14 * 86400, .refresh = 7 * 86400 };
	int with_do = getenv("STEER_BENCH_DO") != NULL;
	struct errlist errs; errlist_init(&errs);
	if (dc.keys.key_dir) { zc.post = dnssec_zone_sign; zc.post_arg = &dc; }
	struct snapshot *snap = calloc(1, sizeof(*snap));
	if (zonedb_load(&zc, 1, &snap->zones, &errs)) return 1;
	const char *qs[][2] = { {"www.example.com.","A"}, {"app.example.com.","A"}, {"example.com.","MX"}, {"example.com.","NS"}, {"mail.example.com.","AAAA"}, {"nothere.example.com.","A"} };
	uint8_t *wires[6]; size_t lens[6];
	for (int i = 0; i < 6; i++) {
		ldns_pkt *q = ldns_pkt_query_new(ldns_dname_new_frm_str(qs[i][0]), ldns_get_rr_type_by_name(qs[i][1]), LDNS_RR_CLASS_IN, 0);
		ldns_pkt_set_edns_udp_size(q, 1232);
		if (with_do) ldns_pkt_set_edns_do(q, 1);
		ldns_pkt2wire(&wires[i], q, &lens[i]);
	}
	struct answer_scratch *s = answer_scratch_new();
	struct answer_env env = { 1232, 0, "x", "y" };
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct answer_client cl = { (struct sockaddr *)&sin, sizeof(sin), 0 };
	uint8_t resp[65535]; struct answer_result r; size_t total = 0;
	long n = argc > 2 ? atol(argv[2]) : 1000000;
	struct timespec t0, t1; clock_gettime(CLOCK_MONOTONIC, &t0);
	for (long i = 0; i < n; i++) { answer_query(s, &env, snap, &cl, wires[i % 6], lens[i % 6], resp, 4096, &r); total += r.len; }
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("%ld queries, %.1f ns/query, %zu bytes\n", n, ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / n, total);
	return 0;
}
