/* engine/eng_update.c - `ngen update`: regenerate exactly the invalid images.
 *
 * The invalid images and their reasons come from eng_validity.c. They are
 * first recorded invalid in one transaction (so display, the runtime and a
 * crash in the middle all see the truth), then rebuilt one by one,
 * dependencies first, each in its own binding context (the config key it
 * was installed with) and its own transaction. An image a root reaches
 * with dependencies is rebuilt the way its root was installed: its
 * references are bound afresh and a dependency without a valid image
 * (newly referenced, or another version chosen by an edited .config) is
 * compiled too; images no root reaches any more then go. An image whose
 * assembly is gone or no longer binds stays invalid with the reason, and
 * the update reports it as failed. */
#include "engine/eng_int.h"

#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/xmalloc.h"

/* Inside the caller's transaction. */
static int mark_invalid(eng_cache *c, eng__invalid *v, size_t n, ng_diag *d)
{
	sqlite3_stmt *st;
	int rc = eng__prepare(c, "UPDATE images SET status = 'invalid', reason = ? WHERE id = ?",
			      &st, d);
	if (rc < 0)
		return rc;
	size_t marked = 0;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		if (v[i].was_invalid)
			continue;
		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, v[i].reason, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, v[i].image_id);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = eng__db_error(c, d, "marking an image invalid");
		marked++;
	}
	sqlite3_finalize(st);
	if (rc == 0 && marked)
		eng_log(c, "update", "%zu image(s) found invalid", marked);
	return rc;
}

/* Finds and records the invalid images in one transaction, so what is
 * judged is one consistent state and no install commits in between. */
static int find_and_mark(eng_cache *c, eng__invalid **inv, size_t *n, size_t *checked, ng_diag *d)
{
	int rc = eng_tx_begin(c, d);
	if (rc < 0)
		return rc;
	rc = eng__find_invalid(c, c->comp->stamp(c->comp->ctx), inv, n, checked, d);
	if (rc == 0)
		rc = mark_invalid(c, *inv, *n, d);
	if (rc == 0)
		rc = eng_tx_commit(c, d);
	else
		eng_tx_rollback(c);
	return rc;
}

/* The images some root reaches with its dependencies (not through a
 * /NoDependencies root only): sorted ids. Rebuilding one of them binds
 * its references afresh and compiles the dependencies that have no valid
 * image yet (a reference added by a recompile, another version chosen by
 * an edited .config), as the install of its root would. */
static int load_deep(eng_cache *c, int64_t **ids, size_t *n, ng_diag *d)
{
	sqlite3_stmt *st;
	int rc = eng__prepare(c, "WITH RECURSIVE reach(id) AS ("
			      " SELECT image_id FROM roots WHERE nodeps = 0"
			      " UNION SELECT e.dep_image_id FROM image_deps e JOIN reach r"
			      " ON e.image_id = r.id WHERE e.dep_image_id IS NOT NULL)"
			      " SELECT id FROM reach ORDER BY id", &st, d);
	*ids = NULL;
	*n = 0;
	if (rc < 0)
		return rc;
	while (sqlite3_step(st) == SQLITE_ROW) {
		*ids = xrealloc(*ids, (*n + 1) * sizeof **ids);
		(*ids)[(*n)++] = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	return 0;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

static bool has_id(const int64_t *ids, size_t n, int64_t id)
{
	return n && bsearch(&id, ids, n, sizeof *ids, cmp_i64) != NULL;
}

typedef struct done_set {
	int64_t *ids;          /* images compiled in this update, unsorted */
	size_t n;
} done_set;

static bool was_done(const done_set *s, int64_t id)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->ids[i] == id)
			return true;
	return false;
}

static int rebuild_one(eng_cache *c, const eng__invalid *inv, bool deep, done_set *done,
		       const eng_run_opts *o, ng_diag *d)
{
	eng__graph g;
	int rc = eng__graph_init_key(&g, inv->path, inv->config, inv->scenario, d);
	if (rc == 0)
		rc = eng__graph_build(&g, inv->path, deep, d);
	if (rc == 0)
		rc = eng__graph_compile(c, &g, true, o, d);
	if (rc == 0)
		rc = eng__commit_graph(c, &g, NULL, NULL, "update", d);
	for (size_t k = 0; rc == 0 && k < g.norder; k++) {
		eng__node *n = &g.nodes[g.order[k]];
		if (n->reused)
			continue;
		done->ids = xrealloc(done->ids, (done->n + 1) * sizeof *done->ids);
		done->ids[done->n++] = n->image_id;
	}
	eng__graph_close(&g);
	return rc;
}

/* Images no root reaches any more (a dependency replaced by another
 * version) go, with their files, after the rebuilds. */
static int collect_garbage(eng_cache *c, const eng_run_opts *o, ng_diag *d)
{
	char **files = NULL;
	size_t nfiles = 0;
	unsigned count = 0;
	int rc = eng_tx_begin(c, d);
	if (rc == 0)
		rc = eng__compute_live(c, d);
	if (rc == 0)
		rc = eng__delete_dead(c, &files, &nfiles, &count, o, d);
	if (rc == 0 && count)
		eng_log(c, "update", "%u image(s) no root needs any more removed", count);
	if (rc == 0)
		rc = eng_tx_commit(c, d);
	if (rc < 0) {
		eng_tx_rollback(c);
		for (size_t i = 0; i < nfiles; i++)
			free(files[i]);
		free(files);
		return rc;
	}
	eng__remove_files(c, files, nfiles);
	return 0;
}

