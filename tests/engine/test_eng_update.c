/* tests/engine/test_eng_update.c - validity and `update` (engine/
 * eng_validity.c, eng_update.c): recompiling a dependency invalidates
 * exactly the images that depend on it, directly or transitively, and
 * update rebuilds exactly those. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "base/xmalloc.h"
#include "tests/engine/eng_test.h"

TestSuite(eng_update, .timeout = 120);

typedef struct seen {
	char reasons[8][512];
	char names[8][128];
	int n;
} seen;

static void on_event(void *ctx, const eng_event *ev)
{
	seen *s = ctx;
	if (ev->kind != ENG_EV_INVALID || s->n >= 8)
		return;
	snprintf(s->names[s->n], sizeof s->names[0], "%.*s", (int)strcspn(ev->name, ","), ev->name);
	snprintf(s->reasons[s->n++], sizeof s->reasons[0], "%s", ev->text);
}

static int find(const seen *s, const char *name)
{
	for (int i = 0; i < s->n; i++)
		if (strcmp(s->names[i], name) == 0)
			return i;
	return -1;
}

static int64_t created_of(eng_cache *c, const char *name)
{
	char *sql = xasprintf("SELECT i.id * 1000000 + length(i.hash) + i.created FROM images i JOIN"
			      " assemblies a ON a.id = i.assembly_id WHERE a.name = '%s'", name);
	int64_t v = q(c, sql);
	free(sql);
	return v;
}

Test(eng_update, recompiled_dependency_rebuilds_only_affected_images)
{
	eng_cache *c = cache_new(NULL);
	char *app = fixture_copy("chain");
	char *cexe = xasprintf("%s/C.exe", app);
	ng_diag d;
	cr_assert_eq(run_install(c, &d, cexe, NULL), 0, "%s", ng_diag_text(&d));
	cr_assert_eq(run_install(c, &d, fx("shared/App1.exe"), NULL), 0, "%s", ng_diag_text(&d));
	cr_assert_eq(q(c, "SELECT count(*) FROM images"), 7); /* C A B D mscorlib App1 Shared */
	char *before_d = xasprintf("%s", "");
	char *hash_d = NULL;
	sqlite3_stmt *st;
	sqlite3_prepare_v2(eng_cache_db(c), "SELECT i.hash FROM images i JOIN assemblies a ON"
			   " a.id = i.assembly_id WHERE a.name = 'D'", -1, &st, NULL);
	cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
	hash_d = xstrdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	int64_t shared_before = created_of(c, "Shared");

	eng_update_result r;
	cr_assert_eq(eng_update(c, true, NULL, &r, &d), 0, "%s", ng_diag_text(&d));
	cr_assert_eq(r.invalid, 0, "nothing changed yet");

	/* Recompile B: same version, new MVID. */
	cr_assert_eq(sh(NULL, "cp '%s' '%s/B.dll'", fx("chain-b2/B.dll"), app), 0);
	seen s = { 0 };
	eng_run_opts o = { on_event, &s, NULL };
	cr_assert_eq(eng_update(c, false, &o, &r, &d), 0, "%s", ng_diag_text(&d));
	cr_assert_eq(r.checked, 7);
	cr_assert_eq(r.invalid, 3, "B, A (direct) and C (transitive)");
	int b = find(&s, "B"), a = find(&s, "A"), cc = find(&s, "C");
	cr_assert(b >= 0 && a >= 0 && cc >= 0);
	cr_assert(b < a && a < cc, "dependencies first");
	cr_assert(strstr(s.reasons[b], "the assembly changed (MVID"), "%s", s.reasons[b]);
	cr_assert(strstr(s.reasons[a], "dependency B") && strstr(s.reasons[a], "changed"), "%s", s.reasons[a]);
	cr_assert(strstr(s.reasons[cc], "dependency A") && strstr(s.reasons[cc], "invalid"), "%s", s.reasons[cc]);
	cr_assert_eq(q(c, "SELECT count(*) FROM images WHERE status = 'invalid'"), 3,
		     "recorded invalid before anything is rebuilt");

	memset(&s, 0, sizeof s);
	cr_assert_eq(eng_update(c, true, &o, &r, &d), 0, "%s", ng_diag_text(&d));
	cr_assert_eq(r.rebuilt, 3);
	cr_assert_eq(r.failed, 0);
	cr_assert_eq(q(c, "SELECT count(*) FROM images WHERE status = 'invalid'"), 0);
	/* Unaffected images were not touched. */
	sqlite3_prepare_v2(eng_cache_db(c), "SELECT i.hash FROM images i JOIN assemblies a ON"
			   " a.id = i.assembly_id WHERE a.name = 'D'", -1, &st, NULL);
	cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
	cr_assert_str_eq((const char *)sqlite3_column_text(st, 0), hash_d);
	sqlite3_finalize(st);
	cr_assert_eq(created_of(c, "Shared"), shared_before);
	cr_assert_eq(eng_update(c, true, NULL, &r, &d), 0);
	cr_assert_eq(r.invalid, 0, "all native images are up to date after the update");
	eng_verify_result v;
	cr_assert_eq(eng_verify(c, false, NULL, &v, &d), 0);
	cr_assert_eq(v.problems, 0, "the replaced image files are gone, the new ones recorded");
	free(before_d); free(hash_d); free(cexe); free(app);
	eng_cache_free(c);
}

