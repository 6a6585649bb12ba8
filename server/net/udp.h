/*
 * udp.h -- the UDP engine: worker threads answering in batches.
 *
 * There is one thread per (worker, listen address) pair. Each owns its
 * UDP socket (SO_REUSEPORT: the kernel hashes clients over the workers'
 * sockets of an address), its receive and send buffers, its answer
 * scratch, its snapshot reader slot and its stats block, all made before
 * the thread starts. The loop is: take up to UDP_BATCH queries, pin the
 * snapshot once, answer each, unpin, send the replies. Two ways to take
 * and send ("udp_io"): a blocking recvmmsg(MSG_WAITFORONE) and a
 * sendmmsg() (two syscalls per batch; the default), or io_uring (uring.h:
 * one multishot receive into provided buffers, one io_uring_enter per
 * batch that submits the replies and waits for more; a thread whose
 * kernel has no io_uring falls back to the first). A short wait timeout lets an idle thread see
 * the stop flag. Nothing here allocates or locks once the thread runs.
 */
#ifndef STEER_UDP_H
#define STEER_UDP_H

#include <stddef.h>

#define UDP_BATCH 64      /* datagrams per recvmmsg/sendmmsg */
#define UDP_RX_SIZE 4096  /* a larger query is dropped (and counted) */
#define UDP_TX_SIZE 4096  /* answer_query's minimum for UDP */

struct udp_workers;

/* How the workers receive and send ("server": {"udp_io": ...}). */
enum udp_io {
	UDP_IO_RECVMMSG, /* blocking recvmmsg + sendmmsg: the default (bench/README.md, "The UDP engine") */
	UDP_IO_URING,    /* io_uring when the kernel has it (uring.h), else recvmmsg */
};
struct listen_addr;
struct snap_domain;
struct stats;
struct query_observer;

/* Make n threads (workers x naddrs); thread i serves addrs[i % naddrs]
 * and writes stats block first_block + i. Threads are not started yet.
 * Returns STEER_EOK, or a negative errno after logging which address
 * failed and why (everything made so far is freed). */
int udp_workers_new(struct udp_workers **out, unsigned n, const struct listen_addr *addrs, size_t naddrs,
		    struct snap_domain *snaps, struct stats *stats, size_t first_block);
/* Choose the I/O of threads not started yet (default UDP_IO_RECVMMSG). */
void udp_workers_set_io(struct udp_workers *w, enum udp_io io);
/* Start the threads. Negative errno if one could not start (those
 * started are stopped again). */
int udp_workers_start(struct udp_workers *w);
/* Show every query from now on to obs (NULL: to nobody). The workers read
 * it once per batch with the snapshot pinned: the old observer may be freed
 * once a snapshot published after this call has replaced the old one
 * (snap_publish returned). Thread i passes first_block + i as its index. */
void udp_workers_set_observer(struct udp_workers *w, const struct query_observer *obs);
/* Ask every worker to stop and wait for them (within the receive
 * timeout, 200 ms). Safe to call when not started. */
void udp_workers_stop(struct udp_workers *w);
/* Stop if needed, close the sockets, free everything. */
void udp_workers_free(struct udp_workers *w);

#endif
