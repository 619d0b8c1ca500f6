/* compiler/cg_call.c - calls, returns, static fields, type initialisers,
 * string literals and function pointers.
 *
 * A call target is one of:
 *   - a static method of the compiled assembly: a direct call of its
 *     symbol (defined in this image, perhaps in another module);
 *   - a runtime intrinsic (base/abi_bcl.h): a MemberRef into the core
 *     library whose type, name and signature match a row, called as the
 *     row's C helper;
 *   - a static method of a hard-bound dependency (LoadHint.Always): a
 *     direct reference to its symbol, resolved by the dynamic loader;
 *   - a static method of a soft-bound dependency: through an import cell,
 *     filled on first use by ngrt_bind_import.
 * Other calls into the base class library exclude the method: its code is
 * not something the first tier can compile.
 *
 * Type initialisers follow Mono: a method runs the .cctor of its own type
 * on entry, and of every beforefieldinit type whose statics it touches
 * (Mono runs those when it compiles the method); a precise type's .cctor
 * runs right before the first access from elsewhere. */
#include "compiler/cg_fn.h"

#include "base/abi_bcl.h"
#include "base/strbuf.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#define B (f->m->b)
#define M (f->m)

/* ---- finding the callee ---- */

typedef struct callee {
	cg_asm *a;                /* defining assembly (NULL for an intrinsic) */
	uint32_t row;             /* MethodDef row in a */
	const char *helper;       /* intrinsic: the C symbol */
	const md_method_sig *sig; /* the signature that gives the ABI */
	cg_asm *sig_asm;          /* whose metadata sig belongs to */
	const char *name;         /* Namespace.Type::Method, for reasons */
	int string_op;            /* System.String::get_Length (1) / get_Chars (2), inline */
} callee;

static const char *token_text(cg_fn *f, cg_asm *a, uint32_t token)
{
	ng_strbuf sb = NG_STRBUF_INIT;
	md_token_format(a->img, token, &sb);
	const char *s = ng_arena_strdup(f->ar, ng_strbuf_str(&sb));
	ng_strbuf_close(&sb);
	return s;
}

static const char *sig_text(cg_asm *a, const md_method_sig *sig, const char *name,
			    ng_arena *ar)
{
	ng_strbuf sb = NG_STRBUF_INIT;
	md_method_sig_format(a->img, sig, name, &sb);
	const char *s = ng_arena_strdup(ar, ng_strbuf_str(&sb));
	ng_strbuf_close(&sb);
	return s;
}

/* The runtime helper for a core-library method, or NULL. */
static const char *bcl_helper(const char *type, const char *method, const md_method_sig *sig)
{
	char s[256];
	size_t n = 0;
	const char *r = ng_bcl_elem_name(sig->ret->elem);
	if (!r || sig->nparams > 8)
		return NULL;
	n += (size_t)snprintf(s + n, sizeof s - n, "%s(", r);
	for (uint32_t i = 0; i < sig->nparams; i++) {
		const char *p = ng_bcl_elem_name(sig->params[i]->elem);
		if (!p)
			return NULL;
		n += (size_t)snprintf(s + n, sizeof s - n, "%s%s", i ? "," : "", p);
	}
	snprintf(s + n, sizeof s - n, ")");
#define NG_BCL_MATCH_(T, MN, SIG, SYM, CRET, CPARAMS)                          \
	if (strcmp(type, T) == 0 && strcmp(method, MN) == 0 && strcmp(s, SIG) == 0) \
		return #SYM;
	NG_BCL_METHOD_LIST(NG_BCL_MATCH_)
#undef NG_BCL_MATCH_
	return NULL;
}

/* The MethodDef of type (a, type_row) named `name` whose signature matches
 * ref_sig of ref_asm: the same bytes, or the same text (tokens differ
 * between assemblies). */
static uint32_t find_method(cg_fn *f, cg_asm *a, uint32_t type_row, const char *name,
			    cg_asm *ref_asm, md_blob ref_blob, const md_method_sig *ref_sig)
{
	uint32_t first, end;
	const char *want = NULL;
	md_typedef_methods(a->img, type_row, &first, &end);
	for (uint32_t pos = first; pos < end; pos++) {
		uint32_t row = md_method_at(a->img, pos);
		md_methoddef def;
		if (md_methoddef_get(a->img, row, &def) || strcmp(def.name, name) != 0)
			continue;
		if (def.sig.len == ref_blob.len && memcmp(def.sig.p, ref_blob.p, ref_blob.len) == 0)
			return row;
		md_method_sig *s;
		if (md_sig_method(a->img, def.sig, f->ar, &s, NULL))
			continue;
		if (!want)
			want = sig_text(ref_asm, ref_sig, name, f->ar);
		if (strcmp(sig_text(a, s, name, f->ar), want) == 0)
			return row;
	}
	return 0;
}

