/* tests/tui/tui_test.c - see tui_test.h. */
#include "tui_test.h"

#include <criterion/criterion.h>
#include <locale.h>
#include <string.h>
#include <wchar.h>

void tt_open(tt_screen *t, int lines, int cols, int nimages)
{
	setlocale(LC_ALL, "C.UTF-8");
	memset(t, 0, sizeof *t);
	t->out = fopen("/dev/null", "w");
	t->in = fopen("/dev/null", "r");
	cr_assert(t->out && t->in);
	t->sc = newterm("xterm-256color", t->out, t->in);
	cr_assert(t->sc, "newterm failed");
	resizeterm(lines, cols);
	t->prov = tui_fake_new(nimages);
	cr_assert_eq(t->prov->ops->reload(t->prov), 0);
	tui_state_init(&t->s, t->prov, lines, cols);
	t->s.color = has_colors();
	if (t->s.color)
		tui_colors_init();
	t->s.utf8 = true;
}

void tt_close(tt_screen *t)
{
	tui_state_close(&t->s);
	tui_provider_free(t->prov);
	endwin();
	delscreen(t->sc);
	fclose(t->out);
	fclose(t->in);
}

void tt_draw(tt_screen *t)
{
	tui_state_sync(&t->s);
	tui_draw(stdscr, &t->s);
}

const char *tt_line(tt_screen *t, int y)
{
	static char buf[4096];
	wchar_t w[1024];
	int n = mvwinnwstr(stdscr, y, 0, w, 1000);
	if (n < 0)
		n = 0;
	w[n] = 0;
	size_t len = wcstombs(buf, w, sizeof buf - 1);
	if (len == (size_t)-1)
		len = 0;
	buf[len] = 0;
	return buf;
}

int tt_find(tt_screen *t, const char *text)
{
	for (int y = 0; y < t->s.lines; y++)
		if (strstr(tt_line(t, y), text))
			return y;
	return -1;
}

void tt_keys(tt_screen *t, const int *keys)
{
	for (; *keys; keys++)
		tui_handle_key(&t->s, *keys);
	tt_draw(t);
}

void tt_type(tt_screen *t, const char *text)
{
	for (; *text; text++)
		tui_handle_key(&t->s, (unsigned char)*text);
	tt_draw(t);
}

void tt_resize(tt_screen *t, int lines, int cols)
{
	resizeterm(lines, cols);
	t->s.lines = lines;
	t->s.cols = cols;
	t->s.gen++;
	tui_handle_key(&t->s, KEY_RESIZE);
	tt_draw(t);
}

void tt_dump(tt_screen *t)
{
	for (int y = 0; y < t->s.lines; y++)
		fprintf(stderr, "%2d|%s\n", y, tt_line(t, y));
}
