/*
 * zonedb_find.h -- zone selection for the query path (answer.c, policies).
 * Kept apart from zonedb.h, which is the loading/reporting interface that
 * the process and control code use.
 */
#ifndef STEER_ZONEDB_FIND_H
#define STEER_ZONEDB_FIND_H

#include <stddef.h>
#include <stdint.h>

struct zone;
struct zonedb;

/* The most specific zone containing name (lowercase wire), or NULL. */
const struct zone *zonedb_find(const struct zonedb *db, const uint8_t *name, size_t len);
/* The same with the name's suffix hashes already computed
 * (dname_suffix_hashes), so a query hashes its name once. */
const struct zone *zonedb_find_hashed(const struct zonedb *db, const uint8_t *name, size_t len,
				      const uint32_t *hashes);
/* The position of z, a zone of db, in db's config order (what the query
 * path reports for per-zone counters). apex_hash is the hash of z's apex,
 * i.e. the suffix hash zonedb_find_hashed() matched it with. */
uint32_t zonedb_position(const struct zonedb *db, const struct zone *z, uint32_t apex_hash);
/* The zone whose apex is exactly name, or NULL. */
const struct zone *zonedb_find_apex(const struct zonedb *db, const uint8_t *name, size_t len);

#endif
