/* tui/view_images.c - the Images view: every native image, sortable and
 * filterable, with a one-key filter for invalid (and failed) images.
 *
 * The rows are indices into model->images, rebuilt only when the model,
 * the filter or the sort changes (not on every key), so moving through
 * 10,000 images costs only the drawing of one screen. */
#include "tui/console.h"

#include "base/xmalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *const tui_sort_names[TUI_SORT_COUNT_] = {
	"name", "size", "status", "last used", "methods",
};

static int cmp_names(const void *a, const void *b, void *arg)
{
	const tui_model *m = arg;
	int i = *(const int *)a, j = *(const int *)b;
	int c = strcasecmp(m->images[i].name, m->images[j].name);
	return c ? c : i - j;
}

/* Ranks every image by name once per model version, so that sorting by
 * any column (names break ties) compares integers: re-sorting 10,000
 * images on a key press stays far below a frame. */
static void rank_names(tui_state *s)
{
	const tui_model *m = tui_model_of(s);
	if (s->rank_version == m->version)
		return;
	int *order = xmalloc((size_t)(m->nimages + 1) * sizeof *order);
	s->name_rank = xrealloc(s->name_rank, (size_t)(m->nimages + 1) * sizeof *s->name_rank);
	for (int i = 0; i < m->nimages; i++)
		order[i] = i;
	qsort_r(order, (size_t)m->nimages, sizeof *order, cmp_names, (void *)m);
	for (int k = 0; k < m->nimages; k++)
		s->name_rank[order[k]] = k;
	free(order);
	s->rank_version = m->version;
}

static int cmp_images(const void *a, const void *b, void *arg)
{
	const tui_state *s = arg;
	const tui_model *m = tui_model_of(s);
	int i = *(const int *)a, j = *(const int *)b;
	const tui_image *x = &m->images[i], *y = &m->images[j];
	int c = 0;
	switch (s->sort_col) {
	case TUI_SORT_SIZE: c = (x->size > y->size) - (x->size < y->size); break;
	case TUI_SORT_STATUS: c = (int)x->status - (int)y->status; break;
	case TUI_SORT_USED: c = (x->last_used > y->last_used) - (x->last_used < y->last_used); break;
	case TUI_SORT_METHODS: c = x->methods_compiled - y->methods_compiled; break;
	default: break;
	}
	if (c == 0)
		c = s->name_rank[i] - s->name_rank[j];
	return s->sort_rev ? -c : c;
}

static void images_build(tui_state *s)
{
	const tui_model *m = tui_model_of(s);
	tui_list *l = &s->lists[TUI_V_IMAGES];
	int64_t sel_id = l->sel < l->nrows && l->rows[l->sel] < m->nimages ?
		m->images[l->rows[l->sel]].id : -1;
	l->nrows = 0;
	for (int i = 0; i < m->nimages; i++) {
		const tui_image *im = &m->images[i];
		if (s->invalid_only && im->status != TUI_ST_INVALID && im->status != TUI_ST_FAILED)
			continue;
		if (l->filter[0] && !tui_match(im->name, l->filter) && !tui_match(im->display, l->filter)
		    && !tui_match(im->file, l->filter))
			continue;
		tui_list_push(l, i);
	}
	rank_names(s);
	if (l->nrows > 1)
		qsort_r(l->rows, (size_t)l->nrows, sizeof *l->rows, cmp_images, s);
	for (int i = 0; sel_id >= 0 && i < l->nrows; i++)
		if (m->images[l->rows[i]].id == sel_id) {
			l->sel = i;
			break;
		}
	tui_list_clamp(l, tui_list_page(s));
}

static void images_draw(WINDOW *w, const tui_state *s, tui_rect r)
{
	const tui_model *m = tui_model_of(s);
	const tui_list *l = &s->lists[TUI_V_IMAGES];
	int namew = r.w - 46;
	if (namew < 10)
		namew = 10;
	char title[160];
	snprintf(title, sizeof title, "NAME (%d%s, by %s%s)", l->nrows, s->invalid_only ? " invalid" : "",
		 tui_sort_names[s->sort_col], s->sort_rev ? ", reversed" : "");
	wattron(w, tui_attr(s, TUI_C_TITLE));
	tui_putf(w, r.y, r.x, r.w, "%-*.*s %-9s %8s %7s %-16s", namew, namew, title, "STATUS", "SIZE",
		 "METHODS", "LAST USED");
	wattroff(w, tui_attr(s, TUI_C_TITLE));
	if (l->nrows == 0)
		tui_put(w, r.y + 1, r.x, r.w, s->invalid_only ? "  no invalid images" :
			m->nimages ? "  no image matches the filter" : "  the cache has no images");
	for (int i = 0; i < r.h - 1; i++) {
		int k = l->top + i;
		if (k >= l->nrows)
			break;
		const tui_image *im = &m->images[l->rows[k]];
		bool sel = k == l->sel;
		attr_t a = sel ? tui_attr(s, TUI_C_SEL) : A_NORMAL;
		char size[16], used[32];
		tui_fmt_size(im->size, size);
		tui_fmt_time(im->last_used, used);
		int y = r.y + 1 + i;
		wattron(w, a);
		tui_putf(w, y, r.x, namew + 1, "%s ", im->name);
		wattroff(w, a);
		attr_t sa = sel ? a : tui_status_attr(s, im->status);
		wattron(w, sa);
		tui_putf(w, y, r.x + namew + 1, 10, "%-9s ", tui_status_name(im->status));
		wattroff(w, sa);
		wattron(w, a);
		tui_putf(w, y, r.x + namew + 11, r.w - namew - 11, "%8s %7d %-16s", size,
			 im->methods_compiled, used);
		wattroff(w, a);
	}
}

static tui_reaction images_handle(tui_state *s, tui_action a)
{
	tui_list *l = &s->lists[TUI_V_IMAGES];
	switch (a) {
	case TUI_ACT_SORT:
		s->sort_col = (s->sort_col + 1) % TUI_SORT_COUNT_;
		s->gen++;
		tui_state_message(s, false, "sorted by %s", tui_sort_names[s->sort_col]);
		return TUI_R_REBUILD | TUI_R_REDRAW;
	case TUI_ACT_REVERSE:
		s->sort_rev = !s->sort_rev;
		s->gen++;
		return TUI_R_REBUILD | TUI_R_REDRAW;
	case TUI_ACT_ENTER:
		s->show_details = !s->show_details;
		return TUI_R_REDRAW;
	default:
		return tui_list_move(l, a, tui_list_page(s));
	}
}

static tui_selection images_selected(const tui_state *s)
{
	const tui_list *l = &s->lists[TUI_V_IMAGES];
	if (l->sel >= l->nrows)
		return (tui_selection){ TUI_SEL_NONE, -1, -1, -1 };
	return (tui_selection){ TUI_SEL_IMAGE, l->rows[l->sel], l->rows[l->sel], -1 };
}

const tui_view_ops tui_images_view = {
	.name = "images",
	.title = "Images",
	.build = images_build,
	.draw = images_draw,
	.handle = images_handle,
	.selected = images_selected,
};
