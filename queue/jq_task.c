/* queue/jq_task.c - the idle task; see jq_task.h.
 *
 * The logs are loaded into a temporary table of the queue's own
 * connection, so counting uses per assembly within the window is one
 * GROUP BY, however long the logs are. */
#include "queue/jq_task.h"

#include "base/err.h"
#include "base/xmalloc.h"
#include "engine/eng.h"
#include "queue/jq.h"
#include "queue/jq_usage.h"

#include <dirent.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static double env_num(const char *name, double def)
{
	const char *v = getenv(name);
	if (!v || !*v)
		return def;
	char *end;
	double d = strtod(v, &end);
	return *end == '\0' && d >= 0 ? d : def;
}

static void opts_defaults(jq_task_opts *o)
{
	if (o->min_uses <= 0)
		o->min_uses = (int)env_num("NGEN_TASK_MIN_USES", 3);
	if (o->window_s <= 0)
		o->window_s = env_num("NGEN_TASK_WINDOW_DAYS", 30) * 86400;
	if (o->reclaim_s <= 0)
		o->reclaim_s = env_num("NGEN_TASK_RECLAIM_DAYS", 30) * 86400;
	if (o->wait_s <= 0)
		o->wait_s = env_num("NGEN_TASK_WAIT_S", 3600);
}

typedef struct loader {
	sqlite3_stmt *ins;
	int rc;
} loader;

