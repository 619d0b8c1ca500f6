/* queue/jq_task.h - the native image task (Ngen's ngentask): usage logs to
 * installs, idle work, reclaiming.
 *
 * `ngen task [/RuntimeWide] [/Critical]` (run nightly by the shipped
 * systemd timer dist/ngen-task.timer, or by hand):
 *
 *  1. reads the usage logs (jq_usage.h): each application's log (the App
 *     stream), or with /RuntimeWide the machine-wide stream;
 *  2. for every assembly loaded at least min_uses times within window_s
 *     that still exists and has no valid native image, queues
 *     `install <path>` at priority 3, marked as an automatic install
 *     (origin "task", remembered in the table jq_auto);
 *  3. for every automatic install whose assembly has not been used for
 *     reclaim_s, queues `uninstall <path>` at priority 3 and forgets it;
 *  4. runs the queue's work: priority 1 and 2 at once, priority 3 while the
 *     machine is idle; when the machine stops being idle the task stops
 *     (the unfinished item goes back to the queue). /Critical runs
 *     everything at once without waiting for idle time.
 *
 * Thresholds come from the environment: NGEN_TASK_MIN_USES (default 3),
 * NGEN_TASK_WINDOW_DAYS (30), NGEN_TASK_RECLAIM_DAYS (30), NGEN_TASK_WAIT_S
 * (how long to wait for idle time before giving up, default 3600). */
#ifndef JQ_TASK_H
#define JQ_TASK_H

#include "base/diag.h"
#include "queue/jq_exec.h"
#include "queue/jq_idle.h"
#include "queue/jq_runner.h"

typedef struct jq_task_opts {
	const char *cache_dir;
	bool runtime_wide;          /* /RuntimeWide */
	bool critical;              /* /Critical */
	int min_uses;               /* 0: from the environment */
	double window_s, reclaim_s, wait_s;   /* 0: from the environment */
	const jq_executor *exec;    /* jq_executor_engine() for real work */
	jq_idle *idle;              /* NULL: /proc/stat */
	jq_event_fn on_event;       /* may be NULL */
	void *event_ctx;
	bool no_run;                /* only steps 1-3 (tests) */
	double poll_s;              /* 0: default */
	jq_policy policy;           /* max_attempts 0: defaults */
} jq_task_opts;

typedef struct jq_task_result {
	int assemblies_seen;        /* distinct assemblies in the logs */
	int queued_installs;        /* new automatic install items */
	int queued_uninstalls;      /* reclaimed automatic installs */
	jq_run_stats run;
} jq_task_result;

int jq_task_run(const jq_task_opts *o, jq_task_result *res, ng_diag *d);

#endif
