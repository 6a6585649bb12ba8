/*
 * health.h -- the health protocol, version 1: steer-healthd's Unix socket
 * (and its TCP+TLS publishing).
 *
 * Framing is common/jsonl.h: one JSON object per line, every message carries
 * "v":1. steer-healthd serves; steerdns (subscribe) and steerctl (status,
 * set) are the clients.
 *
 * Requests and replies:
 *
 *   {"v":1,"cmd":"status"}
 *     -> {"v":1,"ok":true,"targets":[TARGET,...]}                 one snapshot
 *
 *   {"v":1,"cmd":"subscribe"}
 *     -> {"v":1,"ok":true,"targets":[TARGET,...]}                 snapshot, then
 *        {"v":1,"event":"change","target":TARGET}                 per change,
 *     for as long as the connection stays open. A change is sent when a
 *     target's state, admin or effective value changes (not on every probe).
 *     After a reload (SIGHUP) a fresh snapshot is sent as an event
 *     {"v":1,"event":"snapshot","targets":[...]}: targets missing from it are
 *     gone.
 *     Every healthd.publish.heartbeat (default 1 s) subscribers also get
 *     {"v":1,"event":"heartbeat"}, so a quiet daemon can be told from a
 *     dead one (steerdns' silent_after).
 *
 *     Snapshots in parts (any number of targets): a snapshot (the status or
 *     subscribe reply, or the snapshot event) carries at most 500 targets
 *     and "more":true when others follow, in events
 *     {"v":1,"event":"snapshot_part","targets":[...],"more":BOOL}, the last
 *     with "more":false; "missing from it" means from all its parts. Each
 *     part is sent once the client has read the one before (flow control)
 *     and carries the state when it is sent; change events may come between
 *     parts. A subscriber that falls over 512 KiB behind gets no more change
 *     events; once it has read its backlog it gets a fresh snapshot (an
 *     event) instead. A client that does not read at all is disconnected at
 *     1 MiB of unsent output; it should reconnect and resubscribe.
 *
 *   Over TCP+TLS (healthd.publish, healthd/publish.h) the same protocol,
 *   read only: status and subscribe. With a token configured the first
 *   request must carry it, {"v":1,"cmd":"subscribe","token":"..."};
 *   otherwise the reply is {"ok":false,"error":"authentication required..."}
 *   and the connection is closed.
 *
 *   {"v":1,"cmd":"set","target":NAME|ADDRESS,"admin":"down"|"up"|"auto"}
 *     -> {"v":1,"ok":true,"targets":[TARGET,...]}   the targets changed
 *     -> {"v":1,"ok":false,"error":"no target named ..."}
 *     NAME is "CHECK@ADDRESS"; a bare ADDRESS selects every target with that
 *     address. "down" drains, "up" forces up, "auto" returns to the checks.
 *     The override is saved in the state file before the reply is sent.
 *
 *   {"v":1,"cmd":"reload","config":PATH}
 *     -> {"v":1,"ok":true,"targets":N}              re-read, N targets now
 *     -> {"v":1,"ok":false,"error":"...","errors":["file:line: reason",...]}
 *     steerdns sends this after each of its own reloads, so the checks and
 *     pools healthd runs are the ones steerdns answers from. PATH is the
 *     config steerdns loaded; healthd refuses (and changes nothing) when it
 *     is not the file healthd itself reads. Same effect as SIGHUP.
 *
 *   Anything else -> {"v":1,"ok":false,"error":"..."}; the connection stays.
 *
 * TARGET:
 *   {"name":"web@203.0.113.10", "check":"web", "address":"203.0.113.10",
 *    "port":8080, "type":"http",
 *    "state":"up"|"down"|"unknown",     what the checks say (unknown until
 *                                       the first verdict)
 *    "admin":"auto"|"down"|"up",        the operator's override
 *    "effective":"up"|"down"|"unknown", admin wins over state; this is what
 *                                       steering uses (unknown counts as up)
 *    "since":1700000000,                unix time of the last state/admin change
 *    "last":"HTTP 503",                 the last probe result, for humans
 *    "latency_ms":12,                   of the last probe (-1: none yet)
 *    "ok_count":0, "fail_count":3}      consecutive successes / failures
 *
 * Clients must ignore fields they do not know (the protocol grows by adding
 * fields); a new incompatible version gets a new "v".
 */
