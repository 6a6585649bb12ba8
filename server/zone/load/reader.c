/*
 * reader.c -- a master file into records: logical entries, the $ORIGIN,
 * $TTL and $INCLUDE directives, and the bridge to the two parsers.
 *
 * The file is split into logical entries here (comments, parentheses,
 * quotes), so that every error carries the file and line where its entry
 * starts, and so that one run reports every bad entry. Common records (A,
 * AAAA, NS, CNAME, MX, TXT, SRV, ...) are parsed by zonefast.c; every other
 * entry by ldns (ldns_rr_new_frm_str), which knows every RR type's
 * presentation format, TTL units and RFC 3597 \# syntax. Entries read by
 * ldns also go through syntax.c, which names the wrong token when there is
 * one (ldns's own messages do not, and ldns lets some typos through).
 */
#include "config.h"
#include "server/zone/load/load_internal.h"
#include "server/zone/load/zonefast.h"
#include "common/errlist.h"
#include "common/errors.h"

#include <errno.h>
#include <fcntl.h>
#include <ldns/ldns.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* --- logical entries -------------------------------------------------------- */

/* The splitter's state for one file. */
struct scan {
	FILE *f;             /* owned */
	unsigned char *buf;  /* owned: SCAN_BUF bytes read ahead of f */
	size_t pos, end;     /* next unread byte in buf, end of the bytes read */
	unsigned line;       /* current physical line */
	char *entry;         /* owned: the current logical entry */
	size_t len, cap;
	int depth;           /* open parentheses */
	unsigned paren_line; /* line of the outermost open '(' */
	int quoted;          /* inside "..." */
	unsigned quote_line; /* line of the open quote */
	size_t quote_at;     /* its offset in entry */
	int have;            /* the entry has started (a non-blank character) */
	unsigned err_line;   /* where the last error is */
	char err[128];       /* what it is */
};

enum { SCAN_MORE = 2, SCAN_ENTRY = 1 };

enum { SCAN_BUF = 64 * 1024 };

/* Characters that end a run of plain data in scan_run(): everything that
 * scan_plain() treats specially, and NUL (the table's unset entries are
 * 0, so these are the 1s). */
static const unsigned char scan_special[256] = {
	['\0'] = 1, ['\\'] = 1, [';'] = 1, ['"'] = 1, ['('] = 1, [')'] = 1, ['\r'] = 1, ['\n'] = 1,
};

static int scan_refill(struct scan *s)
{
	s->pos = 0;
	s->end = fread(s->buf, 1, SCAN_BUF, s->f);
	return s->end ? s->buf[s->pos++] : EOF;
}

/* One character, from the scan's own buffer: stdio's getc per character
 * (even unlocked) and the per-character dispatch below took a quarter of a
 * large zone's load; scan_run() copies plain runs without either. */
static inline int scan_getc(struct scan *s)
{
	return s->pos < s->end ? s->buf[s->pos++] : scan_refill(s);
}

/* Copy the plain characters (none of scan_special) that follow, from the
 * buffer into the entry, as far as the entry has room and the limit
 * allows; scan_next() takes the character that stops the run. */
static void scan_run(struct scan *s)
{
	size_t room = s->cap - 4 - s->len, n = 0;
	const unsigned char *p = s->buf + s->pos;
	size_t avail = s->end - s->pos;

	if (room > ZLOAD_ENTRY_MAX - s->len)
		room = ZLOAD_ENTRY_MAX - s->len;
	if (avail > room)
		avail = room;
	while (n < avail && !scan_special[p[n]])
		n++;
	memcpy(s->entry + s->len, p, n);
	s->len += n;
	s->pos += n;
}

static int scan_grow(struct scan *s)
{
	size_t ncap = s->cap ? s->cap * 2 : 1024;
	char *n = realloc(s->entry, ncap);

	if (!n)
		return STEER_ENOMEM;
	s->entry = n;
	s->cap = ncap;
	return STEER_EOK;
}

static int scan_fail(struct scan *s, unsigned line, const char *why)
{
	s->err_line = line;
	snprintf(s->err, sizeof(s->err), "%s", why);
	return STEER_EMALF;
}

/* One character inside quotes: kept as is, escapes included (an escaped
 * quote does not end the string). */
