/* util.c -- helpers shared by steerctl's verbs: socket paths, requests, tables. */
#include "config.h"
#include "cli/commands.h"
#include "common/conf.h"
#include "common/errlist.h"
#include "common/errors.h"
#include "common/jsonl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *ctl_socket_path(const struct ctl_opts *o, const char *section, const char *key)
{
	struct conf_file cf;
	struct errlist errs;
	const char *name;
	char *path = NULL;

	if (o->socket)
		return strdup(o->socket);
	errlist_init(&errs);
	if (conf_file_load(o->config, &cf, &errs) != 0) {
		for (size_t i = 0; i < errs.n; i++)
			fprintf(stderr, "steerctl: %s\n", errs.msgs[i]);
		fprintf(stderr, "steerctl: cannot find the %s socket without a config (use -c CONFIG or -s SOCKET)\n", section);
		errlist_clear(&errs);
		return NULL;
	}
	name = json_string_value(json_object_get(json_object_get(cf.root, section), key));
	if (!name)
		fprintf(stderr, "steerctl: %s: no \"%s\".\"%s\" in the config (use -s SOCKET)\n", o->config, section, key);
	else
		path = conf_resolve_path(&cf, name);
	conf_file_clear(&cf);
	errlist_clear(&errs);
	return path;
}

int ctl_args(int argc, char **argv, const char **pos, int min, int max, const char *usage)
{
	int n = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			continue;
		if (argv[i][0] == '-' || n == max) {
			fprintf(stderr, "steerctl: %s: unexpected argument '%s'\n", argv[0], argv[i]);
			n = -1;
			break;
		}
		if (pos)
			pos[n] = argv[i];
		n++;
	}
	if (n >= 0 && n < min)
		fprintf(stderr, "steerctl: %s: missing argument\n", argv[0]);
	if (n < min) {
		fprintf(stderr, "usage: steerctl %s\n", usage);
		return -1;
	}
	return n;
}

int ctl_request(const struct ctl_opts *o, const char *path, const char *daemon_name, json_t *req, json_t **reply)
{
	int ret = jsonl_call(path, req, o->timeout_ms, reply);

	if (ret == STEER_EOK)
		return CTL_OK;
	if (ret == -ENOENT || ret == -ECONNREFUSED)
		fprintf(stderr, "steerctl: %s is not running (no one listens on %s)\n", daemon_name, path);
	else if (ret == -EACCES || ret == -EPERM)
		fprintf(stderr, "steerctl: permission denied on %s's socket %s (run as root or as a member of its group)\n",
			daemon_name, path);
	else if (ret == STEER_EAGAIN)
		fprintf(stderr, "steerctl: %s did not answer within %d ms (%s)\n", daemon_name, o->timeout_ms, path);
	else
		fprintf(stderr, "steerctl: talking to %s on %s: %s\n", daemon_name, path, steer_strerror(ret));
	return CTL_UNREACHABLE;
}

void ctl_table(char ***rows, int nrows, int ncols)
{
	int width[32] = { 0 };

	for (int r = 0; r < nrows; r++)
		for (int c = 0; c < ncols && c < 32; c++) {
			int w = rows[r][c] ? (int)strlen(rows[r][c]) : 1;
			if (w > width[c])
				width[c] = w;
		}
	for (int r = 0; r < nrows; r++) {
		for (int c = 0; c < ncols && c < 32; c++) {
			const char *cell = rows[r][c] ? rows[r][c] : "-";
			if (c == ncols - 1)
				printf("%s\n", cell);
			else
				printf("%-*s  ", width[c], cell);
		}
	}
}

void ctl_print_json(json_t *j)
{
	char *s = json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS);
	if (s) {
		puts(s);
		free(s);
	}
}
