/* geoconf.c -- read the "geoip" config section from a table of fields. */
#include "config.h"
#include "geoip/geoconf.h"
#include "common/errlist.h"
#include "common/errors.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* The raw values as read; database and nets are post-processed. */
struct geo_conf_raw {
	char *database;
	struct conf_strlist country_path, continent_path, subdivision_path, location_path;
	json_t *nets; /* borrowed from the conf_file */
	int ecs;
};

static const struct conf_field geo_fields[] = {
	{ "database", CONF_STRING, offsetof(struct geo_conf_raw, database), 0, 0 },
	{ "country_path", CONF_STRLIST, offsetof(struct geo_conf_raw, country_path), 0, 0 },
	{ "continent_path", CONF_STRLIST, offsetof(struct geo_conf_raw, continent_path), 0, 0 },
	{ "subdivision_path", CONF_STRLIST, offsetof(struct geo_conf_raw, subdivision_path), 0, 0 },
	{ "location_path", CONF_STRLIST, offsetof(struct geo_conf_raw, location_path), 0, 0 },
	{ "nets", CONF_JSON, offsetof(struct geo_conf_raw, nets), 0, 0 },
	{ "ecs", CONF_BOOL, offsetof(struct geo_conf_raw, ecs), 0, 0 },
};

static int strlist_set(struct conf_strlist *l, const char *const *v)
{
	size_t n = 0;
	char **arr;

	while (v[n])
		n++;
	if (!(arr = calloc(n + 1, sizeof(*arr))))
		return STEER_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		if (!(arr[i] = strdup(v[i]))) {
			while (i-- > 0)
				free(arr[i]);
			free(arr);
			return STEER_ENOMEM;
		}
	}
	conf_strlist_clear(l);
	l->v = arr;
	l->n = n;
	return STEER_EOK;
}

int geo_conf_init(struct geo_conf *c)
{
	static const char *const country[] = { "country", "iso_code", NULL };
	static const char *const continent[] = { "continent", "code", NULL };
	static const char *const subdivision[] = { "subdivisions", "0", "iso_code", NULL };
	static const char *const location[] = { "location", NULL };

	memset(c, 0, sizeof(*c));
	geo_nets_init(&c->nets);
	c->ecs = 1;
	if (strlist_set(&c->country_path, country) || strlist_set(&c->continent_path, continent) ||
	    strlist_set(&c->subdivision_path, subdivision) || strlist_set(&c->location_path, location)) {
		geo_conf_clear(c);
		return STEER_ENOMEM;
	}
	return STEER_EOK;
}

void geo_conf_clear(struct geo_conf *c)
{
	free(c->database);
	conf_strlist_clear(&c->country_path);
	conf_strlist_clear(&c->continent_path);
	conf_strlist_clear(&c->subdivision_path);
	conf_strlist_clear(&c->location_path);
	geo_nets_clear(&c->nets);
	memset(c, 0, sizeof(*c));
}

static int check_path(const struct conf_file *cf, const char *key, const struct conf_strlist *l,
		      struct errlist *errs)
{
	const char *path[] = { "geoip", key, NULL };

	if (l->n == 0 || l->n > GEO_PATH_MAX) {
		conf_err(errs, cf, path, "a key path needs 1 to %d keys", GEO_PATH_MAX);
		return 1;
	}
	for (size_t i = 0; i < l->n; i++) {
		if (!l->v[i][0]) {
			conf_err(errs, cf, path, "empty key in key path");
			return 1;
		}
	}
	return 0;
}

static int read_nets(const struct conf_file *cf, json_t *obj, struct geo_nets *nets, struct errlist *errs)
{
	const char *prefix;
	json_t *v;
	int nerr = 0;

	if (!json_is_object(obj)) {
		conf_err(errs, cf, (const char *[]){ "geoip", "nets", NULL },
			 "expected an object of \"prefix\": \"region\"");
		return 1;
	}
	json_object_foreach(obj, prefix, v) {
		const char *path[] = { "geoip", "nets", prefix, NULL };
		int ret;

		if (!json_is_string(v) || !json_string_length(v)) {
			conf_err(errs, cf, path, "expected a region name");
			nerr++;
			continue;
		}
		ret = geo_nets_add(nets, prefix, json_string_value(v));
		if (ret == STEER_EEXIST)
			conf_err(errs, cf, path, "the same network is listed twice");
		else if (ret == STEER_ERANGE)
			conf_err(errs, cf, path, "covers all of IPv4 (::ffff:0:0/96); write IPv4 networks as a.b.c.d/n");
		else if (ret == STEER_EINVAL)
			conf_err(errs, cf, path, "not a CIDR prefix with the host bits clear");
		else if (ret != STEER_EOK)
			conf_err(errs, cf, path, "%s", steer_strerror(ret));
		nerr += ret != STEER_EOK;
	}
	return nerr;
}

int geo_conf_read(const struct conf_file *cf, struct geo_conf *c, struct errlist *errs)
{
	static const char *const path[] = { "geoip", NULL };
	struct geo_conf_raw raw;
	json_t *sec;
	int nerr = 0;

	if (geo_conf_init(c) != STEER_EOK) {
		errlist_add(errs, "%s: out of memory", cf->path);
		return 1;
	}
	sec = json_object_get(cf->root, "geoip");
	if (!sec)
		return 0;
	memset(&raw, 0, sizeof(raw));
	raw.ecs = c->ecs;
	/* conf_read_fields frees a string list before replacing it: hand it ours */
	raw.country_path = c->country_path;
	raw.continent_path = c->continent_path;
	raw.subdivision_path = c->subdivision_path;
	raw.location_path = c->location_path;
	nerr = conf_read_fields(cf, sec, path, geo_fields, CONF_NFIELDS(geo_fields), &raw, errs);
	c->country_path = raw.country_path;
	c->continent_path = raw.continent_path;
	c->subdivision_path = raw.subdivision_path;
	c->location_path = raw.location_path;
	c->ecs = raw.ecs;
	nerr += check_path(cf, "country_path", &c->country_path, errs);
	nerr += check_path(cf, "continent_path", &c->continent_path, errs);
	nerr += check_path(cf, "subdivision_path", &c->subdivision_path, errs);
	nerr += check_path(cf, "location_path", &c->location_path, errs);
	if (raw.database) {
		if (!raw.database[0]) {
			conf_err(errs, cf, (const char *[]){ "geoip", "database", NULL }, "empty file name");
			nerr++;
		} else if (!(c->database = conf_resolve_path(cf, raw.database))) {
			errlist_add(errs, "%s: out of memory", cf->path);
			nerr++;
		}
		free(raw.database);
	}
	if (raw.nets)
		nerr += read_nets(cf, raw.nets, &c->nets, errs);
	return nerr;
}
