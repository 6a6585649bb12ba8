/* main.c -- steerdns: command line, then server_new/server_run/server_free. */
#include "config.h"
#include "server/load.h"
#include "server/server.h"
#include "common/log.h"

#include <getopt.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>

#define DEFAULT_CONFIG "/etc/steerdns/steerdns.json"

static void usage(FILE *f)
{
	fprintf(f, "usage: steerdns [-c CONFIG] [-d] [--check] [-V] [-h]\n"
		   "  -c, --config CONFIG  the JSON config (default " DEFAULT_CONFIG ")\n"
		   "  -d, --debug          log at level debug, whatever the config says\n"
		   "      --check          validate the config and every zone, then exit (0 ok, 1 errors)\n"
		   "  -V, --version        print the version\n"
		   "steerdns runs in the foreground; SIGHUP reloads, SIGTERM/SIGINT stop it.\n");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' }, { "debug", no_argument, NULL, 'd' },
		{ "check", no_argument, NULL, 'C' },        { "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },         { NULL, 0, NULL, 0 },
	};
	const char *config = DEFAULT_CONFIG;
	int c, debug = 0, check = 0, ret;
	struct server *srv;

#ifdef __GLIBC__
	/* One malloc arena for every thread. The query path allocates nothing,
	 * so threads do not contend for it; and glibc's malloc_trim cannot
	 * shrink a thread's own arena, so after a TCP flood (up to 1 MB per
	 * thousand connections) a second arena would keep the peak for good. */
	mallopt(M_ARENA_MAX, 1);
#endif
	while ((c = getopt_long(argc, argv, "c:dVh", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': config = optarg; break;
		case 'd': debug = 1; break;
		case 'C': check = 1; break;
		case 'V': printf("steerdns %s\n", STEER_VERSION); return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc) {
		usage(stderr);
		return 2;
	}
	if (check)
		return load_check(config, stdout, stderr);
	log_init("steerdns", 0, debug ? LOG_DEBUG : LOG_INFO);
	srv = server_new(config, debug);
	if (!srv)
		return 1;
	ret = server_run(srv);
	server_free(srv);
	log_notice("stopped");
	return ret == 0 ? 0 : 1;
}
