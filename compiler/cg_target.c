/* compiler/cg_target.c - the host target: machine, optimisation, object files.
 *
 * LLVM's targets are initialised once per process (pthread_once). Each
 * module gets its own LLVMTargetMachineRef, created from the host triple and
 * LLVMGetHostCPUFeatures() (LLVMGetHostCPUName() answers "generic" on some
 * CPUs, so the features, not the name, carry what the CPU can do), with
 * position-independent code since the result is a shared object.
 *
 * Optimisation runs the new pass manager (LLVMRunPasses) with a pipeline
 * string. Measured on this machine (CPU seconds, one thread; noisy, shared
 * machine): compiling mscorlib's 1,014 first-tier methods, and running the
 * bench programs (Fib, Sieve, IntLoop, FloatLoop) from their images:
 *
 *   pipeline          codegen  mscorlib  Fib   Sieve  IntLoop  FloatLoop
 *   none              O2       1.60      0.84  1.10   1.45     0.61
 *   light (below)     O2       1.49-2.02 0.55  0.47   1.34     0.26
 *   light + tce       O2       1.77      0.35  0.49   1.36     0.25
 *   default<O1>       O2       2.64      0.60  0.36   1.16     0.23
 *   default<O2>       O2       3.64      0.36  0.49   1.11     0.25
 *   default<O2>       O1       2.83      0.36  0.44   1.42     0.25
 *   (mono JIT: Fib 1.23, Sieve 1.14, IntLoop 1.40, FloatLoop 0.89)
 *
 * The light pipeline (SROA for the evaluation-stack allocas, early CSE,
 * instcombine, simplifycfg, LICM, indvars) costs about half of O2's
 * compile time and keeps most of its code speed on these programs.
 * Tail-recursion elimination ("tce", also part of O2) would make Fib as
 * fast as O2 does, but it turns unbounded recursion such as
 * F(n) = F(n + 1) + 1 into an endless loop where Mono (and the CLI)
 * overflow the stack, so neither it nor O2 is used.
 * Engineer F's measurements (same machine, AMD EPYC VM, 2 shared cores;
 * mono's own times varied 0.69-1.33 s between runs, so ratios move by
 * +-20%; CPU s, best of 3):
 *   - Recursion: small self-recursive methods are unrolled by always-inlined
 *     twins (cg_method.c; hence "always-inline" first in the pipeline):
 *     Fib 0.44-0.58 -> 0.35-0.37 (two levels per call) -> 0.26-0.29 (three).
 *     bench/run.sh: Fib jit/ngen 1.62 -> 2.18 (two levels) -> 4.80 (three).
 *   - default<O2> minus tailcallelim (opt -print-pipeline-passes text):
 *     mscorlib optimise 0.21-0.33 -> 1.34-1.43 s, emit 1.0-1.1 -> 1.8-2.3 s
 *     (one thread); Sieve 0.44 -> 0.55, IntLoop and FloatLoop unchanged;
 *     Fib 0.017 s because function-attrs proves Fib readnone and GVN merges
 *     the unrolled levels' equal calls (an algorithmic change of the
 *     benchmark, not call speed). Not worth 2.5x the compile time.
 *   - light + cgscc(inline): mscorlib optimise +0.1 s, emit +0.5 s (more
 *     code), no change on the bench programs (no small non-recursive calls
 *     in their hot paths).
 *   - loop-rotate + loop-idiom (+ loop-vectorize): no memset and no vector
 *     code for Sieve's clearing loop (without nsw the loop i <= n may not
 *     end, so LLVM rightly keeps it), and rotated loops made Sieve slower:
 *     0.43 -> 0.52-0.59 s (interleaved runs).
 *   - SelectionDAG instead of FastISel: IntLoop 1.01 -> 1.32 s (x % 1000 as
 *     a multiply by the reciprocal is slower than div on this CPU), Sieve
 *     unchanged (0.43 vs 0.46).
 *   - IntLoop is bound by its xorshift chain (x ^= x << 13 ... : six
 *     dependent ALU operations per iteration): ngen 1.0-1.07 s, clang -O2
 *     of the same loop in C 1.17 s, gcc -O2 1.33 s, the chain alone (no
 *     modulo) 0.83 s, mono 1.08-1.33 s: 2x over Mono is not reachable.
 * Code generation stays at LLVM's default level: -O1 codegen saved ~20%
 * compile time but cost IntLoop 30%; -O0 (0.82 s for mscorlib) made the
 * code 2-4 times slower. Instruction selection uses FastISel (falling back
 * to SelectionDAG where it must) with the default level's register
 * allocator and scheduler: object emission of the Ops fixture's 169
 * methods took 0.060 s instead of 0.076 s (best of 5), the bench programs
 * ran as fast, and every test against Mono passes either way.
 * NGEN_PIPELINE=o2|o1|light|none or custom:<text>, NGEN_CGLEVEL=0..3 and
 * NGEN_LLVM_ARGS (replacing -fast-isel) override them for measurement.  */
