/* lib.h -- shared helpers for the Check unit tests. */
#ifndef STEER_TEST_LIB_H
#define STEER_TEST_LIB_H

#include <check.h>
#include <stddef.h>

/* Directory of tests/data (absolute), from the STEER_TESTDATA environment
 * variable or the source tree's tests/data. */
const char *test_data_dir(void);
/* ../shared/testdata if present, else NULL (tests over it are skipped). */
const char *test_shared_dir(void);
/* Write text to a new temporary file; returns its malloc'ed path. */
char *test_write_temp(const char *suffix, const char *text);

struct errlist;
/* Is "FILE:MSG" exactly one of the messages in errs (a config error is
 * "file:line: path: reason", so msg starts with the line)? */
int test_has_error(const struct errlist *errs, const char *file, const char *msg);

#endif
