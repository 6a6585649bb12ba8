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

struct load_result;
/* load_all() of the config file cfg into r; any error (printed) fails the test. */
void test_load_all(const char *cfg, struct load_result *r);

struct answer_env;
struct answer_result;
struct answer_scratch;
struct ldns_struct_pkt;
struct snapshot;
/* One question (qname in text, qtype, EDNS with payload bytes and DO as
 * given) through answer_query() from 127.0.0.1 over UDP; res filled, the
 * response parsed by ldns (the caller frees it). An empty or unparsable
 * response fails the test. */
struct ldns_struct_pkt *test_ask(struct answer_scratch *s, const struct answer_env *env,
				 const struct snapshot *snap, const char *qname, int qtype, int do_bit,
				 unsigned payload, struct answer_result *res);

#endif
