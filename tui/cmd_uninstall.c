/* tui/cmd_uninstall.c - `ngen uninstall NAME|PATH [scenarios] [config]`.
 *
 * Takes the arguments of the install it undoes (a partial display name is
 * enough, as in Ngen); the engine removes the matching roots and every
 * image no other root needs (eng_uninstall). `uninstall *` is refused as
 * in .NET 4. */
#include "tui/cmd.h"

#include <stdio.h>

#include "base/err.h"
#include "engine/eng.h"
#include "queue/jq_lock.h"

int tui_cmd_uninstall(const tui_globals *g, int argc, char **argv)
{
	ng_diag d;
	ng_diag_clear(&d);
	eng_request req;
	if (eng_args_parse(ENG_UNINSTALL, argc, argv, NULL, &req, &d) < 0)
		return tui_eng_fail("uninstall", &d);
	if (!g->nologo)
		eng_banner(stdout);
	eng_cache *c = NULL;
	int fg = -1;
	int rc = tui_eng_open(g, true, &c, &d);
	if (rc == 0)
		jq_foreground_enter(eng_cache_dir(c), &fg);
	void *pr = tui_eng_printer_new(g);
	eng_run_opts o = { tui_eng_print_event, pr, NULL };
	unsigned roots = 0, images = 0;
	if (rc == 0) {
		if (!g->silent)
			printf("Uninstalling assembly %s%s%s\n", req.name, req.scenario ? " " : "",
			       eng_scenario_text(req.scenario));
		rc = eng_uninstall(c, &req, &o, &roots, &images, &d);
	}
	tui_eng_printer_free(pr);
	if (fg >= 0)
		jq_foreground_leave(fg);
	if (rc == 0 && !g->silent)
		printf("Uninstalled %u root(s); %u native image(s) removed\n", roots, images);
	int code = rc == 0 ? NGEN_EXIT_OK : tui_eng_fail("uninstall", &d);
	eng_cache_free(c);
	eng_request_close(&req);
	return code;
}
