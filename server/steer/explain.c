/* explain.c -- the "explain" control command (see explain.h). */
#include "config.h"
#include "server/steer/explain.h"
#include "server/steer/health_link.h"
#include "server/steer/quorum.h"
#include "server/zone/snapshot.h"
#include "server/steer/steer_build.h"
#include "server/steer/steer_policy.h"
#include "common/jsonl.h"
#include "geoip/geo.h"
#include "geoip/nets.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static const char *const verdict_names[] = {
	[STEER_V_ANSWERED] = "answered", [STEER_V_USED] = "used", [STEER_V_ALL_DOWN] = "all down",
	[STEER_V_NO_FAMILY] = "no member of the family", [STEER_V_CANDIDATE] = "candidate",
	[STEER_V_FULL] = "max reached",
};

static const char *member_state(const struct steer_set *set, const struct steer_member *m)
{
	static const char *const names[] = { "unknown", "up", "down", "pending" };
	uint8_t b;

	if (m->target == STEER_NO_TARGET)
		return "up (no check)";
	b = atomic_load_explicit(&set->state[m->target], memory_order_relaxed);
	if (b & STEER_ST_DRAINED)
		return "drained";
	if (b & STEER_ST_FORCED)
		return "forced up";
	return names[b & STEER_ST_MASK];
}

static const char *vote_name(uint8_t v)
{
	static const char *const names[] = { "unknown", "up", "down", "pending" };

	if (v == STEER_VOTE_NONE)
		return "none";
	if (v & STEER_ST_DRAINED)
		return "drained";
	if (v & STEER_ST_FORCED)
		return "forced up";
	return names[v & STEER_ST_MASK];
}

static const char *state_name(uint8_t b)
{
	static const char *const names[] = { "unknown", "up", "down", "pending" };

	if (b & STEER_ST_DRAINED)
		return "drained";
	if (b & STEER_ST_FORCED)
		return "forced up";
	return names[b & STEER_ST_MASK];
}

json_t *explain_votes_json(const struct steer_set *set, size_t t)
{
	struct steer_quorum q;
	json_t *votes = json_object();
	char text[512] = "";
	size_t used = 0;

	steer_quorum_combine(set, t, &q);
	for (size_t s = 0; votes && s < set->pc.sources.n; s++) {
		const char *name = set->pc.sources.v[s].name;
		const char *v = (set->live & (1u << s)) ? vote_name(set->votes[s * set->pc.ntargets + t]) : "silent";
		json_object_set_new(votes, name, json_string(v));
		if (used < sizeof(text))
			used += (size_t)snprintf(text + used, sizeof(text) - used, "%s%s %s", s ? ", " : "", name, v);
	}
	return json_pack("{s:o*, s:s, s:i, s:i, s:i, s:i}", "votes", votes, "text", text, "live", (int)q.live, "up",
			 (int)q.up, "down", (int)q.down, "needed", (int)q.needed);
}

json_t *explain_targets_json(const struct snapshot *snap)
{
	const struct steer_set *set = steer_set_of(snap);
	json_t *arr = json_array();

	for (size_t t = 0; arr && set && t < set->pc.ntargets; t++) {
		const struct health_target_conf *tc = &set->pc.targets[t];
		uint8_t b = atomic_load_explicit(&set->state[t], memory_order_relaxed);
		json_t *v = explain_votes_json(set, t);
		json_t *o = json_pack("{s:s, s:s, s:s, s:s}", "name", tc->name, "check", set->pc.checks[tc->check].name,
				      "address", tc->addr.text, "state", state_name(b));
		if (o && v)
			json_object_update(o, v);
		json_decref(v);
		json_array_append_new(arr, o);
	}
	return arr;
}

