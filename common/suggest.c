/* suggest.c -- closest known name for "did you mean" (see suggest.h). */
#include "config.h"
#include "common/suggest.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#define FAR (SUGGEST_MAX_EDITS + 1)

static unsigned min3(unsigned a, unsigned b, unsigned c)
{
	unsigned m = a < b ? a : b;
	return m < c ? m : c;
}

/* Three rows of the dynamic programme, on the stack: row i needs rows i-1
 * and i-2 (the swap looks two back). */
unsigned suggest_distance(const char *a, const char *b)
{
	unsigned rows[3][SUGGEST_MAX_LEN + 1];
	size_t la = strlen(a), lb = strlen(b);

	if (la > SUGGEST_MAX_LEN || lb > SUGGEST_MAX_LEN)
		return FAR;
	if ((la > lb ? la - lb : lb - la) > SUGGEST_MAX_EDITS)
		return FAR; /* every extra letter is one edit */
	for (size_t j = 0; j <= lb; j++)
		rows[0][j] = (unsigned)j;
	for (size_t i = 1; i <= la; i++) {
		unsigned *cur = rows[i % 3], *up = rows[(i - 1) % 3], *up2 = rows[(i + 1) % 3];
		unsigned best = cur[0] = (unsigned)i;
		int ca = tolower((unsigned char)a[i - 1]);
		for (size_t j = 1; j <= lb; j++) {
			int cb = tolower((unsigned char)b[j - 1]);
			cur[j] = min3(up[j] + 1, cur[j - 1] + 1, up[j - 1] + (ca != cb));
			if (i > 1 && j > 1 && ca == tolower((unsigned char)b[j - 2]) &&
			    tolower((unsigned char)a[i - 2]) == cb && up2[j - 2] + 1 < cur[j])
				cur[j] = up2[j - 2] + 1;
			if (cur[j] < best)
				best = cur[j];
		}
		if (best > SUGGEST_MAX_EDITS)
			return FAR; /* a row never gets smaller further down */
	}
	return rows[la % 3][lb] > SUGGEST_MAX_EDITS ? FAR : rows[la % 3][lb];
}

void suggest_init(struct suggest *s, const char *word)
{
	s->word = word ? word : "";
	s->best = NULL;
	s->dist = FAR;
}

void suggest_add(struct suggest *s, const char *cand)
{
	size_t lw, lc;
	unsigned d;

	if (!cand || !s->word[0] || strcmp(cand, s->word) == 0)
		return;
	d = suggest_distance(s->word, cand);
	lw = strlen(s->word);
	lc = strlen(cand);
	/* Two edits turn any two-letter name into any other: a suggestion
	 * must keep more than half of the longer name. */
	if (d > SUGGEST_MAX_EDITS || 2 * d >= (lw > lc ? lw : lc))
		return;
	if (d < s->dist) {
		s->best = cand;
		s->dist = d;
	}
}

const char *suggest_best(const struct suggest *s)
{
	return s->best;
}

const char *suggest_hint(const struct suggest *s, char *buf, size_t len)
{
	if (!len)
		return "";
	buf[0] = 0;
	if (s->best)
		snprintf(buf, len, " (did you mean \"%s\"?)", s->best);
	return buf;
}
