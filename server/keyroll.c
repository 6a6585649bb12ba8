/*
 * keyroll.c -- the process's rollover timer and the operator's rollover
 * commands (steerctl dnssec roll / ds-seen), over the planner in
 * server/dnssec/rollover.h.
 *
 * One libevent timer on the main loop. Each tick, for every signed zone
 * of the live snapshot: plan (rollover_plan) from the keys the zone was
 * signed with; write what is due (a new key, new times: the key files are
 * the only state, so a restart half-way goes on from them); and reload the
 * zone when something was written or one of its keys' times has passed
 * since it was signed (a key becomes published or signing, or leaves), so
 * the DNSKEY RRset and the signatures follow the timers. The timer then
 * sleeps until the earliest next time of any zone, at most a minute.
 *
 * Everything runs in the main thread, like a reload: the answering threads
 * only ever see a finished snapshot.
 */
#include "config.h"
#include "server/keyroll.h"
#include "server/server.h"
#include "server/server_priv.h"
#include "server/dnssec/keys.h"
#include "server/dnssec/rollover.h"
#include "server/dnssec/zonesign.h"
#include "server/steer/steer_policy.h"
#include "server/zone/zone.h"
#include "server/zone/zonedb.h"
#include "common/errlist.h"
#include "common/errors.h"
#include "common/log.h"

#include <event2/event.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* Never sleep longer: a clock step or a changed config is noticed soon. */
#define KEYROLL_MAX_SLEEP 60
/* After a failed step or reload: try again, not every second. */
#define KEYROLL_RETRY 30

/* The largest TTL a validator may hold a signature of this zone for:
 * every rrset, and the steered answers (their TTLs come from the records). */
static uint32_t max_ttl(const struct zone *z, const struct snapshot *s)
{
	const struct steer_set *set = s ? s->extra : NULL;
	uint32_t m = 0;

	for (uint32_t i = 0; i <= z->mask; i++) {
		const struct node *n = zone_slot(z, i);
		for (uint16_t k = 0; n && k < n->nrrsets; k++)
			if (n->rrsets[k].ttl > m)
				m = n->rrsets[k].ttl;
	}
	for (size_t r = 0; set && r < set->nrecords; r++) {
		if (set->records[r].ttl > m)
			m = set->records[r].ttl;
		if (set->records[r].degraded_ttl > m)
			m = set->records[r].degraded_ttl;
	}
	return m;
}

static void roll_conf(const struct dnssec_zoneconf *dc, const struct zone *z, const struct snapshot *s,
		      struct rollover_conf *rc)
{
	memset(rc, 0, sizeof(*rc));
	rc->zsk_lifetime = dc->keys.zsk_lifetime;
	rc->dnskey_ttl = dc->keys.dnskey_ttl;
	rc->propagation = dc->keys.propagation;
	rc->ds_ttl = dc->roll.ds_ttl;
	rc->ksk_ds_wait = dc->roll.ksk_ds_wait;
	rc->max_zone_ttl = z ? max_ttl(z, s) : 0;
}

/* The zone's config and its live version, or -1. */
static int find_zone(struct server *srv, const char *name, const struct dnssec_zoneconf **dc, const struct zone **z)
{
	const struct snapshot *s = snap_current(&srv->snaps);

	for (size_t i = 0; i < srv->conf.nzones; i++) {
		const char *zn = srv->conf.zones[i].name;
		size_t l = strlen(zn), nl = strlen(name);
		if (l && zn[l - 1] == '.')
			l--;
		if (nl && name[nl - 1] == '.')
			nl--;
		if (l != nl || strncasecmp(zn, name, l) != 0)
			continue;
		*dc = srv->conf.zones[i].post_arg;
		*z = s ? zonedb_zone_named(s->zones, srv->conf.zones[i].name) : NULL;
		return *dc && *z && (*z)->dnssec ? (int)i : -1;
	}
	return -1;
}

