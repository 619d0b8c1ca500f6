/* tests/engine/test_eng_install.c - install and uninstall: roots, derived
 * reference counts, scenario sets, binding contexts, partial names and bad
 * input (engine/eng_install.c, eng_uninstall.c, eng_binder.c). The fake
 * compiler stands in for the code generator; test_eng_mcs.c uses the real
 * one. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/abi.h"
#include "base/err.h"
#include "base/xmalloc.h"
#include "tests/engine/eng_test.h"

#define IMAGES(c) q(c, "SELECT count(*) FROM images")
#define ROOTS(c) q(c, "SELECT count(*) FROM roots")

TestSuite(eng_install, .timeout = 120);

Test(eng_install, shared_dependency_stays_until_its_last_root_goes)
{
	char *dir;
	eng_cache *c = cache_new(&dir);
	ng_diag d;
	cr_assert_eq(run_install(c, &d, fx("shared/App1.exe"), NULL), 0, "%s", ng_diag_text(&d));
	cr_assert_eq(run_install(c, &d, fx("shared/App2.exe"), NULL), 0, "%s", ng_diag_text(&d));
	/* App1, App2, Shared, mscorlib: the shared ones once. */
	cr_assert_eq(IMAGES(c), 4);
	cr_assert_eq(ROOTS(c), 2);
	cr_assert_eq(run_uninstall(c, &d, fx("shared/App1.exe"), NULL), 0, "%s", ng_diag_text(&d));
	cr_assert_eq(IMAGES(c), 3, "Shared and mscorlib stay for App2");
	cr_assert_eq(q(c, "SELECT count(*) FROM images i JOIN assemblies a ON a.id = i.assembly_id"
		       " WHERE a.name = 'Shared'"), 1);
	cr_assert_eq(run_uninstall(c, &d, "App2", NULL), 0, "%s", ng_diag_text(&d));
	cr_assert_eq(IMAGES(c), 0);
	cr_assert_eq(q(c, "SELECT count(*) FROM assemblies"), 0);
	char *images = xasprintf("%s/images", dir);
	cr_assert_eq(count_files(images), 0, "every image file went with its record");
	free(images);
	free(dir);
	eng_cache_free(c);
}

Test(eng_install, dependency_that_is_also_a_root_stays)
{
	eng_cache *c = cache_new(NULL);
	ng_diag d;
	cr_assert_eq(run_install(c, &d, fx("shared/Shared.dll"), NULL), 0, "%s", ng_diag_text(&d));
	cr_assert_eq(run_install(c, &d, fx("shared/App1.exe"), NULL), 0, "%s", ng_diag_text(&d));
	cr_assert_eq(IMAGES(c), 3);
	cr_assert_eq(run_uninstall(c, &d, fx("shared/App1.exe"), NULL), 0, "%s", ng_diag_text(&d));
	cr_assert_eq(IMAGES(c), 2, "Shared is a root of its own: it and mscorlib stay");
	/* A dependency that is not a root cannot be uninstalled by itself. */
	cr_assert_eq(run_uninstall(c, &d, "mscorlib", NULL), NG_ERR_NOTFOUND);
	cr_assert(strstr(d.msg, "dependencies of other roots"), "%s", d.msg);
	cr_assert_eq(run_uninstall(c, &d, fx("shared/Shared.dll"), NULL), 0, "%s", ng_diag_text(&d));
	cr_assert_eq(IMAGES(c), 0);
	eng_cache_free(c);
}

Test(eng_install, scenario_sets_are_separate_and_uninstalled_exactly)
{
	eng_cache *c = cache_new(NULL);
	ng_diag d;
	const char *app = fx("shared/App1.exe");
	cr_assert_eq(run_install(c, &d, app, NULL), 0, "%s", ng_diag_text(&d));
	cr_assert_eq(run_install(c, &d, app, "/Debug", NULL), 0, "%s", ng_diag_text(&d));
	cr_assert_eq(run_install(c, &d, app, "-debug", "--PROFILE", NULL), 0, "%s", ng_diag_text(&d));
	cr_assert_eq(ROOTS(c), 3);
	cr_assert_eq(IMAGES(c), 9, "a complete set of images per scenario set");
	cr_assert_eq(q(c, "SELECT count(*) FROM images WHERE scenario = 3"), 3);
	/* Removing /Debug does not remove /Debug /Profile. */
	cr_assert_eq(run_uninstall(c, &d, app, "/debug", NULL), 0, "%s", ng_diag_text(&d));
	cr_assert_eq(IMAGES(c), 6);
	cr_assert_eq(q(c, "SELECT count(*) FROM images WHERE scenario = 1"), 0);
	cr_assert_eq(q(c, "SELECT count(*) FROM images WHERE scenario = 3"), 3);
	cr_assert_eq(run_uninstall(c, &d, app, "/Debug", NULL), NG_ERR_NOTFOUND);
	/* Without scenarios: every scenario of the root. */
	cr_assert_eq(run_uninstall(c, &d, app, NULL), 0, "%s", ng_diag_text(&d));
	cr_assert_eq(IMAGES(c), 0);
	eng_cache_free(c);
}

