/* tui/console_real.c - the provider that shows a real cache.
 *
 * Reading: everything comes through engine/'s accessors (images, all
 * dependency edges in one query, exclusion reasons, roots, the log) and
 * queue/'s (items, status), on the loop thread (images on a second thread
 * beside it), on the provider's own connections. An image's status words
 * combine both: valid or invalid from the engine, then queued, compiling
 * or failed when a queue item for its assembly is in that state.
 *
 * Changes from elsewhere: the service's event stream (queue/jq_client.h)
 * arrives on a uv_poll of the socket on the console's loop and updates the
 * jobs at once; any other process's change shows in cache.db or its WAL,
 * whose size and mtime are checked on every tick, and reloads the model
 * (at most once a second, so a busy service cannot starve the keyboard).
 * Without a service, the status is polled every two seconds and the
 * connection retried.
 *
 * Work (console_real_jobs.c): install, uninstall, update and verify run
 * on the libuv worker pool through the same engine functions as batch mode;
 * eqi runs a jq_runner on the console's loop; the rest goes to the queue.
 */
#include "tui/console_real_int.h"

#include "base/err.h"
#include "base/xmalloc.h"
#include "engine/eng.h"
#include "queue/jq.h"
#include "queue/jq_client.h"
#include "queue/jq_runner.h"

#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

/* ---- reading ------------------------------------------------------------ */

typedef struct idmap { int64_t id; int index; } idmap;

static int cmp_idmap(const void *a, const void *b)
{
	int64_t x = ((const idmap *)a)->id, y = ((const idmap *)b)->id;
	return (x > y) - (x < y);
}

/* Moves the log lines of src into dst (dst has none yet). */
#define SWAP_LOG_(dst, src) do { \
		tui_logline *l_ = (dst)->log; int n_ = (dst)->nlog, c_ = (dst)->cap_log; \
		(dst)->log = (src)->log; (dst)->nlog = (src)->nlog; (dst)->cap_log = (src)->cap_log; \
		(src)->log = l_; (src)->nlog = n_; (src)->cap_log = c_; \
	} while (0)

typedef struct load_ctx {
	tui_model *m;                /* the snapshot being filled */
	idmap *map;
	int nmap;
} load_ctx;

static int index_of(const load_ctx *lc, int64_t id)
{
	idmap key = { id, 0 };
	idmap *hit = bsearch(&key, lc->map, (size_t)lc->nmap, sizeof key, cmp_idmap);
	return hit ? hit->index : -1;
}

static int on_image(void *ctx, const eng_image_info *img)
{
	tui_model *m = ((load_ctx *)ctx)->m;
	tui_image *im = tui_model_add_image(m, img->id, img->name, img->identity,
					    img->valid ? TUI_ST_VALID : TUI_ST_INVALID);
	tui_image_set(&im->mvid, img->mvid);
	tui_image_set(&im->file, img->assembly_path);
	tui_image_set(&im->image_file, img->file);
	const char *sc = eng_scenario_text(img->scenario);
	tui_image_set(&im->scenario, sc[0] ? sc : "default");
	tui_image_set(&im->config, img->config);
	tui_image_set(&im->reason, img->reason);
	im->size = img->size;
	im->methods_compiled = (int)img->methods_compiled;
	im->methods_excluded = (int)img->methods_excluded;
	im->last_used = img->last_used;
	return 0;
}

/* The dependency edges are collected as ids while the images are read on
 * the other thread, and tied to image indexes once both are in. */
typedef struct edges_ctx { int64_t *ids; size_t n, cap; } edges_ctx;

static int on_edge(void *ctx, int64_t image_id, int64_t dep_image_id)
{
	edges_ctx *e = ctx;
	if (e->n + 2 > e->cap) {
		e->cap = e->cap ? e->cap * 2 : 4096;
		e->ids = xrealloc(e->ids, e->cap * sizeof *e->ids);
	}
	e->ids[e->n++] = image_id;
	e->ids[e->n++] = dep_image_id;
	return 0;
}

/* "install /x/App.exe" -> "/x/App.exe": the views already say what a root
 * or a queue item's action is. */