static int resolve_methoddef(cg_fn *f, cg_asm *a, uint32_t row, callee *c)
{
	md_methoddef def;
	md_method_sig *sig;
	if (md_methoddef_get(a->img, row, &def) || md_sig_method(a->img, def.sig, f->ar, &sig, NULL))
		return cg__fn_exclude(f, "invalid signature", "malformed callee signature");
	c->a = a;
	c->row = row;
	c->sig = sig;
	c->sig_asm = a;
	c->name = token_text(f, a, MD_TOKEN(MD_T_METHODDEF, row));
	if (!(def.flags & MD_METHOD_STATIC))
		return cg__fn_exclude(f, "call to an instance method",
				      "call to instance method %s is not supported", c->name);
	return 0;
}

/* The string members compiled inline: Length and the indexer. */
static int string_intrinsic_of(cg_asm *da, uint32_t trow, const char *name,
			       const md_method_sig *sig)
{
	const char *ns, *tn;
	if (!da->is_corlib || md_type_name(da->img, MD_TOKEN(MD_T_TYPEDEF, trow), &ns, &tn) ||
	    strcmp(ns, "System") != 0 || strcmp(tn, "String") != 0)
		return 0;
	if (strcmp(name, "get_Length") == 0 && sig->nparams == 0 && sig->ret->elem == MD_ELEM_I4)
		return 1;
	if (strcmp(name, "get_Chars") == 0 && sig->nparams == 1 &&
	    sig->params[0]->elem == MD_ELEM_I4 && sig->ret->elem == MD_ELEM_CHAR)
		return 2;
	return 0;
}

static int resolve_memberref(cg_fn *f, uint32_t token, callee *c)
{
	cg_asm *a = f->a;
	uint32_t row = MD_TOKEN_ROW(token);
	uint32_t parent = md_get(a->img, MD_T_MEMBERREF, row, MD_MEMBERREF_CLASS);
	const char *name = md_string(a->img, md_get(a->img, MD_T_MEMBERREF, row, MD_MEMBERREF_NAME));
	md_blob blob;
	md_method_sig *sig;
	c->name = token_text(f, a, token);
	if (md_blob_get(a->img, md_get(a->img, MD_T_MEMBERREF, row, MD_MEMBERREF_SIGNATURE), &blob) ||
	    md_sig_method(a->img, blob, f->ar, &sig, NULL))
		return cg__fn_exclude(f, "invalid signature", "malformed signature of %s", c->name);
	if (MD_TOKEN_TABLE(parent) == MD_T_TYPESPEC)
		return cg__fn_exclude(f, "call into a generic type",
				      "call to %s of a generic type instance is not supported", c->name);
	if (MD_TOKEN_TABLE(parent) != MD_T_TYPEREF && MD_TOKEN_TABLE(parent) != MD_T_TYPEDEF)
		return cg__fn_exclude(f, "varargs", "call to %s (vararg or module method) is not "
				      "supported", c->name);
	cg_asm *da;
	uint32_t trow;
	const char *why;
	if (cg__asm_resolve_type(f->job, a, parent, f->ar, &da, &trow, &why))
		return cg__fn_exclude(f, "unresolved call", "%s: %s", c->name, why);
	if (sig->callconv & MD_CC_HASTHIS) {
		c->string_op = string_intrinsic_of(da, trow, name, sig);
		if (c->string_op)
			return 0;
		return cg__fn_exclude(f, "call to an instance method",
				      "call to instance method %s is not supported", c->name);
	}
	if (da->is_corlib) {
		const char *ns, *tn;
		md_type_name(da->img, MD_TOKEN(MD_T_TYPEDEF, trow), &ns, &tn);
		char full[256];
		snprintf(full, sizeof full, "%s%s%s", ns, *ns ? "." : "", tn);
		c->helper = bcl_helper(full, name, sig);
		if (c->helper) {
			c->sig = sig;
			c->sig_asm = a;
			return 0;
		}
	}
	uint32_t mrow = find_method(f, da, trow, name, a, blob, sig);
	if (!mrow)
		return cg__fn_exclude(f, "unresolved call", "%s: no such method in %s",
				      sig_text(a, sig, c->name, f->ar), da->name);
	if (da->is_bcl && da != f->a)
		return cg__fn_exclude(f, "call into the class library",
				      "%s is a class library method that is not a runtime intrinsic",
				      sig_text(a, sig, c->name, f->ar));
	return resolve_methoddef(f, da, mrow, c);
}

static int resolve_callee(cg_fn *f, uint32_t token, callee *c)
{
	memset(c, 0, sizeof *c);
	switch (MD_TOKEN_TABLE(token)) {
	case MD_T_METHODDEF:
		if (MD_TOKEN_ROW(token) == 0 ||
		    MD_TOKEN_ROW(token) > md_row_count(f->a->img, MD_T_METHODDEF))
			return cg__fn_exclude(f, "invalid IL", "invalid IL: bad method token 0x%08x",
					      token);
		return resolve_methoddef(f, f->a, MD_TOKEN_ROW(token), c);
	case MD_T_MEMBERREF:
		if (MD_TOKEN_ROW(token) == 0 ||
		    MD_TOKEN_ROW(token) > md_row_count(f->a->img, MD_T_MEMBERREF))
			break;
		return resolve_memberref(f, token, c);
	case MD_T_METHODSPEC:
		return cg__fn_exclude(f, "generic method", "call to an instance of a generic "
				      "method (%s) is not supported", token_text(f, f->a,
				      md_get(f->a->img, MD_T_METHODSPEC, MD_TOKEN_ROW(token),
					     MD_METHODSPEC_METHOD)));
	default:
		break;
	}
	return cg__fn_exclude(f, "invalid IL", "invalid IL: bad method token 0x%08x", token);
}

