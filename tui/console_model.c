/* tui/console_model.c - the console's model: growable arrays of images,
 * roots, queue items, jobs and log lines, filled by a provider.
 *
 * Appending copies strings; clearing frees everything but the jobs, which
 * the console keeps for the whole session (finished and failed jobs stay
 * listed). The uninstall plan is computed here from the dependency edges
 * so the confirmation the user sees is what reference counting implies:
 * an image goes when no other root reaches it. */
#include "tui/console_model.h"

#include "base/xmalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const status_names[TUI_ST_COUNT_] = {
	"valid", "invalid", "queued", "compiling", "failed",
};

const char *tui_status_name(tui_status s)
{
	return (unsigned)s < TUI_ST_COUNT_ ? status_names[s] : "?";
}

const char *tui_service_name(tui_service_state s)
{
	switch (s) {
	case TUI_SVC_STOPPED: return "stopped";
	case TUI_SVC_RUNNING: return "running";
	case TUI_SVC_PAUSED: return "paused";
	default: return "unknown";
	}
}

double tui_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void tui_model_init(tui_model *m)
{
	memset(m, 0, sizeof *m);
	m->cache_dir = xstrdup("");
	m->message = xstrdup("");
	m->pool_size = 2;
}

static void free_image(tui_image *im)
{
	free(im->name); free(im->display); free(im->mvid); free(im->file);
	free(im->image_file); free(im->scenario); free(im->config);
	free(im->reason); free(im->exclusions); free(im->deps); free(im->roots);
}

void tui_model_clear_data(tui_model *m)
{
	for (int i = 0; i < m->nimages; i++)
		free_image(&m->images[i]);
	for (int i = 0; i < m->nroots; i++)
		free(m->roots[i].args);
	for (int i = 0; i < m->nqueue; i++) {
		tui_qitem *q = &m->queue[i];
		free(q->target); free(q->action); free(q->state); free(q->last_error);
	}
	for (int i = 0; i < m->nlog; i++) {
		free(m->log[i].level);
		free(m->log[i].text);
	}
	m->nimages = m->nroots = m->nqueue = m->nlog = 0;
	tui_model_touch(m);
}

void tui_model_close(tui_model *m)
{
	tui_model_clear_data(m);
	for (int i = 0; i < m->njobs; i++) {
		free(m->jobs[i].name);
		free(m->jobs[i].error);
		free(m->jobs[i].detail);
	}
	free(m->images); free(m->roots); free(m->queue); free(m->jobs); free(m->log);
	free(m->cache_dir); free(m->message);
	memset(m, 0, sizeof *m);
}

void tui_model_touch(tui_model *m)
{
	m->version++;
}

#define SWAP_(a, b) do { __typeof__(a) t_ = (a); (a) = (b); (b) = t_; } while (0)

void tui_model_take_data(tui_model *dst, tui_model *src)
{
	tui_model_clear_data(dst);
	SWAP_(dst->images, src->images); SWAP_(dst->nimages, src->nimages); SWAP_(dst->cap_images, src->cap_images);
	SWAP_(dst->roots, src->roots); SWAP_(dst->nroots, src->nroots); SWAP_(dst->cap_roots, src->cap_roots);
	SWAP_(dst->queue, src->queue); SWAP_(dst->nqueue, src->nqueue); SWAP_(dst->cap_queue, src->cap_queue);
	SWAP_(dst->log, src->log); SWAP_(dst->nlog, src->nlog); SWAP_(dst->cap_log, src->cap_log);
	tui_model_touch(dst);
}

/* Grows a model array by one element, zeroed; returns its address. */
static void *grow(void **arr, int *n, int *cap, size_t size)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		*arr = xrealloc(*arr, (size_t)*cap * size);
	}
	char *p = (char *)*arr + (size_t)(*n)++ * size;
	memset(p, 0, size);
	return p;
}

void tui_image_set(char **field, const char *value)
{
	free(*field);
	*field = xstrdup(value ? value : "");
}

tui_image *tui_model_add_image(tui_model *m, int64_t id, const char *name,
			       const char *display, tui_status st)
{
	tui_image *im = grow((void **)&m->images, &m->nimages, &m->cap_images, sizeof *im);
	im->id = id;
	im->status = st;
	tui_image_set(&im->name, name);
	tui_image_set(&im->display, display);
	char **blank[] = { &im->mvid, &im->file, &im->image_file, &im->scenario,
			   &im->config, &im->reason, &im->exclusions };
	for (size_t i = 0; i < sizeof blank / sizeof blank[0]; i++)
		tui_image_set(blank[i], "");
	return im;
}

void tui_model_add_dep(tui_model *m, int image, int dep)
{
	tui_image *im = &m->images[image];
	im->deps = xrealloc(im->deps, (size_t)(im->ndeps + 1) * sizeof *im->deps);
	im->deps[im->ndeps++] = dep;
}

tui_root *tui_model_add_root(tui_model *m, int64_t id, const char *args, int image)
{
	tui_root *r = grow((void **)&m->roots, &m->nroots, &m->cap_roots, sizeof *r);
	r->id = id;
	r->args = xstrdup(args ? args : "");
	r->image = image;
	return r;
}

