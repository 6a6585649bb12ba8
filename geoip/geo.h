/*
 * geo.h -- client location: the MMDB database (libmaxminddb) plus the "nets"
 * overrides, and the slow-path lookup of one address.
 *
 * Who calls what:
 *   load / reload (main thread): geo_conf_read() (geoconf.h), geo_db_open()
 *     or geo_db_reopen(), then geo_map_build() (geomap.h) once per policy
 *     map. Maps do not refer to the geo_db after they are built.
 *   query path: geo_map_lookup() only -- never this file, never libmaxminddb.
 *   steerctl explain and tests: geo_db_lookup().
 *
 * A geo_db is immutable after geo_db_open() and may be read by several
 * threads. Addresses follow nets.h: 16 bytes, IPv4 as ::ffff:a.b.c.d.
 */
#ifndef STEER_GEO_H
#define STEER_GEO_H

#include <stddef.h>
#include <stdint.h>

struct errlist;
struct geo_conf;
struct geo_db;

/* What is known about one client network. Strings are "" when unknown. */
struct geo_loc {
	int found;            /* a database record or a nets entry matched */
	char continent[3];    /* "EU"; from the database, else from the country */
	char country[3];      /* ISO 3166-1 alpha-2, "DE" */
	char subdivision[16]; /* "CC-SUB", e.g. "US-CA" */
	int has_location;     /* latitude/longitude are set */
	double latitude, longitude;
	const char *net;      /* name of the matching nets entry, NULL if none;
			       * borrowed from the geo_db (or the map builder) */
	unsigned prefix;      /* length of the network the answer holds for (the
			       * MMDB record's or the nets entry's), client family bits */
};

struct geo_db_info {
	const char *path;          /* NULL when there is no database */
	const char *database_type; /* from the metadata, "" if none */
	uint64_t build_epoch;      /* seconds, as stored (may not fit a time_t) */
	uint32_t node_count;
	unsigned ip_version;       /* 4 or 6; 0 without a database */
	size_t nets;               /* number of nets overrides */
};

/* Open conf->database (if any) and copy the key paths and nets. On failure
 * adds "file: reason" to errs, returns a negative code and leaves *out
 * untouched. */
int geo_db_open(const struct geo_conf *conf, struct geo_db **out, struct errlist *errs);
/* Reload: open a new geo_db from conf; on success free *db and replace it,
 * on failure keep *db (the old database keeps serving) and return the error. */
int geo_db_reopen(struct geo_db **db, const struct geo_conf *conf, struct errlist *errs);
void geo_db_free(struct geo_db *db);
void geo_db_info(const struct geo_db *db, struct geo_db_info *info);

/* Locate one address (nets first, then the database). Fills loc; returns 0,
 * or STEER_EMALF when the database reported an error for this address (loc is
 * then "not found": a broken record is no match, never a crash). */
int geo_db_lookup(const struct geo_db *db, const uint8_t addr[16], struct geo_loc *loc);

/* Fill loc from a region name as used in nets ("EU", "DE", "US-CA" or a free
 * name such as "internal"): a continent code sets the continent ("NA" is North
 * America), a known country code sets country and continent, "CC-SUB" with a
 * known CC sets all three. loc->net is set to name in every case. */
void geo_loc_from_name(struct geo_loc *loc, const char *name);

/* One line for explain and logs, e.g. "EU DE DE-HE 50.1100,8.6800 /24",
 * "net internal /8" or "not found /7"; plen is loc->prefix. Returns buf. */
char *geo_loc_format(char *buf, size_t size, const struct geo_loc *loc);

/* Region keys of geo policies, ranked by specificity: a client matches the
 * most specific key, falling back to the enclosing level and to "default". */
enum geo_match {
	GEO_MATCH_NONE = 0,
	GEO_MATCH_CONTINENT = 1, /* "EU"; a continent code is always the continent ("NA") */
	GEO_MATCH_COUNTRY = 2,   /* "DE" */
	GEO_MATCH_SUBDIVISION = 3, /* "US-CA" */
	GEO_MATCH_NET = 4,       /* a nets name, "internal" */
};
/* How key matches loc: GEO_MATCH_* or GEO_MATCH_NONE. A nets name matches
 * with GEO_MATCH_NET even when it is also a code ("EU" in nets matches key
 * "EU" as a net). "default" is not handled here. */
int geo_region_match(const struct geo_loc *loc, const char *key);
/* What kind of key this is, for config checks: CONTINENT, COUNTRY (known ISO
 * code), SUBDIVISION ("CC-SUB" with a known CC), else NET (a name that only a
 * nets entry can produce; the caller checks that one exists). */
enum geo_match geo_region_kind(const char *key);

/* Great-circle distance in km between two points in degrees (haversine on a
 * sphere of radius 6371 km), for the "closest" policy. */
double geo_distance_km(double lat1, double lon1, double lat2, double lon2);

#endif
