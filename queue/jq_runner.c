/* queue/jq_runner.c - the scheduler on a libuv loop; see jq_runner.h.
 *
 * Only the loop thread touches the database connection and the job list;
 * a worker thread touches only its own job (the item it was handed, its
 * cancel flag, its progress counters under the runner's mutex). */
#include "queue/jq_runner.h"

#include "base/err.h"
#include "base/xmalloc.h"
#include "queue/jq_lock.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

typedef struct job job;
struct job {
	uv_work_t req;
	jq_runner *r;
	jq_item item;
	char desc[JQ_EVENT_TEXT];
	volatile int cancel;
	bool cancel_for_idle;
	int rc;
	ng_diag diag;
	double started;
	/* Written by the worker under r->mu, read by the loop. */
	unsigned done, total;
	char what[JQ_EVENT_TEXT];
	bool progress_dirty;
	job *next;
};

struct jq_runner {
	uv_loop_t *loop;
	jq_runner_opts o;
	char *cache_dir;
	jq_db db;
	jq_idle *idle;
	bool own_idle;
	uv_timer_t poll, beat, idle_timer;
	uv_async_t progress_async;
	uv_idle_t pass_soon;
	uv_mutex_t mu;
	job *jobs;
	int in_flight;
	bool paused, is_idle, stopping, stopped, pass_pending;
	int closing, stop_rc;
	int fg_fd;                      /* foreground lock, or -1 */
	double last_active;             /* last time idle or running, monotonic */
	jq_run_stats stats;
};

static void schedule_pass(jq_runner *r);

static void emit(jq_runner *r, jq_event *ev)
{
	if (ev->time == 0)
		ev->time = jq_now();
	if (r->o.on_event)
		r->o.on_event(r->o.event_ctx, ev);
}

static void emit_simple(jq_runner *r, jq_event_kind kind, const char *reason)
{
	jq_event ev = { .kind = kind };
	if (reason)
		snprintf(ev.text, sizeof ev.text, "%s", reason);
	emit(r, &ev);
}

static void job_event(jq_runner *r, job *j, jq_event_kind kind, const char *text)
{
	jq_event ev = { .kind = kind, .id = j->item.id, .priority = j->item.priority,
			.attempt = j->item.attempts };
	snprintf(ev.item, sizeof ev.item, "%s", j->desc);
	if (text)
		snprintf(ev.text, sizeof ev.text, "%s", text);
	if (kind == JQ_EV_FINISHED)
		ev.elapsed = jq_now() - j->started;
	if (kind == JQ_EV_RETRY)
		ev.retry_in = r->db.policy.backoff_s * (double)(1u << (j->item.attempts - 1));
	emit(r, &ev);
}

/* --- the worker side --- */

/* Lowers this pool thread to nice 19 and the idle I/O class, once. */
static void become_polite(void)
{
	static __thread bool done;
	if (done)
		return;
	done = true;
	pid_t tid = (pid_t)syscall(SYS_gettid);
	setpriority(PRIO_PROCESS, (id_t)tid, 19);
	/* ioprio_set(IOPRIO_WHO_PROCESS, tid, IOPRIO_PRIO_VALUE(IDLE, 0)):
	 * class 3 in the top bits. Best effort: not all I/O schedulers honour it. */
	syscall(SYS_ioprio_set, 1, (int)tid, 3 << 13);
}

static void job_progress(void *pctx, unsigned done, unsigned total, const char *what)
{
	job *j = pctx;
	uv_mutex_lock(&j->r->mu);
	j->done = done;
	j->total = total;
	if (what)
		snprintf(j->what, sizeof j->what, "%s", what);
	j->progress_dirty = true;
	uv_mutex_unlock(&j->r->mu);
	uv_async_send(&j->r->progress_async);
}

