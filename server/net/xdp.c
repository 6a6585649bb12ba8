/* xdp.c -- AF_XDP listener: one thread per receive queue (see xdp.h). */
#include "config.h"
#include "server/net/xdp.h"

#include "common/errors.h"

#include <stdio.h>
#include <string.h>

#ifndef HAVE_XDP

unsigned xdp_queue_count(const struct xdp_conf *conf)
{
	return 0;
}

int xdp_listener_new(struct xdp_listener **out, const struct xdp_conf *conf, struct snap_domain *snaps,
		     struct stats *stats, size_t first_block, char *why, size_t whylen)
{
	*out = NULL;
	snprintf(why, whylen, "this steerdns was built without AF_XDP (configure found no libxdp-dev, libbpf-dev "
			      "or clang; see README, \"AF_XDP\")");
	return STEER_ENOTSUP;
}

int xdp_listener_start(struct xdp_listener *l)
{
	return STEER_ENOTSUP;
}

void xdp_listener_stop(struct xdp_listener *l)
{
}

void xdp_listener_free(struct xdp_listener *l)
{
}

const char *xdp_listener_mode(const struct xdp_listener *l)
{
	return "none";
}

unsigned xdp_listener_queues(const struct xdp_listener *l)
{
	return 0;
}

void xdp_listener_drops(const struct xdp_listener *l, unsigned queue, struct xdp_drops *out)
{
	*out = (struct xdp_drops){ 0 };
}

#else /* HAVE_XDP */

#include "common/log.h"
#include "server/answer/answer.h"
#include "server/limit/rrl.h"
#include "server/net/stats.h"
#include "server/net/proxy.h"
#include "server/zone/snapshot.h"
#include "server/xfr/xfr_tsig.h"

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>
#include <xdp/xsk.h>

/* The program's object file, made from xdp_prog.bpf.c at build time. */
extern const unsigned char steer_xdp_prog[];
extern const size_t steer_xdp_prog_len;

#define XDP_FRAMES 4096      /* per queue: fill + RX + TX + completion never hold more */
#define XDP_FRAME_SIZE 4096  /* one page: the whole query, headers and the response in place */
#define XDP_RING 2048        /* RX and TX ring sizes; fill and completion are XDP_FRAMES */
#define XDP_BATCH 64
#define XDP_MAX_QUEUES 64    /* the program's XSKMAP size */
#define ETH_LEN 14

struct xdp_worker {
	struct xdp_listener *set;
	unsigned queue;
	int slot;                    /* snapshot reader slot */
	struct stats_block *stats;   /* borrowed: written by this thread only */
	struct answer_scratch *scratch;
	struct rrl_table *rrl;       /* owned: this worker's RRL buckets (server/limit/rrl.h), or NULL */
	void *area;                  /* owned: the UMEM, XDP_FRAMES x XDP_FRAME_SIZE */
	struct xsk_umem *umem;
	struct xsk_socket *xsk;
	struct xsk_ring_prod fill, tx;
	struct xsk_ring_cons comp, rx;
	uint64_t spare[XDP_FRAMES];  /* frames waiting for room in the fill ring */
	unsigned nspare;
	uint8_t query[XDP_FRAME_SIZE]; /* the query copied out: the response is written over its frame */
	pthread_t thread;
	int started;
};

struct xdp_listener {
	struct snap_domain *snaps;
	struct bpf_object *obj;
	int ifindex;
	uint32_t attach_flags;       /* the mode it was attached in, for the detach */
	int attached;
	char ifname[IF_NAMESIZE];
	uint16_t port;
	unsigned mtu;
	_Atomic int stopping;
	unsigned nworkers;
	struct xdp_worker **w;
};

static int libbpf_log(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char line[512];

	/* libbpf explains a refused load at length: keep it for -d. */
	if (level == LIBBPF_DEBUG || !log_enabled(LOG_DEBUG))
		return 0;
	vsnprintf(line, sizeof(line), fmt, ap);
	line[strcspn(line, "\n")] = '\0';
	log_debug("libbpf: %s", line);
	return 0;
}

