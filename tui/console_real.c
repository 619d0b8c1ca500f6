/* tui/console_real.c - the provider that shows a real cache.
 *
 * Reading: everything comes through engine/'s accessors (images, their
 * dependencies, roots, the log) and queue/'s (items, status), on the loop
 * thread, on the provider's own connections. An image's status words
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
 * Work: install, uninstall, update and verify run on the libuv worker pool
 * (uv_queue_work), each on a cache connection of its own, through the same
 * engine functions as batch mode. A worker never touches the model or
 * curses; it writes its progress under a mutex, and the loop thread copies
 * it into the model on the next tick and publishes the result in the
 * after-work callback. eqi runs a jq_runner on the console's own loop;
 * queued installs, priority changes, cancel and pause go to the queue. */
#include "tui/console_real.h"

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

/* Jobs of the service and of eqi use the queue item's id plus this, so
 * they never collide with the console's own job ids. */
#define QUEUE_JOB_BASE ((int64_t)1 << 40)

/* Up to this many images, the first read includes the dependency edges;
 * beyond, they follow from the worker pool (one query per image). */
enum { SYNC_DEPS_LIMIT = 2000 };

typedef struct real real;

typedef struct rjob {
	uv_work_t work;
	real *owner;
	tui_req_kind kind;
	int64_t job_id;
	int argc;
	char **argv;
	char *cwd;
	/* Progress, written by the worker under mu, read on the loop. */
	pthread_mutex_t mu;
	unsigned asm_index, asm_total, cur_done, cur_total, methods, compiled_done;
	char what[256];
	/* Result, read in after_work. */
	int rc;
	ng_diag diag;
	char result[256];
	volatile int cancel;
	struct rjob *next;
} rjob;

struct real {
	tui_provider base;
	char *dir;
	eng_cache *cache;
	jq_db jdb;
	bool jdb_ok;
	jq_client *client;
	uv_poll_t client_poll;
	bool polling;
	jq_runner *runner;           /* eqi, while it runs */
	rjob *jobs;                  /* running on the pool */
	int64_t next_job;
	double next_connect, next_status, last_reload;
	bool reload_wanted, closing, runner_stopped;
	struct snapshot *loading;    /* a background reload under way */
	long long sig;               /* cache.db and WAL size/mtime signature */
};

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
	int cur;                     /* image whose deps are being read */
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

static int on_dep(void *ctx, const eng_image_info *img)
{
	load_ctx *lc = ctx;
	int d = index_of(lc, img->id);
	if (d >= 0 && d != lc->cur)
		tui_model_add_dep(lc->m, lc->cur, d);
	return 0;
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
	rc->rows[rc->n++] = (rootrow){ root->id, root->image_id, xstrdup(root->args) };
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
		tui_qitem *q = tui_model_add_qitem(m, items[i].id, items[i].priority, what,
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
	tui_job *j = tui_model_find_job(m, QUEUE_JOB_BASE + item);
	if (!j || (j->state != TUI_JOB_RUNNING && name))
		j = tui_model_add_job(m, QUEUE_JOB_BASE + item, name ? name : "queued item", 0, tui_now());
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
	load_ctx lc = { ir->m, NULL, 0, 0 };
	ir->rc = eng_images_foreach(c, on_image, &lc, &ir->d);
	if (!ir->c)
		eng_cache_free(c);
	return NULL;
}

/* Reads the cache and the queue into m: images, roots, log, queue, and the
 * dependency edges when there are at most deps_limit images (one query per
 * image). With dir given, images are read on a second thread on their own
 * connection while this one reads the roots and the log: the two
 * heaviest queries then overlap. Touches nothing but m and the
 * connections, so it runs on a worker thread as well as on the loop. */
static int load_model(eng_cache *c, const char *dir, jq_db *jdb, tui_model *m, int deps_limit,
		      ng_diag *d)
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
	load_ctx lc = { m, NULL, 0, 0 };
	lc.map = xmalloc((size_t)(m->nimages + 1) * sizeof *lc.map);
	for (int i = 0; i < m->nimages; i++)
		lc.map[i] = (idmap){ m->images[i].id, i };
	lc.nmap = m->nimages;
	qsort(lc.map, (size_t)lc.nmap, sizeof *lc.map, cmp_idmap);
	for (int i = 0; m->nimages <= deps_limit && rc >= 0 && i < m->nimages; i++) {
		lc.cur = i;
		rc = eng_image_deps_foreach(c, m->images[i].id, on_dep, &lc, d);
	}
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
	sn->rc = load_model(c, NULL, sn->queue_ok ? &jdb : NULL, &sn->m, INT_MAX, &sn->d);
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

/* The first screen (and ^L): images, roots, log and queue read at once on
 * the loop thread; the dependency edges, one query per image until the
 * engine offers them in one (see the final report), follow from the worker
 * pool, so a large cache shows without waiting for them. A small cache
 * (under 2,000 images) is read whole at once. */
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
	int limit = p->loop ? SYNC_DEPS_LIMIT : INT_MAX;
	int rc = load_model(r->cache, r->dir, r->jdb_ok ? &r->jdb : NULL, &snap, limit, &d);
	tui_model_take_data(m, &snap);
	tui_model_close(&snap);
	if (getenv("NGEN_CONSOLE_TRACE"))
		fprintf(stderr, "console: first read in %.1f ms\n", (tui_now() - t0) * 1e3);
	load_status(r);
	r->last_reload = tui_now();
	r->reload_wanted = false;
	if (m->nimages > limit)
		reload_async(r);
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
	load_model(r->cache, NULL, r->jdb_ok ? &r->jdb : NULL, &snap, INT_MAX, &d);
	double ms = (tui_now() - t0) * 1e3;
	tui_model_close(&snap);
	return ms;
}

