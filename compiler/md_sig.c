/* compiler/md_sig.c - signature blobs (ECMA-335 II.23.2) into trees.
 *
 * One reader (sig_rd) walks a blob with a cursor that never passes the
 * blob's end; every count is checked against the bytes that remain before
 * anything is allocated (each element takes at least one byte), so a
 * hostile length cannot make a huge allocation. Nesting recurses at most
 * MD_SIG_MAX_DEPTH levels, then fails. Tokens in signatures must name
 * existing rows. */
#include "compiler/md_int.h"

#include "base/err.h"

#include <string.h>

typedef struct sig_rd {
	const md_image *img;
	const uint8_t *start, *p, *end;
	ng_arena *arena;
	ng_diag *diag;
	const char *what;
} sig_rd;

static int sig_error(sig_rd *r, const char *msg)
{
	return ng_diag_set(r->diag, NG_ERR_FORMAT, "%s: %s signature, byte %td of %td: %s",
			   r->img->name, r->what, r->p - r->start, r->end - r->start, msg);
}

static int rd_byte(sig_rd *r, uint8_t *b)
{
	if (r->p >= r->end)
		return sig_error(r, "ends too early");
	*b = *r->p++;
	return 0;
}

static int rd_u(sig_rd *r, uint32_t *v)
{
	if (md_uncompress(&r->p, r->end, v) < 0)
		return sig_error(r, "bad or truncated compressed integer");
	return 0;
}

/* A count of items that take at least one byte each. */
static int rd_count(sig_rd *r, uint32_t *v)
{
	int rc = rd_u(r, v);
	if (rc == 0 && *v > (uint32_t)(r->end - r->p))
		return sig_error(r, "a count is larger than the bytes that follow");
	return rc;
}

/* TypeDefOrRefOrSpecEncoded (II.23.2.8) to a token of an existing row. */
static int rd_typetoken(sig_rd *r, uint32_t *tok)
{
	uint32_t v;
	int rc = rd_u(r, &v);
	if (rc < 0)
		return rc;
	static const md_table tabs[3] = { MD_T_TYPEDEF, MD_T_TYPEREF, MD_T_TYPESPEC };
	uint32_t tag = v & 3, row = v >> 2;
	if (tag > 2 || row == 0 || row > r->img->tab[tabs[tag]].rows)
		return sig_error(r, "a type token names no existing TypeDef, TypeRef "
			"or TypeSpec row");
	*tok = MD_TOKEN(tabs[tag], row);
	return 0;
}

static int rd_cmods(sig_rd *r, md_type *t)
{
	const uint8_t *save = r->p;
	uint32_t n = 0;
	while (r->p < r->end && (*r->p == MD_ELEM_CMOD_REQD || *r->p == MD_ELEM_CMOD_OPT)) {
		uint32_t tok;
		r->p++;
		int rc = rd_typetoken(r, &tok);
		if (rc < 0)
			return rc;
		n++;
	}
	if (!n)
		return 0;
	t->cmods = ng_arena_alloc(r->arena, n * sizeof *t->cmods);
	r->p = save;
	for (uint32_t i = 0; i < n; i++) {
		t->cmods[i].required = *r->p++ == MD_ELEM_CMOD_REQD;
		rd_typetoken(r, &t->cmods[i].token);
	}
	t->ncmods = n;
	return 0;
}

static int rd_type(sig_rd *r, int depth, md_type **out);
static int rd_method(sig_rd *r, int depth, uint8_t cc, md_method_sig **out);

