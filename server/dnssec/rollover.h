/*
 * rollover.h -- key rollovers as a plan over the keys' timing metadata.
 *
 * Everything a rollover has to remember lives in the BIND timing fields of
 * the key files (Publish, Activate, Inactive, Delete; keys.h), so a
 * rollover that a restart interrupts goes on from the files alone: the
 * planner below is a pure function of (keys, policy, now), and applying a
 * step only writes a new key or new times (dnssec_key_generate,
 * dnssec_key_set_times). The process runs the planner on a timer and
 * reloads the zone's keys when one of their times passes.
 *
 * ZSK, pre-publication (RFC 6781 4.1.1.1, timings RFC 7583 3.2), on the
 * configured lifetime L of the signing ZSK (activated at A):
 *
 *   Ipub = propagation + DNSKEY TTL        (new key in every cache)
 *   Iret = propagation + max zone TTL      (old signatures out of every cache;
 *                                           Dsgn = 0: a key change re-signs
 *                                           the whole zone at that load)
 *   at A + L - Ipub   new ZSK: Publish now, Activate max(now + Ipub, A + L)
 *                     old ZSK: Inactive = new Activate, Delete = that + Iret
 *
 * KSK, double-KSK (RFC 6781 4.1.2, RFC 7583 3.3.2), started by the
 * operator (steerctl dnssec roll ZONE ksk):
 *
 *   start        new KSK: Publish now, Activate now + Ipub. From Activate on
 *                both KSKs sign the DNSKEY RRset and the CDS/CDNSKEY (made
 *                for every signing KSK, zonesign.c) offer both DS records,
 *                so the parent is offered the new DS only once the new key
 *                is in every cache.
 *   DS seen      the operator confirms the parent serves the new DS
 *                (steerctl dnssec ds-seen ZONE TAG), or, with "ksk_ds_wait"
 *                configured, that long after the new key's Activate.
 *   then         old KSK: Inactive = Delete = seen + DS TTL + propagation
 *                (every resolver has a DS set with the new DS by then); the
 *                CDS/CDNSKEY name only the new key from then on, so a
 *                parent that scans them drops the old DS.
 *
 * Layer: server/dnssec. Pure logic here; the process applies the steps.
 */
#ifndef STEER_DNSSEC_ROLLOVER_H
#define STEER_DNSSEC_ROLLOVER_H

#include <stddef.h>
#include <stdint.h>

#include "server/dnssec/keys.h"

/* The timings of one zone's policy, in seconds. */
struct rollover_conf {
	uint32_t zsk_lifetime;  /* 0: no automatic ZSK rollover */
	uint32_t dnskey_ttl;    /* TTL of the DNSKEY RRset (TTLkey) */
	uint32_t propagation;   /* Dprp: the zone reaching every secondary (and the parent's, for DS) */
	uint32_t max_zone_ttl;  /* TTLsig: the largest TTL of signed data */
	uint32_t ds_ttl;        /* the parent's DS TTL, default 86400 */
	uint32_t ksk_ds_wait;   /* 0: wait for ds-seen; else assume the DS this long after the CDS appeared */
};

/* The operator's part of the policy, read with the zone's "dnssec" object
 * (dnssec_conf.c): "ds_ttl" and "ksk_ds_wait". */
struct rollover_policy {
	uint32_t ds_ttl;        /* default 86400 */
	uint32_t ksk_ds_wait;   /* default 0: steerctl dnssec ds-seen ends the wait */
};

enum rollover_op {
	ROLL_NEW_KEY,   /* generate a key of role with publish/activate */
	ROLL_SET_TIMES, /* keys[key]: set inactive and delete_ (the others kept) */
};

struct rollover_step {
	enum rollover_op op;
	enum dnssec_role role;  /* ROLL_NEW_KEY */
	int64_t publish, activate;
	size_t key;             /* ROLL_SET_TIMES: index into the keyset */
	int64_t inactive, delete_;
};

#define ROLLOVER_STEPS_MAX 4

/* What a rollover of role is doing at now (for status and the checks). */
enum rollover_phase {
	ROLL_IDLE,        /* one key of the role signs, nothing planned */
	ROLL_PUBLISHED,   /* ZSK: the successor is published, not yet signing;
			     KSK: the new key is published, not yet signing (no CDS yet) */
	ROLL_WAIT_DS,     /* KSK: both sign, the CDS names the new key; waiting for the DS */
	ROLL_RETIRING,    /* the old key has its Inactive/Delete set and is on its way out */
};

struct rollover_status {
	enum rollover_phase phase;
	int cur, next;       /* indexes of the current and the incoming key, -1 = none */
	int64_t due;         /* ZSK: when the next rollover starts (0 = never) */
};

/* The steps due at now (at most ROLLOVER_STEPS_MAX into steps); returns
 * their number. *next is the next time anything changes: a step falls
 * due or a key's time passes (the keys must then be loaded again);
 * INT64_MAX when nothing is planned. Idempotent: once the steps are
 * applied, the same call returns none. Also repairs a rollover that a
 * crash cut between its two writes. */
size_t rollover_plan(const struct dnssec_keyset *ks, const struct rollover_conf *rc, int64_t now,
		     struct rollover_step *steps, int64_t *next);

/* The steps that start a rollover of role now (ZSK: regardless of the
 * lifetime). Returns their number, or STEER_EEXIST when one of that role
 * is already under way, STEER_ENOENT when no key of that role signs. */
int rollover_start(const struct dnssec_keyset *ks, const struct rollover_conf *rc, enum dnssec_role role,
		   int64_t now, struct rollover_step *steps);

/* The operator saw the DS of KSK tag at the parent. Returns the number of
 * steps (1: the old KSK's retirement; 0: tag is the only KSK, nothing to
 * do), STEER_ENOENT when tag is no KSK of ks, STEER_EINVAL when tag is not
 * the incoming key of a KSK rollover. */
int rollover_ds_seen(const struct dnssec_keyset *ks, const struct rollover_conf *rc, uint16_t tag, int64_t now,
		     struct rollover_step *steps);

/* Where the rollover of role stands at now. */
void rollover_status(const struct dnssec_keyset *ks, const struct rollover_conf *rc, enum dnssec_role role,
		     int64_t now, struct rollover_status *out);

const char *rollover_phase_name(enum rollover_phase p);

#endif
