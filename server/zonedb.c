/* zonedb.c -- the set of served zones and the choice of zone for a name. */
#include "config.h"
#include "server/zonedb.h"
#include "server/conf.h"
#include "server/dname.h"
#include "server/zone.h"
#include "server/zonedb_find.h"
#include "common/errlist.h"
#include "common/errors.h"

#include <malloc.h>
#include <stdlib.h>
#include <string.h>

struct zonedb {
	struct zone **zones; /* owned, in config order */
	size_t n;
	const struct zone **table; /* apex hash table, mask + 1 slots */
	uint32_t mask;
};

int zonedb_load(const struct zone_conf *zones, size_t n, struct zonedb **out, struct errlist *errs)
{
	struct zonedb *db = calloc(1, sizeof(*db));
	size_t before = errlist_count(errs), cap = 8;

	*out = NULL;
	/* Loading makes and frees millions of small ldns objects. With glibc's
	 * defaults the heap top is trimmed and regrown over and over, and the
	 * page faults cost more than the parsing (measured: 1M records took 36 s,
	 * most of it in the kernel). Keep freed memory for reuse instead. */
	mallopt(M_TRIM_THRESHOLD, 512 * 1024 * 1024);
	mallopt(M_TOP_PAD, 64 * 1024 * 1024);
	if (!db || !(db->zones = calloc(n ? n : 1, sizeof(*db->zones)))) {
		free(db);
		errlist_add(errs, "out of memory loading zones");
		return STEER_ENOMEM;
	}
	/* Load every zone even after a failure, so one --check shows all errors. */
	for (size_t i = 0; i < n; i++) {
		struct zone *z = zone_load(zones[i].name, zones[i].file, errs);
		if (z)
			db->zones[db->n++] = z;
	}
	while (cap < db->n * 2)
		cap *= 2;
	db->table = calloc(cap, sizeof(*db->table));
	db->mask = (uint32_t)(cap - 1);
	if (!db->table)
		errlist_add(errs, "out of memory loading zones");
	for (size_t i = 0; db->table && i < db->n; i++) {
		const struct zone *z = db->zones[i];
		uint32_t h = dname_hash(z->apex, z->apexlen) & db->mask;
		while (db->table[h])
			h = (h + 1) & db->mask;
		db->table[h] = z;
	}
	/* The loader's temporaries are freed by now; give them back to the
	 * system so the resident size is the compiled zones only. */
	malloc_trim(0);
	if (errlist_count(errs) != before) {
		zonedb_free(db);
		return STEER_EINVAL;
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
	free(db);
}

size_t zonedb_count(const struct zonedb *db)
{
	return db ? db->n : 0;
}

void zonedb_info(const struct zonedb *db, size_t i, struct zone_info *out)
{
	const struct zone *z = db->zones[i];
	out->name = z->name;
	out->file = z->file;
	out->serial = z->serial;
	out->records = z->nrecords;
	out->loaded_at = z->loaded_at;
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