static int rd_array(sig_rd *r, int depth, md_type *t)
{
	int rc = rd_type(r, depth + 1, &t->inner);
	if (rc == 0)
		rc = rd_u(r, &t->rank);
	if (rc == 0 && t->rank == 0)
		rc = sig_error(r, "an array of rank 0");
	if (rc == 0)
		rc = rd_count(r, &t->nsizes);
	if (rc < 0)
		return rc;
	t->sizes = ng_arena_alloc(r->arena, t->nsizes * sizeof *t->sizes + 1);
	for (uint32_t i = 0; i < t->nsizes && rc == 0; i++)
		rc = rd_u(r, &t->sizes[i]);
	if (rc == 0)
		rc = rd_count(r, &t->nlobounds);
	if (rc < 0)
		return rc;
	t->lobounds = ng_arena_alloc(r->arena, t->nlobounds * sizeof *t->lobounds + 1);
	for (uint32_t i = 0; i < t->nlobounds && rc == 0; i++)
		if (md_uncompress_signed(&r->p, r->end, &t->lobounds[i]) < 0)
			rc = sig_error(r, "bad array lower bound");
	return rc;
}

static int rd_geninst(sig_rd *r, int depth, md_type *t)
{
	uint8_t kind = 0;
	int rc = rd_byte(r, &kind);
	if (rc < 0)
		return rc;
	if (kind != MD_ELEM_CLASS && kind != MD_ELEM_VALUETYPE)
		return sig_error(r, "a generic instance of something neither class nor "
			"value type");
	t->is_valuetype = kind == MD_ELEM_VALUETYPE;
	rc = rd_typetoken(r, &t->token);
	if (rc == 0)
		rc = rd_count(r, &t->nargs);
	if (rc == 0 && t->nargs == 0)
		rc = sig_error(r, "a generic instance without arguments");
	if (rc < 0)
		return rc;
	t->args = ng_arena_alloc(r->arena, t->nargs * sizeof *t->args);
	for (uint32_t i = 0; i < t->nargs && rc == 0; i++)
		rc = rd_type(r, depth + 1, &t->args[i]);
	return rc;
}

static int rd_type_body(sig_rd *r, int depth, md_type *t)
{
	switch (t->elem) {
	case MD_ELEM_VOID: case MD_ELEM_BOOLEAN: case MD_ELEM_CHAR: case MD_ELEM_I1:
	case MD_ELEM_U1: case MD_ELEM_I2: case MD_ELEM_U2: case MD_ELEM_I4:
	case MD_ELEM_U4: case MD_ELEM_I8: case MD_ELEM_U8: case MD_ELEM_R4:
	case MD_ELEM_R8: case MD_ELEM_STRING: case MD_ELEM_TYPEDBYREF:
	case MD_ELEM_I: case MD_ELEM_U: case MD_ELEM_OBJECT:
		return 0;
	case MD_ELEM_PTR: case MD_ELEM_BYREF: case MD_ELEM_SZARRAY:
		return rd_type(r, depth + 1, &t->inner);
	case MD_ELEM_VALUETYPE: case MD_ELEM_CLASS:
		return rd_typetoken(r, &t->token);
	case MD_ELEM_VAR: case MD_ELEM_MVAR:
		return rd_u(r, &t->index);
	case MD_ELEM_ARRAY:
		return rd_array(r, depth, t);
	case MD_ELEM_GENERICINST:
		return rd_geninst(r, depth, t);
	case MD_ELEM_FNPTR: {
		uint8_t cc = 0;
		int rc = rd_byte(r, &cc);
		return rc < 0 ? rc : rd_method(r, depth + 1, cc, &t->fnptr);
	}
	default:
		r->p--;
		return sig_error(r, "unknown element type");
	}
}

static int rd_type(sig_rd *r, int depth, md_type **out)
{
	if (depth > MD_SIG_MAX_DEPTH)
		return sig_error(r, "types nested too deeply");
	md_type *t = ng_arena_alloc(r->arena, sizeof *t);
	int rc = rd_cmods(r, t);
	if (rc == 0)
		rc = rd_byte(r, &t->elem);
	if (rc == 0)
		rc = rd_type_body(r, depth, t);
	*out = t;
	return rc;
}

