/* proxy.c -- PROXY protocol v2 headers from the sources in server.proxy_from
 * (see proxy.h for what happens to which packet). */
#include "config.h"
#include "server/net/proxy.h"
#include "common/conf.h"
#include "common/errors.h"
#include "geoip/nets.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

const char *const proxy_verdict_names[PROXY_NVERDICTS] = { "plain", "accepted", "unlisted", "missing",
							   "malformed" };

/* proxy-protocol.txt 2.2: "\r\n\r\n\0\r\nQUIT\n". A DNS message cannot be
 * mistaken for it in practice: read as a header it is opcode 1 (IQUERY,
 * obsolete) with 3338 questions; read as a TCP length it is 3338. */
static const uint8_t proxy_sig[12] = { 0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a };

struct proxy_net {
	uint8_t addr[16]; /* host bits zero; IPv4 mapped */
	unsigned plen128;
};

struct proxy_acl {
	size_t n;
	struct proxy_net v[];
};

/* One entry: 0, or STEER_EINVAL with *why set. */
static int parse_entry(const char *s, struct proxy_net *out, const char **why)
{
	unsigned plen;

	if (geo_prefix_parse(s, out->addr, &plen) != STEER_EOK) {
		*why = "expected an address or a prefix such as 127.0.0.0/8 or ::1/128";
		return STEER_EINVAL;
	}
	out->plen128 = geo_addr_is_v4(out->addr) ? 96 + plen : plen;
	if (geo_addr_mask(out->addr, out->plen128)) {
		*why = "host bits are set after the prefix length";
		return STEER_EINVAL;
	}
	return STEER_EOK;
}

int proxy_conf_check(const struct conf_file *cf, const struct conf_strlist *l, struct errlist *errs)
{
	int nerr = 0;

	for (size_t i = 0; i < l->n; i++) {
		struct proxy_net n;
		const char *why;
		if (parse_entry(l->v[i], &n, &why) != STEER_EOK) {
			conf_err(errs, cf, (conf_path_t){ "server", "proxy_from", NULL }, "\"%s\": %s", l->v[i], why);
			nerr++;
		}
	}
	return nerr;
}

int proxy_acl_new(const struct conf_strlist *l, struct proxy_acl **out)
{
	struct proxy_acl *acl;
	const char *why;

	*out = NULL;
	if (l->n == 0)
		return STEER_EOK;
	if (!(acl = malloc(sizeof(*acl) + l->n * sizeof(acl->v[0]))))
		return STEER_ENOMEM;
	for (acl->n = 0; acl->n < l->n; acl->n++)
		if (parse_entry(l->v[acl->n], &acl->v[acl->n], &why) != STEER_EOK) {
			free(acl);
			return STEER_EINVAL;
		}
	*out = acl;
	return STEER_EOK;
}

void proxy_acl_free(struct proxy_acl *acl)
{
	free(acl);
}

/* sa as 16 bytes, IPv4 mapped. 0 for another family. */
static int addr16(const struct sockaddr *sa, uint8_t a[16])
{
	if (sa->sa_family == AF_INET) {
		geo_addr_from_v4(a, (const uint8_t *)&((const struct sockaddr_in *)(const void *)sa)->sin_addr);
		return 1;
	}
	if (sa->sa_family == AF_INET6) {
		memcpy(a, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, 16);
		return 1;
	}
	return 0;
}

static int net_covers(const struct proxy_net *n, const uint8_t a[16])
{
	unsigned full = n->plen128 / 8, rest = n->plen128 % 8;

	if (memcmp(n->addr, a, full) != 0)
		return 0;
	return rest == 0 || ((n->addr[full] ^ a[full]) & (uint8_t)(0xff << (8 - rest))) == 0;
}

int proxy_acl_match(const struct proxy_acl *acl, const struct sockaddr *sa)
{
	uint8_t a[16];

	if (!acl || !addr16(sa, a))
		return 0;
	for (size_t i = 0; i < acl->n; i++)
		if (net_covers(&acl->v[i], a))
			return 1;
	return 0;
}

/* 1: b starts with the whole signature; 0: it does not; -1: the have bytes
 * there are a prefix of it. */
static int sig_match(const uint8_t *b, size_t have)
{
	size_t n = have < sizeof(proxy_sig) ? have : sizeof(proxy_sig);

	if (memcmp(b, proxy_sig, n) != 0)
		return 0;
	return n == sizeof(proxy_sig) ? 1 : -1;
}

/* The client of an AF_INET (1) or AF_INET6 (2) address block at a (source
 * address, destination address, source port, destination port). */
