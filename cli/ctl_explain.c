/*
 * ctl_explain.c -- `steerctl explain NAME TYPE [--from IP | --subnet CIDR]`:
 * ask the running steerdns (control socket, command "explain") what NAME
 * gets and why, and print it: the CNAME chain the answer follows; for a
 * steered name where the client is, which region matched, which pools were
 * tried with each member's health (and whether that health is live), the
 * answer, its TTL and the ECS scope; otherwise what the zone answers
 * (static records, NODATA, NXDOMAIN with the SOA, REFUSED, a referral).
 * --json prints the server's reply (server/ctl/explain_answer.h).
 */
#include "config.h"
#include "cli/commands.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void usage(void)
{
	fprintf(stderr, "usage: steerctl explain NAME TYPE [--from IP | --subnet CIDR] [--json]\n");
}

static const char *str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

static void print_location(json_t *r)
{
	json_t *c = json_object_get(r, "client"), *l = json_object_get(r, "location");

	if (json_is_true(json_object_get(c, "ecs")))
		printf("client     %s (ECS subnet)\n", str(c, "address"));
	else
		printf("client     %s (source address, no ECS)\n", str(c, "address"));
	if (!json_is_true(json_object_get(l, "found"))) {
		printf("location   unknown (not in the GeoIP database or nets)\n");
		return;
	}
	printf("location   continent %s, country %s, subdivision %s", *str(l, "continent") ? str(l, "continent") : "-",
	       *str(l, "country") ? str(l, "country") : "-", *str(l, "subdivision") ? str(l, "subdivision") : "-");
	if (*str(l, "net"))
		printf(", nets entry \"%s\"", str(l, "net"));
	if (json_is_number(json_object_get(l, "latitude")))
		printf(", at %.2f,%.2f", json_number_value(json_object_get(l, "latitude")),
		       json_number_value(json_object_get(l, "longitude")));
	printf("\n           matched network %s\n", str(l, "network"));
}

static void print_pools(json_t *r)
{
	json_t *pools = json_object_get(r, "pools"), *p, *m;
	size_t i, k;

	json_array_foreach(pools, i, p) {
		json_t *members = json_object_get(p, "members");
		printf("%s %zu. %-12s %s\n", i ? "          " : "pools     ", i + 1, str(p, "pool"), str(p, "verdict"));
		json_array_foreach(members, k, m) {
			json_t *q = json_object_get(m, "quorum");
			json_t *ss = json_object_get(m, "slowstart_percent");
			if (json_is_integer(ss) && json_integer_value(ss) < 100)
				printf("              %-40s %s (slow start: %lld%% of its weight)\n", str(m, "address"),
				       str(m, "state"), (long long)json_integer_value(ss));
			else
				printf("              %-40s %s\n", str(m, "address"), str(m, "state"));
			if (json_is_object(q)) /* several health sources */
				printf("                votes: %s (%lld of %lld live down, %lld needed)\n", str(q, "text"),
				       (long long)json_integer_value(json_object_get(q, "down")),
				       (long long)json_integer_value(json_object_get(q, "live")),
				       (long long)json_integer_value(json_object_get(q, "needed")));
		}
		if (json_array_size(members) == 0)
			printf("              (no member of this address family)\n");
	}
}

static void print_policy(json_t *r)
{
	json_t *region = json_object_get(r, "region"), *ans = json_object_get(r, "answer"), *a;
	json_t *scope = json_object_get(r, "ecs_scope");
	size_t i;

	printf("%s %s: policy %s\n", str(r, "name"), str(r, "type"), str(r, "policy"));
	print_location(r);
	if (json_is_object(region))
		printf("region     %s%s%s\n", *str(region, "key") ? str(region, "key") : "",
		       *str(region, "key") ? ": " : "", str(region, "why"));
	print_pools(r);
	if (*str(r, "note"))
		printf("note       %s\n", str(r, "note"));
	if (json_is_true(json_object_get(r, "fell_open")))
		printf("fall open  nothing is up: answering as if everything were up\n");
	printf("answer     ");
	if (json_array_size(ans) == 0)
		printf("NODATA%s", json_is_true(json_object_get(r, "fell_open")) ? "" : " (no address of this family, "
											  "or all down with when_all_down nodata)");
	json_array_foreach(ans, i, a)
		printf("%s%s", i ? " " : "", json_string_value(a));
	printf("\nttl        %lld%s\n", (long long)json_integer_value(json_object_get(r, "ttl")),
	       json_is_true(json_object_get(r, "degraded")) ? " (degraded: a fallback pool or members down)" : "");
	if (json_is_integer(scope))
		printf("ecs scope  /%lld\n", (long long)json_integer_value(scope));
	else
		printf("ecs scope  - (no ECS in the query: use --subnet to see it)\n");
}

