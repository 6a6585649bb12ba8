/* serial.c -- the served SOA serial: keep (checked), increment, unixtime, dateserial. */
#include "config.h"
#include "server/xfr/serial.h"
#include "server/xfr/xfr_conf.h"
#include "server/wire/rr.h"
#include "server/zone/zone.h"
#include "common/errlist.h"
#include "common/errors.h"
#include "common/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---- content hash: order-independent, the SOA serial left out ---- */

static uint64_t fnv(uint64_t h, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return h;
}

static uint64_t mix(uint64_t x) /* splitmix64's finalizer: spreads FNV's bits before the sum */
{
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* Offset of the serial inside the compiled SOA RR (it is 20 bytes before the end). */
static uint8_t *soa_serial_at(const struct zone *z)
{
	const uint8_t *rr = z->soa->data;
	return (uint8_t *)(rr + rr_len(rr) - 20);
}

uint64_t xfr_zone_hash(const struct zone *z)
{
	uint64_t sum = atomic_load(&((struct zone *)z)->content_hash);
	const uint8_t *serial = soa_serial_at(z);

	if (sum)
		return sum;
	/* The sum of one hash per RR does not depend on the order of the node
	 * table (which follows the file's order). */
	for (uint32_t s = 0; s <= z->mask; s++) {
		const struct node *n = zone_slot(z, s);
		for (uint16_t i = 0; n && i < n->nrrsets; i++) {
			const uint8_t *rr = n->rrsets[i].data;
			for (uint16_t k = 0; k < n->rrsets[i].count; rr += rr_len(rr), k++) {
				uint64_t h = fnv(0xcbf29ce484222325ULL, n->name, n->namelen);
				if (rr + rr_len(rr) - 20 == serial) { /* the SOA: all but its serial */
					h = fnv(h, rr, (size_t)(serial - rr));
					h = fnv(h, serial + 4, 16);
				} else {
					h = fnv(h, rr, rr_len(rr));
				}
				sum += mix(h);
			}
		}
	}
	sum |= 1; /* never 0: 0 means "not computed" */
	atomic_store(&((struct zone *)z)->content_hash, sum);
	return sum;
}

/* ---- the state file: "SERIAL HASH\n" ---- */

static void state_path(const struct xfr_zone *xz, char *buf, size_t size)
{
	snprintf(buf, size, "%s/serial/%s", xz->state_dir, xz->name);
}

static int state_read(const struct xfr_zone *xz, uint32_t *serial, uint64_t *hash)
{
	char path[4096];
	unsigned long s;
	unsigned long long h;
	FILE *f;
	int ok;

	state_path(xz, path, sizeof(path));
	if (!(f = fopen(path, "r")))
		return -1;
	ok = fscanf(f, "%lu %llx", &s, &h) == 2;
	fclose(f);
	*serial = (uint32_t)s;
	*hash = h;
	return ok ? 0 : -1;
}

/* Written to a temporary file and renamed: a crash leaves the old or the new state. */
static void state_write(const struct xfr_zone *xz, uint32_t serial, uint64_t hash)
{
	char path[4096], tmp[4200];
	FILE *f;

	snprintf(path, sizeof(path), "%s/serial", xz->state_dir);
	if (mkdir(path, 0750) < 0 && errno != EEXIST)
		goto fail;
	state_path(xz, path, sizeof(path));
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if (!(f = fopen(tmp, "w")))
		goto fail;
	fprintf(f, "%u %llx\n", serial, (unsigned long long)hash);
	if (fflush(f) != 0 || fsync(fileno(f)) != 0) {
		fclose(f);
		goto fail;
	}
	fclose(f);
	if (rename(tmp, path) == 0)
		return;
fail:
	log_warn("zone %s: cannot keep serial %u in %s: %s (a restart may serve a lower one)", xz->name, serial, path,
		 strerror(errno));
}

/* ---- the policies ---- */

/* RFC 1982: is a after b? */
static int serial_gt(uint32_t a, uint32_t b)
{
	return a != b && (uint32_t)(a - b) < 0x80000000u;
}

static uint32_t policy_next(enum xfr_serial p, uint32_t last, int have_last)
{
	time_t now = time(NULL);
	struct tm tm;
	uint32_t want = last + 1;

	if (p == XFR_SERIAL_UNIXTIME) {
		want = (uint32_t)now;
	} else if (p == XFR_SERIAL_DATESERIAL) {
		gmtime_r(&now, &tm);
		want = (uint32_t)((tm.tm_year + 1900) * 1000000u + (tm.tm_mon + 1) * 10000u + tm.tm_mday * 100u);
	} else if (!have_last) {
		return last; /* increment from the file's serial */
	}
	return have_last && !serial_gt(want, last) ? last + 1 : want;
}

static void set_serial(struct zone *z, uint32_t serial)
{
	wire_put32(soa_serial_at(z), serial);
	z->serial = serial;
}

int xfr_serial_pre(struct zone *z, const struct zone *old, void *arg, struct errlist *errs)
{
	const struct xfr_zone *xz = arg;
	uint64_t hash = xfr_zone_hash(z), last_hash = 0;
	uint32_t file_serial = z->serial, last = file_serial, served;
	int have;

	if (xz->serial == XFR_SERIAL_KEEP) {
		if (old && old->serial == z->serial && xfr_zone_hash(old) != hash) {
			errlist_add(errs, "%s: zone %s changed but its SOA serial (%u) did not: not loaded, the old "
					  "version keeps serving (raise the serial, or set \"serial\": \"increment\")",
				    z->file, xz->name, z->serial);
			return STEER_EINVAL;
		}
		return STEER_EOK;
	}
	have = state_read(xz, &last, &last_hash) == 0;
	if (!have && old) { /* no state file (yet): what is served now */
		last = old->serial;
		last_hash = xfr_zone_hash(old);
		have = 1;
	}
	served = have && last_hash == hash ? last : policy_next(xz->serial, have ? last : file_serial, have);
	set_serial(z, served);
	if (!have || served != last || last_hash != hash)
		state_write(xz, served, hash);
	if (served != file_serial)
		log_info("zone %s: serving serial %u (the file says %u; the \"serial\" policy sets it)", xz->name, served,
			 file_serial);
	return STEER_EOK;
}
