/* conf.c -- load the JSON config, report errors with file:line, table-driven readers. */
#include "config.h"
#include "common/conf.h"
#include "common/errlist.h"
#include "common/errors.h"
#include "common/suggest.h"

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

/* --- where a value is in the text --------------------------------------
 *
 * jansson keeps no positions, so errors find their line by walking the text
 * alongside the parsed tree: each member's key is decoded and looked up in
 * the tree, each array element is counted, so the walk knows which json_t
 * every piece of text is. Keys at the wrong depth or inside strings never
 * match. jansson parsed this text already, so it is valid JSON; every step
 * still checks what it reads, and a surprise ends the walk (line 1 or the
 * nearest line found) instead of running off. Only error paths walk. */

struct walk {
	const json_t *target;   /* the container looked for (never a scalar: true/null are shared) */
	const char *found;      /* where its text starts */
	char key[1024];         /* the member key just read */
	int key_ok;             /* key fitted and decoded */
};

static const char *skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return p;
}

static int hex4(const char *p, unsigned *out)
{
	unsigned v = 0;

	for (int i = 0; i < 4; i++) {
		int c = p[i], d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
				 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
		if (d < 0)
			return -1;
		v = v * 16 + (unsigned)d;
	}
	*out = v;
	return 0;
}

/* Append code point cp as UTF-8 to w->key at *n (key_ok = 0 if it does not fit). */
static void key_put(struct walk *w, size_t *n, unsigned cp)
{
	char u[4];
	size_t k = 0;

	if (cp < 0x80) {
		u[k++] = (char)cp;
	} else if (cp < 0x800) {
		u[k++] = (char)(0xc0 | cp >> 6);
		u[k++] = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		u[k++] = (char)(0xe0 | cp >> 12);
		u[k++] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[k++] = (char)(0x80 | (cp & 0x3f));
	} else {
		u[k++] = (char)(0xf0 | cp >> 18);
		u[k++] = (char)(0x80 | ((cp >> 12) & 0x3f));
		u[k++] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[k++] = (char)(0x80 | (cp & 0x3f));
	}
	if (*n + k >= sizeof(w->key)) {
		w->key_ok = 0;
		return;
	}
	memcpy(w->key + *n, u, k);
	*n += k;
}

/* Step over the string at p (its opening quote); with key set, decode it
 * into w->key. Returns the text after the closing quote, or NULL. */
static const char *read_string(struct walk *w, const char *p, int key)
{
	static const char esc_in[] = "\"\\/bfnrt", esc_out[] = "\"\\/\b\f\n\r\t";
	size_t n = 0;

	w->key_ok = key;
	for (p++; *p != '"'; p++) {
		unsigned cp, lo;
		const char *e;
		if (!*p)
			return NULL;
		if (*p != '\\') { /* a raw byte (UTF-8 stays as it is) */
			if (w->key_ok && n + 1 < sizeof(w->key))
				w->key[n++] = *p;
			else
				w->key_ok = 0;
			continue;
		}
		if (p[1] == 'u') {
			if (hex4(p + 2, &cp) != 0)
				return NULL;
			p += 5;
			if (cp >= 0xd800 && cp < 0xdc00 && p[1] == '\\' && p[2] == 'u' && hex4(p + 3, &lo) == 0 &&
			    lo >= 0xdc00 && lo < 0xe000) { /* a surrogate pair */
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				p += 6;
			}
		} else {
			if (!p[1] || !(e = strchr(esc_in, p[1])))
				return NULL;
			cp = (unsigned char)esc_out[e - esc_in];
			p++;
		}
		if (w->key_ok)
			key_put(w, &n, cp);
	}
	if (key)
		w->key[w->key_ok ? n : 0] = 0;
	return p + 1;
}

static const char *walk_value(struct walk *w, const char *p, const json_t *v);

