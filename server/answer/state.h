/*
 * state.h -- the state of one answer and the steps that write it; private
 * to server/answer/ (the public interface is answer.h).
 *
 * answer_query() (answer.c) parses the query and then runs these steps in
 * order on one struct answer_state, as Knot's nameserver/internet.c runs
 * solve_answer, solve_authority and solve_additional:
 *
 *   guard_cookie()        guard.c           COOKIE verdict (RFC 7873), NSID asked
 *   special_query()       special.c         CH, and the class/type gates (meta-types, transfers)
 *   answer_section()      section_answer.c  the zone (DS at a child apex: the parent), lookup,
 *                                           CNAME/DNAME chain, steering, ANY
 *   authority_section()   authority.c       the negative SOA, or the referral's NS
 *   additional_section()  additional.c      A/AAAA of NS/MX/SRV targets, glue
 *   guard_limit()         guard.c           RRL: drop, or cut back with TC or BADCOOKIE
 *   edns_put_opt()        edns.c            OPT (+ ECS, COOKIE, NSID, EDE), after a truncation cut
 *
 * The answer section ends in an outcome (enum answer_outcome); the later
 * sections decide from it and from the fields it leaves (zone, lookup,
 * addl_from) alone, never by looking at what was written. Every step writes
 * into st->section through answer_put_rrset()/answer_put_rr(), which mark
 * the answer truncated when a section other than additional overflows
 * (RFC 2181 9); answer_query() then cuts the response back to the question.
 *
 * DNSSEC hook points (dnssec_answer.c). answer_query() calls these
 * between the steps, so signatures and denial proofs are added per section
 * without growing the steps; without DO they cost one test each:
 *   answer_hook_sign()  after each section: the RRSIGs of the rrsets just
 *                       written in st->section (RFC 4035 3.1.1), when the
 *                       query has DO (st->q->edns_do) and st->zone is signed
 *   answer_hook_deny()  after the authority section: the NSEC/NSEC3 proofs
 *                       for OUTCOME_NXDOMAIN, OUTCOME_NODATA, for answers
 *                       synthesized from a wildcard (st->lookup.kind ==
 *                       LOOKUP_WILDCARD), RFC 4035 3.1.3, and for each
 *                       wildcard CNAME the chain went through (scratch->wild,
 *                       recorded by section_answer.c)
 *
 * Nothing here allocates: the state lives on answer_query()'s stack, the
 * arrays in the per-worker struct answer_scratch.
 */
#ifndef STEER_ANSWER_STATE_H
#define STEER_ANSWER_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "server/answer/answer.h"
#include "server/dnssec/sigcache.h"
#include "server/limit/cookie.h"
#include "server/wire/dname.h"
#include "server/wire/query.h"
#include "server/wire/respond.h"
#include "server/wire/rr.h"
#include "server/zone/lookup.h"
#include "server/zone/zone.h"
#include "common/dns.h"

struct node;
struct rrset;
struct zone;
struct steer_answer;

/* CNAME/DNAME chains are followed at most this far (loops end here too). */
#define CHAIN_MAX 8
/* Nodes whose addresses one response can carry in additional. */
#define ADDL_MAX 32

/* Signed rrsets one section can carry (DO queries); more go unsigned. */
#define SIGN_MAX 64

/* A signed rrset written into the current section, its RRSIGs still to come. */
struct answer_tosign {
	const uint8_t *owner; /* as written: NULL = the question name */
	const struct rrset *set;
	uint32_t ttl;         /* as written (UINT32_MAX: the rrset's own) */
	uint16_t owner_at;    /* where the owner as written can be pointed at (pkt.owner_at), 0: unknown */
};

/* A wildcard CNAME the chain was synthesized from (DO queries): its name
 * does not exist, which the deny hook proves (RFC 4035 3.1.3.3) in the
 * zone it was found in, even when the chain ends elsewhere. */
struct answer_wild {
	const struct zone *zone;
	const uint8_t *name;   /* the name the wildcard answered (names[] or the question) */
	const struct node *node; /* the "*" node */
};

