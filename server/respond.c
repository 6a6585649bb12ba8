/* respond.c -- DNS response writer with name compression. */
#include "config.h"
#include "server/respond.h"

#include <string.h>

#define TYPE_NS 2
#define TYPE_CNAME 5
#define TYPE_SOA 6
#define TYPE_PTR 12
#define TYPE_MX 15

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

void pkt_begin(struct pkt *p, uint8_t *buf, size_t limit, const uint8_t *query, size_t question_len)
{
	p->buf = buf;
	p->limit = limit;
	memcpy(buf, query, 2);                               /* ID */
	buf[2] = (uint8_t)(0x80 | (query[2] & 0x79));        /* QR, opcode, RD */
	buf[3] = (uint8_t)(query[3] & 0x10);                 /* CD */
	memset(buf + 4, 0, 8);
	p->len = 12;
	p->count[0] = p->count[1] = p->count[2] = 0;
	p->ncomp = 0;
	if (question_len) {
		memcpy(buf + 12, query + 12, question_len);
		put16(buf + 4, 1);
		p->len += question_len;
		/* The question name is the first compression target, so answers
		 * owned by it are written as a pointer and keep its case. */
		p->comp[p->ncomp++] = 12;
	}
}

void pkt_set_rcode(struct pkt *p, uint16_t rcode)
{
	p->buf[3] = (uint8_t)((p->buf[3] & 0xf0) | (rcode & 0x0f));
}

void pkt_set_aa(struct pkt *p, int on)
{
	if (on)
		p->buf[2] |= 0x04;
	else
		p->buf[2] &= (uint8_t)~0x04;
}

void pkt_set_tc(struct pkt *p)
{
	p->buf[2] |= 0x02;
}

static uint8_t lc(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c;
}

/* Does the name in the packet at off (possibly compressed) equal name? */
static int name_at_equals(const struct pkt *p, size_t off, const uint8_t *name)
{
	int hops = 0;
	for (;;) {
		uint8_t l = p->buf[off];
		if ((l & 0xc0) == 0xc0) {
			if (++hops > 32)
				return 0;
			off = (size_t)((l & 0x3f) << 8 | p->buf[off + 1]);
			continue;
		}
		if (l != *name)
			return 0;
		if (l == 0)
			return 1;
		for (uint8_t i = 1; i <= l; i++)
			if (lc(p->buf[off + i]) != lc(name[i]))
				return 0;
		off += l + 1u;
		name += l + 1;
	}
}

/* Offset of a packet name equal to name, or 0 if none. Only the starts of
 * names and their suffixes that we registered are candidates. */
static size_t comp_find(const struct pkt *p, const uint8_t *name)
{
	for (int i = 0; i < p->ncomp; i++) {
		/* Each registered offset is a whole name; also try its suffixes. */
		size_t off = p->comp[i];
		int hops = 0;
		for (;;) {
			uint8_t l = p->buf[off];
			if ((l & 0xc0) == 0xc0) {
				if (++hops > 32)
					break;
				off = (size_t)((l & 0x3f) << 8 | p->buf[off + 1]);
				continue;
			}
			if (l == 0)
				break;
			if (l == *name && name_at_equals(p, off, name))
				return off;
			off += l + 1u;
		}
	}
	return 0;
}

int pkt_put_name(struct pkt *p, const uint8_t *name)
{
	size_t start = p->len, len = p->len;
	const uint8_t *n = name;

	while (*n) {
		size_t ptr = comp_find(p, n);
		if (ptr) {
			if (len + 2 > p->limit)
				goto full;
			put16(p->buf + len, (uint16_t)(0xc000 | ptr));
			len += 2;
			goto done;
		}
		if (len + *n + 1u > p->limit)
			goto full;
		memcpy(p->buf + len, n, *n + 1u);
		len += *n + 1u;
		n += *n + 1;
	}
	if (len + 1 > p->limit)
		goto full;
	p->buf[len++] = 0;
done:
	/* Register the new name (its suffixes are found by walking it). */
	if (len - start > 2 && p->ncomp < PKT_COMP_MAX && start < 0x3fff)
		p->comp[p->ncomp++] = (uint16_t)start;
	p->len = len;
	return 0;
full:
	p->len = start;
	return -1;
}

