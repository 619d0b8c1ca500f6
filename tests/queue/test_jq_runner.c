/* tests/queue/test_jq_runner.c - the scheduler: priority order, idle gating
 * with a substituted idle source, retries, eqi's priority bound. */
#include "queue/jq_runner.h"
#include "tests/queue/jq_fake.h"

#include "base/err.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

static char *dir;

static void setup(void)
{
	dir = jqt_tmpdir();
}

static void teardown(void)
{
	jqt_rmdir(dir);
	free(dir);
}

TestSuite(jq_runner, .init = setup, .fini = teardown, .timeout = 120);

typedef struct bg_run {
	pthread_t th;
	jq_runner_opts o;
	jq_run_stats stats;
	int rc;
	ng_diag d;
} bg_run;

static void *bg_main(void *p)
{
	bg_run *b = p;
	b->rc = jq_run_to_completion(&b->o, &b->stats, &b->d);
	return NULL;
}

Test(jq_runner, priority_1_before_2_before_3_with_a_free_worker)
{
	/* A1 stands for an install whose dependencies take long to compile:
	 * B (priority 2) must not start on the free worker until A1 is done. */
	long long c = jqt_add(dir, 3, "C.dll", "sleep:10");
	long long b = jqt_add(dir, 2, "B.dll", "sleep:10");
	long long a1 = jqt_add(dir, 1, "A1.dll", "sleep:300");
	long long a2 = jqt_add(dir, 1, "A2.dll", "sleep:20");
	jqt_set_idle(dir, true);
	jq_idle *idle = jqt_idle_file_new(dir);
	jq_runner_opts o;
	jqt_runner_opts(&o, dir, idle);
	o.idle_gated = true;
	jq_run_stats st;
	ng_diag d;
	cr_assert_eq(jq_run_to_completion(&o, &st, &d), 0, "%s", ng_diag_text(&d));
	cr_assert_eq(st.finished, 4);
	cr_assert_lt(jqt_log_pos(dir, "start", a1), jqt_log_pos(dir, "start", b));
	cr_assert_lt(jqt_log_pos(dir, "done", a1), jqt_log_pos(dir, "start", b));
	cr_assert_lt(jqt_log_pos(dir, "done", a2), jqt_log_pos(dir, "start", b));
	cr_assert_lt(jqt_log_pos(dir, "done", b), jqt_log_pos(dir, "start", c));
	jq_idle_free(idle);
}

Test(jq_runner, priority_3_waits_for_idle_and_stops_when_idle_ends)
{
	long long x = jqt_add(dir, 3, "X.dll", "sleep:1500");
	jq_idle *idle = jqt_idle_file_new(dir);
	bg_run b = { 0 };
	jqt_runner_opts(&b.o, dir, idle);
	b.o.idle_gated = true;
	cr_assert_eq(pthread_create(&b.th, NULL, bg_main, &b), 0);
	/* Not idle: nothing may start. (A negative can only be shown by
	 * waiting; 25 idle samples is plenty.) */
	usleep(500 * 1000);
	cr_assert_eq(jqt_log_count(dir, "start", x), 0, "priority 3 ran while busy");
	jqt_set_idle(dir, true);
	cr_assert(jqt_wait_log(dir, "start", x, 1, 30), "priority 3 did not start when idle");
	jqt_set_idle(dir, false);
	cr_assert(jqt_wait_log(dir, "cancel", x, 1, 30), "busy again, but the item ran on");
	/* Back in the queue, nothing half-written. */
	for (int i = 0; i < 2000 && jqt_state(dir, x) != JQ_QUEUED; i++)
		usleep(5000);
	cr_assert_eq(jqt_state(dir, x), JQ_QUEUED);
	cr_assert_eq(jqt_tmp_files(dir), 0);
	cr_assert_not(jqt_file_exists(dir, "%lld.img", x));
	jqt_set_idle(dir, true);
	cr_assert(jqt_wait_log(dir, "done", x, 1, 60), "resumed idle work did not finish");
	pthread_join(b.th, NULL);
	cr_assert_eq(b.rc, 0);
	cr_assert_eq(jqt_state(dir, x), JQ_DONE);
	cr_assert(jqt_file_exists(dir, "%lld.img", x));
	cr_assert_eq(b.stats.requeued, 1);
	cr_assert_eq(b.stats.finished, 1);
	jq_idle_free(idle);
}

