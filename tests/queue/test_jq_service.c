/* tests/queue/test_jq_service.c - the service as a separate process:
 * pause/continue over the socket with events, the service and several eqi
 * processes draining one queue, SIGKILL in the middle of an item, and a
 * non-administrator refused on the socket. */
#include "queue/jq_client.h"
#include "queue/jq_lock.h"
#include "queue/jq_service.h"
#include "tests/queue/jq_fake.h"

#include "base/err.h"

#include <criterion/criterion.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
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

TestSuite(jq_service, .init = setup, .fini = teardown, .timeout = 180);

static pid_t start_service(int workers)
{
	pid_t pid = fork();
	cr_assert_neq(pid, -1);
	if (pid == 0) {
		jq_service_opts o = { .cache_dir = dir };
		jq_idle *idle = jqt_idle_file_new(dir);
		jqt_runner_opts(&o.run, dir, idle);
		o.run.workers = workers;
		ng_diag d;
		int rc = jq_service_run(&o, &d);
		if (rc < 0)
			fprintf(stderr, "service: %s\n", ng_diag_text(&d));
		_exit(rc < 0 ? 1 : 0);
	}
	return pid;
}

static bool socket_ready(void *ctx)
{
	jq_client *c;
	ng_diag d;
	if (jq_client_open(dir, &c, &d) < 0)
		return false;
	jq_client_free(c);
	return true;
}

/* Waits for pid to exit; returns its status, or -1 on timeout. */
static int wait_exit(pid_t pid, double timeout_s)
{
	for (double t = 0; t < timeout_s; t += 0.01) {
		int st;
		if (waitpid(pid, &st, WNOHANG) == pid)
			return st;
		usleep(10000);
	}
	return -1;
}

/* Reads events until one of kind arrives (for id, 0: any). */
static bool wait_event(jq_client *c, jq_event_kind kind, long long id, double timeout_s)
{
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		jq_event ev;
		int rc = jq_client_read_event(c, &ev, 200);
		if (rc < 0)
			return false;
		if (rc == 1 && ev.kind == kind && (id == 0 || ev.id == id))
			return true;
		clock_gettime(CLOCK_MONOTONIC, &t1);
		if (t1.tv_sec - t0.tv_sec > timeout_s)
			return false;
	}
}

Test(jq_service, pause_and_continue_with_events_and_status)
{
	long long a = jqt_add(dir, 1, "A.dll", "sleep:400");
	pid_t svc = start_service(2);
	cr_assert(jqt_wait(socket_ready, NULL, 30), "the service did not start");
	jq_client *c;
	ng_diag d;
	cr_assert_eq(jq_client_open(dir, &c, &d), 0, "%s", ng_diag_text(&d));
	cr_assert_eq(jq_client_subscribe(c, &d), 0, "%s", ng_diag_text(&d));
	cr_assert(jqt_wait_log(dir, "start", a, 1, 30));
	cr_assert_eq(jq_client_command(dir, "pause", 0, &d), 0, "%s", ng_diag_text(&d));
	cr_assert(wait_event(c, JQ_EV_PAUSED, 0, 30), "no paused event");
	char *argv[] = { "B.dll", "sleep:10" };
	int64_t b;
	jq_submit_opts so = { .no_autostart = true };
	cr_assert_eq(jq_submit(dir, "install", 1, 2, argv, dir, &so, &b, NULL, &d), 0);
	cr_assert(wait_event(c, JQ_EV_QUEUED, b, 30), "no queued event for the new item");
	cr_assert(wait_event(c, JQ_EV_FINISHED, a, 30), "the running item should finish");
	jq_status st;
	cr_assert_eq(jq_status_get(dir, &st, &d), 0);
	cr_assert_eq(st.state, JQ_SERVICE_PAUSED);
	cr_assert_eq(st.counts.queued[1], 1);
	usleep(300 * 1000);   /* six poll periods: a paused service starts nothing */
	cr_assert_eq(jqt_log_count(dir, "start", b), 0, "B ran while paused");
	cr_assert_eq(jq_client_command(dir, "continue", 0, &d), 0);
	cr_assert(wait_event(c, JQ_EV_CONTINUED, 0, 30));
	cr_assert(wait_event(c, JQ_EV_FINISHED, b, 30), "B did not run after continue");
	cr_assert(wait_event(c, JQ_EV_STOPPING, 0, 30), "the service should exit when empty");
	jq_client_free(c);
	int status = wait_exit(svc, 30);
	cr_assert(status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0);
	cr_assert_eq(jq_status_get(dir, &st, &d), 0);
	cr_assert_eq(st.state, JQ_SERVICE_STOPPED);
}

