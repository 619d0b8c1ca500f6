/* queue/jq.c - the persistent priority queue; see jq.h for the design. */
#include "queue/jq.h"

#include "base/err.h"
#include "base/strbuf.h"
#include "base/xmalloc.h"

#include <ctype.h>
#include <errno.h>
#include <json-c/json.h>
#include <limits.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum { SCHEMA_VERSION = 1 };

static const char schema_sql[] =
	"CREATE TABLE IF NOT EXISTS schema_versions("
	"  component TEXT PRIMARY KEY, version INTEGER);"
	"CREATE TABLE IF NOT EXISTS jq_items("
	"  id INTEGER PRIMARY KEY,"
	"  priority INTEGER NOT NULL CHECK (priority BETWEEN 1 AND 3),"
	"  kind TEXT NOT NULL,"
	"  args TEXT NOT NULL,"
	"  cwd TEXT NOT NULL,"
	"  dedupe_key TEXT NOT NULL,"
	"  origin TEXT NOT NULL DEFAULT 'user',"
	"  state TEXT NOT NULL DEFAULT 'queued'"
	"    CHECK (state IN ('queued','running','done','failed')),"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  not_before REAL NOT NULL DEFAULT 0,"
	"  owner_pid INTEGER, owner_start INTEGER, lease_until REAL,"
	"  progress_done INTEGER NOT NULL DEFAULT 0,"
	"  progress_total INTEGER NOT NULL DEFAULT 0,"
	"  last_error TEXT,"
	"  created REAL NOT NULL, started REAL, finished REAL);"
	"CREATE UNIQUE INDEX IF NOT EXISTS jq_items_pending ON jq_items(dedupe_key)"
	"  WHERE state IN ('queued','running');"
	"CREATE INDEX IF NOT EXISTS jq_items_by_state ON jq_items(state, priority, id);"
	"CREATE TABLE IF NOT EXISTS jq_settings(key TEXT PRIMARY KEY, value TEXT);"
	/* Assemblies the idle task installed on its own, for reclaiming. */
	"CREATE TABLE IF NOT EXISTS jq_auto(assembly TEXT PRIMARY KEY,"
	"  installed REAL NOT NULL, last_used REAL NOT NULL);"
	"INSERT OR IGNORE INTO schema_versions VALUES('queue', 1);";

static const char *const state_names[] = { "queued", "running", "done", "failed" };

const char *jq_state_name(jq_state s)
{
	return (unsigned)s < 4 ? state_names[s] : "?";
}

static jq_state state_parse(const char *s)
{
	for (int i = 0; i < 4; i++)
		if (s && strcmp(s, state_names[i]) == 0)
			return (jq_state)i;
	return JQ_FAILED;
}

double jq_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

