/*
 * build.c -- records into rrsets. While the file is read, each record is
 * appended to its owner's list (the owner's node is made on first sight);
 * afterwards each owner's few records are sorted by type and rdata, equal
 * records merged (RFC 2181 5), one TTL chosen per rrset (RFC 2181 5.2: the
 * lowest, with a warning) and every RR written in its compiled wire form.
 * Missing ancestors become empty non-terminals, so that lookup can tell
 * NODATA from NXDOMAIN and link.c finds every parent.
 */
#include "config.h"
#include "server/zone/load/load_internal.h"
#include "server/zone/zone.h"
#include "common/dns.h"
#include "common/errors.h"
#include "common/log.h"

#include <stdlib.h>
#include <string.h>

/* The previous record's owner, if it is owner (lowercase wire). */
static struct node *same_owner(struct loader *L, const uint8_t *owner, size_t olen)
{
	struct node *n = L->last ? zload_node(L->z, L->last) : NULL;

	return n && n->namelen == olen && memcmp(n->name, owner, olen) == 0 ? n : NULL;
}

/* The node for owner (lowercase wire), made on first sight. */
static int owner_node(struct loader *L, const uint8_t *owner, size_t olen, struct node **out)
{
	struct node *n;
	uint32_t h;

	/* Records of one owner usually follow each other in a file: skip the
	 * table (a cache miss per record on big zones) for the same owner. */
	if ((n = same_owner(L, owner, olen)) != NULL) {
		*out = n;
		return STEER_EOK;
	}
	h = dname_hash(owner, olen);
	if ((n = zload_node_find(L->z, owner, olen, h)) == NULL) {
		if (L->nowners == L->owners_cap) {
			size_t ncap = L->owners_cap ? L->owners_cap * 2 : 1024;
			uint32_t *o = realloc(L->owners, ncap * sizeof(*o));
			if (!o)
				return STEER_ENOMEM;
			L->owners = o;
			L->owners_cap = ncap;
		}
		if (zload_node_add(L->z, owner, olen, h, &n) != STEER_EOK)
			return STEER_ENOMEM;
		L->owners[L->nowners++] = zload_ref(L->z, n);
	}
	L->last = zload_ref(L->z, n);
	*out = n;
	return STEER_EOK;
}

/* Room for one more record in L->recs. */
static int recs_reserve(struct loader *L)
{
	if (L->nrecs >= ZLOAD_REC_NONE) /* record indexes are 32-bit */
		return STEER_ERANGE;
	if (L->nrecs < L->cap)
		return STEER_EOK;
	size_t ncap = L->cap ? L->cap * 2 : 1024;
	struct rec *nr = realloc(L->recs, ncap * sizeof(*nr));
	if (!nr)
		return STEER_ENOMEM;
	L->recs = nr;
	L->cap = ncap;
	return STEER_EOK;
}

int zload_add_record(struct loader *L, const uint8_t *owner, size_t olen, uint16_t type, uint32_t ttl,
		     const uint8_t *rdata, size_t rdlen, const char *file, unsigned line)
{
	uint8_t lower[DNAME_MAXLEN];
	struct node *n;
	struct rec *r;
	int ret;

	if (olen > DNAME_MAXLEN)
		return zload_error(L, file, line, "owner name longer than %d bytes", DNAME_MAXLEN);
	/* The compiled RR (header + rdata) must fit a 16-bit length. */
	if (rdlen > 65535 - RR_FIXED)
		return zload_error(L, file, line, "record data longer than %d bytes", 65535 - RR_FIXED);
	if (L->nrecs >= ZLOAD_RECORDS_MAX) {
		if (L->over_records++)
			return STEER_EMALF; /* reported once */
		return zload_error(L, file, line, "more than %u records in one zone (the limit)", ZLOAD_RECORDS_MAX);
	}
	dname_lower(lower, owner, olen);
	/* The previous record's owner (L->last) passed the check already. */
	if (!same_owner(L, lower, olen) && (ret = zload_check_in_zone(L, lower, file, line)) != STEER_EOK)
		return ret;
	if ((ret = recs_reserve(L)) == STEER_EOK)
		ret = owner_node(L, lower, olen, &n);
	if (ret == STEER_ERANGE)
		return zload_error(L, file, line, "more than %u records in one zone", ZLOAD_REC_NONE - 1);
	if (ret != STEER_EOK)
		return zload_nomem(L, file, line);
	if (file != L->last_file) { /* file is one of L->files */
		uint32_t i = (uint32_t)L->nfiles;
		while (i > 0 && L->files[i - 1] != file)
			i--;
		if (i == 0)
			return zload_nomem(L, file, line); /* not reached: reader.c names every file */
		L->last_file = file;
		L->last_file_ix = i - 1;
	}
	r = &L->recs[L->nrecs];
	memset(r, 0, sizeof(*r));
	r->rdlen = (uint16_t)rdlen;
	r->rdata = arena_memdup(&L->tmp, rdata, rdlen ? rdlen : 1);
	if (!r->rdata)
		return zload_nomem(L, file, line);
	r->type = type;
	r->ttl = ttl;
	r->file = L->last_file_ix;
	r->line = line;
	r->next = n->first_rec;
	n->first_rec = (uint32_t)L->nrecs++;
	return STEER_EOK;
}

