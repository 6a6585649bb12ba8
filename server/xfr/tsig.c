/* tsig.c -- TSIG (RFC 8945) over OpenSSL's HMAC: find, verify, sign. */
#include "config.h"
#include "server/xfr/tsig.h"
#include "server/wire/dname.h"
#include "server/wire/query.h"
#include "server/wire/rr.h"
#include "common/dns.h"

#include <ctype.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* The algorithms, by their names in the TSIG RR (RFC 8945 6). */
static const struct {
	const char *name;   /* presentation, as the config writes it */
	const char *wire;   /* the algorithm name in wire form */
	uint8_t wirelen;
	const char *digest; /* OpenSSL's name */
	uint8_t maclen;
} algs[] = {
	[TSIG_SHA1] = { "hmac-sha1", "\011hmac-sha1", 11, "SHA1", 20 },
	[TSIG_SHA256] = { "hmac-sha256", "\013hmac-sha256", 13, "SHA256", 32 },
	[TSIG_SHA384] = { "hmac-sha384", "\013hmac-sha384", 13, "SHA384", 48 },
	[TSIG_SHA512] = { "hmac-sha512", "\013hmac-sha512", 13, "SHA512", 64 },
};
#define NALGS (sizeof(algs) / sizeof(algs[0]))

/* TYPE CLASS TTL RDLENGTH, then Time Signed (6) Fudge (2) MAC Size (2) ...
 * Original ID (2) Error (2) Other Len (2): the fixed parts of a TSIG RR. */
#define TSIG_TIMERS 8
#define TSIG_RD_FIXED (TSIG_TIMERS + 2 + 6)
#define TSIG_OTHER_TIME 6

int tsig_alg_parse(const char *name, enum tsig_alg *alg)
{
	for (size_t i = 0; i < NALGS; i++) {
		if (strcasecmp(name, algs[i].name) == 0) {
			*alg = (enum tsig_alg)i;
			return 0;
		}
	}
	return -1;
}

const char *tsig_alg_name(enum tsig_alg alg)
{
	return algs[alg].name;
}

size_t tsig_mac_len(enum tsig_alg alg)
{
	return algs[alg].maclen;
}

int tsig_name_to_wire(const char *s, uint8_t *out, uint8_t *outlen)
{
	size_t n = 0, lab = 0;

	for (const char *p = s;; p++) {
		if (*p == '.' || *p == '\0') {
			size_t l = (size_t)(p - s) - lab;
			if (l == 0 && *p == '.')
				return -1; /* empty label */
			if (l > DNS_LABEL_MAX || n + 1 + l + 1 > DNAME_MAXLEN)
				return -1;
			if (l) {
				out[n++] = (uint8_t)l;
				for (size_t i = 0; i < l; i++)
					out[n++] = (uint8_t)tolower((unsigned char)s[lab + i]);
			}
			lab = (size_t)(p - s) + 1;
			if (*p == '\0' || p[1] == '\0')
				break;
		}
	}
	out[n++] = 0;
	*outlen = (uint8_t)n;
	return n > 1 ? 0 : -1;
}

int tsig_key_init(struct tsig_key *k, const char *name, const char *alg, const char *secret_b64, const char **why)
{
	size_t b64 = strlen(secret_b64), pad = 0;
	uint8_t buf[TSIG_SECRET_MAX + 4];
	int n;

	memset(k, 0, sizeof(*k));
	snprintf(k->name, sizeof(k->name), "%s", name);
	if (tsig_name_to_wire(name, k->wname, &k->wnamelen) != 0) {
		*why = "not a valid domain name";
		return -1;
	}
	if (tsig_alg_parse(alg, &k->alg) != 0) {
		*why = "unknown algorithm (hmac-sha256, hmac-sha384, hmac-sha512 or hmac-sha1)";
		return -1;
	}
	if (b64 == 0 || b64 % 4 || b64 / 4 * 3 > sizeof(buf)) {
		*why = b64 ? "secret: not base64 of at most 256 bytes" : "secret: empty";
		return -1;
	}
	/* EVP_DecodeBlock counts the padding as data bytes: take them off. */
	while (pad < 2 && secret_b64[b64 - 1 - pad] == '=')
		pad++;
	n = EVP_DecodeBlock(buf, (const unsigned char *)secret_b64, (int)b64);
	if (n < 0 || (size_t)n < pad || (size_t)n - pad > TSIG_SECRET_MAX) {
		*why = "secret: not valid base64";
		return -1;
	}
	k->secretlen = (size_t)n - pad;
	memcpy(k->secret, buf, k->secretlen);
	OPENSSL_cleanse(buf, sizeof(buf));
	return 0;
}

/* ---- finding the TSIG RR ---- */

