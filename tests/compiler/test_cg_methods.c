/* tests/compiler/test_cg_methods.c - calls, static fields, type
 * initialisers, exclusion reasons and BypassNGen (fixture Statics.cs). */
#include "test_cg_util.h"

#include <dlfcn.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* 1 when fn(x) returned (*res), 0 when it raised (cgt_exception). */
static int run_ii(void *fn, int x, int *res)
{
	if (CGT_TRY) {
		*res = ((int (*)(int))fn)(x);
		return 1;
	}
	return 0;
}

Test(cg_methods, precise_cctor_runs_at_first_access_not_before)
{
	cgt_image img;
	cgt_compile("Statics.dll", 0, &img);
	int (*read)(int) = cgt_code(&img, "Cg.User", "ReadPrecise");
	cgt_reset_output();
	cr_assert_eq(read(0), -1);
	cr_assert_str_eq(cgt_out, "", "the precise .cctor ran without an access");
	cr_assert_eq(read(1), 42, "the .cctor set X before the read");
	cr_assert_str_eq(cgt_out, "[cctor]");
	cr_assert_eq(read(1), 42);
	cr_assert_str_eq(cgt_out, "[cctor]", "the .cctor runs once");
	/* Its own static method runs it on entry too. */
	int (*get)(void) = cgt_code(&img, "Cg.Precise", "Get");
	cr_assert_eq(get(), 42);
	cgt_close(&img);
}

Test(cg_methods, beforefieldinit_cctor_runs_on_entry_of_a_method_that_touches_it)
{
	cgt_image img;
	cgt_compile("Statics.dll", 0, &img);
	int (*read)(int) = cgt_code(&img, "Cg.User", "ReadLazy");
	cgt_reset_output();
	/* Mono runs it when it compiles ReadLazy, even if the access is not
	 * reached; the prologue does the same. */
	cr_assert_eq(read(0), -1);
	cr_assert_str_eq(cgt_out, "[cctor]");
	cr_assert_eq(read(1), 7);
	cr_assert_str_eq(cgt_out, "[cctor]");
	cgt_close(&img);
}

Test(cg_methods, touched_beforefieldinit_types_initialise_before_the_own_type)
{
	cgt_image img;
	cgt_compile("Statics.dll", 0, &img);
	int (*m)(void) = cgt_code(&img, "Cg.OrderP", "M");
	cgt_reset_output();
	cr_assert_eq(m(), 11);
	cr_assert_str_eq(cgt_out, "[cctor]1\n[cctor]2\n", "Mono's order: OrderQ, then OrderP");
	cgt_close(&img);
}

Test(cg_methods, static_fields_of_every_first_tier_type)
{
	cgt_image img;
	cgt_compile("Statics.dll", 0, &img);
	int (*bump)(int) = cgt_code(&img, "Cg.User", "Bump");
	cr_assert_eq(bump(300), 300 % 256, "a byte static wraps");
	double (*acc)(double) = cgt_code(&img, "Cg.User", "Acc");
	acc(1.25);
	cr_assert_eq(acc(2.5), 3.75);
	int (*next)(void) = cgt_code(&img, "Cg.User", "NextChar");
	cr_assert_eq(next(), 'y', "the initialiser stored 'x' first");
	int (*color)(void) = cgt_code(&img, "Cg.User", "ColorValue");
	cr_assert_eq(color(), 200, "an enum static keeps its underlying byte");
	uint8_t (*pick)(int) = cgt_code(&img, "Cg.User", "Pick");
	cr_assert_eq(pick(1), 2);
	/* The storage is exported under the field's symbol. */
	char sym[64];
	char hex[33];
	for (int i = 0; i < 16; i++)
		sprintf(hex + 2 * i, "%02x", img.man->mvid[i]);
	uint32_t row = 0;
	uint32_t t = md_find_typedef(img.md, "Cg", "Precise"), first, end;
	md_typedef_fields(img.md, t, &first, &end);
	row = md_field_at(img.md, first);
	sprintf(sym, "ngs_%s_%08x", hex, 0x04000000u | row);
	int *x = dlsym(img.handle, sym);
	cr_assert_not_null(x, "no symbol %s", sym);
	int (*get)(void) = cgt_code(&img, "Cg.Precise", "Get");
	cr_assert_eq(get(), 42);
	cr_assert_eq(*x, 42);
	cgt_close(&img);
}

Test(cg_methods, calls_recursion_byref_switch_and_strings)
{
	cgt_image img;
	cgt_compile("Statics.dll", 0, &img);
	int (*fib)(int) = cgt_code(&img, "Cg.User", "Fib");
	cr_assert_eq(fib(20), 6765);
	long (*sum)(int) = cgt_code(&img, "Cg.User", "Sum");
	cr_assert_eq(sum(100000), 4999950000L);
	int (*swap)(int, int) = cgt_code(&img, "Cg.User", "UseSwap");
	cr_assert_eq(swap(3, 4), 43, "ref parameters write through");
	int (*dense)(int) = cgt_code(&img, "Cg.User", "Dense");
	int want[] = { 10, 11, 12, 13, -1, 15, -1 };
	for (int i = 0; i < 7; i++)
		cr_assert_eq(dense(i), want[i]);
	cr_assert_eq(dense(-1), -1);
	int (*lit)(void) = cgt_code(&img, "Cg.User", "LiteralIsNull");
	cr_assert_eq(lit(), 1, "ldstr gives a non-null string, ldnull a null one");
	cgt_close(&img);
}

/* Unbounded recursion overflows the stack, as under Mono; it is not
 * turned into an endless loop (tail-recursion elimination). Under
 * AddressSanitizer (make asan) ASan catches the overflow itself, reports
 * "stack-overflow" and exits with status 1. */
