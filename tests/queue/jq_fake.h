/* tests/queue/jq_fake.h - a fake executor and idle source for the queue's
 * tests, and helpers to wait on conditions (never on fixed sleeps).
 *
 * The fake executor reads its behaviour from the item's arguments:
 *   "sleep:N"  take N ms, checking the cancel flag every 2 ms
 *   "fail"     always fail;  "failN"  fail the first N attempts
 * It writes <dir>/out/<id>.tmp, then renames it to <id>.img on success and
 * removes it on cancel or failure, so a consistent outcome has no .tmp
 * file. Every step is appended to <dir>/log as "start|done|cancel|fail ID
 * PID" (O_APPEND: atomic lines across processes). */
#ifndef TESTS_JQ_FAKE_H
#define TESTS_JQ_FAKE_H

#include "queue/jq_exec.h"
#include "queue/jq_idle.h"
#include "queue/jq_runner.h"

#include <stdbool.h>

extern const jq_executor jqt_fake_exec;

/* A temporary directory used as cache dir and fake output (heap). */
char *jqt_tmpdir(void);
void jqt_rmdir(const char *dir);
/* Idle when <dir>/idle exists; samples every 20 ms. */
jq_idle *jqt_idle_file_new(const char *dir);
void jqt_set_idle(const char *dir, bool idle);
/* Counts lines "<what> <id> " in the log; id 0: any id. */
int jqt_log_count(const char *dir, const char *what, long long id);
/* Order of the first "<what>" line of id in the log, -1 if none. */
int jqt_log_pos(const char *dir, const char *what, long long id);
/* Line number of the n-th (1-based) "<what> <id>" line, -1 if none. */
int jqt_log_nth(const char *dir, const char *what, long long id, int n);
/* Waits up to timeout_s for cond(ctx); returns cond's last value. */
bool jqt_wait(bool (*cond)(void *), void *ctx, double timeout_s);
bool jqt_wait_log(const char *dir, const char *what, long long id, int count,
		  double timeout_s);
/* Runner options for tests: fake executor, fast polling, short back-off. */
void jqt_runner_opts(jq_runner_opts *o, const char *dir, jq_idle *idle);
/* Adds an item with the given arguments; returns its id. */
long long jqt_add(const char *dir, int priority, const char *a0, const char *a1);
/* State of an item as jq_state, -1 when missing. */
int jqt_state(const char *dir, long long id);
/* Number of .tmp files left in <dir>/out. */
int jqt_tmp_files(const char *dir);
bool jqt_file_exists(const char *dir, const char *fmt, long long id);

#endif
