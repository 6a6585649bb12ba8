/*
 * answer-bench.c -- answer_query() in-process, no sockets: the user-space
 * cost of one query, for profiling the DNS core without kernel noise.
 *
 *   make bench-answer                      # builds $(BUILD)/answer-bench and runs it
 *   valgrind --tool=callgrind build/answer-bench zones/example.com.zone 100000
 *   STEER_BENCH_KEYS=DIR: the zone signed (keys in DIR, made if absent);
 *   STEER_BENCH_DO=1: the queries have the DO bit (DNSSEC answers)
 *
 *   build/answer-bench -c CONFIG [-d] [-p|-x] [-q 'NAME TYPE']... [-f FILE] [N]
 *     a whole config (load_all: signing, "records" policies, a signature
 *     cache as the server has), the queries given with -q in turn
 *     (default the six below); -d sets DO, -p prints each response once
 *     (ldns) before the loop, -x as hex (to compare bytes between builds);
 *     -f FILE: the queries of a dnsperf text file instead (at most 100000). bench/answer-kinds.sh runs it per query kind.
 *
 * Instruction counts from callgrind are repeatable whatever else the
 * machine is doing; subtract a run with N=1 to remove the zone load.
 */
#include "config.h"
#include "server/answer/answer.h"
#include "server/conf.h"
#include "server/dnssec/sigcache.h"
#include "server/dnssec/zonesign.h"
#include "server/load.h"
#include "server/steer/steer_build.h"
#include "server/zone/snapshot.h"
#include "server/zone/zonedb.h"
#include "common/errlist.h"
#include <ldns/ldns.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>

#define MAXQ 32
#define MAXF 100000

static const char *default_qs[] = { "www.example.com. A", "app.example.com. A", "example.com. MX",
				    "example.com. NS", "mail.example.com. AAAA", "nothere.example.com. A" };

static void print_errs(struct errlist *errs)
{
	for (size_t i = 0; i < errs->n; i++)
		fprintf(stderr, "%s\n", errs->msgs[i]);
}

/* The zone of argv (the old form): one zone, signed when STEER_BENCH_KEYS. */
static int load_zone(const char *file, struct snapshot *snap)
{
	static struct zone_conf zc = { .name = "example.com" };
	static struct dnssec_zoneconf dc = { .keys = { .alg = 13, .dnskey_ttl = 3600 },
					     .validity = 14 * 86400, .refresh = 7 * 86400 };
	struct errlist errs;

	errlist_init(&errs);
	zc.file = (char *)file;
	dc.keys.key_dir = getenv("STEER_BENCH_KEYS");
	if (dc.keys.key_dir) {
		zc.post = dnssec_zone_sign;
		zc.post_arg = &dc;
	}
	if (zonedb_load(&zc, 1, &snap->zones, &errs)) {
		print_errs(&errs);
		return -1;
	}
	return 0;
}

static int load_config(const char *path, struct snapshot *snap, struct answer_env *env)
{
	static struct load_result lr;
	struct errlist errs;

	errlist_init(&errs);
	if (load_all(path, &lr, &errs) != 0) {
		print_errs(&errs);
		return -1;
	}
	snap->zones = load_take_zones(&lr);
	steer_attach(snap, &lr.steer, NULL);
	env->sigcache = sigcache_new((size_t)lr.conf.sigcache_entries);
	env->udp_payload = lr.conf.udp_payload ? (uint16_t)lr.conf.udp_payload : 1232;
	return env->sigcache ? 0 : -1;
}

static int make_query(const char *spec, int with_do, uint8_t **wire, size_t *len)
{
	char name[300], type[20];
	ldns_rdf *dn;
	ldns_pkt *q;

	if (sscanf(spec, "%299s %19s", name, type) != 2 || !(dn = ldns_dname_new_frm_str(name)))
		return -1;
	q = ldns_pkt_query_new(dn, ldns_get_rr_type_by_name(type), LDNS_RR_CLASS_IN, 0);
	ldns_pkt_set_edns_udp_size(q, 1232);
	if (with_do)
		ldns_pkt_set_edns_do(q, 1);
	ldns_pkt2wire(wire, q, len);
	ldns_pkt_free(q);
	return 0;
}

