/* journal.c -- IXFR journals: kept per snapshot in memory, appended and checked on disk. */
#include "config.h"
#include "server/xfr/journal.h"
#include "server/wire/dname.h"
#include "server/wire/rr.h"
#include "server/zone/snapshot.h"
#include "server/zone/zone.h"
#include "server/zone/zonedb.h"
#include "server/zone/zonedb_find.h"
#include "common/conf.h"
#include "common/errlist.h"
#include "common/errors.h"
#include "common/log.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- config ---- */

static const struct conf_field journal_fields[] = {
	{ "max_size", CONF_INT, offsetof(struct journal_conf, max_size), 0, 1LL << 40 },
	{ "max_depth", CONF_INT, offsetof(struct journal_conf, max_depth), 0, 1000000 },
	{ "max_age", CONF_INT, offsetof(struct journal_conf, max_age), 0, 100LL * 365 * 86400 },
};

int journal_conf_read(const struct conf_file *cf, const char *state_dir, struct journal_conf *out,
		      struct errlist *errs)
{
	json_t *obj = json_object_get(cf->root, "journal");

	memset(out, 0, sizeof(*out));
	out->max_size = JOURNAL_MAX_SIZE_DEFAULT;
	out->max_depth = JOURNAL_MAX_DEPTH_DEFAULT;
	out->max_age = JOURNAL_MAX_AGE_DEFAULT;
	if (state_dir && asprintf(&out->dir, "%s/journal", state_dir) < 0) {
		out->dir = NULL;
		errlist_add(errs, "%s: out of memory", cf->path);
		return 1;
	}
	if (!obj)
		return 0;
	if (!json_is_object(obj)) {
		conf_err(errs, cf, (conf_path_t){ "journal", NULL },
			 "expected {\"max_size\": BYTES, \"max_depth\": N, \"max_age\": SECONDS}");
		return 1;
	}
	return conf_read_fields(cf, obj, (conf_path_t){ "journal", NULL }, journal_fields,
				CONF_NFIELDS(journal_fields), out, errs);
}

void journal_conf_clear(struct journal_conf *c)
{
	free(c->dir);
	memset(c, 0, sizeof(*c));
}

/* ---- in memory ---- */

static void jdelta_unref(struct jdelta *d)
{
	if (d && atomic_fetch_sub(&d->refs, 1) == 1) {
		zone_diff_clear(&d->d);
		free(d);
	}
}

void journal_ref(struct journal *j)
{
	atomic_fetch_add(&j->refs, 1);
}

void journal_unref(struct journal *j)
{
	if (!j || atomic_fetch_sub(&j->refs, 1) != 1)
		return;
	for (size_t i = 0; i < j->n; i++)
		jdelta_unref(j->v[i]);
	free(j->v);
	free(j);
}

/* A journal ending at serial over v[0..n) (references taken), n + extra slots. */
static struct journal *journal_make(uint32_t serial, struct jdelta *const *v, size_t n, size_t extra)
{
	struct journal *j = calloc(1, sizeof(*j));

	if (!j || !(j->v = calloc(n + extra + 1, sizeof(*j->v)))) {
		free(j);
		return NULL;
	}
	atomic_init(&j->refs, 1);
	j->serial = serial;
	for (size_t i = 0; i < n; i++) {
		atomic_fetch_add(&v[i]->refs, 1);
		j->v[j->n++] = v[i];
		j->bytes += v[i]->bytes;
	}
	return j;
}

long journal_find(const struct journal *j, uint32_t from, size_t *first)
{
	if (from == j->serial)
		return 0;
	for (size_t i = 0; i < j->n; i++)
		if (j->v[i]->d.from == from) {
			*first = i;
			return (long)(j->n - i);
		}
	return -1;
}

/* Drop the oldest differences until j keeps to c's bounds at time now.
 * Returns how many went. */
