/*
 * sign.c -- one RRSIG for one RRset: canonical form, signed data, OpenSSL.
 *
 * The signed data (RFC 4034 3.1.8.1) is the RRSIG RDATA without its
 * signature, then every RR of the set in canonical form (6.2: owner and
 * the names inside RDATA of the listed types lowercased; 6.3: RRs ordered
 * by their canonical RDATA as left-justified unsigned octet strings, with
 * duplicates dropped). ECDSA signatures come out of OpenSSL as DER and go
 * on the wire as r | s, 32 bytes each (RFC 6605 4); Ed25519 signatures
 * are the 64 raw bytes (RFC 8080 4).
 */
#include "config.h"
#include "server/dnssec/sign.h"

#include "common/dns.h"
#include "common/errors.h"
#include "server/dnssec/keys.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <string.h>

static inline uint8_t lc(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c;
}

/* Lowercase the uncompressed name at p (at most end); returns the byte
 * after it, or NULL when it runs past end. */
static uint8_t *name_lower(uint8_t *p, const uint8_t *end)
{
	while (p < end && *p) {
		uint8_t l = *p;

		if (l > 63 || p + 1 + l > end)
			return NULL;
		for (uint8_t i = 1; i <= l; i++)
			p[i] = lc(p[i]);
		p += 1 + l;
	}
	return p < end ? p + 1 : NULL;
}

/* The offset of the first embedded name and how many follow, for the
 * types RFC 4034 6.2 (as amended by RFC 6840 5.1: not NSEC) lowercases. */
static int canon_names(uint16_t type, size_t *off, int *count)
{
	*off = 0;
	*count = 1;
	switch (type) {
	case 2: case 3: case 4: case 5: case 7: case 8: case 9: case 12: case 39: /* NS MD MF CNAME MB MG MR PTR DNAME */
		return 1;
	case 6: case 14: case 17: /* SOA MINFO RP: two names */
		*count = 2;
		return 1;
	case 15: case 18: case 21: case 36: /* MX AFSDB RT KX */
		*off = 2;
		return 1;
	case 33: /* SRV */
		*off = 6;
		return 1;
	case 26: /* PX: preference, MAP822, MAPX400 */
		*off = 2;
		*count = 2;
		return 1;
	default:
		return 0;
	}
}

/* NAPTR: order, preference, flags, services, regexp, then the name. */
static size_t naptr_name_off(const uint8_t *r, size_t len)
{
	size_t off = 4;

	for (int i = 0; i < 3 && off < len; i++)
		off += 1 + (size_t)r[off];
	return off;
}

static int rdata_canon(uint16_t type, uint8_t *r, size_t len)
{
	size_t off;
	int count;
	uint8_t *p;

	if (type == 35) { /* NAPTR */
		off = naptr_name_off(r, len);
		count = 1;
	} else if (!canon_names(type, &off, &count)) {
		return 0;
	}
	if (off >= len)
		return STEER_EMALF;
	p = r + off;
	for (int i = 0; i < count; i++)
		if (!(p = name_lower(p, r + len)))
			return STEER_EMALF;
	return 0;
}

static int octets_cmp(const uint8_t *a, size_t al, const uint8_t *b, size_t bl)
{
	int c = memcmp(a, b, al < bl ? al : bl);

	return c ? c : (al > bl) - (al < bl);
}

static size_t name_len(const uint8_t *n)
{
	size_t l = 0;

	while (n[l] && l < 255)
		l += 1u + n[l];
	return l + 1;
}

static uint8_t *put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
	return p + 2;
}

static uint8_t *put32(uint8_t *p, uint32_t v)
{
	p = put16(p, (uint16_t)(v >> 16));
	return put16(p, (uint16_t)v);
}

int dnssec_rrsig_header(const struct dnssec_key *k, const uint8_t *signer, uint8_t labels, uint16_t type,
			uint32_t ttl, uint32_t inception, uint32_t expiration, uint8_t *out, size_t cap)
{
	size_t sl = name_len(signer);
	uint8_t *p = out;

	if (cap < 18 + sl)
		return STEER_ESPACE;
	p = put16(p, type);
	*p++ = k->alg;
	*p++ = labels;
	p = put32(p, ttl);
	p = put32(p, expiration);
	p = put32(p, inception);
	p = put16(p, k->tag);
	for (size_t i = 0; i < sl; i++)
		p[i] = lc(signer[i]);
	return (int)(18 + sl);
}

