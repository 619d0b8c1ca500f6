/* tui/tui_dialog.c - the console's dialogs: the install form (path or
 * display name with filename completion, scenario, priority, now or
 * queue), confirmations (uninstall lists what goes and what stays), the
 * priority choice (eqi, change priority) and the filter line.
 *
 * A dialog takes raw keys while it is open, because it edits text; like a
 * view's handle() it changes state and returns a reaction, never drawing.
 * tui_submit() is the single place requests reach the provider, and where
 * a read-only cache refuses them. */
#include "tui/console.h"

#include "base/xmalloc.h"

#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *const scenarios[] = { "default", "debug", "profile" };

/* Copies src into dst of cap bytes, cutting it short if needed. */
static void copy_str(char *dst, size_t cap, const char *src)
{
	size_t n = strlen(src);
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, src, n);
	dst[n] = 0;
}

void tui_dialog_close(tui_state *s)
{
	for (int i = 0; i < s->dlg.nlines; i++)
		free(s->dlg.lines[i]);
	memset(&s->dlg, 0, sizeof s->dlg);
}

void tui_dialog_add_line(tui_state *s, const char *fmt, ...)
{
	if (s->dlg.nlines >= TUI_DLG_MAXLINES)
		return;
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	s->dlg.lines[s->dlg.nlines++] = xstrdup(buf);
}

static void clear_lines(tui_state *s)
{
	for (int i = 0; i < s->dlg.nlines; i++)
		free(s->dlg.lines[i]);
	s->dlg.nlines = 0;
}

void tui_open_install(tui_state *s)
{
	tui_dialog_close(s);
	s->dlg.kind = TUI_DLG_INSTALL;
	snprintf(s->dlg.title, sizeof s->dlg.title, "Install an assembly");
	s->dlg.priority = 1;
}

void tui_open_confirm(tui_state *s, const char *title, const tui_request *req)
{
	s->dlg.kind = TUI_DLG_CONFIRM;
	snprintf(s->dlg.title, sizeof s->dlg.title, "%s", title);
	s->dlg.req = *req;
	snprintf(s->dlg.req_target, sizeof s->dlg.req_target, "%s", req->target ? req->target : "");
	s->dlg.req.target = s->dlg.req_target;
}

void tui_open_choice(tui_state *s, const char *title, const tui_request *req)
{
	tui_dialog_close(s);
	tui_open_confirm(s, title, req);
	s->dlg.kind = TUI_DLG_CHOICE;
}

void tui_open_filter(tui_state *s)
{
	tui_dialog_close(s);
	s->dlg.kind = TUI_DLG_FILTER;
	snprintf(s->dlg.title, sizeof s->dlg.title, "Filter %s", tui_view(s->view)->title);
	snprintf(s->dlg.text, sizeof s->dlg.text, "%s", s->lists[s->view].filter);
}

tui_reaction tui_submit(tui_state *s, const tui_request *req)
{
	tui_model *m = &s->prov->model;
	if (m->read_only && req->kind != TUI_REQ_VERIFY) {
		tui_state_message(s, true, "read-only: you may not write the cache %s; run as its owner "
				  "(or root) to change it", m->cache_dir);
		return TUI_R_REDRAW;
	}
	ng_diag d;
	ng_diag_clear(&d);
	if (s->prov->ops->submit(s->prov, req, &d) < 0)
		tui_state_message(s, true, "%s", ng_diag_text(&d));
	return TUI_R_REDRAW | TUI_R_REBUILD;
}

static bool edit_text(char *text, size_t cap, int key)
{
	size_t n = strlen(text);
	if (key == KEY_BACKSPACE || key == 127 || key == 8) {
		if (n)
			text[n - 1] = 0;
		return true;
	}
	if (key == TUI_CTRL('u')) {
		text[0] = 0;
		return true;
	}
	if (key >= 32 && key < 256 && key != 127 && n + 1 < cap) {
		text[n] = (char)key;
		text[n + 1] = 0;
		return true;
	}
	return false;
}

static tui_reaction filter_key(tui_state *s, int key)
{
	tui_list *l = &s->lists[s->view];
	if (key == 27) {
		l->filter[0] = 0;
		tui_dialog_close(s);
	} else if (key == '\n' || key == '\r' || key == KEY_ENTER) {
		tui_dialog_close(s);
	} else if (edit_text(s->dlg.text, sizeof l->filter, key)) {
		copy_str(l->filter, sizeof l->filter, s->dlg.text);
		l->sel = l->top = 0;
	}
	s->gen++;
	return TUI_R_REBUILD | TUI_R_REDRAW;
}

static void complete(tui_state *s)
{
	char *matches[16];
	char out[TUI_PATH_MAX];
	clear_lines(s);
	int n = tui_complete_path(s->dlg.text, out, sizeof out, matches, 16);
	if (n < 0) {
		tui_dialog_add_line(s, "no such directory");
		return;
	}
	snprintf(s->dlg.text, sizeof s->dlg.text, "%s", out);
	if (n == 0)
		tui_dialog_add_line(s, "no match");
	for (int i = 0; i < n; i++) {
		if (n > 1)
			tui_dialog_add_line(s, "%s", matches[i]);
		free(matches[i]);
	}
}