static size_t journal_trim(const struct journal_conf *c, struct journal *j, time_t now)
{
	size_t drop = 0, bytes = j->bytes;

	while (drop < j->n && ((long long)(j->n - drop) > c->max_depth || (long long)bytes > c->max_size ||
			       (long long)(now - j->v[drop]->made) > c->max_age)) {
		bytes -= j->v[drop]->bytes;
		jdelta_unref(j->v[drop++]);
	}
	if (drop) {
		memmove(j->v, j->v + drop, (j->n - drop) * sizeof(*j->v));
		j->n -= drop;
		j->bytes = bytes;
	}
	return drop;
}

static void journal_drop_all(struct journal *j)
{
	for (size_t i = 0; i < j->n; i++)
		jdelta_unref(j->v[i]);
	j->n = 0;
	j->bytes = 0;
}

/* ---- on disk ----
 *
 * File:    "SJNL" u32 version(1) u8 apexlen apex
 * Record:  u32 RECORD_MAGIC, u32 payload length, payload, u32 CRC-32 of the payload
 * Payload: u32 from, u32 to, u64 made, u32 del count, u32 del bytes,
 *          u32 add count, u32 add bytes, del RRs, add RRs (diff.h's lists)
 * All numbers big-endian.
 */
#define FILE_MAGIC "SJNL"
#define FILE_VERSION 1
#define RECORD_MAGIC 0x534a5244u /* "SJRD" */
#define PAYLOAD_FIXED 32
#define RECORD_OVERHEAD 12

static uint32_t crc_table[256];

/* CRC-32 (IEEE 802.3, as zlib and gzip): a torn or damaged record fails it. */
static uint32_t crc32_of(const uint8_t *p, size_t n)
{
	uint32_t c = 0xffffffffu;

	if (!crc_table[1])
		for (uint32_t i = 0; i < 256; i++) {
			uint32_t v = i;
			for (int k = 0; k < 8; k++)
				v = v & 1 ? 0xedb88320u ^ (v >> 1) : v >> 1;
			crc_table[i] = v;
		}
	for (size_t i = 0; i < n; i++)
		c = crc_table[(c ^ p[i]) & 0xff] ^ (c >> 8);
	return c ^ 0xffffffffu;
}

static size_t record_size(const struct zone_diff *d)
{
	return RECORD_OVERHEAD + PAYLOAD_FIXED + d->del.len + d->add.len;
}

/* The record of d into buf (record_size(d) bytes). */
static void record_put(uint8_t *buf, const struct zone_diff *d, time_t made)
{
	uint8_t *p = buf + 8;
	size_t plen = PAYLOAD_FIXED + d->del.len + d->add.len;

	wire_put32(buf, RECORD_MAGIC);
	wire_put32(buf + 4, (uint32_t)plen);
	wire_put32(p, d->from);
	wire_put32(p + 4, d->to);
	wire_put32(p + 8, (uint32_t)((uint64_t)made >> 32));
	wire_put32(p + 12, (uint32_t)made);
	wire_put32(p + 16, d->del.count);
	wire_put32(p + 20, (uint32_t)d->del.len);
	wire_put32(p + 24, d->add.count);
	wire_put32(p + 28, (uint32_t)d->add.len);
	memcpy(p + PAYLOAD_FIXED, d->del.data, d->del.len);
	memcpy(p + PAYLOAD_FIXED + d->del.len, d->add.data, d->add.len);
	wire_put32(p + plen, crc32_of(p, plen));
}

static int list_from(struct rrlist *l, const uint8_t *p, size_t len, uint32_t count)
{
	if (!rrlist_check(p, len, count) || count == 0)
		return STEER_EMALF;
	if (!(l->data = malloc(len ? len : 1)))
		return STEER_ENOMEM;
	memcpy(l->data, p, len);
	l->len = l->cap = len;
	l->count = count;
	return STEER_EOK;
}

/* The record at buf[0..avail): *out (a new delta) and *used bytes, or
 * STEER_EMALF when it is cut short or damaged, or STEER_ENOMEM. */