/* A function of another image, referenced weakly (NULL when absent). */
static LLVMValueRef cg__weak_function(cg_mod *m, const char *sym, LLVMTypeRef fnty)
{
	LLVMValueRef fn = cg__function(m, sym, fnty);
	LLVMSetLinkage(fn, LLVMExternalWeakLinkage);
	return fn;
}

/* code, or when it is NULL what ngrt_bind_import(self, idx) returns (the
 * runtime binds the import, or reports why it cannot). */
static LLVMValueRef cg__bind_if_null(cg_fn *f, LLVMValueRef code, uint32_t idx)
{
	LLVMBasicBlockRef here = LLVMGetInsertBlock(B);
	LLVMBasicBlockRef bind = LLVMAppendBasicBlockInContext(M->ctx, f->fn, "bind");
	LLVMBasicBlockRef go = LLVMAppendBasicBlockInContext(M->ctx, f->fn, "call");
	LLVMBuildCondBr(B, LLVMBuildIsNull(B, code, ""), bind, go);
	LLVMPositionBuilderAtEnd(B, bind);
	LLVMTypeRef ps[] = { M->t_ptr, M->t_i32 };
	LLVMTypeRef bty = LLVMFunctionType(M->t_ptr, ps, 2, 0);
	LLVMValueRef args[] = { M->manifest, LLVMConstInt(M->t_i32, idx, 0) };
	LLVMValueRef bound = LLVMBuildCall2(B, bty, cg__function(M, "ngrt_bind_import", bty), args,
					    2, "");
	LLVMBuildBr(B, go);
	LLVMPositionBuilderAtEnd(B, go);
	LLVMValueRef phi = LLVMBuildPhi(B, M->t_ptr, "");
	LLVMValueRef vals[] = { code, bound };
	LLVMBasicBlockRef from[] = { here, bind };
	LLVMAddIncoming(phi, vals, from, 2);
	return phi;
}

/* What a soft-bound import of (dep, token) holds: the cell's value, bound
 * on first use (see ng_manifest_import in base/abi.h). */
static LLVMValueRef import_address(cg_fn *f, cg_asm *dep, uint32_t token)
{
	uint32_t idx = cg__job_import(f->job, dep, token);
	LLVMValueRef cells = LLVMGetNamedGlobal(M->mod, cg__job_import_cells(f->job));
	if (!cells) {
		cells = LLVMAddGlobal(M->mod, LLVMArrayType(M->t_ptr, 0), cg__job_import_cells(f->job));
		LLVMSetVisibility(cells, LLVMHiddenVisibility);
	}
	LLVMValueRef ix[] = { LLVMConstInt(M->t_i64, 0, 0), LLVMConstInt(M->t_i64, idx, 0) };
	LLVMValueRef cell = LLVMBuildInBoundsGEP2(B, LLVMGlobalGetValueType(cells), cells, ix, 2, "");
	return cg__bind_if_null(f, LLVMBuildLoad2(B, M->t_ptr, cell, "cell"), idx);
}

/* The address to call for a resolved (non-intrinsic) callee. */
static int callee_address(cg_fn *f, const callee *c, LLVMTypeRef fnty, LLVMValueRef *out)
{
	char sym[CG_SYMBOL_MAX];
	uint32_t token = MD_TOKEN(MD_T_METHODDEF, c->row);
	cg__symbol(sym, "ngm", c->a->mvid, token);
	if (c->a == cg__job_self(f->job)) {
		cg__mod_ref(M, c->row);
		LLVMValueRef fn = LLVMGetNamedFunction(M->mod, sym);
		if (!fn) {
			fn = LLVMAddFunction(M->mod, sym, fnty);
			LLVMSetVisibility(fn, LLVMProtectedVisibility);
		}
		*out = fn;
		return 0;
	}
	if (c->a->dep_index < 0)
		return cg__fn_exclude(f, "unresolved call", "%s: %s is not a direct "
				      "reference of the compiled assembly", c->name, c->a->name);
	LLVMValueRef code;
	if (c->a->hard_hint) {
		/* Hard binding: the dependency's symbol, weak so that an image whose
		 * method was excluded still loads; the import then reports it. */
		c->a->referenced = 1;
		uint32_t idx = cg__job_import(f->job, c->a, token);
		code = cg__bind_if_null(f, LLVMBuildBitCast(B, cg__weak_function(M, sym, fnty),
							    M->t_ptr, ""), idx);
	} else {
		code = import_address(f, c->a, token);
	}
	*out = LLVMBuildBitCast(B, code, LLVMPointerType(fnty, 0), "");
	return 0;
}

