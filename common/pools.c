/* pools.c -- read the "healthd", "checks" and "pools" sections and derive the health targets. */
#include "config.h"
#include "common/pools.h"
#include "common/conf.h"
#include "common/dns.h"
#include "common/errlist.h"
#include "common/errors.h"
#include "common/log.h"
#include "common/prom.h"
#include "common/suggest.h"

#include <arpa/inet.h>
#include <math.h>
#include <ldns/ldns.h>
#include <regex.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const type_names[CHECK_NTYPES] = { "http", "https", "tcp", "dns", "exec" };

const char *check_type_name(enum check_type t)
{
	return (unsigned)t < CHECK_NTYPES ? type_names[t] : NULL;
}

/* ---- healthd section ---- */

static const struct conf_field healthd_fields[] = {
	{ "socket", CONF_STRING, offsetof(struct pools_conf, socket), 0, 0 },
	{ "state_file", CONF_STRING, offsetof(struct pools_conf, state_file), 0, 0 },
	{ "log_level", CONF_STRING, offsetof(struct pools_conf, log_level), 0, 0 },
	{ "syslog", CONF_BOOL, offsetof(struct pools_conf, syslog), 0, 0 },
	{ "metrics_listen", CONF_STRLIST, offsetof(struct pools_conf, metrics_listen), 0, 0 },
	{ "user", CONF_STRING, offsetof(struct pools_conf, privs.user), 0, 0 },
	{ "group", CONF_STRING, offsetof(struct pools_conf, privs.group), 0, 0 },
	/* Read by health_conf_read() (common/health_conf.c); listed so they are known keys. */
	{ "publish", CONF_JSON, offsetof(struct pools_conf, scratch), 0, 0 },
	{ "sources", CONF_JSON, offsetof(struct pools_conf, scratch), 0, 0 },
	{ "silent_after", CONF_JSON, offsetof(struct pools_conf, scratch), 0, 0 },
};

static int read_healthd(const struct conf_file *cf, struct pools_conf *pc, struct errlist *errs)
{
	json_t *sec = json_object_get(cf->root, "healthd");
	int nerr = 0;

	pc->socket = strdup("/run/steerdns/healthd.sock");
	pc->state_file = strdup("/var/lib/steerdns/healthd.state");
	pc->log_level = strdup("info");
	if (!pc->socket || !pc->state_file || !pc->log_level) {
		errlist_add(errs, "%s: out of memory", cf->path);
		return 1;
	}
	if (sec)
		nerr += conf_read_fields(cf, sec, (conf_path_t){ "healthd", NULL }, healthd_fields,
					 CONF_NFIELDS(healthd_fields), pc, errs);
	nerr += privs_resolve(&pc->privs, cf, "healthd", errs);
	if (log_level_parse(pc->log_level) < 0) {
		conf_err(errs, cf, (conf_path_t){ "healthd", "log_level", NULL },
			 "unknown level \"%s\" (error, warning, notice, info, debug)", pc->log_level);
		nerr++;
	}
	for (size_t i = 0; i < pc->metrics_listen.n; i++) {
		const char *why;
		if (prom_addr_check(pc->metrics_listen.v[i], &why) != 0) {
			conf_err(errs, cf, (conf_path_t){ "healthd", "metrics_listen", NULL }, "\"%s\": %s",
				 pc->metrics_listen.v[i], why);
			nerr++;
		}
	}
	if (conf_resolve_inplace(cf, &pc->socket) || conf_resolve_inplace(cf, &pc->state_file)) {
		errlist_add(errs, "%s: out of memory", cf->path);
		return nerr + 1;
	}
	pc->scratch = NULL;
	return nerr + health_conf_read(cf, sec, pc->socket, &pc->publish, &pc->sources, errs);
}

/* ---- checks section ---- */

/* Raw values as read from one check object, before per-type validation. */
struct check_raw {
	char *type;
	long long port, fall, rise, quorum;
	uint32_t interval_ms, timeout_ms, fastinter_ms, downinter_ms;
	char *path, *host, *body, *ca_file, *send, *expect, *query, *qtype, *transport, *rcode;
	json_t *status; /* borrowed */
	json_t *expect_header; /* borrowed */
	int verify, require_answer;
	struct conf_strlist command;
};

