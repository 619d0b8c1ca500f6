/* tui/console_real_jobs.c - the real provider's requests.
 *
 * Install (now), uninstall, update and verify run on the libuv worker pool
 * (uv_queue_work), each on a cache connection of its own, through the same
 * engine functions as batch mode. A worker never touches the model or
 * curses: it writes its progress under the job's mutex, the loop thread
 * copies it into the model on each tick and publishes the result in the
 * after-work callback. eqi runs a jq_runner on the console's own loop, so
 * its events arrive like the service's. Queued installs, priority changes,
 * cancel and pause go to the queue (queue/jq.h, jq_client.h). */
#include "tui/console_real_int.h"

#include "base/err.h"
#include "base/xmalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- work on the pool --------------------------------------------------- */

static void on_engine_event(void *ctx, const eng_event *ev)
{
	rjob *j = ctx;
	pthread_mutex_lock(&j->mu);
	switch (ev->kind) {
	case ENG_EV_ASSEMBLY:
		j->asm_index = ev->index;
		j->asm_total = ev->total;
		j->cur_done = j->cur_total = 0;
		snprintf(j->what, sizeof j->what, "%u/%u %s", ev->index, ev->total, ev->name ? ev->name : "");
		break;
	case ENG_EV_METHODS:
		j->methods += ev->done > j->cur_done ? ev->done - j->cur_done : 0;
		j->cur_done = ev->done;
		j->cur_total = ev->count;
		break;
	case ENG_EV_MESSAGE: case ENG_EV_INVALID:
		snprintf(j->what, sizeof j->what, "%s%s%s", ev->name ? ev->name : "",
			 ev->name && ev->text ? ": " : "", ev->text ? ev->text : "");
		break;
	default:
		break;
	}
	pthread_mutex_unlock(&j->mu);
}

static int run_request(rjob *j, eng_cache *c, const eng_run_opts *o)
{
	eng_request req;
	eng_action act = j->kind == TUI_REQ_INSTALL ? ENG_INSTALL : ENG_UNINSTALL;
	int rc = eng_args_parse(act, j->argc, j->argv, j->cwd, &req, &j->diag);
	if (rc < 0)
		return rc;
	if (act == ENG_INSTALL) {
		eng_install_result res = { 0 };
		rc = eng_install(c, &req, o, &res, &j->diag);
		snprintf(j->result, sizeof j->result, "%u compiled, %u reused", res.compiled, res.reused);
	} else {
		unsigned roots = 0, images = 0;
		rc = eng_uninstall(c, &req, o, &roots, &images, &j->diag);
		snprintf(j->result, sizeof j->result, "%u root(s) and %u image(s) removed", roots, images);
	}
	eng_request_close(&req);
	return rc;
}

static void work_cb(uv_work_t *w)
{
	rjob *j = w->data;
	eng_cache *c;
	/* Verify without repair only reads: anyone may run it. */
	int flags = j->kind == TUI_REQ_VERIFY ? 0 : ENG_OPEN_WRITE;
	j->rc = eng_cache_open(j->owner->dir, flags, &c, &j->diag);
	if (j->rc < 0)
		return;
	eng_cache_set_compiler(c, eng_compiler_from_env());
	eng_run_opts o = { on_engine_event, j, &j->cancel };
	if (j->kind == TUI_REQ_UPDATE) {
		eng_update_result res = { 0 };
		j->rc = eng_update(c, true, &o, &res, &j->diag);
		snprintf(j->result, sizeof j->result, "%u checked, %u invalid, %u rebuilt, %u failed",
			 res.checked, res.invalid, res.rebuilt, res.failed);
	} else if (j->kind == TUI_REQ_VERIFY || j->kind == TUI_REQ_REPAIR) {
		eng_verify_result res = { 0 };
		j->rc = eng_verify(c, j->kind == TUI_REQ_REPAIR, &o, &res, &j->diag);
		snprintf(j->result, sizeof j->result, "%u images, %u problem(s), %u repaired",
			 res.images, res.problems, res.repaired);
	} else {
		j->rc = run_request(j, c, &o);
	}
	eng_cache_free(c);
}