/* Pops the arguments, calls, pushes the result. */
static int emit_call(cg_fn *f, LLVMValueRef target, LLVMTypeRef fnty, cg_kind ret,
		     const cg_kind *params, uint32_t n, int tail)
{
	LLVMValueRef args[256];
	for (uint32_t i = n; i-- > 0;) {
		cg_sv v;
		if (cg__pop(f, &v) || cg__to_storage(f, v, params[i], &args[i]))
			return -1;
	}
	LLVMValueRef call;
	if (LLVMIsAFunction(target))
		call = cg__call(f, target, fnty, args, n);
	else
		call = LLVMBuildCall2(B, fnty, target, args, n, "");
	cg__fn_attrs(M, call, 1, ret, params, n);
	/* LLVM's tail marker promises the callee touches no alloca of the
	 * caller: only when no argument can point into this frame. */
	for (uint32_t i = 0; i < n && tail; i++)
		if (params[i] == CG_K_BYREF || params[i] == CG_K_PTR || params[i] == CG_K_I ||
		    params[i] == CG_K_U)
			tail = 0;
	if (tail)
		LLVMSetTailCall(call, 1);
	if (ret != CG_K_VOID) {
		cg_sv r = cg__from_storage(f, call, ret);
		cg__push(f, r.v, (cg_st)r.st);
		f->stack[f->sp - 1].obj = r.obj;
	}
	return 0;
}

/* s.Length and s[i] on a System.String (base/abi.h's ngrt_string). */
static int string_member(cg_fn *f, int op)
{
	cg_sv s, i = { 0 };
	if ((op == 2 && cg__pop(f, &i)) || cg__pop(f, &s))
		return -1;
	if (s.st != CG_ST_OBJ)
		return cg__fn_exclude(f, "invalid IL", "invalid IL: string member on a non-reference");
	cg__throw_if(f, LLVMBuildIsNull(B, s.v, ""), NGRT_EX_NULL_REFERENCE);
	LLVMValueRef off = LLVMConstInt(M->t_i64, offsetof(ngrt_string, length), 0);
	LLVMValueRef lp = LLVMBuildBitCast(B, LLVMBuildGEP2(B, M->t_i8, s.v, &off, 1, ""),
					   LLVMPointerType(M->t_i32, 0), "");
	LLVMValueRef len = LLVMBuildLoad2(B, M->t_i32, lp, "len");
	if (op == 1) {
		cg__push(f, len, CG_ST_I4);
		return 0;
	}
	if (i.st != CG_ST_I4)
		return cg__fn_exclude(f, "invalid IL", "invalid IL: string index is not an int32");
	cg__throw_if(f, LLVMBuildICmp(B, LLVMIntUGE, i.v, len, ""), NGRT_EX_INDEX_OUT_OF_RANGE);
	LLVMValueRef coff = LLVMConstInt(M->t_i64, offsetof(ngrt_string, chars), 0);
	LLVMValueRef chars = LLVMBuildBitCast(B, LLVMBuildGEP2(B, M->t_i8, s.v, &coff, 1, ""),
					      LLVMPointerType(M->t_i16, 0), "");
	LLVMValueRef idx = LLVMBuildZExt(B, i.v, M->t_i64, "");
	LLVMValueRef ch = LLVMBuildLoad2(B, M->t_i16, LLVMBuildGEP2(B, M->t_i16, chars, &idx, 1, ""), "");
	cg__push(f, LLVMBuildZExt(B, ch, M->t_i32, ""), CG_ST_I4);
	return 0;
}

int cg__op_call(cg_fn *f, const cg_insn *in)
{
	callee c;
	if (in->op == CG_OP_CALLVIRT && MD_TOKEN_TABLE(in->token) != MD_T_MEMBERREF)
		return cg__fn_exclude(f, "virtual call", "virtual calls are not supported");
	if (resolve_callee(f, in->token, &c))
		return -1;
	if (c.string_op)
		return string_member(f, c.string_op);
	if (in->op == CG_OP_CALLVIRT)
		return cg__fn_exclude(f, "virtual call", "virtual calls are not supported");
	cg_kind ret, params[256];
	if (cg__sig_kinds(f, c.sig_asm, c.sig, &ret, params, "callee"))
		return -1;
	LLVMTypeRef fnty = cg__fn_type(M, ret, params, c.sig->nparams);
	LLVMValueRef target;
	if (c.helper)
		target = cg__function(M, c.helper, fnty);
	else if (callee_address(f, &c, fnty, &target))
		return -1;
	return emit_call(f, target, fnty, ret, params, c.sig->nparams,
			 (in->prefixes & CG_PFX_TAIL) != 0);
}

/* jmp: leave this method for another with the same signature, passing the
 * current arguments. */