/* Order of one owner's records: by type, then rdata (duplicates become
 * neighbours), then file position (the first of equals is reported). */
static int rec_cmp(const void *a, const void *b)
{
	const struct rec *x = a, *y = b;
	int c;

	if (x->type != y->type)
		return x->type < y->type ? -1 : 1;
	if (x->rdlen != y->rdlen)
		return x->rdlen < y->rdlen ? -1 : 1;
	c = memcmp(x->rdata, y->rdata, x->rdlen);
	if (c)
		return c;
	if (x->file != y->file)
		return x->file < y->file ? -1 : 1;
	return x->line < y->line ? -1 : x->line > y->line;
}

/* Mark duplicates in recs[0..n) (one type, sorted) and choose the rrset's
 * TTL. Returns the bytes the kept RRs take compiled; *kept is their count. */
static size_t rrset_merge(const struct loader *L, struct rec *recs, size_t n, uint32_t *ttl, size_t *kept)
{
	size_t total = 0;

	*ttl = recs[0].ttl;
	*kept = 0;
	for (size_t m = 0; m < n; m++) {
		struct rec *r = &recs[m];
		/* RFC 2181 5: duplicate RRs are one RR (sorted, so adjacent). */
		r->dup = m > 0 && r->rdlen == recs[m - 1].rdlen && memcmp(r->rdata, recs[m - 1].rdata, r->rdlen) == 0;
		if (r->dup)
			continue;
		if (r->ttl != *ttl) {
			/* RFC 2181 5.2: an RRset has one TTL; use the lowest. */
			log_warn("%s:%u: TTL %u differs from others in the RRset; using the lowest", rec_file(L, r), r->line,
				 r->ttl);
			if (r->ttl < *ttl)
				*ttl = r->ttl;
		}
		total += RR_FIXED + r->rdlen;
		(*kept)++;
	}
	return total;
}

/* One rrset s from recs[0..n) (one type, sorted): compiled RRs back to
 * back, after room for their targets' node pointers for the types that
 * have them (link.c fills them in; rrset_targets() in zone.h). */
static int rrset_build(struct loader *L, struct rrset *s, struct rec *recs, size_t n)
{
	struct zone *z = L->z;
	size_t kept, total = rrset_merge(L, recs, n, &s->ttl, &kept);
	uint8_t *w;

	if (kept > ZLOAD_RRSET_MAX) {
		char tn[16];
		zload_error(L, rec_file(L, &recs[0]), recs[0].line, "%s RRset of %zu records: more than %u in one RRset (the limit)",
			    dns_type_name(recs[0].type, tn, sizeof(tn)), kept, ZLOAD_RRSET_MAX);
		kept = ZLOAD_RRSET_MAX; /* the zone is rejected; keep the count in range */
	}
	s->type = recs[0].type;
	s->count = (uint16_t)kept;
	if (rrset_type_has_targets(s->type)) {
		w = arena_alloc(&z->arena, kept * sizeof(struct node *) + total);
		w = w ? w + kept * sizeof(struct node *) : NULL;
	} else {
		w = arena_alloc_packed(&z->arena, total);
	}
	if (!w)
		return STEER_ENOMEM;
	s->data = w;
	z->nrecords += kept;
	for (size_t m = 0; m < n; m++) {
		if (recs[m].dup)
			continue;
		rr_header_put(w, s->type, DNS_CLASS_IN, s->ttl, recs[m].rdlen);
		memcpy(w + RR_FIXED, recs[m].rdata, recs[m].rdlen);
		w += RR_FIXED + recs[m].rdlen;
	}
	return STEER_EOK;
}

