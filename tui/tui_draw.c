/* tui/tui_draw.c - the frame around the views and the drawing helpers.
 *
 * The screen: a header line (cache, read-only flag, counts, service and
 * idle state), the view tabs, the current view's list, the details pane
 * (beside the list on wide terminals, below it otherwise), a status line
 * and the function-key bar generated from the key table. Layout is one
 * function (tui_layout_of) used by drawing and by the mouse alike.
 *
 * Colour is chosen per role; without colour (a monochrome terminal or
 * NO_COLOR) each role falls back to bold, reverse or underline. Line
 * drawing uses UTF-8 glyphs unless the locale is not UTF-8. Drawing only
 * writes into the WINDOW; the loop decides when to refresh, and ncurses'
 * diffing keeps live updates free of flicker. */
#include "tui/console.h"

#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static const struct { short fg, bg; attr_t extra, mono; } roles[TUI_C_COUNT_] = {
	[TUI_C_NORMAL]    = { -1, -1, 0, 0 },
	[TUI_C_HEADER]    = { COLOR_WHITE, COLOR_BLUE, A_BOLD, A_REVERSE },
	[TUI_C_TAB]       = { COLOR_CYAN, -1, 0, 0 },
	[TUI_C_TAB_ON]    = { COLOR_BLACK, COLOR_CYAN, 0, A_REVERSE | A_BOLD },
	[TUI_C_BARKEY]    = { COLOR_WHITE, -1, A_BOLD, A_BOLD },
	[TUI_C_BARTEXT]   = { COLOR_BLACK, COLOR_CYAN, 0, A_REVERSE },
	[TUI_C_SEL]       = { COLOR_BLACK, COLOR_CYAN, 0, A_REVERSE },
	[TUI_C_VALID]     = { COLOR_GREEN, -1, 0, 0 },
	[TUI_C_INVALID]   = { COLOR_RED, -1, A_BOLD, A_BOLD },
	[TUI_C_QUEUED]    = { COLOR_YELLOW, -1, 0, A_UNDERLINE },
	[TUI_C_COMPILING] = { COLOR_CYAN, -1, A_BOLD, A_BOLD },
	[TUI_C_FAILED]    = { COLOR_MAGENTA, -1, A_BOLD, A_BOLD | A_UNDERLINE },
	[TUI_C_DIM]       = { COLOR_BLUE, -1, A_BOLD, A_DIM },
	[TUI_C_TITLE]     = { COLOR_CYAN, -1, A_BOLD, A_BOLD },
	[TUI_C_ERROR]     = { COLOR_WHITE, COLOR_RED, A_BOLD, A_REVERSE | A_BOLD },
	[TUI_C_BAR_DONE]  = { COLOR_GREEN, -1, A_BOLD, A_BOLD },
	[TUI_C_DIALOG]    = { COLOR_WHITE, COLOR_BLUE, 0, A_NORMAL },
};

void tui_colors_init(void)
{
	if (!has_colors())
		return;
	start_color();
	use_default_colors();
	for (int i = 1; i < TUI_C_COUNT_; i++)
		init_pair((short)i, roles[i].fg, roles[i].bg);
}

attr_t tui_attr(const tui_state *s, int role)
{
	if (role <= 0 || role >= TUI_C_COUNT_)
		return A_NORMAL;
	if (!s->color)
		return roles[role].mono;
	return COLOR_PAIR(role) | roles[role].extra;
}

attr_t tui_status_attr(const tui_state *s, tui_status st)
{
	static const int map[TUI_ST_COUNT_] = {
		TUI_C_VALID, TUI_C_INVALID, TUI_C_QUEUED, TUI_C_COMPILING, TUI_C_FAILED,
	};
	return (unsigned)st < TUI_ST_COUNT_ ? tui_attr(s, map[st]) : A_NORMAL;
}

