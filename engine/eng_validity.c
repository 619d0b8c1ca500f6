/* engine/eng_validity.c - which images are invalid, and why.
 *
 * An image is invalid when (first reason found wins):
 *   - it is recorded invalid already (verify found it damaged, or an
 *     earlier update could not rebuild it);
 *   - its assembly file is gone, or changed: another MVID, or other
 *     content under the same MVID;
 *   - the environment it was built in changed: image format, compiler,
 *     LLVM, target or CPU features (the compiler's stamp);
 *   - the .config file that bound its dependencies changed;
 *   - a dependency it was compiled against is gone or changed (identity or
 *     MVID), or the dependency's image was regenerated since;
 *   - transitively: a dependency's image is invalid.
 *
 * Assembly files are checked by stat first (size, mtime, inode as
 * recorded) and hashed only when those differ, so checking 10,000 valid
 * images costs a few stats and three queries. */
#include "engine/eng_int.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "base/xmalloc.h"

typedef struct asm_state {
	int64_t id;
	char *path, *identity, *mvid;     /* current (after a re-read when changed) */
	char *old_mvid;
	bool missing, content_changed;
	bool unreadable;          /* missing because the file no longer reads as an assembly */
} asm_state;

typedef struct img_state {
	int64_t id, asm_id;
	unsigned scenario;
	char *config, *mvid, *env, *config_hash, *hash;
	char *reason;                     /* NULL: valid */
	bool recorded_invalid;
	size_t first_edge, nedges;
} img_state;

typedef struct edge_state {
	int64_t image_id, dep_asm_id, dep_image_id;
	char *dep_mvid, *dep_identity, *dep_image_hash;
} edge_state;

typedef struct checker {
	eng_cache *c;
	asm_state *asms;
	size_t nasms;
	img_state *imgs;
	size_t nimgs;
	edge_state *edges;
	size_t nedges;
	const char *env;
} checker;

static int cmp_asm(const void *k, const void *e)
{
	int64_t a = *(const int64_t *)k, b = ((const asm_state *)e)->id;
	return a < b ? -1 : a > b;
}

static int cmp_img(const void *k, const void *e)
{
	int64_t a = *(const int64_t *)k, b = ((const img_state *)e)->id;
	return a < b ? -1 : a > b;
}

static asm_state *find_asm(checker *k, int64_t id)
{
	return k->nasms ? bsearch(&id, k->asms, k->nasms, sizeof *k->asms, cmp_asm) : NULL;
}

static img_state *find_img(checker *k, int64_t id)
{
	return k->nimgs ? bsearch(&id, k->imgs, k->nimgs, sizeof *k->imgs, cmp_img) : NULL;
}

/* Reads one assembly row and checks its file. */
static void check_asm(asm_state *a, sqlite3_stmt *st)
{
	a->id = sqlite3_column_int64(st, 0);
	a->path = xstrdup(eng__col_text(st, 1));
	a->identity = xstrdup(eng__col_text(st, 2));
	a->mvid = xstrdup(eng__col_text(st, 3));
	const char *hash = eng__col_text(st, 4);
	int64_t size, mtime, ino;
	if (eng_asm_stat(a->path, &size, &mtime, &ino) < 0) {
		a->missing = true;
		return;
	}
	if (size == sqlite3_column_int64(st, 5) && mtime == sqlite3_column_int64(st, 6) &&
	    ino == sqlite3_column_int64(st, 7))
		return;
	eng_asm cur;
	if (eng_asm_read(a->path, &cur, NULL) < 0) {
		a->missing = a->unreadable = true;
		return;
	}
	if (strcmp(cur.hash, hash) != 0) {
		a->old_mvid = a->mvid;
		a->mvid = xstrdup(cur.mvid);
		a->content_changed = true;
		free(a->identity);
		a->identity = xstrdup(cur.identity);
	}
	eng_asm_close(&cur);
}

