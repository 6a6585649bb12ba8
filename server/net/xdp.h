/*
 * xdp.h -- the AF_XDP listener: UDP DNS on one interface without the
 * kernel's network stack, as Knot DNS's `xdp` listener does.
 *
 * An XDP program (xdp_prog.bpf.c, embedded in the binary) runs in the
 * driver and hands UDP datagrams to our port to one AF_XDP socket per
 * receive queue; everything else (TCP, ARP, ICMP, other ports, fragments)
 * goes on to the kernel as before, so TCP, the control socket and
 * /metrics keep using the normal sockets (server.listen must still name
 * the address, for TCP). One thread per queue owns its socket, its UMEM
 * (the frames the driver writes into and sends from), its answer scratch,
 * snapshot slot and stats block. A query's frame is answered in place:
 * the Ethernet, IP and UDP headers are turned around and the DNS response
 * is written after them, then the same frame goes out on the TX ring and
 * comes back through the completion ring to the fill ring. Nothing on that
 * path allocates or takes a lock.
 *
 * Built only when configure finds libxdp, libbpf and a clang that targets
 * BPF (HAVE_XDP); otherwise xdp_listener_new() says so and fails.
 */
#ifndef STEER_XDP_H
#define STEER_XDP_H

#include <stddef.h>
#include <stdint.h>

struct snap_domain;
struct stats;
struct xdp_listener;

/* "server": {"xdp": {"interface": "eth0", "port": 53, "mode": "auto"}} */
struct xdp_conf {
	char *interface; /* NULL = no AF_XDP listener */
	long long port;  /* UDP destination port, default 53 */
	char *mode;      /* "auto" (native, else generic), "native" (driver), "generic" (skb) */
};

/* How many threads (receive queues of conf->interface) a listener will
 * have: the stats blocks are made before the listener. 0 when the
 * interface does not exist (xdp_listener_new then says why). */
unsigned xdp_queue_count(const struct xdp_conf *conf);

/* Load and attach the XDP program, make one socket and thread per queue
 * (not started). Needs CAP_NET_ADMIN and CAP_BPF (root, before privileges
 * are dropped). Thread i writes stats block first_block + i. On failure
 * returns a negative code with the reason in why (the interface, the
 * mode, what the kernel said) and leaves the interface as it was. */
int xdp_listener_new(struct xdp_listener **out, const struct xdp_conf *conf, struct snap_domain *snaps,
		     struct stats *stats, size_t first_block, char *why, size_t whylen);
int xdp_listener_start(struct xdp_listener *l);
/* Stop the threads (within 200 ms) and detach the program. */
void xdp_listener_stop(struct xdp_listener *l);
void xdp_listener_free(struct xdp_listener *l);
/* "native" or "generic": the mode the program was attached in. */
const char *xdp_listener_mode(const struct xdp_listener *l);

/* Queries the kernel dropped before they reached a queue's rings, from its
 * XDP_STATISTICS: no counter of ours can see these. */
struct xdp_drops {
	uint64_t ring_full; /* the RX ring was full: the thread did not keep up or did not run */
	uint64_t no_frame;  /* the fill ring was empty: every frame was in use */
	uint64_t other;     /* a frame too large, a bad descriptor */
};
/* The queues of l (0 for NULL); thread i's drops so far into *out (zero
 * when the kernel does not say). Any thread may call these. */
unsigned xdp_listener_queues(const struct xdp_listener *l);
void xdp_listener_drops(const struct xdp_listener *l, unsigned queue, struct xdp_drops *out);

#endif
