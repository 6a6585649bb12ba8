/*
 * tcplimit.h -- open TCP connections per client prefix, for the TCP
 * thread's per-client connection limit.
 *
 * One table per TCP thread, used by that thread only (no locking). A client
 * is its address cut to a prefix (server.tcp_client_prefix4 / _prefix6,
 * default /32 and /56: one host, one IPv6 site), so one host cannot hold the
 * whole connection cap. The table is exact (open addressing, no false
 * sharing between prefixes) and grows at accept time, never per query.
 */
#ifndef STEER_TCPLIMIT_H
#define STEER_TCPLIMIT_H

#include <stdint.h>
#include <sys/socket.h>

/* A client prefix: the address family and the first bits of the address,
 * the rest zeroed. Filled by tcplimit_key(). */
struct tcplimit_key {
	uint8_t fam;      /* 4 or 6 */
	uint8_t addr[16]; /* masked address (4 bytes used for IPv4) */
};

struct tcplimit;

struct tcplimit *tcplimit_new(void);
void tcplimit_free(struct tcplimit *l);

/* The prefix of sa (IPv4, IPv6; an IPv4-mapped IPv6 address counts as
 * IPv4) cut to prefix4 / prefix6 bits (clamped to 32 / 128). */
void tcplimit_key(const struct sockaddr *sa, unsigned prefix4, unsigned prefix6, struct tcplimit_key *k);

/* Count one more connection of k unless it has limit already (limit 0: no
 * limit). Returns 0 when counted, 1 when k is at its limit (nothing
 * counted), a negative errno when the table cannot grow. */
int tcplimit_take(struct tcplimit *l, const struct tcplimit_key *k, unsigned limit);
/* One connection of k closed (it must have been counted). */
void tcplimit_put(struct tcplimit *l, const struct tcplimit_key *k);
/* Connections counted for k now. */
unsigned tcplimit_count(const struct tcplimit *l, const struct tcplimit_key *k);
/* Prefixes with at least one connection. */
size_t tcplimit_prefixes(const struct tcplimit *l);

#endif
