/* base/arena.h - bump allocator for one job.
 *
 * A compile job allocates everything from one arena and frees it all when
 * the job ends (chibicc's never-free simplicity, bounded to one job). Memory
 * is zeroed. Not thread-safe: one arena belongs to one thread at a time. */
#ifndef NG_ARENA_H
#define NG_ARENA_H

#include <stddef.h>

typedef struct ng_arena_chunk ng_arena_chunk;

typedef struct ng_arena {
	ng_arena_chunk *head;
	size_t total;          /* bytes handed out, for statistics */
} ng_arena;

void ng_arena_init(ng_arena *a);
/* Frees every allocation made from the arena. The arena can be reused. */
void ng_arena_close(ng_arena *a);
/* Zeroed memory aligned for any type; aborts when memory is exhausted. */
void *ng_arena_alloc(ng_arena *a, size_t n);
char *ng_arena_strndup(ng_arena *a, const char *s, size_t n);
char *ng_arena_strdup(ng_arena *a, const char *s);
char *ng_arena_printf(ng_arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