unsigned long long jq_proc_start(int pid)
{
	char path[64], buf[1024];
	snprintf(path, sizeof path, "/proc/%d/stat", pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* The command name may hold spaces and parentheses: skip to the last ')'.
	 * Field 3 is the state, starttime is field 22. */
	char *p = strrchr(buf, ')');
	if (!p)
		return 0;
	unsigned long long v = 0;
	int field = 2;
	char *save = NULL;
	for (char *tok = strtok_r(p + 1, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		field++;
		/* A zombie (its parent has not reaped it, as in containers whose
		 * init does not) is dead: its locks and connections are gone. */
		if (field == 3 && (tok[0] == 'Z' || tok[0] == 'X'))
			return 0;
		if (field == 22) {
			v = strtoull(tok, NULL, 10);
			break;
		}
	}
	return v;
}

void jq_policy_default(jq_policy *p)
{
	p->max_attempts = 3;
	p->backoff_s = 30;
	/* Leases are renewed every 10 s; one only runs out when its owner has
	 * hung for ten minutes (a dead owner is found at once by its pid). */
	p->lease_s = 600;
}

static int readonly_error(jq_db *db)
{
	return ng_diag_set(&db->diag, NG_ERR_PERM, "administrative rights are needed to change"
			   " the queue of %s (only who may write the cache may do that)",
			   db->cache_dir);
}

static int db_error(jq_db *db, const char *what)
{
	if ((sqlite3_errcode(db->db) & 0xff) == SQLITE_READONLY)
		return readonly_error(db);
	return ng_diag_set(&db->diag, NG_ERR_DB, "queue database %s/cache.db: %s: %s",
			   db->cache_dir, what, sqlite3_errmsg(db->db));
}

static int exec_sql(jq_db *db, const char *sql)
{
	char *err = NULL;
	if (sqlite3_exec(db->db, sql, NULL, NULL, &err) != SQLITE_OK) {
		if ((sqlite3_errcode(db->db) & 0xff) == SQLITE_READONLY) {
			sqlite3_free(err);
			return readonly_error(db);
		}
		ng_diag_set(&db->diag, NG_ERR_DB, "queue database %s/cache.db: %s",
			    db->cache_dir, err ? err : "error");
		sqlite3_free(err);
		return NG_ERR_DB;
	}
	return 0;
}

static int prepare(jq_db *db, const char *sql, sqlite3_stmt **st)
{
	if (sqlite3_prepare_v2(db->db, sql, -1, st, NULL) != SQLITE_OK)
		return db_error(db, "preparing a statement");
	return 0;
}

/* A reader of someone else's cache. Reading a WAL database needs its -shm
 * file; when that cannot be opened, the database is read as immutable
 * (the last checkpointed state), as the engine does for display. */
static int open_reader(jq_db *db)
{
	if (sqlite3_exec(db->db, "SELECT count(*) FROM jq_items", NULL, NULL, NULL) == SQLITE_OK)
		return 0;
	sqlite3_close_v2(db->db);
	db->db = NULL;
	char *uri = xasprintf("file:%s/cache.db?immutable=1", db->cache_dir);
	int rc = sqlite3_open_v2(uri, &db->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL);
	free(uri);
	if (rc != SQLITE_OK ||
	    sqlite3_exec(db->db, "SELECT count(*) FROM jq_items", NULL, NULL, NULL) != SQLITE_OK) {
		rc = ng_diag_set(&db->diag, NG_ERR_PERM, "cannot read the queue of %s: %s",
				 db->cache_dir, db->db ? sqlite3_errmsg(db->db) : sqlite3_errstr(rc));
		jq_db_close(db);
		return rc;
	}
	return 0;
}

int jq_db_open(jq_db *db, const char *cache_dir)
{
	memset(db, 0, sizeof *db);
	if (!cache_dir || !*cache_dir)
		return ng_diag_set(&db->diag, NG_ERR_INVAL, "no cache directory given");
	if (mkdir(cache_dir, 0755) < 0 && errno != EEXIST)
		return ng_diag_set(&db->diag, -errno, "cannot create cache directory %s: %s",
				   cache_dir, strerror(errno));
	db->cache_dir = xstrdup(cache_dir);
	db->pid = getpid();
	db->pid_start = jq_proc_start(db->pid);
	jq_policy_default(&db->policy);
	char *path = xasprintf("%s/cache.db", cache_dir);
	int rc = sqlite3_open_v2(path, &db->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
				 SQLITE_OPEN_NOMUTEX, NULL);
	free(path);
	if (rc != SQLITE_OK) {
		rc = db_error(db, "opening");
		jq_db_close(db);
		return rc;
	}
	sqlite3_busy_timeout(db->db, 30000);
	db->read_only = sqlite3_db_readonly(db->db, "main") == 1;
	if (db->read_only)
		return open_reader(db);
	rc = exec_sql(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
		      " PRAGMA foreign_keys=ON;");
	if (rc == 0)
		rc = exec_sql(db, "BEGIN IMMEDIATE;");
	if (rc == 0) {
		rc = exec_sql(db, schema_sql);
		exec_sql(db, rc == 0 ? "COMMIT;" : "ROLLBACK;");
	}
	if (rc < 0) {
		ng_diag d = db->diag;
		jq_db_close(db);
		db->diag = d;
	}
	return rc;
}

void jq_db_close(jq_db *db)
{
	if (db->db)
		sqlite3_close_v2(db->db);
	free(db->cache_dir);
	db->db = NULL;
	db->cache_dir = NULL;
}

void jq_item_close(jq_item *it)
{
	if (!it)
		return;
	free(it->kind);
	for (int i = 0; i < it->argc; i++)
		free(it->argv[i]);
	free(it->argv);
	free(it->cwd);
	free(it->origin);
	free(it->last_error);
	memset(it, 0, sizeof *it);
}

void jq_items_free(jq_item *items, int n)
{
	for (int i = 0; i < n; i++)
		jq_item_close(&items[i]);
	free(items);
}

char *jq_item_describe(const jq_item *it)
{
	ng_strbuf sb = NG_STRBUF_INIT;
	ng_strbuf_puts(&sb, it->kind ? it->kind : "?");
	for (int i = 0; i < it->argc; i++) {
		bool quote = strchr(it->argv[i], ' ') != NULL;
		ng_strbuf_printf(&sb, quote ? " \"%s\"" : " %s", it->argv[i]);
	}
	return ng_strbuf_take(&sb);
}

/* --- adding --- */

static char *args_json(int argc, char *const *argv)
{
	json_object *a = json_object_new_array();
	for (int i = 0; i < argc; i++)
		json_object_array_add(a, json_object_new_string(argv[i]));
	char *s = xstrdup(json_object_to_json_string_ext(a, JSON_C_TO_STRING_PLAIN));
	json_object_put(a);
	return s;
}

static int args_parse(const char *text, int *argc, char ***argv)
{
	json_object *a = json_tokener_parse(text);
	if (!a || !json_object_is_type(a, json_type_array)) {
		json_object_put(a);
		*argc = 0;
		*argv = xcalloc(1, sizeof **argv);
		return NG_ERR_CORRUPT;
	}
	size_t n = json_object_array_length(a);
	*argv = xcalloc(n + 1, sizeof **argv);
	for (size_t i = 0; i < n; i++)
		(*argv)[i] = xstrdup(json_object_get_string(json_object_array_get_idx(a, i)));
	*argc = (int)n;
	json_object_put(a);
	return 0;
}

/* An argument naming an existing file or directory relative to cwd becomes
 * its real path in the identity key, so the same request made from two
 * directories is recognised as one. Option values after ':' are treated the
 * same way (/ExeConfig:app.exe, /AppBase:dir); option names compare
 * case-insensitively, as Ngen's do. */
static void key_arg(ng_strbuf *sb, const char *cwd, const char *arg)
{
	const char *val = arg;
	size_t name_len = strcspn(arg + 1, ":=");
	bool option = arg[0] == '-' ||
		(arg[0] == '/' && name_len > 0 && memchr(arg + 1, '/', name_len) == NULL);
	if (option) {
		/* Ngen's options are case-insensitive: /debug is /Debug. */
		for (size_t i = 0; i < name_len + 1; i++)
			ng_strbuf_putc(sb, (char)tolower((unsigned char)arg[i]));
		if (arg[1 + name_len] == '\0')
			return;
		ng_strbuf_putc(sb, ':');
		val = arg + name_len + 2;
	}
	char *joined = val[0] == '/' ? xstrdup(val) : xasprintf("%s/%s", cwd, val);
	char real[PATH_MAX];
	if (realpath(joined, real))
		ng_strbuf_puts(sb, real);
	else
		ng_strbuf_puts(sb, val);
	free(joined);
}

static char *dedupe_key(const char *kind, int argc, char *const *argv, const char *cwd)
{
	ng_strbuf sb = NG_STRBUF_INIT;
	ng_strbuf_puts(&sb, kind);
	for (int i = 0; i < argc; i++) {
		ng_strbuf_putc(&sb, '\x1f');
		key_arg(&sb, cwd, argv[i]);
	}
	return ng_strbuf_take(&sb);
}

static int find_pending(jq_db *db, const char *key, int64_t *id, int *prio)
{
	sqlite3_stmt *st;
	int rc = prepare(db, "SELECT id, priority FROM jq_items WHERE dedupe_key=?"
			 " AND state IN ('queued','running')", &st);
	if (rc < 0)
		return rc;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
	int s = sqlite3_step(st);
	if (s == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		*prio = sqlite3_column_int(st, 1);
		rc = 1;
	} else if (s != SQLITE_DONE) {
		rc = db_error(db, "looking up an item");
	}
	sqlite3_finalize(st);
	return rc;
}

static int insert_item(jq_db *db, const char *kind, int priority, const char *args,
		       const char *cwd, const char *key, const char *origin, int64_t *id)
{
	sqlite3_stmt *st;
	int rc = prepare(db, "INSERT INTO jq_items(priority, kind, args, cwd, dedupe_key,"
			 " origin, created) VALUES(?,?,?,?,?,?,?)", &st);
	if (rc < 0)
		return rc;
	sqlite3_bind_int(st, 1, priority);
	sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, args, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, cwd, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, origin, -1, SQLITE_STATIC);
	sqlite3_bind_double(st, 7, jq_now());
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = db_error(db, "adding an item");
	else
		*id = sqlite3_last_insert_rowid(db->db);
	sqlite3_finalize(st);
	return rc;
}

static int simple_update(jq_db *db, const char *sql, int64_t a, int64_t b, int *changed)
{
	sqlite3_stmt *st;
	int rc = prepare(db, sql, &st);
	if (rc < 0)
		return rc;
	sqlite3_bind_int64(st, 1, a);
	if (sqlite3_bind_parameter_count(st) >= 2)
		sqlite3_bind_int64(st, 2, b);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = db_error(db, "updating an item");
	if (changed)
		*changed = sqlite3_changes(db->db);
	sqlite3_finalize(st);
	return rc;
}

int jq_add(jq_db *db, const char *kind, int priority, int argc, char *const *argv,
	   const char *cwd, const char *origin, int64_t *id, bool *created)
{
	if (!kind || !*kind || argc < 0 || (argc > 0 && !argv))
		return ng_diag_set(&db->diag, NG_ERR_INVAL, "queue: bad request");
	if (priority < JQ_PRIO_MIN || priority > JQ_PRIO_MAX)
		return ng_diag_set(&db->diag, NG_ERR_RANGE,
				   "queue: priority %d is not 1, 2 or 3", priority);
	char here[PATH_MAX];
	if (!cwd)
		cwd = getcwd(here, sizeof here) ? here : "/";
	char *args = args_json(argc, argv);
	char *key = dedupe_key(kind, argc, argv, cwd);
	int64_t found = 0;
	int old_prio = 0;
	bool made = false;
	int rc = exec_sql(db, "BEGIN IMMEDIATE;");
	if (rc == 0)
		rc = find_pending(db, key, &found, &old_prio);
	if (rc == 1) {
		/* The identical request is pending; a more urgent request makes
		 * the pending one more urgent, never less. */
		rc = 0;
		if (priority < old_prio)
			rc = simple_update(db, "UPDATE jq_items SET priority=? WHERE id=?",
					   priority, found, NULL);
	} else if (rc == 0) {
		rc = insert_item(db, kind, priority, args, cwd, key,
				 origin ? origin : "user", &found);
		made = rc == 0;
	}
	if (rc == 0)
		rc = exec_sql(db, "COMMIT;");
	else
		sqlite3_exec(db->db, "ROLLBACK;", NULL, NULL, NULL);
	free(args);
	free(key);
	if (rc == 0) {
		if (id)
			*id = found;
		if (created)
			*created = made;
	}
	return rc;
}

/* --- reading --- */

#define ITEM_COLS "id, priority, kind, args, cwd, origin, state, attempts, not_before," \
	" owner_pid, progress_done, progress_total, last_error, created, started, finished"

static char *col_str(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);
	return s ? xstrdup((const char *)s) : NULL;
}

