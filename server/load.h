/*
 * load.h -- read the config and every zone it lists, the way both startup,
 * reload, `steerdns --check` and `steerctl check` do it (one code path, so
 * the check says exactly what a reload would say).
 *
 * Everything is checked and every error collected ("file:line: reason"):
 * the JSON config (server_conf_load), the listen addresses, and each zone
 * (zonedb_load). Loading is all or nothing.
 */
#ifndef STEER_LOAD_H
#define STEER_LOAD_H

#include <stddef.h>
#include <stdio.h>
#include "server/conf.h"

struct errlist;
struct zonedb;
struct listen_addr;
struct steer_set;

struct load_result {
	struct server_conf conf;   /* owned */
	struct zonedb *zones;      /* owned */
	struct listen_addr *addrs; /* owned; conf.listen parsed, conf.listen.n entries */
	size_t naddrs;
	struct steer_set *steer;   /* owned: compiled "records" policies (server/steer_build.h) */
};

/* Load path into *out (cleared first). Returns STEER_EOK, or a negative code
 * with every error in errs and *out cleared. */
int load_all(const char *path, struct load_result *out, struct errlist *errs);
void load_result_clear(struct load_result *r);

/* The same for a reload beside the live zones old: a zone that does not
 * load keeps its version from old (or is left out when it is new) and is
 * counted in *zone_failures, its errors in errs, and the load still
 * succeeds; config errors fail it as in load_all(). */
int load_all_keep(const char *path, struct load_result *r, struct errlist *errs, const struct zonedb *old,
		  size_t *zone_failures);

/* The config and its listen addresses only, no zones: what startup needs to
 * bind its sockets before it drops privileges and reads the rest as the
 * user. Same contract as load_all(); out->zones and out->steer stay NULL. */
int load_listen(const char *path, struct load_result *out, struct errlist *errs);

/* What --check and `steerctl check` validate: load_all() plus the
 * directories the daemons write to (server_conf_check_dirs(),
 * pools_conf_check_dirs()), all errors in one list. Same contract as
 * load_all(). */
int load_validate(const char *path, struct load_result *out, struct errlist *errs);

/* Take the zone database out of r (the caller now owns it). */
struct zonedb *load_take_zones(struct load_result *r);

/* One line for the operator: "CONFIG: 2 zones, 123 records, 2 listen addresses". */
void load_summary(const struct load_result *r, char *buf, size_t cap);

/* The whole `--check`: load_validate() path, print every error on err (one
 * "file:line: reason" a line, then a count), or the summary on out.
 * Returns 0 when the config is good, 1 otherwise (an exit status). */
int load_check(const char *path, FILE *out, FILE *err);

#endif
