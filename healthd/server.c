/* server.c -- serve status, subscribe and set on the health socket. */
#include "config.h"
#include "healthd/server.h"
#include "common/errlist.h"
#include "common/errors.h"
#include "common/health.h"
#include "common/jsonl.h"
#include "common/log.h"
#include "healthd/monitor.h"

#include <event2/bufferevent.h>
#include <event2/event.h>
#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define REMOTE_HELLO_S 10

/* A snapshot goes out in parts of SNAP_PART targets (a line of about
 * 100-300 KB), the next part only once the client's unsent output is at
 * SERVER_LOW_OUT or less; each part is built from the current state when
 * it is sent, so a change event sent earlier is never undone by an older
 * part. A subscriber more than SERVER_HIGH_OUT behind gets no more change
 * events; once it drains it gets a fresh snapshot instead (every change
 * in it, and the output stays bounded whatever the number of targets). */
#define SNAP_PART 500

struct client {
	struct client *next, *prev; /* in server.clients */
	struct healthd_server *s;           /* borrowed */
	struct jsonl_peer *peer;    /* owned */
	int subscribed;
	int remote;                 /* TCP+TLS (publish.c): read only */
	const char *token;          /* borrowed from the server: still to be presented, or NULL */
	int greeted;                /* remote: its first request was accepted */
	int sending;                /* a snapshot is going out in parts */
	int as_reply;               /* its first part is the reply to status/subscribe (else an event) */
	size_t pos;                 /* the next target to send */
	int behind;                 /* change events were left out: resend a snapshot when drained */
	unsigned owed;              /* status/subscribe requests to answer after the current snapshot */
};

struct healthd_server {
	struct event_base *base;     /* borrowed */
	struct monitor *m;           /* borrowed */
	struct jsonl_listener *lis;  /* owned */
	struct client *clients;      /* owned list */
	healthd_reload_fn reload_fn; /* the daemon's reload (main.c), or NULL */
	void *reload_arg;
	struct event *heartbeat;     /* owned or NULL */
	char *token;                 /* owned or NULL: what remote clients must present */
};

static void client_unlink(struct client *c)
{
	if (c->prev)
		c->prev->next = c->next;
	else
		c->s->clients = c->next;
	if (c->next)
		c->next->prev = c->prev;
}

/* Send parts while the client keeps up: the first part of a snapshot goes
 * at once (it answers a request: a client that asks without reading is
 * cut off at SERVER_MAX_OUT as before), later ones as the client reads.
 * Requests that came during a snapshot in parts are answered after it, in
 * order. Returns -1 when the client was closed (and freed) by the jsonl
 * layer: c must not be touched then. */
static int send_parts(struct client *c)
{
	size_t n = monitor_ntargets(c->s->m);

	for (;;) {
		while (c->sending && (c->pos == 0 || jsonl_peer_pending(c->peer) <= SERVER_LOW_OUT)) {
			json_t *part = monitor_snapshot_range(c->s->m, c->pos, SNAP_PART), *msg;
			const char *event = c->pos > 0 ? "snapshot_part" : c->as_reply ? NULL : "snapshot";
			int more = c->pos + SNAP_PART < n, ret;

			msg = event ? json_pack("{s:s, s:o, s:b}", "event", event, "targets", part, "more", more)
				    : json_pack("{s:o, s:b, s:b}", "targets", part, "ok", 1, "more", more);
			if (!msg) {
				c->sending = 0;
				return jsonl_peer_error(c->peer, "out of memory") == STEER_EOK ? 0 : -1;
			}
			ret = jsonl_peer_send(c->peer, msg);
			json_decref(msg);
			if (ret != STEER_EOK)
				return -1;
			c->pos += SNAP_PART;
			c->sending = more;
		}
		if (c->sending || c->owed == 0)
			return 0;
		c->owed--;
		c->sending = c->as_reply = 1;
		c->pos = 0;
	}
}

/* A snapshot as the reply to a request (as_reply) or as an event. */
static void snapshot_start(struct client *c, int as_reply)
{
	if (c->sending) {
		if (as_reply)
			c->owed++;      /* answered once the current one is out */
		else
			c->behind = 1;  /* a fresh one after it (client_drained) */
		return;
	}
	c->sending = 1;
	c->as_reply = as_reply;
	c->pos = 0;
	if (!as_reply)
		c->behind = 0;
	send_parts(c);
}

/* The client read some of its output (jsonl drain callback). */
static void client_drained(struct jsonl_peer *peer, void *arg)
{
	struct client *c = arg;

	if (c->sending) {
		if (send_parts(c) < 0)
			return;
	}
	if (!c->sending && c->behind && jsonl_peer_pending(c->peer) <= SERVER_LOW_OUT)
		snapshot_start(c, 0);
}

