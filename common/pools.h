/*
 * pools.h -- the "healthd", "checks" and "pools" sections of the config, and
 * the health TARGETS they imply.
 *
 * Both programs read these sections with pools_conf_load(): steer-healthd to
 * know what to probe, steerdns to map pool members to health state. Because
 * both derive the target list from the same file with the same code, the
 * target indexes and names agree.
 *
 *   checks:  name -> { type, port, interval, timeout, fall, rise, ...options }
 *   pools:   name -> { check (optional), members: [address, ...] }
 *   targets: one per distinct (check, member address) pair, in a stable order
 *            (pools sorted by name, members in file order; first seen wins).
 *            Name: "CHECK@ADDRESS", the address in canonical inet_ntop form,
 *            e.g. "web@203.0.113.10", "web@2001:db8::10".
 *
 * A pool member is up when its target is up and not drained (see
 * common/health.h for states). A pool without "check" has no targets: its
 * members are always up (pool_member.target == POOLS_NO_TARGET).
 *
 * Everything here is plain data owned by struct pools_conf; it does not keep
 * a reference to the struct conf_file it was read from.
 */
#ifndef STEER_POOLS_H
#define STEER_POOLS_H

#include <stddef.h>
#include <stdint.h>
#include "common/conf.h"
#include "common/health_conf.h"
#include "common/privs.h"

struct conf_file;
struct errlist;

#define POOLS_NO_TARGET ((size_t)-1)

enum check_type { CHECK_HTTP, CHECK_HTTPS, CHECK_TCP, CHECK_DNS, CHECK_EXEC, CHECK_NTYPES };

/* An inclusive range of HTTP status codes that count as success. */
struct status_range {
	int lo, hi;
};

struct check_conf {
	char *name;          /* owned; the key in "checks" */
	enum check_type type;
	int port;            /* default 80 http, 443 https, 53 dns; required for tcp; 0 ok for exec */
	uint32_t interval_ms;/* default 10000 */
	uint32_t timeout_ms; /* default 2000; must not exceed interval */
	int fall, rise;      /* defaults 3, 2 */
	uint32_t fastinter_ms; /* interval while a target is changing state (after a probe
				* disagreeing with the state, until fall/rise decides); default interval */
	uint32_t downinter_ms; /* interval while down; default interval */
	int quorum;          /* steerdns: sources that must say down (0: a majority of the live ones) */

	/* http / https */
	char *path;          /* owned; default "/" */
	char *host;          /* owned or NULL: Host header, SNI and the name the certificate
			      * must match; NULL = the target address (no SNI, IP match) */
	struct status_range *status; /* owned; default one range 200-399 */
	size_t nstatus;
	char *body;          /* owned or NULL: substring the body must contain */
	char *hdr_name;      /* owned or NULL: "expect_header"."name": a response header that must be there */
	char *hdr_value;     /* owned or NULL: its exact value (surrounding blanks ignored) */
	void *hdr_re;        /* owned regex_t * or NULL: or a POSIX extended regex its value must match */
	int verify;          /* https: verify the certificate (default 1) */
	char *ca_file;       /* owned or NULL: resolved path; NULL = system CA store */

	/* tcp */
	char *send;          /* owned or NULL: bytes written after connect */
	char *expect;        /* owned or NULL: bytes that must appear in what the peer sends */

	/* dns */
	char *query;         /* owned; the name asked, default "." */
	uint16_t qtype;      /* default SOA */
	int dns_tcp;         /* "transport": "tcp" (default udp) */
	int rcode;           /* expected rcode, default 0 (NOERROR) */
	int require_answer;  /* the answer section must not be empty */

	/* exec */
	char **argv;         /* owned, NULL-terminated: the command and its own arguments;
			      * address, port and check name are appended at run time */
	size_t argc;
};

/* A parsed IPv4 or IPv6 address. */
struct pools_addr {
	int family;        /* AF_INET or AF_INET6 */
	uint8_t bytes[16]; /* network order; 4 or 16 used */
	char text[46];     /* canonical text form (inet_ntop) */
};

struct pool_member {
	char *address;       /* owned; as written in the config */
	struct pools_addr addr;
	size_t target;       /* index into pools_conf.targets, or POOLS_NO_TARGET */
};

struct pool_conf {
	char *name;          /* owned */
	size_t check;        /* index into pools_conf.checks, or POOLS_NO_TARGET when no check */
	struct pool_member *members; /* owned array */
	size_t nmembers;
	int has_location;    /* "location": [latitude, longitude] (the "closest" policy) */
	double latitude, longitude;
	uint32_t slowstart_ms; /* "slowstart": steerdns ramps a recovered member's weight
				* over this long in weighted policies (0: none) */
};

struct health_target_conf {
	char *name;          /* owned: "CHECK@ADDRESS" */
	size_t check;        /* index into pools_conf.checks */
	struct pools_addr addr;
};

struct pools_conf {
	/* "healthd" section; paths resolved against the config's directory */
	char *socket;        /* owned; default "/run/steerdns/healthd.sock" */
	char *state_file;    /* owned; default "/var/lib/steerdns/healthd.state" */
	char *log_level;     /* owned; default "info" */
	int syslog;          /* log to syslog instead of stderr */
	struct conf_strlist metrics_listen; /* "metrics_listen": /metrics addresses (none by default) */
	struct privs privs;  /* "user"/"group": who steer-healthd runs as (and its exec checks) */
	struct health_publish_conf publish; /* "publish": TCP+TLS (steer-healthd) */
	struct health_sources sources;      /* "sources"/"silent_after" (steerdns); always >= 1 */
	json_t *scratch;     /* borrowed, only while loading: where the table puts keys read elsewhere */

	struct check_conf *checks;   /* owned array, sorted by name */
	size_t nchecks;
	struct pool_conf *pools;     /* owned array, sorted by name */
	size_t npools;
	struct health_target_conf *targets; /* owned array; the index is the target's id */
	size_t ntargets;
	size_t *by_name;             /* owned: target indexes sorted by name (pools_find_target) */
};

/* Read the three sections of cf into out (cleared first; absent sections are
 * empty). Every problem is added to errs as "file:line: path: reason".
 * Returns the number of errors; out is usable only when it returns 0, and
 * must be cleared with pools_conf_clear() in every case. */
int pools_conf_load(const struct conf_file *cf, struct pools_conf *out, struct errlist *errs);
void pools_conf_clear(struct pools_conf *pc);

/* The directories of healthd.socket and healthd.state_file must be writable
 * by the user steer-healthd runs as (healthd.user, else this process), so
 * a state file that cannot be saved shows at --check and startup, not at
 * the first drain. Returns the number of errors added to errs. */
int pools_conf_check_dirs(const struct conf_file *cf, const struct pools_conf *pc, struct errlist *errs);

/* Lookups; each returns an index or POOLS_NO_TARGET when not found. */
size_t pools_find_check(const struct pools_conf *pc, const char *name);
size_t pools_find_pool(const struct pools_conf *pc, const char *name);
size_t pools_find_target(const struct pools_conf *pc, const char *name);
/* Target of member m of pool p (POOLS_NO_TARGET: the pool has no check). */
size_t pools_member_target(const struct pools_conf *pc, size_t pool, size_t member);

/* Parse an IPv4/IPv6 address literal. Returns 0 or STEER_EINVAL. */
int pools_addr_parse(const char *text, struct pools_addr *out);
int pools_addr_equal(const struct pools_addr *a, const struct pools_addr *b);

/* "http", "https", ...; NULL for an invalid type. */
const char *check_type_name(enum check_type t);

#endif
