/* engine/eng_display.c - `ngen display [NAME|PATH] [/verbose] [--json]`.
 *
 * Ngen's layout: the roots first ("NGEN Roots:"), then every native image
 * ("Native Images:"), one line each with its scenario and, when invalid,
 * the reason. With a name (a path, or a full or partial display name) the
 * output narrows to the matching images and their dependencies, and the
 * roots listed are those that depend on them ("NGEN Roots that depend on
 * "NAME":"). /verbose adds each image's identity, MVID, scenario, config,
 * file, size, method counts, times and its dependencies with their MVIDs.
 *
 * Everything is read with a handful of queries into arrays first (a cache
 * of 10,000 images displays in a few milliseconds), then printed. */
#include "engine/eng_int.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <json-c/json.h>

#include "base/arena.h"
#include "base/err.h"
#include "base/strbuf.h"
#include "base/xmalloc.h"

typedef struct excl_row {
	const char *reason;        /* in the arena */
	unsigned count;
	struct excl_row *next;     /* the image's next reason, less frequent */
} excl_row;

typedef struct img_row {
	eng_image_info info;       /* strings owned by the row */
	bool shown;
	size_t first_dep, ndeps;   /* into view.deps */
	excl_row *excl, *excl_last; /* its exclusion reasons (verbose, json) */
} img_row;

typedef struct dep_row {
	int64_t image_id, dep_image_id;
	char *identity, *mvid;
} dep_row;

typedef struct root_row {
	eng_root_info info;        /* strings owned */
	char *label;               /* what display prints */
	const char *sort_name;     /* the assembly's simple name */
	bool shown;
} root_row;

typedef struct view {
	ng_arena arena;            /* every string of the rows below */
	img_row *imgs;
	size_t nimgs;
	root_row *roots;
	size_t nroots;
	dep_row *deps;
	size_t ndeps;
} view;

static size_t grow(size_t n)
{
	/* Capacity doubles at powers of two. */
	return n && (n & (n - 1)) == 0 ? n * 2 : n ? n : 16;
}

#define dup_or_empty(s) ng_arena_strdup(&v->arena, (s) ? (s) : "")

static int collect_image(void *ctx, const eng_image_info *in)
{
	view *v = ctx;
	if (v->nimgs == 0 || (v->nimgs & (v->nimgs - 1)) == 0)
		v->imgs = xrealloc(v->imgs, grow(v->nimgs) * sizeof *v->imgs);
	img_row *r = &v->imgs[v->nimgs++];
	memset(r, 0, sizeof *r);
	r->info = *in;
	r->info.name = dup_or_empty(in->name);
	r->info.identity = dup_or_empty(in->identity);
	r->info.assembly_path = dup_or_empty(in->assembly_path);
	r->info.mvid = dup_or_empty(in->mvid);
	r->info.config = dup_or_empty(in->config);
	r->info.target = dup_or_empty(in->target);
	r->info.file = dup_or_empty(in->file);
	r->info.hash = dup_or_empty(in->hash);
	r->info.reason = dup_or_empty(in->reason);
	return 0;
}

/* The root as Ngen lists it: the assembly's path (or the display name it
 * was installed by) followed by the options of its install. */
static char *root_label(const eng_root_info *in, json_tokener *tok)
{
	json_tokener_reset(tok);
	json_object *arr = json_tokener_parse_ex(tok, in->args_json, (int)strlen(in->args_json));
	if (!arr || !json_object_is_type(arr, json_type_array)) {
		json_object_put(arr);
		return xstrdup(in->assembly_path);
	}
	ng_strbuf sb = NG_STRBUF_INIT;
	size_t n = json_object_array_length(arr);
	for (size_t i = 0; i < n; i++) {
		const char *a = json_object_get_string(json_object_array_get_idx(arr, i));
		if (!a)
			continue;
		if (i)
			ng_strbuf_putc(&sb, ' ');
		if (eng_arg_is_option(a))
			ng_strbuf_puts(&sb, a);
		else if (eng_name_is_path(a))
			ng_strbuf_puts(&sb, in->assembly_path);
		else
			ng_strbuf_printf(&sb, "\"%s\"", a);
	}
	json_object_put(arr);
	return sb.data ? ng_strbuf_take(&sb) : xstrdup(in->assembly_path);
}

