/*
 * ctl_health.c -- steerctl's steer-healthd verbs: status, drain, undrain,
 * force-up. They speak the health protocol (common/health.h) on the socket
 * named by "healthd"."socket" in the config, or -s SOCKET.
 */
#include "config.h"
#include "cli/commands.h"
#include "common/conf.h"
#include "common/errlist.h"
#include "common/health.h"
#include "common/pools.h"

#include <stdio.h>
#include <sys/socket.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NCOLS 10

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

/* What steerdns does with the target (common/health.h: the admin override
 * wins, and unknown counts as up). */
static const char *steering_state(const struct health_status *s)
{
	if (s->admin == HEALTH_ADMIN_DOWN)
		return "drained";
	if (s->admin == HEALTH_ADMIN_UP)
		return "forced";
	return s->state == HEALTH_DOWN ? "down" : "up";
}

/* One target of the reply, with what the config says about it. */
struct status_row {
	json_t *obj;              /* borrowed from the reply */
	struct health_status s;   /* decoded from obj; owns its strings */
	char *pools;              /* owned: "eu-west,us-east" (sorted), NULL: in no pool of the config */
	struct pools_addr addr;   /* family 0 when the address does not parse */
};

/* The pools config of -c, or an empty one: healthd's reply carries no pool
 * names, but the targets come from the same config (common/pools.h). */
static void load_pools(const struct ctl_opts *o, struct pools_conf *pc)
{
	struct conf_file cf;
	struct errlist errs;

	memset(pc, 0, sizeof(*pc));
	errlist_init(&errs);
	if (conf_file_load(o->config, &cf, &errs) == 0) {
		if (pools_conf_load(&cf, pc, &errs) != 0) {
			pools_conf_clear(pc);
			memset(pc, 0, sizeof(*pc));
		}
		conf_file_clear(&cf);
	}
	errlist_clear(&errs);
}

/* "a,b": the pools (sorted by name, as pc keeps them) that have target t. */
static char *pools_of(const struct pools_conf *pc, size_t t)
{
	char *list = NULL, *next;

	for (size_t p = 0; t != POOLS_NO_TARGET && p < pc->npools; p++)
		for (size_t m = 0; m < pc->pools[p].nmembers; m++) {
			if (pools_member_target(pc, p, m) != t)
				continue;
			if (asprintf(&next, "%s%s%s", list ? list : "", list ? "," : "", pc->pools[p].name) < 0)
				return list;
			free(list);
			list = next;
			break;
		}
	return list;
}

/* The order of `status`: pool list (targets in no pool last), check, then
 * address (IPv4 before IPv6, numerically), then name. Every key together
 * is unique, so the order does not depend on the reply's. */
static int row_cmp(const void *a, const void *b)
{
	const struct status_row *x = a, *y = b;
	int c;

	if (!x->pools != !y->pools)
		return x->pools ? -1 : 1;
	if (x->pools && (c = strcmp(x->pools, y->pools)) != 0)
		return c;
	if ((c = strcmp(x->s.check ? x->s.check : "", y->s.check ? y->s.check : "")) != 0)
		return c;
	if (x->addr.family != y->addr.family)
		return x->addr.family == AF_INET ? -1 : y->addr.family == AF_INET ? 1 : x->addr.family - y->addr.family;
	if ((c = memcmp(x->addr.bytes, y->addr.bytes, sizeof(x->addr.bytes))) != 0)
		return c;
	return strcmp(x->s.name ? x->s.name : "", y->s.name ? y->s.name : "");
}

/* Decode and sort the reply's targets; NULL (and *n = 0) on ENOMEM. */
static struct status_row *status_rows(const struct ctl_opts *o, json_t *targets, size_t *n)
{
	struct status_row *rows = calloc(json_array_size(targets) + 1, sizeof(*rows));
	struct pools_conf pc;
	json_t *t;
	size_t i;

	*n = 0;
	if (!rows)
		return NULL;
	load_pools(o, &pc);
	json_array_foreach(targets, i, t) {
		struct status_row *r = &rows[*n];
		if (health_status_decode(t, &r->s) != 0) {
			health_status_clear(&r->s);
			continue;
		}
		r->obj = t;
		r->pools = pools_of(&pc, r->s.name ? pools_find_target(&pc, r->s.name) : POOLS_NO_TARGET);
		if (!r->s.address || pools_addr_parse(r->s.address, &r->addr) != 0)
			memset(&r->addr, 0, sizeof(r->addr));
		(*n)++;
	}
	pools_conf_clear(&pc);
	qsort(rows, *n, sizeof(*rows), row_cmp);
	return rows;
}