static void scan_quoted(struct scan *s, int c)
{
	if (c == '\\') {
		int d = scan_getc(s);
		s->entry[s->len++] = (char)c;
		if (d == EOF)
			return;
		c = d;
	} else if (c == '"') {
		s->quoted = 0;
	}
	if (c == '\n')
		s->line++;
	s->entry[s->len++] = (char)c;
}

/* One character outside quotes. Returns SCAN_MORE, SCAN_ENTRY at the end
 * of the entry, or STEER_EMALF. */
static int scan_plain(struct scan *s, int c)
{
	switch (c) {
	case '\\': { /* an escape: the next character is data */
		int d = scan_getc(s);
		s->entry[s->len++] = '\\';
		if (d != EOF)
			s->entry[s->len++] = (char)d;
		return SCAN_MORE;
	}
	case ';': /* a comment, up to the end of the line */
		while ((c = scan_getc(s)) != EOF && c != '\n')
			;
		if (c == EOF)
			return SCAN_MORE;
		break;
	case '"':
		s->quoted = 1;
		s->quote_line = s->line;
		s->quote_at = s->len;
		break;
	case '(':
		if (s->depth++ == 0)
			s->paren_line = s->line;
		c = ' ';
		break;
	case ')':
		if (--s->depth < 0)
			return scan_fail(s, s->line, "unbalanced parentheses: ')' without '('");
		c = ' ';
		break;
	case '\r':
		c = ' ';
		break;
	}
	if (c == '\n') {
		s->line++;
		if (s->depth == 0) {
			if (s->have)
				return SCAN_ENTRY;
			s->len = 0; /* blank or comment-only line */
			return SCAN_MORE;
		}
		c = ' ';
	}
	s->entry[s->len++] = (char)c;
	return SCAN_MORE;
}

/* The file ended: an open quote or parenthesis is an error. */
static int scan_eof(struct scan *s)
{
	char why[sizeof(s->err)];

	s->entry[s->len] = '\0'; /* scan_next() left room */
	if (s->quoted) {
		const char *q = s->entry + s->quote_at;
		int n = (int)strcspn(q, "\n");
		snprintf(why, sizeof(why), "unterminated quoted string '%.*s%s'", n > 40 ? 40 : n, q,
			 n > 40 ? "..." : "");
		return scan_fail(s, s->quote_line, why);
	}
	if (s->depth)
		return scan_fail(s, s->paren_line, "unbalanced parentheses: '(' without ')'");
	return s->have ? SCAN_ENTRY : 0;
}

/* Read the next logical entry: one record or directive, with parentheses
 * joined into one line and comments removed. Leading blanks are kept (they
 * mean "same owner as before"). Returns 1 with *start_line set, 0 at EOF,
 * STEER_EMALF (reason in s->err) or STEER_ENOMEM. */
static int scan_next(struct scan *s, unsigned *start_line)
{
	int c, ret = SCAN_MORE;

	s->len = 0;
	s->have = 0;
	while (ret == SCAN_MORE) {
		if (s->len >= ZLOAD_ENTRY_MAX)
			return scan_fail(s, s->have ? *start_line : s->line,
					 "entry longer than 1048576 bytes (the limit for one record)");
		if (s->len + 4 >= s->cap && scan_grow(s) != STEER_EOK)
			return STEER_ENOMEM;
		if (s->have && !s->quoted) {
			scan_run(s);
			if (s->len + 4 >= s->cap || s->len >= ZLOAD_ENTRY_MAX)
				continue; /* grow, or report the length */
		}
		if ((c = scan_getc(s)) == EOF) {
			ret = scan_eof(s);
			break;
		}
		if (!s->have && c != '\n' && c != ' ' && c != '\t' && c != '\r' && c != ';') {
			s->have = 1;
			*start_line = s->line;
		}
		if (s->quoted)
			scan_quoted(s, c);
		else
			ret = scan_plain(s, c);
	}
	if (ret != SCAN_ENTRY)
		return ret;
	while (s->len > 0 && (s->entry[s->len - 1] == ' ' || s->entry[s->len - 1] == '\t'))
		s->len--; /* trailing blanks */
	s->entry[s->len] = '\0';
	return 1;
}

/* --- one file ---------------------------------------------------------------- */

