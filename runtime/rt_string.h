/* runtime/rt_string.h - System.String objects and the managed heap.
 *
 * Objects live on the Boehm GC heap (bdw-gc): compiled code keeps
 * references in registers, on the stack and in static fields inside image
 * data segments, all of which Boehm scans conservatively. Interned literals
 * (ldstr) and the argument array of Main are allocated uncollectable, as
 * they live as long as the program. Strings carry a NUL unit after their
 * characters (not counted in length), see base/abi.h. */
#ifndef RT_STRING_H
#define RT_STRING_H

#include <stddef.h>
#include <stdint.h>

#include "base/abi.h"

/* Initialises the heap; call once from the main thread before any
 * allocation (idempotent). */
void rt_heap_init(void);

/* A new string of length UTF-16 units copied from chars. `forever`: not
 * collectable (literals, arguments). */
ngrt_string *rt_string_new(const uint16_t *chars, int32_t length, int forever);
/* A new string from UTF-8 (invalid bytes become U+FFFD, like .NET's
 * decoder). */
ngrt_string *rt_string_from_utf8(const char *s, int forever);
/* The string as UTF-8 in a malloc()ed buffer (lone surrogates become
 * U+FFFD). */
char *rt_string_to_utf8(const ngrt_string *s);

/* string[] of the given UTF-8 texts (Main's args). */
ngrt_array *rt_string_array_new(int count, char **texts);

/* The type descriptors objects point at (opaque to compiled code). */
extern const struct rt_class rt_class_string, rt_class_string_array;

#endif
