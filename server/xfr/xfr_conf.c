/* xfr_conf.c -- read "tsig" and the zones' allow_transfer, notify and serial keys. */
#include "config.h"
#include "server/xfr/xfr_conf.h"
#include "common/conf.h"
#include "common/errlist.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct {
	const char *name;
	enum xfr_serial v;
} serial_names[] = {
	{ "keep", XFR_SERIAL_KEEP },
	{ "increment", XFR_SERIAL_INCREMENT },
	{ "unixtime", XFR_SERIAL_UNIXTIME },
	{ "dateserial", XFR_SERIAL_DATESERIAL },
};

/* ---- "tsig" ---- */

struct key_fields {
	char *algorithm, *secret;
};
static const struct conf_field key_fields[] = {
	{ "algorithm", CONF_STRING, offsetof(struct key_fields, algorithm), 0, 0 },
	{ "secret", CONF_STRING, offsetof(struct key_fields, secret), 0, 0 },
};

static int read_key(const struct conf_file *cf, const char *name, json_t *obj, struct tsig_key *k, struct errlist *errs)
{
	const char *path[] = { "tsig", name, NULL };
	struct key_fields f = { 0 };
	const char *why = NULL;
	int nerr;

	if (!json_is_object(obj)) {
		conf_err(errs, cf, path, "expected {\"algorithm\": \"hmac-sha256\", \"secret\": \"base64\"}");
		return 1;
	}
	nerr = conf_read_fields(cf, obj, path, key_fields, CONF_NFIELDS(key_fields), &f, errs);
	if (!nerr && (!f.algorithm || !f.secret)) {
		conf_err(errs, cf, path, "a key needs \"algorithm\" and \"secret\"");
		nerr = 1;
	}
	if (!nerr && tsig_key_init(k, name, f.algorithm, f.secret, &why) != 0) {
		const char *at[] = { "tsig", name, strncmp(why, "secret", 6) == 0 ? "secret" : "algorithm", NULL };
		if (strstr(why, "domain name"))
			at[2] = NULL;
		conf_err(errs, cf, at, "%s", why);
		nerr = 1;
	}
	if (f.secret)
		memset(f.secret, 0, strlen(f.secret));
	free(f.algorithm);
	free(f.secret);
	return nerr;
}

static int read_keys(const struct conf_file *cf, struct xfr_conf *c, struct errlist *errs)
{
	json_t *sec = json_object_get(cf->root, "tsig"), *v;
	const char *name;
	int nerr = 0;

	if (!sec)
		return 0;
	if (!json_is_object(sec)) {
		conf_err(errs, cf, (conf_path_t){ "tsig", NULL }, "expected {\"KEY\": {\"algorithm\", \"secret\"}, ...}");
		return 1;
	}
	if (!(c->keys = calloc(json_object_size(sec) + 1, sizeof(*c->keys)))) {
		errlist_add(errs, "%s: out of memory", cf->path);
		return 1;
	}
	json_object_foreach(sec, name, v) {
		if (read_key(cf, name, v, &c->keys[c->nkeys], errs) == 0)
			c->nkeys++;
		else
			nerr++;
	}
	return nerr;
}