int cg__op_jmp(cg_fn *f, const cg_insn *in)
{
	callee c;
	if (f->sp != 0)
		return cg__fn_exclude(f, "invalid IL", "invalid IL: jmp with a non-empty stack");
	if (resolve_callee(f, in->token, &c))
		return -1;
	cg_kind ret, params[256];
	if (cg__sig_kinds(f, c.sig_asm, c.sig, &ret, params, "jmp target"))
		return -1;
	if (ret != f->ret || c.sig->nparams != f->nargs ||
	    memcmp(params, f->arg_k, f->nargs * sizeof *params) != 0)
		return cg__fn_exclude(f, "invalid IL", "invalid IL: jmp to %s with another signature",
				      c.name);
	LLVMTypeRef fnty = cg__fn_type(M, ret, params, c.sig->nparams);
	LLVMValueRef target;
	if (c.helper)
		target = cg__function(M, c.helper, fnty);
	else if (callee_address(f, &c, fnty, &target))
		return -1;
	for (uint32_t i = 0; i < f->nargs; i++) {
		LLVMValueRef v = LLVMBuildLoad2(B, cg__kind_type(M, f->arg_k[i]), f->arg_p[i], "");
		cg_sv sv = cg__from_storage(f, v, f->arg_k[i]);
		cg__push(f, sv.v, (cg_st)sv.st);
		f->stack[f->sp - 1].obj = sv.obj;
	}
	if (emit_call(f, target, fnty, ret, params, f->nargs, 1))
		return -1;
	return cg__emit_ret(f);
}

/* ldftn of a static method: its address as a native int. */
int cg__op_ldftn(cg_fn *f, const cg_insn *in)
{
	callee c;
	if (resolve_callee(f, in->token, &c))
		return -1;
	cg_kind ret, params[256];
	if (cg__sig_kinds(f, c.sig_asm, c.sig, &ret, params, "ldftn target"))
		return -1;
	LLVMTypeRef fnty = cg__fn_type(M, ret, params, c.sig->nparams);
	LLVMValueRef target;
	if (c.helper)
		return cg__fn_exclude(f, "function pointer", "the address of runtime intrinsic %s "
				      "cannot be taken", c.name);
	if (callee_address(f, &c, fnty, &target))
		return -1;
	cg__push(f, LLVMBuildPtrToInt(B, target, M->t_i64, ""), CG_ST_NI);
	return 0;
}

/* calli with a static (default calling convention) signature. */
int cg__op_calli(cg_fn *f, const cg_insn *in)
{
	md_method_sig *sig;
	bool is_locals = false;
	if (MD_TOKEN_TABLE(in->token) != MD_T_STANDALONESIG ||
	    md_sig_standalone(f->a->img, MD_TOKEN_ROW(in->token), f->ar, &sig, &is_locals, NULL) ||
	    is_locals)
		return cg__fn_exclude(f, "invalid IL", "invalid IL: calli without a method signature");
	if ((sig->callconv & MD_CC_KIND_MASK) != MD_CC_DEFAULT || (sig->callconv & MD_CC_HASTHIS))
		return cg__fn_exclude(f, "function pointer", "calli with an unmanaged or instance "
				      "calling convention is not supported");
	cg_kind ret, params[256];
	if (cg__sig_kinds(f, f->a, sig, &ret, params, "calli target"))
		return -1;
	cg_sv fp;
	if (cg__pop(f, &fp))
		return -1;
	if (fp.st != CG_ST_NI)
		return cg__fn_exclude(f, "invalid IL", "invalid IL: calli target is not a native int");
	LLVMTypeRef fnty = cg__fn_type(M, ret, params, sig->nparams);
	LLVMValueRef target = LLVMBuildIntToPtr(B, fp.v, LLVMPointerType(fnty, 0), "");
	return emit_call(f, target, fnty, ret, params, sig->nparams, 0);
}

/* ---- return and profiling ---- */

void cg__profile_call(cg_fn *f, int leave)
{
	LLVMTypeRef ps[] = { M->t_ptr, M->t_i32 };
	LLVMTypeRef fty = LLVMFunctionType(M->t_void, ps, 2, 0);
	LLVMValueRef fn = cg__function(M, leave ? "ngrt_profile_leave" : "ngrt_profile_enter", fty);
	LLVMValueRef args[] = { M->manifest, LLVMConstInt(M->t_i32, f->token, 0) };
	LLVMBuildCall2(B, fty, fn, args, 2, "");
}

int cg__emit_ret(cg_fn *f)
{
	LLVMValueRef v = NULL;
	if (f->ret != CG_K_VOID) {
		cg_sv sv;
		if (cg__pop(f, &sv) || cg__to_storage(f, sv, f->ret, &v))
			return -1;
	}
	if (f->sp != 0)
		return cg__fn_exclude(f, "invalid IL", "invalid IL: %u values left on the stack at ret",
				      f->sp);
	if (cg__job_scenario(f->job) & NG_SCENARIO_PROFILE)
		cg__profile_call(f, 1);
	if (v)
		LLVMBuildRet(B, v);
	else
		LLVMBuildRetVoid(B);
	return 0;
}

/* ---- type initialisers ---- */

int cg__type_beforefieldinit(cg_asm *a, uint32_t type_row)
{
	md_typedef td;
	return md_typedef_get(a->img, type_row, &td) == 0 && (td.flags & MD_TYPE_BEFOREFIELDINIT);
}

