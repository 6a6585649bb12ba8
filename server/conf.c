/* conf.c -- read the "server", "zones" and "metrics" sections of the config. */
#include "config.h"
#include "server/conf.h"
#include "server/dnssec/sigcache.h"
#include "server/dnssec/zonesign.h"
#include "server/net/proxy.h"
#include "server/net/tcp.h"
#include "common/errlist.h"
#include "common/log.h"
#include "common/prom.h"
#include "common/suggest.h"
#include "server/xfr/serial.h"
#include "server/xfr/xfr_conf.h"

#include <strings.h>
#include <sys/un.h>

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <net/if.h>
#include <string.h>
#include <unistd.h>

/* Top-level sections: each is read by its owner; unknown ones are typos. */
static const char *const known_sections[] = {
	"server", "zones", "healthd", "geoip", "checks", "pools", "records", "metrics", "comment",
	"dnstap", "journal", "tsig",
	"rrl", "cookies", /* server/limit/limit_conf.c */
};

static const struct conf_field server_fields[] = {
	{ "listen", CONF_STRLIST, offsetof(struct server_conf, listen), 0, 0 },
	{ "workers", CONF_INT, offsetof(struct server_conf, workers), 0, 256 },
	{ "control_socket", CONF_STRING, offsetof(struct server_conf, control_socket), 0, 0 },
	{ "udp_payload", CONF_INT, offsetof(struct server_conf, udp_payload), 512, 4096 },
	{ "tcp_max_connections", CONF_INT, offsetof(struct server_conf, tcp_max_connections), 1, 1000000 },
	/* About 900 bytes an entry: 16 (15 KiB) to 1M (about 880 MiB). */
	{ "sigcache_entries", CONF_INT, offsetof(struct server_conf, sigcache_entries), 16, 1048576 },
	{ "tcp_idle_timeout", CONF_MSEC, offsetof(struct server_conf, tcp_idle_ms), 100, 3600000 },
	{ "proxy_from", CONF_STRLIST, offsetof(struct server_conf, proxy_from), 0, 0 },
	{ "tcp_query_timeout", CONF_MSEC, offsetof(struct server_conf, tcp_query_ms), 100, 600000 },
	{ "tcp_per_client", CONF_INT, offsetof(struct server_conf, tcp_per_client), 0, 1000000 },
	{ "tcp_client_prefix4", CONF_INT, offsetof(struct server_conf, tcp_prefix4), 8, 32 },
	{ "tcp_client_prefix6", CONF_INT, offsetof(struct server_conf, tcp_prefix6), 16, 128 },
	{ "chaos", CONF_BOOL, offsetof(struct server_conf, chaos), 0, 0 },
	{ "identity", CONF_STRING, offsetof(struct server_conf, identity), 0, 0 },
	{ "version", CONF_STRING, offsetof(struct server_conf, version), 0, 0 },
	{ "log_level", CONF_STRING, offsetof(struct server_conf, log_level), 0, 0 },
	{ "syslog", CONF_BOOL, offsetof(struct server_conf, syslog), 0, 0 },
	{ "user", CONF_STRING, offsetof(struct server_conf, privs.user), 0, 0 },
	{ "group", CONF_STRING, offsetof(struct server_conf, privs.group), 0, 0 },
	{ "xdp", CONF_JSON, offsetof(struct server_conf, xdp_json), 0, 0 },
	{ "state_dir", CONF_STRING, offsetof(struct server_conf, state_dir), 0, 0 },
	{ "nsid", CONF_STRING, offsetof(struct server_conf, nsid), 0, 0 },
	{ "udp_io", CONF_STRING, offsetof(struct server_conf, udp_io), 0, 0 },
};