/* What is in force while one file is read. */
struct rfile {
	struct loader *L;
	const char *file;       /* in L->files */
	int depth;              /* $INCLUDE nesting, 0 for the zone's file */
	ldns_rdf *origin;       /* owned: $ORIGIN in force */
	ldns_rdf *prev;         /* owned: ldns's previous owner, or NULL */
	uint32_t default_ttl;   /* $TTL in force */
	ldns_buffer *buf;       /* borrowed: scratch for ldns's wire form */
	struct zonefast_state fs;
	int fast_since_ldns;    /* records went by zonefast since ldns's last */
};

static int read_file(struct rfile *parent, const char *path, const ldns_rdf *origin, const char *from,
		     unsigned from_line);

/* First blank-separated token of s (an escaped blank, "\ ", is part of
 * it); returns the rest (a pointer into s). */
static const char *token(const char *s, char *tok, size_t size)
{
	size_t n = 0;

	while (*s == ' ' || *s == '\t')
		s++;
	while (*s && *s != ' ' && *s != '\t') {
		int esc = *s == '\\' && s[1];
		for (int k = 0; k <= esc; k++, s++)
			if (n + 1 < size)
				tok[n++] = *s;
	}
	tok[n] = '\0';
	return s;
}

/* Nothing may follow a directive's arguments. */
static int directive_end(struct rfile *rf, unsigned line, const char *kw, const char *rest)
{
	char extra[64];

	token(rest, extra, sizeof(extra));
	if (!extra[0])
		return STEER_EOK;
	return zload_error(rf->L, rf->file, line, "unexpected '%s' after %s", extra, kw);
}

/* A domain name argument of a directive: ldns's wire form, made absolute
 * against origin. STEER_EOK with *out set, or STEER_EMALF (reported). */
static int directive_name(struct rfile *rf, unsigned line, const char *kw, const char *arg, ldns_rdf **out)
{
	size_t originlen = ldns_rdf_size(rf->origin);
	char why[256];

	*out = NULL;
	if (!arg[0])
		return zload_error(rf->L, rf->file, line, "%s needs a domain name", kw);
	if (zload_syntax_name(arg, strlen(arg), originlen, why, sizeof(why)) != STEER_EOK)
		return zload_error(rf->L, rf->file, line, "%s: %s", kw, why);
	if (ldns_str2rdf_dname(out, arg) != LDNS_STATUS_OK)
		return zload_error(rf->L, rf->file, line, "%s: bad domain name '%s'", kw, arg);
	if (!ldns_dname_str_absolute(arg)) {
		/* A relative name is relative to the current origin. */
		ldns_rdf *abs = ldns_dname_cat_clone(*out, rf->origin);
		ldns_rdf_deep_free(*out);
		*out = abs;
		if (!abs)
			return zload_nomem(rf->L, rf->file, line);
	}
	return STEER_EOK;
}

static int dir_origin(struct rfile *rf, unsigned line, const char *args)
{
	char arg[1024];
	const char *rest = token(args, arg, sizeof(arg));
	ldns_rdf *o;
	int ret = directive_name(rf, line, "$ORIGIN", arg, &o);

	if (ret != STEER_EOK)
		return ret;
	ldns_rdf_deep_free(rf->origin);
	rf->origin = o;
	return directive_end(rf, line, "$ORIGIN", rest);
}

static int dir_ttl(struct rfile *rf, unsigned line, const char *args)
{
	char arg[64];
	const char *rest = token(args, arg, sizeof(arg));

	if (!arg[0])
		return zload_error(rf->L, rf->file, line, "$TTL needs a time value (e.g. 3600, 1h, 1w2d)");
	if (zload_syntax_period(arg, strlen(arg), &rf->default_ttl) != STEER_EOK)
		return zload_error(rf->L, rf->file, line, "$TTL: invalid TTL '%s' (a time value: 3600, 1h, 1w2d)", arg);
	return directive_end(rf, line, "$TTL", rest);
}

/* The file an $INCLUDE names: quotes stripped, a relative name relative
 * to the including file. malloc'ed, or NULL when out of memory. */
static char *include_path(const char *including, char *arg)
{
	size_t al = strlen(arg);
	char *path = NULL, *copy;

	if (al >= 2 && arg[0] == '"' && arg[al - 1] == '"') {
		memmove(arg, arg + 1, al - 2);
		arg[al - 2] = '\0';
	}
	if (arg[0] == '/' || !strchr(including, '/'))
		return strdup(arg);
	if ((copy = strdup(including)) && asprintf(&path, "%s/%s", dirname(copy), arg) < 0)
		path = NULL;
	free(copy);
	return path;
}

