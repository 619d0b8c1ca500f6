/* tests/runtime/test_rt_run.c - the loader and Main, without the compiler.
 *
 * Each test writes a small C "native image" for a real fixture assembly
 * (its MVID and MethodDef tokens read with the metadata reader), builds it
 * with `cc -shared`, and runs the program with rt_run() in a child process,
 * with compiling disabled: so loading, manifest checks and rejections,
 * Main's shapes and exit codes, import binding, missing methods and
 * type-initializer failures are tested on their own. The images call the
 * runtime's helpers, which the test binary exports (-rdynamic). */
#include <criterion/criterion.h>

#include "base/abi.h"
#include "base/err.h"
#include "base/strbuf.h"
#include "base/xmalloc.h"
#include "compiler/comp.h"
#include "compiler/md.h"
#include "runtime/rt.h"
#include "tests/runtime/rt_testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

typedef struct asm_info {
	char *path;
	uint8_t mvid[16];
	uint32_t entry;
	md_image *md;
} asm_info;

/* Assemblies opened by a test, closed by the suite's fini. */
static md_image *opened_md[8];
static char *opened_path[8];
static int opened;

static void close_opened(void)
{
	for (int i = 0; i < opened; i++) {
		md_close(opened_md[i]);
		free(opened_path[i]);
	}
	opened = 0;
}

TestSuite(rt_run, .fini = close_opened);

static void asm_open(const char *file, asm_info *a)
{
	char *dir = rt_test_path(rt_test_fixtures_dir(), "programs");
	a->path = rt_test_path(dir, file);
	free(dir);
	ng_diag d;
	ng_diag_clear(&d);
	cr_assert_eq(md_open(a->path, &a->md, &d), 0, "%s (run make fixtures)", d.msg);
	md_mvid(a->md, a->mvid);
	a->entry = md_entry_point(a->md);
	cr_assert_lt(opened, 8);
	opened_md[opened] = a->md;
	opened_path[opened++] = a->path;
}

/* The MethodDef token of Type::name. */
static uint32_t method_token(const asm_info *a, const char *type, const char *name)
{
	uint32_t n = md_row_count(a->md, MD_T_METHODDEF);
	for (uint32_t row = 1; row <= n; row++) {
		md_methoddef def;
		md_typedef td;
		if (md_methoddef_get(a->md, row, &def) < 0 || strcmp(def.name, name) != 0)
			continue;
		if (md_typedef_get(a->md, md_method_owner(a->md, row), &td) == 0 &&
		    strcmp(td.name, type) == 0)
			return MD_TOKEN(MD_T_METHODDEF, row);
	}
	cr_assert_fail("no method %s::%s in %s", type, name, a->path);
	return 0;
}

static char *mvid_init(const uint8_t m[16])
{
	ng_strbuf sb = NG_STRBUF_INIT;
	ng_strbuf_puts(&sb, "{");
	for (int i = 0; i < 16; i++)
		ng_strbuf_printf(&sb, "%s%u", i ? "," : "", m[i]);
	ng_strbuf_puts(&sb, "}");
	return ng_strbuf_take(&sb);
}

static char *temp_dir(void)
{
	char *t = xstrdup("/tmp/ngen-rt-run-XXXXXX");
	cr_assert_not_null(mkdtemp(t));
	return t;
}

/* Writes dir/<name>.c with the common prelude and body, builds
 * dir/<name>.ni.so. */
static void build_image(const char *dir, const char *name, const char *body)
{
	char *src = xasprintf("%s/%s.c", dir, name);
	char *so = xasprintf("%s/%s.ni.so", dir, name);
	FILE *f = fopen(src, "w");
	cr_assert_not_null(f);
	struct utsname u;
	uname(&u);
	fprintf(f, "#include \"base/abi_bcl.h\"\n#include <stddef.h>\n"
		"#define TRIPLE \"%s-pc-linux-gnu\"\n%s\n", u.machine, body);
	fclose(f);
	char *cwd = getcwd(NULL, 0);
	char *argv[] = { "cc", "-shared", "-fPIC", "-w", "-I", cwd, "-o", so, src, NULL };
	rt_proc_result r;
	cr_assert_eq(rt_test_run(argv, 60, &r), 0);
	cr_assert_eq(r.status, 0, "cc failed: %s", r.err);
	rt_test_result_close(&r);
	free(cwd);
	free(src);
	free(so);
}

