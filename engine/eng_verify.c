/* engine/eng_verify.c - `ngen verify [/repair]`: is the cache consistent?
 *
 * Checks, in one transaction (BEGIN IMMEDIATE when the cache is writable,
 * so no install moves files in while the images/ tree is walked):
 *   1. the database itself (PRAGMA quick_check, foreign_key_check);
 *   2. every valid image's file exists with the recorded size and SHA-256;
 *   3. every image is reachable from a root (an install records images and
 *      root together, so an unreachable image is left-over state);
 *   4. every assembly record is used by an image or an edge;
 *   5. every file under images/ is recorded (a temporary file of a process
 *      that is still running is not an orphan).
 * With repair (administrators only): damaged images are marked invalid
 * for `update`, unreachable images and unused records are deleted, orphan
 * files and empty directories removed. Each finding is reported through
 * ENG_EV_MESSAGE ("problem: ..." or "repaired: ..."). */
#include "engine/eng_int.h"

#include <errno.h>
#include <ftw.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/err.h"
#include "base/strbuf.h"
#include "base/xmalloc.h"

typedef struct verifier {
	eng_cache *c;
	bool repair;
	const eng_run_opts *o;
	eng_verify_result r;
	char **files;              /* recorded files, sorted */
	size_t nfiles;
} verifier;

static void report(verifier *v, bool fixed, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void report(verifier *v, bool fixed, const char *fmt, ...)
{
	ng_strbuf sb = NG_STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	ng_strbuf_printf(&sb, "%s: ", fixed ? "repaired" : "problem");
	ng_strbuf_vprintf(&sb, fmt, ap);
	va_end(ap);
	v->r.problems++;
	if (fixed)
		v->r.repaired++;
	eng__emit(v->o, ENG_EV_MESSAGE, NULL, ng_strbuf_str(&sb));
	ng_strbuf_close(&sb);
}

static int check_db(verifier *v, ng_diag *d)
{
	sqlite3_stmt *st;
	int rc = eng__prepare(v->c, "PRAGMA quick_check", &st, d);
	if (rc < 0)
		return rc;
	while (sqlite3_step(st) == SQLITE_ROW)
		if (strcmp(eng__col_text(st, 0), "ok") != 0)
			report(v, false, "database: %s", eng__col_text(st, 0));
	sqlite3_finalize(st);
	rc = eng__prepare(v->c, "PRAGMA foreign_key_check", &st, d);
	if (rc < 0)
		return rc;
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *table = eng__col_text(st, 0);
		int64_t rowid = sqlite3_column_int64(st, 1);
		bool fix = v->repair && (strcmp(table, "image_deps") == 0 || strcmp(table, "roots") == 0);
		report(v, fix, "%s row %lld refers to a missing %s", table, (long long)rowid,
		       eng__col_text(st, 2));
		if (fix) {
			char *sql = xasprintf("DELETE FROM %s WHERE rowid = %lld", table, (long long)rowid);
			eng_exec(v->c, sql, NULL);
			free(sql);
		}
	}
	sqlite3_finalize(st);
	return 0;
}

static void mark_damaged(verifier *v, int64_t id, const char *why)
{
	sqlite3_stmt *st;
	if (eng__prepare(v->c, "UPDATE images SET status = 'invalid', reason = ? WHERE id = ?", &st, NULL) < 0)
		return;
	sqlite3_bind_text(st, 1, why, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, id);
	sqlite3_step(st);
	sqlite3_finalize(st);
}

static const char *file_problem(const char *path, int64_t size, const char *hash)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return "its file is missing";
	if (st.st_size != size)
		return "its file has the wrong size (damaged)";
	char now[NG_SHA256_HEX];
	if (ng_sha256_file(path, now) < 0)
		return "its file cannot be read";
	return strcmp(now, hash) == 0 ? NULL : "its file's SHA-256 differs from the record (damaged)";
}

static int check_files(verifier *v, ng_diag *d)
{
	sqlite3_stmt *st;
	int rc = eng__prepare(v->c, "SELECT i.id, i.file, i.size, i.hash, i.status, a.identity"
			      " FROM images i JOIN assemblies a ON a.id = i.assembly_id ORDER BY i.file",
			      &st, d);
	if (rc < 0)
		return rc;
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *rel = eng__col_text(st, 1);
		v->files = xrealloc(v->files, (v->nfiles + 1) * sizeof *v->files);
		v->files[v->nfiles++] = xstrdup(rel);
		v->r.images++;
		if (strcmp(eng__col_text(st, 4), "valid") != 0)
			continue;
		char *path = xasprintf("%s/%s", v->c->images_dir, rel);
		const char *why = file_problem(path, sqlite3_column_int64(st, 2), eng__col_text(st, 3));
		if (why) {
			report(v, v->repair, "image of %s: %s (%s)%s", eng__col_text(st, 5), why, path,
			       v->repair ? "; marked invalid for 'ngen update'" : "");
			if (v->repair) {
				char *reason = xasprintf("verify: %s", why);
				mark_damaged(v, sqlite3_column_int64(st, 0), reason);
				free(reason);
			}
		}
		free(path);
	}
	sqlite3_finalize(st);
	return 0;
}

