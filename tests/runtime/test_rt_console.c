/* tests/runtime/test_rt_console.c - Console.Write/WriteLine helpers and
 * number formats against what Mono 6.8 prints (the expected texts below
 * were produced by `mono` running Console.WriteLine on the same values). */
#include <criterion/criterion.h>

#include "base/abi_bcl.h"
#include "runtime/rt_console.h"
#include "runtime/rt_string.h"
#include "tests/runtime/rt_testutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	double v;
	const char *mono;
} doubles[] = {
	{ 0.30000000000000004, "0.3" }, { 1.0 / 3, "0.333333333333333" },
	{ 0.0, "0" }, { -0.0, "0" }, { 1e15, "1E+15" }, { 1e16, "1E+16" },
	{ 123456789012345678.0, "1.23456789012346E+17" }, { 1e-5, "1E-05" },
	{ 0.0001, "0.0001" }, { 1e-300, "1E-300" },
	{ 1.7976931348623157e308, "1.79769313486232E+308" },
	{ 4.9406564584124654e-324, "4.94065645841247E-324" }, { 2.5, "2.5" },
	{ 100.0, "100" }, { -1.5e10, "-15000000000" }, { 100000000000000.3, "100000000000000" },
	{ 9007199254740993.0, "9.00719925474099E+15" }, { 3.141592653589793, "3.14159265358979" },
	{ 2.718281828459045, "2.71828182845905" }, { 4503599627370497.0, "4.5035996273705E+15" },
	{ -762994.25, "-762994.25" }, { 999999999999999.9, "1E+15" }, { -1.5e-7, "-1.5E-07" },
};

static const struct {
	float v;
	const char *mono;
} floats[] = {
	{ 0.1f, "0.1" }, { 1.0f / 3, "0.3333333" }, { 3.4028235e38f, "3.402823E+38" },
	{ 1.4e-45f, "1.401298E-45" }, { 16777216.0f, "1.677722E+07" }, { 1e7f, "1E+07" },
	{ -0.0f, "0" }, { -762994.25f, "-762994.3" }, { -4.2578125f, "-4.257813" },
	{ 1234567.0f, "1234567" }, { 0.0001f, "0.0001" }, { 0.00001f, "1E-05" },
};

Test(rt_console, doubles_format_as_mono_g15)
{
	char buf[RT_FORMAT_MAX];
	for (size_t i = 0; i < sizeof doubles / sizeof doubles[0]; i++) {
		rt_format_r8(doubles[i].v, buf);
		cr_expect_str_eq(buf, doubles[i].mono, "%.17g: got %s, Mono prints %s",
				 doubles[i].v, buf, doubles[i].mono);
	}
}

Test(rt_console, floats_format_as_mono_g7_rounding_half_away)
{
	char buf[RT_FORMAT_MAX];
	for (size_t i = 0; i < sizeof floats / sizeof floats[0]; i++) {
		rt_format_r4(floats[i].v, buf);
		cr_expect_str_eq(buf, floats[i].mono, "%.9g: got %s, Mono prints %s",
				 (double)floats[i].v, buf, floats[i].mono);
	}
}

Test(rt_console, special_values)
{
	char buf[RT_FORMAT_MAX];
	rt_format_r8(NAN, buf);
	cr_expect_str_eq(buf, "NaN");
	rt_format_r8(INFINITY, buf);
	cr_expect_str_eq(buf, "Infinity");
	rt_format_r4(-INFINITY, buf);
	cr_expect_str_eq(buf, "-Infinity");
}

Test(rt_console, integers_at_their_limits)
{
	char buf[RT_FORMAT_MAX];
	rt_format_i8(INT64_MIN, buf);
	cr_expect_str_eq(buf, "-9223372036854775808");
	rt_format_u8(UINT64_MAX, buf);
	cr_expect_str_eq(buf, "18446744073709551615");
	rt_format_i8(0, buf);
	cr_expect_str_eq(buf, "0");
}