tui_qitem *tui_model_add_qitem(tui_model *m, int64_t id, int priority, const char *target,
			       const char *action, const char *state)
{
	tui_qitem *q = grow((void **)&m->queue, &m->nqueue, &m->cap_queue, sizeof *q);
	q->id = id;
	q->priority = priority;
	q->target = xstrdup(target ? target : "");
	q->action = xstrdup(action ? action : "install");
	q->state = xstrdup(state ? state : "queued");
	q->last_error = xstrdup("");
	return q;
}

tui_job *tui_model_add_job(tui_model *m, int64_t id, const char *name, int total, double now)
{
	tui_job *j = grow((void **)&m->jobs, &m->njobs, &m->cap_jobs, sizeof *j);
	j->id = id;
	j->name = xstrdup(name ? name : "");
	j->total = total;
	j->started = now;
	j->error = xstrdup("");
	j->detail = xstrdup("");
	tui_model_touch(m);
	return j;
}

tui_job *tui_model_find_job(tui_model *m, int64_t id)
{
	for (int i = m->njobs - 1; i >= 0; i--)
		if (m->jobs[i].id == id)
			return &m->jobs[i];
	return NULL;
}

void tui_model_add_log(tui_model *m, int64_t when, const char *level, const char *text)
{
	tui_logline *l = grow((void **)&m->log, &m->nlog, &m->cap_log, sizeof *l);
	l->when = when;
	l->level = xstrdup(level ? level : "info");
	l->text = xstrdup(text ? text : "");
}

int tui_model_find_image(const tui_model *m, int64_t id)
{
	for (int i = 0; i < m->nimages; i++)
		if (m->images[i].id == id)
			return i;
	return -1;
}

void tui_model_set_message(tui_model *m, const char *fmt, ...)
{
	va_list ap;
	char buf[512];
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	free(m->message);
	m->message = xstrdup(buf);
	m->message_seq++;
	tui_model_touch(m);
}

/* Marks every image reachable from start (itself included) in seen[],
 * appending each newly marked index to out (when given). */
static void reach_into(const tui_model *m, int start, unsigned char *seen, int *out, int *nout)
{
	int *stack = xmalloc((size_t)(m->nimages + 1) * sizeof *stack);
	int sp = 0;
	if (start >= 0 && start < m->nimages && !seen[start]) {
		seen[start] = 1;
		stack[sp++] = start;
	}
	while (sp > 0) {
		int cur = stack[--sp];
		if (out)
			out[(*nout)++] = cur;
		const tui_image *im = &m->images[cur];
		for (int i = 0; i < im->ndeps; i++) {
			int d = im->deps[i];
			if (d >= 0 && d < m->nimages && !seen[d]) {
				seen[d] = 1;
				stack[sp++] = d;
			}
		}
	}
	free(stack);
}

static void reach(const tui_model *m, int start, unsigned char *seen)
{
	reach_into(m, start, seen, NULL, NULL);
}

/* Cost is the sum of what each root reaches, not roots x images: a cache
 * of 9,000 small roots over 10,000 images links in milliseconds. */
void tui_model_link_roots(tui_model *m)
{
	unsigned char *seen = xcalloc((size_t)m->nimages + 1, 1);
	int *hit = xmalloc((size_t)(m->nimages + 1) * sizeof *hit);
	for (int i = 0; i < m->nimages; i++) {
		free(m->images[i].roots);
		m->images[i].roots = NULL;
		m->images[i].nroots = 0;
	}
	for (int r = 0; r < m->nroots; r++) {
		int nhit = 0;
		reach_into(m, m->roots[r].image, seen, hit, &nhit);
		for (int k = 0; k < nhit; k++) {
			tui_image *im = &m->images[hit[k]];
			im->roots = xrealloc(im->roots, (size_t)(im->nroots + 1) * sizeof *im->roots);
			im->roots[im->nroots++] = r;
			seen[hit[k]] = 0;
		}
	}
	free(hit);
	free(seen);
}

int tui_model_uninstall_plan(const tui_model *m, int r, int **gone, int *ngone,
			     int **stays, int *nstays)
{
	if (r < 0 || r >= m->nroots)
		return -1;
	unsigned char *mine = xcalloc((size_t)m->nimages + 1, 1);
	unsigned char *others = xcalloc((size_t)m->nimages + 1, 1);
	reach(m, m->roots[r].image, mine);
	for (int o = 0; o < m->nroots; o++)
		if (o != r)
			reach(m, m->roots[o].image, others);
	*gone = xmalloc((size_t)(m->nimages + 1) * sizeof **gone);
	*stays = xmalloc((size_t)(m->nimages + 1) * sizeof **stays);
	*ngone = *nstays = 0;
	for (int i = 0; i < m->nimages; i++) {
		if (!mine[i])
			continue;
		if (others[i])
			(*stays)[(*nstays)++] = i;
		else
			(*gone)[(*ngone)++] = i;
	}
	free(mine);
	free(others);
	return 0;
}

void tui_provider_free(tui_provider *p)
{
	if (p)
		p->ops->free(p);
}
