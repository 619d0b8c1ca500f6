/* tui/cmd_task.c - `ngen task [/RuntimeWide] [/Critical]`, the native image
 * task (ngentask): reads the usage logs, queues images for assemblies used
 * often, reclaims automatic images unused for long, and runs the queue's
 * idle work until it is done or the machine stops being idle. /Critical
 * does not wait for idle time. The shipped timer dist/ngen-task.timer runs
 * it nightly. See queue/jq_task.h. */
#include "tui/cmd.h"

#include "base/err.h"
#include "base/xmalloc.h"
#include "engine/eng.h"
#include "queue/jq_task.h"

#include <stdio.h>
#include <stdlib.h>

static void print_event(void *ctx, const jq_event *ev)
{
	const tui_globals *g = ctx;
	if (g->silent || ev->kind == JQ_EV_PROGRESS)
		return;
	char text[1200];
	jq_event_describe(ev, text, sizeof text);
	printf("%s\n", text);
	fflush(stdout);
}

int tui_cmd_task(const tui_globals *g, int argc, char **argv)
{
	jq_task_opts o = { .exec = jq_executor_engine(), .on_event = print_event,
			   .event_ctx = (void *)g };
	for (int i = 0; i < argc; i++) {
		if (tui_is_option(argv[i], "RuntimeWide", NULL))
			o.runtime_wide = true;
		else if (tui_is_option(argv[i], "Critical", NULL))
			o.critical = true;
		else {
			fprintf(stderr, "ngen: task: unknown argument '%s'\n"
				"usage: ngen task [/RuntimeWide] [/Critical]\n", argv[i]);
			return NGEN_EXIT_USAGE;
		}
	}
	char *cache = g->cache_dir ? xstrdup(g->cache_dir) : eng_default_cache_dir();
	o.cache_dir = cache;
	if (!g->silent)
		printf("NGen Task starting (%s stream%s)\n",
		       o.runtime_wide ? "machine-wide" : "application",
		       o.critical ? ", critical" : ", idle time only");
	jq_task_result r;
	ng_diag d;
	int rc = jq_task_run(&o, &r, &d);
	free(cache);
	if (rc < 0) {
		fprintf(stderr, "ngen: task: %s\n", ng_diag_text(&d));
		return rc == NG_ERR_PERM ? NGEN_EXIT_PERM : NGEN_EXIT_FAILED;
	}
	if (!g->silent)
		printf("NGen Task done: %d assemblies in the usage logs, %d installs and %d"
		       " reclaims queued; %d items finished, %d failed.\n", r.assemblies_seen,
		       r.queued_installs, r.queued_uninstalls, r.run.finished, r.run.failed);
	return r.run.failed ? NGEN_EXIT_FAILED : NGEN_EXIT_OK;
}
