/*
 * ctl_dnssec_roll.c -- steerctl dnssec roll ZONE ksk|zsk and steerctl
 * dnssec ds-seen ZONE TAG: ask steerdns (its control socket) to start a
 * rollover or to end a KSK rollover's wait for the parent's DS. The
 * daemon writes the key files, as the user that owns them, and reloads
 * the zone at once (server/keyroll.h); ctl_dnssec() dispatches here.
 */
#include "config.h"
#include "cli/commands.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Send req (taken) to steerdns; print the outcome. */
static int roll_request(const struct ctl_opts *o, json_t *req, const char *done)
{
	char *path = ctl_socket_path(o, "server", "control_socket");
	json_t *reply = NULL;
	int ret;

	if (!path || !req) {
		json_decref(req);
		free(path);
		return path ? CTL_FAILED : CTL_UNREACHABLE;
	}
	ret = ctl_request(o, path, "steerdns", req, &reply);
	json_decref(req);
	free(path);
	if (ret != CTL_OK)
		return ret;
	if (o->json)
		ctl_print_json(reply);
	if (!json_is_true(json_object_get(reply, "ok"))) {
		const char *err = json_string_value(json_object_get(reply, "error"));
		fprintf(stderr, "steerctl: steerdns: %s\n", err ? err : "request failed");
		ret = CTL_FAILED;
	} else if (!o->json) {
		printf("%s\n", done);
	}
	json_decref(reply);
	return ret;
}

int ctl_dnssec_roll(const struct ctl_opts *o, const char *zone, const char *role)
{
	char done[300];

	if (!role || (strcasecmp(role, "ksk") && strcasecmp(role, "zsk"))) {
		fprintf(stderr, "usage: steerctl dnssec roll ZONE ksk|zsk\n");
		return CTL_USAGE;
	}
	snprintf(done, sizeof(done), "%s: %s rollover started (steerctl dnssec status %s shows its timers)", zone,
		 strcasecmp(role, "ksk") ? "ZSK" : "KSK", zone);
	return roll_request(o, json_pack("{s:s, s:s, s:s}", "cmd", "dnssec-roll", "zone", zone, "role", role), done);
}

int ctl_dnssec_ds_seen(const struct ctl_opts *o, const char *zone, const char *tag)
{
	char *end = NULL, done[300];
	long t = tag ? strtol(tag, &end, 10) : -1;

	if (!tag || !*tag || *end || t < 0 || t > 65535) {
		fprintf(stderr, "usage: steerctl dnssec ds-seen ZONE TAG (the new KSK's key tag, 0..65535)\n");
		return CTL_USAGE;
	}
	snprintf(done, sizeof(done), "%s: DS of KSK %ld seen at the parent; the old KSK retires after the DS TTL", zone, t);
	return roll_request(o, json_pack("{s:s, s:s, s:I}", "cmd", "dnssec-ds-seen", "zone", zone, "tag", (json_int_t)t),
			    done);
}