#define T_HTTP ((1u << CHECK_HTTP) | (1u << CHECK_HTTPS))
#define T_ALL ((1u << CHECK_NTYPES) - 1)
#define RAW(f) offsetof(struct check_raw, f)

/* One table for every check key; "types" says which check types accept it,
 * so a key given to the wrong type is reported instead of ignored. */
static const struct {
	struct conf_field f;
	unsigned types;
} check_fields[] = {
	{ { "type", CONF_STRING, RAW(type), 0, 0 }, T_ALL },
	{ { "port", CONF_INT, RAW(port), 1, 65535 }, T_ALL },
	{ { "interval", CONF_MSEC, RAW(interval_ms), 10, 86400000 }, T_ALL },
	{ { "timeout", CONF_MSEC, RAW(timeout_ms), 10, 3600000 }, T_ALL },
	{ { "fall", CONF_INT, RAW(fall), 1, 1000 }, T_ALL },
	{ { "rise", CONF_INT, RAW(rise), 1, 1000 }, T_ALL },
	{ { "fastinter", CONF_MSEC, RAW(fastinter_ms), 10, 86400000 }, T_ALL },
	{ { "downinter", CONF_MSEC, RAW(downinter_ms), 10, 86400000 }, T_ALL },
	{ { "quorum", CONF_INT, RAW(quorum), 1, HEALTH_MAX_SOURCES }, T_ALL },
	{ { "path", CONF_STRING, RAW(path), 0, 0 }, T_HTTP },
	{ { "host", CONF_STRING, RAW(host), 0, 0 }, T_HTTP },
	{ { "status", CONF_JSON, RAW(status), 0, 0 }, T_HTTP },
	{ { "body", CONF_STRING, RAW(body), 0, 0 }, T_HTTP },
	{ { "expect_header", CONF_JSON, RAW(expect_header), 0, 0 }, T_HTTP },
	{ { "verify", CONF_BOOL, RAW(verify), 0, 0 }, 1u << CHECK_HTTPS },
	{ { "ca_file", CONF_STRING, RAW(ca_file), 0, 0 }, 1u << CHECK_HTTPS },
	{ { "send", CONF_STRING, RAW(send), 0, 0 }, 1u << CHECK_TCP },
	{ { "expect", CONF_STRING, RAW(expect), 0, 0 }, 1u << CHECK_TCP },
	{ { "query", CONF_STRING, RAW(query), 0, 0 }, 1u << CHECK_DNS },
	{ { "qtype", CONF_STRING, RAW(qtype), 0, 0 }, 1u << CHECK_DNS },
	{ { "transport", CONF_STRING, RAW(transport), 0, 0 }, 1u << CHECK_DNS },
	{ { "rcode", CONF_STRING, RAW(rcode), 0, 0 }, 1u << CHECK_DNS },
	{ { "require_answer", CONF_BOOL, RAW(require_answer), 0, 0 }, 1u << CHECK_DNS },
	{ { "command", CONF_STRLIST, RAW(command), 0, 0 }, 1u << CHECK_EXEC },
};
#define NCHECK_FIELDS (sizeof(check_fields) / sizeof(check_fields[0]))

static void check_raw_clear(struct check_raw *r)
{
	char **s[] = { &r->type, &r->path, &r->host, &r->body, &r->ca_file, &r->send, &r->expect,
		       &r->query, &r->qtype, &r->transport, &r->rcode };
	for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++) {
		free(*s[i]);
		*s[i] = NULL;
	}
	conf_strlist_clear(&r->command);
}

static int parse_status_item(json_t *v, struct status_range *r)
{
	if (json_is_integer(v)) {
		r->lo = r->hi = (int)json_integer_value(v);
	} else if (json_is_string(v)) {
		const char *s = json_string_value(v);
		char *end;
		r->lo = (int)strtol(s, &end, 10);
		r->hi = r->lo;
		if (*end == '-')
			r->hi = (int)strtol(end + 1, &end, 10);
		if (*end != '\0' || end == s)
			return -1;
	} else {
		return -1;
	}
	return r->lo >= 100 && r->hi <= 599 && r->lo <= r->hi ? 0 : -1;
}

static int parse_status(json_t *v, struct check_conf *c)
{
	size_t n = json_is_array(v) ? json_array_size(v) : 1;

	if (n == 0 || !(c->status = calloc(n, sizeof(*c->status))))
		return -1;
	c->nstatus = n;
	for (size_t i = 0; i < n; i++)
		if (parse_status_item(json_is_array(v) ? json_array_get(v, i) : v, &c->status[i]) != 0)
			return -1;
	return 0;
}

