/* tui/cmd_update.c - `ngen update [/queue] [--json]`.
 *
 * Regenerates exactly the invalid images, printing why each was invalid
 * (eng_update); with nothing to do it says that all native images are up
 * to date. /queue hands the update to the service at priority 3, as Ngen
 * does. --json prints {"checked", "invalid": [...], "rebuilt", "failed"}. */
#include "tui/cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "base/err.h"
#include "engine/eng.h"
#include "queue/jq_client.h"
#include "queue/jq_lock.h"

typedef struct collector {
	void *printer;
	json_object *items;        /* --json: one object per invalid image */
	json_object *last;
} collector;

static void on_event(void *ctx, const eng_event *ev)
{
	collector *k = ctx;
	tui_eng_print_event(k->printer, ev);
	if (!k->items)
		return;
	if (ev->kind == ENG_EV_INVALID) {
		k->last = json_object_new_object();
		json_object_object_add(k->last, "identity", json_object_new_string(ev->name));
		json_object_object_add(k->last, "scenario",
				       json_object_new_string(eng_scenario_text(ev->scenario)));
		json_object_object_add(k->last, "reason", json_object_new_string(ev->text));
		json_object_array_add(k->items, k->last);
	} else if (ev->kind == ENG_EV_COMPILED && k->last) {
		json_object_object_add(k->last, "rebuilt", json_object_new_boolean(1));
		json_object_object_add(k->last, "methods_compiled", json_object_new_int64(ev->done));
	} else if (ev->kind == ENG_EV_MESSAGE && k->last) {
		json_object_object_add(k->last, "rebuilt", json_object_new_boolean(0));
		json_object_object_add(k->last, "error", json_object_new_string(ev->text));
	}
}

static int queue_update(const tui_globals *g, const eng_request *req, ng_diag *d)
{
	char *dir = g->cache_dir ? strdup(g->cache_dir) : eng_default_cache_dir();
	int64_t id = 0;
	bool created = false;
	/* Ngen always queues updates at priority 3. */
	int rc = jq_submit(dir, "update", 3, req->argc, req->argv, req->cwd, NULL, &id, &created, d);
	free(dir);
	if (rc < 0)
		return tui_eng_fail("update", d);
	if (!g->silent)
		printf("%s update at priority 3 (item %lld)\n", created ? "Queued" : "Already queued:",
		       (long long)id);
	return NGEN_EXIT_OK;
}

int tui_cmd_update(const tui_globals *g, int argc, char **argv)
{
	ng_diag d;
	ng_diag_clear(&d);
	eng_request req;
	if (eng_args_parse(ENG_UPDATE, argc, argv, NULL, &req, &d) < 0)
		return tui_eng_fail("update", &d);
	if (!g->nologo && !g->json)
		eng_banner(stdout);
	if (req.queue) {
		int code = queue_update(g, &req, &d);
		eng_request_close(&req);
		return code;
	}
	eng_cache *c = NULL;
	int fg = -1;
	int rc = tui_eng_open(g, true, &c, &d);
	if (rc == 0)
		jq_foreground_enter(eng_cache_dir(c), &fg);
	collector k = { tui_eng_printer_new(g), g->json ? json_object_new_array() : NULL, NULL };
	eng_run_opts o = { on_event, &k, NULL };
	eng_update_result res = { 0 };
	if (rc == 0)
		rc = eng_update(c, true, &o, &res, &d);
	tui_eng_printer_free(k.printer);
	if (fg >= 0)
		jq_foreground_leave(fg);
	if (g->json && (rc == 0 || res.checked)) {
		json_object *top = json_object_new_object();
		json_object_object_add(top, "checked", json_object_new_int64(res.checked));
		json_object_object_add(top, "invalid", k.items);
		json_object_object_add(top, "rebuilt", json_object_new_int64(res.rebuilt));
		json_object_object_add(top, "failed", json_object_new_int64(res.failed));
		k.items = NULL;
		puts(json_object_to_json_string_ext(top, JSON_C_TO_STRING_PRETTY |
						    JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(top);
	} else if (rc == 0 && !g->silent) {
		if (res.invalid == 0)
			printf("All native images are up to date (%u checked).\n", res.checked);
		else
			printf("Updated %u invalid native image(s) of %u.\n", res.rebuilt, res.checked);
	}
	json_object_put(k.items);
	int code = rc == 0 ? NGEN_EXIT_OK : tui_eng_fail("update", &d);
	eng_cache_free(c);
	eng_request_close(&req);
	return code;
}
