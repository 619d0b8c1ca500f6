/* engine/eng_query.c - reading the cache: roots, images, dependencies, the
 * log, and the runtime's lookup of a valid image.
 *
 * The number of roots that reach each image is derived here from the roots
 * and edges (one read of each, a walk in memory), so it cannot drift from
 * what uninstall will do.
 *
 * The listings are the console's first screen on caches of 10,000 images,
 * so they avoid per-row work: images and roots come in name order from the
 * assemblies_order index (no sort of the whole result), an image's file
 * path is built in one reused buffer, a root's arguments are turned into
 * text by one pass over their JSON, and all edges come in one query
 * (eng_edges_foreach). */
#include "engine/eng_binder.h"
#include "engine/eng_int.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/xmalloc.h"

#define IMAGE_COLUMNS                                                          \
	"i.id, a.name, a.identity, a.path, i.mvid, i.scenario, i.config,"      \
	" i.target, i.file, i.size, i.hash, i.status, i.reason,"               \
	" i.methods_compiled, i.methods_excluded, i.created, i.last_used"

static void read_image(eng_cache *c, sqlite3_stmt *st, eng_image_info *img, ng_strbuf *file)
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
	ng_strbuf_reset(file);
	ng_strbuf_puts(file, c->images_dir);
	ng_strbuf_putc(file, '/');
	ng_strbuf_puts(file, eng__col_text(st, 8));
	img->file = file->data;
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
	ng_strbuf file = NG_STRBUF_INIT;
	while (!stop && sqlite3_step(st) == SQLITE_ROW) {
		eng_image_info img;
		read_image(c, st, &img, &file);
		if (sqlite3_column_count(st) > 17)
			img.roots = (unsigned)sqlite3_column_int(st, 17);
		stop = fn(ctx, &img);
	}
	ng_strbuf_close(&file);
	sqlite3_finalize(st);
	return stop;
}

/* ---- root counts, derived in memory ------------------------------------------
 * A recursive query over (root, image) pairs costs a B-tree insert per
 * pair; a depth-first walk per root over arrays costs a few nanoseconds
 * per edge, which keeps `display` of 10,000 images well under 100 ms. */

typedef struct counts {
	int64_t *ids;              /* image ids, sorted */
	unsigned *n;               /* roots reaching ids[i] */
	size_t len;
} counts;

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

static size_t index_of(const counts *k, int64_t id)
{
	/* k->ids is NULL when the cache has no images: no bsearch on NULL. */
	int64_t *p = k->len ? bsearch(&id, k->ids, k->len, sizeof *k->ids, cmp_i64) : NULL;
	return p ? (size_t)(p - k->ids) : (size_t)-1;
}

static int load_ids(eng_cache *c, const char *sql, int64_t **out, size_t *n, int cols, ng_diag *d)
{
	sqlite3_stmt *st;
	int rc = eng__prepare(c, sql, &st, d);
	if (rc < 0)
		return rc;
	size_t cap = 0;
	*out = NULL;
	*n = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (*n + (size_t)cols > cap) {
			cap = cap ? cap * 2 : 1024;
			*out = xrealloc(*out, cap * sizeof **out);
		}
		for (int i = 0; i < cols; i++)
			(*out)[(*n)++] = sqlite3_column_int64(st, i);
	}
	sqlite3_finalize(st);
	return 0;
}

/* Edges in CSR form: targets[first[i] .. first[i] + fill[i]) are the
 * indexes of image i's dependency images. */
typedef struct csr {
	size_t *first, *fill, *targets;
} csr;

static void csr_build(const counts *k, const int64_t *edges, size_t nedges, csr *g)
{
	g->first = xcalloc(k->len + 2, sizeof *g->first);
	g->fill = xcalloc(k->len + 1, sizeof *g->fill);
	g->targets = xcalloc(nedges / 2 + 1, sizeof *g->targets);
	for (size_t e = 0; e < nedges; e += 2) {
		size_t i = index_of(k, edges[e]);
		if (i != (size_t)-1)
			g->first[i + 1]++;
	}
	for (size_t i = 0; i < k->len; i++)
		g->first[i + 1] += g->first[i];
	for (size_t e = 0; e < nedges; e += 2) {
		size_t i = index_of(k, edges[e]), j = index_of(k, edges[e + 1]);
		if (i != (size_t)-1 && j != (size_t)-1)
			g->targets[g->first[i] + g->fill[i]++] = j;
	}
}