unsigned xdp_queue_count(const struct xdp_conf *conf)
{
	char path[128];
	unsigned n = 0;

	for (; n < XDP_MAX_QUEUES; n++) {
		snprintf(path, sizeof(path), "/sys/class/net/%s/queues/rx-%u", conf->interface, n);
		if (access(path, F_OK) != 0)
			break;
	}
	return n;
}

/* ---- the packet path ---- */

/* The driver's headroom puts the IP header wherever the frame's offset
 * says, 2-byte aligned at best: the headers are read through types of
 * alignment 1 (a typedef may lower it, GCC and clang), never cast to the
 * kernel's 4-byte-aligned structs. */
typedef struct ethhdr eth_u __attribute__((aligned(1)));
typedef struct iphdr ip4_u __attribute__((aligned(1)));
typedef struct ipv6hdr ip6_u __attribute__((aligned(1)));
typedef struct udphdr udp_u __attribute__((aligned(1)));

/* RFC 1071 one's-complement sum, continued from sum. */
static uint32_t csum_add(uint32_t sum, const void *data, size_t len)
{
	const uint8_t *p = data;

	for (; len >= 2; p += 2, len -= 2)
		sum += (uint32_t)(p[0] << 8 | p[1]);
	if (len)
		sum += (uint32_t)(p[0] << 8);
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* The UDP checksum over the pseudo-header (RFC 768, RFC 8200 8.1). */
static uint16_t udp_csum(const void *src, const void *dst, size_t alen, const void *udp, size_t ulen)
{
	uint32_t sum = csum_add(0, src, alen);

	sum = csum_add(sum, dst, alen);
	sum += IPPROTO_UDP + (uint32_t)ulen;
	sum = csum_add(sum, udp, ulen);
	uint16_t c = csum_fold(sum);
	return c ? c : 0xffff; /* 0 means "no checksum" in IPv4 and is invalid in IPv6 */
}

/* Where the DNS message of frame pkt (len bytes) starts, with the client's
 * address in *peer; 0 when it is not a UDP datagram we take (the program
 * checked most of this; a frame is never trusted). */
static size_t parse_frame(const uint8_t *pkt, size_t len, struct sockaddr_storage *peer, socklen_t *plen,
			  size_t *dns_len)
{
	const eth_u *eth = (const void *)pkt;
	size_t l3 = ETH_LEN, l4;

	if (len < ETH_LEN + sizeof(struct iphdr) + sizeof(struct udphdr))
		return 0;
	if (eth->h_proto == htons(ETH_P_IP)) {
		const ip4_u *ip = (const void *)(pkt + l3);
		struct sockaddr_in *sin = (struct sockaddr_in *)peer;
		if (ip->ihl != 5 || ip->protocol != IPPROTO_UDP || ntohs(ip->tot_len) + l3 > len ||
		    (ip->frag_off & htons(0x3fff)))
			return 0;
		*sin = (struct sockaddr_in){ .sin_family = AF_INET, .sin_addr.s_addr = ip->saddr };
		*plen = sizeof(*sin);
		l4 = l3 + sizeof(*ip);
		len = l3 + ntohs(ip->tot_len); /* Ethernet may pad short frames */
	} else if (eth->h_proto == htons(ETH_P_IPV6)) {
		const ip6_u *ip6 = (const void *)(pkt + l3);
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)peer;
		if (len < l3 + sizeof(*ip6) + sizeof(struct udphdr) || ip6->nexthdr != IPPROTO_UDP ||
		    ntohs(ip6->payload_len) + l3 + sizeof(*ip6) > len)
			return 0;
		*sin6 = (struct sockaddr_in6){ .sin6_family = AF_INET6 };
		memcpy(&sin6->sin6_addr, &ip6->saddr, sizeof(ip6->saddr));
		*plen = sizeof(*sin6);
		l4 = l3 + sizeof(*ip6);
		len = l4 + ntohs(ip6->payload_len);
	} else {
		return 0;
	}
	const udp_u *udp = (const void *)(pkt + l4);
	size_t ulen = ntohs(udp->len);
	if (ulen < sizeof(*udp) || l4 + ulen > len)
		return 0;
	if (peer->ss_family == AF_INET)
		((struct sockaddr_in *)peer)->sin_port = udp->source;
	else
		((struct sockaddr_in6 *)peer)->sin6_port = udp->source;
	*dns_len = ulen - sizeof(*udp);
	return l4 + sizeof(*udp);
}

