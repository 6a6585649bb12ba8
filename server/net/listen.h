/*
 * listen.h -- listen addresses from the config, and the sockets bound to them.
 *
 * Syntax: "127.0.0.1:5353", "[::1]:5353", "0.0.0.0:53", "[::]:53"; the port
 * may be left out ("127.0.0.1", "[::1]", "::1") and is then 53.
 *
 * UDP sockets are opened once per worker thread with SO_REUSEPORT, so the
 * kernel spreads queries over the workers without any lock of ours. On a
 * wildcard address (0.0.0.0, ::) the destination address of each query is
 * received (IP_PKTINFO / IPV6_RECVPKTINFO) so the reply leaves from the
 * address the client asked, as multi-homed hosts need.
 *
 * Layer: server/net, on server/answer: listen addresses, the UDP engine
 * (udp.h), TCP (tcp.h) and the per-thread counters (stats.h). Above it:
 * server/metrics, server/ctl and the process (server/server.h).
 */
#ifndef STEER_LISTEN_H
#define STEER_LISTEN_H

#include <netinet/in.h>
#include <stddef.h>
#include <sys/socket.h>

struct listen_addr {
	struct sockaddr_storage ss;
	socklen_t len;
	int wildcard;   /* 0.0.0.0 or :: : replies need the pktinfo dance */
	char text[64];  /* as written in the config, for messages */
};

/* Parse s into *out. Returns STEER_EOK or STEER_EINVAL (*why then names the
 * problem, a static string). */
int listen_parse(const char *s, struct listen_addr *out, const char **why);

/* A bound, non-blocking UDP socket on a (SO_REUSEPORT, IPV6_V6ONLY on v6,
 * pktinfo on wildcard). Returns the fd or a negative errno. */
int listen_udp_socket(const struct listen_addr *a);

/* A bound, listening, non-blocking TCP socket on a (SO_REUSEADDR, no
 * SO_REUSEPORT: a second server on the same port must fail to start).
 * Returns the fd or a negative errno. */
int listen_tcp_socket(const struct listen_addr *a, int backlog);

#endif
