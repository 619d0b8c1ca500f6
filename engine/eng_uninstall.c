/* engine/eng_uninstall.c - `ngen uninstall NAME|PATH [scenarios] [config]`
 * and the reference counting it relies on.
 *
 * Counts are derived, never stored: the live images are those reachable
 * from a root (a /NoDependencies root reaches only its own image; any other
 * root reaches its image and, through the edges, every dependency image).
 * Uninstall deletes the matching roots, then every image that is no longer
 * live, with its edges, and the assemblies nothing refers to any more, all
 * in one transaction; the files go after the commit (a crash in between
 * leaves orphan files, which verify /repair removes).
 *
 * Matching follows Ngen: the name is a path or a full or partial display
 * name; with scenario options only roots of exactly that scenario set go
 * (/Debug leaves /Debug /Profile), without them every scenario; with
 * /ExeConfig or /AppBase only roots installed with that config. */
#include "engine/eng_int.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/xmalloc.h"

int eng__compute_live(eng_cache *c, ng_diag *d)
{
	return eng_exec(c,
		"CREATE TEMP TABLE IF NOT EXISTS live_images(id INTEGER PRIMARY KEY);"
		"DELETE FROM live_images;"
		"INSERT INTO live_images(id)"
		" WITH RECURSIVE reach(id) AS ("
		"  SELECT image_id FROM roots WHERE nodeps = 0"
		"  UNION SELECT e.dep_image_id FROM image_deps e JOIN reach r ON e.image_id = r.id"
		"   WHERE e.dep_image_id IS NOT NULL)"
		" SELECT id FROM reach UNION SELECT image_id FROM roots WHERE nodeps = 1;", d);
}

int eng__delete_dead(eng_cache *c, char ***files, size_t *nfiles, unsigned *count,
		     const eng_run_opts *o, ng_diag *d)
{
	sqlite3_stmt *st;
	int rc = eng__prepare(c, "SELECT i.file, a.identity, i.scenario FROM images i JOIN assemblies a"
			      " ON a.id = i.assembly_id WHERE i.id NOT IN (SELECT id FROM live_images)",
			      &st, d);
	if (rc < 0)
		return rc;
	while (sqlite3_step(st) == SQLITE_ROW) {
		*files = xrealloc(*files, (*nfiles + 1) * sizeof **files);
		(*files)[(*nfiles)++] = xstrdup(eng__col_text(st, 0));
		(*count)++;
		if (o && o->on_event) {
			eng_event ev = { .kind = ENG_EV_REMOVED, .name = eng__col_text(st, 1),
					 .text = eng__col_text(st, 0),
					 .scenario = (unsigned)sqlite3_column_int(st, 2) };
			o->on_event(o->ctx, &ev);
		}
	}
	sqlite3_finalize(st);
	return eng_exec(c,
		"DELETE FROM images WHERE id NOT IN (SELECT id FROM live_images);"
		"DELETE FROM assemblies WHERE id NOT IN (SELECT assembly_id FROM images)"
		" AND id NOT IN (SELECT dep_assembly_id FROM image_deps);", d);
}

void eng__remove_files(eng_cache *c, char **files, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		eng__remove_image_file(c, files[i]);
		free(files[i]);
	}
	free(files);
}

typedef struct matcher {
	const eng_request *req;
	char *path;                /* the name as a path, or NULL */
} matcher;

static bool root_matches(const matcher *m, sqlite3_stmt *st)
{
	const eng_request *req = m->req;
	unsigned scenario = (unsigned)sqlite3_column_int(st, 1);
	const char *config = eng__col_text(st, 2);
	const char *path = eng__col_text(st, 3);
	const char *identity = eng__col_text(st, 4);
	if (m->path ? strcmp(m->path, path) != 0 : !eng_identity_matches(req->name, identity))
		return false;
	if (req->scenario_given && scenario != req->scenario)
		return false;
	if (req->exe_config || req->app_base) {
		char *key = eng__config_key(path, req->exe_config, req->app_base, req->cwd);
		bool same = strcmp(key, config) == 0;
		free(key);
		return same;
	}
	return true;
}