/* The node facts the query path tests without looking at rrsets. */
static void node_flag(struct node *n, uint16_t type)
{
	if (type == DNS_TYPE_CNAME)
		n->flags |= NODE_CNAME;
	if (type == DNS_TYPE_DNAME)
		n->flags |= NODE_DNAME;
	if (type == DNS_TYPE_NS && !(n->flags & NODE_APEX))
		n->flags |= NODE_DELEG;
}

/* Every rrset of n from its records recs[0..count), sorted. */
static int node_build(struct loader *L, struct node *n, struct rec *recs, size_t count)
{
	size_t ntypes = 0;

	for (size_t i = 0; i < count; i++)
		if (i == 0 || recs[i].type != recs[i - 1].type)
			ntypes++;
	n->rrsets = arena_alloc(&L->z->arena, ntypes * sizeof(*n->rrsets));
	if (!n->rrsets && ntypes)
		return STEER_ENOMEM;
	for (size_t i = 0, j; i < count; i = j) {
		struct rrset *s = &n->rrsets[n->nrrsets++];
		for (j = i; j < count && recs[j].type == recs[i].type; j++)
			;
		if (rrset_build(L, s, recs + i, j - i) != STEER_EOK)
			return STEER_ENOMEM;
		node_flag(n, s->type);
		zload_check_rrset(L, n, s, &recs[i]);
	}
	zload_check_node(L, n, recs, count);
	return STEER_EOK;
}

/* Copy n's record list into *group (grown as needed), sorted. */
static int node_records(struct loader *L, const struct node *n, struct rec **group, size_t *cap, size_t *count)
{
	*count = 0;
	for (uint32_t i = n->first_rec; i != ZLOAD_REC_NONE; i = L->recs[i].next) {
		if (*count == *cap) {
			size_t ncap = *cap ? *cap * 2 : 64;
			struct rec *g = realloc(*group, ncap * sizeof(*g));
			if (!g)
				return STEER_ENOMEM;
			*group = g;
			*cap = ncap;
		}
		(*group)[(*count)++] = L->recs[i];
	}
	if (*count > 1)
		qsort(*group, *count, sizeof(**group), rec_cmp);
	return STEER_EOK;
}

/* Empty non-terminals: every missing ancestor of n up to the apex. */
static int add_ancestors(struct loader *L, const struct node *n)
{
	uint8_t name[DNAME_MAXLEN]; /* a copy: adding nodes may move n */
	const uint8_t *a = name;
	size_t len = n->namelen;

	memcpy(name, n->name, len);
	for (int lab = n->labels; lab > L->apexlabels + 1; lab--) {
		struct node *made;
		a += a[0] + 1;
		size_t alen = len - (size_t)(a - name);
		uint32_t ah = dname_hash(a, alen);
		if (zload_node_find(L->z, a, alen, ah))
			break; /* its ancestors were added with it */
		if (zload_node_add(L->z, a, alen, ah, &made) != STEER_EOK)
			return STEER_ENOMEM;
	}
	return STEER_EOK;
}

int zload_build(struct loader *L)
{
	struct rec *group = NULL;
	size_t cap = 0, count;
	int ret = STEER_EOK;

	for (size_t o = 0; o < L->nowners && ret == STEER_EOK; o++) {
		struct node *n = zload_node(L->z, L->owners[o]);
		if ((ret = node_records(L, n, &group, &cap, &count)) == STEER_EOK &&
		    (ret = node_build(L, n, group, count)) == STEER_EOK)
			ret = add_ancestors(L, n);
	}
	free(group);
	if (ret == STEER_EOK)
		zload_nodes_final(L->z);
	return ret;
}
