/*
 * zonedb.h -- the set of zones steerdns serves, compiled for answering.
 *
 * Built once per load/reload from the config's zone list: each master file
 * is parsed (server/zone/load/: zonefast.c and ldns), every RRset is converted to wire
 * format, names get precomputed hashes, and additional-section targets
 * (glue, MX/SRV/NS targets) are resolved to node pointers. The result is
 * immutable: worker threads read it without locks, and a reload builds a
 * new zonedb beside the live one (see snapshot.h).
 *
 * Nothing here is touched by ldns at query time.
 */
#ifndef STEER_ZONEDB_H
#define STEER_ZONEDB_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct zone;
struct zonedb;

/* A zone db over zones[0..n) (malloc'd array of zones, both taken over,
 * freed with the db or here on failure). Loading zone files is
 * zonedb_load() (server/zone/load/zoneload.h). Returns STEER_EOK or
 * STEER_ENOMEM. */
int zonedb_new(struct zone **zones, size_t n, struct zonedb **out);
void zonedb_free(struct zonedb *db);

struct zone_info {
	const char *name;  /* presentation form, with trailing dot */
	const char *file;
	uint32_t serial;
	size_t records;    /* number of RRs */
	time_t loaded_at;
	double load_seconds; /* time zone_load() took */
};
size_t zonedb_count(const struct zonedb *db);
/* Zone i (0 <= i < zonedb_count()), for building the next db beside this one. */
struct zone *zonedb_zone(const struct zonedb *db, size_t i);
/* The zone named name (presentation, any case, trailing dot optional), or NULL. */
struct zone *zonedb_zone_named(const struct zonedb *db, const char *name);
/* Fill *out for zone i (0 <= i < zonedb_count()). Strings live as long as db. */
void zonedb_info(const struct zonedb *db, size_t i, struct zone_info *out);

#endif
