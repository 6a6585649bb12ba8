/*
 * resign.c -- signed zones are re-signed without a reload by the operator:
 * a timer looks at the live snapshot every RESIGN_TICK seconds and reloads
 * (server_reload_zone: the zone file, signing, a new snapshot) each zone
 * whose signatures come within their refresh time of expiry (key times and
 * rollover steps are keyroll.c's, the dnsonline work). Unchanged
 * rrsets keep their signatures (zonesign.c reuses those still valid for
 * longer than the refresh time), so a refresh signs only what must be.
 */
#include "config.h"
#include "server/server_priv.h"
#include "server/server.h"
#include "server/dnssec/zonesign.h"
#include "server/zone/snapshot.h"
#include "server/zone/zone.h"
#include "server/zone/zonedb.h"
#include "common/errlist.h"
#include "common/errors.h"
#include "common/log.h"

#include <event2/event.h>
#include <stdio.h>
#include <string.h>

#define RESIGN_TICK 5     /* seconds between looks: cheap, one pass over the zone list */
#define RESIGN_RETRY 60   /* after a failed re-sign (a broken zone file), wait this long */

static uint32_t retry_after; /* main thread only */

/* Is zone z due for signing at now? */
static int due(const struct zone *z, uint32_t now)
{
	const struct dnssec_zone *dz = z->dnssec;

	if (!dz)
		return 0;
	return (int32_t)(now - dz->next_refresh) >= 0;
}

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
	struct server *srv = arg;
	uint32_t now = dnssec_now();
	char name[256];

	(void)fd;
	(void)what;
	if (retry_after && (int32_t)(now - retry_after) < 0)
		return;
	retry_after = 0;
	/* One zone per pass: each reload makes a new snapshot (and db). */
	for (size_t i = 0;; i++) {
		struct snapshot *live = snap_current(&srv->snaps);
		struct zonedb *db = live ? live->zones : NULL;
		struct errlist errs;
		if (i >= zonedb_count(db))
			return;
		if (!due(zonedb_zone(db, i), now))
			continue;
		snprintf(name, sizeof(name), "%s", zonedb_zone(db, i)->name);
		log_info("zone %s: signatures due for refresh, re-signing", name);
		errlist_init(&errs);
		if (server_reload_zone(srv, name, &errs) != STEER_EOK) {
			log_err("zone %s: re-signing failed; retrying in %d s", name, RESIGN_RETRY);
			retry_after = now + RESIGN_RETRY;
		}
		errlist_clear(&errs);
		return;
	}
}

int server_resign_start(struct server *srv)
{
	struct timeval tv = { RESIGN_TICK, 0 };

	srv->resign = event_new(srv->base, -1, EV_PERSIST, on_tick, srv);
	if (!srv->resign || event_add(srv->resign, &tv) < 0)
		return STEER_ENOMEM;
	return STEER_EOK;
}
