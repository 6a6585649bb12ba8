/*
 * prom.h -- Prometheus metrics for every steerdns daemon: a /metrics HTTP
 * listener (libevent's evhttp) and a writer for the text exposition format,
 * version 0.0.4.
 *
 * Each daemon serves its own metrics on its own listener. A scrape runs in
 * the event loop that owns the listener (the main thread): the daemon's
 * collect callback reads its counters and writes families into an evbuffer
 * with the prom_* writers below, and the listener sends it with
 * Content-Type "text/plain; version=0.0.4". Nothing here runs on a query
 * path; the collector may allocate.
 *
 * The format, as the writers produce it:
 *
 *   # HELP steerdns_queries_total Queries received.
 *   # TYPE steerdns_queries_total counter
 *   steerdns_queries_total{transport="udp",qtype="A"} 12
 *
 * Label values are escaped (backslash, double quote and newline become \\,
 * \" and \n); HELP text likewise (backslash and newline). Metric and label
 * names are the caller's constants and must match [a-zA-Z_:][a-zA-Z0-9_:]*.
 * All samples of one family must follow its prom_family() line, as the
 * format requires.
 */
#ifndef STEER_PROM_H
#define STEER_PROM_H

#include <stddef.h>
#include <stdint.h>

struct conf_strlist;
struct event_base;
struct evbuffer;
struct prom_server;

/* ---- the listener ---- */

/* Write the whole exposition into out (empty on entry). Runs in the loop
 * that owns the listener. */
typedef void (*prom_collect_cb)(struct evbuffer *out, void *arg);

/* Listen on every "ADDRESS:PORT" / "[IPv6]:PORT" of addrs (numeric
 * addresses; a port is required) and serve GET/HEAD /metrics through
 * collect; other paths get 404, other methods 405. Returns NULL on failure
 * with a reason naming the address in err (a bad address, or why bind
 * failed); nothing is left listening then. */
struct prom_server *prom_server_new(struct event_base *base, const struct conf_strlist *addrs,
				    prom_collect_cb collect, void *arg, char *err, size_t errlen);
/* Stop listening and drop open scrape connections. NULL is ignored. */
void prom_server_free(struct prom_server *s);

/* Check one listen address without opening anything (for config readers).
 * Returns 0, or STEER_EINVAL with a static reason in *why. */
int prom_addr_check(const char *addr, const char **why);

/* ---- the text format ---- */

enum prom_type { PROM_COUNTER, PROM_GAUGE, PROM_HISTOGRAM };

struct prom_label {
	const char *name;  /* a constant label name */
	const char *value; /* any UTF-8 text; escaped on output */
};

/* PROM_L({"zone", z}, {"qtype", "A"}) expands to the two arguments
 * (array, count) that the sample writers take. */
#define PROM_L(...) (const struct prom_label[]){ __VA_ARGS__ }, \
	(sizeof((const struct prom_label[]){ __VA_ARGS__ }) / sizeof(struct prom_label))
#define PROM_NOLABELS NULL, 0

/* "# HELP name help" and "# TYPE name type". */
void prom_family(struct evbuffer *out, const char *name, enum prom_type type, const char *help);

/* One sample line: name{labels} value. */
void prom_u64(struct evbuffer *out, const char *name, const struct prom_label *labels, size_t nlabels,
	      uint64_t value);
void prom_double(struct evbuffer *out, const char *name, const struct prom_label *labels, size_t nlabels,
		 double value);

/* Append a label value to out, escaped for the text format. */
void prom_escape_label(struct evbuffer *out, const char *value);

/* A histogram with fixed upper bounds (seconds, bytes...). Kept by its one
 * writer; counts are per bucket (not cumulative), the writer sums them. */
#define PROM_HIST_MAX 16
struct prom_hist {
	const double *bounds;           /* borrowed, static: ascending upper bounds */
	size_t nbounds;                 /* <= PROM_HIST_MAX */
	uint64_t counts[PROM_HIST_MAX + 1]; /* counts[nbounds] is the +Inf overflow */
	uint64_t count;
	double sum;
};

/* Zeroed histogram over bounds (nbounds is clamped to PROM_HIST_MAX). */
void prom_hist_init(struct prom_hist *h, const double *bounds, size_t nbounds);
void prom_hist_observe(struct prom_hist *h, double v);

/* The name_bucket{...,le="B"} lines (cumulative, ending with le="+Inf"),
 * then name_sum and name_count, with labels on every line. name is the
 * family name without a suffix. */
void prom_hist_write(struct evbuffer *out, const char *name, const struct prom_label *labels, size_t nlabels,
		     const struct prom_hist *h);

#endif
