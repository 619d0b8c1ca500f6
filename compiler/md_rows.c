/* compiler/md_rows.c - typed views of the rows a compiler needs.
 *
 * Member lists (TypeDef.MethodList/FieldList, MethodDef.ParamList) are runs
 * of "logical positions": a position is the row itself unless the Ptr table
 * exists (#- metadata), in which case the Ptr row at that position names the
 * real row. Owners are found by binary search over the TypeDef lists, which
 * ECMA-335 requires to be non-decreasing. */
#include "compiler/md_int.h"

#include "base/err.h"
#include "base/xmalloc.h"

#include <stdlib.h>

#include <string.h>

int md_methoddef_get(const md_image *img, uint32_t row, md_methoddef *out)
{
	memset(out, 0, sizeof *out);
	if (row == 0 || row > img->tab[MD_T_METHODDEF].rows)
		return NG_ERR_RANGE;
	out->rva = md_get(img, MD_T_METHODDEF, row, MD_METHODDEF_RVA);
	out->impl_flags = (uint16_t)md_get(img, MD_T_METHODDEF, row, MD_METHODDEF_IMPLFLAGS);
	out->flags = (uint16_t)md_get(img, MD_T_METHODDEF, row, MD_METHODDEF_FLAGS);
	out->name = md_string(img, md_get(img, MD_T_METHODDEF, row, MD_METHODDEF_NAME));
	md_blob_get(img, md_get(img, MD_T_METHODDEF, row, MD_METHODDEF_SIGNATURE), &out->sig);
	uint32_t n = img->tab[MD_T_METHODDEF].rows, max = img->tab[MD_T_PARAM].rows + 1;
	uint32_t first = md_get(img, MD_T_METHODDEF, row, MD_METHODDEF_PARAMLIST);
	uint32_t end = row < n ? md_get(img, MD_T_METHODDEF, row + 1,
					MD_METHODDEF_PARAMLIST) : max;
	if (first == 0)
		first = 1;
	if (end < first || end > max)
		end = end > max ? max : first;
	out->param_first = first;
	out->param_end = end;
	return 0;
}

int md_typedef_get(const md_image *img, uint32_t row, md_typedef *out)
{
	memset(out, 0, sizeof *out);
	if (row == 0 || row > img->tab[MD_T_TYPEDEF].rows)
		return NG_ERR_RANGE;
	out->flags = md_get(img, MD_T_TYPEDEF, row, MD_TYPEDEF_FLAGS);
	out->name = md_string(img, md_get(img, MD_T_TYPEDEF, row, MD_TYPEDEF_NAME));
	out->namespace_ = md_string(img, md_get(img, MD_T_TYPEDEF, row, MD_TYPEDEF_NAMESPACE));
	out->extends = md_get(img, MD_T_TYPEDEF, row, MD_TYPEDEF_EXTENDS);
	return 0;
}

int md_type_name(const md_image *img, uint32_t token, const char **ns, const char **name)
{
	uint32_t row = MD_TOKEN_ROW(token);
	md_table t = MD_TOKEN_TABLE(token);
	*ns = *name = "";
	if (row == 0 || (unsigned)t >= MD_TABLE_COUNT || row > img->tab[t].rows)
		return NG_ERR_RANGE;
	switch (t) {
	case MD_T_TYPEDEF:
		*name = md_string(img, md_get(img, t, row, MD_TYPEDEF_NAME));
		*ns = md_string(img, md_get(img, t, row, MD_TYPEDEF_NAMESPACE));
		return 0;
	case MD_T_TYPEREF:
		*name = md_string(img, md_get(img, t, row, MD_TYPEREF_NAME));
		*ns = md_string(img, md_get(img, t, row, MD_TYPEREF_NAMESPACE));
		return 0;
	case MD_T_TYPESPEC:
		return 0;
	default:
		return NG_ERR_RANGE;
	}
}

/* The run [first, end) of list column col of table t at row. */
static void list_range(const md_image *img, md_table t, unsigned col, md_table target,
		       md_table ptr, uint32_t row, uint32_t *first, uint32_t *end)
{
	uint32_t n = img->tab[t].rows;
	uint32_t max = (img->tab[ptr].rows ? img->tab[ptr].rows : img->tab[target].rows) + 1;
	*first = *end = 1;
	if (row == 0 || row > n)
		return;
	uint32_t f = md__raw(img, t, row, col);
	uint32_t e = row < n ? md__raw(img, t, row + 1, col) : max;
	if (f == 0)
		f = 1;
	if (f > max)
		f = max;
	if (e > max)
		e = max;
	if (e < f)
		e = f;
	*first = f;
	*end = e;
}

void md_typedef_methods(const md_image *img, uint32_t row, uint32_t *first, uint32_t *end)
{
	list_range(img, MD_T_TYPEDEF, MD_TYPEDEF_METHODLIST, MD_T_METHODDEF,
		   MD_T_METHODPTR, row, first, end);
}

