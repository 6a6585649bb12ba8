/* test_journal.c -- IXFR journals (server/xfr/journal.h): chains across
 * reloads, kept on disk across restarts, dropped when they do not end at
 * the zone's serial, records cut short by a crash, the bounds, the config. */
#include "config.h"
#include "tests/unit/lib.h"
#include "server/xfr/journal.h"
#include "server/zone/zone.h"
#include "common/conf.h"
#include "common/errlist.h"
#include "common/errors.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct zone *test_diff_zone(unsigned serial, const char *body); /* test_diff.c */

static char dir[64];

static void dir_setup(void)
{
	strcpy(dir, "/tmp/steer-jnl-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void dir_teardown(void)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* Defaults; with on_disk the journals go to the test's directory. */
static struct journal_conf conf_in(int on_disk)
{
	struct journal_conf c = { 0 };
	if (on_disk)
		ck_assert_int_gt(asprintf(&c.dir, "%s/journal", dir), 0);
	c.max_size = JOURNAL_MAX_SIZE_DEFAULT;
	c.max_depth = JOURNAL_MAX_DEPTH_DEFAULT;
	c.max_age = JOURNAL_MAX_AGE_DEFAULT;
	return c;
}

/* Version i of the zone: serial 100 + i, a record that changes each time. */
static struct zone *version(int i)
{
	char body[128];
	snprintf(body, sizeof(body), "www 60 IN A 192.0.2.%d\nstay 60 IN A 192.0.2.200\n", i + 1);
	return test_diff_zone(100u + (unsigned)i, body);
}

/* Serve versions 0..n-1 of make() in turn; returns the last journal, *last
 * its zone (also used by test_ixfr.c). */
struct journal *test_journal_serve(const struct journal_conf *c, int n, struct zone *(*make)(int), struct zone **last);
struct journal *test_journal_serve(const struct journal_conf *c, int n, struct zone *(*make)(int), struct zone **last)
{
	struct zone *z = make(0), *nz;
	struct journal *j, *nj;

	ck_assert_int_eq(journal_open(c, z, &j), STEER_EOK);
	for (int i = 1; i < n; i++) {
		nz = make(i);
		ck_assert_int_eq(journal_next(c, j, z, nz, &nj), STEER_EOK);
		journal_unref(j);
		zone_free(z);
		j = nj;
		z = nz;
	}
	*last = z;
	return j;
}

static struct journal *serve(const struct journal_conf *c, int n, struct zone **last)
{
	return test_journal_serve(c, n, version, last);
}

START_TEST(test_chain_and_restart)
{
	struct journal_conf c = conf_in(1);
	struct zone *z;
	struct journal *j, *again;
	size_t first;

	j = serve(&c, 4, &z);
	ck_assert_uint_eq(j->serial, 103);
	ck_assert_uint_eq(j->n, 3);
	ck_assert_int_eq(journal_find(j, 103, &first), 0);
	ck_assert_int_eq(journal_find(j, 101, &first), 2);
	ck_assert_uint_eq(first, 1);
	ck_assert_int_eq(journal_find(j, 100, &first), 3);
	ck_assert_int_eq(journal_find(j, 99, &first), -1);
	/* A restart at the same version reads the same chain back. */
	ck_assert_int_eq(journal_open(&c, z, &again), STEER_EOK);
	ck_assert_uint_eq(again->n, 3);
	ck_assert_uint_eq(again->bytes, j->bytes);
	for (size_t i = 0; i < 3; i++) {
		ck_assert_uint_eq(again->v[i]->d.from, j->v[i]->d.from);
		ck_assert_uint_eq(again->v[i]->d.add.len, j->v[i]->d.add.len);
		ck_assert_mem_eq(again->v[i]->d.del.data, j->v[i]->d.del.data, j->v[i]->d.del.len);
	}
	journal_unref(again);
	journal_unref(j);
	zone_free(z);
	/* A restart at another serial (the file changed while we were down)
	 * drops it, file and all. */
	z = version(7);
	ck_assert_int_eq(journal_open(&c, z, &again), STEER_EOK);
	ck_assert_uint_eq(again->n, 0);
	char *path = journal_path(c.dir, z);
	ck_assert_int_ne(access(path, F_OK), 0);
	free(path);
	journal_unref(again);
	zone_free(z);
	journal_conf_clear(&c);
}
END_TEST

START_TEST(test_torn_record)
{
	struct journal_conf c = conf_in(1);
	struct stat st;
	struct zone *z;
	struct journal *j, *again;
	char *path;
	int fd;

	j = serve(&c, 3, &z);
	journal_unref(j);
	path = journal_path(c.dir, z);
	ck_assert_int_eq(stat(path, &st), 0);
	/* A crash in the middle of the last append: the journal then ends one
	 * version early, which is not the zone's serial: dropped. */
	ck_assert_int_eq(truncate(path, st.st_size - 5), 0);
	ck_assert_int_eq(journal_open(&c, z, &again), STEER_EOK);
	ck_assert_uint_eq(again->n, 0);
	journal_unref(again);
	zone_free(z);
	/* Garbage after a good last record: the records are kept, the tail cut. */
	j = serve(&c, 3, &z);
	fd = open(path, O_WRONLY | O_APPEND);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "SJRDjunk", 8), 8);
	close(fd);
	ck_assert_int_eq(journal_open(&c, z, &again), STEER_EOK);
	ck_assert_uint_eq(again->n, 2);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq((size_t)st.st_size, 9 + z->apexlen + again->bytes); /* rewritten without the junk */
	/* The same zone again (a reload that kept it): the same journal. */
	struct journal *same;
	ck_assert_int_eq(journal_next(&c, again, z, z, &same), STEER_EOK);
	ck_assert_ptr_eq(same, again);
	journal_unref(same);
	journal_unref(again);
	journal_unref(j);
	zone_free(z);
	free(path);
	journal_conf_clear(&c);
}
END_TEST