static void work_cb(uv_work_t *req)
{
	job *j = req->data;
	jq_runner *r = j->r;
	if (r->o.polite)
		become_polite();
	ng_diag_clear(&j->diag);
	j->rc = r->o.exec->run(r->o.exec->ctx, r->cache_dir, &j->item, job_progress, j,
			       &j->cancel, &j->diag);
	/* Asked to stop, the engine may fail in other words (a closed file,
	 * an interrupted compile): it was still a cancel, not a failure. */
	if (j->rc < 0 && j->cancel)
		j->rc = NG_ERR_CANCELED;
	if (j->rc == NG_ERR_CANCELED && !j->cancel)
		j->rc = ng_diag_set(&j->diag, NG_ERR_COMPILE, "canceled without a request");
}

/* --- the loop side --- */

static void unlink_job(jq_runner *r, job *j)
{
	for (job **p = &r->jobs; *p; p = &(*p)->next)
		if (*p == j) {
			*p = j->next;
			break;
		}
	r->in_flight--;
}

static void record_outcome(jq_runner *r, job *j, int status)
{
	int rc = 0;
	if (status == UV_ECANCELED || (j->rc == NG_ERR_CANCELED && j->cancel)) {
		rc = jq_release(&r->db, j->item.id);
		r->stats.requeued++;
		job_event(r, j, JQ_EV_REQUEUED, j->cancel_for_idle
			  ? "the machine is no longer idle" : "the run was stopped");
	} else if (j->rc == 0) {
		rc = jq_finish(&r->db, j->item.id);
		r->stats.finished++;
		job_event(r, j, JQ_EV_FINISHED, NULL);
	} else {
		bool final = false;
		const char *msg = ng_diag_text(&j->diag);
		rc = jq_fail(&r->db, j->item.id, msg, &final);
		if (final)
			r->stats.failed++;
		else
			r->stats.retried++;
		job_event(r, j, final ? JQ_EV_FAILED : JQ_EV_RETRY, msg);
	}
	if (rc < 0)
		fprintf(stderr, "ngen service: item %lld: %s\n", (long long)j->item.id,
			ng_diag_text(&r->db.diag));
}

static void after_work_cb(uv_work_t *req, int status)
{
	job *j = req->data;
	jq_runner *r = j->r;
	unlink_job(r, j);
	record_outcome(r, j, status);
	jq_item_close(&j->item);
	free(j);
	schedule_pass(r);
}

static void start_job(jq_runner *r, jq_item *it)
{
	job *j = xcalloc(1, sizeof *j);
	j->r = r;
	j->item = *it;
	j->req.data = j;
	j->started = jq_now();
	char *d = jq_item_describe(it);
	snprintf(j->desc, sizeof j->desc, "%s", d);
	free(d);
	j->next = r->jobs;
	r->jobs = j;
	r->in_flight++;
	job_event(r, j, JQ_EV_STARTED, NULL);
	int rc = uv_queue_work(r->loop, &j->req, work_cb, after_work_cb);
	if (rc < 0) {
		/* Cannot happen with a valid loop; give the item back. */
		j->rc = NG_ERR_CANCELED;
		j->cancel = 1;
		after_work_cb(&j->req, UV_ECANCELED);
	}
}

static void cancel_jobs(jq_runner *r, bool only_idle_work)
{
	for (job *j = r->jobs; j; j = j->next) {
		if (only_idle_work && j->item.priority < 3)
			continue;
		j->cancel_for_idle = only_idle_work;
		__atomic_store_n(&j->cancel, 1, __ATOMIC_SEQ_CST);
	}
}

static void close_cb(uv_handle_t *h)
{
	jq_runner *r = h->data;
	if (--r->closing == 0 && r->o.on_stopped)
		r->o.on_stopped(r->o.stopped_ctx, r->stop_rc);
}

