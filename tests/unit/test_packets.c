/* test_packets.c -- replay captured and hand-made DNS messages through
 * answer_query(): malformed input gets FORMERR (or the rcode its case
 * calls for) or is dropped, and never crashes (issue 2, item 8).
 *
 * Data: every file under tests/data/packets/ (the generated cases, the
 * c-ares fuzz inputs, fuzzer regressions in regress/) and the fuzzer's
 * hand-made seeds (tests/fuzz/seeds/, one per answer path), and, when
 * ../shared/testdata exists, every file under its dns-packets/ too (those
 * are not copied into the tree: part of them is GPL). The zones are those
 * of tests/fuzz/fuzz.json, loaded the way the server loads them.
 *
 * For every file, over UDP and over TCP:
 *   - no crash and no sanitizer report (each file is its own forked test);
 *   - the response fits: 65535 over TCP; over UDP 512 bytes without EDNS,
 *     else the smaller of our payload size and the client's;
 *   - a message with QR=1 (a response) or shorter than a header is dropped;
 *   - every response parses with ldns_wire2pkt (an independent decoder),
 *     echoes the ID and has QR set.
 * The generated cases (dns-packets/MANIFEST.tsv) also have an expected rcode
 * each (table below); a manifest case without an entry fails the test. */
#include "config.h"
#include "tests/unit/lib.h"
#include "server/answer/answer.h"
#include "server/load.h"
#include "server/zone/snapshot.h"
#include "server/steer/steer_build.h"
#include "server/conf.h"
#include "server/zone/zonedb.h"
#include "common/errlist.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <ldns/ldns.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define UDP_CAP 4096
#define TCP_CAP 65535
#define SERVER_PAYLOAD 1232
#define DROP (-1)

/* Expected rcode of each generated case (RFC references in the names'
 * rationale). AXFR over TCP is not listed: server/net/tcp.c hands it to server/xfr. */
static const struct expect {
	const char *file;
	int rcode; /* DROP = no response at all */
	const char *why;
} expects[] = {
	{ "q-a-mixed-case.bin", LDNS_RCODE_NOERROR, "plain query, case kept" },
	{ "q-a-noedns.bin", LDNS_RCODE_NOERROR, "plain query" },
	{ "q-aaaa-edns-do.bin", LDNS_RCODE_NOERROR, "EDNS with DO" },
	{ "q-any-edns.bin", LDNS_RCODE_NOERROR, "ANY (RFC 8482)" },
	{ "q-axfr.bin", LDNS_RCODE_NOTIMPL, "AXFR over UDP: NOTIMP, as NSD and Knot" },
	{ "q-ecs-family3.bin", LDNS_RCODE_FORMERR, "ECS FAMILY 3: no address to interpret (decided: FORMERR)" },
	{ "q-ecs-v4-0.bin", LDNS_RCODE_NOERROR, "ECS /0 with no address octets is valid (RFC 7871 7.1.2)" },
	{ "q-ecs-v4-20-nonzero-pad-bits.bin", LDNS_RCODE_FORMERR, "ECS bits past SOURCE set: SHOULD FORMERR (RFC 7871 6)" },
	{ "q-ecs-v4-24-scope-nonzero.bin", LDNS_RCODE_FORMERR,
	  "ECS SCOPE must be 0 in queries (RFC 7871 6; decided: FORMERR)" },
	{ "q-ecs-v4-24-too-many-octets.bin", LDNS_RCODE_FORMERR, "ECS too many ADDRESS octets: SHOULD FORMERR (RFC 7871 6)" },
	{ "q-ecs-v4-24.bin", LDNS_RCODE_NOERROR, "valid ECS" },
	{ "q-ecs-v4-33-prefix-too-long.bin", LDNS_RCODE_FORMERR, "ECS IPv4 SOURCE 33 > 32 (decided: FORMERR)" },
	{ "q-ecs-v6-56.bin", LDNS_RCODE_NOERROR, "valid IPv6 ECS" },
	{ "q-notify-soa.bin", LDNS_RCODE_REFUSED, "NOTIFY to a primary: REFUSED, as NSD" },
	{ "q-qname-pointer-loop.bin", LDNS_RCODE_FORMERR, "compression pointer in the QNAME" },
	{ "q-soa-edns-version1.bin", 16, "EDNS version 1: BADVERS (RFC 6891 6.1.3)" },
	{ "q-soa-nsid-cookie.bin", LDNS_RCODE_NOERROR, "unknown/unsupported options are ignored" },
	{ "q-truncated-header.bin", DROP, "11 bytes: no header to answer" },
	{ "q-two-opt.bin", LDNS_RCODE_FORMERR, "two OPT records (RFC 6891 6.1.1)" },
	{ "q-two-questions.bin", LDNS_RCODE_FORMERR, "QDCOUNT=2" },
};
#define NEXPECTS (sizeof(expects) / sizeof(expects[0]))

