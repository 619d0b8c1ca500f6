/* compiler/cg_ops.c - the opcode switch: one CIL instruction to LLVM IR.
 *
 * Semantics follow ECMA-335 Partition III and, where the standard leaves a
 * choice, Mono on x86-64 (tests/compiler compares with it):
 *   - shift counts are masked to the operand width (x86 shl/sar/shr);
 *   - div and rem raise DivideByZeroException for a zero divisor and
 *     OverflowException for MinValue / -1 and MinValue % -1;
 *   - unchecked float to integer conversions give what Mono's code gives:
 *     cvttsd2si (0x80000000... for NaN and out of range) for int32 and
 *     int64 targets, truncation of those for the narrower ones, the 64-bit
 *     conversion truncated for uint32, and Mono's mono_fconv_u8 formula for
 *     uint64;
 *   - checked conversions raise OverflowException unless the value,
 *     truncated toward zero, fits (NaN never fits);
 *   - float32 arithmetic stays in single precision;
 *   - NaN compares false except in the .un forms and bne.un (III.1.5).
 * Every check is explicit IR branching to a cold block that calls
 * ngrt_throw. */
#include "compiler/cg_fn.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>


#define B (f->m->b)
#define M (f->m)

static LLVMValueRef ci32(cg_fn *f, long long v) { return LLVMConstInt(M->t_i32, (unsigned long long)v, 1); }
static LLVMValueRef ci64(cg_fn *f, long long v) { return LLVMConstInt(M->t_i64, (unsigned long long)v, 1); }

static int invalid(cg_fn *f, const char *what)
{
	return cg__fn_exclude(f, "invalid IL", "invalid IL: %s", what);
}

static int is_int(uint8_t st) { return st == CG_ST_I4 || st == CG_ST_I8 || st == CG_ST_NI; }
static int is_float(uint8_t st) { return st == CG_ST_F4 || st == CG_ST_F8; }

/* ---- arguments and locals ---- */

static int ldarg(cg_fn *f, uint32_t i)
{
	if (i >= f->nargs)
		return invalid(f, "argument index out of range");
	LLVMValueRef v = LLVMBuildLoad2(B, cg__kind_type(M, f->arg_k[i]), f->arg_p[i], "");
	cg_sv sv = cg__from_storage(f, v, f->arg_k[i]);
	cg__push(f, sv.v, (cg_st)sv.st);
	f->stack[f->sp - 1].obj = sv.obj;
	return 0;
}

static int ldloc(cg_fn *f, uint32_t i)
{
	if (i >= f->nlocals)
		return invalid(f, "local index out of range");
	LLVMValueRef v = LLVMBuildLoad2(B, cg__kind_type(M, f->loc_k[i]), f->loc_p[i], "");
	cg_sv sv = cg__from_storage(f, v, f->loc_k[i]);
	cg__push(f, sv.v, (cg_st)sv.st);
	f->stack[f->sp - 1].obj = sv.obj;
	return 0;
}

static int store_to(cg_fn *f, LLVMValueRef ptr, cg_kind k)
{
	cg_sv v;
	LLVMValueRef s;
	if (cg__pop(f, &v) || cg__to_storage(f, v, k, &s))
		return -1;
	LLVMBuildStore(B, s, ptr);
	return 0;
}

static int starg(cg_fn *f, uint32_t i)
{
	if (i >= f->nargs)
		return invalid(f, "argument index out of range");
	return store_to(f, f->arg_p[i], f->arg_k[i]);
}

static int stloc(cg_fn *f, uint32_t i)
{
	if (i >= f->nlocals)
		return invalid(f, "local index out of range");
	return store_to(f, f->loc_p[i], f->loc_k[i]);
}

static int ldaddr(cg_fn *f, LLVMValueRef *p, cg_kind *k, uint32_t n, uint32_t i)
{
	if (i >= n)
		return invalid(f, "index out of range");
	(void)k;
	cg__push(f, LLVMBuildBitCast(B, p[i], M->t_ptr, ""), CG_ST_REF);
	return 0;
}

/* ---- arithmetic ---- */

/* Brings two operands to one type for a binary operation (III.1.5 table
 * 2): int32 with native int widens, float32 with float64 widens. */
static int unify(cg_fn *f, cg_sv *a, cg_sv *b)
{
	if (a->st == b->st)
		return 0;
	if (a->st == CG_ST_I4 && b->st == CG_ST_NI) {
		a->v = LLVMBuildSExt(B, a->v, M->t_i64, "");
		a->st = CG_ST_NI;
		return 0;
	}
	if (a->st == CG_ST_NI && b->st == CG_ST_I4) {
		b->v = LLVMBuildSExt(B, b->v, M->t_i64, "");
		b->st = CG_ST_NI;
		return 0;
	}
	if (is_float(a->st) && is_float(b->st)) {
		if (a->st == CG_ST_F4)
			a->v = LLVMBuildFPExt(B, a->v, M->t_f64, "");
		else
			b->v = LLVMBuildFPExt(B, b->v, M->t_f64, "");
		a->st = b->st = CG_ST_F8;
		return 0;
	}
	return cg__fn_exclude(f, "invalid IL", "invalid IL: operands of different types");
}

static unsigned width(uint8_t st)
{
	return st == CG_ST_I4 ? 32 : 64;
}

/* Pointer arithmetic: managed pointer +/- integer, pointer - pointer. */
static int ref_arith(cg_fn *f, unsigned op, cg_sv a, cg_sv b)
{
	if (op == CG_OP_SUB && a.st == CG_ST_REF && b.st == CG_ST_REF) {
		LLVMValueRef d = LLVMBuildSub(B, LLVMBuildPtrToInt(B, a.v, M->t_i64, ""),
					      LLVMBuildPtrToInt(B, b.v, M->t_i64, ""), "");
		cg__push(f, d, CG_ST_NI);
		return 0;
	}
	if (op != CG_OP_ADD && op != CG_OP_SUB && op != CG_OP_ADD_OVF_UN && op != CG_OP_SUB_OVF_UN)
		return invalid(f, "arithmetic on a managed pointer");
	int is_sub = op == CG_OP_SUB || op == CG_OP_SUB_OVF_UN;
	if (b.st == CG_ST_REF) {
		if (is_sub)
			return invalid(f, "integer minus managed pointer");
		cg_sv t = a; a = b; b = t;
	}
	if (!is_int(b.st) || b.st == CG_ST_I8)
		return invalid(f, "managed pointer arithmetic with a non-native integer");
	LLVMValueRef idx = b.st == CG_ST_I4 ? LLVMBuildSExt(B, b.v, M->t_i64, "") : b.v;
	if (is_sub)
		idx = LLVMBuildNeg(B, idx, "");
	cg__push(f, LLVMBuildGEP2(B, M->t_i8, a.v, &idx, 1, ""), CG_ST_REF);
	return 0;
}

