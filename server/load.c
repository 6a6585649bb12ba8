/* load.c -- config + listen addresses + zones, validated as one unit. */
#include "config.h"
#include "server/load.h"
#include "server/dnssec/zonesign.h"
#include "server/net/listen.h"
#include "server/steer/steer_build.h"
#include "server/xfr/catalog.h"
#include "server/zone/zonedb.h"
#include "common/errlist.h"
#include "common/errors.h"
#include "common/pools.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int parse_listen(struct load_result *r, struct errlist *errs)
{
	const struct conf_strlist *l = &r->conf.listen;
	int nerr = 0;

	if (l->n == 0) {
		conf_err(errs, &r->conf.cf, (conf_path_t){ "server", "listen", NULL }, "no listen address");
		return 1;
	}
	r->addrs = calloc(l->n, sizeof(*r->addrs));
	if (!r->addrs) {
		errlist_add(errs, "%s: out of memory", r->conf.cf.path);
		return 1;
	}
	for (size_t i = 0; i < l->n; i++) {
		const char *why;
		if (listen_parse(l->v[i], &r->addrs[i], &why) != STEER_EOK) {
			conf_err(errs, &r->conf.cf, (conf_path_t){ "server", "listen", NULL }, "\"%s\": %s",
				 l->v[i], why);
			nerr++;
			continue;
		}
		for (size_t j = 0; j < i; j++) {
			if (r->addrs[j].len == r->addrs[i].len && memcmp(&r->addrs[j].ss, &r->addrs[i].ss, r->addrs[i].len) == 0) {
				conf_err(errs, &r->conf.cf, (conf_path_t){ "server", "listen", NULL },
					 "\"%s\" is listed twice", l->v[i]);
				nerr++;
			}
		}
	}
	r->naddrs = l->n;
	return nerr;
}

/* load_all, and with keep (a reload) zone failures keep the old zone
 * instead of failing the load. */
/* The config and its listen addresses; returns the number of errors. */
static int read_conf(const char *path, struct load_result *r, struct errlist *errs)
{
	int nerr;

	memset(r, 0, sizeof(*r));
	nerr = server_conf_load(path, &r->conf, errs);
	if (r->conf.cf.root)
		nerr += parse_listen(r, errs);
	return nerr;
}

int load_listen(const char *path, struct load_result *r, struct errlist *errs)
{
	if (read_conf(path, r, errs) == 0)
		return STEER_EOK;
	load_result_clear(r);
	return STEER_EINVAL;
}

static int load(const char *path, struct load_result *r, struct errlist *errs, int keep,
		const struct zonedb *keep_from, size_t *zone_failures, int dry)
{
	int nerr = read_conf(path, r, errs), cat_err = 0;

	/* Catalog zones (RFC 9432) are files made from the zone list; a check
	 * (dry) makes them in temporary files, leaving the state alone. */
	if (r->conf.cf.root)
		nerr += cat_err = catalog_prepare(&r->conf.cf, r->conf.zones, r->conf.nzones, r->conf.state_dir, dry, errs);
	/* A catalog without its file: nothing to load it from. */
	size_t nz = cat_err ? 0 : r->conf.nzones;

	/* A check signs nothing and writes no keys: it reads what is there. */
	for (size_t i = 0; dry && i < r->conf.nzones; i++)
		if (r->conf.zones[i].post_arg)
			((struct dnssec_zoneconf *)r->conf.zones[i].post_arg)->readonly = 1;

	/* Zones are loaded even when the config has errors elsewhere, so one
	 * check shows every problem at once. */
	if (nz > 0 && keep) {
		if (zonedb_load_keep(r->conf.zones, nz, keep_from, &r->zones, errs, zone_failures) !=
		    STEER_EOK)
			nerr++;
	} else if (nz > 0) {
		if (zonedb_load(r->conf.zones, nz, &r->zones, errs) != STEER_EOK)
			nerr++;
	}
	/* Steering (records, pools, geoip) needs the zones: steered names must exist in them. */
	if (r->zones)
		nerr += steer_build(&r->conf.cf, r->zones, &r->steer, errs);
	if (dry)
		catalog_dry_cleanup(r->conf.zones, r->conf.nzones);
	if (nerr == 0)
		return STEER_EOK;
	load_result_clear(r);
	return STEER_EINVAL;
}