/* "expect_header": {"name": N, "value": V} or {"name": N, "regex": R}. */
static int parse_expect_header(const struct conf_file *cf, const char *const *path, json_t *v, struct check_conf *c,
			       struct errlist *errs)
{
	static const struct conf_field fields[] = {
		{ "name", CONF_STRING, offsetof(struct check_conf, hdr_name), 0, 0 },
		{ "value", CONF_STRING, offsetof(struct check_conf, hdr_value), 0, 0 },
		{ "regex", CONF_JSON, offsetof(struct check_conf, hdr_re), 0, 0 },
	};
	const char *re = json_string_value(json_object_get(v, "regex"));
	char why[160];
	int rc;

	if (!json_is_object(v) || conf_read_fields(cf, v, path, fields, CONF_NFIELDS(fields), c, errs) != 0) {
		c->hdr_re = NULL;
		if (!json_is_object(v))
			conf_err(errs, cf, path, "expected {\"name\": HEADER, \"value\": TEXT} or {\"name\": HEADER, \"regex\": RE}");
		return 1;
	}
	c->hdr_re = NULL; /* the table put the borrowed JSON there; the compiled regex goes there below */
	if (!c->hdr_name || !c->hdr_name[0] || strpbrk(c->hdr_name, ": \t") ||
	    !!c->hdr_value == !!json_object_get(v, "regex") || (json_object_get(v, "regex") && !re)) {
		conf_err(errs, cf, path, "needs a \"name\" (a header name) and one of \"value\" or \"regex\" (a string)");
		return 1;
	}
	if (!re)
		return 0;
	if (!(c->hdr_re = malloc(sizeof(regex_t))))
		return 1;
	if ((rc = regcomp(c->hdr_re, re, REG_EXTENDED | REG_NOSUB)) != 0) {
		regerror(rc, c->hdr_re, why, sizeof(why));
		free(c->hdr_re);
		c->hdr_re = NULL;
		conf_err(errs, cf, path, "regex \"%s\": %s", re, why);
		return 1;
	}
	return 0;
}

/* Type-specific validation and conversion of raw into c. Returns errors added. */
static int check_finish(const struct conf_file *cf, const char *const *path, struct check_raw *r,
			struct check_conf *c, struct errlist *errs)
{
	static const int default_port[CHECK_NTYPES] = { 80, 443, 0, 53, 0 };
	int nerr = 0;