static void rows_free(struct status_row *rows, size_t n)
{
	for (size_t i = 0; rows && i < n; i++) {
		health_status_clear(&rows[i].s);
		free(rows[i].pools);
	}
	free(rows);
}

/* One table row; cells are malloc'ed. */
static void fill_row(char **row, const struct status_row *r)
{
	const struct health_status *s = &r->s;
	char since[32] = "-";
	time_t t = (time_t)s->since;
	struct tm tm;

	if (s->since > 0 && localtime_r(&t, &tm))
		strftime(since, sizeof(since), "%Y-%m-%dT%H:%M:%S", &tm);
	row[0] = strdup(r->pools ? r->pools : "-");
	row[1] = strdup(s->name ? s->name : "-");
	row[2] = strdup(s->check ? s->check : "-");
	row[3] = strdup(s->address ? s->address : "-");
	row[4] = strdup(health_state_name(s->state));
	row[5] = strdup(admin_label(s->admin));
	row[6] = strdup(steering_state(s));
	row[7] = strdup(since);
	row[8] = strdup(s->last && s->last[0] ? s->last : "-");
	if (s->latency_ms < 0 || asprintf(&row[9], "%ldms", s->latency_ms) < 0)
		row[9] = strdup("-");
}

static void print_table(const struct status_row *sr, size_t n)
{
	static const char *const header[NCOLS] = { "POOL",      "TARGET", "CHECK", "ADDRESS",     "STATE",
						   "ADMIN",     "EFFECTIVE", "SINCE", "LAST RESULT", "LATENCY" };
	char ***rows = calloc(n + 1, sizeof(*rows));
	int nrows = 1;

	if (!rows)
		return;
	rows[0] = (char **)header;
	for (size_t i = 0; i < n; i++)
		if ((rows[nrows] = calloc(NCOLS, sizeof(char *))) != NULL)
			fill_row(rows[nrows++], &sr[i]);
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

/* The reply with its targets in table order, each with "pools" and
 * "effective_state" added. */
static void print_json(json_t *reply, const struct status_row *sr, size_t n)
{
	json_t *sorted = json_array();

	for (size_t i = 0; sorted && i < n; i++) {
		json_t *pools = json_array();
		char *save = NULL, *list = sr[i].pools ? strdup(sr[i].pools) : NULL;
		for (char *p = list ? strtok_r(list, ",", &save) : NULL; p; p = strtok_r(NULL, ",", &save))
			json_array_append_new(pools, json_string(p));
		free(list);
		json_object_set_new(sr[i].obj, "pools", pools);
		json_object_set_new(sr[i].obj, "effective_state", json_string(steering_state(&sr[i].s)));
		json_array_append(sorted, sr[i].obj);
	}
	if (sorted)
		json_object_set_new(reply, "targets", sorted);
	ctl_print_json(reply);
}

static void free_table(char ***rows, int nrows, int ncols)
{
	for (int r = 1; r < nrows; r++) {
		for (int c = 0; c < ncols; c++)
			free(rows[r][c]);
		free(rows[r]);
	}
	free(rows[0]);
	free(rows);
}

static char *jstr(json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key));
	return strdup(v ? v : "-");
}

/* The sources steerdns follows: one row each. */
static void print_sources(json_t *sources)
{
	static const char *const header[] = { "SOURCE", "TRANSPORT", "ADDRESS", "CONNECTED", "LIVE", "LAST HEARD" };
	size_t n = json_array_size(sources), i;
	char ***rows = calloc(n + 1, sizeof(*rows));
	json_t *s;
	int nrows = 1;

	if (!rows || !(rows[0] = malloc(sizeof(header))))
		return free(rows);
	memcpy(rows[0], header, sizeof(header));
	json_array_foreach(sources, i, s) {
		char **r = calloc(6, sizeof(char *));
		json_t *ago = json_object_get(s, "heard_ms_ago");
		if (!r)
			break;
		r[0] = jstr(s, "name");
		r[1] = jstr(s, "transport");
		r[2] = jstr(s, "address");
		r[3] = strdup(json_is_true(json_object_get(s, "connected")) ? "yes" : "no");
		r[4] = strdup(json_is_true(json_object_get(s, "live")) ? "yes" : "no (its votes do not count)");
		if (!json_is_integer(ago) || asprintf(&r[5], "%.1fs ago", (double)json_integer_value(ago) / 1000) < 0)
			r[5] = strdup("never");
		rows[nrows++] = r;
	}
	ctl_table(rows, nrows, 6);
	free_table(rows, nrows, 6);
}

