/*
 * ctl_zone.c -- steerctl check-zone ZONE FILE: one master file checked the
 * way steerdns loads it (the same loader, server/zone/load/), without a
 * config or a running server, like nsd-checkzone and kzonecheck.
 */
#include "config.h"
#include "cli/commands.h"
#include "server/zone/load/zoneload.h"
#include "server/zone/zonedb.h"
#include "common/errlist.h"
#include "common/errors.h"

#include <stdio.h>
#include <string.h>

static int check_zone_json(const struct zone_conf *zc, const struct zonedb *db, const struct errlist *errs)
{
	json_t *list = json_array(), *out;
	struct zone_info info = { .name = zc->name };

	if (db)
		zonedb_info(db, 0, &info);
	for (size_t i = 0; i < errs->n; i++)
		json_array_append_new(list, json_string(errs->msgs[i]));
	out = json_pack("{s:b, s:s, s:s, s:o}", "ok", db != NULL, "zone", info.name, "file", zc->file, "errors", list);
	if (db) {
		json_object_set_new(out, "serial", json_integer(info.serial));
		json_object_set_new(out, "records", json_integer((json_int_t)info.records));
	}
	ctl_print_json(out);
	json_decref(out);
	return db ? CTL_OK : CTL_FAILED;
}

static int check_zone_text(const struct zone_conf *zc, const struct zonedb *db, const struct errlist *errs)
{
	struct zone_info info;
	size_t n = errlist_count(errs);

	if (!db) {
		for (size_t i = 0; i < errs->n; i++)
			fprintf(stderr, "%s\n", errs->msgs[i]);
		if (errs->lost)
			fprintf(stderr, "(%zu more errors not shown: out of memory)\n", errs->lost);
		fprintf(stderr, "%s: zone %s: %zu error%s\n", zc->file, zc->name, n, n == 1 ? "" : "s");
		return CTL_FAILED;
	}
	zonedb_info(db, 0, &info);
	printf("%s: ok: zone %s, serial %u, %zu records\n", zc->file, info.name, info.serial, info.records);
	return CTL_OK;
}

int ctl_check_zone(const struct ctl_opts *o, int argc, char **argv)
{
	char *args[2];
	int nargs = 0, ret;
	struct zone_conf zc = { 0 };
	struct zonedb *db = NULL;
	struct errlist errs;

	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--json") != 0 && nargs++ < 2)
			args[nargs - 1] = argv[i];
	if (nargs != 2) {
		fprintf(stderr, "usage: steerctl check-zone ZONE FILE\n");
		return CTL_USAGE;
	}
	zc.name = args[0];
	zc.file = args[1];
	errlist_init(&errs);
	/* zonedb_load, not zone_load: the same path (and allocator settings)
	 * as a start or a reload of steerdns. */
	if (zonedb_load(&zc, 1, &db, &errs) != STEER_EOK)
		db = NULL;
	ret = o->json ? check_zone_json(&zc, db, &errs) : check_zone_text(&zc, db, &errs);
	zonedb_free(db);
	errlist_clear(&errs);
	return ret;
}