static LLVMValueRef with_overflow(cg_fn *f, const char *op, int is_signed, LLVMValueRef a,
				  LLVMValueRef b, unsigned w)
{
	char name[64];
	snprintf(name, sizeof name, "llvm.%c%s.with.overflow.i%u", is_signed ? 's' : 'u', op, w);
	LLVMTypeRef t = LLVMIntTypeInContext(M->ctx, w);
	LLVMTypeRef fields[] = { t, M->t_i1 };
	LLVMTypeRef rt = LLVMStructTypeInContext(M->ctx, fields, 2, 0);
	LLVMTypeRef ps[] = { t, t };
	LLVMValueRef fn = cg__intrinsic(M, name, rt, ps, 2);
	LLVMValueRef args[] = { a, b };
	LLVMValueRef r = LLVMBuildCall2(B, LLVMFunctionType(rt, ps, 2, 0), fn, args, 2, "");
	cg__throw_if(f, LLVMBuildExtractValue(B, r, 1, ""), NGRT_EX_OVERFLOW);
	return LLVMBuildExtractValue(B, r, 0, "");
}

static LLVMValueRef int_div(cg_fn *f, unsigned op, cg_sv a, cg_sv b)
{
	LLVMTypeRef t = LLVMTypeOf(a.v);
	LLVMValueRef zero = LLVMConstNull(t);
	cg__throw_if(f, LLVMBuildICmp(B, LLVMIntEQ, b.v, zero, ""), NGRT_EX_DIVIDE_BY_ZERO);
	if (op == CG_OP_DIV || op == CG_OP_REM) {
		unsigned w = width(a.st);
		LLVMValueRef min = LLVMConstInt(t, 1ull << (w - 1), 0);
		LLVMValueRef is_min = LLVMBuildICmp(B, LLVMIntEQ, a.v, min, "");
		LLVMValueRef is_m1 = LLVMBuildICmp(B, LLVMIntEQ, b.v, LLVMConstAllOnes(t), "");
		cg__throw_if(f, LLVMBuildAnd(B, is_min, is_m1, ""), NGRT_EX_OVERFLOW);
	}
	switch (op) {
	case CG_OP_DIV: return LLVMBuildSDiv(B, a.v, b.v, "");
	case CG_OP_DIV_UN: return LLVMBuildUDiv(B, a.v, b.v, "");
	case CG_OP_REM: return LLVMBuildSRem(B, a.v, b.v, "");
	default: return LLVMBuildURem(B, a.v, b.v, "");
	}
}

static int int_binop(cg_fn *f, unsigned op, cg_sv a, cg_sv b)
{
	LLVMValueRef r;
	unsigned w = width(a.st);
	switch (op) {
	case CG_OP_ADD: r = LLVMBuildAdd(B, a.v, b.v, ""); break;
	case CG_OP_SUB: r = LLVMBuildSub(B, a.v, b.v, ""); break;
	case CG_OP_MUL: r = LLVMBuildMul(B, a.v, b.v, ""); break;
	case CG_OP_AND: r = LLVMBuildAnd(B, a.v, b.v, ""); break;
	case CG_OP_OR: r = LLVMBuildOr(B, a.v, b.v, ""); break;
	case CG_OP_XOR: r = LLVMBuildXor(B, a.v, b.v, ""); break;
	case CG_OP_ADD_OVF: r = with_overflow(f, "add", 1, a.v, b.v, w); break;
	case CG_OP_ADD_OVF_UN: r = with_overflow(f, "add", 0, a.v, b.v, w); break;
	case CG_OP_SUB_OVF: r = with_overflow(f, "sub", 1, a.v, b.v, w); break;
	case CG_OP_SUB_OVF_UN: r = with_overflow(f, "sub", 0, a.v, b.v, w); break;
	case CG_OP_MUL_OVF: r = with_overflow(f, "mul", 1, a.v, b.v, w); break;
	case CG_OP_MUL_OVF_UN: r = with_overflow(f, "mul", 0, a.v, b.v, w); break;
	default: r = int_div(f, op, a, b); break;
	}
	cg__push(f, r, (cg_st)a.st);
	return 0;
}

static int float_binop(cg_fn *f, unsigned op, cg_sv a, cg_sv b)
{
	LLVMValueRef r;
	switch (op) {
	case CG_OP_ADD: r = LLVMBuildFAdd(B, a.v, b.v, ""); break;
	case CG_OP_SUB: r = LLVMBuildFSub(B, a.v, b.v, ""); break;
	case CG_OP_MUL: r = LLVMBuildFMul(B, a.v, b.v, ""); break;
	case CG_OP_DIV: r = LLVMBuildFDiv(B, a.v, b.v, ""); break;
	case CG_OP_REM: r = LLVMBuildFRem(B, a.v, b.v, ""); break;
	default:
		return invalid(f, "integer operation on floating-point operands");
	}
	cg__push(f, r, (cg_st)a.st);
	return 0;
}

static int binop(cg_fn *f, unsigned op)
{
	cg_sv a, b;
	if (cg__pop(f, &b) || cg__pop(f, &a))
		return -1;
	if (a.st == CG_ST_REF || b.st == CG_ST_REF)
		return ref_arith(f, op, a, b);
	if (a.st == CG_ST_OBJ || b.st == CG_ST_OBJ)
		return invalid(f, "arithmetic on an object reference");
	if (unify(f, &a, &b))
		return -1;
	return is_float(a.st) ? float_binop(f, op, a, b) : int_binop(f, op, a, b);
}

static int shift(cg_fn *f, unsigned op)
{
	cg_sv v, n;
	if (cg__pop(f, &n) || cg__pop(f, &v))
		return -1;
	if (!is_int(v.st) || (n.st != CG_ST_I4 && n.st != CG_ST_NI))
		return invalid(f, "shift of a non-integer");
	LLVMTypeRef t = LLVMTypeOf(v.v);
	LLVMValueRef c = n.v;
	if (LLVMTypeOf(c) != t)
		c = t == M->t_i64 ? LLVMBuildZExt(B, c, t, "") : LLVMBuildTrunc(B, c, t, "");
	/* x86 masks the count to the width, and so does Mono's code. */
	c = LLVMBuildAnd(B, c, LLVMConstInt(t, width(v.st) - 1, 0), "");
	LLVMValueRef r = op == CG_OP_SHL ? LLVMBuildShl(B, v.v, c, "")
			 : op == CG_OP_SHR ? LLVMBuildAShr(B, v.v, c, "")
					   : LLVMBuildLShr(B, v.v, c, "");
	cg__push(f, r, (cg_st)v.st);
	return 0;
}