	c->port = r->port ? (int)r->port : default_port[c->type];
	c->interval_ms = r->interval_ms;
	c->timeout_ms = r->timeout_ms;
	c->fall = (int)r->fall;
	c->rise = (int)r->rise;
	c->fastinter_ms = r->fastinter_ms ? r->fastinter_ms : r->interval_ms;
	c->downinter_ms = r->downinter_ms ? r->downinter_ms : r->interval_ms;
	c->quorum = (int)r->quorum;
	c->verify = r->verify;
	c->require_answer = r->require_answer;
	/* Hand the strings over. */
	c->path = r->path ? r->path : strdup("/");
	c->host = r->host;
	c->body = r->body;
	c->send = r->send;
	c->expect = r->expect;
	c->query = r->query ? r->query : strdup(".");
	r->path = r->host = r->body = r->send = r->expect = r->query = NULL;
	if (r->ca_file) {
		c->ca_file = conf_resolve_path(cf, r->ca_file);
	}
	if (r->expect_header)
		nerr += parse_expect_header(cf, (conf_path_t){ path[0], path[1], "expect_header", NULL }, r->expect_header,
					    c, errs);
	if (c->type == CHECK_TCP && c->port == 0) {
		conf_err(errs, cf, path, "a tcp check needs a \"port\"");
		nerr++;
	}
	if (r->status ? parse_status(r->status, c) != 0 : !(c->status = calloc(1, sizeof(*c->status)))) {
		conf_err(errs, cf, path, "\"status\": expected a code, a \"lo-hi\" range or a list of them (100-599)");
		nerr++;
	} else if (!r->status) {
		c->status[0] = (struct status_range){ 200, 399 };
		c->nstatus = 1;
	}
	c->qtype = LDNS_RR_TYPE_SOA;
	if (r->qtype && !(c->qtype = (uint16_t)ldns_get_rr_type_by_name(r->qtype))) {
		char buf[16], hint[96];
		struct suggest sg;
		suggest_init(&sg, r->qtype);
		for (unsigned t = 1; t <= 0xffff; t++) { /* the named types (static strings), not TYPEnnn */
			const char *nm = dns_type_name((uint16_t)t, buf, sizeof(buf));
			if (nm != buf)
				suggest_add(&sg, nm);
		}
		conf_err(errs, cf, path, "unknown qtype \"%s\"%s", r->qtype, suggest_hint(&sg, hint, sizeof(hint)));
		nerr++;
	}
	if (r->transport && strcasecmp(r->transport, "udp") != 0 && strcasecmp(r->transport, "tcp") != 0) {
		conf_err(errs, cf, path, "\"transport\" must be \"udp\" or \"tcp\"");
		nerr++;
	}
	c->dns_tcp = r->transport && strcasecmp(r->transport, "tcp") == 0;
	c->rcode = 0;
	if (r->rcode) {
		/* A DNS check reads the header's 4-bit rcode: extended rcodes
		 * (BADVERS and up) cannot be expected. */
		int rc = dns_rcode_parse(r->rcode);
		if (rc < 0 || rc > 15) {
			char buf[16], hint[96];
			struct suggest sg;
			suggest_init(&sg, r->rcode);
			for (unsigned k = 0; k < 16; k++) { /* the named ones (static strings), not RCODEn */
				const char *nm = dns_rcode_name(k, buf, sizeof(buf));
				if (nm != buf)
					suggest_add(&sg, nm);
			}
			conf_err(errs, cf, path, "unknown rcode \"%s\"%s", r->rcode,
				 suggest_best(&sg) ? suggest_hint(&sg, hint, sizeof(hint)) : " (NOERROR, NXDOMAIN, REFUSED, ...)");
			nerr++;
			rc = 0;
		}
		c->rcode = rc;
	}
	if (c->type == CHECK_EXEC && r->command.n == 0) {
		conf_err(errs, cf, path, "an exec check needs a \"command\"");
		nerr++;
	}
	c->argv = r->command.v;
	c->argc = r->command.n;
	r->command.v = NULL;
	r->command.n = 0;
	if (!c->path || !c->query || (r->ca_file && !c->ca_file)) {
		conf_err(errs, cf, path, "out of memory");
		nerr++;
	}
	return nerr;
}

static int read_check(const struct conf_file *cf, const char *name, json_t *obj, struct check_conf *c,
		      struct errlist *errs)
{
	const char *path[] = { "checks", name, NULL };
	struct conf_field fields[NCHECK_FIELDS];
	struct check_raw r = { .interval_ms = 10000, .timeout_ms = 2000, .fall = 3, .rise = 2, .verify = 1 };
	const char *type = json_string_value(json_object_get(obj, "type"));
	size_t nf = 0;
	int t, nerr;

	c->name = strdup(name);
	if (!json_is_object(obj) || !type) {
		conf_err(errs, cf, path, "a check is an object with a \"type\" (http, https, tcp, dns, exec)");
		return 1;
	}
	for (t = 0; t < CHECK_NTYPES; t++)
		if (strcmp(type, type_names[t]) == 0)
			break;
	if (t == CHECK_NTYPES) {
		struct suggest sg;
		char hint[96];
		suggest_init(&sg, type);
		for (t = 0; t < CHECK_NTYPES; t++)
			suggest_add(&sg, type_names[t]);
		conf_err(errs, cf, (conf_path_t){ "checks", name, "type", NULL }, "unknown check type \"%s\"%s", type,
			 suggest_best(&sg) ? suggest_hint(&sg, hint, sizeof(hint)) : " (http, https, tcp, dns, exec)");
		return 1;
	}
	c->type = (enum check_type)t;
	for (size_t i = 0; i < NCHECK_FIELDS; i++)
		if (check_fields[i].types & (1u << t))
			fields[nf++] = check_fields[i].f;
	nerr = conf_read_fields(cf, obj, path, fields, nf, &r, errs);
	if (nerr == 0)
		nerr += check_finish(cf, path, &r, c, errs);
	check_raw_clear(&r);
	return nerr;
}

static int cmp_check(const void *a, const void *b)
{
	return strcmp(((const struct check_conf *)a)->name, ((const struct check_conf *)b)->name);
}

