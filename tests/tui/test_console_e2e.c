/* tests/tui/test_console_e2e.c - the real `ngen` console driven in tmux.
 *
 * Each test makes its own cache (with the engine's fast fake compiler,
 * NGEN_FAKE_COMPILER=1, so installs take milliseconds), starts the console
 * in a tmux server of its own (-L, 100x30), types keys with send-keys and
 * polls capture-pane until the expected text appears (30 s at most), the
 * way tig's and htop's terminal tests do. Skipped when tmux is missing. */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct e2e {
	char dir[64];       /* work directory: cache/, app/ */
	char sock[64];      /* tmux server name */
	char ngen[1024];    /* absolute path of the binary */
	char screen[16384]; /* last capture */
} e2e;

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	return system(cmd);
}

/* Ends the console and a service the test started, and removes the files.
 * What to clean is kept in static storage too, so the suite's .fini
 * cleans up after a failed assertion (which leaves the test early). */
static e2e pending;

static void cleanup(e2e *t)
{
	if (!t->dir[0])
		return;
	sh("tmux -L %s kill-server >/dev/null 2>&1", t->sock);
	sh("pid=$(%s queue status --cache %s/cache 2>/dev/null | sed -n 's/.*(pid \\([0-9]*\\).*/\\1/p');"
	   " [ -n \"$pid\" ] && kill $pid; true", t->ngen, t->dir);
	sh("rm -rf %s", t->dir);
	t->dir[0] = 0;
}

static void e2e_close(e2e *t)
{
	cleanup(t);
	pending.dir[0] = 0;
}

static void e2e_fini(void)
{
	cleanup(&pending);
}

TestSuite(console_e2e, .fini = e2e_fini);

static void e2e_open(e2e *t)
{
	if (sh("command -v tmux >/dev/null 2>&1") != 0)
		cr_skip_test("tmux is not installed");
	memset(t, 0, sizeof *t);
	const char *b = getenv("NGEN_BUILD");
	char *abs = realpath(b ? b : "build", NULL);
	cr_assert(abs, "no build directory");
	snprintf(t->ngen, sizeof t->ngen, "%s/ngen", abs);
	free(abs);
	cr_assert_eq(access(t->ngen, X_OK), 0, "%s is missing; run make", t->ngen);
	snprintf(t->dir, sizeof t->dir, "/tmp/ngen-e2e-XXXXXX");
	cr_assert(mkdtemp(t->dir));
	snprintf(t->sock, sizeof t->sock, "ngen-e2e-%d", (int)getpid());
	pending = *t;
	cr_assert_eq(sh("mkdir -p %s/app && cp /usr/lib/mono/4.5/ikdasm.exe %s/app/", t->dir, t->dir), 0);
}


/* Runs a batch action on the test cache with the fake compiler. */
static int batch(e2e *t, const char *args)
{
	return sh("NGEN_FAKE_COMPILER=1 NGEN_BIN=%s %s %s --cache %s/cache /nologo >/dev/null 2>&1",
		  t->ngen, t->ngen, args, t->dir);
}

static void start_console(e2e *t, const char *env)
{
	cr_assert_eq(sh("tmux -L %s new-session -d -s e2e -x 100 -y 30 "
			"'env NGEN_FAKE_COMPILER=1 NGEN_BIN=%s TERM=xterm-256color LANG=C.UTF-8 %s %s "
			"--cache %s/cache; sleep 60'", t->sock, t->ngen, env, t->ngen, t->dir), 0);
}

/* A mouse click (press, then release) at screen column x, row y (from 0),
 * as xterm reports it for TERM=xterm-256color: SGR encoding (mode 1006),
 * ESC [ < button ; x+1 ; y+1 M, and m for the release. Wheel events
 * (button 64 up, 65 down) have no release. */
static void click(e2e *t, int button, int x, int y)
{
	sh("tmux -L %s send-keys -l \"$(printf '\\033[<%d;%d;%dM')\"", t->sock, button, x + 1, y + 1);
	if (button < 64)
		sh("tmux -L %s send-keys -l \"$(printf '\\033[<%d;%d;%dm')\"", t->sock, button, x + 1, y + 1);
}

static void keys(e2e *t, const char *k)
{
	sh("tmux -L %s send-keys %s", t->sock, k);
}

static void type(e2e *t, const char *text)
{
	sh("tmux -L %s send-keys -l '%s'", t->sock, text);
}