static int unop(cg_fn *f, unsigned op)
{
	cg_sv v;
	if (cg__pop(f, &v))
		return -1;
	if (op == CG_OP_NEG && is_float(v.st)) {
		cg__push(f, LLVMBuildFNeg(B, v.v, ""), (cg_st)v.st);
		return 0;
	}
	if (!is_int(v.st))
		return invalid(f, op == CG_OP_NEG ? "neg of a non-number" : "not of a non-integer");
	cg__push(f, op == CG_OP_NEG ? LLVMBuildNeg(B, v.v, "") : LLVMBuildNot(B, v.v, ""),
		 (cg_st)v.st);
	return 0;
}

/* ---- comparisons and branches ---- */

enum { CMP_EQ, CMP_NE_UN, CMP_GT, CMP_GT_UN, CMP_GE, CMP_GE_UN, CMP_LT, CMP_LT_UN,
       CMP_LE, CMP_LE_UN };

static int compare(cg_fn *f, int cmp, LLVMValueRef *out)
{
	static const LLVMIntPredicate ip[] = { LLVMIntEQ, LLVMIntNE, LLVMIntSGT, LLVMIntUGT,
		LLVMIntSGE, LLVMIntUGE, LLVMIntSLT, LLVMIntULT, LLVMIntSLE, LLVMIntULE };
	static const LLVMRealPredicate fp[] = { LLVMRealOEQ, LLVMRealUNE, LLVMRealOGT,
		LLVMRealUGT, LLVMRealOGE, LLVMRealUGE, LLVMRealOLT, LLVMRealULT, LLVMRealOLE,
		LLVMRealULE };
	cg_sv a, b;
	if (cg__pop(f, &b) || cg__pop(f, &a))
		return -1;
	if (is_float(a.st) || is_float(b.st)) {
		if (!is_float(a.st) || !is_float(b.st) || unify(f, &a, &b))
			return invalid(f, "comparison of a float with a non-float");
		*out = LLVMBuildFCmp(B, fp[cmp], a.v, b.v, "");
		return 0;
	}
	/* References and pointers compare as addresses. */
	if (a.st == CG_ST_REF || a.st == CG_ST_OBJ) {
		a.v = LLVMBuildPtrToInt(B, a.v, M->t_i64, "");
		a.st = CG_ST_NI;
	}
	if (b.st == CG_ST_REF || b.st == CG_ST_OBJ) {
		b.v = LLVMBuildPtrToInt(B, b.v, M->t_i64, "");
		b.st = CG_ST_NI;
	}
	if (unify(f, &a, &b))
		return -1;
	*out = LLVMBuildICmp(B, ip[cmp], a.v, b.v, "");
	return 0;
}

static int cmp_op(cg_fn *f, int cmp)
{
	LLVMValueRef c;
	if (compare(f, cmp, &c))
		return -1;
	cg__push(f, LLVMBuildZExt(B, c, M->t_i32, ""), CG_ST_I4);
	return 0;
}

static int cond_branch(cg_fn *f, LLVMValueRef c, const cg_insn *in)
{
	if (cg__flow_to(f, in->target) || cg__flow_to(f, in->next))
		return -1;
	LLVMBuildCondBr(B, c, cg__block(f, in->target), cg__block(f, in->next));
	return 0;
}

static int branch_cmp(cg_fn *f, const cg_insn *in, int cmp)
{
	LLVMValueRef c;
	if (compare(f, cmp, &c))
		return -1;
	return cond_branch(f, c, in);
}

static int branch_bool(cg_fn *f, const cg_insn *in, int if_true)
{
	cg_sv v;
	if (cg__pop(f, &v))
		return -1;
	if (is_float(v.st))
		return invalid(f, "brtrue/brfalse on a float");
	LLVMValueRef c = LLVMBuildICmp(B, if_true ? LLVMIntNE : LLVMIntEQ, v.v,
				       LLVMConstNull(LLVMTypeOf(v.v)), "");
	return cond_branch(f, c, in);
}

static int branch(cg_fn *f, const cg_insn *in)
{
	if (cg__flow_to(f, in->target))
		return -1;
	LLVMBuildBr(B, cg__block(f, in->target));
	return 0;
}

static int op_switch(cg_fn *f, const cg_insn *in)
{
	cg_sv v;
	if (cg__pop(f, &v))
		return -1;
	if (v.st != CG_ST_I4 && v.st != CG_ST_NI)
		return invalid(f, "switch on a non-integer");
	if (cg__flow_to(f, in->next))
		return -1;
	for (uint32_t i = 0; i < in->ntargets; i++)
		if (cg__flow_to(f, in->targets[i]))
			return -1;
	LLVMValueRef sw = LLVMBuildSwitch(B, v.v, cg__block(f, in->next), in->ntargets);
	LLVMTypeRef t = LLVMTypeOf(v.v);
	for (uint32_t i = 0; i < in->ntargets; i++)
		LLVMAddCase(sw, LLVMConstInt(t, i, 0), cg__block(f, in->targets[i]));
	return 0;
}

/* ---- conversions ---- */

/* cvttsd2si: the integer indefinite value for NaN and out of range. */
static LLVMValueRef cvtt(cg_fn *f, LLVMValueRef d, unsigned w)
{
	LLVMTypeRef t = w == 32 ? M->t_i32 : M->t_i64;
	double lo = w == 32 ? -2147483649.0 : -9223372036854775808.0;
	double hi = w == 32 ? 2147483648.0 : 9223372036854775808.0;
	LLVMValueRef in_lo = w == 32 ? LLVMBuildFCmp(B, LLVMRealOGT, d, LLVMConstReal(M->t_f64, lo), "")
				     : LLVMBuildFCmp(B, LLVMRealOGE, d, LLVMConstReal(M->t_f64, lo), "");
	LLVMValueRef in_hi = LLVMBuildFCmp(B, LLVMRealOLT, d, LLVMConstReal(M->t_f64, hi), "");
	LLVMValueRef ok = LLVMBuildAnd(B, in_lo, in_hi, "");
	/* fptosi of an out-of-range value is poison, but select ignores the
	 * operand it does not choose. Freeze keeps it from spreading. */
	LLVMValueRef conv = LLVMBuildFreeze(B, LLVMBuildFPToSI(B, d, t, ""), "");
	return LLVMBuildSelect(B, ok, conv, LLVMConstInt(t, 1ull << (w - 1), 0), "");
}

