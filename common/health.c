/* health.c -- encode and decode the health protocol v1 (see health.h). */
#include "config.h"
#include "common/health.h"
#include "common/errors.h"

#include <stdlib.h>
#include <string.h>

static const char *const state_names[] = { "unknown", "up", "down" };
static const char *const admin_names[] = { "auto", "down", "up" };

static int name_index(const char *const *names, int n, const char *s)
{
	for (int i = 0; s && i < n; i++)
		if (strcmp(names[i], s) == 0)
			return i;
	return -1;
}

const char *health_state_name(enum health_state s)
{
	return (unsigned)s < 3 ? state_names[s] : "unknown";
}

const char *health_admin_name(enum health_admin a)
{
	return (unsigned)a < 3 ? admin_names[a] : "auto";
}

int health_state_parse(const char *s, enum health_state *out)
{
	int i = name_index(state_names, 3, s);
	if (i < 0)
		return STEER_EINVAL;
	*out = (enum health_state)i;
	return 0;
}

int health_admin_parse(const char *s, enum health_admin *out)
{
	int i = name_index(admin_names, 3, s);
	if (i < 0)
		return STEER_EINVAL;
	*out = (enum health_admin)i;
	return 0;
}

enum health_state health_effective(enum health_state state, enum health_admin admin)
{
	switch (admin) {
	case HEALTH_ADMIN_DOWN: return HEALTH_DOWN;
	case HEALTH_ADMIN_UP: return HEALTH_UP;
	default: return state;
	}
}

/* json_string(NULL) is NULL, which would make json_pack fail; use "". */
static const char *str_or_empty(const char *s)
{
	return s ? s : "";
}

json_t *health_status_encode(const struct health_status *s)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:i, s:s, s:s, s:s, s:I, s:s, s:I, s:I, s:I}",
			 "name", str_or_empty(s->name), "check", str_or_empty(s->check),
			 "address", str_or_empty(s->address), "type", str_or_empty(s->type), "port", s->port,
			 "state", health_state_name(s->state), "admin", health_admin_name(s->admin),
			 "effective", health_state_name(health_effective(s->state, s->admin)),
			 "since", (json_int_t)s->since, "last", str_or_empty(s->last),
			 "latency_ms", (json_int_t)s->latency_ms, "ok_count", (json_int_t)s->ok_count,
			 "fail_count", (json_int_t)s->fail_count);
}

static int dup_field(json_t *obj, const char *key, char **out)
{
	const char *v = json_string_value(json_object_get(obj, key));
	if (!v)
		return 0;
	*out = strdup(v);
	return *out ? 0 : STEER_ENOMEM;
}

static long long int_field(json_t *obj, const char *key, long long dflt)
{
	json_t *v = json_object_get(obj, key);
	return json_is_integer(v) ? json_integer_value(v) : dflt;
}

int health_status_decode(json_t *obj, struct health_status *out)
{
	const char *admin, *eff;
	int ret = 0;

	memset(out, 0, sizeof(*out));
	out->latency_ms = -1;
	if (!json_is_object(obj) || !json_is_string(json_object_get(obj, "name")))
		return STEER_EMALF;
	if (health_state_parse(json_string_value(json_object_get(obj, "state")), &out->state) != 0)
		return STEER_EMALF;
	admin = json_string_value(json_object_get(obj, "admin"));
	if (admin && health_admin_parse(admin, &out->admin) != 0)
		return STEER_EMALF;
	/* Trust the daemon's "effective" if present; it is the one steering must use. */
	eff = json_string_value(json_object_get(obj, "effective"));
	if (!eff || health_state_parse(eff, &out->effective) != 0)
		out->effective = health_effective(out->state, out->admin);
	ret |= dup_field(obj, "name", &out->name);
	ret |= dup_field(obj, "check", &out->check);
	ret |= dup_field(obj, "address", &out->address);
	ret |= dup_field(obj, "type", &out->type);
	ret |= dup_field(obj, "last", &out->last);
	out->port = (int)int_field(obj, "port", 0);
	out->since = int_field(obj, "since", 0);
	out->latency_ms = (long)int_field(obj, "latency_ms", -1);
	out->ok_count = (unsigned)int_field(obj, "ok_count", 0);
	out->fail_count = (unsigned)int_field(obj, "fail_count", 0);
	return ret ? STEER_ENOMEM : 0;
}

