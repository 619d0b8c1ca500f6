/* compiler/cg_fn.h - translating one method (shared by cg_method.c,
 * cg_ops.c, cg_call.c and cg_debug.c).
 *
 * The evaluation stack is abstract: each entry is an LLVM value with its
 * CLI stack type (III.1.1: int32, int64, native int, F, managed pointer,
 * object reference; F split into float32 and float64 because Mono computes
 * float32 arithmetic in single precision). Arguments and locals live in
 * allocas; so do the stack entries that cross a block boundary, in one
 * alloca per (depth, stack type) that every edge stores to and every
 * successor loads from. SROA turns all of it into SSA.
 *
 * Anything outside the first tier stops the translation with a reason
 * (cg__fn_exclude); the partly built function is then deleted. */
#ifndef CG_FN_H
#define CG_FN_H

#include "base/abi.h"
#include "compiler/cg.h"
#include "compiler/cg_il.h"
#include "compiler/md.h"

typedef enum cg_st {
	CG_ST_I4, CG_ST_I8, CG_ST_NI, CG_ST_F4, CG_ST_F8, CG_ST_REF, CG_ST_OBJ,
	CG_ST_COUNT_
} cg_st;

typedef struct cg_sv {
	LLVMValueRef v;
	uint8_t st;          /* cg_st */
	uint8_t obj;         /* CG_ST_OBJ: CG_K_STRING, CG_K_STRARRAY or CG_K_OBJECT */
} cg_sv;

/* The stack at a block's entry, known once a predecessor reached it. */
typedef struct cg_entry {
	int depth;           /* -1: not reached yet */
	uint8_t *st, *obj;
} cg_entry;

typedef struct cg_fn {
	cg_mod *m;
	cg_job *job;
	cg_asm *a;
	ng_arena *ar;
	uint32_t row, token;
	uint32_t owner;               /* declaring TypeDef row */
	md_methoddef def;
	md_method_sig *sig;
	md_method_body body;
	cg_il il;
	const char *symbol;
	LLVMValueRef fn;
	LLVMTypeRef fnty;
	LLVMBasicBlockRef bb_alloca, bb_prologue, *bbs;
	LLVMBuilderRef ab;            /* positioned in bb_alloca */
	cg_kind ret;
	uint32_t nargs, nlocals;
	cg_kind *arg_k, *loc_k;
	LLVMValueRef *arg_p, *loc_p;  /* allocas */
	LLVMValueRef slots[64][CG_ST_COUNT_];
	cg_entry *entry;              /* per block */
	cg_sv *stack;
	uint32_t sp, cap;
	LLVMBasicBlockRef throw_bb[NGRT_EX_COUNT_];
	const cg_insn *in;            /* being translated */
	/* Types whose initialiser the prologue runs (Mono runs them when it
	 * compiles a method that touches their static fields). */
	cg_asm *init_asm[32];
	uint32_t init_row[32], ninit;
	const char *reason, *category;
	/* /Debug */
	LLVMMetadataRef di_sp, di_file;
	uint32_t cur_line;
} cg_fn;

/* Sets the exclusion reason ("<opcode> at IL_xxxx: <text>" when an
 * instruction is being translated) and returns -1. */
int cg__fn_exclude(cg_fn *f, const char *category, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Types. */
LLVMTypeRef cg__kind_type(cg_mod *m, cg_kind k);
LLVMTypeRef cg__st_type(cg_mod *m, cg_st st);
cg_st cg__kind_st(cg_kind k);
/* A value of kind k loaded from memory, widened to its stack type. */
cg_sv cg__from_storage(cg_fn *f, LLVMValueRef v, cg_kind k);
/* A stack value converted for storage as kind k (implicit truncation and
 * widening, III.1.6); -1 with a reason when the types do not go together. */
int cg__to_storage(cg_fn *f, cg_sv v, cg_kind k, LLVMValueRef *out);
/* Function type and attributes of a signature given in kinds. */
LLVMTypeRef cg__fn_type(cg_mod *m, cg_kind ret, const cg_kind *params, uint32_t n);
void cg__fn_attrs(cg_mod *m, LLVMValueRef fn_or_call, int is_call, cg_kind ret,
		  const cg_kind *params, uint32_t n);

/* Records (or checks) the stack at the entry of the block at IL offset
 * target and stores the current stack into the boundary slots; called
 * before the terminator of every edge. */
int cg__flow_to(cg_fn *f, uint32_t target);
LLVMBasicBlockRef cg__block(cg_fn *f, uint32_t target);

/* The stack. */
void cg__push(cg_fn *f, LLVMValueRef v, cg_st st);
void cg__push_obj(cg_fn *f, LLVMValueRef v, cg_kind obj);
int cg__pop(cg_fn *f, cg_sv *out);

/* Raises a runtime exception when cond is true (a cold block per kind). */
void cg__throw_if(cg_fn *f, LLVMValueRef cond, ngrt_exception_kind kind);
/* A function of the module by name, declared with fnty when missing. */
LLVMValueRef cg__function(cg_mod *m, const char *name, LLVMTypeRef fnty);
/* A call that works when the module's declaration has another type. */
LLVMValueRef cg__call(cg_fn *f, LLVMValueRef callee, LLVMTypeRef fnty, LLVMValueRef *args,
		      unsigned n);
LLVMValueRef cg__intrinsic(cg_mod *m, const char *name, LLVMTypeRef ret,
			   LLVMTypeRef *params, unsigned n);
/* A global of the image or of a hard-bound dependency, by symbol. */
LLVMValueRef cg__data(cg_mod *m, const char *symbol, int in_image);

/* cg_ops.c: one instruction. */
int cg__op(cg_fn *f, const cg_insn *in);
/* cg_call.c */
int cg__op_call(cg_fn *f, const cg_insn *in);
int cg__op_ldstr(cg_fn *f, const cg_insn *in);
int cg__op_static_field(cg_fn *f, const cg_insn *in);
int cg__op_ldftn(cg_fn *f, const cg_insn *in);
int cg__op_calli(cg_fn *f, const cg_insn *in);
int cg__op_jmp(cg_fn *f, const cg_insn *in);
/* Emits the type-initialiser check for (a, type row) at the builder. */
void cg__cctor_check(cg_fn *f, cg_asm *a, uint32_t type_row);
/* Whether type row of a is beforefieldinit. */
int cg__type_beforefieldinit(cg_asm *a, uint32_t type_row);
/* Signature kinds of a method of `a`; -1 with a reason. what names the
 * method in the reason ("callee", "method"). */
int cg__sig_kinds(cg_fn *f, cg_asm *a, const md_method_sig *sig, cg_kind *ret,
		  cg_kind *params, const char *what);
/* Emits a return of the current stack top (or void). */
int cg__emit_ret(cg_fn *f);
/* Profile hooks. */
void cg__profile_call(cg_fn *f, int leave);

/* cg_debug.c */
void cg__debug_fn_begin(cg_fn *f);
void cg__debug_at(cg_fn *f, uint32_t il_offset);
/* Declares the arguments and locals (their allocas) to the debugger. */
void cg__debug_vars(cg_fn *f);

#endif
