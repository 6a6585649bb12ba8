/*
 * health_conf.h -- the parts of the "healthd" section that connect several
 * health daemons to steerdns: what steer-healthd publishes over TCP+TLS
 * ("publish") and which health daemons steerdns follows ("sources",
 * "silent_after"). Read by pools_conf_load() (common/pools.h), so both
 * programs see the same values.
 *
 *   "healthd": {
 *     "socket": "run/healthd.sock",                 the local Unix socket (as before)
 *     "publish": { "listen": ["198.18.0.1:8853"],   steer-healthd: also serve the
 *                  "cert_file": F, "key_file": F,    health protocol on TCP+TLS,
 *                  "client_ca_file": F,             read only (status, subscribe);
 *                  "token": "secret",               a client must present a cert
 *                  "heartbeat": 1 },                 signed by client_ca_file and/or
 *                                                   the token
 *     "sources": [ { "name": "local", "socket": "run/healthd.sock" },
 *                  { "name": "fra", "connect": "198.18.0.2:8853",
 *                    "ca_file": F, "cert_file": F, "key_file": F,
 *                    "token": "secret", "server_name": "healthd-fra" } ],
 *     "silent_after": 10 }
 *
 * Without "sources" steerdns follows the one "socket", as it always did,
 * and silent_after defaults to 0 (a last-known verdict is kept forever);
 * with "sources" it defaults to 10 s.
 */
#ifndef STEER_HEALTH_CONF_H
#define STEER_HEALTH_CONF_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "common/conf.h"

struct errlist;

/* At most this many sources (a vote mask is 32 bits). */
#define HEALTH_MAX_SOURCES 32

struct health_source_conf {
	char *name;        /* owned; unique; default the socket path or the connect address */
	char *socket;      /* owned: a Unix socket (resolved), or NULL */
	char *connect;     /* owned: "HOST:PORT" / "[V6]:PORT" for TCP+TLS, or NULL */
	char *ca_file;     /* owned or NULL (system store): verifies the healthd's certificate */
	char *cert_file, *key_file; /* owned or NULL: our client certificate */
	char *token;       /* owned or NULL */
	char *server_name; /* owned or NULL: the name the certificate must carry (default:
			    * the connect address as an IP) */
};

struct health_publish_conf {
	struct conf_strlist listen; /* TCP addresses; none: no publishing */
	char *cert_file, *key_file; /* owned: the server certificate */
	char *client_ca_file;       /* owned or NULL: require client certificates signed by it */
	char *token;                /* owned or NULL: require this token in each request */
	uint32_t heartbeat_ms;      /* heartbeat events to subscribers (default 1000) */
};

/* Read "publish", "sources" and "silent_after" of sec (the "healthd"
 * object, may be NULL) for the Unix socket default_socket. Returns errors
 * added. */
struct health_sources {
	struct health_source_conf *v; /* owned */
	size_t n;
	uint32_t silent_after_ms;     /* 0: never */
	int explicit_sources;         /* "sources" was given */
};
int health_conf_read(const struct conf_file *cf, json_t *sec, const char *default_socket,
		     struct health_publish_conf *pub, struct health_sources *src, struct errlist *errs);
void health_conf_clear(struct health_publish_conf *pub, struct health_sources *src);

/* Deep copy of src into dst (0, or -1 on ENOMEM with dst cleared). */
int health_source_copy(struct health_source_conf *dst, const struct health_source_conf *src);
void health_source_clear(struct health_source_conf *s);

/* 1 when a and b would connect the same way (same name, endpoint, files, token). */
int health_source_equal(const struct health_source_conf *a, const struct health_source_conf *b);

#endif