static tui_reaction install_submit(tui_state *s)
{
	if (!s->dlg.text[0]) {
		tui_state_message(s, true, "install: type a path or a display name first");
		return TUI_R_REDRAW;
	}
	char target[TUI_PATH_MAX];
	snprintf(target, sizeof target, "%s", s->dlg.text);
	tui_request req = {
		.kind = TUI_REQ_INSTALL, .target = target, .scenario = scenarios[s->dlg.scenario],
		.priority = s->dlg.priority, .queue = s->dlg.queue,
	};
	tui_dialog_close(s);
	tui_state_message(s, false, "%s %s (%s)", req.queue ? "queued" : "installing", target, req.scenario);
	tui_reaction r = tui_submit(s, &req);
	if (!req.queue && !s->msg_error)
		s->view = TUI_V_JOBS;
	return r | TUI_R_REBUILD;
}

static tui_reaction install_key(tui_state *s, int key)
{
	tui_dialog *d = &s->dlg;
	int step = 0;
	switch (key) {
	case 27: tui_dialog_close(s); return TUI_R_REDRAW;
	case '\n': case '\r': case KEY_ENTER: return install_submit(s);
	case KEY_UP: d->field = (d->field + 3) % 4; return TUI_R_REDRAW;
	case KEY_DOWN: d->field = (d->field + 1) % 4; return TUI_R_REDRAW;
	case '\t':
		if (d->field == 0)
			complete(s);
		else
			d->field = (d->field + 1) % 4;
		return TUI_R_REDRAW;
	case KEY_LEFT: step = -1; break;
	case KEY_RIGHT: case ' ': step = 1; break;
	default: break;
	}
	if (d->field == 0) {
		if (edit_text(d->text, sizeof d->text, key))
			clear_lines(s);
		return TUI_R_REDRAW;
	}
	if (d->field == 2 && key >= '1' && key <= '3')
		d->priority = key - '0';
	if (step && d->field == 1)
		d->scenario = (d->scenario + 3 + step) % 3;
	if (step && d->field == 2)
		d->priority = (d->priority - 1 + 3 + step) % 3 + 1;
	if (step && d->field == 3)
		d->queue = !d->queue;
	return TUI_R_REDRAW;
}