static const char *capture(e2e *t)
{
	char cmd[256];
	snprintf(cmd, sizeof cmd, "tmux -L %s capture-pane -p", t->sock);
	FILE *p = popen(cmd, "r");
	size_t n = p ? fread(t->screen, 1, sizeof t->screen - 1, p) : 0;
	t->screen[n] = 0;
	if (p)
		pclose(p);
	return t->screen;
}

/* Waits until text is on the screen (and, if line_too is given, on the
 * same line as it); fails the test after 30 s showing the screen. */
static void wait_for(e2e *t, const char *text, const char *line_too)
{
	for (int i = 0; i < 300; i++) {
		capture(t);
		for (char *l = t->screen; l && *l;) {
			char *nl = strchr(l, '\n');
			if (nl)
				*nl = 0;
			bool hit = strstr(l, text) && (!line_too || strstr(l, line_too));
			if (nl)
				*nl = '\n';
			if (hit)
				return;
			l = nl ? nl + 1 : NULL;
		}
		usleep(100000);
	}
	cr_assert_fail("'%s'%s%s did not appear within 30 s; screen:\n%s", text, line_too ? " with " : "",
		line_too ? line_too : "", t->screen);
}

static void wait_gone(e2e *t, const char *text)
{
	for (int i = 0; i < 300; i++) {
		if (!strstr(capture(t), text))
			return;
		usleep(100000);
	}
	cr_assert_fail("'%s' is still on the screen after 30 s:\n%s", text, t->screen);
}

Test(console_e2e, open_the_tree)
{
	e2e t;
	e2e_open(&t);
	char args[256];
	snprintf(args, sizeof args, "install %s/app/ikdasm.exe", t.dir);
	cr_assert_eq(batch(&t, args), 0);
	start_console(&t, "");
	wait_for(&t, "ikdasm.exe", "valid");
	cr_assert_null(strstr(t.screen, "\u251c\u2500"), "the tree starts collapsed:\n%s", t.screen);
	keys(&t, "Enter");
	wait_for(&t, "mscorlib", "valid");
	keys(&t, "Left");
	wait_gone(&t, "\u251c\u2500");
	/* The terminal shrinks to 80x24: the key bar moves to the new last line. */
	cr_assert_eq(sh("tmux -L %s resize-window -t e2e -x 80 -y 24", t.sock), 0);
	for (int i = 0; i < 100; i++) {
		capture(&t);
		int lines = 0;
		for (const char *c = t.screen; *c; c++)
			lines += *c == '\n';
		const char *last = strstr(t.screen, "F1Help");
		if (lines == 24 && last && strstr(last, "F10Quit") && !strchr(last, '\n')[1])
			break;     /* a capture may catch the screen half redrawn: wait for all */
		usleep(100000);
	}
	const char *bar = strstr(t.screen, "F1Help");
	cr_assert(bar && strstr(bar, "F10Quit") && strchr(bar, '\n')[1] == 0,
		  "the bar is the last of 24 lines:\n%s", t.screen);
	e2e_close(&t);
}

Test(console_e2e, find_an_invalid_image)
{
	e2e t;
	e2e_open(&t);
	char args[256];
	snprintf(args, sizeof args, "install %s/app/ikdasm.exe", t.dir);
	cr_assert_eq(batch(&t, args), 0);
	/* The assembly changes into something that cannot be compiled: update
	 * marks its image invalid and cannot rebuild it. */
	cr_assert_eq(sh("echo garbage > %s/app/ikdasm.exe", t.dir), 0);
	batch(&t, "update");
	start_console(&t, "");
	wait_for(&t, "ngen console", NULL);
	keys(&t, "i");
	wait_for(&t, "ikdasm", "invalid");
	wait_for(&t, "Status", "no longer a valid assembly");
	cr_assert(strstr(t.screen, "NAME (1 invalid"), "only the invalid image is listed:\n%s", t.screen);
	e2e_close(&t);
}

Test(console_e2e, install_an_assembly_and_watch_its_job_reach_100)
{
	e2e t;
	e2e_open(&t);
	start_console(&t, "NGEN_FAKE_COMPILER_DELAY_MS=150");
	wait_for(&t, "no roots", NULL);
	keys(&t, "a");
	wait_for(&t, "Install an assembly", NULL);
	char path[256];
	snprintf(path, sizeof path, "%s/app/ikdasm.ex", t.dir);
	type(&t, path);
	keys(&t, "Tab");
	wait_for(&t, "ikdasm.exe_", NULL);
	keys(&t, "Enter");
	wait_for(&t, "/ikdasm.exe", "running");
	wait_for(&t, "/ikdasm.exe", "100%");
	wait_for(&t, "/ikdasm.exe", "done");
	keys(&t, "1");
	wait_for(&t, "ikdasm.exe", "valid");
	e2e_close(&t);
}

