/* respond.c -- DNS response writer with name compression. */
#include "config.h"
#include "server/wire/respond.h"
#include "server/wire/dname.h"
#include "server/wire/rr.h"
#include "common/dns.h"

#include <string.h>

/* A compression pointer: two bytes, the top bits DNS_LABEL_PTR. */
#define PTR_LEN 2
#define PTR_TO(off) ((uint16_t)(DNS_LABEL_PTR << 8 | (off)))
#define IS_PTR(b) (((b) & DNS_LABEL_PTR) == DNS_LABEL_PTR)

static void sfx_add(struct pkt *p, const size_t *offs, int n, int parent);

void pkt_begin(struct pkt *p, uint8_t *buf, size_t limit, const uint8_t *query, size_t question_len)
{
	p->buf = buf;
	p->limit = limit;
	memcpy(buf, query, 2); /* ID */
	buf[2] = (uint8_t)(DNS_FLAG_QR | (query[2] & (DNS_OPCODE_MASK | DNS_FLAG_RD)));
	buf[3] = (uint8_t)(query[3] & DNS_FLAG_CD);
	memset(buf + 4, 0, DNS_HEADER_LEN - 4); /* the four counts */
	p->len = DNS_HEADER_LEN;
	p->count[0] = p->count[1] = p->count[2] = 0;
	p->nsfx = 0;
	p->name_at = p->owner_at = 0;
	if (question_len) {
		size_t offs[DNAME_MAXLABELS];
		int n = 0;
		memcpy(buf + DNS_HEADER_LEN, query + DNS_HEADER_LEN, question_len);
		wire_put16(buf + 4, 1);
		p->len += question_len;
		/* The question name is the first compression target, so names
		 * under it are written as pointers into it and keep its case. */
		for (size_t o = DNS_HEADER_LEN; buf[o] && n < DNAME_MAXLABELS; o += buf[o] + 1u)
			offs[n++] = o;
		sfx_add(p, offs, n, -1);
	}
}

static uint8_t lc(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c;
}

static int label_eq(const uint8_t *a, const uint8_t *b)
{
	uint8_t i;

	if (*a != *b)
		return 0;
	/* Zone data is lowercase and so are most queries: try exact first.
	 * Labels are short, so an inline loop beats a call to memcmp. */
	for (i = 1; i <= *a && a[i] == b[i]; i++)
		;
	if (i > *a)
		return 1;
	for (; i <= *a; i++)
		if (lc(a[i]) != lc(b[i]))
			return 0;
	return 1;
}

/* Remember that the labels labels[0..n) were written at offsets offs[]
 * (label i's suffix is label i+1; the last one's suffix is entry parent). */
static void sfx_add(struct pkt *p, const size_t *offs, int n, int parent)
{
	for (int i = n - 1; i >= 0 && p->nsfx < PKT_SFX_MAX && offs[i] < DNS_PTR_LIMIT; i--) {
		p->sfx[p->nsfx].off = (uint16_t)offs[i];
		p->sfx[p->nsfx].parent = (int16_t)parent;
		parent = p->nsfx++;
	}
}

/*
 * Compression (RFC 1035 4.1.4). Every label written so far is an entry of
 * a suffix tree (entry -> the entry of its parent suffix, -1 for the root),
 * so the longest suffix of name already in the packet is found by walking
 * name from its last label down, one level per label; a level only looks
 * at entries whose parent is the level above, an integer compare each.
 * An entry is always added after its parent (sfx_add), so the children of
 * entry cur all come after it: a level's scan starts at cur + 1.
 */
static inline __attribute__((always_inline)) int put_name(struct pkt *p, const uint8_t *name, int want_at)
{
	const uint8_t *nl[DNAME_MAXLABELS];
	size_t offs[DNAME_MAXLABELS];
	size_t start = p->len, len = p->len;
	int nn = 0, cur = -1, matched = 0, nsfx0;

	for (const uint8_t *q = name; *q && nn < DNAME_MAXLABELS; q += *q + 1)
		nl[nn++] = q;
	while (matched < nn) {
		const uint8_t *want = nl[nn - 1 - matched];
		int found = -1;
		for (int e = cur + 1; e < p->nsfx; e++) {
			if (p->sfx[e].parent == cur && label_eq(p->buf + p->sfx[e].off, want)) {
				found = e;
				break;
			}
		}
		if (found < 0)
			break;
		cur = found;
		matched++;
	}
	for (int i = 0; i < nn - matched; i++) {
		if (len + *nl[i] + 1u > p->limit)
			goto full;
		offs[i] = len;
		memcpy(p->buf + len, nl[i], *nl[i] + 1u);
		len += *nl[i] + 1u;
	}
	if (matched > 0) {
		if (len + PTR_LEN > p->limit)
			goto full;
		wire_put16(p->buf + len, PTR_TO(p->sfx[cur].off));
		len += PTR_LEN;
	} else {
		if (len + 1 > p->limit)
			goto full;
		p->buf[len++] = 0;
	}
	nsfx0 = p->nsfx;
	sfx_add(p, offs, nn - matched, cur);
	/* A later copy of the name finds the same entry: the one matched, or
	 * the first label just written, when all its new labels went in. */
	if (!want_at)
		;
	else if (matched == nn)
		p->name_at = nn ? p->sfx[cur].off : 0;
	else
		p->name_at = p->nsfx - nsfx0 == nn - matched ? (uint16_t)offs[0] : 0;
	p->len = len;
	return 0;
full:
	p->len = start;
	return -1;
}

