/* health_conf.c -- "healthd": publish, sources, silent_after (see health_conf.h). */
#include "config.h"
#include "common/health_conf.h"
#include "common/conf.h"
#include "common/errlist.h"
#include "common/prom.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

static int read_publish(const struct conf_file *cf, json_t *obj, struct health_publish_conf *pub,
			struct errlist *errs)
{
	static const struct conf_field fields[] = {
		{ "listen", CONF_STRLIST, offsetof(struct health_publish_conf, listen), 0, 0 },
		{ "cert_file", CONF_STRING, offsetof(struct health_publish_conf, cert_file), 0, 0 },
		{ "key_file", CONF_STRING, offsetof(struct health_publish_conf, key_file), 0, 0 },
		{ "client_ca_file", CONF_STRING, offsetof(struct health_publish_conf, client_ca_file), 0, 0 },
		{ "token", CONF_STRING, offsetof(struct health_publish_conf, token), 0, 0 },
		{ "heartbeat", CONF_MSEC, offsetof(struct health_publish_conf, heartbeat_ms), 100, 60000 },
	};
	conf_path_t path = { "healthd", "publish", NULL };
	int nerr;

	if (!json_is_object(obj)) {
		conf_err(errs, cf, path, "expected an object (listen, cert_file, key_file, client_ca_file, token)");
		return 1;
	}
	nerr = conf_read_fields(cf, obj, path, fields, CONF_NFIELDS(fields), pub, errs);
	if (nerr)
		return nerr;
	for (size_t i = 0; i < pub->listen.n; i++) {
		const char *why;
		if (prom_addr_check(pub->listen.v[i], &why) != 0) {
			conf_err(errs, cf, (conf_path_t){ "healthd", "publish", "listen", NULL }, "\"%s\": %s",
				 pub->listen.v[i], why);
			nerr++;
		}
	}
	if (pub->listen.n == 0 || !pub->cert_file || !pub->key_file) {
		conf_err(errs, cf, path, "publishing needs \"listen\", \"cert_file\" and \"key_file\" (it is TLS only)");
		nerr++;
	}
	/* Health state steers traffic: nobody unauthenticated may read it
	 * (it maps the company's data centers and their failures). */
	if (!pub->client_ca_file && !pub->token) {
		conf_err(errs, cf, path, "publishing needs \"client_ca_file\" (client certificates) or \"token\"");
		nerr++;
	}
	if (conf_resolve_inplace(cf, &pub->cert_file) || conf_resolve_inplace(cf, &pub->key_file) ||
	    conf_resolve_inplace(cf, &pub->client_ca_file)) {
		conf_err(errs, cf, path, "out of memory");
		nerr++;
	}
	return nerr;
}

static int read_source(const struct conf_file *cf, json_t *obj, struct health_source_conf *s, struct errlist *errs)
{
	static const struct conf_field fields[] = {
		{ "name", CONF_STRING, offsetof(struct health_source_conf, name), 0, 0 },
		{ "socket", CONF_STRING, offsetof(struct health_source_conf, socket), 0, 0 },
		{ "connect", CONF_STRING, offsetof(struct health_source_conf, connect), 0, 0 },
		{ "ca_file", CONF_STRING, offsetof(struct health_source_conf, ca_file), 0, 0 },
		{ "cert_file", CONF_STRING, offsetof(struct health_source_conf, cert_file), 0, 0 },
		{ "key_file", CONF_STRING, offsetof(struct health_source_conf, key_file), 0, 0 },
		{ "token", CONF_STRING, offsetof(struct health_source_conf, token), 0, 0 },
		{ "server_name", CONF_STRING, offsetof(struct health_source_conf, server_name), 0, 0 },
	};
	conf_path_t path = { "healthd", "sources", NULL };
	int line = conf_line_at(cf, obj, NULL), nerr;
	const char *why;

	if (!json_is_object(obj)) {
		conf_err_at(errs, cf, line, path, "a source is an object with \"socket\" or \"connect\"");
		return 1;
	}
	nerr = conf_read_fields(cf, obj, path, fields, CONF_NFIELDS(fields), s, errs);
	if (nerr)
		return nerr;
	if (!s->socket == !s->connect) {
		conf_err_at(errs, cf, line, path, "a source has either \"socket\" (Unix) or \"connect\" (TCP+TLS)");
		return 1;
	}
	if (s->connect && prom_addr_check(s->connect, &why) != 0) {
		conf_err_at(errs, cf, conf_line_at(cf, obj, "connect"), path, "\"%s\": %s", s->connect, why);
		nerr++;
	}
	if (s->socket && (s->ca_file || s->cert_file || s->key_file || s->token || s->server_name)) {
		conf_err_at(errs, cf, line, path, "TLS and token options apply to a \"connect\" source only");
		nerr++;
	}
	if (!s->cert_file != !s->key_file) {
		conf_err_at(errs, cf, line, path, "a client certificate needs both \"cert_file\" and \"key_file\"");
		nerr++;
	}
	if (!s->name && !(s->name = strdup(s->socket ? s->socket : s->connect)))
		nerr++;
	if (conf_resolve_inplace(cf, &s->socket) || conf_resolve_inplace(cf, &s->ca_file) || conf_resolve_inplace(cf, &s->cert_file) ||
	    conf_resolve_inplace(cf, &s->key_file))
		nerr++;
	return nerr;
}