int load_all(const char *path, struct load_result *r, struct errlist *errs)
{
	return load(path, r, errs, 0, NULL, NULL, 0);
}

int load_all_keep(const char *path, struct load_result *r, struct errlist *errs, const struct zonedb *old,
		  size_t *zone_failures)
{
	*zone_failures = 0;
	return load(path, r, errs, 1, old, zone_failures, 0);
}

/* The directories each daemon writes to, from a fresh read of the config:
 * load_all() has already reported the config's own errors, so this one only
 * runs when the sections it needs are sound and adds nothing else. */
static int check_dirs(const char *path, struct errlist *errs)
{
	struct server_conf c;
	struct pools_conf pc;
	struct errlist ignored;
	int nerr = 0;

	errlist_init(&ignored);
	if (server_conf_load(path, &c, &ignored) == 0) {
		nerr += server_conf_check_dirs(&c, errs);
		/* steer-healthd's directories, when the config sets them up (a
		 * "healthd" section). Its defaults, /run/steerdns and
		 * /var/lib/steerdns, are the install's (tmpfiles.d): a box without
		 * them may still check a config, and steer-healthd --check and
		 * its startup test them anyway. */
		if (pools_conf_load(&c.cf, &pc, &ignored) == 0 && json_object_get(c.cf.root, "healthd"))
			nerr += pools_conf_check_dirs(&c.cf, &pc, errs);
		pools_conf_clear(&pc);
	}
	server_conf_clear(&c);
	errlist_clear(&ignored);
	return nerr;
}

int load_validate(const char *path, struct load_result *r, struct errlist *errs)
{
	int ret = load(path, r, errs, 0, NULL, NULL, 1);

	if (check_dirs(path, errs) == 0)
		return ret;
	load_result_clear(r);
	return STEER_EINVAL;
}

void load_result_clear(struct load_result *r)
{
	steer_set_free(r->steer);
	if (r->zones)
		zonedb_free(r->zones);
	free(r->addrs);
	server_conf_clear(&r->conf);
	memset(r, 0, sizeof(*r));
}

struct zonedb *load_take_zones(struct load_result *r)
{
	struct zonedb *db = r->zones;
	r->zones = NULL;
	return db;
}

void load_summary(const struct load_result *r, char *buf, size_t cap)
{
	size_t nz = r->zones ? zonedb_count(r->zones) : 0, records = 0;

	for (size_t i = 0; i < nz; i++) {
		struct zone_info zi;
		zonedb_info(r->zones, i, &zi);
		records += zi.records;
	}
	snprintf(buf, cap, "%s: ok: %zu zone%s, %zu records, %zu listen address%s", r->conf.cf.path, nz,
		 nz == 1 ? "" : "s", records, r->naddrs, r->naddrs == 1 ? "" : "es");
}

int load_check(const char *path, FILE *out, FILE *err)
{
	struct load_result r;
	struct errlist errs;
	char line[512];

	errlist_init(&errs);
	if (load_validate(path, &r, &errs) != STEER_EOK) {
		for (size_t i = 0; i < errs.n; i++)
			fprintf(err, "%s\n", errs.msgs[i]);
		if (errs.lost)
			fprintf(err, "(%zu more errors not shown: out of memory)\n", errs.lost);
		fprintf(err, "%s: %zu error%s\n", path, errlist_count(&errs), errlist_count(&errs) == 1 ? "" : "s");
		errlist_clear(&errs);
		return 1;
	}
	load_summary(&r, line, sizeof(line));
	fprintf(out, "%s\n", line);
	load_result_clear(&r);
	errlist_clear(&errs);
	return 0;
}
