/* compiler/cg_asm.c - the assemblies of a job and the types across them.
 *
 * An assembly is opened once per job and read by every compiling thread
 * (md_image is immutable after md_open). Opening builds the lookups the
 * translator needs on every call and field access: top-level types by
 * name (a hash, since md_find_typedef scans), the declaring type of each
 * method, and the type initialiser of each type.
 *
 * Type references are followed to their definition: a TypeRef's
 * resolution scope names the assembly (through the job, which resolves
 * and opens it), a nested TypeRef its enclosing type, and an ExportedType
 * forwarder (the Facades) the assembly the type moved to. Enums are first
 * tier: their storage is the underlying integer type (the instance field
 * value__). */
#include "compiler/cg.h"

#include "base/err.h"
#include "base/strbuf.h"
#include "base/xmalloc.h"
#include "compiler/identity.h"
#include "compiler/md.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static uint64_t name_hash(const char *ns, const char *name)
{
	uint64_t h = 1469598103934665603ull;
	for (const char *s = ns; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	h = (h ^ 0xff) * 1099511628211ull;
	for (const char *s = name; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static bool type_is(const md_image *img, uint32_t row, const char *ns, const char *name)
{
	md_typedef td;
	return md_typedef_get(img, row, &td) == 0 && strcmp(td.name, name) == 0 &&
	       strcmp(td.namespace_, ns) == 0;
}

static void build_type_hash(cg_asm *a)
{
	uint32_t n = md_row_count(a->img, MD_T_TYPEDEF);
	uint32_t cap = 16;
	while (cap < n * 2 + 2)
		cap *= 2;
	a->type_cap = cap;
	a->type_rows = xcalloc(cap, sizeof *a->type_rows);
	for (uint32_t r = 1; r <= n; r++) {
		md_typedef td;
		if (md_typedef_get(a->img, r, &td) ||
		    (td.flags & MD_TYPE_VISIBILITY_MASK) > 1)
			continue;
		uint32_t j = (uint32_t)name_hash(td.namespace_, td.name) & (cap - 1);
		while (a->type_rows[j])
			j = (j + 1) & (cap - 1);
		a->type_rows[j] = r;
	}
}

uint32_t cg__asm_find_type(const cg_asm *a, const char *ns, const char *name)
{
	if (!a->type_cap)
		return 0;
	uint32_t j = (uint32_t)name_hash(ns, name) & (a->type_cap - 1);
	while (a->type_rows[j]) {
		if (type_is(a->img, a->type_rows[j], ns, name))
			return a->type_rows[j];
		j = (j + 1) & (a->type_cap - 1);
	}
	return 0;
}

/* owner_of[] for every method and cctor_of[] for every type. */
static void build_members(cg_asm *a)
{
	uint32_t nt = md_row_count(a->img, MD_T_TYPEDEF);
	uint32_t nm = md_row_count(a->img, MD_T_METHODDEF);
	a->owner_of = xcalloc(nm + 1, sizeof *a->owner_of);
	a->cctor_of = xcalloc(nt + 1, sizeof *a->cctor_of);
	for (uint32_t t = 1; t <= nt; t++) {
		uint32_t first, end;
		md_typedef_methods(a->img, t, &first, &end);
		for (uint32_t pos = first; pos < end; pos++) {
			uint32_t m = md_method_at(a->img, pos);
			if (m == 0 || m > nm)
				continue;
			a->owner_of[m] = t;
			md_methoddef def;
			if (md_methoddef_get(a->img, m, &def) == 0 &&
			    (def.flags & MD_METHOD_STATIC) && strcmp(def.name, ".cctor") == 0)
				a->cctor_of[t] = m;
		}
	}
}

static bool is_bcl_name(const char *name)
{
	return strcasecmp(name, "mscorlib") == 0 || strcasecmp(name, "netstandard") == 0 ||
	       strcasecmp(name, "System") == 0 || strncasecmp(name, "System.", 7) == 0 ||
	       strncasecmp(name, "Microsoft.", 10) == 0 || strncasecmp(name, "Mono.", 5) == 0;
}

int cg__asm_open(cg_asm *a, const char *path, ng_diag *diag)
{
	memset(a, 0, sizeof *a);
	a->dep_index = -1;
	int rc = md_open(path, &a->img, diag);
	if (rc)
		return rc;
	a->path = xstrdup(path);
	md_identity id;
	rc = md_assembly_identity(a->img, &id, diag);
	if (rc) {
		ng_diag_set(diag, rc, "%s: not an assembly (a module without an Assembly "
			    "row cannot be compiled alone)", path);
		cg__asm_close(a);
		return rc;
	}
	ng_strbuf sb = NG_STRBUF_INIT;
	md_identity_display(&id, &sb);
	a->display_name = ng_strbuf_take(&sb);
	a->name = xstrdup(id.name);
	md_mvid(a->img, a->mvid);
	a->is_bcl = is_bcl_name(a->name);
	build_type_hash(a);
	build_members(a);
	a->is_corlib = md_row_count(a->img, MD_T_ASSEMBLYREF) == 0 &&
		       cg__asm_find_type(a, "System", "Object") != 0;
	return 0;
}

void cg__asm_close(cg_asm *a)
{
	if (!a)
		return;
	if (a->img)
		md_close(a->img);
	free(a->path);
	free(a->name);
	free(a->display_name);
	free(a->type_rows);
	free(a->cctor_of);
	free(a->owner_of);
	memset(a, 0, sizeof *a);
}

/* The nested type `name` of enclosing TypeDef row `outer`, 0 if none. */
static uint32_t find_nested(const cg_asm *a, uint32_t outer, const char *name)
{
	uint32_t n = md_row_count(a->img, MD_T_NESTEDCLASS);
	for (uint32_t r = 1; r <= n; r++) {
		if (md_get(a->img, MD_T_NESTEDCLASS, r, MD_NESTEDCLASS_ENCLOSING) != outer)
			continue;
		uint32_t inner = md_get(a->img, MD_T_NESTEDCLASS, r, MD_NESTEDCLASS_NESTED);
		md_typedef td;
		if (md_typedef_get(a->img, inner, &td) == 0 && strcmp(td.name, name) == 0)
			return inner;
	}
	return 0;
}

/* A type forwarded by an ExportedType row of a to another assembly. */
static int follow_forwarder(cg_job *job, cg_asm *a, const char *ns, const char *name,
			    ng_arena *ar, cg_asm **def_asm, uint32_t *def_row, int depth,
			    const char **why);

static int find_in(cg_job *job, cg_asm *a, const char *ns, const char *name, ng_arena *ar,
		   cg_asm **def_asm, uint32_t *def_row, int depth, const char **why)
{
	uint32_t row = cg__asm_find_type(a, ns, name);
	if (row) {
		*def_asm = a;
		*def_row = row;
		return 0;
	}
	return follow_forwarder(job, a, ns, name, ar, def_asm, def_row, depth, why);
}

static int follow_forwarder(cg_job *job, cg_asm *a, const char *ns, const char *name,
			    ng_arena *ar, cg_asm **def_asm, uint32_t *def_row, int depth,
			    const char **why)
{
	uint32_t n = md_row_count(a->img, MD_T_EXPORTEDTYPE);
	for (uint32_t r = 1; r <= n && depth < 8; r++) {
		const char *en = md_string(a->img, md_get(a->img, MD_T_EXPORTEDTYPE, r,
							  MD_EXPORTEDTYPE_NAME));
		const char *ens = md_string(a->img, md_get(a->img, MD_T_EXPORTEDTYPE, r,
							   MD_EXPORTEDTYPE_NAMESPACE));
		uint32_t impl = md_get(a->img, MD_T_EXPORTEDTYPE, r,
				       MD_EXPORTEDTYPE_IMPLEMENTATION);
		if (strcmp(en, name) != 0 || strcmp(ens, ns) != 0 ||
		    MD_TOKEN_TABLE(impl) != MD_T_ASSEMBLYREF)
			continue;
		cg_asm *to = cg__job_asmref(job, a, MD_TOKEN_ROW(impl));
		if (!to)
			break;
		return find_in(job, to, ns, name, ar, def_asm, def_row, depth + 1, why);
	}
	*why = ng_arena_printf(ar, "type %s%s%s not found in %s", ns, *ns ? "." : "", name,
			       a->name);
	return -1;
}

static int resolve_ref(cg_job *job, cg_asm *a, uint32_t token, ng_arena *ar,
		       cg_asm **def_asm, uint32_t *def_row, int depth, const char **why)
{
	uint32_t row = MD_TOKEN_ROW(token);
	uint32_t scope = md_get(a->img, MD_T_TYPEREF, row, MD_TYPEREF_SCOPE);
	const char *name = md_string(a->img, md_get(a->img, MD_T_TYPEREF, row, MD_TYPEREF_NAME));
	const char *ns = md_string(a->img, md_get(a->img, MD_T_TYPEREF, row,
						  MD_TYPEREF_NAMESPACE));
	switch (MD_TOKEN_TABLE(scope)) {
	case MD_T_ASSEMBLYREF: {
		cg_asm *to = cg__job_asmref(job, a, MD_TOKEN_ROW(scope));
		if (!to) {
			*why = ng_arena_printf(ar, "the assembly of type %s.%s was not resolved",
					       ns, name);
			return -1;
		}
		return find_in(job, to, ns, name, ar, def_asm, def_row, 0, why);
	}
	case MD_T_TYPEREF: {
		cg_asm *oa;
		uint32_t orow;
		if (depth > 16 ||
		    resolve_ref(job, a, scope, ar, &oa, &orow, depth + 1, why))
			return -1;
		uint32_t inner = find_nested(oa, orow, name);
		if (!inner) {
			*why = ng_arena_printf(ar, "nested type %s not found in %s", name, oa->name);
			return -1;
		}
		*def_asm = oa;
		*def_row = inner;
		return 0;
	}
	case MD_T_MODULE:
		return find_in(job, a, ns, name, ar, def_asm, def_row, 0, why);
	default:
		*why = ng_arena_printf(ar, "type %s.%s is in another module (multi-module "
				       "assemblies are not supported)", ns, name);
		return -1;
	}
}

int cg__asm_resolve_type(cg_job *job, cg_asm *a, uint32_t token, ng_arena *ar,
			 cg_asm **def_asm, uint32_t *def_row, const char **why)
{
	uint32_t row = MD_TOKEN_ROW(token);
	switch (MD_TOKEN_TABLE(token)) {
	case MD_T_TYPEDEF:
		if (row == 0 || row > md_row_count(a->img, MD_T_TYPEDEF))
			break;
		*def_asm = a;
		*def_row = row;
		return 0;
	case MD_T_TYPEREF:
		if (row == 0 || row > md_row_count(a->img, MD_T_TYPEREF))
			break;
		return resolve_ref(job, a, token, ar, def_asm, def_row, 0, why);
	case MD_T_TYPESPEC:
		*why = "generic type instances are not supported";
		return -1;
	default:
		break;
	}
	*why = ng_arena_printf(ar, "invalid type token 0x%08x", token);
	return -1;
}

static cg_kind prim_kind(uint8_t elem)
{
	switch (elem) {
	case MD_ELEM_VOID: return CG_K_VOID;
	case MD_ELEM_BOOLEAN: return CG_K_BOOL;
	case MD_ELEM_CHAR: return CG_K_CHAR;
	case MD_ELEM_I1: return CG_K_I1;
	case MD_ELEM_U1: return CG_K_U1;
	case MD_ELEM_I2: return CG_K_I2;
	case MD_ELEM_U2: return CG_K_U2;
	case MD_ELEM_I4: return CG_K_I4;
	case MD_ELEM_U4: return CG_K_U4;
	case MD_ELEM_I8: return CG_K_I8;
	case MD_ELEM_U8: return CG_K_U8;
	case MD_ELEM_I: return CG_K_I;
	case MD_ELEM_U: return CG_K_U;
	case MD_ELEM_R4: return CG_K_R4;
	case MD_ELEM_R8: return CG_K_R8;
	case MD_ELEM_STRING: return CG_K_STRING;
	default: return CG_K_COUNT_;
	}
}

/* The underlying type of an enum TypeDef, from its instance field value__. */
static int enum_kind(cg_asm *a, uint32_t row, ng_arena *ar, cg_kind *out)
{
	uint32_t first, end;
	md_typedef_fields(a->img, row, &first, &end);
	for (uint32_t pos = first; pos < end; pos++) {
		uint32_t f = md_field_at(a->img, pos);
		if (md_get(a->img, MD_T_FIELD, f, MD_FIELD_FLAGS) & MD_FIELD_STATIC)
			continue;
		md_blob blob;
		md_type *t;
		if (md_blob_get(a->img, md_get(a->img, MD_T_FIELD, f, MD_FIELD_SIGNATURE), &blob) ||
		    md_sig_field(a->img, blob, ar, &t, NULL))
			return -1;
		cg_kind k = prim_kind(t->elem);
		if (k == CG_K_COUNT_ || k == CG_K_VOID || k == CG_K_STRING || k == CG_K_R4 ||
		    k == CG_K_R8)
			return -1;
		*out = k;
		return 0;
	}
	return -1;
}

static const char *type_text(cg_asm *a, const md_type *t, ng_arena *ar)
{
	ng_strbuf sb = NG_STRBUF_INIT;
	md_type_format(a->img, t, &sb);
	const char *s = ng_arena_strdup(ar, ng_strbuf_str(&sb));
	ng_strbuf_close(&sb);
	return s;
}

static int valuetype_kind(cg_job *job, cg_asm *a, const md_type *t, ng_arena *ar,
			  cg_kind *out, const char **why)
{
	cg_asm *da;
	uint32_t row;
	if (cg__asm_resolve_type(job, a, t->token, ar, &da, &row, why))
		return -1;
	md_typedef td;
	uint32_t ext = md_typedef_get(da->img, row, &td) == 0 ? td.extends : 0;
	const char *ens = "", *en = "";
	if (ext)
		md_type_name(da->img, ext, &ens, &en);
	if (strcmp(ens, "System") == 0 && strcmp(en, "Enum") == 0 &&
	    enum_kind(da, row, ar, out) == 0)
		return 0;
	*why = ng_arena_printf(ar, "value type %s is not supported", type_text(a, t, ar));
	return -1;
}

int cg__asm_kind(cg_job *job, cg_asm *a, const md_type *t, ng_arena *ar, cg_kind *out,
		 const char **why, const char **cat)
{
	const char *dummy;
	if (!cat)
		cat = &dummy;
	*cat = "value type";
	if (t->ncmods) {
		/* modreq(IsVolatile) and modopt(IsConst/IsLong) change nothing here. */
		for (uint32_t i = 0; i < t->ncmods; i++) {
			const char *ns = "", *n = "";
			md_type_name(a->img, t->cmods[i].token, &ns, &n);
			if (t->cmods[i].required && strcmp(n, "IsVolatile") != 0) {
				*why = ng_arena_printf(ar, "type %s with a required modifier is not "
						       "supported", type_text(a, t, ar));
				*cat = "required modifier";
				return -1;
			}
		}
	}
	cg_kind k = prim_kind(t->elem);
	if (k != CG_K_COUNT_) {
		*out = k;
		return 0;
	}
	switch (t->elem) {
	case MD_ELEM_SZARRAY:
		if (t->inner && t->inner->elem == MD_ELEM_STRING) {
			*out = CG_K_STRARRAY;
			return 0;
		}
		break;
	case MD_ELEM_BYREF: {
		cg_kind inner;
		const char *w;
		if (t->inner && cg__asm_kind(job, a, t->inner, ar, &inner, &w, NULL) == 0 &&
		    inner != CG_K_VOID && inner != CG_K_BYREF) {
			*out = CG_K_BYREF;
			return 0;
		}
		break;
	}
	case MD_ELEM_PTR:
		*out = CG_K_PTR;
		return 0;
	case MD_ELEM_VALUETYPE:
		return valuetype_kind(job, a, t, ar, out, why);
	default:
		break;
	}
	const char *what = "type";
	switch (t->elem) {
	case MD_ELEM_CLASS: case MD_ELEM_OBJECT: what = "reference type"; break;
	case MD_ELEM_SZARRAY: case MD_ELEM_ARRAY: what = "array type"; break;
	case MD_ELEM_GENERICINST: case MD_ELEM_VAR: case MD_ELEM_MVAR: what = "generic type"; break;
	case MD_ELEM_TYPEDBYREF: what = "typed reference"; break;
	case MD_ELEM_FNPTR: what = "function pointer type"; break;
	case MD_ELEM_BYREF: what = "managed pointer type"; break;
	}
	*why = ng_arena_printf(ar, "%s %s is not supported", what, type_text(a, t, ar));
	*cat = what;
	return -1;
}
