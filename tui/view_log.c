/* tui/view_log.c - the Log view: the cache's log, newest first. */
#include "tui/console.h"

static void log_build(tui_state *s)
{
	const tui_model *m = tui_model_of(s);
	tui_list *l = &s->lists[TUI_V_LOG];
	l->nrows = 0;
	for (int i = m->nlog - 1; i >= 0; i--)
		if (tui_match(m->log[i].text, l->filter) || tui_match(m->log[i].level, l->filter))
			tui_list_push(l, i);
	tui_list_clamp(l, tui_list_page(s));
}

static void log_draw(WINDOW *w, const tui_state *s, tui_rect r)
{
	const tui_model *m = tui_model_of(s);
	const tui_list *l = &s->lists[TUI_V_LOG];
	wattron(w, tui_attr(s, TUI_C_TITLE));
	tui_putf(w, r.y, r.x, r.w, "%-16s %-9s %s (%d lines, newest first)", "TIME (UTC)", "ACTION",
		 "MESSAGE", l->nrows);
	wattroff(w, tui_attr(s, TUI_C_TITLE));
	for (int i = 0; i < r.h - 1; i++) {
		int k = l->top + i;
		if (k >= l->nrows)
			break;
		const tui_logline *ln = &m->log[l->rows[k]];
		char when[32];
		tui_fmt_time(ln->when, when);
		attr_t a = k == l->sel ? tui_attr(s, TUI_C_SEL) :
			ln->level[0] == 'e' ? tui_attr(s, TUI_C_FAILED) :
			ln->level[0] == 'w' ? tui_attr(s, TUI_C_QUEUED) : A_NORMAL;
		wattron(w, a);
		tui_putf(w, r.y + 1 + i, r.x, r.w, "%-16s %-9.9s %s", when, ln->level, ln->text);
		wattroff(w, a);
	}
}

static tui_reaction log_handle(tui_state *s, tui_action a)
{
	if (a == TUI_ACT_ENTER) {
		s->show_details = !s->show_details;
		return TUI_R_REDRAW;
	}
	return tui_list_move(&s->lists[TUI_V_LOG], a, tui_list_page(s));
}

static tui_selection log_selected(const tui_state *s)
{
	const tui_list *l = &s->lists[TUI_V_LOG];
	if (l->sel >= l->nrows)
		return (tui_selection){ TUI_SEL_NONE, -1, -1, -1 };
	return (tui_selection){ TUI_SEL_LOG, l->rows[l->sel], -1, -1 };
}

const tui_view_ops tui_log_view = {
	.name = "log",
	.title = "Log",
	.build = log_build,
	.draw = log_draw,
	.handle = log_handle,
	.selected = log_selected,
};