/* A manifest with one dependency-free method table. */
static char *manifest_src(const char *mvid, uint32_t entry, const char *methods,
			  int nmethods, const char *extra_fields)
{
	return xasprintf(
		"static const ng_manifest_method methods_[] = { %s };\n"
		"const ng_manifest ngen_manifest = { .magic = NG_MANIFEST_MAGIC,\n"
		" .format = NG_IMAGE_FORMAT, .compiler_version = \"" COMP_COMPILER_VERSION "\", .llvm_version = \"14\",\n"
		" .target_triple = TRIPLE, .cpu_features = \"+sse2\", .scenario = 0,\n"
		" .display_name = \"test\", .mvid = %s, .entry_token = 0x%08x,\n"
		" .method_count = %d, .methods = methods_ %s };\n",
		methods, mvid, entry, nmethods, extra_fields ? extra_fields : "");
}

typedef struct run_ctx {
	const char *program;
	const char *dir;
	int argc;
	char **argv;
} run_ctx;

static void run_child(void *p)
{
	run_ctx *c = p;
	const char *dirs[] = { c->dir, NULL };
	rt_options opt = { .image_dirs = dirs, .no_compile = true };
	int code = -1;
	ng_diag d;
	ng_diag_clear(&d);
	int rc = rt_run(&opt, c->program, c->argc, c->argv, &code, &d);
	if (rc < 0) {
		fprintf(stderr, "rt_run: %s\n", d.msg);
		fflush(stderr);
		_exit(99);
	}
	_exit(code & 0xff);
}

static void run(const char *program, const char *dir, int argc, char **argv,
		rt_proc_result *r)
{
	run_ctx c = { program, dir, argc, argv };
	cr_assert_eq(rt_test_fork(run_child, &c, r), 0);
}

static char *exit_code_image(const asm_info *a, const uint8_t *mvid, const char *status)
{
	char *m = mvid_init(mvid);
	char *rows = xasprintf("{ 0x%08x, %s, (void *)ngm_main, \"newobj: object creation is not supported\" }",
			       a->entry, status);
	char *man = manifest_src(m, a->entry, rows, 1, NULL);
	char *body = xasprintf(
		"static ngrt_string *lit;\n"
		"static const uint16_t text[] = { 'f','r','o','m',' ','n','a','t','i','v','e' };\n"
		"int32_t ngm_main(void) { ngrt_Console_WriteLine_string(ngrt_ldstr(&lit, text, 11));\n"
		" return 43; }\n%s", man);
	free(m);
	free(rows);
	free(man);
	return body;
}

Test(rt_run, runs_main_and_exits_with_its_result)
{
	asm_info a;
	asm_open("ExitCode.exe", &a);
	char *dir = temp_dir();
	char *body = exit_code_image(&a, a.mvid, "NG_METHOD_COMPILED");
	build_image(dir, "ExitCode", body);
	rt_proc_result r;
	run(a.path, dir, 0, NULL, &r);
	cr_expect_eq(r.status, 43, "status %d, stderr %s", r.status, r.err);
	cr_expect_str_eq(r.out, "from native\n");
	cr_expect_str_eq(r.err, "");
	rt_test_result_close(&r);
	free(body);
	free(dir);
}

Test(rt_run, rejects_an_image_of_another_build_and_says_why)
{
	asm_info a;
	asm_open("ExitCode.exe", &a);
	uint8_t other[16];
	memcpy(other, a.mvid, 16);
	other[3] ^= 0x5a;
	char *dir = temp_dir();
	char *body = exit_code_image(&a, other, "NG_METHOD_COMPILED");
	build_image(dir, "ExitCode", body);
	rt_proc_result r;
	run(a.path, dir, 0, NULL, &r);
	cr_expect_eq(r.status, 99, "status %d", r.status);
	cr_expect_str_eq(r.out, "");
	cr_expect(strstr(r.err, "not using native image") != NULL, "%s", r.err);
	cr_expect(strstr(r.err, "another build of the assembly") != NULL, "%s", r.err);
	cr_expect(strstr(r.err, "compiling is disabled") != NULL, "%s", r.err);
	rt_test_result_close(&r);
	free(body);
	free(dir);
}

