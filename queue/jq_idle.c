/* queue/jq_idle.c - idle detection from /proc/stat; see jq_idle.h. */
#include "queue/jq_idle.h"

#include "base/xmalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct procstat_idle {
	jq_idle base;
	jq_idle_config cfg;
	jq_cpu_ticks last;
	bool have_last;
	double quiet_since;         /* monotonic time the quiet run began, or -1 */
} procstat_idle;

static double mono_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static double env_double(const char *name, double def)
{
	const char *v = getenv(name);
	if (!v || !*v)
		return def;
	char *end;
	double d = strtod(v, &end);
	return (*end == '\0' && d >= 0) ? d : def;
}

void jq_idle_config_default(jq_idle_config *c)
{
	c->busy_threshold = env_double("NGEN_IDLE_BUSY_PCT", 25) / 100.0;
	c->idle_after_s = env_double("NGEN_IDLE_AFTER_S", 120);
	c->sample_s = env_double("NGEN_IDLE_SAMPLE_S", 5);
	if (c->sample_s < 0.05)
		c->sample_s = 0.05;
}

/* This process's CPU time (all threads and waited-for children), ticks. */
static unsigned long long self_ticks(void)
{
	FILE *f = fopen("/proc/self/stat", "r");
	if (!f)
		return 0;
	char buf[1024];
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	char *p = strrchr(buf, ')');
	unsigned long long sum = 0;
	int field = 2;
	char *save = NULL;
	for (char *tok = p ? strtok_r(p + 1, " ", &save) : NULL; tok;
	     tok = strtok_r(NULL, " ", &save)) {
		field++;
		if (field >= 14 && field <= 17)   /* utime stime cutime cstime */
			sum += strtoull(tok, NULL, 10);
		if (field == 17)
			break;
	}
	return sum;
}

int jq_cpu_read(jq_cpu_ticks *t)
{
	FILE *f = fopen("/proc/stat", "r");
	if (!f)
		return -errno;
	unsigned long long v[10] = { 0 };
	int n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu",
		       &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9]);
	fclose(f);
	if (n < 4)
		return -EIO;
	/* guest and guest_nice (8, 9) are already inside user and nice. */
	t->total = 0;
	for (int i = 0; i < 8; i++)
		t->total += v[i];
	t->idle = v[3] + v[4];   /* idle + iowait */
	t->self = self_ticks();
	return 0;
}

double jq_cpu_busy_share(const jq_cpu_ticks *a, const jq_cpu_ticks *b)
{
	if (b->total <= a->total)
		return 0;
	double total = (double)(b->total - a->total);
	double busy = total - (double)(b->idle - a->idle);
	double self = b->self >= a->self ? (double)(b->self - a->self) : 0;
	busy -= self;
	if (busy < 0)
		busy = 0;
	return busy / total;
}

static int procstat_sample(jq_idle *s, bool *idle)
{
	procstat_idle *p = (procstat_idle *)s;
	jq_cpu_ticks now;
	int rc = jq_cpu_read(&now);
	if (rc < 0)
		return rc;
	double t = mono_now();
	if (p->have_last) {
		if (jq_cpu_busy_share(&p->last, &now) < p->cfg.busy_threshold) {
			if (p->quiet_since < 0)
				p->quiet_since = t - p->cfg.sample_s;
		} else {
			p->quiet_since = -1;
		}
	}
	p->last = now;
	p->have_last = true;
	*idle = p->quiet_since >= 0 && t - p->quiet_since >= p->cfg.idle_after_s;
	return 0;
}

static void plain_free(jq_idle *s)
{
	free(s);
}

jq_idle *jq_idle_procstat_new(const jq_idle_config *c)
{
	procstat_idle *p = xcalloc(1, sizeof *p);
	if (c)
		p->cfg = *c;
	else
		jq_idle_config_default(&p->cfg);
	p->quiet_since = -1;
	p->base.sample = procstat_sample;
	p->base.free = plain_free;
	p->base.period_s = p->cfg.sample_s;
	return &p->base;
}

static int always_sample(jq_idle *s, bool *idle)
{
	*idle = true;
	return 0;
}

jq_idle *jq_idle_always_new(void)
{
	jq_idle *s = xcalloc(1, sizeof *s);
	s->sample = always_sample;
	s->free = plain_free;
	s->period_s = 3600;
	return s;
}

void jq_idle_free(jq_idle *s)
{
	if (s && s->free)
		s->free(s);
}
