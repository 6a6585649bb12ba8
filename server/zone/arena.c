/* arena.c -- bump allocator for compiled zone data. */
#include "config.h"
#include "server/zone/arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_CHUNK (256 * 1024)

struct arena_chunk {
	struct arena_chunk *next;
	size_t size, off;
	_Alignas(8) unsigned char data[];
};

void arena_init(struct arena *a)
{
	memset(a, 0, sizeof(*a));
}

void arena_clear(struct arena *a)
{
	struct arena_chunk *c = a->head;
	while (c) {
		struct arena_chunk *next = c->next;
		free(c);
		c = next;
	}
	memset(a, 0, sizeof(*a));
}

/* size bytes at an offset that is a multiple of align (1 or 8). */
static void *arena_take(struct arena *a, size_t size, size_t align)
{
	struct arena_chunk *c = a->head;
	size_t off = c ? (c->off + align - 1) & ~(align - 1) : 0;

	if (!c || off > c->size || c->size - off < size) {
		size_t csize = size > ARENA_CHUNK / 4 ? (size + 7) & ~(size_t)7 : ARENA_CHUNK;
		/* calloc: chunks come back zeroed, so arena memory always is. */
		c = calloc(1, sizeof(*c) + csize);
		if (!c)
			return NULL;
		c->size = csize;
		a->reserved += csize;
		if (size > ARENA_CHUNK / 4 && a->head) {
			/* A big block gets its own chunk behind the current one,
			 * so the current chunk's free space is not wasted. */
			c->next = a->head->next;
			a->head->next = c;
		} else {
			c->next = a->head;
			a->head = c;
		}
		off = 0;
	}
	void *p = c->data + off;
	a->used += off - c->off + size;
	c->off = off + size;
	return p;
}

void *arena_alloc(struct arena *a, size_t size)
{
	return arena_take(a, size, 8);
}

void *arena_alloc_packed(struct arena *a, size_t size)
{
	return arena_take(a, size, 1);
}

static void *copy_into(void *p, const void *src, size_t size)
{
	if (p && size)
		memcpy(p, src, size);
	return p;
}

void *arena_memdup(struct arena *a, const void *src, size_t size)
{
	return copy_into(arena_alloc(a, size), src, size);
}

void *arena_memdup_packed(struct arena *a, const void *src, size_t size)
{
	return copy_into(arena_alloc_packed(a, size), src, size);
}
