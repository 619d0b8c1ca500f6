/* tests/compiler/test_cg_image.c - the image as a whole: manifest content
 * read back two ways, hard and soft binding across images, scenarios
 * (/Profile hooks, /Debug DWARF and gdb), modules on several threads,
 * progress and cancellation, and bad input. */
#include "test_cg_util.h"

#include "base/err.h"
#include "base/xmalloc.h"
#include "compiler/identity.h"

#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

Test(cg_image, manifest_read_back_from_the_file_matches_the_loaded_one)
{
	cgt_image img;
	cgt_compile("Statics.dll", 0, &img);
	comp_image_info info;
	ng_diag d;
	cr_assert_eq(comp_image_read(img.path, &info, &d), 0, "%s", ng_diag_text(&d));
	const ng_manifest *m = img.man;
	cr_assert_eq(m->magic, NG_MANIFEST_MAGIC);
	cr_assert_eq(info.format, NG_IMAGE_FORMAT);
	cr_assert_str_eq(info.compiler_version, COMP_COMPILER_VERSION);
	cr_assert_str_eq(info.compiler_version, m->compiler_version);
	cr_assert_str_eq(info.llvm_version, "14.0.6");
	cr_assert(strstr(info.target_triple, "x86_64") != NULL);
	cr_assert_str_eq(info.target_triple, m->target_triple);
	cr_assert_str_eq(info.cpu_features, m->cpu_features);
	cr_assert(strstr(info.cpu_features, "+sse2") != NULL, "%s", info.cpu_features);
	cr_assert_str_eq(info.display_name, "Statics, Version=0.0.0.0, Culture=neutral, PublicKeyToken=null");
	uint8_t mvid[16];
	md_mvid(img.md, mvid);
	cr_assert_arr_eq(info.mvid, mvid, 16);
	cr_assert_arr_eq(m->mvid, mvid, 16);
	cr_assert_eq(info.method_count, md_row_count(img.md, MD_T_METHODDEF));
	cr_assert_eq(m->method_count, info.method_count);
	for (size_t i = 0; i < info.method_count; i++) {
		cr_assert_eq(info.methods[i].token, 0x06000001u + i, "token order");
		cr_assert_eq(info.methods[i].status, m->methods[i].status);
		cr_assert_eq(info.methods[i].status == NG_METHOD_COMPILED, m->methods[i].code != NULL);
		cr_assert_eq(info.methods[i].reason == NULL, m->methods[i].reason == NULL);
	}
	cr_assert_eq(info.dep_count, 1);
	cr_assert_str_eq(info.deps[0].display_name,
			 "mscorlib, Version=4.0.0.0, Culture=neutral, PublicKeyToken=b77a5c561934e089");
	cr_assert_eq(info.deps[0].hard_bound, 0);
	md_image *corlib;
	cr_assert_eq(md_open(img.res.deps[0].path, &corlib, &d), 0);
	md_mvid(corlib, mvid);
	cr_assert_arr_eq(info.deps[0].mvid, mvid, 16, "the dependency's MVID");
	md_close(corlib);
	cr_assert_eq(info.entry_token, 0);
	cr_assert_eq(info.scenario, 0);
	comp_image_info_close(&info);
	cgt_close(&img);
}

Test(cg_image, program_entry_point_is_recorded)
{
	cgt_image img;
	cgt_compile("Dbg.exe", 0, &img);
	cr_assert_eq(img.man->entry_token, 0x06000000u | cgt_row(&img, "Dbg", "Main"));
	int (*main_fn)(void) = cgt_code(&img, "Dbg", "Main");
	cgt_reset_output();
	cr_assert_eq(main_fn(), 0);
	cr_assert_str_eq(cgt_out, "8\n");
	cgt_close(&img);
}

