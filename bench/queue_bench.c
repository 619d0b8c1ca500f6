/* bench/queue_bench.c - figures for bench/queue.sh (not part of the build).
 *
 *   queue_bench parallel cpu MS      8 independent items, each a CPU-bound
 *                                    fake compile of about MS ms, through
 *                                    the queue with 1 and then 2 workers
 *   queue_bench parallel engine A..  8 installs (/NoDependencies) of the
 *                                    given assemblies through the engine
 *                                    (real compiler unless NGEN_FAKE_COMPILER)
 *   queue_bench dispatch N           N trivial items: cost to add, and
 *                                    dispatch overhead per item (claim,
 *                                    worker hand-off, finish, events) */
#include "base/diag.h"
#include "base/xmalloc.h"
#include "queue/jq.h"
#include "queue/jq_exec.h"
#include "queue/jq_runner.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static double cpu_ms;

static volatile uint64_t sink;

/* Burns about cpu_ms of this thread's CPU time (integer hashing, no locks,
 * no memory traffic), checking cancel. */
static int cpu_run(void *ctx, const char *dir, const jq_item *it, jq_progress_fn progress,
		   void *pctx, const volatile int *cancel, ng_diag *d)
{
	uint64_t x = (uint64_t)it->id;
	struct timespec t0, t1;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
	for (;;) {
		for (int i = 0; i < 1000000; i++)
			x = x * 6364136223846793005ull + 1442695040888963407ull;
		sink = x;
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t1);
		double ms = (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
		if (ms >= cpu_ms || *cancel)
			break;
	}
	return *cancel ? -1 : 0;
}

static int nop_run(void *ctx, const char *dir, const jq_item *it, jq_progress_fn progress,
		   void *pctx, const volatile int *cancel, ng_diag *d)
{
	return 0;
}

static const jq_executor cpu_exec = { cpu_run, NULL };
static const jq_executor nop_exec = { nop_run, NULL };

static char *fresh_cache(void)
{
	char *t = xstrdup("/tmp/ngen-qbench-XXXXXX");
	if (!mkdtemp(t))
		abort();
	return t;
}