static img_row *find_img(view *v, img_row **by_id_index, int64_t id);

static int cmp_root(const void *a, const void *b)
{
	const root_row *x = a, *y = b;
	int c = strcasecmp(x->sort_name, y->sort_name);
	if (c)
		return c;
	if (x->info.scenario != y->info.scenario)
		return x->info.scenario < y->info.scenario ? -1 : 1;
	return x->info.id < y->info.id ? -1 : x->info.id > y->info.id;
}

/* The roots, with their assembly taken from the images already read (no
 * join), sorted by name like the images. */
static int collect_roots(eng_cache *c, view *v, img_row **index, ng_diag *d)
{
	if (!c->db)
		return 0;
	sqlite3_stmt *st;
	int rc = eng__prepare(c, "SELECT id, image_id, args, cwd, scenario, config, nodeps, created"
			      " FROM roots", &st, d);
	if (rc < 0)
		return rc;
	json_tokener *tok = json_tokener_new();
	while (sqlite3_step(st) == SQLITE_ROW) {
		img_row *img = find_img(v, index, sqlite3_column_int64(st, 1));
		if (!img)
			continue;   /* verify reports a root without its image */
		if (v->nroots == 0 || (v->nroots & (v->nroots - 1)) == 0)
			v->roots = xrealloc(v->roots, grow(v->nroots) * sizeof *v->roots);
		root_row *r = &v->roots[v->nroots++];
		memset(r, 0, sizeof *r);
		r->info.id = sqlite3_column_int64(st, 0);
		r->info.image_id = sqlite3_column_int64(st, 1);
		r->info.args_json = dup_or_empty(eng__col_text(st, 2));
		r->info.cwd = dup_or_empty(eng__col_text(st, 3));
		r->info.identity = img->info.identity;
		r->info.assembly_path = img->info.assembly_path;
		r->sort_name = img->info.name;
		r->info.scenario = (unsigned)sqlite3_column_int(st, 4);
		r->info.config = dup_or_empty(eng__col_text(st, 5));
		r->info.nodeps = sqlite3_column_int(st, 6) != 0;
		r->info.created = sqlite3_column_int64(st, 7);
		r->label = root_label(&r->info, tok);
	}
	json_tokener_free(tok);
	sqlite3_finalize(st);
	if (v->nroots > 1)   /* v->roots is NULL when there are none */
		qsort(v->roots, v->nroots, sizeof *v->roots, cmp_root);
	return 0;
}

static int collect_deps(eng_cache *c, view *v, ng_diag *d)
{
	sqlite3_stmt *st;
	int rc = eng__prepare(c, "SELECT e.image_id, coalesce(e.dep_image_id, 0), e.dep_identity,"
			      " e.dep_mvid FROM image_deps e ORDER BY e.image_id, e.dep_identity", &st, d);
	if (rc < 0)
		return rc;
	while (sqlite3_step(st) == SQLITE_ROW) {
		v->deps = xrealloc(v->deps, (v->ndeps + 1) * sizeof *v->deps);
		dep_row *r = &v->deps[v->ndeps++];
		r->image_id = sqlite3_column_int64(st, 0);
		r->dep_image_id = sqlite3_column_int64(st, 1);
		r->identity = xstrdup(eng__col_text(st, 2));
		r->mvid = xstrdup(eng__col_text(st, 3));
	}
	sqlite3_finalize(st);
	return 0;
}

static int by_id_ptr(const void *key, const void *elem)
{
	int64_t x = *(const int64_t *)key, y = (*(img_row *const *)elem)->info.id;
	return x < y ? -1 : x > y;
}

