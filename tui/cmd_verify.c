/* tui/cmd_verify.c - `ngen verify [/repair] [--json]`.
 *
 * Beyond Ngen: checks that the cache's records and files agree
 * (eng_verify); /repair fixes what it can and needs administrative rights.
 * Exit code 5 (NGEN_EXIT_INVALID) when problems remain. */
#include "tui/cmd.h"

#include <stdio.h>

#include <json-c/json.h>

#include "base/err.h"
#include "engine/eng.h"

typedef struct collector {
	const tui_globals *g;
	json_object *items;
} collector;

static void on_event(void *ctx, const eng_event *ev)
{
	collector *k = ctx;
	if (ev->kind != ENG_EV_MESSAGE)
		return;
	if (k->items)
		json_object_array_add(k->items, json_object_new_string(ev->text));
	else
		printf("%s\n", ev->text);
}

int tui_cmd_verify(const tui_globals *g, int argc, char **argv)
{
	ng_diag d;
	ng_diag_clear(&d);
	eng_request req;
	if (eng_args_parse(ENG_VERIFY, argc, argv, NULL, &req, &d) < 0)
		return tui_eng_fail("verify", &d);
	if (!g->nologo && !g->json)
		eng_banner(stdout);
	eng_cache *c = NULL;
	int rc = tui_eng_open(g, req.repair, &c, &d);
	collector k = { g, g->json ? json_object_new_array() : NULL };
	eng_run_opts o = { on_event, &k, NULL };
	eng_verify_result res = { 0 };
	if (rc == 0)
		rc = eng_verify(c, req.repair, &o, &res, &d);
	unsigned left = res.problems - res.repaired;
	if (rc == 0 && k.items) {
		json_object *top = json_object_new_object();
		json_object_object_add(top, "images", json_object_new_int64(res.images));
		json_object_object_add(top, "problems", json_object_new_int64(res.problems));
		json_object_object_add(top, "repaired", json_object_new_int64(res.repaired));
		json_object_object_add(top, "consistent", json_object_new_boolean(left == 0));
		json_object_object_add(top, "findings", k.items);
		k.items = NULL;
		puts(json_object_to_json_string_ext(top, JSON_C_TO_STRING_PRETTY |
						    JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(top);
	} else if (rc == 0 && !g->silent) {
		if (res.problems == 0)
			printf("The native image cache is consistent (%u images checked).\n", res.images);
		else if (left == 0)
			printf("%u problem(s) found and repaired (%u images checked).\n",
			       res.problems, res.images);
		else
			printf("%u problem(s) found (%u images checked); run 'ngen verify /repair'.\n",
			       left, res.images);
	}
	json_object_put(k.items);
	int code = rc < 0 ? tui_eng_fail("verify", &d) : left ? NGEN_EXIT_INVALID : NGEN_EXIT_OK;
	eng_cache_free(c);
	eng_request_close(&req);
	return code;
}