/* The members of object v, p just past its '{'. */
static const char *walk_object(struct walk *w, const char *p, const json_t *v)
{
	for (;;) {
		const json_t *child;
		p = skip_ws(p);
		if (*p == '}')
			return p + 1;
		if (*p != '"' || !(p = read_string(w, p, 1)))
			return NULL;
		child = w->key_ok ? json_object_get(v, w->key) : NULL;
		p = skip_ws(p);
		if (*p != ':' || !(p = walk_value(w, p + 1, child)))
			return NULL;
		p = skip_ws(p);
		if (*p == ',')
			p++;
		else if (*p != '}')
			return NULL;
	}
}

/* The elements of array v, p just past its '['. */
static const char *walk_array(struct walk *w, const char *p, const json_t *v)
{
	for (size_t i = 0;; i++) {
		p = skip_ws(p);
		if (*p == ']')
			return p + 1;
		if (!(p = walk_value(w, p, json_array_get(v, i))))
			return NULL;
		p = skip_ws(p);
		if (*p == ',')
			p++;
		else if (*p != ']')
			return NULL;
	}
}

/* Step over the value v (NULL: not in the tree) whose text starts at p.
 * Returns the text after it, or NULL: the target was found (w->found) or
 * the text did not parse. */
static const char *walk_value(struct walk *w, const char *p, const json_t *v)
{
	p = skip_ws(p);
	if (v && v == w->target) {
		w->found = p;
		return NULL;
	}
	if (*p == '{')
		return walk_object(w, p + 1, v);
	if (*p == '[')
		return walk_array(w, p + 1, v);
	if (*p == '"')
		return read_string(w, p, 0);
	while (*p && !strchr(",]} \t\r\n", *p)) /* number, true, false, null */
		p++;
	return *p ? p : NULL;
}

/* Where the text of container obj (of cf->root) starts, or NULL. */
static const char *locate(const struct conf_file *cf, const json_t *obj, struct walk *w)
{
	memset(w, 0, sizeof(*w));
	w->target = obj;
	if (!cf->text || !cf->root || !obj)
		return NULL;
	walk_value(w, cf->text, cf->root);
	return w->found;
}

/* In the container whose text starts at at: where member key (object) or
 * element index (array, key NULL) starts, or NULL. */
static const char *member_at(struct walk *w, const char *at, const char *key, size_t index)
{
	const char *p = at + 1, *start;

	w->target = NULL;
	for (size_t i = 0;; i++) {
		p = start = skip_ws(p);
		if (*p == '}' || *p == ']' || !*p)
			return NULL;
		if (*at == '{') {
			if (*p != '"' || !(p = read_string(w, p, 1)))
				return NULL;
			if (w->key_ok && strcmp(w->key, key ? key : "") == 0)
				return start;
			p = skip_ws(p);
			if (*p++ != ':')
				return NULL;
		} else if (i == index) {
			return start;
		}
		if (!(p = walk_value(w, p, NULL)))
			return NULL;
		p = skip_ws(p);
		if (*p == ',')
			p++;
	}
}

static int line_of(const struct conf_file *cf, const char *at)
{
	int line = 1;

	for (const char *p = cf->text; at && p < at; p++)
		line += *p == '\n';
	return line;
}

int conf_line_at(const struct conf_file *cf, const json_t *obj, const char *key)
{
	struct walk w;
	const char *at = locate(cf, obj, &w), *m;

	if (!at)
		return 1;
	m = key && *at == '{' ? member_at(&w, at, key, 0) : NULL;
	return line_of(cf, m ? m : at);
}

int conf_line_elem(const struct conf_file *cf, const json_t *arr, size_t index)
{
	struct walk w;
	const char *at = locate(cf, arr, &w), *m;

	if (!at)
		return 1;
	m = *at == '[' ? member_at(&w, at, NULL, index) : NULL;
	return line_of(cf, m ? m : at);
}