/* Copy the uncompressed name at m+off (within end) lowercased; its length or -1. */
static int copy_name(const uint8_t *m, size_t len, size_t off, uint8_t *out)
{
	int n = dname_len(m + off, m + len);

	if (n < 0)
		return -1;
	dname_lower(out, m + off, (size_t)n);
	return n;
}

static int parse_tsig_rdata(const uint8_t *m, size_t len, size_t rd, size_t rdend, struct tsig_rr *t)
{
	int n = copy_name(m, rdend, rd, t->alg);
	size_t p;

	if (n < 0)
		return -1;
	t->alglen = (size_t)n;
	p = rd + (size_t)n;
	if (p + 10 > rdend)
		return -1;
	t->time_signed = (uint64_t)wire_get16(m + p) << 32 | wire_get32(m + p + 2);
	t->fudge = wire_get16(m + p + 6);
	t->maclen = wire_get16(m + p + 8);
	p += 10;
	if (p + t->maclen + 6 > rdend)
		return -1;
	t->mac = m + p;
	p += t->maclen;
	t->orig_id = wire_get16(m + p);
	t->error = wire_get16(m + p + 2);
	t->otherlen = wire_get16(m + p + 4);
	p += 6;
	if (p + t->otherlen != rdend)
		return -1;
	t->other = m + p;
	(void)len;
	return 0;
}

int tsig_find(const uint8_t *m, size_t len, struct tsig_rr *t)
{
	unsigned total, i;
	size_t off;

	if (len < DNS_HEADER_LEN)
		return -1;
	total = (unsigned)wire_get16(m + 6) + wire_get16(m + 8) + wire_get16(m + 10);
	off = DNS_HEADER_LEN;
	for (i = 0; i < wire_get16(m + 4); i++) { /* the questions */
		if (!(off = query_skip_name(m, len, off)) || (off += 4) > len)
			return -1;
	}
	for (i = 0; i < total; i++) {
		size_t start = off, rd;
		uint16_t type, rdlen;
		if (!(off = query_skip_name(m, len, off)) || off + RR_FIXED > len)
			return -1;
		type = wire_get16(m + off);
		rdlen = wire_get16(m + off + RR_RDLEN_OFF);
		rd = off + RR_FIXED;
		if (rd + rdlen > len)
			return -1;
		off = rd + rdlen;
		if (type != DNS_TYPE_TSIG)
			continue;
		/* Only as the last record of the additional section (RFC 8945 5.1). */
		if (i + 1 != total || wire_get16(m + 10) == 0 || off != len)
			return -1;
		int n = copy_name(m, len, start, t->keyname);
		if (n < 0 || parse_tsig_rdata(m, len, rd, off, t) != 0)
			return -1;
		t->keynamelen = (size_t)n;
		t->start = start;
		return 1;
	}
	return off == len ? 0 : -1;
}

/* ---- MACs ---- */

static EVP_MAC_CTX *mac_begin(const struct tsig_key *k)
{
	EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	EVP_MAC_CTX *c = mac ? EVP_MAC_CTX_new(mac) : NULL;
	OSSL_PARAM p[2];

	EVP_MAC_free(mac); /* the context keeps its own reference */
	if (!c)
		return NULL;
	p[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)algs[k->alg].digest, 0);
	p[1] = OSSL_PARAM_construct_end();
	if (!EVP_MAC_init(c, k->secret, k->secretlen, p)) {
		EVP_MAC_CTX_free(c);
		return NULL;
	}
	return c;
}

static void mac_prior(EVP_MAC_CTX *c, const uint8_t *mac, uint16_t len)
{
	uint8_t l[2];

	wire_put16(l, len);
	EVP_MAC_update(c, l, 2);
	EVP_MAC_update(c, mac, len);
}

/* The message m[0..end) as it was before the TSIG was added: ARCOUNT one
 * less when had_tsig, and the original ID. */
static void mac_message(EVP_MAC_CTX *c, const uint8_t *m, size_t end, int had_tsig, uint16_t orig_id)
{
	uint8_t h[DNS_HEADER_LEN];

	memcpy(h, m, DNS_HEADER_LEN);
	wire_put16(h, orig_id);
	if (had_tsig)
		wire_put16(h + 10, (uint16_t)(wire_get16(h + 10) - 1));
	EVP_MAC_update(c, h, DNS_HEADER_LEN);
	EVP_MAC_update(c, m + DNS_HEADER_LEN, end - DNS_HEADER_LEN);
}

