/* compiler/cg_method.c - one method to one LLVM function.
 *
 * The order of work: check what the metadata says (static, not generic, no
 * exception clauses, first-tier signature and locals), decode the IL into
 * blocks, then build the function under a temporary name: an entry block
 * of allocas, a prologue block filled last (profiler hook, type
 * initialisers, whose list is only known once the body has been seen), and
 * one LLVM block per reachable IL block, translated in IL order with the
 * abstract stack of cg_fn.h. The function is verified on its own; only then
 * does it take its symbol (replacing the declaration callers in this
 * module may already use). Any failure deletes the function and excludes
 * the method with a reason, so an image never holds a half-translated
 * method.
 *
 * An excluded method still gets a symbol: a stub that reports it through
 * ngrt_method_excluded (weak; ngrt_throw(MissingMethod) when the runtime
 * lacks it), so compiled callers and hard-bound images link, and a call
 * that reaches it at run time fails with the method's name and reason. */
#include "compiler/cg_fn.h"

#include "base/err.h"
#include "base/strbuf.h"
#include "base/xmalloc.h"

#include <llvm-c/Analysis.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int cg__fn_exclude(cg_fn *f, const char *category, const char *fmt, ...)
{
	char text[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	if (f->reason)
		return -1;   /* the first reason wins */
	if (f->in)
		f->reason = ng_arena_printf(f->ar, "%s at IL_%04x: %s", cg_opcode_name(f->in->op),
					    f->in->offset, text);
	else
		f->reason = ng_arena_strdup(f->ar, text);
	f->category = category;
	return -1;
}

/* ---- types ---- */

LLVMTypeRef cg__kind_type(cg_mod *m, cg_kind k)
{
	switch (k) {
	case CG_K_VOID: return m->t_void;
	case CG_K_BOOL: case CG_K_I1: case CG_K_U1: return m->t_i8;
	case CG_K_CHAR: case CG_K_I2: case CG_K_U2: return m->t_i16;
	case CG_K_I4: case CG_K_U4: return m->t_i32;
	case CG_K_I8: case CG_K_U8: case CG_K_I: case CG_K_U: case CG_K_PTR: return m->t_i64;
	case CG_K_R4: return m->t_f32;
	case CG_K_R8: return m->t_f64;
	default: return m->t_ptr;
	}
}

cg_st cg__kind_st(cg_kind k)
{
	switch (k) {
	case CG_K_I8: case CG_K_U8: return CG_ST_I8;
	case CG_K_I: case CG_K_U: case CG_K_PTR: return CG_ST_NI;
	case CG_K_R4: return CG_ST_F4;
	case CG_K_R8: return CG_ST_F8;
	case CG_K_STRING: case CG_K_STRARRAY: case CG_K_OBJECT: return CG_ST_OBJ;
	case CG_K_BYREF: return CG_ST_REF;
	default: return CG_ST_I4;
	}
}

LLVMTypeRef cg__st_type(cg_mod *m, cg_st st)
{
	switch (st) {
	case CG_ST_I4: return m->t_i32;
	case CG_ST_I8: case CG_ST_NI: return m->t_i64;
	case CG_ST_F4: return m->t_f32;
	case CG_ST_F8: return m->t_f64;
	default: return m->t_ptr;
	}
}

static int kind_signed(cg_kind k)
{
	return k == CG_K_I1 || k == CG_K_I2 || k == CG_K_I4 || k == CG_K_I8 || k == CG_K_I;
}

cg_sv cg__from_storage(cg_fn *f, LLVMValueRef v, cg_kind k)
{
	cg_mod *m = f->m;
	cg_sv r = { v, (uint8_t)cg__kind_st(k), 0 };
	switch (k) {
	case CG_K_BOOL: case CG_K_U1: case CG_K_CHAR: case CG_K_U2:
		r.v = LLVMBuildZExt(m->b, v, m->t_i32, "");
		break;
	case CG_K_I1: case CG_K_I2:
		r.v = LLVMBuildSExt(m->b, v, m->t_i32, "");
		break;
	case CG_K_STRING: case CG_K_STRARRAY: case CG_K_OBJECT:
		r.obj = (uint8_t)k;
		break;
	default:
		break;
	}
	return r;
}

static const char *st_name(cg_st st)
{
	static const char *const names[] = { "int32", "int64", "native int", "float32",
					     "float64", "managed pointer", "object reference" };
	return st < CG_ST_COUNT_ ? names[st] : "?";
}

int cg__to_storage(cg_fn *f, cg_sv v, cg_kind k, LLVMValueRef *out)
{
	cg_mod *m = f->m;
	LLVMTypeRef t = cg__kind_type(m, k);
	cg_st want = cg__kind_st(k);
	int ok = 1;
	switch (want) {
	case CG_ST_I4:
		if (v.st == CG_ST_I4 || v.st == CG_ST_NI || v.st == CG_ST_I8)
			*out = t == LLVMTypeOf(v.v) ? v.v : LLVMBuildTrunc(m->b, v.v, t, "");
		else
			ok = 0;
		break;
	case CG_ST_I8: case CG_ST_NI:
		if (v.st == CG_ST_I8 || v.st == CG_ST_NI)
			*out = v.v;
		else if (v.st == CG_ST_I4)
			*out = kind_signed(k) || k == CG_K_PTR ? LLVMBuildSExt(m->b, v.v, t, "")
							       : LLVMBuildZExt(m->b, v.v, t, "");
		else if (v.st == CG_ST_REF || (v.st == CG_ST_OBJ && want == CG_ST_NI))
			*out = LLVMBuildPtrToInt(m->b, v.v, t, "");
		else
			ok = 0;
		break;
	case CG_ST_F4: case CG_ST_F8:
		if (v.st == CG_ST_F4 || v.st == CG_ST_F8)
			*out = v.st == want ? v.v : LLVMBuildFPCast(m->b, v.v, t, "");
		else
			ok = 0;
		break;
	case CG_ST_REF:
		if (v.st == CG_ST_REF)
			*out = v.v;
		else if (v.st == CG_ST_NI)
			*out = LLVMBuildIntToPtr(m->b, v.v, t, "");
		else
			ok = 0;
		break;
	case CG_ST_OBJ:
		if (v.st == CG_ST_OBJ)
			*out = v.v;
		else
			ok = 0;
		break;
	default:
		ok = 0;
	}
	if (!ok)
		return cg__fn_exclude(f, "invalid IL", "invalid IL: %s where %s is expected",
				      st_name((cg_st)v.st), st_name(want));
	return 0;
}

LLVMTypeRef cg__fn_type(cg_mod *m, cg_kind ret, const cg_kind *params, uint32_t n)
{
	LLVMTypeRef pt[256];
	for (uint32_t i = 0; i < n && i < 256; i++)
		pt[i] = cg__kind_type(m, params[i]);
	return LLVMFunctionType(cg__kind_type(m, ret), pt, n < 256 ? n : 256, 0);
}

static LLVMAttributeRef ext_attr(cg_mod *m, cg_kind k)
{
	const char *name = NULL;
	switch (k) {
	case CG_K_BOOL: case CG_K_U1: case CG_K_CHAR: case CG_K_U2: name = "zeroext"; break;
	case CG_K_I1: case CG_K_I2: name = "signext"; break;
	default: return NULL;
	}
	unsigned id = LLVMGetEnumAttributeKindForName(name, strlen(name));
	return LLVMCreateEnumAttribute(m->ctx, id, 0);
}

void cg__fn_attrs(cg_mod *m, LLVMValueRef v, int is_call, cg_kind ret, const cg_kind *params,
		  uint32_t n)
{
	LLVMAttributeRef a = ext_attr(m, ret);
	if (a) {
		if (is_call)
			LLVMAddCallSiteAttribute(v, LLVMAttributeReturnIndex, a);
		else
			LLVMAddAttributeAtIndex(v, LLVMAttributeReturnIndex, a);
	}
	for (uint32_t i = 0; i < n; i++) {
		a = ext_attr(m, params[i]);
		if (!a)
			continue;
		if (is_call)
			LLVMAddCallSiteAttribute(v, i + 1, a);
		else
			LLVMAddAttributeAtIndex(v, i + 1, a);
	}
}

/* ---- the stack ---- */

void cg__push(cg_fn *f, LLVMValueRef v, cg_st st)
{
	if (f->sp == f->cap) {
		uint32_t cap = f->cap * 2 + 8;
		cg_sv *s = ng_arena_alloc(f->ar, cap * sizeof *s);
		if (f->sp)
			memcpy(s, f->stack, f->sp * sizeof *s);
		f->stack = s;
		f->cap = cap;
	}
	f->stack[f->sp++] = (cg_sv){ v, (uint8_t)st, st == CG_ST_OBJ ? CG_K_OBJECT : 0 };
}

void cg__push_obj(cg_fn *f, LLVMValueRef v, cg_kind obj)
{
	cg__push(f, v, CG_ST_OBJ);
	f->stack[f->sp - 1].obj = (uint8_t)obj;
}

int cg__pop(cg_fn *f, cg_sv *out)
{
	if (f->sp == 0)
		return cg__fn_exclude(f, "invalid IL", "invalid IL: evaluation stack underflow");
	*out = f->stack[--f->sp];
	return 0;
}

/* ---- helpers ---- */

LLVMValueRef cg__function(cg_mod *m, const char *name, LLVMTypeRef fnty)
{
	LLVMValueRef fn = LLVMGetNamedFunction(m->mod, name);
	if (!fn)
		fn = LLVMAddFunction(m->mod, name, fnty);
	return fn;
}

LLVMValueRef cg__call(cg_fn *f, LLVMValueRef callee, LLVMTypeRef fnty, LLVMValueRef *args,
		      unsigned n)
{
	cg_mod *m = f->m;
	LLVMValueRef target = callee;
	if (LLVMGlobalGetValueType(callee) != fnty)
		target = LLVMBuildBitCast(m->b, callee, LLVMPointerType(fnty, 0), "");
	return LLVMBuildCall2(m->b, fnty, target, args, n, "");
}

LLVMValueRef cg__intrinsic(cg_mod *m, const char *name, LLVMTypeRef ret, LLVMTypeRef *params,
			   unsigned n)
{
	LLVMValueRef fn = LLVMGetNamedFunction(m->mod, name);
	if (!fn)
		fn = LLVMAddFunction(m->mod, name, LLVMFunctionType(ret, params, n, 0));
	return fn;
}

LLVMValueRef cg__data(cg_mod *m, const char *symbol, int in_image)
{
	LLVMValueRef g = LLVMGetNamedGlobal(m->mod, symbol);
	if (!g) {
		g = LLVMAddGlobal(m->mod, m->t_i8, symbol);
		if (in_image)
			LLVMSetVisibility(g, LLVMProtectedVisibility);
	}
	return g;
}

void cg__throw_if(cg_fn *f, LLVMValueRef cond, ngrt_exception_kind kind)
{
	cg_mod *m = f->m;
	LLVMBasicBlockRef here = LLVMGetInsertBlock(m->b);
	if (!f->throw_bb[kind]) {
		LLVMBasicBlockRef bb = LLVMAppendBasicBlockInContext(m->ctx, f->fn, "throw");
		LLVMPositionBuilderAtEnd(m->b, bb);
		LLVMTypeRef p[] = { m->t_i32 };
		LLVMTypeRef fty = LLVMFunctionType(m->t_void, p, 1, 0);
		LLVMValueRef fn = cg__function(m, "ngrt_throw", fty);
		LLVMAddAttributeAtIndex(fn, LLVMAttributeFunctionIndex,
			LLVMCreateEnumAttribute(m->ctx,
				LLVMGetEnumAttributeKindForName("noreturn", 8), 0));
		LLVMValueRef arg = LLVMConstInt(m->t_i32, (unsigned)kind, 0);
		LLVMBuildCall2(m->b, fty, fn, &arg, 1, "");
		LLVMBuildUnreachable(m->b);
		f->throw_bb[kind] = bb;
	}
	LLVMPositionBuilderAtEnd(m->b, here);
	LLVMBasicBlockRef cont = LLVMAppendBasicBlockInContext(m->ctx, f->fn, "ok");
	LLVMBuildCondBr(m->b, cond, f->throw_bb[kind], cont);
	LLVMPositionBuilderAtEnd(m->b, cont);
}

/* ---- blocks and edges ---- */

static LLVMValueRef slot(cg_fn *f, uint32_t depth, cg_st st)
{
	if (!f->slots[depth][st])
		f->slots[depth][st] = LLVMBuildAlloca(f->ab, cg__st_type(f->m, st), "stk");
	return f->slots[depth][st];
}

/* Records or checks the stack at the entry of the block at `target` and
 * stores the current stack to the slots. Called before the terminator. */
int cg__flow_to(cg_fn *f, uint32_t target)
{
	int32_t bi = f->il.block_at[target];
	if (bi < 0)
		return cg__fn_exclude(f, "invalid IL", "invalid IL: no block at IL_%04x", target);
	cg_entry *e = &f->entry[bi];
	if (f->sp > 64)
		return cg__fn_exclude(f, "deep stack at a block boundary",
				      "%u values on the stack at a block boundary (at most 64)",
				      f->sp);
	if (e->depth < 0) {
		e->depth = (int)f->sp;
		e->st = ng_arena_alloc(f->ar, f->sp + 1);
		e->obj = ng_arena_alloc(f->ar, f->sp + 1);
		for (uint32_t i = 0; i < f->sp; i++) {
			e->st[i] = f->stack[i].st;
			e->obj[i] = f->stack[i].obj;
		}
	} else if ((uint32_t)e->depth != f->sp) {
		return cg__fn_exclude(f, "invalid IL", "invalid IL: %u values on the stack reach "
				      "IL_%04x, %d on another path", f->sp, target, e->depth);
	}
	for (uint32_t i = 0; i < f->sp; i++) {
		cg_sv v = f->stack[i];
		if (v.st != e->st[i])
			return cg__fn_exclude(f, "stack type mismatch at a join",
					      "%s on the stack where IL_%04x expects %s",
					      st_name((cg_st)v.st), target, st_name((cg_st)e->st[i]));
		if (e->obj[i] != v.obj)
			e->obj[i] = CG_K_OBJECT;
		LLVMBuildStore(f->m->b, v.v, slot(f, i, (cg_st)v.st));
	}
	return 0;
}

LLVMBasicBlockRef cg__block(cg_fn *f, uint32_t target)
{
	return f->bbs[f->il.block_at[target]];
}

static void enter_block(cg_fn *f, uint32_t bi)
{
	cg_entry *e = &f->entry[bi];
	f->sp = 0;
	if (e->depth < 0) {
		/* Reached only by backward branches: empty (III.1.7.5). */
		e->depth = 0;
		return;
	}
	for (int i = 0; i < e->depth; i++) {
		LLVMValueRef v = LLVMBuildLoad2(f->m->b, cg__st_type(f->m, (cg_st)e->st[i]),
						slot(f, (uint32_t)i, (cg_st)e->st[i]), "");
		cg__push(f, v, (cg_st)e->st[i]);
		f->stack[f->sp - 1].obj = e->obj[i];
	}
}

static int translate_blocks(cg_fn *f)
{
	cg_mod *m = f->m;
	for (uint32_t bi = 0; bi < f->il.nblocks; bi++) {
		const cg_block *b = &f->il.blocks[bi];
		if (!b->reachable)
			continue;
		LLVMPositionBuilderAtEnd(m->b, f->bbs[bi]);
		enter_block(f, bi);
		for (uint32_t i = b->first; i < b->end; i++) {
			f->in = &f->il.insns[i];
			cg__debug_at(f, f->in->offset);
			if (cg__op(f, f->in))
				return -1;
		}
		const cg_insn *last = &f->il.insns[b->end - 1];
		if (!cg_insn_ends_block(last)) {
			/* Falls into the next block. */
			if (cg__flow_to(f, last->next))
				return -1;
			LLVMBuildBr(m->b, cg__block(f, last->next));
		}
	}
	f->in = NULL;
	return 0;
}

/* ---- metadata checks ---- */

static int has_generic_params(cg_asm *a, uint32_t token)
{
	uint32_t first, end;
	return md_find_rows(a->img, MD_T_GENERICPARAM, MD_GENERICPARAM_OWNER, token, &first,
			    &end) > 0;
}

int cg__sig_kinds(cg_fn *f, cg_asm *a, const md_method_sig *sig, cg_kind *ret,
		  cg_kind *params, const char *what)
{
	const char *why, *cat;
	if ((sig->callconv & MD_CC_KIND_MASK) == MD_CC_VARARG)
		return cg__fn_exclude(f, "varargs", "%s takes variable arguments (not supported)",
				      what);
	if (sig->callconv & MD_CC_GENERIC)
		return cg__fn_exclude(f, "generic method", "%s is generic (not supported)", what);
	if (cg__asm_kind(f->job, a, sig->ret, f->ar, ret, &why, &cat))
		return cg__fn_exclude(f, cat, "%s return type: %s", what, why);
	if (*ret == CG_K_BYREF)
		return cg__fn_exclude(f, "managed pointer return",
				      "%s returns a managed pointer (not supported)", what);
	if (sig->nparams > 255)
		return cg__fn_exclude(f, "too many parameters", "%s has %u parameters", what,
				      sig->nparams);
	for (uint32_t i = 0; i < sig->nparams; i++) {
		if (cg__asm_kind(f->job, a, sig->params[i], f->ar, &params[i], &why, &cat))
			return cg__fn_exclude(f, cat, "%s parameter %u: %s", what, i + 1, why);
		if (params[i] == CG_K_VOID)
			return cg__fn_exclude(f, "invalid signature", "%s parameter %u is void",
					      what, i + 1);
	}
	return 0;
}

static int check_method(cg_fn *f)
{
	cg_asm *a = f->a;
	if (!(f->def.flags & MD_METHOD_STATIC))
		return cg__fn_exclude(f, "instance method",
				      "instance methods are not supported");
	if (f->owner && has_generic_params(a, MD_TOKEN(MD_T_TYPEDEF, f->owner)))
		return cg__fn_exclude(f, "method of a generic type",
				      "methods of generic types are not supported");
	if (has_generic_params(a, f->token))
		return cg__fn_exclude(f, "generic method", "generic methods are not supported");
	md_blob blob = f->def.sig;
	if (md_sig_method(a->img, blob, f->ar, &f->sig, NULL))
		return cg__fn_exclude(f, "invalid signature", "malformed method signature");
	f->nargs = f->sig->nparams;
	f->arg_k = ng_arena_alloc(f->ar, (f->nargs + 1) * sizeof *f->arg_k);
	if (cg__sig_kinds(f, a, f->sig, &f->ret, f->arg_k, "method"))
		return -1;
	ng_diag d;
	int rc = md_method_body_get(a->img, f->row, f->ar, &f->body, &d);
	if (rc)
		return cg__fn_exclude(f, "invalid method body", "%s", ng_diag_text(&d));
	if (f->body.neh)
		return cg__fn_exclude(f, "exception handling",
				      "exception handling (%s clause at IL_%04x) is not supported",
				      f->body.eh[0].flags & MD_EH_CLAUSE_FINALLY ? "finally" :
				      f->body.eh[0].flags & MD_EH_CLAUSE_FAULT ? "fault" :
				      f->body.eh[0].flags & MD_EH_CLAUSE_FILTER ? "filter" : "catch",
				      f->body.eh[0].try_offset);
	return 0;
}

static int check_locals(cg_fn *f)
{
	if (!f->body.local_sig)
		return 0;
	md_method_sig *ls;
	bool is_locals = false;
	if (MD_TOKEN_TABLE(f->body.local_sig) != MD_T_STANDALONESIG ||
	    md_sig_standalone(f->a->img, MD_TOKEN_ROW(f->body.local_sig), f->ar, &ls, &is_locals,
			      NULL) || !is_locals)
		return cg__fn_exclude(f, "invalid signature", "malformed local variable signature");
	f->nlocals = ls->nparams;
	f->loc_k = ng_arena_alloc(f->ar, (f->nlocals + 1) * sizeof *f->loc_k);
	for (uint32_t i = 0; i < f->nlocals; i++) {
		const char *why, *cat;
		if (ls->params[i]->pinned)
			return cg__fn_exclude(f, "pinned local", "local %u is pinned (not supported)",
					      i);
		if (cg__asm_kind(f->job, f->a, ls->params[i], f->ar, &f->loc_k[i], &why, &cat))
			return cg__fn_exclude(f, cat, "local %u: %s", i, why);
	}
	return 0;
}

/* ---- building the function ---- */

static void make_allocas(cg_fn *f)
{
	cg_mod *m = f->m;
	f->arg_p = ng_arena_alloc(f->ar, (f->nargs + 1) * sizeof *f->arg_p);
	f->loc_p = ng_arena_alloc(f->ar, (f->nlocals + 1) * sizeof *f->loc_p);
	for (uint32_t i = 0; i < f->nargs; i++) {
		f->arg_p[i] = LLVMBuildAlloca(f->ab, cg__kind_type(m, f->arg_k[i]), "arg");
		LLVMBuildStore(f->ab, LLVMGetParam(f->fn, i), f->arg_p[i]);
	}
	/* Locals start zeroed, whatever localsinit says: Mono does the same. */
	for (uint32_t i = 0; i < f->nlocals; i++) {
		LLVMTypeRef t = cg__kind_type(m, f->loc_k[i]);
		f->loc_p[i] = LLVMBuildAlloca(f->ab, t, "loc");
		LLVMBuildStore(f->ab, LLVMConstNull(t), f->loc_p[i]);
	}
	cg__debug_vars(f);
}

static void make_blocks(cg_fn *f)
{
	cg_mod *m = f->m;
	f->bb_alloca = LLVMAppendBasicBlockInContext(m->ctx, f->fn, "entry");
	f->bb_prologue = LLVMAppendBasicBlockInContext(m->ctx, f->fn, "prologue");
	f->bbs = ng_arena_alloc(f->ar, f->il.nblocks * sizeof *f->bbs);
	f->entry = ng_arena_alloc(f->ar, f->il.nblocks * sizeof *f->entry);
	for (uint32_t i = 0; i < f->il.nblocks; i++) {
		f->entry[i].depth = -1;
		if (f->il.blocks[i].reachable)
			f->bbs[i] = LLVMAppendBasicBlockInContext(m->ctx, f->fn, "il");
	}
	f->ab = LLVMCreateBuilderInContext(m->ctx);
	LLVMPositionBuilderAtEnd(f->ab, f->bb_alloca);
}

static void finish_prologue(cg_fn *f)
{
	cg_mod *m = f->m;
	LLVMBuildBr(f->ab, f->bb_prologue);
	LLVMPositionBuilderAtEnd(m->b, f->bb_prologue);
	cg__debug_at(f, 0);
	if (cg__job_scenario(f->job) & NG_SCENARIO_PROFILE)
		cg__profile_call(f, 0);
	/* As Mono: the beforefieldinit types whose statics the body touches
	 * (Mono initialises them while it compiles the method, in IL order),
	 * then the method's own type (precise or not; Mono checks it when the
	 * compiled method starts). */
	for (uint32_t i = 0; i < f->ninit; i++)
		cg__cctor_check(f, f->init_asm[i], f->init_row[i]);
	if (f->owner && f->a->cctor_of[f->owner] && f->a->cctor_of[f->owner] != f->row)
		cg__cctor_check(f, f->a, f->owner);
	LLVMBuildBr(m->b, f->bbs[0]);
}

/* Gives the verified function its symbol, taking over a declaration. */
static void install(cg_fn *f)
{
	LLVMValueRef old = LLVMGetNamedFunction(f->m->mod, f->symbol);
	if (old) {
		LLVMValueRef repl = f->fn;
		if (LLVMGlobalGetValueType(old) != f->fnty)
			repl = LLVMConstBitCast(f->fn, LLVMTypeOf(old));
		LLVMReplaceAllUsesWith(old, repl);
		LLVMDeleteFunction(old);
	}
	LLVMSetValueName2(f->fn, f->symbol, strlen(f->symbol));
	LLVMSetLinkage(f->fn, LLVMExternalLinkage);
	LLVMSetVisibility(f->fn, LLVMProtectedVisibility);
}

static int verify(cg_fn *f)
{
	if (!LLVMVerifyFunction(f->fn, LLVMReturnStatusAction))
		return 0;
	/* LLVMVerifyFunction prints nothing with ReturnStatusAction; the module
	 * verifier gives the text. */
	char *msg = NULL;
	LLVMVerifyModule(f->m->mod, LLVMReturnStatusAction, &msg);
	char first[200] = "";
	if (msg) {
		snprintf(first, sizeof first, "%s", msg);
		char *nl = strchr(first, '\n');
		if (nl)
			*nl = '\0';
	}
	LLVMDisposeMessage(msg);
	f->in = NULL;
	return cg__fn_exclude(f, "internal: LLVM verification failed",
			      "internal: LLVM verification failed: %s", first);
}

static int build(cg_fn *f)
{
	cg_mod *m = f->m;
	f->fnty = cg__fn_type(m, f->ret, f->arg_k, f->nargs);
	f->fn = LLVMAddFunction(m->mod, "ngen.tmp", f->fnty);
	LLVMSetLinkage(f->fn, LLVMInternalLinkage);
	cg__fn_attrs(m, f->fn, 0, f->ret, f->arg_k, f->nargs);
	cg__debug_fn_begin(f);
	make_blocks(f);
	make_allocas(f);
	int rc = translate_blocks(f);
	if (rc == 0) {
		finish_prologue(f);
		/* Its retained-nodes list stays a temporary until finalised, which
		 * the verifier rejects. */
		if (f->di_sp)
			LLVMDIBuilderFinalizeSubprogram(m->dib, f->di_sp);
		rc = verify(f);
	}
	LLVMDisposeBuilder(f->ab);
	f->ab = NULL;
	LLVMClearInsertionPosition(m->b);
	if (f->di_sp)
		LLVMSetCurrentDebugLocation2(m->b, NULL);
	return rc;
}

/* ---- recursion unrolled ---- */

/* A self-recursive method up to this IL size gets twins; see
 * unroll_recursion. */
#define CG_UNROLL_IL_MAX 64

static int calls_itself(LLVMValueRef fn)
{
	for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(fn); bb; bb = LLVMGetNextBasicBlock(bb))
		for (LLVMValueRef i = LLVMGetFirstInstruction(bb); i; i = LLVMGetNextInstruction(i))
			if (LLVMIsACallInst(i) && LLVMGetCalledValue(i) == fn)
				return 1;
	return 0;
}

