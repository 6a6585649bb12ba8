/* conf.c -- load the JSON config, report errors with file:line, table-driven readers. */
#include "config.h"
#include "common/conf.h"
#include "common/errlist.h"
#include "common/errors.h"

#include <libgen.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *read_whole_file(const char *path, int *err)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (!f) {
		*err = -errno;
		return NULL;
	}
	do {
		if (cap - len < 4096) {
			char *nb = realloc(buf, cap = cap * 2 + 8192);
			if (!nb) {
				free(buf);
				fclose(f);
				*err = STEER_ENOMEM;
				return NULL;
			}
			buf = nb;
		}
		n = fread(buf + len, 1, cap - len - 1, f);
		len += n;
	} while (n > 0);
	if (ferror(f)) {
		*err = -EIO;
		free(buf);
		fclose(f);
		return NULL;
	}
	fclose(f);
	buf[len] = '\0';
	return buf;
}

int conf_file_load(const char *path, struct conf_file *cf, struct errlist *errs)
{
	json_error_t jerr;
	int err = 0;
	char *tmp;

	memset(cf, 0, sizeof(*cf));
	cf->path = strdup(path);
	tmp = strdup(path);
	if (!cf->path || !tmp) {
		free(tmp);
		errlist_add(errs, "%s: out of memory", path);
		conf_file_clear(cf);
		return STEER_ENOMEM;
	}
	cf->dir = strdup(dirname(tmp));
	free(tmp);
	cf->text = read_whole_file(path, &err);
	if (!cf->text) {
		errlist_add(errs, "%s: %s", path, steer_strerror(err));
		conf_file_clear(cf);
		return err;
	}
	cf->root = json_loads(cf->text, JSON_REJECT_DUPLICATES, &jerr);
	if (!cf->root) {
		errlist_add(errs, "%s:%d: %s", path, jerr.line > 0 ? jerr.line : 1, jerr.text);
		conf_file_clear(cf);
		return STEER_EMALF;
	}
	if (!json_is_object(cf->root)) {
		errlist_add(errs, "%s:1: the config must be a JSON object", path);
		conf_file_clear(cf);
		return STEER_EMALF;
	}
	return STEER_EOK;
}

void conf_file_clear(struct conf_file *cf)
{
	free(cf->path);
	free(cf->dir);
	free(cf->text);
	if (cf->root)
		json_decref(cf->root);
	memset(cf, 0, sizeof(*cf));
}

/* Find "key" followed by optional blanks and ':' at or after from. */
static const char *find_key(const char *from, const char *key)
{
	size_t klen = strlen(key);
	for (const char *p = from; (p = strchr(p, '"')) != NULL; p++) {
		if (strncmp(p + 1, key, klen) == 0 && p[klen + 1] == '"') {
			const char *q = p + klen + 2;
			while (*q == ' ' || *q == '\t' || *q == '\r' || *q == '\n')
				q++;
			if (*q == ':')
				return p;
		}
	}
	return NULL;
}

int conf_line(const struct conf_file *cf, const char *const *path)
{
	const char *at = cf->text, *best = NULL;
	int line = 1;

	if (!at)
		return 1;
	for (size_t i = 0; path && path[i]; i++) {
		const char *p = find_key(at, path[i]);
		if (!p)
			break;
		best = at = p;
	}
	if (!best)
		return 1;
	for (const char *p = cf->text; p < best; p++)
		line += *p == '\n';
	return line;
}

void conf_err(struct errlist *errs, const struct conf_file *cf, const char *const *path,
	      const char *fmt, ...)
{
	char where[512] = "", msg[768];
	size_t len = 0;
	va_list ap;

	for (size_t i = 0; path && path[i] && len < sizeof(where); i++)
		len += snprintf(where + len, sizeof(where) - len, "%s%s", i ? "/" : "", path[i]);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	errlist_add(errs, "%s:%d: %s%s%s", cf->path, conf_line(cf, path), where, where[0] ? ": " : "", msg);
}

char *conf_resolve_path(const struct conf_file *cf, const char *name)
{
	char *out;
	if (name[0] == '/' || !cf->dir || strcmp(cf->dir, ".") == 0)
		return strdup(name);
	if (asprintf(&out, "%s/%s", cf->dir, name) < 0)
		return NULL;
	return out;
}

