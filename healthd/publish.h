/*
 * publish.h -- steer-healthd's health protocol on TCP+TLS ("healthd"."publish"
 * in the config, common/health_conf.h), for steerdns instances on other
 * hosts that take this daemon as one of their sources.
 *
 * TLS 1.2 or later only (bufferevent_openssl). A client is authenticated by
 * a certificate signed by client_ca_file and/or by the token in its first
 * request; both are required when both are configured. Accepted
 * connections become remote clients of the socket server (server.h): read
 * only (status and subscribe), with the same output limit as local ones.
 * The listening sockets are bound at startup (before the privilege drop)
 * and kept until restart.
 */
#ifndef STEER_HEALTHD_PUBLISH_H
#define STEER_HEALTHD_PUBLISH_H

#include <stddef.h>

struct event_base;
struct health_publish_conf;
struct healthd_server;
struct healthd_publish;

/* Load the certificates and listen on every address of pc. On failure
 * returns NULL with a reason in err. */
struct healthd_publish *healthd_publish_new(struct event_base *base, const struct health_publish_conf *pc,
					    char *err, size_t errlen);
/* Accepted clients go to srv (set once the server exists). */
void healthd_publish_attach(struct healthd_publish *p, struct healthd_server *srv);
void healthd_publish_free(struct healthd_publish *p);

/* Only the TLS context (for --check): 0, or -1 with a reason in err. */
int healthd_publish_check(const struct health_publish_conf *pc, char *err, size_t errlen);

#endif
