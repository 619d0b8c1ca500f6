/* tui/console_model.h - what the console shows, and who fills it.
 *
 * The console never reads the database or the service itself. A provider
 * (tui_provider: the real one in console_real.c reads engine/ and queue/,
 * the fake one in console_fake.c generates data for tests and benchmarks)
 * owns a tui_model and is the only code that writes it; the views read it
 * (ncdu's dirlist.h split). Every change bumps model->version, which is how
 * the loop knows to rebuild its row lists and redraw.
 *
 * Images are referenced by index into model->images; dependency lists and
 * root lists are index arrays. Strings are owned by the model (freed by
 * tui_model_clear). All of it is touched on the loop thread only. */
#ifndef TUI_CONSOLE_MODEL_H
#define TUI_CONSOLE_MODEL_H

#include "base/diag.h"

#include <stdbool.h>
#include <stdint.h>

typedef enum tui_status {
	TUI_ST_VALID,
	TUI_ST_INVALID,
	TUI_ST_QUEUED,
	TUI_ST_COMPILING,
	TUI_ST_FAILED,
	TUI_ST_COUNT_
} tui_status;

/* "valid", "invalid", ... */
const char *tui_status_name(tui_status s);

typedef struct tui_image {
	int64_t id;
	char *name;          /* simple name: "mcs" */
	char *display;       /* display name: "mcs, Version=4.0.0.0, ..." */
	char *mvid;
	char *file;          /* the assembly's path */
	char *image_file;    /* the native image's path, "" if none yet */
	char *scenario;      /* "default", "debug", "profile" */
	char *config;        /* .config used for binding, "" if none */
	tui_status status;
	char *reason;        /* why it is invalid or failed, "" otherwise */
	int64_t size;        /* image bytes */
	int methods_compiled, methods_excluded;
	char *exclusions;    /* most common exclusion reasons, one line */
	int64_t last_used;   /* unix seconds, 0 = never */
	int *deps, ndeps;    /* indices of the images it depends on */
	int *roots, nroots;  /* indices of the roots that need it */
} tui_image;

typedef struct tui_root {
	int64_t id;
	char *args;          /* the install command's arguments, as given */
	int image;           /* index of the root's own image */
} tui_root;

typedef struct tui_qitem {
	int64_t id;
	int priority;        /* 1, 2, 3 */
	char *target;        /* path or display name */
	char *action;        /* "install", "update" */
	char *state;         /* "queued", "running", "failed", ... */
	int attempts;
	char *last_error;    /* "" if none */
	int64_t queued_at;   /* unix seconds */
} tui_qitem;

typedef enum tui_job_state { TUI_JOB_RUNNING, TUI_JOB_DONE, TUI_JOB_FAILED } tui_job_state;

typedef struct tui_job {
	int64_t id;
	char *name;          /* what it compiles or does */
	tui_job_state state;
	int done, total;     /* progress units done of total (0/0: unknown) */
	int methods;         /* methods processed so far (compiled or excluded: the
	                      * compiler's progress counts both), for the throughput */
	char *detail;        /* what it works on now ("3/7 System.Xml"), "" if none */
	double started, ended; /* monotonic seconds; ended 0 while running */
	char *error;         /* "" unless failed */
	int part, part_base; /* provider bookkeeping: current assembly, methods before it */
} tui_job;

typedef struct tui_logline {
	int64_t when;        /* unix seconds */
	char *level;         /* "info", "warn", "error" */
	char *text;
} tui_logline;

typedef enum tui_service_state {
	TUI_SVC_UNKNOWN, TUI_SVC_STOPPED, TUI_SVC_RUNNING, TUI_SVC_PAUSED
} tui_service_state;

const char *tui_service_name(tui_service_state s);

typedef struct tui_model {
	char *cache_dir;
	bool read_only;      /* the user may not write the cache */
	uint64_t version;    /* bumped by every change (tui_model_touch) */
	tui_image *images; int nimages, cap_images;
	tui_root *roots; int nroots, cap_roots;
	tui_qitem *queue; int nqueue, cap_queue;
	tui_job *jobs; int njobs, cap_jobs;      /* oldest first */
	tui_logline *log; int nlog, cap_log;     /* oldest first */
	tui_service_state service;
	bool idle;           /* the machine is idle (priority 3 may run) */
	int pool_size, pool_busy;
	char *message;       /* the provider's last notice for the status line */
	uint64_t message_seq;/* bumped by tui_model_set_message */
} tui_model;

