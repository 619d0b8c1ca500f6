/* compiler/md_attr.c - custom attribute blobs (ECMA-335 II.23.3).
 *
 * A blob is the prolog 0x0001, one fixed argument per constructor
 * parameter (encoded by the parameter's type, which the blob itself does
 * not repeat), then a count of named arguments, each with its own type
 * (FieldOrPropType). The one thing the blob cannot tell is the size of an
 * enum: enums of this assembly are resolved through their value__ field;
 * enums of other assemblies through the caller's resolver, or assumed to
 * be int32 (the common case) -- and then the blob must decode exactly to
 * its end, else the result is an error rather than a misreading. */
#include "compiler/md_int.h"

#include "base/err.h"

#include <stdio.h>
#include <string.h>

/* How to read one value. */
typedef struct ca_type {
	uint8_t elem;          /* primitive, STRING, CA_TYPE, OBJECT, SZARRAY, CA_ENUM */
	uint8_t under;         /* CA_ENUM: underlying primitive */
	const char *enum_name;
	struct ca_type *inner; /* SZARRAY */
} ca_type;

typedef struct ca_rd {
	const md_image *img;
	uint32_t row;
	const uint8_t *start, *p, *end;
	ng_arena *arena;
	md_enum_resolver resolver;
	void *ctx;
	bool assumed;          /* an external enum was assumed to be int32 */
	const char *assumed_name;
	ng_diag *diag;
} ca_rd;

static int ca_error(ca_rd *r, const char *msg)
{
	return ng_diag_set(r->diag, NG_ERR_FORMAT, "%s: custom attribute row %u, blob "
		"byte %td of %td: %s", r->img->name, r->row, r->p - r->start,
		r->end - r->start, msg);
}

static bool need(ca_rd *r, size_t n)
{
	return (size_t)(r->end - r->p) >= n;
}

/* ---- enums ----------------------------------------------------------------- */

/* The underlying type of an enum TypeDef: the type of its instance field. */
static int typedef_enum_under(const md_image *img, uint32_t row, uint8_t *elem)
{
	uint32_t first, end;
	md_typedef_fields(img, row, &first, &end);
	for (uint32_t pos = first; pos < end; pos++) {
		uint32_t f = md_field_at(img, pos);
		if (md_get(img, MD_T_FIELD, f, MD_FIELD_FLAGS) & MD_FIELD_STATIC)
			continue;
		md_blob b;
		md_blob_get(img, md_get(img, MD_T_FIELD, f, MD_FIELD_SIGNATURE), &b);
		if (b.len >= 2 && b.p[0] == MD_CC_FIELD && b.p[1] >= MD_ELEM_BOOLEAN &&
		    b.p[1] <= MD_ELEM_U8) {
			*elem = b.p[1];
			return 0;
		}
		return NG_ERR_FORMAT;
	}
	return NG_ERR_NOTFOUND;
}

static bool is_enum_typedef(const md_image *img, uint32_t row)
{
	const char *ns, *name;
	uint32_t ext = md_get(img, MD_T_TYPEDEF, row, MD_TYPEDEF_EXTENDS);
	return md_type_name(img, ext, &ns, &name) == 0 && strcmp(ns, "System") == 0 &&
	       strcmp(name, "Enum") == 0;
}

/* Framework enums with a non-int32 underlying type that attributes use;
 * consulted before the int32 assumption, when no resolver knows better. */
static const struct { const char *ns, *name; uint8_t elem; } known_enums[] = {
	{ "System.Security", "SecurityRuleSet", MD_ELEM_U1 },
	{ "System.Diagnostics.Tracing", "EventChannel", MD_ELEM_U1 },
	{ "System.Diagnostics.Tracing", "EventKeywords", MD_ELEM_I8 },
};

static bool known_enum(const char *ns, const char *name, uint8_t *elem)
{
	for (size_t i = 0; i < sizeof known_enums / sizeof known_enums[0]; i++)
		if (strcmp(ns, known_enums[i].ns) == 0 && strcmp(name, known_enums[i].name) == 0) {
			*elem = known_enums[i].elem;
			return true;
		}
	return false;
}

/* Resolves an enum by token (TypeDef, or TypeRef into this module or
 * another assembly). */
