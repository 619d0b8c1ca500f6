/* tests/engine/test_eng_display.c - display's layouts (text, /verbose,
 * --json) and the read API the console and the runtime use (engine/
 * eng_display.c, eng_query.c). */
#include <criterion/criterion.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/abi.h"
#include "base/err.h"
#include "base/xmalloc.h"
#include "engine/eng_int.h"
#include "tests/engine/eng_test.h"

TestSuite(eng_display, .timeout = 120);

static char *display(eng_cache *c, const char *name, int flags)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	ng_diag d;
	int rc = eng_display(c, name, "/", flags, f, &d);
	fclose(f);
	cr_assert_eq(rc, 0, "%s", ng_diag_text(&d));
	return buf;
}

static eng_cache *two_roots(char **appdir)
{
	eng_cache *c = cache_new(NULL);
	ng_diag d;
	*appdir = fixture_copy("chain");
	char *exe = xasprintf("%s/C.exe", *appdir);
	cr_assert_eq(run_install(c, &d, exe, NULL), 0, "%s", ng_diag_text(&d));
	cr_assert_eq(run_install(c, &d, fx("shared/App1.exe"), "/Debug", NULL), 0, "%s", ng_diag_text(&d));
	free(exe);
	return c;
}

Test(eng_display, roots_first_then_images_with_scenario_and_status)
{
	char *app;
	eng_cache *c = two_roots(&app);
	char *all = display(c, NULL, 0);
	char *roots = strstr(all, "NGEN Roots:\n\n"), *images = strstr(all, "\nNative Images:\n\n");
	cr_assert(roots && images && roots < images, "%s", all);
	char *c_root = strstr(all, "/C.exe\n"), *app_root = strstr(all, "App1.exe /Debug\n");
	cr_assert(c_root && c_root < images && app_root && app_root < images, "%s", all);
	cr_assert(strstr(images, "\nApp1, Version=0.0.0.0, Culture=neutral, PublicKeyToken=null <debug>\n"), "%s", all);
	cr_assert(strstr(images, "\nA, Version=0.0.0.0, Culture=neutral, PublicKeyToken=null\n"), "%s", all);
	free(all);
	/* An invalid image shows why. */
	cr_assert_eq(sh(NULL, "cp '%s' '%s/B.dll'", fx("chain-b2/B.dll"), app), 0);
	ng_diag d;
	eng_update_result r;
	cr_assert_eq(eng_update(c, false, NULL, &r, &d), 0, "%s", ng_diag_text(&d));
	all = display(c, NULL, 0);
	cr_assert(strstr(all, "\nB, Version=0.0.0.0, Culture=neutral, PublicKeyToken=null (invalid: the assembly changed (MVID"), "%s", all);
	free(all);
	free(app);
	eng_cache_free(c);
}

Test(eng_display, name_narrows_to_matches_dependencies_and_dependent_roots)
{
	char *app;
	eng_cache *c = two_roots(&app);
	char *out = display(c, "A", 0);
	cr_assert(strstr(out, "NGEN Roots that depend on \"A\":\n\n"), "%s", out);
	cr_assert(strstr(out, "/C.exe\n"), "%s", out);
	cr_assert(!strstr(out, "App1.exe"), "App1 does not depend on A:\n%s", out);
	cr_assert(strstr(out, "\nA, Version"), "%s", out);
	cr_assert(strstr(out, "\nB, Version"), "A's dependency B is listed:\n%s", out);
	cr_assert(!strstr(out, "\nC, Version") && !strstr(out, "\nD, Version"), "%s", out);
	free(out);
	out = display(c, "mscorlib", 0);
	cr_assert(strstr(out, "/C.exe\n") && strstr(out, "App1.exe /Debug\n"), "both roots use mscorlib:\n%s", out);
	free(out);
	free(app);
	eng_cache_free(c);
}

