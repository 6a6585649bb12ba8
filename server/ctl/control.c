/* control.c -- the control socket: accept clients, dispatch commands from a table. */
#include "config.h"
#include "server/ctl/control.h"
#include "server/ctl/explain_answer.h"
#include "server/steer/explain.h"
#include "server/steer/health_link.h"
#include "server/net/stats.h"
#include "server/zone/snapshot.h"
#include "server/zone/zonedb.h"
#include "common/errlist.h"
#include "common/errors.h"
#include "common/jsonl.h"
#include "common/log.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct control_client {
	struct control *ctl;
	struct jsonl_peer *peer; /* owned by the jsonl layer once closed */
	struct control_client *prev, *next;
};

struct control {
	struct event_base *base;       /* borrowed: the main loop */
	struct jsonl_listener *lis;    /* owned; removes the socket file when freed */
	const struct ctl_ops *ops;     /* borrowed (static) */
	void *arg;                     /* borrowed: the process, for ops */
	struct control_client *clients;
};

static void cmd_zones(const struct ctl_ops *ops, void *arg, struct jsonl_peer *peer, json_t *req);
static void cmd_reload(const struct ctl_ops *ops, void *arg, struct jsonl_peer *peer, json_t *req);
static void cmd_stats(const struct ctl_ops *ops, void *arg, struct jsonl_peer *peer, json_t *req);
static void cmd_explain(const struct ctl_ops *ops, void *arg, struct jsonl_peer *peer, json_t *req);
static void cmd_health(const struct ctl_ops *ops, void *arg, struct jsonl_peer *peer, json_t *req);
static void cmd_dnssec_roll(const struct ctl_ops *ops, void *arg, struct jsonl_peer *peer, json_t *req);
static void cmd_dnssec_ds_seen(const struct ctl_ops *ops, void *arg, struct jsonl_peer *peer, json_t *req);

/* The commands. One row per command. */
static const struct {
	const char *name;
	control_fn fn;
} commands[] = {
	{ "zones", cmd_zones },
	{ "reload", cmd_reload },
	{ "stats", cmd_stats },
	{ "explain", cmd_explain }, /* the answer path, then server/steer/explain.c */
	{ "health", cmd_health },   /* the health sources and the combined verdicts */
	{ "dnssec-roll", cmd_dnssec_roll },       /* {"zone", "role": "ksk"|"zsk"} */
	{ "dnssec-ds-seen", cmd_dnssec_ds_seen }, /* {"zone", "tag"} */
};

static void iso_time(time_t t, char *buf, size_t cap)
{
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void cmd_zones(const struct ctl_ops *ops, void *arg, struct jsonl_peer *peer, json_t *req)
{
	struct snapshot *snap = ops->snapshot(arg);
	size_t n = snap && snap->zones ? zonedb_count(snap->zones) : 0;
	json_t *list = json_array();

	for (size_t i = 0; list && i < n; i++) {
		struct zone_info zi;
		char when[32];
		zonedb_info(snap->zones, i, &zi);
		iso_time(zi.loaded_at, when, sizeof(when));
		json_array_append_new(list, json_pack("{s:s, s:I, s:I, s:s, s:s}", "name", zi.name, "serial",
						      (json_int_t)zi.serial, "records", (json_int_t)zi.records, "file",
						      zi.file ? zi.file : "", "loaded_at", when));
	}
	if (!list) {
		jsonl_peer_error(peer, "out of memory");
		return;
	}
	jsonl_peer_ok(peer, json_pack("{s:o, s:I}", "zones", list, "generation", (json_int_t)ops->generation(arg)));
}

static json_t *errs_json(const struct errlist *errs)
{
	json_t *list = json_array();

	for (size_t i = 0; list && i < errs->n; i++)
		json_array_append_new(list, json_string(errs->msgs[i]));
	return list ? list : json_array();
}

static void cmd_reload(const struct ctl_ops *ops, void *arg, struct jsonl_peer *peer, json_t *req)
{
	const char *zone = json_string_value(json_object_get(req, "zone"));
	struct errlist errs;
	json_t *reply;
	int ret;

	errlist_init(&errs);
	ret = zone ? ops->reload_zone(arg, zone, &errs) : ops->reload(arg, &errs);
	if (ret == STEER_EOK && errlist_count(&errs) == 0) {
		errlist_clear(&errs);
		jsonl_peer_ok(peer, json_pack("{s:I}", "generation", (json_int_t)ops->generation(arg)));
		return;
	}
	if (ret == STEER_EOK)
		reply = json_pack("{s:b, s:b, s:o, s:I}", "ok", 1, "partial", 1, "errors", errs_json(&errs),
				  "generation", (json_int_t)ops->generation(arg));
	else
		reply = json_pack("{s:b, s:s, s:o, s:I}", "ok", 0, "error",
				  zone ? "zone reload rejected; the old version is still serving"
				       : "reload rejected; the old data is still serving",
				  "errors", errs_json(&errs), "generation", (json_int_t)ops->generation(arg));
	if (reply) {
		jsonl_peer_send(peer, reply);
		json_decref(reply);
	} else {
		jsonl_peer_error(peer, "out of memory");
	}
	errlist_clear(&errs);
}

static void cmd_stats(const struct ctl_ops *ops, void *arg, struct jsonl_peer *peer, json_t *req)
{
	struct stats_totals t;
	json_t *j;

	stats_sum(ops->stats(arg), &t);
	j = stats_json(&t);
	if (!j) {
		jsonl_peer_error(peer, "out of memory");
		return;
	}
	json_object_set_new(j, "generation", json_integer((json_int_t)ops->generation(arg)));
	json_object_set_new(j, "uptime", json_integer((json_int_t)(time(NULL) - ops->started_at(arg))));
	json_object_set_new(j, "workers", json_integer(ops->workers(arg)));
	json_object_set_new(j, "tcp_connections", json_integer((json_int_t)ops->tcp_connections(arg)));
	if (ops->dnstap_stats)
		json_object_set_new(j, "dnstap", ops->dnstap_stats(arg));
	jsonl_peer_ok(peer, j);
}

static void cmd_explain(const struct ctl_ops *ops, void *arg, struct jsonl_peer *peer, json_t *req)
{
	char err[256] = "out of memory";
	struct health_link_info hl;
	json_t *j;

	ops->health(arg, &hl);
	j = explain_answer_json(ops->snapshot(arg), &hl, req, err, sizeof(err));

	if (!j) {
		jsonl_peer_error(peer, "%s", err);
		return;
	}
	jsonl_peer_ok(peer, j);
}

static void cmd_health(const struct ctl_ops *ops, void *arg, struct jsonl_peer *peer, json_t *req)
{
	struct health_link_info hl;
	json_t *j;

	ops->health(arg, &hl);
	j = json_pack("{s:o, s:o}", "sources", health_link_sources_json(hl.link), "targets",
		      explain_targets_json(ops->snapshot(arg)));
	if (!j) {
		jsonl_peer_error(peer, "out of memory");
		return;
	}
	jsonl_peer_ok(peer, j);
}

static void client_cb(struct jsonl_peer *peer, json_t *msg, void *arg)
{
	struct control_client *cl = arg;
	const char *cmd;

	if (!msg) { /* closed: the jsonl layer frees the peer after we return */
		if (cl->prev)
			cl->prev->next = cl->next;
		else
			cl->ctl->clients = cl->next;
		if (cl->next)
			cl->next->prev = cl->prev;
		free(cl);
		return;
	}
	cmd = json_string_value(json_object_get(msg, "cmd"));
	if (!cmd) {
		jsonl_peer_error(peer, "missing \"cmd\"");
		return;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(cmd, commands[i].name) == 0) {
			log_debug("control: %s", cmd);
			commands[i].fn(cl->ctl->ops, cl->ctl->arg, peer, msg);
			return;
		}
	}
	jsonl_peer_error(peer, "unknown command \"%s\"", cmd);
}

