/* tui/tui_list.c - what every list view shares: moving the selection,
 * keeping it on screen, row arrays, text matching, and the set of expanded
 * tree nodes (a small open-addressing set of 64-bit path keys). */
#include "tui/console.h"

#include "base/xmalloc.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int tui_list_page(const tui_state *s)
{
	tui_layout l;
	tui_layout_of(s, &l);
	return l.list.h > 2 ? l.list.h - 1 : 1;
}

void tui_list_clamp(tui_list *l, int page)
{
	if (l->sel >= l->nrows)
		l->sel = l->nrows - 1;
	if (l->sel < 0)
		l->sel = 0;
	if (page < 1)
		page = 1;
	if (l->top > l->sel)
		l->top = l->sel;
	if (l->sel >= l->top + page)
		l->top = l->sel - page + 1;
	if (l->top < 0)
		l->top = 0;
}

tui_reaction tui_list_move(tui_list *l, tui_action a, int page)
{
	int old = l->sel;
	switch (a) {
	case TUI_ACT_UP: l->sel--; break;
	case TUI_ACT_DOWN: l->sel++; break;
	case TUI_ACT_PGUP: l->sel -= page; break;
	case TUI_ACT_PGDN: l->sel += page; break;
	case TUI_ACT_HOME: l->sel = 0; break;
	case TUI_ACT_END: l->sel = l->nrows - 1; break;
	default: return TUI_R_UNHANDLED;
	}
	tui_list_clamp(l, page);
	return l->sel != old ? TUI_R_REDRAW : TUI_R_NONE;
}

void tui_list_push(tui_list *l, int v)
{
	if (l->nrows == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->rows = xrealloc(l->rows, (size_t)l->cap * sizeof *l->rows);
	}
	l->rows[l->nrows++] = v;
}

bool tui_match(const char *hay, const char *needle)
{
	if (!needle[0])
		return true;
	size_t n = strlen(needle);
	for (const char *p = hay; *p; p++)
		if (strncasecmp(p, needle, n) == 0)
			return true;
	return false;
}

/* The expanded set: keys are never 0 (0 marks an empty slot). */
static int slot_of(const tui_state *s, uint64_t key)
{
	int mask = s->cap_expanded - 1;
	int i = (int)(key * 0x9e3779b97f4a7c15ull >> 40) & mask;
	while (s->expanded[i] && s->expanded[i] != key)
		i = (i + 1) & mask;
	return i;
}

bool tui_is_expanded(const tui_state *s, uint64_t key)
{
	if (!s->cap_expanded || !key)
		return false;
	return s->expanded[slot_of(s, key)] == key;
}

static void set_insert(tui_state *s, uint64_t key)
{
	if ((s->nexpanded + 1) * 2 > s->cap_expanded) {
		uint64_t *old = s->expanded;
		int oldcap = s->cap_expanded;
		s->cap_expanded = oldcap ? oldcap * 2 : 64;
		s->expanded = xcalloc((size_t)s->cap_expanded, sizeof *s->expanded);
		s->nexpanded = 0;
		for (int i = 0; i < oldcap; i++)
			if (old[i])
				set_insert(s, old[i]);
		free(old);
	}
	int i = slot_of(s, key);
	if (!s->expanded[i]) {
		s->expanded[i] = key;
		s->nexpanded++;
	}
}

/* Removal by rebuilding: rare (a collapse), and keeps probing simple. */
static void set_remove(tui_state *s, uint64_t key)
{
	uint64_t *old = s->expanded;
	int oldcap = s->cap_expanded;
	s->expanded = xcalloc((size_t)oldcap, sizeof *s->expanded);
	s->nexpanded = 0;
	for (int i = 0; i < oldcap; i++)
		if (old[i] && old[i] != key)
			set_insert(s, old[i]);
	free(old);
}

void tui_toggle_expanded(tui_state *s, uint64_t key)
{
	if (!key)
		return;
	if (tui_is_expanded(s, key))
		set_remove(s, key);
	else
		set_insert(s, key);
	s->gen++;
}