/* The TSIG variables (RFC 8945 4.3.3), or only the timers. */
static void mac_vars(EVP_MAC_CTX *c, const uint8_t *keyname, size_t keylen, const uint8_t *alg, size_t alglen,
		     uint64_t time_signed, uint16_t fudge, uint16_t error, const uint8_t *other, uint16_t otherlen,
		     int timers_only)
{
	uint8_t v[16];

	if (!timers_only) {
		EVP_MAC_update(c, keyname, keylen);
		wire_put16(v, DNS_CLASS_ANY);
		wire_put32(v + 2, 0);
		EVP_MAC_update(c, v, 6);
		EVP_MAC_update(c, alg, alglen);
	}
	wire_put16(v, (uint16_t)(time_signed >> 32));
	wire_put32(v + 2, (uint32_t)time_signed);
	wire_put16(v + 6, fudge);
	EVP_MAC_update(c, v, TSIG_TIMERS);
	if (timers_only)
		return;
	wire_put16(v, error);
	wire_put16(v + 2, otherlen);
	EVP_MAC_update(c, v, 4);
	if (otherlen)
		EVP_MAC_update(c, other, otherlen);
}

static int mac_end(EVP_MAC_CTX *c, uint8_t *out, size_t *outlen)
{
	int ok = EVP_MAC_final(c, out, outlen, TSIG_MAC_MAX);

	EVP_MAC_CTX_free(c);
	return ok ? 0 : -1;
}

static const struct tsig_key *key_find(const struct tsig_key *keys, size_t n, const struct tsig_rr *t)
{
	for (size_t i = 0; i < n; i++)
		if (keys[i].wnamelen == t->keynamelen && memcmp(keys[i].wname, t->keyname, t->keynamelen) == 0 &&
		    algs[keys[i].alg].wirelen == t->alglen && memcmp(algs[keys[i].alg].wire, t->alg, t->alglen) == 0)
			return &keys[i];
	return NULL;
}

/* Compare a received MAC with ours: full length, or truncated to at least
 * half and at least 10 bytes (RFC 8945 5.2.2.1). */
static int mac_matches(const uint8_t *got, uint16_t gotlen, const uint8_t *ours, size_t ourlen)
{
	size_t min = ourlen / 2 > 10 ? ourlen / 2 : 10;

	if (gotlen > ourlen || gotlen < min)
		return 0;
	return CRYPTO_memcmp(got, ours, gotlen) == 0;
}

static int time_ok(uint64_t signed_at, uint16_t fudge, time_t now)
{
	uint64_t n = (uint64_t)now;
	return (n > signed_at ? n - signed_at : signed_at - n) <= fudge;
}

int tsig_verify_request(const struct tsig_key *keys, size_t n, const uint8_t *msg, size_t len,
			const struct tsig_rr *t, time_t now, const struct tsig_key **key)
{
	const struct tsig_key *k = key_find(keys, n, t);
	uint8_t mac[TSIG_MAC_MAX];
	size_t maclen;
	EVP_MAC_CTX *c;

	*key = NULL;
	if (!k)
		return TSIG_BADKEY;
	if (!(c = mac_begin(k)))
		return TSIG_BADSIG;
	mac_message(c, msg, t->start, 1, t->orig_id);
	mac_vars(c, t->keyname, t->keynamelen, t->alg, t->alglen, t->time_signed, t->fudge, t->error, t->other,
		 t->otherlen, 0);
	if (mac_end(c, mac, &maclen) != 0 || !mac_matches(t->mac, t->maclen, mac, maclen))
		return TSIG_BADSIG;
	*key = k;
	/* The time is checked after the MAC (RFC 8945 5.2.3): a forged
	 * request must not learn our clock. */
	return time_ok(t->time_signed, t->fudge, now) ? TSIG_OK : TSIG_BADTIME;
}

/* ---- signing ---- */

void tsig_stream_init(struct tsig_stream *s, const struct tsig_key *key, const uint8_t *req_mac, uint16_t req_maclen,
		      uint16_t orig_id, time_t now)
{
	memset(s, 0, sizeof(*s));
	s->key = *key;
	if (req_maclen > TSIG_MAC_MAX)
		req_maclen = TSIG_MAC_MAX;
	if (req_mac)
		memcpy(s->prior, req_mac, req_maclen);
	s->priorlen = req_mac ? req_maclen : 0;
	s->first = 1;
	s->orig_id = orig_id;
	s->time_signed = (uint64_t)now;
}

size_t tsig_rr_size(const struct tsig_key *key)
{
	return key->wnamelen + RR_FIXED + algs[key->alg].wirelen + TSIG_RD_FIXED + tsig_mac_len(key->alg) +
	       TSIG_OTHER_TIME;
}