/* Every target: the combined verdict, then each source's view. */
static void print_votes(const struct ctl_opts *o, json_t *sources, json_t *targets)
{
	size_t ns = json_array_size(sources), n = json_array_size(targets), i;
	int ncols = (int)ns + 4, nrows = 1;
	char ***rows = calloc(n + 1, sizeof(*rows));
	struct pools_conf pc;
	json_t *t;

	if (!rows || !(rows[0] = calloc((size_t)ncols, sizeof(char *))))
		return free(rows);
	load_pools(o, &pc);
	rows[0][0] = "POOL", rows[0][1] = "TARGET", rows[0][2] = "COMBINED", rows[0][ncols - 1] = "QUORUM";
	for (size_t k = 0; k < ns; k++)
		rows[0][k + 3] = (char *)json_string_value(json_object_get(json_array_get(sources, k), "name"));
	json_array_foreach(targets, i, t) {
		char **r = calloc((size_t)ncols, sizeof(char *)), *pools;
		const char *name = json_string_value(json_object_get(t, "name"));
		if (!r)
			break;
		pools = pools_of(&pc, name ? pools_find_target(&pc, name) : POOLS_NO_TARGET);
		r[0] = pools ? pools : strdup("-");
		r[1] = jstr(t, "name");
		r[2] = jstr(t, "state");
		for (size_t k = 0; k < ns; k++)
			r[k + 3] = jstr(json_object_get(t, "votes"), json_string_value(json_object_get(json_array_get(sources, k), "name")));
		if (asprintf(&r[ncols - 1], "%lld of %lld live down, %lld needed",
			     (long long)json_integer_value(json_object_get(t, "down")),
			     (long long)json_integer_value(json_object_get(t, "live")),
			     (long long)json_integer_value(json_object_get(t, "needed"))) < 0)
			r[ncols - 1] = strdup("-");
		rows[nrows++] = r;
	}
	pools_conf_clear(&pc);
	printf("\n");
	ctl_table(rows, nrows, ncols);
	free_table(rows, nrows, ncols);
}

/* With "healthd"."sources", steerdns is the one that sees every source and
 * the combined verdict: ask it (control command "health"). */
static int status_sources(const struct ctl_opts *o)
{
	char *path = ctl_socket_path(o, "server", "control_socket");
	json_t *req = json_pack("{s:s}", "cmd", "health"), *reply = NULL;
	int rc = path && req ? ctl_request(o, path, "steerdns", req, &reply) : CTL_UNREACHABLE;

	free(path);
	json_decref(req);
	if (rc != CTL_OK)
		return rc;
	if (!json_is_true(json_object_get(reply, "ok"))) {
		const char *e = json_string_value(json_object_get(reply, "error"));
		fprintf(stderr, "steerctl: steerdns: %s\n", e ? e : "request failed");
		json_decref(reply);
		return CTL_FAILED;
	}
	json_object_del(reply, "v");
	if (o->json) {
		ctl_print_json(reply);
	} else {
		print_sources(json_object_get(reply, "sources"));
		print_votes(o, json_object_get(reply, "sources"), json_object_get(reply, "targets"));
	}
	json_decref(reply);
	return CTL_OK;
}

/* Does the config name several sources (and no -s picks one healthd)? */
static int has_sources(const struct ctl_opts *o)
{
	struct pools_conf pc;
	int yes;

	if (o->socket)
		return 0;
	load_pools(o, &pc);
	yes = pc.sources.explicit_sources;
	pools_conf_clear(&pc);
	return yes;
}

int ctl_status(const struct ctl_opts *o, int argc, char **argv)
{
	json_t *reply = NULL;
	struct status_row *rows;
	size_t n;
	int rc;

	if (ctl_args(argc, argv, NULL, 0, 0, "status [--json]") < 0)
		return CTL_USAGE;
	if (has_sources(o))
		return status_sources(o);
	rc = health_call(o, health_req_status(), &reply);
	if (rc != CTL_OK)
		return rc;
	rows = status_rows(o, json_object_get(reply, "targets"), &n);
	if (!rows) {
		fprintf(stderr, "steerctl: out of memory\n");
		rc = CTL_FAILED;
	} else if (o->json) {
		print_json(reply, rows, n);
	} else {
		print_table(rows, n);
	}
	rows_free(rows, n);
	json_decref(reply);
	return rc;
}

/* drain / undrain / force-up TARGET: TARGET is CHECK@ADDRESS or an address
 * (every target with that address). */
static int set_admin(const struct ctl_opts *o, int argc, char **argv, enum health_admin admin, const char *done)
{
	const char *target = NULL;
	json_t *reply = NULL, *t;
	char usage[64];
	size_t i;
	int rc;

	snprintf(usage, sizeof(usage), "%s CHECK@ADDRESS | ADDRESS", argv[0]);
	if (ctl_args(argc, argv, &target, 1, 1, usage) < 0)
		return CTL_USAGE;
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