void tui_model_init(tui_model *m);
void tui_model_close(tui_model *m);
/* Frees the images, roots, queue and log (not the jobs, kept for the session). */
void tui_model_clear_data(tui_model *m);
void tui_model_touch(tui_model *m);
/* Replaces dst's images, roots, queue and log with src's (moved, src is
 * left empty): how a snapshot loaded off the loop thread is published. */
void tui_model_take_data(tui_model *dst, tui_model *src);

/* Appenders: copy the strings given (NULL is stored as ""); return the new
 * element, whose index arrays (deps, roots) the caller may fill with
 * tui_model_add_dep(). */
tui_image *tui_model_add_image(tui_model *m, int64_t id, const char *name,
			       const char *display, tui_status st);
void tui_image_set(char **field, const char *value);
void tui_model_add_dep(tui_model *m, int image, int dep);
tui_root *tui_model_add_root(tui_model *m, int64_t id, const char *args, int image);
tui_qitem *tui_model_add_qitem(tui_model *m, int64_t id, int priority, const char *target,
			       const char *action, const char *state);
tui_job *tui_model_add_job(tui_model *m, int64_t id, const char *name, int total, double now);
tui_job *tui_model_find_job(tui_model *m, int64_t id);
void tui_model_add_log(tui_model *m, int64_t when, const char *level, const char *text);
/* Fills every image's roots[] from the roots and dependency edges. */
void tui_model_link_roots(tui_model *m);
int tui_model_find_image(const tui_model *m, int64_t id);
void tui_model_set_message(tui_model *m, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* What an uninstall of root r removes, and what stays because another root
 * needs it: two index lists into images (allocated, caller frees). */
int tui_model_uninstall_plan(const tui_model *m, int r, int **gone, int *ngone,
			     int **stays, int *nstays);

double tui_now(void);     /* monotonic seconds */

/* The requests the console makes of a provider. */
typedef enum tui_req_kind {
	TUI_REQ_INSTALL, TUI_REQ_UNINSTALL, TUI_REQ_UPDATE, TUI_REQ_VERIFY,
	TUI_REQ_REPAIR, TUI_REQ_EQI, TUI_REQ_PRIORITY, TUI_REQ_CANCEL,
	TUI_REQ_PAUSE, TUI_REQ_CONTINUE
} tui_req_kind;

typedef struct tui_request {
	tui_req_kind kind;
	const char *target;  /* install: path or display name; uninstall: root args */
	const char *scenario;/* "default", "debug", "profile" */
	int priority;        /* install /queue, eqi, change priority: 1..3 */
	bool queue;          /* install: queue instead of running now */
	int64_t id;          /* queue item (priority, cancel) or root (uninstall) */
} tui_request;

typedef struct tui_provider tui_provider;
struct uv_loop_s;

/* A provider: fills the model and performs requests. Requests that take
 * time run asynchronously (on the loop's worker pool or in the service) and
 * report through the model's jobs; submit only starts them. */
typedef struct tui_provider_ops {
	const char *name;
	/* Reloads everything from the source. */
	int (*reload)(tui_provider *p);
	/* Called on every loop tick: reloads when another process changed the
	 * source; advances whatever needs it. */
	void (*tick)(tui_provider *p);
	/* Starts a request; on refusal returns < 0 with the reason in d. */
	int (*submit)(tui_provider *p, const tui_request *req, ng_diag *d);
	void (*free)(tui_provider *p);
} tui_provider_ops;

struct tui_provider {
	const tui_provider_ops *ops;
	tui_model model;
	struct uv_loop_s *loop;  /* borrowed; set by the console before refresh */
};

/* The fake provider: n images under a handful of roots, a queue, a log, a
 * running job that advances on each tick. Deterministic for a given n. */
tui_provider *tui_fake_new(int nimages);
/* Fake: make submits fail (to test error display). */
void tui_fake_set_failing(tui_provider *p, bool fail);
/* The last request the fake received, kind -1 if none. */
const tui_request *tui_fake_last_request(tui_provider *p);

void tui_provider_free(tui_provider *p);

#endif