static void item_read(sqlite3_stmt *st, jq_item *it)
{
	memset(it, 0, sizeof *it);
	it->id = sqlite3_column_int64(st, 0);
	it->priority = sqlite3_column_int(st, 1);
	it->kind = col_str(st, 2);
	args_parse((const char *)sqlite3_column_text(st, 3), &it->argc, &it->argv);
	it->cwd = col_str(st, 4);
	it->origin = col_str(st, 5);
	it->state = state_parse((const char *)sqlite3_column_text(st, 6));
	it->attempts = sqlite3_column_int(st, 7);
	it->not_before = sqlite3_column_double(st, 8);
	it->owner_pid = sqlite3_column_int(st, 9);
	it->progress_done = (unsigned)sqlite3_column_int(st, 10);
	it->progress_total = (unsigned)sqlite3_column_int(st, 11);
	it->last_error = col_str(st, 12);
	it->created = sqlite3_column_double(st, 13);
	it->started = sqlite3_column_double(st, 14);
	it->finished = sqlite3_column_double(st, 15);
}

int jq_get(jq_db *db, int64_t id, jq_item *it)
{
	sqlite3_stmt *st;
	int rc = prepare(db, "SELECT " ITEM_COLS " FROM jq_items WHERE id=?", &st);
	if (rc < 0)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	int s = sqlite3_step(st);
	if (s == SQLITE_ROW)
		item_read(st, it);
	else if (s == SQLITE_DONE)
		rc = ng_diag_set(&db->diag, NG_ERR_NOTFOUND, "queue item %lld does not exist",
				 (long long)id);
	else
		rc = db_error(db, "reading an item");
	sqlite3_finalize(st);
	return rc;
}

