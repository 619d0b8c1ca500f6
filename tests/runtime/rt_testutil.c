/* tests/runtime/rt_testutil.c - process helpers for the runtime tests. */
#include "tests/runtime/rt_testutil.h"

#include "base/xmalloc.h"
#include "runtime/rt_console.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char *slurp_fd(int fd)
{
	size_t cap = 4096, len = 0;
	char *buf = xmalloc(cap);
	lseek(fd, 0, SEEK_SET);
	for (;;) {
		if (len + 1 >= cap)
			buf = xrealloc(buf, cap *= 2);
		ssize_t n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	buf[len] = 0;
	return buf;
}

static int temp_fd(void)
{
	char tmpl[] = "/tmp/ngen-rt-test-XXXXXX";
	int fd = mkstemp(tmpl);
	if (fd >= 0)
		unlink(tmpl);
	return fd;
}

int rt_test_run(char *const argv[], int timeout_s, rt_proc_result *res)
{
	memset(res, 0, sizeof *res);
	int out = temp_fd(), err = temp_fd();
	if (out < 0 || err < 0)
		return -1;
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		dup2(out, 1);
		dup2(err, 2);
		int devnull = open("/dev/null", O_RDONLY);
		if (devnull >= 0)
			dup2(devnull, 0);
		execvp(argv[0], argv);
		_exit(127);
	}
	int status = 0;
	struct timespec start, now;
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		pid_t w = waitpid(pid, &status, WNOHANG);
		if (w == pid)
			break;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - start.tv_sec > timeout_s) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			break;
		}
		usleep(2000);
	}
	if (WIFSIGNALED(status)) {
		res->signaled = 1;
		res->status = 128 + WTERMSIG(status);
	} else {
		res->status = WEXITSTATUS(status);
	}
	res->out = slurp_fd(out);
	res->err = slurp_fd(err);
	close(out);
	close(err);
	return 0;
}

int rt_test_fork(void (*fn)(void *ctx), void *ctx, rt_proc_result *res)
{
	memset(res, 0, sizeof *res);
	int out = temp_fd(), err = temp_fd();
	if (out < 0 || err < 0)
		return -1;
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		dup2(out, 1);
		dup2(err, 2);
		rt_console_set_fd(1);
		fn(ctx);
		rt_console_flush(1);
		fflush(stdout);
		fflush(stderr);
		_exit(0);
	}
	int status = 0;
	waitpid(pid, &status, 0);
	if (WIFSIGNALED(status)) {
		res->signaled = 1;
		res->status = 128 + WTERMSIG(status);
	} else {
		res->status = WEXITSTATUS(status);
	}
	res->out = slurp_fd(out);
	res->err = slurp_fd(err);
	close(out);
	close(err);
	return 0;
}

void rt_test_result_close(rt_proc_result *res)
{
	free(res->out);
	free(res->err);
	res->out = res->err = NULL;
}

const char *rt_test_build_dir(void)
{
	const char *b = getenv("NGEN_BUILD");
	return b && *b ? b : "build";
}

const char *rt_test_fixtures_dir(void)
{
	const char *f = getenv("NGEN_FIXTURES");
	return f && *f ? f : "build/fixtures";
}

char *rt_test_path(const char *dir, const char *name)
{
	return xasprintf("%s/%s", dir, name);
}

char *rt_test_exception_line(const char *err)
{
	const char *p = strstr(err, "Unhandled Exception:\n");
	if (!p)
		return xstrdup("");
	p += strlen("Unhandled Exception:\n");
	return xstrndup(p, strcspn(p, "\n"));
}