void md_typedef_fields(const md_image *img, uint32_t row, uint32_t *first, uint32_t *end)
{
	list_range(img, MD_T_TYPEDEF, MD_TYPEDEF_FIELDLIST, MD_T_FIELD,
		   MD_T_FIELDPTR, row, first, end);
}

static uint32_t via_ptr(const md_image *img, md_table ptr, uint32_t pos)
{
	if (!img->tab[ptr].rows)
		return pos;
	return pos && pos <= img->tab[ptr].rows ? md__raw(img, ptr, pos, 0) : 0;
}

uint32_t md_method_at(const md_image *img, uint32_t pos)
{
	return via_ptr(img, MD_T_METHODPTR, pos);
}

uint32_t md_field_at(const md_image *img, uint32_t pos)
{
	return via_ptr(img, MD_T_FIELDPTR, pos);
}

uint32_t md_param_at(const md_image *img, uint32_t pos)
{
	return via_ptr(img, MD_T_PARAMPTR, pos);
}

/* The TypeDef whose run of column col contains position pos. */
static uint32_t owner_of(const md_image *img, unsigned col, uint32_t pos)
{
	uint32_t n = img->tab[MD_T_TYPEDEF].rows, lo = 1, hi = n + 1;
	if (pos == 0)
		return 0;
	/* The last row whose list starts at or before pos. */
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (md__raw(img, MD_T_TYPEDEF, mid, col) <= pos)
			lo = mid + 1;
		else
			hi = mid;
	}
	uint32_t row = lo - 1;
	if (row == 0)
		return 0;
	uint32_t first, end;
	if (col == MD_TYPEDEF_METHODLIST)
		md_typedef_methods(img, row, &first, &end);
	else
		md_typedef_fields(img, row, &first, &end);
	return pos >= first && pos < end ? row : 0;
}

uint32_t md_method_owner(const md_image *img, uint32_t method_row)
{
	if (method_row == 0 || method_row > img->tab[MD_T_METHODDEF].rows)
		return 0;
	uint32_t pos = img->method_pos ? img->method_pos[method_row] : method_row;
	return owner_of(img, MD_TYPEDEF_METHODLIST, pos);
}

uint32_t md_field_owner(const md_image *img, uint32_t field_row)
{
	if (field_row == 0 || field_row > img->tab[MD_T_FIELD].rows)
		return 0;
	uint32_t pos = img->field_pos ? img->field_pos[field_row] : field_row;
	return owner_of(img, MD_TYPEDEF_FIELDLIST, pos);
}

uint32_t md_enclosing_type(const md_image *img, uint32_t typedef_row)
{
	uint32_t first, end;
	if (!md_find_rows(img, MD_T_NESTEDCLASS, MD_NESTEDCLASS_NESTED, typedef_row,
			  &first, &end))
		return 0;
	return md_get(img, MD_T_NESTEDCLASS, first, MD_NESTEDCLASS_ENCLOSING);
}

/* FNV-1a over namespace, '.', name. */
static uint32_t name_hash(const char *ns, const char *name)
{
	uint32_t h = 2166136261u;
	for (const char *p = ns; *p; p++)
		h = (h ^ (uint8_t)*p) * 16777619u;
	h = (h ^ '.') * 16777619u;
	for (const char *p = name; *p; p++)
		h = (h ^ (uint8_t)*p) * 16777619u;
	return h;
}

static int key_cmp(const void *a, const void *b)
{
	const struct md__type_key *x = a, *y = b;
	if (x->hash != y->hash)
		return x->hash < y->hash ? -1 : 1;
	return x->row < y->row ? -1 : x->row > y->row;
}

static bool is_top_level(const md_image *img, uint32_t row)
{
	/* Nested types have a nested visibility (2..7). */
	return (md_get(img, MD_T_TYPEDEF, row, MD_TYPEDEF_FLAGS) & MD_TYPE_VISIBILITY_MASK) <= 1;
}

void md__types_init(md_image *img)
{
	uint32_t n = img->tab[MD_T_TYPEDEF].rows, k = 0;
	img->types = xmalloc(((size_t)n + 1) * sizeof *img->types);
	for (uint32_t r = 1; r <= n; r++) {
		if (!is_top_level(img, r))
			continue;
		const char *ns = md_string(img, md_get(img, MD_T_TYPEDEF, r, MD_TYPEDEF_NAMESPACE));
		const char *name = md_string(img, md_get(img, MD_T_TYPEDEF, r, MD_TYPEDEF_NAME));
		img->types[k].hash = name_hash(ns, name);
		img->types[k++].row = r;
	}
	qsort(img->types, k, sizeof *img->types, key_cmp);
	img->ntypes = k;
}