Test(rt_run, excluded_main_names_the_method_and_reason)
{
	asm_info a;
	asm_open("ExitCode.exe", &a);
	char *dir = temp_dir();
	char *body = exit_code_image(&a, a.mvid, "NG_METHOD_EXCLUDED");
	build_image(dir, "ExitCode", body);
	rt_proc_result r;
	run(a.path, dir, 0, NULL, &r);
	cr_expect_eq(r.status, 1);
	cr_expect(!r.signaled);
	cr_expect(strstr(r.err, "ExitCode::Main") != NULL, "%s", r.err);
	cr_expect(strstr(r.err, "newobj: object creation is not supported") != NULL, "%s", r.err);
	char *line = rt_test_exception_line(r.err);
	cr_expect(strncmp(line, "System.MissingMethodException: ", 31) == 0, "%s", line);
	free(line);
	rt_test_result_close(&r);
	free(body);
	free(dir);
}

Test(rt_run, missing_image_without_compiling_is_an_error)
{
	asm_info a;
	asm_open("ExitCode.exe", &a);
	char *dir = temp_dir();
	rt_proc_result r;
	run(a.path, dir, 0, NULL, &r);
	cr_expect_eq(r.status, 99);
	cr_expect(strstr(r.err, "no valid native image") != NULL, "%s", r.err);
	rt_test_result_close(&r);
	free(dir);
}

Test(rt_run, passes_string_args_to_main)
{
	asm_info a;
	asm_open("Args.exe", &a);
	char *dir = temp_dir();
	char *m = mvid_init(a.mvid);
	char *rows = xasprintf("{ 0x%08x, NG_METHOD_COMPILED, (void *)ngm_main, NULL }", a.entry);
	char *man = manifest_src(m, a.entry, rows, 1, NULL);
	char *body = xasprintf(
		"int32_t ngm_main(ngrt_array *args) {\n"
		" ngrt_Console_WriteLine_i8(args->length);\n"
		" ngrt_string **s = (ngrt_string **)(void *)args->data;\n"
		" for (intptr_t i = 0; i < args->length; i++) {\n"
		"  ngrt_Console_Write_string(s[i]); ngrt_Console_Write_char('/');\n"
		"  ngrt_Console_WriteLine_i4(ngrt_String_get_Length(s[i])); }\n"
		" return (int32_t)args->length; }\n%s", man);
	build_image(dir, "Args", body);
	/* The console writes UTF-8 only in a UTF-8 locale, as Mono's does. */
	setenv("LC_ALL", "C.UTF-8", 1);
	char *argv[] = { "one", "", "\xc3\xbcnic\xc3\xb6" "de" };
	rt_proc_result r;
	run(a.path, dir, 3, argv, &r);
	cr_expect_eq(r.status, 3, "%s", r.err);
	cr_expect_str_eq(r.out, "3\none/3\n/0\n\xc3\xbcnic\xc3\xb6" "de/7\n");
	rt_test_result_close(&r);
	free(m); free(rows); free(man); free(body); free(dir);
}

Test(rt_run, unhandled_exception_in_a_type_initializer_is_wrapped_like_mono)
{
	asm_info a;
	asm_open("TypeInitThrows.exe", &a);
	uint32_t cctor = method_token(&a, "Broken", ".cctor");
	char *dir = temp_dir();
	char *m = mvid_init(a.mvid);
	char *rows = xasprintf("{ 0x%08x, NG_METHOD_COMPILED, (void *)ngm_main, NULL },"
			       "{ 0x%08x, NG_METHOD_COMPILED, (void *)ngm_cctor, NULL }",
			       a.entry, cctor);
	char *man = manifest_src(m, a.entry, rows, 2, NULL);
	char *body = xasprintf(
		"static int32_t state;\n"
		"void ngm_cctor(void) { ngrt_Console_WriteLine_i4(1); ngrt_throw(NGRT_EX_DIVIDE_BY_ZERO); }\n"
		"void ngm_main(void) { ngrt_Console_WriteLine_i4(0);\n"
		" ngrt_run_cctor(&state, ngm_cctor); ngrt_Console_WriteLine_i4(2); }\n%s", man);
	build_image(dir, "TypeInitThrows", body);
	rt_proc_result r;
	run(a.path, dir, 0, NULL, &r);
	cr_expect_eq(r.status, 1);
	cr_expect_str_eq(r.out, "0\n1\n");
	char *line = rt_test_exception_line(r.err);
	cr_expect_str_eq(line, "System.TypeInitializationException: The type initializer for "
			 "'Broken' threw an exception. ---> System.DivideByZeroException: "
			 "Attempted to divide by zero.");
	cr_expect(strncmp(r.err, "\nUnhandled Exception:\n", 22) == 0, "%s", r.err);
	cr_expect(strstr(r.err, "[ERROR] FATAL UNHANDLED EXCEPTION: System.TypeInitializationException") != NULL);
	free(line);
	rt_test_result_close(&r);
	free(m); free(rows); free(man); free(body); free(dir);
}