static int key_index(const struct xfr_conf *c, const char *name)
{
	for (size_t i = 0; i < c->nkeys; i++)
		if (strcasecmp(c->keys[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* ---- addresses ---- */

/* "192.0.2.0/24", "2001:db8::/32", "127.0.0.1" into e. Returns 0 or -1. */
static int parse_prefix(const char *s, struct xfr_acl *e)
{
	char buf[80];
	char *slash, *end;
	long plen;
	int max;

	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	if (inet_pton(AF_INET, buf, e->addr) == 1)
		e->family = AF_INET, max = 32;
	else if (inet_pton(AF_INET6, buf, e->addr) == 1)
		e->family = AF_INET6, max = 128;
	else
		return -1;
	plen = max;
	if (slash) {
		plen = strtol(slash + 1, &end, 10);
		if (!slash[1] || *end || plen < 0 || plen > max)
			return -1;
	}
	e->prefix = (uint8_t)plen;
	for (int b = (int)plen; b < max; b++) /* host bits zero, so matching is a compare */
		e->addr[b / 8] &= (uint8_t) ~(0x80 >> (b % 8));
	return 0;
}

/* "192.0.2.53", "192.0.2.53:5300", "2001:db8::53", "[2001:db8::53]:53". */
static int parse_target(const char *s, struct xfr_notify *n)
{
	char host[64];
	const char *port = NULL;
	long p = 53;
	char *end;

	if (strlen(s) >= sizeof(host))
		return -1;
	if (s[0] == '[') {
		const char *close = strchr(s, ']');
		if (!close || (close[1] && close[1] != ':') || (size_t)(close - s - 1) >= sizeof(host))
			return -1;
		memcpy(host, s + 1, (size_t)(close - s - 1));
		host[close - s - 1] = '\0';
		port = close[1] ? close + 2 : NULL;
	} else if (strchr(s, ':') && strchr(s, ':') == strrchr(s, ':')) {
		const char *colon = strchr(s, ':');
		memcpy(host, s, (size_t)(colon - s));
		host[colon - s] = '\0';
		port = colon + 1;
	} else {
		strcpy(host, s);
	}
	if (port) {
		p = strtol(port, &end, 10);
		if (!*port || *end || p < 1 || p > 65535)
			return -1;
	}
	memset(&n->ss, 0, sizeof(n->ss));
	struct sockaddr_in *a4 = (struct sockaddr_in *)&n->ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&n->ss;
	if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons((uint16_t)p);
		n->len = sizeof(*a4);
	} else if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)p);
		n->len = sizeof(*a6);
	} else {
		return -1;
	}
	snprintf(n->text, sizeof(n->text), "%s", s);
	return 0;
}

/* ---- per zone ---- */

/* An element of allow_transfer or notify: a string, or {"address", "key"}.
 * Sets *addr (NULL when absent) and *key (-1 when absent). */
static int read_elem(const struct conf_file *cf, const struct xfr_conf *c, json_t *arr, size_t i,
		     const char *const *path, int need_addr, const char **addr, int *key, struct errlist *errs)
{
	json_t *e = json_array_get(arr, i);
	const char *k;
	json_t *v;

	*addr = NULL;
	*key = -1;
	if (json_is_string(e)) {
		*addr = json_string_value(e);
		return 0;
	}
	if (!json_is_object(e))
		goto bad;
	json_object_foreach(e, k, v) {
		if (strcmp(k, "address") == 0 && json_is_string(v)) {
			*addr = json_string_value(v);
		} else if (strcmp(k, "key") == 0 && json_is_string(v)) {
			if ((*key = key_index(c, json_string_value(v))) < 0) {
				conf_err_at(errs, cf, conf_line_at(cf, e, "key"), path,
					    "unknown key \"%s\" (not in the \"tsig\" section)", json_string_value(v));
				return 1;
			}
		} else if (strcmp(k, "address") == 0 || strcmp(k, "key") == 0) {
			conf_err_at(errs, cf, conf_line_at(cf, e, k), path, "%s: expected a string", k);
			return 1;
		} else {
			static const char *const known[] = { "address", "key" };
			return conf_unknown_key(cf, e, path, k, known, 2, errs);
		}
	}
	if ((*addr || !need_addr) && (*addr || *key >= 0))
		return 0;
bad:
	conf_err_at(errs, cf, conf_line_elem(cf, arr, i), path,
		    need_addr ? "expected an address or {\"address\": ..., \"key\": ...}"
			      : "expected an address prefix, {\"key\": ...} or {\"address\": ..., \"key\": ...}");
	return 1;
}

static int read_acl(const struct conf_file *cf, const struct xfr_conf *c, json_t *arr, const char *const *path,
		    struct xfr_zone *z, struct errlist *errs)
{
	int nerr = 0;

