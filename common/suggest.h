/*
 * suggest.h -- "did you mean": the known name closest to a mistyped one,
 * for config errors ("unknown key", "no pool named", ...).
 *
 *   struct suggest s;
 *   suggest_init(&s, word);
 *   for (each known name) suggest_add(&s, name);
 *   conf_err(..., "no pool named \"%s\"%s", word, suggest_hint(&s, buf, sizeof(buf)));
 *
 * Distance is the optimal string alignment distance (Levenshtein plus the
 * swap of two neighbours, so "wbe" is one edit from "web"), ignoring ASCII
 * case. A candidate is offered only when it is a likely typo: at most two
 * edits, and fewer than half the length of the longer name (so "EU" does
 * not suggest "NA", nor "tcp" "udp"). Ties go to the candidate added first.
 * Nothing here allocates.
 */
#ifndef STEER_SUGGEST_H
#define STEER_SUGGEST_H

#include <stddef.h>

#define SUGGEST_MAX_EDITS 2
#define SUGGEST_MAX_LEN 64 /* longer names are compared as too far */

struct suggest {
	const char *word;     /* borrowed: the unknown name */
	const char *best;     /* borrowed: the closest candidate so far, or NULL */
	unsigned dist;        /* its distance */
};

/* Edit distance between a and b, ignoring ASCII case; any value above
 * SUGGEST_MAX_EDITS (or a name longer than SUGGEST_MAX_LEN) comes back as
 * SUGGEST_MAX_EDITS + 1. */
unsigned suggest_distance(const char *a, const char *b);

void suggest_init(struct suggest *s, const char *word);
/* Consider cand (NULL and the word itself are ignored). cand must live as
 * long as s is used. */
void suggest_add(struct suggest *s, const char *cand);
/* The candidate to offer, or NULL. */
const char *suggest_best(const struct suggest *s);
/* " (did you mean \"NAME\"?)" in buf, or "" when there is nothing to offer;
 * returns buf. */
const char *suggest_hint(const struct suggest *s, char *buf, size_t len);

#endif
