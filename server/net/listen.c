/* listen.c -- parse listen addresses and open the UDP/TCP sockets on them. */
#include "config.h"
#include "server/net/listen.h"
#include "common/errors.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Split "host:port", "[v6]:port", "[v6]", "v6" or "v4" into host and port. */
static int split_host_port(const char *s, char *host, size_t hostcap, long *port, const char **why)
{
	const char *h = s, *p = NULL, *colon;
	size_t hlen;

	if (*s == '[') {
		const char *close = strchr(s, ']');
		if (!close) {
			*why = "missing ']' after an IPv6 address";
			return STEER_EINVAL;
		}
		h = s + 1;
		hlen = (size_t)(close - h);
		if (close[1] == ':')
			p = close + 2;
		else if (close[1] != '\0') {
			*why = "expected ':PORT' after ']'";
			return STEER_EINVAL;
		}
	} else {
		colon = strchr(s, ':');
		if (colon && strchr(colon + 1, ':')) { /* bare IPv6, no port */
			hlen = strlen(s);
		} else {
			hlen = colon ? (size_t)(colon - s) : strlen(s);
			p = colon ? colon + 1 : NULL;
		}
	}
	if (hlen == 0 || hlen >= hostcap) {
		*why = "missing or overlong address";
		return STEER_EINVAL;
	}
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	*port = 53;
	if (p) {
		char *end;
		errno = 0;
		*port = strtol(p, &end, 10);
		if (*p == '\0' || *end != '\0' || errno || *port < 1 || *port > 65535) {
			*why = "port must be a number from 1 to 65535";
			return STEER_EINVAL;
		}
	}
	return STEER_EOK;
}

int listen_parse(const char *s, struct listen_addr *out, const char **why)
{
	char host[INET6_ADDRSTRLEN + 1];
	long port;
	int ret;

	memset(out, 0, sizeof(*out));
	*why = NULL;
	ret = split_host_port(s, host, sizeof(host), &port, why);
	if (ret != STEER_EOK)
		return ret;
	snprintf(out->text, sizeof(out->text), "%s", s);
	struct sockaddr_in *sin = (struct sockaddr_in *)&out->ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&out->ss;
	if (*s != '[' && inet_pton(AF_INET, host, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		out->len = sizeof(*sin);
		out->wildcard = sin->sin_addr.s_addr == htonl(INADDR_ANY);
		return STEER_EOK;
	}
	if (inet_pton(AF_INET6, host, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		out->len = sizeof(*sin6);
		out->wildcard = IN6_IS_ADDR_UNSPECIFIED(&sin6->sin6_addr);
		return STEER_EOK;
	}
	*why = "not an IPv4 or IPv6 address (host names are not resolved)";
	return STEER_EINVAL;
}

static int fail_close(int fd)
{
	int e = -errno;
	close(fd);
	return e;
}

/* Options both transports share: v6-only sockets, so that "[::]:53" and
 * "0.0.0.0:53" can be listed side by side. */
static int common_opts(int fd, const struct listen_addr *a)
{
	int on = 1;
	if (a->ss.ss_family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on)) < 0)
		return -1;
	return 0;
}

int listen_udp_socket(const struct listen_addr *a)
{
	int fd = socket(a->ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), on = 1;

	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof(on)) < 0 || common_opts(fd, a) < 0)
		return fail_close(fd);
	if (a->wildcard) {
		int r = a->ss.ss_family == AF_INET
				? setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &on, sizeof(on))
				: setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, sizeof(on));
		if (r < 0)
			return fail_close(fd);
	}
	/* A larger receive buffer rides out bursts while a worker is busy. */
	int rcvbuf = 4 * 1024 * 1024;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (bind(fd, (const struct sockaddr *)&a->ss, a->len) < 0)
		return fail_close(fd);
	return fd;
}

int listen_tcp_socket(const struct listen_addr *a, int backlog)
{
	int fd = socket(a->ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), on = 1;

	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) < 0 || common_opts(fd, a) < 0)
		return fail_close(fd);
	if (bind(fd, (const struct sockaddr *)&a->ss, a->len) < 0 || listen(fd, backlog) < 0)
		return fail_close(fd);
	return fd;
}