Test(cg_image, hard_and_soft_binding_across_images)
{
	cgt_image hard, lib, app;
	cgt_compile("HardLib.dll", 0, &hard);
	/* The hard-bound image must be in the global scope for the app's
	 * direct references, as the runtime loads it. */
	cr_assert_not_null(dlopen(hard.path, RTLD_NOW | RTLD_GLOBAL | RTLD_NOLOAD));
	cgt_compile("Lib.dll", 0, &lib);
	cgt_compile("XApp.dll", 0, &app);
	const ng_manifest *m = app.man;
	cr_assert_eq(m->dep_count, 3);
	int seen_hard = 0, seen_soft = 0;
	for (uint32_t i = 0; i < m->dep_count; i++) {
		if (strncmp(m->deps[i].display_name, "HardLib,", 8) == 0) {
			cr_assert_eq(m->deps[i].hard_bound, 1);
			cr_assert_arr_eq(m->deps[i].mvid, hard.man->mvid, 16);
			seen_hard = 1;
		} else if (strncmp(m->deps[i].display_name, "Lib,", 4) == 0) {
			cr_assert_eq(m->deps[i].hard_bound, 0);
			seen_soft = 1;
		}
	}
	cr_assert(seen_hard && seen_soft);
	/* Every cross-image target has an import: soft ones are called through
	 * it, hard ones only when their weak symbol is missing. */
	cr_assert_eq(m->import_count, 8, "Triple, Excl, Twice, HardLib's .cctor, HardLib::Excl, "
		     "Lib's state, .cctor and Counter");
	const ng_manifest_import *triple = NULL;
	for (uint32_t i = 0; i < m->import_count; i++) {
		cr_assert_null(*m->imports[i].cell, "cells start empty");
		if (strncmp(m->deps[m->imports[i].dep_index].display_name, "Lib,", 4) == 0 && !triple)
			triple = &m->imports[i];
	}
	cr_assert_not_null(triple);
	int (*soft)(int) = cgt_code(&app, "XApp", "Soft");
	cr_assert_eq(soft(5), 18);
	cr_assert_not_null(*triple->cell, "the first call bound the cell");
	cgt_reset_output();
	int (*hardf)(int) = cgt_code(&app, "XApp", "Hard");
	cr_assert_eq(hardf(5), 110, "HardLib's .cctor ran before Count was read");
	cr_assert_str_eq(cgt_out, "[cctor]");
	/* An excluded hard-bound target: the image loaded all the same, and the
	 * call is reported through the import. */
	int (*hx)(int) = cgt_code(&app, "XApp", "HardExcluded");
	cr_assert_eq(hx(0), 0);
	int r = 0;
	if (CGT_TRY)
		r = hx(1);
	cr_assert_eq(r, 0);
	cr_assert_str_eq(cgt_exception_name(cgt_exception), "System.MissingMethodException");
	/* A soft-bound static: its storage and its type's state come through
	 * imports (Lib's initialiser already ran, on entry to Lib::Triple). */
	int (*sst)(void) = cgt_code(&app, "XApp", "SoftStatic");
	cgt_reset_output();
	cr_assert_eq(sst(), 5, "the value Lib's initialiser stored");
	cr_assert_str_eq(cgt_out, "", "the initialiser runs once");
	/* DT_NEEDED names the hard-bound image's soname. */
	char cmd[1024];
	snprintf(cmd, sizeof cmd, "readelf -d '%s' | grep -c 'NEEDED.*HardLib-'", app.path);
	FILE *p = popen(cmd, "r");
	char buf[16] = "";
	cr_assert_not_null(fgets(buf, sizeof buf, p));
	pclose(p);
	cr_assert_eq(atoi(buf), 1);
	cgt_close(&app);
	cgt_close(&lib);
	cgt_close(&hard);
}

Test(cg_image, profile_scenario_calls_the_hooks_on_entry_and_exit)
{
	cgt_image img;
	cgt_compile("Statics.dll", NG_SCENARIO_PROFILE, &img);
	cr_assert_eq(img.man->scenario, NG_SCENARIO_PROFILE);
	int (*fib)(int) = cgt_code(&img, "Cg.User", "Fib");
	uint32_t row = cgt_row(&img, "Cg.User", "Fib");
	cgt_reset_output();
	cr_assert_eq(fib(2), 1);
	char want[64];
	sprintf(want, ">%x>%x<%x>%x<%x<%x", row, row, row, row, row, row);
	cr_assert_str_eq(cgt_prof, want);
	cgt_close(&img);

	cgt_compile("Statics.dll", 0, &img);
	cgt_reset_output();
	fib = cgt_code(&img, "Cg.User", "Fib");
	cr_assert_eq(fib(2), 1);
	cr_assert_str_eq(cgt_prof, "", "no hooks outside /Profile");
	cgt_close(&img);
}

