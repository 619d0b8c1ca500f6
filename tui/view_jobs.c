/* tui/view_jobs.c - the Jobs view: compilations running now, each with a
 * progress bar (methods processed - compiled or excluded - of total),
 * throughput, elapsed time and
 * ETA, under the worker pool's load; finished and failed jobs stay listed
 * for the session, newest first after the running ones. */
#include "tui/console.h"

#include <stdio.h>

static void jobs_build(tui_state *s)
{
	const tui_model *m = tui_model_of(s);
	tui_list *l = &s->lists[TUI_V_JOBS];
	l->nrows = 0;
	for (int i = 0; i < m->njobs; i++)
		if (m->jobs[i].state == TUI_JOB_RUNNING && tui_match(m->jobs[i].name, l->filter))
			tui_list_push(l, i);
	for (int i = m->njobs - 1; i >= 0; i--)
		if (m->jobs[i].state != TUI_JOB_RUNNING && tui_match(m->jobs[i].name, l->filter))
			tui_list_push(l, i);
	tui_list_clamp(l, tui_list_page(s));
}

static const char *state_word(const tui_job *j)
{
	return j->state == TUI_JOB_RUNNING ? "running" : j->state == TUI_JOB_DONE ? "done" : "FAILED";
}

static void draw_job(WINDOW *w, const tui_state *s, const tui_job *j, int y, tui_rect r, bool sel)
{
	double now = tui_now();
	double elapsed = (j->ended > 0 ? j->ended : now) - j->started;
	double frac = j->total > 0 ? (double)j->done / j->total : j->state == TUI_JOB_DONE ? 1 : 0;
	double rate = elapsed > 0.05 ? j->methods / elapsed : 0;
	double eta = j->state != TUI_JOB_RUNNING ? 0 : frac > 0.001 ? elapsed * (1 - frac) / frac : -1;
	char el[16], et[16], line[512];
	tui_fmt_secs(elapsed, el);
	tui_fmt_secs(eta, et);
	int pct = (int)(frac * 100);
	int namew = r.w - 60;
	if (namew < 12)
		namew = 12;
	attr_t a = sel ? tui_attr(s, TUI_C_SEL) :
		j->state == TUI_JOB_FAILED ? tui_attr(s, TUI_C_FAILED) :
		j->state == TUI_JOB_DONE ? tui_attr(s, TUI_C_VALID) : A_NORMAL;
	wattron(w, a);
	tui_put_tail(w, y, r.x, namew, j->name);
	tui_put(w, y, r.x + namew, 1, "");
	wattroff(w, a);
	int bw = 12;
	tui_progress(w, s, y, r.x + namew + 1, bw, (int)(frac * 1000), 1000);
	snprintf(line, sizeof line, " %3d%% %6d %5.0f/s %6s %6s %-7s %s", pct, j->methods, rate, el, et,
		 state_word(j), j->state == TUI_JOB_FAILED ? j->error : j->detail);
	wattron(w, a);
	tui_put(w, y, r.x + namew + 1 + bw, r.w - namew - 1 - bw, line);
	wattroff(w, a);
}

static void jobs_draw(WINDOW *w, const tui_state *s, tui_rect r)
{
	const tui_model *m = tui_model_of(s);
	const tui_list *l = &s->lists[TUI_V_JOBS];
	int busy = m->pool_busy > m->pool_size ? m->pool_size : m->pool_busy;
	wattron(w, tui_attr(s, TUI_C_TITLE));
	tui_putf(w, r.y, r.x, 22, "Pool %d/%d busy ", m->pool_busy, m->pool_size);
	wattroff(w, tui_attr(s, TUI_C_TITLE));
	tui_progress(w, s, r.y, r.x + 22, 10, busy, m->pool_size > 0 ? m->pool_size : 1);
	tui_putf(w, r.y, r.x + 32, r.w - 32, "  %d job(s) this session: %%, methods "
		 "processed (compiled or excluded), methods/s, elapsed, ETA", m->njobs);
	if (l->nrows == 0)
		tui_put(w, r.y + 1, r.x, r.w, "  no jobs yet: F2 installs, u updates, e runs queued items");
	for (int i = 0; i < r.h - 1; i++) {
		int k = l->top + i;
		if (k >= l->nrows)
			break;
		draw_job(w, s, &m->jobs[l->rows[k]], r.y + 1 + i, r, k == l->sel);
	}
}

static tui_reaction jobs_handle(tui_state *s, tui_action a)
{
	if (a == TUI_ACT_ENTER) {
		s->show_details = !s->show_details;
		return TUI_R_REDRAW;
	}
	return tui_list_move(&s->lists[TUI_V_JOBS], a, tui_list_page(s));
}

static tui_selection jobs_selected(const tui_state *s)
{
	const tui_list *l = &s->lists[TUI_V_JOBS];
	if (l->sel >= l->nrows)
		return (tui_selection){ TUI_SEL_NONE, -1, -1, -1 };
	return (tui_selection){ TUI_SEL_JOB, l->rows[l->sel], -1, -1 };
}

const tui_view_ops tui_jobs_view = {
	.name = "jobs",
	.title = "Jobs",
	.build = jobs_build,
	.draw = jobs_draw,
	.handle = jobs_handle,
	.selected = jobs_selected,
};