static struct snapshot *snap;
static struct answer_scratch *scratch;
static const struct answer_env env = { .udp_payload = SERVER_PAYLOAD, .chaos = 0 };

/* File lists, collected when the suite is built (loop tests need a count). */
struct flist {
	char **v;
	size_t n, cap;
};
static struct flist local_files, shared_files;

static void flist_add(struct flist *l, const char *path)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->v = realloc(l->v, l->cap * sizeof(*l->v));
		if (!l->v)
			abort();
	}
	l->v[l->n++] = strdup(path);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every regular file below dir (bounded depth), sorted. */
static void collect(struct flist *l, const char *dir, int depth)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[4096];
	struct stat st;

	if (!d || depth > 4) {
		if (d)
			closedir(d);
		return;
	}
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (stat(path, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode))
			collect(l, path, depth + 1);
		else if (S_ISREG(st.st_mode))
			flist_add(l, path);
	}
	closedir(d);
	qsort(l->v, l->n, sizeof(*l->v), cmp_str);
}

/* Read at most 65535 bytes: no UDP datagram or TCP message is longer. */
static uint8_t *read_packet(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = malloc(TCP_CAP);

	ck_assert_msg(f != NULL && buf != NULL, "%s: cannot read", path);
	*len = fread(buf, 1, TCP_CAP, f);
	fclose(f);
	return buf;
}

static void setup(void)
{
	char conf[4096];
	struct load_result r;
	struct errlist errs;
	int ret;

	snprintf(conf, sizeof(conf), "%s/../fuzz/fuzz.json", test_data_dir());
	errlist_init(&errs);
	ret = load_all(conf, &r, &errs);
	for (size_t i = 0; i < errs.n; i++)
		fprintf(stderr, "%s\n", errs.msgs[i]);
	errlist_clear(&errs);
	ck_assert_int_eq(ret, 0);
	snap = calloc(1, sizeof(*snap));
	ck_assert_ptr_nonnull(snap);
	snap->zones = load_take_zones(&r);
	snap->generation = 1;
	steer_attach(snap, &r.steer, NULL);
	load_result_clear(&r);
	scratch = answer_scratch_new();
	ck_assert_ptr_nonnull(scratch);
}

static void teardown(void)
{
	snapshot_free(snap);
	answer_scratch_free(scratch);
}

/* Does the query carry an OPT record that ldns sees? -1: ldns cannot parse it. */
static int query_edns(const uint8_t *q, size_t len, uint16_t *payload)
{
	ldns_pkt *p = NULL;
	int has;

	if (ldns_wire2pkt(&p, q, len) != LDNS_STATUS_OK)
		return -1;
	has = ldns_pkt_edns(p) || ldns_pkt_edns_udp_size(p) != 0;
	*payload = ldns_pkt_edns_udp_size(p);
	ldns_pkt_free(p);
	return has;
}

/* Answer q over one transport and check the invariants every response has.
 * Returns the result; *out (when not NULL) gets the parsed response. */