Test(rt_run, type_initializer_runs_once)
{
	asm_info a;
	asm_open("TypeInitThrows.exe", &a);
	uint32_t cctor = method_token(&a, "Broken", ".cctor");
	char *dir = temp_dir();
	char *m = mvid_init(a.mvid);
	char *rows = xasprintf("{ 0x%08x, NG_METHOD_COMPILED, (void *)ngm_main, NULL },"
			       "{ 0x%08x, NG_METHOD_COMPILED, (void *)ngm_cctor, NULL }",
			       a.entry, cctor);
	char *man = manifest_src(m, a.entry, rows, 2, NULL);
	char *body = xasprintf(
		"static int32_t state;\n"
		"void ngm_cctor(void) { ngrt_Console_WriteLine_i4(7);\n"
		" ngrt_run_cctor(&state, ngm_cctor); /* recursive: already running */ }\n"
		"void ngm_main(void) { for (int i = 0; i < 3; i++) ngrt_run_cctor(&state, ngm_cctor);\n"
		" ngrt_Console_WriteLine_i4(state); }\n%s", man);
	build_image(dir, "TypeInitThrows", body);
	rt_proc_result r;
	run(a.path, dir, 0, NULL, &r);
	cr_expect_eq(r.status, 0, "%s", r.err);
	cr_expect_str_eq(r.out, "7\n2\n");
	rt_test_result_close(&r);
	free(m); free(rows); free(man); free(body); free(dir);
}

/* CrossAsm.exe calls ProgLib.MathLib::Add through an import cell bound on
 * first use, and ProgLib.MathLib::Fib, which ProgLib's image excludes. */
static void build_cross(const char *dir, asm_info *prog, asm_info *lib, int call_excluded)
{
	uint32_t add = method_token(lib, "MathLib", "Add");
	uint32_t fib = method_token(lib, "MathLib", "Fib");
	char *lm = mvid_init(lib->mvid);
	char *lrows = xasprintf("{ 0x%08x, NG_METHOD_COMPILED, (void *)ngm_add, NULL },"
				"{ 0x%08x, NG_METHOD_EXCLUDED, NULL, \"ldfld: instance fields are not supported\" }",
				add, fib);
	char *lman = manifest_src(lm, 0, lrows, 2, NULL);
	char *lbody = xasprintf("int32_t ngm_add(int32_t a, int32_t b) { return a + b; }\n%s", lman);
	build_image(dir, "ProgLib", lbody);

	char *pm = mvid_init(prog->mvid);
	char *prows = xasprintf("{ 0x%08x, NG_METHOD_COMPILED, (void *)ngm_main, NULL }", prog->entry);
	char *extra = xasprintf(", .dep_count = 1, .deps = deps_, .import_count = 2, .imports = imports_");
	char *pman = manifest_src(pm, prog->entry, prows, 1, extra);
	char *pbody = xasprintf(
		"static const ng_manifest_dep deps_[] = { { \"ProgLib, Version=0.0.0.0, Culture=neutral, "
		"PublicKeyToken=null\", %s, 0 } };\n"
		"static void *cells[2];\n"
		"static const ng_manifest_import imports_[] = { { &cells[0], 0, 0x%08x }, { &cells[1], 0, 0x%08x } };\n"
		"extern const ng_manifest ngen_manifest;\n"
		"void ngm_main(void) {\n"
		" for (int i = 0; i < 3; i++) {\n"
		"  int32_t (*add)(int32_t, int32_t) = cells[0] ? cells[0] : ngrt_bind_import(&ngen_manifest, 0);\n"
		"  ngrt_Console_WriteLine_i4(add(40, i)); }\n"
		" ngrt_Console_WriteLine_bool(cells[0] != NULL);\n"
		" if (%d) { int32_t (*fib)(int32_t) = ngrt_bind_import(&ngen_manifest, 1); fib(3); } }\n%s",
		lm, add, fib, call_excluded, pman);
	build_image(dir, "CrossAsm", pbody);
	free(lm); free(lrows); free(lman); free(lbody);
	free(pm); free(prows); free(extra); free(pman); free(pbody);
}

