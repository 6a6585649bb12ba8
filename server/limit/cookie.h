/*
 * cookie.h -- DNS server cookies (RFC 7873), built as RFC 9018 says so that
 * several servers of one anycast set can share a secret and accept each
 * other's cookies:
 *
 *   server cookie = Version (1) | Reserved (3) | Timestamp (4) | Hash (8)
 *   Hash = SipHash-2-4(Client Cookie | Version | Reserved | Timestamp |
 *                      Client-IP, Server Secret)
 *
 * SipHash comes from OpenSSL (EVP_MAC "SIPHASH"); no hash is written here.
 * One struct cookie_mac per answering thread (it holds an EVP_MAC_CTX, which
 * is not shareable): made at startup, reused by every query, no allocation
 * per query.
 *
 * Layer: server/limit (below server/answer, which calls it from edns.c and
 * guard.c). OpenSSL and libc only.
 */
#ifndef STEER_LIMIT_COOKIE_H
#define STEER_LIMIT_COOKIE_H

#include <stddef.h>
#include <stdint.h>

#define COOKIE_CLIENT_LEN 8   /* RFC 7873 4.1 */
#define COOKIE_SERVER_LEN 16  /* RFC 9018 version 1 */
#define COOKIE_MAX_LEN 40     /* client 8 + server 8..32 (RFC 7873 4.2) */
#define COOKIE_SECRET_LEN 16  /* a SipHash key */
#define COOKIE_LIFETIME 3600  /* seconds a server cookie is accepted (RFC 9018 4.3) */
#define COOKIE_RENEW 1800     /* after this, answers carry a fresh one (RFC 9018 4.3) */
#define COOKIE_SKEW 300       /* seconds a timestamp may be ahead of our clock */

/* The secrets of the live config: current makes cookies, previous (when
 * has_previous) is still accepted, so a rotation across a server set needs
 * no flag day (RFC 9018 5). */
struct cookie_keys {
	uint8_t secret[COOKIE_SECRET_LEN];
	uint8_t previous[COOKIE_SECRET_LEN];
	int has_previous;
};

/* What the COOKIE option of a query proved. */
enum cookie_verdict {
	COOKIE_NONE = 0,    /* no COOKIE option */
	COOKIE_CLIENT_ONLY, /* a client cookie without a server cookie: the first contact */
	COOKIE_VALID,       /* a server cookie we made for this client and address, not expired */
	COOKIE_INVALID,     /* a server cookie that is not ours, expired, or of another version */
};

struct cookie_mac;

/* NULL when OpenSSL has no SipHash (or on ENOMEM). Startup only. */
struct cookie_mac *cookie_mac_new(void);
void cookie_mac_free(struct cookie_mac *m);

/* The 16-byte server cookie for client cookie cc from address ip (4 or 16
 * bytes) at time now (seconds since the epoch, mod 2^32), Reserved zero.
 * Returns 0, or -1 when OpenSSL fails. */
int cookie_make(struct cookie_mac *m, const uint8_t secret[COOKIE_SECRET_LEN], const uint8_t cc[COOKIE_CLIENT_LEN],
		const uint8_t *ip, size_t iplen, uint32_t now, uint8_t out[COOKIE_SERVER_LEN]);

/* Judge the COOKIE option data c[0..len) (already length-checked: 8 or
 * 16..40) from ip at now. The Reserved bytes are hashed as sent (RFC 9018
 * 4.3). *renew is set when a valid cookie is old enough to be replaced. */
enum cookie_verdict cookie_check(struct cookie_mac *m, const struct cookie_keys *k, const uint8_t *c, size_t len,
				 const uint8_t *ip, size_t iplen, uint32_t now, int *renew);

/* The timestamp window of RFC 9018 4.3 in serial arithmetic (RFC 1982):
 * at most COOKIE_LIFETIME old, at most COOKIE_SKEW ahead. */
int cookie_time_ok(uint32_t stamp, uint32_t now);

#endif
