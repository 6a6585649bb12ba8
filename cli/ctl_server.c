/* ctl_server.c -- steerctl verbs for steerdns: check, zones, reload, stats. */
#include "config.h"
#include "cli/commands.h"
#include "server/load.h"
#include "common/errlist.h"
#include "common/errors.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>


static int check_json(const char *path)
{
	struct load_result r;
	struct errlist errs;
	json_t *out, *list = json_array();
	char line[512] = "";
	int ok;

	errlist_init(&errs);
	ok = load_validate(path, &r, &errs) == STEER_EOK;
	if (ok) {
		load_summary(&r, line, sizeof(line));
		load_result_clear(&r);
	}
	for (size_t i = 0; i < errs.n; i++)
		json_array_append_new(list, json_string(errs.msgs[i]));
	out = json_pack("{s:b, s:s, s:o, s:s}", "ok", ok, "config", path, "errors", list, "summary", line);
	ctl_print_json(out);
	json_decref(out);
	errlist_clear(&errs);
	return ok ? CTL_OK : CTL_FAILED;
}

int ctl_check(const struct ctl_opts *o, int argc, char **argv)
{
	const char *path = o->config; /* the argument, else -c */

	if (ctl_args(argc, argv, &path, 0, 1, "check [CONFIG] [--json]") < 0)
		return CTL_USAGE;
	if (o->json)
		return check_json(path);
	return load_check(path, stdout, stderr) == 0 ? CTL_OK : CTL_FAILED;
}

/* Send {"cmd":cmd} (plus "zone":zone when not NULL) to steerdns' control
 * socket. On CTL_OK *reply is set. */
static int request_zone(const struct ctl_opts *o, const char *cmd, const char *zone, json_t **reply)
{
	char *path;
	json_t *req;
	int ret;

	if (!(path = ctl_socket_path(o, "server", "control_socket")))
		return CTL_UNREACHABLE;
	req = zone ? json_pack("{s:s, s:s}", "cmd", cmd, "zone", zone) : json_pack("{s:s}", "cmd", cmd);
	ret = ctl_request(o, path, "steerdns", req, reply);
	json_decref(req);
	free(path);
	return ret;
}

/* The same for a verb without arguments (but --json): checks argv first. */
static int request(const struct ctl_opts *o, int argc, char **argv, const char *cmd, json_t **reply)
{
	if (ctl_args(argc, argv, NULL, 0, 0, argv[0]) < 0)
		return CTL_USAGE;
	return request_zone(o, cmd, NULL, reply);
}

static int reply_ok(json_t *reply)
{
	return json_is_true(json_object_get(reply, "ok"));
}

static int print_error(json_t *reply)
{
	const char *err = json_string_value(json_object_get(reply, "error"));
	fprintf(stderr, "steerctl: steerdns: %s\n", err ? err : "request failed");
	return CTL_FAILED;
}

/* A reply that needs no table: --json prints it as it is, an error reply
 * prints its error. Returns 1 when the reply is handled that way (reply
 * freed, the exit code in *ret), 0 when the caller should go on and print
 * its table (*ret untouched: CTL_OK). The exit code is never left to the
 * caller's arithmetic: that is how `zones` once exited 255. */
static int reply_done(const struct ctl_opts *o, json_t *reply, int *ret)
{
	if (!o->json && reply_ok(reply))
		return 0;
	*ret = reply_ok(reply) ? CTL_OK : print_error(reply);
	if (o->json)
		ctl_print_json(reply);
	json_decref(reply);
	return 1;
}

static long long num(json_t *obj, const char *key)
{
	return (long long)json_integer_value(json_object_get(obj, key));
}

int ctl_zones(const struct ctl_opts *o, int argc, char **argv)
{
	json_t *reply, *zones, *z;
	size_t i;
	int ret = request(o, argc, argv, "zones", &reply);

	if (ret != CTL_OK || reply_done(o, reply, &ret))
		return ret;
	zones = json_object_get(reply, "zones");
	size_t n = json_array_size(zones);
	char ***rows = calloc(n + 1, sizeof(*rows));
	char (*cells)[5][32] = calloc(n + 1, sizeof(*cells));
	static char *header[] = { "NAME", "SERIAL", "RECORDS", "FILE", "LOADED AT" };
	char **storage = calloc((n + 1) * 5, sizeof(char *));
	if (!rows || !cells || !storage) {
		fprintf(stderr, "steerctl: out of memory\n");
		ret = CTL_FAILED;
		goto out;
	}
	rows[0] = header;
	json_array_foreach(zones, i, z) {
		char **row = storage + (i + 1) * 5;
		snprintf(cells[i][1], 32, "%lld", num(z, "serial"));
		snprintf(cells[i][2], 32, "%lld", num(z, "records"));
		row[0] = (char *)json_string_value(json_object_get(z, "name"));
		row[1] = cells[i][1];
		row[2] = cells[i][2];
		row[3] = (char *)json_string_value(json_object_get(z, "file"));
		row[4] = (char *)json_string_value(json_object_get(z, "loaded_at"));
		rows[i + 1] = row;
	}
	ctl_table(rows, (int)n + 1, 5);
out:
	free(rows);
	free(cells);
	free(storage);
	json_decref(reply);
	return ret;
}

