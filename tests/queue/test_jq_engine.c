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
