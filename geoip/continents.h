/*
 * continents.h -- the built-in country -> continent table (GeoNames scheme:
 * AF AN AS EU NA OC SA), for databases that store only a country code.
 */
#ifndef STEER_GEO_CONTINENTS_H
#define STEER_GEO_CONTINENTS_H

#include <stddef.h>

/* Continent code of an ISO 3166-1 alpha-2 country code (upper case), or NULL
 * when the code is unknown. "NA" is Namibia here (continent AF). */
const char *geo_continent_of(const char *cc);
/* 1 when code is one of the seven continent codes. */
int geo_is_continent(const char *code);
/* Number of countries in the table (for tests). */
size_t geo_country_count(void);

#endif