static pid_t start_eqi(void)
{
	pid_t pid = fork();
	cr_assert_neq(pid, -1);
	if (pid == 0) {
		jq_runner_opts o;
		jqt_runner_opts(&o, dir, NULL);
		o.workers = 1;
		ng_diag d;
		_exit(jq_run_to_completion(&o, NULL, &d) < 0 ? 1 : 0);
	}
	return pid;
}

Test(jq_service, service_and_eqi_processes_run_every_item_exactly_once)
{
	enum { N = 60 };
	long long ids[N];
	for (int i = 0; i < N; i++) {
		char name[32];
		snprintf(name, sizeof name, "A%d.dll", i);
		ids[i] = jqt_add(dir, 1 + i % 3, name, "sleep:15");
	}
	jqt_set_idle(dir, true);
	pid_t pids[4];
	pids[0] = start_service(2);
	for (int i = 1; i < 4; i++)
		pids[i] = start_eqi();
	for (int i = 0; i < 4; i++) {
		int st = wait_exit(pids[i], 120);
		cr_assert(st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0, "process %d", i);
	}
	int by_service = 0;
	for (int i = 0; i < N; i++) {
		cr_assert_eq(jqt_log_count(dir, "start", ids[i]), 1, "item %lld", ids[i]);
		cr_assert_eq(jqt_log_count(dir, "done", ids[i]), 1, "item %lld", ids[i]);
		cr_assert_eq(jqt_state(dir, ids[i]), JQ_DONE);
	}
	/* Both kinds of process did work (the log names the pid). */
	char path[512], line[128];
	snprintf(path, sizeof path, "%s/log", dir);
	FILE *f = fopen(path, "r");
	while (fgets(line, sizeof line, f)) {
		long long id;
		int pid;
		char w[16];
		if (sscanf(line, "%15s %lld %d", w, &id, &pid) == 3 && pid == pids[0])
			by_service++;
	}
	fclose(f);
	cr_assert_gt(by_service, 0, "the service ran nothing");
	cr_assert_lt(by_service, 2 * N, "the eqi processes ran nothing");
}

