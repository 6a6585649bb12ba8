/* zonedb.c -- the set of served zones and the choice of zone for a name. */
#include "config.h"
#include "server/zone/zonedb.h"
#include "server/wire/dname.h"
#include "server/zone/zone.h"
#include "server/zone/zonedb_find.h"
#include "common/errors.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct zonedb {
	struct zone **zones; /* owned, in config order */
	size_t n;
	const struct zone **table; /* apex hash table, mask + 1 slots */
	uint32_t *pos;       /* owned, parallel to table: the zone's position in zones[] */
	uint32_t mask;
};

int zonedb_new(struct zone **zones, size_t n, struct zonedb **out)
{
	struct zonedb *db = calloc(1, sizeof(*db));
	size_t cap = 8;

	*out = NULL;
	while (cap < n * 2)
		cap *= 2;
	if (!db || !(db->table = calloc(cap, sizeof(*db->table))) || !(db->pos = calloc(cap, sizeof(*db->pos)))) {
		if (db) {
			free(db->table);
			free(db->pos);
		}
		free(db);
		for (size_t i = 0; i < n; i++)
			zone_free(zones[i]);
		free(zones);
		return STEER_ENOMEM;
	}
	db->zones = zones;
	db->n = n;
	db->mask = (uint32_t)(cap - 1);
	for (size_t i = 0; i < db->n; i++) {
		const struct zone *z = db->zones[i];
		uint32_t h = dname_hash(z->apex, z->apexlen) & db->mask;
		while (db->table[h])
			h = (h + 1) & db->mask;
		db->table[h] = z;
		db->pos[h] = (uint32_t)i;
	}
	*out = db;
	return STEER_EOK;
}

void zonedb_free(struct zonedb *db)
{
	if (!db)
		return;
	for (size_t i = 0; i < db->n; i++)
		zone_free(db->zones[i]);
	free(db->zones);
	free(db->table);
	free(db->pos);
	free(db);
}

size_t zonedb_count(const struct zonedb *db)
{
	return db ? db->n : 0;
}

struct zone *zonedb_zone(const struct zonedb *db, size_t i)
{
	return db->zones[i];
}

struct zone *zonedb_zone_named(const struct zonedb *db, const char *name)
{
	size_t n = strlen(name);

	if (n && name[n - 1] == '.')
		n--;
	for (size_t i = 0; db && i < db->n; i++) {
		const char *zn = db->zones[i]->name; /* with its trailing dot */
		if (strlen(zn) == n + 1 && strncasecmp(zn, name, n) == 0)
			return db->zones[i];
	}
	return NULL;
}

void zonedb_info(const struct zonedb *db, size_t i, struct zone_info *out)
{
	const struct zone *z = db->zones[i];
	out->name = z->name;
	out->file = z->file;
	out->serial = z->serial;
	out->records = z->nrecords;
	out->loaded_at = z->loaded_at;
	out->load_seconds = z->load_seconds;
}

static const struct zone *find_apex_hashed(const struct zonedb *db, const uint8_t *name, size_t len, uint32_t h)
{
	uint32_t i = h & db->mask;
	const struct zone *z;
	while ((z = db->table[i]) != NULL) {
		if (z->apexlen == len && memcmp(z->apex, name, len) == 0)
			return z;
		i = (i + 1) & db->mask;
	}
	return NULL;
}

uint32_t zonedb_position(const struct zonedb *db, const struct zone *z, uint32_t apex_hash)
{
	/* z is in db, so the probe ends at it. A position lives in the db, not
	 * in the zone: one zone can be shared by the live db and the next one
	 * (a reload keeps zones that did not change) at different positions. */
	uint32_t i = apex_hash & db->mask;
	while (db->table[i] != z)
		i = (i + 1) & db->mask;
	return db->pos[i];
}

const struct zone *zonedb_find_apex(const struct zonedb *db, const uint8_t *name, size_t len)
{
	return find_apex_hashed(db, name, len, dname_hash(name, len));
}

const struct zone *zonedb_find_hashed(const struct zonedb *db, const uint8_t *name, size_t len,
				      const uint32_t *hashes)
{
	/* Most specific zone first: a child zone we also serve wins over its parent. */
	for (int i = 0; db; i++) {
		const struct zone *z = find_apex_hashed(db, name, len, hashes[i]);
		if (z)
			return z;
		if (!name[0])
			return NULL;
		len -= name[0] + 1u;
		name += name[0] + 1;
	}
	return NULL;
}

const struct zone *zonedb_find(const struct zonedb *db, const uint8_t *name, size_t len)
{
	uint32_t hashes[DNAME_MAXLABELS + 1];
	dname_suffix_hashes(name, hashes);
	return zonedb_find_hashed(db, name, len, hashes);
}