/* ---- the service's events ---------------------------------------------- */

static void disconnect(real *r);

static void on_event(void *ctx, const jq_event *ev)
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
	int rc;
	while (r->client && (rc = jq_client_read_event(r->client, &ev, 0)) == 1)
		on_event(r, &ev);
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

/* ---- work on the pool --------------------------------------------------- */

static void on_engine_event(void *ctx, const eng_event *ev)
{
	rjob *j = ctx;
	pthread_mutex_lock(&j->mu);
	switch (ev->kind) {
	case ENG_EV_ASSEMBLY:
		j->asm_index = ev->index;
		j->asm_total = ev->total;
		j->cur_done = j->cur_total = 0;
		snprintf(j->what, sizeof j->what, "%u/%u %s", ev->index, ev->total, ev->name ? ev->name : "");
		break;
	case ENG_EV_METHODS:
		j->methods += ev->done > j->cur_done ? ev->done - j->cur_done : 0;
		j->cur_done = ev->done;
		j->cur_total = ev->count;
		break;
	case ENG_EV_MESSAGE: case ENG_EV_INVALID:
		snprintf(j->what, sizeof j->what, "%s%s%s", ev->name ? ev->name : "",
			 ev->name && ev->text ? ": " : "", ev->text ? ev->text : "");
		break;
	default:
		break;
	}
	pthread_mutex_unlock(&j->mu);
}

static int run_request(rjob *j, eng_cache *c, const eng_run_opts *o)
{
	eng_request req;
	eng_action act = j->kind == TUI_REQ_INSTALL ? ENG_INSTALL : ENG_UNINSTALL;
	int rc = eng_args_parse(act, j->argc, j->argv, j->cwd, &req, &j->diag);
	if (rc < 0)
		return rc;
	if (act == ENG_INSTALL) {
		eng_install_result res = { 0 };
		rc = eng_install(c, &req, o, &res, &j->diag);
		snprintf(j->result, sizeof j->result, "%u compiled, %u reused", res.compiled, res.reused);
	} else {
		unsigned roots = 0, images = 0;
		rc = eng_uninstall(c, &req, o, &roots, &images, &j->diag);
		snprintf(j->result, sizeof j->result, "%u root(s) and %u image(s) removed", roots, images);
	}
	eng_request_close(&req);
	return rc;
}

static void work_cb(uv_work_t *w)
{
	rjob *j = w->data;
	eng_cache *c;
	j->rc = eng_cache_open(j->owner->dir, ENG_OPEN_WRITE, &c, &j->diag);
	if (j->rc < 0)
		return;
	eng_cache_set_compiler(c, eng_compiler_from_env());
	eng_run_opts o = { on_engine_event, j, &j->cancel };
	if (j->kind == TUI_REQ_UPDATE) {
		eng_update_result res = { 0 };
		j->rc = eng_update(c, true, &o, &res, &j->diag);
		snprintf(j->result, sizeof j->result, "%u checked, %u invalid, %u rebuilt, %u failed",
			 res.checked, res.invalid, res.rebuilt, res.failed);
	} else if (j->kind == TUI_REQ_VERIFY || j->kind == TUI_REQ_REPAIR) {
		eng_verify_result res = { 0 };
		j->rc = eng_verify(c, j->kind == TUI_REQ_REPAIR, &o, &res, &j->diag);
		snprintf(j->result, sizeof j->result, "%u images, %u problem(s), %u repaired",
			 res.images, res.problems, res.repaired);
	} else {
		j->rc = run_request(j, c, &o);
	}
	eng_cache_free(c);
}

