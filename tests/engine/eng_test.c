/* tests/engine/eng_test.c - helpers the engine's tests share. */
#include "tests/engine/eng_test.h"

#include <criterion/criterion.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "base/strbuf.h"
#include "base/xmalloc.h"

const char *fx(const char *rel)
{
	static char buf[4][4096];
	static int slot;
	const char *root = getenv("NGEN_FIXTURES");
	char *b = buf[slot++ & 3];
	snprintf(b, sizeof buf[0], "%s/engine/%s", root && *root ? root : "build/fixtures", rel);
	char *real = realpath(b, NULL);
	if (real) {
		snprintf(b, sizeof buf[0], "%s", real);
		free(real);
	}
	return b;
}

/* Every directory a test makes is removed when its process exits
 * (Criterion runs each test in a process of its own). */
static char *made[64];
static int nmade;

static void remove_made(void)
{
	for (int i = 0; i < nmade; i++) {
		char *cmd = xasprintf("rm -rf '%s'", made[i]);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", made[i]);
		free(cmd);
		free(made[i]);
	}
	nmade = 0;
}

char *tmpdir_new(const char *tag)
{
	char *t = xasprintf("/tmp/ngen-eng-%s-XXXXXX", tag);
	cr_assert_not_null(mkdtemp(t), "mkdtemp");
	if (nmade == 0)
		atexit(remove_made);
	if (nmade < 64)
		made[nmade++] = xstrdup(t);
	return t;
}

eng_cache *cache_new(char **dir)
{
	char *d = tmpdir_new("cache");
	ng_diag diag;
	ng_diag_clear(&diag);
	eng_cache *c = NULL;
	int rc = eng_cache_open(d, ENG_OPEN_WRITE, &c, &diag);
	cr_assert_eq(rc, 0, "open cache %s: %s", d, ng_diag_text(&diag));
	eng_cache_set_compiler(c, eng_compiler_fake());
	if (dir)
		*dir = d;
	else
		free(d);
	return c;
}

char *fixture_copy(const char *rel)
{
	char *d = tmpdir_new("fx");
	cr_assert_eq(sh(NULL, "cp -a '%s/.' '%s/'", fx(rel), d), 0, "copy %s", rel);
	return d;
}

static int run(eng_action a, eng_cache *c, ng_diag *d, va_list ap)
{
	char *argv[32];
	int argc = 0;
	for (const char *s; (s = va_arg(ap, const char *)) && argc < 31;)
		argv[argc++] = (char *)s;
	argv[argc] = NULL;
	eng_request req;
	ng_diag_clear(d);
	int rc = eng_args_parse(a, argc, argv, NULL, &req, d);
	if (rc < 0)
		return rc;
	if (a == ENG_INSTALL)
		rc = eng_install(c, &req, NULL, NULL, d);
	else
		rc = eng_uninstall(c, &req, NULL, NULL, NULL, d);
	eng_request_close(&req);
	return rc;
}

int run_install(eng_cache *c, ng_diag *d, ...)
{
	va_list ap;
	va_start(ap, d);
	int rc = run(ENG_INSTALL, c, d, ap);
	va_end(ap);
	return rc;
}

int run_uninstall(eng_cache *c, ng_diag *d, ...)
{
	va_list ap;
	va_start(ap, d);
	int rc = run(ENG_UNINSTALL, c, d, ap);
	va_end(ap);
	return rc;
}

int64_t q(eng_cache *c, const char *sql)
{
	sqlite3_stmt *st;
	cr_assert_eq(sqlite3_prepare_v2(eng_cache_db(c), sql, -1, &st, NULL), SQLITE_OK, "%s: %s",
		     sql, sqlite3_errmsg(eng_cache_db(c)));
	int64_t v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
	sqlite3_finalize(st);
	return v;
}

static int files_seen;
static int count_one(const char *p, const struct stat *st, int type, struct FTW *f)
{
	files_seen += type == FTW_F;
	return 0;
}

int count_files(const char *dir)
{
	files_seen = 0;
	nftw(dir, count_one, 8, FTW_PHYS);
	return files_seen;
}

const char *ngen_bin(void)
{
	static char buf[4096];
	const char *b = getenv("NGEN_BUILD");
	snprintf(buf, sizeof buf, "%s/ngen", b && *b ? b : "build");
	return buf;
}

int sh(char **out, const char *fmt, ...)
{
	ng_strbuf cmd = NG_STRBUF_INIT;
	va_list ap;
	ng_strbuf_puts(&cmd, "{ ");
	va_start(ap, fmt);
	ng_strbuf_vprintf(&cmd, fmt, ap);
	va_end(ap);
	ng_strbuf_puts(&cmd, out ? "; }" : "; } >/dev/null 2>&1");
	FILE *p = popen(ng_strbuf_str(&cmd), "r");
	ng_strbuf_close(&cmd);
	if (!p)
		return -1;
	ng_strbuf o = NG_STRBUF_INIT;
	char buf[4096];
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, p)) > 0)
		ng_strbuf_append(&o, buf, n);
	int st = pclose(p);
	if (out)
		*out = o.data ? ng_strbuf_take(&o) : xstrdup("");
	ng_strbuf_close(&o);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
