/* tests/compiler/test_md_sig.c - signature blobs, checked against MdLib.cs. */
#include "test_md_util.h"

#include "base/strbuf.h"

/* The formatted signature of a method of MdFixture.<type>. */
static char *method_sig(md_image *img, ng_arena *a, const char *type, const char *name,
			md_method_sig **out)
{
	uint32_t m = md_test_method(img, "MdFixture", type, name);
	cr_assert_neq(m, 0, "%s", name);
	md_methoddef def;
	md_methoddef_get(img, m, &def);
	ng_diag d;
	cr_assert_eq(md_sig_method(img, def.sig, a, out, &d), 0, "%s", ng_diag_text(&d));
	ng_strbuf sb = NG_STRBUF_INIT;
	md_method_sig_format(img, *out, name, &sb);
	char *s = ng_arena_strdup(a, ng_strbuf_str(&sb));
	ng_strbuf_close(&sb);
	return s;
}

Test(md_sig, arrays_byrefs_and_params_arrays)
{
	md_image *img = md_open_fixture("MdLib.dll");
	ng_arena a;
	ng_arena_init(&a);
	md_method_sig *s;
	cr_assert_str_eq(method_sig(img, &a, "Methods", "Sum", &s),
		"int32 Sum(int32[], int64&, float64&, System.Object[])");
	cr_assert_eq(s->callconv, MD_CC_DEFAULT, "static: no HASTHIS");
	cr_assert_eq(s->params[1]->elem, MD_ELEM_BYREF);
	cr_assert_eq(s->params[1]->inner->elem, MD_ELEM_I8);
	ng_arena_close(&a);
	md_close(img);
}

Test(md_sig, pointers_and_multidimensional_arrays)
{
	md_image *img = md_open_fixture("MdLib.dll");
	ng_arena a;
	ng_arena_init(&a);
	md_method_sig *s;
	cr_assert_str_eq(method_sig(img, &a, "Methods", "Raw", &s),
		"int32* Raw(int32*, int32[,], char)");
	const md_type *grid = s->params[1];
	cr_assert_eq(grid->elem, MD_ELEM_ARRAY);
	cr_assert_eq(grid->rank, 2);
	cr_assert_eq(grid->nsizes, 0);
	cr_assert_eq(grid->nlobounds, 2, "mcs writes zero lower bounds");
	cr_assert_eq(grid->lobounds[0], 0);
	ng_arena_close(&a);
	md_close(img);
}

Test(md_sig, generic_instances_nest)
{
	md_image *img = md_open_fixture("MdLib.dll");
	ng_arena a;
	ng_arena_init(&a);
	md_method_sig *s;
	cr_assert_str_eq(method_sig(img, &a, "Methods", "Map", &s),
		"System.Collections.Generic.Dictionary`2<System.String,"
		"System.Collections.Generic.List`1<int32>> Map()");
	cr_assert_eq(s->ret->elem, MD_ELEM_GENERICINST);
	cr_assert_eq(s->ret->nargs, 2);
	cr_assert(!s->ret->is_valuetype);
	ng_arena_close(&a);
	md_close(img);
}

Test(md_sig, generic_methods_count_their_parameters)
{
	md_image *img = md_open_fixture("MdLib.dll");
	ng_arena a;
	ng_arena_init(&a);
	md_method_sig *s;
	cr_assert_str_eq(method_sig(img, &a, "Methods", "Pick", &s),
			 "!!0 Pick<1>(!!0, !!0, bool)");
	cr_assert(s->callconv & MD_CC_GENERIC);
	cr_assert_eq(s->generic_count, 1);
	cr_assert_str_eq(method_sig(img, &a, "Box`1", "Convert", &s),
			 "!!0 Convert<1>(System.Func`2<!0,!!0>)");
	cr_assert(s->callconv & MD_CC_HASTHIS, "an instance method");
	ng_arena_close(&a);
	md_close(img);
}