static void on_accept(int fd, void *arg)
{
	struct control *ctl = arg;
	struct control_client *cl = calloc(1, sizeof(*cl));

	if (!cl) {
		close(fd);
		return;
	}
	cl->ctl = ctl;
	cl->peer = jsonl_peer_new(ctl->base, fd, 0, client_cb, cl);
	if (!cl->peer) {
		free(cl);
		return;
	}
	cl->next = ctl->clients;
	if (ctl->clients)
		ctl->clients->prev = cl;
	ctl->clients = cl;
}

int control_new(struct control **out, struct event_base *base, const char *path, const struct ctl_ops *ops,
		void *arg)
{
	struct control *ctl = calloc(1, sizeof(*ctl));
	int err = STEER_ENOMEM;

	*out = NULL;
	if (!ctl)
		return STEER_ENOMEM;
	ctl->base = base;
	ctl->ops = ops;
	ctl->arg = arg;
	ctl->lis = jsonl_listen(base, path, 0660, on_accept, ctl, &err);
	if (!ctl->lis) {
		log_err("cannot create the control socket %s: %s", path, steer_strerror(err));
		free(ctl);
		return err;
	}
	*out = ctl;
	return STEER_EOK;
}

void control_free(struct control *ctl)
{
	if (!ctl)
		return;
	while (ctl->clients) {
		struct control_client *cl = ctl->clients;
		ctl->clients = cl->next;
		jsonl_peer_free(cl->peer); /* does not call client_cb */
		free(cl);
	}
	jsonl_listener_free(ctl->lis);
	free(ctl);
}

/* --- key rollovers -------------------------------------------------------- */

/* One reply for both rollover commands: ok, or the first error. */
static void rollover_reply(struct jsonl_peer *peer, int ret, struct errlist *errs)
{
	if (ret == STEER_EOK)
		jsonl_peer_ok(peer, json_pack("{s:o}", "log", errs_json(errs)));
	else
		jsonl_peer_error(peer, errlist_count(errs) ? errs->msgs[0] : steer_strerror(ret));
	errlist_clear(errs);
}

static void cmd_dnssec_roll(const struct ctl_ops *ops, void *arg, struct jsonl_peer *peer, json_t *req)
{
	const char *zone = json_string_value(json_object_get(req, "zone"));
	const char *role = json_string_value(json_object_get(req, "role"));
	struct errlist errs;

	if (!zone || !role || !ops->dnssec_roll) {
		jsonl_peer_error(peer, "dnssec-roll needs \"zone\" and \"role\" (\"ksk\" or \"zsk\")");
		return;
	}
	errlist_init(&errs);
	rollover_reply(peer, ops->dnssec_roll(arg, zone, role, &errs), &errs);
}

static void cmd_dnssec_ds_seen(const struct ctl_ops *ops, void *arg, struct jsonl_peer *peer, json_t *req)
{
	const char *zone = json_string_value(json_object_get(req, "zone"));
	json_t *tag = json_object_get(req, "tag");
	struct errlist errs;

	if (!zone || !json_is_integer(tag) || json_integer_value(tag) < 0 || json_integer_value(tag) > 65535 ||
	    !ops->dnssec_ds_seen) {
		jsonl_peer_error(peer, "dnssec-ds-seen needs \"zone\" and \"tag\" (0..65535)");
		return;
	}
	errlist_init(&errs);
	rollover_reply(peer, ops->dnssec_ds_seen(arg, zone, (unsigned)json_integer_value(tag), &errs), &errs);
}