/* Mono's mono_fconv_u8 on x86-64. */
static LLVMValueRef fconv_u8(cg_fn *f, LLVMValueRef d)
{
	LLVMValueRef two63 = LLVMConstReal(M->t_f64, 9223372036854775808.0);
	LLVMValueRef small = LLVMBuildFCmp(B, LLVMRealOLT, d, two63, "");
	LLVMValueRef a = cvtt(f, d, 64);
	LLVMValueRef b = LLVMBuildAdd(B, cvtt(f, LLVMBuildFSub(B, d, two63, ""), 64),
				      LLVMConstInt(M->t_i64, 1ull << 63, 0), "");
	return LLVMBuildSelect(B, small, a, b, "");
}

static LLVMValueRef narrow(cg_fn *f, LLVMValueRef v, unsigned bits, int is_signed)
{
	LLVMTypeRef t = LLVMIntTypeInContext(M->ctx, bits);
	LLVMValueRef n = LLVMBuildTrunc(B, v, t, "");
	return is_signed ? LLVMBuildSExt(B, n, M->t_i32, "") : LLVMBuildZExt(B, n, M->t_i32, "");
}

typedef struct conv_target {
	unsigned bits;     /* 8, 16, 32, 64 */
	int is_signed;
	cg_st st;          /* I4, I8 or NI */
} conv_target;

static conv_target target_of(unsigned op)
{
	switch (op) {
	case CG_OP_CONV_I1: case CG_OP_CONV_OVF_I1: case CG_OP_CONV_OVF_I1_UN: return (conv_target){ 8, 1, CG_ST_I4 };
	case CG_OP_CONV_U1: case CG_OP_CONV_OVF_U1: case CG_OP_CONV_OVF_U1_UN: return (conv_target){ 8, 0, CG_ST_I4 };
	case CG_OP_CONV_I2: case CG_OP_CONV_OVF_I2: case CG_OP_CONV_OVF_I2_UN: return (conv_target){ 16, 1, CG_ST_I4 };
	case CG_OP_CONV_U2: case CG_OP_CONV_OVF_U2: case CG_OP_CONV_OVF_U2_UN: return (conv_target){ 16, 0, CG_ST_I4 };
	case CG_OP_CONV_I4: case CG_OP_CONV_OVF_I4: case CG_OP_CONV_OVF_I4_UN: return (conv_target){ 32, 1, CG_ST_I4 };
	case CG_OP_CONV_U4: case CG_OP_CONV_OVF_U4: case CG_OP_CONV_OVF_U4_UN: return (conv_target){ 32, 0, CG_ST_I4 };
	case CG_OP_CONV_I8: case CG_OP_CONV_OVF_I8: case CG_OP_CONV_OVF_I8_UN: return (conv_target){ 64, 1, CG_ST_I8 };
	case CG_OP_CONV_U8: case CG_OP_CONV_OVF_U8: case CG_OP_CONV_OVF_U8_UN: return (conv_target){ 64, 0, CG_ST_I8 };
	case CG_OP_CONV_I: case CG_OP_CONV_OVF_I: case CG_OP_CONV_OVF_I_UN: return (conv_target){ 64, 1, CG_ST_NI };
	default: return (conv_target){ 64, 0, CG_ST_NI };
	}
}

static int is_checked(unsigned op)
{
	return (op >= CG_OP_CONV_OVF_I1_UN && op <= CG_OP_CONV_OVF_U_UN) ||
	       (op >= CG_OP_CONV_OVF_I1 && op <= CG_OP_CONV_OVF_U8) ||
	       op == CG_OP_CONV_OVF_I || op == CG_OP_CONV_OVF_U;
}

static int is_un(unsigned op)
{
	return op >= CG_OP_CONV_OVF_I1_UN && op <= CG_OP_CONV_OVF_U_UN;
}

/* An int64 value (or the int32 one widened) that fits the target. */
static LLVMValueRef finish_int(cg_fn *f, LLVMValueRef v64, conv_target t)
{
	if (t.bits == 64)
		return v64;
	if (t.bits == 32)
		return LLVMBuildTrunc(B, v64, M->t_i32, "");
	return narrow(f, v64, t.bits, t.is_signed);
}

static LLVMValueRef conv_float_unchecked(cg_fn *f, LLVMValueRef d, conv_target t)
{
	if (t.bits == 64)
		return t.is_signed ? cvtt(f, d, 64) : fconv_u8(f, d);
	if (t.bits == 32 && !t.is_signed)
		return LLVMBuildTrunc(B, cvtt(f, d, 64), M->t_i32, "");
	LLVMValueRef v = cvtt(f, d, 32);
	return t.bits == 32 ? v : narrow(f, v, t.bits, t.is_signed);
}

/* Checked: the value truncated toward zero must fit; NaN never does.
 * Mono bounds conv.ovf.u (native unsigned int) by 2^63, not 2^64. */
static LLVMValueRef conv_float_checked(cg_fn *f, LLVMValueRef d, conv_target t, unsigned op)
{
	double lo, hi;   /* exclusive bounds, except int64's inclusive low */
	if (t.is_signed) {
		lo = -(double)(1ull << (t.bits - 1)) - 1.0;
		hi = (double)(1ull << (t.bits - 1));
	} else {
		lo = -1.0;
		hi = t.bits == 64 ? 18446744073709551616.0 : (double)(1ull << t.bits);
		if (op == CG_OP_CONV_OVF_U)
			hi = 9223372036854775808.0;
	}
	LLVMValueRef in_lo;
	if (t.bits == 64 && t.is_signed)
		in_lo = LLVMBuildFCmp(B, LLVMRealOGE, d, LLVMConstReal(M->t_f64, -9223372036854775808.0), "");
	else
		in_lo = LLVMBuildFCmp(B, LLVMRealOGT, d, LLVMConstReal(M->t_f64, lo), "");
	LLVMValueRef in_hi = LLVMBuildFCmp(B, LLVMRealOLT, d, LLVMConstReal(M->t_f64, hi), "");
	cg__throw_if(f, LLVMBuildNot(B, LLVMBuildAnd(B, in_lo, in_hi, ""), ""), NGRT_EX_OVERFLOW);
	LLVMValueRef v = t.bits == 64 && !t.is_signed ? LLVMBuildFPToUI(B, d, M->t_i64, "")
						      : LLVMBuildFPToSI(B, d, M->t_i64, "");
	return finish_int(f, v, t);
}