int jq_list(jq_db *db, int state, jq_item **items, int *n)
{
	sqlite3_stmt *st;
	const char *sql = state < 0
		? "SELECT " ITEM_COLS " FROM jq_items WHERE state IN ('queued','running','failed')"
		  " ORDER BY state='running' DESC, state='failed', priority, id"
		: "SELECT " ITEM_COLS " FROM jq_items WHERE state=? ORDER BY priority, id";
	int rc = prepare(db, sql, &st);
	if (rc < 0)
		return rc;
	if (state >= 0)
		sqlite3_bind_text(st, 1, jq_state_name((jq_state)state), -1, SQLITE_STATIC);
	int cap = 16, len = 0, s;
	jq_item *v = xmalloc((size_t)cap * sizeof *v);
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		if (len == cap)
			v = xrealloc(v, (size_t)(cap *= 2) * sizeof *v);
		item_read(st, &v[len++]);
	}
	if (s != SQLITE_DONE) {
		rc = db_error(db, "listing items");
		jq_items_free(v, len);
		v = NULL;
		len = 0;
	}
	sqlite3_finalize(st);
	*items = v;
	*n = len;
	return rc;
}

int jq_count(jq_db *db, jq_counts *c)
{
	memset(c, 0, sizeof *c);
	sqlite3_stmt *st;
	int rc = prepare(db, "SELECT priority, state, count(*), sum(not_before <= ?),"
			 " min(CASE WHEN not_before > ? THEN not_before END)"
			 " FROM jq_items GROUP BY priority, state", &st);
	if (rc < 0)
		return rc;
	double now = jq_now();
	sqlite3_bind_double(st, 1, now);
	sqlite3_bind_double(st, 2, now);
	int s;
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		int p = sqlite3_column_int(st, 0);
		if (p < 1 || p > 3)
			continue;
		int n = sqlite3_column_int(st, 2);
		switch (state_parse((const char *)sqlite3_column_text(st, 1))) {
		case JQ_QUEUED:
			c->queued[p] += n;
			c->ready_now += sqlite3_column_int(st, 3);
			if (sqlite3_column_type(st, 4) != SQLITE_NULL) {
				double t = sqlite3_column_double(st, 4);
				if (c->next_retry == 0 || t < c->next_retry)
					c->next_retry = t;
			}
			break;
		case JQ_RUNNING: c->running[p] += n; break;
		case JQ_DONE: c->done[p] += n; break;
		case JQ_FAILED: c->failed[p] += n; break;
		}
	}
	if (s != SQLITE_DONE)
		rc = db_error(db, "counting items");
	sqlite3_finalize(st);
	return rc;
}