Test(eng_install, valid_images_are_reused_and_the_root_recorded_with_its_arguments)
{
	eng_cache *c = cache_new(NULL);
	ng_diag d;
	eng_request req;
	char *argv[] = { (char *)fx("shared/App1.exe"), "/Profile", NULL };
	cr_assert_eq(eng_args_parse(ENG_INSTALL, 2, argv, "/", &req, &d), 0);
	eng_install_result r1, r2;
	cr_assert_eq(eng_install(c, &req, NULL, &r1, &d), 0, "%s", ng_diag_text(&d));
	cr_assert_eq(eng_install(c, &req, NULL, &r2, &d), 0, "%s", ng_diag_text(&d));
	cr_assert_eq(r1.compiled, 3);
	cr_assert_eq(r2.compiled, 0);
	cr_assert_eq(r2.reused, 3);
	cr_assert_eq(ROOTS(c), 1, "the same install twice is one root");
	char *json = eng_args_join(req.argc, req.argv);
	sqlite3_stmt *st;
	sqlite3_prepare_v2(eng_cache_db(c), "SELECT args, cwd FROM roots", -1, &st, NULL);
	cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
	cr_assert_str_eq((const char *)sqlite3_column_text(st, 0), json);
	cr_assert_str_eq((const char *)sqlite3_column_text(st, 1), "/");
	sqlite3_finalize(st);
	/* The stored arguments replay through the same parser. */
	int argc2;
	char **argv2;
	cr_assert_eq(eng_args_split(json, &argc2, &argv2), 0);
	eng_request again;
	cr_assert_eq(eng_args_parse(ENG_INSTALL, argc2, argv2, "/", &again, &d), 0);
	cr_assert_eq(again.scenario, NG_SCENARIO_PROFILE);
	cr_assert_str_eq(again.name, req.name);
	eng_request_close(&again);
	eng_args_free(argc2, argv2);
	free(json);
	eng_request_close(&req);
	eng_cache_free(c);
}

Test(eng_install, nodependencies_compiles_the_named_assembly_only)
{
	eng_cache *c = cache_new(NULL);
	ng_diag d;
	cr_assert_eq(run_install(c, &d, fx("shared/App1.exe"), "/NoDependencies", NULL), 0, "%s",
		     ng_diag_text(&d));
	cr_assert_eq(IMAGES(c), 1);
	/* Its references are still recorded, for validity. */
	cr_assert_eq(q(c, "SELECT count(*) FROM image_deps WHERE dep_image_id IS NULL"), 2);
	eng_cache_free(c);
}

Test(eng_install, appbase_locates_dependencies)
{
	eng_cache *c = cache_new(NULL);
	ng_diag d;
	char *alone = tmpdir_new("alone");
	cr_assert_eq(sh(NULL, "cp '%s' '%s/'", fx("shared/App1.exe"), alone), 0);
	char *app = xasprintf("%s/App1.exe", alone);
	cr_assert_eq(run_install(c, &d, app, NULL), NG_ERR_UNRESOLVED);
	cr_assert(strstr(d.msg, "Shared"), "the message names the reference: %s", d.msg);
	char *opt = xasprintf("/AppBase:%s", fx("shared"));
	cr_assert_eq(run_install(c, &d, app, opt, NULL), 0, "%s", ng_diag_text(&d));
	char *sql = xasprintf("SELECT count(*) FROM assemblies WHERE path = '%s'", fx("shared/Shared.dll"));
	cr_assert_eq(q(c, sql), 1, "Shared bound from the /AppBase directory");
	/* Uninstall needs the same config. */
	cr_assert_eq(run_uninstall(c, &d, app, "/AppBase:/tmp", NULL), NG_ERR_NOTFOUND);
	cr_assert_eq(run_uninstall(c, &d, app, opt, NULL), 0, "%s", ng_diag_text(&d));
	cr_assert_eq(IMAGES(c), 0);
	free(sql); free(opt); free(app); free(alone);
	eng_cache_free(c);
}

