/* engine/eng_cache.c - opening the cache, transactions, the log, files.
 *
 * Several processes share one cache.db (the service, eqi, commands typed
 * by hand, the console), so the connection runs in WAL mode with a busy
 * timeout, and every write transaction starts with BEGIN IMMEDIATE: a
 * writer waits for the lock up front instead of failing half way.
 *
 * Administration is a file permission: whoever may write the cache
 * directory (and cache.db) is its administrator. Anyone else opens the
 * database read-only; when even the WAL index cannot be opened for
 * reading, the database is opened immutable (a reader that cannot share
 * the WAL lock sees the last checkpointed state, which is what exists when
 * no writer is running). */
#include "engine/eng_int.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/err.h"
#include "base/strbuf.h"
#include "base/xmalloc.h"

enum { BUSY_TIMEOUT_MS = 60000 };
#define LOG_KEEP_TEXT "10000"

char *eng_default_cache_dir(void)
{
	const char *env = getenv("NGEN_CACHE");
	if (env && *env)
		return xstrdup(env);
	if (geteuid() == 0)
		return xstrdup("/var/lib/ngen");
	const char *xdg = getenv("XDG_CACHE_HOME");
	if (xdg && *xdg)
		return xasprintf("%s/ngen", xdg);
	const char *home = getenv("HOME");
	return xasprintf("%s/.cache/ngen", home && *home ? home : "/tmp");
}

int eng__mkdirs(const char *dir, unsigned mode)
{
	char buf[PATH_MAX];
	if (strlen(dir) >= sizeof buf)
		return -ENAMETOOLONG;
	strcpy(buf, dir);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, mode) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, mode) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

static char *absolute(const char *dir)
{
	if (dir[0] == '/')
		return xstrdup(dir);
	char cwd[PATH_MAX];
	if (!getcwd(cwd, sizeof cwd))
		return xstrdup(dir);
	return xasprintf("%s/%s", cwd, dir);
}

/* Writable means: we can create files in dir, or dir does not exist and we
 * can create it. access() answers for root too (root may write anything). */
static bool may_write(const char *dir)
{
	if (access(dir, W_OK | X_OK) == 0) {
		char *db = xasprintf("%s/cache.db", dir);
		bool ok = access(db, F_OK) != 0 || access(db, W_OK) == 0;
		free(db);
		return ok;
	}
	if (errno != ENOENT)
		return false;
	char *parent = xstrdup(dir);
	char *slash = strrchr(parent, '/');
	bool ok;
	if (!slash || slash == parent)
		ok = access("/", W_OK) == 0;
	else {
		*slash = '\0';
		ok = may_write(parent);
	}
	free(parent);
	return ok;
}

static int open_db(eng_cache *c, bool write, ng_diag *d)
{
	char *path = xasprintf("%s/cache.db", c->dir);
	int flags = write ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY;
	int rc = sqlite3_open_v2(path, &c->db, flags | SQLITE_OPEN_FULLMUTEX, NULL);
	if (rc == SQLITE_OK && !write) {
		/* Probe: a reader of a WAL database needs the -shm file. */
		rc = sqlite3_exec(c->db, "SELECT count(*) FROM sqlite_master", NULL, NULL, NULL);
		if (rc != SQLITE_OK) {
			sqlite3_close(c->db);
			c->db = NULL;
			char *uri = xasprintf("file:%s?immutable=1", path);
			rc = sqlite3_open_v2(uri, &c->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL);
			free(uri);
		}
	}
	if (rc != SQLITE_OK) {
		ng_diag_set(d, write ? NG_ERR_DB : NG_ERR_PERM, "cannot open the native image cache %s: %s",
			    path, c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc));
		sqlite3_close(c->db);
		c->db = NULL;
		free(path);
		return d ? d->code : NG_ERR_DB;
	}
	free(path);
	sqlite3_busy_timeout(c->db, BUSY_TIMEOUT_MS);
	/* Reading through a mapping instead of pread() per page halves the
	 * time of a full display of a large cache. */
	sqlite3_exec(c->db, "PRAGMA foreign_keys = ON; PRAGMA mmap_size = 268435456;"
		     " PRAGMA cache_size = -16384", NULL, NULL, NULL);
	if (!write)
		return 0;
	if (sqlite3_exec(c->db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL",
			 NULL, NULL, NULL) != SQLITE_OK)
		return eng__db_error(c, d, "setting WAL mode");
	return eng__migrate_engine(c->db, d);
}

