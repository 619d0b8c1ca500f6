/* tests/compiler/test_cg_util.h - compiling fixtures and calling their code.
 *
 * test_compiler links the compiler but not the runtime, so test_cg_util.c
 * defines the ngrt_* helpers compiled code calls: exceptions come back to
 * the test through siglongjmp (cgt_call* report them), Console output goes
 * to a buffer, profiler hooks to a log, import cells bind against the
 * images the test loaded. Images are loaded RTLD_LAZY | RTLD_LOCAL. */
#ifndef TEST_CG_UTIL_H
#define TEST_CG_UTIL_H

#include "base/abi.h"
#include "compiler/comp.h"
#include "compiler/md.h"

#include <criterion/criterion.h>
#include <setjmp.h>
#include <stdint.h>

typedef struct cgt_image {
	char dir[256];            /* temporary directory holding the image */
	char path[512];           /* the image */
	char asm_path[512];       /* the assembly */
	void *handle;
	const ng_manifest *man;
	md_image *md;
	comp_result res;
} cgt_image;

/* $NGEN_FIXTURES/cg/<name> (fixtures folder, else build/fixtures). */
const char *cgt_fixture(const char *name);
/* Compiles a fixture into a fresh temporary directory and loads it;
 * asserts success. threads 0 = default. */
void cgt_compile(const char *fixture, unsigned scenario, cgt_image *out);
void cgt_compile_threads(const char *fixture, unsigned scenario, int threads, cgt_image *out);
/* Compiles without loading; returns comp_compile's code (res/diag filled). */
int cgt_compile_only(const char *assembly, unsigned scenario, const char *out_path,
		     comp_result *res, ng_diag *diag);
void cgt_close(cgt_image *img);
/* The MethodDef row of Namespace.Type::Method ("" namespace allowed). */
uint32_t cgt_row(cgt_image *img, const char *type, const char *method);
const ng_manifest_method *cgt_entry(cgt_image *img, const char *type, const char *method);
/* Code of a compiled method; asserts it was compiled (message has the reason). */
void *cgt_code(cgt_image *img, const char *type, const char *method);

/* Exceptions raised by compiled code through ngrt_throw. */
extern sigjmp_buf cgt_jmp;
extern volatile int cgt_exception;   /* -1 none, else ngrt_exception_kind */
const char *cgt_exception_name(int kind);
#define CGT_TRY (cgt_exception = -1, sigsetjmp(cgt_jmp, 1) == 0)

/* Console output of the helpers, and the profiler log. */
extern char cgt_out[8192];
extern size_t cgt_out_len;
extern char cgt_prof[8192];
void cgt_reset_output(void);

/* Mono as the oracle: runs Eval.exe on the fixture with `requests` (one
 * "Type.Method hexargs" per line); returns the malloc()ed output. */
char *cgt_mono_eval(const char *fixture, const char *requests);

#endif
