/* tests/tui/test_console.c - the views drawn off screen on the fake
 * provider: rows, tree, sorting, filtering, dialogs, layout, fallbacks. */
#include "tui_test.h"

#include <criterion/criterion.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static tt_screen t;

static void small(void) { tt_open(&t, 24, 80, 300); tt_draw(&t); }
static void done(void) { tt_close(&t); }

TestSuite(console, .init = small, .fini = done);

Test(console, frame_at_80x24_has_header_tabs_and_fkey_bar)
{
	cr_assert(strstr(tt_line(&t, 0), "ngen console"));
	cr_assert(strstr(tt_line(&t, 0), "300 images"));
	cr_assert(strstr(tt_line(&t, 1), "1 Roots"));
	cr_assert(strstr(tt_line(&t, 1), "5 Log"));
	const char *bar = tt_line(&t, 23);
	cr_assert_eq(strncmp(bar, "F1Help", 6), 0, "bar: %s", bar);
	cr_assert(strstr(bar, "F10Quit"), "bar: %s", bar);
}

Test(console, roots_view_lists_roots_with_status_words)
{
	int y = tt_find(&t, "mcs.exe");
	cr_assert_geq(y, 2);
	cr_assert(strstr(tt_line(&t, y), "valid"));
	int n = tt_find(&t, "nunit-console.exe");
	cr_assert(strstr(tt_line(&t, n), "invalid"), "%s", tt_line(&t, n));
}

Test(console, enter_expands_and_left_collapses_the_tree)
{
	cr_assert_eq(tt_find(&t, "mscorlib"), -1);
	tt_keys(&t, (int[]){ '\n', 0 });
	int y = tt_find(&t, "mscorlib");
	cr_assert_gt(y, 0);
	cr_assert(strstr(tt_line(&t, y), "\u251c\u2500"), "tree glyph: %s", tt_line(&t, y));
	cr_assert(strstr(tt_line(&t, tt_find(&t, "mcs.exe")), "\u25be"));
	tt_keys(&t, (int[]){ KEY_DOWN, KEY_DOWN, KEY_RIGHT, 0 });   /* open System */
	cr_assert_gt(tt_find(&t, "\u2502  \u2514\u2500   mscorlib"), 0, "System's own dependency, one level down");
	tt_keys(&t, (int[]){ 'h', 'h', 'h', 0 });                   /* close System, parent, close mcs */
	cr_assert_eq(tt_find(&t, "mscorlib"), -1);
}

Test(console, ascii_fallback_draws_the_tree_without_utf8)
{
	t.s.utf8 = false;
	tt_keys(&t, (int[]){ '\n', 0 });
	int y = tt_find(&t, "mscorlib");
	cr_assert(strstr(tt_line(&t, y), "|- "), "%s", tt_line(&t, y));
	cr_assert(strstr(tt_line(&t, tt_find(&t, "mcs.exe")), "- mcs.exe"));
	for (int i = 0; i < 24; i++)
		for (const unsigned char *p = (const unsigned char *)tt_line(&t, i); *p; p++)
			cr_assert_lt(*p, 0x80, "line %d is not ASCII: %s", i, tt_line(&t, i));
}

Test(console, details_show_identity_status_and_roots)
{
	tt_keys(&t, (int[]){ '2', 0 });
	cr_assert_gt(tt_find(&t, "Details"), 0);
	cr_assert_gt(tt_find(&t, "MVID"), 0);
	cr_assert_gt(tt_find(&t, "Scenario"), 0);
	tt_keys(&t, (int[]){ 'd', 0 });
	cr_assert_eq(tt_find(&t, "MVID"), -1);
}

Test(console, details_show_methods_with_the_most_common_exclusion_reasons)
{
	tt_resize(&t, 40, 160);
	tt_keys(&t, (int[]){ '2', 0 });
	tui_list *l = &t.s.lists[TUI_V_IMAGES];
	const tui_model *m = &t.prov->model;
	int row = -1;
	for (int i = 0; row < 0 && i < l->nrows; i++)
		if (m->images[l->rows[i]].exclusions[0])
			row = i;
	cr_assert_geq(row, 0, "the fake provider has images with exclusions");
	l->sel = row;
	tt_draw(&t);
	const tui_image *im = &m->images[l->rows[row]];
	char want[128];
	snprintf(want, sizeof want, "%d excluded: varargs (2)", im->methods_excluded);
	cr_assert_gt(tt_find(&t, want), 0, "details say: %s", want);
}