int ctl_reload(const struct ctl_opts *o, int argc, char **argv)
{
	json_t *reply, *errs, *e;
	const char *zone = NULL;
	size_t i;
	int ret;

	if (ctl_args(argc, argv, &zone, 0, 1, "reload [ZONE]") < 0)
		return CTL_USAGE;
	ret = request_zone(o, "reload", zone, &reply);
	if (ret != CTL_OK)
		return ret;
	ret = reply_ok(reply) ? CTL_OK : CTL_FAILED;
	/* Applied except for some zones, which kept their old version: the
	 * operator has something to fix, so not a plain success. */
	if (ret == CTL_OK && json_is_true(json_object_get(reply, "partial")))
		ret = CTL_FAILED;
	if (o->json) {
		ctl_print_json(reply);
	} else if (ret == CTL_OK) {
		printf("reload ok: generation %lld\n", num(reply, "generation"));
	} else if (reply_ok(reply)) {
		errs = json_object_get(reply, "errors");
		json_array_foreach(errs, i, e)
			fprintf(stderr, "%s\n", json_string_value(e));
		fprintf(stderr, "steerctl: reload applied (generation %lld) except for the zones above, which kept "
				"their old version (a new zone is not served)\n", num(reply, "generation"));
	} else {
		errs = json_object_get(reply, "errors");
		json_array_foreach(errs, i, e)
			fprintf(stderr, "%s\n", json_string_value(e));
		fprintf(stderr, "steerctl: %s\n", json_string_value(json_object_get(reply, "error"))
						       ? json_string_value(json_object_get(reply, "error"))
						       : "reload rejected; the old data is still serving");
	}
	json_decref(reply);
	return ret;
}

struct count_row {
	const char *name;
	long long n;
};

static int by_count(const void *a, const void *b)
{
	const struct count_row *x = a, *y = b;
	if (x->n != y->n)
		return x->n < y->n ? 1 : -1;
	return strcmp(x->name, y->name);
}

/* Print {"NAME":count,...} as a two-column table, largest first. */
static void print_counts(json_t *obj, const char *title, const char *unit)
{
	size_t n = json_object_size(obj), k = 0;
	struct count_row *r = calloc(n ? n : 1, sizeof(*r));
	const char *key;
	json_t *v;

	if (!r)
		return;
	json_object_foreach(obj, key, v) {
		r[k].name = key;
		r[k++].n = (long long)json_integer_value(v);
	}
	qsort(r, n, sizeof(*r), by_count);
	printf("\n%-12s %s\n", title, unit);
	for (k = 0; k < n; k++)
		printf("%-12s %lld\n", r[k].name, r[k].n);
	if (n == 0)
		printf("%-12s 0\n", "(none)");
	free(r);
}

/* The RRL and cookie counters of a stats reply (server/net/stats.h). */
static void print_limits(json_t *reply)
{
	json_t *r = json_object_get(reply, "rrl"), *c = json_object_get(reply, "cookies");

	printf("%-16s %lld dropped, %lld slipped (TC), %lld badcookie\n", "rate-limited", num(r, "dropped"),
	       num(r, "slipped"), num(r, "badcookie"));
	printf("%-16s %lld client only, %lld valid, %lld invalid\n", "cookies", num(c, "client_only"),
	       num(c, "valid"), num(c, "invalid"));
}

int ctl_stats(const struct ctl_opts *o, int argc, char **argv)
{
	json_t *reply, *q;
	int ret = request(o, argc, argv, "stats", &reply);

	if (ret != CTL_OK || reply_done(o, reply, &ret))
		return ret;
	q = json_object_get(reply, "queries");
	printf("%-16s %lld\n", "queries udp", num(q, "udp"));
	printf("%-16s %lld\n", "queries tcp", num(q, "tcp"));
	printf("%-16s %lld\n", "responses", num(reply, "responses"));
	printf("%-16s %lld\n", "truncated", num(reply, "truncated"));
	printf("%-16s %lld\n", "dropped", num(reply, "dropped"));
	print_limits(reply);
	printf("%-16s %lld\n", "tcp connections", num(reply, "tcp_connections"));
	q = json_object_get(reply, "tcp_closed");
	printf("%-16s %lld per-client limit, %lld evicted at the cap, %lld query timeout\n", "tcp closed",
	       num(q, "per_client"), num(q, "evicted"), num(q, "query_timeout"));
	printf("%-16s %lld\n", "generation", num(reply, "generation"));
	printf("%-16s %lld s\n", "uptime", num(reply, "uptime"));
	printf("%-16s %lld\n", "udp workers", num(reply, "workers"));
	q = json_object_get(reply, "dnstap");
	if (json_is_true(json_object_get(q, "enabled")))
		printf("%-16s %s, %lld logged, %lld dropped, %lld errors\n", "dnstap",
		       json_is_true(json_object_get(q, "connected")) ? "connected" : "no reader", num(q, "logged"),
		       num(q, "dropped"), num(q, "errors"));
	q = json_object_get(reply, "proxy");
	if (num(q, "accepted") || num(q, "unlisted") || num(q, "missing") || num(q, "malformed"))
		printf("%-16s %lld accepted; dropped: %lld unlisted, %lld missing, %lld malformed\n", "proxy v2",
		       num(q, "accepted"), num(q, "unlisted"), num(q, "missing"), num(q, "malformed"));
	print_counts(json_object_get(reply, "qtype"), "QTYPE", "QUERIES");
	print_counts(json_object_get(reply, "rcode"), "RCODE", "RESPONSES");
	json_decref(reply);
	return CTL_OK;
}