#include "compiler/cg.h"

#include "base/err.h"
#include "base/xmalloc.h"

#include <llvm/Config/llvm-config.h>
#include <llvm-c/Core.h>
#include <llvm-c/Error.h>
#include <llvm-c/Support.h>
#include <llvm-c/Target.h>
#include <llvm-c/TargetMachine.h>
#include <llvm-c/Transforms/PassBuilder.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static int init_status;
static char *host_triple;
static char *host_features;
static char llvm_version[32];

/* LLVM's process-wide options: -fast-isel (see the file comment), or
 * NGEN_LLVM_ARGS (space-separated) instead, for measurement. */
static void llvm_options(void)
{
	const char *e = getenv("NGEN_LLVM_ARGS");
	if (!e)
		e = "-fast-isel";
	if (!*e)
		return;
	/* Static: parsed once per process, and LLVM may keep pointers. */
	static char copy[1024];
	static const char *argv[32] = { "ngen" };
	char *save = NULL;
	snprintf(copy, sizeof copy, "%s", e);
	int argc = 1;
	for (char *t = strtok_r(copy, " ", &save); t && argc < 31; t = strtok_r(NULL, " ", &save))
		argv[argc++] = t;
	LLVMParseCommandLineOptions(argc, argv, "ngen");
}

static void init_llvm(void)
{
	if (LLVMInitializeNativeTarget() || LLVMInitializeNativeAsmPrinter()) {
		init_status = NG_ERR_LLVM;
		return;
	}
	llvm_options();
	char *t = LLVMGetDefaultTargetTriple();
	char *n = LLVMNormalizeTargetTriple(t);
	host_triple = xstrdup(n);
	LLVMDisposeMessage(n);
	LLVMDisposeMessage(t);
	char *f = LLVMGetHostCPUFeatures();
	host_features = xstrdup(f ? f : "");
	LLVMDisposeMessage(f);
	snprintf(llvm_version, sizeof llvm_version, "%s", LLVM_VERSION_STRING);
}

int cg__init(ng_diag *diag)
{
	pthread_once(&init_once, init_llvm);
	if (init_status)
		return ng_diag_set(diag, init_status,
				   "LLVM: the native target could not be initialised "
				   "(is llvm-14 complete?)");
	return 0;
}

const char *cg__host_triple(void)
{
	return host_triple;
}

const char *cg__host_features(void)
{
	return host_features;
}

const char *cg__llvm_version(void)
{
	return llvm_version;
}

int cg__target_machine(int optimize, LLVMTargetMachineRef *out, ng_diag *diag)
{
	LLVMTargetRef target;
	char *err = NULL;
	if (LLVMGetTargetFromTriple(host_triple, &target, &err)) {
		ng_diag_set(diag, NG_ERR_LLVM, "LLVM: no target for %s: %s", host_triple,
			    err ? err : "?");
		LLVMDisposeMessage(err);
		return NG_ERR_LLVM;
	}
	char *cpu = LLVMGetHostCPUName();
	LLVMCodeGenOptLevel level = optimize ? LLVMCodeGenLevelDefault : LLVMCodeGenLevelNone;
	const char *e = getenv("NGEN_CGLEVEL");
	if (optimize && e && *e >= '0' && *e <= '3')
		level = (LLVMCodeGenOptLevel)(*e - '0');
	*out = LLVMCreateTargetMachine(target, host_triple, cpu, host_features, level,
				       LLVMRelocPIC, LLVMCodeModelDefault);
	LLVMDisposeMessage(cpu);
	if (!*out)
		return ng_diag_set(diag, NG_ERR_LLVM, "LLVM: cannot create a target machine for %s",
				   host_triple);
	return 0;
}