/* The hooks Fib(n) calls in C: entry and exit of every call of the tree. */
static void fib_hooks(int n, uint32_t row, char *out, size_t cap)
{
	size_t len = strlen(out);
	snprintf(out + len, cap - len, ">%x", row);
	if (n >= 2) {
		fib_hooks(n - 1, row, out, cap);
		fib_hooks(n - 2, row, out, cap);
	}
	len = strlen(out);
	snprintf(out + len, cap - len, "<%x", row);
}

/* Optimised images unroll small self-recursive methods (always-inlined
 * twins, cg_method.c): every level of the recursion must still be a call of
 * the method, with its own hooks, in order, and the result must not change. */
Test(cg_image, unrolled_recursion_keeps_every_call_and_its_hooks)
{
	cgt_image img;
	cgt_compile("Statics.dll", NG_SCENARIO_PROFILE, &img);
	int (*fib)(int) = cgt_code(&img, "Cg.User", "Fib");
	uint32_t row = cgt_row(&img, "Cg.User", "Fib");
	for (int n = 0; n <= 7; n++) {
		static char want[sizeof cgt_prof];
		want[0] = '\0';
		fib_hooks(n, row, want, sizeof want);
		cgt_reset_output();
		int fn[] = { 0, 1, 1, 2, 3, 5, 8, 13 };
		cr_assert_eq(fib(n), fn[n]);
		cr_assert_str_eq(cgt_prof, want, "hooks of Fib(%d)", n);
	}
	cgt_close(&img);
	cgt_compile("Statics.dll", 0, &img);
	fib = cgt_code(&img, "Cg.User", "Fib");
	cr_assert_eq(fib(30), 832040);
	cr_assert_eq(fib(-5), -5);
	cgt_close(&img);
}

static int has_section(const char *path, const char *name)
{
	char cmd[1024];
	snprintf(cmd, sizeof cmd, "readelf -S -W '%s' | grep -c ' %s '", path, name);
	FILE *p = popen(cmd, "r");
	char buf[16] = "";
	if (!fgets(buf, sizeof buf, p))
		buf[0] = '\0';
	pclose(p);
	return atoi(buf) > 0;
}

Test(cg_image, debug_scenario_carries_dwarf_lines_from_the_mdb)
{
	cgt_image img;
	cgt_compile("Dbg.exe", NG_SCENARIO_DEBUG, &img);
	cr_assert_eq(img.man->scenario, NG_SCENARIO_DEBUG);
	cr_assert(has_section(img.path, ".debug_line"));
	cr_assert(has_section(img.path, ".debug_info"));
	/* Lines of Dbg.cs, from the .mdb, for Dbg::Square. */
	char cmd[1024];
	snprintf(cmd, sizeof cmd, "objdump --dwarf=decodedline '%s' | grep -c 'Dbg.cs *8 '", img.path);
	FILE *p = popen(cmd, "r");
	char buf[16] = "";
	cr_assert_not_null(fgets(buf, sizeof buf, p));
	pclose(p);
	cr_assert_gt(atoi(buf), 0, "no line 8 of Dbg.cs in the line table");
	int (*main_fn)(void) = cgt_code(&img, "Dbg", "Main");
	cgt_reset_output();
	cr_assert_eq(main_fn(), 0);
	cr_assert_str_eq(cgt_out, "8\n", "the unoptimised code computes the same");
	cgt_close(&img);

	cgt_compile("Dbg.exe", 0, &img);
	cr_assert_not(has_section(img.path, ".debug_line"), "no DWARF outside /Debug");
	cgt_close(&img);
}

/* gdb on `ngen run /Debug Dbg.exe`: a breakpoint by method name and one by
 * source line are hit, and the stack shows the callers by name. */
