/* tests/runtime/test_rt_math.c - System.Math helpers against Mono 6.8
 * (expected values printed by `mono` for the same calls). */
#include <criterion/criterion.h>

#include "base/abi_bcl.h"
#include "tests/runtime/rt_testutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

Test(rt_math, round_is_to_even)
{
	const double in[] = { -3.5, -2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.5, 1234567.5, 0.49999999999999994 };
	const double out[] = { -4, -2, -2, -0.0, 0, 2, 2, 4, 1234568, 0 };
	for (size_t i = 0; i < sizeof in / sizeof in[0]; i++)
		cr_expect_eq(ngrt_Math_Round(in[i]), out[i], "Round(%.17g) = %.17g", in[i],
			     ngrt_Math_Round(in[i]));
	cr_expect(signbit(ngrt_Math_Round(-0.4)), "Round(-0.4) is -0, as 1/x = -Infinity in Mono");
}

Test(rt_math, min_max_with_nan_and_zeros)
{
	cr_expect(isnan(ngrt_Math_Max_r8(NAN, 1)));
	cr_expect(isnan(ngrt_Math_Max_r8(1, NAN)));
	cr_expect(isnan(ngrt_Math_Min_r8(1, NAN)));
	/* Mono: 1/Math.Min(-0.0, 0.0) and 1/Math.Max(-0.0, 0.0) are both Infinity. */
	cr_expect(!signbit(ngrt_Math_Min_r8(-0.0, 0.0)));
	cr_expect(!signbit(ngrt_Math_Max_r8(-0.0, 0.0)));
	cr_expect_eq(ngrt_Math_Min_i4(3, -7), -7);
	cr_expect_eq(ngrt_Math_Max_i8(INT64_MIN, 0), 0);
	cr_expect_eq(ngrt_Math_Max_u4(0x80000000u, 1), 0x80000000u);
}

Test(rt_math, log_with_base_and_pow_corners)
{
	cr_expect_eq(ngrt_Math_Log_base(8, 2), 3);
	cr_expect(isnan(ngrt_Math_Log_base(8, 1)));
	cr_expect(isnan(ngrt_Math_Log_base(2, 0)));
	cr_expect_eq(ngrt_Math_Pow(-1, INFINITY), 1);
	cr_expect_eq(ngrt_Math_Pow(1, NAN), 1);
	cr_expect_eq(ngrt_Math_Pow(NAN, 0), 1);
	cr_expect(isinf(ngrt_Math_Log(0)) && ngrt_Math_Log(0) < 0);
	cr_expect_eq(ngrt_Math_Atan2(0, -0.0), M_PI);
	cr_expect_eq(ngrt_Math_Sign_r8(-0.0), 0);
	cr_expect_eq(ngrt_Math_Sign_i8(INT64_MIN), -1);
	cr_expect_eq(ngrt_Math_Abs_i4(INT32_MIN + 1), INT32_MAX);
}

static void abs_min(void *ctx) { ngrt_Math_Abs_i4(INT32_MIN); }
static void abs_min_long(void *ctx) { ngrt_Math_Abs_i8(INT64_MIN); }
static void sign_nan(void *ctx) { ngrt_Math_Sign_r8(NAN); }

static void expect_unhandled(void (*fn)(void *), const char *line)
{
	rt_proc_result r;
	cr_assert_eq(rt_test_fork(fn, NULL, &r), 0);
	cr_expect_eq(r.status, 1);
	char *got = rt_test_exception_line(r.err);
	cr_expect_str_eq(got, line);
	free(got);
	rt_test_result_close(&r);
}

Test(rt_math, abs_of_min_value_throws_like_mono)
{
	const char *t = "System.OverflowException: Negating the minimum value of a twos "
			"complement number is invalid.";
	expect_unhandled(abs_min, t);
	expect_unhandled(abs_min_long, t);
}

Test(rt_math, sign_of_nan_throws_like_mono)
{
	expect_unhandled(sign_nan, "System.ArithmeticException: Function does not accept "
			 "floating point Not-a-Number values.");
}

static void throw_each(void *ctx)
{
	ngrt_throw(*(int32_t *)ctx);
}

Test(rt_math, every_exception_kind_reports_mono_text)
{
	static const char *const lines[] = {
#define LINE_(id, type, text) type ": " text,
		NGRT_EXCEPTION_LIST(LINE_)
#undef LINE_
	};
	for (int32_t k = 0; k < NGRT_EX_COUNT_; k++) {
		rt_proc_result r;
		cr_assert_eq(rt_test_fork(throw_each, &k, &r), 0);
		cr_expect_eq(r.status, 1);
		char *got = rt_test_exception_line(r.err);
		cr_expect_str_eq(got, lines[k]);
		cr_expect(strstr(r.err, "[ERROR] FATAL UNHANDLED EXCEPTION: ") != NULL);
		free(got);
		rt_test_result_close(&r);
	}
}

Test(rt_math, double_classification)
{
	cr_expect(ngrt_Double_IsNaN(NAN));
	cr_expect(!ngrt_Double_IsNaN(INFINITY));
	cr_expect(ngrt_Double_IsInfinity(-INFINITY));
	cr_expect(ngrt_Double_IsPositiveInfinity(INFINITY));
	cr_expect(!ngrt_Double_IsPositiveInfinity(-INFINITY));
	cr_expect(ngrt_Double_IsNegativeInfinity(-INFINITY));
	cr_expect(ngrt_Single_IsNaN(NAN));
	cr_expect(!ngrt_Single_IsInfinity(1e38f));
}

Test(rt_math, intptr_conversions)
{
	cr_expect_eq(ngrt_IntPtr_from_i4(-5), -5);
	cr_expect_eq(ngrt_IntPtr_to_i8(ngrt_IntPtr_from_i8(INT64_MIN)), INT64_MIN);
	cr_expect_eq(ngrt_IntPtr_to_i4(-7), -7);
	/* Mono prints 0 for (int)(IntPtr)(1L << 40). */
	cr_expect_eq(ngrt_IntPtr_to_i4((intptr_t)1 << 40), 0);
}
