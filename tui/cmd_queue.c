/* tui/cmd_queue.c - `ngen queue pause|continue|status`.
 *
 * Pause and continue work whether or not the service runs: the flag is kept
 * in the cache database (queue/jq.h), and a running service is told at once
 * over its socket. Status reads the database (items per priority, running
 * items with their stored progress) and, when the service runs, asks it for
 * its state and live progress. */
#include "tui/cmd.h"

#include "base/err.h"
#include "base/xmalloc.h"
#include "engine/eng.h"
#include "queue/jq.h"
#include "queue/jq_client.h"
#include "queue/jq_lock.h"
#include "queue/jq_service.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static char *cache_of(const tui_globals *g)
{
	return g->cache_dir ? xstrdup(g->cache_dir) : eng_default_cache_dir();
}

static int exit_code(int rc)
{
	if (rc == NG_ERR_PERM || rc == -EACCES || rc == -EPERM || rc == -EROFS)
		return NGEN_EXIT_PERM;
	if (rc == NG_ERR_USAGE)
		return NGEN_EXIT_USAGE;
	return NGEN_EXIT_FAILED;
}

static int set_paused(const tui_globals *g, const char *cache, bool pause)
{
	jq_db db;
	int rc = jq_db_open(&db, cache);
	if (rc == 0) {
		rc = jq_set_paused(&db, pause);
		if (rc < 0)
			fprintf(stderr, "ngen: %s\n", ng_diag_text(&db.diag));
	} else {
		fprintf(stderr, "ngen: %s\n", ng_diag_text(&db.diag));
	}
	bool pending = false;
	if (rc == 0)
		jq_has_pending(&db, 3, &pending);
	jq_db_close(&db);
	if (rc < 0)
		return exit_code(rc);
	ng_diag d;
	if (jq_service_running(cache, NULL)) {
		rc = jq_client_command(cache, pause ? "pause" : "continue", 0, &d);
		if (rc < 0) {
			fprintf(stderr, "ngen: %s\n", ng_diag_text(&d));
			return exit_code(rc);
		}
	} else if (!pause && pending) {
		/* Work is waiting and nobody runs it: continuing starts the service. */
		rc = jq_service_spawn(cache, &d);
		if (rc < 0) {
			fprintf(stderr, "ngen: %s\n", ng_diag_text(&d));
			return NGEN_EXIT_FAILED;
		}
	}
	if (!g->silent)
		printf(pause ? "The native image service is paused.\n"
			     : "The native image service has continued.\n");
	return NGEN_EXIT_OK;
}

static void print_items(const char *cache)
{
	jq_db db;
	if (jq_db_open(&db, cache) < 0)
		return;
	jq_item *items;
	int n;
	if (jq_list(&db, -1, &items, &n) == 0) {
		for (int i = 0; i < n; i++) {
			char *desc = jq_item_describe(&items[i]);
			printf("  #%lld  %-7s  priority %d  attempts %d  %s\n", (long long)items[i].id,
			       jq_state_name(items[i].state), items[i].priority, items[i].attempts,
			       desc);
			if (items[i].last_error)
				printf("         last error: %s\n", items[i].last_error);
			free(desc);
		}
		jq_items_free(items, n);
	}
	jq_db_close(&db);
}

static void print_json(const jq_status *st)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "state", json_object_new_string(jq_service_state_name(st->state)));
	json_object_object_add(o, "paused", json_object_new_boolean(st->paused_flag));
	if (st->pid)
		json_object_object_add(o, "pid", json_object_new_int(st->pid));
	if (st->idle_known)
		json_object_object_add(o, "idle", json_object_new_boolean(st->idle));
	const char *keys[] = { "queued", "running", "failed" };
	const int *vals[] = { st->counts.queued, st->counts.running, st->counts.failed };
	for (int k = 0; k < 3; k++) {
		json_object *a = json_object_new_array();
		for (int p = 1; p <= 3; p++)
			json_object_array_add(a, json_object_new_int(vals[k][p]));
		json_object_object_add(o, keys[k], a);
	}
	json_object *jobs = json_object_new_array();
	for (int i = 0; i < st->njobs; i++) {
		json_object *j = json_object_new_object();
		json_object_object_add(j, "id", json_object_new_int64(st->jobs[i].id));
		json_object_object_add(j, "priority", json_object_new_int(st->jobs[i].priority));
		json_object_object_add(j, "item", json_object_new_string(st->jobs[i].item));
		json_object_object_add(j, "done", json_object_new_int64(st->jobs[i].done));
		json_object_object_add(j, "total", json_object_new_int64(st->jobs[i].total));
		json_object_array_add(jobs, j);
	}
	json_object_object_add(o, "jobs", jobs);
	printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY));
	json_object_put(o);
}

static int show_status(const tui_globals *g, const char *cache)
{
	jq_status st;
	ng_diag d;
	int rc = jq_status_get(cache, &st, &d);
	if (rc < 0) {
		fprintf(stderr, "ngen: %s\n", ng_diag_text(&d));
		return exit_code(rc);
	}
	if (g->json) {
		print_json(&st);
		return NGEN_EXIT_OK;
	}
	printf("The native image service is %s.", jq_service_state_name(st.state));
	if (st.state == JQ_SERVICE_STOPPED && st.paused_flag)
		printf(" (It is paused: queued work waits for 'ngen queue continue'.)");
	if (st.pid)
		printf(" (pid %d%s)", st.pid, st.idle_known
		       ? (st.idle ? ", the machine is idle" : ", the machine is busy") : "");
	printf("\n");
	const jq_counts *c = &st.counts;
	printf("Queued items: priority 1: %d, priority 2: %d, priority 3: %d\n",
	       c->queued[1], c->queued[2], c->queued[3]);
	int failed = c->failed[1] + c->failed[2] + c->failed[3];
	if (failed)
		printf("Failed items: %d (ngen queue status /verbose shows their errors)\n", failed);
	if (st.njobs == 0)
		printf("Nothing is running now.\n");
	else
		printf("Running now:\n");
	for (int i = 0; i < st.njobs; i++) {
		const jq_job_info *j = &st.jobs[i];
		printf("  #%lld %s (priority %d)", (long long)j->id, j->item, j->priority);
		if (j->total)
			printf(": %u of %u methods", j->done, j->total);
		if (j->what[0])
			printf(", %s", j->what);
		printf("\n");
	}
	if (g->verbose) {
		printf("Items:\n");
		print_items(cache);
	}
	return NGEN_EXIT_OK;
}

int tui_cmd_queue(const tui_globals *g, int argc, char **argv)
{
	if (argc != 1) {
		fprintf(stderr, "ngen: usage: ngen queue {pause | continue | status}\n");
		return NGEN_EXIT_USAGE;
	}
	char *cache = cache_of(g);
	int rc;
	if (strcasecmp(argv[0], "pause") == 0)
		rc = set_paused(g, cache, true);
	else if (strcasecmp(argv[0], "continue") == 0)
		rc = set_paused(g, cache, false);
	else if (strcasecmp(argv[0], "status") == 0)
		rc = show_status(g, cache);
	else {
		fprintf(stderr, "ngen: queue: unknown operation '%s'; use pause, continue or"
			" status\n", argv[0]);
		rc = NGEN_EXIT_USAGE;
	}
	free(cache);
	return rc;
}