static struct answer_result replay(const char *name, const uint8_t *q, size_t len, int tcp, uint8_t *resp,
				   ldns_pkt **out)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(0xc6336407) };
	struct answer_client cl = { (struct sockaddr *)&sin, sizeof(sin), tcp };
	struct answer_result res;
	const char *tr = tcp ? "TCP" : "UDP";
	ldns_pkt *p = NULL;
	uint16_t payload = 0;
	size_t limit = TCP_CAP;
	int edns;

	answer_query(scratch, &env, snap, &cl, q, len, resp, tcp ? TCP_CAP : UDP_CAP, &res);
	if (len < 12 || (q[2] & 0x80)) {
		ck_assert_msg(res.len == 0, "%s (%s): %s answered with %zu bytes", name, tr,
			      len < 12 ? "a message shorter than a header" : "a response (QR=1)", res.len);
		return res;
	}
	if (res.len == 0)
		return res;
	edns = query_edns(q, len, &payload);
	if (!tcp) {
		limit = SERVER_PAYLOAD;
		if (edns == 0)
			limit = 512;
		else if (edns == 1 && payload < limit)
			limit = payload > 512 ? payload : 512;
	}
	ck_assert_msg(res.len >= 12 && res.len <= limit, "%s (%s): response of %zu bytes, limit %zu", name, tr,
		      res.len, limit);
	ck_assert_msg(memcmp(resp, q, 2) == 0 && (resp[2] & 0x80), "%s (%s): ID not echoed or QR not set", name, tr);
	ck_assert_msg((resp[3] & 0x0f) == (res.rcode & 0x0f), "%s (%s): header rcode %u, result %u", name, tr,
		      resp[3] & 0x0f, res.rcode);
	ck_assert_msg(ldns_wire2pkt(&p, resp, res.len) == LDNS_STATUS_OK, "%s (%s): response does not parse with ldns",
		      name, tr);
	if (out)
		*out = p;
	else
		ldns_pkt_free(p);
	return res;
}

static void replay_file(const char *path)
{
	uint8_t *resp = malloc(TCP_CAP), *q;
	size_t len;

	ck_assert_ptr_nonnull(resp);
	q = read_packet(path, &len);
	replay(path, q, len, 0, resp, NULL);
	replay(path, q, len, 1, resp, NULL);
	free(q);
	free(resp);
}

START_TEST(test_replay_local)
{
	ck_assert_uint_gt(local_files.n, 0);
	replay_file(local_files.v[_i]);
}
END_TEST

START_TEST(test_replay_shared)
{
	if (shared_files.n == 0) {
		printf("test_replay_shared: skipped: ../shared/testdata/dns-packets not found\n");
		return;
	}
	replay_file(shared_files.v[_i]);
}
END_TEST

static const char *packet_path(const char *file, char *buf, size_t cap)
{
	snprintf(buf, cap, "%s/packets/%s", test_data_dir(), file);
	return buf;
}

/* Each generated case gets its expected rcode, over UDP and TCP. */
START_TEST(test_expected_rcode)
{
	const struct expect *e = &expects[_i];
	char path[4096];
	uint8_t *resp = malloc(TCP_CAP), *q;
	size_t len;

	ck_assert_ptr_nonnull(resp);
	q = read_packet(packet_path(e->file, path, sizeof(path)), &len);
	for (int tcp = 0; tcp <= 1; tcp++) {
		struct answer_result res = replay(e->file, q, len, tcp, resp, NULL);
		if (tcp && strcmp(e->file, "q-axfr.bin") == 0)
			continue; /* over TCP a transfer is server/xfr's, before answer_query() */
		if (e->rcode == DROP)
			ck_assert_msg(res.len == 0, "%s (%s): %s: answered", e->file, tcp ? "TCP" : "UDP", e->why);
		else
			ck_assert_msg(res.len > 0 && res.rcode == e->rcode, "%s (%s): %s: got rcode %u (len %zu), want %d",
				      e->file, tcp ? "TCP" : "UDP", e->why, res.rcode, res.len, e->rcode);
	}
	free(q);
	free(resp);
}
END_TEST

/* Every generated case in MANIFEST.tsv has an expectation here (so a case
 * added to the shared data is not silently unchecked). */