/* Turn the headers of frame pkt around for a DNS payload of rlen bytes
 * (already written at pkt + hdr); returns the frame's length. */
static size_t reply_headers(uint8_t *pkt, size_t hdr, size_t rlen)
{
	eth_u *eth = (void *)pkt;
	uint8_t mac[ETH_ALEN];
	udp_u *udp = (void *)(pkt + hdr - sizeof(struct udphdr));
	size_t ulen = sizeof(*udp) + rlen;
	uint16_t port = udp->source;

	memcpy(mac, eth->h_dest, ETH_ALEN);
	memcpy(eth->h_dest, eth->h_source, ETH_ALEN);
	memcpy(eth->h_source, mac, ETH_ALEN);
	udp->source = udp->dest;
	udp->dest = port;
	udp->len = htons((uint16_t)ulen);
	udp->check = 0;
	if (eth->h_proto == htons(ETH_P_IP)) {
		ip4_u *ip = (void *)(pkt + ETH_LEN);
		uint32_t a = ip->saddr;
		ip->saddr = ip->daddr;
		ip->daddr = a;
		ip->tot_len = htons((uint16_t)(sizeof(*ip) + ulen));
		ip->id = 0;
		ip->frag_off = htons(0x4000); /* DF: the response fits the MTU (xdp_answer) */
		ip->ttl = 64;
		ip->check = 0;
		ip->check = htons(csum_fold(csum_add(0, ip, sizeof(*ip))));
		udp->check = htons(udp_csum(&ip->saddr, &ip->daddr, 4, udp, ulen));
	} else {
		ip6_u *ip6 = (void *)(pkt + ETH_LEN);
		uint8_t a[16]; /* memcpy: in6_addr wants 4-byte alignment, the frame may not have it */
		memcpy(a, &ip6->saddr, 16);
		memcpy(&ip6->saddr, &ip6->daddr, 16);
		memcpy(&ip6->daddr, a, 16);
		ip6->payload_len = htons((uint16_t)ulen);
		ip6->hop_limit = 64;
		udp->check = htons(udp_csum(&ip6->saddr, &ip6->daddr, 16, udp, ulen));
	}
	return hdr + ulen;
}

/* Answer the query in frame pkt (len bytes, cap bytes to the frame's end)
 * in place. Returns the reply frame's length, 0 to drop (not ours,
 * malformed, or answer_query said drop). */
static size_t xdp_answer(struct xdp_worker *wk, const struct snapshot *snap, uint8_t *pkt, size_t len, size_t cap)
{
	struct sockaddr_storage peer;
	socklen_t plen = 0;
	size_t qlen = 0, hdr = parse_frame(pkt, len, &peer, &plen, &qlen);
	struct answer_result res = { 0 };

	if (hdr == 0 || qlen == 0) {
		res.malformed = 1;
		stats_count(wk->stats, STATS_UDP, snap, &res);
		return 0;
	}
	/* The response goes where the query was: copy the query out first.
	 * Its room is what fits the frame and the interface's MTU (no
	 * fragmentation here); answer_query truncates to it as to a small
	 * EDNS buffer, so a larger answer gets TC and the client retries on TCP. */
	size_t room = wk->set->mtu - (hdr - ETH_LEN);
	if (hdr >= cap)
		return 0;
	if (room > cap - hdr)
		room = cap - hdr;
	memcpy(wk->query, pkt + hdr, qlen);
	struct answer_client client = { (const struct sockaddr *)&peer, plen, 0 };
	const uint8_t *q = wk->query;
	struct sockaddr_storage orig;
	/* PROXY v2 (server.proxy_from) as on the socket path */
	enum proxy_verdict pv = proxy_take(snap ? snap->proxy : NULL, &client.addr, &client.addrlen, &q, &qlen, &orig);
	if (pv != PROXY_PLAIN)
		stats_count_proxy(wk->stats, pv);
	if (pv != PROXY_PLAIN && pv != PROXY_ACCEPTED)
		return 0;
	answer_query(wk->scratch, served_env(snap), snap, &client, q, qlen, pkt + hdr, room, &res);
	if (res.tsig) /* a signed query: server/xfr signs the answer, in the room left for it */
		res.len = xfr_tsig_answer(snap, q, qlen, pkt + hdr, res.len, room);
	stats_count(wk->stats, STATS_UDP, snap, &res);
	return res.len ? reply_headers(pkt, hdr, res.len) : 0;
}