/* Points the calls in fn that go to from at to. */
static void redirect_calls(LLVMValueRef fn, LLVMValueRef from, LLVMValueRef to)
{
	for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(fn); bb; bb = LLVMGetNextBasicBlock(bb))
		for (LLVMValueRef i = LLVMGetFirstInstruction(bb); i; i = LLVMGetNextInstruction(i))
			if (LLVMIsACallInst(i) && LLVMGetCalledValue(i) == from)
				/* The callee is a call's last operand. */
				LLVMSetOperand(i, (unsigned)LLVMGetNumOperands(i) - 1, to);
}

/* Levels of recursion one native call covers (the method and its twins). */
#define CG_UNROLL_DEPTH 3

/* A small method that calls itself (recursive Fibonacci, tree walks) is
 * translated again as internal, always-inlined twins: the method's own
 * recursive calls go to twin 1, twin 1's to twin 2, and the last twin's back
 * to the method. The always-inliner then unrolls the recursion: a native
 * call covers CG_UNROLL_DEPTH levels, with fewer calls, prologues and
 * epilogues, and each level's semantics (type initialiser checks, profiler
 * hooks, overflow checks) unchanged. Unlike tail-recursion elimination it
 * keeps a native frame per CG_UNROLL_DEPTH levels, so unbounded recursion
 * still overflows the stack as under Mono. Only in optimised images; a twin
 * that fails to build is dropped with the ones after it. */
