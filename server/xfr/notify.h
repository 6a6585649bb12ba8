/*
 * notify.h -- NOTIFY out (RFC 1996): tell secondaries that a zone changed.
 *
 * The process (server/reload.c) calls notify_zone() for every target of a
 * zone whose serial a load or reload changed (and at startup). Each
 * (zone, target) pair is one job in the main thread's event loop: a
 * NOTIFY with the new SOA in the answer section, TSIG-signed when the
 * target names a key, sent over UDP and sent again after 1, 2, 4, ... s
 * (at most 60 s apart, NOTIFY_TRIES in all) until the secondary answers.
 * A newer serial for the same pair replaces the job. Nothing here runs on
 * the answering threads.
 *
 * Incoming NOTIFY (we are a primary): REFUSED, as NSD 4.6 answers
 * (server/answer/answer.c; Knot 3.2 answers NOTAUTH).
 */
#ifndef STEER_XFR_NOTIFY_H
#define STEER_XFR_NOTIFY_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define NOTIFY_TRIES 10

struct event_base;
struct notify;
struct tsig_key;
struct zone;

/* A sender in base. Returns STEER_EOK or STEER_ENOMEM. */
int notify_new(struct notify **out, struct event_base *base);
/* Start (or restart) telling target (text: for the log) that z has its
 * current serial; key NULL = unsigned. z is read now, not kept. */
void notify_zone(struct notify *n, const struct zone *z, const struct sockaddr *target, socklen_t len,
		 const char *text, const struct tsig_key *key);
/* Jobs still waiting for an answer (for tests and stats). */
size_t notify_pending(const struct notify *n);
void notify_free(struct notify *n);

#endif
