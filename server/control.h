/*
 * control.h -- steerdns' control socket: JSON lines v1 on a Unix socket.
 *
 * Requests are {"v":1,"cmd":NAME,...}; replies {"v":1,"ok":true,...} or
 * {"v":1,"ok":false,"error":"..."}. Commands (see man steerctl(8)):
 *   zones   -> {"ok":true,"generation":N,"zones":[{"name","serial","records","file","loaded_at"}]}
 *   reload  -> {"ok":true,"generation":N}
 *              or {"ok":false,"error":"reload rejected; the old data is still serving",
 *                  "errors":["file:line: reason",...]}
 *   stats   -> {"ok":true,"generation":N,"uptime":S,"workers":W,"tcp_connections":N,
 *               "queries":{"udp":N,"tcp":N},"responses":N,"truncated":N,"dropped":N,
 *               "qtype":{"A":N,...},"rcode":{"NOERROR":N,...}}
 * Everything runs in the main thread: a reload requested here blocks other
 * control clients (not the answering threads) until it is done.
 *
 * Adding a command: write one control_fn and add one row to the table in
 * control.c.
 */
#ifndef STEER_CONTROL_H
#define STEER_CONTROL_H

#include <jansson.h>

struct control;
struct server;
struct event_base;
struct jsonl_peer;

/* A command handler: answer req on peer, exactly once, with
 * jsonl_peer_ok() or jsonl_peer_error(). */
typedef void (*control_fn)(struct server *srv, struct jsonl_peer *peer, json_t *req);

/* Listen on path (mode 0660, an old socket file is replaced). Returns
 * STEER_EOK or a negative errno (logged). */
int control_new(struct control **out, struct event_base *base, const char *path, struct server *srv);
/* Close every client and the listener; remove the socket file. */
void control_free(struct control *c);

#endif