/* Images are sorted by name for printing; this finds one by id. */
static img_row *find_img(view *v, img_row **by_id_index, int64_t id)
{
	img_row **p = v->nimgs ? bsearch(&id, by_id_index, v->nimgs, sizeof *by_id_index, by_id_ptr) : NULL;
	return p ? *p : NULL;
}

static int cmp_idx(const void *a, const void *b)
{
	int64_t x = (*(img_row *const *)a)->info.id, y = (*(img_row *const *)b)->info.id;
	return x < y ? -1 : x > y;
}

static void link_deps(view *v, img_row **index)
{
	for (size_t k = 0; k < v->ndeps;) {
		size_t start = k;
		while (k < v->ndeps && v->deps[k].image_id == v->deps[start].image_id)
			k++;
		int64_t id = v->deps[start].image_id;
		img_row **p = v->nimgs ? bsearch(&id, index, v->nimgs, sizeof *index, by_id_ptr) : NULL;
		if (p) {
			(*p)->first_dep = start;
			(*p)->ndeps = k - start;
		}
	}
}

typedef struct excl_ctx { view *v; img_row **index; } excl_ctx;

static int on_exclusion(void *ctx, int64_t image_id, const char *reason, unsigned count)
{
	excl_ctx *x = ctx;
	img_row *img = find_img(x->v, x->index, image_id);
	if (!img)
		return 0;
	excl_row *e = ng_arena_alloc(&x->v->arena, sizeof *e);
	*e = (excl_row){ ng_arena_strdup(&x->v->arena, reason), count, NULL };
	if (img->excl_last)
		img->excl_last->next = e;
	else
		img->excl = e;
	img->excl_last = e;
	return 0;
}

static void view_close(view *v)
{
	for (size_t i = 0; i < v->nroots; i++)
		free(v->roots[i].label);
	for (size_t i = 0; i < v->ndeps; i++) {
		free(v->deps[i].identity);
		free(v->deps[i].mvid);
	}
	free(v->imgs);
	free(v->roots);
	free(v->deps);
	ng_arena_close(&v->arena);
}

/* ---- narrowing to a name ---------------------------------------------------- */

static bool name_matches(const char *name, const char *path_abs, const eng_image_info *i)
{
	if (path_abs)
		return strcmp(path_abs, i->assembly_path) == 0;
	return eng_identity_matches(name, i->identity);
}

/* Marks matching images, their dependencies (transitively) and the roots
 * that reach a matching image. Returns the number of matches. */
static size_t narrow(eng_cache *c, view *v, img_row **index, const char *name, const char *cwd)
{
	char *path_abs = NULL;
	if (eng_name_is_path(name)) {
		char *p = name[0] == '/' ? xstrdup(name) : xasprintf("%s/%s", cwd ? cwd : ".", name);
		char real[PATH_MAX];
		path_abs = xstrdup(realpath(p, real) ? real : p);
		free(p);
	}
	size_t matches = 0;
	size_t *stack = xcalloc(v->nimgs + 1, sizeof *stack), sp = 0;
	int64_t *match_ids = xcalloc(v->nimgs + 1, sizeof *match_ids);
	for (size_t i = 0; i < v->nimgs; i++) {
		if (!name_matches(name, path_abs, &v->imgs[i].info))
			continue;
		match_ids[matches++] = v->imgs[i].info.id;
		v->imgs[i].shown = true;
		stack[sp++] = i;
	}
	while (sp) {
		img_row *r = &v->imgs[stack[--sp]];
		for (size_t k = r->first_dep; k < r->first_dep + r->ndeps; k++) {
			img_row *dep = find_img(v, index, v->deps[k].dep_image_id);
			if (dep && !dep->shown) {
				dep->shown = true;
				stack[sp++] = (size_t)(dep - v->imgs);
			}
		}
	}
	/* Roots that reach a matching image. */
	sqlite3_stmt *st;
	if (matches && eng__prepare(c, ENG__REACH_CTE "SELECT DISTINCT root, id FROM reach", &st, NULL) == 0) {
		while (sqlite3_step(st) == SQLITE_ROW) {
			int64_t root = sqlite3_column_int64(st, 0), id = sqlite3_column_int64(st, 1);
			bool hit = false;
			for (size_t m = 0; !hit && m < matches; m++)
				hit = match_ids[m] == id;
			for (size_t k = 0; hit && k < v->nroots; k++)
				if (v->roots[k].info.id == root)
					v->roots[k].shown = true;
		}
		sqlite3_finalize(st);
	}
	free(stack);
	free(match_ids);
	free(path_abs);
	return matches;
}