/* Copy the RDATA of the set, canonicalised, to the end of buf as
 * (len16, bytes) entries starting at *tail_off; returns 0 or an error. */
static int stash_rdata(uint16_t type, const struct dnssec_rdata *rdata, size_t n, uint8_t *buf, size_t cap,
		       size_t head, size_t *tail_off)
{
	size_t need = 0;

	for (size_t i = 0; i < n; i++)
		need += 2u + rdata[i].len;
	if (need > cap || cap - need < head)
		return STEER_ESPACE;
	*tail_off = cap - need;
	uint8_t *p = buf + *tail_off;
	for (size_t i = 0; i < n; i++) {
		p = put16(p, rdata[i].len);
		memcpy(p, rdata[i].data, rdata[i].len);
		if (rdata_canon(type, p, rdata[i].len) < 0)
			return STEER_EMALF;
		p += rdata[i].len;
	}
	return 0;
}

/* The smallest stashed RDATA strictly greater than (last, lastlen), or
 * NULL: a selection sort that needs no index array (sets are small; a big
 * one costs n^2 compares at load, never on the query path's hit). */
static const uint8_t *next_rdata(const uint8_t *tail, size_t n, const uint8_t *last, size_t lastlen,
				 uint16_t *len_out)
{
	const uint8_t *best = NULL, *p = tail;
	uint16_t bestlen = 0;

	for (size_t i = 0; i < n; i++) {
		uint16_t l = (uint16_t)(p[0] << 8 | p[1]);
		const uint8_t *d = p + 2;

		if ((!last || octets_cmp(d, l, last, lastlen) > 0) && (!best || octets_cmp(d, l, best, bestlen) < 0)) {
			best = d;
			bestlen = l;
		}
		p = d + l;
	}
	*len_out = bestlen;
	return best;
}

int dnssec_signed_data(const struct dnssec_key *k, const uint8_t *signer, const uint8_t *owner, uint8_t labels,
		       uint16_t type, uint16_t rclass, uint32_t ttl, const struct dnssec_rdata *rdata, size_t n,
		       uint32_t inception, uint32_t expiration, uint8_t *scratch, size_t cap)
{
	size_t ol = name_len(owner), tail, off;
	uint8_t own[255];
	const uint8_t *last = NULL, *d;
	uint16_t l, lastlen = 0;
	int h = dnssec_rrsig_header(k, signer, labels, type, ttl, inception, expiration, scratch, cap);

	if (h < 0)
		return h;
	if (n == 0 || ol > sizeof(own))
		return STEER_EINVAL;
	for (size_t i = 0; i < ol; i++)
		own[i] = lc(owner[i]);
	int ret = stash_rdata(type, rdata, n, scratch, cap, (size_t)h, &tail);
	if (ret < 0)
		return ret;
	off = (size_t)h;
	while ((d = next_rdata(scratch + tail, n, last, lastlen, &l))) {
		if (off + ol + 10 + l > tail)
			return STEER_ESPACE; /* would overwrite the stash */
		memcpy(scratch + off, own, ol);
		uint8_t *p = scratch + off + ol;
		p = put16(p, type);
		p = put16(p, rclass);
		p = put32(p, ttl);
		p = put16(p, l);
		memcpy(p, d, l); /* the check above keeps the output short of the stash */
		last = d;
		lastlen = l;
		off = (size_t)(p - scratch) + l;
	}
	return (int)off;
}

/* DER ECDSA-Sig-Value to r | s (32 bytes each). */
static int ecdsa_der_to_raw(const uint8_t *der, size_t len, uint8_t out[64])
{
	const unsigned char *p = der;
	ECDSA_SIG *s = d2i_ECDSA_SIG(NULL, &p, (long)len);
	const BIGNUM *r, *sv;
	int ok;

	if (!s)
		return STEER_EINVAL;
	ECDSA_SIG_get0(s, &r, &sv);
	ok = BN_bn2binpad(r, out, 32) == 32 && BN_bn2binpad(sv, out + 32, 32) == 32;
	ECDSA_SIG_free(s);
	return ok ? 0 : STEER_EINVAL;
}