int eng_cache_open(const char *dir, int flags, eng_cache **out, ng_diag *d)
{
	if (!out)
		return ng_diag_set(d, NG_ERR_INVAL, "eng_cache_open: out is NULL");
	*out = NULL;
	char *def = dir ? NULL : eng_default_cache_dir();
	eng_cache *c = xcalloc(1, sizeof *c);
	c->dir = absolute(dir ? dir : def);
	free(def);
	c->images_dir = xasprintf("%s/images", c->dir);
	c->admin = may_write(c->dir);
	c->comp = eng_compiler_from_env();
	int rc = 0;
	if (flags & ENG_OPEN_WRITE) {
		if (!c->admin) {
			rc = ng_diag_set(d, NG_ERR_PERM,
					 "administrative rights are needed to change the native image cache %s "
					 "(it is not writable by this user); run as root or choose a cache "
					 "with --cache DIR", c->dir);
			goto fail;
		}
		rc = eng__mkdirs(c->images_dir, 0755);
		if (rc < 0) {
			rc = ng_diag_set(d, rc, "cannot create the native image cache %s: %s",
					 c->images_dir, ng_strerror(rc));
			goto fail;
		}
		c->writable = true;
		rc = open_db(c, true, d);
	} else {
		char *db = xasprintf("%s/cache.db", c->dir);
		bool exists = access(db, F_OK) == 0;
		free(db);
		if (exists)
			rc = open_db(c, false, d);
	}
	if (rc < 0)
		goto fail;
	*out = c;
	return 0;
fail:
	eng_cache_free(c);
	return rc;
}

void eng_cache_free(eng_cache *c)
{
	if (!c)
		return;
	if (c->db)
		sqlite3_close(c->db);
	free(c->dir);
	free(c->images_dir);
	free(c);
}

const char *eng_cache_dir(const eng_cache *c) { return c->dir; }
bool eng_cache_is_admin(const eng_cache *c) { return c->admin; }
bool eng_cache_is_writable(const eng_cache *c) { return c->writable; }
sqlite3 *eng_cache_db(eng_cache *c) { return c->db; }
void eng_cache_set_compiler(eng_cache *c, const eng_compiler *comp) { c->comp = comp; }
const eng_compiler *eng_cache_compiler(const eng_cache *c) { return c->comp; }

int eng__db_error(eng_cache *c, ng_diag *d, const char *what)
{
	return ng_diag_set(d, NG_ERR_DB, "native image cache %s: %s: %s", c->dir, what,
			   c->db ? sqlite3_errmsg(c->db) : "no database");
}

int eng__require_admin(eng_cache *c, const char *action, ng_diag *d)
{
	if (c->writable && c->db)
		return 0;
	return ng_diag_set(d, NG_ERR_PERM,
			   "%s: administrative rights are needed to change the native image cache %s; "
			   "run as root or choose a cache with --cache DIR", action, c->dir);
}

int eng_exec(eng_cache *c, const char *sql, ng_diag *d)
{
	if (!c->db)
		return ng_diag_set(d, NG_ERR_DB, "native image cache %s does not exist", c->dir);
	char *err = NULL;
	if (sqlite3_exec(c->db, sql, NULL, NULL, &err) == SQLITE_OK)
		return 0;
	ng_diag_set(d, NG_ERR_DB, "native image cache %s: %s", c->dir, err ? err : "?");
	sqlite3_free(err);
	return NG_ERR_DB;
}

int eng_tx_begin(eng_cache *c, ng_diag *d)
{
	int rc = eng_exec(c, "BEGIN IMMEDIATE", d);
	if (rc == 0)
		c->tx_depth = 1;
	return rc;
}

int eng_tx_commit(eng_cache *c, ng_diag *d)
{
	eng__fault_point("commit");
	int rc = eng_exec(c, "COMMIT", d);
	if (rc == 0)
		c->tx_depth = 0;
	return rc;
}

void eng_tx_rollback(eng_cache *c)
{
	if (c->db && !sqlite3_get_autocommit(c->db))
		sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
	c->tx_depth = 0;
}

int eng__prepare(eng_cache *c, const char *sql, sqlite3_stmt **st, ng_diag *d)
{
	*st = NULL;
	if (!c->db)
		return ng_diag_set(d, NG_ERR_DB, "native image cache %s does not exist", c->dir);
	if (sqlite3_prepare_v2(c->db, sql, -1, st, NULL) != SQLITE_OK)
		return eng__db_error(c, d, "preparing a query");
	return 0;
}

const char *eng__col_text(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);
	return s ? (const char *)s : "";
}

int64_t eng__now(void)
{
	return (int64_t)time(NULL);
}

