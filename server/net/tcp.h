/*
 * tcp.h -- DNS over TCP (RFC 7766): one thread with its own event_base.
 *
 * TCP runs in its own thread, not in the main thread, so that a reload
 * (which loads zones in the main thread, possibly for seconds) never
 * stalls TCP clients. Per connection: 2-byte length framing; queries are
 * answered as they arrive, in order, several per connection (pipelining);
 * the connection is closed after tcp_idle_timeout without a query (or
 * without the client reading our output); when the unsent output passes
 * TCP_OUT_HIGH we stop reading from that client until it drains.
 *
 * Connection cap: at tcp_max_connections open connections the listeners
 * stop accepting (the kernel backlog holds newcomers) until one closes;
 * established clients are never cut off to make room. Idle connections
 * close within tcp_idle_timeout, so a waiting client gets in within that.
 *
 * Query and response buffers are one pair per thread (64 KiB each): the
 * only allocations per query are libevent's evbuffer chains.
 */
#ifndef STEER_TCP_H
#define STEER_TCP_H

#include <stddef.h>
#include <stdint.h>

#define TCP_OUT_HIGH (256 * 1024)

struct tcp_server;
struct listen_addr;
struct snap_domain;
struct stats_block;
struct query_observer;

/* Bind a listener on each of addrs[0..naddrs) (borrowed; must outlive the
 * server). Returns STEER_EOK or a negative errno after logging which
 * address failed. Not running until tcp_server_start(). */
int tcp_server_new(struct tcp_server **out, const struct listen_addr *addrs, size_t naddrs,
		   struct snap_domain *snaps, struct stats_block *stats, long long max_conns, uint32_t idle_ms);
int tcp_server_start(struct tcp_server *t);
/* New limits (after a reload; any thread). The cap applies to the next
 * accept, the timeout to connections accepted from now on. */
void tcp_server_set_limits(struct tcp_server *t, long long max_conns, uint32_t idle_ms);
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
