/*
 * xfr_conf.h -- the transfer settings of the config: the "tsig" section
 * (keys) and, per zone, "allow_transfer" (who may AXFR/IXFR), "notify"
 * (secondaries told of a new serial) and "serial" (who sets the served
 * serial).
 *
 *   "tsig":  { "sec1": { "algorithm": "hmac-sha256", "secret": "base64" } },
 *   "zones": [ { "name": "example.com", "file": "example.com.zone",
 *                "allow_transfer": [ "192.0.2.0/24", { "key": "sec1" },
 *                                    { "address": "2001:db8::/32", "key": "sec1" } ],
 *                "notify": [ "192.0.2.53", "[2001:db8::53]:53", { "address": "127.0.0.1:5300", "key": "sec1" } ],
 *                "serial": "keep" } ]
 *
 * Read once per config load (server/conf.c calls xfr_conf_read()); the
 * result is shared, read-only, by the server config and every snapshot
 * made from it (xfr_conf_ref/unref, atomic: the TCP thread drops its
 * snapshot's reference never, but a transfer may outlive a reload, so it
 * copies the key it signs with instead of holding the config).
 */
#ifndef STEER_XFR_CONF_H
#define STEER_XFR_CONF_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "server/xfr/tsig.h"

struct conf_file;
struct errlist;

/* One allow_transfer entry: an address prefix, a key, or both. */
struct xfr_acl {
	int family;        /* AF_INET, AF_INET6, or 0: any address */
	uint8_t addr[16];  /* network part, host bits zero */
	uint8_t prefix;
	int key;           /* index into xfr_conf.keys; -1: no key needed */
};

/* One NOTIFY target. */
struct xfr_notify {
	struct sockaddr_storage ss;
	socklen_t len;
	char text[64];     /* as configured, for the log */
	int key;           /* index into xfr_conf.keys; -1: unsigned */
};

enum xfr_serial { XFR_SERIAL_KEEP, XFR_SERIAL_INCREMENT, XFR_SERIAL_UNIXTIME, XFR_SERIAL_DATESERIAL };

struct xfr_zone {
	char *name;            /* owned, as configured */
	uint8_t apex[256];     /* lowercase wire */
	size_t apexlen;
	struct xfr_acl *acl;   /* owned; none: no transfers of this zone */
	size_t nacl;
	struct xfr_notify *notify; /* owned */
	size_t nnotify;
	enum xfr_serial serial;
	int check_serial;      /* "serial" given, or transfers configured: run xfr_serial_pre */
	const char *state_dir; /* borrowed from the xfr_conf: where serials are kept */
};

struct xfr_conf {
	_Atomic unsigned refs;
	struct tsig_key *keys; /* owned */
	size_t nkeys;
	struct xfr_zone *zones; /* owned: one per config zone, in config order */
	size_t nzones;
	char *state_dir;       /* owned copy of server.state_dir; NULL = none */
};

/* The zone keys this module reads; server/conf.c lists them among the
 * known keys of a zone entry (so a typo still gets "did you mean"). */
#define XFR_ZONE_KEYS "allow_transfer", "notify", "serial"

/* Read the "tsig" section and every zone's transfer keys from cf. *out is
 * set (also without any transfer settings) unless out of memory. Returns
 * the number of errors added to errs ("file:line: path: reason"). */
int xfr_conf_read(const struct conf_file *cf, const char *state_dir, struct xfr_conf **out, struct errlist *errs);
void xfr_conf_ref(struct xfr_conf *c);
/* Drop a reference; frees with the last. NULL is fine. */
void xfr_conf_unref(struct xfr_conf *c);
/* The same as a void * callback (struct snapshot's free_xfr). */
void xfr_conf_unref_cb(void *c);

/* The settings of the zone with apex (lowercase wire), or NULL. */
const struct xfr_zone *xfr_conf_zone(const struct xfr_conf *c, const uint8_t *apex, size_t len);
/* The settings of the zone named name (as in the config, any case), or NULL. */
const struct xfr_zone *xfr_conf_zone_named(const struct xfr_conf *c, const char *name);
/* Does an allow_transfer entry of z let sa in, signed with key (NULL:
 * unsigned; key points into c->keys)? */
int xfr_acl_allows(const struct xfr_conf *c, const struct xfr_zone *z, const struct sockaddr *sa,
		   const struct tsig_key *key);

#endif
