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
#include <pthread.h>
#include <signal.h>
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

/* ---- faults ---- */

enum { FAULT_NULL_LIMIT = 64 * 1024, FAULT_STACK_SLACK = 1024 * 1024 };

static uintptr_t stack_low; /* lowest usable address of the main stack */

static void write_report_raw(const char *first_line, const char *text)
{
	rt_console_flush(1);
	write_str(2, "\nUnhandled Exception:\n");
	write_str(2, first_line);
	write_str(2, "\n[ERROR] FATAL UNHANDLED EXCEPTION: ");
	write_str(2, text);
	write_str(2, "\n  at (native code)\n");
}

static void on_fault(int sig, siginfo_t *info, void *uctx)
{
	uintptr_t addr = (uintptr_t)info->si_addr;
	if (stack_low && addr + FAULT_STACK_SLACK > stack_low &&
	    addr < stack_low + FAULT_STACK_SLACK) {
		/* Mono's own first line for this one is the bare type name. */
		write_report_raw("StackOverflowException",
				 "System.StackOverflowException: The requested operation caused a stack overflow.");
		_exit(RT_EXIT_UNHANDLED);
	}
	if (addr < FAULT_NULL_LIMIT) {
		const char *t = "System.NullReferenceException: Object reference not set to an instance of an object";
		write_report_raw(t, t);
		_exit(RT_EXIT_UNHANDLED);
	}
	rt_console_flush(1);
	write_str(2, "ngen run: fatal: the program crashed (invalid memory access); "
		     "this is a bug in ngen or in a native image\n");
	signal(sig, SIG_DFL);
	raise(sig);
}

void rt_exc_install_fault_handlers(void)
{
	static char alt[1 << 16];
	stack_t ss = { .ss_sp = alt, .ss_size = sizeof alt };
	sigaltstack(&ss, NULL);
	pthread_attr_t attr;
	if (pthread_getattr_np(pthread_self(), &attr) == 0) {
		void *addr;
		size_t size;
		if (pthread_attr_getstack(&attr, &addr, &size) == 0)
			stack_low = (uintptr_t)addr;
		pthread_attr_destroy(&attr);
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_fault;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
}