void tui__real_copy_progress(real *r, rjob *rj)
{
	tui_job *j = tui_model_find_job(&r->base.model, rj->job_id);
	if (!j)
		return;
	pthread_mutex_lock(&rj->mu);
	int total = rj->asm_total ? (int)rj->asm_total * 1000 : 0;
	int done = rj->asm_index ? (int)(rj->asm_index - 1) * 1000 : 0;
	if (rj->cur_total)
		done += (int)(1000ULL * rj->cur_done / rj->cur_total);
	if (done != j->done || total != j->total || (int)rj->methods != j->methods ||
	    strcmp(j->detail, rj->what) != 0) {
		j->done = done;
		j->total = total;
		j->methods = (int)rj->methods;
		tui_image_set(&j->detail, rj->what);
		tui_model_touch(&r->base.model);
	}
	pthread_mutex_unlock(&rj->mu);
}

static void free_rjob(rjob *j)
{
	eng_args_free(j->argc, j->argv);
	free(j->cwd);
	pthread_mutex_destroy(&j->mu);
	free(j);
}

static void after_work_cb(uv_work_t *w, int status)
{
	rjob *rj = w->data;
	real *r = rj->owner;
	tui__real_copy_progress(r, rj);
	for (rjob **pp = &r->jobs; *pp; pp = &(*pp)->next)
		if (*pp == rj) {
			*pp = rj->next;
			break;
		}
	tui_model *m = &r->base.model;
	tui_job *j = tui_model_find_job(m, rj->job_id);
	if (j) {
		j->ended = tui_now();
		j->state = rj->rc < 0 ? TUI_JOB_FAILED : TUI_JOB_DONE;
		if (rj->rc < 0)
			tui_image_set(&j->error, ng_diag_text(&rj->diag));
		else {
			j->done = j->total = j->total ? j->total : 1;
			tui_image_set(&j->detail, rj->result);
		}
		tui_model_set_message(m, "%s: %s", j->name, rj->rc < 0 ? ng_diag_text(&rj->diag) : rj->result);
	}
	free_rjob(rj);
	tui__real_want_reload(r);
	tui_model_touch(m);
}

static int start_job(real *r, tui_req_kind kind, const char *name, int argc, char **argv,
		     const char *cwd, ng_diag *d)
{
	if (!r->base.loop)
		return ng_diag_set(d, NG_ERR_UNSUPPORTED, "no event loop to run '%s' on", name);
	rjob *j = xcalloc(1, sizeof *j);
	j->owner = r;
	j->kind = kind;
	j->job_id = r->next_job++;
	j->argc = argc;
	j->argv = argv;
	j->cwd = xstrdup(cwd ? cwd : "/");
	pthread_mutex_init(&j->mu, NULL);
	j->work.data = j;
	tui_model_add_job(&r->base.model, j->job_id, name, 0, tui_now());
	j->next = r->jobs;
	r->jobs = j;
	uv_queue_work(r->base.loop, &j->work, work_cb, after_work_cb);
	return 0;
}

/* ---- requests ----------------------------------------------------------- */

static char **make_argv(int *argc, const char *target, const char *scenario)
{
	char **argv = xcalloc(3, sizeof *argv);
	*argc = 0;
	argv[(*argc)++] = xstrdup(target);
	if (scenario && strcmp(scenario, "debug") == 0)
		argv[(*argc)++] = xstrdup("/Debug");
	else if (scenario && strcmp(scenario, "profile") == 0)
		argv[(*argc)++] = xstrdup("/Profile");
	return argv;
}

typedef struct root_find { int64_t id; char *json, *cwd; } root_find;

static int on_root_find(void *ctx, const eng_root_info *root)
{
	root_find *f = ctx;
	if (root->id != f->id)
		return 0;
	f->json = xstrdup(root->args_json);
	f->cwd = xstrdup(root->cwd);
	return 1;
}

static int submit_uninstall(real *r, const tui_request *req, ng_diag *d)
{
	root_find f = { req->id, NULL, NULL };
	eng_roots_foreach(r->cache, on_root_find, &f, d);
	if (!f.json)
		return ng_diag_set(d, NG_ERR_NOTFOUND, "uninstall: root %s is gone; reload with ^L",
				   req->target ? req->target : "");
	int argc;
	char **argv;
	int rc = eng_args_split(f.json, &argc, &argv);
	if (rc == 0) {
		char name[600];
		snprintf(name, sizeof name, "uninstall %s", req->target ? req->target : "");
		rc = start_job(r, TUI_REQ_UNINSTALL, name, argc, argv, f.cwd, d);
	} else {
		ng_diag_set(d, rc, "uninstall: the root's arguments are unreadable");
	}
	free(f.json);
	free(f.cwd);
	return rc;
}