static LLVMValueRef conv_int_checked(cg_fn *f, cg_sv v, conv_target t, int src_unsigned)
{
	LLVMValueRef x = v.v;
	if (v.st == CG_ST_I4)
		x = src_unsigned ? LLVMBuildZExt(B, x, M->t_i64, "") : LLVMBuildSExt(B, x, M->t_i64, "");
	LLVMValueRef bad;
	if (src_unsigned) {
		/* 0 <= x as unsigned; only the upper bound matters. */
		uint64_t hi = t.bits == 64 ? (t.is_signed ? INT64_MAX : UINT64_MAX)
					   : t.is_signed ? (1ull << (t.bits - 1)) - 1 : (1ull << t.bits) - 1;
		bad = hi == UINT64_MAX ? LLVMConstInt(M->t_i1, 0, 0)
				       : LLVMBuildICmp(B, LLVMIntUGT, x, LLVMConstInt(M->t_i64, hi, 0), "");
	} else if (!t.is_signed) {
		LLVMValueRef neg = LLVMBuildICmp(B, LLVMIntSLT, x, ci64(f, 0), "");
		bad = t.bits == 64 ? neg
			: LLVMBuildOr(B, neg, LLVMBuildICmp(B, LLVMIntSGT, x,
				ci64(f, (long long)((1ull << t.bits) - 1)), ""), "");
	} else if (t.bits == 64) {
		bad = LLVMConstInt(M->t_i1, 0, 0);
	} else {
		long long lo = -(1ll << (t.bits - 1)), hi = (1ll << (t.bits - 1)) - 1;
		bad = LLVMBuildOr(B, LLVMBuildICmp(B, LLVMIntSLT, x, ci64(f, lo), ""),
				  LLVMBuildICmp(B, LLVMIntSGT, x, ci64(f, hi), ""), "");
	}
	if (!LLVMIsConstant(bad) || LLVMConstIntGetZExtValue(bad))
		cg__throw_if(f, bad, NGRT_EX_OVERFLOW);
	return finish_int(f, x, t);
}

static LLVMValueRef conv_int_unchecked(cg_fn *f, cg_sv v, conv_target t)
{
	if (t.bits == 64) {
		if (v.st == CG_ST_I4)
			return t.is_signed ? LLVMBuildSExt(B, v.v, M->t_i64, "")
					   : LLVMBuildZExt(B, v.v, M->t_i64, "");
		return v.v;
	}
	LLVMValueRef x = v.st == CG_ST_I4 ? v.v : LLVMBuildTrunc(B, v.v, M->t_i32, "");
	return t.bits == 32 ? x : narrow(f, x, t.bits, t.is_signed);
}

static int conv_int(cg_fn *f, unsigned op)
{
	cg_sv v;
	if (cg__pop(f, &v))
		return -1;
	conv_target t = target_of(op);
	if (v.st == CG_ST_REF || v.st == CG_ST_OBJ) {
		/* conv.u / conv.i of a pointer (fixed, stackalloc): its address. */
		v.v = LLVMBuildPtrToInt(B, v.v, M->t_i64, "");
		v.st = CG_ST_NI;
	}
	LLVMValueRef r;
	if (is_float(v.st)) {
		/* Mono rejects the program (InvalidProgramException). */
		if (is_un(op))
			return invalid(f, "unsigned overflow conversion of a floating-point value");
		LLVMValueRef d = v.st == CG_ST_F4 ? LLVMBuildFPExt(B, v.v, M->t_f64, "") : v.v;
		r = is_checked(op) ? conv_float_checked(f, d, t, op) : conv_float_unchecked(f, d, t);
	} else if (is_checked(op)) {
		r = conv_int_checked(f, v, t, is_un(op));
	} else {
		r = conv_int_unchecked(f, v, t);
	}
	cg__push(f, r, t.st);
	return 0;
}

static int conv_float(cg_fn *f, unsigned op)
{
	cg_sv v;
	if (cg__pop(f, &v))
		return -1;
	LLVMTypeRef t = op == CG_OP_CONV_R4 ? M->t_f32 : M->t_f64;
	cg_st st = op == CG_OP_CONV_R4 ? CG_ST_F4 : CG_ST_F8;
	LLVMValueRef r;
	if (is_float(v.st))
		r = LLVMTypeOf(v.v) == t ? v.v : LLVMBuildFPCast(B, v.v, t, "");
	else if (is_int(v.st))
		r = op == CG_OP_CONV_R_UN ? LLVMBuildUIToFP(B, v.v, t, "")
					  : LLVMBuildSIToFP(B, v.v, t, "");
	else
		return invalid(f, "conversion of a reference to a float");
	cg__push(f, r, st);
	return 0;
}

static int ckfinite(cg_fn *f)
{
	cg_sv v;
	if (cg__pop(f, &v))
		return -1;
	if (!is_float(v.st))
		return invalid(f, "ckfinite on a non-float");
	LLVMTypeRef t = LLVMTypeOf(v.v);
	LLVMValueRef fabs = cg__intrinsic(M, t == M->t_f32 ? "llvm.fabs.f32" : "llvm.fabs.f64",
					  t, &t, 1);
	LLVMValueRef a = LLVMBuildCall2(B, LLVMFunctionType(t, &t, 1, 0), fabs, &v.v, 1, "");
	LLVMValueRef inf = LLVMConstReal(t, __builtin_inf());
	/* Mono raises OverflowException (an ArithmeticException). */
	cg__throw_if(f, LLVMBuildFCmp(B, LLVMRealUGE, a, inf, ""), NGRT_EX_OVERFLOW);
	cg__push(f, v.v, (cg_st)v.st);
	return 0;
}

/* ---- indirect loads and stores ---- */

static int address(cg_fn *f, cg_sv v, LLVMValueRef *out)
{
	if (v.st == CG_ST_REF)
		*out = v.v;
	else if (v.st == CG_ST_NI)
		*out = LLVMBuildIntToPtr(B, v.v, M->t_ptr, "");
	else if (v.st == CG_ST_I4)
		*out = LLVMBuildIntToPtr(B, LLVMBuildZExt(B, v.v, M->t_i64, ""), M->t_ptr, "");
	else
		return invalid(f, "indirect access through a non-pointer");
	return 0;
}

static cg_kind ind_kind(unsigned op)
{
	switch (op) {
	case CG_OP_LDIND_I1: case CG_OP_STIND_I1: return CG_K_I1;
	case CG_OP_LDIND_U1: return CG_K_U1;
	case CG_OP_LDIND_I2: case CG_OP_STIND_I2: return CG_K_I2;
	case CG_OP_LDIND_U2: return CG_K_U2;
	case CG_OP_LDIND_I4: case CG_OP_STIND_I4: return CG_K_I4;
	case CG_OP_LDIND_U4: return CG_K_U4;
	case CG_OP_LDIND_I8: case CG_OP_STIND_I8: return CG_K_I8;
	case CG_OP_LDIND_I: case CG_OP_STIND_I: return CG_K_I;
	case CG_OP_LDIND_R4: case CG_OP_STIND_R4: return CG_K_R4;
	case CG_OP_LDIND_R8: case CG_OP_STIND_R8: return CG_K_R8;
	default: return CG_K_OBJECT;
	}
}