/* Records why a rebuild failed, so display shows it until it works. */
static void record_failure(eng_cache *c, const eng__invalid *inv, const char *why)
{
	sqlite3_stmt *st;
	if (eng_tx_begin(c, NULL) < 0)
		return;
	if (eng__prepare(c, "UPDATE images SET status = 'invalid', reason = ? WHERE id = ?", &st, NULL) == 0) {
		const char *cut = strstr(inv->reason, "; rebuilding failed: ");
		int keep = cut ? (int)(cut - inv->reason) : (int)strlen(inv->reason);
		char *r = xasprintf("%.*s; rebuilding failed: %s", keep, inv->reason, why);
		sqlite3_bind_text(st, 1, r, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(st, 2, inv->image_id);
		sqlite3_step(st);
		sqlite3_finalize(st);
		free(r);
	}
	eng_log(c, "update", "rebuilding %s failed: %s", inv->identity, why);
	if (eng_tx_commit(c, NULL) < 0)
		eng_tx_rollback(c);
}

/* Images rebuilt one by one record, for a dependency in the same reference
 * cycle that was rebuilt after them, that dependency's old image hash.
 * Once every invalid image is rebuilt they are all consistent again, so
 * the edges among the rebuilt images take the final hashes. */
static int refresh_edges(eng_cache *c, const int64_t *ids, size_t n, ng_diag *d)
{
	int rc = eng_tx_begin(c, d);
	if (rc == 0)
		rc = eng_exec(c, "CREATE TEMP TABLE IF NOT EXISTS rebuilt(id INTEGER PRIMARY KEY);"
			      "DELETE FROM rebuilt;", d);
	sqlite3_stmt *st = NULL;
	if (rc == 0)
		rc = eng__prepare(c, "INSERT OR IGNORE INTO rebuilt(id) VALUES (?)", &st, d);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, ids[i]);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = eng__db_error(c, d, "recording rebuilt images");
	}
	sqlite3_finalize(st);
	if (rc == 0)
		rc = eng_exec(c, "UPDATE image_deps SET dep_image_hash = (SELECT hash FROM images i"
			      " WHERE i.id = image_deps.dep_image_id) WHERE dep_image_id IN"
			      " (SELECT id FROM rebuilt) AND image_id IN (SELECT id FROM rebuilt)", d);
	if (rc == 0)
		rc = eng_tx_commit(c, d);
	else
		eng_tx_rollback(c);
	return rc;
}

static void emit_invalid(const eng_run_opts *o, const eng__invalid *inv, size_t i, size_t n)
{
	if (!o || !o->on_event)
		return;
	eng_event ev = { .kind = ENG_EV_INVALID, .name = inv->identity, .text = inv->reason,
			 .scenario = inv->scenario, .index = (unsigned)i + 1, .total = (unsigned)n };
	o->on_event(o->ctx, &ev);
}

int eng_update(eng_cache *c, bool rebuild, const eng_run_opts *o,
	       eng_update_result *res, ng_diag *d)
{
	if (!c)
		return ng_diag_set(d, NG_ERR_INVAL, "eng_update: no cache");
	int rc = eng__require_admin(c, "update", d);
	if (rc < 0)
		return rc;
	eng_update_result r = { 0 };
	eng__invalid *inv = NULL;
	size_t n = 0, checked = 0;
	rc = find_and_mark(c, &inv, &n, &checked, d);
	r.checked = (unsigned)checked;
	r.invalid = (unsigned)n;
	int64_t *deep = NULL;
	size_t ndeep = 0;
	if (rc == 0 && rebuild && n)
		rc = load_deep(c, &deep, &ndeep, d);
	done_set done = { NULL, 0 };
	for (size_t i = 0; rc == 0 && i < n; i++) {
		emit_invalid(o, &inv[i], i, n);
		/* Rebuilt already as a dependency of an earlier one. */
		if (!rebuild || was_done(&done, inv[i].image_id)) {
			r.rebuilt += rebuild;
			continue;
		}
		if (o && o->cancel && *o->cancel) {
			rc = ng_diag_set(d, NG_ERR_CANCELED, "update canceled; %u image(s) rebuilt, "
					 "%zu still invalid", r.rebuilt, n - i);
			break;
		}
		ng_diag one;
		ng_diag_clear(&one);
		bool is_deep = has_id(deep, ndeep, inv[i].image_id);
		int brc = rebuild_one(c, &inv[i], is_deep, &done, o, &one);
		if (brc == NG_ERR_CANCELED) {
			rc = ng_diag_set(d, brc, "%s", ng_diag_text(&one));
		} else if (brc < 0) {
			r.failed++;
			record_failure(c, &inv[i], ng_diag_text(&one));
			eng__emit(o, ENG_EV_MESSAGE, inv[i].identity, ng_diag_text(&one));
		} else
			r.rebuilt++;
	}
	if (rc == 0 && done.n)
		rc = refresh_edges(c, done.ids, done.n, d);
	if (rc == 0 && done.n)
		rc = collect_garbage(c, o, d);
	free(done.ids);
	free(deep);
	eng__invalid_free(inv, n);
	if (res)
		*res = r;
	if (rc == 0 && r.failed)
		rc = ng_diag_set(d, NG_ERR_COMPILE, "%u of %u invalid image(s) could not be rebuilt; "
				 "they stay invalid (see 'ngen display /verbose')", r.failed, r.invalid);
	return rc;
}
