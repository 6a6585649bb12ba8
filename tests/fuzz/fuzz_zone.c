/*
 * fuzz_zone.c -- libFuzzer target: arbitrary text as an RFC 1035 master file.
 *
 * Each input is written to a file in a private temporary directory and
 * loaded with zonedb_load() (zone_load(): the reader with zonefast and
 * ldns, the token checks of syntax.c, rrsets, checks, links), then freed. The zone name is taken from the
 * input's first "$ORIGIN name" line when there is one (so the seed zones of
 * tests/data/zones load), else example.com. The .inc files of
 * tests/data/zones are copied beside it, so relative $INCLUDEs can work.
 *
 * When the zone loads, the compiled data is also served: every node (up to
 * a bound) is asked for each of its types over UDP (512 bytes, no EDNS),
 * for ANY over TCP, and for a name below it (wildcard / NXDOMAIN paths).
 * Each response must fit its limit and parse with ldns: odd RDATA accepted
 * at load time must never become a malformed or oversized answer.
 *
 * Run: build-fuzz/fuzz_zone -max_total_time=60 -dict=tests/fuzz/zone.dict CORPUS SEEDS...
 */
#include "config.h"
#include "server/answer/answer.h"
#include "server/conf.h"
#include "server/wire/dname.h"
#include "server/zone/snapshot.h"
#include "server/zone/zone.h"
#include "server/zone/zonedb.h"
#include "server/zone/zonedb_find.h"
#include "common/errlist.h"
#include "common/log.h"

#include <dirent.h>
#include <ldns/ldns.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef FUZZ_DIR
#define FUZZ_DIR "tests/fuzz"
#endif

#define NODES_MAX 64

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64], zpath[96];
static struct answer_scratch *scratch;
static uint8_t *udp_resp, *tcp_resp;

static void rm_dir(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char p[512];

	while (d && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		unlink(p);
	}
	if (d)
		closedir(d);
	rmdir(dir);
}

