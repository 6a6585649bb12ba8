/*
 * tsig.h -- TSIG (RFC 8945): verify a request, sign the responses to it.
 *
 * Layer: server/xfr (transfers, NOTIFY), on server/wire. The MACs are
 * OpenSSL's HMAC (EVP_MAC); nothing here hashes by hand. Used by the
 * transfer writer (xfr_out.h, one tsig_stream per transfer: every message
 * of a multi-message response signed, RFC 8945 5.3.1), by the AXFR/IXFR
 * request check (axfr.h) and by NOTIFY out (notify.h, which signs requests
 * and verifies the answers).
 *
 * Not on the UDP query path: a transfer or a NOTIFY costs a few HMACs.
 */
#ifndef STEER_XFR_TSIG_H
#define STEER_XFR_TSIG_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define TSIG_MAC_MAX 64     /* hmac-sha512 */
#define TSIG_SECRET_MAX 256 /* bytes of a decoded secret */
#define TSIG_FUDGE 300      /* seconds we allow and ask for (RFC 8945 10: 300 recommended) */

/* TSIG error codes, in the TSIG RR's Error field (RFC 8945 3, 5.2). */
enum {
	TSIG_OK = 0,
	TSIG_BADSIG = 16,
	TSIG_BADKEY = 17,
	TSIG_BADTIME = 18,
	TSIG_BADTRUNC = 22,
};

enum tsig_alg { TSIG_SHA1, TSIG_SHA256, TSIG_SHA384, TSIG_SHA512 };

/* One key of the config's "tsig" section. Plain data: copied into each
 * transfer, so a reload may free the config while a transfer runs. */
struct tsig_key {
	char name[256];          /* presentation, as configured ("sec1") */
	uint8_t wname[256];      /* lowercase wire form of name */
	uint8_t wnamelen;
	enum tsig_alg alg;
	uint8_t secret[TSIG_SECRET_MAX];
	size_t secretlen;
};

/* "hmac-sha256" etc. (any case) -> *alg. Returns 0, or -1 for an unknown
 * or unsupported name (hmac-md5 is not offered). */
int tsig_alg_parse(const char *name, enum tsig_alg *alg);
const char *tsig_alg_name(enum tsig_alg alg);
size_t tsig_mac_len(enum tsig_alg alg);

/* A presentation name ("sec1", "example.com."; no escapes) in
 * lowercase wire form into out (256 bytes). Returns 0, or -1 when it is not
 * a valid name. */
int tsig_name_to_wire(const char *s, uint8_t *out, uint8_t *outlen);

/* Fill k from a config entry: name (a domain name), algorithm, base64
 * secret. Returns 0, or -1 with *why set (a static string). */
int tsig_key_init(struct tsig_key *k, const char *name, const char *alg, const char *secret_b64, const char **why);

/* A TSIG RR found in a message (pointers into it). */
struct tsig_rr {
	size_t start;            /* offset of the RR's owner name: the message without TSIG ends here */
	uint8_t keyname[256];    /* lowercased wire */
	size_t keynamelen;
	uint8_t alg[256];        /* lowercased wire */
	size_t alglen;
	uint64_t time_signed;    /* 48 bits */
	uint16_t fudge;
	const uint8_t *mac;
	uint16_t maclen;
	uint16_t orig_id;
	uint16_t error;
	uint16_t otherlen;
	const uint8_t *other;
};

/* Find the TSIG RR of msg[0..len): it must be the last record of the
 * additional section. Returns 1 (found, *t filled), 0 (none), or -1 when
 * the message or the TSIG RR is malformed, or a TSIG is elsewhere
 * (FORMERR, RFC 8945 5.1). */
int tsig_find(const uint8_t *msg, size_t len, struct tsig_rr *t);

/* Verify a request's TSIG t against the keys[0..n). Returns TSIG_OK
 * (*key set), TSIG_BADKEY (unknown key or algorithm), TSIG_BADSIG, or
 * TSIG_BADTIME (*key set: that response is signed), RFC 8945 5.2. */
int tsig_verify_request(const struct tsig_key *keys, size_t n, const uint8_t *msg, size_t len,
			const struct tsig_rr *t, time_t now, const struct tsig_key **key);

/*
 * Signing a response stream (or one request). tsig_stream_init() keeps a
 * copy of key and the request's MAC (NULL for a request we send); each
 * tsig_sign() appends a TSIG RR to one message and remembers its MAC for
 * the next: the first message's MAC covers the request MAC, the message
 * and all TSIG variables; later ones the previous MAC, the message and the
 * timers only (RFC 8945 5.3.1; we sign every message).
 */
struct tsig_stream {
	struct tsig_key key;
	uint8_t prior[TSIG_MAC_MAX];
	uint16_t priorlen;       /* 0 and first: a request (no prior MAC) */
	int first;
	uint64_t time_signed;
	uint16_t error;          /* TSIG_OK, or TSIG_BADTIME for that error response */
	uint16_t orig_id;
};
void tsig_stream_init(struct tsig_stream *s, const struct tsig_key *key, const uint8_t *req_mac, uint16_t req_maclen,
		      uint16_t orig_id, time_t now);
/* Bytes the TSIG RR adds to a message (keep that much room). */
size_t tsig_rr_size(const struct tsig_key *key);
/* Append a signed TSIG RR to msg[0..len) (cap bytes of room), ARCOUNT + 1.
 * Returns the new length, or 0 when it does not fit or OpenSSL failed. */
size_t tsig_sign(struct tsig_stream *s, uint8_t *msg, size_t len, size_t cap);
/* Append the unsigned TSIG RR of a BADKEY or BADSIG answer to a request t
 * (MAC size 0, RFC 8945 5.3.2). Returns the new length, or 0 when it does
 * not fit. */
size_t tsig_append_error(const struct tsig_rr *t, uint16_t error, uint8_t *msg, size_t len, size_t cap);

/* Verify a signed answer to a request we sent with s (NOTIFY): the
 * answer's TSIG must be made with s's key over s's request MAC. Returns
 * TSIG_OK or a TSIG error. */
int tsig_verify_answer(const struct tsig_stream *s, const uint8_t *msg, size_t len, time_t now);

#endif
