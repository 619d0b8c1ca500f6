/* engine/eng_query.c - reading the cache: roots, images, dependencies, the
 * log, and the runtime's lookup of a valid image.
 *
 * The number of roots that reach each image is derived here, in one
 * recursive query over roots and edges (root, image) pairs, so it cannot
 * drift from what uninstall will do. */
#include "engine/eng_int.h"

#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/xmalloc.h"

#define IMAGE_COLUMNS                                                          \
	"i.id, a.name, a.identity, a.path, i.mvid, i.scenario, i.config,"      \
	" i.target, i.file, i.size, i.hash, i.status, i.reason,"               \
	" i.methods_compiled, i.methods_excluded, i.created, i.last_used"

static void read_image(eng_cache *c, sqlite3_stmt *st, eng_image_info *img, char **file)
{
	memset(img, 0, sizeof *img);
	img->id = sqlite3_column_int64(st, 0);
	img->name = eng__col_text(st, 1);
	img->identity = eng__col_text(st, 2);
	img->assembly_path = eng__col_text(st, 3);
	img->mvid = eng__col_text(st, 4);
	img->scenario = (unsigned)sqlite3_column_int(st, 5);
	img->config = eng__col_text(st, 6);
	img->target = eng__col_text(st, 7);
	*file = xasprintf("%s/%s", c->images_dir, eng__col_text(st, 8));
	img->file = *file;
	img->size = sqlite3_column_int64(st, 9);
	img->hash = eng__col_text(st, 10);
	img->valid = strcmp(eng__col_text(st, 11), "valid") == 0;
	img->reason = eng__col_text(st, 12);
	img->methods_compiled = (unsigned)sqlite3_column_int(st, 13);
	img->methods_excluded = (unsigned)sqlite3_column_int(st, 14);
	img->created = sqlite3_column_int64(st, 15);
	img->last_used = sqlite3_column_int64(st, 16);
}

/* Runs an image query; column 17 (optional) is the root count. */
static int each_image(eng_cache *c, sqlite3_stmt *st, eng_image_fn fn, void *ctx)
{
	int stop = 0;
	while (!stop && sqlite3_step(st) == SQLITE_ROW) {
		eng_image_info img;
		char *file;
		read_image(c, st, &img, &file);
		if (sqlite3_column_count(st) > 17)
			img.roots = (unsigned)sqlite3_column_int(st, 17);
		stop = fn(ctx, &img);
		free(file);
	}
	sqlite3_finalize(st);
	return stop;
}

int eng_images_foreach(eng_cache *c, eng_image_fn fn, void *ctx, ng_diag *d)
{
	if (!c->db)
		return 0;
	sqlite3_stmt *st;
	int rc = eng__prepare(c, ENG__REACH_CTE ", counts(id, n) AS (SELECT id, count(DISTINCT root)"
			      " FROM reach GROUP BY id) SELECT " IMAGE_COLUMNS ", coalesce(k.n, 0)"
			      " FROM images i JOIN assemblies a ON a.id = i.assembly_id"
			      " LEFT JOIN counts k ON k.id = i.id"
			      " ORDER BY a.name COLLATE NOCASE, a.version, i.scenario, i.config, i.id",
			      &st, d);
	return rc < 0 ? rc : each_image(c, st, fn, ctx);
}

int eng_root_images_foreach(eng_cache *c, int64_t root_id, eng_image_fn fn, void *ctx, ng_diag *d)
{
	if (!c->db)
		return 0;
	sqlite3_stmt *st;
	int rc = eng__prepare(c, ENG__REACH_CTE "SELECT " IMAGE_COLUMNS " FROM reach r JOIN images i"
			      " ON i.id = r.id JOIN assemblies a ON a.id = i.assembly_id"
			      " WHERE r.root = ? ORDER BY i.id = (SELECT image_id FROM roots WHERE id = ?1) DESC,"
			      " a.name COLLATE NOCASE", &st, d);
	if (rc < 0)
		return rc;
	sqlite3_bind_int64(st, 1, root_id);
	return each_image(c, st, fn, ctx);
}

int eng_image_deps_foreach(eng_cache *c, int64_t image_id, eng_image_fn fn, void *ctx, ng_diag *d)
{
	if (!c->db)
		return 0;
	sqlite3_stmt *st;
	int rc = eng__prepare(c, "SELECT " IMAGE_COLUMNS " FROM image_deps e JOIN images i"
			      " ON i.id = e.dep_image_id JOIN assemblies a ON a.id = i.assembly_id"
			      " WHERE e.image_id = ? ORDER BY a.name COLLATE NOCASE", &st, d);
	if (rc < 0)
		return rc;
	sqlite3_bind_int64(st, 1, image_id);
	return each_image(c, st, fn, ctx);
}