/* Copy the seed zones' include files next to the fuzzed zone file. */
static void copy_includes(void)
{
	static const char *const incs[] = { "types.example.net.inc", "types-sub.inc" };
	char src[512], dst[512], buf[4096];

	for (size_t i = 0; i < sizeof(incs) / sizeof(incs[0]); i++) {
		snprintf(src, sizeof(src), "%s/../data/zones/%s", FUZZ_DIR, incs[i]);
		snprintf(dst, sizeof(dst), "%s/%s", dir, incs[i]);
		FILE *in = fopen(src, "r"), *out = fopen(dst, "w");
		size_t n;
		while (in && out && (n = fread(buf, 1, sizeof(buf), in)) > 0)
			fwrite(buf, 1, n, out);
		if (in)
			fclose(in);
		if (out)
			fclose(out);
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	log_init("fuzz_zone", 0, LOG_CRIT);
	snprintf(dir, sizeof(dir), "/tmp/steer-fuzz-zone.XXXXXX");
	if (!mkdtemp(dir))
		abort();
	atexit(rm_dir);
	snprintf(zpath, sizeof(zpath), "%s/fuzz.zone", dir);
	copy_includes();
	scratch = answer_scratch_new();
	udp_resp = malloc(4096);
	tcp_resp = malloc(65535);
	if (!scratch || !udp_resp || !tcp_resp)
		abort();
	return 0;
}

/* The name after the first "$ORIGIN" at the start of a line, or example.com. */
static void zone_name_of(const uint8_t *data, size_t size, char *name, size_t cap)
{
	static const char kw[] = "$ORIGIN";
	size_t kl = sizeof(kw) - 1;

	snprintf(name, cap, "example.com");
	for (size_t i = 0; i + kl < size; i++) {
		if ((i && data[i - 1] != '\n') || memcmp(data + i, kw, kl) != 0)
			continue;
		size_t j = i + kl, n = 0;
		while (j < size && (data[j] == ' ' || data[j] == '\t'))
			j++;
		while (j < size && n + 1 < cap && data[j] > ' ' && data[j] != ';')
			name[n++] = (char)data[j++];
		if (n) {
			name[n] = '\0';
			return;
		}
	}
}

static void ask(const struct snapshot *snap, const uint8_t *name, size_t nlen, uint16_t qtype, int tcp)
{
	static const struct answer_env env = { .udp_payload = 1232 };
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct answer_client cl = { (struct sockaddr *)&sin, sizeof(sin), tcp };
	struct answer_result res;
	uint8_t q[12 + DNAME_MAXLEN + 4] = { 0xab, 0xcd, 0, 0, 0, 1 };
	uint8_t *resp = tcp ? tcp_resp : udp_resp;
	ldns_pkt *p = NULL;

	memcpy(q + 12, name, nlen);
	q[12 + nlen] = (uint8_t)(qtype >> 8), q[13 + nlen] = (uint8_t)qtype;
	q[14 + nlen] = 0, q[15 + nlen] = 1;
	answer_query(scratch, &env, snap, &cl, q, 16 + nlen, resp, tcp ? 65535 : 4096, &res);
	if (res.len < 12 || res.len > (tcp ? 65535u : 512u)) {
		fprintf(stderr, "fuzz_zone: response of %zu bytes (tcp=%d)\n", res.len, tcp);
		abort();
	}
	if (ldns_wire2pkt(&p, resp, res.len) != LDNS_STATUS_OK) {
		fprintf(stderr, "fuzz_zone: response to qtype %u does not parse with ldns\n", qtype);
		abort();
	}
	ldns_pkt_free(p);
}

/* Ask every node (up to NODES_MAX) for what it holds. */
static void serve(struct zonedb *db, const char *zname)
{
	struct snapshot snap = { .zones = db };
	uint8_t apex[DNAME_MAXLEN], below[DNAME_MAXLEN];
	ldns_rdf *o = NULL;
	const struct zone *z;
	size_t asked = 0;

	if (ldns_str2rdf_dname(&o, zname) != LDNS_STATUS_OK)
		return;
	if (ldns_rdf_size(o) <= DNAME_MAXLEN) {
		memcpy(apex, ldns_rdf_data(o), ldns_rdf_size(o));
		dname_lower(apex, apex, ldns_rdf_size(o));
	}
	z = ldns_rdf_size(o) <= DNAME_MAXLEN ? zonedb_find_apex(db, apex, ldns_rdf_size(o)) : NULL;
	ldns_rdf_deep_free(o);
	if (!z)
		return;
	for (uint32_t i = 0; i <= z->mask && asked < NODES_MAX; i++) {
		const struct node *n = zone_slot(z, i);
		if (!n)
			continue;
		asked++;
		for (uint16_t k = 0; k < n->nrrsets; k++)
			ask(&snap, n->name, n->namelen, n->rrsets[k].type, 0);
		ask(&snap, n->name, n->namelen, 255, 1);
		ask(&snap, n->name, n->namelen, 1, 0);
		if (n->namelen + 2u <= DNAME_MAXLEN) {
			below[0] = 1, below[1] = 'q';
			memcpy(below + 2, n->name, n->namelen);
			ask(&snap, below, n->namelen + 2u, 16, 0);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char name[256];
	struct zone_conf zc = { 0 }; /* post, catalog...: off */
	struct zonedb *db = NULL;
	struct errlist errs;
	FILE *f = fopen(zpath, "w");

	if (!f)
		abort();
	if (size && fwrite(data, 1, size, f) != size)
		abort();
	fclose(f);
	zone_name_of(data, size, name, sizeof(name));
	zc.name = name;
	zc.file = zpath;
	errlist_init(&errs);
	if (zonedb_load(&zc, 1, &db, &errs) == 0) {
		serve(db, name);
		zonedb_free(db);
	}
	errlist_clear(&errs);
	return 0;
}