void cg__cctor_check(cg_fn *f, cg_asm *a, uint32_t type_row)
{
	char state_sym[CG_SYMBOL_MAX], cctor_sym[CG_SYMBOL_MAX];
	int self = a == cg__job_self(f->job);
	uint32_t cctor_token = MD_TOKEN(MD_T_METHODDEF, a->cctor_of[type_row]);
	cg__symbol(state_sym, "ngt", a->mvid, MD_TOKEN(MD_T_TYPEDEF, type_row));
	cg__symbol(cctor_sym, "ngm", a->mvid, cctor_token);
	LLVMTypeRef vty = LLVMFunctionType(M->t_void, NULL, 0, 0);
	LLVMValueRef state, cctor;
	if (self) {
		cg__mod_ref(M, a->cctor_of[type_row]);
		state = cg__data(M, state_sym, 1);
		cctor = LLVMGetNamedFunction(M->mod, cctor_sym);
		if (!cctor) {
			cctor = LLVMAddFunction(M->mod, cctor_sym, vty);
			LLVMSetVisibility(cctor, LLVMProtectedVisibility);
		}
	} else if (a->hard_hint) {
		/* The state is always defined; the .cctor is weak, reported
		 * through its import when the dependency excluded it. */
		a->referenced = 1;
		state = cg__data(M, state_sym, 0);
		uint32_t idx = cg__job_import(f->job, a, cctor_token);
		cctor = cg__bind_if_null(f, LLVMBuildBitCast(B, cg__weak_function(M, cctor_sym, vty),
							  M->t_ptr, ""), idx);
	} else {
		state = import_address(f, a, MD_TOKEN(MD_T_TYPEDEF, type_row));
		cctor = NULL;   /* bound only when the state says it has not run */
	}
	state = LLVMBuildBitCast(B, state, LLVMPointerType(M->t_i32, 0), "");
	LLVMValueRef st = LLVMBuildLoad2(B, M->t_i32, state, "");
	LLVMBasicBlockRef run = LLVMAppendBasicBlockInContext(M->ctx, f->fn, "cctor");
	LLVMBasicBlockRef done = LLVMAppendBasicBlockInContext(M->ctx, f->fn, "");
	LLVMBuildCondBr(B, LLVMBuildICmp(B, LLVMIntEQ, st, LLVMConstInt(M->t_i32, 2, 0), ""), done,
			run);
	LLVMPositionBuilderAtEnd(B, run);
	if (!cctor)
		cctor = import_address(f, a, cctor_token);
	LLVMTypeRef ps[] = { LLVMPointerType(M->t_i32, 0), LLVMPointerType(vty, 0) };
	LLVMTypeRef rty = LLVMFunctionType(M->t_void, ps, 2, 0);
	LLVMValueRef args[] = { state, LLVMBuildBitCast(B, cctor, LLVMPointerType(vty, 0), "") };
	LLVMBuildCall2(B, rty, cg__function(M, "ngrt_run_cctor", rty), args, 2, "");
	LLVMBuildBr(B, done);
	LLVMPositionBuilderAtEnd(B, done);
}

/* Remembers a beforefieldinit type for the prologue. */
static int add_init(cg_fn *f, cg_asm *a, uint32_t row)
{
	for (uint32_t i = 0; i < f->ninit; i++)
		if (f->init_asm[i] == a && f->init_row[i] == row)
			return 0;
	if (f->ninit == 32)
		return cg__fn_exclude(f, "too many type initialisers",
				      "statics of more than 32 types with initialisers");
	f->init_asm[f->ninit] = a;
	f->init_row[f->ninit++] = row;
	return 0;
}

/* ---- static fields ---- */

typedef struct field {
	cg_asm *a;
	uint32_t row;
	cg_kind kind;
} field;

static int find_field(cg_fn *f, cg_asm *a, uint32_t type_row, const char *name, uint32_t *out)
{
	uint32_t first, end;
	md_typedef_fields(a->img, type_row, &first, &end);
	for (uint32_t pos = first; pos < end; pos++) {
		uint32_t row = md_field_at(a->img, pos);
		if (strcmp(md_string(a->img, md_get(a->img, MD_T_FIELD, row, MD_FIELD_NAME)), name) == 0) {
			*out = row;
			return 0;
		}
	}
	return cg__fn_exclude(f, "unresolved field", "field %s not found in %s", name, a->name);
}

