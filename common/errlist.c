/* errlist.c -- collect error messages. */
#include "config.h"
#include "common/errlist.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void errlist_init(struct errlist *e)
{
	memset(e, 0, sizeof(*e));
}

void errlist_clear(struct errlist *e)
{
	for (size_t i = 0; i < e->n; i++)
		free(e->msgs[i]);
	free(e->msgs);
	memset(e, 0, sizeof(*e));
}

static void errlist_push(struct errlist *e, char *msg)
{
	if (msg && e->n == e->cap) {
		size_t cap = e->cap ? e->cap * 2 : 8;
		char **m = realloc(e->msgs, cap * sizeof(*m));
		if (m) {
			e->msgs = m;
			e->cap = cap;
		}
	}
	if (!msg || e->n == e->cap) {
		/* Out of memory: the message is gone, but the failure is not. */
		free(msg);
		e->lost++;
		return;
	}
	e->msgs[e->n++] = msg;
}

void errlist_add(struct errlist *e, const char *fmt, ...)
{
	va_list ap;
	char *msg = NULL;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (!msg)
		msg = strdup("(out of memory formatting an error)");
	errlist_push(e, msg);
}

void errlist_splice(struct errlist *dst, struct errlist *src)
{
	for (size_t i = 0; i < src->n; i++)
		errlist_push(dst, src->msgs[i]);
	dst->lost += src->lost;
	free(src->msgs);
	memset(src, 0, sizeof(*src));
}