static int read_checks(const struct conf_file *cf, struct pools_conf *pc, struct errlist *errs)
{
	json_t *sec = json_object_get(cf->root, "checks"), *v;
	const char *key;
	int nerr = 0;

	if (!sec)
		return 0;
	if (!json_is_object(sec)) {
		conf_err(errs, cf, (conf_path_t){ "checks", NULL }, "expected an object of name: check");
		return 1;
	}
	pc->checks = calloc(json_object_size(sec) + 1, sizeof(*pc->checks));
	if (!pc->checks) {
		errlist_add(errs, "%s: out of memory", cf->path);
		return 1;
	}
	json_object_foreach(sec, key, v) {
		if (strchr(key, '@') || !key[0]) {
			conf_err(errs, cf, (conf_path_t){ "checks", key, NULL }, "a check name must be non-empty and contain no '@'");
			nerr++;
			continue;
		}
		nerr += read_check(cf, key, v, &pc->checks[pc->nchecks++], errs);
	}
	qsort(pc->checks, pc->nchecks, sizeof(*pc->checks), cmp_check);
	return nerr;
}

/* ---- pools section and targets ---- */

int pools_addr_parse(const char *text, struct pools_addr *out)
{
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, text, out->bytes) == 1)
		out->family = AF_INET;
	else if (inet_pton(AF_INET6, text, out->bytes) == 1)
		out->family = AF_INET6;
	else
		return STEER_EINVAL;
	inet_ntop(out->family, out->bytes, out->text, sizeof(out->text));
	return 0;
}

int pools_addr_equal(const struct pools_addr *a, const struct pools_addr *b)
{
	return a->family == b->family && memcmp(a->bytes, b->bytes, a->family == AF_INET ? 4 : 16) == 0;
}

/* Targets by (check, address) while make_targets runs: open addressing,
 * slots hold index + 1 (0 = empty). Without it, interning is quadratic:
 * minutes for 100,000 members. */
struct target_index {
	size_t *slot; /* owned, cap entries */
	size_t cap;   /* a power of two, at least twice the members */
};

static size_t target_hash(size_t check, const struct pools_addr *addr)
{
	uint64_t h = 1469598103934665603ull ^ check;
	size_t n = addr->family == AF_INET ? 4 : 16;

	for (size_t i = 0; i < n; i++)
		h = (h ^ addr->bytes[i]) * 1099511628211ull;
	return (size_t)(h ^ (h >> 31));
}

/* Index of the target (check, addr), adding it if new; POOLS_NO_TARGET on ENOMEM. */
static size_t target_intern(struct pools_conf *pc, struct target_index *ix, size_t check,
			    const struct pools_addr *addr, size_t cap)
{
	struct health_target_conf *t;
	size_t k = target_hash(check, addr) & (ix->cap - 1);

	for (; ix->slot[k]; k = (k + 1) & (ix->cap - 1)) {
		t = &pc->targets[ix->slot[k] - 1];
		if (t->check == check && pools_addr_equal(&t->addr, addr))
			return ix->slot[k] - 1;
	}
	if (pc->ntargets >= cap)
		return POOLS_NO_TARGET;
	t = &pc->targets[pc->ntargets];
	if (asprintf(&t->name, "%s@%s", pc->checks[check].name, addr->text) < 0)
		return POOLS_NO_TARGET;
	t->check = check;
	t->addr = *addr;
	ix->slot[k] = pc->ntargets + 1;
	return pc->ntargets++;
}

static int read_pool(const struct conf_file *cf, struct pools_conf *pc, const char *name, json_t *obj,
		     struct pool_conf *p, struct errlist *errs)
{
	const char *path[] = { "pools", name, NULL };
	struct { char *check; struct conf_strlist members; json_t *location; uint32_t slowstart_ms; } raw = { 0 };
	static const struct conf_field fields[] = {
		{ "check", CONF_STRING, 0, 0, 0 },
		{ "members", CONF_STRLIST, offsetof(typeof(raw), members), 0, 0 },
		{ "location", CONF_JSON, offsetof(typeof(raw), location), 0, 0 },
		{ "slowstart", CONF_MSEC, offsetof(typeof(raw), slowstart_ms), 0, 86400000 },
	};
	int nerr = conf_read_fields(cf, obj, path, fields, CONF_NFIELDS(fields), &raw, errs);
	json_t *lat = json_array_get(raw.location, 0), *lon = json_array_get(raw.location, 1);