static int enum_under(ca_rd *r, uint32_t tok, ca_type *t)
{
	const char *ns, *name;
	md_type_name(r->img, tok, &ns, &name);
	t->enum_name = ng_arena_printf(r->arena, "%s%s%s", ns, ns[0] ? "." : "", name);
	uint32_t row = 0;
	if (MD_TOKEN_TABLE(tok) == MD_T_TYPEDEF)
		row = MD_TOKEN_ROW(tok);
	else if (MD_TOKEN_TABLE(tok) == MD_T_TYPEREF) {
		uint32_t scope = md_get(r->img, MD_T_TYPEREF, MD_TOKEN_ROW(tok),
					MD_TYPEREF_SCOPE);
		if (MD_TOKEN_TABLE(scope) == MD_T_MODULE || scope == 0)
			row = md_find_typedef(r->img, ns, name);
	}
	if (row) {
		if (!is_enum_typedef(r->img, row) || typedef_enum_under(r->img, row, &t->under) < 0)
			return ca_error(r, "a constructor parameter is a value type that "
				"is not an enum");
		return 0;
	}
	if (r->resolver && r->resolver(r->ctx, r->img, tok, ns, name, &t->under) == 0)
		return 0;
	if (known_enum(ns, name, &t->under))
		return 0;
	t->under = MD_ELEM_I4;
	r->assumed = true;
	r->assumed_name = t->enum_name;
	return 0;
}

/* Enum named by a (possibly assembly-qualified) type name string. */
static int enum_by_name(ca_rd *r, const char *full, ca_type *t)
{
	size_t n = strcspn(full, ",");
	char *tn = ng_arena_strndup(r->arena, full, n);
	t->enum_name = tn;
	const char *dot = strrchr(tn, '.');
	char *ns = dot ? ng_arena_strndup(r->arena, tn, (size_t)(dot - tn)) : "";
	const char *name = dot ? dot + 1 : tn;
	uint32_t row = strchr(tn, '+') ? 0 : md_find_typedef(r->img, ns, name);
	if (row && is_enum_typedef(r->img, row) &&
	    typedef_enum_under(r->img, row, &t->under) == 0)
		return 0;
	if (r->resolver && r->resolver(r->ctx, r->img, 0, ns, name, &t->under) == 0)
		return 0;
	if (known_enum(ns, name, &t->under))
		return 0;
	t->under = MD_ELEM_I4;
	r->assumed = true;
	r->assumed_name = t->enum_name;
	return 0;
}

/* ---- values ------------------------------------------------------------- */

static int prim_size(uint8_t e)
{
	switch (e) {
	case MD_ELEM_BOOLEAN: case MD_ELEM_I1: case MD_ELEM_U1: return 1;
	case MD_ELEM_CHAR: case MD_ELEM_I2: case MD_ELEM_U2: return 2;
	case MD_ELEM_I4: case MD_ELEM_U4: case MD_ELEM_R4: return 4;
	case MD_ELEM_I8: case MD_ELEM_U8: case MD_ELEM_R8: return 8;
	default: return 0;
	}
}

static int rd_prim(ca_rd *r, uint8_t e, md_ca_value *v)
{
	int n = prim_size(e);
	if (!n)
		return ca_error(r, "unsupported element type");
	if (!need(r, (size_t)n))
		return ca_error(r, "a value runs past the end of the blob");
	uint64_t u = 0;
	for (int i = 0; i < n; i++)
		u |= (uint64_t)r->p[i] << (8 * i);
	r->p += n;
	if (e == MD_ELEM_R4) {
		float f;
		uint32_t w = (uint32_t)u;
		memcpy(&f, &w, 4);
		v->r = f;
	} else if (e == MD_ELEM_R8) {
		memcpy(&v->r, &u, 8);
	} else if (e == MD_ELEM_I1 || e == MD_ELEM_I2 || e == MD_ELEM_I4 || e == MD_ELEM_I8) {
		unsigned sh = 64 - 8 * (unsigned)n;
		v->i = (int64_t)(u << sh) >> sh;
	} else {
		v->u = u;
	}
	return 0;
}