Test(eng_display, verbose_and_json_details)
{
	char *app;
	eng_cache *c = two_roots(&app);
	char *out = display(c, "C", ENG_DISPLAY_VERBOSE);
	cr_assert(strstr(out, "Source MVID:") && strstr(out, "Methods:") && strstr(out, "Roots:         1\n"), "%s", out);
	cr_assert(strstr(out, "\t\tA, Version=0.0.0.0, Culture=neutral, PublicKeyToken=null  MVID "), "%s", out);
	free(out);
	out = display(c, NULL, ENG_DISPLAY_JSON);
	json_object *top = json_tokener_parse(out);
	cr_assert_not_null(top, "%s", out);
	json_object *roots, *images;
	cr_assert(json_object_object_get_ex(top, "roots", &roots));
	cr_assert(json_object_object_get_ex(top, "images", &images));
	cr_assert_eq(json_object_array_length(roots), 2);
	cr_assert_eq(json_object_array_length(images), 8); /* C A B D mscorlib; App1 Shared mscorlib /Debug */
	int debug = 0;
	for (size_t i = 0; i < json_object_array_length(images); i++) {
		json_object *img = json_object_array_get_idx(images, i), *v;
		cr_assert(json_object_object_get_ex(img, "status", &v));
		cr_assert_str_eq(json_object_get_string(v), "valid");
		cr_assert(json_object_object_get_ex(img, "scenario", &v));
		debug += strcmp(json_object_get_string(v), "/Debug") == 0;
		cr_assert(json_object_object_get_ex(img, "roots", &v));
		cr_assert_geq(json_object_get_int(v), 1);
	}
	cr_assert_eq(debug, 3);
	json_object_put(top);
	free(out);
	free(app);
	eng_cache_free(c);
}

static int count_root(void *ctx, const eng_root_info *r) { (*(int *)ctx)++; return 0; }
static int first_image(void *ctx, const eng_image_info *i)
{
	if (!*(char **)ctx)
		*(char **)ctx = xstrdup(i->name);
	return 0;
}
static int newest(void *ctx, const eng_log_entry *e)
{
	*(char **)ctx = xstrdup(e->message);
	return 1;
}

Test(eng_display, read_api_for_console_and_runtime)
{
	char *app;
	eng_cache *c = two_roots(&app);
	ng_diag d;
	int roots = 0;
	cr_assert_eq(eng_roots_foreach(c, count_root, &roots, &d), 0);
	cr_assert_eq(roots, 2);
	int64_t root_id = q(c, "SELECT r.id FROM roots r JOIN images i ON i.id = r.image_id JOIN"
			    " assemblies a ON a.id = i.assembly_id WHERE a.name = 'C'");
	char *first = NULL;
	cr_assert_eq(eng_root_images_foreach(c, root_id, first_image, &first, &d), 0);
	cr_assert_str_eq(first, "C", "a root's own image comes first");
	char *exe = xasprintf("%s/C.exe", app);
	char *file = NULL;
	int64_t id = 0;
	cr_assert_eq(eng_lookup_image(c, exe, NULL, 0, &file, &id, &d), 0, "%s", ng_diag_text(&d));
	cr_assert_eq(access(file, R_OK), 0);
	free(file);
	cr_assert_eq(eng_lookup_image(c, exe, NULL, NG_SCENARIO_DEBUG, &file, &id, &d), NG_ERR_NOTFOUND);
	cr_assert_eq(eng_lookup_image(c, exe, "00000000000000000000000000000000", 0, &file, &id, &d),
		     NG_ERR_NOTFOUND, "another MVID is not this image");
	cr_assert_eq(eng_lookup_image(c, exe, NULL, 0, &file, &id, &d), 0);
	cr_assert_eq(eng_touch_image(c, id), 0);
	char *sql = xasprintf("SELECT last_used > 0 FROM images WHERE id = %lld", (long long)id);
	cr_assert_eq(q(c, sql), 1);
	/* The runtime's image source: by path, the file's current MVID. */
	char *src = NULL;
	cr_assert_eq(eng_image_source(c, exe, 0, &src, &d), 0, "%s", ng_diag_text(&d));
	cr_assert_str_eq(src, file);
	free(src);
	char *b = xasprintf("%s/B.dll", app);
	cr_assert_eq(eng_image_source(c, b, 0, &src, &d), 0, "%s", ng_diag_text(&d));
	free(src);
	cr_assert_eq(sh(NULL, "cp '%s' '%s'", fx("chain-b2/B.dll"), b), 0);
	cr_assert_eq(eng_image_source(c, b, 0, &src, &d), NG_ERR_NOTFOUND, "a recompiled assembly has no image");
	free(b);
	char *msg = NULL;
	eng_log_foreach(c, 1, newest, &msg, &d);
	cr_assert(msg && strstr(msg, "App1.exe"), "newest log entry first: %s", msg);
	free(msg); free(sql); free(file); free(exe); free(first); free(app);
	eng_cache_free(c);
}

