/* tests/queue/test_jq_engine.c - queue items replayed through the real
 * engine (with the engine's fast fake compiler): the item's exact arguments
 * become the root's arguments, and a failing install is reported with the
 * engine's message. */
#include "engine/eng.h"
#include "queue/jq_client.h"
#include "queue/jq_exec.h"
#include "queue/jq_runner.h"
#include "tests/queue/jq_fake.h"

#include "base/err.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *dir;

static void setup(void)
{
	setenv("NGEN_FAKE_COMPILER", "1", 1);
	dir = jqt_tmpdir();
}

static void teardown(void)
{
	jqt_rmdir(dir);
	free(dir);
}

TestSuite(jq_engine, .init = setup, .fini = teardown, .timeout = 120);

typedef struct roots {
	int n;
	char args[512];
} roots;

static int count_root(void *ctx, const eng_root_info *r)
{
	roots *rs = ctx;
	rs->n++;
	snprintf(rs->args, sizeof rs->args, "%s", r->args);
	return 0;
}

static const char *xml = "/usr/lib/mono/4.5/System.Xml.dll";

Test(jq_engine, queued_install_runs_through_the_engine_with_its_exact_arguments)
{
	if (access(xml, R_OK) != 0)
		cr_skip_test("Mono's System.Xml.dll is not installed");
	char *argv[] = { (char *)xml, "/Debug", "/queue:1" };
	int64_t id;
	ng_diag d;
	jq_submit_opts so = { .no_autostart = true };
	cr_assert_eq(jq_submit(dir, "install", 1, 3, argv, NULL, &so, &id, NULL, &d), 0,
		     "%s", ng_diag_text(&d));
	jq_runner_opts o;
	jqt_runner_opts(&o, dir, NULL);
	o.exec = jq_executor_engine();
	jq_run_stats st;
	cr_assert_eq(jq_run_to_completion(&o, &st, &d), 0, "%s", ng_diag_text(&d));
	jq_db db;
	cr_assert_eq(jq_db_open(&db, dir), 0);
	jq_item it;
	cr_assert_eq(jq_get(&db, id, &it), 0);
	cr_assert_eq(it.state, JQ_DONE, "%s", it.last_error ? it.last_error : "");
	jq_item_close(&it);
	jq_db_close(&db);
	eng_cache *c;
	cr_assert_eq(eng_cache_open(dir, 0, &c, &d), 0, "%s", ng_diag_text(&d));
	roots rs = { 0 };
	cr_assert_eq(eng_roots_foreach(c, count_root, &rs, &d), 0);
	eng_cache_free(c);
	cr_assert_eq(rs.n, 1);
	cr_assert(strstr(rs.args, "System.Xml.dll") && strstr(rs.args, "/Debug"), "%s", rs.args);
}

Test(jq_engine, failing_install_is_marked_failed_with_the_engine_message)
{
	char *argv[] = { "/no/such/Missing.dll" };
	int64_t id;
	ng_diag d;
	jq_submit_opts so = { .no_autostart = true };
	cr_assert_eq(jq_submit(dir, "install", 1, 1, argv, NULL, &so, &id, NULL, &d), 0);
	jq_runner_opts o;
	jqt_runner_opts(&o, dir, NULL);
	o.exec = jq_executor_engine();
	o.policy.backoff_s = 0.01;
	jq_run_stats st;
	cr_assert_eq(jq_run_to_completion(&o, &st, &d), 0);
	cr_assert_eq(st.failed, 1);
	jq_db db;
	cr_assert_eq(jq_db_open(&db, dir), 0);
	jq_item it;
	cr_assert_eq(jq_get(&db, id, &it), 0);
	cr_assert_eq(it.state, JQ_FAILED);
	cr_assert(it.last_error && strstr(it.last_error, "Missing.dll"), "%s",
		  it.last_error ? it.last_error : "(none)");
	jq_item_close(&it);
	jq_db_close(&db);
}

typedef struct order_log {
	int n;
	jq_event ev[256];
} order_log;

static void record(void *ctx, const jq_event *ev)
{
	order_log *l = ctx;
	if (l->n < 256)
		l->ev[l->n++] = *ev;
}

static int find_event(const order_log *l, jq_event_kind kind, int64_t id)
{
	for (int i = 0; i < l->n; i++)
		if (l->ev[i].kind == kind && l->ev[i].id == id)
			return i;
	return -1;
}

Test(jq_engine, priority_2_starts_after_priority_1_and_the_dependencies_it_compiles)
{
	if (access(xml, R_OK) != 0)
		cr_skip_test("Mono's System.Xml.dll is not installed");
	setenv("NGEN_FAKE_COMPILER_DELAY_MS", "30", 1);
	char *a1[] = { (char *)xml };
	char *a2[] = { "/usr/lib/mono/4.5/Accessibility.dll", "/NoDependencies" };
	int64_t p1, p2;
	ng_diag d;
	jq_submit_opts so = { .no_autostart = true };
	cr_assert_eq(jq_submit(dir, "install", 2, 2, a2, NULL, &so, &p2, NULL, &d), 0);
	cr_assert_eq(jq_submit(dir, "install", 1, 1, a1, NULL, &so, &p1, NULL, &d), 0);
	order_log *l = calloc(1, sizeof *l);
	jq_runner_opts o;
	jqt_runner_opts(&o, dir, NULL);
	o.exec = jq_executor_engine();
	o.on_event = record;
	o.event_ctx = l;
	cr_assert_eq(jq_run_to_completion(&o, NULL, &d), 0, "%s", ng_diag_text(&d));
	int fin1 = find_event(l, JQ_EV_FINISHED, p1), start2 = find_event(l, JQ_EV_STARTED, p2);
	cr_assert_geq(fin1, 0);
	cr_assert_gt(start2, fin1, "priority 2 started on the free worker before priority 1 was done");
	/* Priority 1's install compiled its dependencies inside the item: its
	 * progress named more than one assembly before it finished. */
	int assemblies = 0;
	char last[JQ_EVENT_TEXT] = "";
	for (int i = 0; i < fin1; i++)
		if (l->ev[i].kind == JQ_EV_PROGRESS && l->ev[i].id == p1 &&
		    strcmp(l->ev[i].text, last) != 0) {
			assemblies++;
			snprintf(last, sizeof last, "%s", l->ev[i].text);
		}
	cr_assert_gt(assemblies, 1, "no dependency was compiled as part of the item");
	free(l);
}
