/* compiler/cg.h - shared inside the code generator (compiler/cg_*.c).
 *
 * Everything here uses LLVM-C and is built into libngen-cg.so; comp.c finds
 * the two public entry points (cg_compile, cg_target_query) by name. The
 * pieces, in the order a job uses them:
 *
 *   cg_job.c       the job: read the assembly and its references, sort the
 *                  methods, compile modules on threads, write the manifest,
 *                  link, fill comp_result
 *   cg_asm.c       assemblies of a job; types followed across them
 *   cg_decode.c    IL bytes -> instructions and basic blocks (no LLVM; cg_il.h)
 *   cg_method.c    one method -> one LLVM function, or an exclusion reason
 *                  (cg_fn.h: the translation state shared by the next three)
 *   cg_ops.c       the opcode switch: arithmetic, conversions, branches, memory
 *   cg_call.c      calls, returns, static fields, type initialisers, ldstr
 *   cg_debug.c     DWARF for /Debug images; cg_mdb.c reads .mdb symbol files
 *   cg_manifest.c  the manifest and the image's data as LLVM globals
 *   cg_target.c    host target machine, optimisation pipeline, object files
 *   cg_link.c      ld.lld: objects -> Name.ni.so, written atomically */
#ifndef CG_H
#define CG_H

#include "base/arena.h"
#include "compiler/comp.h"

#include <llvm-c/Core.h>
#include <llvm-c/DebugInfo.h>
#include <llvm-c/TargetMachine.h>
#include <stddef.h>
#include <stdint.h>

/* ---- cg_target.c ---- */

typedef enum cg_pipeline {
	CG_PIPELINE_NONE,      /* /Debug: nothing at all, allocas stay for gdb */
	CG_PIPELINE_LIGHT,     /* the default: see cg_target.c */
	CG_PIPELINE_O1,        /* LLVM's default<O1> */
	CG_PIPELINE_O2,        /* LLVM's default<O2> */
	CG_PIPELINE_CUSTOM,    /* NGEN_PIPELINE=custom:<pipeline text>, for measurements */
} cg_pipeline;

/* Initialises LLVM's native target once per process. */
int cg__init(ng_diag *diag);
const char *cg__host_triple(void);
const char *cg__host_features(void);
const char *cg__llvm_version(void);
/* A target machine for the host; optimize=0 selects CodeGenLevelNone. */
int cg__target_machine(int optimize, LLVMTargetMachineRef *out, ng_diag *diag);
/* Sets the module's triple and data layout from the target machine. */
void cg__module_setup(LLVMModuleRef mod, LLVMTargetMachineRef tm);
/* CG_PIPELINE_LIGHT unless NGEN_PIPELINE says o2 or none. */
cg_pipeline cg__pipeline_default(void);
int cg__optimize(LLVMModuleRef mod, LLVMTargetMachineRef tm, cg_pipeline p, ng_diag *diag);
int cg__emit_object(LLVMModuleRef mod, LLVMTargetMachineRef tm, const char *path,
		    ng_diag *diag);

/* ---- cg_link.c ---- */

typedef struct cg_link_req {
	const char *const *objects;   /* object files, in order */
	size_t object_count;
	const char *empty_object;     /* an object file with nothing in it */
	const char *soname;           /* DT_SONAME of the image */
	const char *const *needed;    /* sonames of hard-bound dependency images */
	size_t needed_count;
	const char *tmpdir;           /* scratch directory of the job */
	const char *output;           /* final path; written as output.tmp.PID.N, renamed */
} cg_link_req;

int cg__link(const cg_link_req *req, ng_diag *diag);

/* ---- cg_manifest.c ---- */

typedef struct cg_manifest_method {
	uint32_t token;
	uint32_t status;              /* NG_METHOD_* */
	const char *symbol;           /* compiled: the function (any module of the image) */
	const char *reason;           /* excluded or bypassed */
} cg_manifest_method;

