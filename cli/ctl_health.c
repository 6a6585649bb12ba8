/*
 * ctl_health.c -- steerctl's steer-healthd verbs: status, drain, undrain,
 * force-up. They speak the health protocol (common/health.h) on the socket
 * named by "healthd"."socket" in the config, or -s SOCKET.
 */
#include "config.h"
#include "cli/commands.h"
#include "common/health.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NCOLS 8

static int health_call(const struct ctl_opts *o, json_t *req, json_t **reply)
{
	char *path = ctl_socket_path(o, "healthd", "socket");
	int rc;

	if (!path) {
		json_decref(req);
		return CTL_UNREACHABLE;
	}
	rc = req ? ctl_request(o, path, "steer-healthd", req, reply) : CTL_FAILED;
	free(path);
	json_decref(req);
	if (rc != CTL_OK)
		return rc;
	if (!json_is_true(json_object_get(*reply, "ok"))) {
		const char *e = json_string_value(json_object_get(*reply, "error"));
		fprintf(stderr, "steerctl: steer-healthd: %s\n", e ? e : "request failed");
		if (o->json)
			ctl_print_json(*reply);
		json_decref(*reply);
		*reply = NULL;
		return CTL_FAILED;
	}
	return CTL_OK;
}

static const char *admin_label(enum health_admin a)
{
	static const char *const labels[] = { "auto", "drained", "forced-up" };
	return labels[a];
}

/* One table row from a TARGET; cells are malloc'ed. */
static void fill_row(char **row, const struct health_status *s)
{
	char since[32] = "-";
	time_t t = (time_t)s->since;
	struct tm tm;

	if (s->since > 0 && localtime_r(&t, &tm))
		strftime(since, sizeof(since), "%Y-%m-%dT%H:%M:%S", &tm);
	row[0] = strdup(s->name ? s->name : "-");
	row[1] = strdup(s->check ? s->check : "-");
	row[2] = strdup(s->address ? s->address : "-");
	row[3] = strdup(health_state_name(s->state));
	row[4] = strdup(admin_label(s->admin));
	row[5] = strdup(since);
	row[6] = strdup(s->last && s->last[0] ? s->last : "-");
	if (s->latency_ms < 0 || asprintf(&row[7], "%ldms", s->latency_ms) < 0)
		row[7] = strdup("-");
}

static void print_table(json_t *targets)
{
	static const char *const header[NCOLS] = { "TARGET", "CHECK", "ADDRESS", "STATE", "ADMIN",
						   "SINCE", "LAST RESULT", "LATENCY" };
	size_t n = json_array_size(targets);
	char ***rows = calloc(n + 1, sizeof(*rows));
	int nrows = 1;

	if (!rows)
		return;
	rows[0] = (char **)header;
	for (size_t i = 0; i < n; i++) {
		struct health_status s;
		if (health_status_decode(json_array_get(targets, i), &s) == 0 &&
		    (rows[nrows] = calloc(NCOLS, sizeof(char *))) != NULL)
			fill_row(rows[nrows++], &s);
		health_status_clear(&s);
	}
	if (n == 0)
		printf("steer-healthd monitors no targets (no pool has a check)\n");
	else
		ctl_table(rows, nrows, NCOLS);
	for (int r = 1; r < nrows; r++) {
		for (int c = 0; c < NCOLS; c++)
			free(rows[r][c]);
		free(rows[r]);
	}
	free(rows);
}

int ctl_status(const struct ctl_opts *o, int argc, char **argv)
{
	json_t *reply = NULL;
	int rc;

	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--json") != 0) {
			fprintf(stderr, "usage: steerctl status [--json]\n");
			return CTL_USAGE;
		}
	rc = health_call(o, health_req_status(), &reply);
	if (rc != CTL_OK)
		return rc;
	if (o->json)
		ctl_print_json(reply);
	else
		print_table(json_object_get(reply, "targets"));
	json_decref(reply);
	return CTL_OK;
}

/* drain / undrain / force-up TARGET: TARGET is CHECK@ADDRESS or an address
 * (every target with that address). */
static int set_admin(const struct ctl_opts *o, int argc, char **argv, enum health_admin admin, const char *done)
{
	const char *target = NULL;
	json_t *reply = NULL, *t;
	size_t i;
	int rc;

	for (int a = 1; a < argc; a++) {
		if (strcmp(argv[a], "--json") == 0)
			continue;
		if (target) {
			target = NULL;
			break;
		}
		target = argv[a];
	}
	if (!target) {
		fprintf(stderr, "usage: steerctl %s CHECK@ADDRESS | ADDRESS\n", argv[0]);
		return CTL_USAGE;
	}
	rc = health_call(o, health_req_set(target, admin), &reply);
	if (rc != CTL_OK)
		return rc;
	if (o->json)
		ctl_print_json(reply);
	else
		json_array_foreach(json_object_get(reply, "targets"), i, t)
			printf("%s %s\n", done, json_string_value(json_object_get(t, "name")));
	json_decref(reply);
	return CTL_OK;
}

int ctl_drain(const struct ctl_opts *o, int argc, char **argv)
{
	return set_admin(o, argc, argv, HEALTH_ADMIN_DOWN, "drained");
}

int ctl_undrain(const struct ctl_opts *o, int argc, char **argv)
{
	return set_admin(o, argc, argv, HEALTH_ADMIN_AUTO, "undrained");
}

int ctl_force_up(const struct ctl_opts *o, int argc, char **argv)
{
	return set_admin(o, argc, argv, HEALTH_ADMIN_UP, "forced up");
}