int pkt_put_name(struct pkt *p, const uint8_t *name)
{
	return put_name(p, name, 0);
}

/* Write RDATA whose layout has names at known places, compressing them. */
static int put_rdata_names(struct pkt *p, uint16_t type, const uint8_t *rd, uint16_t rdlen)
{
	const uint8_t *end = rd + rdlen;
	size_t fixed = 0;
	int names = 1;

	if (type == DNS_TYPE_MX) {
		if (rdlen < 3 || p->len + 2 > p->limit)
			return -1;
		memcpy(p->buf + p->len, rd, 2);
		p->len += 2;
		rd += 2;
	} else if (type == DNS_TYPE_SOA) {
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

/* RR types whose RDATA holds names we compress (put_rdata_names knows them). */
static int has_rdata_names(uint16_t type)
{
	return type == DNS_TYPE_NS || type == DNS_TYPE_CNAME || type == DNS_TYPE_PTR || type == DNS_TYPE_MX ||
	       type == DNS_TYPE_SOA;
}

/* The TTL of the RR whose owner starts at off: skip the owner (labels, then
 * a root byte or a pointer) and the TYPE and CLASS. */
static uint8_t *ttl_at(struct pkt *p, size_t off)
{
	uint8_t *t = p->buf + off;

	while (*t && !IS_PTR(*t))
		t += *t + 1;
	t += IS_PTR(*t) ? PTR_LEN : 1;
	return t + RR_TTL_OFF;
}

/* The rest of an RR after its owner (written since mark m). */
/* Inlined: every RR of every response goes through here. */
static inline __attribute__((always_inline)) int put_rr_tail(struct pkt *p, int section, const struct pkt_mark *m, const uint8_t *wire, uint16_t wlen,
		       uint32_t ttl_override)
{
	uint16_t type = wire_get16(wire);

	if (has_rdata_names(type)) {
		size_t rdlen_at = p->len + RR_RDLEN_OFF;
		if (p->len + RR_FIXED > p->limit)
			goto full;
		memcpy(p->buf + p->len, wire, RR_FIXED);
		p->len += RR_FIXED;
		if (put_rdata_names(p, type, wire + RR_FIXED, (uint16_t)(wlen - RR_FIXED)) < 0)
			goto full;
		wire_put16(p->buf + rdlen_at, (uint16_t)(p->len - (rdlen_at + 2)));
	} else {
		if (p->len + wlen > p->limit)
			goto full;
		memcpy(p->buf + p->len, wire, wlen);
		p->len += wlen;
	}
	if (ttl_override != UINT32_MAX)
		wire_put32(ttl_at(p, m->len), ttl_override);
	p->count[section]++;
	return 0;
full:
	pkt_rollback(p, m);
	return -1;
}

/* A pointer to off as the owner. */
static inline int put_owner_ptr(struct pkt *p, uint16_t off)
{
	if (p->len + PTR_LEN > p->limit)
		return -1;
	wire_put16(p->buf + p->len, PTR_TO(off));
	p->len += PTR_LEN;
	p->owner_at = off;
	return 0;
}

int pkt_put_rr(struct pkt *p, int section, const uint8_t *owner, const uint8_t *wire, uint16_t wlen,
	       uint32_t ttl_override)
{
	struct pkt_mark m;

	pkt_mark(p, &m);
	if (owner) {
		if (put_name(p, owner, 1) < 0)
			return -1;
		p->owner_at = p->name_at;
	} else if (put_owner_ptr(p, DNS_HEADER_LEN) < 0) { /* the question name */
		return -1;
	}
	return put_rr_tail(p, section, &m, wire, wlen, ttl_override);
}

int pkt_put_rr_at(struct pkt *p, int section, uint16_t owner_at, const uint8_t *wire, uint16_t wlen,
		  uint32_t ttl_override)
{
	struct pkt_mark m;

	pkt_mark(p, &m);
	if (put_owner_ptr(p, owner_at) < 0)
		return -1;
	return put_rr_tail(p, section, &m, wire, wlen, ttl_override);
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
	m->nsfx = p->nsfx;
}

void pkt_rollback(struct pkt *p, const struct pkt_mark *m)
{
	p->len = m->len;
	memcpy(p->count, m->count, sizeof(p->count));
	p->nsfx = m->nsfx;
}

size_t pkt_finish(struct pkt *p)
{
	wire_put16(p->buf + 6, p->count[SEC_ANSWER]);
	wire_put16(p->buf + 8, p->count[SEC_AUTHORITY]);
	wire_put16(p->buf + 10, p->count[SEC_ADDITIONAL]);
	return p->len;
}
