/* runtime/rt.h - running a program from its native images.
 *
 * rt_run() loads the program's native image and, as they are needed, the
 * images of its dependencies, checks each one before use, binds
 * cross-assembly calls, and calls Main:
 *
 *   1. An image source says where the image of an assembly is (for the
 *      scenario asked). The default source looks for Name.ni.so in the
 *      directories of rt_options.image_dirs and $NGEN_IMAGES (colon
 *      separated), then next to the assembly; the cache (issue 4) plugs in
 *      here as another source.
 *   2. An image is used only when its manifest is valid here: magic,
 *      NG_IMAGE_FORMAT, target triple and CPU features (rt_target.h),
 *      scenario, and MVID equal to the assembly file's current MVID. When
 *      it is not, the runtime says why on stderr and compiles the assembly
 *      (comp_compile(), which loads the code generator and libLLVM only
 *      then) into a private temporary directory; a missing image is
 *      compiled the same way, silently. Starting from valid images never
 *      loads libLLVM.
 *   3. Images are dlopen()ed RTLD_NOW | RTLD_GLOBAL, hard-bound
 *      dependencies (LoadHint.Always) first, so the program image's
 *      DT_NEEDED entries and direct symbol references resolve to them.
 *      Soft-bound dependencies are loaded on the first call through one of
 *      their import cells (ngrt_bind_import), after checking that the
 *      dependency's MVID is the one the caller was compiled against.
 *   4. Main (the manifest's entry token) is called with string[] args when
 *      it takes them; its int result, or 0 for void, is the exit code.
 *
 * A method that is not available natively (excluded by the compiler,
 * BypassNGen) ends the program with a message naming Namespace.Type::Method
 * and the reason from the manifest, then Mono's MissingMethodException
 * report, exit status 1. */
#ifndef RT_H
#define RT_H

#include <stdbool.h>

#include "base/diag.h"

/* Where the image of an assembly is: on success returns 0 and a malloc()ed
 * path in *image_path; NG_ERR_NOTFOUND when the source has none. The
 * runtime validates what it gets. */
typedef int (*rt_image_source_fn)(void *ctx, const char *assembly_path,
				  unsigned scenario, char **image_path,
				  ng_diag *diag);

typedef struct rt_options {
	unsigned scenario;              /* NG_SCENARIO_* the images must have */
	rt_image_source_fn source;      /* NULL: rt_default_source */
	void *source_ctx;
	const char *const *image_dirs;  /* default source: NULL-terminated, may be NULL */
	bool verbose;                   /* say which images load and which compile */
	bool no_compile;                /* fail instead of compiling a missing image */
	/* Called once per assembly whose image was loaded (the usage log of
	 * the idle task is written from here); may be NULL. Strings are
	 * borrowed for the call. */
	void (*on_load)(void *ctx, const char *assembly_path, const char *identity);
	void *on_load_ctx;
} rt_options;

/* The default image source (see above); ctx is the rt_options. */
int rt_default_source(void *ctx, const char *assembly_path, unsigned scenario,
		      char **image_path, ng_diag *diag);

/* Runs program with argc/argv as Main's args. Returns 0 when Main ran to
 * its end, with Main's result in *exit_code; a negative code with the
 * reason in *diag when the program could not be started (missing or bad
 * assembly, no entry point, an image that cannot be loaded or compiled).
 * An unhandled exception in the program does not return: the process
 * exits as Mono's would. Call once per process. */
int rt_run(const rt_options *opt, const char *program, int argc, char **argv,
	   int *exit_code, ng_diag *diag);

#endif
