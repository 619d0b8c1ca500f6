/* compiler/md_walk.c - decode every body, signature and attribute.
 *
 * The decoders allocate from one arena that is recycled every few thousand
 * items, so a walk over mscorlib stays within a few hundred kilobytes. */
#include "compiler/md_int.h"

#include "base/err.h"

enum { RECYCLE = 4096 };

typedef struct walk {
	const md_image *img;
	ng_arena arena;
	unsigned since_reset;
	md_walk_stats *st;
	ng_diag *diag;
} walk;

static void tick(walk *w)
{
	if (++w->since_reset >= RECYCLE) {
		ng_arena_close(&w->arena);
		w->since_reset = 0;
	}
}

static int walk_bodies(walk *w)
{
	uint32_t n = md_row_count(w->img, MD_T_METHODDEF);
	for (uint32_t r = 1; r <= n; r++, tick(w)) {
		md_method_body b;
		int rc = md_method_body_get(w->img, r, &w->arena, &b, w->diag);
		if (rc == NG_ERR_NOTFOUND)
			continue;
		if (rc < 0)
			return rc;
		w->st->bodies++;
		w->st->il_bytes += b.code_size;
		w->st->eh_clauses += b.neh;
		if (b.local_sig) {
			md_method_sig *s;
			bool locals;
			rc = md_sig_standalone(w->img, MD_TOKEN_ROW(b.local_sig), &w->arena,
					       &s, &locals, w->diag);
			if (rc < 0)
				return rc;
		}
	}
	return 0;
}

typedef int (*blob_fn)(walk *w, md_blob b);

static int do_method(walk *w, md_blob b)
{
	md_method_sig *s;
	return md_sig_method(w->img, b, &w->arena, &s, w->diag);
}

static int do_field(walk *w, md_blob b)
{
	md_type *t;
	return md_sig_field(w->img, b, &w->arena, &t, w->diag);
}

static int do_property(walk *w, md_blob b)
{
	md_method_sig *s;
	return md_sig_property(w->img, b, &w->arena, &s, w->diag);
}

static int do_typespec(walk *w, md_blob b)
{
	md_type *t;
	return md_sig_typespec(w->img, b, &w->arena, &t, w->diag);
}

static int do_methodspec(walk *w, md_blob b)
{
	md_method_sig *s;
	return md_sig_methodspec(w->img, b, &w->arena, &s, w->diag);
}

/* A MemberRef is a field or a method, by its first byte. */
static int do_memberref(walk *w, md_blob b)
{
	if (b.len && (b.p[0] & MD_CC_KIND_MASK) == MD_CC_FIELD)
		return do_field(w, b);
	return do_method(w, b);
}

static int walk_column(walk *w, md_table t, unsigned col, blob_fn fn)
{
	uint32_t n = md_row_count(w->img, t);
	for (uint32_t r = 1; r <= n; r++, tick(w)) {
		md_blob b;
		md_blob_get(w->img, md_get(w->img, t, r, col), &b);
		int rc = fn(w, b);
		if (rc < 0) {
			ng_diag_prefix(w->diag, "%s row %u: ", md_table_name(t), r);
			return rc;
		}
		w->st->sigs++;
	}
	return 0;
}

static int walk_sigs(walk *w)
{
	int rc = walk_column(w, MD_T_METHODDEF, MD_METHODDEF_SIGNATURE, do_method);
	if (rc == 0)
		rc = walk_column(w, MD_T_FIELD, MD_FIELD_SIGNATURE, do_field);
	if (rc == 0)
		rc = walk_column(w, MD_T_PROPERTY, MD_PROPERTY_TYPE, do_property);
	if (rc == 0)
		rc = walk_column(w, MD_T_MEMBERREF, MD_MEMBERREF_SIGNATURE, do_memberref);
	if (rc == 0)
		rc = walk_column(w, MD_T_TYPESPEC, MD_TYPESPEC_SIGNATURE, do_typespec);
	if (rc == 0)
		rc = walk_column(w, MD_T_METHODSPEC, MD_METHODSPEC_INSTANTIATION, do_methodspec);
	uint32_t n = md_row_count(w->img, MD_T_STANDALONESIG);
	for (uint32_t r = 1; r <= n && rc == 0; r++, tick(w)) {
		md_method_sig *s;
		bool locals;
		rc = md_sig_standalone(w->img, r, &w->arena, &s, &locals, w->diag);
		w->st->sigs++;
	}
	return rc;
}

static int walk_attrs(walk *w)
{
	uint32_t n = md_row_count(w->img, MD_T_CUSTOMATTRIBUTE);
	for (uint32_t r = 1; r <= n; r++, tick(w)) {
		md_custom_attr a;
		int rc = md_attr_decode(w->img, r, &w->arena, NULL, NULL, &a, w->diag);
		if (rc == NG_ERR_UNSUPPORTED) {
			w->st->attrs_unresolved++;
			continue;
		}
		if (rc < 0)
			return rc;
		w->st->attrs++;
	}
	return 0;
}

int md_walk(const md_image *img, unsigned flags, md_walk_stats *st, ng_diag *diag)
{
	walk w = { img, { 0 }, 0, st, diag };
	ng_arena_init(&w.arena);
	*st = (md_walk_stats){ 0 };
	st->types = md_row_count(img, MD_T_TYPEDEF);
	st->methods = md_row_count(img, MD_T_METHODDEF);
	int rc = 0;
	if (flags & MD_WALK_BODIES)
		rc = walk_bodies(&w);
	if (rc == 0 && (flags & MD_WALK_SIGS))
		rc = walk_sigs(&w);
	if (rc == 0 && (flags & MD_WALK_ATTRS))
		rc = walk_attrs(&w);
	ng_arena_close(&w.arena);
	return rc;
}