static void cmd_status(struct client *c, const struct health_req *r)
{
	snapshot_start(c, 1);
}

static void cmd_subscribe(struct client *c, const struct health_req *r)
{
	/* Snapshot first: events queued after its first part are ordered
	 * after it, and later parts carry the state as it is when sent. */
	c->subscribed = 1;
	snapshot_start(c, 1);
}

static void cmd_set(struct client *c, const struct health_req *r)
{
	char err[300];
	json_t *changed = NULL;

	if (monitor_set_admin(c->s->m, r->target, r->admin, &changed, err, sizeof(err)) != 0) {
		jsonl_peer_error(c->peer, "%s", err);
		return;
	}
	jsonl_peer_ok(c->peer, json_pack("{s:o}", "targets", changed));
}

static void cmd_reload(struct client *c, const struct health_req *r)
{
	struct healthd_server *s = c->s;
	struct errlist errs;
	json_t *list;

	if (!s->reload_fn) {
		jsonl_peer_error(c->peer, "reload is not available");
		return;
	}
	errlist_init(&errs);
	if (s->reload_fn(r->config, &errs, s->reload_arg) == 0) {
		jsonl_peer_ok(c->peer, json_pack("{s:I}", "targets", (json_int_t)monitor_ntargets(s->m)));
	} else {
		list = json_array();
		for (size_t i = 0; list && i < errs.n; i++)
			json_array_append_new(list, json_string(errs.msgs[i]));
		jsonl_peer_send(c->peer, json_pack("{s:i, s:b, s:s, s:o}", "v", 1, "ok", 0, "error",
						   errs.n ? errs.msgs[0] : "reload failed", "errors",
						   list ? list : json_array()));
	}
	errlist_clear(&errs);
}

/* One row per command (the same order as enum health_cmd). */
static void (*const cmd_table[])(struct client *, const struct health_req *) = {
	[HEALTH_CMD_STATUS] = cmd_status,
	[HEALTH_CMD_SUBSCRIBE] = cmd_subscribe,
	[HEALTH_CMD_SET] = cmd_set,
	[HEALTH_CMD_RELOAD] = cmd_reload,
};

/* A remote client's first request must carry the token: compared in
 * constant time, so its bytes cannot be guessed one by one from timings.
 * Returns 1 when the client may go on. */
static int authenticated(struct client *c, json_t *msg)
{
	const char *t = json_string_value(json_object_get(msg, "token"));
	size_t n = strlen(c->token);

	if (t && strlen(t) == n && CRYPTO_memcmp(t, c->token, n) == 0) {
		c->token = NULL;
		return 1;
	}
	log_warn("health publish: a client without the right token; closing it");
	jsonl_peer_error(c->peer, "authentication required: send the \"token\" with the request");
	jsonl_peer_close_flushed(c->peer);
	return 0;
}

static void client_cb(struct jsonl_peer *peer, json_t *msg, void *arg)
{
	struct client *c = arg;
	struct health_req r;
	const char *why = NULL;

	if (!msg) {
		/* Closed; the peer is freed by jsonl right after we return. */
		client_unlink(c);
		free(c);
		return;
	}
	if (c->token && !authenticated(c, msg))
		return;
	if (c->remote && !c->greeted) {
		/* In: from now on a subscriber only listens. */
		bufferevent_set_timeouts(jsonl_peer_bev(peer), NULL, NULL);
		c->greeted = 1;
	}
	if (health_req_decode(msg, &r, &why) != 0) {
		jsonl_peer_error(peer, "%s", why);
		return;
	}
	/* Over the network the state is published, not steered: drains and
	 * reloads stay with the local socket's owners. */
	if (c->remote && r.cmd != HEALTH_CMD_STATUS && r.cmd != HEALTH_CMD_SUBSCRIBE) {
		jsonl_peer_error(peer, "read only over TCP: only status and subscribe");
		return;
	}
	cmd_table[r.cmd](c, &r);
}

static void add_client(struct healthd_server *s, struct client *c)
{
	c->s = s;
	jsonl_peer_set_drain(c->peer, SERVER_LOW_OUT, client_drained);
	c->next = s->clients;
	if (s->clients)
		s->clients->prev = c;
	s->clients = c;
}

