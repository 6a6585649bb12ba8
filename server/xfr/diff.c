/* diff.c -- zone versions compared node by node; chains of differences condensed. */
#include "config.h"
#include "server/xfr/diff.h"
#include "server/wire/dname.h"
#include "server/wire/rr.h"
#include "server/zone/zone.h"
#include "common/dns.h"
#include "common/errors.h"

#include <stdlib.h>
#include <string.h>

/* ---- RR lists ---- */

void rrlist_init(struct rrlist *l)
{
	memset(l, 0, sizeof(*l));
}

void rrlist_clear(struct rrlist *l)
{
	free(l->data);
	rrlist_init(l);
}

static int rrlist_append(struct rrlist *l, const uint8_t *p, size_t n)
{
	if (l->len + n > l->cap) {
		size_t ncap = l->cap ? l->cap : 4096;
		uint8_t *d;
		while (ncap < l->len + n)
			ncap *= 2;
		if (!(d = realloc(l->data, ncap)))
			return STEER_ENOMEM;
		l->data = d;
		l->cap = ncap;
	}
	memcpy(l->data + l->len, p, n);
	l->len += n;
	l->count++;
	return STEER_EOK;
}

int rrlist_add(struct rrlist *l, const uint8_t *owner, size_t olen, const uint8_t *rr)
{
	size_t rlen = rr_len(rr), old = l->len;

	if (rrlist_append(l, owner, olen) != STEER_EOK)
		return STEER_ENOMEM;
	l->count--; /* the owner alone is not an RR yet */
	if (rrlist_append(l, rr, rlen) != STEER_EOK) {
		l->len = old;
		return STEER_ENOMEM;
	}
	return STEER_EOK;
}

int rrlist_next(const struct rrlist *l, size_t *off, const uint8_t **owner, const uint8_t **rr)
{
	if (*off >= l->len)
		return 0;
	*owner = l->data + *off;
	*rr = *owner + dname_wire_len(*owner);
	*off = (size_t)(*rr - l->data) + rr_len(*rr);
	return 1;
}

int rrlist_check(const uint8_t *data, size_t len, uint32_t count)
{
	size_t off = 0;

	for (uint32_t i = 0; i < count; i++) {
		int nl = dname_len(data + off, data + len);
		if (nl < 0 || len - off - (size_t)nl < RR_FIXED)
			return 0;
		off += (size_t)nl;
		if (len - off < rr_len(data + off))
			return 0;
		off += rr_len(data + off);
	}
	return off == len;
}

/* ---- one difference ---- */

void zone_diff_init(struct zone_diff *d)
{
	memset(d, 0, sizeof(*d));
	rrlist_init(&d->del);
	rrlist_init(&d->add);
}

void zone_diff_clear(struct zone_diff *d)
{
	rrlist_clear(&d->del);
	rrlist_clear(&d->add);
	zone_diff_init(d);
}

int zone_diff_empty(const struct zone_diff *d)
{
	return d->del.count <= 1 && d->add.count <= 1;
}

int diff_name_cmp(const uint8_t *a, const uint8_t *b)
{
	const uint8_t *la[DNAME_MAXLABELS + 1], *lb[DNAME_MAXLABELS + 1];
	int na = 0, nb = 0;

	/* Labels are compared from the root down, so collect them first. */
	for (; *a; a += *a + 1)
		la[na++] = a;
	for (; *b; b += *b + 1)
		lb[nb++] = b;
	while (na > 0 && nb > 0) {
		const uint8_t *x = la[--na], *y = lb[--nb];
		size_t n = x[0] < y[0] ? x[0] : y[0];
		int c = memcmp(x + 1, y + 1, n);
		if (c)
			return c;
		if (x[0] != y[0])
			return x[0] < y[0] ? -1 : 1;
	}
	return na - nb; /* the ancestor sorts first */
}

/* Bytes taken by the count RRs at data. */
static size_t rrs_bytes(const uint8_t *data, uint16_t count)
{
	const uint8_t *p = data;

	for (uint16_t i = 0; i < count; i++)
		p += rr_len(p);
	return (size_t)(p - data);
}