/* Per-worker scratch (answer_scratch_new): made once, its arrays reused by
 * every query of the worker; only the counters are reset per query. */
struct answer_scratch {
	struct answer_tosign tosign[SIGN_MAX];  /* DO: rrsets of this section to sign */
	int ntosign;
	struct query q;
	const struct node *addl[ADDL_MAX];       /* nodes whose A/AAAA are already in additional */
	int naddl;
	/* Chain targets, one per step: a target is the owner of the rrsets
	 * written for it, and the sign hook writes their RRSIGs after the
	 * whole section, so no step may reuse an earlier step's buffer. */
	uint8_t names[CHAIN_MAX + 1][DNAME_MAXLEN];
	const struct node *chain[CHAIN_MAX + 1]; /* CNAME owners already answered */
	struct answer_wild wild[CHAIN_MAX + 1];  /* DO: wildcard CNAMEs the chain went through */
	int nwild;
	uint32_t hashes[DNAME_MAXLABELS + 1];    /* suffix hashes of the name being looked up */
	/* Online signing of steered answers (steered_sign.c): */
	struct sigcache_scratch sig;             /* the cache key and sorted set of one lookup */
	uint8_t rrsig[RR_FIXED + SIGCACHE_SIG_MAX]; /* the RRSIG RR being written */
	uint8_t signbuf[SIGCACHE_SIGN_SCRATCH];  /* the signed data of a miss */
	struct cookie_mac *mac;                  /* owned: this thread's SipHash context (guard.c) */
	struct rrl_table *rrl;                   /* borrowed: the UDP worker's RRL table, or NULL */
};

/* What guard.c adds to the OPT record beside ECS (edns.c writes it). */
struct edns_extra {
	uint8_t cookie;                      /* write COOKIE: the client cookie and server_cookie */
	uint8_t server_cookie[COOKIE_SERVER_LEN];
	uint8_t nsid;                        /* write NSID with env->nsid */
	int ede;                             /* RFC 8914 INFO-CODE; -1 = none */
	uint8_t expire;                      /* write EXPIRE (RFC 7314) with expire_value */
	uint32_t expire_value;
	const char *ede_text;                /* EXTRA-TEXT (static), or NULL */
};

/* What the answer section ended with; the authority and additional steps
 * (and the denial-proof hook) decide from this. */
enum answer_outcome {
	OUTCOME_NONE,     /* nothing follows: an error rcode, truncation, a chain that left
			     our zones, ran too long or looped, or a CH answer */
	OUTCOME_HIT,      /* the data is in the answer section (rrset, steered, ANY) */
	OUTCOME_NODATA,   /* the name exists without the type: SOA in authority (RFC 2308 2.2) */
	OUTCOME_NXDOMAIN, /* the name does not exist: SOA in authority (RFC 2308 2.1) */
	OUTCOME_DELEG,    /* below a zone cut: NS in authority, glue in additional (RFC 1034 4.3.2 3b) */
};

/* What the answer section does after one step of its chain. */
enum answer_next {
	NEXT_LOOKUP, /* a CNAME or DNAME moved st->name: look the new name up */
	NEXT_DONE,   /* the answer section is complete: st->outcome says what follows */
};

struct answer_state {
	/* Set by answer_query() for the whole query; all borrowed. */
	struct answer_scratch *scratch;
	const struct query *q;
	const struct answer_env *env;
	const struct answer_client *client;
	const struct snapshot *snap;  /* NULL: nothing loaded yet */
	struct answer_result *res;    /* the caller's; fields filled where they become known */
	struct pkt *pkt;              /* the response being written */

	/* Where the answer section stands; each chain step moves it. */
	const struct zone *zone;      /* zone of name: the closest of ours */
	const uint8_t *name;          /* lowercase wire: the question name, then chain targets */
	size_t len;
	int labels;
	const uint8_t *owner;         /* owner written for name: NULL = a pointer to the question */
	struct lookup_result lookup;  /* where name landed in zone */
	int chain;                    /* CNAME/DNAME steps taken so far (0: the question name) */