static int load_entry(void *ctx, const jq_usage_entry *e)
{
	loader *l = ctx;
	sqlite3_bind_text(l->ins, 1, e->assembly, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(l->ins, 2, e->time);
	if (sqlite3_step(l->ins) != SQLITE_DONE)
		l->rc = NG_ERR_DB;
	sqlite3_reset(l->ins);
	return l->rc;
}

enum { LOG_ROTATE_BYTES = 4 << 20 };

/* Reads a log and its previous generation (<log>.1). A log past
 * LOG_ROTATE_BYTES becomes the previous generation: rename() is atomic, a
 * runtime that still has the old file open appends to it harmlessly, and
 * the next write creates a fresh log. So the logs stay bounded and no line
 * is lost that falls within one generation. */
static int read_log(const char *path, loader *l)
{
	char *old = xasprintf("%s.1", path);
	int rc = jq_usage_read(old, load_entry, l);
	if (rc == 0)
		rc = jq_usage_read(path, load_entry, l);
	struct stat st;
	if (rc == 0 && stat(path, &st) == 0 && st.st_size > LOG_ROTATE_BYTES)
		rename(path, old);
	free(old);
	return rc;
}

static int load_logs(jq_db *db, const jq_task_opts *o, ng_diag *d)
{
	if (sqlite3_exec(db->db, "CREATE TEMP TABLE IF NOT EXISTS jq_use(assembly TEXT, time INTEGER);"
			 "DELETE FROM jq_use; BEGIN;", NULL, NULL, NULL) != SQLITE_OK)
		return ng_diag_set(d, NG_ERR_DB, "usage logs: %s", sqlite3_errmsg(db->db));
	loader l = { 0 };
	sqlite3_prepare_v2(db->db, "INSERT INTO jq_use VALUES(?,?)", -1, &l.ins, NULL);
	int rc = 0;
	if (o->runtime_wide) {
		char *path = xasprintf("%s/usage/runtime-wide.log", o->cache_dir);
		rc = read_log(path, &l);
		free(path);
	} else {
		char *apps = xasprintf("%s/usage/apps", o->cache_dir);
		DIR *dir = opendir(apps);
		struct dirent *e;
		while (rc == 0 && dir && (e = readdir(dir))) {
			/* X.log (with its X.log.1), or an X.log.1 alone after a
			 * rotation with no load since. */
			size_t n = strlen(e->d_name);
			bool cur = n > 4 && strcmp(e->d_name + n - 4, ".log") == 0;
			bool prev = n > 6 && strcmp(e->d_name + n - 6, ".log.1") == 0;
			if (!cur && !prev)
				continue;
			char *path = xasprintf("%s/%.*s", apps, (int)(cur ? n : n - 2), e->d_name);
			if (prev && access(path, F_OK) == 0) {
				free(path);
				continue;
			}
			rc = read_log(path, &l);
			free(path);
		}
		if (dir)
			closedir(dir);
		free(apps);
	}
	sqlite3_finalize(l.ins);
	sqlite3_exec(db->db, "COMMIT;", NULL, NULL, NULL);
	if (rc < 0)
		return ng_diag_set(d, rc, "reading the usage logs of %s: %s", o->cache_dir,
				   ng_strerror(rc));
	return 0;
}

/* 1 when the assembly has a valid image for the normal scenario. */
static int has_valid_image(eng_cache *c, const char *path)
{
	char *file = NULL;
	int64_t id;
	ng_diag d;
	int rc = eng_lookup_image(c, path, NULL, 0, &file, &id, &d);
	free(file);
	return rc == 0 ? 1 : 0;
}

static bool is_file(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int queue_installs(jq_db *db, eng_cache *c, const jq_task_opts *o,
			  jq_task_result *res)
{
	sqlite3_stmt *st, *rec;
	double now = jq_now();
	sqlite3_prepare_v2(db->db, "SELECT assembly, count(*) FROM jq_use WHERE time >= ?"
			   " GROUP BY assembly HAVING count(*) >= ? ORDER BY assembly", -1, &st, NULL);
	sqlite3_prepare_v2(db->db, "INSERT OR IGNORE INTO jq_auto VALUES(?,?,?)", -1, &rec, NULL);
	sqlite3_bind_double(st, 1, now - o->window_s);
	sqlite3_bind_int(st, 2, o->min_uses);
	int rc = 0;
	while (rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
		char *path = xstrdup((const char *)sqlite3_column_text(st, 0));
		if (is_file(path) && !has_valid_image(c, path)) {
			char *argv[] = { path };
			bool created = false;
			rc = jq_add(db, "install", 3, 1, argv, "/", "task", NULL, &created);
			if (rc == 0 && created) {
				res->queued_installs++;
				sqlite3_bind_text(rec, 1, path, -1, SQLITE_TRANSIENT);
				sqlite3_bind_double(rec, 2, now);
				sqlite3_bind_double(rec, 3, now);
				sqlite3_step(rec);
				sqlite3_reset(rec);
			}
		}
		free(path);
	}
	sqlite3_finalize(st);
	sqlite3_finalize(rec);
	return rc;
}

static int reclaim(jq_db *db, const jq_task_opts *o, jq_task_result *res)
{
	sqlite3_exec(db->db, "UPDATE jq_auto SET last_used = max(last_used, coalesce("
		     "(SELECT max(time) FROM jq_use WHERE jq_use.assembly = jq_auto.assembly), 0))",
		     NULL, NULL, NULL);
	sqlite3_stmt *st;
	sqlite3_prepare_v2(db->db, "SELECT assembly FROM jq_auto WHERE last_used < ?", -1, &st, NULL);
	sqlite3_bind_double(st, 1, jq_now() - o->reclaim_s);
	int rc = 0, n = 0;
	char **paths = NULL;
	while (sqlite3_step(st) == SQLITE_ROW) {
		paths = xrealloc(paths, (size_t)(n + 1) * sizeof *paths);
		paths[n++] = xstrdup((const char *)sqlite3_column_text(st, 0));
	}
	sqlite3_finalize(st);
	for (int i = 0; i < n; i++) {
		char *argv[] = { paths[i] };
		bool created = false;
		if (rc == 0)
			rc = jq_add(db, "uninstall", 3, 1, argv, "/", "task", NULL, &created);
		if (rc == 0) {
			res->queued_uninstalls += created;
			sqlite3_prepare_v2(db->db, "DELETE FROM jq_auto WHERE assembly=?", -1, &st, NULL);
			sqlite3_bind_text(st, 1, paths[i], -1, SQLITE_STATIC);
			sqlite3_step(st);
			sqlite3_finalize(st);
		}
		free(paths[i]);
	}
	free(paths);
	return rc;
}

static int plan(const jq_task_opts *o, jq_task_result *res, ng_diag *d)
{
	jq_db db;
	int rc = jq_db_open(&db, o->cache_dir);
	if (rc < 0) {
		if (d)
			*d = db.diag;
		return rc;
	}
	eng_cache *c = NULL;
	jq_usage_prepare(o->cache_dir);
	rc = load_logs(&db, o, d);
	if (rc == 0)
		rc = eng_cache_open(o->cache_dir, ENG_OPEN_WRITE, &c, d);
	if (rc == 0) {
		sqlite3_stmt *st;
		sqlite3_prepare_v2(db.db, "SELECT count(DISTINCT assembly) FROM jq_use", -1, &st, NULL);
		if (sqlite3_step(st) == SQLITE_ROW)
			res->assemblies_seen = sqlite3_column_int(st, 0);
		sqlite3_finalize(st);
		rc = queue_installs(&db, c, o, res);
		if (rc == 0)
			rc = reclaim(&db, o, res);
		if (rc < 0 && d)
			*d = db.diag;
		eng_cache_free(c);
	}
	jq_db_close(&db);
	return rc;
}

int jq_task_run(const jq_task_opts *opts, jq_task_result *res, ng_diag *d)
{
	if (!opts || !opts->cache_dir || !opts->exec)
		return ng_diag_set(d, NG_ERR_INVAL, "jq_task_run: missing argument");
	jq_task_opts o = *opts;
	opts_defaults(&o);
	memset(res, 0, sizeof *res);
	int rc = plan(&o, res, d);
	if (rc < 0 || o.no_run)
		return rc;
	jq_runner_opts ro = {
		.cache_dir = o.cache_dir,
		.idle_gated = !o.critical,
		.stop_when_busy = !o.critical,
		.give_up_s = o.critical ? 0 : o.wait_s,
		.honour_pause = true,
		.honour_foreground = true,
		.polite = true,
		.exec = o.exec,
		.idle = o.idle,
		.on_event = o.on_event,
		.event_ctx = o.event_ctx,
		.poll_s = o.poll_s,
		.policy = o.policy,
	};
	return jq_run_to_completion(&ro, &res->run, d);
}
