/*
 * answer.h -- turn one DNS query into one response. The heart of steerdns.
 *
 * udp.c and tcp.c receive bytes and call answer_query(); everything between
 * "bytes in" and "bytes out" happens here and in the modules it calls:
 *   wire/query.c    parse header, question and EDNS (no allocation)
 *   zone/lookup.c   find zone and node, authoritative semantics (RFC 1034 4.3.2)
 *   wire/respond.c  write sections with name compression, EDNS, TC
 * Inside this folder the answer is written in per-section steps on one
 * explicit state (state.h): answer.c (entry point, order of the steps),
 * special.c (CH, class/type gates, ANY), section_answer.c (zone, lookup,
 * CNAME/DNAME chain, steering), authority.c, additional.c, edns.c (OPT),
 * with hook points between the sections for DNSSEC signing and denial.
 * Nothing allocates: all scratch space lives in struct answer_scratch, made
 * once per worker thread.
 *
 * Layer: server/answer, on server/limit (RRL table, cookie math: guard.c),
 * server/steer, server/zone and server/wire; used by server/net (and later
 * server/xfr). Room below it for server/dnssec/.
 */
#ifndef STEER_ANSWER_H
#define STEER_ANSWER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "server/limit/limit_conf.h"
#include "server/steer/steer.h"
#include "server/zone/snapshot.h"

struct snapshot;
struct answer_scratch;
struct sigcache;
struct rrl_table;

/* Settings from the config that shape answers; read-only while serving
 * (replaced as a whole with the snapshot on reload). */
struct answer_env {
	uint16_t udp_payload; /* our advertised/maximum EDNS UDP size, e.g. 1232 */
	int chaos;            /* answer CH TXT version.bind/version.server/id.server/hostname.bind */
	const char *identity; /* borrowed */
	const char *version;  /* borrowed */
	struct sigcache *sigcache; /* borrowed (the process's, server/dnssec/sigcache.h); NULL: steered
				      answers of signed zones are answered from the zone file's signed RRset */
	const struct limit_conf *limit; /* borrowed: RRL and cookies; NULL = neither */
	const uint8_t *nsid;  /* borrowed: server.nsid (RFC 5001) */
	size_t nsid_len;      /* 0 = no NSID */
};

struct answer_client {
	const struct sockaddr *addr; /* source address of the query */
	socklen_t addrlen;
	int tcp;                     /* 1 over TCP: no UDP size limit, AXFR/IXFR not refused for transport */
};

/* What the rate limit and the COOKIE check did (struct answer_result). */
enum answer_limited {
	ANSWER_LIMIT_NONE = 0,
	ANSWER_LIMIT_DROP,      /* over the RRL limit: nothing sent */
	ANSWER_LIMIT_SLIP,      /* over the limit: sent truncated (TC, no records) */
	ANSWER_LIMIT_BADCOOKIE, /* over the limit with no valid server cookie: BADCOOKIE */
};

struct answer_result {
	size_t len;     /* bytes written to resp; 0 = send nothing (drop) */
	uint16_t qtype; /* 0 when the question could not be parsed */
	uint16_t rcode; /* full 12-bit rcode (BADVERS = 16) */
	uint8_t tc;     /* response was truncated */
	uint8_t malformed; /* not a parseable query: dropped (short, a response) or FORMERR from the parser */
	uint8_t tsig;   /* the query was TSIG-signed: the caller has server/xfr check it and sign resp
			 * (xfr_tsig_answer); room for that TSIG is left in resp */
	/* For the per-zone and per-record counters; both are positions in the
	 * snapshot the query was answered from (see server/net/stats.h). */
	uint32_t zone;  /* 1 + the question's zone's index in snap->zones; 0 = none (REFUSED, CHAOS) */
	struct steer_report steer; /* record 0 unless a policy answered */
	uint8_t sig;    /* enum sigcache_outcome: how a steered DO=1 answer got its RRSIG (the counters) */
	uint8_t limited; /* enum answer_limited */
	uint8_t cookie;  /* enum cookie_verdict of the query's COOKIE option */
};

/*
 * What a snapshot carries for steerdns: the zones (struct snapshot) plus the
 * answer settings of the same config, so a reload swaps both at once.
 * snap is the first member (the UDP and TCP engines and
 * the control commands see a struct snapshot) and the whole struct is one allocation:
 * snapshot_free()'s free(s) releases it, strings included.
 */
struct served {
	struct snapshot snap;
	struct answer_env env; /* identity/version point into the arrays below */
	char identity[256];    /* a TXT string holds at most 255 bytes */
	char version[256];
	struct limit_conf limit; /* env.limit points here */
	uint8_t nsid[NSID_MAX];  /* env.nsid points here */
};

static inline const struct answer_env *served_env(const struct snapshot *s)
{
	return &((const struct served *)(const void *)s)->env;
}

/* Per-worker scratch space (compression table, lookup state). NULL on ENOMEM. */
struct answer_scratch *answer_scratch_new(void);
void answer_scratch_free(struct answer_scratch *s);
/* The RRL table (server/limit/rrl.h) of the UDP worker that owns s, or
 * NULL (TCP, explain, no "rrl" section): queries answered with s are
 * rate-limited only with a table, and never over TCP. t stays the caller's. */
void answer_scratch_set_rrl(struct answer_scratch *s, struct rrl_table *t);

/* Answer q[0..qlen) into resp[0..resp_cap). resp_cap must be at least 65535
 * for TCP and at least 4096 for UDP. snap may be NULL (nothing loaded yet:
 * every query is REFUSED). Never fails: malformed input gives FORMERR or a
 * drop (res->len == 0, e.g. for a packet too short to hold a header, or a
 * response sent to us). */
void answer_query(struct answer_scratch *scratch, const struct answer_env *env, const struct snapshot *snap,
		  const struct answer_client *client, const uint8_t *q, size_t qlen, uint8_t *resp,
		  size_t resp_cap, struct answer_result *res);

#endif
