/* tests/compiler/test_inspect.c - `ngen inspect`, run as the real binary
 * ($NGEN_BUILD/ngen), text and JSON, good and bad input. */
#include "test_md_util.h"

#include <json-c/json.h>
#include <sys/wait.h>

typedef struct run_result {
	int status;
	char out[65536];
	char err[4096];
} run_result;

static void slurp_file(const char *path, char *buf, size_t cap)
{
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(buf, 1, cap - 1, f) : 0;
	buf[n] = '\0';
	if (f)
		fclose(f);
}

/* Runs `ngen inspect ARGS`, capturing stdout and stderr. */
static void inspect(const char *args, run_result *r)
{
	const char *build = getenv("NGEN_BUILD");
	char cmd[2048], out[] = "/tmp/ngen_inspect_outXXXXXX", err[] = "/tmp/ngen_inspect_errXXXXXX";
	close(mkstemp(out));
	close(mkstemp(err));
	snprintf(cmd, sizeof cmd, "%s/ngen inspect %s >%s 2>%s", build && *build ? build : "build",
		 args, out, err);
	int st = system(cmd);
	r->status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	slurp_file(out, r->out, sizeof r->out);
	slurp_file(err, r->err, sizeof r->err);
	unlink(out);
	unlink(err);
}

Test(inspect, mscorlib_first_line_is_its_display_name)
{
	run_result *r = malloc(sizeof *r);
	inspect("/usr/lib/mono/4.5/mscorlib.dll", r);
	cr_assert_eq(r->status, 0, "%s", r->err);
	const char *want = "mscorlib, Version=4.0.0.0, Culture=neutral, "
			   "PublicKeyToken=b77a5c561934e089\n";
	cr_assert(strncmp(r->out, want, strlen(want)) == 0, "%s", r->out);
	cr_assert(strstr(r->out, "runtime:        v4.0.30319"));
	cr_assert(strstr(r->out, "architecture:   MSIL"));
	cr_assert(strstr(r->out, "(default): Always"), "DefaultDependency(LoadHint.Always)");
	free(r);
}

Test(inspect, text_lists_references_bypass_methods_and_hints)
{
	run_result *r = malloc(sizeof *r);
	char args[1024];
	snprintf(args, sizeof args, "%s", md_fixture("MdLib.dll"));
	inspect(args, r);
	cr_assert_eq(r->status, 0, "%s", r->err);
	cr_assert(strstr(r->out, "MdLib, Version=1.2.3.4, Culture=neutral, PublicKeyToken=null\n"));
	cr_assert(strstr(r->out, "  mscorlib, Version=4.0.0.0"), "%s", r->out);
	cr_assert(strstr(r->out, "BypassNGen methods (2):\n  MdFixture.Methods::Skipped\n"
			 "  MdFixture.Methods::AlsoSkipped\n"), "%s", r->out);
	cr_assert(strstr(r->out, "  System.Xml: Sometimes\n"), "%s", r->out);
	cr_assert(strstr(r->out, "  MdHelper: Always\n"), "%s", r->out);
	free(r);
}

Test(inspect, json_carries_the_same_facts)
{
	run_result *r = malloc(sizeof *r);
	char args[1024];
	snprintf(args, sizeof args, "--json %s", md_fixture("MdApp.exe"));
	inspect(args, r);
	cr_assert_eq(r->status, 0, "%s", r->err);
	json_object *o = json_tokener_parse(r->out);
	cr_assert_not_null(o, "not JSON: %s", r->out);
	json_object *v;
	cr_assert(json_object_object_get_ex(o, "display_name", &v));
	cr_assert_str_eq(json_object_get_string(v),
			 "MdApp, Version=0.0.0.0, Culture=neutral, PublicKeyToken=null");
	cr_assert(json_object_object_get_ex(o, "entry_point", &v));
	cr_assert_str_eq(json_object_get_string(v), "MdApp::Main");
	cr_assert(json_object_object_get_ex(o, "references", &v));
	cr_assert_eq(json_object_array_length(v), 2);
	cr_assert(json_object_object_get_ex(o, "method_bodies", &v));
	cr_assert_eq(json_object_get_int(v), 1);
	cr_assert(json_object_object_get_ex(o, "mvid", &v));
	cr_assert_eq(strlen(json_object_get_string(v)), 36);
	json_object_put(o);
	free(r);
}

Test(inspect, bad_input_is_one_line_and_exit_3)
{
	run_result *r = malloc(sizeof *r);
	char text[] = "/tmp/ngen_inspect_textXXXXXX";
	int fd = mkstemp(text);
	cr_assert(write(fd, "just text, not an assembly\n", 27) == 27);
	close(fd);
	inspect(text, r);
	unlink(text);
	cr_assert_eq(r->status, 3);
	cr_assert_eq(r->out[0], '\0');
	cr_assert(strstr(r->err, "not a PE file"), "%s", r->err);
	cr_assert_eq(strchr(r->err, '\n'), r->err + strlen(r->err) - 1, "one line: %s", r->err);
	inspect("/nonexistent.dll", r);
	cr_assert_eq(r->status, 3);
	cr_assert(strstr(r->err, "/nonexistent.dll"), "%s", r->err);
	inspect("", r);
	cr_assert_eq(r->status, 2, "no path is a usage error");
	free(r);
}
