/*
 * geoconf.h -- the "geoip" section of the config file.
 *
 *   "geoip": { "database": "demo-geo.mmdb",
 *              "country_path": ["country", "iso_code"],
 *              "continent_path": ["continent", "code"],
 *              "subdivision_path": ["subdivisions", "0", "iso_code"],
 *              "location_path": ["location"],
 *              "nets": { "10.0.0.0/8": "internal", "192.0.2.0/24": "EU" },
 *              "ecs": true }
 *
 * Every key is optional; an absent section means no database, no nets and
 * ECS honoured. The key paths let databases with other layouts be read (the
 * ip-location-db and DB-IP files store a bare "country_code" and no
 * continent: the continent then comes from the built-in table).
 */
#ifndef STEER_GEOCONF_H
#define STEER_GEOCONF_H

#include "common/conf.h"
#include "geoip/nets.h"

/* Longest key path accepted (elements). */
#define GEO_PATH_MAX 8

struct geo_conf {
	char *database;                      /* owned; resolved path; NULL = no database (nets only) */
	struct conf_strlist country_path;    /* owned; default country/iso_code */
	struct conf_strlist continent_path;  /* owned; default continent/code */
	struct conf_strlist subdivision_path;/* owned; default subdivisions/0/iso_code */
	struct conf_strlist location_path;   /* owned; default location (holds latitude, longitude) */
	struct geo_nets nets;                /* owned; CIDR overrides, win over the database */
	int ecs;                             /* honour EDNS Client Subnet (default 1) */
};

/* Set the defaults. Returns 0 or STEER_ENOMEM. */
int geo_conf_init(struct geo_conf *c);
void geo_conf_clear(struct geo_conf *c);
/* Read the "geoip" section of cf into c (which geo_conf_read initialises;
 * call geo_conf_clear afterwards in every case). Errors are added to errs as
 * "file:line: geoip/...: reason"; returns the number of errors added. The
 * database file itself is opened later by geo_db_open(). */
int geo_conf_read(const struct conf_file *cf, struct geo_conf *c, struct errlist *errs);

#endif