/* Give frames back to the driver: the fill ring first, what does not fit
 * waits in spare (the fill ring is as large as the UMEM, so only briefly). */
static void refill(struct xdp_worker *wk)
{
	uint32_t idx;
	unsigned n = wk->nspare;

	if (n == 0)
		return;
	n = xsk_ring_prod__reserve(&wk->fill, n, &idx);
	for (unsigned i = 0; i < n; i++)
		*xsk_ring_prod__fill_addr(&wk->fill, idx + i) = wk->spare[--wk->nspare];
	if (n)
		xsk_ring_prod__submit(&wk->fill, n);
}

/* Frames whose replies the driver has sent: back to the fill ring. */
static void reap_completions(struct xdp_worker *wk)
{
	uint32_t idx;
	unsigned n = xsk_ring_cons__peek(&wk->comp, XDP_BATCH * 2, &idx);

	for (unsigned i = 0; i < n; i++)
		wk->spare[wk->nspare++] = *xsk_ring_cons__comp_addr(&wk->comp, idx + i);
	if (n)
		xsk_ring_cons__release(&wk->comp, n);
}

/* Copy mode and most drivers send only when told to, and copy mode sends
 * at most 32 frames per call (the kernel's TX_BATCH_SIZE), saying EAGAIN
 * while more wait. A batch is up to 64: kicked once per batch, a backlog
 * (after the thread did not run for a while) grew by 32 a turn until the
 * TX ring was full and replies were dropped (bench/README). So kick until
 * the kernel has taken the ring; bounded, and a device that stays busy is
 * kicked again at the next turn or by poll(). */
static void kick_tx(struct xdp_worker *wk)
{
	for (unsigned tries = XDP_RING / 32 + 1; tries && xsk_ring_prod__needs_wakeup(&wk->tx); tries--)
		if (sendto(xsk_socket__fd(wk->xsk), NULL, 0, MSG_DONTWAIT, NULL, 0) >= 0 || errno != EAGAIN ||
		    xsk_prod_nb_free(&wk->tx, XDP_RING) == XDP_RING)
			break;
}

/* Queue k replies (addr, len) for sending; what the TX ring cannot take
 * is dropped (its frame goes back to fill). */
static void transmit(struct xdp_worker *wk, const uint64_t *addr, const uint32_t *len, unsigned k)
{
	uint32_t idx;
	unsigned n = k ? xsk_ring_prod__reserve(&wk->tx, k, &idx) : 0;

	for (unsigned i = 0; i < n; i++) {
		struct xdp_desc *d = xsk_ring_prod__tx_desc(&wk->tx, idx + i);
		d->addr = addr[i];
		d->len = len[i];
	}
	for (unsigned i = n; i < k; i++) {
		stats_count_send_failed(wk->stats);
		wk->spare[wk->nspare++] = addr[i];
	}
	if (n) {
		xsk_ring_prod__submit(&wk->tx, n);
		kick_tx(wk);
	}
}