/* Write a TSIG RR at out: the fields given; returns its length. */
static size_t put_tsig(uint8_t *out, const uint8_t *keyname, size_t keylen, const uint8_t *alg, size_t alglen,
		       uint64_t time_signed, const uint8_t *mac, uint16_t maclen, uint16_t orig_id, uint16_t error,
		       const uint8_t *other, uint16_t otherlen)
{
	size_t rdlen = alglen + TSIG_RD_FIXED + maclen + otherlen, p = keylen + RR_FIXED;

	memcpy(out, keyname, keylen);
	rr_header_put(out + keylen, DNS_TYPE_TSIG, DNS_CLASS_ANY, 0, (uint16_t)rdlen);
	memcpy(out + p, alg, alglen);
	p += alglen;
	wire_put16(out + p, (uint16_t)(time_signed >> 32));
	wire_put32(out + p + 2, (uint32_t)time_signed);
	wire_put16(out + p + 6, TSIG_FUDGE);
	wire_put16(out + p + 8, maclen);
	p += 10;
	if (maclen) /* an error reply carries no MAC: mac may be NULL */
		memcpy(out + p, mac, maclen);
	p += maclen;
	wire_put16(out + p, orig_id);
	wire_put16(out + p + 2, error);
	wire_put16(out + p + 4, otherlen);
	p += 6;
	if (otherlen)
		memcpy(out + p, other, otherlen);
	return p + otherlen;
}

size_t tsig_sign(struct tsig_stream *s, uint8_t *msg, size_t len, size_t cap)
{
	const struct tsig_key *k = &s->key;
	const uint8_t *alg = (const uint8_t *)algs[k->alg].wire;
	uint8_t mac[TSIG_MAC_MAX], other[TSIG_OTHER_TIME];
	uint16_t otherlen = 0;
	size_t maclen;
	EVP_MAC_CTX *c;

	if (len + tsig_rr_size(k) > cap || !(c = mac_begin(k)))
		return 0;
	if (s->error == TSIG_BADTIME) {
		/* Our clock, for the client to see how far off it is (RFC 8945 5.2.3). */
		uint64_t now = (uint64_t)time(NULL);
		wire_put16(other, (uint16_t)(now >> 32));
		wire_put32(other + 2, (uint32_t)now);
		otherlen = TSIG_OTHER_TIME;
	} else if (!s->first) {
		s->time_signed = (uint64_t)time(NULL);
	}
	if (s->priorlen || !s->first)
		mac_prior(c, s->prior, s->priorlen);
	mac_message(c, msg, len, 0, s->orig_id);
	mac_vars(c, k->wname, k->wnamelen, alg, algs[k->alg].wirelen, s->time_signed, TSIG_FUDGE, s->error, other,
		 otherlen, !s->first);
	if (mac_end(c, mac, &maclen) != 0)
		return 0;
	len += put_tsig(msg + len, k->wname, k->wnamelen, alg, algs[k->alg].wirelen, s->time_signed, mac,
			(uint16_t)maclen, s->orig_id, s->error, other, otherlen);
	wire_put16(msg + 10, (uint16_t)(wire_get16(msg + 10) + 1));
	memcpy(s->prior, mac, maclen);
	s->priorlen = (uint16_t)maclen;
	s->first = 0;
	return len;
}

size_t tsig_append_error(const struct tsig_rr *t, uint16_t error, uint8_t *msg, size_t len, size_t cap)
{
	if (len + t->keynamelen + RR_FIXED + t->alglen + TSIG_RD_FIXED > cap)
		return 0;
	len += put_tsig(msg + len, t->keyname, t->keynamelen, t->alg, t->alglen, t->time_signed, NULL, 0, t->orig_id,
			error, NULL, 0);
	wire_put16(msg + 10, (uint16_t)(wire_get16(msg + 10) + 1));
	return len;
}

int tsig_verify_answer(const struct tsig_stream *s, const uint8_t *msg, size_t len, time_t now)
{
	const struct tsig_key *k = &s->key;
	struct tsig_rr t;
	uint8_t mac[TSIG_MAC_MAX];
	size_t maclen;
	EVP_MAC_CTX *c;

	if (tsig_find(msg, len, &t) != 1)
		return TSIG_BADSIG; /* an unsigned answer to a signed request */
	if (!key_find(k, 1, &t))
		return TSIG_BADKEY;
	if (t.error != TSIG_OK)
		return t.error;
	if (!(c = mac_begin(k)))
		return TSIG_BADSIG;
	mac_prior(c, s->prior, s->priorlen);
	mac_message(c, msg, t.start, 1, t.orig_id);
	mac_vars(c, t.keyname, t.keynamelen, t.alg, t.alglen, t.time_signed, t.fudge, t.error, t.other, t.otherlen, 0);
	if (mac_end(c, mac, &maclen) != 0 || !mac_matches(t.mac, t.maclen, mac, maclen))
		return TSIG_BADSIG;
	return time_ok(t.time_signed, t.fudge, now) ? TSIG_OK : TSIG_BADTIME;
}
