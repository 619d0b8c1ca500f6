/* queue/jq_client.h - talking to the service, and the queue's read API.
 *
 * For the commands (tui/cmd_queue.c, cmd_install.c's /queue) and the
 * console (engineer E):
 *
 *   jq_submit()      record a deferred install/update/uninstall and make
 *                    sure a service will run it (starts one when none runs)
 *   jq_status_get()  the service state (running, paused, stopped), items per
 *                    priority, and the jobs running now with their progress;
 *                    works whether or not the service runs (the database
 *                    has the items and the progress of every running item)
 *   jq_client_*      a connection to the service's socket: control requests
 *                    and the live event stream (jq_events.h)
 *
 * A console that wants live updates: jq_client_open(), jq_client_subscribe(),
 * then poll jq_client_fd() for POLLIN (or a uv_poll_t) and call
 * jq_client_read_event(c, &ev, 0) until it returns 0. When the service exits
 * the stream ends (NG_ERR_NOTFOUND): fall back to jq_status_get() and
 * reconnect after a while; a new service is started by the next /queue. */
#ifndef JQ_CLIENT_H
#define JQ_CLIENT_H

#include "base/diag.h"
#include "queue/jq.h"
#include "queue/jq_events.h"
#include "queue/jq_runner.h"

typedef struct jq_client jq_client;

/* Connects to the service of cache_dir. NG_ERR_NOTFOUND when no service
 * runs; NG_ERR_PERM when the service refuses this user. */
int jq_client_open(const char *cache_dir, jq_client **out, ng_diag *d);
void jq_client_free(jq_client *c);
int jq_client_fd(const jq_client *c);
/* Sends one request (a JSON object text) and waits up to timeout_ms for its
 * reply; *reply is the reply line (heap; caller frees). Returns
 * NG_ERR_PERM/NG_ERR_PROTOCOL when the service answered ok:false, with
 * its error in d. */
int jq_client_call(jq_client *c, const char *request, int timeout_ms, char **reply,
		   ng_diag *d);
/* Asks for the event stream. */
int jq_client_subscribe(jq_client *c, ng_diag *d);
/* Reads the next event: 1 with *ev filled, 0 when none came within
 * timeout_ms (0: do not wait), NG_ERR_NOTFOUND when the service closed the
 * connection, another negative code on error. */
int jq_client_read_event(jq_client *c, jq_event *ev, int timeout_ms);

/* One request on a fresh connection: "pause", "continue", "stop",
 * "kick" (id may be 0). */
int jq_client_command(const char *cache_dir, const char *cmd, int64_t id, ng_diag *d);

/* --- submitting --- */

typedef struct jq_submit_opts {
	bool no_autostart;          /* do not start a service (tests, eqi) */
	const char *origin;         /* NULL: "user"; the idle task: "task" */
} jq_submit_opts;

/* Queues kind ("install", "update", "uninstall") with the exact arguments
 * after the action word. /queue and /queue:N options in argv are dropped
 * (the priority is the parameter), everything else is kept as given; cwd
 * NULL is the current directory. Then wakes the service, or starts one.
 * *created (may be NULL) is false when an identical request was pending
 * already. opts may be NULL. */
int jq_submit(const char *cache_dir, const char *kind, int priority, int argc,
	      char *const *argv, const char *cwd, const jq_submit_opts *opts,
	      int64_t *id, bool *created, ng_diag *d);
/* Parses "/queue" or "/queue:N" (any prefix /, -, --; case-insensitive):
 * 1 with *priority set when arg is that option, 0 when it is not, or
 * NG_ERR_USAGE for /queue:7. */
int jq_parse_queue_option(const char *arg, int *priority);

/* --- status --- */

typedef enum jq_service_state {
	JQ_SERVICE_STOPPED, JQ_SERVICE_RUNNING, JQ_SERVICE_PAUSED,
} jq_service_state;

enum { JQ_STATUS_JOBS = 32 };

typedef struct jq_status {
	jq_service_state state;
	int pid;                      /* the service's, when it runs */
	bool paused_flag;             /* `queue pause` is in effect */
	bool idle, idle_known;        /* from the service */
	int workers;
	jq_counts counts;             /* items per priority and state */
	int njobs;                    /* running items (any process) */
	jq_job_info jobs[JQ_STATUS_JOBS];
} jq_status;

int jq_status_get(const char *cache_dir, jq_status *st, ng_diag *d);
const char *jq_service_state_name(jq_service_state s);

#endif
