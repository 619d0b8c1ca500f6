/* compiler/comp.h - the public compile API: one assembly in, one native image out.
 *
 * This header and comp.c do not use LLVM, so they are linked into the ngen
 * binary and the runtime. The code generator proper (compiler/cg_*.c) lives
 * in build/libngen-cg.so and is loaded only when something is compiled:
 * comp_compile() first looks for cg_compile in the running program
 * (dlsym(RTLD_DEFAULT), which finds it in the tests, which link the code
 * generator directly), else dlopen()s libngen-cg.so from $NGEN_CGLIB or from
 * the directory of /proc/self/exe.
 *
 * A compile job reads the assembly and the assemblies it references, decodes
 * every method body into basic blocks, translates the methods it supports to
 * LLVM IR (in one or more modules, each with its own LLVMContextRef, so jobs
 * and the modules of one job may run on several threads at once), optimises
 * the IR (unless /Debug), emits object files and links them with ld.lld into
 * one ELF shared object: the native image `Name.ni.so`. The image exports the
 * manifest `ngen_manifest` (struct ng_manifest in base/abi.h). The file is
 * written under a temporary name in the output directory and renamed into
 * place only when complete, so the final path never holds half an image.
 *
 * Methods the compiler does not support are excluded with a reason (the
 * first unsupported instruction, type or call and its IL offset); methods
 * marked BypassNGenAttribute are left out as such. Neither is an error: the
 * job fails only when the assembly cannot be read, a reference cannot be
 * resolved, LLVM or the linker fail, or the job is canceled.
 *
 * Binding (base/abi.h): calls and static fields of a soft-bound dependency
 * go through the image's import cells; a hard-bound one (LoadHint.Always)
 * is referenced by symbol, weakly, with an import as the fallback that
 * reports an excluded target, and is recorded as DT_NEEDED of the image
 * (soname "Name-<mvid>.ni.so") when the image really uses it. An excluded
 * static method that compiled code of the same image calls gets a stub
 * that calls ngrt_method_excluded. The class library (mscorlib, System.*)
 * is reached only through the runtime intrinsics of base/abi_bcl.h and the
 * inline String.Length / indexer; other calls into it exclude the caller. */
#ifndef COMP_H
#define COMP_H

#include "base/diag.h"

#include <stddef.h>
#include <stdint.h>

struct md_identity; /* compiler/md.h: an assembly's name, version, culture, key */

/* Finds the file of an assembly that `referencing_path` references.
 * On success returns 0 and stores a malloc()ed path (the caller frees it) in
 * *path_out; returns NG_ERR_NOTFOUND (or another negative code) when the
 * assembly cannot be found. Called on the compiling thread. */
typedef int (*comp_resolve_fn)(void *ctx, const char *referencing_path,
			       const struct md_identity *ref, char **path_out);

/* Reports progress: `done` of `total` methods processed (compiled, excluded
 * or bypassed). Called on a compiling thread, possibly several threads for
 * one job (never at the same time for one job: calls are serialised). */
typedef void (*comp_progress_fn)(void *ctx, uint32_t done, uint32_t total);

typedef struct comp_request {
	const char *assembly_path;   /* borrowed for the duration of the call */
	unsigned scenario;           /* NG_SCENARIO_* bits of base/abi.h */
	const char *output_path;     /* the image file to write, e.g. ".../Name.ni.so" */
	comp_resolve_fn resolve;     /* NULL: comp_default_resolve */
	void *resolve_ctx;
	comp_progress_fn progress;   /* may be NULL */
	void *progress_ctx;
	volatile int *cancel;        /* may be NULL; non-zero -> NG_ERR_CANCELED */
	int threads;                 /* modules compiled in parallel: exactly this many
	                                (at most one per method to compile, 16 at most);
	                                0 = one per core, ~400 methods per module at least */
} comp_request;

/* A dependency recorded in the image's manifest. */
typedef struct comp_dep {
	char *display_name;          /* "Name, Version=..., Culture=..., PublicKeyToken=..." */
	uint8_t mvid[16];
	char *path;                  /* the file compiled against; NULL when read from an image */
	int hard_bound;              /* 1: LoadHint.Always, direct symbol references + DT_NEEDED */
} comp_dep;