Test(rt_run, binds_soft_imports_on_first_call)
{
	asm_info prog, lib;
	asm_open("CrossAsm.exe", &prog);
	asm_open("ProgLib.dll", &lib);
	char *dir = temp_dir();
	build_cross(dir, &prog, &lib, 0);
	rt_proc_result r;
	run(prog.path, dir, 0, NULL, &r);
	cr_expect_eq(r.status, 0, "%s", r.err);
	cr_expect_str_eq(r.out, "40\n41\n42\nTrue\n");
	rt_test_result_close(&r);
	free(dir);
}

Test(rt_run, binding_an_excluded_method_names_it_and_the_reason)
{
	asm_info prog, lib;
	asm_open("CrossAsm.exe", &prog);
	asm_open("ProgLib.dll", &lib);
	char *dir = temp_dir();
	build_cross(dir, &prog, &lib, 1);
	rt_proc_result r;
	run(prog.path, dir, 0, NULL, &r);
	cr_expect_eq(r.status, 1, "%s", r.err);
	cr_expect(!r.signaled);
	cr_expect_str_eq(r.out, "40\n41\n42\nTrue\n");
	cr_expect(strstr(r.err, "ProgLib.MathLib::Fib") != NULL, "%s", r.err);
	cr_expect(strstr(r.err, "ldfld: instance fields are not supported") != NULL, "%s", r.err);
	rt_test_result_close(&r);
	free(dir);
}

/* CrossHard.exe binds HardLib hard: its image has DT_NEEDED HardLib.ni.so
 * and calls Hard::Square directly; the runtime must load HardLib's image
 * first (RTLD_GLOBAL) for the program's image to load at all. */
Test(rt_run, loads_hard_bound_dependencies_first)
{
	asm_info prog, lib;
	asm_open("CrossHard.exe", &prog);
	asm_open("HardLib.dll", &lib);
	uint32_t square = method_token(&lib, "Hard", "Square");
	char *dir = temp_dir();
	char *lm = mvid_init(lib.mvid);
	char *lrows = xasprintf("{ 0x%08x, NG_METHOD_COMPILED, (void *)ngm_hard_square, NULL }", square);
	char *lman = manifest_src(lm, 0, lrows, 1, NULL);
	char *lbody = xasprintf("int32_t ngm_hard_square(int32_t x) { return x * x; }\n%s", lman);
	build_image(dir, "HardLib", lbody);
	/* Give it its soname, as the compiler's images have. */
	char *lso = xasprintf("%s/HardLib.ni.so", dir), *lsrc = xasprintf("%s/HardLib.c", dir);
	char *cwd = getcwd(NULL, 0);
	char *relink[] = { "cc", "-shared", "-fPIC", "-w", "-I", cwd, "-Wl,-soname,HardLib.ni.so",
			   "-o", lso, lsrc, NULL };
	rt_proc_result r;
	cr_assert_eq(rt_test_run(relink, 60, &r), 0);
	cr_assert_eq(r.status, 0, "%s", r.err);
	rt_test_result_close(&r);

	char *pm = mvid_init(prog.mvid);
	char *prows = xasprintf("{ 0x%08x, NG_METHOD_COMPILED, (void *)ngm_main, NULL }", prog.entry);
	char *pman = manifest_src(pm, prog.entry, prows, 1, ", .dep_count = 1, .deps = deps_");
	char *pbody = xasprintf(
		"static const ng_manifest_dep deps_[] = { { \"HardLib, Version=0.0.0.0, Culture=neutral, "
		"PublicKeyToken=null\", %s, 1 } };\n"
		"int32_t ngm_hard_square(int32_t);\n"
		"int32_t ngm_main(void) { ngrt_Console_WriteLine_i4(ngm_hard_square(12)); return 7; }\n%s",
		lm, pman);
	char *psrc = xasprintf("%s/CrossHard.c", dir), *pso = xasprintf("%s/CrossHard.ni.so", dir);
	FILE *f = fopen(psrc, "w");
	cr_assert_not_null(f);
	struct utsname u;
	uname(&u);
	fprintf(f, "#include \"base/abi_bcl.h\"\n#include <stddef.h>\n"
		"#define TRIPLE \"%s-pc-linux-gnu\"\n%s\n", u.machine, pbody);
	fclose(f);
	char *ldir = xasprintf("-L%s", dir);
	char *link[] = { "cc", "-shared", "-fPIC", "-w", "-I", cwd, "-o", pso, psrc, ldir,
			 "-l:HardLib.ni.so", NULL };
	cr_assert_eq(rt_test_run(link, 60, &r), 0);
	cr_assert_eq(r.status, 0, "%s", r.err);
	rt_test_result_close(&r);

	run(prog.path, dir, 0, NULL, &r);
	cr_expect_eq(r.status, 7, "%s", r.err);
	cr_expect_str_eq(r.out, "144\n");
	rt_test_result_close(&r);
	free(lm); free(lrows); free(lman); free(lbody); free(lso); free(lsrc); free(cwd);
	free(pm); free(prows); free(pman); free(pbody); free(psrc); free(pso); free(ldir); free(dir);
}