#ifndef STEER_HEALTH_H
#define STEER_HEALTH_H

#include <jansson.h>
#include <stdint.h>
#include <time.h>

enum health_state { HEALTH_UNKNOWN = 0, HEALTH_UP, HEALTH_DOWN };
enum health_admin { HEALTH_ADMIN_AUTO = 0, HEALTH_ADMIN_DOWN, HEALTH_ADMIN_UP };

/* "unknown"/"up"/"down" and "auto"/"down"/"up"; parse returns 0 or STEER_EINVAL. */
const char *health_state_name(enum health_state s);
const char *health_admin_name(enum health_admin a);
int health_state_parse(const char *s, enum health_state *out);
int health_admin_parse(const char *s, enum health_admin *out);

/* Admin override wins; otherwise the checks' state. */
enum health_state health_effective(enum health_state state, enum health_admin admin);

/* One TARGET object. Strings are owned by the struct after decode. */
struct health_status {
	char *name, *check, *address, *type, *last; /* owned (may be NULL after decode) */
	int port;
	enum health_state state;
	enum health_admin admin;
	enum health_state effective;
	int64_t since;
	long latency_ms;
	unsigned ok_count, fail_count;
};

/* New JSON object for s (NULL on ENOMEM). "effective" is computed from
 * state and admin, not taken from s. */
json_t *health_status_encode(const struct health_status *s);
/* Fill out from a TARGET object. Only "name" and "state" are required;
 * missing optional fields get neutral values. Returns 0, STEER_EMALF or
 * STEER_ENOMEM; out needs health_status_clear() in every case. */
int health_status_decode(json_t *obj, struct health_status *out);
void health_status_clear(struct health_status *s);

/* Requests (new references, NULL on ENOMEM). */
json_t *health_req_status(void);
json_t *health_req_subscribe(void);
json_t *health_req_set(const char *target, enum health_admin admin);
json_t *health_req_reload(const char *config);

enum health_cmd { HEALTH_CMD_STATUS, HEALTH_CMD_SUBSCRIBE, HEALTH_CMD_SET, HEALTH_CMD_RELOAD };
struct health_req {
	enum health_cmd cmd;
	const char *target;  /* borrowed from the message (set only) */
	enum health_admin admin;
	const char *config;  /* borrowed from the message (reload only) */
};
/* Decode a request. On failure returns STEER_EMALF and points *why at a
 * static explanation for the error reply. */
int health_req_decode(json_t *msg, struct health_req *out, const char **why);

/* Server side: {"ok":true,"targets":[...]} and the change / snapshot events.
 * targets is stolen. */
json_t *health_msg_snapshot(json_t *targets);
json_t *health_msg_change(json_t *target /* stolen */);
json_t *health_msg_resnapshot(json_t *targets /* stolen */);

/* Client side, for steerdns: walk one message from the daemon. For a
 * snapshot (the subscribe/status reply or a snapshot event) cb is called once
 * per target with is_snapshot = 1, and the caller should treat targets absent
 * from it as unknown; for a change event, once with is_snapshot = 0.
 * Returns HEALTH_MSG_SNAPSHOT or HEALTH_MSG_CHANGE (so an empty snapshot is
 * still recognised), STEER_EPROTO for an error reply, or STEER_EMALF for a
 * message it does not understand (cb is then not called). */
enum { HEALTH_MSG_SNAPSHOT = 1, HEALTH_MSG_CHANGE = 2 };
typedef void (*health_update_cb)(const char *name, enum health_state effective, int is_snapshot, void *arg);
int health_msg_walk(json_t *msg, health_update_cb cb, void *arg);

#endif
