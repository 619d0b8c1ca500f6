/* base/strbuf.c - see strbuf.h. */
#include "base/strbuf.h"
#include "base/xmalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ng_strbuf_close(ng_strbuf *sb)
{
	free(sb->data);
	sb->data = NULL;
	sb->len = sb->cap = 0;
}

void ng_strbuf_reset(ng_strbuf *sb)
{
	sb->len = 0;
	if (sb->data)
		sb->data[0] = '\0';
}

static void reserve(ng_strbuf *sb, size_t extra)
{
	if (sb->len + extra + 1 <= sb->cap)
		return;
	size_t cap = sb->cap ? sb->cap : 64;
	while (cap < sb->len + extra + 1)
		cap *= 2;
	sb->data = xrealloc(sb->data, cap);
	sb->cap = cap;
}

void ng_strbuf_append(ng_strbuf *sb, const void *p, size_t n)
{
	reserve(sb, n);
	memcpy(sb->data + sb->len, p, n);
	sb->len += n;
	sb->data[sb->len] = '\0';
}

void ng_strbuf_puts(ng_strbuf *sb, const char *s)
{
	ng_strbuf_append(sb, s, strlen(s));
}

void ng_strbuf_putc(ng_strbuf *sb, char c)
{
	ng_strbuf_append(sb, &c, 1);
}

void ng_strbuf_vprintf(ng_strbuf *sb, const char *fmt, va_list ap)
{
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap);
	if (n > 0) {
		reserve(sb, (size_t)n);
		vsnprintf(sb->data + sb->len, (size_t)n + 1, fmt, ap2);
		sb->len += (size_t)n;
	}
	va_end(ap2);
}

void ng_strbuf_printf(ng_strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	ng_strbuf_vprintf(sb, fmt, ap);
	va_end(ap);
}

const char *ng_strbuf_str(const ng_strbuf *sb)
{
	return sb->data ? sb->data : "";
}

char *ng_strbuf_take(ng_strbuf *sb)
{
	char *s = sb->data ? sb->data : xstrdup("");
	sb->data = NULL;
	sb->len = sb->cap = 0;
	return s;
}
