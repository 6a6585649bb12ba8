/*
 * fuzz_answer.c -- libFuzzer target: arbitrary bytes as a DNS query into
 * answer_query(), the whole path from "bytes in" to "bytes out".
 *
 * The zones and steering policies of tests/fuzz/fuzz.json are loaded once
 * (load_all, exactly as the server does). Each input is then answered five
 * times: over UDP with server payload sizes 512, 1232 and 4096, from an IPv4
 * and an IPv6 client, CHAOS on and off, and over TCP. Response buffers are
 * malloc'ed at the smallest size the answer.h contract allows (4096 for UDP,
 * 65535 for TCP), so AddressSanitizer catches any write past them.
 *
 * Besides "no crash, no sanitizer report", every response must satisfy the
 * invariants below (check_response); a violation aborts, which libFuzzer
 * reports as a crash with the input saved.
 *
 * Run: build-fuzz/fuzz_answer -max_total_time=60 CORPUS_DIR SEED_DIR...
 * STEER_FUZZ_CONF overrides the config path.
 */
#include "config.h"
#include "server/answer/answer.h"
#include "server/load.h"
#include "server/zone/snapshot.h"
#include "server/steer/steer_build.h"
#include "common/errlist.h"
#include "common/log.h"

#include <arpa/inet.h>
#include <ldns/ldns.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef FUZZ_DIR
#define FUZZ_DIR "tests/fuzz"
#endif

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct snapshot *snap;
static struct answer_scratch *scratch;
static uint8_t *udp_resp, *tcp_resp;
static struct sockaddr_in client4;
static struct sockaddr_in6 client6;

#define UDP_CAP 4096
#define TCP_CAP 65535

static void die(const char *what, const uint8_t *q, size_t qlen)
{
	fprintf(stderr, "fuzz_answer: invariant broken: %s (query of %zu bytes)\n", what, qlen);
	abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *conf = getenv("STEER_FUZZ_CONF");
	struct load_result r;
	struct errlist errs;

	log_init("fuzz_answer", 0, LOG_ERR);
	if (!conf)
		conf = FUZZ_DIR "/fuzz.json";
	errlist_init(&errs);
	if (load_all(conf, &r, &errs) != 0) {
		for (size_t i = 0; i < errs.n; i++)
			fprintf(stderr, "%s\n", errs.msgs[i]);
		fprintf(stderr, "fuzz_answer: cannot load %s\n", conf);
		exit(1);
	}
	errlist_clear(&errs);
	snap = calloc(1, sizeof(*snap));
	if (!snap)
		abort();
	snap->zones = load_take_zones(&r);
	snap->generation = 1;
	steer_attach(snap, &r.steer, NULL);
	load_result_clear(&r);
	scratch = answer_scratch_new();
	udp_resp = malloc(UDP_CAP);
	tcp_resp = malloc(TCP_CAP);
	if (!scratch || !udp_resp || !tcp_resp)
		abort();
	client4.sin_family = AF_INET;
	inet_pton(AF_INET, "198.51.100.7", &client4.sin_addr);
	client6.sin6_family = AF_INET6;
	inet_pton(AF_INET6, "2001:db8:200::1", &client6.sin6_addr);
	return 0;
}

/* Does ldns see an EDNS OPT record in the query? (-1: it cannot parse it.) */
static int query_has_edns(const uint8_t *q, size_t qlen)
{
	ldns_pkt *p = NULL;
	int has;

	if (ldns_wire2pkt(&p, q, qlen) != LDNS_STATUS_OK)
		return -1;
	has = ldns_pkt_edns(p) || ldns_pkt_edns_udp_size(p) != 0;
	ldns_pkt_free(p);
	return has;
}

static void check_response(const uint8_t *q, size_t qlen, const uint8_t *resp, const struct answer_result *res,
			   int tcp, uint16_t server_payload)
{
	ldns_pkt *p = NULL;
	int edns;

	if (qlen < 12 || (q[2] & 0x80)) {
		if (res->len != 0)
			die("a short packet or a response got an answer", q, qlen);
		return;
	}
	if (res->len == 0)
		return; /* dropped: allowed for anything malformed */
	if (res->len < 12)
		die("response shorter than a header", q, qlen);
	if (tcp && res->len > TCP_CAP)
		die("TCP response over 65535", q, qlen);
	if (!tcp && res->len > (server_payload > 512 ? server_payload : 512))
		die("UDP response over the server payload size", q, qlen);
	edns = query_has_edns(q, qlen);
	if (!tcp && edns == 0 && res->len > 512)
		die("UDP response over 512 bytes to a query without EDNS", q, qlen);
	if (tcp && res->tc)
		die("TC over TCP", q, qlen);
	if (memcmp(resp, q, 2) != 0 || !(resp[2] & 0x80))
		die("ID not copied or QR not set", q, qlen);
	if ((resp[3] & 0x0f) != (res->rcode & 0x0f) || !!(resp[2] & 0x02) != !!res->tc)
		die("header rcode/TC disagree with the result", q, qlen);
	if (ldns_wire2pkt(&p, resp, res->len) != LDNS_STATUS_OK)
		die("response does not parse with ldns", q, qlen);
	if (res->rcode > 15 && !ldns_pkt_edns(p) && ldns_pkt_arcount(p) == 0)
		die("extended rcode without an OPT record", q, qlen);
	ldns_pkt_free(p);
}

static void one(const uint8_t *q, size_t qlen, int tcp, uint16_t payload, int chaos, const struct sockaddr *sa,
		socklen_t salen)
{
	struct answer_env env = { .udp_payload = payload, .chaos = chaos, .identity = "fuzz", .version = "fuzz-1" };
	struct answer_client cl = { sa, salen, tcp };
	struct answer_result res;
	uint8_t *resp = tcp ? tcp_resp : udp_resp;

	answer_query(scratch, &env, snap, &cl, q, qlen, resp, tcp ? TCP_CAP : UDP_CAP, &res);
	check_response(q, qlen, resp, &res, tcp, payload);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct sockaddr *s4 = (const struct sockaddr *)&client4, *s6 = (const struct sockaddr *)&client6;

	one(data, size, 0, 1232, 1, s4, sizeof(client4));
	one(data, size, 0, 512, 0, s6, sizeof(client6));
	one(data, size, 0, 4096, 1, s4, sizeof(client4));
	one(data, size, 1, 1232, 0, s6, sizeof(client6));
	/* No snapshot yet (startup): everything is REFUSED or an error. */
	{
		struct answer_env env = { .udp_payload = 1232 };
		struct answer_client cl = { s4, sizeof(client4), 0 };
		struct answer_result res;
		answer_query(scratch, &env, NULL, &cl, data, size, udp_resp, UDP_CAP, &res);
		check_response(data, size, udp_resp, &res, 0, 1232);
	}
	return 0;
}