static void on_runner_stopped(void *ctx, int rc)
{
	real *r = ctx;
	/* Freed on the next tick: not from inside the runner's own callback. */
	r->runner_stopped = true;
	r->reload_wanted = true;
	tui_model_set_message(&r->base.model, rc < 0 ? "eqi stopped: %s" : "eqi: the queued items ran%s",
			      rc < 0 ? ng_strerror(rc) : "");
}

static int submit_eqi(real *r, int prio, ng_diag *d)
{
	if (r->runner)
		return ng_diag_set(d, NG_ERR_BUSY, "eqi is running already");
	if (!r->base.loop)
		return ng_diag_set(d, NG_ERR_UNSUPPORTED, "no event loop to run eqi on");
	jq_runner_opts o = {
		.cache_dir = r->dir, .max_priority = prio, .exec = jq_executor_engine(),
		.exit_when_empty = true, .on_event = tui__real_on_event, .event_ctx = r,
		.on_stopped = on_runner_stopped, .stopped_ctx = r,
	};
	int rc = jq_runner_new(r->base.loop, &o, &r->runner, d);
	if (rc == 0)
		tui_model_set_message(&r->base.model, "eqi: running queued items of priority %d and higher",
				      prio);
	return rc;
}

static int queue_call(real *r, const char *cmd, int64_t id)
{
	ng_diag d;
	int rc = jq_client_command(r->dir, cmd, id, &d);
	return rc == NG_ERR_NOTFOUND ? 0 : rc;   /* no service running: the flag is enough */
}

static int submit_queue(real *r, const tui_request *req, ng_diag *d)
{
	if (!r->jdb_ok)
		return ng_diag_set(d, NG_ERR_PERM, "the queue of %s cannot be opened: %s", r->dir,
				   ng_diag_text(&r->jdb.diag));
	int rc = 0;
	switch (req->kind) {
	case TUI_REQ_PRIORITY:
		rc = jq_set_priority(&r->jdb, req->id, req->priority);
		if (rc == 0)
			queue_call(r, "kick", req->id);
		break;
	case TUI_REQ_CANCEL:
		rc = jq_remove(&r->jdb, req->id);
		break;
	case TUI_REQ_PAUSE: case TUI_REQ_CONTINUE:
		rc = jq_set_paused(&r->jdb, req->kind == TUI_REQ_PAUSE);
		if (rc == 0)
			rc = queue_call(r, req->kind == TUI_REQ_PAUSE ? "pause" : "continue", 0);
		if (rc == 0)
			r->base.model.service = req->kind == TUI_REQ_PAUSE ? TUI_SVC_PAUSED :
				r->client ? TUI_SVC_RUNNING : TUI_SVC_STOPPED;
		break;
	default:
		break;
	}
	if (rc < 0)
		return ng_diag_set(d, rc, "%s", r->jdb.diag.msg[0] ? r->jdb.diag.msg : ng_strerror(rc));
	tui__real_want_reload(r);
	return 0;
}

int tui__real_submit(tui_provider *p, const tui_request *req, ng_diag *d)
{
	real *r = (real *)p;
	char cwd[4096];
	if (!getcwd(cwd, sizeof cwd))
		strcpy(cwd, "/");
	int argc;
	char **argv;
	char name[700];
	switch (req->kind) {
	case TUI_REQ_INSTALL:
		argv = make_argv(&argc, req->target, req->scenario);
		if (req->queue) {
			int64_t id;
			int rc = jq_submit(r->dir, "install", req->priority, argc, argv, cwd, NULL, &id, NULL, d);
			eng_args_free(argc, argv);
			tui__real_want_reload(r);
			return rc;
		}
		snprintf(name, sizeof name, "install %s", req->target);
		return start_job(r, TUI_REQ_INSTALL, name, argc, argv, cwd, d);
	case TUI_REQ_UNINSTALL:
		return submit_uninstall(r, req, d);
	case TUI_REQ_UPDATE: case TUI_REQ_VERIFY: case TUI_REQ_REPAIR:
		return start_job(r, req->kind, req->kind == TUI_REQ_UPDATE ? "update" :
				 req->kind == TUI_REQ_REPAIR ? "verify /repair" : "verify", 0, NULL, cwd, d);
	case TUI_REQ_EQI:
		return submit_eqi(r, req->priority, d);
	default:
		return submit_queue(r, req, d);
	}
}