void health_status_clear(struct health_status *s)
{
	free(s->name);
	free(s->check);
	free(s->address);
	free(s->type);
	free(s->last);
	memset(s, 0, sizeof(*s));
}

json_t *health_req_status(void)
{
	return json_pack("{s:i, s:s}", "v", 1, "cmd", "status");
}

json_t *health_req_subscribe(void)
{
	return json_pack("{s:i, s:s}", "v", 1, "cmd", "subscribe");
}

json_t *health_req_set(const char *target, enum health_admin admin)
{
	return json_pack("{s:i, s:s, s:s, s:s}", "v", 1, "cmd", "set", "target", target, "admin",
			 health_admin_name(admin));
}

json_t *health_req_reload(const char *config)
{
	return json_pack("{s:i, s:s, s:s}", "v", 1, "cmd", "reload", "config", config);
}

int health_req_decode(json_t *msg, struct health_req *out, const char **why)
{
	static const char *const cmds[] = { "status", "subscribe", "set", "reload" };
	const char *cmd = json_string_value(json_object_get(msg, "cmd"));
	int i = name_index(cmds, 4, cmd);

	memset(out, 0, sizeof(*out));
	if (i < 0) {
		*why = cmd ? "unknown cmd (status, subscribe, set, reload)"
			   : "missing \"cmd\" (status, subscribe, set, reload)";
		return STEER_EMALF;
	}
	out->cmd = (enum health_cmd)i;
	if (out->cmd == HEALTH_CMD_RELOAD) {
		out->config = json_string_value(json_object_get(msg, "config"));
		if (!out->config || !out->config[0]) {
			*why = "reload needs \"config\": the path of the config file";
			return STEER_EMALF;
		}
		return 0;
	}
	if (out->cmd != HEALTH_CMD_SET)
		return 0;
	out->target = json_string_value(json_object_get(msg, "target"));
	if (!out->target || !out->target[0]) {
		*why = "set needs \"target\": a CHECK@ADDRESS name or an address";
		return STEER_EMALF;
	}
	if (health_admin_parse(json_string_value(json_object_get(msg, "admin")), &out->admin) != 0) {
		*why = "set needs \"admin\": \"down\", \"up\" or \"auto\"";
		return STEER_EMALF;
	}
	return 0;
}

json_t *health_msg_snapshot(json_t *targets)
{
	return json_pack("{s:b, s:o}", "ok", 1, "targets", targets);
}

json_t *health_msg_change(json_t *target)
{
	return json_pack("{s:s, s:o}", "event", "change", "target", target);
}

json_t *health_msg_resnapshot(json_t *targets)
{
	return json_pack("{s:s, s:o}", "event", "snapshot", "targets", targets);
}

static int walk_one(json_t *t, health_update_cb cb, void *arg, int is_snapshot)
{
	struct health_status s;
	int ret = health_status_decode(t, &s);
	if (ret == 0)
		cb(s.name, s.effective, is_snapshot, arg);
	health_status_clear(&s);
	return ret;
}

int health_msg_walk(json_t *msg, health_update_cb cb, void *arg)
{
	const char *event = json_string_value(json_object_get(msg, "event"));
	json_t *targets = json_object_get(msg, "targets"), *t;
	size_t i;

	if (event && strcmp(event, "change") == 0) {
		if (walk_one(json_object_get(msg, "target"), cb, arg, 0) != 0)
			return STEER_EMALF;
		return HEALTH_MSG_CHANGE;
	}
	if (!event && json_is_false(json_object_get(msg, "ok")))
		return STEER_EPROTO;
	if ((event && strcmp(event, "snapshot") != 0) || (!event && !json_is_true(json_object_get(msg, "ok"))) ||
	    !json_is_array(targets))
		return STEER_EMALF;
	/* Validate all first, so that a bad snapshot changes nothing. */
	json_array_foreach(targets, i, t) {
		struct health_status s;
		int ret = health_status_decode(t, &s);
		health_status_clear(&s);
		if (ret != 0)
			return STEER_EMALF;
	}
	json_array_foreach(targets, i, t)
		walk_one(t, cb, arg, 1);
	return HEALTH_MSG_SNAPSHOT;
}