/* Write the steps (new keys first, as planned). Returns 0 or the first error. */
static int apply(const struct zone *z, const struct dnssec_zoneconf *dc, const struct rollover_step *st, size_t n,
		 int64_t now, struct errlist *errs)
{
	const struct dnssec_keyset *ks = &z->dnssec->ks;

	for (size_t i = 0; i < n; i++) {
		int ret;
		if (st[i].op == ROLL_NEW_KEY) {
			char *base = NULL;
			ret = dnssec_key_generate(z->name, &dc->keys, st[i].role, now, st[i].publish, st[i].activate, &base,
						  errs);
			if (ret == 0)
				log_notice("zone %s: new %s %s: published %lld, signing from %lld", z->name,
					   st[i].role == DNSSEC_KSK ? "KSK" : "ZSK", base, (long long)st[i].publish,
					   (long long)st[i].activate);
			free(base);
		} else {
			struct dnssec_key k = ks->keys[st[i].key];
			k.inactive = st[i].inactive;
			k.delete_ = st[i].delete_;
			ret = dnssec_key_set_times(&k, errs);
			if (ret == 0)
				log_notice("zone %s: %s %u stops signing at %lld, leaves the DNSKEY RRset at %lld", z->name,
					   k.role == DNSSEC_KSK ? "KSK" : "ZSK", (unsigned)k.tag, (long long)k.inactive,
					   (long long)k.delete_);
		}
		if (ret < 0)
			return ret;
	}
	return 0;
}

/* Has a time of one of the keys passed since the zone was signed? */
static int key_time_passed(const struct dnssec_keyset *ks, int64_t since, int64_t now)
{
	for (size_t i = 0; i < ks->n; i++) {
		const struct dnssec_key *k = &ks->keys[i];
		const int64_t t[4] = { k->publish, k->activate, k->inactive, k->delete_ };
		for (int j = 0; j < 4; j++)
			if (t[j] > since && t[j] <= now)
				return 1;
	}
	return 0;
}

static int reload_zone(struct server *srv, const char *name)
{
	struct errlist errs;
	int ret;

	errlist_init(&errs);
	ret = server_reload_zone(srv, name, &errs);
	server_log_errors(&errs);
	errlist_clear(&errs);
	return ret;
}

/* One zone's tick; returns when it wants the next one. */
static int64_t zone_tick(struct server *srv, size_t i, int64_t now)
{
	const struct zone_conf *zc = &srv->conf.zones[i];
	const struct dnssec_zoneconf *dc = zc->post_arg;
	const struct snapshot *s = snap_current(&srv->snaps);
	const struct zone *z = s ? zonedb_zone_named(s->zones, zc->name) : NULL;
	struct rollover_step st[ROLLOVER_STEPS_MAX];
	struct rollover_conf rc;
	struct errlist errs;
	int64_t next;
	size_t n;
	int ret = 0;

	if (!dc || !z || !z->dnssec)
		return INT64_MAX;
	roll_conf(dc, NULL, s, &rc); /* the zone's TTLs only matter for a step: walked then */
	n = rollover_plan(&z->dnssec->ks, &rc, now, st, &next);
	if (n) {
		roll_conf(dc, z, s, &rc);
		n = rollover_plan(&z->dnssec->ks, &rc, now, st, &next);
		errlist_init(&errs);
		ret = apply(z, dc, st, n, now, &errs);
		server_log_errors(&errs);
		errlist_clear(&errs);
	}
	if (ret == 0 && (n || key_time_passed(&z->dnssec->ks, (int64_t)z->loaded_at, now)))
		ret = reload_zone(srv, zc->name); /* z is freed by now */
	if (ret != 0) {
		log_err("zone %s: key rollover step failed; trying again in %d s", zc->name, KEYROLL_RETRY);
		return now + KEYROLL_RETRY;
	}
	return n ? now + 1 : next; /* after a step: plan again from the new files */
}

