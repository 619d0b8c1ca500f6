/* queue/jq_exec_engine.c - the real executor: an item's exact arguments
 * replayed through the engine, as the foreground command would run them.
 *
 * Each run opens its own cache connection (SQLite connections are not
 * shared between threads), parses the stored arguments with the engine's
 * own parser against the directory the request was made in, and runs the
 * action with the engine's progress events and cancel flag. The engine
 * compiles to temporary files and renames them in its commit, so a
 * canceled or killed run leaves no half-written image. */
#include "queue/jq_exec.h"

#include "base/err.h"
#include "engine/eng.h"

#include <stdio.h>
#include <string.h>

typedef struct run_ctx {
	jq_progress_fn progress;
	void *pctx;
	char what[256];
	unsigned done, total;
} run_ctx;

static void on_engine_event(void *ctx, const eng_event *ev)
{
	run_ctx *r = ctx;
	switch (ev->kind) {
	case ENG_EV_ASSEMBLY:
		snprintf(r->what, sizeof r->what, "%s (%u of %u)", ev->name ? ev->name : "",
			 ev->index, ev->total);
		r->done = 0;
		r->total = 0;
		break;
	case ENG_EV_METHODS:
		r->done = ev->done;
		r->total = ev->count;
		break;
	default:
		return;
	}
	if (r->progress)
		r->progress(r->pctx, r->done, r->total, r->what);
}

static int action_of(const char *kind, eng_action *a)
{
	if (strcmp(kind, "install") == 0)
		*a = ENG_INSTALL;
	else if (strcmp(kind, "update") == 0)
		*a = ENG_UPDATE;
	else if (strcmp(kind, "uninstall") == 0)
		*a = ENG_UNINSTALL;
	else
		return NG_ERR_UNSUPPORTED;
	return 0;
}

static int run_action(eng_cache *c, eng_action a, const eng_request *req,
		      const eng_run_opts *o, ng_diag *d)
{
	switch (a) {
	case ENG_INSTALL: {
		eng_install_result res;
		return eng_install(c, req, o, &res, d);
	}
	case ENG_UPDATE: {
		eng_update_result res;
		int rc = eng_update(c, true, o, &res, d);
		if (rc == 0 && res.failed > 0)
			rc = ng_diag_set(d, NG_ERR_COMPILE, "update: %u of %u invalid images"
					 " could not be rebuilt", res.failed, res.invalid);
		return rc;
	}
	case ENG_UNINSTALL:
		return eng_uninstall(c, req, o, NULL, NULL, d);
	default:
		return NG_ERR_UNSUPPORTED;
	}
}

static int engine_run(void *ctx, const char *cache_dir, const jq_item *it,
		      jq_progress_fn progress, void *pctx, const volatile int *cancel,
		      ng_diag *d)
{
	eng_action a;
	if (action_of(it->kind, &a) < 0)
		return ng_diag_set(d, NG_ERR_UNSUPPORTED, "queue item %lld: unknown action '%s'",
				   (long long)it->id, it->kind);
	eng_request req;
	int rc = eng_args_parse(a, it->argc, it->argv, it->cwd, &req, d);
	if (rc < 0)
		return rc;
	eng_cache *c = NULL;
	rc = eng_cache_open(cache_dir, ENG_OPEN_WRITE, &c, d);
	if (rc == 0) {
		eng_cache_set_compiler(c, eng_compiler_from_env());
		run_ctx r = { .progress = progress, .pctx = pctx };
		eng_run_opts o = { .on_event = on_engine_event, .ctx = &r, .cancel = cancel };
		rc = run_action(c, a, &req, &o, d);
		eng_cache_free(c);
	}
	eng_request_close(&req);
	return rc;
}

static const jq_executor engine_executor = { engine_run, NULL };

const jq_executor *jq_executor_engine(void)
{
	return &engine_executor;
}
