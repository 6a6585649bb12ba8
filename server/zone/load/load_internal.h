/*
 * load_internal.h -- the zone loader's shared state; included only by the
 * files of server/zone/load/.
 *
 * One zone_load() call owns one struct loader from start to end. The files
 * take turns on it, in this order:
 *
 *   reader.c  master file -> logical entries -> records: $ORIGIN, $TTL,
 *             $INCLUDE, then zonefast.c for the common records, ldns for
 *             the rest (reader.c and syntax.c are the only users of ldns)
 *   syntax.c  for entries ldns read: the token that is wrong, named
 *   build.c   records -> each owner's node (made while reading), then its
 *             records sorted into rrsets: duplicates, TTL merge, limits
 *   check.c   zone rules: in-zone owners, one SOA at the apex, apex NS,
 *             CNAME alone at its name
 *   link.c    node table, parents (cuts, DNAMEs, wildcards), in-zone
 *             targets of NS/MX/SRV for the additional section
 *   zoneload.c  zone_load(): sets the loader up, runs the steps, frees it
 *
 * Every function returns STEER_EOK or a negative STEER_E* code. A
 * STEER_EMALF return means "errors were added to L->errs, keep going": one
 * run reports every bad entry. The shared functions start with zload_.
 */
#ifndef STEER_LOAD_INTERNAL_H
#define STEER_LOAD_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "common/dns.h"
#include "server/wire/dname.h"
#include "server/zone/arena.h"
#include "server/zone/zone.h"

struct errlist;
struct node;
struct rrset;
struct zone;
struct zonefast_rr;

#define ZLOAD_INCLUDE_DEPTH_MAX 10
/* Bounds on what a zone may make us read and hold (README "Security"):
 * a file that is too big, an entry without end (a file of zeros), or a
 * device or FIFO that never ends is an error naming the limit, not an
 * out-of-memory kill. */
#define ZLOAD_BYTES_MAX (4ull << 30)   /* a zone's files together: 4 GiB */
#define ZLOAD_ENTRY_MAX (1u << 20)     /* one logical entry (a record, parentheses joined): 1 MiB */
#define ZLOAD_RECORDS_MAX 50000000u    /* records in one zone */
#define ZLOAD_RRSET_MAX 10000u         /* records in one RRset (more cannot be sent in one message anyway) */
#define ZLOAD_DEFAULT_TTL 3600 /* before any $TTL (RFC 2308 leaves it to us) */
#define ZLOAD_REC_NONE UINT32_MAX

/* One record as read. Records are grouped by owner as they are read: the
 * owner's node (in the zone's own table) heads a list of its records, so
 * no global sort is needed; only each owner's few records are sorted. */
/* 32 bytes: one per record of the zone is alive until the build ends, so
 * its size is a tenth of the load's peak on a large zone. */
struct rec {
	uint16_t type;
	uint16_t rdlen;
	uint32_t ttl;
	uint8_t *rdata;   /* in loader.tmp */
	unsigned line;
	uint32_t next;    /* next record of the same owner, or ZLOAD_REC_NONE */
	uint32_t file;    /* index in loader.files (rec_file()) */
	uint8_t dup;      /* same as the previous record of the rrset: dropped */
};

struct loader {
	const char *zone_name;      /* borrowed from the caller */
	struct zone *z;             /* being built; nodes are made while reading */
	uint8_t apex[DNAME_MAXLEN]; /* lowercase wire */
	uint16_t apexlen;
	int apexlabels;
	struct rec *recs;           /* owned (malloc) */
	size_t nrecs, cap;
	uint32_t last;              /* owner of the previous record (zload_node(); 0: none) */
	uint32_t *owners;           /* owned: nodes that own records (zload_node()), file order */
	size_t nowners, owners_cap;
	struct arena tmp;           /* record data while loading */
	struct zonefast_rr *fast;   /* owned: the fast parser's output (64 KiB) */
	char **files;               /* owned: every file read, for error locations */
	size_t nfiles;
	struct errlist *errs;       /* borrowed: where every error goes */
	unsigned long long bytes;   /* size of the files opened so far (ZLOAD_BYTES_MAX) */
	int over_records;           /* ZLOAD_RECORDS_MAX reported; later records are dropped */
	const char *last_file;      /* file of the previous record, and its */
	uint32_t last_file_ix;      /* index in files (a file changes rarely) */
};

/* The file a record came from. */
static inline const char *rec_file(const struct loader *L, const struct rec *r)
{
	return L->files[r->file];
}

/* Add "file:line: reason" to L->errs ("file: reason" when line is 0).
 * Returns STEER_EMALF, so that a failed check can end in one return. */
