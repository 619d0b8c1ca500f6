/* tui/cmd_eqi.c - `ngen executeQueuedItems [1|2|3]` and `ngen eqi [1|2|3]`.
 *
 * Runs the queued items of that priority and higher (1 is the highest;
 * none given: all) in the foreground, through the same engine and queue as
 * the service, and returns when they are done -- including items of those
 * priorities that another process (the service, another eqi) is running.
 * Items are claimed atomically, so nothing runs twice. While eqi runs it
 * holds the foreground lock (jq_runner_opts.hold_foreground): the service
 * starts no new work meanwhile. */
#include "tui/cmd.h"

#include "base/err.h"
#include "base/xmalloc.h"
#include "engine/eng.h"
#include "queue/jq_exec.h"
#include "queue/jq_runner.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void print_event(void *ctx, const jq_event *ev)
{
	const tui_globals *g = ctx;
	if (ev->kind == JQ_EV_PROGRESS && !g->verbose)
		return;
	if (g->silent && ev->kind != JQ_EV_FAILED && ev->kind != JQ_EV_RETRY)
		return;
	if (ev->kind == JQ_EV_STOPPING || ev->kind == JQ_EV_IDLE)
		return;
	char text[1200];
	jq_event_describe(ev, text, sizeof text);
	FILE *out = (ev->kind == JQ_EV_FAILED || ev->kind == JQ_EV_RETRY) ? stderr : stdout;
	fprintf(out, "%s\n", text);
	fflush(out);
}

int tui_cmd_eqi(const tui_globals *g, int argc, char **argv)
{
	int prio = 3;
	if (argc > 1 || (argc == 1 && (strlen(argv[0]) != 1 || argv[0][0] < '1' ||
				      argv[0][0] > '3'))) {
		fprintf(stderr, "ngen: usage: ngen executeQueuedItems [1|2|3]\n");
		return NGEN_EXIT_USAGE;
	}
	if (argc == 1)
		prio = argv[0][0] - '0';
	char *cache = g->cache_dir ? xstrdup(g->cache_dir) : eng_default_cache_dir();
	jq_runner_opts o = {
		.cache_dir = cache,
		.max_priority = prio,
		.exec = jq_executor_engine(),
		.on_event = print_event,
		.event_ctx = (void *)g,
		.hold_foreground = true,
	};
	jq_policy_default(&o.policy);
	o.policy.backoff_s = 2;   /* someone is waiting at the terminal */
	jq_run_stats st;
	ng_diag d;
	int rc = jq_run_to_completion(&o, &st, &d);
	free(cache);
	if (rc < 0) {
		fprintf(stderr, "ngen: %s\n", ng_diag_text(&d));
		return rc == NG_ERR_PERM ? NGEN_EXIT_PERM : NGEN_EXIT_FAILED;
	}
	if (!g->silent)
		printf("Queued items of priority %d and higher are done: %d finished, %d failed.\n",
		       prio, st.finished, st.failed);
	return st.failed ? NGEN_EXIT_FAILED : NGEN_EXIT_OK;
}