	/* What the answer section leaves for the later ones. */
	enum answer_outcome outcome;
	const struct rrset *addl_from; /* rrset whose targets get A/AAAA in additional, or NULL */
	uint8_t glue;                  /* addl_from is a referral's NS: occluded targets too */

	uint16_t rcode;               /* full 12-bit rcode of the response */
	uint8_t section;              /* SEC_* being written */
	uint8_t aa;                   /* AA for the header, set when the response is finished */
	uint8_t truncated;            /* a non-additional rrset did not fit: cut back, TC */
	uint8_t ecs_scope;            /* ECS scope to echo; 0 unless a policy used the location */

	/* guard.c: cookie verdict and what the OPT record carries beside ECS. */
	uint8_t cookie;               /* enum cookie_verdict */
	struct edns_extra extra;
};

/* --- answer.c: writing into the current section ---------------------- */

/* Write a whole rrset into st->section under owner (NULL = the question
 * name), TTL ttl (UINT32_MAX: the rrset's own). Returns 0, or -1 when it
 * does not fit: then nothing of it is written and, outside additional,
 * st->truncated is set. */
int answer_put_rrset(struct answer_state *st, const uint8_t *owner, const struct rrset *set, uint32_t ttl);
/* The same for one synthesized RR (TYPE CLASS TTL RDLENGTH RDATA, len bytes). */
int answer_put_rr(struct answer_state *st, const uint8_t *owner, const uint8_t *rr, uint16_t len);

/* --- special.c: queries not answered from zone data ------------------ */

/* Class and type gates before any zone is looked at: CH (version.bind and
 * friends, when the config enables them), non-IN classes, transfers,
 * OPT and other meta-types as QTYPE. Returns 1 when the query is answered
 * here (st->rcode, st->aa and the answer section set), 0 for an ordinary
 * IN query that goes on to the zones. */
int special_query(struct answer_state *st);
/* Which CH name of RFC 4892 (version.bind, version.server, id.server,
 * hostname.bind) Q asks for: its index, or -1. */
int special_chaos_name(const struct query *Q);
/* RFC 8482 ANY at node n (which has data): every rrset over TCP, the
 * first one over UDP. Sets st->outcome. */
void special_any(struct answer_state *st, const struct node *n);
/* QTYPE RRSIG at node n: all of n's RRSIGs (as NSD). Returns 1 (st->outcome
 * set), or 0 when n has none and the query goes on as for a missing type. */
int special_rrsig(struct answer_state *st, const struct node *n);

/* --- section_answer.c: the answer section ---------------------------- */

/* Fill the answer section: choose the zone of the question (REFUSED, with
 * OUTCOME_NONE, when none of ours holds it), look the name up, follow
 * CNAME and DNAME (RFC 1034 4.3.2, RFC 6672) at most CHAIN_MAX times, steer
 * A/AAAA. Sets st->outcome, st->aa, and st->rcode when it is not NOERROR. */
void answer_section(struct answer_state *st);

/* --- authority.c ------------------------------------------------------ */

/* The authority section for st->outcome: SOA with the negative TTL for
 * NXDOMAIN and NODATA (RFC 2308 3), the delegation's NS for a referral
 * (then st->addl_from is that NS, glue allowed). Nothing otherwise. */
void authority_section(struct answer_state *st);

/* --- additional.c ----------------------------------------------------- */

/* A/AAAA of the in-zone targets of st->addl_from (RFC 1034 4.3.2 step 6),
 * each node once; occluded names only as glue. Optional data: what does
 * not fit is left out, without TC. */
void additional_section(struct answer_state *st);

/* --- edns.c ----------------------------------------------------------- */

/* ECS echoed: option header, FAMILY, SOURCE, SCOPE, then the address. */
#define EDNS_ECS_HEAD (DNS_EDNS_OPT_HDR + DNS_ECS_FIXED)

/* Bytes the OPT record of the response to q takes (0 without EDNS): the
 * fixed part, and the ECS option echoed with the query's address bytes.
 * Inline: answer_query() asks before every response. */