Test(console, images_are_sorted_by_name_then_by_size)
{
	tt_keys(&t, (int[]){ '2', 'd', 0 });
	const tui_list *l = &t.s.lists[TUI_V_IMAGES];
	const tui_model *m = &t.prov->model;
	cr_assert_eq(l->nrows, 300);
	for (int i = 1; i < l->nrows; i++)
		cr_assert_leq(strcasecmp(m->images[l->rows[i - 1]].name, m->images[l->rows[i]].name), 0);
	tt_keys(&t, (int[]){ 's', 0 });
	for (int i = 1; i < l->nrows; i++)
		cr_assert_leq(m->images[l->rows[i - 1]].size, m->images[l->rows[i]].size);
	cr_assert_gt(tt_find(&t, "by size"), 0);
	tt_keys(&t, (int[]){ 'S', 0 });
	for (int i = 1; i < l->nrows; i++)
		cr_assert_geq(m->images[l->rows[i - 1]].size, m->images[l->rows[i]].size);
	/* The first row on screen is the first of the list. */
	cr_assert(strstr(tt_line(&t, 3 + l->sel - l->top), m->images[l->rows[l->sel]].name));
	cr_assert(strstr(tt_line(&t, 3), m->images[l->rows[l->top]].name));
}

Test(console, one_key_shows_only_invalid_images)
{
	tt_keys(&t, (int[]){ 'i', 0 });
	cr_assert_eq(t.s.view, TUI_V_IMAGES);
	const tui_list *l = &t.s.lists[TUI_V_IMAGES];
	cr_assert_gt(l->nrows, 0);
	cr_assert_lt(l->nrows, 300);
	for (int i = 0; i < l->nrows; i++) {
		tui_status st = t.prov->model.images[l->rows[i]].status;
		cr_assert(st == TUI_ST_INVALID || st == TUI_ST_FAILED);
	}
	cr_assert(strstr(tt_line(&t, tt_find(&t, "Lib00017")), "invalid"));
	tt_keys(&t, (int[]){ 'i', 0 });
	cr_assert_eq(l->nrows, 300);
}

Test(console, filter_narrows_the_list_and_esc_clears_it)
{
	tt_keys(&t, (int[]){ '2', '/', 0 });
	tt_type(&t, "system");
	cr_assert_eq(t.s.dlg.kind, TUI_DLG_FILTER);
	tt_keys(&t, (int[]){ '\r', 0 });
	const tui_list *l = &t.s.lists[TUI_V_IMAGES];
	cr_assert_eq(l->nrows, 5, "System, System.Core, System.Xml, System.Configuration, System.Data");
	tt_keys(&t, (int[]){ 27, 0 });
	cr_assert_eq(l->nrows, 300);
}

Test(console, queue_is_grouped_by_priority_with_service_state)
{
	tt_keys(&t, (int[]){ '3', 0 });
	int p1 = tt_find(&t, "Priority 1"), p2 = tt_find(&t, "Priority 2"), p3 = tt_find(&t, "Priority 3");
	cr_assert(p1 > 0 && p1 < p2 && p2 < p3, "%d %d %d", p1, p2, p3);
	cr_assert_gt(tt_find(&t, "Service: running"), 0);
	int f = tt_find(&t, "Microsoft.Build.dll");
	cr_assert(f > p2 && f < p3);
	cr_assert(strstr(tt_line(&t, f), "failed"));
	cr_assert(strstr(tt_line(&t, f), "compilation failed"), "%s", tt_line(&t, f));
}

Test(console, pause_and_continue_the_service)
{
	tt_keys(&t, (int[]){ 'P', 0 });
	cr_assert(strstr(tt_line(&t, 0), "service paused"), "%s", tt_line(&t, 0));
	tt_keys(&t, (int[]){ KEY_F(9), 0 });
	cr_assert(strstr(tt_line(&t, 0), "service running"));
}

