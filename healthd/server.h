/*
 * server.h -- steer-healthd's Unix socket: the health protocol v1 (see
 * common/health.h) on top of the jsonl peer layer.
 *
 * Any number of clients; each is a jsonl_peer with a bounded output buffer
 * (SERVER_MAX_OUT), so a subscriber that stops reading is disconnected
 * instead of growing the daemon or delaying checks. Snapshots go out in
 * parts as the client reads, and a subscriber that falls behind gets a
 * fresh snapshot instead of every change, so a client that reads is never
 * disconnected, whatever the number of targets. Subscribers get change
 * events through healthd_server_broadcast_change(), wired to the monitor's hooks.
 */
#ifndef STEER_HEALTHD_SERVER_H
#define STEER_HEALTHD_SERVER_H

#include <jansson.h>
#include <stddef.h>

#define SERVER_MAX_OUT (1024 * 1024)
/* Flow control below that limit (server.c): change events stop above HIGH,
 * snapshot parts go out at LOW or less. */
#define SERVER_HIGH_OUT (512 * 1024)
#define SERVER_LOW_OUT (128 * 1024)

struct event_base;
struct monitor;
struct healthd_server;

/* Listen on path (mode 0660; an old socket file is replaced). Returns NULL
 * with *err set on failure. */
struct healthd_server *healthd_server_new(struct event_base *base, const char *path, struct monitor *m, int *err);
/* Disconnect every client, stop listening and remove the socket file. */
void healthd_server_free(struct healthd_server *s);

/* The "reload" command (common/health.h): fn re-reads the config if config
 * names the file this daemon reads, and returns 0, or non-zero with the
 * reasons in errs. Without it, "reload" is refused. */
struct errlist;
typedef int (*healthd_reload_fn)(const char *config, struct errlist *errs, void *arg);
void healthd_server_set_reload(struct healthd_server *s, healthd_reload_fn fn, void *arg);

/* Publishing (healthd/publish.c): every heartbeat_ms each subscriber gets
 * {"v":1,"event":"heartbeat"}, so a subscriber can tell a quiet source
 * from a dead one; remote clients must present token (NULL: none; then
 * client certificates authenticate them). Returns STEER_EOK or ENOMEM. */
int healthd_server_set_publish(struct healthd_server *s, unsigned heartbeat_ms, const char *token);
/* A remote (TCP+TLS) client on bev (owned from here on): read only, and
 * its first request must carry the token. */
struct bufferevent;
void healthd_server_add_remote(struct healthd_server *s, struct bufferevent *bev);

/* Clients that subscribed and are still connected (the metrics' gauge). */
size_t healthd_server_nsubscribers(const struct healthd_server *s);

/* Hooks for the monitor (arg is the struct healthd_server). */
void healthd_server_broadcast_change(json_t *target, void *arg);
void healthd_server_broadcast_snapshot(json_t *targets, void *arg);

#endif