static void print_response(const uint8_t *resp, size_t len, int hex)
{
	ldns_pkt *p = NULL;

	if (hex) {
		for (size_t i = 0; i < len; i++)
			printf("%02x", resp[i]);
		printf("\n");
		return;
	}
	if (ldns_wire2pkt(&p, resp, len) != LDNS_STATUS_OK) {
		printf(";; unparsable response (%zu bytes)\n", len);
		return;
	}
	ldns_pkt_print(stdout, p);
	ldns_pkt_free(p);
}

/* Up to MAXF "name type" lines of path into qs (strdup'ed); their count. */
static int read_queries(const char *path, const char **qs)
{
	char line[512];
	FILE *f = fopen(path, "r");
	int n = 0;

	if (!f)
		return -1;
	while (n < MAXF && fgets(line, sizeof(line), f))
		if (line[0] != '#' && line[0] != '\n')
			qs[n++] = strdup(line);
	fclose(f);
	return n;
}

int main(int argc, char **argv)
{
	static const char *qs[MAXF];
	static uint8_t *wires[MAXF];
	static size_t lens[MAXF];
	const char *config = NULL;
	int nq = 0, with_do = getenv("STEER_BENCH_DO") != NULL, print = 0, hex = 0, opt;

	while ((opt = getopt(argc, argv, "c:dpq:xf:")) != -1) {
		switch (opt) {
		case 'c': config = optarg; break;
		case 'd': with_do = 1; break;
		case 'p': print = 1; break;
		case 'x': print = hex = 1; break;
		case 'f':
			if ((nq = read_queries(optarg, qs)) <= 0) {
				fprintf(stderr, "answer-bench: no queries in %s\n", optarg);
				return 2;
			}
			break;
		case 'q': if (nq < MAXQ) qs[nq++] = optarg; break;
		default:
			fprintf(stderr, "usage: answer-bench ZONE [N] | answer-bench -c CONFIG [-d] [-p|-x] [-q 'NAME TYPE']... [-f FILE] [N]\n");
			return 2;
		}
	}
	struct snapshot *snap = calloc(1, sizeof(*snap));
	struct answer_env env = { .udp_payload = 1232, .identity = "x", .version = "y" };
	if (config ? load_config(config, snap, &env) : optind < argc ? load_zone(argv[optind++], snap) : -1)
		return 1;
	if (nq == 0)
		for (; nq < 6; nq++)
			qs[nq] = default_qs[nq];
	for (int i = 0; i < nq; i++)
		if (make_query(qs[i], with_do, &wires[i], &lens[i]) < 0) {
			fprintf(stderr, "answer-bench: bad query '%s' (want 'NAME TYPE')\n", qs[i]);
			return 2;
		}
	struct answer_scratch *s = answer_scratch_new();
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct answer_client cl = { (struct sockaddr *)&sin, sizeof(sin), 0 };
	static uint8_t resp[65535];
	struct answer_result r;
	size_t total = 0;
	long n = optind < argc ? atol(argv[optind]) : 1000000;
	if (print)
		for (int i = 0; i < nq; i++) {
			answer_query(s, &env, snap, &cl, wires[i], lens[i], resp, 4096, &r);
			print_response(resp, r.len, hex);
		}
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (long i = 0; i < n; i++) {
		answer_query(s, &env, snap, &cl, wires[i % nq], lens[i % nq], resp, 4096, &r);
		total += r.len;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("%ld queries, %.1f ns/query, %zu bytes\n", n,
	       ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / (double)(n ? n : 1), total);
	return 0;
}