/* /Profile images call the hooks on entry and exit; the counts go to
 * $NGEN_PROFILE when the program ends. */
static void run_profiled(void *p)
{
	run_ctx *c = p;
	const char *dirs[] = { c->dir, NULL };
	rt_options opt = { .image_dirs = dirs, .no_compile = true,
			   .scenario = NG_SCENARIO_PROFILE };
	int code = -1;
	ng_diag d;
	ng_diag_clear(&d);
	if (rt_run(&opt, c->program, 0, NULL, &code, &d) < 0) {
		fprintf(stderr, "rt_run: %s\n", d.msg);
		_exit(99);
	}
	_exit(code & 0xff);
}

Test(rt_run, profile_hooks_count_calls)
{
	asm_info a;
	asm_open("ExitCode.exe", &a);
	uint32_t compute = method_token(&a, "ExitCode", "Compute");
	char *dir = temp_dir();
	char *m = mvid_init(a.mvid);
	char *rows = xasprintf("{ 0x%08x, NG_METHOD_COMPILED, (void *)ngm_main, NULL },"
			       "{ 0x%08x, NG_METHOD_COMPILED, (void *)ngm_compute, NULL }",
			       a.entry, compute);
	char *man = manifest_src(m, a.entry, rows, 2, NULL);
	char *body = xasprintf(
		"extern const ng_manifest ngen_manifest;\n"
		"int32_t ngm_compute(int32_t x) { ngrt_profile_enter(&ngen_manifest, 0x%08x);\n"
		" int32_t r = x * 7 + 1; ngrt_profile_leave(&ngen_manifest, 0x%08x); return r; }\n"
		"int32_t ngm_main(void) { ngrt_profile_enter(&ngen_manifest, 0x%08x); int32_t s = 0;\n"
		" for (int i = 0; i < 5; i++) s += ngm_compute(i);\n"
		" ngrt_profile_leave(&ngen_manifest, 0x%08x); return s; }\n%s",
		compute, compute, a.entry, a.entry, man);
	/* The same manifest, marked as a /Profile image. */
	char *p = strstr(body, ".scenario = 0");
	cr_assert_not_null(p);
	memcpy(p, ".scenario = 2", 13);
	build_image(dir, "ExitCode", body);
	char *report = xasprintf("%s/profile.txt", dir);
	setenv("NGEN_PROFILE", report, 1);
	run_ctx c = { a.path, dir, 0, NULL };
	rt_proc_result r;
	cr_assert_eq(rt_test_fork(run_profiled, &c, &r), 0);
	unsetenv("NGEN_PROFILE");
	cr_expect_eq(r.status, 5 * 1 + 7 * 10, "%s", r.err);
	FILE *f = fopen(report, "r");
	cr_assert_not_null(f, "no profile report");
	char text[4096] = "";
	size_t n = fread(text, 1, sizeof text - 1, f);
	text[n] = 0;
	fclose(f);
	char want[128];
	snprintf(want, sizeof want, "calls 5 depth 2 test 0x%08x ExitCode::Compute\n", compute);
	cr_expect(strstr(text, want) != NULL, "%s", text);
	snprintf(want, sizeof want, "calls 1 depth 2 test 0x%08x ExitCode::Main\n", a.entry);
	cr_expect(strstr(text, want) != NULL, "%s", text);
	rt_test_result_close(&r);
	free(m); free(rows); free(man); free(body); free(report); free(dir);
}

