/*
 * serial.h -- who sets the served SOA serial of a zone ("serial" of a zone
 * entry, Knot's names): zone files edited in git often change without a
 * serial bump, and secondaries then never update.
 *
 *   keep        the file's serial. A reload whose content changed while the
 *               serial did not is refused for that zone (the old version
 *               keeps serving) with a message saying so. The default for a
 *               zone with allow_transfer or notify (a secondary would miss
 *               the change); other zones are not checked.
 *   increment   the last served serial + 1 whenever the content changes
 *   unixtime    the time of the change (seconds), at least last + 1
 *   dateserial  YYYYMMDDnn of the change, at least last + 1
 *
 * For the last three steerdns writes the served serial and a hash of the
 * content (every RR but the SOA's serial field, in any order) to
 * server.state_dir/serial/ZONE after each change, so the serial is
 * monotonic across restarts and the same content keeps its serial.
 *
 * xfr_serial_pre() is the zone loader's pre hook (zoneload.h): it runs on
 * each compiled zone before it is signed or published, on the main thread.
 */
#ifndef STEER_XFR_SERIAL_H
#define STEER_XFR_SERIAL_H

#include <stdint.h>

struct errlist;
struct zone;

/* The content hash of z (computed once, then kept in the zone). */
uint64_t xfr_zone_hash(const struct zone *z);
/* zone_post_fn: arg is the zone's struct xfr_zone (xfr_conf.h). */
int xfr_serial_pre(struct zone *z, const struct zone *old, void *arg, struct errlist *errs);

#endif