struct zone_fields {
	char *name, *file;
	json_t *dnssec; /* borrowed; read by server/dnssec/dnssec_conf.c */
	int catalog;
	json_t *xfr; /* the transfer keys, read by server/xfr/xfr_conf.c */
};
static const struct conf_field zone_fields[] = {
	{ "name", CONF_STRING, offsetof(struct zone_fields, name), 0, 0 },
	{ "file", CONF_STRING, offsetof(struct zone_fields, file), 0, 0 },
	{ "dnssec", CONF_JSON, offsetof(struct zone_fields, dnssec), 0, 0 },
	{ "catalog", CONF_BOOL, offsetof(struct zone_fields, catalog), 0, 0 },
	{ "allow_transfer", CONF_JSON, offsetof(struct zone_fields, xfr), 0, 0 },
	{ "notify", CONF_JSON, offsetof(struct zone_fields, xfr), 0, 0 },
	{ "serial", CONF_JSON, offsetof(struct zone_fields, xfr), 0, 0 },
};

/* ---- metrics section ---- */

static const struct conf_field metrics_fields[] = {
	{ "listen", CONF_STRLIST, offsetof(struct server_conf, metrics_listen), 0, 0 },
};

static int read_metrics(struct server_conf *c, json_t *sec, struct errlist *errs)
{
	conf_path_t path = { "metrics", "listen", NULL };
	int nerr = conf_read_fields(&c->cf, sec, (conf_path_t){ "metrics", NULL }, metrics_fields,
				    CONF_NFIELDS(metrics_fields), c, errs);

	for (size_t i = 0; i < c->metrics_listen.n; i++) {
		const char *why;
		if (prom_addr_check(c->metrics_listen.v[i], &why) != 0) {
			conf_err(errs, &c->cf, path, "\"%s\": %s", c->metrics_listen.v[i], why);
			nerr++;
		}
	}
	return nerr;
}

void server_conf_tcp_limits(const struct server_conf *c, struct tcp_limits *out)
{
	out->max_conns = c->tcp_max_connections;
	out->idle_ms = c->tcp_idle_ms;
	out->query_ms = c->tcp_query_ms;
	out->per_client = (unsigned)c->tcp_per_client;
	out->prefix4 = (unsigned)c->tcp_prefix4;
	out->prefix6 = (unsigned)c->tcp_prefix6;
}

static int set_defaults(struct server_conf *c)
{
	char host[256] = "localhost";
	static const char *listen_default[] = { "127.0.0.1:53", "[::1]:53" };

	gethostname(host, sizeof(host) - 1);
	c->udp_payload = 1232;
	c->tcp_max_connections = 1024;
	c->sigcache_entries = SIGCACHE_DEFAULT_ENTRIES;
	c->tcp_idle_ms = 10000;
	c->tcp_query_ms = 3000;
	c->tcp_per_client = 64;
	c->tcp_prefix4 = 32;
	c->tcp_prefix6 = 56;
	c->identity = strdup(host);
	c->version = strdup("steerdns " STEER_VERSION);
	c->log_level = strdup("info");
	c->listen.v = calloc(3, sizeof(char *));
	if (!c->identity || !c->version || !c->log_level || !c->listen.v)
		return -1;
	for (size_t i = 0; i < 2; i++)
		if (!(c->listen.v[c->listen.n++] = strdup(listen_default[i])))
			return -1;
	return 0;
}