/* A parameter or local: custom modifiers, PINNED, BYREF, TYPEDBYREF. */
static int rd_param(sig_rd *r, int depth, bool local, md_type **out)
{
	bool pinned = false;
	md_type mods = { 0 };
	int rc = rd_cmods(r, &mods);
	while (rc == 0 && local && r->p < r->end && *r->p == MD_ELEM_PINNED) {
		pinned = true;
		r->p++;
		if (r->p < r->end && (*r->p == MD_ELEM_CMOD_REQD || *r->p == MD_ELEM_CMOD_OPT))
			rc = rd_cmods(r, &mods);
	}
	if (rc == 0)
		rc = rd_type(r, depth, out);
	if (rc < 0)
		return rc;
	(*out)->pinned = pinned;
	if (mods.ncmods && !(*out)->ncmods) {
		(*out)->cmods = mods.cmods;
		(*out)->ncmods = mods.ncmods;
	}
	return 0;
}

static int rd_method(sig_rd *r, int depth, uint8_t cc, md_method_sig **out)
{
	if (depth > MD_SIG_MAX_DEPTH)
		return sig_error(r, "signatures nested too deeply");
	md_method_sig *s = ng_arena_alloc(r->arena, sizeof *s);
	*out = s;
	s->callconv = cc;
	s->sentinel = -1;
	int rc = 0;
	if (cc & MD_CC_GENERIC)
		rc = rd_u(r, &s->generic_count);
	if (rc == 0)
		rc = rd_count(r, &s->nparams);
	if (rc == 0)
		rc = rd_param(r, depth, false, &s->ret);
	if (rc < 0)
		return rc;
	s->params = ng_arena_alloc(r->arena, s->nparams * sizeof *s->params + 1);
	for (uint32_t i = 0; i < s->nparams && rc == 0; i++) {
		if (r->p < r->end && *r->p == MD_ELEM_SENTINEL) {
			if (s->sentinel >= 0)
				return sig_error(r, "two vararg sentinels");
			s->sentinel = (int32_t)i;
			r->p++;
		}
		rc = rd_param(r, depth, false, &s->params[i]);
	}
	return rc;
}

static void rd_init(sig_rd *r, const md_image *img, md_blob b, ng_arena *a,
		    ng_diag *diag, const char *what)
{
	r->img = img;
	r->start = r->p = b.p;
	r->end = b.p ? b.p + b.len : b.p;
	r->arena = a;
	r->diag = diag;
	r->what = what;
}

int md_sig_method(const md_image *img, md_blob b, ng_arena *a, md_method_sig **out,
		  ng_diag *diag)
{
	sig_rd r;
	uint8_t cc = 0;
	rd_init(&r, img, b, a, diag, "method");
	*out = NULL;
	int rc = rd_byte(&r, &cc);
	if (rc == 0 && ((cc & MD_CC_KIND_MASK) > MD_CC_VARARG || (cc & 0x80)))
		rc = sig_error(&r, "the calling convention is not a method's");
	return rc < 0 ? rc : rd_method(&r, 0, cc, out);
}

int md_sig_property(const md_image *img, md_blob b, ng_arena *a, md_method_sig **out,
		    ng_diag *diag)
{
	sig_rd r;
	uint8_t cc = 0;
	rd_init(&r, img, b, a, diag, "property");
	*out = NULL;
	int rc = rd_byte(&r, &cc);
	if (rc == 0 && (cc & MD_CC_KIND_MASK) != MD_CC_PROPERTY)
		rc = sig_error(&r, "does not start with PROPERTY (0x08)");
	return rc < 0 ? rc : rd_method(&r, 0, cc, out);
}

int md_sig_field(const md_image *img, md_blob b, ng_arena *a, md_type **out,
		 ng_diag *diag)
{
	sig_rd r;
	uint8_t cc = 0;
	rd_init(&r, img, b, a, diag, "field");
	*out = NULL;
	int rc = rd_byte(&r, &cc);
	if (rc == 0 && (cc & MD_CC_KIND_MASK) != MD_CC_FIELD)
		rc = sig_error(&r, "does not start with FIELD (0x06)");
	return rc < 0 ? rc : rd_param(&r, 0, false, out);
}