static int record_get(const uint8_t *buf, size_t avail, struct jdelta **out, size_t *used)
{
	const uint8_t *p = buf + 8;
	size_t plen, dl, al;
	struct jdelta *d;
	int ret;

	if (avail < RECORD_OVERHEAD + PAYLOAD_FIXED || wire_get32(buf) != RECORD_MAGIC)
		return STEER_EMALF;
	plen = wire_get32(buf + 4);
	if (plen < PAYLOAD_FIXED || plen > avail - RECORD_OVERHEAD || wire_get32(p + plen) != crc32_of(p, plen))
		return STEER_EMALF;
	dl = wire_get32(p + 20);
	al = wire_get32(p + 28);
	if (dl > plen - PAYLOAD_FIXED || al != plen - PAYLOAD_FIXED - dl)
		return STEER_EMALF;
	if (!(d = calloc(1, sizeof(*d))))
		return STEER_ENOMEM;
	atomic_init(&d->refs, 1);
	zone_diff_init(&d->d);
	d->d.from = wire_get32(p);
	d->d.to = wire_get32(p + 4);
	d->made = (time_t)((uint64_t)wire_get32(p + 8) << 32 | wire_get32(p + 12));
	d->bytes = plen + RECORD_OVERHEAD;
	if ((ret = list_from(&d->d.del, p + PAYLOAD_FIXED, dl, wire_get32(p + 16))) != STEER_EOK ||
	    (ret = list_from(&d->d.add, p + PAYLOAD_FIXED + dl, al, wire_get32(p + 24))) != STEER_EOK) {
		jdelta_unref(d);
		return ret;
	}
	*out = d;
	*used = d->bytes;
	return STEER_EOK;
}

char *journal_path(const char *dir, const struct zone *z)
{
	char name[4 * DNAME_MAXLEN + 8], *path;
	size_t k = 0;

	/* From the wire labels, so a dot or slash inside a label cannot
	 * leave the directory or collide with another zone's file. */
	for (const uint8_t *l = z->apex; *l; l += *l + 1) {
		if (k)
			name[k++] = '.';
		for (int i = 1; i <= *l; i++) {
			uint8_t ch = l[i];
			if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '_')
				name[k++] = (char)ch;
			else
				k += (size_t)snprintf(name + k, 4, "%%%02x", ch);
		}
	}
	name[k] = 0;
	if (asprintf(&path, "%s/%s.jnl", dir, k ? name : "root") < 0)
		return NULL;
	return path;
}

static size_t header_put(uint8_t *buf, const struct zone *z)
{
	memcpy(buf, FILE_MAGIC, 4);
	wire_put32(buf + 4, FILE_VERSION);
	buf[8] = (uint8_t)z->apexlen;
	memcpy(buf + 9, z->apex, z->apexlen);
	return 9 + z->apexlen;
}

static int write_all(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0)
			return -errno;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int mkdir_for(const char *dir)
{
	if (mkdir(dir, 0750) == 0 || errno == EEXIST)
		return 0;
	return -errno;
}

