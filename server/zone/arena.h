/*
 * arena.h -- bump allocator for load-time data that lives and dies together
 * (one compiled zone). Freed in one call; nothing is freed individually.
 */
#ifndef STEER_ARENA_H
#define STEER_ARENA_H

#include <stddef.h>

struct arena_chunk;
struct arena {
	struct arena_chunk *head; /* owned list of chunks */
	size_t used;              /* bytes handed out, for memory reports */
	size_t reserved;          /* bytes of the chunks (used + slack), likewise */
};

void arena_init(struct arena *a);
void arena_clear(struct arena *a);
/* 8-byte aligned, zeroed memory; NULL on ENOMEM. */
void *arena_alloc(struct arena *a, size_t size);
/* Zeroed memory with no alignment and no rounding, for byte strings (names,
 * compiled RRs): 8-byte rounding cost a large zone about 3% of its size. */
void *arena_alloc_packed(struct arena *a, size_t size);
void *arena_memdup(struct arena *a, const void *src, size_t size);
/* arena_memdup into arena_alloc_packed() memory. */
void *arena_memdup_packed(struct arena *a, const void *src, size_t size);

#endif