static void expect_rejected(const char *dir, const char *program, const char *why)
{
	rt_proc_result r;
	run(program, dir, 0, NULL, &r);
	cr_expect_eq(r.status, 99, "status %d: %s", r.status, r.err);
	cr_expect(!r.signaled);
	cr_expect(strstr(r.err, "not using native image") != NULL, "%s", r.err);
	cr_expect(strstr(r.err, why) != NULL, "\"%s\" lacks \"%s\"", r.err, why);
	rt_test_result_close(&r);
}

Test(rt_run, rejects_a_file_that_is_not_an_image)
{
	asm_info a;
	asm_open("ExitCode.exe", &a);
	char *dir = temp_dir();
	char *path = xasprintf("%s/ExitCode.ni.so", dir);
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs("this is not an ELF file\n", f);
	fclose(f);
	expect_rejected(dir, a.path, "cannot load it");
	free(path);
	free(dir);
}

Test(rt_run, rejects_a_shared_object_without_a_manifest)
{
	asm_info a;
	asm_open("ExitCode.exe", &a);
	char *dir = temp_dir();
	build_image(dir, "ExitCode", "int ngm_nothing(void) { return 0; }\n");
	expect_rejected(dir, a.path, "exports no ngen_manifest");
	free(dir);
}

static void run_with_env_dirs(void *p)
{
	run_ctx *c = p;
	rt_options opt = { .no_compile = true };
	int code = -1;
	ng_diag d;
	ng_diag_clear(&d);
	if (rt_run(&opt, c->program, 0, NULL, &code, &d) < 0) {
		fprintf(stderr, "rt_run: %s\n", d.msg);
		_exit(99);
	}
	_exit(code & 0xff);
}

/* The default source also searches $NGEN_IMAGES (colon-separated). */
Test(rt_run, default_source_searches_ngen_images)
{
	asm_info a;
	asm_open("ExitCode.exe", &a);
	char *dir = temp_dir();
	char *body = exit_code_image(&a, a.mvid, "NG_METHOD_COMPILED");
	build_image(dir, "ExitCode", body);
	char *list = xasprintf("/nonexistent-dir:%s", dir);
	setenv("NGEN_IMAGES", list, 1);
	run_ctx c = { a.path, NULL, 0, NULL };
	rt_proc_result r;
	cr_assert_eq(rt_test_fork(run_with_env_dirs, &c, &r), 0);
	unsetenv("NGEN_IMAGES");
	cr_expect_eq(r.status, 43, "%s", r.err);
	cr_expect_str_eq(r.out, "from native\n");
	rt_test_result_close(&r);
	free(list);
	free(body);
	free(dir);
}

static uint32_t field_token(const asm_info *a, const char *name)
{
	uint32_t n = md_row_count(a->md, MD_T_FIELD);
	for (uint32_t row = 1; row <= n; row++)
		if (strcmp(md_string(a->md, md_get(a->md, MD_T_FIELD, row, MD_FIELD_NAME)), name) == 0)
			return MD_TOKEN(MD_T_FIELD, row);
	cr_assert_fail("no field %s", name);
	return 0;
}

/* Imports of a Field or TypeDef token bind to the dependency's
 * ngs_<mvid>_<token> / ngt_<mvid>_<token> symbols. */
static void build_field_import(const char *dir, asm_info *prog, asm_info *lib, int define)
{
	uint32_t counter = field_token(lib, "Counter");
	uint32_t type = MD_TOKEN(MD_T_TYPEDEF, md_field_owner(lib->md, counter & 0xffffff));
	char hex[33];
	for (int i = 0; i < 16; i++)
		sprintf(hex + 2 * i, "%02x", lib->mvid[i]);
	char *lm = mvid_init(lib->mvid);
	char *lman = manifest_src(lm, 0, "{ 0 }", 0, NULL);
	char *lbody = define
		? xasprintf("int32_t ngs_%s_%08x = 1234;\nint32_t ngt_%s_%08x = 2;\n%s",
			    hex, counter, hex, type, lman)
		: xasprintf("int32_t unrelated;\n%s", lman);
	build_image(dir, "ProgLib", lbody);
	char *pm = mvid_init(prog->mvid);
	char *prows = xasprintf("{ 0x%08x, NG_METHOD_COMPILED, (void *)ngm_main, NULL }", prog->entry);
	char *pman = manifest_src(pm, prog->entry, prows, 1,
				  ", .dep_count = 1, .deps = deps_, .import_count = 2, .imports = imports_");
	char *pbody = xasprintf(
		"static const ng_manifest_dep deps_[] = { { \"ProgLib, Version=0.0.0.0, Culture=neutral, "
		"PublicKeyToken=null\", %s, 0 } };\n"
		"static void *cells[2];\n"
		"static const ng_manifest_import imports_[] = { { &cells[0], 0, 0x%08x }, { &cells[1], 0, 0x%08x } };\n"
		"extern const ng_manifest ngen_manifest;\n"
		"void ngm_main(void) {\n"
		" int32_t *state = ngrt_bind_import(&ngen_manifest, 1);\n"
		" ngrt_Console_WriteLine_i4(*state);\n"
		" int32_t *f = ngrt_bind_import(&ngen_manifest, 0);\n"
		" *f += 1; ngrt_Console_WriteLine_i4(*(int32_t *)cells[0]); }\n%s",
		lm, counter, type, pman);
	build_image(dir, "CrossAsm", pbody);
	free(lm); free(lman); free(lbody); free(pm); free(prows); free(pman); free(pbody);
}

