/*
 * target.h -- the per-target health state machine, without any I/O.
 *
 * A target starts "unknown". The first probe verdict decides its state at
 * once (so a fresh start does not wait rise x interval to say anything);
 * after that an up target turns down after `fall` consecutive failures and a
 * down target turns up after `rise` consecutive successes. The admin override
 * (drain = down, force up = up, auto) never changes the measured state; the
 * effective state is the override when there is one (health_effective()).
 *
 * Kept free of libevent so that the unit tests drive it with a fake clock.
 */
#ifndef STEER_HEALTHD_TARGET_H
#define STEER_HEALTHD_TARGET_H

#include <stdint.h>
#include "common/health.h"

#define TARGET_LAST_MAX 160

struct target_state {
	enum health_state state;
	enum health_admin admin;
	int64_t since;                 /* unix time of the last state or admin change */
	char last[TARGET_LAST_MAX];    /* human reason of the last verdict; "" before the first */
	long latency_ms;               /* of the last probe; -1 before the first */
	unsigned ok_count, fail_count; /* consecutive; at most one of them is non-zero */
};

void target_state_init(struct target_state *ts, int64_t now);

/* Record one probe verdict. Returns 1 when state changed (unknown -> up/down,
 * up -> down, down -> up), else 0. reason may be NULL. */
int target_state_verdict(struct target_state *ts, int ok, const char *reason, long latency_ms, int fall,
			 int rise, int64_t now);

/* Set the admin override. Returns 1 when it changed, else 0. */
int target_state_set_admin(struct target_state *ts, enum health_admin admin, int64_t now);

enum health_state target_state_effective(const struct target_state *ts);

/* Fill the state fields of out (strings borrowed from ts: do not clear out). */
void target_state_export(const struct target_state *ts, struct health_status *out);

#endif