static void unroll_recursion(cg_fn *f)
{
	if (f->body.code_size > CG_UNROLL_IL_MAX || f->di_sp ||
	    (cg__job_scenario(f->job) & NG_SCENARIO_DEBUG) ||
	    cg__pipeline_default() == CG_PIPELINE_NONE || !calls_itself(f->fn))
		return;
	/* Built last first: each twin is built calling the method, then its
	 * calls are pointed at the twin built before it. */
	LLVMValueRef next = f->fn;
	for (int k = CG_UNROLL_DEPTH - 1; k >= 1; k--) {
		cg_fn t = { .m = f->m, .job = f->job, .a = f->a, .ar = f->ar, .row = f->row,
			    .token = f->token, .owner = f->owner, .def = f->def, .sig = f->sig,
			    .body = f->body, .il = f->il, .symbol = f->symbol, .ret = f->ret,
			    .nargs = f->nargs, .nlocals = f->nlocals, .arg_k = f->arg_k,
			    .loc_k = f->loc_k };
		if (build(&t)) {
			if (t.fn)
				LLVMDeleteFunction(t.fn);
			break;
		}
		char name[CG_SYMBOL_MAX + 16];
		snprintf(name, sizeof name, "%s.rec%d", f->symbol, k);
		LLVMSetValueName2(t.fn, name, strlen(name));
		LLVMAddAttributeAtIndex(t.fn, LLVMAttributeFunctionIndex,
			LLVMCreateEnumAttribute(f->m->ctx,
				LLVMGetEnumAttributeKindForName("alwaysinline", 12), 0));
		if (next != f->fn)
			redirect_calls(t.fn, f->fn, next);
		next = t.fn;
	}
	if (next != f->fn)
		redirect_calls(f->fn, f->fn, next);
}