START_TEST(test_manifest_covered)
{
	const char *shared = test_shared_dir();
	char path[4096], line[1024];
	FILE *f;
	size_t seen = 0;

	if (!shared) {
		printf("test_manifest_covered: skipped: ../shared/testdata not found\n");
		return;
	}
	snprintf(path, sizeof(path), "%s/dns-packets/MANIFEST.tsv", shared);
	f = fopen(path, "r");
	ck_assert_msg(f != NULL, "%s: cannot open", path);
	while (fgets(line, sizeof(line), f)) {
		char *tab = strchr(line, '\t');
		const char *file;
		size_t k;
		if (strncmp(line, "generated/", 10) != 0 || !tab || strncmp(tab - 4, ".bin", 4) != 0)
			continue;
		*tab = '\0';
		file = line + 10;
		for (k = 0; k < NEXPECTS && strcmp(expects[k].file, file) != 0; k++)
			;
		ck_assert_msg(k < NEXPECTS, "MANIFEST case %s has no expected rcode in test_packets.c", file);
		/* The local copy must be the same bytes as the shared one. */
		{
			char a[4096], b[4096];
			size_t la, lb;
			uint8_t *pa = read_packet(packet_path(file, a, sizeof(a)), &la);
			snprintf(b, sizeof(b), "%s/dns-packets/generated/%s", shared, file);
			uint8_t *pb = read_packet(b, &lb);
			ck_assert_msg(la == lb && memcmp(pa, pb, la) == 0, "%s differs from %s", a, b);
			free(pa);
			free(pb);
		}
		seen++;
	}
	fclose(f);
	ck_assert_uint_eq(seen, NEXPECTS);
}
END_TEST

/* Any query turned into a response (QR=1) is dropped, never answered:
 * answering responses is how reflection loops start. */
START_TEST(test_response_dropped)
{
	char path[4096];
	uint8_t resp[512], *q;
	size_t len;
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct answer_client cl = { (struct sockaddr *)&sin, sizeof(sin), 0 };
	struct answer_result res;

	for (size_t i = 0; i < NEXPECTS; i++) {
		q = read_packet(packet_path(expects[i].file, path, sizeof(path)), &len);
		if (len >= 3)
			q[2] |= 0x80;
		for (int tcp = 0; tcp <= 1; tcp++) {
			uint8_t *big = malloc(TCP_CAP);
			ck_assert_ptr_nonnull(big);
			cl.tcp = tcp;
			answer_query(scratch, &env, snap, &cl, q, len, big, tcp ? TCP_CAP : UDP_CAP, &res);
			ck_assert_msg(res.len == 0, "%s with QR=1 answered (%zu bytes)", expects[i].file, res.len);
			free(big);
		}
		free(q);
	}
	(void)resp;
}
END_TEST

/* The details of a few cases, read back with ldns. */
START_TEST(test_case_details)
{
	char path[4096];
	uint8_t *resp = malloc(TCP_CAP), *q;
	size_t len;
	ldns_pkt *p = NULL;
	ldns_rdf *qn;
	char *s;

	ck_assert_ptr_nonnull(resp);
	/* Mixed case: the question comes back as sent (0x20 bits kept). */
	q = read_packet(packet_path("q-a-mixed-case.bin", path, sizeof(path)), &len);
	replay("q-a-mixed-case.bin", q, len, 0, resp, &p);
	qn = ldns_rr_owner(ldns_rr_list_rr(ldns_pkt_question(p), 0));
	s = ldns_rdf2str(qn);
	ck_assert_str_eq(s, "wWw.ExAmPlE.cOm.");
	ck_assert(ldns_pkt_aa(p));
	free(s);
	ldns_pkt_free(p);
	free(q);

	/* BADVERS: low rcode bits 0 in the header, OPT present with version 0
	 * and extended rcode 1 (16 >> 4). */
	q = read_packet(packet_path("q-soa-edns-version1.bin", path, sizeof(path)), &len);
	struct answer_result res = replay("q-soa-edns-version1.bin", q, len, 0, resp, &p);
	ck_assert_uint_eq(res.rcode, 16);
	ck_assert_uint_eq(resp[3] & 0x0f, 0);
	ck_assert(ldns_pkt_edns(p) || ldns_pkt_arcount(p) == 1);
	ck_assert_uint_eq(ldns_pkt_edns_extended_rcode(p), 1);
	ck_assert_uint_eq(ldns_pkt_edns_version(p), 0);
	ck_assert_uint_eq(ldns_pkt_ancount(p), 0);
	ldns_pkt_free(p);
	free(q);

	/* Valid ECS 192.0.2.0/24: echoed with the same family, source and address. */
	q = read_packet(packet_path("q-ecs-v4-24.bin", path, sizeof(path)), &len);
	res = replay("q-ecs-v4-24.bin", q, len, 0, resp, NULL);
	static const uint8_t ecs_head[] = { 0, 8, 0, 7, 0, 1, 24 };
	ck_assert_msg(memmem(resp, res.len, ecs_head, sizeof(ecs_head)) != NULL, "ECS option not echoed");
	free(q);

	/* FORMERR and NOTIMP carry the question when it could be read, and no records. */
	q = read_packet(packet_path("q-two-opt.bin", path, sizeof(path)), &len);
	replay("q-two-opt.bin", q, len, 0, resp, &p);
	ck_assert_uint_eq(ldns_pkt_ancount(p) + ldns_pkt_nscount(p), 0);
	ck_assert_uint_le(ldns_pkt_qdcount(p), 1);
	ldns_pkt_free(p);
	free(q);
	free(resp);
}
END_TEST

