/* xdp_prog.bpf.c -- the XDP program of the AF_XDP listener (server/net/xdp.c).
 *
 * Compiled with clang -target bpf at build time (not by gcc: the Makefile
 * leaves *.bpf.c out of the server's sources) and embedded in steerdns.
 * It runs in the driver for every packet on the interface and decides one
 * thing: is this a UDP datagram to our DNS port, not a fragment? Then it
 * goes to the AF_XDP socket of its receive queue, if steerdns has one
 * there; everything else (TCP, ARP, ICMP, other ports, IPv4 fragments,
 * IPv6 with extension headers) is passed on to the kernel's stack
 * untouched, so TCP, the control plane and the rest of the host work as
 * before. bpf_redirect_map's fallback action XDP_PASS covers a queue
 * without a socket.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

/* One AF_XDP socket per receive queue, indexed by queue number. */
struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u32);
} steer_xsks SEC(".maps");

/* [0]: the UDP destination port to take, in host order; 0 = take nothing. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} steer_port SEC(".maps");

static __always_inline int udp_to_us(const struct udphdr *udp, const void *end, __u32 port)
{
	if ((const void *)(udp + 1) > end)
		return 0;
	return bpf_ntohs(udp->dest) == port;
}

SEC("xdp")
int steer_xdp(struct xdp_md *ctx)
{
	const void *data = (const void *)(long)ctx->data;
	const void *end = (const void *)(long)ctx->data_end;
	const struct ethhdr *eth = data;
	__u32 key = 0, *port = bpf_map_lookup_elem(&steer_port, &key);
	int ours = 0;

	if (!port || *port == 0 || (const void *)(eth + 1) > end)
		return XDP_PASS;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		const struct iphdr *ip = (const void *)(eth + 1);
		if ((const void *)(ip + 1) > end || ip->ihl != 5 || ip->protocol != IPPROTO_UDP)
			return XDP_PASS;
		/* Fragments (MF set or an offset) are reassembled by the kernel. */
		if (ip->frag_off & bpf_htons(0x3fff))
			return XDP_PASS;
		ours = udp_to_us((const void *)(ip + 1), end, *port);
	} else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		const struct ipv6hdr *ip6 = (const void *)(eth + 1);
		if ((const void *)(ip6 + 1) > end || ip6->nexthdr != IPPROTO_UDP)
			return XDP_PASS;
		ours = udp_to_us((const void *)(ip6 + 1), end, *port);
	}
	if (!ours)
		return XDP_PASS;
	return bpf_redirect_map(&steer_xsks, ctx->rx_queue_index, XDP_PASS);
}

char _license[] SEC("license") = "GPL";
