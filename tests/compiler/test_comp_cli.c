/* tests/compiler/test_comp_cli.c - `ngen compile` as a user runs it: the
 * real binary, its output, its exit codes, and the code generator loaded
 * from next to it (the ngen binary does not link LLVM). */
#include "test_cg_util.h"

#include "base/xmalloc.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *ngen_path(void)
{
	static char path[PATH_MAX];
	const char *build = getenv("NGEN_BUILD");
	char rel[512];
	snprintf(rel, sizeof rel, "%s/ngen", build && *build ? build : "build");
	cr_assert_not_null(realpath(rel, path), "%s is needed", rel);
	return path;
}

/* Runs `ngen compile ARGS` in dir; returns the exit code, output in *out. */
static int run(const char *dir, const char *args, char **out)
{
	char *cmd = xasprintf("cd '%s' && '%s' compile %s 2>&1", dir, ngen_path(), args);
	FILE *p = popen(cmd, "r");
	cr_assert_not_null(p);
	*out = xcalloc(1, 65536);
	size_t n = fread(*out, 1, 65535, p);
	(*out)[n] = '\0';
	int st = pclose(p);
	free(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

Test(comp_cli, compiles_to_name_ni_so_in_the_current_directory_and_prints_stats)
{
	char dir[] = "/tmp/ngen-cgt-cli.XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	char *out, *args = xasprintf("'%s' --stats", cgt_fixture("Statics.dll"));
	cr_assert_eq(run(dir, args, &out), 0, "%s", out);
	cr_assert(strstr(out, "Compiled Statics, Version=0.0.0.0") != NULL, "%s", out);
	cr_assert(strstr(out, "methods:   39 total, 28 compiled, 10 excluded, 1 BypassNGen"), "%s", out);
	cr_assert(strstr(out, "exclusions by reason:\n") != NULL, "%s", out);
	cr_assert(strstr(out, "instance method") != NULL, "%s", out);
	cr_assert(strstr(out, "mscorlib, Version=4.0.0.0") != NULL, "%s", out);
	char image[300];
	snprintf(image, sizeof image, "%s/Statics.ni.so", dir);
	comp_image_info info;
	ng_diag d;
	cr_assert_eq(comp_image_read(image, &info, &d), 0, "%s", ng_diag_text(&d));
	cr_assert_eq(info.scenario, 0);
	comp_image_info_close(&info);
	unlink(image);
	free(out);
	free(args);

	args = xasprintf("'%s' /Debug /Profile -o custom.so", cgt_fixture("Dbg.exe"));
	cr_assert_eq(run(dir, args, &out), 0, "%s", out);
	snprintf(image, sizeof image, "%s/custom.so", dir);
	cr_assert_eq(comp_image_read(image, &info, &d), 0, "%s", ng_diag_text(&d));
	cr_assert_eq(info.scenario, NG_SCENARIO_DEBUG | NG_SCENARIO_PROFILE);
	comp_image_info_close(&info);
	unlink(image);
	free(out);
	free(args);
	cr_assert_eq(rmdir(dir), 0, "only the images were written");
}

Test(comp_cli, bad_input_and_bad_command_lines)
{
	char *out;
	cr_assert_eq(run("/tmp", "/nonexistent/App.exe", &out), 3);
	cr_assert(strstr(out, "/nonexistent/App.exe: No such file or directory") != NULL, "%s", out);
	free(out);
	cr_assert_eq(run("/tmp", "/etc/hostname", &out), 3);
	cr_assert(strstr(out, "ngen compile: error: ") && strstr(out, "hostname"), "%s", out);
	free(out);
	cr_assert_eq(run("/tmp", "", &out), 2);
	cr_assert(strstr(out, "no assembly given") != NULL, "%s", out);
	free(out);
	char *args = xasprintf("'%s' /Bogus", cgt_fixture("Ops.dll"));
	cr_assert_eq(run("/tmp", args, &out), 2);
	cr_assert(strstr(out, "unknown option '/Bogus'") != NULL, "%s", out);
	free(out);
	free(args);
	args = xasprintf("'%s' -o", cgt_fixture("Ops.dll"));
	cr_assert_eq(run("/tmp", args, &out), 2);
	free(out);
	free(args);
	args = xasprintf("'%s' -o /nonexistent-dir/x.so", cgt_fixture("Ops.dll"));
	cr_assert_eq(run("/tmp", args, &out), 3);
	cr_assert(strstr(out, "output directory /nonexistent-dir does not exist"), "%s", out);
	free(out);
	free(args);
}

Test(comp_cli, a_missing_code_generator_is_a_clear_error)
{
	char *out, *args = xasprintf("'%s' -o /tmp/never.ni.so", cgt_fixture("Ops.dll"));
	setenv("NGEN_CGLIB", "/nonexistent/libngen-cg.so", 1);
	cr_assert_eq(run("/tmp", args, &out), 1);
	cr_assert(strstr(out, "cannot load the code generator /nonexistent/libngen-cg.so") != NULL,
		  "%s", out);
	unsetenv("NGEN_CGLIB");
	free(out);
	free(args);
}
