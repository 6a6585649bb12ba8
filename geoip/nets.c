/* nets.c -- address and CIDR helpers, and the "nets" override list. */
#include "config.h"
#include "geoip/nets.h"
#include "common/errors.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const uint8_t v4_mapped_prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

int geo_addr_is_v4(const uint8_t a[16])
{
	return memcmp(a, v4_mapped_prefix, 12) == 0;
}

void geo_addr_from_v4(uint8_t out[16], const uint8_t v4[4])
{
	memcpy(out, v4_mapped_prefix, 12);
	memcpy(out + 12, v4, 4);
}

int geo_addr_mask(uint8_t addr[16], unsigned plen128)
{
	int dirty = 0;
	for (unsigned i = 0; i < 16; i++) {
		unsigned keep = plen128 >= 8 * (i + 1) ? 8 : plen128 > 8 * i ? plen128 - 8 * i : 0;
		uint8_t mask = keep ? (uint8_t)(0xff << (8 - keep)) : 0;
		dirty |= (addr[i] & ~mask) != 0;
		addr[i] &= mask;
	}
	return dirty;
}

int geo_prefix_parse(const char *s, uint8_t addr[16], unsigned *plen)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash, *end;
	unsigned long len = 0;
	uint8_t v4[4];
	int has_len;

	if (!s || strlen(s) >= sizeof(buf))
		return STEER_EINVAL;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	has_len = slash != NULL;
	if (slash) {
		*slash++ = '\0';
		if (*slash < '0' || *slash > '9')
			return STEER_EINVAL;
		len = strtoul(slash, &end, 10);
		if (*end || len > 128)
			return STEER_EINVAL;
	}
	if (inet_pton(AF_INET, buf, v4) == 1) {
		if (has_len && len > 32)
			return STEER_EINVAL;
		geo_addr_from_v4(addr, v4);
		*plen = has_len ? (unsigned)len : 32;
		return STEER_EOK;
	}
	if (inet_pton(AF_INET6, buf, addr) != 1)
		return STEER_EINVAL;
	if (!has_len)
		len = 128;
	if (geo_addr_is_v4(addr)) {
		/* IPv4-mapped is IPv4: a prefix shorter than /96 would span more
		 * than the mapped range, so it is not a valid IPv4 prefix. */
		if (len < 96)
			return STEER_EINVAL;
		len -= 96;
	}
	*plen = (unsigned)len;
	return STEER_EOK;
}

char *geo_prefix_format(char *buf, size_t size, const uint8_t addr[16], unsigned plen)
{
	char a[INET6_ADDRSTRLEN];

	if (geo_addr_is_v4(addr))
		inet_ntop(AF_INET, addr + 12, a, sizeof(a));
	else
		inet_ntop(AF_INET6, addr, a, sizeof(a));
	snprintf(buf, size, "%s/%u", a, plen);
	return buf;
}

void geo_nets_init(struct geo_nets *nets)
{
	nets->v = NULL;
	nets->n = 0;
}

void geo_nets_clear(struct geo_nets *nets)
{
	for (size_t i = 0; i < nets->n; i++)
		free(nets->v[i].name);
	free(nets->v);
	geo_nets_init(nets);
}

static int prefix_contains(const struct geo_net *net, const uint8_t addr[16])
{
	unsigned full = net->plen128 / 8, rest = net->plen128 % 8;

	if (memcmp(net->addr, addr, full) != 0)
		return 0;
	if (!rest)
		return 1;
	return ((net->addr[full] ^ addr[full]) & (uint8_t)(0xff << (8 - rest))) == 0;
}

int geo_nets_add(struct geo_nets *nets, const char *prefix, const char *name)
{
	struct geo_net net, *nv;
	unsigned plen;
	size_t at;

	if (!name || !name[0] || geo_prefix_parse(prefix, net.addr, &plen) != STEER_EOK)
		return STEER_EINVAL;
	net.plen128 = geo_addr_is_v4(net.addr) ? plen + 96 : plen;
	if (geo_addr_mask(net.addr, net.plen128))
		return STEER_EINVAL;
	if (net.plen128 < 96) {
		/* IPv4 clients are ::ffff:a.b.c.d: an IPv6 prefix such as ::/0
		 * would silently cover all of IPv4 too. */
		static const struct geo_net v4 = { .addr = { [10] = 0xff, [11] = 0xff }, .plen128 = 96 };
		struct geo_net probe = net;
		if (prefix_contains(&probe, v4.addr))
			return STEER_ERANGE;
	}
	for (at = 0; at < nets->n; at++) {
		if (nets->v[at].plen128 == net.plen128 && memcmp(nets->v[at].addr, net.addr, 16) == 0)
			return STEER_EEXIST;
	}
	/* keep sorted by length: the first slot with a longer prefix */
	for (at = 0; at < nets->n && nets->v[at].plen128 <= net.plen128; at++)
		;
	if (!(net.name = strdup(name)))
		return STEER_ENOMEM;
	nv = realloc(nets->v, (nets->n + 1) * sizeof(*nv));
	if (!nv) {
		free(net.name);
		return STEER_ENOMEM;
	}
	memmove(nv + at + 1, nv + at, (nets->n - at) * sizeof(*nv));
	nv[at] = net;
	nets->v = nv;
	nets->n++;
	return STEER_EOK;
}

int geo_nets_copy(struct geo_nets *dst, const struct geo_nets *src)
{
	geo_nets_init(dst);
	if (!src->n)
		return STEER_EOK;
	dst->v = calloc(src->n, sizeof(*dst->v));
	if (!dst->v)
		return STEER_ENOMEM;
	for (size_t i = 0; i < src->n; i++) {
		dst->v[i] = src->v[i];
		if (!(dst->v[i].name = strdup(src->v[i].name))) {
			dst->n = i;
			geo_nets_clear(dst);
			return STEER_ENOMEM;
		}
	}
	dst->n = src->n;
	return STEER_EOK;
}

const struct geo_net *geo_nets_match(const struct geo_nets *nets, const uint8_t addr[16])
{
	/* sorted by length ascending: the last match is the longest */
	for (size_t i = nets->n; i-- > 0;)
		if (prefix_contains(&nets->v[i], addr))
			return &nets->v[i];
	return NULL;
}
