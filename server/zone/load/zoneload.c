/*
 * zoneload.c -- read an RFC 1035 master file and compile it (struct zone).
 *
 * The file is split into logical entries here (comments, parentheses,
 * quotes, $ORIGIN/$TTL/$INCLUDE), so that every error carries the file and
 * line where its entry starts and so that one run reports every bad entry.
 * Common records (A, AAAA, NS, CNAME, MX, TXT, SRV, ...) are parsed by
 * zonefast.c; every other entry by ldns (ldns_rr_new_frm_str), which knows
 * every RR type's presentation format, TTL units and RFC 3597 \# syntax.
 * Records are grouped by owner as they are read (the owner's node heads a
 * list of its records), then each owner's records are sorted into rrsets,
 * checked (SOA, NS, CNAME exclusivity), and linked (cuts, wildcards,
 * additional-section targets). This is the only file that uses ldns.
 */
#include "config.h"
#include "server/zone/load/zoneload.h"
#include "server/zone/zone.h"
#include "common/dns.h"
#include "server/wire/dname.h"
#include "server/zone/load/zonefast.h"
#include "common/errlist.h"
#include "common/log.h"

#include <arpa/inet.h>
#include <ldns/ldns.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define INCLUDE_DEPTH_MAX 10
#define DEFAULT_TTL 3600

#define REC_NONE UINT32_MAX

/* One record as read. Records are grouped by owner as they are read: the
 * owner's node (in the zone's own table) heads a list of its records, so
 * no global sort is needed; only each owner's few records are sorted. */
struct rec {
	uint16_t type;
	uint16_t rdlen;
	uint32_t ttl;
	uint8_t *rdata;    /* in the loader's arena */
	const char *file;  /* points into loader.files */
	unsigned line;
	uint32_t next;     /* next record of the same owner, or REC_NONE */
	int dup;           /* same as the previous record: dropped */
};

struct loader {
	const char *zone_name;
	struct zone *z;    /* being built; nodes are made while reading */
	uint8_t apex[DNAME_MAXLEN];
	uint16_t apexlen;
	int apexlabels;
	struct rec *recs;
	size_t nrecs, cap;
	struct node *last;    /* owner of the previous record */
	struct node **owners; /* nodes that own records, in file order */
	size_t nowners, owners_cap;
	struct arena tmp;  /* record data while loading */
	struct zonefast_rr *fast; /* owned: the fast parser's output (64 KiB) */
	char **files; /* every file read, for error locations */
	size_t nfiles;
	struct errlist *errs;
	ldns_buffer *buf;
};

/* --- reading logical entries --------------------------------------------- */

struct reader {
	FILE *f;
	const char *path;
	unsigned line;  /* current physical line */
	char *entry;    /* the current logical entry */
	size_t cap;
};

/* Read the next logical entry: one record or directive, with parentheses
 * joined into one line and comments removed. Leading blanks are kept (they
 * mean "same owner as before"). Returns 1 with *start_line set, 0 at EOF, -1
 * on a syntax error (message in err). */
