/* engine/eng_graph.c - the dependency graph of one install or rebuild.
 *
 * Building a graph binds the root's references through the binder, and
 * (deep) theirs, transitively; each assembly file is one node, so cycles
 * among references (System <-> System.Xml) and diamonds are handled once.
 * Compiling walks the nodes dependencies first and reuses every image that
 * is still valid: same MVID, environment stamp and config hash, and edges
 * whose dependencies still have the recorded MVIDs and image hashes.
 *
 * Compiling happens outside any transaction (it can take minutes and must
 * not hold the write lock); recording renames the synced temporary files
 * into place and writes every row inside the caller's transaction. */
#include "engine/eng_int.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/err.h"
#include "base/strbuf.h"
#include "base/xmalloc.h"

static char *abs_path(const char *p, const char *cwd)
{
	char *joined = p[0] == '/' ? xstrdup(p) : xasprintf("%s/%s", cwd, p);
	char real[PATH_MAX];
	if (realpath(joined, real)) {
		free(joined);
		return xstrdup(real);
	}
	return joined;
}

static char *dir_of(const char *path)
{
	char *d = xstrdup(path);
	char *slash = strrchr(d, '/');
	if (slash && slash != d)
		*slash = '\0';
	return d;
}

static void set_target(eng__graph *g)
{
	eng__stamp_get(g->env ? g->env : "", "target", g->target, sizeof g->target);
	if (!g->target[0])
		strcpy(g->target, "x86_64-linux-gnu");
}

int eng__graph_init(eng__graph *g, const char *assembly_path, const char *exe_config,
		    const char *app_base, const char *cwd, unsigned scenario, ng_diag *d)
{
	memset(g, 0, sizeof *g);
	g->scenario = scenario;
	char *exe = exe_config ? abs_path(exe_config, cwd) : xstrdup(assembly_path);
	if (exe_config && access(exe, R_OK) != 0) {
		int rc = ng_diag_set(d, NG_ERR_NOTFOUND, "/ExeConfig:%s: %s: %s", exe_config, exe,
				     strerror(errno));
		free(exe);
		return rc;
	}
	g->appbase = app_base ? abs_path(app_base, cwd) : dir_of(exe);
	struct stat st;
	if (stat(g->appbase, &st) < 0 || !S_ISDIR(st.st_mode)) {
		int rc = ng_diag_set(d, NG_ERR_NOTFOUND, "/AppBase:%s: %s is not a directory",
				     app_base ? app_base : "", g->appbase);
		free(exe);
		return rc;
	}
	g->config_file = xasprintf("%s.config", exe);
	free(exe);
	bool has_config = access(g->config_file, F_OK) == 0;
	if (!app_base && !exe_config && !has_config)
		g->config = xstrdup("");
	else
		g->config = xasprintf("appbase=%s\nconfig=%s", g->appbase,
				      has_config ? g->config_file : "");
	return eng_binder_new(g->appbase, has_config ? g->config_file : NULL, &g->binder, d);
}

char *eng__config_key(const char *assembly_path, const char *exe_config,
		      const char *app_base, const char *cwd)
{
	char *exe = exe_config ? abs_path(exe_config, cwd) : xstrdup(assembly_path);
	char *appbase = app_base ? abs_path(app_base, cwd) : dir_of(exe);
	char *config = xasprintf("%s.config", exe);
	bool has_config = access(config, F_OK) == 0;
	char *key = !app_base && !exe_config && !has_config ? xstrdup("")
		  : xasprintf("appbase=%s\nconfig=%s", appbase, has_config ? config : "");
	free(exe);
	free(appbase);
	free(config);
	return key;
}

int eng__graph_init_key(eng__graph *g, const char *assembly_path, const char *config,
			unsigned scenario, ng_diag *d)
{
	memset(g, 0, sizeof *g);
	g->scenario = scenario;
	g->config = xstrdup(config);
	if (!config[0]) {
		g->appbase = dir_of(assembly_path);
	} else {
		const char *ab = strstr(config, "appbase=");
		const char *cf = strstr(config, "\nconfig=");
		g->appbase = ab ? xstrndup(ab + 8, strcspn(ab + 8, "\n")) : dir_of(assembly_path);
		if (cf && cf[8])
			g->config_file = xstrdup(cf + 8);
	}
	return eng_binder_new(g->appbase, g->config_file, &g->binder, d);
}

