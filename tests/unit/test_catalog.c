/* test_catalog.c -- the generated catalog zone (server/xfr/catalog.h): stable
 * member IDs, a new serial exactly when the member list changes, a zone
 * that loads, and checks that leave the state directory alone. */
#include "config.h"
#include "tests/unit/lib.h"
#include "server/xfr/catalog.h"
#include "server/zone/zone.h"
#include "server/zone/load/zoneload.h"
#include "common/errlist.h"
#include "common/errors.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[64];

static void dir_setup(void)
{
	strcpy(dir, "/tmp/steer-cat-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void dir_teardown(void)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* Generate the catalog of members and load it: its serial and record count. */
static struct zone *generate(const char *const *members, size_t n, const char *in)
{
	struct errlist errs;
	struct zone *z = NULL;
	char *path;

	errlist_init(&errs);
	ck_assert_int_eq(catalog_generate(in, "cat.invalid", members, n, &path, &errs), 0);
	ck_assert_int_eq(zone_load("cat.invalid", path, &errs, &z), STEER_EOK);
	if (!in)
		unlink(path);
	free(path);
	errlist_clear(&errs);
	return z;
}

START_TEST(test_ids)
{
	char a[17], b[17], c[17];

	ck_assert_int_eq(catalog_member_id("example.com", a), 0);
	ck_assert_int_eq(catalog_member_id("EXAMPLE.com.", b), 0);
	ck_assert_int_eq(catalog_member_id("example.net", c), 0);
	ck_assert_str_eq(a, b);
	ck_assert_str_ne(a, c);
	ck_assert_uint_eq(strlen(a), 16);
}
END_TEST

START_TEST(test_serial_follows_members)
{
	const char *two[] = { "b.test", "a.test", "cat.invalid" }, *three[] = { "a.test", "c.test", "b.test" };
	struct zone *z1 = generate(two, 3, dir), *z2 = generate(two, 2, dir), *z3, *z4;
	char id[17], owner[160];

	/* SOA, NS, version TXT, one PTR per member (the catalog itself is none). */
	ck_assert_uint_eq(z1->nrecords, 5);
	ck_assert_uint_eq(z2->serial, z1->serial); /* the same members: the same file */
	z3 = generate(three, 3, dir);
	ck_assert_uint_eq(z3->serial, z1->serial + 1);
	ck_assert_uint_eq(z3->nrecords, 6);
	z4 = generate(three, 3, dir);
	ck_assert_uint_eq(z4->serial, z3->serial);
	/* The member's PTR is at ID.zones. */
	catalog_member_id("c.test", id);
	snprintf(owner, sizeof(owner), "%s/catalog/cat.invalid.zone", dir);
	FILE *f = fopen(owner, "r");
	char text[2048] = "";
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_gt(fread(text, 1, sizeof(text) - 1, f), 0);
	fclose(f);
	snprintf(owner, sizeof(owner), "%s.zones 0 IN PTR c.test.\n", id);
	ck_assert_ptr_nonnull(strstr(text, owner));
	ck_assert_ptr_nonnull(strstr(text, "version 0 IN TXT \"2\"\n"));
	zone_free(z1);
	zone_free(z2);
	zone_free(z3);
	zone_free(z4);
}
END_TEST

START_TEST(test_dry)
{
	const char *m[] = { "a.test" };
	char path[128];
	struct zone *z = generate(m, 1, NULL);

	ck_assert_uint_eq(z->nrecords, 4);
	snprintf(path, sizeof(path), "%s/catalog", dir);
	ck_assert_int_ne(access(path, F_OK), 0); /* nothing in the state directory */
	zone_free(z);
}
END_TEST

Suite *suite_catalog(void)
{
	Suite *s = suite_create("catalog");
	TCase *t = tcase_create("catalog");

	tcase_add_checked_fixture(t, dir_setup, dir_teardown);
	tcase_add_test(t, test_ids);
	tcase_add_test(t, test_serial_follows_members);
	tcase_add_test(t, test_dry);
	suite_add_tcase(s, t);
	return s;
}