/* The pipelines; see the file comment. */
static const char *pipeline_text(cg_pipeline p)
{
	switch (p) {
	case CG_PIPELINE_O2:
		return "default<O2>";
	case CG_PIPELINE_O1:
		return "default<O1>";
	case CG_PIPELINE_CUSTOM:
		return getenv("NGEN_PIPELINE") + 7;
	case CG_PIPELINE_LIGHT:
		return "always-inline,function(sroa,early-cse<memssa>,instcombine,simplifycfg,"
		       "loop-mssa(licm),indvars,instcombine,simplifycfg)";
	case CG_PIPELINE_NONE:
		break;
	}
	return NULL;
}

cg_pipeline cg__pipeline_default(void)
{
	const char *e = getenv("NGEN_PIPELINE");
	if (e && strcmp(e, "o2") == 0)
		return CG_PIPELINE_O2;
	if (e && strcmp(e, "o1") == 0)
		return CG_PIPELINE_O1;
	if (e && strncmp(e, "custom:", 7) == 0)
		return CG_PIPELINE_CUSTOM;
	if (e && strcmp(e, "none") == 0)
		return CG_PIPELINE_NONE;
	return CG_PIPELINE_LIGHT;
}

int cg__optimize(LLVMModuleRef mod, LLVMTargetMachineRef tm, cg_pipeline p, ng_diag *diag)
{
	const char *text = pipeline_text(p);
	if (!text)
		return 0;
	LLVMPassBuilderOptionsRef opts = LLVMCreatePassBuilderOptions();
	LLVMErrorRef e = LLVMRunPasses(mod, text, tm, opts);
	LLVMDisposePassBuilderOptions(opts);
	if (e) {
		char *m = LLVMGetErrorMessage(e);
		ng_diag_set(diag, NG_ERR_LLVM, "LLVM: optimisation pipeline failed: %s", m);
		LLVMDisposeErrorMessage(m);
		return NG_ERR_LLVM;
	}
	return 0;
}

int cg__emit_object(LLVMModuleRef mod, LLVMTargetMachineRef tm, const char *path, ng_diag *diag)
{
	char *err = NULL;
	/* LLVMTargetMachineEmitToFile takes a non-const path. */
	char *p = xstrdup(path);
	LLVMBool failed = LLVMTargetMachineEmitToFile(tm, mod, p, LLVMObjectFile, &err);
	free(p);
	if (failed) {
		ng_diag_set(diag, NG_ERR_LLVM, "LLVM: cannot emit %s: %s", path, err ? err : "?");
		LLVMDisposeMessage(err);
		return NG_ERR_LLVM;
	}
	return 0;
}

void cg__module_setup(LLVMModuleRef mod, LLVMTargetMachineRef tm)
{
	LLVMTargetDataRef td = LLVMCreateTargetDataLayout(tm);
	char *layout = LLVMCopyStringRepOfTargetData(td);
	LLVMSetDataLayout(mod, layout);
	LLVMDisposeMessage(layout);
	LLVMDisposeTargetData(td);
	LLVMSetTarget(mod, host_triple);
}

/* The public entry point comp_target_query() finds by name. */
int cg_target_query(comp_target *out, ng_diag *diag)
{
	memset(out, 0, sizeof *out);
	int rc = cg__init(diag);
	if (rc)
		return rc;
	out->triple = xstrdup(host_triple);
	out->cpu_features = xstrdup(host_features);
	out->llvm_version = xstrdup(cg__llvm_version());
	return 0;
}