static int rrset_same(const struct rrset *a, const struct rrset *b)
{
	size_t n;

	if (a->type != b->type || a->ttl != b->ttl || a->count != b->count)
		return 0;
	n = rrs_bytes(a->data, a->count);
	return n == rrs_bytes(b->data, b->count) && memcmp(a->data, b->data, n) == 0;
}

/* The next rrset of n at or after *i that is not the SOA (which leads the
 * lists instead), or NULL; n may be NULL. */
static const struct rrset *next_rrset(const struct node *n, uint16_t *i)
{
	while (n && *i < n->nrrsets && n->rrsets[*i].type == DNS_TYPE_SOA)
		(*i)++;
	return n && *i < n->nrrsets ? &n->rrsets[*i] : NULL;
}

static int node_same(const struct node *a, const struct node *b)
{
	uint16_t i = 0, j = 0;
	const struct rrset *x, *y;

	/* Both rrset arrays are sorted by type. */
	for (;;) {
		x = next_rrset(a, &i);
		y = next_rrset(b, &j);
		if (!x || !y)
			return !x && !y;
		if (!rrset_same(x, y))
			return 0;
		i++;
		j++;
	}
}

static int add_all(struct rrlist *l, const struct node *n, const struct rrset *s)
{
	const uint8_t *p = s->data;

	for (uint16_t i = 0; i < s->count; i++, p += rr_len(p))
		if (rrlist_add(l, n->name, n->namelen, p) != STEER_EOK)
			return STEER_ENOMEM;
	return STEER_EOK;
}

/* The loader's order of the RRs of one rrset (server/zone/load/build.c):
 * RDLENGTH, then RDATA bytes. */
static int rr_cmp(const uint8_t *x, const uint8_t *y)
{
	uint16_t lx = wire_get16(x + RR_RDLEN_OFF), ly = wire_get16(y + RR_RDLEN_OFF);

	if (lx != ly)
		return lx < ly ? -1 : 1;
	return memcmp(x + RR_FIXED, y + RR_FIXED, lx);
}

/* Two rrsets of one type and TTL at owners o and n (the same name): merge
 * their sorted RRs. */
static int rrset_diff(const struct node *o, const struct rrset *a, const struct node *n, const struct rrset *b,
		      struct zone_diff *d)
{
	const uint8_t *p = a->data, *q = b->data;
	uint16_t i = 0, j = 0;
	int ret = STEER_EOK;

	while (ret == STEER_EOK && (i < a->count || j < b->count)) {
		int c = i >= a->count ? 1 : j >= b->count ? -1 : rr_cmp(p, q);
		if (c < 0)
			ret = rrlist_add(&d->del, o->name, o->namelen, p);
		else if (c > 0)
			ret = rrlist_add(&d->add, n->name, n->namelen, q);
		if (c <= 0)
			p += rr_len(p), i++;
		if (c >= 0)
			q += rr_len(q), j++;
	}
	return ret;
}

/* Every difference between the same name's node in old (o) and new (n);
 * either may be NULL. */
static int node_diff(const struct node *o, const struct node *n, struct zone_diff *d)
{
	uint16_t i = 0, j = 0;
	const struct rrset *a, *b;
	int ret = STEER_EOK;

	/* A merge of the two type-sorted rrset arrays. */
	while (ret == STEER_EOK) {
		a = next_rrset(o, &i);
		b = next_rrset(n, &j);
		if (!a && !b)
			break;
		if (a && (!b || a->type < b->type)) {
			ret = add_all(&d->del, o, a);
			i++;
		} else if (b && (!a || b->type < a->type)) {
			ret = add_all(&d->add, n, b);
			j++;
		} else {
			if (a->ttl != b->ttl) {
				/* One TTL per rrset (RFC 2181 5.2): replace the whole rrset. */
				if ((ret = add_all(&d->del, o, a)) == STEER_EOK)
					ret = add_all(&d->add, n, b);
			} else {
				ret = rrset_diff(o, a, n, b, d);
			}
			i++;
			j++;
		}
	}
	return ret;
}