static const char *after_word(const char *text, const char *word)
{
	size_t n = strlen(word);
	if (text && strncmp(text, word, n) == 0 && text[n] == ' ')
		return text + n + 1;
	return text;
}

typedef struct edge { int from, to; } edge;

static int cmp_edge(const void *a, const void *b)
{
	const edge *x = a, *y = b;
	return x->from != y->from ? (x->from > y->from) - (x->from < y->from) :
		(x->to > y->to) - (x->to < y->to);
}

/* Each image's dependencies in the images' (name) order, as the engine's
 * per-image listing gave them. */
static void link_edges(tui_model *m, const load_ctx *lc, edges_ctx *e)
{
	edge *v = xmalloc((e->n / 2 + 1) * sizeof *v);
	size_t n = 0;
	for (size_t k = 0; k < e->n; k += 2) {
		int from = index_of(lc, e->ids[k]), to = index_of(lc, e->ids[k + 1]);
		if (from >= 0 && to >= 0 && from != to)
			v[n++] = (edge){ from, to };
	}
	if (n > 1)
		qsort(v, n, sizeof *v, cmp_edge);
	for (size_t k = 0; k < n; k++)
		tui_model_add_dep(m, v[k].from, v[k].to);
	free(v);
	free(e->ids);
}

/* Exclusion reasons come one row per (image, reason), most frequent first;
 * each image's become one line "reason (count), ...". */
typedef struct exclrow { int64_t image_id; char *text; } exclrow;
typedef struct excl_ctx { exclrow *rows; int n, cap; } excl_ctx;

static int on_exclusion(void *ctx, int64_t image_id, const char *reason, unsigned count)
{
	excl_ctx *x = ctx;
	if (x->n == 0 || x->rows[x->n - 1].image_id != image_id) {
		if (x->n == x->cap) {
			x->cap = x->cap ? x->cap * 2 : 64;
			x->rows = xrealloc(x->rows, (size_t)x->cap * sizeof *x->rows);
		}
		x->rows[x->n++] = (exclrow){ image_id, xasprintf("%s (%u)", reason, count) };
	} else {
		exclrow *r = &x->rows[x->n - 1];
		char *t = xasprintf("%s, %s (%u)", r->text, reason, count);
		free(r->text);
		r->text = t;
	}
	return 0;
}

static void link_exclusions(tui_model *m, const load_ctx *lc, excl_ctx *x)
{
	for (int i = 0; i < x->n; i++) {
		int k = index_of(lc, x->rows[i].image_id);
		if (k >= 0)
			tui_image_set(&m->images[k].exclusions, x->rows[i].text);
		free(x->rows[i].text);
	}
	free(x->rows);
}

/* Roots are collected first and tied to their image's index once the
 * images are in (they may be read at the same time on another thread). */
typedef struct rootrow { int64_t id, image_id; char *args; } rootrow;
typedef struct roots_ctx { rootrow *rows; int n, cap; } roots_ctx;

static int on_root(void *ctx, const eng_root_info *root)
{
	roots_ctx *rc = ctx;
	if (rc->n == rc->cap) {
		rc->cap = rc->cap ? rc->cap * 2 : 64;
		rc->rows = xrealloc(rc->rows, (size_t)rc->cap * sizeof *rc->rows);
	}
	rc->rows[rc->n++] = (rootrow){ root->id, root->image_id, xstrdup(after_word(root->args, "install")) };
	return 0;
}

typedef struct logrow { int64_t time; char *action, *message; } logrow;
typedef struct log_ctx { logrow *rows; int n, cap; } log_ctx;

static int on_log(void *ctx, const eng_log_entry *e)
{
	log_ctx *lc = ctx;
	if (lc->n == lc->cap) {
		lc->cap = lc->cap ? lc->cap * 2 : 256;
		lc->rows = xrealloc(lc->rows, (size_t)lc->cap * sizeof *lc->rows);
	}
	lc->rows[lc->n++] = (logrow){ e->time, xstrdup(e->action), xstrdup(e->message) };
	return 0;
}