int eng_roots_foreach(eng_cache *c, eng_root_fn fn, void *ctx, ng_diag *d)
{
	if (!c->db)
		return 0;
	sqlite3_stmt *st;
	int rc = eng__prepare(c, "SELECT r.id, r.image_id, r.args, r.cwd, a.identity, a.path,"
			      " r.scenario, r.config, r.nodeps, r.created FROM roots r"
			      " JOIN images i ON i.id = r.image_id JOIN assemblies a"
			      " ON a.id = i.assembly_id ORDER BY a.name COLLATE NOCASE, r.scenario, r.id",
			      &st, d);
	if (rc < 0)
		return rc;
	int stop = 0;
	while (!stop && sqlite3_step(st) == SQLITE_ROW) {
		eng_root_info r = {
			.id = sqlite3_column_int64(st, 0),
			.image_id = sqlite3_column_int64(st, 1),
			.args_json = eng__col_text(st, 2),
			.cwd = eng__col_text(st, 3),
			.identity = eng__col_text(st, 4),
			.assembly_path = eng__col_text(st, 5),
			.scenario = (unsigned)sqlite3_column_int(st, 6),
			.config = eng__col_text(st, 7),
			.nodeps = sqlite3_column_int(st, 8) != 0,
			.created = sqlite3_column_int64(st, 9),
		};
		int argc = 0;
		char **argv = NULL;
		char *text = NULL;
		if (eng_args_split(r.args_json, &argc, &argv) == 0) {
			char *rest = eng_args_display(argc, argv);
			text = xasprintf("install %s", rest);
			free(rest);
			eng_args_free(argc, argv);
		}
		r.args = text ? text : r.args_json;
		stop = fn(ctx, &r);
		free(text);
	}
	sqlite3_finalize(st);
	return stop;
}

int eng_lookup_image(eng_cache *c, const char *assembly, const char *mvid,
		     unsigned scenario, char **file, int64_t *image_id, ng_diag *d)
{
	if (!c || !assembly || !file)
		return ng_diag_set(d, NG_ERR_INVAL, "eng_lookup_image: bad arguments");
	if (!c->db)
		return ng_diag_set(d, NG_ERR_NOTFOUND, "no native image cache at %s", c->dir);
	sqlite3_stmt *st;
	int rc = eng__prepare(c, "SELECT i.id, i.file FROM images i JOIN assemblies a"
			      " ON a.id = i.assembly_id WHERE (a.path = ?1 OR a.identity = ?1)"
			      " AND (?2 IS NULL OR i.mvid = ?2) AND i.scenario = ?3"
			      " AND i.status = 'valid' AND i.mvid = a.mvid"
			      " ORDER BY i.config = '' DESC, i.created DESC LIMIT 1", &st, d);
	if (rc < 0)
		return rc;
	sqlite3_bind_text(st, 1, assembly, -1, SQLITE_STATIC);
	if (mvid)
		sqlite3_bind_text(st, 2, mvid, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, (int)scenario);
	if (sqlite3_step(st) == SQLITE_ROW) {
		if (image_id)
			*image_id = sqlite3_column_int64(st, 0);
		*file = xasprintf("%s/%s", c->images_dir, eng__col_text(st, 1));
	} else
		rc = ng_diag_set(d, NG_ERR_NOTFOUND, "no valid native image of %s%s%s in %s",
				 assembly, mvid ? " with MVID " : "", mvid ? mvid : "", c->dir);
	sqlite3_finalize(st);
	return rc;
}

int eng_touch_image(eng_cache *c, int64_t image_id)
{
	if (!c->writable || !c->db)
		return NG_ERR_PERM;
	sqlite3_stmt *st;
	int rc = eng__prepare(c, "UPDATE images SET last_used = ? WHERE id = ?", &st, NULL);
	if (rc < 0)
		return rc;
	sqlite3_bind_int64(st, 1, eng__now());
	sqlite3_bind_int64(st, 2, image_id);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : NG_ERR_DB;
	sqlite3_finalize(st);
	return rc;
}

int eng_log_foreach(eng_cache *c, int limit, eng_log_fn fn, void *ctx, ng_diag *d)
{
	if (!c->db)
		return 0;
	sqlite3_stmt *st;
	int rc = eng__prepare(c, "SELECT id, time, action, message FROM log ORDER BY id DESC LIMIT ?",
			      &st, d);
	if (rc < 0)
		return rc;
	sqlite3_bind_int(st, 1, limit > 0 ? limit : -1);
	int stop = 0;
	while (!stop && sqlite3_step(st) == SQLITE_ROW) {
		eng_log_entry e = { sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
				    eng__col_text(st, 2), eng__col_text(st, 3) };
		stop = fn(ctx, &e);
	}
	sqlite3_finalize(st);
	return stop;
}