Test(cg_image, gdb_breaks_on_a_method_and_a_line_of_a_debug_image, .timeout = 120)
{
	const char *build = getenv("NGEN_BUILD");
	char rel[512], ngen[PATH_MAX], dbg[PATH_MAX];
	snprintf(rel, sizeof rel, "%s/ngen", build && *build ? build : "build");
	cr_assert_not_null(realpath(rel, ngen), "%s is needed to host the image", rel);
	cr_assert_not_null(realpath(cgt_fixture("Dbg.exe"), dbg));
	/* The image comes from this compiler, found by the runtime through
	 * NGEN_IMAGES (so ngen run does not compile one of its own). */
	char dir[] = "/tmp/ngen-cgt.XXXXXX", image[256];
	cr_assert_not_null(mkdtemp(dir));
	snprintf(image, sizeof image, "%s/Dbg.ni.so", dir);
	comp_result res;
	ng_diag d;
	cr_assert_eq(cgt_compile_only(dbg, NG_SCENARIO_DEBUG, image, &res, &d), 0, "%s",
		     ng_diag_text(&d));
	comp_result_close(&res);
	char cmd[3 * PATH_MAX];
	snprintf(cmd, sizeof cmd,
		 "cd /tmp && HOME=/tmp NGEN_IMAGES='%s' gdb -nx -batch -ex 'set breakpoint pending on' "
		 "-ex \"break 'Dbg::Square'\" -ex 'break Dbg.cs:8' -ex run -ex bt -ex continue "
		 "-ex 'info line' -ex 'info args' -ex 'info locals' -ex kill --args '%s' run /Debug '%s' 2>&1",
		 dir, ngen, dbg);
	FILE *p = popen(cmd, "r");
	char *out = xcalloc(1, 65536);
	size_t n = fread(out, 1, 65535, p);
	pclose(p);
	out[n] = '\0';
	cr_assert(strstr(out, "Breakpoint 1, Dbg::Square (x=0) at ") != NULL, "%s", out);
	cr_assert(strstr(out, "in Dbg::Main () at ") != NULL, "no caller in the backtrace: %s", out);
	cr_assert(strstr(out, "Breakpoint 2, Dbg::Square (x=0) at ") && strstr(out, "Dbg.cs:8\n8\t"),
		  "not stopped at line 8: %s", out);
	cr_assert(strstr(out, "\nx = 0\n") && strstr(out, "\nV_0 = 0\n"), "args and locals: %s", out);
	cr_assert(strstr(out, "Dbg.cs\" starts at address") != NULL, "%s", out);
	free(out);
	unlink(image);
	rmdir(dir);
}

Test(cg_image, modules_on_several_threads_give_the_same_code)
{
	cgt_image one, three;
	cgt_compile_threads("Statics.dll", 0, 1, &one);
	cgt_compile_threads("Statics.dll", 0, 3, &three);
	cr_assert_eq(one.res.methods_compiled, three.res.methods_compiled);
	for (uint32_t i = 0; i < one.man->method_count; i++)
		cr_assert_eq(one.man->methods[i].status, three.man->methods[i].status);
	int (*fib)(int) = cgt_code(&three, "Cg.User", "Fib");
	cr_assert_eq(fib(15), 610);
	int (*swap)(int, int) = cgt_code(&three, "Cg.User", "UseSwap");
	cr_assert_eq(swap(1, 2), 21);
	int (*read)(int) = cgt_code(&three, "Cg.User", "ReadPrecise");
	cr_assert_eq(read(1), 42);
	cgt_close(&one);
	cgt_close(&three);
}

typedef struct prog {
	uint32_t calls, last, total;
	int monotonic;
	volatile int *cancel_at_half;
} prog;

static void on_progress(void *ctx, uint32_t done, uint32_t total)
{
	prog *p = ctx;
	if (done < p->last)
		p->monotonic = 0;
	p->last = done;
	p->total = total;
	p->calls++;
	if (p->cancel_at_half && done >= total / 2)
		*p->cancel_at_half = 1;
}

