/* tui/cmd_display.c - `ngen display [NAME|PATH] [/verbose] [--json]`.
 *
 * Read-only: works for anyone who may read the cache (no administrative
 * rights needed); a cache that does not exist yet displays as empty. */
#include "tui/cmd.h"

#include <stdio.h>

#include "base/err.h"
#include "engine/eng.h"

int tui_cmd_display(const tui_globals *g, int argc, char **argv)
{
	ng_diag d;
	ng_diag_clear(&d);
	eng_request req;
	if (eng_args_parse(ENG_DISPLAY, argc, argv, NULL, &req, &d) < 0)
		return tui_eng_fail("display", &d);
	if (!g->nologo && !g->json)
		eng_banner(stdout);
	eng_cache *c = NULL;
	int rc = tui_eng_open(g, false, &c, &d);
	int flags = (g->verbose ? ENG_DISPLAY_VERBOSE : 0) | (g->json ? ENG_DISPLAY_JSON : 0);
	if (rc == 0)
		rc = eng_display(c, req.name, req.cwd, flags, stdout, &d);
	int code = rc == 0 ? NGEN_EXIT_OK : tui_eng_fail("display", &d);
	eng_cache_free(c);
	eng_request_close(&req);
	return code;
}
