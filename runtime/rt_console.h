/* runtime/rt_console.h - System.Console output and Mono's number formats.
 *
 * Console output goes through one buffer that is flushed when it fills, when
 * the program exits and before anything is written to stderr (so an
 * unhandled exception appears after the output that preceded it, as with
 * Mono, whose Console.Out flushes on every write). UTF-16 is encoded to
 * UTF-8 statefully: a high surrogate waits for the next unit, so a pair
 * written by two Write(char) calls becomes one character; a lone surrogate
 * becomes U+FFFD, as Mono's encoder does.
 *
 * The rt_format_* functions give exactly the text Mono 6.8's ToString()
 * gives: doubles as "G15", floats as "G7" (so 0.1+0.2 prints 0.3), -0 as
 * "0", NaN, Infinity, -Infinity, exponents as E+XX with at least two
 * digits. */
#ifndef RT_CONSOLE_H
#define RT_CONSOLE_H

#include <stddef.h>
#include <stdint.h>

enum { RT_FORMAT_MAX = 64 };

/* Each writes a NUL-terminated text into out (RT_FORMAT_MAX bytes) and
 * returns its length. */
size_t rt_format_r8(double v, char *out);
size_t rt_format_r4(float v, char *out);
size_t rt_format_i8(int64_t v, char *out);
size_t rt_format_u8(uint64_t v, char *out);

/* Appends UTF-8 bytes / UTF-16 units to the console's buffer. */
void rt_console_write_utf8(const char *s, size_t n);
void rt_console_write_utf16(const uint16_t *units, size_t n);
/* Writes the buffer to fd 1 (and any pending lone surrogate as U+FFFD
 * when `final`). Safe to call at any time. */
void rt_console_flush(int final);
/* Redirects console output to fd (tests); -1 restores stdout. */
void rt_console_set_fd(int fd);

#endif