Test(cg_image, progress_reaches_the_total)
{
	char dir[] = "/tmp/ngen-cgt.XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	char out[256];
	snprintf(out, sizeof out, "%s/x.ni.so", dir);
	prog pr = { .monotonic = 1 };
	comp_request req = { .assembly_path = cgt_fixture("Ops.dll"), .output_path = out,
			     .progress = on_progress, .progress_ctx = &pr, .threads = 1 };
	comp_result res;
	ng_diag d;
	cr_assert_eq(comp_compile(&req, &res, &d), 0, "%s", ng_diag_text(&d));
	cr_assert(pr.monotonic);
	cr_assert_gt(pr.calls, 100);
	cr_assert_eq(pr.last, pr.total);
	cr_assert_eq(pr.total, res.methods_total);
	comp_result_close(&res);
	unlink(out);
	rmdir(dir);
}

Test(cg_image, canceled_job_leaves_no_image)
{
	char dir[] = "/tmp/ngen-cgt.XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	char out[256];
	snprintf(out, sizeof out, "%s/x.ni.so", dir);
	volatile int cancel = 0;
	prog pr = { .monotonic = 1, .cancel_at_half = &cancel };
	comp_request req = { .assembly_path = cgt_fixture("Ops.dll"), .output_path = out,
			     .progress = on_progress, .progress_ctx = &pr, .cancel = &cancel };
	comp_result res;
	ng_diag d;
	ng_diag_clear(&d);
	cr_assert_eq(comp_compile(&req, &res, &d), NG_ERR_CANCELED);
	cr_assert(strstr(ng_diag_text(&d), "canceled") != NULL, "%s", ng_diag_text(&d));
	cr_assert_lt(pr.last, pr.total, "methods were left undone");
	struct stat st;
	cr_assert_neq(stat(out, &st), 0, "no image at the final path");
	comp_result_close(&res);
	cr_assert_eq(rmdir(dir), 0, "no temporary file left in the output directory");
}

Test(cg_image, an_existing_image_is_replaced_whole)
{
	cgt_image img;
	cgt_compile("Lib.dll", 0, &img);
	comp_result res;
	ng_diag d;
	cr_assert_eq(cgt_compile_only(cgt_fixture("Statics.dll"), 0, img.path, &res, &d), 0);
	comp_image_info info;
	cr_assert_eq(comp_image_read(img.path, &info, &d), 0);
	cr_assert(strncmp(info.display_name, "Statics,", 8) == 0);
	comp_image_info_close(&info);
	comp_result_close(&res);
	cgt_close(&img);
}

static void expect_failure(const char *assembly, const char *out, int code, const char *text)
{
	comp_result res;
	ng_diag d;
	int rc = cgt_compile_only(assembly, 0, out, &res, &d);
	cr_assert_eq(rc, code, "%s: got %d (%s)", assembly, rc, ng_diag_text(&d));
	cr_assert(strstr(ng_diag_text(&d), text) != NULL, "message '%s' lacks '%s'",
		  ng_diag_text(&d), text);
	comp_result_close(&res);
}

Test(cg_image, bad_input_fails_with_a_clear_message)
{
	char dir[] = "/tmp/ngen-cgt.XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	char out[256], text[256], junk[256];
	snprintf(out, sizeof out, "%s/x.ni.so", dir);
	expect_failure("/nonexistent/Missing.dll", out, -ENOENT, "/nonexistent/Missing.dll");
	snprintf(text, sizeof text, "%s/notes.dll", dir);
	FILE *f = fopen(text, "w");
	fputs("this is not an assembly\n", f);
	fclose(f);
	expect_failure(text, out, NG_ERR_NOT_PE, "notes.dll");
	expect_failure("/usr/lib/x86_64-linux-gnu/libc.so.6", out, NG_ERR_NOT_PE, "libc.so.6");
	expect_failure(cgt_fixture("Ops.dll"), "/nonexistent-dir/x.ni.so", -ENOENT,
		       "output directory /nonexistent-dir does not exist");
	/* A reference that cannot be found: XApp without Lib.dll next to it. */
	snprintf(junk, sizeof junk, "cp '%s' '%s/XApp.dll'", cgt_fixture("XApp.dll"), dir);
	cr_assert_eq(system(junk), 0);
	snprintf(text, sizeof text, "%s/XApp.dll", dir);
	expect_failure(text, out, NG_ERR_UNRESOLVED, "cannot find assembly 'Lib, Version=0.0.0.0");
	struct stat st;
	cr_assert_neq(stat(out, &st), 0, "no image after a failure");
	unlink(text);
	snprintf(text, sizeof text, "%s/notes.dll", dir);
	unlink(text);
	cr_assert_eq(rmdir(dir), 0, "nothing left behind");
}

