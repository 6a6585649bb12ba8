/*
 * zoneload.c -- zone_load(): one RFC 1035 master file into one compiled
 * zone. It sets up the loader (load_internal.h) and runs the steps in
 * order: read (reader.c), build rrsets (build.c), check the apex
 * (check.c), link (link.c). Structure is checked even after syntax errors,
 * so that one run shows every problem; any error rejects the zone.
 */
#include "config.h"
#include "server/zone/load/zoneload.h"
#include "server/zone/load/load_internal.h"
#include "server/zone/load/zonefast.h"
#include "server/zone/zone.h"
#include "common/errlist.h"
#include "common/errors.h"
#include "common/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int zload_error(struct loader *L, const char *file, unsigned line, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (line)
		errlist_add(L->errs, "%s:%u: %s", file, line, msg);
	else
		errlist_add(L->errs, "%s: %s", file, msg);
	return STEER_EMALF;
}

int zload_nomem(struct loader *L, const char *file, unsigned line)
{
	zload_error(L, file, line, "out of memory");
	return STEER_ENOMEM;
}

/* The zone's own fields and its apex node, which exists even without
 * records (the apex checks need it). L->apex is set. */
static int zone_start(struct loader *L, const char *file)
{
	struct zone *z = L->z;
	char namebuf[DNAME_MAXLEN * 4 + 8];
	struct node *apex;

	dname_to_str(L->apex, namebuf, sizeof(namebuf));
	z->name = arena_memdup(&z->arena, namebuf, strlen(namebuf) + 1);
	z->file = arena_memdup(&z->arena, file, strlen(file) + 1);
	z->mask = 1023;
	z->table = calloc(z->mask + 1u, sizeof(*z->table));
	if (!z->name || !z->file || !z->table)
		return STEER_ENOMEM;
	if (zload_node_add(z, L->apex, L->apexlen, dname_hash(L->apex, L->apexlen), &apex) != STEER_EOK)
		return STEER_ENOMEM;
	apex->flags |= NODE_APEX;
	/* z->apex_node and z->apex are set when the nodes stop moving
	 * (zload_nodes_final()); until then the apex is ZLOAD_APEX_REF. */
	z->apexlen = apex->namelen;
	z->apexlabels = (uint8_t)L->apexlabels;
	L->owners_cap = 1024;
	if (!(L->owners = malloc(L->owners_cap * sizeof(*L->owners))))
		return STEER_ENOMEM;
	L->owners[L->nowners++] = zload_ref(z, apex);
	return STEER_EOK;
}

static void loader_clear(struct loader *L)
{
	free(L->recs);
	free(L->fast);
	free(L->owners);
	arena_clear(&L->tmp);
	for (size_t i = 0; i < L->nfiles; i++)
		free(L->files[i]);
	free(L->files);
}

static double since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* Read, build, check and link: every step runs when the one before only
 * found errors in the data, so that all of them are reported. The time of
 * the read (parse) and of the rest (build) goes to the debug log, which
 * bench/zone-load.sh reads to split a load into parse, build and serve. */
static int load_steps(struct loader *L, const char *file, size_t nerr_before)
{
	struct timespec t0;
	double parse_s;
	int ret;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	ret = zload_read_zone(L, file);
	parse_s = since(&t0);

	if (ret != STEER_EOK && ret != STEER_EMALF)
		return ret; /* unreadable (reported), or out of memory */
	if (L->nrecs == 0) {
		if (errlist_count(L->errs) == nerr_before)
			zload_error(L, file, 1, "zone %s has no records", L->zone_name);
		return STEER_EMALF;
	}
	if ((ret = zload_build(L)) != STEER_EOK)
		return ret;
	/* The records and their rdata copies are in the rrsets now; free them
	 * before linking, which allocates too, so that the two do not add up
	 * in the load's peak (a quarter to a third of it on a large zone). */
	free(L->recs);
	L->recs = NULL;
	free(L->owners);
	L->owners = NULL;
	arena_clear(&L->tmp);
	zload_check_apex(L);
	if ((ret = zload_link(L->z)) != STEER_EOK)
		return ret;
	log_debug("zone %s: %zu records: parse %.3f s, build %.3f s", L->zone_name, L->nrecs, parse_s,
		  since(&t0) - parse_s);
	zload_log_memory(L->z);
	return errlist_count(L->errs) == nerr_before ? STEER_EOK : STEER_EMALF;
}

int zone_load(const char *name, const char *file, struct errlist *errs, struct zone **out)
{
	struct loader L = { .zone_name = name, .errs = errs };
	size_t nerr_before = errlist_count(errs);
	struct timespec t0;
	int ret;

	*out = NULL;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	arena_init(&L.tmp);
	L.z = calloc(1, sizeof(*L.z));
	if (L.z)
		arena_init(&L.z->arena);
	L.fast = malloc(sizeof(*L.fast));
	if (!L.z || !L.fast) {
		ret = STEER_ENOMEM;
	} else {
		ret = zload_zone_name(&L, name, file);
		if (ret == STEER_EOK)
			ret = zone_start(&L, file);
		if (ret == STEER_EOK)
			ret = load_steps(&L, file, nerr_before);
	}
	if (ret == STEER_ENOMEM)
		errlist_add(errs, "%s: out of memory while loading", file);
	if (ret == STEER_EOK) {
		L.z->loaded_at = time(NULL);
		L.z->load_seconds = since(&t0);
		*out = L.z;
	} else {
		zone_free(L.z);
	}
	loader_clear(&L);
	return ret;
}
