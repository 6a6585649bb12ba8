/* target.c -- the per-target state machine: fall/rise counting and admin overrides. */
#include "config.h"
#include "healthd/target.h"

#include <stdio.h>
#include <string.h>

void target_state_init(struct target_state *ts, int64_t now)
{
	memset(ts, 0, sizeof(*ts));
	ts->state = HEALTH_UNKNOWN;
	ts->admin = HEALTH_ADMIN_AUTO;
	ts->since = now;
	ts->latency_ms = -1;
}

static int set_state(struct target_state *ts, enum health_state s, int64_t now)
{
	if (ts->state == s)
		return 0;
	ts->state = s;
	ts->since = now;
	return 1;
}

int target_state_verdict(struct target_state *ts, int ok, const char *reason, long latency_ms, int fall,
			 int rise, int64_t now)
{
	snprintf(ts->last, sizeof(ts->last), "%s", reason ? reason : (ok ? "ok" : "failed"));
	ts->latency_ms = latency_ms;
	if (ok) {
		ts->ok_count++;
		ts->fail_count = 0;
	} else {
		ts->fail_count++;
		ts->ok_count = 0;
	}
	switch (ts->state) {
	case HEALTH_UNKNOWN:
		return set_state(ts, ok ? HEALTH_UP : HEALTH_DOWN, now);
	case HEALTH_UP:
		return !ok && ts->fail_count >= (unsigned)fall ? set_state(ts, HEALTH_DOWN, now) : 0;
	case HEALTH_DOWN:
		return ok && ts->ok_count >= (unsigned)rise ? set_state(ts, HEALTH_UP, now) : 0;
	}
	return 0;
}

int target_state_set_admin(struct target_state *ts, enum health_admin admin, int64_t now)
{
	if (ts->admin == admin)
		return 0;
	ts->admin = admin;
	ts->since = now;
	return 1;
}

enum health_state target_state_effective(const struct target_state *ts)
{
	return health_effective(ts->state, ts->admin);
}

void target_state_export(const struct target_state *ts, struct health_status *out)
{
	out->state = ts->state;
	out->admin = ts->admin;
	out->effective = target_state_effective(ts);
	out->since = ts->since;
	out->last = (char *)ts->last;
	out->latency_ms = ts->latency_ms;
	out->ok_count = ts->ok_count;
	out->fail_count = ts->fail_count;
}