static void print_rrs(const char *title, json_t *rrs)
{
	json_t *rr;
	size_t i;

	json_array_foreach(rrs, i, rr)
		printf("%-10s %s\n", i ? "" : title, json_string_value(rr));
}

static void utc(json_t *t, char *buf, size_t cap)
{
	time_t v = (time_t)json_integer_value(t);
	struct tm tm;

	snprintf(buf, cap, "-");
	if (json_is_integer(t) && gmtime_r(&v, &tm))
		strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Whether the member states above are live (health link to steer-healthd). */
static void print_health(json_t *h)
{
	char since[32], last[32];
	long long ago = (long long)(time(NULL) - json_integer_value(json_object_get(h, "since")));

	if (!json_is_object(h))
		return;
	utc(json_object_get(h, "since"), since, sizeof(since));
	utc(json_object_get(h, "last_update"), last, sizeof(last));
	if (!json_is_true(json_object_get(h, "stale")))
		printf("health     live: linked to steer-healthd since %s, last update %s\n", since, last);
	else if (json_is_null(json_object_get(h, "last_update")))
		printf("health     STALE: no link to steer-healthd since %s (%llds); no health data yet, so every "
		       "checked member is unknown (counts as up)\n", since, ago);
	else
		printf("health     STALE: no link to steer-healthd since %s (%llds); member states are the last known, "
		       "from %s\n", since, ago, last);
}

/* What the zone answers when no policy does. */
static void print_static(json_t *r)
{
	json_t *resp = json_object_get(r, "response");
	const char *out = str(r, "outcome"), *name = str(r, "name");

	if (strcmp(out, "static") == 0)
		printf("answer     from the zone file (no steering policy)\n");
	else if (strcmp(out, "nodata") == 0)
		printf("answer     NODATA: %s exists but has no %s record\n", name, str(r, "type"));
	else if (strcmp(out, "nxdomain") == 0)
		printf("answer     NXDOMAIN: %s does not exist\n", name);
	else if (strcmp(out, "refused") == 0)
		printf("answer     REFUSED: %s is in no zone steerdns serves\n", name);
	else if (strcmp(out, "referral") == 0)
		printf("answer     referral: %s is delegated (not authoritative)\n", name);
	else if (strcmp(out, "external") == 0)
		printf("answer     the chain leaves the zones steerdns serves: resolvers look up %s elsewhere\n", name);
	else
		printf("answer     %s\n", str(resp, "rcode"));
	print_rrs("", json_object_get(resp, "answer"));
	print_rrs("authority", json_object_get(resp, "authority"));
	print_rrs("additional", json_object_get(resp, "additional"));
	if (*str(r, "note"))
		printf("note       %s\n", str(r, "note"));
}

static void print_human(json_t *r)
{
	json_t *q = json_object_get(r, "query"), *chain = json_object_get(r, "chain");

	if (json_array_size(chain) || strcmp(str(r, "outcome"), "steered") != 0)
		printf("%s %s\n", str(q, "name"), str(q, "type"));
	print_rrs("cname", chain);
	if (strcmp(str(r, "outcome"), "steered") != 0) {
		print_static(r);
		return;
	}
	print_policy(r);
	print_health(json_object_get(r, "health"));
}

int ctl_explain(const struct ctl_opts *o, int argc, char **argv)
{
	const char *pos[2] = { NULL, NULL }, *from = NULL, *subnet = NULL;
	int npos = 0, rc;
	json_t *req, *reply = NULL;
	char *path;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			continue;
		if ((strcmp(argv[i], "--from") == 0 || strcmp(argv[i], "--subnet") == 0) && i + 1 < argc) {
			*(argv[i][2] == 'f' ? &from : &subnet) = argv[i + 1];
			i++;
		} else if (argv[i][0] != '-' && npos < 2) {
			pos[npos++] = argv[i];
		} else {
			usage();
			return CTL_USAGE;
		}
	}
	if (npos != 2 || (from && subnet)) {
		usage();
		return CTL_USAGE;
	}
	if (!(path = ctl_socket_path(o, "server", "control_socket")))
		return CTL_UNREACHABLE;
	req = json_pack("{s:s, s:s, s:s, s:s?, s:s?}", "cmd", "explain", "name", pos[0], "type", pos[1], "from", from,
			"subnet", subnet);
	rc = req ? ctl_request(o, path, "steerdns", req, &reply) : CTL_FAILED;
	json_decref(req);
	free(path);
	if (rc != CTL_OK)
		return rc;
	if (!json_is_true(json_object_get(reply, "ok"))) {
		fprintf(stderr, "steerctl: explain: %s\n", str(reply, "error"));
		if (o->json)
			ctl_print_json(reply);
		json_decref(reply);
		return CTL_FAILED;
	}
	json_object_del(reply, "ok");
	json_object_del(reply, "v");
	if (o->json)
		ctl_print_json(reply);
	else
		print_human(reply);
	json_decref(reply);
	return CTL_OK;
}