/* ---- printing --------------------------------------------------------------- */

static void print_time(FILE *out, const char *label, int64_t t)
{
	if (!t) {
		fprintf(out, "\t%-14s never\n", label);
		return;
	}
	time_t tt = (time_t)t;
	struct tm tm;
	char buf[64];
	gmtime_r(&tt, &tm);
	strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
	fprintf(out, "\t%-14s %s\n", label, buf);
}

static void print_image(FILE *out, const view *v, const img_row *r, bool verbose)
{
	const eng_image_info *i = &r->info;
	fprintf(out, "%s", i->identity);
	if (i->scenario & 1)
		fputs(" <debug>", out);
	if (i->scenario & 2)
		fputs(" <profile>", out);
	if (!i->valid)
		fprintf(out, " (invalid: %s)", i->reason);
	fputc('\n', out);
	if (!verbose)
		return;
	fprintf(out, "\t%-14s %s\n", "Source MVID:", i->mvid);
	fprintf(out, "\t%-14s %s\n", "Source:", i->assembly_path);
	fprintf(out, "\t%-14s %s\n", "Scenario:", i->scenario ? eng_scenario_text(i->scenario) : "(normal)");
	if (i->config[0]) {
		char *cfg = xstrdup(i->config);
		for (char *p = cfg; *p; p++)
			if (*p == '\n')
				*p = ' ';
		fprintf(out, "\t%-14s %s\n", "Config:", cfg);
		free(cfg);
	} else
		fprintf(out, "\t%-14s (default)\n", "Config:");
	fprintf(out, "\t%-14s %s\n", "File:", i->file);
	fprintf(out, "\t%-14s %lld bytes\n", "Size:", (long long)i->size);
	fprintf(out, "\t%-14s %s%s%s\n", "Status:", i->valid ? "valid" : "invalid",
		i->valid ? "" : ": ", i->valid ? "" : i->reason);
	fprintf(out, "\t%-14s %u compiled, %u excluded\n", "Methods:", i->methods_compiled,
		i->methods_excluded);
	for (const excl_row *e = r->excl; e; e = e->next)
		fprintf(out, "\t%-14s %u  %s\n", e == r->excl ? "Excluded:" : "", e->count, e->reason);
	print_time(out, "Created:", i->created);
	print_time(out, "Last used:", i->last_used);
	fprintf(out, "\t%-14s %u\n", "Roots:", i->roots);
	fprintf(out, "\t%-14s %s\n", "Dependencies:", r->ndeps ? "" : "(none)");
	for (size_t k = r->first_dep; k < r->first_dep + r->ndeps; k++)
		fprintf(out, "\t\t%s  MVID %s%s\n", v->deps[k].identity, v->deps[k].mvid,
			v->deps[k].dep_image_id ? "" : "  (no native image)");
}

static void print_text(FILE *out, const view *v, const char *name, bool verbose)
{
	if (name)
		fprintf(out, "NGEN Roots that depend on \"%s\":\n\n", name);
	else
		fputs("NGEN Roots:\n\n", out);
	for (size_t i = 0; i < v->nroots; i++)
		if (v->roots[i].shown)
			fprintf(out, "%s\n", v->roots[i].label);
	fputs("\nNative Images:\n\n", out);
	for (size_t i = 0; i < v->nimgs; i++)
		if (v->imgs[i].shown)
			print_image(out, v, &v->imgs[i], verbose);
}