/* One batch from the RX ring: answer each frame in place. */
static void rx_batch(struct xdp_worker *wk)
{
	uint64_t addr[XDP_BATCH];
	uint32_t len[XDP_BATCH], idx;
	unsigned k = 0, n = xsk_ring_cons__peek(&wk->rx, XDP_BATCH, &idx);

	if (n == 0)
		return;
	struct snapshot *snap = snap_acquire(wk->set->snaps, wk->slot);
	if (snap) { /* rate-limited as the socket path is */
		const struct answer_env *env = served_env(snap);
		wk->rrl = rrl_table_sync(wk->rrl, env->limit ? &env->limit->rrl : NULL, wk->queue);
		answer_scratch_set_rrl(wk->scratch, wk->rrl);
	}
	for (unsigned i = 0; i < n; i++) {
		const struct xdp_desc *d = xsk_ring_cons__rx_desc(&wk->rx, idx + i);
		/* Aligned frames: the driver's headroom is the offset in the frame. */
		uint64_t a = d->addr, base = a - a % XDP_FRAME_SIZE;
		uint8_t *pkt = xsk_umem__get_data(wk->area, a);
		size_t out = snap ? xdp_answer(wk, snap, pkt, d->len, (size_t)(base + XDP_FRAME_SIZE - a)) : 0;
		if (out) {
			addr[k] = a;
			len[k++] = (uint32_t)out;
		} else {
			wk->spare[wk->nspare++] = base;
		}
	}
	snap_release(wk->set->snaps, wk->slot);
	xsk_ring_cons__release(&wk->rx, n);
	transmit(wk, addr, len, k);
}

static void *xdp_worker_main(void *arg)
{
	struct xdp_worker *wk = arg;
	struct pollfd pfd = { .fd = xsk_socket__fd(wk->xsk), .events = POLLIN };

	while (!atomic_load_explicit(&wk->set->stopping, memory_order_relaxed)) {
		reap_completions(wk);
		refill(wk);
		if (xsk_cons_nb_avail(&wk->rx, 1) == 0) {
			/* Nothing queued: sleep in poll (which also kicks the
			 * driver to refill, with need_wakeup), 200 ms at most so
			 * that a stop is seen. Replies still in TX are reaped on
			 * the next turn. */
			if (poll(&pfd, 1, xsk_prod_nb_free(&wk->tx, XDP_RING) < XDP_RING ? 1 : 200) < 0 &&
			    errno != EINTR)
				break;
			continue;
		}
		rx_batch(wk);
	}
	return NULL;
}

/* ---- setup ---- */

static int worker_sockets(struct xdp_worker *wk, int map_fd, char *why, size_t whylen)
{
	struct xsk_umem_config ucfg = { .fill_size = XDP_FRAMES, .comp_size = XDP_FRAMES,
					.frame_size = XDP_FRAME_SIZE, .frame_headroom = 0 };
	struct xsk_socket_config scfg = { .rx_size = XDP_RING, .tx_size = XDP_RING,
					  .libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD,
					  .xdp_flags = wk->set->attach_flags, .bind_flags = XDP_USE_NEED_WAKEUP };
	size_t size = (size_t)XDP_FRAMES * XDP_FRAME_SIZE;
	int ret;

	wk->area = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (wk->area == MAP_FAILED) {
		wk->area = NULL;
		snprintf(why, whylen, "queue %u: cannot map %zu bytes for the frames: %s", wk->queue, size, strerror(errno));
		return -errno;
	}
	ret = xsk_umem__create(&wk->umem, wk->area, size, &wk->fill, &wk->comp, &ucfg);
	if (ret == 0)
		ret = xsk_socket__create(&wk->xsk, wk->set->ifname, wk->queue, wk->umem, &wk->rx, &wk->tx, &scfg);
	if (ret == 0)
		ret = xsk_socket__update_xskmap(wk->xsk, map_fd);
	if (ret != 0) {
		snprintf(why, whylen, "%s queue %u: AF_XDP socket: %s", wk->set->ifname, wk->queue, strerror(-ret));
		return ret;
	}
	for (unsigned i = 0; i < XDP_FRAMES; i++)
		wk->spare[wk->nspare++] = (uint64_t)i * XDP_FRAME_SIZE;
	refill(wk);
	return STEER_EOK;
}

static void worker_free(struct xdp_worker *wk)
{
	if (!wk)
		return;
	if (wk->xsk)
		xsk_socket__delete(wk->xsk);
	if (wk->umem)
		xsk_umem__delete(wk->umem);
	if (wk->area)
		munmap(wk->area, (size_t)XDP_FRAMES * XDP_FRAME_SIZE);
	answer_scratch_free(wk->scratch);
	rrl_table_free(wk->rrl);
	free(wk);
}

