/* base/abi.h - the contract between compiled code and the runtime.
 *
 * The compiler (compiler/cg_*) emits code that follows this header and the
 * runtime (runtime/) implements it; neither includes the other. Changing a
 * layout or a helper's signature here means bumping NG_IMAGE_FORMAT, which
 * invalidates every image built before (the cache compares it).
 *
 * Calling convention of compiled methods: plain C calls (the platform ABI).
 * CIL types map to C as: int8/uint8 -> int8_t, bool -> uint8_t, char ->
 * uint16_t, int16 -> int16_t, int32 -> int32_t, int64 -> int64_t, native int
 * -> intptr_t, float32 -> float, float64 -> double, object references and
 * managed pointers -> pointers. Instance methods take `this` first.
 *
 * Symbol names are stable and unique across images, derived from the
 * assembly's MVID (32 lowercase hex digits, in the byte order stored in the
 * #GUID heap) and a metadata token (8 hex digits):
 *   ngm_<mvid>_<token>   compiled method (MethodDef token)
 *   ngs_<mvid>_<token>   storage of a static field (Field token)
 *   ngt_<mvid>_<token>   type-initialisation state of a type (TypeDef token)
 * The readable name Namespace.Type::Method is carried in DWARF. */
#ifndef NG_ABI_H
#define NG_ABI_H

#include <stdint.h>

/* Version of everything below; part of an image's validity. */
#define NG_IMAGE_FORMAT 1
#define NG_MANIFEST_MAGIC 0x4e474d46u /* "NGMF" */
/* The data symbol every native image exports. */
#define NG_MANIFEST_SYMBOL "ngen_manifest"

/* ---- objects ---------------------------------------------------------- */

/* Every heap object starts with a pointer to its runtime type descriptor
 * (opaque to compiled code). Objects are allocated by ngrt_alloc_* and live
 * on the Boehm GC heap. */
typedef struct ngrt_object {
	const void *klass;
} ngrt_object;

/* System.String: UTF-16 code units, not NUL-terminated (a NUL unit follows
 * for the convenience of C helpers, not counted in length). */
typedef struct ngrt_string {
	const void *klass;
	int32_t length;
	uint16_t chars[];
} ngrt_string;

/* Single-dimensional, zero-based arrays (SZARRAY). Elements start at
 * `data`, aligned to 8 bytes. */
typedef struct ngrt_array {
	const void *klass;
	intptr_t length;
	_Alignas(8) unsigned char data[];
} ngrt_array;

/* ---- exceptions --------------------------------------------------------- */

/* The exceptions the runtime raises on behalf of compiled code; the texts
 * are Mono's (what `mono` prints for an unhandled one). */
#define NGRT_EXCEPTION_LIST(X)                                                 \
	X(NGRT_EX_OVERFLOW, "System.OverflowException",                          \
	  "Arithmetic operation resulted in an overflow.")                        \
	X(NGRT_EX_DIVIDE_BY_ZERO, "System.DivideByZeroException",                \
	  "Attempted to divide by zero.")                                         \
	X(NGRT_EX_ARITHMETIC, "System.ArithmeticException",                      \
	  "Overflow or underflow in the arithmetic operation.")                  \
	X(NGRT_EX_NULL_REFERENCE, "System.NullReferenceException",               \
	  "Object reference not set to an instance of an object")                \
	X(NGRT_EX_INDEX_OUT_OF_RANGE, "System.IndexOutOfRangeException",         \
	  "Index was outside the bounds of the array.")                          \
	X(NGRT_EX_INVALID_CAST, "System.InvalidCastException",                   \
	  "Specified cast is not valid.")                                         \
	X(NGRT_EX_OUT_OF_MEMORY, "System.OutOfMemoryException",                  \
	  "Insufficient memory to continue the execution of the program.")       \
	X(NGRT_EX_STACK_OVERFLOW, "System.StackOverflowException",               \
	  "The requested operation caused a stack overflow.")                    \
	X(NGRT_EX_TYPE_INIT, "System.TypeInitializationException",               \
	  "The type initializer threw an exception.")                            \
	X(NGRT_EX_MISSING_METHOD, "System.MissingMethodException",               \
	  "Method not found.")

typedef enum ngrt_exception_kind {
#define NGRT_EX_ENUM_(id, type, text) id,
	NGRT_EXCEPTION_LIST(NGRT_EX_ENUM_)
#undef NGRT_EX_ENUM_
	NGRT_EX_COUNT_
} ngrt_exception_kind;

/* ---- the image manifest ------------------------------------------------- */

