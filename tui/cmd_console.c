/* tui/cmd_console.c - `ngen` with no action, or `ngen console [options]`:
 * the administration console on the cache from --cache / NGEN_CACHE or the
 * default one.
 *
 *   --ascii         ASCII line drawing instead of UTF-8
 *   --no-color      monochrome (NO_COLOR in the environment does the same)
 *   --fake N        show generated data (N images) instead of a cache:
 *                   for demonstrations and benchmarks, never writes
 *   --bench         draw off screen and print timings: first screen, and
 *                   key press to redraw (see bench/console.sh) */
#include "tui/cmd.h"
#include "tui/console.h"
#include "tui/console_real.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int tui_cmd_console(const tui_globals *g, int argc, char **argv)
{
	tui_options o = { 0 };
	int fake = 0;
	for (int i = 0; i < argc; i++) {
		if (tui_is_option(argv[i], "ascii", NULL)) {
			o.ascii = true;
		} else if (tui_is_option(argv[i], "no-color", NULL)) {
			o.no_color = true;
		} else if (tui_is_option(argv[i], "bench", NULL)) {
			o.bench = true;
		} else if (tui_is_option(argv[i], "fake", NULL) && i + 1 < argc) {
			fake = atoi(argv[++i]);
			if (fake <= 0) {
				fprintf(stderr, "ngen console: --fake needs a positive image count\n");
				return NGEN_EXIT_USAGE;
			}
		} else {
			fprintf(stderr, "ngen console: unknown argument '%s'; options: --ascii, "
				"--no-color, --fake N, --bench\n", argv[i]);
			return NGEN_EXIT_USAGE;
		}
	}
	tui_provider *p = NULL;
	if (fake) {
		p = tui_fake_new(fake);
	} else {
		ng_diag d;
		ng_diag_clear(&d);
		if (tui_real_open(g->cache_dir, &p, &d) < 0) {
			fprintf(stderr, "ngen console: %s\n", ng_diag_text(&d));
			return NGEN_EXIT_FAILED;
		}
	}
	int rc = o.bench ? tui_console_bench(p, stdout) : tui_console_run(p, &o);
	if (o.bench && rc == 0 && !fake)
		printf("console bench: the whole cache with its dependency edges: %.1f ms\n",
		       tui_real_full_load_ms(p));
	tui_provider_free(p);
	return rc < 0 ? NGEN_EXIT_FAILED : NGEN_EXIT_OK;
}