static void finish_stop(jq_runner *r)
{
	if (r->stopped)
		return;
	r->stopped = true;
	jq_foreground_leave(r->fg_fd);
	r->fg_fd = -1;
	uv_handle_t *hs[] = { (uv_handle_t *)&r->poll, (uv_handle_t *)&r->beat,
			      (uv_handle_t *)&r->idle_timer,
			      (uv_handle_t *)&r->progress_async, (uv_handle_t *)&r->pass_soon };
	r->closing = 5;
	for (int i = 0; i < 5; i++)
		uv_close(hs[i], close_cb);
}

static void begin_stop(jq_runner *r, int rc, const char *reason)
{
	if (!r->stopping) {
		r->stopping = true;
		r->stop_rc = rc;
		if (reason)
			emit_simple(r, JQ_EV_STOPPING, reason);
	}
	cancel_jobs(r, false);
	if (r->in_flight == 0)
		finish_stop(r);
}

static bool may_start_work(jq_runner *r)
{
	if (r->o.honour_pause) {
		bool paused = false;
		if (jq_is_paused(&r->db, &paused) == 0 && paused != r->paused) {
			r->paused = paused;
			emit_simple(r, paused ? JQ_EV_PAUSED : JQ_EV_CONTINUED, NULL);
		}
		if (r->paused)
			return false;
	}
	if (r->o.honour_foreground && jq_foreground_active(r->cache_dir))
		return false;
	return true;
}

static void claim_and_start(jq_runner *r)
{
	jq_filter f = { .max_priority = r->o.max_priority,
			.allow_idle_work = !r->o.idle_gated || r->is_idle };
	while (r->in_flight < r->o.workers) {
		jq_item it;
		int rc = jq_claim(&r->db, &f, &it);
		if (rc == 1)
			break;
		if (rc < 0) {
			fprintf(stderr, "ngen: %s\n", ng_diag_text(&r->db.diag));
			break;
		}
		start_job(r, &it);
	}
}

static void check_done(jq_runner *r)
{
	if (!r->o.exit_when_empty || r->in_flight > 0)
		return;
	bool pending = true;
	if (jq_has_pending(&r->db, r->o.max_priority, &pending) == 0 && !pending)
		begin_stop(r, 0, "the queue is empty");
}

static void do_pass(jq_runner *r)
{
	r->pass_pending = false;
	if (r->stopping || r->stopped)
		return;
	if (may_start_work(r))
		claim_and_start(r);
	check_done(r);
}

static void pass_soon_cb(uv_idle_t *h)
{
	uv_idle_stop(h);
	do_pass(h->data);
}

static void schedule_pass(jq_runner *r)
{
	if (r->stopping) {
		if (r->in_flight == 0)
			finish_stop(r);
		return;
	}
	if (!r->pass_pending) {
		r->pass_pending = true;
		uv_idle_start(&r->pass_soon, pass_soon_cb);
	}
}

/* Items of dead owners are looked for at start and on every poll, not on
 * every pass: a pass runs after every job, and reclaiming scans the
 * running items of every process. */
static void poll_cb(uv_timer_t *t)
{
	jq_runner *r = t->data;
	if (!r->stopping)
		jq_reclaim(&r->db, NULL);
	schedule_pass(r);
}

static void beat_cb(uv_timer_t *t)
{
	jq_runner *r = t->data;
	for (job *j = r->jobs; j; j = j->next) {
		uv_mutex_lock(&r->mu);
		unsigned done = j->done, total = j->total;
		uv_mutex_unlock(&r->mu);
		jq_renew(&r->db, j->item.id, done, total);
	}
}

static void progress_cb(uv_async_t *a)
{
	jq_runner *r = a->data;
	for (job *j = r->jobs; j; j = j->next) {
		jq_event ev = { .kind = JQ_EV_PROGRESS, .id = j->item.id,
				.priority = j->item.priority, .attempt = j->item.attempts };
		uv_mutex_lock(&r->mu);
		bool dirty = j->progress_dirty;
		j->progress_dirty = false;
		ev.done = j->done;
		ev.total = j->total;
		snprintf(ev.text, sizeof ev.text, "%s", j->what);
		uv_mutex_unlock(&r->mu);
		if (dirty)
			emit(r, &ev);
	}
}

