/* base/xmalloc.h - allocation that aborts on exhaustion.
 *
 * Out of memory is not an error a caller can handle usefully here; like htop
 * and redis, every allocation goes through these and aborts with a message. */
#ifndef NG_XMALLOC_H
#define NG_XMALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* printf into a new heap string; the caller frees it. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
