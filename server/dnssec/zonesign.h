/*
 * zonesign.h -- a zone's DNSSEC at load: its config, keys, the signatures
 * of every authoritative RRset and the denial chain (NSEC or NSEC3).
 *
 * dnssec_zone_sign() runs on a zone just compiled (zone_conf.post, see
 * server/zone/load/zoneload.h), before the zone is shared: it adds DNSKEY,
 * CDS and CDNSKEY at the apex and NSEC (or NSEC3) records, and fills every
 * rrset's sigs with its precompiled RRSIG RRs, so a DO query only copies
 * bytes. Signatures still valid long enough are taken from the previous
 * version of the zone or from the signature store next to the keys
 * (key_dir/signatures.db), so a reload or restart signs only what changed.
 *
 * The result, struct dnssec_zone, hangs off struct zone (zone->dnssec) and
 * is immutable once the zone is served: the query path (denial.h) reads it
 * without locks, and the online signer of steered answers (sigcache.h)
 * takes its ZSK from it.
 */
#ifndef STEER_DNSSEC_ZONESIGN_H
#define STEER_DNSSEC_ZONESIGN_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "server/dnssec/keys.h"
#include "server/dnssec/rollover.h"

struct conf_file;
struct errlist;
struct node;
struct zone;

enum dnssec_denial { DNSSEC_NSEC = 0, DNSSEC_NSEC3 = 1 };

/* A zone's "dnssec" object of the config. */
struct dnssec_zoneconf {
	struct dnssec_keyconf keys;  /* key_dir (resolved), algorithm, ZSK lifetime, DNSKEY TTL */
	enum dnssec_denial denial;   /* "nsec" (default) or "nsec3" (RFC 9276: 0 iterations, no salt) */
	uint32_t validity;           /* signature_validity, seconds (default 14 days) */
	uint32_t refresh;            /* re-sign when a signature has less left than this (default 7 days) */
	int readonly;                /* --check / steerctl check: never create keys or write the store */
	struct rollover_policy roll; /* "ds_ttl", "ksk_ds_wait" (rollover.h) */
	int no_status;               /* steerctl dnssec export: leave key_dir/signing.status alone */
};

/* Read obj (the zone's "dnssec" value, at path) into *out (malloc'ed).
 * Returns the number of errors added to errs ("file:line: path: reason"). */
int dnssec_zoneconf_read(const struct conf_file *cf, json_t *obj, const char *const *path,
			 struct dnssec_zoneconf **out, struct errlist *errs);
void dnssec_zoneconf_free(struct dnssec_zoneconf *c);

/* One NSEC3 hash of the chain: hashed owner (SHA-1, 20 bytes), and the
 * node that owns the NSEC3 RRset (a node of its own, not in the table). */
struct dnssec_nsec3 {
	uint8_t hash[20];
	const struct node *node;  /* owner: base32hex(hash).apex, holds the NSEC3 rrset */
	const struct node *orig;  /* the zone's node it hashes, or NULL for an empty non-terminal */
};

struct dnssec_zone {
	struct dnssec_keyset ks;       /* owned: every key in key_dir */
	const struct dnssec_key *ksk;  /* in ks: signs DNSKEY, CDS, CDNSKEY */
	const struct dnssec_key *zsk;  /* in ks: signs the rest (and steered answers online) */
	uint32_t zsk_epoch;            /* sigcache_key_epoch(zsk): the signature cache's key part */
	enum dnssec_denial denial;
	uint8_t alg;
	uint32_t validity, refresh;
	uint32_t inception;            /* of the signatures made by this load */
	uint32_t expire_min;           /* earliest expiration of any signature in the zone */
	uint32_t next_refresh;         /* when the zone must be re-signed (expire_min - refresh) */
	size_t nsigned, nreused;       /* signatures made / reused by this load */
	double sign_seconds;
	/* NSEC: the authoritative nodes in canonical order, each owns an NSEC rrset. */
	const struct node **chain;     /* owned (malloc) */
	size_t nchain;
	uint64_t (*keys)[2];           /* owned (malloc): chain's order keys (denial.h), or NULL */
	int apexlabels;                /* the keys count labels below this many */
	/* NSEC3: the hashes, sorted; the NSEC3PARAM is at the apex. */
	struct dnssec_nsec3 *n3;       /* owned (malloc) */
	size_t nn3;
};

/* zone_post_fn for zone_conf.post: arg is the zone's struct dnssec_zoneconf. */
int dnssec_zone_sign(struct zone *z, const struct zone *old, void *arg, struct errlist *errs);

/* now as a 32-bit unix time (RRSIG times), for tests and the refresh timer. */
uint32_t dnssec_now(void);

#endif
