/* tests/tui/test_console_real.c - the provider that reads a real cache:
 * what it loads, how queue state shows on images, and requests running on
 * the worker pool. The engine's fake compiler keeps installs fast. */
#include "tui/console_real.h"

#include "engine/eng.h"
#include "queue/jq.h"
#include "queue/jq_client.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uv.h>

static char dir[64], cache[96], app[128];

static void setup(void)
{
	setenv("NGEN_FAKE_COMPILER", "1", 1);
	snprintf(dir, sizeof dir, "/tmp/ngen-tui-real-XXXXXX");
	cr_assert(mkdtemp(dir));
	snprintf(cache, sizeof cache, "%s/cache", dir);
	snprintf(app, sizeof app, "%s/ikdasm.exe", dir);
	char cmd[512];
	snprintf(cmd, sizeof cmd, "cp /usr/lib/mono/4.5/ikdasm.exe %s", app);
	cr_assert_eq(system(cmd), 0);
}

static void teardown(void)
{
	char cmd[256];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	system(cmd);
}

TestSuite(console_real, .init = setup, .fini = teardown);

static void install(const char *path)
{
	eng_cache *c;
	ng_diag d;
	cr_assert_eq(eng_cache_open(cache, ENG_OPEN_WRITE, &c, &d), 0, "%s", ng_diag_text(&d));
	eng_cache_set_compiler(c, eng_compiler_fake());
	eng_request req;
	char *argv[] = { (char *)path, NULL };
	cr_assert_eq(eng_args_parse(ENG_INSTALL, 1, argv, NULL, &req, &d), 0, "%s", ng_diag_text(&d));
	eng_install_result res;
	cr_assert_eq(eng_install(c, &req, NULL, &res, &d), 0, "%s", ng_diag_text(&d));
	eng_request_close(&req);
	eng_cache_free(c);
}

static int find(const tui_model *m, const char *name)
{
	for (int i = 0; i < m->nimages; i++)
		if (strcmp(m->images[i].name, name) == 0)
			return i;
	return -1;
}

Test(console_real, loads_roots_images_edges_and_log)
{
	install(app);
	tui_provider *p;
	ng_diag d;
	cr_assert_eq(tui_real_open(cache, &p, &d), 0, "%s", ng_diag_text(&d));
	cr_assert_eq(p->ops->reload(p), 0);
	const tui_model *m = &p->model;
	cr_assert_eq(m->nroots, 1);
	int app_img = m->roots[0].image;
	cr_assert_geq(app_img, 0);
	cr_assert_str_eq(m->images[app_img].name, "ikdasm");
	cr_assert(strstr(m->roots[0].args, "ikdasm.exe"));
	int corlib = find(m, "mscorlib");
	cr_assert_geq(corlib, 0);
	cr_assert_eq(m->images[corlib].nroots, 1, "mscorlib is needed by the root");
	cr_assert_gt(m->images[app_img].ndeps, 0);
	cr_assert_eq(m->images[app_img].status, TUI_ST_VALID);
	cr_assert_gt(m->images[app_img].methods_compiled, 0);
	cr_assert(strstr(m->images[app_img].image_file, cache));
	cr_assert_gt(m->nlog, 0);
	cr_assert_not(m->read_only);
	cr_assert_eq(m->service, TUI_SVC_STOPPED);
	tui_provider_free(p);
}

Test(console_real, queued_items_show_on_images_and_can_be_changed)
{
	install(app);
	ng_diag d;
	jq_submit_opts so = { .no_autostart = true };
	char *argv[] = { app, NULL };
	int64_t id;
	cr_assert_eq(jq_submit(cache, "install", 2, 1, argv, dir, &so, &id, NULL, &d), 0, "%s",
		     ng_diag_text(&d));
	tui_provider *p;
	cr_assert_eq(tui_real_open(cache, &p, &d), 0);
	cr_assert_eq(p->ops->reload(p), 0);
	tui_model *m = &p->model;
	cr_assert_eq(m->nqueue, 1);
	cr_assert_eq(m->queue[0].priority, 2);
	cr_assert_str_eq(m->queue[0].state, "queued");
	cr_assert_eq(m->images[m->roots[0].image].status, TUI_ST_QUEUED);

	tui_request prio = { .kind = TUI_REQ_PRIORITY, .id = id, .priority = 1 };
	cr_assert_eq(p->ops->submit(p, &prio, &d), 0, "%s", ng_diag_text(&d));
	cr_assert_eq(p->ops->reload(p), 0);
	cr_assert_eq(m->queue[0].priority, 1);

	tui_request pause = { .kind = TUI_REQ_PAUSE };
	cr_assert_eq(p->ops->submit(p, &pause, &d), 0, "%s", ng_diag_text(&d));
	jq_db db;
	bool paused = false;
	cr_assert_eq(jq_db_open(&db, cache), 0);
	jq_is_paused(&db, &paused);
	cr_assert(paused, "the pause flag is in the database");
	tui_request cont = { .kind = TUI_REQ_CONTINUE };
	cr_assert_eq(p->ops->submit(p, &cont, &d), 0);
	jq_is_paused(&db, &paused);
	cr_assert_not(paused);
	jq_db_close(&db);

	tui_request cancel = { .kind = TUI_REQ_CANCEL, .id = id };
	cr_assert_eq(p->ops->submit(p, &cancel, &d), 0, "%s", ng_diag_text(&d));
	cr_assert_eq(p->ops->reload(p), 0);
	cr_assert_eq(m->nqueue, 0);
	cr_assert_eq(m->images[m->roots[0].image].status, TUI_ST_VALID);
	tui_provider_free(p);
}

