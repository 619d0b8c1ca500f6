/* tests/queue/test_jq.c - the persistent queue: identity of requests,
 * claim order, retries, reclaiming the items of a dead owner. */
#include "queue/jq.h"
#include "queue/jq_client.h"
#include "tests/queue/jq_fake.h"

#include "base/err.h"

#include <criterion/criterion.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char *dir;
static jq_db db;

static void setup(void)
{
	dir = jqt_tmpdir();
	cr_assert_eq(jq_db_open(&db, dir), 0, "%s", ng_diag_text(&db.diag));
	db.policy.backoff_s = 0.05;
}

static void teardown(void)
{
	jq_db_close(&db);
	jqt_rmdir(dir);
	free(dir);
}

static int64_t add(int prio, const char *arg, bool *created)
{
	char *argv[] = { (char *)arg, "/Debug" };
	int64_t id = 0;
	cr_assert_eq(jq_add(&db, "install", prio, 2, argv, dir, NULL, &id, created), 0, "%s",
		     ng_diag_text(&db.diag));
	return id;
}

static int64_t claim(int maxp, bool idle)
{
	jq_filter f = { maxp, idle };
	jq_item it;
	int rc = jq_claim(&db, &f, &it);
	cr_assert(rc >= 0, "%s", ng_diag_text(&db.diag));
	if (rc == 1)
		return 0;
	int64_t id = it.id;
	jq_item_close(&it);
	return id;
}

TestSuite(jq, .init = setup, .fini = teardown);

Test(jq, items_keep_their_exact_arguments)
{
	char *argv[] = { "App.exe", "/ExeConfig:app.exe", "/Profile", "/queue:2" };
	int64_t id;
	cr_assert_eq(jq_submit(dir, "install", 2, 4, argv, "/tmp", &(jq_submit_opts){ .no_autostart = true },
			       &id, NULL, NULL), 0);
	jq_item it;
	cr_assert_eq(jq_get(&db, id, &it), 0);
	cr_assert_eq(it.argc, 3, "the /queue option is the priority, not an argument");
	cr_assert_str_eq(it.argv[0], "App.exe");
	cr_assert_str_eq(it.argv[1], "/ExeConfig:app.exe");
	cr_assert_str_eq(it.argv[2], "/Profile");
	cr_assert_str_eq(it.cwd, "/tmp");
	cr_assert_eq(it.priority, 2);
	cr_assert_str_eq(it.kind, "install");
	jq_item_close(&it);
}

Test(jq, duplicate_request_makes_no_second_item)
{
	bool created;
	int64_t a = add(3, "A.dll", &created);
	cr_assert(created);
	int64_t b = add(3, "A.dll", &created);
	cr_assert_not(created);
	cr_assert_eq(a, b);
	/* Option names are case-insensitive. */
	char *lower[] = { "A.dll", "/debug" };
	int64_t l;
	cr_assert_eq(jq_add(&db, "install", 3, 2, lower, dir, NULL, &l, &created), 0);
	cr_assert_not(created);
	cr_assert_eq(l, a);
	/* The same file named by an absolute path is the same request. */
	char *abs = NULL;
	cr_assert(asprintf(&abs, "%s/A.dll", dir) > 0);
	FILE *f = fopen(abs, "w");
	fclose(f);
	int64_t c = add(3, "A.dll", &created);   /* now A.dll exists: key uses realpath */
	int64_t d2 = add(3, abs, &created);
	cr_assert_eq(c, d2, "relative and absolute names of one file are one request");
	free(abs);
	/* A more urgent identical request raises the pending one. */
	int64_t e = add(1, "B.dll", &created);
	add(3, "B.dll", &created);
	jq_item it;
	cr_assert_eq(jq_get(&db, e, &it), 0);
	cr_assert_eq(it.priority, 1);
	jq_item_close(&it);
	add(2, "C.dll", &created);
	int64_t c2 = add(1, "C.dll", &created);
	cr_assert_not(created);
	cr_assert_eq(jq_get(&db, c2, &it), 0);
	cr_assert_eq(it.priority, 1);
	jq_item_close(&it);
	/* Once done, the same request may be queued again. */
	jq_counts cnt;
	cr_assert_eq(jq_count(&db, &cnt), 0);
	cr_assert_eq(cnt.queued[1] + cnt.queued[2] + cnt.queued[3], 4);
}

Test(jq, priority_2_waits_for_every_priority_1_and_3_for_idle)
{
	int64_t p3 = add(3, "C.dll", NULL);
	int64_t p2 = add(2, "B.dll", NULL);
	int64_t p1a = add(1, "A1.dll", NULL);
	int64_t p1b = add(1, "A2.dll", NULL);
	cr_assert_eq(claim(3, true), p1a);
	cr_assert_eq(claim(3, true), p1b);
	cr_assert_eq(claim(3, true), 0, "priority 2 must wait while priority 1 runs");
	cr_assert_eq(jq_finish(&db, p1a), 0);
	cr_assert_eq(claim(3, true), 0, "one priority 1 item still runs");
	cr_assert_eq(jq_finish(&db, p1b), 0);
	cr_assert_eq(claim(3, false), p2);
	cr_assert_eq(jq_finish(&db, p2), 0);
	cr_assert_eq(claim(3, false), 0, "priority 3 waits for idle time");
	cr_assert_eq(claim(2, true), 0, "eqi 2 leaves priority 3 alone");
	cr_assert_eq(claim(3, true), p3);
}

