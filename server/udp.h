/*
 * udp.h -- the UDP engine: worker threads answering in batches.
 *
 * Each worker owns one UDP socket per listen address (SO_REUSEPORT: the
 * kernel hashes clients over the workers' sockets), its receive and send
 * buffers, its answer scratch, its snapshot reader slot and its stats
 * block, all made before the thread starts. The loop is: poll() the
 * sockets and the shared stop eventfd; on a readable socket, recvmmsg() up
 * to UDP_BATCH queries, pin the snapshot once, answer each, unpin, and
 * sendmmsg() the replies. Under load poll() is skipped while full batches
 * keep coming. Nothing on this path allocates or locks.
 */
#ifndef STEER_UDP_H
#define STEER_UDP_H

#include <stddef.h>

#define UDP_BATCH 64      /* datagrams per recvmmsg/sendmmsg */
#define UDP_RX_SIZE 4096  /* a larger query is dropped (and counted) */
#define UDP_TX_SIZE 4096  /* answer_query's minimum for UDP */

struct udp_workers;
struct listen_addr;
struct snap_domain;
struct stats;

/* Make n workers and bind their sockets on addrs[0..naddrs). Worker i
 * writes stats block first_block + i. Threads are not started yet.
 * Returns STEER_EOK, or a negative errno after logging which address
 * failed and why (everything made so far is freed). */
int udp_workers_new(struct udp_workers **out, unsigned n, const struct listen_addr *addrs, size_t naddrs,
		    struct snap_domain *snaps, struct stats *stats, size_t first_block);
/* Start the threads. Negative errno if one could not start (those
 * started are stopped again). */
int udp_workers_start(struct udp_workers *w);
/* Ask every worker to stop and wait for them (prompt: a poll on an
 * eventfd). Safe to call when not started. */
void udp_workers_stop(struct udp_workers *w);
/* Stop if needed, close the sockets, free everything. */
void udp_workers_free(struct udp_workers *w);

#endif
