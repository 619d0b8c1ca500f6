/* queue/jq_service.h - the native image service: one daemon per cache.
 *
 * `ngen service` runs jq_service_run: it takes <cache>/service.lock (one
 * service per cache), listens on <cache>/service.sock (mode 0600, and every
 * peer's uid checked with SO_PEERCRED: only root and the cache's
 * administrator, the uid the service runs as, may talk to it), and runs a
 * jq_runner on its libuv loop (idle-gated, polite, honouring pause and the
 * foreground lock). All state is in the database, so a service killed at
 * any point and started again continues: items it was running are
 * reclaimed (their owner is dead) and run again from the start.
 *
 * It exits when the queue is empty. To close the race with a request that
 * arrives while it exits, it releases the lock first and then looks at the
 * queue once more; a submitter adds its item first and then checks the
 * lock (jq_submit), so one of the two always sees the other.
 *
 * Control protocol on the socket: one JSON object per line each way.
 *   {"cmd":"status"}    -> {"ok":true,"state":"running"|"paused","pid":..,
 *                           "idle":..,"workers":..,"jobs":[{..jq_job_info..}]}
 *   {"cmd":"pause"} / {"cmd":"continue"} -> {"ok":true}
 *   {"cmd":"kick","id":N} -> {"ok":true}   (a new item: look at the queue)
 *   {"cmd":"stop"}      -> {"ok":true}     (running items go back, exit)
 *   {"cmd":"subscribe"} -> {"ok":true}, then jq_events.h lines until close
 * A refused peer gets {"ok":false,"error":"..."} and the connection closes. */
#ifndef JQ_SERVICE_H
#define JQ_SERVICE_H

#include "base/diag.h"
#include "queue/jq_runner.h"

typedef struct jq_service_opts {
	const char *cache_dir;
	/* Template for the runner: exec, idle, workers, policy, poll_s are
	 * used; the service sets the flags it needs. */
	jq_runner_opts run;
	bool verbose;               /* print events on stderr */
} jq_service_opts;

/* Runs the service until the queue is empty or it is told to stop.
 * NG_ERR_BUSY when another service runs for the cache. */
int jq_service_run(const jq_service_opts *o, ng_diag *d);

/* Starts `ngen service --cache DIR /autostart` detached (fork, setsid, fork, exec of
 * $NGEN_BIN or /proc/self/exe), its output in <cache>/service.log.
 * Returns once the daemon is forked. */
int jq_service_spawn(const char *cache_dir, ng_diag *d);

/* The socket path of a cache (heap string). */
char *jq_service_socket_path(const char *cache_dir);

#endif