#ifdef __SANITIZE_ADDRESS__
#define STACK_OVERFLOW_DEATH .exit_code = 1
#else
#define STACK_OVERFLOW_DEATH .signal = SIGSEGV
#endif
Test(cg_methods, unbounded_recursion_overflows_the_stack, STACK_OVERFLOW_DEATH, .timeout = 30)
{
	cgt_image img;
	cgt_compile("Statics.dll", 0, &img);
	int (*endless)(int) = cgt_code(&img, "Cg.User", "Endless");
	endless(0);
	cgt_close(&img);
}

Test(cg_methods, string_array_args_length)
{
	cgt_image img;
	cgt_compile("Statics.dll", 0, &img);
	int (*args)(ngrt_array *) = cgt_code(&img, "Cg.User", "Args");
	ngrt_array *a = calloc(1, sizeof *a + 3 * sizeof(void *));
	a->length = 3;
	cr_assert_eq(args(a), 3);
	int r = 0;
	cr_assert_eq(run_ii((void *)args, 0, &r), 0, "a null array raises");
	cr_assert_str_eq(cgt_exception_name(cgt_exception), "System.NullReferenceException");
	free(a);
	cgt_close(&img);
}

Test(cg_methods, console_and_math_calls_go_to_the_runtime_helpers)
{
	cgt_image img;
	cgt_compile("Statics.dll", 0, &img);
	void (*print)(void) = cgt_code(&img, "Cg.User", "Print");
	cgt_reset_output();
	print();
	cr_assert_str_eq(cgt_out, "hi\n42\n4\nTrue\n");
	cgt_close(&img);
}

Test(cg_methods, calling_an_excluded_method_reports_it_at_run_time)
{
	cgt_image img;
	cgt_compile("Statics.dll", 0, &img);
	void *call = cgt_code(&img, "Cg.User", "CallExcluded");
	int r = 0;
	cr_assert_eq(run_ii(call, 0, &r), 1);
	cr_assert_eq(r, 0, "the compiled caller runs while it does not reach the call");
	cgt_reset_output();
	cr_assert_eq(run_ii(call, 1, &r), 0);
	cr_assert_str_eq(cgt_exception_name(cgt_exception), "System.MissingMethodException");
	char want[32];
	sprintf(want, "[excluded 0x%08x]", 0x06000000u | cgt_row(&img, "Cg.User", "Excluded"));
	cr_assert_str_eq(cgt_out, want);
	cgt_close(&img);
}

Test(cg_methods, bypass_ngen_is_left_out_as_such)
{
	cgt_image img;
	cgt_compile("Statics.dll", 0, &img);
	const ng_manifest_method *m = cgt_entry(&img, "Cg.User", "Bypassed");
	cr_assert_eq(m->status, NG_METHOD_BYPASS);
	cr_assert_null(m->code);
	cr_assert_str_eq(m->reason, "marked BypassNGenAttribute");
	cr_assert_eq(img.res.methods_bypassed, 1);
	int r;
	cr_assert_eq(run_ii(cgt_code(&img, "Cg.User", "CallBypassed"), 1, &r), 0);
	cr_assert_str_eq(cgt_exception_name(cgt_exception), "System.MissingMethodException");
	cgt_close(&img);
}

static void expect_reason(cgt_image *img, const char *type, const char *method, const char *want)
{
	const ng_manifest_method *m = cgt_entry(img, type, method);
	cr_assert_eq(m->status, NG_METHOD_EXCLUDED, "%s::%s was compiled", type, method);
	cr_assert_str_eq(m->reason, want, "%s::%s", type, method);
}

Test(cg_methods, exclusions_name_the_first_unsupported_thing)
{
	cgt_image img;
	cgt_compile("Statics.dll", 0, &img);
	expect_reason(&img, "Cg.Obj", "Get", "instance methods are not supported");
	expect_reason(&img, "Cg.Generic`1", "Zero", "methods of generic types are not supported");
	expect_reason(&img, "Cg.Gm", "Id", "generic methods are not supported");
	expect_reason(&img, "Cg.Eh", "Try",
		      "exception handling (catch clause at IL_0001) is not supported");
	expect_reason(&img, "Cg.Bcl", "Box",
		      "method return type: reference type System.Object is not supported");
	expect_reason(&img, "Cg.Bcl", "Parse",
		      "call at IL_0002: int32 System.Int32::Parse(System.String) is a class library "
		      "method that is not a runtime intrinsic");
	expect_reason(&img, "Cg.User", "Excluded",
		      "local 0: reference type System.Object is not supported");
	/* Grouped counts add up. */
	uint32_t sum = 0;
	for (size_t i = 0; i < img.res.reason_count; i++)
		sum += img.res.reasons[i].count;
	cr_assert_eq(sum, img.res.methods_excluded);
	cr_assert_eq(img.res.methods_compiled + img.res.methods_excluded + img.res.methods_bypassed,
		     img.res.methods_total);
	cgt_close(&img);
}

Test(cg_methods, il_exclusions_carry_the_il_offset)
{
	cgt_image img;
	cgt_compile("IlOps.dll", 0, &img);
	expect_reason(&img, "IL", "NewObj", "newobj at IL_0002: object creation is not supported");
	expect_reason(&img, "IL", "Varargs", "method takes variable arguments (not supported)");
	expect_reason(&img, "IL", "StackMismatch",
		      "ldc.i4.3 at IL_000d: invalid IL: 1 values on the stack reach IL_000e, 2 on "
		      "another path");
	expect_reason(&img, "IL", "ConvOvfI4UnR8", "conv.ovf.i4.un at IL_0001: invalid IL: "
		      "unsigned overflow conversion of a floating-point value");
	cgt_close(&img);
}
