/* tests/tui/test_cmd_run.c - `ngen run` takes images from the native image
 * cache when they are valid for the assembly as it is now. */
#include "base/xmalloc.h"

#include <criterion/criterion.h>
#include <stdarg.h>
#include <sys/wait.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *build_dir(void)
{
	const char *b = getenv("NGEN_BUILD");
	return b ? b : "build";
}

static const char *fixtures_dir(void)
{
	const char *f = getenv("NGEN_FIXTURES");
	return f ? f : "build/fixtures";
}

/* Runs a shell command; its stdout+stderr go to *out (malloc()ed). Returns
 * the exit status. */
static int sh(char **out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int sh(char **out, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *cmd = NULL;
	cr_assert_geq(vasprintf(&cmd, fmt, ap), 0);
	va_end(ap);
	char *full = xasprintf("(%s) 2>&1", cmd);
	FILE *p = popen(full, "r");
	cr_assert_not_null(p);
	size_t cap = 4096, len = 0;
	char *buf = xmalloc(cap);
	size_t n;
	while ((n = fread(buf + len, 1, cap - len - 1, p)) > 0) {
		len += n;
		if (cap - len < 1024)
			buf = xrealloc(buf, cap *= 2);
	}
	buf[len] = '\0';
	int st = pclose(p);
	free(full);
	free(cmd);
	*out = buf;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static char *temp_dir(void)
{
	char *d = xstrdup("/tmp/ngen-run-cache-XXXXXX");
	cr_assert_not_null(mkdtemp(d));
	return d;
}

Test(cmd_run, uses_the_cache_image_without_loading_llvm, .timeout = 300)
{
	char *dir = temp_dir(), *out;
	cr_assert_eq(sh(&out, "cp '%s/smoke/Hello.exe' '%s/App.exe'", fixtures_dir(), dir), 0);
	free(out);
	cr_assert_eq(sh(&out, "'%s/ngen' --cache '%s/c' install '%s/App.exe' /nologo",
			build_dir(), dir, dir), 0, "install failed");
	free(out);
	/* --no-compile: the image must come from somewhere, and the only
	 * place that has it is the cache. */
	int st = sh(&out, "LD_DEBUG=files '%s/ngen' --cache '%s/c' run /verbose --no-compile '%s/App.exe'",
		    build_dir(), dir, dir);
	cr_expect_eq(st, 3, "%s", out);
	cr_expect(strstr(out, "hello\n") != NULL, "%s", out);
	char *from_cache = xasprintf("using %s/c/images/", dir);
	cr_expect(strstr(out, from_cache) != NULL, "image not taken from the cache: %s", out);
	cr_expect(strstr(out, "libLLVM") == NULL, "ngen run mapped libLLVM");
	free(from_cache);
	free(out);
	sh(&out, "rm -rf '%s'", dir);
	free(out);
	free(dir);
}

Test(cmd_run, a_changed_assembly_does_not_use_the_stale_image, .timeout = 300)
{
	char *dir = temp_dir(), *out;
	cr_assert_eq(sh(&out, "cp '%s/smoke/Hello.exe' '%s/App.exe'", fixtures_dir(), dir), 0);
	free(out);
	cr_assert_eq(sh(&out, "'%s/ngen' --cache '%s/c' install '%s/App.exe' /nologo",
			build_dir(), dir, dir), 0);
	free(out);
	/* Another assembly (another MVID) in the same place. */
	cr_assert_eq(sh(&out, "cp '%s/programs/ExitCode.exe' '%s/App.exe'", fixtures_dir(), dir), 0);
	free(out);
	int st = sh(&out, "'%s/ngen' --cache '%s/c' run --no-compile '%s/App.exe'",
		    build_dir(), dir, dir);
	cr_expect_neq(st, 0, "a stale image ran: %s", out);
	cr_expect(strstr(out, "hello") == NULL, "the old program ran: %s", out);
	free(out);
	st = sh(&out, "'%s/ngen' --cache '%s/c' run '%s/App.exe'", build_dir(), dir, dir);
	cr_expect_eq(st, 43, "the new program did not run: %s", out);
	free(out);
	sh(&out, "rm -rf '%s'", dir);
	free(out);
	free(dir);
}

Test(cmd_run, running_never_creates_a_cache, .timeout = 300)
{
	char *dir = temp_dir(), *out;
	int st = sh(&out, "'%s/ngen' --cache '%s/none' run '%s/smoke/Hello.exe'",
		    build_dir(), dir, fixtures_dir());
	cr_expect_eq(st, 3, "%s", out);
	free(out);
	char *cache = xasprintf("%s/none/cache.db", dir);
	cr_expect_neq(access(cache, F_OK), 0, "ngen run created a cache");
	free(cache);
	sh(&out, "rm -rf '%s'", dir);
	free(out);
	free(dir);
}
