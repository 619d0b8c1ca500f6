/* tui/console_input.c - state, and input to actions to reactions.
 *
 * A key goes first to the open dialog or the help screen (they take raw
 * keys), otherwise through the key table to an action. The current view's
 * handle() gets the action first (movement, expand, sort); what it leaves
 * (TUI_R_UNHANDLED) is a global action: switch view, filter, and the
 * administrative requests, which open a dialog or go to the provider. No
 * function here draws. */
#include "tui/console.h"

#include "base/xmalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const tui_view_ops *const views[TUI_V_COUNT] = {
	&tui_roots_view, &tui_images_view, &tui_queue_view, &tui_jobs_view, &tui_log_view,
};

const tui_view_ops *tui_view(tui_view_id id)
{
	return (unsigned)id < TUI_V_COUNT ? views[id] : views[0];
}

void tui_state_init(tui_state *s, tui_provider *p, int lines, int cols)
{
	memset(s, 0, sizeof *s);
	s->prov = p;
	s->lines = lines;
	s->cols = cols;
	s->show_details = true;
	s->gen = 1;
	s->rank_version = UINT64_MAX;
	for (int v = 0; v < TUI_V_COUNT; v++)
		s->lists[v].built_version = UINT64_MAX;
}

void tui_state_close(tui_state *s)
{
	tui_dialog_close(s);
	for (int v = 0; v < TUI_V_COUNT; v++)
		free(s->lists[v].rows);
	free(s->tree);
	free(s->expanded);
	free(s->name_rank);
	memset(s, 0, sizeof *s);
}

void tui_state_sync(tui_state *s)
{
	tui_list *l = &s->lists[s->view];
	const tui_model *m = tui_model_of(s);
	if (m->message_seq != s->seen_message_seq) {
		s->seen_message_seq = m->message_seq;
		s->message[0] = 0;
		s->msg_error = false;
	}
	if (l->built_version == m->version && l->built_gen == s->gen)
		return;
	tui_view(s->view)->build(s);
	l->built_version = m->version;
	l->built_gen = s->gen;
}

void tui_state_message(tui_state *s, bool error, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s->message, sizeof s->message, fmt, ap);
	va_end(ap);
	s->msg_error = error;
}

static tui_reaction switch_view(tui_state *s, tui_view_id v)
{
	s->view = v;
	s->message[0] = 0;
	return TUI_R_REBUILD | TUI_R_REDRAW;
}

/* The root an uninstall would remove, from the current selection. */
static int selected_root(const tui_state *s)
{
	const tui_model *m = tui_model_of(s);
	tui_selection sel = tui_view(s->view)->selected(s);
	if (sel.root >= 0)
		return sel.root;
	for (int r = 0; sel.image >= 0 && r < m->nroots; r++)
		if (m->roots[r].image == sel.image)
			return r;
	return -1;
}

static tui_reaction ask_uninstall(tui_state *s)
{
	const tui_model *m = tui_model_of(s);
	int r = selected_root(s);
	if (r < 0) {
		tui_state_message(s, true, "uninstall: select a root (Roots view) or a root's own image");
		return TUI_R_REDRAW;
	}
	int *gone, *stays, ngone, nstays;
	tui_model_uninstall_plan(m, r, &gone, &ngone, &stays, &nstays);
	tui_request req = { .kind = TUI_REQ_UNINSTALL, .target = m->roots[r].args, .id = m->roots[r].id };
	tui_dialog_close(s);
	char title[128];
	snprintf(title, sizeof title, "Uninstall %.100s?", m->roots[r].args);
	tui_open_confirm(s, title, &req);
	tui_dialog_add_line(s, "Will be removed (%d image(s)):", ngone);
	for (int i = 0; i < ngone && s->dlg.nlines < 9; i++)
		tui_dialog_add_line(s, "  - %s", m->images[gone[i]].name);
	if (ngone > 8)
		tui_dialog_add_line(s, "  ... and %d more", ngone - 8);
	tui_dialog_add_line(s, "Stays, needed by other roots (%d image(s)):", nstays);
	int shown = 0;
	for (int i = 0; i < nstays && shown < 8; i++, shown++)
		tui_dialog_add_line(s, "  = %s", m->images[stays[i]].name);
	if (nstays > shown)
		tui_dialog_add_line(s, "  ... and %d more", nstays - shown);
	free(gone);
	free(stays);
	return TUI_R_REDRAW;
}