/* Names whose data differ: (old node or NULL, new node or NULL). */
struct pair {
	const struct node *o, *n;
};

struct pairs {
	struct pair *v; /* owned */
	size_t n, cap;
};

/* Room for one more element in *v (n used of *cap, each size bytes). */
static int room_for_one(void **v, size_t n, size_t *cap, size_t size)
{
	void *nv;
	size_t ncap;

	if (n < *cap)
		return STEER_EOK;
	ncap = *cap ? *cap * 2 : 64;
	if (!(nv = realloc(*v, ncap * size)))
		return STEER_ENOMEM;
	*v = nv;
	*cap = ncap;
	return STEER_EOK;
}

static int pairs_push(struct pairs *p, const struct node *o, const struct node *n)
{
	if (room_for_one((void **)&p->v, p->n, &p->cap, sizeof(*p->v)) != STEER_EOK)
		return STEER_ENOMEM;
	p->v[p->n++] = (struct pair){ o, n };
	return STEER_EOK;
}

static int pair_cmp(const void *x, const void *y)
{
	const struct pair *a = x, *b = y;

	return diff_name_cmp(a->o ? a->o->name : a->n->name, b->o ? b->o->name : b->n->name);
}

/* Every name of old that changed or went away, then every name new has that
 * old had not (empty non-terminals hold no data and are skipped). */
static int changed_names(const struct zone *old, const struct zone *new, struct pairs *p)
{
	for (uint32_t i = 0; i <= old->mask; i++) {
		const struct node *o = zone_slot(old, i), *n;
		if (!o)
			continue;
		n = zone_find(new, o->name, o->namelen, o->hash);
		if (!node_same(o, n) && pairs_push(p, o, n) != STEER_EOK)
			return STEER_ENOMEM;
	}
	for (uint32_t i = 0; i <= new->mask; i++) {
		const struct node *n = zone_slot(new, i);
		if (n && n->nrrsets && !zone_find(old, n->name, n->namelen, n->hash) && pairs_push(p, NULL, n) != STEER_EOK)
			return STEER_ENOMEM;
	}
	return STEER_EOK;
}

static int soa_lead(const struct zone *z, struct rrlist *l)
{
	return rrlist_add(l, z->apex, z->apexlen, z->soa->data);
}

int zone_diff_compute(const struct zone *old, const struct zone *new, struct zone_diff *out)
{
	struct pairs p = { 0 };
	int ret;

	zone_diff_init(out);
	out->from = old->serial;
	out->to = new->serial;
	if ((ret = soa_lead(old, &out->del)) == STEER_EOK && (ret = soa_lead(new, &out->add)) == STEER_EOK)
		ret = changed_names(old, new, &p);
	if (ret == STEER_EOK && p.n > 1)
		qsort(p.v, p.n, sizeof(*p.v), pair_cmp);
	for (size_t i = 0; ret == STEER_EOK && i < p.n; i++)
		ret = node_diff(p.v[i].o, p.v[i].n, out);
	free(p.v);
	if (ret != STEER_EOK)
		zone_diff_clear(out);
	return ret;
}

/* ---- condensing a chain ---- */

/*
 * Each distinct RR (owner + compiled RR, TTL included) gets one entry with
 * its net state against the first version of the chain: -1 deleted, +1
 * added, 0 as it was. Deleting an added RR or adding back a deleted one
 * returns it to 0. Entries keep the order of first sight, so the result is
 * the same for the same chain.
 */
struct mentry {
	const uint8_t *rr; /* owner + RR, in one of the chain's lists */
	uint32_t len;
	uint32_t hash;
	int state;
};

struct mset {
	struct mentry *e; /* owned */
	size_t n, cap;
	uint32_t *slot;   /* owned: entry index + 1, 0 = empty; mask + 1 slots, at most half full */
	uint32_t mask;
};

static uint32_t bytes_hash(const uint8_t *p, size_t n)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h ^ (h >> 15);
}

