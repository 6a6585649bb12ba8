/* server.c -- serve status, subscribe and set on the health socket. */
#include "config.h"
#include "healthd/server.h"
#include "common/errlist.h"
#include "common/errors.h"
#include "common/health.h"
#include "common/jsonl.h"
#include "common/log.h"
#include "healthd/monitor.h"

#include <stdlib.h>
#include <unistd.h>

struct client {
	struct client *next, *prev; /* in server.clients */
	struct healthd_server *s;           /* borrowed */
	struct jsonl_peer *peer;    /* owned */
	int subscribed;
};

struct healthd_server {
	struct event_base *base;     /* borrowed */
	struct monitor *m;           /* borrowed */
	struct jsonl_listener *lis;  /* owned */
	struct client *clients;      /* owned list */
	healthd_reload_fn reload_fn; /* the daemon's reload (main.c), or NULL */
	void *reload_arg;
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

static void cmd_status(struct client *c, const struct health_req *r)
{
	json_t *snap = monitor_snapshot(c->s->m);

	if (!snap) {
		jsonl_peer_error(c->peer, "out of memory");
		return;
	}
	jsonl_peer_ok(c->peer, json_pack("{s:o}", "targets", snap));
}

static void cmd_subscribe(struct client *c, const struct health_req *r)
{
	/* Snapshot first: events queued after it are ordered after it. */
	c->subscribed = 1;
	cmd_status(c, r);
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
	if (health_req_decode(msg, &r, &why) != 0) {
		jsonl_peer_error(peer, "%s", why);
		return;
	}
	cmd_table[r.cmd](c, &r);
}

static void on_accept(int fd, void *arg)
{
	struct healthd_server *s = arg;
	struct client *c = calloc(1, sizeof(*c));

	if (!c) {
		close(fd);
		return;
	}
	c->s = s;
	c->peer = jsonl_peer_new(s->base, fd, SERVER_MAX_OUT, client_cb, c);
	if (!c->peer) {
		free(c);
		return;
	}
	c->next = s->clients;
	if (s->clients)
		s->clients->prev = c;
	s->clients = c;
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
	free(s);
}

size_t healthd_server_nsubscribers(const struct healthd_server *s)
{
	size_t n = 0;

	for (const struct client *c = s->clients; c; c = c->next)
		n += c->subscribed != 0;
	return n;
}

static void broadcast(struct healthd_server *s, json_t *msg)
{
	struct client *c, *next;

	/* jsonl_peer_send may close (and unlink) the client it sends to, never
	 * another one: keep the next pointer before sending. */
	for (c = s->clients; c; c = next) {
		next = c->next;
		if (c->subscribed)
			jsonl_peer_send(c->peer, msg);
	}
}

void healthd_server_broadcast_change(json_t *target, void *arg)
{
	json_t *msg = health_msg_change(json_incref(target));

	if (msg) {
		broadcast(arg, msg);
		json_decref(msg);
	}
}

void healthd_server_broadcast_snapshot(json_t *targets, void *arg)
{
	json_t *msg = health_msg_resnapshot(json_incref(targets));

	if (msg) {
		broadcast(arg, msg);
		json_decref(msg);
	}
}

void healthd_server_set_reload(struct healthd_server *s, healthd_reload_fn fn, void *arg)
{
	s->reload_fn = fn;
	s->reload_arg = arg;
}