static inline size_t edns_opt_size(const struct query *q)
{
	if (!q->edns)
		return 0;
	return RR_OPT_FIXED + (q->ecs ? EDNS_ECS_HEAD + (q->ecs_source + 7u) / 8u : 0u);
}
/* Bytes COOKIE and NSID add to the OPT record (guard.c decides whether
 * they are written; EDE is optional and goes in only when it fits). */
static inline size_t edns_extra_size(const struct answer_env *env, const struct query *q)
{
	if (!q->edns)
		return 0;
	return (q->cookie_len && env->limit && env->limit->cookies.on ? DNS_EDNS_OPT_HDR + COOKIE_CLIENT_LEN + COOKIE_SERVER_LEN : 0u) +
	       (q->nsid && env->nsid_len ? DNS_EDNS_OPT_HDR + env->nsid_len : 0u) +
	       (q->expire && q->qtype == DNS_TYPE_SOA ? DNS_EDNS_OPT_HDR + 4u : 0u);
}
/* Append the OPT record (RFC 6891 6.1.2): extended rcode, DO copied
 * (RFC 3225), and the ECS option echoed with scope (RFC 7871 7.2.1) when
 * with_ecs, then what x asks for: COOKIE, NSID, and EDE when it fits. The
 * room for all but EDE was kept free by answer_query(). */
void edns_put_opt(struct pkt *p, const struct answer_env *env, const struct query *q, uint16_t rcode,
		  uint8_t ecs_scope, int with_ecs, const struct edns_extra *x);

/* --- guard.c: cookies, rate limit, extended errors ------------------------ */

/* Before the sections: judge the query's COOKIE (RFC 7873 5.2) and prepare
 * the one to echo; ask for NSID in the response when the query did. */
void guard_cookie(struct answer_state *st);
/* After the sections: the RRL decision for UDP clients without a valid
 * cookie. Returns 1 when the response is to be dropped; otherwise it may
 * have cut the response back to the question (after_question) with TC or
 * BADCOOKIE. */
int guard_limit(struct answer_state *st, const struct pkt_mark *after_question);
/* The extended error (RFC 8914) for the rcode st ends with, as NSD and
 * Knot send them, unless one is set already. */
void guard_ede(struct answer_state *st);

/* --- DNSSEC (dnssec_answer.c; see the top of this file) ------------------ */

/* Remember a signed rrset just written (answer_put_rrset, DO only). */
void answer_dnssec_record(struct answer_state *st, const uint8_t *owner, const struct rrset *set, uint32_t ttl);
/* The RRSIGs of the rrsets remembered for this section. */
void answer_dnssec_sign(struct answer_state *st);
/* One RRSIG RR (rr, len bytes; ttl as pkt_put_rr) into st->section under
 * its rrset's owner: a pointer to owner_at when not 0 (pkt.owner_at after
 * the rrset), else owner compressed. -1 when it does not fit (outside
 * additional st->truncated is set; in additional it is just left out). */
int answer_dnssec_put_sig(struct answer_state *st, uint16_t owner_at, const uint8_t *owner, const uint8_t *rr,
			  uint16_t len, uint32_t ttl);
/* The NSEC/NSEC3 proofs (and DS) for st->outcome, into authority. */
void answer_dnssec_deny(struct answer_state *st);
/* A steered A/AAAA answer sa at n for a DO query in a signed zone: 0 when
 * the set and its RRSIG (online signing, server/dnssec/sigcache.h) were
 * written into the answer section; -1 (nothing written) to answer with the
 * zone-file RRset signed at load instead. */
int answer_dnssec_steered(struct answer_state *st, const struct node *n, const struct steer_answer *sa);

static inline void answer_hook_sign(struct answer_state *st)
{
	if (st->scratch->ntosign)
		answer_dnssec_sign(st);
}

static inline void answer_hook_deny(struct answer_state *st)
{
	/* st->zone is where the chain ended; a wildcard CNAME before it
	 * needs its proof even when that zone is unsigned or none of ours. */
	if (st->q->edns_do && ((st->zone && st->zone->dnssec) || st->scratch->nwild))
		answer_dnssec_deny(st);
}

#endif
