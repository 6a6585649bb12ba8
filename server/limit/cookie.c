/* cookie.c -- RFC 9018 server cookies over OpenSSL's SipHash-2-4. */
#include "config.h"
#include "server/limit/cookie.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <stdlib.h>
#include <string.h>

#define COOKIE_VERSION 1
#define HASH_LEN 8 /* SipHash-2-4 with a 64-bit output */

struct cookie_mac {
	EVP_MAC *mac;     /* owned */
	EVP_MAC_CTX *ctx; /* owned; re-keyed by every EVP_MAC_init */
	size_t size;      /* HASH_LEN: what params[0] points at */
	OSSL_PARAM params[2];
};

struct cookie_mac *cookie_mac_new(void)
{
	struct cookie_mac *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->mac = EVP_MAC_fetch(NULL, "SIPHASH", NULL);
	m->ctx = m->mac ? EVP_MAC_CTX_new(m->mac) : NULL;
	if (!m->ctx) {
		cookie_mac_free(m);
		return NULL;
	}
	/* The output size goes with every init: SipHash's default is 128 bits,
	 * RFC 9018 takes 64. The rounds default to 2 and 4. */
	m->size = HASH_LEN;
	m->params[0] = OSSL_PARAM_construct_size_t(OSSL_MAC_PARAM_SIZE, &m->size);
	m->params[1] = OSSL_PARAM_construct_end();
	return m;
}

void cookie_mac_free(struct cookie_mac *m)
{
	if (!m)
		return;
	EVP_MAC_CTX_free(m->ctx);
	EVP_MAC_free(m->mac);
	free(m);
}

/* Hash = SipHash-2-4(cc | head | ip, secret); head is Version, Reserved
 * and Timestamp as they stand in the cookie. */
static int cookie_hash(struct cookie_mac *m, const uint8_t *secret, const uint8_t *cc, const uint8_t *head,
		       const uint8_t *ip, size_t iplen, uint8_t out[HASH_LEN])
{
	uint8_t in[COOKIE_CLIENT_LEN + 8 + 16];
	size_t outlen = 0;

	if (iplen > 16)
		return -1;
	memcpy(in, cc, COOKIE_CLIENT_LEN);
	memcpy(in + COOKIE_CLIENT_LEN, head, 8);
	memcpy(in + COOKIE_CLIENT_LEN + 8, ip, iplen);
	if (EVP_MAC_init(m->ctx, secret, COOKIE_SECRET_LEN, m->params) != 1 ||
	    EVP_MAC_update(m->ctx, in, COOKIE_CLIENT_LEN + 8 + iplen) != 1 ||
	    EVP_MAC_final(m->ctx, out, &outlen, HASH_LEN) != 1 || outlen != HASH_LEN)
		return -1;
	return 0;
}

int cookie_make(struct cookie_mac *m, const uint8_t secret[COOKIE_SECRET_LEN], const uint8_t cc[COOKIE_CLIENT_LEN],
		const uint8_t *ip, size_t iplen, uint32_t now, uint8_t out[COOKIE_SERVER_LEN])
{
	out[0] = COOKIE_VERSION;
	out[1] = out[2] = out[3] = 0;
	out[4] = (uint8_t)(now >> 24);
	out[5] = (uint8_t)(now >> 16);
	out[6] = (uint8_t)(now >> 8);
	out[7] = (uint8_t)now;
	return cookie_hash(m, secret, cc, out, ip, iplen, out + 8);
}

int cookie_time_ok(uint32_t stamp, uint32_t now)
{
	/* Differences mod 2^32, so the window holds across the wrap. */
	uint32_t age = now - stamp, ahead = stamp - now;

	return age <= COOKIE_LIFETIME || ahead <= COOKIE_SKEW;
}

static int hash_matches(struct cookie_mac *m, const uint8_t *secret, const uint8_t *c, const uint8_t *ip,
			size_t iplen)
{
	uint8_t h[HASH_LEN];

	if (cookie_hash(m, secret, c, c + COOKIE_CLIENT_LEN, ip, iplen, h) != 0)
		return 0;
	/* Constant time: a timing oracle would let a client forge byte by byte. */
	return CRYPTO_memcmp(h, c + COOKIE_CLIENT_LEN + 8, HASH_LEN) == 0;
}

enum cookie_verdict cookie_check(struct cookie_mac *m, const struct cookie_keys *k, const uint8_t *c, size_t len,
				 const uint8_t *ip, size_t iplen, uint32_t now, int *renew)
{
	const uint8_t *sc = c + COOKIE_CLIENT_LEN;
	uint32_t stamp;

	*renew = 1;
	if (len == COOKIE_CLIENT_LEN)
		return COOKIE_CLIENT_ONLY;
	if (len != COOKIE_CLIENT_LEN + COOKIE_SERVER_LEN || sc[0] != COOKIE_VERSION)
		return COOKIE_INVALID; /* not one of ours: another server's format */
	stamp = (uint32_t)sc[4] << 24 | (uint32_t)sc[5] << 16 | (uint32_t)sc[6] << 8 | sc[7];
	if (!cookie_time_ok(stamp, now))
		return COOKIE_INVALID;
	if (hash_matches(m, k->secret, c, ip, iplen)) {
		/* Fresh enough to echo as it is; older ones are replaced. */
		*renew = (uint32_t)(now - stamp) > COOKIE_RENEW && (uint32_t)(stamp - now) > COOKIE_SKEW;
		return COOKIE_VALID;
	}
	if (!k->has_previous || !hash_matches(m, k->previous, c, ip, iplen))
		return COOKIE_INVALID;
	/* Made with the previous secret: accepted, and the answer carries one
	 * made with the current secret, so the rotation completes (RFC 9018 5). */
	return COOKIE_VALID;
}