static void tick(evutil_socket_t fd, short what, void *arg)
{
	struct server *srv = arg;
	int64_t now = (int64_t)time(NULL), next = now + KEYROLL_MAX_SLEEP;
	struct timeval tv = { 0, 0 };

	(void)fd;
	(void)what;
	for (size_t i = 0; i < srv->conf.nzones; i++) {
		int64_t t = zone_tick(srv, i, now);
		if (t < next)
			next = t;
	}
	tv.tv_sec = next > now ? (time_t)(next - now) : 1;
	evtimer_add(srv->keyroll, &tv);
}

int keyroll_start(struct server *srv)
{
	struct timeval tv = { 1, 0 };

	srv->keyroll = evtimer_new(srv->base, tick, srv);
	if (!srv->keyroll || evtimer_add(srv->keyroll, &tv) < 0)
		return STEER_ENOMEM;
	return STEER_EOK;
}

void keyroll_stop(struct server *srv)
{
	if (srv->keyroll)
		event_free(srv->keyroll);
	srv->keyroll = NULL;
}

/* --- the operator's commands --------------------------------------------- */

static int operator_steps(struct server *srv, const char *zone, const struct rollover_step *st, int n,
			  const struct zone *z, const struct dnssec_zoneconf *dc, struct errlist *errs)
{
	int ret = apply(z, dc, st, (size_t)n, (int64_t)time(NULL), errs);
	struct timeval soon = { 1, 0 };

	if (ret == 0 && n > 0)
		ret = server_reload_zone(srv, zone, errs);
	/* The new times may come before the timer's next tick: plan again now. */
	if (srv->keyroll)
		evtimer_add(srv->keyroll, &soon);
	return ret;
}

/* An operator's command on zone: start a rollover of role, or (ds_seen)
 * the DS of KSK tag is at the parent. */
static int operator_cmd(struct server *srv, const char *zone, enum dnssec_role role, int ds_seen, uint16_t tag,
			struct errlist *errs)
{
	const char *what = role == DNSSEC_KSK ? "KSK" : "ZSK";
	const struct dnssec_zoneconf *dc;
	const struct zone *z;
	struct rollover_step st[ROLLOVER_STEPS_MAX];
	struct rollover_conf rc;
	int64_t now = (int64_t)time(NULL);
	int n;

	if (find_zone(srv, zone, &dc, &z) < 0) {
		errlist_add(errs, "zone %s: not a signed zone of this server", zone);
		return STEER_ENOENT;
	}
	roll_conf(dc, z, snap_current(&srv->snaps), &rc);
	n = ds_seen ? rollover_ds_seen(&z->dnssec->ks, &rc, tag, now, st)
		    : rollover_start(&z->dnssec->ks, &rc, role, now, st);
	if (n == STEER_EEXIST)
		errlist_add(errs, "zone %s: a %s rollover is already under way", zone, what);
	else if (n == STEER_ENOENT && ds_seen)
		errlist_add(errs, "zone %s: no KSK with tag %u", zone, (unsigned)tag);
	else if (n == STEER_ENOENT)
		errlist_add(errs, "zone %s: no %s signs now", zone, what);
	else if (n == STEER_EINVAL)
		errlist_add(errs, "zone %s: KSK %u is not the incoming key of a KSK rollover that signs already "
			    "(steerctl dnssec status %s)", zone, (unsigned)tag, zone);
	if (n < 0)
		return n;
	if (n == 0)
		log_info("zone %s: ds-seen %u: no KSK rollover under way, nothing to do", zone, (unsigned)tag);
	return operator_steps(srv, zone, st, n, z, dc, errs);
}

int keyroll_roll(struct server *srv, const char *zone, enum dnssec_role role, struct errlist *errs)
{
	return operator_cmd(srv, zone, role, 0, 0, errs);
}

int keyroll_ds_seen(struct server *srv, const char *zone, uint16_t tag, struct errlist *errs)
{
	return operator_cmd(srv, zone, DNSSEC_KSK, 1, tag, errs);
}