Test(jq, failing_item_is_retried_with_backoff_then_failed)
{
	int64_t id = add(1, "A.dll", NULL);
	int64_t other = add(2, "B.dll", NULL);
	bool final = true;
	cr_assert_eq(claim(3, true), id);
	cr_assert_eq(jq_fail(&db, id, "boom 1", &final), 0);
	cr_assert_not(final);
	/* During the back-off the failing item does not block the one behind it. */
	cr_assert_eq(claim(3, true), other);
	cr_assert_eq(jq_finish(&db, other), 0);
	usleep(60 * 1000);
	cr_assert_eq(claim(3, true), id);
	cr_assert_eq(jq_fail(&db, id, "boom 2", &final), 0);
	cr_assert_not(final);
	cr_assert_eq(claim(3, true), 0, "the second back-off is twice as long");
	usleep(110 * 1000);
	cr_assert_eq(claim(3, true), id);
	cr_assert_eq(jq_fail(&db, id, "boom 3", &final), 0);
	cr_assert(final);
	jq_item it;
	cr_assert_eq(jq_get(&db, id, &it), 0);
	cr_assert_eq(it.state, JQ_FAILED);
	cr_assert_eq(it.attempts, 3);
	cr_assert_str_eq(it.last_error, "boom 3");
	jq_item_close(&it);
	cr_assert_eq(claim(3, true), 0);
}

Test(jq, items_of_a_dead_owner_go_back_to_the_queue)
{
	int64_t id = add(1, "A.dll", NULL);
	pid_t pid = fork();
	if (pid == 0) {
		jq_db child;
		if (jq_db_open(&child, dir) < 0)
			_exit(2);
		jq_filter f = { 3, true };
		jq_item it;
		_exit(jq_claim(&child, &f, &it) == 0 && it.id == id ? 0 : 1);
	}
	int st;
	waitpid(pid, &st, 0);
	cr_assert_eq(WEXITSTATUS(st), 0);
	cr_assert_eq(jqt_state(dir, id), JQ_RUNNING);
	cr_assert_eq(claim(3, true), 0);
	int n = 0;
	cr_assert_eq(jq_reclaim(&db, &n), 0);
	cr_assert_eq(n, 1);
	jq_item it;
	cr_assert_eq(jq_get(&db, id, &it), 0);
	cr_assert_eq(it.state, JQ_QUEUED);
	cr_assert_eq(it.attempts, 1, "the interrupted run counts");
	cr_assert(it.last_error && strstr(it.last_error, "died"), "%s", it.last_error);
	jq_item_close(&it);
	cr_assert_eq(claim(3, true), id);
	/* Our own claims are never reclaimed. */
	cr_assert_eq(jq_reclaim(&db, &n), 0);
	cr_assert_eq(n, 0);
}

Test(jq, an_item_that_keeps_killing_its_runner_is_failed_in_the_end)
{
	int64_t id = add(1, "Crash.dll", NULL);
	for (int round = 0; round < db.policy.max_attempts; round++) {
		pid_t pid = fork();
		if (pid == 0) {
			jq_db child;
			jq_filter f = { 3, true };
			jq_item it;
			if (jq_db_open(&child, dir) < 0 || jq_claim(&child, &f, &it) != 0)
				_exit(1);
			raise(SIGKILL);   /* the compiler crashed the process */
		}
		int st;
		waitpid(pid, &st, 0);
		cr_assert(WIFSIGNALED(st), "round %d", round);
		cr_assert_eq(jq_reclaim(&db, NULL), 0);
	}
	jq_item it;
	cr_assert_eq(jq_get(&db, id, &it), 0);
	cr_assert_eq(it.state, JQ_FAILED);
	cr_assert_eq(it.attempts, db.policy.max_attempts);
	jq_item_close(&it);
	cr_assert_eq(claim(3, true), 0);
}

Test(jq, bad_requests_are_refused)
{
	char *argv[] = { "A.dll" };
	cr_assert_eq(jq_add(&db, "install", 4, 1, argv, dir, NULL, NULL, NULL), NG_ERR_RANGE);
	cr_assert(strstr(ng_diag_text(&db.diag), "priority 4"));
	int p;
	cr_assert_eq(jq_parse_queue_option("/queue:7", &p), NG_ERR_USAGE);
	cr_assert_eq(jq_parse_queue_option("/Queue:2", &p), 1);
	cr_assert_eq(p, 2);
	cr_assert_eq(jq_parse_queue_option("--queue", &p), 1);
	cr_assert_eq(p, 3);
	cr_assert_eq(jq_parse_queue_option("/queuex", &p), 0);
	char *bad[] = { "A.dll", "/queue:9" };
	ng_diag d;
	cr_assert_eq(jq_submit(dir, "install", 3, 2, bad, NULL, NULL, NULL, NULL, &d), NG_ERR_USAGE);
	jq_db ro;
	cr_assert_lt(jq_db_open(&ro, "/proc/no/such/dir"), 0);
	cr_assert(strstr(ng_diag_text(&ro.diag), "/proc/no/such/dir"));
}