const char *tui_glyph_str(const tui_state *s, tui_glyph g)
{
	static const char *const utf8[TUI_G_COUNT_] = {
		"\u251c\u2500 ", "\u2514\u2500 ", "\u2502  ", "\u25be ", "\u25b8 ", "\u2588", "\u2591",
	};
	static const char *const ascii[TUI_G_COUNT_] = {
		"|- ", "`- ", "|  ", "- ", "+ ", "#", ".",
	};
	return (unsigned)g < TUI_G_COUNT_ ? (s->utf8 ? utf8[g] : ascii[g]) : "";
}

/* Writes at most cols display columns of str, then pads with spaces. */
void tui_put(WINDOW *w, int y, int x, int cols, const char *str)
{
	if (cols <= 0)
		return;
	wmove(w, y, x);
	int used = 0;
	const unsigned char *p = (const unsigned char *)str;
	while (*p && used < cols) {
		/* One UTF-8 sequence is one column for everything we print. */
		int len = *p < 0x80 ? 1 : *p >= 0xf0 ? 4 : *p >= 0xe0 ? 3 : *p >= 0xc0 ? 2 : 1;
		char c = (char)*p;
		if (len == 1 && (c == '\t' || c == '\n' || c == '\r' || (unsigned char)c < 32))
			waddch(w, ' ');
		else
			waddnstr(w, (const char *)p, len);
		p += len;
		used++;
	}
	for (; used < cols; used++)
		waddch(w, ' ');
}

void tui_put_tail(WINDOW *w, int y, int x, int cols, const char *str)
{
	size_t n = strlen(str);
	if ((int)n <= cols || cols < 8) {
		tui_put(w, y, x, cols, str);
		return;
	}
	const char *tail = str + n - (size_t)(cols - 3);
	while (((unsigned char)*tail & 0xc0) == 0x80)
		tail++;           /* start on a whole UTF-8 character */
	char buf[1024];
	snprintf(buf, sizeof buf, "...%s", tail);
	tui_put(w, y, x, cols, buf);
}

void tui_putf(WINDOW *w, int y, int x, int cols, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	tui_put(w, y, x, cols, buf);
}

void tui_fmt_size(int64_t bytes, char buf[16])
{
	if (bytes < 1024)
		snprintf(buf, 16, "%dB", (int)(bytes < 0 ? 0 : bytes));
	else if (bytes < 1024 * 1024)
		snprintf(buf, 16, "%.1fK", (double)bytes / 1024);
	else
		snprintf(buf, 16, "%.1fM", (double)bytes / (1024.0 * 1024));
}

void tui_fmt_time(int64_t t, char buf[32])
{
	if (t <= 0) {
		snprintf(buf, 32, "never");
		return;
	}
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(buf, 32, "%Y-%m-%d %H:%M", &tm);
}

void tui_fmt_secs(double secs, char buf[16])
{
	if (secs < 0)
		snprintf(buf, 16, "-");
	else if (secs < 60)
		snprintf(buf, 16, "%.1fs", secs);
	else if (secs < 3600)
		snprintf(buf, 16, "%dm%02ds", (int)secs / 60, (int)secs % 60);
	else
		snprintf(buf, 16, "%dh%02dm", (int)secs / 3600, (int)secs / 60 % 60);
}

void tui_progress(WINDOW *w, const tui_state *s, int y, int x, int cols, int done, int total)
{
	if (cols <= 0)
		return;
	int fill = total > 0 ? (int)((long long)done * cols / total) : 0;
	wmove(w, y, x);
	wattron(w, tui_attr(s, TUI_C_BAR_DONE));
	for (int i = 0; i < fill; i++)
		waddstr(w, tui_glyph_str(s, TUI_G_FULL));
	wattroff(w, tui_attr(s, TUI_C_BAR_DONE));
	wattron(w, tui_attr(s, TUI_C_DIM));
	for (int i = fill; i < cols; i++)
		waddstr(w, tui_glyph_str(s, TUI_G_EMPTY));
	wattroff(w, tui_attr(s, TUI_C_DIM));
}