/* SerString: 0xFF = null, else compressed length + UTF-8. */
static int rd_string(ca_rd *r, const char **s, bool *is_null)
{
	*s = NULL;
	*is_null = false;
	if (!need(r, 1))
		return ca_error(r, "a string runs past the end of the blob");
	if (*r->p == 0xff) {
		r->p++;
		*is_null = true;
		return 0;
	}
	uint32_t n;
	if (md_uncompress(&r->p, r->end, &n) < 0 || !need(r, n))
		return ca_error(r, "a string's length runs past the end of the blob");
	*s = ng_arena_strndup(r->arena, (const char *)r->p, n);
	r->p += n;
	return 0;
}

static int rd_value(ca_rd *r, const ca_type *t, int depth, md_ca_value *v);

/* FieldOrPropType (II.23.3), as used by boxed values and named arguments. */
static int rd_fptype(ca_rd *r, int depth, ca_type **out)
{
	if (depth > 16)
		return ca_error(r, "types nested too deeply");
	if (!need(r, 1))
		return ca_error(r, "a type runs past the end of the blob");
	ca_type *t = ng_arena_alloc(r->arena, sizeof *t);
	*out = t;
	t->elem = *r->p++;
	if (prim_size(t->elem) || t->elem == MD_ELEM_STRING || t->elem == MD_ELEM_CA_TYPE)
		return 0;
	if (t->elem == MD_ELEM_CA_BOXED) {
		t->elem = MD_ELEM_OBJECT;
		return 0;
	}
	if (t->elem == MD_ELEM_SZARRAY)
		return rd_fptype(r, depth + 1, &t->inner);
	if (t->elem == MD_ELEM_CA_ENUM) {
		const char *name;
		bool is_null;
		int rc = rd_string(r, &name, &is_null);
		if (rc == 0 && is_null)
			rc = ca_error(r, "an enum type without a name");
		return rc < 0 ? rc : enum_by_name(r, name, t);
	}
	r->p--;
	return ca_error(r, "unknown field or property type");
}