START_TEST(test_bounds)
{
	struct journal_conf c = conf_in(1);
	struct zone *z;
	struct journal *j, *again;
	size_t first;

	c.max_depth = 2;
	j = serve(&c, 5, &z);
	ck_assert_uint_eq(j->n, 2);
	ck_assert_uint_eq(j->v[0]->d.from, 102);
	ck_assert_int_eq(journal_find(j, 101, &first), -1); /* too old: AXFR */
	ck_assert_int_eq(journal_open(&c, z, &again), STEER_EOK);
	ck_assert_uint_eq(again->n, 2);
	journal_unref(again);
	journal_unref(j);
	zone_free(z);
	/* A byte bound below one difference keeps none. */
	c.max_depth = 100;
	c.max_size = 10;
	j = serve(&c, 3, &z);
	ck_assert_uint_eq(j->n, 0);
	ck_assert_uint_eq(j->serial, 102);
	journal_unref(j);
	zone_free(z);
	/* Age: a max_age of 0 keeps only what is made this second. */
	c.max_size = JOURNAL_MAX_SIZE_DEFAULT;
	c.max_age = 0;
	j = serve(&c, 3, &z);
	ck_assert_uint_le(j->n, 2);
	ck_assert_uint_ge(j->n, 1);
	journal_unref(j);
	zone_free(z);
	journal_conf_clear(&c);
}
END_TEST

START_TEST(test_memory_only_and_serial_back)
{
	struct journal_conf c = conf_in(0);
	struct zone *z, *older;
	struct journal *j, *nj;

	j = serve(&c, 3, &z);
	ck_assert_uint_eq(j->n, 2);
	ck_assert(!j->synced);
	/* The serial goes back: the history is no use to anyone. */
	older = version(0);
	ck_assert_int_eq(journal_next(&c, j, z, older, &nj), STEER_EOK);
	ck_assert_uint_eq(nj->n, 0);
	ck_assert_uint_eq(nj->serial, 100);
	journal_unref(nj);
	journal_unref(j);
	zone_free(z);
	zone_free(older);
	journal_conf_clear(&c);
}
END_TEST

START_TEST(test_conf)
{
	struct conf_file cf;
	struct journal_conf c;
	struct errlist errs;
	char *path = test_write_temp(".json", "{\n  \"journal\": {\n    \"max_depth\": 5,\n    \"max_sise\": 1\n  }\n}\n");

	errlist_init(&errs);
	ck_assert_int_eq(conf_file_load(path, &cf, &errs), 0);
	ck_assert_int_eq(journal_conf_read(&cf, "/var/lib/x", &c, &errs), 1);
	ck_assert_msg(strstr(errs.msgs[0], ":4: journal: unknown key \"max_sise\" (did you mean \"max_size\"?)"), "%s",
		      errs.msgs[0]);
	ck_assert_str_eq(c.dir, "/var/lib/x/journal");
	ck_assert_int_eq(c.max_depth, 5);
	ck_assert_int_eq(c.max_size, JOURNAL_MAX_SIZE_DEFAULT);
	journal_conf_clear(&c);
	conf_file_clear(&cf);
	errlist_clear(&errs);
	unlink(path);
	free(path);
}
END_TEST

START_TEST(test_path_escapes)
{
	struct zone *z = version(0);
	char *p = journal_path("/d", z);
	ck_assert_str_eq(p, "/d/t.test.jnl");
	free(p);
	zone_free(z);
}
END_TEST

Suite *suite_journal(void)
{
	Suite *s = suite_create("journal");
	TCase *t = tcase_create("journal");

	tcase_add_checked_fixture(t, dir_setup, dir_teardown);
	tcase_add_test(t, test_chain_and_restart);
	tcase_add_test(t, test_torn_record);
	tcase_add_test(t, test_bounds);
	tcase_add_test(t, test_memory_only_and_serial_back);
	tcase_add_test(t, test_conf);
	tcase_add_test(t, test_path_escapes);
	suite_add_tcase(s, t);
	return s;
}
