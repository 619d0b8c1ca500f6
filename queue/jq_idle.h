/* queue/jq_idle.h - is the machine idle?
 *
 * Priority 3 work runs only while the machine is idle. The default source
 * samples /proc/stat: over each sample period it takes the share of CPU
 * time spent busy by everyone except this process (our own compiling must
 * not make the machine look busy, or idle work would stop itself), and
 * calls the machine idle once that share has stayed below busy_threshold
 * for idle_after_s seconds in a row. One busy sample ends idleness.
 *
 * A source is an object with a sample() operation, so tests substitute
 * their own (a flag they flip). Sources are used from one thread. */
#ifndef JQ_IDLE_H
#define JQ_IDLE_H

#include <stdbool.h>

typedef struct jq_idle jq_idle;
struct jq_idle {
	/* Takes one sample; *idle is the verdict. 0 or negative code. */
	int (*sample)(jq_idle *self, bool *idle);
	void (*free)(jq_idle *self);
	double period_s;            /* how often the runner samples */
};

typedef struct jq_idle_config {
	double busy_threshold;      /* 0..1, default 0.25 */
	double idle_after_s;        /* default 120 */
	double sample_s;            /* default 5 */
} jq_idle_config;

/* Defaults, then NGEN_IDLE_BUSY_PCT, NGEN_IDLE_AFTER_S, NGEN_IDLE_SAMPLE_S
 * from the environment when set. */
void jq_idle_config_default(jq_idle_config *c);
/* The /proc/stat source; c copied (NULL: defaults). */
jq_idle *jq_idle_procstat_new(const jq_idle_config *c);
/* A source that always answers idle (eqi, /Critical). */
jq_idle *jq_idle_always_new(void);
void jq_idle_free(jq_idle *s);

/* One /proc/stat reading, exposed for tests: busy share of other processes
 * between two readings. */
typedef struct jq_cpu_ticks {
	unsigned long long total, idle, self;
} jq_cpu_ticks;
int jq_cpu_read(jq_cpu_ticks *t);
double jq_cpu_busy_share(const jq_cpu_ticks *a, const jq_cpu_ticks *b);

#endif