static size_t find_node(const eng__graph *g, const char *path)
{
	for (size_t i = 0; i < g->n; i++)
		if (strcmp(g->nodes[i].a.path, path) == 0)
			return i;
	return (size_t)-1;
}

static size_t add_node(eng__graph *g)
{
	g->nodes = xrealloc(g->nodes, (g->n + 1) * sizeof *g->nodes);
	memset(&g->nodes[g->n], 0, sizeof g->nodes[g->n]);
	return g->n++;
}

static int bind_refs(eng__graph *g, size_t i, bool deep, ng_diag *d)
{
	size_t nrefs = g->nodes[i].a.nrefs;
	g->nodes[i].deps = xcalloc(nrefs + 1, sizeof *g->nodes[i].deps);
	g->nodes[i].dep_refs = xcalloc(nrefs + 1, sizeof *g->nodes[i].dep_refs);
	for (size_t r = 0; r < nrefs; r++) {
		const char *ref = g->nodes[i].a.ref_names[r];
		char *path = NULL;
		int rc = eng_binder_resolve(g->binder, g->nodes[i].a.path, ref, &path, d);
		if (rc < 0)
			return rc;
		size_t j = find_node(g, path);
		if (j == (size_t)-1) {
			j = add_node(g);
			rc = eng_asm_read(path, &g->nodes[j].a, d);
			if (rc < 0) {
				ng_diag_prefix(d, "%s (referenced by %s as \"%s\"): ", path,
					       g->nodes[i].a.path, ref);
				free(path);
				g->n--;
				return rc;
			}
			g->nodes[j].compile = deep;
		}
		free(path);
		if (j == i)
			continue;
		eng__node *n = &g->nodes[i];
		n->dep_refs[n->ndeps] = xstrdup(ref);
		n->deps[n->ndeps++] = j;
	}
	return 0;
}

/* Post-order from the root: every dependency before its dependents (a
 * back edge of a cycle is simply not followed again). */
static void order_nodes(eng__graph *g)
{
	g->order = xcalloc(g->n, sizeof *g->order);
	unsigned char *state = xcalloc(g->n, 1);
	size_t *stack = xcalloc(g->n, sizeof *stack), *next = xcalloc(g->n, sizeof *next);
	size_t sp = 0;
	stack[sp++] = 0;
	state[0] = 1;
	while (sp) {
		size_t i = stack[sp - 1];
		eng__node *n = &g->nodes[i];
		if (next[i] < n->ndeps) {
			size_t j = n->deps[next[i]++];
			if (!state[j] && g->nodes[j].compile) {
				state[j] = 1;
				stack[sp++] = j;
			}
			continue;
		}
		sp--;
		g->order[g->norder++] = i;
	}
	free(state);
	free(stack);
	free(next);
}

int eng__graph_build(eng__graph *g, const char *root_path, bool deep, ng_diag *d)
{
	size_t r = add_node(g);
	int rc = eng_asm_read(root_path, &g->nodes[r].a, d);
	if (rc < 0) {
		g->n = 0;
		return rc;
	}
	g->nodes[r].compile = true;
	for (size_t i = 0; rc == 0 && i < g->n; i++)
		if (i == 0 || (deep && g->nodes[i].compile))
			rc = bind_refs(g, i, deep, d);
	if (rc == 0)
		order_nodes(g);
	return rc;
}

void eng__graph_close(eng__graph *g)
{
	for (size_t i = 0; i < g->n; i++) {
		eng__node *n = &g->nodes[i];
		if (n->tmp) {
			unlink(n->tmp);
			free(n->tmp);
		}
		eng_asm_close(&n->a);
		for (size_t k = 0; k < n->ndeps; k++)
			free(n->dep_refs[k]);
		free(n->dep_refs);
		free(n->deps);
		free(n->rel);
		free(n->old_rel);
	}
	free(g->nodes);
	free(g->order);
	free(g->config);
	free(g->appbase);
	free(g->config_file);
	eng_binder_free(g->binder);
	memset(g, 0, sizeof *g);
}

