/* tests/queue/test_jq_cli.c - the real `ngen` program (from NGEN_BUILD)
 * end to end, with the engine's fake compiler: a /queue request starts
 * the service by itself and the service exits when done; eqi runs idle
 * work in the foreground; queue pause/continue/status in Ngen's words;
 * bad command lines are refused. */
#include "queue/jq_client.h"
#include "queue/jq_lock.h"
#include "tests/queue/jq_fake.h"

#include "base/xmalloc.h"

#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char *dir, *ngen;
static const char *xml = "/usr/lib/mono/4.5/System.Xml.dll";
static const char *data = "/usr/lib/mono/4.5/System.Data.dll";

static void setup(void)
{
	const char *b = getenv("NGEN_BUILD");
	ngen = xasprintf("%s/ngen", b && *b ? b : "build");
	char real[4096];
	if (realpath(ngen, real)) {
		free(ngen);
		ngen = xstrdup(real);
	}
	setenv("NGEN_FAKE_COMPILER", "1", 1);
	setenv("NGEN_FAKE_COMPILER_DELAY_MS", "100", 1);
	setenv("NGEN_BIN", ngen, 1);
	dir = jqt_tmpdir();
}

static void teardown(void)
{
	int pid = 0;
	if (jq_service_running(dir, &pid) && pid > 0) {
		ng_diag d;
		jq_client_command(dir, "stop", 0, &d);
	}
	jqt_rmdir(dir);
	free(dir);
	free(ngen);
}

TestSuite(jq_cli, .init = setup, .fini = teardown, .timeout = 180);