Test(console, change_priority_and_cancel_a_queued_item)
{
	tt_keys(&t, (int[]){ '3', 0 });
	tui_selection sel = tui_view(TUI_V_QUEUE)->selected(&t.s);
	cr_assert_eq(sel.kind, TUI_SEL_QITEM, "the selection skips the heading");
	int64_t id = t.prov->model.queue[sel.index].id;
	tt_keys(&t, (int[]){ 'p', 0 });
	cr_assert_eq(t.s.dlg.kind, TUI_DLG_CHOICE);
	tt_keys(&t, (int[]){ '3', 0 });
	int y = tt_find(&t, "csc.exe");
	cr_assert_gt(y, tt_find(&t, "Priority 3"));
	for (int i = 0; i < t.prov->model.nqueue; i++)
		if (t.prov->model.queue[i].id == id)
			cr_assert_eq(t.prov->model.queue[i].priority, 3);
	int n = t.prov->model.nqueue;
	tt_keys(&t, (int[]){ KEY_DOWN, 'c', 0 });
	cr_assert_eq(t.s.dlg.kind, TUI_DLG_CONFIRM);
	cr_assert_gt(tt_find(&t, "Cancel"), 0);
	tt_keys(&t, (int[]){ 'y', 0 });
	cr_assert_eq(t.prov->model.nqueue, n - 1);
}

Test(console, uninstall_asks_listing_what_goes_and_what_stays)
{
	tt_keys(&t, (int[]){ 'x', 0 });
	cr_assert_eq(t.s.dlg.kind, TUI_DLG_CONFIRM);
	cr_assert_gt(tt_find(&t, "Uninstall mcs.exe?"), 0);
	cr_assert_gt(tt_find(&t, "Will be removed"), 0);
	cr_assert_gt(tt_find(&t, "- mcs"), 0);
	cr_assert_gt(tt_find(&t, "= mscorlib"), 0);
	tt_keys(&t, (int[]){ 'n', 0 });
	cr_assert_eq(t.prov->model.nroots, 5);
	tt_keys(&t, (int[]){ KEY_F(8), 'y', 0 });
	cr_assert_eq(t.prov->model.nroots, 4);
	cr_assert_eq(tt_find(&t, "mcs.exe"), -1);
}

Test(console, install_form_submits_path_scenario_priority_and_queue)
{
	tt_keys(&t, (int[]){ KEY_F(2), 0 });
	cr_assert_eq(t.s.dlg.kind, TUI_DLG_INSTALL);
	tt_type(&t, "/usr/lib/mono/4.5/mcs.exe");
	cr_assert_gt(tt_find(&t, "Install an assembly"), 0);
	tt_keys(&t, (int[]){ KEY_DOWN, KEY_RIGHT, KEY_DOWN, '2', KEY_DOWN, ' ', '\r', 0 });
	const tui_request *r = tui_fake_last_request(t.prov);
	cr_assert_eq(r->kind, TUI_REQ_INSTALL);
	cr_assert_str_eq(r->target, "/usr/lib/mono/4.5/mcs.exe");
	cr_assert_eq(r->priority, 2);
	cr_assert(r->queue);
	tt_keys(&t, (int[]){ '3', 0 });
	cr_assert_gt(tt_find(&t, "mcs.exe"), tt_find(&t, "Priority 2"));
}

Test(console, install_now_shows_a_job_with_progress)
{
	tt_keys(&t, (int[]){ 'a', 0 });
	tt_type(&t, "/tmp/App.exe");
	tt_keys(&t, (int[]){ '\r', 0 });
	cr_assert_eq(t.s.view, TUI_V_JOBS);
	int y = tt_find(&t, "install /tmp/App.exe");
	cr_assert_gt(y, 0);
	cr_assert(strstr(tt_line(&t, y), "running"));
	cr_assert(strstr(tt_line(&t, y), "%"));
	tui_job *j = &t.prov->model.jobs[0];
	j->started -= 10;   /* as if 10 s had passed: the fake runs 200 methods/s */
	t.prov->ops->tick(t.prov);
	tt_draw(&t);
	cr_assert(strstr(tt_line(&t, y), "100%"), "%s", tt_line(&t, y));
	cr_assert(strstr(tt_line(&t, y), "done"));
}

Test(console, log_is_newest_first)
{
	tt_keys(&t, (int[]){ '5', 0 });
	int newest = tt_find(&t, "12 images invalidated"), oldest = tt_find(&t, "cache created");
	cr_assert(newest > 0 && oldest > newest);
}