/* Write j's records as the whole file of z: beside it, synced, renamed over. */
static int file_rewrite(const struct journal_conf *c, const struct zone *z, const struct journal *j)
{
	char *path = journal_path(c->dir, z), *tmp = NULL;
	uint8_t head[9 + DNAME_MAXLEN];
	int fd = -1, ret = STEER_ENOMEM;

	if (!path || asprintf(&tmp, "%s.new", path) < 0) {
		free(path);
		return STEER_ENOMEM;
	}
	if ((ret = mkdir_for(c->dir)) == 0 && (fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640)) < 0)
		ret = -errno;
	if (fd >= 0)
		ret = write_all(fd, head, header_put(head, z));
	for (size_t i = 0; fd >= 0 && ret == 0 && i < j->n; i++) {
		uint8_t *rec = malloc(j->v[i]->bytes);
		if (!rec) {
			ret = STEER_ENOMEM;
			break;
		}
		record_put(rec, &j->v[i]->d, j->v[i]->made);
		ret = write_all(fd, rec, j->v[i]->bytes);
		free(rec);
	}
	if (fd >= 0 && ret == 0 && fsync(fd) != 0)
		ret = -errno;
	if (fd >= 0 && close(fd) != 0 && ret == 0)
		ret = -errno;
	if (ret == 0 && rename(tmp, path) != 0)
		ret = -errno;
	if (ret == 0 && (fd = open(c->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		fsync(fd); /* the rename itself, on file systems that need it */
		close(fd);
	}
	if (ret != 0)
		unlink(tmp);
	free(tmp);
	free(path);
	return ret;
}

/* Append d's record to z's file (which holds the journal before d). */
static int file_append(const struct journal_conf *c, const struct zone *z, const struct jdelta *d)
{
	char *path = journal_path(c->dir, z);
	uint8_t *rec = malloc(d->bytes);
	int fd, ret;

	if (!path || !rec) {
		free(path);
		free(rec);
		return STEER_ENOMEM;
	}
	record_put(rec, &d->d, d->made);
	if ((fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC)) < 0) {
		ret = -errno;
	} else {
		/* One write: a crash leaves at most this record cut short, which
		 * the next start's checks drop. */
		ret = write_all(fd, rec, d->bytes);
		if (ret == 0 && fdatasync(fd) != 0)
			ret = -errno;
		close(fd);
	}
	free(rec);
	free(path);
	return ret;
}

/* The whole file at path into *buf (*len bytes). -errno on failure. */
static int file_read(const char *path, uint8_t **buf, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	ssize_t r;

	*buf = NULL;
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) != 0 || !(*buf = malloc((size_t)st.st_size + 1))) {
		close(fd);
		return STEER_ENOMEM;
	}
	r = read(fd, *buf, (size_t)st.st_size);
	close(fd);
	if (r != st.st_size) {
		free(*buf);
		*buf = NULL;
		return STEER_EMALF;
	}
	*len = (size_t)r;
	return 0;
}

/* Parse buf into a journal for zone z, the records that chain (a break
 * starts the chain afresh). *good is where the last good record ends. */
static int journal_parse(const struct zone *z, const uint8_t *buf, size_t len, struct journal **out, size_t *good)
{
	struct journal *j = journal_make(0, NULL, 0, 0);
	size_t off, used;
	size_t cap = 0;

	*out = NULL;
	*good = 0;
	if (!j)
		return STEER_ENOMEM;
	if (len < 9 || memcmp(buf, FILE_MAGIC, 4) != 0 || wire_get32(buf + 4) != FILE_VERSION ||
	    buf[8] != z->apexlen || len < 9u + z->apexlen || memcmp(buf + 9, z->apex, z->apexlen) != 0) {
		*out = j;
		return STEER_EMALF;
	}
	off = *good = 9u + z->apexlen;
	for (;;) {
		struct jdelta *d;
		int ret = record_get(buf + off, len - off, &d, &used);
		if (ret == STEER_ENOMEM) {
			journal_unref(j);
			return ret;
		}
		if (ret != STEER_EOK)
			break;
		if (j->n && j->v[j->n - 1]->d.to != d->d.from)
			journal_drop_all(j); /* the chain starts afresh here */
		if (j->n + 1 >= cap) {
			struct jdelta **nv = realloc(j->v, (cap = cap * 2 + 16) * sizeof(*nv));
			if (!nv) {
				jdelta_unref(d);
				journal_unref(j);
				return STEER_ENOMEM;
			}
			j->v = nv;
		}
		j->v[j->n++] = d;
		j->bytes += d->bytes;
		j->serial = d->d.to;
		off += used;
		*good = off;
	}
	*out = j;
	return STEER_EOK;
}

