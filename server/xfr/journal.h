/*
 * journal.h -- the IXFR journal (RFC 1995): per zone, the chain of
 * differences (diff.h) between the versions steerdns has served, oldest
 * first, ending at the version it serves now.
 *
 *   zone v1 --d1--> v2 --d2--> v3 (served)     journal: [d1, d2], serial v3
 *
 * Built at every publish of a snapshot (reload.c calls journal_set_build
 * from the main thread): a zone that did not change keeps its journal, a
 * new version of a zone gets the previous journal plus the difference to
 * it, a zone seen for the first time (startup, or newly configured) gets
 * what is on disk, if that ends at its serial. Each journal version is
 * immutable and reference-counted (atomically), so an IXFR answer on the
 * TCP thread can keep the one it started with across a reload.
 *
 * On disk (with server.state_dir): one file per zone,
 * STATE_DIR/journal/ZONE.jnl, a header and then one length-checked,
 * CRC-32-checked record per difference. A new difference is appended with
 * one write() and fdatasync(); a record cut short by a crash fails its
 * check and is dropped at the next start (the file is cut back to the last
 * good record). When old differences go (the bounds below), the file is
 * rewritten beside the old one and renamed over it (after fsync), so
 * there is always one complete file. On start a journal is used only if
 * its last serial is the loaded zone's; otherwise it is dropped.
 *
 * Bounds per zone (the "journal" section of the config): max_depth
 * differences, max_size bytes of them, and none older than max_age; the
 * oldest go first. A client older than the oldest kept version gets an
 * AXFR-style answer instead.
 *
 * Layer: server/xfr, on server/zone.
 */
#ifndef STEER_XFR_JOURNAL_H
#define STEER_XFR_JOURNAL_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "server/xfr/diff.h"

struct conf_file;
struct errlist;
struct zone;
struct zonedb;

#define JOURNAL_MAX_SIZE_DEFAULT (64LL * 1024 * 1024) /* bytes per zone */
#define JOURNAL_MAX_DEPTH_DEFAULT 100                  /* differences per zone */
#define JOURNAL_MAX_AGE_DEFAULT (14LL * 86400)         /* seconds (a typical SOA expire) */

/* The "journal" section, and server.state_dir. */
struct journal_conf {
	char *dir;           /* owned: STATE_DIR/journal; NULL = journals in memory only (no state_dir) */
	long long max_size;  /* bytes of differences kept per zone */
	long long max_depth; /* differences kept per zone */
	long long max_age;   /* seconds a difference is kept */
};

/* Read the "journal" section of cf (absent: defaults) into *out, with
 * state_dir (resolved, may be NULL) for the files. Returns the number of
 * errors added to errs ("file:line: journal/key: reason"). */
int journal_conf_read(const struct conf_file *cf, const char *state_dir, struct journal_conf *out,
		      struct errlist *errs);
void journal_conf_clear(struct journal_conf *c);

/* One difference; immutable once made, shared by the journal versions
 * that hold it. */
struct jdelta {
	_Atomic unsigned refs;
	time_t made;       /* when steerdns computed it (for max_age) */
	size_t bytes;      /* its size on disk */
	struct zone_diff d;
};

/* One zone's journal, as of one served version. Immutable. */
struct journal {
	_Atomic unsigned refs;
	uint32_t serial;    /* the served version the chain ends at */
	struct jdelta **v;  /* owned references, oldest first: v[i]->d.to == v[i+1]->d.from */
	size_t n;
	size_t bytes;       /* sum of v[i]->bytes */
	int synced;         /* the zone's file holds exactly v[0..n) (main thread's bookkeeping) */
};

void journal_ref(struct journal *j);
/* Drop a reference (any thread); frees with the last. NULL is fine. */
void journal_unref(struct journal *j);

/* Where a client at serial from stands: returns the number of differences
 * from it to j->serial (0: it is up to date) with *first the index of the
 * first, or -1 when from is not a version of the journal (too old, or
 * unknown: an AXFR-style answer is due). */
long journal_find(const struct journal *j, uint32_t from, size_t *first);

/* The journal of zone z when steerdns first serves it: read from disk
 * (c->dir), checked, cut to the bounds; empty when there is no file, the
 * file is damaged before its first good record, or it does not end at z's
 * serial (then removed, so it cannot be used later). Never fails except
 * for STEER_ENOMEM: disk problems are logged and give an empty journal. */
int journal_open(const struct journal_conf *c, const struct zone *z, struct journal **out);

/* The journal of nz, the version of a zone that replaces oz, whose journal
 * is prev (a reference is taken where kept): prev plus the difference
 * oz -> nz when nz's serial is newer (RFC 1982), cut to the bounds and
 * written to disk; prev itself when nothing changed; an empty journal when
 * the serial went back or stayed with different content (logged). Disk
 * problems are logged and the journal is kept in memory. STEER_EOK or
 * STEER_ENOMEM. */
int journal_next(const struct journal_conf *c, struct journal *prev, const struct zone *oz, const struct zone *nz,
		 struct journal **out);

/* The journals of every zone of one snapshot's zone db. */
struct journal_set;

/* The set for db, made from prev (the live snapshot's set and db; NULL at
 * startup): see journal_open and journal_next. STEER_EOK or STEER_ENOMEM. */
int journal_set_build(const struct journal_conf *c, const struct zonedb *db, const struct journal_set *prev,
		      const struct zonedb *prev_db, struct journal_set **out);
/* The journal of z (a zone of the set's db), or NULL. Any thread holding
 * the snapshot; journal_ref() it to keep it beyond the snapshot. */
struct journal *journal_set_get(const struct journal_set *s, const struct zone *z);
void journal_set_free(struct journal_set *s);
/* The same as a void * callback (struct snapshot's free_journals). */
void journal_set_free_cb(void *s);

struct snapshot;
/* Give s (not yet published) the journals of its zones, following live
 * (the snapshot it replaces; NULL at startup): journal_set_build into
 * s->journals. STEER_EOK or STEER_ENOMEM. */
int journal_attach(const struct journal_conf *c, struct snapshot *s, const struct snapshot *live);

/* The file name of a zone's journal in dir (escaped: only [a-z0-9_-.]).
 * Returns a malloc'ed path or NULL. */
char *journal_path(const char *dir, const struct zone *z);

#endif