/* ---- JSON -------------------------------------------------------------------
 * Written directly (json-c would build 10,000 objects first): one object per
 * line, strings escaped per RFC 8259. */

static void js_str(ng_strbuf *sb, const char *s)
{
	ng_strbuf_putc(sb, '"');
	const char *run = s ? s : "";
	for (const char *p = run;; p++) {
		unsigned char ch = (unsigned char)*p;
		if (ch >= 0x20 && ch != '"' && ch != '\\')
			continue;
		/* Characters that need no escape go in one piece. */
		ng_strbuf_append(sb, run, (size_t)(p - run));
		run = p + 1;
		if (ch == '\0')
			break;
		char esc[8];
		if (ch == '"' || ch == '\\')
			snprintf(esc, sizeof esc, "\\%c", ch);
		else if (ch == '\n')
			strcpy(esc, "\\n");
		else if (ch == '\t')
			strcpy(esc, "\\t");
		else
			snprintf(esc, sizeof esc, "\\u%04x", ch);
		ng_strbuf_puts(sb, esc);
	}
	ng_strbuf_putc(sb, '"');
}

static void js_key(ng_strbuf *sb, const char *key)
{
	ng_strbuf_append(sb, ", \"", 3);
	ng_strbuf_puts(sb, key);
	ng_strbuf_append(sb, "\": ", 3);
}

static void js_key_str(ng_strbuf *sb, const char *key, const char *val)
{
	js_key(sb, key);
	js_str(sb, val);
}

static void js_key_int(ng_strbuf *sb, const char *key, long long val)
{
	char num[24];
	int n = snprintf(num, sizeof num, "%lld", val);
	js_key(sb, key);
	ng_strbuf_append(sb, num, (size_t)n);
}

static void image_json(ng_strbuf *sb, const view *v, const img_row *r)
{
	const eng_image_info *i = &r->info;
	ng_strbuf_printf(sb, "{\"id\": %lld", (long long)i->id);
	js_key_str(sb, "name", i->name);
	js_key_str(sb, "identity", i->identity);
	js_key_str(sb, "assembly", i->assembly_path);
	js_key_str(sb, "mvid", i->mvid);
	js_key_str(sb, "scenario", eng_scenario_text(i->scenario));
	js_key_str(sb, "config", i->config);
	js_key_str(sb, "target", i->target);
	js_key_str(sb, "file", i->file);
	js_key_int(sb, "size", i->size);
	js_key_str(sb, "status", i->valid ? "valid" : "invalid");
	js_key_str(sb, "reason", i->reason);
	js_key_int(sb, "methods_compiled", i->methods_compiled);
	js_key_int(sb, "methods_excluded", i->methods_excluded);
	js_key_int(sb, "created", i->created);
	js_key_int(sb, "last_used", i->last_used);
	js_key_int(sb, "roots", i->roots);
	ng_strbuf_puts(sb, ", \"exclusions\": [");
	for (const excl_row *e = r->excl; e; e = e->next) {
		ng_strbuf_puts(sb, e == r->excl ? "{\"reason\": " : ", {\"reason\": ");
		js_str(sb, e->reason);
		js_key_int(sb, "count", e->count);
		ng_strbuf_putc(sb, '}');
	}
	ng_strbuf_puts(sb, "], \"dependencies\": [");
	for (size_t k = r->first_dep; k < r->first_dep + r->ndeps; k++) {
		ng_strbuf_puts(sb, k > r->first_dep ? ", {\"identity\": " : "{\"identity\": ");
		js_str(sb, v->deps[k].identity);
		js_key_str(sb, "mvid", v->deps[k].mvid);
		if (v->deps[k].dep_image_id)
			js_key_int(sb, "image_id", v->deps[k].dep_image_id);
		else
			ng_strbuf_puts(sb, ", \"image_id\": null");
		ng_strbuf_putc(sb, '}');
	}
	ng_strbuf_puts(sb, "]}");
}