static int delete_roots(eng_cache *c, const matcher *m, unsigned *removed, ng_diag *d)
{
	sqlite3_stmt *st, *del;
	int rc = eng__prepare(c, "SELECT r.id, r.scenario, r.config, a.path, a.identity FROM roots r"
			      " JOIN images i ON i.id = r.image_id JOIN assemblies a"
			      " ON a.id = i.assembly_id", &st, d);
	if (rc == 0)
		rc = eng__prepare(c, "DELETE FROM roots WHERE id = ?", &del, d);
	if (rc < 0) {
		sqlite3_finalize(st);
		return rc;
	}
	while (rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
		if (!root_matches(m, st))
			continue;
		sqlite3_reset(del);
		sqlite3_bind_int64(del, 1, sqlite3_column_int64(st, 0));
		if (sqlite3_step(del) != SQLITE_DONE)
			rc = eng__db_error(c, d, "removing a root");
		(*removed)++;
	}
	sqlite3_finalize(st);
	sqlite3_finalize(del);
	return rc;
}

static int not_installed(eng_cache *c, const matcher *m, ng_diag *d)
{
	sqlite3_stmt *st;
	bool dependency = false;
	if (eng__prepare(c, "SELECT a.path, a.identity FROM images i JOIN assemblies a"
			 " ON a.id = i.assembly_id", &st, NULL) == 0) {
		while (!dependency && sqlite3_step(st) == SQLITE_ROW)
			dependency = m->path ? strcmp(m->path, eng__col_text(st, 0)) == 0
					     : eng_identity_matches(m->req->name, eng__col_text(st, 1));
		sqlite3_finalize(st);
	}
	if (dependency)
		return ng_diag_set(d, NG_ERR_NOTFOUND, "%s is not a root with these options: its "
				   "images are dependencies of other roots and go when those are "
				   "uninstalled (see 'ngen display %s')", m->req->name, m->req->name);
	return ng_diag_set(d, NG_ERR_NOTFOUND, "%s is not installed%s (see 'ngen display' for the "
			   "roots and the options they were installed with)", m->req->name,
			   m->req->scenario_given || m->req->exe_config || m->req->app_base ?
			   " with these options" : "");
}

int eng_uninstall(eng_cache *c, const eng_request *req, const eng_run_opts *o,
		  unsigned *removed_roots, unsigned *removed_images, ng_diag *d)
{
	if (!c || !req || !req->name)
		return ng_diag_set(d, NG_ERR_INVAL, "eng_uninstall: bad request");
	if (strcmp(req->name, "*") == 0)
		return ng_diag_set(d, NG_ERR_USAGE, "uninstall *: uninstalling everything at once is "
				   "not supported (as in .NET 4); uninstall each root by name");
	int rc = eng__require_admin(c, "uninstall", d);
	if (rc < 0)
		return rc;
	matcher m = { req, NULL };
	if (eng_name_is_path(req->name)) {
		char *p = req->name[0] == '/' ? xstrdup(req->name)
					      : xasprintf("%s/%s", req->cwd, req->name);
		char real[PATH_MAX];
		m.path = realpath(p, real) ? xstrdup(real) : xstrdup(p);
		free(p);
	}
	unsigned roots = 0, images = 0;
	char **files = NULL;
	size_t nfiles = 0;
	rc = eng_tx_begin(c, d);
	if (rc == 0)
		rc = delete_roots(c, &m, &roots, d);
	if (rc == 0 && roots == 0)
		rc = not_installed(c, &m, d);
	if (rc == 0)
		rc = eng__compute_live(c, d);
	if (rc == 0)
		rc = eng__delete_dead(c, &files, &nfiles, &images, o, d);
	if (rc == 0) {
		char *args = eng_args_display(req->argc, req->argv);
		eng_log(c, "uninstall", "uninstall %s: %u root(s), %u image(s) removed", args,
			roots, images);
		free(args);
		rc = eng_tx_commit(c, d);
	}
	if (rc < 0) {
		eng_tx_rollback(c);
		for (size_t i = 0; i < nfiles; i++)
			free(files[i]);
		free(files);
	} else {
		/* Killed here, the files are orphans for verify /repair. */
		eng__fault_point("uninstalled");
		eng__remove_files(c, files, nfiles);
	}
	free(m.path);
	if (removed_roots)
		*removed_roots = roots;
	if (removed_images)
		*removed_images = images;
	return rc;
}