/* ctx: the locale (LC_ALL) the child writes in, as Mono reads it. */
static void write_everything(void *ctx)
{
	setenv("LC_ALL", ctx, 1);
	ngrt_Console_WriteLine_bool(1);
	ngrt_Console_WriteLine_bool(0);
	ngrt_Console_Write_i4(-42);
	ngrt_Console_Write_char(' ');
	ngrt_Console_Write_u4(4294967295u);
	ngrt_Console_Write_char(' ');
	ngrt_Console_Write_i8(INT64_MIN);
	ngrt_Console_Write_char(' ');
	ngrt_Console_WriteLine_u8(UINT64_MAX);
	ngrt_Console_WriteLine_r8(0.1 + 0.2);
	ngrt_Console_WriteLine_r4(0.1f);
	ngrt_Console_WriteLine_char(0x00e9);
	/* A surrogate pair written in two calls is one character. */
	ngrt_Console_Write_char(0xd83d);
	ngrt_Console_Write_char(0xde00);
	ngrt_Console_WriteLine();
	/* A lone high surrogate becomes U+FFFD. */
	ngrt_Console_WriteLine_char(0xd83d);
	ngrt_Console_WriteLine_string(rt_string_from_utf8("h\xc3\xa9llo \xe4\xb8\xad\xf0\x9f\x98\x80", 0));
	ngrt_Console_WriteLine_string(NULL);
	ngrt_Console_Write_string(rt_string_from_utf8("end", 0));
}

Test(rt_console, writes_what_mono_writes)
{
	rt_proc_result r;
	cr_assert_eq(rt_test_fork(write_everything, "C.UTF-8", &r), 0);
	cr_assert_eq(r.status, 0);
	cr_expect_str_eq(r.out,
		"True\nFalse\n-42 4294967295 -9223372036854775808 18446744073709551615\n"
		"0.3\n0.1\n\xc3\xa9\n\xf0\x9f\x98\x80\n\xef\xbf\xbd\n"
		"h\xc3\xa9llo \xe4\xb8\xad\xf0\x9f\x98\x80\n\nend");
	rt_test_result_close(&r);
}

/* Without a UTF-8 locale Mono writes ASCII: '?' for every non-ASCII UTF-16
 * unit, two for a surrogate pair (checked with `env -i mono`). */
Test(rt_console, the_c_locale_writes_ascii_as_mono_does)
{
	rt_proc_result r;
	cr_assert_eq(rt_test_fork(write_everything, "C", &r), 0);
	cr_assert_eq(r.status, 0);
	cr_expect_str_eq(r.out,
		"True\nFalse\n-42 4294967295 -9223372036854775808 18446744073709551615\n"
		"0.3\n0.1\n?\n??\n?\nh?llo ???\n\nend");
	rt_test_result_close(&r);
}

Test(rt_console, strings_round_trip_utf8)
{
	const char *text = "a\xc3\xa9\xe4\xb8\xad\xf0\x9f\x98\x80z";
	ngrt_string *s = rt_string_from_utf8(text, 0);
	cr_expect_eq(s->length, 6); /* a, e-acute, CJK, 2 surrogates, z */
	cr_expect_eq(s->chars[s->length], 0);
	char *back = rt_string_to_utf8(s);
	cr_expect_str_eq(back, text);
	free(back);
	ngrt_string *bad = rt_string_from_utf8("x\xff", 0);
	cr_expect_eq(bad->length, 2);
	cr_expect_eq(bad->chars[1], 0xfffd);
}

Test(rt_console, ldstr_interns_per_cell)
{
	static ngrt_string *cell;
	const uint16_t units[] = { 'h', 'i' };
	ngrt_string *a = ngrt_ldstr(&cell, units, 2);
	ngrt_string *b = ngrt_ldstr(&cell, units, 2);
	cr_expect_eq(a, b);
	cr_expect_eq(a->length, 2);
	cr_expect_eq(a->chars[1], 'i');
}

Test(rt_console, string_helpers_check_bounds)
{
	ngrt_string *s = rt_string_from_utf8("abc", 0);
	cr_expect_eq(ngrt_String_get_Length(s), 3);
	cr_expect_eq(ngrt_String_get_Chars(s, 2), 'c');
}

static void char_out_of_range(void *ctx)
{
	ngrt_String_get_Chars(rt_string_from_utf8("abc", 0), 3);
}

Test(rt_console, string_index_out_of_range_is_unhandled)
{
	rt_proc_result r;
	cr_assert_eq(rt_test_fork(char_out_of_range, NULL, &r), 0);
	cr_expect_eq(r.status, 1);
	char *line = rt_test_exception_line(r.err);
	cr_expect_str_eq(line, "System.IndexOutOfRangeException: Index was outside the bounds of the array.");
	free(line);
	rt_test_result_close(&r);
}