static int mset_grow(struct mset *m)
{
	uint32_t nmask = m->slot ? m->mask * 2 + 1 : 1023;
	uint32_t *ns = calloc((size_t)nmask + 1, sizeof(*ns));

	if (!ns)
		return STEER_ENOMEM;
	for (size_t i = 0; i < m->n; i++) {
		uint32_t h = m->e[i].hash & nmask;
		while (ns[h])
			h = (h + 1) & nmask;
		ns[h] = (uint32_t)i + 1;
	}
	free(m->slot);
	m->slot = ns;
	m->mask = nmask;
	return STEER_EOK;
}

/* The entry of the RR at rr (len bytes), made (state 0) on first sight. */
static struct mentry *mset_get(struct mset *m, const uint8_t *rr, uint32_t len)
{
	uint32_t h = bytes_hash(rr, len), i;

	if ((!m->slot || (m->n + 1) * 2 > (size_t)m->mask + 1) && mset_grow(m) != STEER_EOK)
		return NULL;
	for (i = h & m->mask; m->slot[i]; i = (i + 1) & m->mask) {
		struct mentry *e = &m->e[m->slot[i] - 1];
		if (e->hash == h && e->len == len && memcmp(e->rr, rr, len) == 0)
			return e;
	}
	if (room_for_one((void **)&m->e, m->n, &m->cap, sizeof(*m->e)) != STEER_EOK)
		return NULL;
	m->slot[i] = (uint32_t)m->n + 1;
	m->e[m->n] = (struct mentry){ rr, len, h, 0 };
	return &m->e[m->n++];
}

/* Apply one list of a step: every RR but the leading SOA moves by dir. */
static int mset_apply(struct mset *m, const struct rrlist *l, int dir)
{
	const uint8_t *owner, *rr;
	size_t off = 0;

	for (uint32_t k = 0; rrlist_next(l, &off, &owner, &rr); k++) {
		struct mentry *e;
		if (k == 0)
			continue; /* the SOA */
		if (!(e = mset_get(m, owner, (uint32_t)(rr + rr_len(rr) - owner))))
			return STEER_ENOMEM;
		/* Deleting what is not there (or adding twice) cannot come from
		 * a chain of real diffs; keep the state in range regardless. */
		if (e->state != dir)
			e->state += dir;
	}
	return STEER_EOK;
}

static int mset_emit(const struct mset *m, int state, struct rrlist *l)
{
	for (size_t i = 0; i < m->n; i++) {
		const struct mentry *e = &m->e[i];
		size_t olen;
		if (e->state != state)
			continue;
		olen = dname_wire_len(e->rr);
		if (rrlist_add(l, e->rr, olen, e->rr + olen) != STEER_EOK)
			return STEER_ENOMEM;
	}
	return STEER_EOK;
}

/* The leading SOA of l. */
static int copy_soa(const struct rrlist *l, struct rrlist *out)
{
	const uint8_t *owner, *rr;
	size_t off = 0;

	if (!rrlist_next(l, &off, &owner, &rr))
		return STEER_EINVAL;
	return rrlist_add(out, owner, (size_t)(rr - owner), rr);
}

int zone_diff_merge(const struct zone_diff *const *d, size_t n, struct zone_diff *out)
{
	struct mset m = { 0 };
	int ret = STEER_EOK;

	zone_diff_init(out);
	if (n == 0)
		return STEER_EINVAL;
	for (size_t i = 0; i + 1 < n; i++)
		if (d[i]->to != d[i + 1]->from)
			return STEER_EINVAL;
	out->from = d[0]->from;
	out->to = d[n - 1]->to;
	for (size_t i = 0; ret == STEER_EOK && i < n; i++)
		if ((ret = mset_apply(&m, &d[i]->del, -1)) == STEER_EOK)
			ret = mset_apply(&m, &d[i]->add, +1);
	if (ret == STEER_EOK && (ret = copy_soa(&d[0]->del, &out->del)) == STEER_EOK &&
	    (ret = copy_soa(&d[n - 1]->add, &out->add)) == STEER_EOK && (ret = mset_emit(&m, -1, &out->del)) == STEER_EOK)
		ret = mset_emit(&m, +1, &out->add);
	free(m.e);
	free(m.slot);
	if (ret != STEER_EOK)
		zone_diff_clear(out);
	return ret;
}