static void load_log(eng_cache *c, tui_model *m)
{
	log_ctx lc = { 0 };
	ng_diag d;
	eng_log_foreach(c, 2000, on_log, &lc, &d);
	for (int i = lc.n - 1; i >= 0; i--) {      /* the model keeps oldest first */
		tui_model_add_log(m, lc.rows[i].time, lc.rows[i].action, lc.rows[i].message);
		free(lc.rows[i].action);
		free(lc.rows[i].message);
	}
	free(lc.rows);
}

/* Marks the image of a queue item's assembly with the item's state. */
static void overlay_item(tui_model *m, const jq_item *it)
{
	if (it->argc < 1 || strcmp(it->kind, "install") != 0)
		return;
	char *abs = it->argv[0][0] == '/' || !it->cwd ? xstrdup(it->argv[0]) :
		xasprintf("%s/%s", it->cwd, it->argv[0]);
	for (int i = 0; i < m->nimages; i++) {
		tui_image *im = &m->images[i];
		if (strcmp(im->file, abs) != 0)
			continue;
		if (it->state == JQ_QUEUED)
			im->status = TUI_ST_QUEUED;
		else if (it->state == JQ_RUNNING)
			im->status = TUI_ST_COMPILING;
		else if (it->state == JQ_FAILED) {
			im->status = TUI_ST_FAILED;
			tui_image_set(&im->reason, it->last_error);
		}
	}
	free(abs);
}

static void load_queue(jq_db *jdb, tui_model *m)
{
	if (!jdb)
		return;
	jq_item *items;
	int n;
	if (jq_list(jdb, -1, &items, &n) < 0)
		return;
	for (int i = 0; i < n; i++) {
		char *what = jq_item_describe(&items[i]);
		tui_qitem *q = tui_model_add_qitem(m, items[i].id, items[i].priority,
						   after_word(what, items[i].kind),
						   items[i].kind, jq_state_name(items[i].state));
		free(what);
		q->attempts = items[i].attempts;
		tui_image_set(&q->last_error, items[i].last_error);
		q->queued_at = (int64_t)items[i].created;
		overlay_item(m, &items[i]);
	}
	jq_items_free(items, n);
}

/* A job of the service (or of eqi) seen in the status or an event. */
static tui_job *queue_job(real *r, int64_t item, const char *name)
{
	tui_model *m = &r->base.model;
	const char *label = name;
	char known[600] = "";
	/* Joined late (no "started" seen): name it after its queue item. */
	for (int i = 0; !label && i < m->nqueue; i++)
		if (m->queue[i].id == item) {
			snprintf(known, sizeof known, "%s %s", m->queue[i].action, m->queue[i].target);
			label = known;
		}
	tui_job *j = tui_model_find_job(m, QUEUE_JOB_BASE + item);
	/* A new run of the item (a retry) gets a row of its own. */
	if (!j || (j->state != TUI_JOB_RUNNING && name && j->started < tui_now() - 1))
		j = tui_model_add_job(m, QUEUE_JOB_BASE + item, label ? label : "queued item", 0, tui_now());
	else if (label && strcmp(j->name, "queued item") == 0)
		tui_image_set(&j->name, label);
	return j;
}

/* The queue reports methods done/total of the assembly being compiled and
 * names it "Name, Version=... (k of n)"; the job's bar covers all n. */
static void queue_progress(tui_job *j, unsigned done, unsigned total, const char *what)
{
	unsigned k = 0, n = 0;
	const char *paren = what ? strrchr(what, '(') : NULL;
	if (!paren || sscanf(paren, "(%u of %u)", &k, &n) != 2 || k == 0 || k > n) {
		j->done = (int)done;
		j->total = (int)total;
		j->methods = (int)done;
	} else {
		if ((int)k < j->part)
			return;       /* a status older than the last event */
		if ((int)k != j->part) {
			j->part_base = j->methods;
			j->part = (int)k;
		}
		j->total = (int)n * 1000;
		j->done = (int)(k - 1) * 1000 + (total ? (int)(1000ULL * done / total) : 0);
		j->methods = j->part_base + (int)done;
	}
	tui_image_set(&j->detail, what);
}

