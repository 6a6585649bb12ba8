/*
 * ctl_dnssec_roll.c -- steerctl dnssec roll ZONE ksk|zsk and steerctl
 * dnssec ds-seen ZONE TAG: ask steerdns (its control socket) to start a
 * rollover or to end a KSK rollover's wait for the parent's DS. The
 * daemon writes the key files, as the user that owns them, and reloads
 * the zone at once (server/keyroll.h); ctl_dnssec() dispatches here.
 */
#include "config.h"
#include "cli/commands.h"
#include "server/dnssec/rollover.h"
#include "server/dnssec/zonesign.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

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

/* Where each role's rollover stands, for steerctl dnssec status. */
void ctl_dnssec_roll_status(const struct dnssec_zoneconf *dc, const struct dnssec_keyset *ks, int64_t now)
{
	struct rollover_conf rc = { .zsk_lifetime = dc->keys.zsk_lifetime, .dnskey_ttl = dc->keys.dnskey_ttl,
				    .propagation = dc->keys.propagation, .ds_ttl = dc->roll.ds_ttl,
				    .ksk_ds_wait = dc->roll.ksk_ds_wait };
	static const enum dnssec_role roles[2] = { DNSSEC_ZSK, DNSSEC_KSK };

	for (int r = 0; r < 2; r++) {
		struct rollover_status st;
		rollover_status(ks, &rc, roles[r], now, &st);
		printf("rollover %s: %s", roles[r] == DNSSEC_KSK ? "ksk" : "zsk", rollover_phase_name(st.phase));
		if (st.cur >= 0)
			printf("; signing key %u", ks->keys[st.cur].tag);
		if (st.next >= 0)
			printf("; incoming key %u", ks->keys[st.next].tag);
		if (st.phase == ROLL_WAIT_DS && !rc.ksk_ds_wait)
			printf("; give the parent its DS, then: steerctl dnssec ds-seen ZONE %u", ks->keys[st.next].tag);
		if (st.due) {
			char when[32];
			time_t t = (time_t)st.due;
			struct tm tm;
			gmtime_r(&t, &tm);
			strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
			printf("; next rollover starts %s", when);
		}
		printf("\n");
	}
}