void tui_box_title(WINDOW *w, const tui_state *s, tui_rect r, const char *title)
{
	if (r.h < 2 || r.w < 4)
		return;
	const char *h = s->utf8 ? "\u2500" : "-";
	wmove(w, r.y, r.x);
	for (int i = 0; i < r.w; i++)
		waddstr(w, h);
	wattron(w, tui_attr(s, TUI_C_TITLE));
	mvwprintw(w, r.y, r.x + 1, " %.*s ", r.w - 4, title);
	wattroff(w, tui_attr(s, TUI_C_TITLE));
}

void tui_layout_of(const tui_state *s, tui_layout *l)
{
	int lines = s->lines, cols = s->cols;
	memset(l, 0, sizeof *l);
	l->header = (tui_rect){ 0, 0, 1, cols };
	l->tabs = (tui_rect){ 1, 0, 1, cols };
	l->bar = (tui_rect){ lines - 1, 0, 1, cols };
	l->status = (tui_rect){ lines - 2, 0, 1, cols };
	int top = 2, h = lines - 4;
	if (h < 1)
		h = 1;
	l->list = (tui_rect){ top, 0, h, cols };
	if (!s->show_details || h < 6)
		return;
	if (cols >= 140) {
		int dw = cols * 2 / 5;
		l->list.w = cols - dw - 1;
		l->details = (tui_rect){ top, cols - dw, h, dw };
	} else {
		int dh = h / 2 < 14 ? h / 2 : 14;
		l->list.h = h - dh;
		l->details = (tui_rect){ top + h - dh, 0, dh, cols };
	}
}

void tui_tab_span(int i, int *x0, int *x1)
{
	int x = 0;
	for (int t = 0; t < TUI_V_COUNT; t++) {
		int wdt = (int)strlen(tui_view((tui_view_id)t)->title) + 4;
		if (t == i) {
			*x0 = x;
			*x1 = x + wdt;
			return;
		}
		x += wdt + 1;
	}
	*x0 = *x1 = -1;
}

/* Walks the bar cells; calls back with each cell's action and x range. */
static int bar_cells(int cols, tui_action *hit, int hit_x)
{
	int x = 0, gap = cols >= 90 ? 1 : 0;
	for (size_t i = 0; i < tui_nkeydefs; i++) {
		const tui_keydef *d = &tui_keydefs[i];
		int f = tui_action_fkey(d->action);
		if (!d->bar || !f)
			continue;
		int wdt = (f >= 10 ? 3 : 2) + (int)strlen(d->bar) + gap;
		if (hit && hit_x >= x && hit_x < x + wdt) {
			*hit = d->action;
			return x;
		}
		x += wdt;
	}
	return x;
}

tui_action tui_bar_action_at(int x, int cols)
{
	tui_action a = TUI_ACT_NONE;
	bar_cells(cols, &a, x);
	return a;
}

static void draw_bar(WINDOW *w, const tui_state *s, tui_rect r)
{
	int x = 0, gap = r.w >= 90 ? 1 : 0;
	wmove(w, r.y, 0);
	for (size_t i = 0; i < tui_nkeydefs; i++) {
		const tui_keydef *d = &tui_keydefs[i];
		int f = tui_action_fkey(d->action);
		if (!d->bar || !f)
			continue;
		int wdt = (f >= 10 ? 3 : 2) + (int)strlen(d->bar) + gap;
		if (x + wdt > r.w)
			break;
		wattron(w, tui_attr(s, TUI_C_BARKEY));
		mvwprintw(w, r.y, x, "F%d", f);
		wattroff(w, tui_attr(s, TUI_C_BARKEY));
		wattron(w, tui_attr(s, TUI_C_BARTEXT));
		wprintw(w, "%s", d->bar);
		wattroff(w, tui_attr(s, TUI_C_BARTEXT));
		if (gap)
			waddch(w, ' ');
		x += wdt;
	}
	if (x < r.w)
		tui_put(w, r.y, x, r.w - x, "");
}

