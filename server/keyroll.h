/*
 * keyroll.h -- key rollovers in the process: the timer that runs the
 * rollover planner (server/dnssec/rollover.h) for every signed zone and
 * reloads a zone when one of its key times passes, and the operator's
 * commands behind `steerctl dnssec roll` and `steerctl dnssec ds-seen`.
 * Main thread only.
 */
#ifndef STEER_SERVER_KEYROLL_H
#define STEER_SERVER_KEYROLL_H

#include <stdint.h>

#include "server/dnssec/keys.h"

struct errlist;
struct server;

/* Arm the timer on srv->base (first tick in a second). STEER_ENOMEM. */
int keyroll_start(struct server *srv);
void keyroll_stop(struct server *srv);

/* Start a rollover of role in zone now (pre-publication for a ZSK,
 * double-KSK for a KSK), write the new key and reload the zone. Errors
 * (not a signed zone, one already under way, none signing) go to errs as
 * sentences; returns 0 or a negative STEER_E* code. */
int keyroll_roll(struct server *srv, const char *zone, enum dnssec_role role, struct errlist *errs);
/* The parent publishes the DS of KSK tag: the old KSK retires after the
 * DS TTL and the propagation delay (rollover_ds_seen). */
int keyroll_ds_seen(struct server *srv, const char *zone, uint16_t tag, struct errlist *errs);

#endif
