/*
 * diff.h -- the difference between two compiled versions of one zone, in the
 * form IXFR sends it (RFC 1995 4): the RRs to delete, led by the old SOA, and
 * the RRs to add, led by the new SOA.
 *
 * Computed at reload (main thread) from the previous and the new compiled
 * zone (server/zone/zone.h), never from zone files: what is compared is what
 * a transfer exports. Steered names count with their zone-file records (the
 * compiled zone holds nothing else; per-client answers are made at query
 * time and never exported). The journal (journal.h) keeps a chain of these;
 * diff_merge() condenses a chain for a client several versions behind.
 *
 * An RR is kept as its owner (lowercase uncompressed wire name) followed by
 * the compiled RR (TYPE CLASS TTL RDLENGTH RDATA, server/wire/rr.h), so an
 * RR list is what goes on disk and what a message writer reads, unchanged.
 *
 * Layer: server/xfr, on server/zone and server/wire.
 */
#ifndef STEER_XFR_DIFF_H
#define STEER_XFR_DIFF_H

#include <stddef.h>
#include <stdint.h>

struct zone;

/* RRs back to back: owner wire name, then TYPE CLASS TTL RDLENGTH RDATA. */
struct rrlist {
	uint8_t *data;  /* owned (malloc); NULL when empty */
	size_t len;     /* bytes used */
	size_t cap;
	uint32_t count; /* RRs */
};

void rrlist_init(struct rrlist *l);
void rrlist_clear(struct rrlist *l);
/* Append one RR: owner (olen bytes, a valid wire name) and rr, a compiled
 * RR of rr_len(rr) bytes. STEER_EOK or STEER_ENOMEM (l unchanged). */
int rrlist_add(struct rrlist *l, const uint8_t *owner, size_t olen, const uint8_t *rr);
/* Walk l: start with *off = 0; each call sets *owner and *rr to the next RR
 * and returns 1, or returns 0 at the end. l must be well formed (built by
 * rrlist_add or checked by rrlist_check). */
int rrlist_next(const struct rrlist *l, size_t *off, const uint8_t **owner, const uint8_t **rr);
/* Is data[0..len) exactly count well-formed RRs? (For lists read from disk.) */
int rrlist_check(const uint8_t *data, size_t len, uint32_t count);

/* One version step of a zone. */
struct zone_diff {
	uint32_t from, to;  /* SOA serials before and after */
	struct rrlist del;  /* first RR: the old SOA; then the RRs that went away */
	struct rrlist add;  /* first RR: the new SOA; then the RRs that came */
};

void zone_diff_init(struct zone_diff *d);
void zone_diff_clear(struct zone_diff *d);

/* The difference from old to new (two versions of the same zone) into *out
 * (initialised here). Both zones are walked by their node tables (every
 * name of old looked up in new and the other way round), so the cost is one
 * hash lookup per name and no sort of the whole zone; only the names that
 * changed are sorted, so that the RRs come out in canonical order (RFC 4034
 * 6.1), by owner, then type, then RDATA. A TTL change of an RRset deletes
 * its RRs and adds them with the new TTL. The SOA is not compared: it leads
 * both lists. Returns STEER_EOK or STEER_ENOMEM (*out then cleared). */
int zone_diff_compute(const struct zone *old, const struct zone *new, struct zone_diff *out);

/* Is the difference empty apart from the SOAs? */
int zone_diff_empty(const struct zone_diff *d);

/* Condense the chain d[0..n) (d[i].to == d[i+1].from) into one difference
 * from d[0].from to d[n-1].to in *out (initialised here): an RR added by one
 * step and deleted by a later one (or deleted and added back) appears in
 * neither list, so a client many versions behind gets only what differs
 * between its version and ours. Allocates (a hash set of RRs): called per
 * transfer, never per query. STEER_EOK, STEER_EINVAL when the chain does not
 * link up, or STEER_ENOMEM. */
int zone_diff_merge(const struct zone_diff *const *d, size_t n, struct zone_diff *out);

/* Canonical order of two lowercase wire names (RFC 4034 6.1): <0, 0, >0. */
int diff_name_cmp(const uint8_t *a, const uint8_t *b);

#endif