static int load(checker *k, ng_diag *d)
{
	sqlite3_stmt *st;
	int rc = eng__prepare(k->c, "SELECT id, path, identity, mvid, hash, size, mtime_ns, ino"
			      " FROM assemblies ORDER BY id", &st, d);
	if (rc < 0)
		return rc;
	while (sqlite3_step(st) == SQLITE_ROW) {
		k->asms = xrealloc(k->asms, (k->nasms + 1) * sizeof *k->asms);
		memset(&k->asms[k->nasms], 0, sizeof *k->asms);
		check_asm(&k->asms[k->nasms++], st);
	}
	sqlite3_finalize(st);
	rc = eng__prepare(k->c, "SELECT id, assembly_id, scenario, config, mvid, env, config_hash,"
			  " hash, status, reason FROM images ORDER BY id", &st, d);
	if (rc < 0)
		return rc;
	while (sqlite3_step(st) == SQLITE_ROW) {
		k->imgs = xrealloc(k->imgs, (k->nimgs + 1) * sizeof *k->imgs);
		img_state *i = &k->imgs[k->nimgs++];
		memset(i, 0, sizeof *i);
		i->id = sqlite3_column_int64(st, 0);
		i->asm_id = sqlite3_column_int64(st, 1);
		i->scenario = (unsigned)sqlite3_column_int(st, 2);
		i->config = xstrdup(eng__col_text(st, 3));
		i->mvid = xstrdup(eng__col_text(st, 4));
		i->env = xstrdup(eng__col_text(st, 5));
		i->config_hash = xstrdup(eng__col_text(st, 6));
		i->hash = xstrdup(eng__col_text(st, 7));
		if (strcmp(eng__col_text(st, 8), "valid") != 0) {
			i->recorded_invalid = true;
			i->reason = xstrdup(eng__col_text(st, 9));
		}
	}
	sqlite3_finalize(st);
	rc = eng__prepare(k->c, "SELECT image_id, dep_assembly_id, coalesce(dep_image_id, 0), dep_mvid,"
			  " dep_identity, dep_image_hash FROM image_deps ORDER BY image_id", &st, d);
	if (rc < 0)
		return rc;
	while (sqlite3_step(st) == SQLITE_ROW) {
		k->edges = xrealloc(k->edges, (k->nedges + 1) * sizeof *k->edges);
		edge_state *e = &k->edges[k->nedges++];
		e->image_id = sqlite3_column_int64(st, 0);
		e->dep_asm_id = sqlite3_column_int64(st, 1);
		e->dep_image_id = sqlite3_column_int64(st, 2);
		e->dep_mvid = xstrdup(eng__col_text(st, 3));
		e->dep_identity = xstrdup(eng__col_text(st, 4));
		e->dep_image_hash = xstrdup(eng__col_text(st, 5));
	}
	sqlite3_finalize(st);
	for (size_t e = 0; e < k->nedges;) {
		size_t s = e;
		while (e < k->nedges && k->edges[e].image_id == k->edges[s].image_id)
			e++;
		img_state *i = find_img(k, k->edges[s].image_id);
		if (i) {
			i->first_edge = s;
			i->nedges = e - s;
		}
	}
	return 0;
}

static char *env_reason(const char *was, const char *now)
{
	static const struct { const char *key, *what; } keys[] = {
		{ "format", "the native image format" }, { "compiler", "the compiler version" },
		{ "llvm", "the LLVM version" }, { "runtime", "the runtime version" },
		{ "target", "the target" }, { "cpu", "the CPU features" },
	};
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		char a[512], b[512];
		eng__stamp_get(was, keys[i].key, a, sizeof a);
		eng__stamp_get(now, keys[i].key, b, sizeof b);
		if (strcmp(a, b) != 0) {
			if (strlen(a) > 60 || strlen(b) > 60)
				return xasprintf("%s changed", keys[i].what);
			return xasprintf("%s changed (was \"%s\", now \"%s\")", keys[i].what, a, b);
		}
	}
	return xasprintf("the build environment changed");
}

static char *config_reason(const img_state *i)
{
	if (!i->config[0])
		return NULL;
	const char *cf = strstr(i->config, "\nconfig=");
	const char *file = cf ? cf + 8 : "";
	char now[NG_SHA256_HEX] = "";
	if (*file && ng_sha256_file(file, now) < 0)
		now[0] = '\0';
	if (strcmp(now, i->config_hash) == 0)
		return NULL;
	return xasprintf("the config file %s %s", *file ? file : "(none)",
			 now[0] ? "changed" : "is gone");
}

static char *edge_reason(checker *k, const edge_state *e)
{
	asm_state *a = find_asm(k, e->dep_asm_id);
	if (!a || a->missing)
		return xasprintf(a && a->unreadable ? "dependency %s is no longer a valid assembly (%s)"
				 : "dependency %s is gone (%s)", e->dep_identity, a ? a->path : "?");
	if (strcmp(a->mvid, e->dep_mvid) != 0)
		return xasprintf("dependency %s changed (MVID %s, compiled against %s)",
				 a->identity, a->mvid, e->dep_mvid);
	if (strcmp(a->identity, e->dep_identity) != 0)
		return xasprintf("dependency %s changed identity (compiled against %s)",
				 a->identity, e->dep_identity);
	/* The dependency's image must be the one this image was compiled
	 * against: an install that regenerated it (because something below
	 * it changed) makes this image invalid too, the transitive rule. */
	img_state *di = e->dep_image_id ? find_img(k, e->dep_image_id) : NULL;
	if (di && e->dep_image_hash[0] && strcmp(di->hash, e->dep_image_hash) != 0)
		return xasprintf("the native image of dependency %s was regenerated", e->dep_identity);
	return NULL;
}