uint32_t md_find_typedef(const md_image *img, const char *ns, const char *name)
{
	uint32_t h = name_hash(ns, name), lo = 0, hi = img->ntypes;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (img->types[mid].hash < h)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* Equal hashes are ordered by row, so the first match is the lowest
	 * row, as a linear scan would find. */
	for (; lo < img->ntypes && img->types[lo].hash == h; lo++) {
		uint32_t r = img->types[lo].row;
		if (strcmp(md_string(img, md_get(img, MD_T_TYPEDEF, r, MD_TYPEDEF_NAME)), name) == 0 &&
		    strcmp(md_string(img, md_get(img, MD_T_TYPEDEF, r, MD_TYPEDEF_NAMESPACE)),
			   ns) == 0)
			return r;
	}
	return 0;
}

uint32_t md_field_rva(const md_image *img, uint32_t field_row)
{
	uint32_t first, end;
	if (!md_find_rows(img, MD_T_FIELDRVA, MD_FIELDRVA_FIELD, field_row, &first, &end))
		return 0;
	return md_get(img, MD_T_FIELDRVA, first, MD_FIELDRVA_RVA);
}

/* A TypeSpec decoded and printed ("System.Collections.Generic.List`1<int32>").
 * A hostile TypeSpec can name itself inside its own signature; the
 * per-thread depth stops that recursion. */
static void typespec_format(const md_image *img, uint32_t token, ng_strbuf *sb)
{
	static _Thread_local int depth;
	md_blob b;
	md_type *t;
	ng_arena a;
	if (depth > 4 || md_blob_get(img, md_get(img, MD_T_TYPESPEC, MD_TOKEN_ROW(token),
						 MD_TYPESPEC_SIGNATURE), &b) < 0) {
		ng_strbuf_printf(sb, "<typespec 0x%08x>", token);
		return;
	}
	ng_arena_init(&a);
	depth++;
	if (md_sig_typespec(img, b, &a, &t, NULL) == 0)
		md_type_format(img, t, sb);
	else
		ng_strbuf_printf(sb, "<typespec 0x%08x>", token);
	depth--;
	ng_arena_close(&a);
}

/* Type name with its nesting; depth bounds hostile cycles. */
static void type_format(const md_image *img, uint32_t token, ng_strbuf *sb, int depth)
{
	const char *ns, *name;
	if (depth > 16 || md_type_name(img, token, &ns, &name) < 0) {
		ng_strbuf_printf(sb, "<token 0x%08x>", token);
		return;
	}
	uint32_t outer = 0;
	if (MD_TOKEN_TABLE(token) == MD_T_TYPEDEF) {
		uint32_t e = md_enclosing_type(img, MD_TOKEN_ROW(token));
		outer = e ? MD_TOKEN(MD_T_TYPEDEF, e) : 0;
	} else if (MD_TOKEN_TABLE(token) == MD_T_TYPEREF) {
		uint32_t scope = md_get(img, MD_T_TYPEREF, MD_TOKEN_ROW(token),
					MD_TYPEREF_SCOPE);
		outer = MD_TOKEN_TABLE(scope) == MD_T_TYPEREF ? scope : 0;
	} else if (MD_TOKEN_TABLE(token) == MD_T_TYPESPEC) {
		typespec_format(img, token, sb);
		return;
	}
	if (outer && outer != token) {
		type_format(img, outer, sb, depth + 1);
		ng_strbuf_putc(sb, '/');
	} else if (ns[0]) {
		ng_strbuf_puts(sb, ns);
		ng_strbuf_putc(sb, '.');
	}
	ng_strbuf_puts(sb, name);
}

void md_token_format(const md_image *img, uint32_t token, ng_strbuf *sb)
{
	uint32_t row = MD_TOKEN_ROW(token);
	switch (MD_TOKEN_TABLE(token)) {
	case MD_T_METHODDEF: {
		uint32_t owner = md_method_owner(img, row);
		if (owner)
			type_format(img, MD_TOKEN(MD_T_TYPEDEF, owner), sb, 0);
		ng_strbuf_puts(sb, "::");
		ng_strbuf_puts(sb, md_string(img, md_get(img, MD_T_METHODDEF, row,
							 MD_METHODDEF_NAME)));
		return;
	}
	case MD_T_MEMBERREF: {
		uint32_t parent = md_get(img, MD_T_MEMBERREF, row, MD_MEMBERREF_CLASS);
		if (MD_TOKEN_TABLE(parent) == MD_T_METHODDEF)
			md_token_format(img, parent, sb);
		else
			type_format(img, parent, sb, 0);
		ng_strbuf_puts(sb, "::");
		ng_strbuf_puts(sb, md_string(img, md_get(img, MD_T_MEMBERREF, row,
							 MD_MEMBERREF_NAME)));
		return;
	}
	case MD_T_FIELD: {
		uint32_t owner = md_field_owner(img, row);
		if (owner)
			type_format(img, MD_TOKEN(MD_T_TYPEDEF, owner), sb, 0);
		ng_strbuf_puts(sb, "::");
		ng_strbuf_puts(sb, md_string(img, md_get(img, MD_T_FIELD, row, MD_FIELD_NAME)));
		return;
	}
	default:
		type_format(img, token, sb, 0);
	}
}