int conf_line(const struct conf_file *cf, const char *const *path)
{
	const json_t *v = cf->root, *parent = NULL;
	const char *last = NULL;

	for (size_t i = 0; path && path[i] && json_is_object(v); i++) {
		const json_t *child = json_object_get(v, path[i]);
		if (!child)
			break;
		parent = v;
		last = path[i];
		v = child;
	}
	return parent ? conf_line_at(cf, parent, last) : 1;
}

static void conf_verr(struct errlist *errs, const struct conf_file *cf, int line, const char *const *path,
		      const char *fmt, va_list ap)
{
	char where[512] = "", msg[768];
	size_t len = 0;

	for (size_t i = 0; path && path[i] && len < sizeof(where); i++)
		len += snprintf(where + len, sizeof(where) - len, "%s%s", i ? "/" : "", path[i]);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	errlist_add(errs, "%s:%d: %s%s%s", cf->path, line, where, where[0] ? ": " : "", msg);
}

void conf_err(struct errlist *errs, const struct conf_file *cf, const char *const *path,
	      const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	conf_verr(errs, cf, conf_line(cf, path), path, fmt, ap);
	va_end(ap);
}

void conf_err_at(struct errlist *errs, const struct conf_file *cf, int line, const char *const *path,
		 const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	conf_verr(errs, cf, line, path, fmt, ap);
	va_end(ap);
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

int conf_resolve_inplace(const struct conf_file *cf, char **path)
{
	char *p;

	if (!*path)
		return 0;
	if (!(p = conf_resolve_path(cf, *path)))
		return -1;
	free(*path);
	*path = p;
	return 0;
}

void conf_strlist_clear(struct conf_strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

int conf_unknown_key(const struct conf_file *cf, const json_t *obj, const char *const *path, const char *key,
		     const char *const *known, size_t n, struct errlist *errs)
{
	char list[512] = ""; /* the hint, or the list of known keys */
	size_t len = 0;
	struct suggest sg;

	suggest_init(&sg, key);
	for (size_t i = 0; i < n; i++)
		suggest_add(&sg, known[i]);
	if (suggest_best(&sg))
		suggest_hint(&sg, list, sizeof(list));
	for (size_t i = 0; !suggest_best(&sg) && i < n && len < sizeof(list); i++)
		len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s%s", i ? ", " : " (expected one of: ", known[i],
					i + 1 == n ? ")" : "");
	conf_err_at(errs, cf, conf_line_at(cf, obj, key), path, "unknown key \"%s\"%s", key, list);
	return 1;
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

/* Read v into its field; errors at line (the key's), naming path. */
static int read_field(const struct conf_file *cf, const json_t *obj, const char *key, const char *const *path, const struct conf_field *f,
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
			conf_err_at(errs, cf, conf_line_at(cf, obj, key), path, "%lld is out of range [%lld, %lld]", x, f->min, f->max);
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
			conf_err_at(errs, cf, conf_line_at(cf, obj, key), path, "%g s is out of range [%g, %g] s", s, f->min / 1000.0,
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
			conf_err_at(errs, cf, conf_line_at(cf, obj, key), path, "out of memory");
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
			conf_err_at(errs, cf, conf_line_at(cf, obj, key), path, "expected a string or a list of strings");
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
	conf_err_at(errs, cf, conf_line_at(cf, obj, key), path, "expected %s", names[f->type]);
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
	/* A line is looked up only for an error: finding it walks the text,
	 * and doing that per key made a 100,000-member config take seconds. */
	json_object_foreach(obj, key, v) {
		size_t i;
		for (i = 0; i < nfields; i++)
			if (strcmp(fields[i].key, key) == 0)
				break;
		if (i == nfields) {
			const char *known[64];
			for (i = 0; i < nfields && i < 64; i++)
				known[i] = fields[i].key;
			nerr += conf_unknown_key(cf, obj, path, key, known, i, errs);
			continue;
		}
		nerr += read_field(cf, obj, key, path_push(buf, path, key), &fields[i], v, out, errs);
	}
	return nerr;
}