static int read_zones(struct server_conf *c, json_t *zones, struct errlist *errs)
{
	const struct conf_file *cf = &c->cf;
	int nerr = 0;

	if (!json_is_array(zones)) {
		conf_err(errs, cf, (conf_path_t){ "zones", NULL }, "expected a list of {\"name\", \"file\"} objects");
		return 1;
	}
	c->zones = calloc(json_array_size(zones) + 1, sizeof(*c->zones));
	if (!c->zones) {
		errlist_add(errs, "%s: out of memory", cf->path);
		return 1;
	}
	for (size_t i = 0; i < json_array_size(zones); i++) {
		json_t *z = json_array_get(zones, i);
		struct zone_fields zf = { 0 };
		const char *nm = json_is_object(z) ? json_string_value(json_object_get(z, "name")) : NULL;
		const char *path[] = { "zones", nm ? nm : "", NULL };
		int e;
		if (!json_is_object(z)) {
			conf_err_at(errs, cf, conf_line_elem(cf, zones, i), (conf_path_t){ "zones", NULL },
				    "expected a {\"name\", \"file\"} object");
			nerr++;
			continue;
		}
		e = conf_read_fields(cf, z, path, zone_fields, CONF_NFIELDS(zone_fields), &zf, errs);
		if (!e && (!zf.name || (!zf.file && !zf.catalog))) {
			conf_err_at(errs, cf, conf_line_elem(cf, zones, i), path, "a zone needs \"name\" and \"file\"");
			e = 1;
		}
		if (!e && zf.file && zf.catalog) {
			/* A catalog's file is generated (server/xfr/catalog.h). */
			conf_err_at(errs, cf, conf_line_at(cf, z, "file"), path,
				    "a catalog zone (\"catalog\": true) has no \"file\": steerdns writes it");
			e = 1;
		}
		for (size_t j = 0; !e && j < i; j++) {
			json_t *first = json_array_get(zones, j);
			const char *fn = json_string_value(json_object_get(first, "name"));
			if (fn && strcasecmp(fn, zf.name) == 0) {
				conf_err_at(errs, cf, conf_line_at(cf, z, "name"), NULL,
					    "zone \"%s\" is listed twice (first at line %d)", zf.name,
					    conf_line_at(cf, first, "name"));
				e = 1;
			}
		}
		struct dnssec_zoneconf *dc = NULL;
		if (!e && zf.dnssec) {
			const char *dpath[] = { "zones", zf.name, "dnssec", NULL };
			e = dnssec_zoneconf_read(cf, zf.dnssec, dpath, &dc, errs);
		}
		if (e) {
			free(zf.name);
			free(zf.file);
			nerr += e;
			continue;
		}
		c->zones[c->nzones].post = dc ? dnssec_zone_sign : NULL;
		c->zones[c->nzones].post_arg = dc;
		c->zones[c->nzones].name = zf.name;
		c->zones[c->nzones].file = zf.file ? conf_resolve_path(cf, zf.file) : NULL;
		c->zones[c->nzones].catalog = zf.catalog;
		free(zf.file);
		c->nzones++;
	}
	return nerr;
}

/* ---- "dnstap" section (server/metrics/dnstap.h) ---- */

static const struct conf_field dnstap_fields[] = {
	{ "socket", CONF_STRING, offsetof(struct dnstap_conf, socket), 0, 0 },
	{ "file", CONF_STRING, offsetof(struct dnstap_conf, file), 0, 0 },
	{ "identity", CONF_STRING, offsetof(struct dnstap_conf, identity), 0, 0 },
	{ "version", CONF_STRING, offsetof(struct dnstap_conf, version), 0, 0 },
	{ "log_queries", CONF_BOOL, offsetof(struct dnstap_conf, log_queries), 0, 0 },
	{ "log_responses", CONF_BOOL, offsetof(struct dnstap_conf, log_responses), 0, 0 },
};

static int read_dnstap(struct server_conf *c, struct errlist *errs)
{
	struct dnstap_conf *d = &c->dnstap;
	json_t *obj = json_object_get(c->cf.root, "dnstap");
	int nerr;

	d->log_queries = d->log_responses = 1;
	if (!obj)
		return 0;
	nerr = conf_read_fields(&c->cf, obj, (conf_path_t){ "dnstap", NULL }, dnstap_fields,
				CONF_NFIELDS(dnstap_fields), d, errs);
	if (nerr)
		return nerr;
	if ((d->socket == NULL) == (d->file == NULL)) {
		conf_err(errs, &c->cf, (conf_path_t){ "dnstap", NULL },
			 "give exactly one of \"socket\" (a Frame Streams reader's Unix socket) and \"file\"");
		return 1;
	}
	if (!d->log_queries && !d->log_responses) {
		conf_err(errs, &c->cf, (conf_path_t){ "dnstap", NULL },
			 "log_queries and log_responses are both false: nothing to log (remove the section instead)");
		return 1;
	}
	if (conf_resolve_inplace(&c->cf, &d->socket) != 0 || conf_resolve_inplace(&c->cf, &d->file) != 0) {
		errlist_add(errs, "%s: out of memory", c->cf.path);
		return 1;
	}
	if (d->socket && strlen(d->socket) >= sizeof(((struct sockaddr_un *)NULL)->sun_path)) {
		conf_err(errs, &c->cf, (conf_path_t){ "dnstap", "socket", NULL },
			 "%s: longer than a Unix socket address allows (%zu bytes)", d->socket,
			 sizeof(((struct sockaddr_un *)NULL)->sun_path) - 1);
		return 1;
	}
	return 0;
}

