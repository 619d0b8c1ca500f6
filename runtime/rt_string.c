/* runtime/rt_string.c - strings, literals and Main's argument array. */
#include "runtime/rt_string.h"

#include "base/abi_bcl.h"
#include "base/xmalloc.h"

#include <gc.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct rt_class {
	const char *name;
};

const struct rt_class rt_class_string = { "System.String" };
const struct rt_class rt_class_string_array = { "System.String[]" };

static pthread_once_t heap_once = PTHREAD_ONCE_INIT;

static void heap_init_once(void)
{
	GC_INIT();
}

void rt_heap_init(void)
{
	pthread_once(&heap_once, heap_init_once);
}

static void *alloc_atomic(size_t n, int forever)
{
	rt_heap_init();
	void *p = forever ? GC_MALLOC_ATOMIC_UNCOLLECTABLE(n) : GC_MALLOC_ATOMIC(n);
	if (!p)
		abort(); /* out of memory: the runtime cannot report it as managed */
	return p;
}

ngrt_string *rt_string_new(const uint16_t *chars, int32_t length, int forever)
{
	size_t n = sizeof(ngrt_string) + ((size_t)length + 1) * sizeof(uint16_t);
	ngrt_string *s = alloc_atomic(n, forever);
	s->klass = &rt_class_string;
	s->length = length;
	if (length > 0)
		memcpy(s->chars, chars, (size_t)length * sizeof(uint16_t));
	s->chars[length] = 0;
	return s;
}

/* Decodes one UTF-8 sequence at s; returns its length (at least 1) and the
 * code point in *cp (U+FFFD for an invalid sequence). */
static size_t utf8_decode(const unsigned char *s, uint32_t *cp)
{
	unsigned c = s[0];
	size_t n;
	uint32_t v, min;
	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if ((c & 0xe0) == 0xc0) {
		n = 2; v = c & 0x1f; min = 0x80;
	} else if ((c & 0xf0) == 0xe0) {
		n = 3; v = c & 0x0f; min = 0x800;
	} else if ((c & 0xf8) == 0xf0) {
		n = 4; v = c & 0x07; min = 0x10000;
	} else {
		*cp = 0xfffd;
		return 1;
	}
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80) {
			*cp = 0xfffd;
			return i;
		}
		v = (v << 6) | (s[i] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		v = 0xfffd;
	*cp = v;
	return n;
}

ngrt_string *rt_string_from_utf8(const char *text, int forever)
{
	size_t len = strlen(text), n = 0;
	uint16_t *units = xmalloc((len + 1) * sizeof(uint16_t) * 2);
	const unsigned char *s = (const unsigned char *)text;
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		i += utf8_decode(s + i, &cp);
		if (cp >= 0x10000) {
			units[n++] = (uint16_t)(0xd800 + ((cp - 0x10000) >> 10));
			units[n++] = (uint16_t)(0xdc00 + ((cp - 0x10000) & 0x3ff));
		} else {
			units[n++] = (uint16_t)cp;
		}
	}
	ngrt_string *str = rt_string_new(units, (int32_t)n, forever);
	free(units);
	return str;
}

static size_t utf8_put(char *o, uint32_t cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | (cp >> 6));
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | (cp >> 12));
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | (cp >> 18));
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

char *rt_string_to_utf8(const ngrt_string *s)
{
	char *out = xmalloc((size_t)s->length * 3 + 1);
	size_t o = 0;
	for (int32_t i = 0; i < s->length; i++) {
		uint32_t u = s->chars[i];
		if (u >= 0xd800 && u <= 0xdbff && i + 1 < s->length &&
		    s->chars[i + 1] >= 0xdc00 && s->chars[i + 1] <= 0xdfff) {
			u = 0x10000 + ((u - 0xd800) << 10) + (s->chars[++i] - 0xdc00u);
		} else if (u >= 0xd800 && u <= 0xdfff) {
			u = 0xfffd;
		}
		o += utf8_put(out + o, u);
	}
	out[o] = 0;
	return out;
}

ngrt_array *rt_string_array_new(int count, char **texts)
{
	rt_heap_init();
	size_t n = sizeof(ngrt_array) + (size_t)count * sizeof(ngrt_string *);
	ngrt_array *a = GC_MALLOC_UNCOLLECTABLE(n);
	if (!a)
		abort();
	a->klass = &rt_class_string_array;
	a->length = count;
	ngrt_string **items = (ngrt_string **)(void *)a->data;
	for (int i = 0; i < count; i++)
		items[i] = rt_string_from_utf8(texts[i], 1);
	return a;
}

/* ldstr: literals are interned per image cell; a literal is created once and
 * lives for the whole run. Two threads racing on a cell both create a
 * string; one wins the compare-and-swap and the other's copy is unused. */
ngrt_string *ngrt_ldstr(ngrt_string **cell, const uint16_t *chars, int32_t length)
{
	ngrt_string *s = __atomic_load_n(cell, __ATOMIC_ACQUIRE);
	if (s)
		return s;
	ngrt_string *fresh = rt_string_new(chars, length, 1);
	ngrt_string *expected = NULL;
	if (__atomic_compare_exchange_n(cell, &expected, fresh, 0,
					__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		return fresh;
	return expected;
}

int32_t ngrt_String_get_Length(ngrt_string *self)
{
	if (!self)
		ngrt_throw(NGRT_EX_NULL_REFERENCE);
	return self->length;
}

uint16_t ngrt_String_get_Chars(ngrt_string *self, int32_t index)
{
	if (!self)
		ngrt_throw(NGRT_EX_NULL_REFERENCE);
	if ((uint32_t)index >= (uint32_t)self->length)
		ngrt_throw(NGRT_EX_INDEX_OUT_OF_RANGE);
	return self->chars[index];
}