/* A long run of random mutations of the generated cases (deterministic
 * seed): the same invariants, without libFuzzer, in every `make check`. */
START_TEST(test_mutations)
{
	char path[4096];
	uint8_t *resp = malloc(TCP_CAP), *q, m[600];
	size_t len;
	unsigned seed = 20261122u;
	int answered = 0;

	ck_assert_ptr_nonnull(resp);
	for (size_t i = 0; i < NEXPECTS; i++) {
		q = read_packet(packet_path(expects[i].file, path, sizeof(path)), &len);
		for (int round = 0; round < 400; round++) {
			size_t ml = len;
			memcpy(m, q, len);
			for (int k = 0, nm = 1 + rand_r(&seed) % 4; k < nm; k++) {
				int op = rand_r(&seed) % 4;
				size_t at = ml ? (size_t)rand_r(&seed) % ml : 0;
				if (op == 0 && ml)
					m[at] = (uint8_t)rand_r(&seed); /* random byte */
				else if (op == 1 && ml)
					m[at] ^= (uint8_t)(1u << (rand_r(&seed) % 8)); /* bit flip */
				else if (op == 2)
					ml = at; /* cut */
				else if (ml + 8 < sizeof(m))
					ml += 8, memset(m + ml - 8, rand_r(&seed) & 1 ? 0xc0 : 0x00, 8); /* pad */
			}
			m[2] &= 0x7f; /* keep it a query so that it reaches the parser */
			if (ml < 12)
				continue;
			answered += replay(expects[i].file, m, ml, round & 1, resp, NULL).len > 0;
		}
		free(q);
	}
	ck_assert_int_gt(answered, 1000);
	free(resp);
}
END_TEST

/* --- regressions found while fuzzing: zone data the loader must refuse --- */

static const char *big_zone_head =
	"$ORIGIN example.com.\n$TTL 300\n@ SOA ns1 host 1 2 3 4 5\n@ NS ns1\nns1 A 192.0.2.1\n";

/* Write head + "big TXT " + n copies of word (space separated) + tail. */
static char *write_big_txt_zone(const char *word, size_t n, const char *tail)
{
	size_t wl = strlen(word), cap = strlen(big_zone_head) + n * (wl + 1) + strlen(tail) + 64;
	char *text = malloc(cap), *p, *path;

	ck_assert_ptr_nonnull(text);
	p = text + sprintf(text, "%sbig TXT", big_zone_head);
	for (size_t i = 0; i < n; i++)
		p += sprintf(p, " %s", word);
	sprintf(p, "\n%s", tail);
	path = test_write_temp(".zone", text);
	free(text);
	ck_assert_ptr_nonnull(path);
	return path;
}

/* Load path as example.com; if it loads, ask big TXT over TCP and require a
 * response that parses and carries want_rdlen bytes of TXT RDATA in one RR. */
