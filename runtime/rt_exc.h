/* runtime/rt_exc.h - exceptions raised by the runtime and type initialisers.
 *
 * The first tier of compiled code has no exception handlers, so every
 * exception is unhandled: the runtime prints what Mono prints for an
 * unhandled exception (a blank line, "Unhandled Exception:", the
 * exception's type and message, then the "[ERROR] FATAL UNHANDLED
 * EXCEPTION:" line) after flushing the console, and exits with status 1
 * like Mono. An exception raised while type initialisers run is wrapped in
 * System.TypeInitializationException for each of them, innermost last, with
 * the type's name, as Mono's message chain shows it. */
#ifndef RT_EXC_H
#define RT_EXC_H

#include <stddef.h>
#include <stdint.h>

#include "base/strbuf.h"

/* Exit status of a process killed by an unhandled exception (Mono's). */
enum { RT_EXIT_UNHANDLED = 1 };

/* Raises an exception of the given type and message (both borrowed). */
_Noreturn void rt_throw_text(const char *type, const char *message);

/* Writes Mono's unhandled-exception report for "type: message" (the text
 * after "Unhandled Exception:\n") to fd. Exposed for tests. */
void rt_exc_report(int fd, const char *exception_text);

/* Turns hardware faults of compiled code into Mono's reports: a fault near
 * the stack's guard region is a StackOverflowException (Mono prints the
 * bare "StackOverflowException" line), one in the first pages of memory a
 * NullReferenceException; anything else is reported as a crash of ngen
 * with the address, and the signal is raised again. Runs on an alternate
 * signal stack. Call once, after the heap is initialised. */
void rt_exc_install_fault_handlers(void);

/* Finds the readable name (Namespace.Type) of the type whose .cctor has
 * this code address; installed by the loader. Appends nothing when the
 * code is unknown. */
typedef void (*rt_type_namer)(const void *cctor_code, ng_strbuf *out);
void rt_exc_set_type_namer(rt_type_namer fn);

#endif
