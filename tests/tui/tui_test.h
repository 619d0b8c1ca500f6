/* tests/tui/tui_test.h - drawing the console off screen for tests.
 *
 * A test opens a terminal of the given size on /dev/null (newterm), a
 * console state on the fake provider, and reads the screen back line by
 * line with mvwinnwstr, converted to UTF-8. */
#ifndef TESTS_TUI_TEST_H
#define TESTS_TUI_TEST_H

#include "tui/console.h"

typedef struct tt_screen {
	SCREEN *sc;
	FILE *out, *in;
	tui_provider *prov;
	tui_state s;
} tt_screen;

/* Opens a lines x cols screen over a fake provider of nimages images. */
void tt_open(tt_screen *t, int lines, int cols, int nimages);
void tt_close(tt_screen *t);
/* Syncs, draws the whole screen, returns line y (static buffer). */
const char *tt_line(tt_screen *t, int y);
void tt_draw(tt_screen *t);
/* The first line containing text, -1 if none (after a draw). */
int tt_find(tt_screen *t, const char *text);
/* Feeds keys (0-terminated) through tui_handle_key. */
void tt_keys(tt_screen *t, const int *keys);
void tt_type(tt_screen *t, const char *text);
void tt_resize(tt_screen *t, int lines, int cols);
void tt_dump(tt_screen *t);   /* the screen on stderr, to debug a test */

#endif
