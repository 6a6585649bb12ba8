/*
 * errlist.h -- a list of human-readable errors ("file:line: reason").
 *
 * Config and zone loading collect every error they find (not just the first)
 * so that one `steerdns --check` run shows the operator all of them.
 */
#ifndef STEER_ERRLIST_H
#define STEER_ERRLIST_H

#include <stddef.h>

struct errlist {
	char **msgs; /* owned; each malloc'ed */
	size_t n, cap;
	size_t lost; /* messages dropped for lack of memory */
};

/* Number of errors recorded, including any that could not be stored. */
static inline size_t errlist_count(const struct errlist *e) { return e->n + e->lost; }

void errlist_init(struct errlist *e);
void errlist_clear(struct errlist *e);
/* Append one formatted message. On allocation failure the message is lost
 * but errlist_count() still counts it. */
void errlist_add(struct errlist *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Move all messages of src to the end of dst; src is left empty. */
void errlist_splice(struct errlist *dst, struct errlist *src);

#endif
