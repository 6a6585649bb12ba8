/* limit_conf.c -- read the "rrl" and "cookies" sections and server.nsid. */
#include "config.h"
#include "server/limit/limit_conf.h"
#include "common/conf.h"
#include "common/errlist.h"

#include <arpa/inet.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

struct rrl_fields {
	long long rate, slip, window, v4, v6, table_size;
	struct conf_strlist exempt;
};

static const struct conf_field rrl_fields[] = {
	{ "responses_per_second", CONF_INT, offsetof(struct rrl_fields, rate), 1, 1000000 },
	{ "slip", CONF_INT, offsetof(struct rrl_fields, slip), 0, 10 },
	{ "window", CONF_INT, offsetof(struct rrl_fields, window), 1, 3600 },
	{ "ipv4_prefix", CONF_INT, offsetof(struct rrl_fields, v4), 1, 32 },
	{ "ipv6_prefix", CONF_INT, offsetof(struct rrl_fields, v6), 1, 128 },
	{ "table_size", CONF_INT, offsetof(struct rrl_fields, table_size), 64, 16777216 },
	{ "exempt", CONF_STRLIST, offsetof(struct rrl_fields, exempt), 0, 0 },
};

/* "192.0.2.0/24", "2001:db8::/32" or a single address. Host bits must be
 * zero, as a typo in the length would otherwise exempt another network. */
static int parse_net(const char *s, struct rrl_net *n, const char **why)
{
	char buf[INET6_ADDRSTRLEN + 8];
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	unsigned max, bits;
	char *end;

	*why = "not an address or address/length";
	if (alen >= INET6_ADDRSTRLEN)
		return -1;
	memcpy(buf, s, alen);
	buf[alen] = 0;
	memset(n, 0, sizeof(*n));
	n->family = strchr(buf, ':') ? AF_INET6 : AF_INET;
	if (inet_pton(n->family, buf, n->addr) != 1)
		return -1;
	max = n->family == AF_INET ? 32 : 128;
	bits = max;
	if (slash) {
		unsigned long b = strtoul(slash + 1, &end, 10);
		if (!slash[1] || *end || b > max) {
			*why = "prefix length out of range";
			return -1;
		}
		bits = (unsigned)b;
	}
	n->bits = (uint8_t)bits;
	for (unsigned i = bits; i < max; i++)
		if (n->addr[i / 8] & (0x80 >> (i % 8))) {
			*why = "host bits set past the prefix length";
			return -1;
		}
	return 0;
}

static int read_exempt(const struct conf_file *cf, const struct conf_strlist *l, struct rrl_conf *r,
		       struct errlist *errs)
{
	conf_path_t path = { "rrl", "exempt", NULL };
	int nerr = 0;

	if (l->n > RRL_EXEMPT_MAX) {
		conf_err(errs, cf, path, "%zu networks, at most %d", l->n, RRL_EXEMPT_MAX);
		return 1;
	}
	for (size_t i = 0; i < l->n; i++) {
		const char *why;
		if (parse_net(l->v[i], &r->exempt[r->nexempt], &why) != 0) {
			conf_err(errs, cf, path, "\"%s\": %s", l->v[i], why);
			nerr++;
			continue;
		}
		r->nexempt++;
	}
	return nerr;
}

static int read_rrl(const struct conf_file *cf, json_t *obj, struct rrl_conf *r, struct errlist *errs)
{
	struct rrl_fields f = { .rate = 20, .slip = 2, .window = 15, .v4 = 24, .v6 = 56, .table_size = 65536 };
	int nerr = conf_read_fields(cf, obj, (conf_path_t){ "rrl", NULL }, rrl_fields, CONF_NFIELDS(rrl_fields), &f,
				    errs);

	r->on = 1;
	r->rate = (uint32_t)f.rate;
	r->slip = (uint32_t)f.slip;
	r->window = (uint32_t)f.window;
	r->v4_prefix = (uint8_t)f.v4;
	r->v6_prefix = (uint8_t)f.v6;
	r->table_size = (uint32_t)f.table_size;
	if (!nerr)
		nerr += read_exempt(cf, &f.exempt, r, errs);
	conf_strlist_clear(&f.exempt);
	return nerr;
}

