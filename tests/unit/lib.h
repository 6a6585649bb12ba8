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

#endif