int zload_error(struct loader *L, const char *file, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Report "out of memory" at file:line; returns STEER_ENOMEM. */
int zload_nomem(struct loader *L, const char *file, unsigned line);

/* --- reader.c --- */

/* Wire form of the zone name into L->apex (lowercased). Reports a bad name
 * against file. STEER_EOK or STEER_EMALF. */
int zload_zone_name(struct loader *L, const char *name, const char *file);
/* Read the zone's master file (origin: the apex, $TTL: ZLOAD_DEFAULT_TTL)
 * and its $INCLUDEs, adding every record. STEER_EOK; STEER_EMALF after
 * errors (recorded); or another code when the file cannot be read at all
 * (recorded too). */
int zload_read_zone(struct loader *L, const char *path);

/* --- syntax.c --- */

/* Check one entry (as given to ldns: class/TTL swapped) token by token: the
 * owner, TTL, class, type, and for the common types every RDATA field.
 * originlen is the wire length of the origin in force (for the length of
 * relative names). Sets *type to the record type when the type token is
 * known (0 otherwise). Returns STEER_EOK when no token is wrong, or
 * STEER_EMALF with a reason that quotes the bad token in msg. */
int zload_syntax_check(const char *entry, size_t originlen, uint16_t *type, char *msg, size_t size);
/* The same for a domain name token alone (e.g. $ORIGIN's argument).
 * STEER_EOK, or STEER_EMALF with "bad domain name 'x': why" in msg. */
int zload_syntax_name(const char *name, size_t n, size_t originlen, char *msg, size_t size);
/* A TTL or period: decimal seconds or units (1h30m, 2w), at most
 * 4294967295. STEER_EOK with *val set, or STEER_EINVAL. */
int zload_syntax_period(const char *s, size_t n, uint32_t *val);

/* --- build.c --- */

/* Add one record of class IN: owner as written (any case, wire), rdata in
 * wire form. Reports (at file:line) names outside the zone and over-long
 * owners or rdata: STEER_EMALF; STEER_ENOMEM when out of memory. */
int zload_add_record(struct loader *L, const uint8_t *owner, size_t olen, uint16_t type, uint32_t ttl,
		     const uint8_t *rdata, size_t rdlen, const char *file, unsigned line);
/* Turn every owner's records into rrsets and add the empty non-terminals.
 * Zone-rule violations are recorded (STEER_EOK still); STEER_ENOMEM ends it. */
int zload_build(struct loader *L);

/* --- check.c --- */

/* Is the (lowercase) owner at or below the apex? STEER_EOK or STEER_EMALF
 * (recorded at file:line). */
int zload_check_in_zone(struct loader *L, const uint8_t *lower, const char *file, unsigned line);
/* Rules for one rrset just built at n (first = its first record): one CNAME
 * per name, SOA only at the apex. STEER_EOK or STEER_EMALF (recorded). */
int zload_check_rrset(struct loader *L, const struct node *n, const struct rrset *s, const struct rec *first);
/* Rules for a node's rrsets together: CNAME beside other data. recs are
 * the node's records. STEER_EOK or STEER_EMALF (recorded). */
int zload_check_node(struct loader *L, const struct node *n, const struct rec *recs, size_t count);
/* The apex: exactly one well-formed SOA (sets z->soa, serial, neg_ttl) and
 * NS records. STEER_EOK or STEER_EMALF (recorded). */
int zload_check_apex(struct loader *L);

/* --- link.c --- */

/* Offset of the target name inside the rdata of NS, MX and SRV; -1 for
 * types without additional-section processing (the same types as
 * rrset_type_has_targets() in zone.h). */
static inline int zload_target_offset(uint16_t type)
{
	switch (type) {
	case DNS_TYPE_NS: return 0;
	case DNS_TYPE_MX: return 2; /* after the preference */
	case DNS_TYPE_SRV: return 6; /* after priority, weight, port */
	default: return -1;
	}
}

/* While loading, nodes are named by their offset in z->nodes / 8 (a ref,
 * as in the table): the block moves as it grows, until
 * zload_nodes_final(). The apex is the first node. */
#define ZLOAD_APEX_REF 1u
static inline struct node *zload_node(struct zone *z, uint32_t ref)
{
	return (struct node *)(void *)(z->nodes + (size_t)ref * 8);
}

static inline uint32_t zload_ref(const struct zone *z, const struct node *n)
{
	return (uint32_t)(((const uint8_t *)n - z->nodes) / 8);
}

/* The node of name (lowercase wire, hash h) in z, or NULL. */
struct node *zload_node_find(struct zone *z, const uint8_t *name, size_t len, uint32_t h);
/* A new node for name in z's table (the caller checked it is not there).
 * name must not point into z->nodes. STEER_EOK with *out set (valid until
 * the next add), or STEER_ENOMEM. */
int zload_node_add(struct zone *z, const uint8_t *name, size_t len, uint32_t h, struct node **out);
/* No more nodes: give back the block's unused end, and point z->apex_node
 * and z->apex at their final place. */
void zload_nodes_final(struct zone *z);
/* Link every node once all rrsets are built: zone cuts, DNAME ancestors,
 * wildcard children, in-zone NS/MX/SRV targets. STEER_EOK or STEER_ENOMEM. */
int zload_link(struct zone *z);

/* --- stats.c --- */

/* Log (debug) the bytes of z per structure: nodes, names, rrsets, rdata,
 * targets, table, arena slack. */
void zload_log_memory(const struct zone *z);

#endif