void conf_strlist_clear(struct conf_strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* Extend path by one key into buf (which must hold 16 entries). */
static const char *const *path_push(const char **buf, const char *const *path, const char *key)
{
	size_t n = 0;
	while (path && path[n] && n < 14) {
		buf[n] = path[n];
		n++;
	}
	buf[n++] = key;
	buf[n] = NULL;
	return buf;
}

static int read_strlist(json_t *v, struct conf_strlist *l)
{
	size_t n = json_is_string(v) ? 1 : json_array_size(v);
	char **arr = calloc(n + 1, sizeof(*arr));
	if (!arr)
		return STEER_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		json_t *s = json_is_string(v) ? v : json_array_get(v, i);
		if (!json_is_string(s) || !(arr[i] = strdup(json_string_value(s)))) {
			for (size_t j = 0; j < i; j++)
				free(arr[j]);
			free(arr);
			return json_is_string(s) ? STEER_ENOMEM : STEER_EINVAL;
		}
	}
	conf_strlist_clear(l);
	l->v = arr;
	l->n = n;
	return STEER_EOK;
}

static int read_field(const struct conf_file *cf, const char *const *path, const struct conf_field *f,
		      json_t *v, char *base, struct errlist *errs)
{
	void *dst = base + f->offset;

	switch (f->type) {
	case CONF_BOOL:
		if (!json_is_boolean(v))
			goto wrong;
		*(int *)dst = json_is_true(v);
		return 0;
	case CONF_INT: {
		if (!json_is_integer(v))
			goto wrong;
		long long x = json_integer_value(v);
		if (x < f->min || (f->max && x > f->max)) {
			conf_err(errs, cf, path, "%lld is out of range [%lld, %lld]", x, f->min, f->max);
			return 1;
		}
		*(long long *)dst = x;
		return 0;
	}
	case CONF_MSEC: {
		if (!json_is_number(v))
			goto wrong;
		double s = json_number_value(v);
		double ms = s * 1000.0;
		if (!isfinite(ms) || ms < (double)f->min || (f->max && ms > (double)f->max)) {
			conf_err(errs, cf, path, "%g s is out of range [%g, %g] s", s, f->min / 1000.0,
				 f->max / 1000.0);
			return 1;
		}
		*(uint32_t *)dst = (uint32_t)llround(ms);
		return 0;
	}
	case CONF_DOUBLE:
		if (!json_is_number(v))
			goto wrong;
		*(double *)dst = json_number_value(v);
		return 0;
	case CONF_STRING: {
		if (!json_is_string(v))
			goto wrong;
		char *s = strdup(json_string_value(v));
		if (!s) {
			conf_err(errs, cf, path, "out of memory");
			return 1;
		}
		free(*(char **)dst);
		*(char **)dst = s;
		return 0;
	}
	case CONF_STRLIST:
		if (!json_is_string(v) && !json_is_array(v))
			goto wrong;
		if (read_strlist(v, dst) != STEER_EOK) {
			conf_err(errs, cf, path, "expected a string or a list of strings");
			return 1;
		}
		return 0;
	case CONF_JSON:
		*(json_t **)dst = v;
		return 0;
	}
wrong:;
	static const char *names[] = { "true or false", "an integer", "a number of seconds", "a number",
				       "a string", "a string or a list of strings", "a JSON value" };
	conf_err(errs, cf, path, "expected %s", names[f->type]);
	return 1;
}

int conf_read_fields(const struct conf_file *cf, json_t *obj, const char *const *path,
		     const struct conf_field *fields, size_t nfields, void *out, struct errlist *errs)
{
	const char *key, *buf[16];
	json_t *v;
	int nerr = 0;

	if (!json_is_object(obj)) {
		conf_err(errs, cf, path, "expected an object");
		return 1;
	}
	json_object_foreach(obj, key, v) {
		size_t i;
		for (i = 0; i < nfields; i++)
			if (strcmp(fields[i].key, key) == 0)
				break;
		if (i == nfields) {
			conf_err(errs, cf, path_push(buf, path, key), "unknown key");
			nerr++;
			continue;
		}
		nerr += read_field(cf, path_push(buf, path, key), &fields[i], v, out, errs);
	}
	return nerr;
}