int jq_has_pending(jq_db *db, int max_priority, bool *pending)
{
	sqlite3_stmt *st;
	int rc = prepare(db, "SELECT EXISTS(SELECT 1 FROM jq_items WHERE priority <= ?"
			 " AND state IN ('queued','running'))", &st);
	if (rc < 0)
		return rc;
	sqlite3_bind_int(st, 1, max_priority);
	if (sqlite3_step(st) == SQLITE_ROW)
		*pending = sqlite3_column_int(st, 0) != 0;
	else
		rc = db_error(db, "checking for pending items");
	sqlite3_finalize(st);
	return rc;
}

/* --- claiming and completing --- */

/* The best ready item: lowest priority number, then oldest; an item of
 * priority p is ready only when no item of a more urgent priority is
 * running or ready (one waiting for a retry does not count). So the only
 * priority that may start is the most urgent one among running and ready
 * items; finding it and then its oldest ready item are two index lookups
 * on (state, priority, id), whatever the length of the queue. */
static const char active_min_sql[] =
	"SELECT min(p) FROM ("
	" SELECT min(priority) AS p FROM jq_items WHERE state='running'"
	" UNION ALL"
	" SELECT priority FROM (SELECT priority FROM jq_items WHERE state='queued'"
	"   AND not_before <= ?1 ORDER BY priority LIMIT 1))";