/* Open the embedded program, set our port, attach it to the interface in
 * the configured mode ("auto": native, else generic). */
static int attach_program(struct xdp_listener *l, const char *mode, char *why, size_t whylen)
{
	static const uint32_t modes[2] = { XDP_FLAGS_DRV_MODE, XDP_FLAGS_SKB_MODE };
	struct bpf_program *prog;
	uint32_t key = 0, port = l->port;
	int ret, first = strcmp(mode, "generic") == 0, last = strcmp(mode, "native") == 0 ? 0 : 1;

	libbpf_set_print(libbpf_log);
	l->obj = bpf_object__open_mem(steer_xdp_prog, steer_xdp_prog_len, NULL);
	if (!l->obj) {
		snprintf(why, whylen, "cannot open the XDP program: %s", strerror(errno));
		return -errno;
	}
	if ((ret = bpf_object__load(l->obj)) != 0) {
		snprintf(why, whylen, "the kernel refused the XDP program: %s (needs CAP_BPF and CAP_NET_ADMIN)",
			 strerror(-ret));
		return ret;
	}
	prog = bpf_object__find_program_by_name(l->obj, "steer_xdp");
	ret = bpf_map_update_elem(bpf_object__find_map_fd_by_name(l->obj, "steer_port"), &key, &port, BPF_ANY);
	if (!prog || ret != 0) {
		snprintf(why, whylen, "the XDP program is incomplete");
		return STEER_EINVAL;
	}
	for (int m = first; m <= last; m++) {
		ret = bpf_xdp_attach(l->ifindex, bpf_program__fd(prog), modes[m] | XDP_FLAGS_UPDATE_IF_NOEXIST, NULL);
		if (ret == 0) {
			l->attach_flags = modes[m];
			l->attached = 1;
			return STEER_EOK;
		}
	}
	snprintf(why, whylen, "%s: cannot attach the XDP program in %s mode: %s%s", l->ifname, mode, strerror(-ret),
		 ret == -EBUSY || ret == -EEXIST ? " (another XDP program is attached)" : "");
	return ret;
}

static unsigned read_mtu(const char *ifname)
{
	struct ifreq ifr = { 0 };
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	unsigned mtu = 1500;

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (fd >= 0 && ioctl(fd, SIOCGIFMTU, &ifr) == 0 && ifr.ifr_mtu > 0)
		mtu = (unsigned)ifr.ifr_mtu;
	if (fd >= 0)
		close(fd);
	return mtu;
}

static int make_workers(struct xdp_listener *l, struct stats *stats, size_t first_block, char *why, size_t whylen)
{
	int map_fd = bpf_object__find_map_fd_by_name(l->obj, "steer_xsks");

	if (!(l->w = calloc(l->nworkers, sizeof(*l->w))))
		return STEER_ENOMEM;
	for (unsigned i = 0; i < l->nworkers; i++) {
		struct xdp_worker *wk = calloc(1, sizeof(*wk));
		if (!wk)
			return STEER_ENOMEM;
		l->w[i] = wk;
		wk->set = l;
		wk->queue = i;
		wk->stats = stats_block(stats, first_block + i);
		wk->scratch = answer_scratch_new();
		wk->slot = snap_reader_register(l->snaps);
		if (!wk->scratch || wk->slot < 0) {
			snprintf(why, whylen, "queue %u: %s", i, wk->slot < 0 ? "too many snapshot readers" : "out of memory");
			return STEER_ENOMEM;
		}
		int ret = worker_sockets(wk, map_fd, why, whylen);
		if (ret != STEER_EOK)
			return ret;
	}
	return STEER_EOK;
}

int xdp_listener_new(struct xdp_listener **out, const struct xdp_conf *conf, struct snap_domain *snaps,
		     struct stats *stats, size_t first_block, char *why, size_t whylen)
{
	struct xdp_listener *l = calloc(1, sizeof(*l));
	int ret;