static void copy_progress(real *r, rjob *rj)
{
	tui_job *j = tui_model_find_job(&r->base.model, rj->job_id);
	if (!j)
		return;
	pthread_mutex_lock(&rj->mu);
	int total = rj->asm_total ? (int)rj->asm_total * 1000 : 0;
	int done = rj->asm_index ? (int)(rj->asm_index - 1) * 1000 : 0;
	if (rj->cur_total)
		done += (int)(1000ULL * rj->cur_done / rj->cur_total);
	if (done != j->done || total != j->total || (int)rj->methods != j->methods ||
	    strcmp(j->detail, rj->what) != 0) {
		j->done = done;
		j->total = total;
		j->methods = (int)rj->methods;
		tui_image_set(&j->detail, rj->what);
		tui_model_touch(&r->base.model);
	}
	pthread_mutex_unlock(&rj->mu);
}

static void free_rjob(rjob *j)
{
	eng_args_free(j->argc, j->argv);
	free(j->cwd);
	pthread_mutex_destroy(&j->mu);
	free(j);
}

static void after_work_cb(uv_work_t *w, int status)
{
	rjob *rj = w->data;
	real *r = rj->owner;
	copy_progress(r, rj);
	for (rjob **pp = &r->jobs; *pp; pp = &(*pp)->next)
		if (*pp == rj) {
			*pp = rj->next;
			break;
		}
	tui_model *m = &r->base.model;
	tui_job *j = tui_model_find_job(m, rj->job_id);
	if (j) {
		j->ended = tui_now();
		j->state = rj->rc < 0 ? TUI_JOB_FAILED : TUI_JOB_DONE;
		if (rj->rc < 0)
			tui_image_set(&j->error, ng_diag_text(&rj->diag));
		else {
			j->done = j->total = j->total ? j->total : 1;
			tui_image_set(&j->detail, rj->result);
		}
		tui_model_set_message(m, "%s: %s", j->name, rj->rc < 0 ? ng_diag_text(&rj->diag) : rj->result);
	}
	free_rjob(rj);
	r->reload_wanted = true;
	r->last_reload = 0;
	tui_model_touch(m);
}

static int start_job(real *r, tui_req_kind kind, const char *name, int argc, char **argv,
		     const char *cwd, ng_diag *d)
{
	if (!r->base.loop)
		return ng_diag_set(d, NG_ERR_UNSUPPORTED, "no event loop to run '%s' on", name);
	rjob *j = xcalloc(1, sizeof *j);
	j->owner = r;
	j->kind = kind;
	j->job_id = r->next_job++;
	j->argc = argc;
	j->argv = argv;
	j->cwd = xstrdup(cwd ? cwd : "/");
	pthread_mutex_init(&j->mu, NULL);
	j->work.data = j;
	tui_model_add_job(&r->base.model, j->job_id, name, 0, tui_now());
	j->next = r->jobs;
	r->jobs = j;
	uv_queue_work(r->base.loop, &j->work, work_cb, after_work_cb);
	return 0;
}

/* ---- requests ----------------------------------------------------------- */

static char **make_argv(int *argc, const char *target, const char *scenario)
{
	char **argv = xcalloc(3, sizeof *argv);
	*argc = 0;
	argv[(*argc)++] = xstrdup(target);
	if (scenario && strcmp(scenario, "debug") == 0)
		argv[(*argc)++] = xstrdup("/Debug");
	else if (scenario && strcmp(scenario, "profile") == 0)
		argv[(*argc)++] = xstrdup("/Profile");
	return argv;
}

typedef struct root_find { int64_t id; char *json, *cwd; } root_find;

static int on_root_find(void *ctx, const eng_root_info *root)
{
	root_find *f = ctx;
	if (root->id != f->id)
		return 0;
	f->json = xstrdup(root->args_json);
	f->cwd = xstrdup(root->cwd);
	return 1;
}

static int submit_uninstall(real *r, const tui_request *req, ng_diag *d)
{
	root_find f = { req->id, NULL, NULL };
	eng_roots_foreach(r->cache, on_root_find, &f, d);
	if (!f.json)
		return ng_diag_set(d, NG_ERR_NOTFOUND, "uninstall: root %s is gone; reload with ^L",
				   req->target ? req->target : "");
	int argc;
	char **argv;
	int rc = eng_args_split(f.json, &argc, &argv);
	if (rc == 0) {
		char name[600];
		snprintf(name, sizeof name, "uninstall %s", req->target ? req->target : "");
		rc = start_job(r, TUI_REQ_UNINSTALL, name, argc, argv, f.cwd, d);
	} else {
		ng_diag_set(d, rc, "uninstall: the root's arguments are unreadable");
	}
	free(f.json);
	free(f.cwd);
	return rc;
}