static void access_flags(cg_fn *f, LLVMValueRef ld, const cg_insn *in)
{
	if (in->prefixes & CG_PFX_VOLATILE)
		LLVMSetVolatile(ld, 1);
	if (in->prefixes & CG_PFX_UNALIGNED)
		LLVMSetAlignment(ld, in->align ? in->align : 1);
}

static int ldind(cg_fn *f, const cg_insn *in)
{
	cg_sv p;
	LLVMValueRef addr;
	if (cg__pop(f, &p) || address(f, p, &addr))
		return -1;
	cg_kind k = ind_kind(in->op);
	LLVMTypeRef t = cg__kind_type(M, k);
	LLVMValueRef typed = LLVMBuildBitCast(B, addr, LLVMPointerType(t, 0), "");
	LLVMValueRef v = LLVMBuildLoad2(B, t, typed, "");
	access_flags(f, v, in);
	cg_sv sv = cg__from_storage(f, v, k);
	cg__push(f, sv.v, (cg_st)sv.st);
	f->stack[f->sp - 1].obj = sv.obj;
	return 0;
}

static int stind(cg_fn *f, const cg_insn *in)
{
	cg_sv v, p;
	LLVMValueRef addr, s;
	if (cg__pop(f, &v) || cg__pop(f, &p) || address(f, p, &addr))
		return -1;
	cg_kind k = ind_kind(in->op);
	if (k == CG_K_I8 && v.st == CG_ST_I4)
		return invalid(f, "stind.i8 of an int32");
	if (cg__to_storage(f, v, k, &s))
		return -1;
	LLVMTypeRef t = cg__kind_type(M, k);
	LLVMValueRef st = LLVMBuildStore(B, s, LLVMBuildBitCast(B, addr, LLVMPointerType(t, 0), ""));
	access_flags(f, st, in);
	return 0;
}

/* ---- memory blocks ---- */

static LLVMValueRef size_arg(cg_fn *f, cg_sv v)
{
	return v.st == CG_ST_I4 ? LLVMBuildZExt(B, v.v, M->t_i64, "") : v.v;
}

static int localloc(cg_fn *f)
{
	cg_sv n;
	if (cg__pop(f, &n))
		return -1;
	if (n.st != CG_ST_I4 && n.st != CG_ST_NI)
		return invalid(f, "localloc size is not an integer");
	LLVMValueRef size = size_arg(f, n);
	LLVMValueRef p = LLVMBuildArrayAlloca(B, M->t_i8, size, "localloc");
	LLVMSetAlignment(p, 16);
	if (f->body.init_locals) {
		LLVMTypeRef ps[] = { M->t_ptr, M->t_i8, M->t_i64, M->t_i1 };
		LLVMValueRef fn = cg__intrinsic(M, "llvm.memset.p0i8.i64", M->t_void, ps, 4);
		LLVMValueRef args[] = { p, LLVMConstInt(M->t_i8, 0, 0), size,
					LLVMConstInt(M->t_i1, 0, 0) };
		LLVMBuildCall2(B, LLVMFunctionType(M->t_void, ps, 4, 0), fn, args, 4, "");
	}
	cg__push(f, LLVMBuildPtrToInt(B, p, M->t_i64, ""), CG_ST_NI);
	return 0;
}

static int blk(cg_fn *f, const cg_insn *in)
{
	cg_sv n, src, dst;
	LLVMValueRef d;
	if (cg__pop(f, &n) || cg__pop(f, &src) || cg__pop(f, &dst) || address(f, dst, &d))
		return -1;
	if (n.st != CG_ST_I4 && n.st != CG_ST_NI)
		return invalid(f, "block size is not an integer");
	LLVMValueRef size = size_arg(f, n), call;
	int vol = (in->prefixes & CG_PFX_VOLATILE) != 0;
	if (in->op == CG_OP_CPBLK) {
		LLVMValueRef s;
		if (address(f, src, &s))
			return -1;
		LLVMTypeRef ps[] = { M->t_ptr, M->t_ptr, M->t_i64, M->t_i1 };
		LLVMValueRef fn = cg__intrinsic(M, "llvm.memmove.p0i8.p0i8.i64", M->t_void, ps, 4);
		LLVMValueRef args[] = { d, s, size, LLVMConstInt(M->t_i1, vol, 0) };
		call = LLVMBuildCall2(B, LLVMFunctionType(M->t_void, ps, 4, 0), fn, args, 4, "");
	} else {
		if (src.st != CG_ST_I4)
			return invalid(f, "initblk value is not an int32");
		LLVMTypeRef ps[] = { M->t_ptr, M->t_i8, M->t_i64, M->t_i1 };
		LLVMValueRef fn = cg__intrinsic(M, "llvm.memset.p0i8.i64", M->t_void, ps, 4);
		LLVMValueRef args[] = { d, LLVMBuildTrunc(B, src.v, M->t_i8, ""), size,
					LLVMConstInt(M->t_i1, vol, 0) };
		call = LLVMBuildCall2(B, LLVMFunctionType(M->t_void, ps, 4, 0), fn, args, 4, "");
	}
	(void)call;
	return 0;
}

/* ---- string[] (Main's args) ---- */

static int ldlen(cg_fn *f)
{
	cg_sv a;
	if (cg__pop(f, &a))
		return -1;
	if (a.st != CG_ST_OBJ || a.obj != CG_K_STRARRAY)
		return cg__fn_exclude(f, "arrays", "arrays other than string[] are not supported");
	cg__throw_if(f, LLVMBuildIsNull(B, a.v, ""), NGRT_EX_NULL_REFERENCE);
	LLVMValueRef off = ci64(f, (long long)offsetof(ngrt_array, length));
	LLVMValueRef p = LLVMBuildGEP2(B, M->t_i8, a.v, &off, 1, "");
	p = LLVMBuildBitCast(B, p, LLVMPointerType(M->t_i64, 0), "");
	cg__push(f, LLVMBuildLoad2(B, M->t_i64, p, "len"), CG_ST_NI);
	return 0;
}