Test(console_e2e, uninstall_with_confirmation)
{
	e2e t;
	e2e_open(&t);
	char args[256];
	snprintf(args, sizeof args, "install %s/app/ikdasm.exe", t.dir);
	cr_assert_eq(batch(&t, args), 0);
	start_console(&t, "");
	wait_for(&t, "ikdasm.exe", "valid");
	keys(&t, "x");
	wait_for(&t, "Will be removed", NULL);
	wait_for(&t, "- mscorlib", NULL);
	keys(&t, "n");
	wait_gone(&t, "Will be removed");
	keys(&t, "F8");
	wait_for(&t, "Will be removed", NULL);
	keys(&t, "y");
	wait_for(&t, "uninstall", "9 image(s) removed");
	wait_for(&t, "no roots", NULL);
	char cmd[2048];
	snprintf(cmd, sizeof cmd, "%s display --cache %s/cache > %s/display.txt", t.ngen, t.dir, t.dir);
	cr_assert_eq(system(cmd), 0, "ngen display works on the emptied cache");
	snprintf(cmd, sizeof cmd, "grep -q ikdasm %s/display.txt", t.dir);
	cr_assert_neq(system(cmd), 0, "the cache no longer lists ikdasm");
	e2e_close(&t);
}

Test(console_e2e, pause_and_continue_the_service)
{
	e2e t;
	e2e_open(&t);
	start_console(&t, "");
	wait_for(&t, "service stopped", NULL);
	keys(&t, "P");
	wait_for(&t, "service paused", NULL);
	char cmd[2048];
	snprintf(cmd, sizeof cmd, "%s queue status --cache %s/cache | grep -q paused", t.ngen, t.dir);
	cr_assert_eq(system(cmd), 0, "the pause reached the queue");
	keys(&t, "F9");
	wait_gone(&t, "service paused");
	cr_assert_neq(system(cmd), 0, "the service continued");
	e2e_close(&t);
}

Test(console_e2e, refuses_to_run_without_a_terminal)
{
	e2e t;
	e2e_open(&t);
	char cmd[2048];
	snprintf(cmd, sizeof cmd, "%s console --cache %s/cache </dev/null >%s/out 2>&1", t.ngen, t.dir, t.dir);
	int rc = system(cmd);
	cr_assert_eq(WEXITSTATUS(rc), 1);
	snprintf(cmd, sizeof cmd, "grep -q 'needs a terminal' %s/out", t.dir);
	cr_assert_eq(system(cmd), 0);
	snprintf(cmd, sizeof cmd, "%s console --bogus >/dev/null 2>&1", t.ngen);
	cr_assert_eq(WEXITSTATUS(system(cmd)), 2, "an unknown option is a usage error");
	e2e_close(&t);
}

Test(console_e2e, mouse_selects_tabs_and_rows_and_the_wheel_scrolls)
{
	e2e t;
	e2e_open(&t);
	cr_assert_eq(sh("tmux -L %s new-session -d -s e2e -x 100 -y 30 'env TERM=xterm-256color "
			"LANG=C.UTF-8 %s console --fake 300; sleep 60'", t.sock, t.ngen), 0);
	wait_for(&t, "1 Roots", NULL);
	usleep(500000);                            /* mouse reporting is switched on */
	click(&t, 0, 13, 1);                       /* the "2 Images" tab */
	wait_for(&t, "NAME (300, by name)", NULL);
	click(&t, 0, 3, 6);                        /* the fourth row */
	capture(&t);
	char *row = strstr(t.screen, "\n");
	for (int i = 0; row && i < 5; i++)
		row = strchr(row + 1, '\n');
	cr_assert(row, "screen:\n%s", t.screen);
	char name[32] = "";
	sscanf(row + 1, "%31s", name);
	char want[64];
	snprintf(want, sizeof want, "Name        %s,", name);
	wait_for(&t, want, NULL);                  /* the details follow the click */
	click(&t, 65, 3, 6);                       /* wheel down: three rows further */
	snprintf(want, sizeof want, "Name        %s,", name);
	for (int i = 0; i < 50 && strstr(capture(&t), want); i++)
		usleep(100000);
	cr_assert_null(strstr(t.screen, want), "the wheel moved the selection:\n%s", t.screen);
	e2e_close(&t);
}

