/* tests/engine/test_eng_verify.c - verify, repair, crash safety and the
 * administrator rule (engine/eng_verify.c, eng_cache.c), partly through
 * the ngen binary: a process killed at any point of an install or an
 * uninstall leaves a cache that verify /repair makes consistent, with
 * nothing lost that had been committed. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/err.h"
#include "base/xmalloc.h"
#include "tests/engine/eng_test.h"

/* gcc 12 at -O1 with -fsanitize=address,undefined (make asan) claims the
 * directory strings below may be null: a known false positive. */
#pragma GCC diagnostic ignored "-Wformat-overflow"

TestSuite(eng_verify, .timeout = 300);

static eng_verify_result verify(eng_cache *c, bool repair)
{
	ng_diag d;
	eng_verify_result r = { 0 };
	cr_assert_eq(eng_verify(c, repair, NULL, &r, &d), 0, "%s", ng_diag_text(&d));
	return r;
}

Test(eng_verify, finds_and_repairs_damage)
{
	char *dir;
	eng_cache *c = cache_new(&dir);
	ng_diag d;
	cr_assert_eq(run_install(c, &d, fx("shared/App1.exe"), NULL), 0, "%s", ng_diag_text(&d));
	eng_verify_result r = verify(c, false);
	cr_assert_eq(r.problems, 0);
	cr_assert_eq(r.images, 3);
	/* Damage: one image file changed, one removed, one stray file. */
	sqlite3_stmt *st;
	sqlite3_prepare_v2(eng_cache_db(c), "SELECT file FROM images ORDER BY id", -1, &st, NULL);
	cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
	char *f1 = xasprintf("%s/images/%s", dir, sqlite3_column_text(st, 0));
	cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
	char *f2 = xasprintf("%s/images/%s", dir, sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	cr_assert_eq(sh(NULL, "echo x >> '%s' && rm '%s' && echo y > '%s/images/stray.ni.so'", f1, f2, dir), 0);
	r = verify(c, false);
	cr_assert_eq(r.problems, 3);
	cr_assert_eq(r.repaired, 0);
	r = verify(c, true);
	cr_assert_eq(r.problems, 3);
	cr_assert_eq(r.repaired, 3);
	cr_assert_eq(q(c, "SELECT count(*) FROM images WHERE status = 'invalid' AND reason LIKE 'verify:%'"), 2);
	r = verify(c, false);
	cr_assert_eq(r.problems, 0, "consistent after repair");
	/* update regenerates what repair marked (mscorlib and Shared) and,
	 * transitively, App1 that depends on them. */
	eng_update_result u;
	cr_assert_eq(eng_update(c, true, NULL, &u, &d), 0, "%s", ng_diag_text(&d));
	cr_assert_eq(u.rebuilt, 3, "%u rebuilt of %u", u.rebuilt, u.invalid);
	r = verify(c, false);
	cr_assert_eq(r.problems, 0);
	free(f1); free(f2); free(dir);
	eng_cache_free(c);
}

/* Everything committed before the crash is still there and whole. */
static void assert_committed_intact_as(const char *dir, bool valid)
{
	ng_diag d;
	eng_cache *c = NULL;
	cr_assert_eq(eng_cache_open(dir, ENG_OPEN_WRITE, &c, &d), 0, "%s", ng_diag_text(&d));
	eng_cache_set_compiler(c, eng_compiler_fake());
	verify(c, true);
	eng_verify_result r = verify(c, false);
	cr_assert_eq(r.problems, 0, "consistent after verify /repair");
	cr_assert_eq(q(c, "SELECT count(*) FROM roots r JOIN images i ON i.id = r.image_id JOIN"
		       " assemblies a ON a.id = i.assembly_id WHERE a.name = 'App1'"), 1,
		     "the committed root survived");
	char *sql = xasprintf("SELECT count(*) FROM images i JOIN assemblies a ON a.id = i.assembly_id"
			      " WHERE a.name IN ('App1', 'Shared', 'mscorlib') AND %s",
			      valid ? "i.status = 'valid'" : "1");
	cr_assert_eq(q(c, sql), 3, "its images are there (and valid: their files were checked by verify)");
	free(sql);
	int64_t roots = q(c, "SELECT count(*) FROM roots");
	cr_assert(roots == 1 || roots == 2);
	if (!valid)
		cr_assert_eq(roots, 2);
	if (roots == 2) /* the killed install had committed: it is complete */
		cr_assert_eq(q(c, "SELECT count(*) FROM images"), 7);
	eng_cache_free(c);
}

static void assert_committed_intact(const char *dir)
{
	assert_committed_intact_as(dir, true);
}

static void seed_cache(const char *dir)
{
	cr_assert_eq(sh(NULL, "NGEN_FAKE_COMPILER=1 '%s' --cache '%s' install '%s'", ngen_bin(), dir,
			fx("shared/App1.exe")), 0);
}

Test(eng_verify, install_killed_at_every_fault_point)
{
	char *dir = tmpdir_new("crash");
	seed_cache(dir);
	/* Fault points of an install of C.exe (4 new images): after each
	 * compile, after each rename, before the commit; then past the end. */
	int completed = 0;
	for (int step = 1; step <= 14; step++) {
		int st = sh(NULL, "NGEN_FAKE_COMPILER=1 NGEN_FAULT_STEP=%d '%s' --cache '%s' install '%s'",
			    step, ngen_bin(), dir, fx("chain/C.exe"));
		completed += st == 0;
		assert_committed_intact(dir);
		if (st == 0) {
			/* Uninstall it again, killed at each of its points too:
			 * before the commit (nothing changes), after it (the
			 * files are orphans until verify /repair), and past them. */
			for (int u = 1; u <= 3; u++) {
				sh(NULL, "NGEN_FAULT_STEP=%d '%s' --cache '%s' uninstall C", u, ngen_bin(), dir);
				assert_committed_intact(dir);
			}
			sh(NULL, "'%s' --cache '%s' uninstall C", ngen_bin(), dir);
		}
	}
	cr_assert(completed >= 1, "past the last fault point the install completes");
	free(dir);
}

Test(eng_verify, update_killed_at_every_fault_point)
{
	char *dir = tmpdir_new("crashupd");
	seed_cache(dir);
	cr_assert_eq(sh(NULL, "NGEN_FAKE_COMPILER=1 '%s' --cache '%s' install '%s'", ngen_bin(), dir,
			fx("chain/C.exe")), 0);
	/* A compiler upgrade: every image is invalid; the update is killed at
	 * each of its points (the commit marking them, then per image after
	 * compiling, after the rename, before the commit). */
	const char *env = "NGEN_FAKE_COMPILER=1 NGEN_FAKE_COMPILER_STAMP='format=1;compiler=fake 9;"
			  "llvm=none;target=x86_64-linux-gnu;cpu=none'";
	for (int step = 1; step <= 24; step++) {
		sh(NULL, "%s NGEN_FAULT_STEP=%d '%s' --cache '%s' update", env, step, ngen_bin(), dir);
		/* Images may be recorded invalid now: that is what the update
		 * committed first. */
		assert_committed_intact_as(dir, false);
	}
	char *out = NULL;
	cr_assert_eq(sh(&out, "%s '%s' --cache '%s' update /nologo", env, ngen_bin(), dir), 0);
	free(out);
	cr_assert_eq(sh(&out, "%s '%s' --cache '%s' update /nologo", env, ngen_bin(), dir), 0);
	cr_assert(strstr(out, "All native images are up to date (7 checked)"), "%s", out);
	free(out);
	free(dir);
}

Test(eng_verify, install_killed_at_random_moments)
{
	char *dir = tmpdir_new("kill");
	seed_cache(dir);
	srand((unsigned)time(NULL));
	for (int i = 0; i < 12; i++) {
		pid_t pid = fork();
		if (pid == 0) {
			setenv("NGEN_FAKE_COMPILER", "1", 1);
			setenv("NGEN_FAKE_COMPILER_DELAY_MS", "15", 1);
			execl(ngen_bin(), "ngen", "--cache", dir, "install", fx("chain/C.exe"), "/Debug",
			      "/nologo", "/silent", (char *)NULL);
			_exit(127);
		}
		struct timespec ts = { 0, (rand() % 90) * 1000000L };
		nanosleep(&ts, NULL);
		kill(pid, SIGKILL);
		int status;
		waitpid(pid, &status, 0);
		assert_committed_intact(dir);
		sh(NULL, "'%s' --cache '%s' uninstall C /Debug", ngen_bin(), dir);
	}
	free(dir);
}

/* Runs fn in a child that has become the unprivileged user nobody. */
static int as_nobody(const char *cmd)
{
	pid_t pid = fork();
	if (pid == 0) {
		if (setgid(65534) < 0 || setuid(65534) < 0)
			_exit(99);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	int status;
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

Test(eng_verify, non_administrators_may_only_read)
{
	if (geteuid() != 0)
		cr_skip_test("needs root to switch to the user nobody");
	char *dir = tmpdir_new("perm");
	chmod(dir, 0755);
	seed_cache(dir);
	sh(NULL, "chmod -R a+rX '%s'", dir);
	char *app = tmpdir_new("permapp");
	chmod(app, 0755);
	sh(NULL, "cp '%s' '%s' '%s/' && chmod a+r '%s'/*", fx("shared/App2.exe"), fx("shared/Shared.dll"), app, app);
	char *out = xasprintf("%s/out.txt", app);
	chmod(app, 0777);
	struct { const char *args; int code; } cases[] = {
		{ "install %s/App2.exe", 4 }, { "uninstall App1", 4 }, { "update", 4 },
		{ "verify /repair", 4 }, { "display", 0 }, { "display App1", 0 }, { "verify", 0 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *args = xasprintf(cases[i].args, app);
		char *cmd = xasprintf("NGEN_FAKE_COMPILER=1 '%s' --cache '%s' %s > '%s' 2>&1", ngen_bin(),
				      dir, args, out);
		int code = as_nobody(cmd);
		char *text = NULL;
		sh(&text, "cat '%s'", out);
		cr_expect_eq(code, cases[i].code, "ngen %s as nobody: exit %d: %s", args, code, text);
		if (cases[i].code == 4)
			cr_expect(strstr(text, "administrative rights are needed"), "%s", text);
		if (strcmp(args, "display") == 0)
			cr_expect(strstr(text, "App1") && strstr(text, "Native Images:"), "%s", text);
		free(text); free(cmd); free(args);
	}
	/* Nothing changed. */
	ng_diag d;
	eng_cache *c = NULL;
	cr_assert_eq(eng_cache_open(dir, 0, &c, &d), 0, "%s", ng_diag_text(&d));
	cr_assert_eq(q(c, "SELECT count(*) FROM roots"), 1);
	eng_cache_free(c);
	free(out); free(app); free(dir);
}

Test(eng_verify, concurrent_commands_share_the_cache)
{
	char *dir = tmpdir_new("conc");
	/* Four installs and an update at once, two of them of the same
	 * application: writers take turns (BEGIN IMMEDIATE, busy timeout). */
	char *out = NULL;
	int st = sh(&out, "export NGEN_FAKE_COMPILER=1 NGEN_FAKE_COMPILER_DELAY_MS=20; n='%s'; c='%s';"
		    " $n --cache $c install '%s' /silent 2>&1 & p1=$!;"
		    " $n --cache $c install '%s' /silent 2>&1 & p2=$!;"
		    " $n --cache $c install '%s' /silent 2>&1 & p3=$!;"
		    " $n --cache $c install '%s' /Debug /silent 2>&1 & p4=$!;"
		    " $n --cache $c update /silent 2>&1 & p5=$!; fail=0;"
		    " for p in $p1 $p2 $p3 $p4 $p5; do wait $p || fail=1; done; echo fail=$fail",
		    ngen_bin(), dir, fx("shared/App1.exe"), fx("shared/App1.exe"),
		    fx("chain/C.exe"), fx("shared/App2.exe"));
	cr_assert_eq(st, 0, "%s", out);
	cr_assert(strstr(out, "fail=0"), "every command succeeded:\n%s", out);
	free(out);
	ng_diag d;
	eng_cache *c = NULL;
	cr_assert_eq(eng_cache_open(dir, ENG_OPEN_WRITE, &c, &d), 0, "%s", ng_diag_text(&d));
	eng_verify_result r = verify(c, false);
	cr_assert_eq(r.problems, 0);
	cr_assert_eq(q(c, "SELECT count(*) FROM roots"), 3);
	/* App1 and Shared and mscorlib, C A B D (mscorlib shared), App2 /Debug
	 * with its own Shared and mscorlib: 3 + 4 + 3. */
	cr_assert_eq(q(c, "SELECT count(*) FROM images"), 10);
	eng_cache_free(c);
	free(dir);
}
