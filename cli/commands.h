/*
 * commands.h -- steerctl verbs. Each verb group lives in its own file:
 *   ctl_server.c  check, zones, reload, stats, explain (steerdns control socket)
 *   ctl_health.c  status, drain, undrain, force-up, auto (steer-healthd socket)
 * main.c parses the global options and dispatches through one table.
 *
 * Exit codes (scripts rely on them):
 *   0 success, 1 the operation failed or was rejected (e.g. a reload with
 *   errors, a config with errors), 2 usage error, 3 the daemon is not
 *   running / its socket cannot be reached.
 */
#ifndef STEER_CLI_COMMANDS_H
#define STEER_CLI_COMMANDS_H

#include <jansson.h>

enum { CTL_OK = 0, CTL_FAILED = 1, CTL_USAGE = 2, CTL_UNREACHABLE = 3 };

struct ctl_opts {
	const char *config;        /* -c; default STEER_DEFAULT_CONFIG */
	const char *socket;        /* -s; overrides the socket path from the config */
	int json;                  /* --json: machine-readable output */
	int timeout_ms;            /* per request, default 5000 */
};

#define STEER_DEFAULT_CONFIG "/etc/steerdns/steerdns.json"

typedef int (*ctl_fn)(const struct ctl_opts *o, int argc, char **argv);

int ctl_check(const struct ctl_opts *o, int argc, char **argv);
int ctl_zones(const struct ctl_opts *o, int argc, char **argv);
int ctl_reload(const struct ctl_opts *o, int argc, char **argv);
int ctl_stats(const struct ctl_opts *o, int argc, char **argv);
int ctl_explain(const struct ctl_opts *o, int argc, char **argv);
int ctl_status(const struct ctl_opts *o, int argc, char **argv);
int ctl_drain(const struct ctl_opts *o, int argc, char **argv);
int ctl_undrain(const struct ctl_opts *o, int argc, char **argv);
int ctl_force_up(const struct ctl_opts *o, int argc, char **argv);

/* Helpers shared by the verb files (cli/util.c). */

/* Socket path for a daemon: o->socket if set, else the string at
 * section/key in the config (resolved against the config's directory).
 * Returns malloc'ed path or NULL after printing why. */
char *ctl_socket_path(const struct ctl_opts *o, const char *section, const char *key);
/* Send req to the socket and read one reply. Prints a clear message and
 * returns CTL_UNREACHABLE when the daemon is not running. *reply is set
 * on CTL_OK. */
int ctl_request(const struct ctl_opts *o, const char *path, const char *daemon_name, json_t *req, json_t **reply);
/* Print rows as an aligned text table; rows[r][c], header first. */
void ctl_table(char ***rows, int nrows, int ncols);
/* Print JSON (pretty) to stdout. */
void ctl_print_json(json_t *j);

#endif