	p->name = strdup(name);
	p->check = POOLS_NO_TARGET;
	p->slowstart_ms = raw.slowstart_ms;
	if (nerr == 0 && raw.check && (p->check = pools_find_check(pc, raw.check)) == POOLS_NO_TARGET) {
		struct suggest sg;
		char hint[96];
		suggest_init(&sg, raw.check);
		for (size_t i = 0; i < pc->nchecks; i++)
			suggest_add(&sg, pc->checks[i].name);
		conf_err(errs, cf, (conf_path_t){ "pools", name, "check", NULL }, "no check named \"%s\"%s", raw.check,
			 suggest_hint(&sg, hint, sizeof(hint)));
		nerr++;
	}
	if (raw.location && (json_array_size(raw.location) != 2 || !json_is_number(lat) || !json_is_number(lon) ||
			     fabs(json_number_value(lat)) > 90 || fabs(json_number_value(lon)) > 180)) {
		conf_err(errs, cf, (conf_path_t){ "pools", name, "location", NULL },
			 "expected [latitude, longitude] in degrees (-90..90, -180..180)");
		nerr++;
	} else if (raw.location) {
		p->has_location = 1;
		p->latitude = json_number_value(lat);
		p->longitude = json_number_value(lon);
	}
	if (nerr == 0 && raw.members.n == 0) {
		conf_err(errs, cf, path, "a pool needs \"members\" (a list of addresses)");
		nerr++;
	}
	p->members = calloc(raw.members.n + 1, sizeof(*p->members));
	for (size_t i = 0; nerr == 0 && p->members && i < raw.members.n; i++) {
		struct pool_member *m = &p->members[p->nmembers++];
		m->address = raw.members.v[i];
		raw.members.v[i] = NULL;
		m->target = POOLS_NO_TARGET;
		if (pools_addr_parse(m->address, &m->addr) != 0) {
			json_t *list = json_object_get(obj, "members");
			conf_err_at(errs, cf, json_is_array(list) ? conf_line_elem(cf, list, i) : conf_line_at(cf, obj, "members"),
				    (conf_path_t){ "pools", name, "members", NULL }, "\"%s\" is not an IPv4 or IPv6 address",
				    m->address);
			nerr++;
		}
	}
	free(raw.check);
	conf_strlist_clear(&raw.members);
	return nerr;
}

static int cmp_pool(const void *a, const void *b)
{
	return strcmp(((const struct pool_conf *)a)->name, ((const struct pool_conf *)b)->name);
}

static int cmp_target_name(const void *a, const void *b, void *arg)
{
	const struct pools_conf *pc = arg;
	return strcmp(pc->targets[*(const size_t *)a].name, pc->targets[*(const size_t *)b].name);
}

static int make_targets(const struct conf_file *cf, struct pools_conf *pc, struct errlist *errs)
{
	struct target_index ix = { NULL, 16 };
	size_t cap = 0;

	for (size_t i = 0; i < pc->npools; i++)
		cap += pc->pools[i].nmembers;
	while (ix.cap < 2 * cap)
		ix.cap *= 2;
	pc->targets = calloc(cap + 1, sizeof(*pc->targets));
	ix.slot = calloc(ix.cap, sizeof(*ix.slot));
	if (!pc->targets || !ix.slot)
		goto nomem;
	for (size_t i = 0; i < pc->npools; i++) {
		struct pool_conf *p = &pc->pools[i];
		if (p->check == POOLS_NO_TARGET)
			continue;
		for (size_t j = 0; j < p->nmembers; j++)
			if ((p->members[j].target = target_intern(pc, &ix, p->check, &p->members[j].addr, cap)) ==
			    POOLS_NO_TARGET)
				goto nomem;
	}
	free(ix.slot);
	/* By name, for pools_find_target (health updates name their target). */
	if (!(pc->by_name = calloc(pc->ntargets + 1, sizeof(*pc->by_name))))
		goto nomem;
	for (size_t i = 0; i < pc->ntargets; i++)
		pc->by_name[i] = i;
	qsort_r(pc->by_name, pc->ntargets, sizeof(*pc->by_name), cmp_target_name, pc);
	return 0;
nomem:
	free(ix.slot);
	errlist_add(errs, "%s: out of memory", cf->path);
	return 1;
}

