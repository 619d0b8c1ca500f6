/* tests/runtime/rt_testutil.h - running processes and reading their output
 * in the runtime's tests. */
#ifndef RT_TESTUTIL_H
#define RT_TESTUTIL_H

#include <stddef.h>

typedef struct rt_proc_result {
	int status;        /* exit status, or 128 + signal when killed */
	int signaled;      /* killed by a signal (a crash or the timeout) */
	char *out, *err;   /* whole stdout / stderr, NUL-terminated, malloc()ed */
} rt_proc_result;

/* Runs argv (argv[0] searched in PATH) with a time limit in seconds,
 * capturing stdout and stderr. Returns 0, or -1 when it cannot start. */
int rt_test_run(char *const argv[], int timeout_s, rt_proc_result *res);
void rt_test_result_close(rt_proc_result *res);
/* Runs fn(ctx) in a child process (stdout and stderr captured, the console
 * pointed at the captured stdout); the child exits 0 when fn returns. */
int rt_test_fork(void (*fn)(void *ctx), void *ctx, rt_proc_result *res);

/* $NGEN_BUILD / $NGEN_FIXTURES with their defaults; path of build/ngen. */
const char *rt_test_build_dir(void);
const char *rt_test_fixtures_dir(void);
/* A malloc()ed path: dir + "/" + name. */
char *rt_test_path(const char *dir, const char *name);

/* The first line of an unhandled-exception report: the line after
 * "Unhandled Exception:" (malloc()ed, "" when there is none). */
char *rt_test_exception_line(const char *err);

#endif