Test(md_sig, fields_properties_typespecs_and_methodspecs_decode)
{
	md_image *img = md_open_fixture("MdLib.dll");
	ng_arena a;
	ng_arena_init(&a);
	ng_diag d;
	uint32_t box = md_find_typedef(img, "MdFixture", "Box`1"), first, end;
	md_typedef_fields(img, box, &first, &end);
	md_blob b;
	md_blob_get(img, md_get(img, MD_T_FIELD, md_field_at(img, first), MD_FIELD_SIGNATURE), &b);
	md_type *t;
	cr_assert_eq(md_sig_field(img, b, &a, &t, &d), 0);
	cr_assert_eq(t->elem, MD_ELEM_VAR);
	cr_assert_eq(t->index, 0);
	for (uint32_t r = 1; r <= md_row_count(img, MD_T_PROPERTY); r++) {
		md_method_sig *ps;
		md_blob_get(img, md_get(img, MD_T_PROPERTY, r, MD_PROPERTY_TYPE), &b);
		cr_assert_eq(md_sig_property(img, b, &a, &ps, &d), 0, "%s", ng_diag_text(&d));
		cr_assert(ps->callconv & MD_CC_HASTHIS);
	}
	cr_assert_gt(md_row_count(img, MD_T_TYPESPEC), 0);
	for (uint32_t r = 1; r <= md_row_count(img, MD_T_TYPESPEC); r++) {
		md_blob_get(img, md_get(img, MD_T_TYPESPEC, r, MD_TYPESPEC_SIGNATURE), &b);
		cr_assert_eq(md_sig_typespec(img, b, &a, &t, &d), 0, "%s", ng_diag_text(&d));
	}
	md_method_sig *ms;
	const uint8_t spec[] = { 0x0a, 0x02, MD_ELEM_I4, MD_ELEM_STRING };
	cr_assert_eq(md_sig_methodspec(img, (md_blob){ spec, sizeof spec }, &a, &ms, &d), 0);
	cr_assert_eq(ms->nparams, 2);
	cr_assert_eq(ms->params[1]->elem, MD_ELEM_STRING);
	ng_arena_close(&a);
	md_close(img);
}

Test(md_sig, varargs_sentinel_and_custom_modifiers)
{
	md_image *img = md_open_fixture("MdLib.dll");
	ng_arena a;
	ng_arena_init(&a);
	ng_diag d;
	md_method_sig *s;
	/* vararg void f(int32, ..., modopt(TypeRef 1) int64) */
	const uint8_t sig[] = { MD_CC_VARARG, 2, MD_ELEM_VOID, MD_ELEM_I4, MD_ELEM_SENTINEL,
				MD_ELEM_CMOD_OPT, (1 << 2) | 1, MD_ELEM_I8 };
	cr_assert_eq(md_sig_method(img, (md_blob){ sig, sizeof sig }, &a, &s, &d), 0, "%s",
		     ng_diag_text(&d));
	cr_assert_eq(s->sentinel, 1);
	cr_assert_eq(s->params[1]->ncmods, 1);
	cr_assert(!s->params[1]->cmods[0].required);
	cr_assert_eq(s->params[1]->cmods[0].token, MD_TOKEN(MD_T_TYPEREF, 1));
	ng_arena_close(&a);
	md_close(img);
}

Test(md_sig, malformed_blobs_are_errors_with_offsets)
{
	md_image *img = md_open_fixture("MdLib.dll");
	ng_arena a;
	ng_arena_init(&a);
	ng_diag d;
	md_method_sig *s;
	md_type *t;
	/* A depth bomb: 10,000 nested SZARRAYs must fail, not overflow the stack. */
	static uint8_t bomb[10001];
	memset(bomb, MD_ELEM_SZARRAY, 10000);
	bomb[10000] = MD_ELEM_I4;
	cr_assert_eq(md_sig_typespec(img, (md_blob){ bomb, sizeof bomb }, &a, &t, &d),
		     NG_ERR_FORMAT);
	cr_assert(strstr(d.msg, "nested too deeply"), "%s", d.msg);
	const uint8_t huge[] = { 0x00, 0xdf, 0xff, 0xff, 0xff, MD_ELEM_VOID };
	cr_assert_eq(md_sig_method(img, (md_blob){ huge, sizeof huge }, &a, &s, &d), NG_ERR_FORMAT);
	cr_assert(strstr(d.msg, "count"), "%s", d.msg);
	const uint8_t trunc[] = { 0x00, 0x02, MD_ELEM_VOID, MD_ELEM_I4 };
	cr_assert_eq(md_sig_method(img, (md_blob){ trunc, sizeof trunc }, &a, &s, &d), NG_ERR_FORMAT);
	cr_assert(strstr(d.msg, "byte 4 of 4"), "%s", d.msg);
	const uint8_t badtok[] = { MD_ELEM_CLASS, 0xbf, 0xff };
	cr_assert_eq(md_sig_typespec(img, (md_blob){ badtok, sizeof badtok }, &a, &t, &d),
		     NG_ERR_FORMAT);
	cr_assert(strstr(d.msg, "type token"), "%s", d.msg);
	const uint8_t badelem[] = { MD_ELEM_FNPTR - 1 };
	cr_assert_eq(md_sig_typespec(img, (md_blob){ badelem, 1 }, &a, &t, &d), NG_ERR_FORMAT);
	cr_assert(strstr(d.msg, "unknown element type"), "%s", d.msg);
	cr_assert(strstr(d.msg, "MdLib.dll"), "names the file: %s", d.msg);
	const uint8_t notfield[] = { 0x07, 0x00 };
	cr_assert_eq(md_sig_field(img, (md_blob){ notfield, 2 }, &a, &t, &d), NG_ERR_FORMAT);
	cr_assert_eq(md_sig_method(img, (md_blob){ NULL, 0 }, &a, &s, &d), NG_ERR_FORMAT);
	ng_arena_close(&a);
	md_close(img);
}