typedef struct cg_manifest_import {
	uint32_t dep_index;
	uint32_t token;
} cg_manifest_import;

/* Zero-initialised data the image defines and exports (static fields,
 * type-initialisation states). */
typedef struct cg_data_symbol {
	const char *symbol;
	uint32_t size, align;
} cg_data_symbol;

typedef struct cg_manifest_desc {
	unsigned scenario;
	const char *display_name;
	uint8_t mvid[16];
	uint32_t entry_token;
	const comp_dep *deps;
	size_t dep_count;
	const cg_manifest_method *methods;
	size_t method_count;
	const cg_manifest_import *imports;
	size_t import_count;
	const char *import_cells;     /* symbol of the cell array (hidden) */
	const cg_data_symbol *data;
	size_t data_count;
} cg_manifest_desc;

/* Adds the manifest (NG_MANIFEST_SYMBOL), the import cells and the data
 * symbols to mod. */
void cg__manifest_emit(LLVMModuleRef mod, const cg_manifest_desc *desc);

/* ---- symbols (cg_manifest.c) ---- */

enum { CG_SYMBOL_MAX = 48 };
/* "ngm_<mvid hex>_<token hex>" and friends; prefix is "ngm", "ngs", "ngt". */
void cg__symbol(char out[CG_SYMBOL_MAX], const char *prefix, const uint8_t mvid[16],
		uint32_t token);

/* ---- the job and its assemblies (cg_job.c, cg_asm.c) ---- */

struct md_image;
struct md_type;
struct md_method_sig;

/* Storage kinds of the first tier: how a value lives in memory and passes
 * across calls (base/abi.h's C mapping). */
typedef enum cg_kind {
	CG_K_VOID, CG_K_BOOL, CG_K_CHAR, CG_K_I1, CG_K_U1, CG_K_I2, CG_K_U2,
	CG_K_I4, CG_K_U4, CG_K_I8, CG_K_U8, CG_K_I, CG_K_U, CG_K_R4, CG_K_R8,
	CG_K_STRING,   /* System.String reference */
	CG_K_STRARRAY, /* string[] (Main's args) */
	CG_K_OBJECT,   /* a reference of unknown class (ldind.ref, ldnull) */
	CG_K_BYREF,    /* managed pointer */
	CG_K_PTR,      /* unmanaged pointer: a native int */
	CG_K_COUNT_
} cg_kind;

/* An assembly the job reads: the one compiled, or one it references. */
typedef struct cg_asm {
	struct md_image *img;
	char *path;
	char *name;                  /* simple name */
	char *display_name;
	uint8_t mvid[16];
	int dep_index;               /* into the manifest's deps; -1 for the compiled one */
	int hard_hint;               /* LoadHint.Always between the two */
	int is_bcl;                  /* mscorlib, System, System.* and the like */
	int is_corlib;               /* defines System.Object */
	volatile int referenced;     /* some code uses its symbols directly (hard binding) */
	/* Top-level TypeDefs by "namespace\0name" (open addressing). */
	uint32_t *type_rows;
	uint32_t type_cap;
	/* Per TypeDef row: the .cctor MethodDef row (0 = none), and flags. */
	uint32_t *cctor_of;
	/* Per MethodDef row: declaring TypeDef row. */
	uint32_t *owner_of;
	/* Per AssemblyRef row: the assembly it resolved to (filled by the job,
	 * under its lock, as references are followed). */
	struct cg_asm **refmap;
	unsigned char *ref_tried;
	uint32_t nrefs;
} cg_asm;

typedef struct cg_method_state {
	uint32_t status;             /* NG_METHOD_* */
	const char *reason;          /* excluded: full text (IL offset included) */
	const char *category;        /* excluded: the grouping text */
} cg_method_state;

typedef struct cg_job cg_job;