static tui_reaction queue_request(tui_state *s, tui_req_kind kind)
{
	const tui_model *m = tui_model_of(s);
	tui_selection sel = tui_view(s->view)->selected(s);
	if (sel.kind != TUI_SEL_QITEM) {
		tui_state_message(s, true, "select a queued item in the Queue view (3) first");
		return TUI_R_REDRAW;
	}
	const tui_qitem *q = &m->queue[sel.index];
	tui_request req = { .kind = kind, .target = q->target, .id = q->id, .priority = q->priority };
	char title[160];
	if (kind == TUI_REQ_PRIORITY) {
		snprintf(title, sizeof title, "New priority for %.100s", q->target);
		tui_open_choice(s, title, &req);
		tui_dialog_add_line(s, "Currently priority %d. 1 runs now, 2 after every 1, 3 when idle.",
				    q->priority);
	} else {
		snprintf(title, sizeof title, "Cancel %.100s?", q->target);
		tui_dialog_close(s);
		tui_open_confirm(s, title, &req);
		tui_dialog_add_line(s, "Removes the item from the queue (priority %d, %s).", q->priority, q->state);
	}
	return TUI_R_REDRAW;
}

static tui_reaction admin_action(tui_state *s, tui_action a)
{
	const tui_model *m = tui_model_of(s);
	tui_request req = { .priority = 3 };
	/* On a read-only cache, say so before asking anything; verify reads. */
	bool writes = a == TUI_ACT_INSTALL || a == TUI_ACT_UNINSTALL || a == TUI_ACT_PRIORITY ||
		a == TUI_ACT_CANCEL || a == TUI_ACT_EQI || a == TUI_ACT_UPDATE ||
		a == TUI_ACT_REPAIR || a == TUI_ACT_PAUSE;
	if (m->read_only && writes) {
		tui_request probe = { .kind = TUI_REQ_INSTALL };
		return tui_submit(s, &probe);    /* refuses, with the reason */
	}
	switch (a) {
	case TUI_ACT_INSTALL: tui_open_install(s); return TUI_R_REDRAW;
	case TUI_ACT_UNINSTALL: return ask_uninstall(s);
	case TUI_ACT_PRIORITY: return queue_request(s, TUI_REQ_PRIORITY);
	case TUI_ACT_CANCEL: return queue_request(s, TUI_REQ_CANCEL);
	case TUI_ACT_EQI:
		req.kind = TUI_REQ_EQI;
		tui_open_choice(s, "Run queued items now", &req);
		tui_dialog_add_line(s, "Run the queued items of priority N and higher (1 is the highest).");
		return TUI_R_REDRAW;
	case TUI_ACT_UPDATE: req.kind = TUI_REQ_UPDATE; break;
	case TUI_ACT_VERIFY: req.kind = TUI_REQ_VERIFY; break;
	case TUI_ACT_REPAIR: req.kind = TUI_REQ_REPAIR; break;
	case TUI_ACT_PAUSE:
		req.kind = m->service == TUI_SVC_PAUSED ? TUI_REQ_CONTINUE : TUI_REQ_PAUSE;
		tui_state_message(s, false, "%s the service", req.kind == TUI_REQ_PAUSE ? "pausing" : "continuing");
		return tui_submit(s, &req);
	default: return TUI_R_NONE;
	}
	s->message[0] = 0;
	s->msg_error = false;
	tui_reaction r = tui_submit(s, &req);
	if (!s->msg_error)
		s->view = TUI_V_JOBS;
	return r | TUI_R_REBUILD;
}

tui_reaction tui_handle_action(tui_state *s, tui_action a)
{
	tui_reaction r = tui_view(s->view)->handle(s, a);
	if (!(r & TUI_R_UNHANDLED))
		return r;
	switch (a) {
	case TUI_ACT_QUIT: s->quit = true; return TUI_R_QUIT;
	case TUI_ACT_HELP: s->help = true; s->help_top = 0; return TUI_R_REDRAW;
	case TUI_ACT_NEXT_VIEW: return switch_view(s, (s->view + 1) % TUI_V_COUNT);
	case TUI_ACT_PREV_VIEW: return switch_view(s, (s->view + TUI_V_COUNT - 1) % TUI_V_COUNT);
	case TUI_ACT_ROOTS: return switch_view(s, TUI_V_ROOTS);
	case TUI_ACT_IMAGES: return switch_view(s, TUI_V_IMAGES);
	case TUI_ACT_QUEUE: return switch_view(s, TUI_V_QUEUE);
	case TUI_ACT_JOBS: return switch_view(s, TUI_V_JOBS);
	case TUI_ACT_LOG: return switch_view(s, TUI_V_LOG);
	case TUI_ACT_FILTER: tui_open_filter(s); return TUI_R_REDRAW;
	case TUI_ACT_INVALID:
		s->invalid_only = !s->invalid_only;
		s->gen++;
		s->lists[TUI_V_IMAGES].sel = s->lists[TUI_V_IMAGES].top = 0;
		tui_state_message(s, false, s->invalid_only ? "showing invalid images only (i: all)" :
				  "showing all images");
		s->view = TUI_V_IMAGES;
		return TUI_R_REBUILD | TUI_R_REDRAW;
	case TUI_ACT_DETAILS: s->show_details = !s->show_details; return TUI_R_REDRAW;
	case TUI_ACT_RELOAD: return TUI_R_RELOAD | TUI_R_REBUILD | TUI_R_REDRAW;
	case TUI_ACT_SORT: case TUI_ACT_REVERSE:
		s->view = TUI_V_IMAGES;
		return tui_view(s->view)->handle(s, a) | TUI_R_REBUILD;
	default: return admin_action(s, a);
	}
}