Test(eng_update, compiler_change_invalidates_everything_with_the_reason)
{
	eng_cache *c = cache_new(NULL);
	ng_diag d;
	cr_assert_eq(run_install(c, &d, fx("shared/App1.exe"), NULL), 0, "%s", ng_diag_text(&d));
	setenv("NGEN_FAKE_COMPILER_STAMP", "format=1;compiler=fake 2;llvm=none;target=x86_64-linux-gnu;cpu=none", 1);
	seen s = { 0 };
	eng_run_opts o = { on_event, &s, NULL };
	eng_update_result r;
	cr_assert_eq(eng_update(c, true, &o, &r, &d), 0, "%s", ng_diag_text(&d));
	unsetenv("NGEN_FAKE_COMPILER_STAMP");
	cr_assert_eq(r.invalid, 3);
	cr_assert_eq(r.rebuilt, 3);
	cr_assert(strstr(s.reasons[0], "compiler version changed"), "%s", s.reasons[0]);
	cr_assert(strstr(s.reasons[0], "fake 2"), "%s", s.reasons[0]);
	eng_cache_free(c);
}

Test(eng_update, config_change_invalidates_the_images_bound_by_it)
{
	eng_cache *c = cache_new(NULL);
	char *app = fixture_copy("redirect");
	char *exe = xasprintf("%s/App.exe", app);
	ng_diag d;
	cr_assert_eq(run_install(c, &d, exe, NULL), 0, "%s", ng_diag_text(&d));
	cr_assert_eq(sh(NULL, "echo '<!-- edited -->' >> '%s/App.exe.config'", app), 0);
	seen s = { 0 };
	eng_run_opts o = { on_event, &s, NULL };
	eng_update_result r;
	cr_assert_eq(eng_update(c, true, &o, &r, &d), 0, "%s", ng_diag_text(&d));
	cr_assert_eq(r.invalid, 3, "%u invalid: %s", r.invalid, s.reasons[0]);
	cr_assert(strstr(s.reasons[0], "App.exe.config changed"), "%s", s.reasons[0]);
	cr_assert_eq(r.rebuilt, 3);
	free(exe); free(app);
	eng_cache_free(c);
}