tui_reaction tui_dialog_key(tui_state *s, int key)
{
	tui_request req = s->dlg.req;
	char target[TUI_PATH_MAX];
	snprintf(target, sizeof target, "%s", s->dlg.req_target);
	req.target = target;
	switch (s->dlg.kind) {
	case TUI_DLG_FILTER:
		return filter_key(s, key);
	case TUI_DLG_INSTALL:
		return install_key(s, key);
	case TUI_DLG_CONFIRM:
		if (key == 'y' || key == 'Y' || key == '\n' || key == '\r' || key == KEY_ENTER) {
			tui_dialog_close(s);
			return tui_submit(s, &req);
		}
		if (key == 'n' || key == 'N' || key == 27 || key == 'q') {
			tui_dialog_close(s);
			tui_state_message(s, false, "canceled");
		}
		return TUI_R_REDRAW;
	case TUI_DLG_CHOICE:
		if (key >= '1' && key <= '3') {
			req.priority = key - '0';
			tui_dialog_close(s);
			return tui_submit(s, &req);
		}
		if (key == 27 || key == 'q' || key == 'n')
			tui_dialog_close(s);
		return TUI_R_REDRAW;
	default:
		return TUI_R_NONE;
	}
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int tui_complete_path(const char *in, char *out, size_t outsz, char **matches, int max)
{
	char dir[TUI_PATH_MAX];
	const char *slash = strrchr(in, '/');
	const char *base = slash ? slash + 1 : in;
	if (slash)
		snprintf(dir, sizeof dir, "%.*s", (int)(slash - in + 1), in);
	else
		snprintf(dir, sizeof dir, "./");
	snprintf(out, outsz, "%s", in);
	DIR *dp = opendir(dir);
	if (!dp)
		return -1;
	char *found[512];
	int n = 0;
	size_t blen = strlen(base);
	struct dirent *e;
	while ((e = readdir(dp)) && n < 512) {
		if (strncmp(e->d_name, base, blen) != 0 || !strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (e->d_name[0] == '.' && base[0] != '.')
			continue;
		found[n++] = xstrdup(e->d_name);
	}
	closedir(dp);
	qsort(found, (size_t)n, sizeof *found, cmp_str);
	if (n > 0) {
		size_t common = strlen(found[0]);
		for (int i = 1; i < n; i++) {
			size_t k = 0;
			while (k < common && found[i][k] == found[0][k])
				k++;
			common = k;
		}
		const char *prefix = slash ? dir : "";
		snprintf(out, outsz, "%s%.*s", prefix, (int)common, found[0]);
		struct stat st;
		if (n == 1 && stat(out, &st) == 0 && S_ISDIR(st.st_mode) && strlen(out) + 1 < outsz)
			strcat(out, "/");
	}
	for (int i = 0; i < n; i++) {
		if (i < max)
			matches[i] = found[i];
		else
			free(found[i]);
	}
	return n < max ? n : max;
}

/* Drawing of the open dialog: a framed box over the view, in its own
 * colours (reverse video without colour). Attributes are set, not or-ed,
 * because two colour pairs cannot be combined. */
static void dialog_box(WINDOW *w, const tui_state *s, int h, tui_rect *r)
{
	int wd = s->cols - 4 < 76 ? s->cols - 4 : 76;
	h += 1;                      /* the bottom border */
	if (h > s->lines - 2)
		h = s->lines - 2;
	*r = (tui_rect){ (s->lines - h) / 2, (s->cols - wd) / 2, h, wd };
	const char *hz = s->utf8 ? "\u2500" : "-", *vt = s->utf8 ? "\u2502" : "|";
	const char *c[4] = { "+", "+", "+", "+" };
	if (s->utf8) {
		c[0] = "\u250c"; c[1] = "\u2510"; c[2] = "\u2514"; c[3] = "\u2518";
	}
	wattrset(w, tui_attr(s, TUI_C_DIALOG));
	for (int y = 0; y < h; y++) {
		bool edge = y == 0 || y == h - 1;
		mvwaddstr(w, r->y + y, r->x, edge ? c[y ? 2 : 0] : vt);
		for (int x = 1; x < wd - 1; x++)
			waddstr(w, edge ? hz : " ");
		waddstr(w, edge ? c[y ? 3 : 1] : vt);
	}
	wattrset(w, tui_attr(s, TUI_C_DIALOG) | A_BOLD);
	mvwprintw(w, r->y, r->x + 2, " %.*s ", wd - 6, s->dlg.title);
	wattrset(w, tui_attr(s, TUI_C_DIALOG));
	/* Callers draw inside the frame. */
	r->h -= 1;
	r->x += 1;
	r->w -= 2;
}

static void draw_install(WINDOW *w, const tui_state *s, tui_rect r)
{
	const tui_dialog *d = &s->dlg;
	const char *labels[] = { "Path or name", "Scenario", "Priority", "When" };
	char vals[4][TUI_PATH_MAX];
	copy_str(vals[0], sizeof vals[0] - 1, d->text);
	strcat(vals[0], "_");
	snprintf(vals[1], sizeof vals[1], "< %s >  (default, debug, profile)", scenarios[d->scenario]);
	snprintf(vals[2], sizeof vals[2], "< %d >  (queued items: 1 now, 2 after 1, 3 when idle)", d->priority);
	snprintf(vals[3], sizeof vals[3], "< %s >", d->queue ? "queue it" : "now, in the console");
	attr_t base = tui_attr(s, TUI_C_DIALOG);
	for (int i = 0; i < 4; i++) {
		wattrset(w, base);
		tui_putf(w, r.y + 1 + i, r.x + 1, 15, "%-14s", labels[i]);
		wattrset(w, i == d->field ? tui_attr(s, TUI_C_SEL) : base);
		/* The path field shows its end, where the user is typing. */
		const char *v = vals[i];
		int room = r.w - 17;
		if (i == 0 && (int)strlen(v) > room)
			v += strlen(v) - (size_t)room;
		tui_put(w, r.y + 1 + i, r.x + 16, room, v);
	}
	wattrset(w, base);
	tui_put(w, r.y + 5, r.x + 1, r.w - 2,
		"Up/Down field  Tab complete  Left/Right change  Enter install  Esc cancel");
	for (int i = 0; i < d->nlines && 6 + i < r.h; i++)
		tui_putf(w, r.y + 6 + i, r.x + 3, r.w - 4, "%s", d->lines[i]);
}

void tui_draw_dialog(WINDOW *w, const tui_state *s)
{
	const tui_dialog *d = &s->dlg;
	tui_rect r;
	switch (d->kind) {
	case TUI_DLG_FILTER:
		dialog_box(w, s, 3, &r);
		tui_putf(w, r.y + 1, r.x + 1, r.w - 2, "/%s_   (Enter keeps, Esc clears)", d->text);
		break;
	case TUI_DLG_INSTALL:
		dialog_box(w, s, 7 + (d->nlines < 10 ? d->nlines : 10), &r);
		draw_install(w, s, r);
		break;
	case TUI_DLG_CONFIRM:
	case TUI_DLG_CHOICE:
		dialog_box(w, s, d->nlines + 3, &r);
		for (int i = 0; i < d->nlines && i + 1 < r.h - 1; i++)
			tui_put(w, r.y + 1 + i, r.x + 1, r.w - 2, d->lines[i]);
		wattrset(w, tui_attr(s, TUI_C_DIALOG) | A_BOLD);
		tui_put(w, r.y + r.h - 1, r.x + 1, r.w - 2, d->kind == TUI_DLG_CONFIRM ?
			"y/Enter: yes   n/Esc: no" : "1, 2 or 3: choose   Esc: cancel");
		break;
	default:
		break;
	}
	wattrset(w, A_NORMAL);
}