/* Exclusions grouped by reason, the IL offset taken out of the text
 * ("newobj: object creation is not supported"). */
typedef struct comp_reason {
	char *text;
	uint32_t count;
} comp_reason;

typedef struct comp_result {
	char *display_name;          /* the compiled assembly's identity */
	uint8_t mvid[16];
	uint32_t methods_total;      /* MethodDef rows */
	uint32_t methods_compiled;
	uint32_t methods_excluded;   /* includes methods without a body (abstract, extern, runtime) */
	uint32_t methods_bypassed;   /* BypassNGenAttribute */
	comp_reason *reasons;        /* sorted by count, most frequent first */
	size_t reason_count;
	comp_dep *deps;              /* in manifest order */
	size_t dep_count;
	double seconds;              /* wall time of the whole job */
	size_t image_size;           /* bytes of the written image */
} comp_result;

/* Compiles req->assembly_path into req->output_path. Returns 0 or a negative
 * code with the detail in *diag. *res is filled on success (and partially on
 * failure); release it with comp_result_close() in both cases. */
int comp_compile(const comp_request *req, comp_result *res, ng_diag *diag);
void comp_result_close(comp_result *res);

/* The default resolver: the referencing assembly's directory, then Mono's
 * GAC (/usr/lib/mono/gac/Name/Version_Culture_Token/Name.dll), then
 * /usr/lib/mono/4.5/Name.dll ($NGEN_MONO_LIB overrides /usr/lib/mono). */
int comp_default_resolve(void *ctx, const char *referencing_path,
			 const struct md_identity *ref, char **path_out);

/* The image file name for an assembly file: "/a/b/Foo.dll" -> "Foo.ni.so"
 * (malloc()ed). */
char *comp_image_name(const char *assembly_path);

/* The version of this compiler, recorded in every manifest. */
#define COMP_COMPILER_VERSION "ngen-cg 0.1"

/* What the host target looks like to the code generator (loads it, and with
 * it libLLVM: a few milliseconds). Strings are malloc()ed. */
typedef struct comp_target {
	char *triple;                /* "x86_64-unknown-linux-gnu" */
	char *cpu_features;          /* LLVMGetHostCPUFeatures() */
	char *llvm_version;          /* "14.0.6" */
} comp_target;
int comp_target_query(comp_target *out, ng_diag *diag);
void comp_target_close(comp_target *t);

/* ---- reading an image back, without running it ---- */

typedef struct comp_image_method {
	uint32_t token;
	uint32_t status;             /* NG_METHOD_* */
	char *reason;                /* NULL when compiled */
} comp_image_method;

/* A copy of an image's manifest, read from the ELF file (nothing is loaded
 * or run, so an image whose dependencies are missing can still be read). */
typedef struct comp_image_info {
	uint32_t format;
	char *compiler_version, *llvm_version, *target_triple, *cpu_features;
	uint32_t scenario;
	char *display_name;
	uint8_t mvid[16];
	uint32_t entry_token;
	comp_dep *deps;              /* path is NULL */
	size_t dep_count;
	comp_image_method *methods;
	size_t method_count;
	uint32_t import_count;
} comp_image_info;

/* Returns 0, or NG_ERR_INVALID_IMAGE / -errno with the detail in *diag
 * (not an ELF file, no ngen_manifest, wrong magic, truncated). An image of
 * another NG_IMAGE_FORMAT is read as far as its header (format is set) and
 * reported as NG_ERR_INVALID_IMAGE. Release with comp_image_info_close(). */
int comp_image_read(const char *path, comp_image_info *out, ng_diag *diag);
void comp_image_info_close(comp_image_info *info);

/* Entry points of libngen-cg.so, found by name (comp.c); same contracts as
 * comp_compile() and comp_target_query(). */
typedef int (*comp_cg_compile_fn)(const comp_request *req, comp_result *res, ng_diag *diag);
typedef int (*comp_cg_target_fn)(comp_target *out, ng_diag *diag);
#define COMP_CG_COMPILE_SYMBOL "cg_compile"
#define COMP_CG_TARGET_SYMBOL "cg_target_query"

#endif