int md_sig_locals(const md_image *img, md_blob b, ng_arena *a, md_method_sig **out,
		  ng_diag *diag)
{
	sig_rd r;
	uint8_t cc = 0;
	rd_init(&r, img, b, a, diag, "local variable");
	md_method_sig *s = ng_arena_alloc(a, sizeof *s);
	*out = s;
	s->sentinel = -1;
	int rc = rd_byte(&r, &cc);
	if (rc == 0 && cc != MD_CC_LOCAL_SIG)
		rc = sig_error(&r, "does not start with LOCAL_SIG (0x07)");
	s->callconv = cc;
	if (rc == 0)
		rc = rd_count(&r, &s->nparams);
	if (rc < 0)
		return rc;
	s->params = ng_arena_alloc(a, s->nparams * sizeof *s->params + 1);
	for (uint32_t i = 0; i < s->nparams && rc == 0; i++)
		rc = rd_param(&r, 0, true, &s->params[i]);
	return rc;
}

int md_sig_typespec(const md_image *img, md_blob b, ng_arena *a, md_type **out,
		    ng_diag *diag)
{
	sig_rd r;
	rd_init(&r, img, b, a, diag, "type spec");
	*out = NULL;
	return rd_type(&r, 0, out);
}

int md_sig_methodspec(const md_image *img, md_blob b, ng_arena *a, md_method_sig **out,
		      ng_diag *diag)
{
	sig_rd r;
	uint8_t cc = 0;
	rd_init(&r, img, b, a, diag, "method spec");
	md_method_sig *s = ng_arena_alloc(a, sizeof *s);
	*out = s;
	s->sentinel = -1;
	int rc = rd_byte(&r, &cc);
	if (rc == 0 && cc != MD_CC_GENERICINST)
		rc = sig_error(&r, "does not start with GENERICINST (0x0a)");
	s->callconv = cc;
	if (rc == 0)
		rc = rd_count(&r, &s->nparams);
	if (rc < 0)
		return rc;
	s->params = ng_arena_alloc(a, s->nparams * sizeof *s->params + 1);
	for (uint32_t i = 0; i < s->nparams && rc == 0; i++)
		rc = rd_type(&r, 0, &s->params[i]);
	return rc;
}

int md_sig_standalone(const md_image *img, uint32_t row, ng_arena *a,
		      md_method_sig **out, bool *is_locals, ng_diag *diag)
{
	md_blob b;
	*out = NULL;
	*is_locals = false;
	if (row == 0 || row > img->tab[MD_T_STANDALONESIG].rows ||
	    md_blob_get(img, md_get(img, MD_T_STANDALONESIG, row,
				    MD_STANDALONESIG_SIGNATURE), &b) < 0)
		return ng_diag_set(diag, NG_ERR_RANGE, "%s: no StandAloneSig row %u",
				   img->name, row);
	if (b.len && b.p[0] == MD_CC_LOCAL_SIG) {
		*is_locals = true;
		return md_sig_locals(img, b, a, out, diag);
	}
	if (b.len && (b.p[0] & MD_CC_KIND_MASK) == MD_CC_FIELD) {
		/* Some compilers emit field-kind standalone signatures (for
		 * debugging); report them as one-element lists. */
		md_method_sig *s = ng_arena_alloc(a, sizeof *s);
		s->callconv = b.p[0];
		s->sentinel = -1;
		s->nparams = 1;
		s->params = ng_arena_alloc(a, sizeof *s->params);
		*out = s;
		return md_sig_field(img, b, a, &s->params[0], diag);
	}
	return md_sig_method(img, b, a, out, diag);
}