static int ldelem_ref(cg_fn *f)
{
	cg_sv a, i;
	if (cg__pop(f, &i) || cg__pop(f, &a))
		return -1;
	if (a.st != CG_ST_OBJ || a.obj != CG_K_STRARRAY)
		return cg__fn_exclude(f, "arrays", "arrays other than string[] are not supported");
	if (i.st != CG_ST_I4 && i.st != CG_ST_NI)
		return invalid(f, "array index is not an integer");
	LLVMValueRef idx = i.st == CG_ST_I4 ? LLVMBuildSExt(B, i.v, M->t_i64, "") : i.v;
	cg__throw_if(f, LLVMBuildIsNull(B, a.v, ""), NGRT_EX_NULL_REFERENCE);
	LLVMValueRef off = ci64(f, (long long)offsetof(ngrt_array, length));
	LLVMValueRef lp = LLVMBuildBitCast(B, LLVMBuildGEP2(B, M->t_i8, a.v, &off, 1, ""),
					   LLVMPointerType(M->t_i64, 0), "");
	LLVMValueRef len = LLVMBuildLoad2(B, M->t_i64, lp, "");
	cg__throw_if(f, LLVMBuildICmp(B, LLVMIntUGE, idx, len, ""), NGRT_EX_INDEX_OUT_OF_RANGE);
	LLVMValueRef data = ci64(f, (long long)offsetof(ngrt_array, data));
	LLVMValueRef base = LLVMBuildGEP2(B, M->t_i8, a.v, &data, 1, "");
	LLVMValueRef ep = LLVMBuildGEP2(B, M->t_ptr,
					LLVMBuildBitCast(B, base, LLVMPointerType(M->t_ptr, 0), ""),
					&idx, 1, "");
	cg__push_obj(f, LLVMBuildLoad2(B, M->t_ptr, ep, ""), CG_K_STRING);
	return 0;
}

/* ---- not in the first tier ---- */

static int unsupported(cg_fn *f, unsigned op)
{
	const char *cat, *text;
	switch (op) {
	case CG_OP_NEWOBJ: cat = "object creation"; text = "object creation is not supported"; break;
	case CG_OP_CALLVIRT: cat = "virtual call"; text = "virtual calls are not supported"; break;
	case CG_OP_LDFLD: case CG_OP_LDFLDA: case CG_OP_STFLD:
		cat = "instance field"; text = "instance fields are not supported"; break;
	case CG_OP_BOX: case CG_OP_UNBOX: case CG_OP_UNBOX_ANY:
		cat = "boxing"; text = "boxing is not supported"; break;
	case CG_OP_NEWARR: cat = "arrays"; text = "array creation is not supported"; break;
	case CG_OP_THROW: case CG_OP_RETHROW:
		cat = "throw"; text = "throwing exceptions is not supported"; break;
	case CG_OP_LEAVE: case CG_OP_LEAVE_S: case CG_OP_ENDFINALLY: case CG_OP_ENDFILTER:
		cat = "exception handling"; text = "exception handling is not supported"; break;
	case CG_OP_CASTCLASS: case CG_OP_ISINST:
		cat = "type cast"; text = "type casts are not supported"; break;
	case CG_OP_LDTOKEN: cat = "ldtoken"; text = "runtime handles are not supported"; break;
	case CG_OP_LDOBJ: case CG_OP_STOBJ: case CG_OP_CPOBJ: case CG_OP_INITOBJ:
	case CG_OP_SIZEOF: case CG_OP_MKREFANY: case CG_OP_REFANYVAL: case CG_OP_REFANYTYPE:
		cat = "value types"; text = "value type operations are not supported"; break;
	case CG_OP_LDVIRTFTN: cat = "virtual call"; text = "virtual method pointers are not supported"; break;
	case CG_OP_ARGLIST: cat = "varargs"; text = "variable arguments are not supported"; break;
	case CG_OP_LDELEMA: case CG_OP_LDELEM: case CG_OP_STELEM: case CG_OP_STELEM_REF:
	case CG_OP_LDELEM_I1: case CG_OP_LDELEM_U1: case CG_OP_LDELEM_I2: case CG_OP_LDELEM_U2:
	case CG_OP_LDELEM_I4: case CG_OP_LDELEM_U4: case CG_OP_LDELEM_I8: case CG_OP_LDELEM_I:
	case CG_OP_LDELEM_R4: case CG_OP_LDELEM_R8: case CG_OP_STELEM_I: case CG_OP_STELEM_I1:
	case CG_OP_STELEM_I2: case CG_OP_STELEM_I4: case CG_OP_STELEM_I8: case CG_OP_STELEM_R4:
	case CG_OP_STELEM_R8:
		cat = "arrays"; text = "array elements other than string[]'s are not supported"; break;
	default:
		cat = "unsupported instruction"; text = "this instruction is not supported"; break;
	}
	return cg__fn_exclude(f, cat, "%s", text);
}

static int ldc(cg_fn *f, const cg_insn *in)
{
	switch (in->op) {
	case CG_OP_LDC_I8: cg__push(f, ci64(f, in->i), CG_ST_I8); break;
	case CG_OP_LDC_R4: cg__push(f, LLVMConstReal(M->t_f32, in->r), CG_ST_F4); break;
	case CG_OP_LDC_R8: cg__push(f, LLVMConstReal(M->t_f64, in->r), CG_ST_F8); break;
	case CG_OP_LDC_I4: case CG_OP_LDC_I4_S: cg__push(f, ci32(f, in->i), CG_ST_I4); break;
	default: cg__push(f, ci32(f, (int)in->op - CG_OP_LDC_I4_0), CG_ST_I4); break;
	}
	return 0;
}

static int dup(cg_fn *f)
{
	cg_sv v;
	if (cg__pop(f, &v))
		return -1;
	for (int i = 0; i < 2; i++) {
		cg__push(f, v.v, (cg_st)v.st);
		f->stack[f->sp - 1] = v;
	}
	return 0;
}

static int op_break(cg_fn *f)
{
	LLVMValueRef fn = cg__intrinsic(M, "llvm.debugtrap", M->t_void, NULL, 0);
	LLVMBuildCall2(B, LLVMFunctionType(M->t_void, NULL, 0, 0), fn, NULL, 0, "");
	return 0;
}

