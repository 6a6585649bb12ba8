/*
 * stats.h -- query counters, written by the threads that answer, summed on
 * request (steerctl stats).
 *
 * Each answering thread (every UDP worker, the TCP thread) owns one
 * struct stats_block and is its only writer, so a counter is bumped with a
 * relaxed load and a relaxed store: no atomic read-modify-write, no lock, no
 * cache line shared with another writer. A reader (the control socket, in
 * the main thread) sums the blocks with relaxed loads; a sum may be a few
 * queries behind, never torn.
 *
 * Counters indexed by zone or steered record live with the snapshot whose
 * positions they use (stats_snap.h); stats_count() feeds both.
 */
#ifndef STEER_STATS_H
#define STEER_STATS_H

#include <jansson.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

struct answer_result;
struct snapshot;

enum stats_transport { STATS_UDP, STATS_TCP, STATS_NTRANSPORTS };
/* Why the TCP thread closed a connection itself (tcp.h: the limits). */
enum stats_tcp_close { STATS_TCP_PER_CLIENT, STATS_TCP_EVICTED, STATS_TCP_QUERY_TIMEOUT, STATS_TCP_NCLOSE };

#define STATS_NQTYPES 256 /* qtype 0..255 counted one by one; the rest in qtype_other */
#define STATS_NRCODES 24  /* rcode 0..23 (BADCOOKIE, DNS_RCODE_COUNT); higher in rcode_other */
#define STATS_NLIMITED 4  /* RRL: none, dropped, slipped, BADCOOKIE (enum answer_limited) */
#define STATS_NCOOKIE 4   /* COOKIE: none, client only, valid, invalid (enum cookie_verdict) */
#define STATS_NPROXY 5    /* PROXY v2 verdicts, enum proxy_verdict (server/net/proxy.h) */

typedef _Atomic uint64_t stats_counter;

struct stats_block {
	stats_counter queries[STATS_NTRANSPORTS];
	stats_counter responses;
	stats_counter truncated;
	stats_counter dropped;
	stats_counter malformed;
	stats_counter qtype[STATS_NQTYPES];
	stats_counter qtype_other;
	stats_counter rcode[STATS_NRCODES];
	stats_counter rcode_other;
	/* Signature cache of steered DO=1 answers (server/dnssec/sigcache.h):
	 * a miss is signed or failed. */
	stats_counter sig_hits, sig_signed, sig_failed;
	stats_counter limited[STATS_NLIMITED]; /* by enum answer_limited (index 0 unused) */
	stats_counter cookie[STATS_NCOOKIE];   /* by enum cookie_verdict (index 0 unused) */
	stats_counter proxy[STATS_NPROXY]; /* packets and connections by PROXY v2 verdict; [0] unused */
	stats_counter tcp_closed[STATS_TCP_NCLOSE];
	uint32_t row;            /* this block's row in every snapshot's stats_snap; fixed at stats_new() */
} __attribute__((aligned(64)));

/* Plain numbers, for sums and tests. */
struct stats_totals {
	uint64_t queries[STATS_NTRANSPORTS];
	uint64_t responses, truncated, dropped, malformed;
	uint64_t qtype[STATS_NQTYPES], qtype_other;
	uint64_t rcode[STATS_NRCODES], rcode_other;
	uint64_t sig_hits, sig_signed, sig_failed;
	uint64_t limited[STATS_NLIMITED], cookie[STATS_NCOOKIE];
	uint64_t proxy[STATS_NPROXY];
	uint64_t tcp_closed[STATS_TCP_NCLOSE];
};

struct stats;

/* nblocks blocks, all zero. NULL on ENOMEM. */
struct stats *stats_new(size_t nblocks);
void stats_free(struct stats *st);
/* Block i (0 <= i < nblocks) for its one writer thread. */
struct stats_block *stats_block(struct stats *st, size_t i);

/* Count one query answered (res->len > 0) or dropped (res->len == 0), and
 * its zone and steering counters in snap (the snapshot it was answered
 * from, still pinned; may be NULL). Only the block's owner thread calls
 * these. */
void stats_count(struct stats_block *b, enum stats_transport t, const struct snapshot *snap,
		 const struct answer_result *res);
/* A TCP connection closed by a limit (the TCP thread's block only). */
void stats_count_tcp_close(struct stats_block *b, enum stats_tcp_close why);
/* "per_client", "evicted", "query_timeout": the JSON keys and metric labels. */
const char *stats_tcp_close_name(enum stats_tcp_close why);
/* A response that answer_query produced but the kernel refused to send. */
void stats_count_send_failed(struct stats_block *b);
/* A datagram or TCP connection with a PROXY v2 verdict other than plain:
 * accepted, or dropped (unlisted, missing, malformed; not counted as
 * queries, they are not answered). */
void stats_count_proxy(struct stats_block *b, int verdict);

void stats_sum(const struct stats *st, struct stats_totals *out);

/* Names of the limited[] and cookie[] rows, as JSON and metrics show them. */
extern const char *const stats_limited_names[STATS_NLIMITED];
extern const char *const stats_cookie_names[STATS_NCOOKIE];

/* The totals as a JSON object (the control socket's "stats" reply):
 * {"queries":{"udp":N,"tcp":N},"responses":N,"truncated":N,"dropped":N,
 *  "qtype":{"A":N,...},"rcode":{"NOERROR":N,...},
 *  "sigcache":{"hits":N,"misses":N,"signs":N,"failures":N},
 *  "rrl":{"dropped":N,"slipped":N,"badcookie":N},
 *  "cookies":{"client_only":N,"valid":N,"invalid":N},
 *  "proxy":{"accepted":N,"unlisted":N,"missing":N,"malformed":N},
 *  "tcp_closed":{"per_client":N,"evicted":N,"query_timeout":N}}; zero
 * qtype/rcode rows are left out. NULL on ENOMEM. */
json_t *stats_json(const struct stats_totals *t);

#endif