Test(jq_service, sigkill_in_the_middle_of_an_item_then_restart_finishes)
{
	enum { N = 6 };
	long long ids[N];
	for (int i = 0; i < N; i++) {
		char name[32];
		snprintf(name, sizeof name, "K%d.dll", i);
		ids[i] = jqt_add(dir, 1, name, "sleep:300");
	}
	pid_t svc = start_service(2);
	cr_assert(jqt_wait_log(dir, "start", 0, 1, 30));
	kill(svc, SIGKILL);
	int st = wait_exit(svc, 30);
	cr_assert(WIFSIGNALED(st));
	cr_assert_gt(jqt_tmp_files(dir), 0, "the killed run left its temporary output");
	/* Nothing finished yet is lost: the killed items are still claimed by
	 * a dead owner, and the next service takes them back. */
	svc = start_service(2);
	st = wait_exit(svc, 120);
	cr_assert(st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	for (int i = 0; i < N; i++) {
		cr_assert_eq(jqt_log_count(dir, "done", ids[i]), 1, "item %lld", ids[i]);
		cr_assert_eq(jqt_state(dir, ids[i]), JQ_DONE);
		cr_assert(jqt_file_exists(dir, "%lld.img", ids[i]));
	}
	cr_assert_eq(jqt_tmp_files(dir), 0, "a half-written output stayed behind");
	int restarted = 0;
	for (int i = 0; i < N; i++)
		restarted += jqt_log_count(dir, "start", ids[i]) == 2;
	cr_assert_geq(restarted, 1);
	cr_assert_leq(restarted, 2, "only the items running at the kill run again");
}

Test(jq_service, a_second_service_for_the_same_cache_is_refused)
{
	jqt_add(dir, 1, "A.dll", "sleep:2000");
	pid_t svc = start_service(1);
	cr_assert(jqt_wait(socket_ready, NULL, 30));
	jq_service_opts o = { .cache_dir = dir };
	jqt_runner_opts(&o.run, dir, NULL);
	ng_diag d;
	cr_assert_eq(jq_service_run(&o, &d), NG_ERR_BUSY);
	cr_assert(strstr(ng_diag_text(&d), "already runs"), "%s", ng_diag_text(&d));
	cr_assert_eq(jq_client_command(dir, "stop", 0, &d), 0);
	int st = wait_exit(svc, 30);
	cr_assert(st >= 0 && WIFEXITED(st));
	/* Stopped on request: the running item went back to the queue. */
	cr_assert_eq(jqt_state(dir, 1), JQ_QUEUED);
}

static int connect_as_nobody(void)
{
	pid_t pid = fork();
	if (pid == 0) {
		if (setgid(65534) < 0 || setuid(65534) < 0)
			_exit(10);
		jq_client *c;
		ng_diag d;
		int rc = jq_client_open(dir, &c, &d);
		if (rc == 0) {
			rc = jq_client_call(c, "{\"cmd\":\"pause\"}", 10000, NULL, &d);
			jq_client_free(c);
		}
		_exit(rc == 0 ? 0 : rc == NG_ERR_PERM ? 20 : 30);
	}
	int st;
	waitpid(pid, &st, 0);
	return WEXITSTATUS(st);
}

Test(jq_service, non_administrator_is_refused_on_the_socket)
{
	if (geteuid() != 0)
		cr_skip_test("needs root to become another user");
	jqt_add(dir, 1, "A.dll", "sleep:3000");
	chmod(dir, 0755);
	pid_t svc = start_service(1);
	cr_assert(jqt_wait(socket_ready, NULL, 30));
	cr_assert_eq(connect_as_nobody(), 20, "the socket mode must keep others out");
	/* Even with the file opened to everyone, the peer's uid is checked. */
	char *sock = jq_service_socket_path(dir);
	cr_assert_eq(chmod(sock, 0666), 0);
	free(sock);
	cr_assert_eq(connect_as_nobody(), 20, "SO_PEERCRED check let another user in");
	bool paused = true;
	jq_db db;
	cr_assert_eq(jq_db_open(&db, dir), 0);
	cr_assert_eq(jq_is_paused(&db, &paused), 0);
	cr_assert_not(paused, "the refused request must have had no effect");
	jq_db_close(&db);
	ng_diag d;
	cr_assert_eq(jq_client_command(dir, "stop", 0, &d), 0, "%s", ng_diag_text(&d));
	cr_assert_geq(wait_exit(svc, 30), 0);
}

/* A "manual command": a process holding the foreground lock until killed
 * (a lock taken in this process would be inherited by the forked service). */
static pid_t hold_foreground(void)
{
	int p[2];
	cr_assert_eq(pipe(p), 0);
	pid_t pid = fork();
	if (pid == 0) {
		int fg;
		if (jq_foreground_enter(dir, &fg) < 0)
			_exit(1);
		if (write(p[1], "x", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	char c;
	cr_assert_eq(read(p[0], &c, 1), 1);
	close(p[0]);
	close(p[1]);
	return pid;
}

static void release_foreground(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

Test(jq_service, manual_commands_take_precedence_over_the_service)
{
	long long a = jqt_add(dir, 1, "A.dll", "sleep:200");
	long long b = jqt_add(dir, 1, "B.dll", "sleep:10");
	pid_t fg = hold_foreground();
	cr_assert(jq_foreground_active(dir));
	pid_t svc = start_service(1);
	cr_assert(jqt_wait(socket_ready, NULL, 30));
	usleep(400 * 1000);   /* eight poll periods */
	cr_assert_eq(jqt_log_count(dir, "start", 0), 0, "the service worked during a manual command");
	release_foreground(fg);
	cr_assert(jqt_wait_log(dir, "start", a, 1, 30), "the service did not resume");
	/* A manual command that begins while an item runs lets it finish but
	 * holds back the next one. */
	fg = hold_foreground();
	cr_assert(jqt_wait_log(dir, "done", a, 1, 30));
	usleep(300 * 1000);
	cr_assert_eq(jqt_log_count(dir, "start", b), 0, "a new item started during a manual command");
	release_foreground(fg);
	cr_assert(jqt_wait_log(dir, "done", b, 1, 30));
	int st = wait_exit(svc, 30);
	cr_assert(st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0);
}