static void apply_status(real *r, const jq_status *st_)
{
	const jq_status st = *st_;
	tui_model *m = &r->base.model;
	tui_service_state s = st.paused_flag ? TUI_SVC_PAUSED :
		st.state == JQ_SERVICE_RUNNING ? TUI_SVC_RUNNING :
		st.state == JQ_SERVICE_PAUSED ? TUI_SVC_PAUSED : TUI_SVC_STOPPED;
	if (s != m->service || (st.idle_known && st.idle != m->idle)) {
		m->service = s;
		if (st.idle_known)
			m->idle = st.idle;
		tui_model_touch(m);
	}
	if (st.workers > 0)
		m->pool_size = st.workers;
	for (int i = 0; i < st.njobs && i < JQ_STATUS_JOBS; i++) {
		tui_job *j = queue_job(r, st.jobs[i].id, st.jobs[i].item);
		queue_progress(j, st.jobs[i].done, st.jobs[i].total, st.jobs[i].what);
	}
}

static void load_status(real *r)
{
	jq_status st;
	ng_diag d;
	if (jq_status_get(r->dir, &st, &d) == 0)
		apply_status(r, &st);
}

static long long file_sig(const char *dir)
{
	char path[4096];
	struct stat st;
	long long sig = 0;
	const char *names[] = { "cache.db", "cache.db-wal" };
	for (int i = 0; i < 2; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		if (stat(path, &st) == 0)
			sig = sig * 31 + (long long)st.st_size * 1000003 + st.st_mtim.tv_sec * 1000 +
			      st.st_mtim.tv_nsec / 1000000;
	}
	return sig;
}

/* Reads the cache and the queue into m: images, roots (and with deps the
 * dependency edges and the roots each image is needed by), log, queue.
 * Touches nothing but m and the connections given, so it runs on a
 * worker thread as well as on the loop. */
typedef struct images_read {
	const char *dir;             /* open a connection of its own on this */
	eng_cache *c;                /* or use this one */
	tui_model *m;
	int rc;
	ng_diag d;
} images_read;

static void *read_images(void *arg)
{
	images_read *ir = arg;
	eng_cache *c = ir->c;
	if (!c && (ir->rc = eng_cache_open(ir->dir, 0, &c, &ir->d)) < 0)
		return NULL;
	load_ctx lc = { ir->m, NULL, 0 };
	ir->rc = eng_images_foreach_plain(c, on_image, &lc, &ir->d);
	if (!ir->c)
		eng_cache_free(c);
	return NULL;
}

/* Reads the cache and the queue into m: images, roots, the dependency
 * edges (one query), log, queue. With dir given, images are read on a
 * second thread on their own connection while this one reads the roots,
 * the edges and the log: the heaviest queries then overlap. Touches
 * nothing but m and the connections, so it runs on a worker thread as well
 * as on the loop. */