static void dnstap_conf_clear(struct dnstap_conf *d)
{
	free(d->socket);
	free(d->file);
	free(d->identity);
	free(d->version);
}

/* ---- end of "dnstap" ---- */

/* ---- "server": {"xdp": {...}} (server/net/xdp.h) ---- */

static const struct conf_field xdp_fields[] = {
	{ "interface", CONF_STRING, offsetof(struct xdp_conf, interface), 0, 0 },
	{ "port", CONF_INT, offsetof(struct xdp_conf, port), 1, 65535 },
	{ "mode", CONF_STRING, offsetof(struct xdp_conf, mode), 0, 0 },
};

static int read_xdp(struct server_conf *c, struct errlist *errs)
{
	conf_path_t path = { "server", "xdp", NULL };
	struct xdp_conf *x = &c->xdp;
	int nerr;

	x->port = 53;
	if (!c->xdp_json)
		return 0;
	if (!json_is_object(c->xdp_json)) {
		conf_err(errs, &c->cf, path, "expected an object {\"interface\": NAME, \"port\": N, \"mode\": ...}");
		return 1;
	}
	nerr = conf_read_fields(&c->cf, c->xdp_json, path, xdp_fields, CONF_NFIELDS(xdp_fields), x, errs);
	if (!nerr && !x->interface) {
		conf_err(errs, &c->cf, path, "\"interface\" is required (the network interface to serve UDP on)");
		nerr++;
	}
	if (!nerr && x->mode && strcmp(x->mode, "auto") && strcmp(x->mode, "native") && strcmp(x->mode, "generic")) {
		conf_err(errs, &c->cf, (conf_path_t){ "server", "xdp", "mode", NULL },
			 "unknown mode \"%s\" (auto, native, generic)", x->mode);
		nerr++;
	}
	if (!nerr && x->interface && strlen(x->interface) >= IF_NAMESIZE) {
		conf_err(errs, &c->cf, (conf_path_t){ "server", "xdp", "interface", NULL },
			 "\"%s\": longer than an interface name can be (%d bytes)", x->interface, IF_NAMESIZE - 1);
		nerr++;
	}
	return nerr;
}

/* ---- end of "xdp" ---- */

static int read_nsid(struct server_conf *c, struct errlist *errs)
{
	const char *why;
	int n;

	if (!c->nsid)
		return 0;
	if ((n = limit_nsid_parse(c->nsid, c->nsid_bytes, &why)) < 0) {
		conf_err(errs, &c->cf, (conf_path_t){ "server", "nsid", NULL }, "\"%s\": %s", c->nsid, why);
		return 1;
	}
	c->nsid_len = (size_t)n;
	return 0;
}

