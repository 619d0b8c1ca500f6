/* runtime/rt_math.c - System.Math as Mono 6.8 computes it.
 *
 * Mono's Math methods are thin calls into the C library, so libm gives the
 * same results; the exceptions are the corner cases written out here:
 * Round is round-half-to-even (rint in the default rounding mode), Abs of
 * MinValue and Sign of NaN throw with Mono's messages, and Min/Max return
 * NaN when either operand is NaN (and Max(-0.0, 0.0) is 0.0, Min of the
 * two is the first zero given, as Mono's `a < b ? a : b` gives). */
#include "base/abi_bcl.h"
#include "runtime/rt_exc.h"

#include <math.h>

static _Noreturn void negate_min(void)
{
	rt_throw_text("System.OverflowException",
		      "Negating the minimum value of a twos complement number is invalid.");
}

double ngrt_Math_Abs_r8(double x) { return fabs(x); }
float ngrt_Math_Abs_r4(float x) { return fabsf(x); }

int32_t ngrt_Math_Abs_i4(int32_t x)
{
	if (x == INT32_MIN)
		negate_min();
	return x < 0 ? -x : x;
}

int64_t ngrt_Math_Abs_i8(int64_t x)
{
	if (x == INT64_MIN)
		negate_min();
	return x < 0 ? -x : x;
}

double ngrt_Math_Sqrt(double x) { return sqrt(x); }
double ngrt_Math_Sin(double x) { return sin(x); }
double ngrt_Math_Cos(double x) { return cos(x); }
double ngrt_Math_Tan(double x) { return tan(x); }
double ngrt_Math_Asin(double x) { return asin(x); }
double ngrt_Math_Acos(double x) { return acos(x); }
double ngrt_Math_Atan(double x) { return atan(x); }
double ngrt_Math_Atan2(double y, double x) { return atan2(y, x); }
double ngrt_Math_Sinh(double x) { return sinh(x); }
double ngrt_Math_Cosh(double x) { return cosh(x); }
double ngrt_Math_Tanh(double x) { return tanh(x); }
double ngrt_Math_Exp(double x) { return exp(x); }
double ngrt_Math_Log(double x) { return log(x); }
double ngrt_Math_Log10(double x) { return log10(x); }
double ngrt_Math_Pow(double x, double y) { return pow(x, y); }
double ngrt_Math_Floor(double x) { return floor(x); }
double ngrt_Math_Ceiling(double x) { return ceil(x); }
double ngrt_Math_Round(double x) { return rint(x); }
double ngrt_Math_Truncate(double x) { return trunc(x); }

/* Mono's Math.Log(a, newBase). */
double ngrt_Math_Log_base(double a, double b)
{
	if (isnan(a))
		return a;
	if (isnan(b))
		return b;
	if (b == 1)
		return NAN;
	if (a != 1 && (b == 0 || (isinf(b) && b > 0)))
		return NAN;
	return log(a) / log(b);
}

int32_t ngrt_Math_Min_i4(int32_t a, int32_t b) { return a <= b ? a : b; }
int32_t ngrt_Math_Max_i4(int32_t a, int32_t b) { return a >= b ? a : b; }
uint32_t ngrt_Math_Min_u4(uint32_t a, uint32_t b) { return a <= b ? a : b; }
uint32_t ngrt_Math_Max_u4(uint32_t a, uint32_t b) { return a >= b ? a : b; }
int64_t ngrt_Math_Min_i8(int64_t a, int64_t b) { return a <= b ? a : b; }
int64_t ngrt_Math_Max_i8(int64_t a, int64_t b) { return a >= b ? a : b; }
uint64_t ngrt_Math_Min_u8(uint64_t a, uint64_t b) { return a <= b ? a : b; }
uint64_t ngrt_Math_Max_u8(uint64_t a, uint64_t b) { return a >= b ? a : b; }

double ngrt_Math_Min_r8(double a, double b)
{
	if (isnan(a))
		return a;
	return a < b ? a : b;
}

double ngrt_Math_Max_r8(double a, double b)
{
	if (isnan(a))
		return a;
	return a > b ? a : b;
}

float ngrt_Math_Min_r4(float a, float b)
{
	if (isnan(a))
		return a;
	return a < b ? a : b;
}

float ngrt_Math_Max_r4(float a, float b)
{
	if (isnan(a))
		return a;
	return a > b ? a : b;
}

int32_t ngrt_Math_Sign_i4(int32_t x) { return (x > 0) - (x < 0); }
int32_t ngrt_Math_Sign_i8(int64_t x) { return (x > 0) - (x < 0); }

int32_t ngrt_Math_Sign_r8(double x)
{
	if (isnan(x))
		rt_throw_text("System.ArithmeticException",
			      "Function does not accept floating point Not-a-Number values.");
	return (x > 0) - (x < 0);
}

uint8_t ngrt_Double_IsNaN(double x) { return isnan(x) != 0; }
uint8_t ngrt_Double_IsInfinity(double x) { return isinf(x) != 0; }
uint8_t ngrt_Double_IsPositiveInfinity(double x) { return isinf(x) && x > 0; }
uint8_t ngrt_Double_IsNegativeInfinity(double x) { return isinf(x) && x < 0; }
uint8_t ngrt_Single_IsNaN(float x) { return isnan(x) != 0; }
uint8_t ngrt_Single_IsInfinity(float x) { return isinf(x) != 0; }

intptr_t ngrt_IntPtr_from_i4(int32_t v) { return v; }
intptr_t ngrt_IntPtr_from_i8(int64_t v) { return (intptr_t)v; }
int64_t ngrt_IntPtr_to_i8(intptr_t v) { return v; }

/* Mono truncates: (int)(IntPtr)(1L << 40) is 0, no OverflowException. */
int32_t ngrt_IntPtr_to_i4(intptr_t v) { return (int32_t)v; }