/* ---- compiling ----------------------------------------------------------- */

static const char *scenario_dir(unsigned s)
{
	static const char *const dirs[] = { "normal", "debug", "profile", "debug_profile" };
	return dirs[s & 3];
}

static char *image_rel(const eng__graph *g, const eng__node *n)
{
	char arch[64];
	size_t len = strcspn(g->target, "-");
	snprintf(arch, sizeof arch, "%.*s", (int)len, g->target);
	/* Copies of one assembly in two directories, or one assembly under two
	 * configs, have images of their own: the directory name carries a hash
	 * of the assembly's path and the config key. */
	ng_strbuf key = NG_STRBUF_INIT;
	ng_strbuf_printf(&key, "%s\n%s", n->a.path, g->config);
	uint8_t dg[NG_SHA256_LEN];
	char hex[NG_SHA256_HEX], cfg[16];
	ng_sha256(key.data, key.len, dg);
	ng_hex(dg, NG_SHA256_LEN, hex);
	snprintf(cfg, sizeof cfg, "_%.8s", hex);
	ng_strbuf_close(&key);
	return xasprintf("%s/%s/%s/%s_%s%s/%s.ni.so", arch, scenario_dir(g->scenario), n->a.name,
			 n->a.version, n->a.mvid, cfg, n->a.name);
}

typedef struct progress_ctx {
	const eng_run_opts *o;
	const char *name;
	unsigned index, total;
} progress_ctx;

static void on_methods(void *ctx, unsigned done, unsigned total)
{
	progress_ctx *p = ctx;
	if (!p->o || !p->o->on_event)
		return;
	eng_event ev = { .kind = ENG_EV_METHODS, .name = p->name, .index = p->index,
			 .total = p->total, .done = done, .count = total };
	p->o->on_event(p->o->ctx, &ev);
}

/* Is the recorded image of node i reusable? Its dependencies are compiled
 * (or reused) already, so their hashes are known. */
static bool reusable(eng_cache *c, eng__graph *g, size_t i, ng_diag *d)
{
	eng__node *n = &g->nodes[i];
	sqlite3_stmt *st;
	if (eng__prepare(c, "SELECT i.id, i.status, i.mvid, i.env, i.config_hash, i.hash, i.file, i.size,"
			 " i.methods_compiled, i.methods_excluded FROM images i JOIN assemblies a"
			 " ON a.id = i.assembly_id WHERE a.path = ? AND i.scenario = ? AND i.config = ?",
			 &st, d) < 0)
		return false;
	sqlite3_bind_text(st, 1, n->a.path, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, (int)g->scenario);
	sqlite3_bind_text(st, 3, g->config, -1, SQLITE_STATIC);
	bool ok = false;
	if (sqlite3_step(st) == SQLITE_ROW) {
		n->existed = true;
		n->image_id = sqlite3_column_int64(st, 0);
		n->old_rel = xstrdup(eng__col_text(st, 6));
		char *file = xasprintf("%s/%s", c->images_dir, n->old_rel);
		ok = strcmp(eng__col_text(st, 1), "valid") == 0 &&
		     strcmp(eng__col_text(st, 2), n->a.mvid) == 0 &&
		     strcmp(eng__col_text(st, 3), g->env) == 0 &&
		     strcmp(eng__col_text(st, 4), eng_binder_config_hash(g->binder)) == 0 &&
		     access(file, F_OK) == 0;
		free(file);
		if (ok) {
			snprintf(n->hash, sizeof n->hash, "%s", eng__col_text(st, 5));
			n->size = sqlite3_column_int64(st, 7);
			n->res.methods_compiled = (unsigned)sqlite3_column_int(st, 8);
			n->res.methods_excluded = (unsigned)sqlite3_column_int(st, 9);
		}
	}
	sqlite3_finalize(st);
	if (!ok)
		return false;
	/* Every dependency as compiled against: same file, MVID and image. */
	if (eng__prepare(c, "SELECT a.path, e.dep_mvid, e.dep_image_hash FROM image_deps e JOIN"
			 " assemblies a ON a.id = e.dep_assembly_id WHERE e.image_id = ?", &st, d) < 0)
		return false;
	sqlite3_bind_int64(st, 1, n->image_id);
	size_t seen = 0;
	while (ok && sqlite3_step(st) == SQLITE_ROW) {
		size_t j = find_node(g, eng__col_text(st, 0));
		ok = j != (size_t)-1 && strcmp(eng__col_text(st, 1), g->nodes[j].a.mvid) == 0;
		/* The dependency's image must be the one it was compiled against
		 * (the transitive rule). One not processed yet is a back edge of
		 * a reference cycle: edges are recorded after every image of the
		 * install, so both sides of a cycle carry each other's final hash. */
		if (ok && g->nodes[j].compile && g->nodes[j].hash[0])
			ok = strcmp(eng__col_text(st, 2), g->nodes[j].hash) == 0;
		seen++;
	}
	sqlite3_finalize(st);
	return ok && seen == n->ndeps;
}