int server_conf_load(const char *path, struct server_conf *c, struct errlist *errs)
{
	const char *key;
	json_t *v, *server;
	int nerr = 0;

	memset(c, 0, sizeof(*c));
	if (set_defaults(c) != 0) {
		errlist_add(errs, "%s: out of memory", path);
		return 1;
	}
	if (conf_file_load(path, &c->cf, errs) != 0)
		return 1;
	json_object_foreach(c->cf.root, key, v) {
		size_t i;
		for (i = 0; i < sizeof(known_sections) / sizeof(known_sections[0]); i++)
			if (strcmp(key, known_sections[i]) == 0)
				break;
		if (i == sizeof(known_sections) / sizeof(known_sections[0])) {
			struct suggest sg;
			char hint[96];
			suggest_init(&sg, key);
			for (i = 0; i < sizeof(known_sections) / sizeof(known_sections[0]); i++)
				suggest_add(&sg, known_sections[i]);
			conf_err_at(errs, &c->cf, conf_line_at(&c->cf, c->cf.root, key), NULL, "unknown section \"%s\"%s",
				    key, suggest_hint(&sg, hint, sizeof(hint)));
			nerr++;
		}
	}
	server = json_object_get(c->cf.root, "server");
	if (server)
		nerr += conf_read_fields(&c->cf, server, (conf_path_t){ "server", NULL }, server_fields,
					 CONF_NFIELDS(server_fields), c, errs);
	nerr += proxy_conf_check(&c->cf, &c->proxy_from, errs);
	nerr += privs_resolve(&c->privs, &c->cf, "server", errs);
	if (log_level_parse(c->log_level) < 0) {
		conf_err(errs, &c->cf, (conf_path_t){ "server", "log_level", NULL },
			 "unknown level \"%s\" (error, warning, notice, info, debug)", c->log_level);
		nerr++;
	}
	if (c->udp_io && strcmp(c->udp_io, "io_uring") != 0 && strcmp(c->udp_io, "recvmmsg") != 0) {
		conf_err(errs, &c->cf, (conf_path_t){ "server", "udp_io", NULL },
			 "unknown UDP I/O \"%s\" (io_uring, recvmmsg)", c->udp_io);
		nerr++;
	}
	if (c->control_socket) {
		char *p = conf_resolve_path(&c->cf, c->control_socket);
		free(c->control_socket);
		c->control_socket = p;
	}
	if (conf_resolve_inplace(&c->cf, &c->state_dir) != 0) {
		errlist_add(errs, "%s: out of memory", path);
		nerr++;
	}
	nerr += journal_conf_read(&c->cf, c->state_dir, &c->journal, errs);
	nerr += read_dnstap(c, errs);
	nerr += read_xdp(c, errs);
	nerr += read_nsid(c, errs);
	nerr += limit_conf_read(&c->cf, &c->limit, errs);
	if ((v = json_object_get(c->cf.root, "metrics")))
		nerr += read_metrics(c, v, errs);
	v = json_object_get(c->cf.root, "zones");
	if (!v) {
		conf_err(errs, &c->cf, NULL, "no \"zones\" section: nothing to serve");
		nerr++;
	} else {
		nerr += read_zones(c, v, errs);
	}
	nerr += xfr_conf_read(&c->cf, c->state_dir, &c->xfr, errs);
	for (size_t i = 0; c->xfr && i < c->nzones; i++) { /* the served serial, before signing */
		const struct xfr_zone *xz = xfr_conf_zone_named(c->xfr, c->zones[i].name);
		if (xz && xz->check_serial) {
			c->zones[i].pre = xfr_serial_pre;
			c->zones[i].pre_arg = (void *)xz;
		}
	}
	return nerr;
}

void server_conf_clear(struct server_conf *c)
{
	for (size_t i = 0; i < c->nzones; i++) {
		free(c->zones[i].name);
		free(c->zones[i].file);
		dnssec_zoneconf_free(c->zones[i].post_arg);
	}
	free(c->zones);
	conf_strlist_clear(&c->listen);
	conf_strlist_clear(&c->metrics_listen);
	conf_strlist_clear(&c->proxy_from);
	free(c->control_socket);
	free(c->identity);
	free(c->version);
	free(c->log_level);
	free(c->nsid);
	free(c->udp_io);
	dnstap_conf_clear(&c->dnstap);
	free(c->xdp.interface);
	free(c->xdp.mode);
	free(c->state_dir);
	journal_conf_clear(&c->journal);
	xfr_conf_unref(c->xfr);
	privs_clear(&c->privs);
	conf_file_clear(&c->cf);
	memset(c, 0, sizeof(*c));
}

int server_conf_check_dirs(const struct server_conf *c, struct errlist *errs)
{
	int nerr = 0;

	if (c->control_socket)
		nerr += privs_check_dir(&c->privs, &c->cf, (conf_path_t){ "server", "control_socket", NULL },
					c->control_socket, errs);
	/* The dnstap file is created (truncated) after the drop, as the user. */
	if (c->dnstap.file)
		nerr += privs_check_dir(&c->privs, &c->cf, (conf_path_t){ "dnstap", "file", NULL }, c->dnstap.file, errs);
	/* The journal directory is made inside state_dir, as the user. */
	if (c->journal.dir)
		nerr += privs_check_dir(&c->privs, &c->cf, (conf_path_t){ "server", "state_dir", NULL }, c->journal.dir,
					errs);
	return nerr;
}