int journal_open(const struct journal_conf *c, const struct zone *z, struct journal **out)
{
	char *path;
	uint8_t *buf;
	size_t len = 0, good = 0;
	struct journal *j;
	int ret;

	*out = NULL;
	if (!c->dir)
		return (*out = journal_make(z->serial, NULL, 0, 0)) ? STEER_EOK : STEER_ENOMEM;
	if (!(path = journal_path(c->dir, z)))
		return STEER_ENOMEM;
	if ((ret = file_read(path, &buf, &len)) != 0) {
		if (ret != -ENOENT)
			log_err("zone %s: journal %s: %s; starting without one", z->name, path, steer_strerror(ret));
		free(path);
		return (*out = journal_make(z->serial, NULL, 0, 0)) ? STEER_EOK : STEER_ENOMEM;
	}
	ret = journal_parse(z, buf, len, &j, &good);
	free(buf);
	if (ret == STEER_ENOMEM) {
		free(path);
		return ret;
	}
	if (ret != STEER_EOK || (j->n && j->serial != z->serial)) {
		if (ret != STEER_EOK)
			log_warn("zone %s: journal %s is not a journal of this zone; dropped", z->name, path);
		else
			log_notice("zone %s: journal %s ends at serial %u, the zone is at %u; dropped (IXFR from older "
				   "serials is answered with the whole zone)", z->name, path, j->serial, z->serial);
		journal_drop_all(j);
		unlink(path);
		good = len + 1; /* no file now: the next change writes a new one */
	} else if (good != len) {
		/* Rewritten below (or at the next change) without the tail. */
		log_warn("zone %s: journal %s: %zu bytes after the last good record (cut short by a crash?); dropped",
			 z->name, path, len - good);
	}
	j->serial = z->serial;
	/* In sync when the file holds exactly what we keep: rewritten
	 * otherwise at the next change (or now, when cut). */
	j->synced = good == len && ret == STEER_EOK && journal_trim(c, j, time(NULL)) == 0;
	if (!j->synced && j->n && file_rewrite(c, z, j) == 0)
		j->synced = 1;
	if (j->n)
		log_info("zone %s: journal of %zu difference%s from serial %u", z->name, j->n, j->n == 1 ? "" : "s",
			 j->v[0]->d.from);
	free(path);
	*out = j;
	return STEER_EOK;
}

/* RFC 1982: is a later than b? */
static int serial_newer(uint32_t a, uint32_t b)
{
	return a != b && (int32_t)(a - b) > 0;
}

/* The step oz -> nz appended to prev, trimmed, on disk; secs: how long the
 * difference took (for the log). */
static int journal_grow(const struct journal_conf *c, struct journal *prev, const struct zone *oz,
			const struct zone *nz, struct zone_diff *diff, double secs, struct journal **out)
{
	struct jdelta *d = calloc(1, sizeof(*d));
	struct journal *j = d ? journal_make(nz->serial, prev->v, prev->n, 1) : NULL;
	int ret = 0;

	if (!j) {
		free(d);
		zone_diff_clear(diff);
		return STEER_ENOMEM;
	}
	atomic_init(&d->refs, 1);
	d->d = *diff;
	d->made = time(NULL);
	d->bytes = record_size(diff);
	j->v[j->n++] = d;
	j->bytes += d->bytes;
	/* For the log: the trim below may drop d itself (a difference larger
	 * than max_size on its own). */
	uint32_t nout = d->d.del.count - 1, nin = d->d.add.count - 1;
	if (journal_trim(c, j, d->made) == 0 && prev->synced && c->dir)
		ret = file_append(c, nz, d);
	else if (c->dir)
		ret = file_rewrite(c, nz, j);
	j->synced = c->dir && ret == 0;
	if (ret != 0)
		log_err("zone %s: journal in %s: %s; kept in memory only", nz->name, c->dir, steer_strerror(ret));
	log_info("zone %s: serial %u -> %u: %u RRs out, %u in (compared in %.3f s); journal of %zu difference%s "
		 "(%zu bytes)", nz->name, oz->serial, nz->serial, nout, nin, secs, j->n,
		 j->n == 1 ? "" : "s", j->bytes);
	*out = j;
	return STEER_EOK;
}

