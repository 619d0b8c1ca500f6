/* tui/view_roots.c - the Roots view: every root with its dependency tree.
 *
 * The rows are the visible part of the tree, flattened depth first: a root,
 * then (if expanded) the images its image depends on, and so on. A node is
 * identified by a key hashed from its path (root, image ids along the way),
 * so expansion survives reloads and the same image can be open under one
 * root and closed under another. Depth is capped so a dependency cycle in
 * a damaged cache cannot recurse forever. */
#include "tui/console.h"

#include "base/xmalloc.h"

#include <stdio.h>
#include <string.h>

enum { MAX_DEPTH = 24 };

static uint64_t child_key(uint64_t parent, int64_t id)
{
	uint64_t k = (parent ^ (uint64_t)(id + 1)) * 1099511628211ull;
	return k ? k : 1;
}

static void push_row(tui_state *s, tui_treerow row)
{
	if (s->ntree == s->cap_tree) {
		s->cap_tree = s->cap_tree ? s->cap_tree * 2 : 64;
		s->tree = xrealloc(s->tree, (size_t)s->cap_tree * sizeof *s->tree);
	}
	s->tree[s->ntree++] = row;
}

static void add_children(tui_state *s, const tui_treerow *parent)
{
	const tui_model *m = tui_model_of(s);
	if (parent->image < 0 || parent->depth >= MAX_DEPTH)
		return;
	const tui_image *im = &m->images[parent->image];
	for (int i = 0; i < im->ndeps; i++) {
		int d = im->deps[i];
		if (d < 0 || d >= m->nimages)
			continue;
		tui_treerow row = {
			.root = parent->root, .image = d, .depth = parent->depth + 1,
			.key = child_key(parent->key, m->images[d].id),
			.last_mask = parent->last_mask, .has_children = m->images[d].ndeps > 0,
		};
		if (i == im->ndeps - 1)
			row.last_mask |= 1u << row.depth;
		push_row(s, row);
		if (row.has_children && tui_is_expanded(s, row.key))
			add_children(s, &s->tree[s->ntree - 1]);
	}
}

static bool root_matches(const tui_state *s, int r, const char *filter)
{
	const tui_model *m = tui_model_of(s);
	const tui_root *root = &m->roots[r];
	if (tui_match(root->args, filter))
		return true;
	return root->image >= 0 && root->image < m->nimages &&
	       tui_match(m->images[root->image].name, filter);
}

static void roots_build(tui_state *s)
{
	const tui_model *m = tui_model_of(s);
	tui_list *l = &s->lists[TUI_V_ROOTS];
	uint64_t sel_key = l->sel < s->ntree ? s->tree[l->sel].key : 0;
	s->ntree = 0;
	for (int r = 0; r < m->nroots; r++) {
		if (!root_matches(s, r, l->filter))
			continue;
		int img = m->roots[r].image < m->nimages ? m->roots[r].image : -1;
		tui_treerow row = {
			.root = r, .image = img, .depth = 0,
			.key = child_key(0x5eed, m->roots[r].id),
			.has_children = img >= 0 && m->images[img].ndeps > 0,
		};
		push_row(s, row);
		if (row.has_children && tui_is_expanded(s, row.key))
			add_children(s, &s->tree[s->ntree - 1]);
	}
	l->nrows = s->ntree;
	for (int i = 0; sel_key && i < s->ntree; i++)
		if (s->tree[i].key == sel_key) {
			l->sel = i;
			break;
		}
	tui_list_clamp(l, tui_list_page(s));
}