/* Runs ngen with args; returns the exit code, output in *out (heap). */
static int run(char **out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int run(char **out, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *args;
	cr_assert(vasprintf(&args, fmt, ap) > 0);
	va_end(ap);
	char *cmd = xasprintf("'%s' --cache '%s' /nologo %s 2>&1", ngen, dir, args);
	FILE *p = popen(cmd, "r");
	cr_assert(p);
	char buf[4096];
	size_t n = fread(buf, 1, sizeof buf - 1, p);
	buf[n] = '\0';
	int st = pclose(p);
	if (out)
		*out = xstrdup(buf);
	free(cmd);
	free(args);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static bool queue_drained(void *ctx)
{
	jq_status st;
	ng_diag d;
	if (jq_status_get(dir, &st, &d) < 0)
		return false;
	const jq_counts *c = &st.counts;
	return st.state == JQ_SERVICE_STOPPED &&
	       c->queued[1] + c->queued[2] + c->queued[3] +
	       c->running[1] + c->running[2] + c->running[3] == 0;
}

Test(jq_cli, queue_request_starts_the_service_which_exits_when_done)
{
	if (access(ngen, X_OK) != 0 || access(xml, R_OK) != 0)
		cr_skip_test("needs %s and Mono's assemblies", ngen);
	char *out;
	cr_assert_eq(run(&out, "install %s /queue:1", xml), 0, "%s", out);
	cr_assert(strstr(out, "Queued"), "%s", out);
	free(out);
	cr_assert_eq(run(&out, "install %s /queue:2", data), 0, "%s", out);
	free(out);
	cr_assert(jqt_wait(queue_drained, NULL, 120), "the service did not finish and exit");
	cr_assert_eq(run(&out, "display"), 0, "%s", out);
	cr_assert(strstr(out, "System.Xml") && strstr(out, "System.Data"), "%s", out);
	free(out);
	cr_assert_eq(run(&out, "queue status"), 0);
	cr_assert(strstr(out, "The native image service is stopped."), "%s", out);
	free(out);
}

Test(jq_cli, eqi_runs_idle_work_in_the_foreground_and_returns_when_done)
{
	if (access(ngen, X_OK) != 0 || access(xml, R_OK) != 0)
		cr_skip_test("needs %s and Mono's assemblies", ngen);
	char *out;
	/* Idle work: the service that starts waits for idle time (two minutes
	 * of a quiet machine by default), so only eqi can run it now. */
	cr_assert_eq(run(&out, "install %s /queue:3", xml), 0, "%s", out);
	free(out);
	cr_assert_eq(run(&out, "eqi 2"), 0, "%s", out);
	free(out);
	jq_status st;
	ng_diag d;
	cr_assert_eq(jq_status_get(dir, &st, &d), 0);
	cr_assert_eq(st.counts.queued[3], 1, "eqi 2 must not run priority 3");
	cr_assert_eq(run(&out, "executeQueuedItems"), 0, "%s", out);
	cr_assert(strstr(out, "1 finished"), "%s", out);
	free(out);
	cr_assert(jqt_wait(queue_drained, NULL, 60), "the service should exit once eqi emptied the queue");
	cr_assert_eq(run(&out, "display"), 0, "%s", out);
	cr_assert(strstr(out, "System.Xml"), "%s", out);
	free(out);
}

Test(jq_cli, pause_continue_and_bad_command_lines)
{
	if (access(ngen, X_OK) != 0)
		cr_skip_test("needs %s", ngen);
	char *out;
	cr_assert_eq(run(&out, "queue pause"), 0, "%s", out);
	cr_assert(strstr(out, "The native image service is paused."), "%s", out);
	free(out);
	cr_assert_eq(run(&out, "queue status"), 0);
	cr_assert(strstr(out, "paused"), "%s", out);
	free(out);
	cr_assert_eq(run(&out, "queue continue"), 0);
	cr_assert(strstr(out, "The native image service has continued."), "%s", out);
	free(out);
	cr_assert_eq(run(&out, "queue"), 2);
	free(out);
	cr_assert_eq(run(&out, "queue restart"), 2);
	cr_assert(strstr(out, "restart"), "%s", out);
	free(out);
	cr_assert_eq(run(&out, "eqi 4"), 2);
	free(out);
	cr_assert_eq(run(&out, "task /Bogus"), 2);
	free(out);
	cr_assert_eq(run(&out, "service /workers:0"), 2);
	free(out);
}

static bool job_running(void *ctx)
{
	jq_status st;
	ng_diag d;
	return jq_status_get(dir, &st, &d) == 0 && st.njobs > 0 && st.state != JQ_SERVICE_STOPPED;
}

Test(jq_cli, service_killed_mid_install_then_eqi_finishes_with_a_consistent_cache)
{
	if (access(ngen, X_OK) != 0 || access(xml, R_OK) != 0)
		cr_skip_test("needs %s and Mono's assemblies", ngen);
	setenv("NGEN_FAKE_COMPILER_DELAY_MS", "700", 1);
	char *out;
	cr_assert_eq(run(&out, "install %s /queue:1", xml), 0, "%s", out);
	free(out);
	cr_assert(jqt_wait(job_running, NULL, 60), "the service never started the item");
	int pid = 0;
	cr_assert(jq_service_running(dir, &pid) && pid > 0);
	cr_assert_eq(kill(pid, SIGKILL), 0);
	for (int i = 0; i < 3000 && jq_service_running(dir, NULL); i++)
		usleep(10000);
	cr_assert_not(jq_service_running(dir, NULL));
	/* The item is still claimed by the dead service; eqi takes it back. */
	setenv("NGEN_FAKE_COMPILER_DELAY_MS", "10", 1);
	cr_assert_eq(run(&out, "eqi"), 0, "%s", out);
	cr_assert(strstr(out, "1 finished"), "%s", out);
	free(out);
	cr_assert_eq(run(&out, "verify"), 0, "verify after the kill: %s", out);
	free(out);
	cr_assert_eq(run(&out, "display"), 0, "%s", out);
	cr_assert(strstr(out, "System.Xml"), "%s", out);
	free(out);
}

Test(jq_cli, non_administrator_may_read_the_status_but_not_control_the_queue)
{
	if (access(ngen, X_OK) != 0 || geteuid() != 0 || system("command -v setpriv >/dev/null") != 0)
		cr_skip_test("needs root, setpriv and %s", ngen);
	char *out;
	chmod(dir, 0755);
	cr_assert_eq(run(&out, "queue pause"), 0, "%s", out);
	free(out);
	char *cmd = xasprintf("setpriv --reuid=65534 --regid=65534 --clear-groups '%s' --cache '%s'"
			      " /nologo", ngen, dir);
	char *full = xasprintf("%s queue status 2>&1", cmd);
	FILE *p = popen(full, "r");
	char buf[2048];
	size_t n = fread(buf, 1, sizeof buf - 1, p);
	buf[n] = '\0';
	cr_assert_eq(WEXITSTATUS(pclose(p)), 0, "%s", buf);
	cr_assert(strstr(buf, "paused"), "%s", buf);
	free(full);
	full = xasprintf("%s queue continue >/dev/null 2>&1", cmd);
	cr_assert_eq(WEXITSTATUS(system(full)), 4, "exit code 4: administrative rights are needed");
	free(full);
	full = xasprintf("%s eqi >/dev/null 2>&1", cmd);
	cr_assert_eq(WEXITSTATUS(system(full)), 4);
	free(full);
	free(cmd);
	cr_assert_eq(run(&out, "queue status"), 0);
	cr_assert(strstr(out, "paused"), "the refused continue changed nothing: %s", out);
	free(out);
}
