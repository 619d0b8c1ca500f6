/* base/strbuf.h - a growable byte string, always NUL-terminated. */
#ifndef NG_STRBUF_H
#define NG_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct ng_strbuf {
	char *data;   /* NULL until the first append; owned */
	size_t len, cap;
} ng_strbuf;

#define NG_STRBUF_INIT { NULL, 0, 0 }

void ng_strbuf_close(ng_strbuf *sb);
void ng_strbuf_reset(ng_strbuf *sb);
void ng_strbuf_append(ng_strbuf *sb, const void *p, size_t n);
void ng_strbuf_puts(ng_strbuf *sb, const char *s);
void ng_strbuf_putc(ng_strbuf *sb, char c);
void ng_strbuf_printf(ng_strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void ng_strbuf_vprintf(ng_strbuf *sb, const char *fmt, va_list ap);
/* The contents ("" when empty); valid until the next change. */
const char *ng_strbuf_str(const ng_strbuf *sb);
/* Hands the heap string to the caller, who frees it; sb becomes empty. */
char *ng_strbuf_take(ng_strbuf *sb);

#endif