static const char claim_select[] =
	"SELECT " ITEM_COLS " FROM jq_items WHERE state='queued' AND priority=?1"
	" AND not_before <= ?2 ORDER BY id LIMIT 1";

/* The most urgent active priority, or 0 when nothing runs or is ready. */
static int active_min(jq_db *db, double now, int *pmin)
{
	sqlite3_stmt *st;
	int rc = prepare(db, active_min_sql, &st);
	if (rc < 0)
		return rc;
	sqlite3_bind_double(st, 1, now);
	*pmin = 0;
	if (sqlite3_step(st) == SQLITE_ROW)
		*pmin = sqlite3_column_int(st, 0);
	else
		rc = db_error(db, "choosing an item");
	sqlite3_finalize(st);
	return rc;
}

static int claim_locked(jq_db *db, const jq_filter *f, jq_item *it)
{
	sqlite3_stmt *st;
	double now = jq_now();
	int pmin = 0;
	int rc = active_min(db, now, &pmin);
	if (rc < 0)
		return rc;
	if (pmin == 0 || pmin > f->max_priority || (pmin == 3 && !f->allow_idle_work))
		return 1;
	rc = prepare(db, claim_select, &st);
	if (rc < 0)
		return rc;
	sqlite3_bind_int(st, 1, pmin);
	sqlite3_bind_double(st, 2, now);
	int s = sqlite3_step(st);
	if (s == SQLITE_ROW)
		item_read(st, it);
	else
		rc = s == SQLITE_DONE ? 1 : db_error(db, "choosing an item");
	sqlite3_finalize(st);
	if (rc != 0)
		return rc;
	rc = prepare(db, "UPDATE jq_items SET state='running', owner_pid=?, owner_start=?,"
		     " lease_until=?, attempts=attempts+1, started=?, progress_done=0,"
		     " progress_total=0 WHERE id=? AND state='queued'", &st);
	if (rc < 0) {
		jq_item_close(it);
		return rc;
	}
	sqlite3_bind_int(st, 1, db->pid);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)db->pid_start);
	sqlite3_bind_double(st, 3, now + db->policy.lease_s);
	sqlite3_bind_double(st, 4, now);
	sqlite3_bind_int64(st, 5, it->id);
	if (sqlite3_step(st) != SQLITE_DONE || sqlite3_changes(db->db) != 1) {
		rc = db_error(db, "claiming an item");
		jq_item_close(it);
	} else {
		it->state = JQ_RUNNING;
		it->attempts++;
		it->owner_pid = db->pid;
		it->started = now;
	}
	sqlite3_finalize(st);
	return rc;
}

int jq_claim(jq_db *db, const jq_filter *f, jq_item *it)
{
	if (!f || f->max_priority < 1)
		return ng_diag_set(&db->diag, NG_ERR_INVAL, "queue: bad claim filter");
	int rc = exec_sql(db, "BEGIN IMMEDIATE;");
	if (rc < 0)
		return rc;
	rc = claim_locked(db, f, it);
	if (rc >= 0 && exec_sql(db, "COMMIT;") < 0) {
		if (rc == 0)
			jq_item_close(it);
		rc = NG_ERR_DB;
	}
	if (rc < 0)
		sqlite3_exec(db->db, "ROLLBACK;", NULL, NULL, NULL);
	return rc;
}

