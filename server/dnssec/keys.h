/*
 * keys.h -- DNSSEC keys of one zone: their files, roles and timers.
 *
 * CONTRACT between the signing work (keys.c, sign.c, denial, answers) and
 * the rollover / online-signing work (rollover.c, sigcache.c). Keys live in
 * a zone's key_dir as BIND-format pairs (Kzone.+alg+tag.key / .private,
 * readable by ldns-* and dnssec-* tools) plus the timing metadata BIND
 * writes in the .private file ("Created:", "Publish:", "Activate:",
 * "Inactive:", "Delete:", YYYYMMDDHHMMSS). Private files are mode 0600,
 * owned by the daemon's user. OpenSSL does the cryptography; ldns the
 * file formats.
 *
 * One owner: struct dnssec_keyset is built at load by dnssec_keys_load()
 * and is immutable afterwards; a rollover step writes new files and the
 * next load (reload or timer) picks them up.
 */
#ifndef STEER_DNSSEC_KEYS_H
#define STEER_DNSSEC_KEYS_H

#include <stddef.h>
#include <stdint.h>

struct errlist;
typedef struct evp_pkey_st EVP_PKEY;

/* Algorithm numbers (IANA): ECDSA P-256/SHA-256 (RFC 6605), Ed25519 (RFC 8080). */
enum { DNSSEC_ALG_ECDSAP256SHA256 = 13, DNSSEC_ALG_ED25519 = 15 };

enum dnssec_role {
	DNSSEC_KSK = 1, /* flags 257 (SEP): signs the DNSKEY RRset; its DS is at the parent */
	DNSSEC_ZSK = 2, /* flags 256: signs everything else */
};

struct dnssec_key {
	EVP_PKEY *pkey;        /* owned: private key */
	uint8_t alg;           /* DNSSEC_ALG_* */
	uint16_t flags;        /* 256 or 257 */
	uint16_t tag;          /* key tag (RFC 4034 appendix B) */
	enum dnssec_role role;
	uint8_t pub[64];       /* DNSKEY public key field (RFC 6605 4 / RFC 8080 3) */
	uint16_t publen;
	char *base;            /* owned: key_dir/Kzone.+alg+tag, no suffix */
	/* BIND timing metadata, unix seconds; 0 = unset ("never" for
	 * inactive/delete, "at creation" for publish/activate). */
	int64_t created, publish, activate, inactive, delete_;
};

struct dnssec_keyset {
	struct dnssec_key *keys; /* owned */
	size_t n;
};

/* The per-zone key policy from the config ("dnssec": {...}). */
struct dnssec_keyconf {
	char *key_dir;           /* owned, resolved against the config's directory */
	uint8_t alg;             /* default DNSSEC_ALG_ECDSAP256SHA256 */
	uint32_t zsk_lifetime;   /* seconds, 0 = no automatic ZSK rollover */
	uint32_t dnskey_ttl;     /* seconds, default: the SOA minimum... as configured */
	uint32_t propagation;    /* seconds the zone takes to reach every secondary (RFC 7583 Dprp) */
};

/* Read every key pair in kc->key_dir for zone (presentation name, with the
 * final dot). When the directory holds none, create one KSK and one ZSK
 * (alg kc->alg) first. Adds "file: reason" to errs and returns a negative
 * STEER_E* code on failure. */
int dnssec_keys_load(const char *zone, const struct dnssec_keyconf *kc, int64_t now,
		     struct dnssec_keyset *ks, struct errlist *errs);
void dnssec_keyset_free(struct dnssec_keyset *ks);
/* The same without creating any (steerctl, --check): ks may come back empty. */
int dnssec_keys_read(const char *zone, const struct dnssec_keyconf *kc, struct dnssec_keyset *ks,
		     struct errlist *errs);

/* Create one key pair of role in kc->key_dir with the given timers, write
 * both files (private 0600) and return its base name in *base (malloc'ed). */
int dnssec_key_generate(const char *zone, const struct dnssec_keyconf *kc, enum dnssec_role role,
			int64_t now, int64_t publish, int64_t activate, char **base, struct errlist *errs);
/* Rewrite the timing metadata of an existing key (its .private file). */
int dnssec_key_set_times(const struct dnssec_key *k, struct errlist *errs);

/* Added with keys.c: */
/* Key tag of a DNSKEY RDATA (RFC 4034 appendix B). */
uint16_t dnssec_keytag(const uint8_t *rdata, size_t len);
/* k's DNSKEY RDATA (flags, protocol 3, alg, public key); returns its length
 * or STEER_ESPACE. 4 + 64 bytes always suffice. */
int dnssec_key_dnskey_rdata(const struct dnssec_key *k, uint8_t *out, size_t cap);
/* The SHA-256 DS digest (RFC 4509) of k at apex (wire name, any case). */
int dnssec_key_ds_sha256(const struct dnssec_key *k, const uint8_t *apex, size_t apexlen, uint8_t out[32]);
/* Build k (pkey, pub, tag, role) from a raw private key (32 bytes: the
 * P-256 scalar or the Ed25519 seed, as in BIND's PrivateKey field). The
 * times and base stay 0/NULL. Free with EVP_PKEY_free(k->pkey). */
int dnssec_key_from_private(struct dnssec_key *k, uint8_t alg, uint16_t flags, const uint8_t *priv, size_t len);

/* At time now: is the DNSKEY in the apex DNSKEY RRset; does it sign. */
int dnssec_key_published(const struct dnssec_key *k, int64_t now);
int dnssec_key_signing(const struct dnssec_key *k, int64_t now);

#endif