static void csr_close(csr *g)
{
	free(g->first);
	free(g->fill);
	free(g->targets);
}

/* Counts one root in every image it reaches from image i; stamp marks
 * what this root (number mark) has seen. */
static void walk_root(counts *k, const csr *g, size_t i, bool nodeps, size_t mark,
		      size_t *stamp, size_t *stack)
{
	size_t sp = 0;
	stamp[i] = mark;
	stack[sp++] = i;
	while (sp) {
		size_t x = stack[--sp];
		k->n[x]++;
		if (nodeps)
			continue;      /* /NoDependencies reaches its own image only */
		for (size_t e = g->first[x]; e < g->first[x] + g->fill[x]; e++) {
			size_t y = g->targets[e];
			if (stamp[y] != mark) {
				stamp[y] = mark;
				stack[sp++] = y;
			}
		}
	}
}

static int root_counts(eng_cache *c, counts *k, ng_diag *d)
{
	memset(k, 0, sizeof *k);
	int64_t *edges = NULL, *roots = NULL;
	size_t nedges = 0, nroots = 0;
	int rc = load_ids(c, "SELECT id FROM images ORDER BY id", &k->ids, &k->len, 1, d);
	if (rc == 0)
		rc = load_ids(c, "SELECT image_id, dep_image_id FROM image_deps WHERE dep_image_id"
			      " IS NOT NULL ORDER BY image_id", &edges, &nedges, 2, d);
	if (rc == 0)
		rc = load_ids(c, "SELECT image_id, nodeps FROM roots", &roots, &nroots, 2, d);
	k->n = xcalloc(k->len + 1, sizeof *k->n);
	if (rc == 0) {
		csr g;
		csr_build(k, edges, nedges, &g);
		size_t *stamp = xcalloc(k->len + 1, sizeof *stamp);
		size_t *stack = xcalloc(k->len + 1, sizeof *stack);
		for (size_t r = 0; r < nroots; r += 2) {
			size_t i = index_of(k, roots[r]);
			if (i != (size_t)-1 && stamp[i] != r / 2 + 1)
				walk_root(k, &g, i, roots[r + 1] != 0, r / 2 + 1, stamp, stack);
		}
		free(stamp);
		free(stack);
		csr_close(&g);
	}
	free(edges);
	free(roots);
	return rc;
}

static void counts_close(counts *k)
{
	free(k->ids);
	free(k->n);
}

int eng__images_foreach(eng_cache *c, bool with_counts, eng_image_fn fn, void *ctx, ng_diag *d)
{
	if (!c->db)
		return 0;
	counts k = { 0 };
	int rc = with_counts ? root_counts(c, &k, d) : 0;
	sqlite3_stmt *st = NULL;
	/* CROSS JOIN keeps assemblies outside: the rows come in index order
	 * (images_key is unique on assembly, scenario, config). */
	if (rc == 0)
		rc = eng__prepare(c, "SELECT " IMAGE_COLUMNS " FROM assemblies a CROSS JOIN images i"
				  " ON i.assembly_id = a.id"
				  " ORDER BY a.name COLLATE NOCASE, a.version, a.id, i.scenario, i.config",
				  &st, d);
	int stop = 0;
	ng_strbuf file = NG_STRBUF_INIT;
	while (rc == 0 && !stop && sqlite3_step(st) == SQLITE_ROW) {
		eng_image_info img;
		read_image(c, st, &img, &file);
		if (with_counts) {
			size_t i = index_of(&k, img.id);
			img.roots = i == (size_t)-1 ? 0 : k.n[i];
		}
		stop = fn(ctx, &img);
	}
	ng_strbuf_close(&file);
	sqlite3_finalize(st);
	counts_close(&k);
	return rc < 0 ? rc : stop;
}