Test(eng_display, batch_commands_and_exit_codes)
{
	char *dir = tmpdir_new("cli");
	char *out = NULL;
	const char *n = ngen_bin();
	cr_assert_eq(sh(&out, "NGEN_FAKE_COMPILER=1 '%s' --cache '%s' INSTALL '%s' /nologo 2>&1", n, dir,
			fx("shared/App1.exe")), 0, "%s", out);
	cr_assert(strstr(out, "Compiled Shared, Version=1.0.0.0"), "%s", out);
	free(out);
	cr_assert_eq(sh(&out, "NGEN_FAKE_COMPILER=1 '%s' --cache '%s' update --json", n, dir), 0);
	cr_assert(strstr(out, "\"invalid\":[") && strstr(out, "\"checked\":3"), "%s", out);
	free(out);
	cr_assert_eq(sh(&out, "NGEN_FAKE_COMPILER=1 '%s' --cache '%s' update /nologo", n, dir), 0);
	cr_assert(strstr(out, "All native images are up to date"), "%s", out);
	free(out);
	cr_assert_eq(sh(&out, "'%s' --cache '%s' verify --json", n, dir), 0);
	cr_assert(strstr(out, "\"consistent\":true"), "%s", out);
	free(out);
	cr_assert_eq(sh(NULL, "'%s' --cache '%s' uninstall '*'", n, dir), 2);
	cr_assert_eq(sh(NULL, "'%s' --cache '%s' install", n, dir), 2);
	cr_assert_eq(sh(NULL, "'%s' --cache '%s' install '%s'", n, dir, fx("bad/NotAnAssembly.dll")), 3);
	cr_assert_eq(sh(NULL, "'%s' --cache '%s' display Nothing", n, dir), 3);
	cr_assert_eq(sh(&out, "'%s' /?", n), 0);
	cr_assert(strstr(out, "install NAME|PATH") && strstr(out, "uninstall NAME|PATH") &&
		  strstr(out, "update [/queue]") && strstr(out, "display [NAME|PATH]"), "%s", out);
	free(out);
	cr_assert_eq(sh(NULL, "'%s' --cache '%s' uninstall App1", n, dir), 0);
	free(dir);
}

Test(eng_display, json_escapes_reasons)
{
	char *app;
	eng_cache *c = two_roots(&app);
	ng_diag d;
	eng_update_result r;
	setenv("NGEN_FAKE_COMPILER_STAMP", "format=1;compiler=fake \"2\"\\x;llvm=none;target=x86_64-linux-gnu;cpu=none", 1);
	cr_assert_eq(eng_update(c, false, NULL, &r, &d), 0, "%s", ng_diag_text(&d));
	unsetenv("NGEN_FAKE_COMPILER_STAMP");
	char *out = display(c, NULL, ENG_DISPLAY_JSON);
	json_object *top = json_tokener_parse(out), *images, *reason;
	cr_assert_not_null(top, "not JSON:\n%s", out);
	cr_assert(json_object_object_get_ex(top, "images", &images));
	json_object *img = json_object_array_get_idx(images, 0);
	cr_assert(json_object_object_get_ex(img, "reason", &reason));
	cr_assert_str_eq(json_object_get_string(reason),
			 "the compiler version changed (was \"fake 1\", now \"fake \"2\"\\x\")");
	json_object_put(top);
	free(out);
	free(app);
	eng_cache_free(c);
}

/* ---- exclusion reasons and the console's bulk reads ---------------------- */

typedef struct excl_seen { int64_t image; int n; unsigned last, sum; bool ordered; } excl_seen;

static int on_excl(void *ctx, int64_t image_id, const char *reason, unsigned count)
{
	excl_seen *s = ctx;
	if (image_id != s->image) {
		s->image = image_id;
		s->last = ~0u;
	}
	s->ordered &= count <= s->last && reason[0] != 0;
	s->last = count;
	s->sum += count;
	s->n++;
	return 0;
}

