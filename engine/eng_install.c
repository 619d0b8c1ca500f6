/* engine/eng_install.c - `ngen install NAME|PATH [scenarios] [config]`.
 *
 * An install binds the assembly and (unless /NoDependencies) everything it
 * references, transitively; compiles, dependencies first, what has no
 * valid image for this scenario set and config (eng_graph.c); then, in one
 * transaction, moves the images into place and records assemblies, images,
 * edges and the root with the exact arguments it was given. Nothing is
 * recorded when anything fails: a missing file, a file that is not an
 * assembly, a reference that does not bind, a compile error. */
#include "engine/eng_int.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "base/xmalloc.h"

static int record_root(eng_cache *c, const eng__graph *g, const eng_request *req,
		       int64_t *root_id, ng_diag *d)
{
	char *args = eng_args_join(req->argc, req->argv);
	sqlite3_stmt *st;
	int rc = eng__prepare(c, "INSERT INTO roots(image_id, args, cwd, scenario, config, nodeps,"
			      " created) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT(image_id, nodeps)"
			      " DO UPDATE SET args = ?2, cwd = ?3, created = ?7 RETURNING id", &st, d);
	if (rc == 0) {
		sqlite3_bind_int64(st, 1, g->nodes[0].image_id);
		sqlite3_bind_text(st, 2, args, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, req->cwd, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 4, (int)g->scenario);
		sqlite3_bind_text(st, 5, g->config, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 6, req->nodeps);
		sqlite3_bind_int64(st, 7, eng__now());
		if (sqlite3_step(st) == SQLITE_ROW)
			*root_id = sqlite3_column_int64(st, 0);
		else
			rc = eng__db_error(c, d, "recording the root");
	}
	sqlite3_finalize(st);
	free(args);
	return rc;
}

/* After a failed transaction: files moved to a name no row owns go. */
static void undo_placed(eng_cache *c, eng__graph *g)
{
	for (size_t i = 0; i < g->n; i++)
		if (g->nodes[i].placed)
			eng__remove_image_file(c, g->nodes[i].rel);
}

/* After commit: files the new images replaced. */
static void remove_replaced(eng_cache *c, eng__graph *g)
{
	for (size_t i = 0; i < g->n; i++) {
		eng__node *n = &g->nodes[i];
		if (!n->reused && n->old_rel && n->rel && strcmp(n->old_rel, n->rel) != 0)
			eng__remove_image_file(c, n->old_rel);
	}
}

/* The transaction of an install (req set: a root is recorded) or of a
 * rebuild by update (req NULL). */
int eng__commit_graph(eng_cache *c, eng__graph *g, const eng_request *req,
		      int64_t *root_id, const char *action, ng_diag *d)
{
	int rc = eng_tx_begin(c, d);
	if (rc < 0)
		return rc;
	rc = eng__graph_record(c, g, d);
	if (rc == 0 && req)
		rc = record_root(c, g, req, root_id, d);
	if (rc == 0) {
		unsigned compiled = 0;
		for (size_t k = 0; k < g->norder; k++)
			compiled += !g->nodes[g->order[k]].reused;
		char *args = req ? eng_args_display(req->argc, req->argv) : NULL;
		eng_log(c, action, "%s%s%s: %u image(s) compiled, %zu reused", action,
			args ? " " : " ", args ? args : g->nodes[0].a.identity, compiled,
			g->norder - compiled);
		free(args);
		rc = eng_tx_commit(c, d);
	}
	if (rc < 0) {
		eng_tx_rollback(c);
		undo_placed(c, g);
		return rc;
	}
	remove_replaced(c, g);
	return 0;
}

int eng_install(eng_cache *c, const eng_request *req, const eng_run_opts *o,
		eng_install_result *res, ng_diag *d)
{
	if (!c || !req || req->action != ENG_INSTALL || !req->name)
		return ng_diag_set(d, NG_ERR_INVAL, "eng_install: bad request");
	int rc = eng__require_admin(c, "install", d);
	if (rc < 0)
		return rc;
	char *path = NULL;
	rc = eng_binder_locate(req->name, req->cwd, &path, d);
	if (rc < 0)
		return rc;
	eng__graph g;
	rc = eng__graph_init(&g, path, req->exe_config, req->app_base, req->cwd, req->scenario, d);
	if (rc == 0)
		rc = eng__graph_build(&g, path, !req->nodeps, d);
	if (rc == 0)
		rc = eng__graph_compile(c, &g, false, o, d);
	int64_t root_id = 0;
	if (rc == 0)
		rc = eng__commit_graph(c, &g, req, &root_id, "install", d);
	if (rc == 0 && res) {
		memset(res, 0, sizeof *res);
		res->assemblies = (unsigned)g.norder;
		for (size_t k = 0; k < g.norder; k++) {
			if (g.nodes[g.order[k]].reused)
				res->reused++;
			else
				res->compiled++;
		}
		res->root_id = root_id;
	}
	if (rc < 0)
		ng_diag_prefix(d, "install %s: ", req->name);
	eng__graph_close(&g);
	free(path);
	return rc;
}
