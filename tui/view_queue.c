/* tui/view_queue.c - the Queue view: queued items grouped by priority 1,
 * 2 and 3 with state, attempts and last error, under a line giving the
 * service state and the idle state (priority 3 runs only while idle).
 *
 * Rows are item indices; a group heading is stored as -priority and is
 * skipped by the selection. */
#include "tui/console.h"

#include <stdio.h>
#include <string.h>

static void queue_build(tui_state *s)
{
	const tui_model *m = tui_model_of(s);
	tui_list *l = &s->lists[TUI_V_QUEUE];
	int64_t sel_id = l->sel < l->nrows && l->rows[l->sel] >= 0 && l->rows[l->sel] < m->nqueue ?
		m->queue[l->rows[l->sel]].id : -1;
	l->nrows = 0;
	for (int p = 1; p <= 3; p++) {
		tui_list_push(l, -p);
		for (int i = 0; i < m->nqueue; i++) {
			const tui_qitem *q = &m->queue[i];
			if (q->priority != p && !(p == 3 && (q->priority < 1 || q->priority > 3)))
				continue;
			if (l->filter[0] && !tui_match(q->target, l->filter) && !tui_match(q->state, l->filter))
				continue;
			tui_list_push(l, i);
		}
	}
	bool found = false;
	for (int i = 0; sel_id >= 0 && i < l->nrows; i++)
		if (l->rows[i] >= 0 && m->queue[l->rows[i]].id == sel_id) {
			l->sel = i;
			found = true;
			break;
		}
	/* The selection never rests on a heading while there is an item. */
	for (int i = l->sel; !found && i < l->nrows && l->rows[l->sel] < 0; i++)
		if (l->rows[i] >= 0)
			l->sel = i;
	for (int i = l->sel; !found && i >= 0 && l->sel < l->nrows && l->rows[l->sel] < 0; i--)
		if (l->rows[i] >= 0)
			l->sel = i;
	tui_list_clamp(l, tui_list_page(s) - 1);
}

static int count_prio(const tui_model *m, int p)
{
	int n = 0;
	for (int i = 0; i < m->nqueue; i++)
		n += m->queue[i].priority == p;
	return n;
}

static void queue_draw(WINDOW *w, const tui_state *s, tui_rect r)
{
	const tui_model *m = tui_model_of(s);
	const tui_list *l = &s->lists[TUI_V_QUEUE];
	wattron(w, tui_attr(s, m->service == TUI_SVC_PAUSED ? TUI_C_QUEUED : TUI_C_TITLE));
	tui_putf(w, r.y, r.x, r.w, "Service: %s   Idle: %s   Pool: %d/%d busy   (P/F9 pause or continue, "
		 "e run queued items)", tui_service_name(m->service), m->idle ? "yes" : "no",
		 m->pool_busy, m->pool_size);
	wattroff(w, tui_attr(s, m->service == TUI_SVC_PAUSED ? TUI_C_QUEUED : TUI_C_TITLE));
	int tw = (r.w - 26) / 2;
	if (tw < 12)
		tw = 12;
	for (int i = 0; i < r.h - 1; i++) {
		int k = l->top + i, y = r.y + 1 + i;
		if (k >= l->nrows)
			break;
		int v = l->rows[k];
		if (v < 0) {
			wattron(w, tui_attr(s, TUI_C_TITLE) | A_UNDERLINE);
			tui_putf(w, y, r.x, r.w, "Priority %d%s: %d item(s)", -v,
				 -v == 1 ? " (now)" : -v == 2 ? " (after 1)" : " (when idle)", count_prio(m, -v));
			wattroff(w, tui_attr(s, TUI_C_TITLE) | A_UNDERLINE);
			continue;
		}
		const tui_qitem *q = &m->queue[v];
		attr_t a = k == l->sel ? tui_attr(s, TUI_C_SEL) : A_NORMAL;
		if (k != l->sel && strcmp(q->state, "failed") == 0)
			a = tui_attr(s, TUI_C_FAILED);
		wattron(w, a);
		/* A long path keeps its end, the file name. */
		const char *tgt = q->target;
		bool cut = (int)strlen(tgt) > tw;
		if (cut)
			tgt += strlen(tgt) - (size_t)(tw - 3);
		tui_putf(w, y, r.x, r.w, "  %s%-*s %-7s %-7s %2d %s", cut ? "..." : "", cut ? tw - 3 : tw,
			 tgt, q->action, q->state, q->attempts, q->last_error);
		wattroff(w, a);
	}
}

static tui_reaction queue_handle(tui_state *s, tui_action a)
{
	tui_list *l = &s->lists[TUI_V_QUEUE];
	int page = tui_list_page(s) - 1;
	tui_reaction r = tui_list_move(l, a, page);
	if (r & TUI_R_UNHANDLED)
		return r;
	/* Step over group headings in the direction of travel, else back. */
	bool up = a == TUI_ACT_UP || a == TUI_ACT_PGUP || a == TUI_ACT_HOME;
	if (l->sel >= 0 && l->sel < l->nrows && l->rows[l->sel] < 0) {
		int i = l->sel;
		while (i >= 0 && i < l->nrows && l->rows[i] < 0)
			i += up ? -1 : 1;
		if (i < 0 || i >= l->nrows)
			for (i = l->sel; i >= 0 && i < l->nrows && l->rows[i] < 0;)
				i += up ? 1 : -1;
		if (i >= 0 && i < l->nrows)
			l->sel = i;
	}
	/* Keep the heading above the first item in view. */
	if (l->sel > 0 && l->sel < l->nrows && l->rows[l->sel - 1] < 0 && l->top == l->sel)
		l->top--;
	tui_list_clamp(l, page);
	return TUI_R_REDRAW;
}

static tui_selection queue_selected(const tui_state *s)
{
	const tui_list *l = &s->lists[TUI_V_QUEUE];
	if (l->sel >= l->nrows || l->rows[l->sel] < 0)
		return (tui_selection){ TUI_SEL_NONE, -1, -1, -1 };
	return (tui_selection){ TUI_SEL_QITEM, l->rows[l->sel], -1, -1 };
}

const tui_view_ops tui_queue_view = {
	.name = "queue",
	.title = "Queue",
	.build = queue_build,
	.draw = queue_draw,
	.handle = queue_handle,
	.selected = queue_selected,
};