static void rm_cache(char *dir)
{
	char *cmd = xasprintf("rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
	free(cmd);
	free(dir);
}

static void print_failures(const char *dir)
{
	jq_db db;
	jq_item *items;
	int n;
	if (jq_db_open(&db, dir) < 0 || jq_list(&db, JQ_FAILED, &items, &n) < 0)
		return;
	for (int i = 0; i < n; i++)
		fprintf(stderr, "  item %lld: %s\n", (long long)items[i].id,
			items[i].last_error ? items[i].last_error : "?");
	jq_items_free(items, n);
	jq_db_close(&db);
}

/* A retried item waits the retry backoff (30 s) before it runs again: it
 * would show only as a slow run, so the failure is printed. */
static void on_event(void *ctx, const jq_event *ev)
{
	if (ev->kind == JQ_EV_RETRY || ev->kind == JQ_EV_FAILED)
		fprintf(stderr, "queue bench: item %lld %s: %s\n", (long long)ev->id,
			ev->kind == JQ_EV_RETRY ? "failed, retried after the backoff" : "failed",
			ev->text);
}

static double run_items(const jq_executor *ex, int workers, int n, char **names, bool nodeps)
{
	char *dir = fresh_cache();
	jq_db db;
	if (jq_db_open(&db, dir) < 0)
		abort();
	for (int i = 0; i < n; i++) {
		char num[32];
		snprintf(num, sizeof num, "Item%d.dll", i);
		char *argv[] = { names ? names[i % 8] : num, "/NoDependencies" };
		if (jq_add(&db, "install", 1, nodeps ? 2 : 1, argv, "/", NULL, NULL, NULL) < 0)
			abort();
	}
	jq_db_close(&db);
	jq_runner_opts o = { .cache_dir = dir, .workers = workers, .exec = ex, .poll_s = 1,
			     .on_event = on_event };
	jq_run_stats st = { 0 };
	ng_diag d = { 0 };
	double t0 = now();
	if (jq_run_to_completion(&o, &st, &d) < 0 || st.finished != n) {
		fprintf(stderr, "run failed: %s (%d of %d finished)\n", ng_diag_text(&d),
			st.finished, n);
		print_failures(dir);
		exit(1);
	}
	double t = now() - t0;
	rm_cache(dir);
	return t;
}

/* The same 8 CPU-bound units on plain threads, no queue: 1 thread, then
 * 2 threads with 4 each. Its ratio is what this machine allows right now
 * (other processes share the cores), the ceiling for the queue's ratio. */
static void *burn4(void *p)
{
	jq_item it = { .id = 1 };
	for (int i = 0; i < 4; i++)
		cpu_run(NULL, NULL, &it, NULL, NULL, &(volatile int){ 0 }, NULL);
	return p;
}

static void c_baseline(void)
{
	double t0 = now();
	burn4(NULL);
	burn4(NULL);
	double t1 = now();
	pthread_t a, b;
	pthread_create(&a, NULL, burn4, NULL);
	pthread_create(&b, NULL, burn4, NULL);
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	double t2 = now();
	printf("C baseline, same 8 units on plain threads: 1 thread %.2f s, 2 threads %.2f s,"
	       " ratio %.2f (the machine's ceiling now)\n", t1 - t0, t2 - t1, (t2 - t1) / (t1 - t0));
}

static void parallel(const jq_executor *ex, char **names, const char *what)
{
	double t1 = run_items(ex, 1, 8, names, names != NULL);
	double t2 = run_items(ex, 2, 8, names, names != NULL);
	printf("queue: 8 independent installs (%s): 1 worker %.2f s, 2 workers %.2f s,"
	       " ratio %.2f (target <= 0.60) %s\n", what, t1, t2, t2 / t1,
	       t2 / t1 <= 0.60 ? "PASS" : "FAIL");
}

static void dispatch(int n)
{
	char *dir = fresh_cache();
	jq_db db;
	if (jq_db_open(&db, dir) < 0)
		abort();
	double t0 = now();
	for (int i = 0; i < n; i++) {
		char num[32];
		snprintf(num, sizeof num, "Item%d.dll", i);
		char *argv[] = { num };
		if (jq_add(&db, "install", 1 + i % 2, 1, argv, "/", NULL, NULL, NULL) < 0)
			abort();
	}
	double add = now() - t0;
	jq_db_close(&db);
	jq_runner_opts o = { .cache_dir = dir, .workers = 2, .exec = &nop_exec, .poll_s = 1 };
	jq_run_stats st;
	ng_diag d;
	t0 = now();
	if (jq_run_to_completion(&o, &st, &d) < 0 || st.finished != n) {
		fprintf(stderr, "dispatch run failed: %s\n", ng_diag_text(&d));
		exit(1);
	}
	double run = now() - t0;
	printf("queue: %d trivial items: add %.1f us/item (one transaction each),"
	       " dispatch overhead %.1f us/item (claim + hand-off + finish, 2 workers),"
	       " %.0f items/s\n", n, add / n * 1e6, run / n * 1e6, n / run);
	rm_cache(dir);
}

int main(int argc, char **argv)
{
	if (argc >= 4 && strcmp(argv[1], "parallel") == 0 && strcmp(argv[2], "cpu") == 0) {
		cpu_ms = atof(argv[3]);
		char what[96];
		snprintf(what, sizeof what, "fake CPU-bound compile of %.0f ms each", cpu_ms);
		parallel(&cpu_exec, NULL, what);
		c_baseline();
		return 0;
	}
	if (argc >= 11 && strcmp(argv[1], "parallel") == 0 && strcmp(argv[2], "engine") == 0) {
		parallel(jq_executor_engine(), argv + 3, getenv("NGEN_FAKE_COMPILER")
			 ? "engine, fake compiler" : "engine, real compiler, /NoDependencies");
		return 0;
	}
	if (argc >= 3 && strcmp(argv[1], "dispatch") == 0) {
		dispatch(atoi(argv[2]));
		return 0;
	}
	fprintf(stderr, "usage: queue_bench parallel cpu MS | parallel engine A1..A8 |"
		" dispatch N\n");
	return 2;
}