Test(console, help_is_generated_from_the_key_table)
{
	tt_keys(&t, (int[]){ '?', 0 });
	cr_assert_gt(tt_find(&t, "Help: keys"), 0);
	cr_assert_gt(tt_find(&t, "show this help"), 0);
	cr_assert_gt(tt_find(&t, "F10"), 0);
	for (int i = 0; i < 40; i++)
		tui_handle_key(&t.s, 'j');
	tt_draw(&t);
	cr_assert_gt(tt_find(&t, "reload and redraw"), 0, "the last entry is reachable");
	tt_keys(&t, (int[]){ 27, 0 });
	cr_assert_eq(tt_find(&t, "Help: keys"), -1);
}

Test(console, resize_moves_the_bar_and_side_pane_on_wide_screens)
{
	tt_resize(&t, 30, 100);
	cr_assert_eq(strncmp(tt_line(&t, 29), "F1Help", 6), 0);
	tt_resize(&t, 40, 160);
	tt_keys(&t, (int[]){ '2', 0 });
	int y = tt_find(&t, "Details");
	cr_assert_eq(y, 2, "details beside the list on a wide screen");
	tt_resize(&t, 24, 80);
	cr_assert_gt(tt_find(&t, "Details"), 5);
}

Test(console, read_only_cache_refuses_changes_and_says_so)
{
	t.prov->model.read_only = true;
	tt_keys(&t, (int[]){ 'u', 0 });
	cr_assert(strstr(tt_line(&t, 0), "READ-ONLY"));
	cr_assert(strstr(tt_line(&t, 22), "read-only"), "%s", tt_line(&t, 22));
	cr_assert_eq(tui_fake_last_request(t.prov)->kind, (tui_req_kind)-1);
}

Test(console, provider_errors_reach_the_status_line)
{
	tui_fake_set_failing(t.prov, true);
	tt_keys(&t, (int[]){ 'v', 0 });
	cr_assert(strstr(tt_line(&t, 22), "refused"), "%s", tt_line(&t, 22));
}

Test(console, monochrome_marks_the_selection_in_reverse)
{
	t.s.color = false;
	tt_draw(&t);
	int y = tt_find(&t, "mcs.exe");
	cr_assert(mvwinch(stdscr, y, 2) & A_REVERSE);
	cr_assert_eq(mvwinch(stdscr, y + 1, 2) & A_REVERSE, 0);
}

Test(console, mouse_selects_tabs_rows_and_bar_keys)
{
	int x0, x1;
	tui_tab_span(1, &x0, &x1);
	tui_handle_mouse(&t.s, 1, x0 + 1, BUTTON1_CLICKED);
	cr_assert_eq(t.s.view, TUI_V_IMAGES);
	tt_draw(&t);
	tui_handle_mouse(&t.s, 5, 3, BUTTON1_CLICKED);
	cr_assert_eq(t.s.lists[TUI_V_IMAGES].sel, 2);
	tui_handle_mouse(&t.s, 5, 3, BUTTON5_PRESSED);
	cr_assert_eq(t.s.lists[TUI_V_IMAGES].sel, 5);
	tui_handle_mouse(&t.s, 23, 75, BUTTON1_CLICKED);
	cr_assert(t.s.quit, "F10Quit is the last cell of the bar");
}

Test(console, filename_completion_completes_unique_prefixes)
{
	char dir[] = "/tmp/ngen-tui-XXXXXX";
	cr_assert(mkdtemp(dir));
	char path[256], out[1024], *m[8];
	snprintf(path, sizeof path, "%s/alpha.exe", dir);
	fclose(fopen(path, "w"));
	snprintf(path, sizeof path, "%s/alps.dll", dir);
	fclose(fopen(path, "w"));
	snprintf(path, sizeof path, "%s/b", dir);
	cr_assert_eq(tui_complete_path(path, out, sizeof out, m, 8), 0);
	snprintf(path, sizeof path, "%s/a", dir);
	int n = tui_complete_path(path, out, sizeof out, m, 8);
	cr_assert_eq(n, 2);
	cr_assert(strstr(out, "/alp") && !strstr(out, "alph"), "%s", out);
	free(m[0]);
	free(m[1]);
	snprintf(path, sizeof path, "%s/alph", dir);
	cr_assert_eq(tui_complete_path(path, out, sizeof out, m, 8), 1);
	free(m[0]);
	cr_assert(strstr(out, "alpha.exe"));
	cr_assert_lt(tui_complete_path("/nonexistent-dir/x", out, sizeof out, m, 8), 0);
	snprintf(path, sizeof path, "rm -r %s", dir);
	cr_assert_eq(system(path), 0);
}