static int owned_update(jq_db *db, int64_t id, const char *sql_tail)
{
	char *sql = xasprintf("UPDATE jq_items SET %s WHERE id=?1 AND state='running'"
			      " AND owner_pid=?2", sql_tail);
	int changed = 0;
	int rc = simple_update(db, sql, id, db->pid, &changed);
	free(sql);
	if (rc == 0 && changed != 1)
		rc = ng_diag_set(&db->diag, NG_ERR_BUSY,
				 "queue item %lld is no longer claimed by this process",
				 (long long)id);
	return rc;
}

int jq_finish(jq_db *db, int64_t id)
{
	char *tail = xasprintf("state='done', finished=%.6f, owner_pid=NULL, owner_start=NULL,"
			       " lease_until=NULL, last_error=NULL", jq_now());
	int rc = owned_update(db, id, tail);
	free(tail);
	return rc;
}

int jq_release(jq_db *db, int64_t id)
{
	return owned_update(db, id, "state='queued', owner_pid=NULL, owner_start=NULL,"
			    " lease_until=NULL, attempts=max(attempts-1,0)");
}

int jq_fail(jq_db *db, int64_t id, const char *error, bool *final)
{
	sqlite3_stmt *st;
	double now = jq_now();
	int rc = prepare(db,
		"UPDATE jq_items SET last_error=?3, owner_pid=NULL, owner_start=NULL,"
		" lease_until=NULL,"
		" state=CASE WHEN attempts >= ?4 THEN 'failed' ELSE 'queued' END,"
		" finished=CASE WHEN attempts >= ?4 THEN ?5 ELSE finished END,"
		" not_before=?5 + ?6 * (1 << max(attempts-1, 0))"
		" WHERE id=?1 AND state='running' AND owner_pid=?2"
		" RETURNING state", &st);
	if (rc < 0)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int(st, 2, db->pid);
	sqlite3_bind_text(st, 3, error ? error : "failed", -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 4, db->policy.max_attempts);
	sqlite3_bind_double(st, 5, now);
	sqlite3_bind_double(st, 6, db->policy.backoff_s);
	int s = sqlite3_step(st);
	if (s == SQLITE_ROW) {
		if (final)
			*final = strcmp((const char *)sqlite3_column_text(st, 0), "failed") == 0;
	} else if (s == SQLITE_DONE) {
		rc = ng_diag_set(&db->diag, NG_ERR_BUSY,
				 "queue item %lld is no longer claimed by this process",
				 (long long)id);
	} else {
		rc = db_error(db, "recording a failure");
	}
	sqlite3_finalize(st);
	return rc;
}

int jq_renew(jq_db *db, int64_t id, unsigned done, unsigned total)
{
	sqlite3_stmt *st;
	int rc = prepare(db, "UPDATE jq_items SET lease_until=?3, progress_done=?4,"
			 " progress_total=?5 WHERE id=?1 AND state='running' AND owner_pid=?2",
			 &st);
	if (rc < 0)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int(st, 2, db->pid);
	sqlite3_bind_double(st, 3, jq_now() + db->policy.lease_s);
	sqlite3_bind_int(st, 4, (int)done);
	sqlite3_bind_int(st, 5, (int)total);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = db_error(db, "renewing a lease");
	sqlite3_finalize(st);
	return rc;
}

/* An owner is alive when its pid exists with the same start time. */
static bool owner_alive(int pid, unsigned long long start)
{
	if (pid <= 0)
		return false;
	if (kill(pid, 0) < 0 && errno == ESRCH)
		return false;
	unsigned long long now_start = jq_proc_start(pid);
	return now_start != 0 && (start == 0 || now_start == start);
}