static void draw_row(WINDOW *w, const tui_state *s, const tui_treerow *t, int y, tui_rect r, bool sel)
{
	const tui_model *m = tui_model_of(s);
	const tui_image *im = t->image >= 0 ? &m->images[t->image] : NULL;
	char line[1024];
	int n = 0;
	for (int d = 1; d < t->depth && n < 900; d++)
		n += snprintf(line + n, sizeof line - (size_t)n, "%s",
			      t->last_mask & (1u << d) ? "   " : tui_glyph_str(s, TUI_G_PIPE));
	if (t->depth > 0)
		n += snprintf(line + n, sizeof line - (size_t)n, "%s",
			      tui_glyph_str(s, t->last_mask & (1u << t->depth) ? TUI_G_ELL : TUI_G_TEE));
	const char *mark = !t->has_children ? "  " :
		tui_glyph_str(s, tui_is_expanded(s, t->key) ? TUI_G_OPEN : TUI_G_CLOSED);
	if (t->depth == 0)
		snprintf(line + n, sizeof line - (size_t)n, "%s%s", mark, m->roots[t->root].args);
	else
		snprintf(line + n, sizeof line - (size_t)n, "%s%s", mark, im ? im->name : "?");
	int stw = 10, szw = 8;
	int namew = r.w - stw - szw - 2;
	attr_t a = sel ? tui_attr(s, TUI_C_SEL) : A_NORMAL;
	wattron(w, a);
	tui_put(w, y, r.x, namew, line);
	wattroff(w, a);
	wattron(w, sel ? a : (im ? tui_status_attr(s, im->status) : A_NORMAL));
	tui_putf(w, y, r.x + namew, stw + 1, " %-9s", im ? tui_status_name(im->status) : "no image");
	wattroff(w, sel ? a : (im ? tui_status_attr(s, im->status) : A_NORMAL));
	char size[16] = "";
	if (im)
		tui_fmt_size(im->size, size);
	wattron(w, a);
	tui_putf(w, y, r.x + namew + stw + 1, szw + 1, "%*s", szw, size);
	wattroff(w, a);
}

static void roots_draw(WINDOW *w, const tui_state *s, tui_rect r)
{
	const tui_list *l = &s->lists[TUI_V_ROOTS];
	const tui_model *m = tui_model_of(s);
	wattron(w, tui_attr(s, TUI_C_TITLE));
	tui_putf(w, r.y, r.x, r.w, "%-*s %-9s %8s", r.w - 20, "ROOT / DEPENDENCY", "STATUS", "SIZE");
	wattroff(w, tui_attr(s, TUI_C_TITLE));
	if (s->ntree == 0) {
		tui_put(w, r.y + 1, r.x, r.w, m->nroots ? "  no root matches the filter"
				: "  no roots: press F2 (a) to install an assembly");
		return;
	}
	for (int i = 0; i < r.h - 1; i++) {
		int k = l->top + i;
		if (k >= s->ntree)
			break;
		draw_row(w, s, &s->tree[k], r.y + 1 + i, r, k == l->sel);
	}
}

static int parent_of(const tui_state *s, int i)
{
	int depth = s->tree[i].depth;
	for (int k = i - 1; k >= 0; k--)
		if (s->tree[k].depth < depth)
			return k;
	return -1;
}

static tui_reaction roots_handle(tui_state *s, tui_action a)
{
	tui_list *l = &s->lists[TUI_V_ROOTS];
	if (l->sel >= s->ntree)
		return tui_list_move(l, a, tui_list_page(s));
	tui_treerow *t = &s->tree[l->sel];
	bool open = tui_is_expanded(s, t->key);
	switch (a) {
	case TUI_ACT_ENTER:
		if (!t->has_children)
			return TUI_R_NONE;
		tui_toggle_expanded(s, t->key);
		return TUI_R_REBUILD | TUI_R_REDRAW;
	case TUI_ACT_RIGHT:
		if (!t->has_children || open)
			return tui_list_move(l, TUI_ACT_DOWN, tui_list_page(s));
		tui_toggle_expanded(s, t->key);
		return TUI_R_REBUILD | TUI_R_REDRAW;
	case TUI_ACT_LEFT:
		if (t->has_children && open) {
			tui_toggle_expanded(s, t->key);
			return TUI_R_REBUILD | TUI_R_REDRAW;
		}
		if (parent_of(s, l->sel) >= 0) {
			l->sel = parent_of(s, l->sel);
			tui_list_clamp(l, tui_list_page(s));
		}
		return TUI_R_REDRAW;
	default:
		return tui_list_move(l, a, tui_list_page(s));
	}
}

static tui_selection roots_selected(const tui_state *s)
{
	const tui_list *l = &s->lists[TUI_V_ROOTS];
	if (l->sel >= s->ntree)
		return (tui_selection){ TUI_SEL_NONE, -1, -1, -1 };
	const tui_treerow *t = &s->tree[l->sel];
	if (t->depth == 0)
		return (tui_selection){ TUI_SEL_ROOT, t->root, t->image, t->root };
	return (tui_selection){ TUI_SEL_IMAGE, t->image, t->image, t->root };
}

const tui_view_ops tui_roots_view = {
	.name = "roots",
	.title = "Roots",
	.build = roots_build,
	.draw = roots_draw,
	.handle = roots_handle,
	.selected = roots_selected,
};