static int resolve_field(cg_fn *f, uint32_t token, field *out)
{
	cg_asm *a = f->a;
	if (MD_TOKEN_TABLE(token) == MD_T_FIELD) {
		out->a = a;
		out->row = MD_TOKEN_ROW(token);
		if (out->row == 0 || out->row > md_row_count(a->img, MD_T_FIELD))
			return cg__fn_exclude(f, "invalid IL", "invalid IL: bad field token 0x%08x", token);
	} else if (MD_TOKEN_TABLE(token) == MD_T_MEMBERREF && MD_TOKEN_ROW(token) != 0 &&
		   MD_TOKEN_ROW(token) <= md_row_count(a->img, MD_T_MEMBERREF)) {
		uint32_t row = MD_TOKEN_ROW(token);
		uint32_t parent = md_get(a->img, MD_T_MEMBERREF, row, MD_MEMBERREF_CLASS);
		const char *name = md_string(a->img, md_get(a->img, MD_T_MEMBERREF, row,
							    MD_MEMBERREF_NAME));
		const char *why;
		uint32_t trow;
		if (MD_TOKEN_TABLE(parent) == MD_T_TYPESPEC)
			return cg__fn_exclude(f, "generic type", "field %s of a generic type instance "
					      "is not supported", name);
		if (cg__asm_resolve_type(f->job, a, parent, f->ar, &out->a, &trow, &why))
			return cg__fn_exclude(f, "unresolved field", "field %s: %s", name, why);
		if (find_field(f, out->a, trow, name, &out->row))
			return -1;
	} else {
		return cg__fn_exclude(f, "invalid IL", "invalid IL: bad field token 0x%08x", token);
	}
	cg_asm *fa = out->a;
	uint32_t flags = md_get(fa->img, MD_T_FIELD, out->row, MD_FIELD_FLAGS);
	const char *fname = token_text(f, fa, MD_TOKEN(MD_T_FIELD, out->row));
	if (!(flags & MD_FIELD_STATIC))
		return cg__fn_exclude(f, "instance field", "instance field %s is not supported", fname);
	if (flags & (MD_FIELD_LITERAL | MD_FIELD_HASFIELDRVA))
		return cg__fn_exclude(f, "static field with data", "static field %s has %s",
				      fname, flags & MD_FIELD_LITERAL ? "no storage (literal)"
								      : "initial data (RVA)");
	if (md_attr_find(fa->img, MD_TOKEN(MD_T_FIELD, out->row), "System", "ThreadStaticAttribute"))
		return cg__fn_exclude(f, "thread-static field",
				      "thread-static field %s is not supported", fname);
	md_blob blob;
	md_type *t;
	const char *why, *cat;
	if (md_blob_get(fa->img, md_get(fa->img, MD_T_FIELD, out->row, MD_FIELD_SIGNATURE), &blob) ||
	    md_sig_field(fa->img, blob, f->ar, &t, NULL))
		return cg__fn_exclude(f, "invalid signature", "malformed signature of field %s", fname);
	if (cg__asm_kind(f->job, fa, t, f->ar, &out->kind, &why, &cat))
		return cg__fn_exclude(f, cat, "static field %s: %s", fname, why);
	if (out->kind == CG_K_BYREF || out->kind == CG_K_VOID)
		return cg__fn_exclude(f, "invalid signature", "static field %s of a byref type", fname);
	if (fa != f->a && fa->is_bcl)
		return cg__fn_exclude(f, "static field of the class library",
				      "static field %s of the class library is not supported", fname);
	if (fa != f->a && fa->dep_index < 0)
		return cg__fn_exclude(f, "static field of another assembly",
				      "static field %s: %s is not a direct reference of the compiled "
				      "assembly", fname, fa->name);
	return 0;
}

/* The type initialiser an access to a static of (a, type) needs. */
static int field_init(cg_fn *f, cg_asm *a, uint32_t type_row)
{
	if (!type_row || !a->cctor_of[type_row])
		return 0;
	if (cg__type_beforefieldinit(a, type_row))
		return add_init(f, a, type_row);
	if (a == f->a && type_row == f->owner)
		return 0;   /* the prologue ran it */
	cg__cctor_check(f, a, type_row);
	return 0;
}

int cg__op_static_field(cg_fn *f, const cg_insn *in)
{
	field fd;
	if (resolve_field(f, in->token, &fd))
		return -1;
	if (field_init(f, fd.a, md_field_owner(fd.a->img, fd.row)))
		return -1;
	char sym[CG_SYMBOL_MAX];
	cg__symbol(sym, "ngs", fd.a->mvid, MD_TOKEN(MD_T_FIELD, fd.row));
	int self = fd.a == f->a;
	LLVMValueRef g;
	if (self || fd.a->hard_hint) {
		if (!self)
			fd.a->referenced = 1;
		g = cg__data(M, sym, self);
	} else {
		g = import_address(f, fd.a, MD_TOKEN(MD_T_FIELD, fd.row));
	}
	LLVMTypeRef t = cg__kind_type(M, fd.kind);
	LLVMValueRef p = LLVMBuildBitCast(B, g, LLVMPointerType(t, 0), "");
	if (in->op == CG_OP_LDSFLDA) {
		cg__push(f, LLVMBuildBitCast(B, g, M->t_ptr, ""), CG_ST_REF);
		return 0;
	}
	if (in->op == CG_OP_LDSFLD) {
		LLVMValueRef v = LLVMBuildLoad2(B, t, p, "");
		if (in->prefixes & CG_PFX_VOLATILE)
			LLVMSetVolatile(v, 1);
		cg_sv sv = cg__from_storage(f, v, fd.kind);
		cg__push(f, sv.v, (cg_st)sv.st);
		f->stack[f->sp - 1].obj = sv.obj;
		return 0;
	}
	cg_sv v;
	LLVMValueRef s;
	if (cg__pop(f, &v) || cg__to_storage(f, v, fd.kind, &s))
		return -1;
	LLVMValueRef st = LLVMBuildStore(B, s, p);
	if (in->prefixes & CG_PFX_VOLATILE)
		LLVMSetVolatile(st, 1);
	return 0;
}