int cg__op(cg_fn *f, const cg_insn *in)
{
	unsigned op = in->op;
	if (in->prefixes & CG_PFX_OTHER)
		return cg__fn_exclude(f, "unsupported prefix",
				      "constrained./no./readonly. prefixes are not supported");
	switch (op) {
	case CG_OP_NOP: return 0;
	case CG_OP_BREAK: return op_break(f);
	case CG_OP_LDARG_0: case CG_OP_LDARG_1: case CG_OP_LDARG_2: case CG_OP_LDARG_3:
		return ldarg(f, op - CG_OP_LDARG_0);
	case CG_OP_LDARG_S: case CG_OP_LDARG: return ldarg(f, (uint32_t)in->i);
	case CG_OP_LDLOC_0: case CG_OP_LDLOC_1: case CG_OP_LDLOC_2: case CG_OP_LDLOC_3:
		return ldloc(f, op - CG_OP_LDLOC_0);
	case CG_OP_LDLOC_S: case CG_OP_LDLOC: return ldloc(f, (uint32_t)in->i);
	case CG_OP_STLOC_0: case CG_OP_STLOC_1: case CG_OP_STLOC_2: case CG_OP_STLOC_3:
		return stloc(f, op - CG_OP_STLOC_0);
	case CG_OP_STLOC_S: case CG_OP_STLOC: return stloc(f, (uint32_t)in->i);
	case CG_OP_STARG_S: case CG_OP_STARG: return starg(f, (uint32_t)in->i);
	case CG_OP_LDARGA_S: case CG_OP_LDARGA:
		return ldaddr(f, f->arg_p, f->arg_k, f->nargs, (uint32_t)in->i);
	case CG_OP_LDLOCA_S: case CG_OP_LDLOCA:
		return ldaddr(f, f->loc_p, f->loc_k, f->nlocals, (uint32_t)in->i);
	case CG_OP_LDNULL: cg__push_obj(f, LLVMConstNull(M->t_ptr), CG_K_OBJECT); return 0;
	case CG_OP_LDC_I4_M1: cg__push(f, ci32(f, -1), CG_ST_I4); return 0;
	case CG_OP_LDC_I4_0: case CG_OP_LDC_I4_1: case CG_OP_LDC_I4_2: case CG_OP_LDC_I4_3:
	case CG_OP_LDC_I4_4: case CG_OP_LDC_I4_5: case CG_OP_LDC_I4_6: case CG_OP_LDC_I4_7:
	case CG_OP_LDC_I4_8: case CG_OP_LDC_I4_S: case CG_OP_LDC_I4: case CG_OP_LDC_I8:
	case CG_OP_LDC_R4: case CG_OP_LDC_R8:
		return ldc(f, in);
	case CG_OP_DUP: return dup(f);
	case CG_OP_POP: { cg_sv v; return cg__pop(f, &v); }
	case CG_OP_JMP: return cg__op_jmp(f, in);
	case CG_OP_CALL: case CG_OP_CALLVIRT: return cg__op_call(f, in);
	case CG_OP_CALLI: return cg__op_calli(f, in);
	case CG_OP_LDFTN: return cg__op_ldftn(f, in);
	case CG_OP_RET: return cg__emit_ret(f);
	case CG_OP_BR: case CG_OP_BR_S: return branch(f, in);
	case CG_OP_BRFALSE: case CG_OP_BRFALSE_S: return branch_bool(f, in, 0);
	case CG_OP_BRTRUE: case CG_OP_BRTRUE_S: return branch_bool(f, in, 1);
	case CG_OP_BEQ: case CG_OP_BEQ_S: return branch_cmp(f, in, CMP_EQ);
	case CG_OP_BNE_UN: case CG_OP_BNE_UN_S: return branch_cmp(f, in, CMP_NE_UN);
	case CG_OP_BGE: case CG_OP_BGE_S: return branch_cmp(f, in, CMP_GE);
	case CG_OP_BGE_UN: case CG_OP_BGE_UN_S: return branch_cmp(f, in, CMP_GE_UN);
	case CG_OP_BGT: case CG_OP_BGT_S: return branch_cmp(f, in, CMP_GT);
	case CG_OP_BGT_UN: case CG_OP_BGT_UN_S: return branch_cmp(f, in, CMP_GT_UN);
	case CG_OP_BLE: case CG_OP_BLE_S: return branch_cmp(f, in, CMP_LE);
	case CG_OP_BLE_UN: case CG_OP_BLE_UN_S: return branch_cmp(f, in, CMP_LE_UN);
	case CG_OP_BLT: case CG_OP_BLT_S: return branch_cmp(f, in, CMP_LT);
	case CG_OP_BLT_UN: case CG_OP_BLT_UN_S: return branch_cmp(f, in, CMP_LT_UN);
	case CG_OP_SWITCH: return op_switch(f, in);
	case CG_OP_CEQ: return cmp_op(f, CMP_EQ);
	case CG_OP_CGT: return cmp_op(f, CMP_GT);
	case CG_OP_CGT_UN: return cmp_op(f, CMP_GT_UN);
	case CG_OP_CLT: return cmp_op(f, CMP_LT);
	case CG_OP_CLT_UN: return cmp_op(f, CMP_LT_UN);
	case CG_OP_LDIND_I1: case CG_OP_LDIND_U1: case CG_OP_LDIND_I2: case CG_OP_LDIND_U2:
	case CG_OP_LDIND_I4: case CG_OP_LDIND_U4: case CG_OP_LDIND_I8: case CG_OP_LDIND_I:
	case CG_OP_LDIND_R4: case CG_OP_LDIND_R8: case CG_OP_LDIND_REF:
		return ldind(f, in);
	case CG_OP_STIND_I1: case CG_OP_STIND_I2: case CG_OP_STIND_I4: case CG_OP_STIND_I8:
	case CG_OP_STIND_I: case CG_OP_STIND_R4: case CG_OP_STIND_R8: case CG_OP_STIND_REF:
		return stind(f, in);
	case CG_OP_ADD: case CG_OP_SUB: case CG_OP_MUL: case CG_OP_DIV: case CG_OP_DIV_UN:
	case CG_OP_REM: case CG_OP_REM_UN: case CG_OP_AND: case CG_OP_OR: case CG_OP_XOR:
	case CG_OP_ADD_OVF: case CG_OP_ADD_OVF_UN: case CG_OP_SUB_OVF: case CG_OP_SUB_OVF_UN:
	case CG_OP_MUL_OVF: case CG_OP_MUL_OVF_UN:
		return binop(f, op);
	case CG_OP_SHL: case CG_OP_SHR: case CG_OP_SHR_UN: return shift(f, op);
	case CG_OP_NEG: case CG_OP_NOT: return unop(f, op);
	case CG_OP_CONV_R4: case CG_OP_CONV_R8: case CG_OP_CONV_R_UN: return conv_float(f, op);
	case CG_OP_CKFINITE: return ckfinite(f);
	case CG_OP_LOCALLOC: return localloc(f);
	case CG_OP_CPBLK: case CG_OP_INITBLK: return blk(f, in);
	case CG_OP_LDSTR: return cg__op_ldstr(f, in);
	case CG_OP_LDSFLD: case CG_OP_LDSFLDA: case CG_OP_STSFLD: return cg__op_static_field(f, in);
	case CG_OP_LDLEN: return ldlen(f);
	case CG_OP_LDELEM_REF: return ldelem_ref(f);
	default:
		break;
	}
	if ((op >= CG_OP_CONV_I1 && op <= CG_OP_CONV_I8) || op == CG_OP_CONV_U4 ||
	    op == CG_OP_CONV_U8 || op == CG_OP_CONV_U2 || op == CG_OP_CONV_U1 ||
	    op == CG_OP_CONV_I || op == CG_OP_CONV_U || is_checked(op))
		return conv_int(f, op);
	return unsupported(f, op);
}
