/* tests/compiler/test_cg_ops.c - every arithmetic, comparison and
 * conversion family, compiled by ngen and compared with Mono.
 *
 * Ops.dll (tests/fixtures/cg/Ops.cs) has one static method per operation.
 * Each test compiles it, calls every method of one class with boundary
 * inputs (extremes, NaN, infinities, values just inside and outside each
 * integer range), and compares every result - value bits or exception type
 * - with what Mono computes for the same inputs (Eval.exe, one Mono run per
 * test). */
#include "test_cg_util.h"

#include "base/strbuf.h"
#include "base/xmalloc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const uint64_t i4_vals[] = {
	0, 1, 0xffffffff, 2, 0xfffffffe, 7, 31, 32, 33, 63, 64, 65, 100, 0xffffff9c, 127, 128,
	0xffffff80, 0xffffff7f, 255, 256, 0x7fff, 0x8000, 0xffff7fff, 0xffff, 0x10000,
	0x7fffffff, 0x80000000, 0x7ffffffe, 0x80000001, 1000000007, 0x9abcdef0,
};
static const uint64_t i8_vals[] = {
	0, 1, ~0ull, 2, ~1ull, 31, 32, 63, 64, 65, 255, 0x7fffffff, 0x80000000, 0xffffffff,
	0x100000000ull, 0xffffffff80000000ull, 0xffffffff7fffffffull, 0x7fffffffffffffffull,
	0x8000000000000000ull, 0x8000000000000001ull, 0x7ffffffffffffffeull, 0x0123456789abcdefull,
	0xfedcba9876543210ull, 1000000007,
};

static uint64_t dbits(double d)
{
	uint64_t b;
	memcpy(&b, &d, 8);
	return b;
}

static uint64_t fbits(float f)
{
	uint32_t b;
	memcpy(&b, &f, 4);
	return b;
}

static const double r8_src[] = {
	0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 0.9, -0.9, 1.5, 2.5, -2.5, 127.5, 128.0, -128.9, -129.0,
	255.9, 256.0, 32767.9, 32768.0, -32768.5, -32769.0, 65535.5, 65536.0, 2147483647.0,
	2147483647.5, 2147483648.0, -2147483648.0, -2147483648.9, -2147483649.0, 4294967295.0,
	4294967295.9, 4294967296.0, 9223372036854775807.0, 9223372036854775808.0,
	-9223372036854775808.0, -9223372036854777856.0, 18446744073709551615.0,
	18446744073709551616.0, 1e19, 1e20, -1e20, 1e-300, 4.9e-324, 1.7976931348623157e308,
	-1.7976931348623157e308, NAN, INFINITY, -INFINITY, 3.141592653589793, 1e10, -1e10,
};

/* The value list of a parameter type letter. */
static size_t values(char t, uint64_t *out, int small)
{
	size_t n = 0;
	switch (t) {
	case 'i':
		for (size_t i = 0; i < sizeof i4_vals / 8 && (!small || n < 18); i++)
			out[n++] = i4_vals[i];
		break;
	case 'l':
		for (size_t i = 0; i < sizeof i8_vals / 8 && (!small || n < 16); i++)
			out[n++] = i8_vals[i];
		break;
	case 'd':
		for (size_t i = 0; i < sizeof r8_src / 8; i++)
			if (!small || i % 3 == 0)
				out[n++] = dbits(r8_src[i]);
		break;
	case 'f':
		for (size_t i = 0; i < sizeof r8_src / 8; i++)
			if (!small || i % 3 == 0)
				out[n++] = fbits((float)r8_src[i]);
		break;
	}
	return n;
}

/* "r:pp" signature letters of a method: i int32, l int64, d double,
 * f float, z bool. */
static void sig_of(cgt_image *img, uint32_t row, char *sig)
{
	md_methoddef def;
	md_methoddef_get(img->md, row, &def);
	ng_arena a;
	ng_arena_init(&a);
	md_method_sig *s;
	cr_assert_eq(md_sig_method(img->md, def.sig, &a, &s, NULL), 0);
	static const char letter[0x20] = { [MD_ELEM_I4] = 'i', [MD_ELEM_I8] = 'l',
		[MD_ELEM_R8] = 'd', [MD_ELEM_R4] = 'f', [MD_ELEM_BOOLEAN] = 'z' };
	size_t k = 0;
	sig[k++] = letter[s->ret->elem & 0x1f];
	sig[k++] = ':';
	for (uint32_t i = 0; i < s->nparams; i++)
		sig[k++] = letter[s->params[i]->elem & 0x1f];
	sig[k] = '\0';
	ng_arena_close(&a);
}

typedef union { int32_t i; int64_t l; double d; float f; uint8_t z; } cval;

