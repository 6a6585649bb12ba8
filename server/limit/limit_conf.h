/*
 * limit_conf.h -- the "rrl" and "cookies" sections of the config, and the
 * server.nsid value: read here (server/conf.c makes one call), kept as
 * plain data in each snapshot (struct served) so a reload swaps them with
 * the zones.
 *
 *   "rrl": { "responses_per_second": 20, "slip": 2, "window": 15,
 *            "ipv4_prefix": 24, "ipv6_prefix": 56, "table_size": 65536,
 *            "exempt": ["192.0.2.0/24"] }
 *   "cookies": { "secret": "32 hex digits", "previous_secret": "...",
 *                "require_over_limit": false, "enabled": true }
 *
 * Without a "cookies" section cookies are on, with a secret made at startup
 * (kept across reloads, new at every restart).
 */
#ifndef STEER_LIMIT_CONF_H
#define STEER_LIMIT_CONF_H

#include <stddef.h>
#include <stdint.h>

#include "server/limit/cookie.h"
#include "server/limit/rrl.h"

struct conf_file;
struct errlist;

#define NSID_MAX 128 /* bytes of server.nsid */

struct cookie_conf {
	int on;                 /* answer COOKIE options (default on) */
	int require_over_limit; /* UDP clients over the RRL limit get BADCOOKIE */
	struct cookie_keys keys;
};

struct limit_conf {
	struct rrl_conf rrl;
	struct cookie_conf cookies;
};

/* Read the "rrl" and "cookies" sections of cf into out. Returns the number
 * of errors added to errs ("file:line: path: reason"). */
int limit_conf_read(const struct conf_file *cf, struct limit_conf *out, struct errlist *errs);

/* server.nsid: a string sent as it is, or "hex:" and an even number of hex
 * digits. Returns the length written to out (at most NSID_MAX), or -1 with
 * *why set. */
int limit_nsid_parse(const char *s, uint8_t out[NSID_MAX], const char **why);

#endif
