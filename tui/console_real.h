/* tui/console_real.h - the provider that shows a real cache.
 *
 * It reads the cache through engine/'s accessors and the queue through
 * queue/'s, runs the console's requests on the loop's worker pool through
 * the same engine functions as batch mode, and follows the service's
 * events; when another process changes the database it reloads. */
#ifndef TUI_CONSOLE_REAL_H
#define TUI_CONSOLE_REAL_H

#include "tui/console_model.h"

/* Opens the cache in dir (NULL: the default cache). On failure returns < 0
 * with the reason in d. The provider is freed with tui_provider_free(). */
int tui_real_open(const char *dir, tui_provider **out, ng_diag *d);

/* Benchmarks: milliseconds to read the whole cache, dependency edges
 * included (what the background reload does). */
double tui_real_full_load_ms(tui_provider *p);

#endif