static int load_model(eng_cache *c, const char *dir, jq_db *jdb, tui_model *m, ng_diag *d)
{
	double t0 = tui_now();
	images_read ir = { dir, dir ? NULL : c, m, 0, { 0 } };
	pthread_t th;
	bool threaded = dir && pthread_create(&th, NULL, read_images, &ir) == 0;
	if (!threaded) {
		ir.c = c;
		read_images(&ir);
	}
	roots_ctx roots = { 0 };
	int rc = eng_roots_foreach(c, on_root, &roots, d);
	edges_ctx edges = { 0 };
	if (rc >= 0)
		rc = eng_edges_foreach(c, on_edge, &edges, d);
	excl_ctx excl = { 0 };
	if (rc >= 0)
		rc = eng_exclusions_foreach(c, 0, on_exclusion, &excl, d);
	tui_model side;
	tui_model_init(&side);
	load_log(c, &side);
	if (threaded)
		pthread_join(th, NULL);
	if (ir.rc < 0 && rc >= 0) {
		rc = ir.rc;
		*d = ir.d;
	}
	double t1 = tui_now();
	load_ctx lc = { m, NULL, 0 };
	lc.map = xmalloc((size_t)(m->nimages + 1) * sizeof *lc.map);
	for (int i = 0; i < m->nimages; i++)
		lc.map[i] = (idmap){ m->images[i].id, i };
	lc.nmap = m->nimages;
	qsort(lc.map, (size_t)lc.nmap, sizeof *lc.map, cmp_idmap);
	link_edges(m, &lc, &edges);
	link_exclusions(m, &lc, &excl);
	double t2 = tui_now();
	for (int i = 0; i < roots.n; i++) {
		tui_model_add_root(m, roots.rows[i].id, roots.rows[i].args, index_of(&lc, roots.rows[i].image_id));
		free(roots.rows[i].args);
	}
	free(roots.rows);
	free(lc.map);
	tui_model_link_roots(m);
	SWAP_LOG_(m, &side);
	tui_model_close(&side);
	load_queue(jdb, m);
	if (getenv("NGEN_CONSOLE_TRACE"))
		fprintf(stderr, "console: read images, roots and log %.1f ms%s, edges %.1f ms, "
			"linking and queue %.1f ms\n", (t1 - t0) * 1e3, threaded ? " (in parallel)" : "",
			(t2 - t1) * 1e3, (tui_now() - t2) * 1e3);
	return rc < 0 ? rc : 0;
}

/* A snapshot loaded on the worker pool, published in after_work. */
typedef struct snapshot {
	uv_work_t work;
	real *owner;
	tui_model m;
	jq_status st;
	bool st_ok, queue_ok;
	long long sig;
	double took;
	int rc;
	ng_diag d;
} snapshot;

static void snapshot_work(uv_work_t *w)
{
	snapshot *sn = w->data;
	real *r = sn->owner;
	double t0 = tui_now();
	sn->sig = file_sig(r->dir);
	eng_cache *c;
	sn->rc = eng_cache_open(r->dir, 0, &c, &sn->d);
	if (sn->rc < 0)
		return;
	jq_db jdb;
	sn->queue_ok = r->jdb_ok && jq_db_open(&jdb, r->dir) == 0;
	sn->rc = load_model(c, NULL, sn->queue_ok ? &jdb : NULL, &sn->m, &sn->d);
	if (sn->queue_ok)
		jq_db_close(&jdb);
	eng_cache_free(c);
	ng_diag d;
	sn->st_ok = jq_status_get(r->dir, &sn->st, &d) == 0;
	sn->took = tui_now() - t0;
}

static void snapshot_done(uv_work_t *w, int status)
{
	snapshot *sn = w->data;
	real *r = sn->owner;
	r->loading = NULL;
	if (sn->rc == 0 && status == 0 && !r->closing) {
		tui_model_take_data(&r->base.model, &sn->m);
		r->sig = sn->sig;
		if (sn->st_ok)
			apply_status(r, &sn->st);
		if (getenv("NGEN_CONSOLE_TRACE"))
			fprintf(stderr, "console: snapshot with dependencies loaded in %.1f ms\n", sn->took * 1e3);
	} else if (sn->rc < 0) {
		tui_model_set_message(&r->base.model, "reading the cache failed: %s", ng_diag_text(&sn->d));
	}
	r->last_reload = tui_now();
	tui_model_close(&sn->m);
	free(sn);
}

/* Starts a background reload unless one is under way. */
static void reload_async(real *r)
{
	if (!r->base.loop || r->loading || r->closing)
		return;
	snapshot *sn = xcalloc(1, sizeof *sn);
	sn->owner = r;
	tui_model_init(&sn->m);
	sn->work.data = sn;
	r->loading = sn;
	r->reload_wanted = false;
	uv_queue_work(r->base.loop, &sn->work, snapshot_work, snapshot_done);
}

/* The first screen (and ^L): images, roots, edges, log and queue read at
 * once on the loop thread (images on a second thread beside it). */