enum {
	NG_SCENARIO_DEBUG   = 1u << 0,  /* unoptimised, DWARF line info */
	NG_SCENARIO_PROFILE = 1u << 1,  /* profiler hooks on entry and exit */
};

/* A dependency the image was compiled against. */
typedef struct ng_manifest_dep {
	const char *display_name;    /* "Name, Version=..., Culture=..., PublicKeyToken=..." */
	uint8_t mvid[16];
	uint32_t hard_bound;         /* 1: LoadHint.Always, direct symbol references */
} ng_manifest_dep;

enum {
	NG_METHOD_COMPILED = 0,
	NG_METHOD_EXCLUDED = 1,      /* reason says why; the runtime cannot call it natively */
	NG_METHOD_BYPASS   = 2,      /* marked BypassNGenAttribute */
};

/* One row per MethodDef of the assembly, in token order. */
typedef struct ng_manifest_method {
	uint32_t token;
	uint32_t status;             /* NG_METHOD_* */
	void *code;                  /* entry point when compiled, else NULL */
	const char *reason;          /* when excluded: the first unsupported instruction, type or call */
} ng_manifest_method;

/* A soft-bound call: the cell holds NULL until the runtime binds it (on
 * first use, through ngrt_bind_import) to the target method's code.
 * The token's table says what the cell binds to (same layout, same
 * format number: only the meaning of a token kind was added):
 *   MethodDef (0x06...): the method's code, as above;
 *   Field (0x04...): the address of a static field's storage in the
 *     dependency's image, its symbol ngs_<mvid>_<token>;
 *   TypeDef (0x02...): the address of a type's initialisation state in
 *     the dependency's image, its symbol ngt_<mvid>_<token>.
 * Hard-bound references (direct, weak symbols) also have an import each,
 * which compiled code binds only when the weak symbol is missing (the
 * dependency excluded that method): ngrt_bind_import then reports why. */
typedef struct ng_manifest_import {
	void **cell;
	uint32_t dep_index;          /* into deps */
	uint32_t token;              /* MethodDef, Field or TypeDef token in that dependency */
} ng_manifest_import;

typedef struct ng_manifest {
	uint32_t magic;              /* NG_MANIFEST_MAGIC */
	uint32_t format;             /* NG_IMAGE_FORMAT */
	const char *compiler_version;
	const char *llvm_version;
	const char *target_triple;
	const char *cpu_features;
	uint32_t scenario;           /* NG_SCENARIO_* bits */
	const char *display_name;    /* the assembly's identity */
	uint8_t mvid[16];
	uint32_t entry_token;        /* MethodDef of the entry point, 0 for a library */
	uint32_t dep_count;
	const ng_manifest_dep *deps;
	uint32_t method_count;
	const ng_manifest_method *methods;
	uint32_t import_count;
	const ng_manifest_import *imports;
} ng_manifest;

/* ---- helpers compiled code calls (implemented in runtime/) -------------- */

/* Raises an exception of that kind; never returns. */
_Noreturn void ngrt_throw(int32_t kind);
/* Binds a soft-bound call and returns the target's code; raises
 * MissingMethodException (with the method's name and exclusion reason on
 * stderr) when the target is not available natively. */
void *ngrt_bind_import(const ng_manifest *self, uint32_t import_index);
/* Ends the program because a method has no native code (excluded from
 * its image or BypassNGen): prints Namespace.Type::Method and the reason
 * from self's method table, then raises MissingMethodException. For calls
 * to an excluded method of the same image. (Added in format 1.) */
_Noreturn void ngrt_missing_method(const ng_manifest *self, uint32_t token);
/* Runs a type's .cctor once, in the CLI's order: state points at the
 * ngt_ symbol (0 = not run, 1 = running, 2 = done). */
void ngrt_run_cctor(int32_t *state, void (*cctor)(void));
/* ldstr: returns the interned string for the literal, creating it on first
 * use; cell caches it (one cell per literal in the image). */
ngrt_string *ngrt_ldstr(ngrt_string **cell, const uint16_t *chars, int32_t length);
/* The body of the stub that stands for an excluded or BypassNGen static
 * method (so compiled callers and hard-bound images still link): reports
 * Namespace.Type::Method and the manifest's reason, then ends the program
 * as ngrt_bind_import does for an unavailable target. Images reference it
 * weakly and call ngrt_throw(NGRT_EX_MISSING_METHOD) when it is absent. */
_Noreturn void ngrt_method_excluded(const ng_manifest *self, uint32_t token);
/* Profiler hooks of /Profile images. */
void ngrt_profile_enter(const ng_manifest *self, uint32_t token);
void ngrt_profile_leave(const ng_manifest *self, uint32_t token);

#endif