Test(eng_display, exclusion_reasons_recorded_by_a_real_compile, .timeout = 300)
{
	eng_cache *c = cache_new(NULL);
	eng_cache_set_compiler(c, eng_compiler_default());
	ng_diag d;
	cr_assert_eq(run_install(c, &d, fx("shared/App1.exe"), NULL), 0, "%s", ng_diag_text(&d));
	/* mscorlib has methods the compiler excludes; App1 has none. */
	int64_t corlib = q(c, "SELECT i.id FROM images i JOIN assemblies a ON a.id = i.assembly_id"
			   " WHERE a.name = 'mscorlib'");
	int64_t excluded = q(c, "SELECT methods_excluded FROM images i JOIN assemblies a"
			     " ON a.id = i.assembly_id WHERE a.name = 'mscorlib'");
	cr_assert_gt(excluded, 0);
	excl_seen s = { 0, 0, ~0u, 0, true };
	cr_assert_eq(eng_exclusions_foreach(c, corlib, on_excl, &s, &d), 0);
	cr_assert(s.n >= 1 && s.n <= ENG_TOP_REASONS, "%d reasons", s.n);
	cr_assert(s.ordered, "most frequent first");
	cr_assert_leq(s.sum, (unsigned)excluded);
	excl_seen all = { 0, 0, ~0u, 0, true };
	cr_assert_eq(eng_exclusions_foreach(c, 0, on_excl, &all, &d), 0);
	cr_assert_eq(all.n, s.n, "only mscorlib has reasons");
	char *out = display(c, "mscorlib", ENG_DISPLAY_VERBOSE);
	cr_assert(strstr(out, "\tExcluded:      "), "%s", out);
	free(out);
	out = display(c, NULL, ENG_DISPLAY_JSON);
	json_object *top = json_tokener_parse(out), *images, *ex;
	cr_assert(top && json_object_object_get_ex(top, "images", &images));
	int with = 0;
	for (size_t i = 0; i < json_object_array_length(images); i++) {
		cr_assert(json_object_object_get_ex(json_object_array_get_idx(images, i), "exclusions", &ex));
		with += json_object_array_length(ex) > 0;
	}
	cr_assert_eq(with, 1);
	json_object_put(top);
	free(out);
	/* Uninstall removes the image and (cascade) its reasons. */
	cr_assert_eq(run_uninstall(c, &d, fx("shared/App1.exe"), NULL), 0, "%s", ng_diag_text(&d));
	cr_assert_eq(q(c, "SELECT count(*) FROM image_exclusions"), 0);
	eng_cache_free(c);
}

static int count_edge(void *ctx, int64_t image_id, int64_t dep_image_id)
{
	(*(int *)ctx) += image_id != dep_image_id;
	return 0;
}
static int count_plain(void *ctx, const eng_image_info *i)
{
	(*(int *)ctx) += i->roots == 0;
	return 0;
}

Test(eng_display, edges_and_plain_images_in_one_query_each)
{
	char *app;
	eng_cache *c = two_roots(&app);
	ng_diag d;
	int edges = 0, plain = 0;
	cr_assert_eq(eng_edges_foreach(c, count_edge, &edges, &d), 0);
	cr_assert_eq(edges, q(c, "SELECT count(*) FROM image_deps WHERE dep_image_id IS NOT NULL"));
	cr_assert_gt(edges, 3);
	cr_assert_eq(eng_images_foreach_plain(c, count_plain, &plain, &d), 0);
	cr_assert_eq(plain, q(c, "SELECT count(*) FROM images"), "no root counts, every image");
	free(app);
	eng_cache_free(c);
}

/* The listings' one-pass text of a root's arguments says what the general
 * path (json-c, eng_args_display) says, escapes and odd input included. */
Test(eng_display, root_arguments_text_matches_the_general_path)
{
	char *argv1[] = { "/x/My App.exe", "/Debug", "", "a\"b\\c\td\n/\xc3\xa9", "é" };
	char *joined = eng_args_join(5, argv1);
	const char *cases[] = { joined, "[]", "[\"/a.exe\",\"/Profile\"]", " [ \"x\" , \"y\" ]",
				"[\"\\u00e9\\/\"]" };
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int argc;
		char **argv;
		cr_assert_eq(eng_args_split(cases[i], &argc, &argv), 0, "%s", cases[i]);
		char *want = eng_args_display(argc, argv);
		eng_args_free(argc, argv);
		ng_strbuf sb = NG_STRBUF_INIT;
		cr_assert_eq(eng__args_display_json(cases[i], &sb), 0, "%s", cases[i]);
		cr_assert_str_eq(sb.data ? sb.data : "", want, "%s", cases[i]);
		ng_strbuf_close(&sb);
		free(want);
	}
	ng_strbuf sb = NG_STRBUF_INIT;
	cr_assert_eq(eng__args_display_json("{\"not\": 1}", &sb), NG_ERR_FORMAT);
	cr_assert_eq(eng__args_display_json("[\"unterminated", &sb), NG_ERR_FORMAT);
	ng_strbuf_close(&sb);
	free(joined);
}