static int real_reload(tui_provider *p)
{
	real *r = (real *)p;
	tui_model *m = &p->model;
	ng_diag d;
	ng_diag_clear(&d);
	r->sig = file_sig(r->dir);
	tui_model snap;
	tui_model_init(&snap);
	double t0 = tui_now();
	int rc = load_model(r->cache, r->dir, r->jdb_ok ? &r->jdb : NULL, &snap, &d);
	tui_model_take_data(m, &snap);
	tui_model_close(&snap);
	if (getenv("NGEN_CONSOLE_TRACE"))
		fprintf(stderr, "console: first read in %.1f ms\n", (tui_now() - t0) * 1e3);
	load_status(r);
	r->last_reload = tui_now();
	r->reload_wanted = false;
	if (rc < 0)
		tui_model_set_message(m, "reading the cache failed: %s", ng_diag_text(&d));
	return rc < 0 ? rc : 0;
}

/* Bench: how long the full read (with dependency edges) takes. */
double tui_real_full_load_ms(tui_provider *p)
{
	real *r = (real *)p;
	tui_model snap;
	tui_model_init(&snap);
	ng_diag d;
	double t0 = tui_now();
	load_model(r->cache, NULL, r->jdb_ok ? &r->jdb : NULL, &snap, &d);
	double ms = (tui_now() - t0) * 1e3;
	tui_model_close(&snap);
	return ms;
}

/* ---- the service's events ---------------------------------------------- */

static void disconnect(real *r);

void tui__real_on_event(void *ctx, const jq_event *ev)
{
	real *r = ctx;
	tui_model *m = &r->base.model;
	tui_job *j;
	switch (ev->kind) {
	case JQ_EV_STARTED:
		j = queue_job(r, ev->id, ev->item);
		j->state = TUI_JOB_RUNNING;
		r->reload_wanted = true;
		break;
	case JQ_EV_PROGRESS:
		j = queue_job(r, ev->id, NULL);
		queue_progress(j, ev->done, ev->total, ev->text);
		break;
	case JQ_EV_FINISHED:
		j = queue_job(r, ev->id, NULL);
		j->state = TUI_JOB_DONE;
		j->ended = tui_now();
		if (j->total > 0)
			j->done = j->total;
		r->reload_wanted = true;
		break;
	case JQ_EV_RETRY: case JQ_EV_FAILED: case JQ_EV_REQUEUED:
		j = queue_job(r, ev->id, NULL);
		j->state = TUI_JOB_FAILED;
		j->ended = tui_now();
		tui_image_set(&j->error, ev->kind == JQ_EV_REQUEUED ? "requeued" : ev->text);
		if (ev->kind != JQ_EV_FAILED) {
			char buf[JQ_EVENT_TEXT + 64];
			snprintf(buf, sizeof buf, "%s: %s", ev->kind == JQ_EV_RETRY ? "will retry" : "requeued",
				 ev->text);
			tui_image_set(&j->error, buf);
		}
		r->reload_wanted = true;
		break;
	case JQ_EV_QUEUED:
		r->reload_wanted = true;
		break;
	case JQ_EV_PAUSED: m->service = TUI_SVC_PAUSED; break;
	case JQ_EV_CONTINUED: m->service = TUI_SVC_RUNNING; break;
	case JQ_EV_IDLE: m->idle = ev->idle; break;
	case JQ_EV_STOPPING: m->service = TUI_SVC_STOPPED; break;
	default: break;
	}
	tui_model_touch(m);
}

static void on_client_readable(uv_poll_t *h, int status, int events)
{
	real *r = h->data;
	jq_event ev;
	int rc = 0;
	while (r->client && (rc = jq_client_read_event(r->client, &ev, 0)) == 1)
		tui__real_on_event(r, &ev);
	if (r->client && rc < 0) {
		disconnect(r);
		r->base.model.service = TUI_SVC_STOPPED;
		tui_model_touch(&r->base.model);
	}
}

static void disconnect(real *r)
{
	if (r->polling) {
		uv_poll_stop(&r->client_poll);
		uv_close((uv_handle_t *)&r->client_poll, NULL);
		r->polling = false;
	}
	if (r->client)
		jq_client_free(r->client);
	r->client = NULL;
	r->next_connect = tui_now() + 2;
}