int eng_images_foreach(eng_cache *c, eng_image_fn fn, void *ctx, ng_diag *d)
{
	return eng__images_foreach(c, true, fn, ctx, d);
}

int eng_images_foreach_plain(eng_cache *c, eng_image_fn fn, void *ctx, ng_diag *d)
{
	return eng__images_foreach(c, false, fn, ctx, d);
}

int eng_edges_foreach(eng_cache *c, eng_edge_fn fn, void *ctx, ng_diag *d)
{
	if (!c || !fn)
		return ng_diag_set(d, NG_ERR_INVAL, "eng_edges_foreach: bad arguments");
	if (!c->db)
		return 0;
	sqlite3_stmt *st;
	int rc = eng__prepare(c, "SELECT image_id, dep_image_id FROM image_deps"
			      " WHERE dep_image_id IS NOT NULL ORDER BY image_id", &st, d);
	if (rc < 0)
		return rc;
	int stop = 0;
	while (!stop && sqlite3_step(st) == SQLITE_ROW)
		stop = fn(ctx, sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1));
	sqlite3_finalize(st);
	return stop;
}

int eng_exclusions_foreach(eng_cache *c, int64_t image_id, eng_exclusion_fn fn, void *ctx,
			   ng_diag *d)
{
	if (!c || !fn)
		return ng_diag_set(d, NG_ERR_INVAL, "eng_exclusions_foreach: bad arguments");
	if (!c->db || eng_schema_version(c->db, "engine") < 4)
		return 0;       /* a cache not yet migrated (read-only) has none */
	sqlite3_stmt *st;
	int rc = eng__prepare(c, "SELECT image_id, reason, count FROM image_exclusions"
			      " WHERE ?1 = 0 OR image_id = ?1 ORDER BY image_id, count DESC, reason",
			      &st, d);
	if (rc < 0)
		return rc;
	sqlite3_bind_int64(st, 1, image_id);
	int stop = 0;
	while (!stop && sqlite3_step(st) == SQLITE_ROW)
		stop = fn(ctx, sqlite3_column_int64(st, 0), eng__col_text(st, 1),
			  (unsigned)sqlite3_column_int(st, 2));
	sqlite3_finalize(st);
	return stop;
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
	/* Walked from assemblies_order through images_key to roots(image_id,
	 * nodeps), so the rows come sorted (CROSS JOIN fixes that order). */
	int rc = eng__prepare(c, "SELECT r.id, r.image_id, r.args, r.cwd, a.identity, a.path,"
			      " r.scenario, r.config, r.nodeps, r.created FROM assemblies a"
			      " CROSS JOIN images i ON i.assembly_id = a.id CROSS JOIN roots r"
			      " ON r.image_id = i.id ORDER BY a.name COLLATE NOCASE, a.version, a.id,"
			      " i.scenario, i.config, r.nodeps", &st, d);
	if (rc < 0)
		return rc;
	int stop = 0;
	ng_strbuf text = NG_STRBUF_INIT;
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
		ng_strbuf_reset(&text);
		ng_strbuf_puts(&text, "install ");
		r.args = eng__args_display_json(r.args_json, &text) == 0 ? text.data : r.args_json;
		stop = fn(ctx, &r);
	}
	ng_strbuf_close(&text);
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

int eng_image_source(void *ctx, const char *assembly_path, unsigned scenario,
		     char **image_path, ng_diag *d)
{
	eng_cache *c = ctx;
	if (!c || !assembly_path || !image_path)
		return ng_diag_set(d, NG_ERR_INVAL, "eng_image_source: bad arguments");
	char real[PATH_MAX];
	if (!realpath(assembly_path, real))
		return ng_diag_set(d, NG_ERR_NOTFOUND, "%s: %s", assembly_path, strerror(errno));
	/* The file's current MVID, so a recompiled assembly finds nothing. */
	eng_asm a;
	int rc = eng_asm_read(real, &a, d);
	if (rc < 0)
		return rc;
	int64_t id = 0;
	rc = eng_lookup_image(c, real, a.mvid, scenario, image_path, &id, d);
	eng_asm_close(&a);
	if (rc == 0 && c->writable)
		eng_touch_image(c, id);
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
