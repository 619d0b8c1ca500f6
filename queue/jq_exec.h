/* queue/jq_exec.h - what runs one queue item.
 *
 * The runner hands each claimed item to an executor on a worker thread.
 * The real one (jq_executor_engine) replays the item's exact arguments
 * through the engine: eng_args_parse, then eng_install / eng_update /
 * eng_uninstall on a cache connection of its own, with the engine's
 * progress events and cancel flag. Tests and benchmarks pass their own. */
#ifndef JQ_EXEC_H
#define JQ_EXEC_H

#include "base/diag.h"
#include "queue/jq.h"

/* Progress from a worker thread: done of total methods; what (may be NULL)
 * names the assembly being compiled. Thread-safe; copies what. */
typedef void (*jq_progress_fn)(void *pctx, unsigned done, unsigned total, const char *what);

typedef struct jq_executor {
	/* Runs item (borrowed) to completion on a worker thread; must be
	 * thread-safe. Returns 0, NG_ERR_CANCELED when *cancel became non-zero
	 * (having left no partial result behind), or another negative code
	 * with d set. */
	int (*run)(void *ctx, const char *cache_dir, const jq_item *item,
		   jq_progress_fn progress, void *pctx, const volatile int *cancel,
		   ng_diag *d);
	void *ctx;
} jq_executor;

/* Through the engine (engine/eng.h), with the compiler chosen by
 * eng_compiler_from_env(). */
const jq_executor *jq_executor_engine(void);

#endif
