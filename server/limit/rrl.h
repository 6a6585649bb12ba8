/*
 * rrl.h -- response rate limiting, as BIND's and Knot's RRL do it: each
 * response is accounted to (client prefix, response kind, name) and a
 * bucket over its rate has its responses dropped, every slip-th of them
 * sent back truncated (TC=1, no answer) so that a real resolver retries
 * over TCP, which a spoofed source cannot.
 *
 * The credit is BIND's: a bucket holds at most responses_per_second
 * responses, gains responses_per_second every second and may fall to
 * -window * responses_per_second, so a source that keeps flooding stays
 * limited and one that stops is answered again within window seconds.
 *
 * One struct rrl_table per UDP worker thread, owned and used by it alone (no
 * lock, no atomic): a fixed number of slots in 4-way sets, allocated once;
 * a new bucket takes the set's empty or least recently used slot. A source
 * whose queries the kernel spreads over several workers (SO_REUSEPORT hashes
 * the source port) is accounted in each, so its limit is at most
 * workers x responses_per_second. TCP queries are never limited, and the
 * caller does not ask for clients with a valid server cookie.
 *
 * Layer: server/limit (below server/answer, whose guard.c calls it).
 */
#ifndef STEER_LIMIT_RRL_H
#define STEER_LIMIT_RRL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define RRL_EXEMPT_MAX 64

/* One "exempt" network: family AF_INET or AF_INET6, bits of addr. */
struct rrl_net {
	int family;
	uint8_t bits;
	uint8_t addr[16];
};

/* The "rrl" section; on = 0 without it. Plain data, copied into each snapshot. */
struct rrl_conf {
	int on;
	uint32_t rate;        /* responses_per_second, per bucket */
	uint32_t slip;        /* every slip-th limited response is sent with TC; 0 = none */
	uint32_t window;      /* seconds of debt a bucket may run up */
	uint8_t v4_prefix;    /* clients are grouped by this many bits of IPv4 */
	uint8_t v6_prefix;    /* ... of IPv6 */
	uint32_t table_size;  /* slots per worker, a power of two */
	size_t nexempt;
	struct rrl_net exempt[RRL_EXEMPT_MAX];
};

/* What a response is, for the bucket it is accounted to. */
enum rrl_kind {
	RRL_ANSWER,   /* positive answer: per qname and qtype */
	RRL_NODATA,   /* per zone */
	RRL_NXDOMAIN, /* per zone: random names under one zone share a bucket */
	RRL_REFERRAL, /* per zone */
	RRL_ERROR,    /* REFUSED, FORMERR, SERVFAIL, ...: per prefix alone */
	RRL_NKINDS,
};

enum rrl_action {
	RRL_PASS = 0, /* send the response as it is */
	RRL_DROP,     /* send nothing */
	RRL_SLIP,     /* send a truncated response (TC, no records) */
};

struct rrl_table;

/* slots rounded up to a power of two (at least 4). NULL on ENOMEM. Not on
 * the query path: at startup, or when a reload changes table_size. */
struct rrl_table *rrl_table_new(uint32_t slots);
void rrl_table_free(struct rrl_table *t);
uint32_t rrl_table_slots(const struct rrl_table *t);
/* The table a worker should use for c (NULL: no "rrl" section): t itself
 * when its size fits c, else a new one (t is freed). Called between
 * batches; allocates only when a reload adds the section or changes
 * table_size. NULL on ENOMEM (logged): the worker is then not limiting. */
struct rrl_table *rrl_table_sync(struct rrl_table *t, const struct rrl_conf *c, unsigned worker);

/* 1 when addr is in one of c's exempt networks. */
int rrl_exempt(const struct rrl_conf *c, const struct sockaddr *addr);

/* Account one response of kind for name_hash (the qname/qtype or the zone;
 * 0 for errors) to addr's prefix at now (seconds). */
enum rrl_action rrl_account(struct rrl_table *t, const struct rrl_conf *c, const struct sockaddr *addr,
			    enum rrl_kind kind, uint64_t name_hash, uint32_t now);

/* "answer", "nodata", "nxdomain", "referral", "error". */
const char *rrl_kind_name(enum rrl_kind kind);

#endif