static void connect_service(real *r)
{
	ng_diag d;
	if (!r->base.loop || r->client || tui_now() < r->next_connect)
		return;
	r->next_connect = tui_now() + 2;
	if (jq_client_open(r->dir, &r->client, &d) < 0) {
		r->client = NULL;
		return;
	}
	if (jq_client_subscribe(r->client, &d) < 0) {
		jq_client_free(r->client);
		r->client = NULL;
		return;
	}
	uv_poll_init(r->base.loop, &r->client_poll, jq_client_fd(r->client));
	r->client_poll.data = r;
	uv_poll_start(&r->client_poll, UV_READABLE, on_client_readable);
	r->polling = true;
}

void tui__real_want_reload(real *r)
{
	r->reload_wanted = true;
	r->last_reload = 0;
}

/* ---- the tick ------------------------------------------------------------ */

static void real_tick(tui_provider *p)
{
	real *r = (real *)p;
	double now = tui_now();
	for (rjob *j = r->jobs; j; j = j->next)
		tui__real_copy_progress(r, j);
	if (r->runner_stopped) {
		jq_runner_free(r->runner);
		r->runner = NULL;
		r->runner_stopped = false;
	}
	tui_model *m = &p->model;
	int busy = 0;
	for (int i = 0; i < m->njobs; i++)
		busy += m->jobs[i].state == TUI_JOB_RUNNING;
	if (busy != m->pool_busy) {
		m->pool_busy = busy;
		tui_model_touch(m);
	}
	connect_service(r);
	if (!r->client && now >= r->next_status) {
		r->next_status = now + 2;
		load_status(r);
	}
	if (now - r->last_reload < 1.0 || r->loading)
		return;
	if (r->reload_wanted || file_sig(r->dir) != r->sig)
		reload_async(r);
}

static void real_free(tui_provider *p)
{
	real *r = (real *)p;
	r->closing = true;
	for (rjob *j = r->jobs; j; j = j->next)
		j->cancel = 1;
	if (r->runner)
		jq_runner_stop(r->runner);
	/* Let canceled work finish and its callbacks run before freeing. */
	if (p->loop && (r->jobs || r->runner || r->polling || r->loading)) {
		disconnect(r);
		while (r->jobs || (r->runner && !r->runner_stopped) || r->loading)
			uv_run(p->loop, UV_RUN_ONCE);
	}
	if (r->runner)
		jq_runner_free(r->runner);
	disconnect(r);
	if (p->loop)
		uv_run(p->loop, UV_RUN_NOWAIT);
	if (r->jdb_ok)
		jq_db_close(&r->jdb);
	eng_cache_free(r->cache);
	tui_model_close(&p->model);
	free(r->dir);
	free(r);
}

static const tui_provider_ops real_ops = {
	.name = "cache",
	.reload = real_reload,
	.tick = real_tick,
	.submit = tui__real_submit,
	.free = real_free,
};

int tui_real_open(const char *dir, tui_provider **out, ng_diag *d)
{
	*out = NULL;
	eng_cache *c;
	bool read_only = false;
	int rc = eng_cache_open(dir, ENG_OPEN_WRITE, &c, d);
	if (rc == NG_ERR_PERM) {
		read_only = true;
		rc = eng_cache_open(dir, 0, &c, d);
	}
	if (rc < 0)
		return rc;
	real *r = xcalloc(1, sizeof *r);
	r->base.ops = &real_ops;
	tui_model_init(&r->base.model);
	r->cache = c;
	r->dir = xstrdup(eng_cache_dir(c));
	r->next_job = 1;
	tui_model *m = &r->base.model;
	free(m->cache_dir);
	m->cache_dir = xstrdup(r->dir);
	m->read_only = read_only || !eng_cache_is_admin(c);
	m->service = TUI_SVC_STOPPED;
	if (!m->read_only)
		r->jdb_ok = jq_db_open(&r->jdb, r->dir) == 0;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	m->pool_size = ncpu > 0 ? (int)ncpu : 2;
	*out = &r->base;
	return 0;
}