static int dir_include(struct rfile *rf, unsigned line, const char *args)
{
	char arg[1024], arg2[1024];
	const char *rest = token(token(args, arg, sizeof(arg)), arg2, sizeof(arg2));
	ldns_rdf *inc_origin = NULL;
	char *path;
	int ret;

	if (!arg[0])
		return zload_error(rf->L, rf->file, line, "$INCLUDE needs a file name");
	if (rf->depth >= ZLOAD_INCLUDE_DEPTH_MAX)
		return zload_error(rf->L, rf->file, line, "$INCLUDE nested more than %d deep", ZLOAD_INCLUDE_DEPTH_MAX);
	if (arg2[0] && (ret = directive_name(rf, line, "$INCLUDE", arg2, &inc_origin)) != STEER_EOK)
		return ret;
	if ((ret = directive_end(rf, line, "$INCLUDE", rest)) != STEER_EOK || !(path = include_path(rf->file, arg))) {
		ldns_rdf_deep_free(inc_origin);
		return ret != STEER_EOK ? ret : zload_nomem(rf->L, rf->file, line);
	}
	/* The included file starts with the given origin (or ours) and our
	 * $TTL, and changes neither of ours (RFC 1035 5.1). */
	ret = read_file(rf, path, inc_origin ? inc_origin : rf->origin, rf->file, line);
	ldns_rdf_deep_free(inc_origin);
	free(path);
	return ret == STEER_EOK || ret == STEER_ENOMEM ? ret : STEER_EMALF;
}

static const struct {
	const char *keyword;
	int (*run)(struct rfile *rf, unsigned line, const char *args);
} directives[] = {
	{ "$ORIGIN", dir_origin },
	{ "$TTL", dir_ttl },
	{ "$INCLUDE", dir_include },
};

static int directive(struct rfile *rf, unsigned line, const char *entry)
{
	char kw[64];
	const char *args = token(entry, kw, sizeof(kw));

	for (size_t i = 0; i < sizeof(directives) / sizeof(directives[0]); i++)
		if (strcasecmp(kw, directives[i].keyword) == 0)
			return directives[i].run(rf, line, args);
	return zload_error(rf->L, rf->file, line, "unknown directive '%s'", kw);
}

/* --- records ------------------------------------------------------------------- */

/* A type's mnemonic for messages ("TLSA", or "TYPE65226"). */
static const char *type_name(uint16_t type, char *buf, size_t size)
{
	const ldns_rr_descriptor *d = ldns_rr_descript(type);

	if (d && d->_name)
		return d->_name;
	snprintf(buf, size, "TYPE%u", type);
	return buf;
}

/* One record ldns parsed: class IN only, rdata in wire form. */
static int add_ldns(struct rfile *rf, ldns_rr *rr, unsigned line)
{
	ldns_rdf *owner = ldns_rr_owner(rr);

	if (ldns_rr_get_class(rr) != LDNS_RR_CLASS_IN) {
		char *cls = ldns_rr_class2str(ldns_rr_get_class(rr));
		zload_error(rf->L, rf->file, line, "class '%s': only class IN is served", cls ? cls : "?");
		free(cls);
		return STEER_EMALF;
	}
	ldns_buffer_clear(rf->buf);
	if (ldns_rr_rdata2buffer_wire(rf->buf, rr) != LDNS_STATUS_OK)
		return zload_error(rf->L, rf->file, line, "cannot convert the record to wire format");
	return zload_add_record(rf->L, ldns_rdf_data(owner), ldns_rdf_size(owner), (uint16_t)ldns_rr_get_type(rr),
				ldns_rr_ttl(rr), ldns_buffer_begin(rf->buf), ldns_buffer_position(rf->buf), rf->file,
				line);
}

