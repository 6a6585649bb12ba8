/*
 * quorum.h -- one verdict per health target from several health daemons
 * (the "healthd"."sources" of the config, common/health_conf.h).
 *
 * Each source's last report for a target is a vote (steer_set.votes): up,
 * down, unknown (the source has not judged it), or none (nothing heard).
 * Only live sources vote (steer_set.live: heard from within silent_after).
 * The target is down when at least `quorum` live sources say down (the
 * check's "quorum", default a majority of the live sources: with 3 live, 2);
 * otherwise up when any live source has a verdict, else unknown (which
 * counts as up). A drain on any live source drains the target (a drain is
 * an operator's word and wins over force-up); else a force-up on any
 * forces it. With one source this is exactly that source's report.
 *
 * The health link calls steer_quorum_combine() when a report arrives or a
 * source turns silent, and stores the result in state[]: the query path
 * keeps reading one byte per member.
 */
#ifndef STEER_QUORUM_H
#define STEER_QUORUM_H

#include <stddef.h>
#include <stdint.h>

struct steer_set;

struct steer_quorum {
	unsigned live;     /* live sources */
	unsigned up, down; /* live sources saying so */
	unsigned needed;   /* downs needed for down */
	int drained, forced;
};

/* The combined state byte (STEER_ST_* with the DRAINED/FORCED flags) of
 * target t of set; q (may be NULL) gets the count. */
uint8_t steer_quorum_combine(const struct steer_set *set, size_t t, struct steer_quorum *q);

/* The quorum of target t among live sources: the check's, or a majority. */
unsigned steer_quorum_needed(const struct steer_set *set, size_t t, unsigned live);

#endif