Test(rt_run, binds_static_field_and_type_state_imports)
{
	asm_info prog, lib;
	asm_open("CrossAsm.exe", &prog);
	asm_open("ProgLib.dll", &lib);
	char *dir = temp_dir();
	build_field_import(dir, &prog, &lib, 1);
	rt_proc_result r;
	run(prog.path, dir, 0, NULL, &r);
	cr_expect_eq(r.status, 0, "%s", r.err);
	cr_expect_str_eq(r.out, "2\n1235\n");
	rt_test_result_close(&r);
	free(dir);
}

Test(rt_run, a_missing_static_field_is_named)
{
	asm_info prog, lib;
	asm_open("CrossAsm.exe", &prog);
	asm_open("ProgLib.dll", &lib);
	char *dir = temp_dir();
	build_field_import(dir, &prog, &lib, 0);
	rt_proc_result r;
	run(prog.path, dir, 0, NULL, &r);
	cr_expect_eq(r.status, 1, "%s", r.err);
	cr_expect(!r.signaled);
	cr_expect(strstr(r.err, "ProgLib.MathLib") != NULL, "%s", r.err);
	rt_test_result_close(&r);
	free(dir);
}

static void run_faulting_main(const char *main_body, rt_proc_result *r)
{
	asm_info a;
	asm_open("ExitCode.exe", &a);
	char *dir = temp_dir();
	char *m = mvid_init(a.mvid);
	char *rows = xasprintf("{ 0x%08x, NG_METHOD_COMPILED, (void *)ngm_main, NULL }", a.entry);
	char *man = manifest_src(m, a.entry, rows, 1, NULL);
	char *body = xasprintf("%s\n%s", main_body, man);
	build_image(dir, "ExitCode", body);
	run(a.path, dir, 0, NULL, r);
	free(m); free(rows); free(man); free(body); free(dir);
}

Test(rt_run, stack_overflow_is_reported_like_mono)
{
	rt_proc_result r;
	run_faulting_main(
		"static volatile int sink;\n"
		"static int deep(int n) { volatile char pad[64]; pad[0] = (char)n; sink = pad[0];\n"
		" return deep(n + 1) + 1; }\n"
		"int32_t ngm_main(void) { ngrt_Console_WriteLine_i4(1); return deep(0); }\n", &r);
	cr_expect_eq(r.status, 1, "status %d: %s", r.status, r.err);
	cr_expect(!r.signaled);
	cr_expect_str_eq(r.out, "1\n");
	char *line = rt_test_exception_line(r.err);
	cr_expect_str_eq(line, "StackOverflowException");
	cr_expect(strstr(r.err, "System.StackOverflowException: The requested operation caused a stack overflow.") != NULL);
	free(line);
	rt_test_result_close(&r);
}

Test(rt_run, null_page_access_is_a_null_reference)
{
	rt_proc_result r;
	run_faulting_main(
		"int32_t ngm_main(void) { volatile int32_t *p = (int32_t *)8; return *p; }\n", &r);
	cr_expect_eq(r.status, 1, "status %d: %s", r.status, r.err);
	char *line = rt_test_exception_line(r.err);
	cr_expect_str_eq(line, "System.NullReferenceException: Object reference not set to an instance of an object");
	free(line);
	rt_test_result_close(&r);
}
