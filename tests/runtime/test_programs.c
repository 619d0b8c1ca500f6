/* tests/runtime/test_programs.c - every C# test program, run under Mono and
 * under `ngen run`, must give the same stdout, the same exit status and the
 * same first line of an unhandled exception on stderr.
 *
 * The programs are the .cs and .il files of tests/fixtures/programs, built by `make
 * fixtures` into $NGEN_FIXTURES/programs. A source may say on one of its
 * first five lines:
 *   // args: a|b c||d          Main's arguments, separated by '|'
 *   // expect-excluded: T::M   ngen run must refuse it, naming T::M (the
 *                              method is excluded from its image); it is
 *                              not compared with Mono
 * One parameterized test per program, so a failure names the program. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include "base/xmalloc.h"
#include "tests/runtime/rt_testutil.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { MAX_PROGRAMS = 256, MAX_ARGS = 32, RUN_TIMEOUT_S = 60 };

typedef struct program {
	char *name;   /* "Recursion", cr_malloc()ed */
} program;

static const char *source_dir(void)
{
	const char *s = getenv("NGEN_PROGRAM_SOURCES");
	return s && *s ? s : "tests/fixtures/programs";
}

static char *programs_dir(void)
{
	return rt_test_path(rt_test_fixtures_dir(), "programs");
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Names of the built programs (*.exe), sorted; returns the count. */
static size_t list_programs(char **names, size_t max)
{
	char *dir = programs_dir();
	DIR *d = opendir(dir);
	size_t n = 0;
	for (struct dirent *e; d && (e = readdir(d)) != NULL && n < max;) {
		size_t len = strlen(e->d_name);
		if (len > 4 && strcmp(e->d_name + len - 4, ".exe") == 0)
			names[n++] = xstrndup(e->d_name, len - 4);
	}
	if (d)
		closedir(d);
	free(dir);
	qsort(names, n, sizeof *names, cmp_str);
	return n;
}

static void free_programs(struct criterion_test_params *crp)
{
	program *p = crp->params;
	for (size_t i = 0; i < crp->length; i++)
		cr_free(p[i].name);
	cr_free(p);
}

ParameterizedTestParameters(programs, same_as_mono)
{
	char *names[MAX_PROGRAMS];
	size_t n = list_programs(names, MAX_PROGRAMS);
	program *p = cr_malloc(sizeof *p * (n ? n : 1));
	for (size_t i = 0; i < n; i++) {
		p[i].name = cr_malloc(strlen(names[i]) + 1);
		strcpy(p[i].name, names[i]);
		free(names[i]);
	}
	return cr_make_param_array(program, p, n, free_programs);
}

/* The value of a "// key: value" line among the first five of the
 * program's source (.cs or .il), malloc()ed, or NULL. */
static char *source_directive(const char *name, const char *key)
{
	char *path = xasprintf("%s/%s.cs", source_dir(), name);
	FILE *f = fopen(path, "r");
	if (!f) {
		free(path);
		path = xasprintf("%s/%s.il", source_dir(), name);
		f = fopen(path, "r");
	}
	free(path);
	char line[1024], *value = NULL;
	size_t klen = strlen(key);
	for (int i = 0; f && i < 5 && !value && fgets(line, sizeof line, f); i++) {
		const char *p = line;
		if (strncmp(p, "// ", 3) != 0 || strncmp(p + 3, key, klen) != 0 ||
		    p[3 + klen] != ':')
			continue;
		p += 3 + klen + 1;
		while (*p == ' ')
			p++;
		value = xstrndup(p, strcspn(p, "\r\n"));
	}
	if (f)
		fclose(f);
	return value;
}

/* argv = prefix..., program path, args from the source. */
static int build_argv(char **argv, char *const *prefix, const char *exe,
		      char *args)
{
	int n = 0;
	for (; prefix[n]; n++)
		argv[n] = prefix[n];
	argv[n++] = (char *)exe;
	if (args) {
		char *p = args;
		for (;;) {
			char *bar = strchr(p, '|');
			if (bar)
				*bar = 0;
			if (n < MAX_ARGS)
				argv[n++] = p;
			if (!bar)
				break;
			p = bar + 1;
		}
	}
	argv[n] = NULL;
	return n;
}

static void run_program(char *const *prefix, const char *exe, const char *name,
			rt_proc_result *res)
{
	char *args = source_directive(name, "args");
	char *argv[MAX_ARGS + 8];
	build_argv(argv, prefix, exe, args);
	cr_assert_eq(rt_test_run(argv, RUN_TIMEOUT_S, res), 0, "%s: cannot start %s",
		     name, argv[0]);
	free(args);
}

/* The 1-based number of the first line where a and b differ, and the two
 * lines (malloc()ed). */
static int first_difference(const char *a, const char *b, char **la, char **lb)
{
	int line = 1;
	for (;;) {
		size_t na = strcspn(a, "\n"), nb = strcspn(b, "\n");
		if (na != nb || memcmp(a, b, na) != 0 || (a[na] == 0) != (b[nb] == 0)) {
			*la = xstrndup(a, na);
			*lb = xstrndup(b, nb);
			return line;
		}
		if (!a[na])
			return 0;
		a += na + 1;
		b += nb + 1;
		line++;
	}
}

static void check_excluded(const char *name, const char *exe, const char *method)
{
	char *ngen = rt_test_path(rt_test_build_dir(), "ngen");
	char *prefix[] = { ngen, "run", NULL };
	rt_proc_result r;
	run_program(prefix, exe, name, &r);
	cr_expect(!r.signaled, "%s: ngen run crashed (status %d); stderr:\n%s",
		  name, r.status, r.err);
	cr_expect_neq(r.status, 0, "%s: ngen run succeeded although %s is excluded",
		      name, method);
	cr_expect(strstr(r.err, method) != NULL,
		  "%s: the failure does not name %s; stderr:\n%s", name, method, r.err);
	rt_test_result_close(&r);
	free(ngen);
}

ParameterizedTest(program *p, programs, same_as_mono, .timeout = 300)
{
	char *dir = programs_dir();
	char *exe = xasprintf("%s/%s.exe", dir, p->name);
	char *excluded = source_directive(p->name, "expect-excluded");
	if (excluded) {
		check_excluded(p->name, exe, excluded);
		free(excluded);
		free(exe);
		free(dir);
		return;
	}
	char *ngen = rt_test_path(rt_test_build_dir(), "ngen");
	char *mono_prefix[] = { "mono", NULL };
	char *ngen_prefix[] = { ngen, "run", NULL };
	rt_proc_result m, n;
	run_program(mono_prefix, exe, p->name, &m);
	run_program(ngen_prefix, exe, p->name, &n);

	char *la = NULL, *lb = NULL;
	int line = first_difference(m.out, n.out, &la, &lb);
	cr_expect_eq(line, 0,
		     "%s: stdout differs at line %d: mono \"%s\", ngen \"%s\" (ngen stderr: %.300s)",
		     p->name, line, la, lb, n.err);
	cr_expect_eq(n.status, m.status, "%s: exit status: mono %d, ngen %d (ngen stderr: %.300s)",
		     p->name, m.status, n.status, n.err);
	char *em = rt_test_exception_line(m.err), *en = rt_test_exception_line(n.err);
	cr_expect_str_eq(en, em, "%s: exception line: mono \"%s\", ngen \"%s\"",
			 p->name, em, en);
	free(em);
	free(en);
	free(la);
	free(lb);
	rt_test_result_close(&m);
	rt_test_result_close(&n);
	free(ngen);
	free(exe);
	free(dir);
}

/* The suite is only meaningful with its programs built. */
Test(programs, at_least_forty_built)
{
	char *names[MAX_PROGRAMS];
	size_t n = list_programs(names, MAX_PROGRAMS);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	cr_assert_geq(n, 40, "only %zu programs in %s/programs (run make fixtures)",
		      n, rt_test_fixtures_dir());
}

/* Starting from a present, valid image must not map libLLVM (the code
 * generator is loaded only to compile): LD_DEBUG=files lists every object
 * the dynamic loader maps. */
Test(programs, no_llvm_when_the_image_is_present, .timeout = 300)
{
	char *dir = programs_dir();
	char *exe = xasprintf("%s/ExitCode.exe", dir);
	char img_dir[] = "/tmp/ngen-rt-img-XXXXXX";
	cr_assert_not_null(mkdtemp(img_dir));
	char *image = xasprintf("%s/ExitCode.ni.so", img_dir);
	char *ngen = rt_test_path(rt_test_build_dir(), "ngen");
	char *compile[] = { ngen, "compile", exe, "-o", image, NULL };
	rt_proc_result r;
	cr_assert_eq(rt_test_run(compile, RUN_TIMEOUT_S, &r), 0);
	cr_assert_eq(r.status, 0, "ngen compile ExitCode.exe failed: %s", r.err);
	rt_test_result_close(&r);

	setenv("LD_DEBUG", "files", 1);
	char *run[] = { ngen, "run", "--images", img_dir, exe, NULL };
	cr_assert_eq(rt_test_run(run, RUN_TIMEOUT_S, &r), 0);
	unsetenv("LD_DEBUG");
	cr_expect_eq(r.status, 43, "%s", r.err);
	cr_expect_str_eq(r.out, "exiting with 43\n");
	cr_expect(strstr(r.err, "ExitCode.ni.so") != NULL, "the image was not loaded");
	cr_expect(strstr(r.err, "libLLVM") == NULL, "ngen run mapped libLLVM");
	cr_expect(strstr(r.err, "libngen-cg") == NULL, "ngen run mapped the code generator");
	rt_test_result_close(&r);
	unlink(image);
	rmdir(img_dir);
	free(image);
	free(ngen);
	free(exe);
	free(dir);
}

/* An image of another build of the program (same name, another MVID) is
 * rejected with the reason, and the program still runs: the runtime
 * compiles it afresh. */
Test(programs, stale_image_is_rejected_and_recompiled, .timeout = 300)
{
	char *dir = programs_dir();
	char *exe = xasprintf("%s/ExitCode.exe", dir);
	char work[] = "/tmp/ngen-rt-stale-XXXXXX";
	cr_assert_not_null(mkdtemp(work));
	char *image = xasprintf("%s/ExitCode.ni.so", work);
	char *ngen = rt_test_path(rt_test_build_dir(), "ngen");
	char *compile[] = { ngen, "compile", exe, "-o", image, NULL };
	rt_proc_result r;
	cr_assert_eq(rt_test_run(compile, RUN_TIMEOUT_S, &r), 0);
	cr_assert_eq(r.status, 0, "ngen compile failed: %s", r.err);
	rt_test_result_close(&r);

	/* A second build of the same source gets a new MVID. */
	char *src = xasprintf("%s/ExitCode.cs", source_dir());
	char *rebuilt = xasprintf("%s/ExitCode.exe", work);
	char *out_opt = xasprintf("-out:%s", rebuilt);
	char *mcs[] = { "mcs", "-nologo", out_opt, src, NULL };
	cr_assert_eq(rt_test_run(mcs, RUN_TIMEOUT_S, &r), 0);
	cr_assert_eq(r.status, 0, "mcs failed: %s", r.out);
	rt_test_result_close(&r);

	char *run[] = { ngen, "run", "--images", work, rebuilt, NULL };
	cr_assert_eq(rt_test_run(run, RUN_TIMEOUT_S, &r), 0);
	cr_expect_eq(r.status, 43, "%s", r.err);
	cr_expect_str_eq(r.out, "exiting with 43\n");
	cr_expect(strstr(r.err, "not using native image") != NULL, "%s", r.err);
	cr_expect(strstr(r.err, "another build of the assembly") != NULL, "%s", r.err);
	rt_test_result_close(&r);
	unlink(image);
	unlink(rebuilt);
	rmdir(work);
	free(image); free(ngen); free(src); free(rebuilt); free(out_opt); free(exe); free(dir);
}

/* Every assembly a run loads is recorded in the usage log of the cache
 * (read by the idle task): one line per load, program and assembly. */
Test(programs, loads_are_recorded_in_the_usage_log, .timeout = 300)
{
	char *dir = programs_dir();
	char *exe = xasprintf("%s/CrossHard.exe", dir);
	char cache[] = "/tmp/ngen-rt-usage-XXXXXX";
	cr_assert_not_null(mkdtemp(cache));
	char *usage = xasprintf("%s/usage", cache), *apps = xasprintf("%s/usage/apps", cache);
	cr_assert_eq(mkdir(usage, 0777), 0);
	cr_assert_eq(mkdir(apps, 0777), 0);
	char *ngen = rt_test_path(rt_test_build_dir(), "ngen");
	char *run[] = { ngen, "--cache", cache, "run", exe, NULL };
	rt_proc_result r;
	cr_assert_eq(rt_test_run(run, RUN_TIMEOUT_S, &r), 0);
	cr_expect_eq(r.status, 158, "%s", r.err);
	rt_test_result_close(&r);
	char *log = xasprintf("%s/runtime-wide.log", usage);
	FILE *f = fopen(log, "r");
	cr_assert_not_null(f, "no %s", log);
	char text[8192];
	size_t n = fread(text, 1, sizeof text - 1, f);
	text[n] = 0;
	fclose(f);
	cr_expect(strstr(text, "CrossHard.exe\t") != NULL, "%s", text);
	cr_expect(strstr(text, "HardLib.dll\tHardLib, Version=0.0.0.0") != NULL, "%s", text);
	char *rm[] = { "rm", "-rf", cache, NULL };
	cr_assert_eq(rt_test_run(rm, 60, &r), 0);
	rt_test_result_close(&r);
	free(log); free(usage); free(apps); free(ngen); free(exe); free(dir);
}

/* /Debug (unoptimised) and /Profile (hooked) images compute the same
 * results as Mono too. */
Test(programs, debug_and_profile_scenarios_match_mono, .timeout = 300)
{
	static const char *const names[] = { "Recursion", "SwitchDense", "Int64Arith", "OverflowAdd" };
	static const char *const scenarios[] = { "/Debug", "/Profile" };
	char *dir = programs_dir();
	char *ngen = rt_test_path(rt_test_build_dir(), "ngen");
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		char *exe = xasprintf("%s/%s.exe", dir, names[i]);
		char *mono[] = { "mono", exe, NULL };
		rt_proc_result m;
		cr_assert_eq(rt_test_run(mono, RUN_TIMEOUT_S, &m), 0);
		for (size_t s = 0; s < 2; s++) {
			char *run[] = { ngen, "run", (char *)scenarios[s], exe, NULL };
			rt_proc_result n;
			cr_assert_eq(rt_test_run(run, RUN_TIMEOUT_S, &n), 0);
			cr_expect_str_eq(n.out, m.out, "%s %s: stdout differs (stderr %.300s)",
					 names[i], scenarios[s], n.err);
			cr_expect_eq(n.status, m.status, "%s %s: exit status %d, mono %d",
				     names[i], scenarios[s], n.status, m.status);
			rt_test_result_close(&n);
		}
		rt_test_result_close(&m);
		free(exe);
	}
	free(ngen);
	free(dir);
}