/* An entry the fast path declined: ldns parses it, syntax.c checks it. */
static int record_ldns(struct rfile *rf, char *entry, unsigned line)
{
	char msg[384], tbuf[16];
	ldns_rr *rr = NULL;
	ldns_status st;
	uint16_t type;
	int ret;

	if (rf->fast_since_ldns && rf->fs.have_prev) {
		/* ldns's idea of the previous owner is stale after fast records. */
		ldns_rdf_deep_free(rf->prev);
		rf->prev = ldns_rdf_new_frm_data(LDNS_RDF_TYPE_DNAME, rf->fs.prevlen, rf->fs.prev_owner);
	}
	rf->fast_since_ldns = 0;
	if (strlen(entry) > LDNS_MAX_RDFLEN) /* ldns would cut the text and load changed data */
		return zload_error(rf->L, rf->file, line, "record longer than %d characters", LDNS_MAX_RDFLEN);
	zonefast_normalize_class_ttl(entry);
	st = ldns_rr_new_frm_str(&rr, entry, rf->default_ttl, rf->origin, &rf->prev);
	if (rf->prev) /* ldns sets prev before parsing rdata, so also after a failure */
		zonefast_set_prev(&rf->fs, ldns_rdf_data(rf->prev), ldns_rdf_size(rf->prev));
	/* Also when ldns accepted it: ldns reads some typos as other data. */
	if (zload_syntax_check(entry, ldns_rdf_size(rf->origin), &type, msg, sizeof(msg)) != STEER_EOK)
		ret = zload_error(rf->L, rf->file, line, "%s", msg);
	else if (st != LDNS_STATUS_OK && type)
		ret = zload_error(rf->L, rf->file, line, "%s record: %s", type_name(type, tbuf, sizeof(tbuf)),
				  ldns_get_errorstr_by_id(st));
	else if (st != LDNS_STATUS_OK)
		ret = zload_error(rf->L, rf->file, line, "%s", ldns_get_errorstr_by_id(st));
	else
		ret = add_ldns(rf, rr, line);
	ldns_rr_free(rr);
	return ret;
}

/* One logical entry: a directive or a record. */
static int entry(struct rfile *rf, char *text, unsigned line)
{
	struct zonefast_rr *fast = rf->L->fast;
	int ret;

	if (text[0] == '$') {
		ret = directive(rf, line, text);
		zonefast_set_origin(&rf->fs, ldns_rdf_data(rf->origin), ldns_rdf_size(rf->origin));
		return ret;
	}
	/* Common records (A, AAAA, NS, CNAME, MX, TXT, SRV, ...) are parsed by
	 * zonefast.c, seven times faster than ldns and byte-identical to it
	 * (tests/unit/test_zonefast.c checks that); ldns takes everything else.
	 * The two keep one notion of "the previous owner" for blank owners. */
	if (zonefast_parse(text, rf->default_ttl, &rf->fs, fast) == 1) {
		rf->fast_since_ldns = 1;
		return zload_add_record(rf->L, fast->owner, fast->ownerlen, fast->type, fast->ttl, fast->rdata,
					fast->rdlen, rf->file, line);
	}
	return record_ldns(rf, text, line);
}

/* Remember path in L->files (error locations point into it). */
static const char *file_name(struct loader *L, const char *path)
{
	char **files = realloc(L->files, (L->nfiles + 1) * sizeof(*files));

	if (!files)
		return NULL;
	L->files = files;
	if (!(files[L->nfiles] = strdup(path)))
		return NULL;
	return files[L->nfiles++];
}

/* Every entry of an open file. STEER_EOK, STEER_EMALF after errors (all
 * reported), STEER_ENOMEM. */
static int read_entries(struct rfile *rf, struct scan *s)
{
	unsigned start = 1;
	int n, ret = STEER_EOK, r;

	while ((n = scan_next(s, &start)) > 0) {
		r = entry(rf, s->entry, start);
		if (r == STEER_ENOMEM)
			return r;
		if (r != STEER_EOK)
			ret = STEER_EMALF;
	}
	if (n == STEER_EMALF) /* the rest of the file cannot be split reliably */
		return zload_error(rf->L, rf->file, s->err_line, "%s", s->err);
	if (n < 0)
		return zload_nomem(rf->L, rf->file, start);
	return ret;
}

/* What a file type is called in an error. */
static const char *file_kind(mode_t m)
{
	return S_ISDIR(m) ? "a directory" : S_ISCHR(m) ? "a character device" : S_ISBLK(m) ? "a block device" :
	       S_ISFIFO(m) ? "a FIFO" : S_ISSOCK(m) ? "a socket" : "not a regular file";
}

