/* tests/queue/jq_fake.c - see jq_fake.h. */
#include "tests/queue/jq_fake.h"

#include "base/err.h"
#include "base/xmalloc.h"
#include "queue/jq.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>

static void log_line(const char *dir, const char *what, long long id)
{
	char path[512], line[128];
	snprintf(path, sizeof path, "%s/log", dir);
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0644);
	if (fd < 0)
		return;
	int n = snprintf(line, sizeof line, "%s %lld %d\n", what, id, (int)getpid());
	if (write(fd, line, (size_t)n) != n)
		abort();
	close(fd);
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

static int fake_run(void *ctx, const char *dir, const jq_item *it, jq_progress_fn progress,
		    void *pctx, const volatile int *cancel, ng_diag *d)
{
	int ms = 0, fail_first = 0;
	for (int i = 0; i < it->argc; i++) {
		if (strncmp(it->argv[i], "sleep:", 6) == 0)
			ms = atoi(it->argv[i] + 6);
		else if (strcmp(it->argv[i], "fail") == 0)
			fail_first = 1000000;
		else if (strncmp(it->argv[i], "fail", 4) == 0)
			fail_first = atoi(it->argv[i] + 4);
	}
	char tmp[512], img[512];
	snprintf(tmp, sizeof tmp, "%s/out", dir);
	mkdir(tmp, 0755);
	snprintf(tmp, sizeof tmp, "%s/out/%lld.tmp", dir, (long long)it->id);
	snprintf(img, sizeof img, "%s/out/%lld.img", dir, (long long)it->id);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd >= 0)
		close(fd);
	/* Logged once the temporary output exists, so a test that kills the
	 * process after "start" finds it. */
	log_line(dir, "start", (long long)it->id);
	for (int t = 0; t < ms; t += 2) {
		if (*cancel) {
			unlink(tmp);
			log_line(dir, "cancel", (long long)it->id);
			return NG_ERR_CANCELED;
		}
		if (progress && t % 20 == 0)
			progress(pctx, (unsigned)t, (unsigned)ms, "Fake, Version=1.0.0.0");
		sleep_ms(2);
	}
	if (it->attempts <= fail_first) {
		unlink(tmp);
		log_line(dir, "fail", (long long)it->id);
		return ng_diag_set(d, NG_ERR_COMPILE, "fake failure of item %lld (attempt %d)",
				   (long long)it->id, it->attempts);
	}
	rename(tmp, img);
	log_line(dir, "done", (long long)it->id);
	return 0;
}

const jq_executor jqt_fake_exec = { fake_run, NULL };

char *jqt_tmpdir(void)
{
	char *t = xstrdup("/tmp/ngen-jq-XXXXXX");
	if (!mkdtemp(t))
		abort();
	return t;
}

void jqt_rmdir(const char *dir)
{
	char *cmd = xasprintf("rm -rf '%s'", dir);
	if (system(cmd) != 0) {
		/* Best effort. */
	}
	free(cmd);
}

typedef struct file_idle {
	jq_idle base;
	char path[512];
} file_idle;

static int file_sample(jq_idle *s, bool *idle)
{
	*idle = access(((file_idle *)s)->path, F_OK) == 0;
	return 0;
}

static void file_free(jq_idle *s)
{
	free(s);
}

jq_idle *jqt_idle_file_new(const char *dir)
{
	file_idle *f = xcalloc(1, sizeof *f);
	snprintf(f->path, sizeof f->path, "%s/idle", dir);
	f->base.sample = file_sample;
	f->base.free = file_free;
	f->base.period_s = 0.02;
	return &f->base;
}

void jqt_set_idle(const char *dir, bool idle)
{
	char path[512];
	snprintf(path, sizeof path, "%s/idle", dir);
	if (idle)
		close(open(path, O_WRONLY | O_CREAT, 0644));
	else
		unlink(path);
}

static int scan_log_n(const char *dir, const char *what, long long id, bool pos, int nth)
{
	char path[512], line[256];
	snprintf(path, sizeof path, "%s/log", dir);
	FILE *f = fopen(path, "r");
	if (!f)
		return pos ? -1 : 0;
	int count = 0, at = 0, found = -1;
	while (fgets(line, sizeof line, f)) {
		char w[32];
		long long lid;
		if (sscanf(line, "%31s %lld", w, &lid) == 2 && strcmp(w, what) == 0 &&
		    (id == 0 || lid == id)) {
			count++;
			if (found < 0 && count == nth)
				found = at;
		}
		at++;
	}
	fclose(f);
	return pos ? found : count;
}

static int scan_log(const char *dir, const char *what, long long id, bool pos)
{
	return scan_log_n(dir, what, id, pos, 1);
}

int jqt_log_nth(const char *dir, const char *what, long long id, int n)
{
	return scan_log_n(dir, what, id, true, n);
}

int jqt_log_count(const char *dir, const char *what, long long id)
{
	return scan_log(dir, what, id, false);
}

int jqt_log_pos(const char *dir, const char *what, long long id)
{
	return scan_log(dir, what, id, true);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

bool jqt_wait(bool (*cond)(void *), void *ctx, double timeout_s)
{
	double end = now_s() + timeout_s;
	while (!cond(ctx)) {
		if (now_s() > end)
			return cond(ctx);
		sleep_ms(5);
	}
	return true;
}

bool jqt_wait_log(const char *dir, const char *what, long long id, int count,
		  double timeout_s)
{
	double end = now_s() + timeout_s;
	while (jqt_log_count(dir, what, id) < count) {
		if (now_s() > end)
			return false;
		sleep_ms(5);
	}
	return true;
}

void jqt_runner_opts(jq_runner_opts *o, const char *dir, jq_idle *idle)
{
	memset(o, 0, sizeof *o);
	o->cache_dir = dir;
	o->workers = 2;
	o->exec = &jqt_fake_exec;
	o->idle = idle;
	o->poll_s = 0.05;
	o->policy.max_attempts = 3;
	o->policy.backoff_s = 0.05;
	o->policy.lease_s = 30;
}

long long jqt_add(const char *dir, int priority, const char *a0, const char *a1)
{
	jq_db db;
	if (jq_db_open(&db, dir) < 0)
		abort();
	char *argv[] = { (char *)a0, (char *)a1, NULL };
	int argc = a1 ? 2 : (a0 ? 1 : 0);
	int64_t id = 0;
	if (jq_add(&db, "install", priority, argc, argv, dir, NULL, &id, NULL) < 0)
		abort();
	jq_db_close(&db);
	return (long long)id;
}

int jqt_state(const char *dir, long long id)
{
	jq_db db;
	if (jq_db_open(&db, dir) < 0)
		return -1;
	jq_item it;
	int st = -1;
	if (jq_get(&db, id, &it) == 0) {
		st = (int)it.state;
		jq_item_close(&it);
	}
	jq_db_close(&db);
	return st;
}

int jqt_tmp_files(const char *dir)
{
	char path[512];
	snprintf(path, sizeof path, "%s/out", dir);
	DIR *d = opendir(path);
	if (!d)
		return 0;
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)))
		if (strstr(e->d_name, ".tmp"))
			n++;
	closedir(d);
	return n;
}

bool jqt_file_exists(const char *dir, const char *fmt, long long id)
{
	char name[128], path[640];
	snprintf(name, sizeof name, fmt, id);
	snprintf(path, sizeof path, "%s/out/%s", dir, name);
	return access(path, F_OK) == 0;
}
