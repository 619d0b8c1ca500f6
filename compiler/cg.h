/* compiler/cg.h - shared inside the code generator (compiler/cg_*.c).
 *
 * Everything here uses LLVM-C and is built into libngen-cg.so; comp.c finds
 * the two public entry points (cg_compile, cg_target_query) by name. The
 * pieces, in the order a job uses them:
 *
 *   cg_job.c       the job: read the assembly, plan, compile modules on
 *                  threads, write the manifest, link, fill comp_result
 *   cg_decode.c    IL bytes -> instructions and basic blocks (no LLVM)
 *   cg_method.c    one method -> one LLVM function, or an exclusion reason
 *   cg_manifest.c  the manifest and the image's data as LLVM globals
 *   cg_debug.c     DWARF for /Debug images; cg_mdb.c reads .mdb files
 *   cg_target.c    host target machine, optimisation, object emission
 *   cg_link.c      ld.lld: objects -> Name.ni.so */
#ifndef CG_H
#define CG_H

#include "compiler/comp.h"

#include <llvm-c/Core.h>
#include <llvm-c/TargetMachine.h>
#include <stddef.h>
#include <stdint.h>

/* ---- cg_target.c ---- */

typedef enum cg_pipeline {
	CG_PIPELINE_NONE,      /* /Debug: nothing at all, allocas stay for gdb */
	CG_PIPELINE_LIGHT,     /* the default: see cg_target.c */
	CG_PIPELINE_O2,        /* LLVM's default<O2> */
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
	const char *output;           /* final path; written as output.tmp.PID, renamed */
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

/* ---- public entry points (found by comp.c) ---- */

int cg_compile(const comp_request *req, comp_result *res, ng_diag *diag);
int cg_target_query(comp_target *out, ng_diag *diag);

#endif