/* ---- string literals ---- */

static LLVMValueRef string_cell(cg_fn *f, uint32_t idx, const uint8_t *chars, uint32_t len)
{
	cg_mod *m = M;
	if ((m->str_used + 1) * 2 > m->str_cap) {
		uint32_t cap = m->str_cap ? m->str_cap * 2 : 64;
		uint32_t *keys = ng_arena_alloc(&m->arena, cap * sizeof *keys);
		LLVMValueRef *cells = ng_arena_alloc(&m->arena, cap * sizeof *cells);
		for (uint32_t i = 0; i < m->str_cap; i++) {
			if (!m->str_keys[i])
				continue;
			uint32_t j = (m->str_keys[i] * 2654435761u) & (cap - 1);
			while (keys[j])
				j = (j + 1) & (cap - 1);
			keys[j] = m->str_keys[i];
			cells[j] = m->str_cells[i];
		}
		m->str_keys = keys, m->str_cells = cells, m->str_cap = cap;
	}
	uint32_t j = (idx * 2654435761u) & (m->str_cap - 1);
	while (m->str_keys[j]) {
		if (m->str_keys[j] == idx)
			return m->str_cells[j];
		j = (j + 1) & (m->str_cap - 1);
	}
	LLVMValueRef cell = LLVMAddGlobal(m->mod, m->t_ptr, "ngen.str.cell");
	LLVMSetInitializer(cell, LLVMConstNull(m->t_ptr));
	LLVMSetLinkage(cell, LLVMInternalLinkage);
	m->str_keys[j] = idx;
	m->str_cells[j] = cell;
	m->str_used++;
	(void)chars, (void)len;
	return cell;
}

static LLVMValueRef string_chars(cg_fn *f, const uint8_t *chars, uint32_t len)
{
	LLVMValueRef *units = ng_arena_alloc(f->ar, ((size_t)len + 1) * sizeof *units);
	for (uint32_t i = 0; i < len; i++)
		units[i] = LLVMConstInt(M->t_i16, (uint64_t)chars[2 * i] | (uint64_t)chars[2 * i + 1] << 8, 0);
	units[len] = LLVMConstInt(M->t_i16, 0, 0);
	LLVMValueRef init = LLVMConstArray(M->t_i16, units, len + 1);
	LLVMValueRef g = LLVMAddGlobal(M->mod, LLVMTypeOf(init), "ngen.str");
	LLVMSetInitializer(g, init);
	LLVMSetLinkage(g, LLVMPrivateLinkage);
	LLVMSetGlobalConstant(g, 1);
	LLVMSetUnnamedAddress(g, LLVMGlobalUnnamedAddr);
	return LLVMConstBitCast(g, LLVMPointerType(M->t_i16, 0));
}

int cg__op_ldstr(cg_fn *f, const cg_insn *in)
{
	if ((in->token >> 24) != MD_TOKEN_STRING)
		return cg__fn_exclude(f, "invalid IL", "invalid IL: ldstr token 0x%08x", in->token);
	const uint8_t *chars;
	uint32_t len;
	uint32_t idx = in->token & 0xffffff;
	if (md_user_string(f->a->img, idx, &chars, &len, NULL))
		return cg__fn_exclude(f, "invalid IL", "invalid IL: ldstr of a bad #US index 0x%x", idx);
	LLVMValueRef cell = string_cell(f, idx, chars, len);
	LLVMValueRef cur = LLVMBuildLoad2(B, M->t_ptr, cell, "");
	LLVMBasicBlockRef here = LLVMGetInsertBlock(B);
	LLVMBasicBlockRef make = LLVMAppendBasicBlockInContext(M->ctx, f->fn, "ldstr");
	LLVMBasicBlockRef done = LLVMAppendBasicBlockInContext(M->ctx, f->fn, "");
	LLVMBuildCondBr(B, LLVMBuildIsNull(B, cur, ""), make, done);
	LLVMPositionBuilderAtEnd(B, make);
	LLVMTypeRef ps[] = { LLVMPointerType(M->t_ptr, 0), LLVMPointerType(M->t_i16, 0), M->t_i32 };
	LLVMTypeRef fty = LLVMFunctionType(M->t_ptr, ps, 3, 0);
	LLVMValueRef args[] = { cell, string_chars(f, chars, len), LLVMConstInt(M->t_i32, len, 0) };
	LLVMValueRef made = LLVMBuildCall2(B, fty, cg__function(M, "ngrt_ldstr", fty), args, 3, "");
	LLVMBuildBr(B, done);
	LLVMPositionBuilderAtEnd(B, done);
	LLVMValueRef phi = LLVMBuildPhi(B, M->t_ptr, "");
	LLVMValueRef vals[] = { cur, made };
	LLVMBasicBlockRef from[] = { here, make };
	LLVMAddIncoming(phi, vals, from, 2);
	cg__push_obj(f, phi, CG_K_STRING);
	return 0;
}