static void draw_header(WINDOW *w, const tui_state *s, tui_rect r)
{
	const tui_model *m = tui_model_of(s);
	int invalid = 0, running = 0;
	for (int i = 0; i < m->nimages; i++)
		invalid += m->images[i].status == TUI_ST_INVALID || m->images[i].status == TUI_ST_FAILED;
	for (int i = 0; i < m->njobs; i++)
		running += m->jobs[i].state == TUI_JOB_RUNNING;
	char buf[1024];
	/* Most important first: the header is cut at the right edge. */
	snprintf(buf, sizeof buf, " ngen console%s | service %s | idle %s | %d images, %d invalid | "
		 "queue %d | jobs %d | %s", m->read_only ? " [READ-ONLY]" : "",
		 tui_service_name(m->service), m->idle ? "yes" : "no", m->nimages, invalid,
		 m->nqueue, running, m->cache_dir);
	wattron(w, tui_attr(s, TUI_C_HEADER));
	tui_put(w, r.y, r.x, r.w, buf);
	wattroff(w, tui_attr(s, TUI_C_HEADER));
}

static void draw_tabs(WINDOW *w, const tui_state *s, tui_rect r)
{
	tui_put(w, r.y, 0, r.w, "");
	for (int t = 0; t < TUI_V_COUNT; t++) {
		int x0, x1;
		tui_tab_span(t, &x0, &x1);
		if (x1 > r.w)
			break;
		int role = t == (int)s->view ? TUI_C_TAB_ON : TUI_C_TAB;
		wattron(w, tui_attr(s, role));
		mvwprintw(w, r.y, x0, " %d %s ", t + 1, tui_view((tui_view_id)t)->title);
		wattroff(w, tui_attr(s, role));
	}
}

static void draw_status(WINDOW *w, const tui_state *s, tui_rect r)
{
	const tui_model *m = tui_model_of(s);
	const char *text = s->message[0] ? s->message : m->message;
	if (s->msg_error && s->message[0])
		wattron(w, tui_attr(s, TUI_C_ERROR));
	if (!text[0]) {
		const tui_list *l = &s->lists[s->view];
		char buf[256];
		snprintf(buf, sizeof buf, " %s%s%s  ?:help  Tab:next view  Enter:open  /:filter",
			 tui_view(s->view)->title, l->filter[0] ? "  filter: " : "", l->filter);
		tui_put(w, r.y, 0, r.w, buf);
	} else {
		tui_putf(w, r.y, 0, r.w, " %s", text);
	}
	wattroff(w, tui_attr(s, TUI_C_ERROR));
}

void tui_draw(WINDOW *w, const tui_state *s)
{
	tui_layout l;
	tui_layout_of(s, &l);
	werase(w);
	draw_header(w, s, l.header);
	draw_tabs(w, s, l.tabs);
	if (s->help) {
		tui_draw_help(w, s);
	} else {
		tui_view(s->view)->draw(w, s, l.list);
		if (l.details.h > 0)
			tui_draw_details(w, s, l.details);
	}
	draw_status(w, s, l.status);
	draw_bar(w, s, l.bar);
	if (s->dlg.kind != TUI_DLG_NONE)
		tui_draw_dialog(w, s);
}

void tui_draw_help(WINDOW *w, const tui_state *s)
{
	tui_layout l;
	tui_layout_of(s, &l);
	tui_rect r = { 2, 0, s->lines - 4, s->cols };
	char *lines[128];
	int n = tui_help_lines(lines, 128);
	tui_box_title(w, s, (tui_rect){ r.y, r.x, r.h, r.w },
		      "Help: keys (Up/Down scroll, q or Esc closes)");
	static const char *const mouse =
		"  Mouse            click a row, a tab or an F-key; double-click opens; wheel scrolls";
	for (int i = 0; i < r.h - 1; i++) {
		int k = s->help_top + i;
		tui_put(w, r.y + 1 + i, r.x, r.w, k < n ? lines[k] : k == n + 1 ? mouse : "");
	}
	for (int i = 0; i < n; i++)
		free(lines[i]);
}