static void idle_cb(uv_timer_t *t)
{
	jq_runner *r = t->data;
	bool idle = false;
	if (r->idle->sample(r->idle, &idle) < 0)
		idle = false;
	double now = (double)uv_now(r->loop) / 1000.0;
	if (idle || r->in_flight > 0 || r->last_active == 0)
		r->last_active = now;
	else if (r->o.give_up_s > 0 && now - r->last_active > r->o.give_up_s) {
		begin_stop(r, 0, "the machine did not become idle");
		return;
	}
	if (idle == r->is_idle)
		return;
	r->is_idle = idle;
	jq_event ev = { .kind = JQ_EV_IDLE, .idle = idle };
	emit(r, &ev);
	if (!idle) {
		cancel_jobs(r, true);
		if (r->o.stop_when_busy) {
			begin_stop(r, 0, "the machine is no longer idle");
			return;
		}
	}
	schedule_pass(r);
}

static uint64_t ms(double s)
{
	return s <= 0.001 ? 1 : (uint64_t)(s * 1000);
}

static void opts_defaults(jq_runner *r, const jq_runner_opts *o)
{
	r->o = *o;
	if (r->o.workers <= 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		r->o.workers = n > 0 ? (int)n : 1;
	}
	if (r->o.max_priority <= 0 || r->o.max_priority > 3)
		r->o.max_priority = 3;
	if (r->o.poll_s <= 0)
		r->o.poll_s = 1;
	/* The pool must be at least as large as our concurrency, or items would
	 * wait inside libuv's FIFO where priority no longer applies. */
	const char *cur = getenv("UV_THREADPOOL_SIZE");
	if (!cur || atoi(cur) < r->o.workers) {
		char buf[16];
		snprintf(buf, sizeof buf, "%d", r->o.workers < 4 ? 4 : r->o.workers);
		setenv("UV_THREADPOOL_SIZE", buf, 1);
	}
}

int jq_runner_new(uv_loop_t *loop, const jq_runner_opts *o, jq_runner **out, ng_diag *d)
{
	if (!loop || !o || !out || !o->exec || !o->exec->run)
		return ng_diag_set(d, NG_ERR_INVAL, "jq_runner_new: missing argument");
	jq_runner *r = xcalloc(1, sizeof *r);
	opts_defaults(r, o);
	r->loop = loop;
	int rc = jq_db_open(&r->db, o->cache_dir);
	if (rc < 0) {
		if (d)
			*d = r->db.diag;
		free(r);
		return rc;
	}
	if (o->policy.max_attempts > 0)
		r->db.policy = o->policy;
	r->cache_dir = xstrdup(o->cache_dir);
	r->o.cache_dir = r->cache_dir;
	r->fg_fd = -1;
	if (o->hold_foreground) {
		rc = jq_foreground_enter(r->cache_dir, &r->fg_fd);
		if (rc < 0) {
			if (rc == -EACCES || rc == -EPERM || rc == -EROFS)
				rc = ng_diag_set(d, NG_ERR_PERM, "administrative rights are needed"
						 " to run the queued items of %s", r->cache_dir);
			else
				rc = ng_diag_set(d, rc, "cannot take the foreground lock of %s: %s",
						 r->cache_dir, ng_strerror(rc));
			jq_db_close(&r->db);
			free(r->cache_dir);
			free(r);
			return rc;
		}
	}
	r->idle = o->idle;
	if (!r->idle) {
		r->idle = o->idle_gated ? jq_idle_procstat_new(NULL) : jq_idle_always_new();
		r->own_idle = true;
	}
	r->is_idle = !o->idle_gated;
	jq_reclaim(&r->db, NULL);
	uv_mutex_init(&r->mu);
	uv_timer_init(loop, &r->poll);
	uv_timer_init(loop, &r->beat);
	uv_timer_init(loop, &r->idle_timer);
	uv_async_init(loop, &r->progress_async, progress_cb);
	uv_idle_init(loop, &r->pass_soon);
	r->poll.data = r->beat.data = r->idle_timer.data = r;
	r->progress_async.data = r->pass_soon.data = r;
	uv_timer_start(&r->poll, poll_cb, ms(r->o.poll_s), ms(r->o.poll_s));
	double beat = r->db.policy.lease_s / 4;
	uv_timer_start(&r->beat, beat_cb, ms(beat > 10 ? 10 : beat), ms(beat > 10 ? 10 : beat));
	if (o->idle_gated)
		uv_timer_start(&r->idle_timer, idle_cb, 0, ms(r->idle->period_s));
	schedule_pass(r);
	*out = r;
	return 0;
}