/* Write RDATA whose layout has names at known places, compressing them. */
static int put_rdata_names(struct pkt *p, uint16_t type, const uint8_t *rd, uint16_t rdlen)
{
	const uint8_t *end = rd + rdlen;
	size_t fixed = 0;
	int names = 1;

	if (type == TYPE_MX) {
		if (rdlen < 3 || p->len + 2 > p->limit)
			return -1;
		memcpy(p->buf + p->len, rd, 2);
		p->len += 2;
		rd += 2;
	} else if (type == TYPE_SOA) {
		names = 2;
		fixed = 20;
	}
	for (int i = 0; i < names; i++) {
		size_t l = 0;
		while (rd + l < end && rd[l])
			l += rd[l] + 1u;
		if (rd + l >= end || pkt_put_name(p, rd) < 0)
			return -1;
		rd += l + 1;
	}
	if ((size_t)(end - rd) != fixed || p->len + fixed > p->limit)
		return -1;
	memcpy(p->buf + p->len, rd, fixed);
	p->len += fixed;
	return 0;
}

int pkt_put_rr(struct pkt *p, int section, const uint8_t *owner, const uint8_t *wire, uint16_t wlen,
	       uint32_t ttl_override)
{
	struct pkt_mark m;
	uint16_t type = (uint16_t)(wire[0] << 8 | wire[1]);

	pkt_mark(p, &m);
	if (owner) {
		if (pkt_put_name(p, owner) < 0)
			return -1;
	} else {
		if (p->len + 2 > p->limit)
			return -1;
		put16(p->buf + p->len, 0xc000 | 12);
		p->len += 2;
	}
	if (type == TYPE_NS || type == TYPE_CNAME || type == TYPE_PTR || type == TYPE_MX || type == TYPE_SOA) {
		size_t rdlen_at = p->len + 8;
		if (p->len + 10 > p->limit)
			goto full;
		memcpy(p->buf + p->len, wire, 10);
		p->len += 10;
		if (put_rdata_names(p, type, wire + 10, (uint16_t)(wlen - 10)) < 0)
			goto full;
		put16(p->buf + rdlen_at, (uint16_t)(p->len - rdlen_at - 2));
	} else {
		if (p->len + wlen > p->limit)
			goto full;
		memcpy(p->buf + p->len, wire, wlen);
		p->len += wlen;
	}
	if (ttl_override != UINT32_MAX) {
		uint8_t *t = p->buf + m.len + (owner ? 0 : 2);
		/* TTL sits 4 bytes after the owner; find the owner's end. */
		if (owner) {
			t = p->buf + m.len;
			while (*t && (*t & 0xc0) != 0xc0)
				t += *t + 1;
			t += (*t & 0xc0) == 0xc0 ? 2 : 1;
		}
		t[4] = (uint8_t)(ttl_override >> 24);
		t[5] = (uint8_t)(ttl_override >> 16);
		t[6] = (uint8_t)(ttl_override >> 8);
		t[7] = (uint8_t)ttl_override;
	}
	p->count[section]++;
	return 0;
full:
	pkt_rollback(p, &m);
	return -1;
}

int pkt_put_raw_rr(struct pkt *p, int section, const uint8_t *rr, size_t len)
{
	if (p->len + len > p->limit)
		return -1;
	memcpy(p->buf + p->len, rr, len);
	p->len += len;
	p->count[section]++;
	return 0;
}

void pkt_mark(const struct pkt *p, struct pkt_mark *m)
{
	m->len = p->len;
	memcpy(m->count, p->count, sizeof(m->count));
	m->ncomp = p->ncomp;
}

void pkt_rollback(struct pkt *p, const struct pkt_mark *m)
{
	p->len = m->len;
	memcpy(p->count, m->count, sizeof(p->count));
	p->ncomp = m->ncomp;
}

size_t pkt_finish(struct pkt *p)
{
	put16(p->buf + 6, p->count[0]);
	put16(p->buf + 8, p->count[1]);
	put16(p->buf + 10, p->count[2]);
	return p->len;
}
