/*
 * probe.h -- one run of one check against one target, and the table of check
 * types that run them.
 *
 * Contract between the scheduler (monitor.c) and a check type (check_*.c):
 *   - start() begins the probe and returns 0; it must not call done()
 *     synchronously. On an immediate failure it returns a negative code with
 *     a human reason in p->reason, and owns nothing afterwards.
 *   - Later the check calls probe_finish() exactly once, after releasing
 *     everything it holds, unless cancel() came first.
 *   - cancel() (the timeout, a reload, shutdown) releases everything at once
 *     and never calls done(). The scheduler owns the timeout, so that every
 *     type reports it the same way ("timeout after 2000 ms").
 */
#ifndef STEER_HEALTHD_PROBE_H
#define STEER_HEALTHD_PROBE_H

#include <stdarg.h>
#include <sys/socket.h>
#include "common/pools.h"

struct event_base;
struct exec_run;

/* What all probes share; owned by main.c, lives as long as the daemon. */
struct probe_env {
	struct event_base *base;
	struct exec_run *running; /* check_exec.c: children not yet reaped */
};

struct probe {
	struct probe_env *env;              /* borrowed */
	const struct check_conf *check;     /* borrowed; lives until the probe ends */
	const struct pools_addr *addr;      /* borrowed */
	void *tls_ctx;                      /* https: the check's SSL_CTX (borrowed) */
	struct sockaddr_storage sa;         /* the target address with the check's port */
	socklen_t salen;
	void *impl;                         /* owned by the check type */
	char reason[160];                   /* the verdict's reason */
	void (*done)(struct probe *p, int ok);
	void *arg;                          /* the scheduler's */
};

struct probe_ops {
	int (*start)(struct probe *p);
	void (*cancel)(struct probe *p);
};

extern const struct probe_ops check_http_ops; /* http and https */
extern const struct probe_ops check_tcp_ops;
extern const struct probe_ops check_dns_ops;
extern const struct probe_ops check_exec_ops;

/* The ops for a check type. */
const struct probe_ops *probe_ops_for(enum check_type t);

/* Format the reason into p->reason and call p->done. */
void probe_finish(struct probe *p, int ok, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Format p->reason only (for start() failures); returns code. */
int probe_fail_start(struct probe *p, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Human text for a socket error: "connection refused", "no route to host". */
const char *probe_strerror(int err);

/* check_http.c: the SSL_CTX for an https check (NULL for other types).
 * On failure returns NULL with a reason in err. */
void *check_http_tls_new(const struct check_conf *c, char *err, size_t errlen);
void check_http_tls_free(void *ctx);

/* check_exec.c: reap finished children (call on SIGCHLD). */
void check_exec_reap(struct probe_env *env);

#endif