static json_t *pool_json(const struct steer_set *set, size_t pi, int fam, const char *verdict)
{
	const struct steer_pool *p = &set->pools[pi];
	json_t *members = json_array();

	for (uint16_t k = 0; members && k < p->n[fam]; k++) {
		const struct steer_member *m = &p->m[fam][k];
		json_t *o = json_pack("{s:s, s:s?, s:s}", "address", m->text, "target",
				      m->target == STEER_NO_TARGET ? NULL : set->pc.targets[m->target].name, "state",
				      member_state(set, m));
		/* Slow start: how much of its weight a recovered member has yet. */
		if (o && set->pools[pi].slowstart_ms) {
			struct steer_ctx c = { .set = set };
			json_object_set_new(o, "slowstart_percent",
					    json_integer(steer_member_ramp(&c, m) * 100 / STEER_RAMP_FULL));
		}
		/* Several sources: who voted how ("hd1 down, hd2 up, hd3 up"). */
		if (o && m->target != STEER_NO_TARGET && set->pc.sources.n > 1)
			json_object_set_new(o, "quorum", explain_votes_json(set, m->target));
		json_array_append_new(members, o);
	}
	return json_pack("{s:s, s:s, s:o*}", "pool", p->name, "verdict", verdict, "members", members);
}

/* The list in effect, each pool with what the evaluation made of it. */
static json_t *pools_json(const struct steer_set *set, const struct steer_record *rec, int fam,
			  const struct steer_trace *t)
{
	const struct steer_list *l = rec->nlists ? &rec->lists[t->list >= 0 ? t->list : 0] : NULL;
	json_t *arr = json_array();

	for (uint16_t i = 0; arr && l && i < l->n; i++) {
		char verdict[64] = "not reached";
		for (size_t k = 0; k < t->ntried; k++) {
			if (t->tried[k].pool != l->pools[i])
				continue;
			/* The last entry wins: after a fall-open pass, that pass made the answer. */
			snprintf(verdict, sizeof(verdict), "%s%s", verdict_names[t->tried[k].verdict],
				 t->tried[k].fall_open ? " (fall open)" : "");
		}
		json_array_append_new(arr, pool_json(set, l->pools[i], fam, verdict));
	}
	return arr;
}

int explain_client(const char *from, const char *subnet, uint8_t addr[16], unsigned *plen, char *err, size_t errlen)
{
	const char *s = subnet ? subnet : from;

	memset(addr, 0, 16);
	*plen = 0;
	if (!s) {
		addr[10] = addr[11] = 0xff; /* 0.0.0.0/0 */
		return 0;
	}
	if (from && subnet) {
		snprintf(err, errlen, "give --from or --subnet, not both");
		return -1;
	}
	if (geo_prefix_parse(s, addr, plen) != 0) {
		snprintf(err, errlen, "\"%s\" is not an %s", s, subnet ? "IPv4/IPv6 subnet (CIDR)" : "IPv4/IPv6 address");
		return -1;
	}
	if (from && *plen != (geo_addr_is_v4(addr) ? 32u : 128u)) {
		snprintf(err, errlen, "--from takes an address; use --subnet for %s", s);
		return -1;
	}
	geo_addr_mask(addr, (geo_addr_is_v4(addr) ? 96 : 0) + *plen); /* ECS: host bits ignored */
	return 0;
}

static int parse_client(const char *from, const char *subnet, struct steer_client *cl, char *err, size_t errlen)
{
	memset(cl, 0, sizeof(*cl));
	if (explain_client(from, subnet, cl->addr, &cl->source, err, errlen) < 0)
		return -1;
	cl->ecs = subnet != NULL;
	return 0;
}

static json_t *location_json(const struct steer_set *set, const struct steer_client *cl, struct geo_loc *loc)
{
	char net[64] = "";
	uint8_t a[16];

	memset(loc, 0, sizeof(*loc));
	if (set->geo)
		geo_db_lookup(set->geo, cl->addr, loc);
	if (loc->found) {
		memcpy(a, cl->addr, 16);
		geo_addr_mask(a, (geo_addr_is_v4(a) ? 96 : 0) + loc->prefix);
		geo_prefix_format(net, sizeof(net), a, loc->prefix);
	}
	return json_pack("{s:b, s:s, s:s, s:s, s:s?, s:s?, s:o, s:o}", "found", loc->found, "continent", loc->continent,
			 "country", loc->country, "subdivision", loc->subdivision, "net", loc->net, "network",
			 loc->found ? net : NULL, "latitude",
			 loc->has_location ? json_real(loc->latitude) : json_null(), "longitude",
			 loc->has_location ? json_real(loc->longitude) : json_null());
}

