/* test_zonesign.c -- the signature store across starts
 * (server/dnssec/zonesign.c, key_dir/signatures.db): a zone whose key_dir
 * does not exist yet is signed and the store written at that first load,
 * so the second load from nothing (a restart: no previous version) reuses
 * every signature and makes none, as does the third. The store was once
 * opened before dnssec_keys_load() made key_dir: the first start wrote no
 * store and the second signed everything again. Zones, keys and config are
 * real, loaded with load_all(). */
#include "config.h"
#include "tests/unit/lib.h"
#include "server/dnssec/zonesign.h"
#include "server/load.h"
#include "server/zone/zone.h"
#include "server/zone/zonedb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* One load of cfg from nothing (no previous version); made and reused of
 * zone z.test into *made and *reused. */
static void load_once(const char *cfg, size_t *made, size_t *reused)
{
	struct load_result r;
	const struct zone *z;

	test_load_all(cfg, &r);
	z = zonedb_zone_named(r.zones, "z.test");
	ck_assert_ptr_nonnull(z);
	ck_assert_ptr_nonnull(z->dnssec);
	*made = z->dnssec->nsigned;
	*reused = z->dnssec->nreused;
	load_result_clear(&r);
}

static void put_file(const char *dir, const char *name, const char *text, char *path, size_t cap)
{
	FILE *f;

	snprintf(path, cap, "%s/%s", dir, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

START_TEST(test_store_from_first_start)
{
	char dir[] = "/tmp/steer-zsign-XXXXXX", path[256], db[256], cmd[300];
	size_t made1, reused1, made, reused;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	put_file(dir, "z.test.zone",
		 "$ORIGIN z.test.\n$TTL 300\n@ IN SOA ns1 hostmaster 1 3600 600 86400 300\n  IN NS ns1\n"
		 "ns1 IN A 192.0.2.53\nwww IN A 192.0.2.1\nwww IN TXT \"w\"\n",
		 path, sizeof(path));
	/* key_dir two levels down, neither there yet: made with the keys. */
	put_file(dir, "c.json",
		 "{ \"server\": { \"listen\": [\"127.0.0.1:5353\"] }, \"zones\": [\n"
		 "  { \"name\": \"z.test\", \"file\": \"z.test.zone\", \"dnssec\": { \"key_dir\": \"k/z\" } } ] }\n",
		 path, sizeof(path));

	load_once(path, &made1, &reused1);
	ck_assert_uint_gt(made1, 0);
	ck_assert_uint_eq(reused1, 0);
	snprintf(db, sizeof(db), "%s/k/z/signatures.db", dir);
	ck_assert_int_eq(access(db, R_OK), 0);
	for (int start = 2; start <= 3; start++) {
		load_once(path, &made, &reused);
		ck_assert_uint_eq(made, 0);
		ck_assert_uint_eq(reused, made1);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

Suite *suite_zonesign(void)
{
	Suite *s = suite_create("zonesign");
	TCase *tc = tcase_create("store");

	tcase_add_test(tc, test_store_from_first_start);
	suite_add_tcase(s, tc);
	return s;
}
