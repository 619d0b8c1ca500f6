/* queue/jq_runner.h - runs queue items on a libuv loop and worker pool.
 *
 * One scheduler for every consumer of the queue: the service (idle-gated,
 * polite, honours pause and foreground commands), eqi (foreground, up to a
 * priority bound) and the idle task. uv_queue_work() runs work first-in
 * first-out, so priority and concurrency are decided here: a scheduling
 * pass claims at most `workers - in_flight` items from the database
 * (jq_claim, atomic across processes), best first, and queues exactly those.
 * A pass runs when the runner starts, when a job ends, when kicked
 * (jq_runner_kick: a new item, continue), on a poll timer (other processes'
 * items, retries coming due) and when the idle state changes.
 *
 * Idle gating: priority 3 items are claimed only while the idle source says
 * idle; when it stops being idle, running priority 3 jobs are canceled
 * through their cancel flag and go back to the queue (the executor leaves
 * no partial image). A heartbeat renews the leases of running items and
 * stores their progress in the database, so `queue status` and the console
 * see it without the socket.
 *
 * Politeness: with opts.polite each worker thread lowers itself to nice 19
 * and the idle I/O class (ioprio_set) before it runs an item. The libuv
 * pool is per process and sized by UV_THREADPOOL_SIZE before first use;
 * jq_runner_new raises that variable to opts.workers when it can.
 *
 * Events go to opts.on_event on the loop thread (jq_events.h). */
#ifndef JQ_RUNNER_H
#define JQ_RUNNER_H

#include "base/diag.h"
#include "queue/jq.h"
#include "queue/jq_events.h"
#include "queue/jq_exec.h"
#include "queue/jq_idle.h"

#include <uv.h>

typedef struct jq_runner jq_runner;

typedef struct jq_runner_opts {
	const char *cache_dir;          /* copied */
	int workers;                    /* 0: number of CPUs */
	int max_priority;               /* run 1..max_priority; 0: 3 */
	bool idle_gated;                /* priority 3 only while idle */
	bool stop_when_busy;            /* the idle task: stop when idle ends */
	bool honour_pause;              /* the service: obey `queue pause` */
	bool honour_foreground;         /* the service: wait for manual commands */
	bool polite;                    /* low CPU and I/O priority workers */
	bool hold_foreground;           /* a manual eqi (command or console):
	                                 * hold the foreground lock while
	                                 * running, so the service holds back */
	bool exit_when_empty;           /* stop when nothing is left to do */
	const jq_executor *exec;        /* borrowed; jq_executor_engine() for real work */
	jq_idle *idle;                  /* borrowed; NULL: /proc/stat source */
	jq_policy policy;               /* max_attempts 0: defaults */
	double poll_s;                  /* 0: 1 second */
	/* With idle_gated: stop when nothing has run and the machine has not
	 * been idle for this long (the idle task gives up; 0: never). */
	double give_up_s;
	jq_event_fn on_event;           /* may be NULL */
	void *event_ctx;
	/* Called once on the loop thread when the runner has stopped (empty,
	 * busy for the idle task, or jq_runner_stop), no job is in flight and
	 * its handles are closed; rc is 0 or the error that stopped it. The
	 * callback may call jq_runner_free. */
	void (*on_stopped)(void *ctx, int rc);
	void *stopped_ctx;
} jq_runner_opts;

/* Snapshot of one running job, for status. */
typedef struct jq_job_info {
	int64_t id;
	int priority, attempt;
	unsigned done, total;
	double started;
	char item[JQ_EVENT_TEXT];
	char what[JQ_EVENT_TEXT];
} jq_job_info;

typedef struct jq_run_stats {
	int finished, failed, retried, requeued;
} jq_run_stats;

/* Creates a runner on loop and starts it (the first pass runs on the next
 * loop iteration). The runner owns its own database connection. */
int jq_runner_new(uv_loop_t *loop, const jq_runner_opts *o, jq_runner **out,
		  ng_diag *d);
/* Runs a scheduling pass soon. */
void jq_runner_kick(jq_runner *r);
/* Pause: starts no new item (running ones finish). Does not write the
 * database flag; the caller does (jq_set_paused). */
void jq_runner_set_paused(jq_runner *r, bool paused);
bool jq_runner_is_paused(const jq_runner *r);
bool jq_runner_is_idle(const jq_runner *r);
/* Stops: cancels running items (they go back to the queue), then calls
 * on_stopped. */
void jq_runner_stop(jq_runner *r);
/* Frees a stopped runner (after on_stopped). */
void jq_runner_free(jq_runner *r);
/* Fills up to max job snapshots; returns how many run now. */
int jq_runner_jobs(const jq_runner *r, jq_job_info *jobs, int max);
int jq_runner_workers(const jq_runner *r);
void jq_runner_stats(const jq_runner *r, jq_run_stats *s);

/* A runner on a private loop until it stops: eqi and the idle task.
 * Returns 0, or the first error; stats may be NULL. */
int jq_run_to_completion(const jq_runner_opts *o, jq_run_stats *stats, ng_diag *d);

#endif