static json_t *answer_json(const struct steer_answer *a, int fam)
{
	json_t *arr = json_array();
	char buf[INET6_ADDRSTRLEN];

	for (uint16_t i = 0; arr && i < a->naddrs; i++)
		if (inet_ntop(fam == STEER_V4 ? AF_INET : AF_INET6, a->addrs[i], buf, sizeof(buf)))
			json_array_append_new(arr, json_string(buf));
	return arr;
}

json_t *explain_json(const struct snapshot *snap, const char *name, const char *type, const char *from,
		     const char *subnet, char *err, size_t errlen)
{
	const struct steer_set *set = steer_set_of(snap);
	const struct steer_record *rec;
	struct steer_client cl;
	struct steer_answer ans;
	struct steer_trace tr;
	struct geo_loc loc;
	char why[512] = "", client[64];
	json_t *j, *region = json_null();
	int fam;

	if (!name || !type) {
		snprintf(err, errlen, "explain needs \"name\" and \"type\"");
		return NULL;
	}
	if (strcasecmp(type, "A") == 0)
		fam = STEER_V4;
	else if (strcasecmp(type, "AAAA") == 0)
		fam = STEER_V6;
	else {
		snprintf(err, errlen, "type %s is not steered: only A and AAAA are", type);
		return NULL;
	}
	if (!(rec = steer_find_record(set, name))) {
		snprintf(err, errlen, "%s has no steering policy: its answers come from the zone file", name);
		return NULL;
	}
	if (parse_client(from, subnet, &cl, err, errlen) < 0)
		return NULL;
	j = location_json(set, &cl, &loc);
	steer_eval(set, rec, fam, &cl, &ans, &tr);
	if (rec->policy->classify) {
		const char *key = rec->policy->region_key ? rec->policy->region_key(rec, &loc) : NULL;
		rec->policy->classify(rec, set, &loc, NULL, why, sizeof(why));
		region = json_pack("{s:s?, s:s}", "key", key, "why", why);
	}
	geo_prefix_format(client, sizeof(client), cl.addr, cl.source);
	return json_pack("{s:s, s:s, s:s, s:{s:s, s:i, s:b}, s:o, s:o, s:o, s:b, s:b, s:o, s:I, s:b, s:o, s:s}",
			 "name", rec->name, "type", fam == STEER_V4 ? "A" : "AAAA", "policy", rec->policy->name,
			 "client", "address", (from || subnet) ? client : "unknown (no --from or --subnet)",
			 "source_prefix", (int)cl.source, "ecs", cl.ecs,
			 "location", j, "region", region, "pools", pools_json(set, rec, fam, &tr),
			 "fell_open", tr.fell_open, "nodata", tr.nodata_all_down || ans.naddrs == 0,
			 "answer", answer_json(&ans, fam), "ttl", (json_int_t)ans.ttl, "degraded", tr.degraded,
			 "ecs_scope", cl.ecs ? json_integer(ans.ecs_scope) : json_null(), "note", tr.note);
}

int explain_has_policy(const struct snapshot *snap, const char *name)
{
	return name && steer_find_record(steer_set_of(snap), name) != NULL;
}

json_t *explain_health_json(const struct snapshot *snap, const struct health_link_info *hl)
{
	const struct steer_set *set = steer_set_of(snap);
	size_t n = set ? set->pc.ntargets : 0;

	if (n == 0)
		return json_null(); /* no checks: nothing can be stale */
	/* Disconnected, the state table keeps the last-known states (or
	 * unknown, which counts as up) and no change reaches the answers. */
	return json_pack("{s:I, s:b, s:I, s:o, s:b, s:o}", "targets", (json_int_t)n, "linked", hl->connected, "since",
			 (json_int_t)hl->since, "last_update",
			 hl->last_update ? json_integer((json_int_t)hl->last_update) : json_null(), "stale",
			 !hl->connected, "sources", health_link_sources_json(hl->link));
}