static int check_reachable(verifier *v, ng_diag *d)
{
	int rc = eng__compute_live(v->c, d);
	sqlite3_stmt *st;
	if (rc == 0)
		rc = eng__prepare(v->c, "SELECT a.identity, i.scenario FROM images i JOIN assemblies a"
				  " ON a.id = i.assembly_id WHERE i.id NOT IN (SELECT id FROM live_images)",
				  &st, d);
	if (rc < 0)
		return rc;
	unsigned dead = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		report(v, v->repair, "image of %s %s is not reachable from any root%s",
		       eng__col_text(st, 0), eng_scenario_text((unsigned)sqlite3_column_int(st, 1)),
		       v->repair ? "; removed" : "");
		dead++;
	}
	sqlite3_finalize(st);
	if (dead && v->repair) {
		char **files = NULL;
		size_t n = 0;
		unsigned count = 0;
		rc = eng__delete_dead(v->c, &files, &n, &count, NULL, d);
		/* The files are now orphans; the walk below removes them. */
		for (size_t i = 0; i < n; i++)
			free(files[i]);
		free(files);
	}
	return rc;
}

static int check_assemblies(verifier *v, ng_diag *d)
{
	sqlite3_stmt *st;
	int rc = eng__prepare(v->c, "SELECT path FROM assemblies WHERE id NOT IN (SELECT assembly_id"
			      " FROM images) AND id NOT IN (SELECT dep_assembly_id FROM image_deps)",
			      &st, d);
	if (rc < 0)
		return rc;
	while (sqlite3_step(st) == SQLITE_ROW)
		report(v, v->repair, "assembly record %s is not used by any image%s",
		       eng__col_text(st, 0), v->repair ? "; removed" : "");
	sqlite3_finalize(st);
	if (v->repair)
		rc = eng_exec(v->c, "DELETE FROM assemblies WHERE id NOT IN (SELECT assembly_id FROM"
			      " images) AND id NOT IN (SELECT dep_assembly_id FROM image_deps)", d);
	return rc;
}

/* ---- the walk over images/ ------------------------------------------------ */

/* nftw() passes no context; one walk per thread at a time. */
static _Thread_local verifier *walking;

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A temporary file "tmp.<pid>.<n>.ni.so" of a process that still runs. */
static bool tmp_in_use(const char *name)
{
	long pid;
	if (sscanf(name, "tmp.%ld.", &pid) != 1 || pid <= 0)
		return false;
	return pid != (long)getpid() && (kill((pid_t)pid, 0) == 0 || errno == EPERM);
}

static int visit(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	verifier *v = walking;
	const char *rel = path + strlen(v->c->images_dir);
	if (*rel == '/')
		rel++;
	if (type == FTW_DP) {
		/* Remove the empty directories removed images leave behind
		 * (rmdir fails, harmlessly, on a directory that is not empty). */
		if (*rel && v->repair)
			rmdir(path);
		return 0;
	}
	if (type != FTW_F && type != FTW_SL)
		return 0;
	if (v->nfiles && bsearch(&rel, v->files, v->nfiles, sizeof *v->files, cmp_str))
		return 0;
	if (tmp_in_use(path + ftw->base))
		return 0;
	report(v, v->repair, "file %s is not recorded in the cache%s", path,
	       v->repair ? "; removed" : "");
	if (v->repair)
		unlink(path);
	return 0;
}

static void check_orphans(verifier *v)
{
	struct stat st;
	if (stat(v->c->images_dir, &st) < 0)
		return;
	if (v->nfiles > 1)
		qsort(v->files, v->nfiles, sizeof *v->files, cmp_str);
	walking = v;
	nftw(v->c->images_dir, visit, 16, FTW_PHYS | FTW_DEPTH);
	walking = NULL;
}

int eng_verify(eng_cache *c, bool repair, const eng_run_opts *o,
	       eng_verify_result *res, ng_diag *d)
{
	if (!c)
		return ng_diag_set(d, NG_ERR_INVAL, "eng_verify: no cache");
	if (repair) {
		int rc = eng__require_admin(c, "verify /repair", d);
		if (rc < 0)
			return rc;
	}
	verifier v = { .c = c, .repair = repair, .o = o };
	if (!c->db) {
		if (res)
			*res = v.r;
		return 0;
	}
	int rc = c->writable ? eng_tx_begin(c, d) : eng_exec(c, "BEGIN", d);
	if (rc == 0)
		rc = check_db(&v, d);
	if (rc == 0)
		rc = check_reachable(&v, d);
	if (rc == 0)
		rc = check_assemblies(&v, d);
	if (rc == 0)
		rc = check_files(&v, d);
	if (rc == 0)
		check_orphans(&v);
	if (rc == 0 && repair && v.r.repaired)
		eng_log(c, "verify", "verify /repair: %u problem(s), %u repaired", v.r.problems,
			v.r.repaired);
	if (rc == 0)
		rc = c->writable ? eng_tx_commit(c, d) : eng_exec(c, "COMMIT", d);
	if (rc < 0)
		eng_tx_rollback(c);
	for (size_t i = 0; i < v.nfiles; i++)
		free(v.files[i]);
	free(v.files);
	if (res)
		*res = v.r;
	return rc;
}