static int sign_bytes(const struct dnssec_key *k, const uint8_t *data, size_t len, uint8_t sig[64])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	uint8_t der[80];
	size_t dl = sizeof(der);
	int ret = STEER_EINVAL;

	if (!ctx)
		return STEER_ENOMEM;
	if (k->alg == DNSSEC_ALG_ED25519) {
		dl = 64;
		if (EVP_DigestSignInit(ctx, NULL, NULL, NULL, k->pkey) == 1 &&
		    EVP_DigestSign(ctx, sig, &dl, data, len) == 1 && dl == 64)
			ret = 0;
	} else if (EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, k->pkey) == 1 &&
		   EVP_DigestSign(ctx, der, &dl, data, len) == 1) {
		ret = ecdsa_der_to_raw(der, dl, sig);
	}
	EVP_MD_CTX_free(ctx);
	return ret;
}

int dnssec_sign_rrset(const struct dnssec_key *k, const uint8_t *signer,
		      const uint8_t *owner, uint8_t labels, uint16_t type, uint16_t rclass, uint32_t ttl,
		      const struct dnssec_rdata *rdata, size_t n,
		      uint32_t inception, uint32_t expiration,
		      uint8_t *scratch, size_t cap, uint8_t *out, size_t cap_out)
{
	int sd = dnssec_signed_data(k, signer, owner, labels, type, rclass, ttl, rdata, n, inception,
				    expiration, scratch, cap);
	int h;

	if (sd < 0)
		return sd;
	h = dnssec_rrsig_header(k, signer, labels, type, ttl, inception, expiration, out, cap_out);
	if (h < 0)
		return h;
	if ((size_t)h + 64 > cap_out)
		return STEER_ESPACE;
	if (sign_bytes(k, scratch, (size_t)sd, out + h) < 0)
		return STEER_EINVAL;
	return h + 64;
}

/* An EC P-256 public key from its uncompressed point (0x04 | x | y). */
static EVP_PKEY *ec_public(const uint8_t *pt, size_t len)
{
	OSSL_PARAM_BLD *b = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pk = NULL;

	if (b && OSSL_PARAM_BLD_push_utf8_string(b, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) &&
	    OSSL_PARAM_BLD_push_octet_string(b, OSSL_PKEY_PARAM_PUB_KEY, pt, len))
		params = OSSL_PARAM_BLD_to_param(b);
	ctx = params ? EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL) : NULL;
	if (ctx && (EVP_PKEY_fromdata_init(ctx) <= 0 || EVP_PKEY_fromdata(ctx, &pk, EVP_PKEY_PUBLIC_KEY, params) <= 0))
		pk = NULL;
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(b);
	return pk;
}

int dnssec_verify(uint8_t alg, const uint8_t *pub, size_t publen, const uint8_t *data, size_t len,
		  const uint8_t *sig, size_t siglen)
{
	EVP_PKEY *pk = NULL;
	EVP_MD_CTX *ctx = NULL;
	uint8_t der[80], *dp = der;
	int ok = 0;

	if (alg == DNSSEC_ALG_ED25519 && publen == 32 && siglen == 64) {
		pk = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pub, 32);
		ctx = pk ? EVP_MD_CTX_new() : NULL;
		ok = ctx && EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, pk) == 1 &&
		     EVP_DigestVerify(ctx, sig, 64, data, len) == 1;
	} else if (alg == DNSSEC_ALG_ECDSAP256SHA256 && publen == 64 && siglen == 64) {
		uint8_t pt[65] = {4};
		ECDSA_SIG *s = ECDSA_SIG_new();
		BIGNUM *r = BN_bin2bn(sig, 32, NULL), *sv = BN_bin2bn(sig + 32, 32, NULL);
		int dl = -1;

		memcpy(pt + 1, pub, 64);
		if (s && r && sv && ECDSA_SIG_set0(s, r, sv) == 1) {
			r = sv = NULL;
			dl = i2d_ECDSA_SIG(s, &dp);
		}
		BN_free(r);
		BN_free(sv);
		ECDSA_SIG_free(s);
		pk = ec_public(pt, 65);
		ctx = pk ? EVP_MD_CTX_new() : NULL;
		ok = dl > 0 && ctx && EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, pk) == 1 &&
		     EVP_DigestVerify(ctx, der, (size_t)dl, data, len) == 1;
	}
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(pk);
	return ok ? 0 : STEER_EINVAL;
}