static void put_src(struct proxy_hdr *h, unsigned fam, const uint8_t *a)
{
	memset(&h->src, 0, sizeof(h->src));
	if (fam == 1) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&h->src;
		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, a, 4);
		memcpy(&sin->sin_port, a + 8, 2);
		h->srclen = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&h->src;
		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_addr, a, 16);
		memcpy(&sin6->sin6_port, a + 32, 2);
		h->srclen = sizeof(*sin6);
	}
}

int proxy_parse(const uint8_t *b, size_t have, struct proxy_hdr *h)
{
	/* address block length by family: UNSPEC, INET, INET6, UNIX */
	static const uint16_t addr_len[4] = { 0, 12, 36, 216 };
	unsigned ver, cmd, fam, proto;
	size_t len;
	int sig = sig_match(b, have);

	if (sig <= 0)
		return sig;
	if (have < PROXY_FIXED)
		return -1;
	ver = b[12] >> 4;
	cmd = b[12] & 0x0f;
	fam = b[13] >> 4;
	proto = b[13] & 0x0f;
	len = (size_t)b[14] << 8 | b[15];
	if (ver != 2 || cmd > 1 || fam > 3 || proto > 2 || len < addr_len[fam])
		return -2;
	if (have < (size_t)PROXY_FIXED + addr_len[fam])
		return -1;
	h->len = PROXY_FIXED + len;
	h->stream = (int)proto;
	/* LOCAL (health checks of the proxy itself) and families without an
	 * IP address: the connection's own endpoints are the truth (2.2). */
	h->local = cmd == 0 || (fam != 1 && fam != 2);
	h->srclen = 0;
	if (!h->local)
		put_src(h, fam, b + PROXY_FIXED);
	return 1;
}

static void copy_peer(const struct sockaddr *peer, socklen_t peerlen, struct sockaddr_storage *client,
		      socklen_t *clientlen)
{
	size_t n = (size_t)peerlen < sizeof(*client) ? (size_t)peerlen : sizeof(*client);

	memcpy(client, peer, n);
	*clientlen = (socklen_t)n;
}

enum proxy_verdict proxy_datagram(const struct proxy_acl *acl, const struct sockaddr *peer, socklen_t peerlen,
				  const uint8_t **msg, size_t *len, struct sockaddr_storage *client,
				  socklen_t *clientlen)
{
	struct proxy_hdr h;
	int r = proxy_parse(*msg, *len, &h), listed = proxy_acl_match(acl, peer);

	if (r == 0 || (r == -1 && *len < sizeof(proxy_sig))) {
		/* no header (a short datagram is not one either) */
		copy_peer(peer, peerlen, client, clientlen);
		return listed ? PROXY_MISSING : PROXY_PLAIN;
	}
	if (!listed)
		return PROXY_UNLISTED;
	/* a datagram is all there is: a header cut short is broken */
	if (r < 0 || h.len > *len)
		return PROXY_MALFORMED;
	if (h.local)
		copy_peer(peer, peerlen, client, clientlen);
	else {
		memcpy(client, &h.src, h.srclen);
		*clientlen = h.srclen;
	}
	*msg += h.len;
	*len -= h.len;
	return PROXY_ACCEPTED;
}

enum proxy_verdict proxy_take(const struct proxy_acl *acl, const struct sockaddr **addr, socklen_t *addrlen,
			      const uint8_t **msg, size_t *len, struct sockaddr_storage *orig)
{
	enum proxy_verdict v;
	socklen_t olen;

	if (!proxy_maybe(acl, *msg, *len))
		return PROXY_PLAIN;
	v = proxy_datagram(acl, *addr, *addrlen, msg, len, orig, &olen);
	if (v == PROXY_ACCEPTED) {
		*addr = (const struct sockaddr *)orig;
		*addrlen = olen;
	}
	return v;
}

int proxy_stream_start(int listed, const uint8_t *b, size_t have, size_t *consume, struct sockaddr_storage *client,
		       socklen_t *clientlen)
{
	struct proxy_hdr h;
	int r = proxy_parse(b, have, &h);

	*consume = 0;
	if (r == 0)
		return listed ? PROXY_MISSING : PROXY_PLAIN;
	if (!listed) /* the signature is enough: no need to wait for the rest */
		return sig_match(b, have) == 1 ? PROXY_UNLISTED : -1;
	if (r == -1)
		return -1;
	if (r == -2)
		return PROXY_MALFORMED;
	*consume = h.len;
	if (!h.local) {
		memcpy(client, &h.src, h.srclen);
		*clientlen = h.srclen;
	}
	return PROXY_ACCEPTED;
}