static int compile_node(eng_cache *c, eng__graph *g, size_t i, progress_ctx *pc, ng_diag *d)
{
	eng__node *n = &g->nodes[i];
	const char **names = xcalloc(n->ndeps + 1, sizeof *names);
	const char **paths = xcalloc(n->ndeps + 1, sizeof *paths);
	for (size_t k = 0; k < n->ndeps; k++) {
		names[k] = n->dep_refs[k];
		paths[k] = g->nodes[n->deps[k]].a.path;
	}
	n->tmp = eng__tmp_path(c);
	eng_compile_job job = {
		.assembly_path = n->a.path, .scenario = g->scenario, .output_path = n->tmp,
		.dep_count = n->ndeps, .dep_names = names, .dep_paths = paths,
		.progress = on_methods, .progress_ctx = pc,
		.cancel = pc->o ? pc->o->cancel : NULL,
	};
	memset(&n->res, 0, sizeof n->res);
	int rc = c->comp->compile(c->comp->ctx, &job, &n->res, d);
	free(names);
	free(paths);
	if (rc < 0) {
		ng_diag_prefix(d, "compiling %s: ", n->a.identity);
		return rc;
	}
	eng__fault_point("compiled");
	rc = eng__sync_file(n->tmp);
	struct stat st;
	if (rc == 0 && stat(n->tmp, &st) < 0)
		rc = -errno;
	if (rc == 0) {
		n->size = st.st_size;
		rc = ng_sha256_file(n->tmp, n->hash);
	}
	if (rc < 0)
		return ng_diag_set(d, rc, "writing the image of %s (%s): %s", n->a.identity, n->tmp,
				   ng_strerror(rc));
	return 0;
}

int eng__graph_compile(eng_cache *c, eng__graph *g, bool force_root,
		       const eng_run_opts *o, ng_diag *d)
{
	if (!g->env)
		g->env = c->comp->stamp(c->comp->ctx);
	set_target(g);
	for (size_t k = 0; k < g->norder; k++) {
		size_t i = g->order[k];
		eng__node *n = &g->nodes[i];
		if (o && o->cancel && *o->cancel)
			return ng_diag_set(d, NG_ERR_CANCELED, "canceled before compiling %s",
					   n->a.identity);
		n->rel = image_rel(g, n);
		progress_ctx pc = { o, n->a.identity, (unsigned)k + 1, (unsigned)g->norder };
		if (o && o->on_event) {
			eng_event ev = { .kind = ENG_EV_ASSEMBLY, .name = n->a.identity,
					 .scenario = g->scenario, .index = pc.index, .total = pc.total };
			o->on_event(o->ctx, &ev);
		}
		/* reusable() also finds the row and file this image replaces. */
		bool reuse = reusable(c, g, i, d);
		if (reuse && !(force_root && i == 0)) {
			n->reused = true;
			free(n->rel);
			n->rel = xstrdup(n->old_rel);
			eng__emit(o, ENG_EV_REUSED, n->a.identity, "");
			continue;
		}
		int rc = compile_node(c, g, i, &pc, d);
		if (rc < 0)
			return rc;
		if (o && o->on_event) {
			eng_event ev = { .kind = ENG_EV_COMPILED, .name = n->a.identity,
					 .scenario = g->scenario, .index = pc.index, .total = pc.total,
					 .done = n->res.methods_compiled, .count = n->res.methods_excluded };
			o->on_event(o->ctx, &ev);
		}
	}
	return 0;
}

