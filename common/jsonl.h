/*
 * jsonl.h -- JSON lines over Unix sockets: the framing of both the health
 * protocol (steer-healthd) and the control protocol (steerdns).
 *
 * One message is one JSON object on one line. Every message carries
 * "v": STEER_PROTO_VERSION. Replies are {"v":1,"ok":true,...} or
 * {"v":1,"ok":false,"error":"..."}; events are {"v":1,"event":"...",...}.
 *
 * Event-driven side (daemons, steerdns' health client): struct jsonl_peer
 * wraps a bufferevent. The peer layer answers malformed lines and wrong
 * versions itself with an error reply and keeps the connection; only valid
 * requests reach the callback. A peer whose unsent output passes max_out
 * (a slow or stuck client) is disconnected, so it can never hold up the
 * daemon. When the peer closes, the callback gets msg == NULL exactly once
 * and the peer is freed right after it returns.
 *
 * Blocking side (steerctl, tests): jsonl_connect/jsonl_write/jsonl_read.
 */
#ifndef STEER_JSONL_H
#define STEER_JSONL_H

#include <jansson.h>
#include <stddef.h>
#include <sys/types.h>

#define STEER_PROTO_VERSION 1
#define JSONL_MAX_LINE (1024 * 1024)

struct bufferevent;
struct event_base;
struct jsonl_peer;
struct jsonl_listener;

typedef void (*jsonl_cb)(struct jsonl_peer *peer, json_t *msg, void *arg);

/* Take ownership of fd (closed on free). max_out 0 means 4 MiB. */
struct jsonl_peer *jsonl_peer_new(struct event_base *base, int fd, size_t max_out, jsonl_cb cb, void *arg);
/* The same over a bufferevent made elsewhere (TLS: bufferevent_openssl),
 * owned from here on (freed on failure too). Its fd may still be
 * connecting: output queues until it is. */
struct jsonl_peer *jsonl_peer_new_bev(struct bufferevent *bev, size_t max_out, jsonl_cb cb, void *arg);
/* The peer's bufferevent (borrowed: TLS details such as the peer certificate). */
struct bufferevent *jsonl_peer_bev(const struct jsonl_peer *p);
/* Close as if the other side had: the callback gets NULL, then the peer is
 * freed (deferred when called from inside the callback). */
void jsonl_peer_close(struct jsonl_peer *p);
/* The same once what was queued has been written (an error reply before
 * hanging up); nothing more is read. */
void jsonl_peer_close_flushed(struct jsonl_peer *p);
/* Close without calling the callback. */
void jsonl_peer_free(struct jsonl_peer *p);
void jsonl_peer_set_cb(struct jsonl_peer *p, jsonl_cb cb, void *arg);
void *jsonl_peer_arg(const struct jsonl_peer *p);
/* Queue msg (adds "v"; does not steal the reference). Returns STEER_EOK, or
 * STEER_ESPACE when the output limit was passed: the peer is then closed
 * (callback with NULL, then freed) before this returns. */
int jsonl_peer_send(struct jsonl_peer *p, json_t *msg);
/* Unsent output (bytes). */
size_t jsonl_peer_pending(const struct jsonl_peer *p);
/* Call cb each time the unsent output drains to low bytes or fewer (flow
 * control: send more only as the peer reads). cb may send; NULL: none. */
void jsonl_peer_set_drain(struct jsonl_peer *p, size_t low, void (*cb)(struct jsonl_peer *p, void *arg));
/* Convenience replies. */
int jsonl_peer_ok(struct jsonl_peer *p, json_t *fields /* stolen, may be NULL */);
int jsonl_peer_error(struct jsonl_peer *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Listen on a Unix socket, chmod to mode. A socket file left at path by a
 * process that is gone (nobody accepts a connect) is replaced; a live one
 * fails with STEER_EINUSE and anything else there (a regular file, ...)
 * with STEER_ENOTSOCK: neither is removed. on_accept gets each new
 * connection's fd (non-blocking). */
struct jsonl_listener *jsonl_listen(struct event_base *base, const char *path, mode_t mode,
				    void (*on_accept)(int fd, void *arg), void *arg, int *err);
/* Stop listening and unlink the socket file, if it is still the one we made. */
void jsonl_listener_free(struct jsonl_listener *l);

/* --- blocking client --- */
struct jsonl_reader {
	char *buf; /* owned */
	size_t len, cap;
};
void jsonl_reader_init(struct jsonl_reader *r);
void jsonl_reader_clear(struct jsonl_reader *r);

/* Connect to a Unix socket. Returns fd or negative errno. */
int jsonl_connect(const char *path);
/* Send msg (adds "v"). */
int jsonl_write(int fd, json_t *msg);
/* Read one message; timeout_ms < 0 waits forever. Returns STEER_EOK with
 * *msg set (caller decrefs), STEER_EAGAIN on timeout, STEER_EPROTO on EOF or
 * garbage. */
int jsonl_read(int fd, struct jsonl_reader *r, int timeout_ms, json_t **msg);
/* Connect, send req, read one reply. A reply in parts (common/health.h:
 * "more": true, then events with "more" until false) is read whole: the
 * parts' "targets" arrays are appended to the reply's. */
int jsonl_call(const char *path, json_t *req, int timeout_ms, json_t **reply);

#endif