static int reader_next(struct reader *r, unsigned *start_line, const char **err)
{
	int depth = 0, quoted = 0, c, have = 0;
	size_t len = 0;

	*err = NULL;
	for (;;) {
		c = getc(r->f);
		if (len + 4 >= r->cap) {
			size_t ncap = r->cap ? r->cap * 2 : 1024;
			char *n = realloc(r->entry, ncap);
			if (!n) {
				*err = "out of memory";
				return -1;
			}
			r->entry = n;
			r->cap = ncap;
		}
		if (c == EOF) {
			if (quoted || depth) {
				*err = quoted ? "unterminated quoted string" : "unbalanced parentheses";
				return -1;
			}
			break;
		}
		if (!have && c != '\n' && c != ' ' && c != '\t' && c != '\r' && c != ';') {
			have = 1;
			*start_line = r->line;
		}
		if (quoted) {
			if (c == '\\') {
				int d = getc(r->f);
				r->entry[len++] = (char)c;
				if (d == EOF)
					continue;
				if (d == '\n')
					r->line++;
				c = d;
			} else if (c == '"') {
				quoted = 0;
			} else if (c == '\n') {
				r->line++;
			}
			r->entry[len++] = (char)c;
			continue;
		}
		if (c == '\\') {
			int d = getc(r->f);
			r->entry[len++] = '\\';
			if (d != EOF)
				r->entry[len++] = (char)d;
			continue;
		}
		if (c == ';') {
			while ((c = getc(r->f)) != EOF && c != '\n')
				;
			if (c == EOF)
				continue;
		}
		if (c == '"') {
			quoted = 1;
		} else if (c == '(') {
			depth++;
			c = ' ';
		} else if (c == ')') {
			if (--depth < 0) {
				*start_line = r->line;
				*err = "unbalanced parentheses";
				return -1;
			}
			c = ' ';
		}
		if (c == '\n') {
			r->line++;
			if (depth == 0) {
				if (have)
					break;
				len = 0; /* blank or comment-only line */
				continue;
			}
			c = ' ';
		}
		if (c == '\r')
			c = ' ';
		r->entry[len++] = (char)c;
	}
	/* Trim trailing blanks. */
	while (len > 0 && (r->entry[len - 1] == ' ' || r->entry[len - 1] == '\t'))
		len--;
	r->entry[len] = '\0';
	return have ? 1 : 0;
}

/* --- collecting records --------------------------------------------------- */

