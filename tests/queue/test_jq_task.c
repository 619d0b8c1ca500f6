/* tests/queue/test_jq_task.c - the usage log and the idle task: often used
 * assemblies without an image are queued and built, /RuntimeWide reads the
 * machine-wide stream, idle work waits for idle time unless /Critical, and
 * automatic images unused for long are reclaimed. */
#include "queue/jq.h"
#include "queue/jq_task.h"
#include "queue/jq_usage.h"
#include "tests/queue/jq_fake.h"

#include "base/err.h"
#include "base/xmalloc.h"

#include <criterion/criterion.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static char *dir, *lib_a, *lib_b, *app;

static void touch(const char *p)
{
	FILE *f = fopen(p, "w");
	cr_assert(f);
	fclose(f);
}

static void setup(void)
{
	setenv("NGEN_FAKE_COMPILER", "1", 1);
	dir = jqt_tmpdir();
	lib_a = xasprintf("%s/A.dll", dir);
	lib_b = xasprintf("%s/B.dll", dir);
	app = xasprintf("%s/App.exe", dir);
	touch(lib_a);
	touch(lib_b);
	touch(app);
}

static void teardown(void)
{
	jqt_rmdir(dir);
	free(dir);
	free(lib_a);
	free(lib_b);
	free(app);
}

TestSuite(jq_task, .init = setup, .fini = teardown, .timeout = 120);

static void uses(const char *assembly, int n)
{
	for (int i = 0; i < n; i++)
		cr_assert_eq(jq_usage_record(dir, app, assembly, "A, Version=1.0.0.0"), 0);
}

static void task_opts(jq_task_opts *o)
{
	memset(o, 0, sizeof *o);
	o->cache_dir = dir;
	o->exec = &jqt_fake_exec;
	o->critical = true;
	o->poll_s = 0.05;
	o->policy.max_attempts = 2;
	o->policy.backoff_s = 0.05;
	o->policy.lease_s = 30;
}

static int items_of_kind(const char *kind, const char *origin, jq_state state)
{
	jq_db db;
	cr_assert_eq(jq_db_open(&db, dir), 0);
	jq_item *items;
	int n, count = 0;
	cr_assert_eq(jq_list(&db, (int)state, &items, &n), 0);
	for (int i = 0; i < n; i++)
		count += strcmp(items[i].kind, kind) == 0 && strcmp(items[i].origin, origin) == 0;
	jq_items_free(items, n);
	jq_db_close(&db);
	return count;
}

Test(jq_task, usage_lines_round_trip_and_bad_lines_are_skipped)
{
	cr_assert_eq(jq_usage_prepare(dir), 0);
	cr_assert_eq(jq_usage_record(dir, app, "/x/Has\tTab.dll", "Id, Version=1.0.0.0"), 0);
	char *log = jq_usage_app_log(dir, app);
	FILE *f = fopen(log, "a");
	fputs("garbage line\n12\tnot-absolute\n", f);
	fclose(f);
	char line[512];
	f = fopen(log, "r");
	cr_assert(fgets(line, sizeof line, f));
	fclose(f);
	jq_usage_entry e;
	cr_assert_eq(jq_usage_parse(line, &e), 0);
	cr_assert_str_eq(e.assembly, "/x/Has Tab.dll");
	cr_assert_str_eq(e.app, app);
	cr_assert_str_eq(e.identity, "Id, Version=1.0.0.0");
	cr_assert_gt(e.time, 1600000000);
	char bad[] = "garbage line";
	cr_assert_eq(jq_usage_parse(bad, &e), NG_ERR_FORMAT);
	free(log);
}

Test(jq_task, often_used_assemblies_without_an_image_are_queued_and_built)
{
	uses(lib_a, 3);
	uses(lib_b, 1);                          /* not often enough */
	uses("/no/such/Gone.dll", 5);            /* no longer exists */
	jq_task_opts o;
	task_opts(&o);
	jq_task_result r;
	ng_diag d;
	cr_assert_eq(jq_task_run(&o, &r, &d), 0, "%s", ng_diag_text(&d));
	cr_assert_eq(r.assemblies_seen, 3);
	cr_assert_eq(r.queued_installs, 1);
	cr_assert_eq(r.run.finished, 1);
	cr_assert_eq(items_of_kind("install", "task", JQ_DONE), 1);
	/* Run again: the install is done, nothing new is queued twice. */
	cr_assert_eq(jq_task_run(&o, &r, &d), 0);
	cr_assert_eq(items_of_kind("install", "task", JQ_QUEUED), 0);
}