/* One module being built on one thread. */
typedef struct cg_mod {
	cg_job *job;
	int index;
	LLVMContextRef ctx;
	LLVMModuleRef mod;
	LLVMBuilderRef b;
	LLVMTargetMachineRef tm;
	ng_arena arena;              /* lives until the job ends (reasons point into it) */
	LLVMTypeRef t_void, t_i1, t_i8, t_i16, t_i32, t_i64, t_f32, t_f64, t_ptr;
	LLVMValueRef manifest;       /* extern ngen_manifest, as i8 */
	/* ldstr cells of this module, by #US index. */
	uint32_t *str_keys;
	LLVMValueRef *str_cells;
	uint32_t str_cap, str_used;
	/* /Debug */
	LLVMDIBuilderRef dib;
	LLVMMetadataRef di_cu, di_file, di_subr_type;
	int dwarf_ok;
	void *mdb;                   /* cg_mdb *, NULL without a symbol file */
	/* MethodDef rows of the compiled assembly that this module's code
	 * refers to (the manifest module stubs the excluded ones). */
	uint32_t *refs;
	uint32_t nrefs, caprefs;
	const char *object_path;
	ng_diag diag;
	int rc;
} cg_mod;

/* Job-wide services the translator uses (cg_job.c). */
cg_asm *cg__job_self(cg_job *job);
unsigned cg__job_scenario(const cg_job *job);
/* The referenced assembly behind an AssemblyRef row of the compiled one
 * (or of `from`), NULL when it was not resolved. */
cg_asm *cg__job_asmref(cg_job *job, cg_asm *from, uint32_t assemblyref_row);
/* The import index of (dep, methoddef token): assigned once, thread-safe. */
uint32_t cg__job_import(cg_job *job, cg_asm *dep, uint32_t token);
const char *cg__job_import_cells(const cg_job *job);

/* cg_method.c: compiles MethodDef `row` of `a` into m under `symbol`.
 * Returns 0 (compiled) or 1 (excluded: out->reason/category set; reason
 * in m->arena). scratch is reset by the caller between methods. */
int cg__method_compile(cg_mod *m, cg_asm *a, uint32_t row, const char *symbol,
		       ng_arena *scratch, cg_method_state *out);
/* Notes that code of m refers to MethodDef row of the compiled assembly. */
void cg__mod_ref(cg_mod *m, uint32_t row);
/* Defines symbol as the stub of an excluded static method (see cg_method.c). */
void cg__method_stub(cg_mod *m, uint32_t token, const char *symbol);

/* cg_debug.c: the DWARF compile unit of a module (only under /Debug). */
void cg__debug_module_begin(cg_mod *m, cg_asm *self);
void cg__debug_module_end(cg_mod *m);

/* ---- cg_asm.c: reading types across assemblies ---- */

int cg__asm_open(cg_asm *a, const char *path, ng_diag *diag);
void cg__asm_close(cg_asm *a);
/* TypeDef row of namespace.name in a, 0 when absent. */
uint32_t cg__asm_find_type(const cg_asm *a, const char *ns, const char *name);
/* Where a TypeDef/TypeRef token of `a` is defined: the assembly and the
 * TypeDef row. Returns 0, or -1 with a reason (arena) in *why. */
int cg__asm_resolve_type(cg_job *job, cg_asm *a, uint32_t token, ng_arena *ar,
			 cg_asm **def_asm, uint32_t *def_row, const char **why);
/* The storage kind of a signature type of `a`; enums become their
 * underlying type. -1 with a reason when outside the first tier, and in
 * *cat (may be NULL) a static word for grouping ("reference type"). */
int cg__asm_kind(cg_job *job, cg_asm *a, const struct md_type *t, ng_arena *ar,
		 cg_kind *out, const char **why, const char **cat);

/* ---- public entry points (found by comp.c) ---- */

int cg_compile(const comp_request *req, comp_result *res, ng_diag *diag);
int cg_target_query(comp_target *out, ng_diag *diag);

#endif