	if (!json_is_array(arr)) {
		conf_err_at(errs, cf, conf_line_elem(cf, arr, 0), path,
			    "expected a list of address prefixes and {\"key\": ...} objects");
		return 1;
	}
	if (!(z->acl = calloc(json_array_size(arr) + 1, sizeof(*z->acl))))
		return 1;
	for (size_t i = 0; i < json_array_size(arr); i++) {
		struct xfr_acl *e = &z->acl[z->nacl];
		const char *addr;
		if (read_elem(cf, c, arr, i, path, 0, &addr, &e->key, errs)) {
			nerr++;
			continue;
		}
		if (addr && parse_prefix(addr, e) != 0) {
			conf_err_at(errs, cf, conf_line_elem(cf, arr, i), path,
				    "\"%s\": not an address or prefix (192.0.2.0/24, 2001:db8::/32)", addr);
			nerr++;
			continue;
		}
		z->nacl++;
	}
	return nerr;
}

static int read_notify(const struct conf_file *cf, const struct xfr_conf *c, json_t *arr, const char *const *path,
		       struct xfr_zone *z, struct errlist *errs)
{
	int nerr = 0;

	if (!json_is_array(arr)) {
		conf_err_at(errs, cf, conf_line_elem(cf, arr, 0), path,
			    "expected a list of addresses (\"192.0.2.53\", \"[2001:db8::53]:53\")");
		return 1;
	}
	if (!(z->notify = calloc(json_array_size(arr) + 1, sizeof(*z->notify))))
		return 1;
	for (size_t i = 0; i < json_array_size(arr); i++) {
		struct xfr_notify *n = &z->notify[z->nnotify];
		const char *addr;
		if (read_elem(cf, c, arr, i, path, 1, &addr, &n->key, errs)) {
			nerr++;
			continue;
		}
		if (parse_target(addr, n) != 0) {
			conf_err_at(errs, cf, conf_line_elem(cf, arr, i), path,
				    "\"%s\": not an address with an optional port (192.0.2.53, 192.0.2.53:5300, "
				    "[2001:db8::53]:53)", addr);
			nerr++;
			continue;
		}
		z->nnotify++;
	}
	return nerr;
}

static int read_serial(const struct conf_file *cf, json_t *zobj, const char *const *path, struct xfr_zone *z,
		       struct errlist *errs)
{
	const char *s = json_string_value(json_object_get(zobj, "serial"));

	for (size_t i = 0; s && i < sizeof(serial_names) / sizeof(serial_names[0]); i++) {
		if (strcmp(s, serial_names[i].name) == 0) {
			z->serial = serial_names[i].v;
			return 0;
		}
	}
	conf_err_at(errs, cf, conf_line_at(cf, zobj, "serial"), path,
		    "expected \"keep\", \"increment\", \"unixtime\" or \"dateserial\"");
	return 1;
}

static int read_zone(const struct conf_file *cf, const struct xfr_conf *c, json_t *zobj, struct xfr_zone *z,
		     struct errlist *errs)
{
	const char *nm = json_string_value(json_object_get(zobj, "name"));
	const char *pa[] = { "zones", nm, "allow_transfer", NULL }, *pn[] = { "zones", nm, "notify", NULL },
		   *ps[] = { "zones", nm, "serial", NULL };
	uint8_t len;
	json_t *v;
	int nerr = 0;

	if (!(z->name = strdup(nm)))
		return 1;
	if (tsig_name_to_wire(nm, z->apex, &len) == 0)
		z->apexlen = len;
	if ((v = json_object_get(zobj, "allow_transfer")))
		nerr += read_acl(cf, c, v, pa, z, errs);
	if ((v = json_object_get(zobj, "notify")))
		nerr += read_notify(cf, c, v, pn, z, errs);
	if (json_object_get(zobj, "serial"))
		nerr += read_serial(cf, zobj, ps, z, errs);
	return nerr;
}