/* ---- recording ------------------------------------------------------------ */

static int upsert_assembly(eng_cache *c, eng__node *n, ng_diag *d)
{
	sqlite3_stmt *st;
	int rc = eng__prepare(c, "INSERT INTO assemblies(path, name, identity, version, mvid, hash,"
			      " size, mtime_ns, ino) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
			      " ON CONFLICT(path) DO UPDATE SET name = ?2, identity = ?3, version = ?4,"
			      " mvid = ?5, hash = ?6, size = ?7, mtime_ns = ?8, ino = ?9"
			      " RETURNING id", &st, d);
	if (rc < 0)
		return rc;
	sqlite3_bind_text(st, 1, n->a.path, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, n->a.name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, n->a.identity, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, n->a.version, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, n->a.mvid, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, n->a.hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, n->a.size);
	sqlite3_bind_int64(st, 8, n->a.mtime_ns);
	sqlite3_bind_int64(st, 9, n->a.ino);
	if (sqlite3_step(st) == SQLITE_ROW)
		n->asm_id = sqlite3_column_int64(st, 0);
	else
		rc = eng__db_error(c, d, "recording an assembly");
	sqlite3_finalize(st);
	return rc;
}

/* The image's exclusion reasons, replacing those of an earlier compile. */
static int write_exclusions(eng_cache *c, eng__node *n, ng_diag *d)
{
	sqlite3_stmt *st;
	int rc = eng__prepare(c, "DELETE FROM image_exclusions WHERE image_id = ?", &st, d);
	if (rc < 0)
		return rc;
	sqlite3_bind_int64(st, 1, n->image_id);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = eng__db_error(c, d, "recording exclusion reasons");
	sqlite3_finalize(st);
	if (rc < 0 || !n->res.nreasons)
		return rc;
	rc = eng__prepare(c, "INSERT INTO image_exclusions(image_id, reason, count) VALUES (?, ?, ?)"
			  " ON CONFLICT(image_id, reason) DO UPDATE SET count = count + excluded.count",
			  &st, d);
	for (unsigned k = 0; rc == 0 && k < n->res.nreasons && k < ENG_TOP_REASONS; k++) {
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, n->image_id);
		sqlite3_bind_text(st, 2, n->res.reasons[k].text, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 3, (int)n->res.reasons[k].count);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = eng__db_error(c, d, "recording exclusion reasons");
	}
	sqlite3_finalize(st);
	return rc;
}

static int upsert_image(eng_cache *c, eng__graph *g, eng__node *n, ng_diag *d)
{
	sqlite3_stmt *st;
	int rc = eng__prepare(c, "INSERT INTO images(assembly_id, scenario, config, target, file, size,"
			      " hash, status, reason, methods_compiled, methods_excluded, mvid, env,"
			      " config_hash, created) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'valid', '',"
			      " ?8, ?9, ?10, ?11, ?12, ?13) ON CONFLICT(assembly_id, scenario, config)"
			      " DO UPDATE SET target = ?4, file = ?5, size = ?6, hash = ?7, status = 'valid',"
			      " reason = '', methods_compiled = ?8, methods_excluded = ?9, mvid = ?10,"
			      " env = ?11, config_hash = ?12, created = ?13 RETURNING id", &st, d);
	if (rc < 0)
		return rc;
	sqlite3_bind_int64(st, 1, n->asm_id);
	sqlite3_bind_int(st, 2, (int)g->scenario);
	sqlite3_bind_text(st, 3, g->config, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, g->target, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, n->rel, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, n->size);
	sqlite3_bind_text(st, 7, n->hash, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 8, (int)n->res.methods_compiled);
	sqlite3_bind_int(st, 9, (int)n->res.methods_excluded);
	sqlite3_bind_text(st, 10, n->a.mvid, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 11, g->env, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 12, eng_binder_config_hash(g->binder), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 13, eng__now());
	if (sqlite3_step(st) == SQLITE_ROW)
		n->image_id = sqlite3_column_int64(st, 0);
	else
		rc = eng__db_error(c, d, "recording an image");
	sqlite3_finalize(st);
	return rc == 0 ? write_exclusions(c, n, d) : rc;
}