static cval arg(char t, uint64_t bits)
{
	cval v;
	memset(&v, 0, sizeof v);
	switch (t) {
	case 'i': v.i = (int32_t)(uint32_t)bits; break;
	case 'l': v.l = (int64_t)bits; break;
	case 'd': memcpy(&v.d, &bits, 8); break;
	case 'f': { uint32_t b = (uint32_t)bits; memcpy(&v.f, &b, 4); break; }
	}
	return v;
}

/* The call itself, outside the function that catches exceptions. */
static __attribute__((noinline)) uint64_t invoke(void *code, const char *sig, cval a, cval b)
{
	char r = sig[0];
	uint64_t res = 0;
#define CALL1(RT, T1, A) ((RT(*)(T1))code)(A)
#define CALL2(RT, T1, T2, A, B) ((RT(*)(T1, T2))code)(A, B)
	const char *p = sig + 2;
	if (!strcmp(p, "ii")) {
		if (r == 'i') res = (uint32_t)CALL2(int32_t, int32_t, int32_t, a.i, b.i);
		else res = CALL2(uint8_t, int32_t, int32_t, a.i, b.i);
	} else if (!strcmp(p, "i")) {
		if (r == 'i') res = (uint32_t)CALL1(int32_t, int32_t, a.i);
		else if (r == 'l') res = (uint64_t)CALL1(int64_t, int32_t, a.i);
		else if (r == 'd') res = dbits(CALL1(double, int32_t, a.i));
		else res = fbits(CALL1(float, int32_t, a.i));
	} else if (!strcmp(p, "ll")) {
		res = (uint64_t)CALL2(int64_t, int64_t, int64_t, a.l, b.l);
	} else if (!strcmp(p, "l")) {
		if (r == 'l') res = (uint64_t)CALL1(int64_t, int64_t, a.l);
		else if (r == 'i') res = (uint32_t)CALL1(int32_t, int64_t, a.l);
		else if (r == 'd') res = dbits(CALL1(double, int64_t, a.l));
		else res = fbits(CALL1(float, int64_t, a.l));
	} else if (!strcmp(p, "dd")) {
		if (r == 'd') res = dbits(CALL2(double, double, double, a.d, b.d));
		else if (r == 'i') res = (uint32_t)CALL2(int32_t, double, double, a.d, b.d);
		else res = CALL2(uint8_t, double, double, a.d, b.d);
	} else if (!strcmp(p, "d")) {
		if (r == 'd') res = dbits(CALL1(double, double, a.d));
		else if (r == 'i') res = (uint32_t)CALL1(int32_t, double, a.d);
		else if (r == 'l') res = (uint64_t)CALL1(int64_t, double, a.d);
		else res = fbits(CALL1(float, double, a.d));
	} else if (!strcmp(p, "ff")) {
		if (r == 'f') res = fbits(CALL2(float, float, float, a.f, b.f));
		else if (r == 'd') res = dbits(CALL2(double, float, float, a.f, b.f));
		else res = (uint32_t)CALL2(int32_t, float, float, a.f, b.f);
	} else if (!strcmp(p, "f")) {
		if (r == 'i') res = (uint32_t)CALL1(int32_t, float, a.f);
		else if (r == 'l') res = (uint64_t)CALL1(int64_t, float, a.f);
		else res = dbits(CALL1(double, float, a.f));
	} else {
		cr_assert_fail("signature %s not handled by the test", sig);
	}
	return r == 'z' ? res & 0xff : res;
}

/* 1 when the call returned (*res), 0 when it raised (cgt_exception). */
static int guarded(void *code, const char *sig, const cval *a, const cval *b, uint64_t *res)
{
	if (CGT_TRY) {
		*res = invoke(code, sig, *a, *b);
		return 1;
	}
	return 0;
}

/* Calls code with the signature; the result's hex text like Eval's. */
static void call(void *code, const char *sig, const uint64_t *args, char *outbuf)
{
	cval a = arg(sig[2], args[0]), b = sig[3] ? arg(sig[3], args[1]) : a;
	uint64_t res = 0;
	if (guarded(code, sig, &a, &b, &res))
		sprintf(outbuf, "ok %llx", (unsigned long long)res);
	else
		sprintf(outbuf, "ex %s", cgt_exception_name(cgt_exception));
}

static int is_nan_bits(char t, const char *text)
{
	if (strncmp(text, "ok ", 3) != 0)
		return 0;
	uint64_t b = strtoull(text + 3, NULL, 16);
	if (t == 'd') {
		double d;
		memcpy(&d, &b, 8);
		return isnan(d);
	}
	if (t == 'f') {
		uint32_t w = (uint32_t)b;
		float f;
		memcpy(&f, &w, 4);
		return isnan(f);
	}
	return 0;
}