Test(eng_install, config_file_redirects_and_probes_private_path)
{
	eng_cache *c = cache_new(NULL);
	ng_diag d;
	cr_assert_eq(run_install(c, &d, fx("redirect/App.exe"), NULL), 0, "%s", ng_diag_text(&d));
	/* App.exe references Shared 1.0.0.0; the config redirects it to
	 * 2.0.0.0, which only lib/ (privatePath) holds. */
	cr_assert_eq(q(c, "SELECT count(*) FROM image_deps WHERE dep_identity LIKE 'Shared, Version=2.0.0.0%'"), 1);
	char *sql = xasprintf("SELECT count(*) FROM assemblies WHERE path = '%s'", fx("redirect/lib/Shared.dll"));
	cr_assert_eq(q(c, sql), 1);
	/* The same program without its .config does not bind, and nothing is
	 * recorded for it. */
	int64_t before = IMAGES(c);
	cr_assert_eq(run_install(c, &d, fx("redirect/noconfig/App.exe"), NULL), NG_ERR_UNRESOLVED);
	cr_assert(strstr(d.msg, "Shared, Version=1.0.0.0"), "%s", d.msg);
	cr_assert_eq(IMAGES(c), before);
	free(sql);
	eng_cache_free(c);
}

Test(eng_install, execonfig_uses_another_programs_config)
{
	eng_cache *c = cache_new(NULL);
	ng_diag d;
	char *noconf = xasprintf("/ExeConfig:%s", fx("redirect/noconfig/App.exe"));
	char *other = xasprintf("/ExeConfig:%s", fx("redirect/Other.exe"));
	/* noconfig/App.exe with Other.exe's configuration binds. */
	cr_assert_eq(run_install(c, &d, fx("redirect/noconfig/App.exe"), noconf, NULL), NG_ERR_UNRESOLVED);
	cr_assert_eq(run_install(c, &d, fx("redirect/noconfig/App.exe"), other, NULL), 0, "%s",
		     ng_diag_text(&d));
	cr_assert_eq(q(c, "SELECT count(*) FROM roots WHERE config LIKE '%Other.exe.config'"), 1);
	/* Uninstall with the install's arguments; another config matches nothing. */
	char *app = xasprintf("/ExeConfig:%s", fx("redirect/App.exe"));
	cr_assert_eq(run_uninstall(c, &d, fx("redirect/noconfig/App.exe"), app, NULL), NG_ERR_NOTFOUND);
	cr_assert_eq(run_uninstall(c, &d, fx("redirect/noconfig/App.exe"), other, NULL), 0, "%s",
		     ng_diag_text(&d));
	cr_assert_eq(IMAGES(c), 0);
	free(noconf); free(other); free(app);
	eng_cache_free(c);
}

Test(eng_install, partial_display_names_for_display_and_uninstall)
{
	eng_cache *c = cache_new(NULL);
	ng_diag d;
	cr_assert_eq(run_install(c, &d, fx("shared/App1.exe"), NULL), 0, "%s", ng_diag_text(&d));
	cr_assert_eq(run_install(c, &d, fx("shared/App2.exe"), NULL), 0, "%s", ng_diag_text(&d));
	FILE *out = fopen("/dev/null", "w");
	cr_assert_eq(eng_display(c, "app1", "/", 0, out, &d), 0, "%s", ng_diag_text(&d));
	cr_assert_eq(eng_display(c, "Shared, Version=1.0.0.0", "/", 0, out, &d), 0, "%s", ng_diag_text(&d));
	cr_assert_eq(eng_display(c, "Shared, Version=9.0.0.0", "/", 0, out, &d), NG_ERR_NOTFOUND);
	cr_assert_eq(eng_display(c, "Nothing", "/", 0, out, &d), NG_ERR_NOTFOUND);
	fclose(out);
	cr_assert_eq(run_uninstall(c, &d, "App1, Version=0.0.0.0, Culture=neutral", NULL), 0, "%s",
		     ng_diag_text(&d));
	cr_assert_eq(ROOTS(c), 1);
	cr_assert_eq(run_uninstall(c, &d, "App1", NULL), NG_ERR_NOTFOUND);
	eng_cache_free(c);
}

Test(eng_install, gac_assembly_by_display_name)
{
	eng_cache *c = cache_new(NULL);
	ng_diag d;
	cr_assert_eq(run_install(c, &d, "System.Numerics, Version=4.0.0.0, Culture=neutral, "
				 "PublicKeyToken=b77a5c561934e089", NULL), 0, "%s", ng_diag_text(&d));
	cr_assert_eq(q(c, "SELECT count(*) FROM assemblies WHERE path LIKE '%/gac/System.Numerics/4.0.0.0__b77a5c561934e089/System.Numerics.dll'"), 1);
	cr_assert_eq(run_uninstall(c, &d, "System.Numerics", NULL), 0, "%s", ng_diag_text(&d));
	cr_assert_eq(IMAGES(c), 0);
	eng_cache_free(c);
}

static void assert_nothing_recorded(eng_cache *c, const char *dir)
{
	cr_assert_eq(IMAGES(c), 0);
	cr_assert_eq(ROOTS(c), 0);
	cr_assert_eq(q(c, "SELECT count(*) FROM assemblies"), 0);
	char *images = xasprintf("%s/images", dir);
	cr_assert_eq(count_files(images), 0, "no file left behind");
	free(images);
}

