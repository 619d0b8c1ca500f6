/* base/arena.c - see arena.h. Chunks grow geometrically up to 1 MiB; a
 * request larger than a chunk gets a chunk of its own. */
#include "base/arena.h"
#include "base/xmalloc.h"

#include <stdalign.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

struct ng_arena_chunk {
	ng_arena_chunk *next;
	size_t used, cap;
	alignas(max_align_t) unsigned char data[];
};

enum { MIN_CHUNK = 4096, MAX_CHUNK = 1 << 20 };

void ng_arena_init(ng_arena *a)
{
	a->head = NULL;
	a->total = 0;
}

void ng_arena_close(ng_arena *a)
{
	ng_arena_chunk *c = a->head;
	while (c) {
		ng_arena_chunk *next = c->next;
		free(c);
		c = next;
	}
	ng_arena_init(a);
}

static ng_arena_chunk *new_chunk(ng_arena *a, size_t need)
{
	size_t cap = a->head ? a->head->cap * 2 : MIN_CHUNK;
	if (cap > MAX_CHUNK)
		cap = MAX_CHUNK;
	if (cap < need)
		cap = need;
	ng_arena_chunk *c = xmalloc(sizeof *c + cap);
	c->used = 0;
	c->cap = cap;
	c->next = a->head;
	a->head = c;
	return c;
}

void *ng_arena_alloc(ng_arena *a, size_t n)
{
	const size_t align = alignof(max_align_t);
	n = (n + align - 1) & ~(align - 1);
	ng_arena_chunk *c = a->head;
	if (!c || c->cap - c->used < n)
		c = new_chunk(a, n);
	void *p = c->data + c->used;
	c->used += n;
	a->total += n;
	memset(p, 0, n);
	return p;
}

char *ng_arena_strndup(ng_arena *a, const char *s, size_t n)
{
	char *p = ng_arena_alloc(a, n + 1);
	memcpy(p, s, n);
	return p;
}

char *ng_arena_strdup(ng_arena *a, const char *s)
{
	return ng_arena_strndup(a, s, strlen(s));
}

char *ng_arena_printf(ng_arena *a, const char *fmt, ...)
{
	va_list ap, ap2;
	va_start(ap, fmt);
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	char *p = ng_arena_alloc(a, (size_t)(n < 0 ? 0 : n) + 1);
	if (n > 0)
		vsnprintf(p, (size_t)n + 1, fmt, ap2);
	va_end(ap2);
	return p;
}