/* Open path for reading if it is a regular file that keeps the zone's
 * files within ZLOAD_BYTES_MAX. O_NONBLOCK so that opening a FIFO does not
 * wait for a writer; the type is checked on the open descriptor (fstat),
 * so a name swapped after a check cannot slip a device in. Errors are
 * reported at from:from_line ($INCLUDE) or against path, naming path. */
static int open_zone_file(struct loader *L, const char *path, const char *from, unsigned from_line, FILE **out)
{
	const char *what = from ? "$INCLUDE " : "";
	const char *at = from ? from : path;
	unsigned line = from ? from_line : 0;
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC), ret;
	struct stat st = { 0 };

	*out = NULL;
	if (fd < 0) {
		ret = -errno;
		if (from)
			return zload_error(L, at, line, "$INCLUDE %s: cannot open: %s", path, strerror(-ret)), ret;
		return zload_error(L, path, 0, "cannot open: %s", strerror(-ret)), ret;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		ret = zload_error(L, at, line, "%s%s: %s: only regular files are read", what, path,
				  file_kind(st.st_mode));
	} else if ((L->bytes += (unsigned long long)st.st_size) > ZLOAD_BYTES_MAX) {
		ret = zload_error(L, at, line, "%s%s: the zone's files are over 4 GiB together (the limit)", what, path);
	} else if (fcntl(fd, F_SETFL, 0) < 0 || !(*out = fdopen(fd, "r"))) {
		ret = -errno;
		zload_error(L, at, line, "%s%s: cannot read: %s", what, path, strerror(-ret));
	} else {
		return STEER_EOK;
	}
	close(fd);
	return ret;
}

/* Read path with origin, parent's $TTL and depth + 1 (parent NULL: the
 * zone's file). The file's own $TTL and $ORIGIN do not leak back. An open
 * failure is reported at from:from_line ($INCLUDE) or against path. */
static int read_file(struct rfile *parent, const char *path, const ldns_rdf *origin, const char *from,
		     unsigned from_line)
{
	struct rfile rf = *parent;
	struct scan s = { .line = 1 };
	int ret;

	rf.depth = parent->file ? parent->depth + 1 : 0;
	rf.prev = NULL;
	rf.fast_since_ldns = 0;
	if ((ret = open_zone_file(rf.L, path, from, from_line, &s.f)) != STEER_EOK)
		return ret;
	rf.origin = ldns_rdf_clone(origin);
	s.buf = malloc(SCAN_BUF);
	if (!rf.origin || !s.buf || !(rf.file = file_name(rf.L, path))) {
		ret = zload_nomem(rf.L, path, 0);
	} else {
		zonefast_init(&rf.fs);
		zonefast_set_origin(&rf.fs, ldns_rdf_data(rf.origin), ldns_rdf_size(rf.origin));
		ret = read_entries(&rf, &s);
	}
	free(s.entry);
	free(s.buf);
	fclose(s.f);
	ldns_rdf_deep_free(rf.origin);
	ldns_rdf_deep_free(rf.prev);
	return ret;
}

int zload_zone_name(struct loader *L, const char *name, const char *file)
{
	ldns_rdf *origin = NULL;

	if (ldns_str2rdf_dname(&origin, name) != LDNS_STATUS_OK || ldns_rdf_size(origin) > DNAME_MAXLEN) {
		ldns_rdf_deep_free(origin);
		return zload_error(L, file, 0, "zone name '%s' is not a valid domain name", name);
	}
	L->apexlen = (uint16_t)ldns_rdf_size(origin);
	dname_lower(L->apex, ldns_rdf_data(origin), L->apexlen);
	L->apexlabels = dname_labels(L->apex);
	ldns_rdf_deep_free(origin);
	return STEER_EOK;
}

int zload_read_zone(struct loader *L, const char *path)
{
	struct rfile top = { .L = L, .default_ttl = ZLOAD_DEFAULT_TTL };
	ldns_rdf *origin = NULL;
	int ret;

	/* The origin as written in the config (relative names in RDATA keep
	 * its case); zload_zone_name() checked it already. */
	top.buf = ldns_buffer_new(65536);
	if (ldns_str2rdf_dname(&origin, L->zone_name) != LDNS_STATUS_OK || !top.buf)
		ret = zload_nomem(L, path, 0);
	else
		ret = read_file(&top, path, origin, NULL, 0);
	if (top.buf)
		ldns_buffer_free(top.buf);
	ldns_rdf_deep_free(origin);
	return ret;
}