typedef struct req {
	char method[64];
	char sig[8];
	uint64_t args[2];
} req;

/* Runs every method of `type` in the fixture on the value grid, except
 * those named in skip (NULL-terminated); compares with Mono. */
static void check_family_in(const char *fixture, const char *type, const char *const *skip)
{
	cgt_image img;
	cgt_compile(fixture, 0, &img);
	uint32_t t = md_find_typedef(img.md, "", type);
	cr_assert_neq(t, 0);
	uint32_t first, end;
	md_typedef_methods(img.md, t, &first, &end);
	size_t cap = 1 << 16, n = 0;
	req *reqs = xcalloc(cap, sizeof *reqs);
	ng_strbuf in = NG_STRBUF_INIT;
	for (uint32_t pos = first; pos < end; pos++) {
		uint32_t row = md_method_at(img.md, pos);
		md_methoddef def;
		md_methoddef_get(img.md, row, &def);
		int skipped = def.name[0] == '.';
		for (size_t k = 0; skip && skip[k]; k++)
			skipped |= strcmp(skip[k], def.name) == 0;
		if (skipped)
			continue;
		char sig[8];
		sig_of(&img, row, sig);
		size_t np = strlen(sig) - 2;
		uint64_t v0[64], v1[64];
		size_t n0 = values(sig[2], v0, np == 2), n1 = np == 2 ? values(sig[3], v1, 1) : 1;
		for (size_t i = 0; i < n0; i++)
			for (size_t k = 0; k < n1 && n < cap; k++) {
				req *r = &reqs[n++];
				snprintf(r->method, sizeof r->method, "%s", def.name);
				memcpy(r->sig, sig, sizeof sig);
				r->args[0] = v0[i];
				r->args[1] = np == 2 ? v1[k] : 0;
				ng_strbuf_printf(&in, "%s.%s %llx", type, def.name, (unsigned long long)v0[i]);
				if (np == 2)
					ng_strbuf_printf(&in, " %llx", (unsigned long long)v1[k]);
				ng_strbuf_putc(&in, '\n');
			}
	}
	cr_assert_gt(n, 500, "the grid is too small (%zu requests)", n);
	char *expected = cgt_mono_eval(fixture, ng_strbuf_str(&in));
	char *line = expected, *save = NULL;
	size_t mismatches = 0;
	for (size_t i = 0; i < n; i++) {
		char *e = strtok_r(i == 0 ? line : NULL, "\n", &save);
		cr_assert_not_null(e, "Mono gave fewer results than requests");
		char got[64];
		call(cgt_code(&img, type, reqs[i].method), reqs[i].sig, reqs[i].args, got);
		if (strcmp(got, e) != 0 && !(is_nan_bits(reqs[i].sig[0], got) && is_nan_bits(reqs[i].sig[0], e))) {
			if (mismatches++ < 20)
				cr_log_error("%s.%s(%llx, %llx): ngen %s, mono %s", type, reqs[i].method,
					     (unsigned long long)reqs[i].args[0],
					     (unsigned long long)reqs[i].args[1], got, e);
		}
	}
	cr_expect_eq(mismatches, 0, "%zu of %zu results differ from Mono", mismatches, n);
	cr_log_info("%s: %zu results equal to Mono's", type, n - mismatches);
	free(expected);
	ng_strbuf_close(&in);
	free(reqs);
	cgt_close(&img);
}

static void check_family(const char *type)
{
	check_family_in("Ops.dll", type, NULL);
}

Test(cg_ops, il_only_instructions_match_mono, .timeout = 120)
{
	static const char *const skip[] = { "Break", "Varargs", "NewObj", "StackMismatch", "Fib", "Loop",
					   "ConvOvfI4UnR8", NULL };
	check_family_in("IlOps.dll", "IL", skip);
}

Test(cg_ops, int32_arithmetic_comparisons_conversions_match_mono, .timeout = 120)
{
	check_family("I4");
}

Test(cg_ops, int64_arithmetic_comparisons_conversions_match_mono, .timeout = 120)
{
	check_family("I8");
}

Test(cg_ops, float64_arithmetic_nan_compares_conversions_match_mono, .timeout = 120)
{
	check_family("R8");
}

Test(cg_ops, float32_single_precision_and_conversions_match_mono, .timeout = 120)
{
	check_family("R4");
}

Test(cg_ops, every_ops_method_is_compiled)
{
	cgt_image img;
	cgt_compile("Ops.dll", 0, &img);
	cr_assert_eq(img.res.methods_excluded, 0, "%u excluded, first reason: %s",
		     img.res.methods_excluded,
		     img.res.reason_count ? img.res.reasons[0].text : "-");
	cgt_close(&img);
}