static void lerr(struct loader *L, const char *file, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void lerr(struct loader *L, const char *file, unsigned line, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	errlist_add(L->errs, "%s:%u: %s", file, line, msg);
}

static struct node *node_add(struct zone *z, const uint8_t *name, size_t len, uint32_t h);
static struct node *table_get(struct zone *z, const uint8_t *name, size_t len, uint32_t h);

/* The node for owner (lowercase wire), made on first sight. */
static struct node *owner_node(struct loader *L, const uint8_t *owner, size_t olen)
{
	struct node *n = L->last;
	uint32_t h;

	/* Records of one owner usually follow each other in a file: skip the
	 * table (a cache miss per record on big zones) for the same owner. */
	if (n && n->namelen == olen && memcmp(n->name, owner, olen) == 0)
		return n;
	h = dname_hash(owner, olen);
	if ((n = table_get(L->z, owner, olen, h)) != NULL)
		return L->last = n;
	if (L->nowners == L->owners_cap) {
		size_t ncap = L->owners_cap ? L->owners_cap * 2 : 1024;
		struct node **o = realloc(L->owners, ncap * sizeof(*o));
		if (!o)
			return NULL;
		L->owners = o;
		L->owners_cap = ncap;
	}
	if (!(n = node_add(L->z, owner, olen, h)))
		return NULL;
	n->first_rec = REC_NONE;
	L->owners[L->nowners++] = n;
	return L->last = n;
}

/* Record one RR of class IN: owner as written (any case), rdata in wire form. */
static int add_wire(struct loader *L, const uint8_t *owner, size_t olen, uint16_t type, uint32_t ttl,
		    const uint8_t *rdata, size_t rdlen, const char *file, unsigned line)
{
	uint8_t lower[DNAME_MAXLEN];
	struct node *n;
	struct rec *r;

	if (olen > DNAME_MAXLEN) {
		lerr(L, file, line, "owner name too long");
		return -1;
	}
	if (rdlen > 65535 - RR_FIXED) {
		lerr(L, file, line, "record data too long");
		return -1;
	}
	dname_lower(lower, owner, olen);
	if (!dname_is_subdomain(lower, dname_labels(lower), L->apex, L->apexlabels)) {
		char o[DNAME_MAXLEN * 4 + 8];
		dname_to_str(lower, o, sizeof(o));
		lerr(L, file, line, "%s is outside the zone %s", o, L->zone_name);
		return -1;
	}
	if (L->nrecs == L->cap) {
		size_t ncap = L->cap ? L->cap * 2 : 1024;
		struct rec *nr = realloc(L->recs, ncap * sizeof(*nr));
		if (!nr)
			goto nomem;
		L->recs = nr;
		L->cap = ncap;
	}
	if (L->nrecs >= REC_NONE || !(n = owner_node(L, lower, olen)))
		goto nomem;
	r = &L->recs[L->nrecs];
	memset(r, 0, sizeof(*r));
	r->rdlen = (uint16_t)rdlen;
	r->rdata = arena_memdup(&L->tmp, rdata, rdlen ? rdlen : 1);
	if (!r->rdata)
		goto nomem;
	r->type = type;
	r->ttl = ttl;
	r->file = file;
	r->line = line;
	r->next = n->first_rec;
	n->first_rec = (uint32_t)L->nrecs++;
	return 0;
nomem:
	lerr(L, file, line, "out of memory");
	return -1;
}

static int add_rec(struct loader *L, ldns_rr *rr, const char *file, unsigned line)
{
	ldns_rdf *owner = ldns_rr_owner(rr);

	if (ldns_rr_get_class(rr) != LDNS_RR_CLASS_IN) {
		lerr(L, file, line, "only class IN is served");
		return -1;
	}
	ldns_buffer_clear(L->buf);
	if (ldns_rr_rdata2buffer_wire(L->buf, rr) != LDNS_STATUS_OK) {
		lerr(L, file, line, "cannot convert the record to wire format");
		return -1;
	}
	return add_wire(L, ldns_rdf_data(owner), ldns_rdf_size(owner), (uint16_t)ldns_rr_get_type(rr),
			ldns_rr_ttl(rr), ldns_buffer_begin(L->buf), ldns_buffer_position(L->buf), file, line);
}

static int read_file(struct loader *L, const char *path, ldns_rdf *origin_in, uint32_t ttl_in, int depth);

/* First whitespace-separated token of s into tok; returns the rest. */
static const char *token(const char *s, char *tok, size_t size)
{
	size_t n = 0;
	while (*s == ' ' || *s == '\t')
		s++;
	while (*s && *s != ' ' && *s != '\t') {
		if (n + 1 < size)
			tok[n++] = *s;
		s++;
	}
	tok[n] = '\0';
	return s;
}

static int directive(struct loader *L, const char *file, unsigned line, const char *entry, ldns_rdf **origin,
		     uint32_t *default_ttl, int depth)
{
	char kw[16], arg[1024], arg2[1024];
	const char *rest = token(entry, kw, sizeof(kw));

	rest = token(rest, arg, sizeof(arg));
	if (strcasecmp(kw, "$ORIGIN") == 0) {
		ldns_rdf *o = NULL;
		if (!arg[0] || ldns_str2rdf_dname(&o, arg) != LDNS_STATUS_OK) {
			lerr(L, file, line, "$ORIGIN needs a domain name");
			return -1;
		}
		if (!ldns_dname_str_absolute(arg)) {
			/* A relative $ORIGIN is relative to the current origin. */
			ldns_rdf *abs = ldns_dname_cat_clone(o, *origin);
			ldns_rdf_deep_free(o);
			o = abs;
		}
		ldns_rdf_deep_free(*origin);
		*origin = o;
		return 0;
	}
	if (strcasecmp(kw, "$TTL") == 0) {
		const char *end = NULL;
		uint32_t t = ldns_str2period(arg, &end);
		if (!arg[0] || (end && *end)) {
			lerr(L, file, line, "$TTL needs a time value (e.g. 3600, 1h, 1w2d)");
			return -1;
		}
		*default_ttl = t;
		return 0;
	}
	if (strcasecmp(kw, "$INCLUDE") == 0) {
		ldns_rdf *inc_origin = NULL;
		char *incpath = NULL;
		int ret;

		if (!arg[0]) {
			lerr(L, file, line, "$INCLUDE needs a file name");
			return -1;
		}
		if (depth >= INCLUDE_DEPTH_MAX) {
			lerr(L, file, line, "$INCLUDE nested more than %d deep", INCLUDE_DEPTH_MAX);
			return -1;
		}
		token(rest, arg2, sizeof(arg2));
		if (arg2[0]) {
			if (ldns_str2rdf_dname(&inc_origin, arg2) != LDNS_STATUS_OK) {
				lerr(L, file, line, "bad origin '%s' in $INCLUDE", arg2);
				return -1;
			}
		}
		/* Strip quotes; a relative name is relative to the including file. */
		size_t al = strlen(arg);
		if (al >= 2 && arg[0] == '"' && arg[al - 1] == '"') {
			memmove(arg, arg + 1, al - 2);
			arg[al - 2] = '\0';
		}
		if (arg[0] == '/') {
			incpath = strdup(arg);
		} else {
			char *copy = strdup(file);
			if (copy && asprintf(&incpath, "%s/%s", dirname(copy), arg) < 0)
				incpath = NULL;
			free(copy);
		}
		if (!incpath) {
			ldns_rdf_deep_free(inc_origin);
			lerr(L, file, line, "out of memory");
			return -1;
		}
		/* The included file starts with the given origin (or ours) and
		 * does not change ours (RFC 1035 5.1). */
		ret = read_file(L, incpath, inc_origin ? inc_origin : *origin, *default_ttl, depth + 1);
		if (ret == -2)
			lerr(L, file, line, "$INCLUDE %s: cannot open: %s", incpath, strerror(errno));
		ldns_rdf_deep_free(inc_origin);
		free(incpath);
		return ret < 0 ? -1 : 0;
	}
	lerr(L, file, line, "unknown directive %s", kw);
	return -1;
}

/* Returns 0, -1 after errors were recorded, -2 when the file cannot be opened. */
static int read_file(struct loader *L, const char *path, ldns_rdf *origin_in, uint32_t ttl_in, int depth)
{
	struct reader r = { .path = path, .line = 1 };
	ldns_rdf *origin = ldns_rdf_clone(origin_in), *prev = NULL;
	/* An included file starts with the includer's $TTL (as BIND and NSD do);
	 * its own $TTL and $ORIGIN do not leak back. */
	uint32_t default_ttl = ttl_in;
	const char *file, *err;
	unsigned start = 1;
	char **files;
	int ret = 0, n;

	r.f = fopen(path, "r");
	if (!r.f) {
		ldns_rdf_deep_free(origin);
		return -2;
	}
	files = realloc(L->files, (L->nfiles + 1) * sizeof(*files));
	if (!files || !(files[L->nfiles] = strdup(path))) {
		if (files)
			L->files = files;
		fclose(r.f);
		ldns_rdf_deep_free(origin);
		errlist_add(L->errs, "%s: out of memory", path);
		return -1;
	}
	L->files = files;
	file = L->files[L->nfiles++];

	/* Common records (A, AAAA, NS, CNAME, MX, TXT, SRV, ...) are parsed by
	 * zonefast.c, seven times faster than ldns and byte-identical to it
	 * (tests/unit/test_zonefast.c checks that); ldns takes everything else.
	 * The two keep one notion of "the previous owner" for blank owners. */
	struct zonefast_state fs;
	int fast_since_ldns = 0;
	zonefast_init(&fs);
	zonefast_set_origin(&fs, ldns_rdf_data(origin), ldns_rdf_size(origin));

	while ((n = reader_next(&r, &start, &err)) != 0) {
		ldns_rr *rr = NULL;
		ldns_status st;

		if (n < 0) {
			lerr(L, file, start, "%s", err);
			ret = -1;
			break;
		}
		if (r.entry[0] == '$') {
			if (directive(L, file, start, r.entry, &origin, &default_ttl, depth) < 0)
				ret = -1;
			zonefast_set_origin(&fs, ldns_rdf_data(origin), ldns_rdf_size(origin));
			continue;
		}
		if (zonefast_parse(r.entry, default_ttl, &fs, L->fast) == 1) {
			if (add_wire(L, L->fast->owner, L->fast->ownerlen, L->fast->type, L->fast->ttl, L->fast->rdata,
				     L->fast->rdlen, file, start) < 0)
				ret = -1;
			fast_since_ldns = 1;
			continue;
		}
		if (fast_since_ldns && fs.have_prev) {
			/* ldns's idea of the previous owner is stale after fast records. */
			ldns_rdf_deep_free(prev);
			prev = ldns_rdf_new_frm_data(LDNS_RDF_TYPE_DNAME, fs.prevlen, fs.prev_owner);
		}
		fast_since_ldns = 0;
		if (strlen(r.entry) > LDNS_MAX_RDFLEN) {
			/* ldns would silently cut the text and load changed data. */
			lerr(L, file, start, "record longer than %d characters", LDNS_MAX_RDFLEN);
			ret = -1;
			continue;
		}
		zonefast_normalize_class_ttl(r.entry);
		st = ldns_rr_new_frm_str(&rr, r.entry, default_ttl, origin, &prev);
		if (prev) /* ldns sets prev before parsing rdata, so also after a failure */
			zonefast_set_prev(&fs, ldns_rdf_data(prev), ldns_rdf_size(prev));
		if (st != LDNS_STATUS_OK) {
			lerr(L, file, start, "%s", ldns_get_errorstr_by_id(st));
			ret = -1;
			continue;
		}
		if (add_rec(L, rr, file, start) < 0)
			ret = -1;
		ldns_rr_free(rr);
	}
	free(r.entry);
	fclose(r.f);
	ldns_rdf_deep_free(origin);
	ldns_rdf_deep_free(prev);
	return ret;
}

/* --- compiling ------------------------------------------------------------- */

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

static struct node *table_get(struct zone *z, const uint8_t *name, size_t len, uint32_t h)
{
	return (struct node *)zone_find(z, name, len, h);
}

/* Insert without growing (the caller made room). */
static void table_insert(const struct node **table, uint32_t mask, const struct node *n)
{
	uint32_t i = n->hash & mask;
	while (table[i])
		i = (i + 1) & mask;
	table[i] = n;
}

/* Insert n, doubling the table first when it would pass half full. */
static int table_put(struct zone *z, struct node *n)
{
	if ((z->nnodes + 1) * 2 > (size_t)z->mask + 1) {
		uint32_t nmask = z->mask * 2 + 1;
		const struct node **nt = calloc((size_t)nmask + 1, sizeof(*nt));
		if (!nt)
			return -1;
		for (uint32_t i = 0; i <= z->mask; i++)
			if (z->table[i])
				table_insert(nt, nmask, z->table[i]);
		free(z->table);
		z->table = nt;
		z->mask = nmask;
	}
	table_insert(z->table, z->mask, n);
	z->nnodes++;
	return 0;
}

static struct node *node_add(struct zone *z, const uint8_t *name, size_t len, uint32_t h)
{
	struct node *n = arena_alloc(&z->arena, sizeof(*n));
	if (!n || !(n->name = arena_memdup(&z->arena, name, len)))
		return NULL;
	n->namelen = (uint16_t)len;
	n->labels = (uint8_t)dname_labels(name);
	n->hash = h;
	if (table_put(z, n) < 0)
		return NULL;
	return n;
}

/* Offset of the target name inside the rdata of NS, MX and SRV. */
static int target_offset(uint16_t type)
{
	switch (type) {
	case LDNS_RR_TYPE_NS: return 0;
	case LDNS_RR_TYPE_MX: return 2;
	case LDNS_RR_TYPE_SRV: return 6;
	default: return -1;
	}
}

static int build_rrsets(struct loader *L, struct zone *z, struct node *n, struct rec *recs, size_t count)
{
	size_t ntypes = 0;
	for (size_t i = 0; i < count; i++)
		if (i == 0 || recs[i].type != recs[i - 1].type)
			ntypes++;
	n->rrsets = arena_alloc(&z->arena, ntypes * sizeof(*n->rrsets));
	if (!n->rrsets)
		return -1;
	for (size_t i = 0; i < count;) {
		size_t j = i, k = 0;
		while (j < count && recs[j].type == recs[i].type)
			j++;
		struct rrset *s = &n->rrsets[n->nrrsets++];
		size_t total = 0;
		uint8_t *w;
		s->type = recs[i].type;
		s->ttl = recs[i].ttl;
		for (size_t m = i; m < j; m++) {
			struct rec *r = &recs[m];
			/* RFC 2181 5: duplicate RRs are one RR (sorted, so adjacent). */
			r->dup = m > i && r->rdlen == recs[m - 1].rdlen && memcmp(r->rdata, recs[m - 1].rdata, r->rdlen) == 0;
			if (r->dup)
				continue;
			if (r->ttl != s->ttl) {
				/* RFC 2181 5.2: an RRset has one TTL; use the lowest. */
				log_warn("%s:%u: TTL %u differs from others in the RRset; using the lowest", r->file,
					 r->line, r->ttl);
				if (r->ttl < s->ttl)
					s->ttl = r->ttl;
			}
			total += RR_FIXED + r->rdlen;
			k++;
		}
		w = arena_alloc(&z->arena, total);
		if (!w)
			return -1;
		s->data = w;
		s->count = (uint16_t)k;
		z->nrecords += k;
		for (size_t m = i; m < j; m++) {
			struct rec *r = &recs[m];
			if (r->dup)
				continue;
			rr_header_put(w, s->type, DNS_CLASS_IN, s->ttl, (uint16_t)r->rdlen);
			memcpy(w + RR_FIXED, r->rdata, r->rdlen);
			w += RR_FIXED + r->rdlen;
		}
		if (s->type == LDNS_RR_TYPE_CNAME)
			n->flags |= NODE_CNAME;
		if (s->type == LDNS_RR_TYPE_DNAME)
			n->flags |= NODE_DNAME;
		if (s->type == LDNS_RR_TYPE_NS && !(n->flags & NODE_APEX))
			n->flags |= NODE_DELEG;
		if (s->type == LDNS_RR_TYPE_CNAME && s->count > 1)
			lerr(L, recs[i].file, recs[i].line, "more than one CNAME at the same name");
		if (s->type == LDNS_RR_TYPE_SOA && !(n->flags & NODE_APEX))
			lerr(L, recs[i].file, recs[i].line, "SOA record not at the zone apex");
		i = j;
	}
	if ((n->flags & NODE_CNAME) && n->nrrsets > 1) {
		for (size_t i = 0; i < count; i++)
			if (recs[i].type == LDNS_RR_TYPE_CNAME) {
				lerr(L, recs[i].file, recs[i].line, "CNAME and other data at the same name");
				break;
			}
	}
	return 0;
}

/* Link every node to its parent's facts, parents first: zone cuts occlude
 * everything below them, DNAMEs redirect everything below them, and a "*"
 * child makes its parent a wildcard source (RFC 4592). */
static int link_nodes(struct zone *z)
{
	struct node **order = malloc((z->nnodes ? z->nnodes : 1) * sizeof(*order));
	size_t start[DNAME_MAXLABELS + 2] = { 0 }, k = 0;

	if (!order)
		return -1;
	/* Parents first: a counting sort by label count (at most 127). */
	for (uint32_t i = 0; i <= z->mask; i++)
		if (z->table[i])
			start[z->table[i]->labels + 1]++;
	for (int l = 1; l < DNAME_MAXLABELS + 2; l++)
		start[l] += start[l - 1];
	for (uint32_t i = 0; i <= z->mask; i++)
		if (z->table[i])
			order[start[z->table[i]->labels]++] = (struct node *)z->table[i];
	k = z->nnodes;
	for (size_t i = 0; i < k; i++) {
		struct node *n = order[i];
		if (n->flags & NODE_APEX)
			continue;
		const uint8_t *pname = n->name + n->name[0] + 1;
		size_t plen = n->namelen - n->name[0] - 1u;
		struct node *p = table_get(z, pname, plen, dname_hash(pname, plen));
		if (!p) /* cannot happen: ancestors were added as empty non-terminals */
			continue;
		n->cut = p->cut ? p->cut : ((n->flags & NODE_DELEG) ? n : NULL);
		n->dname = (p->flags & NODE_DNAME) ? p : p->dname;
		if (n->name[0] == 1 && n->name[1] == '*')
			p->wildcard = n;
	}
	free(order);
	return 0;
}

/* Resolve NS/MX/SRV targets that live in this zone, for additional data. */
static int link_targets(struct zone *z)
{
	for (uint32_t i = 0; i <= z->mask; i++) {
		struct node *n = (struct node *)z->table[i];
		for (uint16_t j = 0; n && j < n->nrrsets; j++) {
			struct rrset *s = &n->rrsets[j];
			int off = target_offset(s->type);
			if (off < 0)
				continue;
			s->targets = arena_alloc(&z->arena, s->count * sizeof(*s->targets));
			if (!s->targets)
				return -1;
			const uint8_t *rr = s->data;
			for (uint16_t r = 0; r < s->count; r++, rr += rr_len(rr)) {
				const uint8_t *rd = rr + RR_FIXED + off;
				int len = dname_len(rd, rr + rr_len(rr));
				uint8_t lower[DNAME_MAXLEN];
				if (len < 0)
					continue;
				dname_lower(lower, rd, (size_t)len);
				if (dname_is_subdomain(lower, dname_labels(lower), z->apex, z->apexlabels))
					s->targets[r] = zone_find(z, lower, (size_t)len, dname_hash(lower, (size_t)len));
			}
		}
	}
	return 0;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int compile(struct loader *L, struct zone *z)
{
	const char *file = L->nfiles ? L->files[0] : z->file;
	struct node *apex = (struct node *)z->apex_node;
	struct rec *group = NULL;
	size_t group_cap = 0;
	int ret = -1;

	for (size_t o = 0; o < L->nowners; o++) {
		struct node *n = L->owners[o];
		size_t count = 0;

		/* Gather this owner's records (a short list) and sort them. */
		for (uint32_t i = n->first_rec; i != REC_NONE; i = L->recs[i].next) {
			if (count == group_cap) {
				size_t ncap = group_cap ? group_cap * 2 : 64;
				struct rec *g = realloc(group, ncap * sizeof(*g));
				if (!g)
					goto out;
				group = g;
				group_cap = ncap;
			}
			group[count++] = L->recs[i];
		}
		if (count > 1)
			qsort(group, count, sizeof(*group), rec_cmp);
		if (build_rrsets(L, z, n, group, count) < 0)
			goto out;
		/* Empty non-terminals: every missing ancestor up to the apex. */
		const uint8_t *a = n->name;
		for (int lab = n->labels; lab > L->apexlabels + 1; lab--) {
			a += a[0] + 1;
			size_t alen = n->namelen - (size_t)(a - n->name);
			uint32_t ah = dname_hash(a, alen);
			if (table_get(z, a, alen, ah))
				break; /* its ancestors were added with it */
			if (!node_add(z, a, alen, ah))
				goto out;
		}
	}
	ret = 0;
out:
	free(group);
	if (ret < 0)
		return ret;

	z->soa = node_rrset(apex, LDNS_RR_TYPE_SOA);
	if (!z->soa) {
		errlist_add(L->errs, "%s:1: zone %s has no SOA record at its apex", file, L->zone_name);
	} else if (z->soa->count != 1) {
		errlist_add(L->errs, "%s:1: zone %s has %u SOA records; exactly one is allowed", file, L->zone_name,
			    z->soa->count);
	} else {
		const uint8_t *end = z->soa->data + rr_len(z->soa->data), *p = z->soa->data + RR_FIXED;
		int l1 = dname_len(p, end), l2 = l1 < 0 ? -1 : dname_len(p + l1, end);
		if (l1 < 0 || l2 < 0 || p + l1 + l2 + 20 != end) {
			errlist_add(L->errs, "%s:1: malformed SOA record", file);
		} else {
			uint32_t minimum = get32(end - 4);
			z->serial = get32(p + l1 + l2);
			z->neg_ttl = z->soa->ttl < minimum ? z->soa->ttl : minimum;
		}
	}
	if (!node_rrset(apex, LDNS_RR_TYPE_NS))
		errlist_add(L->errs, "%s:1: zone %s has no NS records at its apex", file, L->zone_name);
	if (link_nodes(z) < 0 || link_targets(z) < 0)
		return -1;
	return 0;
}

struct zone *zone_load(const char *name, const char *file, struct errlist *errs)
{
	struct loader L = { .zone_name = name, .errs = errs };
	struct zone *z = calloc(1, sizeof(*z));
	ldns_rdf *origin = NULL;
	size_t nerr_before = errlist_count(errs);
	char namebuf[DNAME_MAXLEN * 4 + 8];
	struct timespec t0, t1;
	int ret;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (!z)
		goto nomem;
	arena_init(&z->arena);
	if (ldns_str2rdf_dname(&origin, name) != LDNS_STATUS_OK || ldns_rdf_size(origin) > DNAME_MAXLEN) {
		errlist_add(errs, "%s: zone name '%s' is not a valid domain name", file, name);
		goto fail;
	}
	L.apexlen = (uint16_t)ldns_rdf_size(origin);
	dname_lower(L.apex, ldns_rdf_data(origin), L.apexlen);
	L.apexlabels = dname_labels(L.apex);
	dname_to_str(L.apex, namebuf, sizeof(namebuf));
	z->name = arena_memdup(&z->arena, namebuf, strlen(namebuf) + 1);
	z->file = arena_memdup(&z->arena, file, strlen(file) + 1);
	L.buf = ldns_buffer_new(65536);
	L.fast = malloc(sizeof(*L.fast));
	L.z = z;
	arena_init(&L.tmp);
	z->mask = 1023;
	z->table = calloc(z->mask + 1u, sizeof(*z->table));
	if (!z->name || !z->file || !L.buf || !L.fast || !z->table)
		goto nomem;
	/* The apex exists even if only as a name; the checks need it. */
	struct node *apex = node_add(z, L.apex, L.apexlen, dname_hash(L.apex, L.apexlen));
	if (!apex)
		goto nomem;
	apex->flags |= NODE_APEX;
	apex->first_rec = REC_NONE;
	z->apex_node = apex;
	z->apex = apex->name;
	z->apexlen = apex->namelen;
	z->apexlabels = (uint8_t)L.apexlabels;
	if (!(L.owners = malloc(1024 * sizeof(*L.owners))))
		goto nomem;
	L.owners_cap = 1024;
	L.owners[L.nowners++] = apex;

	ret = read_file(&L, file, origin, DEFAULT_TTL, 0);
	if (ret == -2) {
		errlist_add(errs, "%s: cannot open: %s", file, strerror(errno));
		goto fail;
	}
	if (L.nrecs == 0 && errlist_count(errs) == nerr_before)
		errlist_add(errs, "%s:1: zone %s has no records", file, name);
	/* Check structure even after syntax errors, so one run shows every
	 * problem; the zone is rejected below either way. */
	if (L.nrecs > 0 && compile(&L, z) < 0)
		goto nomem;
	if (errlist_count(errs) != nerr_before)
		goto fail;
	z->loaded_at = time(NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	z->load_seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	goto done;
nomem:
	errlist_add(errs, "%s: out of memory while loading", file);
fail:
	zone_free(z);
	z = NULL;
done:
	free(L.recs);
	free(L.fast);
	free(L.owners);
	arena_clear(&L.tmp);
	for (size_t i = 0; i < L.nfiles; i++)
		free(L.files[i]);
	free(L.files);
	if (L.buf)
		ldns_buffer_free(L.buf);
	ldns_rdf_deep_free(origin);
	return z;
}