int eng_log(eng_cache *c, const char *action, const char *fmt, ...)
{
	if (!c->writable || !c->db)
		return NG_ERR_PERM;
	ng_strbuf sb = NG_STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	ng_strbuf_vprintf(&sb, fmt, ap);
	va_end(ap);
	sqlite3_stmt *st = NULL;
	int rc = eng__prepare(c, "INSERT INTO log(time, action, message) VALUES (?, ?, ?)", &st, NULL);
	if (rc == 0) {
		sqlite3_bind_int64(st, 1, eng__now());
		sqlite3_bind_text(st, 2, action, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, ng_strbuf_str(&sb), -1, SQLITE_STATIC);
		rc = sqlite3_step(st) == SQLITE_DONE ? 0 : NG_ERR_DB;
	}
	sqlite3_finalize(st);
	ng_strbuf_close(&sb);
	/* The log keeps the newest LOG_KEEP entries; trimmed now and then. */
	if (rc == 0 && sqlite3_last_insert_rowid(c->db) % 256 == 0)
		sqlite3_exec(c->db, "DELETE FROM log WHERE id <= (SELECT max(id) FROM log) - "
			     LOG_KEEP_TEXT, NULL, NULL, NULL);
	return rc;
}

void eng__fault_point(const char *where)
{
	static long step = -1, seen;
	if (step < 0) {
		const char *e = getenv("NGEN_FAULT_STEP");
		step = e && *e ? atol(e) : 0;
	}
	if (step > 0 && ++seen == step)
		raise(SIGKILL);
}

/* The sequence number is the process's, not the connection's: several
 * connections of one process (the queue's workers, each with its own
 * eng_cache) compile into the same .tmp directory at once, and with a
 * per-connection count the second one's "tmp.<pid>.1" was the first one's
 * too -- one install moved the other's image and the other's rename failed. */
static atomic_uint tmp_seq;

char *eng__tmp_path(eng_cache *c)
{
	char *dir = xasprintf("%s/.tmp", c->images_dir);
	eng__mkdirs(dir, 0755);
	char *p = xasprintf("%s/tmp.%ld.%u.ni.so", dir, (long)getpid(),
			    atomic_fetch_add(&tmp_seq, 1) + 1);
	free(dir);
	return p;
}

int eng__sync_file(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	int rc = fsync(fd) < 0 ? -errno : 0;
	close(fd);
	return rc;
}

static void sync_dir_of(const char *path)
{
	char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');
	if (slash) {
		*slash = '\0';
		int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd >= 0) {
			fsync(fd);
			close(fd);
		}
	}
	free(dir);
}

/* Moves a synced temporary file to its final name and syncs the directory,
 * so the rename is durable before the transaction recording it commits. */
int eng__install_file(const char *tmp, const char *final)
{
	char *dir = xstrdup(final);
	char *slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	int rc = eng__mkdirs(dir, 0755);
	free(dir);
	if (rc == 0 && rename(tmp, final) < 0)
		rc = -errno;
	if (rc == 0)
		sync_dir_of(final);
	return rc;
}

void eng__remove_image_file(eng_cache *c, const char *rel)
{
	char *path = xasprintf("%s/%s", c->images_dir, rel);
	unlink(path);
	/* Remove now-empty directories up to images/. */
	size_t root = strlen(c->images_dir);
	for (char *slash = strrchr(path, '/'); slash && (size_t)(slash - path) > root;
	     slash = strrchr(path, '/')) {
		*slash = '\0';
		if (rmdir(path) < 0)
			break;
	}
	free(path);
}

void eng__emit(const eng_run_opts *o, eng_event_kind kind, const char *name, const char *text)
{
	if (!o || !o->on_event)
		return;
	eng_event ev = { .kind = kind, .name = name, .text = text };
	o->on_event(o->ctx, &ev);
}

void eng__stamp_get(const char *stamp, const char *key, char *buf, size_t n)
{
	size_t kl = strlen(key);
	buf[0] = '\0';
	for (const char *p = stamp; p && *p;) {
		const char *end = strchr(p, ';');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len > kl && strncmp(p, key, kl) == 0 && p[kl] == '=') {
			size_t vl = len - kl - 1;
			if (vl >= n)
				vl = n - 1;
			memcpy(buf, p + kl + 1, vl);
			buf[vl] = '\0';
			return;
		}
		p = end ? end + 1 : NULL;
	}
}

const char *eng_scenario_text(unsigned scenario)
{
	static const char *const text[] = { "", "/Debug", "/Profile", "/Debug /Profile" };
	return text[scenario & 3];
}

void eng_banner(FILE *out)
{
	fprintf(out, "ngen for Linux - Native Image Generator (native images for ECMA-335 assemblies)\n\n");
}