Test(eng_install, bad_input_is_named_and_nothing_recorded)
{
	char *dir;
	eng_cache *c = cache_new(&dir);
	ng_diag d;
	cr_assert_eq(run_install(c, &d, fx("bad/Nope.dll"), NULL), NG_ERR_NOTFOUND);
	cr_assert(strstr(d.msg, "Nope.dll"), "%s", d.msg);
	cr_assert_eq(run_install(c, &d, fx("bad/NotAnAssembly.dll"), NULL), NG_ERR_NOT_PE);
	cr_assert(strstr(d.msg, "NotAnAssembly.dll") && strstr(d.msg, "not a .NET assembly"), "%s", d.msg);
	cr_assert_eq(run_install(c, &d, fx("bad/Missing.exe"), NULL), NG_ERR_UNRESOLVED);
	cr_assert(strstr(d.msg, "Gone") && strstr(d.msg, "Missing.exe"), "%s", d.msg);
	cr_assert_eq(run_install(c, &d, "No.Such.Assembly, Version=1.0.0.0", NULL), NG_ERR_NOTFOUND);
	cr_assert(strstr(d.msg, "No.Such.Assembly"), "%s", d.msg);
	assert_nothing_recorded(c, dir);
	free(dir);
	eng_cache_free(c);
}

Test(eng_install, command_line_errors)
{
	ng_diag d;
	eng_request req;
	char *star[] = { "*" };
	cr_assert_eq(eng_args_parse(ENG_UNINSTALL, 1, star, "/", &req, &d), NG_ERR_USAGE);
	cr_assert(strstr(d.msg, "not supported"), "%s", d.msg);
	char *two[] = { "a.dll", "b.dll" };
	cr_assert_eq(eng_args_parse(ENG_INSTALL, 2, two, "/", &req, &d), NG_ERR_USAGE);
	cr_assert(strstr(d.msg, "only one assembly"), "%s", d.msg);
	char *unknown[] = { "a.dll", "/Fast" };
	cr_assert_eq(eng_args_parse(ENG_INSTALL, 2, unknown, "/", &req, &d), NG_ERR_USAGE);
	cr_assert(strstr(d.msg, "/Fast"), "%s", d.msg);
	cr_assert_eq(eng_args_parse(ENG_INSTALL, 0, NULL, "/", &req, &d), NG_ERR_USAGE);
	char *q7[] = { "a.dll", "/queue:7" };
	cr_assert_eq(eng_args_parse(ENG_INSTALL, 2, q7, "/", &req, &d), NG_ERR_USAGE);
	char *ok[] = { "/usr/lib/mono/4.5/mcs.exe", "/DEBUG", "--nodependencies", "-AppBase=/tmp", "/queue:1" };
	cr_assert_eq(eng_args_parse(ENG_INSTALL, 5, ok, "/", &req, &d), 0, "%s", ng_diag_text(&d));
	cr_assert_str_eq(req.name, "/usr/lib/mono/4.5/mcs.exe");
	cr_assert_eq(req.scenario, NG_SCENARIO_DEBUG);
	cr_assert(req.nodeps);
	cr_assert_str_eq(req.app_base, "/tmp");
	cr_assert_eq(req.queue, 1);
	eng_request_close(&req);
}

Test(eng_install, nodependencies_root_does_not_keep_dependencies_alive)
{
	eng_cache *c = cache_new(NULL);
	ng_diag d;
	cr_assert_eq(run_install(c, &d, fx("shared/App2.exe"), NULL), 0, "%s", ng_diag_text(&d));
	cr_assert_eq(run_install(c, &d, fx("shared/App1.exe"), "/NoDependencies", NULL), 0, "%s", ng_diag_text(&d));
	cr_assert_eq(IMAGES(c), 4);
	/* App1's edge now points at App2's Shared image ... */
	cr_assert_eq(q(c, "SELECT count(*) FROM image_deps WHERE dep_image_id IS NOT NULL AND image_id ="
		       " (SELECT i.id FROM images i JOIN assemblies a ON a.id = i.assembly_id WHERE a.name = 'App1')"), 2);
	/* ... but it does not keep it: uninstalling App2 leaves App1 alone. */
	cr_assert_eq(run_uninstall(c, &d, "App2", NULL), 0, "%s", ng_diag_text(&d));
	cr_assert_eq(IMAGES(c), 1);
	cr_assert_eq(q(c, "SELECT count(*) FROM image_deps WHERE dep_image_id IS NULL"), 2);
	cr_assert_eq(run_uninstall(c, &d, "App1", "/NoDependencies", NULL), 0, "%s", ng_diag_text(&d));
	cr_assert_eq(IMAGES(c), 0);
	eng_cache_free(c);
}
