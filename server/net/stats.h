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
	stats_counter tcp_closed[STATS_TCP_NCLOSE];
	uint32_t row;            /* this block's row in every snapshot's stats_snap; fixed at stats_new() */
} __attribute__((aligned(64)));

/* Plain numbers, for sums and tests. */
struct stats_totals {
	uint64_t queries[STATS_NTRANSPORTS];
	uint64_t responses, truncated, dropped, malformed;
	uint64_t qtype[STATS_NQTYPES], qtype_other;
	uint64_t rcode[STATS_NRCODES], rcode_other;
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

void stats_sum(const struct stats *st, struct stats_totals *out);

/* The totals as a JSON object (the control socket's "stats" reply):
 * {"queries":{"udp":N,"tcp":N},"responses":N,"truncated":N,"dropped":N,
 *  "qtype":{"A":N,...},"rcode":{"NOERROR":N,...},
 *  "tcp_closed":{"per_client":N,"evicted":N,"query_timeout":N}}; zero qtype/rcode rows are
 * left out. NULL on ENOMEM. */
json_t *stats_json(const struct stats_totals *t);

#endif