Test(console_e2e, changes_by_another_process_show_without_a_key)
{
	e2e t;
	e2e_open(&t);
	start_console(&t, "");
	wait_for(&t, "no roots", NULL);
	char args[256];
	snprintf(args, sizeof args, "install %s/app/ikdasm.exe", t.dir);
	cr_assert_eq(batch(&t, args), 0);
	wait_for(&t, "ikdasm.exe", "valid");       /* the database changed: reloaded */
	wait_for(&t, "images, 0 invalid", NULL);
	cr_assert_null(strstr(t.screen, " 0 images"), "%s", t.screen);
	e2e_close(&t);
}

Test(console_e2e, a_job_of_the_service_is_followed_live)
{
	e2e t;
	e2e_open(&t);
	start_console(&t, "");
	wait_for(&t, "service stopped", NULL);
	keys(&t, "4");
	wait_for(&t, "no jobs yet", NULL);
	/* The service is started by the queued install, with a slow fake
	 * compiler (0.4 s per assembly) so the job can be watched. */
	cr_assert_eq(sh("NGEN_FAKE_COMPILER=1 NGEN_FAKE_COMPILER_DELAY_MS=400 NGEN_BIN=%s %s install "
			"%s/app/ikdasm.exe /queue:1 --cache %s/cache /nologo >/dev/null 2>&1",
			t.ngen, t.ngen, t.dir, t.dir), 0);
	wait_for(&t, "/ikdasm.exe", "running");
	wait_for(&t, "/ikdasm.exe", "done");
	wait_for(&t, "/ikdasm.exe", "100%");
	keys(&t, "1");
	wait_for(&t, "ikdasm.exe", "valid");
	e2e_close(&t);
}

Test(console_e2e, a_cache_the_user_may_not_write_is_read_only)
{
	e2e t;
	e2e_open(&t);
	if (getuid() != 0 || sh("command -v setpriv >/dev/null") != 0)
		cr_skip_test("needs root and setpriv to run the console as another user");
	char args[256];
	snprintf(args, sizeof args, "install %s/app/ikdasm.exe", t.dir);
	cr_assert_eq(batch(&t, args), 0);
	/* nobody runs a copy of the binary: the build directory may sit where
	 * only root may enter (a clone under /root). */
	cr_assert_eq(sh("cp %s %s/ngen && chmod -R a+rX %s", t.ngen, t.dir, t.dir), 0);
	cr_assert_eq(sh("tmux -L %s new-session -d -s e2e -x 100 -y 30 'setpriv --reuid=nobody "
			"--regid=nogroup --clear-groups env HOME=/tmp TERM=xterm-256color LANG=C.UTF-8 "
			"%s/ngen --cache %s/cache; sleep 60'", t.sock, t.dir, t.dir), 0);
	wait_for(&t, "ngen console [READ-ONLY]", NULL);
	wait_for(&t, "ikdasm.exe", "valid");
	keys(&t, "u");
	wait_for(&t, "read-only: you may not write the cache", NULL);
	keys(&t, "x");
	wait_for(&t, "read-only: you may not write the cache", NULL);
	cr_assert_null(strstr(t.screen, "Will be removed"), "no confirmation for what cannot be done");
	keys(&t, "v");                              /* verify only reads: allowed */
	wait_for(&t, "verify", "done");
	e2e_close(&t);
}

/* The console subscribes to the running service; quitting must not wait
 * for the service. The service stays up with a priority 3 item it may not
 * run: the machine never counts as idle (NGEN_IDLE_AFTER_S). */
Test(console_e2e, quits_while_the_service_runs)
{
	e2e t;
	e2e_open(&t);
	cr_assert_eq(sh("NGEN_IDLE_AFTER_S=1000000 NGEN_FAKE_COMPILER=1 NGEN_BIN=%s %s install "
			"%s/app/ikdasm.exe /queue:3 --cache %s/cache /nologo >/dev/null 2>&1",
			t.ngen, t.ngen, t.dir, t.dir), 0);
	cr_assert_eq(sh("tmux -L %s new-session -d -s e2e -x 100 -y 30 "
			"'env NGEN_FAKE_COMPILER=1 NGEN_BIN=%s TERM=xterm-256color LANG=C.UTF-8 %s "
			"--cache %s/cache; echo console-exited-$?; sleep 60'", t.sock, t.ngen, t.ngen,
			t.dir), 0);
	wait_for(&t, "service running", NULL);
	/* The first screen comes from the database; the subscription to the
	 * service's socket follows. Give it time to be made, so that q is
	 * pressed while it holds the loop. */
	sleep(2);
	keys(&t, "q");
	wait_for(&t, "console-exited-0", NULL);
	e2e_close(&t);
}