int cg__method_compile(cg_mod *m, cg_asm *a, uint32_t row, const char *symbol, ng_arena *scratch,
		       cg_method_state *out)
{
	cg_fn f = { .m = m, .job = m->job, .a = a, .ar = scratch, .row = row,
		    .token = MD_TOKEN(MD_T_METHODDEF, row), .symbol = symbol };
	f.owner = a->owner_of[row];
	md_methoddef_get(a->img, row, &f.def);
	const char *why = NULL;
	int rc = check_method(&f);
	if (rc == 0)
		rc = check_locals(&f);
	if (rc == 0 && cg_il_decode(f.body.code, f.body.code_size, scratch, &f.il, &why))
		rc = cg__fn_exclude(&f, "invalid IL", "%s", why);
	if (rc == 0)
		rc = build(&f);
	if (rc == 0) {
		install(&f);
		unroll_recursion(&f);
		out->status = NG_METHOD_COMPILED;
		return 0;
	}
	if (f.fn)
		LLVMDeleteFunction(f.fn);
	out->status = NG_METHOD_EXCLUDED;
	out->reason = ng_arena_strdup(&m->arena, f.reason ? f.reason : "internal: no reason");
	out->category = f.category ? f.category : "internal";
	return 1;
}

void cg__mod_ref(cg_mod *m, uint32_t row)
{
	if (m->nrefs == m->caprefs) {
		uint32_t cap = m->caprefs ? m->caprefs * 2 : 64;
		uint32_t *r = ng_arena_alloc(&m->arena, cap * sizeof *r);
		if (m->nrefs)
			memcpy(r, m->refs, m->nrefs * sizeof *r);
		m->refs = r;
		m->caprefs = cap;
	}
	m->refs[m->nrefs++] = row;
}

