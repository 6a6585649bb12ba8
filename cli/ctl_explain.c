/*
 * ctl_explain.c -- `steerctl explain NAME TYPE [--from IP | --subnet CIDR]`:
 * ask the running steerdns (control socket, command "explain") why NAME
 * gets the answer it gets, and print the reasoning: where the client is,
 * which region matched, which pools were tried with each member's health,
 * the answer, its TTL and the ECS scope. --json prints the server's reply.
 */
#include "config.h"
#include "cli/commands.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(void)
{
	fprintf(stderr, "usage: steerctl explain NAME A|AAAA [--from IP | --subnet CIDR] [--json]\n");
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
		json_array_foreach(members, k, m)
			printf("              %-40s %s\n", str(m, "address"), str(m, "state"));
		if (json_array_size(members) == 0)
			printf("              (no member of this address family)\n");
	}
}

static void print_human(json_t *r)
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
