/* tui/view_details.c - the details pane: everything about the selected
 * item. For an image: identity and display name, MVID, file, image file and
 * size, scenario and config, status and why it is invalid, methods compiled
 * and excluded with the most common exclusion reasons, its dependencies and
 * the roots that need it. For a root, its install arguments first; for a
 * queue item, a job or a log line, their own fields. */
#include "tui/console.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

typedef struct pane {
	WINDOW *w;
	const tui_state *s;
	tui_rect r;
	int y;
} pane;

static void field(pane *p, const char *key, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void field(pane *p, const char *key, const char *fmt, ...)
{
	if (p->y >= p->r.y + p->r.h)
		return;
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	attr_t a = getattrs(p->w);
	wattrset(p->w, tui_attr(p->s, TUI_C_TITLE));
	tui_putf(p->w, p->y, p->r.x, 13, " %-11s ", key);
	wattrset(p->w, a);
	/* A long value wraps onto up to three lines (reasons, messages). */
	int room = p->r.w - 13;
	const char *v = buf;
	for (int line = 0; line < 3 && p->y < p->r.y + p->r.h; line++) {
		size_t n = strlen(v);
		if ((int)n > room && line < 2 && room > 0) {
			n = (size_t)room;
			while (n > 0 && ((unsigned char)v[n] & 0xc0) == 0x80)
				n--;      /* never split a UTF-8 sequence */
		}
		char part[1024];
		memcpy(part, v, n);
		part[n] = 0;
		if (line > 0)
			tui_put(p->w, p->y, p->r.x, 13, "");
		tui_put(p->w, p->y, p->r.x + 13, room, part);
		p->y++;
		v += n;
		if (!*v)
			break;
	}
}

static void image_fields(pane *p, const tui_model *m, const tui_image *im)
{
	char size[16], used[32], list[600];
	tui_fmt_size(im->size, size);
	tui_fmt_time(im->last_used, used);
	field(p, "Name", "%s", im->display);
	wattrset(p->w, tui_status_attr(p->s, im->status));
	field(p, "Status", "%s%s%s", tui_status_name(im->status), im->reason[0] ? ": " : "", im->reason);
	wattrset(p->w, A_NORMAL);
	field(p, "MVID", "%s", im->mvid);
	field(p, "File", "%s", im->file);
	field(p, "Image", "%s (%s)", im->image_file[0] ? im->image_file : "none", size);
	field(p, "Scenario", "%s%s%s", im->scenario, im->config[0] ? ", config " : "", im->config);
	field(p, "Methods", "%d compiled, %d excluded%s%s", im->methods_compiled, im->methods_excluded,
	      im->exclusions[0] ? ": " : "", im->exclusions);
	field(p, "Last used", "%s", used);
	int n = 0;
	list[0] = 0;
	for (int i = 0; i < im->ndeps && n < (int)sizeof list - 80; i++)
		n += snprintf(list + n, sizeof list - (size_t)n, "%s%s", i ? ", " : "",
			      m->images[im->deps[i]].name);
	field(p, "Depends on", "%s", im->ndeps ? list : "nothing");
	n = 0;
	list[0] = 0;
	for (int i = 0; i < im->nroots && n < (int)sizeof list - 80; i++)
		n += snprintf(list + n, sizeof list - (size_t)n, "%s%s", i ? ", " : "",
			      m->roots[im->roots[i]].args);
	field(p, "Needed by", "%s", im->nroots ? list : "no root (orphan)");
}

static void qitem_fields(pane *p, const tui_qitem *q)
{
	char when[32];
	tui_fmt_time(q->queued_at, when);
	field(p, "Target", "%s", q->target);
	field(p, "Action", "%s at priority %d", q->action, q->priority);
	field(p, "State", "%s, %d attempt(s)", q->state, q->attempts);
	field(p, "Last error", "%s", q->last_error[0] ? q->last_error : "none");
	field(p, "Queued", "%s", when);
	field(p, "Keys", "p change priority, c cancel, e run queued items now");
}

static void job_fields(pane *p, const tui_job *j)
{
	field(p, "Job", "%s", j->name);
	field(p, "State", "%s", j->state == TUI_JOB_RUNNING ? "running" :
	      j->state == TUI_JOB_DONE ? "finished" : "failed");
	field(p, "Progress", "%d%%, %d methods processed (compiled or excluded)", j->total > 0 ? (int)(100LL * j->done / j->total) :
	      j->state == TUI_JOB_DONE ? 100 : 0, j->methods);
	if (j->detail[0])
		field(p, "Now", "%s", j->detail);
	if (j->error[0])
		field(p, "Error", "%s", j->error);
}

void tui_draw_details(WINDOW *w, const tui_state *s, tui_rect r)
{
	const tui_model *m = tui_model_of(s);
	tui_selection sel = tui_view(s->view)->selected(s);
	for (int i = 0; i < r.h; i++)
		tui_put(w, r.y + i, r.x, r.w, "");
	tui_box_title(w, s, r, "Details (d hides)");
	pane p = { w, s, { r.y + 1, r.x, r.h - 1, r.w }, r.y + 1 };
	switch (sel.kind) {
	case TUI_SEL_ROOT:
		field(&p, "Root", "%s", m->roots[sel.index].args);
		/* fall through */
	case TUI_SEL_IMAGE:
		if (sel.image >= 0 && sel.image < m->nimages)
			image_fields(&p, m, &m->images[sel.image]);
		break;
	case TUI_SEL_QITEM:
		qitem_fields(&p, &m->queue[sel.index]);
		break;
	case TUI_SEL_JOB:
		job_fields(&p, &m->jobs[sel.index]);
		break;
	case TUI_SEL_LOG:
		field(&p, "Action", "%s", m->log[sel.index].level);
		field(&p, "Message", "%s", m->log[sel.index].text);
		break;
	default:
		field(&p, "", "nothing selected");
	}
}