struct cookie_fields {
	char *secret, *previous;
	int enabled, require;
};

static const struct conf_field cookie_fields[] = {
	{ "enabled", CONF_BOOL, offsetof(struct cookie_fields, enabled), 0, 0 },
	{ "secret", CONF_STRING, offsetof(struct cookie_fields, secret), 0, 0 },
	{ "previous_secret", CONF_STRING, offsetof(struct cookie_fields, previous), 0, 0 },
	{ "require_over_limit", CONF_BOOL, offsetof(struct cookie_fields, require), 0, 0 },
};

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* 2 * n hex digits into out; -1 when s is anything else. */
static int hex_decode(const char *s, uint8_t *out, size_t n)
{
	if (strlen(s) != 2 * n)
		return -1;
	for (size_t i = 0; i < n; i++) {
		int hi = hex_digit(s[2 * i]), lo = hex_digit(s[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

/* The secret made at the first config read without one: reloads keep it, so
 * cookies handed out stay valid; a restart makes a new one. */
static int generated_secret(uint8_t out[COOKIE_SECRET_LEN])
{
	static uint8_t secret[COOKIE_SECRET_LEN];
	static int made;

	if (!made && RAND_bytes(secret, sizeof(secret)) != 1)
		return -1;
	made = 1;
	memcpy(out, secret, sizeof(secret));
	return 0;
}

static int read_secret(const struct conf_file *cf, const char *key, const char *hex, uint8_t *out,
		       struct errlist *errs)
{
	if (hex_decode(hex, out, COOKIE_SECRET_LEN) == 0)
		return 0;
	conf_err(errs, cf, (conf_path_t){ "cookies", key, NULL },
		 "\"%s\": expected %d hex digits (a %d-byte SipHash key)", hex, 2 * COOKIE_SECRET_LEN,
		 COOKIE_SECRET_LEN);
	return 1;
}

static int read_cookies(const struct conf_file *cf, json_t *obj, struct cookie_conf *c, struct errlist *errs)
{
	struct cookie_fields f = { .enabled = 1 };
	int nerr = obj ? conf_read_fields(cf, obj, (conf_path_t){ "cookies", NULL }, cookie_fields,
					  CONF_NFIELDS(cookie_fields), &f, errs)
		       : 0;

	c->on = f.enabled;
	c->require_over_limit = f.require;
	if (!nerr && f.secret)
		nerr += read_secret(cf, "secret", f.secret, c->keys.secret, errs);
	else if (!nerr && generated_secret(c->keys.secret) != 0) {
		errlist_add(errs, "%s: cookies: no random bytes for a secret", cf->path);
		nerr++;
	}
	if (!nerr && f.previous) {
		nerr += read_secret(cf, "previous_secret", f.previous, c->keys.previous, errs);
		c->keys.has_previous = 1;
	}
	free(f.secret);
	free(f.previous);
	return nerr;
}

int limit_conf_read(const struct conf_file *cf, struct limit_conf *out, struct errlist *errs)
{
	json_t *rrl = json_object_get(cf->root, "rrl");
	int nerr = 0;

	memset(out, 0, sizeof(*out));
	if (rrl)
		nerr += read_rrl(cf, rrl, &out->rrl, errs);
	nerr += read_cookies(cf, json_object_get(cf->root, "cookies"), &out->cookies, errs);
	if (out->cookies.require_over_limit && !out->rrl.on) {
		conf_err(errs, cf, (conf_path_t){ "cookies", "require_over_limit", NULL },
			 "needs an \"rrl\" section: without a rate limit no client is over it");
		nerr++;
	}
	return nerr;
}

int limit_nsid_parse(const char *s, uint8_t out[NSID_MAX], const char **why)
{
	size_t n;

	if (strncmp(s, "hex:", 4) != 0) {
		n = strlen(s);
		if (n > NSID_MAX) {
			*why = "longer than " "128" " bytes";
			return -1;
		}
		memcpy(out, s, n);
		return (int)n;
	}
	n = strlen(s + 4);
	if (n == 0 || n % 2 || n / 2 > NSID_MAX || hex_decode(s + 4, out, n / 2) != 0) {
		*why = "\"hex:\" needs an even number of hex digits, at most 256";
		return -1;
	}
	return (int)(n / 2);
}
