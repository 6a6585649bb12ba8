/*
 * tcp.h -- DNS over TCP (RFC 7766): one thread with its own event_base.
 *
 * TCP runs in its own thread, not in the main thread, so that a reload
 * (which loads zones in the main thread, possibly for seconds) never
 * stalls TCP clients. Per connection: 2-byte length framing; queries are
 * answered as they arrive, in order, several per connection (pipelining).
 *
 * What one client cannot do (the threat: one host starving every other
 * TCP client, as slowloris does web servers):
 * - hold a connection by trickling a query: from the first byte of a query
 *   to its last, it has tcp_query_timeout (a whole-query deadline, not an
 *   idle timer that every byte restarts);
 * - hold an idle connection past tcp_idle_timeout between queries, or one
 *   whose answers it does not read (the write timeout, same value);
 * - open more than tcp_per_client connections from one prefix
 *   (tcp_client_prefix4/6): more are closed at accept;
 * - keep others out at the cap: at tcp_max_connections a new connection
 *   closes the one that has gone longest without completing a query,
 *   preferring an idle one, as Knot and Unbound do;
 * - make us buffer without bound: input holds at most one partial query
 *   (the read watermark), and when unsent output passes TCP_OUT_HIGH we
 *   stop reading from that client until it drains, so output is at most
 *   TCP_OUT_HIGH plus one message; freed buffers go back to the system
 *   (malloc_trim) once many connections have closed.
 *
 * Query and response buffers are one pair per thread (64 KiB each); the
 * per-connection timer is part of the connection (event_assign): the only
 * allocations per query are libevent's evbuffer chains.
 */
#ifndef STEER_TCP_H
#define STEER_TCP_H

#include <stddef.h>
#include <stdint.h>

/* Stop reading a client with more unsent output than this (bytes). */
#define TCP_OUT_HIGH (32 * 1024)
/* Connections closed before the freed memory is handed back (trim_cb). */
#define TCP_TRIM_AFTER 64

/* The TCP limits from server.tcp_* (man/steerdns.conf.5). */
struct tcp_limits {
	long long max_conns; /* tcp_max_connections */
	uint32_t idle_ms;    /* tcp_idle_timeout: between queries; also the write timeout */
	uint32_t query_ms;   /* tcp_query_timeout: first byte to last byte of one query */
	unsigned per_client; /* tcp_per_client: connections per client prefix; 0 = no limit */
	unsigned prefix4;    /* tcp_client_prefix4: bits of an IPv4 client that make "one client" */
	unsigned prefix6;    /* tcp_client_prefix6 */
};


struct tcp_server;
struct listen_addr;
struct snap_domain;
struct stats_block;
struct query_observer;

/* Bind a listener on each of addrs[0..naddrs) (borrowed; must outlive the
 * server). Returns STEER_EOK or a negative errno after logging which
 * address failed. Not running until tcp_server_start(). */
int tcp_server_new(struct tcp_server **out, const struct listen_addr *addrs, size_t naddrs,
		   struct snap_domain *snaps, struct stats_block *stats, const struct tcp_limits *lim);
int tcp_server_start(struct tcp_server *t);
/* New limits (after a reload; any thread). The cap and the per-client
 * limit apply to the next accept, the timeouts to the next time a
 * connection's timer is armed (its next query or idle period). */
void tcp_server_set_limits(struct tcp_server *t, const struct tcp_limits *lim);
/* Show every query from now on to obs (NULL: to nobody), as thread index
 * index. Read with the snapshot pinned, like the UDP engine's: the old
 * observer may be freed once a later snapshot has been published. */
void tcp_server_set_observer(struct tcp_server *t, const struct query_observer *obs, unsigned index);
/* Connections open now (any thread; may lag a little). */
size_t tcp_server_connections(const struct tcp_server *t);
/* Stop the thread (idempotent). */
void tcp_server_stop(struct tcp_server *t);
/* Stop, close every connection and listener, free. */
void tcp_server_free(struct tcp_server *t);

#endif
