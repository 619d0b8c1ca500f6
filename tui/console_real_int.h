/* tui/console_real_int.h - what console_real.c (reading, events, the
 * tick) and console_real_jobs.c (requests, work on the pool) share: the
 * provider's state. Private to those two files. */
#ifndef TUI_CONSOLE_REAL_INT_H
#define TUI_CONSOLE_REAL_INT_H

#include "tui/console_real.h"

#include "engine/eng.h"
#include "queue/jq.h"
#include "queue/jq_client.h"
#include "queue/jq_runner.h"

#include <pthread.h>
#include <stdint.h>
#include <uv.h>

/* Jobs of the service and of eqi use the queue item's id plus this, so
 * they never collide with the console's own job ids. */
#define QUEUE_JOB_BASE ((int64_t)1 << 40)

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

/* console_real.c */
void tui__real_on_event(void *ctx, const jq_event *ev);   /* service or eqi event */
void tui__real_want_reload(real *r);                      /* soon, in the background */
/* console_real_jobs.c */
int tui__real_submit(tui_provider *p, const tui_request *req, ng_diag *d);
void tui__real_copy_progress(real *r, rjob *rj);          /* worker -> model, loop thread */

#endif