static void expect_refused_or_served(const char *path, size_t want_rdlen, const char *what)
{
	struct zone_conf zc = { .name = "example.com", .file = (char *)path };
	struct snapshot s = { 0 };
	struct errlist errs;
	static const uint8_t q[] = { 0xbe, 0xef, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 3, 'b', 'i', 'g', 7, 'e', 'x', 'a', 'm',
				     'p', 'l', 'e', 3, 'c', 'o', 'm', 0, 0, 16, 0, 1 };
	uint8_t *resp = malloc(TCP_CAP);
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct answer_client cl = { (struct sockaddr *)&sin, sizeof(sin), 1 };
	struct answer_result res;
	ldns_pkt *p = NULL;
	int found = 0;

	ck_assert_ptr_nonnull(resp);
	errlist_init(&errs);
	if (zonedb_load(&zc, 1, &s.zones, &errs) != 0) { /* refused: fine */
		errlist_clear(&errs);
		free(resp);
		return;
	}
	errlist_clear(&errs);
	for (int tcp = 1; tcp >= 0; tcp--) {
		cl.tcp = tcp;
		answer_query(scratch, &env, &s, &cl, q, sizeof(q), resp, tcp ? TCP_CAP : UDP_CAP, &res);
		ck_assert_msg(res.len > 0 && ldns_wire2pkt(&p, resp, res.len) == LDNS_STATUS_OK,
			      "%s: loaded, and the %s answer (%zu bytes) does not parse", what, tcp ? "TCP" : "UDP", res.len);
		for (size_t i = 0; tcp && i < ldns_pkt_ancount(p); i++) {
			ldns_rr *rr = ldns_rr_list_rr(ldns_pkt_answer(p), i);
			size_t rdlen = 0;
			for (size_t k = 0; k < ldns_rr_rd_count(rr); k++)
				rdlen += ldns_rdf_size(ldns_rr_rdf(rr, k));
			found |= rdlen == want_rdlen;
		}
		ldns_pkt_free(p);
	}
	ck_assert_msg(found, "%s: loaded, but no TXT of %zu bytes is served (the data was changed)", what, want_rdlen);
	zonedb_free(s.zones);
	free(resp);
}

/* RDLENGTH 65526..65535: struct zone's rr_len() (RR_FIXED + RDLENGTH as a
 * uint16_t) wraps, the rrset walk goes wrong and the answer is malformed.
 * 32763 one-character strings = 65526 bytes of RDATA (65525 characters of
 * text, under ldns's limit). Fix: refuse RDATA over 65535 - RR_FIXED at load. */
START_TEST(test_regress_rdlen_wrap)
{
	char *path = write_big_txt_zone("a", 32763, "big TXT second\n");
	expect_refused_or_served(path, 65526, "TXT with RDLENGTH 65526");
	unlink(path);
	free(path);
}
END_TEST

/* RDATA text over 65535 characters: ldns cuts it (LDNS_MAX_RDFLEN) and
 * parses the rest, so 257 strings of 255 bytes (65792 bytes, too big for
 * any RR) load as 255 strings, the last one cut to 1 byte, and `--check`
 * says ok. Fix: refuse an entry longer than LDNS_MAX_RDFLEN. */
START_TEST(test_regress_rdata_text_cut)
{
	char word[258];
	word[0] = '"';
	memset(word + 1, 'a', 255);
	strcpy(word + 256, "\"");
	char *path = write_big_txt_zone(word, 257, "");
	expect_refused_or_served(path, 257 * 256, "TXT of 257 x 255 bytes");
	unlink(path);
	free(path);
}
END_TEST

Suite *suite_packets(void)
{
	Suite *s = suite_create("packets");
	TCase *tc = tcase_create("packets");
	const char *shared = test_shared_dir();
	char dir[4096];

	if (local_files.n == 0) {
		snprintf(dir, sizeof(dir), "%s/packets", test_data_dir());
		collect(&local_files, dir, 0);
		snprintf(dir, sizeof(dir), "%s/../fuzz/seeds", test_data_dir());
		collect(&local_files, dir, 0);
		if (shared) {
			snprintf(dir, sizeof(dir), "%s/dns-packets", shared);
			collect(&shared_files, dir, 0);
		}
	}
	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_replay_local, 0, local_files.n ? (int)local_files.n : 1);
	tcase_add_loop_test(tc, test_replay_shared, 0, shared_files.n ? (int)shared_files.n : 1);
	tcase_add_loop_test(tc, test_expected_rcode, 0, (int)NEXPECTS);
	tcase_add_test(tc, test_manifest_covered);
	tcase_add_test(tc, test_response_dropped);
	tcase_add_test(tc, test_case_details);
	tcase_add_test(tc, test_mutations);
	suite_add_tcase(s, tc);
	/* Known bugs found by fuzzing (see the comments above each test). */
	TCase *rg = tcase_create("regress");
	tcase_add_unchecked_fixture(rg, setup, teardown);
	tcase_set_timeout(rg, 60);
	tcase_add_test(rg, test_regress_rdlen_wrap);
	tcase_add_test(rg, test_regress_rdata_text_cut);
	suite_add_tcase(s, rg);
	return s;
}