Test(console, ten_thousand_images_draw_only_one_screen)
{
	tt_close(&t);
	tt_open(&t, 24, 80, 10000);
	tt_keys(&t, (int[]){ '2', KEY_END, 0 });
	cr_assert_eq(t.s.lists[TUI_V_IMAGES].sel, 9999);
	cr_assert_gt(tt_find(&t, "10000 images"), -1);
}

Test(console, an_empty_queue_shows_its_headings_and_keys_do_not_hang)
{
	ng_diag d;
	while (t.prov->model.nqueue > 0) {
		tui_request c = { .kind = TUI_REQ_CANCEL, .id = t.prov->model.queue[0].id };
		cr_assert_eq(t.prov->ops->submit(t.prov, &c, &d), 0);
	}
	tt_keys(&t, (int[]){ '3', 'j', 'j', 'k', KEY_END, KEY_HOME, KEY_NPAGE, 'p', 'c', 0 });
	cr_assert_gt(tt_find(&t, "Priority 3"), tt_find(&t, "Priority 1"));
	cr_assert_eq(tui_view(TUI_V_QUEUE)->selected(&t.s).kind, TUI_SEL_NONE);
	cr_assert_eq(t.s.dlg.kind, TUI_DLG_NONE, "nothing to change or cancel");
}

Test(console, no_color_and_non_utf8_locales_fall_back)
{
	unsetenv("NO_COLOR");
	cr_assert(tui_color_wanted(true, false));
	cr_assert_not(tui_color_wanted(false, false), "monochrome terminal");
	cr_assert_not(tui_color_wanted(true, true), "--no-color");
	setenv("NO_COLOR", "1", 1);
	cr_assert_not(tui_color_wanted(true, false), "NO_COLOR is respected");
	setenv("NO_COLOR", "", 1);
	cr_assert(tui_color_wanted(true, false), "an empty NO_COLOR does not count");
	setlocale(LC_ALL, "C.UTF-8");
	cr_assert(tui_utf8_wanted(false));
	cr_assert_not(tui_utf8_wanted(true), "--ascii");
	setlocale(LC_ALL, "C");
	cr_assert_not(tui_utf8_wanted(false), "a non-UTF-8 locale draws ASCII");
	setlocale(LC_ALL, "C.UTF-8");
}

Test(console, read_only_refuses_before_opening_a_dialog)
{
	t.prov->model.read_only = true;
	int acts[] = { 'a', 'x', 'e', 'P' };
	for (size_t i = 0; i < sizeof acts / sizeof acts[0]; i++) {
		tui_handle_key(&t.s, acts[i]);
		cr_assert_eq(t.s.dlg.kind, TUI_DLG_NONE, "key %c", acts[i]);
		cr_assert(strstr(t.s.message, "read-only"), "key %c: %s", acts[i], t.s.message);
	}
	tui_handle_key(&t.s, 'v');
	cr_assert_eq(tui_fake_last_request(t.prov)->kind, TUI_REQ_VERIFY, "verify only reads");
	tui_handle_key(&t.s, '3');
	tui_handle_key(&t.s, '\r');
	cr_assert_eq(t.s.message[0], 0, "Enter is not a change: %s", t.s.message);
}

Test(console, tiny_terminals_draw_without_crashing)
{
	static const int sizes[][2] = { { 3, 10 }, { 6, 30 }, { 10, 40 }, { 24, 20 }, { 1, 1 } };
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		tt_resize(&t, sizes[i][0], sizes[i][1]);
		for (int v = '1'; v <= '5'; v++)
			tt_keys(&t, (int[]){ v, 'j', KEY_NPAGE, '\n', 0 });
		tt_keys(&t, (int[]){ '?', 27, 'a', 27, 'x', 'n', '/', 'q', 27, 0 });
	}
	tt_resize(&t, 24, 80);
	cr_assert(strstr(tt_line(&t, 0), "ngen console"));
}
