/* tui/cmd_service.c - `ngen service [/daemon] [/workers:N]`.
 *
 * Runs the native image service for the cache in the foreground (events on
 * stderr) until the queue is empty, SIGTERM, or `queue`'s stop; /daemon
 * starts it detached instead (what a /queue request does on its own). One
 * service per cache: a second one exits with a message (silently with
 * /autostart, which jq_service_spawn passes).
 *
 * Settings: /workers:N or NGEN_SERVICE_WORKERS (default: the number of
 * CPUs); idle detection NGEN_IDLE_BUSY_PCT (25), NGEN_IDLE_AFTER_S (120),
 * NGEN_IDLE_SAMPLE_S (5), see queue/jq_idle.h. The systemd unit
 * dist/ngen.service runs this command. */
#include "tui/cmd.h"

#include "base/err.h"
#include "base/xmalloc.h"
#include "engine/eng.h"
#include "queue/jq_exec.h"
#include "queue/jq_service.h"

#include <stdio.h>
#include <stdlib.h>

int tui_cmd_service(const tui_globals *g, int argc, char **argv)
{
	bool daemon = false, autostart = false;
	int workers = 0;
	for (int i = 0; i < argc; i++) {
		const char *v;
		if (tui_is_option(argv[i], "daemon", NULL)) {
			daemon = true;
		} else if (tui_is_option(argv[i], "autostart", NULL)) {
			/* Started by a /queue request: when another request's
			 * service won the race for the lock, leave quietly. */
			autostart = true;
		} else if (tui_is_option(argv[i], "workers:", &v)) {
			workers = atoi(v);
			if (workers < 1 || workers > 256) {
				fprintf(stderr, "ngen: /workers: needs a number from 1 to 256\n");
				return NGEN_EXIT_USAGE;
			}
		} else {
			fprintf(stderr, "ngen: service: unknown argument '%s'\n"
				"usage: ngen service [/daemon] [/workers:N]\n", argv[i]);
			return NGEN_EXIT_USAGE;
		}
	}
	/* A service started by a /queue request has no command line of its
	 * own; the environment it inherits may still size its pool. */
	const char *env = getenv("NGEN_SERVICE_WORKERS");
	if (workers == 0 && env && atoi(env) > 0 && atoi(env) <= 256)
		workers = atoi(env);
	char *cache = g->cache_dir ? xstrdup(g->cache_dir) : eng_default_cache_dir();
	ng_diag d;
	int rc;
	if (daemon) {
		rc = jq_service_spawn(cache, &d);
	} else {
		jq_service_opts o = { .cache_dir = cache, .verbose = !g->silent };
		o.run.exec = jq_executor_engine();
		o.run.workers = workers;
		o.run.polite = true;
		rc = jq_service_run(&o, &d);
	}
	free(cache);
	if (rc == NG_ERR_BUSY && autostart)
		return NGEN_EXIT_OK;
	if (rc < 0) {
		fprintf(stderr, "ngen: %s\n", ng_diag_text(&d));
		return rc == NG_ERR_PERM ? NGEN_EXIT_PERM : NGEN_EXIT_FAILED;
	}
	return NGEN_EXIT_OK;
}