/* A fresh start at nz (no history), with its file emptied. */
static int journal_reset(const struct journal_conf *c, const struct zone *nz, struct journal **out)
{
	struct journal *j = journal_make(nz->serial, NULL, 0, 0);

	if (!j)
		return STEER_ENOMEM;
	j->synced = c->dir && file_rewrite(c, nz, j) == 0;
	*out = j;
	return STEER_EOK;
}

int journal_next(const struct journal_conf *c, struct journal *prev, const struct zone *oz, const struct zone *nz,
		 struct journal **out)
{
	struct zone_diff diff;
	struct timespec t0, t1;

	*out = NULL;
	if (oz == nz) {
		journal_ref(prev);
		*out = prev;
		return STEER_EOK;
	}
	if (nz->serial != oz->serial && !serial_newer(nz->serial, oz->serial)) {
		log_warn("zone %s: serial went back from %u to %u: journal dropped (secondaries at the old serial will "
			 "not take the zone until it passes theirs)", nz->name, oz->serial, nz->serial);
		return journal_reset(c, nz, out);
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (zone_diff_compute(oz, nz, &diff) != STEER_EOK)
		return STEER_ENOMEM;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (nz->serial == oz->serial) {
		int same = zone_diff_empty(&diff);
		zone_diff_clear(&diff);
		if (same) {
			journal_ref(prev);
			*out = prev;
			return STEER_EOK;
		}
		log_warn("zone %s: content changed but serial %u did not: journal dropped (IXFR clients at %u will "
			 "not see the change)", nz->name, nz->serial, nz->serial);
		return journal_reset(c, nz, out);
	}
	return journal_grow(c, prev, oz, nz, &diff, (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9,
			    out);
}

/* ---- per snapshot ---- */

struct journal_set {
	const struct zonedb *db;  /* borrowed: the snapshot's */
	struct journal **j;       /* owned references, by position in db */
	size_t n;
};

struct journal *journal_set_get(const struct journal_set *s, const struct zone *z)
{
	uint32_t pos;

	if (!s || zonedb_find_apex(s->db, z->apex, z->apexlen) != z)
		return NULL;
	pos = zonedb_position(s->db, z, dname_hash(z->apex, z->apexlen));
	return pos < s->n ? s->j[pos] : NULL;
}

int journal_set_build(const struct journal_conf *c, const struct zonedb *db, const struct journal_set *prev,
		      const struct zonedb *prev_db, struct journal_set **out)
{
	struct journal_set *s = calloc(1, sizeof(*s));
	size_t n = zonedb_count(db);
	int ret = STEER_EOK;

	*out = NULL;
	if (!s || !(s->j = calloc(n ? n : 1, sizeof(*s->j)))) {
		free(s);
		return STEER_ENOMEM;
	}
	s->db = db;
	for (size_t i = 0; i < n && ret == STEER_EOK; i++, s->n++) {
		const struct zone *nz = zonedb_zone(db, i);
		const struct zone *oz = prev_db ? zonedb_find_apex(prev_db, nz->apex, nz->apexlen) : NULL;
		struct journal *pj = oz && prev ? journal_set_get(prev, oz) : NULL;
		ret = pj ? journal_next(c, pj, oz, nz, &s->j[i]) : journal_open(c, nz, &s->j[i]);
	}
	if (ret != STEER_EOK) {
		journal_set_free(s);
		return ret;
	}
	*out = s;
	return STEER_EOK;
}

void journal_set_free(struct journal_set *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		journal_unref(s->j[i]);
	free(s->j);
	free(s);
}

void journal_set_free_cb(void *s)
{
	journal_set_free(s);
}

int journal_attach(const struct journal_conf *c, struct snapshot *s, const struct snapshot *live)
{
	struct journal_set *js;
	int ret = journal_set_build(c, s->zones, live ? live->journals : NULL, live ? live->zones : NULL, &js);

	if (ret == STEER_EOK) {
		s->journals = js;
		s->free_journals = journal_set_free_cb;
	}
	return ret;
}