Test(jq_task, runtime_wide_reads_the_machine_wide_stream)
{
	uses(lib_a, 3);
	char *apps = xasprintf("rm -rf '%s/usage/apps'", dir);
	cr_assert_eq(system(apps), 0);
	free(apps);
	jq_task_opts o;
	task_opts(&o);
	o.no_run = true;
	jq_task_result r;
	ng_diag d;
	cr_assert_eq(jq_task_run(&o, &r, &d), 0);
	cr_assert_eq(r.queued_installs, 0, "the App stream is gone");
	o.runtime_wide = true;
	cr_assert_eq(jq_task_run(&o, &r, &d), 0);
	cr_assert_eq(r.queued_installs, 1);
}

Test(jq_task, without_critical_idle_work_waits_for_idle_time)
{
	uses(lib_a, 3);
	jq_task_opts o;
	task_opts(&o);
	o.critical = false;
	o.wait_s = 0.5;
	jq_idle *idle = jqt_idle_file_new(dir);
	o.idle = idle;
	jq_task_result r;
	ng_diag d;
	cr_assert_eq(jq_task_run(&o, &r, &d), 0, "%s", ng_diag_text(&d));
	cr_assert_eq(r.run.finished, 0, "ran while the machine was busy");
	cr_assert_eq(items_of_kind("install", "task", JQ_QUEUED), 1);
	jqt_set_idle(dir, true);
	cr_assert_eq(jq_task_run(&o, &r, &d), 0);
	cr_assert_eq(r.run.finished, 1);
	jq_idle_free(idle);
}

Test(jq_task, automatic_installs_unused_for_long_are_reclaimed)
{
	uses(lib_a, 3);
	jq_task_opts o;
	task_opts(&o);
	jq_task_result r;
	ng_diag d;
	cr_assert_eq(jq_task_run(&o, &r, &d), 0);
	cr_assert_eq(r.queued_installs, 1);
	/* Forty days pass without a use. */
	char *rm = xasprintf("rm -rf '%s/usage'", dir);
	cr_assert_eq(system(rm), 0);
	free(rm);
	sqlite3 *db;
	char *path = xasprintf("%s/cache.db", dir);
	cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(db, "UPDATE jq_auto SET last_used = last_used - 40*86400",
				  NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	free(path);
	cr_assert_eq(jq_task_run(&o, &r, &d), 0);
	cr_assert_eq(r.queued_uninstalls, 1);
	cr_assert_eq(items_of_kind("uninstall", "task", JQ_DONE), 1);
	/* Forgotten: a later run does not reclaim it again. */
	cr_assert_eq(jq_task_run(&o, &r, &d), 0);
	cr_assert_eq(r.queued_uninstalls, 0);
}

Test(jq_task, long_logs_are_rotated_and_both_generations_read)
{
	uses(lib_a, 1);
	char *log = jq_usage_app_log(dir, app);
	FILE *f = fopen(log, "a");
	cr_assert(f);
	long long t = (long long)time(NULL);
	for (int i = 0; i < 70000; i++)
		fprintf(f, "%lld\t%s\t%s\tB, Version=1.0.0.0\n", t, app, lib_b);
	fclose(f);
	jq_task_opts o;
	task_opts(&o);
	o.no_run = true;
	jq_task_result r;
	ng_diag d;
	cr_assert_eq(jq_task_run(&o, &r, &d), 0);
	cr_assert_eq(r.queued_installs, 1, "B was used often, A once");
	char *old = xasprintf("%s.1", log);
	cr_assert_eq(access(old, F_OK), 0, "the long log was not rotated");
	cr_assert_neq(access(log, F_OK), 0);
	/* The previous generation still counts. */
	cr_assert_eq(jq_task_run(&o, &r, &d), 0);
	cr_assert_eq(r.assemblies_seen, 2);
	free(old);
	free(log);
}