Test(cg_image, reading_something_that_is_not_an_image_is_an_error)
{
	comp_image_info info;
	ng_diag d;
	cr_assert_eq(comp_image_read("/nonexistent.ni.so", &info, &d), -ENOENT);
	cr_assert_eq(comp_image_read(cgt_fixture("Ops.dll"), &info, &d), NG_ERR_INVALID_IMAGE);
	cr_assert(strstr(ng_diag_text(&d), "not an ELF file") != NULL, "%s", ng_diag_text(&d));
	cr_assert_eq(comp_image_read("/usr/lib/x86_64-linux-gnu/libc.so.6", &info, &d),
		     NG_ERR_INVALID_IMAGE);
	cr_assert(strstr(ng_diag_text(&d), "no ngen_manifest") != NULL, "%s", ng_diag_text(&d));
	/* Every truncation of a real image fails cleanly or reads a
	 * consistent manifest; none crashes. */
	cgt_image img;
	cgt_compile("Lib.dll", 0, &img);
	FILE *f = fopen(img.path, "rb");
	fseek(f, 0, SEEK_END);
	long size = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *data = xmalloc((size_t)size);
	cr_assert_eq(fread(data, 1, (size_t)size, f), (size_t)size);
	fclose(f);
	char cut[300];
	snprintf(cut, sizeof cut, "%s/cut.ni.so", img.dir);
	for (long len = 0; len < size; len += 97) {
		f = fopen(cut, "wb");
		fwrite(data, 1, (size_t)len, f);
		fclose(f);
		int rc = comp_image_read(cut, &info, &d);
		if (rc == 0)
			comp_image_info_close(&info);
		else
			cr_assert_neq(ng_diag_text(&d)[0], '\0');
	}
	unlink(cut);
	free(data);
	cgt_close(&img);
}

Test(cg_image, default_resolver_finds_the_gac_and_the_framework)
{
	md_image *img;
	ng_diag d;
	cr_assert_eq(md_open(cgt_fixture("XApp.dll"), &img, &d), 0);
	char *path = NULL;
	for (uint32_t row = 1; row <= md_assembly_refs(img); row++) {
		md_identity id;
		cr_assert_eq(md_assemblyref_identity(img, row, &id, &d), 0);
		cr_assert_eq(comp_default_resolve(NULL, cgt_fixture("XApp.dll"), &id, &path), 0,
			     "%s not found", id.name);
		if (strcmp(id.name, "mscorlib") == 0)
			cr_assert_str_eq(path, "/usr/lib/mono/4.5/mscorlib.dll");
		else
			cr_assert(strstr(path, "/cg/") != NULL, "%s: %s", id.name, path);
		free(path);
	}
	md_close(img);
	/* System.dll comes from the GAC. */
	cr_assert_eq(md_open("/usr/lib/mono/4.5/System.dll", &img, &d), 0);
	md_identity self;
	cr_assert_eq(md_assembly_identity(img, &self, &d), 0);
	cr_assert_eq(comp_default_resolve(NULL, "/elsewhere/App.exe", &self, &path), 0);
	cr_assert(strstr(path, "/usr/lib/mono/gac/System/4.0.0.0__b77a5c561934e089/System.dll"),
		  "%s", path);
	free(path);
	md_close(img);
}

Test(cg_image, image_name_of_an_assembly)
{
	char *n = comp_image_name("/a/b/Foo.Bar.dll");
	cr_assert_str_eq(n, "Foo.Bar.ni.so");
	free(n);
	n = comp_image_name("App.EXE");
	cr_assert_str_eq(n, "App.ni.so");
	free(n);
}

Test(cg_image, target_query_names_the_host)
{
	comp_target t;
	ng_diag d;
	cr_assert_eq(comp_target_query(&t, &d), 0);
	cr_assert(strstr(t.triple, "x86_64") != NULL);
	cr_assert_str_eq(t.llvm_version, "14.0.6");
	cr_assert_neq(t.cpu_features[0], '\0');
	comp_target_close(&t);
}