int xfr_conf_read(const struct conf_file *cf, const char *state_dir, struct xfr_conf **out, struct errlist *errs)
{
	struct xfr_conf *c = calloc(1, sizeof(*c));
	json_t *zones = json_object_get(cf->root, "zones");
	int nerr;

	*out = NULL;
	if (!c) {
		errlist_add(errs, "%s: out of memory", cf->path);
		return 1;
	}
	atomic_init(&c->refs, 1);
	if (state_dir && !(c->state_dir = strdup(state_dir))) {
		xfr_conf_unref(c);
		errlist_add(errs, "%s: out of memory", cf->path);
		return 1;
	}
	nerr = read_keys(cf, c, errs);
	if (json_is_array(zones) && !(c->zones = calloc(json_array_size(zones) + 1, sizeof(*c->zones)))) {
		xfr_conf_unref(c);
		errlist_add(errs, "%s: out of memory", cf->path);
		return nerr + 1;
	}
	for (size_t i = 0; json_is_array(zones) && i < json_array_size(zones); i++) {
		json_t *z = json_array_get(zones, i);
		/* Entries without a name are reported by server/conf.c. */
		if (!json_is_object(z) || !json_is_string(json_object_get(z, "name")))
			continue;
		struct xfr_zone *xz = &c->zones[c->nzones++];
		nerr += read_zone(cf, c, z, xz, errs);
		xz->state_dir = c->state_dir;
		xz->check_serial = json_object_get(z, "serial") || xz->nacl || xz->nnotify;
		if (xz->serial != XFR_SERIAL_KEEP && !c->state_dir) {
			conf_err_at(errs, cf, conf_line_at(cf, z, "serial"), (conf_path_t){ "zones", xz->name, "serial", NULL },
				    "\"%s\" needs server.state_dir (the last served serial is kept there across restarts)",
				    json_string_value(json_object_get(z, "serial")));
			nerr++;
		}
	}
	*out = c;
	return nerr;
}

void xfr_conf_ref(struct xfr_conf *c)
{
	atomic_fetch_add(&c->refs, 1);
}

void xfr_conf_unref(struct xfr_conf *c)
{
	if (!c || atomic_fetch_sub(&c->refs, 1) != 1)
		return;
	for (size_t i = 0; i < c->nzones; i++) {
		free(c->zones[i].name);
		free(c->zones[i].acl);
		free(c->zones[i].notify);
	}
	if (c->keys)
		memset(c->keys, 0, c->nkeys * sizeof(*c->keys)); /* the secrets */
	free(c->keys);
	free(c->zones);
	free(c->state_dir);
	free(c);
}

void xfr_conf_unref_cb(void *c)
{
	xfr_conf_unref(c);
}

const struct xfr_zone *xfr_conf_zone(const struct xfr_conf *c, const uint8_t *apex, size_t len)
{
	for (size_t i = 0; c && i < c->nzones; i++)
		if (c->zones[i].apexlen == len && memcmp(c->zones[i].apex, apex, len) == 0)
			return &c->zones[i];
	return NULL;
}

const struct xfr_zone *xfr_conf_zone_named(const struct xfr_conf *c, const char *name)
{
	uint8_t w[256], len;

	if (tsig_name_to_wire(name, w, &len) != 0)
		return NULL;
	return xfr_conf_zone(c, w, len);
}

static int prefix_match(const struct xfr_acl *e, const struct sockaddr *sa)
{
	const uint8_t *a;
	int bits = e->prefix;

	if (sa->sa_family == AF_INET6 && e->family == AF_INET) {
		/* A v4 client on a dual-stack socket: ::ffff:a.b.c.d */
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;
		if (!IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr))
			return 0;
		a = s6->sin6_addr.s6_addr + 12;
	} else if (sa->sa_family != e->family) {
		return 0;
	} else {
		a = sa->sa_family == AF_INET ? (const uint8_t *)&((const struct sockaddr_in *)sa)->sin_addr
					     : ((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr;
	}
	if (memcmp(a, e->addr, (size_t)bits / 8) != 0)
		return 0;
	if (bits % 8) {
		uint8_t mask = (uint8_t)(0xff << (8 - bits % 8));
		return (a[bits / 8] & mask) == e->addr[bits / 8];
	}
	return 1;
}

int xfr_acl_allows(const struct xfr_conf *c, const struct xfr_zone *z, const struct sockaddr *sa,
		   const struct tsig_key *key)
{
	for (size_t i = 0; z && i < z->nacl; i++) {
		const struct xfr_acl *e = &z->acl[i];
		if (e->family && !prefix_match(e, sa))
			continue;
		if (e->key >= 0 && key != &c->keys[e->key])
			continue;
		return 1;
	}
	return 0;
}