void jq_runner_kick(jq_runner *r)
{
	schedule_pass(r);
}

void jq_runner_set_paused(jq_runner *r, bool paused)
{
	if (r->paused != paused) {
		r->paused = paused;
		emit_simple(r, paused ? JQ_EV_PAUSED : JQ_EV_CONTINUED, NULL);
	}
	schedule_pass(r);
}

bool jq_runner_is_paused(const jq_runner *r)
{
	return r->paused;
}

bool jq_runner_is_idle(const jq_runner *r)
{
	return r->is_idle;
}

void jq_runner_stop(jq_runner *r)
{
	begin_stop(r, 0, "stopped on request");
}

void jq_runner_free(jq_runner *r)
{
	if (!r)
		return;
	if (r->own_idle)
		jq_idle_free(r->idle);
	uv_mutex_destroy(&r->mu);
	jq_db_close(&r->db);
	free(r->cache_dir);
	free(r);
}

int jq_runner_jobs(const jq_runner *r, jq_job_info *jobs, int max)
{
	int n = 0;
	for (const job *j = r->jobs; j; j = j->next, n++) {
		if (n >= max)
			continue;
		jq_job_info *ji = &jobs[n];
		memset(ji, 0, sizeof *ji);
		ji->id = j->item.id;
		ji->priority = j->item.priority;
		ji->attempt = j->item.attempts;
		ji->started = j->started;
		snprintf(ji->item, sizeof ji->item, "%s", j->desc);
		uv_mutex_lock((uv_mutex_t *)&r->mu);
		ji->done = j->done;
		ji->total = j->total;
		snprintf(ji->what, sizeof ji->what, "%s", j->what);
		uv_mutex_unlock((uv_mutex_t *)&r->mu);
	}
	return n;
}

int jq_runner_workers(const jq_runner *r)
{
	return r->o.workers;
}

void jq_runner_stats(const jq_runner *r, jq_run_stats *s)
{
	*s = r->stats;
}

typedef struct private_run {
	bool stopped;
	int rc;
} private_run;

static void private_stopped(void *ctx, int rc)
{
	private_run *p = ctx;
	p->stopped = true;
	p->rc = rc;
}

int jq_run_to_completion(const jq_runner_opts *o, jq_run_stats *stats, ng_diag *d)
{
	uv_loop_t loop;
	int rc = uv_loop_init(&loop);
	if (rc < 0)
		return ng_diag_set(d, rc, "cannot start an event loop: %s", uv_strerror(rc));
	jq_runner_opts opts = *o;
	private_run pr = { 0 };
	opts.on_stopped = private_stopped;
	opts.stopped_ctx = &pr;
	opts.exit_when_empty = true;
	jq_runner *r;
	rc = jq_runner_new(&loop, &opts, &r, d);
	if (rc == 0) {
		uv_run(&loop, UV_RUN_DEFAULT);
		if (stats)
			jq_runner_stats(r, stats);
		jq_runner_free(r);
		rc = pr.rc;
	}
	uv_loop_close(&loop);
	return rc;
}