static void on_accept(int fd, void *arg)
{
	struct healthd_server *s = arg;
	struct client *c = calloc(1, sizeof(*c));

	if (!c) {
		close(fd);
		return;
	}
	c->peer = jsonl_peer_new(s->base, fd, SERVER_MAX_OUT, client_cb, c);
	if (!c->peer) {
		free(c);
		return;
	}
	add_client(s, c);
}

void healthd_server_add_remote(struct healthd_server *s, struct bufferevent *bev)
{
	struct client *c = calloc(1, sizeof(*c));

	if (!c) {
		bufferevent_free(bev);
		return;
	}
	c->remote = 1;
	c->token = s->token;
	/* A remote client must handshake and send its first request within
	 * REMOTE_HELLO_S, so idle connections cannot pile up. */
	bufferevent_set_timeouts(bev, &(struct timeval){ REMOTE_HELLO_S, 0 }, NULL);
	c->peer = jsonl_peer_new_bev(bev, SERVER_MAX_OUT, client_cb, c);
	if (!c->peer) {
		free(c);
		return;
	}
	add_client(s, c);
}

struct healthd_server *healthd_server_new(struct event_base *base, const char *path, struct monitor *m, int *err)
{
	struct healthd_server *s = calloc(1, sizeof(*s));

	if (!s) {
		*err = STEER_ENOMEM;
		return NULL;
	}
	s->base = base;
	s->m = m;
	s->lis = jsonl_listen(base, path, 0660, on_accept, s, err);
	if (!s->lis) {
		free(s);
		return NULL;
	}
	return s;
}

void healthd_server_free(struct healthd_server *s)
{
	if (!s)
		return;
	while (s->clients) {
		struct client *c = s->clients;
		client_unlink(c);
		jsonl_peer_free(c->peer);
		free(c);
	}
	jsonl_listener_free(s->lis);
	if (s->heartbeat)
		event_free(s->heartbeat);
	free(s->token);
	free(s);
}

size_t healthd_server_nsubscribers(const struct healthd_server *s)
{
	size_t n = 0;

	for (const struct client *c = s->clients; c; c = c->next)
		n += c->subscribed != 0;
	return n;
}

void healthd_server_broadcast_change(json_t *target, void *arg)
{
	struct healthd_server *s = arg;
	json_t *msg = health_msg_change(json_incref(target));
	struct client *c, *next;

	if (!msg)
		return;
	/* jsonl_peer_send may close (and unlink) the client it sends to, never
	 * another one: keep the next pointer before sending. */
	for (c = s->clients; c; c = next) {
		next = c->next;
		if (!c->subscribed || c->behind)
			continue;
		if (jsonl_peer_pending(c->peer) > SERVER_HIGH_OUT)
			c->behind = 1; /* a fresh snapshot once it drains (client_drained) */
		else
			jsonl_peer_send(c->peer, msg);
	}
	json_decref(msg);
}

void healthd_server_broadcast_snapshot(json_t *targets, void *arg)
{
	struct healthd_server *s = arg;
	struct client *c, *next;

	/* The target list changed (a reload): every subscriber starts over. */
	for (c = s->clients; c; c = next) {
		next = c->next;
		if (c->subscribed)
			snapshot_start(c, 0);
	}
}

/* A small event to every subscriber that keeps up (one behind learns of
 * liveness from the snapshot it gets once drained). */
static void broadcast(struct healthd_server *s, json_t *msg)
{
	struct client *c, *next;

	for (c = s->clients; c; c = next) {
		next = c->next; /* a send may close (and unlink) this client, never another */
		if (c->subscribed && !c->behind && jsonl_peer_pending(c->peer) <= SERVER_HIGH_OUT)
			jsonl_peer_send(c->peer, msg);
	}
}

static void heartbeat_cb(evutil_socket_t fd, short what, void *arg)
{
	json_t *msg = json_pack("{s:s}", "event", "heartbeat");

	if (msg) {
		broadcast(arg, msg);
		json_decref(msg);
	}
}

int healthd_server_set_publish(struct healthd_server *s, unsigned heartbeat_ms, const char *token)
{
	struct timeval tv = { heartbeat_ms / 1000, (heartbeat_ms % 1000) * 1000 };

	free(s->token);
	s->token = token ? strdup(token) : NULL;
	if (!s->heartbeat && !(s->heartbeat = event_new(s->base, -1, EV_PERSIST, heartbeat_cb, s)))
		return STEER_ENOMEM;
	event_add(s->heartbeat, &tv);
	return token && !s->token ? STEER_ENOMEM : STEER_EOK;
}

void healthd_server_set_reload(struct healthd_server *s, healthd_reload_fn fn, void *arg)
{
	s->reload_fn = fn;
	s->reload_arg = arg;
}
