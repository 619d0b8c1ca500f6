/* base/abi_bcl.h - the base-class-library methods the runtime implements.
 *
 * First-tier programs call a few methods of mscorlib (System.Console,
 * System.Math). The compiler does not compile mscorlib's own code for
 * them: it maps a call whose MemberRef matches a row of NG_BCL_METHOD_LIST
 * to a direct call of the row's helper, which runtime/ implements natively
 * with Mono's exact behaviour (formatting, rounding, exceptions).
 *
 * A row is X(TYPE, METHOD, SIG, SYMBOL, CRET, CPARAMS):
 *   TYPE     the declaring type's full name, "System.Console"
 *   METHOD   the method name, "WriteLine"
 *   SIG      the static method's signature as "ret(p1,p2)" with the names
 *            of ng_bcl_elem_name() below, no spaces: "void(int32)",
 *            "float64(float64,float64)", "void()"; an instance method
 *            (HASTHIS) is written "instance int32()" and its helper takes
 *            `this` first (base/abi.h)
 *   SYMBOL   the helper's C symbol (exported by the ngen executable)
 *   CRET, CPARAMS  its C prototype, following base/abi.h's type mapping
 *
 * Matching: build SIG from the decoded MemberRef signature (its return type
 * and parameter element types) with ng_bcl_elem_name(), then compare TYPE,
 * METHOD and SIG as strings (all three case-sensitive). A call that matches
 * no row is not a first-tier library call (the method is excluded, with the
 * call as the reason). Rows are only ever appended; the helpers' behaviour
 * is part of NG_IMAGE_FORMAT. */
#ifndef NG_ABI_BCL_H
#define NG_ABI_BCL_H

#include <stdint.h>

#include "base/abi.h"

