/* queue/jq.h - the persistent priority queue of deferred work.
 *
 * Items live in the cache's own database (<cache>/cache.db, SQLite in WAL
 * mode) in the table jq_items, versioned as component 'queue' in
 * schema_versions. Every state change is one transaction, so any number of
 * processes (the service, eqi, the console, the idle task) share one queue:
 *
 *   queued --claim--> running --finish--> done
 *                        |  \--fail (attempts left)--> queued (not_before
 *                        |                              = now + back-off)
 *                        |  \--fail (no attempts left)--> failed
 *                        |  \--cancel--> queued (attempt refunded)
 *                        \--owner died--> queued, or failed when that was
 *                                         the last attempt (a crashing item
 *                                         must not come back for ever)
 *
 * A claim picks the best ready item and marks it running with the claimer's
 * pid, the pid's start time (so a recycled pid is not mistaken for the
 * owner) and a lease, inside one BEGIN IMMEDIATE transaction: two claimers
 * can never get the same item. Items of a dead owner, or whose lease ran out
 * without renewal, go back to the queue (jq_reclaim).
 *
 * Priorities follow Ngen: 1 runs at once; 2 only when no priority 1 item is
 * running or ready; 3 only when no 1 or 2 is running or ready, and only when
 * the caller says the machine is idle. An item waiting for a retry does not
 * block the items behind it.
 *
 * An item keeps the exact arguments of its request (a JSON array) and the
 * directory it was made in. Two requests are identical when their kind and
 * arguments match with relative paths resolved; an identical request while
 * the first is queued or running makes no second item (it may raise the
 * first one's priority).
 *
 * Threads: a jq_db is one SQLite connection; use it from one thread. */
#ifndef JQ_H
#define JQ_H

#include "base/diag.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct sqlite3 sqlite3;

enum { JQ_PRIO_MIN = 1, JQ_PRIO_MAX = 3, JQ_PRIO_DEFAULT = 3 };

typedef enum jq_state {
	JQ_QUEUED, JQ_RUNNING, JQ_DONE, JQ_FAILED,
} jq_state;

/* One queue item, as read from the database. Strings are owned by the
 * item; free with jq_item_close(). */
typedef struct jq_item {
	int64_t id;
	int priority;               /* 1..3 */
	char *kind;                 /* "install", "update", "uninstall" */
	int argc;
	char **argv;                /* exact arguments after the action word */
	char *cwd;                  /* directory of the request */
	char *origin;               /* "user" or "task" (automatic install) */
	jq_state state;
	int attempts;               /* runs started, not counting cancels */
	double not_before;          /* unix time; retry back-off */
	int owner_pid;              /* 0 unless running */
	unsigned progress_done, progress_total;
	char *last_error;           /* NULL when none */
	double created, started, finished;
} jq_item;

void jq_item_close(jq_item *it);
/* "install Foo.dll /queue:2" style text for display; caller frees. */
char *jq_item_describe(const jq_item *it);
const char *jq_state_name(jq_state s);

/* Retry policy: a failed run is retried after backoff_s, 2*backoff_s, ...
 * until max_attempts runs have failed. */
typedef struct jq_policy {
	int max_attempts;           /* default 3 */
	double backoff_s;           /* default 30 */
	double lease_s;             /* default 600; renewed by jq_renew */
} jq_policy;

void jq_policy_default(jq_policy *p);

typedef struct jq_db {
	sqlite3 *db;
	char *cache_dir;
	int pid;
	unsigned long long pid_start;   /* this process's start time in ticks */
	jq_policy policy;
	bool read_only;                 /* opened by someone who may not write */
	ng_diag diag;                   /* detail of the last failure */
} jq_db;

/* Opens (creating if needed) <cache_dir>/cache.db and the queue tables.
 * Someone who may not write the cache gets a read-only connection
 * (db->read_only; changes then fail with NG_ERR_PERM). On failure the
 * message is in db->diag and the db need not be closed. */
int jq_db_open(jq_db *db, const char *cache_dir);
void jq_db_close(jq_db *db);

/* Adds an item, or finds the identical pending one. argv is copied. cwd NULL
 * means the current directory. *id gets the item's id, *created whether a
 * new item was made. origin NULL means "user". */
int jq_add(jq_db *db, const char *kind, int priority, int argc,
	   char *const *argv, const char *cwd, const char *origin,
	   int64_t *id, bool *created);

/* What a claimer may take. */
typedef struct jq_filter {
	int max_priority;           /* take priorities 1..max_priority */
	bool allow_idle_work;       /* may take priority 3 now */
} jq_filter;

/* Claims the best ready item for this process. Returns 0 and fills *it
 * (caller closes it), 1 when nothing is ready, or a negative code. */
int jq_claim(jq_db *db, const jq_filter *f, jq_item *it);
/* The claimed item succeeded. */
int jq_finish(jq_db *db, int64_t id);
/* The claimed item failed with error: retried after a back-off, or marked
 * failed when its attempts are used up. *final tells which. */
int jq_fail(jq_db *db, int64_t id, const char *error, bool *final);
/* The claimed item was canceled (idle ended, shutdown): back to the queue,
 * the attempt refunded. */
int jq_release(jq_db *db, int64_t id);
/* Renews the lease and records the progress of a claimed item. */
int jq_renew(jq_db *db, int64_t id, unsigned done, unsigned total);
/* Puts items of dead owners and expired leases back in the queue (the
 * interrupted run counts as an attempt; after the last one the item is
 * failed with the reason). *count may be NULL. */
int jq_reclaim(jq_db *db, int *count);

/* Counts by priority (index 1..3; index 0 unused). */
typedef struct jq_counts {
	int queued[4], running[4], failed[4], done[4];
	int ready_now;              /* queued items whose back-off is over */
	double next_retry;          /* earliest not_before in the future, or 0 */
} jq_counts;

int jq_count(jq_db *db, jq_counts *c);
/* True when an item of priority <= max_priority is queued or running. */
int jq_has_pending(jq_db *db, int max_priority, bool *pending);

/* Lists items in the given state (-1: queued, running and failed), best
 * first. *items is a heap array the caller frees with jq_items_free. */
int jq_list(jq_db *db, int state, jq_item **items, int *n);
void jq_items_free(jq_item *items, int n);
int jq_get(jq_db *db, int64_t id, jq_item *it);
/* Removes a queued or failed item (the console's "cancel"). */
int jq_remove(jq_db *db, int64_t id);
/* Changes a queued item's priority. */
int jq_set_priority(jq_db *db, int64_t id, int priority);
/* Removes done items older than age_s seconds. */
int jq_purge_done(jq_db *db, double age_s);

/* The service's pause flag is kept in the database, so `queue pause` works
 * whether or not the service runs, and survives a restart. */
int jq_set_paused(jq_db *db, bool paused);
int jq_is_paused(jq_db *db, bool *paused);

/* Wall-clock time in seconds (shared between processes). */
double jq_now(void);
/* Start time (clock ticks since boot) of process pid, 0 if it is gone
 * or a zombie. */
unsigned long long jq_proc_start(int pid);

#endif