static void on_runner_stopped(void *ctx, int rc)
{
	real *r = ctx;
	/* Freed on the next tick: not from inside the runner's own callback. */
	r->runner_stopped = true;
	r->reload_wanted = true;
	tui_model_set_message(&r->base.model, rc < 0 ? "eqi stopped: %s" : "eqi: the queued items ran%s",
			      rc < 0 ? ng_strerror(rc) : "");
}

static int submit_eqi(real *r, int prio, ng_diag *d)
{
	if (r->runner)
		return ng_diag_set(d, NG_ERR_BUSY, "eqi is running already");
	if (!r->base.loop)
		return ng_diag_set(d, NG_ERR_UNSUPPORTED, "no event loop to run eqi on");
	jq_runner_opts o = {
		.cache_dir = r->dir, .max_priority = prio, .exec = jq_executor_engine(),
		.exit_when_empty = true, .on_event = on_event, .event_ctx = r,
		.on_stopped = on_runner_stopped, .stopped_ctx = r,
	};
	int rc = jq_runner_new(r->base.loop, &o, &r->runner, d);
	if (rc == 0)
		tui_model_set_message(&r->base.model, "eqi: running queued items of priority %d and higher",
				      prio);
	return rc;
}

static int queue_call(real *r, const char *cmd, int64_t id)
{
	ng_diag d;
	int rc = jq_client_command(r->dir, cmd, id, &d);
	return rc == NG_ERR_NOTFOUND ? 0 : rc;   /* no service running: the flag is enough */
}

static int submit_queue(real *r, const tui_request *req, ng_diag *d)
{
	if (!r->jdb_ok)
		return ng_diag_set(d, NG_ERR_PERM, "the queue of %s cannot be opened: %s", r->dir,
				   ng_diag_text(&r->jdb.diag));
	int rc = 0;
	switch (req->kind) {
	case TUI_REQ_PRIORITY:
		rc = jq_set_priority(&r->jdb, req->id, req->priority);
		if (rc == 0)
			queue_call(r, "kick", req->id);
		break;
	case TUI_REQ_CANCEL:
		rc = jq_remove(&r->jdb, req->id);
		break;
	case TUI_REQ_PAUSE: case TUI_REQ_CONTINUE:
		rc = jq_set_paused(&r->jdb, req->kind == TUI_REQ_PAUSE);
		if (rc == 0)
			rc = queue_call(r, req->kind == TUI_REQ_PAUSE ? "pause" : "continue", 0);
		if (rc == 0)
			r->base.model.service = req->kind == TUI_REQ_PAUSE ? TUI_SVC_PAUSED :
				r->client ? TUI_SVC_RUNNING : TUI_SVC_STOPPED;
		break;
	default:
		break;
	}
	if (rc < 0)
		return ng_diag_set(d, rc, "%s", r->jdb.diag.msg[0] ? r->jdb.diag.msg : ng_strerror(rc));
	r->reload_wanted = true;
	r->last_reload = 0;
	return 0;
}

static int real_submit(tui_provider *p, const tui_request *req, ng_diag *d)
{
	real *r = (real *)p;
	char cwd[4096];
	if (!getcwd(cwd, sizeof cwd))
		strcpy(cwd, "/");
	int argc;
	char **argv;
	char name[700];
	switch (req->kind) {
	case TUI_REQ_INSTALL:
		argv = make_argv(&argc, req->target, req->scenario);
		if (req->queue) {
			int64_t id;
			int rc = jq_submit(r->dir, "install", req->priority, argc, argv, cwd, NULL, &id, NULL, d);
			eng_args_free(argc, argv);
			r->reload_wanted = true;
			r->last_reload = 0;
			return rc;
		}
		snprintf(name, sizeof name, "install %s", req->target);
		return start_job(r, TUI_REQ_INSTALL, name, argc, argv, cwd, d);
	case TUI_REQ_UNINSTALL:
		return submit_uninstall(r, req, d);
	case TUI_REQ_UPDATE: case TUI_REQ_VERIFY: case TUI_REQ_REPAIR:
		return start_job(r, req->kind, req->kind == TUI_REQ_UPDATE ? "update" :
				 req->kind == TUI_REQ_REPAIR ? "verify /repair" : "verify", 0, NULL, cwd, d);
	case TUI_REQ_EQI:
		return submit_eqi(r, req->priority, d);
	default:
		return submit_queue(r, req, d);
	}
}

/* ---- the tick ------------------------------------------------------------ */

static void real_tick(tui_provider *p)
{
	real *r = (real *)p;
	double now = tui_now();
	for (rjob *j = r->jobs; j; j = j->next)
		copy_progress(r, j);
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
	.submit = real_submit,
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