Test(eng_update, missing_assembly_stays_invalid_and_update_fails)
{
	eng_cache *c = cache_new(NULL);
	char *app = fixture_copy("chain");
	char *exe = xasprintf("%s/C.exe", app);
	ng_diag d;
	cr_assert_eq(run_install(c, &d, exe, NULL), 0, "%s", ng_diag_text(&d));
	cr_assert_eq(sh(NULL, "rm '%s/D.dll'", app), 0);
	eng_update_result r;
	cr_assert_eq(eng_update(c, true, NULL, &r, &d), NG_ERR_COMPILE);
	cr_assert(strstr(d.msg, "could not be rebuilt"), "%s", d.msg);
	cr_assert_eq(r.invalid, 2, "D and C");
	cr_assert_eq(r.failed, 2);
	cr_assert_eq(q(c, "SELECT count(*) FROM images WHERE status = 'invalid' AND reason LIKE '%D.dll%'"), 2);
	free(exe); free(app);
	eng_cache_free(c);
}

/* A file that is still there but no longer an assembly is told apart from
 * one that is gone, so the administrator looks in the right place. */
Test(eng_update, an_assembly_overwritten_with_garbage_is_named_as_such)
{
	eng_cache *c = cache_new(NULL);
	char *app = fixture_copy("chain");
	char *exe = xasprintf("%s/C.exe", app);
	ng_diag d;
	cr_assert_eq(run_install(c, &d, exe, NULL), 0, "%s", ng_diag_text(&d));
	cr_assert_eq(sh(NULL, "echo garbage > '%s/D.dll'", app), 0);
	eng_update_result r;
	cr_assert_eq(eng_update(c, true, NULL, &r, &d), NG_ERR_COMPILE);
	cr_assert_eq(q(c, "SELECT count(*) FROM images WHERE status = 'invalid' AND "
		      "reason LIKE '%D.dll is no longer a valid assembly%'"), 1, "D's own image");
	cr_assert_eq(q(c, "SELECT count(*) FROM images WHERE reason LIKE '%is gone%'"), 0);
	free(exe); free(app);
	eng_cache_free(c);
}

Test(eng_update, new_reference_of_a_recompiled_root_is_compiled_too)
{
	char *dir;
	eng_cache *c = cache_new(&dir);
	char *app = fixture_copy("chain");
	char *exe = xasprintf("%s/C.exe", app);
	ng_diag d;
	cr_assert_eq(run_install(c, &d, exe, NULL), 0, "%s", ng_diag_text(&d));
	cr_assert_eq(q(c, "SELECT count(*) FROM images"), 5);
	/* C recompiled with a reference to the new E.dll. */
	cr_assert_eq(sh(NULL, "cp '%s' '%s' '%s/'", fx("chain-c2/C.exe"), fx("chain-c2/E.dll"), app), 0);
	eng_update_result r;
	cr_assert_eq(eng_update(c, true, NULL, &r, &d), 0, "%s", ng_diag_text(&d));
	cr_assert_eq(r.invalid, 1, "only C is invalid");
	cr_assert_eq(r.rebuilt, 1);
	cr_assert_eq(q(c, "SELECT count(*) FROM images"), 6, "E has an image now");
	cr_assert_eq(q(c, "SELECT count(*) FROM image_deps e JOIN assemblies a ON a.id = e.dep_assembly_id"
		       " WHERE a.name = 'E' AND e.dep_image_id IS NOT NULL"), 1);
	eng_verify_result v;
	cr_assert_eq(eng_verify(c, false, NULL, &v, &d), 0);
	cr_assert_eq(v.problems, 0, "E's image is reachable from the root");
	/* Back to the old C: E is no longer referenced and goes. */
	cr_assert_eq(sh(NULL, "cp '%s' '%s/'", fx("chain/C.exe"), app), 0);
	cr_assert_eq(eng_update(c, true, NULL, &r, &d), 0, "%s", ng_diag_text(&d));
	cr_assert_eq(q(c, "SELECT count(*) FROM images"), 5);
	cr_assert_eq(eng_verify(c, false, NULL, &v, &d), 0);
	cr_assert_eq(v.problems, 0);
	free(exe); free(app); free(dir);
	eng_cache_free(c);
}
