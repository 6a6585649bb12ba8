/* snapshot.c -- hazard-pointer publication of the live zone data. */
#include "config.h"
#include "server/zone/snapshot.h"
#include "server/zone/zonedb.h"

#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void snap_domain_init(struct snap_domain *d)
{
	atomic_init(&d->current, NULL);
	for (int i = 0; i < SNAP_MAX_READERS; i++)
		atomic_init(&d->slots[i], NULL);
	atomic_init(&d->nreaders, 0);
}

void snap_domain_clear(struct snap_domain *d)
{
	snapshot_free(atomic_exchange(&d->current, NULL));
}

int snap_reader_register(struct snap_domain *d)
{
	int slot = atomic_fetch_add(&d->nreaders, 1);
	return slot < SNAP_MAX_READERS ? slot : -1;
}

struct snapshot *snap_acquire(struct snap_domain *d, int slot)
{
	struct snapshot *s;
	/* Publish, then re-check: if the writer swapped in between, it may
	 * already have scanned our slot, so pin the newer one instead. The
	 * seq_cst store/load pair is what makes the writer's scan safe. */
	do {
		s = atomic_load(&d->current);
		atomic_store(&d->slots[slot], s);
	} while (s != atomic_load(&d->current));
	return s;
}

void snap_release(struct snap_domain *d, int slot)
{
	atomic_store_explicit(&d->slots[slot], NULL, memory_order_release);
}

struct snapshot *snap_current(struct snap_domain *d)
{
	return atomic_load(&d->current);
}

struct snapshot *snap_swap(struct snap_domain *d, struct snapshot *s)
{
	struct snapshot *old = atomic_exchange(&d->current, s);
	int n = atomic_load(&d->nreaders);

	if (n > SNAP_MAX_READERS)
		n = SNAP_MAX_READERS;
	if (!old)
		return NULL;
	/* A reader holds a snapshot for one batch (microseconds), so a short
	 * sleep-and-rescan loop is all the grace period we need. */
	for (int i = 0; i < n; i++) {
		while (atomic_load(&d->slots[i]) == old) {
			struct timespec ts = { 0, 100000 };
			nanosleep(&ts, NULL);
		}
	}
	return old;
}

void snap_publish(struct snap_domain *d, struct snapshot *s)
{
	snapshot_free(snap_swap(d, s));
}

void snapshot_free(struct snapshot *s)
{
	if (!s)
		return;
	if (s->free_extra)
		s->free_extra(s->extra);
	if (s->free_journals)
		s->free_journals(s->journals);
	if (s->free_counters)
		s->free_counters(s->counters);
	if (s->free_xfr)
		s->free_xfr(s->xfr);
	if (s->free_proxy)
		s->free_proxy(s->proxy);
	zonedb_free(s->zones);
	free(s);
}