static char *direct_reason(checker *k, const img_state *i)
{
	asm_state *a = find_asm(k, i->asm_id);
	if (!a || a->missing)
		return xasprintf(a && a->unreadable ? "the assembly %s is no longer a valid assembly"
				 : "the assembly %s is gone", a ? a->path : "?");
	if (strcmp(a->mvid, i->mvid) != 0)
		return xasprintf("the assembly changed (MVID %s, image built from %s)", a->mvid, i->mvid);
	if (a->content_changed)
		return xasprintf("the assembly's content changed (same MVID %s)", a->mvid);
	if (strcmp(i->env, k->env) != 0)
		return env_reason(i->env, k->env);
	char *r = config_reason(i);
	for (size_t e = i->first_edge; !r && e < i->first_edge + i->nedges; e++)
		r = edge_reason(k, &k->edges[e]);
	return r;
}

/* Propagates invalidity from dependency images to their dependents. */
static void propagate(checker *k)
{
	for (bool changed = true; changed;) {
		changed = false;
		for (size_t n = 0; n < k->nimgs; n++) {
			img_state *i = &k->imgs[n];
			for (size_t e = i->first_edge; !i->reason && e < i->first_edge + i->nedges; e++) {
				img_state *di = k->edges[e].dep_image_id ? find_img(k, k->edges[e].dep_image_id) : NULL;
				if (di && di->reason) {
					i->reason = xasprintf("the native image of dependency %s is invalid",
							      k->edges[e].dep_identity);
					changed = true;
				}
			}
		}
	}
}

/* Depth-first, dependencies first, over the invalid images only. */
static void order_invalid(checker *k, size_t n, unsigned char *state, eng__invalid *out, size_t *count)
{
	img_state *i = &k->imgs[n];
	state[n] = 1;
	for (size_t e = i->first_edge; e < i->first_edge + i->nedges; e++) {
		img_state *di = k->edges[e].dep_image_id ? find_img(k, k->edges[e].dep_image_id) : NULL;
		if (di && di->reason && !state[di - k->imgs])
			order_invalid(k, (size_t)(di - k->imgs), state, out, count);
	}
	asm_state *a = find_asm(k, i->asm_id);
	eng__invalid *o = &out[(*count)++];
	o->image_id = i->id;
	o->scenario = i->scenario;
	o->path = xstrdup(a ? a->path : "");
	o->identity = xstrdup(a ? a->identity : "");
	o->config = xstrdup(i->config);
	o->reason = xstrdup(i->reason);
	o->was_invalid = i->recorded_invalid;
}

static void checker_close(checker *k)
{
	for (size_t i = 0; i < k->nasms; i++) {
		free(k->asms[i].path); free(k->asms[i].identity);
		free(k->asms[i].mvid); free(k->asms[i].old_mvid);
	}
	for (size_t i = 0; i < k->nimgs; i++) {
		img_state *s = &k->imgs[i];
		free(s->config); free(s->mvid); free(s->env); free(s->config_hash);
		free(s->hash); free(s->reason);
	}
	for (size_t i = 0; i < k->nedges; i++) {
		free(k->edges[i].dep_mvid); free(k->edges[i].dep_identity);
		free(k->edges[i].dep_image_hash);
	}
	free(k->asms);
	free(k->imgs);
	free(k->edges);
}

int eng__find_invalid(eng_cache *c, const char *env, eng__invalid **out, size_t *n,
		      size_t *checked, ng_diag *d)
{
	*out = NULL;
	*n = 0;
	*checked = 0;
	if (!c->db)
		return 0;
	checker k = { .c = c, .env = env };
	int rc = load(&k, d);
	if (rc == 0) {
		for (size_t i = 0; i < k.nimgs; i++)
			if (!k.imgs[i].reason)
				k.imgs[i].reason = direct_reason(&k, &k.imgs[i]);
		propagate(&k);
		*out = xcalloc(k.nimgs + 1, sizeof **out);
		unsigned char *state = xcalloc(k.nimgs + 1, 1);
		for (size_t i = 0; i < k.nimgs; i++)
			if (k.imgs[i].reason && !state[i])
				order_invalid(&k, i, state, *out, n);
		free(state);
		*checked = k.nimgs;
	}
	checker_close(&k);
	return rc;
}

void eng__invalid_free(eng__invalid *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].path);
		free(v[i].identity);
		free(v[i].config);
		free(v[i].reason);
	}
	free(v);
}
