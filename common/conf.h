/*
 * conf.h -- the one JSON config file that all steerdns programs read.
 *
 * conf_file_load() parses the file with jansson and keeps its text, so that
 * a semantic error found later (an unknown pool, a bad TTL) can still be
 * reported as "file:line: reason": conf_line() finds the line where a key
 * path appears. Each program section (server, zones, healthd, checks, pools,
 * geoip, records) is read by the module that owns it, from a table of
 * struct conf_field rows (key, type, offset, bounds) with conf_read_fields().
 */
#ifndef STEER_CONF_H
#define STEER_CONF_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct errlist;

struct conf_file {
	char *path;   /* owned */
	char *dir;    /* owned: directory of path; relative file names resolve against it */
	char *text;   /* owned: the whole file, for line lookups */
	json_t *root; /* owned reference; a JSON object */
};

/* Read and parse path. On failure adds "path:line: reason" to errs and returns
 * a negative code; cf is then cleared. */
int conf_file_load(const char *path, struct conf_file *cf, struct errlist *errs);
void conf_file_clear(struct conf_file *cf);

/* A key path: NULL-terminated list of object keys from the root. */
typedef const char *const conf_path_t[];

/* Line numbers (1-based) come from walking the text beside the parsed
 * tree, so a key is found at its own depth only (never a same-named key
 * elsewhere, nor text inside a string).
 *
 * conf_line: the line of the last key of path (object keys from the
 * root), or of the deepest key found; 1 when nothing matches. A path
 * cannot go into an array: use the functions below for what is there. */
int conf_line(const struct conf_file *cf, const char *const *path);
/* The line of member key of obj (an object anywhere in cf->root, also
 * inside arrays), or of obj's '{' when key is NULL or absent; 1 when obj
 * is not found. */
int conf_line_at(const struct conf_file *cf, const json_t *obj, const char *key);
/* The line of element index of arr (an array anywhere in cf->root), or
 * of its '[' when there is no such element; 1 when arr is not found. */
int conf_line_elem(const struct conf_file *cf, const json_t *arr, size_t index);

/* Add "file:line: a/b/c: message" to errs, line from conf_line(path). */
void conf_err(struct errlist *errs, const struct conf_file *cf, const char *const *path,
	      const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* The same at a line found otherwise (conf_line_at, conf_line_elem): path
 * is only what the message names (may be NULL: "file:line: message"). */
void conf_err_at(struct errlist *errs, const struct conf_file *cf, int line, const char *const *path,
		 const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Report key, a member of obj (at path), as unknown, at its line:
 * "path: unknown key "K" (did you mean "X"?)" with the closest of the n
 * known keys, or "(expected one of: a, b, ...)" when none is close.
 * Returns 1 (one error added). */
int conf_unknown_key(const struct conf_file *cf, const json_t *obj, const char *const *path, const char *key,
		     const char *const *known, size_t n, struct errlist *errs);

/* Resolve a file name from the config against the config's directory.
 * Returns a malloc'ed string or NULL (out of memory). */
char *conf_resolve_path(const struct conf_file *cf, const char *name);
/* Replace *path (malloc'ed, may be NULL: left alone) with its resolved
 * form. Returns 0, or -1 on ENOMEM (*path unchanged). */
int conf_resolve_inplace(const struct conf_file *cf, char **path);

enum conf_type {
	CONF_BOOL,    /* int */
	CONF_INT,     /* long long, within [min, max] */
	CONF_MSEC,    /* uint32_t milliseconds; JSON number of seconds (0.5 ok), within [min, max] ms */
	CONF_DOUBLE,  /* double */
	CONF_STRING,  /* char *, strdup'ed; caller frees; previous value freed */
	CONF_STRLIST, /* struct conf_strlist; a string or a list of strings */
	CONF_JSON,    /* json_t *, borrowed reference (lives as long as the conf_file) */
};

struct conf_strlist {
	char **v; /* owned; each string owned */
	size_t n;
};
void conf_strlist_clear(struct conf_strlist *l);

struct conf_field {
	const char *key;
	enum conf_type type;
	size_t offset;     /* offsetof() into the caller's struct */
	long long min, max;/* bounds for CONF_INT and CONF_MSEC (max 0 = no bound) */
};

/* Read obj (the JSON object found at path) into out through fields. Keys not
 * in the table are errors (a typo must not be silently ignored), reported
 * at the key's line as "path: unknown key "K"" with the closest field name
 * offered; absent keys leave the caller's defaults in place. Errors are at
 * obj's own lines, so obj may sit inside an array (path then only names
 * it). Returns the number of errors added. */
int conf_read_fields(const struct conf_file *cf, json_t *obj, const char *const *path,
		     const struct conf_field *fields, size_t nfields, void *out, struct errlist *errs);

#define CONF_NFIELDS(t) (sizeof(t) / sizeof((t)[0]))

#endif
