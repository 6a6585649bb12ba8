/*
 * server.h -- the steerdns process: its config, its live data, its threads.
 *
 * Threads:
 *   main thread   libevent loop: signals (SIGHUP reload, SIGTERM/SIGINT
 *                 stop), the control socket, and reloads. A reload loads
 *                 the new config and zones here, beside the live snapshot,
 *                 while the other threads keep answering.
 *   UDP workers   `workers` threads (udp.c), each with its own SO_REUSEPORT
 *                 socket per listen address; no libevent.
 *   TCP thread    one thread with its own event_base (tcp.c), so that a
 *                 long zone load in the main thread never stalls TCP.
 * Answering threads read the live data through the hazard-pointer snapshot
 * domain (snapshot.h); the main thread is its only writer.
 *
 * Layer: the top of the server; it may include every server/ folder, and
 * none of them includes it (scripts/layers.sh).
 */
#ifndef STEER_SERVER_H
#define STEER_SERVER_H

#include <stdint.h>

struct server;
struct errlist;
struct stats;

/* Load the config and zones, bind every listener, open the control socket.
 * Nothing runs yet. On failure everything is logged (each config/zone error
 * as "file:line: reason") and NULL is returned. debug forces log level
 * debug whatever the config says. */
struct server *server_new(const char *config_path, int debug);
/* Start the workers and run the main loop until SIGTERM/SIGINT; then stop
 * the threads. Returns 0, or negative when a thread could not start. */
int server_run(struct server *srv);
/* Close everything (listeners, control socket file), free everything. */
void server_free(struct server *srv);

/* Reload config and zones (SIGHUP and the control "reload" command). A
 * config error rejects the reload: nothing changes, every error is logged
 * and added to errs, and a negative code is returned. A zone that does not
 * load keeps its old version (a new one is left out) while the rest is
 * applied: STEER_EOK with the zone errors in errs. */
int server_reload(struct server *srv, struct errlist *errs);
/* Reload one zone of the live config from its file (steerctl reload ZONE):
 * the other zones are shared with the live snapshot, the policies are
 * recompiled against the new zone. On any error nothing changes. Returns
 * STEER_EOK, STEER_ENOENT (not a configured zone) or another negative code. */
int server_reload_zone(struct server *srv, const char *name, struct errlist *errs);

#endif