Test(jq_runner, failing_item_is_retried_then_failed_without_blocking_others)
{
	long long bad = jqt_add(dir, 1, "Bad.dll", "fail");
	long long flaky = jqt_add(dir, 1, "Flaky.dll", "fail1");
	long long after = jqt_add(dir, 2, "After.dll", NULL);
	jq_runner_opts o;
	jqt_runner_opts(&o, dir, NULL);
	o.workers = 1;
	o.policy.backoff_s = 0.5;   /* long enough for After to run inside it */
	jq_run_stats st;
	ng_diag d;
	cr_assert_eq(jq_run_to_completion(&o, &st, &d), 0);
	cr_assert_eq(jqt_log_count(dir, "start", bad), 3, "bounded retries");
	cr_assert_eq(jqt_log_count(dir, "fail", flaky), 1);
	cr_assert_eq(jqt_log_count(dir, "done", flaky), 1, "retried and then succeeded");
	cr_assert_eq(jqt_log_count(dir, "done", after), 1);
	/* The priority 2 item ran while the failing one waited out a back-off. */
	cr_assert_lt(jqt_log_pos(dir, "done", after), jqt_log_nth(dir, "start", bad, 2),
		     "the item behind waited for the failing one's retries");
	cr_assert_eq(jqt_state(dir, bad), JQ_FAILED);
	cr_assert_eq(st.failed, 1);
	jq_db db;
	cr_assert_eq(jq_db_open(&db, dir), 0);
	jq_item it;
	cr_assert_eq(jq_get(&db, bad, &it), 0);
	cr_assert(strstr(it.last_error, "fake failure"), "%s", it.last_error);
	jq_item_close(&it);
	jq_db_close(&db);
}

Test(jq_runner, eqi_runs_only_up_to_its_priority)
{
	long long a = jqt_add(dir, 1, "A.dll", NULL);
	long long b = jqt_add(dir, 2, "B.dll", NULL);
	long long c = jqt_add(dir, 3, "C.dll", NULL);
	jq_runner_opts o;
	jqt_runner_opts(&o, dir, NULL);
	o.max_priority = 2;
	ng_diag d;
	cr_assert_eq(jq_run_to_completion(&o, NULL, &d), 0);
	cr_assert_eq(jqt_state(dir, a), JQ_DONE);
	cr_assert_eq(jqt_state(dir, b), JQ_DONE);
	cr_assert_eq(jqt_state(dir, c), JQ_QUEUED, "eqi 2 must leave priority 3 queued");
	cr_assert_eq(jqt_log_count(dir, "start", c), 0);
	o.max_priority = 3;
	cr_assert_eq(jq_run_to_completion(&o, NULL, &d), 0);
	cr_assert_eq(jqt_state(dir, c), JQ_DONE, "eqi 3 runs idle work without waiting");
}

#include <sys/resource.h>
#include <sys/syscall.h>

static int observed_nice = -100, observed_ioclass = -1;

static int observe_run(void *ctx, const char *d, const jq_item *it, jq_progress_fn progress,
		       void *pctx, const volatile int *cancel, ng_diag *diag)
{
	pid_t tid = (pid_t)syscall(SYS_gettid);
	errno = 0;
	observed_nice = getpriority(PRIO_PROCESS, (id_t)tid);
	long io = syscall(SYS_ioprio_get, 1, (int)tid);
	observed_ioclass = io < 0 ? -1 : (int)(io >> 13);
	return 0;
}

Test(jq_runner, polite_workers_run_at_low_cpu_and_io_priority)
{
	static const jq_executor observe = { observe_run, NULL };
	jqt_add(dir, 1, "A.dll", NULL);
	jq_runner_opts o;
	jqt_runner_opts(&o, dir, NULL);
	o.exec = &observe;
	o.polite = true;
	ng_diag d;
	cr_assert_eq(jq_run_to_completion(&o, NULL, &d), 0);
	cr_assert_eq(observed_nice, 19);
	cr_assert_eq(observed_ioclass, 3, "IOPRIO_CLASS_IDLE");
	/* The process itself (the loop, a foreground eqi) is not lowered. */
	cr_assert_eq(getpriority(PRIO_PROCESS, 0), 0);
}

#include "queue/jq_lock.h"

static int fg_seen = -1;

static int fg_run(void *ctx, const char *d, const jq_item *it, jq_progress_fn progress,
		  void *pctx, const volatile int *cancel, ng_diag *diag)
{
	fg_seen = jq_foreground_active(d);
	return 0;
}

Test(jq_runner, a_manual_eqi_holds_the_foreground_lock_while_it_runs)
{
	static const jq_executor ex = { fg_run, NULL };
	jqt_add(dir, 1, "A.dll", NULL);
	jq_runner_opts o;
	jqt_runner_opts(&o, dir, NULL);
	o.exec = &ex;
	o.hold_foreground = true;
	ng_diag d;
	cr_assert_eq(jq_run_to_completion(&o, NULL, &d), 0);
	cr_assert_eq(fg_seen, 1);
	cr_assert_not(jq_foreground_active(dir), "released when done");
}
