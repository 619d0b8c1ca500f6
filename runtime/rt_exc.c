/* runtime/rt_exc.c - ngrt_throw, unhandled exceptions, type initialisers.
 *
 * Type initialisers (ngrt_run_cctor) keep a stack of the .cctors running
 * on this thread; when an exception is raised while one runs, the report
 * wraps it in one TypeInitializationException per running initialiser,
 * outermost first, like Mono's
 *   System.TypeInitializationException: The type initializer for 'T' threw
 *   an exception. ---> System.DivideByZeroException: Attempted to divide by zero.
 * A type whose initialiser is already running on this thread is treated as
 * initialised (ECMA-335 II.10.5.3.3: a recursive access sees the partly
 * initialised type instead of deadlocking). */
#include "runtime/rt_exc.h"

#include "base/abi.h"
#include "runtime/rt_console.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { CCTOR_DEPTH_MAX = 256 };

static _Thread_local const void *cctor_stack[CCTOR_DEPTH_MAX];
static _Thread_local int cctor_depth;
static rt_type_namer type_namer;

static const struct {
	const char *type, *text;
} exception_info[] = {
#define EX_INFO_(id, type, text) { type, text },
	NGRT_EXCEPTION_LIST(EX_INFO_)
#undef EX_INFO_
};

void rt_exc_set_type_namer(rt_type_namer fn)
{
	type_namer = fn;
}

static void write_str(int fd, const char *s)
{
	size_t n = strlen(s);
	while (n > 0) {
		ssize_t w = write(fd, s, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

void rt_exc_report(int fd, const char *text)
{
	write_str(fd, "\nUnhandled Exception:\n");
	write_str(fd, text);
	write_str(fd, "\n  at (native code)\n[ERROR] FATAL UNHANDLED EXCEPTION: ");
	write_str(fd, text);
	write_str(fd, "\n  at (native code)\n");
}

_Noreturn void rt_throw_text(const char *type, const char *message)
{
	ng_strbuf sb = NG_STRBUF_INIT;
	for (int i = 0; i < cctor_depth && i < CCTOR_DEPTH_MAX; i++) {
		ng_strbuf name = NG_STRBUF_INIT;
		if (type_namer)
			type_namer(cctor_stack[i], &name);
		ng_strbuf_printf(&sb,
			"System.TypeInitializationException: The type initializer for '%s' threw an exception. ---> ",
			ng_strbuf_str(&name));
		ng_strbuf_close(&name);
	}
	ng_strbuf_printf(&sb, "%s: %s", type, message);
	rt_console_flush(1);
	rt_exc_report(2, ng_strbuf_str(&sb));
	ng_strbuf_close(&sb);
	/* Unhandled: the process ends here, as under Mono. Nothing compiled
	 * can catch it in the first tier, so exiting is the whole semantics. */
	_exit(RT_EXIT_UNHANDLED);
}

_Noreturn void ngrt_throw(int32_t kind)
{
	if (kind < 0 || kind >= NGRT_EX_COUNT_)
		rt_throw_text("System.ExecutionEngineException",
			      "Unknown exception kind raised by compiled code.");
	rt_throw_text(exception_info[kind].type, exception_info[kind].text);
}

void ngrt_run_cctor(int32_t *state, void (*cctor)(void))
{
	if (__atomic_load_n(state, __ATOMIC_ACQUIRE) != 0)
		return; /* done, or running on this thread (single-threaded tier) */
	if (cctor_depth >= CCTOR_DEPTH_MAX)
		rt_throw_text("System.StackOverflowException",
			      "The requested operation caused a stack overflow.");
	*state = 1;
	cctor_stack[cctor_depth++] = (const void *)cctor;
	cctor();
	cctor_depth--;
	__atomic_store_n(state, 2, __ATOMIC_RELEASE);
}
