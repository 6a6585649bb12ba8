/* main.c -- steerctl: the operator CLI for steerdns and steer-healthd. */
#include "config.h"
#include "cli/commands.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *name;
	ctl_fn fn;
	const char *args;
	const char *help;
} verbs[] = {
	{ "check", ctl_check, "[CONFIG]", "validate the config and every zone (like steerdns --check)" },
	{ "check-zone", ctl_check_zone, "ZONE FILE", "check one zone file without a config (like nsd-checkzone)" },
	{ "zones", ctl_zones, "", "list the zones steerdns serves: name, serial, records, file, loaded at" },
	{ "reload", ctl_reload, "[ZONE]", "reload config and zones, or one zone; what fails keeps serving the old data" },
	{ "stats", ctl_stats, "", "query counters by transport, qtype and rcode" },
	{ "explain", ctl_explain, "NAME TYPE [--from IP | --subnet CIDR]", "why steerdns gives the answer it gives" },
	{ "status", ctl_status, "", "health of every target (from steer-healthd)" },
	{ "drain", ctl_drain, "TARGET", "force a target down (persists across restarts)" },
	{ "undrain", ctl_undrain, "TARGET", "return a target to its health checks" },
	{ "force-up", ctl_force_up, "TARGET", "force a target up whatever its checks say" },
	{ "dnssec", ctl_dnssec, "keygen|ds|status|export|roll|ds-seen ZONE", "keys, DS for the registrar, signing state, signed zone file" },
};

/* -t SECONDS: a positive number, at most an hour (a typo such as "-t 5s"
 * or "-t x" is a usage error, not a zero timeout). */
static int parse_timeout(const char *arg, int *ms)
{
	char *end;
	double sec = strtod(arg, &end);

	if (end == arg || *end || !(sec >= 0.001 && sec <= 3600))
		return -1;
	*ms = (int)(sec * 1000);
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: steerctl [-c CONFIG] [-s SOCKET] [--json] [-t SECONDS] VERB [ARGS]\n\nverbs:\n");
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		fprintf(f, "  %-10s %-38s %s\n", verbs[i].name, verbs[i].args, verbs[i].help);
	fprintf(f, "\nexit status: 0 ok; 1 failed: the daemon answered with an error, the check or reload\n"
		   "found errors, no such target; 2 usage error; 3 the daemon cannot be reached\n");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' }, { "socket", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },         { "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },         { "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct ctl_opts o = { .config = NULL, .timeout_ms = 5000 };
	int c;

	o.config = getenv("STEERDNS_CONFIG");
	if (!o.config)
		o.config = STEER_DEFAULT_CONFIG;
	/* "+": stop at the verb, so verb options (explain --from) reach the verb. */
	while ((c = getopt_long(argc, argv, "+c:s:jt:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': o.config = optarg; break;
		case 's': o.socket = optarg; break;
		case 'j': o.json = 1; break;
		case 't':
			if (parse_timeout(optarg, &o.timeout_ms) < 0) {
				fprintf(stderr, "steerctl: -t %s: not a number of seconds between 0.001 and 3600\n", optarg);
				return CTL_USAGE;
			}
			break;
		case 'h': usage(stdout); return CTL_OK;
		case 'V': printf("steerctl %s\n", STEER_VERSION); return CTL_OK;
		default: usage(stderr); return CTL_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return CTL_USAGE;
	}
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
		if (strcmp(argv[optind], verbs[i].name) == 0) {
			/* Verbs also accept --json after the verb name. */
			for (int a = optind + 1; a < argc; a++)
				if (strcmp(argv[a], "--json") == 0)
					o.json = 1;
			return verbs[i].fn(&o, argc - optind, argv + optind);
		}
	}
	fprintf(stderr, "steerctl: unknown verb '%s'\n", argv[optind]);
	usage(stderr);
	return CTL_USAGE;
}