int jq_reclaim(jq_db *db, int *count)
{
	sqlite3_stmt *st, *up = NULL;
	int n = 0;
	int rc = exec_sql(db, "BEGIN IMMEDIATE;");
	if (rc < 0)
		return rc;
	rc = prepare(db, "SELECT id, owner_pid, owner_start, lease_until FROM jq_items"
		     " WHERE state='running'", &st);
	if (rc == 0)
		rc = prepare(db, "UPDATE jq_items SET owner_pid=NULL, owner_start=NULL,"
			     " lease_until=NULL, last_error=?2,"
			     " state=CASE WHEN attempts >= ?3 THEN 'failed' ELSE 'queued' END,"
			     " finished=CASE WHEN attempts >= ?3 THEN ?4 ELSE finished END"
			     " WHERE id=?1", &up);
	double now = jq_now();
	while (rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
		int pid = sqlite3_column_int(st, 1);
		unsigned long long start = (unsigned long long)sqlite3_column_int64(st, 2);
		double lease = sqlite3_column_double(st, 3);
		bool mine = pid == db->pid && start == db->pid_start;
		if (mine || (owner_alive(pid, start) && lease >= now))
			continue;
		/* The interrupted run counts as an attempt: an item that kills
		 * the process running it (a compiler crash) must not come back
		 * for ever. */
		char why[160];
		snprintf(why, sizeof why, "the process running it (pid %d) %s before it finished",
			 pid, lease < now ? "stopped renewing its lease" : "died");
		sqlite3_bind_int64(up, 1, sqlite3_column_int64(st, 0));
		sqlite3_bind_text(up, 2, why, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(up, 3, db->policy.max_attempts);
		sqlite3_bind_double(up, 4, now);
		if (sqlite3_step(up) != SQLITE_DONE)
			rc = db_error(db, "reclaiming an item");
		sqlite3_reset(up);
		n++;
	}
	sqlite3_finalize(st);
	sqlite3_finalize(up);
	if (rc == 0)
		rc = exec_sql(db, "COMMIT;");
	else
		sqlite3_exec(db->db, "ROLLBACK;", NULL, NULL, NULL);
	if (count)
		*count = rc == 0 ? n : 0;
	return rc;
}

int jq_remove(jq_db *db, int64_t id)
{
	int changed = 0;
	int rc = simple_update(db, "DELETE FROM jq_items WHERE id=? AND state IN"
			       " ('queued','failed')", id, 0, &changed);
	if (rc == 0 && changed == 0)
		rc = ng_diag_set(&db->diag, NG_ERR_NOTFOUND,
				 "queue item %lld is not queued or failed (running items finish first)",
				 (long long)id);
	return rc;
}

int jq_set_priority(jq_db *db, int64_t id, int priority)
{
	if (priority < JQ_PRIO_MIN || priority > JQ_PRIO_MAX)
		return ng_diag_set(&db->diag, NG_ERR_RANGE, "priority %d is not 1, 2 or 3",
				   priority);
	int changed = 0;
	int rc = simple_update(db, "UPDATE jq_items SET priority=? WHERE id=? AND"
			       " state='queued'", priority, id, &changed);
	if (rc == 0 && changed == 0)
		rc = ng_diag_set(&db->diag, NG_ERR_NOTFOUND, "queue item %lld is not queued",
				 (long long)id);
	return rc;
}

int jq_purge_done(jq_db *db, double age_s)
{
	sqlite3_stmt *st;
	int rc = prepare(db, "DELETE FROM jq_items WHERE state='done' AND finished < ?", &st);
	if (rc < 0)
		return rc;
	sqlite3_bind_double(st, 1, jq_now() - age_s);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = db_error(db, "purging finished items");
	sqlite3_finalize(st);
	return rc;
}

int jq_set_paused(jq_db *db, bool paused)
{
	return exec_sql(db, paused
		? "INSERT OR REPLACE INTO jq_settings VALUES('paused','1');"
		: "DELETE FROM jq_settings WHERE key='paused';");
}

int jq_is_paused(jq_db *db, bool *paused)
{
	sqlite3_stmt *st;
	int rc = prepare(db, "SELECT value FROM jq_settings WHERE key='paused'", &st);
	if (rc < 0)
		return rc;
	int s = sqlite3_step(st);
	*paused = s == SQLITE_ROW && strcmp((const char *)sqlite3_column_text(st, 0), "1") == 0;
	if (s != SQLITE_ROW && s != SQLITE_DONE)
		rc = db_error(db, "reading the pause flag");
	sqlite3_finalize(st);
	return rc;
}