/* The stub of an excluded method; see the file comment. */
void cg__method_stub(cg_mod *m, uint32_t token, const char *symbol)
{
	LLVMValueRef fn = LLVMGetNamedFunction(m->mod, symbol);
	if (!fn)
		fn = LLVMAddFunction(m->mod, symbol, LLVMFunctionType(m->t_void, NULL, 0, 0));
	if (LLVMCountBasicBlocks(fn))
		return;
	LLVMSetLinkage(fn, LLVMExternalLinkage);
	LLVMSetVisibility(fn, LLVMProtectedVisibility);
	LLVMBasicBlockRef bb = LLVMAppendBasicBlockInContext(m->ctx, fn, "");
	LLVMBasicBlockRef weak_bb = LLVMAppendBasicBlockInContext(m->ctx, fn, "");
	LLVMBasicBlockRef fallback = LLVMAppendBasicBlockInContext(m->ctx, fn, "");
	LLVMBuilderRef b = LLVMCreateBuilderInContext(m->ctx);
	LLVMPositionBuilderAtEnd(b, bb);
	LLVMTypeRef p2[] = { m->t_ptr, m->t_i32 };
	LLVMTypeRef fty = LLVMFunctionType(m->t_void, p2, 2, 0);
	LLVMValueRef rep = LLVMGetNamedFunction(m->mod, "ngrt_method_excluded");
	if (!rep) {
		rep = LLVMAddFunction(m->mod, "ngrt_method_excluded", fty);
		LLVMSetLinkage(rep, LLVMExternalWeakLinkage);
	}
	LLVMValueRef present = LLVMBuildICmp(b, LLVMIntNE, LLVMBuildBitCast(b, rep, m->t_ptr, ""),
					     LLVMConstNull(m->t_ptr), "");
	LLVMBuildCondBr(b, present, weak_bb, fallback);
	LLVMPositionBuilderAtEnd(b, weak_bb);
	LLVMValueRef args[] = { m->manifest, LLVMConstInt(m->t_i32, token, 0) };
	LLVMBuildCall2(b, fty, rep, args, 2, "");
	LLVMBuildBr(b, fallback);
	LLVMPositionBuilderAtEnd(b, fallback);
	LLVMTypeRef p1[] = { m->t_i32 };
	LLVMTypeRef tty = LLVMFunctionType(m->t_void, p1, 1, 0);
	LLVMValueRef kind = LLVMConstInt(m->t_i32, NGRT_EX_MISSING_METHOD, 0);
	LLVMBuildCall2(b, tty, cg__function(m, "ngrt_throw", tty), &kind, 1, "");
	LLVMBuildUnreachable(b);
	LLVMDisposeBuilder(b);
}
