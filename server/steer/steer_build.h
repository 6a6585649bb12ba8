/*
 * steer_build.h -- compile the steering config ("records", with "pools",
 * "checks", "healthd" and "geoip") into a policy set, and attach it to a
 * snapshot.
 *
 * Who calls what:
 *   load_all() (server/load.c)      steer_build(): every error as
 *                                   "file:line: records/NAME: reason"; also
 *                                   what `steerdns --check` reports.
 *   install() (server/server.c)     steer_attach(): the set goes into the new
 *                                   snapshot, the last-known health state is
 *                                   copied over by target name (so a reload
 *                                   forgets nothing), geoip.ecs is applied.
 */
#ifndef STEER_STEER_BUILD_H
#define STEER_STEER_BUILD_H

#include <stddef.h>

struct errlist;
struct conf_file;
struct snapshot;
struct steer_set;
struct zonedb;

/* Compile the config's steering sections against zones, binding every
 * steered name to its zone node in the set (zones are only read). Returns the number of errors added to errs; *out
 * is set (possibly to a set with no records) only when it returns 0. */
int steer_build(const struct conf_file *cf, struct zonedb *zones, struct steer_set **out, struct errlist *errs);
void steer_set_free(struct steer_set *set);

/* Move *set into snap (snap->extra, free_extra, no_ecs); *set becomes NULL.
 * old (the snapshot being replaced, may be NULL) donates its health state.
 * Call before the snapshot is published. */
void steer_attach(struct snapshot *snap, struct steer_set **set, const struct snapshot *old);
/* After steer_attach, while healthd is connected: mark the targets of snap
 * that old did not have as pending (not answered until healthd's verdict),
 * with a deadline of the longest interval + timeout among their checks plus
 * one second. Returns how many were marked. */
size_t steer_pend_new_targets(struct snapshot *snap, const struct snapshot *old);

/* The policy set of a snapshot, or NULL. */
struct steer_set *steer_set_of(const struct snapshot *snap);

#endif
