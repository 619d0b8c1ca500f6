/* tests/queue/test_jq_idle.c - the /proc/stat idle source. */
#include "queue/jq_idle.h"

#include <criterion/criterion.h>
#include <unistd.h>

Test(jq_idle, our_own_cpu_time_does_not_make_the_machine_busy)
{
	jq_cpu_ticks a = { .total = 1000, .idle = 500, .self = 100 };
	jq_cpu_ticks b = { .total = 1100, .idle = 540, .self = 150 };
	/* 100 ticks passed, 60 busy, 50 of them ours: others used 10%. */
	cr_assert_float_eq(jq_cpu_busy_share(&a, &b), 0.10, 1e-9);
	jq_cpu_ticks c = { .total = 1100, .idle = 500, .self = 100 };
	cr_assert_float_eq(jq_cpu_busy_share(&a, &c), 1.0, 1e-9);
	cr_assert_float_eq(jq_cpu_busy_share(&a, &a), 0.0, 1e-9, "no time passed");
}

Test(jq_idle, reads_proc_stat)
{
	jq_cpu_ticks t;
	cr_assert_eq(jq_cpu_read(&t), 0);
	cr_assert_gt(t.total, 0);
	cr_assert_leq(t.idle, t.total);
}

Test(jq_idle, idle_after_a_quiet_stretch_and_busy_at_once)
{
	/* Threshold above 100%: every sample is quiet. */
	jq_idle_config c = { .busy_threshold = 1.01, .idle_after_s = 0.05, .sample_s = 0.01 };
	jq_idle *s = jq_idle_procstat_new(&c);
	bool idle = true;
	cr_assert_eq(s->sample(s, &idle), 0);
	cr_assert_not(idle, "one sample is no stretch");
	for (int i = 0; i < 400 && !idle; i++) {
		usleep(10000);
		cr_assert_eq(s->sample(s, &idle), 0);
	}
	cr_assert(idle);
	jq_idle_free(s);
	/* Threshold 0: no sample is quiet, so the machine is never idle, even
	 * with no quiet stretch required. */
	jq_idle_config busy = { .busy_threshold = 0.0, .idle_after_s = 0.0, .sample_s = 0.01 };
	s = jq_idle_procstat_new(&busy);
	for (int i = 0; i < 5; i++) {
		cr_assert_eq(s->sample(s, &idle), 0);
		cr_assert_not(idle);
		usleep(10000);
	}
	jq_idle_free(s);
}
