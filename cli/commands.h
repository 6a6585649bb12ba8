/*
 * commands.h -- steerctl verbs. Each verb group lives in its own file:
 *   ctl_server.c  check, zones, reload, stats (steerdns control socket)
 *   ctl_explain.c explain (steerdns control socket)
 *   ctl_health.c  status, drain, undrain, force-up (steer-healthd socket)
 *   ctl_zone.c    check-zone (one zone file, no config, no daemon)
 *   ctl_dnssec.c  dnssec keygen|ds|status|export (key_dir, no daemon)
 * main.c parses the global options and dispatches through one table.
 *
 * Exit codes (scripts rely on them; man steerctl(8) EXIT STATUS), the same
 * for every verb:
 *   CTL_OK 0           success (explain: whatever the answer, REFUSED too)
 *   CTL_FAILED 1       the daemon answered with an error (reload rejected,
 *                      no such target, unknown command), check found errors
 *   CTL_USAGE 2        usage error; nothing was sent
 *   CTL_UNREACHABLE 3  the daemon cannot be reached: not running, socket
 *                      missing, permission denied, no answer in time, or
 *                      no socket path (no config, no -s)
 * A verb returns one of these and nothing else: main() exits with it.
 */
#ifndef STEER_CLI_COMMANDS_H
#define STEER_CLI_COMMANDS_H

#include <jansson.h>
#include <stdint.h>

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
int ctl_check_zone(const struct ctl_opts *o, int argc, char **argv);
int ctl_zones(const struct ctl_opts *o, int argc, char **argv);
int ctl_reload(const struct ctl_opts *o, int argc, char **argv);
int ctl_stats(const struct ctl_opts *o, int argc, char **argv);
int ctl_explain(const struct ctl_opts *o, int argc, char **argv);
int ctl_status(const struct ctl_opts *o, int argc, char **argv);
int ctl_drain(const struct ctl_opts *o, int argc, char **argv);
int ctl_undrain(const struct ctl_opts *o, int argc, char **argv);
int ctl_force_up(const struct ctl_opts *o, int argc, char **argv);
int ctl_dnssec(const struct ctl_opts *o, int argc, char **argv);
/* ctl_dnssec_roll.c: steerctl dnssec roll ZONE ksk|zsk, ds-seen ZONE TAG (through steerdns). */
int ctl_dnssec_roll(const struct ctl_opts *o, const char *zone, const char *role);
int ctl_dnssec_ds_seen(const struct ctl_opts *o, const char *zone, const char *tag);
struct dnssec_zoneconf;
struct dnssec_keyset;
void ctl_dnssec_roll_status(const struct dnssec_zoneconf *dc, const struct dnssec_keyset *ks, int64_t now);

/* Helpers shared by the verb files (cli/util.c). */

/* Check a verb's arguments: argv[0] is the verb; "--json" is skipped;
 * between min and max positional arguments are stored in pos (may be NULL
 * when max is 0); any other option is an error. Returns the number of
 * positional arguments, or -1 after printing "usage: steerctl USAGE" (the
 * caller then returns CTL_USAGE). */
int ctl_args(int argc, char **argv, const char **pos, int min, int max, const char *usage);
/* Socket path for a daemon: o->socket if set, else the string at
 * section/key in the config (resolved against the config's directory).
 * Returns malloc'ed path or NULL after printing why. */
char *ctl_socket_path(const struct ctl_opts *o, const char *section, const char *key);
/* Send req to the socket and read one reply. Prints a clear message and
 * returns CTL_UNREACHABLE when the daemon cannot be reached: not running
 * (no socket, or no one listening), permission denied on the socket, no
 * reply within the timeout, or the connection broken. *reply is set on
 * CTL_OK, whatever the reply says (the caller checks "ok"). */
int ctl_request(const struct ctl_opts *o, const char *path, const char *daemon_name, json_t *req, json_t **reply);
/* Print rows as an aligned text table; rows[r][c], header first. */
void ctl_table(char ***rows, int nrows, int ncols);
/* Print JSON (pretty) to stdout. */
void ctl_print_json(json_t *j);

#endif