static int read_pools(const struct conf_file *cf, struct pools_conf *pc, struct errlist *errs)
{
	json_t *sec = json_object_get(cf->root, "pools"), *v;
	const char *key;
	int nerr = 0;

	if (!sec)
		return 0;
	if (!json_is_object(sec)) {
		conf_err(errs, cf, (conf_path_t){ "pools", NULL }, "expected an object of name: pool");
		return 1;
	}
	pc->pools = calloc(json_object_size(sec) + 1, sizeof(*pc->pools));
	if (!pc->pools) {
		errlist_add(errs, "%s: out of memory", cf->path);
		return 1;
	}
	json_object_foreach(sec, key, v)
		nerr += read_pool(cf, pc, key, v, &pc->pools[pc->npools++], errs);
	qsort(pc->pools, pc->npools, sizeof(*pc->pools), cmp_pool);
	return nerr ? nerr : make_targets(cf, pc, errs);
}

int pools_conf_load(const struct conf_file *cf, struct pools_conf *out, struct errlist *errs)
{
	int nerr, check_errs;

	memset(out, 0, sizeof(*out));
	nerr = read_healthd(cf, out, errs);
	check_errs = read_checks(cf, out, errs);
	/* Pools name checks; with broken checks their errors would only be noise. */
	if (check_errs == 0)
		nerr += read_pools(cf, out, errs);
	return nerr + check_errs;
}

static void check_clear(struct check_conf *c)
{
	free(c->name);
	free(c->path);
	free(c->host);
	free(c->status);
	free(c->body);
	free(c->hdr_name);
	free(c->hdr_value);
	if (c->hdr_re)
		regfree(c->hdr_re);
	free(c->hdr_re);
	free(c->ca_file);
	free(c->send);
	free(c->expect);
	free(c->query);
	for (size_t i = 0; i < c->argc; i++)
		free(c->argv[i]);
	free(c->argv);
}

void pools_conf_clear(struct pools_conf *pc)
{
	for (size_t i = 0; i < pc->nchecks; i++)
		check_clear(&pc->checks[i]);
	for (size_t i = 0; i < pc->npools; i++) {
		for (size_t j = 0; j < pc->pools[i].nmembers; j++)
			free(pc->pools[i].members[j].address);
		free(pc->pools[i].members);
		free(pc->pools[i].name);
	}
	for (size_t i = 0; i < pc->ntargets; i++)
		free(pc->targets[i].name);
	free(pc->checks);
	free(pc->pools);
	free(pc->targets);
	free(pc->by_name);
	free(pc->socket);
	free(pc->state_file);
	free(pc->log_level);
	conf_strlist_clear(&pc->metrics_listen);
	privs_clear(&pc->privs);
	health_conf_clear(&pc->publish, &pc->sources);
	memset(pc, 0, sizeof(*pc));
}

int pools_conf_check_dirs(const struct conf_file *cf, const struct pools_conf *pc, struct errlist *errs)
{
	return privs_check_dir(&pc->privs, cf, (conf_path_t){ "healthd", "socket", NULL }, pc->socket, errs) +
	       privs_check_dir(&pc->privs, cf, (conf_path_t){ "healthd", "state_file", NULL }, pc->state_file, errs);
}

size_t pools_find_check(const struct pools_conf *pc, const char *name)
{
	for (size_t i = 0; i < pc->nchecks; i++)
		if (pc->checks[i].name && strcmp(pc->checks[i].name, name) == 0)
			return i;
	return POOLS_NO_TARGET;
}

size_t pools_find_pool(const struct pools_conf *pc, const char *name)
{
	for (size_t i = 0; i < pc->npools; i++)
		if (pc->pools[i].name && strcmp(pc->pools[i].name, name) == 0)
			return i;
	return POOLS_NO_TARGET;
}

size_t pools_find_target(const struct pools_conf *pc, const char *name)
{
	size_t lo = 0, hi = pc->by_name ? pc->ntargets : 0;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(pc->targets[pc->by_name[mid]].name, name);
		if (c == 0)
			return pc->by_name[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return POOLS_NO_TARGET;
}

size_t pools_member_target(const struct pools_conf *pc, size_t pool, size_t member)
{
	if (pool >= pc->npools || member >= pc->pools[pool].nmembers)
		return POOLS_NO_TARGET;
	return pc->pools[pool].members[member].target;
}