static bool job_running(const tui_model *m)
{
	for (int i = 0; i < m->njobs; i++)
		if (m->jobs[i].state == TUI_JOB_RUNNING)
			return true;
	return false;
}

Test(console_real, install_and_uninstall_run_on_the_worker_pool)
{
	uv_loop_t loop;
	uv_loop_init(&loop);
	tui_provider *p;
	ng_diag d;
	cr_assert_eq(tui_real_open(cache, &p, &d), 0);
	p->loop = &loop;
	cr_assert_eq(p->ops->reload(p), 0);
	tui_model *m = &p->model;
	cr_assert_eq(m->nroots, 0);
	tui_request req = { .kind = TUI_REQ_INSTALL, .target = app, .scenario = "default" };
	cr_assert_eq(p->ops->submit(p, &req, &d), 0, "%s", ng_diag_text(&d));
	cr_assert_eq(m->njobs, 1);
	cr_assert_eq(m->jobs[0].state, TUI_JOB_RUNNING, "submit returns before the work is done");
	for (int i = 0; i < 3000 && job_running(m); i++)
		uv_run(&loop, UV_RUN_NOWAIT), usleep(10000);
	cr_assert_eq(m->jobs[0].state, TUI_JOB_DONE, "%s", m->jobs[0].error);
	cr_assert_eq(m->jobs[0].done, m->jobs[0].total, "the job ends at 100%%");
	cr_assert_eq(p->ops->reload(p), 0);
	cr_assert_eq(m->nroots, 1);

	tui_request un = { .kind = TUI_REQ_UNINSTALL, .id = m->roots[0].id, .target = m->roots[0].args };
	cr_assert_eq(p->ops->submit(p, &un, &d), 0, "%s", ng_diag_text(&d));
	for (int i = 0; i < 3000 && job_running(m); i++)
		uv_run(&loop, UV_RUN_NOWAIT), usleep(10000);
	cr_assert_eq(m->jobs[1].state, TUI_JOB_DONE, "%s", m->jobs[1].error);
	cr_assert_eq(p->ops->reload(p), 0);
	cr_assert_eq(m->nroots, 0);
	cr_assert_eq(m->nimages, 0, "nothing else needed the images");

	tui_request bad = { .kind = TUI_REQ_INSTALL, .target = "/nonexistent/App.exe", .scenario = "default" };
	cr_assert_eq(p->ops->submit(p, &bad, &d), 0);
	for (int i = 0; i < 3000 && job_running(m); i++)
		uv_run(&loop, UV_RUN_NOWAIT), usleep(10000);
	cr_assert_eq(m->jobs[2].state, TUI_JOB_FAILED);
	cr_assert(strstr(m->jobs[2].error, "/nonexistent/App.exe"), "%s", m->jobs[2].error);
	tui_provider_free(p);
	uv_loop_close(&loop);
}

/* The engine records the most common exclusion reasons of a real compile;
 * the provider gives them to the details pane as one line. */
Test(console_real, exclusion_reasons_of_a_real_compile, .timeout = 300)
{
	const char *fx = getenv("NGEN_FIXTURES");
	char lib[512];
	snprintf(lib, sizeof lib, "%s/engine/shared/App1.exe", fx ? fx : "build/fixtures");
	eng_cache *c;
	ng_diag d;
	cr_assert_eq(eng_cache_open(cache, ENG_OPEN_WRITE, &c, &d), 0, "%s", ng_diag_text(&d));
	eng_cache_set_compiler(c, eng_compiler_default());
	eng_request req;
	char *argv[] = { lib, NULL };
	cr_assert_eq(eng_args_parse(ENG_INSTALL, 1, argv, NULL, &req, &d), 0, "%s", ng_diag_text(&d));
	eng_install_result res;
	cr_assert_eq(eng_install(c, &req, NULL, &res, &d), 0, "%s", ng_diag_text(&d));
	eng_request_close(&req);
	eng_cache_free(c);
	tui_provider *p;
	cr_assert_eq(tui_real_open(cache, &p, &d), 0, "%s", ng_diag_text(&d));
	cr_assert_eq(p->ops->reload(p), 0);
	const tui_model *m = &p->model;
	int corlib = find(m, "mscorlib"), app1 = find(m, "App1");
	cr_assert(corlib >= 0 && app1 >= 0);
	const tui_image *im = &m->images[corlib];
	cr_assert_gt(im->methods_excluded, 0);
	cr_assert(strchr(im->exclusions, '(') && strchr(im->exclusions, ')'), "%s", im->exclusions);
	cr_assert_str_eq(m->images[app1].exclusions, "", "App1 has nothing excluded");
	tui_provider_free(p);
}