/* The help has one line per key table entry, a blank and the mouse line,
 * in a box of lines - 5 rows; scrolling stops at its last line. */
static tui_reaction help_key(tui_state *s, int key)
{
	tui_action a = tui_key_action(key);
	if (a == TUI_ACT_UP && s->help_top > 0)
		s->help_top--;
	else if (a == TUI_ACT_DOWN && s->help_top < (int)tui_nkeydefs + 2 - (s->lines - 5))
		s->help_top++;
	else if (a == TUI_ACT_QUIT || a == TUI_ACT_HELP || key == 27 || a == TUI_ACT_ENTER)
		s->help = false;
	return TUI_R_REDRAW;
}

tui_reaction tui_handle_key(tui_state *s, int key)
{
	/* Rows must reflect the previous key before this one moves over them. */
	tui_state_sync(s);
	if (key == KEY_RESIZE)
		return TUI_R_REDRAW | TUI_R_REBUILD;
	if (s->dlg.kind != TUI_DLG_NONE)
		return tui_dialog_key(s, key);
	if (s->help)
		return help_key(s, key);
	tui_action a = tui_key_action(key);
	if (a == TUI_ACT_NONE) {
		if (key == 27 && s->lists[s->view].filter[0]) {
			s->lists[s->view].filter[0] = 0;
			s->gen++;
			return TUI_R_REBUILD | TUI_R_REDRAW;
		}
		return TUI_R_NONE;
	}
	if (a != TUI_ACT_PAUSE && a != TUI_ACT_SORT)
		s->msg_error = false, s->message[0] = 0;
	return tui_handle_action(s, a);
}

static tui_reaction click_list(tui_state *s, const tui_layout *l, int y, unsigned long b)
{
	tui_list *lst = &s->lists[s->view];
	int row = lst->top + (y - l->list.y - 1);
	if (row < 0 || row >= lst->nrows)
		return TUI_R_NONE;
	lst->sel = row;
	if (s->view == TUI_V_QUEUE && lst->rows[row] < 0)
		return tui_view(s->view)->handle(s, TUI_ACT_DOWN);
	if (b & BUTTON1_DOUBLE_CLICKED)
		return tui_handle_action(s, TUI_ACT_ENTER);
	return TUI_R_REDRAW;
}

tui_reaction tui_handle_mouse(tui_state *s, int y, int x, unsigned long b)
{
	tui_layout l;
	tui_layout_of(s, &l);
	tui_state_sync(s);
	if (s->dlg.kind != TUI_DLG_NONE || s->help)
		return TUI_R_NONE;
#ifdef BUTTON5_PRESSED
	if (b & (BUTTON4_PRESSED | BUTTON5_PRESSED)) {
		tui_action a = b & BUTTON4_PRESSED ? TUI_ACT_UP : TUI_ACT_DOWN;
		tui_reaction r = 0;
		for (int i = 0; i < 3; i++)
			r |= tui_view(s->view)->handle(s, a);
		return r & ~TUI_R_UNHANDLED;
	}
#endif
	if (!(b & (BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON1_DOUBLE_CLICKED | BUTTON1_RELEASED)))
		return TUI_R_NONE;
	if (y == l.tabs.y) {
		for (int t = 0; t < TUI_V_COUNT; t++) {
			int x0, x1;
			tui_tab_span(t, &x0, &x1);
			if (x >= x0 && x < x1)
				return switch_view(s, (tui_view_id)t);
		}
		return TUI_R_NONE;
	}
	if (y == l.bar.y) {
		tui_action a = tui_bar_action_at(x, s->cols);
		return a ? tui_handle_action(s, a) : TUI_R_NONE;
	}
	if (y > l.list.y && y < l.list.y + l.list.h && x >= l.list.x && x < l.list.x + l.list.w)
		return click_list(s, &l, y, b);
	return TUI_R_NONE;
}