static int rd_array(ca_rd *r, const ca_type *t, int depth, md_ca_value *v)
{
	if (!need(r, 4))
		return ca_error(r, "an array runs past the end of the blob");
	uint32_t n = md__rd32(r->p);
	r->p += 4;
	v->elem = MD_ELEM_SZARRAY;
	if (n == 0xffffffffu) {
		v->is_null = true;
		return 0;
	}
	if (n > (uint32_t)(r->end - r->p))
		return ca_error(r, "an array's length is larger than the blob");
	v->count = n;
	v->items = ng_arena_alloc(r->arena, (size_t)n * sizeof *v->items + 1);
	for (uint32_t i = 0; i < n; i++) {
		int rc = rd_value(r, t->inner, depth + 1, &v->items[i]);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int rd_value(ca_rd *r, const ca_type *t, int depth, md_ca_value *v)
{
	if (depth > 16)
		return ca_error(r, "values nested too deeply");
	v->elem = t->elem;
	switch (t->elem) {
	case MD_ELEM_STRING: case MD_ELEM_CA_TYPE:
		return rd_string(r, &v->s, &v->is_null);
	case MD_ELEM_SZARRAY:
		return rd_array(r, t, depth, v);
	case MD_ELEM_CA_ENUM:
		v->enum_underlying = t->under;
		v->enum_type = t->enum_name;
		return rd_prim(r, t->under, v);
	case MD_ELEM_OBJECT: {
		ca_type *bt;
		int rc = rd_fptype(r, depth + 1, &bt);
		if (rc < 0)
			return rc;
		v->boxed = ng_arena_alloc(r->arena, sizeof *v->boxed);
		return rd_value(r, bt, depth + 1, v->boxed);
	}
	default:
		return rd_prim(r, t->elem, v);
	}
}

/* ---- constructor parameters -------------------------------------------- */

static bool named(const md_image *img, uint32_t tok, const char *ns, const char *name)
{
	const char *n1, *n2;
	return md_type_name(img, tok, &n1, &n2) == 0 && strcmp(n1, ns) == 0 &&
	       strcmp(n2, name) == 0;
}

/* The ca_type of a constructor parameter from its signature type. */
static int param_type(ca_rd *r, const md_type *p, int depth, ca_type **out)
{
	ca_type *t = ng_arena_alloc(r->arena, sizeof *t);
	*out = t;
	t->elem = p->elem;
	if (prim_size(p->elem) || p->elem == MD_ELEM_STRING || p->elem == MD_ELEM_OBJECT)
		return 0;
	if (p->elem == MD_ELEM_SZARRAY && depth == 0)
		return param_type(r, p->inner, depth + 1, &t->inner);
	if (p->elem == MD_ELEM_CLASS && named(r->img, p->token, "System", "Type")) {
		t->elem = MD_ELEM_CA_TYPE;
		return 0;
	}
	if (p->elem == MD_ELEM_CLASS && named(r->img, p->token, "System", "Object")) {
		t->elem = MD_ELEM_OBJECT;
		return 0;
	}
	if (p->elem == MD_ELEM_VALUETYPE) {
		t->elem = MD_ELEM_CA_ENUM;
		return enum_under(r, p->token, t);
	}
	return ca_error(r, "the constructor has a parameter type that custom "
		"attributes cannot encode");
}

static int ctor_sig(const md_image *img, uint32_t ctor, ng_arena *a,
		    md_method_sig **sig, ng_diag *diag)
{
	md_blob b = { 0 };
	if (MD_TOKEN_TABLE(ctor) == MD_T_METHODDEF)
		md_blob_get(img, md_get(img, MD_T_METHODDEF, MD_TOKEN_ROW(ctor),
					MD_METHODDEF_SIGNATURE), &b);
	else if (MD_TOKEN_TABLE(ctor) == MD_T_MEMBERREF)
		md_blob_get(img, md_get(img, MD_T_MEMBERREF, MD_TOKEN_ROW(ctor),
					MD_MEMBERREF_SIGNATURE), &b);
	return md_sig_method(img, b, a, sig, diag);
}

static int rd_fixed(ca_rd *r, const md_method_sig *sig, md_custom_attr *out)
{
	out->nfixed = sig->nparams;
	out->fixed = ng_arena_alloc(r->arena, sig->nparams * sizeof *out->fixed + 1);
	for (uint32_t i = 0; i < sig->nparams; i++) {
		ca_type *t;
		int rc = param_type(r, sig->params[i], 0, &t);
		if (rc == 0)
			rc = rd_value(r, t, 0, &out->fixed[i]);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int rd_named(ca_rd *r, md_custom_attr *out)
{
	if (!need(r, 2))
		return ca_error(r, "the named argument count is missing");
	uint32_t n = md__rd16(r->p);
	r->p += 2;
	if (n > (uint32_t)(r->end - r->p))
		return ca_error(r, "more named arguments than the blob can hold");
	out->nnamed = n;
	out->named = ng_arena_alloc(r->arena, n * sizeof *out->named + 1);
	for (uint32_t i = 0; i < n; i++) {
		md_ca_named *na = &out->named[i];
		if (!need(r, 1) || (*r->p != MD_ELEM_CA_FIELD && *r->p != MD_ELEM_CA_PROPERTY))
			return ca_error(r, "a named argument is neither FIELD nor PROPERTY");
		na->is_property = *r->p++ == MD_ELEM_CA_PROPERTY;
		ca_type *t;
		bool is_null;
		int rc = rd_fptype(r, 0, &t);
		if (rc == 0)
			rc = rd_string(r, &na->name, &is_null);
		if (rc == 0 && is_null)
			rc = ca_error(r, "a named argument without a name");
		if (rc == 0)
			rc = rd_value(r, t, 0, &na->value);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int md_attr_type_name(const md_image *img, uint32_t ca_row, const char **ns,
		      const char **name)
{
	*ns = *name = "";
	uint32_t ctor = md_get(img, MD_T_CUSTOMATTRIBUTE, ca_row, MD_CUSTOMATTRIBUTE_TYPE);
	uint32_t row = MD_TOKEN_ROW(ctor);
	if (MD_TOKEN_TABLE(ctor) == MD_T_METHODDEF && row) {
		uint32_t owner = md_method_owner(img, row);
		return owner ? md_type_name(img, MD_TOKEN(MD_T_TYPEDEF, owner), ns, name) :
			NG_ERR_RANGE;
	}
	if (MD_TOKEN_TABLE(ctor) != MD_T_MEMBERREF || !row)
		return NG_ERR_RANGE;
	uint32_t parent = md_get(img, MD_T_MEMBERREF, row, MD_MEMBERREF_CLASS);
	if (MD_TOKEN_TABLE(parent) == MD_T_TYPESPEC) {
		/* A generic attribute: GENERICINST CLASS TypeDefOrRef ... */
		md_blob b;
		md_blob_get(img, md_get(img, MD_T_TYPESPEC, MD_TOKEN_ROW(parent),
					MD_TYPESPEC_SIGNATURE), &b);
		if (b.len < 3 || b.p[0] != MD_ELEM_GENERICINST)
			return NG_ERR_RANGE;
		const uint8_t *p = b.p + 2, *end = b.p + b.len;
		uint32_t v;
		if (md_uncompress(&p, end, &v) < 0)
			return NG_ERR_RANGE;
		static const md_table tabs[3] = { MD_T_TYPEDEF, MD_T_TYPEREF, MD_T_TYPESPEC };
		parent = (v & 3) < 2 ? MD_TOKEN(tabs[v & 3], v >> 2) : 0;
	}
	return md_type_name(img, parent, ns, name);
}

int md_attr_decode(const md_image *img, uint32_t ca_row, ng_arena *arena,
		   md_enum_resolver resolver, void *ctx, md_custom_attr *out,
		   ng_diag *diag)
{
	memset(out, 0, sizeof *out);
	if (ca_row == 0 || ca_row > md_row_count(img, MD_T_CUSTOMATTRIBUTE))
		return ng_diag_set(diag, NG_ERR_RANGE, "%s: no CustomAttribute row %u",
				   img->name, ca_row);
	out->parent = md_get(img, MD_T_CUSTOMATTRIBUTE, ca_row, MD_CUSTOMATTRIBUTE_PARENT);
	out->ctor = md_get(img, MD_T_CUSTOMATTRIBUTE, ca_row, MD_CUSTOMATTRIBUTE_TYPE);
	md_attr_type_name(img, ca_row, &out->type_namespace, &out->type_name);
	md_method_sig *sig;
	int rc = ctor_sig(img, out->ctor, arena, &sig, diag);
	if (rc < 0) {
		ng_diag_prefix(diag, "custom attribute row %u, constructor: ", ca_row);
		return rc;
	}
	md_blob b;
	md_blob_get(img, md_get(img, MD_T_CUSTOMATTRIBUTE, ca_row,
				MD_CUSTOMATTRIBUTE_VALUE), &b);
	ca_rd r = { img, ca_row, b.p, b.p, b.p ? b.p + b.len : b.p, arena, resolver,
		    ctx, false, NULL, diag };
	if (b.len == 0 && sig->nparams == 0)
		return 0;
	if (b.len < 2 || md__rd16(b.p) != 0x0001)
		return ca_error(&r, "the blob does not start with the prolog 0x0001");
	r.p += 2;
	rc = rd_fixed(&r, sig, out);
	if (rc == 0)
		rc = rd_named(&r, out);
	if (rc == 0 && r.p != r.end && r.assumed)
		rc = ca_error(&r, "bytes left over");
	if (rc < 0 && r.assumed) {
		char why[256];
		snprintf(why, sizeof why, "%s", ng_diag_text(diag));
		return ng_diag_set(diag, NG_ERR_UNSUPPORTED, "%s: custom attribute row %u "
			"(%s.%s): the enum %s is declared in another assembly, its "
			"underlying type is unknown here and the blob does not decode with "
			"int32 (%s); give a resolver that can load that assembly",
			img->name, ca_row, out->type_namespace, out->type_name,
			r.assumed_name, why);
	}
	return rc;
}

uint32_t md_attrs_of(const md_image *img, uint32_t token, uint32_t *first, uint32_t *end)
{
	return md_find_rows(img, MD_T_CUSTOMATTRIBUTE, MD_CUSTOMATTRIBUTE_PARENT, token,
			    first, end);
}

uint32_t md_attr_find(const md_image *img, uint32_t token, const char *ns,
		      const char *name)
{
	uint32_t first, end;
	md_attrs_of(img, token, &first, &end);
	for (uint32_t r = first; r < end; r++) {
		const char *n1, *n2;
		if (md_attr_type_name(img, r, &n1, &n2) == 0 && strcmp(n1, ns) == 0 &&
		    strcmp(n2, name) == 0)
			return r;
	}
	return 0;
}
