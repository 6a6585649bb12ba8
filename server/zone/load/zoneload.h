/*
 * zoneload.h -- load time only: RFC 1035 master files -> compiled zones.
 *
 * Layer: server/zone/load sits on server/zone (the compiled form it
 * builds) and below everything that answers; nothing on the query path
 * includes it. zonefast.c parses the common record types, ldns the rest;
 * every error is collected as "file:line: reason" so one run shows all,
 * naming the token that is wrong (syntax.c). The files of this folder share
 * load_internal.h; this header is their whole public interface.
 */
#ifndef STEER_ZONELOAD_H
#define STEER_ZONELOAD_H

#include <stddef.h>

struct errlist;
struct zone;
struct zonedb;

/* Run on each zone just compiled, before it joins the db: a higher layer's
 * step (DNSSEC signing, server/dnssec/zonesign.h) that may add to the zone.
 * old is the zone's live version or NULL. A negative return fails the zone
 * (its errors in errs) as a bad master file does. */
typedef int (*zone_post_fn)(struct zone *z, const struct zone *old, void *arg, struct errlist *errs);

/* One zone of the config: its name and master file. */
struct zone_conf {
	char *name; /* owned; as written, no trailing dot required */
	char *file; /* owned; resolved path (a catalog's: made at load, server/xfr/catalog.h) */
	zone_post_fn post; /* NULL, or run after compiling (signing) */
	void *post_arg;    /* owned by whoever set post (server/conf.c frees it) */
	int catalog; /* "catalog": true: generated from the other zones (RFC 9432) */
	zone_post_fn pre;  /* NULL, or run after compiling and before post: the served serial
			    * (server/xfr/serial.h), which signing must see */
	void *pre_arg;     /* borrowed from the config (server/xfr/xfr_conf.h) */
};

/* Compile one master file into *out (freed with zone_free()). Every error
 * found is added to errs as "file:line: reason". Returns STEER_EOK;
 * STEER_EMALF when the zone has errors; STEER_ENOMEM; or the -errno of a
 * file that cannot be opened. On failure *out is NULL. */
int zone_load(const char *name, const char *file, struct errlist *errs, struct zone **out);

/* Load every zone in zones[0..n). Every error found is added to errs as
 * "file:line: reason". Returns STEER_EOK with *out set, or a negative code
 * (and *out NULL) when any zone failed: a reload is all or nothing. */
int zonedb_load(const struct zone_conf *zones, size_t n, struct zonedb **out, struct errlist *errs);

/* The same for a reload beside old (the live db, may be NULL): a zone that
 * fails keeps its old version from old (shared, zone_ref) or, if it is
 * new, is left out, so one broken zone does not hold back the others.
 * Every error still goes to errs; *failed counts the zones that did not
 * load (kept or left out). Returns STEER_EOK or STEER_ENOMEM. */
int zonedb_load_keep(const struct zone_conf *zones, size_t n, const struct zonedb *old, struct zonedb **out,
		     struct errlist *errs, size_t *failed);

#endif