/* A file another image row owns at the same path is taken over: that can
 * only be a row of this very (assembly, scenario, config). */
static int place_file(eng_cache *c, eng__node *n, ng_diag *d)
{
	char *final = xasprintf("%s/%s", c->images_dir, n->rel);
	int rc = eng__install_file(n->tmp, final);
	if (rc < 0)
		ng_diag_set(d, rc, "moving %s to %s: %s", n->tmp, final, ng_strerror(rc));
	else {
		free(n->tmp);
		n->tmp = NULL;
		n->placed = !(n->old_rel && strcmp(n->old_rel, n->rel) == 0);
		eng__fault_point("placed");
	}
	free(final);
	return rc;
}

static int write_edges(eng_cache *c, eng__graph *g, eng__node *n, ng_diag *d)
{
	sqlite3_stmt *del, *ins, *dep;
	int rc = eng__prepare(c, "DELETE FROM image_deps WHERE image_id = ?", &del, d);
	if (rc == 0)
		rc = eng__prepare(c, "INSERT INTO image_deps(image_id, dep_assembly_id, dep_image_id,"
				  " ref_name, dep_identity, dep_mvid, dep_image_hash) VALUES"
				  " (?, ?, ?, ?, ?, ?, ?)", &ins, d);
	if (rc == 0)
		rc = eng__prepare(c, "SELECT id, hash FROM images WHERE assembly_id = ? AND scenario = ?"
				  " AND config = ?", &dep, d);
	if (rc < 0)
		return rc;
	sqlite3_bind_int64(del, 1, n->image_id);
	if (sqlite3_step(del) != SQLITE_DONE)
		rc = eng__db_error(c, d, "replacing dependency edges");
	for (size_t k = 0; rc == 0 && k < n->ndeps; k++) {
		eng__node *m = &g->nodes[n->deps[k]];
		sqlite3_reset(dep);
		sqlite3_bind_int64(dep, 1, m->asm_id);
		sqlite3_bind_int(dep, 2, (int)g->scenario);
		sqlite3_bind_text(dep, 3, g->config, -1, SQLITE_STATIC);
		sqlite3_reset(ins);
		sqlite3_bind_int64(ins, 1, n->image_id);
		sqlite3_bind_int64(ins, 2, m->asm_id);
		if (sqlite3_step(dep) == SQLITE_ROW) {
			sqlite3_bind_int64(ins, 3, sqlite3_column_int64(dep, 0));
			sqlite3_bind_text(ins, 7, eng__col_text(dep, 1), -1, SQLITE_TRANSIENT);
		} else {
			sqlite3_bind_null(ins, 3);
			sqlite3_bind_text(ins, 7, "", -1, SQLITE_STATIC);
		}
		sqlite3_bind_text(ins, 4, n->dep_refs[k], -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 5, m->a.identity, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 6, m->a.mvid, -1, SQLITE_STATIC);
		int s = sqlite3_step(ins);
		if (s != SQLITE_DONE && s != SQLITE_CONSTRAINT)
			rc = eng__db_error(c, d, "recording a dependency edge");
	}
	sqlite3_finalize(del);
	sqlite3_finalize(ins);
	sqlite3_finalize(dep);
	return rc;
}

int eng__graph_record(eng_cache *c, eng__graph *g, ng_diag *d)
{
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < g->n; i++)
		rc = upsert_assembly(c, &g->nodes[i], d);
	for (size_t k = 0; rc == 0 && k < g->norder; k++) {
		eng__node *n = &g->nodes[g->order[k]];
		if (n->tmp)
			rc = place_file(c, n, d);
		if (rc == 0 && !n->reused)
			rc = upsert_image(c, g, n, d);
	}
	for (size_t k = 0; rc == 0 && k < g->norder; k++)
		rc = write_edges(c, g, &g->nodes[g->order[k]], d);
	return rc;
}