static void root_json(ng_strbuf *sb, const root_row *r)
{
	ng_strbuf_printf(sb, "{\"id\": %lld", (long long)r->info.id);
	js_key_int(sb, "image_id", r->info.image_id);
	js_key_str(sb, "root", r->label);
	/* The exact arguments are stored as a JSON array already. */
	ng_strbuf_printf(sb, ", \"args\": %s", r->info.args_json[0] ? r->info.args_json : "[]");
	js_key_str(sb, "cwd", r->info.cwd);
	js_key_str(sb, "identity", r->info.identity);
	js_key_str(sb, "assembly", r->info.assembly_path);
	js_key_str(sb, "scenario", eng_scenario_text(r->info.scenario));
	js_key_str(sb, "config", r->info.config);
	ng_strbuf_printf(sb, ", \"nodependencies\": %s", r->info.nodeps ? "true" : "false");
	js_key_int(sb, "created", r->info.created);
	ng_strbuf_putc(sb, '}');
}

static void print_json(FILE *out, const view *v)
{
	ng_strbuf sb = NG_STRBUF_INIT;
	const char *sep = "\n    ";
	ng_strbuf_puts(&sb, "{\n  \"roots\": [");
	for (size_t i = 0; i < v->nroots; i++) {
		if (!v->roots[i].shown)
			continue;
		ng_strbuf_puts(&sb, sep);
		root_json(&sb, &v->roots[i]);
		sep = ",\n    ";
	}
	ng_strbuf_puts(&sb, sep[0] == ',' ? "\n  ],\n  \"images\": [" : "],\n  \"images\": [");
	sep = "\n    ";
	for (size_t i = 0; i < v->nimgs; i++) {
		if (!v->imgs[i].shown)
			continue;
		ng_strbuf_puts(&sb, sep);
		image_json(&sb, v, &v->imgs[i]);
		sep = ",\n    ";
	}
	ng_strbuf_puts(&sb, sep[0] == ',' ? "\n  ]\n}\n" : "]\n}\n");
	fwrite(sb.data, 1, sb.len, out);
	ng_strbuf_close(&sb);
}

int eng_display(eng_cache *c, const char *name, const char *cwd, int flags, FILE *out, ng_diag *d)
{
	if (!c || !out)
		return ng_diag_set(d, NG_ERR_INVAL, "eng_display: bad arguments");
	view v = { 0 };
	ng_arena_init(&v.arena);
	int rc = eng__images_foreach(c, flags != 0, collect_image, &v, d);
	img_row **index = xcalloc(v.nimgs + 1, sizeof *index);
	for (size_t i = 0; i < v.nimgs; i++)
		index[i] = &v.imgs[i];
	qsort(index, v.nimgs, sizeof *index, cmp_idx);
	if (rc == 0)
		rc = collect_roots(c, &v, index, d);
	/* The plain listing prints no dependencies: skip reading the edges. */
	if (rc == 0 && c->db && (flags || name))
		rc = collect_deps(c, &v, d);
	if (rc == 0)
		link_deps(&v, index);
	excl_ctx x = { &v, index };
	if (rc == 0 && c->db && flags)
		rc = eng_exclusions_foreach(c, 0, on_exclusion, &x, d);
	if (rc == 0 && name && narrow(c, &v, index, name, cwd) == 0)
		rc = ng_diag_set(d, NG_ERR_NOTFOUND, "%s: no native image in the cache %s matches "
				 "(the assembly is not installed)", name, c->dir);
	if (rc == 0 && !name) {
		for (size_t i = 0; i < v.nimgs; i++)
			v.imgs[i].shown = true;
		for (size_t i = 0; i < v.nroots; i++)
			v.roots[i].shown = true;
	}
	if (rc == 0 && (flags & ENG_DISPLAY_JSON))
		print_json(out, &v);
	else if (rc == 0)
		print_text(out, &v, name, flags & ENG_DISPLAY_VERBOSE);
	free(index);
	view_close(&v);
	return rc;
}
