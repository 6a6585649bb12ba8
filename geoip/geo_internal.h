/*
 * geo_internal.h -- what geo.c shares with geomap.c inside geoip/ (not for
 * other folders: everything else goes through geo.h and geomap.h).
 */
#ifndef STEER_GEO_INTERNAL_H
#define STEER_GEO_INTERNAL_H

#include <maxminddb.h>

#include "geoip/geo.h"
#include "geoip/geoconf.h"
#include "geoip/nets.h"

struct geo_db {
	char *path;         /* owned; NULL when there is no database */
	int has_mmdb;       /* mmdb is open */
	MMDB_s mmdb;        /* libmaxminddb handle (mmap'ed file) */
	/* Key paths, NULL-terminated; strings owned. lat/lon are location + key. */
	char *country_path[GEO_PATH_MAX + 1];
	char *continent_path[GEO_PATH_MAX + 1];
	char *subdivision_path[GEO_PATH_MAX + 1];
	char *latitude_path[GEO_PATH_MAX + 2];
	char *longitude_path[GEO_PATH_MAX + 2];
	struct geo_nets nets; /* owned copy of the config's overrides */
	uint32_t ipv4_node;   /* for ip_version 6: the record at ::/96 (IPv4 space) */
	int ipv4_type;        /* its MMDB_RECORD_TYPE_*; SEARCH_NODE: ipv4_node is a node */
	MMDB_entry_s ipv4_entry; /* when ipv4_type is DATA */
};

/* Decode one data record into loc (fields reset first; loc->found set).
 * Returns 0, or STEER_EMALF when the record could not be read (loc is then
 * empty and not found). */
int geo_decode_entry(const struct geo_db *db, MMDB_entry_s *entry, struct geo_loc *loc);

#endif
