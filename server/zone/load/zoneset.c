/* zoneset.c -- load every zone of the config into one zone db. */
#include "config.h"
#include "server/zone/load/zoneload.h"
#include "server/zone/zone.h"
#include "server/zone/zonedb.h"
#include "common/errlist.h"
#include "common/errors.h"
#include "common/log.h"

#include <malloc.h>
#include <stdlib.h>

static void heap_for_loading(void)
{
	/* Loading makes and frees millions of small ldns objects. With glibc's
	 * defaults the heap top is trimmed and regrown over and over, and the
	 * page faults cost more than the parsing (measured: 1M records took 36 s,
	 * most of it in the kernel). Keep freed memory for reuse instead. */
	mallopt(M_TRIM_THRESHOLD, 512 * 1024 * 1024);
	mallopt(M_TOP_PAD, 64 * 1024 * 1024);
}

/* Load zones[0..n) into a new db. With keep, a zone that fails is taken
 * from old (shared) or left out and counted in *failed; without, it is only
 * counted (its errors are in errs either way). */
static int load_set(const struct zone_conf *zones, size_t n, const struct zonedb *old, int keep,
		    struct zonedb **out, struct errlist *errs, size_t *failed)
{
	struct zone **loaded = calloc(n ? n : 1, sizeof(*loaded));
	size_t nloaded = 0;
	int ret;

	*out = NULL;
	*failed = 0;
	heap_for_loading();
	if (!loaded) {
		errlist_add(errs, "out of memory loading zones");
		return STEER_ENOMEM;
	}
	/* Load every zone even after a failure, so one --check shows all errors. */
	for (size_t i = 0; i < n; i++) {
		struct zone *z;
		if (zone_load(zones[i].name, zones[i].file, errs, &z) == STEER_EOK) {
			const struct zone *live = zonedb_zone_named(old, zones[i].name);
			if ((!zones[i].pre || zones[i].pre(z, live, zones[i].pre_arg, errs) == 0) &&
			    (!zones[i].post || zones[i].post(z, live, zones[i].post_arg, errs) == 0)) {
				loaded[nloaded++] = z;
				continue;
			}
			zone_free(z);
		}
		(*failed)++;
		if (!keep)
			continue;
		if ((z = zonedb_zone_named(old, zones[i].name)) != NULL) {
			zone_ref(z);
			loaded[nloaded++] = z;
			log_err("zone %s: %s did not load; still serving the old version (serial %u)", z->name,
				zones[i].file, z->serial);
		} else {
			log_err("zone %s: %s did not load; not served", zones[i].name, zones[i].file);
		}
	}
	ret = zonedb_new(loaded, nloaded, out);
	if (ret != STEER_EOK)
		errlist_add(errs, "out of memory loading zones");
	/* The loader's temporaries are freed by now; give them back to the
	 * system so the resident size is the compiled zones only. */
	malloc_trim(0);
	return ret;
}

int zonedb_load_keep(const struct zone_conf *zones, size_t n, const struct zonedb *old, struct zonedb **out,
		     struct errlist *errs, size_t *failed)
{
	return load_set(zones, n, old, 1, out, errs, failed);
}

int zonedb_load(const struct zone_conf *zones, size_t n, struct zonedb **out, struct errlist *errs)
{
	size_t failed;
	int ret = load_set(zones, n, NULL, 0, out, errs, &failed);

	if (ret == STEER_EOK && failed) {
		zonedb_free(*out);
		*out = NULL;
		return STEER_EINVAL;
	}
	return ret;
}
