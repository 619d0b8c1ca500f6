/* tests/engine/test_eng_concurrent.c - installs running at the same time
 * in one process, each on its own connection to one cache, as the queue's
 * workers run them.
 *
 * The compiler here is the fake one, made to wait after writing its output
 * until every install has written its own: so all compiles are finished
 * and none has been moved into place yet, the moment at which two installs
 * that shared a temporary file name lost one image (the second rename
 * found nothing; the queue retried that item 30 s later). */
#include "tests/engine/eng_test.h"

#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { NTHREADS = 3 };

/* A barrier that gives up after a few seconds, so that a compile which
 * never meets the others fails the test instead of hanging it. */
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int arrived;

static void meet_others(void)
{
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 5;
	pthread_mutex_lock(&mu);
	if (++arrived == NTHREADS)
		pthread_cond_broadcast(&cv);
	while (arrived < NTHREADS)
		if (pthread_cond_timedwait(&cv, &mu, &until) != 0)
			break;
	pthread_mutex_unlock(&mu);
}

static int waiting_compile(void *ctx, const eng_compile_job *job, eng_compile_result *res,
			   ng_diag *d)
{
	const eng_compiler *fake = eng_compiler_fake();
	int rc = fake->compile(fake->ctx, job, res, d);
	meet_others();
	return rc;
}

static const char *waiting_stamp(void *ctx)
{
	const eng_compiler *fake = eng_compiler_fake();
	return fake->stamp(fake->ctx);
}

static const eng_compiler waiting_compiler = { waiting_compile, waiting_stamp, NULL };

typedef struct install_thread {
	pthread_t t;
	const char *dir;
	char path[4096];
	int rc;
	ng_diag d;
} install_thread;

static void *install_main(void *p)
{
	install_thread *it = p;
	eng_cache *c = NULL;
	it->rc = eng_cache_open(it->dir, ENG_OPEN_WRITE, &c, &it->d);
	if (it->rc < 0)
		return NULL;
	eng_cache_set_compiler(c, &waiting_compiler);
	it->rc = run_install(c, &it->d, it->path, "/NoDependencies", NULL);
	eng_cache_free(c);
	return NULL;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

Test(eng_concurrent, installs_on_own_connections_of_one_process_all_land, .timeout = 60)
{
	/* A fresh directory: the installs' first opens also create the cache. */
	char *dir = tmpdir_new("concurrent");
	const char *rel[NTHREADS] = { "shared/App1.exe", "shared/App2.exe", "chain/A.dll" };
	install_thread th[NTHREADS];
	memset(th, 0, sizeof th);
	arrived = 0;
	for (int i = 0; i < NTHREADS; i++) {
		th[i].dir = dir;
		snprintf(th[i].path, sizeof th[i].path, "%s", fx(rel[i]));
	}
	double t0 = now();
	for (int i = 0; i < NTHREADS; i++)
		cr_assert_eq(pthread_create(&th[i].t, NULL, install_main, &th[i]), 0);
	for (int i = 0; i < NTHREADS; i++)
		pthread_join(th[i].t, NULL);
	double elapsed = now() - t0;
	for (int i = 0; i < NTHREADS; i++)
		cr_expect_eq(th[i].rc, 0, "install %s: %s", rel[i], ng_diag_text(&th[i].d));
	cr_expect_lt(elapsed, 10.0, "%d installs at once took %.1f s", NTHREADS, elapsed);

	/* Every image is recorded, on disk under its own name, and holds the
	 * compile of its own assembly (not another install's). */
	eng_cache *c = NULL;
	ng_diag d;
	cr_assert_eq(eng_cache_open(dir, 0, &c, &d), 0, "%s", ng_diag_text(&d));
	cr_expect_eq(q(c, "SELECT count(*) FROM images WHERE status = 'valid'"), NTHREADS);
	cr_expect_eq(q(c, "SELECT count(*) FROM roots"), NTHREADS);
	for (int i = 0; i < NTHREADS; i++) {
		sqlite3_stmt *st;
		cr_assert_eq(sqlite3_prepare_v2(eng_cache_db(c), "SELECT i.file FROM images i JOIN"
						" assemblies a ON a.id = i.assembly_id WHERE a.path = ?",
						-1, &st, NULL), SQLITE_OK);
		sqlite3_bind_text(st, 1, th[i].path, -1, SQLITE_STATIC);
		cr_assert_eq(sqlite3_step(st), SQLITE_ROW, "no image of %s", th[i].path);
		char *file = NULL;
		cr_assert_neq(asprintf(&file, "%s/images/%s", dir, sqlite3_column_text(st, 0)), -1);
		sqlite3_finalize(st);
		char *text = NULL;
		cr_expect_eq(sh(&text, "cat '%s'", file), 0, "image of %s missing: %s", rel[i], file);
		char *want = NULL;
		cr_assert_neq(asprintf(&want, "assembly=%s\n", th[i].path), -1);
		cr_expect(text && strstr(text, want), "%s holds another compile:\n%s", file,
			  text ? text : "");
		free(want);
		free(text);
		free(file);
	}
	/* No temporary file is left behind. */
	char *tmp = NULL;
	cr_assert_neq(asprintf(&tmp, "%s/images/.tmp", dir), -1);
	cr_expect_eq(count_files(tmp), 0, "temporary files left in %s", tmp);
	free(tmp);
	eng_cache_free(c);
	sh(NULL, "rm -rf '%s'", dir);
	free(dir);
}