	*out = NULL;
	if (!l)
		return STEER_ENOMEM;
	l->snaps = snaps;
	l->port = (uint16_t)conf->port;
	atomic_init(&l->stopping, 0);
	snprintf(l->ifname, sizeof(l->ifname), "%s", conf->interface);
	l->ifindex = (int)if_nametoindex(conf->interface);
	l->nworkers = xdp_queue_count(conf);
	if (l->ifindex == 0 || l->nworkers == 0) {
		snprintf(why, whylen, "%s: no such interface", conf->interface);
		free(l);
		return STEER_ENOENT;
	}
	l->mtu = read_mtu(l->ifname);
	ret = attach_program(l, conf->mode ? conf->mode : "auto", why, whylen);
	if (ret == STEER_EOK)
		ret = make_workers(l, stats, first_block, why, whylen);
	if (ret != STEER_EOK) {
		xdp_listener_free(l);
		return ret;
	}
	log_notice("AF_XDP: %s (%u queue%s, %s mode, MTU %u), UDP port %u", l->ifname, l->nworkers,
		   l->nworkers == 1 ? "" : "s", xdp_listener_mode(l), l->mtu, l->port);
	*out = l;
	return STEER_EOK;
}

int xdp_listener_start(struct xdp_listener *l)
{
	for (unsigned i = 0; l && i < l->nworkers; i++) {
		int ret = pthread_create(&l->w[i]->thread, NULL, xdp_worker_main, l->w[i]);
		if (ret != 0) {
			xdp_listener_stop(l);
			return -ret;
		}
		l->w[i]->started = 1;
	}
	return STEER_EOK;
}

unsigned xdp_listener_queues(const struct xdp_listener *l)
{
	return l ? l->nworkers : 0;
}

void xdp_listener_drops(const struct xdp_listener *l, unsigned queue, struct xdp_drops *out)
{
	struct xdp_statistics st;
	socklen_t len = sizeof(st);

	*out = (struct xdp_drops){ 0 };
	if (!l || queue >= l->nworkers || !l->w[queue] || !l->w[queue]->xsk ||
	    getsockopt(xsk_socket__fd(l->w[queue]->xsk), SOL_XDP, XDP_STATISTICS, &st, &len) != 0)
		return;
	out->ring_full = st.rx_ring_full;
	out->no_frame = st.rx_fill_ring_empty_descs;
	/* The kernel counts a query that found no frame in rx_dropped as well. */
	out->other = (st.rx_dropped > st.rx_fill_ring_empty_descs ? st.rx_dropped - st.rx_fill_ring_empty_descs : 0) +
		     st.rx_invalid_descs;
}

/* At exit, what the kernel dropped on queue i, if anything (also in
 * /metrics while running). */
static void log_drops(const struct xdp_listener *l, unsigned i)
{
	struct xdp_drops d;

	xdp_listener_drops(l, i, &d);
	if (d.ring_full || d.no_frame || d.other)
		log_warn("xdp %s queue %u: the kernel dropped queries: %llu with the RX ring full, %llu with no free "
			 "frame, %llu other",
			 l->ifname, i, (unsigned long long)d.ring_full, (unsigned long long)d.no_frame,
			 (unsigned long long)d.other);
}

void xdp_listener_stop(struct xdp_listener *l)
{
	if (!l)
		return;
	atomic_store(&l->stopping, 1);
	for (unsigned i = 0; i < l->nworkers; i++)
		if (l->w && l->w[i] && l->w[i]->started) {
			pthread_join(l->w[i]->thread, NULL);
			l->w[i]->started = 0;
			log_drops(l, i);
		}
	/* Detach first: from here on the kernel stack sees the port's
	 * datagrams again (and a normal socket there answers them). */
	if (l->attached) {
		bpf_xdp_detach(l->ifindex, l->attach_flags, NULL);
		l->attached = 0;
	}
}

void xdp_listener_free(struct xdp_listener *l)
{
	if (!l)
		return;
	xdp_listener_stop(l);
	for (unsigned i = 0; l->w && i < l->nworkers; i++)
		worker_free(l->w[i]);
	free(l->w);
	if (l->obj)
		bpf_object__close(l->obj);
	free(l);
}

const char *xdp_listener_mode(const struct xdp_listener *l)
{
	return l->attach_flags == XDP_FLAGS_DRV_MODE ? "native" : "generic";
}

#endif /* HAVE_XDP */