#define NG_BCL_METHOD_LIST(X)                                                 \
	/* System.Console: Write and WriteLine of primitives and strings. */  \
	X("System.Console", "WriteLine", "void()", ngrt_Console_WriteLine,    \
	  void, (void))                                                         \
	X("System.Console", "WriteLine", "void(bool)",                        \
	  ngrt_Console_WriteLine_bool, void, (uint8_t v))                       \
	X("System.Console", "WriteLine", "void(char)",                        \
	  ngrt_Console_WriteLine_char, void, (uint16_t v))                      \
	X("System.Console", "WriteLine", "void(int32)",                       \
	  ngrt_Console_WriteLine_i4, void, (int32_t v))                         \
	X("System.Console", "WriteLine", "void(uint32)",                      \
	  ngrt_Console_WriteLine_u4, void, (uint32_t v))                        \
	X("System.Console", "WriteLine", "void(int64)",                       \
	  ngrt_Console_WriteLine_i8, void, (int64_t v))                         \
	X("System.Console", "WriteLine", "void(uint64)",                      \
	  ngrt_Console_WriteLine_u8, void, (uint64_t v))                        \
	X("System.Console", "WriteLine", "void(float32)",                     \
	  ngrt_Console_WriteLine_r4, void, (float v))                           \
	X("System.Console", "WriteLine", "void(float64)",                     \
	  ngrt_Console_WriteLine_r8, void, (double v))                          \
	X("System.Console", "WriteLine", "void(string)",                      \
	  ngrt_Console_WriteLine_string, void, (ngrt_string *v))                \
	X("System.Console", "Write", "void(bool)",                            \
	  ngrt_Console_Write_bool, void, (uint8_t v))                           \
	X("System.Console", "Write", "void(char)",                            \
	  ngrt_Console_Write_char, void, (uint16_t v))                          \
	X("System.Console", "Write", "void(int32)",                           \
	  ngrt_Console_Write_i4, void, (int32_t v))                             \
	X("System.Console", "Write", "void(uint32)",                          \
	  ngrt_Console_Write_u4, void, (uint32_t v))                            \
	X("System.Console", "Write", "void(int64)",                           \
	  ngrt_Console_Write_i8, void, (int64_t v))                             \
	X("System.Console", "Write", "void(uint64)",                          \
	  ngrt_Console_Write_u8, void, (uint64_t v))                            \
	X("System.Console", "Write", "void(float32)",                         \
	  ngrt_Console_Write_r4, void, (float v))                               \
	X("System.Console", "Write", "void(float64)",                         \
	  ngrt_Console_Write_r8, void, (double v))                              \
	X("System.Console", "Write", "void(string)",                          \
	  ngrt_Console_Write_string, void, (ngrt_string *v))                    \
	/* System.Math on doubles. */                                           \
	X("System.Math", "Abs", "float64(float64)", ngrt_Math_Abs_r8,         \
	  double, (double x))                                                   \
	X("System.Math", "Abs", "float32(float32)", ngrt_Math_Abs_r4,         \
	  float, (float x))                                                     \
	X("System.Math", "Abs", "int32(int32)", ngrt_Math_Abs_i4,             \
	  int32_t, (int32_t x))                                                 \
	X("System.Math", "Abs", "int64(int64)", ngrt_Math_Abs_i8,             \
	  int64_t, (int64_t x))                                                 \
	X("System.Math", "Sqrt", "float64(float64)", ngrt_Math_Sqrt,          \
	  double, (double x))                                                   \
	X("System.Math", "Sin", "float64(float64)", ngrt_Math_Sin,            \
	  double, (double x))                                                   \
	X("System.Math", "Cos", "float64(float64)", ngrt_Math_Cos,            \
	  double, (double x))                                                   \
	X("System.Math", "Tan", "float64(float64)", ngrt_Math_Tan,            \
	  double, (double x))                                                   \
	X("System.Math", "Asin", "float64(float64)", ngrt_Math_Asin,          \
	  double, (double x))                                                   \
	X("System.Math", "Acos", "float64(float64)", ngrt_Math_Acos,          \
	  double, (double x))                                                   \
	X("System.Math", "Atan", "float64(float64)", ngrt_Math_Atan,          \
	  double, (double x))                                                   \
	X("System.Math", "Atan2", "float64(float64,float64)", ngrt_Math_Atan2,\
	  double, (double y, double x))                                         \
	X("System.Math", "Sinh", "float64(float64)", ngrt_Math_Sinh,          \
	  double, (double x))                                                   \
	X("System.Math", "Cosh", "float64(float64)", ngrt_Math_Cosh,          \
	  double, (double x))                                                   \
	X("System.Math", "Tanh", "float64(float64)", ngrt_Math_Tanh,          \
	  double, (double x))                                                   \
	X("System.Math", "Exp", "float64(float64)", ngrt_Math_Exp,            \
	  double, (double x))                                                   \
	X("System.Math", "Log", "float64(float64)", ngrt_Math_Log,            \
	  double, (double x))                                                   \
	X("System.Math", "Log", "float64(float64,float64)", ngrt_Math_Log_base,\
	  double, (double x, double b))                                         \
	X("System.Math", "Log10", "float64(float64)", ngrt_Math_Log10,        \
	  double, (double x))                                                   \
	X("System.Math", "Pow", "float64(float64,float64)", ngrt_Math_Pow,    \
	  double, (double x, double y))                                         \
	X("System.Math", "Floor", "float64(float64)", ngrt_Math_Floor,        \
	  double, (double x))                                                   \
	X("System.Math", "Ceiling", "float64(float64)", ngrt_Math_Ceiling,    \
	  double, (double x))                                                   \
	X("System.Math", "Round", "float64(float64)", ngrt_Math_Round,        \
	  double, (double x))                                                   \
	X("System.Math", "Truncate", "float64(float64)", ngrt_Math_Truncate,  \
	  double, (double x))                                                   \
	X("System.Math", "Min", "int32(int32,int32)", ngrt_Math_Min_i4,       \
	  int32_t, (int32_t a, int32_t b))                                      \
	X("System.Math", "Max", "int32(int32,int32)", ngrt_Math_Max_i4,       \
	  int32_t, (int32_t a, int32_t b))                                      \
	X("System.Math", "Min", "uint32(uint32,uint32)", ngrt_Math_Min_u4,    \
	  uint32_t, (uint32_t a, uint32_t b))                                   \
	X("System.Math", "Max", "uint32(uint32,uint32)", ngrt_Math_Max_u4,    \
	  uint32_t, (uint32_t a, uint32_t b))                                   \
	X("System.Math", "Min", "int64(int64,int64)", ngrt_Math_Min_i8,       \
	  int64_t, (int64_t a, int64_t b))                                      \
	X("System.Math", "Max", "int64(int64,int64)", ngrt_Math_Max_i8,       \
	  int64_t, (int64_t a, int64_t b))                                      \
	X("System.Math", "Min", "uint64(uint64,uint64)", ngrt_Math_Min_u8,    \
	  uint64_t, (uint64_t a, uint64_t b))                                   \
	X("System.Math", "Max", "uint64(uint64,uint64)", ngrt_Math_Max_u8,    \
	  uint64_t, (uint64_t a, uint64_t b))                                   \
	X("System.Math", "Min", "float64(float64,float64)", ngrt_Math_Min_r8, \
	  double, (double a, double b))                                         \
	X("System.Math", "Max", "float64(float64,float64)", ngrt_Math_Max_r8, \
	  double, (double a, double b))                                         \
	X("System.Math", "Min", "float32(float32,float32)", ngrt_Math_Min_r4, \
	  float, (float a, float b))                                            \
	X("System.Math", "Max", "float32(float32,float32)", ngrt_Math_Max_r4, \
	  float, (float a, float b))                                            \
	X("System.Math", "Sign", "int32(int32)", ngrt_Math_Sign_i4,           \
	  int32_t, (int32_t x))                                                 \
	X("System.Math", "Sign", "int32(int64)", ngrt_Math_Sign_i8,           \
	  int32_t, (int64_t x))                                                 \
	X("System.Math", "Sign", "int32(float64)", ngrt_Math_Sign_r8,         \
	  int32_t, (double x))                                                  \
	/* System.String: what Main does with its args. get_Chars raises     \
	 * IndexOutOfRangeException; a null `this` NullReferenceException. */ \
	X("System.String", "get_Length", "instance int32()",                  \
	  ngrt_String_get_Length, int32_t, (ngrt_string *self))                 \
	X("System.String", "get_Chars", "instance char(int32)",               \
	  ngrt_String_get_Chars, uint16_t, (ngrt_string *self, int32_t index))  \
	/* System.Double / System.Single classification. */                   \
	X("System.Double", "IsNaN", "bool(float64)", ngrt_Double_IsNaN,        \
	  uint8_t, (double x))                                                  \
	X("System.Double", "IsInfinity", "bool(float64)",                     \
	  ngrt_Double_IsInfinity, uint8_t, (double x))                          \
	X("System.Double", "IsPositiveInfinity", "bool(float64)",             \
	  ngrt_Double_IsPositiveInfinity, uint8_t, (double x))                  \
	X("System.Double", "IsNegativeInfinity", "bool(float64)",             \
	  ngrt_Double_IsNegativeInfinity, uint8_t, (double x))                  \
	X("System.Single", "IsNaN", "bool(float32)", ngrt_Single_IsNaN,        \
	  uint8_t, (float x))                                                   \
	X("System.Single", "IsInfinity", "bool(float32)",                     \
	  ngrt_Single_IsInfinity, uint8_t, (float x))                           \
	/* System.IntPtr conversions; to int32 truncates, as in Mono. */       \
	X("System.IntPtr", "op_Explicit", "native int(int32)",                \
	  ngrt_IntPtr_from_i4, intptr_t, (int32_t v))                           \
	X("System.IntPtr", "op_Explicit", "native int(int64)",                \
	  ngrt_IntPtr_from_i8, intptr_t, (int64_t v))                           \
	X("System.IntPtr", "op_Explicit", "int64(native int)",                \
	  ngrt_IntPtr_to_i8, int64_t, (intptr_t v))                             \
	X("System.IntPtr", "op_Explicit", "int32(native int)",                \
	  ngrt_IntPtr_to_i4, int32_t, (intptr_t v))

/* Prototypes of every helper, generated from the list. */
#define NG_BCL_PROTO_(type, method, sig, sym, cret, cparams) cret sym cparams;
NG_BCL_METHOD_LIST(NG_BCL_PROTO_)
#undef NG_BCL_PROTO_

/* The name used in SIG for an ECMA-335 ELEMENT_TYPE code (II.23.1.16), or
 * NULL for a type no helper takes (the call is then not a BCL helper). */
static inline const char *ng_bcl_elem_name(uint8_t element_type)
{
	switch (element_type) {
	case 0x01: return "void";
	case 0x02: return "bool";
	case 0x03: return "char";
	case 0x04: return "int8";
	case 0x05: return "uint8";
	case 0x06: return "int16";
	case 0x07: return "uint16";
	case 0x08: return "int32";
	case 0x09: return "uint32";
	case 0x0a: return "int64";
	case 0x0b: return "uint64";
	case 0x0c: return "float32";
	case 0x0d: return "float64";
	case 0x0e: return "string";
	case 0x18: return "native int";
	case 0x19: return "native uint";
	case 0x1c: return "object";
	default: return 0;
	}
}

#endif