static int read_sources(const struct conf_file *cf, json_t *arr, struct health_sources *src, struct errlist *errs)
{
	conf_path_t path = { "healthd", "sources", NULL };
	size_t n = json_array_size(arr);
	int nerr = 0;

	if (!json_is_array(arr) || n == 0 || n > HEALTH_MAX_SOURCES) {
		conf_err(errs, cf, path, "expected a list of 1 to %d sources", HEALTH_MAX_SOURCES);
		return 1;
	}
	if (!(src->v = calloc(n, sizeof(*src->v)))) {
		conf_err(errs, cf, path, "out of memory");
		return 1;
	}
	for (size_t i = 0; i < n; i++) {
		int e = read_source(cf, json_array_get(arr, i), &src->v[src->n++], errs);
		nerr += e;
		for (size_t j = 0; e == 0 && j + 1 < src->n; j++)
			if (src->v[j].name && strcmp(src->v[j].name, src->v[i].name) == 0) {
				conf_err_at(errs, cf, conf_line_elem(cf, arr, i), path,
					    "two sources named \"%s\" (give each a \"name\")", src->v[i].name);
				nerr++;
			}
	}
	return nerr;
}

int health_conf_read(const struct conf_file *cf, json_t *sec, const char *default_socket,
		     struct health_publish_conf *pub, struct health_sources *src, struct errlist *errs)
{
	json_t *p = json_object_get(sec, "publish"), *s = json_object_get(sec, "sources");
	json_t *silent = json_object_get(sec, "silent_after");
	int nerr = 0;

	memset(pub, 0, sizeof(*pub));
	memset(src, 0, sizeof(*src));
	pub->heartbeat_ms = 1000;
	if (p)
		nerr += read_publish(cf, p, pub, errs);
	if (s) {
		src->explicit_sources = 1;
		src->silent_after_ms = 10000;
		nerr += read_sources(cf, s, src, errs);
	} else {
		/* The one socket, as before: one source, never aged out. */
		src->v = calloc(1, sizeof(*src->v));
		if (!src->v || !(src->v[0].name = strdup("local")) || !(src->v[0].socket = strdup(default_socket))) {
			conf_err(errs, cf, (conf_path_t){ "healthd", NULL }, "out of memory");
			return nerr + 1;
		}
		src->n = 1;
	}
	if (silent) {
		double v = json_number_value(silent);
		if (!json_is_number(silent) || v < 0 || v > 86400) {
			conf_err(errs, cf, (conf_path_t){ "healthd", "silent_after", NULL },
				 "expected seconds (0: never, up to 86400)");
			nerr++;
		} else {
			src->silent_after_ms = (uint32_t)(v * 1000 + 0.5);
		}
	}
	return nerr;
}

void health_source_clear(struct health_source_conf *s)
{
	free(s->name);
	free(s->socket);
	free(s->connect);
	free(s->ca_file);
	free(s->cert_file);
	free(s->key_file);
	free(s->token);
	free(s->server_name);
	memset(s, 0, sizeof(*s));
}

static int dup_opt(char **dst, const char *src)
{
	*dst = src ? strdup(src) : NULL;
	return src && !*dst ? -1 : 0;
}

int health_source_copy(struct health_source_conf *dst, const struct health_source_conf *src)
{
	memset(dst, 0, sizeof(*dst));
	if (dup_opt(&dst->name, src->name) | dup_opt(&dst->socket, src->socket) | dup_opt(&dst->connect, src->connect) |
	    dup_opt(&dst->ca_file, src->ca_file) | dup_opt(&dst->cert_file, src->cert_file) |
	    dup_opt(&dst->key_file, src->key_file) | dup_opt(&dst->token, src->token) |
	    dup_opt(&dst->server_name, src->server_name)) {
		health_source_clear(dst);
		return -1;
	}
	return 0;
}

void health_conf_clear(struct health_publish_conf *pub, struct health_sources *src)
{
	conf_strlist_clear(&pub->listen);
	free(pub->cert_file);
	free(pub->key_file);
	free(pub->client_ca_file);
	free(pub->token);
	memset(pub, 0, sizeof(*pub));
	for (size_t i = 0; i < src->n; i++)
		health_source_clear(&src->v[i]);
	free(src->v);
	memset(src, 0, sizeof(*src));
}

static int same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

int health_source_equal(const struct health_source_conf *a, const struct health_source_conf *b)
{
	return same(a->name, b->name) && same(a->socket, b->socket) && same(a->connect, b->connect) &&
	       same(a->ca_file, b->ca_file) && same(a->cert_file, b->cert_file) && same(a->key_file, b->key_file) &&
	       same(a->token, b->token) && same(a->server_name, b->server_name);
}
